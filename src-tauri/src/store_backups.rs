//! The desktop app's backups, as the store holds them: the folder beside the database, "back
//! up now" and the automatic daily backup, the list for the Backup page and a restore — each
//! for an administrator, through the core's `account` operations.

use std::path::{Path, PathBuf};

use serde_json::Value;
use uuid::Uuid;
use yihu::account::{self, BackupList};
use yihu::backup::{self, BackupInfo};
use yihu::error_code::ErrorCode;
use yihu::{ApiError, Ctx, api};

use super::{Store, lock};

impl Store {
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
        let key = lock(&self.inner).key.clone();
        Ok(BackupList {
            dir: self.backup_dir().display().to_string(),
            backups: backup::list_with_keys(&self.backup_dir(), key.as_ref())?,
        })
    }

    /// Replace the database with the backup `name` from the backup folder (administrators
    /// only). The file is checked first and the current content backed up; other windows'
    /// connections see the restored data on their next command. A backup made before a key
    /// rotation needs `then`, the administrator's passphrase when it was made.
    pub fn restore(&self, name: &str, then: Option<&str>) -> Result<Value, ApiError> {
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
            then,
        )?;
        // Idle connections may hold statements prepared against the old schema: start afresh.
        lock(&self.inner).idle.clear();
        Ok(serde_json::to_value(done)?)
    }
}
