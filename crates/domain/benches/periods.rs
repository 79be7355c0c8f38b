//! Period arithmetic throughput: `cargo bench -p huajie-domain --bench periods`.
//! Prints computations per second on one core for each kind of period.

use std::hint::black_box;
use std::time::Instant;

use huajie_domain::calendar::{Calendar, Period};
use jiff::civil::Date;

fn main() {
    let cal = Calendar::national();
    // 4,096 start dates spread over 2004–2026 (a cheap LCG, no allocation in the loop).
    let first = Date::new(2004, 1, 1).unwrap();
    let mut x: u32 = 12345;
    let starts: Vec<Date> = (0..4096)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            first
                .checked_add(jiff::Span::new().days((x >> 8) as i64 % 8300))
                .unwrap()
        })
        .collect();
    let n = 10_000_000usize;
    for (label, period) in [
        ("calendar_days:15", Period::CalendarDays(15)),
        ("working_days:10", Period::WorkingDays(10)),
        ("months:6", Period::Months(6)),
        ("working_days_before:5", Period::WorkingDaysBefore(5)),
    ] {
        let t = Instant::now();
        let mut acc = 0i64;
        for i in 0..n {
            let d = cal
                .due(black_box(starts[i & 4095]), black_box(period))
                .unwrap();
            acc += d.due.day() as i64;
        }
        let secs = t.elapsed().as_secs_f64();
        black_box(acc);
        println!(
            "{label:<24} {n} computations in {secs:.3} s = {:.1} million/s",
            n as f64 / secs / 1e6
        );
    }
    let t = Instant::now();
    let built = Calendar::national();
    println!(
        "calendar build (2000–2100 tables) {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    black_box(built);
}
