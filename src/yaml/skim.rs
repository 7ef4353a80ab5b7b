//! Parses only the top-level entries of each document that a caller needs.
//!
//! A Kubernetes object's `apiVersion`, `kind` and `metadata` are a few lines; a
//! CustomResourceDefinition's `spec` can be megabytes that a reader of kinds and names never
//! looks at. [`parse_entries`] finds each document's top-level entries by their lines, without
//! parsing: in a block mapping at column 0, an entry is a line `key:` at column 0 and every
//! following line that is blank, a comment, or indented. It then parses a text made of the
//! entries the caller keeps (and everything around them: markers, directives, comments before
//! the first entry), with every position mapped back to the source.
//!
//! Decisions worth knowing:
//!
//! - **Same nodes.** What a caller gets for a kept entry is what [`super::parse`] gives for it,
//!   spans included. A document's first entry is always kept, so the document's span starts
//!   where it did; a key that repeats is kept or skipped every time it appears, since its later
//!   value wins.
//! - **Only plain layouts are skimmed.** A document with any other line at column 0 (a quoted or
//!   complex key, a key that is not a string such as `1` or `true`, a merge key `<<`, a
//!   sequence, a flow collection, a tab, content after `---`), or with a top-level value that
//!   opens a flow collection or a quoted scalar its line does not close (its next lines may sit
//!   at column 0 and look like keys) or starts with an anchor or a tag, is kept whole; so is a
//!   stream with a carriage return that is not part of a `\r\n`. A stream whose skimmed text
//!   does not parse (an alias of an anchor in a skipped entry) is parsed whole, and its error, if
//!   any, is the whole text's.
//! - **Skipped entries are not checked.** A syntax error inside a skipped entry is not reported,
//!   and a line continuing, at column 0, a quoted scalar or flow collection of a skipped entry
//!   (which YAML forbids and libyaml accepts, see `lenient`) is read as the next entry.
//! - **What the caller decides from.** `keep` sees the key and the document's other top-level
//!   entries as [`Head`], whose [`Head::line_value`] is a one-line scalar's text when the line
//!   spells it plainly (a `kind: Secret`), so a caller can keep `data` for Secrets only.

use super::offsets::RunsBuilder;
use super::{Limits, Node, YamlError, loader};

/// What one line of a document says about a top-level key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LineValue<'a> {
    /// No top-level entry has the key.
    Absent,
    /// One entry has it, on one line, with this scalar text (quotes removed).
    Plain(&'a str),
    /// Anything else: several entries, a value on more lines, a collection, escapes, tags.
    Unknown,
}

/// The top-level entries of one document, found by their lines.
pub(crate) struct Head<'a> {
    src: &'a str,
    entries: &'a [Entry],
    /// Each key's entry and how many entries have it, built on the first lookup, so a document
    /// of many entries costs each lookup no more than one.
    by_key: std::cell::OnceCell<std::collections::HashMap<&'a str, (usize, usize)>>,
}

impl<'a> Head<'a> {
    fn new(src: &'a str, entries: &'a [Entry]) -> Head<'a> {
        Head {
            src,
            entries,
            by_key: std::cell::OnceCell::new(),
        }
    }

    /// What the document's top-level `key` is, when its one line says so plainly.
    pub(crate) fn line_value(&self, key: &str) -> LineValue<'a> {
        let by_key = self.by_key.get_or_init(|| {
            let mut by_key = std::collections::HashMap::new();
            for (at, entry) in self.entries.iter().enumerate() {
                by_key
                    .entry(&self.src[entry.key.clone()])
                    .and_modify(|(_, count)| *count += 1)
                    .or_insert((at, 1));
            }
            by_key
        });
        match by_key.get(key) {
            None => LineValue::Absent,
            Some(&(at, 1)) if self.entries[at].one_line => {
                let entry = &self.entries[at];
                plain_value(&self.src[entry.key.end + 1..entry.first_line_end])
                    .map_or(LineValue::Unknown, LineValue::Plain)
            }
            Some(_) => LineValue::Unknown,
        }
    }
}

/// One top-level entry: its key and the bytes of its lines.
#[derive(Clone, Debug)]
struct Entry {
    key: std::ops::Range<usize>,
    start: usize,
    end: usize,
    /// End of the key's line, before its line break.
    first_line_end: usize,
    /// Whether no line after the key's holds content (blank and comment lines only).
    one_line: bool,
}

/// The documents of `src`, each top-level mapping holding its first entry and the entries
/// `keep(key, head)` selects; see the module doc.
///
/// # Errors
/// As for [`super::parse`], of the whole text, when the skimmed text does not parse.
pub(crate) fn parse_entries(
    src: &str,
    keep: &dyn Fn(&str, &Head<'_>) -> bool,
) -> Result<Vec<Node>, YamlError> {
    let bytes = src.as_bytes();
    if memchr::memchr_iter(b'\r', bytes).any(|at| bytes.get(at + 1) != Some(&b'\n')) {
        // A carriage return alone also ends a line; this reader of lines splits at `\n` only.
        return super::parse(src);
    }
    let pieces = kept_pieces(src, keep);
    if pieces.iter().map(ExactSizeIterator::len).sum::<usize>() == src.len() {
        return super::parse(src);
    }
    let mut text = String::with_capacity(pieces.iter().map(ExactSizeIterator::len).sum());
    let mut runs = RunsBuilder::default();
    for piece in &pieces {
        text.push_str(&src[piece.clone()]);
        runs.push_text(&src[piece.clone()], piece.start);
    }
    match loader::attempt(src, &text, runs.finish(src.len()), &Limits::default()) {
        Ok(parsed) => Ok(parsed.documents),
        Err(_) => super::parse(src),
    }
}

/// The byte ranges of `src` to parse, in order and not touching each other.
fn kept_pieces(src: &str, keep: &dyn Fn(&str, &Head<'_>) -> bool) -> Vec<std::ops::Range<usize>> {
    let mut pieces: Vec<std::ops::Range<usize>> = Vec::new();
    let mut add = |range: std::ops::Range<usize>| {
        if range.is_empty() {
            return;
        }
        match pieces.last_mut() {
            Some(last) if last.end == range.start => last.end = range.end,
            _ => pieces.push(range),
        }
    };
    let mut doc = Document::new(0);
    let mut breaks = memchr::memchr_iter(b'\n', src.as_bytes());
    let mut at = 0;
    while at < src.len() {
        let end = breaks.next().map_or(src.len(), |i| i + 1);
        let line = &src[at..end];
        match classify(line) {
            Line::Marker { plain } => {
                doc.finish(src, at, keep, &mut add);
                doc = Document::new(at);
                doc.whole = !plain;
            }
            Line::Blank => {
                if let Some(entry) = doc.entries.last_mut() {
                    entry.end = end;
                }
            }
            Line::Indented => match doc.entries.last_mut() {
                Some(entry) => {
                    entry.end = end;
                    // Only a one-line entry's value is ever read from its line.
                    if entry.one_line {
                        entry.one_line = !holds_content(line);
                    }
                }
                None => doc.whole |= holds_content(line),
            },
            Line::Item => match doc.entries.last_mut() {
                // An indentless sequence, the value of the entry above.
                Some(entry) => {
                    entry.end = end;
                    entry.one_line = false;
                    doc.whole |= runs_on(&line[1..]);
                }
                None => doc.whole = true,
            },
            Line::Directive if !line.is_ascii() => {
                // saphyr counts an unknown directive's characters as bytes, so every position
                // after it is off by as many bytes as the line has beyond its characters, and
                // differently in a text made of pieces. Parsed whole, it is off as it always is.
                return whole(src);
            }
            Line::Directive => doc.whole |= !doc.entries.is_empty(),
            Line::Key { key_len } => {
                // A key the core schema reads as a number, a boolean or null may repeat another
                // spelled differently (`1` and `01`); only keys that are their own text are
                // told apart by it.
                let key = &src[at..at + key_len];
                doc.whole |= !matches!(super::schema::resolve_plain(key), super::Value::String(_))
                    || runs_on(&line[key_len + 1..]);
                let line_end = at + line.trim_end_matches(['\n', '\r']).len();
                doc.entries.push(Entry {
                    key: at..at + key_len,
                    start: at,
                    end,
                    first_line_end: line_end,
                    one_line: true,
                });
            }
            Line::Other => doc.whole = true,
        }
        at = end;
    }
    doc.finish(src, src.len(), keep, &mut add);
    pieces
}

/// The one piece that is all of `src`.
fn whole(src: &str) -> Vec<std::ops::Range<usize>> {
    std::iter::once(0..src.len()).collect()
}

/// A document being read: where it starts, its entries so far, and whether it must be kept whole.
struct Document {
    start: usize,
    entries: Vec<Entry>,
    whole: bool,
}

impl Document {
    fn new(start: usize) -> Document {
        Document {
            start,
            entries: Vec::new(),
            whole: false,
        }
    }

    /// Adds the pieces of this document, which ends at `end`, to `add`.
    fn finish(
        &self,
        src: &str,
        end: usize,
        keep: &dyn Fn(&str, &Head<'_>) -> bool,
        add: &mut impl FnMut(std::ops::Range<usize>),
    ) {
        let Some(first) = self.entries.first() else {
            add(self.start..end);
            return;
        };
        if self.whole {
            add(self.start..end);
            return;
        }
        add(self.start..first.end);
        let head = Head::new(src, &self.entries);
        // A repeated key's later value replaces the first, so it goes where the first does.
        let first_key = &src[first.key.clone()];
        for entry in &self.entries[1..] {
            let key = &src[entry.key.clone()];
            if key == first_key || keep(key, &head) {
                add(entry.start..entry.end);
            }
        }
    }
}

/// What a line is, by its first characters, for finding top-level entries.
#[derive(Debug, PartialEq, Eq)]
enum Line {
    /// `---` or `...`; `plain` when nothing but a comment follows it.
    Marker { plain: bool },
    /// Empty, spaces only, or a comment at column 0.
    Blank,
    /// Indented by a space (maybe only spaces, or a comment).
    Indented,
    /// `- ` at column 0: an item of a sequence.
    Item,
    /// A `%` directive.
    Directive,
    /// `key:` at column 0 with a plain key of `key_len` bytes, then a space or the line's end.
    Key { key_len: usize },
    /// Anything else.
    Other,
}

fn classify(line: &str) -> Line {
    let bytes = line.as_bytes();
    let after = |n: usize| bytes.get(n).copied();
    let ends = |b: Option<u8>| matches!(b, None | Some(b' ' | b'\t' | b'\n' | b'\r'));
    match bytes.first() {
        None | Some(b'\n' | b'\r' | b'#') => Line::Blank,
        Some(b' ') => Line::Indented,
        Some(b'%') => Line::Directive,
        Some(b'-' | b'.') if bytes.starts_with(b"---") || bytes.starts_with(b"...") => {
            if !ends(after(3)) {
                return Line::Other;
            }
            let rest = line[3..].trim_start_matches([' ', '\t']);
            Line::Marker {
                plain: rest.is_empty() || rest.starts_with(['\n', '\r', '#']),
            }
        }
        Some(b'-') if ends(after(1)) => Line::Item,
        Some(&first) if first.is_ascii_alphanumeric() || first == b'_' => {
            let key_len = bytes
                .iter()
                .position(|&b| !is_key_byte(b))
                .unwrap_or(bytes.len());
            if after(key_len) == Some(b':') && ends(after(key_len + 1)) {
                Line::Key { key_len }
            } else {
                Line::Other
            }
        }
        Some(_) => Line::Other,
    }
}

/// Whether the value that starts on a line at column 0 (after `key:` or `- `) may go on past the
/// line in a way the lines below cannot show: a flow collection or a quoted scalar the line does
/// not close, whose next lines may sit at column 0 and look like keys; or properties (`&a`,
/// `!t`), which are rare at the top and not worth reading here.
fn runs_on(value: &str) -> bool {
    let value = value.trim_start_matches([' ', '\t']);
    let bytes = value.as_bytes();
    match bytes.first() {
        Some(b'&' | b'!') => true,
        Some(b'"' | b'\'') => loader::closing_quote(bytes, 0, bytes.len()).is_none(),
        Some(b'[' | b'{') => {
            let mut depth = 0usize;
            let mut at = 0;
            while let Some(&b) = bytes.get(at) {
                match b {
                    b'[' | b'{' => depth += 1,
                    b']' | b'}' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return false;
                        }
                    }
                    b'"' | b'\'' => match loader::closing_quote(bytes, at, bytes.len()) {
                        // Just past the closing quote; the loop steps on from there.
                        Some(past) => at = past - 1,
                        None => return true,
                    },
                    _ => {}
                }
                at += 1;
            }
            true
        }
        _ => false,
    }
}

/// Whether an indented line holds more than a comment.
fn holds_content(line: &str) -> bool {
    let rest = line.trim_start_matches([' ', '\t']);
    !(rest.is_empty() || rest.starts_with(['\n', '\r', '#']))
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/')
}

/// The scalar text of what follows `key:` on its line, when it is a plain word or a quoted one
/// without escapes, then nothing but a comment.
fn plain_value(after_colon: &str) -> Option<&str> {
    let rest = after_colon.trim_start_matches([' ', '\t']);
    let (word, tail) = match rest.as_bytes().first()? {
        &quote @ (b'"' | b'\'') => {
            let close = rest[1..].find(quote as char)? + 1;
            (&rest[1..close], &rest[close + 1..])
        }
        _ => {
            let len = rest.find([' ', '\t', '\r', '\n']).unwrap_or(rest.len());
            (&rest[..len], &rest[len..])
        }
    };
    let tail = tail.trim_start_matches([' ', '\t', '\r', '\n']);
    let plain_word = !word.is_empty() && word.bytes().all(is_key_byte);
    (plain_word && (tail.is_empty() || tail.starts_with('#'))).then_some(word)
}

/// Panics when [`parse_entries`] says something a strict parse of all of `src` does not: a
/// document more or less, a document starting elsewhere, a kept entry that is not the whole
/// parse's, a first entry left out, or a [`LineValue::Plain`] that is not the scalar's text.
/// Text that only parses leniently is not checked (the module doc says why). For tests and the
/// `yaml` fuzz target; `keep` is also asked for the line value of the keys in `probe`.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn check_against_full_parse(src: &str, keep: &dyn Fn(&str) -> bool, probe: &[&str]) {
    use super::Value;
    use super::offsets::OffsetMap;

    let Ok(full) = loader::attempt(src, src, OffsetMap::new(src), &Limits::default()) else {
        return;
    };
    let seen = std::cell::RefCell::new(Vec::new());
    let skimmed = parse_entries(src, &|key, head| {
        for &name in probe.iter().chain([&key]) {
            if let LineValue::Plain(text) = head.line_value(name) {
                let start = head.entries.first().map_or(0, |e| e.start);
                seen.borrow_mut()
                    .push((start, name.to_owned(), text.to_owned()));
            }
        }
        keep(key)
    });
    let skimmed = skimmed.unwrap_or_else(|e| panic!("the whole text parses, the skim not: {e:?}"));
    assert_eq!(skimmed.len(), full.documents.len(), "documents");
    // Compared as written out: a `.NAN` key is a float NaN, which equals nothing, itself neither.
    let same =
        |a: &dyn std::fmt::Debug, b: &dyn std::fmt::Debug| format!("{a:?}") == format!("{b:?}");
    for (part, whole) in skimmed.iter().zip(&full.documents) {
        assert_eq!(part.span.start, whole.span.start, "document start");
        let (Some(part), Some(whole)) = (part.as_map(), whole.as_map()) else {
            assert!(
                same(&part.value, &whole.value),
                "a document that is not a mapping"
            );
            continue;
        };
        let entries = whole.entries();
        for entry in part.entries() {
            assert!(
                entries.iter().any(|e| same(e, entry)),
                "kept entry not the whole's: {entry:?}"
            );
        }
        if let Some(first) = entries.first() {
            assert!(
                part.entries().iter().any(|e| same(e, first)),
                "first entry left out"
            );
        }
    }
    for (start, name, text) in seen.into_inner() {
        let doc = full.documents.iter().find(|d| d.span.start == start);
        let value = doc.and_then(Node::as_map).and_then(|m| m.get(&name));
        let value = value.unwrap_or_else(|| panic!("{name}: {text:?} is not in the parse"));
        let same = match &value.value {
            Value::String(s) => s == &text,
            Value::Null => matches!(text.as_str(), "null" | "Null" | "NULL"),
            Value::Bool(_) | Value::Int(_) | Value::Float(_) => src[value.span.range()] == text,
            Value::Seq(_) | Value::Map(_) => false,
        };
        assert!(
            same,
            "{name}: line value {text:?}, parsed {:?}",
            value.value
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::Span;

    /// The scan's choice: a spec for workloads, data for Secrets.
    fn objects(key: &str, head: &Head<'_>) -> bool {
        let kind = head.line_value("kind");
        match key {
            "apiVersion" | "kind" | "metadata" => true,
            "spec" => !matches!(kind, LineValue::Plain("CustomResourceDefinition")),
            "data" => matches!(kind, LineValue::Plain("Secret") | LineValue::Unknown),
            _ => false,
        }
    }

    fn keys(doc: &Node) -> Vec<String> {
        let map = doc.as_map().expect("a mapping");
        map.iter().filter_map(|(k, _)| k.scalar_text()).collect()
    }

    const CRD: &str = "\
# a comment before
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  versions:
  - name: v1
    schema:
      openAPIV3Schema:
        description: \"Widget is ’the’ thing\"

# a comment at column 0 inside spec
        type: object
status: {}
---
apiVersion: v1
kind: Secret
metadata: {name: s}
data:
  password: aGk=
---
kind: 'ConfigMap' # a comment
apiVersion: v1
data:
  big: |
    lots
metadata:
  name: cm
";

    #[test]
    fn skipped_entries_are_left_out_and_kept_ones_are_the_whole_parse() {
        let docs = parse_entries(CRD, &objects).expect("parses");
        let whole = super::super::parse(CRD).expect("parses");
        assert_eq!(docs.len(), 3);
        assert_eq!(keys(&docs[0]), ["apiVersion", "kind", "metadata"]);
        assert_eq!(keys(&docs[1]), ["apiVersion", "kind", "metadata", "data"]);
        assert_eq!(keys(&docs[2]), ["kind", "apiVersion", "metadata"]);
        for (part, whole) in docs.iter().zip(&whole) {
            assert_eq!(part.span.start, whole.span.start);
            let whole = whole.as_map().expect("map");
            for (key, value) in part.as_map().expect("map").iter() {
                let name = key.scalar_text().expect("key");
                assert_eq!(whole.get(&name), Some(value), "{name}");
            }
        }
        check_against_full_parse(CRD, &|k| k == "metadata", &["kind"]);
    }

    #[test]
    fn line_values_are_read_only_when_the_line_says_it_plainly() {
        let values = |src: &str| {
            let found = std::cell::RefCell::new(None);
            let _ = parse_entries(src, &|_, head| {
                *found.borrow_mut() = Some(format!("{:?}", head.line_value("kind")));
                false
            });
            found.into_inner()
        };
        let first = "apiVersion: v1\n";
        assert_eq!(
            values(&format!("{first}kind: Secret\n")).as_deref(),
            Some("Plain(\"Secret\")")
        );
        assert_eq!(
            values(&format!("{first}kind: \"Secret\" # c\n")).as_deref(),
            Some("Plain(\"Secret\")")
        );
        assert_eq!(values(&format!("{first}x: 1\n")).as_deref(), Some("Absent"));
        for unknown in [
            "kind: Sec\n  ret\n",
            "kind:\n  Secret\n",
            "kind: \"Se\\x63ret\"\n",
            "kind: 'it''s'\n",
            "kind: Secret#x\n",
            "kind: Secret\nkind: Secret\n",
            "kind: [Secret]\n",
        ] {
            assert_eq!(
                values(&format!("{first}{unknown}")).as_deref(),
                Some("Unknown"),
                "{unknown:?}"
            );
        }
        // A blank line, or an indented comment, does not continue a plain scalar.
        assert_eq!(
            values(&format!("{first}kind: Secret\n\n  # note\nspec: 1\n")).as_deref(),
            Some("Plain(\"Secret\")")
        );
    }

    #[test]
    fn documents_with_other_lines_at_column_0_are_kept_whole() {
        for src in [
            "a: 1\n<<: {b: 2}\nspec: 3\n",
            "a: 1\n\"spec\": 3\nother: 4\n",
            "- a\n- b\n",
            "{a: 1, spec: 2}\n",
            "a: 1\n? spec\n: 3\n",
            "a: 1\nspec: 2\n\tother: 3\n",
            "--- !tag\na: 1\nspec: 2\n",
            "\u{feff}a: 1\nspec: 2\n",
            "a: 1\n%TAG ! tag:x,2000:\nspec: 2\n",
            "a: 1\n1: x\n01: y\n",
            "a: 1\ntrue: x\n",
            "a: 1\ntool: {git: \"https://x\nkind: Service\nz: \"}\n",
            "a: 1\nargs: [x,\nkind: y]\n",
            "a: 1\nd: 'it''s\nkind: y'\n",
            "a: 1\nrules:\n- [x,\nkind: y]\n",
            "a: 1\nb: &x 1\n",
            "a: 1\nkind: !!str Secret\n",
        ] {
            let parts = kept_pieces(src, &|_, _| false);
            assert_eq!(parts, whole(src), "{src:?}");
        }
    }

    #[test]
    fn markers_directives_and_indentless_sequences() {
        let src =
            "%YAML 1.2\n---\na: 1\nrules:\n- x\n- y: 1\n  z: 2\nb: 2\n...\n---\nc: 3\nd:\n- 4\n";
        let docs = parse_entries(src, &|key, _| key == "b").expect("parses");
        assert_eq!(docs.len(), 2);
        assert_eq!(keys(&docs[0]), ["a", "b"]);
        assert_eq!(keys(&docs[1]), ["c"]);
        check_against_full_parse(src, &|k| k == "b", &["a"]);
        check_against_full_parse(src, &|k| k == "rules", &["a"]);
    }

    /// Found by the fuzz smoke run: a `.NAN` key is a float NaN, which equals nothing, so the
    /// check compares nodes as written out.
    #[test]
    fn a_nan_key_is_kept_as_the_whole_parse_has_it() {
        let src = "apiVersion: apps/v1\n.NAN: Deployment\nmetadata:\n  name: web\n";
        check_against_full_parse(src, &|key| key.len() % 2 == 0, &["kind", "a"]);
    }

    #[test]
    fn a_lone_carriage_return_ends_a_line_so_the_stream_is_parsed_whole() {
        let src = "# note\rkind: Secret\napiVersion: v1\ndata:\n  a: 1\n";
        check_against_full_parse(src, &|_| false, &["kind"]);
        let docs = parse_entries(src, &|_, _| false).expect("parses");
        assert_eq!(keys(&docs[0]), ["kind", "apiVersion", "data"]);
    }

    #[test]
    fn a_directive_with_other_than_ascii_leaves_the_stream_whole() {
        let src = "%FOO é\n---\na: 1\nspec: 2\n";
        assert_eq!(kept_pieces(src, &|_, _| false), whole(src));
        check_against_full_parse(src, &|_| false, &[]);
    }

    #[test]
    fn an_empty_value_before_a_skipped_entry_stays_where_it_is() {
        let src = "ap: |1\np: |1\nkind: /ec";
        check_against_full_parse(src, &|k| k.len() % 2 == 0, &[]);
        check_against_full_parse("a:\nb: 1\nc: 2\n", &|k| k == "c", &[]);
    }

    #[test]
    fn many_entries_cost_each_lookup_once() {
        // 20,000 `spec` entries, each asking for the document's kind: linear, not quadratic.
        let src = format!("kind: Secret\n{}", "spec: 1\n".repeat(20_000));
        let asked = std::cell::Cell::new(0);
        let pieces = kept_pieces(&src, &|_, head| {
            asked.set(asked.get() + 1);
            head.line_value("kind") == LineValue::Plain("Secret")
        });
        assert_eq!(asked.get(), 20_000);
        assert_eq!(pieces, whole(&src));
    }

    #[test]
    fn a_repeated_key_is_kept_with_its_first() {
        let src = "# c\nversion: 1\nname: x\nversion: 2\n";
        check_against_full_parse(src, &|_| false, &[]);
        let docs = parse_entries(src, &|_, _| false).expect("parses");
        let version = docs[0].as_map().and_then(|m| m.get("version"));
        assert_eq!(version.and_then(Node::as_i64), Some(2));
    }

    #[test]
    fn an_alias_into_a_skipped_entry_falls_back_to_the_whole_parse() {
        let src = "a: 1\nspec: &s {x: 1}\nmetadata: *s\n";
        let docs = parse_entries(src, &|key, _| key == "metadata").expect("parses");
        assert_eq!(keys(&docs[0]), ["a", "spec", "metadata"]);
    }

    #[test]
    fn errors_are_the_whole_texts_and_skipped_entries_are_not_checked() {
        let broken_kept = "a: 1\nspec:\n  x: 1\nmetadata:\n  name: [\n";
        let whole = super::super::parse(broken_kept).expect_err("broken");
        let part = parse_entries(broken_kept, &|key, _| key == "metadata").expect_err("broken");
        assert_eq!(part, whole);
        let broken_skipped = "a: 1\nspec:\n  x: [\nmetadata:\n  name: n\n";
        assert!(super::super::parse(broken_skipped).is_err());
        let docs = parse_entries(broken_skipped, &|key, _| key == "metadata").expect("skipped");
        assert_eq!(keys(&docs[0]), ["a", "metadata"]);
    }

    #[test]
    fn positions_point_into_the_source_across_multibyte_text_and_crlf() {
        let src = "a: é\r\nspec:\r\n  d: ’’’\r\nmetadata:\r\n  name: ü-x\r\n";
        let docs = parse_entries(src, &|key, _| key == "metadata").expect("parses");
        let name = docs[0]
            .as_map()
            .and_then(|m| m.get("metadata"))
            .and_then(Node::as_map);
        let name = name.and_then(|m| m.get("name")).expect("name");
        assert_eq!(&src[name.span.range()], "ü-x");
        check_against_full_parse(src, &|k| k == "metadata", &["a"]);
    }

    #[test]
    fn a_block_scalar_before_a_skipped_entry_ends_where_it_ends() {
        let src = "readme: |\n  line one\n  \n  last\n# note\nannotations:\n  k: v\ndigest: d\n";
        check_against_full_parse(src, &|k| k != "annotations", &[]);
        let docs = parse_entries(src, &|k, _| k != "annotations").expect("parses");
        let readme = docs[0]
            .as_map()
            .and_then(|m| m.get("readme"))
            .expect("readme");
        assert_eq!(readme.span, Span::new(12, 30));
    }

    #[test]
    fn every_yaml_fixture_skims_as_it_parses() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut pending = vec![root];
        let mut checked = 0;
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).expect("fixtures").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    pending.push(path);
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml")
                    && let Ok(src) = std::fs::read_to_string(&path)
                {
                    check_against_full_parse(&src, &|k| k.len() % 2 == 0, &["kind", "on"]);
                    check_against_full_parse(&src, &|_| false, &["kind"]);
                    checked += 1;
                }
            }
        }
        assert!(checked > 500, "only {checked} fixtures");
    }
}
