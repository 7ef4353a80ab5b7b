//! READ stage: lowers `steps:` into pipeline steps. `run:` becomes a script with per-line source
//! offsets; `uses:` becomes an action with its `with:` inputs, followed by the steps of a local
//! composite action when it is one (see [`super::composite`]).

use crate::read::Step;
use crate::yaml::Node;

use super::composite;
use super::context::{Ctx, Pairs, Scope, pairs, shape, text_of};
use crate::read::lines::line_starts;

/// Appends the steps of a `steps:` list to `out`. `default_dir` is where a `run:` step without
/// its own `working-directory:` starts (the job's or workflow's `defaults.run`).
pub(crate) fn lower_steps(
    ctx: &mut Ctx<'_>,
    scope: &Scope<'_>,
    steps: &Node,
    default_dir: Option<&str>,
    out: &mut Vec<Step>,
) {
    let Some(items) = steps.as_seq() else {
        if !steps.is_null() {
            shape(ctx, scope, steps, "`steps`", "a list");
        }
        return;
    };
    for item in items {
        lower_step(ctx, scope, item, default_dir, out);
    }
}

fn lower_step(
    ctx: &mut Ctx<'_>,
    scope: &Scope<'_>,
    item: &Node,
    default_dir: Option<&str>,
    out: &mut Vec<Step>,
) {
    let Some(map) = item.as_map() else {
        shape(ctx, scope, item, "a step", "a mapping");
        return;
    };
    let name = map.get("name").and_then(text_of).map(|n| scope.subst(&n));
    // The step's own `if:`, typed as a job's, except that a test of a dispatch input stays an
    // expression: in a step it chooses what the run does (`inputs.action == 'uninstall'`),
    // not which environment a job deploys.
    let step_scope = Scope {
        dispatch: &[],
        ..*scope
    };
    let when = map
        .get("if")
        .map(|n| super::jobs::conditions(&step_scope, n))
        .unwrap_or_default();
    if let Some(run) = map.get("run") {
        let Some(raw) = text_of(run) else {
            shape(ctx, scope, run, "`run`", "a script");
            return;
        };
        // `working-directory:` of the step, else the defaults.
        let dir = map
            .get("working-directory")
            .and_then(text_of)
            .map(|d| scope.subst(&d))
            .or_else(|| default_dir.map(str::to_owned));
        let mut starts = line_starts(scope.src, run, &raw);
        let text = scope.subst(&raw);
        // Substituted values are spliced inside lines; only a value with a line break would
        // shift the lines after it.
        if text.lines().count() != raw.lines().count() {
            starts.clear();
        }
        // The step's own `env:`, which its script sees on top of the job's.
        let env = pairs(ctx, scope, map.get("env"), Pairs::Env);
        out.push(Step::Script {
            name,
            text,
            loc: scope.loc(run.span),
            line_starts: starts,
            dir,
            env,
            when,
        });
    } else if let Some(uses) = map.get("uses") {
        let Some(reference) = text_of(uses) else {
            shape(ctx, scope, uses, "`uses`", "an action reference");
            return;
        };
        let reference = composite::own_action(ctx, &reference).unwrap_or(reference);
        let with = pairs(ctx, scope, map.get("with"), Pairs::With);
        let loc = scope.loc(uses.span);
        // The step's own `env:` is handed to the action too (`K8S_NAMESPACE`, a kubeconfig).
        let env = pairs(ctx, scope, map.get("env"), Pairs::Env);
        let inputs = with
            .iter()
            .cloned()
            .chain(env.into_iter().map(|(k, v)| (format!("env.{k}"), v)))
            .collect();
        out.push(Step::Action {
            name,
            uses: reference.clone(),
            with: inputs,
            loc: loc.clone(),
            when: when.clone(),
        });
        if reference.starts_with("./") {
            let first = out.len();
            composite::expand(ctx, &reference, &with, &loc, out);
            // A composite action's steps run only when the step that calls it does.
            for step in &mut out[first..] {
                step.when_mut().splice(0..0, when.iter().cloned());
            }
        }
    } else {
        shape(ctx, scope, item, "a step", "a mapping with `run` or `uses`");
    }
}
