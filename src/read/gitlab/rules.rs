//! READ stage: GitLab `rules:`, `only:`/`except:` and `workflow: rules:` lowered into
//! [`Trigger`]s. Common `if:` forms become typed conditions; anything else is kept verbatim as
//! an expression.

use super::context::Ctx;
use super::value::{At, Val};
use crate::read::pipeline::{Trigger, TriggerKind};

/// Conditions from a `rules:` list, and whether a rule makes the job manual.
pub(super) fn from_rules(ctx: &Ctx<'_>, rules: &Val) -> (Vec<Trigger>, bool) {
    let mut out = Vec::new();
    let mut manual = false;
    for rule in flatten(rules) {
        let when = rule.get("when").and_then(|w| w.text().map(|t| (t, w.at)));
        let never = when.is_some_and(|(t, _)| t == "never");
        if let Some(cond) = rule.get("if")
            && let Some(text) = cond.text()
        {
            if !never && let Some(parts) = conjunction(text) {
                for (kind, pattern) in parts {
                    out.push(trigger(ctx, kind, pattern, false, cond.at));
                }
                continue_manual(ctx, when, &mut manual, &mut out);
                continue;
            }
            // `if: A == x || B =~ /y/`: each alternative that says a ref is a way in.
            if !never && let Some(ways) = alternatives(text) {
                for (kind, pattern) in ways {
                    out.push(trigger(ctx, kind, pattern, false, cond.at));
                }
                continue_manual(ctx, when, &mut manual, &mut out);
                continue;
            }
            // `if: A != x && B != y` with `when: never`: the job (or pipeline) runs where A is
            // x or B is y, each a way in of its own.
            if never && let Some(ways) = excluded_all_but(text) {
                for (kind, pattern) in ways {
                    out.push(trigger(ctx, kind, pattern, false, cond.at));
                }
                continue;
            }
            let trigger = match parse_if(text) {
                Some((kind, pattern, negated)) => {
                    trigger(ctx, kind, pattern, negated ^ never, cond.at)
                }
                // A rule of its own: the job is added when it matches, whatever the others say.
                None => Trigger {
                    alone: !never,
                    ..trigger(
                        ctx,
                        TriggerKind::Expression,
                        Some(text.trim().to_owned()),
                        never,
                        cond.at,
                    )
                },
            };
            out.push(trigger);
        }
        continue_manual(ctx, when, &mut manual, &mut out);
    }
    (out, manual)
}

/// The refs a `when: never` rule whose `if:` is a conjunction of exclusions (`$CI_COMMIT_BRANCH
/// != "main" && $CI_PIPELINE_SOURCE != "merge_request_event"`) leaves, each one the conjunction
/// fails on (branch `main`, a merge request). `None` unless it has two parts or more, each a
/// typed exclusion.
fn excluded_all_but(text: &str) -> Option<Vec<(TriggerKind, Option<String>)>> {
    let parts = split_top_level(strip_parens(text.trim()), "&&")?;
    parts
        .into_iter()
        .map(|part| match parse_if(part) {
            Some((kind, pattern, true)) if kind != TriggerKind::Expression => Some((kind, pattern)),
            _ => None,
        })
        .collect()
}

/// The ways in of an `if:` of alternatives (`$CI_COMMIT_BRANCH == "main" || $CI_COMMIT_BRANCH
/// =~ /^feature/`): each alternative's, when every alternative is a typed test of a ref or a
/// conjunction with one ([`conjunction`]). `None` otherwise: the caller keeps it verbatim.
fn alternatives(text: &str) -> Option<Vec<(TriggerKind, Option<String>)>> {
    let mut out = Vec::new();
    for part in split_top_level(strip_parens(text.trim()), "||")? {
        let part = strip_parens(part.trim());
        match parse_if(part) {
            Some((kind, pattern, false)) if kind != TriggerKind::Expression => {
                out.push((kind, pattern));
            }
            Some(_) => return None,
            None => out.extend(conjunction(part)?),
        }
    }
    Some(out)
}

/// Whether the first of a job's `rules:` holds always and says `when: never` (no `if`,
/// `changes` or `exists`): GitLab then never adds the job, which is how a pipeline switches off
/// a job an include brings.
pub(super) fn never_runs(rules: &Val) -> bool {
    flatten(rules).first().is_some_and(|rule| {
        rule.get("when").and_then(Val::text) == Some("never")
            && ["if", "changes", "exists"]
                .iter()
                .all(|k| rule.get(k).is_none())
    })
}

/// A rule's `when: manual` makes the job manual and is a condition of its own.
fn continue_manual(
    ctx: &Ctx<'_>,
    when: Option<(&str, At)>,
    manual: &mut bool,
    out: &mut Vec<Trigger>,
) {
    if let Some(("manual", at)) = when {
        *manual = true;
        out.push(trigger(ctx, TriggerKind::Manual, None, false, at));
    }
}

/// The conditions of an `if:` that is a conjunction (`$CI_PROJECT_PATH == "a/b" &&
/// $CI_COMMIT_BRANCH == "main"`): each comparison that says which ref runs the job, and the
/// other comparisons kept as one expression. Comparisons that exclude (`!=`, `!~`) are only
/// part of that expression: the ref the conjunction requires says more. A "merge request" or a
/// branch pattern makes "any branch" redundant. `None` when the text is not a conjunction, has
/// an `||`, or names no ref at all: the caller keeps it verbatim.
fn conjunction(text: &str) -> Option<Vec<(TriggerKind, Option<String>)>> {
    let parts = split_top_level(strip_parens(text.trim()), "&&")?;
    let mut typed = Vec::new();
    let mut rest = Vec::new();
    for part in parts {
        match parse_if(part) {
            Some((kind, pattern, false)) if kind != TriggerKind::Expression => {
                typed.push((kind, pattern));
            }
            Some(_) => {}
            None => rest.push(part.trim()),
        }
    }
    if typed.is_empty() {
        return None;
    }
    let specific = |k: &TriggerKind| {
        typed.iter().any(|(kind, p)| {
            (kind == k && p.is_some())
                || (*k == TriggerKind::Branch && *kind == TriggerKind::PullRequest)
        })
    };
    let mut out: Vec<(TriggerKind, Option<String>)> = typed
        .iter()
        .filter(|(kind, p)| p.is_some() || !specific(kind))
        .cloned()
        .collect();
    if !rest.is_empty() {
        out.push((TriggerKind::Expression, Some(rest.join(" && "))));
    }
    Some(out)
}

/// `expr` split at each top-level `sep` (outside quotes and parentheses); `None` without one,
/// or, splitting at `&&`, with an `||` anywhere.
fn split_top_level<'e>(expr: &'e str, sep: &str) -> Option<Vec<&'e str>> {
    let bytes = expr.as_bytes();
    let mut quote: Option<u8> = None;
    let mut depth = 0usize;
    let mut parts = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        let b = bytes.get(i).copied().unwrap_or_default();
        let at = |s: &str| expr.get(i..).is_some_and(|r| r.starts_with(s));
        match quote {
            Some(_) if b == b'\\' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'(' => depth += 1,
            None if b == b')' => depth = depth.saturating_sub(1),
            None if sep != "||" && at("||") => return None,
            None if depth == 0 && at(sep) => {
                parts.push(expr.get(start..i)?);
                start = i + sep.len();
                i = start;
                continue;
            }
            None => {}
        }
        i += 1;
    }
    parts.push(expr.get(start..)?);
    (parts.len() > 1).then_some(parts)
}

/// Rules as a flat list of mappings (nested lists come from `!reference` and anchors).
fn flatten(rules: &Val) -> Vec<&Val> {
    let mut out = Vec::new();
    let mut todo: Vec<(&Val, usize)> = vec![(rules, 0)];
    while let Some((v, depth)) = todo.pop() {
        if v.is_map() {
            out.push(v);
        } else if depth < 10 {
            todo.extend(v.items().iter().rev().map(|i| (i, depth + 1)));
        }
    }
    out
}

/// Conditions from `only:` (`negated` false) or `except:` (true): a list of refs, or a
/// mapping of `refs`, `variables`, `changes` and `kubernetes`.
pub(super) fn from_only_except(ctx: &Ctx<'_>, value: &Val, negated: bool) -> Vec<Trigger> {
    let mut out = Vec::new();
    if !value.is_map() {
        refs(ctx, value, negated, &mut out);
        return out;
    }
    if let Some(r) = value.get("refs") {
        refs(ctx, r, negated, &mut out);
    }
    if let Some(vars) = value.get("variables") {
        for v in vars.scalars() {
            let text = v.text().unwrap_or_default();
            out.push(match parse_if(text) {
                Some((kind, pattern, neg)) => trigger(ctx, kind, pattern, neg ^ negated, v.at),
                None => expression(ctx, text.trim().to_owned(), negated, v.at),
            });
        }
    }
    if let Some(changes) = value.get("changes") {
        // `changes:` is a list, or a mapping with `paths:` (and `compare_to:`).
        let paths = changes.get("paths").unwrap_or(changes);
        let list: Vec<&str> = paths.scalars().into_iter().filter_map(Val::text).collect();
        if !list.is_empty() {
            let text = format!("changes: {}", list.join(", "));
            out.push(expression(ctx, text, negated, changes.at));
        }
    }
    if let Some(k8s) = value.get("kubernetes") {
        let text = format!("kubernetes: {}", k8s.text().unwrap_or_default());
        out.push(expression(ctx, text, negated, k8s.at));
    }
    out
}

fn refs(ctx: &Ctx<'_>, value: &Val, negated: bool, out: &mut Vec<Trigger>) {
    for r in value.scalars() {
        let text = r.text().unwrap_or_default().trim();
        let (kind, pattern) = match text {
            "tags" => (TriggerKind::Tag, None),
            "branches" | "pushes" => (TriggerKind::Branch, None),
            "merge_requests" | "external_pull_requests" => (TriggerKind::PullRequest, None),
            "schedules" => (TriggerKind::Schedule, None),
            "web" | "api" | "chat" => (TriggerKind::Manual, None),
            "triggers" | "pipelines" => (TriggerKind::Upstream, None),
            "" => continue,
            // Branch names and `/regex/` patterns, kept as written (slashes included); a
            // regex of version numbers names tags.
            _ => (ref_kind(text), Some(text.to_owned())),
        };
        out.push(trigger(ctx, kind, pattern, negated, r.at));
    }
}

fn trigger(
    ctx: &Ctx<'_>,
    kind: TriggerKind,
    pattern: Option<String>,
    negated: bool,
    at: At,
) -> Trigger {
    Trigger::new(kind, pattern, negated, ctx.loc(at))
}

fn expression(ctx: &Ctx<'_>, text: String, negated: bool, at: At) -> Trigger {
    trigger(ctx, TriggerKind::Expression, Some(text), negated, at)
}

/// One side of a comparison in a GitLab CI expression.
#[derive(Debug, PartialEq)]
enum Operand<'a> {
    Var(&'a str),
    Str(&'a str),
    Regex(&'a str),
    Null,
}

/// Recognises the common single-comparison forms of an `if:` expression. Returns the kind,
/// the pattern (a `/regex/` keeps its slashes), and whether the comparison excludes. `None`
/// for conjunctions, unknown variables and anything else, which callers keep verbatim.
pub(super) fn parse_if(expr: &str) -> Option<(TriggerKind, Option<String>, bool)> {
    let expr = strip_parens(expr.trim());
    if expr.contains("&&") || expr.contains("||") {
        return None;
    }
    let Some((at, op)) = find_operator(expr) else {
        return bare(operand(expr)?).map(|(k, p)| (k, p, false));
    };
    let lhs = operand(expr.get(..at)?)?;
    let rhs = operand(expr.get(at + 2..)?)?;
    let negated = op == "!=" || op == "!~";
    // Put the variable on the left: `"main" == $CI_COMMIT_BRANCH` reads the same.
    let (lhs, rhs) = match (&lhs, &rhs) {
        (Operand::Var(_), _) => (lhs, rhs),
        (_, Operand::Var(_)) => (rhs, lhs),
        _ => return None,
    };
    let Operand::Var(var) = lhs else {
        return None;
    };
    let (kind, pattern) = match (op, rhs) {
        ("==" | "!=", Operand::Null) | ("==" | "!=", Operand::Str("")) => {
            let (kind, pattern) = bare(Operand::Var(var))?;
            // `$CI_COMMIT_TAG == null` means "not a tag".
            return Some((kind, pattern, !negated));
        }
        ("==" | "!=", Operand::Str(value)) => compare(var, value)?,
        ("=~" | "!~", Operand::Regex(re)) => match var {
            "CI_COMMIT_REF_NAME" => (ref_kind(re), Some(re.to_owned())),
            v if is_branch_var(v) => (TriggerKind::Branch, Some(re.to_owned())),
            "CI_COMMIT_TAG" => (TriggerKind::Tag, Some(re.to_owned())),
            "CI_MERGE_REQUEST_TARGET_BRANCH_NAME" => {
                (TriggerKind::PullRequest, Some(re.to_owned()))
            }
            _ => return None,
        },
        ("==" | "!=", Operand::Var(other)) => {
            let pair = |a: &str, b: &str| (var == a && other == b) || (var == b && other == a);
            if ["CI_COMMIT_BRANCH", "CI_COMMIT_REF_NAME"]
                .iter()
                .any(|b| pair("CI_DEFAULT_BRANCH", b))
            {
                (TriggerKind::Branch, Some("$CI_DEFAULT_BRANCH".to_owned()))
            } else if pair("CI_DEFAULT_BRANCH", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME") {
                (
                    TriggerKind::PullRequest,
                    Some("$CI_DEFAULT_BRANCH".to_owned()),
                )
            } else {
                return None;
            }
        }
        _ => return None,
    };
    Some((kind, pattern, negated))
}

/// The kind of ref a pattern on a ref name (`only:` refs, `$CI_COMMIT_REF_NAME =~`), which
/// matches branches and tags alike, names: a `/regex/` of version numbers (`/^v\d+\.\d+/`,
/// `/^stg-v[0-9]+/`, `/^[0-9]+\.[0-9]+$/`) names tags; anything else, branches.
fn ref_kind(pattern: &str) -> TriggerKind {
    let Some(body) = pattern.strip_prefix('/').and_then(|p| p.rsplit_once('/')) else {
        return TriggerKind::Branch;
    };
    let body = body.0.strip_prefix('^').unwrap_or(body.0);
    let digit = |s: &str| -> Option<usize> {
        ["\\d", "[0-9]", "[[:digit:]]"]
            .iter()
            .find(|d| s.starts_with(**d))
            .map(|d| d.len())
    };
    // `[0-9]+\.`: digits, then a dot.
    if let Some(n) = digit(body) {
        let after = body
            .get(n..)
            .unwrap_or_default()
            .trim_start_matches(['+', '*']);
        if after.starts_with("\\.") {
            return TriggerKind::Tag;
        }
    }
    // `v[0-9]`, `v?\d`, `release-v\d`: a `v` (after a word and `-` or `_`), then a digit.
    let word_end = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(body.len());
    let word = body.get(..word_end).unwrap_or_default();
    let version_word =
        word.ends_with('v') && (word.len() == 1 || word.ends_with("-v") || word.ends_with("_v"));
    let after = body.get(word_end..).unwrap_or_default();
    let after = after.strip_prefix('?').unwrap_or(after);
    if version_word && digit(after).is_some() {
        return TriggerKind::Tag;
    }
    TriggerKind::Branch
}

fn is_branch_var(var: &str) -> bool {
    matches!(var, "CI_COMMIT_BRANCH" | "CI_COMMIT_REF_NAME")
}

/// A variable tested for being set: `if: $CI_COMMIT_TAG`.
fn bare(op: Operand<'_>) -> Option<(TriggerKind, Option<String>)> {
    let Operand::Var(var) = op else {
        return None;
    };
    match var {
        "CI_COMMIT_BRANCH" => Some((TriggerKind::Branch, None)),
        "CI_COMMIT_TAG" => Some((TriggerKind::Tag, None)),
        "CI_MERGE_REQUEST_ID" | "CI_MERGE_REQUEST_IID" | "CI_EXTERNAL_PULL_REQUEST_IID" => {
            Some((TriggerKind::PullRequest, None))
        }
        _ => None,
    }
}

/// `$VAR == "value"` for the variables that name a ref or a pipeline source.
fn compare(var: &str, value: &str) -> Option<(TriggerKind, Option<String>)> {
    if is_branch_var(var) {
        return Some((TriggerKind::Branch, Some(value.to_owned())));
    }
    match var {
        "CI_COMMIT_TAG" => Some((TriggerKind::Tag, Some(value.to_owned()))),
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME" => {
            Some((TriggerKind::PullRequest, Some(value.to_owned())))
        }
        "CI_PIPELINE_SOURCE" => {
            let kind = match value {
                "merge_request_event" | "external_pull_request_event" => TriggerKind::PullRequest,
                "schedule" => TriggerKind::Schedule,
                "web" | "api" | "chat" => TriggerKind::Manual,
                "pipeline" | "parent_pipeline" | "trigger" => TriggerKind::Upstream,
                "push" => TriggerKind::Branch,
                _ => return None,
            };
            Some((kind, None))
        }
        _ => None,
    }
}

/// Removes parentheses that wrap the whole expression.
fn strip_parens(mut expr: &str) -> &str {
    while let Some(inner) = expr.strip_prefix('(').and_then(|e| e.strip_suffix(')')) {
        // `(a) == (b)` starts and ends with parentheses that do not pair; keep it.
        let mut depth = 0usize;
        let balanced = inner.chars().all(|c| {
            match c {
                '(' => depth += 1,
                ')' if depth == 0 => return false,
                ')' => depth -= 1,
                _ => {}
            }
            true
        });
        if !balanced {
            break;
        }
        expr = inner.trim();
    }
    expr
}

/// The first comparison operator outside quotes and regex literals.
fn find_operator(expr: &str) -> Option<(usize, &'static str)> {
    let bytes = expr.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes.get(i).copied().unwrap_or_default();
        match quote {
            Some(q) if b == b'\\' && q != b'/' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None => {
                let next = bytes.get(i + 1).copied();
                let op = match (b, next) {
                    (b'=', Some(b'=')) => Some("=="),
                    (b'!', Some(b'=')) => Some("!="),
                    (b'=', Some(b'~')) => Some("=~"),
                    (b'!', Some(b'~')) => Some("!~"),
                    _ => None,
                };
                if let Some(op) = op {
                    return Some((i, op));
                }
            }
        }
        i += 1;
    }
    None
}

fn operand(text: &str) -> Option<Operand<'_>> {
    let t = text.trim();
    if let Some(var) = t.strip_prefix('$') {
        let var = var
            .strip_prefix('{')
            .and_then(|v| v.strip_suffix('}'))
            .unwrap_or(var);
        let valid = !var.is_empty() && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        return valid.then_some(Operand::Var(var));
    }
    if t == "null" {
        return Some(Operand::Null);
    }
    for q in ['"', '\''] {
        if let Some(inner) = t.strip_prefix(q).and_then(|s| s.strip_suffix(q))
            && t.len() >= 2
        {
            return Some(Operand::Str(inner));
        }
    }
    // `/regex/` with optional flags such as `/main/i`.
    if t.starts_with('/') && t.len() >= 2 {
        let close = t.rfind('/')?;
        let flags = t.get(close + 1..)?;
        if close > 0 && flags.chars().all(|c| c.is_ascii_alphabetic()) {
            return Some(Operand::Regex(t));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(e: &str) -> Option<(TriggerKind, Option<String>, bool)> {
        parse_if(e)
    }

    #[test]
    fn common_if_forms() {
        use TriggerKind::*;
        let main = Some("main".to_owned());
        assert_eq!(
            parsed(r#"$CI_COMMIT_BRANCH == "main""#),
            Some((Branch, main.clone(), false))
        );
        assert_eq!(
            parsed("$CI_COMMIT_REF_NAME == 'main'"),
            Some((Branch, main.clone(), false))
        );
        assert_eq!(
            parsed(r#""main" == $CI_COMMIT_BRANCH"#),
            Some((Branch, main.clone(), false))
        );
        assert_eq!(
            parsed(r#"$CI_COMMIT_BRANCH != "main""#),
            Some((Branch, main, true))
        );
        assert_eq!(
            parsed("$CI_COMMIT_BRANCH =~ /^release\\/.*$/"),
            Some((Branch, Some("/^release\\/.*$/".to_owned()), false))
        );
        assert_eq!(parsed("$CI_COMMIT_TAG"), Some((Tag, None, false)));
        assert_eq!(parsed("${CI_COMMIT_TAG}"), Some((Tag, None, false)));
        assert_eq!(parsed("$CI_COMMIT_TAG == null"), Some((Tag, None, true)));
        assert_eq!(
            parsed("$CI_COMMIT_TAG =~ /^v/"),
            Some((Tag, Some("/^v/".to_owned()), false))
        );
        assert_eq!(
            parsed(r#"$CI_PIPELINE_SOURCE == "merge_request_event""#),
            Some((PullRequest, None, false))
        );
        assert_eq!(
            parsed(r#"$CI_PIPELINE_SOURCE == "schedule""#),
            Some((Schedule, None, false))
        );
        assert_eq!(
            parsed(r#"$CI_PIPELINE_SOURCE == "web""#),
            Some((Manual, None, false))
        );
        for s in ["pipeline", "parent_pipeline", "trigger"] {
            let e = format!("$CI_PIPELINE_SOURCE == \"{s}\"");
            assert_eq!(parsed(&e), Some((Upstream, None, false)), "{e}");
        }
        let default = Some("$CI_DEFAULT_BRANCH".to_owned());
        assert_eq!(
            parsed("$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"),
            Some((Branch, default.clone(), false))
        );
        assert_eq!(
            parsed("($CI_DEFAULT_BRANCH == $CI_COMMIT_BRANCH)"),
            Some((Branch, default.clone(), false))
        );
        assert_eq!(
            parsed("$CI_DEFAULT_BRANCH != $CI_COMMIT_REF_NAME"),
            Some((Branch, default, true))
        );
    }

    #[test]
    fn complex_forms_are_not_parsed() {
        assert_eq!(parsed(r#"$CI_COMMIT_BRANCH == "main" && $DEPLOY"#), None);
        assert_eq!(parsed("$CI_COMMIT_BRANCH == \"a\" || $CI_COMMIT_TAG"), None);
        assert_eq!(parsed("$MY_VAR == \"x\""), None);
        assert_eq!(parsed("$CI_PIPELINE_SOURCE == \"unknown\""), None);
        assert_eq!(parsed("(a) == (b)"), None);
        assert_eq!(parsed(""), None);
        assert_eq!(parsed("=="), None);
        assert_eq!(parsed("\"=="), None);
        assert_eq!(parsed("$X =~ /"), None);
    }
}
