//! `gitops-gen promote`: sets an app's image for one environment in the GitOps branch.
//!
//! The edit happens in a fresh clone of the GitOps branch in a temporary directory, so the
//! caller's checkout (CI or laptop) is never touched. A rejected push lost a race only when the
//! remote shows the branch moved; then fetch the new tip, re-apply the edit there, and push
//! again with jittered backoff, a bounded number of times. `process` puts every git command
//! under the request's timeout and cleans up on termination signals.
//!
//! The command hands over a [`Request`] with everything resolved, the CI run included as a
//! [`CiEnv`]; nothing here reads environment variables. `push` fetches and pushes, `ancestry`
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

use std::path::{Path, PathBuf};
use std::time::Duration;

pub(crate) use ci_env::CiEnv;
pub(crate) use proposal::github_outputs;

use crate::error::Error;
use crate::model::Promotion;
use crate::promote::ancestry::{UNKNOWN_SOURCE, guard_downgrade};
use crate::promote::edit::ImageRef;
use crate::promote::git_cli::Git;
use crate::promote::message::Audit;
use crate::promote::preview::{create_instance, removal_message, remove_instance};
use crate::promote::proposal::{already_proposed, proposal_state};
use crate::promote::push::{Pushed, backoff, fetch, lost_race, push, remote_tips};

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

/// The `resources:` entries of an overlay that make it run an app, relative to the overlay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Inclusion {
    /// The app's own base (`../../base/web`, `../../../k8s/web`).
    pub entry: String,
    /// The list of every app's base (`../../base`), which overlays written before per-app
    /// entries include: with it the app is already there, and adding its base would add it twice.
    /// `None` for a Helm app, which that list never held.
    pub all: Option<String>,
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
        if self.holds(text)? {
            return Ok(text.to_owned());
        }
        edit::add_resource(text, &self.entry)
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
        /// `promote/<env>/<app>`.
        branch: String,
        /// Whether the branch moved; false when it already proposed exactly this change.
        changed: bool,
        /// The audit record committed, for the pull request's title and body.
        audit: Box<Audit>,
    },
}

/// Carries out `request`. Warnings that do not stop the promotion are appended to `warnings`.
pub(crate) fn promote(
    request: &Request,
    warnings: &mut Vec<String>,
) -> std::result::Result<Promoted, Error> {
    let work = process::Workspace::new("gitops-gen-promote-")
        .map_err(|e| Error::io("creating a temporary directory", e))?;
    let git = Git::new(
        work.path(),
        request.ci.auth_for(&request.url),
        request.timeout,
    );
    git.run(&["init", "--quiet"])?;
    git.run(&["config", "user.name", "gitops-gen"])?;
    git.run(&["config", "user.email", "gitops-gen@noreply.invalid"])?;
    git.run(&["config", "commit.gpgsign", "false"])?;

    let target_branch = match request.mode {
        Promotion::PullRequest => format!("promote/{}/{}", request.env, request.app),
        _ => request.branch.clone(),
    };
    let mut attempt = 0;
    // After a lost race: the GitOps branch's tip the remote showed when the race was decided.
    let mut seen: Option<String> = None;
    loop {
        attempt += 1;
        if let Err(e) = fetch(&git, &request.url, &request.branch) {
            // After a lost race the branch can move again between git listing it and fetching
            // it; a move seen on the remote is one more lost race. Anything else stops.
            match refetch_race(&git, request, seen.as_deref(), attempt) {
                Some(tip) => {
                    seen = tip;
                    std::thread::sleep(backoff(attempt));
                    continue;
                }
                None => return Err(e),
            }
        }
        git.run(&["checkout", "--quiet", "--force", "-B", "work", "FETCH_HEAD"])?;
        let base = git.run(&["rev-parse", "HEAD"])?;

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
                match push(&git, request, &request.branch, &title)? {
                    Pushed::Yes => {
                        return Ok(Promoted::Removed {
                            commit: git.run(&["rev-parse", "HEAD"])?,
                        });
                    }
                    Pushed::Rejected(said) => {
                        seen =
                            lost_race(&git, request, &request.branch, Some(&base), &said, attempt)?;
                        std::thread::sleep(backoff(attempt));
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
        let (reference, source_commit) = resolve_source(request, work.path())?;
        let text = read_overlay(request, work.path(), &request.overlay)?;
        let running = current(request, work.path(), &text)?;
        if running.reference.as_ref() == Some(&reference) {
            return Ok(Promoted::Unchanged);
        }
        let mut audit = request.audit.clone();
        audit.old = running.reference.as_ref().map(|r| r.display().to_owned());
        audit.new = reference.display().to_owned();
        audit.source_commit = source_commit.clone().or(audit.source_commit);
        if let (Some(new), Some(old)) = (&source_commit, &running.source_commit)
            && let Some(message) = guard_downgrade(
                request,
                &reference,
                new,
                old,
                "already runs",
                &mut audit,
                warnings,
            )?
        {
            return Ok(Promoted::Superseded { message });
        }
        // An open proposal for a newer build must not be replaced by an older one either.
        if request.mode == Promotion::PullRequest
            && let Some(proposal) = proposal_state(&git, request, &target_branch)?
            && let (Some(new), Some(old)) = (&source_commit, &proposal.source_commit)
            && new != old
            && let Some(message) = guard_downgrade(
                request,
                &reference,
                new,
                old,
                "is already proposed",
                &mut audit,
                warnings,
            )?
        {
            return Ok(Promoted::Superseded { message });
        }

        let cannot_edit =
            |why: String| Error::Usage(format!("cannot edit `{}`: {why}", request.overlay));
        let mut new_text = match &request.helm {
            None => {
                edit::set_image(&text, &request.repository, &reference)
                    .map_err(cannot_edit)?
                    .text
            }
            Some(target) => helm::edit_overlay(&text, target).map_err(cannot_edit)?,
        };
        // Without a known source commit an old annotation would claim the wrong build, which
        // later downgrade checks and `--from` copies would trust: mark it unknown instead.
        let recorded = match (&source_commit, &running.source_commit) {
            (Some(commit), _) => Some(commit.as_str()),
            (None, Some(_)) => Some(UNKNOWN_SOURCE),
            (None, None) => None,
        };
        if let Some(commit) = recorded {
            new_text =
                edit::set_annotation(&new_text, &edit::source_annotation(&request.app), commit)
                    .map_err(cannot_edit)?;
        }
        if let Some(inclusion) = &request.inclusion {
            new_text = inclusion.apply(&new_text).map_err(cannot_edit)?;
        }
        verify_edit(&new_text, request, &reference)?;
        let mut changed = vec![(request.overlay.as_str(), text, new_text)];
        if let Some(target) = &request.helm {
            let (old, new) = helm::edit_image_values(request, work.path(), target, &reference)?;
            changed.push((target.image_values.as_str(), old, new));
        }
        for (file, _, new) in &changed {
            std::fs::write(work.path().join(file), new)
                .map_err(|e| Error::io(format!("writing {file}"), e))?;
        }
        match &request.helm {
            None => verify_rendered(request, work.path(), &reference, warnings)?,
            Some(target) => helm::verify(request, work.path(), target, &reference, warnings)?,
        }
        // A proposal's commit runs the checks of its pull or merge request; a direct one must
        // not build and promote again.
        let message = match request.mode {
            Promotion::PullRequest => audit.proposal_message(),
            _ => audit.message(),
        };
        if request.dry_run {
            let diff = changed
                .iter()
                .map(|(file, old, new)| crate::files::diff::unified(file, old, new, false))
                .collect();
            return Ok(Promoted::WouldCommit { diff, message });
        }
        for (file, _, _) in &changed {
            git.run(&["add", "--", file])?;
        }
        commit(&git, work.path(), &message)?;

        if request.mode == Promotion::PullRequest
            && already_proposed(&git, request, &target_branch, &base)?
        {
            return Ok(Promoted::Proposed {
                branch: target_branch,
                changed: false,
                audit: Box::new(audit),
            });
        }
        // What the pushed branch points at now: a rejected push lost a race only if it moved.
        let expected = match request.mode {
            Promotion::PullRequest => {
                remote_tips(&git, &request.url, &[&target_branch])?.remove(&target_branch)
            }
            _ => Some(base.clone()),
        };
        match push(&git, request, &target_branch, &audit.subject())? {
            Pushed::Yes => {
                return Ok(match request.mode {
                    Promotion::PullRequest => Promoted::Proposed {
                        branch: target_branch,
                        changed: true,
                        audit: Box::new(audit),
                    },
                    _ => Promoted::Committed {
                        commit: git.run(&["rev-parse", "HEAD"])?,
                        attempts: attempt,
                    },
                });
            }
            Pushed::Rejected(said) => {
                let expected = expected.as_deref();
                seen = lost_race(&git, request, &target_branch, expected, &said, attempt)?;
                std::thread::sleep(backoff(attempt));
            }
        }
    }
}

/// After a failed re-fetch: `Some(new tip)` when the GitOps branch moved again since the lost race
/// that caused the re-fetch (and attempts remain), `None` when the failure has another cause.
fn refetch_race(
    git: &Git,
    request: &Request,
    seen: Option<&str>,
    attempt: u32,
) -> Option<Option<String>> {
    if attempt == 1 || attempt >= request.attempts {
        return None;
    }
    let mut tips = remote_tips(git, &request.url, &[&request.branch]).ok()?;
    let now = tips.remove(&request.branch);
    (now.as_deref() != seen).then_some(now)
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

/// The text of `overlay` in the work tree at `root`; a missing overlay means the GitOps tree was
/// never generated or committed.
fn read_overlay(
    request: &Request,
    root: &Path,
    overlay: &str,
) -> std::result::Result<String, Error> {
    std::fs::read_to_string(root.join(overlay)).map_err(|e| {
        Error::Usage(format!(
            "cannot read `{overlay}` on branch `{}` of {}: {e}; run `gitops-gen generate` and \
             commit the overlay first",
            request.branch,
            git_cli::redact_urls(&request.url)
        ))
    })
}

/// The reference and source commit to promote, read from the fetched tip for `--from`.
fn resolve_source(
    request: &Request,
    root: &Path,
) -> std::result::Result<(ImageRef, Option<String>), Error> {
    match &request.source {
        Source::Image {
            reference,
            source_commit,
        } => Ok((reference.clone(), source_commit.clone())),
        Source::Nothing => Err(Error::Internal(
            "a removal has no image to promote".to_owned(),
        )),
        Source::Environment {
            env,
            overlay,
            image_values,
        } => {
            let text = read_overlay(request, root, overlay)?;
            let running = edit::running(&text, &request.repository, &request.app)
                .map_err(|why| Error::Usage(format!("cannot read `{overlay}`: {why}")))?;
            let reference = match (image_values, &request.helm) {
                (Some(file), Some(target)) => {
                    helm::running_tag(request, root, file, &target.tag_path)?
                }
                _ => running.reference,
            };
            let reference = reference.ok_or_else(|| {
                Error::Usage(format!(
                    "`{env}` has no image for `{}` ({}) in `{overlay}`; promote into `{env}` first",
                    request.app, request.repository
                ))
            })?;
            Ok((reference, running.source_commit))
        }
    }
}

/// What the environment runs now: the overlay's `images:` entry, or a Helm app's image values
/// file; and the source commit the overlay records.
fn current(
    request: &Request,
    root: &Path,
    text: &str,
) -> std::result::Result<edit::Running, Error> {
    let unreadable =
        |why: String| Error::Usage(format!("cannot read `{}`: {why}", request.overlay));
    let running = edit::running(text, &request.repository, &request.app).map_err(unreadable)?;
    match &request.helm {
        None => Ok(running),
        Some(target) => Ok(edit::Running {
            reference: helm::running_tag(request, root, &target.image_values, &target.tag_path)?,
            source_commit: running.source_commit,
        }),
    }
}

/// Re-reads the edited overlay the way kustomize's image transformer will: exactly one entry
/// for the image, no `newName` sending it elsewhere, no duplicate key anywhere, and the
/// requested tag or digest (a digest wins over a tag, so a leftover one would show here).
/// Anything else means the edit went wrong, and nothing is committed.
fn verify_edit(
    text: &str,
    request: &Request,
    reference: &ImageRef,
) -> std::result::Result<(), Error> {
    let check = edit::running(text, &request.repository, &request.app).map_err(|why| {
        Error::Internal(format!(
            "the edited `{}` does not parse: {why}",
            request.overlay
        ))
    })?;
    // A Helm app's image is in its values file, which `helm::verify` reads back.
    if request.helm.is_none() && check.reference.as_ref() != Some(reference) {
        return Err(Error::Internal(format!(
            "the edit of `{}` did not take effect",
            request.overlay
        )));
    }
    // The image entry alone changes nothing while the overlay does not run the app.
    if let Some(inclusion) = &request.inclusion {
        let holds = inclusion.holds(text).map_err(|why| {
            Error::Internal(format!(
                "the edited `{}` does not parse: {why}",
                request.overlay
            ))
        })?;
        if !holds {
            return Err(Error::Internal(format!(
                "the edit of `{}` does not list `{}`",
                request.overlay, inclusion.entry
            )));
        }
    }
    Ok(())
}

/// Builds the edited overlay in the work tree as far as images go (its resources, followed into
/// the bases, and every `images:` entry on the way) and refuses the promotion unless what the
/// overlay runs now holds the new reference: an `images:` entry Kustomize never applies (an image
/// the manifests spell differently, a base renamed with `newName`) would otherwise be pushed as
/// a promotion that changes nothing. Remote resources cannot be built offline; with some, an
/// image not found is a warning.
fn verify_rendered(
    request: &Request,
    root: &Path,
    reference: &ImageRef,
    warnings: &mut Vec<String>,
) -> std::result::Result<(), Error> {
    let dir = request
        .overlay
        .strip_suffix("/kustomization.yaml")
        .unwrap_or(".");
    let wanted = match reference {
        ImageRef::Tag(tag) => format!("{}:{tag}", request.repository),
        ImageRef::Digest(digest) => format!("{}@{digest}", request.repository),
    };
    let rendered = crate::sources::kustomize::of_base(root, dir).map_err(|e| match e {
        Error::Usage(why) => Error::Usage(format!(
            "after the edit, `{dir}` on branch `{}` does not build: {why}",
            request.branch
        )),
        other => other,
    })?;
    if rendered.images.contains(&wanted) {
        return Ok(());
    }
    if !rendered.remote.is_empty() {
        warnings.push(format!(
            "`{dir}` does not run `{wanted}` in the files it lists here, and it lists remote \
             resources ({}) that cannot be checked offline; check that one of them runs `{}`",
            rendered.remote.join(", "),
            request.repository
        ));
        return Ok(());
    }
    let runs = crate::sources::kustomize::in_words(&rendered.images);
    Err(Error::Usage(format!(
        "promoting `{wanted}` would change nothing `{dir}` runs: after the edit it runs {runs}. \
         Kustomize sets an image only where the manifests spell it exactly as the `images:` \
         entry `{}` does; make the app's `image:` in gitops-gen.yaml match the manifests. \
         Nothing was pushed",
        request.repository
    )))
}
