//! MODEL stage: the supporting tools the model asks for beside the apps: how Secrets reach the
//! clusters (`secrets:`) and how an app's new version is rolled out (`apps[].rollout`, Flagger).
//! [`crate::model::controllers`] turns both into the controllers each cluster installs.

use clap::ValueEnum;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `secrets:`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Secrets {
    pub provider: SecretsProvider,
    /// With `external-secrets`: the backend each environment's SecretStore stub is for.
    pub store: Option<StoreBackend>,
    /// CI secrets the one-shot seal workflow carries into SealedSecrets, in model order.
    pub from_ci: Vec<FromCi>,
}

impl Default for Secrets {
    fn default() -> Self {
        Secrets {
            provider: SecretsProvider::SealedSecrets,
            store: None,
            from_ci: Vec::new(),
        }
    }
}

/// The SecretStore stub's file in an infrastructure overlay.
pub(crate) const SECRET_STORE_FILE: &str = "secret-store.yaml";
/// The folder of an infrastructure overlay that holds its ExternalSecrets.
pub(crate) const EXTERNAL_SECRETS_DIR: &str = "external-secrets";

/// The files the External Secrets Operator's objects take in the infrastructure overlay of
/// environment `env` (relative to it): the SecretStore stub, then an ExternalSecret per Secret
/// `from_ci` fills there; none without the operator or in a preview.
pub(crate) fn store_files(secrets: &Secrets, env: &str, preview: bool) -> Vec<String> {
    if secrets.provider != SecretsProvider::ExternalSecrets || preview {
        return Vec::new();
    }
    std::iter::once(SECRET_STORE_FILE.to_owned())
        .chain(
            from_ci_by_secret(&secrets.from_ci, env)
                .into_iter()
                .map(|(secret, _)| format!("{EXTERNAL_SECRETS_DIR}/{secret}.yaml")),
        )
        .collect()
}

/// `policy.admission`: the admission controller that enforces the default rules in the clusters.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ValueEnum)]
#[serde(rename_all = "kebab-case")]
#[schemars(
    description = "The admission controller that enforces the default policies in the clusters."
)]
pub(crate) enum Admission {
    /// Kyverno, with one ClusterPolicy of the default rules.
    Kyverno,
    /// OPA Gatekeeper, with a ConstraintTemplate (Rego) and a constraint per default rule.
    Gatekeeper,
}

impl Admission {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Admission::Kyverno => "kyverno",
            Admission::Gatekeeper => "gatekeeper",
        }
    }
}

/// `secrets.store`: the backend of the External Secrets Operator's SecretStore stubs.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ValueEnum)]
#[serde(rename_all = "kebab-case")]
#[schemars(description = "The secret store the External Secrets Operator reads.")]
pub(crate) enum StoreBackend {
    /// HashiCorp Vault (KV v2), with Kubernetes auth.
    Vault,
    /// AWS Secrets Manager, with the controller's IRSA service account.
    Aws,
    /// Google Secret Manager, with Workload Identity.
    Gcp,
    /// Azure Key Vault, with Workload Identity.
    Azure,
}

impl StoreBackend {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            StoreBackend::Vault => "vault",
            StoreBackend::Aws => "aws",
            StoreBackend::Gcp => "gcp",
            StoreBackend::Azure => "azure",
        }
    }
}

/// `secrets.from_ci[]`: one CI secret, and the key of the Secret it becomes in an environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FromCi {
    pub env: String,
    /// The Secret's name (a DNS label).
    pub secret: String,
    /// Its key.
    pub key: String,
    /// The CI secret or CI/CD variable (`[A-Za-z_][A-Za-z0-9_]*`).
    pub from: String,
}

/// The Secrets of `env` that `from_ci` fills, each with its `(key, CI name)` pairs, in model
/// order.
pub(crate) fn from_ci_by_secret<'a>(
    from_ci: &'a [FromCi],
    env: &str,
) -> Vec<(&'a str, Vec<(&'a str, &'a str)>)> {
    let mut out: Vec<(&str, Vec<(&str, &str)>)> = Vec::new();
    for item in from_ci.iter().filter(|i| i.env == env) {
        let pair = (item.key.as_str(), item.from.as_str());
        match out.iter_mut().find(|(s, _)| *s == item.secret) {
            Some((_, pairs)) => pairs.push(pair),
            None => out.push((&item.secret, vec![pair])),
        }
    }
    out
}

/// How Secrets reach the clusters without their values in Git.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ValueEnum)]
#[serde(rename_all = "kebab-case")]
#[schemars(description = "How Secrets reach the clusters without their values in Git.")]
pub(crate) enum SecretsProvider {
    /// Bitnami Sealed Secrets: the controller in every cluster decrypts SealedSecrets that
    /// `gitops-gen seal` encrypts with each environment's certificate.
    SealedSecrets,
    /// The External Secrets Operator: ExternalSecrets in Git name values kept in a secret
    /// store (Vault, AWS Secrets Manager, Google Secret Manager, Azure Key Vault), which the
    /// operator copies into Secrets.
    ExternalSecrets,
    /// No secrets controller: the clusters get their Secrets some other way.
    None,
}

impl SecretsProvider {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SecretsProvider::SealedSecrets => "sealed-secrets",
            SecretsProvider::ExternalSecrets => "external-secrets",
            SecretsProvider::None => "none",
        }
    }
}

/// `apps[].rollout`: Flagger rolls each new version out progressively in `environments`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Rollout {
    pub strategy: Strategy,
    /// What shifts the traffic; Flagger's `meshProvider`.
    pub provider: TrafficProvider,
    /// The environments rolled out this way; the others deploy at once.
    pub environments: Vec<String>,
    /// How often Flagger checks the metrics (`analysis.interval`), `<n>s` or `<n>m`.
    pub interval: String,
    /// Failed checks before a rollback (`analysis.threshold`).
    pub threshold: u32,
    /// Canary: the highest share of traffic the new version gets (`analysis.maxWeight`).
    pub max_weight: u32,
    /// Canary: how much more traffic each passed check gives it (`analysis.stepWeight`).
    pub step_weight: u32,
    /// Blue-green and A/B: how many passed checks promote it (`analysis.iterations`).
    pub iterations: u32,
    /// How long the new version may take to become ready before a rollback.
    pub progress_deadline_seconds: u32,
    /// The checks, each a metric of Flagger's built-ins with its bound.
    pub metrics: Vec<Metric>,
    /// Send generated traffic to the new version during the analysis (Flagger's load tester).
    pub load_test: bool,
    /// A/B: the request header (`name`, exact `value`) that routes a request to the new version.
    pub header: (String, String),
    /// Gateway API: the Gateway whose HTTPRoute Flagger manages (`namespace`, `name`).
    pub gateway: Option<(String, String)>,
}

/// `rollout.strategy`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ValueEnum)]
#[serde(rename_all = "kebab-case")]
#[schemars(description = "How the new version gets traffic.")]
pub(crate) enum Strategy {
    /// A growing share of the traffic, `step_weight` more after each passed check.
    Canary,
    /// All the traffic at once after `iterations` passed checks on the idle copy.
    BlueGreen,
    /// The requests with `header`, for `iterations` checks, then all.
    Ab,
}

impl Strategy {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Strategy::Canary => "canary",
            Strategy::BlueGreen => "blue-green",
            Strategy::Ab => "ab",
        }
    }
}

/// `rollout.provider`: the ingress or mesh that shifts the traffic.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ValueEnum)]
#[serde(rename_all = "kebab-case")]
#[schemars(description = "The ingress controller or service mesh Flagger shifts traffic with.")]
pub(crate) enum TrafficProvider {
    /// ingress-nginx: Flagger adds a canary Ingress beside the app's Ingress.
    Nginx,
    Istio,
    Linkerd,
    /// The Gateway API: Flagger manages an HTTPRoute on `rollout.gateway`.
    GatewayApi,
    /// No traffic shifting: blue-green only, the Service switches at once.
    Kubernetes,
}

impl TrafficProvider {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            TrafficProvider::Nginx => "nginx",
            TrafficProvider::Istio => "istio",
            TrafficProvider::Linkerd => "linkerd",
            TrafficProvider::GatewayApi => "gateway-api",
            TrafficProvider::Kubernetes => "kubernetes",
        }
    }

    /// How Flagger spells it, in a Canary's `provider` and the controller's `meshProvider`.
    pub(crate) fn flagger_name(self) -> &'static str {
        match self {
            TrafficProvider::GatewayApi => "gatewayapi:v1",
            other => other.as_str(),
        }
    }

    /// The strategies Flagger supports with this provider.
    pub(crate) fn supports(self, strategy: Strategy) -> bool {
        match self {
            TrafficProvider::Kubernetes => strategy == Strategy::BlueGreen,
            TrafficProvider::Linkerd => strategy != Strategy::Ab,
            _ => true,
        }
    }
}

/// One check of the analysis: a Flagger built-in metric and its bound.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Metric {
    pub name: BuiltinMetric,
    /// The bound: at least this success rate (%), at most this duration (ms).
    pub bound: u32,
    /// The window the metric is measured over, `<n>s` or `<n>m`.
    pub interval: String,
}

/// The metrics Flagger measures without a MetricTemplate.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ValueEnum)]
#[serde(rename_all = "kebab-case")]
#[schemars(description = "A metric Flagger measures itself.")]
pub(crate) enum BuiltinMetric {
    /// The share of requests not answered with a 5xx, in percent; `min` bounds it.
    RequestSuccessRate,
    /// The 99th percentile of request durations, in milliseconds; `max` bounds it.
    RequestDuration,
}

impl BuiltinMetric {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            BuiltinMetric::RequestSuccessRate => "request-success-rate",
            BuiltinMetric::RequestDuration => "request-duration",
        }
    }

    /// The key that bounds it in the model and in Flagger's `thresholdRange`.
    pub(crate) fn bound_key(self) -> &'static str {
        match self {
            BuiltinMetric::RequestSuccessRate => "min",
            BuiltinMetric::RequestDuration => "max",
        }
    }
}

/// The design's example analysis, and Flagger's documented defaults for the rest.
pub(crate) mod defaults {
    pub(crate) const INTERVAL: &str = "30s";
    pub(crate) const THRESHOLD: u32 = 5;
    pub(crate) const MAX_WEIGHT: u32 = 50;
    pub(crate) const STEP_WEIGHT: u32 = 10;
    pub(crate) const ITERATIONS: u32 = 10;
    pub(crate) const PROGRESS_DEADLINE_SECONDS: u32 = 60;
    pub(crate) const SUCCESS_RATE: u32 = 99;
    pub(crate) const DURATION_MS: u32 = 500;
    pub(crate) const METRIC_INTERVAL: &str = "1m";
    pub(crate) const HEADER: (&str, &str) = ("x-canary", "insider");
}
