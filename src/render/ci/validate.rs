//! RENDER stage: what the validate job of both pipelines installs, builds and checks.
//!
//! kubeconform is the prebuilt release archive, checked against its SHA-256 before it runs. It
//! checks built-in kinds against Kubernetes' schemas and custom resources against the CRD
//! catalog pinned in `pins`: the Flux objects gitops-gen writes under `clusters/` strictly (a kind without a
//! schema fails), the built overlays with `-ignore-missing-schemas`, since the team's own
//! manifests may use custom resources the catalog lacks.

use serde::Serialize;

use crate::render::ci::pins;

/// The validators' pins and the directories the job checks.
#[derive(Debug, Serialize)]
pub(crate) struct ValidateView {
    kustomize_module: &'static str,
    kubeconform_url: &'static str,
    /// Where the job downloads the archive.
    kubeconform_archive: &'static str,
    /// The `sha256sum --check` line for the downloaded archive.
    kubeconform_sum: String,
    crd_schemas: &'static str,
    /// Overlays, built with kustomize and piped to kubeconform.
    dirs: Vec<String>,
    /// The operator's objects under `clusters/`, checked as they are.
    clusters: Vec<String>,
}

/// Where the job unpacks kubeconform.
const KUBECONFORM_ARCHIVE: &str = "/tmp/kubeconform.tar.gz";

impl ValidateView {
    /// Checks `dirs` and `clusters`, the plan's validate directories.
    pub(crate) fn new(dirs: &[String], clusters: &[String]) -> ValidateView {
        ValidateView {
            kustomize_module: pins::KUSTOMIZE_MODULE,
            kubeconform_url: pins::KUBECONFORM_URL,
            kubeconform_archive: KUBECONFORM_ARCHIVE,
            kubeconform_sum: format!("{}  {KUBECONFORM_ARCHIVE}", pins::KUBECONFORM_SHA256),
            crd_schemas: pins::CRD_SCHEMAS,
            dirs: dirs.to_vec(),
            clusters: clusters.to_vec(),
        }
    }
}
