//! RENDER stage: the view model of `.github/workflows/gitops.yml`.
//!
//! Everything the workflow decides (job ids, `if:` conditions, permissions) is computed here;
//! the template only lays it out. Untrusted values never reach a `run:` through `${{ }}`: the
//! image tag and ref are read from the runner's environment (`$GITHUB_SHA`, `$GITHUB_REF`).

use serde::Serialize;

use crate::model::{Config, Environment, Promotion};
use crate::render::install::InstallView;
use crate::render::pins::{self, ActionPins};
use crate::render::validate::ValidateView;
use crate::render::{in_tree, registry_host};

/// Template name.
pub(crate) const TEMPLATE: &str = "ci/github/github-actions.yml.j2";
/// Output path.
pub(crate) const OUTPUT: &str = ".github/workflows/gitops.yml";
/// Template of the manual promotion workflow.
pub(crate) const PROMOTE_TEMPLATE: &str = "ci/github/gitops-promote.yml.j2";
/// Output path of the manual promotion workflow.
pub(crate) const PROMOTE_OUTPUT: &str = ".github/workflows/gitops-promote.yml";

/// View model of the workflow.
#[derive(Debug, Serialize)]
pub(crate) struct GithubWorkflowView {
    push_branches: Vec<String>,
    push_tags: Vec<String>,
    push_paths_ignore: Vec<String>,
    install: InstallView,
    actions: ActionPins,
    apps: Vec<AppView>,
    validate: ValidateView,
    promotions: Vec<PromotionView>,
}

#[derive(Debug, Serialize)]
struct AppView {
    name: String,
    test: Option<String>,
    test_job: String,
    test_title: String,
    build_job: String,
    build_title: String,
    image: String,
    /// `image:${{ github.sha }}`, composed here so the template never concatenates strings.
    image_tag: String,
    context: String,
    dockerfile: String,
    registry_host: String,
    /// ghcr.io accepts the job's GITHUB_TOKEN; other registries need repository secrets.
    uses_github_token: bool,
}

#[derive(Debug, Serialize)]
struct PromotionView {
    job: String,
    title: String,
    environment: String,
    needs: Vec<String>,
    condition: String,
    concurrency_group: String,
    mode: &'static str,
    pull_request: bool,
    same_repository: bool,
    token_expression: &'static str,
    gh_repo: String,
    gitops_branch: String,
    apps: Vec<PromoteAppView>,
}

#[derive(Debug, Serialize)]
struct PromoteAppView {
    name: String,
    image: String,
    step_id: String,
}

impl GithubWorkflowView {
    /// Builds the view from the model.
    pub(crate) fn new(config: &Config) -> GithubWorkflowView {
        let mut push_branches = Vec::new();
        let mut push_tags = Vec::new();
        for env in &config.environments {
            for b in &env.branches {
                push_unique(&mut push_branches, b.value.as_str());
            }
            for t in &env.tags {
                push_unique(&mut push_tags, t.value.as_str());
            }
        }
        let apps: Vec<AppView> = config
            .apps
            .iter()
            .map(|app| {
                let name = &app.name.value;
                let host = registry_host(&app.image);
                AppView {
                    name: name.clone(),
                    test: app.test.clone(),
                    test_job: format!("test-{name}"),
                    test_title: format!("Test {name}"),
                    build_job: format!("build-{name}"),
                    build_title: format!("Build {name}"),
                    image: app.image.clone(),
                    image_tag: format!("{}:${{{{ github.sha }}}}", app.image),
                    context: app.context.clone(),
                    dockerfile: app.dockerfile.clone(),
                    registry_host: host.to_owned(),
                    uses_github_token: host == "ghcr.io",
                }
            })
            .collect();
        let mut needs = vec!["check".to_owned(), "validate".to_owned()];
        needs.extend(apps.iter().map(|a| a.build_job.clone()));
        let promotions = config
            .environments
            .iter()
            .filter(|env| env.promotion != Promotion::Manual)
            .filter_map(|env| promotion(config, env, &needs))
            .collect();
        let push_paths_ignore = if config.gitops.is_separate() {
            Vec::new()
        } else {
            vec![in_tree(&config.gitops.path, "applications/overlays/**")]
        };
        GithubWorkflowView {
            push_branches,
            push_tags,
            push_paths_ignore,
            install: InstallView::new(config, "${{ runner.os }}-"),
            actions: pins::ACTIONS,
            apps,
            validate: ValidateView::new(config),
            promotions,
        }
    }
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    if !list.iter().any(|v| v == value) {
        list.push(value.to_owned());
    }
}

fn promotion(config: &Config, env: &Environment, needs: &[String]) -> Option<PromotionView> {
    let name = &env.name.value;
    let mut guards = Vec::new();
    for (kind, patterns) in [("heads", &env.branches), ("tags", &env.tags)] {
        for p in patterns {
            let pattern = &p.value;
            guards.push(if pattern.is_literal() {
                format!(
                    "github.ref == '{}'",
                    expr_literal(&format!("refs/{kind}/{pattern}"))
                )
            } else {
                // Expressions have no glob matching: this prefix guard is coarse, and
                // `gitops-gen promote --ref` applies the exact pattern before changing anything.
                format!(
                    "startsWith(github.ref, '{}')",
                    expr_literal(&format!("refs/{kind}/{}", pattern.literal_prefix()))
                )
            });
        }
    }
    if guards.is_empty() {
        return None;
    }
    let condition = format!("github.event_name == 'push' && ({})", guards.join(" || "));
    let same_repository = !config.gitops.is_separate();
    Some(PromotionView {
        job: format!("promote-{name}"),
        title: format!("Promote to {name}"),
        environment: name.clone(),
        needs: needs.to_vec(),
        condition,
        concurrency_group: format!("gitops-promote-{name}"),
        mode: env.promotion.as_str(),
        pull_request: env.promotion == Promotion::PullRequest,
        same_repository,
        token_expression: token_expression(same_repository),
        gh_repo: gh_repo(config),
        gitops_branch: config.gitops.branch.clone(),
        apps: promote_apps(config),
    })
}

/// View model of the manual `--from/--to` promotion workflow.
#[derive(Debug, Serialize)]
pub(crate) struct GithubPromoteView {
    /// Whether the manual `--from/--to` job exists (two or more long-lived environments).
    manual: bool,
    /// Preview environments whose branch instances are removed when a branch is deleted.
    previews: Vec<PreviewCleanupView>,
    environments: Vec<String>,
    default_from: String,
    default_to: String,
    apps: Vec<PromoteAppView>,
    same_repository: bool,
    pr: PullRequestView,
    install: InstallView,
    actions: ActionPins,
}

/// A job removing a deleted branch's preview instance.
#[derive(Debug, Serialize)]
struct PreviewCleanupView {
    env: String,
    job: String,
}

/// What the pull-request step needs.
#[derive(Debug, Serialize)]
struct PullRequestView {
    token_expression: &'static str,
    gh_repo: String,
    gitops_branch: String,
}

impl GithubPromoteView {
    /// The workflow exists when there are two long-lived environments to promote between, or a
    /// preview environment whose instances must go when their branch is deleted.
    pub(crate) fn new(config: &Config) -> Option<GithubPromoteView> {
        let environments: Vec<String> = promotion_chain(config)
            .into_iter()
            .map(str::to_owned)
            .collect();
        let previews: Vec<PreviewCleanupView> = config
            .environments
            .iter()
            .filter(|e| e.preview)
            .map(|e| PreviewCleanupView {
                env: e.name.value.clone(),
                job: format!("remove-{}", e.name.value),
            })
            .collect();
        let manual = environments.len() >= 2;
        if !manual && previews.is_empty() {
            return None;
        }
        let (default_from, default_to) = match environments.as_slice() {
            [.., from, to] => (from.clone(), to.clone()),
            _ => (String::new(), String::new()),
        };
        let same_repository = !config.gitops.is_separate();
        Some(GithubPromoteView {
            manual,
            previews,
            default_from,
            default_to,
            environments,
            apps: promote_apps(config),
            same_repository,
            pr: PullRequestView {
                token_expression: token_expression(same_repository),
                gh_repo: gh_repo(config),
                gitops_branch: config.gitops.branch.clone(),
            },
            install: InstallView::new(config, "${{ runner.os }}-"),
            actions: pins::ACTIONS,
        })
    }
}

/// Environments an image moves through by hand, in model order: every environment except
/// per-branch previews, which are never a source or target of `--from/--to`.
pub(crate) fn promotion_chain(config: &Config) -> Vec<&str> {
    config
        .environments
        .iter()
        .filter(|e| !e.preview)
        .map(|e| e.name.value.as_str())
        .collect()
}

fn promote_apps(config: &Config) -> Vec<PromoteAppView> {
    config
        .apps
        .iter()
        .map(|a| PromoteAppView {
            name: a.name.value.clone(),
            image: a.image.clone(),
            step_id: format!("promote-{}", a.name.value),
        })
        .collect()
}

fn token_expression(same_repository: bool) -> &'static str {
    if same_repository {
        "${{ secrets.GITHUB_TOKEN }}"
    } else {
        "${{ secrets.GITOPS_REPO_TOKEN }}"
    }
}

fn gh_repo(config: &Config) -> String {
    match &config.gitops.repository {
        None => "${{ github.repository }}".to_owned(),
        Some(url) => repo_slug(url),
    }
}

/// Escapes a string for a single-quoted GitHub expression literal.
fn expr_literal(s: &str) -> String {
    s.replace('\'', "''")
}

/// `https://github.com/acme/config.git` or `git@github.com:acme/config.git` → `acme/config`.
pub(crate) fn repo_slug(url: &str) -> String {
    let path = url
        .split_once("://")
        .map(|(_, rest)| rest.split_once('/').map(|(_, p)| p).unwrap_or(rest))
        .or_else(|| url.split_once(':').map(|(_, p)| p))
        .unwrap_or(url);
    path.trim_matches('/').trim_end_matches(".git").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(
            repo_slug("https://github.com/acme/config.git"),
            "acme/config"
        );
        assert_eq!(repo_slug("git@github.com:acme/config.git"), "acme/config");
        assert_eq!(
            repo_slug("ssh://git@gitlab.com/g/sub/config"),
            "g/sub/config"
        );
    }
}
