//! MODEL stage: decodes the YAML AST of `gitops-gen.yaml` into [`Config`] and validates it,
//! collecting every problem with its span instead of stopping at the first.

use std::collections::BTreeMap;

use crate::model::glob::RefPattern;
use crate::model::problem::{Problems, did_you_mean};
use crate::model::types::*;
use crate::yaml::{Mapping, Node, Span, Value};

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
    "environments",
    "apps",
];
/// Keys of `gitops:`.
pub(crate) const GITOPS_KEYS: &[&str] = &["repository", "branch", "path"];
/// Keys of `tool:`.
pub(crate) const TOOL_KEYS: &[&str] = &["version", "git", "rev"];
/// Keys of `gitlab:`.
pub(crate) const GITLAB_KEYS: &[&str] = &["builder"];
/// Keys of one environment.
pub(crate) const ENV_KEYS: &[&str] = &[
    "name",
    "branches",
    "tags",
    "promotion",
    "cluster",
    "namespace",
    "preview",
];
/// Keys of one app.
pub(crate) const APP_KEYS: &[&str] = &[
    "name",
    "image",
    "context",
    "dockerfile",
    "test",
    "test_image",
    "port",
    "deploy",
];
/// Keys of an app's `deploy:`.
pub(crate) const DEPLOY_KEYS: &[&str] = &["kustomize", "helm"];

/// Decodes and validates one parsed document. `problems` receives everything wrong; the
/// returned config is only meaningful when `problems` stays empty.
pub(crate) fn decode(doc: &Node, problems: &mut Problems) -> Option<Config> {
    let mut d = Decoder { problems };
    d.config(doc)
}

struct Decoder<'p> {
    problems: &'p mut Problems,
}

impl Decoder<'_> {
    fn problem(&mut self, span: Span, message: String, label: &str) {
        self.problems.push(span, message, label, None);
    }

    fn problem_help(&mut self, span: Span, message: String, label: &str, help: String) {
        self.problems.push(span, message, label, Some(help));
    }

    fn map<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n Mapping> {
        match &node.value {
            Value::Map(m) => Some(m),
            _ => {
                self.problem(
                    node.span,
                    format!("{what} must be a mapping, found {}", node.kind_name()),
                    "expected a mapping here",
                );
                None
            }
        }
    }

    /// Reports keys that are not in `allowed`, with a suggestion when one is close.
    fn known_keys(&mut self, map: &Mapping, allowed: &[&str], context: &str) {
        for (key, _) in map.entries() {
            let Some(name) = key.scalar_text() else {
                self.problem(
                    key.span,
                    format!("{context} keys must be strings"),
                    "not a string",
                );
                continue;
            };
            if allowed.contains(&name.as_str()) {
                continue;
            }
            let message = format!("unknown key `{name}` in {context}");
            match did_you_mean(&name, allowed) {
                Some(s) => self.problem_help(
                    key.span,
                    message,
                    "unknown key",
                    format!("did you mean `{s}`?"),
                ),
                None => self.problem_help(
                    key.span,
                    message,
                    "unknown key",
                    format!("expected one of {}", quote_list(allowed)),
                ),
            }
        }
    }

    fn string(&mut self, node: &Node, what: &str) -> Option<Spanned<String>> {
        match &node.value {
            Value::String(s) => Some(Spanned {
                value: s.clone(),
                span: node.span,
            }),
            _ => {
                let help = match node.scalar_text() {
                    Some(text) if !node.is_null() => format!("quote it: \"{text}\""),
                    _ => format!("write {what} as a string"),
                };
                self.problem_help(
                    node.span,
                    format!("{what} must be a string, found {}", node.kind_name()),
                    "expected a string",
                    help,
                );
                None
            }
        }
    }

    fn opt_string(&mut self, map: &Mapping, key: &str, what: &str) -> Option<Spanned<String>> {
        map.get(key).and_then(|n| self.string(n, what))
    }

    fn required_string(
        &mut self,
        map: &Mapping,
        map_span: Span,
        key: &str,
        what: &str,
    ) -> Option<Spanned<String>> {
        match map.get(key) {
            Some(n) => self.string(n, what),
            None => {
                let label = format!("needs `{key}`");
                self.problem(map_span, format!("missing `{key}` ({what})"), &label);
                None
            }
        }
    }

    /// A string or a list of strings, as `branches: main` or `branches: [main, develop]`.
    fn string_list(&mut self, node: &Node, what: &str) -> Vec<Spanned<String>> {
        match &node.value {
            Value::Seq(items) => items.iter().filter_map(|n| self.string(n, what)).collect(),
            Value::Null => Vec::new(),
            _ => self.string(node, what).into_iter().collect(),
        }
    }

    fn bool(&mut self, node: &Node, what: &str) -> Option<bool> {
        match &node.value {
            Value::Bool(b) => Some(*b),
            _ => {
                self.problem(
                    node.span,
                    format!(
                        "{what} must be `true` or `false`, found {}",
                        node.kind_name()
                    ),
                    "expected a boolean",
                );
                None
            }
        }
    }

    fn dns_label(&mut self, name: &Spanned<String>, what: &str) {
        if let Err(why) = check_dns_label(&name.value) {
            self.problem_help(
                name.span,
                format!(
                    "{what} `{}` is not a valid DNS-1123 label: {why}",
                    name.value
                ),
                "not a DNS-1123 label",
                "use lowercase letters, digits and `-`, start and end with a letter or digit, \
                 at most 63 characters"
                    .to_owned(),
            );
        }
    }

    fn enum_value<T: Copy>(&mut self, node: &Node, what: &str, options: &[(&str, T)]) -> Option<T> {
        let s = self.string(node, what)?;
        if let Some((_, v)) = options.iter().find(|(name, _)| *name == s.value) {
            return Some(*v);
        }
        let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
        let help = match did_you_mean(&s.value, &names) {
            Some(m) => format!("did you mean `{m}`?"),
            None => format!("expected one of {}", quote_list(&names)),
        };
        self.problem_help(
            s.span,
            format!("{what} `{}` is not supported", s.value),
            "unsupported value",
            help,
        );
        None
    }

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
            None => CiTargets {
                github: true,
                gitlab: false,
            },
            Some(n) => self
                .enum_value(
                    n,
                    "ci",
                    &[
                        (
                            "github",
                            CiTargets {
                                github: true,
                                gitlab: false,
                            },
                        ),
                        (
                            "gitlab",
                            CiTargets {
                                github: false,
                                gitlab: true,
                            },
                        ),
                        (
                            "both",
                            CiTargets {
                                github: true,
                                gitlab: true,
                            },
                        ),
                    ],
                )
                .unwrap_or(CiTargets {
                    github: true,
                    gitlab: false,
                }),
        };
        let operator = match map.get("operator") {
            None => Operator::Flux,
            Some(n) => self.operator(n).unwrap_or(Operator::Flux),
        };
        let registry = self.opt_string(map, "registry", "registry");
        if let Some(r) = &registry {
            self.image_repository(r, "registry");
        }
        let registry = registry
            .map(|r| r.value)
            .unwrap_or_else(|| format!("ghcr.io/{}", project.value));

        let gitops = self.gitops(map.get("gitops"));
        let tool = match map.get("tool") {
            None => ToolSource::Release {
                version: env!("CARGO_PKG_VERSION").to_owned(),
            },
            Some(n) => self.tool(n),
        };
        let gitlab = match map.get("gitlab") {
            None => GitlabOptions {
                builder: Builder::Buildah,
            },
            Some(n) => self.gitlab(n),
        };

        let environments = self.environments(map, doc.span, &project.value);
        let apps = self.apps(map, doc.span, &registry);
        Some(Config {
            project,
            ci,
            operator,
            registry,
            gitops,
            tool,
            gitlab,
            environments,
            apps,
        })
    }

    fn operator(&mut self, node: &Node) -> Option<Operator> {
        let s = self.string(node, "operator")?;
        match s.value.as_str() {
            "flux" => Some(Operator::Flux),
            "argocd" | "fleet" => {
                self.problem_help(
                    s.span,
                    format!("operator `{}` is not supported yet", s.value),
                    "not supported yet",
                    "this release generates Flux configuration; use `operator: flux`".to_owned(),
                );
                None
            }
            other => {
                let help = match did_you_mean(other, &["flux", "argocd", "fleet"]) {
                    Some(m) => format!("did you mean `{m}`?"),
                    None => "expected `flux`".to_owned(),
                };
                self.problem_help(
                    s.span,
                    format!("operator `{other}` is unknown"),
                    "unknown operator",
                    help,
                );
                None
            }
        }
    }

    fn image_repository(&mut self, value: &Spanned<String>, what: &str) {
        if let Err(why) = check_image_repository(&value.value) {
            self.problem_help(
                value.span,
                format!(
                    "{what} `{}` is not a valid image repository: {why}",
                    value.value
                ),
                "not an image repository",
                "write it as `host/path`, lowercase, without a tag, e.g. `ghcr.io/acme/web`"
                    .to_owned(),
            );
        }
    }

    fn gitops(&mut self, node: Option<&Node>) -> Gitops {
        let mut gitops = Gitops {
            repository: None,
            branch: "main".to_owned(),
            path: ".".to_owned(),
        };
        let Some(node) = node else { return gitops };
        let Some(map) = self.map(node, "`gitops`") else {
            return gitops;
        };
        self.known_keys(map, GITOPS_KEYS, "`gitops`");
        if let Some(repo) = self.opt_string(map, "repository", "`gitops.repository`")
            && repo.value != "this"
        {
            if !looks_like_git_url(&repo.value) {
                self.problem_help(
                    repo.span,
                    format!("`gitops.repository` `{}` is not a git URL", repo.value),
                    "expected a git URL",
                    "use `this` (the default) or an https:// or ssh URL of the config \
                         repository"
                        .to_owned(),
                );
            }
            gitops.repository = Some(repo.value);
        }
        if let Some(branch) = self.opt_string(map, "branch", "`gitops.branch`") {
            match RefPattern::parse(&branch.value) {
                Ok(p) if p.is_literal() => gitops.branch = branch.value,
                _ => self.problem(
                    branch.span,
                    format!("`gitops.branch` `{}` is not a branch name", branch.value),
                    "expected a branch name without wildcards",
                ),
            }
        }
        if let Some(path) = self.opt_string(map, "path", "`gitops.path`") {
            if let Err(why) = check_relative_path(&path.value) {
                self.problem(
                    path.span,
                    format!("`gitops.path` `{}` {why}", path.value),
                    "expected a relative path inside the repository",
                );
            }
            gitops.path = normalize_path(&path.value);
        }
        gitops
    }

    fn tool(&mut self, node: &Node) -> ToolSource {
        let default = ToolSource::Release {
            version: env!("CARGO_PKG_VERSION").to_owned(),
        };
        let Some(map) = self.map(node, "`tool`") else {
            return default;
        };
        self.known_keys(map, TOOL_KEYS, "`tool`");
        let version = self.opt_string(map, "version", "`tool.version`");
        let git = self.opt_string(map, "git", "`tool.git`");
        let rev = self.opt_string(map, "rev", "`tool.rev`");
        if let (Some(v), Some(g)) = (&version, &git) {
            self.problems.push_related(
                g.span,
                "`tool` takes either `version` or `git` with `rev`, not both".to_owned(),
                "second source",
                None,
                (v.span, "first source"),
            );
            return default;
        }
        if let Some(git) = git {
            if !looks_like_git_url(&git.value) || !git.value.starts_with("https://") {
                self.problem(
                    git.span,
                    format!("`tool.git` `{}` is not an https git URL", git.value),
                    "expected https://...",
                );
                return default;
            }
            let Some(rev) = rev else {
                self.problem_help(
                    git.span,
                    "`tool.git` needs `rev`".to_owned(),
                    "no commit to pin",
                    "add `rev:` with the full 40-character commit id to install".to_owned(),
                );
                return default;
            };
            if rev.value.len() != 40 || !rev.value.bytes().all(|b| b.is_ascii_hexdigit()) {
                self.problem_help(
                    rev.span,
                    format!("`tool.rev` `{}` is not a full commit id", rev.value),
                    "expected 40 hex characters",
                    "a branch or tag can move; pipelines pin the exact commit".to_owned(),
                );
                return default;
            }
            return ToolSource::Git {
                url: git.value,
                rev: rev.value.to_ascii_lowercase(),
            };
        }
        if let Some(rev) = rev {
            self.problem(
                rev.span,
                "`tool.rev` needs `tool.git`".to_owned(),
                "no repository",
            );
        }
        match version {
            Some(v) if is_semver(&v.value) => ToolSource::Release { version: v.value },
            Some(v) => {
                self.problem_help(
                    v.span,
                    format!("`tool.version` `{}` is not an exact version", v.value),
                    "expected MAJOR.MINOR.PATCH",
                    "pipelines install this exact version so runs are reproducible".to_owned(),
                );
                default
            }
            None => default,
        }
    }

    fn gitlab(&mut self, node: &Node) -> GitlabOptions {
        let mut opts = GitlabOptions {
            builder: Builder::Buildah,
        };
        let Some(map) = self.map(node, "`gitlab`") else {
            return opts;
        };
        self.known_keys(map, GITLAB_KEYS, "`gitlab`");
        if let Some(n) = map.get("builder") {
            let options = [
                ("buildah", Builder::Buildah),
                ("docker-in-docker", Builder::DockerInDocker),
            ];
            if let Some(b) = self.enum_value(n, "`gitlab.builder`", &options) {
                opts.builder = b;
            }
        }
        opts
    }

    fn environments(&mut self, top: &Mapping, top_span: Span, project: &str) -> Vec<Environment> {
        let Some(node) = top.get("environments") else {
            self.problem_help(
                top_span,
                "missing `environments`".to_owned(),
                "no environments",
                "list at least one environment, e.g. `- name: production` with `branches: [main]`"
                    .to_owned(),
            );
            return Vec::new();
        };
        let Some(items) = node.as_seq() else {
            self.problem(
                node.span,
                format!("`environments` must be a list, found {}", node.kind_name()),
                "expected a list",
            );
            return Vec::new();
        };
        if items.is_empty() {
            self.problem_help(
                node.span,
                "`environments` is empty".to_owned(),
                "nothing to deploy to",
                "list at least one environment".to_owned(),
            );
        }
        let envs: Vec<Environment> = items
            .iter()
            .filter_map(|item| self.environment(item, project))
            .collect();
        self.check_environments(&envs);
        envs
    }

    fn environment(&mut self, node: &Node, project: &str) -> Option<Environment> {
        let map = self.map(node, "an environment")?;
        let problems_before = self.problems.len();
        self.known_keys(map, ENV_KEYS, "an environment");
        let name = self.required_string(map, node.span, "name", "the environment name")?;
        self.dns_label(&name, "environment name");
        let branches = self.patterns(map.get("branches"), "branch pattern");
        let tags = self.patterns(map.get("tags"), "tag pattern");
        let promotion = match map.get("promotion") {
            None => Promotion::Commit,
            Some(n) => self
                .enum_value(
                    n,
                    "promotion",
                    &[
                        ("commit", Promotion::Commit),
                        ("pull-request", Promotion::PullRequest),
                        ("manual", Promotion::Manual),
                    ],
                )
                .unwrap_or(Promotion::Commit),
        };
        let cluster = self.opt_string(map, "cluster", "`cluster`");
        if let Some(c) = &cluster {
            self.dns_label(c, "cluster name");
        }
        let namespace = self.opt_string(map, "namespace", "`namespace`");
        if let Some(n) = &namespace {
            self.dns_label(n, "namespace");
        }
        let preview = map
            .get("preview")
            .and_then(|n| self.bool(n, "`preview`"))
            .unwrap_or(false);
        // Not when a misspelled key or a rejected pattern already has its own diagnostic: a
        // second one about the same lines would only distract.
        let already_reported = self.problems.len() > problems_before;
        if branches.is_empty()
            && tags.is_empty()
            && promotion != Promotion::Manual
            && !already_reported
        {
            self.problem_help(
                name.span,
                format!("environment `{}` has no branches or tags", name.value),
                "nothing promotes into this environment",
                "add `branches:` or `tags:`, or set `promotion: manual`".to_owned(),
            );
        }
        Some(Environment {
            cluster: cluster
                .map(|c| c.value)
                .unwrap_or_else(|| name.value.clone()),
            namespace: namespace
                .map(|n| n.value)
                .unwrap_or_else(|| project.to_owned()),
            name,
            branches,
            tags,
            promotion,
            preview,
        })
    }

    fn patterns(&mut self, node: Option<&Node>, what: &str) -> Vec<Spanned<RefPattern>> {
        let Some(node) = node else { return Vec::new() };
        let mut out = Vec::new();
        for s in self.string_list(node, what) {
            match RefPattern::parse(&s.value) {
                Ok(p) => out.push(Spanned {
                    value: p,
                    span: s.span,
                }),
                Err(e) => self.problem(
                    s.span,
                    format!("invalid {what} `{}`: {}", s.value, e.reason),
                    "malformed pattern",
                ),
            }
        }
        out
    }

    fn check_environments(&mut self, envs: &[Environment]) {
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        for env in envs {
            if let Some(first) = seen.insert(&env.name.value, env.name.span) {
                self.problems.push_related(
                    env.name.span,
                    format!("environment `{}` is defined twice", env.name.value),
                    "second definition",
                    Some("merge the two or rename one".to_owned()),
                    (first, "first definition"),
                );
            }
        }
        // One ref pushed must promote into at most one environment, or two pipelines would race
        // to deploy the same commit to different places with no defined order.
        let claims: Vec<(&Environment, &Spanned<RefPattern>, &str)> = envs
            .iter()
            .flat_map(|e| {
                e.branches
                    .iter()
                    .map(move |p| (e, p, "branch"))
                    .chain(e.tags.iter().map(move |p| (e, p, "tag")))
            })
            .collect();
        for (i, (env_a, pat_a, kind_a)) in claims.iter().enumerate() {
            for (env_b, pat_b, kind_b) in &claims[..i] {
                if kind_a != kind_b || env_a.name.value == env_b.name.value {
                    continue;
                }
                if pat_a.value.overlaps(&pat_b.value) {
                    self.problems.push_related(
                        pat_a.span,
                        format!(
                            "{kind_a} pattern `{}` of environment `{}` overlaps `{}` of environment `{}`",
                            pat_a.value, env_a.name.value, pat_b.value, env_b.name.value
                        ),
                        "claimed by two environments",
                        Some(
                            "a ref must map to exactly one environment; make the patterns disjoint"
                                .to_owned(),
                        ),
                        (pat_b.span, "also claimed here"),
                    );
                }
            }
        }
        // Each cluster bootstraps Flux from one path, clusters/<cluster>, holding one
        // environment's Kustomizations; two environments there would fight over them.
        let mut clusters: BTreeMap<&str, &Environment> = BTreeMap::new();
        for env in envs {
            if let Some(other) = clusters.insert(env.cluster.as_str(), env)
                && other.name.value != env.name.value
            {
                self.problems.push_related(
                    env.name.span,
                    format!(
                        "environments `{}` and `{}` both run on cluster `{}`",
                        other.name.value, env.name.value, env.cluster
                    ),
                    "same cluster",
                    Some(
                        "each environment needs its own cluster in this release (one Flux path, \
                         clusters/<cluster>, per cluster); set a different `cluster:`"
                            .to_owned(),
                    ),
                    (other.name.span, "also on that cluster"),
                );
            }
        }
    }

    fn apps(&mut self, top: &Mapping, top_span: Span, registry: &str) -> Vec<App> {
        let Some(node) = top.get("apps") else {
            self.problem_help(
                top_span,
                "missing `apps`".to_owned(),
                "no apps",
                "list at least one app, e.g. `- name: web`".to_owned(),
            );
            return Vec::new();
        };
        let Some(items) = node.as_seq() else {
            self.problem(
                node.span,
                format!("`apps` must be a list, found {}", node.kind_name()),
                "expected a list",
            );
            return Vec::new();
        };
        if items.is_empty() {
            self.problem(node.span, "`apps` is empty".to_owned(), "nothing to build");
        }
        let apps: Vec<App> = items.iter().filter_map(|n| self.app(n, registry)).collect();
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        for app in &apps {
            if let Some(first) = seen.insert(&app.name.value, app.name.span) {
                self.problems.push_related(
                    app.name.span,
                    format!("app `{}` is defined twice", app.name.value),
                    "second definition",
                    Some("merge the two or rename one".to_owned()),
                    (first, "first definition"),
                );
            }
        }
        apps
    }

    fn app(&mut self, node: &Node, registry: &str) -> Option<App> {
        let map = self.map(node, "an app")?;
        self.known_keys(map, APP_KEYS, "an app");
        let name = self.required_string(map, node.span, "name", "the app name")?;
        self.dns_label(&name, "app name");
        let image = match self.opt_string(map, "image", "`image`") {
            Some(i) => {
                self.image_repository(&i, "image");
                i.value
            }
            None => format!("{registry}/{}", name.value),
        };
        let context = self
            .path_field(map, "context")
            .unwrap_or_else(|| ".".to_owned());
        let dockerfile = self.path_field(map, "dockerfile").unwrap_or_else(|| {
            if context == "." {
                "Dockerfile".to_owned()
            } else {
                format!("{context}/Dockerfile")
            }
        });
        let test = self.opt_string(map, "test", "`test`").map(|t| t.value);
        let test_image = self
            .opt_string(map, "test_image", "`test_image`")
            .map(|t| t.value)
            .unwrap_or_else(|| "docker.io/library/ubuntu:24.04".to_owned());
        let port = match map.get("port") {
            None => 8080,
            Some(n) => match n
                .as_i64()
                .and_then(|p| u16::try_from(p).ok())
                .filter(|p| *p > 0)
            {
                Some(p) => p,
                None => {
                    self.problem(
                        n.span,
                        format!(
                            "`port` must be a number from 1 to 65535, found `{}`",
                            n.scalar_text().unwrap_or_else(|| n.kind_name().to_owned())
                        ),
                        "invalid port",
                    );
                    8080
                }
            },
        };
        let deploy = match map.get("deploy") {
            None => Deploy::Kustomize {
                path: format!("applications/base/{}", name.value),
            },
            Some(n) => self.deploy(n, &name.value),
        };
        Some(App {
            name,
            image,
            context,
            dockerfile,
            test,
            test_image,
            port,
            deploy,
        })
    }

    fn path_field(&mut self, map: &Mapping, key: &str) -> Option<String> {
        let value = self.opt_string(map, key, &format!("`{key}`"))?;
        if let Err(why) = check_relative_path(&value.value) {
            self.problem(
                value.span,
                format!("`{key}` `{}` {why}", value.value),
                "expected a relative path inside the repository",
            );
        }
        Some(normalize_path(&value.value))
    }

    fn deploy(&mut self, node: &Node, app: &str) -> Deploy {
        let default = Deploy::Kustomize {
            path: format!("applications/base/{app}"),
        };
        let Some(map) = self.map(node, "`deploy`") else {
            return default;
        };
        self.known_keys(map, DEPLOY_KEYS, "`deploy`");
        match (map.get("kustomize"), map.get("helm")) {
            (Some(_), Some(h)) => {
                self.problem(
                    h.span,
                    "`deploy` takes either `kustomize` or `helm`, not both".to_owned(),
                    "second deploy method",
                );
                default
            }
            (Some(k), None) => match self.string(k, "`deploy.kustomize`") {
                Some(p) => {
                    if let Err(why) = check_relative_path(&p.value) {
                        self.problem(
                            p.span,
                            format!("`deploy.kustomize` `{}` {why}", p.value),
                            "invalid path",
                        );
                    }
                    Deploy::Kustomize {
                        path: normalize_path(&p.value),
                    }
                }
                None => default,
            },
            (None, Some(h)) => match self.string(h, "`deploy.helm`") {
                Some(c) => Deploy::Helm {
                    chart: normalize_path(&c.value),
                    span: c.span,
                },
                None => default,
            },
            (None, None) => {
                self.problem(
                    node.span,
                    "`deploy` needs `kustomize` or `helm`".to_owned(),
                    "empty deploy",
                );
                default
            }
        }
    }
}

fn quote_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// RFC 1123 label as Kubernetes validates names: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, 63 max.
pub(crate) fn check_dns_label(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("it is empty");
    }
    if name.len() > 63 {
        return Err("it is longer than 63 characters");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err("it may only contain lowercase letters, digits and `-`");
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err("it must start and end with a letter or digit");
    }
    Ok(())
}

/// `host[:port]/path` in the distribution spec's lowercase grammar, without tag or digest.
pub(crate) fn check_image_repository(image: &str) -> Result<(), &'static str> {
    if image.contains('@') {
        return Err("it has a digest; give the repository only");
    }
    let (host, path) = image.split_once('/').ok_or("it has no registry host")?;
    if host.is_empty() || !host.contains(['.', ':']) && host != "localhost" {
        return Err("its first part must be a registry host such as `ghcr.io`");
    }
    if path.is_empty() || path.split('/').any(str::is_empty) {
        return Err("it has an empty path component");
    }
    if path.contains(':') {
        return Err("it has a tag; give the repository only");
    }
    let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/".contains(c);
    if !path.chars().all(ok) {
        return Err("its path may only contain lowercase letters, digits, `.`, `_`, `-` and `/`");
    }
    Ok(())
}

fn check_relative_path(path: &str) -> Result<(), &'static str> {
    if path.is_empty() {
        return Err("is empty");
    }
    if path.starts_with('/') || path.contains('\\') {
        return Err("must be a relative path with `/` separators");
    }
    if path.split('/').any(|c| c == "..") {
        return Err("must stay inside the repository (no `..`)");
    }
    if path.chars().any(|c| c.is_control()) {
        return Err("contains control characters");
    }
    Ok(())
}

fn normalize_path(path: &str) -> String {
    let parts: Vec<&str> = path
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

fn is_semver(v: &str) -> bool {
    let core = v.split(['-', '+']).next().unwrap_or_default();
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

fn looks_like_git_url(url: &str) -> bool {
    let ok_scheme = ["https://", "http://", "ssh://", "git@", "file://"]
        .iter()
        .any(|s| url.starts_with(s));
    ok_scheme && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_labels() {
        assert!(check_dns_label("web-1").is_ok());
        assert!(check_dns_label("Web").is_err());
        assert!(check_dns_label("-web").is_err());
        assert!(check_dns_label(&"a".repeat(64)).is_err());
    }

    #[test]
    fn image_repositories() {
        assert!(check_image_repository("ghcr.io/acme/web").is_ok());
        assert!(check_image_repository("localhost:5000/web").is_ok());
        assert!(check_image_repository("acme/web").is_err());
        assert!(check_image_repository("ghcr.io/Acme/web").is_err());
        assert!(check_image_repository("ghcr.io/acme/web:1.0").is_err());
    }

    #[test]
    fn paths_are_normalized() {
        assert_eq!(normalize_path("./apps//web/"), "apps/web");
        assert_eq!(normalize_path("."), ".");
        assert!(check_relative_path("../x").is_err());
    }
}
