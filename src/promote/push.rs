//! Fetching the GitOps branch and pushing to it: a push rejected because another promotion
//! landed first comes back as a lost race, to be decided again on the new tip after a jittered
//! backoff; any other failure stops.

use std::time::Duration;

use crate::error::Error;
use crate::model::Promotion;
use crate::promote::Request;
use crate::promote::git_cli::{self, Git};

/// How a push ended, when it did not fail outright.
pub(super) enum Pushed {
    /// The remote took it.
    Yes,
    /// Another promotion landed first; decide again on the new tip.
    LostRace,
}

/// Pushes HEAD to `target_branch`. Only lost races come back for a retry; a protected branch or
/// a missing permission also shows as "[remote rejected]", and retrying it would only hide why.
pub(super) fn push(
    git: &Git,
    request: &Request,
    target_branch: &str,
    title: &str,
    attempt: u32,
) -> std::result::Result<Pushed, Error> {
    let refspec = format!("HEAD:refs/heads/{target_branch}");
    let mut args = vec!["push", "--porcelain"];
    let push_options = gitlab_merge_request_options(request, title);
    if request.mode == Promotion::PullRequest {
        // The promotion branch is rebuilt on the GitOps branch each time, so it holds one
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
        return Ok(Pushed::Yes);
    }
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let lost_race = [
        "cannot lock ref",
        "failed to update ref",
        "incorrect old value",
        // Another push holds the ref's lock file at this very moment.
        ".lock': File exists",
        "failed to lock",
    ];
    let rejected = stdout.contains("[rejected]")
        || stderr.contains("non-fast-forward")
        || stderr.contains("fetch first")
        || (stdout.contains("[remote rejected]")
            && lost_race
                .iter()
                .any(|m| stdout.contains(m) || stderr.contains(m)));
    if !rejected {
        return Err(Error::Git(format!(
            "pushing to `{target_branch}` failed: {}",
            git_cli::redact_urls(stderr.trim())
        )));
    }
    if attempt >= request.attempts {
        return Err(Error::Git(format!(
            "pushing to `{target_branch}` was rejected {attempt} times because other \
             promotions kept landing first; giving up (raise --retries to wait longer)"
        )));
    }
    Ok(Pushed::LostRace)
}

pub(super) fn fetch(git: &Git, url: &str, branch: &str) -> std::result::Result<(), Error> {
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
    .map_err(|e| {
        let url = git_cli::redact_urls(url);
        Error::Git(format!("cannot fetch branch `{branch}` from {url}: {e}"))
    })?;
    Ok(())
}

/// GitLab opens (or keeps) a merge request when the push carries these options.
fn gitlab_merge_request_options(request: &Request, title: &str) -> Vec<String> {
    if request.mode != Promotion::PullRequest || !request.ci.gitlab {
        return Vec::new();
    }
    vec![
        "merge_request.create".to_owned(),
        format!("merge_request.target={}", request.branch),
        format!("merge_request.title={title}"),
        "merge_request.remove_source_branch".to_owned(),
    ]
}

/// Exponential backoff from 100 ms, with up to 100% jitter so racing pipelines spread out.
pub(super) fn backoff(attempt: u32) -> Duration {
    let base = 100u64.saturating_mul(1 << attempt.saturating_sub(1).min(6));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::from(d.subsec_nanos()))
        .unwrap_or(0);
    let jitter = (nanos ^ u64::from(std::process::id()).wrapping_mul(0x9E37_79B9)) % base.max(1);
    Duration::from_millis(base + jitter)
}
