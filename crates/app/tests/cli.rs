//! The real binary: exit statuses and messages of the command line.

use std::process::Command;

fn huajie(db: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_huajie"))
        .arg("--database")
        .arg(db)
        .args(args)
        .env("HUAJIE_LOG", "error")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_migrate_users_and_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    let (code, out, _) = huajie(&db, &["migrate"]);
    assert_eq!(code, 0);
    assert!(out.contains("已迁移"));
    // No units yet: adding a user to unit 1 is bad input (exit 2, message on stderr).
    let (code, out, err) = huajie(
        &db,
        &[
            "user",
            "add",
            "zhang",
            "--name",
            "张三",
            "--role",
            "coordinator",
            "--unit",
            "1",
            "--password",
            "Abc-12345",
        ],
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("单位（编号1）不存在"), "{err}");
    let (code, _, err) = huajie(
        &db,
        &[
            "user",
            "add",
            "Zhang San",
            "--name",
            "",
            "--role",
            "boss",
            "--unit",
            "1",
            "--password",
            "x",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("用户名") && err.contains("角色") && err.contains("密码"),
        "{err}"
    );
    let (code, _, err) = huajie(
        &db,
        &[
            "user",
            "reset-password",
            "nobody",
            "--password",
            "Abc-12345",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("不存在"), "{err}");
    // clap's own usage errors also exit with 2.
    let (code, _, _) = huajie(&db, &["user", "add"]);
    assert_eq!(code, 2);
    let (code, _, _) = huajie(&db, &["demo", "--scale", "many"]);
    assert_eq!(code, 2);
}

#[test]
fn cli_demo_is_deterministic_and_refuses_a_second_load() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.db");
    let (code, out, err) = huajie(&a, &["demo", "--seed", "7"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("1500 个程序") || out.contains("个程序"),
        "{out}"
    );
    let (code, _, err) = huajie(&a, &["demo"]);
    assert_eq!(code, 2);
    assert!(err.contains("已有单位数据"), "{err}");
    let (code, out, _) = huajie(&a, &["user", "list"]);
    assert_eq!(code, 0);
    assert!(out.contains("coordinator") && out.contains("clerk.t01"));
    // Same seed, same generated people.
    let b = dir.path().join("b.db");
    assert_eq!(huajie(&b, &["demo", "--seed", "7"]).0, 0);
    assert_eq!(huajie(&b, &["user", "list"]).1, out);
    let (code, out, _) = huajie(&a, &["user", "token", "coordinator"]);
    assert_eq!(code, 0);
    assert!(out.trim().starts_with("hj_") && out.trim().len() == 67);
    // Exports open back in Excel form.
    use calamine::Reader;
    let xlsx = dir.path().join("统计.xlsx");
    let (code, out, err) = huajie(
        &a,
        &[
            "export",
            "stats",
            "--period",
            "year",
            "--year",
            "2025",
            "-o",
            xlsx.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("已导出2025年统计"), "{out}");
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    assert_eq!(wb.sheet_names()[0], "汇总");
    let sum = wb.worksheet_range("汇总").unwrap();
    assert!(sum.height() > 10);
    let (code, _, err) = huajie(
        &a,
        &[
            "export",
            "stats",
            "--period",
            "quarter",
            "--year",
            "2025",
            "--n",
            "7",
            "-o",
            xlsx.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("季度“7”无效"), "{err}");
    let (code, _, err) = huajie(
        &a,
        &[
            "export", "stats", "--period", "year", "--year", "2025", "-o", "x.txt",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains(".xlsx"), "{err}");
    // The figure set on the terminal, and as JSON with the timing on stderr.
    let (code, out, err) = huajie(
        &a,
        &[
            "stats", "--period", "quarter", "--year", "2025", "--n", "2", "--repeat", "2",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("2025年第2季度（同比：2024年第2季度）")
            && out.contains("败诉率：")
            && out.contains("个百分点")
            && out.contains("中位数")
            && out.contains("（2 次）"),
        "{out}"
    );
    let (code, out, err) = huajie(
        &a,
        &[
            "stats", "--period", "quarter", "--year", "2025", "--n", "2", "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let set: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(set["label"], "2025年第2季度");
    assert!(set["units"].as_array().unwrap().len() > 10);
    assert!(err.contains("全套统计"), "{err}");
    let (code, _, err) = huajie(
        &a,
        &[
            "stats", "--period", "quarter", "--year", "2025", "--n", "2", "--repeat", "0",
        ],
    );
    assert_eq!(code, 2, "{err}");
    // The quarterly circular: publishes the quarter when needed, then writes the Word file.
    let docx = dir.path().join("通报.docx");
    let report = |args: &[&str]| {
        let mut v = vec!["report"];
        v.extend_from_slice(args);
        v.extend_from_slice(&["-o", docx.to_str().unwrap()]);
        huajie(&a, &v)
    };
    let (code, out, err) = report(&["quarterly", "--year", "2025", "--quarter", "2"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("已发布") && out.contains("已生成《"), "{out}");
    let xml = {
        use std::io::Read;
        let mut z = zip::ZipArchive::new(std::fs::File::open(&docx).unwrap()).unwrap();
        let mut s = String::new();
        z.by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        s
    };
    assert!(xml.contains("关于2025年第2季度行政争议预防化解工作情况的通报"));
    let (code, out, _) = report(&["quarterly", "--year", "2025", "--quarter", "2"]);
    assert_eq!(code, 0);
    assert!(
        !out.contains("已发布"),
        "the second run uses the snapshot: {out}"
    );
    let (code, out, err) = report(&["half-year", "--year", "2025", "--half", "1"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("出庭应诉和行政应诉工作情况的报告"), "{out}");
    let (code, _, err) = report(&["quarterly", "--year", "2025", "--quarter", "5"]);
    assert_eq!(code, 2);
    assert!(err.contains("季度“5”无效"), "{err}");
    let (code, _, err) = huajie(
        &a,
        &[
            "report",
            "quarterly",
            "--year",
            "2025",
            "--quarter",
            "1",
            "-o",
            "x.pdf",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains(".docx"), "{err}");
    let ledger = dir.path().join("台账.xlsx");
    let (code, out, err) = huajie(
        &a,
        &[
            "export",
            "ledger",
            "--kind",
            "reconsideration",
            "--from",
            "2025-01-01",
            "-o",
            ledger.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("件案件到"), "{out}");
    // The exported ledger imports back: every row is a known case, so a dry run updates them.
    let (code, out, err) = huajie(&a, &["import", ledger.to_str().unwrap(), "--dry-run"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("识别的列") && out.contains("试导入（未写入）：将新增0件、更新"),
        "{out}"
    );
    let bad = dir.path().join("坏台账.csv");
    std::fs::write(
        &bad,
        "程序类型,案号,收案日期,原告,被告,领域\n一审,（2025）浙0699行初9999号,2025-02-30,张三,不存在局,征收拆迁\n",
    )
    .unwrap();
    let (code, _, err) = huajie(&a, &["import", bad.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("第2行：【收案日期】")
            && err.contains("“不存在局”不是系统中的单位")
            && err.contains("没有导入任何数据"),
        "{err}"
    );
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&ledger).unwrap();
    let rows = wb.worksheet_range("案件台账").unwrap();
    assert!(rows.height() > 3);
    assert!(
        (3..rows.height())
            .all(|r| rows.get_value((r as u32, 1))
                == Some(&calamine::Data::String("行政复议".into())))
    );
    let (code, _, err) = huajie(
        &a,
        &[
            "export",
            "ledger",
            "--kind",
            "lawsuit",
            "-o",
            ledger.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("lawsuit"), "{err}");
    let (code, out, err) = huajie(&a, &["demo", "--scale", "3000", "--batch", "1000"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("已装入 3000 个程序"), "{out}");
}

fn deadline(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    use std::io::Write;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_huajie"));
    cmd.arg("deadline").args(args).env("HUAJIE_LOG", "error");
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_deadline() {
    let (code, out, _) = deadline(&["2024-09-20", "calendar_days:15"], None);
    assert_eq!((code, out.lines().next()), (0, Some("2024-10-08")));
    let (_, out, _) = deadline(&["2024-09-20", "calendar_days:15", "--explain"], None);
    assert!(out.lines().nth(1).unwrap().contains("国庆节假期"), "{out}");
    let (_, out, _) = deadline(&["2026-12-20", "calendar_days:15", "--json"], None);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        (v["due"].as_str(), v["provisional"].as_bool()),
        (Some("2027-01-04"), Some(true))
    );
    let (code, _, err) = deadline(&["2024-02-30", "calendar_days:15"], None);
    assert_eq!(code, 2);
    assert!(err.contains("2024-02-30"), "{err}");
    let (code, _, err) = deadline(&["2024-02-03", "days:5"], None);
    assert_eq!(code, 2);
    assert!(err.contains("days:5"), "{err}");
    let (code, out, _) = deadline(
        &["--batch", "-"],
        Some("start,rule\n2024-09-20,calendar_days:15\n2024-09-27,working_days:10\n"),
    );
    assert_eq!(
        (code, out.as_str()),
        (
            0,
            "start,rule,due\n2024-09-20,calendar_days:15,2024-10-08\n2024-09-27,working_days:10,2024-10-16\n"
        )
    );
    // A bad line: exit 2, the line is named, and no partial output.
    let (code, out, err) = deadline(
        &["--batch", "-"],
        Some("2024-09-20,calendar_days:15\n2024-13-01,months:1\n"),
    );
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("第2行"), "{err}");
}

#[test]
fn cli_calendar_import_and_layered_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("2027.csv");
    std::fs::write(
        &file,
        "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-04,holiday,元旦\n",
    )
    .unwrap();
    let f = file.to_str().unwrap();
    // Without the 2027 notice the result is provisional; with it, 01-04 is a holiday.
    let (_, out, _) = deadline(&["2026-12-20", "calendar_days:15"], None);
    assert!(
        out.contains("2027-01-04") && out.contains("临时结果"),
        "{out}"
    );
    let (code, out, _) = deadline(&["2026-12-20", "calendar_days:15", "--calendar", f], None);
    assert_eq!((code, out.trim()), (0, "2027-01-05"));
    let db = dir.path().join("cal.db");
    let (code, out, err) = huajie(&db, &["calendar", "import", f]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("已导入 2 个日期（2027年）"), "{out}");
    let (_, out, _) = huajie(&db, &["calendar", "years"]);
    assert!(
        out.contains("2027（导入）") && out.contains("2004"),
        "{out}"
    );
    std::fs::write(
        &file,
        "date,kind,name\n2027-01-09,workday_on_weekend,x\n2027-01-05,workday_on_weekend,y\n",
    )
    .unwrap();
    let (code, _, err) = huajie(&db, &["calendar", "import", f]);
    assert_eq!(code, 2);
    assert!(err.contains("第3行") && err.contains("不是周末"), "{err}");
    let (code, _, err) = huajie(&db, &["calendar", "import", f, "--jurisdiction", "999"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn cli_judgment_parse() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("unused.db");
    let doc = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../judgment/tests/judgments-dev/wenshu_4bb600408e9b42f6822cbc5ab3875cbe.txt");
    let (code, out, err) = huajie(&db, &["judgment", "parse", doc.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["case_number"], "（2016）黑10行初26号");
    assert_eq!(j["court"], "黑龙江省牡丹江市中级人民法院");
    assert_eq!(j["doc_kind"], "判决书");
    assert_eq!(j["stage"], "一审");
    assert_eq!(j["dispositions"], serde_json::json!(["撤销", "撤销"]));
    assert_eq!(j["agency_lost"], true);
    assert_eq!(j["grounds"][0]["article"], 70);
    assert_eq!(j["grounds"][0]["item"], 2);
    assert_eq!(j["grounds"][0]["label"], "适用法律法规错误");
    assert!(
        !dir.path().join("unused.db").exists(),
        "no database is touched"
    );
    // The summary.
    let (code, out, _) = huajie(&db, &["judgment", "parse", doc.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(
        out.contains("行政机关败诉：是") && out.contains("（复议机关）"),
        "{out}"
    );
    // Not UTF-8, not a judgment, missing: exit 2 with a message.
    let gbk = dir.path().join("gbk.txt");
    std::fs::write(
        &gbk,
        [0xD0, 0xD0, 0xD5, 0xFE, 0xC5, 0xD0, 0xBE, 0xF6, 0xCA, 0xE9],
    )
    .unwrap();
    let (code, out, err) = huajie(&db, &["judgment", "parse", gbk.to_str().unwrap(), "--json"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("不是 UTF-8 编码的文本"), "{err}");
    let note = dir.path().join("note.txt");
    std::fs::write(&note, "会议通知\n请各单位于周五下午参加培训。\n").unwrap();
    let (code, _, err) = huajie(
        &db,
        &["judgment", "parse", note.to_str().unwrap(), "--json"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("不是裁判文书"), "{err}");
    let (code, _, err) = huajie(&db, &["judgment", "parse", "/nonexistent/x.txt"]);
    assert_eq!(code, 2);
    assert!(err.contains("无法读取文件"), "{err}");
}

/// `huajie audit verify`: exit 0 with the count and the last hash on an intact log; exit 1
/// naming the first broken row after a row was edited behind the application's back (the
/// append-only trigger dropped and recreated on a copy of the file, as an intruder would).
#[test]
fn cli_audit_verify_finds_an_edited_row() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.db");
    let (code, _, err) = huajie(&db, &["demo"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = huajie(&db, &["audit", "verify"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("审计日志完整") && out.contains("末条哈希"),
        "{out}"
    );
    let url = format!("sqlite://{}", db.display());
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        sqlx::any::install_default_drivers();
        let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(&url)
            .await
            .unwrap();
        for sql in [
            "DROP TRIGGER audit_events_no_update",
            "UPDATE audit_events SET actor_name = 'nobody' WHERE id = (SELECT MIN(id) + 10 FROM audit_events)",
            "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
        ] {
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
    });
    let (code, _, err) = huajie(&db, &["audit", "verify"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("审计日志被改动") && err.contains("内容与封存哈希不符"),
        "{err}"
    );
}

#[test]
fn cli_tick_writes_reminders_at_a_given_moment() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tick.db");
    let (code, _, err) = huajie(&db, &["tick", "--at", "2026-13-01 16:30"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--at") && err.contains("2026-13-01"), "{err}");
    let (code, out, err) = huajie(&db, &["tick", "--at", "2026-03-02 16:30"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("提醒（2026-03-02 16:30）") && out.contains("明日开庭 0 条"),
        "{out}"
    );
}
