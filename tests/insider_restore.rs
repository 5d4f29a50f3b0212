//! Insider finding 5: a restore is an administrator's act, in the command line as in the app,
//! and it says what it did in the restored database's own trail — from which backup, where the
//! replaced database was saved, and the head of the trail it replaced (so a rollback that
//! erases a supervisor's reveal is itself on record). The copy taken before a restore is kept
//! out of the rotation for 30 days. (The clock half — `--today` only on a demo, the audit time
//! always real — is in `tests/cli.rs`.)

use std::process::Output;

use chrono::Duration;
use serde_json::{Value, json};
use yihu::{backup, vault};

use crate::common::{cli, cli_err_code as err_code, cli_ok as ok, encrypted_demo};

#[test]
fn only_an_administrator_restores_and_the_restore_records_the_trail_it_replaced() {
    let d = encrypted_demo();
    let run = |args: &[&str]| -> Output {
        cli(&d.path)
            .env("YIHU_PASSPHRASE", vault::DEMO_PASSPHRASE)
            .args(args)
            .output()
            .expect("yihu")
    };
    let made = ok(run(&["backup", "--as", &d.admin]));
    let file = made["backup"]["path"].as_str().expect("path").to_string();
    // Work after the backup: a supervisor reveals a member (an audited act the rollback erases).
    let member: String = d
        .open()
        .query_row(
            "SELECT m.id FROM member m JOIN household h ON h.id = m.household_id
             JOIN staff s ON s.id = ?1 WHERE h.division_code LIKE s.division_code || '%'
             AND m.id_number IS NOT NULL LIMIT 1",
            [&d.supervisor],
            |r| r.get(0),
        )
        .expect("a member of the supervisor's area");
    let q = json!({ "id": member }).to_string();
    ok(run(&["call", "member.reveal", &q, "--as", &d.supervisor]));
    let head = yihu::audit_chain::head(&d.open()).expect("head");
    // Neither a caseworker nor a supervisor may roll the database back.
    for who in [&d.caseworker, &d.supervisor] {
        assert_eq!(
            err_code(&run(&["restore", &file, "--yes", "--as", who])),
            "auth.forbidden"
        );
    }
    // Nor anyone without saying who, nor with the recovery code.
    assert!(!run(&["restore", &file, "--yes"]).status.success());
    let by_code = cli(&d.path)
        .env("YIHU_RECOVERY_CODE", &d.recovery_code)
        .args(["restore", &file, "--yes"])
        .output()
        .expect("yihu");
    assert_eq!(err_code(&by_code), "auth.recovery_code_cannot_act");
    let reveals = |conn: &rusqlite::Connection| -> i64 {
        conn.query_row(
            "SELECT count(*) FROM audit WHERE command = 'member.reveal'",
            [],
            |r| r.get(0),
        )
        .expect("count")
    };
    assert_eq!(reveals(&d.open()), 1, "nothing was rolled back");
    // The administrator restores: the reveal is gone from the restored trail, but the restore
    // row names the head it replaced, and the copy of what was replaced holds the reveal.
    let done = ok(run(&["restore", &file, "--yes", "--as", &d.admin]));
    let conn = d.open();
    assert_eq!(reveals(&conn), 0);
    let (actor, after): (Option<String>, String) = conn
        .query_row(
            "SELECT actor_id, after_json FROM audit WHERE command = 'backup.restore'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("the restore is in the restored trail");
    assert_eq!(actor.as_deref(), Some(d.admin.as_str()));
    let after: Value = serde_json::from_str(&after).expect("json");
    assert_eq!(after["replaced_head"]["seq"], json!(head.0), "{after}");
    assert_eq!(after["replaced_head"]["hash"], json!(head.1), "{after}");
    let saved = after["saved_before"].as_str().expect("saved_before");
    assert!(saved.starts_with("before-restore-"), "{saved}");
    assert_eq!(done["saved_before"]["name"], json!(saved), "{done}");
    ok(run(&["audit", "verify"]));
}

#[test]
fn the_copy_taken_before_a_restore_stays_out_of_the_rotation_for_30_days() {
    let (_dir, path, conn, _) = crate::common::demo_file(3, 1, "2026-03-02");
    let dir = backup::default_dir(&path);
    // Across 29 February and a month end: 2028-02-10 + 29 days is 2028-03-10.
    let now = chrono::NaiveDate::from_ymd_opt(2028, 2, 10)
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .expect("date")
        .and_utc();
    let first = backup::create(&conn, &dir, now, None).expect("backup");
    drop(conn);
    let mut conn = yihu::db::open(&path).expect("open");
    let done = backup::restore(
        &mut conn,
        std::path::Path::new(&first.path),
        &dir,
        now + Duration::seconds(1),
        None,
    )
    .expect("restore");
    let saved = done.saved_before.name.clone();
    assert!(saved.starts_with("before-restore-"), "{saved}");
    let listed = |at| -> Vec<String> {
        backup::rotate(&dir, at).expect("rotate");
        backup::list(&dir)
            .expect("list")
            .into_iter()
            .map(|b| b.name)
            .collect()
    };
    // A year of daily backups later it would have been rotated away; it is not, for 30 days.
    for day in 1..=29 {
        let at = now + Duration::days(day);
        backup::create(&conn, &dir, at, None).expect("daily backup");
        assert!(listed(at).contains(&saved), "day {day}");
    }
    assert!(!listed(now + Duration::days(31)).contains(&saved));
}
