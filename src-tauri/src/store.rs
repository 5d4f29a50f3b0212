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
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};
use yihu::error_code::ErrorCode;

use chrono::NaiveDate;
use rusqlite::Connection;
use serde_json::Value;
use uuid::Uuid;
use yihu::account::{self, Via};
pub use yihu::account::{AppStatus, AuthStep, BackupList, OpenState, SetUp, SignedIn};
use yihu::api::ledger::{LedgerJob, LedgerRequest, LedgerWritten};
use yihu::api::reference::{Candidate, DEFAULT_IDLE_LOCK_MINUTES};
use yihu::backup::{self, BackupInfo};
use yihu::keyring::{self, DbKey, Keyring, SignInName};
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

/// A moment on both clocks: the monotonic one (which a clock set back does not fool) and the
/// wall clock (which goes on while the laptop sleeps; the monotonic one stops there).
#[derive(Debug, Clone, Copy)]
struct Moment {
    mono: Instant,
    wall: SystemTime,
}

impl Moment {
    /// Time since `earlier` by whichever clock says longer: a laptop closed for an hour has
    /// been idle an hour, and setting the clock back does not make it younger.
    fn since(&self, earlier: &Moment) -> Duration {
        let mono = self.mono.saturating_duration_since(earlier.mono);
        let wall = self.wall.duration_since(earlier.wall).unwrap_or_default();
        mono.max(wall)
    }
}

/// The session's clock, which tests move forward instead of sleeping (the idle lock is then
/// tested with its real minutes, not with milliseconds that a busy machine can overrun):
/// `ahead` moves both clocks, `slept` only the wall clock (a suspended laptop).
#[derive(Debug, Default)]
struct Clock {
    ahead: Duration,
    slept: Duration,
}

impl Clock {
    fn now(&self) -> Moment {
        Moment {
            mono: Instant::now() + self.ahead,
            wall: SystemTime::now() + self.ahead + self.slept,
        }
    }
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
        }
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
        if let Some(done) = account::rotate_key(&self.path, ctx, &key)?
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

    // ------------------------------------------------------------------ backups

    /// The backup folder: `backups/` next to the database file.
    pub fn backup_dir(&self) -> PathBuf {
        backup::default_dir(&self.path)
    }

    /// The signed-in person, checked to be an administrator (backups, passphrases, the
    /// recovery code).
    fn authorise_admin(&self) -> Result<Uuid, ApiError> {
        let actor = self.actor()?;
        let mut conn = self.checkout()?;
        api::authorise_file_operation(&mut conn, &Ctx::system(Some(actor)), api::Access::Admin)?;
        Ok(actor)
    }

    /// "Back up now" from the Backup page (administrators only).
    pub fn backup_now(&self) -> Result<BackupInfo, ApiError> {
        let actor = self.actor()?;
        let key = lock(&self.inner).key.clone();
        let mut conn = self.checkout()?;
        let ctx = Ctx::system(Some(actor));
        account::back_up(&mut conn, &ctx, key.as_ref(), &self.backup_dir()).map(|(made, _)| made)
    }

    /// The app's own backup: made when the database is open and the newest backup is older
    /// than `max_age`. `Ok(None)`: nothing to do (yet).
    pub fn auto_backup(&self, max_age: chrono::Duration) -> Result<Option<BackupInfo>, ApiError> {
        if !self.is_open() {
            return Ok(None);
        }
        if let Some(at) = backup::newest_at(&self.backup_dir())?
            && chrono::Utc::now().naive_utc().signed_duration_since(at) < max_age
        {
            return Ok(None);
        }
        let key = lock(&self.inner).key.clone();
        let conn = self.checkout()?;
        account::back_up_automatically(&conn, key.as_ref(), &self.backup_dir(), chrono::Utc::now())
            .map(Some)
    }

    /// The backups for the Backup page (administrators only): the folder and its files,
    /// newest first.
    pub fn backups(&self) -> Result<BackupList, ApiError> {
        self.authorise_admin()?;
        Ok(BackupList {
            dir: self.backup_dir().display().to_string(),
            backups: backup::list(&self.backup_dir())?,
        })
    }

    /// Replace the database with the backup `name` from the backup folder (administrators
    /// only). The file is checked first and the current content backed up; other windows'
    /// connections see the restored data on their next command.
    pub fn restore(&self, name: &str) -> Result<Value, ApiError> {
        let actor = self.actor()?;
        let mut conn = self.checkout()?;
        let dir = self.backup_dir();
        let chosen = backup::list(&dir)?
            .into_iter()
            .find(|b| b.name == name)
            .ok_or_else(|| {
                ApiError::at(ErrorCode::BackupNotFound, "name", "there is no such backup")
            })?;
        let key = lock(&self.inner).key.clone();
        let done = account::restore(
            &mut conn,
            &Ctx::system(Some(actor)),
            key.as_ref(),
            Path::new(&chosen.path),
            &dir,
        )?;
        // Idle connections may hold statements prepared against the old schema: start afresh.
        lock(&self.inner).idle.clear();
        Ok(serde_json::to_value(done)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
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
            Err(e) => e.code.as_str().into(),
        }
    }

    #[test]
    fn random_bytes_are_a_damaged_database() {
        let (_dir, path) = temp_db();
        let bytes = pseudo_random_bytes(8192);
        let mut f = std::fs::File::create(&path).expect("create");
        f.write_all(&bytes).expect("write");
        drop(f);
        // Without a keyring, random bytes may be damage or an encrypted file whose keyring is
        // gone: the error says both.
        assert_eq!(open_code(&path), "db.keyring_missing");
        let store = Store::new(path.clone());
        let status = store.status("0.0.0");
        assert_eq!(status.state, OpenState::Error);
        let e = status.error.expect("error");
        assert!(e.message.contains("damaged"), "{e:?}");
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
        assert_eq!(status.state, OpenState::Error);
        assert_eq!(status.error.map(|e| e.code.as_str()), Some("db.busy"));
        // Commands meanwhile run for nobody, without retrying behind the UI.
        let err = store.call("staff.list", &json!({})).unwrap_err();
        assert_eq!(err.code, "auth.signed_out");
        assert_eq!(
            store.checkout().map(|_| ()).unwrap_err().code,
            "app.db_unavailable"
        );
        // The other program finishes; the user presses "try again".
        other.execute_batch("COMMIT").expect("commit");
        drop(other);
        let status = store.retry_open("0.0.0");
        assert_eq!(status.state, OpenState::Ready, "{status:?}");
        assert_eq!(status.auth, AuthStep::Setup);
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
        let e = classify_open_error(ApiError::new(ErrorCode::DbTooNew, "newer"));
        assert_eq!(e.code, "db.too_new");
    }

    const PASS: &str = "correct horse battery";

    /// A store on a new database set up by its administrator (signed in); returns the
    /// administrator's id.
    fn set_up(path: &Path) -> (Store, String) {
        let store = Store::new(path.to_path_buf());
        let done = store
            .setup(&json!({"name": "管理员", "division_code": "32"}), PASS)
            .expect("setup");
        let admin = done.staff.expect("signed in").staff.id;
        (store, admin)
    }

    #[test]
    fn first_start_sets_up_an_encrypted_database_and_the_passphrase_signs_in() {
        let (_dir, path) = temp_db();
        let store = Store::new(path.clone());
        assert_eq!(store.status("1.2.3").auth, AuthStep::Setup);
        // The set-up form's division picker works before anyone exists.
        store
            .call("division.get", &json!({"code": "32"}))
            .expect("divisions before sign-in");
        // A short passphrase is refused at its field and nothing is created.
        let e = store
            .setup(&json!({"name": "管理员", "division_code": "32"}), "short")
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("passphrase"));
        assert_eq!(store.status("1.2.3").auth, AuthStep::Setup);
        let done = store
            .setup(&json!({"name": "管理员", "division_code": "32"}), PASS)
            .expect("setup");
        assert_eq!(done.recovery_code.len(), 35);
        let me = done.staff.expect("signed in");
        assert_eq!(me.staff.role, yihu::types::Role::Admin);
        let status = store.status("1.2.3");
        assert_eq!(
            (status.state, status.auth),
            (OpenState::Ready, AuthStep::SignedIn)
        );
        assert!(!db::is_plain_sqlite(&path), "the file is encrypted");
        let list = store.call("staff.list", &json!({})).expect("staff.list");
        assert!(list.to_string().contains(&me.staff.id));
        drop(store);

        // The next start: nobody is signed in and nothing runs until someone does.
        let store = Store::new(path.clone());
        let status = store.status("1.2.3");
        assert_eq!(
            (status.state, status.auth),
            (OpenState::Ready, AuthStep::SignIn)
        );
        assert_eq!(
            store.call("staff.list", &json!({})).unwrap_err().code,
            "auth.signed_out"
        );
        // Reference data that needs nobody is there before sign-in on a new database only:
        // an encrypted one is not open until someone signs in.
        assert_eq!(
            store
                .call("division.get", &json!({"code": "32"}))
                .unwrap_err()
                .code,
            "auth.signed_out"
        );
        let names = store.sign_in_names().expect("names");
        assert_eq!(names.len(), 1);
        let e = store
            .sign_in(&me.staff.id, "correct horse battery!")
            .unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.field.as_deref()),
            ("auth.wrong_passphrase", Some("passphrase"))
        );
        assert_eq!(store.status("1.2.3").auth, AuthStep::SignIn);
        store.sign_in(&me.staff.id, PASS).expect("sign in");
        store.call("staff.list", &json!({})).expect("runs now");
        let e = store.call("no.such", &json!({})).unwrap_err();
        assert_eq!(e.code, "command.unknown");
        // The recovery code lets the administrator choose a new passphrase.
        drop(store);
        let store = Store::new(path);
        store
            .recover(&done.recovery_code, &me.staff.id, "a brand new one")
            .expect("recover");
        store.lock_session();
        assert!(store.sign_in(&me.staff.id, PASS).is_err());
        store
            .sign_in(&me.staff.id, "a brand new one")
            .expect("new passphrase");
    }

    #[test]
    fn the_session_locks_after_the_idle_time_and_forgets_the_person_not_the_key() {
        let (_dir, path) = temp_db();
        let (store, admin) = set_up(&path);
        let idle = lock(&store.inner).idle_lock;
        assert_eq!(idle, Duration::from_secs(15 * 60), "the default lock time");
        // Each command restarts the idle time: just short of it, the session is still live.
        let wait = |d: Duration| lock(&store.inner).clock.ahead += d;
        store.call("staff.list", &json!({})).expect("active");
        wait(idle - Duration::from_secs(1));
        store.call("staff.list", &json!({})).expect("still active");
        wait(idle - Duration::from_secs(1));
        store.call("staff.list", &json!({})).expect("still active");
        // A moment past it, the session is locked.
        wait(idle + Duration::from_secs(1));
        assert_eq!(
            store.call("staff.list", &json!({})).unwrap_err().code,
            "auth.locked"
        );
        // A laptop that slept past the lock time (its monotonic clock stopped) is locked too.
        store.sign_in(&admin, PASS).expect("sign in again");
        store.call("staff.list", &json!({})).expect("active");
        lock(&store.inner).clock.slept += idle + Duration::from_secs(1);
        assert_eq!(
            store.call("staff.list", &json!({})).unwrap_err().code,
            "auth.locked",
            "the wall clock went on while the monotonic one slept"
        );
        let status = store.status("0");
        assert_eq!(status.auth, AuthStep::SignIn);
        assert_eq!(status.locked_staff_id.as_deref(), Some(admin.as_str()));
        // The database stays open (backups go on) while nobody is signed in.
        assert!(store.is_open());
        assert!(
            store
                .auto_backup(chrono::Duration::hours(1))
                .expect("backup")
                .is_some()
        );
        store.sign_in(&admin, PASS).expect("sign in again");
        // The administrator's setting takes effect at once.
        let s = store.call("settings.get", &json!({})).expect("settings");
        let mut s2 = s.clone();
        s2["idle_lock_minutes"] = json!(5);
        store.call("settings.update", &s2).expect("update");
        assert_eq!(lock(&store.inner).idle_lock, Duration::from_secs(300));
        // Touching keeps it alive; locking ends it.
        store.touch().expect("touch");
        store.lock_session();
        assert_eq!(store.touch().unwrap_err().code, "auth.signed_out");
    }

    #[test]
    fn staff_get_passphrases_from_an_administrator_and_must_change_them() {
        let (_dir, path) = temp_db();
        let (store, admin) = set_up(&path);
        let cw = store
            .call(
                "staff.create",
                &json!({"name": "社工", "role": "caseworker", "division_code": "321324203"}),
            )
            .expect("caseworker");
        let cw = cw["id"].as_str().expect("id").to_string();
        store
            .set_passphrase(&cw, "given by the admin")
            .expect("set");
        store.lock_session();
        let me = store.sign_in(&cw, "given by the admin").expect("sign in");
        assert!(me.must_change);
        assert_eq!(
            store.call("household.list", &json!({})).unwrap_err().code,
            "auth.must_change_passphrase"
        );
        let e = store
            .change_passphrase("wrong current", "my own choice")
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("current_passphrase"));
        let e = store
            .change_passphrase("given by the admin", "given by the admin")
            .unwrap_err();
        assert_eq!(e.code, "auth.passphrase_unchanged");
        let me = store
            .change_passphrase("given by the admin", "my own choice")
            .expect("change");
        assert!(!me.must_change);
        store.call("household.list", &json!({})).expect("works now");
        // A caseworker cannot give anyone a passphrase.
        assert!(
            store
                .set_passphrase(&admin, "taking over now")
                .unwrap_err()
                .code
                .as_str()
                .starts_with("auth.")
        );
        // A rename shows on the sign-in screen; deactivating someone takes their passphrase away.
        store.lock_session();
        store.sign_in(&admin, PASS).expect("admin");
        store
            .call(
                "staff.update",
                &json!({"id": cw, "staff": {"name": "社工（改名）", "role": "caseworker", "division_code": "321324203"}, "active": true}),
            )
            .expect("rename");
        let names = store.sign_in_names().expect("names");
        assert!(names.iter().any(|n| n.name == "社工（改名）"), "{names:?}");
        // Pooled connections, opened under today's key, and an old copy of the keyring.
        store.call("staff.list", &json!({})).expect("pool");
        let old_ring = Keyring::load(&path).expect("keyring").expect("a keyring");
        let cw_id = Uuid::parse_str(&cw).expect("uuid");
        store
            .call(
                "staff.update",
                &json!({"id": cw, "staff": {"name": "社工", "role": "caseworker", "division_code": "321324203"}, "active": false}),
            )
            .expect("deactivate");
        // The key was rotated at once: the app goes on working (its connections under the new
        // key), and the old copy with the caseworker's passphrase opens nothing.
        for _ in 0..6 {
            store.call("staff.list", &json!({})).expect("still working");
        }
        let old_key = old_ring
            .unlock_staff(cw_id, "my own choice")
            .expect("the old copy unwraps the old key");
        assert_eq!(
            db::open_keyed(&path, Some(&old_key)).unwrap_err().code,
            "db.wrong_key"
        );
        store.lock_session();
        assert_eq!(
            store.sign_in(&cw, "my own choice").unwrap_err().code,
            "auth.no_passphrase"
        );
        store
            .sign_in(&admin, PASS)
            .expect("the administrator signs in with the new keyring");
        store.call("staff.list", &json!({})).expect("and works");
    }

    #[test]
    fn a_database_from_before_encryption_is_encrypted_by_an_administrator() {
        let (_dir, path) = temp_db();
        let (admin, cw) = {
            let mut conn = db::open(&path).expect("plain");
            let ctx = Ctx::system(None);
            let a = api::dispatch(
                &mut conn,
                &ctx,
                "staff.create",
                r#"{"name": "管理员", "role": "admin", "division_code": "32"}"#,
            )
            .expect("admin");
            let a = a["id"].as_str().expect("id").to_string();
            let ctx = Ctx::system(Some(Uuid::parse_str(&a).expect("uuid")));
            let c = api::dispatch(
                &mut conn,
                &ctx,
                "staff.create",
                r#"{"name": "社工", "role": "caseworker", "division_code": "321324203"}"#,
            )
            .expect("cw");
            (a, c["id"].as_str().expect("id").to_string())
        };
        let store = Store::new(path.clone());
        assert_eq!(store.status("0").auth, AuthStep::Encrypt);
        let admins = store.plain_admins().expect("admins");
        assert_eq!(admins.len(), 1);
        let e = store.encrypt_existing(&cw, PASS).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("staff_id"));
        let done = store.encrypt_existing(&admin, PASS).expect("encrypt");
        assert!(!done.recovery_code.is_empty());
        assert!(!db::is_plain_sqlite(&path));
        assert_eq!(store.status("0").auth, AuthStep::SignedIn);
        let list = store.call("staff.list", &json!({})).expect("list");
        assert!(list.to_string().contains(&cw));
    }

    #[test]
    fn demo_loads_once_encrypted_with_the_demo_passphrase() {
        let (_dir, path) = temp_db();
        let store = Store::new(path);
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).expect("date");
        let e = store.load_demo(MAX_DEMO_HOUSEHOLDS + 1, today).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.field.as_deref()),
            ("request.field.range", Some("households"))
        );
        let done = store.load_demo(5, today).expect("demo");
        let summary = done.demo.expect("summary");
        assert!(
            summary["households"].as_i64().unwrap_or_default() >= 5,
            "{summary}"
        );
        let status = store.status("0");
        assert_eq!((status.auth, status.demo), (AuthStep::SignIn, true));
        let names = store.sign_in_names().expect("names");
        let anyone = names.first().expect("a name");
        store
            .sign_in(&anyone.staff_id.to_string(), yihu::vault::DEMO_PASSPHRASE)
            .expect("demo passphrase");
        let e = store.load_demo(5, today).unwrap_err();
        assert_eq!(e.code, "keyring.exists");
    }

    #[test]
    fn a_ledger_is_exported_only_by_someone_signed_in_and_masked_unless_revealed() {
        let (dir, path) = temp_db();
        let store = Store::new(path);
        let today = chrono::Local::now().date_naive();
        store.load_demo(20, today).expect("demo");
        let request = |reveal: bool| -> LedgerRequest {
            serde_json::from_value(json!({"kind": "ledger", "reveal": reveal})).expect("request")
        };
        let out = dir.path().join("台账.xlsx");
        // Nobody signed in: refused, no file.
        let e = store
            .export_ledger(request(false), out.clone())
            .unwrap_err();
        assert_eq!(e.code, "auth.signed_out");
        assert!(!out.exists());
        // A county supervisor of the demo: their county's households, masked.
        let names = store.sign_in_names().expect("names");
        let supervisor = names
            .iter()
            .find(|n| {
                store
                    .call("session.candidates", &json!({}))
                    .ok()
                    .and_then(|c| {
                        c.as_array().and_then(|a| {
                            a.iter()
                                .find(|s| s["id"] == n.staff_id.to_string())
                                .map(|s| {
                                    s["role"] == "supervisor" && s["division_code"] == "321324"
                                })
                        })
                    })
                    .unwrap_or(false)
            })
            .expect("the county supervisor");
        store
            .sign_in(
                &supervisor.staff_id.to_string(),
                yihu::vault::DEMO_PASSPHRASE,
            )
            .expect("sign in");
        let written = store
            .export_ledger(request(false), out.clone())
            .expect("export");
        assert!(out.exists());
        assert!(!written.revealed);
        assert!(
            written
                .sheets
                .iter()
                .any(|s| s.name == "成员" && s.rows > 0),
            "{written:?}"
        );
        let revealed = store
            .export_ledger(request(true), dir.path().join("revealed.xlsx"))
            .expect("export");
        assert!(revealed.revealed);
        // Both exports are in the audit trail.
        let trail = store
            .call("audit.list", &json!({"limit": 50}))
            .expect("audit");
        let exports = trail
            .as_array()
            .map(|a| a.iter().filter(|r| r["entity_type"] == "export").count())
            .unwrap_or_default();
        assert_eq!(exports, 2, "{trail}");
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
        let (store, admin) = set_up(&path);
        let cw = store
            .call(
                "staff.create",
                &json!({"name": "社工", "role": "caseworker", "division_code": "321324203"}),
            )
            .expect("caseworker");
        let cw = cw["id"].as_str().expect("id").to_string();
        store.set_passphrase(&cw, "caseworker pass").expect("set");
        // The automatic backup: made once, then not again within the day; encrypted, with the
        // keyring beside it.
        let first = store
            .auto_backup(chrono::Duration::hours(24))
            .expect("auto")
            .expect("made");
        assert!(!db::is_plain_sqlite(Path::new(&first.path)));
        assert!(store.backup_dir().join("yihu.db.keys").is_file());
        assert!(
            store
                .auto_backup(chrono::Duration::hours(24))
                .expect("auto")
                .is_none()
        );
        // Only administrators see, make and restore backups.
        store.lock_session();
        store.sign_in(&cw, "caseworker pass").expect("cw");
        store
            .change_passphrase("caseworker pass", "caseworker own")
            .expect("change");
        for e in [
            store.backups().map(|_| ()).unwrap_err(),
            store.backup_now().map(|_| ()).unwrap_err(),
            store.restore(&first.name).map(|_| ()).unwrap_err(),
        ] {
            assert!(e.code.as_str().starts_with("auth."), "{e:?}");
        }
        // Work after the backup, then restore it: the work is gone, the backup's staff remain.
        store
            .call(
                "household.create",
                &json!({"division_code": "321324203", "address": "一组", "causes": ["illness"],
                    "referral_source": "self", "priority": "low"}),
            )
            .expect("household");
        store.lock_session();
        assert!(
            store
                .backups()
                .map(|_| ())
                .unwrap_err()
                .code
                .as_str()
                .starts_with("auth.")
        );
        store.sign_in(&admin, PASS).expect("admin");
        let list = store.backups().expect("list");
        assert_eq!(list.backups.len(), 1);
        assert_eq!(list.backups[0].name, first.name);
        let err = store.restore("yihu-nope.db").unwrap_err();
        assert_eq!(err.code, "backup.not_found");
        let done = store.restore(&first.name).expect("restore");
        assert!(done["saved_before"]["name"].is_string(), "{done}");
        store.lock_session();
        store.sign_in(&cw, "caseworker own").expect("cw again");
        let page = store
            .call("household.list", &json!({}))
            .expect("list after restore");
        assert_eq!(page["total"], json!(0));
        store.lock_session();
        store.sign_in(&admin, PASS).expect("admin");
        // The copy of what was replaced is listed too.
        assert_eq!(store.backups().expect("list").backups.len(), 2);
    }
}
