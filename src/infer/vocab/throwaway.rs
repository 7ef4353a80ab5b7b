//! Throwaway clusters: a job that starts its own cluster on the runner (kind, k3d, minikube, a
//! k3s action) and then applies manifests to it is testing them, not deploying anywhere that
//! lasts. The engine reads a job's commands and packaged steps with [`starts_cluster`] and
//! [`starts_cluster_step`] once, and its deploy-looking commands are not deploys.

use crate::infer::shell::Command;

use super::actions::{normalize_uses, org_action_words};

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
/// `minikube start`, `ctlptl create cluster` or `ctlptl apply -f cluster.yaml`; MicroK8s or
/// Canonical Kubernetes installed from a snap (`snap install microk8s --classic`, which starts
/// it) or started (`microk8s start`, `microk8s.start`); k3s installed by its script (`curl -sfL
/// https://get.k3s.io | sh -`).
pub(crate) fn starts_cluster(cmd: &Command) -> bool {
    let words: Vec<&str> = cmd.words.iter().map(|w| w.text.as_str()).collect();
    let microk8s = cmd.wrappers.last().is_some_and(|w| w == "microk8s");
    match (cmd.program(), words.get(1..).unwrap_or_default()) {
        (Some("kind"), [create, cluster, ..]) => *create == "create" && *cluster == "cluster",
        (Some("k3d"), [cluster, create, ..]) => *cluster == "cluster" && *create == "create",
        (Some("minikube"), [start, ..]) => *start == "start",
        // ctlptl makes only local clusters (kind, k3d, minikube), also from a file.
        (Some("ctlptl"), [verb, ..]) => matches!(*verb, "create" | "apply"),
        (Some("snap"), ["install", rest @ ..]) => {
            rest.iter().any(|w| matches!(*w, "microk8s" | "k8s"))
        }
        (Some("microk8s.start"), _) => true,
        (Some("start"), _) => microk8s,
        (Some("curl" | "wget"), rest) => rest.iter().any(|w| w.contains("get.k3s.io")),
        _ => runs_cluster_script(&words),
    }
}

/// Whether a command runs a script named for starting a single-machine cluster
/// (`./pattern-ci/scripts/install-minikube.sh`, `bash hack/create-kind-cluster.sh`): a
/// [`LOCAL_CLUSTERS`] word and a word of making one in its file name. Such a script is often
/// downloaded or cloned by the job, so its commands cannot be read.
fn runs_cluster_script(words: &[&str]) -> bool {
    let script = match words {
        ["bash" | "sh", rest @ ..] => rest.iter().find(|w| !w.starts_with('-')).copied(),
        [program, ..] => Some(*program),
        [] => None,
    };
    let Some(name) = script
        .and_then(|s| s.rsplit('/').next())
        .and_then(|n| n.strip_suffix(".sh"))
    else {
        return false;
    };
    let words: Vec<String> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .map(str::to_ascii_lowercase)
        .collect();
    let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
    has(LOCAL_CLUSTERS) && has(&["install", "start", "setup", "create", "up", "bootstrap"])
}

/// Clusters made to run on one machine, whose name in an action's name
/// (`hiberbee/github-action-minikube`, `balchua/microk8s-actions`) says it starts one there.
pub(crate) const LOCAL_CLUSTERS: &[&str] = &["kind", "k3d", "k3s", "minikube", "microk8s"];

/// Whether the packaged step `uses` starts a cluster on the runner: a known one, or one whose
/// name (not its owner's or orb's) has a word naming a single-machine cluster.
pub(crate) fn starts_cluster_step(uses: &str) -> bool {
    let key = normalize_uses(uses);
    CLUSTER_STEPS.contains(&key.as_str())
        || org_action_words(&key)
            .is_some_and(|words| words.iter().any(|word| LOCAL_CLUSTERS.contains(word)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_that_start_a_cluster_on_the_runner() {
        let starts = |s: &str| {
            crate::infer::shell::commands(s, &[])
                .iter()
                .any(starts_cluster)
        };
        for s in [
            "kind create cluster --name ci",
            "k3d cluster create ci",
            "minikube start --driver=docker",
            "sudo snap install microk8s --classic --channel=1.32/stable",
            "sudo snap install k8s --classic",
            "microk8s start",
            "sudo microk8s.start",
            "curl -sfL https://get.k3s.io | sh -",
            "ctlptl create cluster kind --registry=ctlptl-registry",
            "ctlptl apply -f test/kind/cluster.yaml",
            "./pattern-ci/scripts/install-minikube.sh",
            "bash -e hack/create-kind-cluster.sh",
        ] {
            assert!(starts(s), "{s}");
        }
        for s in [
            "snap install kubectl --classic",
            "microk8s kubectl apply -f k8s/",
            "curl -sfL https://example.com/install.sh | sh -",
            "kubectl apply -f k8s/",
            "ctlptl get cluster kind-ci",
            "./tests/deploy-minikube.sh",
            "./scripts/install-helm.sh",
        ] {
            assert!(!starts(s), "{s}");
        }
    }

    #[test]
    fn an_action_named_for_a_single_machine_cluster_starts_one() {
        for uses in [
            "helm/kind-action@v1",
            "hiberbee/github-action-minikube@1.7.0",
            "balchua/microk8s-actions@v0.4.3",
            "some-org/setup-k3s@main",
        ] {
            assert!(starts_cluster_step(uses), "{uses}");
        }
        // The owner's name, a local action, a reusable workflow or another word says nothing.
        for uses in [
            "kind-org/deploy@v1",
            "./.github/actions/kind",
            "acme/ci/.github/workflows/kind.yml@v1",
            "azure/k8s-deploy@v5",
            "acme/kindle-publish@v1",
        ] {
            assert!(!starts_cluster_step(uses), "{uses}");
        }
    }
}
