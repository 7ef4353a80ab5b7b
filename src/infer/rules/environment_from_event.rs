//! INFER stage: `environment-from-event` — a namespace (or, without one, a Helm release) the
//! script picks by CI event or by branch:
//!
//! ```sh
//! if [ "$GITHUB_EVENT_NAME" = push ]; then NS=prod; else NS=pr-$PR_NUMBER; fi
//! kubectl apply -n "$NS" -f k8s/
//! ```
//!
//! deploys `prod` on a push and `pr-$PR_NUMBER` (a per-PR preview) on every other event. Each
//! assignment becomes a namespace hint that holds only for its event
//! ([`EnvironmentHint::events`]) or, for `if [ "$BRANCH_NAME" = dev ]`, its branch
//! ([`EnvironmentHint::refs`]); `environment-triggers` then pairs it only with the triggers
//! of that event or branch. `environment-from-command` leaves such assignments alone.

use std::collections::HashSet;

use crate::infer::RuleId;
use crate::infer::commands::lone_var;
use crate::infer::engine::{CommandSite, Rule};
use crate::infer::rules::environment_name_from_command::name_command_hint;
use crate::infer::shell::{EventFilter, ScriptCondition, ScriptEvent};
use crate::infer::tier::is_dynamic;
use crate::infer::{Confidence, EnvironmentHint, Evidence, Facts, HintSource, JobKey};
use crate::read::TriggerKind;

/// Deploy commands whose namespace (or Helm release) a script sets per event ⇒
/// [`EnvironmentHint`]s.
#[derive(Default)]
pub(crate) struct EnvironmentFromEvent {
    /// (job, name) already hinted: the first deploy command that names it is the evidence.
    seen: HashSet<(JobKey, String)>,
}

impl Rule for EnvironmentFromEvent {
    fn id(&self) -> RuleId {
        RuleId::EnvironmentFromEvent
    }

    fn on_command(&mut self, c: &CommandSite<'_>, facts: &mut Facts) {
        let Some(m) = c.deploy else {
            return;
        };
        // The namespace the command is given; without one, a Helm release it names.
        let (var, source, what) = match (m.namespace.as_deref(), m.release.as_deref()) {
            (Some(ns), _) => (lone_var(ns), HintSource::Namespace, "namespace"),
            (None, Some(release)) => (lone_var(release), HintSource::Release, "Helm release"),
            (None, None) => match m.workload.as_deref() {
                Some(workload) => (lone_var(workload), HintSource::Workload, "workload"),
                None => (None, HintSource::Namespace, ""),
            },
        };
        let Some(var) = var else {
            return;
        };
        let unit = c.unit;
        for assigning in unit.cmds.iter().take(c.index) {
            let Some(value) = assigning.assigned(var).filter(|v| !v.trim().is_empty()) else {
                continue;
            };
            let Some(condition) = unit.condition_branch(assigning.start) else {
                continue;
            };
            let manual = EventFilter {
                event: ScriptEvent::Manual,
                negated: false,
            };
            let (events, refs, chosen_by) = match &condition {
                ScriptCondition::Event(e) => (Some(*e), None, Vec::new()),
                ScriptCondition::Ref(r) => (None, Some(r.clone()), Vec::new()),
                ScriptCondition::Input { name, .. } => (Some(manual), None, vec![name.clone()]),
            };
            // A name built from a variable on pull requests is one per pull request.
            let dynamic = is_dynamic(&value)
                || (value.contains('$')
                    && events.is_some_and(|e| e.admits(&TriggerKind::PullRequest)));
            let note = format!(
                "`{}` deploys to {what} `${var}`, which the script sets to `{value}` {}",
                unit.command_line(c.cmd),
                describe(&condition)
            );
            let Some((source, name, note)) = name_command_hint(source, dynamic, value, note) else {
                continue;
            };
            if !self.seen.insert((c.job.key.clone(), name.clone())) {
                continue;
            }
            facts.environment_hints.push(EnvironmentHint {
                name,
                job: c.job.key.clone(),
                source,
                dynamic,
                events,
                refs,
                chosen_by,
                evidence: Evidence::new(self.id(), unit.loc(c.cmd), note, Confidence::Medium),
            });
        }
    }
}

/// `on a push`, `on every event but a pull request`, `on branch dev`, for notes.
fn describe(condition: &ScriptCondition) -> String {
    match condition {
        ScriptCondition::Event(e) => e.describe(),
        ScriptCondition::Ref(r) if r.negated => format!("on every ref but `{}`", r.branch),
        ScriptCondition::Ref(r) => format!("on branch `{}`", r.branch),
        ScriptCondition::Input { name, .. } => format!("when a person chooses it with `{name}`"),
    }
}
