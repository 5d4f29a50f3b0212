//! Insider finding 2: nobody acts as someone else from the command line. An administrator who
//! sets a colleague's passphrase gets a temporary one that opens nothing until its owner
//! changes it; the recovery code resets an administrator's passphrase and does nothing else;
//! every keyring change is a row of the audit trail naming who made it. Each attack below is
//! the one that worked before: it now fails, and the trail says what happened.

use std::path::Path;
use std::process::Output;

use serde_json::{Value, json};
use yihu::vault;

use crate::common::{EncryptedDemo, cli, cli_err_code as err_code, cli_ok as ok, encrypted_demo};

/// `yihu` on `path` with `passphrase` in $YIHU_PASSPHRASE.
fn with_passphrase(path: &Path, passphrase: &str, args: &[&str]) -> Output {
    cli(path)
        .env("YIHU_PASSPHRASE", passphrase)
        .args(args)
        .output()
        .expect("yihu")
}

/// The audit rows of `command`, as (actor, entity id, after).
fn audit_rows(d: &EncryptedDemo, command: &str) -> Vec<(Option<String>, String, Value)> {
    let conn = d.open();
    let mut st = conn
        .prepare(
            "SELECT actor_id, entity_id, after_json FROM audit WHERE command = ?1 ORDER BY seq",
        )
        .expect("prepare");
    st.query_map([command], |r| {
        let after: Option<String> = r.get(2)?;
        Ok((
            r.get(0)?,
            r.get(1)?,
            after
                .and_then(|a| serde_json::from_str(&a).ok())
                .unwrap_or(Value::Null),
        ))
    })
    .expect("query")
    .collect::<Result<_, _>>()
    .expect("rows")
}

#[test]
fn a_passphrase_an_administrator_sets_opens_nothing_until_its_owner_changes_it() {
    let d = encrypted_demo();
    let (admin, sup) = (d.admin.clone(), d.supervisor.clone());
    let chosen = "督导自己的口令 谁也不知道";
    // The administrator gives the supervisor a passphrase they know...
    ok(cli(&d.path)
        .env("YIHU_PASSPHRASE", vault::DEMO_PASSPHRASE)
        .env("YIHU_NEW_PASSPHRASE", "管理员知道的临时口令 2026")
        .args(["passphrase", "--staff", &sup, "--as", &admin])
        .output()
        .expect("yihu"));
    // ...and tries to act as them with it: every way in is refused.
    let temp = "管理员知道的临时口令 2026";
    for args in [
        vec!["call", "member.reveal", r#"{"id": "x"}"#, "--as", &sup],
        vec!["call", "household.list", "{}", "--as", &sup],
        vec!["batch", "--as", &sup],
        vec!["backup", "--as", &sup],
        vec!["check"],
        vec!["audit", "verify"],
        vec![
            "export",
            "ledger",
            "--reveal",
            "--out",
            "/nonexistent/x.xlsx",
            "--as",
            &sup,
        ],
    ] {
        let out = with_passphrase(&d.path, temp, &args);
        assert_eq!(
            err_code(&out),
            "auth.must_change_passphrase",
            "{args:?} with a passphrase someone else set"
        );
    }
    // The supervisor (who was told it) chooses their own; only then does it work.
    ok(cli(&d.path)
        .env("YIHU_PASSPHRASE", temp)
        .env("YIHU_NEW_PASSPHRASE", chosen)
        .args(["passphrase", "--staff", &sup, "--as", &sup])
        .output()
        .expect("yihu"));
    assert_eq!(
        err_code(&with_passphrase(
            &d.path,
            temp,
            &["call", "household.list", "{}", "--as", &sup]
        )),
        "auth.wrong_passphrase"
    );
    ok(with_passphrase(
        &d.path,
        chosen,
        &["call", "household.list", "{}", "--as", &sup],
    ));
    // The trail names who set it and who changed it.
    let set = audit_rows(&d, "staff.set_passphrase");
    assert_eq!(set.len(), 1, "{set:?}");
    assert_eq!(set[0].0.as_deref(), Some(admin.as_str()));
    assert_eq!(set[0].1, sup);
    assert_eq!(set[0].2["temporary"], json!(true));
    let changed = audit_rows(&d, "staff.change_passphrase");
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_eq!(changed[0].0.as_deref(), Some(sup.as_str()));
    // No flag makes a passphrase for someone else permanent.
    let out = cli(&d.path)
        .env("YIHU_PASSPHRASE", vault::DEMO_PASSPHRASE)
        .env("YIHU_NEW_PASSPHRASE", "又一个 临时口令 2026")
        .args(["passphrase", "--staff", &sup, "--as", &admin, "--temporary"])
        .output()
        .expect("yihu");
    assert!(
        !out.status.success(),
        "--temporary is gone: always temporary"
    );
}

#[test]
fn the_recovery_code_resets_an_administrators_passphrase_and_acts_for_nobody() {
    let d = encrypted_demo();
    let (admin, sup, cw) = (d.admin.clone(), d.supervisor.clone(), d.caseworker.clone());
    let recovery = |args: &[&str]| -> Output {
        cli(&d.path)
            .env("YIHU_RECOVERY_CODE", &d.recovery_code)
            .env("YIHU_NEW_PASSPHRASE", "找回之后的新口令 管理员")
            .args(args)
            .output()
            .expect("yihu")
    };
    // Acting with it, as anyone, is refused (it used to approve a plan "by" the supervisor).
    for args in [
        vec!["call", "household.list", "{}", "--as", &sup],
        vec!["call", "household.list", "{}", "--as", &admin],
        vec!["call", "household.list", "{}"],
        vec!["batch", "--as", &sup],
        vec!["backup", "--as", &admin],
        vec![
            "export",
            "ledger",
            "--out",
            "/nonexistent/x.xlsx",
            "--as",
            &sup,
        ],
        vec!["passphrase", "--staff", &admin, "--as", &sup],
    ] {
        assert_eq!(
            err_code(&recovery(&args)),
            "auth.recovery_code_cannot_act",
            "{args:?}"
        );
    }
    // It does not give a caseworker or a supervisor a passphrase.
    for who in [&cw, &sup] {
        assert_eq!(
            err_code(&recovery(&["passphrase", "--staff", who])),
            "auth.forbidden"
        );
    }
    // It gives an administrator a new one, recorded as theirs through the recovery code.
    ok(recovery(&["passphrase", "--staff", &admin]));
    ok(with_passphrase(
        &d.path,
        "找回之后的新口令 管理员",
        &["call", "staff.list", "{}", "--as", &admin],
    ));
    let rows = audit_rows(&d, "session.recover");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0.as_deref(), Some(admin.as_str()));
    assert_eq!(rows[0].2["via"], json!("recovery_code"));
    // Reading the file (check, verify) needs no actor and is still allowed with it.
    ok(recovery(&["check"]));
}

#[test]
fn a_staff_members_passphrase_acts_only_as_them() {
    let d = encrypted_demo();
    let (admin, sup, cw) = (d.admin.clone(), d.supervisor.clone(), d.caseworker.clone());
    // Give the caseworker a passphrase of their own (through the proper way).
    ok(cli(&d.path)
        .env("YIHU_PASSPHRASE", vault::DEMO_PASSPHRASE)
        .env("YIHU_NEW_PASSPHRASE", "临时 口令 给社工 2026")
        .args(["passphrase", "--staff", &cw, "--as", &admin])
        .output()
        .expect("yihu"));
    ok(cli(&d.path)
        .env("YIHU_PASSPHRASE", "临时 口令 给社工 2026")
        .env("YIHU_NEW_PASSPHRASE", "社工自己的 口令 春天")
        .args(["passphrase", "--staff", &cw, "--as", &cw])
        .output()
        .expect("yihu"));
    // The caseworker's passphrase does not open the file as the supervisor or the administrator.
    for who in [&sup, &admin] {
        assert_eq!(
            err_code(&with_passphrase(
                &d.path,
                "社工自己的 口令 春天",
                &["call", "household.list", "{}", "--as", who]
            )),
            "auth.wrong_passphrase"
        );
    }
    // Nor does it let them set the administrator's passphrase.
    let out = cli(&d.path)
        .env("YIHU_PASSPHRASE", "社工自己的 口令 春天")
        .env("YIHU_NEW_PASSPHRASE", "夺取管理员 口令 2026")
        .args(["passphrase", "--staff", &admin, "--as", &cw])
        .output()
        .expect("yihu");
    assert_eq!(err_code(&out), "auth.forbidden");
    assert!(
        audit_rows(&d, "staff.set_passphrase")
            .iter()
            .all(|r| r.1 != admin)
    );
}
