use super::*;

#[test]
fn actions() {
    let with = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<Vec<_>>()
    };
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
