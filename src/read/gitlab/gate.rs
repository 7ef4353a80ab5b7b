//! GitLab's blocking manual jobs: a job with `when: manual` and `allow_failure: false` holds
//! back every job of the later stages until someone runs it (GitLab marks the pipeline
//! "blocked"). So a deploy two stages after an `approval` job of that kind is started by a
//! person too, though it says nothing of it itself.

use crate::files::Loc;
use crate::read::{Job, Trigger, TriggerKind};

use super::value::Val;

/// GitLab's stages when the file lists none.
const DEFAULT_STAGES: &[&str] = &[".pre", "build", "test", "deploy", ".post"];

/// A blocking manual job, found while lowering: its stage, its ref conditions and where its
/// `when: manual` is written.
pub(super) struct Gate {
    id: String,
    stage: String,
    refs: Vec<(TriggerKind, Option<String>)>,
    at: Loc,
}

/// The gate `job` (lowered as `lowered`) is, if it blocks: `when: manual` with
/// `allow_failure: false` written on the job itself.
pub(super) fn gate(job: &Val, lowered: &Job) -> Option<Gate> {
    let blocks = job.get("allow_failure").and_then(Val::text) == Some("false");
    let manual = lowered
        .conditions
        .iter()
        .find(|t| t.kind == TriggerKind::Manual)?;
    (blocks && lowered.manual).then(|| Gate {
        id: lowered.id.clone(),
        stage: lowered.stage.clone().unwrap_or_default(),
        refs: refs(lowered),
        at: manual.loc.clone(),
    })
}

/// Makes every job of the pipeline's own (`own[i]`, not a child pipeline's) of a stage after a
/// gate's, on the refs the gate runs on, wait for a person: manual, with the gate's
/// `when: manual` as its manual condition. A job with `needs:` waits only when it names the
/// gate (what it needs in turn is not followed).
pub(super) fn hold_back(config: &Val, gates: &[Gate], jobs: &mut [Job], own: &[bool]) {
    if gates.is_empty() {
        return;
    }
    let listed: Vec<&str> = config
        .get("stages")
        .map(|s| s.scalars().into_iter().filter_map(Val::text).collect())
        .unwrap_or_default();
    let stages = if listed.is_empty() {
        DEFAULT_STAGES.to_vec()
    } else {
        listed
    };
    let index = |stage: &str| stages.iter().position(|s| *s == stage);
    for (job, _) in jobs
        .iter_mut()
        .zip(own)
        .filter(|(j, own)| **own && !j.manual)
    {
        let Some(at) = job.stage.as_deref().and_then(index) else {
            continue;
        };
        let job_refs = refs(job);
        // A job with `needs:` starts when the jobs it names finish, whatever the stages.
        let held = gates.iter().find(|g| {
            (job.needs.is_empty() || job.needs.contains(&g.id))
                && index(&g.stage).is_some_and(|gi| gi < at)
                && (g.refs.is_empty()
                    || job_refs.is_empty()
                    || g.refs.iter().any(|r| job_refs.contains(r)))
        });
        if let Some(gate) = held {
            job.manual = true;
            job.conditions.push(Trigger::new(
                TriggerKind::Manual,
                None,
                false,
                gate.at.clone(),
            ));
        }
    }
}

/// A job's branch and tag conditions, as (kind, pattern).
fn refs(job: &Job) -> Vec<(TriggerKind, Option<String>)> {
    job.conditions
        .iter()
        .filter(|t| matches!(t.kind, TriggerKind::Branch | TriggerKind::Tag) && !t.negated)
        .map(|t| (t.kind.clone(), t.pattern.clone()))
        .collect()
}
