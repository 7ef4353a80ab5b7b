//! What a model needs, and may not yet ask for, with an operator other than Flux.

use crate::model::decode::Decoder;
use crate::model::tree::{ARGOCD_INSTANCE_PARAMS, ARGOCD_NAMESPACE_PARAMS};
use crate::model::tree::{GitopsTree, common_folder};
use crate::model::types::{ChatProvider, Config, Deploy, Environment, Operator};
use crate::yaml::{Mapping, Node};

/// The top-level template parameters of the ApplicationSet of a Helm app's preview instances:
/// the instance folder's, the Namespace file's folder's, and the Namespace's own fields.
const ARGOCD_INSTANCE_KEYS: [&str; 5] = [
    ARGOCD_INSTANCE_PARAMS,
    ARGOCD_NAMESPACE_PARAMS,
    "apiVersion",
    "kind",
    "metadata",
];

impl Decoder<'_> {
    /// Argo CD's Applications and Fleet's GitRepos name the repository they clone, so with the
    /// tree in this repository `gitops.url` must say where that is. Fleet takes no
    /// `notifications`, Argo CD chat ones only; Fleet's preview instances of Helm apps, and its
    /// bundles of apps outside a shared folder, are not generated.
    pub(super) fn pull_operator_limits(&mut self, config: &Config, top: &Mapping) {
        let operator = config.operator.as_str();
        if config.gitops.url.is_none()
            && let Some(node) = top.get("operator")
        {
            self.problem_help(
                node.span,
                format!("operator `{operator}` needs the repository's address"),
                "it clones the repository itself",
                "set `gitops.url` to this repository's https:// or ssh URL (`init` writes the \
                 `origin` remote's)"
                    .to_owned(),
            );
        }
        if let Some(node) = top.get("notifications") {
            match config.operator {
                Operator::Argocd => self.argocd_notifications(config, node),
                _ => self.problem_help(
                    node.span,
                    "`notifications` are generated for Flux and Argo CD only in this release"
                        .to_owned(),
                    &format!("not with operator {operator}"),
                    "remove `notifications`, or use `operator: flux` or `argocd`; Fleet shows \
                     each bundle's state on its GitRepo and in Rancher"
                        .to_owned(),
                ),
            }
        }
        if let Some(preview) = config.environments.iter().find(|env| env.preview) {
            self.helm_previews(config, preview);
        }
        if config.operator == Operator::Fleet {
            self.fleet_bundle_folders(config);
        }
    }

    /// Preview instances of Helm apps: under Argo CD an ApplicationSet generates one Application
    /// per instance from the instance's image values file and Namespace file, whose fields become
    /// its template parameters beside `instance` and `namespace`, so the image's values may not
    /// start with those names; Fleet has no such generator.
    fn helm_previews(&mut self, config: &Config, preview: &Environment) {
        let operator = config.operator.as_str();
        for app in &config.apps {
            let Deploy::Helm(helm) = &app.deploy else {
                continue;
            };
            if config.operator == Operator::Fleet {
                self.problems.push_related(
                    app.name.span,
                    format!(
                        "app `{}` is a Helm app, and preview instances of Helm apps are generated \
                         for Flux and Argo CD only in this release",
                        app.name.value
                    ),
                    &format!("not with operator {operator} and a preview"),
                    Some(format!(
                        "deploy it from Kustomize or plain manifests, remove the preview \
                         environment `{}`, or use `operator: flux` or `argocd`",
                        preview.name.value
                    )),
                    (preview.name.span, "the preview"),
                );
                continue;
            }
            if config.operator != Operator::Argocd {
                continue;
            }
            let paths = std::iter::once(&helm.image_path).chain(&helm.image_repository_path);
            for path in paths {
                let top = path.split('.').next().unwrap_or_default();
                if ARGOCD_INSTANCE_KEYS.contains(&top) {
                    self.problems.push_related(
                        app.name.span,
                        format!(
                            "app `{}` sets its image at `{path}`, which Argo CD's ApplicationSet \
                             of the preview's instances would confuse with its own `{top}`",
                            app.name.value
                        ),
                        "not with operator argocd and a preview",
                        Some(format!(
                            "change `image_path` or `image_repository_path`: under Argo CD a \
                             preview's image values may not start with {}",
                            ARGOCD_INSTANCE_KEYS.map(|k| format!("`{k}`")).join(", ")
                        )),
                        (preview.name.span, "the preview"),
                    );
                }
            }
        }
    }

    /// Argo CD subscribes each Application to a chat through its notifications controller, by a
    /// recipient name the controller's configuration maps to a webhook; commit statuses need a
    /// template the catalog lacks and a GitHub App, both in the controller's configuration, and
    /// are not generated.
    fn argocd_notifications(&mut self, config: &Config, node: &Node) {
        let part = |key: &str| {
            node.as_map()
                .and_then(|m| m.get(key))
                .map_or(node.span, |n| n.span)
        };
        if config.notifications.commit_status.is_some() {
            self.problem_help(
                part("commit_status"),
                "`notifications.commit_status` is generated for Flux only in this release"
                    .to_owned(),
                "not with operator argocd",
                "Argo CD's notification catalog has no commit status template, and its GitHub \
                 service signs in as a GitHub App: both belong in `argocd-notifications-cm`, \
                 which Argo CD's installation owns; remove `commit_status` (see \
                 docs/operators.md)"
                    .to_owned(),
            );
        }
        let Some(chat) = &config.notifications.chat else {
            return;
        };
        if chat.provider == ChatProvider::Discord {
            self.problem_help(
                part("chat"),
                "Argo CD has no Discord service".to_owned(),
                "not with operator argocd",
                "use `slack`, `msteams` or `googlechat`, or `operator: flux`".to_owned(),
            );
        } else if chat.channel.is_none() {
            self.problem_help(
                part("chat"),
                "`notifications.chat` needs `channel` with operator argocd".to_owned(),
                "no recipient",
                "Argo CD's subscriptions name a recipient: the Slack channel, or the name \
                 `argocd-notifications-cm` gives the Teams or Google Chat webhook; set `channel`"
                    .to_owned(),
            );
        }
    }

    /// Fleet copies one folder into each cluster as the apps' bundle, so the overlays and every
    /// app's base must share a folder below the repository root; the whole repository (its
    /// sources too) would not fit a bundle, which must gzip under 1 MB.
    fn fleet_bundle_folders(&mut self, config: &Config) {
        let tree = GitopsTree::of(config);
        let applications = tree.applications_root();
        for app in &config.apps {
            let Some(base) = tree.app_base_dir(&app.deploy) else {
                continue;
            };
            if common_folder(&applications, &base) == "." {
                self.problem_help(
                    app.name.span,
                    format!(
                        "app `{}` keeps its manifests in `{base}`, outside the folder Fleet \
                         bundles",
                        app.name.value
                    ),
                    "not with operator fleet",
                    format!(
                        "Fleet deploys one folder holding `{applications}` and every app's base, \
                         and only the repository root holds both here; move the manifests under \
                         `{applications}/`, or put the tree and the manifests in one folder with \
                         `gitops.path`"
                    ),
                );
            }
        }
    }
}
