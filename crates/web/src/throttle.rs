//! Login throttling (登录失败处理, 等保 level 3 / ASVS V2.2): growing delays instead of a lock
//! that anyone could trigger.
//!
//! Every password check is counted *before* the password is verified, under one lock, against
//! three keys: the typed name from this source, the source (any name), and the typed name (any
//! source). A key that has reached its free attempts answers "wait" for a delay that doubles
//! with each further failure, up to a cap; a successful login clears the name's counts.
//! - The name is counted whether or not an account of that name exists, and the refusal is the
//!   same text and status for both, so names cannot be probed by how they are throttled.
//! - Counting before verifying makes concurrent guesses count: 40 parallel wrong passwords get
//!   5 checks, not 39.
//! - Someone guessing from one place cannot stop the user elsewhere: the name-from-this-source
//!   key throttles first (5 free), the name alone only after many more (50 free) and for
//!   shorter.
//! - The administrator clears a name's counts (解除登录限制 on 用户管理, `POST
//!   /api/v1/users/{id}/unlock`, and a password reset).
//!
//! The counts live in memory (an attack does not grow the database; a restart forgets them).
//! Not a token-bucket crate such as governor: what is needed is a delay that grows with the
//! failures and is cleared by a success, which GCRA does not model. Password hashing runs off
//! the request threads ([`crate::auth`]), so a flood of guesses cannot stall other requests.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many failures a key allows freely, the first delay after that, and the longest.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub free: u32,
    pub first: Duration,
    pub cap: Duration,
}

impl Limit {
    fn delay(&self, failures: u32) -> Option<Duration> {
        (failures >= self.free).then(|| {
            let doublings = (failures - self.free).min(20);
            self.first.saturating_mul(1u32 << doublings).min(self.cap)
        })
    }
}

/// The limits of the three keys.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// A name from one source.
    pub name_source: Limit,
    /// A source, whatever the name.
    pub source: Limit,
    /// A name, from anywhere.
    pub name: Limit,
}

impl Default for Limits {
    fn default() -> Self {
        let min = |m: u64| Duration::from_secs(60 * m);
        Limits {
            name_source: Limit {
                free: huajie_domain::user::FREE_LOGIN_ATTEMPTS as u32,
                first: Duration::from_secs(2),
                cap: min(15),
            },
            source: Limit {
                free: 20,
                first: Duration::from_secs(2),
                cap: min(15),
            },
            name: Limit {
                free: 50,
                first: Duration::from_secs(1),
                cap: min(5),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    NameSource(String, String),
    Source(String),
    Name(String),
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    blocked_until: Instant,
    last: Instant,
}

/// Counts are forgotten this long after a key's last failure.
const FORGET_AFTER: Duration = Duration::from_secs(30 * 60);
/// Past this many keys, forgotten ones are swept on the next attempt.
const SWEEP_ABOVE: usize = 10_000;

/// The login throttle of one server process.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    limits: Limits,
    keys: Mutex<HashMap<Key, Entry>>,
}

/// A password check allowed to proceed; report its result with [`LoginThrottle::succeeded`].
#[derive(Debug)]
pub struct Attempt {
    name: String,
    source: String,
}

/// The name as counted: trimmed, lower case, at most 64 characters.
fn norm(name: &str) -> String {
    name.trim().to_lowercase().chars().take(64).collect()
}

impl LoginThrottle {
    pub fn new(limits: Limits) -> LoginThrottle {
        LoginThrottle {
            limits,
            keys: Mutex::default(),
        }
    }

    fn limit(&self, k: &Key) -> Limit {
        match k {
            Key::NameSource(..) => self.limits.name_source,
            Key::Source(_) => self.limits.source,
            Key::Name(_) => self.limits.name,
        }
    }

    /// Counts an attempt of `name` from `source` as a failure until it succeeds; refuses with
    /// the time to wait when any of its keys is throttled.
    pub fn begin(&self, name: &str, source: &str) -> Result<Attempt, Duration> {
        self.begin_at(name, source, Instant::now())
    }

    pub(crate) fn begin_at(
        &self,
        name: &str,
        source: &str,
        now: Instant,
    ) -> Result<Attempt, Duration> {
        let name = norm(name);
        let keys = [
            Key::NameSource(name.clone(), source.to_string()),
            Key::Source(source.to_string()),
            Key::Name(name.clone()),
        ];
        let mut map = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > SWEEP_ABOVE {
            map.retain(|_, e| now.saturating_duration_since(e.last) < FORGET_AFTER);
        }
        let wait = keys
            .iter()
            .filter_map(|k| map.get(k))
            .filter(|e| now.saturating_duration_since(e.last) < FORGET_AFTER)
            .map(|e| e.blocked_until.saturating_duration_since(now))
            .max()
            .unwrap_or_default();
        if !wait.is_zero() {
            return Err(wait);
        }
        for k in keys {
            let limit = self.limit(&k);
            let e = map.entry(k).or_insert(Entry {
                failures: 0,
                blocked_until: now,
                last: now,
            });
            if now.saturating_duration_since(e.last) >= FORGET_AFTER {
                e.failures = 0;
            }
            e.failures += 1;
            e.last = now;
            e.blocked_until = now + limit.delay(e.failures).unwrap_or_default();
        }
        Ok(Attempt {
            name,
            source: source.to_string(),
        })
    }

    /// The password was right: the name's counts are cleared, and the source's count gives
    /// back this attempt.
    pub fn succeeded(&self, a: Attempt) {
        let mut map = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&Key::NameSource(a.name.clone(), a.source.clone()));
        map.remove(&Key::Name(a.name));
        let limit = self.limits.source;
        if let Some(e) = map.get_mut(&Key::Source(a.source)) {
            e.failures = e.failures.saturating_sub(1);
            if limit.delay(e.failures).is_none() {
                e.blocked_until = e.last;
            }
        }
    }

    /// The password was wrong: each key past its free attempts is blocked for its delay from
    /// now (the answer), however long the check took.
    pub fn failed(&self, a: Attempt) {
        self.failed_at(a, Instant::now());
    }

    pub(crate) fn failed_at(&self, a: Attempt, now: Instant) {
        let keys = [
            Key::NameSource(a.name.clone(), a.source.clone()),
            Key::Source(a.source),
            Key::Name(a.name),
        ];
        let mut map = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        for k in keys {
            let limit = self.limit(&k);
            if let Some(e) = map.get_mut(&k)
                && let Some(d) = limit.delay(e.failures)
            {
                e.blocked_until = e.blocked_until.max(now + d);
            }
        }
    }

    /// Clears every count of a name (the administrator's 解除登录限制, a password reset).
    pub fn unlock(&self, name: &str) {
        let name = norm(name);
        let mut map = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|k, _| match k {
            Key::NameSource(n, _) | Key::Name(n) => *n != name,
            Key::Source(_) => true,
        });
    }

    /// The names that have used up their free attempts somewhere and are not forgotten yet,
    /// so that their next failure there is delayed (用户管理 shows them with 解除登录限制).
    pub fn throttled_names(&self) -> std::collections::HashSet<String> {
        let now = Instant::now();
        let map = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        map.iter()
            .filter(|(k, e)| {
                e.failures >= self.limit(k).free
                    && now.saturating_duration_since(e.last) < FORGET_AFTER
            })
            .filter_map(|(k, _)| match k {
                Key::NameSource(n, _) | Key::Name(n) => Some(n.clone()),
                Key::Source(_) => None,
            })
            .collect()
    }
}

/// The wait in words: "N秒" or "N分钟".
pub fn wait_text(d: Duration) -> String {
    let s = d.as_secs().max(1);
    if s < 60 {
        format!("{s}秒")
    } else {
        format!("{}分钟", s.div_ceil(60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guess(t: &LoginThrottle, name: &str, src: &str, now: Instant) -> Result<Attempt, Duration> {
        t.begin_at(name, src, now)
    }

    #[test]
    fn five_free_then_growing_delays_per_name_and_source() {
        let t = LoginThrottle::default();
        let t0 = Instant::now();
        for i in 0..5 {
            assert!(guess(&t, "coord", "10.0.0.1", t0).is_ok(), "attempt {i}");
        }
        // The 6th at once: wait 2 s.
        assert_eq!(
            guess(&t, "Coord ", "10.0.0.1", t0).unwrap_err(),
            Duration::from_secs(2)
        );
        // After it, one more attempt, then 4 s.
        assert!(guess(&t, "coord", "10.0.0.1", t0 + Duration::from_secs(2)).is_ok());
        assert_eq!(
            guess(&t, "coord", "10.0.0.1", t0 + Duration::from_secs(2)).unwrap_err(),
            Duration::from_secs(4)
        );
        // The same name from elsewhere is not stopped.
        assert!(guess(&t, "coord", "10.0.0.2", t0 + Duration::from_secs(2)).is_ok());
        // A success clears the name's count from anywhere and from that source, not the
        // guesser's count from its own source.
        let a = guess(&t, "coord", "10.0.0.3", t0 + Duration::from_secs(3)).unwrap();
        t.succeeded(a);
        assert!(guess(&t, "coord", "10.0.0.1", t0 + Duration::from_secs(3)).is_err());
        assert!(
            !t.keys
                .lock()
                .unwrap()
                .contains_key(&Key::Name("coord".into()))
        );
    }

    #[test]
    fn delays_are_capped_and_forgotten() {
        let t = LoginThrottle::default();
        let mut now = Instant::now();
        for _ in 0..30 {
            match guess(&t, "x", "s", now) {
                Ok(_) => {}
                Err(w) => {
                    assert!(w <= Duration::from_secs(15 * 60));
                    now += w;
                }
            }
        }
        // Past the free attempts every failure is followed by a wait, at most the cap.
        while let Err(w) = guess(&t, "x", "s", now) {
            now += w;
        }
        let w = guess(&t, "x", "s", now).unwrap_err();
        assert_eq!(w, Duration::from_secs(15 * 60));
        assert!(guess(&t, "x", "s", now + FORGET_AFTER + Duration::from_secs(1)).is_ok());
    }

    #[test]
    fn a_source_spraying_names_is_throttled() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for i in 0..20 {
            assert!(guess(&t, &format!("user{i}"), "evil", now).is_ok());
        }
        assert!(guess(&t, "someone", "evil", now).is_err());
        assert!(guess(&t, "someone", "good", now).is_ok());
    }

    #[test]
    fn unknown_and_known_names_count_alike_and_unlock_clears() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..5 {
            guess(&t, "nobody", "s", now).unwrap();
            guess(&t, "coord", "s2", now).unwrap();
        }
        assert_eq!(
            guess(&t, "nobody", "s", now).unwrap_err(),
            guess(&t, "coord", "s2", now).unwrap_err()
        );
        t.unlock("COORD");
        assert!(guess(&t, "coord", "s2", now).is_ok());
        assert!(guess(&t, "nobody", "s", now).is_err());
    }

    #[test]
    fn parallel_guesses_are_all_counted() {
        let t = std::sync::Arc::new(LoginThrottle::default());
        let passed: usize = (0..40)
            .map(|_| {
                let t = t.clone();
                std::thread::spawn(move || t.begin("coord", "s").is_ok() as usize)
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|h| h.join().unwrap())
            .sum();
        assert_eq!(passed, 5);
    }

    #[test]
    fn the_delay_runs_from_the_refusal_of_a_slow_check() {
        // Regression: under load the 5th check took longer than the 2 s delay, and the 6th
        // try (with the right password) got through.
        let t = LoginThrottle::new(Limits::default());
        let t0 = Instant::now();
        for _ in 0..4 {
            let a = guess(&t, "leader", "10.0.0.1", t0).unwrap();
            t.failed_at(a, t0);
        }
        let a = guess(&t, "leader", "10.0.0.1", t0).unwrap();
        let answered = t0 + Duration::from_secs(3);
        t.failed_at(a, answered);
        assert!(
            guess(
                &t,
                "leader",
                "10.0.0.1",
                answered + Duration::from_millis(100)
            )
            .is_err()
        );
        assert!(guess(&t, "leader", "10.0.0.1", answered + Duration::from_secs(2)).is_ok());
    }

    #[test]
    fn wait_in_words() {
        assert_eq!(wait_text(Duration::from_millis(300)), "1秒");
        assert_eq!(wait_text(Duration::from_secs(32)), "32秒");
        assert_eq!(wait_text(Duration::from_secs(61)), "2分钟");
    }
}
