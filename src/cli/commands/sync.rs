//! `gitops-gen sync`: MODEL → RENDER, then the files that belong in the separate config
//! repository go there through the promotion machinery (`promote::sync`), planned and written on
//! each fetched tip by the WRITE stage exactly as `generate` writes them.

use std::time::Duration;

use crate::Outcome;
use crate::cli::SyncArgs;
use crate::cli::commands::generate::{self, Mode};
use crate::cli::commands::load_model;
use crate::cli::ui::Ui;
use crate::error::Error;
use crate::model::{Config, Promotion};
use crate::promote::git_cli;
use crate::promote::sync::{SYNC_BRANCH, SyncRequest, Synced, TreeWriter, sync};
use crate::promote::{CiEnv, github_outputs};
use crate::render::{self, Home, OutputFile};
use crate::write::{self, Action, Plan};

/// Runs the command. The CI run's environment variables are read here, once.
pub(crate) fn run(ui: &Ui, args: &SyncArgs) -> Result<Outcome, Error> {
    let ci = CiEnv::from_vars(|name| std::env::var_os(name));
    let config = load_model(&args.dir)?;
    let (Some(url), Some(settings)) = (&config.gitops.repository, &config.gitops.sync) else {
        return Err(Error::Usage(
            "sync needs a separate `gitops.repository`; the tree of this model lives in this \
             repository, where `gitops-gen generate` writes it"
                .to_owned(),
        ));
    };
    let mode = match args.mode.unwrap_or(settings.promotion) {
        Promotion::Manual => {
            return Err(Error::Usage(
                "--mode manual: sync either commits (`commit`) or proposes (`pull-request`)"
                    .to_owned(),
            ));
        }
        mode => mode,
    };
    let request = SyncRequest {
        url: url.clone(),
        branch: config.gitops.branch.clone(),
        mode,
        ci,
        attempts: args.push.retries.max(1),
        timeout: Duration::from_secs(args.push.timeout),
        dry_run: args.dry_run,
    };
    // Rendered once; each fetched tip is planned against the same files.
    let mut writer = Writer {
        config: &config,
        outputs: render::render_deferred(&config, Some(&args.dir))?,
        plan: None,
    };
    let mut warnings = Vec::new();
    let result = sync(&request, &mut writer, &mut warnings);
    for warning in &warnings {
        ui.note("warning", warning);
    }
    let target = format!(
        "{} of {}",
        request.branch,
        git_cli::redact_urls(&request.url)
    );
    match result? {
        Synced::Unchanged => ui.status("unchanged", &format!("{target} already holds the tree")),
        Synced::WouldSync => {
            ui.status("would sync", &target);
            if let Some(plan) = &writer.plan {
                generate::execute(ui, &args.dir, plan, Mode::DryRun, true)?;
            }
        }
        Synced::Committed { commit, attempts } => {
            report_written(ui, writer.plan.as_ref());
            ui.status(
                "synced",
                &format!("{target} ({commit}, {attempts} push attempt(s))"),
            );
        }
        Synced::Proposed {
            changed,
            title,
            body,
        } => {
            report_written(ui, writer.plan.as_ref());
            let verb = if changed { "proposed" } else { "unchanged" };
            ui.status(
                verb,
                &format!("{title} on branch {SYNC_BRANCH}, into {target}"),
            );
            if let Some(path) = &request.ci.github_output {
                github_outputs(path, SYNC_BRANCH, &title, &body)?;
            }
        }
    }
    Ok(Outcome::Success)
}

/// Lists what the last write changed in the clone.
fn report_written(ui: &Ui, plan: Option<&Plan>) {
    for item in plan.iter().flat_map(|p| p.items.iter()) {
        if item.action.touches_disk() {
            ui.status(item.action.verb(), &item.path);
        }
    }
}

/// Writes the tree into each fetched checkout of the config repository.
struct Writer<'a> {
    config: &'a Config,
    /// Everything the model renders; the config repository's share is written.
    outputs: Vec<OutputFile>,
    /// The last plan, for the report.
    plan: Option<Plan>,
}

impl TreeWriter for Writer<'_> {
    fn write(&mut self, root: &std::path::Path, dry_run: bool) -> Result<Vec<String>, Error> {
        let plan = generate::plan_home(root, self.config, &self.outputs, Home::Gitops, false)?;
        let refused: Vec<String> = plan.refused().map(generate::refusal).collect();
        if !refused.is_empty() {
            return Err(Error::Refused(format!(
                "the config repository's copy was changed by hand: {}; nothing was pushed. Move \
                 the change into gitops-gen.yaml (or a template override), or overwrite it with \
                 `gitops-gen generate --gitops-checkout <a checkout of it> --force` and push",
                refused.join("; ")
            )));
        }
        let changed: Vec<String> = plan
            .items
            .iter()
            .filter(|i| i.action.touches_disk() && i.action != Action::RemoveLeftover)
            .map(|i| i.path.clone())
            .collect();
        if !dry_run && !changed.is_empty() {
            write::apply(root, &plan)?;
        }
        self.plan = Some(plan);
        Ok(changed)
    }
}
