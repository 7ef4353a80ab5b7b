//! SCAN stage: objects that belong to a GitOps operator already in use: Flux toolkit kinds,
//! Argo CD applications and projects, Fleet kinds and `fleet.yaml` bundle files.

use serde::Serialize;

/// A GitOps operator.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Operator {
    /// Flux (`*.toolkit.fluxcd.io`).
    Flux,
    /// Argo CD (`argoproj.io` `Application`, `ApplicationSet`, `AppProject`).
    Argocd,
    /// Rancher Fleet (`fleet.cattle.io`, `fleet.yaml`).
    Fleet,
}

/// An object (or file) of a GitOps operator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct OperatorObject {
    /// Repository-relative path.
    pub file: String,
    /// 1-based line where the document starts (1 for a `fleet.yaml` file).
    pub line: usize,
    pub operator: Operator,
    /// `apiVersion`; `None` for a `fleet.yaml` file, which has none.
    pub api_version: Option<String>,
    /// `kind`; `fleet.yaml` for a Fleet bundle file.
    pub kind: String,
    /// `metadata.name`.
    pub name: Option<String>,
}

/// The kind recorded for a Fleet `fleet.yaml` bundle file.
pub(crate) const FLEET_YAML_KIND: &str = "fleet.yaml";

/// The operator an object of `api_version`/`kind` belongs to, if any.
pub(super) fn operator_of(api_version: &str, kind: &str) -> Option<Operator> {
    let group = api_version.split_once('/').map_or("", |(g, _)| g);
    if group.ends_with(".toolkit.fluxcd.io") {
        Some(Operator::Flux)
    } else if group == "argoproj.io"
        && matches!(kind, "Application" | "ApplicationSet" | "AppProject")
    {
        // Argo Rollouts and Workflows share the group but are not Argo CD.
        Some(Operator::Argocd)
    } else if group == "fleet.cattle.io" {
        Some(Operator::Fleet)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups() {
        assert_eq!(
            operator_of("kustomize.toolkit.fluxcd.io/v1", "Kustomization"),
            Some(Operator::Flux)
        );
        assert_eq!(
            operator_of("helm.toolkit.fluxcd.io/v2", "HelmRelease"),
            Some(Operator::Flux)
        );
        assert_eq!(
            operator_of("argoproj.io/v1alpha1", "ApplicationSet"),
            Some(Operator::Argocd)
        );
        assert_eq!(operator_of("argoproj.io/v1alpha1", "Rollout"), None);
        assert_eq!(
            operator_of("fleet.cattle.io/v1alpha1", "GitRepo"),
            Some(Operator::Fleet)
        );
        assert_eq!(
            operator_of("kustomize.config.k8s.io/v1beta1", "Kustomization"),
            None
        );
        assert_eq!(operator_of("v1", "ConfigMap"), None);
    }
}
