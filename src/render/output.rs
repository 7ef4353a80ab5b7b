//! RENDER stage: the files rendering produces, and the self-check every YAML body passes before
//! it is written. Headers are the write stage's business (`write::header`): a body here is
//! exactly what the template rendered.
//!
//! The self-check ([`OutputFile::self_check`]) is a parse of the whole body, the largest part
//! of a `generate` that changes nothing. [`crate::render::render`] runs it on every file;
//! [`crate::render::render_deferred`] leaves it to the write stage, which runs it on the files
//! that differ from the disk: a body byte for byte the same as the one on disk was checked when
//! that was written.

use serde::Serialize;

use crate::error::Error;
use crate::model::decode::breaks_lines;
use crate::render::templates::Templates;

pub(crate) use crate::model::MANAGED_MARKER;

/// Who owns a generated file after it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Ownership {
    /// Regenerated on every `generate`; carries header and fingerprint.
    Managed,
    /// Written once when missing, then the user's (app manifests, overlays promotion edits).
    Seeded {
        /// Comment lines (each ending in a newline) that explain the file, after the header.
        note: String,
    },
    /// The team's file with gitops-gen's additions (the `include:` of the GitLab pipeline): no
    /// header, since the file stays theirs. The body is `base` edited; the write stage refuses
    /// when the file on disk is neither `base` nor the body any more.
    TeamEdit {
        /// The file as rendering read it.
        base: String,
    },
}

/// Which repository a generated file belongs in.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Home {
    /// The repository that holds `gitops-gen.yaml`.
    This,
    /// The separate `gitops.repository`: the operator's tree and that repository's own
    /// validation pipeline, written by `generate --gitops-checkout` and `gitops-gen sync`.
    Gitops,
}

/// One file `generate` wants to exist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OutputFile {
    /// Path relative to the root of its repository, `/`-separated.
    pub(crate) path: String,
    /// The rendered text, without the header.
    pub(crate) body: String,
    pub(crate) ownership: Ownership,
    pub(crate) home: Home,
    /// Until [`OutputFile::self_check`] passed: the template when the user overrode it, so a
    /// failure is the override's fault rather than a gitops-gen bug.
    pub(crate) unchecked: Option<Unchecked>,
}

/// A body not yet parsed back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Unchecked {
    /// The user's template that rendered it, if it was one.
    overridden: Option<String>,
}

impl OutputFile {
    /// The self-check: a generated YAML file must parse, hold exactly one document and be a
    /// mapping. Invalid output is the override's fault when the template is the user's, and a
    /// gitops-gen bug otherwise. Passes at once when the check ran already.
    pub(crate) fn self_check(&self) -> Result<(), Error> {
        let Some(unchecked) = &self.unchecked else {
            return Ok(());
        };
        match (reparse(&self.path, &self.body), &unchecked.overridden) {
            (Err(Error::Internal(message)), Some(name)) => Err(Error::Template {
                name: name.clone(),
                message,
            }),
            (other, _) => other,
        }
    }
}

/// Collects the files of one `generate` run, rendering and checking each.
pub(crate) struct Outputs<'t> {
    templates: &'t Templates,
    files: Vec<OutputFile>,
    /// Where the files added next belong.
    home: Home,
}

impl<'t> Outputs<'t> {
    /// No files yet.
    pub(crate) fn new(templates: &'t Templates) -> Outputs<'t> {
        Outputs {
            templates,
            files: Vec::new(),
            home: Home::This,
        }
    }

    /// Puts the files added from now on into `home`.
    pub(crate) fn set_home(&mut self, home: Home) {
        self.home = home;
    }

    /// Renders a managed file.
    pub(crate) fn managed<V: Serialize>(
        &mut self,
        template: &str,
        path: String,
        view: &V,
    ) -> Result<(), Error> {
        self.push(template, path, view, Ownership::Managed)
    }

    /// Renders a seeded file, explained by `note`.
    pub(crate) fn seeded<V: Serialize>(
        &mut self,
        template: &str,
        path: String,
        view: &V,
        note: String,
    ) -> Result<(), Error> {
        self.push(template, path, view, Ownership::Seeded { note })
    }

    /// Adds a file whose text was built in Rust rather than from a template (the team's
    /// `.gitlab-ci.yml` with gitops-gen's `include:`), checked like every output.
    pub(crate) fn text(
        &mut self,
        path: String,
        body: String,
        ownership: Ownership,
    ) -> Result<(), Error> {
        check_path(&path)?;
        self.files.push(OutputFile {
            path,
            body,
            ownership,
            home: self.home,
            unchecked: Some(Unchecked { overridden: None }),
        });
        Ok(())
    }

    fn push<V: Serialize>(
        &mut self,
        template: &str,
        path: String,
        view: &V,
        ownership: Ownership,
    ) -> Result<(), Error> {
        check_path(&path)?;
        let body = self.templates.render(template, view)?;
        let overridden = self
            .templates
            .is_overridden(template)
            .then(|| template.to_owned());
        self.files.push(OutputFile {
            path,
            body,
            ownership,
            home: self.home,
            unchecked: Some(Unchecked { overridden }),
        });
        Ok(())
    }

    /// Every file, sorted by repository, then path, self-check not run yet; two files at one
    /// path of one repository are a gitops-gen bug.
    pub(crate) fn finish(self) -> Result<Vec<OutputFile>, Error> {
        let mut files = self.files;
        files.sort_by(|a, b| (a.home, &a.path).cmp(&(b.home, &b.path)));
        if let Some(pair) = files
            .windows(2)
            .find(|w| w[0].home == w[1].home && w[0].path == w[1].path)
        {
            return Err(Error::Internal(format!(
                "two outputs claim `{}`",
                pair[0].path
            )));
        }
        Ok(files)
    }
}

/// Every output path, whatever the model said: relative, normalised (no empty, `.` or `..`
/// component), `/`-separated, free of line breaks and control characters, outside any `.git`.
/// The model refuses such paths at their line; this keeps a bypassed model inside the tree.
fn check_path(path: &str) -> Result<(), Error> {
    let component_ok =
        |c: &str| !c.is_empty() && c != "." && c != ".." && !c.eq_ignore_ascii_case(".git");
    let ok = !path.starts_with('/')
        && !path.contains('\\')
        && !path.chars().any(breaks_lines)
        && path.split('/').all(component_ok);
    if ok {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "refusing to write {path:?}: a generated file needs a normalised relative path inside \
             the repository and outside `.git`"
        )))
    }
}

/// What [`OutputFile::self_check`] checks.
fn reparse(path: &str, text: &str) -> Result<(), Error> {
    // The policies are Rego, checked by `policy check`'s tests instead.
    if !(path.ends_with(".yaml") || path.ends_with(".yml")) {
        return Ok(());
    }
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
