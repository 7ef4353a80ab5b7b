//! `secrets:` and `apps[].rollout`: the secrets controller and Flagger's progressive delivery.

use clap::ValueEnum;

use crate::model::decode::{Decoder, ROLLOUT_KEYS, SECRETS_KEYS, is_secret_key, is_secret_name};
use crate::model::delivery::{
    BuiltinMetric, FromCi, Metric, Rollout, Secrets, SecretsProvider, StoreBackend, Strategy,
    TrafficProvider, defaults,
};
use crate::model::types::{Deploy, Environment, Gitops, Spanned};
use crate::yaml::{Mapping, Node};

/// Keys of an item of `secrets.from_ci`.
const FROM_CI_KEYS: &[&str] = &["env", "secret", "key", "from"];
/// Keys of an item of `rollout.metrics`.
const METRIC_KEYS: &[&str] = &["name", "min", "max", "interval"];
/// Keys of `rollout.header` and `rollout.gateway`.
const HEADER_KEYS: &[&str] = &["name", "value"];
const GATEWAY_KEYS: &[&str] = &["name", "namespace"];

impl Decoder<'_> {
    pub(super) fn secrets(
        &mut self,
        node: &Node,
        environments: &[Environment],
        gitops: &Gitops,
    ) -> Secrets {
        let mut secrets = Secrets::default();
        let Some(map) = self.map(node, "`secrets`") else {
            return secrets;
        };
        self.known_keys(map, SECRETS_KEYS, "`secrets`");
        if let Some(n) = map.get("provider") {
            let variants = SecretsProvider::value_variants();
            if let Some(p) =
                self.enum_value(n, "`secrets.provider`", variants, SecretsProvider::as_str)
            {
                secrets.provider = p;
            }
        }
        let external = secrets.provider == SecretsProvider::ExternalSecrets;
        match map.get("store") {
            Some(n) if external => {
                let variants = StoreBackend::value_variants();
                secrets.store =
                    self.enum_value(n, "`secrets.store`", variants, StoreBackend::as_str);
            }
            Some(n) => self.problem(
                n.span,
                "`secrets.store` is the External Secrets Operator's; `secrets.provider` is not \
                 `external-secrets`"
                    .to_owned(),
                "not used",
            ),
            None if external => self.problem_help(
                node.span,
                "`secrets.provider: external-secrets` needs `store`".to_owned(),
                "which secret store?",
                "`store: vault`, `aws`, `gcp` or `azure`: each environment gets a SecretStore \
                 stub for it to fill in"
                    .to_owned(),
            ),
            None => {}
        }
        let Some(node) = map.get("from_ci") else {
            return secrets;
        };
        let why_not = if secrets.provider == SecretsProvider::None {
            Some("needs a secrets controller, and `secrets.provider` is `none`")
        } else if gitops.is_separate() && !external {
            Some(
                "writes the SealedSecrets into this repository's tree, and the tree lives in \
                 `gitops.repository`; seal them there with `gitops-gen seal --from-env`",
            )
        } else {
            None
        };
        if let Some(why) = why_not {
            self.problem(node.span, format!("`secrets.from_ci` {why}"), "not here");
            return secrets;
        }
        let Some(items) = node.as_seq() else {
            self.problem(
                node.span,
                "`secrets.from_ci` must be a list".to_owned(),
                "expected a list",
            );
            return secrets;
        };
        for item in items {
            if let Some(from) = self.ci_secret(item, environments) {
                let twice = secrets
                    .from_ci
                    .iter()
                    .any(|f| (&f.env, &f.secret, &f.key) == (&from.env, &from.secret, &from.key));
                if twice {
                    self.problem(
                        item.span,
                        format!(
                            "key `{}` of Secret `{}` in `{}` is filled twice",
                            from.key, from.secret, from.env
                        ),
                        "second time",
                    );
                    continue;
                }
                secrets.from_ci.push(from);
            }
        }
        secrets
    }

    /// One `secrets.from_ci` item: `{env, secret, key, from}`.
    fn ci_secret(&mut self, node: &Node, environments: &[Environment]) -> Option<FromCi> {
        let what = "`secrets.from_ci` item";
        let map = self.map(node, what)?;
        self.known_keys(map, FROM_CI_KEYS, what);
        let env = self.required_string(map, node.span, "env", "the environment")?;
        match environments.iter().find(|e| e.name.value == env.value) {
            None => {
                self.problem(
                    env.span,
                    format!("`{}` is not an environment", env.value),
                    "unknown environment",
                );
                return None;
            }
            Some(e) if e.preview => {
                self.problem(
                    env.span,
                    format!(
                        "`{}` is a preview environment: each branch gets its own namespace",
                        env.value
                    ),
                    "a preview",
                );
                return None;
            }
            Some(_) => {}
        }
        let secret = self.required_string(map, node.span, "secret", "the Secret's name")?;
        self.dns_label(&secret, "Secret name");
        let key = self.required_string(map, node.span, "key", "the Secret's key")?;
        let key_ok = is_secret_key(&key.value);
        if !key_ok {
            self.problem(
                key.span,
                format!(
                    "`{}` is not a Secret key: letters, digits, `-`, `_` and `.` only",
                    key.value
                ),
                "not a Secret key",
            );
        }
        let from = self.required_string(map, node.span, "from", "the CI secret")?;
        let from_ok = is_secret_name(&from.value);
        if !from_ok {
            self.problem_help(
                from.span,
                format!("`{}` is not a CI secret name", from.value),
                "not a secret name",
                "letters, digits and `_`, not starting with a digit or `GITHUB_`, as GitHub \
                 and GitLab name secrets and variables"
                    .to_owned(),
            );
        }
        (key_ok && from_ok).then_some(FromCi {
            env: env.value,
            secret: secret.value,
            key: key.value,
            from: from.value,
        })
    }

    /// `rollout:` of the app `app`, deployed as `deploy`, among `environments`.
    pub(super) fn rollout(
        &mut self,
        node: &Node,
        app: &Spanned<String>,
        deploy: &Deploy,
        environments: &[Environment],
    ) -> Option<Rollout> {
        let map = self.map(node, "`rollout`")?;
        self.known_keys(map, ROLLOUT_KEYS, "`rollout`");
        if matches!(deploy, Deploy::Helm(_)) {
            self.problem_help(
                node.span,
                format!("app `{}`: `rollout` needs the app's Deployment", app.value),
                "a Helm app",
                "Flagger's Canary names the Deployment it rolls out, and a chart names its \
                 Deployment itself; set the chart's own Canary (many charts have one) instead"
                    .to_owned(),
            );
            return None;
        }
        let provider = match map.get("provider") {
            Some(n) => self.enum_value(
                n,
                "`rollout.provider`",
                TrafficProvider::value_variants(),
                TrafficProvider::as_str,
            )?,
            None => {
                self.problem_help(
                    node.span,
                    "`rollout` needs `provider`".to_owned(),
                    "what shifts the traffic?",
                    "name the ingress controller or mesh the app's traffic goes through: \
                     `nginx`, `istio`, `linkerd`, `gateway-api`, or `kubernetes` for blue-green \
                     without one"
                        .to_owned(),
                );
                return None;
            }
        };
        let strategy = match map.get("strategy") {
            None => Strategy::Canary,
            Some(n) => {
                let s = self.enum_value(
                    n,
                    "`rollout.strategy`",
                    Strategy::value_variants(),
                    Strategy::as_str,
                )?;
                if !provider.supports(s) {
                    self.problem_help(
                        n.span,
                        format!(
                            "Flagger has no `{}` rollout with `{}`",
                            s.as_str(),
                            provider.as_str()
                        ),
                        "unsupported by the provider",
                        "`kubernetes` rolls out blue-green only, and `linkerd` cannot route by \
                         header; see docs/progressive-delivery.md"
                            .to_owned(),
                    );
                }
                s
            }
        };
        if !provider.supports(strategy) {
            self.problem(
                node.span,
                format!("`{}` needs `strategy: blue-green`", provider.as_str()),
                "no traffic shifting",
            );
        }
        let environments = self.rollout_environments(map, environments);
        let interval = self
            .flagger_duration(map, "interval")
            .unwrap_or_else(|| defaults::INTERVAL.to_owned());
        let mut number = |key: &str, default: u32, max: u32| {
            map.get(key)
                .and_then(|n| self.count(n, &format!("`rollout.{key}`"), max))
                .unwrap_or(default)
        };
        let threshold = number("threshold", defaults::THRESHOLD, 1000);
        let max_weight = number("max_weight", defaults::MAX_WEIGHT, 100);
        let step_weight = number("step_weight", defaults::STEP_WEIGHT, 100);
        let iterations = number("iterations", defaults::ITERATIONS, 1000);
        let progress_deadline_seconds = number(
            "progress_deadline_seconds",
            defaults::PROGRESS_DEADLINE_SECONDS,
            86_400,
        );
        if step_weight > max_weight
            && let Some(n) = map.get("step_weight")
        {
            self.problem(
                n.span,
                format!("`rollout.step_weight` {step_weight} is above `max_weight` {max_weight}"),
                "larger than the whole",
            );
        }
        self.only_for(
            map,
            strategy == Strategy::Canary,
            &["max_weight", "step_weight"],
            "`strategy: canary`",
        );
        self.only_for(
            map,
            strategy != Strategy::Canary,
            &["iterations"],
            "`strategy: blue-green` or `ab`",
        );
        self.only_for(map, strategy == Strategy::Ab, &["header"], "`strategy: ab`");
        self.only_for(
            map,
            provider == TrafficProvider::GatewayApi,
            &["gateway"],
            "`provider: gateway-api`",
        );
        let metrics = match map.get("metrics") {
            None => default_metrics(),
            Some(n) => self.metrics(n),
        };
        let load_test = map
            .get("load_test")
            .and_then(|n| self.bool(n, "`rollout.load_test`"))
            .unwrap_or(true);
        let header = match map.get("header") {
            None => (defaults::HEADER.0.to_owned(), defaults::HEADER.1.to_owned()),
            Some(n) => self.pair(n, "`rollout.header`", HEADER_KEYS)?,
        };
        let gateway = match map.get("gateway") {
            Some(n) => Some(self.pair(n, "`rollout.gateway`", GATEWAY_KEYS)?),
            None if provider == TrafficProvider::GatewayApi => {
                self.problem_help(
                    node.span,
                    "`provider: gateway-api` needs `gateway`".to_owned(),
                    "which Gateway?",
                    "name the Gateway the app's HTTPRoute attaches to: \
                     `gateway: {name: public, namespace: gateway}`"
                        .to_owned(),
                );
                None
            }
            None => None,
        };
        // `name, namespace` is stored as `(namespace, name)`.
        let gateway = gateway.map(|(name, namespace)| (namespace, name));
        Some(Rollout {
            strategy,
            provider,
            environments,
            interval,
            threshold,
            max_weight,
            step_weight,
            iterations,
            progress_deadline_seconds,
            metrics,
            load_test,
            header,
            gateway,
        })
    }

    /// `rollout.environments`: named environments that are not previews (one Canary per
    /// branch instance is not generated); every such environment when not given.
    fn rollout_environments(&mut self, map: &Mapping, environments: &[Environment]) -> Vec<String> {
        let Some(node) = map.get("environments") else {
            return environments
                .iter()
                .filter(|e| !e.preview)
                .map(|e| e.name.value.clone())
                .collect();
        };
        let mut names = Vec::new();
        for name in self.string_list(node, "`rollout.environments`") {
            match environments.iter().find(|e| e.name.value == name.value) {
                None => self.problem(
                    name.span,
                    format!(
                        "`rollout.environments` names `{}`, which is not an environment",
                        name.value
                    ),
                    "unknown environment",
                ),
                Some(env) if env.preview => self.problem_help(
                    name.span,
                    format!("`{}` is a preview environment", name.value),
                    "a preview",
                    "each branch's instance is short-lived; roll out progressively where \
                     the traffic is real"
                        .to_owned(),
                ),
                Some(_) => names.push(name.value),
            }
        }
        names
    }

    /// A whole number from 1 to `max`.
    fn count(&mut self, node: &Node, what: &str, max: u32) -> Option<u32> {
        let value = node
            .as_i64()
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| (1..=max).contains(n));
        if value.is_none() {
            self.problem(
                node.span,
                format!(
                    "{what} must be a whole number from 1 to {max}, found `{}`",
                    node.scalar_text()
                        .unwrap_or_else(|| node.kind_name().to_owned())
                ),
                "out of range",
            );
        }
        value
    }

    /// A Flagger interval: `<n>s` or `<n>m`, as its CRD's pattern takes it.
    fn flagger_duration(&mut self, map: &Mapping, key: &str) -> Option<String> {
        let what = format!("`rollout.{key}`");
        let value = self.opt_string(map, key, &what)?;
        if is_flagger_duration(&value.value) {
            return Some(value.value);
        }
        self.problem_help(
            value.span,
            format!("{what} `{}` is not a Flagger interval", value.value),
            "not a duration",
            "write seconds or minutes: `30s`, `1m`".to_owned(),
        );
        None
    }

    fn only_for(&mut self, map: &Mapping, allowed: bool, keys: &[&str], what: &str) {
        if allowed {
            return;
        }
        for key in keys {
            if let Some((k, _)) = map.get_entry(key) {
                self.problem(
                    k.span,
                    format!("`rollout.{key}` applies only with {what}"),
                    "not used here",
                );
            }
        }
    }

    fn metrics(&mut self, node: &Node) -> Vec<Metric> {
        let Some(items) = node.as_seq() else {
            self.problem(
                node.span,
                "`rollout.metrics` must be a list".to_owned(),
                "expected a list",
            );
            return default_metrics();
        };
        items.iter().filter_map(|n| self.metric(n)).collect()
    }

    fn metric(&mut self, node: &Node) -> Option<Metric> {
        let map = self.map(node, "a metric")?;
        self.known_keys(map, METRIC_KEYS, "a metric");
        let name = self.required_string(map, node.span, "name", "the metric")?;
        let Some(metric) = BuiltinMetric::value_variants()
            .iter()
            .copied()
            .find(|m| m.as_str() == name.value)
        else {
            self.problem_help(
                name.span,
                format!(
                    "metric `{}` is not one of Flagger's built-in metrics",
                    name.value
                ),
                "unknown metric",
                "use `request-success-rate` (with `min`) or `request-duration` (with `max`); \
                 a custom query needs a MetricTemplate of your own"
                    .to_owned(),
            );
            return None;
        };
        let key = metric.bound_key();
        let other = if key == "min" { "max" } else { "min" };
        if let Some((k, _)) = map.get_entry(other) {
            self.problem(
                k.span,
                format!("`{}` is bounded by `{key}`, not `{other}`", metric.as_str()),
                "wrong bound",
            );
        }
        let (default, max) = match metric {
            BuiltinMetric::RequestSuccessRate => (defaults::SUCCESS_RATE, 100),
            BuiltinMetric::RequestDuration => (defaults::DURATION_MS, 3_600_000),
        };
        let bound = map
            .get(key)
            .and_then(|n| self.count(n, &format!("`{key}` of `{}`", metric.as_str()), max))
            .unwrap_or(default);
        let interval = self
            .flagger_duration(map, "interval")
            .unwrap_or_else(|| defaults::METRIC_INTERVAL.to_owned());
        Some(Metric {
            name: metric,
            bound,
            interval,
        })
    }

    /// A `{name, <second>}` mapping of two non-empty strings without line breaks.
    fn pair(&mut self, node: &Node, what: &str, keys: &[&str]) -> Option<(String, String)> {
        let map = self.map(node, what)?;
        self.known_keys(map, keys, what);
        let mut values = Vec::new();
        for key in keys {
            let value = self.required_string(map, node.span, key, what)?;
            if value.value.is_empty() || value.value.chars().any(char::is_control) {
                self.problem(
                    value.span,
                    format!("`{key}` of {what} must be one line of text"),
                    "not one line",
                );
                return None;
            }
            values.push(value.value);
        }
        let second = values.pop()?;
        Some((values.pop()?, second))
    }
}

fn default_metrics() -> Vec<Metric> {
    vec![
        Metric {
            name: BuiltinMetric::RequestSuccessRate,
            bound: defaults::SUCCESS_RATE,
            interval: defaults::METRIC_INTERVAL.to_owned(),
        },
        Metric {
            name: BuiltinMetric::RequestDuration,
            bound: defaults::DURATION_MS,
            interval: defaults::METRIC_INTERVAL.to_owned(),
        },
    ]
}

fn is_flagger_duration(s: &str) -> bool {
    let Some(digits) = s.strip_suffix('s').or_else(|| s.strip_suffix('m')) else {
        return false;
    };
    !digits.is_empty() && digits.len() <= 6 && digits.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::is_flagger_duration;

    #[test]
    fn flagger_durations() {
        for ok in ["30s", "1m", "120s"] {
            assert!(is_flagger_duration(ok), "{ok}");
        }
        for bad in ["", "s", "1h", "1m30s", "-1s", "1.5m", "9999999s"] {
            assert!(!is_flagger_duration(bad), "{bad}");
        }
    }
}
