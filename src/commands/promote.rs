//! `gitops-gen promote`: resolves the request from the model and the CI environment, then hands
//! it to the promotion engine.

use crate::Outcome;
use crate::cli::PromoteArgs;
use crate::commands::load_model;
use crate::config::Promotion;
use crate::error::Error;
use crate::promote::{self, Request, edit::ImageRef, git_cli::Git, message::Audit};
use crate::ui::Ui;

/// Runs the command.
pub fn run(ui: &Ui, args: &PromoteArgs) -> Result<Outcome, Error> {
    let config = load_model(&args.dir)?;
    let env = config
        .environments
        .iter()
        .find(|e| e.name.value == args.env)
        .ok_or_else(|| {
            let names: Vec<&str> = config
                .environments
                .iter()
                .map(|e| e.name.value.as_str())
                .collect();
            Error::Usage(format!(
                "unknown environment `{}`; the model has {}",
                args.env,
                names.join(", ")
            ))
        })?;
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
    let (repository, reference) = ImageRef::parse(&args.image).ok_or_else(|| {
        Error::Usage(format!(
            "image `{}` must be `repository:tag` or `repository@sha256:<64 hex>`",
            args.image
        ))
    })?;
    if repository != app.image {
        return Err(Error::Usage(format!(
            "image `{}` is not from app `{}`'s repository `{}`",
            args.image, app.name.value, app.image
        )));
    }
    if let Some(git_ref) = &args.r#ref {
        let (patterns, name) = if let Some(b) = git_ref.strip_prefix("refs/heads/") {
            (&env.branches, b)
        } else if let Some(t) = git_ref.strip_prefix("refs/tags/") {
            (&env.tags, t)
        } else {
            (&env.branches, git_ref.as_str())
        };
        if !patterns.iter().any(|p| p.value.matches(name)) {
            ui.status(
                "skip",
                &format!("`{git_ref}` does not promote into `{}`", env.name.value),
            );
            return Ok(Outcome::Success);
        }
    }
    let mode = match args.mode.as_deref() {
        Some("pull-request") => Promotion::PullRequest,
        Some(_) => Promotion::Commit,
        None if env.promotion == Promotion::PullRequest => Promotion::PullRequest,
        None => Promotion::Commit,
    };
    let url = match &config.gitops.repository {
        Some(url) => url.clone(),
        None => Git::new(&args.dir, None)
            .run(&["remote", "get-url", &args.remote])
            .map_err(|_| {
                Error::Usage(format!(
                    "this repository has no remote `{}` to promote through; pass --remote",
                    args.remote
                ))
            })?,
    };
    let audit = Audit {
        env: env.name.value.clone(),
        app: app.name.value.clone(),
        repository: repository.clone(),
        old: None,
        new: reference.display().to_owned(),
        ..Audit::default()
    }
    .from_ci_env(args.reason.as_deref());
    let request = Request {
        env: env.name.value.clone(),
        app: app.name.value.clone(),
        repository,
        reference,
        mode,
        url,
        branch: config.gitops.branch.clone(),
        overlay: promote::overlay_path(&config, &env.name.value),
        audit,
        attempts: args.retries.max(1),
    };
    if args.dry_run {
        ui.status(
            "would edit",
            &format!("{} on branch {}", request.overlay, request.branch),
        );
        ui.out(&request.audit.message())?;
        return Ok(Outcome::Success);
    }
    match promote::promote(&request)? {
        promote::Result::Unchanged => {
            ui.status(
                "unchanged",
                &format!("{} already runs {}", request.env, args.image),
            );
        }
        promote::Result::Committed { commit, attempts } => {
            ui.status(
                "promoted",
                &format!(
                    "{} → {} in {} ({commit}, {attempts} push attempt(s))",
                    request.app, args.image, request.env
                ),
            );
        }
        promote::Result::Proposed { branch, audit } => {
            ui.status(
                "proposed",
                &format!("{} → {} on branch {branch}", request.app, args.image),
            );
            if let Some(path) = std::env::var_os("GITHUB_OUTPUT") {
                promote::github_outputs(std::path::Path::new(&path), &branch, &audit)?;
            }
        }
    }
    Ok(Outcome::Success)
}
