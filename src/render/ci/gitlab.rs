//! RENDER stage: the plan spelled for GitLab CI, `.gitlab-ci.yml`.
//!
//! GitLab-specific here: branch and tag patterns become anchored `=~` regexes, so GitLab runs a
//! promotion for exactly the refs the model maps to the environment; resource groups; per-branch
//! environments for previews; one manual job per step of the promotion chain; and the build
//! commands of the configured builder.
//!
//! **Included next to the team's pipeline** (`gitlab.file` other than `.gitlab-ci.yml`): the file
//! has no `workflow:` or `stages:` (the team's file decides both, and [`super::gitlab_root`] adds
//! ours to its list); every job and stage is prefixed `gitops-` so none can take a team's name;
//! the pipeline-wide rules become job rules (a hidden job the others extend, and the promotion
//! skip prepended to each promotion's own rules); every job says what it `needs:`, so none waits
//! for the team's stages.

use serde::Serialize;

use crate::model::{Builder, Promotion};
use crate::render::ci::gitlab_build::BuildCommands;
use crate::render::ci::install::GitlabInstallView;
use crate::render::ci::pins::{self, GitlabImages};
use crate::render::ci::test_job::{self, ServiceView};
use crate::render::ci::validate::ValidateView;
use crate::render::escape::CommandLine;
use crate::render::plan::{
    AppJobs, CHECK_JOB, POLICY_JOB, PipelinePlan, PromotionPlan, RefKind, RefTrigger, SYNC_JOB,
    VALIDATE_JOB,
};
use crate::render::shell::{ShellCommand, ShellWord};

/// Template of the pipeline.
pub(crate) const TEMPLATE: &str = "ci/gitlab/gitlab-ci.yml.j2";
/// Prefix of every job and stage of a pipeline included next to the team's.
const INCLUDED_PREFIX: &str = "gitops-";

/// The stages of the pipeline, in order, before any prefix.
const STAGES: [&str; 5] = ["check", "test", "build", "validate", "promote"];

/// The stage names of a pipeline, prefixed when it is included next to the team's.
pub(crate) fn stage_names(included: bool) -> Vec<String> {
    STAGES.iter().map(|s| named(included, s)).collect()
}

/// `name`, prefixed when the pipeline is included next to the team's.
fn named(included: bool, name: &str) -> String {
    if included {
        format!("{INCLUDED_PREFIX}{name}")
    } else {
        name.to_owned()
    }
}

/// Skips pushes of merge commits of `promote/<env>/<app>` and `promote/<env>` branches and of
/// squashed promotion titles: a merged promotion must not build and promote again.
const SKIP_PROMOTION_MERGES: &str = "$CI_PIPELINE_SOURCE == \"push\" && $CI_COMMIT_MESSAGE =~ /(^|\\n)promote\\([a-z0-9-]+\\): |'promote\\/[a-z0-9-]+(\\/[a-z0-9-]+)?'/";

/// The pushed ref in full (`refs/heads/…` or `refs/tags/…`), from GitLab's variables.
const PUSHED_REF: &str =
    "${CI_COMMIT_TAG:+refs/tags/$CI_COMMIT_TAG}${CI_COMMIT_BRANCH:+refs/heads/$CI_COMMIT_BRANCH}";

/// View of the pipeline.
#[derive(Debug, Serialize)]
pub(crate) struct GitlabCiView {
    /// Included from the team's `.gitlab-ci.yml`: no `workflow:` or `stages:` of its own.
    included: bool,
    stages: StageNames,
    check_job: String,
    validate_job: String,
    /// The job that checks the built overlays against the policies.
    policy_job: String,
    skip_promotion_merges: &'static str,
    workflow_rules: Vec<String>,
    /// Merge request pipelines the branch pipeline duplicates (`when: never`).
    duplicate_merge_requests: Vec<String>,
    install: GitlabInstallView,
    images: GitlabImages,
    builder: BuilderView,
    apps: Vec<AppView>,
    /// The validate job, where the tree lives in this repository.
    validate: Option<ValidateView>,
    /// The sync job, with a separate config repository.
    sync: Option<SyncView>,
    promotions: Vec<PromotionView>,
    manual_promotions: Vec<ManualPromotionView>,
    /// The one-shot jobs of `secrets.from_ci`.
    seals: Vec<crate::render::ci::seal::SealJobView>,
    /// The branch their merge requests target.
    seal_base: String,
}

/// The stage of each kind of job.
#[derive(Debug, Serialize)]
struct StageNames {
    check: String,
    test: String,
    build: String,
    validate: String,
    promote: String,
}

/// The job that brings the tree into the config repository.
#[derive(Debug, Serialize)]
struct SyncView {
    job: String,
    needs: Vec<String>,
    /// Pushes of the sync branch.
    rule: String,
    mode: &'static str,
    pull_request: bool,
}

/// Where build jobs run.
#[derive(Debug, Serialize)]
struct BuilderView {
    image: &'static str,
    /// The Docker daemon service, for `builder: docker-in-docker`.
    docker_daemon: Option<&'static str>,
}

#[derive(Debug, Serialize)]
struct AppView {
    name: String,
    test: Option<TestView>,
    build_job: String,
    image: String,
    build: BuildCommands,
}

#[derive(Debug, Serialize)]
struct TestView {
    job: String,
    image: String,
    context: String,
    command: CommandLine,
    services: Vec<ServiceView>,
}

#[derive(Debug, Serialize)]
struct PromotionView {
    job: String,
    environment: String,
    /// GitLab environment name: per branch for previews (`preview/$CI_COMMIT_REF_SLUG`).
    environment_name: String,
    /// The environment's address, which GitLab links from the environment.
    url: Option<String>,
    /// For previews: the manual/auto-stop job that removes the branch's instance.
    stop_job: Option<String>,
    needs: Vec<String>,
    resource_group: String,
    rules: Vec<String>,
    /// `gitops-gen promote --env <env> --app <app> --image <image>:$CI_COMMIT_SHA … --ref … --mode …`.
    promote: ShellCommand,
}

/// A manual job that copies one environment's image into the next.
#[derive(Debug, Serialize)]
struct ManualPromotionView {
    job: String,
    from: String,
    to: String,
    resource_group: String,
    rule: String,
}

impl GitlabCiView {
    /// Spells `plan` for GitLab CI, building images with `builder`; `included` when the file is
    /// included from the team's `.gitlab-ci.yml`.
    pub(crate) fn new(plan: &PipelinePlan, builder: Builder, included: bool) -> GitlabCiView {
        let manual_rule = format!(
            "$CI_PIPELINE_SOURCE == \"web\" || {}",
            equals("CI_COMMIT_BRANCH", plan.gitops.branch)
        );
        let name = |job: &str| named(included, job);
        GitlabCiView {
            included,
            stages: StageNames {
                check: name("check"),
                test: name("test"),
                build: name("build"),
                validate: name("validate"),
                promote: name("promote"),
            },
            check_job: name(CHECK_JOB),
            validate_job: name(VALIDATE_JOB),
            policy_job: name(POLICY_JOB),
            skip_promotion_merges: SKIP_PROMOTION_MERGES,
            workflow_rules: plan.triggers.iter().map(rule).collect(),
            duplicate_merge_requests: duplicate_merge_requests(plan),
            install: GitlabInstallView::new(&plan.install),
            images: pins::GITLAB_IMAGES,
            builder: BuilderView {
                image: match builder {
                    Builder::Buildah => pins::GITLAB_IMAGES.buildah,
                    Builder::DockerInDocker => pins::GITLAB_IMAGES.docker,
                },
                docker_daemon: (builder == Builder::DockerInDocker)
                    .then_some(pins::GITLAB_IMAGES.dind),
            },
            apps: plan
                .apps
                .iter()
                .map(|a| app_view(a, builder, included, plan.install.cache))
                .collect(),
            validate: plan.validates.then(|| ValidateView::new(plan, true)),
            sync: plan.sync.as_ref().map(|sync| SyncView {
                job: name(SYNC_JOB),
                needs: gitlab_needs(plan, &sync.needs)
                    .iter()
                    .map(|job| name(job))
                    .collect(),
                rule: format!(
                    "$CI_PIPELINE_SOURCE == \"push\" && {}",
                    equals("CI_COMMIT_BRANCH", sync.branch.as_str())
                ),
                mode: sync.mode.as_str(),
                pull_request: sync.mode == Promotion::PullRequest,
            }),
            promotions: plan
                .automatic_promotions()
                .map(|p| promotion_view(plan, p, included))
                .collect(),
            manual_promotions: plan
                .manual_steps
                .iter()
                .map(|step| ManualPromotionView {
                    job: name(&step.job),
                    from: step.from.to_owned(),
                    to: step.to.to_owned(),
                    resource_group: resource_group(step.to),
                    rule: manual_rule.clone(),
                })
                .collect(),
            seals: Vec::new(),
            seal_base: plan.gitops.branch.to_owned(),
        }
    }

    /// With the one-shot seal jobs of `secrets.from_ci`.
    pub(crate) fn with_seals(mut self, jobs: Vec<crate::render::ci::seal::SealJobView>) -> Self {
        self.seals = jobs;
        self
    }
}

/// A rule matching pushes of `trigger`: `==` for a literal name, an anchored regex otherwise.
fn rule(trigger: &RefTrigger) -> String {
    let variable = match trigger.kind {
        RefKind::Branch => "CI_COMMIT_BRANCH",
        RefKind::Tag => "CI_COMMIT_TAG",
    };
    matches(variable, trigger)
}

/// Merge request pipelines of this project's branches whose pushes already run the pipeline:
/// the branch pipeline builds and tests the same commit, and GitLab shows it on the merge
/// request when no merge request pipeline runs. Merge requests from forks, and from any other
/// branch (promotion branches among them), keep their pipeline.
fn duplicate_merge_requests(plan: &PipelinePlan) -> Vec<String> {
    plan.triggers
        .iter()
        .filter(|t| t.kind == RefKind::Branch)
        .map(|t| {
            format!(
                "$CI_PIPELINE_SOURCE == \"merge_request_event\" && \
                 $CI_MERGE_REQUEST_SOURCE_PROJECT_ID == $CI_PROJECT_ID && {}",
                matches("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", t)
            )
        })
        .collect()
}

/// `$variable` matches `trigger`'s pattern exactly.
fn matches(variable: &str, trigger: &RefTrigger) -> String {
    let pattern = trigger.pattern;
    if pattern.is_literal() {
        equals(variable, pattern.as_str())
    } else {
        format!("${variable} =~ /{}/", pattern.to_regex())
    }
}

/// `$variable == "text"`. GitLab's string literals end at the first matching quote and have no
/// escapes, so the quote is one `text` does not hold, and text holding both kinds is matched by
/// an anchored regex of its escaped characters instead.
pub(crate) fn equals(variable: &str, text: &str) -> String {
    if !text.contains('"') {
        format!("${variable} == \"{text}\"")
    } else if !text.contains('\'') {
        format!("${variable} == '{text}'")
    } else {
        let mut regex = String::from("^");
        for c in text.chars() {
            if "\\.+*?()|[]{}^$/".contains(c) {
                regex.push('\\');
            }
            regex.push(c);
        }
        format!("${variable} =~ /{regex}$/")
    }
}

/// One promotion of an environment at a time, by hand or not.
fn resource_group(env: &str) -> String {
    format!("promote-{env}")
}

fn app_view(jobs: &AppJobs, builder: Builder, included: bool, layer_cache: bool) -> AppView {
    let app = jobs.app;
    AppView {
        name: app.name.value.clone(),
        test: jobs.test.as_ref().map(|test| TestView {
            job: named(included, &test.job),
            image: app.test_image.clone(),
            context: app.context.clone(),
            command: CommandLine::new(test.command),
            services: test_job::services(app),
        }),
        build_job: named(included, &jobs.build_job),
        image: app.pushed_image(),
        build: BuildCommands::new(jobs, builder, layer_cache),
    }
}

/// `needs`, with GitLab's policy job after the validate job wherever the policies run: on
/// GitHub the validate job checks them itself.
fn gitlab_needs(plan: &PipelinePlan, needs: &[String]) -> Vec<String> {
    let policy = plan.validates && !plan.policy_checks.is_empty();
    needs
        .iter()
        .flat_map(|job| {
            let after = (policy && job == VALIDATE_JOB).then(|| POLICY_JOB.to_owned());
            std::iter::once(job.clone()).chain(after)
        })
        .collect()
}

fn promotion_view(plan: &PipelinePlan, promotion: &PromotionPlan, included: bool) -> PromotionView {
    let name = promotion.env;
    PromotionView {
        job: named(included, &promotion.job),
        environment: name.to_owned(),
        environment_name: if promotion.preview {
            format!("{name}/$CI_COMMIT_REF_SLUG")
        } else {
            name.to_owned()
        },
        url: promotion.url.map(str::to_owned),
        stop_job: promotion
            .preview
            .then(|| named(included, &format!("stop-{name}"))),
        needs: gitlab_needs(plan, &promotion.needs)
            .iter()
            .map(|job| named(included, job))
            .collect(),
        resource_group: resource_group(name),
        rules: promotion.refs.iter().map(rule).collect(),
        // Every app this commit built, in one promotion commit (or one merge request).
        promote: plan
            .apps
            .iter()
            .fold(
                ShellCommand::new("gitops-gen promote --env").arg(name),
                |command, jobs| {
                    command
                        .fixed("--app")
                        .arg(jobs.app.name.value.as_str())
                        .fixed("--image")
                        .arg(
                            ShellWord::text(format!("{}:", jobs.app.pushed_image()))
                                .then_expansion("$CI_COMMIT_SHA"),
                        )
                },
            )
            .fixed("--ref")
            .arg(ShellWord::expansion(PUSHED_REF))
            .fixed("--mode")
            .arg(promotion.mode.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::{SKIP_PROMOTION_MERGES, equals};

    #[test]
    fn string_literals_never_end_early() {
        assert_eq!(equals("B", "main"), "$B == \"main\"");
        assert_eq!(equals("B", "a\"||\"x"), "$B == 'a\"||\"x'");
        assert_eq!(equals("B", "a'\"/b.c"), "$B =~ /^a'\"\\/b\\.c$/");
    }

    /// The merge commits GitLab writes for promotion branches, one app or several, and squashed
    /// promotion subjects match; a merge of any other branch does not.
    #[test]
    fn promotion_merges_are_skipped() -> Result<(), regex::Error> {
        let (_, pattern) = SKIP_PROMOTION_MERGES.split_once("=~ /").unwrap_or_default();
        let pattern = pattern.trim_end_matches('/').replace("\\/", "/");
        let re = regex::Regex::new(&pattern)?;
        for message in [
            "Merge branch 'promote/staging/web' into 'main'",
            "Merge branch 'promote/staging' into 'main'",
            "promote(staging): web, api → 3f9c2e1a0b4d",
            "x\npromote(production): web none → v1",
        ] {
            assert!(re.is_match(message), "{message}");
        }
        for message in [
            "Merge branch 'feature/promote' into 'main'",
            "fix: promote(x) docs",
        ] {
            assert!(!re.is_match(message), "{message}");
        }
        Ok(())
    }
}
