//! The desktop app's hold on its database file and on who is signed in, kept apart from Tauri
//! so it is tested without a window. It opens the file off the UI thread, remembers why
//! opening failed instead of crashing (another program holds it, a newer Yihu wrote it, it is
//! damaged, its keyring is gone), and hands out connections for commands from a small pool.
//!
//! It also holds the session: the database key (unwrapped from the keyring by a passphrase or
//! the recovery code) and the signed-in staff member. Every command runs as that person — the
//! UI cannot name another — and nothing runs when nobody is signed in or the session has been
//! idle past the configured lock time. Locking forgets the person, not the key: the database
//! stays open for the backups, and signing in again asks for a passphrase.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, SystemTime};

use crate::session_clock::{Clock, Moment};
use yihu::error_code::ErrorCode;

use chrono::NaiveDate;
use rusqlite::Connection;
use serde_json::Value;
use uuid::Uuid;
use yihu::account::{self, Via};
pub use yihu::account::{AppStatus, AuthStep, BackupList, OpenState, SetUp, SignedIn};
use yihu::api::ledger::{LedgerJob, LedgerRequest, LedgerWritten};
use yihu::api::reference::{Candidate, DEFAULT_IDLE_LOCK_MINUTES};
use yihu::keyring::{self, DbKey, Keyring, SignInName};
use yihu::progress::Progress;
use yihu::vault::{self, FirstPassphrases, Protection};
use yihu::{ApiError, Ctx, api, db, demo};

/// Idle connections kept for reuse; more are opened when commands overlap and closed after.
const MAX_IDLE: usize = 4;

/// The most households the UI may ask the demo for (the benchmarks' size).
pub const MAX_DEMO_HOUSEHOLDS: u32 = 100_000;

#[derive(Debug)]
enum Opened {
    NotYet,
    Ready,
    Failed(ApiError),
}

#[derive(Debug)]
struct Session {
    staff_id: Uuid,
    last_active: Moment,
    must_change: bool,
}

#[derive(Debug)]
struct Inner {
    clock: Clock,
    opened: Opened,
    idle: Vec<Connection>,
    /// The key of the open database (None while it is still a plain file).
    key: Option<DbKey>,
    session: Option<Session>,
    /// Who was signed in when the session was locked.
    locked: Option<Uuid>,
    /// How many times the database file was replaced under a new key while open (a key
    /// rotation): connections of an earlier generation are not pooled again.
    generation: u64,
    /// When the keyring file last changed, as `rotate_if_due` last saw it.
    keyring_seen: Option<SystemTime>,
    idle_lock: Duration,
}

impl Inner {
    /// End the session if it has been idle past the lock time (remembering who it was, to
    /// offer them first). Returns whether it just ended.
    fn expire_idle(&mut self) -> bool {
        if self
            .session
            .as_ref()
            .is_some_and(|s| self.clock.now().since(&s.last_active) > self.idle_lock)
        {
            self.locked = self.session.take().map(|s| s.staff_id);
            return true;
        }
        false
    }
}

pub struct Store {
    path: PathBuf,
    /// Serialises attempts to open the file (start-up, retry, sign-in, set-up).
    open_lock: Mutex<()>,
    inner: Mutex<Inner>,
    /// Where a key rotation's progress goes (the window, through an event).
    progress: OnceLock<Box<dyn Fn(Progress) + Send + Sync>>,
}

/// A connection checked out of the pool; it goes back when dropped.
pub struct Conn<'a> {
    store: &'a Store,
    conn: Option<Connection>,
    /// The key generation it was opened under ([`Inner::generation`]).
    generation: u64,
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
            // One opened before a key rotation has the replaced file open: never pooled.
            if matches!(inner.opened, Opened::Ready)
                && inner.idle.len() < MAX_IDLE
                && self.generation == inner.generation
            {
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
        ErrorCode::AppDbUnavailable,
        "the database is not open; see app_status for why",
    )
}

fn signed_out() -> ApiError {
    ApiError::new(
        ErrorCode::AuthSignedOut,
        "nobody is signed in; sign in first",
    )
}

fn locked() -> ApiError {
    ApiError::new(
        ErrorCode::AuthLocked,
        "the app locked itself after a time without use; sign in again",
    )
}

/// The error `db::open` gave, as the UI gets it. The core already names the cases the UI
/// explains: `db.busy` (another program holds the file locked), `db.too_new` (written by a
/// newer Yihu), `db.damaged` (not a database, or corrupt), `db.keyring_missing`, `db.wrong_key`;
/// `db.open` (cannot open or create the file), `db.migrate`, `db.read_only`, `db.disk_full`.
/// Anything else becomes `db.open`.
pub fn classify_open_error(e: ApiError) -> ApiError {
    if e.code.as_str().starts_with("db.") || e.code.as_str().starts_with("keyring.") {
        e
    } else {
        ApiError {
            code: ErrorCode::DbOpen,
            message: format!("cannot open the database: {}", e.message),
            field: None,
        }
    }
}

/// Whether `command` runs for nobody (access `Anyone`): reference data such as divisions.
fn needs_nobody(command: &str) -> bool {
    yihu::commands()
        .iter()
        .any(|c| c.name == command && c.access == api::Access::Anyone)
}

/// Parse a staff id sent by the UI.
pub fn parse_staff_id(id: &str, field: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id.trim()).map_err(|_| {
        ApiError::at(
            ErrorCode::RequestFieldType,
            field,
            "this must be a staff id",
        )
    })
}

impl Store {
    /// A store for the file at `path`; nothing is opened yet.
    pub fn new(path: PathBuf) -> Store {
        Store {
            path,
            open_lock: Mutex::new(()),
            inner: Mutex::new(Inner {
                clock: Clock::default(),
                opened: Opened::NotYet,
                idle: Vec::new(),
                key: None,
                session: None,
                locked: None,
                generation: 0,
                keyring_seen: None,
                idle_lock: Duration::from_secs(u64::from(DEFAULT_IDLE_LOCK_MINUTES) * 60),
            }),
            progress: OnceLock::new(),
        }
    }

    /// Send the progress of key rotations to `to` (set once, when the window exists).
    pub fn report_progress_to(&self, to: impl Fn(Progress) + Send + Sync + 'static) {
        let _ = self.progress.set(Box::new(to));
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Open the file unless that was already done; with `retry`, also try again after a
    /// failure. An encrypted database is opened only with its key ([`Store::sign_in`]); until
    /// then this does nothing. Blocking: call it on a worker thread.
    pub fn ensure_open(&self, retry: bool) -> Result<(), ApiError> {
        let _attempt = lock(&self.open_lock);
        {
            let inner = lock(&self.inner);
            match &inner.opened {
                Opened::Ready => return Ok(()),
                Opened::Failed(e) if !retry => return Err(e.clone()),
                Opened::Failed(_) | Opened::NotYet => {}
            }
        }
        let known_key = lock(&self.inner).key.clone();
        let key = match vault::protection(&self.path) {
            Protection::Encrypted => match known_key {
                Some(k) => Some(k),
                // Nothing to open before someone signs in; the keyring must be readable.
                None => {
                    return match Keyring::load(&self.path) {
                        Ok(_) => {
                            lock(&self.inner).opened = Opened::NotYet;
                            Ok(())
                        }
                        Err(e) => Err(self.failed(e)),
                    };
                }
            },
            Protection::KeyringMissing => return Err(self.failed(vault::keyring_missing())),
            Protection::Missing | Protection::Plain => None,
        };
        self.open_with(key)
    }

    /// Record that opening failed with `e` (the UI shows why).
    fn failed(&self, e: ApiError) -> ApiError {
        let e = classify_open_error(e);
        let mut inner = lock(&self.inner);
        inner.opened = Opened::Failed(e.clone());
        inner.idle.clear();
        e
    }

    /// Open the file with `key` (None: plain) into the pool. The caller holds `open_lock`.
    fn open_with(&self, key: Option<DbKey>) -> Result<(), ApiError> {
        match db::open_keyed(&self.path, key.as_ref()) {
            Ok(conn) => {
                let mut inner = lock(&self.inner);
                inner.opened = Opened::Ready;
                inner.idle.clear();
                inner.idle.push(conn);
                inner.key = key;
                Ok(())
            }
            Err(e) => Err(self.failed(e)),
        }
    }

    /// Whether the database is open (an encrypted one: after the first sign-in).
    pub fn is_open(&self) -> bool {
        matches!(lock(&self.inner).opened, Opened::Ready)
    }

    /// A connection for one command. Opens the file first if needed; `app.db_unavailable`
    /// when it could not be opened, `auth.signed_out` when it is encrypted and nobody has
    /// signed in yet.
    pub fn checkout(&self) -> Result<Conn<'_>, ApiError> {
        if self.ensure_open(false).is_err() {
            return Err(db_unavailable());
        }
        let key = {
            let mut inner = lock(&self.inner);
            if !matches!(inner.opened, Opened::Ready) {
                return Err(signed_out());
            }
            if let Some(conn) = inner.idle.pop() {
                return Ok(Conn {
                    store: self,
                    conn: Some(conn),
                    generation: inner.generation,
                });
            }
            (inner.key.clone(), inner.generation)
        };
        let (key, generation) = key;
        // Every pooled connection is busy: open one more (outside any lock).
        let conn = db::open_keyed(&self.path, key.as_ref()).map_err(classify_open_error)?;
        Ok(Conn {
            store: self,
            conn: Some(conn),
            generation,
        })
    }

    /// The state the UI shows at start: what it must ask first, or why the database cannot
    /// be used.
    pub fn status(&self, version: &str) -> AppStatus {
        let mut status = AppStatus {
            state: OpenState::Ready,
            db_path: self.path.display().to_string(),
            error: None,
            auth: AuthStep::SignIn,
            staff: None,
            demo: false,
            locked_staff_id: lock(&self.inner).locked.map(|id| id.to_string()),
            version: version.to_string(),
        };
        let outcome = (|| -> Result<(), ApiError> {
            self.ensure_open(false)?;
            match vault::protection(&self.path) {
                Protection::Encrypted => {
                    status.demo = Keyring::load(&self.path)?.is_some_and(|k| k.demo);
                    status.staff = self.signed_in()?;
                    if status.staff.is_some() {
                        status.auth = AuthStep::SignedIn;
                    }
                }
                _ => {
                    let conn = self.checkout()?;
                    let n: i64 = conn.query_row("SELECT count(*) FROM staff", [], |r| r.get(0))?;
                    status.auth = if n == 0 {
                        AuthStep::Setup
                    } else {
                        AuthStep::Encrypt
                    };
                }
            }
            Ok(())
        })();
        if let Err(e) = outcome {
            status.state = OpenState::Error;
            status.error = Some(e);
        }
        status
    }

    /// Try opening again (after the user closed the program that held the file).
    pub fn retry_open(&self, version: &str) -> AppStatus {
        // The outcome is reported by status().
        let _ = self.ensure_open(true);
        self.status(version)
    }

    // ------------------------------------------------------------------ the session

    /// The signed-in staff member, if the session is live (not locked by idleness).
    fn signed_in(&self) -> Result<Option<SignedIn>, ApiError> {
        let (id, must_change, idle) = {
            let mut inner = lock(&self.inner);
            inner.expire_idle();
            match &inner.session {
                Some(s) => (s.staff_id, s.must_change, inner.idle_lock),
                None => return Ok(None),
            }
        };
        let staff = self.candidate(id)?;
        Ok(Some(SignedIn {
            staff,
            must_change,
            idle_lock_minutes: (idle.as_secs() / 60) as u32,
        }))
    }

    /// `id` as an active staff member of the open database.
    fn candidate(&self, id: Uuid) -> Result<Candidate, ApiError> {
        let mut conn = self.checkout()?;
        let list = api::dispatch(&mut conn, &Ctx::system(None), "session.candidates", "{}")?;
        let list: Vec<Candidate> = serde_json::from_value(list)?;
        list.into_iter()
            .find(|c| c.id == id.to_string())
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::AuthActorInactive,
                    "this staff member is deactivated",
                )
            })
    }

    /// The acting staff member for a command, refreshing the idle timer; refused when nobody
    /// is signed in, the session went idle past the lock time, or a new passphrase is due.
    fn actor(&self) -> Result<Uuid, ApiError> {
        let mut inner = lock(&self.inner);
        if inner.expire_idle() {
            return Err(locked());
        }
        let now = inner.clock.now();
        match inner.session.as_mut() {
            None => Err(signed_out()),
            Some(s) if s.must_change => Err(ApiError::new(
                ErrorCode::AuthMustChangePassphrase,
                "choose a new passphrase first",
            )),
            Some(s) => {
                s.last_active = now;
                Ok(s.staff_id)
            }
        }
    }

    /// The people who can sign in (from the keyring; no database access needed).
    pub fn sign_in_names(&self) -> Result<Vec<SignInName>, ApiError> {
        Ok(Keyring::load(&self.path)?
            .map(|k| k.names())
            .unwrap_or_default())
    }

    /// Start a session for `staff_id`, now that `key` (unwrapped `via` a passphrase or the
    /// recovery code) has opened the database; the core checks them and records the sign-in.
    fn start_session(
        &self,
        key: DbKey,
        staff_id: Uuid,
        must_change: bool,
        via: Via,
    ) -> Result<SignedIn, ApiError> {
        {
            let _attempt = lock(&self.open_lock);
            let open_already = self.is_open() && lock(&self.inner).key.is_some();
            if !open_already {
                self.open_with(Some(key))?;
            }
        }
        let signed = {
            let mut conn = self.checkout()?;
            account::sign_in(&mut conn, &Ctx::system(Some(staff_id)), via, must_change)?
        };
        let mut inner = lock(&self.inner);
        inner.idle_lock = Duration::from_secs(u64::from(signed.idle_lock_minutes) * 60);
        inner.session = Some(Session {
            staff_id,
            last_active: inner.clock.now(),
            must_change,
        });
        inner.locked = None;
        Ok(signed)
    }

    /// Sign in with a passphrase. A wrong one is `auth.wrong_passphrase` (field `passphrase`).
    pub fn sign_in(&self, staff_id: &str, passphrase: &str) -> Result<SignedIn, ApiError> {
        let staff_id = parse_staff_id(staff_id, "staff_id")?;
        let unlocked = account::unlock_staff(&self.path, staff_id, passphrase)?;
        self.start_session(
            unlocked.key,
            staff_id,
            unlocked.must_change,
            Via::Passphrase,
        )
    }

    /// Forgotten passphrase: the recovery code opens the key, and the administrator
    /// `staff_id` gets the new passphrase and is signed in.
    pub fn recover(
        &self,
        code: &str,
        staff_id: &str,
        new_passphrase: &str,
    ) -> Result<SignedIn, ApiError> {
        let staff_id = parse_staff_id(staff_id, "staff_id")?;
        yihu::keyring::check_passphrase(new_passphrase, "new_passphrase")?;
        let key = account::unlock_recovery(&self.path, code)?;
        {
            let _attempt = lock(&self.open_lock);
            if !self.is_open() {
                self.open_with(Some(key.clone()))?;
            }
        }
        {
            let mut conn = self.checkout()?;
            account::recover(
                &mut conn,
                &Ctx::system(Some(staff_id)),
                &key,
                new_passphrase,
            )?;
        }
        self.start_session(key, staff_id, false, Via::RecoveryCode)
    }

    /// Lock now (the window's idle timer, or "sign out").
    pub fn lock_session(&self) {
        let mut inner = lock(&self.inner);
        if let Some(s) = inner.session.take() {
            inner.locked = Some(s.staff_id);
        }
    }

    /// The person is still working (typing in a form sends no command).
    pub fn touch(&self) -> Result<(), ApiError> {
        self.actor().map(|_| ()).or_else(|e| match e.code.as_str() {
            "auth.must_change_passphrase" => Ok(()),
            _ => Err(e),
        })
    }

    /// The signed-in person changes their own passphrase (the current one is asked again).
    pub fn change_passphrase(&self, current: &str, new: &str) -> Result<SignedIn, ApiError> {
        let staff_id = {
            let inner = lock(&self.inner);
            inner
                .session
                .as_ref()
                .map(|s| s.staff_id)
                .ok_or_else(signed_out)?
        };
        {
            let mut conn = self.checkout()?;
            account::change_passphrase(&mut conn, &Ctx::system(Some(staff_id)), current, new)?;
        }
        let mut inner = lock(&self.inner);
        let now = inner.clock.now();
        if let Some(s) = inner.session.as_mut() {
            s.must_change = false;
            s.last_active = now;
        }
        drop(inner);
        self.signed_in()?.ok_or_else(signed_out)
    }

    /// An administrator gives `staff_id` a passphrase (they must change it at first sign-in).
    pub fn set_passphrase(&self, staff_id: &str, passphrase: &str) -> Result<(), ApiError> {
        let target = parse_staff_id(staff_id, "staff_id")?;
        let actor = self.actor()?;
        let key = lock(&self.inner).key.clone().ok_or_else(signed_out)?;
        let mut conn = self.checkout()?;
        account::set_passphrase(
            &mut conn,
            &Ctx::system(Some(actor)),
            &key,
            target,
            passphrase,
        )
    }

    /// A new recovery code (the old one stops working); administrators only. Shown once.
    pub fn renew_recovery_code(&self) -> Result<String, ApiError> {
        let actor = self.actor()?;
        let key = lock(&self.inner).key.clone().ok_or_else(signed_out)?;
        let mut conn = self.checkout()?;
        let code = account::renew_recovery_code(&mut conn, &Ctx::system(Some(actor)), &key)?;
        Ok(code.to_string())
    }

    // ------------------------------------------------------------------ set-up

    /// The administrators of a plain database (the "encrypt" step picks one).
    pub fn plain_admins(&self) -> Result<Vec<Candidate>, ApiError> {
        account::require_plain(&self.path)?;
        let mut conn = self.checkout()?;
        account::admins(&mut conn)
    }

    /// Close every pooled connection, run `encrypt` on the plain file and reopen it with the
    /// key it returns.
    fn encrypt_with<C: std::ops::Deref<Target = String>>(
        &self,
        encrypt: impl FnOnce() -> Result<(DbKey, C), ApiError>,
    ) -> Result<(DbKey, String), ApiError> {
        let _attempt = lock(&self.open_lock);
        {
            let mut inner = lock(&self.inner);
            inner.idle.clear();
            inner.opened = Opened::NotYet;
        }
        let (key, code) = encrypt()?;
        self.open_with(Some(key.clone()))?;
        Ok((key, code.to_string()))
    }

    /// Encrypt the plain database with the administrator `admin`'s first passphrase and sign
    /// them in.
    fn encrypt_and_sign_in(
        &self,
        admin: Uuid,
        passphrase: &str,
        via: Via,
    ) -> Result<SetUp, ApiError> {
        let ctx = Ctx::system(Some(admin));
        let (key, code) =
            self.encrypt_with(|| account::encrypt(&self.path, &ctx, admin, passphrase, via))?;
        let signed = self.start_session(key, admin, false, via)?;
        Ok(SetUp {
            recovery_code: code,
            staff: Some(signed),
            demo: None,
            demo_passphrase: None,
        })
    }

    /// First start: create the administrator with their passphrase, encrypt the new database
    /// and sign them in. Returns the recovery code, to be shown once.
    pub fn setup(&self, admin: &Value, passphrase: &str) -> Result<SetUp, ApiError> {
        let id = {
            let mut conn = self.checkout()?;
            account::create_first_admin(&mut conn, &Ctx::system(None), admin, passphrase)?
        };
        self.encrypt_and_sign_in(id, passphrase, Via::SetUp)
    }

    /// A database from before encryption: the administrator `staff_id` sets their passphrase,
    /// the file and its backups are encrypted, and they are signed in.
    pub fn encrypt_existing(&self, staff_id: &str, passphrase: &str) -> Result<SetUp, ApiError> {
        let id = parse_staff_id(staff_id, "staff_id")?;
        self.encrypt_and_sign_in(id, passphrase, Via::Passphrase)
    }

    /// Fill the new database with demo data (seed 1, anchored on `today`) and encrypt it;
    /// every demo staff member's passphrase is the demo one. Nobody is signed in after.
    pub fn load_demo(&self, households: u32, today: NaiveDate) -> Result<SetUp, ApiError> {
        if households > MAX_DEMO_HOUSEHOLDS {
            return Err(ApiError::at(
                ErrorCode::RequestFieldRange,
                "households",
                format!("households must be at most {MAX_DEMO_HOUSEHOLDS}"),
            ));
        }
        account::require_plain(&self.path)?;
        let summary = {
            let mut conn = self.checkout()?;
            demo::build(
                &mut conn,
                &demo::Options {
                    households,
                    seed: 1,
                    today,
                },
            )?
        };
        let (_, code) = self.encrypt_with(|| {
            vault::encrypt_database(&self.path, &self.backup_dir(), FirstPassphrases::Demo)
        })?;
        Ok(SetUp {
            recovery_code: code,
            staff: None,
            demo: Some(serde_json::to_value(&summary)?),
            demo_passphrase: Some(vault::DEMO_PASSPHRASE.to_string()),
        })
    }

    // ------------------------------------------------------------------ commands

    /// Run one command of the core as the signed-in staff member. The few commands that need
    /// nobody (the division tree, for the first start's form) also run before sign-in.
    pub fn call(&self, command: &str, request: &Value) -> Result<Value, ApiError> {
        let actor = match self.actor() {
            Ok(actor) => Some(actor),
            Err(e) if e.code == ErrorCode::AuthSignedOut && needs_nobody(command) => None,
            Err(e) => return Err(e),
        };
        let body = serde_json::to_string(request)?;
        let ctx = Ctx::system(actor);
        let result = {
            let mut conn = self.checkout()?;
            api::dispatch(&mut conn, &ctx, command, &body)?
        };
        self.after(command, &result);
        self.rotate_if_due(&ctx)?;
        Ok(result)
    }

    /// After someone was deactivated (their slot left the keyring inside the command): rotate
    /// the database key, so no older copy of the keyring opens the file. The pool's connections
    /// are closed first (the file is replaced), and commands wait meanwhile.
    /// The keyring is read only when its file changed since the last look (a demo's holds
    /// hundreds of slots; most commands leave it alone).
    fn rotate_if_due(&self, ctx: &Ctx) -> Result<(), ApiError> {
        let changed_at = std::fs::metadata(keyring::path_for(&self.path))
            .and_then(|m| m.modified())
            .ok();
        if changed_at.is_none() || lock(&self.inner).keyring_seen == changed_at {
            return Ok(());
        }
        if !Keyring::load(&self.path)?.is_some_and(|r| r.rotation_due) {
            // Seen and nothing due; a due rotation that fails is tried again next time.
            lock(&self.inner).keyring_seen = changed_at;
            return Ok(());
        }
        let mut inner = lock(&self.inner);
        let Some(key) = inner.key.clone() else {
            return Ok(());
        };
        inner.idle.clear();
        let report = |p: Progress| {
            if let Some(to) = self.progress.get() {
                to(p);
            }
        };
        if let Some(done) = account::rotate_key_watched(&self.path, ctx, &key, &report)?
            && let Some(new) = done.key
        {
            inner.key = Some(new);
            inner.generation += 1;
        }
        Ok(())
    }

    /// Check that someone is signed in (before the save dialog of an export opens).
    pub fn require_signed_in(&self) -> Result<(), ApiError> {
        self.actor().map(|_| ())
    }

    /// Write a ledger to `out` (chosen in the save dialog) as the signed-in staff member: the
    /// core decides what they may export, masks what must be masked and audits it.
    pub fn export_ledger(
        &self,
        request: LedgerRequest,
        out: PathBuf,
    ) -> Result<LedgerWritten, ApiError> {
        let ctx = Ctx::system(Some(self.actor()?));
        let mut conn = self.checkout()?;
        api::export_ledger(&mut conn, &ctx, LedgerJob { request, out })
    }

    /// What the shell keeps in step with a command that succeeded: the idle lock time. (The
    /// keyring follows staff changes inside the core's own command.)
    fn after(&self, command: &str, result: &Value) {
        if command == "settings.update"
            && let Some(m) = result["idle_lock_minutes"].as_u64()
        {
            lock(&self.inner).idle_lock = Duration::from_secs(m * 60);
        }
    }
}

#[path = "store_backups.rs"]
mod backups;

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
