//! MIGRATE stage: proof before cutover. What the model renders for an environment is compared,
//! object by object, with what the cluster runs, exported to files (`kubectl get -o yaml`,
//! `helm get manifest`), so the comparison works offline and in tests.
//!
//! - **Rendered side**: `<DIR>/<env>.rendered.yaml` when it exists (for example `helm template`
//!   output), else `kubectl kustomize` of the environment's infrastructure and applications
//!   overlays, as Flux builds them (no load restriction). A rendered HelmRelease is not compared:
//!   helm-controller renders it in the cluster; its chart's `helm template` output belongs in
//!   the `.rendered.yaml` file.
//! - **Live side**: `<DIR>/<env>.yaml` or every `.yaml`/`.yml` file in `<DIR>/<env>/`; a `List`
//!   is read as its items.
//! - **Identity**: API group, kind, namespace, name. A rendered object without a namespace takes
//!   the environment's (Flux sets it), unless its kind is cluster-scoped.
//! - **Difference**: every field the rendered object sets must be in the live object with the
//!   same value; fields only the live object has are the server's (defaults, `status`,
//!   `managedFields`, `uid`, …) and are ignored, as are the annotations and labels tools add
//!   (`kubectl.kubernetes.io/last-applied-configuration`, `deployment.kubernetes.io/revision`,
//!   Flux's and Helm's ownership labels). Lists must have the same length. Values of a Secret are
//!   never printed: only that a key differs.
//! - **Only live**: objects a controller created (`ownerReferences`), and the ones Kubernetes
//!   puts in every namespace (`kube-root-ca.crt`, the `default` ServiceAccount), are not counted.

use std::path::Path;

use crate::model::Config;
use crate::model::tree::GitopsTree;
use crate::yaml::{Node, Value};

/// Kinds without a namespace, among those an app's manifests hold.
const CLUSTER_SCOPED: [&str; 10] = [
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PersistentVolume",
    "StorageClass",
    "PriorityClass",
    "IngressClass",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// Annotations and label prefixes tools write on live objects.
const TOOL_KEYS: [&str; 6] = [
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
    "kustomize.toolkit.fluxcd.io/",
    "meta.helm.sh/",
    "helm.toolkit.fluxcd.io/",
    "argocd.argoproj.io/",
];

/// How one object compares.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Matches,
    /// The fields that differ, each `path: why`.
    Differs(Vec<String>),
    /// Rendered, not running: the operator would create it.
    OnlyRendered,
    /// Running, not rendered: nothing in Git describes it.
    OnlyLive,
    /// A HelmRelease: rendered in the cluster, not here.
    NotCompared,
    /// No `metadata.name`: nothing to match it with.
    Unnamed,
}

/// The comparison of one environment.
#[derive(Debug, Default)]
pub(crate) struct Report {
    pub(crate) env: String,
    /// `kind/namespace/name` and its verdict, sorted.
    pub(crate) objects: Vec<(String, Verdict)>,
}

impl Report {
    /// Objects that differ, or are on one side only.
    pub(crate) fn differences(&self) -> usize {
        self.objects
            .iter()
            .filter(|(_, v)| {
                !matches!(
                    v,
                    Verdict::Matches | Verdict::NotCompared | Verdict::Unnamed
                )
            })
            .count()
    }

    pub(crate) fn is_clean(&self) -> bool {
        self.differences() == 0
    }

    /// One line per object, then its differing fields.
    pub(crate) fn text(&self) -> String {
        let mut out = format!("compare-live {}:\n", self.env);
        for (id, verdict) in &self.objects {
            let (word, fields) = match verdict {
                Verdict::Matches => ("matches", &Vec::new()),
                Verdict::Differs(fields) => ("differs", fields),
                Verdict::OnlyRendered => {
                    ("only in Git (the operator would create it)", &Vec::new())
                }
                Verdict::OnlyLive => ("only live (nothing in Git describes it)", &Vec::new()),
                Verdict::Unnamed => ("not compared", &Vec::new()),
                Verdict::NotCompared => (
                    "not compared (helm-controller renders it; save `helm template` output as <env>.rendered.yaml)",
                    &Vec::new(),
                ),
            };
            out.push_str(&format!("  {id}: {word}\n"));
            for field in fields {
                out.push_str(&format!("      {field}\n"));
            }
        }
        out.push_str(&format!(
            "  {} objects, {} differences\n",
            self.objects.len(),
            self.differences()
        ));
        out
    }
}

/// Compares what `config` renders for `env` in the repository at `root` with the live objects
/// exported under `dir`.
pub(crate) fn compare(
    root: &Path,
    config: &Config,
    env: &str,
    dir: &Path,
) -> Result<Report, String> {
    let environment = config
        .environments
        .iter()
        .find(|e| e.name.value == env)
        .ok_or_else(|| format!("gitops-gen.yaml has no environment `{env}`"))?;
    let live = live_objects(dir, env)?;
    let rendered = match std::fs::read_to_string(dir.join(format!("{env}.rendered.yaml"))) {
        Ok(text) => objects(&text, &format!("{env}.rendered.yaml"))?,
        Err(_) => {
            let tree = GitopsTree::of(config);
            let mut all = render(root, &tree.infrastructure_overlay(env))?;
            all.extend(render(root, &tree.applications_overlay(env))?);
            all
        }
    };
    let namespace = environment.namespace.as_str();
    let mut report = Report {
        env: env.to_owned(),
        objects: Vec::new(),
    };
    // An object without a name cannot be matched: said, not dropped.
    let unnamed = |side: &str, object: &Node| {
        (
            format!("{}: an object without metadata.name, {side}", kind(object)),
            Verdict::Unnamed,
        )
    };
    let mut live_named: Vec<(String, Node)> = Vec::new();
    for object in live {
        match identity(&object, None) {
            Some(id) => live_named.push((id, object)),
            None => report.objects.push(unnamed("live", &object)),
        }
    }
    let mut live = live_named;
    for object in &rendered {
        let Some(id) = identity(object, Some(namespace)) else {
            report.objects.push(unnamed("rendered", object));
            continue;
        };
        if kind(object) == "HelmRelease" {
            report.objects.push((id, Verdict::NotCompared));
            continue;
        }
        let verdict = match live.iter().position(|(other, _)| *other == id) {
            Some(at) => {
                let (_, running) = live.remove(at);
                let secret = kind(object) == "Secret";
                let mut fields = Vec::new();
                differ(object, &running, "", secret, &mut fields);
                if fields.is_empty() {
                    Verdict::Matches
                } else {
                    Verdict::Differs(fields)
                }
            }
            None => Verdict::OnlyRendered,
        };
        report.objects.push((id, verdict));
    }
    for (id, object) in live {
        if !made_by_kubernetes(&object) {
            report.objects.push((id, Verdict::OnlyLive));
        }
    }
    report.objects.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(report)
}

/// The objects of one environment's export.
fn live_objects(dir: &Path, env: &str) -> Result<Vec<Node>, String> {
    let single = dir.join(format!("{env}.yaml"));
    let folder = dir.join(env);
    let mut files = Vec::new();
    if single.is_file() {
        files.push(single);
    }
    if let Ok(entries) = std::fs::read_dir(&folder) {
        let (mut found, other): (Vec<_>, Vec<_>) = entries
            .flatten()
            .map(|e| e.path())
            .partition(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"));
        // Every file of the export is read or refused: nothing is skipped unsaid.
        if let Some(first) = other.iter().min() {
            return Err(format!(
                "{} is not a `.yaml` or `.yml` file; the folder of an environment's live \
                 objects holds only those",
                first.display()
            ));
        }
        found.sort();
        files.extend(found);
    }
    if files.is_empty() {
        return Err(format!(
            "no live objects for `{env}`: expected {} or yaml files in {}",
            dir.join(format!("{env}.yaml")).display(),
            folder.display()
        ));
    }
    let mut all = Vec::new();
    for file in files {
        let text = crate::files::safe_read::read_text(
            file.parent().unwrap_or(dir),
            Path::new(file.file_name().unwrap_or_default()),
            crate::files::safe_read::Symlinks::InsideRoot,
            crate::files::safe_read::MAX_FILE_BYTES,
        )
        .map_err(|why| format!("{} {why}", file.display()))?;
        all.extend(objects(&text, &file.display().to_string())?);
    }
    Ok(all)
}

/// The objects of a YAML stream, `List` items flattened.
fn objects(text: &str, what: &str) -> Result<Vec<Node>, String> {
    let docs = crate::yaml::parse(text).map_err(|e| {
        let line = crate::files::LineIndex::new(text).line_number(e.span.start.min(text.len()));
        format!("{what}:{line}: {e}")
    })?;
    let mut out = Vec::new();
    for doc in docs {
        match doc
            .as_map()
            .and_then(|m| m.get("items"))
            .and_then(Node::as_seq)
        {
            Some(items) if kind(&doc).ends_with("List") => out.extend(items.iter().cloned()),
            _ if doc.as_map().is_some() => out.push(doc),
            _ => {}
        }
    }
    Ok(out)
}

/// `kubectl kustomize` of `dir` (repository-relative), as Flux builds it.
fn render(root: &Path, dir: &str) -> Result<Vec<Node>, String> {
    if !root.join(dir).is_dir() {
        return Ok(Vec::new());
    }
    let out = std::process::Command::new("kubectl")
        .args([
            "kustomize",
            "--load-restrictor",
            "LoadRestrictionsNone",
            dir,
        ])
        .current_dir(root)
        .output()
        .map_err(|e| {
            format!(
                "cannot run `kubectl kustomize {dir}` ({e}); save the rendered objects as \
                 <env>.rendered.yaml next to the live ones instead"
            )
        })?;
    if !out.status.success() {
        return Err(format!(
            "`kubectl kustomize {dir}` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    objects(&String::from_utf8_lossy(&out.stdout), dir)
}

fn kind(node: &Node) -> &str {
    field(node, &["kind"])
        .and_then(Node::as_str)
        .unwrap_or_default()
}

fn field<'n>(node: &'n Node, path: &[&str]) -> Option<&'n Node> {
    path.iter().try_fold(node, |n, key| n.as_map()?.get(key))
}

/// `Kind.group/namespace/name`; a namespaced object without a namespace takes `default_ns`.
fn identity(node: &Node, default_ns: Option<&str>) -> Option<String> {
    let kind = kind(node);
    let name = field(node, &["metadata", "name"])?.as_str()?;
    let group = field(node, &["apiVersion"])
        .and_then(Node::as_str)
        .and_then(|v| v.rsplit_once('/').map(|(g, _)| g))
        .unwrap_or("");
    let scoped = CLUSTER_SCOPED.contains(&kind);
    let namespace = field(node, &["metadata", "namespace"])
        .and_then(Node::as_str)
        .or(default_ns)
        .filter(|_| !scoped)
        .unwrap_or("");
    let kind = if group.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}.{group}")
    };
    Some(if scoped {
        format!("{kind}/{name}")
    } else {
        format!("{kind}/{namespace}/{name}")
    })
}

/// Objects Kubernetes or a controller made, which no manifest describes.
fn made_by_kubernetes(node: &Node) -> bool {
    let name = field(node, &["metadata", "name"]).and_then(Node::as_str);
    field(node, &["metadata", "ownerReferences"]).is_some()
        || (kind(node) == "ConfigMap" && name == Some("kube-root-ca.crt"))
        || (kind(node) == "ServiceAccount" && name == Some("default"))
}

/// Adds to `out` every field `rendered` sets that `live` does not hold alike.
fn differ(rendered: &Node, live: &Node, path: &str, secret: bool, out: &mut Vec<String>) {
    match (&rendered.value, &live.value) {
        (Value::Map(want), Value::Map(have)) => {
            for (key, value) in want.iter() {
                let key = key.scalar_text().unwrap_or_default();
                if TOOL_KEYS.iter().any(|k| key.starts_with(k)) || key == "status" {
                    continue;
                }
                let at = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match have.get(&key) {
                    Some(other) => differ(value, other, &at, secret, out),
                    None => out.push(format!("{at}: set in Git, absent live")),
                }
            }
        }
        (Value::Seq(want), Value::Seq(have)) if want.len() == have.len() => {
            for (i, (a, b)) in want.iter().zip(have).enumerate() {
                differ(a, b, &format!("{path}[{i}]"), secret, out);
            }
        }
        (Value::Seq(want), Value::Seq(have)) => out.push(format!(
            "{path}: {} items in Git, {} live",
            want.len(),
            have.len()
        )),
        (a, b) if same_scalar(a, b) => {}
        _ if secret => out.push(format!("{path}: differs (a Secret's value: not shown)")),
        _ => out.push(format!(
            "{path}: Git {}, live {}",
            shown(rendered),
            shown(live)
        )),
    }
}

/// Scalars alike, as the API server would read them: `80` and `"80"` differ, `1` and `1.0`
/// do not.
fn same_scalar(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => (*x as f64) == *y,
        _ => a == b,
    }
}

fn shown(node: &Node) -> String {
    match &node.value {
        Value::Map(_) => "a mapping".to_owned(),
        Value::Seq(_) => "a list".to_owned(),
        Value::Null => "null".to_owned(),
        _ => {
            let text = node.scalar_text().unwrap_or_default();
            serde_json::Value::from(text).to_string()
        }
    }
}

#[cfg(test)]
mod tests;
