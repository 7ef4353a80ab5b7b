//! RENDER stage: the Rancher Fleet objects. One Fleet manager deploys every environment, so
//! everything lives in one folder, `clusters/fleet/`:
//!
//! - `root.yaml`: the GitRepo `<project>` in `fleet-local`, which deploys `gitrepos/` to the
//!   manager itself; `kubectl apply -f` of this one file starts everything, and from then on
//!   the manager takes every change of `gitrepos/` from Git.
//! - `gitrepos/<env>.yaml`: per environment, the GitRepo `<project>-<env>` in `fleet-default`,
//!   targeting the ClusterGroup `<project>-<env>` (`gitrepos/<env>.clusters.yaml`), which
//!   selects the clusters the model names by the label `gitops-gen/cluster`. The environment's
//!   drift settings are the GitRepo's `correctDrift`, `keepResources` and `pollingInterval`; a
//!   suspended environment's GitRepo is `paused`.
//! - `bundles/<env>/{infrastructure,apps}/fleet.yaml`: the options of the environment's two
//!   bundles, which the GitRepo lists explicitly (Fleet's user-driven bundle scan, `bundles:`
//!   with `base` and `options`). Each bundle's base is the whole layer folder, so an overlay
//!   finds `../../base` inside the bundle; the options pick the environment's overlay
//!   (`kustomize.dir`), the apps' namespace, and make the apps wait for the infrastructure
//!   (`dependsOn`).
//! - per environment and Helm app, a GitRepo of its own (`gitrepos/<env>.helm.<app>.yaml`) and
//!   its bundle's options (`bundles/<env>/helm.<app>/fleet.yaml`): the chart's folder, or a
//!   chart repository's chart, with `helm.valuesFiles` ending in the image file promotion owns.
//!   Fleet cannot build that bundle before the first promotion writes the file; a GitRepo of
//!   its own keeps that from holding up the environment's other bundles.
//!
//! Why a bundle per environment and not one `fleet.yaml` with `targetCustomizations` per
//! environment: a bundle is deployed at most once per cluster, so two environments on one
//! cluster need two bundles; and a GitRepo per environment lets each be paused, drift-corrected
//! and targeted on its own. The options files stay under `clusters/fleet/` (Fleet reads them
//! relative to the bundle's base), so `applications/` and `infrastructure/` are the same under
//! every operator.

mod controllers;

use serde::Serialize;

use crate::error::Error;
use crate::model::Config;
use crate::model::tree::{
    FLEET_CLUSTER_LABEL, FLEET_FOLDER, FLEET_ROOT_OBJECT, GitopsTree, fleet_helm_base,
    fleet_helm_options_dir, helm_image_values, relative,
};
use crate::render::gitops::{EnvTarget, clone_address, empty_release_folders, helm_apps};
use crate::render::output::Outputs;

const GIT_REPO: &str = "gitops/fleet/gitrepo.yaml.j2";
const CLUSTER_GROUP: &str = "gitops/fleet/clustergroup.yaml.j2";
const BUNDLE_OPTIONS: &str = "gitops/fleet/fleet.yaml.j2";

/// The folder the root GitRepo deploys to the manager.
const GIT_REPOS: &str = "gitrepos";
/// The workspace of the downstream clusters (Rancher's default, and Fleet's).
const WORKSPACE: &str = "fleet-default";
/// The workspace of the manager's own cluster, which Fleet names `local`.
const LOCAL_WORKSPACE: &str = "fleet-local";
const LOCAL_CLUSTER: &str = "local";

#[derive(Serialize)]
struct GitRepoView<'a> {
    name: String,
    namespace: &'static str,
    repo_url: &'a str,
    branch: &'a str,
    /// Folders scanned the usual way (the root GitRepo).
    paths: Vec<String>,
    /// Bundles listed explicitly (an environment's GitRepo).
    bundles: Vec<BundleRef>,
    /// The bundle is a Helm app's.
    helm: bool,
    /// The target's name; the cluster's when there is no group.
    target: String,
    cluster_group: Option<String>,
    drift: Option<DriftView<'a>>,
    paused: bool,
}

#[derive(Serialize)]
struct BundleRef {
    /// Repository-relative folder whose files make up the bundle.
    base: String,
    /// The options file, relative to `base`.
    options: String,
}

#[derive(Serialize)]
struct DriftView<'a> {
    /// `pollingInterval`; Fleet's own 15 seconds when the model does not say.
    interval: Option<&'a str>,
    self_heal: bool,
    /// Keep what the GitRepo deployed when it is deleted (`prune: false`).
    keep: bool,
}

#[derive(Serialize)]
struct ClusterGroupView<'a> {
    name: String,
    namespace: &'static str,
    label: &'static str,
    clusters: &'a [String],
}

#[derive(Serialize)]
struct BundleOptionsView<'a> {
    name: String,
    project: &'a str,
    namespace: Option<&'a str>,
    /// The overlay, relative to the bundle's base; `None` for a Helm app.
    dir: Option<String>,
    /// A Helm app's chart and values.
    helm: Option<HelmView<'a>>,
    depends_on: Option<String>,
}

#[derive(Serialize)]
struct HelmView<'a> {
    /// An `https://` chart repository.
    repo: Option<&'a str>,
    /// The chart: its name in `repo`, or `oci://<registry>/<chart>`; `None` for the chart in the
    /// bundle's base.
    chart: Option<String>,
    version: Option<&'a str>,
    release: &'a str,
    /// Relative to the bundle's base, earliest first; Fleet reads them when it builds the
    /// bundle.
    values_files: Vec<String>,
}

/// The files under `clusters/fleet/` (relative to it) that the validate job can check against
/// a schema: the ClusterGroups. The CRD catalog the job reads has no GitRepo schema (it has
/// Fleet's Bundle and ClusterGroup only), and a `fleet.yaml` is not a Kubernetes object;
/// `generate --check` keeps those files as rendered, and gitops-gen's own tests check them
/// against Fleet's CRDs.
pub(crate) fn checked_objects(config: &Config) -> Vec<String> {
    config
        .environments
        .iter()
        .map(|env| cluster_group_file(&env.name.value))
        .collect()
}

fn git_repo_file(env: &str) -> String {
    format!("{GIT_REPOS}/{env}.yaml")
}

fn cluster_group_file(env: &str) -> String {
    // Environment names have no dots, so this never meets a GitRepo file.
    format!("{GIT_REPOS}/{env}.clusters.yaml")
}

fn options_file(env: &str, layer: &str) -> String {
    format!("bundles/{env}/{layer}/fleet.yaml")
}

/// A Helm app's GitRepo in `env`; the dots keep it apart from every environment's files.
fn helm_git_repo_file(env: &str, app: &str) -> String {
    format!("{GIT_REPOS}/{env}.helm.{app}.yaml")
}

/// Adds the root GitRepo and, per environment, its GitRepo, ClusterGroup and bundle options,
/// and a GitRepo and options per Helm app. The decoder has made sure the model has a repository
/// address, no notifications and no Helm app with a preview environment, and that the apps'
/// bases share a folder below the repository root.
pub(crate) fn render(
    config: &Config,
    targets: &[EnvTarget],
    out: &mut Outputs,
) -> Result<(), Error> {
    let repo_url = clone_address(config)?;
    let project = config.project.value.as_str();
    let branch = config.gitops.branch.as_str();
    let tree = GitopsTree::of(config);
    let file = |rel: &str| tree.cluster_file(FLEET_FOLDER, rel);
    let root = GitRepoView {
        name: project.to_owned(),
        namespace: LOCAL_WORKSPACE,
        repo_url,
        branch,
        paths: vec![file(GIT_REPOS)],
        bundles: Vec::new(),
        helm: false,
        target: LOCAL_CLUSTER.to_owned(),
        cluster_group: None,
        drift: None,
        paused: false,
    };
    out.managed(GIT_REPO, file(FLEET_ROOT_OBJECT), &root)?;
    let infrastructure_base = tree.infrastructure_root();
    let applications_base = tree.applications_closure(config);
    for target in targets {
        let env = target.name;
        let name = format!("{project}-{env}");
        let infrastructure = format!("{name}-infrastructure");
        let layer = |base: &str, layer: &str| BundleRef {
            base: base.to_owned(),
            options: relative(base, &file(&options_file(env, layer))),
        };
        // An environment's GitRepo: its bundles, targeting its ClusterGroup, with its drift
        // settings.
        let git_repo = |name: String, bundles: Vec<BundleRef>| GitRepoView {
            name,
            namespace: WORKSPACE,
            repo_url,
            branch,
            paths: Vec::new(),
            bundles,
            helm: false,
            target: env.to_owned(),
            cluster_group: Some(format!("{project}-{env}")),
            drift: Some(DriftView {
                interval: target.drift.interval.as_deref(),
                self_heal: target.drift.self_heal,
                keep: !target.drift.prune,
            }),
            paused: target.suspended,
        };
        let layers = vec![
            layer(&infrastructure_base, "infrastructure"),
            layer(&applications_base, "apps"),
        ];
        let environment = git_repo(name.clone(), layers);
        out.managed(GIT_REPO, file(&git_repo_file(env)), &environment)?;
        let group = ClusterGroupView {
            name: name.clone(),
            namespace: WORKSPACE,
            label: FLEET_CLUSTER_LABEL,
            clusters: target.clusters,
        };
        out.managed(CLUSTER_GROUP, file(&cluster_group_file(env)), &group)?;
        let infrastructure_options = BundleOptionsView {
            name: infrastructure.clone(),
            project,
            // The overlay brings the Namespace itself; a bundle namespace would refuse it.
            namespace: None,
            dir: Some(relative(&infrastructure_base, &target.infrastructure)),
            helm: None,
            depends_on: None,
        };
        out.managed(
            BUNDLE_OPTIONS,
            file(&options_file(env, "infrastructure")),
            &infrastructure_options,
        )?;
        let apps_options = BundleOptionsView {
            name: format!("{name}-apps"),
            project,
            // Preview instances each bring their own namespace.
            namespace: target.apps_namespace(),
            dir: Some(relative(&applications_base, &target.applications)),
            helm: None,
            depends_on: Some(infrastructure.clone()),
        };
        out.managed(
            BUNDLE_OPTIONS,
            file(&options_file(env, "apps")),
            &apps_options,
        )?;
        for (app, helm) in helm_apps(config) {
            let app_name = app.name.value.as_str();
            let name = format!("{name}-helm-{app_name}");
            let base = fleet_helm_base(&tree, env, app_name, helm);
            let options = file(&format!(
                "{}/fleet.yaml",
                fleet_helm_options_dir(env, app_name)
            ));
            // A GitRepo of its own: until the first promotion writes the image's values file,
            // Fleet cannot build this bundle, and that must not hold up the environment's.
            let bundle = BundleRef {
                base: base.clone(),
                options: relative(&base, &options),
            };
            let mut release = git_repo(name.clone(), vec![bundle]);
            release.helm = true;
            out.managed(GIT_REPO, file(&helm_git_repo_file(env, app_name)), &release)?;
            let overlay = tree.applications_overlay(env);
            let values_files = helm
                .values_in(env)
                .cloned()
                .chain(std::iter::once(helm_image_values(&overlay, app_name)))
                .map(|values| relative(&base, &values))
                .collect();
            let oci = helm
                .repository
                .as_deref()
                .and_then(|r| r.strip_prefix("oci://"));
            let view = BundleOptionsView {
                name,
                project,
                namespace: target.apps_namespace(),
                dir: None,
                helm: Some(HelmView {
                    repo: helm.repository.as_deref().filter(|_| oci.is_none()),
                    chart: match (&helm.repository, oci) {
                        (None, _) => None,
                        (Some(_), Some(registry)) => Some(format!(
                            "oci://{}/{}",
                            registry.trim_end_matches('/'),
                            helm.chart
                        )),
                        (Some(_), None) => Some(helm.chart.clone()),
                    },
                    version: helm.version.as_deref(),
                    release: &helm.release,
                    values_files,
                }),
                depends_on: Some(infrastructure.clone()),
            };
            out.managed(BUNDLE_OPTIONS, options, &view)?;
        }
    }
    let all = crate::model::controllers::controllers(config);
    controllers::render(config, &all, repo_url, WORKSPACE, out)?;
    empty_release_folders(config, "Fleet", "GitRepo", "clusters/fleet/gitrepos/", out)
}
