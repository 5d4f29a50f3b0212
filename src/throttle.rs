//! Wrong passphrases slow down. Each staff member's wrong tries (and those of a passphrase
//! tried without saying whose, and of the recovery code) are counted in the keyring file beside
//! the database, so the count survives a restart of the app or a new run of the CLI: after
//! [`FREE_TRIES`] wrong tries each further one doubles the wait before the next is even tried
//! (1 s, 2 s, 4 s … up to [`MAX_WAIT_SECS`]); a right one clears it. Forty guesses, once a few
//! seconds, now take hours. Offline guessing against a copied keyring is not slowed by this
//! but by the passphrase's strength and the Argon2id cost (`keyring.rs`).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Wrong tries allowed before the first wait.
pub const FREE_TRIES: u32 = 3;
/// The longest wait between two tries: 15 minutes.
pub const MAX_WAIT_SECS: i64 = 15 * 60;

/// The wrong tries of one person (or of the recovery code).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Throttle {
    pub failures: u32,
    /// No try before this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
}

impl Throttle {
    /// How long before the next try is allowed at `now`, if it is not yet (never more than
    /// [`MAX_WAIT_SECS`], whatever the file says or the clock did).
    pub fn wait(&self, now: DateTime<Utc>) -> Option<Duration> {
        self.until
            .filter(|u| *u > now)
            .map(|u| (u - now).min(Duration::seconds(MAX_WAIT_SECS)))
    }

    /// A wrong try at `now`.
    pub fn failed(&mut self, now: DateTime<Utc>) {
        self.failures = self.failures.saturating_add(1);
        if self.failures >= FREE_TRIES {
            let doublings = (self.failures - FREE_TRIES).min(20);
            let secs = (1i64 << doublings).min(MAX_WAIT_SECS);
            self.until = Some(now + Duration::seconds(secs));
        }
    }

    /// Whether anything is counted (a right try then clears it).
    pub fn is_clear(&self) -> bool {
        self.failures == 0 && self.until.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap_or_default()
    }

    #[test]
    fn the_wait_doubles_after_the_free_tries_and_is_capped() {
        let mut t = Throttle::default();
        for _ in 0..FREE_TRIES - 1 {
            t.failed(at(0));
            assert_eq!(t.wait(at(0)), None);
        }
        t.failed(at(0));
        assert_eq!(t.wait(at(0)), Some(Duration::seconds(1)));
        assert_eq!(t.wait(at(1)), None);
        t.failed(at(1));
        assert_eq!(t.wait(at(1)), Some(Duration::seconds(2)));
        for _ in 0..30 {
            t.failed(at(10));
        }
        assert_eq!(t.wait(at(10)), Some(Duration::seconds(MAX_WAIT_SECS)));
        // A file claiming a wait of years still waits at most the cap.
        t.until = Some(at(10 + 100 * 365 * 86_400));
        assert_eq!(t.wait(at(10)), Some(Duration::seconds(MAX_WAIT_SECS)));
    }
}
