//! Getting at an encrypted database, for every front end alike (the desktop shell and the
//! CLI): unlock its key from the keyring with a passphrase or the recovery code, and turn a
//! plain database — one made before encryption, or on the first start — into an encrypted one
//! with its first passphrase and a recovery code, backups included.

use std::path::Path;

use uuid::Uuid;
use zeroize::Zeroizing;

use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::keyring::{DbKey, Keyring};

/// The passphrase every staff member of a demo database has (demo data is fictional).
pub const DEMO_PASSPHRASE: &str = "yihu-demo";

/// What opens the key.
pub enum Secret<'a> {
    /// A staff member's passphrase.
    Passphrase { staff_id: Uuid, passphrase: &'a str },
    /// The recovery code shown at set-up.
    RecoveryCode(&'a str),
    /// Some staff member's passphrase, whoever's it is.
    AnyPassphrase(&'a str),
}

/// How the database at a path is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protection {
    /// No file yet.
    Missing,
    /// A plain SQLite file without a keyring (not encrypted yet).
    Plain,
    /// A keyring beside it: the file is (or, after an interrupted set-up, will be) encrypted.
    Encrypted,
    /// An encrypted (or unreadable) file without its keyring.
    KeyringMissing,
}

/// How the database at `db_path` is protected.
pub fn protection(db_path: &Path) -> Protection {
    if crate::keyring::path_for(db_path).exists() {
        Protection::Encrypted
    } else if !db_path.exists() || std::fs::metadata(db_path).is_ok_and(|m| m.len() == 0) {
        Protection::Missing
    } else if crate::db::is_plain_sqlite(db_path) {
        Protection::Plain
    } else {
        Protection::KeyringMissing
    }
}

/// The error for an encrypted file whose keyring is gone.
pub fn keyring_missing() -> ApiError {
    ApiError::new(
        ErrorCode::DbKeyringMissing,
        "the database cannot be read: it is damaged, or it is encrypted and its keyring file (yihu.db.keys) is missing — copy the keyring back from the backup folder",
    )
}

/// The database key of `db_path`, opened with `secret`.
pub fn unlock(db_path: &Path, secret: &Secret<'_>) -> ApiResult<DbKey> {
    let ring = Keyring::load(db_path)?.ok_or_else(keyring_missing)?;
    match secret {
        Secret::Passphrase {
            staff_id,
            passphrase,
        } => ring.unlock_staff(*staff_id, passphrase),
        Secret::RecoveryCode(code) => ring.unlock_recovery(code),
        Secret::AnyPassphrase(passphrase) => ring.unlock_any(passphrase).map(|(_, key)| key),
    }
}

/// A new encrypted demo database at `db_path` (nothing there yet): `fill` writes the demo into
/// it through a keyed connection, then every active staff member gets the demo passphrase in
/// a new keyring (with a recovery code, returned to show once). Faster than filling a plain
/// file and encrypting it after. If it stops part-way, delete the file and run it again.
pub fn create_demo<T>(
    db_path: &Path,
    fill: impl FnOnce(&mut rusqlite::Connection) -> ApiResult<T>,
) -> ApiResult<(T, Zeroizing<String>)> {
    if protection(db_path) != Protection::Missing {
        return Err(ApiError::new(
            ErrorCode::DemoNotEmpty,
            "an encrypted demo goes into a new database file",
        ));
    }
    let key = DbKey::random();
    let mut conn = crate::db::open_keyed(db_path, Some(&key))?;
    let filled = fill(&mut conn)?;
    let staff = active_staff(&conn)?;
    drop(conn);
    let (mut ring, code) = Keyring::create(&key)?;
    ring.set_many(&key, &staff, DEMO_PASSPHRASE)?;
    ring.demo = true;
    ring.save(db_path)?;
    Ok((filled, code))
}

/// Every active staff member's id and name.
fn active_staff(conn: &rusqlite::Connection) -> ApiResult<Vec<(Uuid, String)>> {
    Ok(conn
        .prepare("SELECT id, name FROM staff WHERE active = 1")?
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))?
        .filter_map(|row| match row {
            Ok((id, name)) => Uuid::parse_str(&id).ok().map(|id| Ok((id, name))),
            Err(e) => Some(Err(e)),
        })
        .collect::<Result<_, _>>()?)
}

/// Who gets a passphrase when a plain database is encrypted.
pub enum FirstPassphrases<'a> {
    /// One staff member (the administrator doing it), who then knows it.
    One {
        staff_id: Uuid,
        name: &'a str,
        passphrase: &'a str,
    },
    /// Every active staff member, the demo passphrase (demo databases).
    Demo,
}

/// Encrypt the plain database at `db_path` (nothing else may have it open) with a new random
/// key: an encrypted, checked copy is made beside it first (a full disk stops here, with
/// nothing changed), then the keyring is written (with the recovery code and the first
/// passphrases), then the copy replaces the file, then the plain backups in `backup_dir` are
/// encrypted. Returns the key and the recovery code, to show once. A failure before the copy
/// is in place removes the keyring again: the plain file stays as it was and nothing claims it
/// is encrypted. (Killed between the keyring and the swap, the plain file is encrypted by the
/// next unlock, see `db::open_keyed`.)
pub fn encrypt_database(
    db_path: &Path,
    backup_dir: &Path,
    first: FirstPassphrases<'_>,
) -> ApiResult<(DbKey, Zeroizing<String>)> {
    match protection(db_path) {
        Protection::Plain => {}
        Protection::Encrypted | Protection::KeyringMissing => {
            return Err(ApiError::new(
                ErrorCode::KeyringExists,
                "this database is already encrypted",
            ));
        }
        Protection::Missing => {
            return Err(ApiError::new(
                ErrorCode::DbOpen,
                "there is no database to encrypt",
            ));
        }
    }
    let key = DbKey::random();
    let (mut ring, code) = Keyring::create(&key)?;
    match first {
        FirstPassphrases::One {
            staff_id,
            name,
            passphrase,
        } => ring.set_staff(&key, staff_id, name, passphrase, false)?,
        FirstPassphrases::Demo => {
            let conn = crate::db::open(db_path)?;
            let staff = active_staff(&conn)?;
            drop(conn);
            ring.set_many(&key, &staff, DEMO_PASSPHRASE)?;
            ring.demo = true;
        }
    }
    let copy = crate::db::encrypted_copy(db_path, &key)?;
    let swapped = ring
        .save(db_path)
        .and_then(|()| crate::db::put_in_place(db_path, &copy));
    if let Err(e) = swapped {
        let _ = std::fs::remove_file(&copy);
        if crate::db::is_plain_sqlite(db_path) {
            let _ = std::fs::remove_file(crate::keyring::path_for(db_path));
        }
        return Err(e);
    }
    crate::backup::encrypt_plain_backups(backup_dir, &key)?;
    crate::backup::copy_keyring(db_path, backup_dir)?;
    Ok((key, code))
}

/// Keep the keyring of the database `conn` has open in step with a staff member's record, as
/// part of the command that changes it (`staff.update`, before its transaction commits, in
/// whichever front end ran it): a renamed staff member keeps their slot under the new name
/// (the sign-in list), and a deactivated one loses it, so their passphrase no longer unwraps
/// the database key. The copy in the backup folder follows. Nothing to do for a plain or an
/// in-memory database. If the commit then fails, a deactivation has still taken the slot away
/// (the safe side: an administrator gives the passphrase again). Returns whether the keyring
/// changed.
pub fn follow_staff(
    conn: &rusqlite::Connection,
    staff_id: Uuid,
    name: &str,
    active: bool,
) -> ApiResult<bool> {
    let Some(db_path) = conn.path().filter(|p| !p.is_empty()).map(Path::new) else {
        return Ok(false);
    };
    let Some(mut ring) = Keyring::load(db_path)? else {
        return Ok(false);
    };
    let changed = if active {
        ring.rename_staff(staff_id, name)
    } else {
        ring.remove_staff(staff_id)
    };
    if changed {
        save_keyring(db_path, &ring)?;
    }
    Ok(changed)
}

/// Write the keyring beside `db_path`, and its copy in the backup folder (without which the
/// encrypted backups could not be opened if the keyring were lost).
pub fn save_keyring(db_path: &Path, ring: &Keyring) -> ApiResult<()> {
    ring.save(db_path)?;
    crate::backup::copy_keyring(db_path, &crate::backup::default_dir(db_path))
}
