//! `gitops-gen promote`: sets an app's image for one environment in the GitOps branch.
//!
//! The edit happens in a fresh clone of the GitOps branch in a temporary directory, so the
//! caller's checkout (CI or laptop) is never touched. A rejected push means someone else
//! promoted first: fetch the new tip, re-apply the edit there, and push again with jittered
//! backoff, a bounded number of times.

pub(crate) mod edit;
pub(crate) mod git_cli;
pub(crate) mod message;
pub(crate) mod preview;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::Error;
use crate::model::{Config, Promotion};
use crate::promote::edit::ImageRef;
use crate::promote::git_cli::Git;
use crate::promote::message::Audit;
use crate::render::in_tree;

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
    },
}

/// A fully resolved promotion request.
#[derive(Clone, Debug)]
pub(crate) struct Request {
    /// Environment name.
    pub env: String,
    /// App name.
    pub app: String,
    /// The app's image repository.
    pub repository: String,
    /// What to promote.
    pub source: Source,
    /// commit or pull-request.
    pub mode: Promotion,
    /// URL (or path) of the repository that holds the GitOps branch.
    pub url: String,
    /// The GitOps branch.
    pub branch: String,
    /// Overlay path inside that repository.
    pub overlay: String,
    /// Audit record for the commit message (old/new are filled in per attempt).
    pub audit: Audit,
    /// Push attempts.
    pub attempts: u32,
    /// Allow moving to an older source commit.
    pub allow_rollback: bool,
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

/// How a new source commit relates to the one an environment runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Ancestry {
    /// Same commit, or the new one descends from the running one: a forward move.
    Forward,
    /// The new commit is an ancestor of the running one: a rollback.
    Backward,
    /// Neither descends from the other (diverged branches feeding one environment).
    Diverged,
    /// At least one commit is not in the local history.
    Unknown(String),
}

/// Resolves the target of a promotion from the model.
pub(crate) fn overlay_path(config: &Config, env: &str) -> String {
    in_tree(
        &config.gitops.path,
        &format!("applications/overlays/{env}/kustomization.yaml"),
    )
}

/// Credentials for HTTPS remotes, from the environment only.
pub(crate) fn auth_for(url: &str) -> Option<(String, String)> {
    let (name, token) = ["GITOPS_GEN_TOKEN", "GITHUB_TOKEN", "CI_JOB_TOKEN"]
        .iter()
        .find_map(|name| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.is_empty())
                .map(|v| (*name, v))
        })?;
    let user = match name {
        "CI_JOB_TOKEN" => "gitlab-ci-token",
        _ if std::env::var_os("GITLAB_CI").is_some() => "oauth2",
        _ => "x-access-token",
    };
    git_cli::auth_for(url, &token, user)
}

/// Carries out `request`. Warnings that do not stop the promotion are appended to `warnings`.
pub(crate) fn promote(
    request: &Request,
    warnings: &mut Vec<String>,
) -> std::result::Result<Promoted, Error> {
    let work = tempfile::Builder::new()
        .prefix("gitops-gen-promote-")
        .tempdir()
        .map_err(|e| Error::io("creating a temporary directory", e))?;
    let git = Git::new(work.path(), auth_for(&request.url));
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
        // A re-fetch after a rejected push can fail while another push rewrites the remote
        // ref, a lost race too; the first fetch failing means the remote itself is unusable.
        if let Err(e) = fetch(&git, &request.url, &request.branch) {
            if attempt == 1 || attempt >= request.attempts {
                return Err(e);
            }
            std::thread::sleep(backoff(attempt));
            continue;
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
                match push(
                    &git,
                    request,
                    &request.branch,
                    &format!("remove preview {}", instance.branch),
                    attempt,
                )? {
                    Pushed::Yes => {
                        return Ok(Promoted::Removed {
                            commit: git.run(&["rev-parse", "HEAD"])?,
                        });
                    }
                    Pushed::LostRace => {
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
        let running = edit::running(&text, &request.repository, &request.app)
            .map_err(|why| Error::Usage(format!("cannot read `{}`: {why}", request.overlay)))?;
        if running.reference.as_ref() == Some(&reference) {
            return Ok(Promoted::Unchanged);
        }
        let mut audit = request.audit.clone();
        audit.old = running.reference.as_ref().map(|r| r.display().to_owned());
        audit.new = reference.display().to_owned();
        audit.source_commit = source_commit.clone().or(audit.source_commit);
        if let (Some(new), Some(old)) = (&source_commit, &running.source_commit) {
            guard_downgrade(
                request,
                &reference,
                new,
                old,
                "already runs",
                &mut audit,
                warnings,
            )?;
        }
        // An open proposal for a newer build must not be replaced by an older one either.
        if request.mode == Promotion::PullRequest
            && let Some(proposal) = proposal_state(&git, request, &target_branch)?
            && let (Some(new), Some(old)) = (&source_commit, &proposal.source_commit)
            && new != old
        {
            guard_downgrade(
                request,
                &reference,
                new,
                old,
                "is already proposed",
                &mut audit,
                warnings,
            )?;
        }

        let edited = edit::set_image(&text, &request.repository, &reference)
            .map_err(|why| Error::Usage(format!("cannot edit `{}`: {why}", request.overlay)))?;
        let mut new_text = edited.text;
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
                    .map_err(|why| {
                        Error::Usage(format!("cannot edit `{}`: {why}", request.overlay))
                    })?;
        }
        verify_edit(&new_text, request, &reference)?;
        if request.dry_run {
            return Ok(Promoted::WouldCommit {
                diff: crate::files::diff::unified(&request.overlay, &text, &new_text, false),
                message: audit.message(),
            });
        }
        let file = work.path().join(&request.overlay);
        std::fs::write(&file, &new_text)
            .map_err(|e| Error::io(format!("writing {}", request.overlay), e))?;
        git.run(&["add", "--", &request.overlay])?;
        let message_file = work.path().join(".git").join("GITOPS_GEN_MSG");
        std::fs::write(&message_file, audit.message())
            .map_err(|e| Error::io("writing the commit message", e))?;
        let message_path = message_file.to_string_lossy().into_owned();
        git.run(&["commit", "--quiet", "--no-verify", "-F", &message_path])?;

        if request.mode == Promotion::PullRequest
            && already_proposed(&git, request, &target_branch, &base)?
        {
            return Ok(Promoted::Proposed {
                branch: target_branch,
                changed: false,
                audit: Box::new(audit),
            });
        }
        match push(&git, request, &target_branch, &audit.subject(), attempt)? {
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
            Pushed::LostRace => std::thread::sleep(backoff(attempt)),
        }
    }
}

/// How a push ended, when it did not fail outright.
enum Pushed {
    /// The remote took it.
    Yes,
    /// Another promotion landed first; decide again on the new tip.
    LostRace,
}

/// Pushes HEAD to `target_branch`. Only lost races come back for a retry; a protected branch or
/// a missing permission also shows as "[remote rejected]", and retrying it would only hide why.
fn push(
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

/// Writes a new preview instance (kustomization and namespace) and lists it in the preview
/// overlay, staged for the promotion commit.
fn create_instance(
    git: &Git,
    request: &Request,
    instance: &preview::Instance,
    root: &Path,
) -> std::result::Result<(), Error> {
    let io = |what: &str, e| Error::io(format!("writing {what}"), e);
    std::fs::create_dir_all(root.join(&instance.dir)).map_err(|e| io(&instance.dir, e))?;
    std::fs::write(
        root.join(&instance.kustomization),
        instance.kustomization_text(),
    )
    .map_err(|e| io(&instance.kustomization, e))?;
    std::fs::write(
        root.join(&instance.namespace_file),
        instance.namespace_text(&request.project),
    )
    .map_err(|e| io(&instance.namespace_file, e))?;
    let listed = read_overlay(request, root, &instance.root)?;
    let listed = edit::add_resource(&listed, &instance.slug)
        .map_err(|why| Error::Usage(format!("cannot edit `{}`: {why}", instance.root)))?;
    std::fs::write(root.join(&instance.root), listed).map_err(|e| io(&instance.root, e))?;
    git.run(&[
        "add",
        "--",
        &instance.kustomization,
        &instance.namespace_file,
        &instance.root,
    ])?;
    Ok(())
}

/// Deletes a preview instance and its entry in the preview overlay, and commits that; Flux then
/// prunes everything it had applied from it, namespace included.
fn remove_instance(
    git: &Git,
    request: &Request,
    instance: &preview::Instance,
    root: &Path,
) -> std::result::Result<(), Error> {
    git.run(&["rm", "-r", "-q", "--", &instance.dir])?;
    let listed = read_overlay(request, root, &instance.root)?;
    let listed = edit::remove_resource(&listed, &instance.slug)
        .map_err(|why| Error::Usage(format!("cannot edit `{}`: {why}", instance.root)))?;
    std::fs::write(root.join(&instance.root), listed)
        .map_err(|e| Error::io(format!("writing {}", instance.root), e))?;
    git.run(&["add", "--", &instance.root])?;
    let message_file = root.join(".git").join("GITOPS_GEN_MSG");
    std::fs::write(&message_file, removal_message(request, instance))
        .map_err(|e| Error::io("writing the commit message", e))?;
    let message_path = message_file.to_string_lossy().into_owned();
    git.run(&["commit", "--quiet", "--no-verify", "-F", &message_path])?;
    Ok(())
}

fn removal_message(request: &Request, instance: &preview::Instance) -> String {
    let audit = &request.audit;
    let mut msg = format!(
        "promote({}): remove the preview of {}\n\nDelete {} (namespace {}); Flux prunes what it applied.\n\n[skip ci]\n\nReason: {}\n",
        request.env, instance.branch, instance.dir, instance.namespace, audit.reason
    );
    if let Some(actor) = &audit.actor {
        msg.push_str(&format!("Actor: {actor}\n"));
    }
    if let Some(url) = &audit.pipeline_url {
        msg.push_str(&format!("Pipeline-Url: {url}\n"));
    }
    msg
}

/// What the annotation says when the source commit of the running image is not known.
pub(crate) const UNKNOWN_SOURCE: &str = "unknown";

/// Refuses moving to an older source commit than `old` (unless `--allow-rollback`), and notes
/// rollbacks and unknown ancestry in the audit record.
fn guard_downgrade(
    request: &Request,
    reference: &ImageRef,
    new: &str,
    old: &str,
    what: &str,
    audit: &mut Audit,
    warnings: &mut Vec<String>,
) -> std::result::Result<(), Error> {
    match ancestry(request, new, old) {
        Ancestry::Forward | Ancestry::Diverged => Ok(()),
        Ancestry::Backward if request.allow_rollback => {
            audit
                .notes
                .push(format!("Rollback: {old} → {new} (--allow-rollback)."));
            Ok(())
        }
        Ancestry::Backward => Err(Error::Refused(format!(
            "refusing to promote `{}` in `{}` to {}: its source commit {new} is an ancestor of \
             {old}, which {what} there; a newer build got there first. Pass --allow-rollback to \
             roll back on purpose",
            request.app,
            request.env,
            reference.display(),
        ))),
        Ancestry::Unknown(why) => {
            warnings.push(format!(
                "could not compare source commits {new} and {old}: {why}; promoting anyway"
            ));
            audit.notes.push(format!("Ancestry unknown: {why}"));
            Ok(())
        }
    }
}

/// The app's state on an existing promotion branch, if there is one.
fn proposal_state(
    git: &Git,
    request: &Request,
    branch: &str,
) -> std::result::Result<Option<edit::Running>, Error> {
    let refspec = format!("refs/heads/{branch}:refs/gitops-gen/proposal");
    let fetched = git.output(&[
        "fetch",
        "--quiet",
        "--no-tags",
        "--depth",
        "1",
        &request.url,
        &format!("+{refspec}"),
    ])?;
    if !fetched.status.success() {
        return Ok(None);
    }
    let shown = git.output(&[
        "show",
        &format!("refs/gitops-gen/proposal:{}", request.overlay),
    ])?;
    if !shown.status.success() {
        return Ok(None);
    }
    let text = String::from_utf8_lossy(&shown.stdout);
    Ok(edit::running(&text, &request.repository, &request.app).ok())
}

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
        Source::Environment { env, overlay } => {
            let text = read_overlay(request, root, overlay)?;
            let running = edit::running(&text, &request.repository, &request.app)
                .map_err(|why| Error::Usage(format!("cannot read `{overlay}`: {why}")))?;
            let reference = running.reference.ok_or_else(|| {
                Error::Usage(format!(
                    "`{env}` has no image for `{}` ({}) in `{overlay}`; promote into `{env}` first",
                    request.app, request.repository
                ))
            })?;
            Ok((reference, running.source_commit))
        }
    }
}

/// Re-reads the edited overlay: the promotion must say exactly what was asked, or nothing is
/// committed.
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
    if check.reference.as_ref() != Some(reference) {
        return Err(Error::Internal(format!(
            "the edit of `{}` did not take effect",
            request.overlay
        )));
    }
    Ok(())
}

/// Whether the promotion branch already holds exactly this change on the current tip.
fn already_proposed(
    git: &Git,
    request: &Request,
    branch: &str,
    base: &str,
) -> std::result::Result<bool, Error> {
    let refspec = format!("refs/heads/{branch}");
    let fetched = git.output(&[
        "fetch",
        "--quiet",
        "--no-tags",
        "--depth",
        "2",
        &request.url,
        &refspec,
    ])?;
    if !fetched.status.success() {
        return Ok(false);
    }
    let same_tree =
        git.run(&["rev-parse", "FETCH_HEAD^{tree}"])? == git.run(&["rev-parse", "HEAD^{tree}"])?;
    let same_base = git
        .output(&["rev-parse", "FETCH_HEAD^"])?
        .stdout
        .starts_with(base.as_bytes());
    Ok(same_tree && same_base)
}

/// Relates two source commits in the app repository. A shallow clone is deepened once first.
pub(crate) fn ancestry(request: &Request, new: &str, old: &str) -> Ancestry {
    if new == UNKNOWN_SOURCE || old == UNKNOWN_SOURCE {
        return Ancestry::Unknown("no source commit was recorded for one of the builds".to_owned());
    }
    let Some(repo) = &request.app_repo else {
        return Ancestry::Unknown(
            "no app repository checkout to look the commits up in".to_owned(),
        );
    };
    let git = Git::new(repo, None);
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
            let deepen = Git::new(repo, auth_for(&remote));
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
    .map_err(|e| {
        let url = git_cli::redact_urls(url);
        Error::Git(format!("cannot fetch branch `{branch}` from {url}: {e}"))
    })?;
    Ok(())
}

/// GitLab opens (or keeps) a merge request when the push carries these options.
fn gitlab_merge_request_options(request: &Request, title: &str) -> Vec<String> {
    if request.mode != Promotion::PullRequest || std::env::var_os("GITLAB_CI").is_none() {
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
fn backoff(attempt: u32) -> Duration {
    let base = 100u64.saturating_mul(1 << attempt.saturating_sub(1).min(6));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::from(d.subsec_nanos()))
        .unwrap_or(0);
    let jitter = (nanos ^ u64::from(std::process::id()).wrapping_mul(0x9E37_79B9)) % base.max(1);
    Duration::from_millis(base + jitter)
}

/// Writes step outputs for the GitHub pull-request step (`branch`, `title`, `body`).
pub(crate) fn github_outputs(
    path: &Path,
    branch: &str,
    audit: &Audit,
) -> std::result::Result<(), Error> {
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
