//! READ stage: one resolved GitLab job (extends, `!reference` and defaults applied) lowered
//! into a [`Job`].

use super::context::Ctx;
use super::rules::{from_only_except, from_rules};
use super::value::{At, Kind, Val};
use crate::read::lines::scalar_line_starts;
use crate::read::pipeline::{EnvironmentRef, Job, Step, Trigger, TriggerKind};

/// GitLab flattens nested script arrays up to ten levels deep.
const MAX_SCRIPT_NESTING: usize = 10;

/// Lowers job `id` (written at `key_at`) from its resolved mapping. `globals` are the pipeline
/// variables this job inherits.
pub(super) fn lower_job(
    ctx: &Ctx<'_>,
    id: &str,
    key_at: At,
    job: &Val,
    globals: &[(String, String)],
) -> Job {
    let mut conditions = Vec::new();
    let mut manual = false;
    if let Some(rules) = job.get("rules") {
        let (found, rule_manual) = from_rules(ctx, rules);
        conditions.extend(found);
        manual |= rule_manual;
    }
    if let Some(only) = job.get("only") {
        conditions.extend(from_only_except(ctx, only, false));
    }
    if let Some(except) = job.get("except") {
        conditions.extend(from_only_except(ctx, except, true));
    }
    // Without `rules`, `only` or `except`, GitLab's default is `only: [branches, tags]`: the job
    // is left out of merge request pipelines, even where `workflow: rules` creates them.
    if ["rules", "only", "except"]
        .iter()
        .all(|k| job.get(k).is_none())
    {
        conditions.push(Trigger::new(
            TriggerKind::PullRequest,
            None,
            true,
            ctx.loc(key_at),
        ));
    }
    if let Some(when) = job.get("when")
        && when.text() == Some("manual")
    {
        manual = true;
        conditions.push(Trigger::new(
            TriggerKind::Manual,
            None,
            false,
            ctx.loc(when.at),
        ));
    }
    let mut variables = globals.to_vec();
    if let Some(own) = job.get("variables") {
        for (name, value) in variables_of(own) {
            match variables.iter_mut().find(|(n, _)| *n == name) {
                Some(slot) => slot.1 = value,
                None => variables.push((name, value)),
            }
        }
    }
    let mut steps = Vec::new();
    for key in ["before_script", "script", "after_script"] {
        if let Some(script) = job.get(key) {
            script_steps(ctx, script, 0, &mut steps);
        }
    }
    Job {
        id: id.to_owned(),
        name: id.to_owned(),
        stage: Some(
            job.get("stage")
                .and_then(Val::text)
                .unwrap_or("test")
                .to_owned(),
        ),
        needs: needs(job),
        environment: job
            .get("environment")
            .and_then(|e| environment(ctx, e))
            .map(Box::new),
        conditions,
        manual,
        matrix: matrix(job),
        variables,
        outputs: Vec::new(),
        through: Vec::new(),
        steps,
        // Set by the caller, which resolved `extends:`.
        extends_unread: Vec::new(),
        loc: ctx.loc(key_at),
    }
}

/// `variables:` entries: `NAME: value` or `NAME: {value: ..., description: ...}`.
pub(super) fn variables_of(vars: &Val) -> Vec<(String, String)> {
    vars.entries()
        .iter()
        .map(|e| {
            let value = match &e.value.kind {
                Kind::Map(_) => e
                    .value
                    .get("value")
                    .and_then(Val::text)
                    .unwrap_or_default()
                    .to_owned(),
                Kind::Scalar(s) => s.clone(),
                Kind::Null | Kind::Seq(_) => String::new(),
            };
            (e.key.clone(), value)
        })
        .collect()
}

fn script_steps(ctx: &Ctx<'_>, script: &Val, depth: usize, out: &mut Vec<Step>) {
    match &script.kind {
        Kind::Scalar(text) => out.push(Step::Script {
            // A line copied in by `!reference` is named after the reference and its use site.
            name: script
                .via
                .as_ref()
                .map(|(reference, at)| format!("{reference} used at {}", ctx.position(*at))),
            text: text.clone(),
            loc: ctx.loc(script.at),
            line_starts: scalar_line_starts(
                ctx.text(script.at.file),
                script.at.span,
                script.style,
                text,
            ),
            dir: None,
            env: Vec::new(),
            when: Vec::new(),
        }),
        Kind::Seq(items) if depth < MAX_SCRIPT_NESTING => {
            for item in items {
                script_steps(ctx, item, depth + 1, out);
            }
        }
        _ => {}
    }
}

/// `needs:` job names: strings, or mappings with `job:` (cross-project and upstream-pipeline
/// needs name jobs elsewhere and are left out).
fn needs(job: &Val) -> Vec<String> {
    let Some(needs) = job.get("needs") else {
        return Vec::new();
    };
    needs
        .items()
        .iter()
        .filter_map(|n| match &n.kind {
            Kind::Scalar(s) => Some(s.clone()),
            Kind::Map(_) if n.get("project").is_none() && n.get("pipeline").is_none() => {
                n.get("job").and_then(Val::text).map(str::to_owned)
            }
            _ => None,
        })
        .collect()
}

fn environment(ctx: &Ctx<'_>, env: &Val) -> Option<EnvironmentRef> {
    let field = |key: &str| env.get(key).and_then(Val::text).map(str::to_owned);
    let (name, at) = match &env.kind {
        Kind::Scalar(s) => (s.clone(), env.at),
        Kind::Map(_) => {
            let name = env.get("name")?;
            (name.text()?.to_owned(), name.at)
        }
        _ => return None,
    };
    Some(EnvironmentRef {
        name,
        url: field("url"),
        action: field("action"),
        tier: field("deployment_tier"),
        on_stop: field("on_stop"),
        auto_stop_in: field("auto_stop_in"),
        loc: ctx.loc(at),
    })
}

/// `parallel: matrix:` axes: each item maps names to a value or a list of values; values of the
/// same name across items are merged in order without repeats.
fn matrix(job: &Val) -> Vec<(String, Vec<String>)> {
    let mut axes: Vec<(String, Vec<String>)> = Vec::new();
    let Some(items) = job.get("parallel").and_then(|p| p.get("matrix")) else {
        return axes;
    };
    for item in items.items() {
        for entry in item.entries() {
            let values = entry.value.scalars().into_iter().filter_map(Val::text);
            let slot = match axes.iter().position(|(k, _)| *k == entry.key) {
                Some(i) => i,
                None => {
                    axes.push((entry.key.clone(), Vec::new()));
                    axes.len() - 1
                }
            };
            if let Some((_, list)) = axes.get_mut(slot) {
                for v in values {
                    if !list.iter().any(|x| x == v) {
                        list.push(v.to_owned());
                    }
                }
            }
        }
    }
    axes
}
