//! INFER stage: resolution. The facts every rule produced (and the one pipeline declaration the
//! decisions need, GitLab's `deployment_tier`) become an [`Inference`]: which commands are deploy
//! steps and for which jobs, the environment of each step and whether an operator can take it
//! over, the environments with their tier and triggers, the credentials, images, tests and apps.
//! Every decision the analysis document, the reports and later `migrate` read is made here; the
//! document only adds positions.
//!
//! Everything is ordered by where it is written (file, then byte offset), and what is written
//! once is reported once: a command several jobs run is one step with several jobs.

mod environments;
mod index;

pub(crate) use environments::Environment;
pub(crate) use index::JobIndex;

use std::collections::HashMap;

use crate::files::Loc;
use crate::files::work::{self, Work};
use crate::infer::vocab::DeployTool;
use crate::infer::{CredentialFact, DeployStep, Facts, ImageFact, JobKey, SecretFlow, TestFact};
use crate::read::Pipeline;

/// What analysis concluded about a repository's pipelines.
#[derive(Debug)]
pub(crate) struct Inference {
    /// Steps that deploy to a cluster from CI, by place.
    pub deploy_steps: Vec<Deploy>,
    /// Environments CI deploys to, by name.
    pub environments: Vec<Environment>,
    /// Image builds and pushes, once per place and builder.
    pub images: Vec<ImageFact>,
    /// Test commands, once per place.
    pub tests: Vec<TestFact>,
    /// Cluster credentials CI holds, once per place and name.
    pub credentials: Vec<CredentialFact>,
    /// CI secrets deploys hand to the cluster, once per place, secret, target and environment.
    pub secret_flows: Vec<Flow>,
}

/// A CI secret a deploy hands to the cluster, with the environment of its job.
#[derive(Debug)]
pub(crate) struct Flow {
    pub flow: SecretFlow,
    pub environment: Option<String>,
}

/// One deploy step: a command or packaged step, where it is written, and every job that runs
/// it (a command written once in a template, anchor, reusable workflow or script can run from
/// several jobs).
#[derive(Debug)]
pub(crate) struct Deploy {
    /// The first job's fact: what the rule saw, with the command and its evidence.
    pub step: DeployStep,
    /// Every job that runs it, sorted.
    pub jobs: Vec<JobKey>,
    /// The environment, when every job that runs it deploys to the same single one.
    pub environment: Option<String>,
    /// Whether an operator can take it over ([`migratable`]).
    pub migratable: bool,
}

/// Resolves `facts` about `pipelines`.
pub(crate) fn resolve(facts: &Facts, pipelines: &[Pipeline]) -> Inference {
    let index = JobIndex::new(facts);
    Inference {
        deploy_steps: deploy_steps(facts, &index),
        environments: environments::environments(facts, &index, pipelines),
        images: once_per_place(&facts.images, |i| &i.evidence.loc, |i| i.builder),
        tests: once_per_place(&facts.tests, |t| &t.evidence.loc, |_| ()),
        credentials: credentials(facts, &index),
        secret_flows: secret_flows(facts, &index),
    }
}

fn secret_flows(facts: &Facts, index: &JobIndex<'_>) -> Vec<Flow> {
    let mut flows: Vec<Flow> = facts
        .secret_flows
        .iter()
        .map(|f| Flow {
            flow: f.clone(),
            environment: index.environment(&f.job),
        })
        .collect();
    fn key(f: &Flow) -> ((&str, usize), &str) {
        (place(&f.flow.evidence.loc), &f.flow.ci_name)
    }
    flows.sort_by(|a, b| key(a).cmp(&key(b)).then(a.environment.cmp(&b.environment)));
    flows.dedup_by(|a, b| {
        key(a) == key(b) && a.flow.target == b.flow.target && a.environment == b.environment
    });
    flows
}

/// The credentials to revoke, once per place, name and pipeline (a script two workflows call
/// holds a credential for each), without the cloud keys of jobs and pipelines that deploy
/// nothing.
fn credentials(facts: &Facts, index: &JobIndex<'_>) -> Vec<CredentialFact> {
    let deploying: std::collections::HashSet<&str> = facts
        .deploy_steps
        .iter()
        .map(|d| &*d.job.pipeline)
        .collect();
    let mut credentials: Vec<CredentialFact> = facts
        .credentials
        .iter()
        .filter(|c| {
            !c.deploy_only
                || match c.scope.job() {
                    Some(job) => index.deploys(job),
                    None => deploying.contains(c.scope.pipeline()),
                }
        })
        .cloned()
        .collect();
    fn key(c: &CredentialFact) -> ((&str, usize), &str) {
        (place(&c.evidence.loc), c.scope.pipeline())
    }
    credentials.sort_by(|a, b| key(a).cmp(&key(b)).then(a.name.cmp(&b.name)));
    credentials.dedup_by(|a, b| key(a) == key(b) && a.name == b.name);
    credentials
}

/// Where something is written, as the order of everything resolved: file, then byte offset.
pub(crate) fn place(loc: &Loc) -> (&str, usize) {
    (&*loc.file, loc.span.start)
}

/// `items` ordered by place, keeping the first of consecutive items at one place with one
/// `what` (the same build run by two jobs is one build).
fn once_per_place<T: Clone, W: PartialEq>(
    items: &[T],
    loc: impl Fn(&T) -> &Loc,
    what: impl Fn(&T) -> W,
) -> Vec<T> {
    let mut out = items.to_vec();
    out.sort_by(|a, b| place(loc(a)).cmp(&place(loc(b))));
    out.dedup_by(|a, b| place(loc(a)) == place(loc(b)) && what(a) == what(b));
    out
}

/// The deploy facts merged by place and tool, with each step's jobs, environment and
/// migratability, ordered by place and tool.
fn deploy_steps(facts: &Facts, index: &JobIndex<'_>) -> Vec<Deploy> {
    let mut steps: Vec<Deploy> = Vec::new();
    let mut by_place: HashMap<((&str, usize), DeployTool), usize> = HashMap::new();
    for d in &facts.deploy_steps {
        let environment = index.environment(&d.job);
        let key = (place(&d.evidence.loc), d.tool);
        if let Some(existing) = by_place.get(&key).and_then(|i| steps.get_mut(*i)) {
            if existing.environment != environment {
                existing.environment = None;
            }
            // Sorted and freed of repeats once at the end: a template step shared by
            // thousands of jobs must not be searched and re-sorted for each of them.
            work::count(Work::DedupCompares, 1);
            existing.jobs.push(d.job.clone());
            continue;
        }
        by_place.insert(key, steps.len());
        steps.push(Deploy {
            step: d.clone(),
            jobs: vec![d.job.clone()],
            environment,
            migratable: migratable(d.tool, &d.operation),
        });
    }
    for step in &mut steps {
        step.jobs.sort();
        step.jobs.dedup();
    }
    steps.sort_by(|a, b| {
        place(&a.step.evidence.loc)
            .cmp(&place(&b.step.evidence.loc))
            .then(a.step.tool.cmp(&b.step.tool))
    });
    steps
}

/// Whether `migrate` can hand a deploy to the operator: declarative applies of manifests,
/// overlays or charts. Deletes, restarts, scaling and rollbacks are decisions for a person.
pub(crate) fn migratable(tool: DeployTool, operation: &str) -> bool {
    let op = operation.to_ascii_lowercase();
    let imperative = [
        "delete",
        "uninstall",
        "destroy",
        "rollback",
        "restart",
        "scale",
        "undo",
        "pause",
        "resume",
        "abort",
        "retry",
        "promote",
    ];
    // What a reusable workflow or shared-library step nobody can read does (operation
    // `call`) is a question for a person, too.
    !imperative.iter().any(|w| op.contains(w))
        && op != "call"
        && !matches!(tool, DeployTool::Jx | DeployTool::Unknown)
}

#[cfg(test)]
mod tests;
