//! Byte positions for editing YAML text in place: the tree gives spans, these turn them into
//! the lines and columns an edit inserts at or replaces, so an edit changes exactly the bytes it
//! means to and keeps every comment and blank line of the file.

use crate::yaml::Node;

/// The offset of the first byte of the line holding `at`.
pub(crate) fn start_of_line(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// The offset of the newline ending the line holding `at` (or of the end of the text).
pub(crate) fn end_of_line(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i)
}

/// The column (in bytes, from 0) of `at`.
pub(crate) fn column(text: &str, at: usize) -> usize {
    at - start_of_line(text, at)
}

/// Whether `node` is a flow collection (`[...]` or `{...}`).
pub(crate) fn is_flow(text: &str, node: &Node) -> bool {
    text.get(node.span.start..)
        .is_some_and(|t| t.starts_with(['[', '{']))
}

/// The bytes after `key:` up to the end of the value's last line, for rewriting a value whole.
pub(crate) fn value_range(text: &str, key: &Node, value: &Node) -> (usize, usize) {
    let colon = text[key.span.end..]
        .find(':')
        .map_or(key.span.end, |i| key.span.end + i + 1);
    let end = end_of_line(text, value.span.end.max(colon));
    (colon, end)
}

/// The whole lines from the one holding `from` to the one holding `to`, newline included.
pub(crate) fn whole_lines(text: &str, from: usize, to: usize) -> std::ops::Range<usize> {
    start_of_line(text, from)..(end_of_line(text, to) + 1).min(text.len())
}
