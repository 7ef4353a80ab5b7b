//! GitHub actions of an organisation the table does not know, recognised by their name and
//! what a step hands them: a deploy action named for a cluster platform (`helm/deploy`), one
//! named for deploying handed something of a cluster, one named for a cluster handed its
//! credentials and a target, a kubectl wrapper given a command line, and a local action the
//! checkout does not hold.

use super::ActionSpec;
use super::by_name::{
    ELSEWHERE_WORDS, REUSABLE_DEPLOY, file_words, is_deploying_word, says_cluster, says_elsewhere,
};
use super::{ActionOp, ActionRole};
use crate::infer::vocab::DeployTool;

/// An organisation's action whose name says it deploys (or tears a deploy down) but not where
/// (`andersinno/kolga-deploy-action@v2`, `SocialGouv/actions/autodevops-deploy@v1`), when the
/// step hands it something of a cluster: an input or a step variable named for one, or a
/// cluster secret (`kubeconfig: ...`, `env: { K8S_NAMESPACE: ... }`,
/// `creds: ${{ secrets.AKS_CREDS }}`). A name that says it deploys elsewhere
/// (`github-pages-deploy-action`, `deploy-lambda`, `arm-deploy`) is never one.
pub(super) fn org_action_given_cluster_inputs(
    key: &str,
    with: &[(String, String)],
) -> Option<&'static ActionSpec> {
    let words = org_action_words(key)?;
    // Tearing a deploy down (`autodevops-deactivate`, `deeployer-cleanup-action`) changes the
    // cluster as deploying does.
    let deploys = words.iter().any(|w| is_deploying_word(w))
        || crate::infer::vocab::names_an_undo(&words.join(" "));
    let elsewhere = says_elsewhere(&words);
    // Input names and the secrets handed over, not other values: a template path
    // `./aks/deploy.json` names no credential.
    let secret = |v: &str| v.contains("secrets.") && says_cluster(v);
    (deploys && !elsewhere && with.iter().any(|(k, v)| says_cluster(k) || secret(v)))
        .then_some(&ORG_DEPLOY)
}

/// The words of an organisation's action's name, not its owner's (`acme/kube-workflow` →
/// `kube`, `workflow`), from a normalised reference; `None` for a local action, a container or a
/// reusable workflow, which are read or named otherwise.
pub(crate) fn org_action_words(key: &str) -> Option<Vec<&str>> {
    if key.starts_with("./") || key.starts_with("docker:") || key.contains("/.github/workflows/") {
        return None;
    }
    let (_owner, name) = key.split_once('/')?;
    Some(name.split(|c: char| !c.is_ascii_alphanumeric()).collect())
}

/// Words of an action's name that say it prepares, checks or reads a cluster rather than
/// changing what runs on it (`setup-kubectl`, `k8s-set-context`, `kube-linter`).
const PREPARING_WORDS: &[&str] = &[
    "setup",
    "install",
    "installer",
    "login",
    "auth",
    "context",
    "config",
    "lint",
    "linter",
    "validate",
    "validator",
    "test",
    "tests",
    "diff",
    "docs",
    "check",
    "scan",
    "score",
    "conform",
    "kubeconform",
    "template",
    "status",
    "wait",
    "get",
    "logs",
];

/// An organisation's action named for a cluster platform but not for deploying
/// (`SocialGouv/kube-workflow@v1`), when the step hands it both a cluster secret under an
/// input named for one (`kubeconfig: ${{ secrets.KUBECONFIG }}`) and the target
/// (`environment: dev`, `namespace: shop`): it changes that cluster. A name that says it only
/// prepares, checks or reads one ([`PREPARING_WORDS`]), starts one on the runner
/// ([`crate::infer::vocab::LOCAL_CLUSTERS`]) or deploys elsewhere is no deploy.
pub(super) fn cluster_action_given_credentials_and_target(
    key: &str,
    with: &[(String, String)],
) -> Option<&'static ActionSpec> {
    let words = org_action_words(key)?;
    if words.iter().any(|w| {
        PREPARING_WORDS.contains(w)
            || ELSEWHERE_WORDS.contains(w)
            || crate::infer::vocab::LOCAL_CLUSTERS.contains(w)
    }) {
        return None;
    }
    let credential = handed_cluster_secret(with);
    let target = with.iter().any(|(k, v)| {
        let k = k.to_ascii_lowercase();
        let named = REUSABLE_DEPLOY.environment.contains(&k.as_str())
            || REUSABLE_DEPLOY.namespace.contains(&k.as_str());
        named && !v.trim().is_empty()
    });
    if !(credential && target) {
        return None;
    }
    platform_deploy(&words)
}

/// Whether a step's input or `env:` variable named for a cluster is given a secret
/// (`kubeconfig: ${{ secrets.KUBECONFIG }}`, `env.KUBE_CONFIG_DATA: ${{ secrets.X }}`).
fn handed_cluster_secret(with: &[(String, String)]) -> bool {
    with.iter()
        .any(|(k, v)| says_cluster(k) && v.contains("secrets."))
}

/// An action the table does not know, handed a cluster's secret (`env: {KUBE_CONFIG_DATA: ${{
/// secrets.KUBE_CONFIG_DATA }}}`), whose `args` is a kubectl command line: a kubectl wrapper
/// under another name (`pangealab/kratos@master` with `args: apply -n sandbox -f x.yaml`). The
/// line decides whether it deploys. Not an action named for preparing, checking or another
/// target.
pub(super) fn kubectl_wrapper_given_cluster_secret(
    key: &str,
    with: &[(String, String)],
) -> Option<&'static ActionSpec> {
    let words = org_action_words(key)?;
    if words
        .iter()
        .any(|w| PREPARING_WORDS.contains(w) || ELSEWHERE_WORDS.contains(w))
    {
        return None;
    }
    if !handed_cluster_secret(with) {
        return None;
    }
    super::tool_line::kubectl_args(with)
}

/// An organisation's own deploy action (`bcgov/action-deployer-openshift@v4`): a deploy whose
/// tool is the platform its name gives, or unknown.
const fn org_deploy(tool: DeployTool) -> ActionSpec {
    ActionSpec {
        uses: "(deploy action)",
        role: ActionRole::Deploy(tool, ActionOp::Fixed("call")),
        ..REUSABLE_DEPLOY
    }
}
const ORG_DEPLOY_OC: ActionSpec = org_deploy(DeployTool::Oc);
const ORG_DEPLOY_HELM: ActionSpec = org_deploy(DeployTool::Helm);
const ORG_DEPLOY_ARGOCD: ActionSpec = org_deploy(DeployTool::Argocd);
const ORG_DEPLOY: ActionSpec = org_deploy(DeployTool::Unknown);

/// Words of an action's repository name that say it targets a cluster, with the tool they
/// imply (`None`: the action could use any tool).
const CLUSTER_WORDS: &[(&str, Option<&ActionSpec>)] = &[
    ("openshift", Some(&ORG_DEPLOY_OC)),
    ("oc", Some(&ORG_DEPLOY_OC)),
    ("helm", Some(&ORG_DEPLOY_HELM)),
    ("argocd", Some(&ORG_DEPLOY_ARGOCD)),
    ("k8s", None),
    ("kube", None),
    ("kubernetes", None),
    ("kubectl", None),
    ("aks", None),
    ("eks", None),
    ("gke", None),
];

/// The spec of a GitHub action the table does not know (`owner/repo` or `owner/repo/path`,
/// normalised) whose name says both that it deploys (`deploy`, `deployer`, `deployment`) and
/// that it targets a cluster ([`CLUSTER_WORDS`]): its inputs cannot be read as a command, but
/// the step is the job's deploy. The name is the repository's, else the folder's for an action
/// kept in a folder of a library repository (`hmcts/cnp-githubactions-library/helm-deploy`),
/// else the folders' together (`Chia-Network/actions/helm/deploy`) when they name no other
/// target. A name with only one of the two (`azure/k8s-set-context`, `actions/deploy-pages`)
/// is no deploy.
pub(super) fn org_action(key: &str) -> Option<&'static ActionSpec> {
    let mut parts = key.splitn(3, '/');
    let (_owner, repo, path) = (parts.next()?, parts.next()?, parts.next());
    let folder = path.and_then(|p| p.rsplit('/').next());
    let path = path.filter(|p| p.contains('/'));
    named_deploy(repo)
        .or_else(|| folder.and_then(named_deploy))
        .or_else(|| {
            path.filter(|p| !says_elsewhere(&file_words(p)))
                .and_then(named_deploy)
        })
}

/// A step that calls a local action (`./.github/actions/k8s-deploy-aks`) the checkout does not
/// hold (the reader reports it unresolved): judged by its folder's name as an organisation's
/// action is ([`org_action`]), when that name says it deploys, to a cluster, and nowhere else.
pub(crate) fn missing_local_action(reference: &str) -> Option<&'static ActionSpec> {
    let folder = reference.trim().trim_end_matches('/').rsplit('/').next()?;
    (!says_elsewhere(&file_words(folder))).then(|| named_deploy(folder))?
}

/// The deploy a name says ([`platform_deploy`]) when one of its words deploys.
fn named_deploy(name: &str) -> Option<&'static ActionSpec> {
    let words: Vec<&str> = name.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    let deploys = words.iter().any(|w| is_deploying_word(w));
    deploys.then(|| platform_deploy(&words)).flatten()
}

/// The deploy a name's words say a cluster platform for ([`CLUSTER_WORDS`]): of the
/// platform's tool when a word gives one, of unknown tool otherwise; `None` without one.
pub(super) fn platform_deploy(words: &[&str]) -> Option<&'static ActionSpec> {
    let mut found = CLUSTER_WORDS
        .iter()
        .filter(|(w, _)| words.contains(w))
        .map(|(_, spec)| *spec)
        .peekable();
    found.peek()?;
    Some(found.flatten().next().unwrap_or(&ORG_DEPLOY))
}
