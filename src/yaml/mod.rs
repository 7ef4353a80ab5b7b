//! Parses YAML text into a small spanned document tree.
//!
//! This wraps `saphyr-parser` (events only) with our own builder so that every node carries a
//! byte [`Span`] for diagnostics, and so that the resource limits needed for untrusted input
//! (nesting depth, alias expansion) are enforced without recursion.
//!
//! Decisions worth knowing when consuming the tree:
//!
//! - **Schema.** Plain scalars follow the YAML 1.2 core schema (`on`/`yes`/`no` stay strings);
//!   quoted and block scalars are always strings. Explicit core tags (`!!str`, `!!int`, `!!float`,
//!   `!!bool`, `!!null`) retype a scalar and are an error when the text does not fit; every other
//!   tag (e.g. GitLab's `!reference`) is kept in [`Node::tag`] and the node is built as if untagged.
//! - **Tags** are stored as written: `!!str` (also for `!<tag:yaml.org,2002:str>`), `!reference`,
//!   `!`; tags expanded through a `%TAG` directive are stored as the full URI.
//! - **Spans** are byte offsets. Plain scalars span exactly their text; quoted scalars include
//!   their quotes; block scalars span their content lines. Anchors and tags are not part of a
//!   scalar's span, but are part of a collection's. Empty values get an empty span. An alias copy
//!   takes the alias's span at its root and keeps the anchored spans below.
//! - **Merge keys.** A plain untagged `<<` merges a mapping or a sequence of mappings. Explicit
//!   keys win over merged ones wherever they appear, and earlier merge sources win over later
//!   ones. Resulting order: explicit keys in source order, then merged keys not overridden.
//! - **Duplicate keys** (same scalar text) produce a warning at the later key; the later value
//!   wins and stays at the first key's position. Merged keys never count as duplicates.
//! - **Limits.** Crossing a [`Limits`] value (depth, nodes or bytes copied by aliases) is a
//!   [`YamlError`] whose [`YamlError::is_limit`] holds and whose message names the limit's
//!   value; readers report it with the code `yaml-limit`.
//! - **Indentation** follows libyaml, the parser of GitLab and the origin of Go's yaml.v3: lines
//!   inside a flow collection, and continuation lines of a quoted scalar, may sit at or left of
//!   the enclosing block's indentation (a `]` under its key). saphyr refuses those; `lenient`
//!   re-parses a copy with such lines indented further, positions mapped back to the source.
//!   `tests/fixtures/yaml-libyaml/` records libyaml's verdicts on odd-but-valid CI YAML.
//! - **Shared parses.** [`parsed`] hands out one parse per distinct text on a thread (up to
//!   16 MiB of text), for commands that read the same file twice; [`parse`] always parses.
//! - **Skimming.** [`skim::parse_entries`] parses only the top-level entries a caller keeps (the
//!   layout scan's kinds and names, without a CRD's schema), found by their lines; a syntax
//!   error inside a skipped entry goes unreported. Its module doc has the rest.
//! - **Documents.** An empty stream, or one holding only comments, has no documents; an explicit
//!   but empty document (`---` alone) is a [`Value::Null`] document.

pub(crate) mod edit;
mod error;
mod lenient;
mod loader;
mod node;
mod offsets;
pub(crate) mod scalar;
mod schema;
pub(crate) mod skim;
#[cfg(test)]
mod tests;

/// Spans are a shared foundation; the tree's nodes carry them.
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

pub(crate) use crate::files::Span;
pub(crate) use error::YamlError;
pub(crate) use node::{Mapping, Node, ScalarStyle, Value};

/// Resource limits for parsing untrusted YAML.
#[derive(Clone, Debug)]
pub(crate) struct Limits {
    /// Maximum collection nesting, counting levels reached through aliases. Default 256.
    ///
    /// The finished tree is dropped and compared recursively, so raising this far beyond the
    /// default trades safety for nothing a configuration file needs.
    pub max_depth: usize,
    /// Maximum total number of nodes copied by alias expansion (billion-laughs guard).
    /// Default 10 000.
    pub max_alias_expansions: usize,
    /// Maximum total bytes of scalar text (keys and values) copied by alias expansion, so a few
    /// aliases of one huge string cannot multiply it either. Default 4 MiB.
    pub max_alias_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_depth: 256,
            max_alias_expansions: 10_000,
            max_alias_bytes: 4 * 1024 * 1024,
        }
    }
}

/// The documents of a stream and the non-fatal findings made while reading them.
#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct Parsed {
    /// One root node per document, in stream order.
    pub documents: Vec<Node>,
    /// Duplicate keys and similar, in source order.
    pub warnings: Vec<YamlError>,
}

/// Parses all documents of a YAML stream with default [`Limits`], discarding warnings.
///
/// # Errors
/// The first syntax error, limit violation, unknown alias, invalid explicit core tag or invalid
/// merge-key value, located by byte span.
pub(crate) fn parse(src: &str) -> Result<Vec<Node>, YamlError> {
    parse_with(src, &Limits::default()).map(|p| p.documents)
}

/// [`parse`], with the error as `origin:line: message`. The message may quote a scalar of the
/// text (`"x" is not a valid integer`): not for text that holds secrets.
pub(crate) fn parse_at(src: &str, origin: &str) -> Result<Vec<Node>, String> {
    parse(src).map_err(|e| {
        let line = crate::files::LineIndex::new(src).line_number(e.span.start);
        format!("{origin}:{line}: {}", e.message)
    })
}

/// Parses all documents of a YAML stream, returning warnings alongside the documents.
///
/// # Errors
/// As for [`parse`], with `limits` in place of the defaults.
pub(crate) fn parse_with(src: &str, limits: &Limits) -> Result<Parsed, YamlError> {
    lenient::load(src, limits)
}

/// Most text [`parsed`] keeps parses of: past it, text is parsed as if it were new.
const PARSED_BYTES: usize = 16 * 1024 * 1024;

/// Parses by text, and the bytes of text they hold.
type ParseMemo = (HashMap<String, Rc<Vec<Node>>>, usize);

thread_local! {
    /// Parses by the exact text parsed, so one command that reads a file twice (generate checks a
    /// team's base for the app's image while rendering, then for replica counts) parses it
    /// once, and a file changed in between (promote edits an overlay, then builds it) is parsed
    /// afresh.
    static PARSED: RefCell<ParseMemo> = RefCell::default();
}

/// `text`'s YAML documents; a text parsed before on this thread is not parsed again.
pub(crate) fn parsed(text: &str) -> Result<Rc<Vec<Node>>, YamlError> {
    if let Some(hit) = PARSED.with_borrow(|(memo, _)| memo.get(text).cloned()) {
        return Ok(hit);
    }
    let docs = Rc::new(parse(text)?);
    PARSED.with_borrow_mut(|(memo, bytes)| {
        if *bytes + text.len() <= PARSED_BYTES {
            *bytes += text.len();
            memo.insert(text.to_owned(), Rc::clone(&docs));
        }
    });
    Ok(docs)
}
