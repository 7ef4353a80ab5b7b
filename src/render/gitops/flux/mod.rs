//! RENDER stage: the Flux objects, following Flux's recommended repository structure. For each
//! environment, `clusters/<cluster>/` holds two Flux Kustomizations: `infrastructure`, applying
//! the environment's infrastructure overlay, and `apps`, applying its application overlay after
//! it (`<env>-infrastructure` and `<env>-apps` for an environment that is not the cluster's
//! first, [`sharing`]); and, when the model asks for notifications, a notification-controller
//! Provider and Alert per notification (`provider-<name>.yaml`, `alert-<name>.yaml`).
//!
//! The cluster defaults to the environment's name, so the default layout is `clusters/<env>/`.
//! `clusters/<cluster>/flux-system/` is not generated: `flux bootstrap --path clusters/<cluster>`
//! writes it, including the `flux-system` GitRepository every Kustomization here refers to.
//!
//! Helm apps get a HelmRelease per environment (`helm`).

mod helm;

use serde::Serialize;

use crate::error::Error;
use crate::model::controllers::{self, Controller, on_cluster};
use crate::model::sharing;
use crate::model::tree::{
    CHAT, COMMIT_STATUS, GitopsTree, notification_names, notification_object,
};
use crate::model::tree::{CONTROLLER_FILES, kustomization};
use crate::model::{Config, Deploy, Notifications};
use crate::render::gitops::controllers::ControllerView;
use crate::render::gitops::kustomize::{KUSTOMIZATION, KustomizationView};
use crate::render::gitops::team::TeamFiles;
use crate::render::gitops::{EnvTarget, clusters_of};
use crate::render::output::Outputs;

const FLUX_KUSTOMIZATION: &str = "gitops/flux/kustomization.yaml.j2";
/// How often the Kustomizations apply again when the model does not say (`drift.interval`).
const DEFAULT_INTERVAL: &str = "10m0s";
#[derive(Serialize)]
struct FluxKustomizationView<'a> {
    name: &'a str,
    /// The folder to apply, relative to the root of the repository Flux checks out.
    path: String,
    depends_on: Vec<&'a str>,
    target_namespace: Option<&'a str>,
    /// The old pipeline still deploys the environment: Flux neither applies nor prunes.
    suspended: bool,
    /// How often Flux applies the folder again, undoing drift.
    interval: &'a str,
    /// Whether Flux deletes what left the folder.
    prune: bool,
}

/// The templates of [`CONTROLLER_FILES`], in order.
const CONTROLLER_TEMPLATES: [&str; 2] = [
    "gitops/flux/controller-repository.yaml.j2",
    "gitops/flux/controller-release.yaml.j2",
];

/// The Kustomization that installs `controller` on a cluster, and its file there.
fn controller_object(controller: &Controller) -> String {
    format!("controller-{}", controller.name)
}

/// The files `clusters/<cluster>/controller-<name>.yaml` of the controllers `cluster` runs.
pub(crate) fn controller_files(config: &Config, cluster: &str) -> Vec<String> {
    let all = controllers::controllers(config);
    let admission = controllers::admission_layers(config)
        .into_iter()
        .map(|layer| format!("{}.yaml", layer.name));
    on_cluster(&all, cluster)
        .into_iter()
        .map(|c| format!("{}.yaml", controller_object(c)))
        .chain(admission)
        .collect()
}

const FLUX_PROVIDER: &str = "gitops/flux/provider.yaml.j2";
const FLUX_ALERT: &str = "gitops/flux/alert.yaml.j2";

#[derive(Serialize)]
struct ProviderView<'a> {
    name: &'static str,
    provider: &'static str,
    address: Option<&'a str>,
    channel: Option<&'a str>,
    secret: &'a str,
    /// The Secret's key the provider reads: `token` or `address`.
    secret_key: &'static str,
}

#[derive(Serialize)]
struct AlertView<'a> {
    name: &'static str,
    severity: &'static str,
    sources: Vec<EventSource<'a>>,
}

#[derive(Serialize)]
struct EventSource<'a> {
    kind: &'static str,
    name: &'a str,
    namespace: Option<&'a str>,
}

/// The files written under each `clusters/<cluster>/`, relative to it, for the environments
/// in `names` (the Kustomization names of each, [`sharing::object_name`]).
pub(crate) fn cluster_objects(notifications: &Notifications, names: &[String]) -> Vec<String> {
    let kustomizations = names.iter().map(|name| format!("{name}.yaml"));
    let notifications = notification_names(notifications)
        .into_iter()
        .flat_map(|name| ["provider", "alert"].map(|kind| notification_object(kind, name)));
    kustomizations.chain(notifications).collect()
}

/// Adds, for every cluster, each of its environments' two Kustomizations
/// (`clusters/<cluster>/{infrastructure,apps}.yaml` for the cluster's first environment,
/// `<env>-infrastructure.yaml` and `<env>-apps.yaml` for a later one), its notification objects
/// when the model asks for any, and the release folders of Helm apps.
pub(crate) fn render(
    config: &Config,
    targets: &[EnvTarget],
    team: TeamFiles,
    out: &mut Outputs,
) -> Result<(), Error> {
    helm::render(config, team, out)?;
    let tree = GitopsTree::of(config);
    let envs = &config.environments;
    let all = controllers::controllers(config);
    render_controllers(&all, &tree, out)?;
    let layers = controllers::admission_layers(config);
    for cluster in clusters_of(targets) {
        let installed: Vec<String> = on_cluster(&all, cluster)
            .into_iter()
            .map(controller_object)
            .collect();
        // A cluster-wide layer: always applied, pruned, at the default interval.
        let mut layer = |name: &str, dir: String, depends_on: Vec<&str>| {
            let view = FluxKustomizationView {
                name,
                path: GitopsTree::operator_path(&dir),
                depends_on,
                target_namespace: None,
                suspended: false,
                interval: DEFAULT_INTERVAL,
                prune: true,
            };
            out.managed(
                FLUX_KUSTOMIZATION,
                tree.cluster_file(cluster, &format!("{name}.yaml")),
                &view,
            )
        };
        for (controller, name) in on_cluster(&all, cluster).into_iter().zip(&installed) {
            layer(name, tree.controller(controller.name), Vec::new())?;
        }
        // The admission policies, each layer once the one before (or the controller) is ready.
        for admission in &layers {
            layer(
                admission.name,
                tree.path(&admission.dir),
                vec![&admission.after],
            )?;
        }
        let mut here = Vec::new();
        for (index, target) in targets.iter().enumerate() {
            if !target.clusters.iter().any(|c| c == cluster) {
                continue;
            }
            let name = |layer| sharing::object_name(envs, index, cluster, layer);
            let (infrastructure, apps) = (name("infrastructure"), name("apps"));
            let view = |name, dir: &str, depends_on, target_namespace| FluxKustomizationView {
                name,
                path: GitopsTree::operator_path(dir),
                depends_on,
                target_namespace,
                suspended: target.suspended,
                interval: target.drift.interval.as_deref().unwrap_or(DEFAULT_INTERVAL),
                prune: target.drift.prune,
            };
            out.managed(
                FLUX_KUSTOMIZATION,
                tree.cluster_file(cluster, &format!("{infrastructure}.yaml")),
                &view(
                    &infrastructure,
                    &target.infrastructure,
                    installed.iter().map(String::as_str).collect(),
                    None,
                ),
            )?;
            out.managed(
                FLUX_KUSTOMIZATION,
                tree.cluster_file(cluster, &format!("{apps}.yaml")),
                // Preview instances each bring their own namespace; one target would merge them.
                &view(
                    &apps,
                    &target.applications,
                    vec![infrastructure.as_str()],
                    target.apps_namespace(),
                ),
            )?;
            here.push((target, infrastructure, apps));
        }
        notifications(config, &here, cluster, &tree, out)?;
    }
    Ok(())
}

/// Each controller's folder: its HelmRepository and HelmRelease, and the kustomization that
/// lists them.
fn render_controllers(
    all: &[Controller],
    tree: &GitopsTree,
    out: &mut Outputs,
) -> Result<(), Error> {
    for controller in all {
        let dir = tree.controller(controller.name);
        let view = ControllerView::of(controller);
        for (template, file) in CONTROLLER_TEMPLATES.iter().zip(CONTROLLER_FILES) {
            out.managed(template, format!("{dir}/{file}"), &view)?;
        }
        out.managed(
            KUSTOMIZATION,
            kustomization(&dir),
            &KustomizationView::listing(CONTROLLER_FILES.map(str::to_owned).to_vec()),
        )?;
    }
    Ok(())
}

/// The notification-controller objects of one cluster: `provider-<name>.yaml` and
/// `alert-<name>.yaml` for the commit status and for chat alerts, as the model asks; `here` is
/// each environment on the cluster with its two Kustomizations' names.
fn notifications(
    config: &Config,
    here: &[(&EnvTarget, String, String)],
    cluster: &str,
    tree: &GitopsTree,
    out: &mut Outputs,
) -> Result<(), Error> {
    let kustomization = |name| EventSource {
        kind: "Kustomization",
        name,
        namespace: None,
    };
    if let Some(status) = &config.notifications.commit_status {
        let provider = ProviderView {
            name: COMMIT_STATUS,
            provider: status.provider.as_str(),
            address: Some(&status.address),
            channel: None,
            secret: &status.secret,
            secret_key: "token",
        };
        let alert = AlertView {
            name: COMMIT_STATUS,
            severity: "info",
            sources: here
                .iter()
                .flat_map(|(_, infrastructure, apps)| {
                    [kustomization(infrastructure), kustomization(apps)]
                })
                .collect(),
        };
        write_pair(cluster, tree, out, &provider, &alert)?;
    }
    if let Some(chat) = &config.notifications.chat {
        let provider = ProviderView {
            name: CHAT,
            provider: chat.provider.as_str(),
            address: None,
            channel: chat.channel.as_deref(),
            secret: &chat.secret,
            secret_key: "address",
        };
        let mut sources = vec![kustomization("*")];
        // HelmReleases report their own failures, from each environment's namespace.
        let has_helm = config
            .apps
            .iter()
            .any(|a| matches!(a.deploy, Deploy::Helm(_)));
        if has_helm {
            sources.extend(here.iter().filter_map(|(target, _, _)| {
                target.apps_namespace().map(|namespace| EventSource {
                    kind: "HelmRelease",
                    name: "*",
                    namespace: Some(namespace),
                })
            }));
        }
        let alert = AlertView {
            name: CHAT,
            severity: "error",
            sources,
        };
        write_pair(cluster, tree, out, &provider, &alert)?;
    }
    Ok(())
}

fn write_pair(
    cluster: &str,
    tree: &GitopsTree,
    out: &mut Outputs,
    provider: &ProviderView,
    alert: &AlertView,
) -> Result<(), Error> {
    let file = |kind: &str| tree.cluster_file(cluster, &notification_object(kind, provider.name));
    out.managed(FLUX_PROVIDER, file("provider"), provider)?;
    out.managed(FLUX_ALERT, file("alert"), alert)
}
