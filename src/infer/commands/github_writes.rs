//! What a GitHub step writes to `$GITHUB_ENV` and `$GITHUB_OUTPUT` for the steps and jobs after
//! it, always or on one branch or event only.

use std::collections::HashMap;

use super::{Limits, Unit, values};
use crate::infer::shell::{self, Command};
use crate::read::{ConditionalValue, Job, Trigger, TriggerKind};

/// The variables a step writes to `$GITHUB_ENV` (`echo "NS=shop-prod" >> "$GITHUB_ENV"`), which
/// GitHub sets for the steps after it, and the outputs it writes to `$GITHUB_OUTPUT` (or with
/// `::set-output name=K::V`), which later steps read as `${{ steps.<id>.outputs.K }}`: the
/// variable `outputs.K` (the step's id is not kept; a job rarely has two steps with one
/// output name). A write in the branch of an `if` on the branch (`if [[ $GITHUB_REF_NAME ==
/// main ]]`) or on the event (`if [ "$GITHUB_EVENT_NAME" = workflow_dispatch ]`) holds there
/// only: the second list, as conditional values; so does any write of a step whose own `if:`
/// tests the branch or the event; one in the `else` after `if`/`elif` tests of the branch holds
/// on the branches they leave (`otherwise`). A write inside any other `if` or `case`, or a
/// function body, is left out.
///
/// A write of a lone variable (`echo "environment=$ENV" >> $GITHUB_OUTPUT`) writes its value:
/// the one it was last given where it always runs, else, when every assignment of it so far
/// sits in such branches (`if [ "$GITHUB_REF" = refs/heads/main ]; then ENV=prod; elif ...`),
/// each of those values on its branch or event.
pub(super) fn github_writes(unit: &Unit) -> (Vec<(String, String)>, Vec<ConditionalValue>) {
    let (mut always, mut on_branch) = (Vec::new(), Vec::new());
    // Each variable's last top-level assignment so far, when it always runs (in no `if` or
    // `case`): a write of a lone `$NS` (`NS="pr-$N"; echo "ns=$NS" >> $GITHUB_OUTPUT`) writes
    // that value. A variable set only in branches that test the branch or event has those
    // values in `per_branch` instead; one set under any other condition has neither.
    let mut set_before: HashMap<&str, Option<&str>> = HashMap::new();
    let mut per_branch: HashMap<&str, Vec<(Holds, &str)>> = HashMap::new();
    for cmd in unit.cmds.iter().filter(|c| c.function.is_none()) {
        if cmd.words.is_empty() {
            let holds = holds(unit, cmd);
            // `CMD="$CMD -f x"` adds a flag to the command line the variable holds; it keeps
            // its first words wherever the append runs ([`shell::appends_to_itself`]).
            for (name, value) in &cmd.assignments {
                if shell::appends_to_itself(name, value) {
                    continue;
                }
                let branches = per_branch.entry(name).or_default();
                match &holds {
                    Holds::Always => {
                        set_before.insert(name, Some(value));
                        branches.clear();
                    }
                    Holds::Unread => {
                        set_before.insert(name, None);
                        branches.clear();
                    }
                    on => {
                        let first = set_before.insert(name, None).is_none();
                        // After an unconditional or an unread value, the branches do not say
                        // all the variable can hold.
                        if first || !branches.is_empty() {
                            branches.push((on.clone(), value));
                        }
                    }
                }
            }
        }
        let target = cmd
            .redirects
            .iter()
            .filter(|r| r.op.ends_with('>'))
            .find_map(|r| match r.target.text.as_str() {
                "$GITHUB_ENV" | "${GITHUB_ENV}" | "${{ github.env }}" => Some(""),
                "$GITHUB_OUTPUT" | "${GITHUB_OUTPUT}" | "${{ github.output }}" => Some("outputs."),
                _ => None,
            });
        if cmd.program() != Some("echo") {
            continue;
        }
        let holds = holds(unit, cmd);
        for word in cmd.words.iter().skip(1) {
            let Some((name, value)) = written(&word.text, target) else {
                continue;
            };
            let var = target.and_then(|_| values::lone_var(value));
            let value = var
                .and_then(|v| set_before.get(v).copied().flatten())
                .unwrap_or(value);
            let branches = var
                .filter(|_| holds == Holds::Always)
                .and_then(|v| per_branch.get(v))
                .filter(|b| !b.is_empty());
            if let Some(branches) = branches {
                for (on, value) in branches {
                    on_branch.extend(on.value(&name, value, unit, cmd));
                }
                continue;
            }
            match &holds {
                Holds::Always => always.push((name, value.to_owned())),
                on => on_branch.extend(on.value(&name, value, unit, cmd)),
            }
        }
    }
    (always, on_branch)
}

/// What job `job` (whose units are `units`) hands on under conditions: each GitHub output it
/// declares as a step's output (`outputs: { environment: ${{ steps.set.outputs.environment }}
/// }`) that a step writes only on some branch or event, as the variable
/// `needs.<job>.outputs.<name>` the jobs after it read. An output written under more than
/// [`MAX_HANDED`] conditions is left out, with a `script-limit` diagnostic in `limits`: each
/// job that needs it would name that many environments.
pub(crate) fn handed_on_branch(
    job: &Job,
    units: &[Unit],
    limits: &mut Limits,
) -> Vec<ConditionalValue> {
    let Some(unit) = units.first() else {
        return Vec::new();
    };
    let written = unit.vars.all_on_branch();
    let mut out = Vec::new();
    for (output, value) in &job.outputs {
        let Some(var) = values::lone_var(value.trim()) else {
            continue;
        };
        let values: Vec<&ConditionalValue> = written.iter().filter(|c| c.name == var).collect();
        if values.len() > MAX_HANDED {
            limits.push(
                job.loc.clone(),
                format!(
                    "job `{}` writes its output `{output}` under {} conditions, more than the {MAX_HANDED} read per output; the jobs that need it keep the environment it names as written",
                    job.id,
                    values.len()
                ),
            );
            continue;
        }
        out.extend(values.into_iter().map(|c| ConditionalValue {
            name: format!("needs.{}.outputs.{output}", job.id),
            ..c.clone()
        }));
    }
    out
}

/// How many values one output may hand on per branch or event ([`handed_on_branch`]), as many
/// names as a declared environment may expand to from its inputs.
const MAX_HANDED: usize = 64;

/// `K=V` written to `$GITHUB_ENV` (`target` `""`) or `$GITHUB_OUTPUT` (`"outputs."`), or with
/// `::set-output name=K::V` (no target): the variable's name with the target's prefix, and the
/// value.
fn written<'w>(word: &'w str, target: Option<&str>) -> Option<(String, &'w str)> {
    let (prefix, (k, v)) = match target {
        Some(prefix) => (prefix, word.split_once('=')?),
        None => (
            "outputs.",
            word.strip_prefix("::set-output name=")?.split_once("::")?,
        ),
    };
    is_output_name(k).then(|| (format!("{prefix}{k}"), v))
}

/// When a command of a step runs, as a write or an assignment needs it.
#[derive(Clone, PartialEq)]
enum Holds {
    /// In no `if` or `case` of the script, and the step has no condition on the branch or
    /// event.
    Always,
    /// In the `else` after `if`/`elif` tests of the branch.
    Otherwise,
    /// In the branch of an `if` on the branch, event or a dispatch input, or in a step whose
    /// own condition tests one.
    When(shell::ScriptCondition),
    /// Under any other condition, or in a `case`.
    Unread,
}

fn holds(unit: &Unit, cmd: &Command) -> Holds {
    // Outside any `if` of the script, the step's own condition is the command's.
    let inside = unit.in_conditional(cmd.start);
    let condition = if inside {
        unit.condition_branch(cmd.start)
    } else {
        unit.step_when.clone()
    };
    match condition {
        Some(c) => Holds::When(c),
        None if !inside => Holds::Always,
        None if unit.in_branch_else(cmd.start) => Holds::Otherwise,
        None => Holds::Unread,
    }
}

impl Holds {
    /// `name` holding `value` when `self` says, written by `cmd`; none when always or unread.
    fn value(
        &self,
        name: &str,
        value: &str,
        unit: &Unit,
        cmd: &Command,
    ) -> Option<ConditionalValue> {
        let loc = unit.loc(cmd);
        let when = match self {
            Holds::Always | Holds::Unread => return None,
            // The `else` after tests of the branch: every branch the earlier writes leave.
            Holds::Otherwise => Vec::new(),
            Holds::When(condition) => {
                // A branch test keeps its branch; an event test is the event's trigger kind.
                let (kind, pattern, negated) = match condition {
                    shell::ScriptCondition::Ref(r) => {
                        (TriggerKind::Branch, Some(r.branch.clone()), r.negated)
                    }
                    // Chosen by a person: a manual start with that input, whichever way it
                    // tests.
                    shell::ScriptCondition::Input { name, .. } => {
                        (TriggerKind::Manual, Some(name.clone()), false)
                    }
                    shell::ScriptCondition::Event(e) => (e.event.trigger_kind(), None, e.negated),
                };
                vec![Trigger::new(kind, pattern, negated, loc.clone())]
            }
        };
        Some(ConditionalValue {
            name: name.to_owned(),
            value: value.to_owned(),
            otherwise: when.is_empty(),
            when,
            loc,
        })
    }
}

/// A variable or output name: letters, digits, `_` and `-`.
fn is_output_name(k: &str) -> bool {
    !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}
