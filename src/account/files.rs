//! The operations on the database file as a whole: backups (by a person, recorded; or by the
//! app itself), restoring one (administrators only on an encrypted file, recorded in the
//! restored trail with the head it replaced), and anchoring the audit trail's head outside the
//! file after each of them.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, TransactionBehavior};
use serde_json::{Value, json};

use super::{anchor_trail, file_of, old_backups, run};
use crate::api::{self, Access, Env};
use crate::backup::{self, BackupInfo, Restored};
use crate::ctx::Ctx;
use crate::error::ApiResult;
use crate::keyring::DbKey;

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
    anchor_trail(conn, false)?;
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
    anchor_trail(conn, false)?;
    if let Some(path) = file_of(conn) {
        backup::copy_keyring(&path, dir)?;
    }
    backup::rotate(dir, now)?;
    Ok(made)
}

/// Record a restore in the database just restored (its own trail, as the backup had it,
/// continues with this row; the trail from before is in the copy made of it, kept out of the
/// rotation): by whom, from which backup, where the replaced database was saved and the head
/// (last seq and hash) of the trail it replaced — so a rollback that erases later rows of the
/// trail says so in the trail itself.
fn record_restore(
    conn: &mut Connection,
    ctx: &Ctx,
    from: &Path,
    saved_before: Option<&str>,
    replaced_head: Option<(i64, String)>,
    old_keyring: Option<&str>,
) -> ApiResult<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let actor = ctx.actor.map(|a| a.to_string());
    let file = from
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let replaced = replaced_head.map(|(seq, hash)| json!({"seq": seq, "hash": hash}));
    let mut after = json!({"from": file, "saved_before": saved_before, "replaced_head": replaced});
    if let Some(kept) = old_keyring {
        after["old_keyring"] = json!(kept);
    }
    let after = after.to_string();
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
    anchor_trail(conn, true)
}

/// Who may restore, checked on the database as it is now (before it is replaced).
fn authorise_restore(conn: &mut Connection, ctx: &Ctx, key: Option<&DbKey>) -> ApiResult<()> {
    api::authorise_file_operation(conn, ctx, file_access(key))
}

/// Replace the content of the database `conn` has open with the backup `from` (checked first;
/// the current content is backed up into `dir`). Recorded as `backup.restore` in the restored
/// database. A backup made under a key since replaced needs `then`, the acting
/// administrator's passphrase when it was made ([`old_backups`]).
pub fn restore(
    conn: &mut Connection,
    ctx: &Ctx,
    key: Option<&DbKey>,
    from: &Path,
    dir: &Path,
    then: Option<&str>,
) -> ApiResult<Restored> {
    authorise_restore(conn, ctx, key)?;
    let replaced = crate::audit_chain::head(conn).ok();
    let source = old_backups::source(dir, from, key, ctx.actor, then)?;
    let mut done = backup::restore(conn, &source.path, dir, ctx.now, key)?;
    done.from = from.display().to_string();
    record_restore(
        conn,
        ctx,
        from,
        Some(&done.saved_before.name),
        replaced,
        source.old_keyring.as_deref(),
    )?;
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
    then: Option<&str>,
) -> ApiResult<Value> {
    let mut replaced = None;
    if let Ok(mut conn) = crate::db::open_keyed(db_path, key) {
        authorise_restore(&mut conn, ctx, key)?;
        replaced = crate::audit_chain::head(&conn).ok();
    }
    let source = old_backups::source(dir, from, key, ctx.actor, then)?;
    let mut done = backup::restore_file(db_path, &source.path, dir, ctx.now, key)?;
    done["from"] = json!(from.display().to_string());
    if let Some(kept) = &source.old_keyring {
        done["old_keyring"] = json!(kept);
    }
    let mut conn = crate::db::open_keyed(db_path, key)?;
    let saved = done["saved_before"]["name"].as_str().map(str::to_string);
    record_restore(
        &mut conn,
        ctx,
        from,
        saved.as_deref(),
        replaced,
        source.old_keyring.as_deref(),
    )?;
    Ok(done)
}
