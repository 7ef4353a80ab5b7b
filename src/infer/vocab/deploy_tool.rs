//! INFER stage: [`DeployTool`], the canonical name of what deploys a step (the `tool` of deploy
//! facts and of the analysis document). The command-line tools and what they run are in
//! [`super::deploy`]; the packaged steps that deploy with one are in [`super::actions`].

use crate::infer::spelled::spelled_enum;

spelled_enum! {
    /// A deploy tool, spelled as in docs/inference.md#vocabulary.
    pub(crate) enum DeployTool {
        Kubectl => "kubectl",
        /// OpenShift's CLI, which takes kubectl's options.
        Oc => "oc",
        Helm => "helm",
        Helmfile => "helmfile",
        /// A `kustomize build` (or `kubectl kustomize`) piped into a deploy's `-f -`.
        Kustomize => "kustomize",
        Skaffold => "skaffold",
        Kapp => "kapp",
        Argocd => "argocd",
        Flux => "flux",
        /// Jenkins X, whose `promote` and `preview` hand the deploy to Jenkins X itself.
        Jx => "jx",
        /// The Argo Rollouts plugin, run alone or as `kubectl argo rollouts`.
        KubectlArgoRollouts => "kubectl-argo-rollouts",
        /// Grafana Tanka, run as `tk`.
        Tanka => "tanka",
        Ko => "ko",
        /// A packaged deploy whose tool cannot be read offline: a remote reusable workflow
        /// whose name says it deploys.
        Unknown => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        crate::infer::spelled::check_spellings(DeployTool::ALL);
    }
}
