//! `gitops-gen promote`: sets the images of one or more apps for one environment in the GitOps
//! branch, as one commit.
//!
//! The edit happens in a fresh clone of the GitOps branch in a temporary directory, so the
//! caller's checkout (CI or laptop) is never touched. A rejected push lost a race only when the
//! remote shows the branch moved; then fetch the new tip, re-apply the edit there at once, and
//! push again, a bounded number of times. `process` puts every git command
//! under the request's timeout and cleans up on termination signals.
//!
//! The command hands over one [`Request`] per app with everything resolved, the CI run included
//! as a [`CiEnv`]; nothing here reads environment variables. `stage` decides and makes one
//! app's edit on the fetched tip, `push` fetches and pushes, `ancestry`
//! refuses downgrades, `proposal` serves pull-request mode, `preview` creates and removes
//! per-branch instances, `edit` changes the overlay's bytes, `helm` the image values of a Helm
//! app, and `message` writes the commit message.

mod ancestry;
pub(crate) mod ci_env;
pub(crate) mod edit;
pub(crate) mod git_cli;
pub(crate) mod helm;
pub(crate) mod message;
pub(crate) mod preview;
mod process;
mod proposal;
mod push;
mod stage;
pub(crate) mod sync;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub(crate) use ci_env::CiEnv;
pub(crate) use proposal::github_outputs;

use crate::error::Error;
use crate::model::Promotion;
use crate::promote::edit::ImageRef;
use crate::promote::git_cli::Git;
use crate::promote::message::{Audit, body_of, compose, subject};
use crate::promote::preview::{create_instance, removal_message, remove_instance};
use crate::promote::proposal::already_proposed;
use crate::promote::push::{Pushed, Target, fetch, lost_race, moved_or_refused, push, remote_tips};
use crate::promote::stage::{Staged, stage, verify_rendered};

/// Where the new image comes from.
#[derive(Clone, Debug)]
pub(crate) enum Source {
    /// An image built by this pipeline (`--image`).
    Image {
        /// The tag or digest.
        reference: ImageRef,
        /// The commit it was built from, when known.
        source_commit: Option<String>,
    },
    /// `--remove`: nothing moves; a preview instance goes away.
    Nothing,
    /// Whatever another environment runs (`--from`).
    Environment {
        /// The environment to copy from.
        env: String,
        /// Its overlay path.
        overlay: String,
        /// For a Helm app, its image values file there.
        image_values: Option<String>,
    },
}

/// A fully resolved promotion request.
#[derive(Clone, Debug)]
pub(crate) struct Request {
    pub env: String,
    pub app: String,
    /// The app's image repository.
    pub repository: String,
    pub source: Source,
    /// Commit or pull request (manual promotion commits).
    pub mode: Promotion,
    /// URL (or path) of the repository that holds the GitOps branch.
    pub url: String,
    /// The GitOps branch.
    pub branch: String,
    /// Overlay path inside that repository.
    pub overlay: String,
    /// Audit record for the commit message (old/new are filled in per attempt).
    pub audit: Audit,
    /// How many pushes to try before giving up on lost races.
    pub attempts: u32,
    /// Allow moving to an older source commit.
    pub allow_rollback: bool,
    /// Fail when a newer build got there first, instead of skipping with a notice.
    pub fail_if_superseded: bool,
    /// Checkout of the app repository, where source commits' ancestry is looked up.
    pub app_repo: Option<PathBuf>,
    /// Decide everything against the current tip, but commit and push nothing.
    pub dry_run: bool,
    /// For a preview environment: the branch's own instance (`overlay` is its kustomization).
    pub preview: Option<preview::Instance>,
    /// Remove the preview instance instead of promoting into it.
    pub remove: bool,
    /// Project name, for labels of created namespaces.
    pub project: String,
    /// The CI run promoting: the push token, and whether GitLab opens merge requests.
    pub ci: CiEnv,
    /// The longest one git command (a fetch, a push) may run before it is stopped.
    pub timeout: Duration,
    /// How the overlay comes to run the app: the first promotion into an environment adds it.
    pub inclusion: Option<Inclusion>,
    /// For a Helm app: where its image goes instead of the overlay's `images:`.
    pub helm: Option<helm::HelmTarget>,
}

impl Request {
    /// Where this promotion pushes.
    fn target(&self) -> Target<'_> {
        Target {
            url: &self.url,
            branch: &self.branch,
            mode: self.mode,
            gitlab: self.ci.gitlab,
            attempts: self.attempts,
        }
    }
}

/// The `resources:` entries of an overlay that make it run an app, relative to the overlay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Inclusion {
    /// The app's own base (`../../base/web`, `../../../k8s/web`).
    pub entry: String,
    /// The list of every app's base (`../../base`), which overlays written before per-app
    /// entries include: with it the app is already there, and adding its base would add it twice.
    /// `None` for a Helm app, which that list never held, and for an app Flagger rolls out,
    /// whose entry brings the base with its Canary.
    pub all: Option<String>,
    /// Entries that ran the app before and go when `entry` comes: the app's base when Flagger
    /// starts rolling it out there, its rollout folder when Flagger stops.
    pub replaces: Option<String>,
}

impl Inclusion {
    /// Whether the kustomization `text` runs the app: it lists the app's base or every app.
    fn holds(&self, text: &str) -> std::result::Result<bool, String> {
        let listed = edit::resources(text)?;
        Ok(listed
            .iter()
            .any(|r| Some(r) == self.all.as_ref() || *r == self.entry))
    }

    /// `text` with the app's base listed in `resources:`, unless it runs the app already.
    fn apply(&self, text: &str) -> std::result::Result<String, String> {
        let mut text = text.to_owned();
        if let Some(old) = &self.replaces
            && edit::resources(&text)?.contains(old)
        {
            text = edit::remove_resource(&text, old)?;
        }
        if self.holds(&text)? {
            return Ok(text);
        }
        edit::add_resource(&text, &self.entry)
    }
}

/// What a promotion did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Promoted {
    /// The environment already runs this image; nothing committed.
    Unchanged,
    /// Committed and pushed to the GitOps branch.
    Committed {
        /// The new commit.
        commit: String,
        /// Push attempts used.
        attempts: u32,
    },
    /// A preview instance was removed (`--remove`).
    Removed {
        /// The new commit.
        commit: String,
    },
    /// A newer build already runs (or is proposed) there: nothing committed, and not a
    /// failure, since the older pipeline simply lost the race. The sentence says which.
    Superseded {
        /// Why, naming both source commits.
        message: String,
    },
    /// `--dry-run`: what would be committed.
    WouldCommit {
        /// The unified diff of the overlay.
        diff: String,
        /// The commit message.
        message: String,
    },
    /// Pushed to (or already on) a promotion branch for a pull/merge request.
    Proposed {
        /// `promote/<env>/<app>`, or `promote/<env>` for several apps.
        branch: String,
        /// Whether the branch moved; false when it already proposed exactly this change.
        changed: bool,
        /// The pull request's title: the commit's subject.
        title: String,
        /// Its body: the rest of the commit message.
        body: String,
    },
}

/// Carries out `requests`, one per app (or one removal), into one environment as one commit
/// (one proposal). Warnings that do not stop the promotion are appended to `warnings`, among
/// them the apps superseded there, which are left out while the commit holds the rest. All
/// requests share the environment, mode, repository and settings of the first; only the app,
/// its image and its edit differ.
pub(crate) fn promote_all(
    requests: &[Request],
    warnings: &mut Vec<String>,
) -> std::result::Result<Promoted, Error> {
    let Some(request) = requests.first() else {
        return Ok(Promoted::Unchanged);
    };
    let (work, git) = workspace(
        "gitops-gen-promote-",
        request.ci.auth_for(&request.url),
        request.timeout,
    )?;

    let target_branch = match (request.mode, requests) {
        (Promotion::PullRequest, [one]) => format!("promote/{}/{}", one.env, one.app),
        (Promotion::PullRequest, _) => format!("promote/{}", request.env),
        _ => request.branch.clone(),
    };
    let mut attempt = 0;
    // After a lost race: the GitOps branch's tip the remote showed when the race was decided,
    // or `Fetched` when deciding it fetched that tip already.
    let mut seen = Lost::First;
    loop {
        attempt += 1;
        if !matches!(seen, Lost::Fetched)
            && let Err(e) = fetch(&git, &request.url, &request.branch)
        {
            // After a lost race the branch can move again between git listing it and fetching
            // it; a move seen on the remote is one more lost race. Anything else stops.
            match refetch_race(&git, request, &seen, attempt) {
                Some(tip) => {
                    seen = Lost::Listed(tip);
                    continue;
                }
                None => return Err(e),
            }
        }
        git.run(&["checkout", "--quiet", "--force", "-B", "work", "FETCH_HEAD"])?;
        let base = fetched_tip(&git)?;

        if let Some(instance) = &request.preview {
            let exists = work.path().join(&instance.kustomization).is_file();
            if request.remove {
                if !exists {
                    return Ok(Promoted::Unchanged);
                }
                remove_instance(&git, request, instance, work.path())?;
                if request.dry_run {
                    let message = removal_message(request, instance);
                    return Ok(Promoted::WouldCommit {
                        diff: String::new(),
                        message,
                    });
                }
                let title = format!("remove preview {}", instance.branch);
                match push(&git, &request.target(), &request.branch, &title)? {
                    Pushed::Yes => {
                        return Ok(Promoted::Removed {
                            commit: git.run(&["rev-parse", "HEAD"])?,
                        });
                    }
                    Pushed::Rejected(said) => {
                        let target = request.target();
                        seen = lost(&git, &target, &request.branch, Some(&base), &said, attempt)?;
                        continue;
                    }
                }
            }
            if !exists {
                create_instance(&git, request, instance, work.path())?;
            }
        }

        // Everything below is decided against this tip; after a rejected push it is decided
        // again against the new one, so a newer promotion that landed meanwhile is respected.
        // Each app is staged on the tree the ones before it edited.
        let mut audits = Vec::new();
        let mut files: Vec<(String, String, String)> = Vec::new();
        let mut superseded = Vec::new();
        let mut unverified = Vec::new();
        for part in requests {
            match stage(part, &git, work.path(), &target_branch, warnings)? {
                Staged::Unchanged => {}
                Staged::Superseded(message) => superseded.push(message),
                Staged::Edited {
                    audit,
                    changed,
                    unverified: reference,
                } => {
                    unverified.extend(reference.map(|r| (part, r)));
                    for (file, old, new) in changed {
                        match files.iter_mut().find(|(f, _, _)| *f == file) {
                            Some(entry) => entry.2 = new,
                            None => files.push((file, old, new)),
                        }
                    }
                    audits.push(*audit);
                }
            }
        }
        verify_rendered(&unverified, work.path(), warnings)?;
        if audits.is_empty() {
            return Ok(match superseded.is_empty() {
                true => Promoted::Unchanged,
                false => Promoted::Superseded {
                    message: superseded.join("\n"),
                },
            });
        }
        // A proposal's commit runs the checks of its pull or merge request; a direct one must
        // not build and promote again.
        let proposal = request.mode == Promotion::PullRequest;
        let (subject, message) = (subject(&audits), compose(&audits, !proposal));
        if request.dry_run {
            warnings.extend(superseded);
            let diff = files
                .iter()
                .map(|(file, old, new)| crate::files::diff::unified(file, old, new, false))
                .collect();
            return Ok(Promoted::WouldCommit { diff, message });
        }
        let mut add = vec!["add", "--"];
        add.extend(files.iter().map(|(file, _, _)| file.as_str()));
        git.run(&add)?;
        commit(&git, work.path(), &message)?;

        if request.mode == Promotion::PullRequest
            && already_proposed(&git, &request.url, &target_branch, &base)?
        {
            warnings.extend(superseded);
            return Ok(Promoted::Proposed {
                branch: target_branch,
                changed: false,
                title: subject,
                body: body_of(&message),
            });
        }
        // What the pushed branch points at now: a rejected push lost a race only if it moved.
        let expected = match request.mode {
            Promotion::PullRequest => {
                remote_tips(&git, &request.url, &[&target_branch])?.remove(&target_branch)
            }
            _ => Some(base.clone()),
        };
        match push(&git, &request.target(), &target_branch, &subject)? {
            Pushed::Yes => {
                warnings.extend(superseded);
                return Ok(match request.mode {
                    Promotion::PullRequest => Promoted::Proposed {
                        branch: target_branch,
                        changed: true,
                        title: subject,
                        body: body_of(&message),
                    },
                    _ => Promoted::Committed {
                        commit: git.run(&["rev-parse", "HEAD"])?,
                        attempts: attempt,
                    },
                });
            }
            Pushed::Rejected(said) => {
                let (target, expected) = (request.target(), expected.as_deref());
                seen = lost(&git, &target, &target_branch, expected, &said, attempt)?;
            }
        }
    }
}

/// Where a promotion stands on the GitOps branch's tip before an attempt.
enum Lost {
    /// No race lost yet: fetch the tip.
    First,
    /// A race was lost, and the remote listed this tip (`None`: the branch was gone); fetch.
    Listed(Option<String>),
    /// A race was lost, and deciding that fetched the new tip already.
    Fetched,
}

/// After a rejected push: whether another push moved `target_branch` first (a lost race, decided
/// again right away on the new tip: each lost race means another promotion landed, so retrying
/// at once cannot starve everyone, and sleeping would only add latency), or the error to stop
/// with. A direct push fetches the GitOps branch to decide, which is the fetch the next attempt
/// needs anyway; a proposal lists the remote's branches.
fn lost(
    git: &Git,
    target: &Target,
    target_branch: &str,
    expected: Option<&str>,
    said: &str,
    attempt: u32,
) -> std::result::Result<Lost, Error> {
    if target_branch != target.branch {
        return lost_race(git, target, target_branch, expected, said, attempt).map(Lost::Listed);
    }
    fetch(git, target.url, target.branch)?;
    let now = fetched_tip(git)?;
    moved_or_refused(
        target,
        target_branch,
        expected == Some(now.as_str()),
        said,
        attempt,
    )?;
    Ok(Lost::Fetched)
}

/// After a failed re-fetch: `Some(new tip)` when the GitOps branch moved again since the lost race
/// that caused the re-fetch (and attempts remain), `None` when the failure has another cause.
fn refetch_race(git: &Git, request: &Request, seen: &Lost, attempt: u32) -> Option<Option<String>> {
    let Lost::Listed(seen) = seen else {
        return None;
    };
    if attempt >= request.attempts {
        return None;
    }
    let mut tips = remote_tips(git, &request.url, &[&request.branch]).ok()?;
    let now = tips.remove(&request.branch);
    (now != *seen).then_some(now)
}

/// The commit the last fetch brought, from `FETCH_HEAD` (its first line starts with the
/// object name), or from `git rev-parse` if that file says something else.
fn fetched_tip(git: &Git) -> std::result::Result<String, Error> {
    let written = std::fs::read_to_string(git.dir().join(".git").join("FETCH_HEAD"));
    let name = written
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .next();
    match name {
        Some(n) if matches!(n.len(), 40 | 64) && n.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(n.to_owned())
        }
        _ => git.run(&["rev-parse", "FETCH_HEAD"]),
    }
}

/// An empty repository in a temporary directory (removed on drop and on termination signals),
/// set up to commit as gitops-gen, and git for it with `auth` and `timeout`.
fn workspace(
    prefix: &str,
    auth: Option<(String, String)>,
    timeout: Duration,
) -> std::result::Result<(process::Workspace, Git), Error> {
    let work = process::Workspace::new(prefix)
        .map_err(|e| Error::io("creating a temporary directory", e))?;
    let git = Git::new(work.path(), auth, timeout);
    git.run(&["init", "--quiet"])?;
    // Written into the new repository's config rather than set with `git config`, which costs a
    // process per key. No automatic maintenance: a throwaway clone gains nothing from it.
    let config = work.path().join(".git").join("config");
    let mut text = std::fs::read_to_string(&config)
        .map_err(|e| Error::io("reading the temporary repository's config", e))?;
    text.push_str(
        "[user]\n\tname = gitops-gen\n\temail = gitops-gen@noreply.invalid\n         [commit]\n\tgpgsign = false\n[maintenance]\n\tauto = false\n",
    );
    std::fs::write(&config, text)
        .map_err(|e| Error::io("writing the temporary repository's config", e))?;
    Ok((work, git))
}

/// Commits what is staged in the work tree at `root` with `message`, without hooks.
fn commit(git: &Git, root: &Path, message: &str) -> std::result::Result<(), Error> {
    let message_file = root.join(".git").join("GITOPS_GEN_MSG");
    std::fs::write(&message_file, message)
        .map_err(|e| Error::io("writing the commit message", e))?;
    let message_path = message_file.to_string_lossy().into_owned();
    git.run(&["commit", "--quiet", "--no-verify", "-F", &message_path])?;
    Ok(())
}

#[cfg(test)]
mod inclusion_tests {
    use super::Inclusion;

    const BASE: &str = "../../base/web";
    const ROLLOUT: &str = "../../rollouts/staging/web";

    fn rolled_out() -> Inclusion {
        Inclusion {
            entry: ROLLOUT.to_owned(),
            all: None,
            replaces: Some(BASE.to_owned()),
        }
    }

    #[test]
    fn a_rollout_takes_the_place_of_the_base_and_back() -> Result<(), String> {
        let overlay = format!("resources:\n  - ../../base/api\n  - {BASE}\n");
        let text = rolled_out().apply(&overlay)?;
        assert_eq!(
            super::edit::resources(&text)?,
            ["../../base/api", ROLLOUT],
            "{text}"
        );
        // Applying again changes nothing.
        assert_eq!(rolled_out().apply(&text)?, text);
        let back = Inclusion {
            entry: BASE.to_owned(),
            all: Some("../../base".to_owned()),
            replaces: Some(ROLLOUT.to_owned()),
        };
        let text = back.apply(&text)?;
        assert_eq!(super::edit::resources(&text)?, ["../../base/api", BASE]);
        Ok(())
    }

    #[test]
    fn a_first_promotion_adds_the_rollout_only() -> Result<(), String> {
        let text = rolled_out().apply("resources: []\n")?;
        assert_eq!(super::edit::resources(&text)?, [ROLLOUT]);
        Ok(())
    }
}
