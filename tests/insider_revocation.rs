//! Insider finding 4: deactivation revokes. Taking someone's slot out of the keyring is not
//! enough — an older copy of the keyring (the backup folder's, one taken off-site) still holds
//! it — so deactivating them rotates the database key: a checked copy under a new key replaces
//! the file, every remaining slot is sealed to the new key with its public half, and the old
//! keyring copy, with the deactivated person's passphrase, now opens nothing. Backups made
//! before keep their old key, and the folder keeps the keyring they open with. A rotation
//! stopped part-way is settled at the next open, whichever half it reached.

use std::path::Path;
use std::process::Output;

use serde_json::{Value, json};
use uuid::Uuid;
use yihu::account::{self, Credential, Purpose};
use yihu::keyring::{self, DbKey, Keyring};
use yihu::{backup, db, vault};

use crate::common::{EncryptedDemo, cli, cli_ok as ok, encrypted_demo};

fn run(d: &EncryptedDemo, args: &[&str]) -> Output {
    cli(&d.path)
        .env("YIHU_PASSPHRASE", vault::DEMO_PASSPHRASE)
        .args(args)
        .output()
        .expect("yihu")
}

/// Deactivate `who` through the command line, as the demo's administrator.
fn deactivate(d: &EncryptedDemo, who: &str) {
    let staff = ok(run(
        d,
        &[
            "call",
            "staff.get",
            &json!({ "id": who }).to_string(),
            "--as",
            &d.admin,
        ],
    ));
    let update = json!({"id": who, "active": false, "staff": {
        "name": staff["name"], "role": staff["role"], "division_code": staff["division_code"]}});
    ok(run(
        d,
        &[
            "call",
            "staff.update",
            &update.to_string(),
            "--as",
            &d.admin,
        ],
    ));
}

fn ring_at(path: &Path) -> Keyring {
    serde_json::from_slice(&std::fs::read(path).expect("keyring")).expect("a keyring")
}

#[test]
fn deactivating_someone_rotates_the_key_so_no_older_keyring_opens_the_file() {
    let d = encrypted_demo();
    let cw: Uuid = d.caseworker.parse().expect("uuid");
    let keys = keyring::path_for(&d.path);
    // What an insider keeps: a copy of the keyring, and a backup made under today's key.
    let old_copy = ring_at(&keys);
    let made = ok(run(&d, &["backup", "--as", &d.admin]));
    let old_backup = made["backup"]["path"].as_str().expect("path").to_string();
    let old_key = old_copy
        .unlock_staff(cw, vault::DEMO_PASSPHRASE)
        .expect("the copy unwraps today's key");
    drop(db::open_keyed(&d.path, Some(&old_key)).expect("which opens the file today"));

    deactivate(&d, &d.caseworker);

    // The old copy still unwraps the old key with the caseworker's passphrase — which no longer
    // opens the database.
    let still_old = old_copy
        .unlock_staff(cw, vault::DEMO_PASSPHRASE)
        .expect("old copy");
    assert_eq!(
        db::open_keyed(&d.path, Some(&still_old))
            .expect_err("the old key is refused")
            .code,
        "db.wrong_key"
    );
    // Neither does anyone else's slot in the old copy (the old key is simply gone).
    let admin_old = old_copy
        .unlock_staff(d.admin.parse().expect("uuid"), vault::DEMO_PASSPHRASE)
        .expect("old copy");
    assert!(db::open_keyed(&d.path, Some(&admin_old)).is_err());
    // Everyone still active opens it with their own passphrase, and the recovery code too.
    ok(run(&d, &["call", "staff.list", "{}", "--as", &d.admin]));
    ok(run(
        &d,
        &["call", "household.list", "{}", "--as", &d.supervisor],
    ));
    let conn = d.open();
    // The trail says who rotated the key and that every slot followed.
    let (actor, after): (Option<String>, String) = conn
        .query_row(
            "SELECT actor_id, after_json FROM audit WHERE command = 'keyring.rotate'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("the rotation is in the trail");
    assert_eq!(actor.as_deref(), Some(d.admin.as_str()));
    let after: Value = serde_json::from_str(&after).expect("json");
    assert_eq!(after["dropped_staff"], json!([]), "{after}");
    assert_eq!(after["recovery_dropped"], json!(false), "{after}");
    drop(conn);
    ok(run(&d, &["audit", "verify"]));
    // The backup folder: its keyring copy follows (without the caseworker); the old copy is
    // kept, renamed, and the backup made before opens with the key it gives.
    let dir = backup::default_dir(&d.path);
    let copy = ring_at(&dir.join("yihu.db.keys"));
    assert!(!copy.has_staff(cw));
    assert!(!copy.rotation_due);
    let kept: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("yihu.db.keys.before-"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    let before = ring_at(&dir.join(&kept[0]));
    let key_then = before
        .unlock_staff(d.admin.parse().expect("uuid"), vault::DEMO_PASSPHRASE)
        .expect("the kept copy");
    backup::verify(Path::new(&old_backup), Some(&key_then)).expect("the old backup opens");
    // Nothing is left beside the database.
    assert!(!db::rekeying_path(&d.path).exists());
    assert!(!Path::new(&format!("{}.next", keys.display())).exists());
}

/// Backups made before a rotation keep the key they were made under: the list says which
/// kept keyring each needs, and a restore takes the administrator's passphrase of that time,
/// opens the kept keyring with it and restores a copy under today's key — so the revoked
/// person's old slot opens the restored database no more than it did before.
#[test]
fn an_old_backup_says_which_keyring_it_needs_and_is_restored_under_todays_key() {
    let d = encrypted_demo();
    let made = ok(run(&d, &["backup", "--as", &d.admin]));
    let old_backup = made["backup"]["path"].as_str().expect("path").to_string();
    let old_name = made["backup"]["name"].as_str().expect("name").to_string();
    deactivate(&d, &d.caseworker);
    // The administrator has a new passphrase since.
    let now = "管理员 换过的 口令 2026 冬";
    ok(cli(&d.path)
        .env("YIHU_PASSPHRASE", vault::DEMO_PASSPHRASE)
        .env("YIHU_NEW_PASSPHRASE", now)
        .args(["passphrase", "--staff", &d.admin, "--as", &d.admin])
        .output()
        .expect("yihu"));

    // Listed (no passphrase needed to see it) with the keyring it needs.
    let listed = ok(cli(&d.path)
        .args(["backup", "--list"])
        .output()
        .expect("yihu"));
    let entry = listed
        .as_array()
        .and_then(|l| l.iter().find(|b| b["name"] == old_name.as_str()))
        .unwrap_or_else(|| panic!("{listed}"))
        .clone();
    let kept = entry["old_keyring"].as_str().expect("marked").to_string();
    assert!(kept.starts_with("yihu.db.keys.before-"), "{entry}");

    let with = |passphrases: &[(&str, &str)], args: &[&str]| {
        let mut c = cli(&d.path);
        for (k, v) in passphrases {
            c.env(k, v);
        }
        c.args(args).output().expect("yihu")
    };
    let check = ["restore", old_backup.as_str(), "--as", d.admin.as_str()];
    // Today's passphrase does not open the kept keyring: the refusal names it.
    let refused = with(&[("YIHU_PASSPHRASE", now)], &check);
    assert_eq!(crate::common::cli_err_code(&refused), "backup.old_key");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains(&kept),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    // With the passphrase of that time it is checked, and restored under today's key.
    let both = [
        ("YIHU_PASSPHRASE", now),
        ("YIHU_OLD_PASSPHRASE", vault::DEMO_PASSPHRASE),
    ];
    let checked = with(&both, &check);
    assert_eq!(crate::common::cli_err_code(&checked), "restore.confirm");
    let shown: Value = serde_json::from_slice(&checked.stdout).expect("json");
    assert_eq!(shown["old_keyring"], json!(kept), "{shown}");
    let mut yes = check.to_vec();
    yes.push("--yes");
    let done = ok(with(&both, &yes));
    assert_eq!(done["old_keyring"], json!(kept), "{done}");
    assert_eq!(done["from"], json!(old_backup), "{done}");

    // Today's keyring opens it (the administrator's passphrase now); the caseworker's slot
    // stays gone though the restored staff table is from before the deactivation.
    ok(with(
        &[("YIHU_PASSPHRASE", now)],
        &["call", "staff.list", "{}", "--as", &d.admin],
    ));
    let cw = with(
        &[("YIHU_PASSPHRASE", vault::DEMO_PASSPHRASE)],
        &["call", "household.list", "{}", "--as", &d.caseworker],
    );
    assert_eq!(crate::common::cli_err_code(&cw), "auth.no_passphrase");
    // The trail of the restored database says which backup, through which kept keyring.
    let conn = d.open();
    let after: String = conn
        .query_row(
            "SELECT after_json FROM audit WHERE command = 'backup.restore' ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("the restore is in the trail");
    let after: Value = serde_json::from_str(&after).expect("json");
    assert_eq!(after["from"], json!(old_name), "{after}");
    assert_eq!(after["old_keyring"], json!(kept), "{after}");
    drop(conn);
    ok(with(&[("YIHU_PASSPHRASE", now)], &["audit", "verify"]));
    // No re-keyed copy is left in the backup folder.
    let dir = backup::default_dir(&d.path);
    assert!(
        std::fs::read_dir(&dir)
            .expect("dir")
            .flatten()
            .all(|e| !e.file_name().to_string_lossy().ends_with(".rekeying"))
    );
}

#[test]
fn a_slot_that_cannot_follow_the_rotation_is_named_in_the_trail() {
    let d = encrypted_demo();
    // The supervisor's slot is of the first format (from an earlier build, never used since).
    let keys = keyring::path_for(&d.path);
    let key = vault::unlock(&d.path, &vault::Secret::RecoveryCode(&d.recovery_code)).expect("key");
    let raw: [u8; 32] = hex::decode(crate::insider_guessing::key_hex(&key))
        .expect("hex")
        .try_into()
        .expect("32");
    let sup: Uuid = d.supervisor.parse().expect("uuid");
    let mut ring: Value = serde_json::from_slice(&std::fs::read(&keys).expect("r")).expect("j");
    for s in ring["slots"].as_array_mut().expect("slots") {
        if s["staff_id"] == json!(sup) {
            *s = crate::insider_guessing::old_cost_slot(&raw, sup, "督导", "旧格式的口令 第一版");
        }
    }
    std::fs::write(&keys, serde_json::to_vec_pretty(&ring).expect("json")).expect("write");
    deactivate(&d, &d.caseworker);
    let after: String = d
        .open()
        .query_row(
            "SELECT after_json FROM audit WHERE command = 'keyring.rotate'",
            [],
            |r| r.get(0),
        )
        .expect("rotation");
    let after: Value = serde_json::from_str(&after).expect("json");
    assert_eq!(after["dropped_staff"], json!([sup]), "{after}");
    assert!(!ring_at(&keys).has_staff(sup), "its slot could not follow");
}

/// Stop a rotation of `d` after its copy is in place but before its keyring is (the `.next`
/// file waiting beside): returns the new key.
fn rotate_half_way(d: &EncryptedDemo, key: &DbKey) -> DbKey {
    let keys = keyring::path_for(&d.path);
    let new = DbKey::random();
    let copy = db::rekeyed_copy(&d.path, key, &new).expect("copy");
    let mut next = ring_at(&keys);
    next.rotate(&new).expect("reseal");
    keyring::write_atomically(
        Path::new(&format!("{}.next", keys.display())),
        &serde_json::to_vec_pretty(&next).expect("json"),
    )
    .expect("pending");
    db::put_in_place(&d.path, &copy).expect("swap");
    new
}

#[test]
fn a_rotation_stopped_part_way_is_settled_at_the_next_open() {
    let admin_opens = |d: &EncryptedDemo| {
        account::open_with(
            &d.path,
            &Credential::Staff {
                staff_id: d.admin.parse().expect("uuid"),
                passphrase: vault::DEMO_PASSPHRASE,
            },
            Purpose::Act,
        )
        .and_then(|k| db::open_keyed(&d.path, Some(&k)).map(|_| ()))
    };
    // Stopped after the swap: the keyring waiting beside goes in.
    let d = encrypted_demo();
    let key = vault::unlock(&d.path, &vault::Secret::RecoveryCode(&d.recovery_code)).expect("k");
    rotate_half_way(&d, &key);
    admin_opens(&d).expect("settled forward");
    assert!(!Path::new(&format!("{}.next", keyring::path_for(&d.path).display())).exists());
    // Stopped before the swap (the copy still beside): both halves go, the old key stays.
    let d = encrypted_demo();
    let key = vault::unlock(&d.path, &vault::Secret::RecoveryCode(&d.recovery_code)).expect("k");
    let keys = keyring::path_for(&d.path);
    let new = DbKey::random();
    let copy = db::rekeyed_copy(&d.path, &key, &new).expect("copy");
    let mut next = ring_at(&keys);
    next.rotate(&new).expect("reseal");
    keyring::write_atomically(
        Path::new(&format!("{}.next", keys.display())),
        &serde_json::to_vec_pretty(&next).expect("json"),
    )
    .expect("pending");
    admin_opens(&d).expect("settled back");
    assert!(!copy.exists());
    assert!(
        db::open_keyed(&d.path, Some(&key)).is_ok(),
        "the old key still opens it"
    );
}
