//! RENDER stage: the Flux objects, following Flux's recommended repository structure. For each
//! environment, `clusters/<cluster>/` holds two Flux Kustomizations: `infrastructure`, applying
//! the environment's infrastructure overlay, and `apps`, applying its application overlay after
//! it.
//!
//! The cluster defaults to the environment's name, so the default layout is `clusters/<env>/`.
//! `clusters/<cluster>/flux-system/` is not generated: `flux bootstrap --path clusters/<cluster>`
//! writes it, including the `flux-system` GitRepository every Kustomization here refers to.
//!
//! Helm apps get a HelmRelease per environment (`helm`).

mod helm;

use serde::Serialize;

use crate::error::Error;
use crate::model::Config;
use crate::model::tree::{APPS_OBJECT, GitopsTree, INFRASTRUCTURE_OBJECT};
use crate::render::gitops::EnvTarget;
use crate::render::gitops::team::TeamFiles;
use crate::render::output::Outputs;

const FLUX_KUSTOMIZATION: &str = "gitops/flux/kustomization.yaml.j2";

#[derive(Serialize)]
struct FluxKustomizationView<'a> {
    name: &'a str,
    /// The folder to apply, relative to the root of the repository Flux checks out.
    path: String,
    depends_on: Vec<&'a str>,
    target_namespace: Option<&'a str>,
    /// The old pipeline still deploys the environment: Flux neither applies nor prunes.
    suspended: bool,
}

/// Adds `clusters/<cluster>/{infrastructure,apps}.yaml` for every environment, and the release
/// folders of Helm apps.
pub(crate) fn render(
    config: &Config,
    targets: &[EnvTarget],
    team: TeamFiles,
    out: &mut Outputs,
) -> Result<(), Error> {
    helm::render(config, team, out)?;
    let tree = GitopsTree::of(config);
    for target in targets {
        let infrastructure = FluxKustomizationView {
            name: "infrastructure",
            path: GitopsTree::operator_path(&target.infrastructure),
            depends_on: Vec::new(),
            target_namespace: None,
            suspended: target.suspended,
        };
        out.managed(
            FLUX_KUSTOMIZATION,
            tree.cluster_file(target.cluster, INFRASTRUCTURE_OBJECT),
            &infrastructure,
        )?;
        let apps = FluxKustomizationView {
            name: "apps",
            path: GitopsTree::operator_path(&target.applications),
            depends_on: vec!["infrastructure"],
            // Preview instances each bring their own namespace; one target would merge them.
            target_namespace: target.namespace,
            suspended: target.suspended,
        };
        out.managed(
            FLUX_KUSTOMIZATION,
            tree.cluster_file(target.cluster, APPS_OBJECT),
            &apps,
        )?;
    }
    Ok(())
}
