//! POLICY: `gitops-gen policy check` evaluates the repository's Rego policies over rendered
//! manifests in process, with regorus. Decisions a caller needs:
//!
//! - The policies are conftest's: every `.rego` file of the folder (`_test.rego` files
//!   aside), `package main`, rules `deny` (a finding that fails the check) and `warn` (one that
//!   does not); `violation` counts as `deny`, as conftest counts it. A rule's element is a
//!   message, or an object with `msg` and `id`; a message `GG001: …` also gives its id. So the
//!   same folder runs unchanged under `conftest test -p policy`.
//! - The input is one Kubernetes object at a time (each YAML document of each manifest), as
//!   conftest gives it; `data.gitops_gen` holds what the model says about the environment
//!   (`environment.name`, `environment.preview`, `registries`), which conftest users may pass
//!   with `--data`. Rules written for it do nothing without it.
//! - Only regorus's pure built-ins are compiled in: no network, file or clock access from a
//!   policy.
//! - Every finding names the object (kind, namespace, name), where its document starts, the
//!   rule id and the message; findings are sorted by place, then rule.

pub(crate) mod report;

use std::collections::BTreeMap;

use regorus::{Engine, Value};
use serde::Serialize;

use crate::files::line_index::LineIndex;
use crate::yaml::{self, Node, Value as YamlValue};

/// How much a finding counts.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Severity {
    /// Fails the check.
    Deny,
    /// Reported only.
    Warn,
}

/// One rule's verdict on one object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Finding {
    /// Where the object's document starts: a file or `stdin`, and a 1-based line.
    pub(crate) file: String,
    pub(crate) line: usize,
    pub(crate) kind: String,
    pub(crate) namespace: Option<String>,
    pub(crate) name: String,
    pub(crate) severity: Severity,
    /// The rule's id (`GG001`), or `-` when the rule gives none.
    pub(crate) rule: String,
    pub(crate) message: String,
}

/// What the model says about where the manifests run, as `data.gitops_gen`.
#[derive(Clone, Debug, Default, Serialize)]
pub(crate) struct Context {
    pub(crate) environment: Option<EnvironmentData>,
    /// Registries (and repositories) the model's images come from, e.g. `ghcr.io/acme`.
    pub(crate) registries: Vec<String>,
}

/// `data.gitops_gen.environment`.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct EnvironmentData {
    pub(crate) name: String,
    pub(crate) preview: bool,
}

/// The policies, parsed once.
pub(crate) struct Policies {
    engine: Engine,
    /// The rules of [`RULES`] some file of `package main` declares.
    rules: Vec<(&'static str, Severity)>,
}

/// The rules a policy folder may define, and how much each counts.
const RULES: [(&str, Severity); 3] = [
    ("deny", Severity::Deny),
    ("violation", Severity::Deny),
    ("warn", Severity::Warn),
];

impl Policies {
    /// Parses `sources` (file name, Rego text) with `context` as `data.gitops_gen`.
    pub(crate) fn new(sources: Vec<(String, String)>, context: &Context) -> Result<Self, String> {
        if sources.is_empty() {
            return Err("no policy: the folder holds no `.rego` file".to_owned());
        }
        let mut engine = Engine::new();
        engine.set_rego_v0(false);
        let mut rules = Vec::new();
        for (name, text) in sources {
            let package = engine
                .add_policy(name.clone(), text)
                .map_err(|e| format!("{name}: {e}"))?;
            if package != "data.main" {
                continue;
            }
            for (rule, severity) in RULES {
                let declared = engine
                    .has_declared_rule_rooted_at(&name, rule)
                    .map_err(|e| format!("{name}: {e}"))?;
                if declared && !rules.contains(&(rule, severity)) {
                    rules.push((rule, severity));
                }
            }
        }
        let data = serde_json::json!({ "gitops_gen": context });
        engine
            .add_data(Value::from(data))
            .map_err(|e| format!("policy data: {e}"))?;
        Ok(Policies { engine, rules })
    }

    /// The verdicts on every object in `manifests` (origin, text).
    pub(crate) fn check(&mut self, manifests: &[(String, String)]) -> Result<Checked, String> {
        let mut findings = Vec::new();
        let mut skipped = Vec::new();
        let mut objects = 0;
        for (origin, text) in manifests {
            let lines = LineIndex::new(text);
            let documents = yaml::parse_at(text, origin)?;
            for document in &documents {
                let line = lines.line_number(document.span.start);
                if document.is_null() {
                    continue;
                }
                let Some(object) = ObjectRef::of(document) else {
                    skipped.push(format!("{origin}:{line}"));
                    continue;
                };
                objects += 1;
                self.engine.set_input(Value::from(to_json(document)));
                for &(rule, severity) in &self.rules {
                    let results = self
                        .engine
                        .eval_rule(format!("data.main.{rule}"))
                        .map_err(|e| format!("evaluating `{rule}` on {origin}:{line}: {e}"))?;
                    for (id, message) in verdicts(&results) {
                        findings.push(Finding {
                            file: origin.clone(),
                            line,
                            kind: object.kind.clone(),
                            namespace: object.namespace.clone(),
                            name: object.name.clone(),
                            severity,
                            rule: id,
                            message,
                        });
                    }
                }
            }
        }
        findings.sort_by(|a, b| {
            (&a.file, a.line, a.severity, &a.rule, &a.message)
                .cmp(&(&b.file, b.line, b.severity, &b.rule, &b.message))
        });
        findings.dedup();
        Ok(Checked {
            findings,
            skipped,
            objects,
        })
    }
}

/// What [`Policies::check`] found.
pub(crate) struct Checked {
    pub(crate) findings: Vec<Finding>,
    /// Documents that are not Kubernetes objects (no `kind`), as `origin:line`.
    pub(crate) skipped: Vec<String>,
    /// Objects checked.
    pub(crate) objects: usize,
}

/// The default policy set as `generate` seeds it (`templates/policy/`), for the tests and the
/// fuzz target.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn defaults() -> Vec<(String, String)> {
    [
        (
            "kubernetes.rego",
            include_str!("../../templates/policy/kubernetes.rego.j2"),
        ),
        (
            "images.rego",
            include_str!("../../templates/policy/images.rego.j2"),
        ),
        (
            "resources.rego",
            include_str!("../../templates/policy/resources.rego.j2"),
        ),
        (
            "security.rego",
            include_str!("../../templates/policy/security.rego.j2"),
        ),
        (
            "secrets.rego",
            include_str!("../../templates/policy/secrets.rego.j2"),
        ),
        (
            "labels.rego",
            include_str!("../../templates/policy/labels.rego.j2"),
        ),
    ]
    .into_iter()
    .map(|(name, text)| (name.to_owned(), text.to_owned()))
    .collect()
}

/// The object a document describes.
struct ObjectRef {
    kind: String,
    namespace: Option<String>,
    name: String,
}

impl ObjectRef {
    fn of(document: &Node) -> Option<ObjectRef> {
        let map = document.as_map()?;
        let kind = map.get("kind")?.as_str()?.to_owned();
        let metadata = map.get("metadata").and_then(Node::as_map);
        let field = |key: &str| {
            metadata
                .and_then(|m| m.get(key))
                .and_then(Node::scalar_text)
        };
        Some(ObjectRef {
            kind,
            namespace: field("namespace"),
            name: field("name").unwrap_or_else(|| "(unnamed)".to_owned()),
        })
    }
}

/// (id, message) of each element of a rule's set: a message, or an object with `msg` (and
/// `id`). An undefined rule has none.
fn verdicts(results: &Value) -> Vec<(String, String)> {
    let items: Vec<&Value> = match results {
        Value::Set(set) => set.iter().collect(),
        Value::Array(items) => items.iter().collect(),
        _ => Vec::new(),
    };
    items
        .into_iter()
        .map(|item| match item {
            Value::String(text) => split_id(text),
            Value::Object(fields) => {
                let text = |key: &str| match fields.get(&Value::from(key)) {
                    Some(Value::String(s)) => Some(s.to_string()),
                    _ => None,
                };
                let message = text("msg").unwrap_or_else(|| item.to_string());
                match text("id") {
                    Some(id) => (id, message),
                    None => split_id(&message),
                }
            }
            other => ("-".to_owned(), other.to_string()),
        })
        .collect()
}

/// `GG001: message` → (`GG001`, `message`); anything else has no id.
fn split_id(text: &str) -> (String, String) {
    match text.split_once(": ") {
        Some((id, rest))
            if !id.is_empty()
                && id.len() <= 16
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            (id.to_owned(), rest.to_owned())
        }
        _ => ("-".to_owned(), text.to_owned()),
    }
}

/// A YAML document as JSON, the input regorus takes; keys are written as their text.
fn to_json(node: &Node) -> serde_json::Value {
    match &node.value {
        YamlValue::Null => serde_json::Value::Null,
        YamlValue::Bool(b) => serde_json::Value::Bool(*b),
        YamlValue::Int(i) => serde_json::Value::from(*i),
        YamlValue::Float(f) => serde_json::Number::from_f64(*f)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        YamlValue::String(s) => serde_json::Value::String(s.clone()),
        YamlValue::Seq(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        YamlValue::Map(map) => {
            let fields: BTreeMap<String, serde_json::Value> = map
                .iter()
                .map(|(k, v)| (k.scalar_text().unwrap_or_default(), to_json(v)))
                .collect();
            serde_json::Value::Object(fields.into_iter().collect())
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod gatekeeper_tests;
