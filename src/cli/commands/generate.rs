//! `gitops-gen generate`: MODEL → RENDER → WRITE. Reads gitops-gen.yaml and nothing it owns.

use std::path::Path;

use crate::Outcome;
use crate::cli::GenerateArgs;
use crate::cli::commands::load_model;
use crate::cli::ui::Ui;
use crate::error::Error;
use crate::files::diff;
use crate::model::Config;
use crate::render;
use crate::write::{self, Action, Plan};

/// How `generate` treats the plan.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Write changes.
    Write,
    /// Print diffs, write nothing, exit 1 when stale.
    Check,
    /// Print the plan with diffs, write nothing.
    DryRun,
}

/// Runs the command.
pub(crate) fn run(ui: &Ui, args: &GenerateArgs) -> Result<Outcome, Error> {
    let mode = if args.check {
        Mode::Check
    } else if args.dry_run {
        Mode::DryRun
    } else {
        Mode::Write
    };
    generate(ui, &args.dir, mode, args.force, args.diff)
}

/// Loads the model from `root` and carries out `mode`.
pub(crate) fn generate(
    ui: &Ui,
    root: &Path,
    mode: Mode,
    force: bool,
    show_diff: bool,
) -> Result<Outcome, Error> {
    let config = load_model(root)?;
    let plan = plan(root, &config, force)?;
    execute(ui, root, &plan, mode, show_diff)
}

/// Renders `config` and compares it with the files under `root`.
pub(crate) fn plan(root: &Path, config: &Config, force: bool) -> Result<Plan, Error> {
    let outputs = render::render(config, Some(root))?;
    write::plan(root, &outputs, force)
}

/// Writes, checks or reports a plan. Refusals write nothing at all, so a repository is never
/// left half regenerated.
pub(crate) fn execute(
    ui: &Ui,
    root: &Path,
    plan: &Plan,
    mode: Mode,
    show_diff: bool,
) -> Result<Outcome, Error> {
    match mode {
        Mode::Check => Ok(check(ui, plan)?),
        Mode::DryRun => {
            report(ui, plan, true, "would")?;
            Ok(Outcome::Success)
        }
        Mode::Write => {
            if report_refusals(ui, plan) {
                return Ok(Outcome::Failure);
            }
            write::apply(root, plan)?;
            report(ui, plan, show_diff, "")?;
            Ok(Outcome::Success)
        }
    }
}

/// Prints every refused file and the way out; true when anything was refused.
pub(crate) fn report_refusals(ui: &Ui, plan: &Plan) -> bool {
    if plan.refused().next().is_none() {
        return false;
    }
    for item in plan.refused() {
        ui.note(
            "refused",
            &format!("{} was {}", item.path, refusal_reason(item.action)),
        );
    }
    ui.note(
        "help",
        "nothing was written; move the change into gitops-gen.yaml (or a template override in \
         .gitops-gen/templates/), or rerun with --force to overwrite",
    );
    true
}

fn refusal_reason(action: Action) -> &'static str {
    match action {
        Action::RefuseForeign => "not written by gitops-gen",
        _ => "edited by hand since it was generated",
    }
}

fn check(ui: &Ui, plan: &Plan) -> Result<Outcome, Error> {
    let stale: Vec<_> = plan.stale().collect();
    for item in plan
        .items
        .iter()
        .filter(|i| i.action == Action::KeepEditedOrphan)
    {
        ui.note(
            "warning",
            &format!(
                "{} is no longer generated but was edited by hand; delete it when done",
                item.path
            ),
        );
    }
    if stale.is_empty() {
        ui.status("ok", "generated files match gitops-gen.yaml");
        return Ok(Outcome::Success);
    }
    for item in &stale {
        let text = diff::unified(
            &item.path,
            item.old.as_deref().unwrap_or(""),
            item.new.as_deref().unwrap_or(""),
            ui.color_out,
        );
        ui.out(&text)?;
    }
    ui.note(
        "error",
        &format!(
            "{} generated {} out of date with gitops-gen.yaml",
            stale.len(),
            if stale.len() == 1 {
                "file is"
            } else {
                "files are"
            }
        ),
    );
    ui.note("help", "run `gitops-gen generate` and commit the result");
    Ok(Outcome::Failure)
}

fn report(ui: &Ui, plan: &Plan, show_diff: bool, prefix: &str) -> Result<(), Error> {
    let mut changed = 0;
    for item in &plan.items {
        match item.action {
            Action::Unchanged => continue,
            Action::KeepSeeded if prefix.is_empty() => continue,
            _ => {}
        }
        if item.action.is_stale() {
            changed += 1;
        }
        let verb = if prefix.is_empty() {
            item.action.verb().to_owned()
        } else {
            format!("{prefix} {}", item.action.verb())
        };
        ui.status(&verb, &item.path);
        if show_diff
            && matches!(
                item.action,
                Action::Create | Action::Update | Action::Delete
            )
        {
            ui.out(&diff::unified(
                &item.path,
                item.old.as_deref().unwrap_or(""),
                item.new.as_deref().unwrap_or(""),
                ui.color_out,
            ))?;
        }
        if item.action == Action::KeepEditedOrphan {
            ui.note(
                "warning",
                &format!(
                    "{} is no longer generated but was edited by hand; left in place",
                    item.path
                ),
            );
        }
    }
    if changed == 0 {
        ui.status("ok", "everything is up to date");
    }
    Ok(())
}

#[cfg(test)]
mod props;
