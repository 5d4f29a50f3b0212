//! Backups of the database file: made with SQLite's online backup API (a consistent copy while
//! the app keeps working), checked with `integrity_check` before they count, kept in a folder
//! with rotation (7 daily, 4 weekly, 12 monthly), and restored only from a file that is a sound
//! Yihu database of a schema this build can open. A restore first backs up what it replaces.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Duration, NaiveDateTime, Utc};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::keyring::DbKey;

/// `PRAGMA application_id` of a Yihu database: the ASCII bytes "YIHU" (schema 4).
pub const APPLICATION_ID: i64 = 0x5949_4855;

const PREFIX: &str = "yihu-";
/// The copy of the database taken just before a restore replaced it: outside the rotation, so
/// a restore's undo (and the trail it replaced) is not rotated away by the next day's backups,
/// and deleted [`KEEP_BEFORE_RESTORE_DAYS`] days after.
const BEFORE_RESTORE: &str = "before-restore-";
pub const KEEP_BEFORE_RESTORE_DAYS: i64 = 30;
const STAMP: &str = "%Y%m%d-%H%M%S";

/// Where backups go when nobody says otherwise: `backups/` next to the database file.
pub fn default_dir(db_path: &Path) -> PathBuf {
    db_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."))
        .join("backups")
}

/// One backup file.
#[derive(Debug, Clone, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct BackupInfo {
    /// The file name, e.g. `yihu-20261128-221500.db`.
    pub name: String,
    pub path: String,
    /// When it was made (UTC, from the file name), RFC 3339.
    pub created_at: String,
    pub bytes: u64,
    /// Made under a database key since replaced (a key rotation after a deactivation): the
    /// name of the keyring kept for it in the backup folder (`yihu.db.keys.before-<time>`).
    /// It opens only with that keyring and a passphrase that was valid then. `None` when it
    /// opens with the database's key now (or when that was not asked).
    pub old_keyring: Option<String>,
}

/// What a sound backup file holds.
#[derive(Debug, Clone, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct FileFacts {
    /// Its schema version.
    pub schema: i64,
    pub households: i64,
    pub staff: i64,
}

fn io(code: ErrorCode, what: &str, e: std::io::Error) -> ApiError {
    ApiError::new(code, format!("{what}: {e}"))
}

/// The time in a backup file name and its number within that second (`yihu-<time>.db` is 1,
/// `yihu-<time>-2.db` was made after it), if the file is one of ours.
fn parse_name(name: &str, prefix: &str) -> Option<(NaiveDateTime, u32)> {
    let rest = name.strip_prefix(prefix)?.strip_suffix(".db")?;
    let at = NaiveDateTime::parse_from_str(rest.get(..15)?, STAMP).ok()?;
    let seq = match &rest[15..] {
        "" => 1,
        tail => tail.strip_prefix('-')?.parse().ok()?,
    };
    Some((at, seq))
}

/// When the backup at `path` was made (UTC, RFC 3339), from its name, if it is one of ours.
pub fn made_at(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    let (at, _) = parse_name(&name, PREFIX).or_else(|| parse_name(&name, BEFORE_RESTORE))?;
    Some(
        at.and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
}

fn info(path: &Path, at: NaiveDateTime) -> ApiResult<BackupInfo> {
    let bytes = std::fs::metadata(path)
        .map_err(|e| io(ErrorCode::BackupIo, "cannot read the backup", e))?
        .len();
    Ok(BackupInfo {
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        path: path.display().to_string(),
        created_at: at
            .and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        bytes,
        old_keyring: None,
    })
}

/// Copy the open database into a new file in `dir`, check the copy and return it. The copy is
/// a standalone file (no `-wal`), encrypted with `key` when the database is (the same key: a
/// backup opens with the keyring of the database it came from, a copy of which is kept in the
/// backup folder).
pub fn create(
    conn: &Connection,
    dir: &Path,
    now: DateTime<Utc>,
    key: Option<&DbKey>,
) -> ApiResult<BackupInfo> {
    create_named(conn, dir, now, key, PREFIX)
}

/// [`create`] with the file name starting `prefix`.
fn create_named(
    conn: &Connection,
    dir: &Path,
    now: DateTime<Utc>,
    key: Option<&DbKey>,
    prefix: &str,
) -> ApiResult<BackupInfo> {
    std::fs::create_dir_all(dir)
        .map_err(|e| io(ErrorCode::BackupIo, "cannot create the backup folder", e))?;
    let at = now.naive_utc();
    let stamp = at.format(STAMP).to_string();
    let mut path = dir.join(format!("{prefix}{stamp}.db"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{prefix}{stamp}-{n}.db"));
        n += 1;
    }
    let part = path.with_extension("db.part");
    let result = (|| -> ApiResult<()> {
        crate::private_file::replace_leftover(&part)
            .map_err(|e| io(ErrorCode::BackupIo, "cannot create the backup file", e))?;
        let mut dst = Connection::open(&part)?;
        if let Some(key) = key {
            crate::db::apply_key(&dst, "main", key)?;
        }
        {
            let b = Backup::new(conn, &mut dst)?;
            // All pages in one step: one consistent snapshot under one read lock.
            match b.step(-1)? {
                StepResult::Done => {}
                _ => {
                    return Err(ApiError::new(
                        ErrorCode::DbBusy,
                        "the database was busy; try the backup again",
                    ));
                }
            }
        }
        dst.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
        drop(dst);
        verify(&part, key)?;
        std::fs::rename(&part, &path)
            .map_err(|e| io(ErrorCode::BackupIo, "cannot store the backup", e))?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&part);
        return Err(e);
    }
    info(&path, at)
}

/// Is `path` a sound Yihu database this build can open (with `key`, for an encrypted
/// database's backups)? Read-only; refuses (with a coded error) a file that is not SQLite or
/// not readable with the key, another program's database, one from a newer Yihu, or a damaged
/// one.
pub fn verify(path: &Path, key: Option<&DbKey>) -> ApiResult<FileFacts> {
    let conn = open_backup(path, key)?;
    let damaged = |_| ApiError::new(ErrorCode::BackupDamaged, "the backup file is damaged");
    let app_id: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => not_a_database(key),
            _ => ApiError::new(ErrorCode::BackupDamaged, "the backup file is damaged"),
        })?;
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table'
               AND name IN ('meta', 'household', 'member', 'audit', 'staff')",
            [],
            |r| r.get(0),
        )
        .map_err(damaged)?;
    // Schemas before 4 have no application id; they are known by their tables.
    if !(app_id == APPLICATION_ID || app_id == 0 && tables == 5) {
        return Err(ApiError::new(
            ErrorCode::BackupForeign,
            "this file is another program's database, not a Yihu backup",
        ));
    }
    let schema: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(damaged)?;
    if schema > crate::db::schema_version() as i64 {
        return Err(ApiError::new(
            ErrorCode::BackupTooNew,
            format!(
                "this backup was written by a newer version of Yihu (schema {schema}); update Yihu to restore it"
            ),
        ));
    }
    let check: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .and_then(|mut st| {
            st.query_map([], |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()
        })
        .map_err(damaged)?;
    if check != ["ok"] {
        return Err(ApiError::new(
            ErrorCode::BackupDamaged,
            "the backup file is damaged",
        ));
    }
    let count = |t: &str| -> ApiResult<i64> {
        conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
            .map_err(damaged)
    };
    Ok(FileFacts {
        schema,
        households: count("household")?,
        staff: count("staff")?,
    })
}

fn not_a_database(key: Option<&DbKey>) -> ApiError {
    match key {
        None => ApiError::new(
            ErrorCode::BackupNotADatabase,
            "this file is not a database backup",
        ),
        Some(_) => ApiError::new(
            ErrorCode::BackupNotADatabase,
            "this file is not a backup of this database (it cannot be read with its key)",
        ),
    }
}

/// Open a backup file read-only (keyed with `key`); nothing read yet. Without a key, a file
/// without the SQLite header is refused at once.
fn open_backup(path: &Path, key: Option<&DbKey>) -> ApiResult<Connection> {
    if !path.is_file() {
        return Err(ApiError::new(
            ErrorCode::BackupNotFound,
            "cannot open the backup file: there is no such file",
        ));
    }
    if key.is_none() && !crate::db::is_plain_sqlite(path) {
        return Err(not_a_database(None));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|_| ApiError::new(ErrorCode::BackupDamaged, "the backup file cannot be read"))?;
    if let Some(key) = key {
        crate::db::apply_key(&conn, "main", key)?;
    }
    Ok(conn)
}

/// The rotated backups in `dir` with their times, newest first.
fn scan(dir: &Path) -> ApiResult<Vec<(NaiveDateTime, BackupInfo)>> {
    scan_named(dir, PREFIX)
}

/// The backups in `dir` whose names start with `prefix`, with their times, newest first.
fn scan_named(dir: &Path, prefix: &str) -> ApiResult<Vec<(NaiveDateTime, BackupInfo)>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(ErrorCode::BackupIo, "cannot read the backup folder", e)),
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some((at, seq)) = parse_name(&name, prefix) {
            out.push(((at, seq), info(&entry.path(), at)?));
        }
    }
    out.sort_by_key(|b| std::cmp::Reverse(b.0));
    Ok(out.into_iter().map(|((at, _), i)| (at, i)).collect())
}

/// Encrypt, with `key`, every backup in `dir` that is still a plain file (made before the
/// database was encrypted), each through a checked copy renamed over it.
pub fn encrypt_plain_backups(dir: &Path, key: &DbKey) -> ApiResult<usize> {
    let mut done = 0;
    let mut all = scan(dir)?;
    all.extend(scan_named(dir, BEFORE_RESTORE)?);
    for (_, b) in all {
        let path = Path::new(&b.path);
        if !crate::db::is_plain_sqlite(path) {
            continue;
        }
        let plain = Connection::open(path)?;
        let tmp = PathBuf::from(format!("{}.encrypting", b.path));
        crate::db::export_encrypted(&plain, &tmp, key)?;
        drop(plain);
        std::fs::rename(&tmp, path)
            .map_err(|e| io(ErrorCode::BackupIo, "cannot replace a plain backup", e))?;
        done += 1;
    }
    Ok(done)
}

/// Before a key rotation replaces the keyring copy in `dir`: keep the old copy, renamed
/// `<name>.keys.before-<time>`, for the backups made under the old key (they open with it, and
/// with the passphrases its slots had then). Nothing to do without a copy.
pub fn retire_keyring(db_path: &Path, dir: &Path, now: DateTime<Utc>) -> ApiResult<()> {
    let name = crate::keyring::path_for(db_path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "yihu.db.keys".into());
    let copy = dir.join(&name);
    if !copy.exists() {
        return Ok(());
    }
    let kept = dir.join(format!("{name}.before-{}", now.naive_utc().format(STAMP)));
    std::fs::rename(&copy, &kept)
        .map_err(|e| io(ErrorCode::BackupIo, "cannot keep the old keyring copy", e))
}

/// Keep a copy of the database's keyring in the backup folder (it holds only wrapped keys):
/// without it, the encrypted backups could not be opened if the keyring beside the database
/// were lost.
pub fn copy_keyring(db_path: &Path, dir: &Path) -> ApiResult<()> {
    let from = crate::keyring::path_for(db_path);
    let bytes = match std::fs::read(&from) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(ErrorCode::BackupIo, "cannot read the keyring", e)),
    };
    std::fs::create_dir_all(dir)
        .map_err(|e| io(ErrorCode::BackupIo, "cannot create the backup folder", e))?;
    let name = from
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "yihu.db.keys".into());
    crate::keyring::write_atomically(&dir.join(name), &bytes)
}

/// The backups in `dir`, newest first: the rotated ones and the copies taken before a restore.
pub fn list(dir: &Path) -> ApiResult<Vec<BackupInfo>> {
    let mut all = scan(dir)?;
    all.extend(scan_named(dir, BEFORE_RESTORE)?);
    all.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    Ok(all.into_iter().map(|(_, i)| i).collect())
}

/// [`list`], each backup marked with the keyring it needs when it was made under a key since
/// replaced (see [`BackupInfo::old_keyring`]): known from the times of the key rotations
/// (the kept keyrings' names) and, given `key` — the database's key now — confirmed by
/// opening the file with it.
pub fn list_with_keys(dir: &Path, key: Option<&DbKey>) -> ApiResult<Vec<BackupInfo>> {
    let mut all = list(dir)?;
    let kept = kept_keyrings(dir)?;
    if kept.is_empty() {
        return Ok(all);
    }
    for b in &mut all {
        if key.is_some_and(|k| opens_with(Path::new(&b.path), k)) {
            continue;
        }
        b.old_keyring = keyring_kept_for(&kept, &b.created_at).map(|p| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
    }
    Ok(all)
}

/// Whether the backup at `path` can be read with `key` (its first page decrypts).
pub fn opens_with(path: &Path, key: &DbKey) -> bool {
    open_backup(path, Some(key)).is_ok_and(|c| {
        c.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
            r.get::<_, i64>(0)
        })
        .is_ok()
    })
}

/// The keyrings kept in `dir` by key rotations (`<name>.keys.before-<time>`), oldest first,
/// with the time each stopped being the keyring.
pub fn kept_keyrings(dir: &Path) -> ApiResult<Vec<(NaiveDateTime, PathBuf)>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(ErrorCode::BackupIo, "cannot read the backup folder", e)),
    };
    let mut kept: Vec<(NaiveDateTime, PathBuf)> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let (_, stamp) = name.split_once(".keys.before-")?;
            let at = NaiveDateTime::parse_from_str(stamp, STAMP).ok()?;
            Some((at, entry.path()))
        })
        .collect();
    kept.sort();
    Ok(kept)
}

/// Of the `kept` keyrings, the one that was in use when a backup stamped `created_at`
/// (RFC 3339) was made: the first one retired at or after that time.
pub fn keyring_kept_for(kept: &[(NaiveDateTime, PathBuf)], created_at: &str) -> Option<PathBuf> {
    let made = DateTime::parse_from_rfc3339(created_at).ok()?.naive_utc();
    kept.iter()
        .find(|(retired, _)| *retired >= made)
        .map(|(_, p)| p.clone())
}

/// When the newest backup in `dir` was made (UTC), if there is one.
pub fn newest_at(dir: &Path) -> ApiResult<Option<NaiveDateTime>> {
    Ok(scan(dir)?.first().map(|(at, _)| *at))
}

/// Which of `stamps` to keep at `now`: the newest of each of the last 7 days, of each of the
/// last 4 ISO weeks and of each of the last 12 months (the current one included), and the
/// newest of all. Returns indexes into `stamps`.
pub fn keep(stamps: &[NaiveDateTime], now: NaiveDateTime) -> BTreeSet<usize> {
    let today = now.date();
    let mut kept = BTreeSet::new();
    let newest_where = |pred: &dyn Fn(&NaiveDateTime) -> bool| {
        stamps
            .iter()
            .enumerate()
            .filter(|(_, s)| pred(s))
            // Equal times: the earlier in the slice wins ([`list`] gives newest first).
            .max_by_key(|(i, s)| (**s, std::cmp::Reverse(*i)))
            .map(|(i, _)| i)
    };
    if let Some(i) = newest_where(&|_| true) {
        kept.insert(i);
    }
    for d in 0..7 {
        let day = today - Duration::days(d);
        if let Some(i) = newest_where(&|s| s.date() == day) {
            kept.insert(i);
        }
    }
    for w in 0..4 {
        let week = (today - Duration::weeks(w)).iso_week();
        if let Some(i) = newest_where(&|s| s.date().iso_week() == week) {
            kept.insert(i);
        }
    }
    let (mut y, mut m) = (today.year(), today.month());
    for _ in 0..12 {
        if let Some(i) = newest_where(&|s| s.year() == y && s.month() == m) {
            kept.insert(i);
        }
        if m == 1 {
            y -= 1;
            m = 12;
        } else {
            m -= 1;
        }
    }
    kept
}

/// Delete the backups in `dir` that [`keep`] does not keep; returns the deleted files' names.
pub fn rotate(dir: &Path, now: DateTime<Utc>) -> ApiResult<Vec<String>> {
    let all = scan(dir)?;
    let stamps: Vec<NaiveDateTime> = all.iter().map(|(at, _)| *at).collect();
    let kept = keep(&stamps, now.naive_utc());
    let mut deleted = Vec::new();
    let expired = now.naive_utc() - chrono::Duration::days(KEEP_BEFORE_RESTORE_DAYS);
    for (at, b) in scan_named(dir, BEFORE_RESTORE)? {
        if at < expired {
            std::fs::remove_file(&b.path)
                .map_err(|e| io(ErrorCode::BackupIo, "cannot remove an old backup", e))?;
            deleted.push(b.name.clone());
        }
    }
    for (i, (_, b)) in all.iter().enumerate() {
        if !kept.contains(&i) {
            std::fs::remove_file(&b.path)
                .map_err(|e| io(ErrorCode::BackupIo, "cannot remove an old backup", e))?;
            deleted.push(b.name.clone());
        }
    }
    Ok(deleted)
}

/// What a restore did.
#[derive(Debug, Clone, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct Restored {
    pub from: String,
    /// The backup of the database as it was just before, in the backup folder.
    pub saved_before: BackupInfo,
    pub facts: FileFacts,
}

/// Replace the open database's content with the backup at `from` (after checking it, and after
/// backing up the current content into `dir`), then bring it to the current schema.
pub fn restore(
    conn: &mut Connection,
    from: &Path,
    dir: &Path,
    now: DateTime<Utc>,
    key: Option<&DbKey>,
) -> ApiResult<Restored> {
    let facts = verify(from, key)?;
    restore_verified(conn, from, facts, dir, now, key)
}

/// [`restore`] of a file [`verify`] has just accepted.
fn restore_verified(
    conn: &mut Connection,
    from: &Path,
    facts: FileFacts,
    dir: &Path,
    now: DateTime<Utc>,
    key: Option<&DbKey>,
) -> ApiResult<Restored> {
    let saved_before = create_named(conn, dir, now, key, BEFORE_RESTORE)?;
    let src = open_backup(from, key)?;
    let busy = || {
        ApiError::new(
            ErrorCode::DbBusy,
            "the database is in use by another program; close it and try again",
        )
    };
    // SQLite's backup cannot change the page size of a file in WAL mode, and a plain backup
    // may have other pages than the current file (a demo file has 16 KB pages): the file then
    // leaves WAL mode for the copy, which needs it to be open nowhere else (`upgrade` below
    // puts it back in WAL mode).
    // (SQLCipher answers for a keyed file, as text.)
    let page_size = |c: &Connection| -> ApiResult<Option<i64>> {
        let v: rusqlite::types::Value = c.query_row("PRAGMA page_size", [], |r| r.get(0))?;
        Ok(match v {
            rusqlite::types::Value::Integer(n) => Some(n),
            rusqlite::types::Value::Text(t) => t.trim().parse().ok(),
            _ => None,
        })
    };
    if let (Some(from), Some(to)) = (page_size(&src)?, page_size(conn)?)
        && from != to
    {
        let mode: String = conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("delete") {
            return Err(busy());
        }
    }
    let copied = Backup::new(&src, conn).and_then(|b| b.step(-1));
    match copied.map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => busy(),
        _ => ApiError::from(e),
    })? {
        StepResult::Done => {}
        _ => return Err(busy()),
    }
    crate::db::upgrade(conn)?;
    Ok(Restored {
        from: from.display().to_string(),
        saved_before,
        facts,
    })
}

/// Restore the database file at `db_path` from `from`, for the command line: through SQLite's
/// backup API when the current file opens (it is backed up first), or, when it is missing or
/// damaged, by moving it aside into `dir` (as `damaged-<time>.db`) and copying the backup in
/// its place. Either way the result is brought to the current schema.
pub fn restore_file(
    db_path: &Path,
    from: &Path,
    dir: &Path,
    now: DateTime<Utc>,
    key: Option<&DbKey>,
) -> ApiResult<Value> {
    let facts = verify(from, key)?;
    match crate::db::open_keyed(db_path, key) {
        Ok(mut conn) => Ok(serde_json::to_value(restore_verified(
            &mut conn, from, facts, dir, now, key,
        )?)?),
        Err(e)
            if e.code == ErrorCode::DbDamaged
                || e.code == ErrorCode::DbWrongKey
                || !db_path.exists() =>
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| io(ErrorCode::BackupIo, "cannot create the backup folder", e))?;
            let mut moved = None;
            if db_path.exists() {
                let aside = dir.join(format!("damaged-{}.db", now.naive_utc().format(STAMP)));
                std::fs::rename(db_path, &aside).map_err(|e| {
                    io(
                        ErrorCode::BackupIo,
                        "cannot move the damaged database aside",
                        e,
                    )
                })?;
                for ext in ["-wal", "-shm"] {
                    let side = PathBuf::from(format!("{}{ext}", db_path.display()));
                    if side.exists() {
                        let _ = std::fs::rename(&side, format!("{}{ext}", aside.display()));
                    }
                }
                moved = Some(aside.display().to_string());
            }
            std::fs::copy(from, db_path)
                .map_err(|e| io(ErrorCode::BackupIo, "cannot copy the backup into place", e))?;
            drop(crate::db::open_keyed(db_path, key)?);
            Ok(serde_json::json!({
                "from": from.display().to_string(),
                "damaged_moved_to": moved,
                "facts": facts,
            }))
        }
        Err(e) => Err(e),
    }
}
