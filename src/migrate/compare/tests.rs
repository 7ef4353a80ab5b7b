use super::*;

const MODEL: &str = "version: 1\nproject: shop\nenvironments:\n  - name: staging\n    branches: main\n    namespace: shop-staging\napps:\n  - name: web\n";

const RENDERED: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: web
          image: ghcr.io/shop/web:1.4.0
          ports:
            - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
    - port: 80
      targetPort: 8080
---
apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  password: from-git
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: cache
";

/// `kubectl get -o yaml` output: a List, server fields, defaults, tool annotations.
const LIVE: &str = "\
apiVersion: v1
kind: List
items:
  - apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop-staging
      uid: 0b6f
      resourceVersion: \"4711\"
      creationTimestamp: \"2026-01-01T00:00:00Z\"
      annotations:
        deployment.kubernetes.io/revision: \"7\"
        kubectl.kubernetes.io/last-applied-configuration: '{}'
      managedFields: [{manager: kubectl}]
    spec:
      replicas: 2
      progressDeadlineSeconds: 600
      template:
        spec:
          containers:
            - name: web
              image: ghcr.io/shop/web:1.3.9
              imagePullPolicy: IfNotPresent
              ports:
                - containerPort: 8080
                  protocol: TCP
    status: {readyReplicas: 2}
  - apiVersion: v1
    kind: Service
    metadata: {name: web, namespace: shop-staging}
    spec:
      clusterIP: 10.0.0.7
      ports:
        - {port: 80, targetPort: 8080, protocol: TCP}
  - apiVersion: v1
    kind: Secret
    metadata: {name: db, namespace: shop-staging}
    stringData: {password: hunter2}
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: kube-root-ca.crt, namespace: shop-staging}
  - apiVersion: apps/v1
    kind: ReplicaSet
    metadata:
      name: web-5d8
      namespace: shop-staging
      ownerReferences: [{kind: Deployment, name: web}]
  - apiVersion: batch/v1
    kind: CronJob
    metadata: {name: cleanup, namespace: shop-staging}
";

fn report(live: &str, rendered: &str) -> Result<Report, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::fs::write(dir.path().join("staging.yaml"), live).map_err(|e| e.to_string())?;
    std::fs::write(dir.path().join("staging.rendered.yaml"), rendered)
        .map_err(|e| e.to_string())?;
    let config = crate::model::parse("gitops-gen.yaml", MODEL).map_err(|e| format!("{e:?}"))?;
    compare(dir.path(), &config, "staging", dir.path())
}

#[test]
fn server_fields_and_defaults_are_ignored_and_real_differences_named() -> Result<(), String> {
    let report = report(LIVE, RENDERED)?;
    let text = report.text();
    assert!(
        text.contains("Deployment.apps/shop-staging/web: differs\n      spec.template.spec.containers[0].image: Git \"ghcr.io/shop/web:1.4.0\", live \"ghcr.io/shop/web:1.3.9\"\n"),
        "{text}"
    );
    assert!(text.contains("Service/shop-staging/web: matches"), "{text}");
    assert!(
        text.contains("HelmRelease.helm.toolkit.fluxcd.io/shop-staging/cache: not compared"),
        "{text}"
    );
    assert!(
        text.contains("CronJob.batch/shop-staging/cleanup: only live"),
        "{text}"
    );
    assert!(
        !text.contains("kube-root-ca") && !text.contains("ReplicaSet"),
        "{text}"
    );
    assert_eq!(report.differences(), 3, "{text}");
    Ok(())
}

#[test]
fn secret_values_are_never_printed() -> Result<(), String> {
    let text = report(LIVE, RENDERED)?.text();
    assert!(
        text.contains("stringData.password: differs (a Secret's value: not shown)"),
        "{text}"
    );
    assert!(
        !text.contains("hunter2") && !text.contains("from-git"),
        "{text}"
    );
    Ok(())
}

#[test]
fn the_same_objects_are_clean() -> Result<(), String> {
    let live = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop-staging, uid: x}\nspec:\n  ports: [{port: 80, protocol: TCP}]\n";
    let rendered =
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports: [{port: 80}]\n";
    let report = report(live, rendered)?;
    assert!(report.is_clean(), "{}", report.text());
    let short = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports: [{port: 80}, {port: 81}]\n";
    let report = self::report(live, short)?;
    let nameless = self::report(live, "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n")?;
    assert!(
        nameless
            .text()
            .contains("ConfigMap: an object without metadata.name, rendered: not compared"),
        "{}",
        nameless.text()
    );
    assert!(
        report.text().contains("spec.ports: 2 items in Git, 1 live"),
        "{}",
        report.text()
    );
    Ok(())
}

#[test]
fn a_missing_export_or_broken_yaml_is_an_error_with_a_place() -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let config = crate::model::parse("gitops-gen.yaml", MODEL).map_err(|e| format!("{e:?}"))?;
    let err = compare(dir.path(), &config, "staging", dir.path())
        .err()
        .unwrap_or_default();
    assert!(err.contains("no live objects for `staging`"), "{err}");
    std::fs::write(dir.path().join("staging.yaml"), "a: [\n").map_err(|e| e.to_string())?;
    let err = compare(dir.path(), &config, "staging", dir.path())
        .err()
        .unwrap_or_default();
    assert!(err.contains("staging.yaml:"), "{err}");
    let err = compare(dir.path(), &config, "prod", dir.path())
        .err()
        .unwrap_or_default();
    assert!(err.contains("no environment `prod`"), "{err}");
    Ok(())
}
