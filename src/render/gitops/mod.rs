//! RENDER stage: the GitOps tree, in two layers.
//!
//! - `kustomize`: the operator-neutral Kustomize tree (infrastructure base and overlays,
//!   namespaces, app bases, the applications base, one overlay per environment, preview
//!   overlays). Any operator that can apply a Kustomize directory reconciles it unchanged.
//!   `team` reads the folders of the team's own manifests that apps point at.
//! - one module per operator, writing only that operator's own objects, which point at the
//!   neutral tree: `flux` (`clusters/<cluster>/{infrastructure,apps}.yaml`), `argocd`
//!   (`clusters/<cluster>/argocd/`) and `fleet` (`clusters/fleet/`, the manager's).
//!
//! The operator seam is an enum dispatch on [`Operator`], not a trait: the model's enum is the
//! closed list of operators, so a `match` makes adding a variant a compile error here until its
//! module exists, and needs no registry or trait object for a choice made once
//! per run. Every operator module offers the same function,
//! `render(config, targets, team, out)`: it gets one [`EnvTarget`] per environment (where that
//! environment's overlays are, which cluster and namespace it runs in) and the team's files, and
//! adds its files to `out`, taking every path from [`GitopsTree`](crate::model::tree::GitopsTree).
//! Helm apps are operator objects (Flux: a HelmRelease per environment), so each operator
//! renders them itself; the neutral tree holds the Kustomize apps.

pub(crate) mod admission;
pub(crate) mod argocd;
pub(crate) mod controllers;
pub(crate) mod fleet;
pub(crate) mod flux;
pub(crate) mod kustomize;
pub(crate) mod policy;
pub(crate) mod rollout;
pub(crate) mod secrets;
pub(crate) mod team;

use crate::error::Error;
use crate::model::sharing;
use serde::Serialize;

use crate::model::tree::{self, FLEET_FOLDER, GitopsTree};
use crate::model::{App, Config, Deploy, Drift, Helm, Operator};
use crate::render::gitops::team::TeamFiles;
use crate::render::output::Outputs;

/// What an operator needs to know about one environment to apply it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EnvTarget<'a> {
    /// The environment's name.
    pub(crate) name: &'a str,
    /// The environment's namespace; a preview's instances get `<namespace>-<branch>` instead.
    pub(crate) namespace: &'a str,
    /// One instance per branch, each in its own namespace.
    pub(crate) preview: bool,
    /// The clusters that reconcile the environment, each the same way.
    pub(crate) clusters: &'a [String],
    /// Repository-relative folder of the environment's infrastructure overlay.
    pub(crate) infrastructure: String,
    /// Repository-relative folder of the environment's application overlay; it depends on the
    /// infrastructure.
    pub(crate) applications: String,
    /// Not reconciled yet (`suspended: true`): the old pipeline still deploys it.
    pub(crate) suspended: bool,
    /// What the operator does about drift.
    pub(crate) drift: &'a Drift,
}

impl<'a> EnvTarget<'a> {
    /// The namespace the apps run in; `None` for previews, whose instances bring their own.
    pub(crate) fn apps_namespace(&self) -> Option<&'a str> {
        (!self.preview).then_some(self.namespace)
    }
}

/// Every cluster of `targets`, each once, in the order they first appear.
pub(crate) fn clusters_of<'a>(targets: &[EnvTarget<'a>]) -> Vec<&'a str> {
    let mut clusters: Vec<&str> = Vec::new();
    for cluster in targets.iter().flat_map(|t| t.clusters.iter()) {
        if !clusters.contains(&cluster.as_str()) {
            clusters.push(cluster);
        }
    }
    clusters
}

/// The address Argo CD and Fleet clone the GitOps repository from; the decoder requires it for
/// them.
pub(crate) fn clone_address(config: &Config) -> Result<&str, Error> {
    config.gitops.url.as_deref().ok_or_else(|| {
        Error::Internal(format!(
            "operator {} without a repository address",
            config.operator.as_str()
        ))
    })
}

/// The Helm apps of `config`, each with its chart.
pub(crate) fn helm_apps(config: &Config) -> impl Iterator<Item = (&App, &Helm)> {
    config.apps.iter().filter_map(|app| match &app.deploy {
        Deploy::Helm(helm) => Some((app, helm.as_ref())),
        _ => None,
    })
}

const RELEASE_PLACEHOLDER: &str = "gitops/kustomize/release-placeholder.yaml.j2";

#[derive(Serialize)]
struct PlaceholderView<'a> {
    operator: &'static str,
    object: &'static str,
    where_: &'static str,
    app: &'a str,
    env: &'a str,
}

/// Every environment's release folder of every Helm app, for an operator that runs Helm apps
/// from objects of its own (`object`, kept in `where_`): an empty kustomization, which the
/// overlay can list once promotion adds it, as it does under Flux.
pub(crate) fn empty_release_folders(
    config: &Config,
    operator: &'static str,
    object: &'static str,
    where_: &'static str,
    out: &mut Outputs,
) -> Result<(), Error> {
    let tree = GitopsTree::of(config);
    for (app, _) in helm_apps(config) {
        for env in &config.environments {
            let dir = tree.helm_release(&env.name.value, &app.name.value);
            let view = PlaceholderView {
                operator,
                object,
                where_,
                app: &app.name.value,
                env: &env.name.value,
            };
            out.managed(RELEASE_PLACEHOLDER, tree::kustomization(&dir), &view)?;
        }
    }
    Ok(())
}

/// Adds the neutral tree and the objects of the model's operator to `out`; `team` holds the
/// manifests apps point at.
pub(crate) fn render(config: &Config, team: TeamFiles, out: &mut Outputs) -> Result<(), Error> {
    let targets = kustomize::render(config, team, out)?;
    policy::render(config, out)?;
    rollout::render(config, out)?;
    secrets::render(config, out)?;
    admission::render(config, out)?;
    match config.operator {
        Operator::Flux => flux::render(config, &targets, team, out),
        Operator::Argocd => argocd::render(config, &targets, out),
        Operator::Fleet => fleet::render(config, &targets, out),
    }
}

/// The operator's objects, repository-relative, each once: what the validate job checks against
/// the schemas as they are.
pub(crate) fn operator_files(config: &Config) -> Vec<String> {
    let tree = GitopsTree::of(config);
    let per_cluster: fn(&Config, &str, &[String]) -> Vec<String> = match config.operator {
        Operator::Flux => |config, _, names| flux::cluster_objects(&config.notifications, names),
        Operator::Argocd => argocd::cluster_objects,
        Operator::Fleet => {
            return fleet::checked_objects(config)
                .iter()
                .map(|file| tree.cluster_file(FLEET_FOLDER, file))
                .collect();
        }
    };
    let envs = &config.environments;
    let mut files: Vec<String> = Vec::new();
    for (index, env) in envs.iter().enumerate() {
        for cluster in &env.clusters {
            let names = ["infrastructure", "apps"]
                .map(|layer| sharing::object_name(envs, index, cluster, layer));
            let controllers = match config.operator {
                Operator::Flux => flux::controller_files(config, cluster),
                _ => argocd::controller_files(config, cluster),
            };
            for file in per_cluster(config, &env.name.value, &names)
                .into_iter()
                .chain(controllers)
            {
                let path = tree.cluster_file(cluster, &file);
                if !files.contains(&path) {
                    files.push(path);
                }
            }
        }
    }
    files
}
