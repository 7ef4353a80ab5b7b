//! Promotion into per-branch preview environments: one directory per branch under the preview
//! overlay, each in its own namespace, listed in the overlay's `resources:` so Flux applies it,
//! and removed (Flux prunes it) when the branch goes away.

use crate::promote::edit::scalar;

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
    /// The instance of `branch` in the preview overlay directory `overlay_dir`, with namespaces
    /// named after `namespace_prefix`.
    pub(crate) fn new(overlay_dir: &str, namespace_prefix: &str, branch: &str) -> Instance {
        let slug = slug(branch);
        let dir = format!("{overlay_dir}/{slug}");
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
            root: format!("{overlay_dir}/kustomization.yaml"),
            kustomization: format!("{dir}/kustomization.yaml"),
            namespace_file: format!("{dir}/namespace.yaml"),
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
             resources:\n  - namespace.yaml\n  - ../../../base\n",
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
    let mut base = String::new();
    for c in branch.chars() {
        if c.is_ascii_alphanumeric() {
            base.push(c.to_ascii_lowercase());
        } else if !base.ends_with('-') {
            base.push('-');
        }
    }
    let base: String = base.trim_matches('-').chars().take(40).collect();
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
            "applications/overlays/preview",
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
    }
}
