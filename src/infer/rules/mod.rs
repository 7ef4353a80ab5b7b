//! INFER stage: the rules, one file per rule id (file name = rule id with `_` for `-`).
//!
//! Detection rules find the steps that deploy to a cluster (scripts and packaged steps), image
//! builds, test commands, the cluster credentials CI holds, and the environment names deploy
//! commands reveal. The environment rules that need every fact (the job-name fallback and the
//! triggers) do their work in `finish`, after the traversal. The order they run in, and why, is
//! written where the engine runs them (`engine::visit`).

mod cluster_credentials;
mod deploy_action;
mod deploy_command;
pub(crate) mod environment_from_command;
mod environment_from_event;
mod environment_from_job;
mod environment_from_job_name;
pub(crate) mod environment_name_from_command;
pub(crate) mod environment_triggers;
mod image_build;
mod secret_to_cluster;
mod test_command;

use crate::infer::engine::Rule;

/// Every rule the engine runs, in the order it calls them: the order of
/// [`RuleId`](crate::infer::RuleId)'s variants.
/// `environment-name-from-command` is not among them: it is the naming
/// `environment-from-command` applies to each hint it creates.
pub(crate) fn rules() -> Vec<Box<dyn Rule>> {
    vec![
        Box::new(deploy_command::DeployCommand::default()),
        Box::new(deploy_action::DeployAction::default()),
        Box::new(image_build::ImageBuild::default()),
        Box::new(test_command::TestCommand),
        Box::new(cluster_credentials::ClusterCredentials::default()),
        Box::new(secret_to_cluster::SecretToCluster::default()),
        Box::new(environment_from_command::EnvironmentFromCommand::default()),
        Box::new(environment_from_event::EnvironmentFromEvent::default()),
        Box::new(environment_from_job::EnvironmentFromJob),
        Box::new(environment_from_job_name::EnvironmentFromJobName::default()),
        Box::new(environment_triggers::EnvironmentTriggers),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infer::RuleId;

    const DOCS: &str = include_str!("../../../docs/inference.md");

    /// The rule ids docs/inference.md#order lists, in its order: the links of the numbered list
    /// that follows the anchor.
    fn documented_order() -> Vec<&'static str> {
        let section = DOCS
            .split("<a id=\"order\"></a>")
            .nth(1)
            .unwrap_or_default();
        let list = section
            .split("\n\n")
            .find(|block| block.trim_start().starts_with("1."))
            .unwrap_or_default();
        list.split("](#")
            .skip(1)
            .filter_map(|link| link.split(')').next())
            .collect()
    }

    #[test]
    fn the_engine_runs_the_rules_in_id_order_and_the_docs_say_so() {
        let ran: Vec<RuleId> = rules().iter().map(|r| r.id()).collect();
        assert_eq!(ran, RuleId::ALL);
        let spelled: Vec<&str> = ran.iter().map(|id| id.as_str()).collect();
        assert_eq!(documented_order(), spelled, "docs/inference.md#order");
    }

    #[test]
    fn every_rule_id_is_kebab_case_and_has_an_anchor() {
        let ids = RuleId::ALL.iter().map(|id| id.as_str());
        // Not a pass of its own (see `rules()`), but documented like one.
        for id in ids.chain(["environment-name-from-command"]) {
            assert!(id.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
            assert!(
                DOCS.contains(&format!("<a id=\"{id}\"></a>")),
                "docs/inference.md has no anchor for {id}"
            );
        }
    }
}
