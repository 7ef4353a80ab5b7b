//! RENDER stage: the controllers under Fleet. Each is a GitRepo of its own in the downstream
//! workspace (`gitrepos/controller.<name>.yaml`; environment names have no dots), selecting the
//! clusters that run it by their `gitops-gen/cluster` label, with one bundle: the folder of its
//! options (`bundles/controllers/<name>/fleet.yaml`), which name the chart, its version and
//! values. With `policy.admission`, `gitrepos/admission.yaml` deploys the admission policies'
//! folder to the same clusters as their controller.

use serde::Serialize;

use crate::error::Error;
use crate::model::Config;
use crate::model::controllers::Controller;
use crate::model::tree::{FLEET_CLUSTER_LABEL, FLEET_FOLDER, GitopsTree};
use crate::render::gitops::controllers::ControllerView;
use crate::render::output::Outputs;

const GIT_REPO: &str = "gitops/fleet/controller-gitrepo.yaml.j2";
const OPTIONS: &str = "gitops/fleet/controller.yaml.j2";
const ADMISSION_GIT_REPO: &str = "gitops/fleet/admission-gitrepo.yaml.j2";

#[derive(Serialize)]
struct AdmissionView<'a> {
    name: String,
    namespace: &'static str,
    repo_url: &'a str,
    branch: &'a str,
    path: String,
    label: &'static str,
    clusters: &'a [String],
}

#[derive(Serialize)]
struct GitRepoView<'a> {
    name: String,
    namespace: &'static str,
    repo_url: &'a str,
    branch: &'a str,
    base: String,
    label: &'static str,
    clusters: &'a [String],
    controller: ControllerView<'a>,
}

#[derive(Serialize)]
struct OptionsView<'a> {
    bundle: String,
    project: &'a str,
    #[serde(flatten)]
    controller: ControllerView<'a>,
}

/// Adds each controller's GitRepo and bundle options; `workspace` is the downstream clusters'.
pub(super) fn render(
    config: &Config,
    all: &[Controller],
    repo_url: &str,
    workspace: &'static str,
    out: &mut Outputs,
) -> Result<(), Error> {
    let tree = GitopsTree::of(config);
    let project = config.project.value.as_str();
    for controller in all {
        let name = format!("{project}-controller-{}", controller.name);
        let base = tree.cluster_file(
            FLEET_FOLDER,
            &format!("bundles/controllers/{}", controller.name),
        );
        out.managed(
            OPTIONS,
            format!("{base}/fleet.yaml"),
            &OptionsView {
                bundle: name.clone(),
                project,
                controller: ControllerView::of(controller),
            },
        )?;
        out.managed(
            GIT_REPO,
            tree.cluster_file(
                FLEET_FOLDER,
                &format!("gitrepos/controller.{}.yaml", controller.name),
            ),
            &GitRepoView {
                name,
                namespace: workspace,
                repo_url,
                branch: &config.gitops.branch,
                base,
                label: FLEET_CLUSTER_LABEL,
                clusters: &controller.clusters,
                controller: ControllerView::of(controller),
            },
        )?;
    }
    // Every cluster runs the admission controller; each layer retries until what it needs is
    // there (the controller's CRDs, then the templates' constraint CRDs).
    // The admission controller is named as `policy.admission` names it.
    let clusters = config
        .policy
        .admission
        .and_then(|engine| all.iter().find(|c| c.name == engine.as_str()))
        .map(|c| c.clusters.as_slice())
        .unwrap_or_default();
    for layer in crate::model::controllers::admission_layers(config) {
        out.managed(
            ADMISSION_GIT_REPO,
            tree.cluster_file(FLEET_FOLDER, &format!("gitrepos/{}.yaml", layer.name)),
            &AdmissionView {
                name: format!("{project}-{}", layer.name),
                namespace: workspace,
                repo_url,
                branch: &config.gitops.branch,
                path: tree.path(&layer.dir),
                label: FLEET_CLUSTER_LABEL,
                clusters,
            },
        )?;
    }
    Ok(())
}
