//! Scripts a job runs that the repository does not hold (cloned or downloaded at run time, in
//! another repository's checkout): all that shows of them is their file name and the variables
//! the job gives them.

use super::ActionRole;
use super::by_name::{ELSEWHERE_WORDS, says_deploy};
use super::org_action::platform_deploy;
use crate::infer::vocab::{DeployMatch, DeployTool};

/// Words of a script's name that say it reads or checks a cluster, or checks or renders files,
/// rather than changing a cluster (`deploy-k8s-rollout-status.bash`, `helm-deploy-lint.sh`,
/// `deploy-k8s-envsubst.bash`).
const READING_WORDS: &[&str] = &[
    "status", "wait", "get", "logs", "lint", "linter", "validate", "test", "tests", "check",
    "diff", "template", "dry", "envsubst", "generate", "smoke", "read", "verify", "notify", "post",
    "pre",
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
    let name = deploy_name(path)?;
    let words = name_words(&name);
    let has = |w: &str| words.contains(&w);
    if has("kubectl") || has("apply") && (has("k8s") || has("kube") || has("kubernetes")) {
        return Some(DeployTool::Kubectl);
    }
    match platform_deploy(&words)?.role {
        ActionRole::Deploy(tool, _) => Some(tool),
        _ => None,
    }
}

/// The lower-case file name of `path` when it says it deploys and nothing of another target or
/// of only reading. A variable in the name (`environment_${DEPLOYMENT_STAGE}`) says nothing.
fn deploy_name(path: &str) -> Option<String> {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let name = without_variables(&name);
    let words = name_words(&name);
    let other = |w: &&str| ELSEWHERE_WORDS.contains(w) || READING_WORDS.contains(w);
    (says_deploy(&words, &["upgrade", "uninstall"]) && !words.iter().any(other)).then_some(name)
}

/// `name` without its `$NAME` and `${NAME}` references.
fn without_variables(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        rest = match after.strip_prefix('{') {
            Some(inner) => inner.find('}').map_or("", |end| &inner[end + 1..]),
            None => after.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_'),
        };
    }
    out.push_str(rest);
    out
}

fn name_words(name: &str) -> Vec<&str> {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect()
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
/// ([`unread_script_tool`]), or, after the job `connected` to a cluster (wrote a kubeconfig, a
/// token, a kube context), when its name says it deploys without naming a platform
/// (`deploy.sh`, tool unknown): operation `call`, into the namespace of the first variable
/// named for one that `is_set` says the script is given (`K8S_NAMESPACE`, kept as
/// `$K8S_NAMESPACE` and resolved as a `-n` is), which is all a script that cannot be read
/// shows of its target.
pub(crate) fn unread_script_deploy(
    path: &str,
    is_set: impl Fn(&str) -> bool,
    connected: bool,
) -> Option<DeployMatch> {
    let tool = unread_script_tool(path)
        .or_else(|| (connected && deploy_name(path).is_some()).then_some(DeployTool::Unknown))?;
    let mut deploy = DeployMatch::new(tool, "call");
    deploy.namespace = NAMESPACE_VARIABLES
        .iter()
        .find(|name| is_set(name))
        .map(|name| format!("${name}"));
    Some(deploy)
}
