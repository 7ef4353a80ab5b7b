//! What the CI run says about itself: the commit it builds, its page, who and what started it,
//! the token pushes authenticate with, and where GitHub wants step outputs. The command reads the
//! environment variables once into a [`CiEnv`]; promotion only ever sees that value, so tests
//! build one directly.

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

use crate::promote::git_cli;

/// The CI run promotion happens in (GitHub Actions or GitLab CI), or none: every field is empty
/// outside CI.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CiEnv {
    /// The commit the run builds: `GITHUB_SHA`, else `CI_COMMIT_SHA`.
    pub commit: Option<String>,
    /// The run's page: `$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID`, else
    /// `CI_PIPELINE_URL`.
    pub pipeline_url: Option<String>,
    /// Who started the run: `GITHUB_ACTOR`, else `GITLAB_USER_LOGIN`.
    pub actor: Option<String>,
    /// What started the run, in words: `<event> to <ref>` from `GITHUB_EVENT_NAME` and
    /// `GITHUB_REF`, else `<source> pipeline for <ref>` from `CI_PIPELINE_SOURCE` and
    /// `CI_COMMIT_REF_NAME`.
    pub trigger: Option<String>,
    /// The first non-empty of `GITOPS_GEN_TOKEN`, `GITHUB_TOKEN` and `CI_JOB_TOKEN`.
    pub token: Option<Token>,
    /// `GITLAB_CI` is set: pull-request mode opens a merge request through push options.
    pub gitlab: bool,
    /// `GITHUB_OUTPUT`: the file the pull-request step's outputs are appended to.
    pub github_output: Option<PathBuf>,
}

/// A token for HTTPS pushes and the user name its forge expects with it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Token {
    /// `gitlab-ci-token` for a GitLab job token, `oauth2` for other tokens in GitLab CI,
    /// `x-access-token` elsewhere.
    pub user: &'static str,
    pub secret: String,
}

/// Never prints the secret.
impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("user", &self.user)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl CiEnv {
    /// Reads the run from environment variables, as `var` gives them (`std::env::var_os`).
    /// Empty and non-UTF-8 values count as unset, except that `GITLAB_CI` and `GITHUB_OUTPUT`
    /// count whenever they are present.
    pub(crate) fn from_vars(var: impl Fn(&str) -> Option<OsString>) -> CiEnv {
        let text = |name: &str| {
            var(name)
                .and_then(|v| v.into_string().ok())
                .filter(|v| !v.is_empty())
        };
        let gitlab = var("GITLAB_CI").is_some();
        let pipeline_url = match (
            text("GITHUB_SERVER_URL"),
            text("GITHUB_REPOSITORY"),
            text("GITHUB_RUN_ID"),
        ) {
            (Some(server), Some(repo), Some(run)) => {
                Some(format!("{server}/{repo}/actions/runs/{run}"))
            }
            _ => text("CI_PIPELINE_URL"),
        };
        let trigger = match (text("GITHUB_EVENT_NAME"), text("GITHUB_REF")) {
            (Some(event), Some(git_ref)) => Some(format!("{event} to {git_ref}")),
            _ => match (text("CI_PIPELINE_SOURCE"), text("CI_COMMIT_REF_NAME")) {
                (Some(source), Some(name)) => Some(format!("{source} pipeline for {name}")),
                _ => None,
            },
        };
        let token = ["GITOPS_GEN_TOKEN", "GITHUB_TOKEN", "CI_JOB_TOKEN"]
            .into_iter()
            .find_map(|name| Some((name, text(name)?)))
            .map(|(name, secret)| Token {
                user: match name {
                    "CI_JOB_TOKEN" => "gitlab-ci-token",
                    _ if gitlab => "oauth2",
                    _ => "x-access-token",
                },
                secret,
            });
        CiEnv {
            commit: text("GITHUB_SHA").or_else(|| text("CI_COMMIT_SHA")),
            pipeline_url,
            actor: text("GITHUB_ACTOR").or_else(|| text("GITLAB_USER_LOGIN")),
            trigger,
            token,
            gitlab,
            github_output: var("GITHUB_OUTPUT").map(PathBuf::from),
        }
    }

    /// The `(url prefix, Authorization header)` git needs to push to `url` with the token; none
    /// without a token or for a URL that is not HTTP(S).
    pub(crate) fn auth_for(&self, url: &str) -> Option<(String, String)> {
        let token = self.token.as_ref()?;
        git_cli::auth_for(url, &token.secret, token.user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ci(vars: &[(&str, &str)]) -> CiEnv {
        CiEnv::from_vars(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| OsString::from(v))
        })
    }

    #[test]
    fn outside_ci_everything_is_empty() {
        assert_eq!(ci(&[]), CiEnv::default());
    }

    #[test]
    fn github_actions() {
        let env = ci(&[
            ("GITHUB_SHA", "3f9c2e1"),
            ("CI_COMMIT_SHA", "ignored"),
            ("GITHUB_SERVER_URL", "https://github.com"),
            ("GITHUB_REPOSITORY", "acme/shop"),
            ("GITHUB_RUN_ID", "42"),
            ("GITHUB_ACTOR", "octocat"),
            ("GITHUB_EVENT_NAME", "push"),
            ("GITHUB_REF", "refs/heads/main"),
            ("GITOPS_GEN_TOKEN", ""),
            ("GITHUB_TOKEN", "t"),
            ("GITHUB_OUTPUT", "/tmp/out"),
        ]);
        assert_eq!(env.commit.as_deref(), Some("3f9c2e1"));
        assert_eq!(
            env.pipeline_url.as_deref(),
            Some("https://github.com/acme/shop/actions/runs/42")
        );
        assert_eq!(env.actor.as_deref(), Some("octocat"));
        assert_eq!(env.trigger.as_deref(), Some("push to refs/heads/main"));
        let token = env.token.as_ref().map(|t| (t.user, t.secret.as_str()));
        assert_eq!(token, Some(("x-access-token", "t")));
        assert!(!env.gitlab);
        assert_eq!(env.github_output, Some(PathBuf::from("/tmp/out")));
        assert!(!format!("{env:?}").contains("\"t\""));
    }

    #[test]
    fn gitlab_ci() {
        let env = ci(&[
            ("GITLAB_CI", ""),
            ("CI_COMMIT_SHA", "abc"),
            (
                "CI_PIPELINE_URL",
                "https://gitlab.com/acme/shop/-/pipelines/7",
            ),
            ("GITLAB_USER_LOGIN", "dev"),
            ("CI_PIPELINE_SOURCE", "push"),
            ("CI_COMMIT_REF_NAME", "main"),
            ("CI_JOB_TOKEN", "job"),
        ]);
        assert!(env.gitlab);
        assert_eq!(env.commit.as_deref(), Some("abc"));
        assert_eq!(env.trigger.as_deref(), Some("push pipeline for main"));
        assert_eq!(env.token.as_ref().map(|t| t.user), Some("gitlab-ci-token"));
        let other = ci(&[("GITLAB_CI", "true"), ("GITHUB_TOKEN", "t")]);
        assert_eq!(other.token.as_ref().map(|t| t.user), Some("oauth2"));
        assert!(env.auth_for("git@gitlab.com:acme/shop.git").is_none());
        let (prefix, _) = env
            .auth_for("https://gitlab.com/acme/shop.git")
            .unwrap_or_default();
        assert_eq!(prefix, "https://gitlab.com/");
    }
}
