//! One slot of the keyring: a copy of the database key that one secret opens. A slot holds an
//! X25519 key pair: its secret half is wrapped under a key derived from the passphrase (or the
//! recovery code) with Argon2id, and the database key is sealed to its public half (a sealed
//! box). Opening needs the passphrase; sealing a new database key into the slot — at a key
//! rotation, when someone is deactivated — needs only the public half, so every remaining slot
//! follows the new key without anyone's passphrase. (A slot of the first format, written by
//! earlier builds, wraps the database key itself under the passphrase: it still opens, is
//! sealed anew in the new format at its next use, and cannot follow a rotation.)

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, OsRng, Payload, rand_core::RngCore};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use zeroize::Zeroizing;

use super::{DbKey, KDF_M_KIB, KDF_P, KDF_T};
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;

/// Argon2id parameters and salt of one slot.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Kdf {
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
    /// 16 random bytes, hex.
    pub salt: String,
}

impl Kdf {
    pub(super) fn fresh() -> Kdf {
        let mut salt = [0u8; 16];
        OsRng.fill_bytes(&mut salt);
        Kdf {
            m_kib: KDF_M_KIB,
            t: KDF_T,
            p: KDF_P,
            salt: hex::encode(salt),
        }
    }

    /// The wrapping key for `secret`.
    pub(super) fn derive(&self, secret: &[u8]) -> ApiResult<Zeroizing<[u8; 32]>> {
        let bad = || ApiError::new(ErrorCode::KeyringDamaged, "the keyring file is damaged");
        let salt = hex::decode(&self.salt).map_err(|_| bad())?;
        let params = Params::new(self.m_kib, self.t, self.p, Some(32)).map_err(|_| bad())?;
        let mut out = Zeroizing::new([0u8; 32]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(secret, &salt, out.as_mut())
            .map_err(|_| bad())?;
        Ok(out)
    }
}

/// What a slot opens for.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SlotKind {
    Staff,
    Recovery,
}

/// One wrapped copy of the database key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Slot {
    pub kind: SlotKind,
    /// The staff member (kind `staff`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_id: Option<Uuid>,
    /// Their name as the sign-in screen lists it (kind `staff`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub kdf: Kdf,
    /// 24 random bytes, hex.
    pub nonce: String,
    /// Sealed with XChaCha20-Poly1305 under the key derived from the secret, hex: the slot's
    /// X25519 secret key (or, in a slot of the first format, the database key itself).
    pub wrapped: String,
    /// The slot's X25519 public key, hex (None: a slot of the first format).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public: Option<String>,
    /// The database key sealed to `public` (a sealed box), hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<String>,
    /// The staff member must choose a new passphrase at the next sign-in (set by an
    /// administrator, who then knows it).
    #[serde(default)]
    pub must_change: bool,
    pub updated_at: String,
}

impl Slot {
    fn aad(kind: SlotKind, staff_id: Option<Uuid>, format: u8) -> Vec<u8> {
        match (kind, staff_id) {
            (SlotKind::Staff, Some(id)) => format!("yihu-keyring-{format}:staff:{id}").into_bytes(),
            _ => format!("yihu-keyring-{format}:recovery").into_bytes(),
        }
    }

    /// A slot of the current format whose `secret` (a passphrase or the recovery code, with
    /// `kdf`) opens `key`.
    pub(super) fn seal(
        key: &DbKey,
        kind: SlotKind,
        staff_id: Option<Uuid>,
        name: Option<String>,
        secret: &[u8],
        kdf: Kdf,
    ) -> ApiResult<Slot> {
        let kek = kdf.derive(secret)?;
        Slot::seal_with(key, kind, staff_id, name, kdf, &kek)
    }

    /// [`Slot::seal`] with the wrapping key `kek` already derived from `kdf`.
    pub(super) fn seal_with(
        key: &DbKey,
        kind: SlotKind,
        staff_id: Option<Uuid>,
        name: Option<String>,
        kdf: Kdf,
        kek: &[u8; 32],
    ) -> ApiResult<Slot> {
        let pair = crypto_box::SecretKey::generate(&mut OsRng);
        let secret = Zeroizing::new(pair.to_bytes());
        let mut nonce = [0u8; 24];
        OsRng.fill_bytes(&mut nonce);
        let cipher = XChaCha20Poly1305::new(kek.as_ref().into());
        let wrapped = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: secret.as_ref(),
                    aad: &Slot::aad(kind, staff_id, 2),
                },
            )
            .map_err(|_| ApiError::internal("cannot wrap the slot's key"))?;
        let mut slot = Slot {
            kind,
            staff_id,
            name,
            kdf,
            nonce: hex::encode(nonce),
            wrapped: hex::encode(wrapped),
            public: Some(hex::encode(pair.public_key().as_bytes())),
            sealed: None,
            must_change: false,
            updated_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        };
        slot.reseal(key)?;
        Ok(slot)
    }

    /// Seal `key` into this slot, with its public key only (no passphrase needed): false for a
    /// slot of the first format, which cannot.
    pub(super) fn reseal(&mut self, key: &DbKey) -> ApiResult<bool> {
        let Some(public) = &self.public else {
            return Ok(false);
        };
        let bytes: [u8; 32] = hex::decode(public)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(damaged)?;
        let sealed = crypto_box::PublicKey::from_bytes(bytes)
            .seal(&mut OsRng, key.0.as_ref())
            .map_err(|_| ApiError::internal("cannot seal the database key"))?;
        self.sealed = Some(hex::encode(sealed));
        Ok(true)
    }

    /// Whether this slot is of the current format (it can follow a key rotation).
    pub(super) fn is_current(&self) -> bool {
        self.public.is_some()
    }

    /// The database key, if `secret` is this slot's passphrase or code.
    pub(super) fn open(&self, secret: &[u8]) -> ApiResult<Option<DbKey>> {
        self.open_with(&*self.kdf.derive(secret)?)
    }

    /// The database key, if `kek` (derived from this slot's KDF) unwraps it.
    pub(super) fn open_with(&self, kek: &[u8; 32]) -> ApiResult<Option<DbKey>> {
        let nonce = hex::decode(&self.nonce).map_err(|_| damaged())?;
        let wrapped = hex::decode(&self.wrapped).map_err(|_| damaged())?;
        if nonce.len() != 24 {
            return Err(damaged());
        }
        let format = if self.is_current() { 2 } else { 1 };
        let cipher = XChaCha20Poly1305::new(kek.into());
        let Ok(plain) = cipher.decrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &wrapped,
                aad: &Slot::aad(self.kind, self.staff_id, format),
            },
        ) else {
            return Ok(None);
        };
        let plain = Zeroizing::new(plain);
        let bytes: [u8; 32] = plain.as_slice().try_into().map_err(|_| damaged())?;
        if !self.is_current() {
            return Ok(Some(DbKey(Zeroizing::new(bytes))));
        }
        let secret = crypto_box::SecretKey::from_bytes(bytes);
        let sealed =
            hex::decode(self.sealed.as_deref().ok_or_else(damaged)?).map_err(|_| damaged())?;
        let key = Zeroizing::new(secret.unseal(&sealed).map_err(|_| damaged())?);
        let key: [u8; 32] = key.as_slice().try_into().map_err(|_| damaged())?;
        Ok(Some(DbKey(Zeroizing::new(key))))
    }
}

fn damaged() -> ApiError {
    ApiError::new(ErrorCode::KeyringDamaged, "the keyring file is damaged")
}
