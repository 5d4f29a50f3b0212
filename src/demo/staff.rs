//! The generated records' ids and staff: seeded UUIDv7 keys, and the caseworker of each
//! township and supervisor of each county, named from the seed and the division alone.

use rusqlite::params;
use rustc_hash::FxHashMap as HashMap;

use super::rows::Stmts;
use super::words::{person_name, surname};
use crate::error::ApiResult;

/// Primary keys of generated rows: UUIDv7 from a seeded source, one millisecond apart.
pub(super) struct Ids {
    pub(super) rng: fastrand::Rng,
    pub(super) ms: u64,
}

impl Ids {
    pub(super) fn next(&mut self) -> String {
        let mut b = [0u8; 10];
        self.rng.fill(&mut b);
        self.ms += 1;
        uuid::Builder::from_unix_timestamp_millis(self.ms, &b)
            .into_uuid()
            .to_string()
    }
}

/// The generated staff: a caseworker per township and a supervisor per county, made when the
/// first household there is. A person's name depends only on the seed and the division, never
/// on the date the demo is anchored on (the households drawn before it do), so the same demo
/// seed offers the same names to sign in with on any day.
pub(super) struct StaffBook {
    seed: u64,
    /// Township code → its caseworker's id.
    caseworkers: HashMap<String, String>,
    /// County code → its supervisor's id.
    supervisors: HashMap<String, String>,
}

impl StaffBook {
    pub(super) fn new(seed: u64) -> StaffBook {
        StaffBook {
            seed,
            caseworkers: HashMap::default(),
            supervisors: HashMap::default(),
        }
    }

    /// The `role` of `division`, written to the staff table the first time it is asked for.
    pub(super) fn member(
        &mut self,
        s: &mut Stmts,
        ids: &mut Ids,
        now_ts: &str,
        division: &str,
        role: &'static str,
    ) -> ApiResult<String> {
        let made = if role == "supervisor" {
            &mut self.supervisors
        } else {
            &mut self.caseworkers
        };
        // Looked up by &str: no allocation for the households after the first of a division.
        if let Some(id) = made.get(division) {
            return Ok(id.clone());
        }
        // Division codes are digits; a code that is not still gets a stable seed of its own.
        let code = division.parse::<u64>().unwrap_or_else(|_| {
            division
                .bytes()
                .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
        });
        let role_salt: u64 = if role == "supervisor" { 0x5350 } else { 0x4357 };
        let mut rng = fastrand::Rng::with_seed(
            self.seed
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .wrapping_add(code)
                .wrapping_mul(0xBF58_476D_1CE4_E5B9)
                ^ role_salt,
        );
        let id = ids.next();
        let f = surname(&mut rng);
        s.staff.execute(params![
            id,
            person_name(&mut rng, f, true),
            role,
            division,
            now_ts
        ])?;
        made.insert(division.to_string(), id.clone());
        Ok(id)
    }
}
