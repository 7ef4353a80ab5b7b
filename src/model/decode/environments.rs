//! `environments:`: each environment, its branch and tag patterns, and the rules between
//! environments (unique names, one environment per ref, one environment per cluster).

use clap::ValueEnum;

use crate::model::decode::{Decoder, ENV_KEYS, check_site_url};
use crate::model::glob::RefPattern;
use crate::model::types::{Environment, Operator, Promotion, Spanned};
use crate::yaml::{Mapping, Node, Span};

impl Decoder<'_> {
    pub(super) fn environments(
        &mut self,
        top: &Mapping,
        top_span: Span,
        project: &str,
        operator: Operator,
    ) -> Vec<Environment> {
        let items = self.required_list(
            top,
            top_span,
            "environments",
            (
                "no environments",
                "list at least one environment, e.g. `- name: production` with `branches: [main]`",
            ),
            (
                "nothing to deploy to",
                Some("list at least one environment"),
            ),
        );
        let envs: Vec<Environment> = items
            .iter()
            .filter_map(|item| self.environment(item, project, operator))
            .collect();
        self.check_environments(&envs);
        self.shared_clusters(&envs, operator);
        envs
    }

    fn environment(
        &mut self,
        node: &Node,
        project: &str,
        operator: Operator,
    ) -> Option<Environment> {
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
                    Promotion::value_variants(),
                    Promotion::as_str,
                )
                .unwrap_or(Promotion::Commit),
        };
        let clusters = self.clusters(map, &name);
        let namespace = self.opt_string(map, "namespace", "`namespace`");
        if let Some(n) = &namespace {
            self.dns_label(n, "namespace");
        }
        let preview = map
            .get("preview")
            .and_then(|n| self.bool(n, "`preview`"))
            .unwrap_or(false);
        let suspended = map
            .get("suspended")
            .and_then(|n| self.bool(n, "`suspended`"))
            .unwrap_or(false);
        let url = self.environment_url(map, preview);
        let drift = self.drift(map.get("drift"), operator);
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
            clusters,
            namespace: namespace
                .map(|n| n.value)
                .unwrap_or_else(|| project.to_owned()),
            name,
            branches,
            tags,
            promotion,
            preview,
            suspended,
            url,
            drift,
        })
    }

    /// `cluster: <name>` or `clusters: [<name>, …]`, DNS-1123 labels, each once; the
    /// environment's name when neither is given.
    fn clusters(&mut self, map: &Mapping, name: &Spanned<String>) -> Vec<String> {
        let one = self.opt_string(map, "cluster", "`cluster`");
        let many = map
            .get("clusters")
            .map(|n| (n.span, self.string_list(n, "`clusters`")));
        let listed: Vec<Spanned<String>> = match (one, many) {
            (Some(one), Some((span, _))) => {
                self.problem_help(
                    span,
                    format!(
                        "environment `{}` has both `cluster` and `clusters`",
                        name.value
                    ),
                    "two answers",
                    "list every cluster under `clusters:` and remove `cluster:`".to_owned(),
                );
                vec![one]
            }
            (Some(one), None) => vec![one],
            (None, Some((span, list))) if list.is_empty() => {
                self.problem(
                    span,
                    "`clusters` is empty".to_owned(),
                    "expected at least one",
                );
                Vec::new()
            }
            (None, Some((_, list))) => list,
            (None, None) => Vec::new(),
        };
        let mut clusters: Vec<String> = Vec::new();
        for cluster in &listed {
            self.dns_label(cluster, "cluster name");
            if clusters.contains(&cluster.value) {
                self.problem(
                    cluster.span,
                    format!("cluster `{}` is listed twice", cluster.value),
                    "listed before",
                );
            } else {
                clusters.push(cluster.value.clone());
            }
        }
        if clusters.is_empty() {
            clusters.push(name.value.clone());
        }
        clusters
    }

    /// `url:`: a plain https address, which CI shows on the environment's deployments. Not on a
    /// preview environment, whose instances each answer somewhere else.
    fn environment_url(&mut self, map: &Mapping, preview: bool) -> Option<String> {
        let url = self.opt_string(map, "url", "`url`")?;
        if preview {
            self.problem_help(
                url.span,
                "`url` on a preview environment".to_owned(),
                "one address for every branch",
                "each branch's instance answers at its own address; remove `url` here".to_owned(),
            );
            return None;
        }
        if let Err(why) = check_site_url(&url.value) {
            self.problem_help(
                url.span,
                format!("`url` `{}` is not a plain https address: {why}", url.value),
                "expected https://host[:port][/path]",
                "CI shows it as a link; no credentials, query, fragment or escapes".to_owned(),
            );
            return None;
        }
        Some(url.value)
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
        self.unique_names(envs.iter().map(|e| &e.name), "environment");
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
    }
}
