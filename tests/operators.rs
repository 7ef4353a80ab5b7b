//! Switching the operator (Flux, Argo CD, Fleet, Flux again): `generate` replaces the
//! operator's files under `clusters/` and leaves `applications/` and `infrastructure/` (and
//! what promotions wrote there) alone; a switch and a switch back end byte-identical; `promote`
//! works the same under each operator.

mod promote_support;

use std::collections::BTreeMap;
use std::path::Path;

use promote_support::{Fixture, empty, git, gitops_gen, remote_file};

const OVERLAY: &str = "applications/overlays/development/kustomization.yaml";

fn model(operator: &str) -> String {
    format!(
        "version: 1\nproject: shop\noperator: {operator}\nregistry: ghcr.io/acme\n\
         gitops: {{url: 'https://github.com/acme/shop.git'}}\n\
         environments:\n  - {{name: development, branches: [main]}}\n\
         \x20 - {{name: production, tags: ['v*'], promotion: pull-request, clusters: [eu, us]}}\n\
         apps:\n  - name: web\n  - name: api\n"
    )
}

/// Writes the model for `operator`, generates, commits and pushes.
fn switch_to(f: &Fixture, operator: &str) {
    std::fs::write(f.checkout.join("gitops-gen.yaml"), model(operator)).expect("write model");
    gitops_gen(&f.checkout).arg("generate").assert().success();
    git(&f.checkout, &["add", "-A"]);
    git(
        &f.checkout,
        &["commit", "-q", "-m", &format!("operator {operator}")],
    );
    git(&f.checkout, &["push", "-q", "origin", "main"]);
}

/// Every tracked file under `dir` of the checkout, with its bytes.
fn files_under(root: &Path, dir: &str) -> BTreeMap<String, Vec<u8>> {
    git(root, &["ls-files", dir])
        .lines()
        .map(|path| {
            let bytes = std::fs::read(root.join(path)).expect("read");
            (path.to_owned(), bytes)
        })
        .collect()
}

fn promote_web(f: &Fixture, tag: &str) {
    gitops_gen(&f.checkout)
        .args(["promote", "--env", "development", "--app", "web", "--image"])
        .arg(format!("ghcr.io/acme/web:{tag}"))
        .assert()
        .success();
    git(&f.checkout, &["pull", "-q", "--ff-only", "origin", "main"]);
}

#[test]
fn switching_operators_replaces_only_the_operator_files_and_comes_back_identical() {
    let f = empty();
    switch_to(&f, "flux");
    promote_web(&f, &"a".repeat(40));
    let flux = files_under(&f.checkout, ".");
    let kept = |tree: &BTreeMap<String, Vec<u8>>| -> BTreeMap<String, Vec<u8>> {
        tree.iter()
            // `infrastructure/controllers/` holds Flux's HelmReleases of the controllers.
            .filter(|(p, _)| {
                p.starts_with("applications/")
                    || (p.starts_with("infrastructure/")
                        && !p.starts_with("infrastructure/controllers/"))
            })
            .map(|(p, b)| (p.clone(), b.clone()))
            .collect()
    };

    switch_to(&f, "argocd");
    let argocd = files_under(&f.checkout, ".");
    assert_eq!(
        kept(&argocd),
        kept(&flux),
        "applications/ and infrastructure/ unchanged"
    );
    let clusters: Vec<&String> = argocd
        .keys()
        .filter(|p| p.starts_with("clusters/"))
        .collect();
    assert_eq!(
        clusters,
        [
            "clusters/development/argocd/apps.yaml",
            "clusters/development/argocd/controller.sealed-secrets.yaml",
            "clusters/development/argocd/controllers.project.yaml",
            "clusters/development/argocd/infrastructure.yaml",
            "clusters/development/argocd/project.yaml",
            "clusters/development/argocd/root.yaml",
            "clusters/eu/argocd/apps.yaml",
            "clusters/eu/argocd/controller.sealed-secrets.yaml",
            "clusters/eu/argocd/controllers.project.yaml",
            "clusters/eu/argocd/infrastructure.yaml",
            "clusters/eu/argocd/project.yaml",
            "clusters/eu/argocd/root.yaml",
            "clusters/us/argocd/apps.yaml",
            "clusters/us/argocd/controller.sealed-secrets.yaml",
            "clusters/us/argocd/controllers.project.yaml",
            "clusters/us/argocd/infrastructure.yaml",
            "clusters/us/argocd/project.yaml",
            "clusters/us/argocd/root.yaml",
        ],
        "Flux's Kustomizations are gone, Argo CD's Applications are there"
    );

    // Promotion edits the same overlay under Argo CD.
    promote_web(&f, &"b".repeat(40));
    let overlay = remote_file(&f, "main", OVERLAY);
    assert!(overlay.contains(&"b".repeat(40)), "{overlay}");

    switch_to(&f, "fleet");
    let fleet = files_under(&f.checkout, ".");
    let mut argocd_kept = kept(&argocd);
    argocd_kept.remove(OVERLAY);
    let mut fleet_kept = kept(&fleet);
    fleet_kept.remove(OVERLAY);
    assert_eq!(
        fleet_kept, argocd_kept,
        "applications/ and infrastructure/ unchanged"
    );
    let clusters: Vec<&String> = fleet
        .keys()
        .filter(|p| p.starts_with("clusters/"))
        .collect();
    assert_eq!(
        clusters,
        [
            "clusters/fleet/bundles/controllers/sealed-secrets/fleet.yaml",
            "clusters/fleet/bundles/development/apps/fleet.yaml",
            "clusters/fleet/bundles/development/infrastructure/fleet.yaml",
            "clusters/fleet/bundles/production/apps/fleet.yaml",
            "clusters/fleet/bundles/production/infrastructure/fleet.yaml",
            "clusters/fleet/gitrepos/controller.sealed-secrets.yaml",
            "clusters/fleet/gitrepos/development.clusters.yaml",
            "clusters/fleet/gitrepos/development.yaml",
            "clusters/fleet/gitrepos/production.clusters.yaml",
            "clusters/fleet/gitrepos/production.yaml",
            "clusters/fleet/root.yaml",
        ],
        "Argo CD's Applications are gone, Fleet's GitRepos are there"
    );
    promote_web(&f, &"c".repeat(40));
    let overlay = remote_file(&f, "main", OVERLAY);
    assert!(overlay.contains(&"c".repeat(40)), "{overlay}");

    switch_to(&f, "flux");
    let mut back = files_under(&f.checkout, ".");
    let mut expected = flux;
    // The one change in between is the promotions made under Argo CD and Fleet.
    back.remove(OVERLAY);
    expected.remove(OVERLAY);
    assert_eq!(back, expected, "Flux again is byte-identical to the start");
}
