//! SCAN stage: Secrets committed in plain text. Only key NAMES are kept: no value of a secret
//! ever enters the layout, so reports and JSON output cannot leak one.

use serde::Serialize;

use super::text::scalar_at;
use crate::files::LineIndex;
use crate::yaml::{Mapping, Node};

/// Where a plaintext secret is written.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SecretSource {
    /// A `kind: Secret` object with `data:` or `stringData:`.
    Manifest,
    /// A kustomize `secretGenerator:` entry with `literals:` or `files:`.
    SecretGenerator,
    /// A Helm values file with a literal password (`password:`, `adminPassword:`).
    HelmValues,
}

/// A Secret whose values are in the repository unencrypted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct PlaintextSecret {
    /// Repository-relative path.
    pub file: String,
    /// 1-based line where the object (or generator entry) starts.
    pub line: usize,
    /// `metadata.name` (or the generator's `name`).
    pub name: Option<String>,
    /// Key names from `data:` then `stringData:` (or generator literals and files), without
    /// repeats. Never values.
    pub keys: Vec<String>,
    /// Manifest or generator.
    pub source: SecretSource,
}

impl PlaintextSecret {
    /// The `gitops-gen seal` command that turns this Secret into a SealedSecret for an
    /// environment (`<env>` left for the reader), with the values where they are: the manifest
    /// on standard input, or the generator's keys to fill in. `None` for passwords in Helm
    /// values, which first need a Secret the chart reads.
    pub(crate) fn seal_command(&self) -> Option<String> {
        let name = self.name.as_deref().unwrap_or("<name>");
        match self.source {
            SecretSource::Manifest => {
                let dir = self.file.rsplit_once('/').map_or(".", |(dir, _)| dir);
                Some(format!(
                    "gitops-gen seal --env <env> --name {name} -o {dir}/{name}-sealed.yaml < {}",
                    self.file
                ))
            }
            SecretSource::SecretGenerator => {
                let values: Vec<String> = self
                    .keys
                    .iter()
                    .map(|key| format!("--from-literal {key}=…"))
                    .collect();
                Some(format!(
                    "gitops-gen seal --env <env> --name {name} {}",
                    values.join(" ")
                ))
            }
            SecretSource::HelmValues => None,
        }
    }
}

/// Whether a document carries SOPS metadata (a top-level `sops:` mapping), which means the
/// values in the file are encrypted.
pub(super) fn has_sops_metadata(root: &Mapping) -> bool {
    root.get("sops").is_some_and(|n| n.as_map().is_some())
}

/// Whether [`from_manifest`] reads the `data` and `stringData` of an object of kind `kind`.
pub(super) fn reads_data(kind: &str) -> bool {
    kind == "Secret"
}

/// A plaintext Secret from a `kind: Secret` document, or `None` when it holds no keys or every
/// value is SOPS ciphertext (`ENC[...]`).
pub(super) fn from_manifest(
    file: &str,
    root: &Mapping,
    src: &str,
    line: usize,
) -> Option<PlaintextSecret> {
    let mut keys: Vec<String> = Vec::new();
    let mut values = 0usize;
    let mut encrypted = 0usize;
    for field in ["data", "stringData"] {
        let Some(map) = root.get(field).and_then(Node::as_map) else {
            continue;
        };
        for (key, value) in map.iter() {
            let Some(name) = key.scalar_text() else {
                continue;
            };
            values += 1;
            if value.as_str().is_some_and(|v| v.starts_with("ENC[")) {
                encrypted += 1;
            }
            if !keys.contains(&name) {
                keys.push(name);
            }
        }
    }
    if keys.is_empty() || encrypted == values {
        return None;
    }
    Some(PlaintextSecret {
        file: file.to_owned(),
        line,
        name: super::text::metadata(root, "name", src),
        keys,
        source: SecretSource::Manifest,
    })
}

/// Plaintext secrets from a kustomization's `secretGenerator:` entries:
///
/// ```yaml
/// secretGenerator:
///   - name: db
///     literals: [password=hunter2]   # key `password`
///     files: [tls.crt, key=tls.key]  # keys `tls.crt`, `key`
/// ```
///
/// `envs:` files are not opened, so their keys are not listed; an entry with only `envs:` is
/// still reported, with no keys.
pub(super) fn from_secret_generator(file: &str, src: &str, docs: &[Node]) -> Vec<PlaintextSecret> {
    let lines = LineIndex::new(src);
    let Some(root) = docs.iter().find_map(Node::as_map) else {
        return Vec::new();
    };
    let Some(items) = root.get("secretGenerator").and_then(Node::as_seq) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let Some(map) = item.as_map() else { continue };
        let mut keys: Vec<String> = Vec::new();
        let mut push = |k: &str| {
            if !k.is_empty() && !keys.iter().any(|x| x == k) {
                keys.push(k.to_owned());
            }
        };
        for literal in map
            .get("literals")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            // `key=value`: keep only what precedes the first `=`.
            if let Some(text) = literal.as_str() {
                push(text.split_once('=').map_or(text, |(k, _)| k).trim());
            }
        }
        for entry in map.get("files").and_then(Node::as_seq).unwrap_or_default() {
            if let Some(text) = entry.as_str() {
                let key = match text.split_once('=') {
                    Some((k, _)) => k,
                    None => text.rsplit('/').next().unwrap_or(text),
                };
                push(key.trim());
            }
        }
        let has_envs = map.get("envs").is_some() || map.get("env").is_some();
        if keys.is_empty() && !has_envs {
            continue;
        }
        out.push(PlaintextSecret {
            file: file.to_owned(),
            line: lines.line_number(item.span.start),
            name: scalar_at(map, "name", src),
            keys,
            source: SecretSource::SecretGenerator,
        });
    }
    out
}

/// Deepest mapping level of a values file searched for passwords.
const MAX_VALUES_DEPTH: usize = 32;

/// The literal passwords of a Helm values file: keys named `password` or ending in `Password`
/// (`postgresql.auth.postgresPassword`) whose value is a non-empty literal, not a template
/// (`{{ }}`), a variable (`${DB_PASSWORD}`) or SOPS ciphertext. Reported like a plaintext
/// Secret, since the chart turns them into one: keys by their dotted path, never values.
pub(super) fn from_helm_values(file: &str, src: &str, docs: &[Node]) -> Option<PlaintextSecret> {
    if docs.iter().filter_map(Node::as_map).any(has_sops_metadata) {
        return None;
    }
    let mut keys: Vec<String> = Vec::new();
    let mut first: Option<usize> = None;
    let mut todo: Vec<(String, &Mapping, usize)> = docs
        .iter()
        .filter_map(Node::as_map)
        .map(|m| (String::new(), m, 0))
        .collect();
    while let Some((prefix, map, depth)) = todo.pop() {
        for (key, value) in map.iter() {
            let Some(name) = key.scalar_text() else {
                continue;
            };
            let path = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}.{name}")
            };
            if let Some(inner) = value.as_map() {
                if depth < MAX_VALUES_DEPTH {
                    todo.push((path, inner, depth + 1));
                }
                continue;
            }
            if is_literal_password(&name, value) && !keys.contains(&path) {
                first = Some(first.map_or(key.span.start, |f| f.min(key.span.start)));
                keys.push(path);
            }
        }
    }
    let at = first?;
    keys.sort();
    Some(PlaintextSecret {
        file: file.to_owned(),
        line: LineIndex::new(src).line_number(at),
        name: None,
        keys,
        source: SecretSource::HelmValues,
    })
}

/// A key named like a password holding a literal value.
fn is_literal_password(key: &str, value: &Node) -> bool {
    if !key.to_ascii_lowercase().ends_with("password") {
        return false;
    }
    if !value.is_scalar() || value.is_null() || value.as_bool().is_some() {
        return false;
    }
    let text = value.scalar_text().unwrap_or_default();
    let text = text.trim();
    !text.is_empty() && !text.contains("{{") && !text.contains("${") && !text.starts_with("ENC[")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(src: &str) -> Mapping {
        let docs = crate::yaml::parse(src).expect("parse");
        docs[0].as_map().expect("map").clone()
    }

    #[test]
    fn keys_without_values() {
        let src = "kind: Secret\nmetadata: {name: db}\ndata: {password: aHVudGVyMg==}\nstringData: {user: admin, password: x}\n";
        let s = from_manifest("s.yaml", &root(src), src, 1).expect("secret");
        assert_eq!(s.keys, ["password", "user"]);
        assert_eq!(s.name.as_deref(), Some("db"));
        let json = serde_json::to_string(&s).expect("json");
        assert!(!json.contains("aHVudGVyMg") && !json.contains("admin"));
    }

    #[test]
    fn helm_values_passwords_by_path_never_values() {
        let src = "\
image: {tag: 1.2.0}
postgresql:
  auth:
    username: shop
    postgresPassword: s3cr3t-pg
    password: \"hunter2\"
    existingSecret: \"\"
redis:
  password: ${REDIS_PASSWORD}
  usePassword: true
admin:
  password: \"\"
  rootPassword: '{{ .Values.x }}'
";
        let docs = crate::yaml::parse(src).expect("parse");
        let found = from_helm_values("chart/values.yaml", src, &docs).expect("passwords");
        assert_eq!(
            found.keys,
            [
                "postgresql.auth.password",
                "postgresql.auth.postgresPassword"
            ]
        );
        assert_eq!(found.line, 5);
        assert_eq!(found.source, SecretSource::HelmValues);
        let json = serde_json::to_string(&found).expect("json");
        assert!(!json.contains("hunter2") && !json.contains("s3cr3t"));
        let clean = "redis:\n  password: ''\n";
        let docs = crate::yaml::parse(clean).expect("parse");
        assert!(from_helm_values("values.yaml", clean, &docs).is_none());
    }

    #[test]
    fn ciphertext_and_empty_secrets_are_not_plaintext() {
        let enc = "kind: Secret\ndata: {a: 'ENC[AES256_GCM,data:xx]'}\n";
        assert!(from_manifest("s.yaml", &root(enc), enc, 1).is_none());
        let empty = "kind: Secret\ntype: kubernetes.io/service-account-token\n";
        assert!(from_manifest("s.yaml", &root(empty), empty, 1).is_none());
        assert!(has_sops_metadata(&root("sops: {version: 3.8.1}\n")));
        assert!(!has_sops_metadata(&root("sops: enabled\n")));
    }

    #[test]
    fn secret_generator_literals_and_files() {
        let src = "\
secretGenerator:
  - name: db
    literals:
      - password=hunter2
      - user=admin
    files: [tls.crt, key=certs/tls.key]
  - name: from-env
    envs: [db.env]
  - name: nothing
";
        let docs = crate::yaml::parse(src).expect("parse");
        let found = from_secret_generator("k/kustomization.yaml", src, &docs);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].keys, ["password", "user", "tls.crt", "key"]);
        assert_eq!(found[0].line, 2);
        assert!(found[1].keys.is_empty());
        let json = serde_json::to_string(&found).expect("json");
        assert!(!json.contains("hunter2") && !json.contains("admin"));
    }
}
