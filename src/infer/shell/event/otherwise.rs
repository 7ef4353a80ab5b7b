//! The `else` that ends a chain of tests of the branch:
//!
//! ```sh
//! if [[ "$GITHUB_REF_NAME" == "wl-prod" ]]; then ENV=wl-prod
//! elif [[ "$GITHUB_REF_NAME" == "lm-prod" ]]; then ENV=lm-prod
//! else ENV=dev
//! fi
//! ```
//!
//! `ENV=dev` runs on every branch the tests do not name, which one branch test cannot say; a
//! caller that knows the branches a pipeline runs on takes those the tests leave.

use super::{condition_ref, open_if};

/// Whether the command at byte `at` of `script` sits in the `else` of the innermost open `if`
/// chain, after at least one `elif`, where the `if` and every `elif` compare the branch with one
/// literal (not negated). `keywords` are the script's ([`super::script_keywords`]).
pub(crate) fn in_else_after_branch_tests(
    script: &str,
    keywords: &[(usize, &'static str)],
    at: usize,
) -> bool {
    let words = &keywords[..keywords.partition_point(|(offset, _)| *offset < at)];
    let Some(level) = open_if(words) else {
        return false;
    };
    if level.last().is_none_or(|(_, w)| *w != "else") {
        return false;
    }
    let tests: Vec<&str> = level
        .windows(2)
        .filter(|pair| matches!(pair[0].1, "if" | "elif") && pair[1].1 == "then")
        .filter_map(|pair| script.get(pair[0].0 + pair[0].1.len()..pair[1].0))
        .collect();
    let chained = level.iter().any(|(_, w)| *w == "elif");
    let tests_named = level
        .iter()
        .filter(|(_, w)| matches!(*w, "if" | "elif"))
        .count();
    chained
        && tests.len() == tests_named
        && tests
            .iter()
            .all(|test| condition_ref(test).is_some_and(|r| !r.negated))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infer::shell::script_keywords;

    fn at_marker(s: &str) -> bool {
        let at = s.find("HERE").unwrap_or_default();
        in_else_after_branch_tests(s, &script_keywords(s), at)
    }

    #[test]
    fn the_else_after_branch_tests_runs_on_the_branches_they_leave() {
        let chain = "if [[ \"$GITHUB_REF_NAME\" == \"a\" ]]; then E=a\nelif [ \"$GITHUB_REF_NAME\" = b ]; then E=b\nelse\n  HERE=dev\nfi\n";
        assert!(at_marker(chain));
        // A plain `if`/`else` is one negated test, which the branch test already reads.
        assert!(!at_marker(
            "if [ \"$GITHUB_REF_NAME\" = a ]; then E=a; else HERE=dev; fi"
        ));
        // A test of something else, or a negated one, says nothing.
        assert!(!at_marker(
            "if [ \"$GITHUB_REF_NAME\" = a ]; then E=a; elif [ -f x ]; then E=b; else HERE=c; fi"
        ));
        assert!(!at_marker(
            "if [ \"$GITHUB_REF_NAME\" != a ]; then E=a; elif [ \"$GITHUB_REF_NAME\" = b ]; then E=b; else HERE=c; fi"
        ));
        // Not in the else.
        assert!(!at_marker(
            "if [ \"$GITHUB_REF_NAME\" = a ]; then HERE=a; elif [ \"$GITHUB_REF_NAME\" = b ]; then E=b; else E=c; fi"
        ));
    }
}
