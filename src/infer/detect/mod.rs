//! INFER stage: detection rules. They find the steps that deploy to a cluster (scripts and
//! packaged steps), image builds, test commands, the cluster credentials CI holds, and the
//! environment names deploy commands reveal. One rule per file; [`walk`] and the vocabulary in
//! [`crate::infer::vocab`] are shared.

mod cluster_credentials;
mod deploy_action;
mod deploy_command;
mod environment_from_command;
mod image_build;
mod test_command;
pub(crate) mod walk;

use crate::infer::Rule;

/// Every detection rule, in a stable order.
pub fn rules() -> Vec<Box<dyn Rule>> {
    vec![
        Box::new(deploy_command::DeployCommand),
        Box::new(deploy_action::DeployAction),
        Box::new(image_build::ImageBuild),
        Box::new(test_command::TestCommand),
        Box::new(cluster_credentials::ClusterCredentials),
        Box::new(environment_from_command::EnvironmentFromCommand),
    ]
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
                "environment-from-command"
            ]
        );
        for r in rules() {
            assert!(r.id().chars().all(|c| c.is_ascii_lowercase() || c == '-'));
            assert!(!r.describe().is_empty());
        }
    }
}
