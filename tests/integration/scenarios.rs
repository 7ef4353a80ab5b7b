//! Scenario snapshots: the whole tree gitops-gen writes for each representative model, so any
//! change to generated output shows up as a reviewable snapshot diff.

use std::path::{Path, PathBuf};

use tempfile::TempDir;

use crate::common::*;

/// How a scenario's tree comes about.
pub(crate) enum Setup {
    /// `gitops-gen init --yes` in a fresh git repository called `dir`, with an optional remote.
    Init {
        dir: &'static str,
        remote: Option<&'static str>,
    },
    /// `gitops-gen generate` on tests/fixtures/models/`<model>`.yaml.
    Model(&'static str),
    /// The same, for a model with a separate config repository: then `generate
    /// --gitops-checkout` into a sibling folder, [`config_checkout`].
    Separate(&'static str),
    /// The same, with each `(from, to)` text replaced once in the model (each must be there).
    ModelEdited(&'static str, &'static [(&'static str, &'static str)]),
    /// `gitops-gen generate` in a copy of tests/fixtures/repos/`<repo>`/ (a model and the
    /// team's own files it points at).
    Repo(&'static str),
    /// The same, with each `(from, to)` text replaced once in the model (each must be there).
    RepoEdited(&'static str, &'static [(&'static str, &'static str)]),
}

/// One representative configuration.
pub(crate) struct Scenario {
    /// Snapshot name.
    pub(crate) name: &'static str,
    pub(crate) setup: Setup,
}

/// Every scenario; validate.rs runs the external validator over the same list.
pub(crate) const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "default_init",
        setup: Setup::Init {
            dir: "demo",
            remote: None,
        },
    },
    Scenario {
        name: "both_ci",
        setup: Setup::Model("both-ci"),
    },
    Scenario {
        name: "four_envs_preview_tags",
        setup: Setup::Model("four-envs"),
    },
    Scenario {
        name: "two_apps",
        setup: Setup::Model("two-apps"),
    },
    Scenario {
        name: "separate_config_repo",
        setup: Setup::Separate("separate-config-repo"),
    },
    Scenario {
        name: "multi_cluster",
        setup: Setup::Model("multi-cluster"),
    },
    Scenario {
        name: "shared_cluster",
        setup: Setup::Model("shared-cluster"),
    },
    Scenario {
        name: "argocd",
        setup: Setup::Model("argocd"),
    },
    Scenario {
        name: "fleet",
        setup: Setup::Model("fleet"),
    },
    Scenario {
        name: "gitlab_docker_in_docker",
        setup: Setup::Model("gitlab-dind"),
    },
    Scenario {
        name: "team_sources",
        setup: Setup::Repo("team-sources"),
    },
    Scenario {
        name: "progressive_delivery",
        setup: Setup::Model("progressive-delivery"),
    },
    Scenario {
        name: "secrets_from_ci",
        setup: Setup::Model("secrets-from-ci"),
    },
    Scenario {
        name: "external_secrets",
        setup: Setup::Model("external-secrets"),
    },
    Scenario {
        name: "admission_fleet",
        setup: Setup::Model("admission"),
    },
    Scenario {
        name: "admission_argocd",
        setup: Setup::ModelEdited("admission", &[("operator: fleet", "operator: argocd")]),
    },
    Scenario {
        name: "admission_gatekeeper_flux",
        setup: Setup::ModelEdited(
            "admission",
            &[
                ("operator: fleet", "operator: flux"),
                ("admission: kyverno", "admission: gatekeeper"),
            ],
        ),
    },
    Scenario {
        name: "admission_gatekeeper_fleet",
        setup: Setup::ModelEdited(
            "admission",
            &[("admission: kyverno", "admission: gatekeeper")],
        ),
    },
    Scenario {
        name: "progressive_delivery_argocd",
        setup: Setup::ModelEdited(
            "progressive-delivery",
            &[(
                "\nci: github\n",
                "\nci: github\noperator: argocd\ngitops: {url: \"https://github.com/acme/shop.git\"}\n",
            )],
        ),
    },
    Scenario {
        name: "helm_charts",
        setup: Setup::Repo("helm-charts"),
    },
    Scenario {
        name: "operator_sources_flux",
        setup: Setup::Repo("operator-sources"),
    },
    Scenario {
        name: "operator_sources_argocd",
        setup: Setup::RepoEdited(
            "operator-sources",
            &[("\noperator: flux\n", "\noperator: argocd\n")],
        ),
    },
    Scenario {
        name: "operator_sources_fleet",
        setup: Setup::RepoEdited(
            "operator-sources",
            &[("\noperator: flux\n", "\noperator: fleet\n")],
        ),
    },
    Scenario {
        name: "helm_charts_argocd",
        setup: Setup::RepoEdited(
            "helm-charts",
            &[(
                "\nci: github\n",
                "\nci: github\noperator: argocd\ngitops: {url: \"https://github.com/acme/shop.git\"}\n",
            )],
        ),
    },
    Scenario {
        name: "helm_charts_fleet",
        setup: Setup::RepoEdited(
            "helm-charts",
            &[
                (
                    "\nci: github\n",
                    "\nci: github\noperator: fleet\ngitops: {url: \"https://github.com/acme/shop.git\"}\n",
                ),
                (
                    "  - {name: preview, branches: ['feature/*'], preview: true}\n",
                    "",
                ),
            ],
        ),
    },
    // Helm apps where environments share a cluster and production runs on three.
    Scenario {
        name: "helm_charts_shared_flux",
        setup: Setup::RepoEdited("helm-charts", HELM_SHARED_PREVIEW),
    },
    Scenario {
        name: "helm_charts_shared_argocd",
        setup: Setup::RepoEdited("helm-charts", HELM_SHARED_ARGOCD),
    },
    Scenario {
        name: "helm_charts_shared_fleet",
        setup: Setup::RepoEdited("helm-charts", HELM_SHARED_FLEET),
    },
    Scenario {
        name: "init_gitlab_remote",
        setup: Setup::Init {
            dir: "shop",
            remote: Some("https://gitlab.com/acme/shop.git"),
        },
    },
];

/// The Helm fixture's preview and staging on cluster `nonprod`, production on three clusters.
const HELM_SHARED_PREVIEW: &[(&str, &str)] = &[
    ("preview: true}\n", "preview: true, cluster: nonprod}\n"),
    HELM_SHARED[0],
    HELM_SHARED[1],
];
/// Staging's cluster shared and production's three, which every operator's variant edits.
const HELM_SHARED: [(&str, &str); 2] = [
    (
        "branches: [develop]}\n",
        "branches: [develop], cluster: nonprod, namespace: shop-staging}\n",
    ),
    (
        "promotion: pull-request}\n",
        "promotion: pull-request, clusters: [eu, us, ap]}\n",
    ),
];
const HELM_SHARED_ARGOCD: &[(&str, &str)] = &[
    (
        "\nci: github\n",
        "\nci: github\noperator: argocd\ngitops: {url: \"https://github.com/acme/shop.git\"}\n",
    ),
    HELM_SHARED_PREVIEW[0],
    HELM_SHARED[0],
    HELM_SHARED[1],
];
/// Fleet generates no preview instances of Helm apps: a `qa` shares staging's cluster instead.
const HELM_SHARED_FLEET: &[(&str, &str)] = &[
    (
        "\nci: github\n",
        "\nci: github\noperator: fleet\ngitops: {url: \"https://github.com/acme/shop.git\"}\n",
    ),
    (
        "  - {name: preview, branches: ['feature/*'], preview: true}\n",
        "  - {name: qa, branches: [qa], cluster: nonprod}\n",
    ),
    HELM_SHARED[0],
    HELM_SHARED[1],
];

/// Builds a scenario's tree in a fresh temporary directory and returns (guard, tree root).
pub(crate) fn build(scenario: &Scenario) -> (TempDir, PathBuf) {
    match scenario.setup {
        Setup::Init { dir, remote } => {
            let (tmp, root) = named_dir(dir);
            git_repo(&root, remote);
            let out = run(&root, &["init", "--yes"]);
            assert_code(&out, 0);
            (tmp, root)
        }
        Setup::Model(model) => {
            // The directory name is irrelevant to `generate` (the project name is in the
            // model); a fixed one keeps any accidental leak deterministic anyway.
            let (tmp, root) = dir_with_model("repo", &format!("models/{model}.yaml"));
            generate_ok(&root);
            (tmp, root)
        }
        Setup::ModelEdited(model, edits) => {
            let (tmp, root) = dir_with_model("repo", &format!("models/{model}.yaml"));
            edit_model(&root, model, edits);
            generate_ok(&root);
            (tmp, root)
        }
        Setup::Separate(model) => {
            let (tmp, root) = dir_with_model("repo", &format!("models/{model}.yaml"));
            generate_ok(&root);
            let checkout = tmp.path().join("config");
            std::fs::create_dir(&checkout).expect("mkdir config");
            let out = run(
                &root,
                &["generate", "--gitops-checkout", &checkout.to_string_lossy()],
            );
            assert_code(&out, 0);
            (tmp, root)
        }
        Setup::Repo(repo) => {
            let (tmp, root) = named_dir("repo");
            copy_tree(&fixture(&format!("repos/{repo}")), &root);
            generate_ok(&root);
            (tmp, root)
        }
        Setup::RepoEdited(repo, edits) => {
            let (tmp, root) = named_dir("repo");
            copy_tree(&fixture(&format!("repos/{repo}")), &root);
            edit_model(&root, repo, edits);
            generate_ok(&root);
            (tmp, root)
        }
    }
}

/// Replaces each `(from, to)` text once in the model at `root`; each must be there.
fn edit_model(root: &Path, name: &str, edits: &[(&str, &str)]) {
    let mut model = read(root, "gitops-gen.yaml");
    for (from, to) in edits {
        assert!(model.contains(from), "{name}: no {from:?} in {model}");
        model = model.replacen(from, to, 1);
    }
    write(root, "gitops-gen.yaml", &model);
}

/// The checkout of the separate config repository next to a scenario's tree, when it has one.
pub(crate) fn config_checkout(root: &Path) -> Option<PathBuf> {
    let checkout = root.parent()?.join("config");
    checkout.is_dir().then_some(checkout)
}

/// The scenario's tree, then the config repository's when it has one.
pub(crate) fn trees(root: &Path) -> Vec<PathBuf> {
    std::iter::once(root.to_path_buf())
        .chain(config_checkout(root))
        .collect()
}

pub(crate) fn scenario(name: &str) -> &'static Scenario {
    SCENARIOS
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no scenario {name}"))
}

/// Builds, checks the invariants every tree must hold, and snapshots it.
fn snapshot(name: &str) {
    let (tmp, root) = build(scenario(name));
    assert_text_hygiene(&root);
    // A freshly generated tree is never stale.
    assert_code(&run(&root, &["generate", "--check"]), 0);
    let mut tree = tree_snapshot(&root);
    if let Some(checkout) = config_checkout(&root) {
        assert_text_hygiene(&checkout);
        let checked = ["generate", "--check", "--gitops-checkout"];
        let mut args = checked.to_vec();
        let dir = checkout.to_string_lossy();
        args.push(&dir);
        assert_code(&run(&root, &args), 0);
        tree.push_str("################ the config repository ################\n");
        tree.push_str(&tree_snapshot(&checkout));
    }
    assert_no_temp_paths(&tree, &tmp);
    insta::assert_snapshot!(name, tree);
}

#[test]
fn default_init() {
    snapshot("default_init");
}

#[test]
fn both_ci() {
    snapshot("both_ci");
}

#[test]
fn four_envs_preview_tags() {
    snapshot("four_envs_preview_tags");
}

#[test]
fn two_apps() {
    snapshot("two_apps");
}

#[test]
fn separate_config_repo() {
    snapshot("separate_config_repo");
}

#[test]
fn multi_cluster() {
    snapshot("multi_cluster");
}

#[test]
fn shared_cluster() {
    snapshot("shared_cluster");
}

#[test]
fn argocd() {
    snapshot("argocd");
}

#[test]
fn fleet() {
    snapshot("fleet");
}

#[test]
fn gitlab_docker_in_docker() {
    snapshot("gitlab_docker_in_docker");
}

#[test]
fn team_sources() {
    snapshot("team_sources");
}

/// The team's files are referenced where they are and never rewritten; the seeded list of a
/// manifests folder names exactly what `kubectl apply -f` applied.
#[test]
fn team_sources_stay_where_they_are() {
    let (_tmp, root) = build(scenario("team_sources"));
    let fixture_root = fixture("repos/team-sources");
    for rel in [
        "k8s/web/deployment.yaml",
        "k8s/web/service.yml",
        "services/api/base/kustomization.yaml",
    ] {
        assert_eq!(read(&root, rel), read(&fixture_root, rel), "{rel}");
    }
    let listed = read(&root, "k8s/web/kustomization.yaml");
    assert!(
        listed.contains("- deployment.yaml\n") && listed.contains("- service.yml\n"),
        "{listed}"
    );
    assert!(!listed.contains("README"), "{listed}");
    let bases = read(&root, "deploy/applications/base/kustomization.yaml");
    assert!(
        bases.contains("- ../../../k8s/web\n") && bases.contains("- ../../../services/api/base\n"),
        "{bases}"
    );
    // The list is the team's after creation: an edit survives generate and is not stale.
    append(&root, "k8s/web/kustomization.yaml", "# reviewed\n");
    assert_code(&run(&root, &["generate", "--check"]), 0);
}

/// A rolled-out app whose own manifests write `spec.replicas` (in a file the base lists, and in
/// a patch of the team's overlay) gets a warning at each `replicas` key, and nothing is edited.
#[test]
fn rolled_out_team_manifests_with_replicas_are_warned_about() {
    let (_tmp, root) = build(scenario("team_sources"));
    let model = read(&root, "gitops-gen.yaml")
        .replace(
            "    deploy: {manifests: k8s/web}\n",
            "    deploy: {manifests: k8s/web}\n    rollout: {provider: nginx}\n",
        )
        .replace(
            "      overlays: {staging: services/api/overlays/staging}",
            "      overlays: {staging: services/api/overlays/staging}\n    rollout: {provider: istio}",
        );
    write(&root, "gitops-gen.yaml", &model);
    let out = run(&root, &["generate"]);
    assert_code(&out, 0);
    let stderr = String::from_utf8_lossy(&out.stderr).replace('\n', " ");
    for at in [
        "k8s/web/deployment.yaml:7:3: Deployment `web` sets `spec.replicas`",
        "services/api/overlays/staging/replicas.yaml:6:3: Deployment `api` sets",
    ] {
        assert!(stderr.contains(at), "{at} in {stderr}");
    }
    assert_eq!(
        read(&root, "k8s/web/deployment.yaml"),
        read(&fixture("repos/team-sources"), "k8s/web/deployment.yaml")
    );
}

#[test]
fn admission_fleet() {
    snapshot("admission_fleet");
}

#[test]
fn admission_gatekeeper_flux() {
    snapshot("admission_gatekeeper_flux");
}

#[test]
fn admission_gatekeeper_fleet() {
    snapshot("admission_gatekeeper_fleet");
}

#[test]
fn admission_argocd() {
    snapshot("admission_argocd");
}

#[test]
fn external_secrets() {
    snapshot("external_secrets");
}

#[test]
fn secrets_from_ci() {
    snapshot("secrets_from_ci");
}

/// Without a rollout, a team's HPA over a Deployment whose count is in Git is warned about too,
/// at the `replicas` key, naming the HPA.
#[test]
fn a_team_hpa_over_a_fixed_count_is_warned_about() {
    let (_tmp, root) = build(scenario("team_sources"));
    write(
        &root,
        "k8s/web/hpa.yaml",
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\n\
         spec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  \
         minReplicas: 2\n  maxReplicas: 5\n",
    );
    let out = run(&root, &["generate"]);
    assert_code(&out, 0);
    let stderr = String::from_utf8_lossy(&out.stderr).replace('\n', " ");
    assert!(
        stderr.contains("k8s/web/deployment.yaml:7:3: Deployment `web` sets `spec.replicas`")
            && stderr.contains("HorizontalPodAutoscaler at k8s/web/hpa.yaml:1"),
        "{stderr}"
    );
}

#[test]
fn progressive_delivery() {
    snapshot("progressive_delivery");
}

#[test]
fn progressive_delivery_argocd() {
    snapshot("progressive_delivery_argocd");
}

#[test]
fn helm_charts() {
    snapshot("helm_charts");
}

#[test]
fn helm_charts_shared_flux() {
    snapshot("helm_charts_shared_flux");
}

#[test]
fn helm_charts_shared_argocd() {
    snapshot("helm_charts_shared_argocd");
}

#[test]
fn helm_charts_shared_fleet() {
    snapshot("helm_charts_shared_fleet");
}

#[test]
fn operator_sources_flux() {
    snapshot("operator_sources_flux");
}

#[test]
fn operator_sources_argocd() {
    snapshot("operator_sources_argocd");
}

#[test]
fn operator_sources_fleet() {
    snapshot("operator_sources_fleet");
}

#[test]
fn helm_charts_argocd() {
    snapshot("helm_charts_argocd");
}

#[test]
fn helm_charts_fleet() {
    snapshot("helm_charts_fleet");
}

#[test]
fn init_gitlab_remote() {
    snapshot("init_gitlab_remote");
}

/// The gitlab remote must drive detection; checked on the model so a snapshot reviewer does not
/// have to spot it.
#[test]
fn init_gitlab_remote_detects_gitlab() {
    let (_tmp, root) = build(scenario("init_gitlab_remote"));
    let model = read(&root, "gitops-gen.yaml");
    assert!(model.contains("ci: gitlab"), "{model}");
    assert!(
        model.contains("registry: registry.gitlab.com/acme/shop"),
        "{model}"
    );
    assert!(root.join(".gitlab-ci.yml").is_file());
    assert!(!root.join(".github").exists());
}
