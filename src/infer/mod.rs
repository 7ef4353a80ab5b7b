//! INFER stage: small rules, one per file, that turn read pipelines and the repository layout
//! into facts with evidence. Rules never read files themselves except through [`Context`].

pub(crate) mod commands;
pub(crate) mod facts;
pub(crate) mod rules;
pub(crate) mod shell;
pub(crate) mod tier;
pub(crate) mod vocab;

pub(crate) use facts::*;

use crate::files::RepoFiles;
use crate::read::Pipeline;

/// What every rule can look at.
pub(crate) struct Context<'a> {
    /// Every pipeline read from the repository.
    pub pipelines: &'a [Pipeline],
    /// The repository's files (for scripts that CI steps call, values files, ...).
    pub files: &'a dyn RepoFiles,
}

/// One inference rule.
pub(crate) trait Rule {
    /// Stable id; also the anchor in docs/inference.md.
    fn id(&self) -> &'static str;
    /// One sentence: what the rule infers from what.
    fn describe(&self) -> &'static str;
    /// Adds facts.
    fn apply(&self, cx: &Context<'_>, facts: &mut Facts);
}
