//! READ stage: recognises the common forms of Travis CI `if:` conditions.
//!
//! The condition is always kept verbatim as a [`TriggerKind::Expression`]. When it is a single
//! term or an `AND` of terms, the well-known ones (`branch = main`, `branch IN (a, b)`,
//! `branch =~ ^release/`, `tag IS present`, `type = pull_request`) are returned as well.
//! Anything with `OR` or `NOT` (other than `NOT IN`) is only kept as the expression, because
//! splitting it into independent conditions would change its meaning.

use crate::read::pipeline::{Trigger, TriggerKind};
use crate::yaml::Node;

use crate::read::support::{SourceText, scalar};

/// The conditions an `if:` node stands for: the expression, then anything recognised.
pub(crate) fn conditions(st: &SourceText, node: &Node) -> Vec<Trigger> {
    let Some(text) = scalar(node) else {
        return Vec::new();
    };
    let mut out = vec![st.trigger(TriggerKind::Expression, Some(text.clone()), false, node)];
    let upper = text.to_ascii_uppercase().replace("NOT IN", "NOTIN");
    let words: Vec<&str> = upper
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .collect();
    if words.iter().any(|w| *w == "OR" || *w == "NOT") || text.contains("||") {
        return out;
    }
    for term in split_and(&text) {
        for (kind, pattern, negated) in recognise(term) {
            out.push(st.trigger(kind, pattern, negated, node));
        }
    }
    out
}

/// One recognised term of a condition: kind, pattern, negated.
pub(crate) type Term = (TriggerKind, Option<String>, bool);

/// The alternatives of a condition with a top-level `OR` (`(branch = master AND type !=
/// pull_request) OR tag IS present`), each the terms of its `AND`; `None` when there is no
/// top-level `OR`, when an alternative holds `NOT` (other than `NOT IN`) or a nested `OR`, or
/// when one of its terms is not recognised (it could narrow that alternative in a way no term
/// says).
pub(crate) fn alternatives(text: &str) -> Option<Vec<Vec<Term>>> {
    let parts = split_top(text, &[" or ", "||"]);
    if parts.len() < 2 {
        return None;
    }
    parts
        .into_iter()
        .map(|alt| {
            let upper = alt.to_ascii_uppercase().replace("NOT IN", "NOTIN");
            let words = upper.split(|c: char| c.is_whitespace() || c == '(' || c == ')');
            if words.into_iter().any(|w| w == "OR" || w == "NOT") || alt.contains("||") {
                return None;
            }
            split_and(alt)
                .into_iter()
                .map(|term| {
                    let found = recognise(term);
                    (!found.is_empty()).then_some(found)
                })
                .collect::<Option<Vec<_>>>()
                .map(|terms| terms.into_iter().flatten().collect())
        })
        .collect()
}

/// Splits at top-level `AND` / `&&` (case-insensitive), dropping outer parentheses.
fn split_and(text: &str) -> Vec<&str> {
    split_top(text, &[" and ", "&&"])
}

/// Splits at the top-level separators `seps` (matched case-insensitively), dropping the outer
/// parentheses of each part.
fn split_top<'t>(text: &'t str, seps: &[&str]) -> Vec<&'t str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0usize;
    let bytes = text.as_bytes();
    let mut i = 0usize;
    while i < bytes.len() {
        match bytes[i] {
            b'(' => depth += 1,
            b')' => depth -= 1,
            _ if depth == 0 => {
                // `get` because `i` may fall inside a multi-byte character.
                let rest = text.get(i..).unwrap_or("");
                let sep = seps
                    .iter()
                    .find(|sep| {
                        rest.get(..sep.len())
                            .is_some_and(|w| w.eq_ignore_ascii_case(sep))
                    })
                    .map_or(0, |sep| sep.len());
                if sep > 0 {
                    out.push(text[start..i].trim());
                    i += sep;
                    start = i;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out.push(text[start..].trim());
    out.into_iter()
        .map(|t| {
            let mut t = t;
            while let Some(inner) = t.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
                t = inner.trim();
            }
            t
        })
        .collect()
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner.to_owned();
        }
    }
    s.to_owned()
}

/// A Travis regex as `/regex/`, the convention shared with CircleCI filters.
fn regex(s: &str) -> String {
    let s = unquote(s);
    if s.len() >= 2 && s.starts_with('/') && s.ends_with('/') {
        s
    } else {
        format!("/{s}/")
    }
}

fn recognise(term: &str) -> Vec<Term> {
    let Some((subject, rest)) = term.split_once(char::is_whitespace) else {
        return Vec::new();
    };
    let subject = subject.to_ascii_lowercase();
    let rest = rest.trim();
    let upper = rest.to_ascii_uppercase();
    let kind = match subject.as_str() {
        "branch" => TriggerKind::Branch,
        "tag" => TriggerKind::Tag,
        "type" => return event(rest),
        _ => return Vec::new(),
    };
    if upper == "IS PRESENT" {
        return vec![(kind, None, false)];
    }
    if upper == "IS BLANK" {
        return vec![(kind, None, true)];
    }
    for (op, negated) in [("NOT IN", true), ("IN", false)] {
        if let Some(list) = upper.strip_prefix(op).map(|_| rest[op.len()..].trim()) {
            let list = list.trim_start_matches('(').trim_end_matches(')');
            return list
                .split(',')
                .map(unquote)
                .filter(|s| !s.is_empty())
                .map(|s| (kind.clone(), Some(s), negated))
                .collect();
        }
    }
    for (op, negated, is_regex) in [
        ("==", false, false),
        ("!=", true, false),
        ("=~", false, true),
        ("!~", true, true),
        ("=", false, false),
    ] {
        if let Some(value) = rest.strip_prefix(op) {
            let pattern = if is_regex {
                regex(value)
            } else {
                unquote(value)
            };
            return vec![(kind, Some(pattern), negated)];
        }
    }
    Vec::new()
}

/// `type = pull_request|cron|api|push`.
fn event(rest: &str) -> Vec<Term> {
    let (value, negated) = if let Some(v) = rest.strip_prefix("!=") {
        (v, true)
    } else if let Some(v) = rest.strip_prefix("==").or_else(|| rest.strip_prefix('=')) {
        (v, false)
    } else {
        return Vec::new();
    };
    let kind = match unquote(value).as_str() {
        "pull_request" => TriggerKind::PullRequest,
        "cron" => TriggerKind::Schedule,
        "api" => TriggerKind::Manual,
        "push" => TriggerKind::Branch,
        _ => return Vec::new(),
    };
    vec![(kind, None, negated)]
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn conds(expr: &str) -> Vec<(TriggerKind, Option<String>, bool)> {
        let src = format!("if: {expr}\n");
        let docs = crate::yaml::parse(&src).unwrap_or_default();
        let node = docs
            .first()
            .and_then(|d| d.as_map())
            .and_then(|m| m.get("if"))
            .cloned()
            .unwrap_or_else(|| panic!("no if"));
        let st = SourceText {
            file: ".travis.yml".into(),
            src: Arc::from(src.as_str()),
        };
        conditions(&st, &node)
            .into_iter()
            .skip(1)
            .map(|t| (t.kind, t.pattern, t.negated))
            .collect()
    }

    #[test]
    fn common_forms() {
        assert_eq!(
            conds("branch = main"),
            [(TriggerKind::Branch, Some("main".into()), false)]
        );
        assert_eq!(
            conds("branch = master AND type != pull_request"),
            [
                (TriggerKind::Branch, Some("master".into()), false),
                (TriggerKind::PullRequest, None, true)
            ]
        );
        assert_eq!(conds("tag IS present"), [(TriggerKind::Tag, None, false)]);
        assert_eq!(
            conds("branch IN (develop, 'staging')"),
            [
                (TriggerKind::Branch, Some("develop".into()), false),
                (TriggerKind::Branch, Some("staging".into()), false)
            ]
        );
        assert_eq!(
            conds("branch NOT IN (wip)"),
            [(TriggerKind::Branch, Some("wip".into()), true)]
        );
        assert_eq!(
            conds("tag =~ ^v\\d+"),
            [(TriggerKind::Tag, Some("/^v\\d+/".into()), false)]
        );
        assert_eq!(
            conds("(type = cron)"),
            [(TriggerKind::Schedule, None, false)]
        );
    }

    #[test]
    fn alternatives_of_a_disjunction() {
        use TriggerKind::*;
        let alts = alternatives("(branch = master AND type != pull_request) OR tag IS present");
        assert_eq!(
            alts,
            Some(vec![
                vec![
                    (Branch, Some("master".into()), false),
                    (PullRequest, None, true)
                ],
                vec![(Tag, None, false)],
            ])
        );
        for none in [
            "branch = master",
            "branch = master OR NOT tag IS present",
            "branch = master OR env(X) = y",
            "branch = master OR (tag IS present OR type = cron)",
            "(branch = master OR",
        ] {
            assert_eq!(alternatives(none), None, "{none}");
        }
    }

    #[test]
    fn disjunctions_and_negations_stay_expressions() {
        assert!(conds("branch = main OR tag IS present").is_empty());
        assert!(conds("NOT branch = main").is_empty());
        assert!(conds("env(FOO) = bar").is_empty());
        assert_eq!(
            conds("branch = \"é-€\" AND tag IS blank"),
            [
                (TriggerKind::Branch, Some("é-€".into()), false),
                (TriggerKind::Tag, None, true)
            ]
        );
    }
}
