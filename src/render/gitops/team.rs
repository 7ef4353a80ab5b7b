//! RENDER stage: the team's own manifests an app's `deploy` points at (`kustomize:` a base,
//! `manifests:` a folder). They are read, never written: the folder listing decides what the
//! seeded `kustomization.yaml` of a manifests folder lists, a base must already be one, and the
//! app's image must be one they run, spelled as they spell it, or promotion would edit an
//! `images:` entry Kustomize never applies.

use std::path::Path;

use crate::error::Error;
use crate::files::{inputs, safe_read};
use crate::model::decode::qualified_repository;
use crate::model::{App, GITLAB_ROOT_PIPELINE, Helm};
use crate::render::ci::{gitlab, gitlab_root};
use crate::render::output::Outputs;
use crate::render::{MANAGED_MARKER, Ownership};
use crate::sources;
use crate::sources::KUSTOMIZATION_NAMES;
use crate::sources::kustomize::{self as images, Rendered};

/// The repository the model's paths are relative to; `None` renders without one (tests, fuzzing),
/// where apps that point at the team's files are refused.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TeamFiles<'a> {
    root: Option<&'a Path>,
}

impl<'a> TeamFiles<'a> {
    pub(crate) fn new(root: Option<&'a Path>) -> TeamFiles<'a> {
        TeamFiles { root }
    }

    /// The repository's `.gitlab-ci.yml` with an `include:` of `file` (gitops-gen's pipeline)
    /// and gitops-gen's stages: the team's file edited in place, or a new managed one when there
    /// is none or gitops-gen wrote it as the whole pipeline.
    pub(crate) fn gitlab_root(&self, file: &str, out: &mut Outputs) -> Result<(), Error> {
        let stages = gitlab::stage_names(true);
        let path = GITLAB_ROOT_PIPELINE.to_owned();
        let existing = match self.root {
            None => None,
            // Read as every team file is: a regular file, not through a link, bounded in size.
            Some(root) => {
                match inputs::read_text(root, GITLAB_ROOT_PIPELINE, safe_read::Symlinks::Refuse) {
                    Ok(text) => Some(text),
                    Err(safe_read::Unreadable::Missing) => None,
                    Err(why) => {
                        return Err(Error::Usage(format!(
                            "cannot include gitops-gen's pipeline: {GITLAB_ROOT_PIPELINE} {why}"
                        )));
                    }
                }
            }
        };
        match existing {
            Some(base) if !base.starts_with(MANAGED_MARKER) => {
                let body = gitlab_root::edited(&base, file, &stages).map_err(|why| {
                    Error::Usage(format!("cannot include gitops-gen's pipeline: {why}"))
                })?;
                out.text(path, body, Ownership::TeamEdit { base })
            }
            _ => out.text(path, gitlab_root::fresh(file, &stages), Ownership::Managed),
        }
    }

    /// The manifest files in `dir` as `kubectl apply -f <dir>` reads them: `.yaml`, `.yml` and
    /// `.json` files directly in the folder (not below it), sorted by name; a kustomization file
    /// is not a manifest. They must run `app`'s image.
    pub(crate) fn manifests(&self, app: &App, dir: &str) -> Result<Vec<String>, Error> {
        let what = format!("`deploy.manifests` `{dir}` of app `{}`", app.name.value);
        let root = self.folder(&what, dir)?;
        let files = images::manifest_files(root, dir, &what)?;
        if files.is_empty() {
            return Err(Error::Usage(format!(
                "{what} holds no `.yaml`, `.yml` or `.json` manifest"
            )));
        }
        runs_image(app, &what, images::of_files(root, dir, &files)?)?;
        Ok(files)
    }

    /// The manifest files directly in `dir` (repository-relative; `.yaml`, `.yml`, `.json`, as
    /// `kubectl apply -f` takes them), as `<folder>/<file>` entries of the kustomization beside
    /// `dir`, sorted; none when the folder is not there (or there is no repository).
    pub(crate) fn sealed_secrets(&self, dir: &str) -> Result<Vec<String>, Error> {
        let Some(root) = self.root else {
            return Ok(Vec::new());
        };
        if !inputs::is_dir(root, dir) {
            return Ok(Vec::new());
        }
        let folder = dir.rsplit('/').next().unwrap_or(dir);
        let names = images::manifest_files(root, dir, &format!("`{dir}`"))?;
        Ok(names.into_iter().map(|n| format!("{folder}/{n}")).collect())
    }

    /// Checks that `dir` is a Kustomize base (it holds a kustomization file) that runs `app`'s
    /// image.
    pub(crate) fn kustomize_base(&self, app: &App, dir: &str) -> Result<(), Error> {
        let what = format!("`deploy.kustomize` `{dir}` of app `{}`", app.name.value);
        let root = self.folder(&what, dir)?;
        if !KUSTOMIZATION_NAMES
            .iter()
            .any(|name| inputs::is_file(root, &format!("{dir}/{name}")))
        {
            return Err(Error::Usage(format!(
                "{what} has no `kustomization.yaml`; for a folder of plain manifests use \
                 `deploy: {{manifests: {dir}}}`"
            )));
        }
        runs_image(app, &what, images::of_base(root, dir)?)
    }

    /// Checks that a scaffolded base gitops-gen seeded earlier, and that is the user's now,
    /// still runs `app`'s image (a base not written yet will, and none is checked without a
    /// repository).
    pub(crate) fn scaffold(&self, app: &App, dir: &str) -> Result<(), Error> {
        let Some(root) = self.root else {
            return Ok(());
        };
        if !KUSTOMIZATION_NAMES
            .iter()
            .any(|name| inputs::is_file(root, &format!("{dir}/{name}")))
        {
            return Ok(());
        }
        let what = format!("the base `{dir}` of app `{}`", app.name.value);
        runs_image(app, &what, images::of_base(root, dir)?)
    }

    /// Checks a Helm app's files: a chart in the repository is a chart, every values file is a
    /// mapping of values, and the image's tag (and repository, when the model names its path)
    /// lands on a key the chart takes: its default values or values schema declare it, or the
    /// team's values files set it. A chart from a chart repository cannot be read offline; then
    /// only the team's values files are checked.
    pub(crate) fn helm(&self, app: &App, helm: &Helm) -> Result<(), Error> {
        let name = &app.name.value;
        let what = format!("the Helm chart `{}` of app `{name}`", helm.chart);
        let Some(root) = self.root else {
            return Err(Error::Usage(format!(
                "{what} is read from the repository, and none was given"
            )));
        };
        let files = helm.values.iter().chain(helm.values_by_env.values());
        let mut layers = Vec::new();
        for file in files {
            if !inputs::is_file(root, file) {
                return Err(Error::Usage(format!(
                    "the values file `{file}` of app `{name}` is not a file of the repository"
                )));
            }
            layers.push(sources::helm::layer(root, file)?);
        }
        if helm.repository.is_some() {
            return Ok(());
        }
        let paths = std::iter::once(&helm.image_path).chain(&helm.image_repository_path);
        for path in paths {
            let declared =
                sources::helm::declares(root, &helm.chart, path).map_err(|e| match e {
                    Error::Usage(why) => Error::Usage(format!("app `{name}`: {why}")),
                    other => other,
                })?;
            let set = layers
                .iter()
                .any(|l| sources::helm::lookup(std::slice::from_ref(l), path).is_some());
            if declared == sources::helm::Declared::No && !set {
                return Err(Error::Usage(format!(
                    "{what} takes no value at `{path}`: neither its values.yaml, its \
                     values.schema.json nor the app's values files set it, so promotion would \
                     change nothing; set `deploy.helm.image_path` (and `image_repository_path`) \
                     to where the chart reads the image"
                )));
            }
        }
        Ok(())
    }

    fn folder(&self, what: &str, dir: &str) -> Result<&'a Path, Error> {
        let Some(root) = self.root else {
            return Err(Error::Usage(format!(
                "{what} is read from the repository, and none was given"
            )));
        };
        if !inputs::is_dir(root, dir) {
            return Err(Error::Usage(format!(
                "{what} is not a folder of the repository"
            )));
        }
        Ok(root)
    }
}

/// Refuses a source that does not run `app.image` as written: the overlays' `images:` entry
/// would match nothing and a promotion would change nothing. A source that pulls in remote
/// resources may run it there, which cannot be seen offline; it is let through.
fn runs_image(app: &App, what: &str, found: Rendered) -> Result<(), Error> {
    let repositories = found.repositories();
    if repositories.contains(&app.image) || !found.remote.is_empty() {
        return Ok(());
    }
    let wanted = app.pushed_image();
    if let Some(spelled) = repositories
        .iter()
        .find(|r| qualified_repository(r) == wanted)
    {
        return Err(Error::Usage(format!(
            "{what} runs the image as `{spelled}`, and the model says `{}`: Kustomize matches \
             image names as written, so promotion would change nothing; write `image: {spelled}` \
             in the app",
            app.image
        )));
    }
    let runs = images::in_words(&repositories);
    // `image: $IMAGE` filled in by `envsubst` in the old pipeline: the operator applies the
    // files as they are, so the image has to be written there.
    let placeholder = repositories.iter().any(|r| r.contains('$'));
    let help = if placeholder {
        format!(
            "write `{}:<tag>` in the manifests where the old pipeline substituted a variable",
            app.image
        )
    } else {
        "set the app's `image:` to the repository its manifests use".to_owned()
    };
    Err(Error::Usage(format!(
        "{what} never runs the app's image `{}` (it runs {runs}), so promotion would change \
         nothing; {help}",
        app.image
    )))
}
