//! INFER stage: the facts filed by job, so "does this job deploy", "which environments does it
//! deploy to" and "which credentials does it use" are lookups rather than scans.

use std::collections::{HashMap, HashSet};

use crate::infer::{CredentialFact, EnvironmentHint, Facts, JobKey};

/// The facts about each job.
pub(crate) struct JobIndex<'f> {
    deploying: HashSet<&'f JobKey>,
    hints: HashMap<&'f JobKey, Vec<&'f EnvironmentHint>>,
    credentials: HashMap<&'f JobKey, Vec<&'f CredentialFact>>,
}

impl<'f> JobIndex<'f> {
    /// Files `facts` by job.
    pub(crate) fn new(facts: &'f Facts) -> JobIndex<'f> {
        let mut hints: HashMap<&JobKey, Vec<&EnvironmentHint>> = HashMap::new();
        for hint in &facts.environment_hints {
            hints.entry(&hint.job).or_default().push(hint);
        }
        let mut credentials: HashMap<&JobKey, Vec<&CredentialFact>> = HashMap::new();
        for credential in &facts.credentials {
            if let Some(job) = credential.scope.job() {
                credentials.entry(job).or_default().push(credential);
            }
        }
        JobIndex {
            deploying: facts.deploy_steps.iter().map(|d| &d.job).collect(),
            hints,
            credentials,
        }
    }

    /// Whether `job` runs a deploy step.
    pub(crate) fn deploys(&self, job: &JobKey) -> bool {
        self.deploying.contains(job)
    }

    /// The environments `job` deploys to: the hints of its strongest source
    /// ([`crate::infer::HintSource::rank`]), one per name and condition, sorted by name
    /// (several when a matrix, an input or an expression expands one name into many).
    pub(crate) fn environments(&self, job: &JobKey) -> Vec<&'f EnvironmentHint> {
        let Some(hints) = self.hints.get(job) else {
            return Vec::new();
        };
        let Some(best) = hints.iter().map(|h| h.source.rank()).min() else {
            return Vec::new();
        };
        let mut chosen: Vec<&EnvironmentHint> = hints
            .iter()
            .copied()
            .filter(|h| h.source.rank() == best)
            .collect();
        chosen.sort_by(|a, b| a.name.cmp(&b.name));
        // One name may hold under two conditions (`${{ inputs.env || 'production' }}`:
        // `production` as a choice and as the fallback of every other start): both stay.
        chosen.dedup_by(|a, b| {
            a.name == b.name
                && a.events == b.events
                && a.refs == b.refs
                && a.chosen_by == b.chosen_by
        });
        chosen
    }

    /// The one environment `job` deploys to, if it deploys to exactly one.
    pub(crate) fn environment(&self, job: &JobKey) -> Option<String> {
        match self.environments(job).as_slice() {
            [one, rest @ ..] if rest.iter().all(|h| h.name == one.name) => Some(one.name.clone()),
            _ => None,
        }
    }

    /// The credentials `job` itself uses (not its pipeline's variables), in the order found.
    pub(crate) fn credentials(&self, job: &JobKey) -> &[&'f CredentialFact] {
        self.credentials.get(job).map_or(&[], Vec::as_slice)
    }
}
