//! What `seal` seals: a Secret manifest (the `kubectl create secret … --dry-run=client -o yaml`
//! kind), values given one by one, or both. Only keys, names and line numbers ever reach an
//! error message; the values are zeroed when the secret is dropped.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::files::line_index::LineIndex;
use crate::yaml::{self, Mapping, Node};

/// Annotations `kubectl apply` and kubecfg keep a whole copy of the object in, the plaintext
/// included; sealing must not carry them into Git (Sealed Secrets' own `kubeseal` drops them).
const PLAINTEXT_COPIES: [&str; 2] = [
    "kubectl.kubernetes.io/last-applied-configuration",
    "kubecfg.ksonnet.io/last-applied-configuration",
];

/// A Secret before sealing.
#[derive(Default)]
pub(crate) struct PlainSecret {
    pub(crate) name: Option<String>,
    pub(crate) namespace: Option<String>,
    /// `type`, e.g. `kubernetes.io/dockerconfigjson`; `None` is Kubernetes' `Opaque`.
    pub(crate) kind: Option<String>,
    pub(crate) immutable: Option<bool>,
    pub(crate) labels: BTreeMap<String, String>,
    pub(crate) annotations: BTreeMap<String, String>,
    /// Key → value, the only secret part.
    values: BTreeMap<String, Vec<u8>>,
    /// What was dropped on the way, to tell the user.
    pub(crate) dropped: Vec<String>,
}

impl Drop for PlainSecret {
    fn drop(&mut self) {
        for value in self.values.values_mut() {
            value.fill(0);
        }
    }
}

impl PlainSecret {
    /// The values, by key.
    pub(crate) fn values(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// Adds `key` (from `origin`, for messages); a key may come once, and must be what
    /// Kubernetes allows in a Secret (`[-._a-zA-Z0-9]+`).
    pub(crate) fn add(&mut self, key: &str, value: Vec<u8>, origin: &str) -> Result<(), String> {
        let valid = !key.is_empty()
            && key.len() <= 253
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
        if !valid {
            return Err(format!(
                "{origin}: `{key}` is not a Secret key (letters, digits, `-`, `.`, `_`)"
            ));
        }
        if self.values.contains_key(key) {
            return Err(format!("{origin}: key `{key}` is given twice"));
        }
        self.values.insert(key.to_owned(), value);
        Ok(())
    }

    /// Whether no value was given.
    pub(crate) fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// The Secret in `text`, a YAML manifest: its one `kind: Secret` document, or with `name`, the
/// one of that name (other documents are not sealed, and not read further).
pub(crate) fn from_manifest(
    text: &str,
    origin: &str,
    name: Option<&str>,
) -> Result<PlainSecret, String> {
    let lines = LineIndex::new(text);
    let at = |node: &Node| format!("{origin}:{}", lines.line_number(node.span.start));
    // The parser's message may quote a value (`"…" is not a valid integer`): only the line.
    let documents = yaml::parse(text).map_err(|e| {
        format!(
            "{origin}:{}: not valid YAML here",
            lines.line_number(e.span.start)
        )
    })?;
    let name_of = |top: &Mapping| {
        top.get("metadata")
            .and_then(Node::as_map)
            .and_then(|m| m.get("name"))
            .and_then(Node::as_str)
            .map(str::to_owned)
    };
    let secrets: Vec<&Mapping> = documents
        .iter()
        .filter_map(Node::as_map)
        .filter(|top| top.get("kind").and_then(Node::as_str) == Some("Secret"))
        .filter(|top| name.is_none() || name_of(top).as_deref() == name)
        .collect();
    let top = match (secrets.as_slice(), name) {
        ([one], _) => *one,
        ([], None) => return Err(format!("{origin}: holds no `kind: Secret` document")),
        ([], Some(name)) => return Err(format!("{origin}: holds no Secret named `{name}`")),
        (many, None) => {
            let names: Vec<String> = many.iter().filter_map(|top| name_of(top)).collect();
            return Err(format!(
                "{origin}: holds {} Secrets ({}); choose one with --name",
                many.len(),
                names.join(", ")
            ));
        }
        (_, Some(name)) => return Err(format!("{origin}: holds several Secrets named `{name}`")),
    };
    let mut secret = PlainSecret::default();
    let metadata = top.get("metadata").and_then(Node::as_map);
    let text_of = |key: &str| {
        metadata
            .and_then(|m| m.get(key))
            .and_then(Node::as_str)
            .map(str::to_owned)
    };
    secret.name = text_of("name");
    secret.namespace = text_of("namespace");
    secret.kind = top.get("type").and_then(Node::as_str).map(str::to_owned);
    secret.immutable = top.get("immutable").and_then(Node::as_bool);
    if let Some(metadata) = metadata {
        secret.labels = strings(metadata.get("labels"), &at)?;
        secret.annotations = strings(metadata.get("annotations"), &at)?;
    }
    for copy in PLAINTEXT_COPIES {
        if secret.annotations.remove(copy).is_some() {
            secret.dropped.push(format!(
                "annotation `{copy}`, which holds a copy of the plaintext"
            ));
        }
    }
    for (key, value) in entries(top.get("data"), &at)? {
        let encoded = value
            .as_str()
            .ok_or_else(|| format!("{}: `data.{key}` is not a string", at(value)))?;
        let decoded = STANDARD
            .decode(encoded.trim())
            .map_err(|_| format!("{}: `data.{key}` is not base64", at(value)))?;
        secret.add(&key, decoded, &at(value))?;
    }
    for (key, value) in entries(top.get("stringData"), &at)? {
        let plain = value
            .scalar_text()
            .ok_or_else(|| format!("{}: `stringData.{key}` is not a string", at(value)))?;
        secret.add(&key, plain.into_bytes(), &at(value))?;
    }
    Ok(secret)
}

/// The entries of an optional mapping of strings (`labels`, `annotations`).
fn strings(
    node: Option<&Node>,
    at: &dyn Fn(&Node) -> String,
) -> Result<BTreeMap<String, String>, String> {
    entries(node, at)?
        .into_iter()
        .map(|(key, value)| {
            value
                .scalar_text()
                .map(|v| (key.clone(), v))
                .ok_or_else(|| format!("{}: `{key}` is not a string", at(value)))
        })
        .collect()
}

/// The (key, value) entries of an optional mapping; `null` is empty.
fn entries<'a>(
    node: Option<&'a Node>,
    at: &dyn Fn(&Node) -> String,
) -> Result<Vec<(String, &'a Node)>, String> {
    let Some(node) = node.filter(|n| !n.is_null()) else {
        return Ok(Vec::new());
    };
    let map: &Mapping = node
        .as_map()
        .ok_or_else(|| format!("{}: expected a mapping", at(node)))?;
    map.iter()
        .map(|(key, value)| {
            key.scalar_text()
                .map(|k| (k, value))
                .ok_or_else(|| format!("{}: a key is not a string", at(key)))
        })
        .collect()
}
