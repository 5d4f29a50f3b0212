//! Insider finding 7, the smaller items, each tried as the attack that worked: names with
//! invisible characters (`张\u{200b}三` was not found by 张三); an export's `.part` file that
//! followed a planted link, and an export recorded though its file never arrived; every staff
//! member's phone listed to anyone; a killed `yihu demo` that left a half-built file; a failed
//! `yihu encrypt` that left a plain file the tools took for encrypted. (The idle lock that
//! slept with the laptop is tested in the shell: `src-tauri/src/store.rs`.)

use std::process::Stdio;

use serde_json::{Value, json};
use yihu::api::ledger::{LedgerJob, LedgerRequest};
use yihu::{Ctx, api};

use crate::common::{App, CHEMEN, cli, date, demo_file};

#[test]
fn invisible_characters_are_dropped_and_text_is_composed_before_it_is_stored_and_searched() {
    let mut app = App::new();
    let cw = app.staff("社工甲", "caseworker", CHEMEN);
    let h = app.household(&cw, "high");
    let m = app.ok(
        &cw,
        "member.add",
        json!({"household_id": h, "member": {"name": "张\u{200b}三\u{202e}", "relation": "head",
            "sex": "female", "birth_date": "1985-06-01", "work": "Cafe\u{301} 店员\u{feff}"}}),
    );
    assert_eq!(m["name"], json!("张三"));
    assert_eq!(m["work"], json!("Café 店员"));
    let found = app.ok(&cw, "household.list", json!({"q": "张三"}));
    assert_eq!(found["total"], json!(1), "{found}");
    let found = app.ok(&cw, "household.list", json!({"q": "张\u{200d}三"}));
    assert_eq!(
        found["total"],
        json!(1),
        "a query is cleaned the same way: {found}"
    );
    // A name of nothing but invisible characters is no name.
    let e = app.err(
        &cw,
        "member.add",
        json!({"household_id": h, "member": {"name": "\u{200b}\u{200b}", "relation": "spouse",
            "sex": "male", "birth_date": "1984-01-01"}}),
    );
    assert_eq!(
        (e.code.as_str(), e.field.as_deref()),
        ("validation.required", Some("member.name"))
    );
}

fn ledger_request(county: &str) -> LedgerRequest {
    api::parse_request(&json!({"kind": "ledger", "division_code": county}).to_string())
        .expect("request")
}

fn county_supervisor(conn: &rusqlite::Connection) -> (uuid::Uuid, String) {
    let (id, county): (String, String) = conn
        .query_row(
            "SELECT id, division_code FROM staff WHERE role = 'supervisor' AND length(division_code) = 6 LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a county supervisor");
    (id.parse().expect("uuid"), county)
}

fn exports(conn: &rusqlite::Connection) -> i64 {
    conn.query_row(
        "SELECT count(*) FROM audit WHERE command = 'export.ledger'",
        [],
        |r| r.get(0),
    )
    .expect("count")
}

#[cfg(unix)]
#[test]
fn an_export_follows_no_planted_link_and_is_recorded_only_with_its_file_in_place() {
    let (dir, _, mut conn, _) = demo_file(20, 5, "2026-03-02");
    let (sup, county) = county_supervisor(&conn);
    let ctx = Ctx::fixed(Some(sup), date("2026-03-02"));
    // A link planted at the `.part` name, pointing at a file the exporter may write.
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, b"keep me").expect("victim");
    let out = dir.path().join("ledger.xlsx");
    std::os::unix::fs::symlink(&victim, dir.path().join("ledger.xlsx.part")).expect("link");
    let e = api::export_ledger(
        &mut conn,
        &ctx,
        LedgerJob {
            request: ledger_request(&county),
            out: out.clone(),
        },
    )
    .expect_err("refused");
    assert_eq!(e.code, "export.write_failed", "{e:?}");
    assert_eq!(std::fs::read(&victim).expect("victim"), b"keep me");
    assert!(!out.exists());
    assert_eq!(exports(&conn), 0, "a refused export is not recorded");
    // The final name cannot be taken (a folder is there): no file, and no record of one.
    let blocked = dir.path().join("blocked.xlsx");
    std::fs::create_dir(&blocked).expect("dir");
    let e = api::export_ledger(
        &mut conn,
        &ctx,
        LedgerJob {
            request: ledger_request(&county),
            out: blocked.clone(),
        },
    )
    .expect_err("refused");
    assert_eq!(e.code, "export.write_failed", "{e:?}");
    assert!(blocked.is_dir());
    assert!(!dir.path().join("blocked.xlsx.part").exists());
    assert_eq!(exports(&conn), 0);
    // A sound export is recorded, and its file is owner-only.
    api::export_ledger(
        &mut conn,
        &ctx,
        LedgerJob {
            request: ledger_request(&county),
            out: dir.path().join("good.xlsx"),
        },
    )
    .expect("export");
    assert_eq!(exports(&conn), 1);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir.path().join("good.xlsx"))
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn a_staff_members_phone_is_seen_by_administrators_their_areas_supervisors_and_themselves() {
    let mut app = App::new();
    let admin = app.admin.clone();
    let cw = app.ok(
        &admin,
        "staff.create",
        json!({"name": "社工甲", "role": "caseworker", "division_code": CHEMEN, "phone": "13800001111"}),
    );
    let cw = cw["id"].as_str().expect("id").to_string();
    let other = app.ok(
        &admin,
        "staff.create",
        json!({"name": "社工乙", "role": "caseworker", "division_code": CHEMEN, "phone": "13800002222"}),
    );
    let other = other["id"].as_str().expect("id").to_string();
    let sup = app.staff("县督导", "supervisor", crate::common::SIHONG);
    let far = app.staff("外县督导", "supervisor", "321323");
    let phone_of = |app: &mut App, viewer: &str, whom: &str| -> Value {
        let listed = app.ok(viewer, "staff.list", json!({}));
        let in_list = listed
            .as_array()
            .and_then(|l| l.iter().find(|s| s["id"] == json!(whom)).cloned())
            .map(|s| s["phone"].clone())
            .unwrap_or(Value::Null);
        let got = app.ok(viewer, "staff.get", json!({"id": whom}))["phone"].clone();
        assert_eq!(in_list, got, "list and get agree");
        got
    };
    assert_eq!(phone_of(&mut app, &admin, &cw), json!("13800001111"));
    assert_eq!(phone_of(&mut app, &sup, &cw), json!("13800001111"));
    assert_eq!(phone_of(&mut app, &cw, &cw), json!("13800001111"));
    assert_eq!(phone_of(&mut app, &other, &cw), Value::Null);
    assert_eq!(phone_of(&mut app, &far, &cw), Value::Null);
}

#[test]
fn a_demo_stopped_part_way_leaves_nothing_that_claims_to_be_one() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("demo.db");
    // Refused half-way through its own checks: nothing is left at the path, nor beside it.
    let out = cli(&path)
        .args(["demo", "--households", "2000000"])
        .output()
        .expect("demo");
    assert!(!out.status.success());
    assert!(!path.exists());
    // Killed while it loads: the path holds nothing, or a complete demo; never half of one.
    let mut child = cli(&path)
        .args(["demo", "--households", "30000", "--encrypt"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("demo");
    // Killed once it is building (its file beside the target exists), not after a guessed time.
    let building = dir.path().join("demo.db.building");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !building.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
    let complete = path.exists() && yihu::keyring::path_for(&path).exists();
    assert!(
        !path.exists() || complete,
        "a half-built demo was left at the path"
    );
    if !complete {
        // And the next run starts clean over what the killed one left beside it.
        let out = cli(&path)
            .args(["demo", "--households", "3", "--today", "2026-03-02"])
            .output()
            .expect("demo");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(path.exists());
    }
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".building")), "{names:?}");
}

#[test]
fn a_failed_encrypt_leaves_the_plain_file_as_it_was_with_nothing_claiming_it_is_encrypted() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("yihu.db");
    let out = cli(&path)
        .args(["demo", "--households", "3", "--today", "2026-03-02"])
        .output()
        .expect("demo");
    assert!(out.status.success());
    let summary: Value = serde_json::from_slice(&out.stdout).expect("json");
    let admin = summary["admin_id"].as_str().expect("admin").to_string();
    let before = crate::common::contents(&path);
    // The encrypted copy cannot be written (something is in its way, as a full disk would be).
    std::fs::create_dir(dir.path().join("yihu.db.encrypting")).expect("in the way");
    let out = cli(&path)
        .env("YIHU_PASSPHRASE", "管理员的口令 足够长 2026")
        .args(["encrypt", "--as", &admin])
        .output()
        .expect("encrypt");
    assert!(!out.status.success());
    assert!(yihu::db::is_plain_sqlite(&path), "still the plain file");
    assert!(
        !yihu::keyring::path_for(&path).exists(),
        "no keyring claims it is encrypted"
    );
    assert_eq!(
        crate::common::first_difference(&before, &crate::common::contents(&path)),
        None
    );
    // With the way clear, it encrypts, and the recovery code is shown.
    std::fs::remove_dir(dir.path().join("yihu.db.encrypting")).expect("clear");
    let out = cli(&path)
        .env("YIHU_PASSPHRASE", "管理员的口令 足够长 2026")
        .args(["encrypt", "--as", &admin])
        .output()
        .expect("encrypt");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let done: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(done["recovery_code"].is_string());
    assert!(!yihu::db::is_plain_sqlite(&path));
}
