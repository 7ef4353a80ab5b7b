//! `gitops-gen generate`: MODEL → RENDER → WRITE. Reads gitops-gen.yaml and nothing it owns.

use std::collections::BTreeSet;
use std::path::Path;

use crate::Outcome;
use crate::cli::GenerateArgs;
use crate::cli::commands::load_model;
use crate::cli::ui::Ui;
use crate::error::Error;
use crate::files::diff;
use crate::files::inputs::{self, Inputs};
use crate::model::tree::GitopsTree;
use crate::model::{Config, GITLAB_ROOT_PIPELINE, INCLUDED_GITLAB_PIPELINE};
use crate::promote::git_cli;
use crate::render::{self, Home, OutputFile};
use crate::sources::{self, kustomize::Resource};
use crate::write::{self, Action, Plan, PlanItem};

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
    let Some(checkout) = &args.gitops_checkout else {
        // `--check` answers from the digests while nothing they cover moved (write/digests.rs).
        if mode == Mode::Check
            && !args.render
            && let Some(warnings) = write::digests::unchanged(&args.dir)
        {
            for warning in &warnings {
                ui.note("warning", warning);
            }
            return check(ui, &Plan::default());
        }
        return generate(ui, &args.dir, mode, args.force, args.diff);
    };
    let config = load_model(&args.dir)?;
    let Some(url) = &config.gitops.repository else {
        return Err(Error::Usage(
            "--gitops-checkout needs a separate `gitops.repository`; the tree of this model \
             lives in this repository"
                .to_owned(),
        ));
    };
    let same = |a: &Path, b: &Path| matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b);
    if !checkout.is_dir() || same(checkout, &args.dir) {
        return Err(Error::Usage(format!(
            "--gitops-checkout {}: expected a checkout of {}, a folder other than this \
             repository",
            checkout.display(),
            git_cli::redact_urls(url)
        )));
    }
    let outputs = render::render_deferred(&config, Some(&args.dir))?;
    let here = plan_home(&args.dir, &config, &outputs, Home::This, args.force)?;
    let tree = plan_home(checkout, &config, &outputs, Home::Gitops, args.force)?;
    let shown = displayed(&tree, checkout);
    if mode == Mode::Write && (report_refusals(ui, &here) | report_refusals(ui, &shown)) {
        return Ok(Outcome::Failure);
    }
    let first = execute(ui, &args.dir, &here, mode, args.diff)?;
    if mode == Mode::Write {
        write::apply(checkout, &tree)?;
        report(ui, &shown, args.diff, "")?;
        return Ok(first);
    }
    let second = execute(ui, checkout, &shown, mode, args.diff)?;
    Ok(match (first, second) {
        (Outcome::Success, Outcome::Success) => Outcome::Success,
        _ => Outcome::Failure,
    })
}

/// `plan` with every path shown under `dir`, for reports; never applied.
fn displayed(plan: &Plan, dir: &Path) -> Plan {
    let mut shown = plan.clone();
    for item in &mut shown.items {
        item.path = dir.join(&item.path).display().to_string();
    }
    shown
}

/// Loads the model from `root` and carries out `mode`.
pub(crate) fn generate(
    ui: &Ui,
    root: &Path,
    mode: Mode,
    force: bool,
    show_diff: bool,
) -> Result<Outcome, Error> {
    let (rendered, asked) = inputs::recording(|| rendered(root, force));
    let Rendered {
        config,
        outputs,
        plan,
        warnings,
    } = rendered?;
    for warning in &warnings {
        ui.note("warning", warning);
    }
    let outcome = execute(ui, root, &plan, mode, show_diff)?;
    let repository = config.gitops.repository.clone();
    if mode == Mode::Write && outcome == Outcome::Success {
        let wrote = plan.items.iter().any(|i| i.action.touches_disk());
        let first = Rendered {
            config,
            outputs,
            plan,
            warnings,
        };
        write_digests(ui, root, (!wrote).then_some((first, asked)))?;
    }
    if let Some(url) = &repository
        && mode != Mode::Check
    {
        ui.note(
            "note",
            &format!(
                "the operator's tree belongs in {}: the pipeline's sync job writes it there \
                 (`gitops-gen sync`), or write it into a checkout with `gitops-gen generate \
                 --gitops-checkout DIR`",
                git_cli::redact_urls(url)
            ),
        );
    }
    Ok(outcome)
}

/// One render of the model under a root, planned against what is there.
pub(crate) struct Rendered {
    config: Config,
    outputs: Vec<OutputFile>,
    plan: Plan,
    warnings: Vec<String>,
}

/// Loads the model from `root`, renders it, plans the result and collects the warnings.
fn rendered(root: &Path, force: bool) -> Result<Rendered, Error> {
    let config = load_model(root)?;
    let outputs = render::render_deferred(&config, Some(root))?;
    let plan = plan_home(root, &config, &outputs, Home::This, force)?;
    let warnings = replicas::warnings(&config, root);
    Ok(Rendered {
        config,
        outputs,
        plan,
        warnings,
    })
}

/// Writes `.gitops-gen/digests` for what is under `root` now, after a write that succeeded.
/// `reuse` is a render (and what it asked) that still describes the files: one whose plan
/// wrote nothing. Otherwise rendering may have read files before this run changed them (the
/// team's `.gitlab-ci.yml` it adds an include to, a base it seeded), so it renders once more,
/// on what is there now. Digests are kept only when that render finds nothing to change.
pub(crate) fn write_digests(
    ui: &Ui,
    root: &Path,
    reuse: Option<(Rendered, Inputs)>,
) -> Result<(), Error> {
    let (now, asked) = match reuse {
        Some(reused) => reused,
        None => match inputs::recording(|| rendered(root, false)) {
            (Ok(now), asked) => (now, asked),
            (Err(e), _) => {
                ui.note("warning", &format!("no digests were kept: {e}"));
                return Ok(());
            }
        },
    };
    if now.plan.stale().next().is_some() {
        ui.note(
            "warning",
            "rendering again after writing found more to change, so no digests were kept and \
             `generate --check` renders every time; please report this",
        );
        return Ok(());
    }
    let Some(text) = write::digests::of(&asked, &now.outputs, &now.warnings) else {
        ui.note(
            "warning",
            "no digests were kept: a path rendering read holds a line break, which the digests \
             cannot write down; `generate --check` renders every time",
        );
        return Ok(());
    };
    let path = write::digests::PATH;
    let existing = std::fs::read_to_string(root.join(path)).ok();
    if existing.as_deref() == Some(text.as_str()) {
        return Ok(());
    }
    if let Err(e) = write::write_file(root, path, &text) {
        // Everything else is written; without digests `--check` renders, which is only slower.
        ui.note("warning", &format!("no digests were kept: {e}"));
        return Ok(());
    }
    ui.status(
        if existing.is_some() {
            "update"
        } else {
            "create"
        },
        path,
    );
    Ok(())
}

/// Renders `config` and compares what belongs in this repository with the files under `root`.
/// With a separate `gitops.repository`, that is the pipelines only; the tree is planned by
/// [`plan_home`] against a checkout of that repository.
pub(crate) fn plan(root: &Path, config: &Config, force: bool) -> Result<Plan, Error> {
    let outputs = render::render_deferred(config, Some(root))?;
    plan_home(root, config, &outputs, Home::This, force)
}

/// Compares the rendered `outputs` that belong in `home` with the files under `root`: this
/// repository, or with [`Home::Gitops`] a checkout of the separate config repository.
pub(crate) fn plan_home(
    root: &Path,
    config: &Config,
    outputs: &[OutputFile],
    home: Home,
    force: bool,
) -> Result<Plan, Error> {
    let outputs: Vec<OutputFile> = outputs.iter().filter(|o| o.home == home).cloned().collect();
    let plan = write::plan(root, &outputs, force)?;
    // Overlays matter where the operator reads them: an old copy of the tree left in the
    // application repository is not applied by anyone.
    if home == Home::Gitops || !config.gitops.is_separate() {
        still_listed(root, config, &plan)?;
    }
    Ok(plan)
}

/// Refuses a plan that deletes a folder an application overlay still lists (the release of a
/// Helm app removed from the model, say): the overlay would stop building, and the operator
/// would stop applying the whole environment. The overlays are the user's and promotion's, so
/// the way out is to take the app out of them first.
fn still_listed(root: &Path, config: &Config, plan: &Plan) -> Result<(), Error> {
    let deleted: BTreeSet<&str> = plan
        .items
        .iter()
        .filter(|i| i.action == Action::Delete)
        .filter_map(|i| i.path.strip_suffix("/kustomization.yaml"))
        .collect();
    if deleted.is_empty() {
        return Ok(());
    }
    let overlays = GitopsTree::of(config).path("applications/overlays");
    let mut found = Vec::new();
    for file in kustomizations(root, &overlays) {
        for resource in sources::kustomize::listed(root, &file)? {
            if let Resource::Local { written, path } = resource
                && deleted.contains(path.as_str())
            {
                found.push(format!("`{file}` lists `{written}`"));
            }
        }
    }
    if found.is_empty() {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "the model no longer produces folders that environments still run: {}; take those \
         entries (and their `-image` ConfigMap and values file, for a Helm app) out of the \
         overlays first, then run generate again. Nothing was written",
        found.join(", ")
    )))
}

/// The `kustomization.yaml` files below `dir` (repository-relative), not following symbolic
/// links; a folder that cannot be listed holds none.
fn kustomizations(root: &Path, dir: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(root.join(&dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let rel = format!("{dir}/{name}");
            if kind.is_dir() {
                stack.push(rel);
            } else if kind.is_file() && name == "kustomization.yaml" {
                out.push(rel);
            }
        }
    }
    out.sort();
    out
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
        ui.note("refused", &refusal(item));
    }
    let mut help = String::from("nothing was written");
    if plan.refused().any(|i| i.action == Action::RefuseUnsafe) {
        help.push_str(
            "; gitops-gen writes only regular files in real folders of the repository: replace \
             each symbolic link above with the folder or file itself (--force does not change \
             this)",
        );
    }
    if plan.refused().any(|i| {
        !matches!(
            i.action,
            Action::RefuseUnsafe | Action::RefuseForeignPipeline
        )
    }) {
        help.push_str(
            "; move the change into gitops-gen.yaml (or a template override in \
             .gitops-gen/templates/), or rerun with --force to overwrite",
        );
    }
    ui.note("help", &help);
    true
}

/// Why one refused item was refused, as a sentence that starts with its path.
pub(crate) fn refusal(item: &PlanItem) -> String {
    match item.action {
        Action::RefuseUnsafe => format!(
            "{}: {}",
            item.path,
            item.reason.as_deref().unwrap_or("not a plain path")
        ),
        Action::RefuseForeign => format!("{} was not written by gitops-gen", item.path),
        Action::RefuseForeignPipeline if item.path == GITLAB_ROOT_PIPELINE => format!(
            "{} is a pipeline gitops-gen did not write; replacing it would delete its jobs, so \
             it is not replaced, even with --force: set `gitlab: {{file: {INCLUDED_GITLAB_PIPELINE}}}` \
             in gitops-gen.yaml to keep it and include gitops-gen's pipeline from it",
            item.path
        ),
        Action::RefuseForeignPipeline => format!(
            "{} is a pipeline gitops-gen did not write; replacing it would delete its jobs, so \
             it is not replaced, even with --force: move it aside (rename or delete it) to \
             replace it, and keep the jobs you need",
            item.path
        ),
        _ => format!("{} was edited by hand since it was generated", item.path),
    }
}

/// The warning for a managed file that is kept although the model no longer produces it.
fn kept_orphan(item: &PlanItem, done: &str) -> Option<String> {
    match item.action {
        Action::KeepEditedOrphan => Some(format!(
            "{} is no longer generated but was edited by hand; {done}",
            item.path
        )),
        Action::KeepUnrecordedOrphan => Some(format!(
            "{} is no longer generated, and was written by an older gitops-gen that did not \
             record its path, so it may be a copy; delete it by hand if it is not needed",
            item.path
        )),
        Action::KeepSeededOrphan => Some(format!(
            "{} was created by gitops-gen for something the model no longer has (a removed app, \
             environment or an old gitops.path); it is yours: delete it, or what refers to it, if \
             it is not needed",
            item.path
        )),
        _ => None,
    }
}

fn check(ui: &Ui, plan: &Plan) -> Result<Outcome, Error> {
    for note in plan
        .items
        .iter()
        .filter_map(|i| kept_orphan(i, "delete it when done"))
    {
        ui.note("warning", &note);
    }
    let (diffable, other): (Vec<_>, Vec<_>) = plan
        .stale()
        .partition(|i| !matches!(i.action, Action::RefuseUnsafe | Action::RemoveLeftover));
    if diffable.is_empty() && other.is_empty() {
        ui.status("ok", "generated files match gitops-gen.yaml");
        return Ok(Outcome::Success);
    }
    for item in &diffable {
        let text = diff::unified(
            &item.path,
            item.old.as_deref().unwrap_or(""),
            item.new.as_deref().unwrap_or(""),
            ui.color_out,
        );
        ui.out(&text)?;
    }
    for item in &other {
        let text = match item.action {
            Action::RefuseUnsafe => refusal(item),
            _ => format!(
                "{} is a temporary file left by an interrupted gitops-gen run",
                item.path
            ),
        };
        ui.note("error", &text);
    }
    if !diffable.is_empty() {
        ui.note(
            "error",
            &format!(
                "{} generated {} out of date with gitops-gen.yaml",
                diffable.len(),
                if diffable.len() == 1 {
                    "file is"
                } else {
                    "files are"
                }
            ),
        );
    }
    if other.iter().any(|i| i.action == Action::RemoveLeftover) {
        ui.note(
            "help",
            "run `gitops-gen generate` to remove temporary files left by an interrupted run",
        );
    }
    if !diffable.is_empty() {
        ui.note("help", "run `gitops-gen generate` and commit the result");
    }
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
        if item.action == Action::RefuseUnsafe {
            ui.note("refused", &refusal(item));
        }
        if let Some(note) = kept_orphan(item, "left in place") {
            ui.note("warning", &note);
        }
    }
    if changed == 0 {
        ui.status("ok", "everything is up to date");
    }
    Ok(())
}

#[cfg(test)]
mod props;
mod replicas;
