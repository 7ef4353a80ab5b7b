//! Drafts of `secrets:` and `apps[].rollout` ([`crate::model::delivery`]).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::delivery::{
    BuiltinMetric, SecretsProvider, StoreBackend, Strategy, TrafficProvider,
};
#[cfg(test)]
use crate::model::delivery::{Metric, Rollout};

/// `secrets:`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Secrets")]
pub(crate) struct SecretsDraft {
    /// How Secrets reach the clusters: `sealed-secrets` installs the Sealed Secrets controller on every cluster (`gitops-gen seal` encrypts for it); `none` installs nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "SecretsProvider", extend("default" = "sealed-secrets"))]
    pub provider: Option<SecretsProvider>,
    /// With `external-secrets`: the secret store each environment's SecretStore stub is for (required there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "StoreBackend")]
    pub store: Option<StoreBackend>,
    /// The cluster Secrets that CI secrets fill today. Sealed Secrets: a one-shot, manually started `gitops-seal-secrets` workflow (GitHub) or job (GitLab) seals them into `infrastructure/overlays/<env>/secrets/<secret>.yaml` and proposes a pull/merge request; remove them once merged. External Secrets: an ExternalSecret per Secret reads each key from the store under the CI secret's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_ci: Option<Vec<FromCiDraft>>,
}

/// `secrets.from_ci[]`: a CI secret and the Secret key it becomes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "FromCi")]
pub(crate) struct FromCiDraft {
    /// The environment (not a preview) whose controller unseals it.
    pub env: String,
    /// The Secret's name.
    #[schemars(regex(pattern = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"))]
    pub secret: String,
    /// The Secret's key.
    #[schemars(regex(pattern = r"^[-._a-zA-Z0-9]+$"))]
    pub key: String,
    /// The CI secret (GitHub) or CI/CD variable (GitLab) that holds the value.
    #[schemars(regex(pattern = r"^[A-Za-z_][A-Za-z0-9_]*$"))]
    pub from: String,
}

/// `apps[].rollout`: Flagger rolls each new image out progressively and rolls it back when the checks fail.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Rollout")]
pub(crate) struct RolloutDraft {
    /// `canary` (a growing share of traffic), `blue-green` (all at once after the checks) or `ab` (requests with `header`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Strategy", extend("default" = "canary"))]
    pub strategy: Option<Strategy>,
    /// The ingress controller or mesh that shifts the traffic; `kubernetes` (no shifting) rolls out blue-green only.
    #[schemars(with = "TrafficProvider")]
    pub provider: Option<TrafficProvider>,
    /// Environments rolled out this way. Default: every environment that is not a preview.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environments: Option<Vec<String>>,
    /// How often Flagger checks the metrics, `<n>s` or `<n>m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String", regex(pattern = r"^[0-9]{1,6}[sm]$"), extend("default" = "30s"))]
    pub interval: Option<String>,
    /// Failed checks before the rollback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 1000), extend("default" = 5))]
    pub threshold: Option<u32>,
    /// Canary: the largest share of traffic (%) the new version gets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100), extend("default" = 50))]
    pub max_weight: Option<u32>,
    /// Canary: the share (%) added after each passed check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100), extend("default" = 10))]
    pub step_weight: Option<u32>,
    /// Blue-green and A/B: passed checks before the new version gets all the traffic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 1000), extend("default" = 10))]
    pub iterations: Option<u32>,
    /// Seconds the new version may take to become ready before the rollback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 86400), extend("default" = 60))]
    pub progress_deadline_seconds: Option<u32>,
    /// The checks. Default: request-success-rate at least 99 and request-duration at most 500 (ms), each over 1m.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Vec<MetricDraft>>,
    /// Send traffic to the new version during the checks with Flagger's load tester.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = true))]
    pub load_test: Option<bool>,
    /// A/B: the request header that reaches the new version. Default: `x-canary: insider`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<HeaderDraft>,
    /// Gateway API: the Gateway the app's HTTPRoute attaches to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<GatewayDraft>,
}

/// One check: a metric Flagger measures itself and its bound.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Metric")]
pub(crate) struct MetricDraft {
    #[schemars(with = "BuiltinMetric")]
    pub name: Option<BuiltinMetric>,
    /// request-success-rate: the lowest share (%) of requests answered without a 5xx.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100))]
    pub min: Option<u32>,
    /// request-duration: the highest 99th percentile, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub max: Option<u32>,
    /// The window it is measured over, `<n>s` or `<n>m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String", regex(pattern = r"^[0-9]{1,6}[sm]$"), extend("default" = "1m"))]
    pub interval: Option<String>,
}

/// `rollout.header`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Header")]
pub(crate) struct HeaderDraft {
    pub name: String,
    /// The exact value.
    pub value: String,
}

/// `rollout.gateway`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Gateway")]
pub(crate) struct GatewayDraft {
    pub name: String,
    pub namespace: String,
}

/// `secrets` written out in full.
#[cfg(test)]
pub(crate) fn secrets_draft(secrets: &crate::model::delivery::Secrets) -> SecretsDraft {
    SecretsDraft {
        provider: Some(secrets.provider),
        store: secrets.store,
        from_ci: (!secrets.from_ci.is_empty()).then(|| {
            secrets
                .from_ci
                .iter()
                .map(|f| FromCiDraft {
                    env: f.env.clone(),
                    secret: f.secret.clone(),
                    key: f.key.clone(),
                    from: f.from.clone(),
                })
                .collect()
        }),
    }
}

/// `rollout` written out in full.
#[cfg(test)]
pub(crate) fn rollout_draft(rollout: &Rollout) -> RolloutDraft {
    let canary = rollout.strategy == Strategy::Canary;
    RolloutDraft {
        strategy: Some(rollout.strategy),
        provider: Some(rollout.provider),
        environments: Some(rollout.environments.clone()),
        interval: Some(rollout.interval.clone()),
        threshold: Some(rollout.threshold),
        max_weight: canary.then_some(rollout.max_weight),
        step_weight: canary.then_some(rollout.step_weight),
        iterations: (!canary).then_some(rollout.iterations),
        progress_deadline_seconds: Some(rollout.progress_deadline_seconds),
        metrics: Some(rollout.metrics.iter().map(metric_draft).collect()),
        load_test: Some(rollout.load_test),
        header: (rollout.strategy == Strategy::Ab).then(|| HeaderDraft {
            name: rollout.header.0.clone(),
            value: rollout.header.1.clone(),
        }),
        gateway: rollout
            .gateway
            .as_ref()
            .map(|(namespace, name)| GatewayDraft {
                name: name.clone(),
                namespace: namespace.clone(),
            }),
    }
}

#[cfg(test)]
fn metric_draft(metric: &Metric) -> MetricDraft {
    let success = metric.name == BuiltinMetric::RequestSuccessRate;
    MetricDraft {
        name: Some(metric.name),
        min: success.then_some(metric.bound),
        max: (!success).then_some(metric.bound),
        interval: Some(metric.interval.clone()),
    }
}
