//! INFER stage: environments and the triggers that deploy to them.
//!
//! These rules run after detection (`infer::detect`), so they can see which jobs deploy and
//! which namespaces, values files or overlays their commands name.

mod command_names;
mod from_job;
mod from_job_name;
pub mod tier;
pub mod triggers;

use crate::infer::{EnvironmentHint, Facts, Rule};

/// The environment rules, in the order they must run.
pub fn rules() -> Vec<Box<dyn Rule>> {
    vec![
        Box::new(command_names::EnvironmentNameFromCommand),
        Box::new(from_job::EnvironmentFromJob),
        Box::new(from_job_name::EnvironmentFromJobName),
        Box::new(triggers::EnvironmentTriggers),
    ]
}

/// How much a hint's source says about the job's environment; lower is stronger.
pub fn source_rank(source: &str) -> u8 {
    match source {
        "environment" => 0,
        "values-file" | "overlay" => 1,
        "namespace" | "context" => 2,
        "job-name" => 3,
        "stage-name" => 4,
        "credential" | "server" | "script-argument" => 5,
        _ => 6,
    }
}

/// The environments a job deploys to: the hints of its strongest source (several when a
/// matrix or an input expands one name into many).
pub fn job_environments<'f>(facts: &'f Facts, file: &str, job: &str) -> Vec<&'f EnvironmentHint> {
    let hints: Vec<&EnvironmentHint> = facts
        .environment_hints
        .iter()
        .filter(|h| h.file == file && h.job == job)
        .collect();
    let Some(best) = hints.iter().map(|h| source_rank(h.source)).min() else {
        return Vec::new();
    };
    let mut chosen: Vec<&EnvironmentHint> = hints
        .into_iter()
        .filter(|h| source_rank(h.source) == best)
        .collect();
    chosen.sort_by(|a, b| a.name.cmp(&b.name));
    chosen.dedup_by(|a, b| a.name == b.name);
    chosen
}
