//! RENDER stage: a Helm app under Argo CD, per environment and cluster, the Application
//! `<project>-<env>-<app>` (`clusters/<cluster>/argocd/helm.<env>.<app>.yaml`, sync wave 0) with
//! two sources: the chart (from its chart repository, or its folder in this repository) and
//! this repository as `$values`, from which the chart reads, each over the ones before, the
//! team's shared values file, the environment's, and `<app>-image.yaml`, the file promotion
//! owns in the environment's overlay. Until the first promotion into the environment that file
//! does not exist, and Argo CD reports it missing instead of deploying the chart's own image: as
//! under Flux, an environment runs an app only once an image was promoted into it.
//!
//! Promotion is the same under every operator: it writes `<app>-image.yaml` and lists the
//! app's release folder in the overlay. Under Argo CD that folder
//! (`applications/releases/<env>/<app>/`) holds an empty kustomization, so the overlay builds;
//! the overlay's `<app>-image` ConfigMap, which Flux's HelmRelease reads, is applied but unread.

use serde::Serialize;

use crate::model::tree::{self, GitopsTree};
use crate::model::{App, Config, Helm};
use crate::render::gitops::helm_apps;

/// The Helm source of an Application.
#[derive(Serialize)]
pub(super) struct HelmSource<'a> {
    /// The chart repository's address (an OCI registry's without `oci://`, as Argo CD spells
    /// it), or this repository's for a chart in it.
    repo_url: String,
    /// The chart's name in its chart repository.
    chart: Option<&'a str>,
    /// The chart's folder in this repository.
    path: Option<&'a str>,
    /// The chart version or range, or the GitOps branch for a chart in this repository.
    revision: &'a str,
    release: &'a str,
    /// `$values/<file>`, applied in order.
    value_files: Vec<String>,
}

impl HelmSource<'_> {
    /// Makes `file` the values file read last, in place of the environment's image file.
    pub(super) fn read_last(&mut self, file: String) {
        if let Some(last) = self.value_files.last_mut() {
            *last = file;
        }
    }
}

/// The chart repositories the AppProject must allow, as the Applications spell them.
pub(super) fn chart_repositories(config: &Config) -> Vec<String> {
    let mut repositories: Vec<String> = helm_apps(config)
        .filter_map(|(_, helm)| helm.repository.as_deref().map(argocd_repo_url))
        .collect();
    repositories.sort();
    repositories.dedup();
    repositories
}

/// How Argo CD spells a chart repository: an OCI registry without its scheme.
fn argocd_repo_url(url: &str) -> String {
    url.strip_prefix("oci://").unwrap_or(url).to_owned()
}

/// The Helm source of `helm` in `env`; `repo_url` and `branch` are the GitOps repository's.
pub(super) fn source<'a>(
    config: &'a Config,
    app: &App,
    helm: &'a Helm,
    env: &str,
    repo_url: &str,
) -> HelmSource<'a> {
    let tree = GitopsTree::of(config);
    let overlay = tree.applications_overlay(env);
    let value_files = helm
        .values_in(env)
        .cloned()
        .chain(std::iter::once(tree::helm_image_values(
            &overlay,
            &app.name.value,
        )))
        .map(|file| format!("$values/{file}"))
        .collect();
    let (repo_url, chart, path, revision) = match &helm.repository {
        Some(repository) => (
            argocd_repo_url(repository),
            Some(helm.chart.as_str()),
            None,
            helm.version.as_deref().unwrap_or_default(),
        ),
        None => (
            repo_url.to_owned(),
            None,
            Some(helm.chart.as_str()),
            config.gitops.branch.as_str(),
        ),
    };
    HelmSource {
        repo_url,
        chart,
        path,
        revision,
        release: &helm.release,
        value_files,
    }
}
