// Browser tests of the huajie web UI: a small runner of our own on playwright-core, driving the
// system Chromium. Started by run.sh, which serves a fresh demo database and sets BASE_URL.
//
// Each test is a named async function that gets a fresh browser context (1366×768, Beijing
// time). A full-page screenshot of its main page is saved to ARTIFACTS/<name>.png when it ends,
// or ARTIFACTS/<name>-FAILED.png when it fails; a failure is printed and the next test runs.
//
// Usage: BASE_URL=http://127.0.0.1:8080 node tests/browser/suite.mjs [test names...]

import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { chromium } from "playwright-core";

const BASE_URL = (process.env.BASE_URL || "http://127.0.0.1:8080").replace(/\/$/, "");
const ARTIFACTS = process.env.ARTIFACTS || "target/browser-artifacts";
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const TIMEOUT = 10_000;
const PASSWORD = "huajie2024";
const VIEWPORT = { width: 1366, height: 768 };
const RED = "rgb(192, 57, 43)"; // --red of app.css

// ----- small assertion helpers --------------------------------------------------------------

class Failure extends Error {}

function assert(cond, msg) {
  if (!cond) throw new Failure(msg);
}

function assertEq(actual, expected, what) {
  if (actual !== expected) {
    throw new Failure(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/** Waits until an element matching `sel` contains `expected` (string or RegExp) and is visible. */
async function expectText(page, sel, expected, timeout = TIMEOUT) {
  const loc = page.locator(sel).filter({ hasText: expected }).first();
  try {
    await loc.waitFor({ state: "visible", timeout });
  } catch {
    const found = await page.locator(sel).allInnerTexts().catch(() => []);
    throw new Failure(
      `expected ${sel} to contain ${expected} on ${page.url()}; found ${
        found.length ? JSON.stringify(found.slice(0, 5).map((t) => t.slice(0, 300))) : "no such element"
      }`,
    );
  }
  return loc;
}

async function expectAbsent(page, sel, what) {
  const n = await page.locator(sel).count();
  assert(n === 0, `${what}: expected no ${sel} on ${page.url()}, found ${n}`);
}

async function expectPath(page, re) {
  try {
    await page.waitForURL((u) => re.test(u.pathname + u.search), { timeout: TIMEOUT });
  } catch {
    throw new Failure(`expected URL matching ${re}, at ${page.url()}`);
  }
}

/** Clicks something that submits a form or follows a link; resolves with the final response. */
async function navigate(page, sel) {
  const nav = page.waitForNavigation({ waitUntil: "load", timeout: TIMEOUT });
  nav.catch(() => {}); // awaited below; no unhandled rejection if the click fails first
  await page.click(sel);
  const resp = await nav;
  assert(resp, `clicking ${sel} did not load a page`);
  return resp;
}

async function open(page, url) {
  return page.goto(BASE_URL + url, { waitUntil: "load" });
}

/** Today in Beijing as YYYY-MM-DD (the server's calendar). */
function todayBeijing() {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: "Asia/Shanghai",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(new Date());
}

// ----- application helpers ------------------------------------------------------------------

/** Passwords changed by a forced first-login change (none for the demo users today). */
const passwords = new Map();

/** Logs in through the form; handles a forced password change; ends on a logged-in page. */
async function login(page, username, password = passwords.get(username) || PASSWORD) {
  await open(page, "/login");
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', password);
  await navigate(page, "form.login-card button[type=submit]");
  const url = new URL(page.url());
  assert(
    url.pathname !== "/login",
    `login as ${username} failed: ${await page.locator(".error").allInnerTexts().catch(() => "")}`,
  );
  if (url.pathname === "/password") {
    const next = `${password}X1`;
    await page.fill('input[name="current"]', password);
    await page.fill('input[name="new"]', next);
    await page.fill('input[name="confirm"]', next);
    await navigate(page, 'form[action="/password"] button[type=submit]');
    assert(new URL(page.url()).pathname === "/", `password change for ${username} failed`);
    passwords.set(username, next);
  }
}

async function newLoggedInPage(t, username) {
  const page = await t.newPage(username);
  await login(page, username);
  return page;
}

// Case numbers no demo case uses (demo numbers stay in the hundreds), different on each run so
// that the suite can also run again against the same database.
let caseSeq = 9000 + (Math.floor(Date.now() / 1000) % 100_000) * 10;
function freshCaseNo(court = "浙0699") {
  caseSeq += 1;
  return `（2026）${court}行初${caseSeq}号`;
}

/** Registers a first-instance case through the form; returns its id and number. */
async function registerCase(page, { caseNo = freshCaseNo(), defendant, coDefendants = [], claimants = ["王小明"], domain = "征收拆迁", cause, receivedOn }) {
  await open(page, "/proceedings/new");
  await page.fill('input[name="case_no"]', caseNo);
  if (coDefendants.length) await page.fill('textarea[name="co_defendants"]', coDefendants.join("\n"));
  if (receivedOn) await page.fill('input[name="received_on"]', receivedOn);
  await page.selectOption('select[name="domain"]', { label: domain });
  if (cause) await page.fill('input[name="cause"]', cause);
  await page.fill('textarea[name="claimants"]', claimants.join("\n"));
  await page.fill('input[name="defendant"]', defendant);
  await navigate(page, "form.entry .actions button[type=submit]");
  const m = /^\/proceedings\/(\d+)$/.exec(new URL(page.url()).pathname);
  if (!m) {
    const errs = await page.locator(".field-error, .error").allInnerTexts();
    throw new Failure(`registering ${caseNo} failed at ${page.url()}: ${JSON.stringify(errs)}`);
  }
  await expectText(page, ".flash", "案件已登记");
  return { id: Number(m[1]), caseNo };
}

/** The username of the unit clerk of `unit`, from 用户管理 (coordinator's page). */
async function clerkOf(page, unit) {
  await open(page, "/users");
  const rows = await page.locator("table.grid tbody tr").evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent.trim())),
  );
  const row = rows.find((r) => r[2] === "单位联络员" && r[3] === unit && r[5] === "启用");
  assert(row, `no active unit clerk of ${unit} on /users`);
  return row[0];
}

/** The exact name of a unit offered by the register form's list, by a fragment of it. */
async function unitNamed(page, fragment) {
  if (!new URL(page.url()).pathname.endsWith("/proceedings/new")) await open(page, "/proceedings/new");
  const names = await page.locator("#unit-list option").evaluateAll((os) => os.map((o) => o.value));
  const name = names.find((n) => n.includes(fragment));
  assert(name, `no unit containing ${fragment} in #unit-list (${names.length} units)`);
  return name;
}

/** Resolves when the form's script has asked the server about exactly `value`. */
function checkOf(page, value) {
  const seen = page.waitForResponse(
    (r) => r.url().includes("/lookup/case-no?") && new URL(r.url()).searchParams.get("v") === value,
    { timeout: TIMEOUT },
  );
  seen.catch(() => {}); // awaited by the caller; no unhandled rejection if it fails first
  return seen;
}

/** The value shown after a label of 基本信息 on the case page. */
async function fact(page, label) {
  return page.locator("dl.facts dt", { hasText: label }).first().evaluate((dt) => dt.nextElementSibling.textContent.trim());
}

// ----- tests --------------------------------------------------------------------------------

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

test("login", async (t) => {
  const page = t.page;
  // Not logged in: the workbench sends to the login page, which remembers where to go.
  await open(page, "/");
  await expectPath(page, /^\/login\?next=%2F$/);
  await expectText(page, "h1", "化解");

  // A wrong password is refused with one message for unknown users and wrong passwords.
  await page.fill('input[name="username"]', "auditor");
  await page.fill('input[name="password"]', "wrong-password-1");
  const refused = await navigate(page, "form.login-card button[type=submit]");
  assertEq(refused.status(), 401, "status of a wrong password");
  await expectText(page, ".login-card .error", "用户名或密码错误");
  assertEq(await page.inputValue('input[name="username"]'), "auditor", "the typed username is kept");

  // The right password lands on the workbench with its tiles.
  await page.fill('input[name="password"]', PASSWORD);
  await navigate(page, "form.login-card button[type=submit]");
  await expectPath(page, /^\/$/);
  await expectText(page, "main h2", "工作台");
  await expectText(page, ".tiles .tile", "已逾期");
  await expectText(page, ".tiles .tile", "即将到期");
  await expectText(page, "header .who", "孙明");
  await page.screenshot({ path: path.join(ARTIFACTS, "login-workbench.png"), fullPage: true });

  // Logging out ends the session: the workbench asks for a login again.
  await navigate(page, "header .who form[action='/logout'] button");
  await expectPath(page, /^\/login/);
  await open(page, "/");
  await expectPath(page, /^\/login\?next=/);

  // A deep link survives the login.
  await open(page, "/ledger");
  await expectPath(page, /^\/login\?next=%2Fledger$/);
  await page.fill('input[name="username"]', "auditor");
  await page.fill('input[name="password"]', PASSWORD);
  await navigate(page, "form.login-card button[type=submit]");
  await expectPath(page, /^\/ledger$/);
  await expectText(page, "main h2", "案件台账");
});

test("login-throttle", async (t) => {
  const page = t.page;
  const user = "clerk.s02"; // used by no other test
  await open(page, "/login");
  await expectText(page, ".login-card .hint", "连续5次密码错误后须稍候再试");
  for (let i = 1; i <= 5; i++) {
    await page.fill('input[name="username"]', user);
    await page.fill('input[name="password"]', `wrong-${i}`);
    await navigate(page, "form.login-card button[type=submit]");
    const msg = (await page.locator(".login-card .error").innerText()).trim();
    assertEq(msg, "用户名或密码错误", `message after wrong password ${i}: no lock, no hint of the account`);
  }
  // The next try from here must wait, even with the right password.
  await page.fill('input[name="username"]', user);
  await page.fill('input[name="password"]', PASSWORD);
  const resp = await navigate(page, "form.login-card button[type=submit]");
  assertEq(resp.status(), 429, "status of a throttled login");
  await expectPath(page, /^\/login/);
  const msg = (await page.locator(".login-card .error").innerText()).trim();
  assert(/登录失败次数过多/.test(msg), `a throttled login says to wait; message: ${msg}`);

  // The coordinator sees the limit on 用户管理 and lifts it.
  const admin = await newLoggedInPage(t, "coordinator");
  await open(admin, "/users");
  const row = admin.locator("tr", { hasText: user });
  await expectText(admin, "tr:has(td:text-is('clerk.s02')) .badge", "登录受限");
  await navigate(admin, `tr:has(td:text-is('${user}')) form[action$='/unlock'] button`);
  await expectPath(admin, /^\/users$/);
  assertEq(await row.locator("form[action$='/unlock']").count(), 0, "the unlock button is gone");
  await login(page, user);
});

test("register-case", async (t) => {
  const page = t.page;
  await login(page, "coordinator");
  await navigate(page, "nav.side a[href='/proceedings/new']");
  await expectPath(page, /^\/proceedings\/new$/);
  await expectText(page, "main h2", "登记案件");
  const live = page.locator("#field-case_no .live");

  // A civil case number is refused as it is typed, in red.
  const civil = "（2026）浙0624民初1号";
  let checked = checkOf(page, civil);
  await page.locator('input[name="case_no"]').pressSequentially(civil, { delay: 10 });
  await checked;
  await expectText(page, "#field-case_no .live.bad", /\S/);
  const bad = (await live.innerText()).trim();
  assert(!bad.startsWith("✓") && bad.includes("民初"), `a civil case number is refused by its type: ${bad}`);
  assertEq(await live.evaluate((e) => getComputedStyle(e).color), RED, "colour of the refusal");

  // A valid, unused administrative case number is confirmed.
  const caseNo = freshCaseNo("浙0624");
  checked = checkOf(page, caseNo);
  await page.fill('input[name="case_no"]', caseNo);
  await checked;
  await expectText(page, "#field-case_no .live.ok", "✓");
  const ok = (await live.innerText()).trim();
  assert(ok.includes("2026年") && ok.includes(`第${caseSeq}号`), `check message names year and number: ${ok}`);

  // The defendant is picked from the unit list: a township of the demo county.
  const defendant = await unitNamed(page, "城关镇");
  await page.fill('textarea[name="claimants"]', "张三\n李四");
  await page.fill('input[name="defendant"]', defendant);
  await page.fill('input[name="cause"]', "房屋征收补偿决定");

  // Without 领域 the form comes back with the message on that field and everything typed kept.
  const refused = await navigate(page, "form.entry .actions button[type=submit]");
  assertEq(refused.status(), 422, "status of a form without 领域");
  await expectText(page, "#field-domain .field-error", "领域不能为空");
  assertEq(await page.inputValue('textarea[name="claimants"]'), "张三\n李四", "claimants kept");
  assertEq(await page.inputValue('input[name="defendant"]'), defendant, "defendant kept");
  assertEq(await page.inputValue('input[name="case_no"]'), caseNo, "case number kept");
  await page.screenshot({ path: path.join(ARTIFACTS, "register-case-missing-domain.png"), fullPage: true });

  await page.selectOption('select[name="domain"]', { label: "征收拆迁" });
  await navigate(page, "form.entry .actions button[type=submit]");
  await expectPath(page, /^\/proceedings\/\d+\?msg=registered$/);
  await expectText(page, ".flash", "案件已登记");
  await expectText(page, "main h2", caseNo);
  assertEq(await fact(page, "领域"), "征收拆迁", "领域 on the case page");
  assertEq(await fact(page, "案由"), "房屋征收补偿决定", "案由 on the case page");
  const parties = await page.locator("table.grid").first().innerText();
  for (const p of ["张三", "李四", defendant]) assert(parties.includes(p), `party ${p} listed`);

  // The same number again is reported as registered, with a link to it.
  await open(page, "/proceedings/new");
  checked = checkOf(page, caseNo);
  await page.fill('input[name="case_no"]', caseNo);
  await checked;
  await expectText(page, "#field-case_no .live.bad", "已登记");
  await expectText(page, "#field-case_no .live a", "查看");
});

test("event-deadline", async (t) => {
  const page = t.page;
  await login(page, "coordinator");
  const defendant = await unitNamed(page, "城关镇");
  const clerk = await clerkOf(page, defendant);
  const { id, caseNo } = await registerCase(page, { defendant, claimants: ["赵六"] });
  await expectText(page, "#deadlines .empty", "尚无期限");

  const today = todayBeijing();
  await page.selectOption('#event-form select[name="kind"]', "complaint_copy_received");
  await page.fill('#event-form input[name="occurred_on"]', today);
  await navigate(page, "#event-form button[type=submit]");
  await expectPath(page, new RegExp(`^/proceedings/${id}\\?msg=event_added$`));
  await expectText(page, ".flash", "期限已自动计算");
  await expectText(page, "#events table", "收到起诉状副本");
  const row = await expectText(page, "#deadlines table tbody tr", "提交答辩状");
  const due = (await row.locator("td").nth(1).innerText()).trim();
  assert(/^\d{4}-\d{2}-\d{2}$/.test(due) && due > today, `due date after today: ${due}`);
  // The obligation names the unit that owes it.
  await expectText(page, "#deadlines table tbody tr td.owner", defendant);

  // The defendant's clerk finds it on their workbench.
  const other = await newLoggedInPage(t, clerk);
  await expectText(other, "main h2", "工作台");
  await expectText(other, "section.card h3", "本单位应履行");
  const mine = await expectText(other, "table.grid tbody tr", caseNo);
  const text = await mine.innerText();
  assert(text.includes("提交答辩状") && text.includes(due), `workbench row: ${text}`);
  await other.screenshot({ path: path.join(ARTIFACTS, "event-deadline-clerk.png"), fullPage: true });
  await navigate(other, `table.grid tbody tr a[href="/proceedings/${id}"]`);
  await expectText(other, "main h2", caseNo);
});

test("outcome", async (t) => {
  const page = t.page;
  await login(page, "coordinator");
  const defendant = await unitNamed(page, "北山镇");
  const { id } = await registerCase(page, { defendant, claimants: ["钱七"], domain: "行政处罚" });
  await expectText(page, "#outcomes .empty", "尚无结果");
  const form = "#outcome-form";
  await page.selectOption(`${form} select[name="party_id"]`, { label: defendant });
  await page.selectOption(`${form} select[name="code"]`, "revoke");
  await page.fill(`${form} input[name="decided_on"]`, todayBeijing());
  await page.check(`${form} input[name="grounds"][value="insufficient_evidence"]`);
  await navigate(page, `${form} button[type=submit]`);
  await expectPath(page, new RegExp(`^/proceedings/${id}\\?msg=outcome_added$`));
  await expectText(page, ".flash", "结果已登记");
  const row = await expectText(page, "#outcomes table tbody tr", "判决撤销");
  const cells = await row.locator("td").allInnerTexts();
  assertEq(cells[0], defendant, "outcome party");
  assertEq(cells[2], todayBeijing(), "outcome date");
  assertEq(cells[3], "主要证据不足", "loss ground");
  assertEq(cells[4], "败诉", "counted as a loss");
  // Each defendant has one outcome: the form is gone once all have one.
  await expectAbsent(page, form, "outcome form after the only defendant's outcome");
});

test("judgment-reading", async (t) => {
  const page = t.page;
  await login(page, "coordinator");
  const defendant = await unitNamed(page, "北山镇");
  const { id, caseNo } = await registerCase(page, { defendant, claimants: ["孙八"], domain: "行政处罚" });
  const form = "#reading-form";
  // Not a court document: refused on the page, what was pasted is kept.
  await page.fill(`${form} textarea[name="text"]`, "关于召开应诉工作会议的通知");
  await navigate(page, `${form} button[type=submit]`);
  await expectText(page, `${form} .field-error`, "未能识别为法院裁判文书");
  assertEq(await page.inputValue(`${form} textarea[name="text"]`), "关于召开应诉工作会议的通知", "pasted text kept");

  const judgment = [
    "浙江省某县人民法院",
    "行政判决书",
    caseNo,
    "原告孙八，男，1968年2月3日出生。",
    `被告${defendant}，住所地某县北山镇。`,
    `原告孙八不服被告${defendant}行政处罚一案，本院立案后依法审理。`,
    `本院认为，被告${defendant}作出处罚决定前未告知原告陈述、申辩的权利，违反法定程序。依照《中华人民共和国行政诉讼法》第七十条第（三）项之规定，判决如下：`,
    `撤销被告${defendant}作出的行政处罚决定。`,
    "案件受理费50元，由被告负担。",
    "审判长周九",
    "二〇二六年十一月二日",
  ].join("\n");
  await page.fill(`${form} textarea[name="text"]`, judgment);
  await navigate(page, `${form} button[type=submit]`);
  await expectPath(page, new RegExp(`^/proceedings/${id}\\?msg=reading_added$`));
  await expectText(page, ".flash", "裁判文书已识别");
  const reading = page.locator("#readings .reading").first();
  await expectText(page, "#readings .reading table.facts", "撤销");
  await expectText(page, "#readings .reading table.facts", "违反法定程序");
  const code = reading.locator("select[name^=code_]");
  assertEq(await code.inputValue(), "revoke", "proposed outcome");
  const partyId = (await code.getAttribute("name")).slice("code_".length);
  assert(await reading.locator(`input[name="grounds_${partyId}"][value="illegal_procedure"]`).isChecked(), "proposed cause checked");
  assertEq(await reading.locator(`input[name="decided_on_${partyId}"]`).inputValue(), "2026-11-02", "judgment date");

  // The clerk corrects: adds a cause, gives the date the judgment took effect.
  await reading.locator(`input[name="grounds_${partyId}"][value="passive_defence"]`).check();
  await reading.locator('input[name="effective_on"]').fill("2026-11-20");
  await navigate(page, "#readings .reading-form button[type=submit]");
  await expectText(page, ".flash", "识别结果已确认");
  const row = await expectText(page, "#outcomes table tbody tr", "判决撤销");
  const cells = await row.locator("td").allInnerTexts();
  assertEq(cells[3], "违反法定程序、消极应诉", "confirmed causes");
  assertEq(cells[4], "败诉", "counted as a loss");
  await expectText(page, "#readings .reading", "更正");
  const report = await expectText(page, "#deadlines table tbody tr", "报送败诉分析报告");
  assert((await report.innerText()).includes("2026-12-10"), `due 20 days after 2026-11-20: ${await report.innerText()}`);

  // The draft report downloads as Word.
  const link = reading.locator("a", { hasText: "败诉分析报告（草稿）" });
  const [download] = await Promise.all([page.waitForEvent("download", { timeout: TIMEOUT }), link.click()]);
  assert(download.suggestedFilename().endsWith(".docx"), `file name: ${download.suggestedFilename()}`);
  const file = await download.path();
  const head = fs.readFileSync(file).subarray(0, 2).toString("latin1");
  assertEq(head, "PK", "a .docx (zip) file");
});

test("clerk-denied", async (t) => {
  const page = t.page;
  await login(page, "coordinator");
  const mine = await unitNamed(page, "东城街道");
  const clerk = await clerkOf(page, mine);
  const defendant = await unitNamed(page, "青石镇");
  const { id, caseNo } = await registerCase(page, { defendant, claimants: ["孙八"] });

  const other = await newLoggedInPage(t, clerk);
  const resp = await open(other, `/proceedings/${id}`);
  assertEq(resp.status(), 404, `status of another unit's case for ${clerk}`);
  await expectText(other, ".error", "不存在，或您无权查看");
  const body = await other.content();
  assert(!body.includes(caseNo) && !body.includes("孙八"), "nothing of the case is shown");
  await other.screenshot({ path: path.join(ARTIFACTS, "clerk-denied-clerk.png"), fullPage: true });
  // Nor is it in the clerk's ledger.
  await open(other, `/ledger?case_no=${encodeURIComponent(caseNo)}`);
  await expectText(other, "main .card .empty", "没有符合条件的案件");

  // The refusal is in the audit log.
  await open(page, "/audit?action=denied");
  const row = await expectText(page, "table.grid tbody tr.denied", `/proceedings/${id}`);
  const text = await row.innerText();
  assert(text.includes("拒绝访问") && text.includes(clerk) && text.includes("404"), `audit row: ${text}`);
});

test("edit-conflict", async (t) => {
  const a = t.page;
  await login(a, "coordinator");
  const defendant = await unitNamed(a, "西城街道");
  const { id } = await registerCase(a, { defendant, cause: "原案由" });
  const b = await newLoggedInPage(t, "coordinator2");

  await open(a, `/proceedings/${id}/edit`);
  await open(b, `/proceedings/${id}/edit`);
  await expectText(a, "main h2", "修改程序信息");
  await expectText(b, "main h2", "修改程序信息");

  // A changes 案由 and saves.
  await a.fill('input[name="cause"]', "房屋征收补偿决定（甲）");
  await navigate(a, "form.entry .actions button[type=submit]");
  await expectText(a, ".flash", "程序信息已保存");

  // B, still on the old version, changes 受理机关 and 案由 differently: a conflict to merge.
  await b.fill('input[name="forum"]', "清河县人民法院");
  await b.fill('input[name="cause"]', "房屋强制拆除（乙）");
  const resp = await navigate(b, "form.entry .actions button[type=submit]");
  assertEq(resp.status(), 409, "status of a stale save");
  await expectText(b, "#conflict", "保存了修改");
  await expectText(b, "#conflict", "（coordinator） 于");
  await expectText(b, "#field-cause .theirs", "房屋征收补偿决定（甲）");
  assertEq(await b.inputValue('input[name="cause"]'), "房屋强制拆除（乙）", "B's 案由 kept in the form");
  assertEq(await b.inputValue('input[name="forum"]'), "清河县人民法院", "B's 受理机关 kept");
  await b.screenshot({ path: path.join(ARTIFACTS, "edit-conflict-notice.png"), fullPage: true });

  await b.click('button[data-take="cause"]');
  assertEq(await b.inputValue('input[name="cause"]'), "房屋征收补偿决定（甲）", "案由 after 采用对方的值");
  await navigate(b, "form.entry .actions button[type=submit]");
  await expectPath(b, new RegExp(`^/proceedings/${id}\\?msg=updated$`));
  await expectText(b, ".flash", "程序信息已保存");
  assertEq(await fact(b, "案由"), "房屋征收补偿决定（甲）", "案由 on the case page");
  assertEq(await fact(b, "受理机关"), "清河县人民法院", "受理机关 on the case page");

  // A sees both changes too.
  await open(a, `/proceedings/${id}`);
  assertEq(await fact(a, "案由"), "房屋征收补偿决定（甲）", "案由 seen by A");
  assertEq(await fact(a, "受理机关"), "清河县人民法院", "受理机关 seen by A");
});

test("leader-read-only", async (t) => {
  // A case with open deadlines, registered by the coordinator: what the leader may only read.
  const coord = await newLoggedInPage(t, "coordinator");
  const defendant = await unitNamed(coord, "南湖街道");
  const { id, caseNo } = await registerCase(coord, { defendant, claimants: ["吴九"] });
  await coord.selectOption('#event-form select[name="kind"]', "complaint_copy_received");
  await coord.fill('#event-form input[name="occurred_on"]', todayBeijing());
  await navigate(coord, "#event-form button[type=submit]");
  await expectText(coord, "#deadlines table tbody tr", "提交答辩状");
  await expectText(coord, "form[action$='/met'] button", "标记完成");

  const page = t.page;
  await login(page, "leader");
  assertEq(new URL(page.url()).pathname, "/cockpit", "the leader lands on 领导驾驶舱");
  await page.setViewportSize({ width: 1366, height: 768 });
  await expectText(page, "#rates", "败诉率");
  await expectText(page, "#late-units h3", "各单位逾期义务");
  await page.screenshot({ path: path.join(ARTIFACTS, "leader-cockpit-1366x768.png") });
  await expectText(page, "header .who", "县领导");
  await expectAbsent(page, "nav.side a[href='/proceedings/new']", "登记案件 in the leader's menu");
  await open(page, `/ledger?case_no=${encodeURIComponent(caseNo)}`);
  await navigate(page, `table.grid tbody tr td a[href="/proceedings/${id}"]`);
  await expectText(page, "main h2", caseNo);
  await expectText(page, "#deadlines table tbody tr", "提交答辩状");
  await expectText(page, "#events table", "收到起诉状副本");
  await expectAbsent(page, "a[href$='/edit']", "修改信息 link");
  await expectAbsent(page, ".toolbar a", "toolbar links");
  await expectAbsent(page, "#event-form", "event form");
  await expectAbsent(page, "#outcome-form", "outcome form");
  await expectAbsent(page, "#hearing-form", "hearing form");
  await expectAbsent(page, "form[action$='/met']", "标记完成 forms");
  await page.screenshot({ path: path.join(ARTIFACTS, "leader-read-only-case.png"), fullPage: true });

  // A hand-made post of the event form, with the leader's own token, is refused by the server.
  const posted = await page.evaluate(async ({ id, today }) => {
    const csrf = document.querySelector('header form[action="/logout"] input[name="csrf"]').value;
    const body = new URLSearchParams({ csrf, kind: "complaint_copy_received", occurred_on: today });
    const r = await fetch(`/proceedings/${id}/events`, { method: "POST", body, redirect: "manual" });
    return { status: r.status, text: await r.text() };
  }, { id, today: todayBeijing() });
  assertEq(posted.status, 403, `status of an event posted by the leader (${posted.text.slice(0, 200)})`);

  const resp = await open(page, "/proceedings/new");
  assertEq(resp.status(), 403, "status of /proceedings/new for a leader");
  await expectText(page, ".error", "不能登记案件");
  await expectAbsent(page, "form.entry", "register form");
  const edit = await open(page, `/proceedings/${id}/edit`);
  assertEq(edit.status(), 403, "status of the edit form for a leader");
});

test("dashboard", async (t) => {
  // The leader reads the figures of a year: cards with formula and year-on-year, charts, ranking.
  const page = t.page;
  await login(page, "leader");
  await navigate(page, "nav.side a[href='/stats']");
  await expectText(page, "main h2", "统计分析");
  await page.selectOption('#period-form select[name="period"]', "year");
  await page.fill('#period-form input[name="year"]', "2025");
  await navigate(page, "#period-form button[type=submit]");
  await expectText(page, "main h2 small", "2025年");
  const card = await expectText(page, ".stat-card", "一审收案");
  const value = (await card.locator(".stat-value").innerText()).trim();
  assert(/^\d+$/.test(value) && Number(value) > 0, `一审收案 of 2025 is a positive count (${value})`);
  await expectText(page, ".stat-card", /同比/);
  const charts = await page.locator(".chart-box svg").count();
  assert(charts >= 4, `four charts, found ${charts}`);
  const width = await page.locator(".chart-box svg").first().evaluate((e) => e.getBoundingClientRect().width);
  assert(width > 400, `chart drawn at a readable width (${width})`);
  await expectText(page, "#assessment tbody tr", /\d/);
  // Print: menu and forms hidden, charts kept.
  await page.emulateMedia({ media: "print" });
  assert(!(await page.locator("nav.side").isVisible()), "menu hidden when printed");
  assert(await page.locator(".chart-box svg").first().isVisible(), "charts printed");
  await page.emulateMedia({ media: "screen" });
  // Drill down from the figure to the cases behind it.
  await navigate(page, ".stat-card:has-text('一审收案') .stat-value a");
  await expectText(page, "#drill-count", `共 ${value} 件`);
  await expectText(page, "main h2", "一审收案");
  // The Excel export is a real workbook.
  await page.goBack();
  const xlsx = await page.evaluate(async () => {
    const a = document.querySelector("#stats-export");
    const r = await fetch(a.href);
    const b = new Uint8Array(await r.arrayBuffer());
    return { status: r.status, type: r.headers.get("content-type"), zip: b[0] === 0x50 && b[1] === 0x4b, size: b.length };
  });
  assertEq(xlsx.status, 200, "export status");
  assert(xlsx.zip && xlsx.size > 3000 && xlsx.type.includes("spreadsheetml"), `an xlsx file (${JSON.stringify(xlsx)})`);
  await expectAbsent(page, "#publish-form", "publish form for a leader");

  // The bureau publishes the quarter; the published page lists corrections (none yet).
  const coord = await newLoggedInPage(t, "coordinator");
  await open(coord, "/stats?period=quarter&year=2025&n=2");
  if (await coord.locator("#publish-form").count()) {
    coord.removeAllListeners("dialog");
    coord.on("dialog", (d) => d.accept().catch(() => {}));
    await navigate(coord, "#publish-form button[type=submit]");
  } else {
    await navigate(coord, "a[href^='/stats/snapshots/']");
  }
  await expectText(coord, "main h2", "2025年第2季度");
  await expectText(coord, "#corrections", "发布后的更正");
  // The quarterly circular of the published quarter is a real Word file.
  const docx = await coord.evaluate(async () => {
    const a = document.querySelector("#circular-docx");
    const r = await fetch(a.href);
    const b = new Uint8Array(await r.arrayBuffer());
    return { status: r.status, type: r.headers.get("content-type"), zip: b[0] === 0x50 && b[1] === 0x4b, size: b.length };
  });
  assertEq(docx.status, 200, "circular status");
  assert(docx.zip && docx.size > 3000 && docx.type.includes("wordprocessingml"), `a docx file (${JSON.stringify(docx)})`);
});

test("import", async (t) => {
  // The bureau checks a ledger (every bad row listed, nothing written), then imports it; a
  // second import of the same file updates instead of duplicating.
  const page = await newLoggedInPage(t, "coordinator");
  await navigate(page, "nav.side a[href='/import']");
  await expectText(page, "main h2", "导入台账");
  const caseNo = freshCaseNo();
  const head = "程序类型,案号,收案时间,原告姓名,应诉机关,行政管理类别\n";
  const file = (body) => ({ name: "台账.csv", mimeType: "text/csv", buffer: Buffer.from(head + body) });
  await page.setInputFiles("#import-file", file(`一审,${caseNo},2026-13-01,王小明,不存在局,征收拆迁\n`));
  await navigate(page, "#import-form button[value=check]");
  await expectText(page, "#import-problems", "第2行");
  await expectText(page, "#import-problems", "不存在局");
  page.removeAllListeners("dialog");
  page.on("dialog", (d) => d.accept().catch(() => {}));
  const good = file(`一审,${caseNo},2026-03-05,王小明,清河县公安局,征收拆迁\n`);
  await page.setInputFiles("#import-file", good);
  await navigate(page, "#import-form button[value=import]");
  await expectText(page, "#import-summary", "新增 1 件");
  await page.setInputFiles("#import-file", good);
  await navigate(page, "#import-form button[value=import]");
  await expectText(page, "#import-summary", "更新 1 件");
});

test("filing-package", async (t) => {
  // 象山's full-process filing: the unit submits its package, the bureau returns it, the unit
  // resubmits, the bureau accepts; met on the submission date; the forward obligation appears.
  const coord = t.page;
  await login(coord, "coordinator");
  // 象山's filing rules together with 新昌's mediation rules.
  await open(coord, "/rules");
  await coord.check('#shipped-sets input[value="local-xiangshan"]');
  await coord.check('#shipped-sets input[value="local-xinchang"]');
  coord.removeAllListeners("dialog");
  coord.on("dialog", (d) => d.accept().catch(() => {}));
  await navigate(coord, "#edit button[type=submit]");
  await expectText(coord, "#precedence", "象山县全过程备案替换了工作要求的同名规则");
  await expectText(coord, "table.grid tbody tr", "回复调解函");
  const defendant = await unitNamed(coord, "白沙镇");
  const clerk = await clerkOf(coord, defendant);
  const today = todayBeijing();
  // Registering with the receipt date shows the deadlines at once.
  const { id, caseNo } = await registerCase(coord, { defendant, claimants: ["冯九"], receivedOn: today });
  await expectText(coord, "#deadlines table tbody tr", "提交答辩状");
  const filingRow = await expectText(coord, "#deadlines table tbody tr", "报司法局备案");
  assert((await filingRow.innerText()).includes("须报送"), "the filing row says a submission is required");

  // The clerk submits the package from the workbench with three files.
  const unit = await newLoggedInPage(t, clerk);
  await navigate(unit, `table.grid tbody tr:has-text("${caseNo}") a:has-text("报司法局备案")`);
  await expectText(unit, "#requirement", "证据清单");
  const pdf = (name) => ({ name, mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n1 0 obj << >> endobj\ntrailer\n%%EOF\n") });
  await unit.setInputFiles('#submit input[name="file_complaint"]', pdf("起诉状副本.pdf"));
  await unit.setInputFiles('#submit input[name="file_answer"]', pdf("答辩状.pdf"));
  await unit.setInputFiles('#submit input[name="file_evidence_list"]', pdf("证据清单.pdf"));
  await navigate(unit, "#submit button[type=submit]");
  await expectText(unit, ".flash", "等待司法局审核");
  await expectText(unit, "#submissions tbody tr", "待审核");
  const obligationUrl = new URL(unit.url()).pathname;

  // The bureau finds it in its review queue and returns it with the reason.
  await open(coord, "/");
  await navigate(coord, `#to-review tr:has-text("${caseNo}") a`);
  await coord.fill('#review textarea[name="reason"]', "证据清单缺少证据来源");
  await navigate(coord, '#review button[value="return"]');
  await expectText(coord, ".flash", "已退回");
  await expectText(coord, "#submissions tbody tr", "证据清单缺少证据来源");

  // The clerk sees the return on the workbench, and resubmits a corrected list.
  await open(unit, "/");
  await navigate(unit, `#returned tr:has-text("${caseNo}") a`);
  await expectText(unit, "#submit h3", "重新报送");
  await unit.setInputFiles('#submit input[name="file_evidence_list"]', pdf("证据清单（补正）.pdf"));
  await navigate(unit, "#submit button[type=submit]");
  await expectText(unit, ".flash", "等待司法局审核");
  const second = await unit.locator("#submissions tbody tr").first().innerText();
  assert(second.includes("证据清单（补正）.pdf") && (second.match(/证据清单：/g) || []).length === 1, `the new list replaces the old one: ${second}`);
  await unit.screenshot({ path: path.join(ARTIFACTS, "filing-package-unit.png"), fullPage: true });

  // The bureau accepts: met on the submission date; its own forward obligation appears.
  await open(coord, obligationUrl);
  await navigate(coord, '#review button[value="accept"]');
  await expectText(coord, ".flash", "按报送日期完成");
  await expectText(coord, "#state", "按期完成");
  await expectText(coord, "#obligation", `完成于 ${today}`);
  const seqs = await coord.locator("#submissions tbody tr td:first-child").allInnerTexts();
  assertEq(seqs.join(","), "第2次,第1次", "both versions are kept");
  await open(coord, `/proceedings/${id}`);
  await expectText(coord, "#deadlines table tbody tr", "司法局报送分管副县长");
  await expectText(coord, "#events table", "应诉材料报司法局备案");
  // Back to the statutory rules for the tests that follow.
  await open(coord, "/rules");
  await coord.uncheck('#shipped-sets input[value="local-xiangshan"]');
  await coord.uncheck('#shipped-sets input[value="local-xinchang"]');
  await coord.fill('#edit textarea[name="toml"]', "");
  await navigate(coord, "#edit button[type=submit]");
});

test("messages", async (t) => {
  // 消息中心: a new case tells the owing unit's clerk (unread count in the top bar); opening the
  // message marks it read and goes to the obligation; 通知设置 keeps e-mail and mobile (a bad
  // number is refused in Chinese); the bureau edits the sending rules and adds a gateway.
  const coord = t.page;
  await login(coord, "coordinator");
  const defendant = await unitNamed(coord, "城关镇");
  const clerk = await clerkOf(coord, defendant);
  const { caseNo } = await registerCase(coord, { defendant, claimants: ["秦十"], receivedOn: todayBeijing() });

  const unit = await newLoggedInPage(t, clerk);
  const badge = await expectText(unit, "#inbox .badge", /\d+/);
  const before = Number(await badge.innerText());
  assert(before >= 1, `unread count ${before}`);
  await navigate(unit, "#inbox");
  const item = await expectText(unit, "#messages li.unread", caseNo);
  assert((await item.innerText()).includes("新的报送事项"), "the kind is named");
  await navigate(unit, `#messages li.unread:has-text("${caseNo}") button.msg-title`);
  await expectPath(unit, /^\/deadlines\/\d+$/);
  await expectText(unit, "#inbox", "消息");
  const after = (await unit.locator("#inbox .badge").count()) ? Number(await unit.locator("#inbox .badge").innerText()) : 0;
  assertEq(after, before - 1, "one message fewer unread");
  await open(unit, "/messages?unread=1");
  await expectAbsent(unit, `#messages li:has-text("${caseNo}")`, "the opened message is read");

  await open(unit, "/messages/settings");
  await unit.fill('#prefs input[name="email"]', `${clerk}@example.gov.cn`);
  await unit.fill('#prefs input[name="mobile"]', "1380000");
  await navigate(unit, "#prefs button[type=submit]");
  await expectText(unit, "#errors", "应为 11 位数字");
  await unit.fill('#prefs input[name="mobile"]', "13800138000");
  await unit.check('#prefs input[name="ch_hearing_tomorrow"][value="im"]');
  await navigate(unit, "#prefs button[type=submit]");
  await expectText(unit, "#saved", "通知设置已保存");
  assertEq(await unit.inputValue('#prefs input[name="mobile"]'), "13800138000", "mobile kept");
  await unit.screenshot({ path: path.join(ARTIFACTS, "messages-settings.png"), fullPage: true });

  await open(coord, "/notifications");
  await coord.fill('#rules input[name="due_before"]', "5、3、1");
  await navigate(coord, "#rules button[type=submit]");
  await expectText(coord, "#saved", "提醒规则已保存");
  assertEq(await coord.inputValue('#rules input[name="due_before"]'), "5、3、1", "rules saved");
  await coord.fill('#new-gateway input[name="name"]', "县短信平台");
  await coord.fill('#new-gateway input[name="url"]', "ftp://10.0.0.1/sms");
  await coord.fill('#new-gateway textarea[name="body_template"]', '{"mobile":"{{mobile}}","content":"{{text}}"}');
  await coord.selectOption('#new-gateway select[name="kind"]', "wecom");
  await coord.selectOption('#new-gateway select[name="method"]', "PUT");
  await navigate(coord, "#new-gateway button[type=submit]");
  await expectText(coord, "#errors", "接口地址应以 http:// 或 https:// 开头");
  assertEq(await coord.inputValue('#new-gateway input[name="name"]'), "县短信平台", "what was typed is kept");
  assertEq(await coord.inputValue('#new-gateway select[name="kind"]'), "wecom", "the kind chosen is kept");
  assertEq(await coord.inputValue('#new-gateway select[name="method"]'), "PUT", "the method chosen is kept");
  await coord.fill('#new-gateway input[name="url"]', "http://10.0.0.1/sms");
  await navigate(coord, "#new-gateway button[type=submit]");
  await expectText(coord, "#saved", "消息接口已保存");
  await expectText(coord, "#gateways h4", "县短信平台");
  // Back to the shipped rules for the tests that follow.
  await coord.fill('#rules input[name="due_before"]', "3、1");
  await navigate(coord, "#rules button[type=submit]");
});

test("appearance-duty", async (t) => {
  // 负责人出庭: the summons is recorded; the bureau marks the case 社会高度关注 (so the 正职 must
  // appear); the unit's clerk sees the duty on the workbench and files the plan, which submits
  // 象山's 出庭人员名单; the day before, the reminder names the planned head (the clock's work
  // run at 16:30 with `huajie tick --at`); only the lawyer appears: flagged on the case and on
  // the bureau's 出庭问题.
  const coord = t.page;
  await login(coord, "coordinator");
  await open(coord, "/rules");
  await coord.check('#shipped-sets input[value="local-xiangshan"]');
  coord.removeAllListeners("dialog");
  coord.on("dialog", (d) => d.accept().catch(() => {}));
  await navigate(coord, "#edit button[type=submit]");
  const defendant = await unitNamed(coord, "城关镇");
  const clerk = await clerkOf(coord, defendant);
  const today = todayBeijing();
  const { id, caseNo } = await registerCase(coord, { defendant, claimants: ["韩十一"] });
  await coord.selectOption('#event-form select[name="kind"]', "summons_received");
  await coord.fill('#event-form input[name="occurred_on"]', today);
  await navigate(coord, "#event-form button[type=submit]");
  await expectText(coord, "#deadlines table tbody tr", "报送出庭人员名单");
  const tomorrow = new Date(Date.parse(`${today}T12:00:00+08:00`) + 86_400_000).toISOString().slice(0, 10);
  await coord.fill('#hearing-form input[name="scheduled_at"]', `${tomorrow}T09:30`);
  await coord.fill('#hearing-form input[name="place"]', "第二法庭");
  await navigate(coord, "#hearing-form button[type=submit]");
  await expectText(coord, "#duties tbody tr", "单位负责人（正职、副职或分管负责人）");
  await coord.locator("#appearance details summary", { hasText: "认定案件情形" }).click();
  await coord.check('#case-flags-form input[value="high_attention"]');
  await navigate(coord, "#case-flags-form button[type=submit]");
  await expectText(coord, ".flash", "案件情形已保存");
  await expectText(coord, "#duties tbody tr", "单位正职负责人");
  await expectText(coord, "#duties tbody tr", "社会高度关注");

  // The clerk: the duty on the workbench, the plan on the case page.
  const unit = await newLoggedInPage(t, clerk);
  const duty = await expectText(unit, "#duties tbody tr", caseNo);
  assert((await duty.innerText()).includes("未报送"), "no plan yet");
  await navigate(unit, `#duties tbody tr:has-text("${caseNo}") a`);
  const form = unit.locator("#duties form.plan-form").first();
  await unit.locator("#duties details summary").first().click();
  await navigate(unit, "#duties form.plan-form button[type=submit]");
  await expectText(unit, ".field-error", "不能只委托律师出庭");
  // The refused form comes back open, with what was typed.
  const principal = await form.locator('select[name="head_id"] option', { hasText: "正职" }).first().getAttribute("value");
  assert(principal, "the unit has a 正职 among its heads");
  await form.locator('select[name="head_id"]').selectOption(principal);
  await form.locator('textarea[name="agents"]').fill("周律师 城关律师事务所");
  await navigate(unit, "#duties form.plan-form button[type=submit]");
  await expectText(unit, ".flash", "出庭人员名单已报送");
  const planned = await expectText(unit, "#duties tbody tr", "委托代理人：周律师");
  const head = (await planned.innerText()).split("（")[0].trim().split(/\s+/).pop();
  await expectText(unit, "#deadlines table tbody tr", "待审核");

  // The day before at 16:30: the reminder, naming the head.
  const out = execFileSync(process.env.HUAJIE_TEST_BIN, ["-d", process.env.HUAJIE_TEST_DB, "tick", "--at", `${today} 16:30`], { encoding: "utf8" });
  assert(/明日开庭 [1-9]/.test(out), `tick wrote the hearing reminder: ${out}`);
  await open(unit, "/messages?kind=hearing_tomorrow");
  const reminder = await expectText(unit, "#messages li", caseNo);
  assert((await reminder.innerText()).includes("出庭负责人"), `the reminder names the head: ${await reminder.innerText()}`);
  await unit.screenshot({ path: path.join(ARTIFACTS, "appearance-duty-reminder.png"), fullPage: true });

  // The hearing: only the lawyer came.
  await open(coord, `/proceedings/${id}`);
  const hearing = coord.locator("#hearings .hearing").first();
  await hearing.locator("details summary", { hasText: "登记出庭人员" }).click();
  const af = hearing.locator("form.appearance-form");
  await af.locator('select[name="unit_id"]').selectOption({ label: defendant });
  await af.locator('input[name="person_name"]').fill("周律师");
  await af.locator('select[name="level"]').selectOption("lawyer");
  await navigate(coord, "#hearings form.appearance-form button[type=submit]");
  await expectText(coord, "#duties tbody tr", "仅委托律师出庭");
  await expectText(coord, "#duties tbody tr", "负责人未出庭");
  await open(coord, `/appearance-problems?to=${tomorrow}`);
  await expectText(coord, "#appearance-problems tbody tr", caseNo);
  await coord.screenshot({ path: path.join(ARTIFACTS, "appearance-duty-problems.png"), fullPage: true });
  // Back to the statutory rules for the tests that follow.
  await open(coord, "/rules");
  await coord.uncheck('#shipped-sets input[value="local-xiangshan"]');
  await coord.fill('#edit textarea[name="toml"]', "");
  await navigate(coord, "#edit button[type=submit]");
  await coord.screenshot({ path: path.join(ARTIFACTS, "appearance-duty-rules.png"), fullPage: true });
  await expectAbsent(coord, '#shipped-sets input[value="local-xiangshan"]:checked', "象山's rules switched off again");
});

test("supervision-order", async (t) => {
  // A 督办单 about a problem, addressed to two units: each owes its own half-monthly progress
  // report; one unit submits from its workbench, the bureau accepts; 销号 ends what falls due later.
  const coord = t.page;
  await login(coord, "coordinator");
  const first = await unitNamed(coord, "白沙镇");
  await open(coord, "/work-items");
  const names = await coord.locator('select[name="unit_ids"] option').evaluateAll((os) => os.map((o) => o.textContent.trim()));
  assert(!names.some((n) => n.endsWith("司法局")), "the bureau is not offered as an addressee");
  const second = names.find((n) => n !== first && n.endsWith("局"));
  assert(names.includes(first) && second, `units offered: ${names.join("、")}`);
  const title = `关于${first}信访积案化解的督办单${Date.now() % 100000}`;
  await coord.selectOption('#new-work-item select[name="kind"]', { label: "督办单" });
  await coord.fill('#new-work-item input[name="title"]', title);
  await coord.selectOption('#new-work-item select[name="unit_ids"]', [{ label: first }, { label: second }]);
  await coord.fill('#new-work-item textarea[name="note"]', "请每半月报送办理进展");
  await navigate(coord, "#new-work-item button[type=submit]");
  await expectText(coord, ".flash", "已交办");
  await expectText(coord, "#status", "办理中");
  const rows = coord.locator("#obligations tbody tr");
  assertEq(await rows.count(), 2, "one progress report per unit");
  await expectText(coord, "#obligations tbody tr", first);
  await expectText(coord, "#obligations tbody tr", second);
  await expectText(coord, "#obligations", "报送督办事项办理进展（第1期）");
  const itemUrl = new URL(coord.url()).pathname;

  // The clerk of the first unit finds it among its own work and submits its progress.
  const clerk = await clerkOf(coord, first);
  const unit = await newLoggedInPage(t, clerk);
  await navigate(unit, `#mine tr:has-text("${title}") a:has-text("办理进展")`);
  await expectText(unit, "#requirement", "办理进展");
  await unit.fill('#submit textarea[name="field:办理进展"]', "已约谈信访人，达成初步意向");
  await unit.fill('#submit textarea[name="field:下一步措施"]', "本月内签订协议");
  await navigate(unit, "#submit button[type=submit]");
  await expectText(unit, ".flash", "等待司法局审核");
  const obligationUrl = new URL(unit.url()).pathname;
  await unit.screenshot({ path: path.join(ARTIFACTS, "supervision-order-unit.png"), fullPage: true });

  // The bureau accepts it: met on the submission date.
  await open(coord, obligationUrl);
  await navigate(coord, '#review button[value="accept"]');
  await expectText(coord, "#state", "按期完成");

  // 销号: the first unit's met report stays, the second unit's open one is no longer owed.
  await open(coord, itemUrl);
  await coord.fill('#close textarea[name="reason"]', "协议已签订，信访人息诉罢访");
  coord.removeAllListeners("dialog");
  coord.on("dialog", (d) => d.accept().catch(() => {}));
  await navigate(coord, "#close button[type=submit]");
  await expectText(coord, ".flash", "已销号");
  await expectText(coord, "#status", "已销号");
  await expectText(coord, "#closed", "协议已签订");
  assertEq(await coord.locator("#obligations tbody tr").count(), 1, "only the met report stays");
  await expectText(coord, "#obligations tbody tr", first);
  await expectText(coord, "#events", "销号");
  await coord.screenshot({ path: path.join(ARTIFACTS, "supervision-order-closed.png"), fullPage: true });
  await open(coord, "/work-items?status=closed");
  await expectText(coord, "#work-items", title);
});

test("risk-warning", async (t) => {
  // 红黄蓝 risk warning: the court sends a 预警函 from the case page → the bureau assigns it to the
  // defendant unit with its 正职 as 包案 leader → the unit submits its risk analysis report →
  // returned once, then accepted → the warning closes with the result.
  const coord = t.page;
  await login(coord, "coordinator");
  const defendant = await unitNamed(coord, "白沙镇");
  const { id, caseNo } = await registerCase(coord, { defendant, claimants: ["周一", "周二"] });

  const court = await newLoggedInPage(t, "court");
  await open(court, `/proceedings/${id}`);
  await court.locator("#warnings details summary").click();
  await court.selectOption('#warning-form select[name="grade"]', "red");
  await court.fill('#warning-form textarea[name="reasons"]', "征收补偿标准适用不当，原告情绪激烈，败诉风险高");
  await navigate(court, "#warning-form button[type=submit]");
  await expectText(court, ".flash", "风险预警已发出");
  await expectText(court, "#warnings table", "红色预警");
  await court.screenshot({ path: path.join(ARTIFACTS, "risk-warning-sent.png"), fullPage: true });

  // The bureau assigns it: the defendant is preselected; the 正职 leads a red warning.
  await open(coord, "/warnings?state=reported");
  await expectText(coord, "#warning-tiles", "未销号红色预警");
  await navigate(coord, `#warnings tr:has-text("${caseNo}") td a >> nth=0`);
  await expectText(coord, "#state", "待交办");
  const principal = await coord.locator('#assign select[name="lead_head_id"] option', { hasText: "正职" }).first().getAttribute("value");
  assert(principal, "the defendant unit has a 正职 among its heads");
  await coord.selectOption('#assign select[name="lead_head_id"]', principal);
  await coord.fill('#assign textarea[name="note"]', "请主要负责人亲自研究");
  await navigate(coord, "#assign button[type=submit]");
  await expectText(coord, ".flash", "已交办");
  await expectText(coord, "#obligations", "报送败诉风险分析报告");
  const warningUrl = new URL(coord.url()).pathname;

  // The unit's clerk submits the report from the case's deadlines.
  const clerk = await clerkOf(coord, defendant);
  const unit = await newLoggedInPage(t, clerk);
  await open(unit, `/proceedings/${id}`);
  await navigate(unit, '#deadlines a:has-text("报送败诉风险分析报告")');
  const sections = ["案件基本情况", "败诉风险点分析", "下一步工作措施", "争议化解方案"];
  for (const f of sections) await unit.fill(`#submit textarea[name="field:${f}"]`, `${f}：见附件`);
  await navigate(unit, "#submit button[type=submit]");
  await expectText(unit, ".flash", "等待司法局审核");
  const obligationUrl = new URL(unit.url()).pathname;

  // Returned once with the reason, then accepted.
  await open(coord, obligationUrl);
  await coord.fill('#review textarea[name="reason"]', "争议化解方案不具体，请写明补偿差额");
  await navigate(coord, '#review button[value="return"]');
  await open(unit, obligationUrl);
  for (const f of sections) await unit.fill(`#submit textarea[name="field:${f}"]`, `${f}：已补正`);
  await navigate(unit, "#submit button[type=submit]");
  await expectText(unit, ".flash", "等待司法局审核");
  await open(coord, obligationUrl);
  await navigate(coord, '#review button[value="accept"]');
  await expectText(coord, "#state", "按期完成");

  // 销号 with the result.
  await open(coord, warningUrl);
  await coord.selectOption('#close select[name="result"]', "mediated");
  await coord.fill('#close textarea[name="note"]', "诉前调解达成补偿协议");
  coord.removeAllListeners("dialog");
  coord.on("dialog", (d) => d.accept().catch(() => {}));
  await navigate(coord, "#close button[type=submit]");
  await expectText(coord, ".flash", "已销号");
  await expectText(coord, "#result", "调解化解");
  await expectText(coord, "#history", "销号");
  await coord.screenshot({ path: path.join(ARTIFACTS, "risk-warning-closed.png"), fullPage: true });
});

test("co-defendants", async (t) => {
  // Two co-defendants owe independent obligations; only the one that lost owes the loss report.
  const page = t.page;
  await login(page, "coordinator");
  const a = await unitNamed(page, "桃源乡");
  const b = await unitNamed(page, "松岭乡");
  const { id } = await registerCase(page, { defendant: a, coDefendants: [b], claimants: ["陈十"], receivedOn: todayBeijing() });
  const answers = page.locator("#deadlines table tbody tr", { hasText: "提交答辩状" });
  assertEq(await answers.count(), 2, "one answer obligation per defendant");
  const owners = (await answers.locator("td.owner").allInnerTexts()).sort();
  assertEq(owners.join("|"), [a, b].sort().join("|"), "each names its unit");

  // A loses, B wins; the judgment takes effect.
  for (const [unit, code] of [[a, "revoke"], [b, "reject_claims"]]) {
    await page.selectOption('#outcome-form select[name="party_id"]', { label: unit });
    await page.selectOption('#outcome-form select[name="code"]', code);
    await page.fill('#outcome-form input[name="decided_on"]', todayBeijing());
    await navigate(page, "#outcome-form button[type=submit]");
    await expectText(page, ".flash", "结果已登记");
  }
  await page.selectOption('#event-form select[name="kind"]', "judgment_effective");
  await page.fill('#event-form input[name="occurred_on"]', todayBeijing());
  await navigate(page, "#event-form button[type=submit]");
  const reports = page.locator("#deadlines table tbody tr", { hasText: "败诉分析报告" });
  assertEq(await reports.count(), 1, "one loss report");
  assertEq((await reports.locator("td.owner").innerText()).trim(), a, "owed by the unit that lost");
  await page.screenshot({ path: path.join(ARTIFACTS, "co-defendants-case.png"), fullPage: true });

  // 凡败必报 lists the loss with its report.
  await open(page, "/losses");
  const row = await expectText(page, "#losses tbody tr", a);
  assert((await row.innerText()).includes("败诉分析报告"), "the loss line names its report");
  assert(id > 0);
});

test("correction-request", async (t) => {
  // A unit cannot bend the outcome the bureau recorded: it asks; the bureau refuses one request
  // and approves the next; the loss leaves 凡败必报 only on approval.
  const coord = t.page;
  await login(coord, "coordinator");
  const defendant = await unitNamed(coord, "马鞍山镇");
  const clerk = await clerkOf(coord, defendant);
  const { id, caseNo } = await registerCase(coord, { defendant, claimants: ["何十一"] });
  await coord.selectOption('#outcome-form select[name="party_id"]', { label: defendant });
  await coord.selectOption('#outcome-form select[name="code"]', "revoke");
  await coord.fill('#outcome-form input[name="decided_on"]', todayBeijing());
  await navigate(coord, "#outcome-form button[type=submit]");
  await expectText(coord, "#outcomes table tbody tr", "司法局登记");
  const inLosses = async () => {
    await open(coord, "/losses");
    return (await coord.locator("#losses tbody tr", { hasText: caseNo }).count()) > 0;
  };
  assert(await inLosses(), "the loss is listed in 凡败必报");

  const unit = await newLoggedInPage(t, clerk);
  await open(unit, `/proceedings/${id}`);
  await unit.selectOption('#document-form select[name="kind"]', "judgment");
  await unit.setInputFiles('#document-form input[name="file"]', { name: "二审判决书.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n1 0 obj << >> endobj\ntrailer\n%%EOF\n") });
  await navigate(unit, "#document-form button[type=submit]");
  const ask = async (reason) => {
    await open(unit, `/proceedings/${id}`);
    await unit.click("tr.correction-form summary");
    await unit.selectOption('tr.correction-form select[name="code"]', "reject_claims");
    await unit.fill('tr.correction-form textarea[name="reason"]', reason);
    await unit.selectOption('tr.correction-form select[name="document_id"]', { index: 1 });
    await navigate(unit, "tr.correction-form button[type=submit]");
    await expectText(unit, ".flash", "司法局批准前结果和统计不变");
  };
  await ask("二审改判");
  await expectText(unit, "#outcomes table tbody tr", "判决撤销");

  // The bureau finds it on the workbench and refuses it with a reason: nothing changes.
  await open(coord, "/");
  await navigate(coord, `#corrections tr:has-text("${caseNo}") a`);
  await coord.fill('#outcomes form[action^="/corrections/"] textarea[name="reason"]', "所附文书不能证明改判");
  await navigate(coord, '#outcomes form[action^="/corrections/"] button[value="refuse"]');
  await expectText(coord, "#outcomes", "已驳回");
  await expectText(coord, "#outcomes table tbody tr", "判决撤销");
  assert(await inLosses(), "a refused request leaves the loss counted");

  // Asked again and approved: the outcome and the figures change.
  await ask("附二审判决书，已改判驳回诉讼请求");
  await open(coord, `/proceedings/${id}`);
  await navigate(coord, '#outcomes form[action^="/corrections/"] button[value="approve"]');
  await expectText(coord, ".flash", "更正申请已审批");
  await expectText(coord, "#outcomes table tbody tr", "判决驳回诉讼请求");
  await coord.screenshot({ path: path.join(ARTIFACTS, "correction-request-case.png"), fullPage: true });
  assert(!(await inLosses()), "after approval the case is no longer a loss");
});

test("corrections", async (t) => {
  // Correcting a hearing and withdrawing an event, each with its reason in the case history.
  const page = t.page;
  await login(page, "coordinator");
  page.removeAllListeners("dialog");
  page.on("dialog", (d) => d.accept().catch(() => {}));
  const defendant = await unitNamed(page, "石门乡");
  const { id } = await registerCase(page, { defendant, claimants: ["卫十二"] });
  await page.fill('#hearing-form input[name="scheduled_at"]', `${todayBeijing()}T09:30`);
  await page.fill('#hearing-form input[name="place"]', "第一法庭");
  await navigate(page, "#hearing-form button[type=submit]");
  await page.selectOption('#event-form select[name="kind"]', "complaint_copy_received");
  await page.fill('#event-form input[name="occurred_on"]', todayBeijing());
  await navigate(page, "#event-form button[type=submit]");
  await expectText(page, "#deadlines table tbody tr", "提交答辩状");

  // The hearing moves to another court room; the reason is required and kept.
  await page.locator("#hearings details.correct summary").first().click();
  const reasonBox = page.locator('#hearings details.correct input[name="reason"]').first();
  assert(await reasonBox.evaluate((e) => e.required), "the reason is required by the form");
  await page.locator('#hearings details.correct input[name="place"]').first().fill("第三法庭");
  await page.locator('#hearings details.correct input[name="reason"]').first().fill("法院通知更换法庭");
  await navigate(page, "#hearings details.correct button[type=submit]");
  await expectText(page, ".flash", "原因已记入修改记录");
  await expectText(page, "#hearings .hearing", "第三法庭");

  // An appearance is recorded, then its post corrected with a reason.
  await page.locator("#hearings .hearing details:has(summary:text('登记出庭人员')) summary").first().click();
  const af = page.locator("#hearings form.appearance-form").first();
  await af.locator('select[name="unit_id"]').selectOption({ label: defendant });
  await af.locator('input[name="person_name"]').fill("张局长");
  await af.locator('input[name="post"]').fill("副乡长");
  await af.locator('select[name="level"]').selectOption("deputy_head");
  await navigate(page, "#hearings form.appearance-form button[type=submit]");
  await expectText(page, "#hearings li", "张局长 副乡长");
  await page.locator("#hearings li details.correct summary").first().click();
  await page.locator('#hearings li details.correct input[name="post"]').first().fill("乡长");
  await page.locator('#hearings li details.correct select[name="level"]').first().selectOption("principal_head");
  await page.locator('#hearings li details.correct input[name="reason"]').first().fill("职务登记有误");
  await navigate(page, "#hearings li details.correct button[type=submit]");
  await expectText(page, "#hearings li", "张局长 乡长（主要负责人");

  // The event recorded by mistake is withdrawn with its deadlines.
  await page.locator("#events details.correct summary").first().click();
  await page.locator('#events form[action$="/withdraw"] input[name="reason"]').fill("误登记，尚未收到副本");
  await navigate(page, '#events form[action$="/withdraw"] button[type=submit]');
  await expectText(page, ".flash", "原因已记入修改记录");
  await expectText(page, "#events .empty", "尚未登记事件");
  await expectText(page, "#deadlines .empty", "尚无期限");
  const history = await page.locator("section.card:has(h3:text('修改记录')) tbody").innerText();
  assert(history.includes("法院通知更换法庭"), `the hearing's reason is in the history: ${history}`);
  assert(history.includes("职务登记有误"), `the appearance's reason is in the history: ${history}`);
  assert(history.includes("撤回") && history.includes("误登记，尚未收到副本"), `the withdrawal and its reason: ${history}`);
  assert(history.includes("事件：收到起诉状副本") && !/期限 \d/.test(history), `the history names the records, not their ids: ${history}`);
  await page.screenshot({ path: path.join(ARTIFACTS, "corrections-case.png"), fullPage: true });
});

// ----- runner -------------------------------------------------------------------------------

function fmt(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

async function run() {
  const only = process.argv.slice(2);
  const chosen = only.length ? tests.filter((t) => only.includes(t.name)) : tests;
  if (only.length && chosen.length !== only.length) {
    console.error(`unknown test; known: ${tests.map((t) => t.name).join(", ")}`);
    process.exit(2);
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  console.log(`browser tests against ${BASE_URL} (screenshots in ${ARTIFACTS})`);
  let passed = 0;
  const failed = [];
  const started = Date.now();
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
    });
  } catch (e) {
    console.error(`cannot start ${CHROMIUM}: ${e.message}`);
    console.log(`browser: 0 passed, ${chosen.length} failed`);
    process.exit(1);
  }
  for (const { name, fn } of chosen) {
    const t0 = Date.now();
    const contexts = [];
    const errors = [];
    const newPage = async (label) => {
      const ctx = await browser.newContext({ viewport: VIEWPORT, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
      ctx.setDefaultTimeout(TIMEOUT);
      ctx.setDefaultNavigationTimeout(TIMEOUT);
      contexts.push(ctx);
      const page = await ctx.newPage();
      page.on("pageerror", (e) => errors.push(`${label}: ${e.message}`));
      page.on("dialog", (d) => d.dismiss().catch(() => {}));
      return page;
    };
    let page;
    try {
      page = await newPage("main");
      await fn({ page, newPage });
      assert(errors.length === 0, `script errors in the page: ${errors.join("; ")}`);
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
      passed += 1;
      console.log(`ok    ${name} (${fmt(Date.now() - t0)})`);
    } catch (e) {
      failed.push(name);
      console.log(`FAIL  ${name} (${fmt(Date.now() - t0)})`);
      const text = e instanceof Failure ? e.message : String(e.stack || e);
      console.log(`      ${text.replace(/\x1b\[[0-9;]*m/g, "").replace(/\n/g, "\n      ")}`);
      if (page) {
        console.log(`      at ${page.url()}`);
        await page
          .screenshot({ path: path.join(ARTIFACTS, `${name}-FAILED.png`), fullPage: true })
          .catch((err) => console.log(`      (no screenshot: ${err.message})`));
      }
    } finally {
      for (const ctx of contexts) await ctx.close().catch(() => {});
    }
  }
  await browser.close().catch(() => {});
  console.log(`browser tests took ${fmt(Date.now() - started)}${failed.length ? `; failed: ${failed.join(", ")}` : ""}`);
  console.log(`browser: ${passed} passed, ${failed.length} failed`);
  process.exit(failed.length ? 1 : 0);
}

await run();
