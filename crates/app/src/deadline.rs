//! `huajie deadline`: period arithmetic on the command line, one date or a batch file.

use std::io::{BufRead, BufWriter, Write};

use huajie_domain::calendar::{Calendar, Period, parse_calendar_csv};
use jiff::civil::Date;

use crate::Failure;

/// Parses `YYYY-MM-DD` quickly (batch files have millions of lines).
fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i32> {
        b[r].iter().try_fold(0i32, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + (c - b'0') as i32)
        })
    };
    Date::new(num(0..4)? as i16, num(5..7)? as i8, num(8..10)? as i8).ok()
}

fn bad_date(s: &str) -> String {
    format!("日期“{s}”无效，应为YYYY-MM-DD格式的真实日期（如2024-09-20）")
}

fn write_date(out: &mut impl Write, d: Date) -> std::io::Result<()> {
    write!(out, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// The built-in calendar, with an optional calendar file layered on top (its years replace the
/// built-in data of the same years).
pub fn calendar(file: Option<&str>) -> Result<Calendar, Failure> {
    let Some(file) = file else {
        return Ok(Calendar::national());
    };
    let text = std::fs::read_to_string(file)
        .map_err(|e| crate::usage(format!("无法读取日历文件“{file}”：{e}")))?;
    let (extra, extra_years) =
        parse_calendar_csv(&text).map_err(|e| crate::usage(e.to_string()))?;
    Ok(Calendar::national_with(extra, &extra_years, Vec::new()))
}

pub fn one(
    cal: &Calendar,
    start: &str,
    rule: &str,
    explain: bool,
    json: bool,
) -> Result<(), Failure> {
    let start_date = parse_date(start.trim()).ok_or_else(|| crate::usage(bad_date(start)))?;
    let period: Period = rule
        .parse()
        .map_err(|e: huajie_domain::calendar::PeriodError| crate::usage(e.to_string()))?;
    let e = cal
        .explain(start_date, period)
        .map_err(|e| crate::usage(e.to_string()))?;
    if json {
        let v = serde_json::json!({
            "start": start_date.to_string(),
            "rule": period.to_string(),
            "due": e.due.to_string(),
            "provisional": e.provisional,
            "trace": e.trace,
        });
        say!("{v}");
    } else {
        say!("{}", e.due);
        if explain {
            say!("{}", e.trace);
        } else if e.provisional {
            say!("（临时结果：所涉年份的放假安排尚未载入，按仅周末休息计算）");
        }
    }
    Ok(())
}

/// Reads `start,rule` lines from `path` (`-` for stdin) and writes `start,rule,due` to stdout.
/// A header line starting with `start` is copied with `,due` appended. Any bad line stops the
/// run with exit status 2 and names the line; then nothing at all is written (the results are
/// buffered and written only when every line was valid).
pub fn batch(cal: &Calendar, path: &str) -> Result<(), Failure> {
    let input: Box<dyn BufRead> = if path == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let f = std::fs::File::open(path)
            .map_err(|e| crate::usage(format!("无法读取文件“{path}”：{e}")))?;
        Box::new(std::io::BufReader::with_capacity(1 << 20, f))
    };
    let mut out: Vec<u8> = Vec::with_capacity(1 << 20);
    let mut cached: Option<(String, Period)> = None;
    let io_err = |e: std::io::Error| Failure {
        code: 1,
        message: format!("写出结果失败：{e}"),
    };
    for (i, line) in input.lines().enumerate() {
        let line = line.map_err(|e| crate::usage(format!("第{}行无法读取：{e}", i + 1)))?;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        if i == 0 && line.starts_with("start") {
            writeln!(out, "{line},due").map_err(io_err)?;
            continue;
        }
        let fail = |msg: String| crate::usage(format!("第{}行：{msg}", i + 1));
        let (start, rule) = line.split_once(',').ok_or_else(|| {
            fail("应为“起算日期,期间规则”两列，如 2024-09-20,calendar_days:15".into())
        })?;
        let date = parse_date(start.trim()).ok_or_else(|| fail(bad_date(start)))?;
        let period = match &cached {
            Some((r, p)) if r == rule => *p,
            _ => {
                let p: Period = rule
                    .parse()
                    .map_err(|e: huajie_domain::calendar::PeriodError| fail(e.to_string()))?;
                cached = Some((rule.to_string(), p));
                p
            }
        };
        let due = cal.due(date, period).map_err(|e| fail(e.to_string()))?;
        out.write_all(line.as_bytes()).map_err(io_err)?;
        out.write_all(b",").map_err(io_err)?;
        write_date(&mut out, due.due).map_err(io_err)?;
        out.write_all(b"\n").map_err(io_err)?;
    }
    let stdout = std::io::stdout();
    let mut w = BufWriter::with_capacity(1 << 20, stdout.lock());
    w.write_all(&out).and_then(|_| w.flush()).map_err(io_err)
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn dates() {
        assert_eq!(parse_date("2024-02-29").unwrap().to_string(), "2024-02-29");
        for bad in [
            "2023-02-29",
            "2024-1-01",
            "2024/01/01",
            "abcd-ef-gh",
            "",
            "2024-01-011",
        ] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
    }
}
