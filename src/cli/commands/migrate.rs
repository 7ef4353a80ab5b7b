//! `gitops-gen migrate`: READ → SCAN → INFER (as `analyze`) → MIGRATE (the drafted model and
//! the guide) → the plan, the diffs and, with `--write`, `gitops-gen.yaml` and `MIGRATION.md`
//! where the repository has none.

use crate::Outcome;
use crate::cli::MigrateArgs;
use crate::cli::ui::Ui;
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
        default_branch: crate::files::remote::default_branch(root),
    };
    let draft = migrate::draft(&analysis, Some(root), &options);
    let todos = draft.notes.todos.len();
    let files = [
        (model::FILE_NAME, draft.text()),
        (GUIDE, migrate::guide(&analysis, &draft)),
    ];
    let mut plan = Vec::new();
    for (path, text) in &files {
        let existing = existing(root, path)?;
        if existing.as_deref() != Some(text.as_str()) {
            let old = existing.as_deref().unwrap_or_default();
            ui.out(&diff::unified(path, old, text, ui.color_out))?;
        }
        plan.push((*path, text, existing));
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
    for (path, text, existing) in plan {
        let verb = match (&existing, args.write) {
            (Some(old), _) if old == text => "unchanged",
            (Some(_), _) => "keep",
            (None, true) => {
                crate::write::write_file(root, path, text)?;
                "create"
            }
            (None, false) => "would create",
        };
        let what = match (verb, path == model::FILE_NAME) {
            ("keep", _) => {
                format!("{path} (yours; migrate never replaces it, the draft is the diff above)")
            }
            (_, true) => format!(
                "{path} ({todos} TODO(migrate) {})",
                if todos == 1 { "question" } else { "questions" }
            ),
            (_, false) => path.to_owned(),
        };
        ui.status(verb, &what);
    }
    Ok(Outcome::Success)
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
