//! What guarding the key costs: one Argon2id derivation at the keyring's cost (each sign-in and
//! each wrong guess pays it, and so does an attacker per guess against a copied keyring), and
//! judging a new passphrase's strength with `zxcvbn`. Run: `cargo bench --bench keyring`.

use std::sync::OnceLock;

use uuid::Uuid;
use yihu::keyring::{DbKey, Keyring, check_passphrase};

fn main() {
    divan::main();
}

const PASS: &str = "春风十里不如你 2026 年";

fn ring() -> &'static Keyring {
    static R: OnceLock<Keyring> = OnceLock::new();
    R.get_or_init(|| {
        let key = DbKey::random();
        let (mut ring, _) = Keyring::create(&key).expect("keyring");
        ring.set_staff(&key, Uuid::nil(), "bench", PASS, false)
            .expect("slot");
        ring
    })
}

/// One sign-in's key derivation and unwrap (64 MiB, 3 passes of Argon2id).
#[divan::bench(sample_count = 10)]
fn unlock_staff() -> DbKey {
    ring().unlock_staff(Uuid::nil(), PASS).expect("unlock")
}

/// A wrong guess costs the same derivation.
#[divan::bench(sample_count = 10)]
fn wrong_guess() -> bool {
    ring()
        .unlock_staff(Uuid::nil(), "not the one at all")
        .is_err()
}

/// Judging a passphrase as it is set.
#[divan::bench]
fn judge_passphrase() -> bool {
    check_passphrase(divan::black_box(PASS), "passphrase").is_ok()
}
