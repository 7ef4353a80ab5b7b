//! READ stage: `inputs.NAME` in GitHub expressions: a called workflow's inputs substituted
//! into its expressions, and the `workflow_dispatch` inputs a job's `if:` tests.

use std::collections::BTreeMap;

use super::{Tok, tokenize};

/// Replaces each `inputs.NAME` operand of an expression with a literal of its value, so a
/// reusable workflow's `if: inputs.env == 'prod'` reads as the caller made it. Values that
/// look like booleans, null or numbers stay bare; others become single-quoted strings. Text
/// that does not tokenize is returned unchanged.
pub(crate) fn substitute_inputs(text: &str, inputs: &BTreeMap<String, String>) -> String {
    let Some(tokens) = tokenize(text) else {
        return text.to_owned();
    };
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for t in &tokens {
        let Tok::Ident(name) = &t.tok else { continue };
        let Some(value) = input_name(name).and_then(|n| lookup(inputs, n)) else {
            continue;
        };
        out.push_str(text.get(copied..t.start).unwrap_or(""));
        out.push_str(&literal(value));
        copied = t.end;
    }
    out.push_str(text.get(copied..).unwrap_or(""));
    out
}

/// `NAME` of an `inputs.NAME` path (contexts are case-insensitive).
pub(crate) fn input_name(path: &str) -> Option<&str> {
    let (head, rest) = path.split_once('.')?;
    (head.eq_ignore_ascii_case("inputs") && !rest.is_empty() && !rest.contains('.')).then_some(rest)
}

/// An input's value by case-insensitive name.
pub(crate) fn lookup<'m>(inputs: &'m BTreeMap<String, String>, name: &str) -> Option<&'m str> {
    inputs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn literal(value: &str) -> String {
    let bare = matches!(value, "true" | "false" | "null")
        || (!value.is_empty() && value.parse::<f64>().is_ok());
    if bare {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', "''"))
    }
}

/// The input a path reads: `NAME` of `inputs.NAME` or of a dispatch's
/// `github.event.inputs.NAME` (contexts are case-insensitive).
pub(crate) fn input_read(path: &str) -> Option<&str> {
    input_name(path).or_else(|| {
        let (github, rest) = path.split_once('.')?;
        let (event, rest) = rest.split_once('.')?;
        (github.eq_ignore_ascii_case("github") && event.eq_ignore_ascii_case("event"))
            .then(|| input_name(rest))?
    })
}

/// The declared name of the `dispatch` input `path` reads ([`input_read`]).
pub(super) fn dispatch_input<'d>(path: &str, dispatch: &'d [String]) -> Option<&'d str> {
    let name = input_read(path)?;
    dispatch
        .iter()
        .find(|d| d.eq_ignore_ascii_case(name))
        .map(String::as_str)
}
