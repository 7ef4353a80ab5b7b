//! `gitops-gen migrate`: READ → SCAN → INFER (as `analyze`) → MIGRATE (the drafted model) →
//! the plan, the diff and, with `--write`, `gitops-gen.yaml` when the repository has none.

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
    };
    let draft = migrate::draft(&analysis, Some(root), &options);
    let text = draft.text();
    let existing = match read_text(
        root,
        std::path::Path::new(model::FILE_NAME),
        Symlinks::InsideRoot,
        MAX_FILE_BYTES,
    ) {
        Ok(text) => Some(text),
        Err(Unreadable::Missing) => None,
        Err(why) => {
            return Err(Error::Usage(format!("`{}` {why}", model::FILE_NAME)));
        }
    };
    let todos = draft.notes.todos.len();
    if existing.as_deref() != Some(text.as_str()) {
        let old = existing.as_deref().unwrap_or_default();
        ui.out(&diff::unified(model::FILE_NAME, old, &text, ui.color_out))?;
    }
    // The draft always parses; where it does not validate, the diagnostics point at the TODOs.
    if let Err(invalid) = model::parse(model::FILE_NAME, &text) {
        eprintln!("{:?}", miette::Report::new(Error::InvalidModel(invalid)));
        ui.note(
            "draft",
            "does not validate yet: answer the TODO(migrate) questions the problems above point at",
        );
    }
    for todo in &draft.notes.todos {
        ui.status("todo", todo);
    }
    let verb = match (&existing, args.write) {
        (Some(old), _) if *old == text => "unchanged",
        (Some(_), _) => "keep",
        (None, true) => {
            crate::write::write_file(root, model::FILE_NAME, &text)?;
            "create"
        }
        (None, false) => "would create",
    };
    let what = match verb {
        "keep" => format!(
            "{} (yours; migrate never replaces a model, the draft is the diff above)",
            model::FILE_NAME
        ),
        _ => format!(
            "{} ({todos} TODO(migrate) {})",
            model::FILE_NAME,
            if todos == 1 { "question" } else { "questions" }
        ),
    };
    ui.status(verb, &what);
    Ok(Outcome::Success)
}
