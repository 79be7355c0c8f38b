//! The one clock (时钟) that deadlines, repetitions and timestamps read. It is the system time,
//! shifted by an offset an installation or a test sets: `huajie serve --today 2026-03-02` (or
//! `HUAJIE_TODAY`) runs a demonstration or a browser test "on" that day with time running on,
//! and story tests pass their day to the functions that take one (e.g.
//! [`crate::Store::advance_work_items`]). Sessions and lockouts keep the real time.

use std::sync::atomic::{AtomicI64, Ordering};

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

/// Seconds added to the system time.
static OFFSET_SECONDS: AtomicI64 = AtomicI64::new(0);

/// Beijing time (UTC+8, no daylight saving), the zone deadlines are judged in.
fn beijing() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::fixed(jiff::tz::offset(8))
}

/// The clock's current instant.
pub fn now() -> Timestamp {
    let real = Timestamp::now();
    real.checked_add(SignedDuration::from_secs(
        OFFSET_SECONDS.load(Ordering::Relaxed),
    ))
    .unwrap_or(real)
}

/// The clock's day in Beijing.
pub fn today() -> Date {
    now().to_zoned(beijing()).date()
}

/// Sets the clock so that today (in Beijing) is `day`, the time of day running on as it does.
pub fn set_today(day: Date) {
    let real = Timestamp::now().to_zoned(beijing()).date();
    let days = real.until(day).map(|s| s.get_days() as i64).unwrap_or(0);
    OFFSET_SECONDS.store(days * 86_400, Ordering::Relaxed);
}

/// Back to the system time.
pub fn reset() {
    OFFSET_SECONDS.store(0, Ordering::Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_can_be_set_to_a_day_and_reset() {
        set_today(jiff::civil::date(2030, 5, 6));
        assert_eq!(today(), jiff::civil::date(2030, 5, 6));
        reset();
        assert_eq!(today(), Timestamp::now().to_zoned(beijing()).date());
    }
}
