//! RENDER stage: the plan spelled for GitHub Actions, `.github/workflows/gitops.yml` and the
//! manual `.github/workflows/gitops-promote.yml`.
//!
//! GitHub-specific here: `if:` expressions guarding each promotion (expressions have no glob
//! matching, so a pattern becomes a prefix guard backed by `gitops-gen promote --ref`), the
//! concurrency groups, step ids, and which token pushes. Untrusted values never reach a `run:`
//! through `${{ }}`: the image tag and ref are read from the runner's environment
//! (`$GITHUB_SHA`, `$GITHUB_REF`).

use serde::Serialize;

use crate::model::Promotion;
use crate::render::ci::install::GithubInstallView;
use crate::render::ci::pins::{self, ActionPins};
use crate::render::ci::test_job::{self, ServiceView, SetupView};
use crate::render::ci::validate::ValidateView;
use crate::render::escape::{CommandLine, Expression};
use crate::render::plan::{AppJobs, GitopsTarget, PipelinePlan, PromotionPlan, RefKind};
use crate::render::shell::{ShellCommand, ShellWord};

/// Template of the push pipeline.
pub(crate) const TEMPLATE: &str = "ci/github/github-actions.yml.j2";
/// Where the push pipeline is written.
pub(crate) const OUTPUT: &str = ".github/workflows/gitops.yml";
/// Template of the manual promotion workflow.
pub(crate) const PROMOTE_TEMPLATE: &str = "ci/github/gitops-promote.yml.j2";
/// Where the manual promotion workflow is written.
pub(crate) const PROMOTE_OUTPUT: &str = ".github/workflows/gitops-promote.yml";

/// View of the push pipeline.
#[derive(Debug, Serialize)]
pub(crate) struct GithubWorkflowView {
    push_branches: Vec<String>,
    push_tags: Vec<String>,
    /// Pushes changing only these paths (merged promotions) run nothing.
    push_paths_ignore: Vec<String>,
    /// The `if:` of test and build jobs that skips a pull request's run when pushes of its
    /// branch already run them; `None` when no branch pattern can be matched exactly.
    skip_pushed_pull_requests: Option<String>,
    /// Whether builds may use BuildKit's GitHub cache: not in pipelines that build releases.
    layer_cache: bool,
    install: GithubInstallView,
    actions: ActionPins,
    apps: Vec<AppView>,
    /// The validate job, where the tree lives in this repository.
    validate: Option<ValidateView>,
    /// The sync job, with a separate config repository.
    sync: Option<SyncView>,
    gitops: GitopsAccessView,
    promotions: Vec<PromotionView>,
}

/// The job that brings the tree into the config repository.
#[derive(Debug, Serialize)]
struct SyncView {
    needs: Vec<String>,
    /// Pushes of the sync branch.
    condition: String,
    mode: &'static str,
    pull_request: bool,
}

#[derive(Debug, Serialize)]
struct AppView {
    name: String,
    test: Option<TestView>,
    build_job: String,
    build_title: String,
    image: String,
    /// `<image>:${{ github.sha }}`, the tag the build pushes.
    image_tag: Expression,
    context: String,
    dockerfile: String,
    registry_host: String,
    /// ghcr.io accepts the job's GITHUB_TOKEN; other registries need repository secrets.
    uses_github_token: bool,
    /// BuildKit's GitHub cache, one scope per app.
    layer_cache_from: String,
    layer_cache_to: String,
}

#[derive(Debug, Serialize)]
struct TestView {
    job: String,
    title: String,
    command: CommandLine,
    setup: Vec<SetupView>,
    services: Vec<ServiceView>,
}

/// How promotion jobs reach the GitOps repository.
#[derive(Debug, Serialize)]
struct GitopsAccessView {
    same_repository: bool,
    /// The token `gitops-gen promote` pushes with, and pull requests are opened with.
    token: Expression,
    /// `owner/name` of the repository pull requests are opened in.
    repo: Expression,
    branch: String,
}

#[derive(Debug, Serialize)]
struct PromotionView {
    job: String,
    title: String,
    environment: String,
    /// The environment's address, which GitHub links from the deployment.
    url: Option<String>,
    needs: Vec<String>,
    condition: String,
    concurrency_group: String,
    mode: &'static str,
    pull_request: bool,
    apps: Vec<PromoteAppView>,
}

#[derive(Debug, Serialize)]
struct PromoteAppView {
    name: String,
    /// `"<image>:${GITHUB_SHA}"`.
    image_ref: ShellWord,
}

impl GithubWorkflowView {
    /// Spells `plan` for GitHub Actions.
    pub(crate) fn new(plan: &PipelinePlan) -> GithubWorkflowView {
        let patterns = |kind: RefKind| {
            plan.triggers
                .iter()
                .filter(|t| t.kind == kind)
                .map(|t| t.pattern.as_str().to_owned())
                .collect()
        };
        let push_paths_ignore = if plan.gitops.same_repository {
            vec![plan.gitops.promoted_paths.clone()]
        } else {
            Vec::new()
        };
        GithubWorkflowView {
            push_branches: patterns(RefKind::Branch),
            push_tags: patterns(RefKind::Tag),
            push_paths_ignore,
            skip_pushed_pull_requests: skip_pushed_pull_requests(plan),
            layer_cache: plan.install.cache,
            install: GithubInstallView::new(&plan.install),
            actions: pins::ACTIONS,
            apps: plan.apps.iter().map(app_view).collect(),
            validate: plan.validates.then(|| ValidateView::new(plan, true)),
            sync: plan.sync.as_ref().map(|sync| SyncView {
                needs: sync.needs.clone(),
                condition: format!(
                    "github.event_name == 'push' && github.ref == '{}'",
                    expr_literal(&format!("refs/heads/{}", sync.branch))
                ),
                mode: sync.mode.as_str(),
                pull_request: sync.mode == Promotion::PullRequest,
            }),
            gitops: GitopsAccessView::new(&plan.gitops),
            promotions: plan
                .automatic_promotions()
                .map(|p| promotion_view(plan, p))
                .collect(),
        }
    }
}

/// Pull requests from this repository's branches whose pushes run the workflow would test and
/// build the same commit twice; the push run's checks show on the pull request all the same.
/// Expressions have no globs, so only patterns they can match exactly take part: literal
/// branches, and a literal prefix followed by `**` (`startsWith`). Runs of pull requests from
/// forks, and from any other branch, keep their tests and builds.
fn skip_pushed_pull_requests(plan: &PipelinePlan) -> Option<String> {
    let guards: Vec<String> = plan
        .triggers
        .iter()
        .filter(|t| t.kind == RefKind::Branch)
        .filter_map(|t| {
            let pattern = t.pattern.as_str();
            let prefix = t.pattern.literal_prefix();
            if t.pattern.is_literal() {
                Some(format!("github.head_ref == '{}'", expr_literal(pattern)))
            } else if pattern.strip_prefix(prefix.as_str()) == Some("**") {
                Some(format!(
                    "startsWith(github.head_ref, '{}')",
                    expr_literal(&prefix)
                ))
            } else {
                None
            }
        })
        .collect();
    (!guards.is_empty()).then(|| {
        format!(
            "github.event_name != 'pull_request' || \
             github.event.pull_request.head.repo.full_name != github.repository || \
             !({})",
            guards.join(" || ")
        )
    })
}

fn app_view(jobs: &AppJobs) -> AppView {
    let app = jobs.app;
    let name = &app.name.value;
    AppView {
        name: name.clone(),
        test: jobs.test.as_ref().map(|test| TestView {
            job: test.job.clone(),
            title: format!("Test {name}"),
            command: CommandLine::new(test.command),
            setup: test_job::setup(app),
            services: test_job::services(app),
        }),
        build_job: jobs.build_job.clone(),
        build_title: format!("Build {name}"),
        image: app.pushed_image(),
        image_tag: Expression::text(format!("{}:", app.pushed_image())).then("github.sha"),
        context: app.context.clone(),
        dockerfile: app.dockerfile.clone(),
        registry_host: jobs.registry_host.clone(),
        uses_github_token: jobs.registry_host == "ghcr.io",
        layer_cache_from: format!("type=gha,scope=build-{name}"),
        layer_cache_to: format!("type=gha,mode=max,scope=build-{name}"),
    }
}

fn promotion_view(plan: &PipelinePlan, promotion: &PromotionPlan) -> PromotionView {
    let name = promotion.env;
    let guards: Vec<String> = promotion
        .refs
        .iter()
        .map(|r| {
            let namespace = r.kind.namespace();
            if r.pattern.is_literal() {
                format!(
                    "github.ref == '{}'",
                    expr_literal(&format!("refs/{namespace}/{}", r.pattern))
                )
            } else {
                // Expressions have no glob matching: this prefix guard is coarse, and
                // `gitops-gen promote --ref` applies the exact pattern before changing anything.
                format!(
                    "startsWith(github.ref, '{}')",
                    expr_literal(&format!("refs/{namespace}/{}", r.pattern.literal_prefix()))
                )
            }
        })
        .collect();
    PromotionView {
        job: promotion.job.clone(),
        title: format!("Promote to {name}"),
        environment: name.to_owned(),
        url: promotion.url.map(str::to_owned),
        needs: promotion.needs.clone(),
        condition: format!("github.event_name == 'push' && ({})", guards.join(" || ")),
        concurrency_group: concurrency_group(name),
        mode: promotion.mode.as_str(),
        pull_request: promotion.mode == Promotion::PullRequest,
        apps: promote_apps(plan),
    }
}

/// The start of an environment's concurrency groups; the templates end it with the ref
/// (`-${{ github.ref }}`, or the deleted branch's for a preview removal): one promotion of an
/// environment at a time per ref. GitHub keeps one pending run per group and cancels the older
/// ones, so a group shared by several refs (feature branches feeding a preview, branches feeding
/// one environment) would drop promotions and preview removals; within one ref only an older
/// commit is dropped, which the newer one supersedes. Across refs, promote's own retries order
/// the pushes.
fn concurrency_group(env: &str) -> String {
    format!("gitops-promote-{env}")
}

fn promote_apps(plan: &PipelinePlan) -> Vec<PromoteAppView> {
    plan.apps
        .iter()
        .map(|jobs| PromoteAppView {
            name: jobs.app.name.value.clone(),
            image_ref: ShellWord::text(format!("{}:", jobs.app.pushed_image()))
                .then_expansion("${GITHUB_SHA}"),
        })
        .collect()
}

impl GitopsAccessView {
    fn new(gitops: &GitopsTarget) -> GitopsAccessView {
        let same_repository = gitops.same_repository;
        GitopsAccessView {
            same_repository,
            token: if same_repository {
                Expression::of("secrets.GITHUB_TOKEN")
            } else {
                Expression::of("secrets.GITOPS_REPO_TOKEN")
            },
            repo: match gitops.repository {
                None => Expression::of("github.repository"),
                Some(url) => Expression::text(repo_slug(url)),
            },
            branch: gitops.branch.to_owned(),
        }
    }
}

/// View of the manual `--from/--to` promotion workflow.
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
    /// `gitops-gen promote --from … --to … --app a --app b`: every app, one commit.
    promote_all: ShellCommand,
    gitops: GitopsAccessView,
    install: GithubInstallView,
    actions: ActionPins,
}

/// A job removing a deleted branch's preview instance.
#[derive(Debug, Serialize)]
struct PreviewCleanupView {
    env: String,
    job: String,
    concurrency_group: String,
}

impl GithubPromoteView {
    /// The workflow exists when there are two long-lived environments to promote between, or a
    /// preview environment whose instances must go when their branch is deleted.
    pub(crate) fn new(plan: &PipelinePlan) -> Option<GithubPromoteView> {
        let manual = plan.chain.len() >= 2;
        if !manual && plan.previews.is_empty() {
            return None;
        }
        let (default_from, default_to) = match plan.chain.as_slice() {
            [.., from, to] => ((*from).to_owned(), (*to).to_owned()),
            _ => (String::new(), String::new()),
        };
        Some(GithubPromoteView {
            manual,
            previews: plan
                .previews
                .iter()
                .map(|env| PreviewCleanupView {
                    env: (*env).to_owned(),
                    job: format!("remove-{env}"),
                    concurrency_group: concurrency_group(env),
                })
                .collect(),
            environments: plan.chain.iter().map(|e| (*e).to_owned()).collect(),
            default_from,
            default_to,
            apps: promote_apps(plan),
            promote_all: plan.apps.iter().fold(
                ShellCommand::new("gitops-gen promote --from \"${FROM_ENV}\" --to \"${TO_ENV}\""),
                |command, jobs| command.fixed("--app").arg(jobs.app.name.value.as_str()),
            ),
            gitops: GitopsAccessView::new(&plan.gitops),
            install: GithubInstallView::new(&plan.install),
            actions: pins::ACTIONS,
        })
    }
}

/// Escapes a string for a single-quoted GitHub expression literal.
fn expr_literal(s: &str) -> String {
    s.replace('\'', "''")
}

/// `https://github.com/acme/config.git` or `git@github.com:acme/config.git` → `acme/config`.
fn repo_slug(url: &str) -> String {
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

    /// Only branch patterns an expression matches exactly take part in skipping a pull
    /// request's duplicate run.
    #[test]
    fn pull_requests_skip_only_what_pushes_exactly_run() -> Result<(), String> {
        let skip = |branches: &str| -> Result<Option<String>, String> {
            let model = format!(
                "version: 1\nproject: shop\nenvironments:\n  - {{name: dev, branches: {branches}}}\n\
                 apps: [{{name: web}}]\n"
            );
            let config =
                crate::model::parse("gitops-gen.yaml", &model).map_err(|e| format!("{e:?}"))?;
            Ok(skip_pushed_pull_requests(&PipelinePlan::new(&config)))
        };
        let both = skip("[main, 'release/**', 'feature/*']")?.unwrap_or_default();
        assert!(
            both.ends_with(
                "!(github.head_ref == 'main' || startsWith(github.head_ref, 'release/'))"
            ),
            "{both}"
        );
        assert!(
            both.contains("github.event.pull_request.head.repo.full_name != github.repository")
        );
        assert_eq!(skip("['feature/*']")?, None, "no exact guard, no skip");
        Ok(())
    }
}
