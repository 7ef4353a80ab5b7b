//! READ stage: lowers `.travis.yml` into a [`Pipeline`].
//!
//! A Travis build is one job (or one per `jobs.include` entry) whose lifecycle phases
//! (`before_install` ... `after_deploy`) run in a fixed order; each phase's commands become
//! script steps named after the phase, include entries overriding the root's phases, and the
//! job's and its stage's `if:` conditions become its conditions. Each `deploy:` provider is a
//! job of its own, `<job>/deploy` (`<job>/deploy-<n>` when there are several), that needs the
//! job: Travis runs a provider only where its `on:` filters hold, so they are conditions of
//! that provider alone, not of `after_success` and the other phases. It runs `before_deploy`,
//! the provider (`provider: script` a script, any other provider an action named
//! `travis-deploy:<provider>`) and `after_deploy`, which Travis runs only around a deploy.

mod condition;

pub(crate) use condition::alternatives;

use crate::files::{Code, Diagnostic};
use crate::read::pipeline::{CiSystem, Job, Pipeline, Step, Trigger, TriggerKind};
use crate::yaml::{Mapping, Node, Span, Value};

use super::support::{
    JobIds, SourceText, YamlFile, YamlFormat, empty_job, key_text, scalar, scalars,
};

/// The phases that run only around a deploy provider, in its own job.
const DEPLOY_PHASES: [&str; 3] = ["before_deploy", "deploy", "after_deploy"];

/// Lifecycle phases in the order Travis runs them; [`DEPLOY_PHASES`] are handled separately.
const PHASES: [&str; 10] = [
    "before_install",
    "install",
    "before_script",
    "script",
    "after_success",
    "after_failure",
    "before_deploy",
    "deploy",
    "after_deploy",
    "after_script",
];

/// Reader for Travis CI configuration.
pub(crate) struct TravisReader;

impl YamlFormat for TravisReader {
    const SYSTEM: CiSystem = CiSystem::Travis;
    const SHAPE: Code = Code::TravisShape;
    const WHAT: &'static str = "configuration";

    fn claims(path: &str) -> bool {
        path == ".travis.yml"
    }

    fn lower(file: YamlFile<'_>, root: &Mapping) -> Pipeline {
        let mut lower = Lower {
            st: file.st,
            diagnostics: file.diagnostics,
        };
        lower.pipeline(root, file.pipeline)
    }
}

struct Lower<'a> {
    st: SourceText,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl Lower<'_> {
    fn shape(&mut self, node: &Node, what: &str, expected: &str) {
        let d = self.st.shape(Code::TravisShape, node, what, expected);
        self.diagnostics.push(d);
    }

    fn pipeline(&mut self, root: &Mapping, mut p: Pipeline) -> Pipeline {
        p.triggers = self.branch_triggers(root);
        if let Some(cond) = root.get("if") {
            p.triggers.extend(condition::conditions(&self.st, cond));
        }
        if let Some(env) = root.get("env") {
            p.variables = env_vars(env);
        }
        let stage_conditions = self.stage_conditions(root);
        let include = root
            .get("jobs")
            .or_else(|| root.get("matrix"))
            .and_then(Node::as_map)
            .and_then(|m| m.get("include"));
        let entries = match include {
            Some(node) => match node.as_seq() {
                Some(items) => items.iter().collect(),
                None => {
                    self.shape(node, "`jobs.include`", "a sequence");
                    Vec::new()
                }
            },
            None => Vec::new(),
        };
        if entries.is_empty() {
            let mut job = empty_job(
                "test/1".to_owned(),
                "test".to_owned(),
                self.st.loc_span(Span::empty(0)),
            );
            job.stage = Some("test".to_owned());
            let deploys = self.fill(&mut job, None, root, &stage_conditions);
            p.jobs.push(job);
            p.jobs.extend(deploys);
            return p;
        }
        let mut stage = "test".to_owned();
        let mut ids = JobIds::default();
        for (i, entry) in entries.into_iter().enumerate() {
            let Some(m) = entry.as_map() else {
                self.shape(entry, "a `jobs.include` entry", "a mapping");
                continue;
            };
            // An entry without `stage:` continues the previous entry's stage.
            if let Some(s) = m.get("stage").and_then(scalar) {
                stage = s;
            }
            let name = m.get("name").and_then(scalar);
            let base = name.clone().unwrap_or_else(|| format!("{stage}/{}", i + 1));
            let id = ids.unique(base);
            let mut job = empty_job(id.clone(), name.unwrap_or(id), self.st.loc(entry));
            job.stage = Some(stage.clone());
            let deploys = self.fill(&mut job, Some(m), root, &stage_conditions);
            p.jobs.push(job);
            p.jobs.extend(deploys);
        }
        p
    }

    /// `branches: { only, except }` (or a bare list meaning `only`); every branch otherwise.
    fn branch_triggers(&mut self, root: &Mapping) -> Vec<Trigger> {
        let Some(branches) = root.get("branches") else {
            return vec![self.st.every_push()];
        };
        let mut out = Vec::new();
        match branches.as_map() {
            Some(m) => {
                for (word, negated) in [("only", false), ("except", true)] {
                    for (pattern, at) in m.get(word).map(scalars).unwrap_or_default() {
                        out.push(
                            self.st
                                .trigger(TriggerKind::Branch, Some(pattern), negated, at),
                        );
                    }
                }
            }
            None => {
                for (pattern, at) in scalars(branches) {
                    out.push(
                        self.st
                            .trigger(TriggerKind::Branch, Some(pattern), false, at),
                    );
                }
            }
        }
        out
    }

    /// `stages: [name | { name, if }]` → conditions per lowercase stage name.
    fn stage_conditions(&mut self, root: &Mapping) -> Vec<(String, Vec<Trigger>)> {
        let mut out = Vec::new();
        for s in root
            .get("stages")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            let Some(m) = s.as_map() else { continue };
            if let (Some(name), Some(cond)) = (m.get("name").and_then(scalar), m.get("if")) {
                out.push((
                    name.to_ascii_lowercase(),
                    condition::conditions(&self.st, cond),
                ));
            }
        }
        out
    }

    /// Steps, conditions and variables of a job from its include entry and the root; returns
    /// the jobs of its deploy providers.
    fn fill(
        &mut self,
        job: &mut Job,
        entry: Option<&Mapping>,
        root: &Mapping,
        stages: &[(String, Vec<Trigger>)],
    ) -> Vec<Job> {
        let stage_key = job.stage.as_deref().unwrap_or("test").to_ascii_lowercase();
        if let Some((_, conds)) = stages.iter().find(|(n, _)| *n == stage_key) {
            job.conditions.extend(conds.iter().cloned());
        }
        if let Some(cond) = entry.and_then(|m| m.get("if")) {
            job.conditions.extend(condition::conditions(&self.st, cond));
        }
        if let Some(env) = entry.and_then(|m| m.get("env")) {
            job.variables = env_vars(env);
        }
        // Include entries inherit the root's phases unless they set their own.
        let get = |phase: &str| entry.and_then(|m| m.get(phase)).or_else(|| root.get(phase));
        for phase in PHASES.iter().filter(|p| !DEPLOY_PHASES.contains(p)) {
            if let Some(node) = get(phase) {
                self.phase(phase, node, &mut job.steps);
            }
        }
        let Some(node) = get("deploy") else {
            return Vec::new();
        };
        let providers: Vec<&Node> = match &node.value {
            Value::Seq(items) => items.iter().collect(),
            Value::Map(_) => vec![node],
            _ => {
                self.shape(node, "`deploy`", "a mapping or a sequence");
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (n, provider) in providers.iter().enumerate() {
            let Some(m) = provider.as_map() else {
                self.shape(provider, "a `deploy` entry", "a mapping");
                continue;
            };
            let id = if providers.len() == 1 {
                format!("{}/deploy", job.id)
            } else {
                format!("{}/deploy-{}", job.id, n + 1)
            };
            let mut deploy = empty_job(id.clone(), id, self.st.loc(provider));
            deploy.stage = job.stage.clone();
            deploy.needs = vec![job.id.clone()];
            deploy.conditions = job.conditions.clone();
            deploy.variables = job.variables.clone();
            if let Some(before) = get("before_deploy") {
                self.phase("before_deploy", before, &mut deploy.steps);
            }
            self.provider(provider, m, &mut deploy);
            if let Some(after) = get("after_deploy") {
                self.phase("after_deploy", after, &mut deploy.steps);
            }
            out.push(deploy);
        }
        out
    }

    fn phase(&mut self, phase: &str, node: &Node, out: &mut Vec<Step>) {
        let items: Vec<&Node> = match &node.value {
            Value::Seq(items) => items.iter().collect(),
            Value::Map(_) => {
                self.shape(node, &format!("`{phase}`"), "a string or a sequence");
                return;
            }
            _ => vec![node],
        };
        for item in items {
            // `install: skip` turns a default phase off; it runs nothing.
            if item.as_str() == Some("skip") || item.is_null() {
                continue;
            }
            match self.st.script(Some(phase.to_owned()), item) {
                Some(step) => out.push(step),
                None => self.shape(item, &format!("a `{phase}` command"), "a string"),
            }
        }
    }

    /// One deploy provider: its `on:` filters as the job's conditions, and its step.
    fn provider(&mut self, entry: &Node, m: &Mapping, job: &mut Job) {
        let provider_node = m.get("provider");
        let provider = provider_node.and_then(scalar).unwrap_or_default();
        if let Some(on) = m.get("on") {
            self.on(on, &mut job.conditions);
        }
        if provider == "script" {
            if let Some(script) = m.get("script") {
                self.phase("deploy", script, &mut job.steps);
            }
            return;
        }
        let with = m
            .iter()
            .filter(|(k, _)| !matches!(key_text(k).as_str(), "provider" | "on"))
            .map(|(k, v)| (key_text(k), self.st.value_text(v)))
            .collect();
        job.steps.push(Step::Action {
            name: Some("deploy".to_owned()),
            uses: format!("travis-deploy:{provider}"),
            with,
            loc: self.st.loc(provider_node.unwrap_or(entry)),
            when: Vec::new(),
        });
    }

    /// `on:` of a deploy provider: a branch name, or `{ branch, tags, all_branches, condition }`.
    fn on(&mut self, node: &Node, out: &mut Vec<Trigger>) {
        let Some(m) = node.as_map() else {
            if let Some(branch) = scalar(node) {
                out.push(
                    self.st
                        .trigger(TriggerKind::Branch, Some(branch), false, node),
                );
            }
            return;
        };
        for (k, v) in m {
            match key_text(k).as_str() {
                "branch" => {
                    for (b, at) in scalars(v) {
                        out.push(self.st.trigger(TriggerKind::Branch, Some(b), false, at));
                    }
                }
                "tags" => {
                    let negated = v.as_bool() == Some(false);
                    out.push(self.st.trigger(TriggerKind::Tag, None, negated, v));
                }
                "all_branches" if v.as_bool() == Some(true) => {
                    out.push(self.st.trigger(TriggerKind::Branch, None, false, k));
                }
                "condition" => {
                    for (c, at) in scalars(v) {
                        out.push(self.st.trigger(TriggerKind::Expression, Some(c), false, at));
                    }
                }
                _ => {}
            }
        }
    }
}

/// `env:` as `A=1 B=2`, a list of such strings, or `{ global: [...], jobs: [...] }`; encrypted
/// (`secure:`) entries are skipped because their names are not visible.
fn env_vars(node: &Node) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match &n.value {
            Value::Seq(items) => stack.extend(items.iter().rev()),
            Value::Map(m) => {
                for key in ["global", "jobs", "matrix"] {
                    if let Some(v) = m.get(key) {
                        stack.push(v);
                    }
                }
            }
            _ => {
                for token in scalar(n).unwrap_or_default().split_whitespace() {
                    if let Some((k, v)) = token.split_once('=') {
                        out.push((k.to_owned(), v.trim_matches('"').to_owned()));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::support::test_support::{self, at, kinds};

    const PATH: &str = ".travis.yml";

    fn read(src: &str) -> (Option<Pipeline>, Vec<Diagnostic>) {
        test_support::read(&TravisReader, PATH, src)
    }

    fn pipeline(src: &str) -> Pipeline {
        test_support::pipeline(&TravisReader, PATH, src)
    }

    const CONFIG: &str = r#"language: go
branches:
  only:
    - main
    - /^v\d+\.\d+/
  except: [gh-pages]
env:
  global:
    - IMAGE=acme/web CLUSTER=prod
    - secure: abcdef
before_install:
  - curl -LO kubectl
script: make test
stages:
  - test
  - name: deploy
    if: branch = main AND type != pull_request
jobs:
  include:
    - stage: test
      name: unit
    - stage: deploy
      name: deploy-prod
      script: skip
      before_deploy: echo preparing
      deploy:
        - provider: script
          script: |
            kubectl apply -k overlays/production
            kubectl rollout status deploy/web
          on:
            branch: main
        - provider: releases
          api_key:
            secure: xyz
          file: dist/app
          on:
            tags: true
      after_deploy:
        - echo deployed
    - name: nightly
      if: type = cron
"#;

    #[test]
    fn branch_filters_are_pipeline_triggers() {
        let p = pipeline(CONFIG);
        assert_eq!(
            kinds(&p.triggers),
            [
                (TriggerKind::Branch, Some("main"), false),
                (TriggerKind::Branch, Some("/^v\\d+\\.\\d+/"), false),
                (TriggerKind::Branch, Some("gh-pages"), true),
            ]
        );
        assert_eq!(at(CONFIG, &p.triggers[2].loc), "gh-pages");
        assert_eq!(
            p.variables,
            [
                ("IMAGE".to_owned(), "acme/web".to_owned()),
                ("CLUSTER".to_owned(), "prod".to_owned())
            ]
        );
        let p = pipeline("script: make\n");
        assert_eq!(kinds(&p.triggers), [(TriggerKind::Branch, None, false)]);
        assert_eq!(p.jobs[0].id, "test/1");
    }

    #[test]
    fn include_entries_inherit_phases_and_carry_stages() {
        let p = pipeline(CONFIG);
        let ids: Vec<_> = p.jobs.iter().map(|j| j.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "unit",
                "deploy-prod",
                "deploy-prod/deploy-1",
                "deploy-prod/deploy-2",
                "nightly"
            ]
        );
        let unit = &p.jobs[0];
        let texts: Vec<_> = unit
            .steps
            .iter()
            .filter_map(|s| match s {
                Step::Script { name, text, .. } => Some((name.as_deref(), text.as_str())),
                Step::Action { .. } => None,
            })
            .collect();
        assert_eq!(
            texts,
            [
                (Some("before_install"), "curl -LO kubectl"),
                (Some("script"), "make test")
            ]
        );
        // `nightly` has no stage: it continues the `deploy` stage and gets its condition.
        let nightly = &p.jobs[4];
        assert_eq!(nightly.stage.as_deref(), Some("deploy"));
        assert_eq!(
            kinds(&nightly.conditions)[1..],
            [
                (TriggerKind::Branch, Some("main"), false),
                (TriggerKind::PullRequest, None, true),
                (TriggerKind::Expression, Some("type = cron"), false),
                (TriggerKind::Schedule, None, false),
            ]
        );
    }

    #[test]
    fn jobs_of_one_name_get_unique_ids_in_linear_work() {
        use crate::files::work::{self, Work};
        let jobs = 1_000;
        let mut src = String::from("jobs:\n  include:\n");
        for _ in 0..jobs {
            src.push_str("    - stage: deploy\n      name: d\n      script: make\n");
        }
        work::take(Work::IdProbes);
        let p = pipeline(&src);
        let ids: std::collections::BTreeSet<&str> = p.jobs.iter().map(|j| j.id.as_str()).collect();
        assert_eq!(ids.len(), jobs);
        assert!(ids.contains("d#1000"), "{ids:?}");
        let probes = work::take(Work::IdProbes);
        assert!(probes <= 2 * jobs, "{probes} ids tried for {jobs} jobs");
    }

    #[test]
    fn deploy_providers_and_on_conditions() {
        let p = pipeline(CONFIG);
        type Row = (Option<String>, String, Vec<(String, String)>);
        let steps_of = |job: &Job| -> Vec<Row> {
            job.steps
                .iter()
                .map(|s| match s {
                    Step::Script { name, text, .. } => (name.clone(), text.clone(), Vec::new()),
                    Step::Action { uses, with, .. } => (None, uses.clone(), with.clone()),
                })
                .collect()
        };
        // The job itself runs its phases but not the deploy ones.
        let parent = steps_of(&p.jobs[1]);
        assert_eq!(parent.len(), 1, "{parent:?}");
        assert_eq!(parent[0].1, "curl -LO kubectl");
        // Each provider is a job after it: before_deploy, the provider, after_deploy.
        let script = &p.jobs[2];
        assert_eq!(script.needs, ["deploy-prod"]);
        let steps = steps_of(script);
        assert_eq!(steps[0].0.as_deref(), Some("before_deploy"));
        assert_eq!(steps[1].0.as_deref(), Some("deploy"));
        assert!(
            steps[1]
                .1
                .starts_with("kubectl apply -k overlays/production\n")
        );
        assert_eq!(steps[2].0.as_deref(), Some("after_deploy"));
        assert_eq!(steps.len(), 3);
        let releases = steps_of(&p.jobs[3]);
        assert_eq!(releases[1].1, "travis-deploy:releases");
        assert_eq!(
            releases[1].2[0],
            ("api_key".to_owned(), "secure: xyz".to_owned())
        );
        assert_eq!(releases[1].2[1], ("file".to_owned(), "dist/app".to_owned()));
        // Each provider's `on:` holds for it alone, after the stage's and the job's `if:`.
        let conds = kinds(&script.conditions);
        assert!(conds.contains(&(TriggerKind::Branch, Some("main"), false)));
        assert!(!conds.contains(&(TriggerKind::Tag, None, false)));
        let conds = kinds(&p.jobs[3].conditions);
        assert!(conds.contains(&(TriggerKind::Tag, None, false)));
        assert!(kinds(&p.jobs[1].conditions).len() < conds.len());
        let Step::Script {
            loc, line_starts, ..
        } = &script.steps[1]
        else {
            panic!("expected a script");
        };
        assert!(at(CONFIG, loc).starts_with("kubectl apply"));
        assert!(CONFIG[line_starts[1]..].starts_with("kubectl rollout"));
    }

    #[test]
    fn deploy_on_shorthands() {
        let src = "script: make\ndeploy:\n  provider: heroku\n  on:\n    all_branches: true\n    condition: $X = y\n";
        let p = pipeline(src);
        assert!(p.jobs[0].conditions.is_empty());
        assert_eq!(p.jobs[1].id, "test/1/deploy");
        assert_eq!(
            kinds(&p.jobs[1].conditions),
            [
                (TriggerKind::Branch, None, false),
                (TriggerKind::Expression, Some("$X = y"), false)
            ]
        );
        let p = pipeline("deploy:\n  provider: s3\n  on: production\n");
        assert_eq!(
            kinds(&p.jobs[1].conditions),
            [(TriggerKind::Branch, Some("production"), false)]
        );
    }

    #[test]
    fn yaml_errors_and_wrong_shapes() {
        let (p, d) = read("script: [\n");
        assert!(p.is_none());
        assert_eq!(d[0].code.as_str(), "yaml-syntax");
        let (p, d) = read("just text\n");
        assert!(p.is_none());
        assert_eq!(d[0].code.as_str(), "travis-shape");
        let (p, d) =
            read("script: {a: b}\ndeploy: 3\njobs:\n  include:\n    - 4\n    - script: ok\n");
        assert_eq!(p.map(|p| p.jobs.len()), Some(1));
        // The entry's own `script` replaces the broken root one.
        assert_eq!(d.len(), 2, "{d:?}");
        let (_, d) = read("script: {a: b}\n");
        assert_eq!(d.len(), 1, "{d:?}");
    }

    #[test]
    fn truncated_inputs_never_panic() {
        for end in 0..=CONFIG.len() {
            if CONFIG.is_char_boundary(end) {
                let _ = read(&CONFIG[..end]);
            }
        }
    }
}
