//! Who may open the encrypted database for what — the one rule for every front end: a
//! passphrase opens it only as its owner, a temporary one (set by an administrator) only to
//! change it, the recovery code only to reset an administrator's passphrase or to read the
//! file, never to act. Wrong tries are counted and slowed down ([`crate::throttle`]), and a
//! slot sealed at an older, cheaper Argon2id cost is sealed anew when it next opens.

use std::path::Path;

use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::keyring::{DbKey, Keyring};
use crate::vault;

/// What someone at a front end offers to open an encrypted database with.
pub enum Credential<'a> {
    /// The passphrase of the staff member they say they are.
    Staff { staff_id: Uuid, passphrase: &'a str },
    /// A passphrase, whoever's it is: opens the file for work that acts for nobody.
    AnyStaff(&'a str),
    /// The recovery code.
    RecoveryCode(&'a str),
}

/// What they mean to do once it is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Run commands as the staff member of the credential (or as nobody).
    Act,
    /// Read the file as a whole without acting (`check`, `audit verify`, checking a backup).
    Read,
    /// Change the credential's own passphrase (the one thing a temporary passphrase allows).
    ChangeOwnPassphrase,
    /// Give an administrator a new passphrase with the recovery code.
    ResetAdministrator,
}

/// Unwrap the key of the encrypted database at `db_path` with `credential`, for `purpose`:
/// the one rule of who may open it for what, for every front end. A passphrase opens the file
/// only as its owner; a passphrase someone else set (temporary) opens nothing but its own
/// change; the recovery code opens the file to reset an administrator's passphrase or to
/// read it, never to act (`auth.recovery_code_cannot_act`). Wrong tries slow down
/// ([`crate::throttle`]); a slot sealed at an older, cheaper Argon2id cost is sealed anew.
pub fn open_with(
    db_path: &Path,
    credential: &Credential<'_>,
    purpose: Purpose,
) -> ApiResult<DbKey> {
    open_with_at(db_path, credential, purpose, chrono::Utc::now())
}

/// [`open_with`] at the time `now` (the throttle's clock).
pub fn open_with_at(
    db_path: &Path,
    credential: &Credential<'_>,
    purpose: Purpose,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<DbKey> {
    if matches!(credential, Credential::RecoveryCode(_))
        && !matches!(purpose, Purpose::ResetAdministrator | Purpose::Read)
    {
        return Err(ApiError::new(
            ErrorCode::AuthRecoveryCodeCannotAct,
            "the recovery code only gives an administrator a new passphrase; act with your own passphrase",
        ));
    }
    let Counted {
        key,
        staff,
        must_change,
    } = unlock_counted(db_path, credential, now)?;
    if must_change && purpose != Purpose::ChangeOwnPassphrase {
        return Err(ApiError::new(
            ErrorCode::AuthMustChangePassphrase,
            "this passphrase was set by an administrator: choose your own first (yihu passphrase --staff <your id> --as <your id>)",
        ));
    }
    if purpose == Purpose::ResetAdministrator && staff.is_some() {
        return Err(ApiError::new(
            ErrorCode::AuthForbidden,
            "an administrator's passphrase is reset with the recovery code",
        ));
    }
    Ok(key)
}

/// What a right credential gave: the key, whose passphrase it was (None for the recovery code)
/// and whether that passphrase is a temporary one.
pub(super) struct Counted {
    pub key: DbKey,
    pub staff: Option<Uuid>,
    pub must_change: bool,
}

/// Try `credential` against the keyring of `db_path` (read once), counting wrong tries.
pub(super) fn unlock_counted(
    db_path: &Path,
    credential: &Credential<'_>,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<Counted> {
    super::settle_rotation(db_path)?;
    let mut ring = Keyring::load(db_path)?.ok_or_else(vault::keyring_missing)?;
    let counter = match credential {
        Credential::Staff { staff_id, .. } => staff_id.to_string(),
        Credential::AnyStaff(_) => "*".to_string(),
        Credential::RecoveryCode(_) => "recovery".to_string(),
    };
    if let Some(wait) = ring.throttle.get(&counter).and_then(|t| t.wait(now)) {
        let field = match credential {
            Credential::RecoveryCode(_) => "recovery_code",
            _ => "passphrase",
        };
        return Err(ApiError::at(
            ErrorCode::AuthThrottled,
            field,
            format!(
                "too many wrong tries: wait {} s before trying again",
                wait.num_seconds().max(1)
            ),
        ));
    }
    let tried = match credential {
        Credential::Staff {
            staff_id,
            passphrase,
        } => ring
            .unlock_staff(*staff_id, passphrase)
            .map(|k| (k, Some(*staff_id))),
        Credential::AnyStaff(passphrase) => {
            ring.unlock_any(passphrase).map(|(id, k)| (k, Some(id)))
        }
        Credential::RecoveryCode(code) => ring.unlock_recovery(code).map(|k| (k, None)),
    };
    match tried {
        Ok((key, staff)) => {
            let mut changed = ring.throttle.remove(&counter).is_some();
            match (credential, staff) {
                (Credential::RecoveryCode(code), _) if ring.needs_upgrade(None) => {
                    ring.reseal_recovery(&key, code)?;
                    changed = true;
                }
                (
                    Credential::Staff { passphrase, .. } | Credential::AnyStaff(passphrase),
                    Some(id),
                ) if ring.needs_upgrade(Some(id)) => {
                    ring.reseal_staff(&key, id, passphrase)?;
                    changed = true;
                }
                _ => {}
            }
            if changed {
                vault::save_keyring(db_path, &ring)?;
            }
            Ok(Counted {
                must_change: staff.is_some_and(|id| ring.must_change(id)),
                key,
                staff,
            })
        }
        Err(e)
            if matches!(
                e.code,
                ErrorCode::AuthWrongPassphrase | ErrorCode::AuthWrongRecoveryCode
            ) =>
        {
            ring.throttle.entry(counter).or_default().failed(now);
            vault::save_keyring(db_path, &ring)?;
            Err(e)
        }
        Err(e) => Err(e),
    }
}

/// Unlock the key of `db_path` with the recovery code (to reset an administrator's passphrase).
pub fn unlock_recovery(db_path: &Path, code: &str) -> ApiResult<DbKey> {
    open_with(
        db_path,
        &Credential::RecoveryCode(code),
        Purpose::ResetAdministrator,
    )
}
