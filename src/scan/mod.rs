//! SCAN stage: the deployment layout of a repository, as files say it: Kubernetes
//! manifests, kustomizations, Helm charts and values files, Dockerfiles, skaffold and helmfile
//! configurations, objects of a GitOps operator already in use, and Secrets committed in plain
//! text.
//!
//! This names what is there and infers nothing: no environment is derived from a directory
//! name, no overlay is matched to a branch. Those decisions belong to `infer/`.
//!
//! Everything is keyed by repository-relative `/` paths and sorted, so the same repository
//! always gives the same [`Layout`] (and the same JSON).

mod chart;
mod dockerfile;
mod helmfile;
mod kustomization;
mod manifest;
mod operator;
mod scaling;
mod secret;
mod text;

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::Serialize;

pub(crate) use chart::HelmChart;
pub(crate) use dockerfile::{Dockerfile, is_dockerfile_name};
pub(crate) use helmfile::Helmfile;
pub(crate) use kustomization::{KUSTOMIZATION_FILE_NAMES, Kustomization};
pub(crate) use manifest::{Manifest, ManifestDocument};
pub(crate) use operator::{FLEET_YAML_KIND, Operator, OperatorObject};
pub(crate) use scaling::{ReplicaConflict, scaling_of};
pub(crate) use secret::{PlaintextSecret, SecretSource};

use crate::files::listing::PathList;
use crate::files::safe_read::Unreadable;
use crate::files::work::{self, Work};
use crate::files::{Diagnostic, LineIndex, Loc, RepoFiles};
use crate::yaml::skim::{self, Head, LineValue};
use crate::yaml::{Node, YamlError};
use text::{file_name, parent_dir, scalar_at};

/// What a repository holds for building and deploying, file by file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Layout {
    /// YAML files holding Kubernetes-style objects (outside Helm chart `templates/`).
    pub manifests: Vec<Manifest>,
    /// `kustomization.yaml` / `kustomization.yml` / `Kustomization` files.
    pub kustomizations: Vec<Kustomization>,
    /// Helm charts (`Chart.yaml`), with their values files.
    pub helm_charts: Vec<HelmChart>,
    /// Values files outside every chart directory that look per-environment by name
    /// (`values-<x>.yaml`, `values.<x>.yaml`, `<x>-values.yaml`, `<dir>/values.yaml`).
    pub values_files: Vec<String>,
    /// Dockerfiles and Containerfiles.
    pub dockerfiles: Vec<Dockerfile>,
    /// skaffold configurations: `skaffold.yaml`/`skaffold.yml`, or any YAML file with a
    /// `skaffold/*` `Config` document.
    pub skaffold: Vec<String>,
    pub helmfiles: Vec<Helmfile>,
    /// Flux, Argo CD and Fleet objects, and `fleet.yaml` files.
    pub operator_objects: Vec<OperatorObject>,
    /// Secrets whose values are committed unencrypted (key names only).
    pub plaintext_secrets: Vec<PlaintextSecret>,
    /// Replica counts written in Git that an HPA, a KEDA ScaledObject or a Flagger Canary scales.
    pub replica_conflicts: Vec<ReplicaConflict>,
    /// Files that could not be read; the rest of the layout is still complete.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the layout of the repository whose files are `paths` (repository-relative, any
/// order), reading their text through `files`.
///
/// Works the same for a [`crate::files::repo::DirRepo`] (`scan(repo.paths(), &repo)`) and a
/// [`crate::files::repo::MemRepo`] (`scan(&repo.paths(), &repo)`). Never fails: an
/// unparseable manifest-looking file becomes a `yaml-syntax` diagnostic, one that cannot be
/// read (not UTF-8 text) a diagnostic saying why.
pub(crate) fn scan(paths: &(impl PathList + ?Sized), files: &dyn RepoFiles) -> Layout {
    let mut chart_dirs: BTreeSet<String> = BTreeSet::new();
    paths.each(&mut |p| {
        if file_name(p) == "Chart.yaml" {
            chart_dirs.insert(parent_dir(p).to_owned());
        }
    });

    let mut layout = Layout::default();
    let mut values = Vec::new();
    let mut scalings = Vec::new();
    let mut spellings = BTreeSet::new();
    paths.each(&mut |path| {
        // Chart templates are Go templates, not YAML: parsing them would only produce noise.
        if in_chart_templates(path, &chart_dirs) {
            return;
        }
        let name = file_name(path);

        if is_dockerfile_name(name) {
            if let Some(text) = read(path, files, &mut layout.diagnostics) {
                layout.dockerfiles.push(dockerfile::read(path, &text));
            }
        } else if helmfile::is_helmfile_path(path, name) {
            let templated = name.ends_with(".gotmpl");
            if let Some(text) = read(path, files, &mut layout.diagnostics) {
                // A `.gotmpl` helmfile is rendered by helmfile first; when it does not parse as
                // plain YAML the file is still listed, without a diagnostic.
                let docs = match crate::yaml::parse(&text) {
                    Ok(docs) => docs,
                    Err(err) => {
                        if !templated {
                            layout.diagnostics.push(syntax_diagnostic(path, &err));
                        }
                        Vec::new()
                    }
                };
                layout.helmfiles.push(helmfile::read(path, &text, &docs));
            }
        } else if KUSTOMIZATION_FILE_NAMES.contains(&name) {
            if let Some((text, docs)) = parse_file(path, files, &mut layout.diagnostics) {
                let dir = parent_dir(path);
                layout
                    .kustomizations
                    .push(kustomization::read(path, dir, &text, &docs));
                layout
                    .plaintext_secrets
                    .extend(secret::from_secret_generator(path, &text, &docs));
            }
        } else if !is_yaml_name(name) {
            // Nothing else the scan reads is anything but YAML.
        } else if name == "Chart.yaml" {
            if let Some((text, docs)) = parse_file(path, files, &mut layout.diagnostics) {
                layout
                    .helm_charts
                    .push(chart::read(path, parent_dir(path), &text, &docs));
            }
        } else if name == "fleet.yaml" {
            layout.operator_objects.push(OperatorObject {
                file: path.to_owned(),
                line: 1,
                operator: Operator::Fleet,
                api_version: None,
                kind: FLEET_YAML_KIND.to_owned(),
                name: None,
            });
            // Parsed only so a broken bundle file is reported.
            let _ = parse_file(path, files, &mut layout.diagnostics);
        } else if matches!(name, "skaffold.yaml" | "skaffold.yml") {
            layout.skaffold.push(path.to_owned());
        } else if chart::values_name(name).is_some()
            && (in_a_chart(path, &chart_dirs) || chart::is_loose_values_file(path))
        {
            values.push(path.to_owned());
            // Only read for literal passwords: a values file that does not parse as plain YAML
            // (a template helmfile renders first) is still listed, without a diagnostic.
            if let Some(text) = read(path, files, &mut layout.diagnostics)
                && let Ok(docs) = crate::yaml::parse(&text)
            {
                layout
                    .plaintext_secrets
                    .extend(secret::from_helm_values(path, &text, &docs));
            }
        } else {
            read_objects(path, files, &mut layout, &mut scalings, &mut spellings);
        }
    });

    layout.values_files = chart::attach_values(&mut layout.helm_charts, &values);
    layout.replica_conflicts = scaling::conflicts(&scalings);
    sort(&mut layout);
    layout
}

/// Whether `path` is below one of `chart_dirs`: each directory above it is looked up, so a
/// monorepo of thousands of charts costs each file its own depth, not a scan of every chart.
fn in_a_chart(path: &str, chart_dirs: &BTreeSet<String>) -> bool {
    work::count(Work::ChartChecks, 1);
    chart_dirs.contains("")
        || path.match_indices('/').any(|(at, _)| {
            work::count(Work::ChartChecks, 1);
            path.get(..at).is_some_and(|dir| chart_dirs.contains(dir))
        })
}

/// Whether `path` is inside the `templates/` directory of a chart in `chart_dirs`.
fn in_chart_templates(path: &str, chart_dirs: &BTreeSet<String>) -> bool {
    path.match_indices("templates/").any(|(at, _)| {
        let parent = &path[..at];
        match parent.strip_suffix('/') {
            Some(dir) => chart_dirs.contains(dir),
            None => parent.is_empty() && chart_dirs.contains(""),
        }
    })
}

fn is_yaml_name(name: &str) -> bool {
    name.ends_with(".yaml") || name.ends_with(".yml")
}

/// The text of `path`; a file that is listed but cannot be read (not UTF-8, gone, refused)
/// becomes a diagnostic saying why, so a manifest in Latin-1 is not silently passed over.
fn read(
    path: &str,
    files: &dyn RepoFiles,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<std::sync::Arc<str>> {
    // The scan reads each file once: a cache need not keep it.
    match files.text_once(path) {
        Ok(text) => Some(text),
        Err(Unreadable::Missing) => None,
        Err(why) => {
            diagnostics.push(Diagnostic::not_analysed(path, &why));
            None
        }
    }
}

/// Reads and parses `path`; a parse error becomes a diagnostic and `None`.
fn parse_file(
    path: &str,
    files: &dyn RepoFiles,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(std::sync::Arc<str>, Vec<Node>)> {
    let text = read(path, files, diagnostics)?;
    match crate::yaml::parse(&text) {
        Ok(docs) => Some((text, docs)),
        Err(err) => {
            diagnostics.push(syntax_diagnostic(path, &err));
            None
        }
    }
}

fn syntax_diagnostic(path: &str, err: &YamlError) -> Diagnostic {
    let message = if err.is_limit() {
        format!("`{path}` is not read: {}", err.message)
    } else {
        format!("`{path}` is not valid yaml: {}", err.message)
    };
    Diagnostic::new(err.code(), message, Loc::new(path, err.span))
}

/// Reads the Kubernetes-style objects of a YAML file into manifests, operator objects,
/// plaintext secrets and skaffold configurations.
fn read_objects(
    path: &str,
    files: &dyn RepoFiles,
    layout: &mut Layout,
    scalings: &mut Vec<scaling::Scaling>,
    spellings: &mut BTreeSet<Arc<str>>,
) {
    let Some(text) = read(path, files, &mut layout.diagnostics) else {
        return;
    };
    if !manifest::may_hold_objects(&text) {
        return;
    }
    let docs = match skim::parse_entries(&text, &read_by_objects) {
        Ok(docs) => docs,
        Err(err) => {
            layout.diagnostics.push(syntax_diagnostic(path, &err));
            return;
        }
    };
    let lines = LineIndex::new(&text);
    let sops_encrypted = docs
        .iter()
        .filter_map(Node::as_map)
        .any(secret::has_sops_metadata);
    // Sized for every document: most files hold one, and a growing vector would hold four.
    let mut documents = Vec::with_capacity(docs.len());
    for doc in &docs {
        let Some(root) = doc.as_map() else { continue };
        let (Some(api_version), Some(kind)) = (
            scalar_at(root, "apiVersion", &text),
            scalar_at(root, "kind", &text),
        ) else {
            continue;
        };
        let line = lines.line_number(doc.span.start);
        if manifest::is_skaffold(&api_version) {
            if kind == "Config" && !layout.skaffold.iter().any(|s| s == path) {
                layout.skaffold.push(path.to_owned());
            }
            continue;
        }
        if manifest::is_tool_config(&api_version) {
            continue;
        }
        let name = text::metadata(root, "name", &text);
        if let Some(operator) = operator::operator_of(&api_version, &kind) {
            layout.operator_objects.push(OperatorObject {
                file: path.to_owned(),
                line,
                operator,
                api_version: Some(api_version.clone()),
                kind: kind.clone(),
                name: name.clone(),
            });
        }
        scalings.extend(scaling::read(path, root, &kind, &text, line, &lines));
        if secret::reads_data(&kind)
            && !sops_encrypted
            && let Some(found) = secret::from_manifest(path, root, &text, line)
        {
            layout.plaintext_secrets.push(found);
        }
        documents.push(ManifestDocument {
            api_version: shared(spellings, &api_version),
            kind: shared(spellings, &kind),
            name,
            namespace: text::metadata(root, "namespace", &text),
            line,
        });
    }
    if !documents.is_empty() {
        layout.manifests.push(Manifest {
            file: path.to_owned(),
            documents,
            sops_encrypted,
        });
    }
}

/// Whether [`read_objects`] reads the top-level entry `key` of a document: what every object
/// says (`apiVersion`, `kind`, `metadata`, SOPS's `sops`), a `spec` that scaling reads, and a
/// Secret's `data`. A CustomResourceDefinition's `spec`, or a ConfigMap's `data`, is skipped
/// unparsed.
fn read_by_objects(key: &str, head: &Head<'_>) -> bool {
    let kind_is = |reads: fn(&str) -> bool| match head.line_value("kind") {
        LineValue::Plain(kind) => reads(kind),
        LineValue::Absent => false,
        LineValue::Unknown => true,
    };
    match key {
        "apiVersion" | "kind" | "metadata" | "sops" => true,
        "spec" => kind_is(scaling::reads_spec),
        "data" | "stringData" => kind_is(secret::reads_data),
        _ => false,
    }
}

/// The one copy of `text` in `spellings`.
fn shared(spellings: &mut BTreeSet<Arc<str>>, text: &str) -> Arc<str> {
    if let Some(known) = spellings.get(text) {
        return Arc::clone(known);
    }
    let new: Arc<str> = Arc::from(text);
    spellings.insert(Arc::clone(&new));
    new
}

/// Puts every list in path order (then line order) so output never depends on walk order, and
/// gives back the room the lists grew beyond their length.
fn sort(layout: &mut Layout) {
    layout.manifests.shrink_to_fit();
    layout.kustomizations.shrink_to_fit();
    layout.operator_objects.shrink_to_fit();
    layout.manifests.sort_by(|a, b| a.file.cmp(&b.file));
    layout.kustomizations.sort_by(|a, b| a.file.cmp(&b.file));
    layout.helm_charts.sort_by(|a, b| a.file.cmp(&b.file));
    layout.values_files.sort();
    layout.dockerfiles.sort_by(|a, b| a.file.cmp(&b.file));
    layout.skaffold.sort();
    layout.skaffold.dedup();
    layout.helmfiles.sort_by(|a, b| a.file.cmp(&b.file));
    layout
        .operator_objects
        .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    layout
        .plaintext_secrets
        .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    layout
        .replica_conflicts
        .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    layout
        .diagnostics
        .sort_by(|a, b| (&a.loc.file, a.loc.span.start).cmp(&(&b.loc.file, b.loc.span.start)));
}

#[cfg(test)]
mod tests;
