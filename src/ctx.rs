//! Who acts and when. Every command runs with a `Ctx`: the acting staff member and the clock.
//! The clock is explicit so that due/overdue rules are tested on a fixed date.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Local, NaiveDate, SecondsFormat, Utc};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Ctx {
    /// The acting staff member: signed in to the app, or `--as` with their own passphrase.
    pub actor: Option<Uuid>,
    /// Now, in UTC (stored timestamps).
    pub now: DateTime<Utc>,
    /// Today's date where the user is (due/overdue rules, default dates).
    pub today: NaiveDate,
    /// Seeded id source for reproducible demo data; None uses the system's randomness.
    pub ids: Option<Arc<Mutex<fastrand::Rng>>>,
}

impl Ctx {
    /// The real clock, with today taken in the machine's local time zone.
    pub fn system(actor: Option<Uuid>) -> Ctx {
        let now = Utc::now();
        Ctx {
            actor,
            now,
            today: now.with_timezone(&Local).date_naive(),
            ids: None,
        }
    }

    /// A fixed clock: 04:00 UTC of `today` (noon in China), for tests and demo data.
    pub fn fixed(actor: Option<Uuid>, today: NaiveDate) -> Ctx {
        let now = today
            .and_hms_opt(4, 0, 0)
            .map(|t| t.and_utc())
            .unwrap_or_else(Utc::now);
        Ctx {
            actor,
            now,
            today,
            ids: None,
        }
    }

    /// The real clock with "today" moved to `today` (a demo database worked on as if it were
    /// another day): due and overdue rules follow `today`, while every timestamp written —
    /// the audit trail's first — is the real time.
    pub fn moved(actor: Option<Uuid>, today: NaiveDate) -> Ctx {
        Ctx {
            today,
            ..Ctx::system(actor)
        }
    }

    pub fn with_actor(&self, actor: Uuid) -> Ctx {
        Ctx {
            actor: Some(actor),
            ..self.clone()
        }
    }

    /// A fresh primary key: UUIDv7 (time-ordered, merge-safe across devices).
    pub fn new_id(&self) -> String {
        match &self.ids {
            None => Uuid::now_v7().to_string(),
            Some(rng) => {
                let mut bytes = [0u8; 10];
                if let Ok(mut rng) = rng.lock() {
                    rng.fill(&mut bytes);
                }
                let ms = u64::try_from(self.now.timestamp_millis()).unwrap_or(0);
                uuid::Builder::from_unix_timestamp_millis(ms, &bytes)
                    .into_uuid()
                    .to_string()
            }
        }
    }

    pub fn timestamp(&self) -> String {
        self.now.to_rfc3339_opts(SecondsFormat::Millis, true)
    }
}
