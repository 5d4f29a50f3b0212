//! The shell's `Store`: sessions, the idle lock, passphrases, backups, key rotation — on real
//! database files in temporary folders.
use super::*;
use serde_json::json;
use std::io::Write;
use yihu::progress::Step;

/// A temporary folder removed on drop. (Not the tempfile crate: as a dev-dependency it
/// changes the features of shared dependencies, and the release test build would then
/// rebuild much of Tauri instead of reusing the app's build.)
struct TempDir(PathBuf);

impl TempDir {
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn temp_db() -> (TempDir, PathBuf) {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("yihu-desktop-test-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("yihu.db");
    (TempDir(dir), path)
}

fn open_code(path: &Path) -> String {
    let store = Store::new(path.to_path_buf());
    match store.ensure_open(false) {
        Ok(()) => "ok".into(),
        Err(e) => e.code.as_str().into(),
    }
}

#[test]
fn random_bytes_are_a_damaged_database() {
    let (_dir, path) = temp_db();
    let bytes = pseudo_random_bytes(8192);
    let mut f = std::fs::File::create(&path).expect("create");
    f.write_all(&bytes).expect("write");
    drop(f);
    // Without a keyring, random bytes may be damage or an encrypted file whose keyring is
    // gone: the error says both.
    assert_eq!(open_code(&path), "db.keyring_missing");
    let store = Store::new(path.clone());
    let status = store.status("0.0.0");
    assert_eq!(status.state, OpenState::Error);
    let e = status.error.expect("error");
    assert!(e.message.contains("damaged"), "{e:?}");
    // The file is left as it was.
    assert_eq!(std::fs::metadata(&path).expect("meta").len(), 8192);
}

/// Deterministic "random" bytes that do not start with the SQLite header.
fn pseudo_random_bytes(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn a_file_locked_by_another_program_is_busy_and_opens_after_it_lets_go() {
    let (_dir, path) = temp_db();
    let other = Connection::open(&path).expect("other program opens");
    other
        .execute_batch("CREATE TABLE t(x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1);")
        .expect("exclusive lock");
    let store = Store::new(path.clone());
    let status = store.status("0.0.0");
    assert_eq!(status.state, OpenState::Error);
    assert_eq!(status.error.map(|e| e.code.as_str()), Some("db.busy"));
    // Commands meanwhile run for nobody, without retrying behind the UI.
    let err = store.call("staff.list", &json!({})).unwrap_err();
    assert_eq!(err.code, "auth.signed_out");
    assert_eq!(
        store.checkout().map(|_| ()).unwrap_err().code,
        "app.db_unavailable"
    );
    // The other program finishes; the user presses "try again".
    other.execute_batch("COMMIT").expect("commit");
    drop(other);
    let status = store.retry_open("0.0.0");
    assert_eq!(status.state, OpenState::Ready, "{status:?}");
    assert_eq!(status.auth, AuthStep::Setup);
}

#[test]
fn a_database_from_a_newer_yihu_is_refused_untouched() {
    let (_dir, path) = temp_db();
    let other = Connection::open(&path).expect("open");
    other
        .execute_batch("PRAGMA user_version = 999")
        .expect("set version");
    drop(other);
    assert_eq!(open_code(&path), "db.too_new");
    let check = Connection::open(&path).expect("reopen");
    let v: i64 = check
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(v, 999);
}

#[test]
fn a_folder_that_cannot_be_created_is_an_open_failure() {
    let (dir, _) = temp_db();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, b"x").expect("write");
    // The database's folder would have to be inside a regular file.
    assert_eq!(open_code(&file.join("yihu.db")), "db.open");
}

#[test]
fn non_db_errors_are_reported_as_open_failures() {
    let e = classify_open_error(ApiError::internal("embedded migrations are invalid"));
    assert_eq!(e.code, "db.open");
    let e = classify_open_error(ApiError::new(ErrorCode::DbTooNew, "newer"));
    assert_eq!(e.code, "db.too_new");
}

const PASS: &str = "correct horse battery";

/// A store on a new database set up by its administrator (signed in); returns the
/// administrator's id.
fn set_up(path: &Path) -> (Store, String) {
    let store = Store::new(path.to_path_buf());
    let done = store
        .setup(&json!({"name": "管理员", "division_code": "32"}), PASS)
        .expect("setup");
    let admin = done.staff.expect("signed in").staff.id;
    (store, admin)
}

#[test]
fn first_start_sets_up_an_encrypted_database_and_the_passphrase_signs_in() {
    let (_dir, path) = temp_db();
    let store = Store::new(path.clone());
    assert_eq!(store.status("1.2.3").auth, AuthStep::Setup);
    // The set-up form's division picker works before anyone exists.
    store
        .call("division.get", &json!({"code": "32"}))
        .expect("divisions before sign-in");
    // A short passphrase is refused at its field and nothing is created.
    let e = store
        .setup(&json!({"name": "管理员", "division_code": "32"}), "short")
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("passphrase"));
    assert_eq!(store.status("1.2.3").auth, AuthStep::Setup);
    let done = store
        .setup(&json!({"name": "管理员", "division_code": "32"}), PASS)
        .expect("setup");
    assert_eq!(done.recovery_code.len(), 35);
    let me = done.staff.expect("signed in");
    assert_eq!(me.staff.role, yihu::types::Role::Admin);
    let status = store.status("1.2.3");
    assert_eq!(
        (status.state, status.auth),
        (OpenState::Ready, AuthStep::SignedIn)
    );
    assert!(!db::is_plain_sqlite(&path), "the file is encrypted");
    let list = store.call("staff.list", &json!({})).expect("staff.list");
    assert!(list.to_string().contains(&me.staff.id));
    drop(store);

    // The next start: nobody is signed in and nothing runs until someone does.
    let store = Store::new(path.clone());
    let status = store.status("1.2.3");
    assert_eq!(
        (status.state, status.auth),
        (OpenState::Ready, AuthStep::SignIn)
    );
    assert_eq!(
        store.call("staff.list", &json!({})).unwrap_err().code,
        "auth.signed_out"
    );
    // Reference data that needs nobody is there before sign-in on a new database only:
    // an encrypted one is not open until someone signs in.
    assert_eq!(
        store
            .call("division.get", &json!({"code": "32"}))
            .unwrap_err()
            .code,
        "auth.signed_out"
    );
    let names = store.sign_in_names().expect("names");
    assert_eq!(names.len(), 1);
    let e = store
        .sign_in(&me.staff.id, "correct horse battery!")
        .unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.field.as_deref()),
        ("auth.wrong_passphrase", Some("passphrase"))
    );
    assert_eq!(store.status("1.2.3").auth, AuthStep::SignIn);
    store.sign_in(&me.staff.id, PASS).expect("sign in");
    store.call("staff.list", &json!({})).expect("runs now");
    let e = store.call("no.such", &json!({})).unwrap_err();
    assert_eq!(e.code, "command.unknown");
    // The recovery code lets the administrator choose a new passphrase.
    drop(store);
    let store = Store::new(path);
    store
        .recover(&done.recovery_code, &me.staff.id, "a brand new one")
        .expect("recover");
    store.lock_session();
    assert!(store.sign_in(&me.staff.id, PASS).is_err());
    store
        .sign_in(&me.staff.id, "a brand new one")
        .expect("new passphrase");
}

#[test]
fn the_session_locks_after_the_idle_time_and_forgets_the_person_not_the_key() {
    let (_dir, path) = temp_db();
    let (store, admin) = set_up(&path);
    let idle = lock(&store.inner).idle_lock;
    assert_eq!(idle, Duration::from_secs(15 * 60), "the default lock time");
    // Each command restarts the idle time: just short of it, the session is still live.
    let wait = |d: Duration| lock(&store.inner).clock.ahead += d;
    store.call("staff.list", &json!({})).expect("active");
    wait(idle - Duration::from_secs(1));
    store.call("staff.list", &json!({})).expect("still active");
    wait(idle - Duration::from_secs(1));
    store.call("staff.list", &json!({})).expect("still active");
    // A moment past it, the session is locked.
    wait(idle + Duration::from_secs(1));
    assert_eq!(
        store.call("staff.list", &json!({})).unwrap_err().code,
        "auth.locked"
    );
    // A laptop that slept past the lock time (its monotonic clock stopped) is locked too.
    store.sign_in(&admin, PASS).expect("sign in again");
    store.call("staff.list", &json!({})).expect("active");
    lock(&store.inner).clock.slept += idle + Duration::from_secs(1);
    assert_eq!(
        store.call("staff.list", &json!({})).unwrap_err().code,
        "auth.locked",
        "the wall clock went on while the monotonic one slept"
    );
    let status = store.status("0");
    assert_eq!(status.auth, AuthStep::SignIn);
    assert_eq!(status.locked_staff_id.as_deref(), Some(admin.as_str()));
    // The database stays open (backups go on) while nobody is signed in.
    assert!(store.is_open());
    assert!(
        store
            .auto_backup(chrono::Duration::hours(1))
            .expect("backup")
            .is_some()
    );
    store.sign_in(&admin, PASS).expect("sign in again");
    // The administrator's setting takes effect at once.
    let s = store.call("settings.get", &json!({})).expect("settings");
    let mut s2 = s.clone();
    s2["idle_lock_minutes"] = json!(5);
    store.call("settings.update", &s2).expect("update");
    assert_eq!(lock(&store.inner).idle_lock, Duration::from_secs(300));
    // Touching keeps it alive; locking ends it.
    store.touch().expect("touch");
    store.lock_session();
    assert_eq!(store.touch().unwrap_err().code, "auth.signed_out");
}

#[test]
fn staff_get_passphrases_from_an_administrator_and_must_change_them() {
    let (_dir, path) = temp_db();
    let (store, admin) = set_up(&path);
    let cw = store
        .call(
            "staff.create",
            &json!({"name": "社工", "role": "caseworker", "division_code": "321324203"}),
        )
        .expect("caseworker");
    let cw = cw["id"].as_str().expect("id").to_string();
    store
        .set_passphrase(&cw, "given by the admin")
        .expect("set");
    store.lock_session();
    let me = store.sign_in(&cw, "given by the admin").expect("sign in");
    assert!(me.must_change);
    assert_eq!(
        store.call("household.list", &json!({})).unwrap_err().code,
        "auth.must_change_passphrase"
    );
    let e = store
        .change_passphrase("wrong current", "my own choice")
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("current_passphrase"));
    let e = store
        .change_passphrase("given by the admin", "given by the admin")
        .unwrap_err();
    assert_eq!(e.code, "auth.passphrase_unchanged");
    let me = store
        .change_passphrase("given by the admin", "my own choice")
        .expect("change");
    assert!(!me.must_change);
    store.call("household.list", &json!({})).expect("works now");
    // A caseworker cannot give anyone a passphrase.
    assert!(
        store
            .set_passphrase(&admin, "taking over now")
            .unwrap_err()
            .code
            .as_str()
            .starts_with("auth.")
    );
    // A rename shows on the sign-in screen; deactivating someone takes their passphrase away.
    store.lock_session();
    store.sign_in(&admin, PASS).expect("admin");
    store
        .call(
            "staff.update",
            &json!({"id": cw, "staff": {"name": "社工（改名）", "role": "caseworker", "division_code": "321324203"}, "active": true}),
        )
        .expect("rename");
    let names = store.sign_in_names().expect("names");
    assert!(names.iter().any(|n| n.name == "社工（改名）"), "{names:?}");
    // Pooled connections, opened under today's key, an old copy of the keyring, and a backup
    // made under today's key.
    store.call("staff.list", &json!({})).expect("pool");
    let old_ring = Keyring::load(&path).expect("keyring").expect("a keyring");
    let before = store.backup_now().expect("a backup under the old key");
    let seen = std::sync::Arc::new(Mutex::new(Vec::new()));
    let into = std::sync::Arc::clone(&seen);
    store.report_progress_to(move |p| lock(&into).push(p));
    let cw_id = Uuid::parse_str(&cw).expect("uuid");
    store
        .call(
            "staff.update",
            &json!({"id": cw, "staff": {"name": "社工", "role": "caseworker", "division_code": "321324203"}, "active": false}),
        )
        .expect("deactivate");
    // The key was rotated at once: the app goes on working (its connections under the new
    // key), and the old copy with the caseworker's passphrase opens nothing.
    for _ in 0..6 {
        store.call("staff.list", &json!({})).expect("still working");
    }
    // The window was told how far the rotation came, step by step, ending with Done.
    let steps: Vec<Step> = lock(&seen).iter().map(|p| p.step).collect();
    let mut order = steps.clone();
    order.dedup();
    assert_eq!(
        order,
        [Step::Copying, Step::Checking, Step::Sealing, Step::Done],
        "{steps:?}"
    );
    assert!(
        lock(&seen)
            .iter()
            .all(|p| p.done_bytes <= p.total_bytes && p.total_bytes > 0)
    );
    let old_key = old_ring
        .unlock_staff(cw_id, "my own choice")
        .expect("the old copy unwraps the old key");
    assert_eq!(
        db::open_keyed(&path, Some(&old_key)).unwrap_err().code,
        "db.wrong_key"
    );
    store.lock_session();
    assert_eq!(
        store.sign_in(&cw, "my own choice").unwrap_err().code,
        "auth.no_passphrase"
    );
    store
        .sign_in(&admin, PASS)
        .expect("the administrator signs in with the new keyring");
    store.call("staff.list", &json!({})).expect("and works");

    // The backup from before the rotation keeps its key and says so.
    let marked = |name: &str| {
        store
            .backups()
            .expect("list")
            .backups
            .into_iter()
            .find(|b| b.name == name)
            .map(|b| b.old_keyring)
            .expect("listed")
    };
    let kept = marked(&before.name).expect("the old backup names the keyring it needs");
    assert!(kept.starts_with("yihu.db.keys.before-"), "{kept}");
    // Restoring it asks for the passphrase of that time, and a wrong one does not do.
    for then in [None, Some("not the one")] {
        let e = store.restore(&before.name, then).unwrap_err();
        assert_eq!(e.code, "backup.old_key", "{e:?}");
        assert_eq!(e.field.as_deref(), Some("passphrase"));
    }
    let done = store
        .restore(&before.name, Some(PASS))
        .expect("restored through the kept keyring");
    // The copy of the database taken before the restore is under today's key: not marked.
    let saved = done["saved_before"]["name"]
        .as_str()
        .expect("saved")
        .to_string();
    assert_eq!(marked(&saved), None);
    assert_eq!(marked(&before.name), Some(kept));
    // Restored under today's key: the app works, the old copy of the keyring still opens
    // nothing, and no re-keyed copy is left behind.
    store
        .call("staff.list", &json!({}))
        .expect("works after the restore");
    assert_eq!(
        db::open_keyed(&path, Some(&old_key)).unwrap_err().code,
        "db.wrong_key"
    );
    let leftovers: Vec<String> = std::fs::read_dir(store.backup_dir())
        .expect("backups")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".rekeying"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_database_from_before_encryption_is_encrypted_by_an_administrator() {
    let (_dir, path) = temp_db();
    let (admin, cw) = {
        let mut conn = db::open(&path).expect("plain");
        let ctx = Ctx::system(None);
        let a = api::dispatch(
            &mut conn,
            &ctx,
            "staff.create",
            r#"{"name": "管理员", "role": "admin", "division_code": "32"}"#,
        )
        .expect("admin");
        let a = a["id"].as_str().expect("id").to_string();
        let ctx = Ctx::system(Some(Uuid::parse_str(&a).expect("uuid")));
        let c = api::dispatch(
            &mut conn,
            &ctx,
            "staff.create",
            r#"{"name": "社工", "role": "caseworker", "division_code": "321324203"}"#,
        )
        .expect("cw");
        (a, c["id"].as_str().expect("id").to_string())
    };
    let store = Store::new(path.clone());
    assert_eq!(store.status("0").auth, AuthStep::Encrypt);
    let admins = store.plain_admins().expect("admins");
    assert_eq!(admins.len(), 1);
    let e = store.encrypt_existing(&cw, PASS).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("staff_id"));
    let done = store.encrypt_existing(&admin, PASS).expect("encrypt");
    assert!(!done.recovery_code.is_empty());
    assert!(!db::is_plain_sqlite(&path));
    assert_eq!(store.status("0").auth, AuthStep::SignedIn);
    let list = store.call("staff.list", &json!({})).expect("list");
    assert!(list.to_string().contains(&cw));
}

#[test]
fn demo_loads_once_encrypted_with_the_demo_passphrase() {
    let (_dir, path) = temp_db();
    let store = Store::new(path);
    let today = NaiveDate::from_ymd_opt(2026, 11, 28).expect("date");
    let e = store.load_demo(MAX_DEMO_HOUSEHOLDS + 1, today).unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.field.as_deref()),
        ("request.field.range", Some("households"))
    );
    let done = store.load_demo(5, today).expect("demo");
    let summary = done.demo.expect("summary");
    assert!(
        summary["households"].as_i64().unwrap_or_default() >= 5,
        "{summary}"
    );
    let status = store.status("0");
    assert_eq!((status.auth, status.demo), (AuthStep::SignIn, true));
    let names = store.sign_in_names().expect("names");
    let anyone = names.first().expect("a name");
    store
        .sign_in(&anyone.staff_id.to_string(), yihu::vault::DEMO_PASSPHRASE)
        .expect("demo passphrase");
    let e = store.load_demo(5, today).unwrap_err();
    assert_eq!(e.code, "keyring.exists");
}

#[test]
fn a_ledger_is_exported_only_by_someone_signed_in_and_masked_unless_revealed() {
    let (dir, path) = temp_db();
    let store = Store::new(path);
    let today = chrono::Local::now().date_naive();
    store.load_demo(20, today).expect("demo");
    let request = |reveal: bool| -> LedgerRequest {
        serde_json::from_value(json!({"kind": "ledger", "reveal": reveal})).expect("request")
    };
    let out = dir.path().join("台账.xlsx");
    // Nobody signed in: refused, no file.
    let e = store
        .export_ledger(request(false), out.clone())
        .unwrap_err();
    assert_eq!(e.code, "auth.signed_out");
    assert!(!out.exists());
    // A county supervisor of the demo: their county's households, masked.
    let names = store.sign_in_names().expect("names");
    let supervisor = names
        .iter()
        .find(|n| {
            store
                .call("session.candidates", &json!({}))
                .ok()
                .and_then(|c| {
                    c.as_array().and_then(|a| {
                        a.iter()
                            .find(|s| s["id"] == n.staff_id.to_string())
                            .map(|s| s["role"] == "supervisor" && s["division_code"] == "321324")
                    })
                })
                .unwrap_or(false)
        })
        .expect("the county supervisor");
    store
        .sign_in(
            &supervisor.staff_id.to_string(),
            yihu::vault::DEMO_PASSPHRASE,
        )
        .expect("sign in");
    let written = store
        .export_ledger(request(false), out.clone())
        .expect("export");
    assert!(out.exists());
    assert!(!written.revealed);
    assert!(
        written
            .sheets
            .iter()
            .any(|s| s.name == "成员" && s.rows > 0),
        "{written:?}"
    );
    let revealed = store
        .export_ledger(request(true), dir.path().join("revealed.xlsx"))
        .expect("export");
    assert!(revealed.revealed);
    // Both exports are in the audit trail.
    let trail = store
        .call("audit.list", &json!({"limit": 50}))
        .expect("audit");
    let exports = trail
        .as_array()
        .map(|a| a.iter().filter(|r| r["entity_type"] == "export").count())
        .unwrap_or_default();
    assert_eq!(exports, 2, "{trail}");
}

#[test]
fn overlapping_commands_get_their_own_connections() {
    let (_dir, path) = temp_db();
    let store = Store::new(path);
    let a = store.checkout().expect("first");
    let b = store.checkout().expect("second while the first is out");
    drop((a, b));
    assert_eq!(lock(&store.inner).idle.len(), 2);
}

#[test]
fn backups_for_administrators_automatic_ones_and_a_restore() {
    let (_dir, path) = temp_db();
    let (store, admin) = set_up(&path);
    let cw = store
        .call(
            "staff.create",
            &json!({"name": "社工", "role": "caseworker", "division_code": "321324203"}),
        )
        .expect("caseworker");
    let cw = cw["id"].as_str().expect("id").to_string();
    store.set_passphrase(&cw, "caseworker pass").expect("set");
    // The automatic backup: made once, then not again within the day; encrypted, with the
    // keyring beside it.
    let first = store
        .auto_backup(chrono::Duration::hours(24))
        .expect("auto")
        .expect("made");
    assert!(!db::is_plain_sqlite(Path::new(&first.path)));
    assert!(store.backup_dir().join("yihu.db.keys").is_file());
    assert!(
        store
            .auto_backup(chrono::Duration::hours(24))
            .expect("auto")
            .is_none()
    );
    // Only administrators see, make and restore backups.
    store.lock_session();
    store.sign_in(&cw, "caseworker pass").expect("cw");
    store
        .change_passphrase("caseworker pass", "caseworker own")
        .expect("change");
    for e in [
        store.backups().map(|_| ()).unwrap_err(),
        store.backup_now().map(|_| ()).unwrap_err(),
        store.restore(&first.name, None).map(|_| ()).unwrap_err(),
    ] {
        assert!(e.code.as_str().starts_with("auth."), "{e:?}");
    }
    // Work after the backup, then restore it: the work is gone, the backup's staff remain.
    store
        .call(
            "household.create",
            &json!({"division_code": "321324203", "address": "一组", "causes": ["illness"],
                "referral_source": "self", "priority": "low"}),
        )
        .expect("household");
    store.lock_session();
    assert!(
        store
            .backups()
            .map(|_| ())
            .unwrap_err()
            .code
            .as_str()
            .starts_with("auth.")
    );
    store.sign_in(&admin, PASS).expect("admin");
    let list = store.backups().expect("list");
    assert_eq!(list.backups.len(), 1);
    assert_eq!(list.backups[0].name, first.name);
    let err = store.restore("yihu-nope.db", None).unwrap_err();
    assert_eq!(err.code, "backup.not_found");
    let done = store.restore(&first.name, None).expect("restore");
    assert!(done["saved_before"]["name"].is_string(), "{done}");
    store.lock_session();
    store.sign_in(&cw, "caseworker own").expect("cw again");
    let page = store
        .call("household.list", &json!({}))
        .expect("list after restore");
    assert_eq!(page["total"], json!(0));
    store.lock_session();
    store.sign_in(&admin, PASS).expect("admin");
    // The copy of what was replaced is listed too.
    assert_eq!(store.backups().expect("list").backups.len(), 2);
}
