//! INFER stage: the names a declared environment can take. A name written as a template is
//! expanded where the file says what it can be: a matrix axis (`${{ matrix.cluster }}`), a
//! `workflow_dispatch` choice input or an Azure runtime parameter with `values:`, the values of
//! a `&&`/`||` expression (each holding on its branch or event), a variable the job or pipeline
//! sets, or an Azure variable set in compile-time `${{ if }}` blocks (each value holding on the
//! branches its block tests). Used for `environment:` declarations and for the `environment`
//! input a deploy step or call is given.

mod conditioned;
pub(crate) use conditioned::{expand_handed, expression_values};

use crate::infer::commands::{lone_var, references};
use crate::infer::expression::{Outcome, Value};
use crate::infer::rules::environment_from_command::input_name;
use crate::infer::shell::{EventFilter, RefFilter, ScriptEvent, covers};
use crate::infer::tier::is_dynamic;
use crate::read::{CiSystem, ConditionalValue, Job, Pipeline, Trigger, TriggerKind};

/// A name a declared environment expands to, and when it holds.
pub(crate) struct Named {
    pub name: String,
    /// The declaration as written, when the name is one of its values.
    pub from: Option<String>,
    /// The manual inputs whose choices made the name.
    pub chosen_by: Vec<String>,
    pub events: Option<EventFilter>,
    pub refs: Option<RefFilter>,
}

impl Named {
    /// When the name holds, for notes: `on branch `main``, `when `ENV` chooses it`.
    pub(crate) fn describe(&self) -> String {
        match (&self.refs, self.chosen_by.as_slice(), &self.events) {
            (Some(r), _, _) if r.negated => format!("on every branch but `{}`", r.branch),
            (Some(r), _, _) => format!("on branch `{}`", r.branch),
            (None, [input], _) => format!("when `{input}` chooses it"),
            (None, inputs @ [_, _, ..], _) => {
                let inputs: Vec<String> = inputs.iter().map(|i| format!("`{i}`")).collect();
                format!("when {} choose it", inputs.join(" and "))
            }
            (None, _, Some(e)) => e.describe(),
            (None, _, None) => "on the other branches".to_owned(),
        }
    }
}

/// Expands an Azure variable set in `${{ if }}` blocks over their values ([`conditional`]);
/// else `$NAME` / `${NAME}` with the value the job or pipeline gives the variable (GitLab
/// expands variables in `environment: name:`), `${{ matrix.k }}` over the job's matrix,
/// `${{ inputs.k }}` / `${{ github.event.inputs.k }}` (or an output passed on under an input's
/// name, [`passed_on_input`]) over a dispatch input's choices, and a `&&`/`||` expression over
/// its values (see [`crate::infer::expression`]). An output of a job it needs that is plain text
/// is put in first ([`handed_on`]).
pub(crate) fn expand(name: &str, job: &Job, pipeline: &Pipeline) -> Vec<Named> {
    let written = name.trim();
    let conditional = conditional(written, pipeline);
    if !conditional.is_empty() {
        return conditional;
    }
    let mut names = vec![variables(written, job, pipeline)];
    for (key, values) in &job.matrix {
        let needle = format!("matrix.{key}");
        names = names
            .into_iter()
            .flat_map(|n| match placeholder(&n, &needle) {
                Some(ph) if !values.is_empty() => {
                    values.iter().map(|v| n.replace(&ph, v)).collect()
                }
                _ => vec![n],
            })
            .collect();
    }
    let names: Vec<String> = names
        .into_iter()
        .map(|n| handed_on(n, job, pipeline))
        .collect();
    let choices = |input: &str| {
        pipeline
            .choice_inputs()
            .find(|(i, _)| *i == input)
            .map(|(_, choices)| choices)
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for name in names {
        let plain = |name: String| Named {
            from: (name != written).then(|| written.to_owned()),
            name,
            chosen_by: Vec::new(),
            events: None,
            refs: None,
        };
        let Some((ph, inner)) = first_expression(&name) else {
            out.push(plain(name));
            continue;
        };
        // `${{ github.ref_name }}` in a workflow pushed only on named branches: one name per
        // branch, each deployed from its own.
        if inner == "github.ref_name"
            && let Some(branches) = literal_branches(pipeline)
        {
            for branch in branches {
                out.push(Named {
                    name: name.replace(&ph, branch),
                    from: Some(written.to_owned()),
                    chosen_by: Vec::new(),
                    events: None,
                    refs: Some(RefFilter {
                        branch: branch.to_owned(),
                        negated: false,
                    }),
                });
            }
            continue;
        }
        let outcomes = crate::infer::expression::outcomes(inner).unwrap_or_else(|| {
            // A bare input: its choices, each started by that input (an Azure runtime
            // parameter is one: `${{ parameters.ENV }}`, `${{ parameters['ENV'] }}`).
            let bare = input_name(inner).map(|i| (i, None));
            // What the job passed on holds for a manual start; on other events it is whatever
            // the job computed, which is not read.
            let manual = EventFilter {
                event: ScriptEvent::Manual,
                negated: false,
            };
            bare.or_else(|| passed_on_input(inner, pipeline).map(|i| (i, Some(manual))))
                .map(|(i, events)| {
                    vec![Outcome {
                        value: Value::Input(i.to_owned()),
                        events,
                        refs: None,
                    }]
                })
                .unwrap_or_default()
        });
        let before = out.len();
        for outcome in outcomes {
            let (values, chosen_by): (Vec<&str>, _) = match &outcome.value {
                Value::Literal(v) => (vec![v.as_str()], Vec::new()),
                Value::Input(i) => (
                    choices(i).iter().map(String::as_str).collect(),
                    vec![i.clone()],
                ),
            };
            for value in values {
                out.push(Named {
                    name: name.replace(&ph, value),
                    from: Some(written.to_owned()),
                    chosen_by: chosen_by.clone(),
                    events: outcome.events,
                    refs: outcome.refs.clone(),
                });
            }
        }
        if out.len() == before {
            out.push(plain(name));
        }
    }
    further_inputs(out, &choices)
}

/// Names still holding a bare choice input after the first expression was expanded
/// (`${{ inputs.app }}-${{ inputs.env }}`): one name per choice of each, while a pass makes at
/// most [`MAX_NAMES`]; each is chosen by every input it was built from ([`with_input`]).
fn further_inputs<'c>(mut out: Vec<Named>, choices: &dyn Fn(&str) -> &'c [String]) -> Vec<Named> {
    for _ in 0..MAX_FURTHER {
        let mut grew = false;
        let mut next = Vec::with_capacity(out.len());
        for named in out {
            let found = references(&named.name)
                .filter(|(written, _)| written.starts_with("${{"))
                .find_map(|(written, inner)| {
                    let input = input_name(inner)?;
                    let values = choices(input);
                    (!values.is_empty()).then(|| (written.to_owned(), input.to_owned(), values))
                });
            match found {
                Some((ph, input, values)) if next.len() + values.len() <= MAX_NAMES => {
                    grew = true;
                    for value in values {
                        next.push(Named {
                            name: named.name.replace(&ph, value),
                            from: named.from.clone(),
                            chosen_by: with_input(&named.chosen_by, &input),
                            events: named.events,
                            refs: named.refs.clone(),
                        });
                    }
                }
                _ => next.push(named),
            }
        }
        out = next;
        if !grew {
            break;
        }
    }
    out
}

/// The inputs that choose a name built from the inputs `before` and then `input`: each of them,
/// once (`${{ inputs.server }}-${{ inputs.env }}` is chosen by both, even where `server` offers
/// one choice: a person starting the run sets both).
fn with_input(before: &[String], input: &str) -> Vec<String> {
    let mut out = before.to_vec();
    if !out.iter().any(|i| i == input) {
        out.push(input.to_owned());
    }
    out
}

/// How many further inputs of one name are expanded, and how many names that may make.
const MAX_FURTHER: usize = 3;
const MAX_NAMES: usize = 64;

/// A name that is only a variable the pipeline sets in compile-time `${{ if }}` blocks
/// (`environment: $(environment)` after `${{ if startsWith(variables['Build.SourceBranch'],
/// 'refs/heads/release-dev') }}: { environment: DEV }`): each value, holding on the branch of
/// each test of its block, or for the runtime parameter value it tests; an `${{ else }}` value
/// on the pipeline's branch triggers no earlier block names (every ref when it has none), and
/// one whose test is not read on every ref.
fn conditional(written: &str, pipeline: &Pipeline) -> Vec<Named> {
    match whole_variable(written) {
        Some(var) => values_of(
            var,
            written,
            &pipeline.conditional_variables,
            &pipeline.triggers,
        ),
        None => Vec::new(),
    }
}

/// A name with a variable in it that the pipeline sets only under conditions
/// (`shop-${namespace}`, `-n $NS` after a Jenkinsfile's `if (env.BRANCH_NAME == 'main')`): one
/// name per value, as [`conditional`] reads them. Only the first such variable is expanded.
/// `values` and `triggers` are the pipeline's conditional variables and triggers.
pub(crate) fn conditional_within(
    name: &str,
    values: &[ConditionalValue],
    triggers: &[Trigger],
) -> Vec<Named> {
    for (written, inner) in references(name) {
        // `${{ steps.<id>.outputs.K }}` is the variable `outputs.K`, as a lone one is.
        let var = lone_var(written).unwrap_or_else(|| inner.strip_prefix("env.").unwrap_or(inner));
        if !values.iter().any(|c| c.name == var) {
            continue;
        }
        return values_of(var, written, values, triggers)
            .into_iter()
            .map(|n| Named {
                name: name.replacen(written, &n.name, 1),
                from: Some(name.to_owned()),
                ..n
            })
            .collect();
    }
    Vec::new()
}

/// The values a pipeline gives `var` under conditions (its `values`, read against its
/// `triggers`), each a [`Named`] of `written`.
fn values_of(
    var: &str,
    written: &str,
    values: &[ConditionalValue],
    triggers: &[Trigger],
) -> Vec<Named> {
    let mut out: Vec<Named> = Vec::new();
    // Branches an earlier block's test names, and those the pipeline is triggered on.
    let mut taken: Vec<String> = Vec::new();
    let pipeline_branches: Vec<&String> = triggers
        .iter()
        .filter(|t| t.kind == TriggerKind::Branch && !t.negated)
        .filter_map(|t| t.pattern.as_ref())
        .collect();
    let values = values
        .iter()
        .filter(|c| c.name == var && !c.value.trim().is_empty())
        // A value is a literal, a manual input whose choices the name then takes, or a name
        // per branch or pull request (`pr-${{ github.event.number }}`).
        .filter(|c| {
            !c.value.contains('$')
                || is_dynamic(&c.value)
                || references(&c.value)
                    .all(|(w, inner)| w.starts_with("${{") && input_name(inner).is_some())
        });
    for c in values {
        let name = c.value.trim();
        let named = |refs, chosen_by: Vec<String>| Named {
            name: name.to_owned(),
            from: Some(written.to_owned()),
            events: (!chosen_by.is_empty()).then_some(EventFilter {
                event: ScriptEvent::Manual,
                negated: false,
            }),
            chosen_by,
            refs,
        };
        let mut add = |n: Named| {
            let same =
                |o: &Named| o.name == n.name && o.refs == n.refs && o.chosen_by == n.chosen_by;
            if !out.iter().any(same) {
                out.push(n);
            }
        };
        if c.otherwise {
            // `${{ else }}`: the branches the pipeline runs on that no earlier block took.
            let left: Vec<&String> = pipeline_branches
                .iter()
                .copied()
                .filter(|p| !taken.iter().any(|t| covers(t, p)))
                .collect();
            if pipeline_branches.is_empty() {
                add(named(None, Vec::new()));
            }
            for branch in left {
                let refs = RefFilter {
                    branch: branch.clone(),
                    negated: false,
                };
                add(named(Some(refs), Vec::new()));
            }
        } else if c.when.is_empty() {
            add(named(None, Vec::new()));
        }
        for t in &c.when {
            if t.kind == TriggerKind::Branch
                && !t.negated
                && let Some(p) = &t.pattern
            {
                taken.push(p.clone());
            }
            match (&t.kind, &t.pattern) {
                (TriggerKind::Branch, Some(branch)) => add(named(
                    Some(RefFilter {
                        branch: branch.clone(),
                        negated: t.negated,
                    }),
                    Vec::new(),
                )),
                (TriggerKind::Manual, Some(input)) => add(named(None, vec![input.clone()])),
                // A test of the event (a `$GITHUB_OUTPUT` write in an `if` on it): the value
                // holds on that event, or on every other.
                (
                    kind @ (TriggerKind::Branch
                    | TriggerKind::PullRequest
                    | TriggerKind::Manual
                    | TriggerKind::Tag),
                    None,
                ) => {
                    let event = match kind {
                        TriggerKind::PullRequest => ScriptEvent::PullRequest,
                        TriggerKind::Manual => ScriptEvent::Manual,
                        TriggerKind::Tag => ScriptEvent::Tag,
                        _ => ScriptEvent::Push,
                    };
                    add(Named {
                        events: Some(EventFilter {
                            event,
                            negated: t.negated,
                        }),
                        ..named(None, Vec::new())
                    })
                }
                _ => add(named(None, Vec::new())),
            }
        }
    }
    out
}

/// The variable a name is, when it is nothing else: `$(NAME)`, `$NAME`, `${NAME}`,
/// `${{ variables.NAME }}`, `${{ variables['NAME'] }}`.
fn whole_variable(written: &str) -> Option<&str> {
    let inner = written
        .strip_prefix("$(")
        .and_then(|r| r.strip_suffix(')'))
        .or_else(|| {
            let expr = written.strip_prefix("${{")?.strip_suffix("}}")?.trim();
            let rest = expr.strip_prefix("variables")?;
            rest.strip_prefix('.').or_else(|| {
                rest.strip_prefix('[')?
                    .strip_suffix(']')
                    .map(|r| r.trim().trim_matches(|c| c == '\'' || c == '"'))
            })
        })
        .or_else(|| lone_var(written))
        .or_else(|| {
            // Jenkins: `${env.NAME}`.
            written.strip_prefix("${env.")?.strip_suffix('}')
        })?;
    let inner = inner.trim();
    (!inner.is_empty()
        && inner
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
    .then_some(inner)
}

/// The branches a pipeline is pushed on, when it names each (no pattern, no "any branch"), and
/// any tags it is pushed on are named alike (`tags: [prod]` gives the ref name `prod` too); no
/// pull request trigger, whose ref names would be other names.
fn literal_branches(pipeline: &Pipeline) -> Option<Vec<&str>> {
    let mut branches = Vec::new();
    for t in pipeline.triggers.iter().filter(|t| !t.negated) {
        let literal = t
            .pattern
            .as_deref()
            .filter(|p| !p.is_empty() && !p.contains(['*', '?', '[', '!', '/', '^', '$']));
        match (&t.kind, literal) {
            (TriggerKind::Branch, Some(b)) => branches.push(b),
            (TriggerKind::Tag, Some(_)) => {}
            (TriggerKind::Branch | TriggerKind::Tag | TriggerKind::PullRequest, _) => {
                return None;
            }
            _ => {}
        }
    }
    (!branches.is_empty()).then_some(branches)
}

/// An output or variable another job or step computes at run time
/// (`needs.setup.outputs.environment`, `steps.pick.outputs.environment`, `env.environment`)
/// that has the name of a manual choice input of the pipeline: the input, whose choices are
/// what a person can make it. (Workflows resolve the input in a setup job and pass it on, with
/// a default for other events that cannot be read.)
fn passed_on_input<'t>(inner: &'t str, pipeline: &Pipeline) -> Option<&'t str> {
    let name = inner
        .strip_prefix("env.")
        .or_else(|| {
            let rest = inner
                .strip_prefix("needs.")
                .or_else(|| inner.strip_prefix("steps."))?;
            let (_, output) = rest.split_once(".outputs.")?;
            Some(output)
        })?
        .trim();
    pipeline
        .choice_inputs()
        .any(|(input, _)| input == name)
        .then_some(name)
}

/// Each `${{ needs.<job>.outputs.<name> }}` in `name` replaced by that output, when `job` needs
/// that job and the job sets the output to plain text (`outputs: { environment_name: dev }`):
/// a setup job that only names things for the jobs after it.
fn handed_on(mut name: String, job: &Job, pipeline: &Pipeline) -> String {
    let output_of = |inner: &str| {
        let (from, output) = inner.strip_prefix("needs.")?.split_once(".outputs.")?;
        let from = from.trim();
        if !job.needs.iter().any(|n| n == from) {
            return None;
        }
        pipeline
            .jobs
            .iter()
            .find(|j| j.id == from)?
            .outputs
            .iter()
            .find(|(k, _)| k == output.trim())
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty() && !v.contains("${{"))
    };
    // One replacement per placeholder written: a value cannot bring more in.
    for _ in 0..name.matches("${{").count() {
        let found = references(&name)
            .filter(|(w, _)| w.starts_with("${{"))
            .find_map(|(w, inner)| Some((w.to_owned(), output_of(inner)?)));
        let Some((written, value)) = found else {
            break;
        };
        name = name.replacen(&written, &value, 1);
    }
    name
}

/// `$NAME` and `${NAME}` replaced by the job's (else the pipeline's) value of the variable, when
/// that value is plain text.
fn variables(name: &str, job: &Job, pipeline: &Pipeline) -> String {
    let value = |var: &str| {
        job.variables
            .iter()
            .chain(&pipeline.variables)
            .find(|(k, _)| k == var)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty() && !v.contains('$'))
    };
    let mut out = name.to_owned();
    for (written, inner) in references(name) {
        // Azure's compile-time `${{ variables.domain }}` (or `variables['domain']`) reads the
        // same variables; other expressions are expanded elsewhere.
        let var = match written.strip_prefix("${{") {
            Some(_) if pipeline.system == CiSystem::AzurePipelines => {
                crate::read::azure::accessed(inner, "variables")
            }
            Some(_) => None,
            None => Some(inner),
        };
        if let Some(v) = var.and_then(value) {
            out = out.replacen(written, v, 1);
        }
    }
    out
}

/// The first `${{ ... }}` in `text`: the whole placeholder and the expression inside it.
fn first_expression(text: &str) -> Option<(String, &str)> {
    references(text)
        .find(|(written, _)| written.starts_with("${{"))
        .map(|(written, inner)| (written.to_owned(), inner))
}

/// The whole `${{ ... }}` expression in `text` that is exactly `needle`, if any.
fn placeholder(text: &str, needle: &str) -> Option<String> {
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let after = &rest[start + 3..];
        let end = after.find("}}")?;
        if after[..end].trim() == needle {
            return Some(rest[start..start + 3 + end + 2].to_owned());
        }
        rest = &after[end + 2..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        assert_eq!(
            placeholder("deploy-${{ matrix.cluster }}", "matrix.cluster").as_deref(),
            Some("${{ matrix.cluster }}")
        );
        assert_eq!(
            placeholder("${{inputs.env}}", "inputs.env").as_deref(),
            Some("${{inputs.env}}")
        );
        assert_eq!(
            placeholder("${{ inputs.env }}", "github.event.inputs.env"),
            None
        );
    }
}
