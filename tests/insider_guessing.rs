//! Insider finding 6: the keyring must be hard to guess. Database, keyring, backups and their
//! companions are created owner-only (0600) and an older readable file is brought down to it;
//! `12345678`, `password`, eight spaces and eight zero-width spaces are refused as passphrases,
//! each with the reason; new slots cost 64 MiB and 3 passes of Argon2id and an older, cheaper
//! slot is sealed anew at its owner's next sign-in; wrong passphrases slow down, per person,
//! and the count survives a restart (it is in the keyring file).

use std::path::Path;
use std::process::Output;

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde_json::{Value, json};
use uuid::Uuid;
use yihu::account::{self, Credential, Purpose};
use yihu::keyring::Keyring;
use yihu::vault;

use crate::common::{cli, cli_err_code as err_code, cli_ok as ok, encrypted_demo};

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).expect("meta").permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn the_database_its_companions_keyring_and_backups_are_owner_only() {
    let d = encrypted_demo();
    ok(cli(&d.path)
        .env("YIHU_PASSPHRASE", vault::DEMO_PASSPHRASE)
        .args(["backup", "--as", &d.admin])
        .output()
        .expect("backup"));
    let backups = yihu::backup::default_dir(&d.path);
    let mut files = vec![d.path.clone(), yihu::keyring::path_for(&d.path)];
    for e in std::fs::read_dir(&backups).expect("backups").flatten() {
        files.push(e.path());
    }
    assert!(files.len() >= 4, "{files:?}");
    for f in &files {
        assert_eq!(mode(f), 0o600, "{}", f.display());
    }
    // An older database left readable by everyone is brought down at its next open, with the
    // files SQLite keeps beside it.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&d.path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let conn = d.open();
    conn.execute_batch("PRAGMA user_version").expect("read");
    assert_eq!(mode(&d.path), 0o600);
    for side in yihu::private_file::companions(&d.path) {
        if side.exists() {
            assert_eq!(mode(&side), 0o600, "{}", side.display());
        }
    }
}

#[test]
fn guessable_passphrases_are_refused_with_the_reason() {
    let d = encrypted_demo();
    let set = |new: &str| -> Output {
        cli(&d.path)
            .env("YIHU_PASSPHRASE", vault::DEMO_PASSPHRASE)
            .env("YIHU_NEW_PASSPHRASE", new)
            .args(["passphrase", "--staff", &d.caseworker, "--as", &d.admin])
            .output()
            .expect("passphrase")
    };
    for (weak, code) in [
        ("12345678", "auth.passphrase_common"),
        ("password", "auth.passphrase_common"),
        ("Password1", "auth.passphrase_common"),
        ("qwertyuiop", "auth.passphrase_common"),
        ("abcdefghijklmn", "auth.passphrase_pattern"),
        ("aaaaaaaaaaaa", "auth.passphrase_pattern"),
        ("        ", "auth.passphrase_invisible"),
        (
            "\u{200b}\u{200b}\u{200b}\u{200b}\u{200b}\u{200b}\u{200b}\u{200b}",
            "auth.passphrase_invisible",
        ),
        ("春风\u{200b}十里 spring 2026", "auth.passphrase_invisible"),
        ("short", "auth.passphrase_too_short"),
    ] {
        assert_eq!(err_code(&set(weak)), code, "{weak:?}");
    }
    assert!(
        account::open_with(
            &d.path,
            &Credential::Staff {
                staff_id: d.caseworker.parse().expect("uuid"),
                passphrase: vault::DEMO_PASSPHRASE
            },
            Purpose::Act
        )
        .is_ok(),
        "the caseworker's passphrase is unchanged"
    );
    // A sentence of a few words (in Chinese too) is accepted.
    ok(set("春风十里不如你 2026 年"));
}

/// A staff slot sealed the way earlier builds did (the first format; Argon2id 19 MiB, 2 passes), written
/// from the keyring format itself: `yihu-keyring-1:staff:<id>` as associated data.
pub fn old_cost_slot(key: &[u8; 32], staff_id: Uuid, name: &str, passphrase: &str) -> Value {
    let salt = [7u8; 16];
    let mut kek = [0u8; 32];
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, Some(32)).expect("params"),
    )
    .hash_password_into(passphrase.as_bytes(), &salt, &mut kek)
    .expect("argon2");
    let nonce = [9u8; 24];
    let wrapped = XChaCha20Poly1305::new((&kek).into())
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: key,
                aad: format!("yihu-keyring-1:staff:{staff_id}").as_bytes(),
            },
        )
        .expect("seal");
    json!({"kind": "staff", "staff_id": staff_id, "name": name,
        "kdf": {"m_kib": 19 * 1024, "t": 2, "p": 1, "salt": hex::encode(salt)},
        "nonce": hex::encode(nonce), "wrapped": hex::encode(wrapped),
        "must_change": false, "updated_at": "2025-06-01T00:00:00Z"})
}

#[test]
fn new_slots_cost_64_mib_and_3_passes_and_an_old_one_is_sealed_anew_at_sign_in() {
    let d = encrypted_demo();
    let ring: Value = serde_json::from_str(
        &std::fs::read_to_string(yihu::keyring::path_for(&d.path)).expect("keyring"),
    )
    .expect("json");
    for slot in ring["slots"].as_array().expect("slots") {
        assert!(slot["kdf"]["m_kib"].as_u64() >= Some(64 * 1024), "{slot}");
        assert!(slot["kdf"]["t"].as_u64() >= Some(3), "{slot}");
    }
    // Put the administrator's slot back to the old cost, as an older keyring has it.
    let admin: Uuid = d.admin.parse().expect("uuid");
    let key = vault::unlock(&d.path, &vault::Secret::RecoveryCode(&d.recovery_code)).expect("key");
    let raw: [u8; 32] = hex::decode(key_hex(&key))
        .expect("hex")
        .try_into()
        .expect("32");
    let old_pass = "旧版本时设的口令 old cost";
    let mut ring = ring;
    let slots = ring["slots"].as_array_mut().expect("slots");
    for s in slots.iter_mut() {
        if s["staff_id"] == json!(admin) {
            *s = old_cost_slot(&raw, admin, "管理员", old_pass);
        }
    }
    std::fs::write(
        yihu::keyring::path_for(&d.path),
        serde_json::to_vec_pretty(&ring).expect("json"),
    )
    .expect("write");
    let cost = |p: &Path| -> (u64, u64) {
        let r: Value =
            serde_json::from_str(&std::fs::read_to_string(yihu::keyring::path_for(p)).expect("r"))
                .expect("json");
        let s = r["slots"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["staff_id"] == json!(admin)).cloned())
            .expect("admin slot");
        (
            s["kdf"]["m_kib"].as_u64().unwrap_or(0),
            s["kdf"]["t"].as_u64().unwrap_or(0),
        )
    };
    assert_eq!(cost(&d.path), (19 * 1024, 2));
    // The old slot still opens, and opening it seals it anew at today's cost.
    ok(cli(&d.path)
        .env("YIHU_PASSPHRASE", old_pass)
        .args(["call", "staff.list", "{}", "--as", &d.admin])
        .output()
        .expect("call"));
    assert_eq!(cost(&d.path), (64 * 1024, 3));
    ok(cli(&d.path)
        .env("YIHU_PASSPHRASE", old_pass)
        .args(["call", "staff.list", "{}", "--as", &d.admin])
        .output()
        .expect("call"));
}

/// The database key as hex, read back the way SQLCipher is given it (`x'…'`).
pub fn key_hex(key: &yihu::keyring::DbKey) -> String {
    key.pragma_value()
        .trim_start_matches("x'")
        .trim_end_matches('\'')
        .to_string()
}

#[test]
fn wrong_passphrases_slow_down_per_person_and_the_count_survives_a_restart() {
    let d = encrypted_demo();
    let cw: Uuid = d.caseworker.parse().expect("uuid");
    let t0 = chrono::Utc::now();
    let try_at = |passphrase: &str, secs: i64| {
        account::open_with_at(
            &d.path,
            &Credential::Staff {
                staff_id: cw,
                passphrase,
            },
            Purpose::Act,
            t0 + chrono::Duration::seconds(secs),
        )
    };
    for _ in 0..yihu::throttle::FREE_TRIES {
        assert_eq!(
            try_at("not it at all", 0).expect_err("wrong").code,
            "auth.wrong_passphrase"
        );
    }
    // Now even the right one waits, without being tried.
    let e = try_at(vault::DEMO_PASSPHRASE, 0).expect_err("throttled");
    assert_eq!(e.code, "auth.throttled");
    assert_eq!(e.field.as_deref(), Some("passphrase"));
    // The count is in the keyring file: a new process (the CLI) sees it.
    let ring = Keyring::load(&d.path).expect("load").expect("ring");
    assert_eq!(
        ring.throttle[&cw.to_string()].failures,
        yihu::throttle::FREE_TRIES
    );
    // Someone else is not slowed by the caseworker's wrong tries.
    account::open_with_at(
        &d.path,
        &Credential::Staff {
            staff_id: d.supervisor.parse().expect("uuid"),
            passphrase: vault::DEMO_PASSPHRASE,
        },
        Purpose::Act,
        t0,
    )
    .expect("the supervisor signs in");
    // After the wait, the right passphrase opens and clears the count.
    try_at(vault::DEMO_PASSPHRASE, 1).expect("after a second");
    let ring = Keyring::load(&d.path).expect("load").expect("ring");
    assert!(!ring.throttle.contains_key(&cw.to_string()));
    // Guesses, each as soon as it is allowed: every wrong try doubles the wait.
    let mut last = 0;
    for i in 0..10 {
        last = 10 + 1000 * i;
        assert_eq!(
            try_at("guess", last).expect_err("wrong").code,
            "auth.wrong_passphrase"
        );
    }
    let wait = Keyring::load(&d.path)
        .expect("load")
        .expect("ring")
        .throttle[&cw.to_string()]
        .wait(t0 + chrono::Duration::seconds(last))
        .map(|w| w.num_seconds())
        .unwrap_or(0);
    assert_eq!(wait, 128, "ten wrong tries in a row wait two minutes");
    // And the command line, a new process, is held back too (the wait is minutes long).
    let out = cli(&d.path)
        .env("YIHU_PASSPHRASE", vault::DEMO_PASSPHRASE)
        .args(["call", "household.list", "{}", "--as", &d.caseworker])
        .output()
        .expect("call");
    assert_eq!(err_code(&out), "auth.throttled");
}
