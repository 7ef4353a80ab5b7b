//! Sealed Secrets' hybrid encryption of one value, as the controller's `HybridEncrypt` does it
//! (pkg/crypto/crypto.go): a fresh 32-byte session key, wrapped with RSA-OAEP (SHA-256 for the
//! hash and for MGF1, the scope label as OAEP label); the value encrypted with AES-256-GCM under
//! that key and an all-zero 12-byte nonce (safe: the key encrypts exactly one message); the
//! output is the wrapped key's length as two big-endian bytes, the wrapped key, then the
//! AES-GCM ciphertext with its 16-byte tag.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use rand::{CryptoRng, RngCore};
use rsa::{Oaep, RsaPublicKey};
use sha2::Sha256;

/// Bytes of the AES-256 session key.
const SESSION_KEY_BYTES: usize = 32;

/// `plaintext` sealed to `key` under the scope `label`. Errors name no part of the plaintext.
pub(crate) fn encrypt<R: RngCore + CryptoRng>(
    rng: &mut R,
    key: &RsaPublicKey,
    plaintext: &[u8],
    label: &str,
) -> Result<Vec<u8>, String> {
    let mut session = [0u8; SESSION_KEY_BYTES];
    rng.fill_bytes(&mut session);
    let sealed = seal_with(rng, key, &session, plaintext, label);
    // The session key leaves memory with the call.
    session.fill(0);
    sealed
}

fn seal_with<R: RngCore + CryptoRng>(
    rng: &mut R,
    key: &RsaPublicKey,
    session: &[u8; SESSION_KEY_BYTES],
    plaintext: &[u8],
    label: &str,
) -> Result<Vec<u8>, String> {
    let wrapped = key
        .encrypt(rng, Oaep::new_with_label::<Sha256, _>(label), session)
        .map_err(|e| format!("RSA-OAEP failed: {e}"))?;
    let length = u16::try_from(wrapped.len())
        .map_err(|_| "the RSA key is too large for Sealed Secrets' format".to_owned())?;
    let cipher = Aes256Gcm::new_from_slice(session).map_err(|e| format!("AES-GCM: {e}"))?;
    let body = cipher
        .encrypt(Nonce::from_slice(&[0u8; 12]), plaintext)
        .map_err(|_| "AES-GCM failed".to_owned())?;
    let mut out = Vec::with_capacity(2 + wrapped.len() + body.len());
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(&wrapped);
    out.extend_from_slice(&body);
    Ok(out)
}

/// The inverse, as the controller's `HybridDecrypt` does it: for the tests' round trips.
#[cfg(test)]
pub(crate) fn decrypt(
    key: &rsa::RsaPrivateKey,
    ciphertext: &[u8],
    label: &str,
) -> Result<Vec<u8>, String> {
    let (length, rest) = ciphertext.split_at_checked(2).ok_or("too short")?;
    let length = usize::from(u16::from_be_bytes([length[0], length[1]]));
    let (wrapped, body) = rest.split_at_checked(length).ok_or("too short")?;
    let session = key
        .decrypt(Oaep::new_with_label::<Sha256, _>(label), wrapped)
        .map_err(|e| e.to_string())?;
    let cipher = Aes256Gcm::new_from_slice(&session).map_err(|e| e.to_string())?;
    cipher
        .decrypt(Nonce::from_slice(&[0u8; 12]), body)
        .map_err(|_| "AES-GCM tag mismatch".to_owned())
}
