//! RENDER stage: the view model of `.gitlab-ci.yml`.
//!
//! Branch and tag patterns become anchored `=~` regexes here, so GitLab runs a promotion for
//! exactly the refs the model maps to the environment.

use serde::Serialize;

use crate::model::glob::RefPattern;
use crate::model::{Config, Promotion};
use crate::render::github::promotion_chain;
use crate::render::install::InstallView;
use crate::render::pins::{self, GitlabImages};
use crate::render::validate::ValidateView;
use crate::render::{registry_host, shell_word};

/// Template name.
pub(crate) const TEMPLATE: &str = "ci/gitlab/gitlab-ci.yml.j2";
/// Output path.
pub(crate) const OUTPUT: &str = ".gitlab-ci.yml";

/// View model of the pipeline.
#[derive(Debug, Serialize)]
pub(crate) struct GitlabCiView {
    workflow_rules: Vec<String>,
    install: InstallView,
    images: GitlabImages,
    builder: &'static str,
    apps: Vec<AppView>,
    validate: ValidateView,
    promotions: Vec<PromotionView>,
    manual_promotions: Vec<ManualPromotionView>,
    skip_promotion_merges: &'static str,
    /// The pushed ref in full (`refs/heads/...` or `refs/tags/...`) from GitLab's variables.
    ref_expression: &'static str,
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

#[derive(Debug, Serialize)]
struct AppView {
    name: String,
    test: Option<String>,
    test_image: String,
    test_job: String,
    build_job: String,
    image: String,
    context_shell: String,
    dockerfile_shell: String,
    registry_host: String,
}

#[derive(Debug, Serialize)]
struct PromotionView {
    job: String,
    environment: String,
    /// GitLab environment name: per branch for previews (`preview/$CI_COMMIT_REF_SLUG`).
    environment_name: String,
    /// For previews: the manual/auto-stop job that removes the branch's instance.
    stop_job: Option<String>,
    needs: Vec<String>,
    resource_group: String,
    rules: Vec<String>,
    mode: &'static str,
    apps: Vec<PromoteAppView>,
}

#[derive(Debug, Serialize)]
struct PromoteAppView {
    name: String,
    image: String,
}

fn rule(variable: &str, pattern: &RefPattern) -> String {
    if pattern.is_literal() {
        format!(
            "${variable} == \"{}\"",
            pattern.as_str().replace('"', "\\\"")
        )
    } else {
        format!("${variable} =~ /{}/", pattern.to_regex())
    }
}

impl GitlabCiView {
    /// Builds the view from the model.
    pub(crate) fn new(config: &Config) -> GitlabCiView {
        let mut workflow_rules: Vec<String> = Vec::new();
        let mut promotions = Vec::new();
        let apps: Vec<AppView> = config
            .apps
            .iter()
            .map(|app| {
                let name = &app.name.value;
                AppView {
                    name: name.clone(),
                    test: app.test.clone(),
                    test_image: app.test_image.clone(),
                    test_job: format!("test-{name}"),
                    build_job: format!("build-{name}"),
                    image: app.image.clone(),
                    context_shell: shell_word(&app.context),
                    dockerfile_shell: shell_word(&app.dockerfile),
                    registry_host: shell_word(registry_host(&app.image)),
                }
            })
            .collect();
        let mut needs = vec!["check".to_owned(), "validate".to_owned()];
        needs.extend(apps.iter().map(|a| a.build_job.clone()));
        for env in &config.environments {
            let rules: Vec<String> = env
                .branches
                .iter()
                .map(|b| rule("CI_COMMIT_BRANCH", &b.value))
                .chain(env.tags.iter().map(|t| rule("CI_COMMIT_TAG", &t.value)))
                .collect();
            for r in &rules {
                if !workflow_rules.contains(r) {
                    workflow_rules.push(r.clone());
                }
            }
            if env.promotion == Promotion::Manual || rules.is_empty() {
                continue;
            }
            let name = &env.name.value;
            promotions.push(PromotionView {
                job: format!("promote-{name}"),
                environment: name.clone(),
                environment_name: if env.preview {
                    format!("{name}/$CI_COMMIT_REF_SLUG")
                } else {
                    name.clone()
                },
                stop_job: env.preview.then(|| format!("stop-{name}")),
                needs: needs.clone(),
                resource_group: format!("promote-{name}"),
                rules,
                mode: env.promotion.as_str(),
                apps: config
                    .apps
                    .iter()
                    .map(|a| PromoteAppView {
                        name: a.name.value.clone(),
                        image: a.image.clone(),
                    })
                    .collect(),
            });
        }
        let chain = promotion_chain(config);
        let manual_promotions = chain
            .windows(2)
            .map(|pair| ManualPromotionView {
                job: format!("promote-{}-to-{}", pair[0], pair[1]),
                from: pair[0].to_owned(),
                to: pair[1].to_owned(),
                resource_group: format!("promote-{}", pair[1]),
                rule: format!(
                    "$CI_PIPELINE_SOURCE == \"web\" || $CI_COMMIT_BRANCH == \"{}\"",
                    config.gitops.branch
                ),
            })
            .collect();
        GitlabCiView {
            ref_expression: "${CI_COMMIT_TAG:+refs/tags/$CI_COMMIT_TAG}${CI_COMMIT_BRANCH:+refs/heads/$CI_COMMIT_BRANCH}",
            manual_promotions,
            // Merge commits of `promote/<env>/<app>` branches and squashed promotion titles.
            skip_promotion_merges: "$CI_PIPELINE_SOURCE == \"push\" && $CI_COMMIT_MESSAGE =~ /(^|\\n)promote\\([a-z0-9-]+\\): |'promote\\/[a-z0-9-]+\\/[a-z0-9-]+'/",
            workflow_rules,
            install: InstallView::new(config, ""),
            images: pins::GITLAB_IMAGES,
            builder: config.gitlab.builder.as_str(),
            apps,
            validate: ValidateView::new(config),
            promotions,
        }
    }
}
