//! Shell variables as the tokenizer knows them: assignments (`A=1`, `export A=1`), the job's
//! variables, and the variable a command-position word stands for (`$KUBECTL apply`).

use std::collections::HashMap;

use super::{Command, Word};
use crate::read::support::is_identifier;

/// Variables known while parsing: the script's own assignments win over the job's variables.
pub(super) struct VarState {
    script: HashMap<String, String>,
    outer: HashMap<String, String>,
}

impl VarState {
    /// Starts with the job's variables and no script assignment.
    pub(super) fn new(outer: &[(String, String)]) -> VarState {
        VarState {
            script: HashMap::new(),
            outer: outer.iter().cloned().collect(),
        }
    }

    /// Records an assignment the script makes, for the rest of the script.
    pub(super) fn set(&mut self, name: String, value: String) {
        self.script.insert(name, value);
    }

    /// The value of `name`: the script's own assignment, else the job's variable.
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.script
            .get(name)
            .or_else(|| self.outer.get(name))
            .map(String::as_str)
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
pub(super) fn remember_exports(cmd: &Command, vars: &mut VarState) {
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
