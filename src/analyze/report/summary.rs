//! RENDER stage: `analyze --summary`, one row per repository, for a platform team that runs
//! `analyze` over every repository of an organisation. A row is made from the finished
//! [`Analysis`] and the analysis is dropped, so memory does not grow with the number of
//! repositories.

use std::collections::BTreeSet;
use std::fmt::Write;

use serde::Serialize;

use crate::analyze::document::Analysis;

/// One repository's line of the summary.
#[derive(Debug, Serialize)]
pub(crate) struct Row {
    /// The path as given on the command line.
    pub repository: String,
    pub pipelines: usize,
    /// Pipeline files holding a deploying job.
    pub deploy_files: usize,
    /// Deploy tools, sorted.
    pub tools: Vec<String>,
    /// Environment names, as the report spells them.
    pub environments: Vec<String>,
    /// Cluster credentials to revoke after migrating.
    pub credentials: usize,
    pub deploy_steps: usize,
    /// Percent of deploy steps an operator can take over; none without deploy steps.
    pub readiness: Option<usize>,
    pub diagnostics: usize,
    /// Why the repository could not be analysed; every other field is then zero.
    pub error: Option<String>,
}

impl Row {
    pub(crate) fn of(repository: String, a: &Analysis) -> Row {
        let s = &a.summary;
        let files: BTreeSet<&str> = a.deploy_steps.iter().map(|d| d.pipeline.as_str()).collect();
        let tools: BTreeSet<&str> = a.deploy_steps.iter().map(|d| d.tool.as_str()).collect();
        Row {
            repository,
            pipelines: s.pipelines,
            deploy_files: files.len(),
            tools: tools.into_iter().map(str::to_owned).collect(),
            environments: a.environments.iter().map(|e| e.name.clone()).collect(),
            credentials: s.credentials,
            deploy_steps: s.deploy_steps,
            readiness: (s.migratable_deploy_steps * 100).checked_div(s.deploy_steps),
            diagnostics: s.diagnostics,
            error: None,
        }
    }

    pub(crate) fn failed(repository: String, error: String) -> Row {
        Row {
            repository,
            pipelines: 0,
            deploy_files: 0,
            tools: Vec::new(),
            environments: Vec::new(),
            credentials: 0,
            deploy_steps: 0,
            readiness: None,
            diagnostics: 0,
            error: Some(error),
        }
    }

    fn cells(&self) -> [String; 8] {
        let list = |items: &[String]| {
            if items.is_empty() {
                "-".to_owned()
            } else {
                items.join(",")
            }
        };
        let readiness = match (&self.error, self.readiness) {
            (Some(e), _) => format!("error: {e}"),
            (None, Some(pct)) => format!("{pct}%"),
            (None, None) => "no deploys".to_owned(),
        };
        [
            self.repository.clone(),
            self.pipelines.to_string(),
            self.deploy_files.to_string(),
            list(&self.tools),
            list(&self.environments),
            self.credentials.to_string(),
            readiness,
            self.diagnostics.to_string(),
        ]
    }
}

const HEADER: [&str; 8] = [
    "repository",
    "pipelines",
    "deploy files",
    "tools",
    "environments",
    "credentials",
    "readiness",
    "diagnostics",
];

/// The rows as an aligned text table, then a totals line.
pub(crate) fn text(rows: &[Row]) -> String {
    let cells: Vec<[String; 8]> = rows.iter().map(Row::cells).collect();
    let mut widths = HEADER.map(str::len);
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, row: &[&str]| {
        let padded: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        let _ = writeln!(out, "{}", padded.join("  ").trim_end());
    };
    line(&mut out, &HEADER);
    for row in &cells {
        line(&mut out, &row.each_ref().map(String::as_str));
    }
    let _ = writeln!(out, "\n{}", totals(rows));
    out
}

/// The rows as a Markdown table, then a totals line.
pub(crate) fn markdown(rows: &[Row]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "| {} |", HEADER.join(" | "));
    let _ = writeln!(out, "|{}", " --- |".repeat(HEADER.len()));
    for row in rows {
        let cells = row.cells().map(|c| c.replace('|', "\\|"));
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    let _ = writeln!(out, "\n{}", totals(rows));
    out
}

fn totals(rows: &[Row]) -> String {
    let deploying = rows.iter().filter(|r| r.deploy_steps > 0).count();
    let failed = rows.iter().filter(|r| r.error.is_some()).count();
    let credentials: usize = rows.iter().map(|r| r.credentials).sum();
    let steps: usize = rows.iter().map(|r| r.deploy_steps).sum();
    let mut line = format!(
        "{} repositories, {deploying} deploying from CI ({steps} deploy steps), {credentials} \
         credentials to revoke",
        rows.len()
    );
    if failed > 0 {
        let _ = write!(line, ", {failed} not analysed");
    }
    line
}
