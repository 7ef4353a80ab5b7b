//! SCAN stage: Kubernetes manifests: YAML files whose documents carry `apiVersion` and `kind`.

use std::sync::Arc;

use serde::Serialize;

/// One object of a manifest file. A repository spells few `apiVersion`s and kinds, so the scan
/// shares one copy of each.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct ManifestDocument {
    /// `apiVersion`.
    pub api_version: Arc<str>,
    pub kind: Arc<str>,
    /// `metadata.name`.
    pub name: Option<String>,
    /// `metadata.namespace`.
    pub namespace: Option<String>,
    /// 1-based line where the document's content starts.
    pub line: usize,
}

/// A YAML file holding at least one Kubernetes-style object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Manifest {
    /// Repository-relative path.
    pub file: String,
    /// Its objects, in file order (documents without `apiVersion` and `kind` are left out).
    pub documents: Vec<ManifestDocument>,
    /// Whether the file carries SOPS metadata, i.e. its values are encrypted.
    pub sops_encrypted: bool,
}

/// Whether an object is a tool's configuration file rather than something applied to a
/// cluster: kustomize's `Kustomization`/`Component` and skaffold's `Config`.
pub(super) fn is_tool_config(api_version: &str) -> bool {
    api_version.starts_with("kustomize.config.k8s.io/") || is_skaffold(api_version)
}

/// Whether `apiVersion` is skaffold's (`skaffold/v4beta11`).
pub(super) fn is_skaffold(api_version: &str) -> bool {
    api_version.starts_with("skaffold/")
}

/// A cheap check before parsing: only text mentioning both keys can hold an object.
pub(super) fn may_hold_objects(text: &str) -> bool {
    text.contains("apiVersion") && text.contains("kind")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_configs_and_prefilter() {
        assert!(is_tool_config("kustomize.config.k8s.io/v1beta1"));
        assert!(is_tool_config("skaffold/v4beta6"));
        assert!(!is_tool_config("apps/v1"));
        assert!(may_hold_objects("apiVersion: v1\nkind: ConfigMap\n"));
        assert!(!may_hold_objects("image: nginx\n"));
    }
}
