//! Names whose value something else chooses under conditions: a job the named one needs, which
//! hands on an output per branch or event, or a GitHub expression a job variable is set to.

use super::{Named, conditional_within, expand};
use crate::files::Loc;
use crate::infer::expression::Value;
use crate::infer::shell::{EventFilter, ScriptEvent};
use crate::read::{ConditionalValue, Job, Pipeline, Trigger, TriggerKind};

/// [`expand`], with the values jobs it needs hand on under conditions (`handed`, named
/// `needs.<job>.outputs.<name>`, [`crate::infer::commands::handed_on_branch`]): a name that
/// reads such an output (`environment: ${{ needs.determine.outputs.environment }}`) takes each
/// value on its branch or event, a value that is itself a choice input each of its choices;
/// and what [`expand`] reads from the name itself, unless that kept the output as written.
pub(crate) fn expand_handed(
    name: &str,
    job: &Job,
    pipeline: &Pipeline,
    handed: &[ConditionalValue],
) -> Vec<Named> {
    let expanded = expand(name, job, pipeline);
    let from_handed = conditional_within(name.trim(), handed, &pipeline.triggers);
    if from_handed.is_empty() {
        return expanded;
    }
    // A script that gives a manual start its own value (`if [ "$GITHUB_EVENT_NAME" =
    // workflow_dispatch ]; then ENV=$INPUT; elif [ "$GITHUB_REF" = refs/heads/main ] ...`)
    // tests the branch for the other events: a value held on a branch holds on a push there.
    let manual_own = from_handed.iter().any(|n| {
        n.events
            .is_some_and(|e| e.event == ScriptEvent::Manual && !e.negated)
    });
    let mut out: Vec<Named> = Vec::new();
    let mut add = |n: Named| {
        let same = |o: &Named| {
            o.name == n.name
                && o.refs == n.refs
                && o.events == n.events
                && o.chosen_by == n.chosen_by
        };
        if !out.iter().any(same) {
            out.push(n);
        }
    };
    for mut n in from_handed {
        if manual_own && n.refs.is_some() && n.events.is_none() {
            n.events = Some(EventFilter {
                event: ScriptEvent::Push,
                negated: false,
            });
        }
        if !n.name.contains("${{") {
            add(n);
            continue;
        }
        for mut inner in expand(&n.name, job, pipeline) {
            if !inner.name.contains("${{") {
                inner.from = n.from.clone();
                inner.events = inner.events.or(n.events);
                inner.refs = inner.refs.or(n.refs.clone());
                add(inner);
            }
        }
    }
    for n in expanded.into_iter().filter(|n| !n.name.contains("needs.")) {
        add(n);
    }
    out
}

/// The variables among `vars` whose value is a GitHub expression choosing between literals by
/// the ref or event (`PROFILE: ${{ github.ref == 'refs/heads/production' && 'prod' ||
/// 'staging' }}`), each literal as a value set under its condition, written at `loc`: what
/// [`conditional_within`] expands a name holding the variable over; a dispatch input it takes
/// (`${{ github.event.inputs.environment || 'staging' }}`) is the value `${{ inputs.NAME }}`,
/// whose choices the name then takes.
pub(crate) fn expression_values(vars: &[(String, String)], loc: &Loc) -> Vec<ConditionalValue> {
    let mut out = Vec::new();
    for (name, value) in vars {
        let Some(inner) = value
            .trim()
            .strip_prefix("${{")
            .and_then(|v| v.strip_suffix("}}"))
            .filter(|v| !v.contains("${{"))
        else {
            continue;
        };
        let Some(outcomes) = crate::infer::expression::outcomes(inner) else {
            continue;
        };
        for o in outcomes {
            // A dispatch input is read as one: its choices, each on the manual start.
            let literal = match o.value {
                Value::Literal(literal) => literal,
                Value::Input(input) => format!("${{{{ inputs.{input} }}}}"),
            };
            let when = match (o.refs, o.events) {
                (Some(r), _) => vec![Trigger::new(
                    TriggerKind::Branch,
                    Some(r.branch),
                    r.negated,
                    loc.clone(),
                )],
                (None, Some(e)) => vec![Trigger::new(
                    e.event.trigger_kind(),
                    None,
                    e.negated,
                    loc.clone(),
                )],
                (None, None) => Vec::new(),
            };
            out.push(ConditionalValue {
                name: name.clone(),
                value: literal,
                otherwise: when.is_empty(),
                when,
                loc: loc.clone(),
            });
        }
    }
    out
}
