//! Calls that cannot be read offline, recognised by their name and what they are handed:
//! remote reusable workflows, GitLab includes, CircleCI registry orbs and Azure templates of
//! other repositories (organisations' own GitHub actions: [`super::org_action`]). Each is a
//! deploy of operation `call`, of the tool its name gives or of unknown tool.

use std::collections::HashMap;

use super::org_action::platform_deploy;
use super::table::step;
use super::{ActionOp, ActionRole, ActionSpec};
use crate::infer::vocab::{CredentialKind, DeployTool};

/// A remote reusable workflow (`owner/repo/.github/workflows/deploy-k8s.yml@v1`) whose file
/// name says it deploys: its tool cannot be read offline, but the call is the job's deploy.
pub(super) const REUSABLE_DEPLOY: ActionSpec = ActionSpec {
    namespace: &["namespace", "k8s-namespace", "kube-namespace"],
    context: &["cluster", "cluster-name", "kube-context", "context"],
    environment: &[
        "environment",
        "env",
        "target-environment",
        "deploy-environment",
    ],
    credentials: &[
        ("kubeconfig", CredentialKind::Kubeconfig),
        ("kube-config", CredentialKind::Kubeconfig),
        ("kube-token", CredentialKind::KubeToken),
        ("k8s-token", CredentialKind::KubeToken),
        ("oc-token", CredentialKind::OpenshiftLogin),
        ("openshift-token", CredentialKind::OpenshiftLogin),
        ("argocd-token", CredentialKind::ArgocdToken),
    ],
    ..step(
        "(reusable workflow)",
        ActionRole::Deploy(DeployTool::Unknown, ActionOp::Fixed("call")),
    )
};

/// Words of a reusable workflow's file name that say it deploys to a cluster.
const DEPLOY_WORDS: &[&str] = &[
    "deploy",
    "deployment",
    "helm",
    "k8s",
    "kube",
    "kubernetes",
    "kubectl",
    "argocd",
    "rollout",
    "kustomize",
    "aks",
    "eks",
    "gke",
    "openshift",
];

/// Words of a reusable workflow's file name or an action's name that name a target other than a
/// cluster.
pub(super) const ELSEWHERE_WORDS: &[&str] = &[
    "render",
    "heroku",
    "pages",
    "netlify",
    "vercel",
    "s3",
    "npm",
    "pypi",
    "firebase",
    "lambda",
    "ecs",
    "webapp",
    "appservice",
    "functions",
    "docs",
    "fly",
    "cloudrun",
    "surge",
    "gcs",
    "arm",
    "bicep",
    "terraform",
    "cloudformation",
    "pulumi",
    "cdk",
    // Docker hosts, not a cluster: `deploy-compose.yml`, `swarm-deploy.yml`, `docker-deploy.yml`.
    "compose",
    "swarm",
    "docker",
    // Artifact repositories: `maven-deploy.yml` publishes a build, as `mvn deploy` does.
    "maven",
    "gradle",
    "nexus",
    "artifactory",
    // The cluster's own machines, not what runs on it.
    "kops",
    "eksctl",
];

/// Words of a reusable workflow's repository or file name that say it builds the cluster
/// itself, not what runs on it (`Azure/AKS-Construction`'s `AKSC_Deploy.yml` provisions an AKS
/// cluster from Bicep templates).
const CLUSTER_BUILDING_WORDS: &[&str] = &["construction", "provision", "provisioning"];

/// Whether a remote reusable workflow's repository (`owner/name`) or file name has a
/// [`CLUSTER_BUILDING_WORDS`] word.
fn builds_cluster(repo: &str, file: &str) -> bool {
    let name = repo.rsplit('/').next().unwrap_or_default();
    file_words(name)
        .iter()
        .chain(file_words(file).iter())
        .any(|w| CLUSTER_BUILDING_WORDS.contains(&w.as_str()))
}

/// Whether a GitLab include that cannot be read offline (`kind` `include:project`,
/// `include:remote`, `include:template` or `include:component`, `reference` as the reader
/// records it: `group/ci:deploy/cd.gitlab-ci.yml@v2`, a URL, `Jobs/Deploy.gitlab-ci.yml`,
/// `gitlab.com/org/k8s-deploy@1.0`) brings jobs that deploy to a cluster, by its file's name
/// as a remote reusable workflow's ([`reusable_workflow`]): a [`DEPLOY_WORDS`] word, `cd`, or
/// GitLab's Auto DevOps (`Auto-DevOps.gitlab-ci.yml`, `autodevops.yml`), and no word of
/// another target or of checking files (`Jobs/Deploy/ECS.gitlab-ci.yml`, `helm-lint.yml`).
pub(crate) fn include_deploys(kind: &str, reference: &str) -> bool {
    if !matches!(
        kind,
        "include:project" | "include:remote" | "include:template" | "include:component"
    ) {
        return false;
    }
    // The file or component name: after the project, without the version or query.
    let path = reference.rsplit_once(':').map_or(reference, |(_, p)| p);
    let path = path.split(['@', '?']).next().unwrap_or_default();
    let name = path.rsplit('/').next().unwrap_or_default();
    let name = name.strip_suffix(".gitlab-ci.yml").unwrap_or(name);
    let words = file_words(name);
    let has = |w: &str| words.iter().any(|x| x == w);
    let auto_devops =
        has("autodevops") || words.windows(2).any(|p| p[0] == "auto" && p[1] == "devops");
    let deploys =
        auto_devops || has("cd") || words.iter().any(|w| DEPLOY_WORDS.contains(&w.as_str()));
    deploys && !says_elsewhere(&words) && !checks_files(&words)
}

/// The spec of a remote reusable workflow (`owner/repo/.github/workflows/x.yml`, normalised)
/// whose file name holds a [`DEPLOY_WORDS`] word and no [`ELSEWHERE_WORDS`] word
/// (`deploy-render.yml` deploys to Render); local ones (`./`) are read, not guessed.
pub(super) fn reusable_workflow(key: &str) -> Option<&'static ActionSpec> {
    let (repo, file) = remote_workflow(key)?;
    if !(file.ends_with(".yml") || file.ends_with(".yaml")) {
        return None;
    }
    let words = file_words(file);
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let elsewhere = says_elsewhere(&words) || builds_cluster(repo, file);
    // `publish-kustomize-bundle.yaml`, `helm-lint.yml`: a tool's name with what is done to
    // its files, not to a cluster, unless the name also says it deploys.
    (!elsewhere && !checks_files(&words) && words.iter().any(|w| DEPLOY_WORDS.contains(w)))
        .then_some(&REUSABLE_DEPLOY)
}

/// Whether the words of a file name say it builds, checks or publishes files
/// ([`PACKAGING_WORDS`]: `helm-lint.yml`, `chart-diff-lint.yml`) and none says it deploys.
fn checks_files<S: AsRef<str>>(words: &[S]) -> bool {
    words.iter().any(|w| PACKAGING_WORDS.contains(&w.as_ref()))
        && !words.iter().any(|w| is_deploying_word(w.as_ref()))
}

/// Whether a word of a name says the step deploys: `deploy`, `deployer`, `deployment`,
/// `rollout`.
pub(super) fn is_deploying_word(word: &str) -> bool {
    matches!(word, "deploy" | "deployer" | "deployment" | "rollout")
}

/// Words of a reusable workflow's file name that say it builds, checks or publishes files
/// (charts, bundles, manifests) rather than changing a cluster.
const PACKAGING_WORDS: &[&str] = &[
    "publish", "package", "bundle", "lint", "test", "tests", "build", "push", "validate", "docs",
    "diff", "check", "checks", "bump",
];

/// Orbs (by the alias a config gives them) that deploy somewhere other than a cluster.
const ELSEWHERE_ORBS: &[&str] = &[
    "heroku",
    "ecs",
    "s3",
    "lambda",
    "netlify",
    "firebase",
    "serverless",
    "pages",
    "npm",
    "pypi",
    "cloudrun",
    "run",
    "eb",
    "beanstalk",
    "cloudfront",
    "sam",
    "codedeploy",
    "cloudfoundry",
    "cf",
    "vercel",
    "fly",
    "terraform",
    "pulumi",
];

/// The spec of a CircleCI orb job or command the table does not know (`hmpps/deploy_env`,
/// normalised) whose command name says it deploys (`deploy`, `deployment`, `rollout`; a tool
/// name alone such as `helm-lint` does not) and whose orb alias names no other target
/// ([`ELSEWHERE_ORBS`]; `heroku/deploy-via-git` deploys no cluster): a deploy of unknown tool,
/// its environment from an `env`/`environment` parameter.
pub(super) fn orb_call(key: &str) -> Option<&'static ActionSpec> {
    let (alias, command) = key.split_once('/')?;
    let alias_elsewhere = alias
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| ELSEWHERE_ORBS.contains(&w));
    let deploys = command
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(is_deploying_word);
    (deploys && !alias_elsewhere).then_some(&REUSABLE_DEPLOY)
}

/// Words of a secret's name, or of the input it is handed as, that say it reaches a cluster.
const CLUSTER_SECRET_WORDS: &[&str] = &[
    "kube",
    "kubeconfig",
    "kubernetes",
    "k8s",
    "aks",
    "eks",
    "gke",
    "cluster",
    "openshift",
    "argocd",
];

/// The spec of a remote reusable workflow whose file name says no deploy word, when the call
/// hands it a cluster credential (`secrets: { creds: ${{ secrets.AZURE_AKS }} }`), or when its
/// file name names the environment it is for and the call hands it secrets
/// (`use-ks-gh-production-atlas.yaml` with `secrets: inherit`): what it is given, and for
/// where, say it deploys. `secrets: inherit` alone says nothing: every call may inherit.
pub(super) fn reusable_workflow_given_cluster_secret(
    key: &str,
    with: &[(String, String)],
) -> Option<&'static ActionSpec> {
    let (repo, file) = remote_workflow(key)?;
    let words = file_words(file);
    if says_elsewhere(&words) || checks_files(&words) || builds_cluster(repo, file) {
        return None;
    }
    let cluster_secret = with
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("secrets.")?, v)))
        .any(|(input, value)| says_cluster(input) || says_cluster(value));
    let secrets = hands_secrets(with);
    let for_an_environment = words.iter().any(|w| names_a_target(w));
    (cluster_secret || secrets && for_an_environment).then_some(&REUSABLE_DEPLOY)
}

/// The remote reusable workflows this repository calls that deploy for an environment named
/// in their file name, by family: their repository and folder, and the words of the file name
/// before that environment's word (`use-ks-gh-` of `use-ks-gh-production.yaml`).
pub(crate) struct DeployFamilies<'d> {
    families: HashMap<Family, Vec<Member<'d>>>,
}

/// A family: the folder (`owner/repo`, lowercase) and the file name's words before the
/// environment's.
type Family = (String, Vec<String>);

/// A deploying call of a family: its reference and its file name's words.
type Member<'d> = (&'d str, Vec<String>);

impl<'d> DeployFamilies<'d> {
    /// The families of the deploying calls `deploying` (references as written).
    pub(crate) fn new(deploying: &[&'d str]) -> DeployFamilies<'d> {
        let mut families: HashMap<_, Vec<_>> = HashMap::new();
        for d in deploying {
            let Some((folder, file)) = remote_workflow(d) else {
                continue;
            };
            let words = file_words(file);
            // The first word naming a target, after at least one word the family shares.
            match words.iter().position(|w| names_a_target(w)) {
                Some(at) if at > 0 => {
                    let key = (folder.to_ascii_lowercase(), words[..at].to_vec());
                    families.entry(key).or_default().push((*d, words));
                }
                _ => {}
            }
        }
        DeployFamilies { families }
    }

    /// The deploying call `uses` is a sibling of, when it is a remote reusable workflow the
    /// call hands secrets, of a family above, its file name has a
    /// [tier word](crate::infer::tier) where the family's has its environment's, even one that
    /// also names a check, and it is not that workflow itself:
    /// `socialgouv/workflows/.github/workflows/use-ks-gh-review-auto.yaml` beside a deploying
    /// `use-ks-gh-production.yaml`. A family of workflows named per environment deploys to
    /// each; `review` alone says too little (`run-claude-review.yml`). Each call costs a
    /// lookup per word of its file name, however many calls deploy.
    pub(crate) fn sibling_of(&self, uses: &str, with: &[(String, String)]) -> Option<&'d str> {
        let (folder, file) = remote_workflow(uses)?;
        if !hands_secrets(with) || self.families.is_empty() {
            return None;
        }
        let folder = folder.to_ascii_lowercase();
        let words = file_words(file);
        (1..words.len())
            .filter(|&at| crate::infer::tier::is_tier_word(&words[at]))
            .find_map(|at| {
                let members = self.families.get(&(folder.clone(), words[..at].to_vec()))?;
                members
                    .iter()
                    .find(|(_, member)| *member != words)
                    .map(|(d, _)| *d)
            })
    }
}

/// Whether a reusable workflow's call hands it secrets (`secrets: inherit`, `secrets: { x }`).
fn hands_secrets(with: &[(String, String)]) -> bool {
    with.iter()
        .any(|(k, _)| k == "secrets" || k.starts_with("secrets."))
}

/// `owner/repo/.github/workflows` and the file name of a remote reusable workflow reference.
fn remote_workflow(uses: &str) -> Option<(&str, &str)> {
    let path = uses.trim().split('@').next()?;
    let (repo, file) = path.split_once("/.github/workflows/")?;
    (!path.starts_with("./") && repo.split('/').count() == 2 && !file.contains('/'))
        .then_some((repo, file))
}

/// The lowercase words of a file name without its extension.
pub(super) fn file_words(file: &str) -> Vec<String> {
    let stem = file
        .strip_suffix(".yml")
        .or_else(|| file.strip_suffix(".yaml"))
        .unwrap_or(file);
    stem.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// Whether a template's or a call's name names a target other than a cluster
/// ([`ELSEWHERE_WORDS`]): GitLab's `.terraform:deploy`, a `deploy-lambda` job template.
pub(crate) fn names_another_target(name: &str) -> bool {
    says_elsewhere(&file_words(name))
}

/// Whether any of a name's words is an [`ELSEWHERE_WORDS`] word.
pub(super) fn says_elsewhere<S: AsRef<str>>(words: &[S]) -> bool {
    words.iter().any(|w| ELSEWHERE_WORDS.contains(&w.as_ref()))
}

/// Whether a word of a workflow's file name names an environment deployed to: a tier word, but
/// not one that also names a kind of check (`test`, `e2e`, `integration`, `pr`: `pr-checks.yml`;
/// `review`: `run-claude-review.yml`).
fn names_a_target(word: &str) -> bool {
    let word = word.to_ascii_lowercase();
    crate::infer::tier::is_tier_word(&word)
        && !matches!(
            word.as_str(),
            "test" | "testing" | "e2e" | "int" | "integration" | "pr" | "review"
        )
}

/// Whether a name or value has a [`CLUSTER_SECRET_WORDS`] word (`KUBECONFIG_PROD`,
/// `${{ secrets.AKS_CREDS }}`, `K8S_NAMESPACE`).
pub(super) fn says_cluster(text: &str) -> bool {
    text.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| CLUSTER_SECRET_WORDS.contains(&w))
}

/// An Azure steps template of another repository (`templates/helm-chart-deploy/template.yaml`
/// `@commons`, normalised without the `@repo`) whose path says both that it deploys (a deploy
/// word, or `install`/`upgrade`/`uninstall` next to `helm`, `apply` next to `kubectl`) and a
/// cluster platform: a deploy of the platform's tool (`helm`) or of unknown tool.
pub(super) fn remote_template(key: &str) -> Option<&'static ActionSpec> {
    let path = key
        .strip_suffix(".yml")
        .or_else(|| key.strip_suffix(".yaml"))?;
    let words: Vec<&str> = path.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    // A deploy word, or a tool's own verb next to the tool (`helm/helm-install.yaml`,
    // `kubectl-apply.yml`).
    if !says_deploy(&words, &["install", "upgrade", "uninstall"]) || says_elsewhere(&words) {
        return None;
    }
    platform_deploy(&words)
}

/// Whether a name's words say it deploys: a deploy word (`deploy`, `deployment`, `rollout`),
/// helm next to one of `helm_verbs`, or `apply` next to kubectl or Kubernetes.
pub(super) fn says_deploy(words: &[&str], helm_verbs: &[&str]) -> bool {
    let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
    has(&["deploy", "deployment", "rollout"])
        || has(&["helm"]) && has(helm_verbs)
        || has(&["kubectl", "k8s", "kubernetes"]) && has(&["apply"])
}
