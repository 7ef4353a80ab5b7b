//! The sides of a shell test (`[ a = b ]`, `[[ a != b ]]`) and the variable a side reads.

/// The two sides of a `[ a = b ]`, `[[ a == b ]]` or `[ a != b ]` test, unquoted, and whether
/// it is `!=`.
pub(super) fn comparison(condition: &str) -> Option<(String, String, bool)> {
    let inner = bracketed(condition)?;
    let (lhs, rhs, negated) = ["!=", "==", "="]
        .iter()
        .find_map(|op| inner.split_once(op).map(|(l, r)| (l, r, *op == "!=")))?;
    let unquote = |t: &str| t.trim().trim_matches(|c| c == '"' || c == '\'').to_owned();
    Some((unquote(lhs), unquote(rhs), negated))
}

/// What a `[ ... ]` or `[[ ... ]]` test holds (a trailing `;` taken off).
pub(super) fn bracketed(condition: &str) -> Option<&str> {
    let condition = condition.trim().trim_end_matches(';').trim_end();
    condition
        .strip_prefix("[[")
        .and_then(|c| c.strip_suffix("]]"))
        .or_else(|| {
            condition
                .strip_prefix('[')
                .and_then(|c| c.strip_suffix(']'))
        })
}

/// The name a side of a test that is a variable reads: `GITHUB_REF` of `$GITHUB_REF` and
/// `${GITHUB_REF}`, `github.ref` of `${{ github.ref }}`, `Build.SourceBranch` of
/// `$(Build.SourceBranch)`; `None` for a side that does not start with `$`.
pub(super) fn variable_in(t: &str) -> Option<&str> {
    let name = t
        .strip_prefix('$')?
        .trim_start_matches("{{")
        .trim_start_matches(['{', '('])
        .trim_end_matches("}}")
        .trim_end_matches(['}', ')'])
        .trim();
    Some(name)
}
