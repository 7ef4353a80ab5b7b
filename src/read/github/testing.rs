//! READ stage (tests only): builds in-memory repositories around one workflow and reads it.

use crate::files::Diagnostic;
use crate::files::repo::MemRepo;
use crate::read::Pipeline;
use crate::read::support::test_support;

use super::GithubReader;

/// Path of the workflow that [`read_one`] reads.
pub(crate) const WORKFLOW: &str = ".github/workflows/ci.yml";

/// Builder methods on [`MemRepo`] for workflow tests.
pub(crate) trait WorkflowRepo: Sized {
    /// A repository holding `src` at [`WORKFLOW`].
    fn workflow(src: &str) -> Self;

    /// Adds (or replaces) a file.
    fn with(self, path: &str, src: &str) -> Self;
}

impl WorkflowRepo for MemRepo {
    fn workflow(src: &str) -> MemRepo {
        MemRepo::default().with(WORKFLOW, src)
    }

    fn with(mut self, path: &str, src: &str) -> MemRepo {
        self.0.insert(path.to_owned(), src.to_owned());
        self
    }
}

/// Reads [`WORKFLOW`] from `repo`.
pub(crate) fn read_one(repo: &MemRepo) -> (Option<Pipeline>, Vec<Diagnostic>) {
    test_support::read_repo(&GithubReader, WORKFLOW, repo)
}
