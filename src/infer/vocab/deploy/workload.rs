//! INFER stage: the workload a `kubectl`/`oc` command changes (`set image deployment/web-prod`),
//! whose name may carry the environment's tier word.

use super::DeployTool;

/// Kinds whose objects are workloads (`deployment/web`, `dc web`).
const WORKLOAD_KINDS: &[&str] = &[
    "deployment",
    "deployments",
    "deploy",
    "statefulset",
    "statefulsets",
    "sts",
    "daemonset",
    "daemonsets",
    "ds",
    "deploymentconfig",
    "dc",
    "cronjob",
    "cronjobs",
    "cj",
];

/// The workload named by the positionals after a verb: `deployment/web` or `deployment web`
/// (a `kind.group` kind counts by its first part).
fn workload(after_verb: &[&str]) -> Option<String> {
    let first = after_verb.first()?;
    let (kind, name) = match first.split_once('/') {
        Some((kind, name)) => (kind, Some(name).filter(|n| !n.is_empty())),
        None => (*first, after_verb.get(1).copied()),
    };
    let kind = kind.split('.').next().unwrap_or(kind).to_ascii_lowercase();
    WORKLOAD_KINDS
        .contains(&kind.as_str())
        .then(|| name.map(str::to_owned))
        .flatten()
}

/// The workload a `kubectl`/`oc` `set`, `patch`, `rollout` or `scale` (the `verb`) changes,
/// from the command's `positionals` (the verb's words first).
pub(super) fn changed(tool: DeployTool, verb: &[&str], positionals: &[&str]) -> Option<String> {
    let changes = matches!(tool, DeployTool::Kubectl | DeployTool::Oc)
        && ["set", "patch", "rollout", "scale"]
            .iter()
            .any(|v| verb.first() == Some(v));
    positionals
        .get(verb.len()..)
        .filter(|_| changes)
        .and_then(workload)
}
