//! Shell variables as the tokenizer knows them: assignments (`A=1`, `export A=1`), the job's
//! variables, and the variable a command-position word stands for (`$KUBECTL apply`).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

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
    /// Bytes of array values expanded so far ([`expand_arrays`], [`MAX_EXPANDED`]).
    expanded: usize,
    /// Functions the script defined whose body runs its arguments (`retry() { ... "$@" ...
    /// }`): a call of one runs the command its arguments make, as `timeout` does.
    arguments_runners: HashSet<String>,
}

/// An array is expanded only when its value is at most this long and holds at most
/// [`MAX_ARRAY_WORDS`] words (a command's arguments are), and a script expands at most
/// [`MAX_EXPANDED`] bytes of them in all: `"${A[@]}"` repeated must not make a script's words
/// grow as its length times the array's.
const MAX_ARRAY_TEXT: usize = 2048;
const MAX_ARRAY_WORDS: usize = 64;
const MAX_EXPANDED: usize = 256 * 1024;

impl<'a> VarState<'a> {
    /// Starts with the outer variables and no script assignment.
    pub(super) fn new(outer: &'a dyn Lookup) -> VarState<'a> {
        VarState {
            script: HashMap::new(),
            outer,
            expanded: 0,
            arguments_runners: HashSet::new(),
        }
    }

    /// Records that the function `name` runs its arguments as a command.
    pub(super) fn runs_its_arguments(&mut self, name: String) {
        self.arguments_runners.insert(name);
    }

    /// Whether `name` is a function of the script that runs its arguments as a command.
    pub(super) fn is_arguments_runner(&self, name: &str) -> bool {
        self.arguments_runners.contains(name)
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

/// Whether `word` appends to an array (`ARGS+=(--dry-run)`): what it appends is not read (it
/// is mostly added under a flag), so the array keeps the words it was first given.
pub(super) fn appends_to_array(word: &Word) -> bool {
    word.raw
        .split_once("+=")
        .is_some_and(|(name, value)| is_identifier(name) && value.starts_with('('))
}

/// Whether the value `value` given to `name` reads `name` itself (`CMD="$CMD --atomic"`,
/// `ARGS="${ARGS} --wait"`): a command line built up a flag at a time, mostly under tests of
/// inputs (`--dry-run` when asked for one). As with an array's `+=`, what it adds is not read,
/// and the variable keeps the words it was first given.
pub(crate) fn appends_to_itself(name: &str, value: &str) -> bool {
    let mut rest = value;
    while let Some(at) = rest.find('$') {
        let tail = &rest[at + 1..];
        let inner = tail.strip_prefix('{').unwrap_or(tail);
        if let Some(after) = inner.strip_prefix(name)
            && !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        {
            return true;
        }
        rest = tail;
    }
    false
}

/// The words of an array value as an assignment gives it (`(upgrade --install "$APP" .)`,
/// over lines, with comments), unquoted; `None` when the value is not an array or holds
/// anything but words.
fn array_words(value: &str) -> Option<Vec<String>> {
    let inner = value.trim().strip_prefix('(')?.strip_suffix(')')?;
    let mut lexer = super::Lexer::new(inner, 0, inner.len());
    let mut out = Vec::new();
    while let Some(tok) = lexer.next_token() {
        match tok {
            super::Tok::Word(w) => out.push(w.word.text),
            super::Tok::Newline { .. } => {}
            _ => return None,
        }
    }
    Some(out)
}

/// Replaces each word of `words` that expands a known array (`"${ARGS[@]}"`, `${ARGS[*]}`)
/// with the array's words, which keep the span of the word they replace.
pub(super) fn expand_arrays(words: &mut Vec<Word>, vars: &mut VarState<'_>) {
    let mut i = 0;
    while let Some(word) = words.get(i) {
        let name = word
            .text
            .strip_prefix("${")
            .and_then(|r| r.strip_suffix("[@]}").or_else(|| r.strip_suffix("[*]}")))
            .filter(|n| is_identifier(n));
        let items = name.and_then(|n| vars.get(n)).and_then(|v| {
            let fits = v.len() <= MAX_ARRAY_TEXT && vars.expanded + v.len() <= MAX_EXPANDED;
            fits.then(|| array_words(&v))
                .flatten()
                .filter(|w| w.len() <= MAX_ARRAY_WORDS)
                .map(|w| (w, v.len()))
        });
        let Some((items, cost)) = items else {
            i += 1;
            continue;
        };
        vars.expanded += cost;
        let (start, end) = (word.start, word.end);
        let count = items.len();
        let replacement = items.into_iter().map(|t| Word {
            raw: t.clone(),
            text: t,
            start,
            end,
        });
        words.splice(i..=i, replacement);
        i += count;
    }
}

/// The variable a word consists of: `$NAME`, `${NAME}`, `"$NAME"`, or a GitHub expression
/// that reads one ([`github_variable`]: `${{ steps.prepare.outputs.command }}`).
pub(super) fn lone_variable(word: &Word) -> Option<&str> {
    let t = word.text.as_str();
    if let Some(expr) = t.strip_prefix("${{").and_then(|r| r.strip_suffix("}}")) {
        return github_variable(expr);
    }
    let name = if let Some(inner) = t.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
        inner
    } else {
        t.strip_prefix('$')?
    };
    is_identifier(name).then_some(name)
}

/// The variable the inside of a GitHub `${{ }}` reads as the shell would read one: `env.NAME`
/// is `NAME`, and a step's output `steps.<id>.outputs.NAME` is `outputs.NAME`, the name under
/// which a step's write to `$GITHUB_OUTPUT` is carried to the steps after it (the step's id is
/// not kept). A name of letters, digits and `_` (an output's may have `-` too).
pub(crate) fn github_variable(expr: &str) -> Option<&str> {
    let expr = expr.trim();
    let name = expr
        .strip_prefix("env.")
        .or_else(|| {
            let output = expr.strip_prefix("steps.")?;
            output.get(output.find(".outputs.")? + 1..)
        })?
        .trim();
    let (rest, output) = match name.strip_prefix("outputs.") {
        Some(rest) => (rest, true),
        None => (name, false),
    };
    let valid = |c: char| c.is_ascii_alphanumeric() || c == '_' || (output && c == '-');
    (!rest.is_empty() && rest.chars().all(valid)).then_some(name)
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
