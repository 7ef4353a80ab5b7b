//! Accepts the indentation libyaml accepts where saphyr is stricter.
//!
//! The YAML spec asks flow content and quoted-scalar continuation lines to be indented further
//! than the enclosing block collection; saphyr enforces that, libyaml (GitLab's parser, and the
//! origin of Go's yaml.v3, GitHub's reference) does not. So a CI file such as
//!
//! ```yaml
//! job:
//!   script: [
//!     "make deploy"
//!   ]
//! ```
//!
//! runs on GitLab while saphyr stops at the `]`. When a parse stops on one of those checks, the
//! offending line (or every under-indented line of the quoted scalar) is indented further in a
//! copy of the text and the copy is parsed again. Leading whitespace of a line inside a flow
//! collection or a quoted scalar is never content, so the values are unchanged; positions are
//! mapped back to the original text, so spans and errors point where the user wrote them.
//! Every other error is reported as it was found. Retries are bounded by [`MAX_RETRIES`] and by
//! [`MAX_REPARSED_BYTES`], so hostile input costs at most a fixed amount of extra parsing.

use std::collections::BTreeMap;

use super::error::YamlError;
use super::loader::{attempt, closing_quote};
use super::offsets::OffsetMap;
use super::{Limits, Parsed};

/// Most re-parses of one stream (one per re-indented line inside a flow collection).
const MAX_RETRIES: usize = 256;
/// Most bytes of text re-parsed for one stream, summed over the retries.
const MAX_REPARSED_BYTES: usize = 16 * 1024 * 1024;

/// Why one parse stopped, and what a retry would need to indent.
pub(super) struct Failure {
    pub(super) error: YamlError,
    pub(super) misindented: Option<Misindented>,
}

impl From<YamlError> for Failure {
    fn from(error: YamlError) -> Failure {
        Failure {
            error,
            misindented: None,
        }
    }
}

/// An indentation saphyr refuses and libyaml accepts; indices and columns are in characters of
/// the text that was parsed.
#[derive(Clone, Copy)]
pub(super) enum Misindented {
    /// A token inside a flow collection, on the line starting at `line_start`, at column `col`,
    /// left of `target`, the column of the outermost open `[` or `{`, or after a tab in the
    /// line's indentation.
    Flow {
        line_start: usize,
        col: usize,
        target: usize,
    },
    /// A quoted scalar opening at `index`, column `col`, with a continuation line left of the
    /// enclosing block's indentation.
    Quoted { index: usize, col: usize },
}

/// Parses `src`, retrying with re-indented lines as the module doc describes.
pub(super) fn load(src: &str, limits: &Limits) -> Result<Parsed, YamlError> {
    let mut failure = match attempt(src, src, OffsetMap::new(src), limits) {
        Ok(parsed) => return Ok(parsed),
        Err(failure) => failure,
    };
    // Spaces to insert, keyed by the byte offset (in `src`) of the line they indent.
    let mut inserts: BTreeMap<usize, usize> = BTreeMap::new();
    let mut offsets = OffsetMap::new(src);
    let mut reparsed = 0usize;
    for _ in 0..MAX_RETRIES {
        let Some(misindented) = failure.misindented else {
            return Err(failure.error);
        };
        if !indent_further(src, &offsets, misindented, &mut inserts) {
            return Err(failure.error);
        }
        let (text, shifted) = shifted_text(src, &inserts);
        reparsed = reparsed.saturating_add(text.len());
        if reparsed > MAX_REPARSED_BYTES {
            break;
        }
        failure = match attempt(src, &text, shifted.clone(), limits) {
            Ok(parsed) => return Ok(parsed),
            Err(failure) => failure,
        };
        offsets = shifted;
    }
    if failure.misindented.is_none() {
        return Err(failure.error);
    }
    let message = format!(
        "{}; reading it as libyaml does needs more re-indented lines than the limit of \
         {MAX_RETRIES} (or {} of re-parsed text)",
        failure.error.message,
        crate::files::size::human(MAX_REPARSED_BYTES as u64)
    );
    Err(YamlError::limit(message, failure.error.span))
}

/// Records the spaces that move the misindented line(s) far enough right; false when nothing
/// would change (the retry would fail the same way).
fn indent_further(
    src: &str,
    offsets: &OffsetMap,
    misindented: Misindented,
    inserts: &mut BTreeMap<usize, usize>,
) -> bool {
    match misindented {
        Misindented::Flow {
            line_start,
            col,
            target,
        } => {
            let line = offsets.byte(line_start);
            let first = !inserts.contains_key(&line);
            *inserts.entry(line).or_default() += target.saturating_sub(col);
            // A first visit also turns the line's leading tabs into spaces, which is all a tab
            // saphyr refuses in flow indentation needs.
            first || target > col
        }
        Misindented::Quoted { index, col } => {
            let bytes = src.as_bytes();
            let open = offsets.byte(index);
            let close = closing_quote(bytes, open, bytes.len()).unwrap_or(bytes.len());
            let mut changed = false;
            let mut at = open;
            while let Some(newline) = bytes
                .get(at..close)
                .and_then(|r| r.iter().position(|&b| b == b'\n'))
            {
                let line = at + newline + 1;
                at = line;
                let rest = bytes.get(line..).unwrap_or_default();
                let indent = rest
                    .iter()
                    .take_while(|&&b| b == b' ' || b == b'\t')
                    .count();
                if matches!(rest.get(indent), Some(b'\n' | b'\r') | None) {
                    continue;
                }
                let shifted = indent + inserts.get(&line).copied().unwrap_or(0);
                if shifted < col {
                    *inserts.entry(line).or_default() += col - shifted;
                    changed = true;
                }
            }
            changed
        }
    }
}

/// The column of a `[` or `{` that ends the last line with content before the line starting at
/// character `line_start` of `text`: a flow collection saphyr has scanned but not yet reported,
/// because the error came while it was still looking ahead for a `:` after it.
pub(super) fn pending_flow_col(text: &str, line_start: usize) -> Option<usize> {
    let (start, _) = text.char_indices().nth(line_start)?;
    let before = text.get(..start)?;
    let line = before.lines().rev().find(|l| {
        let t = l.trim_start();
        !t.is_empty() && !t.starts_with('#')
    })?;
    let content = match line.find(" #") {
        Some(comment) => line.get(..comment)?,
        None => line,
    };
    let content = content.trim_end();
    content
        .ends_with(['[', '{'])
        .then(|| content.chars().count() - 1)
}

/// `src` with the recorded spaces inserted (and the leading tabs of those lines made spaces), and the map from its character indices back to
/// byte offsets in `src` (inserted spaces map to the start of their line).
fn shifted_text(src: &str, inserts: &BTreeMap<usize, usize>) -> (String, OffsetMap) {
    let extra: usize = inserts.values().sum();
    let mut text = String::with_capacity(src.len() + extra);
    let mut table = Vec::with_capacity(src.len() + extra + 1);
    let mut leading = false;
    for (byte, c) in src.char_indices() {
        if let Some(&n) = inserts.get(&byte) {
            text.extend(std::iter::repeat_n(' ', n));
            table.extend(std::iter::repeat_n(byte, n));
            leading = true;
        }
        leading &= c == ' ' || c == '\t';
        text.push(if leading { ' ' } else { c });
        table.push(byte);
    }
    table.push(src.len());
    (text, OffsetMap::from_table(table, src.len()))
}

#[cfg(test)]
mod tests {
    use super::super::{Node, Value, parse};

    fn get<'n>(node: Option<&'n Node>, key: &str) -> Option<&'n Node> {
        node.and_then(Node::as_map).and_then(|m| m.get(key))
    }

    fn seq_texts(node: Option<&Node>) -> Vec<String> {
        match node.map(|n| &n.value) {
            Some(Value::Seq(items)) => items.iter().filter_map(Node::scalar_text).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn values_and_spans_point_into_the_original_text() -> Result<(), Box<dyn std::error::Error>> {
        let src = "job:\n  script: [\n  \"é deploy\",\n\t\"b\"\n]\n  stage: deploy\n";
        let docs = parse(src)?;
        let job = get(docs.first(), "job");
        let script = get(job, "script");
        assert_eq!(seq_texts(script), ["é deploy", "b"]);
        if let Some(Value::Seq(items)) = script.map(|s| &s.value) {
            let spans: Vec<&str> = items
                .iter()
                .filter_map(|i| src.get(i.span.start..i.span.end))
                .collect();
            assert_eq!(spans, ["\"é deploy\"", "\"b\""]);
        }
        let span = script.map(|s| s.span).unwrap_or_default();
        assert_eq!(
            src.get(span.start..span.end).map(|s| s.ends_with(']')),
            Some(true)
        );
        assert_eq!(get(job, "stage").and_then(Node::as_str), Some("deploy"));
        Ok(())
    }

    #[test]
    fn quoted_continuation_keeps_its_value() -> Result<(), Box<dyn std::error::Error>> {
        let src = "job:\n  script: \"echo one\ntwo\"\n";
        let docs = parse(src)?;
        let script = get(get(docs.first(), "job"), "script");
        assert_eq!(script.and_then(Node::as_str), Some("echo one two"));
        Ok(())
    }

    #[test]
    fn other_errors_are_reported_where_they_are() {
        // The flow sequence is repaired; the genuine error two lines later is the one reported.
        let src = "job:\n  script: [\n  \"a\"\n  ]\n  stage: deploy\n    x: y\n";
        let err = parse(src).err();
        assert!(
            err.as_ref()
                .is_some_and(|e| e.span.start > src.find("stage").unwrap_or(0)),
            "{err:?}"
        );
    }

    #[test]
    fn retries_are_bounded() {
        // Every line of a long flow sequence sits at column 0: more lines than retries.
        let mut src = String::from("job:\n  script: [\n");
        for i in 0..5_000 {
            src.push_str(&format!("\"{i}\",\n"));
        }
        src.push_str("]\n");
        let started = std::time::Instant::now();
        let err = parse(&src).err();
        assert!(
            err.as_ref()
                .is_some_and(|e| e.is_limit() && e.message.contains("limit of 256")),
            "{err:?}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
    }
}
