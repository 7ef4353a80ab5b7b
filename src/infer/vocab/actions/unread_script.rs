//! Scripts a job runs that the repository does not hold (cloned or downloaded at run time, in
//! another repository's checkout): all that shows of them is their file name and the variables
//! the job gives them.

use super::ActionRole;
use super::by_name::{ELSEWHERE_WORDS, platform_deploy, says_deploy};
use crate::infer::vocab::{DeployMatch, DeployTool};

/// Words of a script's name that say it reads or checks a cluster, or checks or renders files,
/// rather than changing a cluster (`deploy-k8s-rollout-status.bash`, `helm-deploy-lint.sh`,
/// `deploy-k8s-envsubst.bash`).
const READING_WORDS: &[&str] = &[
    "status", "wait", "get", "logs", "lint", "linter", "validate", "test", "tests", "check",
    "diff", "template", "dry", "envsubst", "generate",
];

/// The tool of a script a job runs that the repository does not hold (cloned or downloaded at
/// run time, in another repository's checkout: `./deploy-scripts/bin/deploy-eks`,
/// `$(scripts_dir)/deploy-k8s-apply.bash`), when its file name says both that it deploys (a
/// deploy word, `helm` with `upgrade` or `uninstall`, `apply` with kubectl or Kubernetes; not
/// `install`, which also names installing the tool: `install-helm.sh`) and a cluster
/// platform, and nothing of another target or of only reading ([`READING_WORDS`]). The tool is
/// the one the name gives (`helm_deploy` → helm, `deploy-openshift.sh` → oc, `apply` with
/// Kubernetes → kubectl), else unknown (`deploy-eks`).
pub(crate) fn unread_script_tool(path: &str) -> Option<DeployTool> {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let words: Vec<&str> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let other = |w: &&str| ELSEWHERE_WORDS.contains(w) || READING_WORDS.contains(w);
    if !says_deploy(&words, &["upgrade", "uninstall"]) || words.iter().any(other) {
        return None;
    }
    let has = |w: &str| words.contains(&w);
    if has("kubectl") || has("apply") && (has("k8s") || has("kube") || has("kubernetes")) {
        return Some(DeployTool::Kubectl);
    }
    match platform_deploy(&words)?.role {
        ActionRole::Deploy(tool, _) => Some(tool),
        _ => None,
    }
}

/// Variables named for the namespace a deploy script reads.
const NAMESPACE_VARIABLES: &[&str] = &[
    "K8S_NAMESPACE",
    "KUBE_NAMESPACE",
    "KUBERNETES_NAMESPACE",
    "HELM_NAMESPACE",
    "NAMESPACE",
];

/// The deploy a script the repository does not hold does, when its name says it deploys
/// ([`unread_script_tool`]): operation `call`, into the namespace of the first variable named
/// for one that `is_set` says the script is given (`K8S_NAMESPACE`, kept as `$K8S_NAMESPACE`
/// and resolved as a `-n` is), which is all a script that cannot be read shows of its target.
pub(crate) fn unread_script_deploy(
    path: &str,
    is_set: impl Fn(&str) -> bool,
) -> Option<DeployMatch> {
    let mut deploy = DeployMatch::new(unread_script_tool(path)?, "call");
    deploy.namespace = NAMESPACE_VARIABLES
        .iter()
        .find(|name| is_set(name))
        .map(|name| format!("${name}"));
    Some(deploy)
}
