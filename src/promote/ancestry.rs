//! Never downgrade: how a new source commit relates to the one an environment runs, looked up
//! in the app repository, and the refusal of a move backwards.

use crate::error::Error;
use crate::promote::Request;
use crate::promote::edit::ImageRef;
use crate::promote::git_cli::Git;
use crate::promote::message::Audit;

/// How a new source commit relates to the one an environment runs.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Ancestry {
    /// Same commit, or the new one descends from the running one: a forward move.
    Forward,
    /// The new commit is an ancestor of the running one: a rollback.
    Backward,
    /// Neither descends from the other (diverged branches feeding one environment).
    Diverged,
    /// At least one commit is not in the local history.
    Unknown(String),
}

/// What the annotation says when the source commit of the running image is not known.
pub(super) const UNKNOWN_SOURCE: &str = "unknown";

/// Stops a move to an older source commit than `old` (unless `--allow-rollback`): `Some` of why,
/// or, with `--fail-if-superseded`, an error. Notes rollbacks and unknown ancestry in the audit
/// record.
pub(super) fn guard_downgrade(
    request: &Request,
    reference: &ImageRef,
    new: &str,
    old: &str,
    what: &str,
    audit: &mut Audit,
    warnings: &mut Vec<String>,
) -> std::result::Result<Option<String>, Error> {
    match ancestry(request, new, old) {
        Ancestry::Forward | Ancestry::Diverged => Ok(None),
        Ancestry::Backward if request.allow_rollback => {
            audit
                .notes
                .push(format!("Rollback: {old} → {new} (--allow-rollback)."));
            Ok(None)
        }
        Ancestry::Backward => {
            let message = format!(
                "not promoting `{}` in `{}` to {}: its source commit {new} is an ancestor of \
                 {old}, which {what} there; a newer build got there first. Pass \
                 --allow-rollback to roll back on purpose",
                request.app,
                request.env,
                reference.display(),
            );
            if request.fail_if_superseded {
                Err(Error::Refused(message))
            } else {
                Ok(Some(message))
            }
        }
        Ancestry::Unknown(why) => {
            warnings.push(format!(
                "could not compare source commits {new} and {old}: {why}; promoting anyway"
            ));
            audit.notes.push(format!("Ancestry unknown: {why}"));
            Ok(None)
        }
    }
}

/// Relates two source commits in the app repository. A shallow clone is deepened once first.
fn ancestry(request: &Request, new: &str, old: &str) -> Ancestry {
    if new == UNKNOWN_SOURCE || old == UNKNOWN_SOURCE {
        return Ancestry::Unknown("no source commit was recorded for one of the builds".to_owned());
    }
    let Some(repo) = &request.app_repo else {
        return Ancestry::Unknown(
            "no app repository checkout to look the commits up in".to_owned(),
        );
    };
    let git = Git::new(repo, None, request.timeout);
    let known = |c: &str| {
        git.output(&["cat-file", "-e", &format!("{c}^{{commit}}")])
            .is_ok_and(|o| o.status.success())
    };
    if !(known(new) && known(old)) {
        let shallow = git
            .run(&["rev-parse", "--is-shallow-repository"])
            .is_ok_and(|s| s == "true");
        if shallow {
            let remote = git
                .run(&["remote", "get-url", "origin"])
                .unwrap_or_default();
            let deepen = Git::new(repo, request.ci.auth_for(&remote), request.timeout);
            let _ = deepen.output(&["fetch", "--quiet", "--unshallow", "origin"]);
        }
        if !(known(new) && known(old)) {
            let missing = if known(new) { old } else { new };
            return Ancestry::Unknown(format!(
                "commit {missing} is not in the history of {}",
                repo.display()
            ));
        }
    }
    let is_ancestor = |a: &str, b: &str| {
        git.output(&["merge-base", "--is-ancestor", a, b])
            .ok()
            .map(|o| o.status.code())
    };
    match (is_ancestor(old, new), is_ancestor(new, old)) {
        (Some(Some(0)), _) => Ancestry::Forward,
        (_, Some(Some(0))) => Ancestry::Backward,
        (Some(Some(1)), Some(Some(1))) => Ancestry::Diverged,
        _ => Ancestry::Unknown("git merge-base failed".to_owned()),
    }
}
