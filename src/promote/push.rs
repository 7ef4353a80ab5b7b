//! Fetching the GitOps branch and pushing to it. Whether a rejected push lost a race is decided
//! from what gitops-gen sees on the remote afterwards, never from the remote's words: only when
//! the pushed branch moved did another push land first, and only then is the edit decided again
//! on the new tip, right away. A rejection of a branch that did not move (a hook, a protected
//! branch, a missing permission, whatever the server prints) stops at once.

use std::collections::BTreeMap;

use crate::error::Error;
use crate::model::Promotion;
use crate::promote::git_cli::{self, Git};

/// Where pushes go, and how hard to try: what a promotion and a sync share.
pub(crate) struct Target<'a> {
    /// URL (or path) of the repository that holds the GitOps branch.
    pub(crate) url: &'a str,
    /// The GitOps branch.
    pub(crate) branch: &'a str,
    /// `PullRequest` pushes a proposal branch (replacing it); anything else the GitOps branch.
    pub(crate) mode: Promotion,
    /// Open GitLab merge requests through push options.
    pub(crate) gitlab: bool,
    /// How many pushes to try before giving up on lost races.
    pub(crate) attempts: u32,
}

/// How a push ended, when git could run it in time.
pub(super) enum Pushed {
    /// The remote took it.
    Yes,
    /// The remote did not take it; what git and the server said, for the error message.
    Rejected(String),
}

/// Pushes HEAD to `target_branch`.
pub(super) fn push(
    git: &Git,
    request: &Target,
    target_branch: &str,
    title: &str,
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
    args.push(request.url);
    args.push(&refspec);
    let output = git.output(&args)?;
    if output.status.success() {
        return Ok(Pushed::Yes);
    }
    // `--porcelain` prints the per-ref verdict (`!` for a rejected ref) on stdout.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let verdicts = stdout.lines().filter(|l| l.starts_with('!'));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let said: Vec<String> = stderr
        .lines()
        .chain(verdicts)
        .map(|l| l.trim().replace('\t', " "))
        .filter(|l| !l.is_empty())
        .collect();
    Ok(Pushed::Rejected(git_cli::redact_urls(&said.join("\n"))))
}

/// After `push` came back rejected: `Ok(tip of the GitOps branch)` when `target_branch` no
/// longer points at `expected` (its tip before the push; `None` when it did not exist), which
/// only another push can have done; the error to stop with otherwise.
pub(super) fn lost_race(
    git: &Git,
    request: &Target,
    target_branch: &str,
    expected: Option<&str>,
    said: &str,
    attempt: u32,
) -> std::result::Result<Option<String>, Error> {
    let tips = remote_tips(git, request.url, &[request.branch, target_branch])?;
    let still = tips.get(target_branch).map(String::as_str) == expected;
    moved_or_refused(request, target_branch, still, said, attempt)?;
    Ok(tips.get(request.branch).cloned())
}

/// The error to stop with after a rejected push: `target_branch` did not move (`still`), so no
/// other push won a race and the remote refused this one; or it moved, but the last attempt is
/// spent.
pub(super) fn moved_or_refused(
    request: &Target,
    target_branch: &str,
    still: bool,
    said: &str,
    attempt: u32,
) -> std::result::Result<(), Error> {
    if still {
        return Err(Error::Git(format!(
            "the remote refused the push to `{target_branch}`, and `{target_branch}` did not \
             move, so this is not a race with another push; nothing was pushed. The remote \
             said:\n{said}"
        )));
    }
    if attempt >= request.attempts {
        return Err(Error::Git(format!(
            "pushing to `{target_branch}` was rejected {attempt} times, each time after \
             `{target_branch}` had moved: other pushes kept landing first; giving up (raise \
             --retries to wait longer)"
        )));
    }
    Ok(())
}

/// The commits `branches` point at on the remote at `url`; a branch that does not exist is
/// missing from the map.
pub(super) fn remote_tips(
    git: &Git,
    url: &str,
    branches: &[&str],
) -> std::result::Result<BTreeMap<String, String>, Error> {
    let refs: Vec<String> = branches.iter().map(|b| format!("refs/heads/{b}")).collect();
    let mut args = vec!["ls-remote", url];
    args.extend(refs.iter().map(String::as_str));
    let listing = git.run(&args).map_err(|e| {
        let url = git_cli::redact_urls(url);
        Error::Git(format!("cannot list the branches of {url}: {e}"))
    })?;
    // `ls-remote` matches patterns by suffix; keep the exact names only.
    Ok(listing
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .filter_map(|(commit, name)| {
            let branch = name.strip_prefix("refs/heads/")?;
            branches
                .contains(&branch)
                .then(|| (branch.to_owned(), commit.to_owned()))
        })
        .collect())
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
fn gitlab_merge_request_options(request: &Target, title: &str) -> Vec<String> {
    if request.mode != Promotion::PullRequest || !request.gitlab {
        return Vec::new();
    }
    vec![
        "merge_request.create".to_owned(),
        format!("merge_request.target={}", request.branch),
        format!("merge_request.title={title}"),
        "merge_request.remove_source_branch".to_owned(),
    ]
}
