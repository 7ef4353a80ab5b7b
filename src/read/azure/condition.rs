//! READ stage: recognises the common forms of Azure Pipelines `condition:` expressions.
//!
//! The expression is always kept verbatim as a [`TriggerKind::Expression`]; when it is a single
//! test or an `and(...)` of tests, the well-known variable tests (`Build.SourceBranch`,
//! `Build.SourceBranchName`, `Build.Reason`) are also returned as Branch/Tag/... conditions so
//! rules need not parse Azure's expression language. Disjunctions and negations are left alone
//! because splitting them into independent conditions would change their meaning.

use crate::read::pipeline::{Trigger, TriggerKind};
use crate::yaml::{Node, Span};

use crate::read::lines::layout_line_starts;
use crate::read::support::{SourceText, scalar};

/// The conditions a `condition:` node stands for: the expression, then anything recognised.
pub(crate) fn conditions(st: &SourceText, node: &Node) -> Vec<Trigger> {
    let Some(text) = scalar(node) else {
        return Vec::new();
    };
    let mut out = vec![st.trigger(TriggerKind::Expression, Some(text.clone()), false, node)];
    let lower = text.to_ascii_lowercase();
    if has_call(&lower, "or") || has_call(&lower, "not") || has_call(&lower, "xor") {
        return out;
    }
    // Byte offset of the expression text in the file, when it maps one to one.
    let base = match layout_line_starts(&st.src, node, &text).as_slice() {
        [one] if !text.contains('\n') => Some(*one),
        _ => None,
    };
    for (func, start, end) in calls(&text) {
        let Some((kind, pattern, negated)) = recognise(&func, &text[start..end]) else {
            continue;
        };
        let mut t = st.trigger(kind, pattern, negated, node);
        if let Some(base) = base {
            t.loc.span = Span::new(base + start, base + end);
        }
        out.push(t);
    }
    out
}

/// The tests of a compile-time `${{ if X }}` / `${{ elseif X }}` key (`text` is `X`), any one
/// of which holds the block: each term of a top-level `or(...)`, else `X` itself, read as a
/// branch/tag/pull-request test or a runtime parameter test (`eq(parameters.ENV, 'dev')` →
/// `Manual` on `ENV` with the one choice `dev`). When any term is none of those the whole
/// condition is kept as one expression.
pub(crate) fn alternatives(st: &SourceText, key: &Node, text: &str) -> Vec<Trigger> {
    let text = text.trim();
    let terms = match text
        .strip_prefix("or(")
        .filter(|_| closing_paren(text, 3).is_some_and(|close| close + 1 == text.len()))
    {
        Some(_) => arguments(text),
        None => vec![text.to_owned()],
    };
    let read: Option<Vec<Trigger>> = terms
        .iter()
        .map(|term| {
            let lower = term.to_ascii_lowercase();
            let func = ["eq", "ne", "startswith"]
                .into_iter()
                .find(|f| lower.starts_with(&format!("{f}(")))?;
            if let Some((param, value)) = parameter_test(func, term) {
                let mut t = st.trigger(TriggerKind::Manual, Some(param), false, key);
                t.choices = vec![value];
                return Some(t);
            }
            let (kind, pattern, negated) = recognise(func, term)?;
            Some(st.trigger(kind, pattern, negated, key))
        })
        .collect();
    read.unwrap_or_else(|| {
        vec![st.trigger(TriggerKind::Expression, Some(text.to_owned()), false, key)]
    })
}

/// `eq(parameters['ENV'], 'dev')` or `eq(parameters.ENV, 'dev')` → (`ENV`, `dev`).
fn parameter_test(func: &str, call: &str) -> Option<(String, String)> {
    if func != "eq" {
        return None;
    }
    let args = arguments(call);
    let [a, b] = args.as_slice() else {
        return None;
    };
    let param = |arg: &str| accessed(arg, "parameters").map(str::to_owned);
    match (param(a), literal(b)) {
        (Some(p), Some(v)) => Some((p, v)),
        _ => Some((param(b)?, literal(a)?)),
    }
}

/// Whether `name(` appears as a function call (not as the tail of a longer name).
fn has_call(lower: &str, name: &str) -> bool {
    let pat = format!("{name}(");
    lower.match_indices(&pat).any(|(i, _)| {
        !lower[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    })
}

/// Every `eq(...)`, `ne(...)` and `startsWith(...)` call: lowercase name and the byte range of
/// the whole call in `text`.
fn calls(text: &str) -> Vec<(String, usize, usize)> {
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    for name in ["eq", "ne", "startswith"] {
        let pat = format!("{name}(");
        for (i, _) in lower.match_indices(&pat) {
            let preceded = lower[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
            if preceded {
                continue;
            }
            if let Some(close) = closing_paren(text, i + pat.len()) {
                out.push((name.to_owned(), i, close + 1));
            }
        }
    }
    out.sort_by_key(|(_, start, _)| *start);
    out
}

/// Index of the `)` closing a call whose arguments start at `from`, skipping quoted text.
fn closing_paren(text: &str, from: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quoted = false;
    for (i, c) in text.get(from..)?.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                if depth == 0 {
                    return Some(from + i);
                }
                depth -= 1;
            }
            _ => {}
        }
    }
    None
}

/// Top-level comma-separated arguments of `name(a, b)`.
fn arguments(call: &str) -> Vec<String> {
    let Some(open) = call.find('(') else {
        return Vec::new();
    };
    let inner = call
        .get(open + 1..call.len().saturating_sub(1))
        .unwrap_or("");
    let mut args = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut depth = 0usize;
    for c in inner.chars() {
        match c {
            '\'' => quoted = !quoted,
            '(' | '[' if !quoted => depth += 1,
            ')' | ']' if !quoted => depth = depth.saturating_sub(1),
            ',' if !quoted && depth == 0 => {
                args.push(current.trim().to_owned());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    args.push(current.trim().to_owned());
    args
}

/// `variables['Build.SourceBranch']` or `variables.Build.SourceBranch` → `build.sourcebranch`.
fn variable_name(arg: &str) -> Option<String> {
    accessed(&arg.to_ascii_lowercase(), "variables").map(str::to_owned)
}

/// The name `arg` reads from the context `context`, as written: `context['Name']` or
/// `context.Name` → `Name`.
fn accessed<'a>(arg: &'a str, context: &str) -> Option<&'a str> {
    let rest = arg.trim().strip_prefix(context)?;
    let name = match rest.strip_prefix('[') {
        Some(bracket) => bracket.strip_suffix(']')?.trim().trim_matches('\''),
        None => rest.strip_prefix('.')?,
    };
    (!name.is_empty()).then_some(name)
}

/// A quoted literal `'refs/heads/main'` → `refs/heads/main`.
fn literal(arg: &str) -> Option<String> {
    let inner = arg.trim().strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.replace("''", "'"))
}

fn recognise(func: &str, call: &str) -> Option<(TriggerKind, Option<String>, bool)> {
    let args = arguments(call);
    let [a, b] = args.as_slice() else {
        return None;
    };
    // Either order: eq('refs/heads/main', variables['Build.SourceBranch']) also occurs.
    let (var, value) = match (variable_name(a), literal(b)) {
        (Some(var), Some(value)) => (var, value),
        _ => (variable_name(b)?, literal(a)?),
    };
    let negated = func == "ne";
    match (var.as_str(), func) {
        ("build.sourcebranch", "eq" | "ne") => {
            if let Some(branch) = value.strip_prefix("refs/heads/") {
                Some((TriggerKind::Branch, Some(branch.to_owned()), negated))
            } else if let Some(tag) = value.strip_prefix("refs/tags/") {
                Some((TriggerKind::Tag, Some(tag.to_owned()), negated))
            } else {
                value
                    .strip_prefix("refs/pull/")
                    .map(|_| (TriggerKind::PullRequest, None, negated))
            }
        }
        ("build.sourcebranch", "startswith") => {
            let glob = |rest: &str| (!rest.is_empty()).then(|| format!("{rest}*"));
            if let Some(branch) = value.strip_prefix("refs/heads/") {
                Some((TriggerKind::Branch, glob(branch), false))
            } else if let Some(tag) = value.strip_prefix("refs/tags/") {
                Some((TriggerKind::Tag, glob(tag), false))
            } else if value.starts_with("refs/pull/") {
                Some((TriggerKind::PullRequest, None, false))
            } else {
                None
            }
        }
        ("build.sourcebranchname", "eq" | "ne") => {
            Some((TriggerKind::Branch, Some(value), negated))
        }
        ("build.reason", "eq" | "ne") => {
            let kind = match value.to_ascii_lowercase().as_str() {
                "pullrequest" => TriggerKind::PullRequest,
                "schedule" => TriggerKind::Schedule,
                "manual" => TriggerKind::Manual,
                "resourcetrigger" | "buildcompletion" => TriggerKind::Upstream,
                "individualci" | "batchedci" => TriggerKind::Branch,
                _ => return None,
            };
            Some((kind, None, negated))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn conds(src: &str) -> Vec<(TriggerKind, Option<String>, bool, String)> {
        let docs = crate::yaml::parse(src).unwrap_or_default();
        let node = docs
            .first()
            .and_then(|d| d.as_map())
            .and_then(|m| m.get("condition"))
            .cloned()
            .unwrap_or_else(|| panic!("no condition"));
        let st = SourceText {
            file: "a.yml".into(),
            src: Arc::from(src),
        };
        conditions(&st, &node)
            .into_iter()
            .map(|t| {
                let text = src[t.loc.span.range()].to_owned();
                (t.kind, t.pattern, t.negated, text)
            })
            .collect()
    }

    #[test]
    fn branch_and_tag_tests_are_recognised() {
        let c = conds(
            "condition: and(succeeded(), eq(variables['Build.SourceBranch'], 'refs/heads/main'))\n",
        );
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].0, TriggerKind::Expression);
        assert_eq!(c[1].0, TriggerKind::Branch);
        assert_eq!(c[1].1.as_deref(), Some("main"));
        assert_eq!(
            c[1].3,
            "eq(variables['Build.SourceBranch'], 'refs/heads/main')"
        );
        let c = conds("condition: \"startsWith(variables['build.sourceBranch'], 'refs/tags/')\"\n");
        assert_eq!((c[1].0.clone(), c[1].1.clone()), (TriggerKind::Tag, None));
        let c = conds("condition: ne(variables.Build.SourceBranchName, 'dev')\n");
        assert!(c[1].2);
        let c = conds("condition: eq(variables['Build.Reason'], 'PullRequest')\n");
        assert_eq!(c[1].0, TriggerKind::PullRequest);
    }

    #[test]
    fn disjunctions_stay_expressions() {
        let c = conds(
            "condition: or(eq(variables['Build.SourceBranch'], 'refs/heads/main'), eq(1, 1))\n",
        );
        assert_eq!(c.len(), 1);
        let c = conds("condition: eq(variables['Build.Some(thing'], 'x'\n");
        assert_eq!(c.len(), 1);
    }
}
