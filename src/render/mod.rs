//! RENDER stage: model → typed view models → text, one [`OutputFile`] per generated file.
//!
//! Rendering is a pure function of the [`Config`]; nothing here reads the files it produces.
//! Every YAML output is parsed again before it is returned, so a template bug surfaces as an
//! internal error instead of a broken file on disk.

pub(crate) mod flux;
pub(crate) mod github;
pub(crate) mod gitlab;
pub(crate) mod header;
pub(crate) mod install;
pub(crate) mod pins;
pub(crate) mod templates;
pub(crate) mod validate;

use std::path::Path;

use serde::Serialize;

use crate::error::Error;
use crate::model::{Config, Deploy};
use crate::render::templates::Templates;

/// Who owns a generated file after it is written.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Ownership {
    /// Regenerated on every `generate`; carries header and fingerprint.
    Managed,
    /// Written once when missing, then the user's (app manifests, overlays promotion edits).
    Seeded,
}

/// One file `generate` wants to exist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OutputFile {
    /// Path relative to the repository root, `/`-separated.
    pub path: String,
    /// Full contents, header included.
    pub contents: String,
    /// Managed or seeded.
    pub ownership: Ownership,
}

/// Renders everything the model produces, sorted by path.
pub(crate) fn render(config: &Config, repo_root: Option<&Path>) -> Result<Vec<OutputFile>, Error> {
    if let Some(Deploy::Helm { chart, .. }) = config
        .apps
        .iter()
        .map(|a| &a.deploy)
        .find(|d| matches!(d, Deploy::Helm { .. }))
    {
        return Err(Error::Usage(format!(
            "app deploy `helm: {chart}` is modelled but not rendered by this release; \
             use `deploy: {{kustomize: <dir>}}` for now"
        )));
    }
    let templates = Templates::load(repo_root)?;
    let mut out = Vec::new();
    if config.ci.github {
        let view = github::GithubWorkflowView::new(config);
        out.push(managed(
            &templates,
            github::TEMPLATE,
            github::OUTPUT,
            &view,
        )?);
        if let Some(view) = github::GithubPromoteView::new(config) {
            out.push(managed(
                &templates,
                github::PROMOTE_TEMPLATE,
                github::PROMOTE_OUTPUT,
                &view,
            )?);
        }
    }
    if config.ci.gitlab {
        let view = gitlab::GitlabCiView::new(config);
        out.push(managed(
            &templates,
            gitlab::TEMPLATE,
            gitlab::OUTPUT,
            &view,
        )?);
    }
    flux::render(config, &templates, &mut out)?;
    out.sort_by(|a, b| a.path.cmp(&b.path));
    if let Some(pair) = out.windows(2).find(|w| w[0].path == w[1].path) {
        return Err(Error::Internal(format!(
            "two outputs claim `{}`",
            pair[0].path
        )));
    }
    Ok(out)
}

/// Renders a managed YAML file.
fn managed<V: Serialize>(
    templates: &Templates,
    template: &str,
    path: &str,
    view: &V,
) -> Result<OutputFile, Error> {
    let body = render_checked(templates, template, path, view)?;
    Ok(OutputFile {
        path: path.to_owned(),
        contents: header::managed(&body),
        ownership: Ownership::Managed,
    })
}

/// Renders a seeded YAML file with an explanatory comment.
fn seeded<V: Serialize>(
    templates: &Templates,
    template: &str,
    path: &str,
    view: &V,
    note: &str,
) -> Result<OutputFile, Error> {
    let body = render_checked(templates, template, path, view)?;
    Ok(OutputFile {
        path: path.to_owned(),
        contents: header::seeded(&body, note),
        ownership: Ownership::Seeded,
    })
}

/// Renders and re-parses; invalid output is the override's fault when the template is the
/// user's, and a gitops-gen bug otherwise.
fn render_checked<V: Serialize>(
    templates: &Templates,
    template: &str,
    path: &str,
    view: &V,
) -> Result<String, Error> {
    let body = templates.render(template, view)?;
    match reparse(path, &body) {
        Err(Error::Internal(message)) if templates.is_overridden(template) => {
            Err(Error::Template {
                name: template.to_owned(),
                message,
            })
        }
        other => other.map(|()| body),
    }
}

/// The self-check: generated YAML must parse, hold exactly one document and be a mapping.
fn reparse(path: &str, text: &str) -> Result<(), Error> {
    let docs = crate::yaml::parse(text).map_err(|e| {
        let line = text[..e.span.start.min(text.len())].matches('\n').count() + 1;
        let shown = text.lines().nth(line - 1).unwrap_or_default();
        Error::Internal(format!(
            "generated `{path}` is not valid YAML at line {line} ({shown:?}): {e}"
        ))
    })?;
    match docs.as_slice() {
        [doc] if doc.as_map().is_some() => Ok(()),
        _ => Err(Error::Internal(format!(
            "generated `{path}` is not a single YAML mapping"
        ))),
    }
}

/// Joins the GitOps tree root (`.` or a subdirectory) with a path inside it.
pub(crate) fn in_tree(root: &str, rel: &str) -> String {
    if root == "." {
        rel.to_owned()
    } else {
        format!("{root}/{rel}")
    }
}

/// Quotes a word for POSIX sh when it needs it (paths in GitLab `script:` lines).
pub(crate) fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:@%+=,".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The registry host of an image repository (`ghcr.io/acme/web` → `ghcr.io`).
pub(crate) fn registry_host(image: &str) -> &str {
    image.split('/').next().unwrap_or(image)
}
