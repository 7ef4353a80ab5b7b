//! READ stage: GitLab configuration values that remember the file they were read from.
//!
//! Includes, `extends:` and `!reference` move pieces of YAML between files, so every value
//! carries its own file id and span: a script line copied into a job by `extends:` still points
//! at the template line where it is written.

use std::collections::HashMap;

use crate::files::work::{self, Work};
use crate::yaml::{Node, ScalarStyle, Span, Value};

/// A file id (index into the reader's file table) and a byte span in that file.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) struct At {
    pub(super) file: usize,
    pub(super) span: Span,
}

/// The shape of a value. Scalars keep their text only: GitLab reads every scalar it cares
/// about (`when`, `stage`, script lines, variable values) as a string.
#[derive(Clone, Debug)]
pub(super) enum Kind {
    Null,
    Scalar(String),
    Seq(Vec<Val>),
    Map(Vec<Entry>),
}

/// One value with its place and YAML tag (`!reference`).
#[derive(Clone, Debug)]
pub(super) struct Val {
    pub(super) kind: Kind,
    pub(super) at: At,
    pub(super) tag: Option<String>,
    pub(super) style: ScalarStyle,
    /// For values copied in by `!reference`: the reference and where it is used, so a finding
    /// can name both the use site and the definition (`at`).
    pub(super) via: Option<(String, At)>,
}

/// One mapping entry; keys are scalar text (non-scalar keys are dropped when converting).
#[derive(Clone, Debug)]
pub(super) struct Entry {
    pub(super) key: String,
    pub(super) key_at: At,
    pub(super) value: Val,
}

impl Val {
    /// Marks this value and everything in it as copied in by `reference` used at `at`; the
    /// innermost reference wins, as it is the one written closest to the definition.
    pub(super) fn mark_via(&mut self, reference: &str, at: At) {
        if self.via.is_none() {
            self.via = Some((reference.to_owned(), at));
        }
        match &mut self.kind {
            Kind::Seq(items) => items.iter_mut().for_each(|v| v.mark_via(reference, at)),
            Kind::Map(entries) => entries
                .iter_mut()
                .for_each(|e| e.value.mark_via(reference, at)),
            Kind::Null | Kind::Scalar(_) => {}
        }
    }

    /// Converts a parsed node of file `file`. Depth is bounded by the YAML loader's limit.
    pub(super) fn from_node(node: &Node, file: usize) -> Val {
        let at = At {
            file,
            span: node.span,
        };
        let kind = match &node.value {
            Value::Null => Kind::Null,
            Value::Seq(items) => Kind::Seq(items.iter().map(|n| Val::from_node(n, file)).collect()),
            Value::Map(map) => Kind::Map(
                map.entries()
                    .iter()
                    .filter_map(|(k, v)| {
                        Some(Entry {
                            key: k.scalar_text()?,
                            key_at: At { file, span: k.span },
                            value: Val::from_node(v, file),
                        })
                    })
                    .collect(),
            ),
            other => Kind::Scalar(
                Node::new(other.clone(), node.span)
                    .scalar_text()
                    .unwrap_or_default(),
            ),
        };
        Val {
            kind,
            at,
            tag: node.tag.clone(),
            style: node.style,
            via: None,
        }
    }

    /// An empty mapping at `at`.
    pub(super) fn empty_map(at: At) -> Val {
        Val {
            kind: Kind::Map(Vec::new()),
            at,
            tag: None,
            style: ScalarStyle::Plain,
            via: None,
        }
    }

    /// The entry for `key` when this is a mapping.
    pub(super) fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries().iter().find(|e| e.key == key)
    }

    /// The value for `key` when this is a mapping.
    pub(super) fn get(&self, key: &str) -> Option<&Val> {
        self.entry(key).map(|e| &e.value)
    }

    /// Entries of a mapping; empty for anything else.
    pub(super) fn entries(&self) -> &[Entry] {
        match &self.kind {
            Kind::Map(entries) => entries,
            _ => &[],
        }
    }

    /// Items of a sequence; empty for anything else.
    pub(super) fn items(&self) -> &[Val] {
        match &self.kind {
            Kind::Seq(items) => items,
            _ => &[],
        }
    }

    /// Scalar text; `None` for null and collections.
    pub(super) fn text(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub(super) fn is_map(&self) -> bool {
        matches!(self.kind, Kind::Map(_))
    }

    pub(super) fn is_seq(&self) -> bool {
        matches!(self.kind, Kind::Seq(_))
    }

    /// Whether this is a `!reference [job, key, ...]` tag.
    pub(super) fn is_reference(&self) -> bool {
        self.tag.as_deref() == Some("!reference")
    }

    /// The scalar, or each scalar of a sequence: the two spellings GitLab accepts for lists
    /// such as `extends:`, `needs:` or `only:`.
    pub(super) fn scalars(&self) -> Vec<&Val> {
        match &self.kind {
            Kind::Scalar(_) => vec![self],
            Kind::Seq(items) => items.iter().filter(|v| v.text().is_some()).collect(),
            _ => Vec::new(),
        }
    }

    /// This mapping without `key`.
    pub(super) fn without(mut self, key: &str) -> Val {
        if let Kind::Map(entries) = &mut self.kind {
            entries.retain(|e| e.key != key);
        }
        self
    }

    /// Sets `key` (replacing an existing entry in place).
    pub(super) fn set(&mut self, key: &str, key_at: At, value: Val) {
        if let Kind::Map(entries) = &mut self.kind {
            match entries.iter_mut().find(|e| e.key == key) {
                Some(e) => e.value = value,
                None => entries.push(Entry {
                    key: key.to_owned(),
                    key_at,
                    value,
                }),
            }
        }
    }

    /// How many values this tree holds and how many bytes of text (keys and scalars), to
    /// bound what `!reference` may copy.
    pub(super) fn weight(&self) -> (usize, usize) {
        let add = |(a, b): (usize, usize), (c, d): (usize, usize)| {
            (a.saturating_add(c), b.saturating_add(d))
        };
        match &self.kind {
            Kind::Null => (1, 0),
            Kind::Scalar(s) => (1, s.len()),
            Kind::Seq(items) => items.iter().map(Val::weight).fold((1, 0), add),
            Kind::Map(entries) => entries
                .iter()
                .map(|e| add((0, e.key.len()), e.value.weight()))
                .fold((1, 0), add),
        }
    }
}

/// GitLab's deep merge (includes and `extends:`): mappings merge key by key with `over`
/// winning; anything else (sequences included) is replaced by `over`. Merged keys stay at the
/// position `base` gave them, as a Ruby hash merge does.
pub(super) fn merge(base: Val, over: Val) -> Val {
    let mergeable = |v: &Val| v.is_map() && !v.is_reference();
    if !(mergeable(&base) && mergeable(&over)) {
        return over;
    }
    let (Kind::Map(mut entries), Kind::Map(overs)) = (base.kind, over.kind) else {
        // Unreachable given the check above; keep `over`'s place with no entries.
        return Val::empty_map(over.at);
    };
    // Includes merge whole configurations of thousands of jobs: look keys up through an
    // index then, rather than scanning every entry for every key.
    let mut index: Option<HashMap<String, usize>> = (overs.len() > 8).then(|| {
        let mut index = HashMap::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            index.entry(e.key.clone()).or_insert(i);
        }
        index
    });
    for o in overs {
        let found = match &index {
            Some(index) => {
                work::count(Work::DedupCompares, 1);
                index.get(&o.key).copied()
            }
            None => {
                work::count(Work::DedupCompares, entries.len());
                entries.iter().position(|e| e.key == o.key)
            }
        };
        match found.and_then(|i| entries.get_mut(i)) {
            Some(e) => {
                let old = std::mem::replace(&mut e.value, Val::empty_map(o.value.at));
                e.value = merge(old, o.value);
                e.key_at = o.key_at;
            }
            None => {
                if let Some(index) = index.as_mut() {
                    index.entry(o.key.clone()).or_insert(entries.len());
                }
                entries.push(o);
            }
        }
    }
    Val {
        kind: Kind::Map(entries),
        at: over.at,
        tag: over.tag,
        style: over.style,
        via: over.via,
    }
}

/// Merges `over` into an optional accumulator.
pub(super) fn merge_into(acc: Option<Val>, over: Val) -> Option<Val> {
    Some(match acc {
        Some(base) => merge(base, over),
        None => over,
    })
}
