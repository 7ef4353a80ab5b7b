//! Writes a draft as YAML in the style `init` has always written: block mappings and block
//! lists of mappings, lists of scalars as one JSON flow list (`branches: ["main"]`), strings
//! bare when they read back unchanged and JSON-quoted otherwise, comments above what they explain.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::draft::value::{self, Unsupported, Value};
use crate::yaml::scalar;

/// Comment lines to write above parts of a draft, by path: `""` is the top of the file, `ci` a
/// top-level key, `gitops.branch` a nested key, `environments[2]` a list item and
/// `environments[2].branches` a key inside one.
#[derive(Clone, Debug, Default)]
pub(crate) struct Comments {
    by_path: BTreeMap<String, Vec<String>>,
}

impl Comments {
    /// Adds `text` above `path`, one `#` line per line of `text`.
    pub(crate) fn add(&mut self, path: &str, text: &str) -> &mut Comments {
        self.by_path
            .entry(path.to_owned())
            .or_default()
            .extend(text.lines().map(str::to_owned));
        self
    }

    fn lines(&self, path: &str) -> &[String] {
        self.by_path.get(path).map_or(&[], Vec::as_slice)
    }
}

/// `draft` as YAML text with `comments`, ending in one newline. `draft` must serialize to a
/// mapping.
pub(crate) fn to_yaml<T: Serialize>(draft: &T, comments: &Comments) -> Result<String, Unsupported> {
    let Value::Map(entries) = value::to_value(draft)? else {
        return Err(serde::ser::Error::custom("a draft that is not a mapping"));
    };
    let mut writer = Writer {
        out: String::new(),
        comments,
    };
    writer.comment("", 0);
    writer.map(&entries, 0, "");
    Ok(writer.out)
}

struct Writer<'c> {
    out: String,
    comments: &'c Comments,
}

impl Writer<'_> {
    fn comment(&mut self, path: &str, indent: usize) {
        for line in self.comments.lines(path) {
            self.out.push_str(&" ".repeat(indent));
            self.out.push('#');
            if !line.is_empty() {
                self.out.push(' ');
                self.out.push_str(line);
            }
            self.out.push('\n');
        }
    }

    fn map(&mut self, entries: &[(String, Value)], indent: usize, path: &str) {
        for (key, value) in entries {
            let path = child(path, key);
            self.comment(&path, indent);
            self.entry(&" ".repeat(indent), key, value, indent, &path);
        }
    }

    /// One `key: value` entry whose nested lines sit at `indent`; `lead` replaces the
    /// indentation of its first line (a list item's `- `).
    fn entry(&mut self, lead: &str, key: &str, value: &Value, indent: usize, path: &str) {
        self.out.push_str(lead);
        self.out.push_str(&scalar::string(key));
        self.out.push(':');
        match value {
            Value::Map(entries) if !entries.is_empty() => {
                self.out.push('\n');
                self.map(entries, indent + 2, path);
            }
            Value::Seq(items) if is_block(items) => {
                self.out.push('\n');
                self.seq(items, indent + 2, path);
            }
            other => {
                self.out.push(' ');
                self.out.push_str(&inline(other));
                self.out.push('\n');
            }
        }
    }

    fn seq(&mut self, items: &[Value], indent: usize, path: &str) {
        let dash = format!("{}- ", " ".repeat(indent));
        for (i, item) in items.iter().enumerate() {
            let path = format!("{path}[{i}]");
            self.comment(&path, indent);
            match item {
                Value::Map(entries) if !entries.is_empty() => {
                    let (first, rest) = entries.split_at(1);
                    for (key, value) in first {
                        let first_path = child(&path, key);
                        self.comment(&first_path, indent);
                        self.entry(&dash, key, value, indent + 2, &first_path);
                    }
                    self.map(rest, indent + 2, &path);
                }
                Value::Seq(inner) if is_block(inner) => {
                    self.out.push_str(dash.trim_end());
                    self.out.push('\n');
                    self.seq(inner, indent + 2, &path);
                }
                other => {
                    self.out.push_str(&dash);
                    self.out.push_str(&inline(other));
                    self.out.push('\n');
                }
            }
        }
    }
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Lists holding mappings are written one item per line; lists of scalars as a flow list.
fn is_block(items: &[Value]) -> bool {
    items.iter().any(|item| match item {
        Value::Map(entries) => !entries.is_empty(),
        Value::Seq(inner) => is_block(inner),
        _ => false,
    })
}

/// A value on the line of its key.
fn inline(value: &Value) -> String {
    match value {
        Value::String(s) => scalar::string(s).into_owned(),
        other => json(other),
    }
}

/// Compact JSON, which is also YAML: how lists of scalars have always been written.
fn json(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.clone(),
        Value::String(s) => serde_json::Value::from(s.as_str()).to_string(),
        Value::Seq(items) => format!("[{}]", items.iter().map(json).collect::<Vec<_>>().join(",")),
        Value::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}:{}", serde_json::Value::from(k.as_str()), json(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}
