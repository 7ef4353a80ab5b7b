//! Promotion into per-branch preview environments: one directory per branch under the preview
//! overlay, each in its own namespace, listed in the overlay's `resources:` so Flux applies it,
//! and removed (Flux prunes it) when the branch goes away.

use std::path::Path;

use crate::error::Error;
use crate::model::tree::{GitopsTree, NAMESPACE_FILE, kustomization};
use crate::promote::edit::{self, scalar};
use crate::promote::git_cli::Git;
use crate::promote::stage::read_overlay;
use crate::promote::{Request, commit};

/// Where one branch's preview lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Instance {
    /// The branch, as pushed.
    pub branch: String,
    /// Directory name under the preview overlay, DNS-safe and unique per branch.
    pub slug: String,
    /// Namespace of the instance.
    pub namespace: String,
    /// The preview overlay's own kustomization, which lists the instances.
    pub root: String,
    /// The instance's kustomization (what promotion edits).
    pub kustomization: String,
    /// The instance's Namespace manifest.
    pub namespace_file: String,
    /// The instance directory.
    pub dir: String,
}

impl Instance {
    /// The instance of `branch` in the preview environment `env` of `tree`, with namespaces
    /// named after `namespace_prefix`.
    pub(crate) fn new(
        tree: GitopsTree<'_>,
        env: &str,
        namespace_prefix: &str,
        branch: &str,
    ) -> Instance {
        let slug = slug(branch);
        let dir = tree.preview_instance(env, &slug);
        let mut namespace = format!("{namespace_prefix}-{slug}");
        if namespace.len() > 63 {
            // Keep the hash at the end, which is what makes the name unique.
            let keep = 63 - slug.len() - 1;
            namespace = format!(
                "{}-{slug}",
                namespace_prefix[..keep.min(namespace_prefix.len())].trim_end_matches('-')
            );
        }
        Instance {
            branch: branch.to_owned(),
            root: kustomization(&tree.applications_overlay(env)),
            kustomization: kustomization(&dir),
            namespace_file: format!("{dir}/{NAMESPACE_FILE}"),
            dir,
            namespace,
            slug,
        }
    }

    /// The instance's kustomization when it is first created.
    pub(crate) fn kustomization_text(&self) -> String {
        format!(
            "# Preview of branch {branch}, created by `gitops-gen promote`; removed with `--remove`.\n\
             apiVersion: kustomize.config.k8s.io/v1beta1\n\
             kind: Kustomization\n\
             metadata:\n  annotations:\n    branch.gitops-gen.io/name: {branch}\n\
             namespace: {namespace}\n\
             resources:\n  - {NAMESPACE_FILE}\n",
            branch = scalar(&self.branch),
            namespace = self.namespace,
        )
    }

    /// The instance's Namespace manifest.
    pub(crate) fn namespace_text(&self, project: &str) -> String {
        format!(
            "# Namespace of the preview of branch {branch}, created by `gitops-gen promote`.\n\
             apiVersion: v1\n\
             kind: Namespace\n\
             metadata:\n  name: {namespace}\n  labels:\n    app.kubernetes.io/part-of: {project}\n    \
             gitops-gen.io/preview: \"true\"\n",
            branch = scalar(&self.branch),
            namespace = self.namespace,
        )
    }
}

/// A DNS-1123 directory and namespace fragment for a branch: its name, lowercased, with runs of
/// other characters as `-`, cut to 40 characters, plus 6 hex digits of its hash so that
/// `feature/a_b` and `feature/a-b` stay apart.
pub(crate) fn slug(branch: &str) -> String {
    let base: String = crate::model::decode::dns_label_from(branch)
        .unwrap_or_default()
        .chars()
        .take(40)
        .collect();
    let base = base.trim_end_matches('-');
    let mut hasher = gix::hash::hasher(gix::hash::Kind::Sha1);
    hasher.update(branch.as_bytes());
    let hash = hasher
        .try_finalize()
        .map(|id| id.to_hex().to_string())
        .unwrap_or_default();
    let short = hash.get(..6).unwrap_or("000000");
    if base.is_empty() {
        format!("b-{short}")
    } else {
        format!("{base}-{short}")
    }
}

/// Writes a new preview instance (kustomization and namespace) and lists it in the preview
/// overlay, staged for the promotion commit.
pub(super) fn create_instance(
    git: &Git,
    request: &Request,
    instance: &Instance,
    root: &Path,
) -> std::result::Result<(), Error> {
    let io = |what: &str, e| Error::io(format!("writing {what}"), e);
    std::fs::create_dir_all(root.join(&instance.dir)).map_err(|e| io(&instance.dir, e))?;
    std::fs::write(
        root.join(&instance.kustomization),
        instance.kustomization_text(),
    )
    .map_err(|e| io(&instance.kustomization, e))?;
    std::fs::write(
        root.join(&instance.namespace_file),
        instance.namespace_text(&request.project),
    )
    .map_err(|e| io(&instance.namespace_file, e))?;
    let listed = read_overlay(request, root, &instance.root)?;
    let listed = edit::add_resource(&listed, &instance.slug)
        .map_err(|why| Error::Usage(format!("cannot edit `{}`: {why}", instance.root)))?;
    std::fs::write(root.join(&instance.root), listed).map_err(|e| io(&instance.root, e))?;
    git.run(&[
        "add",
        "--",
        &instance.kustomization,
        &instance.namespace_file,
        &instance.root,
    ])?;
    Ok(())
}

/// Deletes a preview instance and its entry in the preview overlay, and commits that; Flux then
/// prunes everything it had applied from it, namespace included.
pub(super) fn remove_instance(
    git: &Git,
    request: &Request,
    instance: &Instance,
    root: &Path,
) -> std::result::Result<(), Error> {
    git.run(&["rm", "-r", "-q", "--", &instance.dir])?;
    let listed = read_overlay(request, root, &instance.root)?;
    let listed = edit::remove_resource(&listed, &instance.slug)
        .map_err(|why| Error::Usage(format!("cannot edit `{}`: {why}", instance.root)))?;
    std::fs::write(root.join(&instance.root), listed)
        .map_err(|e| Error::io(format!("writing {}", instance.root), e))?;
    git.run(&["add", "--", &instance.root])?;
    commit(git, root, &removal_message(request, instance))
}

pub(super) fn removal_message(request: &Request, instance: &Instance) -> String {
    let audit = &request.audit;
    let mut msg = format!(
        "promote({}): remove the preview of {}\n\nDelete {} (namespace {}); Flux prunes what it applied.\n\n[skip ci]\n\nReason: {}\n",
        request.env, instance.branch, instance.dir, instance.namespace, audit.reason
    );
    if let Some(actor) = &audit.actor {
        msg.push_str(&format!("Actor: {actor}\n"));
    }
    if let Some(url) = &audit.pipeline_url {
        msg.push_str(&format!("Pipeline-Url: {url}\n"));
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_dns_labels_and_distinct() {
        let a = slug("feature/Login_Page");
        assert!(a.starts_with("feature-login-page-"), "{a}");
        assert_ne!(slug("feature/a_b"), slug("feature/a-b"));
        assert!(slug(&"x".repeat(200)).len() <= 47);
        assert!(slug("///").starts_with("b-"));
        for s in [a, slug("Ünïcode/β"), slug("-x-")] {
            assert!(crate::model::decode::check_dns_label(&s).is_ok(), "{s}");
        }
    }

    #[test]
    fn namespaces_fit_63_characters() {
        let i = Instance::new(
            GitopsTree::new("."),
            "preview",
            &"n".repeat(60),
            &"f".repeat(80),
        );
        assert!(i.namespace.len() <= 63, "{}", i.namespace);
        assert!(
            crate::model::decode::check_dns_label(&i.namespace).is_ok(),
            "{}",
            i.namespace
        );
        assert!(i.kustomization.ends_with("/kustomization.yaml"));
        assert!(i.dir.starts_with("applications/overlays/preview/f"));
        assert_eq!(i.root, "applications/overlays/preview/kustomization.yaml");
    }
}
