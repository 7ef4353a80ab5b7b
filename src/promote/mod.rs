//! `gitops-gen promote`: sets an app's image for one environment in the GitOps branch.
//!
//! The edit happens in a fresh clone of the GitOps branch in a temporary directory, so the
//! caller's checkout (CI or laptop) is never touched. A rejected push means someone else
//! promoted first: fetch the new tip, re-apply the edit there, and push again with jittered
//! backoff, a bounded number of times.

pub mod edit;
pub mod git_cli;
pub mod message;

use std::path::Path;
use std::time::Duration;

use crate::config::{Config, Promotion};
use crate::error::Error;
use crate::promote::edit::ImageRef;
use crate::promote::git_cli::Git;
use crate::promote::message::Audit;
use crate::render::in_tree;

/// A fully resolved promotion request.
#[derive(Clone, Debug)]
pub struct Request {
    /// Environment name.
    pub env: String,
    /// App name.
    pub app: String,
    /// Image repository (must be the app's).
    pub repository: String,
    /// New tag or digest.
    pub reference: ImageRef,
    /// commit or pull-request.
    pub mode: Promotion,
    /// URL (or path) of the repository that holds the GitOps branch.
    pub url: String,
    /// The GitOps branch.
    pub branch: String,
    /// Overlay path inside that repository.
    pub overlay: String,
    /// Audit record for the commit message.
    pub audit: Audit,
    /// Push attempts.
    pub attempts: u32,
}

/// What a promotion did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Result {
    /// The environment already runs this image; nothing committed.
    Unchanged,
    /// Committed and pushed to the GitOps branch.
    Committed {
        /// The new commit.
        commit: String,
        /// Push attempts used.
        attempts: u32,
    },
    /// Pushed to a promotion branch for a pull/merge request.
    Proposed {
        /// `promote/<env>/<app>`.
        branch: String,
        /// The audit record committed, for the pull request's title and body.
        audit: Box<Audit>,
    },
}

/// Resolves the target of a promotion from the model.
pub fn overlay_path(config: &Config, env: &str) -> String {
    in_tree(
        &config.gitops.path,
        &format!("applications/overlays/{env}/kustomization.yaml"),
    )
}

/// Carries out `request`.
pub fn promote(request: &Request) -> std::result::Result<Result, Error> {
    let token = ["GITOPS_GEN_TOKEN", "GITHUB_TOKEN", "CI_JOB_TOKEN"]
        .iter()
        .find_map(|name| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.is_empty())
                .map(|v| (*name, v))
        });
    let auth = token.and_then(|(name, token)| {
        let user = match name {
            "CI_JOB_TOKEN" => "gitlab-ci-token",
            _ if std::env::var_os("GITLAB_CI").is_some() => "oauth2",
            _ => "x-access-token",
        };
        git_cli::auth_for(&request.url, &token, user)
    });
    let work = tempfile::Builder::new()
        .prefix("gitops-gen-promote-")
        .tempdir()
        .map_err(|e| Error::io("creating a temporary directory", e))?;
    let git = Git::new(work.path(), auth);
    git.run(&["init", "--quiet"])?;
    git.run(&["config", "user.name", "gitops-gen"])?;
    git.run(&["config", "user.email", "gitops-gen@noreply.invalid"])?;
    git.run(&["config", "commit.gpgsign", "false"])?;

    let target_branch = match request.mode {
        Promotion::PullRequest => format!("promote/{}/{}", request.env, request.app),
        _ => request.branch.clone(),
    };
    let mut attempt = 0;
    loop {
        attempt += 1;
        fetch(&git, &request.url, &request.branch)?;
        git.run(&["checkout", "--quiet", "--force", "-B", "work", "FETCH_HEAD"])?;
        let file = work.path().join(&request.overlay);
        let text = std::fs::read_to_string(&file).map_err(|e| {
            Error::Usage(format!(
                "cannot read `{}` on branch `{}` of {}: {e}; run `gitops-gen generate` and commit \
                 the overlay first",
                request.overlay, request.branch, request.url
            ))
        })?;
        let edit = edit::set_image(&text, &request.repository, &request.reference)
            .map_err(|why| Error::Usage(format!("cannot edit `{}`: {why}", request.overlay)))?;
        if !edit.changed {
            return Ok(Result::Unchanged);
        }
        std::fs::write(&file, &edit.text)
            .map_err(|e| Error::io(format!("writing {}", request.overlay), e))?;
        let mut audit = request.audit.clone();
        audit.old = edit.old.clone();
        git.run(&["add", "--", &request.overlay])?;
        let message_file = work.path().join(".git").join("GITOPS_GEN_MSG");
        std::fs::write(&message_file, audit.message())
            .map_err(|e| Error::io("writing the commit message", e))?;
        let message_path = message_file.to_string_lossy().into_owned();
        git.run(&["commit", "--quiet", "--no-verify", "-F", &message_path])?;

        let refspec = format!("HEAD:refs/heads/{target_branch}");
        let mut args = vec!["push", "--porcelain"];
        let push_options = gitlab_merge_request_options(request, &audit);
        if request.mode == Promotion::PullRequest {
            // The promotion branch is rebuilt from the GitOps branch each time, so it holds one
            // commit on the current tip; replacing it is the idempotent update of the proposal.
            args.push("--force");
            for option in &push_options {
                args.push("-o");
                args.push(option);
            }
        }
        args.push(&request.url);
        args.push(&refspec);
        let output = git.output(&args)?;
        if output.status.success() {
            return Ok(match request.mode {
                Promotion::PullRequest => Result::Proposed {
                    branch: target_branch,
                    audit: Box::new(audit),
                },
                _ => Result::Committed {
                    commit: git.run(&["rev-parse", "HEAD"])?,
                    attempts: attempt,
                },
            });
        }
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let rejected = stdout.contains("[rejected]")
            || stdout.contains("[remote rejected]")
            || stderr.contains("non-fast-forward")
            || stderr.contains("fetch first")
            || stderr.contains("cannot lock ref");
        if !rejected {
            return Err(Error::Git(format!(
                "pushing to `{target_branch}` failed: {}",
                stderr.trim()
            )));
        }
        if attempt >= request.attempts {
            return Err(Error::Git(format!(
                "pushing to `{target_branch}` was rejected {attempt} times because other promotions \
                 kept landing first; giving up (raise --retries to wait longer)"
            )));
        }
        std::thread::sleep(backoff(attempt));
    }
}

fn fetch(git: &Git, url: &str, branch: &str) -> std::result::Result<(), Error> {
    let refspec = format!("refs/heads/{branch}");
    git.run(&[
        "fetch",
        "--quiet",
        "--no-tags",
        "--depth",
        "1",
        url,
        &refspec,
    ])
    .map_err(|e| Error::Git(format!("cannot fetch branch `{branch}` from {url}: {e}")))?;
    Ok(())
}

/// GitLab opens (or keeps) a merge request when the push carries these options.
fn gitlab_merge_request_options(request: &Request, audit: &Audit) -> Vec<String> {
    if request.mode != Promotion::PullRequest || std::env::var_os("GITLAB_CI").is_none() {
        return Vec::new();
    }
    vec![
        "merge_request.create".to_owned(),
        format!("merge_request.target={}", request.branch),
        format!("merge_request.title={}", audit.subject()),
        "merge_request.remove_source_branch".to_owned(),
    ]
}

/// Exponential backoff from 200 ms, with up to 100% jitter so racing pipelines spread out.
fn backoff(attempt: u32) -> Duration {
    let base = 200u64.saturating_mul(1 << attempt.min(6));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::from(d.subsec_nanos()))
        .unwrap_or(0);
    let jitter = (nanos ^ u64::from(std::process::id()).wrapping_mul(0x9E37_79B9)) % base.max(1);
    Duration::from_millis(base + jitter)
}

/// Writes step outputs for the GitHub pull-request step (`branch`, `title`, `body`).
pub fn github_outputs(path: &Path, branch: &str, audit: &Audit) -> std::result::Result<(), Error> {
    use std::io::Write;
    let message = audit.message();
    let body = message.split_once("\n\n").map_or("", |(_, b)| b);
    let delimiter = "GITOPS_GEN_EOF_7f3a";
    let text = format!(
        "branch={branch}\ntitle={}\nbody<<{delimiter}\n{body}\n{delimiter}\n",
        audit.subject()
    );
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| Error::io("writing GITHUB_OUTPUT", e))
}
