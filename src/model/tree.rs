//! The GitOps tree: the one place that knows where each folder and file of the generated
//! operator tree lives. Rendering, validation, promotion and the pipelines all ask here.
//!
//! ```text
//! <root>/clusters/<cluster>/<file>              what the operator in that cluster applies
//! <root>/infrastructure/base/                    shared infrastructure
//! <root>/infrastructure/overlays/<env>/          per-environment infrastructure
//! <root>/applications/base/<app>/                an app's own manifests
//! <root>/applications/overlays/<env>/            per-environment apps; promotion edits these
//! <root>/applications/overlays/<env>/<instance>/ one branch of a preview environment
//! ```
//!
//! `<root>` is the model's `gitops.path`; `.` puts the tree at the repository root. Every path
//! returned is repository-relative with `/` separators, except [`app_base`], which is relative to
//! the tree root because that is how `deploy.kustomize` paths are written in the model.

use crate::model::Config;

/// Where the tree's parts live, for one tree root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct GitopsTree<'a> {
    root: &'a str,
}

impl<'a> GitopsTree<'a> {
    /// The tree rooted at `root` (`.` or a repository-relative directory).
    pub(crate) fn new(root: &'a str) -> GitopsTree<'a> {
        GitopsTree { root }
    }

    /// The tree the model describes.
    pub(crate) fn of(config: &'a Config) -> GitopsTree<'a> {
        GitopsTree::new(&config.gitops.path)
    }

    /// A path inside the tree, given relative to its root.
    pub(crate) fn path(&self, rel: &str) -> String {
        if self.root == "." {
            rel.to_owned()
        } else {
            format!("{}/{rel}", self.root)
        }
    }

    /// `clusters/<cluster>/<file>`: an object the operator of `cluster` applies.
    pub(crate) fn cluster_file(&self, cluster: &str, file: &str) -> String {
        self.path(&format!("clusters/{cluster}/{file}"))
    }

    /// `infrastructure/base`.
    pub(crate) fn infrastructure_base(&self) -> String {
        self.path("infrastructure/base")
    }

    /// `infrastructure/overlays/<env>`.
    pub(crate) fn infrastructure_overlay(&self, env: &str) -> String {
        self.path(&format!("infrastructure/overlays/{env}"))
    }

    /// `infrastructure/overlays/<env>/namespace.yaml`: the environment's Namespace.
    pub(crate) fn namespace(&self, env: &str) -> String {
        format!("{}/{NAMESPACE_FILE}", self.infrastructure_overlay(env))
    }

    /// `applications/base`: the kustomization listing every app's base.
    pub(crate) fn applications_base(&self) -> String {
        self.path("applications/base")
    }

    /// `<base>/<file>`: a file of an app's base, `base` being relative to the tree root as
    /// `deploy.kustomize` is written.
    pub(crate) fn app_base_file(&self, base: &str, file: &str) -> String {
        self.path(&format!("{base}/{file}"))
    }

    /// `applications/overlays/<env>`: the folder promotion edits for `env`.
    pub(crate) fn applications_overlay(&self, env: &str) -> String {
        self.path(&format!("applications/overlays/{env}"))
    }

    /// `applications/overlays/<env>/<instance>`: one branch's instance of a preview environment.
    pub(crate) fn preview_instance(&self, env: &str, instance: &str) -> String {
        self.path(&format!("applications/overlays/{env}/{instance}"))
    }

    /// `applications/overlays/**`: every file promotion may change, for path filters.
    pub(crate) fn applications_overlays_glob(&self) -> String {
        self.path("applications/overlays/**")
    }

    /// The path an operator is given for `dir` (a repository-relative path from this tree):
    /// Flux and Argo CD want it relative to the repository root, written `./<dir>`.
    pub(crate) fn operator_path(dir: &str) -> String {
        format!("./{dir}")
    }
}

/// The Namespace file's name inside an infrastructure overlay.
pub(crate) const NAMESPACE_FILE: &str = "namespace.yaml";

/// How an overlay (`infrastructure/overlays/<env>`, `applications/overlays/<env>`) refers to the
/// base beside it.
pub(crate) const OVERLAY_BASE: &str = "../../base";

/// `<dir>/kustomization.yaml`.
pub(crate) fn kustomization(dir: &str) -> String {
    format!("{dir}/kustomization.yaml")
}

/// How `applications/base/kustomization.yaml` lists an app's base, given relative to the tree
/// root: by its folder name when it is inside `applications/base/`, else by a path up to the
/// tree root and down again.
pub(crate) fn app_base_entry(base: &str) -> String {
    match base.strip_prefix("applications/base/") {
        Some(inside) => inside.to_owned(),
        None => format!("../../{base}"),
    }
}

/// `applications/base/<app>`, relative to the tree root: where an app's scaffolded manifests
/// live unless the model says otherwise.
pub(crate) fn app_base(app: &str) -> String {
    format!("applications/base/{app}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_at_the_root_and_below_it() {
        let root = GitopsTree::new(".");
        assert_eq!(
            kustomization(&root.applications_overlay("prod")),
            "applications/overlays/prod/kustomization.yaml"
        );
        assert_eq!(
            root.cluster_file("eu", "apps.yaml"),
            "clusters/eu/apps.yaml"
        );
        let deploy = GitopsTree::new("deploy");
        assert_eq!(
            deploy.infrastructure_overlay("dev"),
            "deploy/infrastructure/overlays/dev"
        );
        assert_eq!(
            deploy.applications_overlays_glob(),
            "deploy/applications/overlays/**"
        );
        assert_eq!(
            GitopsTree::operator_path(&deploy.applications_base()),
            "./deploy/applications/base"
        );
        assert_eq!(app_base("web"), "applications/base/web");
        assert_eq!(
            deploy.namespace("dev"),
            "deploy/infrastructure/overlays/dev/namespace.yaml"
        );
        assert_eq!(
            deploy.app_base_file("k8s/web", "service.yaml"),
            "deploy/k8s/web/service.yaml"
        );
        assert_eq!(app_base_entry(&app_base("web")), "web");
        assert_eq!(app_base_entry("k8s/web"), "../../k8s/web");
    }
}
