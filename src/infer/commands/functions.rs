//! INFER stage: shell functions. A function definition runs nothing; a call runs the body. A
//! job's units (its steps and the scripts they call) share one shell, as GitLab's
//! `before_script` and `script` lines do, so a function defined in one unit (an Auto DevOps
//! anchor that every job inherits, a sourced `functions.sh`) and called in another runs there.
//! The commands of a body no live command calls are dropped from the job, and so are the
//! scripts called only from such a body.

use std::collections::HashSet;

use crate::infer::commands::unit::Unit;
use crate::infer::shell::Command;

/// Drops from `units` the commands written in the bodies of shell functions the job never
/// calls, and the units called only from such bodies. A command is live when it is outside
/// every function body, or in the body of a called function; a live command calls a function
/// when its first word is the function's name (`deploy`, `timeout 600 deploy`, `trap cleanup
/// EXIT`). A live command run through an unresolved variable (`"$@"`, `$1`, `eval "$CMD"`)
/// may call any function of its own unit, so all of those count as called.
pub(super) fn keep_called(units: &mut Vec<Unit>) {
    let defined: HashSet<&str> = units
        .iter()
        .flat_map(|u| u.cmds.iter().filter_map(|c| c.function.as_deref()))
        .collect();
    if defined.is_empty() {
        return;
    }
    let mut called: HashSet<String> = HashSet::new();
    // Each round adds at least one function or stops, so this ends after `defined.len() + 1`.
    loop {
        let mut newly: Vec<String> = Vec::new();
        for unit in units.iter().filter(|u| runs(u, &called)) {
            for cmd in unit.cmds.iter().filter(|c| live(c, &called)) {
                if dispatches(cmd) {
                    newly.extend(unit.cmds.iter().filter_map(|c| c.function.clone()));
                } else if let Some(name) = callee(cmd).filter(|n| defined.contains(n)) {
                    newly.push(name.to_owned());
                }
            }
        }
        let before = called.len();
        called.extend(newly);
        if called.len() == before {
            break;
        }
    }
    units.retain(|u| runs(u, &called));
    for unit in units.iter_mut() {
        keep_live(&mut unit.cmds, &called);
    }
}

/// Whether a unit runs: every function it was called from inside of is called.
fn runs(unit: &Unit, called: &HashSet<String>) -> bool {
    unit.gates.iter().all(|g| called.contains(g))
}

/// Whether a command runs: it is outside any function body, or its function is called.
fn live(cmd: &Command, called: &HashSet<String>) -> bool {
    cmd.function.as_ref().is_none_or(|f| called.contains(f))
}

/// The function a command may call: its first word as written (a path is no function name),
/// or the handler `trap` installs.
fn callee(cmd: &Command) -> Option<&str> {
    let first = cmd.words.first()?.text.as_str();
    if first == "trap" {
        return cmd.words.get(1)?.text.split_whitespace().next();
    }
    (!first.contains('/')).then_some(first)
}

/// A command whose program is a variable the tokenizer could not resolve (`"$@"`, `$1`), or
/// one set to such a variable (`COMMAND=$1` then `${COMMAND} ${ARGUMENTS}`).
fn dispatches(cmd: &Command) -> bool {
    cmd.words.first().is_some_and(|w| w.text.starts_with('$'))
}

/// Keeps the live commands, renumbering what feeds each one through a pipe.
fn keep_live(cmds: &mut Vec<Command>, called: &HashSet<String>) {
    if cmds.iter().all(|c| live(c, called)) {
        return;
    }
    let mut new_index: Vec<Option<usize>> = Vec::with_capacity(cmds.len());
    let mut kept = 0;
    for cmd in cmds.iter() {
        if live(cmd, called) {
            new_index.push(Some(kept));
            kept += 1;
        } else {
            new_index.push(None);
        }
    }
    cmds.retain(|c| live(c, called));
    for cmd in cmds.iter_mut() {
        cmd.stdin_from = cmd
            .stdin_from
            .and_then(|i| new_index.get(i).copied().flatten());
    }
}
