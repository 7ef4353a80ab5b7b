//! The sealing certificate: the PEM the controller prints (`kubeseal --fetch-cert`), an X.509
//! certificate whose key is RSA. Refused: text that is not one PEM certificate, a key that is
//! not RSA or is shorter than 2048 bits, a certificate not yet or no longer valid. The
//! controller renews its key every 30 days by default but keeps the old ones to unseal, so a
//! certificate past its `notAfter` is the only age that matters.

use std::time::SystemTime;

use rsa::RsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use x509_cert::Certificate;
use x509_cert::der::{DecodePem, Encode};

/// The shortest RSA key gitops-gen seals to.
const MIN_BITS: usize = 2048;

/// The RSA key of the PEM certificate `pem`, valid at `now`. Errors are lowercase reasons.
pub(crate) fn sealing_key(pem: &str, now: SystemTime) -> Result<RsaPublicKey, String> {
    let certificate = Certificate::from_pem(pem.trim_start())
        .map_err(|e| format!("is not a PEM X.509 certificate ({e})"))?;
    let validity = &certificate.tbs_certificate.validity;
    if now < validity.not_before.to_system_time() {
        return Err(format!("is not valid before {}", validity.not_before));
    }
    if now > validity.not_after.to_system_time() {
        return Err(format!(
            "expired on {}: fetch the controller's current one (`kubeseal --fetch-cert`)",
            validity.not_after
        ));
    }
    let spki = &certificate.tbs_certificate.subject_public_key_info;
    let der = spki
        .to_der()
        .map_err(|e| format!("has a public key that cannot be read ({e})"))?;
    let key = RsaPublicKey::from_public_key_der(&der).map_err(|_| {
        format!(
            "holds a key of algorithm {}, not RSA, which Sealed Secrets seals to",
            spki.algorithm.oid
        )
    })?;
    let bits = key.n().bits();
    if bits < MIN_BITS {
        return Err(format!(
            "holds a {bits}-bit RSA key; gitops-gen seals to {MIN_BITS} bits or more"
        ));
    }
    Ok(key)
}
