//! MODEL stage: the controllers the model's supporting tools need in the clusters, each a Helm
//! chart at a pinned version, installed once per cluster by the operator's infrastructure layer
//! (Flux: a HelmRelease; Argo CD: an Application; Fleet: a bundle).
//!
//! - `secrets.provider: sealed-secrets` (the default): the Sealed Secrets controller on every
//!   cluster, as `sealed-secrets-controller` in `kube-system`, the name and namespace `kubeseal`
//!   looks for by default.
//! - `secrets.provider: external-secrets`: the External Secrets Operator on every cluster, in
//!   `external-secrets` (its chart installs its CRDs).
//! - `policy.admission: kyverno`: Kyverno 3.9.0 (app 1.19.0) on every cluster, in `kyverno`;
//!   `gatekeeper`: OPA Gatekeeper 3.23.0 in `gatekeeper-system`. The default rules are applied
//!   after it ([`admission_layers`]).
//! - any `apps[].rollout`: Flagger in `flagger-system` on the clusters of the environments
//!   rolled out, with the first rollout's provider as its default mesh provider (each Canary
//!   names its own), and its bundled Prometheus when a rollout's provider brings none (nginx,
//!   the Gateway API, plain Kubernetes); with `load_test`, Flagger's load tester beside it.
//!
//! The versions are the charts' releases that match the CRD schemas `validate-gitops` checks
//! against: sealed-secrets chart 2.18.5 (controller 0.36.6), Flagger 1.44.0, load tester 0.38.0,
//! and the External Secrets Operator 2.9.0 (tests/fixtures/crds/ holds its schemas).

use crate::model::Config;
use crate::model::delivery::{Admission, SecretsProvider, TrafficProvider};

/// The tree folder of the admission policies (`infrastructure/admission`), applied on every
/// cluster once the admission controller runs.
pub(crate) const ADMISSION_DIR: &str = "infrastructure/admission";
/// Kyverno's ClusterPolicy in [`ADMISSION_DIR`].
pub(crate) const KYVERNO_FILE: &str = "kyverno-policies.yaml";
/// The default rules Gatekeeper enforces: the file (and template) name of each, its
/// constraint kind, and whether it only warns. GG006 is Git's alone (controllers create Secrets).
pub(crate) const GATEKEEPER_RULES: [(&str, &str, bool); 6] = [
    ("gg001", "GitopsGenPinnedImages", false),
    ("gg002", "GitopsGenRegistries", false),
    ("gg003", "GitopsGenResources", false),
    ("gg004", "GitopsGenPrivileged", false),
    ("gg005", "GitopsGenNotRoot", false),
    ("gg007", "GitopsGenLabels", true),
];

/// One folder of admission objects an operator applies on every cluster, after `after`
/// (the Flux object, the controller's or the layer before).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AdmissionLayer {
    /// The operator's object for it: `admission`, `admission-templates`.
    pub name: &'static str,
    /// The folder, relative to the tree root.
    pub dir: String,
    /// What it waits for (Flux's `dependsOn`).
    pub after: String,
    /// The files of the folder besides its kustomization.
    pub files: Vec<String>,
}

/// The admission layers of `config`, in the order they apply: Kyverno's ClusterPolicy; or
/// Gatekeeper's ConstraintTemplates, then the constraints their CRDs define.
pub(crate) fn admission_layers(config: &Config) -> Vec<AdmissionLayer> {
    match config.policy.admission {
        None => Vec::new(),
        Some(Admission::Kyverno) => vec![AdmissionLayer {
            name: "admission",
            dir: ADMISSION_DIR.to_owned(),
            after: format!("controller-{}", Admission::Kyverno.as_str()),
            files: vec![KYVERNO_FILE.to_owned()],
        }],
        Some(Admission::Gatekeeper) => {
            let files: Vec<String> = GATEKEEPER_RULES
                .iter()
                .map(|(rule, _, _)| format!("{rule}.yaml"))
                .collect();
            vec![
                AdmissionLayer {
                    name: "admission-templates",
                    dir: format!("{ADMISSION_DIR}/templates"),
                    after: format!("controller-{}", Admission::Gatekeeper.as_str()),
                    files: files.clone(),
                },
                AdmissionLayer {
                    name: "admission",
                    dir: format!("{ADMISSION_DIR}/constraints"),
                    after: "admission-templates".to_owned(),
                    files,
                },
            ]
        }
    }
}

/// The namespace Flagger and its load tester run in.
pub(crate) const FLAGGER_NAMESPACE: &str = "flagger-system";
/// The load tester's address from any namespace: its Service, port 80.
pub(crate) const LOAD_TESTER_URL: &str = "http://flagger-loadtester.flagger-system/";

/// One chart installed on some clusters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Controller {
    /// Its objects' and files' name: `sealed-secrets`, `flagger`, `flagger-loadtester`.
    pub name: &'static str,
    /// The `https://` chart repository.
    pub repository: &'static str,
    pub chart: &'static str,
    /// The exact chart version.
    pub version: &'static str,
    /// The Helm release name, which names its objects.
    pub release: &'static str,
    /// Where it runs.
    pub namespace: &'static str,
    /// Its values, `(dotted key, value)`, in a fixed order.
    pub values: Vec<(&'static str, HelmValue)>,
    /// The clusters that run it, in model order.
    pub clusters: Vec<String>,
}

/// A value of a controller's chart.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub(crate) enum HelmValue {
    Text(String),
    Flag(bool),
}

/// Every controller `config` needs, with the clusters that need it; none needs no cluster.
pub(crate) fn controllers(config: &Config) -> Vec<Controller> {
    let mut all = Vec::new();
    if config.secrets.provider == SecretsProvider::SealedSecrets {
        all.push(Controller {
            name: "sealed-secrets",
            repository: "https://bitnami-labs.github.io/sealed-secrets",
            chart: "sealed-secrets",
            version: "2.18.5",
            release: "sealed-secrets-controller",
            namespace: "kube-system",
            values: vec![(
                "fullnameOverride",
                HelmValue::Text("sealed-secrets-controller".to_owned()),
            )],
            clusters: clusters_where(config, |_| true),
        });
    }
    if config.secrets.provider == SecretsProvider::ExternalSecrets {
        all.push(Controller {
            name: "external-secrets",
            repository: "https://charts.external-secrets.io",
            chart: "external-secrets",
            version: "2.9.0",
            release: "external-secrets",
            namespace: "external-secrets",
            values: Vec::new(),
            clusters: clusters_where(config, |_| true),
        });
    }
    match config.policy.admission {
        Some(Admission::Kyverno) => all.push(Controller {
            // Named as `policy.admission` names it, which the operators look it up by.
            name: "kyverno",
            repository: "https://kyverno.github.io/kyverno/",
            chart: "kyverno",
            version: "3.9.0",
            release: "kyverno",
            namespace: "kyverno",
            values: Vec::new(),
            clusters: clusters_where(config, |_| true),
        }),
        Some(Admission::Gatekeeper) => all.push(Controller {
            name: "gatekeeper",
            repository: "https://open-policy-agent.github.io/gatekeeper/charts",
            chart: "gatekeeper",
            version: "3.23.0",
            release: "gatekeeper",
            namespace: "gatekeeper-system",
            values: Vec::new(),
            clusters: clusters_where(config, |_| true),
        }),
        None => {}
    }
    let rolled = |env: &str| config.apps.iter().any(|a| a.rollout_in(env).is_some());
    let rollouts: Vec<_> = config
        .apps
        .iter()
        .filter_map(|a| a.rollout.as_ref())
        .collect();
    let clusters = clusters_where(config, rolled);
    if let Some(first) = rollouts.first()
        && !clusters.is_empty()
    {
        let bundled = rollouts.iter().any(|r| bundles_prometheus(r.provider));
        let mut values = vec![(
            "meshProvider",
            HelmValue::Text(first.provider.flagger_name().to_owned()),
        )];
        if bundled {
            values.push(("prometheus.install", HelmValue::Flag(true)));
        } else {
            values.push((
                "metricsServer",
                HelmValue::Text(mesh_prometheus(first.provider).to_owned()),
            ));
        }
        all.push(Controller {
            name: "flagger",
            repository: "https://flagger.app",
            chart: "flagger",
            version: "1.44.0",
            release: "flagger",
            namespace: FLAGGER_NAMESPACE,
            values,
            clusters: clusters.clone(),
        });
        if rollouts.iter().any(|r| r.load_test) {
            all.push(Controller {
                name: "flagger-loadtester",
                repository: "https://flagger.app",
                chart: "loadtester",
                version: "0.38.0",
                release: "flagger-loadtester",
                namespace: FLAGGER_NAMESPACE,
                values: Vec::new(),
                clusters,
            });
        }
    }
    all
}

/// Whether Flagger needs its own Prometheus for `provider`: ingress-nginx, the Gateway API and
/// plain Kubernetes bring none; Istio and Linkerd have theirs.
pub(crate) fn bundles_prometheus(provider: TrafficProvider) -> bool {
    !matches!(provider, TrafficProvider::Istio | TrafficProvider::Linkerd)
}

/// The Prometheus a mesh installs, as Flagger's install guides address it.
pub(crate) fn mesh_prometheus(provider: TrafficProvider) -> &'static str {
    match provider {
        TrafficProvider::Linkerd => "http://prometheus.linkerd-viz:9090",
        _ => "http://prometheus.istio-system:9090",
    }
}

/// The clusters of the environments `wanted` picks, each once, in model order.
fn clusters_where(config: &Config, wanted: impl Fn(&str) -> bool) -> Vec<String> {
    let mut clusters: Vec<String> = Vec::new();
    for env in config.environments.iter().filter(|e| wanted(&e.name.value)) {
        for cluster in &env.clusters {
            if !clusters.contains(cluster) {
                clusters.push(cluster.clone());
            }
        }
    }
    clusters
}

/// The controllers `cluster` runs.
pub(crate) fn on_cluster<'a>(all: &'a [Controller], cluster: &str) -> Vec<&'a Controller> {
    all.iter()
        .filter(|c| c.clusters.iter().any(|x| x == cluster))
        .collect()
}
