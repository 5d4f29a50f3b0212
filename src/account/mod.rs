//! Who may open the database and as whom — set-up, encryption, sign-in, recovery, passphrases,
//! the recovery code — and the operations on the file as a whole (backup, restore). They work
//! on the keyring beside the database or on the file itself, so they are not JSON commands of
//! the registry; but, like [`crate::api::export_ledger`], each runs through the same path as a
//! command (one transaction, the actor loaded and authorised, an audit row) and both front ends
//! — the CLI and the desktop shell — call these and nothing else. The keyring is found beside
//! the file the connection has open, and is written only after the audit row is committed, so
//! no change to who can open the database goes unrecorded. Secrets never reach an audit row.

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::api::reference::Candidate;
use crate::api::{self, Access, Env, Target};
use crate::backup::{self, BackupInfo};
use crate::ctx::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::keyring::{DbKey, Keyring, check_passphrase};
use crate::types::Role;
use crate::vault::{self, FirstPassphrases, Protection};

mod files;
pub mod old_backups;
mod open;
mod rotate;

pub use files::{back_up, back_up_automatically, restore, restore_file};
pub use open::{Credential, Purpose, open_with, open_with_at, unlock_recovery};
pub use rotate::{Rotated, rotate_key, rotate_key_watched, settle_rotation};

/// The person working, as the window shows them after signing in.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct SignedIn {
    #[serde(flatten)]
    pub staff: Candidate,
    /// They must choose a new passphrase before anything else (an administrator set it).
    pub must_change: bool,
    pub idle_lock_minutes: u32,
}

/// Whether the database could be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OpenState {
    Ready,
    Error,
}

/// What the window must ask first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS, schemars::JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS, schemars::JsonSchema)]
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
#[derive(Debug, Clone, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct SetUp {
    pub recovery_code: String,
    pub staff: Option<SignedIn>,
    pub demo: Option<Value>,
    pub demo_passphrase: Option<String>,
}

/// The backup folder and its backups, newest first.
#[derive(Debug, Serialize, ts_rs::TS, schemars::JsonSchema)]
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
    let credential = Credential::Staff {
        staff_id,
        passphrase,
    };
    let counted = open::unlock_counted(db_path, &credential, chrono::Utc::now()).map_err(|e| {
        if e.code == ErrorCode::DbKeyringMissing {
            ApiError::new(
                ErrorCode::AuthNotEncrypted,
                "this database has no passphrases yet",
            )
        } else {
            e
        }
    })?;
    Ok(Unlocked {
        key: counted.key,
        staff_id,
        must_change: counted.must_change,
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
    let signed_in = run(
        conn,
        ctx,
        "session.sign_in",
        Access::Staff,
        SignInReq { via, must_change },
        sign_in_handler,
    )?;
    anchor_trail(conn, false)?;
    Ok(signed_in)
}

// ---------------------------------------------------------------- passphrases

/// A keyring to write once the audit row is committed.
struct NewRing(Keyring);

fn save_after_commit(conn: &Connection, ring: NewRing) -> ApiResult<()> {
    let path = file_of(conn).ok_or_else(|| ApiError::internal("no database file"))?;
    let mut ring = ring.0;
    if let Some(a) = crate::audit_chain::next_anchor(conn, ring.anchor.as_ref(), false)? {
        ring.anchor = Some(a);
    }
    vault::save_keyring(&path, &ring)
}

/// Record the head of the audit trail of the database `conn` has open in its keyring (and
/// the keyring's copy in the backup folder), outside the file: `audit verify` and `check`
/// then report a trail later cut short or swapped (`audit.chain.truncated`). A known anchor is
/// never moved back or away from the trail (the evidence stays) unless `after_restore`.
/// Nothing to do for a plain or an in-memory database. Called after each sign-in, backup,
/// restore, keyring change and command-line run.
pub fn anchor_trail(conn: &Connection, after_restore: bool) -> ApiResult<()> {
    let Some(path) = file_of(conn) else {
        return Ok(());
    };
    let Some(mut ring) = Keyring::load(&path)? else {
        return Ok(());
    };
    if let Some(a) = crate::audit_chain::next_anchor(conn, ring.anchor.as_ref(), after_restore)? {
        ring.anchor = Some(a);
        vault::save_keyring(&path, &ring)?;
    }
    Ok(())
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
}

fn set_handler(env: &Env, req: SetReq) -> ApiResult<NewRing> {
    let staff = candidate(env, req.target).map_err(|_| {
        ApiError::at(
            ErrorCode::AuthActorInactive,
            "staff_id",
            "no active staff member has this id",
        )
    })?;
    // Someone else's passphrase is always temporary: whoever set it knows it, so it opens
    // nothing but its owner's change of it.
    let temporary = env.actor()?.id != req.target;
    let (_, mut ring) = keyring_of(env.tx)?;
    ring.set_staff(&req.key, req.target, &staff.name, &req.new, temporary)?;
    env.audit::<(), _>(
        "staff",
        &staff.id,
        None,
        None,
        Some(&json!({"passphrase": "set", "temporary": temporary})),
    )?;
    Ok(NewRing(ring))
}

/// An administrator (the context's actor) gives the active staff member `target` the
/// passphrase `new`: for anyone but themselves a temporary one, which opens nothing until its
/// owner changes it. Recorded as `staff.set_passphrase` (who, for whom, whether temporary;
/// never the passphrase).
pub fn set_passphrase(
    conn: &mut Connection,
    ctx: &Ctx,
    key: &DbKey,
    target: Uuid,
    new: &str,
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
