//! SCAN stage tests: a whole repository layout read from memory.

use super::*;
use crate::files::repo::MemRepo;
use crate::scan::kustomization::KustomizationKind;
use crate::scan::secret::SecretSource;

const SECRET_VALUE: &str = "c3VwZXItc2VjcmV0LXBhc3N3b3Jk";
const STRING_SECRET_VALUE: &str = "hunter2-plaintext";

fn shop() -> MemRepo {
    let plain_secret = format!(
        "\
apiVersion: v1
kind: Secret
metadata:
  name: db-credentials
  namespace: shop
type: Opaque
data:
  password: {SECRET_VALUE}
stringData:
  username: {STRING_SECRET_VALUE}
"
    );
    let files: Vec<(&str, String)> = vec![
        (
            "deploy/base/kustomization.yaml",
            "resources:\n  - deployment.yaml\n  - service.yaml\n".into(),
        ),
        (
            "deploy/base/deployment.yaml",
            "\
# The web deployment.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
"
            .into(),
        ),
        (
            "deploy/base/service.yaml",
            "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\n  namespace: shop\n".into(),
        ),
        (
            "deploy/overlays/production/kustomization.yaml",
            "\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: shop-prod
resources:
  - ../../base
patches:
  - path: replicas.yaml
images:
  - name: ghcr.io/acme/web
    newTag: \"1.4.2\"
"
            .into(),
        ),
        (
            "deploy/overlays/production/replicas.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}\n"
                .into(),
        ),
        (
            "deploy/overlays/staging/kustomization.yaml",
            "resources: [../../base]\nnamespace: shop-staging\n".into(),
        ),
        (
            "charts/web/Chart.yaml",
            "apiVersion: v2\nname: web\nversion: 0.3.1\n".into(),
        ),
        ("charts/web/values.yaml", "replicas: 1\n".into()),
        ("charts/web/values-prod.yaml", "replicas: 3\n".into()),
        (
            "charts/web/templates/deployment.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\n"
                .into(),
        ),
        (
            "charts/web/templates/secret.yaml",
            "apiVersion: v1\nkind: Secret\ndata:\n  token: dG9rZW4=\n".into(),
        ),
        ("envs/staging/values.yaml", "replicas: 2\n".into()),
        (
            "clusters/production/apps.yaml",
            "\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  path: ./deploy/overlays/production
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: web
  namespace: shop
spec:
  chart:
    spec: {chart: ./charts/web}
"
            .into(),
        ),
        (
            "argocd/web.yaml",
            "\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web-staging
  namespace: argocd
spec:
  source: {path: deploy/overlays/staging}
"
            .into(),
        ),
        (
            "fleet/fleet.yaml",
            "defaultNamespace: shop\ntargetCustomizations:\n  - name: prod\n".into(),
        ),
        ("secrets/db.yaml", plain_secret),
        (
            "secrets/db.enc.yaml",
            "\
apiVersion: v1
kind: Secret
metadata:
  name: api-key
data:
  key: ENC[AES256_GCM,data:Zm9v,iv:YmFy,tag:YmF6,type:str]
sops:
  version: 3.8.1
  mac: ENC[AES256_GCM,data:abc]
"
            .into(),
        ),
        (
            "secrets/sealed.yaml",
            "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: s}\nspec:\n  encryptedData: {a: AgB}\n"
                .into(),
        ),
        (
            "Dockerfile",
            "\
FROM golang:1.22 AS build
RUN go build -o /app ./cmd/web
FROM gcr.io/distroless/static:nonroot
COPY --from=build /app /app
"
            .into(),
        ),
        ("worker.Dockerfile", "FROM python:3.12-slim\n".into()),
        (
            "deploy/broken.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: [unclosed\n".into(),
        ),
        ("skaffold.yaml", "apiVersion: skaffold/v4beta6\nkind: Config\n".into()),
        (
            "helmfile.yaml",
            "environments:\n  staging: {}\n  production: {}\n---\nreleases:\n  - name: web\n    chart: ./charts/web\n    namespace: shop\n"
                .into(),
        ),
        (
            ".github/workflows/deploy.yml",
            "on: push\njobs:\n  d:\n    steps:\n      - run: |\n          kubectl apply -f - <<EOF\n          apiVersion: v1\n          kind: Namespace\n          EOF\n".into(),
        ),
        ("README.md", "apiVersion: nope\nkind: nope\n".into()),
    ];
    MemRepo(files.into_iter().map(|(p, t)| (p.to_owned(), t)).collect())
}

fn scan_shop() -> Layout {
    let repo = shop();
    scan(&repo.paths(), &repo)
}

#[test]
fn manifests_skip_chart_templates_and_tool_configs() {
    let layout = scan_shop();
    let files: Vec<&str> = layout.manifests.iter().map(|m| m.file.as_str()).collect();
    assert_eq!(
        files,
        [
            "argocd/web.yaml",
            "clusters/production/apps.yaml",
            "deploy/base/deployment.yaml",
            "deploy/base/service.yaml",
            "deploy/overlays/production/replicas.yaml",
            "secrets/db.enc.yaml",
            "secrets/db.yaml",
            "secrets/sealed.yaml",
        ]
    );
    let deployment = &layout.manifests[2].documents[0];
    assert_eq!(&*deployment.kind, "Deployment");
    assert_eq!(&*deployment.api_version, "apps/v1");
    assert_eq!(deployment.name.as_deref(), Some("web"));
    // The leading comment is line 1; the object starts on line 2.
    assert_eq!(deployment.line, 2);
    let service = &layout.manifests[3];
    assert_eq!(service.documents.len(), 2);
    assert_eq!(&*service.documents[1].kind, "ConfigMap");
    assert_eq!(service.documents[1].namespace.as_deref(), Some("shop"));
    assert_eq!(service.documents[1].line, 5);
    assert!(layout.manifests[5].sops_encrypted);
    assert!(!layout.manifests[6].sops_encrypted);
}

#[test]
fn kustomizations_bases_and_overlays() {
    let layout = scan_shop();
    let ks: Vec<(&str, KustomizationKind)> = layout
        .kustomizations
        .iter()
        .map(|k| (k.dir.as_str(), k.kind))
        .collect();
    assert_eq!(
        ks,
        [
            ("deploy/base", KustomizationKind::Base),
            ("deploy/overlays/production", KustomizationKind::Overlay),
            ("deploy/overlays/staging", KustomizationKind::Overlay),
        ]
    );
    let prod = &layout.kustomizations[1];
    assert_eq!(prod.namespace.as_deref(), Some("shop-prod"));
    assert_eq!(prod.images[0].name, "ghcr.io/acme/web");
    assert_eq!(prod.images[0].new_tag.as_deref(), Some("1.4.2"));
    assert_eq!(prod.patches[0].path.as_deref(), Some("replicas.yaml"));
}

#[test]
fn charts_values_and_helmfiles() {
    let layout = scan_shop();
    assert_eq!(layout.helm_charts.len(), 1);
    let chart = &layout.helm_charts[0];
    assert_eq!(chart.dir, "charts/web");
    assert_eq!(chart.name.as_deref(), Some("web"));
    assert_eq!(chart.version.as_deref(), Some("0.3.1"));
    assert_eq!(
        chart.values_files,
        [
            "charts/web/values-prod.yaml",
            "charts/web/values.yaml",
            "envs/staging/values.yaml",
        ]
    );
    assert_eq!(layout.values_files, ["envs/staging/values.yaml"]);
    assert_eq!(layout.helmfiles.len(), 1);
    assert_eq!(layout.helmfiles[0].environments, ["staging", "production"]);
    assert_eq!(
        layout.helmfiles[0].releases[0].chart.as_deref(),
        Some("./charts/web")
    );
    assert_eq!(layout.skaffold, ["skaffold.yaml"]);
}

#[test]
fn operator_objects() {
    let layout = scan_shop();
    let objects: Vec<(&str, usize, Operator, &str, Option<&str>)> = layout
        .operator_objects
        .iter()
        .map(|o| {
            (
                o.file.as_str(),
                o.line,
                o.operator,
                o.kind.as_str(),
                o.name.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        objects,
        [
            (
                "argocd/web.yaml",
                1,
                Operator::Argocd,
                "Application",
                Some("web-staging")
            ),
            (
                "clusters/production/apps.yaml",
                1,
                Operator::Flux,
                "Kustomization",
                Some("apps")
            ),
            (
                "clusters/production/apps.yaml",
                9,
                Operator::Flux,
                "HelmRelease",
                Some("web")
            ),
            ("fleet/fleet.yaml", 1, Operator::Fleet, "fleet.yaml", None),
        ]
    );
}

#[test]
fn secrets_keep_key_names_only() {
    let layout = scan_shop();
    assert_eq!(layout.plaintext_secrets.len(), 1);
    let secret = &layout.plaintext_secrets[0];
    assert_eq!(secret.file, "secrets/db.yaml");
    assert_eq!(secret.name.as_deref(), Some("db-credentials"));
    assert_eq!(secret.keys, ["password", "username"]);
    assert_eq!(secret.line, 1);
    let json = serde_json::to_string(&layout).expect("json");
    assert!(!json.contains(SECRET_VALUE), "secret value leaked");
    assert!(!json.contains(STRING_SECRET_VALUE), "secret value leaked");
    assert!(!json.contains("dG9rZW4="), "chart template secret leaked");
}

#[test]
fn dockerfiles_list_every_stage() {
    let layout = scan_shop();
    let docker: Vec<(&str, Vec<&str>, Option<usize>)> = layout
        .dockerfiles
        .iter()
        .map(|d| {
            (
                d.file.as_str(),
                d.from_images.iter().map(String::as_str).collect(),
                d.line,
            )
        })
        .collect();
    assert_eq!(
        docker,
        [
            (
                "Dockerfile",
                vec!["golang:1.22", "gcr.io/distroless/static:nonroot"],
                Some(1)
            ),
            ("worker.Dockerfile", vec!["python:3.12-slim"], Some(1)),
        ]
    );
}

#[test]
fn broken_yaml_is_a_diagnostic_and_the_scan_goes_on() {
    let layout = scan_shop();
    assert_eq!(layout.diagnostics.len(), 1, "{:?}", layout.diagnostics);
    let diag = &layout.diagnostics[0];
    assert_eq!(diag.code, crate::files::Code::YamlSyntax);
    assert_eq!(&*diag.loc.file, "deploy/broken.yaml");
    assert!(
        diag.message
            .starts_with("`deploy/broken.yaml` is not valid yaml")
    );
    // Files after the broken one were still read.
    assert!(!layout.plaintext_secrets.is_empty());
}

#[test]
fn objects_are_read_by_what_their_kind_needs_and_the_rest_is_skipped() {
    let crd = "\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  versions: [broken
status: {}
---
apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  password: hunter2
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {kind: Deployment, name: web}
";
    let repo = MemRepo::from_pairs(&[("k8s/all.yaml", crd)]);
    let layout = scan(&repo.paths(), &repo);
    // The CRD's spec is not parsed, so its syntax error is not reported.
    assert!(layout.diagnostics.is_empty(), "{:?}", layout.diagnostics);
    let kinds: Vec<&str> = layout.manifests[0]
        .documents
        .iter()
        .map(|d| &*d.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "CustomResourceDefinition",
            "Secret",
            "Deployment",
            "HorizontalPodAutoscaler"
        ]
    );
    assert_eq!(
        layout.manifests[0].documents[0].name.as_deref(),
        Some("widgets.example.com")
    );
    assert_eq!(layout.plaintext_secrets[0].keys, ["password"]);
    assert_eq!(
        layout.replica_conflicts.len(),
        1,
        "{:?}",
        layout.replica_conflicts
    );
}

#[test]
fn scan_is_deterministic_whatever_the_path_order() {
    let repo = shop();
    let mut reversed = repo.paths();
    reversed.reverse();
    reversed.push(reversed[0].clone());
    let a = serde_json::to_string(&scan(&repo.paths(), &repo)).expect("json");
    let b = serde_json::to_string(&scan(&reversed, &repo)).expect("json");
    assert_eq!(a, b);
}

#[test]
fn root_chart_templates_and_secret_generators() {
    let repo = MemRepo::from_pairs(&[
        ("Chart.yaml", "name: app\nversion: 1.0.0\n"),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\n{{ broken",
        ),
        ("values.yaml", "a: 1\n"),
        ("ci/values-test.yaml", "a: 2\n"),
        (
            "kustomize/kustomization.yaml",
            "secretGenerator:\n  - name: db\n    literals: [password=letmein]\n",
        ),
        (
            "skaffold/dev.yaml",
            "apiVersion: skaffold/v4beta6\nkind: Config\n",
        ),
        (
            "helmfile.d/web.yaml.gotmpl",
            "releases:\n{{ range .Values.apps }}\n",
        ),
        ("bad/Chart.yaml", "name: [\n"),
    ]);
    let layout = scan(&repo.paths(), &repo);
    assert!(layout.manifests.is_empty());
    assert_eq!(layout.helm_charts.len(), 1);
    assert_eq!(
        layout.helm_charts[0].values_files,
        ["ci/values-test.yaml", "values.yaml"]
    );
    assert_eq!(layout.plaintext_secrets[0].keys, ["password"]);
    assert_eq!(
        layout.plaintext_secrets[0].source,
        SecretSource::SecretGenerator
    );
    assert_eq!(layout.skaffold, ["skaffold/dev.yaml"]);
    assert_eq!(layout.helmfiles[0].file, "helmfile.d/web.yaml.gotmpl");
    // Only the broken Chart.yaml is reported: chart templates and .gotmpl files are templates.
    let diag_files: Vec<&str> = layout
        .diagnostics
        .iter()
        .map(|d| d.loc.file.as_ref())
        .collect();
    assert_eq!(diag_files, ["bad/Chart.yaml"]);
    assert!(
        !serde_json::to_string(&layout)
            .expect("json")
            .contains("letmein")
    );
}

#[test]
fn empty_and_hostile_inputs_do_not_panic() {
    let nested = format!("spec: {}{}\n", "[".repeat(5000), "]".repeat(5000));
    // A Deployment's spec is read for its replicas; a CRD's is skipped unparsed.
    let deep = format!("apiVersion: v1\nkind: Deployment\n{nested}");
    let deep_skipped = format!("apiVersion: v1\nkind: CustomResourceDefinition\n{nested}");
    let repo = MemRepo::from_pairs(&[
        ("a.yaml", ""),
        ("b.yaml", "apiVersion: v1\nkind:\n"),
        ("c.yaml", "apiVersion: 1\nkind: 2\nmetadata: 3\n"),
        ("d.yaml", &deep),
        ("e.yaml", &deep_skipped),
        ("kustomization.yaml", "- 1\n"),
        ("Dockerfile", "\\\n\\"),
        ("fleet.yaml", ""),
        ("helmfile.yaml", "releases: 3\nenvironments: [a]\n"),
    ]);
    let layout = scan(&repo.paths(), &repo);
    assert_eq!(layout.manifests.len(), 2, "{:?}", layout.manifests);
    assert_eq!(&*layout.manifests[0].documents[0].api_version, "1");
    assert_eq!(
        &*layout.manifests[1].documents[0].kind,
        "CustomResourceDefinition"
    );
    assert_eq!(layout.diagnostics.len(), 1);
    assert_eq!(&*layout.diagnostics[0].loc.file, "d.yaml");
    assert!(scan(&Vec::<String>::new(), &repo).manifests.is_empty());
}

#[test]
fn works_over_a_dir_repo() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("k8s")).expect("mkdir");
    std::fs::create_dir_all(root.join("tmp")).expect("mkdir");
    std::fs::write(root.join(".gitignore"), "tmp/\n").expect("write");
    std::fs::write(
        root.join("k8s/ns.yaml"),
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n",
    )
    .expect("write");
    std::fs::write(
        root.join("tmp/ns.yaml"),
        "apiVersion: v1\nkind: Namespace\n",
    )
    .expect("write");
    std::fs::write(
        root.join("k8s/latin1.yaml"),
        b"apiVersion: v1\nkind: caf\xe9\n",
    )
    .expect("write");
    let repo = crate::files::repo::DirRepo::open(root).expect("open");
    let layout = scan(repo.paths(), &repo);
    assert_eq!(layout.manifests.len(), 1);
    assert_eq!(layout.manifests[0].file, "k8s/ns.yaml");
    // A manifest that is not UTF-8 is not passed over in silence.
    let diagnostics: Vec<(&str, &str)> = layout
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.message.as_str()))
        .collect();
    assert_eq!(
        diagnostics,
        [(
            "file-not-text",
            "`k8s/latin1.yaml` is not utf-8 text (invalid utf-8 at byte 24; another \
             encoding?); it is not analysed"
        )]
    );
}

#[test]
fn many_charts_cost_linear_work() {
    use crate::files::work::{self, Work};
    // A monorepo of 1,000 charts: finding the chart of each file looks at the file's own
    // directories, not at every chart.
    let charts = 1_000;
    let mut files = Vec::new();
    for i in 0..charts {
        files.push((
            format!("charts/c{i}/Chart.yaml"),
            format!("name: c{i}\nversion: 1.0.0\n"),
        ));
        files.push((
            format!("charts/c{i}/values.yaml"),
            "replicas: 1\n".to_owned(),
        ));
        files.push((
            format!("env/c{i}/values-prod.yaml"),
            "replicas: 2\n".to_owned(),
        ));
    }
    let pairs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let repo = MemRepo::from_pairs(&pairs);
    work::take(Work::ChartChecks);
    let layout = scan(&repo.paths(), &repo);
    assert_eq!(layout.helm_charts.len(), charts);
    // Each chart has its own values and the loose values file named after it.
    assert!(layout.helm_charts.iter().all(|c| c.values_files.len() == 2));
    let checks = work::take(Work::ChartChecks);
    assert!(
        checks <= 8 * 3 * charts,
        "{checks} directories checked for {} files",
        3 * charts
    );
}
