//! Groovy tests as the Jenkinsfile reader reads them: a condition's text (`env.BRANCH_NAME ==
//! 'main'`, `params.TARGET == 'x'`) as the [`Guard`] it makes, and the small pieces of Groovy
//! text the reading needs (a literal, parentheses, a split outside quotes and brackets).

use std::collections::BTreeSet;

use crate::read::support::is_identifier;

/// Variables that hold the branch being built (`scm.branches[0].name`: the branch a pipeline
/// job is configured to build, as its branch specifier spells it, `*/main`).
pub(super) const BRANCH_VARIABLES: &[&str] = &[
    "env.BRANCH_NAME",
    "BRANCH_NAME",
    "env.GIT_BRANCH",
    "GIT_BRANCH",
    "scm.branches[0].name",
];

/// A test an `if` or a ternary makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Guard {
    /// The branch is `pattern` (a glob for `startsWith`), or is not.
    Branch { pattern: String, negated: bool },
    /// A build parameter is tested (`params.ENV == 'prod'`).
    Param { name: String, negated: bool },
    /// Anything else, as written.
    Other { text: String, negated: bool },
}

impl Guard {
    pub(super) fn negate(&self) -> Guard {
        let mut g = self.clone();
        match &mut g {
            Guard::Branch { negated, .. }
            | Guard::Param { negated, .. }
            | Guard::Other { negated, .. } => *negated = !*negated,
        }
        g
    }
}

/// The guard a condition's text makes: a comparison of the branch (or of a build parameter)
/// with one literal, `.equals('x')`, `.startsWith('x')`; anything else as written.
pub(super) fn test(text: &str, branch_names: &BTreeSet<String>) -> Guard {
    let t = strip_parens(text.trim());
    let is_branch = |s: &str| BRANCH_VARIABLES.contains(&s) || branch_names.contains(s);
    let compared = ["!=", "=="]
        .iter()
        .find_map(|op| {
            let (l, r) = t.split_once(op)?;
            Some((l.trim(), r.trim(), *op == "!="))
        })
        .or_else(|| {
            let (l, r) = t.split_once(".equals(")?;
            Some((l.trim(), r.strip_suffix(')')?.trim(), false))
        });
    if let Some((l, r, negated)) = compared {
        let (var, value) = if literal(r).is_some() { (l, r) } else { (r, l) };
        let var = interpolated(var);
        if let Some(value) = literal(value) {
            if is_branch(var) {
                // `origin/main` (`GIT_BRANCH`) and `*/main` (a branch specifier) are `main`.
                let pattern = value
                    .strip_prefix("origin/")
                    .or_else(|| value.strip_prefix("*/"))
                    .unwrap_or(&value)
                    .to_owned();
                return Guard::Branch { pattern, negated };
            }
            if let Some(name) = var.strip_prefix("params.").filter(|n| is_identifier(n)) {
                return Guard::Param {
                    name: name.to_owned(),
                    negated,
                };
            }
        }
    }
    if let Some((var, prefix)) = t.split_once(".startsWith(")
        && is_branch(interpolated(var))
        && let Some(prefix) = prefix.strip_suffix(')').and_then(literal)
    {
        return Guard::Branch {
            pattern: format!("{prefix}*"),
            negated: false,
        };
    }
    Guard::Other {
        text: t.to_owned(),
        negated: false,
    }
}

/// The name a string that is one interpolation holds (`"${env.BRANCH_NAME}"`, `"$BRANCH"`
/// → `env.BRANCH_NAME`, `BRANCH`); other text as it is.
pub(super) fn interpolated(text: &str) -> &str {
    let t = text.trim();
    let Some(inner) = t.strip_prefix('"').and_then(|t| t.strip_suffix('"')) else {
        return t;
    };
    let name = match inner.strip_prefix("${") {
        Some(rest) => rest.strip_suffix('}'),
        None => inner.strip_prefix('$'),
    };
    match name {
        Some(n)
            if !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.".contains(c)) =>
        {
            n
        }
        _ => t,
    }
}

/// `( x )` → `x`, when the parentheses enclose all of it.
pub(super) fn strip_parens(t: &str) -> &str {
    match t.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        Some(inner) if split_top(inner, ')').is_none() => strip_parens(inner.trim()),
        _ => t,
    }
}

/// A quoted string without interpolation: its text.
pub(super) fn literal(text: &str) -> Option<String> {
    let t = text.trim();
    let q = t.chars().next().filter(|q| *q == '\'' || *q == '"')?;
    let inner = t.strip_prefix(q)?.strip_suffix(q)?;
    (!inner.contains(q) && !inner.contains("${")).then(|| inner.to_owned())
}

/// `text` split at the first `sep` outside quotes and brackets (`?.` and `?:` are not a
/// ternary's `?`).
pub(super) fn split_top(text: &str, sep: char) -> Option<(&str, &str)> {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let bytes: Vec<(usize, char)> = text.char_indices().collect();
    for (n, &(i, c)) in bytes.iter().enumerate() {
        let next = bytes.get(n + 1).map(|&(_, c)| c);
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') if c != sep => depth -= 1,
            (None, c) if c == sep && depth == 0 => {
                if sep == '?' && matches!(next, Some('.' | ':')) {
                    continue;
                }
                return Some((&text[..i], &text[i + c.len_utf8()..]));
            }
            _ => {}
        }
    }
    None
}
