//! The database key and who may unwrap it. The database file is encrypted (SQLCipher) with a
//! random 256-bit key that is never stored as it is: the keyring file beside the database
//! (`yihu.db.keys`) holds it only *wrapped* — once per staff member, under a key derived from
//! their passphrase with Argon2id, and once under the printable recovery code shown at set-up.
//! Signing in is unwrapping: a wrong passphrase fails the AEAD tag, so no password hash is kept
//! anywhere else. Changing a passphrase re-wraps the same key; the database is not rewritten.
//!
//! Each wrapped copy is bound (as AEAD associated data) to its slot — the staff id, or
//! "recovery" — so a slot copied under another person's id does not open. The file holds no
//! case data: staff names (for the sign-in list), salts, nonces and ciphertexts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{OsRng, rand_core::RngCore};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::throttle::Throttle;

mod slot;

pub use slot::{Kdf, Slot, SlotKind};

/// The keyring's file format version.
const FORMAT: u32 = 1;
/// The shortest passphrase accepted.
pub const MIN_PASSPHRASE_CHARS: usize = 8;
/// The least `zxcvbn` score (0–4) a passphrase needs: 3, "safely unguessable" (about 10^10
/// guesses), which at one Argon2id derivation per guess is years of one computer's work.
pub const MIN_STRENGTH: u8 = 3;
/// Argon2id cost for new slots: 64 MiB, 3 passes, 1 lane (RFC 9106's second recommended
/// setting; OWASP's minimum, used until this build, was 19 MiB and 2 passes). Stored per slot,
/// so it can be raised without breaking older slots, which are sealed anew at their next use.
const KDF_M_KIB: u32 = 64 * 1024;
const KDF_T: u32 = 3;
const KDF_P: u32 = 1;
/// Crockford's base-32 alphabet: no I, L, O or U, so a code copied by hand reads back.
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// A recovery code: 30 characters of base 32 (150 bits), shown in groups of five.
const CODE_CHARS: usize = 30;

/// The database key: 32 random bytes, wiped from memory when dropped.
#[derive(Clone)]
pub struct DbKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(…)")
    }
}

impl DbKey {
    /// A new random key from the operating system's generator.
    pub fn random() -> DbKey {
        let mut k = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(k.as_mut());
        DbKey(k)
    }

    /// The value for `PRAGMA key`: a raw key (`x'…'`), so SQLCipher runs no key derivation of
    /// its own on every open — the passphrase was already stretched by Argon2id.
    pub fn pragma_value(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex::encode(self.0.as_ref())))
    }
}

/// Who may sign in, as the sign-in screen lists them (no secrets).
#[derive(Debug, Clone, Serialize, PartialEq, ts_rs::TS, schemars::JsonSchema)]
pub struct SignInName {
    #[ts(type = "string")]
    pub staff_id: Uuid,
    pub name: String,
}

/// The keyring file's content.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Keyring {
    pub format: u32,
    /// A database made by `yihu demo`: every demo staff member's passphrase is the demo one.
    #[serde(default)]
    pub demo: bool,
    pub slots: Vec<Slot>,
    /// Wrong tries, by staff id, `*` (a passphrase tried without saying whose) and `recovery`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub throttle: BTreeMap<String, Throttle>,
    /// A slot was removed (someone deactivated): the database key is to be rotated, so that no
    /// copy of this keyring from before opens the database any more (`account::rotate_key`).
    #[serde(default)]
    pub rotation_due: bool,
    /// The audit trail's head as Yihu last saw it, kept outside the database file: a trail
    /// later found shorter, or different at this row, was cut or swapped
    /// (`audit_chain::anchor_problem`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<Anchor>,
}

/// One link of the audit chain: its sequence number and hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
}

/// The keyring file of the database at `db_path`: `<db file>.keys` beside it.
pub fn path_for(db_path: &Path) -> PathBuf {
    PathBuf::from(format!("{}.keys", db_path.display()))
}

/// Refuse a passphrase that would not hold against guessing: blank or holding characters that
/// show as nothing (`auth.passphrase_invisible`: eight spaces, zero-width spaces), too short,
/// or guessable by the `zxcvbn` estimator (a score below 3 of 4, about 10^10 guesses), with
/// the reason it gives: a common password (`auth.passphrase_common`), a pattern — repeats,
/// sequences, keyboard rows, dates, years (`auth.passphrase_pattern`) — or otherwise too
/// simple (`auth.passphrase_weak`). Names of the program count as known words.
pub fn check_passphrase(passphrase: &str, field: &str) -> ApiResult<()> {
    if passphrase.trim().is_empty()
        || passphrase
            .chars()
            .any(|c| c.is_control() || crate::validate::is_invisible(c))
    {
        return Err(ApiError::at(
            ErrorCode::AuthPassphraseInvisible,
            field,
            "the passphrase is blank or holds characters that show as nothing",
        ));
    }
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(ApiError::at(
            ErrorCode::AuthPassphraseTooShort,
            field,
            format!("the passphrase must have at least {MIN_PASSPHRASE_CHARS} characters"),
        ));
    }
    let estimate = zxcvbn::zxcvbn(passphrase, &["一户一策", "yihuyice"]);
    if u8::from(estimate.score()) >= MIN_STRENGTH {
        return Ok(());
    }
    use zxcvbn::feedback::Warning as W;
    let warning = estimate.feedback().and_then(|f| f.warning());
    let code = match warning {
        Some(
            W::ThisIsATop10Password
            | W::ThisIsATop100Password
            | W::ThisIsACommonPassword
            | W::ThisIsSimilarToACommonlyUsedPassword
            | W::AWordByItselfIsEasyToGuess
            | W::NamesAndSurnamesByThemselvesAreEasyToGuess
            | W::CommonNamesAndSurnamesAreEasyToGuess,
        ) => ErrorCode::AuthPassphraseCommon,
        Some(
            W::StraightRowsOfKeysAreEasyToGuess
            | W::ShortKeyboardPatternsAreEasyToGuess
            | W::RepeatsLikeAaaAreEasyToGuess
            | W::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess
            | W::SequencesLikeAbcAreEasyToGuess
            | W::RecentYearsAreEasyToGuess
            | W::DatesAreOftenEasyToGuess,
        ) => ErrorCode::AuthPassphrasePattern,
        None => ErrorCode::AuthPassphraseWeak,
    };
    Err(ApiError::at(
        code,
        field,
        match warning {
            Some(w) => format!("the passphrase is easy to guess: {w}"),
            None => "the passphrase is easy to guess: use a few words or a sentence".to_string(),
        },
    ))
}

/// A new recovery code, formatted for printing (`XXXXX-XXXXX-…`).
fn new_recovery_code() -> Zeroizing<String> {
    let mut code = Zeroizing::new(String::with_capacity(CODE_CHARS + CODE_CHARS / 5));
    let mut bytes = Zeroizing::new([0u8; CODE_CHARS]);
    OsRng.fill_bytes(bytes.as_mut());
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && i % 5 == 0 {
            code.push('-');
        }
        code.push(CODE_ALPHABET[(*b & 31) as usize] as char);
    }
    code
}

/// A recovery code as typed (any case, with or without dashes and spaces; `O` for zero and
/// `I`/`L` for one forgiven) in the form it was wrapped with.
fn normalise_code(typed: &str) -> Zeroizing<String> {
    Zeroizing::new(
        typed
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            })
            .collect(),
    )
}

fn damaged(what: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        ErrorCode::KeyringDamaged,
        format!("the keyring file is damaged: {what}"),
    )
}

impl Keyring {
    /// A keyring for a new `key` with its recovery slot; returns the recovery code, which is
    /// shown once and never stored.
    pub fn create(key: &DbKey) -> ApiResult<(Keyring, Zeroizing<String>)> {
        let mut ring = Keyring {
            format: FORMAT,
            demo: false,
            slots: Vec::new(),
            throttle: BTreeMap::new(),
            rotation_due: false,
            anchor: None,
        };
        let code = ring.renew_recovery(key)?;
        Ok((ring, code))
    }

    /// Replace the recovery slot with one for a new code; the old code stops working.
    pub fn renew_recovery(&mut self, key: &DbKey) -> ApiResult<Zeroizing<String>> {
        let code = new_recovery_code();
        let slot = Slot::seal(
            key,
            SlotKind::Recovery,
            None,
            None,
            normalise_code(&code).as_bytes(),
            Kdf::fresh(),
        )?;
        self.slots.retain(|s| s.kind != SlotKind::Recovery);
        self.slots.push(slot);
        Ok(code)
    }

    /// Read the keyring of the database at `db_path`; `None` when there is none (a database
    /// that is not encrypted).
    pub fn load(db_path: &Path) -> ApiResult<Option<Keyring>> {
        Keyring::load_file(&path_for(db_path))
    }

    /// Read the keyring file at `path` itself (a copy kept in the backup folder); `None` when
    /// there is no such file.
    pub fn load_file(path: &Path) -> ApiResult<Option<Keyring>> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(ApiError::new(
                    ErrorCode::KeyringIo,
                    format!("cannot read the keyring file: {e}"),
                ));
            }
        };
        let ring: Keyring = serde_json::from_str(&text).map_err(damaged)?;
        if ring.format > FORMAT {
            return Err(ApiError::new(
                ErrorCode::DbTooNew,
                "the keyring was written by a newer version of Yihu; update Yihu to open it",
            ));
        }
        Ok(Some(ring))
    }

    /// Write the keyring beside the database at `db_path`, atomically (a temporary file synced
    /// and renamed over the old one), so a crash leaves the old or the new keyring, never half.
    pub fn save(&self, db_path: &Path) -> ApiResult<()> {
        let path = path_for(db_path);
        write_atomically(&path, &serde_json::to_vec_pretty(self)?)
    }

    /// The staff members who can sign in, by name.
    pub fn names(&self) -> Vec<SignInName> {
        let mut out: Vec<SignInName> = self
            .slots
            .iter()
            .filter_map(|s| match (s.kind, s.staff_id, &s.name) {
                (SlotKind::Staff, Some(id), Some(name)) => Some(SignInName {
                    staff_id: id,
                    name: name.clone(),
                }),
                _ => None,
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name).then(a.staff_id.cmp(&b.staff_id)));
        out
    }

    fn staff_slot(&self, staff_id: Uuid) -> Option<&Slot> {
        self.slots
            .iter()
            .find(|s| s.kind == SlotKind::Staff && s.staff_id == Some(staff_id))
    }

    /// Whether `staff_id` has a passphrase here.
    pub fn has_staff(&self, staff_id: Uuid) -> bool {
        self.staff_slot(staff_id).is_some()
    }

    /// Whether the slot `staff_id` (None: the recovery slot) was sealed with a weaker Argon2id
    /// cost than this build's (it is sealed anew at its next successful use).
    pub fn needs_upgrade(&self, staff_id: Option<Uuid>) -> bool {
        let slot = match staff_id {
            Some(id) => self.staff_slot(id),
            None => self.slots.iter().find(|s| s.kind == SlotKind::Recovery),
        };
        slot.is_some_and(|s| s.kdf.m_kib < KDF_M_KIB || s.kdf.t < KDF_T || !s.is_current())
    }

    /// Seal `staff_id`'s slot anew with `passphrase` (just checked against it) at this build's
    /// Argon2id cost, keeping its name and "must change".
    pub fn reseal_staff(&mut self, key: &DbKey, staff_id: Uuid, passphrase: &str) -> ApiResult<()> {
        let Some(old) = self.staff_slot(staff_id).cloned() else {
            return Ok(());
        };
        let mut slot = Slot::seal(
            key,
            SlotKind::Staff,
            Some(staff_id),
            old.name.clone(),
            passphrase.as_bytes(),
            Kdf::fresh(),
        )?;
        slot.must_change = old.must_change;
        self.put_staff_slot(slot);
        Ok(())
    }

    /// Seal the recovery slot anew with `code` (just checked against it) at this build's cost.
    pub fn reseal_recovery(&mut self, key: &DbKey, code: &str) -> ApiResult<()> {
        let slot = Slot::seal(
            key,
            SlotKind::Recovery,
            None,
            None,
            normalise_code(code).as_bytes(),
            Kdf::fresh(),
        )?;
        self.slots.retain(|s| s.kind != SlotKind::Recovery);
        self.slots.push(slot);
        Ok(())
    }

    /// Whether `staff_id` must choose a new passphrase.
    pub fn must_change(&self, staff_id: Uuid) -> bool {
        self.staff_slot(staff_id).is_some_and(|s| s.must_change)
    }

    /// The database key, with `staff_id`'s passphrase. `auth.no_passphrase` when they have
    /// none here, `auth.wrong_passphrase` when it does not open their slot.
    pub fn unlock_staff(&self, staff_id: Uuid, passphrase: &str) -> ApiResult<DbKey> {
        let slot = self.staff_slot(staff_id).ok_or_else(|| {
            ApiError::at(
                ErrorCode::AuthNoPassphrase,
                "staff_id",
                "this staff member cannot sign in on this computer; an administrator must set their passphrase",
            )
        })?;
        slot.open(passphrase.as_bytes())?.ok_or_else(|| {
            ApiError::at(
                ErrorCode::AuthWrongPassphrase,
                "passphrase",
                "the passphrase is not right",
            )
        })
    }

    /// The database key and whose passphrase opened it, with a passphrase of any staff
    /// member (the CLI without `--as`). Slots sharing a salt (the demo's) derive it once.
    pub fn unlock_any(&self, passphrase: &str) -> ApiResult<(Uuid, DbKey)> {
        let mut derived: Vec<(Kdf, Zeroizing<[u8; 32]>)> = Vec::new();
        for slot in self.slots.iter().filter(|s| s.kind == SlotKind::Staff) {
            let Some(staff_id) = slot.staff_id else {
                continue;
            };
            let kek = match derived.iter().find(|(k, _)| *k == slot.kdf) {
                Some((_, kek)) => kek.clone(),
                None => {
                    let kek = slot.kdf.derive(passphrase.as_bytes())?;
                    derived.push((slot.kdf.clone(), kek.clone()));
                    kek
                }
            };
            if let Some(key) = slot.open_with(&kek)? {
                return Ok((staff_id, key));
            }
        }
        Err(ApiError::at(
            ErrorCode::AuthWrongPassphrase,
            "passphrase",
            "the passphrase is not right",
        ))
    }

    /// The database key, with the recovery code (`auth.wrong_recovery_code` if it is not it).
    pub fn unlock_recovery(&self, code: &str) -> ApiResult<DbKey> {
        let wrong = || {
            ApiError::at(
                ErrorCode::AuthWrongRecoveryCode,
                "recovery_code",
                "the recovery code is not right",
            )
        };
        let slot = self
            .slots
            .iter()
            .find(|s| s.kind == SlotKind::Recovery)
            .ok_or_else(wrong)?;
        slot.open(normalise_code(code).as_bytes())?
            .ok_or_else(wrong)
    }

    /// Give `staff_id` (named `name`) the passphrase `passphrase`, replacing their old one.
    /// With `must_change`, they are asked for a new one at their next sign-in.
    pub fn set_staff(
        &mut self,
        key: &DbKey,
        staff_id: Uuid,
        name: &str,
        passphrase: &str,
        must_change: bool,
    ) -> ApiResult<()> {
        check_passphrase(passphrase, "passphrase")?;
        let mut slot = Slot::seal(
            key,
            SlotKind::Staff,
            Some(staff_id),
            Some(name.to_string()),
            passphrase.as_bytes(),
            Kdf::fresh(),
        )?;
        slot.must_change = must_change;
        self.put_staff_slot(slot);
        Ok(())
    }

    /// Give every `(id, name)` of `staff` the same passphrase with one key derivation (the
    /// demo's accounts: hundreds of them would otherwise take seconds each).
    pub fn set_many(
        &mut self,
        key: &DbKey,
        staff: &[(Uuid, String)],
        passphrase: &str,
    ) -> ApiResult<()> {
        check_passphrase(passphrase, "passphrase")?;
        let kdf = Kdf::fresh();
        let kek = kdf.derive(passphrase.as_bytes())?;
        for (id, name) in staff {
            let slot = Slot::seal_with(
                key,
                SlotKind::Staff,
                Some(*id),
                Some(name.clone()),
                kdf.clone(),
                &kek,
            )?;
            self.put_staff_slot(slot);
        }
        Ok(())
    }

    /// Add a staff slot, replacing that staff member's old one.
    fn put_staff_slot(&mut self, slot: Slot) {
        self.remove_staff_slots(slot.staff_id);
        self.slots.push(slot);
    }

    /// Seal `new` into every slot, each with its public key (no passphrase needed), for a key
    /// rotation. A slot of the first format cannot follow and is removed; returns whose they
    /// were (None: the recovery slot — a new recovery code is then due).
    pub fn rotate(&mut self, new: &DbKey) -> ApiResult<Vec<Option<Uuid>>> {
        let mut dropped = Vec::new();
        for slot in &mut self.slots {
            if !slot.reseal(new)? {
                dropped.push(slot.staff_id);
            }
        }
        self.slots.retain(|s| s.is_current());
        self.rotation_due = false;
        Ok(dropped)
    }

    /// Remove `staff_id`'s slot(s); returns how many there were.
    fn remove_staff_slots(&mut self, staff_id: Option<Uuid>) -> usize {
        let before = self.slots.len();
        self.slots
            .retain(|s| !(s.kind == SlotKind::Staff && s.staff_id == staff_id));
        before - self.slots.len()
    }

    /// Show `staff_id` as `name` on the sign-in screen (after a rename). Returns whether they
    /// have a slot here and its name changed.
    pub fn rename_staff(&mut self, staff_id: Uuid, name: &str) -> bool {
        let mut changed = false;
        for s in self
            .slots
            .iter_mut()
            .filter(|s| s.kind == SlotKind::Staff && s.staff_id == Some(staff_id))
        {
            if s.name.as_deref() != Some(name) {
                s.name = Some(name.to_string());
                changed = true;
            }
        }
        changed
    }

    /// Take away `staff_id`'s passphrase (they can no longer sign in here). Returns whether
    /// they had one.
    /// (A removed slot makes a key rotation due: an older copy of this keyring still holds it.)
    pub fn remove_staff(&mut self, staff_id: Uuid) -> bool {
        let removed = self.remove_staff_slots(Some(staff_id)) > 0;
        if removed {
            self.rotation_due = true;
        }
        removed
    }
}

/// Write `bytes` to `path` through a synced temporary file renamed over it.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> ApiResult<()> {
    use std::io::Write;
    let io = |e: std::io::Error| {
        ApiError::new(
            ErrorCode::KeyringIo,
            format!("cannot write the keyring file: {e}"),
        )
    };
    let tmp = PathBuf::from(format!("{}.tmp", path.display()));
    {
        let mut f = crate::private_file::replace_leftover(&tmp).map_err(io)?;
        f.write_all(bytes).map_err(io)?;
        f.sync_all().map_err(io)?;
    }
    std::fs::rename(&tmp, path).map_err(io)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_staff_slot_opens_with_its_passphrase_only() {
        let key = DbKey::random();
        let (mut ring, code) = Keyring::create(&key).expect("create");
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        ring.set_staff(&key, a, "甲", "correct horse", false)
            .expect("set a");
        let got = ring.unlock_staff(a, "correct horse").expect("opens");
        assert_eq!(got.0.as_ref(), key.0.as_ref());
        assert_eq!(
            ring.unlock_staff(a, "correct horsf").unwrap_err().code,
            "auth.wrong_passphrase"
        );
        assert_eq!(
            ring.unlock_staff(b, "correct horse").unwrap_err().code,
            "auth.no_passphrase"
        );
        // The recovery code opens it too, typed sloppily.
        let sloppy = code.to_lowercase().replace('-', " ");
        let got = ring.unlock_recovery(&sloppy).expect("recovery");
        assert_eq!(got.0.as_ref(), key.0.as_ref());
        assert_eq!(
            ring.unlock_recovery("AAAAA-AAAAA").unwrap_err().code,
            "auth.wrong_recovery_code"
        );
    }

    #[test]
    fn a_slot_relabelled_as_someone_else_does_not_open() {
        let key = DbKey::random();
        let (mut ring, _) = Keyring::create(&key).expect("create");
        let (mine, admin) = (Uuid::now_v7(), Uuid::now_v7());
        ring.set_staff(&key, mine, "我", "my own passphrase", false)
            .expect("set");
        // Copy my slot under the administrator's id, as an insider editing the file would.
        let mut forged = ring.slots.last().expect("slot").clone();
        forged.staff_id = Some(admin);
        ring.slots.push(forged);
        assert_eq!(
            ring.unlock_staff(admin, "my own passphrase")
                .unwrap_err()
                .code,
            "auth.wrong_passphrase"
        );
    }

    #[test]
    fn rewrapping_keeps_the_key_and_drops_the_old_passphrase() {
        let key = DbKey::random();
        let (mut ring, old_code) = Keyring::create(&key).expect("create");
        let a = Uuid::now_v7();
        ring.set_staff(&key, a, "甲", "first passphrase", true)
            .expect("set");
        assert!(ring.must_change(a));
        ring.set_staff(&key, a, "甲", "second passphrase", false)
            .expect("reset");
        assert!(!ring.must_change(a));
        assert_eq!(ring.slots.len(), 2, "one recovery slot and one staff slot");
        assert!(ring.unlock_staff(a, "first passphrase").is_err());
        ring.unlock_staff(a, "second passphrase").expect("new one");
        let new_code = ring.renew_recovery(&key).expect("renew");
        assert!(ring.unlock_recovery(&old_code).is_err());
        ring.unlock_recovery(&new_code).expect("new code");
        assert!(ring.rename_staff(a, "甲乙"));
        assert!(!ring.rename_staff(a, "甲乙"));
        assert_eq!(ring.names()[0].name, "甲乙");
        // The name is not bound to the wrapped key: renaming keeps the passphrase working.
        let (who, _) = ring.unlock_any("second passphrase").expect("any");
        assert_eq!(who, a);
        assert_eq!(
            ring.unlock_any("first passphrase").unwrap_err().code,
            "auth.wrong_passphrase"
        );
        assert!(ring.remove_staff(a));
        assert!(!ring.has_staff(a));
    }

    #[test]
    fn short_passphrases_are_refused_naming_the_field() {
        let key = DbKey::random();
        let (mut ring, _) = Keyring::create(&key).expect("create");
        let e = ring
            .set_staff(&key, Uuid::now_v7(), "甲", "short", false)
            .unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.field.as_deref()),
            ("auth.passphrase_too_short", Some("passphrase"))
        );
    }

    #[test]
    fn recovery_codes_are_long_and_printable() {
        let code = new_recovery_code();
        assert_eq!(code.len(), CODE_CHARS + CODE_CHARS / 5 - 1);
        assert!(
            code.chars()
                .all(|c| c == '-' || CODE_ALPHABET.contains(&(c as u8)))
        );
        assert_ne!(*code, *new_recovery_code());
    }

    #[test]
    fn the_file_round_trips_and_damage_is_named() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("yihu.db");
        assert!(Keyring::load(&db).expect("none").is_none());
        let key = DbKey::random();
        let (mut ring, _) = Keyring::create(&key).expect("create");
        let a = Uuid::now_v7();
        ring.set_staff(&key, a, "甲", "passphrase one", false)
            .expect("set");
        ring.save(&db).expect("save");
        let back = Keyring::load(&db).expect("load").expect("some");
        back.unlock_staff(a, "passphrase one").expect("opens");
        assert_eq!(back.names().len(), 1);
        std::fs::write(path_for(&db), b"{not json").expect("spoil");
        assert_eq!(Keyring::load(&db).unwrap_err().code, "keyring.damaged");
    }
}
