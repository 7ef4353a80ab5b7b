//! RENDER stage: what the validate job of both pipelines installs, builds and checks.

use serde::Serialize;

use crate::render::ci::pins;

/// The validators' pins and the directories the job runs `kustomize build` on.
#[derive(Debug, Serialize)]
pub(crate) struct ValidateView {
    go_version: &'static str,
    kustomize_module: &'static str,
    kubeconform_module: &'static str,
    dirs: Vec<String>,
}

impl ValidateView {
    /// Checks `dirs`, the plan's validate directories.
    pub(crate) fn new(dirs: &[String]) -> ValidateView {
        ValidateView {
            go_version: pins::GO_VERSION,
            kustomize_module: pins::KUSTOMIZE_MODULE,
            kubeconform_module: pins::KUBECONFORM_MODULE,
            dirs: dirs.to_vec(),
        }
    }
}
