//! READ stage: maps each line of a decoded YAML script scalar back to the byte offset where it
//! starts in its file, so later diagnostics can point at one command of a long script. Shared by
//! every YAML reader (GitHub, GitLab, CircleCI, Azure Pipelines, Bitbucket, Travis).
//!
//! Literal (`|`) blocks map line for line after the indentation. Folded (`>`) blocks join lines,
//! so each decoded line is matched to the source line it starts on. Plain scalars written on one
//! line start at their span, single-line quoted ones just after the quote. Every mapping is checked against the source
//! text, and anything that does not check out gives no offsets rather than wrong ones.

use crate::files::work::{self, Work};
use crate::yaml::{Node, ScalarStyle, Span};

/// Start offsets in `src` of each line of `text`, the decoded value of `node`; empty when the
/// lines cannot be mapped.
pub(crate) fn line_starts(src: &str, node: &Node, text: &str) -> Vec<usize> {
    scalar_line_starts(src, node.span, node.style, text)
}

/// [`line_starts`] for a scalar known by its `span` and `style` (readers that lower YAML into
/// their own value type keep just these).
pub(crate) fn scalar_line_starts(
    src: &str,
    span: Span,
    style: ScalarStyle,
    text: &str,
) -> Vec<usize> {
    starts(src, span, style, text, Check::Content)
}

/// [`line_starts`] for a node whose decoded text may have been rewritten after parsing
/// (template parameters substituted inside lines, as the Azure reader does): a literal block
/// is then mapped by its layout, line `i` of `text` to source line `i` after the indentation,
/// without comparing the text. Other styles are mapped as by [`line_starts`].
pub(crate) fn layout_line_starts(src: &str, node: &Node, text: &str) -> Vec<usize> {
    starts(src, node.span, node.style, text, Check::Layout)
}

/// How a literal block's decoded lines are checked against its source lines.
#[derive(Clone, Copy, Debug)]
enum Check {
    /// Each decoded line must be the source line's content.
    Content,
    /// The block only needs as many source lines as `text` has.
    Layout,
}

fn starts(src: &str, span: Span, style: ScalarStyle, text: &str, check: Check) -> Vec<usize> {
    if text.is_empty() {
        return Vec::new();
    }
    let start = span.start;
    match (style, check) {
        // A plain scalar written over several lines folds into one line whose later words sit
        // elsewhere in the file, so only a scalar written exactly as decoded maps.
        (ScalarStyle::Plain, Check::Content) if src.get(span.range()) == Some(text) => vec![start],
        // Rewritten text cannot be compared; one decoded line still starts at the span.
        (ScalarStyle::Plain, Check::Layout) if !text.contains('\n') => vec![start],
        (ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted, _)
            if !text.contains('\n') && !src.get(span.range()).unwrap_or("\n").contains('\n') =>
        {
            vec![start + 1]
        }
        (ScalarStyle::Literal, Check::Content) => block(src, span, |lines| literal(lines, text)),
        (ScalarStyle::Literal, Check::Layout) => block(src, span, |lines| layout(lines, text)),
        (ScalarStyle::Folded, _) => block(src, span, |lines| folded(lines, text)),
        _ => Vec::new(),
    }
}

/// One content line of a block scalar: where its content starts after the indentation, and
/// that content (without the line break).
#[derive(Debug)]
struct SrcLine<'s> {
    at: usize,
    content: &'s str,
    blank: bool,
}

/// Finds the content lines of the block scalar whose content is `span`, strips their common
/// indentation, and hands them to `map`.
///
/// Only the block's own lines are looked at: those starting inside its span, then the blank
/// lines after it (kept by `|+`, and not part of the span). Reading on to the end of the file
/// instead made every block cost the rest of the file, and a workflow of many steps quadratic.
fn block(src: &str, span: Span, map: impl Fn(&[SrcLine<'_>]) -> Option<Vec<usize>>) -> Vec<usize> {
    let Some(first_content) = content_start(src, span.start) else {
        return Vec::new();
    };
    let raw: Vec<(usize, &str)> = lines_from(src, first_content)
        .take_while(|&(at, l)| at < span.end || l.trim().is_empty())
        .collect();
    work::count(Work::BlockLines, raw.len());
    // Auto-detected indentation: that of the first non-blank line.
    let indent = raw
        .iter()
        .find(|(_, l)| !l.trim().is_empty())
        .map_or(0, |(_, l)| l.len() - l.trim_start_matches(' ').len());
    let lines: Vec<SrcLine<'_>> = raw
        .iter()
        .map(|&(at, l)| {
            let skip = (l.len() - l.trim_start_matches(' ').len()).min(indent);
            let content = l.get(skip..).unwrap_or("");
            SrcLine {
                at: at + skip,
                content,
                blank: l.trim().is_empty(),
            }
        })
        .collect();
    map(&lines).unwrap_or_default()
}

/// Offset of the first line after the block header (`run: |`). The scalar's span starts at its
/// first non-blank content, so walk back over blank lines to the header line.
fn content_start(src: &str, start: usize) -> Option<usize> {
    let before = src.get(..start)?;
    let mut line_start = before.rfind('\n').map_or(0, |i| i + 1);
    loop {
        if line_start == 0 {
            return None;
        }
        let prev_end = line_start - 1;
        let prev_start = src.get(..prev_end)?.rfind('\n').map_or(0, |i| i + 1);
        let prev = src.get(prev_start..prev_end)?;
        if prev.trim().is_empty() {
            line_start = prev_start;
        } else {
            return Some(line_start);
        }
    }
}

/// `(offset, line)` pairs from `from` to the end, without line breaks (a `\r` before `\n` is
/// dropped too, since YAML normalises line breaks).
fn lines_from(src: &str, from: usize) -> impl Iterator<Item = (usize, &str)> {
    let rest = src.get(from..).unwrap_or("");
    let mut at = from;
    rest.split_inclusive('\n').map(move |l| {
        let here = at;
        at += l.len();
        let l = l.strip_suffix('\n').unwrap_or(l);
        (here, l.strip_suffix('\r').unwrap_or(l))
    })
}

fn literal(lines: &[SrcLine<'_>], text: &str) -> Option<Vec<usize>> {
    text.lines()
        .zip(lines.iter().map(Some).chain(std::iter::repeat(None)))
        .map(|(decoded, src)| {
            let src = src?;
            let ok = if decoded.is_empty() {
                src.blank || src.content.is_empty()
            } else {
                src.content == decoded
            };
            ok.then_some(src.at)
        })
        .collect()
}

fn layout(lines: &[SrcLine<'_>], text: &str) -> Option<Vec<usize>> {
    let count = text.lines().count();
    let lines = lines.get(..count)?;
    Some(lines.iter().map(|l| l.at).collect())
}

fn folded(lines: &[SrcLine<'_>], text: &str) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    let mut j = 0;
    for decoded in text.lines() {
        if decoded.is_empty() {
            let k = j + lines.get(j..)?.iter().position(|l| l.blank)?;
            out.push(lines.get(k)?.at);
            j = k + 1;
            continue;
        }
        let k = j + lines.get(j..)?.iter().position(|l| !l.blank)?;
        let first = lines.get(k)?;
        if !decoded.starts_with(first.content) {
            return None;
        }
        out.push(first.at);
        let mut p = first.content.len();
        j = k + 1;
        // Consume the source lines folded into this decoded line (joined by one space).
        while p < decoded.len() {
            let next = lines.get(j)?;
            let rest = decoded.get(p..)?.strip_prefix(' ')?;
            if next.blank || !rest.starts_with(next.content) {
                return None;
            }
            p += 1 + next.content.len();
            j += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;

    /// The `run` value of the first mapping in `src`, mapped, and each line's source text.
    fn mapped(src: &str) -> (String, Vec<String>) {
        let docs = parse(src).unwrap_or_default();
        let node = docs
            .first()
            .and_then(|d| d.as_map())
            .and_then(|m| m.get("run"))
            .cloned();
        let Some(node) = node else {
            return (String::new(), Vec::new());
        };
        let text = node.scalar_text().unwrap_or_default();
        let starts = line_starts(src, &node, &text);
        let lines = starts
            .iter()
            .map(|&s| src[s..].lines().next().unwrap_or("").to_owned())
            .collect();
        (text, lines)
    }

    #[test]
    fn literal_block_maps_each_line() {
        let src = "name: x\nrun: |\n  echo one\n    indented\n\n  kubectl apply -k prod\nnext: 1\n";
        let (text, lines) = mapped(src);
        assert_eq!(text, "echo one\n  indented\n\nkubectl apply -k prod\n");
        assert_eq!(
            lines,
            ["echo one", "  indented", "", "kubectl apply -k prod"]
        );
    }

    #[test]
    fn literal_block_with_leading_blank_lines_and_crlf() {
        let src = "run: |-\r\n\r\n  first\r\n  second\r\n";
        let (text, lines) = mapped(src);
        assert_eq!(text, "\nfirst\nsecond");
        assert_eq!(lines, ["", "first", "second"]);
    }

    #[test]
    fn folded_block_maps_to_starting_lines() {
        let src = "run: >\n  helm upgrade app\n  ./chart --install\n\n  echo done\n";
        let (text, lines) = mapped(src);
        assert_eq!(text, "helm upgrade app ./chart --install\necho done\n");
        assert_eq!(lines, ["helm upgrade app", "echo done"]);
    }

    #[test]
    fn flow_scalars() {
        assert_eq!(mapped("run: make deploy\n").1, ["make deploy"]);
        assert_eq!(mapped("run: 'make deploy'\n").1, ["make deploy'"]);
        // Folded over two lines: later words are not where the decoded line says.
        let (text, lines) = mapped("run: make\n  deploy\n");
        assert_eq!(text, "make deploy");
        assert!(lines.is_empty());
        let (_, lines) = mapped("run: \"a\n  b\"\n");
        assert!(lines.is_empty());
    }

    #[test]
    fn non_string_scalars_and_empty_text() {
        let src = "run: 42\n";
        let docs = parse(src).unwrap_or_default();
        let node = docs[0].as_map().and_then(|m| m.get("run")).cloned();
        let node = node.unwrap_or_else(|| panic!("no run"));
        assert_eq!(line_starts(src, &node, "42"), vec![5]);
        assert!(line_starts(src, &node, "").is_empty());
    }

    #[test]
    fn quoted_scalar_written_over_lines_gives_no_offsets() {
        let (text, lines) = mapped("run: 'kubectl\n  apply'\n");
        assert_eq!(text, "kubectl apply");
        assert!(lines.is_empty());
    }

    #[test]
    fn literal_block_that_does_not_match_its_source_gives_no_offsets() {
        let src = "run: |\n  echo a\n  echo b\n";
        let docs = parse(src).unwrap_or_default();
        let node = docs[0].as_map().and_then(|m| m.get("run")).cloned();
        let node = node.unwrap_or_else(|| panic!("no run"));
        assert!(line_starts(src, &node, "echo a\necho c\n").is_empty());
        assert_eq!(line_starts(src, &node, "echo a\necho b\n").len(), 2);
    }

    #[test]
    fn layout_mapping_survives_rewritten_text() {
        let src = "run: |\n  docker login ${{ parameters.r }}\n\n  docker push x\n";
        let docs = parse(src).unwrap_or_default();
        let node = docs[0].as_map().and_then(|m| m.get("run")).cloned();
        let node = node.unwrap_or_else(|| panic!("no run"));
        let rewritten = "docker login acr.io\n\ndocker push x\n";
        assert!(line_starts(src, &node, rewritten).is_empty());
        let starts = layout_line_starts(src, &node, rewritten);
        assert_eq!(starts.len(), 3);
        assert!(src[starts[0]..].starts_with("docker login ${{"));
        assert!(src[starts[2]..].starts_with("docker push x"));
        assert!(layout_line_starts(src, &node, "a\nb\nc\nd\ne\nf\n").is_empty());
    }

    #[test]
    fn a_block_costs_its_own_lines_not_the_rest_of_the_file() {
        // 2,000 steps of two-line blocks: mapping each block may look at its own lines and the
        // blank lines after it, never at every later step (which made analysis quadratic).
        let steps = 2_000;
        let mut src = String::from("steps:\n");
        for i in 0..steps {
            src.push_str(&format!(
                "  - run: |\n      echo {i}\n      kubectl apply -f k{i}\n\n"
            ));
        }
        let docs = parse(&src).unwrap_or_default();
        let items = docs
            .first()
            .and_then(|d| d.as_map())
            .and_then(|m| m.get("steps"))
            .and_then(|s| s.as_seq())
            .map(<[Node]>::to_vec)
            .unwrap_or_default();
        assert_eq!(items.len(), steps);
        work::take(Work::BlockLines);
        for item in &items {
            let Some(run) = item.as_map().and_then(|m| m.get("run")) else {
                panic!("no run");
            };
            let text = run.scalar_text().unwrap_or_default();
            assert_eq!(line_starts(&src, run, &text).len(), 2);
        }
        let seen = work::take(Work::BlockLines);
        let file_lines = src.lines().count();
        assert!(
            seen <= file_lines,
            "{seen} lines looked at for a {file_lines}-line file"
        );
    }

    #[test]
    fn every_prefix_is_safe() {
        let src = "run: >-\n  a é\n  b\n\n\n  c\nx: |\n  y\n";
        for end in 0..=src.len() {
            if let Some(prefix) = src.get(..end) {
                let _ = mapped(prefix);
            }
        }
    }
}
