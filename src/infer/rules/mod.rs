//! INFER stage: the rules, one file per rule id (file name = rule id with `_` for `-`).
//!
//! Detection rules find the steps that deploy to a cluster (scripts and packaged steps), image
//! builds, test commands, the cluster credentials CI holds, and the environment names deploy
//! commands reveal. The environment rules that need every fact (the job-name fallback and the
//! triggers) do their work in `finish`, after the traversal. The order they run in, and why, is
//! written where the engine runs them (`engine::run`).

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

use crate::infer::engine::Rule;

/// Every rule the engine runs, in the order it calls them. `environment-name-from-command` is
/// not among them: it is the naming `environment-from-command` applies to each hint it creates.
pub(crate) fn rules() -> Vec<Box<dyn Rule>> {
    vec![
        Box::new(deploy_command::DeployCommand::default()),
        Box::new(deploy_action::DeployAction),
        Box::new(image_build::ImageBuild::default()),
        Box::new(test_command::TestCommand),
        Box::new(cluster_credentials::ClusterCredentials::default()),
        Box::new(environment_from_command::EnvironmentFromCommand::default()),
        Box::new(environment_from_job::EnvironmentFromJob),
        Box::new(environment_from_job_name::EnvironmentFromJobName::default()),
        Box::new(environment_triggers::EnvironmentTriggers),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_unique_kebab_case_and_documented() {
        let mut ids: Vec<&str> = rules().iter().map(|r| r.id()).collect();
        assert_eq!(
            ids,
            [
                "deploy-command",
                "deploy-action",
                "image-build",
                "test-command",
                "cluster-credentials",
                "environment-from-command",
                "environment-from-job",
                "environment-from-job-name",
                "environment-triggers"
            ]
        );
        ids.push("environment-name-from-command");
        let docs = include_str!("../../../docs/inference.md");
        for id in ids {
            assert!(id.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
            assert!(
                docs.contains(&format!("<a id=\"{id}\"></a>")),
                "docs/inference.md has no anchor for {id}"
            );
        }
    }
}
