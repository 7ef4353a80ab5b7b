//! READ stage (tests only): an in-memory repository and a helper to read one workflow from it.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::source::{Pipeline, ReadDiagnostic, Reader, RepoFiles};

use super::GithubReader;

/// Path of the workflow that [`read_one`] reads.
pub(crate) const WORKFLOW: &str = ".github/workflows/ci.yml";

/// Repository files held in memory.
#[derive(Default)]
pub(crate) struct MemRepo {
    files: BTreeMap<String, String>,
}

impl MemRepo {
    /// A repository holding `src` at [`WORKFLOW`].
    pub(crate) fn workflow(src: &str) -> MemRepo {
        MemRepo::default().with(WORKFLOW, src)
    }

    /// Adds a file.
    pub(crate) fn with(mut self, path: &str, src: &str) -> MemRepo {
        self.files.insert(path.to_owned(), src.to_owned());
        self
    }
}

impl RepoFiles for MemRepo {
    fn read(&self, path: &str) -> Option<Arc<str>> {
        self.files.get(path).map(|s| Arc::from(s.as_str()))
    }

    fn glob(&self, pattern: &str) -> Vec<String> {
        // Only `prefix*` patterns; the reader never globs.
        let prefix = pattern.split('*').next().unwrap_or("");
        self.files
            .keys()
            .filter(|k| k.starts_with(prefix))
            .cloned()
            .collect()
    }
}

/// Reads [`WORKFLOW`] from `repo`.
pub(crate) fn read_one(repo: &MemRepo) -> (Option<Pipeline>, Vec<ReadDiagnostic>) {
    let mut diags = Vec::new();
    let p = GithubReader.read(WORKFLOW, repo, &mut diags);
    (p, diags)
}
