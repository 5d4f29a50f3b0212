//! Revocation that revokes. Deactivating someone removes their slot from the keyring at once
//! (`vault::follow_staff`, inside the command) and marks a key rotation due; right after the
//! command, the front end that ran it rotates the database key here: a checked copy of the
//! database under a new random key is made beside it, every remaining slot (and the recovery
//! code's) is sealed to the new key with its public half — no passphrase needed — and the copy
//! replaces the file. An older copy of the keyring (the one in the backup folder before, one
//! taken off-site) then opens nothing: its slots hold the old key. The backup folder keeps the
//! old keyring beside the backups made under the old key (`yihu.db.keys.before-<time>`).
//!
//! Crash safety: the new keyring is written beside (`<db>.keys.next`) before the swap and
//! renamed into place after it; a run stopped in between is settled at the next open
//! ([`settle_rotation`]) — the new keyring goes in if the swap happened, else both halves are
//! removed and the rotation, still due, runs again.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::{anchor_trail, run};
use crate::api::{Access, Env};
use crate::ctx::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::keyring::{self, DbKey, Keyring};
use crate::progress::{OnProgress, Progress, Step};

/// What a rotation did.
#[derive(Debug, Clone, Serialize)]
pub struct Rotated {
    /// The database key now (the front end keeps it for its connections).
    #[serde(skip)]
    pub key: Option<DbKey>,
    /// Slots sealed to the new key.
    pub slots: usize,
    /// Staff whose slot (of the first format, from an older build, never used since) could not
    /// follow: they need a new passphrase from an administrator.
    pub dropped_staff: Vec<Uuid>,
    /// The recovery code's slot could not follow: renew the recovery code.
    pub recovery_dropped: bool,
    pub seconds: f64,
}

/// Where the keyring for the new key waits during a rotation.
fn pending_path(db_path: &Path) -> PathBuf {
    PathBuf::from(format!("{}.next", keyring::path_for(db_path).display()))
}

fn io(what: &str, e: std::io::Error) -> ApiError {
    ApiError::new(ErrorCode::KeyringIo, format!("{what}: {e}"))
}

/// Finish, or undo, a rotation that stopped part-way (see the module's note).
pub fn settle_rotation(db_path: &Path) -> ApiResult<()> {
    let pending = pending_path(db_path);
    if !pending.exists() {
        return Ok(());
    }
    let copy = crate::db::rekeying_path(db_path);
    if copy.exists() {
        // The copy never replaced the file: the old key still opens it.
        let _ = std::fs::remove_file(&copy);
        std::fs::remove_file(&pending).map_err(|e| io("cannot remove the unused keyring", e))?;
        return Ok(());
    }
    let dir = crate::backup::default_dir(db_path);
    crate::backup::retire_keyring(db_path, &dir, chrono::Utc::now())?;
    std::fs::rename(&pending, keyring::path_for(db_path))
        .map_err(|e| io("cannot put the new keyring in place", e))?;
    crate::backup::copy_keyring(db_path, &dir)
}

struct RotatedReq(Rotated);

fn rotated_handler(env: &Env, req: RotatedReq) -> ApiResult<Rotated> {
    env.audit::<(), _>(
        "keyring",
        "database_key",
        None,
        None,
        Some(&json!({
            "key": "rotated",
            "slots": req.0.slots,
            "dropped_staff": req.0.dropped_staff,
            "recovery_dropped": req.0.recovery_dropped,
        })),
    )?;
    Ok(req.0)
}

/// Rotate the key of the encrypted database at `db_path` (open with `key`) if a rotation is
/// due; nothing else may have the file open. Recorded as `keyring.rotate` (who, how many
/// slots followed, which could not) in the database under its new key.
pub fn rotate_key(db_path: &Path, ctx: &Ctx, key: &DbKey) -> ApiResult<Option<Rotated>> {
    rotate_key_watched(db_path, ctx, key, &crate::progress::ignore)
}

/// [`rotate_key`], telling `on` how far it has come (copying, checking, sealing, and done —
/// also when it fails part-way).
pub fn rotate_key_watched(
    db_path: &Path,
    ctx: &Ctx,
    key: &DbKey,
    on: OnProgress<'_>,
) -> ApiResult<Option<Rotated>> {
    settle_rotation(db_path)?;
    let Some(ring) = Keyring::load(db_path)? else {
        return Ok(None);
    };
    if !ring.rotation_due {
        return Ok(None);
    }
    let total = std::fs::metadata(db_path).map(|m| m.len()).unwrap_or(0);
    let done = rotate_due(db_path, ctx, key, ring, on);
    on(Progress::at(Step::Done, total));
    done.map(Some)
}

fn rotate_due(
    db_path: &Path,
    ctx: &Ctx,
    key: &DbKey,
    ring: Keyring,
    on: OnProgress<'_>,
) -> ApiResult<Rotated> {
    let started = std::time::Instant::now();
    let new = DbKey::random();
    let copy = crate::db::rekeyed_copy_watched(db_path, key, &new, on)?;
    let total = std::fs::metadata(&copy).map(|m| m.len()).unwrap_or(0);
    on(Progress::at(Step::Sealing, total));
    let mut next = ring.clone();
    let dropped = next.rotate(&new)?;
    let pending = pending_path(db_path);
    let swapped = serde_json::to_vec_pretty(&next)
        .map_err(ApiError::from)
        .and_then(|bytes| keyring::write_atomically(&pending, &bytes))
        .and_then(|()| crate::db::put_in_place(db_path, &copy));
    if let Err(e) = swapped {
        let _ = std::fs::remove_file(&copy);
        let _ = std::fs::remove_file(&pending);
        return Err(e);
    }
    settle_rotation(db_path)?;
    let rotated = Rotated {
        key: None,
        slots: next.slots.len(),
        dropped_staff: dropped.iter().flatten().copied().collect(),
        recovery_dropped: dropped.iter().any(Option::is_none),
        seconds: (started.elapsed().as_secs_f64() * 100.0).round() / 100.0,
    };
    let mut conn = crate::db::open_keyed(db_path, Some(&new))?;
    let mut done = run(
        &mut conn,
        ctx,
        "keyring.rotate",
        Access::Staff,
        RotatedReq(rotated),
        rotated_handler,
    )?;
    anchor_trail(&conn, false)?;
    done.key = Some(new);
    Ok(done)
}
