//! RENDER stage: the human report (`analyze`, the default format): a summary, then each deploy
//! step as a source snippet with the line underlined.
//!
//! A snippet shows the file as written, around the step, so its text is redacted first
//! ([`crate::files::redact`]): secret values on the step's line and on its neighbours are
//! masked, and the label's span is mapped into the redacted text so it still underlines the
//! step. Each file is read, redacted and indexed by line once, however many steps it holds,
//! and each snippet hands miette only the lines around its step ([`Window`]), so the report
//! takes time linear in the number of steps, not in steps times file size.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use thiserror::Error;

use crate::analyze::document::{Analysis, Position};
use crate::files::redact::{self, Redacted};
use crate::files::{LineIndex, RepoFiles};

#[derive(Debug, Diagnostic, Error)]
#[error("{message}")]
#[diagnostic(severity(Warning))]
struct Snippet {
    message: String,
    #[source_code]
    src: Window,
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
            // A script several pipelines call is listed once per caller: name the job then.
            let shared = a
                .credentials
                .iter()
                .filter(|o| o.at == c.at && o.name == c.name)
                .count()
                > 1;
            let job = match (&c.job, shared) {
                (Some(job), true) => format!(" (job `{job}`)"),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "  {} ({}) at {}:{}:{}{job}",
                c.name, c.kind, c.at.file, c.at.line, c.at.column
            );
        }
    }
    if !a.secret_flows.is_empty() {
        let _ = writeln!(
            out,
            "\nCI secrets the deploys hand to the cluster (seal them into Git):"
        );
        for f in &a.secret_flows {
            let env = f.environment.as_deref().unwrap_or("an unknown environment");
            let _ = writeln!(
                out,
                "  {} for {env} at {}:{}:{}",
                f.ci_name, f.at.file, f.at.line, f.at.column
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

/// A file as written and as shown: its text, the redacted text, the offset map between them
/// and where the lines of each start.
struct Source {
    text: Arc<str>,
    text_lines: LineIndex,
    shown: Arc<str>,
    shown_lines: LineIndex,
    redacted: Redacted,
}

/// Lines shown around a step, above and below its line (miette shows one).
const WINDOW_LINES: usize = 3;

/// The lines of a shown file around one step: what miette reads for the snippet. miette finds
/// lines by scanning its source from the start, so handing it the whole file would cost each
/// snippet the bytes before its step; the window costs a few lines, and keeps the file's name,
/// offsets and line numbers.
#[derive(Debug)]
struct Window {
    name: String,
    shown: Arc<str>,
    /// Byte range of `shown` in the window, whole lines.
    start: usize,
    end: usize,
    /// 0-based line of `shown` at `start`.
    first_line: usize,
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = self.shown.get(self.start..self.end).unwrap_or_default();
        let offset = span
            .offset()
            .checked_sub(self.start)
            .ok_or(MietteError::OutOfBounds)?;
        let inner = text.read_span(
            &SourceSpan::new(offset.into(), span.len()),
            context_lines_before,
            context_lines_after,
        )?;
        let data: &'a [u8] = inner.data();
        let found = SourceSpan::new(
            (inner.span().offset() + self.start).into(),
            inner.span().len(),
        );
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            data,
            found,
            inner.line() + self.first_line,
            inner.column(),
            inner.line_count(),
        )))
    }
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
                let shown: Arc<str> = Arc::from(redacted.text.as_str());
                Some(Arc::new(Source {
                    text_lines: LineIndex::new(&text),
                    shown_lines: LineIndex::new(&shown),
                    shown,
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
    let line_start = source
        .text_lines
        .line_start(at.line.saturating_sub(1))
        .unwrap_or(text.len());
    let line = text
        .get(line_start..)
        .unwrap_or_default()
        .lines()
        .next()
        .unwrap_or_default();
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
    let lines = &source.shown_lines;
    let step_line = lines.line(start);
    let first_line = step_line.saturating_sub(WINDOW_LINES);
    let window = Window {
        name: at.file.to_string(),
        shown: Arc::clone(shown),
        start: lines.line_start(first_line).unwrap_or(0),
        end: lines
            .line_start(step_line + WINDOW_LINES + 1)
            .unwrap_or(shown.len()),
        first_line,
    };
    Some(Snippet {
        message,
        src: window,
        at: (start, len).into(),
        label: label.to_owned(),
        note: Some(note.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use miette::NamedSource;

    use super::*;

    /// A snippet through its [`Window`] prints exactly what miette prints from the whole file:
    /// the same line numbers, context lines and underline, at the first line, in the middle, and
    /// on a last line without a line break.
    #[test]
    fn a_window_prints_what_the_whole_file_prints() {
        #[derive(Debug, Diagnostic, Error)]
        #[error("step")]
        struct Whole {
            #[source_code]
            src: NamedSource<Arc<str>>,
            #[label("here")]
            at: SourceSpan,
        }
        let text: Arc<str> = Arc::from(
            (1..=40)
                .map(|n| format!("line {n}: kubectl apply -f k8s/{n}"))
                .collect::<Vec<_>>()
                .join("\n"),
        );
        let lines = LineIndex::new(&text);
        let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor());
        for line in [0, 1, 20, 38, 39] {
            let start = lines.line_start(line).unwrap_or_default() + 6;
            let len = text[start..].lines().next().map_or(1, str::len);
            let mut whole = String::new();
            let report = Whole {
                src: NamedSource::new("ci.yml", Arc::clone(&text)),
                at: (start, len).into(),
            };
            let _ = handler.render_report(&mut whole, &report);
            let first_line = line.saturating_sub(WINDOW_LINES);
            let window = Window {
                name: "ci.yml".to_owned(),
                shown: Arc::clone(&text),
                start: lines.line_start(first_line).unwrap_or(0),
                end: lines
                    .line_start(line + WINDOW_LINES + 1)
                    .unwrap_or(text.len()),
                first_line,
            };
            let mut windowed = String::new();
            let snippet = Snippet {
                message: "step".to_owned(),
                src: window,
                at: (start, len).into(),
                label: "here".to_owned(),
                note: None,
            };
            let _ = handler.render_report(&mut windowed, &snippet);
            assert!(whole.contains(&format!("{} │", line + 1)), "{whole}");
            assert_eq!(
                windowed.replace("⚠", "×"),
                whole.replace("⚠", "×"),
                "line {line}"
            );
        }
    }
}
