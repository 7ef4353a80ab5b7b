//! RENDER stage: the human report (`analyze`, the default format): a summary, then each deploy
//! step as a source snippet with the line underlined.
//!
//! A snippet shows the file as written, around the step, so its text is redacted first
//! ([`crate::files::redact`]): secret values on the step's line and on its neighbours are
//! masked, and the label's span is mapped into the redacted text so it still underlines the
//! step. Each file is read and redacted once, however many steps it holds.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Arc;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, NamedSource, SourceSpan};
use thiserror::Error;

use crate::analyze::document::{Analysis, Position};
use crate::files::RepoFiles;
use crate::files::redact::{self, Redacted};

#[derive(Debug, Diagnostic, Error)]
#[error("{message}")]
#[diagnostic(severity(Warning))]
struct Snippet {
    message: String,
    #[source_code]
    src: NamedSource<Arc<str>>,
    #[label("{label}")]
    at: SourceSpan,
    label: String,
    #[help]
    note: Option<String>,
}

/// Renders the report; `color` enables ANSI styling.
pub(crate) fn render(a: &Analysis, files: &dyn RepoFiles, color: bool) -> String {
    let mut out = String::new();
    let s = &a.summary;
    let _ = writeln!(
        out,
        "gitops-gen analyze: {} pipeline file(s), {} job(s)",
        s.pipelines, s.jobs
    );
    let _ = writeln!(
        out,
        "  {} deploy step(s), {} can be handed to a GitOps operator; {} environment(s); {} credential(s) to revoke",
        s.deploy_steps, s.migratable_deploy_steps, s.environments, s.credentials
    );
    if !a.pipelines.is_empty() {
        let _ = writeln!(out, "\npipelines:");
        for p in &a.pipelines {
            let extra = if p.best_effort {
                " (read best effort)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  {} [{}] {} job(s){extra}",
                p.file,
                p.system.id(),
                p.jobs.len()
            );
        }
    }
    if !a.environments.is_empty() {
        let _ = writeln!(out, "\nenvironments:");
        for e in &a.environments {
            let triggers: Vec<String> = e
                .triggers
                .iter()
                .map(|t| {
                    let kind = t.kind.as_str();
                    match &t.pattern {
                        Some(p) => format!("{kind} {p}"),
                        None => kind.to_owned(),
                    }
                })
                .collect();
            let dynamic = if e.dynamic { ", per branch" } else { "" };
            let _ = writeln!(
                out,
                "  {} ({:?}{dynamic}) ← {}",
                e.name,
                e.tier,
                if triggers.is_empty() {
                    "no trigger found".to_owned()
                } else {
                    triggers.join(", ")
                }
            );
        }
    }
    if !a.credentials.is_empty() {
        let _ = writeln!(out, "\ncredentials to revoke after migration:");
        for c in &a.credentials {
            let _ = writeln!(
                out,
                "  {} ({}) at {}:{}:{}",
                c.name, c.kind, c.at.file, c.at.line, c.at.column
            );
        }
    }
    if !a.unresolved.is_empty() || !a.diagnostics.is_empty() {
        let _ = writeln!(out, "\nnot resolved:");
        for u in &a.unresolved {
            let _ = writeln!(
                out,
                "  {}:{}:{}: {} `{}`",
                u.at.file, u.at.line, u.at.column, u.kind, u.reference
            );
        }
        for d in &a.diagnostics {
            let _ = writeln!(
                out,
                "  {}:{}:{}: {} [{}]",
                d.at.file, d.at.line, d.at.column, d.message, d.code
            );
        }
    }
    if !a.deploy_steps.is_empty() {
        let _ = writeln!(out, "\ndeploy steps:");
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(100)
            .with_links(false);
        let mut sources = Sources::new(files);
        for d in &a.deploy_steps {
            let env = d
                .environment
                .as_deref()
                .map(|e| format!(" to {e}"))
                .unwrap_or_default();
            let noun = if d.jobs.len() > 1 { "jobs" } else { "job" };
            let message = format!(
                "{} {}{env} in {noun} `{}` [{}]",
                d.tool,
                d.operation,
                d.jobs.join("`, `"),
                d.rule
            );
            let label = if d.migratable {
                "the operator can take this over"
            } else {
                "needs a manual decision"
            };
            match snippet(&mut sources, &d.at, message.clone(), label, &d.note) {
                Some(snippet) => {
                    let _ = handler.render_report(&mut out, &snippet);
                }
                None => {
                    let _ = writeln!(
                        out,
                        "  {}:{}:{}: {message}",
                        d.at.file, d.at.line, d.at.column
                    );
                }
            }
        }
    }
    out
}

/// A file as written and as shown: its text, the redacted text and the offset map between them.
struct Source {
    text: Arc<str>,
    shown: Arc<str>,
    redacted: Redacted,
}

/// The files snippets come from, each read and redacted once.
struct Sources<'a> {
    files: &'a dyn RepoFiles,
    read: BTreeMap<String, Option<Arc<Source>>>,
}

impl<'a> Sources<'a> {
    fn new(files: &'a dyn RepoFiles) -> Sources<'a> {
        Sources {
            files,
            read: BTreeMap::new(),
        }
    }

    /// `file`, redacted; none when it cannot be read.
    fn get(&mut self, file: &str) -> Option<Arc<Source>> {
        let files = self.files;
        self.read
            .entry(file.to_owned())
            .or_insert_with(|| {
                let text = files.read(file)?;
                let redacted = redact::redact(&text);
                Some(Arc::new(Source {
                    shown: Arc::from(redacted.text.as_str()),
                    text,
                    redacted,
                }))
            })
            .clone()
    }
}

/// The snippet of the step at `at`: from its column to the end of its line, in the redacted
/// text of its file.
fn snippet(
    sources: &mut Sources<'_>,
    at: &Position,
    message: String,
    label: &str,
    note: &str,
) -> Option<Snippet> {
    let source = sources.get(&at.file)?;
    let text = &source.text;
    let line_start: usize = text
        .split_inclusive('\n')
        .take(at.line.saturating_sub(1))
        .map(str::len)
        .sum();
    let line = text[line_start..].lines().next().unwrap_or_default();
    let col_offset: usize = line
        .chars()
        .take(at.column.saturating_sub(1))
        .map(char::len_utf8)
        .sum();
    let shown = &source.shown;
    let start = source
        .redacted
        .offset(line_start + col_offset)
        .min(shown.len());
    let rest = shown.get(start..).unwrap_or_default();
    let len = rest
        .lines()
        .next()
        .map_or(0, str::len)
        .max(1)
        .min(shown.len().saturating_sub(start));
    Some(Snippet {
        message,
        src: NamedSource::new(&at.file, Arc::clone(shown)),
        at: (start, len).into(),
        label: label.to_owned(),
        note: Some(note.to_owned()),
    })
}
