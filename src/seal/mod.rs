//! SEAL: `gitops-gen seal` writes a SealedSecret (`bitnami.com/v1alpha1`) that only the
//! environment's Sealed Secrets controller can turn back into the Secret, offline, from the
//! controller's certificate. Decisions, each checked against the sealed-secrets source
//! (pkg/crypto/crypto.go, pkg/apis/sealedsecrets/v1alpha1/sealedsecret_expansion.go):
//!
//! - Each value is sealed on its own into `spec.encryptedData.<key>` (standard base64 of
//!   [`hybrid::encrypt`]'s output), so one key can be resealed without the others.
//! - The scope is the OAEP label: `strict` (the default) `<namespace>/<name>`, `namespace-wide`
//!   `<namespace>`, `cluster-wide` empty. The controller reads the scope from the SealedSecret's
//!   own annotations `sealedsecrets.bitnami.com/namespace-wide` / `cluster-wide: "true"`, so a
//!   wider scope is annotated there, and on the template as `kubeseal` does.
//! - The template carries the Secret's name, namespace, labels, annotations (without the
//!   `last-applied-configuration` copies, which hold the plaintext), `type` and `immutable`.
//! - The plaintext is never printed or written: messages name keys, files and lines only.
//! - The certificate is the one the controller prints ([`certificate::sealing_key`]); an
//!   expired or non-RSA one is refused.

mod certificate;
mod hybrid;
mod secret;

use std::fmt::Write as _;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rsa::RsaPublicKey;

pub(crate) use certificate::sealing_key;
pub(crate) use secret::{PlainSecret, from_manifest};

use crate::yaml::scalar::string as yaml_string;

/// Where a SealedSecret may be unsealed.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Under its name, in its namespace only.
    Strict,
    /// Under any name, in its namespace.
    NamespaceWide,
    /// Anywhere in the cluster.
    ClusterWide,
}

impl Scope {
    /// The scope as `kubeseal --scope` spells it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Scope::Strict => "strict",
            Scope::NamespaceWide => "namespace-wide",
            Scope::ClusterWide => "cluster-wide",
        }
    }

    /// The OAEP label that binds a value to this scope.
    fn label(self, namespace: &str, name: &str) -> String {
        match self {
            Scope::Strict => format!("{namespace}/{name}"),
            Scope::NamespaceWide => namespace.to_owned(),
            Scope::ClusterWide => String::new(),
        }
    }

    /// The annotation that tells the controller the scope, for the wider ones.
    fn annotation(self) -> Option<&'static str> {
        match self {
            Scope::Strict => None,
            Scope::NamespaceWide => Some("sealedsecrets.bitnami.com/namespace-wide"),
            Scope::ClusterWide => Some("sealedsecrets.bitnami.com/cluster-wide"),
        }
    }
}

/// Where a sealed Secret goes.
pub(crate) struct Target<'a> {
    pub(crate) name: &'a str,
    pub(crate) namespace: &'a str,
    pub(crate) scope: Scope,
    /// The first line's comment, e.g. which environment's certificate sealed it.
    pub(crate) comment: &'a str,
}

/// The SealedSecret of `secret` for `target`, sealed to `key`, as YAML text.
pub(crate) fn seal(
    secret: &PlainSecret,
    target: &Target<'_>,
    key: &RsaPublicKey,
) -> Result<String, String> {
    if secret.is_empty() {
        return Err("no value to seal: the Secret has no `data` or `stringData`".to_owned());
    }
    let label = target.scope.label(target.namespace, target.name);
    let mut rng = rand::rngs::OsRng;
    let mut sealed = Vec::new();
    for (name, value) in secret.values() {
        let ciphertext = hybrid::encrypt(&mut rng, key, value, &label)
            .map_err(|why| format!("cannot seal key `{name}`: {why}"))?;
        sealed.push((name, STANDARD.encode(ciphertext)));
    }
    let mut annotations = secret.annotations.clone();
    let scope_annotation = target.scope.annotation();
    if let Some(annotation) = scope_annotation {
        annotations.insert(annotation.to_owned(), "true".to_owned());
    }
    let mut out = String::new();
    let name = yaml_string(target.name);
    let namespace = yaml_string(target.namespace);
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        "# {}\napiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: {name}\n  namespace: {namespace}\n",
        target.comment.replace('\n', " ")
    );
    if let Some(annotation) = scope_annotation {
        let _ = write!(out, "  annotations:\n    {annotation}: \"true\"\n");
    }
    out.push_str("spec:\n  encryptedData:\n");
    for (key, value) in &sealed {
        let _ = writeln!(out, "    {}: {}", yaml_string(key), yaml_string(value));
    }
    let _ = write!(
        out,
        "  template:\n    metadata:\n      name: {name}\n      namespace: {namespace}\n"
    );
    for (field, map) in [("labels", &secret.labels), ("annotations", &annotations)] {
        if map.is_empty() {
            continue;
        }
        let _ = writeln!(out, "      {field}:");
        for (key, value) in map {
            let _ = writeln!(out, "        {}: {}", yaml_string(key), yaml_string(value));
        }
    }
    if let Some(kind) = &secret.kind {
        let _ = writeln!(out, "    type: {}", yaml_string(kind));
    }
    if let Some(immutable) = secret.immutable {
        let _ = writeln!(out, "    immutable: {immutable}");
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
