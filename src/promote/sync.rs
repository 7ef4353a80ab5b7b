//! `gitops-gen sync`: brings the model's tree into the separate config repository through the
//! promotion machinery: a fresh shallow clone of the GitOps branch, the change, one commit, and a
//! push that is retried only when another push moved the branch first.
//!
//! What the tree is and whether it may be written is not decided here: the caller's
//! [`TreeWriter`] plans and writes it on each fetched tip (the write stage, as `generate` runs
//! it), so a hand edit in the config repository is refused before anything is committed, and
//! after a lost race the tree is planned again on the new tip. A config repository without the
//! branch yet (a new, empty repository) gets the tree as its first commit, even in pull-request
//! mode: a pull request needs a branch to go into.

use std::path::Path;
use std::time::Duration;

use crate::error::Error;
use crate::model::Promotion;
use crate::promote::CiEnv;
use crate::promote::message::{body_of, run_trailers};
use crate::promote::proposal::already_proposed;
use crate::promote::push::{Pushed, Target, fetch, lost_race, push, remote_tips};
use crate::promote::{commit, workspace};

/// The branch a sync in pull-request mode proposes from.
pub(crate) const SYNC_BRANCH: &str = "gitops-gen/sync";

/// A resolved sync.
#[derive(Clone, Debug)]
pub(crate) struct SyncRequest {
    /// URL (or path) of the config repository.
    pub url: String,
    /// Its GitOps branch.
    pub branch: String,
    /// `Commit`, or `PullRequest` to push [`SYNC_BRANCH`] and propose it.
    pub mode: Promotion,
    /// The CI run syncing: the push token, the trailers, GitLab's merge request options.
    pub ci: CiEnv,
    /// How many pushes to try before giving up on lost races.
    pub attempts: u32,
    /// The longest one git command may run.
    pub timeout: Duration,
    /// Plan on the current tip, then stop.
    pub dry_run: bool,
}

/// Writes the tree into a checkout of the config repository.
pub(crate) trait TreeWriter {
    /// Writes the tree under `root` (with `dry_run`, only plans it) and returns the
    /// repository-relative paths it created, changed or deleted; none when the checkout already
    /// holds the tree. An error (a refused hand edit) stops the sync before anything is committed.
    fn write(&mut self, root: &Path, dry_run: bool) -> Result<Vec<String>, Error>;
}

/// What a sync did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Synced {
    /// The branch already holds the tree.
    Unchanged,
    /// `--dry-run`: the writer planned these changes.
    WouldSync,
    /// Committed and pushed to the GitOps branch.
    Committed {
        commit: String,
        /// Push attempts used.
        attempts: u32,
    },
    /// Pushed to (or already on) [`SYNC_BRANCH`] for a pull or merge request.
    Proposed {
        /// Whether the branch moved; false when it already proposed exactly this tree.
        changed: bool,
        title: String,
        body: String,
    },
}

/// Carries out `request`, writing the tree with `writer`. `warnings` gets what does not stop it.
pub(crate) fn sync(
    request: &SyncRequest,
    writer: &mut dyn TreeWriter,
    warnings: &mut Vec<String>,
) -> Result<Synced, Error> {
    let (work, git) = workspace(
        "gitops-gen-sync-",
        request.ci.auth_for(&request.url),
        request.timeout,
    )?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let tip = remote_tips(&git, &request.url, &[&request.branch])?.remove(&request.branch);
        match &tip {
            Some(_) => {
                fetch(&git, &request.url, &request.branch)?;
                git.run(&["checkout", "--quiet", "--force", "-B", "work", "FETCH_HEAD"])?;
            }
            None => {
                // A new, empty config repository: the tree becomes the branch's first commit. (A
                // rejected push of it is a race only if the branch appeared meanwhile, and then
                // the next attempt takes the arm above.)
                git.run(&["symbolic-ref", "HEAD", "refs/heads/work"])?;
                git.run(&["read-tree", "--empty"])?;
            }
        }
        git.run(&["clean", "--quiet", "--force", "-d"])?;
        let changed = writer.write(work.path(), request.dry_run)?;
        if changed.is_empty() {
            return Ok(Synced::Unchanged);
        }
        if request.dry_run {
            return Ok(Synced::WouldSync);
        }
        let mut add = vec!["add", "--all", "--"];
        add.extend(changed.iter().map(String::as_str));
        git.run(&add)?;
        let (title, message) = message(&request.ci, &changed);
        commit(&git, work.path(), &message)?;

        let mode = match (request.mode, &tip) {
            (Promotion::PullRequest, None) => {
                warnings.push(format!(
                    "`{}` does not exist in the config repository yet, so the tree is its first \
                     commit instead of a pull request",
                    request.branch
                ));
                Promotion::Commit
            }
            (mode, _) => mode,
        };
        let target = Target {
            url: &request.url,
            branch: &request.branch,
            mode,
            gitlab: request.ci.gitlab,
            attempts: request.attempts,
        };
        let (pushed_branch, expected) = match (mode, &tip) {
            (Promotion::PullRequest, Some(base)) => {
                if already_proposed(&git, &request.url, SYNC_BRANCH, base)? {
                    return Ok(Synced::Proposed {
                        changed: false,
                        title,
                        body: body_of(&message),
                    });
                }
                let now = remote_tips(&git, &request.url, &[SYNC_BRANCH])?.remove(SYNC_BRANCH);
                (SYNC_BRANCH, now)
            }
            _ => (request.branch.as_str(), tip.clone()),
        };
        match push(&git, &target, pushed_branch, &title)? {
            Pushed::Yes if mode == Promotion::PullRequest => {
                return Ok(Synced::Proposed {
                    changed: true,
                    title,
                    body: body_of(&message),
                });
            }
            Pushed::Yes => {
                return Ok(Synced::Committed {
                    commit: git.run(&["rev-parse", "HEAD"])?,
                    attempts: attempt,
                });
            }
            Pushed::Rejected(said) => {
                lost_race(
                    &git,
                    &target,
                    pushed_branch,
                    expected.as_deref(),
                    &said,
                    attempt,
                )?;
            }
        }
    }
}

/// The commit's subject and whole message: the files, then the run's trailers. Without
/// `[skip ci]`: the config repository's own pipeline validates the tree.
fn message(ci: &CiEnv, changed: &[String]) -> (String, String) {
    let subject = match &ci.commit {
        Some(commit) => format!(
            "sync: gitops-gen tree from {}",
            commit.get(..12).unwrap_or(commit)
        ),
        None => "sync: gitops-gen tree".to_owned(),
    };
    let mut message = format!("{subject}\n\nWritten from gitops-gen.yaml by `gitops-gen sync`:\n");
    for path in changed {
        message.push_str(&format!("- {path}\n"));
    }
    message.push('\n');
    message.push_str(&run_trailers(
        ci.commit.as_deref(),
        ci.pipeline_url.as_deref(),
        ci.actor.as_deref(),
    ));
    (subject, message)
}
