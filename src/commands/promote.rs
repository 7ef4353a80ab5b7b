//! `gitops-gen promote`: resolves the request from the model and the CI environment, then hands
//! it to the promotion engine.

use std::path::Path;

use crate::Outcome;
use crate::cli::PromoteArgs;
use crate::commands::load_model;
use crate::config::{self, Config, Environment, Promotion};
use crate::error::Error;
use crate::promote::git_cli::{self, Git};
use crate::promote::{self, Promoted, Request, Source, edit::ImageRef, message::Audit};
use crate::ui::Ui;

/// Runs the command.
pub fn run(ui: &Ui, args: &PromoteArgs) -> Result<Outcome, Error> {
    let config = load_model(&args.dir)?;
    let env = find_env(&config, &args.env)?;
    let app = config
        .apps
        .iter()
        .find(|a| a.name.value == args.app)
        .ok_or_else(|| {
            let names: Vec<&str> = config.apps.iter().map(|a| a.name.value.as_str()).collect();
            Error::Usage(format!(
                "unknown app `{}`; the model has {}",
                args.app,
                names.join(", ")
            ))
        })?;
    if let crate::config::Deploy::Helm { chart, .. } = &app.deploy {
        return Err(Error::Usage(format!(
            "app `{}` is deployed with the Helm chart `{chart}`; promoting Helm values comes with \
             Helm rendering in a later release",
            app.name.value
        )));
    }
    if let Some(git_ref) = &args.r#ref
        && !ref_maps_to(env, git_ref)
    {
        ui.status(
            "skip",
            &format!("`{git_ref}` does not promote into `{}`", env.name.value),
        );
        return Ok(Outcome::Success);
    }
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let source = match (&args.from, &args.image) {
        (Some(from), _) => {
            let from_env = find_env(&config, from)?;
            if from_env.name.value == env.name.value {
                return Err(Error::Usage(format!("--from and --to are both `{from}`")));
            }
            Source::Environment {
                env: from.clone(),
                overlay: promote::overlay_path(&config, from),
            }
        }
        (None, Some(image)) => {
            let (repository, reference) = ImageRef::parse(image).ok_or_else(|| {
                Error::Usage(format!(
                    "image `{image}` must be `repository:tag` or `repository@sha256:<64 hex>`"
                ))
            })?;
            if repository != app.image {
                return Err(Error::Usage(format!(
                    "image `{image}` is not from app `{}`'s repository `{}`",
                    app.name.value, app.image
                )));
            }
            let source_commit = args
                .source_commit
                .clone()
                .or_else(|| var("GITHUB_SHA"))
                .or_else(|| var("CI_COMMIT_SHA"));
            Source::Image {
                reference,
                source_commit,
            }
        }
        (None, None) => return Err(Error::Usage("pass --image or --from".to_owned())),
    };
    let mode = match args.mode.as_deref() {
        Some("pull-request") => Promotion::PullRequest,
        Some(_) => Promotion::Commit,
        None if env.promotion == Promotion::PullRequest => Promotion::PullRequest,
        None => Promotion::Commit,
    };
    let overlay = promote::overlay_path(&config, &env.name.value);
    let url = match &config.gitops.repository {
        Some(url) => url.clone(),
        None => {
            // Runners often embed their own job token in `origin`; with a token of ours in the
            // environment, the URL is used without it.
            refuse_dirty(&args.dir, &overlay)?;
            Git::new(&args.dir, None)
                .run(&["remote", "get-url", &args.remote])
                .map_err(|_| {
                    Error::Usage(format!(
                        "this repository has no remote `{}` to promote through; pass --remote",
                        args.remote
                    ))
                })
                .map(|raw| {
                    let clean = git_cli::redact_urls(&raw);
                    if promote::auth_for(&clean).is_some() {
                        clean
                    } else {
                        raw
                    }
                })?
        }
    };
    let mut audit = Audit {
        env: env.name.value.clone(),
        app: app.name.value.clone(),
        repository: app.image.clone(),
        ..Audit::default()
    }
    .from_ci_env(args.reason.as_deref());
    if let Source::Environment { env: from, .. } = &source {
        // The pipeline's own commit did not build what `from` runs; the annotation says what did.
        audit.source_commit = None;
        if args.reason.is_none() {
            audit.reason = format!("promote what {from} runs");
        }
    }
    let request = Request {
        env: env.name.value.clone(),
        app: app.name.value.clone(),
        repository: app.image.clone(),
        source,
        mode,
        url,
        branch: config.gitops.branch.clone(),
        overlay,
        audit,
        attempts: args.retries.max(1),
        allow_rollback: args.allow_rollback,
        app_repo: Some(args.dir.clone()),
        dry_run: args.dry_run,
    };
    let mut warnings = Vec::new();
    let result = promote::promote(&request, &mut warnings);
    for warning in &warnings {
        ui.note("warning", warning);
    }
    match result? {
        Promoted::Unchanged => {
            ui.status(
                "unchanged",
                &format!(
                    "`{}` already runs this image of `{}`",
                    request.env, request.app
                ),
            );
        }
        Promoted::WouldCommit { diff, message } => {
            ui.status(
                "would commit",
                &format!(
                    "to {} of {}",
                    request.branch,
                    git_cli::redact_urls(&request.url)
                ),
            );
            ui.out(&diff)?;
            ui.out(&format!("\n{message}"))?;
        }
        Promoted::Committed { commit, attempts } => {
            ui.status(
                "promoted",
                &format!(
                    "{} in {} ({commit}, {attempts} push attempt(s))",
                    request.app, request.env
                ),
            );
        }
        Promoted::Proposed {
            branch,
            changed,
            audit,
        } => {
            let verb = if changed { "proposed" } else { "unchanged" };
            ui.status(verb, &format!("{} on branch {branch}", audit.subject()));
            if let Some(path) = std::env::var_os("GITHUB_OUTPUT") {
                promote::github_outputs(Path::new(&path), &branch, &audit)?;
            }
        }
    }
    Ok(Outcome::Success)
}

fn find_env<'c>(config: &'c Config, name: &str) -> Result<&'c Environment, Error> {
    config
        .environments
        .iter()
        .find(|e| e.name.value == name)
        .ok_or_else(|| {
            let names: Vec<&str> = config
                .environments
                .iter()
                .map(|e| e.name.value.as_str())
                .collect();
            Error::Usage(format!(
                "unknown environment `{name}`; the model has {}",
                names.join(", ")
            ))
        })
}

/// Whether a pushed ref maps to `env`: `refs/heads/x` against its branches, `refs/tags/x`
/// against its tags, and a bare name against its branches.
fn ref_maps_to(env: &Environment, git_ref: &str) -> bool {
    let (patterns, name) = if let Some(b) = git_ref.strip_prefix("refs/heads/") {
        (&env.branches, b)
    } else if let Some(t) = git_ref.strip_prefix("refs/tags/") {
        (&env.tags, t)
    } else {
        (&env.branches, git_ref)
    };
    patterns.iter().any(|p| p.value.matches(name))
}

/// Uncommitted edits to the model or the overlay mean the checkout disagrees with what is being
/// promoted; stop rather than guess which one the user meant.
fn refuse_dirty(dir: &Path, overlay: &str) -> Result<(), Error> {
    let git = Git::new(dir, None);
    let Ok(status) = git.run(&["status", "--porcelain", "--", config::FILE_NAME, overlay]) else {
        return Ok(());
    };
    if status.is_empty() {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "uncommitted changes to {}; commit or stash them before promoting:\n{status}",
        [config::FILE_NAME, overlay].join(" or ")
    )))
}
