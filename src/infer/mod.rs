//! INFER stage: small rules, one per file, that turn read pipelines (and the scripts their steps
//! call) into facts with evidence, and the resolution of those facts into decisions.
//!
//! The flow is `engine::run` (one traversal; each rule hooks in) → [`Facts`] →
//! `resolve::resolve` → `resolve::Inference`, the typed result the analysis document and later
//! `migrate` read. Rules never read files themselves except through [`Context`].

pub(crate) mod commands;
pub(crate) mod engine;
mod environment_name;
mod expression;
pub(crate) mod facts;
pub(crate) mod keys;
pub(crate) mod resolve;
mod rule_id;
pub(crate) mod rules;
pub(crate) mod shell;
mod spelled;
pub(crate) mod tier;
pub(crate) mod vocab;

pub(crate) use facts::*;
pub(crate) use keys::{CredentialScope, HintSource, JobKey};
pub(crate) use rule_id::RuleId;

use crate::files::RepoFiles;
use crate::read::Pipeline;

/// What the engine walks and what every rule can look at.
pub(crate) struct Context<'a> {
    /// Every pipeline read from the repository.
    pub pipelines: &'a [Pipeline],
    /// The repository's files (for scripts that CI steps call, values files, ...).
    pub files: &'a dyn RepoFiles,
}

/// Every rule's facts about `cx`'s pipelines.
pub(crate) fn infer(cx: &Context<'_>) -> Facts {
    engine::run(cx, &mut rules::rules())
}
