//! Walking up a job's `needs:` / `requires:`: the filters, `if:` conditions and approvals a
//! job inherits from the jobs it waits for.

use std::collections::{HashMap, VecDeque};

use super::is_ref_kind;
use crate::files::work::{self, Work};
use crate::read::{Job, Pipeline, Trigger, TriggerKind};

/// How many jobs up a `requires:` chain filters and approvals are looked for.
const MAX_UPSTREAM: usize = 64;

/// A pipeline's jobs by id, so finding a job's parent or the jobs it needs is a lookup: a
/// scan of every job per job made pipelines of thousands of jobs quadratic.
pub(super) struct JobsById<'p>(HashMap<&'p str, Vec<&'p Job>>);

impl<'p> JobsById<'p> {
    pub(super) fn new(pipeline: &'p Pipeline) -> JobsById<'p> {
        let mut by_id: HashMap<&str, Vec<&Job>> = HashMap::new();
        for job in &pipeline.jobs {
            by_id.entry(job.id.as_str()).or_default().push(job);
        }
        JobsById(by_id)
    }

    /// The first job, in file order, with id `id` for which `pick` holds.
    pub(super) fn find(&self, id: &str, pick: impl Fn(&Job) -> bool) -> Option<&'p Job> {
        work::count(Work::JobLookups, 1);
        self.0.get(id)?.iter().copied().find(|j| pick(j))
    }
}

/// The ref filters of the nearest jobs up `job`'s `requires:` chain that have any (CircleCI:
/// a job whose required job is filtered out does not run either).
pub(super) fn upstream_filters(jobs: &JobsById<'_>, job: &Job) -> Vec<Trigger> {
    let mut out = Vec::new();
    walk_upstream(jobs, job, |up| {
        let filters: Vec<&Trigger> = up
            .conditions
            .iter()
            .filter(|c| is_ref_kind(&c.kind))
            .collect();
        out.extend(filters.iter().map(|c| (*c).clone()));
        !filters.is_empty()
    });
    out
}

/// GitHub: the `if:` conditions of the nearest jobs up `job`'s `needs:` that have any; a job
/// that runs anyway (`always()`, `!cancelled()`) passes on its other tests only, and none of
/// the jobs it needs.
pub(super) fn upstream_conditions(jobs: &JobsById<'_>, job: &Job) -> Vec<Trigger> {
    let mut out = Vec::new();
    walk_upstream(jobs, job, |up| {
        // A job that runs whatever happened to the jobs it needs (`!cancelled() &&
        // github.ref == 'refs/heads/main'`) still runs only where its own tests hold.
        let anyway = up.conditions.iter().any(runs_anyway);
        out.extend(up.conditions.iter().filter(|c| !runs_anyway(c)).cloned());
        anyway || !up.conditions.is_empty()
    });
    out
}

/// A GitHub `if:` that runs the job whatever happened to the jobs it needs.
pub(super) fn runs_anyway(c: &Trigger) -> bool {
    c.kind == TriggerKind::Expression
        && c.pattern.as_deref().is_some_and(|p| {
            ["always()", "failure()", "cancelled()"]
                .iter()
                .any(|f| p.contains(f))
        })
}

/// The nearest approval (a manual job that deploys nothing) anywhere up `job`'s `requires:`
/// chain.
pub(super) fn upstream_approval<'p>(
    jobs: &JobsById<'p>,
    job: &Job,
    deploys: &dyn Fn(&str) -> bool,
) -> Option<&'p Job> {
    let mut found = None;
    walk_upstream(jobs, job, |up| {
        if found.is_none() && up.manual && !deploys(&up.id) {
            found = Some(up);
        }
        found.is_some()
    });
    found
}

/// GitHub's approval idiom: a job that declares an environment, whose protection rules make a
/// person approve it, and is named for that in its id, name or environment (`approval-prd`
/// with `environment: Approve`). Whether it deploys is the caller's test.
pub(super) fn approval_job(job: &Job) -> bool {
    let Some(environment) = &job.environment else {
        return false;
    };
    [&job.id, &job.name, &environment.name].iter().any(|name| {
        let name = name.to_ascii_lowercase();
        ["approv", "manual", "gate"]
            .iter()
            .any(|w| name.contains(w))
    })
}

/// Visits the jobs up `job`'s `needs`, nearest first, each once and at most [`MAX_UPSTREAM`];
/// `visit` returns whether to stop climbing above the job it was given.
fn walk_upstream<'p>(jobs: &JobsById<'p>, job: &Job, mut visit: impl FnMut(&'p Job) -> bool) {
    let mut queue: VecDeque<String> = job.needs.iter().cloned().collect();
    let mut seen: Vec<String> = Vec::new();
    while let Some(id) = queue.pop_front() {
        if seen.contains(&id) || seen.len() >= MAX_UPSTREAM {
            continue;
        }
        let up = jobs.find(&id, |_| true);
        seen.push(id);
        if let Some(up) = up
            && !visit(up)
        {
            queue.extend(up.needs.iter().cloned());
        }
    }
}
