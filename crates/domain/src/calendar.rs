//! The legal calendar (法定节假日与调休) and period arithmetic (期间计算).
//!
//! `rest_day(d)` = a 放假 day of the State Council notice, or a Saturday/Sunday that is not a
//! 调休 working day (LEGAL-RULES §1.4). Every operation is O(1): the calendar is compiled into
//! per-day tables (rest flag, next working day, working-day rank, k-th working day) over
//! 2000-01-01 … 2100-12-31. Days outside the years with an official notice count weekends only,
//! and any computation that touches them is marked **provisional**.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use jiff::civil::{Date, Weekday};

/// The national calendar 2004–2026 from the State Council notices, shipped in the binary.
pub const NATIONAL_CSV: &str = include_str!("../data/cn-calendar.csv");

const FIRST_YEAR: i16 = 2000;
const LAST_YEAR: i16 = 2100;

/// Days since 1970-01-01 (proleptic Gregorian), by Howard Hinnant's algorithm.
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = (y - era * 400) as u32;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe as i32 - 719_468
}

fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i32 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn day_number(d: Date) -> i32 {
    days_from_civil(d.year() as i32, d.month() as u32, d.day() as u32)
}

fn date_of(n: i32) -> Date {
    let (y, m, d) = civil_from_days(n);
    Date::new(y as i16, m as i8, d as i8)
        .expect("day numbers inside the calendar range are valid dates")
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// What the notice says about one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DayKind {
    /// 放假: a rest day, whatever the weekday.
    Holiday,
    /// 调休上班: a Saturday or Sunday that is a working day.
    Workday,
}

/// One line of a calendar file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEntry {
    pub date: Date,
    pub kind: DayKind,
    /// Chinese name of the holiday (e.g. 国庆节).
    pub name: String,
}

/// A calendar file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("日历文件第{line}行：{message}")]
pub struct CalendarFileError {
    pub line: usize,
    pub message: String,
}

/// The holiday names of the national data file, in Chinese.
fn chinese_name(name: &str) -> String {
    match name {
        "New Year's Day" => "元旦",
        "Spring Festival" => "春节",
        "Tomb-sweeping Day" => "清明节",
        "Labour Day" => "劳动节",
        "Dragon Boat Festival" => "端午节",
        "Mid-autumn Festival" => "中秋节",
        "National Day" => "国庆节",
        "Anti-Fascist 70th Day" => "抗战胜利70周年纪念日",
        other => other,
    }
    .to_string()
}

/// Parses a calendar file: a header line, then `date,kind,name[,…]` with kind `holiday`
/// (放假) or `workday_on_weekend` (调休上班); `放假`/`上班` are accepted too. Returns the entries
/// and the years the file covers.
pub fn parse_calendar_csv(
    text: &str,
) -> Result<(Vec<CalendarEntry>, BTreeSet<i16>), CalendarFileError> {
    let mut entries = Vec::new();
    let mut years = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || (i == 0 && line.starts_with("date")) || line.starts_with('#') {
            continue;
        }
        let err = |message: String| CalendarFileError {
            line: i + 1,
            message,
        };
        let mut cols = line.split(',').map(str::trim);
        let date_s = cols.next().unwrap_or("");
        let date = crate::proceeding::parse_date("date", date_s).map_err(|e| err(e.message))?;
        if !(FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
            return Err(err(format!(
                "日期{date}超出支持范围（{FIRST_YEAR}–{LAST_YEAR}年）"
            )));
        }
        let kind = match cols.next().unwrap_or("") {
            "holiday" | "放假" | "休息" => DayKind::Holiday,
            "workday_on_weekend" | "workday" | "上班" | "调休上班" => DayKind::Workday,
            other => {
                return Err(err(format!(
                    "类型“{other}”无效，应为 holiday（放假）或 workday_on_weekend（调休上班）"
                )));
            }
        };
        if kind == DayKind::Workday
            && !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
        {
            return Err(err(format!("{date}不是周末，不能标为调休上班日")));
        }
        let name = chinese_name(cols.next().unwrap_or(""));
        if entries.iter().any(|e: &CalendarEntry| e.date == date) {
            return Err(err(format!("日期{date}重复")));
        }
        years.insert(date.year());
        entries.push(CalendarEntry { date, kind, name });
    }
    if entries.is_empty() {
        return Err(CalendarFileError {
            line: 0,
            message: "文件中没有任何日期".into(),
        });
    }
    Ok((entries, years))
}

/// The calendar compiled into O(1) lookup tables.
#[derive(Debug, Clone)]
pub struct Calendar {
    base: i32,
    rest: Vec<bool>,
    /// Index of the first working day at or after each day.
    next_work: Vec<u32>,
    /// Number of working days strictly before each day (one extra slot at the end).
    rank: Vec<u32>,
    /// Day index of the k-th working day (k from 0).
    working: Vec<u32>,
    names: BTreeMap<u32, (DayKind, String)>,
    covered: BTreeSet<i16>,
}

/// Why a computation could not be done.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error(
        "期间规则“{0}”无效，应为 calendar_days:N、working_days:N、months:N、years:N 或 working_days_before:N（N为1至3650的整数）"
    )]
    BadRule(String),
    #[error("日期超出可计算范围（{FIRST_YEAR}年至{LAST_YEAR}年）")]
    OutOfRange,
}

impl PeriodError {
    pub fn code(&self) -> &'static str {
        match self {
            PeriodError::BadRule(_) => "invalid_rule",
            PeriodError::OutOfRange => "out_of_range",
        }
    }
}

/// A period rule (LEGAL-RULES "Engine semantics").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    /// N calendar days; start day not counted; a rest last day rolls to the next working day.
    CalendarDays(u16),
    /// The N-th working day after the start (复议法 88: 3/5/7/10 日).
    WorkingDays(u16),
    /// Corresponding day N months later (clamped to the month end), then rolled.
    Months(u16),
    /// Corresponding day N years later (clamped), then rolled.
    Years(u16),
    /// The N-th working day strictly before the given date (internal targets).
    WorkingDaysBefore(u16),
}

impl std::str::FromStr for Period {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Self, PeriodError> {
        let bad = || PeriodError::BadRule(s.to_string());
        let (kind, n) = s.trim().split_once(':').ok_or_else(bad)?;
        let n: u16 = n.trim().parse().map_err(|_| bad())?;
        if !(1..=3650).contains(&n) {
            return Err(bad());
        }
        match kind.trim() {
            "calendar_days" => Ok(Period::CalendarDays(n)),
            "working_days" => Ok(Period::WorkingDays(n)),
            "months" if n <= 1200 => Ok(Period::Months(n)),
            "years" if n <= 100 => Ok(Period::Years(n)),
            "working_days_before" => Ok(Period::WorkingDaysBefore(n)),
            _ => Err(bad()),
        }
    }
}

impl Period {
    /// The period in words for people: "15日", "5个工作日", "6个月", "2年", "届满前第5个工作日".
    pub fn label(&self) -> String {
        match self {
            Period::CalendarDays(n) => format!("{n}日"),
            Period::WorkingDays(n) => format!("{n}个工作日"),
            Period::Months(n) => format!("{n}个月"),
            Period::Years(n) => format!("{n}年"),
            Period::WorkingDaysBefore(n) => format!("届满前第{n}个工作日"),
        }
    }

    /// The period `k` times over (the k-th repetition of a repeating rule), if it fits.
    pub fn times(self, k: i64) -> Option<Period> {
        let k = u16::try_from(k).ok()?;
        Some(match self {
            Period::CalendarDays(n) => Period::CalendarDays(n.checked_mul(k)?),
            Period::WorkingDays(n) => Period::WorkingDays(n.checked_mul(k)?),
            Period::Months(n) => Period::Months(n.checked_mul(k)?),
            Period::Years(n) => Period::Years(n.checked_mul(k)?),
            Period::WorkingDaysBefore(_) => return None,
        })
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Period::CalendarDays(n) => write!(f, "calendar_days:{n}"),
            Period::WorkingDays(n) => write!(f, "working_days:{n}"),
            Period::Months(n) => write!(f, "months:{n}"),
            Period::Years(n) => write!(f, "years:{n}"),
            Period::WorkingDaysBefore(n) => write!(f, "working_days_before:{n}"),
        }
    }
}

/// The result of one computation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub due: Date,
    /// True when the window reaches a year without an official notice (weekends only).
    pub provisional: bool,
}

/// A computation with its plain-Chinese explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained {
    pub due: Date,
    pub provisional: bool,
    pub trace: String,
}

fn weekday_cn(d: Date) -> &'static str {
    match d.weekday() {
        Weekday::Monday => "星期一",
        Weekday::Tuesday => "星期二",
        Weekday::Wednesday => "星期三",
        Weekday::Thursday => "星期四",
        Weekday::Friday => "星期五",
        Weekday::Saturday => "星期六",
        Weekday::Sunday => "星期日",
    }
}

impl Calendar {
    /// The national calendar shipped with the binary.
    pub fn national() -> Calendar {
        let (entries, years) =
            parse_calendar_csv(NATIONAL_CSV).expect("the shipped calendar is valid");
        Calendar::build(&entries, &years)
    }

    /// The shipped national calendar with `notices` layered on top (their `years` replace the
    /// shipped data of those years), then a jurisdiction's `local` days. Used for imported years
    /// (database) and for `huajie deadline --calendar FILE` alike.
    pub fn national_with(
        notices: Vec<CalendarEntry>,
        years: &BTreeSet<i16>,
        local: Vec<CalendarEntry>,
    ) -> Calendar {
        let (shipped, mut covered) =
            parse_calendar_csv(NATIONAL_CSV).expect("the shipped calendar is valid");
        let mut entries: Vec<CalendarEntry> = shipped
            .into_iter()
            .filter(|e| !years.contains(&e.date.year()))
            .collect();
        entries.extend(notices);
        entries.extend(local);
        covered.extend(years.iter().copied());
        Calendar::build(&entries, &covered)
    }

    /// Compiles the tables from notice entries (later entries for the same day win) and the set
    /// of years whose notice is included.
    pub fn build(entries: &[CalendarEntry], covered: &BTreeSet<i16>) -> Calendar {
        let base = days_from_civil(FIRST_YEAR as i32, 1, 1);
        let end = days_from_civil(LAST_YEAR as i32, 12, 31);
        let len = (end - base + 1) as usize;
        let mut names = BTreeMap::new();
        for e in entries {
            names.insert((day_number(e.date) - base) as u32, (e.kind, e.name.clone()));
        }
        let mut rest = vec![false; len];
        for (i, r) in rest.iter_mut().enumerate() {
            // 1970-01-01 was a Thursday: weekday index 0 = Monday.
            let wd = (base + i as i32 + 3).rem_euclid(7);
            *r = wd >= 5;
            if let Some((kind, _)) = names.get(&(i as u32)) {
                *r = *kind == DayKind::Holiday;
            }
        }
        let mut next_work = vec![len as u32; len];
        let mut next = len as u32;
        for i in (0..len).rev() {
            if !rest[i] {
                next = i as u32;
            }
            next_work[i] = next;
        }
        let mut rank = Vec::with_capacity(len + 1);
        let mut working = Vec::new();
        for (i, r) in rest.iter().enumerate() {
            rank.push(working.len() as u32);
            if !r {
                working.push(i as u32);
            }
        }
        rank.push(working.len() as u32);
        Calendar {
            base,
            rest,
            next_work,
            rank,
            working,
            names,
            covered: covered.clone(),
        }
    }

    /// The years with an official notice.
    pub fn covered_years(&self) -> &BTreeSet<i16> {
        &self.covered
    }

    /// The holidays and 调休 working weekend days of a year, in date order.
    pub fn special_days(&self, year: i16) -> Vec<CalendarEntry> {
        let (Ok(from), Ok(to)) = (
            self.idx(Date::new(year, 1, 1).unwrap_or_default()),
            self.idx(Date::new(year, 12, 31).unwrap_or_default()),
        ) else {
            return Vec::new();
        };
        self.names
            .range(from as u32..=to as u32)
            .map(|(i, (kind, name))| CalendarEntry {
                date: self.date(*i as usize),
                kind: *kind,
                name: name.clone(),
            })
            .collect()
    }

    fn idx(&self, d: Date) -> Result<usize, PeriodError> {
        let i = day_number(d) - self.base;
        if i < 0 || i as usize >= self.rest.len() {
            Err(PeriodError::OutOfRange)
        } else {
            Ok(i as usize)
        }
    }

    fn date(&self, i: usize) -> Date {
        date_of(self.base + i as i32)
    }

    pub fn is_rest_day(&self, d: Date) -> Result<bool, PeriodError> {
        Ok(self.rest[self.idx(d)?])
    }

    /// The first working day on or after `d`.
    pub fn roll(&self, d: Date) -> Result<Date, PeriodError> {
        let n = self.next_work[self.idx(d)?] as usize;
        if n >= self.rest.len() {
            Err(PeriodError::OutOfRange)
        } else {
            Ok(self.date(n))
        }
    }

    fn provisional(&self, from: Date, to: Date) -> bool {
        let (a, b) = if from <= to {
            (from.year(), to.year())
        } else {
            (to.year(), from.year())
        };
        (a..=b).any(|y| !self.covered.contains(&y))
    }

    /// The raw (unrolled) end of a calendar period: corresponding day for months/years.
    fn raw_end(&self, start: Date, p: Period) -> Result<(Date, bool), PeriodError> {
        match p {
            Period::CalendarDays(n) => {
                let i = self.idx(start)? + n as usize;
                if i >= self.rest.len() {
                    Err(PeriodError::OutOfRange)
                } else {
                    Ok((self.date(i), false))
                }
            }
            Period::Months(n) | Period::Years(n) => {
                let months = if let Period::Years(_) = p {
                    n as i32 * 12
                } else {
                    n as i32
                };
                let total = start.year() as i32 * 12 + start.month() as i32 - 1 + months;
                let (y, m) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
                if y > LAST_YEAR as i32 {
                    return Err(PeriodError::OutOfRange);
                }
                let dim = days_in_month(y, m);
                let clamped = start.day() as u32 > dim;
                let d = Date::new(y as i16, m as i8, (start.day() as u32).min(dim) as i8)
                    .map_err(|_| PeriodError::OutOfRange)?;
                Ok((d, clamped))
            }
            Period::WorkingDays(_) | Period::WorkingDaysBefore(_) => {
                unreachable!("working-day periods have no raw end")
            }
        }
    }

    /// Computes the due date of `period` counted from `start` (O(1)).
    pub fn due(&self, start: Date, period: Period) -> Result<Due, PeriodError> {
        let due = match period {
            Period::CalendarDays(_) | Period::Months(_) | Period::Years(_) => {
                let (raw, _) = self.raw_end(start, period)?;
                self.roll(raw)?
            }
            Period::WorkingDays(n) => {
                let i = self.idx(start)?;
                let k = self.rank[i + 1] as usize + n as usize - 1;
                let w = *self.working.get(k).ok_or(PeriodError::OutOfRange)? as usize;
                self.date(w)
            }
            Period::WorkingDaysBefore(n) => {
                let r = self.rank[self.idx(start)?] as usize;
                let k = r.checked_sub(n as usize).ok_or(PeriodError::OutOfRange)?;
                self.date(self.working[k] as usize)
            }
        };
        Ok(Due {
            due,
            provisional: self.provisional(start, due),
        })
    }

    /// Like [`Calendar::due`], with suspension intervals (中止, inclusive, the clock stops) and an
    /// optional extension (延长) counted from the original due date.
    pub fn due_with(
        &self,
        start: Date,
        period: Period,
        suspensions: &[(Date, Date)],
        extension: Option<Period>,
    ) -> Result<Explained, PeriodError> {
        let mut e = self.explain(start, period)?;
        if !suspensions.is_empty() && !matches!(period, Period::WorkingDaysBefore(_)) {
            // Each suspended day inside the running window pushes the end by one day of the
            // period's own kind; repeat until no new suspended day falls inside.
            let mut extra_cal = 0usize;
            let mut extra_work = 0usize;
            loop {
                let end = match period {
                    Period::WorkingDays(n) => {
                        let i = self.idx(start)?;
                        let k = self.rank[i + 1] as usize + n as usize - 1 + extra_work;
                        *self.working.get(k).ok_or(PeriodError::OutOfRange)? as usize
                    }
                    _ => {
                        let (raw, _) = self.raw_end(start, period)?;
                        self.idx(raw)? + extra_cal
                    }
                };
                let s = self.idx(start)?;
                let (mut cal, mut work) = (0usize, 0usize);
                for (from, to) in suspensions {
                    let (a, b) = (self.idx(*from)?.max(s + 1), self.idx(*to)?.min(end));
                    if a <= b {
                        cal += b - a + 1;
                        work += (self.rank[b + 1] - self.rank[a]) as usize;
                    }
                }
                if cal == extra_cal && work == extra_work {
                    let end = if end >= self.rest.len() {
                        return Err(PeriodError::OutOfRange);
                    } else {
                        end
                    };
                    let due = self.date(
                        self.next_work
                            .get(end)
                            .copied()
                            .ok_or(PeriodError::OutOfRange)? as usize,
                    );
                    if cal > 0 {
                        let _ = write!(
                            e.trace,
                            "；中止期间 {cal} 日（其中工作日 {work} 日）不计入，期限相应顺延至 {due}"
                        );
                        e.due = due;
                    }
                    break;
                }
                extra_cal = cal;
                extra_work = work;
            }
        }
        if let Some(ext) = extension {
            let base = e.due;
            let more = self.explain(base, ext)?;
            let _ = write!(
                e.trace,
                "；经批准延长（{}），自原届满日 {base} 起算：{}",
                describe(ext),
                more.trace
            );
            e.due = more.due;
        }
        e.provisional = self.provisional(start, e.due);
        if e.provisional {
            e.trace
                .push_str(provisional_note(self, start, e.due).as_str());
        }
        Ok(e)
    }

    fn day_note(&self, d: Date) -> String {
        let i = match self.idx(d) {
            Ok(i) => i as u32,
            Err(_) => return String::new(),
        };
        match self.names.get(&i) {
            Some((DayKind::Holiday, name)) => format!("{name}假期"),
            Some((DayKind::Workday, name)) => format!("{}，{name}调休上班", weekday_cn(d)),
            None if self.rest[i as usize] => format!("{}，休息日", weekday_cn(d)),
            None => weekday_cn(d).to_string(),
        }
    }

    /// Computes the due date with its explanation in plain Chinese.
    pub fn explain(&self, start: Date, period: Period) -> Result<Explained, PeriodError> {
        let Due { due, provisional } = self.due(start, period)?;
        let mut t = String::new();
        match period {
            Period::CalendarDays(_) | Period::Months(_) | Period::Years(_) => {
                let (raw, clamped) = self.raw_end(start, period)?;
                let _ = write!(
                    t,
                    "{start} 起算（当日不计入），{}届满 {raw}（{}）",
                    describe(period),
                    self.day_note(raw)
                );
                if clamped {
                    t.push_str("，到期月无对应日，取月末");
                }
                if raw == due {
                    t.push_str("，为工作日，不顺延");
                } else {
                    let _ = write!(t, "，顺延至 {due}（{}）", self.day_note(due));
                }
            }
            Period::WorkingDays(n) => {
                let s = self.idx(start)?;
                let d = self.idx(due)?;
                let skipped = d - s - n as usize;
                let _ = write!(
                    t,
                    "{start} 起算（当日不计入），第 {n} 个工作日为 {due}（{}）",
                    self.day_note(due)
                );
                if skipped > 0 {
                    let holidays: BTreeSet<&str> = (s + 1..d)
                        .filter_map(|i| self.names.get(&(i as u32)))
                        .filter(|(k, _)| *k == DayKind::Holiday)
                        .map(|(_, n)| n.as_str())
                        .collect();
                    let what = if holidays.is_empty() {
                        "周末".to_string()
                    } else {
                        format!(
                            "{}假期及周末",
                            holidays.into_iter().collect::<Vec<_>>().join("、")
                        )
                    };
                    let _ = write!(t, "，期间不计{what}共 {skipped} 日");
                }
            }
            Period::WorkingDaysBefore(n) => {
                let _ = write!(
                    t,
                    "{start} 之前（不含当日）倒数第 {n} 个工作日为 {due}（{}）",
                    self.day_note(due)
                );
            }
        }
        if provisional {
            t.push_str(&provisional_note(self, start, due));
        }
        Ok(Explained {
            due,
            provisional,
            trace: t,
        })
    }
}

fn describe(p: Period) -> String {
    match p {
        Period::CalendarDays(n) => format!("{n} 日"),
        Period::WorkingDays(n) => format!("{n} 个工作日"),
        Period::Months(n) => format!("{n} 个月"),
        Period::Years(n) => format!("{n} 年"),
        Period::WorkingDaysBefore(n) => format!("提前 {n} 个工作日"),
    }
}

fn provisional_note(cal: &Calendar, from: Date, to: Date) -> String {
    let (a, b) = if from <= to {
        (from.year(), to.year())
    } else {
        (to.year(), from.year())
    };
    let missing: Vec<String> = (a..=b)
        .filter(|y| !cal.covered.contains(y))
        .map(|y| y.to_string())
        .collect();
    format!(
        "。【临时结果】{}年放假安排尚未载入，暂按仅周末休息计算，载入后将自动重算",
        missing.join("、")
    )
}

#[cfg(test)]
mod tests {

    #[test]
    fn period_labels() {
        let l = |t: &str| t.parse::<Period>().unwrap().label();
        assert_eq!(l("calendar_days:15"), "15日");
        assert_eq!(l("working_days:5"), "5个工作日");
        assert_eq!(l("months:6"), "6个月");
        assert_eq!(l("years:2"), "2年");
        assert_eq!(l("working_days_before:5"), "届满前第5个工作日");
    }

    use super::*;
    use jiff::civil::date;

    fn cal() -> Calendar {
        Calendar::national()
    }

    fn due(start: &str, rule: &str) -> String {
        cal()
            .due(start.parse().unwrap(), rule.parse().unwrap())
            .unwrap()
            .due
            .to_string()
    }

    #[test]
    fn day_numbers_round_trip() {
        for n in [-1, 0, 1, 10_957, 11_016, 47_482, 47_847] {
            let (y, m, d) = civil_from_days(n);
            assert_eq!(days_from_civil(y, m, d), n);
        }
        assert_eq!(date_of(days_from_civil(2024, 2, 29)), date(2024, 2, 29));
    }

    /// Tricky dates: Spring Festival, National Day, 调休 Saturdays and Sundays, the 2020
    /// extension, month ends, leap days, year boundaries.
    #[test]
    fn table() {
        let cases = [
            // The example of the issue: ends in the National Day holiday, rolls to Tuesday.
            ("2024-09-20", "calendar_days:15", "2024-10-08"),
            // Ends on a 调休 working Sunday: no roll.
            ("2024-09-14", "calendar_days:15", "2024-09-29"),
            // Ends on the 调休 working Saturday after National Day 2024.
            ("2024-09-27", "calendar_days:15", "2024-10-12"),
            // Ends on an ordinary Saturday: rolls to Monday.
            ("2024-03-01", "calendar_days:15", "2024-03-18"),
            // Spring Festival 2024 (02-10 … 02-17 off; 02-04 Sun and 02-18 Sun working).
            ("2024-01-31", "calendar_days:10", "2024-02-18"),
            ("2024-02-01", "calendar_days:10", "2024-02-18"),
            ("2024-02-05", "working_days:5", "2024-02-18"),
            // The 2020 COVID extension of the Spring Festival (to 2020-02-02).
            ("2020-01-20", "calendar_days:10", "2020-02-03"),
            ("2020-01-22", "working_days:3", "2020-02-04"),
            // Working days across National Day 2024 (09-29 Sun and 10-12 Sat are working days):
            // 09-29, 09-30, 10-08 … 10-12, 10-14, 10-15, 10-16.
            ("2024-09-27", "working_days:10", "2024-10-16"),
            ("2024-09-20", "working_days:5", "2024-09-27"),
            ("2024-09-27", "working_days:1", "2024-09-29"),
            // 2025 National Day + Mid-autumn (10-01 … 10-08; 09-28 Sun, 10-11 Sat working):
            // 09-28, 09-29, 09-30, 10-09, 10-10, 10-11, 10-13 … 10-16.
            ("2025-09-26", "working_days:10", "2025-10-16"),
            // Months: corresponding day, clamped to the month end, then rolled.
            ("2014-05-28", "months:3", "2014-08-28"),
            ("2024-01-31", "months:1", "2024-02-29"),
            ("2023-01-31", "months:1", "2023-02-28"),
            ("2024-08-31", "months:6", "2025-02-28"),
            // Corresponding day 2023-09-30 is in the National Day holiday; the first working day
            // after it is the 调休 working Saturday 2023-10-07.
            ("2023-03-31", "months:6", "2023-10-07"),
            // Leap day + 1 year: no corresponding day, month end.
            ("2024-02-29", "years:1", "2025-02-28"),
            ("2024-02-29", "years:4", "2028-02-29"),
            // Year boundary into New Year's Day 2025 (01-01 off).
            ("2024-12-17", "calendar_days:15", "2025-01-02"),
            ("2024-12-30", "working_days:2", "2025-01-02"),
            // Internal targets: the N-th working day strictly before a court deadline
            // (09-30, 09-29 调休, 09-27, 09-26, 09-25; and 10-12 调休, 10-11, 10-10).
            ("2024-10-08", "working_days_before:5", "2024-09-25"),
            ("2024-10-14", "working_days_before:3", "2024-10-10"),
        ];
        for (start, rule, want) in cases {
            assert_eq!(due(start, rule), want, "{start} + {rule}");
        }
    }

    #[test]
    fn explanation_in_chinese() {
        let e = cal()
            .explain(date(2024, 9, 20), Period::CalendarDays(15))
            .unwrap();
        assert_eq!(
            e.trace,
            "2024-09-20 起算（当日不计入），15 日届满 2024-10-05（国庆节假期），顺延至 2024-10-08（星期二）"
        );
        assert!(!e.provisional);
        let e = cal()
            .explain(date(2024, 9, 14), Period::CalendarDays(15))
            .unwrap();
        assert!(
            e.trace.contains("国庆节调休上班") && e.trace.contains("不顺延"),
            "{}",
            e.trace
        );
        let e = cal()
            .explain(date(2024, 9, 27), Period::WorkingDays(10))
            .unwrap();
        assert!(e.trace.contains("国庆节假期及周末"), "{}", e.trace);
        let e = cal().explain(date(2024, 1, 31), Period::Months(1)).unwrap();
        assert!(e.trace.contains("取月末"), "{}", e.trace);
    }

    #[test]
    fn provisional_beyond_the_notices() {
        let e = cal()
            .explain(date(2026, 12, 20), Period::CalendarDays(15))
            .unwrap();
        assert!(e.provisional);
        assert!(e.trace.contains("2027年放假安排尚未载入"), "{}", e.trace);
        assert!(
            !cal()
                .explain(date(2026, 12, 1), Period::CalendarDays(15))
                .unwrap()
                .provisional
        );
    }

    #[test]
    fn loading_a_year_recomputes() {
        // A made-up 2027 notice: 2027-01-01 … 01-03 off, 2027-01-04 is a Monday.
        let csv = "date,kind,name\n2027-01-01,holiday,New Year's Day\n2027-01-04,holiday,New Year's Day\n";
        let (mut entries, mut years) = parse_calendar_csv(NATIONAL_CSV).unwrap();
        let (more, more_years) = parse_calendar_csv(csv).unwrap();
        entries.extend(more);
        years.extend(more_years);
        let c = Calendar::build(&entries, &years);
        let d = c.due(date(2026, 12, 20), Period::CalendarDays(15)).unwrap();
        assert_eq!(d.due, date(2027, 1, 5));
        assert!(!d.provisional);
    }

    #[test]
    fn suspension_and_extension() {
        let c = cal();
        // 60 days from 2024-03-01 = 2024-04-30; a 10-day suspension inside pushes it 10 days.
        let plain = c
            .due(date(2024, 3, 1), Period::CalendarDays(60))
            .unwrap()
            .due;
        assert_eq!(plain, date(2024, 4, 30));
        let e = c
            .due_with(
                date(2024, 3, 1),
                Period::CalendarDays(60),
                &[(date(2024, 3, 11), date(2024, 3, 20))],
                None,
            )
            .unwrap();
        assert_eq!(e.due, date(2024, 5, 10));
        assert!(e.trace.contains("中止期间 10 日"), "{}", e.trace);
        // A suspension entirely after the due date changes nothing.
        let e = c
            .due_with(
                date(2024, 3, 1),
                Period::CalendarDays(60),
                &[(date(2024, 6, 1), date(2024, 6, 5))],
                None,
            )
            .unwrap();
        assert_eq!(e.due, plain);
        // Working days: suspended working days are added back.
        let e = c
            .due_with(
                date(2024, 3, 1),
                Period::WorkingDays(10),
                &[(date(2024, 3, 4), date(2024, 3, 8))],
                None,
            )
            .unwrap();
        assert_eq!(
            e.due,
            c.due(date(2024, 3, 1), Period::WorkingDays(15))
                .unwrap()
                .due
        );
        // R15: 60 days, extended by at most 30 days from the original expiry.
        let e = c
            .due_with(
                date(2024, 3, 1),
                Period::CalendarDays(60),
                &[],
                Some(Period::CalendarDays(30)),
            )
            .unwrap();
        assert_eq!(e.due, date(2024, 5, 30));
        assert!(e.trace.contains("经批准延长"), "{}", e.trace);
    }

    #[test]
    fn rules_parse_and_reject() {
        assert_eq!(
            "calendar_days:15".parse::<Period>().unwrap(),
            Period::CalendarDays(15)
        );
        assert_eq!(
            " working_days : 10 ".parse::<Period>().unwrap(),
            Period::WorkingDays(10)
        );
        for bad in [
            "",
            "days:15",
            "calendar_days",
            "calendar_days:0",
            "calendar_days:-1",
            "calendar_days:x",
            "months:5000",
            "calendar_days:99999",
        ] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
        assert_eq!(Period::Months(6).to_string(), "months:6");
    }

    #[test]
    fn calendar_file_errors() {
        assert_eq!(
            parse_calendar_csv("date,kind\n2027-02-30,holiday,x")
                .unwrap_err()
                .line,
            2
        );
        assert!(
            parse_calendar_csv("2027-01-05,workday_on_weekend,x")
                .unwrap_err()
                .message
                .contains("不是周末")
        );
        assert!(
            parse_calendar_csv("2027-01-01,rest,x")
                .unwrap_err()
                .message
                .contains("无效")
        );
        assert!(
            parse_calendar_csv("2027-01-01,holiday,x\n2027-01-01,holiday,y")
                .unwrap_err()
                .message
                .contains("重复")
        );
        assert!(parse_calendar_csv("date,kind,name\n").is_err());
        let (e, y) = parse_calendar_csv(NATIONAL_CSV).unwrap();
        assert_eq!(e.len(), 771);
        assert_eq!(y.iter().next(), Some(&2004));
        assert_eq!(y.iter().last(), Some(&2026));
    }

    #[test]
    fn out_of_range() {
        assert_eq!(
            cal()
                .due(date(2100, 12, 30), Period::CalendarDays(15))
                .unwrap_err(),
            PeriodError::OutOfRange
        );
        assert_eq!(
            cal()
                .due(date(1999, 12, 31), Period::CalendarDays(1))
                .unwrap_err(),
            PeriodError::OutOfRange
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;
        use std::sync::OnceLock;

        fn shared() -> &'static Calendar {
            static C: OnceLock<Calendar> = OnceLock::new();
            C.get_or_init(Calendar::national)
        }

        fn any_date() -> impl Strategy<Value = Date> {
            (days_from_civil(2004, 1, 1)..days_from_civil(2028, 12, 31)).prop_map(date_of)
        }

        fn any_period() -> impl Strategy<Value = Period> {
            prop_oneof![
                (1u16..400).prop_map(Period::CalendarDays),
                (1u16..200).prop_map(Period::WorkingDays),
                (1u16..36).prop_map(Period::Months),
                (1u16..5).prop_map(Period::Years),
            ]
        }

        proptest! {
            #[test]
            fn a_due_date_is_never_a_rest_day(start in any_date(), p in any_period()) {
                let d = shared().due(start, p).unwrap().due;
                prop_assert!(!shared().is_rest_day(d).unwrap());
                prop_assert!(d > start);
            }

            #[test]
            fn monotone_in_the_start_date(a in any_date(), b in any_date(), p in any_period()) {
                let (a, b) = if a <= b { (a, b) } else { (b, a) };
                prop_assert!(shared().due(a, p).unwrap().due <= shared().due(b, p).unwrap().due);
            }

            #[test]
            fn working_days_span_exactly_n_working_days(start in any_date(), n in 1u16..300) {
                let c = shared();
                let due = c.due(start, Period::WorkingDays(n)).unwrap().due;
                let mut count = 0;
                let mut d = start.tomorrow().unwrap();
                while d <= due {
                    if !c.is_rest_day(d).unwrap() { count += 1; }
                    d = d.tomorrow().unwrap();
                }
                prop_assert_eq!(count, n);
            }

            #[test]
            fn working_days_before_is_the_inverse(start in any_date(), n in 1u16..60) {
                // Going n working days forward and n back lands on the last working day on or
                // before the start.
                let c = shared();
                let due = c.due(start, Period::WorkingDays(n)).unwrap().due;
                let back = c.due(due, Period::WorkingDaysBefore(n)).unwrap().due;
                prop_assert!(back <= start);
                prop_assert!(!c.is_rest_day(back).unwrap());
                let mut d = back.tomorrow().unwrap();
                while d <= start {
                    prop_assert!(c.is_rest_day(d).unwrap());
                    d = d.tomorrow().unwrap();
                }
            }

            #[test]
            fn calendar_days_match_a_day_by_day_walk(start in any_date(), n in 1u16..400) {
                let c = shared();
                let mut d = start;
                for _ in 0..n { d = d.tomorrow().unwrap(); }
                while c.is_rest_day(d).unwrap() { d = d.tomorrow().unwrap(); }
                prop_assert_eq!(c.due(start, Period::CalendarDays(n)).unwrap().due, d);
            }
        }
    }
}
