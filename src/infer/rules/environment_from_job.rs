//! INFER stage: rule `environment-from-job` — a job's declared `environment:` (GitHub, GitLab,
//! Azure deployment jobs, Bitbucket `deployment:`) names the environment it deploys to.
//!
//! Names that are templates are expanded where the file says what they can be: a matrix axis
//! (`${{ matrix.cluster }}`) or a `workflow_dispatch` choice input (`${{ inputs.env }}`).

use crate::infer::RuleId;
use crate::infer::engine::{JobSite, Rule};
use crate::infer::tier::is_dynamic;
use crate::infer::{Confidence, EnvironmentHint, Evidence, Facts, HintSource};
use crate::read::{Job, Pipeline, TriggerKind};

/// A job's declared environment ⇒ [`EnvironmentHint`]s (one per name it expands to).
pub(crate) struct EnvironmentFromJob;

impl Rule for EnvironmentFromJob {
    fn id(&self) -> RuleId {
        RuleId::EnvironmentFromJob
    }

    fn on_job(&mut self, site: &JobSite<'_>, facts: &mut Facts) {
        let (pipeline, job) = (site.pipeline, site.job);
        let Some(env) = &job.environment else {
            return;
        };
        let reusable = pipeline
            .triggers
            .iter()
            .any(|t| t.kind == TriggerKind::Caller);
        for name in expand(&env.name, job, pipeline) {
            // A reusable workflow's `${{ inputs.x }}` is resolved at each call site, where the
            // reader inlines the jobs; the template itself names nothing.
            if reusable && name.contains("inputs.") {
                continue;
            }
            let note = format!("job `{}` declares `environment: {name}`", job.id);
            facts.environment_hints.push(EnvironmentHint {
                dynamic: is_dynamic(&name),
                name,
                job: site.key.clone(),
                source: HintSource::Environment,
                events: None,
                chosen_by: None,
                evidence: Evidence::new(self.id(), env.loc.clone(), note, Confidence::High),
            });
        }
    }
}

/// Expands `${{ matrix.k }}` over the job's matrix and `${{ inputs.k }}` /
/// `${{ github.event.inputs.k }}` over a dispatch input's choices.
fn expand(name: &str, job: &Job, pipeline: &Pipeline) -> Vec<String> {
    let mut names = vec![name.trim().to_owned()];
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
    for trigger in pipeline
        .triggers
        .iter()
        .filter(|t| t.kind == TriggerKind::Manual)
    {
        let (Some(input), false) = (&trigger.pattern, trigger.choices.is_empty()) else {
            continue;
        };
        for needle in [
            format!("github.event.inputs.{input}"),
            format!("inputs.{input}"),
        ] {
            names = names
                .into_iter()
                .flat_map(|n| match placeholder(&n, &needle) {
                    Some(ph) => trigger.choices.iter().map(|c| n.replace(&ph, c)).collect(),
                    None => vec![n],
                })
                .collect();
        }
    }
    names
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
