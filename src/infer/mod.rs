//! INFER stage: small rules, one per file, that turn read pipelines (and the scripts their steps
//! call) into facts with evidence, and the resolution of those facts into decisions.
//!
//! The flow is an [`Inferrer`] (one traversal, `engine::visit` of each pipeline as it is read,
//! each rule hooking in, then `engine::finish`) → [`Facts`] → `resolve::resolve` →
//! `resolve::Inference`, the typed result the analysis document and later `migrate` read. Rules
//! never read files: the engine reads the scripts and Makefiles steps call.

pub(crate) mod commands;
pub(crate) mod engine;
mod environment_name;
pub(crate) mod expression;
pub(crate) mod facts;
pub(crate) mod groups;
mod jenkins_when;
pub(crate) mod keys;
pub(crate) mod resolve;
mod rule_id;
pub(crate) mod rules;
pub(crate) mod shell;
mod spelled;
pub(crate) mod switched_off;
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
}

/// Every rule's facts about `pipelines`, whose scripts may call files of `files`.
#[cfg(test)]
pub(crate) fn infer(pipelines: &[Pipeline], files: &dyn RepoFiles) -> Facts {
    let mut inferrer = Inferrer::new();
    for pipeline in pipelines {
        inferrer.visit(pipeline, files);
    }
    inferrer.finish(&Context { pipelines })
}

/// The rules over pipelines given one at a time, as they are read, so a caller can let go of
/// what only the rules read (a pipeline's steps) before the next is read.
pub(crate) struct Inferrer {
    rules: Vec<Box<dyn engine::Rule>>,
    facts: Facts,
}

impl Inferrer {
    pub(crate) fn new() -> Inferrer {
        Inferrer {
            rules: rules::rules(),
            facts: Facts::default(),
        }
    }

    /// Runs the rules over `pipeline`, the next one read; its scripts may call files of `files`.
    pub(crate) fn visit(&mut self, pipeline: &Pipeline, files: &dyn RepoFiles) {
        engine::visit(pipeline, files, &mut self.rules, &mut self.facts);
    }

    /// The facts, once `cx` holds every pipeline visited, in the order visited. The rules'
    /// last step reads the pipelines' jobs and triggers, not their steps.
    pub(crate) fn finish(mut self, cx: &Context<'_>) -> Facts {
        engine::finish(cx, &mut self.rules, &mut self.facts);
        self.facts
    }
}
