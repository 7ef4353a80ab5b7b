//! MODEL stage: decodes the YAML AST of `gitops-gen.yaml` into [`Config`] and validates it,
//! collecting every problem with its span instead of stopping at the first.
//!
//! This file reads the top level (version, project, ci, operator, registry, gitlab); each larger
//! section has its own file (`gitops`, `tool`, `environments`, `apps`), `fields` holds the readers
//! they share and `checks` the value checks. The text of every diagnostic is pinned by the
//! integration snapshots (`tests/integration/snapshots/*diagnostics*`).

mod apps;
mod checks;
mod clusters;
mod delivery;
mod drift;
mod environments;
mod fields;
mod gitops;
mod helm;
mod notifications;
mod operators;
mod outputs;
mod reference;
mod source;
mod test_setup;
mod tool;

use clap::ValueEnum;

use crate::model::problem::{Problems, did_you_mean};
use crate::model::types::*;
use crate::yaml::Node;

pub(crate) use checks::{
    breaks_lines, check_dns_label, dns_label_from, find_expression, is_secret_key, is_secret_name,
};
pub(crate) use reference::{qualified_repository, repository_of, split_reference};
pub(crate) use source::check_site_url;

/// Top-level keys, in the order `init` writes them.
pub(crate) const TOP_KEYS: &[&str] = &[
    "version",
    "project",
    "ci",
    "operator",
    "registry",
    "gitops",
    "tool",
    "gitlab",
    "notifications",
    "policy",
    "secrets",
    "environments",
    "apps",
];
/// Keys of `notifications:`.
pub(crate) const NOTIFICATIONS_KEYS: &[&str] = &["commit_status", "chat"];
/// Keys of `notifications.commit_status:`.
pub(crate) const COMMIT_STATUS_KEYS: &[&str] = &["provider", "address", "secret"];
/// Keys of `notifications.chat:`.
pub(crate) const CHAT_KEYS: &[&str] = &["provider", "channel", "secret"];
/// Keys of `policy:`.
pub(crate) const POLICY_KEYS: &[&str] = &["enabled", "admission"];
/// Keys of `secrets:`.
pub(crate) const SECRETS_KEYS: &[&str] = &["provider", "store", "from_ci"];
/// Keys of `apps[].rollout:`.
pub(crate) const ROLLOUT_KEYS: &[&str] = &[
    "strategy",
    "provider",
    "environments",
    "interval",
    "threshold",
    "max_weight",
    "step_weight",
    "iterations",
    "progress_deadline_seconds",
    "metrics",
    "load_test",
    "header",
    "gateway",
];
/// Keys of `gitops:`.
pub(crate) const GITOPS_KEYS: &[&str] = &["repository", "branch", "path", "sync", "url"];
/// Keys of `gitops.sync`.
pub(crate) const GITOPS_SYNC_KEYS: &[&str] = &["branch", "promotion"];
/// Keys of `tool:`.
pub(crate) const TOOL_KEYS: &[&str] = &["version", "install", "binary", "git", "rev"];
/// Keys of `tool.binary`.
pub(crate) const TOOL_BINARY_KEYS: &[&str] = &["action", "image"];
/// Keys of `gitlab:`.
pub(crate) const GITLAB_KEYS: &[&str] = &["builder", "file"];
/// Keys of one environment.
pub(crate) const ENV_KEYS: &[&str] = &[
    "name",
    "branches",
    "tags",
    "promotion",
    "cluster",
    "clusters",
    "namespace",
    "preview",
    "suspended",
    "url",
    "drift",
];
/// Keys of `environments[].drift`.
pub(crate) const DRIFT_KEYS: &[&str] = &["prune", "self_heal", "interval"];
/// Keys of one app.
pub(crate) const APP_KEYS: &[&str] = &[
    "name",
    "image",
    "context",
    "dockerfile",
    "test",
    "test_image",
    "test_setup",
    "test_services",
    "port",
    "deploy",
    "rollout",
];
/// Keys of an item of `test_setup:`.
pub(crate) const SETUP_STEP_KEYS: &[&str] = &["uses", "with"];
/// Keys of an item of `test_services:`.
pub(crate) const SERVICE_KEYS: &[&str] = &["name", "image", "env", "ports"];
/// Keys of an app's `deploy:`.
pub(crate) const DEPLOY_KEYS: &[&str] = &["scaffold", "kustomize", "manifests", "helm"];
/// Keys of `deploy.helm:` when it is a mapping.
pub(crate) const HELM_KEYS: &[&str] = &[
    "chart",
    "repository",
    "version",
    "values",
    "values_by_env",
    "release",
    "image_path",
    "image_repository_path",
];
/// Keys of an app's `deploy:` that refine a source rather than name one.
pub(crate) const DEPLOY_MODIFIERS: &[&str] = &["overlays"];

/// Decodes and validates one parsed document. `problems` receives everything wrong; the
/// returned config is only meaningful when `problems` stays empty.
pub(crate) fn decode(doc: &Node, problems: &mut Problems) -> Option<Config> {
    let mut d = Decoder { problems };
    d.config(doc)
}

/// Walks one document; every method reports what it finds wrong into `problems` and carries on.
struct Decoder<'p> {
    problems: &'p mut Problems,
}

impl Decoder<'_> {
    fn config(&mut self, doc: &Node) -> Option<Config> {
        let map = self.map(doc, "the model")?;
        self.known_keys(map, TOP_KEYS, "the model");

        match map.get("version") {
            None => self.problem_help(
                doc.span,
                "missing `version`".to_owned(),
                "this model has no version",
                format!("add `version: {MODEL_VERSION}` at the top"),
            ),
            Some(v) if v.as_i64() == Some(MODEL_VERSION) => {}
            Some(v) => self.problem_help(
                v.span,
                format!(
                    "model version `{}` is not supported",
                    v.scalar_text().unwrap_or_default()
                ),
                "unsupported version",
                format!("this gitops-gen reads `version: {MODEL_VERSION}`"),
            ),
        }

        let project = self.required_string(map, doc.span, "project", "the project name");
        if let Some(p) = &project {
            self.dns_label(p, "project name");
        }
        let project = project.unwrap_or_else(|| Spanned::implied(String::new()));

        let ci = match map.get("ci") {
            None => Ci::Github,
            Some(n) => self
                .enum_value(n, "ci", Ci::value_variants(), Ci::as_str)
                .unwrap_or(Ci::Github),
        };
        let operator = match map.get("operator") {
            None => Operator::Flux,
            Some(n) => self.operator(n).unwrap_or(Operator::Flux),
        };
        let registry = self.opt_string(map, "registry", "registry");
        if let Some(r) = &registry {
            self.registry(r);
        }
        let registry = registry
            .map(|r| r.value)
            .unwrap_or_else(|| format!("ghcr.io/{}", project.value));

        let gitops = self.gitops(map.get("gitops"));
        let tool = match map.get("tool") {
            None => tool::this_release(),
            Some(n) => self.tool(n),
        };
        let gitlab = match map.get("gitlab") {
            None => GitlabOptions::default_options(),
            Some(n) => self.gitlab(n),
        };

        let notifications = match map.get("notifications") {
            None => Notifications::default(),
            Some(n) => self.notifications(n, ci),
        };
        let policy = match map.get("policy") {
            None => Policy::default(),
            Some(n) => self.policy(n),
        };
        let environments = self.environments(map, doc.span, &project.value, operator);
        let secrets = match map.get("secrets") {
            None => crate::model::delivery::Secrets::default(),
            Some(n) => self.secrets(n, &environments, &gitops),
        };
        let apps = self.apps(map, doc.span, &registry, &gitops, &environments);
        let config = Config {
            project,
            ci: ci.into(),
            operator,
            gitops,
            tool,
            gitlab,
            notifications,
            policy,
            secrets,
            environments,
            apps,
        };
        self.outputs(&config);
        if config.operator != Operator::Flux {
            self.pull_operator_limits(&config, map);
        }
        Some(config)
    }

    fn operator(&mut self, node: &Node) -> Option<Operator> {
        let s = self.string(node, "operator")?;
        if let Some(operator) = Operator::value_variants()
            .iter()
            .find(|o| o.as_str() == s.value)
        {
            return Some(*operator);
        }
        let help = match did_you_mean(&s.value, &["flux", "argocd", "fleet"]) {
            Some(m) => format!("did you mean `{m}`?"),
            None => "expected `flux`, `argocd` or `fleet`".to_owned(),
        };
        self.problem_help(
            s.span,
            format!("operator `{}` is unknown", s.value),
            "unknown operator",
            help,
        );
        None
    }

    fn policy(&mut self, node: &Node) -> Policy {
        let mut policy = Policy::default();
        let Some(map) = self.map(node, "`policy`") else {
            return policy;
        };
        self.known_keys(map, POLICY_KEYS, "`policy`");
        if let Some(enabled) = map
            .get("enabled")
            .and_then(|n| self.bool(n, "`policy.enabled`"))
        {
            policy.enabled = enabled;
        }
        if let Some(n) = map.get("admission") {
            let variants = crate::model::delivery::Admission::value_variants();
            policy.admission = self.enum_value(
                n,
                "`policy.admission`",
                variants,
                crate::model::delivery::Admission::as_str,
            );
        }
        policy
    }

    fn gitlab(&mut self, node: &Node) -> GitlabOptions {
        let mut opts = GitlabOptions::default_options();
        let Some(map) = self.map(node, "`gitlab`") else {
            return opts;
        };
        self.known_keys(map, GITLAB_KEYS, "`gitlab`");
        if let Some(n) = map.get("builder") {
            let variants = Builder::value_variants();
            if let Some(b) = self.enum_value(n, "`gitlab.builder`", variants, Builder::as_str) {
                opts.builder = b;
            }
        }
        if let Some(file) = self.opt_string(map, "file", "`gitlab.file`") {
            opts.file = self.gitlab_file(&file);
        }
        opts
    }

    /// `gitlab.file`: `.gitlab-ci.yml`, or a YAML file at the repository root or under
    /// `.gitlab/`, where nothing else gitops-gen writes can land.
    fn gitlab_file(&mut self, file: &Spanned<String>) -> String {
        let path = self.relative_path(file, "`gitlab.file`", "expected a relative path");
        let yaml = path.ends_with(".yml") || path.ends_with(".yaml");
        let place = !path.contains('/') || path.starts_with(".gitlab/");
        let why = if !yaml {
            Some("must be a `.yml` or `.yaml` file")
        } else if !place || path == "gitops-gen.yaml" {
            Some("must be `.gitlab-ci.yml`, a file at the repository root or one under `.gitlab/`")
        } else {
            None
        };
        if let Some(why) = why {
            self.problem_help(
                file.span,
                format!("`gitlab.file` `{path}` {why}"),
                "not a pipeline path",
                "for example `gitlab: {file: .gitlab/gitops.gitlab-ci.yml}`".to_owned(),
            );
        }
        path
    }
}
