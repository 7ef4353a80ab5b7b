//! INFER stage: environments, grouped by name from the hints of deploying jobs, with their
//! tier, per-branch flag, triggers and evidence.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::infer::resolve::{JobIndex, place};
use crate::infer::tier::tier_of;
use crate::infer::{Confidence, Evidence, Facts, JobKey, Tier};
use crate::read::{Pipeline, TriggerKind};

/// One environment CI deploys to.
#[derive(Debug)]
pub(crate) struct Environment {
    /// The name as the chosen hints spell it.
    pub name: String,
    /// The canonical tier ([`tier`]).
    pub tier: Tier,
    /// Whether it is per-branch or per-PR.
    pub dynamic: bool,
    /// What deploys it, sorted, once each.
    pub triggers: Vec<Trigger>,
    /// Every hint and trigger behind it, ordered by place and rule.
    pub evidence: Vec<Evidence>,
    /// The strongest hint's confidence.
    pub confidence: Confidence,
}

/// One way an environment gets deployed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Trigger {
    pub kind: TriggerKind,
    /// The branch or tag pattern, cron, input or upstream name, as written.
    pub pattern: Option<String>,
}

/// The environments of `facts`. Only environments a deploying job targets are reported: a
/// namespace on an unrelated command, or an `environment: pypi` on a job that publishes a
/// package, is not a cluster environment.
pub(super) fn environments(
    facts: &Facts,
    index: &JobIndex<'_>,
    pipelines: &[Pipeline],
) -> Vec<Environment> {
    // GitLab's `deployment_tier` says the tier outright.
    let declared: BTreeMap<&str, &str> = pipelines
        .iter()
        .flat_map(|p| p.jobs.iter())
        .filter_map(|j| j.environment.as_ref())
        .filter_map(|e| e.tier.as_deref().map(|t| (e.name.as_str(), t)))
        .collect();
    // A reusable workflow that only runs when called, and that a workflow of the repository
    // calls: the reader put its jobs in each caller, where the caller's inputs and triggers
    // name their environments. Read on its own, it would add the names its callers override
    // (`environment: ${{ inputs.environment }}` aside, a literal namespace) as `caller`
    // environments of their own.
    let called = crate::read::called_files(pipelines);
    let inlined: HashSet<&str> = pipelines
        .iter()
        .filter(|p| {
            called.contains(&*p.file)
                && !p.triggers.is_empty()
                && p.triggers.iter().all(|t| t.kind == TriggerKind::Caller)
        })
        .map(|p| &*p.file)
        .collect();
    let mut by_name: BTreeMap<&str, Environment> = BTreeMap::new();
    let mut tiers: BTreeMap<&str, &str> = BTreeMap::new();
    // The names each job's environments have, found once per job rather than once per hint.
    let mut chosen_names: HashMap<&JobKey, HashSet<&str>> = HashMap::new();
    for hint in &facts.environment_hints {
        let chosen = chosen_names
            .entry(&hint.job)
            .or_insert_with(|| {
                index
                    .environments(&hint.job)
                    .iter()
                    .map(|h| h.name.as_str())
                    .collect()
            })
            .contains(hint.name.as_str());
        if !chosen || !index.deploys(&hint.job) || inlined.contains(&*hint.job.pipeline) {
            continue;
        }
        // A namespace that names the job's target takes its tier from the job's other hints.
        if let Some(other) = index.tier_name(&hint.job) {
            tiers.entry(&hint.name).or_insert(other);
        }
        let env = by_name.entry(&hint.name).or_insert_with(|| Environment {
            name: hint.name.clone(),
            tier: Tier::Other,
            dynamic: false,
            triggers: Vec::new(),
            evidence: Vec::new(),
            confidence: Confidence::Low,
        });
        env.dynamic |= hint.dynamic;
        env.confidence = env.confidence.max(hint.evidence.confidence);
        env.evidence.push(hint.evidence.clone());
    }
    for t in &facts.environment_triggers {
        let Some(env) = by_name.get_mut(t.environment.as_str()) else {
            continue;
        };
        if inlined.contains(&*t.job.pipeline) {
            continue;
        }
        env.triggers.push(Trigger {
            kind: t.kind.clone(),
            pattern: t.pattern.clone(),
        });
        env.evidence.push(t.evidence.clone());
    }
    let mut out: Vec<Environment> = by_name.into_values().collect();
    for env in &mut out {
        env.tier = tier(
            &env.name,
            declared.get(env.name.as_str()).copied(),
            env.dynamic,
        );
        if env.tier == Tier::Other
            && let Some(other) = tiers.get(env.name.as_str())
        {
            env.tier = tier(other, None, env.dynamic);
        }
        env.triggers.sort();
        env.triggers.dedup();
        env.evidence
            .sort_by(|a, b| place(&a.loc).cmp(&place(&b.loc)).then(a.rule.cmp(&b.rule)));
        env.evidence.dedup_by(|a, b| {
            place(&a.loc) == place(&b.loc) && a.rule == b.rule && a.note == b.note
        });
    }
    out
}

/// The tier of environment `name`: preview when it is per-branch or per-PR; else a declared
/// tier (GitLab `deployment_tier`); else the tier word in the name.
pub(crate) fn tier(name: &str, declared: Option<&str>, dynamic: bool) -> Tier {
    if dynamic {
        Tier::Preview
    } else {
        tier_of(name, declared).0
    }
}
