//! The job conditions readers keep verbatim (expressions) that still say a ref or an input, and
//! what some patterns and tests say of themselves (every ref, pull request builds, settings).

use crate::infer::expression::{Way, ways_in};
use crate::infer::{groups, jenkins_when};
use crate::read::{CiSystem, Trigger, TriggerKind, travis};

/// Reads the expressions readers keep verbatim for the few forms that name a ref or an input:
/// Jenkins `params.DEPLOY` and `env.BRANCH_NAME == 'main'`, GitLab `$CI_COMMIT_BRANCH` and
/// `$CI_COMMIT_TAG` tests the reader could not type. `system` is the pipeline's.
pub(super) fn interpret(c: &Trigger, system: CiSystem) -> Vec<Way> {
    let Some(text) = c.pattern.as_deref().map(str::trim) else {
        return Vec::new();
    };
    // Jenkins `anyOf { branch 'develop'; branch 'staging' }`: each branch is a way in.
    if text.starts_with("anyOf") {
        return quoted_args(text, "branch")
            .into_iter()
            .chain(jenkins_when::branch_tests(text))
            .map(|b| (TriggerKind::Branch, Some(b)))
            .chain(
                quoted_args(text, "tag")
                    .into_iter()
                    .map(|t| (TriggerKind::Tag, Some(t))),
            )
            .chain(change_requests(text).map(|t| (TriggerKind::PullRequest, t)))
            .chain(
                text.contains("buildingTag")
                    .then_some((TriggerKind::Tag, None)),
            )
            .map(Way::from)
            .collect();
    }
    // GitHub `a || b` of ref, event and input tests: each alternative is a way in.
    if let Some(ways) = ways_in(text) {
        return ways;
    }
    if system == CiSystem::Travis {
        return travis_ways(text);
    }
    if system == CiSystem::Jenkins
        && let Some(ways) = jenkins_alternatives(text)
    {
        return ways;
    }
    // Jenkins `return !env.CHANGE_ID && (env.BRANCH_NAME == 'master')`: a conjunction
    // requires each ref and input it tests. GitLab's are typed by its reader.
    if system != CiSystem::GitlabCi
        && let Some(parts) = jenkins_when::conjuncts(text)
    {
        let found: Vec<_> = parts
            .into_iter()
            .filter_map(interpret_one)
            .map(Way::from)
            .collect();
        if !found.is_empty() {
            return found;
        }
    }
    interpret_one(text).into_iter().map(Way::from).collect()
}

/// Travis `(branch = master AND type != pull_request) OR tag IS present`: each alternative is
/// the one ref it tests positively (a test that also names a pattern beside an "any" one,
/// such as `type = push AND branch = main`, is that pattern); the event tests it excludes
/// (`type != pull_request`) narrow it no further than its ref does. An alternative testing no
/// ref, or two, says no way in, and then the whole condition says none.
fn travis_ways(text: &str) -> Vec<Way> {
    let Some(alternatives) = travis::alternatives(text) else {
        return Vec::new();
    };
    let mut ways = Vec::new();
    for terms in alternatives {
        let positive: Vec<_> = terms.iter().filter(|(_, _, negated)| !negated).collect();
        let named: Vec<_> = positive
            .iter()
            .copied()
            .filter(|(_, p, _)| p.is_some())
            .collect();
        let way = match (named.as_slice(), positive.as_slice()) {
            ([one], _) | ([], [one]) => one,
            _ => return Vec::new(),
        };
        ways.push(Way::from((way.0.clone(), way.1.clone())));
    }
    ways
}

/// The target of every `changeRequest` of a Jenkins `anyOf` (`changeRequest target: 'main'`,
/// `changeRequest(target: 'main')`), `None` for one that names none: a pull request's way in.
fn change_requests(text: &str) -> impl Iterator<Item = Option<String>> + '_ {
    text.split("changeRequest")
        .skip(1)
        .map(|after| jenkins_when::quoted_after(after, "target:"))
}

/// The quoted arguments of every `word 'x'` / `word "x"` in `text`.
fn quoted_args(text: &str, word: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(word) {
        let after = rest[i + word.len()..].trim_start();
        rest = &rest[i + word.len()..];
        let Some(q) = after.chars().next().filter(|q| *q == '\'' || *q == '"') else {
            continue;
        };
        if let Some(end) = after[1..].find(q) {
            out.push(after[1..1 + end].to_owned());
        }
    }
    out
}

/// Jenkins `return env.BRANCH_NAME ==~ 'release/.*' || env.BRANCH_NAME == 'master'`, or
/// `GIT_BRANCH.startsWith("dev") || GIT_BRANCH.startsWith("PR-")`: each alternative is a way
/// in when every one is a test [`interpret_one`] reads; `None` otherwise.
fn jenkins_alternatives(text: &str) -> Option<Vec<Way>> {
    let body = text
        .trim()
        .strip_prefix("return")
        .map_or(text, str::trim_start);
    let parts = groups::split_outside(body, "||")?;
    if parts.len() < 2 {
        return None;
    }
    parts
        .into_iter()
        .map(|part| interpret_one(groups::ungrouped(part.trim())).map(Way::from))
        .collect()
}

fn interpret_one(text: &str) -> Option<(TriggerKind, Option<String>)> {
    // `env.BRANCH_NAME == 'main'`, `when { environment name: 'GIT_BRANCH', value:
    // 'origin/master' }`, `BRANCH_NAME ==~ 'release/.*'`, `GIT_BRANCH.startsWith('dev')` (a
    // `PR-`/`MR-` prefix: change-request builds).
    if let [branch] = jenkins_when::branch_tests(text).as_slice() {
        return Some((TriggerKind::Branch, Some(branch.clone())));
    }
    if let Some(pattern) = jenkins_when::branch_pattern(text) {
        return Some(if is_change_request_branch(&pattern) {
            (TriggerKind::PullRequest, None)
        } else {
            (TriggerKind::Branch, Some(pattern))
        });
    }
    let body = text.trim_start_matches("return").trim();
    if let Some(name) = body.strip_prefix("params.")
        && !name.is_empty()
        && name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
    {
        return Some((TriggerKind::Manual, Some(name.to_owned())));
    }
    if text.contains("$CI_COMMIT_TAG") && !text.contains("$CI_COMMIT_BRANCH") {
        return Some((TriggerKind::Tag, None));
    }
    if text.contains("$CI_COMMIT_BRANCH") && !text.contains("==") && !text.contains("=~") {
        return Some((TriggerKind::Branch, None));
    }
    None
}

/// `/.*/` and the like: a pattern that ignores every branch (`branches: ignore: /.*/` with
/// `tags: only:` is how CircleCI runs a job on tags alone).
pub(super) fn matches_every_ref(pattern: &str) -> bool {
    let inner = pattern.trim().trim_start_matches('/').trim_end_matches('/');
    let inner = inner.trim_start_matches('^').trim_end_matches('$');
    matches!(inner, ".*" | ".+" | "*")
}

/// Whether every ref `pattern` matches also matches the prefix glob `job` (`v*`, of
/// `startsWith(github.ref, 'refs/tags/v')`): `pattern` starts with that prefix (`v*.*.*`,
/// `v1`) and is not the same glob.
pub(super) fn within_prefix(job: Option<&str>, pattern: Option<&str>) -> bool {
    let (Some(job), Some(pattern)) = (job, pattern) else {
        return false;
    };
    job.strip_suffix('*')
        .filter(|prefix| !prefix.is_empty() && !prefix.contains(GLOB))
        .is_some_and(|prefix| pattern.starts_with(prefix) && pattern != job)
}

/// Whether no ref matches both globs: their literal heads (up to the first glob character)
/// differ where both have characters (`v*` and `release-*`).
pub(super) fn disjoint(a: Option<&str>, b: Option<&str>) -> bool {
    let (Some(a), Some(b)) = (a, b) else {
        return false;
    };
    let head = |p: &str| {
        let end = p.find(|c: char| GLOB.contains(&c)).unwrap_or(p.len());
        p[..end].to_owned()
    };
    let (a, b) = (head(a), head(b));
    !(a.starts_with(&b) || b.starts_with(&a))
}

/// The characters that make a ref pattern a glob.
const GLOB: &[char] = &['*', '?', '[', ']', '{', '}', '!', '+'];

/// A Jenkins branch pattern that matches only pull (merge) request builds: `PR-*`, `MR-*`.
pub(super) fn is_change_request_branch(pattern: &str) -> bool {
    let p = pattern.trim();
    ["PR-", "MR-"].iter().any(|prefix| {
        p.strip_prefix(prefix)
            .is_some_and(|rest| matches!(rest, "*" | "**"))
    })
}

/// Whether a GitHub condition the reader kept as written reads only the repository's settings
/// (`vars.RUN_CICD == 'true'`, `secrets.KUBECONFIG != ''`): the same for every event, so it
/// does not keep a person starting the workflow on the branch the job tests from passing.
pub(super) fn tests_settings_only(text: &str) -> bool {
    const CONTEXTS: &[&str] = &[
        "github.",
        "inputs.",
        "needs.",
        "steps.",
        "env.",
        "matrix.",
        "job.",
        "runner.",
        "strategy.",
    ];
    (text.contains("vars.") || text.contains("secrets."))
        && !CONTEXTS.iter().any(|c| text.contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use TriggerKind::*;

    fn ways(found: Option<Vec<Way>>) -> Option<Vec<(TriggerKind, Option<String>)>> {
        found.map(|w| w.into_iter().map(|w| (w.kind, w.pattern)).collect())
    }

    fn branch(p: &str) -> (TriggerKind, Option<String>) {
        (Branch, Some(p.to_owned()))
    }

    #[test]
    fn jenkins_disjunctions_of_branch_tests() {
        assert_eq!(
            ways(jenkins_alternatives(
                "return env.BRANCH_NAME ==~ 'release/.*' || env.BRANCH_NAME ==~'master'"
            )),
            Some(vec![branch("/release/.*/"), branch("master")])
        );
        assert_eq!(
            ways(jenkins_alternatives(
                "GIT_BRANCH.startsWith(\"dev\") || (GIT_BRANCH.startsWith(\"PR-\"))"
            )),
            Some(vec![branch("dev*"), (PullRequest, None)])
        );
        assert_eq!(
            ways(jenkins_alternatives(
                "env.GIT_BRANCH == 'origin/main' || GIT_BRANCH.startsWith('origin/rel')"
            )),
            Some(vec![branch("main"), branch("rel*")])
        );
        // A parameter alternative is a manual start with it, as on its own.
        assert_eq!(
            ways(jenkins_alternatives(
                "env.BRANCH_NAME == 'main' || params.FORCE"
            )),
            Some(vec![branch("main"), (Manual, Some("FORCE".to_owned()))])
        );
        for unread in [
            "env.BRANCH_NAME == 'main'",
            "env.BRANCH_NAME == 'main' || currentBuild.result == null",
        ] {
            assert_eq!(ways(jenkins_alternatives(unread)), None, "{unread}");
        }
    }

    #[test]
    fn prefix_globs_hold_the_patterns_they_begin() {
        assert!(within_prefix(Some("v*"), Some("v*.*.*")));
        assert!(within_prefix(Some("release/*"), Some("release/2024-*")));
        assert!(!within_prefix(Some("v*"), Some("v*")));
        assert!(!within_prefix(Some("v*"), Some("*")));
        assert!(!within_prefix(Some("v?*"), Some("v1")));
        assert!(!within_prefix(None, Some("v1")));
        assert!(disjoint(Some("v*"), Some("release-*")));
        assert!(!disjoint(Some("v*"), Some("*")));
        assert!(!disjoint(Some("v1*"), Some("v*")));
    }

    #[test]
    fn travis_disjunctions_give_each_alternatives_ref() {
        assert_eq!(
            ways(Some(travis_ways(
                "(branch = master AND type != pull_request) OR tag IS present"
            ))),
            Some(vec![branch("master"), (Tag, None)])
        );
        assert_eq!(
            ways(Some(travis_ways(
                "type = push AND branch = main OR type = cron"
            ))),
            Some(vec![branch("main"), (Schedule, None)])
        );
        for unread in ["branch = a OR type != push", "branch = a OR env(X) = 1"] {
            assert!(travis_ways(unread).is_empty(), "{unread}");
        }
    }
}
