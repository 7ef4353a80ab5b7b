//! Promotion of apps whose manifests the team already had (`deploy.manifests`,
//! `deploy.kustomize`), with an image written the Docker Hub way (`omaik/kitten-store`): the
//! rendered image changes, the team's files stay byte for byte, and a model whose image the
//! manifests never run is refused before anything is written.

mod promote_support;

use std::path::Path;
use std::process::Command;

use promote_support::{Fixture, empty, git, gitops_gen, promote, rendered_images};

const MODEL: &str = "\
version: 1
project: shop
registry: ghcr.io/acme
environments:
  - {name: staging, branches: [main]}
apps:
  - name: web
    image: omaik/kitten-store
    deploy: {manifests: k8s/web}
  - name: api
    deploy:
      kustomize: services/api/base
      overlays: {staging: services/api/overlays/staging}
";

/// The team's files, as they were before gitops-gen.
const TEAM: [(&str, &str); 6] = [
    (
        "k8s/web/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector:\n    \
         matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    \
         spec:\n      containers:\n        - name: web\n          image: omaik/kitten-store:1.0\n",
    ),
    (
        "k8s/web/service.yaml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  \
         ports: [{port: 80}]\n",
    ),
    (
        "services/api/base/kustomization.yaml",
        "resources: [deployment.yaml]\n",
    ),
    (
        "services/api/overlays/staging/kustomization.yaml",
        "resources: [../../base]\npatches: [{path: replicas.yaml}]\n",
    ),
    (
        "services/api/overlays/staging/replicas.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec: {replicas: 3}\n",
    ),
    (
        "services/api/base/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  selector:\n    \
         matchLabels: {app: api}\n  template:\n    metadata:\n      labels: {app: api}\n    \
         spec:\n      containers:\n        - name: api\n          image: ghcr.io/acme/api:0.9\n",
    ),
];

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// A remote and a checkout holding the team's files and `model`, nothing generated yet.
fn repository(model: &str) -> Fixture {
    let f = empty();
    for (rel, text) in TEAM {
        write(&f.checkout, rel, text);
    }
    write(&f.checkout, "gitops-gen.yaml", model);
    f
}

/// Runs `generate` in `f`, expects exit 2, and returns stderr as one line.
fn refused_generate(f: &Fixture) -> String {
    let out = gitops_gen(&f.checkout)
        .arg("generate")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    unwrapped(&stderr)
}

/// `stderr` as one line: the report's wrapping (and its `|` gutter) undone, including inside a
/// hyphenated name (`kitten-` / `store`).
fn unwrapped(stderr: &str) -> String {
    let words: Vec<&str> = stderr.split_whitespace().filter(|w| *w != "|").collect();
    words.join(" ").replace("- ", "-")
}

#[test]
fn promoting_a_team_source_changes_what_runs_and_nothing_of_theirs() {
    let f = repository(MODEL);
    gitops_gen(&f.checkout).arg("generate").assert().success();
    git(&f.checkout, &["add", "-A"]);
    git(&f.checkout, &["commit", "-q", "-m", "gitops-gen"]);
    git(&f.checkout, &["push", "-q", "origin", "main"]);
    // The pipeline pushes and promotes the fully qualified name.
    let workflow =
        std::fs::read_to_string(f.checkout.join(".github/workflows/gitops.yml")).expect("workflow");
    assert!(
        workflow.contains("docker.io/omaik/kitten-store:${{ github.sha }}"),
        "{workflow}"
    );
    promote(&f, "staging", "web", "docker.io/omaik/kitten-store:v2")
        .assert()
        .success();
    promote(&f, "staging", "api", "ghcr.io/acme/api:v3")
        .assert()
        .success();
    assert_eq!(
        rendered_images(&f),
        ["ghcr.io/acme/api:v3", "omaik/kitten-store:v2"]
    );
    // Staging runs api through the team's own staging overlay (its patch applies).
    let overlay = git(
        &f.remote,
        &[
            "show",
            "main:applications/overlays/staging/kustomization.yaml",
        ],
    );
    assert!(
        overlay.contains("- ../../../services/api/overlays/staging"),
        "{overlay}"
    );
    let rendered = Command::new("kubectl")
        .args(["kustomize", "applications/overlays/staging"])
        .current_dir(&f.checkout)
        .output()
        .expect("kubectl");
    assert!(String::from_utf8_lossy(&rendered.stdout).contains("replicas: 3"));
    for (rel, text) in TEAM {
        let now = git(&f.remote, &["show", &format!("main:{rel}")]) + "\n";
        assert_eq!(now, text, "{rel} changed");
    }
}

#[test]
fn an_image_the_manifests_spell_otherwise_is_refused() {
    let f = repository(&MODEL.replace(
        "image: omaik/kitten-store",
        "image: docker.io/omaik/kitten-store",
    ));
    let flat = refused_generate(&f);
    assert!(
        flat.contains("runs the image as `omaik/kitten-store`")
            && flat.contains("write `image: omaik/kitten-store`"),
        "{flat}"
    );
    assert!(!f.checkout.join("applications").exists(), "nothing written");
}

#[test]
fn an_image_the_manifests_never_run_is_refused() {
    let f = repository(&MODEL.replace("image: omaik/kitten-store", "image: ghcr.io/acme/web"));
    let flat = refused_generate(&f);
    assert!(
        flat.contains(
            "never runs the app's image `ghcr.io/acme/web` (it runs `omaik/kitten-store`)"
        ),
        "{flat}"
    );
    assert!(!f.checkout.join("k8s/web/kustomization.yaml").exists());
}

#[test]
fn a_placeholder_the_old_pipeline_filled_in_is_named() {
    let f = repository(MODEL);
    let deployment = "k8s/web/deployment.yaml";
    let text = TEAM[0].1.replace("omaik/kitten-store:1.0", "${IMAGE}");
    write(&f.checkout, deployment, &text);
    let flat = refused_generate(&f);
    assert!(
        flat.contains("(it runs `${IMAGE}`)")
            && flat.contains("write `omaik/kitten-store:<tag>` in the manifests"),
        "{flat}"
    );
}

#[test]
fn a_promotion_kustomize_would_not_apply_is_refused_and_nothing_is_pushed() {
    let f = repository(MODEL);
    gitops_gen(&f.checkout).arg("generate").assert().success();
    // Later, on the GitOps branch, the manifests start spelling the image another way; the
    // model was not changed with them, so its `images:` entry no longer matches.
    let deployment = "k8s/web/deployment.yaml";
    let text = TEAM[0]
        .1
        .replace("omaik/kitten-store", "docker.io/omaik/kitten-store");
    write(&f.checkout, deployment, &text);
    git(&f.checkout, &["add", "-A"]);
    git(&f.checkout, &["commit", "-q", "-m", "gitops-gen"]);
    git(&f.checkout, &["push", "-q", "origin", "main"]);
    let before = git(&f.remote, &["rev-parse", "main"]);
    let out = promote(&f, "staging", "web", "docker.io/omaik/kitten-store:v2")
        .output()
        .expect("run");
    let stderr = unwrapped(&String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("promoting `omaik/kitten-store:v2` would change nothing")
            && stderr.contains("it runs `docker.io/omaik/kitten-store:1.0`")
            && stderr.contains("Nothing was pushed"),
        "{stderr}"
    );
    assert_eq!(git(&f.remote, &["rev-parse", "main"]), before);
}
