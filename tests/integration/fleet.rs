//! What Fleet does with the files gitops-gen writes, step by step as Fleet's user-driven bundle
//! scan does it (fleet `internal/bundlereader`, `internal/cmd/cli/apply`): each GitRepo's
//! bundle is the files of its `base` folder and nothing else; the options file is read from
//! `base` joined with `options`; `kustomize.dir` is built inside the copy of the base alone.
//! No Fleet runs here, so this checks the contract Fleet documents, not a live manager.

use std::path::{Path, PathBuf};

use serde_norway::Value;

use crate::common::*;
use crate::scenarios::{build, scenario};

fn yaml(root: &Path, rel: &str) -> Value {
    serde_norway::from_str(&read(root, rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn text<'a>(value: &'a Value, path: &[&str]) -> &'a str {
    let mut at = value;
    for key in path {
        at = &at[*key];
    }
    at.as_str()
        .unwrap_or_else(|| panic!("{path:?} is not text in {value:?}"))
}

/// The files of `base` alone, copied where nothing else is: a bundle's resources.
fn bundle_copy(root: &Path, base: &str, into: &Path) -> PathBuf {
    let copy = into.join(base.replace('/', "_"));
    if !copy.exists() {
        copy_tree(&root.join(base), &copy);
    }
    copy
}

/// Reads the root GitRepo under `tree` (`""` or `"<gitops.path>/"`) and every environment's
/// GitRepo as Fleet would, building each bundle's overlay inside a copy of its base alone under
/// `bundles_dir`; returns the environments' GitRepo names. The apps of the GitRepo `promoted`
/// must render a Deployment.
fn read_as_fleet(
    root: &Path,
    tree: &str,
    bundles_dir: &Path,
    promoted: Option<&str>,
) -> Vec<String> {
    let root_repo = yaml(root, &format!("{tree}clusters/fleet/root.yaml"));
    assert_eq!(text(&root_repo, &["metadata", "namespace"]), "fleet-local");
    let paths = root_repo["spec"]["paths"]
        .as_sequence()
        .expect("root paths");
    assert_eq!(paths.len(), 1);
    let gitrepos = paths[0].as_str().expect("a path");
    let mut environments = Vec::new();
    for file in list_files(&root.join(gitrepos)) {
        let object = yaml(root, &format!("{gitrepos}/{file}"));
        assert_eq!(text(&object, &["metadata", "namespace"]), "fleet-default");
        if text(&object, &["kind"]) == "ClusterGroup" {
            continue;
        }
        let name = text(&object, &["metadata", "name"]).to_owned();
        if object["spec"]["targets"][0]["clusterSelector"].is_mapping() {
            // A controller: a chart from its repository, at a pinned version, in its options.
            let base = text(&object["spec"]["bundles"][0], &["base"]);
            let options = yaml(root, &format!("{base}/fleet.yaml"));
            assert!(
                options["helm"]["repo"]
                    .as_str()
                    .is_some_and(|r| r.starts_with("https://"))
            );
            assert!(options["helm"]["version"].as_str().is_some(), "{name}");
            assert_eq!(list_files(&root.join(base)), ["fleet.yaml"], "{name}");
            continue;
        }
        let group = text(&object["spec"]["targets"][0], &["clusterGroup"]).to_owned();
        let bundles = object["spec"]["bundles"].as_sequence().expect("bundles");
        let mut names = Vec::new();
        let mut depends = Vec::new();
        for bundle in bundles {
            let base = text(bundle, &["base"]);
            let options_path = join_path(base, text(bundle, &["options"]));
            assert!(
                options_path.starts_with(&format!("{tree}clusters/fleet/bundles/")),
                "{options_path}"
            );
            let options = yaml(root, &options_path);
            names.push(text(&options, &["name"]).to_owned());
            if let Some(dep) = options["dependsOn"][0]["name"].as_str() {
                depends.push(dep.to_owned());
            }
            if options["helm"]["valuesFiles"].is_sequence() {
                // A Helm app: Fleet reads the values files relative to the base when it builds
                // the bundle (the image's exists from the first promotion on), and deploys a
                // chart in this repository from the base itself.
                for values in options["helm"]["valuesFiles"].as_sequence().expect("list") {
                    let values = join_path(base, values.as_str().expect("text"));
                    assert!(
                        values.ends_with("-image.yaml") || root.join(&values).is_file(),
                        "{values}"
                    );
                }
                if options["helm"]["chart"].is_null() {
                    assert!(root.join(base).join("Chart.yaml").is_file(), "{base}");
                }
                continue;
            }
            let copy = bundle_copy(root, base, bundles_dir);
            let built = kustomize_build(&copy, text(&options, &["kustomize", "dir"]));
            if options["namespace"].is_string() {
                // Fleet refuses cluster-scoped objects in a bundle with a namespace.
                assert!(!built.contains("kind: Namespace"), "{built}");
            }
            if promoted == Some(name.as_str()) && options_path.ends_with("apps/fleet.yaml") {
                assert!(built.contains("kind: Deployment"), "{built}");
            }
        }
        let environment = name.split("-helm-").next().expect("a name").to_owned();
        let infrastructure = format!("{environment}-infrastructure");
        if name.contains("-helm-") {
            assert_eq!(names, std::slice::from_ref(&name));
        } else {
            assert_eq!(names, [infrastructure.clone(), format!("{name}-apps")]);
        }
        assert_eq!(depends, [infrastructure]);
        assert_eq!(group, environment, "each environment targets its own group");
        environments.push(name);
    }
    environments.sort();
    environments
}

#[test]
fn every_bundle_builds_from_its_own_base_and_waits_for_its_infrastructure() {
    if !has_kubectl() {
        eprintln!("{KUBECTL_MISSING}");
        return;
    }
    let (tmp, root) = build(scenario("fleet"));
    // As after a first promotion: the staging overlay lists an app's base.
    let overlay = "applications/overlays/staging/kustomization.yaml";
    let listed = read(&root, overlay).replace("resources: []", "resources:\n  - ../../base/web");
    write(&root, overlay, &listed);

    let bundles_dir = tmp.path().join("bundles");
    let environments = read_as_fleet(&root, "", &bundles_dir, Some("shop-staging"));
    assert_eq!(
        environments,
        [
            "shop-development",
            "shop-preview",
            "shop-production",
            "shop-staging"
        ]
    );
    let group = yaml(&root, "clusters/fleet/gitrepos/production.clusters.yaml");
    let values = &group["spec"]["selector"]["matchExpressions"][0]["values"];
    assert_eq!(
        serde_norway::to_string(values).expect("yaml"),
        "- prod-eu\n- prod-us\n- prod-ap\n"
    );
}

/// The team's own manifests and Kustomize base in the tree's folder: the apps' bundle is that
/// folder, and every overlay still builds inside it.
#[test]
fn bundles_of_team_sources_build_from_their_base() {
    if !has_kubectl() {
        eprintln!("{KUBECTL_MISSING}");
        return;
    }
    let (tmp, root) = build(scenario("operator_sources_fleet"));
    let environments = read_as_fleet(&root, "deploy/", &tmp.path().join("bundles"), None);
    assert_eq!(environments, ["shop-production", "shop-qa", "shop-staging"]);
}

/// Environment names cannot make two Fleet files meet: `a-clusters` and `a` each get their
/// GitRepo and ClusterGroup.
#[test]
fn file_names_of_environments_never_meet() {
    let (_tmp, root) = named_dir("repo");
    write(
        &root,
        "gitops-gen.yaml",
        "version: 1\nproject: shop\noperator: fleet\ngitops: {url: 'https://github.com/acme/shop.git'}\n\
         environments:\n  - {name: a, branches: [main]}\n  - {name: a-clusters, branches: [dev]}\n\
         apps:\n  - name: web\n",
    );
    generate_ok(&root);
    for file in [
        "a.yaml",
        "a.clusters.yaml",
        "a-clusters.yaml",
        "a-clusters.clusters.yaml",
    ] {
        assert!(
            root.join("clusters/fleet/gitrepos").join(file).is_file(),
            "{file}"
        );
    }
}

/// Helm apps: a GitRepo per environment and app whose bundle reads the team's values files and
/// the image's, and a chart in this repository deployed from its own folder.
#[test]
fn helm_bundles_read_their_values_and_wait_for_the_infrastructure() {
    if !has_kubectl() {
        eprintln!("{KUBECTL_MISSING}");
        return;
    }
    let (tmp, root) = build(scenario("helm_charts_fleet"));
    let environments = read_as_fleet(&root, "", &tmp.path().join("bundles"), None);
    assert_eq!(environments.len(), 2 + 2 * 3, "{environments:?}");
}
