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
//!   the default rules as a ClusterPolicy are applied after it ([`ADMISSION_DIR`]).
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
/// The admission policies' file in [`ADMISSION_DIR`].
pub(crate) const ADMISSION_FILE: &str = "kyverno-policies.yaml";
/// The controller the admission policies need first.
pub(crate) const ADMISSION_CONTROLLER: &str = "kyverno";

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
    if config.policy.admission == Some(Admission::Kyverno) {
        all.push(Controller {
            name: "kyverno",
            repository: "https://kyverno.github.io/kyverno/",
            chart: "kyverno",
            version: "3.9.0",
            release: "kyverno",
            namespace: "kyverno",
            values: Vec::new(),
            clusters: clusters_where(config, |_| true),
        });
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
