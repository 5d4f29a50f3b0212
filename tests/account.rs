//! The operations on who can open the database (`yihu::account`): each is authorised like a
//! command and leaves an audit row in the same hash chain, with no secret in it, whichever
//! front end runs it.

use std::path::Path;

use rusqlite::Connection;
use uuid::Uuid;
use yihu::Ctx;
use yihu::account::{self, Via};
use yihu::keyring::{DbKey, Keyring};
use yihu::{backup, db};

use crate::common::{App, CHEMEN};

const ADMIN_PASS: &str = "the administrator's passphrase";
const FIRST: &str = "given by the administrator";
const OWN: &str = "only the caseworker knows";
const RECOVERED: &str = "chosen after recovery";

fn ctx(actor: Uuid) -> Ctx {
    Ctx::fixed(Some(actor), crate::common::date("2026-03-02"))
}

/// The account rows of the audit trail, oldest first: (command, actor, after_json).
fn account_rows(conn: &Connection) -> Vec<(String, Option<String>, String)> {
    let mut st = conn
        .prepare(
            "SELECT command, actor_id, coalesce(after_json, '') FROM audit
             WHERE command IN ('database.encrypt', 'session.sign_in', 'staff.set_passphrase',
               'staff.change_passphrase', 'recovery.renew', 'session.recover', 'backup.create',
               'backup.restore')
             ORDER BY seq",
        )
        .expect("prepare");
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

fn commands(rows: &[(String, Option<String>, String)]) -> Vec<&str> {
    rows.iter().map(|(c, _, _)| c.as_str()).collect()
}

fn open(path: &Path, key: &DbKey) -> Connection {
    db::open_keyed(path, Some(key)).expect("open keyed")
}

#[test]
fn every_change_to_who_can_open_the_database_is_audited_without_its_secret() {
    let mut app = App::new();
    let cw = Uuid::parse_str(&app.staff("社工乙", "caseworker", CHEMEN)).expect("uuid");
    let admin = Uuid::parse_str(&app.admin).expect("uuid");
    let App {
        conn, path, _dir, ..
    } = app;
    drop(conn);

    // Only an active administrator can encrypt, and the encryption is recorded as them.
    let e = account::encrypt(&path, &ctx(cw), cw, ADMIN_PASS, Via::Passphrase).unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.field.as_deref()),
        ("auth.forbidden", Some("staff_id"))
    );
    assert!(db::is_plain_sqlite(&path), "nothing was encrypted");
    let (key, code) =
        account::encrypt(&path, &ctx(admin), admin, ADMIN_PASS, Via::Passphrase).expect("encrypt");
    let mut conn = open(&path, &key);
    account::sign_in(&mut conn, &ctx(admin), Via::Passphrase, false).expect("sign in");

    // The administrator gives the caseworker a first passphrase; a caseworker cannot.
    account::set_passphrase(&mut conn, &ctx(admin), &key, cw, FIRST).expect("set");
    let e = account::set_passphrase(&mut conn, &ctx(cw), &key, admin, "taking over").unwrap_err();
    assert_eq!(e.code, "auth.forbidden");
    let unlocked = account::unlock_staff(&path, cw, FIRST).expect("first passphrase");
    assert!(unlocked.must_change);

    // They change it; the wrong current passphrase is refused at its field.
    let e = account::change_passphrase(&mut conn, &ctx(cw), "not it at all", OWN).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("current_passphrase"));
    account::change_passphrase(&mut conn, &ctx(cw), FIRST, OWN).expect("change");
    assert!(
        !account::unlock_staff(&path, cw, OWN)
            .expect("own")
            .must_change
    );
    assert!(account::unlock_staff(&path, cw, FIRST).is_err());

    // A new recovery code replaces the old one; it resets an administrator's passphrase only.
    let e = account::renew_recovery_code(&mut conn, &ctx(cw), &key).unwrap_err();
    assert_eq!(e.code, "auth.forbidden");
    let renewed = account::renew_recovery_code(&mut conn, &ctx(admin), &key).expect("renew");
    assert!(account::unlock_recovery(&path, &code).is_err());
    let by_code = account::unlock_recovery(&path, &renewed).expect("new code");
    let e = account::recover(&mut conn, &ctx(cw), &by_code, RECOVERED).unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.field.as_deref()),
        ("auth.forbidden", Some("staff_id"))
    );
    account::recover(&mut conn, &ctx(admin), &by_code, RECOVERED).expect("recover");
    account::unlock_staff(&path, admin, RECOVERED).expect("recovered passphrase");

    // Backups of an encrypted database are for administrators.
    let dir = backup::default_dir(&path);
    let e = account::back_up(&mut conn, &ctx(cw), Some(&key), &dir).unwrap_err();
    assert_eq!(e.code, "auth.forbidden");
    let (made, _) = account::back_up(&mut conn, &ctx(admin), Some(&key), &dir).expect("backup");

    let rows = account_rows(&conn);
    assert_eq!(
        commands(&rows),
        [
            "database.encrypt",
            "session.sign_in",
            "staff.set_passphrase",
            "staff.change_passphrase",
            "recovery.renew",
            "session.recover",
            "backup.create",
        ]
    );
    let actors: Vec<_> = rows.iter().map(|(_, a, _)| a.clone()).collect();
    let (a, c) = (Some(admin.to_string()), Some(cw.to_string()));
    assert_eq!(
        actors,
        [
            a.clone(),
            a.clone(),
            a.clone(),
            c,
            a.clone(),
            a.clone(),
            a.clone()
        ]
    );
    let all: String = rows.iter().map(|(_, _, after)| after.as_str()).collect();
    for secret in [
        ADMIN_PASS,
        FIRST,
        OWN,
        RECOVERED,
        renewed.as_str(),
        code.as_str(),
    ] {
        assert!(!all.contains(secret), "a secret in the audit trail: {all}");
    }

    // A restore is refused to a caseworker, and recorded in the restored database.
    let e = account::restore(
        &mut conn,
        &ctx(cw),
        Some(&key),
        Path::new(&made.path),
        &dir,
        None,
    )
    .unwrap_err();
    assert_eq!(e.code, "auth.forbidden");
    account::restore(
        &mut conn,
        &ctx(admin),
        Some(&key),
        Path::new(&made.path),
        &dir,
        None,
    )
    .expect("restore");
    let rows = account_rows(&conn);
    assert_eq!(
        commands(&rows).last().copied(),
        Some("backup.restore"),
        "{rows:?}"
    );
    assert!(rows.last().is_some_and(|(_, actor, after)| {
        actor.as_deref() == Some(admin.to_string().as_str()) && after.contains(&made.name)
    }));
    let chain = yihu::audit_chain::verify(&conn).expect("verify");
    assert!(chain.first_problem.is_none(), "{chain:?}");
}

#[test]
fn a_staff_change_made_in_process_moves_the_keyring_with_it() {
    let mut app = App::new();
    let cw = app.staff("社工丙", "caseworker", CHEMEN);
    let cw_id = Uuid::parse_str(&cw).expect("uuid");
    let admin = Uuid::parse_str(&app.admin).expect("uuid");
    let App {
        conn, path, _dir, ..
    } = app;
    drop(conn);
    let (key, _) =
        account::encrypt(&path, &ctx(admin), admin, ADMIN_PASS, Via::Passphrase).expect("encrypt");
    let mut conn = open(&path, &key);
    account::set_passphrase(&mut conn, &ctx(admin), &key, cw_id, FIRST).expect("set");
    let staff = |conn: &mut Connection, name: &str, active: bool| {
        yihu::dispatch(
            conn,
            &ctx(admin),
            "staff.update",
            &serde_json::json!({"id": cw, "staff": {"name": name, "role": "caseworker",
                "division_code": CHEMEN}, "active": active})
            .to_string(),
        )
        .expect("staff.update")
    };
    staff(&mut conn, "社工丁", true);
    let names = |p: &Path| -> Vec<String> {
        Keyring::load(p)
            .expect("load")
            .expect("keyring")
            .names()
            .into_iter()
            .map(|n| n.name)
            .collect()
    };
    assert!(names(&path).contains(&"社工丁".to_string()));
    staff(&mut conn, "社工丁", false);
    assert!(account::unlock_staff(&path, cw_id, FIRST).is_err());
    assert!(!names(&path).contains(&"社工丁".to_string()));
    // The backup folder's copy of the keyring follows, so a backup does not bring them back.
    let copy = backup::default_dir(&path).join("yihu.db.keys");
    assert_eq!(
        std::fs::read(&copy).expect("copy"),
        std::fs::read(yihu::keyring::path_for(&path)).expect("keyring")
    );
}
