//! Jenkins shared-library steps: what a step's name says it does when its code cannot be read
//! (`deployToCluster`, `stagelibrary.TestDeploy`, `k8s.UpdateDeployment`), and what the
//! container it runs in adds (`container('helm') { upgradeRelease(...) }` runs helm).

use super::deploy_tool::DeployTool;

/// Words that say a step changes a cluster on their own.
const DEPLOY_WORDS: &[&str] = &["deploy", "deployment", "deployments", "rollout", "upgrade"];
/// Words that deploy only next to a [`CLUSTER_WORDS`] word (`kubectlApply`, `helmInstall`).
const APPLY_WORDS: &[&str] = &["apply", "install", "sync", "release", "promote"];
/// Words naming a cluster or its tools.
const CLUSTER_WORDS: &[&str] = &[
    "k8s",
    "kube",
    "kubernetes",
    "kubectl",
    "helm",
    "helmfile",
    "chart",
    "charts",
    "manifest",
    "manifests",
    "cluster",
    "argocd",
    "kustomize",
    "openshift",
    "eks",
    "gke",
    "aks",
];
/// Words that say the step only looks (`getDeployment`, `verifyRollout`) or fetches code
/// (`checkoutDeployBranch`), starts another job
/// (`triggerDeploy`) or deploys somewhere that is no cluster (`deployToNexus`, `mavenDeploy`,
/// `deployLambda`).
const NOT_A_CLUSTER_DEPLOY: &[&str] = &[
    "get",
    "describe",
    "list",
    "read",
    "fetch",
    "checkout",
    "clone",
    "download",
    "check",
    "verify",
    "validate",
    "status",
    "wait",
    "show",
    "diff",
    "lint",
    "template",
    "render",
    "plan",
    "notify",
    "report",
    "print",
    "trigger",
    "log",
    "logs",
    "nexus",
    "artifact",
    "artifacts",
    "artifactory",
    "maven",
    "mvn",
    "gradle",
    "npm",
    "pypi",
    "jar",
    "war",
    "s3",
    "lambda",
    "ecs",
    "heroku",
    "firebase",
    "pages",
    "docs",
    "site",
    "docker",
    "compose",
    "swarm",
    "ansible",
    "terraform",
    "cloudformation",
    "serverless",
    "appengine",
    "tomcat",
    "weblogic",
    "iis",
    "ftp",
    "scp",
    "ssh",
    "vm",
    // API gateways' proxies (`apigee-deployment.yml`).
    "apigee",
];
/// Words of a step name that say it installs or changes a release (inside a tool's container).
const CONTAINER_DEPLOY_WORDS: &[&str] = &[
    "deploy",
    "deployment",
    "rollout",
    "upgrade",
    "release",
    "install",
    "apply",
];

/// The deploy tool a shared-library step `name` deploys with, judged from its name and the
/// `container(...)` it runs in: the container's tool (`helm`, `kubectl`) when the name says it
/// upgrades, deploys, rolls out, releases, installs or applies; [`DeployTool::Unknown`] when
/// the name alone says it deploys to a cluster; `None` otherwise.
pub(crate) fn library_deploy_tool(name: &str, container: Option<&str>) -> Option<DeployTool> {
    let words = words(name);
    let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
    if has(NOT_A_CLUSTER_DEPLOY) {
        return None;
    }
    // `updateContainerImage`, `setImage`: what `kubectl set image` does.
    let sets_image = has(&["image"]) && has(&["update", "set", "patch", "bump"]);
    if let Some(tool) = container.and_then(container_tool)
        && (has(CONTAINER_DEPLOY_WORDS) || sets_image)
    {
        return Some(tool);
    }
    (has(DEPLOY_WORDS) || has(APPLY_WORDS) && has(CLUSTER_WORDS)).then_some(DeployTool::Unknown)
}

/// Whether a job, stage or template name says it deploys to a cluster as
/// [`library_deploy_tool`] reads a step name without a container (`deploy_production`,
/// `.deploy_template`, `helm-release`), and not that it stops, removes or rolls back
/// (`stop_review`, `rollback_production`).
pub(crate) fn names_a_deploy(name: &str) -> bool {
    // A CI template is named for what it does (`.deploy_template`); `helm template` is no
    // part of that name.
    let name = name.to_ascii_lowercase().replace("template", " ");
    !names_an_undo(&name) && library_deploy_tool(&name, None).is_some()
}

/// Whether a name says it stops, removes or rolls back (`stop_review`, `cleanup-preview`,
/// `autodevops-deactivate`).
pub(crate) fn names_an_undo(name: &str) -> bool {
    const UNDO: &[&str] = &[
        "stop",
        "cleanup",
        "teardown",
        "destroy",
        "delete",
        "remove",
        "rollback",
        "undeploy",
        "deactivate",
        "uninstall",
    ];
    words(name).iter().any(|w| UNDO.contains(&w.as_str()))
}

/// The tool a Kubernetes-agent container runs, by its name (`helm`, `helm3`, `kubectl`).
fn container_tool(container: &str) -> Option<DeployTool> {
    let name = container.to_ascii_lowercase();
    if name.contains("helm") {
        Some(DeployTool::Helm)
    } else if name.contains("kubectl") {
        Some(DeployTool::Kubectl)
    } else {
        None
    }
}

/// The words of a step name, lowercased: split at dots, punctuation and camelCase
/// (`k8s.UpdateDeployment` → `k8s`, `update`, `deployment`).
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            out.push(std::mem::take(&mut current));
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower {
            out.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    out.push(current);
    out.retain(|w| !w.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_deploy() {
        let unknown = Some(DeployTool::Unknown);
        assert_eq!(
            library_deploy_tool("stagelibrary.TestDeploy", None),
            unknown
        );
        assert_eq!(library_deploy_tool("k8s.UpdateDeployment", None), unknown);
        assert_eq!(library_deploy_tool("kubectlApply", None), unknown);
        assert_eq!(library_deploy_tool("helm_install_chart", None), unknown);
        assert_eq!(
            library_deploy_tool("upgradeRelease", Some("helm")),
            Some(DeployTool::Helm)
        );
        assert_eq!(
            library_deploy_tool("releaseApp", Some("kubectl")),
            Some(DeployTool::Kubectl)
        );
        // `release` alone is no cluster deploy outside a tool's container.
        assert_eq!(
            library_deploy_tool("updateContainerImage", Some("kubectl")),
            Some(DeployTool::Kubectl)
        );
        assert_eq!(library_deploy_tool("updateContainerImage", None), None);
        assert_eq!(library_deploy_tool("buildImage", Some("kubectl")), None);
        assert_eq!(library_deploy_tool("releaseApp", None), None);
        assert_eq!(library_deploy_tool("releaseApp", Some("maven")), None);
        assert!(names_a_deploy("deploy_production") && names_a_deploy(".deploy_template"));
        assert!(names_a_deploy("helm-release") && !names_a_deploy("stop_review"));
        assert!(!names_a_deploy("rollback_production") && !names_a_deploy("build"));
        // An API gateway's proxies are no cluster deploy.
        assert!(!names_a_deploy("azure/common/apigee-deployment.yml@common"));
    }

    #[test]
    fn names_that_do_not() {
        for name in [
            "k8s.GetDeployment",
            "verifyRollout",
            "deployToNexus",
            "mavenDeploy",
            "deployLambda",
            "stagelibrary.Build",
            "defraUtils.triggerDeploy",
            "notifySlack",
            "helmLint",
            "checkoutDeployBranch",
        ] {
            assert_eq!(library_deploy_tool(name, Some("helm")), None, "{name}");
        }
    }
}
