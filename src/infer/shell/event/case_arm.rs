//! The arm of a shell `case` a command sits in, read as a test of the `case`'s subject:
//!
//! ```sh
//! case "$CI_COMMIT_BRANCH" in
//!   main) NS=prod ;;
//!   develop) NS=staging ;;
//!   *) exit 0 ;;
//! esac
//! ```
//!
//! `NS=prod` runs where `[ "$CI_COMMIT_BRANCH" = main ]` holds. An arm of one plain pattern is
//! read; one of several (`main|master`), a glob or the default `*)` says nothing.

use super::{ScriptCondition, condition_event, condition_input, condition_ref, words};

/// The innermost `case` open at byte `at` of `script` (its offset) and what the arm holding
/// `at` tests, when it is the branch, the event or a dispatch input compared with one literal.
/// `keywords` are the script's keywords before `at`, `case` and `esac` among them.
pub(super) fn case_arm(
    script: &str,
    keywords: &[(usize, &str)],
    at: usize,
) -> Option<(usize, ScriptCondition)> {
    let mut depth = 0usize;
    let start = keywords.iter().rev().find_map(|&(offset, word)| {
        match word {
            "esac" => depth += 1,
            "case" if depth > 0 => depth -= 1,
            "case" => return Some(offset),
            _ => {}
        }
        None
    })?;
    let text = script.get(start + "case".len()..at)?;
    let (in_at, _) = words(text).find(|(_, w)| *w == "in")?;
    let subject = text.get(..in_at)?.trim();
    let arms_at = start + "case".len() + in_at + "in".len();
    let arm = script.get(arm_start(script, keywords, arms_at, at)..at)?;
    let (pattern, _) = arm.trim_start().split_once(')')?;
    let pattern = pattern.trim().trim_start_matches('(').trim();
    let pattern = pattern.trim_matches(|c| c == '"' || c == '\'');
    if pattern.is_empty() || pattern.contains(['|', '*', '?', '[', '$']) {
        return None;
    }
    let test = format!("[ {subject} = \"{pattern}\" ]");
    let condition = condition_event(&test)
        .map(ScriptCondition::Event)
        .or_else(|| condition_ref(&test).map(ScriptCondition::Ref))
        .or_else(|| condition_input(&test))?;
    Some((start, condition))
}

/// Where the arm holding byte `at` starts: after the nearest `;;` (or `;&`, `;;&`) before `at`
/// that is not inside a `case` nested in an earlier arm, else at `arms_at` (just after `in`).
/// Read backwards from `at`, so a command costs the length of its own arm, not of the `case`.
fn arm_start(script: &str, keywords: &[(usize, &str)], arms_at: usize, at: usize) -> usize {
    let bytes = script.as_bytes();
    // The nested `case`/`esac` words between the two, nearest first: going back, an `esac`
    // enters a nested `case` and its `case` leaves it.
    let mut nested = keywords
        .iter()
        .rev()
        .take_while(|(o, _)| *o >= arms_at)
        .filter_map(|&(o, w)| match w {
            "esac" => Some((o, 1)),
            "case" => Some((o, -1)),
            _ => None,
        })
        .peekable();
    let mut depth = 0i32;
    let mut i = at.min(bytes.len());
    while i > arms_at + 1 {
        i -= 1;
        while let Some((_, d)) = nested.next_if(|(o, _)| *o >= i) {
            depth += d;
        }
        let ends = bytes[i] == b'&' || bytes[i] == b';';
        if ends && bytes[i - 1] == b';' && depth == 0 {
            return i + 1;
        }
    }
    arms_at
}

#[cfg(test)]
mod tests {
    use super::super::{RefFilter, script_keywords};
    use super::*;

    fn at(script: &str, needle: &str) -> Option<ScriptCondition> {
        let at = script.find(needle).unwrap_or(0);
        let keywords = script_keywords(script);
        let before = &keywords[..keywords.partition_point(|(o, _)| *o < at)];
        case_arm(script, before, at).map(|(_, c)| c)
    }

    fn branch(b: &str) -> Option<ScriptCondition> {
        Some(ScriptCondition::Ref(RefFilter {
            branch: b.to_owned(),
            negated: false,
        }))
    }

    #[test]
    fn each_arm_of_one_plain_pattern_is_a_test_of_the_subject() {
        let s = "case \"$CI_COMMIT_BRANCH\" in\n  main)\n    NS=prod\n    ;;\n  \"develop\") NS=staging ;;\n  release|hotfix) NS=rc ;;\n  *) exit 0 ;;\nesac\nkubectl apply -n $NS\n";
        assert_eq!(at(s, "NS=prod"), branch("main"));
        assert_eq!(at(s, "NS=staging"), branch("develop"));
        assert_eq!(at(s, "NS=rc"), None);
        assert_eq!(at(s, "exit 0"), None);
        assert_eq!(at(s, "kubectl"), None);
    }

    #[test]
    fn a_nested_case_is_passed_over_and_other_subjects_say_nothing() {
        let s = "case $GITHUB_REF_NAME in\n  main)\n    case $X in a) echo ;; b) echo ;; esac\n    helm upgrade x c/\n    ;;\nesac\n";
        assert_eq!(at(s, "helm"), branch("main"));
        assert_eq!(at(s, "echo"), None);
        let s = "case $1 in\n  prod) kubectl apply -f k8s/ ;;\nesac\n";
        assert_eq!(at(s, "kubectl"), None);
        let s = "case \"$GITHUB_EVENT_NAME\" in\n  push) kubectl apply -f k8s/ ;;\nesac\n";
        assert!(matches!(at(s, "kubectl"), Some(ScriptCondition::Event(_))));
    }
}
