//! READ stage: recognises the common forms of Azure Pipelines `condition:` expressions.
//!
//! When the expression is a single test or an `and(...)` of tests, the well-known variable
//! tests (`Build.SourceBranch`, `Build.SourceBranchName`, `Build.Reason`) are returned as
//! Branch/Tag/... conditions so rules need not parse Azure's expression language. The
//! expression is also kept verbatim as a [`TriggerKind::Expression`], unless every term of it
//! was read that way or is `succeeded()` (Azure's default condition): what is kept verbatim is
//! what may narrow the rest. Disjunctions and negations are left alone because splitting them
//! into independent conditions would change their meaning.

use crate::read::pipeline::{Trigger, TriggerKind};
use crate::yaml::{Node, Span};

use crate::read::lines::layout_line_starts;
use crate::read::support::{SourceText, scalar};

/// The conditions a `condition:` node stands for: the expression (unless all of it was read),
/// then anything recognised.
///
/// A test that a variable is true (`eq(variables.isProd, true)`), where `vars` set that
/// variable to a runtime expression (`isProd: $[eq(variables['Build.SourceBranch'],
/// 'refs/heads/main')]`), is read as that expression. Of an `and(...)`, each term without a
/// disjunction or negation is read; the others are left to the kept expression.
pub(crate) fn conditions(st: &SourceText, node: &Node, vars: &[(String, String)]) -> Vec<Trigger> {
    let Some(written) = scalar(node) else {
        return Vec::new();
    };
    let mut out = vec![st.trigger(TriggerKind::Expression, Some(written.clone()), false, node)];
    let text = inline_runtime(&written, vars);
    // Byte offset of the expression text in the file, when it maps one to one.
    let base = match layout_line_starts(&st.src, node, &written).as_slice() {
        [one] if !written.contains('\n') && text == written => Some(*one),
        _ => None,
    };
    let mut all_read = true;
    for (at, term) in conjuncts(&text, 0) {
        let lower = term.to_ascii_lowercase();
        if has_call(&lower, "or") || has_call(&lower, "not") || has_call(&lower, "xor") {
            all_read = false;
            continue;
        }
        let mut read = lower.trim() == "succeeded()";
        for (func, start, end) in calls(term) {
            let Some((kind, pattern, negated)) = recognise(&func, &term[start..end]) else {
                continue;
            };
            // The call is the whole term.
            read |= term.get(..start).is_some_and(|t| t.trim().is_empty())
                && term.get(end..).is_some_and(|t| t.trim().is_empty());
            let mut t = st.trigger(kind, pattern, negated, node);
            if let Some(base) = base {
                t.loc.span = Span::new(base + at + start, base + at + end);
            }
            out.push(t);
        }
        all_read &= read;
    }
    if all_read {
        out.remove(0);
    }
    out
}

/// How deep `and(...)` nested in `and(...)` is split into its terms.
const MAX_AND_DEPTH: usize = 8;

/// The terms of `text` if it is `and(...)` (nested ones split too, [`MAX_AND_DEPTH`] deep),
/// else `text` itself, each with its byte offset in `text`.
fn conjuncts(text: &str, depth: usize) -> Vec<(usize, &str)> {
    let lead = text.len() - text.trim_start().len();
    let t = text.trim();
    let whole = t
        .get(..4)
        .is_some_and(|head| head.eq_ignore_ascii_case("and("))
        && closing_paren(t, 4).is_some_and(|close| close + 1 == t.len());
    if !whole || depth >= MAX_AND_DEPTH {
        return vec![(lead, t)];
    }
    argument_ranges(t)
        .into_iter()
        .flat_map(|(from, to)| {
            conjuncts(&t[from..to], depth + 1)
                .into_iter()
                .map(move |(at, p)| (lead + from + at, p))
        })
        .collect()
}

/// `text` with each `eq(variables.X, true)` whose variable `vars` set to a runtime expression
/// `$[...]` replaced by that expression (one level: an expression naming another such
/// variable is not followed).
fn inline_runtime(text: &str, vars: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut done = 0;
    for (func, start, end) in calls(text) {
        if func != "eq" || start < done {
            continue;
        }
        let args = arguments(&text[start..end]);
        let [a, b] = args.as_slice() else {
            continue;
        };
        let is_true = |arg: &str| arg.trim().trim_matches('\'').eq_ignore_ascii_case("true");
        let var = match (accessed(a, "variables"), accessed(b, "variables")) {
            (Some(v), None) if is_true(b) => v,
            (None, Some(v)) if is_true(a) => v,
            _ => continue,
        };
        let runtime = vars
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(var))
            .and_then(|(_, v)| {
                v.trim()
                    .strip_prefix("$[")?
                    .strip_suffix(']')
                    .map(str::trim)
            });
        if let Some(expr) = runtime {
            out.push_str(&text[done..start]);
            out.push_str(expr);
            done = end;
        }
    }
    out.push_str(&text[done..]);
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
    argument_ranges(call)
        .into_iter()
        .map(|(from, to)| call[from..to].trim().to_owned())
        .collect()
}

/// The byte range in `call` of each top-level comma-separated argument of `name(a, b)`,
/// untrimmed: commas inside quotes, parentheses and brackets do not separate.
fn argument_ranges(call: &str) -> Vec<(usize, usize)> {
    let Some(open) = call.find('(') else {
        return Vec::new();
    };
    let end = call.len().saturating_sub(1);
    let Some(inner) = call.get(open + 1..end) else {
        return vec![(0, 0)];
    };
    let mut out = Vec::new();
    let (mut from, mut depth, mut quoted) = (open + 1, 0usize, false);
    for (i, c) in inner.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '(' | '[' if !quoted => depth += 1,
            ')' | ']' if !quoted => depth = depth.saturating_sub(1),
            ',' if !quoted && depth == 0 => {
                out.push((from, open + 1 + i));
                from = open + 2 + i;
            }
            _ => {}
        }
    }
    out.push((from, end));
    out
}

/// `variables['Build.SourceBranch']` or `variables.Build.SourceBranch` → `build.sourcebranch`.
fn variable_name(arg: &str) -> Option<String> {
    accessed(&arg.to_ascii_lowercase(), "variables").map(str::to_owned)
}

/// The name `arg` reads from the context `context`, as written: `context['Name']` or
/// `context.Name` → `Name` (also what an environment name's `${{ variables.domain }}` reads,
/// and the runtime parameter `parameters.x` / `parameters['x']` a name is chosen by).
pub(crate) fn accessed<'a>(arg: &'a str, context: &str) -> Option<&'a str> {
    let rest = arg.trim().strip_prefix(context)?;
    let name = match rest.strip_prefix('[') {
        Some(bracket) => bracket
            .strip_suffix(']')?
            .trim()
            .trim_matches(|c| c == '\'' || c == '"'),
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
        conditions(&st, &node, &[])
            .into_iter()
            .map(|t| {
                let text = src[t.loc.span.range()].to_owned();
                (t.kind, t.pattern, t.negated, text)
            })
            .collect()
    }

    #[test]
    fn names_read_from_a_context() {
        assert_eq!(accessed(" variables.domain ", "variables"), Some("domain"));
        assert_eq!(accessed("variables['domain']", "variables"), Some("domain"));
        assert_eq!(
            accessed("variables[\"domain\"]", "variables"),
            Some("domain")
        );
        assert_eq!(accessed("parameters.domain", "variables"), None);
    }

    #[test]
    fn branch_and_tag_tests_are_recognised() {
        // Every term read (`succeeded()` is the default): the text as written is not kept.
        let c = conds(
            "condition: and(succeeded(), eq(variables['Build.SourceBranch'], 'refs/heads/main'))\n",
        );
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].0, TriggerKind::Branch);
        assert_eq!(c[0].1.as_deref(), Some("main"));
        assert_eq!(
            c[0].3,
            "eq(variables['Build.SourceBranch'], 'refs/heads/main')"
        );
        let c = conds("condition: \"startsWith(variables['build.sourceBranch'], 'refs/tags/')\"\n");
        assert_eq!((c[0].0.clone(), c[0].1.clone()), (TriggerKind::Tag, None));
        let c = conds("condition: ne(variables.Build.SourceBranchName, 'dev')\n");
        assert!(c[0].2);
        let c = conds("condition: eq(variables['Build.Reason'], 'PullRequest')\n");
        assert_eq!(c[0].0, TriggerKind::PullRequest);
        // A term not read may narrow the rest: the text is kept first.
        let c = conds(
            "condition: and(eq(variables['Build.SourceBranch'], 'refs/heads/main'), eq(variables.deploy, 'yes'))\n",
        );
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].0, TriggerKind::Expression);
        assert_eq!(c[1].0, TriggerKind::Branch);
    }

    #[test]
    fn variables_set_to_runtime_expressions_are_read_as_them() {
        let src =
            "condition: and(eq(variables.isToDeploy, true), eq(variables['isSIT'], 'True'))\n";
        let docs = crate::yaml::parse(src).unwrap_or_default();
        let node = docs[0].as_map().and_then(|m| m.get("condition")).cloned();
        let st = SourceText {
            file: "a.yml".into(),
            src: Arc::from(src),
        };
        let vars = [
            (
                "isToDeploy".to_owned(),
                "$[and(ne(variables['Build.Reason'], 'PullRequest'), or(eq(variables['Build.SourceBranch'], 'refs/heads/master'), startsWith(variables['Build.SourceBranch'], 'refs/heads/release')))]".to_owned(),
            ),
            (
                "ISSIT".to_owned(),
                "$[startsWith(variables['Build.SourceBranch'], 'refs/heads/release/st')]".to_owned(),
            ),
        ];
        let found: Vec<(TriggerKind, Option<String>, bool)> =
            conditions(&st, &node.unwrap_or_else(|| panic!("no condition")), &vars)
                .into_iter()
                .map(|t| (t.kind, t.pattern, t.negated))
                .collect();
        // The disjunction inside `isToDeploy` is left to the kept expression; its other term
        // and `isSIT` are read.
        assert_eq!(
            found[1..],
            [
                (TriggerKind::PullRequest, None, true),
                (TriggerKind::Branch, Some("release/st*".to_owned()), false),
            ]
        );
        assert_eq!(
            found[0].1.as_deref(),
            Some("and(eq(variables.isToDeploy, true), eq(variables['isSIT'], 'True'))")
        );
    }

    #[test]
    fn terms_of_a_conjunction_are_read_apart_from_its_disjunctions() {
        let c = conds(
            "condition: and(succeeded(), or(eq(1, 1), eq(2, 2)), eq(variables['Build.SourceBranch'], 'refs/heads/main'))\n",
        );
        assert_eq!(c.len(), 2);
        assert_eq!(c[1].1.as_deref(), Some("main"));
        assert_eq!(
            c[1].3,
            "eq(variables['Build.SourceBranch'], 'refs/heads/main')"
        );
        // Nested past the limit, the innermost `and` is one term, read whole.
        let deep = format!(
            "condition: {}eq(variables['Build.SourceBranchName'], 'dev'){}\n",
            "and(succeeded(), ".repeat(MAX_AND_DEPTH + 3),
            ")".repeat(MAX_AND_DEPTH + 3)
        );
        let c = conds(&deep);
        assert_eq!(c.len(), 2);
        assert_eq!(c[1].1.as_deref(), Some("dev"));
    }

    #[test]
    fn text_that_is_not_ascii_is_no_conjunction() {
        assert_eq!(conjuncts("aéé", 0), vec![(0, "aéé")]);
        assert_eq!(conjuncts(" and(é, 'ü')", 0), vec![(5, "é"), (9, "'ü'")]);
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
