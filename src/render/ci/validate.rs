//! RENDER stage: what the validate job of both pipelines installs, builds and checks.
//!
//! kubeconform is the prebuilt release archive, checked against its SHA-256 before it runs. It
//! checks built-in kinds against Kubernetes' schemas and custom resources against the CRD
//! catalog pinned in `pins`: the Flux objects gitops-gen writes under `clusters/` strictly (a kind without a
//! schema fails), the built overlays with `-ignore-missing-schemas`, since the team's own
//! manifests may use custom resources the catalog lacks.
//!
//! With `policy.enabled`, the built overlays of each environment also go through `gitops-gen
//! policy check --env <env>`: on GitHub in a step of the validate job (kustomize is on the
//! runner), on GitLab in a job of its own (`policy`) that reads the overlays the validate job
//! built, as artifacts, since gitops-gen's image has no kustomize. A separate config
//! repository's validate pipeline has no model to give the policies their environment, and
//! does not run them; this repository's pipeline does not build that tree either.

use serde::Serialize;

use crate::render::ci::pins;
use crate::render::plan::PipelinePlan;

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
    /// Each environment's overlays checked against the policies; empty without them.
    policy: Vec<PolicyCheckView>,
    /// The policy folder.
    policy_dir: String,
    /// [`BUILT_DIR`].
    built_dir: &'static str,
}

/// One environment's policy check.
#[derive(Debug, Serialize)]
struct PolicyCheckView {
    env: String,
    /// Its infrastructure and application overlays.
    dirs: Vec<String>,
    /// The folder where GitLab's validate job writes them built, for the policy job.
    built: String,
    /// Each overlay and its built file there.
    files: Vec<(String, String)>,
}

/// The folder of GitLab's built overlays, kept as the validate job's artifacts.
pub(crate) const BUILT_DIR: &str = ".gitops-gen-built";

/// Where the job unpacks kubeconform.
const KUBECONFORM_ARCHIVE: &str = "/tmp/kubeconform.tar.gz";

impl ValidateView {
    /// Checks the plan's validate directories, and with `policy`, its policy checks.
    pub(crate) fn new(plan: &PipelinePlan, policy: bool) -> ValidateView {
        ValidateView {
            kustomize_module: pins::KUSTOMIZE_MODULE,
            kubeconform_url: pins::KUBECONFORM_URL,
            kubeconform_archive: KUBECONFORM_ARCHIVE,
            kubeconform_sum: format!("{}  {KUBECONFORM_ARCHIVE}", pins::KUBECONFORM_SHA256),
            crd_schemas: pins::CRD_SCHEMAS,
            dirs: plan.validate_dirs.clone(),
            clusters: plan.validate_clusters.clone(),
            policy: plan
                .policy_checks
                .iter()
                .filter(|_| policy)
                .map(|(env, dirs)| {
                    let built = format!("{BUILT_DIR}/{env}");
                    PolicyCheckView {
                        env: env.clone(),
                        dirs: dirs.clone(),
                        files: (1..)
                            .zip(dirs)
                            .map(|(n, dir)| (dir.clone(), format!("{built}/{n}.yaml")))
                            .collect(),
                        built,
                    }
                })
                .collect(),
            policy_dir: plan.policy_dir.clone(),
            built_dir: BUILT_DIR,
        }
    }
}
