//! Turns saphyr's event stream into spanned [`Node`] trees.
//!
//! The builder pulls events one at a time and keeps open collections on an explicit stack, so
//! nothing here recurses in proportion to input nesting (saphyr's own `Parser::load` does, which
//! is why it is not used). Depth is capped at `Limits::max_depth` both for literal nesting and for
//! nesting smuggled in through aliases, which keeps the derived recursive `Clone`/`Drop`/`Eq` of
//! the finished tree safe as well.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScanError};

use super::Span;
use super::error::YamlError;
use super::lenient::{Failure, Misindented, pending_flow_col};
use super::node::{Mapping, Node, ScalarStyle, Value};
use super::offsets::OffsetMap;
use super::schema::{check_collection_tag, resolve_scalar, tag_text};
use super::{Limits, Parsed};
use crate::files::LineIndex;

/// Parses every document of `text`, which is `src` or a copy of it with some lines indented
/// further (see `lenient`); `offsets` maps `text`'s character indices to byte offsets in `src`,
/// so every span and error points into `src`.
pub(super) fn attempt(
    src: &str,
    text: &str,
    offsets: OffsetMap,
    limits: &Limits,
) -> Result<Parsed, Failure> {
    let mut loader = Loader::new(src, offsets, limits);
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| loader.scan_failure(&e, text))?;
        loader.on_event(event, span).map_err(Failure::from)?;
    }
    Ok(loader.finish())
}

/// A finished node plus the bookkeeping the limits need.
struct Built {
    node: Node,
    /// Nodes in the tree, counting the root; what an alias to it would copy.
    count: usize,
    /// Collection levels: 0 for a scalar, 1 for `[a]`, 2 for `[[a]]`.
    height: usize,
    /// Bytes of scalar text in the tree (keys included); what an alias to it would copy.
    bytes: usize,
}

enum Items {
    Seq(Vec<Node>),
    /// Entries so far, and a key still waiting for its value.
    Map(Vec<(Node, Node)>, Option<Node>),
}

/// An open collection.
struct Frame {
    items: Items,
    tag: Option<String>,
    anchor: usize,
    start: usize,
    /// End of the start event; the span fallback for a collection with no usable children.
    header_end: usize,
    /// Furthest end of any child, because block collections have no closing token.
    content_end: usize,
    count: usize,
    child_height: usize,
    bytes: usize,
    /// Column (in characters of the parsed text) of a flow collection's `[` or `{`.
    flow_col: Option<usize>,
}

struct Loader<'a> {
    src: &'a str,
    offsets: OffsetMap,
    /// Built on the first duplicate key, the only time a line number is needed.
    lines: Option<LineIndex>,
    limits: &'a Limits,
    stack: Vec<Frame>,
    /// Completed anchored nodes by saphyr's anchor id (ids are unique even when names repeat).
    anchors: HashMap<usize, Built>,
    expansions: usize,
    /// Bytes of scalar text copied by aliases so far.
    expanded_bytes: usize,
    documents: Vec<Node>,
    warnings: Vec<YamlError>,
}

impl<'a> Loader<'a> {
    fn new(src: &'a str, offsets: OffsetMap, limits: &'a Limits) -> Loader<'a> {
        Loader {
            src,
            offsets,
            lines: None,
            limits,
            stack: Vec::new(),
            anchors: HashMap::new(),
            expansions: 0,
            expanded_bytes: 0,
            documents: Vec::new(),
            warnings: Vec::new(),
        }
    }

    fn finish(mut self) -> Parsed {
        // Inner mappings close first, so sort to report warnings in reading order.
        self.warnings.sort_by_key(|w| w.span.start);
        Parsed {
            documents: self.documents,
            warnings: self.warnings,
        }
    }

    fn span(&self, s: saphyr_parser::Span) -> Span {
        if s.end.index() <= s.start.index() {
            // An empty span (an empty value, where a block collection starts or ends) sits where
            // the text before it ends: in a text made of pieces, at the end of its piece.
            let at = self.offsets.byte_end(s.start.index());
            return Span::new(at, at);
        }
        let start = self.offsets.byte(s.start.index());
        Span::new(start, self.offsets.byte_end(s.end.index()))
    }

    /// A scan error, and for saphyr's indentation checks that libyaml does not make, where the
    /// offending line is and how far right it must move.
    fn scan_failure(&self, e: &ScanError, text: &str) -> Failure {
        let m = e.marker();
        let line_start = m.index().saturating_sub(m.col());
        let misindented = match e.info() {
            "invalid indentation"
            | "invalid indentation in flow construct"
            | "tabs disallowed within this context (block indentation)" => self
                .stack
                .iter()
                .find_map(|f| f.flow_col)
                .or_else(|| pending_flow_col(text, line_start))
                .map(|target| Misindented::Flow {
                    line_start,
                    col: m.col(),
                    target,
                }),
            "invalid indentation in quoted scalar" => Some(Misindented::Quoted {
                index: m.index(),
                col: m.col(),
            }),
            _ => None,
        };
        Failure {
            error: self.scan_error(e),
            misindented,
        }
    }

    fn scan_error(&self, e: &ScanError) -> YamlError {
        let at = self.offsets.byte(e.marker().index());
        let width = self
            .src
            .get(at..)
            .and_then(|r| r.chars().next())
            .map_or(0, char::len_utf8);
        let mut span = Span::new(at, at + width);
        let info = e.info();
        if info == "recursion limit exceeded" {
            let message = "flow collection nesting exceeds the parser limit of 255";
            return YamlError::limit(message, span);
        }
        let message = if info.contains("unknown anchor") {
            let name = alias_name(self.src, at);
            span = Span::new(at, at + 1 + name.len());
            format!("unknown alias `*{name}`")
        } else {
            lowercase_first(info)
        };
        YamlError::new(message, span)
    }

    fn on_event(&mut self, event: Event<'_>, raw: saphyr_parser::Span) -> Result<(), YamlError> {
        let span = self.span(raw);
        match event {
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => Ok(()),
            Event::DocumentStart(_) => {
                // Aliases never cross documents; dropping old anchors also bounds memory.
                self.anchors.clear();
                Ok(())
            }
            Event::Scalar(text, style, anchor, tag) => {
                let style = ScalarStyle::from(style);
                let tag = tag.map(|t| tag_text(&t));
                let has_props = anchor != 0 || tag.is_some();
                let empty = text.is_empty();
                let bytes = text.len();
                let value = resolve_scalar(text, style, tag.as_deref())
                    .map_err(|m| YamlError::new(m, span))?;
                let span = scalar_span(self.src.as_bytes(), span, style, has_props, empty);
                let node = Node {
                    value,
                    span,
                    tag,
                    style,
                };
                self.complete(
                    Built {
                        node,
                        count: 1,
                        height: 0,
                        bytes,
                    },
                    anchor,
                );
                Ok(())
            }
            Event::Alias(id) => {
                let built = self.alias(id, span)?;
                self.attach(built);
                Ok(())
            }
            Event::SequenceStart(anchor, tag) => {
                self.open(Items::Seq(Vec::new()), anchor, tag, span, raw)
            }
            Event::MappingStart(anchor, tag) => {
                self.open(Items::Map(Vec::new(), None), anchor, tag, span, raw)
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(span),
        }
    }

    fn open(
        &mut self,
        items: Items,
        anchor: usize,
        tag: Option<std::borrow::Cow<'_, saphyr_parser::Tag>>,
        span: Span,
        raw: saphyr_parser::Span,
    ) -> Result<(), YamlError> {
        if self.stack.len() >= self.limits.max_depth {
            let kind = match items {
                Items::Seq(_) => "sequence",
                Items::Map(..) => "mapping",
            };
            // Block collections start with an empty span; widen it so the report has a caret.
            let width = self.src.get(span.start..).and_then(|r| r.chars().next());
            let span = span.join(Span::new(
                span.start,
                span.start + width.map_or(0, char::len_utf8),
            ));
            return Err(YamlError::limit(
                format!(
                    "{kind} nesting exceeds the depth limit of {}",
                    self.limits.max_depth
                ),
                span,
            ));
        }
        self.stack.push(Frame {
            items,
            tag: tag.map(|t| tag_text(&t)),
            anchor,
            start: span.start,
            header_end: span.end,
            content_end: span.end,
            count: 1,
            child_height: 0,
            bytes: 0,
            flow_col: matches!(
                self.src
                    .as_bytes()
                    .get(skip_properties(self.src.as_bytes(), span.start, span.end)),
                Some(b'[' | b'{')
            )
            .then(|| raw.start.col()),
        });
        Ok(())
    }

    fn close(&mut self, end_span: Span) -> Result<(), YamlError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        // Flow collections end at their closing bracket; block ones report an empty span at the
        // next token (possibly lines later), so they end at their last child instead.
        let end = if end_span.is_empty() {
            frame.content_end.max(frame.header_end)
        } else {
            end_span.end
        };
        let span = Span::new(frame.start, end);
        let value = match frame.items {
            Items::Seq(items) => Value::Seq(items),
            Items::Map(mut entries, pending) => {
                if let Some(key) = pending {
                    // saphyr always pairs keys with values; this only guards against surprises.
                    let at = Span::empty(key.span.end);
                    entries.push((key, Node::new(Value::Null, at)));
                }
                Value::Map(self.finish_mapping(entries)?)
            }
        };
        check_collection_tag(frame.tag.as_deref(), matches!(value, Value::Map(_)))
            .map_err(|m| YamlError::new(m, span))?;
        let node = Node {
            value,
            span,
            tag: frame.tag,
            style: ScalarStyle::Plain,
        };
        let built = Built {
            node,
            count: frame.count,
            height: frame.child_height.saturating_add(1),
            bytes: frame.bytes,
        };
        self.complete(built, frame.anchor);
        Ok(())
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<Built, YamlError> {
        let Some(target) = self.anchors.get(&id) else {
            let name = alias_name(self.src, span.start);
            let message = if self.stack.iter().any(|f| f.anchor == id) {
                format!("alias `*{name}` refers to a node that contains it")
            } else {
                format!("unknown alias `*{name}`")
            };
            return Err(YamlError::new(message, span));
        };
        let limit = self.limits.max_alias_expansions;
        let expansions = self.expansions.saturating_add(target.count);
        if expansions > limit {
            return Err(YamlError::limit(
                format!("alias expansion exceeds the limit of {limit} nodes"),
                span,
            ));
        }
        let limit = self.limits.max_alias_bytes;
        let expanded_bytes = self.expanded_bytes.saturating_add(target.bytes);
        if expanded_bytes > limit {
            return Err(YamlError::limit(
                format!(
                    "alias expansion exceeds the limit of {limit} bytes ({}) of copied text",
                    crate::files::size::human(limit as u64)
                ),
                span,
            ));
        }
        if self.stack.len().saturating_add(target.height) > self.limits.max_depth {
            return Err(YamlError::limit(
                format!(
                    "alias `*{}` nests deeper than the depth limit of {}",
                    alias_name(self.src, span.start),
                    self.limits.max_depth
                ),
                span,
            ));
        }
        let mut node = target.node.clone();
        node.span = span;
        let built = Built {
            node,
            count: target.count,
            height: target.height,
            bytes: target.bytes,
        };
        self.expansions = expansions;
        self.expanded_bytes = expanded_bytes;
        Ok(built)
    }

    /// Records an anchored node for later aliases, then attaches it to its parent.
    fn complete(&mut self, built: Built, anchor: usize) {
        if anchor != 0 {
            let copy = Built {
                node: built.node.clone(),
                count: built.count,
                height: built.height,
                bytes: built.bytes,
            };
            self.anchors.insert(anchor, copy);
        }
        self.attach(built);
    }

    fn attach(&mut self, built: Built) {
        let Some(frame) = self.stack.last_mut() else {
            self.documents.push(built.node);
            return;
        };
        frame.count = frame.count.saturating_add(built.count);
        frame.bytes = frame.bytes.saturating_add(built.bytes);
        frame.child_height = frame.child_height.max(built.height);
        frame.content_end = frame.content_end.max(built.node.span.end);
        match &mut frame.items {
            Items::Seq(items) => items.push(built.node),
            Items::Map(entries, pending) => match pending.take() {
                Some(key) => entries.push((key, built.node)),
                None => *pending = Some(built.node),
            },
        }
    }

    /// Applies duplicate-key and merge-key rules: explicit keys keep source order (a repeated key
    /// takes the later value at the first key's position), then merged-in keys that no explicit
    /// key or earlier merge source already provided.
    fn finish_mapping(&mut self, raw: Vec<(Node, Node)>) -> Result<Mapping, YamlError> {
        let mut out: Vec<(Node, Node)> = Vec::with_capacity(raw.len());
        // key text -> (index in `out`, byte offset of the first occurrence)
        let mut seen: HashMap<String, (usize, usize)> = HashMap::new();
        let mut merges = Vec::new();
        for (key, value) in raw {
            if is_merge_key(&key) {
                merges.push(value);
                continue;
            }
            let Some(text) = key.scalar_text() else {
                out.push((key, value));
                continue;
            };
            if let Some(&(index, first)) = seen.get(&text) {
                let src = self.src;
                let lines = self.lines.get_or_insert_with(|| LineIndex::new(src));
                let line = lines.line_number(first);
                self.warnings.push(YamlError::new(
                    format!("duplicate key `{text}` (first defined on line {line}); the later value wins"),
                    key.span,
                ));
                if let Some(slot) = out.get_mut(index) {
                    *slot = (key, value);
                }
            } else {
                seen.insert(text, (out.len(), key.span.start));
                out.push((key, value));
            }
        }
        for source in merges {
            for map in merge_sources(source)? {
                for (key, value) in map.into_entries() {
                    if let Some(text) = key.scalar_text() {
                        if seen.contains_key(&text) {
                            continue;
                        }
                        seen.insert(text, (out.len(), key.span.start));
                    }
                    out.push((key, value));
                }
            }
        }
        Ok(Mapping::from_entries(out))
    }
}

/// Only a plain, untagged `<<` is a merge key; `"<<"` or `!!str <<` is an ordinary key.
fn is_merge_key(key: &Node) -> bool {
    key.style == ScalarStyle::Plain && key.tag.is_none() && key.as_str() == Some("<<")
}

/// The mappings a `<<` value contributes, in priority order.
fn merge_sources(value: Node) -> Result<Vec<Mapping>, YamlError> {
    const EXPECTED: &str = "merge key `<<` expects a mapping or a sequence of mappings";
    let span = value.span;
    match value.value {
        Value::Map(m) => Ok(vec![m]),
        Value::Seq(items) => items
            .into_iter()
            .map(|item| match item.value {
                Value::Map(m) => Ok(m),
                other => Err(YamlError::new(
                    format!("{EXPECTED}, found {} in the sequence", other.kind_name()),
                    item.span,
                )),
            })
            .collect(),
        other => Err(YamlError::new(
            format!("{EXPECTED}, found {}", other.kind_name()),
            span,
        )),
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Narrows saphyr's scalar event span to the scalar itself.
///
/// The event span starts at any anchor/tag, and for quoted and block scalars runs on over trailing
/// whitespace (even a trailing comment); diagnostics should underline just the value.
fn scalar_span(src: &[u8], raw: Span, style: ScalarStyle, has_props: bool, empty: bool) -> Span {
    let end = raw.end.min(src.len());
    let mut start = raw.start.min(end);
    if has_props {
        start = skip_properties(src, start, end);
    }
    if empty && style == ScalarStyle::Plain {
        // An empty value has no text; saphyr sometimes spans the following token (`---`).
        return Span::empty(start);
    }
    let end = match style {
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
            closing_quote(src, start, end).unwrap_or_else(|| trim_end(src, start, end))
        }
        ScalarStyle::Literal | ScalarStyle::Folded => {
            // Untagged block scalars already start at their content; make tagged ones agree by
            // skipping the `|`/`>` header line.
            if matches!(src.get(start), Some(b'|' | b'>')) {
                while start < end && src.get(start) != Some(&b'\n') {
                    start += 1;
                }
                while start < end && src.get(start).copied().is_some_and(is_space) {
                    start += 1;
                }
            }
            trim_end(src, start, end)
        }
        ScalarStyle::Plain => trim_end(src, start, end),
    };
    Span::new(start, end)
}

/// Skips `!tag` / `&anchor` properties and the whitespace or comments after them.
fn skip_properties(src: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && matches!(src.get(i), Some(b'!' | b'&')) {
        while i < end && src.get(i).is_some_and(|&b| !is_space(b)) {
            i += 1;
        }
        loop {
            while i < end && src.get(i).copied().is_some_and(is_space) {
                i += 1;
            }
            if i < end && src.get(i) == Some(&b'#') {
                while i < end && src.get(i) != Some(&b'\n') {
                    i += 1;
                }
            } else {
                break;
            }
        }
    }
    i.min(end)
}

/// End (exclusive) of the quoted scalar opening at `start`, honouring `\"` and `''` escapes.
pub(super) fn closing_quote(src: &[u8], start: usize, end: usize) -> Option<usize> {
    let quote = *src.get(start).filter(|&&b| b == b'"' || b == b'\'')?;
    let mut i = start + 1;
    while i < end {
        match src.get(i)? {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && src.get(i + 1) == Some(&b'\'') => i += 2,
            &b if b == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

fn trim_end(src: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && src.get(end - 1).copied().is_some_and(is_space) {
        end -= 1;
    }
    end
}

/// The alias name written at byte `at` (after a `*`), for messages.
fn alias_name(src: &str, at: usize) -> &str {
    let rest = src.get(at..).unwrap_or("");
    let rest = rest.strip_prefix('*').unwrap_or(rest);
    let len = rest
        .find(|c: char| c.is_whitespace() || matches!(c, ',' | '[' | ']' | '{' | '}'))
        .unwrap_or(rest.len());
    rest.get(..len).unwrap_or("")
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        // Leave acronyms such as "YAML" alone.
        (Some(a), Some(b)) if a.is_uppercase() && !b.is_uppercase() => {
            a.to_lowercase().chain(s.chars().skip(1)).collect()
        }
        _ => s.to_owned(),
    }
}
