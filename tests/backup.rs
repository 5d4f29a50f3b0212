//! Backups: a checked, standalone copy; rotation keeping 7 daily, 4 weekly and 12 monthly;
//! restore that brings back exactly the backed-up data (and saves what it replaces first);
//! and restore refusing a damaged file, another program's database or a newer Yihu's, leaving
//! the current database as it was. Through the library and through `yihu backup/restore`.

use std::path::Path;
use std::process::Command;

use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
use rusqlite::Connection;
use serde_json::{Value, json};
use yihu::backup;

use crate::common::*;

fn at(s: &str) -> chrono::DateTime<Utc> {
    Utc.from_utc_datetime(
        &NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").expect("test time"),
    )
}

fn yihu(db: &Path, args: &[&str]) -> (bool, Value, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_yihu"))
        .args(args)
        .arg("--db")
        .arg(db)
        .env_remove("YIHU_DB")
        .output()
        .expect("run yihu");
    (
        out.status.success(),
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
        serde_json::from_slice(&out.stderr).unwrap_or(Value::Null),
    )
}

/// A database with some case work in it.
fn busy() -> (App, String) {
    let mut app = App::new();
    let cw = app.staff("周测试", "caseworker", CHEMEN);
    let sup = app.staff("何测试", "supervisor", SIHONG);
    let (h, need) = app.active_household(&cw, "high");
    app.approved_plan(&cw, &sup, &h, &need);
    (app, cw)
}

#[test]
fn a_backup_is_a_checked_standalone_copy() {
    let (app, _) = busy();
    let dir = app._dir.path().join("backups");
    let b = backup::create(&app.conn, &dir, at("2026-03-02 10:00:00"), None).expect("backup");
    assert_eq!(b.name, "yihu-20260302-100000.db");
    let file = Path::new(&b.path);
    assert!(file.exists() && b.bytes > 100_000, "{b:?}");
    // No leftovers: no -wal or -shm next to it, no partial file.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec![b.name.clone()]);
    let facts = backup::verify(file, None).expect("verify");
    assert_eq!(facts.households, 1);
    assert_eq!(facts.schema, yihu::db::schema_version() as i64);
    let conn = Connection::open(file).expect("open");
    let (mode, app_id): (String, i64) = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .and_then(|m| {
            conn.query_row("PRAGMA application_id", [], |r| r.get(0))
                .map(|a| (m, a))
        })
        .expect("pragmas");
    assert_eq!(mode, "delete");
    assert_eq!(app_id, backup::APPLICATION_ID);
    drop(conn);
    // The same rows as the database.
    assert!(contents(file) == contents(&app.path), "the backup differs");
    // A second backup in the same second gets its own name.
    let b2 = backup::create(&app.conn, &dir, at("2026-03-02 10:00:00"), None).expect("backup");
    assert_eq!(b2.name, "yihu-20260302-100000-2.db");
    let listed: Vec<String> = backup::list(&dir)
        .expect("list")
        .into_iter()
        .map(|b| b.name)
        .collect();
    assert_eq!(listed, vec![b2.name, b.name]);
}

#[test]
fn rotation_keeps_seven_daily_four_weekly_and_twelve_monthly() {
    // One backup a day at 09:00 and one at 18:00 for 500 days.
    let first = NaiveDate::from_ymd_opt(2025, 7, 1).expect("date");
    let mut stamps = Vec::new();
    for d in 0..500 {
        let day = first + chrono::Duration::days(d);
        stamps.push(day.and_hms_opt(9, 0, 0).expect("time"));
        stamps.push(day.and_hms_opt(18, 0, 0).expect("time"));
    }
    let now = stamps[stamps.len() - 1] + chrono::Duration::hours(1);
    let kept: Vec<NaiveDateTime> = backup::keep(&stamps, now)
        .into_iter()
        .map(|i| stamps[i])
        .collect();
    let today = now.date();
    // The evening backup of each of the last 7 days.
    for d in 0..7 {
        let evening = (today - chrono::Duration::days(d))
            .and_hms_opt(18, 0, 0)
            .expect("time");
        assert!(kept.contains(&evening), "day {evening} not kept");
    }
    // The newest of each of the last 4 weeks and 12 months; nothing older than 12 months.
    use chrono::Datelike;
    for w in 0..4 {
        let week = (today - chrono::Duration::weeks(w)).iso_week();
        let newest = stamps
            .iter()
            .filter(|s| s.date().iso_week() == week)
            .max()
            .expect("a backup that week");
        assert!(kept.contains(newest), "week {week:?}");
    }
    let months: std::collections::BTreeSet<(i32, u32)> =
        kept.iter().map(|s| (s.year(), s.month())).collect();
    assert_eq!(months.len(), 12, "{months:?}");
    assert!(
        kept.iter()
            .all(|s| s.date() > today - chrono::Duration::days(366))
    );
    // No morning backup survives (each kept one is the newest of its day), and in all at
    // most 7 + 4 + 12.
    assert!(
        kept.iter()
            .all(|s| s.time() == chrono::NaiveTime::from_hms_opt(18, 0, 0).expect("t"))
    );
    assert!(kept.len() <= 23 && kept.len() >= 12 + 6, "{}", kept.len());

    // On disk: rotate deletes exactly the ones not kept.
    let dir = tempfile::tempdir().expect("tempdir");
    for s in &stamps[stamps.len() - 120..] {
        std::fs::write(
            dir.path()
                .join(format!("yihu-{}.db", s.format("%Y%m%d-%H%M%S"))),
            b"x",
        )
        .expect("write");
    }
    std::fs::write(dir.path().join("notes.txt"), b"not a backup").expect("write");
    let deleted = backup::rotate(dir.path(), Utc.from_utc_datetime(&now)).expect("rotate");
    let left = backup::list(dir.path()).expect("list");
    assert_eq!(left.len() + deleted.len(), 120);
    assert!(left.len() <= 23 && !deleted.is_empty());
    assert!(
        dir.path().join("notes.txt").exists(),
        "rotation removed a foreign file"
    );
}

#[test]
fn restore_brings_back_the_backup_and_saves_what_it_replaces() {
    let (mut app, cw) = busy();
    let dir = app._dir.path().join("backups");
    let b = backup::create(&app.conn, &dir, at("2026-03-02 10:00:00"), None).expect("backup");
    let backed_up = contents(&app.path);
    // Work after the backup.
    let h2 = app.household(&cw, "low");
    assert_ne!(contents(&app.path), backed_up);
    let done = backup::restore(
        &mut app.conn,
        Path::new(&b.path),
        &dir,
        at("2026-03-02 11:00:00"),
        None,
    )
    .expect("restore");
    assert!(
        contents(&app.path) == backed_up,
        "the restore differs from the backup"
    );
    assert!(
        app.call(Some(&cw), "household.get", json!({"id": h2}))
            .is_err(),
        "work after the backup survived the restore"
    );
    // What was replaced is in the folder, with the later household.
    let before = Path::new(&done.saved_before.path);
    let conn = Connection::open(before).expect("open");
    let n: i64 = conn
        .query_row("SELECT count(*) FROM household", [], |r| r.get(0))
        .expect("count");
    assert_eq!(n, 2);
    // The restored database works and its audit trail verifies.
    app.household(&cw, "medium");
    assert!(yihu::audit_chain::verify(&app.conn).expect("verify").ok);
    assert!(yihu::check::run(&app.conn).expect("check").is_empty());
}

#[test]
fn restore_refuses_damaged_foreign_and_newer_files_and_changes_nothing() {
    let (mut app, _) = busy();
    let dir = app._dir.path().join("backups");
    let good = backup::create(&app.conn, &dir, at("2026-03-02 10:00:00"), None).expect("backup");
    let scratch = tempfile::tempdir().expect("tempdir");
    let p = |n: &str| scratch.path().join(n);

    // Not SQLite at all.
    std::fs::write(p("text.db"), "这不是数据库".repeat(500)).expect("write");
    // Damaged: the good backup with a run of pages overwritten.
    let mut bytes = std::fs::read(&good.path).expect("read");
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid..mid + 8192] {
        *b = 0xA5;
    }
    std::fs::write(p("damaged.db"), &bytes).expect("write");
    // Truncated.
    let whole = std::fs::read(&good.path).expect("read");
    std::fs::write(p("truncated.db"), &whole[..whole.len() / 3]).expect("write");
    // Another program's SQLite database.
    Connection::open(p("foreign.db"))
        .and_then(|c| c.execute_batch("CREATE TABLE orders(id INTEGER PRIMARY KEY, item TEXT); INSERT INTO orders(item) VALUES ('rice');"))
        .expect("foreign");
    // A Yihu database from a newer version.
    std::fs::copy(&good.path, p("newer.db")).expect("copy");
    Connection::open(p("newer.db"))
        .and_then(|c| c.execute_batch("PRAGMA user_version = 999"))
        .expect("newer");

    let cases = [
        ("text.db", "backup.not_a_database"),
        ("damaged.db", "backup.damaged"),
        ("truncated.db", "backup.damaged"),
        ("foreign.db", "backup.foreign"),
        ("newer.db", "backup.too_new"),
        ("missing.db", "backup.not_found"),
    ];
    let before = contents(&app.path);
    let backups_before = backup::list(&dir).expect("list").len();
    for (file, code) in cases {
        let e = backup::restore(
            &mut app.conn,
            &p(file),
            &dir,
            at("2026-03-02 11:00:00"),
            None,
        )
        .expect_err(file);
        assert_eq!(e.code, code, "{file}: {e:?}");
        assert!(
            contents(&app.path) == before,
            "{file}: the database changed"
        );
        // Through the command line too.
        let (ok, _, err) = yihu(
            &app.path,
            &["restore", p(file).to_str().expect("path"), "--yes"],
        );
        assert!(!ok, "{file}");
        assert_eq!(err["code"], json!(code), "{file}: {err}");
        assert!(
            contents(&app.path) == before,
            "{file}: the database changed (CLI)"
        );
    }
    assert_eq!(backup::list(&dir).expect("list").len(), backups_before);
}

#[test]
fn the_command_line_backs_up_lists_and_restores_with_confirmation() {
    let (mut app, cw) = busy();
    let (ok, made, _) = yihu(&app.path, &["backup"]);
    assert!(ok, "{made}");
    let file = made["backup"]["path"].as_str().expect("path").to_string();
    assert!(file.contains("backups"), "{file}");
    let (ok, listed, _) = yihu(&app.path, &["backup", "--list"]);
    assert!(ok);
    assert_eq!(listed[0]["path"], json!(file));
    app.household(&cw, "low");
    drop(std::mem::replace(
        &mut app.conn,
        Connection::open_in_memory().expect("mem"),
    ));
    // Without --yes: the file is checked and nothing happens.
    let before = contents(&app.path);
    let (ok, facts, err) = yihu(&app.path, &["restore", &file]);
    assert!(!ok);
    assert_eq!(err["code"], json!("restore.confirm"));
    assert_eq!(facts["facts"]["households"], json!(1));
    assert!(contents(&app.path) == before);
    let (ok, done, err) = yihu(&app.path, &["restore", &file, "--yes"]);
    assert!(ok, "{err}");
    assert!(done["saved_before"]["path"].is_string(), "{done}");
    let conn = Connection::open(&app.path).expect("open");
    let n: i64 = conn
        .query_row("SELECT count(*) FROM household", [], |r| r.get(0))
        .expect("count");
    assert_eq!(n, 1);
}

#[test]
fn a_damaged_database_is_moved_aside_and_replaced_by_the_backup() {
    let (mut app, _) = busy();
    let (ok, made, _) = yihu(&app.path, &["backup"]);
    assert!(ok);
    let file = made["backup"]["path"].as_str().expect("path").to_string();
    drop(std::mem::replace(
        &mut app.conn,
        Connection::open_in_memory().expect("mem"),
    ));
    let _ = std::fs::remove_file(format!("{}-wal", app.path.display()));
    let _ = std::fs::remove_file(format!("{}-shm", app.path.display()));
    std::fs::write(&app.path, vec![0x5Au8; 64 * 1024]).expect("damage");
    let (ok, done, err) = yihu(&app.path, &["restore", &file, "--yes"]);
    assert!(ok, "{err}");
    let aside = done["damaged_moved_to"].as_str().expect("moved aside");
    assert_eq!(
        std::fs::read(aside).expect("aside"),
        vec![0x5Au8; 64 * 1024]
    );
    let (ok, report, _) = yihu(&app.path, &["check"]);
    assert!(ok, "{report}");
}

#[test]
fn an_older_schema_backup_is_restored_and_upgraded() {
    let mut app = App::new();
    let old = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema-1.db");
    let dir = app._dir.path().join("backups");
    let done = backup::restore(&mut app.conn, &old, &dir, at("2026-06-16 08:00:00"), None)
        .expect("restore an old backup");
    assert_eq!(done.facts.schema, 1);
    let v: i64 = app
        .conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(v, yihu::db::schema_version() as i64);
    assert!(yihu::audit_chain::verify(&app.conn).expect("verify").ok);
    assert!(yihu::check::run(&app.conn).expect("check").is_empty());
}

#[test]
fn a_backup_with_other_pages_is_restored_either_way() {
    // A demo file has 16 KB pages; a database made by the app has 4 KB ones.
    let (app, cw) = busy();
    let (_demo_dir, demo_path, loaded, _) = demo_file(5, 2, "2026-03-02");
    drop(loaded);
    let page_size = |c: &Connection| -> i64 {
        c.query_row("PRAGMA page_size", [], |r| r.get(0))
            .expect("page size")
    };
    let dir = app._dir.path().join("backups");
    let small = backup::create(&app.conn, &dir, at("2026-03-02 10:00:00"), None).expect("backup");
    let small_contents = contents(Path::new(&small.path));
    let mut demo = Connection::open(&demo_path).expect("open demo");
    assert_eq!(page_size(&demo), 16384);
    assert_eq!(page_size(&app.conn), 4096);
    let large = backup::create(&demo, &dir, at("2026-03-02 10:05:00"), None).expect("backup");
    let large_contents = contents(Path::new(&large.path));

    // The demo's backup into the app's database, and the app's backup into the demo file.
    let mut app = app;
    backup::restore(
        &mut app.conn,
        Path::new(&large.path),
        &dir,
        at("2026-03-02 11:00:00"),
        None,
    )
    .expect("restore 16 KB pages into a 4 KB file");
    assert!(contents(&app.path) == large_contents);
    assert_eq!(page_size(&app.conn), 16384);
    backup::restore(
        &mut demo,
        Path::new(&small.path),
        &dir,
        at("2026-03-02 11:05:00"),
        None,
    )
    .expect("restore 4 KB pages into a 16 KB file");
    assert!(contents(&demo_path) == small_contents);
    for conn in [&app.conn, &demo] {
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .expect("journal mode");
        assert_eq!(mode, "wal");
        assert!(yihu::check::run(conn).expect("check").is_empty());
    }
    // The restored demo file is the app's data again: its caseworker works in it.
    let n: i64 = demo
        .query_row(
            "SELECT count(*) FROM household WHERE caseworker_id = ?1",
            [&cw],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(n, 1);
}
