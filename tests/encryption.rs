//! Encryption at rest: after set-up no name or ID number is left readable in the database file
//! or its backups, the data is all there, a wrong passphrase or key fails cleanly, the recovery
//! code opens it, and changing a passphrase re-wraps the key without rewriting the file.

use std::path::{Path, PathBuf};

use serde_json::json;
use uuid::Uuid;
use yihu::keyring::{DbKey, Keyring};
use yihu::vault::{self, FirstPassphrases, Secret};
use yihu::{backup, db};

use crate::common::{App, CHEMEN, cli, contents, contents_keyed, first_difference};

const NAME: &str = "甄可馨";
const PASSPHRASE: &str = "春风十里 spring";

/// A plain database with a member whose name and ID number are known, and a plain backup.
fn plain_case() -> (App, String, String) {
    let mut app = App::new();
    let cw = app.staff("社工甲", "caseworker", CHEMEN);
    let h = app.household(&cw, "high");
    let first17 = "32132419850601002";
    let idn = format!(
        "{first17}{}",
        yihu::idcard::check_char(first17).expect("17 digits")
    );
    app.ok(
        &cw,
        "member.add",
        json!({"household_id": h, "member": {"name": NAME, "relation": "head", "sex": "female",
            "birth_date": "1985-06-01", "id_number": idn, "health_conditions": "乳腺癌术后化疗"}}),
    );
    (app, cw, idn)
}

/// Every file in `dir` (recursively) with its bytes.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push((p.clone(), std::fs::read(&p).expect("read")));
        }
    }
    out
}

/// The files under `dir` holding any of `needles`.
fn holding(dir: &Path, needles: &[&[u8]]) -> Vec<String> {
    files(dir)
        .into_iter()
        .filter(|(_, bytes)| {
            needles
                .iter()
                .any(|n| bytes.windows(n.len()).any(|w| w == *n))
        })
        .map(|(p, _)| p.display().to_string())
        .collect()
}

/// Close `app` and encrypt its database with the administrator's passphrase [`PASSPHRASE`]:
/// (its folder, the database path, the administrator, the key, the recovery code).
/// The SHA-256 of a file's bytes (compared rather than the bytes, to keep failures readable).
fn digest(path: &Path) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(std::fs::read(path).expect("read")).to_vec()
}

fn encrypted(app: App) -> (tempfile::TempDir, PathBuf, Uuid, DbKey, String) {
    let admin = Uuid::parse_str(&app.admin).expect("uuid");
    let App {
        conn, path, _dir, ..
    } = app;
    drop(conn);
    let (key, code) = vault::encrypt_database(
        &path,
        &backup::default_dir(&path),
        FirstPassphrases::One {
            staff_id: admin,
            name: "管理员",
            passphrase: PASSPHRASE,
        },
    )
    .expect("encrypt");
    (_dir, path, admin, key, code.to_string())
}

#[test]
fn no_name_or_id_number_is_left_readable_on_disk_and_nothing_is_lost() {
    let (app, _, idn) = plain_case();
    let dir = app.path.parent().expect("dir").to_path_buf();
    let backups = backup::default_dir(&app.path);
    backup::create(&app.conn, &backups, chrono::Utc::now(), None).expect("plain backup");
    let needles: [&[u8]; 3] = [NAME.as_bytes(), idn.as_bytes(), "乳腺癌".as_bytes()];
    // Before: the plain database and its backup hold them (so the search below can fail).
    let before = contents(&app.path);
    assert!(
        holding(&dir, &needles).len() >= 2,
        "{:?}",
        holding(&dir, &needles)
    );
    let (_dir, path, _, key, code) = encrypted(app);
    assert_eq!(holding(&dir, &needles), Vec::<String>::new());
    assert!(
        holding(&dir, &[b"SQLite format 3"]).is_empty(),
        "a plain SQLite file is left: {:?}",
        holding(&dir, &[b"SQLite format 3"])
    );
    // Every row of every table is there.
    let after = contents_keyed(&path, Some(&key));
    assert_eq!(first_difference(&before, &after), None);
    // The backup was encrypted too, and the keyring copied beside the backups.
    let list = backup::list(&backups).expect("list");
    assert_eq!(list.len(), 1);
    let b = Path::new(&list[0].path);
    assert_eq!(backup::verify(b, Some(&key)).expect("verify").households, 1);
    assert_eq!(
        backup::verify(b, None).unwrap_err().code,
        "backup.not_a_database"
    );
    assert!(backups.join("yihu.db.keys").is_file());
    // The recovery code opens the same key.
    let by_code = vault::unlock(&path, &Secret::RecoveryCode(&code)).expect("recovery");
    assert_eq!(
        first_difference(&after, &contents_keyed(&path, Some(&by_code))),
        None
    );
}

#[test]
fn a_wrong_passphrase_or_key_fails_cleanly_and_changes_nothing() {
    let (app, _, _) = plain_case();
    let (_dir, path, admin, _, _) = encrypted(app);
    let bytes = digest(&path);
    let wrong = vault::unlock(
        &path,
        &Secret::Passphrase {
            staff_id: admin,
            passphrase: "春风十里 sprinG",
        },
    )
    .unwrap_err();
    assert_eq!(
        (wrong.code.as_str(), wrong.field.as_deref()),
        ("auth.wrong_passphrase", Some("passphrase"))
    );
    assert_eq!(
        vault::unlock(&path, &Secret::RecoveryCode("ABCDE-FGHJK"))
            .unwrap_err()
            .code,
        "auth.wrong_recovery_code"
    );
    // Another key, or none, does not open the file and leaves it as it was.
    assert_eq!(
        db::open_keyed(&path, Some(&DbKey::random()))
            .unwrap_err()
            .code,
        "db.wrong_key"
    );
    assert_eq!(db::open(&path).unwrap_err().code, "db.damaged");
    assert!(digest(&path) == bytes, "the database file changed");
    // The right passphrase opens it.
    let right = vault::unlock(
        &path,
        &Secret::Passphrase {
            staff_id: admin,
            passphrase: PASSPHRASE,
        },
    )
    .expect("unlock");
    let conn = db::open_keyed(&path, Some(&right)).expect("open");
    let n: i64 = conn
        .query_row("SELECT count(*) FROM member", [], |r| r.get(0))
        .expect("count");
    assert_eq!(n, 1);
}

#[test]
fn changing_a_passphrase_rewraps_the_key_without_rewriting_the_database() {
    let (app, cw, _) = plain_case();
    let cw = Uuid::parse_str(&cw).expect("uuid");
    let (_dir, path, _, key, _) = encrypted(app);
    // Open it once (switching it to WAL), so the bytes compared below are its settled state.
    drop(db::open_keyed(&path, Some(&key)).expect("open"));
    let db_bytes = digest(&path);
    let mut ring = Keyring::load(&path).expect("load").expect("keyring");
    // The administrator gives the caseworker a first passphrase, who must change it.
    ring.set_staff(&key, cw, "社工甲", "first one given", true)
        .expect("set");
    ring.save(&path).expect("save");
    let ring = Keyring::load(&path).expect("load").expect("keyring");
    assert!(ring.must_change(cw));
    let k = ring.unlock_staff(cw, "first one given").expect("unlock");
    let mut ring = ring;
    ring.set_staff(&k, cw, "社工甲", "my own secret", false)
        .expect("change");
    ring.save(&path).expect("save");
    let ring = Keyring::load(&path).expect("load").expect("keyring");
    assert_eq!(
        ring.unlock_staff(cw, "first one given").unwrap_err().code,
        "auth.wrong_passphrase"
    );
    let k = ring
        .unlock_staff(cw, "my own secret")
        .expect("new passphrase");
    drop(db::open_keyed(&path, Some(&k)).expect("opens with the rewrapped key"));
    // Opening checkpoints nothing new: the file's pages are the same bytes.
    assert!(digest(&path) == db_bytes, "the database file changed");
}

#[test]
fn an_interrupted_setup_is_finished_by_the_next_unlock() {
    let (app, _, _) = plain_case();
    let admin = Uuid::parse_str(&app.admin).expect("uuid");
    let path = app.path.clone();
    let App { conn, _dir, .. } = app;
    drop(conn);
    let before = contents(&path);
    // The keyring was written, then the power failed before the file was encrypted.
    let key = DbKey::random();
    let (mut ring, _) = Keyring::create(&key).expect("ring");
    ring.set_staff(&key, admin, "管理员", PASSPHRASE, false)
        .expect("slot");
    ring.save(&path).expect("save");
    assert!(db::is_plain_sqlite(&path));
    let k = vault::unlock(
        &path,
        &Secret::Passphrase {
            staff_id: admin,
            passphrase: PASSPHRASE,
        },
    )
    .expect("unlock");
    drop(db::open_keyed(&path, Some(&k)).expect("open encrypts"));
    assert!(!db::is_plain_sqlite(&path));
    assert_eq!(
        first_difference(&before, &contents_keyed(&path, Some(&k))),
        None
    );
}

#[test]
fn the_command_line_needs_the_passphrase_of_the_acting_staff_member() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("demo.db");
    let yihu = || cli(&path);
    let out = yihu()
        .args([
            "demo",
            "--households",
            "3",
            "--today",
            "2026-06-15",
            "--encrypt",
        ])
        .output()
        .expect("demo");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let code = summary["recovery_code"].as_str().expect("code").to_string();
    assert_eq!(summary["passphrase"], json!(vault::DEMO_PASSPHRASE));
    let cw = summary["article_staff"]
        .as_array()
        .and_then(|s| s.iter().find(|p| p["role"] == "caseworker"))
        .map(|p| p["id"].as_str().expect("id").to_string())
        .unwrap_or_else(|| panic!("a caseworker in {summary}"));
    assert!(!db::is_plain_sqlite(&path));
    let stderr_code = |o: &std::process::Output| -> String {
        assert!(!o.status.success());
        let e: serde_json::Value = serde_json::from_slice(&o.stderr).expect("json error");
        e["code"].as_str().expect("code").to_string()
    };
    let no_secret = yihu()
        .args(["call", "household.list", "{}", "--as", &cw])
        .output()
        .expect("call");
    assert_eq!(stderr_code(&no_secret), "auth.passphrase_required");
    let wrong = yihu()
        .args(["call", "household.list", "{}", "--as", &cw])
        .env("YIHU_PASSPHRASE", "not the demo one")
        .output()
        .expect("call");
    assert_eq!(stderr_code(&wrong), "auth.wrong_passphrase");
    let ok = yihu()
        .args(["call", "household.list", "{}", "--as", &cw])
        .env("YIHU_PASSPHRASE", vault::DEMO_PASSPHRASE)
        .output()
        .expect("call");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    // Without --as, anyone's passphrase opens the file; commands then run for nobody.
    let anyone = yihu()
        .args(["call", "session.candidates", "{}"])
        .env("YIHU_PASSPHRASE", vault::DEMO_PASSPHRASE)
        .output()
        .expect("call");
    assert!(
        anyone.status.success(),
        "{}",
        String::from_utf8_lossy(&anyone.stderr)
    );
    // An administrator gives the caseworker a passphrase of their own; the old one stops.
    let admin = summary["admin_id"].as_str().expect("admin").to_string();
    let set = yihu()
        .args(["passphrase", "--staff", &cw, "--as", &admin])
        .env("YIHU_PASSPHRASE", vault::DEMO_PASSPHRASE)
        .env("YIHU_NEW_PASSPHRASE", "only the caseworker knows")
        .output()
        .expect("passphrase");
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let old = yihu()
        .args(["call", "household.list", "{}", "--as", &cw])
        .env("YIHU_PASSPHRASE", vault::DEMO_PASSPHRASE)
        .output()
        .expect("call");
    assert_eq!(stderr_code(&old), "auth.wrong_passphrase");
    // The administrator knows it: it opens nothing until the caseworker makes it their own.
    let temporary = yihu()
        .args(["call", "household.list", "{}", "--as", &cw])
        .env("YIHU_PASSPHRASE", "only the caseworker knows")
        .output()
        .expect("call");
    assert_eq!(stderr_code(&temporary), "auth.must_change_passphrase");
    let changed = yihu()
        .args(["passphrase", "--staff", &cw, "--as", &cw])
        .env("YIHU_PASSPHRASE", "only the caseworker knows")
        .env("YIHU_NEW_PASSPHRASE", "now really only the caseworker")
        .output()
        .expect("passphrase");
    assert!(
        changed.status.success(),
        "{}",
        String::from_utf8_lossy(&changed.stderr)
    );
    let new = yihu()
        .args(["call", "household.list", "{}", "--as", &cw])
        .env("YIHU_PASSPHRASE", "now really only the caseworker")
        .output()
        .expect("call");
    assert!(
        new.status.success(),
        "{}",
        String::from_utf8_lossy(&new.stderr)
    );
    // A caseworker cannot give anyone a passphrase.
    let refused = yihu()
        .args(["passphrase", "--staff", &admin, "--as", &cw])
        .env("YIHU_PASSPHRASE", "now really only the caseworker")
        .env("YIHU_NEW_PASSPHRASE", "taking over the admin")
        .output()
        .expect("passphrase");
    assert!(stderr_code(&refused).starts_with("auth."));
    let check = yihu()
        .args(["check"])
        .env("YIHU_RECOVERY_CODE", &code)
        .output()
        .expect("check");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn databases_of_every_earlier_schema_are_encrypted_without_loss() {
    for name in ["schema-1.db", "schema-2.db", "schema-3.db", "schema-4.db"] {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("yihu.db");
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(name),
            &path,
        )
        .expect("copy fixture");
        let before = contents(&path);
        let admin: String = rusqlite::Connection::open(&path)
            .expect("open")
            .query_row(
                "SELECT id FROM staff WHERE role = 'admin' AND active = 1 LIMIT 1",
                [],
                |r| r.get(0),
            )
            .expect("an administrator");
        let (key, _) = vault::encrypt_database(
            &path,
            &backup::default_dir(&path),
            FirstPassphrases::One {
                staff_id: Uuid::parse_str(&admin).expect("uuid"),
                name: "管理员",
                passphrase: PASSPHRASE,
            },
        )
        .expect("encrypt");
        assert!(!db::is_plain_sqlite(&path), "{name}");
        assert_eq!(
            first_difference(&before, &contents_keyed(&path, Some(&key))),
            None,
            "{name}"
        );
        // It then opens (upgraded to this schema) and passes every check.
        let conn = db::open_keyed(&path, Some(&key)).expect("open encrypted");
        let problems = yihu::check::run(&conn).expect("check");
        assert!(problems.is_empty(), "{name}: {problems:?}");
    }
}

/// Deactivating someone through the command line takes their passphrase away at once, as in
/// the desktop app (the keyring follows the core's staff changes, whichever front end made
/// them): their slot leaves the keyring and its backup copy, and the passphrase that opened
/// the file a moment ago is refused. A rename through `yihu batch` renames the sign-in entry.
#[test]
fn deactivating_someone_through_the_command_line_takes_their_passphrase_away() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("demo.db");
    let yihu = |args: &[&str], stdin: Option<&str>| -> std::process::Output {
        let mut c = cli(&path);
        c.env("YIHU_PASSPHRASE", vault::DEMO_PASSPHRASE).args(args);
        let Some(input) = stdin else {
            return c.output().expect("yihu");
        };
        c.stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = c.spawn().expect("yihu");
        if let Some(mut s) = child.stdin.take() {
            use std::io::Write;
            s.write_all(input.as_bytes()).expect("stdin");
        }
        child.wait_with_output().expect("yihu")
    };
    let ok = |o: std::process::Output| -> serde_json::Value {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).unwrap_or(serde_json::Value::Null)
    };
    let summary = ok(yihu(
        &[
            "demo",
            "--households",
            "3",
            "--today",
            "2026-06-15",
            "--encrypt",
        ],
        None,
    ));
    let admin = summary["admin_id"].as_str().expect("admin").to_string();
    let article = summary["article_staff"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let id_of = |role: &str, nth: usize| -> String {
        article
            .iter()
            .filter(|p| p["role"] == role)
            .nth(nth)
            .and_then(|p| p["id"].as_str())
            .unwrap_or_else(|| panic!("a {role} in {summary}"))
            .to_string()
    };
    let (cw, sup) = (id_of("caseworker", 0), id_of("supervisor", 0));
    let slots = |p: &Path| -> Vec<String> {
        Keyring::load(p)
            .expect("keyring")
            .expect("a keyring")
            .names()
            .iter()
            .map(|n| n.staff_id.to_string())
            .collect()
    };
    let backup_db = backup::default_dir(&path).join("demo.db");
    // The caseworker's passphrase opens the file as them.
    ok(yihu(&["call", "household.list", "{}", "--as", &cw], None));
    assert!(slots(&path).contains(&cw));

    let staff_of = |id: &str| -> serde_json::Value {
        let request = json!({ "id": id }).to_string();
        ok(yihu(&["call", "staff.get", &request, "--as", &admin], None))
    };
    let staff = staff_of(&cw);
    let update = json!({"id": cw, "active": false, "staff": {
        "name": staff["name"], "role": staff["role"], "division_code": staff["division_code"],
        "phone": staff["phone"]}});
    ok(yihu(
        &["call", "staff.update", &update.to_string(), "--as", &admin],
        None,
    ));
    assert!(!slots(&path).contains(&cw), "the slot left the keyring");
    // ...and the trail says so, with who did it.
    let key = vault::unlock(
        &path,
        &Secret::Passphrase {
            staff_id: Uuid::parse_str(&admin).expect("uuid"),
            passphrase: vault::DEMO_PASSPHRASE,
        },
    )
    .expect("key");
    let removed: (Option<String>, String) = db::open_keyed(&path, Some(&key))
        .expect("open")
        .query_row(
            "SELECT actor_id, after_json FROM audit WHERE entity_type = 'keyring' AND entity_id = ?1",
            [&cw],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("the slot's removal is in the trail");
    assert_eq!(removed.0.as_deref(), Some(admin.as_str()));
    assert!(removed.1.contains("removed"), "{}", removed.1);
    assert!(
        !slots(&backup_db).contains(&cw),
        "and the keyring's copy in the backup folder"
    );
    let refused = yihu(&["call", "household.list", "{}", "--as", &cw], None);
    assert!(!refused.status.success());
    let e: serde_json::Value = serde_json::from_slice(&refused.stderr).expect("json error");
    assert_eq!(e["code"], "auth.no_passphrase", "{e}");

    // A rename through `yihu batch`: the sign-in list shows the new name.
    let staff = staff_of(&sup);
    let line = json!({"command": "staff.update", "request": {"id": sup, "active": true, "staff": {
        "name": "易名督导", "role": staff["role"], "division_code": staff["division_code"]}}});
    let out = yihu(&["batch", "--as", &admin], Some(&format!("{line}\n")));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let names = Keyring::load(&path)
        .expect("keyring")
        .expect("a keyring")
        .names();
    assert!(
        names
            .iter()
            .any(|n| n.staff_id.to_string() == sup && n.name == "易名督导"),
        "the sign-in list follows the rename"
    );
}
