//! The words of the `yihu` command line: its subcommands and flags as clap declares them
//! (with their help texts), apart from `main.rs`, which carries each one out through the core.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "yihu",
    version,
    about = "一户一策 — household case management (core and CLI)"
)]
pub struct Cli {
    /// Database file (default: $YIHU_DB, else the OS data directory, e.g. ~/.local/share/yihu/yihu.db).
    #[arg(long, global = true)]
    pub db: Option<PathBuf>,
    /// The acting staff member's id (default: $YIHU_AS). On an encrypted database their own
    /// passphrase is read from $YIHU_PASSPHRASE (never from the command line); without --as,
    /// any staff member's passphrase opens it for commands that act as nobody. A temporary
    /// passphrase (set by an administrator) opens nothing until it is changed;
    /// $YIHU_RECOVERY_CODE opens it only to check it or to reset an administrator's passphrase.
    #[arg(long = "as", global = true)]
    pub as_staff: Option<String>,
    #[command(subcommand)]
    pub cmd: Cmd,
}

#[derive(Subcommand)]
pub enum Cmd {
    /// Run one command: `yihu call household.list '{"q":"wj"}' --as STAFF_ID` ('-' reads JSON from stdin).
    Call {
        command: String,
        json: Option<String>,
        /// Run as if today were this date (default: $YIHU_TODAY, else the real date). For tests and training.
        #[arg(long)]
        today: Option<String>,
    },
    /// Run many commands, one JSON object per line on stdin: `{"command": "visit.log",
    /// "request": {...}}`. Each runs in its own transaction; one line per command is printed
    /// (and flushed) once it is committed: `{"ok": true, "response": ...}` or `{"ok": false,
    /// "error": {...}}`. The exit status is non-zero if any command failed.
    Batch {
        /// Run as if today were this date (default: $YIHU_TODAY, else the real date).
        #[arg(long)]
        today: Option<String>,
    },
    /// List every command with who may run it and an example request.
    Commands {
        /// Print the list as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Fill the database with demo data: staff, services, partners, the article's two households
    /// (fictional names) and N generated households.
    Demo {
        #[arg(long, default_value_t = 200)]
        households: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Anchor date of the demo (default: today).
        #[arg(long)]
        today: Option<String>,
        /// Encrypt the new database; every demo staff member's passphrase is then `yihu-demo`.
        /// The recovery code is printed once.
        #[arg(long)]
        encrypt: bool,
    },
    /// Encrypt a plain database (made before encryption) with a new key, without loss. The
    /// acting administrator (--as) gets the passphrase in $YIHU_PASSPHRASE; the recovery code
    /// is printed once. Close the app first.
    Encrypt,
    /// Set a passphrase on an encrypted database; the new one is read from
    /// $YIHU_NEW_PASSPHRASE, and the same key is wrapped anew (the database is not rewritten).
    /// Your own (--staff is your --as): $YIHU_PASSPHRASE is your current one, temporary or not.
    /// Someone else's (an administrator, --as, with their own passphrase in $YIHU_PASSPHRASE):
    /// always temporary — it opens nothing until its owner changes it. With
    /// $YIHU_RECOVERY_CODE and no --as: an administrator's new passphrase.
    Passphrase {
        /// The staff member's id.
        #[arg(long)]
        staff: String,
    },
    /// Check the database: SQLite integrity, foreign keys and the domain invariants.
    Check,
    /// Back up the database into the backup folder (checked with integrity_check), then rotate
    /// the folder (7 daily, 4 weekly, 12 monthly backups kept). With --list, only list them.
    Backup {
        /// The backup folder (default: `backups/` next to the database).
        #[arg(long)]
        dir: Option<PathBuf>,
        #[arg(long)]
        list: bool,
    },
    /// Replace the database with a backup. The file is checked first (a damaged file, another
    /// program's database or one from a newer Yihu is refused) and the current database is
    /// backed up before it is replaced. A backup made before the database key was rotated
    /// (after a deactivation) opens with the keyring kept for it in the backup folder and the
    /// --as administrator's passphrase of that time ($YIHU_OLD_PASSPHRASE, else
    /// $YIHU_PASSPHRASE); it is restored under today's key. Close the app first.
    Restore {
        /// The backup file.
        file: PathBuf,
        /// The backup folder, for the copy of the current database (default: `backups/` next
        /// to the database).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Really replace the database (without it, only check the file and say what would happen).
        #[arg(long)]
        yes: bool,
    },
    /// Write a ledger for reporting upward: `ledger` (households, members, needs, actions in
    /// force), `deliveries` (the period's service deliveries) or `summary` (by division and by
    /// hardship cause). Excel by default; `--format csv` writes UTF-8 CSV with a BOM, one file
    /// per sheet. ID numbers, health conditions and disability are masked unless --reveal.
    /// Every export is recorded in the audit trail.
    Export {
        /// ledger, deliveries or summary.
        kind: String,
        /// The area: this division and everything below it (default: the acting staff
        /// member's own).
        #[arg(long)]
        division: Option<String>,
        /// First day of the period (deliveries and summary).
        #[arg(long)]
        from: Option<String>,
        /// Last day of the period (deliveries and summary).
        #[arg(long)]
        to: Option<String>,
        /// The file to write (.xlsx, or .csv with --format csv).
        #[arg(long)]
        out: PathBuf,
        /// xlsx (default) or csv.
        #[arg(long, default_value = "xlsx")]
        format: String,
        /// Write ID numbers, health conditions and disability in full.
        #[arg(long)]
        reveal: bool,
        /// Run as if today were this date (default: $YIHU_TODAY, else the real date).
        #[arg(long)]
        today: Option<String>,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        cmd: AuditCmd,
    },
}

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Walk the audit trail's hash chain and report the first row altered, inserted or missing.
    Verify,
}
