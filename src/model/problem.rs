//! MODEL stage: diagnostics for an invalid `gitops-gen.yaml`, rendered by miette with the
//! offending line underlined.

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceSpan};
use thiserror::Error;

use crate::yaml::Span;

/// One thing wrong with the model, pointing at where it was written.
#[derive(Debug, Diagnostic, Error)]
#[error("{message}")]
pub(crate) struct Problem {
    message: String,
    #[source_code]
    src: NamedSource<String>,
    #[label(primary, "{label}")]
    at: SourceSpan,
    label: String,
    /// Other places that explain the problem, such as the first of two definitions.
    #[label(collection)]
    related: Vec<LabeledSpan>,
    #[help]
    help: Option<String>,
}

/// `gitops-gen.yaml` could not be turned into a valid model. Exit code 2.
#[derive(Debug, Diagnostic, Error)]
#[error("{path} is not a valid gitops-gen model ({count} {noun})", noun = if *.count == 1 { "problem" } else { "problems" })]
#[diagnostic(
    code(gitops_gen::invalid_model),
    help(
        "fix the lines shown; `gitops-gen schema` prints the JSON Schema editors can validate with"
    ),
    url("https://github.com/gitops-gen/gitops-gen/blob/main/docs/model.md")
)]
pub(crate) struct InvalidModel {
    path: String,
    count: usize,
    #[related]
    problems: Vec<Problem>,
}

/// Collects problems while decoding so one run reports all of them, not just the first.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    items: Vec<Item>,
}

#[derive(Debug)]
struct Item {
    span: Span,
    message: String,
    label: String,
    help: Option<String>,
    related: Option<(Span, String)>,
}

impl Problems {
    /// Records a problem: `message` says what is wrong, `label` sits under the span.
    pub(crate) fn push(&mut self, span: Span, message: String, label: &str, help: Option<String>) {
        let label = label.to_owned();
        self.items.push(Item {
            span,
            message,
            label,
            help,
            related: None,
        });
    }

    /// Records a problem that also points at a second place, e.g. a first definition.
    pub(crate) fn push_related(
        &mut self,
        span: Span,
        message: String,
        label: &str,
        help: Option<String>,
        related: (Span, &str),
    ) {
        let label = label.to_owned();
        let related = Some((related.0, related.1.to_owned()));
        self.items.push(Item {
            span,
            message,
            label,
            help,
            related,
        });
    }

    /// How many problems were recorded so far.
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing was recorded.
    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Turns the collected problems into one diagnostic over `source`.
    pub(crate) fn into_error(mut self, path: &str, source: &str) -> InvalidModel {
        self.items.sort_by_key(|item| item.span.start);
        self.items
            .dedup_by(|a, b| a.span == b.span && a.message == b.message);
        let problems: Vec<Problem> = self
            .items
            .into_iter()
            .map(|item| Problem {
                message: printable(&item.message),
                src: NamedSource::new(path, source.to_owned()).with_language("yaml"),
                at: clamp(item.span, source.len()),
                label: item.label,
                related: item
                    .related
                    .map(|(span, label)| {
                        LabeledSpan::new_with_span(Some(label), clamp(span, source.len()))
                    })
                    .into_iter()
                    .collect(),
                help: item.help.as_deref().map(printable),
            })
            .collect();
        InvalidModel {
            path: path.to_owned(),
            count: problems.len(),
            problems,
        }
    }
}

/// `text` with every line break and control character escaped (`\n`, `\u{1b}`): a message quotes
/// model values, and a value must not start a new line of the terminal or of a CI log (where a
/// line such as `::add-mask::` is a command) or send escape sequences.
fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// miette panics on spans past the end of the source; a default span points at the start.
fn clamp(span: Span, len: usize) -> SourceSpan {
    let start = span.start.min(len);
    let end = span.end.clamp(start, len);
    (start, end - start).into()
}

/// The closest candidate by edit distance, for "did you mean" help. Only offered when it is
/// plausibly a typo (distance at most a third of the word, and at least 1 edit allowed).
pub(crate) fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|c| (levenshtein(word, c), *c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_quote_values_on_one_line() {
        assert_eq!(printable("`a\nb\u{1b}[31m` ok"), "`a\\nb\\u{1b}[31m` ok");
        assert_eq!(printable("plain `é`"), "plain `é`");
    }

    #[test]
    fn suggestions_are_close_matches_only() {
        assert_eq!(
            did_you_mean("enviroments", &["environments", "apps"]),
            Some("environments")
        );
        assert_eq!(
            did_you_mean("brnches", &["branches", "tags"]),
            Some("branches")
        );
        assert_eq!(did_you_mean("zzz", &["branches", "tags"]), None);
    }
}
