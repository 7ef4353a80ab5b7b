//! The pipeline triggers each deploying job gets, found once per pipeline: a manual start's
//! inputs that name none of a job's environments are all the same start, so past a bound they
//! add only evidence and are left out.

use std::collections::{HashMap, HashSet};

use crate::infer::EnvironmentHint;
use crate::infer::expression::inputs_read;
use crate::read::{CiSystem, Pipeline, Trigger, TriggerKind};

/// Most inputs of a manual start that name none of a job's environments kept as evidence of
/// that start, per job: as many as GitHub lets a `workflow_dispatch` have (25), so no workflow
/// GitHub runs loses any.
const MAX_SAME_START: usize = 25;

/// The triggers of a pipeline that start its jobs (not negated, not an expression), sorted
/// once per pipeline. The inputs of a manual start (not Jenkins parameters, which gate the
/// deploy they name) that name none of a job's environments are all the same start: past
/// the first [`MAX_SAME_START`] of them they add only evidence, so a job gets those and the
/// inputs its environments name, and thousands of inputs cost no more than that per job.
pub(super) struct PipelineStarts<'p> {
    /// Each trigger, except the inputs past the first [`MAX_SAME_START`], in file order.
    base: Vec<(usize, &'p Trigger)>,
    /// Every input, by name, with its place in file order.
    inputs: HashMap<&'p str, (usize, &'p Trigger)>,
}

impl<'p> PipelineStarts<'p> {
    pub(super) fn of(pipeline: &'p Pipeline) -> PipelineStarts<'p> {
        let (mut base, mut inputs) = (Vec::new(), HashMap::new());
        let starts = pipeline
            .triggers
            .iter()
            .filter(|t| !t.negated && t.kind != TriggerKind::Expression)
            .enumerate();
        for (at, t) in starts {
            let input = t
                .pattern
                .as_deref()
                .filter(|_| t.kind == TriggerKind::Manual && pipeline.system != CiSystem::Jenkins);
            if let Some(input) = input {
                inputs.entry(input).or_insert((at, t));
                if inputs.len() > MAX_SAME_START {
                    continue;
                }
            }
            base.push((at, t));
        }
        PipelineStarts { base, inputs }
    }

    /// The triggers that start a job whose environments name the inputs `named`, in file
    /// order.
    pub(super) fn for_job(&self, named: &HashSet<&str>) -> Vec<&'p Trigger> {
        let mut out: Vec<(usize, &Trigger)> = self.base.clone();
        out.extend(named.iter().filter_map(|n| self.inputs.get(n)).copied());
        out.sort_by_key(|(at, _)| *at);
        out.dedup_by_key(|(at, _)| *at);
        out.into_iter().map(|(_, t)| t).collect()
    }
}

/// The inputs the names of `environments` come from: the input that chose each, and each
/// input its name reads ([`inputs_read`]).
pub(super) fn named_inputs<'h>(environments: &[&'h EnvironmentHint]) -> HashSet<&'h str> {
    let mut out = HashSet::new();
    for hint in environments {
        out.extend(hint.chosen_by.iter().map(String::as_str));
        out.extend(inputs_read(&hint.name));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::{Loc, Span};
    use crate::infer::{Confidence, Evidence, HintSource, JobKey, RuleId};
    use crate::read::support::empty_pipeline;

    fn hint(name: &str, chosen_by: Option<&str>) -> EnvironmentHint {
        let loc = Loc::new("w.yml", Span::empty(0));
        EnvironmentHint {
            name: name.to_owned(),
            job: JobKey::new("w.yml", "deploy"),
            source: HintSource::Environment,
            dynamic: false,
            events: None,
            refs: None,
            chosen_by: chosen_by.into_iter().map(str::to_owned).collect(),
            evidence: Evidence::new(
                RuleId::EnvironmentFromJob,
                loc,
                String::new(),
                Confidence::High,
            ),
        }
    }

    #[test]
    fn the_inputs_environments_are_named_by() {
        let (a, b) = (
            hint("shop-${{ inputs.target-env }}", None),
            hint("prod", Some("tier")),
        );
        let named = named_inputs(&[&a, &b]);
        assert_eq!(named, HashSet::from(["target-env", "tier"]));
        // Whole names: `inputs.environment` reads no input `env`.
        let read: Vec<&str> =
            inputs_read("${{ inputs.environment || 'dev' }}-$(parameters.region)").collect();
        assert_eq!(read, ["environment", "region"]);
    }

    #[test]
    fn past_the_bound_a_job_gets_only_the_inputs_its_environments_name() {
        let mut pipeline = empty_pipeline("w.yml", CiSystem::GithubActions);
        let at = |i: usize| Loc::new("w.yml", Span::empty(i));
        pipeline.triggers.push(Trigger::new(
            TriggerKind::Branch,
            Some("main".into()),
            false,
            at(0),
        ));
        for i in 0..100 {
            let input = format!("in_{i}");
            pipeline.triggers.push(Trigger::new(
                TriggerKind::Manual,
                Some(input),
                false,
                at(i + 1),
            ));
        }
        let starts = PipelineStarts::of(&pipeline);
        let patterns = |named: &[&str]| -> Vec<String> {
            starts
                .for_job(&named.iter().copied().collect())
                .iter()
                .filter_map(|t| t.pattern.clone())
                .collect()
        };
        let plain = patterns(&[]);
        assert_eq!(plain.len(), 1 + MAX_SAME_START);
        assert_eq!(plain[0], "main");
        // A named input past the bound is kept, in its place.
        let named = patterns(&["in_99", "in_3"]);
        assert_eq!(named.len(), 2 + MAX_SAME_START);
        assert_eq!(named.last().map(String::as_str), Some("in_99"));
    }
}
