//! Shell variables as the tokenizer knows them: assignments (`A=1`, `export A=1`), the job's
//! variables, and the variable a command-position word stands for (`$KUBECTL apply`).

use std::borrow::Cow;
use std::collections::HashMap;

use super::{Command, Word};
use crate::read::support::is_identifier;

/// Variables set outside a script (the job's, the step's, what earlier steps set), as the
/// tokenizer and the value lookups read them: a name's value as written, the last setting
/// winning.
pub(crate) trait Lookup {
    /// The value of `name`, if it is set.
    fn value(&self, name: &str) -> Option<Cow<'_, str>>;
}

/// The last value `pairs` give `name`.
pub(crate) fn last_value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

impl Lookup for &[(String, String)] {
    fn value(&self, name: &str) -> Option<Cow<'_, str>> {
        last_value(self, name).map(Cow::Borrowed)
    }
}

impl Lookup for Vec<(String, String)> {
    fn value(&self, name: &str) -> Option<Cow<'_, str>> {
        last_value(self, name).map(Cow::Borrowed)
    }
}

/// Variables known while parsing: the script's own assignments win over the outer ones.
pub(super) struct VarState<'a> {
    script: HashMap<String, String>,
    outer: &'a dyn Lookup,
}

impl<'a> VarState<'a> {
    /// Starts with the outer variables and no script assignment.
    pub(super) fn new(outer: &'a dyn Lookup) -> VarState<'a> {
        VarState {
            script: HashMap::new(),
            outer,
        }
    }

    /// Records an assignment the script makes, for the rest of the script.
    pub(super) fn set(&mut self, name: String, value: String) {
        self.script.insert(name, value);
    }

    /// The value of `name`: the script's own assignment, else the outer variable.
    pub(super) fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        match self.script.get(name) {
            Some(v) => Some(Cow::Borrowed(v.as_str())),
            None => self.outer.value(name),
        }
    }
}

/// `NAME=` or `NAME+=` (the start of an assignment word).
pub(super) fn is_assignment_prefix(text: &str) -> bool {
    let Some(name) = text.strip_suffix('=') else {
        return false;
    };
    let name = name.strip_suffix('+').unwrap_or(name);
    is_identifier(name)
}

/// `NAME=value` as written (the name must be unquoted), split into name and unquoted value.
pub(super) fn assignment(word: &Word) -> Option<(String, String)> {
    let eq = word.raw.find('=')?;
    let name = &word.raw[..eq];
    let name = name.strip_suffix('+').unwrap_or(name);
    if !is_identifier(name) {
        return None;
    }
    let value = word
        .text
        .split_once('=')
        .map(|(_, v)| v)
        .unwrap_or_default();
    Some((name.to_owned(), value.to_owned()))
}

/// The variable a word consists of: `$NAME`, `${NAME}`, `"$NAME"`.
pub(super) fn lone_variable(word: &Word) -> Option<&str> {
    let t = word.text.as_str();
    let name = if let Some(inner) = t.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
        inner
    } else {
        t.strip_prefix('$')?
    };
    is_identifier(name).then_some(name)
}

/// `export A=1`, `declare A=1`, `local A=1`, `readonly A=1` set variables too.
pub(super) fn remember_exports(cmd: &Command, vars: &mut VarState<'_>) {
    if matches!(
        cmd.program(),
        Some("export" | "declare" | "local" | "readonly" | "typeset")
    ) {
        for w in cmd.words.iter().skip(1) {
            if let Some((k, v)) = assignment(w) {
                vars.set(k, v);
            }
        }
    }
}
