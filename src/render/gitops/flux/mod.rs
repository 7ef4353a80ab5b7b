//! RENDER stage: the Flux objects, following Flux's recommended repository structure. For each
//! environment, `clusters/<cluster>/` holds two Flux Kustomizations: `infrastructure`, applying
//! the environment's infrastructure overlay, and `apps`, applying its application overlay after
//! it; and, when the model asks for notifications, a notification-controller Provider and Alert
//! per notification (`provider-<name>.yaml`, `alert-<name>.yaml`).
//!
//! The cluster defaults to the environment's name, so the default layout is `clusters/<env>/`.
//! `clusters/<cluster>/flux-system/` is not generated: `flux bootstrap --path clusters/<cluster>`
//! writes it, including the `flux-system` GitRepository every Kustomization here refers to.
//!
//! Helm apps get a HelmRelease per environment (`helm`).

mod helm;

use serde::Serialize;

use crate::error::Error;
use crate::model::tree::{
    APPS_OBJECT, CHAT, COMMIT_STATUS, GitopsTree, INFRASTRUCTURE_OBJECT, notification_names,
    notification_object,
};
use crate::model::{Config, Deploy, Notifications};
use crate::render::gitops::EnvTarget;
use crate::render::gitops::team::TeamFiles;
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

/// The files written under each `clusters/<cluster>/`, relative to it.
pub(crate) fn cluster_objects(notifications: &Notifications) -> Vec<String> {
    let kustomizations = [INFRASTRUCTURE_OBJECT, APPS_OBJECT].map(str::to_owned);
    let notifications = notification_names(notifications)
        .into_iter()
        .flat_map(|name| ["provider", "alert"].map(|kind| notification_object(kind, name)));
    kustomizations.into_iter().chain(notifications).collect()
}

/// Adds `clusters/<cluster>/{infrastructure,apps}.yaml` for every cluster of every environment, its
/// notification objects when the model asks for any, and the release folders of Helm apps.
pub(crate) fn render(
    config: &Config,
    targets: &[EnvTarget],
    team: TeamFiles,
    out: &mut Outputs,
) -> Result<(), Error> {
    helm::render(config, team, out)?;
    let tree = GitopsTree::of(config);
    let each_cluster = targets
        .iter()
        .flat_map(|target| target.clusters.iter().map(move |c| (target, c.as_str())));
    for (target, cluster) in each_cluster {
        let infrastructure = FluxKustomizationView {
            name: "infrastructure",
            path: GitopsTree::operator_path(&target.infrastructure),
            depends_on: Vec::new(),
            target_namespace: None,
            suspended: target.suspended,
            interval: target.drift.interval.as_deref().unwrap_or(DEFAULT_INTERVAL),
            prune: target.drift.prune,
        };
        out.managed(
            FLUX_KUSTOMIZATION,
            tree.cluster_file(cluster, INFRASTRUCTURE_OBJECT),
            &infrastructure,
        )?;
        let apps = FluxKustomizationView {
            name: "apps",
            path: GitopsTree::operator_path(&target.applications),
            depends_on: vec!["infrastructure"],
            // Preview instances each bring their own namespace; one target would merge them.
            target_namespace: target.apps_namespace(),
            suspended: target.suspended,
            interval: target.drift.interval.as_deref().unwrap_or(DEFAULT_INTERVAL),
            prune: target.drift.prune,
        };
        out.managed(
            FLUX_KUSTOMIZATION,
            tree.cluster_file(cluster, APPS_OBJECT),
            &apps,
        )?;
        notifications(config, target, cluster, &tree, out)?;
    }
    Ok(())
}

/// The notification-controller objects of one cluster: `provider-<name>.yaml` and
/// `alert-<name>.yaml` for the commit status and for chat alerts, as the model asks.
fn notifications(
    config: &Config,
    target: &EnvTarget,
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
            sources: vec![kustomization("infrastructure"), kustomization("apps")],
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
        // HelmReleases report their own failures, from the environment's namespace.
        let has_helm = config
            .apps
            .iter()
            .any(|a| matches!(a.deploy, Deploy::Helm(_)));
        if let (true, Some(namespace)) = (has_helm, target.apps_namespace()) {
            sources.push(EventSource {
                kind: "HelmRelease",
                name: "*",
                namespace: Some(namespace),
            });
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
