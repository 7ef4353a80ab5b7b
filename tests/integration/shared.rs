//! Several environments on one cluster, under every operator: on each cluster, the shared
//! infrastructure base is applied by exactly one environment, so no object is owned by two
//! Kustomizations, Applications or bundles.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_norway::Value;

use crate::common::*;
use crate::scenarios::{build, scenario};

/// Objects the test adds to the shared base, as a team would: one cluster-wide, one namespaced.
const BASE_OBJECTS: &str = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n\
    metadata:\n  name: shop-reader\nrules: []\n---\napiVersion: v1\nkind: ConfigMap\n\
    metadata:\n  name: shop-settings\n  namespace: shop-system\n";

fn documents(root: &Path, rel: &str) -> Vec<Value> {
    let text = read(root, rel);
    serde_norway::Deserializer::from_str(&text)
        .map(|doc| Value::deserialize(doc).unwrap_or_else(|e| panic!("{rel}: {e}")))
        .collect()
}

/// The infrastructure folders each cluster applies, repository-relative, read from the
/// operator's own objects.
fn infrastructure_per_cluster(root: &Path) -> BTreeMap<String, Vec<String>> {
    let mut per_cluster: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let files: Vec<String> = list_files(root)
        .into_iter()
        .filter(|f| f.contains("clusters/") && f.ends_with(".yaml"))
        .collect();
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut fleet: Vec<(String, String)> = Vec::new();
    for file in &files {
        let cluster = file
            .split("clusters/")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .expect("a cluster folder")
            .to_owned();
        for doc in documents(root, file) {
            let kind = doc["kind"].as_str().unwrap_or_default();
            let name = doc["metadata"]["name"].as_str().unwrap_or_default();
            let path = match kind {
                "Kustomization" if name.ends_with("infrastructure") => {
                    doc["spec"]["path"].as_str().map(str::to_owned)
                }
                "Application" if name.ends_with("-infrastructure") => {
                    doc["spec"]["source"]["path"].as_str().map(str::to_owned)
                }
                "ClusterGroup" => {
                    let values = doc["spec"]["selector"]["matchExpressions"][0]["values"]
                        .as_sequence()
                        .expect("values");
                    groups.insert(
                        name.to_owned(),
                        values
                            .iter()
                            .map(|v| v.as_str().expect("text").to_owned())
                            .collect(),
                    );
                    None
                }
                // A controller's GitRepo selects clusters by label and deploys a chart.
                "GitRepo"
                    if doc["spec"]["bundles"].is_sequence()
                        && doc["spec"]["targets"][0]["clusterGroup"].is_string() =>
                {
                    let bundle = &doc["spec"]["bundles"][0];
                    let base = bundle["base"].as_str().expect("base");
                    let options = join_path(base, bundle["options"].as_str().expect("options"));
                    let options_doc = &documents(root, &options)[0];
                    let dir = options_doc["kustomize"]["dir"].as_str().expect("dir");
                    let group = doc["spec"]["targets"][0]["clusterGroup"]
                        .as_str()
                        .expect("group");
                    fleet.push((group.to_owned(), format!("{base}/{dir}")));
                    None
                }
                _ => None,
            };
            if let Some(path) = path {
                let path = path.trim_start_matches("./").to_owned();
                per_cluster.entry(cluster.clone()).or_default().push(path);
            }
        }
    }
    for (group, path) in fleet {
        for cluster in &groups[&group] {
            per_cluster
                .entry(cluster.clone())
                .or_default()
                .push(path.clone());
        }
    }
    per_cluster
}

/// `kind/namespace/name` of every object `kubectl kustomize <dir>` renders.
fn objects(root: &Path, dir: &str) -> Vec<String> {
    let text = kustomize_build(root, dir);
    serde_norway::Deserializer::from_str(&text)
        .map(|doc| Value::deserialize(doc).expect("yaml"))
        .filter(|doc| !doc.is_null())
        .map(|doc| {
            format!(
                "{}/{}/{}",
                doc["kind"].as_str().unwrap_or_default(),
                doc["metadata"]["namespace"].as_str().unwrap_or_default(),
                doc["metadata"]["name"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

#[test]
fn on_every_cluster_each_infrastructure_object_has_one_owner() {
    if !has_kubectl() {
        eprintln!("{KUBECTL_MISSING}");
        return;
    }
    for (name, base) in [
        ("shared_cluster", "infrastructure/base"),
        ("argocd", "deploy/infrastructure/base"),
        ("fleet", "infrastructure/base"),
        ("operator_sources_flux", "deploy/infrastructure/base"),
        ("operator_sources_argocd", "deploy/infrastructure/base"),
        ("operator_sources_fleet", "deploy/infrastructure/base"),
    ] {
        let (_tmp, root) = build(scenario(name));
        write(&root, &format!("{base}/objects.yaml"), BASE_OBJECTS);
        let kustomization = format!("{base}/kustomization.yaml");
        let listed =
            read(&root, &kustomization).replace("resources: []", "resources:\n  - objects.yaml");
        write(&root, &kustomization, &listed);
        let per_cluster = infrastructure_per_cluster(&root);
        let shared = per_cluster.values().any(|paths| paths.len() > 1);
        assert!(shared, "{name}: a cluster with several environments");
        for (cluster, paths) in &per_cluster {
            let mut owner: BTreeMap<String, &String> = BTreeMap::new();
            for path in paths {
                for object in objects(&root, path) {
                    if let Some(first) = owner.insert(object.clone(), path) {
                        panic!(
                            "{name}: on cluster {cluster}, {object} comes from {first} and {path}"
                        );
                    }
                }
            }
            assert!(
                owner.contains_key("ClusterRole//shop-reader"),
                "{name}: cluster {cluster} gets the base: {owner:?}"
            );
        }
    }
}
