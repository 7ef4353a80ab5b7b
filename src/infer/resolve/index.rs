//! INFER stage: the facts filed by job, so "does this job deploy", "which environments does it
//! deploy to" and "which credentials does it use" are lookups rather than scans.

use std::collections::{HashMap, HashSet};

use crate::infer::commands::references;
use crate::infer::shell::RefFilter;
use crate::infer::{CredentialFact, EnvironmentHint, Facts, HintSource, JobKey};

/// The facts about each job.
pub(crate) struct JobIndex<'f> {
    deploying: HashSet<&'f JobKey>,
    hints: HashMap<&'f JobKey, Vec<&'f EnvironmentHint>>,
    credentials: HashMap<&'f JobKey, Vec<&'f CredentialFact>>,
    /// The jobs whose one literal namespace names their target, each with the name the
    /// job's other hints give it, if one ([`named_namespaces`]).
    namespaced: HashMap<&'f JobKey, Option<&'f str>>,
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
        let namespaced = named_namespaces(&hints);
        JobIndex {
            deploying: facts.deploy_steps.iter().map(|d| &d.job).collect(),
            hints,
            credentials,
            namespaced,
        }
    }

    /// How strongly `hint` names its job's target (lower is stronger): its source's
    /// [rank](HintSource::rank), but a literal namespace without a tier word that tells the
    /// job's target apart ranks as a namespace with one, and a name that is only a variable
    /// the files do not set (`$(devEnvironment)`, `${NAMESPACE}`, a free-text input) ranks
    /// after every other hint: it says there is a target, not which. Per-branch and per-PR
    /// names (`$CI_COMMIT_REF_SLUG`) keep their rank: the variable is the name.
    fn rank(&self, hint: &EnvironmentHint) -> u8 {
        if !hint.dynamic && only_references(&hint.name) {
            // Among such names, the source still ranks them (a declared
            // `${{ inputs.environment }}` over the namespace `${{ inputs.namespace }}`).
            return UNNAMED + hint.source.rank();
        }
        let names_target = hint.source == HintSource::NamespaceName
            && is_literal(&hint.name)
            && self.namespaced.contains_key(&hint.job);
        if names_target {
            HintSource::Namespace.rank()
        } else {
            hint.source.rank()
        }
    }

    /// The name `job`'s other hints give its target when a literal namespace without a tier
    /// word names it instead (`staging` for a job `deploy-staging` running
    /// `kubectl apply -n shop`): where its tier comes from.
    pub(crate) fn tier_name(&self, job: &JobKey) -> Option<&'f str> {
        self.namespaced.get(job).copied().flatten()
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
        let Some(best) = hints.iter().map(|h| self.rank(h)).min() else {
            return Vec::new();
        };
        // When each of the job's deploys holds on a branch of its own (CircleCI `when` steps,
        // shell `if`s on the branch: `-n shop` on master, `-n shop-staging` on staging), the
        // strongest source is chosen per branch: each names that branch's target.
        let per_branch = hints
            .iter()
            .all(|h| h.refs.as_ref().is_some_and(|r| !r.negated));
        let mut best_per_branch: HashMap<&RefFilter, u8> = HashMap::new();
        if per_branch {
            for h in hints {
                if let Some(refs) = &h.refs {
                    let rank = best_per_branch.entry(refs).or_insert(u8::MAX);
                    *rank = (*rank).min(self.rank(h));
                }
            }
        }
        let best_on = |h: &EnvironmentHint| {
            h.refs
                .as_ref()
                .and_then(|r| best_per_branch.get(r).copied())
                .unwrap_or(best)
        };
        let mut chosen: Vec<&EnvironmentHint> = hints
            .iter()
            .copied()
            .filter(|h| self.rank(h) == best_on(h))
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

/// The rank of a hint whose name is only variables ([`JobIndex::rank`]): after every source,
/// then by its source's own rank.
const UNNAMED: u8 = 128;

/// Whether `name` is nothing but variable or expression references (`$(env)`, `${NS}`,
/// `${{ inputs.environment }}`, `$A$B`).
fn only_references(name: &str) -> bool {
    let name = name.trim();
    let mut rest = name;
    for (written, _) in references(name) {
        match rest.strip_prefix(written) {
            Some(after) => rest = after,
            None => return false,
        }
    }
    rest.is_empty() && !name.is_empty()
}

/// A namespace written out as Kubernetes spells one (`shop`: a DNS label of lowercase
/// letters, digits and inner hyphens), not a variable (`$KUBE_NAMESPACE`, a Groovy
/// `TOOLS_NAMESPACE`).
fn is_literal(name: &str) -> bool {
    let label = name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    label && (1..=63).contains(&name.len()) && !name.starts_with('-') && !name.ends_with('-')
}

/// The jobs whose target a literal namespace without a tier word names (`-n shop`), with the
/// one name their other hints give, if any. The namespace is the name the pipeline gives the
/// target, so it outranks the job's name, stage, values files and the like, but only when it
/// tells targets apart: the job writes to one such namespace (not `default`), names no
/// environment of its own (a declared one, or a namespace with a tier word), and no job
/// writing to that namespace names another target by other means. One namespace `prep`
/// written by a job's `staging` and `production` arms, or by workflows `deploy-staging` and
/// `deploy-testnet`, is shared: there the tiers name the targets, as before.
fn named_namespaces<'f>(
    hints: &HashMap<&'f JobKey, Vec<&'f EnvironmentHint>>,
) -> HashMap<&'f JobKey, Option<&'f str>> {
    let mut jobs: Vec<Candidate<'f>> = Vec::new();
    // Per namespace: every name other hints give the jobs writing to it.
    let mut targets: HashMap<&'f str, Vec<&'f str>> = HashMap::new();
    for (&job, job_hints) in hints {
        let (namespaces, others): (Vec<&EnvironmentHint>, Vec<&EnvironmentHint>) = job_hints
            .iter()
            .partition(|h| h.source == HintSource::NamespaceName);
        let mut namespaces: Vec<&str> = namespaces
            .iter()
            .map(|h| h.name.as_str())
            .filter(|n| is_literal(n))
            .collect();
        namespaces.sort_unstable();
        namespaces.dedup();
        if namespaces.is_empty() {
            continue;
        }
        let best = others.iter().map(|h| h.source.rank()).min();
        let mut names: Vec<&str> = others
            .iter()
            .filter(|h| Some(h.source.rank()) == best)
            .map(|h| h.name.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        // A job that names its target itself (a declared environment, a namespace with a
        // tier word) does not make the namespace shared. A job whose cluster is named for its
        // tier (`aws eks update-kubeconfig --name dev`, `get-credentials shop-cluster-prod`)
        // is no candidate either: the cluster is the environment, the namespace the
        // application's.
        let cluster = others.iter().any(|h| h.source == HintSource::Context);
        if best.is_some_and(|b| b <= HintSource::Namespace.rank()) || cluster {
            continue;
        }
        for namespace in &namespaces {
            targets.entry(namespace).or_default().extend(&names);
        }
        jobs.push(Candidate {
            job,
            namespaces,
            names,
        });
    }
    for names in targets.values_mut() {
        names.sort_unstable();
        names.dedup();
    }
    jobs.into_iter()
        .filter_map(|c| {
            let [namespace] = c.namespaces.as_slice() else {
                return None;
            };
            let shared = targets.get(namespace).is_some_and(|t| t.len() > 1);
            (*namespace != "default" && !shared).then(|| (c.job, c.names.first().copied()))
        })
        .collect()
}

/// A job writing to literal namespaces without a tier word, and naming no target itself.
struct Candidate<'f> {
    job: &'f JobKey,
    /// Its literal namespaces, sorted, once each.
    namespaces: Vec<&'f str>,
    /// The names its other hints' strongest source gives, sorted, once each.
    names: Vec<&'f str>,
}
