//! INFER stage: rule `environment-from-job` — a job's declared `environment:` (GitHub, GitLab,
//! Azure deployment jobs, Bitbucket `deployment:`) names the environment it deploys to.
//!
//! A Jenkins stage declares none, but one that runs only when a variable named for the
//! environment has a value (`when { environment name: 'ENVIRONMENT', value: 'production' }`)
//! deploys there: each value it is tested against is a hint of the same source.
//!
//! Names that are templates are expanded by [`crate::infer::environment_name`]: a matrix axis,
//! a choice input, the values of a `&&`/`||` expression, a variable the job sets, or an Azure
//! variable set in compile-time `${{ if }}` blocks.

use std::collections::HashSet;

use crate::infer::RuleId;
use crate::infer::engine::{JobSite, Rule};
use crate::infer::environment_name::expand_handed;
use crate::infer::jenkins_when;
use crate::infer::tier::is_dynamic;
use crate::infer::{Confidence, EnvironmentHint, Evidence, Facts, HintSource};
use crate::read::{CiSystem, TriggerKind};

/// A job's declared environment ⇒ [`EnvironmentHint`]s (one per name it expands to).
pub(crate) struct EnvironmentFromJob;

impl Rule for EnvironmentFromJob {
    fn id(&self) -> RuleId {
        RuleId::EnvironmentFromJob
    }

    fn on_job(&mut self, site: &JobSite<'_>, facts: &mut Facts) {
        let (pipeline, job) = (site.pipeline, site.job);
        let Some(env) = &job.environment else {
            if pipeline.system == CiSystem::Jenkins {
                when_environments(site, facts);
            }
            return;
        };
        for named in expand_handed(&env.name, job, pipeline, &site.handed) {
            let name = named.name;
            let note = match &named.from {
                Some(written) => format!("job `{}` declares `environment: {written}`", job.id),
                None => format!("job `{}` declares `environment: {name}`", job.id),
            };
            facts.environment_hints.push(EnvironmentHint {
                dynamic: is_dynamic(&name),
                name,
                job: site.key.clone(),
                source: HintSource::Environment,
                events: named.events,
                refs: named.refs,
                chosen_by: named.chosen_by,
                evidence: Evidence::new(self.id(), env.loc.clone(), note, Confidence::High),
            });
        }
    }

    /// A reusable workflow's `${{ inputs.x }}` is resolved at each call site in the
    /// repository, where the reader inlines the jobs: there the template itself names nothing.
    /// One no workflow of the repository calls (a library of workflows for other
    /// repositories) keeps the name as written: a target its callers choose.
    fn finish(&mut self, cx: &crate::infer::Context<'_>, facts: &mut Facts) {
        let called = crate::read::called_files(cx.pipelines);
        let reusable: HashSet<&str> = cx
            .pipelines
            .iter()
            .filter(|p| p.triggers.iter().any(|t| t.kind == TriggerKind::Caller))
            .map(|p| &*p.file)
            .collect();
        facts.environment_hints.retain(|h| {
            h.evidence.rule != RuleId::EnvironmentFromJob
                || !h.name.contains("inputs.")
                || !reusable.contains(&*h.job.pipeline)
                || !called.contains(&*h.job.pipeline)
        });
    }
}

/// Jenkins: the values a stage's `when { environment ... }` tests a variable named for the
/// environment against, each an environment the stage deploys to (medium: the variable's
/// name says what it holds, the pipeline does not declare it).
fn when_environments(site: &JobSite<'_>, facts: &mut Facts) {
    let job = site.job;
    for condition in job.conditions.iter().filter(|c| !c.negated) {
        let Some(text) = condition.pattern.as_deref() else {
            continue;
        };
        for name in jenkins_when::environment_tests(text) {
            let note = format!(
                "stage `{}` runs only when its environment is `{name}`",
                job.id
            );
            facts.environment_hints.push(EnvironmentHint {
                dynamic: is_dynamic(&name),
                name,
                job: site.key.clone(),
                source: HintSource::Environment,
                events: None,
                refs: None,
                chosen_by: Vec::new(),
                evidence: Evidence::new(
                    RuleId::EnvironmentFromJob,
                    condition.loc.clone(),
                    note,
                    Confidence::Medium,
                ),
            });
        }
    }
}
