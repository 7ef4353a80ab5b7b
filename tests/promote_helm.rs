//! Promotion of Helm apps (tests/fixtures/repos/helm-charts): the image goes into the values
//! file promotion owns beside the overlay, the release reads it last, the team's chart and
//! values files stay byte for byte, and what the chart would ignore is refused.

mod promote_support;

use std::path::Path;

use promote_support::{Fixture, built, empty, git, gitops_gen, promote, remote_file};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/repos/helm-charts"
);

/// The fixture's files, relative to its root, with their text.
fn team_files() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(FIXTURE)];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixture") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(FIXTURE).expect("inside");
                let rel = rel.to_string_lossy().replace('\\', "/");
                out.push((rel, std::fs::read_to_string(&path).expect("text")));
            }
        }
    }
    out.sort();
    out
}

/// The fixture generated, committed and pushed.
fn generated() -> Fixture {
    let f = empty();
    for (rel, text) in team_files() {
        write(&f.checkout, &rel, &text);
    }
    gitops_gen(&f.checkout).arg("generate").assert().success();
    push(&f, "gitops-gen");
    f
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn push(f: &Fixture, message: &str) {
    git(&f.checkout, &["add", "-A"]);
    git(&f.checkout, &["commit", "-q", "-m", message]);
    git(&f.checkout, &["push", "-q", "origin", "main"]);
}

fn one_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let words: Vec<&str> = text.split_whitespace().filter(|w| *w != "|").collect();
    words.join(" ")
}

#[test]
fn promoting_a_helm_app_sets_its_image_values_and_nothing_of_the_team() {
    let f = generated();
    promote(&f, "staging", "web", "ghcr.io/acme/web:v2")
        .assert()
        .success();
    let values = remote_file(&f, "main", "applications/overlays/staging/web-image.yaml");
    assert!(values.ends_with("image:\n  tag: v2\n"), "{values}");
    let overlay = remote_file(
        &f,
        "main",
        "applications/overlays/staging/kustomization.yaml",
    );
    assert!(
        overlay.contains("- ../../releases/staging/web\n")
            && overlay.contains("- name: web-image\n")
            && overlay.contains("values.yaml=web-image.yaml"),
        "{overlay}"
    );
    // What Flux applies: the release, reading the team's values and then the image's.
    let staging = built(&f, "applications/overlays/staging");
    for expected in [
        "kind: HelmRelease",
        "name: web-values\n",
        "name: web-values-staging\n",
        "tag: v2",
        "reconcile.fluxcd.io/watch: Enabled",
    ] {
        assert!(staging.contains(expected), "{expected}\n{staging}");
    }
    let order: Vec<&str> = staging
        .lines()
        .filter_map(|l| l.trim().strip_prefix("name: web-"))
        .collect();
    assert!(
        order.ends_with(&["values", "values-staging", "image"]),
        "{order:?}"
    );
    // Promoting the same image again changes nothing and commits nothing.
    let tip = git(&f.remote, &["rev-parse", "main"]);
    promote(&f, "staging", "web", "ghcr.io/acme/web:v2")
        .assert()
        .success();
    assert_eq!(git(&f.remote, &["rev-parse", "main"]), tip);
    // A later promotion edits the one key.
    promote(&f, "staging", "web", "ghcr.io/acme/web:v3")
        .assert()
        .success();
    let values = remote_file(&f, "main", "applications/overlays/staging/web-image.yaml");
    assert!(values.ends_with("image:\n  tag: v3\n"), "{values}");
    // `--from` copies what staging runs into production.
    gitops_gen(&f.checkout)
        .args(["promote", "--from", "staging", "--to", "production"])
        .args(["--app", "web", "--mode", "commit"])
        .assert()
        .success();
    let production = built(&f, "applications/overlays/production");
    assert!(
        production.contains("tag: v3") && production.contains("name: web-values-production"),
        "{production}"
    );
    for (rel, text) in team_files() {
        assert_eq!(remote_file(&f, "main", &rel), text, "{rel} changed");
    }
}

#[test]
fn a_chart_repository_app_gets_its_repository_too_and_a_warning() {
    let f = generated();
    let out = promote(&f, "staging", "api", "ghcr.io/acme/api:1.5.0")
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", one_line(&out.stderr));
    let said = one_line(&out.stderr);
    assert!(
        said.contains("cannot be read offline") && said.contains("`image.tag`"),
        "{said}"
    );
    let values = remote_file(&f, "main", "applications/overlays/staging/api-image.yaml");
    assert!(
        values.ends_with("image:\n  tag: \"1.5.0\"\n  repository: ghcr.io/acme/api\n"),
        "{values}"
    );
    let staging = built(&f, "applications/overlays/staging");
    assert!(
        staging.contains("kind: OCIRepository") && staging.contains("releaseName: shop-api"),
        "{staging}"
    );
}

#[test]
fn a_preview_instance_runs_its_own_image() {
    let f = generated();
    for (branch, tag) in [("feature/a", "a1"), ("feature/b", "b1")] {
        gitops_gen(&f.checkout)
            .args(["promote", "--env", "preview", "--app", "web"])
            .args(["--image", &format!("ghcr.io/acme/web:{tag}")])
            .args(["--ref", &format!("refs/heads/{branch}")])
            .assert()
            .success();
    }
    let preview = built(&f, "applications/overlays/preview");
    let releases = preview.matches("kind: HelmRelease").count();
    assert_eq!(releases, 2, "{preview}");
    assert!(
        preview.contains("tag: a1") && preview.contains("tag: b1"),
        "{preview}"
    );
}

#[test]
fn what_the_chart_would_ignore_is_refused() {
    let f = generated();
    // A digest has no place in a chart that takes a tag.
    let digest = format!("ghcr.io/acme/web@sha256:{}", "a".repeat(64));
    let out = promote(&f, "staging", "web", &digest)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        one_line(&out.stderr).contains("promote a tag, not a digest"),
        "{}",
        one_line(&out.stderr)
    );
    // The chart stops taking `image.tag` on the branch: the promotion would change nothing.
    write(
        &f.checkout,
        "charts/web/values.yaml",
        "image:\n  reference: ghcr.io/acme/web\n",
    );
    push(&f, "chart: one image reference");
    let tip = git(&f.remote, &["rev-parse", "main"]);
    let out = promote(&f, "staging", "web", "ghcr.io/acme/web:v2")
        .output()
        .expect("run");
    let said = one_line(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("takes no value at `image.tag`") && said.contains("Nothing was pushed"),
        "{said}"
    );
    assert_eq!(git(&f.remote, &["rev-parse", "main"]), tip);
    // And generate says so too.
    let out = gitops_gen(&f.checkout)
        .arg("generate")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        one_line(&out.stderr).contains("takes no value at `image.tag`"),
        "{}",
        one_line(&out.stderr)
    );
}

#[test]
fn removing_an_app_an_environment_runs_is_refused_until_the_overlay_lets_go() {
    let f = generated();
    promote(&f, "staging", "worker", "ghcr.io/acme/worker:v1")
        .assert()
        .success();
    git(&f.checkout, &["pull", "-q", "--ff-only", "origin", "main"]);
    let model = std::fs::read_to_string(f.checkout.join("gitops-gen.yaml")).expect("model");
    let without = &model[..model.find("  - name: worker").expect("worker")];
    write(&f.checkout, "gitops-gen.yaml", without);
    let out = gitops_gen(&f.checkout)
        .arg("generate")
        .output()
        .expect("run");
    let said = one_line(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("`applications/overlays/staging/kustomization.yaml` lists")
            && said.contains("Nothing was written"),
        "{said}"
    );
    let release = f.checkout.join("applications/releases/staging/worker");
    assert!(release.is_dir());
    // Once staging no longer runs it, the release folders go.
    write(
        &f.checkout,
        "applications/overlays/staging/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n",
    );
    gitops_gen(&f.checkout).arg("generate").assert().success();
    assert!(!release.exists());
}

#[test]
fn generate_refuses_charts_and_values_that_are_not_there() {
    let cases: [(&str, &str, &str); 4] = [
        (
            "values: charts/web/values-common.yaml",
            "values: charts/web/values-gone.yaml",
            "the values file `charts/web/values-gone.yaml` of app `web` is not a file",
        ),
        (
            "chart: charts/web\n",
            "chart: services/api\n",
            "`services/api` is not a Helm chart: it has no `Chart.yaml`",
        ),
        (
            "values: services/api/values.yaml",
            "values: services/api/broken.yaml",
            "`services/api/broken.yaml:2:1` is not valid YAML",
        ),
        (
            "values: services/api/values.yaml",
            "values: services/api/list.yaml",
            "`services/api/list.yaml` is not Helm values: its top level is a sequence",
        ),
    ];
    for (from, to, expected) in cases {
        let f = empty();
        write(&f.checkout, "services/api/broken.yaml", "image: [tag\n");
        write(&f.checkout, "services/api/list.yaml", "- image\n");
        for (rel, text) in team_files() {
            let text = if rel == "gitops-gen.yaml" {
                text.replacen(from, to, 1)
            } else {
                text
            };
            write(&f.checkout, &rel, &text);
        }
        let out = gitops_gen(&f.checkout)
            .arg("generate")
            .output()
            .expect("run");
        let said = one_line(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{said}");
        assert!(said.contains(expected), "{expected}: {said}");
        assert!(!f.checkout.join("applications").exists(), "nothing written");
    }
}

/// The fixture generated under `operator` (Fleet's without its preview environment, which
/// Fleet does not take with Helm apps), committed and pushed.
fn generated_under(operator: &str) -> Fixture {
    let f = empty();
    for (rel, text) in team_files() {
        let text = if rel == "gitops-gen.yaml" {
            let text = text.replacen(
                "\nci: github\n",
                &format!(
                    "\nci: github\noperator: {operator}\ngitops: {{url: \"https://github.com/acme/shop.git\"}}\n"
                ),
                1,
            );
            if operator == "fleet" {
                text.replacen(
                    "  - {name: preview, branches: ['feature/*'], preview: true}\n",
                    "",
                    1,
                )
            } else {
                text
            }
        } else {
            text
        };
        write(&f.checkout, &rel, &text);
    }
    gitops_gen(&f.checkout).arg("generate").assert().success();
    push(&f, "gitops-gen");
    f
}

/// Under Argo CD and Fleet the same promotion writes the same values file, which the operator's
/// object (`reader`, unchanged by promotion) lists last as `entry`; the overlay still builds and
/// holds no Flux object.
fn promoted_under(operator: &str, reader: &str, entry: &str) {
    let f = generated_under(operator);
    let before = remote_file(&f, "main", reader);
    assert!(before.contains(entry), "{before}");
    promote(&f, "staging", "web", "ghcr.io/acme/web:v2")
        .assert()
        .success();
    let values = remote_file(&f, "main", "applications/overlays/staging/web-image.yaml");
    assert!(values.ends_with("image:\n  tag: v2\n"), "{values}");
    let staging = built(&f, "applications/overlays/staging");
    assert!(!staging.contains("HelmRelease"), "{staging}");
    assert!(staging.contains("name: web-image\n"), "{staging}");
    assert_eq!(remote_file(&f, "main", reader), before);
}

#[test]
fn under_argo_cd_the_image_goes_into_the_file_the_application_reads() {
    promoted_under(
        "argocd",
        "clusters/staging/argocd/helm.staging.web.yaml",
        "- \"$values/applications/overlays/staging/web-image.yaml\"\n",
    );
}

#[test]
fn under_fleet_the_image_goes_into_the_file_the_bundle_reads() {
    promoted_under(
        "fleet",
        "clusters/fleet/bundles/staging/helm.web/fleet.yaml",
        "    - ../../applications/overlays/staging/web-image.yaml\n",
    );
}

/// Under Argo CD a preview's instances are Applications of an ApplicationSet, which finds each
/// instance by the image values file promotion writes and its namespace by the Namespace file
/// beside it; promotion checks that the set's template reads that file last, and refuses when
/// it does not.
#[test]
fn under_argo_cd_a_preview_instance_is_what_the_application_set_finds() {
    let f = generated_under("argocd");
    let set_file = "clusters/preview/argocd/helm.preview.web.yaml";
    let set = remote_file(&f, "main", set_file);
    assert!(
        set.contains("- path: applications/overlays/preview/*/web-image.yaml\n")
            && set.contains("- path: \"{{ .instance.path.path }}/namespace.yaml\"\n")
            && set.contains("- \"$values/{{ .instance.path.path }}/web-image.yaml\"\n"),
        "{set}"
    );
    let preview = |branch: &str, tag: &str| {
        let mut cmd = gitops_gen(&f.checkout);
        cmd.args(["promote", "--env", "preview", "--app", "web"])
            .args(["--image", &format!("ghcr.io/acme/web:{tag}")])
            .args(["--ref", &format!("refs/heads/{branch}")]);
        cmd
    };
    preview("feature/a", "a1").assert().success();
    let files = git(&f.remote, &["ls-tree", "-r", "--name-only", "main"]);
    let instance: Vec<&str> = files
        .lines()
        .filter(|l| {
            l.starts_with("applications/overlays/preview/") && l.ends_with("/web-image.yaml")
        })
        .collect();
    assert_eq!(instance.len(), 1, "{files}");
    let folder = instance[0].strip_suffix("/web-image.yaml").expect("suffix");
    // The second generator's file, and what it names.
    let namespace = remote_file(&f, "main", &format!("{folder}/namespace.yaml"));
    assert!(
        namespace.contains("kind: Namespace") && namespace.contains("name: shop-feature-a"),
        "{namespace}"
    );
    assert!(remote_file(&f, "main", instance[0]).ends_with("tag: a1\n"));
    assert_eq!(
        remote_file(&f, "main", set_file),
        set,
        "promotion leaves the set alone"
    );

    // A set whose template reads another file last would not run the promoted image.
    git(&f.checkout, &["pull", "-q", "origin", "main"]);
    let last = "- \"$values/{{ .instance.path.path }}/web-image.yaml\"\n";
    let at = set.find(last).expect("the last values file");
    let indent = &set[set[..at].rfind('\n').expect("a line") + 1..at];
    let edited = set.replace(
        last,
        &format!("{last}{indent}- \"$values/charts/web/values-staging.yaml\"\n"),
    );
    assert_ne!(edited, set);
    write(&f.checkout, set_file, &edited);
    push(&f, "hand edit");
    let out = preview("feature/b", "b1").assert().failure();
    let said = one_line(&out.get_output().stderr);
    assert!(said.contains("does not read the values file"), "{said}");
}
