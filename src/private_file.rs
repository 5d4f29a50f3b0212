//! Files only their owner can read. The database, the files SQLite keeps beside it, the
//! keyring, backups, exports and every temporary copy hold health and family data (or the keys
//! to it): on a shared machine another account must not read them, whatever the umask says.
//! SQLite creates a database's `-wal`, `-shm` and `-journal` files with the database file's
//! own permissions, so creating the database file owner-only (and bringing an older, readable
//! one down to owner-only at open) covers them. New files are created exclusively: a file or a
//! link planted where one is about to be written is refused, never followed.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// Owner read and write, nobody else anything.
pub const MODE: u32 = 0o600;

/// Create `path` new, owner-only; refused (`AlreadyExists`) if anything is there, a symbolic
/// link included (`O_CREAT | O_EXCL` never follows one).
pub fn create_new(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(MODE);
    }
    o.open(path)
}

/// [`create_new`], after removing a regular file left at `path` by an interrupted run (a link
/// or anything else found there is left alone, and the creation refused).
pub fn replace_leftover(path: &Path) -> io::Result<File> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file()) {
        std::fs::remove_file(path)?;
    }
    create_new(path)
}

/// Bring the regular file at `path`, if there is one, down to owner-only.
pub fn restrict(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_file() && m.permissions().mode() & 0o077 != 0 => {
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(MODE))
            }
            Ok(_) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// The files SQLite keeps beside the database at `path`.
pub fn companions(path: &Path) -> [PathBuf; 3] {
    ["-wal", "-shm", "-journal"].map(|s| PathBuf::from(format!("{}{s}", path.display())))
}

/// Before SQLite opens the database at `path`: create it empty and owner-only if it is not
/// there, or bring it and its companions down to owner-only if it is.
pub fn prepare_database(path: &Path) -> io::Result<()> {
    match create_new(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            restrict(path)?;
            companions(path).iter().try_for_each(|p| restrict(p))
        }
        Err(e) => Err(e),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).expect("meta").permissions().mode() & 0o777
    }

    #[test]
    fn new_files_are_owner_only_and_links_are_not_followed() {
        let dir = tempfile::tempdir().expect("dir");
        let p = dir.path().join("a");
        create_new(&p).expect("create");
        assert_eq!(mode(&p), 0o600);
        assert_eq!(
            create_new(&p).expect_err("exists").kind(),
            io::ErrorKind::AlreadyExists
        );
        let target = dir.path().join("target");
        std::fs::write(&target, b"x").expect("write");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).expect("symlink");
        assert!(
            replace_leftover(&link).is_err(),
            "a planted link is refused"
        );
        assert_eq!(std::fs::read(&target).expect("read"), b"x");
    }

    #[test]
    fn an_existing_readable_database_is_brought_down_to_owner_only() {
        let dir = tempfile::tempdir().expect("dir");
        let p = dir.path().join("yihu.db");
        std::fs::write(&p, b"").expect("write");
        std::fs::write(companions(&p)[0].clone(), b"").expect("wal");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        prepare_database(&p).expect("prepare");
        assert_eq!(mode(&p), 0o600);
        assert_eq!(mode(&companions(&p)[0]), 0o600);
    }
}
