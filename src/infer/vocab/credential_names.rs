//! Credential kinds suggested by the names of variables, secrets and credential ids
//! (`KUBE_CONFIG_DATA` is a kubeconfig, `ARGOCD_AUTH_TOKEN` an Argo CD token, `KUBE_NAMESPACE`
//! no secret at all).

use super::credential_kind::CredentialKind;

/// Name parts that mean "this is about a cluster".
const KUBE_PARTS: &[&str] = &[
    "kube",
    "kubeconfig",
    "kubectl",
    "k8s",
    "cluster",
    "eks",
    "gke",
    "aks",
    "argocd",
    "openshift",
    "ocp",
];
/// Name parts that name a managed Kubernetes service, with the credential kind they suggest.
const CLOUD_PARTS: &[(&str, CredentialKind)] = &[
    ("eks", CredentialKind::CloudAws),
    ("gke", CredentialKind::CloudGcp),
    ("aks", CredentialKind::CloudAzure),
];

/// Name parts that mean "this is not a secret" (`KUBE_NAMESPACE`, `CLUSTER_NAME`).
const NOT_SECRET_PARTS: &[&str] = &[
    "name",
    "namespace",
    "ns",
    "region",
    "zone",
    "location",
    "project",
    "group",
    "rg",
    "url",
    "server",
    "host",
    "endpoint",
    "context",
    "version",
    "id",
    "ingress",
    "domain",
    "image",
    "tag",
    "port",
    "replicas",
    "timeout",
];

/// The credential kind a variable, secret or credential id suggests by its name.
/// `known_secret`: the name is known to be a secret (`secrets.X`, a Jenkins credential id), so
/// any cluster-ish name counts; otherwise it needs a secret-ish word too.
pub(crate) fn credential_kind_for_name(name: &str, known_secret: bool) -> Option<CredentialKind> {
    let name = name.strip_prefix("secrets.").unwrap_or(name);
    let lower = name.to_ascii_lowercase();
    // GitLab Auto DevOps passes K8S_SECRET_* to the application: app secrets, not cluster ones.
    if lower.starts_with("k8s_secret_") {
        return None;
    }
    let parts: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .collect();
    let kube = parts
        .iter()
        .any(|p| KUBE_PARTS.iter().any(|k| p.starts_with(k)));
    if !kube || parts.iter().any(|p| NOT_SECRET_PARTS.contains(p)) {
        return None;
    }
    // Short words must match a whole part (`ca`, not `cache`).
    let has = |words: &[&str]| {
        parts.iter().any(|p| {
            words
                .iter()
                .any(|w| *p == *w || (w.len() >= 4 && p.contains(w)))
        })
    };
    // `ARGOCD` alone may be the server's address; a token says so, or is a secret.
    let secret_words = [
        "token", "bearer", "jwt", "auth", "password", "pass", "key", "secret", "cred",
    ];
    if has(&["argocd"]) && (known_secret || has(&secret_words)) {
        return Some(CredentialKind::ArgocdToken);
    }
    if has(&["token", "bearer", "jwt"]) {
        return Some(CredentialKind::KubeToken);
    }
    // Which cloud's cluster, when the name says; a plain kubeconfig otherwise.
    let cloud = || {
        CLOUD_PARTS
            .iter()
            .find(|(part, _)| has(&[*part]))
            .map_or(CredentialKind::Kubeconfig, |(_, kind)| *kind)
    };
    if has(&[
        "config", "cert", "crt", "key", "pem", "ca", "data", "b64", "base64", "cred", "secret",
        "password", "pass", "auth",
    ]) {
        return Some(if has(&["kube", "k8s", "cluster", "config"]) {
            CredentialKind::Kubeconfig
        } else {
            cloud()
        });
    }
    if known_secret {
        return Some(if has(&["openshift", "ocp"]) {
            CredentialKind::OpenshiftLogin
        } else {
            cloud()
        });
    }
    None
}

/// Name fragments of long-lived cloud keys, with the cloud they open: an AWS access key, an
/// Azure service principal's secret, a Google Cloud service-account key.
const CLOUD_KEY_PARTS: &[(&str, CredentialKind)] = &[
    ("aws_access_key", CredentialKind::CloudAws),
    ("aws_secret_access_key", CredentialKind::CloudAws),
    ("aws_secret_key", CredentialKind::CloudAws),
    ("azure_credentials", CredentialKind::CloudAzure),
    ("azure_client_secret", CredentialKind::CloudAzure),
    ("arm_client_secret", CredentialKind::CloudAzure),
    ("gcp_sa_key", CredentialKind::CloudGcp),
    ("gcp_service_account_key", CredentialKind::CloudGcp),
    ("gcp_credentials", CredentialKind::CloudGcp),
    ("gcloud_service_key", CredentialKind::CloudGcp),
    ("google_credentials", CredentialKind::CloudGcp),
    ("google_application_credentials", CredentialKind::CloudGcp),
];

/// The cloud a variable, secret or step input named like a long-lived cloud key opens
/// (`AWS_ACCESS_KEY_ID`, `secrets.PROD_AWS_SECRET_ACCESS_KEY`, `aws-access-key-id`,
/// `AZURE_CREDENTIALS`, `GCP_SA_KEY`). Such a key reaches a cluster only when the job deploys,
/// so callers keep it only for deploying jobs.
pub(crate) fn cloud_key_kind(name: &str) -> Option<CredentialKind> {
    let name = name.strip_prefix("secrets.").unwrap_or(name);
    let lower = name.to_ascii_lowercase().replace('-', "_");
    CLOUD_KEY_PARTS
        .iter()
        .find(|(part, _)| lower.contains(part))
        .map(|(_, kind)| *kind)
}

/// Variables GitLab's Kubernetes integration (a certificate-based cluster, or the agent's
/// `KUBECONFIG`) provides to a job: a pipeline that uses one without setting it holds the
/// cluster's credentials through GitLab.
pub(crate) const GITLAB_CLUSTER_VARIABLES: &[&str] =
    &["KUBECONFIG", "KUBE_NAMESPACE", "KUBE_CONTEXT"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloud_keys() {
        let aws = Some(CredentialKind::CloudAws);
        assert_eq!(cloud_key_kind("AWS_ACCESS_KEY_ID"), aws);
        assert_eq!(cloud_key_kind("secrets.PROD_AWS_SECRET_ACCESS_KEY"), aws);
        assert_eq!(cloud_key_kind("aws-access-key-id"), aws);
        assert_eq!(
            cloud_key_kind("AZURE_CREDENTIALS"),
            Some(CredentialKind::CloudAzure)
        );
        assert_eq!(
            cloud_key_kind("secrets.GCP_SA_KEY"),
            Some(CredentialKind::CloudGcp)
        );
        assert_eq!(cloud_key_kind("AWS_REGION"), None);
        assert_eq!(cloud_key_kind("AWS_ROLE_ARN"), None);
    }

    #[test]
    fn credential_names() {
        assert_eq!(
            credential_kind_for_name("KUBECONFIG", false),
            Some(CredentialKind::Kubeconfig)
        );
        assert_eq!(
            credential_kind_for_name("KUBE_CONFIG_DATA", false),
            Some(CredentialKind::Kubeconfig)
        );
        assert_eq!(
            credential_kind_for_name("K8S_TOKEN", false),
            Some(CredentialKind::KubeToken)
        );
        assert_eq!(
            credential_kind_for_name("ARGOCD_AUTH_TOKEN", false),
            Some(CredentialKind::ArgocdToken)
        );
        assert_eq!(
            credential_kind_for_name("CLUSTER_CA_CERT", false),
            Some(CredentialKind::Kubeconfig)
        );
        assert_eq!(
            credential_kind_for_name("secrets.GKE_SA", true),
            Some(CredentialKind::CloudGcp)
        );
        assert_eq!(credential_kind_for_name("KUBE_NAMESPACE", false), None);
        assert_eq!(credential_kind_for_name("ARGOCD", false), None);
        assert_eq!(
            credential_kind_for_name("secrets.ARGOCD", true),
            Some(CredentialKind::ArgocdToken)
        );
        assert_eq!(credential_kind_for_name("CLUSTER_NAME", true), None);
        assert_eq!(
            credential_kind_for_name("K8S_SECRET_DB_PASSWORD", false),
            None
        );
        assert_eq!(credential_kind_for_name("GEEKS_TOKEN", false), None);
        assert_eq!(credential_kind_for_name("NPM_TOKEN", false), None);
        assert_eq!(credential_kind_for_name("KUBE_CLUSTER", false), None);
    }
}
