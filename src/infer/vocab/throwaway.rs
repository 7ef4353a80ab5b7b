//! Throwaway clusters: a job that starts its own cluster on the runner (kind, k3d, minikube, a
//! k3s action) and then applies manifests to it is testing them, not deploying anywhere that
//! lasts. The engine reads a job's commands and packaged steps with [`starts_cluster`] and
//! [`starts_cluster_step`] once, and its deploy-looking commands are not deploys.

use crate::infer::shell::Command;

use super::actions::normalize_uses;

/// Packaged steps that start a cluster on the runner (normalised references).
const CLUSTER_STEPS: &[&str] = &[
    "helm/kind-action",
    "engineerd/setup-kind",
    "container-tools/kind-action",
    "absaoss/k3d-action",
    "nolar/setup-k3d-k3s",
    "rinx/setup-k3d",
    "jupyterhub/action-k3s-helm",
    "debianmaster/actions-k3s",
    "medyagh/setup-minikube",
    "manusa/actions-setup-minikube",
];

/// Whether `cmd` starts a cluster on the runner: `kind create cluster`, `k3d cluster create`,
/// `minikube start`, `ctlptl create cluster`.
pub(crate) fn starts_cluster(cmd: &Command) -> bool {
    let words: Vec<&str> = cmd.words.iter().map(|w| w.text.as_str()).collect();
    match (cmd.program(), words.get(1..).unwrap_or_default()) {
        (Some("kind"), [create, cluster, ..]) => *create == "create" && *cluster == "cluster",
        (Some("k3d"), [cluster, create, ..]) => *cluster == "cluster" && *create == "create",
        (Some("minikube"), [start, ..]) => *start == "start",
        (Some("ctlptl"), [create, ..]) => *create == "create",
        _ => false,
    }
}

/// Whether the packaged step `uses` starts a cluster on the runner.
pub(crate) fn starts_cluster_step(uses: &str) -> bool {
    CLUSTER_STEPS.contains(&normalize_uses(uses).as_str())
}
