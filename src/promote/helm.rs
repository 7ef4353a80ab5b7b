//! Promotion of a Helm app: the image is one key (`image.tag`, and `image.repository` when the
//! model names its path) in a small values file promotion owns beside the overlay
//! (`<app>-image.yaml`), handed to the release as the `<app>-image` ConfigMap the overlay
//! generates. The team's values files are never edited.
//!
//! Before anything is pushed, the edit is checked as the release will see it: the HelmRelease on
//! the branch reads the image's ConfigMap last, the merged values (the chart's defaults, the
//! team's files, the image file) hold the new tag at the path, and the chart takes a value there
//! (its `values.yaml` or `values.schema.json` declares it, or the team's values set it). A chart
//! from a chart repository cannot be read offline: then a path no values file of the team's sets
//! is a warning.

use std::path::Path;

use crate::error::Error;
use crate::model::tree;
use crate::promote::Request;
use crate::promote::edit::ImageRef;
use crate::promote::edit::values::{add_values_config_map, new_values, set_value, value_at};
use crate::promote::stage::read_overlay;
use crate::sources::helm::{self as values, Declared};
use crate::yaml::Node;

/// Where a Helm app's image goes in one environment (or preview instance).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HelmTarget {
    /// The values file promotion owns, repository-relative.
    pub image_values: String,
    /// The same file as the overlay's generator names it, relative to the overlay.
    pub entry_file: String,
    /// The ConfigMap the release reads it from.
    pub config_map: String,
    /// Dotted path of the tag in the values.
    pub tag_path: String,
    /// Dotted path of the repository, when the chart takes one.
    pub repository_path: Option<String>,
    /// The chart's folder, for a chart in this repository.
    pub chart: Option<String>,
    /// The team's values files the release applies before the image's, earliest first.
    pub values: Vec<String>,
    /// What reads the values in the cluster.
    pub reader: HelmReader,
}

/// The operator object that hands a Helm app's values to its chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum HelmReader {
    /// Flux: the HelmRelease in this release folder (repository-relative), through `valuesFrom`.
    Flux { release: String },
    /// Argo CD: this Application (repository-relative), through `helm.valueFiles`.
    Argocd { application: String },
    /// Argo CD, in a preview environment: this ApplicationSet (repository-relative), whose
    /// template's `helm.valueFiles` name the image file of each instance it finds.
    ArgocdInstances { application_set: String },
    /// Fleet: this bundle options file, through `helm.valuesFiles` relative to the bundle's
    /// `base` (both repository-relative).
    Fleet { options: String, base: String },
}

/// The tag the image values file at `file` holds now, if any.
pub(crate) fn running_tag(
    request: &Request,
    root: &Path,
    file: &str,
    tag_path: &str,
) -> Result<Option<ImageRef>, Error> {
    if !root.join(file).is_file() {
        return Ok(None);
    }
    let text = read_overlay(request, root, file)?;
    let tag = value_at(&text, tag_path)
        .map_err(|why| Error::Usage(format!("cannot read `{file}`: {why}")))?;
    Ok(tag.map(ImageRef::Tag))
}

/// The image values file with the new tag (and repository): (text before, text after).
pub(crate) fn edit_image_values(
    request: &Request,
    root: &Path,
    target: &HelmTarget,
    reference: &ImageRef,
) -> Result<(String, String), Error> {
    let ImageRef::Tag(tag) = reference else {
        return Err(Error::Usage(format!(
            "app `{}` is a Helm chart, which takes the image's tag at `{}`; promote a tag, not \
             a digest",
            request.app, target.tag_path
        )));
    };
    let failed =
        |why: String| Error::Usage(format!("cannot edit `{}`: {why}", target.image_values));
    let old = if root.join(&target.image_values).is_file() {
        read_overlay(request, root, &target.image_values)?
    } else {
        String::new()
    };
    let mut new = if old.is_empty() {
        new_values(
            &format!(
                "The image of app `{}` in {}, set by `gitops-gen promote`; applied after the \
                 app's own values.",
                request.app, request.env
            ),
            &target.tag_path,
            tag,
        )
    } else {
        set_value(&old, &target.tag_path, tag).map_err(failed)?
    };
    if let Some(path) = &target.repository_path {
        new = set_value(&new, path, &request.repository).map_err(failed)?;
    }
    Ok((old, new))
}

/// The overlay with the image's ConfigMap generated from the image values file.
pub(crate) fn edit_overlay(text: &str, target: &HelmTarget) -> Result<String, String> {
    add_values_config_map(text, &target.config_map, &target.entry_file)
}

/// Checks the edited files in the work tree at `root` as the release will read them.
pub(crate) fn verify(
    request: &Request,
    root: &Path,
    target: &HelmTarget,
    reference: &ImageRef,
    warnings: &mut Vec<String>,
) -> Result<(), Error> {
    let app = &request.app;
    reads_image_last(request, root, target)?;
    let mut layers: Vec<Node> = Vec::new();
    let defaults = target.chart.as_ref().map(|c| format!("{c}/values.yaml"));
    for file in defaults.iter().chain(&target.values) {
        if root.join(file).is_file() {
            layers.push(values::layer(root, file)?);
        }
    }
    let team_layers = layers.len();
    layers.push(values::layer(root, &target.image_values)?);
    let mut wanted = vec![(target.tag_path.as_str(), reference.display())];
    if let Some(path) = &target.repository_path {
        wanted.push((path.as_str(), request.repository.as_str()));
    }
    for (path, value) in wanted {
        let merged = values::lookup(&layers, path).and_then(Node::scalar_text);
        if merged.as_deref() != Some(value) {
            return Err(Error::Internal(format!(
                "the edit of `{}` did not set `{path}` to `{value}`",
                target.image_values
            )));
        }
        let set_by_team = values::lookup(&layers[..team_layers], path).is_some();
        match &target.chart {
            Some(chart) if !set_by_team && values::declares(root, chart, path)? == Declared::No => {
                return Err(Error::Usage(format!(
                    "the chart `{chart}` of app `{app}` takes no value at `{path}` (neither \
                     its values.yaml, its values.schema.json nor the app's values files set \
                     it), so promoting would change nothing it runs; set \
                     `deploy.helm.image_path` to where the chart reads the image. Nothing \
                     was pushed"
                )));
            }
            Some(_) => {}
            None if !set_by_team => warnings.push(format!(
                "app `{app}`'s chart comes from a chart repository, which cannot be read \
                 offline, and no values file of the app's sets `{path}`: check that the chart \
                 reads the image there"
            )),
            None => {}
        }
    }
    Ok(())
}

/// Refuses the edit unless the operator object reads the image's values after every other
/// values file, so the promoted image wins.
fn reads_image_last(request: &Request, root: &Path, target: &HelmTarget) -> Result<(), Error> {
    let (file, wanted, last, what) = match &target.reader {
        HelmReader::Flux { release } => {
            let file = format!("{release}/{}", tree::HELM_RELEASE_FILE);
            let text = read_overlay(request, root, &file)?;
            let last = last_values_from(&text);
            (file, target.config_map.clone(), last, "the ConfigMap")
        }
        HelmReader::Argocd { application } => {
            let text = read_overlay(request, root, application)?;
            let last = last_in(&text, &["spec", "sources", "0", "helm", "valueFiles"]);
            let wanted = format!("$values/{}", target.image_values);
            (application.clone(), wanted, last, "the values file")
        }
        HelmReader::ArgocdInstances { application_set } => {
            let text = read_overlay(request, root, application_set)?;
            let last = last_in(
                &text,
                &[
                    "spec",
                    "template",
                    "spec",
                    "sources",
                    "0",
                    "helm",
                    "valueFiles",
                ],
            );
            // The instance's file as the ApplicationSet's template names every instance's.
            let name = target.image_values.rsplit('/').next().unwrap_or_default();
            let wanted = format!("$values/{}/{name}", tree::argocd_instance_folder());
            (application_set.clone(), wanted, last, "the values file")
        }
        HelmReader::Fleet { options, base } => {
            let text = read_overlay(request, root, options)?;
            let last = last_in(&text, &["helm", "valuesFiles"]);
            let wanted = tree::relative(base, &target.image_values);
            (options.clone(), wanted, last, "the values file")
        }
    };
    let last = last.map_err(|why| Error::Usage(format!("cannot read `{file}`: {why}")))?;
    if last.as_deref() != Some(wanted.as_str()) {
        return Err(Error::Usage(format!(
            "`{file}` does not read {what} `{wanted}` last, so the promoted image would not win \
             over the other values; run `gitops-gen generate` and commit it first"
        )));
    }
    Ok(())
}

/// The last item of the list at `path` (mapping keys, or a list index) in the first document.
fn last_in(text: &str, path: &[&str]) -> Result<Option<String>, String> {
    let docs = crate::yaml::parse(text).map_err(|e| e.message)?;
    let mut at = docs.first();
    for step in path {
        at = at.and_then(|node| match step.parse::<usize>() {
            Ok(index) => node.as_seq().and_then(|items| items.get(index)),
            Err(_) => node.as_map().and_then(|m| m.get(step)),
        });
    }
    Ok(at
        .and_then(Node::as_seq)
        .and_then(<[Node]>::last)
        .and_then(Node::scalar_text))
}

/// The name of the last `spec.valuesFrom` entry of a HelmRelease.
fn last_values_from(text: &str) -> Result<Option<String>, String> {
    let docs = crate::yaml::parse(text).map_err(|e| e.message)?;
    Ok(docs
        .first()
        .and_then(Node::as_map)
        .and_then(|m| m.get("spec"))
        .and_then(Node::as_map)
        .and_then(|m| m.get("valuesFrom"))
        .and_then(Node::as_seq)
        .and_then(<[Node]>::last)
        .and_then(Node::as_map)
        .and_then(|m| m.get("name"))
        .and_then(Node::scalar_text))
}
