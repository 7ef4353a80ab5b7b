//! What a model needs, and may not yet ask for, with `operator: argocd`.

use crate::model::decode::Decoder;
use crate::model::types::{Config, Deploy};
use crate::yaml::Mapping;

impl Decoder<'_> {
    /// Argo CD's Applications name the repository they read, so with the tree in this
    /// repository `gitops.url` must say where that is; Helm apps and notifications are generated
    /// for Flux only in this release.
    pub(super) fn argocd_limits(&mut self, config: &Config, top: &Mapping) {
        if config.gitops.url.is_none()
            && let Some(node) = top.get("operator")
        {
            self.problem_help(
                node.span,
                "operator `argocd` needs the repository's address".to_owned(),
                "Argo CD clones the repository itself",
                "set `gitops.url` to this repository's https:// or ssh URL (`init` writes the \
                 `origin` remote's)"
                    .to_owned(),
            );
        }
        if let Some(node) = top.get("notifications") {
            self.problem_help(
                node.span,
                "`notifications` are generated for Flux only in this release".to_owned(),
                "not with operator argocd",
                "remove `notifications`, or use `operator: flux`".to_owned(),
            );
        }
        for app in &config.apps {
            if matches!(app.deploy, Deploy::Helm { .. }) {
                self.problem_help(
                    app.name.span,
                    format!(
                        "app `{}` is a Helm app, which is generated for Flux only in this release",
                        app.name.value
                    ),
                    "not with operator argocd",
                    "deploy it from Kustomize or plain manifests, or use `operator: flux`"
                        .to_owned(),
                );
            }
        }
    }
}
