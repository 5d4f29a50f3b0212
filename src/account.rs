//! Who may open the database and as whom — set-up, encryption, sign-in, recovery, passphrases,
//! the recovery code — and the operations on the file as a whole (backup, restore). They work
//! on the keyring beside the database or on the file itself, so they are not JSON commands of
//! the registry; but, like [`crate::api::export_ledger`], each runs through the same path as a
//! command (one transaction, the actor loaded and authorised, an audit row) and both front ends
//! — the CLI and the desktop shell — call these and nothing else. The keyring is found beside
//! the file the connection has open, and is written only after the audit row is committed, so
//! no change to who can open the database goes unrecorded. Secrets never reach an audit row.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, TransactionBehavior};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::api::reference::Candidate;
use crate::api::{self, Access, Env, Target};
use crate::backup::{self, BackupInfo, Restored};
use crate::ctx::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::keyring::{DbKey, Keyring, check_passphrase};
use crate::types::Role;
use crate::vault::{self, FirstPassphrases, Protection, Secret};

/// The person working, as the window shows them after signing in.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct SignedIn {
    #[serde(flatten)]
    pub staff: Candidate,
    /// They must choose a new passphrase before anything else (an administrator set it).
    pub must_change: bool,
    pub idle_lock_minutes: u32,
}

/// Whether the database could be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum OpenState {
    Ready,
    Error,
}

/// What the window must ask first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum AuthStep {
    /// A new database: create the administrator, or load demo data.
    Setup,
    /// A database from before encryption: an administrator sets a passphrase.
    Encrypt,
    SignIn,
    SignedIn,
}

/// What the desktop window learns at start: whether the database is open (or why not) and
/// what it must ask first.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct AppStatus {
    pub state: OpenState,
    pub db_path: String,
    /// Why the database cannot be used (state `error`).
    pub error: Option<ApiError>,
    pub auth: AuthStep,
    /// The signed-in staff member (auth `signed_in`).
    pub staff: Option<SignedIn>,
    /// The database was made by the demo: the sign-in screen may show the demo passphrase.
    pub demo: bool,
    /// Who was signed in before the lock (to offer them first).
    pub locked_staff_id: Option<String>,
    pub version: String,
}

/// What set-up returns: the recovery code (shown once) and, for the demo, its summary.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SetUp {
    pub recovery_code: String,
    pub staff: Option<SignedIn>,
    pub demo: Option<Value>,
    pub demo_passphrase: Option<String>,
}

/// The backup folder and its backups, newest first.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct BackupList {
    pub dir: String,
    pub backups: Vec<BackupInfo>,
}

/// How a session was opened (recorded in the audit row; never the secret itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    Passphrase,
    RecoveryCode,
    /// The first start: the administrator just chose the passphrase.
    SetUp,
}

/// A key unwrapped from the keyring, and for whom.
#[derive(Debug)]
pub struct Unlocked {
    pub key: DbKey,
    pub staff_id: Uuid,
    /// An administrator set the passphrase: a new one is due before any other work.
    pub must_change: bool,
}

/// The database file the connection has open (an in-memory database has none).
fn file_of(conn: &Connection) -> Option<PathBuf> {
    conn.path().filter(|p| !p.is_empty()).map(PathBuf::from)
}

/// The keyring of the database `conn` has open; `auth.not_encrypted` without one.
fn keyring_of(conn: &Connection) -> ApiResult<(PathBuf, Keyring)> {
    let not_encrypted = || {
        ApiError::new(
            ErrorCode::AuthNotEncrypted,
            "this database has no passphrases yet",
        )
    };
    let path = file_of(conn).ok_or_else(not_encrypted)?;
    let ring = Keyring::load(&path)?.ok_or_else(not_encrypted)?;
    Ok((path, ring))
}

/// Run `handler` like a command named `name`: one write transaction, the context's actor
/// loaded and checked against `access`, the handler's audit row, commit.
fn run<Req, Resp>(
    conn: &mut Connection,
    ctx: &Ctx,
    name: &'static str,
    access: Access,
    req: Req,
    handler: api::Handler<Req, Resp>,
) -> ApiResult<Resp> {
    api::run_typed(
        conn,
        ctx,
        name,
        access,
        true,
        req,
        |_| Target::None,
        handler,
    )
}

/// One staff member's row for the sign-in screen (active ones only).
fn candidate(env: &Env, staff_id: Uuid) -> ApiResult<Candidate> {
    crate::api::reference::session_candidates(env, crate::api::reference::Empty {})?
        .into_iter()
        .find(|c| c.id == staff_id.to_string())
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::AuthActorInactive,
                "this staff member is deactivated",
            )
        })
}

// ---------------------------------------------------------------- sign-in

/// Unwrap the database key with `staff_id`'s passphrase. A wrong one is
/// `auth.wrong_passphrase` (field `passphrase`).
pub fn unlock_staff(db_path: &Path, staff_id: Uuid, passphrase: &str) -> ApiResult<Unlocked> {
    let ring = Keyring::load(db_path)?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::AuthNotEncrypted,
            "this database has no passphrases yet",
        )
    })?;
    let key = ring.unlock_staff(staff_id, passphrase)?;
    Ok(Unlocked {
        key,
        staff_id,
        must_change: ring.must_change(staff_id),
    })
}

struct SignInReq {
    via: Via,
    must_change: bool,
}

fn sign_in_handler(env: &Env, req: SignInReq) -> ApiResult<SignedIn> {
    let actor = env.actor()?.id;
    let staff = candidate(env, actor)?;
    let settings = crate::api::reference::settings_get(env, crate::api::reference::Empty {})?;
    env.audit::<(), _>(
        "staff",
        &staff.id,
        None,
        None,
        Some(&json!({"via": req.via, "must_change": req.must_change})),
    )?;
    Ok(SignedIn {
        staff,
        must_change: req.must_change,
        idle_lock_minutes: settings.idle_lock_minutes,
    })
}

/// Begin a session for the context's actor on the database `conn` has open (with the key
/// `via` unwrapped): they must be an active staff member; recorded as `session.sign_in`.
pub fn sign_in(
    conn: &mut Connection,
    ctx: &Ctx,
    via: Via,
    must_change: bool,
) -> ApiResult<SignedIn> {
    run(
        conn,
        ctx,
        "session.sign_in",
        Access::Staff,
        SignInReq { via, must_change },
        sign_in_handler,
    )
}

// ---------------------------------------------------------------- passphrases

/// A keyring to write once the audit row is committed.
struct NewRing(Keyring);

fn save_after_commit(conn: &Connection, ring: NewRing) -> ApiResult<()> {
    let path = file_of(conn).ok_or_else(|| ApiError::internal("no database file"))?;
    vault::save_keyring(&path, &ring.0)
}

struct ChangeReq {
    current: Zeroizing<String>,
    new: Zeroizing<String>,
}

fn change_handler(env: &Env, req: ChangeReq) -> ApiResult<NewRing> {
    let actor = env.actor()?.id;
    check_passphrase(&req.new, "new_passphrase")?;
    if req.new == req.current {
        return Err(ApiError::at(
            ErrorCode::AuthPassphraseUnchanged,
            "new_passphrase",
            "the new passphrase must differ from the current one",
        ));
    }
    let (_, mut ring) = keyring_of(env.tx)?;
    let key = ring
        .unlock_staff(actor, &req.current)
        .map_err(|e| e.with_field("current_passphrase"))?;
    let staff = candidate(env, actor)?;
    ring.set_staff(&key, actor, &staff.name, &req.new, false)?;
    env.audit::<(), _>(
        "staff",
        &staff.id,
        None,
        None,
        Some(&json!({"passphrase": "changed"})),
    )?;
    Ok(NewRing(ring))
}

/// The context's actor changes their own passphrase (the current one is asked again); this
/// also ends "must change". Recorded as `staff.change_passphrase`.
pub fn change_passphrase(
    conn: &mut Connection,
    ctx: &Ctx,
    current: &str,
    new: &str,
) -> ApiResult<()> {
    let ring = run(
        conn,
        ctx,
        "staff.change_passphrase",
        Access::Staff,
        ChangeReq {
            current: Zeroizing::new(current.to_string()),
            new: Zeroizing::new(new.to_string()),
        },
        change_handler,
    )?;
    save_after_commit(conn, ring)
}

struct SetReq {
    key: DbKey,
    target: Uuid,
    new: Zeroizing<String>,
    temporary: bool,
}

fn set_handler(env: &Env, req: SetReq) -> ApiResult<NewRing> {
    let staff = candidate(env, req.target).map_err(|_| {
        ApiError::at(
            ErrorCode::AuthActorInactive,
            "staff_id",
            "no active staff member has this id",
        )
    })?;
    let (_, mut ring) = keyring_of(env.tx)?;
    ring.set_staff(&req.key, req.target, &staff.name, &req.new, req.temporary)?;
    env.audit::<(), _>(
        "staff",
        &staff.id,
        None,
        None,
        Some(&json!({"passphrase": "set", "temporary": req.temporary})),
    )?;
    Ok(NewRing(ring))
}

/// An administrator (the context's actor) gives the active staff member `target` the
/// passphrase `new` — with `temporary`, to be changed at their first sign-in. Recorded as
/// `staff.set_passphrase` (without the passphrase).
pub fn set_passphrase(
    conn: &mut Connection,
    ctx: &Ctx,
    key: &DbKey,
    target: Uuid,
    new: &str,
    temporary: bool,
) -> ApiResult<()> {
    let ring = run(
        conn,
        ctx,
        "staff.set_passphrase",
        Access::Admin,
        SetReq {
            key: key.clone(),
            target,
            new: Zeroizing::new(new.to_string()),
            temporary,
        },
        set_handler,
    )?;
    save_after_commit(conn, ring)
}

struct RecoverReq {
    key: DbKey,
    new: Zeroizing<String>,
}

fn recover_handler(env: &Env, req: RecoverReq) -> ApiResult<NewRing> {
    let actor = env.actor()?;
    if actor.role != Role::Admin {
        return Err(ApiError::at(
            ErrorCode::AuthForbidden,
            "staff_id",
            "the recovery code resets an administrator's passphrase",
        ));
    }
    let staff = candidate(env, actor.id)?;
    let (_, mut ring) = keyring_of(env.tx)?;
    ring.set_staff(&req.key, actor.id, &staff.name, &req.new, false)?;
    env.audit::<(), _>(
        "staff",
        &staff.id,
        None,
        None,
        Some(&json!({"passphrase": "set", "via": Via::RecoveryCode})),
    )?;
    Ok(NewRing(ring))
}

/// Forgotten passphrase: `key` was unwrapped with the recovery code, and the administrator
/// named by the context's actor gets the passphrase `new`. Recorded as `session.recover`.
pub fn recover(conn: &mut Connection, ctx: &Ctx, key: &DbKey, new: &str) -> ApiResult<()> {
    check_passphrase(new, "new_passphrase")?;
    let ring = run(
        conn,
        ctx,
        "session.recover",
        Access::Staff,
        RecoverReq {
            key: key.clone(),
            new: Zeroizing::new(new.to_string()),
        },
        recover_handler,
    )?;
    save_after_commit(conn, ring)
}

struct RenewReq {
    key: DbKey,
}

fn renew_handler(env: &Env, req: RenewReq) -> ApiResult<(NewRing, Zeroizing<String>)> {
    let (_, mut ring) = keyring_of(env.tx)?;
    let code = ring.renew_recovery(&req.key)?;
    env.audit::<(), _>(
        "keyring",
        "recovery",
        None,
        None,
        Some(&json!({"recovery_code": "renewed"})),
    )?;
    Ok((NewRing(ring), code))
}

/// A new recovery code (the old one stops working); administrators only. Returned to show
/// once. Recorded as `recovery.renew`.
pub fn renew_recovery_code(
    conn: &mut Connection,
    ctx: &Ctx,
    key: &DbKey,
) -> ApiResult<Zeroizing<String>> {
    let (ring, code) = run(
        conn,
        ctx,
        "recovery.renew",
        Access::Admin,
        RenewReq { key: key.clone() },
        renew_handler,
    )?;
    save_after_commit(conn, ring)?;
    Ok(code)
}

// ---------------------------------------------------------------- set-up and encryption

/// Refused unless the database at `db_path` is plain (new, or from before encryption).
pub fn require_plain(db_path: &Path) -> ApiResult<()> {
    match vault::protection(db_path) {
        Protection::Missing | Protection::Plain => Ok(()),
        _ => Err(ApiError::new(
            ErrorCode::KeyringExists,
            "this database is already encrypted",
        )),
    }
}

/// The active administrators of the database `conn` has open (the "encrypt" step picks one).
pub fn admins(conn: &mut Connection) -> ApiResult<Vec<Candidate>> {
    let list = api::dispatch(conn, &Ctx::system(None), "session.candidates", "{}")?;
    let list: Vec<Candidate> = serde_json::from_value(list)?;
    Ok(list.into_iter().filter(|c| c.role == Role::Admin).collect())
}

/// First start, step one: the first administrator (`admin` is a `staff.create` request; its
/// role is set here) on a new, plain database, after checking the passphrase they chose.
/// Returns their id. Step two is [`encrypt`].
pub fn create_first_admin(
    conn: &mut Connection,
    ctx: &Ctx,
    admin: &Value,
    passphrase: &str,
) -> ApiResult<Uuid> {
    if let Some(path) = file_of(conn) {
        require_plain(&path)?;
    }
    check_passphrase(passphrase, "passphrase")?;
    let mut body = admin.clone();
    body["role"] = Value::from("admin");
    let staff = api::dispatch(
        conn,
        &Ctx {
            actor: None,
            ..ctx.clone()
        },
        "staff.create",
        &body.to_string(),
    )?;
    staff["id"]
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| ApiError::internal("staff.create returned no id"))
}

struct EncryptedReq {
    via: Via,
}

fn encrypted_handler(env: &Env, req: EncryptedReq) -> ApiResult<()> {
    env.audit::<(), _>(
        "keyring",
        "database",
        None,
        None,
        Some(&json!({"encrypted": true, "via": req.via})),
    )
}

/// Encrypt the plain database at `db_path` (nothing else may have it open) with a new key;
/// the active administrator `admin` gets `passphrase` (the recovery code is returned, to show
/// once). Recorded as `database.encrypt` in the encrypted database, as that administrator.
pub fn encrypt(
    db_path: &Path,
    ctx: &Ctx,
    admin: Uuid,
    passphrase: &str,
    via: Via,
) -> ApiResult<(DbKey, Zeroizing<String>)> {
    require_plain(db_path)?;
    check_passphrase(passphrase, "passphrase")?;
    let name = {
        let mut conn = crate::db::open(db_path)?;
        admins(&mut conn)?
            .into_iter()
            .find(|c| c.id == admin.to_string())
            .map(|c| c.name)
            .ok_or_else(|| {
                ApiError::at(
                    ErrorCode::AuthForbidden,
                    "staff_id",
                    "choose an active administrator",
                )
            })?
    };
    let (key, code) = vault::encrypt_database(
        db_path,
        &backup::default_dir(db_path),
        FirstPassphrases::One {
            staff_id: admin,
            name: &name,
            passphrase,
        },
    )?;
    let mut conn = crate::db::open_keyed(db_path, Some(&key))?;
    run(
        &mut conn,
        &ctx.with_actor(admin),
        "database.encrypt",
        Access::Admin,
        EncryptedReq { via },
        encrypted_handler,
    )?;
    Ok((key, code))
}

// ---------------------------------------------------------------- backup and restore

/// Who may back up or restore: an administrator — except on a plain database, which protects
/// nothing (anyone who can read the file can copy it), so the CLI keeps working on it before
/// encryption.
fn file_access(key: Option<&DbKey>) -> Access {
    if key.is_some() {
        Access::Admin
    } else {
        Access::Anyone
    }
}

struct BackedUp {
    made: BackupInfo,
}

fn backup_handler(env: &Env, req: BackedUp) -> ApiResult<BackupInfo> {
    env.audit::<(), _>(
        "backup",
        &req.made.name,
        None,
        None,
        Some(&json!({"bytes": req.made.bytes})),
    )?;
    Ok(req.made)
}

/// Back up the database `conn` has open into `dir` (checked with integrity_check), copy the
/// keyring beside it and rotate the folder; returns the backup and the names rotated away.
/// Recorded as `backup.create` (a backup is a copy of every record); a backup that cannot be
/// recorded is deleted.
pub fn back_up(
    conn: &mut Connection,
    ctx: &Ctx,
    key: Option<&DbKey>,
    dir: &Path,
) -> ApiResult<(BackupInfo, Vec<String>)> {
    let access = file_access(key);
    api::authorise_file_operation(conn, ctx, access)?;
    let made = backup::create(conn, dir, ctx.now, key)?;
    let path = PathBuf::from(&made.path);
    let made = run(
        conn,
        ctx,
        "backup.create",
        access,
        BackedUp { made },
        backup_handler,
    )
    .inspect_err(|_| {
        let _ = std::fs::remove_file(&path);
    })?;
    if let Some(db) = file_of(conn) {
        backup::copy_keyring(&db, dir)?;
    }
    let removed = backup::rotate(dir, ctx.now)?;
    Ok((made, removed))
}

/// The app's own backup (no actor: made by the program, not by a person, and not audited):
/// the same copy, keyring and rotation as [`back_up`].
pub fn back_up_automatically(
    conn: &Connection,
    key: Option<&DbKey>,
    dir: &Path,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<BackupInfo> {
    let made = backup::create(conn, dir, now, key)?;
    if let Some(path) = file_of(conn) {
        backup::copy_keyring(&path, dir)?;
    }
    backup::rotate(dir, now)?;
    Ok(made)
}

/// Record a restore in the database just restored (its own trail, as the backup had it,
/// continues with this row; the trail from before is in the backup made of it).
fn record_restore(
    conn: &mut Connection,
    ctx: &Ctx,
    from: &Path,
    saved_before: Option<&str>,
) -> ApiResult<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let actor = ctx.actor.map(|a| a.to_string());
    let file = from
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let after = json!({"from": file, "saved_before": saved_before}).to_string();
    crate::audit_chain::append(
        &tx,
        &crate::audit_chain::Entry {
            at: &ctx.timestamp(),
            actor_id: actor.as_deref(),
            command: "backup.restore",
            entity_type: "backup",
            entity_id: &file,
            household_id: None,
            before_json: None,
            after_json: Some(&after),
        },
    )?;
    tx.commit()?;
    Ok(())
}

/// Who may restore, checked on the database as it is now (before it is replaced).
fn authorise_restore(conn: &mut Connection, ctx: &Ctx, key: Option<&DbKey>) -> ApiResult<()> {
    api::authorise_file_operation(conn, ctx, file_access(key))
}

/// Replace the content of the database `conn` has open with the backup `from` (checked first;
/// the current content is backed up into `dir`). Recorded as `backup.restore` in the restored
/// database.
pub fn restore(
    conn: &mut Connection,
    ctx: &Ctx,
    key: Option<&DbKey>,
    from: &Path,
    dir: &Path,
) -> ApiResult<Restored> {
    authorise_restore(conn, ctx, key)?;
    let done = backup::restore(conn, from, dir, ctx.now, key)?;
    record_restore(conn, ctx, from, Some(&done.saved_before.name))?;
    Ok(done)
}

/// Restore the database file at `db_path` from `from`, for the command line: like
/// [`restore`] when the current file opens; when it is missing or damaged (nothing to
/// authorise against), it is moved aside and replaced (see [`backup::restore_file`]).
pub fn restore_file(
    db_path: &Path,
    ctx: &Ctx,
    key: Option<&DbKey>,
    from: &Path,
    dir: &Path,
) -> ApiResult<Value> {
    if let Ok(mut conn) = crate::db::open_keyed(db_path, key) {
        authorise_restore(&mut conn, ctx, key)?;
    }
    let done = backup::restore_file(db_path, from, dir, ctx.now, key)?;
    let mut conn = crate::db::open_keyed(db_path, key)?;
    let saved = done["saved_before"]["name"].as_str().map(str::to_string);
    record_restore(&mut conn, ctx, from, saved.as_deref())?;
    Ok(done)
}

/// Unlock the key of `db_path` with the recovery code.
pub fn unlock_recovery(db_path: &Path, code: &str) -> ApiResult<DbKey> {
    vault::unlock(db_path, &Secret::RecoveryCode(code))
}
