use super::tools::DEPLOY_TOOLS;
use super::*;

/// The tool and operation of the first deploy in `script`.
fn op(script: &str) -> Option<(String, String)> {
    first_deploy(script).map(|m| (m.tool.as_str().to_owned(), m.operation))
}

fn pair(tool: &str, op: &str) -> Option<(String, String)> {
    Some((tool.to_owned(), op.to_owned()))
}

/// Subcommands close to the deploying ones that do not deploy, per tool: the "Not deploys"
/// column of docs/inference.md. Each must stay unrecognised.
const NOT_DEPLOYS: &[(DeployTool, &[&str])] = &[
    (
        DeployTool::Kubectl,
        &[
            "get",
            "describe",
            "diff",
            "logs",
            "exec",
            "wait",
            "version",
            "cluster-info",
            "config",
            "auth",
            "explain",
            "top",
            "port-forward",
            "rollout status",
            "rollout history",
            "kustomize",
        ],
    ),
    (
        DeployTool::Oc,
        &[
            "get",
            "describe",
            "login",
            "process",
            "start-build",
            "whoami",
            "project",
        ],
    ),
    (
        DeployTool::Helm,
        &[
            "template",
            "lint",
            "package",
            "repo",
            "dependency",
            "dep",
            "pull",
            "fetch",
            "push",
            "show",
            "inspect",
            "search",
            "version",
            "plugin",
            "registry",
            "list",
            "ls",
            "status",
            "get",
            "history",
            "test",
            "diff",
            "env",
            "create",
            "verify",
        ],
    ),
    (
        DeployTool::Helmfile,
        &[
            "template", "lint", "diff", "build", "list", "repos", "deps", "status", "test",
        ],
    ),
    (
        DeployTool::Skaffold,
        &["dev", "build", "render", "diagnose", "init", "debug"],
    ),
    (DeployTool::Kapp, &["inspect", "list", "ls"]),
    (
        DeployTool::Argocd,
        &[
            "app get", "app list", "app wait", "app diff", "login", "version",
        ],
    ),
    (
        DeployTool::Flux,
        &[
            "get",
            "check",
            "install",
            "bootstrap",
            "create",
            "export",
            "logs",
        ],
    ),
    (DeployTool::Jx, &["get", "version"]),
    (
        DeployTool::KubectlArgoRollouts,
        &["get", "status", "list", "lint", "version"],
    ),
    (
        DeployTool::Tanka,
        &["show", "diff", "export", "eval", "fmt"],
    ),
    (DeployTool::Ko, &["build", "publish", "resolve", "login"]),
];

#[test]
fn an_option_kubectl_does_not_know_before_the_subcommand_takes_the_next_word() {
    // cobra reads `--record deployment.apps/web` as an option and its value.
    assert_eq!(
        op("kubectl -n shop --record deployment.apps/web set image deployment/web web=i:2"),
        pair("kubectl", "set-image")
    );
    // A switch the root knows takes none, and neither does an option written with `=`.
    for not in [
        "kubectl --insecure-skip-tls-verify deployment/web set image deployment/web web=i:2",
        "kubectl --record=true deployment/web set image deployment/web web=i:2",
        "kubectl --record get pods",
    ] {
        assert_eq!(op(not), None, "{not}");
    }
}

#[test]
fn kubectl_family() {
    assert_eq!(op("kubectl apply -f k8s/"), pair("kubectl", "apply"));
    assert_eq!(
        op("kubectl -n prod --context c apply -k overlays/prod"),
        pair("kubectl", "apply")
    );
    assert_eq!(
        op("kubectl set image deploy/x c=i:1"),
        pair("kubectl", "set-image")
    );
    assert_eq!(
        op("kubectl rollout restart deploy/x"),
        pair("kubectl", "rollout-restart")
    );
    assert_eq!(
        op("kubectl scale --replicas 3 deploy/x"),
        pair("kubectl", "scale")
    );
    assert_eq!(op("kubectl delete -f x.yaml"), pair("kubectl", "delete"));
    assert_eq!(
        op("kubectl create namespace prod"),
        pair("kubectl", "create")
    );
    assert_eq!(op("kubectl replace -f x"), pair("kubectl", "replace"));
    assert_eq!(
        op("kubectl patch deploy x -p '{}'"),
        pair("kubectl", "patch")
    );
    assert_eq!(op("oc apply -f x"), pair("oc", "apply"));
    assert_eq!(op("oc new-app myimage"), pair("oc", "new-app"));
    for not in [
        "kubectl get pods",
        "kubectl diff -f x",
        "kubectl rollout status deploy/x",
        "kubectl kustomize overlays/prod",
        "echo kubectl apply -f x",
        "# kubectl apply -f x",
        "kubectl config use-context prod",
        "oc login --token $T",
    ] {
        assert_eq!(op(not), None, "{not}");
    }
    let m = first_deploy("kubectl apply -n prod --context=eu -f a.yaml -f b/").expect("deploy");
    assert_eq!(m.namespace.as_deref(), Some("prod"));
    assert_eq!(m.context.as_deref(), Some("eu"));
    assert_eq!(m.paths, ["a.yaml", "b/"]);
}

#[test]
fn dry_runs_are_flagged() {
    let m = first_deploy("kubectl apply --dry-run=client -f x").expect("match");
    assert!(m.dry_run);
    assert_eq!(m.operation, "apply --dry-run");
    assert!(
        first_deploy("helm upgrade --install --dry-run a ./c")
            .expect("match")
            .dry_run
    );
    assert!(
        !first_deploy("kubectl apply --dry-run=none -f x")
            .expect("match")
            .dry_run
    );
}

#[test]
fn helm_family() {
    let m = first_deploy(
        "helm upgrade --install web ./charts/web -n prod -f values-prod.yaml --kube-context eu",
    )
    .expect("deploy");
    assert_eq!(m.operation, "upgrade-install");
    assert_eq!(m.paths, ["./charts/web", "values-prod.yaml"]);
    assert_eq!(m.namespace.as_deref(), Some("prod"));
    assert_eq!(m.context.as_deref(), Some("eu"));
    assert_eq!(op("helm upgrade web repo/web"), pair("helm", "upgrade"));
    assert_eq!(op("helm install web ./c"), pair("helm", "install"));
    assert_eq!(op("helm rollback web 3"), pair("helm", "rollback"));
    assert_eq!(op("helm uninstall web"), pair("helm", "uninstall"));
    assert_eq!(op("helm secrets upgrade web ./c"), pair("helm", "upgrade"));
    for not in [
        "helm template web ./c",
        "helm lint ./c",
        "helm package ./c",
        "helm repo add x y",
        "helm dependency update ./c",
        "helm diff upgrade web ./c",
        "helm list",
    ] {
        assert_eq!(op(not), None, "{not}");
    }
    assert_eq!(
        op("helmfile -e production apply"),
        pair("helmfile", "apply")
    );
    assert_eq!(
        first_deploy("helmfile -e production sync")
            .and_then(|m| m.environment)
            .as_deref(),
        Some("production")
    );
    assert_eq!(op("helmfile diff"), None);
    assert_eq!(op("helmfile template"), None);
    let m = first_deploy("hubploy deploy datahub hub staging --namespace datahub-staging")
        .expect("hubploy deploys with helm");
    assert_eq!(
        (m.tool, m.operation.as_str()),
        (DeployTool::Helm, "upgrade-install")
    );
    assert_eq!(m.environment.as_deref(), Some("staging"));
    assert_eq!(m.namespace.as_deref(), Some("datahub-staging"));
    assert_eq!(op("hubploy build datahub"), None);
}

#[test]
fn other_tools() {
    assert_eq!(op("skaffold run -p prod"), pair("skaffold", "run"));
    assert_eq!(op("skaffold deploy"), pair("skaffold", "deploy"));
    assert_eq!(op("skaffold dev"), None);
    assert_eq!(op("skaffold build"), None);
    assert_eq!(op("kapp delete -a app"), pair("kapp", "delete"));
    assert_eq!(
        op("argocd app sync myapp --server x"),
        pair("argocd", "sync")
    );
    assert_eq!(
        op("argocd app set myapp -p image.tag=1"),
        pair("argocd", "set")
    );
    assert_eq!(
        op("argocd app delete esthesis-dev --yes"),
        pair("argocd", "delete")
    );
    assert_eq!(op("argocd app get myapp"), None);
    assert_eq!(op("argocd login x"), None);
    assert_eq!(
        op("flux reconcile kustomization apps"),
        pair("flux", "reconcile")
    );
    assert_eq!(op("flux get all"), None);
    assert_eq!(op("jx promote --env production"), pair("jx", "promote"));
    assert_eq!(
        op("kubectl argo rollouts promote app"),
        pair("kubectl-argo-rollouts", "promote")
    );
    assert_eq!(
        op("kubectl-argo-rollouts set image app c=i"),
        pair("kubectl-argo-rollouts", "set-image")
    );
    assert_eq!(op("kubectl argo rollouts get rollout app"), None);
    let m = first_deploy("tk apply environments/prod --dangerous-auto-approve").expect("deploy");
    assert_eq!(
        (m.tool, m.paths.as_slice()),
        (DeployTool::Tanka, &["environments/prod".to_owned()][..])
    );
    assert_eq!(op("tk diff environments/prod"), None);
    assert_eq!(op("ko apply -f config/"), pair("ko", "apply"));
    // Jenkins X 2 environment repositories apply their chart with `jx step helm apply`.
    assert_eq!(
        op("jx step helm apply --namespace=jx-staging"),
        pair("jx", "helm-apply")
    );
    assert_eq!(op("jx step helm build"), None);
    assert_eq!(op("ko build ./cmd/app"), None);
}

#[test]
fn every_tool_but_kustomize_and_unknown_is_one_command_line_tool() {
    for tool in DeployTool::ALL {
        assert_eq!(
            tool_spec(*tool).is_some(),
            !matches!(*tool, DeployTool::Kustomize | DeployTool::Unknown),
            "{tool}"
        );
    }
}

#[test]
fn listed_non_deploys_are_no_deploys() {
    for t in DEPLOY_TOOLS {
        assert!(!t.programs.is_empty() && !t.verbs.is_empty(), "{}", t.tool);
        assert!(
            NOT_DEPLOYS.iter().any(|(tool, _)| *tool == t.tool),
            "{} lists its non-deploys",
            t.tool
        );
    }
    for (tool, subcommands) in NOT_DEPLOYS {
        let program = tool_spec(*tool).expect("a deploy tool").programs[0];
        for not in *subcommands {
            let script = format!("{program} {not} x");
            assert_eq!(op(&script), None, "{script}");
        }
    }
}

/// `helm upgrade|install RELEASE CHART` names its release; a generated name or another tool
/// names none.
#[test]
fn helm_names_its_release() {
    let release = |script: &str| first_deploy(script).and_then(|m| m.release);
    assert_eq!(
        release("helm upgrade --install \"$RELEASE\" ./chart -f v.yaml").as_deref(),
        Some("$RELEASE")
    );
    assert_eq!(
        release("helm install -n web site oci://r/c").as_deref(),
        Some("site")
    );
    assert_eq!(release("helm install --generate-name ./chart"), None);
    assert_eq!(release("kubectl apply -f k8s/"), None);
}

#[test]
fn changes_to_workloads_name_the_workload() {
    let workload = |script: &str| first_deploy(script).and_then(|m| m.workload);
    let some = |w: &str| Some(w.to_owned());
    assert_eq!(
        workload("kubectl set image deployment/web-prod web=x:1"),
        some("web-prod")
    );
    assert_eq!(
        workload("kubectl -n shop rollout restart deployment web-dev"),
        some("web-dev")
    );
    assert_eq!(workload("oc rollout latest dc/api-test"), some("api-test"));
    assert_eq!(
        workload("kubectl patch sts/db-staging -p '{}'"),
        some("db-staging")
    );
    assert_eq!(
        workload("kubectl scale deployments.apps/web-qa --replicas=2"),
        some("web-qa")
    );
    // Not a workload, or not a change to one.
    assert_eq!(workload("kubectl patch configmap cfg-prod -p '{}'"), None);
    assert_eq!(workload("kubectl apply -f deployment/web-prod.yaml"), None);
    assert_eq!(workload("kubectl rollout restart deployment"), None);
}

#[test]
fn bazel_runs_of_kubernetes_object_companions() {
    for (script, operation) in [
        ("tools/bazel run //k8s:prod.apply", "apply"),
        ("bazel run --config=ci //deploy:web.create", "create"),
        ("bazelisk run //k8s:dev.replace -- --context x", "replace"),
        ("bazel run //k8s:old.delete", "delete"),
    ] {
        assert_eq!(op(script), pair("kubectl", operation), "{script}");
    }
    for script in [
        "bazel run //k8s:prod.describe",
        "bazel run //k8s:prod.gitops",
        "bazel run //k8s:prod.show",
        "bazel build //k8s:prod.apply",
        "bazel test //...",
        "bazel run //app:server",
    ] {
        assert_eq!(op(script), None, "{script}");
    }
}
