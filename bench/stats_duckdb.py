#!/usr/bin/env python3
"""The quarterly figure set computed by DuckDB, for comparison with `huajie stats`.

    python3 bench/stats_duckdb.py DB.sqlite YEAR QUARTER HUAJIE.json [--repeat 5]

1. Copies the rows the statistics read (units, proceedings, parties, outcomes, hearings,
   appearances, deadlines, settings) out of huajie's SQLite database into Parquet files
   (not timed against huajie: it is the export step of the comparison).
2. Reads the indicator definitions and the loss rule from the same database's settings, and
   builds one DuckDB SQL statement per part of the figure set: every indicator (numerator and
   denominator) for the quarter and the same quarter a year earlier by total, unit (rolled up
   the unit tree), own unit, domain and kind; the year to date by own unit; the twelve months
   of the trend; and the late deadlines of the assessment, then the score and the rankings.
3. Times those statements over the Parquet files (median of --repeat runs, each from the
   files, nothing cached between runs but what DuckDB caches itself).
4. Checks every figure against huajie's JSON (`huajie stats --json`), so the two sides are
   known to compute the same thing, and prints the counts compared and any difference.
"""

import csv
import datetime as dt
import json
import os
import sqlite3
import statistics
import sys
import time
import tomllib

import duckdb

DEFENDANT_ROLES = ("defendant", "co_defendant", "reconsideration_organ")
# Unit kinds assessed (考核) even in a quarter without cases.
ASSESSED_KINDS = ("county_government", "justice_bureau", "township", "county_department", "soe")

TABLES = {
    "units": "SELECT id, parent_id, jurisdiction_id, kind, active FROM units",
    "proceedings": "SELECT id, jurisdiction_id, kind, domain, registered_on, status, closed_on FROM proceedings",
    "parties": "SELECT id, proceeding_id, role, unit_id FROM parties",
    "outcomes": "SELECT party_id, proceeding_id, code, decided_on FROM outcomes",
    "hearings": "SELECT id, proceeding_id, scheduled_at FROM hearings",
    "appearances": "SELECT hearing_id, unit_id, level, appeared FROM appearances",
    "deadlines": "SELECT proceeding_id, jurisdiction_id, rule_id, due_on, met_on, waived_reason, done FROM deadlines",
}


def export(db, out):
    """SQLite → CSV → Parquet, one file per table."""
    os.makedirs(out, exist_ok=True)
    src = sqlite3.connect(db)
    con = duckdb.connect()
    for name, sql in TABLES.items():
        path = os.path.join(out, f"{name}.csv")
        cur = src.execute(sql)
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow([d[0] for d in cur.description])
            while True:
                rows = cur.fetchmany(100_000)
                if not rows:
                    break
                w.writerows(rows)
        con.execute(
            f"COPY (SELECT * FROM read_csv('{path}', header=true, all_varchar=true)) "
            f"TO '{os.path.join(out, name)}.parquet' (FORMAT parquet)"
        )
        os.remove(path)
    settings = dict(src.execute("SELECT key, value FROM settings").fetchall())
    src.close()
    return settings


def periods(year, q):
    """The quarter, the same quarter a year earlier, the year to date, the 12 trend months."""
    def quarter(y):
        start = dt.date(y, 3 * q - 2, 1)
        end = (dt.date(y + (q == 4), (3 * q) % 12 + 1, 1)) - dt.timedelta(days=1)
        return start, end

    cur, prev = quarter(year), quarter(year - 1)
    ytd = (dt.date(year, 1, 1), cur[1])
    months = []
    m_end = dt.date(cur[1].year, cur[1].month, 1)
    for k in range(11, -1, -1):
        y, m = m_end.year, m_end.month - k
        while m <= 0:
            m += 12
            y -= 1
        start = dt.date(y, m, 1)
        nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
        months.append((start, nxt - dt.timedelta(days=1)))
    return cur, prev, ytd, months


def lit(v):
    return "'" + str(v).replace("'", "''") + "'"


def in_list(values):
    return "(" + ", ".join(lit(v) for v in values) + ")"


def condition(ind, sel, loss_codes):
    base = {"received": "f.reg", "concluded": "f.concl", "heard": "f.heard"}[sel["base"]]
    c = [f"f.kind IN {in_list(ind['kinds'])}", f"{base} BETWEEN per.f AND per.t"]
    if sel.get("loss"):
        c.append(f"f.code IN {in_list(loss_codes)}")
    if sel.get("outcomes"):
        c.append(f"f.code IN {in_list(sel['outcomes'])}")
    if sel.get("head_appeared"):
        c.append("f.head")
    return " AND ".join(c)


def build_sql(d, cfg, loss_codes, jurisdiction, today, year, q):
    cur, prev, ytd, months = periods(year, q)
    inds = cfg["indicator"]
    per_rows = [("cur", *cur), ("prev", *prev), ("ytd", *ytd)] + [
        (f"m{i:02}", *m) for i, m in enumerate(months)
    ]
    per_values = ", ".join(f"({lit(t)}, DATE {lit(a)}, DATE {lit(b)})" for t, a, b in per_rows)
    aggs = []
    for i, ind in enumerate(inds):
        aggs.append(
            f"COUNT(DISTINCT f.pid) FILTER (WHERE {condition(ind, ind['numerator'], loss_codes)}) AS n{i}"
        )
        if ind.get("denominator"):
            aggs.append(
                f"COUNT(DISTINCT f.pid) FILTER (WHERE {condition(ind, ind['denominator'], loss_codes)}) AS d{i}"
            )
    heard_until = f"{today}T23:59:59"
    roles = in_list(DEFENDANT_ROLES)
    return f"""
WITH RECURSIVE
u AS (SELECT CAST(id AS BIGINT) id, CAST(parent_id AS BIGINT) parent_id FROM '{d}/units.parquet'
      WHERE CAST(jurisdiction_id AS BIGINT) = {jurisdiction}),
anc(unit_id, anc) AS (
  SELECT id, id FROM u
  UNION ALL SELECT anc.unit_id, u.parent_id FROM anc JOIN u ON u.id = anc.anc
  WHERE u.parent_id IN (SELECT id FROM u)),
first_heard AS (
  SELECT CAST(proceeding_id AS BIGINT) pid, CAST(LEFT(MIN(scheduled_at), 10) AS DATE) heard
  FROM '{d}/hearings.parquet' WHERE scheduled_at <= {lit(heard_until)} GROUP BY 1),
heads AS (
  SELECT DISTINCT CAST(h.proceeding_id AS BIGINT) pid, CAST(a.unit_id AS BIGINT) unit_id
  FROM '{d}/hearings.parquet' h JOIN '{d}/appearances.parquet' a ON a.hearing_id = h.id
  WHERE a.appeared = '1' AND a.level IN ('principal_head', 'deputy_head')),
facts AS (
  SELECT CAST(p.id AS BIGINT) pid, p.kind, p.domain, CAST(p.registered_on AS DATE) reg,
         CAST(pa.unit_id AS BIGINT) unit_id, o.code,
         COALESCE(CAST(o.decided_on AS DATE),
                  CASE WHEN p.status = 'concluded' THEN CAST(p.closed_on AS DATE) END) concl,
         fh.heard,
         (pa.unit_id IS NOT NULL AND hd.pid IS NOT NULL) head
  FROM '{d}/proceedings.parquet' p
  LEFT JOIN '{d}/parties.parquet' pa ON pa.proceeding_id = p.id AND pa.role IN {roles}
  LEFT JOIN '{d}/outcomes.parquet' o ON o.party_id = pa.id
  LEFT JOIN first_heard fh ON fh.pid = CAST(p.id AS BIGINT)
  LEFT JOIN heads hd ON hd.pid = CAST(p.id AS BIGINT) AND hd.unit_id = CAST(pa.unit_id AS BIGINT)
  WHERE CAST(p.jurisdiction_id AS BIGINT) = {jurisdiction}),
per(tag, f, t) AS (VALUES {per_values}),
pf AS (
  SELECT per.tag, per.f, per.t, f.* FROM facts f JOIN per
    ON f.reg BETWEEN per.f AND per.t OR f.concl BETWEEN per.f AND per.t OR f.heard BETWEEN per.f AND per.t),
keyed AS (
  SELECT 'total' gtype, '' gkey, pf.* FROM pf WHERE tag IN ('cur', 'prev') OR tag LIKE 'm%'
  UNION ALL SELECT 'unit', CAST(a.anc AS VARCHAR), pf.* FROM pf JOIN anc a ON a.unit_id = pf.unit_id
    WHERE tag IN ('cur', 'prev')
  UNION ALL SELECT 'own', CAST(pf.unit_id AS VARCHAR), pf.* FROM pf WHERE pf.unit_id IS NOT NULL
    AND tag IN ('cur', 'prev', 'ytd')
  UNION ALL SELECT 'domain', pf.domain, pf.* FROM pf WHERE tag IN ('cur', 'prev')
  UNION ALL SELECT 'kind', pf.kind, pf.* FROM pf WHERE tag IN ('cur', 'prev'))
SELECT f.tag, f.gtype, f.gkey, {", ".join(aggs)}
FROM keyed f JOIN per ON per.tag = f.tag
GROUP BY f.tag, f.gtype, f.gkey
"""


def late_sql(d, cfg, jurisdiction, today, year, q):
    cur, _, _, _ = periods(year, q)
    a = cfg["assessment"]
    rules = a["filing_rules"] + a["report_rules"]
    return f"""
SELECT CAST(pa.unit_id AS BIGINT) unit_id,
       COUNT(*) FILTER (WHERE dl.rule_id IN {in_list(a['filing_rules'])}) late_filings,
       COUNT(*) FILTER (WHERE dl.rule_id IN {in_list(a['report_rules'])}) late_reports
FROM '{d}/deadlines.parquet' dl
JOIN '{d}/parties.parquet' pa ON pa.proceeding_id = dl.proceeding_id AND pa.unit_id IS NOT NULL
     AND pa.role IN {in_list(DEFENDANT_ROLES)}
WHERE CAST(dl.jurisdiction_id AS BIGINT) = {jurisdiction}
  AND dl.due_on BETWEEN {lit(cur[0])} AND {lit(cur[1])} AND dl.rule_id IN {in_list(rules)}
  AND dl.waived_reason IS NULL
  AND ((dl.met_on IS NOT NULL AND dl.met_on > dl.due_on)
       OR (dl.met_on IS NULL AND dl.done = '0' AND dl.due_on < {lit(today)}))
GROUP BY 1
"""


def assess(cfg, figures, late, assessed_units):
    """Score, threshold, escalation and rankings from the own-unit figures (as huajie does)."""
    a = cfg["assessment"]
    inds = [i["id"] for i in cfg["indicator"]]
    li, ai = inds.index(a["loss_indicator"]), inds.index(a["appearance_indicator"])
    units = set(assessed_units)
    for (tag, gtype, gkey) in figures:
        if gtype == "own" and tag in ("cur", "ytd"):
            units.add(int(gkey))
    units |= set(late)
    out = {}
    for u in units:
        cur = figures.get(("cur", "own", str(u)))
        ytd = figures.get(("ytd", "own", str(u)))
        ln, ld = (cur[li] if cur else (0, 0))
        an, ad = (cur[ai] if cur else (0, 0))
        lf, lr = late.get(u, (0, 0))
        score = max(
            0.0,
            a["start_score"]
            - a["deduct_per_loss"] * ln
            - a["deduct_per_non_appearance"] * (ad - an)
            - a["deduct_per_late_filing"] * lf
            - a["deduct_per_late_report"] * lr,
        )
        out[u] = {
            "loss": (ln, ld or 0),
            "losses_in_year": ytd[li][0] if ytd else 0,
            "heard": ad or 0,
            "non_appearances": (ad or 0) - an,
            "late_filings": lf,
            "late_reports": lr,
            "score": score,
        }
    return out


def compute(con, d, cfg, loss_codes, jurisdiction, today, year, q, assessed):
    inds = cfg["indicator"]
    rows = con.execute(build_sql(d, cfg, loss_codes, jurisdiction, today, year, q)).fetchall()
    figures = {}
    for r in rows:
        tag, gtype, gkey, vals = r[0], r[1], r[2], list(r[3:])
        figs = []
        for ind in inds:
            n = vals.pop(0)
            den = vals.pop(0) if ind.get("denominator") else None
            figs.append((n, den))
        figures[(tag, gtype, gkey)] = figs
    late = {
        u: (f, r)
        for u, f, r in con.execute(late_sql(d, cfg, jurisdiction, today, year, q)).fetchall()
    }
    return figures, assess(cfg, figures, late, assessed)


def check(figures, assessment, set_, inds):
    """Every figure of huajie's set against DuckDB's; returns (compared, differences)."""
    compared, diffs = 0, []

    def fig(f):
        return (f["numerator"], f.get("denominator"))

    def group(g):
        by = g["by"]
        if by == "total":
            return "total", ""
        return {"unit": "unit", "domain": "domain", "kind": "kind"}[by], str(g["key"])

    empty = [(0, 0 if i.get("denominator") else None) for i in inds]
    for row in [set_["total"]] + set_["units"] + set_["domains"] + set_["kinds"]:
        gtype, gkey = group(row["group"])
        for tag, side in (("cur", "current"), ("prev", "previous")):
            ours = [fig(f) for f in row[side]]
            theirs = figures.get((tag, gtype, gkey), empty)
            compared += len(ours)
            if ours != theirs:
                diffs.append((tag, gtype, gkey, ours, theirs))
    for k, m in enumerate(set_["trend"]):
        ours = [fig(f) for f in m["figures"]]
        theirs = figures.get((f"m{k:02}", "total", ""), empty)
        compared += len(ours)
        if ours != theirs:
            diffs.append((f"m{k:02}", "total", "", ours, theirs))
    for a in set_["assessment"]:
        mine = assessment.get(a["unit_id"])
        ours = {
            "loss": fig(a["loss"]),
            "losses_in_year": a["losses_in_year"],
            "heard": a["heard"],
            "non_appearances": a["non_appearances"],
            "late_filings": a["late_filings"],
            "late_reports": a["late_reports"],
            "score": a["score"],
        }
        compared += len(ours)
        if mine != ours:
            diffs.append(("assessment", "unit", a["unit_id"], ours, mine))
    if len(assessment) != len(set_["assessment"]):
        diffs.append(("assessment", "units", "", len(set_["assessment"]), len(assessment)))
    return compared, diffs


def main():
    args = sys.argv[1:]
    repeat = 5
    if "--repeat" in args:
        k = args.index("--repeat")
        repeat = int(args[k + 1])
        del args[k : k + 2]
    if len(args) != 4:
        sys.exit(__doc__)
    db, year, q, ours_path = args[0], int(args[1]), int(args[2]), args[3]
    d = os.path.join(os.path.dirname(os.path.abspath(db)), "parquet-" + os.path.basename(db))
    t = time.perf_counter()
    settings = export(db, d)
    print(f"DuckDB {duckdb.__version__}: exported to Parquet in {time.perf_counter() - t:.1f} s ({d})")
    cfg = tomllib.loads(settings["stats_config"])
    loss_codes = json.loads(settings["loss_rule"])["loss_outcomes"]
    with open(ours_path, encoding="utf-8") as f:
        set_ = json.load(f)
    con = duckdb.connect()
    jurisdiction = con.execute(
        f"SELECT CAST(id AS BIGINT) FROM '{d}/units.parquet' WHERE kind = 'county'"
    ).fetchall()
    if len(jurisdiction) != 1:
        sys.exit("expected exactly one county in the database")
    jurisdiction = jurisdiction[0][0]
    today = dt.date.today().isoformat()
    assessed = [
        r[0]
        for r in con.execute(
            f"SELECT CAST(id AS BIGINT) FROM '{d}/units.parquet' WHERE CAST(jurisdiction_id AS BIGINT) = "
            f"{jurisdiction} AND active = '1' AND kind IN {in_list(ASSESSED_KINDS)}"
        ).fetchall()
    ]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        figures, assessment = compute(con, d, cfg, loss_codes, jurisdiction, today, year, q, assessed)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    compared, diffs = check(figures, assessment, set_, cfg["indicator"])
    print(f"DuckDB figure set: fastest {times[0]:.1f} ms, median {times[len(times) // 2]:.1f} ms ({repeat} runs)")
    print(f"checked {compared} figures against huajie: {len(diffs)} differ")
    for x in diffs[:10]:
        print("  differs:", x)
    print(f"DUCKDB_MEDIAN_MS={times[len(times) // 2]:.1f}")
    sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
