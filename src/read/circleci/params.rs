//! READ stage: the parameters of CircleCI's reusable commands and jobs, put into their text.
//!
//! A command or job declares `parameters:` with defaults, its caller gives arguments, and
//! `<< parameters.x >>` in any text of the definition is replaced by the value, as CircleCI
//! does when it processes the config.

use crate::yaml::{Mapping, Node};

use super::super::support::{SourceText, key_text};

/// Parameter values in scope while lowering a job or command: name → text, in the order given.
pub(super) type Params = Vec<(String, String)>;

/// Caller arguments plus the definition's `parameters: { x: { default: ... } }` defaults.
pub(super) fn with_defaults(defs: Option<&Node>, given: &Params, st: &SourceText) -> Params {
    let mut out = given.clone();
    for (k, v) in defs
        .and_then(Node::as_map)
        .map(Mapping::entries)
        .unwrap_or_default()
    {
        let name = key_text(k);
        if out.iter().any(|(n, _)| *n == name) {
            continue;
        }
        if let Some(default) = v.as_map().and_then(|m| m.get("default")) {
            out.push((name, st.value_text(default)));
        }
    }
    out
}

/// Replaces `<< parameters.x >>` with the value of `x`; unknown parameters and pipeline values
/// (`<< pipeline.git.branch >>`) stay as written.
pub(super) fn substitute(text: &str, params: &Params) -> String {
    if params.is_empty() || !text.contains("<<") {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("<<") {
        let Some(close) = rest[open + 2..].find(">>") else {
            break;
        };
        let inner = rest[open + 2..open + 2 + close].trim();
        let value = inner
            .strip_prefix("parameters.")
            .and_then(|name| params.iter().find(|(n, _)| n == name))
            .map(|(_, v)| v.as_str());
        out.push_str(&rest[..open]);
        match value {
            Some(v) => out.push_str(v),
            None => out.push_str(&rest[open..open + 2 + close + 2]),
        }
        rest = &rest[open + 2 + close + 2..];
    }
    out.push_str(rest);
    out
}
