//! INFER stage: the rules, one file per rule id (file name = rule id with `_` for `-`).
//!
//! Detection rules find the steps that deploy to a cluster (scripts and packaged steps), image
//! builds, test commands, the cluster credentials CI holds, and the environment names deploy
//! commands reveal. The environment rules run after them, so they can see which jobs deploy and
//! which namespaces, values files or overlays their commands name.

mod cluster_credentials;
mod deploy_action;
mod deploy_command;
mod environment_from_command;
mod environment_from_job;
mod environment_from_job_name;
pub(crate) mod environment_name_from_command;
pub(crate) mod environment_triggers;
mod image_build;
mod test_command;

use crate::infer::{EnvironmentHint, Facts, Rule};

/// Every rule, in the order they must run: detection first, then environments.
pub(crate) fn rules() -> Vec<Box<dyn Rule>> {
    vec![
        Box::new(deploy_command::DeployCommand),
        Box::new(deploy_action::DeployAction),
        Box::new(image_build::ImageBuild),
        Box::new(test_command::TestCommand),
        Box::new(cluster_credentials::ClusterCredentials),
        Box::new(environment_from_command::EnvironmentFromCommand),
        Box::new(environment_name_from_command::EnvironmentNameFromCommand),
        Box::new(environment_from_job::EnvironmentFromJob),
        Box::new(environment_from_job_name::EnvironmentFromJobName),
        Box::new(environment_triggers::EnvironmentTriggers),
    ]
}

/// How much a hint's source says about the job's environment; lower is stronger.
pub(crate) fn source_rank(source: &str) -> u8 {
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
pub(crate) fn job_environments<'f>(
    facts: &'f Facts,
    file: &str,
    job: &str,
) -> Vec<&'f EnvironmentHint> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_unique_kebab_case() {
        let ids: Vec<&str> = rules().iter().map(|r| r.id()).collect();
        assert_eq!(
            ids,
            [
                "deploy-command",
                "deploy-action",
                "image-build",
                "test-command",
                "cluster-credentials",
                "environment-from-command",
                "environment-name-from-command",
                "environment-from-job",
                "environment-from-job-name",
                "environment-triggers"
            ]
        );
        for r in rules() {
            assert!(r.id().chars().all(|c| c.is_ascii_lowercase() || c == '-'));
            assert!(!r.describe().is_empty());
        }
    }
}
