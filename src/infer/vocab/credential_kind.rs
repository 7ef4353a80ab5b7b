//! INFER stage: [`CredentialKind`], what kind of cluster credential CI holds (the `kind` of
//! credential facts and of the analysis document). Commands that use credentials are in
//! [`super::credentials`], names that suggest them in [`super::credential_names`], and packaged
//! steps that take them in [`super::actions`].

use crate::infer::spelled::spelled_enum;

spelled_enum! {
    /// A credential kind, spelled as in docs/inference.md#credential-kinds.
    pub(crate) enum CredentialKind {
        /// A kubeconfig file, its data, or a client certificate or key.
        Kubeconfig => "kubeconfig",
        /// A bearer token for the API server.
        KubeToken => "kube-token",
        /// AWS credentials that reach an EKS cluster.
        CloudAws => "cloud-aws",
        /// Google Cloud credentials that reach a GKE cluster.
        CloudGcp => "cloud-gcp",
        /// Azure credentials that reach an AKS cluster.
        CloudAzure => "cloud-azure",
        /// An OpenShift login (`oc login`, its token).
        OpenshiftLogin => "openshift-login",
        /// An Argo CD API token.
        ArgocdToken => "argocd-token",
        /// A Jenkins credential id, whatever it holds.
        JenkinsCredential => "jenkins-credential",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        crate::infer::spelled::check_spellings(CredentialKind::ALL);
    }
}
