//! Insider finding 3: the audit trail can be neither silenced nor re-sealed. A trigger planted
//! on `audit` that drops or deletes its rows makes every write fail instead of going through
//! unrecorded, and `yihu check` names it; `yihu audit verify` and `yihu check` never write (a
//! trail whose hashes were wiped stays wiped and is reported, however often the file is
//! opened); a trail cut from its end — still a valid chain — is caught against the head
//! recorded outside the file, in the keyring and its backup copy.

use std::path::Path;
use std::process::Output;

use rusqlite::Connection;
use serde_json::{Value, json};
use yihu::vault;

use crate::common::{App, CHEMEN, cli, cli_ok as ok, contents, contents_keyed, encrypted_demo};

fn failed(o: &Output) -> (Value, Value) {
    assert!(
        !o.status.success(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    (
        serde_json::from_slice(&o.stdout).unwrap_or(Value::Null),
        serde_json::from_slice(&o.stderr).unwrap_or(Value::Null),
    )
}

#[test]
fn a_trigger_that_drops_audit_rows_stops_every_write_and_check_names_it_first() {
    for planted in [
        "CREATE TRIGGER quiet BEFORE INSERT ON audit WHEN NEW.command = 'member.reveal'
         BEGIN SELECT RAISE(IGNORE); END",
        "CREATE TRIGGER quiet AFTER INSERT ON audit WHEN NEW.command = 'member.reveal'
         BEGIN DELETE FROM audit WHERE seq = NEW.seq; END",
    ] {
        let mut app = App::new();
        let cw = app.staff("社工甲", "caseworker", CHEMEN);
        let h = app.household(&cw, "high");
        let m = app.ok(
            &cw,
            "member.add",
            json!({"household_id": h, "member": {"name": "甄可馨", "relation": "head",
                "sex": "female", "birth_date": "1985-06-01"}}),
        );
        // The insider plants the trigger (the AFTER one needs the delete guard gone).
        app.conn
            .execute_batch("DROP TRIGGER audit_no_delete")
            .expect("drop");
        app.conn.execute_batch(planted).expect("plant");
        let rows = app.count("SELECT count(*) FROM audit");
        let e = app.err(&cw, "member.reveal", json!({"id": m["id"]}));
        assert_eq!(e.code, "audit.silenced", "{planted}");
        assert_eq!(
            app.count("SELECT count(*) FROM audit"),
            rows,
            "nothing was written"
        );
        // Other writes still go on (the trigger only drops reveals here).
        app.ok(
            &cw,
            "need.add",
            json!({"household_id": h, "category": "education",
            "description": "学业", "priority": "low"}),
        );
        let problems = yihu::check::run(&app.conn).expect("check");
        let unexpected = problems
            .iter()
            .find(|p| p.check == "check.schema.unexpected")
            .unwrap_or_else(|| panic!("{problems:?}"));
        assert_eq!(
            unexpected.example.as_deref(),
            Some("trigger quiet on audit"),
            "{problems:?}"
        );
        let missing = problems
            .iter()
            .find(|p| p.check == "check.schema.missing")
            .unwrap_or_else(|| panic!("{problems:?}"));
        assert_eq!(
            missing.example.as_deref(),
            Some("trigger audit_no_delete on audit")
        );
    }
}

#[test]
fn a_sound_database_has_exactly_the_schema_of_its_migrations() {
    let (_dir, _, conn, _) = crate::common::demo_file(20, 3, "2026-03-02");
    let problems = yihu::check::run(&conn).expect("check");
    assert!(
        problems
            .iter()
            .all(|p| !p.check.starts_with("check.schema")),
        "{problems:?}"
    );
    // An extra index is reported too (not only triggers).
    conn.execute_batch("CREATE INDEX sneaky ON member(name)")
        .expect("index");
    let problems = yihu::check::run(&conn).expect("check");
    assert!(
        problems.iter().any(|p| p.check == "check.schema.unexpected"
            && p.example.as_deref() == Some("index sneaky on member")),
        "{problems:?}"
    );
}

/// Wipe the trail's seal as the attacker did: triggers dropped, rows removed, every hash
/// nulled, the triggers put back.
fn wipe_seal(conn: &Connection) {
    conn.execute_batch(
        "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;
         DELETE FROM audit WHERE seq IN (SELECT seq FROM audit ORDER BY seq DESC LIMIT 2);
         UPDATE audit SET hash = NULL, prev_hash = NULL;
         CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit WHEN OLD.hash IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'audit.append_only: the audit trail cannot be changed');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
  SELECT RAISE(ABORT, 'audit.append_only: the audit trail cannot be changed');
END;",
    )
    .expect("wipe");
}

#[test]
fn verify_and_check_never_write_and_a_wiped_seal_is_never_redone() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("yihu.db");
    ok(cli(&path)
        .args(["demo", "--households", "3", "--today", "2026-03-02"])
        .output()
        .expect("demo"));
    ok(cli(&path)
        .args(["audit", "verify"])
        .output()
        .expect("verify"));
    wipe_seal(&Connection::open(&path).expect("open"));
    let before = contents(&path);
    for _ in 0..2 {
        let (report, e) = failed(
            &cli(&path)
                .args(["audit", "verify"])
                .output()
                .expect("verify"),
        );
        assert_eq!(e["code"], json!("audit.chain.broken"), "{e}");
        assert_eq!(
            report["first_problem"]["kind"],
            json!("inserted"),
            "{report}"
        );
        let (report, e) = failed(&cli(&path).args(["check"]).output().expect("check"));
        assert_eq!(e["code"], json!("check.failed"), "{e}");
        assert!(
            report["problems"]
                .as_array()
                .is_some_and(|p| p.iter().any(|p| p["check"] == "audit.chain")),
            "{report}"
        );
        assert_eq!(
            crate::common::first_difference(&before, &contents(&path)),
            None,
            "verify and check wrote to the file"
        );
    }
    // Opening it for work (which upgrades what needs upgrading) does not seal it anew either.
    let sup: String = Connection::open(&path)
        .expect("open")
        .query_row(
            "SELECT id FROM staff WHERE role = 'supervisor' AND active = 1 LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("a supervisor");
    ok(cli(&path)
        .args(["call", "household.list", "{}", "--as", &sup])
        .output()
        .expect("call"));
    let (_, e) = failed(
        &cli(&path)
            .args(["audit", "verify"])
            .output()
            .expect("verify"),
    );
    assert_eq!(e["code"], json!("audit.chain.broken"), "{e}");
}

/// Raw access to an encrypted demo's file as its administrator could have it.
fn raw(path: &Path, code: &str) -> Connection {
    let key = vault::unlock(path, &vault::Secret::RecoveryCode(code)).expect("key");
    let conn = Connection::open(path).expect("open");
    yihu::db::apply_key(&conn, "main", &key).expect("key");
    conn
}

#[test]
fn a_trail_cut_from_its_end_is_caught_against_the_head_kept_outside_the_file() {
    let d = encrypted_demo();
    let run = |args: &[&str]| -> Output {
        cli(&d.path)
            .env("YIHU_PASSPHRASE", vault::DEMO_PASSPHRASE)
            .args(args)
            .output()
            .expect("yihu")
    };
    // Work recorded through the tools: the head is anchored in the keyring and its copy.
    let h: String = raw(&d.path, &d.recovery_code)
        .query_row(
            "SELECT h.id FROM household h JOIN staff s ON s.id = ?1
             WHERE h.division_code LIKE s.division_code || '%' LIMIT 1",
            [&d.supervisor],
            |r| r.get(0),
        )
        .expect("a household of the supervisor's area");
    let q = json!({"household_id": h, "limit": 5}).to_string();
    ok(run(&["call", "audit.list", &q, "--as", &d.supervisor]));
    ok(run(&["backup", "--as", &d.admin]));
    ok(run(&["audit", "verify"]));
    let anchored = |p: &Path| -> i64 {
        let text = std::fs::read_to_string(yihu::keyring::path_for(p)).expect("keyring");
        let ring: Value = serde_json::from_str(&text).expect("json");
        ring["anchor"]["seq"].as_i64().unwrap_or(-1)
    };
    let head: i64 = raw(&d.path, &d.recovery_code)
        .query_row("SELECT max(seq) FROM audit", [], |r| r.get(0))
        .expect("head");
    assert_eq!(anchored(&d.path), head, "the keyring holds the head");
    let copy = yihu::backup::default_dir(&d.path).join("yihu.db");
    assert_eq!(anchored(&copy), head, "and so does its backup copy");

    // The insider cuts the last rows: what is left is still a valid chain on its own.
    let conn = raw(&d.path, &d.recovery_code);
    conn.execute_batch(
        "DROP TRIGGER audit_no_delete;
         DELETE FROM audit WHERE seq > (SELECT max(seq) - 3 FROM audit);
         CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
  SELECT RAISE(ABORT, 'audit.append_only: the audit trail cannot be changed');
END;",
    )
    .expect("cut");
    let chain = yihu::audit_chain::verify(&conn).expect("verify");
    assert!(chain.ok, "the cut trail is a valid chain by itself");
    drop(conn);
    let key = vault::unlock(&d.path, &vault::Secret::RecoveryCode(&d.recovery_code)).expect("key");
    let before = contents_keyed(&d.path, Some(&key));
    let (report, e) = failed(&run(&["audit", "verify"]));
    assert_eq!(e["code"], json!("audit.chain.truncated"), "{e}");
    assert_eq!(
        report["first_problem"]["kind"],
        json!("truncated"),
        "{report}"
    );
    assert_eq!(report["first_problem"]["seq"], json!(head), "{report}");
    let (report, _) = failed(&run(&["check"]));
    assert!(
        report["problems"]
            .as_array()
            .is_some_and(|p| p.iter().any(|p| p["check"] == "audit.chain.truncated")),
        "{report}"
    );
    assert_eq!(
        crate::common::first_difference(&before, &contents_keyed(&d.path, Some(&key))),
        None,
        "verify and check wrote nothing"
    );
    // More work through the tools does not move the anchor back over the cut.
    ok(run(&["call", "audit.list", &q, "--as", &d.supervisor]));
    assert_eq!(anchored(&d.path), head);
    let (_, e) = failed(&run(&["audit", "verify"]));
    assert_eq!(e["code"], json!("audit.chain.truncated"), "{e}");
}
