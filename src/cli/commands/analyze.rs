//! `gitops-gen analyze`: reads an existing repository and reports what deploys where, with
//! evidence; with `--summary`, one line for each of many repositories. Writes nothing; exit 0
//! unless `--fail-on` names something a report holds (1) or a path cannot be used (2).

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::Outcome;
use crate::analyze;
use crate::analyze::document::Analysis;
use crate::analyze::gate::{self, Finding, Severity};
use crate::analyze::report::summary::{self, Row};
use crate::analyze::report::{markdown, sarif, text};
use crate::cli::ui::Ui;
use crate::cli::{AnalyzeArgs, FailOn, ReportFormat};
use crate::error::Error;
use crate::files::repo::DirRepo;

/// Analyzes the repository at `args.paths` (or, with `--summary`, each of them) and prints the
/// report in `args.format`.
pub(crate) fn run(ui: &Ui, args: &AnalyzeArgs) -> Result<Outcome, Error> {
    if args.summary {
        return run_summary(ui, args);
    }
    let [root] = args.paths.as_slice() else {
        return Err(Error::Usage(format!(
            "`analyze` reports on one repository; give `--summary` for one line per repository \
             of the {} given",
            args.paths.len()
        )));
    };
    let repo = open(root)?;
    let analysis = analyze::analyze(repo.paths(), &repo);
    match args.format {
        ReportFormat::Text => ui.out(&text::render(&analysis, &repo, ui.color_out))?,
        // Written as serialised: the report of a million files is tens of megabytes.
        ReportFormat::Json => ui.out_with(|w| write_json(w, &analysis))?,
        ReportFormat::Markdown => ui.out(&markdown::render(&analysis))?,
        ReportFormat::Sarif => ui.out_with(|w| write_json(w, &sarif::render(&analysis)))?,
    }
    let matched = gate::matched(&analysis, &selected(&args.fail_on));
    Ok(gate_outcome(ui, &matched))
}

/// `root` opened for analysis, or why it cannot be.
fn open(root: &Path) -> Result<DirRepo, Error> {
    if !root.is_dir() {
        return Err(Error::Usage(format!(
            "`{}` is not a directory to analyze",
            root.display()
        )));
    }
    DirRepo::open(root).map_err(|e| Error::io(format!("reading {}", root.display()), e))
}

/// Exit 1 with a line saying what matched, when `--fail-on` matched something.
fn gate_outcome(ui: &Ui, matched: &[(Finding, usize)]) -> Outcome {
    if matched.is_empty() {
        return Outcome::Success;
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
    Outcome::Failure
}

/// One repository of a summary: its row and what `--fail-on` matched in it.
type Analysed = (Row, Vec<(Finding, usize)>);

/// `--summary`: every path analysed on its own (on every core, in the order given), reduced to
/// a [`Row`], then one table. A path that cannot be analysed is a row saying why, and makes
/// the exit code 2 once the table is printed.
fn run_summary(ui: &Ui, args: &AnalyzeArgs) -> Result<Outcome, Error> {
    if args.format == ReportFormat::Sarif {
        return Err(Error::Usage(
            "`--summary` prints text, markdown or json; SARIF is per repository".into(),
        ));
    }
    let selected = selected(&args.fail_on);
    let results: Vec<Mutex<Option<Analysed>>> =
        args.paths.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(1, usize::from);
    std::thread::scope(|scope| {
        for _ in 0..workers.min(args.paths.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let (Some(path), Some(slot)) = (args.paths.get(i), results.get(i)) else {
                        break;
                    };
                    let name = path.display().to_string();
                    let done = match open(path) {
                        Ok(repo) => {
                            let analysis: Analysis = analyze::analyze(repo.paths(), &repo);
                            let matched = gate::matched(&analysis, &selected);
                            (Row::of(name, &analysis), matched)
                        }
                        Err(e) => (Row::failed(name, e.to_string()), Vec::new()),
                    };
                    *slot
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(done);
                }
            });
        }
    });
    let mut rows = Vec::with_capacity(results.len());
    let mut matched: Vec<(Finding, usize)> = Vec::new();
    for slot in results {
        let Some((row, found)) = slot
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
        else {
            return Err(Error::Internal(
                "a repository of the summary was not analysed".into(),
            ));
        };
        for (finding, n) in found {
            match matched.iter_mut().find(|(f, _)| *f == finding) {
                Some((_, total)) => *total += n,
                None => matched.push((finding, n)),
            }
        }
        rows.push(row);
    }
    matched.sort();
    let out = match args.format {
        ReportFormat::Text => summary::text(&rows),
        ReportFormat::Markdown => summary::markdown(&rows),
        ReportFormat::Json | ReportFormat::Sarif => json(&rows)?,
    };
    ui.out(&out)?;
    if let Some(row) = rows.iter().find(|r| r.error.is_some()) {
        let failed = rows.iter().filter(|r| r.error.is_some()).count();
        return Err(Error::Usage(format!(
            "{failed} of {} repositories could not be analysed, the first `{}`",
            rows.len(),
            row.repository
        )));
    }
    Ok(gate_outcome(ui, &matched))
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
            FailOn::ReplicaConflict => vec![Finding::ReplicaConflict],
            FailOn::ClusterCredential => vec![Finding::ClusterCredential],
            FailOn::Unresolved => vec![Finding::Unresolved],
            FailOn::Diagnostic => vec![Finding::Diagnostic],
        })
        .collect()
}

/// `value` as pretty JSON and a line break, written to `w` as it is serialised.
fn write_json<T: serde::Serialize>(w: &mut impl std::io::Write, value: &T) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, value)?;
    w.write_all(b"\n")
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, Error> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::Internal(format!("serializing the analysis: {e}")))?;
    text.push('\n');
    Ok(text)
}
