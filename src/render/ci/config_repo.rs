//! RENDER stage: the pipelines of a separate config repository. Its tree is what the operator
//! reads, so that repository validates it itself, on pushes of the GitOps branch and on every pull
//! or merge request there (the promotions and syncs proposed into it); the application
//! repository's pipeline then has no validate job.

use serde::Serialize;

use crate::model::Config;
use crate::render::ci::gitlab::equals;
use crate::render::ci::pins::{self, ActionPins, GitlabImages};
use crate::render::ci::validate::ValidateView;
use crate::render::plan::PipelinePlan;

/// Template of the GitHub workflow.
pub(crate) const GITHUB_TEMPLATE: &str = "ci/github/gitops-validate.yml.j2";
/// Where the GitHub workflow goes in the config repository.
pub(crate) const GITHUB_OUTPUT: &str = ".github/workflows/gitops-validate.yml";
/// Template of the GitLab pipeline.
pub(crate) const GITLAB_TEMPLATE: &str = "ci/gitlab/gitops-validate.gitlab-ci.yml.j2";
/// Where the GitLab pipeline goes in the config repository.
pub(crate) const GITLAB_OUTPUT: &str = ".gitlab-ci.yml";

/// View of the GitHub workflow.
#[derive(Debug, Serialize)]
pub(crate) struct GithubValidateView {
    /// The GitOps branch, a literal name.
    branch: String,
    actions: ActionPins,
    validate: ValidateView,
}

impl GithubValidateView {
    pub(crate) fn new(config: &Config, plan: &PipelinePlan) -> GithubValidateView {
        GithubValidateView {
            branch: config.gitops.branch.clone(),
            actions: pins::ACTIONS,
            validate: ValidateView::new(plan, false),
        }
    }
}

/// View of the GitLab pipeline.
#[derive(Debug, Serialize)]
pub(crate) struct GitlabValidateView {
    /// Pushes of the GitOps branch.
    branch_rule: String,
    images: GitlabImages,
    validate: ValidateView,
}

impl GitlabValidateView {
    pub(crate) fn new(config: &Config, plan: &PipelinePlan) -> GitlabValidateView {
        GitlabValidateView {
            branch_rule: equals("CI_COMMIT_BRANCH", &config.gitops.branch),
            images: pins::GITLAB_IMAGES,
            validate: ValidateView::new(plan, false),
        }
    }
}
