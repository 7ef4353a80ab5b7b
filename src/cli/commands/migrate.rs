//! `gitops-gen migrate`: READ → SCAN → INFER (as `analyze`) → MIGRATE → the plan, the diffs
//! and, with `--write`, the files.
//!
//! - `--phase prepare` (default): the drafted model (every environment `suspended: true`) and
//!   `MIGRATION.md` where the repository has none, then everything `generate` writes once the
//!   model on disk validates.
//! - `--phase cutover --env E`: after the live objects match (`--compare-live`), the old
//!   deploy steps of `E` disabled, `E` no longer suspended, and the generated files again.

use std::path::Path;

use crate::Outcome;
use crate::analyze::document::Analysis;
use crate::cli::commands::generate::{self, Mode};
use crate::cli::commands::reseal;
use crate::cli::ui::Ui;
use crate::cli::{MigrateArgs, Phase};
use crate::error::Error;
use crate::files::diff;
use crate::files::repo::DirRepo;
use crate::files::safe_read::{MAX_FILE_BYTES, Symlinks, Unreadable, read_text};
use crate::migrate::{self, Options};
use crate::model::{self, decode::dns_label_from};

/// Runs the command.
pub(crate) fn run(ui: &Ui, args: &MigrateArgs) -> Result<Outcome, Error> {
    let root = &args.path;
    if !root.is_dir() {
        return Err(Error::Usage(format!(
            "`{}` is not a directory to migrate",
            root.display()
        )));
    }
    let repo =
        DirRepo::open(root).map_err(|e| Error::io(format!("reading {}", root.display()), e))?;
    let analysis = crate::analyze::analyze(repo.paths(), &repo);
    let folder = std::fs::canonicalize(root)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let options = Options {
        project: dns_label_from(&folder).unwrap_or_else(|| "app".to_owned()),
        ci: args.ci,
        operator: args.operator,
        default_branch: crate::files::remote::default_branch(root),
        clone_url: crate::files::remote::remote_info(root).clone_url(),
    };
    let draft = migrate::draft(&analysis, Some(root), &options);
    if args.phase == Phase::Cutover {
        return cutover(ui, args, &analysis, &draft);
    }
    // A model on disk is the team's: migrate drafts only where there is none. A fresh draft
    // would read the generated files too, so it is not shown against it.
    if existing(root, model::FILE_NAME)?.is_some() {
        ui.status(
            "keep",
            &format!(
                "{} (yours: migrate drafts one only where there is none)",
                model::FILE_NAME
            ),
        );
        if existing(root, GUIDE)?.is_none() && args.write {
            crate::write::write_file(root, GUIDE, &migrate::guide(&analysis, &draft))?;
            ui.status("create", GUIDE);
        }
        return regenerate(ui, root, args.write, None, &analysis);
    }
    draft_files(ui, args, &analysis, &draft)?;
    regenerate(ui, root, args.write, Some(&draft.text()), &analysis)
}

/// Shows the drafted model and guide, and writes them with `--write`.
fn draft_files(
    ui: &Ui,
    args: &MigrateArgs,
    analysis: &crate::analyze::document::Analysis,
    draft: &migrate::Draft,
) -> Result<(), Error> {
    let root = &args.path;
    let todos = draft.notes.todos.len();
    let files = [
        (model::FILE_NAME, draft.text()),
        (GUIDE, migrate::guide(analysis, draft)),
    ];
    // Whether each file is there, read once: what is shown and what is written agree.
    let mut present = Vec::new();
    for (path, text) in &files {
        let there = existing(root, path)?.is_some();
        if !there {
            ui.out(&diff::unified(path, "", text, ui.color_out))?;
        }
        present.push(there);
    }
    // The draft always parses; where it does not validate, the diagnostics point at the TODOs.
    if let Err(invalid) = model::parse(model::FILE_NAME, &files[0].1) {
        eprintln!("{:?}", miette::Report::new(Error::InvalidModel(invalid)));
        ui.note(
            "draft",
            "does not validate yet: answer the TODO(migrate) questions the problems above point at",
        );
    }
    // What the analysis could not read is a gap in the draft too: every such file is named.
    for problem in &analysis.diagnostics {
        ui.status(
            "not read",
            &format!(
                "{}:{}: {} [{}]",
                problem.at.file, problem.at.line, problem.message, problem.code
            ),
        );
    }
    for todo in &draft.notes.todos {
        ui.status("todo", todo);
    }
    for ((path, text), there) in files.iter().zip(present) {
        let verb = match (there, args.write) {
            (true, _) => "keep",
            (false, true) => {
                crate::write::write_file(root, path, text)?;
                "create"
            }
            (false, false) => "would create",
        };
        let what = match (verb, *path == model::FILE_NAME) {
            ("keep", _) => format!("{path} (yours; migrate never replaces it)"),
            (_, true) => format!(
                "{path} ({todos} TODO(migrate) {})",
                if todos == 1 { "question" } else { "questions" }
            ),
            (_, false) => (*path).to_owned(),
        };
        ui.status(verb, &what);
    }
    Ok(())
}

/// What `generate` writes from the model on disk (or, before one is written, from the draft):
/// with `write` it writes it, without it prints the plan and the diff of every file. A model that
/// does not validate or render yet is a note, not a failure: the draft's questions come first.
fn regenerate(
    ui: &Ui,
    root: &Path,
    write: bool,
    draft: Option<&str>,
    analysis: &Analysis,
) -> Result<Outcome, Error> {
    let text = match (existing(root, model::FILE_NAME)?, draft) {
        (Some(text), _) => text,
        (None, Some(draft)) if !write => draft.to_owned(),
        (None, _) => return Ok(Outcome::Success),
    };
    let Ok(config) = model::parse(model::FILE_NAME, &text) else {
        ui.note(
            "generate",
            "not yet: gitops-gen.yaml does not validate; answer its TODO(migrate) questions, then \
             run `gitops-gen generate`",
        );
        return Ok(Outcome::Success);
    };
    // Plaintext Secrets become SealedSecrets in place where the certificate is there, before
    // `generate` lists what the overlays hold.
    reseal::replace_plaintext(ui, root, &config, &analysis.layout.plaintext_secrets, write)?;
    let mode = if write { Mode::Write } else { Mode::DryRun };
    let done = generate::plan(root, &config, false)
        .and_then(|plan| generate::execute(ui, root, &plan, mode, !write))
        .and_then(|outcome| {
            if write && outcome == Outcome::Success {
                generate::write_digests(ui, root, None)?;
            }
            Ok(outcome)
        });
    match done {
        // The model validates but does not render yet: a question the draft could not see.
        Err(Error::Usage(why)) => {
            ui.note(
                "generate",
                &format!("not yet: {why}; fix gitops-gen.yaml, then run `gitops-gen generate`"),
            );
            Ok(Outcome::Success)
        }
        other => other,
    }
}

/// `--phase cutover`: the plan for one environment, its diffs, and with `--write` the edits
/// and the generated files.
fn cutover(
    ui: &Ui,
    args: &MigrateArgs,
    analysis: &crate::analyze::document::Analysis,
    draft: &migrate::Draft,
) -> Result<Outcome, Error> {
    let root = &args.path;
    let env = args.env.as_deref().ok_or_else(|| {
        Error::Usage("`--phase cutover` needs `--env <ENV>`: the environment to cut over".into())
    })?;
    let Some(model_text) = existing(root, model::FILE_NAME)? else {
        return Err(Error::Usage(
            "no gitops-gen.yaml: run `gitops-gen migrate --write` (the prepare phase) first".into(),
        ));
    };
    let config = model::parse(model::FILE_NAME, &model_text).map_err(Error::InvalidModel)?;
    match (&args.compare_live, args.skip_compare) {
        (Some(dir), _) => {
            let report =
                migrate::compare::compare(root, &config, env, dir).map_err(Error::Usage)?;
            ui.out(&report.text())?;
            if !report.is_clean() && !args.force {
                return Err(Error::Refused(format!(
                    "not cutting `{env}` over: {} of the live objects differ from what the model \
                     renders (above); fix the model or the overlay, or --force",
                    report.differences()
                )));
            }
        }
        (None, true) => ui.note("compare", "skipped (--skip-compare)"),
        (None, false) => {
            return Err(Error::Refused(format!(
                "not cutting `{env}` over without proof: export what runs (MIGRATION.md, \
                 \"Proof before cutover\") and pass --compare-live DIR, or --skip-compare"
            )));
        }
    }
    let plan = migrate::cutover::plan(analysis, root, &model_text, &draft.named, env, args.force)
        .map_err(Error::Refused)?;
    for (path, (old, new)) in &plan.edits {
        ui.out(&diff::unified(path, old, new, ui.color_out))?;
    }
    for line in &plan.disabled {
        ui.status("disable", line);
    }
    for line in &plan.by_hand {
        ui.status("by hand", line);
    }
    for line in &plan.credentials {
        ui.status("revoke", &format!("{line}, once `{env}` runs from Git"));
    }
    for line in &plan.shared_credentials {
        ui.status(
            "revoke",
            &format!("{line}, after the last environment's cutover"),
        );
    }
    if !args.write {
        for path in plan.edits.keys() {
            ui.status("would edit", path);
        }
        // And what `generate` would change from the new model (the environment's Flux objects).
        if let Some((_, new)) = plan.edits.get(model::FILE_NAME) {
            let config = model::parse(model::FILE_NAME, new).map_err(Error::InvalidModel)?;
            return match generate::plan(root, &config, false) {
                Ok(generated) => generate::execute(ui, root, &generated, Mode::DryRun, true),
                Err(Error::Usage(why)) => {
                    ui.note("generate", &format!("the new model does not render: {why}"));
                    Ok(Outcome::Success)
                }
                Err(other) => Err(other),
            };
        }
        return Ok(Outcome::Success);
    }
    // The new model must render before anything is written: an environment whose old deploy
    // is off while Flux is still suspended would have no deployer at all.
    if let Some((_, new)) = plan.edits.get(model::FILE_NAME) {
        let config = model::parse(model::FILE_NAME, new).map_err(Error::InvalidModel)?;
        crate::render::render(&config, Some(root))?;
    }
    // Refusals before any write: every file is still the text the plan was made from.
    for (path, (old, _)) in &plan.edits {
        if existing(root, path)?.as_deref() != Some(old.as_str()) {
            return Err(Error::Refused(format!(
                "{path} changed while planning; run the cutover again"
            )));
        }
    }
    // The old pipelines stop before the operator starts, so the two never both deploy.
    let model_last = plan.edits.iter().filter(|(p, _)| *p != model::FILE_NAME);
    let model_edit = plan.edits.iter().filter(|(p, _)| *p == model::FILE_NAME);
    for (path, (_, new)) in model_last.chain(model_edit) {
        crate::write::write_file(root, path, new)?;
        ui.status("edit", path);
    }
    generate::generate(ui, root, Mode::Write, false, false)
}

/// The migration guide `--write` puts next to the model.
const GUIDE: &str = "MIGRATION.md";

/// The text of `path` under `root`, if there is a file.
fn existing(root: &std::path::Path, path: &str) -> Result<Option<String>, Error> {
    match read_text(
        root,
        std::path::Path::new(path),
        Symlinks::InsideRoot,
        MAX_FILE_BYTES,
    ) {
        Ok(text) => Ok(Some(text)),
        Err(Unreadable::Missing) => Ok(None),
        Err(why) => Err(Error::Usage(format!("`{path}` {why}"))),
    }
}
