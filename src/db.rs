//! The one place that opens a database: pragmas for durability (WAL, synchronous=FULL,
//! foreign keys, busy timeout), schema migrations embedded from `migrations/`, and the
//! national division reference data embedded from `data/divisions/`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use include_dir::{Dir, include_dir};
use rusqlite::{Connection, OpenFlags, params};
use rusqlite_migration::{Migrations, SchemaVersion};

use crate::error::ApiError;

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
    conn.pragma_update(None, "cache_size", -32_000)?;
    Ok(())
}

/// Open (creating if needed) and migrate the database at `path`. A database written by a
/// newer Yihu is refused with `db.too_new` and left untouched.
pub fn open(path: &Path) -> Result<Connection, ApiError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| ApiError::new("db.open", format!("cannot create the data folder: {e}")))?;
    }
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )
    .map_err(|e| ApiError::new("db.open", format!("cannot open the database: {e}")))?;
    // Reading the header first turns "not a database" into a clear error before any write.
    wal(&conn)?;
    configure(&conn)?;
    migrate(&mut conn)?;
    load_divisions(&mut conn)?;
    Ok(conn)
}

fn wal(conn: &Connection) -> Result<(), ApiError> {
    let journal: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(ApiError::from)?;
    if !journal.eq_ignore_ascii_case("wal") && !journal.eq_ignore_ascii_case("memory") {
        return Err(ApiError::new(
            "db.open",
            format!("cannot switch the database to WAL mode (got {journal})"),
        ));
    }
    Ok(())
}

/// Bring an open database to this build's schema and data after its content was replaced
/// (a restore): WAL mode, migrations, the audit chain, division data.
pub fn upgrade(conn: &mut Connection) -> Result<(), ApiError> {
    wal(conn)?;
    migrate(conn)?;
    load_divisions(conn)
}

fn migrate(conn: &mut Connection) -> Result<(), ApiError> {
    let migrations = migrations()?;
    let user_version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if user_version > schema_version() as i64 {
        return Err(ApiError::new(
            "db.too_new",
            format!(
                "this database was written by a newer version of Yihu (schema {user_version}, this build knows {}); update Yihu to open it",
                schema_version()
            ),
        ));
    }
    match migrations.current_version(conn) {
        Ok(SchemaVersion::Outside(_)) => {
            return Err(ApiError::new(
                "db.too_new",
                "this database was written by a newer version of Yihu",
            ));
        }
        Ok(_) => {}
        Err(e) => {
            return Err(ApiError::new(
                "db.open",
                format!("cannot read the schema version: {e}"),
            ));
        }
    }
    migrations
        .to_latest(conn)
        .map_err(|e| ApiError::new("db.migrate", format!("cannot upgrade the database: {e}")))?;
    // An audit trail written before schema 3 is chained once (a no-op on a sealed trail).
    crate::audit_chain::seal_legacy(conn)?;
    Ok(())
}

/// Load the shipped divisions once per data version (idempotent; user-added villages kept).
fn load_divisions(conn: &mut Connection) -> Result<(), ApiError> {
    let loaded: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'divisions_version'",
            [],
            |r| r.get(0),
        )
        .ok();
    if loaded.as_deref() == Some(DIVISIONS_VERSION) {
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
    tx.execute(
        "INSERT INTO meta(key, value) VALUES ('divisions_version', ?1)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [DIVISIONS_VERSION],
    )?;
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
