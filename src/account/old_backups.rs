//! Backups made before a key rotation keep the key they were made under (rotating every
//! backup would take a minute per file, and the folder's old keyring is kept beside them as
//! `yihu.db.keys.before-<time>`). This module makes them say so and still restorable: the
//! backup list marks each one with the keyring it needs ([`crate::backup::list_with_keys`]),
//! and a restore of one asks the administrator for the passphrase they had then, opens the
//! kept keyring with it, and restores a copy re-keyed to the database's key now — so the
//! restored file opens with today's keyring only, and a revoked person's old slot stays
//! useless.

use std::path::{Path, PathBuf};

use uuid::Uuid;

use crate::backup::{self, FileFacts};
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::keyring::{DbKey, Keyring};

/// A backup as a restore reads it: the file itself, or a copy re-keyed to the database's key
/// now (removed when this is dropped).
pub struct Source {
    pub path: PathBuf,
    /// The kept keyring that opened it, when it was made under an older key.
    pub old_keyring: Option<String>,
    temporary: bool,
}

impl Drop for Source {
    fn drop(&mut self) {
        if self.temporary {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The old key a backup at `from` was made under, when it does not open with `key`: through
/// the keyring kept for it in `dir`, opened with `actor`'s passphrase `then`. `Ok(None)` when
/// it opens with `key` (or there is no key, or no kept keyring: the restore's own check then
/// says what is wrong with the file).
fn old_key(
    dir: &Path,
    from: &Path,
    key: Option<&DbKey>,
    actor: Option<Uuid>,
    then: Option<&str>,
) -> ApiResult<Option<(DbKey, String)>> {
    let Some(key) = key else {
        return Ok(None);
    };
    if backup::opens_with(from, key) {
        return Ok(None);
    }
    let kept = backup::kept_keyrings(dir)?;
    // The keyring in use when it was made, known from its name; any kept one otherwise
    // (a backup renamed or brought from elsewhere), newest first.
    let candidates: Vec<PathBuf> = match backup::made_at(from) {
        Some(at) => backup::keyring_kept_for(&kept, &at).into_iter().collect(),
        None => kept.iter().rev().map(|(_, p)| p.clone()).collect(),
    };
    let Some(first) = candidates.first() else {
        return Ok(None);
    };
    let ask = |why: &str| {
        ApiError::at(
            ErrorCode::BackupOldKey,
            "passphrase",
            format!(
                "this backup was made before the database key was changed (after someone was deactivated); it opens with the keyring kept as {} and {why}",
                file_name(first)
            ),
        )
    };
    let (Some(actor), Some(then)) = (actor, then) else {
        return Err(ask(
            "the passphrase you had then: enter it to restore this backup",
        ));
    };
    for path in &candidates {
        let Some(ring) = Keyring::load_file(path)? else {
            continue;
        };
        match ring.unlock_staff(actor, then) {
            Ok(old) if backup::opens_with(from, &old) => return Ok(Some((old, file_name(path)))),
            Ok(_) => {}
            Err(e)
                if e.code == ErrorCode::AuthWrongPassphrase
                    || e.code == ErrorCode::AuthNoPassphrase => {}
            Err(e) => return Err(e),
        }
    }
    Err(ask(
        "a passphrase that was valid then: the one given does not open it for you",
    ))
}

/// Check a backup before a restore (what `yihu restore` without `--yes` shows), through the
/// kept keyring when it was made under an older key: what it holds, and which keyring opened it.
pub fn check(
    dir: &Path,
    from: &Path,
    key: Option<&DbKey>,
    actor: Option<Uuid>,
    then: Option<&str>,
) -> ApiResult<(FileFacts, Option<String>)> {
    match old_key(dir, from, key, actor, then)? {
        Some((old, kept)) => Ok((backup::verify(from, Some(&old))?, Some(kept))),
        None => Ok((backup::verify(from, key)?, None)),
    }
}

/// The backup at `from` ready to be restored under `key`: itself, or (made under an older key)
/// a checked copy re-keyed to `key`, written in `dir` and removed after the restore.
pub fn source(
    dir: &Path,
    from: &Path,
    key: Option<&DbKey>,
    actor: Option<Uuid>,
    then: Option<&str>,
) -> ApiResult<Source> {
    let Some((old, kept)) = old_key(dir, from, key, actor, then)? else {
        return Ok(Source {
            path: from.to_path_buf(),
            old_keyring: None,
            temporary: false,
        });
    };
    let Some(key) = key else {
        return Err(ApiError::internal("an old key without a key now"));
    };
    std::fs::create_dir_all(dir).map_err(|e| {
        ApiError::new(
            ErrorCode::BackupIo,
            format!("cannot create the backup folder: {e}"),
        )
    })?;
    let copy = dir.join(format!("{}.rekeying", file_name(from)));
    // The source owns the copy from here: a failed copy leaves nothing behind.
    let source = Source {
        path: copy,
        old_keyring: Some(kept),
        temporary: true,
    };
    crate::db::rekeyed_copy_to(from, &old, key, &source.path)?;
    Ok(source)
}
