//! RENDER stage: the team's own manifests an app's `deploy` points at (`kustomize:` a base,
//! `manifests:` a folder). They are read, never written: the folder listing decides what the
//! seeded `kustomization.yaml` of a manifests folder lists, and a base must already be one.

use std::path::Path;

use crate::error::Error;

/// Kustomization file names, as Kustomize looks for them.
const KUSTOMIZATION_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

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

    /// The manifest files in `dir` as `kubectl apply -f <dir>` reads them: `.yaml`, `.yml` and
    /// `.json` files directly in the folder (not below it), sorted by name; a kustomization file
    /// is not a manifest.
    pub(crate) fn manifests(&self, app: &str, dir: &str) -> Result<Vec<String>, Error> {
        let what = format!("`deploy.manifests` `{dir}` of app `{app}`");
        let entries = std::fs::read_dir(self.folder(&what, dir)?)
            .map_err(|e| Error::Usage(format!("{what} cannot be listed: {e}")))?;
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::Usage(format!("{what} cannot be listed: {e}")))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                return Err(Error::Usage(format!(
                    "{what} holds a file whose name is not UTF-8 ({:?}); rename it",
                    entry.file_name()
                )));
            };
            let manifest = [".yaml", ".yml", ".json"].iter().any(|x| name.ends_with(x))
                && !KUSTOMIZATION_NAMES.contains(&name);
            // `metadata` follows a symlink as kubectl does; a folder named `x.yaml` is not read.
            if manifest && entry.path().metadata().is_ok_and(|m| m.is_file()) {
                files.push(name.to_owned());
            }
        }
        if files.is_empty() {
            return Err(Error::Usage(format!(
                "{what} holds no `.yaml`, `.yml` or `.json` manifest"
            )));
        }
        files.sort();
        Ok(files)
    }

    /// Checks that `dir` is a Kustomize base: it holds a kustomization file.
    pub(crate) fn kustomize_base(&self, app: &str, dir: &str) -> Result<(), Error> {
        let what = format!("`deploy.kustomize` `{dir}` of app `{app}`");
        let folder = self.folder(&what, dir)?;
        if KUSTOMIZATION_NAMES
            .iter()
            .any(|name| folder.join(name).is_file())
        {
            return Ok(());
        }
        Err(Error::Usage(format!(
            "{what} has no `kustomization.yaml`; for a folder of plain manifests use \
             `deploy: {{manifests: {dir}}}`"
        )))
    }

    fn folder(&self, what: &str, dir: &str) -> Result<std::path::PathBuf, Error> {
        let Some(root) = self.root else {
            return Err(Error::Usage(format!(
                "{what} is read from the repository, and none was given"
            )));
        };
        let folder = root.join(dir);
        if !folder.is_dir() {
            return Err(Error::Usage(format!(
                "{what} is not a folder of the repository"
            )));
        }
        Ok(folder)
    }
}
