//! RENDER stage: the default policies at admission (`policy.admission: kyverno`):
//! `infrastructure/admission/` holds one Kyverno ClusterPolicy of the default rules (but GG006,
//! which is Git's alone), matching the environments' namespaces, and the kustomization that
//! lists it. Each operator applies the folder on every cluster after Kyverno
//! ([`crate::model::controllers::ADMISSION_CONTROLLER`]).

use serde::Serialize;

use crate::error::Error;
use crate::model::Config;
use crate::model::controllers::{ADMISSION_DIR, ADMISSION_FILE};
use crate::model::tree::{self, GitopsTree};
use crate::render::gitops::kustomize::{KUSTOMIZATION, KustomizationView};
use crate::render::output::Outputs;

const POLICIES: &str = "policy/kyverno-policies.yaml.j2";

#[derive(Serialize)]
struct PoliciesView {
    name: String,
    /// Every environment's namespace; a preview's instances as `<namespace>-*`.
    namespaces: Vec<String>,
    /// The namespaces where images must be pinned: not the previews'.
    pinned_namespaces: Vec<String>,
    registries_pattern: String,
    registries_message: String,
}

/// Adds the folder when the model asks for admission control.
pub(crate) fn render(config: &Config, out: &mut Outputs) -> Result<(), Error> {
    if config.policy.admission.is_none() {
        return Ok(());
    }
    let tree = GitopsTree::of(config);
    let dir = tree.path(ADMISSION_DIR);
    let mut namespaces: Vec<String> = Vec::new();
    let mut pinned: Vec<String> = Vec::new();
    for env in &config.environments {
        let namespace = if env.preview {
            format!("{}-*", env.namespace)
        } else {
            env.namespace.clone()
        };
        if !env.preview && !pinned.contains(&namespace) {
            pinned.push(namespace.clone());
        }
        if !namespaces.contains(&namespace) {
            namespaces.push(namespace);
        }
    }
    let mut repositories: Vec<String> = Vec::new();
    for app in &config.apps {
        for repository in [app.image.clone(), app.pushed_image()] {
            if !repositories.contains(&repository) {
                repositories.push(repository);
            }
        }
    }
    let registries_pattern = repositories
        .iter()
        .flat_map(|r| [format!("{r}:*"), format!("{r}@*")])
        .collect::<Vec<_>>()
        .join(" | ");
    let view = PoliciesView {
        name: format!("{}-default-policies", config.project.value),
        namespaces,
        pinned_namespaces: pinned,
        registries_pattern,
        registries_message: format!("GG002: images come from {}", repositories.join(", ")),
    };
    out.managed(POLICIES, format!("{dir}/{ADMISSION_FILE}"), &view)?;
    out.managed(
        KUSTOMIZATION,
        tree::kustomization(&dir),
        &KustomizationView::listing(vec![ADMISSION_FILE.to_owned()]),
    )
}
