//! The desktop app's hold on its database file, kept apart from Tauri so it is tested without
//! a window. It opens the file once at start (off the UI thread), remembers why opening failed
//! instead of crashing (another program holds it, a newer Yihu wrote it, it is damaged), and
//! hands out connections for commands: a small pool, so a slow command never blocks a read.
//! No lock is held while a command runs; the pool's mutex only guards the push and pop.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;
use yihu::backup::{self, BackupInfo};
use yihu::{ApiError, Ctx, api, db, demo};

/// Idle connections kept for reuse; more are opened when commands overlap and closed after.
const MAX_IDLE: usize = 4;

/// The most households the UI may ask the demo for (the benchmarks' size).
pub const MAX_DEMO_HOUSEHOLDS: u32 = 100_000;

/// The Backup page's content.
#[derive(Debug, Serialize)]
pub struct BackupList {
    pub dir: String,
    pub backups: Vec<BackupInfo>,
}

/// What `app_status` returns to the UI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppStatus {
    /// `"ready"` or `"error"`.
    pub state: &'static str,
    pub db_path: String,
    /// Why the database cannot be used (state `"error"`).
    pub error: Option<ApiError>,
    /// The database has no staff yet: a first start (offer "start empty" / "load demo data").
    pub empty: bool,
    pub version: String,
}

#[derive(Debug)]
enum Opened {
    NotYet,
    Ready,
    Failed(ApiError),
}

#[derive(Debug)]
struct Inner {
    opened: Opened,
    idle: Vec<Connection>,
}

pub struct Store {
    path: PathBuf,
    /// Serialises attempts to open the file (start-up, retry, the first command).
    open_lock: Mutex<()>,
    inner: Mutex<Inner>,
}

/// A connection checked out of the pool; it goes back when dropped.
pub struct Conn<'a> {
    store: &'a Store,
    conn: Option<Connection>,
}

impl std::ops::Deref for Conn<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        // Always Some until drop.
        self.conn.as_ref().expect("connection present until drop")
    }
}

impl std::ops::DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn.as_mut().expect("connection present until drop")
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            let mut inner = lock(&self.store.inner);
            if matches!(inner.opened, Opened::Ready) && inner.idle.len() < MAX_IDLE {
                inner.idle.push(conn);
            }
        }
    }
}

/// A poisoned lock only means another command panicked; the data it guards stays valid.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The error of a command run while the database could not be opened.
pub fn db_unavailable() -> ApiError {
    ApiError::new(
        "app.db_unavailable",
        "the database is not open; see app_status for why",
    )
}

/// The error `db::open` gave, as the UI gets it. The core already names the cases the UI
/// explains: `db.busy` (another program holds the file locked), `db.too_new` (written by a
/// newer Yihu), `db.damaged` (not a database, or corrupt); `db.open` (cannot open or create
/// the file), `db.migrate`, `db.read_only`, `db.disk_full`. Anything else becomes `db.open`.
pub fn classify_open_error(e: ApiError) -> ApiError {
    if e.code.starts_with("db.") {
        e
    } else {
        ApiError {
            code: "db.open".into(),
            message: format!("cannot open the database: {}", e.message),
            field: None,
        }
    }
}

/// Parse the acting staff id sent by the UI (`null` when nobody is signed in).
pub fn parse_actor(actor: Option<&str>) -> Result<Option<Uuid>, ApiError> {
    match actor {
        None => Ok(None),
        Some(s) => Uuid::parse_str(s.trim())
            .map(Some)
            .map_err(|_| ApiError::at("request.field.type", "actor", "actor must be a staff id")),
    }
}

impl Store {
    /// A store for the file at `path`; nothing is opened yet.
    pub fn new(path: PathBuf) -> Store {
        Store {
            path,
            open_lock: Mutex::new(()),
            inner: Mutex::new(Inner {
                opened: Opened::NotYet,
                idle: Vec::new(),
            }),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Open the file unless that was already done; with `retry`, also try again after a
    /// failure. Blocking: call it on a worker thread. Returns the open error, if any.
    pub fn ensure_open(&self, retry: bool) -> Result<(), ApiError> {
        let _attempt = lock(&self.open_lock);
        let attempt = match &lock(&self.inner).opened {
            Opened::Ready => return Ok(()),
            Opened::Failed(e) if !retry => return Err(e.clone()),
            Opened::Failed(_) | Opened::NotYet => true,
        };
        if attempt {
            let result = db::open(&self.path).map_err(classify_open_error);
            let mut inner = lock(&self.inner);
            match result {
                Ok(conn) => {
                    inner.opened = Opened::Ready;
                    inner.idle.push(conn);
                }
                Err(e) => {
                    inner.opened = Opened::Failed(e.clone());
                    inner.idle.clear();
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// A connection for one command. Opens the file first if needed; `app.db_unavailable`
    /// when it could not be opened.
    pub fn checkout(&self) -> Result<Conn<'_>, ApiError> {
        if self.ensure_open(false).is_err() {
            return Err(db_unavailable());
        }
        if let Some(conn) = lock(&self.inner).idle.pop() {
            return Ok(Conn {
                store: self,
                conn: Some(conn),
            });
        }
        // Every pooled connection is busy: open one more (outside any lock).
        let conn = db::open(&self.path).map_err(classify_open_error)?;
        Ok(Conn {
            store: self,
            conn: Some(conn),
        })
    }

    /// The state the UI shows at start: ready (and whether the database is empty) or why not.
    pub fn status(&self, version: &str) -> AppStatus {
        let mut status = AppStatus {
            state: "ready",
            db_path: self.path.display().to_string(),
            error: None,
            empty: false,
            version: version.to_string(),
        };
        let staff = self
            .ensure_open(false)
            .and_then(|()| self.checkout())
            .and_then(|conn| {
                conn.query_row("SELECT count(*) FROM staff", [], |r| r.get::<_, i64>(0))
                    .map_err(ApiError::from)
            });
        match staff {
            Ok(n) => status.empty = n == 0,
            Err(e) => {
                status.state = "error";
                status.error = Some(e);
            }
        }
        status
    }

    /// Try opening again (after the user closed the program that held the file).
    pub fn retry_open(&self, version: &str) -> AppStatus {
        // The outcome is reported by status().
        let _ = self.ensure_open(true);
        self.status(version)
    }

    /// Run one command of the core as `actor`.
    pub fn call(
        &self,
        command: &str,
        request: &Value,
        actor: Option<&str>,
    ) -> Result<Value, ApiError> {
        let actor = parse_actor(actor)?;
        let body = serde_json::to_string(request)?;
        let ctx = Ctx::system(actor);
        let mut conn = self.checkout()?;
        api::dispatch(&mut conn, &ctx, command, &body)
    }

    /// The backup folder: `backups/` next to the database file.
    pub fn backup_dir(&self) -> PathBuf {
        backup::default_dir(&self.path)
    }

    /// Back up with `conn` and rotate the folder.
    fn backup_with(&self, conn: &Connection) -> Result<BackupInfo, ApiError> {
        let (dir, now) = (self.backup_dir(), chrono::Utc::now());
        let made = backup::create(conn, &dir, now)?;
        backup::rotate(&dir, now)?;
        Ok(made)
    }

    /// "Back up now" from the Backup page (administrators only).
    pub fn backup_now(&self, actor: Option<&str>) -> Result<BackupInfo, ApiError> {
        let mut conn = self.checkout()?;
        let ctx = Ctx::system(parse_actor(actor)?);
        api::authorise_file_operation(&mut conn, &ctx, api::Access::Admin)?;
        self.backup_with(&conn)
    }

    /// The app's own backup: made when the newest one is older than `max_age`.
    pub fn auto_backup(&self, max_age: chrono::Duration) -> Result<Option<BackupInfo>, ApiError> {
        if let Some(at) = backup::newest_at(&self.backup_dir())?
            && chrono::Utc::now().naive_utc().signed_duration_since(at) < max_age
        {
            return Ok(None);
        }
        let conn = self.checkout()?;
        self.backup_with(&conn).map(Some)
    }

    /// The backups for the Backup page (administrators only): the folder and its files,
    /// newest first.
    pub fn backups(&self, actor: Option<&str>) -> Result<BackupList, ApiError> {
        let mut conn = self.checkout()?;
        let ctx = Ctx::system(parse_actor(actor)?);
        api::authorise_file_operation(&mut conn, &ctx, api::Access::Admin)?;
        Ok(BackupList {
            dir: self.backup_dir().display().to_string(),
            backups: backup::list(&self.backup_dir())?,
        })
    }

    /// Replace the database with the backup `name` from the backup folder (administrators
    /// only). The file is checked first and the current content backed up; other windows'
    /// connections see the restored data on their next command.
    pub fn restore(&self, actor: Option<&str>, name: &str) -> Result<Value, ApiError> {
        let mut conn = self.checkout()?;
        let ctx = Ctx::system(parse_actor(actor)?);
        api::authorise_file_operation(&mut conn, &ctx, api::Access::Admin)?;
        let dir = self.backup_dir();
        let chosen = backup::list(&dir)?
            .into_iter()
            .find(|b| b.name == name)
            .ok_or_else(|| ApiError::at("backup.not_found", "name", "there is no such backup"))?;
        let done = backup::restore(&mut conn, Path::new(&chosen.path), &dir, chrono::Utc::now())?;
        // Idle connections may hold statements prepared against the old schema: start afresh.
        lock(&self.inner).idle.clear();
        Ok(serde_json::to_value(done)?)
    }

    /// Fill an empty database with demo data (seed 1, anchored on `today`).
    pub fn load_demo(&self, households: u32, today: NaiveDate) -> Result<Value, ApiError> {
        if households > MAX_DEMO_HOUSEHOLDS {
            return Err(ApiError::at(
                "request.field.range",
                "households",
                format!("households must be at most {MAX_DEMO_HOUSEHOLDS}"),
            ));
        }
        let mut conn = self.checkout()?;
        let summary = demo::build(
            &mut conn,
            &demo::Options {
                households,
                seed: 1,
                today,
            },
        )?;
        Ok(serde_json::to_value(&summary)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A temporary folder removed on drop. (Not the tempfile crate: as a dev-dependency it
    /// changes the features of shared dependencies, and the release test build would then
    /// rebuild much of Tauri instead of reusing the app's build.)
    struct TempDir(PathBuf);

    impl TempDir {
        fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn temp_db() -> (TempDir, PathBuf) {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("yihu-desktop-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("yihu.db");
        (TempDir(dir), path)
    }

    fn open_code(path: &Path) -> String {
        let store = Store::new(path.to_path_buf());
        match store.ensure_open(false) {
            Ok(()) => "ok".into(),
            Err(e) => e.code,
        }
    }

    #[test]
    fn random_bytes_are_a_damaged_database() {
        let (_dir, path) = temp_db();
        let bytes = pseudo_random_bytes(8192);
        let mut f = std::fs::File::create(&path).expect("create");
        f.write_all(&bytes).expect("write");
        drop(f);
        assert_eq!(open_code(&path), "db.damaged");
        let store = Store::new(path.clone());
        let status = store.status("0.0.0");
        assert_eq!(status.state, "error");
        assert_eq!(status.error.map(|e| e.code).as_deref(), Some("db.damaged"));
        // The file is left as it was.
        assert_eq!(std::fs::metadata(&path).expect("meta").len(), 8192);
    }

    /// Deterministic "random" bytes that do not start with the SQLite header.
    fn pseudo_random_bytes(n: usize) -> Vec<u8> {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    }

    #[test]
    fn a_file_locked_by_another_program_is_busy_and_opens_after_it_lets_go() {
        let (_dir, path) = temp_db();
        let other = Connection::open(&path).expect("other program opens");
        other
            .execute_batch("CREATE TABLE t(x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1);")
            .expect("exclusive lock");
        let store = Store::new(path.clone());
        let status = store.status("0.0.0");
        assert_eq!(status.state, "error");
        assert_eq!(status.error.map(|e| e.code).as_deref(), Some("db.busy"));
        // Commands meanwhile say the database is unavailable, without retrying behind the UI.
        let err = store
            .call("staff.list", &serde_json::json!({}), None)
            .unwrap_err();
        assert_eq!(err.code, "app.db_unavailable");
        // The other program finishes; the user presses "try again".
        other.execute_batch("COMMIT").expect("commit");
        drop(other);
        let status = store.retry_open("0.0.0");
        assert_eq!(status.state, "ready", "{status:?}");
        assert!(status.empty);
    }

    #[test]
    fn a_database_from_a_newer_yihu_is_refused_untouched() {
        let (_dir, path) = temp_db();
        let other = Connection::open(&path).expect("open");
        other
            .execute_batch("PRAGMA user_version = 999")
            .expect("set version");
        drop(other);
        assert_eq!(open_code(&path), "db.too_new");
        let check = Connection::open(&path).expect("reopen");
        let v: i64 = check
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(v, 999);
    }

    #[test]
    fn a_folder_that_cannot_be_created_is_an_open_failure() {
        let (dir, _) = temp_db();
        let file = dir.path().join("plain-file");
        std::fs::write(&file, b"x").expect("write");
        // The database's folder would have to be inside a regular file.
        assert_eq!(open_code(&file.join("yihu.db")), "db.open");
    }

    #[test]
    fn non_db_errors_are_reported_as_open_failures() {
        let e = classify_open_error(ApiError::internal("embedded migrations are invalid"));
        assert_eq!(e.code, "db.open");
        let e = classify_open_error(ApiError::new("db.too_new", "newer"));
        assert_eq!(e.code, "db.too_new");
    }

    #[test]
    fn fresh_database_is_ready_and_empty_then_commands_run() {
        let (_dir, path) = temp_db();
        let store = Store::new(path);
        let status = store.status("1.2.3");
        assert_eq!(status.state, "ready");
        assert!(status.empty);
        assert_eq!(status.version, "1.2.3");
        assert!(status.error.is_none());
        // The first staff member may be created by anyone (bootstrap).
        let admin = store
            .call(
                "staff.create",
                &serde_json::json!({"name": "管理员", "role": "admin", "division_code": "321324203"}),
                None,
            )
            .expect("bootstrap admin");
        assert!(!store.status("1.2.3").empty);
        let id = admin["id"].as_str().expect("id").to_string();
        let list = store
            .call("staff.list", &serde_json::json!({}), Some(&id))
            .expect("staff.list as admin");
        assert!(list.to_string().contains(&id));
    }

    #[test]
    fn bad_actor_and_unknown_command_are_api_errors() {
        let (_dir, path) = temp_db();
        let store = Store::new(path);
        let e = store
            .call("staff.list", &serde_json::json!({}), Some("not-a-uuid"))
            .unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.field.as_deref()),
            ("request.field.type", Some("actor"))
        );
        let e = store
            .call("no.such", &serde_json::json!({}), None)
            .unwrap_err();
        assert_eq!(e.code, "command.unknown");
    }

    #[test]
    fn demo_loads_once_and_refuses_too_many_households() {
        let (_dir, path) = temp_db();
        let store = Store::new(path);
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).expect("date");
        let e = store.load_demo(MAX_DEMO_HOUSEHOLDS + 1, today).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.field.as_deref()),
            ("request.field.range", Some("households"))
        );
        let summary = store.load_demo(5, today).expect("demo");
        assert!(
            summary["households"].as_i64().unwrap_or_default() >= 5,
            "{summary}"
        );
        assert!(!store.status("0").empty);
        let e = store.load_demo(5, today).unwrap_err();
        assert_eq!(e.code, "demo.not_empty");
    }

    #[test]
    fn overlapping_commands_get_their_own_connections() {
        let (_dir, path) = temp_db();
        let store = Store::new(path);
        let a = store.checkout().expect("first");
        let b = store.checkout().expect("second while the first is out");
        drop((a, b));
        assert_eq!(lock(&store.inner).idle.len(), 2);
    }

    #[test]
    fn backups_for_administrators_automatic_ones_and_a_restore() {
        let (_dir, path) = temp_db();
        let store = Store::new(path);
        use serde_json::json;
        let admin = store
            .call(
                "staff.create",
                &json!({"name": "管理员", "role": "admin", "division_code": "32"}),
                None,
            )
            .expect("admin");
        let admin = admin["id"].as_str().expect("id").to_string();
        let cw = store
            .call(
                "staff.create",
                &json!({"name": "社工", "role": "caseworker", "division_code": "321324203"}),
                Some(&admin),
            )
            .expect("caseworker");
        let cw = cw["id"].as_str().expect("id").to_string();
        // The automatic backup: made once, then not again within the day.
        let first = store
            .auto_backup(chrono::Duration::hours(24))
            .expect("auto")
            .expect("made");
        assert!(
            store
                .auto_backup(chrono::Duration::hours(24))
                .expect("auto")
                .is_none()
        );
        // Only administrators see, make and restore backups.
        for e in [
            store.backups(Some(&cw)).map(|_| ()).unwrap_err(),
            store.backup_now(Some(&cw)).map(|_| ()).unwrap_err(),
            store
                .restore(Some(&cw), &first.name)
                .map(|_| ())
                .unwrap_err(),
            store.backups(None).map(|_| ()).unwrap_err(),
        ] {
            assert!(e.code.starts_with("auth."), "{e:?}");
        }
        let list = store.backups(Some(&admin)).expect("list");
        assert_eq!(list.backups.len(), 1);
        assert_eq!(list.backups[0].name, first.name);
        // Work after the backup, then restore it: the work is gone, the backup's staff remain.
        store
            .call(
                "household.create",
                &json!({"division_code": "321324203", "address": "一组", "causes": ["illness"],
                    "referral_source": "self", "priority": "low"}),
                Some(&cw),
            )
            .expect("household");
        let err = store.restore(Some(&admin), "yihu-nope.db").unwrap_err();
        assert_eq!(err.code, "backup.not_found");
        let done = store.restore(Some(&admin), &first.name).expect("restore");
        assert!(done["saved_before"]["name"].is_string(), "{done}");
        let page = store
            .call("household.list", &json!({}), Some(&cw))
            .expect("list after restore");
        assert_eq!(page["total"], json!(0));
        // The copy of what was replaced is listed too.
        assert_eq!(store.backups(Some(&admin)).expect("list").backups.len(), 2);
    }
}
