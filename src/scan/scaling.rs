//! SCAN stage: replica counts that something else scales. A Deployment (or StatefulSet) whose
//! `spec.replicas` is written in Git fights whatever scales it: a HorizontalPodAutoscaler, a KEDA
//! ScaledObject, or Flagger, which scales a Canary's target itself. Each reconcile sets the count
//! back, each scaler moves it again. The scan records both sides and pairs them by target.

use serde::Serialize;

use super::text::{metadata, scalar_at};
use crate::files::LineIndex;
use crate::yaml::{Mapping, Node};

/// A workload whose replica count something else scales.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct ReplicaConflict {
    /// Where `replicas:` is written.
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// `Deployment` or `StatefulSet`.
    pub kind: String,
    pub name: String,
    /// What scales it: `HorizontalPodAutoscaler`, `ScaledObject` or `Canary`.
    pub scaler: String,
    /// Where the scaler is: its file and the line its object starts at.
    pub scaler_file: String,
    pub scaler_line: usize,
}

/// A workload with `spec.replicas`, or an object that scales one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Scaling {
    Fixed {
        kind: String,
        name: String,
        namespace: Option<String>,
        file: String,
        line: usize,
        column: usize,
    },
    Scaler {
        kind: String,
        /// The target's kind and name.
        target: (String, String),
        namespace: Option<String>,
        file: String,
        line: usize,
    },
}

const WORKLOADS: [&str; 2] = ["Deployment", "StatefulSet"];

/// Whether [`read`] looks at the `spec` of an object of kind `kind`.
pub(super) fn reads_spec(kind: &str) -> bool {
    WORKLOADS.contains(&kind) || scaler_reference(kind).is_some()
}

/// The key under `spec` that names what an autoscaler of kind `kind` scales.
fn scaler_reference(kind: &str) -> Option<&'static str> {
    match kind {
        "HorizontalPodAutoscaler" | "ScaledObject" => Some("scaleTargetRef"),
        "Canary" => Some("targetRef"),
        _ => None,
    }
}

/// What the object `root` of kind `kind` (at `line` of `file`) says about scaling, if anything.
pub(super) fn read(
    file: &str,
    root: &Mapping,
    kind: &str,
    src: &str,
    line: usize,
    lines: &LineIndex,
) -> Option<Scaling> {
    let spec = root.get("spec").and_then(Node::as_map)?;
    let name = metadata(root, "name", src);
    let namespace = metadata(root, "namespace", src);
    if WORKLOADS.contains(&kind) {
        let (key, _) = spec.get_entry("replicas")?;
        let (line, column) = lines.position(src, key.span.start);
        return Some(Scaling::Fixed {
            kind: kind.to_owned(),
            name: name?,
            namespace,
            file: file.to_owned(),
            line,
            column,
        });
    }
    let reference = scaler_reference(kind)?;
    let target = spec.get(reference).and_then(Node::as_map)?;
    // KEDA's ScaledObject targets a Deployment unless it says otherwise.
    let target_kind = scalar_at(target, "kind", src).unwrap_or_else(|| "Deployment".to_owned());
    Some(Scaling::Scaler {
        kind: kind.to_owned(),
        target: (target_kind, scalar_at(target, "name", src)?),
        namespace,
        file: file.to_owned(),
        line,
    })
}

/// What one app's manifest files (`(path, text)`) say about scaling, each file parsed once:
/// for `generate`'s warnings, what `analyze` pairs across a repository.
#[derive(Debug, Default)]
pub(crate) struct FilesScaling {
    /// Every workload that writes `spec.replicas`: kind, name, file, line and column of the key.
    pub fixed: Vec<(String, String, String, usize, usize)>,
    /// The fixed counts a scaler among the files targets.
    pub conflicts: Vec<ReplicaConflict>,
    /// The names of the Deployments, counts or not.
    pub deployments: Vec<String>,
}

/// [`FilesScaling`] of `files`; text that is not YAML says nothing.
pub(crate) fn scaling_of(files: &[(String, String)]) -> FilesScaling {
    let mut found = FilesScaling::default();
    let mut all = Vec::new();
    for (file, text) in files {
        // Without one of these words (or an escape in a quoted scalar, which could spell one)
        // the file has no workload, scaler or Canary to read.
        let words = [
            "Deployment",
            "StatefulSet",
            "scaleTargetRef",
            "targetRef",
            "\\",
        ];
        if !words.iter().any(|w| text.contains(w)) {
            continue;
        }
        let Ok(docs) = crate::yaml::parsed(text) else {
            continue;
        };
        let lines = LineIndex::new(text);
        for doc in docs.iter() {
            let Some(root) = doc.as_map() else {
                continue;
            };
            let Some(kind) = scalar_at(root, "kind", text) else {
                continue;
            };
            if kind == "Deployment"
                && let Some(name) = metadata(root, "name", text)
            {
                found.deployments.push(name);
            }
            let line = lines.line_number(doc.span.start);
            all.extend(read(file, root, &kind, text, line, &lines));
        }
    }
    for scaling in &all {
        if let Scaling::Fixed {
            kind,
            name,
            file,
            line,
            column,
            ..
        } = scaling
        {
            found
                .fixed
                .push((kind.clone(), name.clone(), file.clone(), *line, *column));
        }
    }
    found.conflicts = conflicts(&all);
    found
}

/// Every fixed count a scaler in `all` targets: same kind and name, and the same namespace when
/// both objects name one (an object without one lands where it is applied).
pub(super) fn conflicts(all: &[Scaling]) -> Vec<ReplicaConflict> {
    let mut found = Vec::new();
    for fixed in all {
        let Scaling::Fixed {
            kind,
            name,
            namespace,
            file,
            line,
            column,
        } = fixed
        else {
            continue;
        };
        let scaler = all.iter().find_map(|s| match s {
            Scaling::Scaler {
                kind: scaler,
                target,
                namespace: theirs,
                file,
                line,
            } if target.0 == *kind
                && target.1 == *name
                && (namespace.is_none() || theirs.is_none() || theirs == namespace) =>
            {
                Some((scaler, file, line))
            }
            _ => None,
        });
        if let Some((scaler, scaler_file, scaler_line)) = scaler {
            found.push(ReplicaConflict {
                file: file.clone(),
                line: *line,
                column: *column,
                kind: kind.clone(),
                name: name.clone(),
                scaler: scaler.clone(),
                scaler_file: scaler_file.clone(),
                scaler_line: *scaler_line,
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(files: &[(&str, &str)]) -> Vec<ReplicaConflict> {
        let mut all = Vec::new();
        for (file, src) in files {
            let lines = LineIndex::new(src);
            for doc in crate::yaml::parse(src).expect("yaml") {
                let root = doc.as_map().expect("map");
                let kind = scalar_at(root, "kind", src).expect("kind");
                let line = lines.line_number(doc.span.start);
                all.extend(read(file, root, &kind, src, line, &lines));
            }
        }
        conflicts(&all)
    }

    const DEPLOYMENT: &str =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n";

    #[test]
    fn an_hpa_or_a_canary_on_a_fixed_count_is_a_conflict() {
        for (scaler, reference) in [
            ("HorizontalPodAutoscaler", "scaleTargetRef"),
            ("Canary", "targetRef"),
        ] {
            let other = format!(
                "kind: {scaler}\nmetadata:\n  name: web\nspec:\n  {reference}:\n    \
                 apiVersion: apps/v1\n    kind: Deployment\n    name: web\n"
            );
            let found = scan(&[("k8s/deploy.yaml", DEPLOYMENT), ("k8s/scale.yaml", &other)]);
            assert_eq!(found.len(), 1, "{scaler}");
            assert_eq!((found[0].line, found[0].column), (6, 3));
            assert_eq!(found[0].scaler, scaler);
            assert_eq!(found[0].scaler_file, "k8s/scale.yaml");
        }
    }

    #[test]
    fn one_parse_gives_counts_conflicts_and_deployment_names() {
        let hpa = "kind: HorizontalPodAutoscaler\nmetadata:\n  name: h\nspec:\n  scaleTargetRef:\n    kind: Deployment\n    name: web\n";
        let files = [
            (
                "a.yaml".to_owned(),
                format!("{DEPLOYMENT}---\nkind: Deployment\nmetadata: {{name: api}}\n"),
            ),
            ("b.yaml".to_owned(), hpa.to_owned()),
            ("c.yaml".to_owned(), "a: [".to_owned()),
        ];
        let found = scaling_of(&files);
        assert_eq!(found.deployments, ["web", "api"]);
        assert_eq!(
            found.fixed,
            [(
                "Deployment".to_owned(),
                "web".to_owned(),
                "a.yaml".to_owned(),
                6,
                3
            )]
        );
        assert_eq!(found.conflicts.len(), 1);
    }

    #[test]
    fn a_keda_target_defaults_to_a_deployment() {
        let keda =
            "kind: ScaledObject\nmetadata:\n  name: x\nspec:\n  scaleTargetRef:\n    name: web\n";
        assert_eq!(scan(&[("a.yaml", DEPLOYMENT), ("b.yaml", keda)]).len(), 1);
    }

    #[test]
    fn no_count_other_names_and_other_namespaces_are_not_conflicts() {
        let hpa = |name: &str, ns: &str| {
            format!(
                "kind: HorizontalPodAutoscaler\nmetadata:\n  name: h\n  namespace: {ns}\nspec:\n  \
                 scaleTargetRef:\n    kind: Deployment\n    name: {name}\n"
            )
        };
        let unscaled = "kind: Deployment\nmetadata:\n  name: web\nspec:\n  template: {}\n";
        assert!(scan(&[("a.yaml", unscaled), ("b.yaml", &hpa("web", "x"))]).is_empty());
        assert!(scan(&[("a.yaml", DEPLOYMENT), ("b.yaml", &hpa("api", "x"))]).is_empty());
        let placed = DEPLOYMENT.replace("name: web\n", "name: web\n  namespace: y\n");
        assert!(scan(&[("a.yaml", &placed), ("b.yaml", &hpa("web", "x"))]).is_empty());
        assert_eq!(
            scan(&[("a.yaml", &placed), ("b.yaml", &hpa("web", "y"))]).len(),
            1
        );
    }
}
