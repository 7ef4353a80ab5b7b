//! RENDER stage: the Argo CD objects, one Argo CD per cluster started from one file (app of
//! apps). For each cluster, in `clusters/<cluster>/argocd/`:
//!
//! - `root.yaml`: the root Application, in project `default`, syncing this folder, itself
//!   included; `kubectl apply -n argocd -f` of this one file starts everything, and from then
//!   on Argo CD takes every change of the folder from Git, the root's own.
//! - `project.yaml`: the AppProject `<project>`: this repository only,
//!   the namespaces of the cluster's environments only, and of cluster-scoped kinds only
//!   Namespace.
//! - `infrastructure.yaml`, `apps.yaml`: per environment, an Application for
//!   its infrastructure overlay (sync wave -1) and one for its application overlay (wave 0), with
//!   the environment's drift settings as `syncPolicy.automated` (`prune`, `selfHeal`); an
//!   environment that is not the cluster's first gets `<env>-infrastructure.yaml` and
//!   `<env>-apps.yaml` ([`sharing`]).
//! - `helm.<env>.<app>.yaml`: per environment and Helm app an Application ([`helm`]); in a
//!   preview environment an ApplicationSet with an Application per branch instance
//!   ([`instances`]).
//!
//! Why Applications and not an ApplicationSet (but for the preview instances of Helm apps): each cluster is bootstrapped from its own folder,
//! as with Flux, so its two or three Applications are plain files a pull request shows as they
//! will run, with nothing to expand in the head. Argo CD's docs point to ApplicationSets for
//! templating many Applications over many clusters from one Argo CD, which a hub topology needs.

mod helm;
mod instances;

use serde::Serialize;

use crate::error::Error;
use crate::model::controllers::{self, Controller, on_cluster};
use crate::model::sharing;
use crate::model::tree::{ARGOCD_ROOT_OBJECT, GitopsTree, argocd_helm_application};
use crate::model::{ChatProvider, Config, Notifications};
use crate::render::gitops::controllers::ControllerView;
use crate::render::gitops::{
    EnvTarget, clone_address, clusters_of, empty_release_folders, helm_apps,
};
use crate::render::output::Outputs;

const APPLICATION: &str = "gitops/argocd/application.yaml.j2";
const APP_PROJECT: &str = "gitops/argocd/appproject.yaml.j2";
const APPLICATION_SET: &str = "gitops/argocd/applicationset.yaml.j2";
const CONTROLLER: &str = "gitops/argocd/controller.yaml.j2";
const CONTROLLERS_PROJECT: &str = "gitops/argocd/controllers-project.yaml.j2";
/// The AppProject of the controllers' Applications.
const CONTROLLERS_PROJECT_OBJECT: &str = "argocd/controllers.project.yaml";

/// The controllers' files under `clusters/<cluster>/`: their AppProject and an Application each
/// (`argocd/controller.<name>.yaml`; environment names have no dots).
pub(crate) fn controller_files(config: &Config, cluster: &str) -> Vec<String> {
    let all = controllers::controllers(config);
    let here = on_cluster(&all, cluster);
    if here.is_empty() {
        return Vec::new();
    }
    let admission = crate::model::controllers::admission_layers(config)
        .into_iter()
        .map(|layer| admission_file(layer.name));
    std::iter::once(CONTROLLERS_PROJECT_OBJECT.to_owned())
        .chain(here.iter().map(|c| controller_file(c.name)))
        .chain(admission)
        .collect()
}

/// The Application of an admission layer (`argocd/admission.yaml`,
/// `argocd/admission-templates.yaml`).
fn admission_file(layer: &str) -> String {
    format!("{FOLDER}/{layer}.yaml")
}

fn controller_file(name: &str) -> String {
    format!("{FOLDER}/controller.{name}.yaml")
}

#[derive(Serialize)]
struct ControllerApplicationView<'a> {
    /// `<project>-controller-<name>`, apart from Applications of the same chart not ours.
    application: String,
    project: &'a str,
    #[serde(flatten)]
    controller: ControllerView<'a>,
}

/// The controllers `cluster` runs: their AppProject `<project>-controllers` and an Application
/// each, synced before the environments.
fn render_controllers(
    config: &Config,
    all: &[Controller],
    cluster: &str,
    tree: &GitopsTree,
    out: &mut Outputs,
) -> Result<(), Error> {
    let here = on_cluster(all, cluster);
    if here.is_empty() {
        return Ok(());
    }
    let project = format!("{}-controllers", config.project.value);
    let mut repositories: Vec<String> = Vec::new();
    let repo_url = clone_address(config)?;
    if config.policy.admission.is_some() {
        // The admission policies come from this repository.
        repositories.push(repo_url.to_owned());
    }
    let mut namespaces: Vec<String> = Vec::new();
    for controller in &here {
        if !repositories.iter().any(|r| r == controller.repository) {
            repositories.push(controller.repository.to_owned());
        }
        if !namespaces.iter().any(|n| n == controller.namespace) {
            namespaces.push(controller.namespace.to_owned());
        }
    }
    let names: Vec<&str> = here.iter().map(|c| c.name).collect();
    out.managed(
        CONTROLLERS_PROJECT,
        tree.cluster_file(cluster, CONTROLLERS_PROJECT_OBJECT),
        &AppProjectView {
            name: &project,
            description: format!("{}: controllers {}", config.project.value, names.join(", ")),
            repositories,
            namespaces,
        },
    )?;
    // The admission layers after the controllers (-2): the templates, then what their CRDs
    // define; a sync before a CRD exists is retried.
    let layers = crate::model::controllers::admission_layers(config);
    for (layer, wave) in layers.iter().zip(["-1", "0"]) {
        let policies = ApplicationView {
            name: format!("{}-{}", config.project.value, layer.name),
            wave: Some(wave),
            cascade: false,
            project: &project,
            repo_url,
            revision: &config.gitops.branch,
            path: tree.path(&layer.dir),
            namespace: None,
            automated: Some(Automated {
                prune: true,
                self_heal: true,
            }),
            helm: None,
            subscriptions: &[],
        };
        out.managed(
            APPLICATION,
            tree.cluster_file(cluster, &admission_file(layer.name)),
            &policies,
        )?;
    }
    for controller in here {
        out.managed(
            CONTROLLER,
            tree.cluster_file(cluster, &controller_file(controller.name)),
            &ControllerApplicationView {
                application: format!("{}-controller-{}", config.project.value, controller.name),
                project: &project,
                controller: ControllerView::of(controller),
            },
        )?;
    }
    Ok(())
}

/// The folder under `clusters/<cluster>/` the root Application syncs, which holds every file.
const FOLDER: &str = "argocd";
/// The AppProject's file.
const PROJECT_OBJECT: &str = "argocd/project.yaml";
/// The file of an environment's Application for a layer, named as [`sharing::object_name`]
/// names it on the cluster: `argocd/infrastructure.yaml`, `argocd/<env>-apps.yaml`.
fn application_file(name: &str) -> String {
    format!("{FOLDER}/{name}.yaml")
}

/// The files gitops-gen writes under `clusters/<cluster>/`, relative to it, for environment
/// `env`, whose layers' objects there are named `names`.
pub(crate) fn cluster_objects(config: &Config, env: &str, names: &[String]) -> Vec<String> {
    [ARGOCD_ROOT_OBJECT, PROJECT_OBJECT]
        .map(str::to_owned)
        .into_iter()
        .chain(names.iter().map(|name| application_file(name)))
        .chain(helm_apps(config).map(|(app, _)| argocd_helm_application(env, &app.name.value)))
        .collect()
}

#[derive(Serialize)]
struct ApplicationView<'a> {
    name: String,
    /// `argocd.argoproj.io/sync-wave`, a string.
    wave: Option<&'static str>,
    /// Delete what the Application applied when the Application goes.
    cascade: bool,
    project: &'a str,
    repo_url: &'a str,
    revision: &'a str,
    path: String,
    namespace: Option<&'a str>,
    /// `None`: synced by hand only (a suspended environment).
    automated: Option<Automated>,
    /// A Helm app's chart and values, instead of `path`.
    helm: Option<helm::HelmSource<'a>>,
    /// Notification subscriptions, as annotations.
    subscriptions: &'a [Subscription],
}

/// `notifications.argoproj.io/subscribe.<trigger>.<service>: <recipient>`.
#[derive(Serialize)]
struct Subscription {
    key: String,
    recipient: String,
}

/// The triggers of Argo CD's notification catalog an environment's Applications subscribe to.
const TRIGGERS: [&str; 2] = ["on-sync-failed", "on-health-degraded"];

/// The chat subscriptions of the model's `notifications.chat`: every failure to sync and every
/// loss of health, to the channel. The decoder has made sure it names a channel and a chat
/// Argo CD has a service for.
fn subscriptions(notifications: &Notifications) -> Vec<Subscription> {
    let Some(chat) = &notifications.chat else {
        return Vec::new();
    };
    let service = match chat.provider {
        ChatProvider::Slack => "slack",
        ChatProvider::Msteams => "teams",
        ChatProvider::Googlechat => "googlechat",
        ChatProvider::Discord => return Vec::new(),
    };
    let recipient = chat.channel.clone().unwrap_or_default();
    TRIGGERS
        .iter()
        .map(|trigger| Subscription {
            key: format!("notifications.argoproj.io/subscribe.{trigger}.{service}"),
            recipient: recipient.clone(),
        })
        .collect()
}

#[derive(Clone, Copy, Serialize)]
struct Automated {
    prune: bool,
    self_heal: bool,
}

#[derive(Serialize)]
struct AppProjectView<'a> {
    name: &'a str,
    description: String,
    /// This repository, then the Helm apps' chart repositories.
    repositories: Vec<String>,
    namespaces: Vec<String>,
}

/// Adds the bootstrap Application, the AppProject and the environments' Applications of every
/// cluster, and the Helm apps' Applications (`helm`). The decoder has made sure the model has a
/// repository address and chat notifications Argo CD can send.
pub(crate) fn render(
    config: &Config,
    targets: &[EnvTarget],
    out: &mut Outputs,
) -> Result<(), Error> {
    let repo_url = clone_address(config)?;
    let project = config.project.value.as_str();
    let revision = config.gitops.branch.as_str();
    let tree = GitopsTree::of(config);
    let subscriptions = subscriptions(&config.notifications);
    let all = controllers::controllers(config);
    for cluster in clusters_of(targets) {
        render_controllers(config, &all, cluster, &tree, out)?;
        let here: Vec<(usize, &EnvTarget)> = targets
            .iter()
            .enumerate()
            .filter(|(_, t)| t.clusters.iter().any(|c| c == cluster))
            .collect();
        let folder = tree.cluster_file(cluster, FOLDER);
        let root = ApplicationView {
            name: format!("{project}-root"),
            wave: None,
            cascade: false,
            project: "default",
            repo_url,
            revision,
            path: folder,
            namespace: Some("argocd"),
            automated: Some(Automated {
                prune: true,
                self_heal: true,
            }),
            helm: None,
            subscriptions: &[],
        };
        out.managed(
            APPLICATION,
            tree.cluster_file(cluster, ARGOCD_ROOT_OBJECT),
            &root,
        )?;
        let namespaces = here
            .iter()
            .flat_map(|(_, t)| {
                // A preview's instances each get `<namespace>-<branch>`.
                let instances = t.preview.then(|| format!("{}-*", t.namespace));
                std::iter::once(t.namespace.to_owned()).chain(instances)
            })
            .collect();
        let names: Vec<&str> = here.iter().map(|(_, t)| t.name).collect();
        out.managed(
            APP_PROJECT,
            tree.cluster_file(cluster, PROJECT_OBJECT),
            &AppProjectView {
                name: project,
                description: format!("{project}: {}", names.join(", ")),
                repositories: std::iter::once(repo_url.to_owned())
                    .chain(helm::chart_repositories(config))
                    .collect(),
                namespaces,
            },
        )?;
        for (index, target) in here {
            let file = |layer| {
                application_file(&sharing::object_name(
                    &config.environments,
                    index,
                    cluster,
                    layer,
                ))
            };
            let automated = (!target.suspended).then_some(Automated {
                prune: target.drift.prune,
                self_heal: target.drift.self_heal,
            });
            let application = |layer: &str, wave, dir: &str, namespace| ApplicationView {
                name: format!("{project}-{}-{layer}", target.name),
                wave: Some(wave),
                cascade: target.drift.prune && !target.suspended,
                project,
                repo_url,
                revision,
                path: dir.to_owned(),
                namespace,
                automated,
                helm: None,
                subscriptions: &subscriptions,
            };
            let infrastructure = application(
                "infrastructure",
                "-1",
                &target.infrastructure,
                Some(target.namespace),
            );
            // Preview instances each bring their own namespace.
            let apps = application("apps", "0", &target.applications, target.apps_namespace());
            out.managed(
                APPLICATION,
                tree.cluster_file(cluster, &file("infrastructure")),
                &infrastructure,
            )?;
            out.managed(
                APPLICATION,
                tree.cluster_file(cluster, &file("apps")),
                &apps,
            )?;
            for (app, chart) in helm_apps(config) {
                // `helm-` keeps an app called `apps` apart from the environment's apps.
                let layer = format!("helm-{}", app.name.value);
                let mut release = application(&layer, "0", "", target.apps_namespace());
                release.helm = Some(helm::source(config, app, chart, target.name, repo_url));
                let file = tree.cluster_file(
                    cluster,
                    &argocd_helm_application(target.name, &app.name.value),
                );
                if target.preview {
                    let set =
                        instances::application_set(release, target.name, &app.name.value, &tree)?;
                    out.managed(APPLICATION_SET, file, &set)?;
                } else {
                    out.managed(APPLICATION, file, &release)?;
                }
            }
        }
    }
    empty_release_folders(
        config,
        "Argo CD",
        "Application",
        "clusters/<cluster>/argocd/",
        out,
    )
}
