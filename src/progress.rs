//! How far a long file operation has come (a key rotation copies the whole database under a
//! new key: a minute on a county's 1.5 GB file), so the window can show a progress bar instead
//! of freezing. The core only reports; each front end decides how to show it (the shell emits
//! a `key-rotation` event, the CLI writes a line to a terminal).

use std::path::Path;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use serde::Serialize;

/// The steps of a key rotation, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Copying the database under the new key (`done_bytes` of `total_bytes` written).
    Copying,
    /// Checking the copy (integrity and every table's count) before it replaces the file.
    Checking,
    /// Sealing every slot of the keyring to the new key and swapping the files.
    Sealing,
    /// Finished (or given up: the command's answer says which).
    Done,
}

/// One report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct Progress {
    pub step: Step,
    #[ts(type = "number")]
    pub done_bytes: u64,
    #[ts(type = "number")]
    pub total_bytes: u64,
}

impl Progress {
    pub fn at(step: Step, total_bytes: u64) -> Progress {
        Progress {
            step,
            done_bytes: if step == Step::Copying {
                0
            } else {
                total_bytes
            },
            total_bytes,
        }
    }
}

/// Where reports go. Called from a helper thread while the copy runs.
pub type OnProgress<'a> = &'a (dyn Fn(Progress) + Sync);

/// Nobody is watching.
pub fn ignore(_: Progress) {}

/// Run `copy` (which writes `dest`, a copy of a file of `total_bytes`) while a helper thread
/// reports `dest`'s size every quarter second; `copy` calls the function it is given once the
/// bytes are written, which stops the reports and says [`Step::Checking`] — never a
/// `Copying` report after it.
pub fn watch_copy<T>(
    dest: &Path,
    total_bytes: u64,
    on: OnProgress<'_>,
    copy: impl FnOnce(&dyn Fn()) -> T,
) -> T {
    let copied = Mutex::new(false);
    let wake = Condvar::new();
    std::thread::scope(|s| {
        s.spawn(|| {
            let Ok(mut done) = copied.lock() else {
                return;
            };
            while !*done {
                let written = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
                on(Progress {
                    step: Step::Copying,
                    done_bytes: written.min(total_bytes),
                    total_bytes,
                });
                done = match wake.wait_timeout(done, Duration::from_millis(250)) {
                    Ok((g, _)) => g,
                    Err(_) => return,
                };
            }
        });
        let finished = || {
            if let Ok(mut done) = copied.lock()
                && !*done
            {
                *done = true;
                on(Progress::at(Step::Checking, total_bytes));
            }
            wake.notify_all();
        };
        let out = copy(&finished);
        // A copy that failed before its end: stop the reports all the same.
        if let Ok(mut done) = copied.lock() {
            *done = true;
        }
        wake.notify_all();
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_the_growing_copy_then_checking_and_never_copying_after_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let dest = dir.path().join("copy");
        let seen = Mutex::new(Vec::new());
        let on = |p: Progress| seen.lock().expect("lock").push(p);
        let total = 4_000;
        // Each size is written, then awaited in the reports (no fixed sleep: a loaded
        // machine only makes it slower).
        let reported = |bytes: u64| {
            let deadline = std::time::Instant::now() + Duration::from_secs(30);
            while !seen
                .lock()
                .expect("lock")
                .iter()
                .any(|p| p.done_bytes == bytes)
            {
                assert!(
                    std::time::Instant::now() < deadline,
                    "no report of {bytes} bytes"
                );
                std::thread::sleep(Duration::from_millis(5));
            }
        };
        let answer = watch_copy(&dest, total, &on, |copied| {
            for i in 1..=4u64 {
                std::fs::write(&dest, vec![0u8; (i * 1_000) as usize]).expect("write");
                reported(i * 1_000);
            }
            copied();
            42
        });
        assert_eq!(answer, 42);
        let seen = seen.into_inner().expect("lock");
        let checking = seen
            .iter()
            .position(|p| p.step == Step::Checking)
            .expect("a Checking report");
        assert_eq!(checking, seen.len() - 1, "nothing after Checking: {seen:?}");
        let copying: Vec<u64> = seen[..checking].iter().map(|p| p.done_bytes).collect();
        assert!(copying.len() >= 4, "reports while copying: {copying:?}");
        assert!(copying.windows(2).all(|w| w[0] <= w[1]), "{copying:?}");
        assert!(copying.iter().any(|&b| b > 0 && b < total), "{copying:?}");
        assert!(seen.iter().all(|p| p.total_bytes == total));
    }

    #[test]
    fn a_copy_that_fails_early_stops_the_reports() {
        let dir = tempfile::tempdir().expect("temp dir");
        let seen = Mutex::new(0usize);
        let on = |_: Progress| *seen.lock().expect("lock") += 1;
        // (A watcher that did not stop would keep this test from ever returning.)
        let r: Result<(), &str> = watch_copy(&dir.path().join("none"), 10, &on, |_| Err("full"));
        assert!(r.is_err());
        assert!(*seen.lock().expect("lock") <= 1);
    }
}
