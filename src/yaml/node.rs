//! The YAML document tree (`Node`, `Value`, `Mapping`) produced by the loader.
//!
//! The tree is deliberately small: just enough typing (YAML 1.2 core schema) for the model
//! reader, plus spans and tags so later stages can point diagnostics at the exact source text.

use super::Span;

/// How a scalar was written. Collections always report [`ScalarStyle::Plain`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum ScalarStyle {
    /// Unquoted.
    Plain,
    /// `'...'`
    SingleQuoted,
    /// `"..."`
    DoubleQuoted,
    /// `|` block scalar.
    Literal,
    /// `>` block scalar.
    Folded,
}

impl From<saphyr_parser::ScalarStyle> for ScalarStyle {
    fn from(s: saphyr_parser::ScalarStyle) -> ScalarStyle {
        match s {
            saphyr_parser::ScalarStyle::Plain => ScalarStyle::Plain,
            saphyr_parser::ScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
            saphyr_parser::ScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
            saphyr_parser::ScalarStyle::Literal => ScalarStyle::Literal,
            saphyr_parser::ScalarStyle::Folded => ScalarStyle::Folded,
        }
    }
}

/// A node of the document tree with its location and tag.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    /// The resolved value.
    pub value: Value,
    /// Byte span in the source. For nodes copied from an alias, the root's span is the alias
    /// (`*name`) so errors point at the use site; descendants keep the anchored node's spans.
    pub span: Span,
    /// The tag as written: `!!suffix` for core-schema tags (whether written `!!str` or
    /// `!<tag:yaml.org,2002:str>`), `!suffix` for local tags such as GitLab's `!reference`, `!` for
    /// the non-specific tag, and the resolved URI for `%TAG`-expanded handles.
    pub tag: Option<String>,
    /// How the scalar was written; `Plain` for collections.
    pub style: ScalarStyle,
}

/// A resolved YAML value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    /// `null`, `~`, or an empty plain scalar.
    Null,
    /// `true` / `false` (YAML 1.2: `yes`, `on`, ... are strings).
    Bool(bool),
    /// An integer that fits in `i64`.
    Int(i64),
    /// A float, including `.inf` and `.nan`.
    Float(f64),
    /// Any other scalar, and every quoted or block scalar.
    String(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping.
    Map(Mapping),
}

/// An ordered mapping. Entries keep source order; merge-key (`<<`) entries are already
/// resolved: explicit keys first in source order, then merged-in keys that were not overridden.
#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct Mapping {
    entries: Vec<(Node, Node)>,
}

impl Mapping {
    /// An empty mapping.
    pub(crate) fn new() -> Mapping {
        Mapping::default()
    }

    /// Builds a mapping from entries as given (no duplicate or merge processing).
    pub(crate) fn from_entries(entries: Vec<(Node, Node)>) -> Mapping {
        Mapping { entries }
    }

    /// Key and value nodes in order.
    pub(crate) fn entries(&self) -> &[(Node, Node)] {
        &self.entries
    }

    /// Consumes the mapping, returning its entries.
    pub(crate) fn into_entries(self) -> Vec<(Node, Node)> {
        self.entries
    }

    /// Iterates over `(key, value)` pairs.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&Node, &Node)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// Appends an entry (no duplicate check).
    pub(crate) fn push(&mut self, key: Node, value: Node) {
        self.entries.push((key, value));
    }

    /// The value for `key`. Keys match when they are that string, or a plain scalar whose text
    /// is `key` (so `get("1")` finds the key `1`).
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        self.get_entry(key).map(|(_, v)| v)
    }

    /// The `(key, value)` entry for `key`, see [`Mapping::get`].
    pub(crate) fn get_entry(&self, key: &str) -> Option<&(Node, Node)> {
        self.entries.iter().find(|(k, _)| k.key_matches(key))
    }

    /// Whether `key` is present, see [`Mapping::get`].
    pub(crate) fn contains_key(&self, key: &str) -> bool {
        self.get_entry(key).is_some()
    }

    /// Number of entries.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl FromIterator<(Node, Node)> for Mapping {
    fn from_iter<I: IntoIterator<Item = (Node, Node)>>(iter: I) -> Mapping {
        Mapping {
            entries: iter.into_iter().collect(),
        }
    }
}

impl<'a> IntoIterator for &'a Mapping {
    type Item = &'a (Node, Node);
    type IntoIter = std::slice::Iter<'a, (Node, Node)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

impl Node {
    /// A plain, untagged node.
    pub(crate) fn new(value: Value, span: Span) -> Node {
        Node {
            value,
            span,
            tag: None,
            style: ScalarStyle::Plain,
        }
    }

    /// The string, only for [`Value::String`].
    pub(crate) fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The mapping, only for [`Value::Map`].
    pub(crate) fn as_map(&self) -> Option<&Mapping> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The items, only for [`Value::Seq`].
    pub(crate) fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, only for [`Value::Bool`].
    pub(crate) fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The integer, only for [`Value::Int`].
    pub(crate) fn as_i64(&self) -> Option<i64> {
        match self.value {
            Value::Int(i) => Some(i),
            _ => None,
        }
    }

    /// Whether the value is [`Value::Null`].
    pub(crate) fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// Whether the value is a scalar (not a sequence or mapping).
    pub(crate) fn is_scalar(&self) -> bool {
        !matches!(self.value, Value::Seq(_) | Value::Map(_))
    }

    /// Any scalar rendered as text: strings as-is, `true`/`false`, decimal integers, floats in
    /// canonical form (`1.0`, `.inf`, `-.inf`, `.nan`), and `null` when a null was actually
    /// written (an empty value gives `None`). Collections give `None`.
    ///
    /// Numbers are re-rendered, so `0x1F` gives `31` and `3.10` gives `3.1`; for the exact text
    /// of a plain scalar, slice the source with [`Node::span`].
    pub(crate) fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Null if self.span.is_empty() => None,
            Value::Null => Some("null".to_owned()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(render_float(*f)),
            Value::String(s) => Some(s.clone()),
            Value::Seq(_) | Value::Map(_) => None,
        }
    }

    /// Article-prefixed kind for messages such as "expected a mapping, found a string".
    pub(crate) fn kind_name(&self) -> &'static str {
        self.value.kind_name()
    }

    /// Whether this node, used as a mapping key, matches `key` (see [`Mapping::get`]).
    fn key_matches(&self, key: &str) -> bool {
        match &self.value {
            Value::String(s) => s == key,
            Value::Seq(_) | Value::Map(_) => false,
            _ => self.style == ScalarStyle::Plain && self.scalar_text().as_deref() == Some(key),
        }
    }
}

impl Value {
    /// See [`Node::kind_name`].
    pub(crate) fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a float",
            Value::String(_) => "a string",
            Value::Seq(_) => "a sequence",
            Value::Map(_) => "a mapping",
        }
    }
}

/// YAML spelling of a float; `Debug` keeps a `.0` on integral values so the text still reads as
/// a float.
fn render_float(f: f64) -> String {
    if f.is_nan() {
        ".nan".to_owned()
    } else if f.is_infinite() {
        if f > 0.0 { ".inf" } else { "-.inf" }.to_owned()
    } else {
        format!("{f:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(value: Value) -> Node {
        Node::new(value, Span::new(0, 1))
    }

    #[test]
    fn scalar_text_rendering() {
        assert_eq!(
            scalar(Value::Float(1.0)).scalar_text().as_deref(),
            Some("1.0")
        );
        assert_eq!(
            scalar(Value::Float(-f64::INFINITY))
                .scalar_text()
                .as_deref(),
            Some("-.inf")
        );
        assert_eq!(
            scalar(Value::Float(f64::NAN)).scalar_text().as_deref(),
            Some(".nan")
        );
        assert_eq!(scalar(Value::Int(-3)).scalar_text().as_deref(), Some("-3"));
        assert_eq!(scalar(Value::Null).scalar_text().as_deref(), Some("null"));
        assert_eq!(Node::new(Value::Null, Span::empty(4)).scalar_text(), None);
        assert_eq!(scalar(Value::Seq(vec![])).scalar_text(), None);
    }

    #[test]
    fn get_matches_plain_scalar_keys_only() {
        let mut m = Mapping::new();
        m.push(scalar(Value::Int(1)), scalar(Value::String("one".into())));
        let mut quoted_true = scalar(Value::Bool(true));
        quoted_true.style = ScalarStyle::DoubleQuoted;
        m.push(quoted_true, scalar(Value::Null));
        assert_eq!(m.get("1").and_then(Node::as_str), Some("one"));
        assert!(m.get("true").is_none());
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn kind_names() {
        assert_eq!(scalar(Value::Map(Mapping::new())).kind_name(), "a mapping");
        assert_eq!(scalar(Value::Null).kind_name(), "null");
    }
}
