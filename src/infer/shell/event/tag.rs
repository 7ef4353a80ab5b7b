//! Tests of whether a tag was pushed, which a script's `if` reads as an event of its own
//! ([`ScriptEvent::Tag`]).

use super::sides::{bracketed, comparison, variable_in};
use super::{EventFilter, ScriptEvent};

/// A test of whether the pipeline runs for a tag: the ref compared with `refs/tags/` and a
/// pattern (`[[ $GITHUB_REF == refs/tags/* ]]`), the ref's type with `tag` or `branch`
/// (`[ "$GITHUB_REF_TYPE" = tag ]`), or whether a tag variable is set (`[ -n "$CI_COMMIT_TAG" ]`,
/// `-z` negated). A narrower tag pattern (`refs/tags/v*`) is still a tag: the pipeline's own
/// tag triggers say which.
pub(super) fn condition_tag(condition: &str) -> Option<EventFilter> {
    let tag = |negated| {
        Some(EventFilter {
            event: ScriptEvent::Tag,
            negated,
        })
    };
    let is = |t: &str, names: &[&str]| variable_in(t).is_some_and(|name| names.contains(&name));
    if let Some((lhs, rhs, negated)) = comparison(condition) {
        let (var, literal) = if lhs.starts_with('$') {
            (lhs, rhs)
        } else {
            (rhs, lhs)
        };
        if is(
            &var,
            &[
                "GITHUB_REF",
                "github.ref",
                "Build.SourceBranch",
                "BUILD_SOURCEBRANCH",
            ],
        ) {
            return tag(negated).filter(|_| literal.starts_with("refs/tags/"));
        }
        if is(&var, &["GITHUB_REF_TYPE", "github.ref_type"]) {
            return match literal.as_str() {
                "tag" => tag(negated),
                "branch" => tag(!negated),
                _ => None,
            };
        }
        return None;
    }
    let inner = bracketed(condition)?.trim();
    let (negated, operand) = match inner.split_once(char::is_whitespace)? {
        ("-n", rest) => (false, rest),
        ("-z", rest) => (true, rest),
        _ => return None,
    };
    let operand = operand.trim().trim_matches(|c| c == '"' || c == '\'');
    const TAG_VARIABLES: &[&str] = &["CI_COMMIT_TAG", "CIRCLE_TAG", "TRAVIS_TAG", "BITBUCKET_TAG"];
    tag(negated).filter(|_| is(operand, TAG_VARIABLES))
}
