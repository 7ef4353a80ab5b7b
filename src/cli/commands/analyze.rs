//! `gitops-gen analyze`: reads an existing repository and reports what deploys where, with
//! evidence. Writes nothing; exit 0 unless the path itself cannot be used.

use crate::Outcome;
use crate::analyze;
use crate::analyze::report::{markdown, sarif, text};
use crate::cli::ui::Ui;
use crate::cli::{AnalyzeArgs, ReportFormat};
use crate::error::Error;
use crate::files::repo::DirRepo;

/// Analyzes the repository at `args.path` and prints the report in `args.format`.
pub(crate) fn run(ui: &Ui, args: &AnalyzeArgs) -> Result<Outcome, Error> {
    let root = &args.path;
    if !root.is_dir() {
        return Err(Error::Usage(format!(
            "`{}` is not a directory to analyze",
            root.display()
        )));
    }
    let repo =
        DirRepo::open(root).map_err(|e| Error::io(format!("reading {}", root.display()), e))?;
    let analysis = analyze::analyze(repo.paths(), &repo);
    let out = match args.format {
        ReportFormat::Text => text::render(&analysis, &repo, ui.color_out),
        ReportFormat::Json => json(&analysis)?,
        ReportFormat::Markdown => markdown::render(&analysis),
        ReportFormat::Sarif => json(&sarif::render(&analysis))?,
    };
    ui.out(&out)?;
    Ok(Outcome::Success)
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, Error> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::Internal(format!("serializing the analysis: {e}")))?;
    text.push('\n');
    Ok(text)
}
