//! INFER stage: rule `environment-triggers` — what makes a deploy to an environment happen.
//!
//! A job's own ref conditions (`if: github.ref == ...`, `rules:`, `only:`, `when { branch }`,
//! workflow `filters:`) are what deploy it; without any, the pipeline's triggers are. A manual
//! gate (`when: manual`, an approval job, `input`) is a trigger of its own, next to the ref
//! that offers it.

use crate::infer::environment::job_environments;
use crate::infer::{Confidence, Context, EnvironmentTrigger, Evidence, Facts, Rule};
use crate::source::{Job, Loc, Pipeline, Trigger, TriggerKind};

pub(crate) struct EnvironmentTriggers;

impl Rule for EnvironmentTriggers {
    fn id(&self) -> &'static str {
        "environment-triggers"
    }

    fn describe(&self) -> &'static str {
        "a deploying job's ref conditions, or else its pipeline's triggers, deploy its environment"
    }

    fn apply(&self, cx: &Context<'_>, facts: &mut Facts) {
        let mut new = Vec::new();
        for pipeline in cx.pipelines {
            for job in &pipeline.jobs {
                let environments: Vec<String> = job_environments(facts, &pipeline.file, &job.id)
                    .iter()
                    .map(|h| h.name.clone())
                    .collect();
                for found in triggers_of(pipeline, job) {
                    for environment in &environments {
                        new.push(EnvironmentTrigger {
                            environment: environment.clone(),
                            kind: found.kind.clone(),
                            pattern: found.pattern.clone(),
                            evidence: Evidence {
                                rule: self.id(),
                                loc: found.loc.clone(),
                                note: format!(
                                    "{} deploys `{environment}` through job `{}`",
                                    found.note, job.id
                                ),
                                confidence: found.confidence,
                            },
                        });
                    }
                }
            }
        }
        facts.environment_triggers.extend(new);
    }
}

/// Kinds that say which event or ref starts a deploy.
fn is_ref_kind(kind: &TriggerKind) -> bool {
    matches!(
        kind,
        TriggerKind::Branch
            | TriggerKind::Tag
            | TriggerKind::PullRequest
            | TriggerKind::Schedule
            | TriggerKind::Upstream
            | TriggerKind::Caller
    )
}

/// One trigger of a job's deploys, with where it is written.
struct Found {
    kind: TriggerKind,
    pattern: Option<String>,
    loc: Loc,
    confidence: Confidence,
    note: String,
}

impl Found {
    fn from(t: &Trigger, confidence: Confidence, what: &str) -> Found {
        Found {
            kind: t.kind.clone(),
            pattern: t.pattern.clone(),
            loc: t.loc.clone(),
            confidence,
            note: trigger_text(t, what),
        }
    }
}

fn triggers_of(pipeline: &Pipeline, job: &Job) -> Vec<Found> {
    let mut out = Vec::new();
    let own: Vec<&Trigger> = job
        .conditions
        .iter()
        .filter(|c| !c.negated && is_ref_kind(&c.kind))
        .collect();
    if own.is_empty() {
        // Without job conditions the job runs whenever the pipeline does; an expression the
        // reader could not parse may narrow that, hence lower confidence then.
        let narrowed = job
            .conditions
            .iter()
            .any(|c| c.kind == TriggerKind::Expression);
        let confidence = if narrowed {
            Confidence::Low
        } else {
            Confidence::Medium
        };
        for t in pipeline
            .triggers
            .iter()
            .filter(|t| !t.negated && t.kind != TriggerKind::Expression)
        {
            out.push(Found::from(t, confidence, "the pipeline trigger"));
        }
    } else {
        for t in own {
            out.push(Found::from(t, Confidence::High, "the job condition"));
        }
    }
    for c in job
        .conditions
        .iter()
        .filter(|c| !c.negated && c.kind == TriggerKind::Manual)
    {
        out.push(Found::from(c, Confidence::High, "the manual gate"));
    }
    // A manual job, or one that waits for an approval job (CircleCI `type: approval`), is
    // started by a person even when no condition says so.
    let approval = job.needs.iter().find_map(|need| {
        pipeline
            .jobs
            .iter()
            .find(|j| &j.id == need && j.manual && j.steps.is_empty())
    });
    let gate = if job.manual { Some(job) } else { approval };
    if let Some(gate) = gate
        && !out.iter().any(|f| f.kind == TriggerKind::Manual)
    {
        out.push(Found {
            kind: TriggerKind::Manual,
            pattern: None,
            loc: gate.loc.clone(),
            confidence: Confidence::High,
            note: format!("the manual gate `{}`", gate.id),
        });
    }
    let mut seen = Vec::new();
    out.retain(|f| {
        let key = (f.kind.clone(), f.pattern.clone());
        let fresh = !seen.contains(&key);
        seen.push(key);
        fresh
    });
    out
}

fn trigger_text(t: &Trigger, what: &str) -> String {
    match &t.pattern {
        Some(p) => format!("{what} `{}: {p}`", kind_name(&t.kind)),
        None => format!("{what} `{}`", kind_name(&t.kind)),
    }
}

/// The JSON spelling of a trigger kind.
pub fn kind_name(kind: &TriggerKind) -> &'static str {
    match kind {
        TriggerKind::Branch => "branch",
        TriggerKind::Tag => "tag",
        TriggerKind::Manual => "manual",
        TriggerKind::PullRequest => "pull_request",
        TriggerKind::Schedule => "schedule",
        TriggerKind::Upstream => "upstream",
        TriggerKind::Caller => "caller",
        TriggerKind::Expression => "expression",
    }
}
