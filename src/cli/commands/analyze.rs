//! `gitops-gen analyze`: reads an existing repository and reports what deploys where, with
//! evidence. Writes nothing; exit 0 unless `--fail-on` names something the report holds (1) or
//! the path itself cannot be used (2).

use crate::Outcome;
use crate::analyze;
use crate::analyze::gate::{self, Finding, Severity};
use crate::analyze::report::{markdown, sarif, text};
use crate::cli::ui::Ui;
use crate::cli::{AnalyzeArgs, FailOn, ReportFormat};
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
    let matched = gate::matched(&analysis, &selected(&args.fail_on));
    if matched.is_empty() {
        return Ok(Outcome::Success);
    }
    let counts: Vec<String> = matched
        .iter()
        .map(|(finding, n)| format!("{n} {}", finding.id()))
        .collect();
    ui.note(
        "failing",
        &format!(
            "the report holds {} (named by --fail-on)",
            counts.join(", ")
        ),
    );
    Ok(Outcome::Failure)
}

/// The kinds of finding `fail_on` names: a severity stands for every kind at least that
/// serious.
fn selected(fail_on: &[FailOn]) -> Vec<Finding> {
    let at_least = |level: Severity| -> Vec<Finding> {
        Finding::ALL
            .into_iter()
            .filter(|f| f.severity() <= level)
            .collect()
    };
    fail_on
        .iter()
        .flat_map(|choice| match choice {
            FailOn::Error => at_least(Severity::Error),
            FailOn::Warning => at_least(Severity::Warning),
            FailOn::Note => at_least(Severity::Note),
            FailOn::PlaintextSecret => vec![Finding::PlaintextSecret],
            FailOn::PushDeploy => vec![Finding::PushDeploy],
            FailOn::ClusterCredential => vec![Finding::ClusterCredential],
            FailOn::Unresolved => vec![Finding::Unresolved],
            FailOn::Diagnostic => vec![Finding::Diagnostic],
        })
        .collect()
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, Error> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::Internal(format!("serializing the analysis: {e}")))?;
    text.push('\n');
    Ok(text)
}
