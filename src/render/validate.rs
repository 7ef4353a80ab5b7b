//! RENDER stage: what the validate job of both generated pipelines renders and checks.

use serde::Serialize;

use crate::model::Config;
use crate::render::{in_tree, pins};

/// Directories the validate job renders with kustomize.
#[derive(Debug, Serialize)]
pub(crate) struct ValidateView {
    go_version: &'static str,
    kustomize_module: &'static str,
    kubeconform_module: &'static str,
    dirs: Vec<String>,
}

impl ValidateView {
    /// Every environment's infrastructure and application overlay.
    pub(crate) fn new(config: &Config) -> ValidateView {
        let mut dirs = Vec::new();
        for env in &config.environments {
            for kind in ["infrastructure", "applications"] {
                dirs.push(in_tree(
                    &config.gitops.path,
                    &format!("{kind}/overlays/{}", env.name.value),
                ));
            }
        }
        ValidateView {
            go_version: pins::GO_VERSION,
            kustomize_module: pins::KUSTOMIZE_MODULE,
            kubeconform_module: pins::KUBECONFORM_MODULE,
            dirs,
        }
    }
}
