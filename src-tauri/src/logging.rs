//! The app's log: one file a day in the OS log folder (`app_log_dir`), the last seven kept, so
//! a supervisor's IT person can see what failed. Lines carry command names, durations and error
//! codes only — the people in the database never reach the log. Warnings also go to stderr.

use std::path::Path;

use tracing::Level;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::fmt::writer::MakeWriterExt;

/// Start logging into `dir`. Failing to log is not a reason not to start: the reason is
/// printed to stderr and the app runs on.
pub fn init(dir: &Path) {
    let file = std::fs::create_dir_all(dir)
        .map_err(|e| e.to_string())
        .and_then(|()| {
            RollingFileAppender::builder()
                .rotation(Rotation::DAILY)
                .filename_prefix("yihu")
                .filename_suffix("log")
                .max_log_files(7)
                .build(dir)
                .map_err(|e| e.to_string())
        });
    let stderr = std::io::stderr.with_max_level(Level::WARN);
    let result = match file {
        Ok(file) => tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(Level::INFO)
            .with_writer(file.and(stderr))
            .try_init(),
        Err(e) => {
            eprintln!("yihu: no log file in {}: {e}", dir.display());
            tracing_subscriber::fmt()
                .with_max_level(Level::INFO)
                .with_writer(stderr)
                .try_init()
        }
    };
    if let Err(e) = result {
        eprintln!("yihu: logging not started: {e}");
    }
}
