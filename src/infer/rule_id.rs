//! INFER stage: [`RuleId`], which rule produced a fact. It is the `rule` of every piece of
//! evidence (in facts and in the analysis document) and the anchor of the rule's section in
//! docs/inference.md.
//!
//! The variants are declared in the order the engine runs the rules (`rules::rules()`), and
//! docs/inference.md#order lists them in that order too; the test in `rules` checks all three
//! against each other and that every id has its anchor.

use crate::infer::spelled::spelled_enum;

spelled_enum! {
    /// The id of a detection rule, spelled as its anchor in docs/inference.md.
    pub(crate) enum RuleId {
        DeployCommand => "deploy-command",
        DeployAction => "deploy-action",
        ImageBuild => "image-build",
        TestCommand => "test-command",
        ClusterCredentials => "cluster-credentials",
        SecretToCluster => "secret-to-cluster",
        /// Also names the hints `environment-name-from-command` renames, which is no pass of
        /// its own and so no id of its own.
        EnvironmentFromCommand => "environment-from-command",
        EnvironmentFromEvent => "environment-from-event",
        EnvironmentFromJob => "environment-from-job",
        EnvironmentFromJobName => "environment-from-job-name",
        EnvironmentTriggers => "environment-triggers",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        crate::infer::spelled::check_spellings(RuleId::ALL);
    }
}
