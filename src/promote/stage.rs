//! One app's part of a promotion, decided against the fetched tip of the GitOps branch: what
//! the environment runs, whether the new build supersedes it, and the edit, written to the work
//! tree and checked there. A promotion of several apps stages them one after the other on the
//! same tree, so each sees the edits before it, and commits them together.

use std::path::Path;

use crate::error::Error;
use crate::model::Promotion;
use crate::promote::ancestry::{UNKNOWN_SOURCE, guard_downgrade};
use crate::promote::edit::{self, ImageRef};
use crate::promote::git_cli::{self, Git};
use crate::promote::helm;
use crate::promote::message::Audit;
use crate::promote::proposal::proposal_state;
use crate::promote::{Request, Source};

/// What staging one app came to.
pub(super) enum Staged {
    /// The environment already runs this image.
    Unchanged,
    /// A newer build runs (or is proposed) there; the sentence says which.
    Superseded(String),
    /// The files changed (path, old text, new text), written to the work tree, and the record.
    Edited {
        audit: Box<Audit>,
        changed: Vec<(String, String, String)>,
        /// The reference the overlay must run once built, for [`verify_rendered`].
        unverified: Option<ImageRef>,
    },
}

/// Stages `request`'s app in the work tree at `root`, whose HEAD is the fetched tip;
/// `target_branch` is where a pull-request promotion proposes.
pub(super) fn stage(
    request: &Request,
    git: &Git,
    root: &Path,
    target_branch: &str,
    warnings: &mut Vec<String>,
) -> std::result::Result<Staged, Error> {
    // Everything below is decided against this tip; after a rejected push it is decided
    // again against the new one, so a newer promotion that landed meanwhile is respected.
    let (reference, source_commit) = resolve_source(request, root)?;
    let text = read_overlay(request, root, &request.overlay)?;
    let running = current(request, root, &text)?;
    if running.reference.as_ref() == Some(&reference) {
        return Ok(Staged::Unchanged);
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
        return Ok(Staged::Superseded(message));
    }
    // An open proposal for a newer build must not be replaced by an older one either.
    if request.mode == Promotion::PullRequest
        && let Some(proposal) = proposal_state(git, request, target_branch)?
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
        return Ok(Staged::Superseded(message));
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
        new_text = edit::set_annotation(&new_text, &edit::source_annotation(&request.app), commit)
            .map_err(cannot_edit)?;
    }
    if let Some(inclusion) = &request.inclusion {
        new_text = inclusion.apply(&new_text).map_err(cannot_edit)?;
    }
    verify_edit(&new_text, request, &reference)?;
    let mut changed = vec![(request.overlay.clone(), text, new_text)];
    if let Some(target) = &request.helm {
        let (old, new) = helm::edit_image_values(request, root, target, &reference)?;
        changed.push((target.image_values.clone(), old, new));
    }
    for (file, _, new) in &changed {
        std::fs::write(root.join(file), new)
            .map_err(|e| Error::io(format!("writing {file}"), e))?;
    }
    // A Helm app's values are checked now; an overlay's images once every app is staged
    // (`verify_rendered`), so a promotion of many apps builds the overlay once, not per app.
    let unverified = match &request.helm {
        None => Some(reference),
        Some(target) => {
            helm::verify(request, root, target, &reference, warnings)?;
            None
        }
    };
    Ok(Staged::Edited {
        audit: Box::new(audit),
        changed,
        unverified,
    })
}

/// The text of `overlay` in the work tree at `root`; a missing overlay means the GitOps tree was
/// never generated or committed.
pub(super) fn read_overlay(
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

/// Builds each edited overlay in the work tree as far as images go (its resources, followed into
/// the bases, and every `images:` entry on the way), once per overlay however many apps it
/// moves, and refuses the promotion unless what the overlay runs now holds each new reference:
/// an `images:` entry Kustomize never applies (an image the manifests spell differently, a base
/// renamed with `newName`) would otherwise be pushed as a promotion that changes nothing. Remote
/// resources cannot be built offline; with some, an image not found is a warning.
pub(super) fn verify_rendered(
    edited: &[(&Request, ImageRef)],
    root: &Path,
    warnings: &mut Vec<String>,
) -> std::result::Result<(), Error> {
    let mut built: Vec<(&str, crate::sources::kustomize::Rendered)> = Vec::new();
    for (request, reference) in edited {
        let dir = request
            .overlay
            .strip_suffix("/kustomization.yaml")
            .unwrap_or(".");
        let wanted = match reference {
            ImageRef::Tag(tag) => format!("{}:{tag}", request.repository),
            ImageRef::Digest(digest) => format!("{}@{digest}", request.repository),
        };
        let at = match built.iter().position(|(d, _)| *d == dir) {
            Some(at) => at,
            None => {
                let rendered =
                    crate::sources::kustomize::of_base(root, dir).map_err(|e| match e {
                        Error::Usage(why) => Error::Usage(format!(
                            "after the edit, `{dir}` on branch `{}` does not build: {why}",
                            request.branch
                        )),
                        other => other,
                    })?;
                built.push((dir, rendered));
                built.len() - 1
            }
        };
        let rendered = &built[at].1;
        if rendered.images.contains(&wanted) {
            continue;
        }
        if !rendered.remote.is_empty() {
            warnings.push(format!(
                "`{dir}` does not run `{wanted}` in the files it lists here, and it lists remote \
                 resources ({}) that cannot be checked offline; check that one of them runs `{}`",
                rendered.remote.join(", "),
                request.repository
            ));
            continue;
        }
        let runs = crate::sources::kustomize::in_words(&rendered.images);
        return Err(Error::Usage(format!(
            "promoting `{wanted}` would change nothing `{dir}` runs: after the edit it runs \
             {runs}. Kustomize sets an image only where the manifests spell it exactly as the \
             `images:` entry `{}` does; make the app's `image:` in gitops-gen.yaml match the \
             manifests. Nothing was pushed",
            request.repository
        )));
    }
    Ok(())
}
