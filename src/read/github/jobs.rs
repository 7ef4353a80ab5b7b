//! READ stage: lowers `jobs:` of a workflow into pipeline jobs: name, `needs`, `environment`,
//! `if:` conditions, matrix axes, `env:` and steps. Jobs that call a reusable workflow are handed
//! to [`super::reusable`].

use crate::read::{EnvironmentRef, Job, Trigger};
use crate::yaml::{Node, Value};

use super::context::{Ctx, Pairs, Scope, pairs, shape, text_of};
use super::{expr, reusable, steps};

/// Appends the jobs of a `jobs:` mapping to `out`, in file order. `inherited_env` is put before
/// each job's own `env:` (the called workflow's top-level `env:` for reusable workflows);
/// `workflow_dir` is the workflow's `defaults.run.working-directory` ([`run_dir`]).
pub(crate) fn lower_jobs(
    ctx: &mut Ctx<'_>,
    scope: &Scope<'_>,
    jobs: &Node,
    inherited_env: &[(String, String)],
    workflow_dir: Option<&str>,
    out: &mut Vec<Job>,
) {
    let Some(map) = jobs.as_map() else {
        shape(ctx, scope, jobs, "`jobs:`", "a mapping of job ids to jobs");
        return;
    };
    for (key, body) in map.entries() {
        lower_job(ctx, scope, key, body, (inherited_env, workflow_dir), out);
    }
}

/// `defaults: { run: { working-directory: x } }` of a workflow or job: where its `run:` steps
/// start unless they say otherwise.
pub(crate) fn run_dir(scope: &Scope<'_>, map: &crate::yaml::Mapping) -> Option<String> {
    map.get("defaults")
        .and_then(Node::as_map)
        .and_then(|d| d.get("run"))
        .and_then(Node::as_map)
        .and_then(|r| r.get("working-directory"))
        .and_then(text_of)
        .map(|d| scope.subst(&d))
}

fn lower_job(
    ctx: &mut Ctx<'_>,
    scope: &Scope<'_>,
    key: &Node,
    body: &Node,
    (inherited_env, workflow_dir): (&[(String, String)], Option<&str>),
    out: &mut Vec<Job>,
) {
    let Some(id) = text_of(key) else {
        shape(ctx, scope, key, "a job id", "a string");
        return;
    };
    let Some(map) = body.as_map() else {
        shape(ctx, scope, body, &format!("job `{id}`"), "a mapping");
        return;
    };
    let name = map
        .get("name")
        .and_then(text_of)
        .map_or_else(|| id.clone(), |n| scope.subst(&n));
    let needs = map
        .get("needs")
        .map(|n| needs(ctx, scope, n))
        .unwrap_or_default();
    let environment = map
        .get("environment")
        .and_then(|n| environment(ctx, scope, n));
    let conditions = map
        .get("if")
        .map(|n| conditions(scope, n))
        .unwrap_or_default();
    let matrix = map
        .get("strategy")
        .and_then(Node::as_map)
        .and_then(|s| s.get("matrix"))
        .map(|m| matrix(scope, m))
        .unwrap_or_default();
    let mut variables = inherited_env.to_vec();
    variables.extend(pairs(ctx, scope, map.get("env"), Pairs::Env));
    let outputs = pairs(ctx, scope, map.get("outputs"), Pairs::Outputs);
    let mut job_steps = Vec::new();
    if let Some(s) = map.get("steps") {
        let dir = run_dir(scope, map);
        let dir = dir.as_deref().or(workflow_dir);
        steps::lower_steps(ctx, scope, s, dir, &mut job_steps);
    }
    let job = Job {
        id,
        name,
        stage: None,
        needs,
        environment: environment.map(Box::new),
        conditions,
        manual: false,
        matrix,
        variables,
        outputs,
        through: Vec::new(),
        steps: job_steps,
        extends_unread: Vec::new(),
        loc: scope.loc(key.span),
    };
    match map.get("uses") {
        Some(uses) => {
            let call = reusable::Call {
                uses,
                with: map.get("with"),
                secrets: map.get("secrets"),
            };
            reusable::expand(ctx, scope, job, call, out);
        }
        None => out.push(job),
    }
}

/// `needs: build` or `needs: [build, test]`.
fn needs(ctx: &mut Ctx<'_>, scope: &Scope<'_>, node: &Node) -> Vec<String> {
    match &node.value {
        Value::Seq(items) => items.iter().filter_map(text_of).collect(),
        Value::Null => Vec::new(),
        _ if node.is_scalar() => text_of(node).into_iter().collect(),
        _ => {
            shape(ctx, scope, node, "`needs`", "a job id or a list of job ids");
            Vec::new()
        }
    }
}

/// `environment:` as a name, an expression (kept as text), or `{ name, url }`.
///
/// ```yaml
/// environment: production
/// environment: ${{ inputs.environment }}
/// environment: { name: production, url: "https://shop.example" }
/// ```
fn environment(ctx: &mut Ctx<'_>, scope: &Scope<'_>, node: &Node) -> Option<EnvironmentRef> {
    let written = match &node.value {
        Value::Map(m) => m.get("name").map(|name| {
            let url = m.get("url").and_then(text_of).map(|u| scope.subst(&u));
            (name, url)
        }),
        _ if node.is_scalar() => Some((node, None)),
        _ => None,
    };
    let Some((name_node, url)) = written else {
        let expected = "a name or a mapping with `name`";
        shape(ctx, scope, node, "`environment`", expected);
        return None;
    };
    let name = scope.subst(&text_of(name_node)?);
    if name.is_empty() {
        return None;
    }
    Some(EnvironmentRef {
        name,
        url,
        action: None,
        tier: None,
        on_stop: None,
        auto_stop_in: None,
        loc: scope.loc(name_node.span),
    })
}

/// The conditions of a job `if:` (a conjunction, see [`expr`]), all located at the value.
pub(crate) fn conditions(scope: &Scope<'_>, node: &Node) -> Vec<Trigger> {
    let Some(text) = text_of(node) else {
        return Vec::new();
    };
    expr::lower_in(&scope.subst_condition(&text), scope.dispatch)
        .into_iter()
        .map(|c| Trigger {
            choices: c.choices,
            ..Trigger::new(c.kind, c.pattern, c.negated, scope.loc(node.span))
        })
        .collect()
}

/// Matrix axes with their scalar values in file order; `include:` entries add their scalar
/// values under their keys, `exclude:` and expression-valued matrices are not recorded.
fn matrix(scope: &Scope<'_>, node: &Node) -> Vec<(String, Vec<String>)> {
    let Some(map) = node.as_map() else {
        return Vec::new();
    };
    let mut axes: Vec<(String, Vec<String>)> = Vec::new();
    for (key, values) in map.entries() {
        let Some(axis) = text_of(key) else { continue };
        if axis == "include" || axis == "exclude" {
            continue;
        }
        let values = match &values.value {
            Value::Seq(items) => items
                .iter()
                .filter_map(text_of)
                .map(|v| scope.subst(&v))
                .collect(),
            _ => text_of(values)
                .map(|v| scope.subst(&v))
                .into_iter()
                .collect(),
        };
        axes.push((axis, values));
    }
    let includes = map
        .get("include")
        .and_then(Node::as_seq)
        .unwrap_or_default();
    for (key, value) in includes
        .iter()
        .filter_map(Node::as_map)
        .flat_map(|m| m.entries())
    {
        let (Some(axis), Some(value)) = (text_of(key), text_of(value)) else {
            continue;
        };
        let value = scope.subst(&value);
        match axes.iter_mut().find(|(a, _)| *a == axis) {
            Some((_, values)) if values.contains(&value) => {}
            Some((_, values)) => values.push(value),
            None => axes.push((axis, vec![value])),
        }
    }
    axes
}
