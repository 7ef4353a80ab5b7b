//! INFER stage: rule `environment-triggers` — what makes a deploy to an environment happen.
//!
//! A job's own ref conditions (`if: github.ref == ...`, `rules:`, `only:`, `when { branch }`,
//! workflow `filters:`) are what deploy it; without any, the pipeline's triggers are. A manual
//! gate (`when: manual`, an approval job, `input`) is a trigger of its own, next to the ref
//! that offers it. On CircleCI a job runs only when the jobs it `requires` run, so filters and
//! approvals are inherited down `requires:` chains.

use crate::files::Loc;
use crate::infer::RuleId;
use crate::infer::engine::Rule;
use crate::infer::resolve::JobIndex;
use crate::infer::{
    Confidence, Context, EnvironmentHint, EnvironmentTrigger, Evidence, Facts, JobKey,
};

mod interpret;
mod starts;
mod upstream;

use crate::infer::expression::inputs_read;
use crate::read::{CiSystem, Job, Pipeline, Trigger, TriggerKind};
use interpret::{
    disjoint, interpret, is_change_request_branch, matches_every_ref, tests_settings_only,
    within_prefix,
};
use starts::{PipelineStarts, named_inputs};
use upstream::{
    JobsById, approval_job, runs_anyway, upstream_approval, upstream_conditions, upstream_filters,
};

/// Deploying jobs' conditions and pipeline triggers ⇒ [`EnvironmentTrigger`]s of the
/// environments the jobs deploy to.
pub(crate) struct EnvironmentTriggers;

impl Rule for EnvironmentTriggers {
    fn id(&self) -> RuleId {
        RuleId::EnvironmentTriggers
    }

    fn finish(&mut self, cx: &Context<'_>, facts: &mut Facts) {
        let index = JobIndex::new(facts);
        let mut new = Vec::new();
        for pipeline in cx.pipelines {
            let deploys = |id: &str| index.deploys(&JobKey::new(&pipeline.file, id));
            let jobs = JobsById::new(pipeline);
            let starts = PipelineStarts::of(pipeline);
            for job in &pipeline.jobs {
                // Tearing an environment down is not what deploys it.
                if job.environment.as_ref().and_then(|e| e.action.as_deref()) == Some("stop") {
                    continue;
                }
                // Only deploying jobs say how an environment gets deployed; a smoke test with
                // `environment: production` on another branch does not.
                if !deploys(&job.id) {
                    continue;
                }
                let key = JobKey::of(pipeline, job);
                let environments = index.environments(&key);
                if environments.is_empty() {
                    continue;
                }
                let pipeline_triggers = starts.for_job(&named_inputs(&environments));
                let all = triggers_of(pipeline, &jobs, job, &deploys, pipeline_triggers);
                // An environment a parameter names (`ENV` chooses it) is deployed by starting
                // the job with that choice, not by whatever else starts the pipeline.
                let chosen: Vec<bool> = environments
                    .iter()
                    .map(|h| {
                        // (Not a name that holds only when no person starts the pipeline: the
                        // fallback of `${{ inputs.env || 'production' }}`.)
                        h.events.is_none_or(|e| e.admits(&TriggerKind::Manual))
                            && all
                                .iter()
                                .any(|f| f.parameter.is_some() && f.starts(&h.name))
                    })
                    .collect();
                // Whether a manual input of the run names each environment: then that input is
                // its manual start, and the other inputs of the same start add nothing.
                let named_by_input: Vec<bool> = environments
                    .iter()
                    .map(|h| all.iter().any(|f| f.input().is_some_and(|i| names(h, i))))
                    .collect();
                for found in all {
                    for (at, hint) in environments.iter().enumerate() {
                        let environment = &hint.name;
                        // A name the script or an expression picks by event or branch holds
                        // only for triggers of that event or branch.
                        if hint.events.is_some_and(|e| !e.admits(&found.kind))
                            || hint
                                .refs
                                .as_ref()
                                .is_some_and(|r| !r.admits(&found.kind, found.pattern.as_deref()))
                        {
                            continue;
                        }
                        let by_choice = chosen.get(at).copied().unwrap_or(false);
                        if !found.starts(environment)
                            || (by_choice && found.from_pipeline && found.parameter.is_none())
                        {
                            continue;
                        }
                        let note = format!(
                            "{} deploys `{environment}` through job `{}`",
                            found.note, job.id
                        );
                        // A manual start of a name choice inputs made names each input.
                        let patterns: Vec<Option<String>> =
                            match (&found.kind, &found.pattern, hint.chosen_by.as_slice()) {
                                (TriggerKind::Manual, None, [_, ..]) => {
                                    hint.chosen_by.iter().cloned().map(Some).collect()
                                }
                                // The job's own test of an input chooses the environment it names.
                                (TriggerKind::Manual, Some(_), _)
                                    if !found.tested.is_empty()
                                        && !found
                                            .tested
                                            .iter()
                                            .any(|v| same_name(v, environment)) =>
                                {
                                    vec![None]
                                }
                                // A run started by hand with inputs (a dispatch input, a runtime
                                // parameter) names an input only for a name it chooses: another
                                // input (`SEMVER`) is part of every manual start.
                                (TriggerKind::Manual, Some(input), _)
                                    if found.input().is_some() && !names(hint, input) =>
                                {
                                    if named_by_input.get(at).copied().unwrap_or(false) {
                                        continue;
                                    }
                                    vec![None]
                                }
                                // "Any branch" (or `release-*`), of which the name holds on
                                // one (or `release-dev*`): that one.
                                (TriggerKind::Branch, pattern, _) => vec![
                                    hint.refs
                                        .as_ref()
                                        .and_then(|r| r.narrow(pattern.as_deref()))
                                        .or_else(|| pattern.clone()),
                                ],
                                _ => vec![found.pattern.clone()],
                            };
                        for pattern in patterns {
                            new.push(EnvironmentTrigger {
                                environment: environment.clone(),
                                job: key.clone(),
                                kind: found.kind.clone(),
                                pattern,
                                evidence: Evidence::new(
                                    self.id(),
                                    found.loc.clone(),
                                    note.clone(),
                                    found.confidence,
                                ),
                            });
                        }
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
    /// A Jenkins pipeline parameter: an input of every run, which starts the deploy of an
    /// environment only when it names that environment (the choices of `ENV`, `-n $ENV`).
    parameter: Option<Vec<String>>,
    /// A pipeline trigger the job runs on for want of conditions of its own.
    from_pipeline: bool,
    /// For a job's own test of a dispatch input (`if: inputs.environment == 'prod'`), the
    /// value it tests: the input chooses the environment of that name, and is only a manual
    /// start of any other (`inputs.confirm == 'yes'`).
    tested: Vec<String>,
}

impl Found {
    fn from(t: &Trigger, confidence: Confidence, what: &str) -> Found {
        Found {
            kind: t.kind.clone(),
            pattern: t.pattern.clone(),
            loc: t.loc.clone(),
            confidence,
            note: trigger_text(t, what),
            parameter: None,
            from_pipeline: false,
            tested: Vec::new(),
        }
    }

    /// The input a manual start of the whole run is given (a GitHub dispatch input, an Azure
    /// runtime parameter), as opposed to a Jenkins parameter that gates the deploy.
    fn input(&self) -> Option<&str> {
        (self.kind == TriggerKind::Manual && self.from_pipeline && self.parameter.is_none())
            .then_some(self.pattern.as_deref())
            .flatten()
    }

    /// Whether this trigger starts the deploy of `environment`: always, except for a
    /// parameter that does not name it.
    fn starts(&self, environment: &str) -> bool {
        let Some(choices) = &self.parameter else {
            return true;
        };
        let Some(name) = self.pattern.as_deref().filter(|n| !n.is_empty()) else {
            return false;
        };
        let references = [
            format!("${name}"),
            format!("{{{name}}}"),
            format!("params.{name}"),
        ];
        choices.iter().any(|c| c == environment)
            || references.iter().any(|r| environment.contains(r.as_str()))
    }
}

/// Everything that starts `job`: its own conditions, else `pipeline_triggers` (the pipeline's
/// triggers as [`PipelineStarts::for_job`] gives them), with the filters, approvals and
/// parents it inherits.
fn triggers_of(
    pipeline: &Pipeline,
    jobs: &JobsById<'_>,
    job: &Job,
    deploys: &dyn Fn(&str) -> bool,
    pipeline_triggers: Vec<&Trigger>,
) -> Vec<Found> {
    let mut out = Vec::new();
    // A GitLab child pipeline's jobs (`trigger-job/child-job`) run when the trigger job does.
    let parent = job
        .id
        .rsplit_once('/')
        .and_then(|(p, _)| jobs.find(p, |j| j.steps.is_empty()));
    let mut conditions: Vec<Trigger> = job.conditions.clone();
    // Only a ref the job asks for stops it inheriting its parent's: one it leaves out (GitLab's
    // default of no merge requests, `except: [main]`) still runs where the parent does.
    if !conditions
        .iter()
        .any(|c| !c.negated && is_ref_kind(&c.kind))
        && let Some(parent) = parent
    {
        conditions.extend(parent.conditions.iter().cloned());
    }
    // CircleCI: a job without filters runs only where the jobs it requires run.
    let circleci = pipeline.system == CiSystem::Circleci;
    if circleci && !conditions.iter().any(|c| is_ref_kind(&c.kind)) {
        conditions.extend(upstream_filters(jobs, job));
    }
    // GitHub: a job whose needed job is skipped is skipped too (unless its `if:` runs it
    // anyway), so without tests of its own it runs where the nearest conditioned job up its
    // `needs:` does.
    let github = pipeline.system == CiSystem::GithubActions;
    if github
        && !conditions.iter().any(runs_anyway)
        && !conditions
            .iter()
            .any(|c| is_ref_kind(&c.kind) || c.kind == TriggerKind::Manual)
    {
        let mut inherited = upstream_conditions(jobs, job);
        // A called workflow's job waits for what its calling job waits for.
        if inherited.is_empty()
            && let Some(parent) = parent
        {
            inherited = upstream_conditions(jobs, parent);
        }
        conditions.extend(inherited);
    }
    // Expressions that say something typed count as that: the ways in after `typed` are
    // alternatives (`a || b`), not a conjunction.
    let typed = conditions.len();
    for c in conditions
        .clone()
        .iter()
        .filter(|c| c.kind == TriggerKind::Expression)
    {
        for way in interpret(c, pipeline.system) {
            conditions.push(Trigger {
                kind: way.kind,
                pattern: way.pattern,
                choices: way.choice.into_iter().collect(),
                ..c.clone()
            });
        }
    }
    // A Jenkins multibranch job names pull request builds `PR-<n>` (`MR-<n>` on GitLab):
    // `when { branch 'PR-*' }` is "on pull requests".
    if pipeline.system == CiSystem::Jenkins {
        for c in conditions
            .iter_mut()
            .filter(|c| c.kind == TriggerKind::Branch)
        {
            if c.pattern.as_deref().is_some_and(is_change_request_branch) {
                c.kind = TriggerKind::PullRequest;
                c.pattern = None;
            }
        }
    }
    // `except: [branches]` with `only: [/regex/]`: the regex can only match tags.
    let no_branches = conditions
        .iter()
        .any(|c| c.negated && c.kind == TriggerKind::Branch && c.pattern.is_none());
    if no_branches {
        for c in conditions
            .iter_mut()
            .filter(|c| !c.negated && c.kind == TriggerKind::Branch)
        {
            c.kind = TriggerKind::Tag;
        }
    }
    // GitHub: a test of an event the workflow is not started by never holds (`github.ref ==
    // 'refs/heads/develop'` in a workflow only started by hand), unless a caller or an upstream
    // run, whose events are not written here, starts it.
    let started_by = |kind: &TriggerKind| {
        !github
            || pipeline_triggers.is_empty()
            || pipeline_triggers.iter().any(|t| {
                t.kind == *kind || matches!(t.kind, TriggerKind::Caller | TriggerKind::Upstream)
            })
    };
    let own: Vec<&Trigger> = conditions
        .iter()
        .filter(|c| !c.negated && is_ref_kind(&c.kind) && started_by(&c.kind))
        .collect();
    // A job only reachable through a named manual start (a Bitbucket custom pipeline, a
    // parameter) does not run on the pipeline's other triggers.
    // (`if: github.event_name == 'workflow_dispatch'` is the same: only a manual start; a
    // GitLab `when: manual` job, marked manual, is offered on every pipeline instead.)
    // A job whose `if:` tests a dispatch input (`inputs.environment == 'prod'`) runs on a
    // manual start with it: that test is its manual start, not the run's other inputs, nor
    // its `github.event_name == 'workflow_dispatch'` beside it.
    // (Only GitHub's reader gives a job condition the value it tests.)
    let tests_input = pipeline.system == CiSystem::GithubActions
        && conditions
            .iter()
            .any(|c| !c.negated && c.kind == TriggerKind::Manual && !c.choices.is_empty());
    let named_manual_only = conditions.iter().any(|c| {
        !c.negated && c.kind == TriggerKind::Manual && (c.pattern.is_some() || !job.manual)
    });
    // CircleCI `branches: ignore: main` without `only:`: every branch but those, which no
    // branch pattern says; kept as an expression, and the pipeline's "any push" does not apply.
    let has_branch_only = own.iter().any(|c| c.kind == TriggerKind::Branch);
    let ignored: Vec<&Trigger> = conditions
        .iter()
        .filter(|c| circleci && !has_branch_only && c.negated && c.kind == TriggerKind::Branch)
        .filter(|c| c.pattern.as_deref().is_some_and(|p| !matches_every_ref(p)))
        .collect();
    for c in &ignored {
        let pattern = format!(
            "branches: ignore: {}",
            c.pattern.as_deref().unwrap_or_default()
        );
        out.push(Found {
            kind: TriggerKind::Expression,
            note: format!("the job filter `{pattern}`"),
            pattern: Some(pattern),
            loc: c.loc.clone(),
            confidence: Confidence::High,
            parameter: None,
            from_pipeline: false,
            tested: Vec::new(),
        });
    }
    if own.is_empty() && ignored.is_empty() && !named_manual_only {
        // Without job conditions the job runs whenever the pipeline does; an expression the
        // reader could not parse may narrow that, hence lower confidence then.
        let narrowed = conditions.iter().any(|c| c.kind == TriggerKind::Expression);
        let confidence = if narrowed {
            Confidence::Low
        } else {
            Confidence::Medium
        };
        // `not { branch 'main' }`, `except: [main]`: every branch the pipeline runs on but
        // those, which a pattern cannot say; the note names them.
        let excluded: Vec<&str> = conditions
            .iter()
            .filter(|c| c.negated && c.kind == TriggerKind::Branch)
            .filter_map(|c| c.pattern.as_deref())
            .collect();
        // `ne(variables['Build.Reason'], 'PullRequest')`, `github.event_name != 'schedule'`:
        // the job skips every pipeline trigger of that kind.
        let skipped: Vec<&TriggerKind> = conditions
            .iter()
            .filter(|c| c.negated && c.pattern.is_none() && c.kind != TriggerKind::Branch)
            .map(|c| &c.kind)
            .collect();
        // A branch the pipeline names that the job excludes (`trigger: [main]` with
        // `ne(variables['Build.SourceBranch'], 'refs/heads/main')`) never starts it.
        let excluded_branch = |t: &Trigger| {
            t.kind == TriggerKind::Branch
                && t.pattern.as_deref().is_some_and(|p| excluded.contains(&p))
        };
        for t in pipeline_triggers
            .iter()
            .filter(|t| !skipped.contains(&&t.kind) && !excluded_branch(t))
        {
            let mut found = Found::from(t, confidence, "the pipeline trigger");
            found.from_pipeline = true;
            if t.kind == TriggerKind::Branch && t.pattern.is_none() && !excluded.is_empty() {
                let but = excluded
                    .iter()
                    .map(|b| format!("`{b}`"))
                    .collect::<Vec<_>>();
                found.note = format!("{} (every branch but {})", found.note, but.join(", "));
            }
            if pipeline.system == CiSystem::Jenkins && t.kind == TriggerKind::Manual {
                found.parameter = Some(t.choices.clone());
            }
            out.push(found);
        }
    } else {
        // GitHub `if: github.ref == 'refs/heads/main'` (its own or a needed job's) and Azure
        // `eq(variables['Build.SourceBranchName'], 'main')` test the ref, not the event: a person
        // starting the pipeline on that branch passes them too.
        // (Azure's reader keeps a condition as written only when some of it was not read.)
        let unread = |c: &&Trigger| {
            c.kind == TriggerKind::Expression
                && interpret(c, pipeline.system).is_empty()
                && !(github && c.pattern.as_deref().is_some_and(tests_settings_only))
        };
        let ref_tests_only = (github || pipeline.system == CiSystem::AzurePipelines)
            && own
                .iter()
                .all(|c| c.kind == TriggerKind::Branch && c.pattern.is_some())
            && !conditions.iter().any(|c| unread(&c));
        if ref_tests_only && !tests_input {
            for t in pipeline_triggers
                .iter()
                .filter(|t| t.kind == TriggerKind::Manual)
            {
                let mut found = Found::from(t, Confidence::Medium, "the pipeline trigger");
                found.from_pipeline = true;
                found.note = format!("{} (started on the branch the job tests)", found.note);
                out.push(found);
            }
        }
        for t in &own {
            // "any branch" beside a test of one (`github.event_name == 'push' && github.ref ==
            // 'refs/heads/main'`): the job runs on that one only.
            let conjunct = |c: &Trigger| conditions[..typed].iter().any(|x| std::ptr::eq(x, c));
            if t.pattern.is_none()
                && conjunct(t)
                && own
                    .iter()
                    .any(|o| o.kind == t.kind && o.pattern.is_some() && conjunct(o))
            {
                continue;
            }
            // "any branch" / "any tag" on the job narrows to the pipeline's own filters.
            let narrower: Vec<&&Trigger> = pipeline_triggers
                .iter()
                .filter(|p| p.kind == t.kind && p.pattern.is_some())
                .collect();
            // A prefix test (`startsWith(github.ref, 'refs/tags/v')`) narrows to the pipeline's
            // patterns within it (`tags: ['v*.*.*']`).
            let (within, others): (Vec<&&Trigger>, Vec<&&Trigger>) = narrower
                .iter()
                .filter(|_| github)
                .partition(|p| within_prefix(t.pattern.as_deref(), p.pattern.as_deref()));
            let overlapping = others
                .iter()
                .any(|p| !disjoint(t.pattern.as_deref(), p.pattern.as_deref()));
            if t.pattern.is_none() && !narrower.is_empty() {
                for p in narrower {
                    out.push(Found::from(p, Confidence::High, "the pipeline trigger"));
                }
            } else if !within.is_empty() && !overlapping {
                for p in within {
                    out.push(Found::from(p, Confidence::High, "the pipeline trigger"));
                }
            } else {
                out.push(Found::from(t, Confidence::High, "the job condition"));
            }
        }
    }
    // A GitLab rule of its own whose `if:` says nothing typed (`$RUN_DEPLOY == "true"`) is a
    // way in of its own, kept as written.
    for c in conditions.iter().filter(|c| {
        c.alone
            && !c.negated
            && c.kind == TriggerKind::Expression
            && interpret(c, pipeline.system).is_empty()
    }) {
        out.push(Found::from(c, Confidence::Medium, "the job rule"));
    }
    for c in conditions
        .iter()
        .filter(|c| !c.negated && c.kind == TriggerKind::Manual)
        .filter(|c| !tests_input || !c.choices.is_empty())
    {
        let mut found = Found::from(c, Confidence::High, "the manual gate");
        if tests_input {
            found.tested.clone_from(&c.choices);
        }
        out.push(found);
    }
    // A manual job, or one that waits for a manual job that deploys nothing itself (CircleCI
    // `type: approval`, a Jenkins `input` stage, a GitHub approval job), is started by a person. On CircleCI the
    // approval may be anywhere up the `requires:` chain.
    let approval = if circleci {
        upstream_approval(jobs, job, deploys)
    } else {
        job.needs.iter().find_map(|need| {
            jobs.find(need, |j| {
                (j.manual || github && approval_job(j)) && !deploys(&j.id)
            })
        })
    };
    let gate = if job.manual { Some(job) } else { approval };
    // A parameter is no gate: it names a manual start only of the environments it names.
    if let Some(gate) = gate
        && !out
            .iter()
            .any(|f| f.kind == TriggerKind::Manual && f.parameter.is_none())
    {
        out.push(Found {
            kind: TriggerKind::Manual,
            pattern: None,
            loc: gate.loc.clone(),
            confidence: Confidence::High,
            note: format!("the manual gate `{}`", gate.id),
            parameter: None,
            from_pipeline: false,
            tested: Vec::new(),
        });
    }
    collapse_inputs(&mut out, job);
    // The first of each kind and pattern, by hash: a workflow of thousands of inputs has as
    // many triggers in every job.
    let mut seen = std::collections::HashSet::new();
    out.retain(|f| seen.insert((f.kind.clone(), f.pattern.clone())));
    out
}

/// Whether an input's tested value names `environment`: the same name, or two words of one
/// tier (`dev` chooses `development`, `prod` chooses `production`).
fn same_name(value: &str, environment: &str) -> bool {
    let lone_tier = |name: &str| {
        crate::infer::tier::is_tier_word(name) && name.bytes().all(|b| b.is_ascii_alphanumeric())
    };
    value.eq_ignore_ascii_case(environment)
        || (lone_tier(value)
            && lone_tier(environment)
            && crate::infer::tier::tier_of(value, None).0
                == crate::infer::tier::tier_of(environment, None).0)
}

/// `workflow_call` inputs are triggers of an environment only when its declared name comes
/// from the input; other inputs are the same one call, reported once without a pattern.
/// (Manual inputs are decided per environment, by [`names`].)
fn collapse_inputs(out: &mut [Found], job: &Job) {
    let env_name = job
        .environment
        .as_ref()
        .map(|e| e.name.as_str())
        .unwrap_or_default();
    for f in out.iter_mut().filter(|f| f.kind == TriggerKind::Caller) {
        if let Some(input) = &f.pattern {
            let named_by_input = inputs_read(env_name).any(|i| i == input);
            let is_input = f.loc.file.ends_with(".yml") || f.loc.file.ends_with(".yaml");
            if !named_by_input && is_input {
                f.pattern = None;
            }
        }
    }
}

/// Whether the environment `hint` names is chosen by the run's input `input`: the input made
/// the name, or the name still reads it (`${{ inputs.env }}`, `$(parameters.env)`).
fn names(hint: &EnvironmentHint, input: &str) -> bool {
    hint.chosen_by.iter().any(|c| c == input) || inputs_read(&hint.name).any(|i| i == input)
}

fn trigger_text(t: &Trigger, what: &str) -> String {
    match &t.pattern {
        Some(p) => format!("{what} `{}: {p}`", t.kind.as_str()),
        None => format!("{what} `{}`", t.kind.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use crate::files::repo::MemRepo;

    /// The environments of `jenkinsfile` with their triggers as `kind` or `kind:pattern`.
    fn triggers(jenkinsfile: &str) -> Vec<(String, Vec<String>)> {
        let repo = MemRepo::default();
        let mut diagnostics = Vec::new();
        let pipelines: Vec<_> = crate::read::jenkins::read_jenkinsfile(
            "Jenkinsfile",
            jenkinsfile,
            &repo,
            &mut diagnostics,
        )
        .into_iter()
        .collect();
        let facts = crate::infer::infer(&pipelines, &repo);
        crate::infer::resolve::resolve(&facts, &pipelines)
            .environments
            .iter()
            .map(|e| {
                let t = e.triggers.iter().map(|t| match &t.pattern {
                    Some(p) => format!("{}:{p}", t.kind.as_str()),
                    None => t.kind.as_str().to_owned(),
                });
                (e.name.clone(), t.collect())
            })
            .collect()
    }

    /// Pipeline parameters are inputs (issue 9, class 5); they must not hide the `input` gate
    /// of a stage that runs on the pipeline's triggers, which a parameter trigger did.
    #[test]
    fn parameters_do_not_hide_an_input_gate() {
        let src = r#"pipeline {
  agent any
  parameters { string(name: 'TAG', defaultValue: 'latest') }
  stages {
    stage('Deploy prod') {
      input { message 'Ship?' }
      steps { sh 'kubectl apply -n shop-prod -f k8s/' }
    }
  }
}"#;
        assert_eq!(
            triggers(src),
            [(
                "shop-prod".to_owned(),
                vec!["branch".to_owned(), "manual".to_owned()]
            )]
        );
    }
}
