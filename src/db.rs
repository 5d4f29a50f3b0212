//! The one place that opens a database: pragmas for durability (WAL, synchronous=FULL,
//! foreign keys, busy timeout), schema migrations embedded from `migrations/`, and the
//! national division reference data embedded from `data/divisions/`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use include_dir::{Dir, include_dir};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use rusqlite_migration::{Migrations, SchemaVersion};

use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::keyring::DbKey;
use crate::progress::OnProgress;

static MIGRATIONS_DIR: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/migrations");

static PROVINCES: &str = include_str!("../data/divisions/provinces.csv");
static CITIES: &str = include_str!("../data/divisions/cities.csv");
static COUNTIES: &str = include_str!("../data/divisions/counties.csv");
static TOWNSHIPS: &str = include_str!("../data/divisions/townships.csv");

/// Version of the shipped division data (china-division 2.7.0, NBS codes of 2023-06-30).
pub const DIVISIONS_VERSION: &str = "china-division-2.7.0";

/// Where the database lives when neither `--db` nor `YIHU_DB` says otherwise:
/// the OS data directory (`~/.local/share/yihu/yihu.db` on Linux).
pub fn default_path() -> PathBuf {
    if let Some(p) = std::env::var_os("YIHU_DB").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("yihu")
        .join("yihu.db")
}

fn migrations() -> Result<Migrations<'static>, ApiError> {
    Migrations::from_directory(&MIGRATIONS_DIR)
        .map_err(|e| ApiError::internal(format!("embedded migrations are invalid: {e}")))
}

/// The schema version this build writes.
pub fn schema_version() -> usize {
    MIGRATIONS_DIR.dirs().count()
}

fn configure(conn: &Connection) -> Result<(), ApiError> {
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // 64 MB of page cache: a county's follow-up list reads households scattered over the file
    // (with 32 MB it took 14 ms instead of 7 on the 100,000-household demo's 16 KB pages).
    conn.pragma_update(None, "cache_size", -64_000)?;
    Ok(())
}

/// Open (creating if needed) and migrate the unencrypted database at `path`. A database
/// written by a newer Yihu is refused with `db.too_new` and left untouched.
pub fn open(path: &Path) -> Result<Connection, ApiError> {
    open_keyed(path, None)
}

/// Open (creating if needed) and migrate the database at `path`, encrypted with `key` when
/// one is given (SQLCipher). A file that is still plain SQLite is first encrypted in place with
/// `key` (see [`encrypt_in_place`]). A key that does not open the file is `db.wrong_key`.
pub fn open_keyed(path: &Path, key: Option<&DbKey>) -> Result<Connection, ApiError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            ApiError::new(
                ErrorCode::DbOpen,
                format!("cannot create the data folder: {e}"),
            )
        })?;
    }
    crate::private_file::prepare_database(path).map_err(|e| {
        ApiError::new(
            ErrorCode::DbOpen,
            format!("cannot create the database file: {e}"),
        )
    })?;
    if let Some(key) = key
        && is_plain_sqlite(path)
    {
        encrypt_in_place(path, key)?;
    }
    let mut conn = connect(path, key)?;
    // Reading the header first turns "not a database" into a clear error before any write.
    wal(&conn).map_err(|e| match key {
        Some(_) if e.code == ErrorCode::DbDamaged => wrong_key(),
        _ => e,
    })?;
    configure(&conn)?;
    migrate(&mut conn)?;
    load_divisions(&mut conn)?;
    reindex_search(&mut conn)?;
    Ok(conn)
}

/// What the household search index holds ([`crate::search_terms::household_terms`]). When a
/// build changes it, this rises and every household's terms are rebuilt once, at the first
/// open. 2: no part of an ID number (a suffix search was an oracle for the masked digits).
const SEARCH_TERMS_VERSION: &str = "2";

/// A fact about the file (`meta`), if it is recorded.
pub fn meta(conn: &Connection, key: &str) -> Result<Option<String>, ApiError> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

/// Record a fact about the file (`meta`), replacing the one before.
pub fn set_meta(conn: &Connection, key: &str, value: &str) -> Result<(), ApiError> {
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}

/// Rebuild every household's search terms unless they are of [`SEARCH_TERMS_VERSION`].
fn reindex_search(conn: &mut Connection) -> Result<(), ApiError> {
    if meta(conn, "search_terms_version")?.as_deref() == Some(SEARCH_TERMS_VERSION) {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    {
        let mut households = tx.prepare("SELECT id, case_no, phone, search_id FROM household")?;
        let mut members = tx.prepare(crate::search_terms::MEMBER_TERMS_SQL)?;
        let mut put = tx.prepare("INSERT INTO household_search(rowid, terms) VALUES (?1, ?2)")?;
        tx.execute("DELETE FROM household_search", [])?;
        let mut rows = households.query([])?;
        while let Some(r) = rows.next()? {
            let (id, case_no, phone, search_id): (String, String, Option<String>, i64) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
            let people = members
                .query_map([&id], |m| Ok((m.get(0)?, m.get(1)?)))?
                .collect::<Result<Vec<(String, Option<String>)>, _>>()?;
            let terms = crate::search_terms::household_terms(&case_no, phone.as_deref(), &people);
            put.execute(params![search_id, terms.join(" ")])?;
        }
    }
    set_meta(&tx, "search_terms_version", SEARCH_TERMS_VERSION)?;
    tx.commit()?;
    Ok(())
}

fn wrong_key() -> ApiError {
    ApiError::new(
        ErrorCode::DbWrongKey,
        "the database cannot be read with this key: the keyring beside it belongs to another database, or the file is damaged",
    )
}

/// A bare connection to `path`, keyed when `key` is given; nothing read yet.
fn connect(path: &Path, key: Option<&DbKey>) -> Result<Connection, ApiError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )
    .map_err(|e| ApiError::new(ErrorCode::DbOpen, format!("cannot open the database: {e}")))?;
    if let Some(key) = key {
        apply_key(&conn, "main", key)?;
    }
    Ok(conn)
}

/// Key the schema `schema` of `conn` (before anything reads it).
pub fn apply_key(conn: &Connection, schema: &str, key: &DbKey) -> Result<(), ApiError> {
    // SQLCipher writes its own errors (e.g. a key that does not fit) to stderr; the caller
    // reports them as coded errors, and the CLI's stderr carries only its one JSON error.
    let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE");
    conn.pragma_update(Some(schema), "key", key.pragma_value().as_str())
        .map_err(|e| ApiError::new(ErrorCode::DbOpen, format!("cannot key the database: {e}")))
}

/// Does the file at `path` exist and start with the plain SQLite header (not encrypted)?
pub fn is_plain_sqlite(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head == b"SQLite format 3\0"
}

/// Every table's row count (schema objects excluded), to compare two copies of a database.
fn table_counts(conn: &Connection, schema: &str) -> Result<Vec<(String, i64)>, ApiError> {
    let names: Vec<String> = conn
        .prepare(&format!(
            "SELECT name FROM {schema}.sqlite_schema WHERE type = 'table'
               AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'
             ORDER BY name"
        ))?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    names
        .into_iter()
        .map(|t| {
            let n = conn.query_row(
                &format!(
                    "SELECT count(*) FROM {schema}.\"{}\"",
                    t.replace('"', "\"\"")
                ),
                [],
                |r| r.get(0),
            )?;
            Ok((t, n))
        })
        .collect()
}

/// Copy the plain database open on `plain` into a new encrypted file at `dest` (SQLCipher's
/// `sqlcipher_export`), with its schema version and application id, and check the copy: sound
/// (`integrity_check`) and every table with the same number of rows.
pub fn export_encrypted(plain: &Connection, dest: &Path, key: &DbKey) -> Result<(), ApiError> {
    export_then_check(plain, dest, key, &|| {})
}

/// [`export_encrypted`], calling `copied` between the copy and its check.
fn export_then_check(
    plain: &Connection,
    dest: &Path,
    key: &DbKey,
    copied: &dyn Fn(),
) -> Result<(), ApiError> {
    crate::private_file::replace_leftover(dest).map_err(|e| {
        ApiError::new(
            ErrorCode::DbEncrypt,
            format!("cannot create the encrypted copy: {e}"),
        )
    })?;
    let fail = |e: rusqlite::Error| {
        ApiError::new(
            ErrorCode::DbEncrypt,
            format!("cannot encrypt the database: {e}"),
        )
    };
    plain
        .execute(
            "ATTACH DATABASE ?1 AS encrypted KEY ?2",
            rusqlite::params![dest.display().to_string(), key.pragma_value().as_str()],
        )
        .map_err(fail)?;
    let result = (|| -> Result<(), ApiError> {
        plain
            .query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))
            .map_err(fail)?;
        copied();
        for pragma in ["user_version", "application_id"] {
            let v: i64 = plain.query_row(&format!("PRAGMA main.{pragma}"), [], |r| r.get(0))?;
            plain.pragma_update(Some("encrypted"), pragma, v)?;
        }
        let check: String =
            plain.query_row("PRAGMA encrypted.integrity_check", [], |r| r.get(0))?;
        if check != "ok" || table_counts(plain, "main")? != table_counts(plain, "encrypted")? {
            return Err(ApiError::new(
                ErrorCode::DbEncrypt,
                "the encrypted copy does not match the database; nothing was changed",
            ));
        }
        Ok(())
    })();
    plain
        .execute("DETACH DATABASE encrypted", [])
        .map_err(fail)?;
    if result.is_err() {
        let _ = std::fs::remove_file(dest);
    }
    result
}

/// Encrypt the plain database file at `path` with `key`, without loss: an encrypted copy is
/// made and checked beside it, the plain file (and its WAL) closed and checkpointed, then the
/// copy renamed over it — a crash at any point leaves either the plain or the encrypted file
/// whole. Nothing else may have the file open.
pub fn encrypt_in_place(path: &Path, key: &DbKey) -> Result<(), ApiError> {
    let dest = encrypted_copy(path, key)?;
    put_in_place(path, &dest)
}

/// The first half of [`encrypt_in_place`]: the encrypted, checked copy of the plain database at
/// `path`, beside it (`<name>.encrypting`); the plain file is left as it was.
pub fn encrypted_copy(path: &Path, key: &DbKey) -> Result<PathBuf, ApiError> {
    let dest = PathBuf::from(format!("{}.encrypting", path.display()));
    copy_under(path, None, key, dest, &crate::progress::ignore)
}

/// A checked copy of the database at `path` (encrypted with `from`) under the new key `to`,
/// beside it (`<name>.rekeying`), for a key rotation; the file is left as it was.
pub fn rekeyed_copy(path: &Path, from: &DbKey, to: &DbKey) -> Result<PathBuf, ApiError> {
    copy_under(
        path,
        Some(from),
        to,
        rekeying_path(path),
        &crate::progress::ignore,
    )
}

/// A checked copy of the encrypted file at `path` (a backup, under `from`) made at `dest`
/// under the key `to`; the file is only read.
pub fn rekeyed_copy_to(path: &Path, from: &DbKey, to: &DbKey, dest: &Path) -> Result<(), ApiError> {
    copy_under(
        path,
        Some(from),
        to,
        dest.to_path_buf(),
        &crate::progress::ignore,
    )
    .map(|_| ())
}

/// [`rekeyed_copy`], reporting how far the copy has come to `on`.
pub fn rekeyed_copy_watched(
    path: &Path,
    from: &DbKey,
    to: &DbKey,
    on: OnProgress<'_>,
) -> Result<PathBuf, ApiError> {
    copy_under(path, Some(from), to, rekeying_path(path), on)
}

/// Where [`rekeyed_copy`] puts its copy.
pub fn rekeying_path(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}.rekeying", path.display()))
}

fn copy_under(
    path: &Path,
    from: Option<&DbKey>,
    key: &DbKey,
    dest: PathBuf,
    on: OnProgress<'_>,
) -> Result<PathBuf, ApiError> {
    {
        let plain = connect(path, from)?;
        configure(&plain)?;
        // Leave WAL mode first (folding the WAL into the file): it succeeds only when no other
        // connection has the file open — one that did would go on writing to the file about to
        // be replaced, and its writes would be lost.
        let mode: String = plain
            .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
            .map_err(ApiError::from)?;
        if !mode.eq_ignore_ascii_case("delete") {
            return Err(ApiError::new(
                ErrorCode::DbBusy,
                "the database is open elsewhere; close the other program and try again",
            ));
        }
        // The copy is about as large as the file (a page more or less).
        let total = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        crate::progress::watch_copy(&dest, total, on, |copied| {
            export_then_check(&plain, &dest, key, copied)
        })?;
    }
    Ok(dest)
}

/// The second half of [`encrypt_in_place`]: the encrypted copy `dest` replaces the plain file
/// at `path` (whose journal files go first).
pub fn put_in_place(path: &Path, dest: &Path) -> Result<(), ApiError> {
    for side in ["-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{side}", path.display()));
        if p.exists() {
            std::fs::remove_file(&p).map_err(|e| {
                ApiError::new(
                    ErrorCode::DbEncrypt,
                    format!("cannot remove the plain journal: {e}"),
                )
            })?;
        }
    }
    std::fs::rename(dest, path).map_err(|e| {
        ApiError::new(
            ErrorCode::DbEncrypt,
            format!("cannot put the encrypted database in place: {e}"),
        )
    })?;
    Ok(())
}

fn wal(conn: &Connection) -> Result<(), ApiError> {
    let journal: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(ApiError::from)?;
    if !journal.eq_ignore_ascii_case("wal") && !journal.eq_ignore_ascii_case("memory") {
        return Err(ApiError::new(
            ErrorCode::DbOpen,
            format!("cannot switch the database to WAL mode (got {journal})"),
        ));
    }
    Ok(())
}

/// Bring an open database to this build's schema and data after its content was replaced
/// (a restore): WAL mode, migrations, the audit chain, division data, the search index.
pub fn upgrade(conn: &mut Connection) -> Result<(), ApiError> {
    wal(conn)?;
    migrate(conn)?;
    load_divisions(conn)?;
    reindex_search(conn)
}

fn migrate(conn: &mut Connection) -> Result<(), ApiError> {
    let migrations = migrations()?;
    let user_version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if user_version > schema_version() as i64 {
        return Err(ApiError::new(
            ErrorCode::DbTooNew,
            format!(
                "this database was written by a newer version of Yihu (schema {user_version}, this build knows {}); update Yihu to open it",
                schema_version()
            ),
        ));
    }
    match migrations.current_version(conn) {
        Ok(SchemaVersion::Outside(_)) => {
            return Err(ApiError::new(
                ErrorCode::DbTooNew,
                "this database was written by a newer version of Yihu",
            ));
        }
        Ok(_) => {}
        Err(e) => {
            return Err(ApiError::new(
                ErrorCode::DbOpen,
                format!("cannot read the schema version: {e}"),
            ));
        }
    }
    migrations.to_latest(conn).map_err(|e| {
        ApiError::new(
            ErrorCode::DbMigrate,
            format!("cannot upgrade the database: {e}"),
        )
    })?;
    // An audit trail written before schema 3 is chained once, by the upgrade that brings it
    // across schema 3 — never at any later open: a trail whose hashes were wiped is not
    // sealed anew (verify then reports it), whoever opens it.
    if user_version < CHAIN_SCHEMA {
        crate::audit_chain::seal_legacy(conn)?;
    }
    Ok(())
}

/// One object of a database's schema: (type, name, table, SQL text).
pub type SchemaObject = (String, String, String, Option<String>);

/// The schema objects (tables, indexes, triggers, views) of the `main` database of `conn`,
/// SQLite's own (`sqlite_*`) left out, by type and name.
pub fn schema_of(conn: &Connection) -> Result<Vec<SchemaObject>, ApiError> {
    let mut st = conn.prepare(
        "SELECT type, name, tbl_name, sql FROM main.sqlite_schema
         WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
    )?;
    let rows = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The schema this build's migrations define (built in memory).
pub fn expected_schema() -> Result<Vec<SchemaObject>, ApiError> {
    let mut conn = Connection::open_in_memory()?;
    migrations()?.to_latest(&mut conn).map_err(|e| {
        ApiError::new(
            ErrorCode::DbMigrate,
            format!("cannot build the expected schema: {e}"),
        )
    })?;
    schema_of(&conn)
}

/// The schema version whose migration (`03-audit-chain`) introduced the audit hash chain.
const CHAIN_SCHEMA: i64 = 3;

/// Open the database at `path` (with `key` when encrypted) to read it as it is, writing
/// nothing: no migration, no division data, no index rebuilt, no chain sealed (`yihu check`
/// and `yihu audit verify` look at what is there, not at what opening would make of it). A
/// database of an older schema is refused (`db.upgrade_first`): open it once with Yihu.
pub fn open_as_is(path: &Path, key: Option<&DbKey>) -> Result<Connection, ApiError> {
    if !path.exists() {
        return Err(ApiError::new(
            ErrorCode::DbOpen,
            "there is no database at this path",
        ));
    }
    let conn = connect(path, key)?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| match (key, ApiError::from(e)) {
            (Some(_), e) if e.code == ErrorCode::DbDamaged => wrong_key(),
            (_, e) => e,
        })?;
    configure(&conn)?;
    if version > schema_version() as i64 {
        return Err(ApiError::new(
            ErrorCode::DbTooNew,
            "this database was written by a newer version of Yihu",
        ));
    }
    if version < schema_version() as i64 {
        return Err(ApiError::new(
            ErrorCode::DbUpgradeFirst,
            format!(
                "this database has schema {version}; open it once with this Yihu (any command) to upgrade it to {}, then check it",
                schema_version()
            ),
        ));
    }
    Ok(conn)
}

/// Load the shipped divisions once per data version (idempotent; user-added villages kept).
fn load_divisions(conn: &mut Connection) -> Result<(), ApiError> {
    if meta(conn, "divisions_version")?.as_deref() == Some(DIVISIONS_VERSION) {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    {
        let mut ins = tx.prepare(
            "INSERT INTO division(code, parent_code, level, name) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(code) DO UPDATE SET name = excluded.name, parent_code = excluded.parent_code",
        )?;
        for (csv, level, parent_col) in [
            (PROVINCES, "province", None),
            (CITIES, "city", Some("provinceCode")),
            (COUNTIES, "county", Some("cityCode")),
            (TOWNSHIPS, "township", Some("areaCode")),
        ] {
            for row in parse_csv(csv, parent_col)? {
                ins.execute(params![row.0, row.2, level, row.1])?;
            }
        }
    }
    set_meta(&tx, "divisions_version", DIVISIONS_VERSION)?;
    tx.commit()?;
    Ok(())
}

/// (code, name, parent code) of one division.
type DivisionRow<'a> = (&'a str, &'a str, Option<&'a str>);

/// (code, name, parent code) rows of one of the shipped CSV files. Columns are found by the
/// header name; names are double-quoted and contain no commas or quotes.
fn parse_csv<'a>(csv: &'a str, parent_col: Option<&str>) -> Result<Vec<DivisionRow<'a>>, ApiError> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name);
    let bad = || ApiError::internal("embedded division data is malformed");
    let code_i = col("code").ok_or_else(bad)?;
    let name_i = col("name").ok_or_else(bad)?;
    let parent_i = match parent_col {
        Some(p) => Some(col(p).ok_or_else(bad)?),
        None => None,
    };
    let mut out = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let cells: Vec<&str> = line.split(',').map(|c| c.trim_matches('"')).collect();
        let code = cells.get(code_i).ok_or_else(bad)?;
        let name = cells.get(name_i).ok_or_else(bad)?;
        let parent = match parent_i {
            Some(i) => Some(*cells.get(i).ok_or_else(bad)?),
            None => None,
        };
        out.push((*code, *name, parent));
    }
    Ok(out)
}
