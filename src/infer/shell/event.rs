//! Which CI event a piece of a script runs on, when the script branches on it:
//!
//! ```sh
//! if [ "$GITHUB_EVENT_NAME" = push ]; then NS=prod; else NS=pr-$PR_NUMBER; fi
//! ```
//!
//! The first assignment holds on a push, the second on every other event. The `if` is found by
//! its keywords in the text before a command (nesting counted through `if`/`fi`), so it is a
//! reading of the text, not of the parsed commands: a keyword inside a quoted string can mislead
//! it, and then nothing is said (`None`) rather than a wrong event.

use serde::Serialize;

use crate::read::TriggerKind;

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
}

/// An event a piece of a script runs on, or every event but it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub(crate) struct EventFilter {
    pub event: ScriptEvent,
    /// Every event but `event` (an `else` branch, a `!=` test).
    pub negated: bool,
}

impl EventFilter {
    /// Whether a deploy started by a trigger of `kind` runs this piece of the script.
    pub(crate) fn admits(self, kind: &TriggerKind) -> bool {
        let matches = match self.event {
            ScriptEvent::Push => matches!(kind, TriggerKind::Branch | TriggerKind::Tag),
            ScriptEvent::PullRequest => *kind == TriggerKind::PullRequest,
            ScriptEvent::Manual => *kind == TriggerKind::Manual,
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
    pub(crate) fn admits(&self, kind: &TriggerKind, pattern: Option<&str>) -> bool {
        match kind {
            TriggerKind::Branch => match pattern {
                Some(p) => (p == self.branch) != self.negated,
                None => true,
            },
            TriggerKind::Tag | TriggerKind::PullRequest => self.negated,
            _ => true,
        }
    }
}

/// Variables that hold the event that started the pipeline.
const EVENT_VARIABLES: &[&str] = &[
    "GITHUB_EVENT_NAME",
    "github.event_name",
    "CI_PIPELINE_SOURCE",
    "BUILD_REASON",
];

/// The event the command at byte `at` of `script` runs on, when it sits in the `then` or `else`
/// branch of an `if` that compares an event variable with one event name.
pub(crate) fn event_branch(script: &str, at: usize) -> Option<EventFilter> {
    let before = script.get(..at)?;
    let words = keywords(before);
    // Walk back to the innermost open `if`, noting the nearest branch keyword at its level.
    let mut depth = 0usize;
    let mut branch: Option<&str> = None;
    let mut elif = false;
    let mut open_if = None;
    for (i, &(offset, word)) in words.iter().enumerate().rev() {
        match word {
            "fi" => depth += 1,
            "if" if depth > 0 => depth -= 1,
            "if" => {
                open_if = Some((i, offset));
                break;
            }
            "elif" if depth == 0 => elif = true,
            "then" | "else" if depth == 0 && branch.is_none() => branch = Some(word),
            _ => {}
        }
    }
    let (i, if_at) = open_if?;
    // An `elif` chain tests more than one condition: say nothing.
    if elif {
        return None;
    }
    let else_branch = branch? == "else";
    let then_at = words
        .iter()
        .skip(i + 1)
        .find(|(_, w)| *w == "then")
        .map(|(o, _)| *o)?;
    let mut filter = condition_event(before.get(if_at + 2..then_at)?)?;
    filter.negated ^= else_branch;
    Some(filter)
}

/// The event a test such as `[ "$GITHUB_EVENT_NAME" = push ]` compares with.
fn condition_event(condition: &str) -> Option<EventFilter> {
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
    let event = match (push, pull) {
        (true, false) => ScriptEvent::Push,
        (false, true) => ScriptEvent::PullRequest,
        _ => return None,
    };
    Some(EventFilter { event, negated })
}

/// The shell keywords of `text` that shape an `if`, with their byte offsets.
fn keywords(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        let separator = c.is_whitespace() || matches!(c, ';' | '(' | ')' | '&' | '|');
        match (separator, start) {
            (true, Some(s)) => {
                let word = text.get(s..i).unwrap_or_default();
                if matches!(word, "if" | "then" | "else" | "elif" | "fi") {
                    out.push((s, word));
                }
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(script: &str, needle: &str) -> Option<EventFilter> {
        event_branch(script, script.find(needle).unwrap_or(0))
    }

    #[test]
    fn branches_on_the_event() {
        let push = |negated| {
            Some(EventFilter {
                event: ScriptEvent::Push,
                negated,
            })
        };
        let s = "if [ \"$GITHUB_EVENT_NAME\" = \"push\" ]; then\n  NS=prod\nelse\n  NS=pr-$PR\nfi\nkubectl apply -n $NS\n";
        assert_eq!(at(s, "NS=prod"), push(false));
        assert_eq!(at(s, "NS=pr-"), push(true));
        assert_eq!(at(s, "kubectl"), None);
        let s = "if [[ ${{ github.event_name }} == 'pull_request' ]]; then NS=pr-1; fi";
        assert_eq!(
            at(s, "NS="),
            Some(EventFilter {
                event: ScriptEvent::PullRequest,
                negated: false
            })
        );
        // A nested, closed `if` in between does not hide the outer one.
        let s = "if [ \"$CI_PIPELINE_SOURCE\" != push ]; then if [ -n x ]; then echo; fi; NS=a; fi";
        assert_eq!(at(s, "NS=a"), push(true));
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
}
