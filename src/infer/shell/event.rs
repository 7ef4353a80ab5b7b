//! Which CI event a piece of a script runs on, when the script branches on it:
//!
//! ```sh
//! if [ "$GITHUB_EVENT_NAME" = push ]; then NS=prod; else NS=pr-$PR_NUMBER; fi
//! ```
//!
//! The first assignment holds on a push, the second on every other event. The `if` is found by
//! its keywords in the text before a command (nesting counted through `if`/`fi`, quoted text and
//! comments skipped: [`keywords`]), so it is a reading of the text, not of the parsed commands:
//! when the text misleads it, nothing is said (`None`) rather than a wrong event. An arm of a `case` is read
//! the same way ([`case_arm`]), as the test of its subject against its pattern.

use serde::Serialize;

mod case_arm;
mod keywords;
mod otherwise;
mod sides;
mod tag;

use keywords::words;
pub(crate) use keywords::{in_conditional, nesting, script_keywords};
pub(crate) use otherwise::in_else_after_branch_tests;

use sides::{comparison, variable_in};

use crate::read::{Trigger, TriggerKind};

/// The events a CI condition names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ScriptEvent {
    /// A push of a branch or tag (`push`).
    Push,
    /// A pull or merge request (`pull_request`, `pull_request_target`, `merge_request_event`,
    /// Azure's `PullRequest`).
    PullRequest,
    /// A person starting the pipeline (`workflow_dispatch`), as a GitHub expression names it.
    Manual,
    /// A push of a tag (`[[ $GITHUB_REF == refs/tags/* ]]`, `[ -n "$CI_COMMIT_TAG" ]`).
    Tag,
}

impl ScriptEvent {
    /// The trigger kind that starts a pipeline on this event (a push is a branch's).
    pub(crate) fn trigger_kind(self) -> TriggerKind {
        match self {
            ScriptEvent::Push => TriggerKind::Branch,
            ScriptEvent::PullRequest => TriggerKind::PullRequest,
            ScriptEvent::Manual => TriggerKind::Manual,
            ScriptEvent::Tag => TriggerKind::Tag,
        }
    }
}

/// An event a piece of a script runs on, or every event but it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub(crate) struct EventFilter {
    pub event: ScriptEvent,
    /// Every event but `event` (an `else` branch, a `!=` test).
    pub negated: bool,
}

impl EventFilter {
    /// `on a push`, `on every event but a pull request`, for notes.
    pub(crate) fn describe(self) -> String {
        let event = match self.event {
            ScriptEvent::Push => "a push",
            ScriptEvent::PullRequest => "a pull request",
            ScriptEvent::Manual => "a manual start",
            ScriptEvent::Tag => "a tag",
        };
        if self.negated {
            format!("on every event but {event}")
        } else {
            format!("on {event}")
        }
    }

    /// Whether a deploy started by a trigger of `kind` runs this piece of the script.
    pub(crate) fn admits(self, kind: &TriggerKind) -> bool {
        let matches = match self.event {
            ScriptEvent::Push => matches!(kind, TriggerKind::Branch | TriggerKind::Tag),
            ScriptEvent::PullRequest => *kind == TriggerKind::PullRequest,
            ScriptEvent::Manual => *kind == TriggerKind::Manual,
            ScriptEvent::Tag => *kind == TriggerKind::Tag,
        };
        matches != self.negated
    }
}

/// A branch a name holds on (`github.ref == 'refs/heads/main'`), or every ref but it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub(crate) struct RefFilter {
    pub branch: String,
    pub negated: bool,
}

impl RefFilter {
    /// Whether a deploy started by a trigger of `kind` on `pattern` can run on this ref. A
    /// tag or a pull request is never the branch; a manual start, a schedule or an upstream
    /// pipeline may run on any ref, and so may a branch trigger without a pattern.
    /// A branch trigger's pattern and the filter's branch may be globs (`release-*` and
    /// `release-dev*`): the filter admits a trigger whose branches overlap its own.
    pub(crate) fn admits(&self, kind: &TriggerKind, pattern: Option<&str>) -> bool {
        match kind {
            TriggerKind::Branch => match pattern {
                Some(p) if self.negated => p != self.branch,
                Some(p) => overlaps(p, &self.branch),
                None => true,
            },
            TriggerKind::Tag | TriggerKind::PullRequest => self.negated,
            _ => true,
        }
    }

    /// The branches of a trigger on `pattern` this filter keeps, when fewer than the pattern
    /// says: `release-dev*` of a trigger on `release-*`, `main` of one on any branch.
    pub(crate) fn narrow(&self, pattern: Option<&str>) -> Option<String> {
        if self.negated {
            return None;
        }
        match pattern {
            None => Some(self.branch.clone()),
            Some(p) if p != self.branch && covers(p, &self.branch) => Some(self.branch.clone()),
            Some(_) => None,
        }
    }
}

/// Whether some branch matches both globs (`*` is any text).
fn overlaps(a: &str, b: &str) -> bool {
    a == b || covers(a, b) || covers(b, a)
}

/// Whether every branch `narrow` matches, `wide` matches too: a literal `wide` matches; a glob
/// `narrow` is covered when it is `wide`'s literal prefix made longer (`release-dev*` by
/// `release-*`).
pub(crate) fn covers(wide: &str, narrow: &str) -> bool {
    if !narrow.contains('*') {
        return glob_matches(wide, narrow);
    }
    match (wide.strip_suffix('*'), narrow.strip_suffix('*')) {
        (Some(w), Some(n)) => !w.contains('*') && !n.contains('*') && n.starts_with(w),
        _ => wide == narrow,
    }
}

/// Whether `text` matches `glob`, where `*` is any text (a branch pattern, not a path glob).
fn glob_matches(glob: &str, text: &str) -> bool {
    let mut parts = glob.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// Variables that hold the event that started the pipeline.
const EVENT_VARIABLES: &[&str] = &[
    "GITHUB_EVENT_NAME",
    "github.event_name",
    "CI_PIPELINE_SOURCE",
    "BUILD_REASON",
];

/// Variables that hold the branch being built.
const BRANCH_VARIABLES: &[&str] = &[
    "GITHUB_REF_NAME",
    "GITHUB_REF",
    "github.ref_name",
    "github.ref",
    "CI_COMMIT_BRANCH",
    "CI_COMMIT_REF_NAME",
    "CI_COMMIT_REF_SLUG",
    "CI_BUILD_REF_NAME",
    "BRANCH_NAME",
    "GIT_BRANCH",
    "BITBUCKET_BRANCH",
    "CIRCLE_BRANCH",
    "TRAVIS_BRANCH",
    "BUILD_SOURCEBRANCHNAME",
    "Build.SourceBranchName",
    "Build.SourceBranch",
];

/// What a script's `if` tests, when it is the CI event, the branch, or a manual input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ScriptCondition {
    Event(EventFilter),
    Ref(RefFilter),
    /// A GitHub dispatch input compared with a value (`[ "${{ inputs.branch }}" = main ]`):
    /// the piece runs when a person starts the workflow and chooses it (or, negated, another).
    Input {
        name: String,
        negated: bool,
    },
}

impl ScriptCondition {
    /// What a step's own conditions ([`crate::read::Step`]'s `when`, a conjunction) say about
    /// the ref or event it runs on, read like a script's test: the first branch test with a
    /// pattern (`if: github.ref == 'refs/heads/main'`, Jenkins `if (env.BRANCH_NAME ==
    /// 'main')`), else a test of a build parameter, else the first event test. A tag, a
    /// schedule or an expression says nothing here.
    pub(crate) fn of_step(when: &[Trigger]) -> Option<ScriptCondition> {
        let branch = when.iter().find_map(|t| match (&t.kind, &t.pattern) {
            (TriggerKind::Branch, Some(p)) if !p.is_empty() => {
                Some(ScriptCondition::Ref(RefFilter {
                    branch: p.clone(),
                    negated: t.negated,
                }))
            }
            _ => None,
        });
        let input = || {
            when.iter().find_map(|t| match (&t.kind, &t.pattern) {
                (TriggerKind::Manual, Some(name)) => Some(ScriptCondition::Input {
                    name: name.clone(),
                    negated: t.negated,
                }),
                _ => None,
            })
        };
        let event = || {
            when.iter().find_map(|t| {
                let event = match (&t.kind, &t.pattern) {
                    (TriggerKind::Branch, None) => ScriptEvent::Push,
                    (TriggerKind::PullRequest, _) => ScriptEvent::PullRequest,
                    (TriggerKind::Manual, None) => ScriptEvent::Manual,
                    _ => return None,
                };
                Some(ScriptCondition::Event(EventFilter {
                    event,
                    negated: t.negated,
                }))
            })
        };
        branch.or_else(input).or_else(event)
    }
}

/// [`condition_branch_in`] with `script`'s keywords found here, for tests.
#[cfg(test)]
fn condition_branch(script: &str, at: usize) -> Option<ScriptCondition> {
    condition_branch_in(script, &script_keywords(script), at)
}

/// What the command at byte `at` of `script` runs under, when it sits in a branch of an `if`
/// (or `elif`) that compares the CI event or the branch with one literal: the `then` branch
/// of that test, or the `else` of a lone `if` (its test negated); or, outside any `if`, after
/// a guard that leaves the script ([`guard`]). An `else` after `elif`s would need several
/// tests at once: nothing is said. `keywords` are `script`'s, found once
/// ([`script_keywords`]; `crate::infer::commands::Unit` keeps them): finding them again for
/// each command made a script of n commands cost n².
pub(crate) fn condition_branch_in(
    script: &str,
    keywords: &[(usize, &'static str)],
    at: usize,
) -> Option<ScriptCondition> {
    let before = script.get(..at)?;
    // A command starts a word, so no keyword runs across `at`.
    let words = &keywords[..keywords.partition_point(|(offset, _)| *offset < at)];
    let arm = case_arm::case_arm(script, words, at);
    let level = open_if(words);
    // Inside an arm of a `case` nearer than any open `if`: that arm's test.
    match arm {
        Some((case_at, condition))
            if level
                .as_ref()
                .is_none_or(|l| l.first().is_some_and(|(o, _)| case_at > *o)) =>
        {
            return Some(condition);
        }
        _ => {}
    }
    let Some(level) = level else {
        return guard(before, words);
    };
    let (branch_at, branch) = level
        .iter()
        .rposition(|(_, w)| matches!(*w, "then" | "else"))
        .map(|i| (i, level[i].1))?;
    let (test_at, negated) = if branch == "then" {
        (branch_at.checked_sub(1)?, false)
    } else if level.iter().any(|(_, w)| *w == "elif") {
        return None;
    } else {
        (0, true)
    };
    let (test_offset, test) = level[test_at];
    let then_offset = level.get(test_at + 1).filter(|(_, w)| *w == "then")?.0;
    let condition = before.get(test_offset + test.len()..then_offset)?;
    let mut found = condition_event(condition)
        .map(ScriptCondition::Event)
        .or_else(|| condition_ref(condition).map(ScriptCondition::Ref))
        .or_else(|| condition_input(condition))?;
    match &mut found {
        ScriptCondition::Event(e) => e.negated ^= negated,
        ScriptCondition::Ref(r) => r.negated ^= negated,
        ScriptCondition::Input { negated: n, .. } => *n ^= negated,
    }
    Some(found)
}

/// The keywords of the innermost `if` still open after `words` (a script's keywords before a
/// command), at its own level and in order, from that `if` on; `None` outside any `if`.
pub(super) fn open_if<'k>(words: &[(usize, &'k str)]) -> Option<Vec<(usize, &'k str)>> {
    let mut depth = 0usize;
    let mut level: Vec<(usize, &str)> = Vec::new();
    for &(offset, word) in words.iter().rev() {
        match word {
            "case" | "esac" => {}
            "fi" => depth += 1,
            "if" if depth > 0 => depth -= 1,
            _ if depth > 0 => {}
            "if" => {
                level.push((offset, word));
                level.reverse();
                return Some(level);
            }
            _ => level.push((offset, word)),
        }
    }
    None
}

/// What the rest of a script runs under after a guard that leaves it: a top-level
/// `if TEST; then ...; exit ...; fi` before `before`'s end whose `TEST` compares the branch
/// (`if [ "$TRAVIS_BRANCH" != master ]; then echo skip; exit 0; fi` → branch `master`). A test
/// of several alternatives (`[ a -o b ]`, `[ a ] || [ b ]`) exits when any holds, so the rest
/// runs where none does; it is read when exactly one alternative tests the branch. A side that
/// is a variable the script set before, with a plain value or a default
/// (`DEPLOY_BRANCH=${DEPLOY_BRANCH:-master}`), is that value. The nearest guard counts.
fn guard(before: &str, words: &[(usize, &str)]) -> Option<ScriptCondition> {
    // (if offset, then offset) of each top-level `if` without `else` whose body exits.
    let mut guards: Vec<(usize, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut block: Option<(usize, usize)> = None; // (if offset, then offset) at depth 0
    let mut plain = true;
    for &(offset, word) in words {
        match word {
            "if" => {
                if depth == 0 {
                    block = Some((offset, usize::MAX));
                    plain = true;
                }
                depth += 1;
            }
            "then" if depth == 1 => {
                if let Some((_, then)) = block.as_mut()
                    && *then == usize::MAX
                {
                    *then = offset;
                }
            }
            "else" | "elif" if depth == 1 => plain = false,
            "fi" => {
                depth = depth.checked_sub(1)?;
                if depth == 0
                    && let Some((start, then)) = block.take()
                    && plain
                    && then != usize::MAX
                {
                    let body = before.get(then + "then".len()..offset)?;
                    let leaves = body
                        .split(|c: char| c.is_whitespace() || c == ';')
                        .any(|w| w == "exit");
                    if leaves {
                        guards.push((start, then));
                    }
                }
            }
            _ => {}
        }
    }
    guards.iter().rev().find_map(|&(start, then)| {
        let test = before.get(start + "if".len()..then)?;
        guard_test(test, before.get(..start)?)
    })
}

/// The branch the rest of a script runs on after a guard on `test` exits: the one alternative
/// that compares the branch, negated.
fn guard_test(test: &str, before: &str) -> Option<ScriptCondition> {
    let test = test.trim().trim_end_matches(';').trim_end();
    if test.contains("&&") || test.contains(" -a ") {
        return None;
    }
    let alternatives: Vec<String> = test
        .split("||")
        .flat_map(|bracket| {
            let bracket = bracket.trim();
            let inner = bracket
                .strip_prefix("[[")
                .and_then(|b| b.strip_suffix("]]"))
                .or_else(|| bracket.strip_prefix('[').and_then(|b| b.strip_suffix(']')))
                .unwrap_or(bracket);
            inner
                .split(" -o ")
                .map(|a| format!("[ {} ]", set_value_of(a.trim(), before)))
                .collect::<Vec<_>>()
        })
        .collect();
    let mut refs = alternatives.iter().filter_map(|a| condition_ref(a));
    let only = refs.next()?;
    if refs.next().is_some() {
        return None;
    }
    Some(ScriptCondition::Ref(RefFilter {
        branch: only.branch,
        negated: !only.negated,
    }))
}

/// `a` with a side that is a variable (`"$DEPLOY_BRANCH"`) replaced by the value `before` last
/// assigns it, plain or as a default (`export DEPLOY_BRANCH=${DEPLOY_BRANCH:-master}`); `a`
/// as written otherwise.
fn set_value_of(a: &str, before: &str) -> String {
    let Some((lhs, rhs, negated)) = comparison(&format!("[ {a} ]")) else {
        return a.to_owned();
    };
    let value = |side: &str| -> String {
        let name = side
            .strip_prefix("${")
            .and_then(|n| n.strip_suffix('}'))
            .or_else(|| side.strip_prefix('$'))
            .filter(|n| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        let Some(name) = name else {
            return side.to_owned();
        };
        let assigned = before.lines().rev().find_map(|line| {
            let line = line.trim().strip_prefix("export ").unwrap_or(line.trim());
            let v = line.strip_prefix(name)?.strip_prefix('=')?;
            let v = v.trim().trim_matches(|c| c == '"' || c == '\'');
            let default = v
                .strip_prefix("${")
                .and_then(|d| d.strip_suffix('}'))
                .and_then(|d| d.strip_prefix(name))
                .and_then(|d| d.strip_prefix(":-"));
            let v = default.unwrap_or(v);
            (!v.is_empty() && !v.contains(['$', '`', ' '])).then(|| v.to_owned())
        });
        assigned.unwrap_or_else(|| side.to_owned())
    };
    let op = if negated { "!=" } else { "=" };
    format!("\"{}\" {op} \"{}\"", value(&lhs), value(&rhs))
}

/// The branch a test such as `[ "$BRANCH_NAME" = dev ]` or `[[ $GITHUB_REF == refs/heads/main ]]`
/// compares with: one branch variable, `=`, `==` or `!=`, and a plain literal.
fn condition_ref(condition: &str) -> Option<RefFilter> {
    let (lhs, rhs, negated) = comparison(condition)?;
    let is_var = |t: &str| {
        let Some(name) = variable_in(t) else {
            return false;
        };
        let name = name.strip_prefix("env.").unwrap_or(name);
        // `${GITHUB_REF##*/}`, `${GITHUB_REF#refs/heads/}`: the branch, its prefix taken off.
        let name = match name.split_once(['#', '%']) {
            Some((base, _)) if t.starts_with("${") => base,
            _ => name,
        };
        BRANCH_VARIABLES.contains(&name)
    };
    let literal = match (is_var(&lhs), is_var(&rhs)) {
        (true, false) => rhs,
        (false, true) => lhs,
        _ => return None,
    };
    let branch = literal.strip_prefix("refs/heads/").unwrap_or(&literal);
    let plain = !branch.is_empty()
        && branch
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    plain.then(|| RefFilter {
        branch: branch.to_owned(),
        negated,
    })
}

/// The dispatch input a test such as `[ "${{ inputs.branch }}" = "main" ]` compares with one
/// literal (`=`, `==` or `!=`; `github.event.inputs.X` alike).
fn condition_input(condition: &str) -> Option<ScriptCondition> {
    let (lhs, rhs, negated) = comparison(condition)?;
    let input = |t: &str| {
        let inner = t.strip_prefix("${{")?.strip_suffix("}}")?.trim();
        let name = inner
            .strip_prefix("inputs.")
            .or_else(|| inner.strip_prefix("github.event.inputs."))?;
        let plain = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'));
        plain.then(|| name.to_owned())
    };
    let literal = |t: &str| !t.is_empty() && !t.contains('$');
    let name = match (input(&lhs), input(&rhs)) {
        (Some(name), None) if literal(&rhs) => name,
        (None, Some(name)) if literal(&lhs) => name,
        _ => return None,
    };
    Some(ScriptCondition::Input { name, negated })
}

/// The event a test such as `[ "$GITHUB_EVENT_NAME" = push ]` compares with, or a test of
/// whether a tag was pushed ([`tag::condition_tag`]).
fn condition_event(condition: &str) -> Option<EventFilter> {
    if let Some(tag) = tag::condition_tag(condition) {
        return Some(tag);
    }
    if !EVENT_VARIABLES.iter().any(|v| condition.contains(v)) {
        return None;
    }
    let negated = condition.contains("!=");
    let words: Vec<String> = condition
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map(str::to_ascii_lowercase)
        .collect();
    let has = |names: &[&str]| words.iter().any(|w| names.contains(&w.as_str()));
    let pull = has(&[
        "pull_request",
        "pull_request_target",
        "merge_request_event",
        "pullrequest",
    ]);
    let push = has(&["push"]);
    let manual = has(&["workflow_dispatch", "manual", "web"]);
    let event = match (push, pull, manual) {
        (true, false, false) => ScriptEvent::Push,
        (false, true, false) => ScriptEvent::PullRequest,
        (false, false, true) => ScriptEvent::Manual,
        _ => return None,
    };
    Some(EventFilter { event, negated })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(script: &str, needle: &str) -> Option<EventFilter> {
        match condition_branch(script, script.find(needle).unwrap_or(0))? {
            ScriptCondition::Event(e) => Some(e),
            _ => None,
        }
    }

    fn branch_at(script: &str, needle: &str) -> Option<RefFilter> {
        match condition_branch(script, script.find(needle).unwrap_or(0))? {
            ScriptCondition::Ref(r) => Some(r),
            _ => None,
        }
    }

    fn branch(name: &str, negated: bool) -> Option<RefFilter> {
        Some(RefFilter {
            branch: name.to_owned(),
            negated,
        })
    }

    #[test]
    fn a_guard_that_exits_leaves_the_rest_to_one_branch() {
        let s = "set -e\nif [ \"$CIRCLE_BRANCH\" != \"main\" ]; then\n  echo skip\n  exit 0\nfi\nkubectl apply -f k8s/\n";
        assert_eq!(branch_at(s, "kubectl"), branch("main", false));
        // The fossasia template: a default set before, alternatives joined by `-o`.
        let s = "export DEPLOY_BRANCH=${DEPLOY_BRANCH:-master}\n\
                 if [ \"$TRAVIS_PULL_REQUEST\" != \"false\" -o \"$TRAVIS_BRANCH\" != \"$DEPLOY_BRANCH\" ]; then\n\
                 \x20 echo \"Skip\"\n  exit 0\nfi\nkubectl set image deployment/web web=x\n";
        assert_eq!(branch_at(s, "kubectl"), branch("master", false));
        // Exits on the branch: the rest runs on every other one.
        let s =
            "if [[ $BRANCH_NAME == release ]] || [ -z \"$X\" ]; then exit 1; fi\nhelm upgrade x\n";
        assert_eq!(branch_at(s, "helm"), branch("release", true));
    }

    #[test]
    fn guards_that_do_not_leave_or_test_two_things_say_nothing() {
        for s in [
            // No exit: the rest runs anyway.
            "if [ \"$CIRCLE_BRANCH\" != main ]; then echo not main; fi\nkubectl apply -f k\n",
            // An else: not a guard.
            "if [ \"$CIRCLE_BRANCH\" != main ]; then exit 0; else echo ok; fi\nkubectl apply -f k\n",
            // Both must hold to exit: the rest runs when either fails.
            "if [ \"$CIRCLE_BRANCH\" != main ] && [ -n \"$X\" ]; then exit 0; fi\nkubectl apply -f k\n",
            // Two branch tests.
            "if [ \"$CIRCLE_BRANCH\" != main -o \"$GIT_BRANCH\" != dev ]; then exit 0; fi\nkubectl apply -f k\n",
            // A variable whose value is not known.
            "if [ \"$CIRCLE_BRANCH\" != \"$TARGET\" ]; then exit 0; fi\nkubectl apply -f k\n",
        ] {
            assert_eq!(
                condition_branch(s, s.find("kubectl").unwrap_or(0)),
                None,
                "{s}"
            );
        }
    }

    fn event(event: ScriptEvent, negated: bool) -> Option<EventFilter> {
        Some(EventFilter { event, negated })
    }

    #[test]
    fn tests_of_a_pushed_tag() {
        let tag = |negated| event(ScriptEvent::Tag, negated);
        let s = "if [[ $GITHUB_REF == refs/tags/* ]]; then T=live; elif [[ $GITHUB_REF == refs/heads/main ]]; then T=dry; fi";
        assert_eq!(at(s, "T=live"), tag(false));
        assert_eq!(branch_at(s, "T=dry"), branch("main", false));
        for (s, negated) in [
            ("if [ \"$GITHUB_REF_TYPE\" = tag ]; then T=a; fi", false),
            (
                "if [ \"${{ github.ref_type }}\" == branch ]; then T=a; fi",
                true,
            ),
            ("if [ -n \"$CI_COMMIT_TAG\" ]; then T=a; fi", false),
            ("if [[ -z $CIRCLE_TAG ]]; then T=a; fi", true),
            ("if [ \"$GITHUB_REF\" != refs/tags/v1 ]; then T=a; fi", true),
            (
                "if [ \"$(Build.SourceBranch)\" = refs/tags/v1 ]; then T=a; fi",
                false,
            ),
        ] {
            assert_eq!(at(s, "T=a"), tag(negated), "{s}");
        }
        // A tag variable tested for something else, another ref: no tag test.
        for s in [
            "if [ \"$CI_COMMIT_TAG\" = v1 ]; then T=a; fi",
            "if [ -n \"$TAG\" ]; then T=a; fi",
            "if [[ $GITHUB_REF == refs/pull/* ]]; then T=a; fi",
        ] {
            assert_eq!(at(s, "T=a"), None, "{s}");
        }
    }

    #[test]
    fn branches_on_a_dispatch_input() {
        let input = |name: &str, negated| {
            Some(ScriptCondition::Input {
                name: name.to_owned(),
                negated,
            })
        };
        let s = "if [ \"${{ inputs.target }}\" = \"live\" ]; then NS=a; else NS=b; fi";
        let at = |needle: &str| condition_branch(s, s.find(needle).unwrap_or(0));
        assert_eq!(at("NS=a"), input("target", false));
        assert_eq!(at("NS=b"), input("target", true));
        let s = "if [[ live != ${{ github.event.inputs.target }} ]]; then NS=a; fi";
        assert_eq!(
            condition_branch(s, s.find("NS=").unwrap_or(0)),
            input("target", true)
        );
        // An input against another expression says nothing.
        let s = "if [ \"${{ inputs.a }}\" = \"${{ inputs.b }}\" ]; then NS=a; fi";
        assert_eq!(condition_branch(s, s.find("NS=").unwrap_or(0)), None);
    }

    #[test]
    fn branches_on_the_branch() {
        let branch = |b: &str, negated| {
            Some(RefFilter {
                branch: b.to_owned(),
                negated,
            })
        };
        let s = "if [ \"$BRANCH_NAME\" = \"dev\" ]; then\n  D=api-dev\nelif [ \"$BRANCH_NAME\" == prod ]; then\n  D=api\nelse\n  exit 0\nfi\n";
        assert_eq!(branch_at(s, "D=api-dev"), branch("dev", false));
        assert_eq!(branch_at(s, "D=api\n"), branch("prod", false));
        // `else` after an `elif` would be two tests at once.
        assert_eq!(branch_at(s, "exit"), None);
        let s = "if [[ \"${GITHUB_REF##*/}\" == \"main\" ]]; then NS=prod; fi";
        assert_eq!(branch_at(s, "NS=prod"), branch("main", false));
        let s = "if [[ $GITHUB_REF == 'refs/heads/main' ]]; then NS=prod; else NS=staging; fi";
        assert_eq!(branch_at(s, "NS=prod"), branch("main", false));
        assert_eq!(branch_at(s, "NS=staging"), branch("main", true));
        let s = "if [ \"${CI_COMMIT_REF_NAME}\" != \"master\" ]; then NS=dev; fi";
        assert_eq!(branch_at(s, "NS=dev"), branch("master", true));
        // A glob, a variable on both sides or another variable: nothing.
        assert_eq!(
            branch_at("if [[ $BRANCH_NAME == release/* ]]; then NS=x; fi", "NS="),
            None
        );
        assert_eq!(
            branch_at("if [ \"$BRANCH_NAME\" = \"$MAIN\" ]; then NS=x; fi", "NS="),
            None
        );
        assert_eq!(
            branch_at("if [ \"$TARGET\" = prod ]; then NS=x; fi", "NS="),
            None
        );
    }

    #[test]
    fn branches_on_the_event() {
        let push = |negated| event(ScriptEvent::Push, negated);
        let s = "if [ \"$GITHUB_EVENT_NAME\" = \"push\" ]; then\n  NS=prod\nelse\n  NS=pr-$PR\nfi\nkubectl apply -n $NS\n";
        assert_eq!(at(s, "NS=prod"), push(false));
        assert_eq!(at(s, "NS=pr-"), push(true));
        assert_eq!(at(s, "kubectl"), None);
        let s = "if [[ ${{ github.event_name }} == 'pull_request' ]]; then NS=pr-1; fi";
        assert_eq!(at(s, "NS="), event(ScriptEvent::PullRequest, false));
        // A nested, closed `if` in between does not hide the outer one.
        let s = "if [ \"$CI_PIPELINE_SOURCE\" != push ]; then if [ -n x ]; then echo; fi; NS=a; fi";
        assert_eq!(at(s, "NS=a"), push(true));
        let s = "if [ \"$GITHUB_EVENT_NAME\" = workflow_dispatch ]; then NS=x; fi";
        assert_eq!(at(s, "NS="), event(ScriptEvent::Manual, false));
        // Not an event test, or an elif chain: nothing is said.
        assert_eq!(
            at("if [ \"$BRANCH\" = main ]; then NS=prod; fi", "NS="),
            None
        );
        assert_eq!(
            at(
                "if [ \"$GITHUB_EVENT_NAME\" = push ]; then a; elif b; then NS=x; fi",
                "NS="
            ),
            None
        );
    }

    #[test]
    fn ref_filters_read_branch_globs() {
        let only = |b: &str| RefFilter {
            branch: b.to_owned(),
            negated: false,
        };
        let branch = TriggerKind::Branch;
        assert!(only("release-dev*").admits(&branch, Some("release-*")));
        assert!(only("release-prod").admits(&branch, Some("release-*")));
        assert!(only("release-*").admits(&branch, Some("release-prod")));
        assert!(!only("main").admits(&branch, Some("release-*")));
        assert!(!only("hotfix*").admits(&branch, Some("release-*")));
        assert_eq!(
            only("release-dev*").narrow(Some("release-*")).as_deref(),
            Some("release-dev*")
        );
        assert_eq!(only("main").narrow(Some("main")), None);
        assert_eq!(only("main").narrow(None).as_deref(), Some("main"));
        assert_eq!(only("release-*").narrow(Some("release-prod")), None);
        assert!(glob_matches("a*b*c", "axxbyyc") && !glob_matches("a*b*c", "axxc"));
        assert!(glob_matches("*", "") && !glob_matches("ab", "abc"));
        let but_main = RefFilter {
            branch: "main".to_owned(),
            negated: true,
        };
        assert!(but_main.admits(&branch, Some("release-*")) && but_main.narrow(None).is_none());
    }

    #[test]
    fn filters_admit_trigger_kinds() {
        let push = EventFilter {
            event: ScriptEvent::Push,
            negated: false,
        };
        assert!(push.admits(&TriggerKind::Branch) && !push.admits(&TriggerKind::PullRequest));
        let other = EventFilter {
            negated: true,
            ..push
        };
        assert!(other.admits(&TriggerKind::PullRequest) && other.admits(&TriggerKind::Manual));
        assert!(!other.admits(&TriggerKind::Tag));
    }

    #[test]
    fn a_steps_own_conditions_read_as_a_scripts_test() {
        use crate::files::Loc;
        use crate::yaml::Span;
        let t = |kind, pattern: Option<&str>, negated| {
            Trigger::new(
                kind,
                pattern.map(str::to_owned),
                negated,
                Loc::new("ci.yml", Span::new(0, 1)),
            )
        };
        let expression = t(TriggerKind::Expression, Some("success()"), false);
        let push = t(TriggerKind::Branch, None, false);
        let main = t(TriggerKind::Branch, Some("main"), true);
        // A branch with a pattern wins over the event, whatever their order.
        assert_eq!(
            ScriptCondition::of_step(&[expression.clone(), push.clone(), main]),
            Some(ScriptCondition::Ref(RefFilter {
                branch: "main".to_owned(),
                negated: true
            }))
        );
        assert_eq!(
            ScriptCondition::of_step(&[push]),
            Some(ScriptCondition::Event(EventFilter {
                event: ScriptEvent::Push,
                negated: false
            }))
        );
        let param = t(TriggerKind::Manual, Some("DEPLOY_PROD"), false);
        assert_eq!(
            ScriptCondition::of_step(&[param]),
            Some(ScriptCondition::Input {
                name: "DEPLOY_PROD".to_owned(),
                negated: false
            })
        );
        let pr = t(TriggerKind::PullRequest, Some("main"), true);
        assert_eq!(
            ScriptCondition::of_step(&[pr]),
            Some(ScriptCondition::Event(EventFilter {
                event: ScriptEvent::PullRequest,
                negated: true
            }))
        );
        // A tag, a schedule or an expression says nothing of the branch or event.
        let tag = t(TriggerKind::Tag, Some("v*"), false);
        assert_eq!(ScriptCondition::of_step(&[tag, expression]), None);
        assert_eq!(ScriptCondition::of_step(&[]), None);
    }
}
