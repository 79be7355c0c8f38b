//! iCalendar (RFC 5545) output for calendar feeds (日历订阅): deadlines as all-day events and
//! hearings as timed events in Beijing time, so they appear in phone and desktop calendars.

use jiff::civil::{Date, DateTime};

/// One entry of a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A deadline: an all-day event on its due date, with a reminder the working morning before.
    AllDay {
        uid: String,
        date: Date,
        summary: String,
        description: String,
    },
    /// A hearing: a timed event (Asia/Shanghai) lasting `minutes`.
    Timed {
        uid: String,
        start: DateTime,
        minutes: i64,
        summary: String,
        location: Option<String>,
        description: String,
    },
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line folded at 75 octets without splitting a UTF-8 character (§3.1).
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

fn compact_date(d: Date) -> String {
    d.strftime("%Y%m%d").to_string()
}

/// Renders a whole calendar. `stamp` is the generation time in UTC as `YYYYMMDDTHHMMSSZ`.
pub fn render(name: &str, stamp: &str, items: &[Item]) -> String {
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//huajie//deadlines and hearings//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        line(&mut out, l);
    }
    line(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    line(&mut out, "X-WR-TIMEZONE:Asia/Shanghai");
    for l in [
        "BEGIN:VTIMEZONE",
        "TZID:Asia/Shanghai",
        "BEGIN:STANDARD",
        "DTSTART:19700101T000000",
        "TZOFFSETFROM:+0800",
        "TZOFFSETTO:+0800",
        "TZNAME:CST",
        "END:STANDARD",
        "END:VTIMEZONE",
    ] {
        line(&mut out, l);
    }
    for item in items {
        line(&mut out, "BEGIN:VEVENT");
        match item {
            Item::AllDay {
                uid,
                date,
                summary,
                description,
            } => {
                line(&mut out, &format!("UID:{uid}"));
                line(&mut out, &format!("DTSTAMP:{stamp}"));
                line(
                    &mut out,
                    &format!("DTSTART;VALUE=DATE:{}", compact_date(*date)),
                );
                let next = date.tomorrow().unwrap_or(*date);
                line(
                    &mut out,
                    &format!("DTEND;VALUE=DATE:{}", compact_date(next)),
                );
                line(&mut out, &format!("SUMMARY:{}", escape(summary)));
                line(&mut out, &format!("DESCRIPTION:{}", escape(description)));
                line(&mut out, "TRANSP:TRANSPARENT");
                for l in [
                    "BEGIN:VALARM",
                    "ACTION:DISPLAY",
                    "TRIGGER:-PT15H",
                    &format!("DESCRIPTION:{}", escape(summary)),
                    "END:VALARM",
                ] {
                    line(&mut out, l);
                }
            }
            Item::Timed {
                uid,
                start,
                minutes,
                summary,
                location,
                description,
            } => {
                let fmt = |d: DateTime| d.strftime("%Y%m%dT%H%M%S").to_string();
                let end = start
                    .checked_add(jiff::Span::new().minutes(*minutes))
                    .unwrap_or(*start);
                line(&mut out, &format!("UID:{uid}"));
                line(&mut out, &format!("DTSTAMP:{stamp}"));
                line(
                    &mut out,
                    &format!("DTSTART;TZID=Asia/Shanghai:{}", fmt(*start)),
                );
                line(&mut out, &format!("DTEND;TZID=Asia/Shanghai:{}", fmt(end)));
                line(&mut out, &format!("SUMMARY:{}", escape(summary)));
                if let Some(l) = location {
                    line(&mut out, &format!("LOCATION:{}", escape(l)));
                }
                line(&mut out, &format!("DESCRIPTION:{}", escape(description)));
                for l in [
                    "BEGIN:VALARM",
                    "ACTION:DISPLAY",
                    "TRIGGER:-PT1H",
                    &format!("DESCRIPTION:{}", escape(summary)),
                    "END:VALARM",
                ] {
                    line(&mut out, l);
                }
            }
        }
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

/// Undoes line folding; used by tests and by anyone reading a feed back.
pub fn unfold(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for raw in text.split("\r\n") {
        if let (Some(rest), Some(last)) = (raw.strip_prefix(' '), lines.last_mut()) {
            last.push_str(rest);
            continue;
        }
        if !raw.is_empty() {
            lines.push(raw.to_string());
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn renders_folds_and_escapes() {
        let long = "答辩状及证据提交（行政诉讼法第六十七条：被告应当在收到起诉状副本之日起十五日内向人民法院提交作出行政行为的证据和所依据的规范性文件，并提出答辩状）";
        let text = render(
            "清河县司法局 期限",
            "20241001T000000Z",
            &[
                Item::AllDay {
                    uid: "deadline-7@huajie".into(),
                    date: date(2024, 10, 8),
                    summary: "【期限】答辩, 举证; 提交".into(),
                    description: long.into(),
                },
                Item::Timed {
                    uid: "hearing-3@huajie".into(),
                    start: date(2024, 11, 5).at(9, 30, 0, 0),
                    minutes: 120,
                    summary: "开庭".into(),
                    location: Some("第三法庭".into()),
                    description: "（2024）浙0225行初12号".into(),
                },
            ],
        );
        for raw in text.split("\r\n") {
            assert!(raw.len() <= 75, "line longer than 75 octets: {raw}");
        }
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        let lines = unfold(&text);
        assert!(lines.contains(&"DTSTART;VALUE=DATE:20241008".to_string()));
        assert!(lines.contains(&"DTEND;VALUE=DATE:20241009".to_string()));
        assert!(lines.contains(&"SUMMARY:【期限】答辩\\, 举证\\; 提交".to_string()));
        assert!(lines.contains(&format!("DESCRIPTION:{long}")));
        assert!(lines.contains(&"DTSTART;TZID=Asia/Shanghai:20241105T093000".to_string()));
        assert!(lines.contains(&"DTEND;TZID=Asia/Shanghai:20241105T113000".to_string()));
        assert_eq!(lines.iter().filter(|l| *l == "BEGIN:VEVENT").count(), 2);
    }
}
