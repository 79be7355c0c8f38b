//! Refused requests in the audit log without flooding it (issue 15, point 5). The first refusal
//! of a kind is written at once; identical ones (same who, same method, same path with its
//! numeric segments folded, so probing ids 1…1000 is one kind) within the next ten minutes are only
//! counted, and the count goes into the next row of that kind, or is written by
//! [`DenialLog::flush`] (the clock worker) once the window has passed. Bad API tokens are
//! refusals too, keyed by the client's address.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long identical refusals are folded into one row.
pub const WINDOW: Duration = Duration::from_secs(10 * 60);
const SWEEP_ABOVE: usize = 10_000;

/// A refusal to record: who (a user, or a client address for a bad token) and what.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Denial {
    /// The user id, or 0 for a request with a bad token.
    pub user_id: i64,
    /// The user's name, or the client's address.
    pub who: String,
    pub method: String,
    /// The path with every run of digits replaced by `{n}`.
    pub shape: String,
}

#[derive(Debug, Clone)]
struct Window {
    started: Instant,
    /// Identical refusals not written since the window's row.
    folded: u32,
    /// The first path of the folded ones and its status (for the row written later).
    path: String,
    status: u16,
}

/// The refusals of this server process, folded per kind.
#[derive(Debug, Default)]
pub struct DenialLog {
    windows: Mutex<HashMap<Denial, Window>>,
}

/// What to write now: the path, the status and how many identical refusals were folded before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Write {
    pub path: String,
    pub status: u16,
    pub folded_before: u32,
}

/// A path with its numeric segments folded: `/api/v1/proceedings/123` →
/// `/api/v1/proceedings/{n}`.
pub fn shape(path: &str) -> String {
    let path: String = path.chars().take(300).collect();
    path.split('/')
        .map(|seg| {
            if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
                "{n}"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

impl DenialLog {
    /// Whether this refusal is written now (with the count folded since the last row of its
    /// kind) or only counted.
    pub fn admit(&self, d: Denial, path: &str, status: u16) -> Option<Write> {
        self.admit_at(d, path, status, Instant::now())
    }

    pub(crate) fn admit_at(
        &self,
        d: Denial,
        path: &str,
        status: u16,
        now: Instant,
    ) -> Option<Write> {
        let mut map = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > SWEEP_ABOVE {
            map.retain(|_, w| now.saturating_duration_since(w.started) < WINDOW || w.folded > 0);
        }
        let fresh = Window {
            started: now,
            folded: 0,
            path: path.to_string(),
            status,
        };
        match map.get_mut(&d) {
            Some(w) if now.saturating_duration_since(w.started) < WINDOW => {
                w.folded += 1;
                None
            }
            Some(w) => {
                let folded_before = w.folded;
                *w = fresh;
                Some(Write {
                    path: path.to_string(),
                    status,
                    folded_before,
                })
            }
            None => {
                map.insert(d, fresh);
                Some(Write {
                    path: path.to_string(),
                    status,
                    folded_before: 0,
                })
            }
        }
    }

    /// The kinds whose window has passed with refusals folded into it: each is to be written
    /// as one row with its count (and is forgotten).
    pub fn flush(&self) -> Vec<(Denial, Write)> {
        self.flush_at(Instant::now())
    }

    pub(crate) fn flush_at(&self, now: Instant) -> Vec<(Denial, Write)> {
        let mut map = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let due: Vec<Denial> = map
            .iter()
            .filter(|(_, w)| now.saturating_duration_since(w.started) >= WINDOW)
            .map(|(d, _)| d.clone())
            .collect();
        due.into_iter()
            .filter_map(|d| {
                let w = map.remove(&d)?;
                (w.folded > 0).then_some({
                    (
                        d,
                        Write {
                            path: w.path,
                            status: w.status,
                            folded_before: w.folded,
                        },
                    )
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(user: i64, path: &str) -> Denial {
        Denial {
            user_id: user,
            who: format!("u{user}"),
            method: "GET".into(),
            shape: shape(path),
        }
    }

    #[test]
    fn numbers_fold() {
        assert_eq!(
            shape("/api/v1/proceedings/123/events/9"),
            "/api/v1/proceedings/{n}/events/{n}"
        );
        assert_eq!(shape("/units"), "/units");
    }

    #[test]
    fn a_thousand_probes_are_one_row_with_a_count() {
        let log = DenialLog::default();
        let t0 = Instant::now();
        let mut written = 0;
        for i in 1..=1000 {
            let p = format!("/api/v1/proceedings/{i}");
            if log.admit_at(d(7, &p), &p, 404, t0).is_some() {
                written += 1;
            }
        }
        assert_eq!(written, 1);
        // Another user, or another kind of request, is its own row.
        assert!(
            log.admit_at(d(8, "/api/v1/proceedings/1"), "/x", 404, t0)
                .is_some()
        );
        // After the window the count is written with the next row …
        let later = t0 + WINDOW + Duration::from_secs(1);
        let w = log
            .admit_at(
                d(7, "/api/v1/proceedings/5"),
                "/api/v1/proceedings/5",
                404,
                later,
            )
            .unwrap();
        assert_eq!(w.folded_before, 999);
        // … or by the flush when nothing came after.
        for _ in 0..3 {
            log.admit_at(d(9, "/units"), "/units", 403, t0);
        }
        let flushed = log.flush_at(later);
        assert_eq!(flushed.len(), 1);
        assert_eq!(flushed[0].1.folded_before, 2);
        assert!(log.flush_at(later).is_empty());
    }
}
