//! `yihu demo`: a realistic, reproducible data set for trying the app, training and the
//! benchmarks. The article's two households are entered through the command surface exactly
//! as a caseworker would (with fictional names); the N generated households are bulk-loaded
//! with the same rules and invariants, fast enough for 100,000 households: one thread generates
//! rows into flat per-table buffers, a second writes them into the file with prepared
//! statements, and a third builds the search index in memory, copied into the file at the end.

mod article;
mod bulk;
mod generator;
mod plans;
mod rows;
mod staff;
mod words;

// Fx hashing: the generator looks names and ID numbers up a million times; no key here comes
// from outside the program, so a fast unkeyed hash is the right one.
use rustc_hash::FxHashSet as HashSet;
use std::sync::{Arc, Mutex};

use chrono::{Datelike, NaiveDate};
use rusqlite::Connection;
use serde::Serialize;
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::idcard;

pub struct Options {
    pub households: u32,
    pub seed: u64,
    pub today: NaiveDate,
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub admin_id: String,
    /// Staff of the article's households, by role and name (for `--as`).
    pub article_staff: Vec<Value>,
    pub article_case_nos: Vec<String>,
    pub households: i64,
    pub members: i64,
    pub visits: i64,
    pub occurrences: i64,
    pub staff: i64,
}

/// A date as SQL text (`YYYY-MM-DD`, as rusqlite writes a `NaiveDate`), formatted by hand:
/// chrono's formatter parses its format string on every call, which was a tenth of the
/// generator's time. Demo dates lie within years 1000–9999.
#[derive(Clone, Copy)]
struct Day([u8; 10]);

impl Day {
    fn new(d: NaiveDate) -> Day {
        let mut b = *b"0000-00-00";
        let digits = |b: &mut [u8], mut n: u32| {
            for c in b.iter_mut().rev() {
                *c = b'0' + (n % 10) as u8;
                n /= 10;
            }
        };
        digits(&mut b[0..4], d.year().clamp(0, 9999).unsigned_abs());
        digits(&mut b[5..7], d.month());
        digits(&mut b[8..10], d.day());
        Day(b)
    }

    fn text(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// `YYYYMMDD`, as in an ID number.
    fn compact(&self) -> String {
        let t = self.text();
        [&t[0..4], &t[5..7], &t[8..10]].concat()
    }
}

impl rusqlite::ToSql for Day {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::Borrowed(
            rusqlite::types::ValueRef::Text(&self.0),
        ))
    }
}

/// A valid fictional ID number for a birth date, sex and county.
fn make_id(
    rng: &mut fastrand::Rng,
    county: &str,
    birth: NaiveDate,
    female: bool,
    used: &mut HashSet<String>,
) -> Option<String> {
    for _ in 0..20 {
        let mut seq = rng.u32(0..500) * 2;
        if !female {
            seq += 1;
        }
        let first17 = format!("{county}{}{:03}", Day::new(birth).compact(), seq % 1000);
        let check = idcard::check_char(&first17)?;
        let n = format!("{first17}{check}");
        if used.insert(n.clone()) {
            return Some(n);
        }
    }
    None
}

pub fn build(conn: &mut Connection, opts: &Options) -> ApiResult<Summary> {
    let existing: i64 = conn.query_row("SELECT count(*) FROM household", [], |r| r.get(0))?;
    let staff_count: i64 = conn.query_row("SELECT count(*) FROM staff", [], |r| r.get(0))?;
    if existing > 0 || staff_count > 0 {
        return Err(ApiError::new(
            ErrorCode::DemoNotEmpty,
            "demo data goes into a new, empty database",
        ));
    }
    if opts.households > 1_000_000 {
        return Err(ApiError::at(
            ErrorCode::ValidationOutOfRange,
            "households",
            "at most 1,000,000 households",
        ));
    }
    // A plain file is rewritten with 16 KB pages before anything is loaded (VACUUM of the few
    // MB of division data): a bulk load of a gigabyte builds, caches and writes a quarter as
    // many pages (about 2.5 s less for 100,000 households). Larger pages load faster still but
    // make a county's follow-up list slower (it reads households scattered over the file).
    // An encrypted file keeps SQLCipher's page size (`yihu demo --encrypt` and the app's own
    // demo are encrypted after the load, with SQLCipher's pages).
    if conn
        .path()
        .is_some_and(|p| crate::db::is_plain_sqlite(std::path::Path::new(p)))
    {
        conn.execute_batch(
            "PRAGMA journal_mode = DELETE; PRAGMA page_size = 16384; VACUUM; PRAGMA journal_mode = WAL;",
        )?;
    }
    // The mark that lets `--today` move this file's date (never a real database's).
    crate::db::set_meta(conn, "demo", &opts.today.to_string())?;
    let rng = Arc::new(Mutex::new(fastrand::Rng::with_seed(opts.seed)));
    // About three ID numbers per household: sized once instead of grown (and rehashed) 20 times.
    let mut used_ids =
        HashSet::with_capacity_and_hasher(opts.households as usize * 3, Default::default());
    let mut caller = article::Caller {
        conn,
        rng: rng.clone(),
    };
    let article = article::article_households(&mut caller, opts.today, opts.seed, &mut used_ids)?;
    let mut gen_rng = fastrand::Rng::with_seed(
        opts.seed
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(1),
    );
    bulk::bulk(conn, &mut gen_rng, opts, &mut used_ids)?;
    let count = |sql: &str| -> ApiResult<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
    Ok(Summary {
        admin_id: article.0,
        article_staff: article.1,
        article_case_nos: article.2,
        households: count("SELECT count(*) FROM household")?,
        members: count("SELECT count(*) FROM member")?,
        visits: count("SELECT count(*) FROM visit")?,
        occurrences: count("SELECT count(*) FROM occurrence")?,
        staff: count("SELECT count(*) FROM staff")?,
    })
}

/// Build a demo database at `path` (nothing there yet, or an empty file) — with `encrypt`, an
/// encrypted one whose every staff member has the demo passphrase, and its recovery code. It is
/// built beside the target (`<name>.building`) and renamed into place only when complete, so a
/// demo stopped part-way (killed, out of disk) leaves nothing at `path` claiming to be one.
pub fn build_file(
    path: &std::path::Path,
    opts: &Options,
    encrypt: bool,
) -> ApiResult<(Summary, Option<zeroize::Zeroizing<String>>)> {
    use crate::vault::{self, Protection};
    let not_new = || {
        ApiError::new(
            ErrorCode::DemoNotEmpty,
            "demo data goes into a new database file",
        )
    };
    match vault::protection(path) {
        Protection::Missing => {}
        Protection::KeyringMissing => return Err(vault::keyring_missing()),
        Protection::Encrypted => return Err(not_new()),
        Protection::Plain => {
            // Say what is wrong with the file if something is (too new, damaged), else that
            // it is not new; it is not changed either way.
            return Err(match crate::db::open_as_is(path, None) {
                Err(e) if matches!(e.code, ErrorCode::DbTooNew | ErrorCode::DbDamaged) => e,
                _ => not_new(),
            });
        }
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "yihu.db".into());
    let building = path.with_file_name(format!("{name}.building"));
    let leftovers = |p: &std::path::Path| {
        let mut all = vec![p.to_path_buf(), crate::keyring::path_for(p)];
        all.extend(crate::private_file::companions(p));
        all
    };
    for f in leftovers(&building) {
        let _ = std::fs::remove_file(f);
    }
    let built = if encrypt {
        vault::create_demo(&building, |conn| build(conn, opts)).map(|(s, c)| (s, Some(c)))
    } else {
        crate::db::open(&building).and_then(|mut conn| build(&mut conn, opts).map(|s| (s, None)))
    };
    let placed = built.and_then(|done| {
        let io = |e: std::io::Error| {
            ApiError::new(
                ErrorCode::DbOpen,
                format!("cannot put the demo database in place: {e}"),
            )
        };
        if encrypt {
            std::fs::rename(
                crate::keyring::path_for(&building),
                crate::keyring::path_for(path),
            )
            .map_err(io)?;
        }
        std::fs::rename(&building, path).map_err(io)?;
        Ok(done)
    });
    if placed.is_err() {
        for f in leftovers(&building) {
            let _ = std::fs::remove_file(f);
        }
    }
    placed
}

/// Whether the database `conn` has open was made by [`build`] (fictional data, where "today"
/// may be moved for training and tests).
pub fn is_demo(conn: &Connection) -> ApiResult<bool> {
    Ok(crate::db::meta(conn, "demo")?.is_some())
}

/// Refused (`request.today_demo_only`, at `today`) unless the database is a demo: a real
/// database's date, and its audit trail's times, are the real ones.
pub fn require_demo(conn: &Connection) -> ApiResult<()> {
    if is_demo(conn)? {
        Ok(())
    } else {
        Err(ApiError::at(
            ErrorCode::RequestTodayDemoOnly,
            "today",
            "--today and YIHU_TODAY move the date of a demo database only",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn a_day_is_written_as_rusqlite_writes_a_date() {
        let mut d = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a date");
        let end = NaiveDate::from_ymd_opt(2100, 12, 31).expect("a date");
        let mut n = 0;
        while d <= end {
            let expected = match rusqlite::ToSql::to_sql(&d) {
                Ok(rusqlite::types::ToSqlOutput::Owned(rusqlite::types::Value::Text(t))) => t,
                _ => panic!("rusqlite writes a date as text"),
            };
            assert_eq!(Day::new(d).text(), expected);
            assert_eq!(Day::new(d).compact(), d.format("%Y%m%d").to_string());
            d += Duration::days(13);
            n += 1;
        }
        assert!(n > 5000);
    }
}
