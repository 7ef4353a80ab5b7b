use super::*;

/// Step inputs from `(name, value)` pairs.
fn with(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn actions() {
    let gh = CiSystem::GithubActions;
    let spec = action_spec("Azure/k8s-deploy@v4", gh).expect("known");
    let m = classify_action_deploy(
        spec,
        &with(&[
            ("namespace", "prod"),
            ("manifests", "k8s/a.yaml\nk8s/b.yaml"),
        ]),
    )
    .expect("deploy");
    assert_eq!(
        (m.operation.as_str(), m.namespace.as_deref()),
        ("deploy", Some("prod"))
    );
    assert_eq!(m.paths, ["k8s/a.yaml", "k8s/b.yaml"]);
    let spec = action_spec("sendinblue/k8s-deploy-action@main", gh).expect("known");
    let m = classify_action_deploy(
        spec,
        &with(&[("resource-directory", "./kubernetes/overlays/production/")]),
    )
    .expect("deploy");
    assert_eq!(
        (m.tool, m.operation.as_str()),
        (DeployTool::Kubectl, "apply")
    );
    assert_eq!(m.paths, ["./kubernetes/overlays/production/"]);
    let spec = action_spec("KubernetesManifest@1", CiSystem::AzurePipelines).expect("known");
    assert!(classify_action_deploy(spec, &with(&[("action", "bake")])).is_none());
    assert_eq!(
        classify_action_deploy(spec, &with(&[("action", "deploy")]))
            .map(|m| m.operation)
            .as_deref(),
        Some("deploy")
    );
    let spec = action_spec("HelmDeploy@0", CiSystem::AzurePipelines).expect("known");
    assert!(classify_action_deploy(spec, &with(&[("command", "package")])).is_none());
    assert!(classify_action_deploy(spec, &with(&[("command", "upgrade")])).is_some());
    let spec = action_spec("Kubernetes@1", CiSystem::AzurePipelines).expect("known");
    let m = classify_action_deploy(
        spec,
        &with(&[("command", "set"), ("arguments", "image deploy/x c=i")]),
    );
    assert_eq!(m.map(|m| m.operation).as_deref(), Some("set-image"));
    assert!(
        classify_action_deploy(spec, &with(&[("command", "get"), ("arguments", "pods")])).is_none()
    );
    let spec = action_spec("actions-hub/kubectl@master", gh).expect("known");
    assert!(classify_action_deploy(spec, &with(&[("args", "get pods")])).is_none());
    assert!(classify_action_deploy(spec, &with(&[("args", "apply -f k8s/")])).is_some());
    let spec =
        action_spec("atlassian/kubectl-run:3.1.2", CiSystem::BitbucketPipelines).expect("known");
    let m = classify_action_deploy(
        spec,
        &with(&[("KUBECTL_COMMAND", "apply"), ("RESOURCE_PATH", "k8s/")]),
    )
    .expect("deploy");
    assert_eq!(
        (m.operation.as_str(), m.paths.as_slice()),
        ("apply", &["k8s/".to_owned()][..])
    );
    let spec =
        action_spec("kubernetes/create_or_update_resource", CiSystem::Circleci).expect("known");
    assert!(
        classify_action_deploy(spec, &with(&[("dry_run", "client")]))
            .expect("m")
            .dry_run
    );
    assert!(action_spec("k8s/create-or-update-resource", CiSystem::Circleci).is_some());
    assert!(action_spec("k8s/create-or-update-resource", gh).is_none());
    let spec = action_spec("WyriHaximus/github-action-helm3@v3", gh).expect("known");
    let m = classify_action_deploy(
        spec,
        &with(&[("exec", "helm upgrade app ./chart --install -n prod")]),
    );
    assert_eq!(m.map(|m| m.operation).as_deref(), Some("upgrade-install"));
    assert!(action_spec("azure/k8s-bake@v2", gh).is_none());
    assert!(action_spec("azure/setup-kubectl@v3", gh).is_none());
    let spec = action_spec("docker/build-push-action@v5", gh).expect("known");
    let m = classify_action_image(
        spec,
        &with(&[("tags", "a/b:1,a/b:latest"), ("push", "true")]),
    )
    .expect("img");
    assert_eq!((m.pushes, m.images.len()), (true, 2));
    let m = classify_action_image(spec, &with(&[("tags", "a/b:1")])).expect("img");
    assert!(!m.pushes);
    assert!(matches!(
        action_spec("withKubeConfig", CiSystem::Jenkins).map(|s| s.role),
        Some(ActionRole::Credential(CredentialKind::Kubeconfig))
    ));
}

#[test]
fn table_keys_are_normalised() {
    for a in ACTIONS {
        assert_eq!(normalize_uses(a.uses), a.uses, "{}", a.uses);
    }
}

/// `owner/repo/@ref` (an empty path in the repository) is the action at the repository's
/// root: cbioportal runs `clowdhaus/argo-cd-action/@main` to sync Argo CD.
#[test]
fn an_empty_action_path_is_the_repository_root() {
    assert_eq!(
        normalize_uses("clowdhaus/argo-cd-action/@main"),
        "clowdhaus/argo-cd-action"
    );
    let spec = action_spec("clowdhaus/argo-cd-action/@main", CiSystem::GithubActions)
        .expect("the Argo CD action");
    let m = classify_action_deploy(spec, &with(&[("command", "app sync cbioportal")]))
        .expect("a sync deploys");
    assert_eq!((m.tool, m.operation.as_str()), (DeployTool::Argocd, "sync"));
}

/// A remote reusable workflow named for deploying was a dead end (issue 9, class 2); it is now
/// a deploy of unknown tool, its environment read from the `environment` input.
#[test]
fn remote_reusable_workflows_named_for_deploying_deploy() {
    let github = CiSystem::GithubActions;
    let spec = action_spec("acme/infra/.github/workflows/deploy_env.yml@v2", github)
        .expect("a deploy workflow");
    let m = classify_action_deploy(spec, &with(&[("environment", "preprod")])).expect("deploys");
    assert_eq!(
        (m.tool, m.operation.as_str(), m.environment.as_deref()),
        (DeployTool::Unknown, "call", Some("preprod"))
    );
    let m = classify_action_deploy(spec, &with(&[("environment", "${{ inputs.env }}")]))
        .expect("deploys");
    assert_eq!(m.environment, None, "an expression names no environment");
    for other in [
        "acme/infra/.github/workflows/codeql-analysis.yml@main",
        "acme/infra/.github/workflows/build-push-image.yml@main",
        "acme/ci/.github/workflows/deploy-render.yml@main",
        "acme/ci/.github/workflows/deploy_docs.yaml@v1",
        "./.github/workflows/deploy.yml",
        // A tool's files built, checked or published, not a cluster changed.
        "acme/actions/.github/workflows/publish-kustomize-bundle.yaml@v1",
        "acme/actions/.github/workflows/helm-lint.yml@v1",
        "acme/actions/.github/workflows/build-push-helm-chart.yml@v1",
        // The cluster itself built, not what runs on it.
        "Azure/AKS-Construction/.github/workflows/AKSC_Deploy.yml@0.10.5",
        "acme/cluster-provisioning/.github/workflows/deploy.yml@v2",
    ] {
        assert!(action_spec(other, github).is_none(), "{other}");
    }
    for deploys in [
        "acme/actions/.github/workflows/build-and-deploy-k8s.yml@v1",
        "acme/actions/.github/workflows/helm-upgrade.yml@v1",
    ] {
        assert!(action_spec(deploys, github).is_some(), "{deploys}");
    }
}

/// GitLab includes that cannot be read are judged by their file's name, as remote reusable
/// workflows are (issue 9, class 2).
#[test]
fn gitlab_includes_named_for_deploying_deploy() {
    for (kind, reference) in [
        (
            "include:project",
            "ucode/ops/ci-cd:microfrontend/cd.gitlab-ci.yml@master",
        ),
        (
            "include:project",
            "SocialGouv/gitlab-ci-yml:/autodevops.yml@v23.0.1",
        ),
        (
            "include:project",
            "ska/templates:gitlab-ci/includes/deploy.dev.gitlab-ci.yml",
        ),
        ("include:template", "Auto-DevOps.gitlab-ci.yml"),
        ("include:template", "Jobs/Deploy.gitlab-ci.yml"),
        (
            "include:remote",
            "https://example.com/ci/build-release-deploy.yml",
        ),
        (
            "include:component",
            "$CI_SERVER_FQDN/acme/components/k8s-deploy@1.2",
        ),
    ] {
        assert!(include_deploys(kind, reference), "{reference}");
    }
    for (kind, reference) in [
        ("include:template", "Security/SAST.gitlab-ci.yml"),
        ("include:template", "Jobs/Deploy/ECS.gitlab-ci.yml"),
        ("include:template", "Terraform/Base.gitlab-ci.yml"),
        (
            "include:project",
            "acme/ci:templates/DockerInDockerTemplate.yml",
        ),
        ("include:project", "acme/ci:/helm-lint.yml"),
        ("include:project", "acme/ci:/pages-deploy.yml"),
        (
            "include:project",
            "acme/ci:/deployment-service/docker-deploy.yml@master",
        ),
        // Read from the checkout, or not known at all: not this rule's.
        ("include:local", "ci/$TARGET/deploy.yml"),
        ("include:artifact", "deploy.yml"),
    ] {
        assert!(!include_deploys(kind, reference), "{reference}");
    }
}

/// An action named for a cluster, not for deploying, deploys when handed a cluster secret and
/// a target (found on holdout-18 after it was scored).
#[test]
fn cluster_actions_given_credentials_and_a_target_deploy() {
    let gh = CiSystem::GithubActions;
    let given = with(&[
        ("environment", "dev"),
        ("kubeconfig", "${{ secrets.KUBECONFIG }}"),
    ]);
    let spec = call_spec("SocialGouv/kube-workflow@v1", &given, gh).expect("a deploy");
    let m = classify_action_deploy(spec, &given).expect("deploys");
    assert_eq!(
        (m.tool, m.environment.as_deref()),
        (DeployTool::Unknown, Some("dev"))
    );
    // Without a target, without the secret, or named for preparing or checking: none.
    let no_target = with(&[("kubeconfig", "${{ secrets.KUBECONFIG }}")]);
    assert!(call_spec("SocialGouv/kube-workflow@v1", &no_target, gh).is_none());
    let no_secret = with(&[("environment", "dev"), ("kubeconfig", "./kube.yaml")]);
    assert!(call_spec("SocialGouv/kube-workflow@v1", &no_secret, gh).is_none());
    for other in [
        "acme/kube-linter-action@v1",
        "acme/setup-k8s-tools@v2",
        "acme/helm-diff@v1",
    ] {
        assert!(call_spec(other, &given, gh).is_none(), "{other}");
    }
}

/// `docker://` steps running kubectl or helm were not recognised (issue 9, class 3).
#[test]
fn container_actions_running_kubectl_or_helm_deploy() {
    let github = CiSystem::GithubActions;
    let args = |a: &str| vec![("args".to_owned(), a.to_owned())];
    let spec = action_spec("docker://bitnami/kubectl:1.29", github).expect("kubectl image");
    let m = classify_action_deploy(spec, &args("apply -n web -f k8s/")).expect("deploys");
    assert_eq!(
        (m.tool, m.operation.as_str(), m.namespace.as_deref()),
        (DeployTool::Kubectl, "apply", Some("web"))
    );
    assert!(classify_action_deploy(spec, &args("get pods")).is_none());
    let spec = action_spec("docker://alpine/helm:3.14.0", github).expect("helm image");
    let m = classify_action_deploy(spec, &args("upgrade --install web ./chart")).expect("deploys");
    assert_eq!(m.tool, DeployTool::Helm);
    assert!(action_spec("docker://alpine:3.19", github).is_none());
    let spec = action_spec("docker://yuvipanda/hubploy:20210105", github).expect("hubploy");
    let m = classify_action_deploy(spec, &args("deploy utoronto hub prod")).expect("deploys");
    assert_eq!(
        (m.tool, m.operation.as_str(), m.environment.as_deref()),
        (DeployTool::Helm, "upgrade-install", Some("prod"))
    );
    assert!(classify_action_deploy(spec, &args("build utoronto --push")).is_none());
}

/// An organisation's own deploy action was a dead end (issue 9, class 2): a repository name
/// that says both "deploy" and a cluster platform is a deploy, of the platform's tool when the
/// name gives one; one of the two words alone is not.
#[test]
fn org_actions_named_for_deploying_to_a_cluster_deploy() {
    let github = CiSystem::GithubActions;
    for (uses, tool) in [
        ("bcgov/action-deployer-openshift@v4", DeployTool::Oc),
        ("acme/helm-deploy-action@v1", DeployTool::Helm),
        ("acme/deploy-to-argocd@main", DeployTool::Argocd),
        ("google-github-actions/deploy-gke@v0", DeployTool::Unknown),
        ("acme/k8s-deployment/sub/path@v1", DeployTool::Unknown),
        (
            "hmcts/cnp-githubactions-library/helm-deploy@main",
            DeployTool::Helm,
        ),
    ] {
        let spec = action_spec(uses, github).expect(uses);
        let m = classify_action_deploy(spec, &[]).expect(uses);
        assert_eq!((m.tool, m.operation.as_str()), (tool, "call"), "{uses}");
    }
    for other in [
        "actions/deploy-pages@v4",
        "azure/webapps-deploy@v3",
        "acme/k8s-lint@v1",
        "acme/kubeconform-action@v1",
        "chrnorm/deployment-action@v2",
        "acme/actions-library/helm-lint@v1",
    ] {
        assert!(action_spec(other, github).is_none(), "{other}");
    }
    let gitlab = action_spec("acme/helm-deploy-action", CiSystem::GitlabCi);
    assert!(gitlab.is_none(), "only GitHub steps are actions");
}

/// A remote reusable workflow whose name says nothing deploys when it is handed a cluster
/// credential (issue 9, class 2); `secrets: inherit`, other secrets and local calls do not.
#[test]
fn remote_calls_handed_a_cluster_credential_deploy() {
    let github = CiSystem::GithubActions;
    let task = "acme/ci-cd/.github/workflows/run_task.yaml@main";
    for given in [
        with(&[("secrets.creds", "${{ secrets.AZURE_AKS }}")]),
        with(&[("secrets.kubeconfig", "${{ secrets.CONFIG }}")]),
        with(&[("secrets.token", "${{ secrets.PROD_K8S_TOKEN }}")]),
    ] {
        let spec = call_spec(task, &given, github).expect("deploys");
        let m = classify_action_deploy(spec, &given).expect("deploys");
        assert_eq!(m.tool, DeployTool::Unknown, "{given:?}");
    }
    for (uses, given) in [
        (task, with(&[("secrets", "inherit")])),
        (
            task,
            with(&[("secrets.hook", "${{ secrets.SLACK_WEBHOOK_URL }}")]),
        ),
        (task, with(&[("cluster", "prod")])),
        (
            "./.github/workflows/run.yml",
            with(&[("secrets.kubeconfig", "x")]),
        ),
        ("acme/kube-action@v1", with(&[("secrets.kubeconfig", "x")])),
        // kops changes the cluster's machines, not what runs on it.
        (
            "acme/infra/.github/workflows/kops-cli.yml@main",
            with(&[("secrets.kubeconfig", "x")]),
        ),
    ] {
        assert!(
            call_spec(uses, &given, github).is_none(),
            "{uses} {given:?}"
        );
    }
    let gitlab = call_spec(
        task,
        &with(&[("secrets.kubeconfig", "x")]),
        CiSystem::GitlabCi,
    );
    assert!(gitlab.is_none());
}

/// A registry orb's job named for deploying was a dead end (issue 9, class 2): it is a deploy
/// of unknown tool with the environment its `env` parameter names; orbs that deploy elsewhere,
/// and names without a deploy word, are not.
#[test]
fn orb_jobs_named_for_deploying_deploy() {
    let circle = CiSystem::Circleci;
    let params = [("env".to_owned(), "preprod".to_owned())];
    let spec = action_spec("hmpps/deploy_env", circle).expect("a deploy orb job");
    let m = classify_action_deploy(spec, &params).expect("deploys");
    assert_eq!(
        (m.tool, m.operation.as_str(), m.environment.as_deref()),
        (DeployTool::Unknown, "call", Some("preprod"))
    );
    for other in [
        "heroku/deploy-via-git",
        "aws-ecs/deploy-service-update",
        "terraform/deploy",
        "acme/helm-lint",
        "slack/notify",
        "deploy",
    ] {
        assert!(action_spec(other, circle).is_none(), "{other}");
    }
}

/// An Azure steps template of another repository is a deploy when its path says so (issue 9,
/// class 2): a deploy word and a platform, or a tool's own verb next to the tool.
#[test]
fn remote_azure_templates_named_for_deploying_deploy() {
    let azure = CiSystem::AzurePipelines;
    for (uses, tool) in [
        (
            "templates/helm-microservice-chart-deploy/template.yaml@commons",
            DeployTool::Helm,
        ),
        (
            "templates\\Containerisation\\helm\\helm-install.yaml@azTemplates",
            DeployTool::Helm,
        ),
        ("steps/k8s/kubectl-apply.yml@shared", DeployTool::Unknown),
    ] {
        let spec = action_spec(uses, azure).expect(uses);
        let m = classify_action_deploy(spec, &[]).expect(uses);
        assert_eq!(m.tool, tool, "{uses}");
    }
    for uses in [
        "templates/Containerisation/helm/helm-lint.yaml@azTemplates",
        "templates/docker-release/template.yaml@commons",
        "templates/terraform/k8s-deploy.yaml@infra",
        // A local template is read, not judged by its name.
        "templates/helm-deploy.yaml",
    ] {
        assert!(action_spec(uses, azure).is_none(), "{uses}");
    }
}

/// An action the table does not know, named for kubectl or helm and given a command line, runs
/// that line (issue 9, class 3); the line decides whether it deploys.
#[test]
fn unknown_tool_actions_run_their_command_line() {
    let github = CiSystem::GithubActions;
    let upgrade = with(&[(
        "command",
        "helm upgrade --install web ./chart -n shop-stage --wait",
    )]);
    let spec = call_spec("acme/helm-eks-action@v1", &upgrade, github).expect("a tool action");
    let m = classify_action_deploy(spec, &upgrade).expect("deploys");
    assert_eq!(
        (m.tool, m.namespace.as_deref()),
        (DeployTool::Helm, Some("shop-stage"))
    );
    let apply = with(&[("args", "apply -k overlays/prod")]);
    let spec = call_spec("acme/kubectl-action@v2", &apply, github).expect("a tool action");
    assert_eq!(
        classify_action_deploy(spec, &apply).map(|m| m.tool),
        Some(DeployTool::Kubectl)
    );
    // An input named for the tool holds its line (`hiberbee/github-action-helm`).
    let named = with(&[("helm", "upgrade web --install ./chart -n shop-qa")]);
    let spec = call_spec("acme/github-action-helm@latest", &named, github).expect("a tool action");
    let m = classify_action_deploy(spec, &named).expect("deploys");
    assert_eq!(
        (m.tool, m.namespace.as_deref()),
        (DeployTool::Helm, Some("shop-qa"))
    );
    // A read-only line, a setup action, or no command line: no deploy.
    let get = with(&[("args", "get pods")]);
    let spec = call_spec("acme/kubectl-action@v2", &get, github).expect("a tool action");
    assert!(classify_action_deploy(spec, &get).is_none());
    assert!(call_spec("acme/setup-kubectl@v1", &apply, github).is_none());
    assert!(
        call_spec(
            "acme/helm-eks-action@v1",
            &with(&[("version", "3")]),
            github
        )
        .is_none()
    );
}

/// An action whose name says nothing of kubectl, handed a cluster's secret, with a kubectl
/// command line in `args`, wraps kubectl.
#[test]
fn kubectl_wrappers_under_another_name_run_their_args() {
    let github = CiSystem::GithubActions;
    let given = |args: &str| {
        with(&[
            ("env.KUBE_CONFIG_DATA", "${{ secrets.KUBE_CONFIG_DATA }}"),
            ("args", args),
        ])
    };
    let apply = given("apply -n sandbox -f deploy/app.yaml");
    let spec = call_spec("pangealab/kratos@master", &apply, github).expect("a kubectl wrapper");
    let m = classify_action_deploy(spec, &apply).expect("deploys");
    assert_eq!(
        (m.tool, m.namespace.as_deref()),
        (DeployTool::Kubectl, Some("sandbox"))
    );
    let restart = given("rollout restart deploy/web");
    let spec = call_spec("acme/ship@v1", &restart, github).expect("a kubectl wrapper");
    assert!(classify_action_deploy(spec, &restart).is_some());
    // A read-only line is no deploy; words alone, no secret, or a name that says it prepares
    // or deploys elsewhere: not a wrapper.
    let get = given("get pods -n sandbox");
    let spec = call_spec("pangealab/kratos@master", &get, github).expect("a kubectl wrapper");
    assert!(classify_action_deploy(spec, &get).is_none());
    assert!(call_spec("acme/herald@v1", &given("apply for the notes"), github).is_none());
    let no_secret = with(&[("args", "apply -f k8s/")]);
    assert!(call_spec("pangealab/kratos@master", &no_secret, github).is_none());
    assert!(call_spec("acme/setup-tools@v1", &apply, github).is_none());
    assert!(call_spec("acme/netlify-cli@v1", &apply, github).is_none());
}

/// `helmfile/helmfile-action` runs its `helmfile-args` as a helmfile command line: `apply`
/// deploys (to the `--environment` it names), `diff` and `lint` do not.
#[test]
fn helmfile_action_runs_its_arguments() {
    let gh = CiSystem::GithubActions;
    let spec = action_spec("helmfile/helmfile-action@v2.0.4", gh).expect("known");
    let m = classify_action_deploy(
        spec,
        &with(&[("helmfile-args", "apply --environment prod")]),
    )
    .expect("deploys");
    assert_eq!(
        (m.tool, m.operation.as_str(), m.environment.as_deref()),
        (DeployTool::Helmfile, "apply", Some("prod"))
    );
    for args in ["diff", "lint", "template -e prod"] {
        let given = with(&[("helmfile-args", args)]);
        assert!(classify_action_deploy(spec, &given).is_none(), "{args}");
    }
}

/// A sibling of a deploying remote workflow, named per environment, deploys too (issue 9,
/// class 2): same repository and folder, same words up to the environment's, a tier word there,
/// secrets handed over.
#[test]
fn siblings_of_a_deploying_remote_workflow_deploy() {
    let family = "acme/platform/.github/workflows/use-platform-production.yaml@v3";
    let families = DeployFamilies::new(&[family]);
    let inherit = with(&[("secrets", "inherit")]);
    let sibling =
        |uses: &str, given: &[(String, String)]| families.sibling_of(uses, given).is_some();
    assert!(sibling(
        "acme/platform/.github/workflows/use-platform-review-auto.yaml@v3",
        &inherit
    ));
    assert!(sibling(
        "acme/platform/.github/workflows/use-platform-test.yml@v3",
        &with(&[("secrets.token", "${{ secrets.TOKEN }}")])
    ));
    for (uses, given) in [
        // Handed nothing.
        (
            "acme/platform/.github/workflows/use-platform-review.yaml@v3",
            Vec::new(),
        ),
        // No tier word where the family has one.
        (
            "acme/platform/.github/workflows/use-platform-lint.yaml@v3",
            inherit.clone(),
        ),
        // Another repository, another folder, another stem, or the workflow itself.
        (
            "acme/tools/.github/workflows/use-platform-review.yaml@v1",
            inherit.clone(),
        ),
        (
            "acme/platform/.github/workflows/run-review.yaml@v3",
            inherit.clone(),
        ),
        (family, inherit.clone()),
        (
            "./.github/workflows/use-platform-review.yaml",
            inherit.clone(),
        ),
    ] {
        assert!(!sibling(uses, &given), "{uses}");
    }
    // A family whose first word is the environment's has no stem to share.
    let bare = DeployFamilies::new(&["acme/platform/.github/workflows/production.yaml@v3"]);
    let review = "acme/platform/.github/workflows/review.yaml@v3";
    assert_eq!(bare.sibling_of(review, &inherit), None);
}

/// A remote call's inputs are its own: the one whose name ends in `namespace` names the
/// namespace, unless two such inputs disagree; a secret is never one.
#[test]
fn a_remote_call_names_its_namespace_in_its_own_input() {
    let gh = CiSystem::GithubActions;
    let uses = "acme/gh/.github/workflows/helm-upgrade.yml@v1";
    let spec = action_spec(uses, gh).expect("a deploy by its name");
    let namespace = |pairs: &[(&str, &str)]| {
        classify_action_deploy(spec, &with(pairs)).and_then(|m| m.namespace)
    };
    assert_eq!(
        namespace(&[("helm_release_namespace", "production")]).as_deref(),
        Some("production")
    );
    assert_eq!(
        namespace(&[("namespace", "web"), ("target-namespace", "other")]).as_deref(),
        Some("web")
    );
    assert_eq!(
        namespace(&[("app_namespace", "a"), ("db_namespace", "b")]),
        None
    );
    assert_eq!(namespace(&[("secrets.kube_namespace", "x")]), None);
    // A flag about a namespace names none (`DELETE_NAMESPACE: "true"`, found on holdout-21).
    assert_eq!(namespace(&[("DELETE_NAMESPACE", "\"true\"")]), None);
    assert_eq!(
        namespace(&[("DELETE_NAMESPACE", "no"), ("target-namespace", "shop")]).as_deref(),
        Some("shop")
    );
}

/// An organisation's action named for tearing a deploy down deploys when it is handed a
/// cluster, as one named for deploying does; handed nothing of a cluster, or named for
/// another target, it does not.
#[test]
fn teardown_actions_handed_a_cluster_deploy() {
    let gh = CiSystem::GithubActions;
    let kube = with(&[("kube-config", "${{ secrets.KUBECONFIG }}")]);
    for uses in [
        "SocialGouv/actions/autodevops-deactivate@v1",
        "thecodingmachine/deeployer-cleanup-action@master",
        "acme/preview-destroy@v2",
        "ministryofjustice/laa-civil-apply-delete-uat-release@v1",
    ] {
        assert!(call_spec(uses, &kube, gh).is_some(), "{uses}");
    }
    let token = with(&[("token", "${{ secrets.GITHUB_TOKEN }}")]);
    assert!(call_spec("acme/actions/artifacts-cleanup@v3", &token, gh).is_none());
    assert!(call_spec("acme/terraform-destroy@v1", &kube, gh).is_none());
}

/// A script the repository does not hold (cloned at run time, in another checkout) deploys by
/// its file name when it says both deploying and a cluster, and nothing of reading, rendering
/// or another target (issue 9, class 2; found on holdout-28).
#[test]
fn unread_scripts_named_for_deploying_deploy() {
    let tool = |path: &str| super::unread_script::unread_script_tool(path);
    assert_eq!(
        tool("./deploy-scripts/bin/deploy-eks"),
        Some(DeployTool::Unknown)
    );
    assert_eq!(
        tool("$(dir)/deploy-k8s-apply.bash"),
        Some(DeployTool::Kubectl)
    );
    assert_eq!(tool("./bin/helm_deploy"), Some(DeployTool::Helm));
    assert_eq!(tool("scripts/deploy-openshift.sh"), Some(DeployTool::Oc));
    assert_eq!(tool("ops/helm-upgrade.sh"), Some(DeployTool::Helm));
    assert_eq!(tool("kubectl-apply.sh"), Some(DeployTool::Kubectl));
    // Reading, rendering, installing the tool, another target, or no cluster named.
    assert_eq!(tool("$(dir)/deploy-k8s-rollout-status.bash"), None);
    assert_eq!(tool("$(dir)/deploy-k8s-envsubst.bash"), None);
    assert_eq!(tool("./install-helm.sh"), None);
    assert_eq!(tool("./get_helm.sh"), None);
    assert_eq!(tool("./deploy-lambda-eks.sh"), None);
    assert_eq!(tool("./deploy.sh"), None);
    assert_eq!(tool("./k8s/deploy.sh"), None);
    assert_eq!(tool("./deploy-scripts/bin/build"), None);
}

/// An unread deploy script's namespace is the first namespace variable it is given.
#[test]
fn unread_scripts_deploy_into_the_namespace_variable_they_are_given() {
    let given = |set: &'static [&'static str]| move |name: &str| set.contains(&name);
    let m = unread_script_deploy(
        "./bin/deploy-eks",
        given(&["NAMESPACE", "K8S_NAMESPACE"]),
        false,
    )
    .expect("deploys");
    assert_eq!(
        (m.tool, m.operation.as_str()),
        (DeployTool::Unknown, "call")
    );
    assert_eq!(m.namespace.as_deref(), Some("$K8S_NAMESPACE"));
    let bare = unread_script_deploy("./bin/deploy-eks", given(&[]), false).expect("deploys");
    assert_eq!(bare.namespace, None);
    assert!(unread_script_deploy("./bin/build", given(&["NAMESPACE"]), false).is_none());
    // A name without a platform deploys only after the job connected to a cluster.
    assert!(unread_script_deploy("deployments/deploy.sh", given(&[]), false).is_none());
    let after = unread_script_deploy("deployments/deploy.sh", given(&[]), true).expect("deploys");
    assert_eq!(after.tool, DeployTool::Unknown);
    assert!(unread_script_deploy("scripts/deploy-lambda.sh", given(&[]), true).is_none());
    assert!(unread_script_deploy("scripts/build.sh", given(&[]), true).is_none());
    // Nor one whose deploy word is a variable's, or that runs after a deploy to check it.
    for other in [
        "../config/environment_${DEPLOYMENT_STAGE}",
        "post_deploy_read_smoke.sh",
    ] {
        assert!(
            unread_script_deploy(other, given(&[]), true).is_none(),
            "{other}"
        );
    }
    assert!(unread_script_deploy("./deploy-$ENV.sh", given(&[]), true).is_some());
}

/// A template or call named for another target deploys there, not to a cluster.
#[test]
fn templates_named_for_another_target() {
    for name in [".terraform:deploy", "deploy-lambda", ".deploy_to_pages"] {
        assert!(names_another_target(name), "{name}");
    }
    for name in [".k8s_deploy", ".deploy_template", "helm-upgrade"] {
        assert!(!names_another_target(name), "{name}");
    }
}
