//! READ stage: lowers `.circleci/config.yml` into a [`Pipeline`].
//!
//! CircleCI splits a config into `jobs:` (what runs) and `workflows:` (when and in what order),
//! so the jobs of the pipeline are the *workflow entries*: the same job used in two workflows, or
//! twice under different `name:`s, becomes two [`Job`]s with ids `workflow/name`. Reusable
//! `commands:` are expanded in place (each step keeps the location of its definition) and
//! `<< parameters.x >>` is substituted textually; orb commands and orb jobs are kept as
//! [`Step::Action`]s named as written (`kubernetes/install-kubectl`), and registry orbs are
//! recorded as [`Unresolved`] because they cannot be fetched offline.

use std::collections::BTreeMap;

use crate::files::{Code, Diagnostic};
use crate::read::pipeline::{CiSystem, Job, Pipeline, Step, Trigger, TriggerKind, Unresolved};
use crate::yaml::{Mapping, Node, Value};

use super::support::{
    SourceText, YamlFile, YamlFormat, empty_job, key_text, scalar, scalars, single_entry,
};
use params::{Params, substitute, with_defaults};
use workdir::JobDirs;

mod logic;
mod params;
mod workdir;

/// How deep reusable commands may call each other.
const MAX_COMMAND_DEPTH: usize = 16;

/// Reusable commands expanded in one config, over all its jobs. Depth alone does not bound the
/// work: commands that each call the next several times grow exponentially.
const MAX_COMMAND_EXPANSIONS: usize = 10_000;

/// Reader for CircleCI configuration files.
pub(crate) struct CircleciReader;

impl YamlFormat for CircleciReader {
    const SYSTEM: CiSystem = CiSystem::Circleci;
    const SHAPE: Code = Code::CircleciShape;
    const WHAT: &'static str = "config";

    fn claims(path: &str) -> bool {
        path == ".circleci/config.yml" || path == ".circleci/config.yaml"
    }

    /// Another configuration next to `config.yml` (`.circleci/continue_config.yml`, which a
    /// setup workflow continues with, or a pipeline started through the API): a root mapping
    /// with `version:` and a `jobs:` or `workflows:` mapping.
    fn recognises(path: &str, text: &str) -> bool {
        let Some(name) = path.strip_prefix(".circleci/") else {
            return false;
        };
        if name.contains('/') {
            return false;
        }
        // A configuration that does not parse is read anyway, so its problem is reported.
        let Ok(parsed) = crate::yaml::parse_with(text, &crate::yaml::Limits::default()) else {
            return text.lines().any(|l| l.starts_with("version:"));
        };
        let Some(root) = parsed.documents.first().and_then(Node::as_map) else {
            return false;
        };
        let mapping = |key: &str| root.get(key).is_some_and(|n| n.as_map().is_some());
        root.get("version").is_some() && (mapping("jobs") || mapping("workflows"))
    }

    fn lower(file: YamlFile<'_>, root: &Mapping) -> Pipeline {
        let mut lower = Lower::new(file.st, root, file.diagnostics);
        lower.pipeline(root, file.pipeline)
    }
}

/// Lowering state for one config file.
struct Lower<'a> {
    st: SourceText,
    /// Reusable commands by name (`commands:` and `<inline-orb>/<command>`).
    commands: BTreeMap<String, &'a Node>,
    /// Job definitions by name (`jobs:` and `<inline-orb>/<job>`).
    jobs: Vec<(String, &'a Node, &'a Node)>,
    diagnostics: &'a mut Vec<Diagnostic>,
    /// The commands being expanded, outermost first: a command already here is a cycle.
    calling: Vec<String>,
    /// Commands expanded so far ([`MAX_COMMAND_EXPANSIONS`]; one more once that was said).
    expansions: usize,
    /// Where the job being lowered runs its steps and checks the repository out.
    dirs: JobDirs,
}

impl<'a> Lower<'a> {
    fn new(st: SourceText, root: &'a Mapping, diagnostics: &'a mut Vec<Diagnostic>) -> Self {
        let mut lower = Lower {
            st,
            commands: BTreeMap::new(),
            jobs: Vec::new(),
            diagnostics,
            calling: Vec::new(),
            expansions: 0,
            dirs: JobDirs::default(),
        };
        if let Some(commands) = root.get("commands") {
            lower.collect_commands("", commands);
        }
        if let Some(jobs) = root.get("jobs") {
            lower.collect_jobs("", jobs);
        }
        // Inline orbs (`orbs: { name: { commands: ..., jobs: ... } }`) are part of the file, so
        // their commands and jobs can be expanded like local ones.
        if let Some(orbs) = root.get("orbs").and_then(Node::as_map) {
            for (k, v) in orbs {
                if let Some(orb) = v.as_map() {
                    let prefix = format!("{}/", key_text(k));
                    if let Some(c) = orb.get("commands") {
                        lower.collect_commands(&prefix, c);
                    }
                    if let Some(j) = orb.get("jobs") {
                        lower.collect_jobs(&prefix, j);
                    }
                }
            }
        }
        lower
    }

    fn collect_commands(&mut self, prefix: &str, node: &'a Node) {
        match node.as_map() {
            Some(m) => {
                for (k, v) in m {
                    self.commands.insert(format!("{prefix}{}", key_text(k)), v);
                }
            }
            None => self.shape(node, "`commands`", "a mapping"),
        }
    }

    fn collect_jobs(&mut self, prefix: &str, node: &'a Node) {
        match node.as_map() {
            Some(m) => {
                for (k, v) in m {
                    self.jobs.push((format!("{prefix}{}", key_text(k)), k, v));
                }
            }
            None => self.shape(node, "`jobs`", "a mapping"),
        }
    }

    fn shape(&mut self, node: &Node, what: &str, expected: &str) {
        let d = self.st.shape(Code::CircleciShape, node, what, expected);
        self.diagnostics.push(d);
    }

    fn pipeline(&mut self, root: &'a Mapping, mut pipeline: Pipeline) -> Pipeline {
        if let Some(orbs) = root.get("orbs") {
            match orbs.as_map() {
                Some(m) => {
                    for (_, v) in m {
                        if let Some(reference) = scalar(v) {
                            pipeline.unresolved.push(Unresolved {
                                kind: "orb".to_owned(),
                                reference,
                                loc: self.st.loc(v),
                            });
                        }
                    }
                }
                None => self.shape(orbs, "`orbs`", "a mapping"),
            }
        }
        let workflows = root.get("workflows").and_then(Node::as_map);
        let has_workflows = workflows.is_some_and(|w| w.iter().any(|(k, _)| !is_version(k)));
        if let (true, Some(workflows)) = (has_workflows, workflows) {
            for (k, v) in workflows {
                if !is_version(k) {
                    self.workflow(k, v, &mut pipeline);
                }
            }
        } else {
            // Without workflows CircleCI runs the jobs on every push.
            pipeline.triggers.push(self.st.every_push());
            let jobs = self.jobs.clone();
            for (name, key, def) in jobs {
                self.dirs = JobDirs::of(def);
                let mut job = empty_job(name.clone(), name, self.st.loc(key));
                self.job_body(def, &Params::new(), &mut job);
                pipeline.jobs.push(job);
            }
        }
        pipeline
    }

    fn workflow(&mut self, key: &Node, wf: &Node, pipeline: &mut Pipeline) {
        let wf_name = key_text(key);
        let Some(map) = wf.as_map() else {
            self.shape(wf, &format!("workflow `{wf_name}`"), "a mapping");
            return;
        };
        let mut shared = Vec::new();
        let mut scheduled = false;
        if let Some(triggers) = map.get("triggers") {
            for t in triggers.as_seq().unwrap_or_default() {
                let Some(cron) = t
                    .as_map()
                    .and_then(|m| m.get("schedule"))
                    .and_then(|s| s.as_map().and_then(|m| m.get("cron")))
                else {
                    continue;
                };
                scheduled = true;
                // The schedule starts this workflow's jobs only, so it is their condition
                // rather than a trigger of the whole config (whose jobs would all inherit it).
                let trigger = self
                    .st
                    .trigger(TriggerKind::Schedule, scalar(cron), false, cron);
                shared.push(trigger);
                if let Some(filters) = t
                    .as_map()
                    .and_then(|m| m.get("schedule"))
                    .and_then(Node::as_map)
                    .and_then(|m| m.get("filters"))
                {
                    shared.extend(self.filters(filters));
                }
            }
        }
        if !scheduled {
            // A workflow without `triggers:` runs on every push (its jobs filter further).
            pipeline
                .triggers
                .push(self.st.trigger(TriggerKind::Branch, None, false, key));
        }
        for (word, negated) in [("when", false), ("unless", true)] {
            if let Some(cond) = map.get(word) {
                shared.extend(logic::conditions(&self.st, cond, negated, &str::to_owned));
            }
        }
        let Some(entries) = map.get("jobs") else {
            return;
        };
        let Some(entries) = entries.as_seq() else {
            self.shape(
                entries,
                &format!("`jobs` of workflow `{wf_name}`"),
                "a sequence",
            );
            return;
        };
        for entry in entries {
            self.workflow_job(&wf_name, entry, &shared, pipeline);
        }
    }

    fn workflow_job(&mut self, wf: &str, entry: &Node, shared: &[Trigger], p: &mut Pipeline) {
        let (job_ref, at, args) = match &entry.value {
            Value::Map(_) => match single_entry(entry) {
                Some((k, v)) => (key_text(k), k, v.as_map()),
                None => return,
            },
            _ => match scalar(entry) {
                Some(s) => (s, entry, None),
                None => {
                    self.shape(entry, "a workflow job", "a string or a mapping");
                    return;
                }
            },
        };
        let display = args
            .and_then(|a| a.get("name"))
            .and_then(scalar)
            .unwrap_or_else(|| job_ref.clone());
        let mut job = empty_job(format!("{wf}/{display}"), display, self.st.loc(at));
        job.stage = Some(wf.to_owned());
        job.conditions.extend(shared.iter().cloned());
        let mut params = Params::new();
        let mut pre = None;
        let mut post = None;
        let mut approval = false;
        for (k, v) in args.map(Mapping::entries).unwrap_or_default() {
            match key_text(k).as_str() {
                "name" => {}
                "requires" => {
                    for req in v.as_seq().unwrap_or(std::slice::from_ref(v)) {
                        // `- other` or the newer `- other: [success, failed]`.
                        let name =
                            single_entry(req).map_or_else(|| scalar(req), |(k, _)| scalar(k));
                        if let Some(name) = name {
                            job.needs.push(format!("{wf}/{name}"));
                        }
                    }
                }
                "filters" => job.conditions.extend(self.filters(v)),
                "context" => {
                    for (c, _) in scalars(v) {
                        job.variables.push(("context".to_owned(), c));
                    }
                }
                "type" => approval = scalar(v).as_deref() == Some("approval"),
                "matrix" => job.matrix = matrix(v),
                "pre-steps" => pre = Some(v),
                "post-steps" => post = Some(v),
                key => params.push((key.to_owned(), self.st.value_text(v))),
            }
        }
        if approval {
            job.manual = true;
            p.jobs.push(job);
            return;
        }
        let def = self
            .jobs
            .iter()
            .find(|(name, _, _)| *name == job_ref)
            .map(|(_, _, def)| *def);
        self.dirs = def.map(JobDirs::of).unwrap_or_default();
        if let Some(pre) = pre {
            self.steps(pre, &params, 0, &mut job.steps);
        }
        match def {
            Some(def) => self.job_body(def, &params, &mut job),
            None if job_ref.contains('/') => job.steps.push(Step::Action {
                name: None,
                uses: job_ref.clone(),
                with: params.clone(),
                loc: self.st.loc(at),
                when: Vec::new(),
            }),
            None => {
                let d = self.st.diag(
                    Code::CircleciUnknownJob,
                    format!("workflow `{wf}` uses job `{job_ref}`, which is not defined"),
                    at,
                );
                self.diagnostics.push(d);
            }
        }
        if let Some(post) = post {
            self.steps(post, &params, 0, &mut job.steps);
        }
        p.jobs.push(job);
    }

    /// Fills a job's variables and steps from its definition, with `args` given by the caller.
    fn job_body(&mut self, def: &Node, args: &Params, job: &mut Job) {
        let Some(map) = def.as_map() else {
            self.shape(def, &format!("job `{}`", job.name), "a mapping");
            return;
        };
        let params = with_defaults(map.get("parameters"), args, &self.st);
        if let Some(env) = map.get("environment").and_then(Node::as_map) {
            job.variables.extend(self.st.pairs(env));
        }
        if let Some(steps) = map.get("steps") {
            self.steps(steps, &params, 0, &mut job.steps);
        }
    }

    /// `filters: { branches: { only, ignore }, tags: { only, ignore } }`, or an expression.
    fn filters(&mut self, node: &Node) -> Vec<Trigger> {
        let Some(map) = node.as_map() else {
            return scalar(node)
                .map(|text| {
                    vec![
                        self.st
                            .trigger(TriggerKind::Expression, Some(text), false, node),
                    ]
                })
                .unwrap_or_default();
        };
        let mut out = Vec::new();
        for (section, kind) in [
            ("branches", TriggerKind::Branch),
            ("tags", TriggerKind::Tag),
        ] {
            let Some(filter) = map.get(section).and_then(Node::as_map) else {
                continue;
            };
            for (word, negated) in [("only", false), ("ignore", true)] {
                for (pattern, at) in filter.get(word).map(scalars).unwrap_or_default() {
                    out.push(self.st.trigger(kind.clone(), Some(pattern), negated, at));
                }
            }
        }
        out
    }

    fn steps(&mut self, node: &Node, params: &Params, depth: usize, out: &mut Vec<Step>) {
        let Some(items) = node.as_seq() else {
            self.shape(node, "`steps`", "a sequence");
            return;
        };
        for item in items {
            match &item.value {
                Value::Map(_) => {
                    let Some((k, v)) = single_entry(item) else {
                        continue;
                    };
                    match key_text(k).as_str() {
                        "run" => self.run(v, params, out),
                        // CircleCI 2.0's `deploy:` step is a `run:` step under another name.
                        "deploy" if !self.commands.contains_key("deploy") => {
                            self.run(v, params, out);
                        }
                        // A `when:` step: its steps, with its condition as their own.
                        word @ ("when" | "unless") => {
                            let Some(m) = v.as_map() else { continue };
                            let Some(steps) = m.get("steps") else {
                                continue;
                            };
                            let when = m.get("condition").map(|c| {
                                let subst = |t: &str| substitute(t, params);
                                logic::conditions(&self.st, c, word == "unless", &subst)
                            });
                            let first = out.len();
                            self.steps(steps, params, depth, out);
                            for step in &mut out[first..] {
                                step.when_mut().extend(when.iter().flatten().cloned());
                            }
                        }
                        name => self.call(name, Some(v), k, params, depth, out),
                    }
                }
                _ => match scalar(item) {
                    Some(name) => self.call(&name, None, item, params, depth, out),
                    None => self.shape(item, "a step", "a string or a mapping"),
                },
            }
        }
    }

    fn run(&mut self, v: &Node, params: &Params, out: &mut Vec<Step>) {
        let (command, name, dir, environment) = match v.as_map() {
            Some(m) => (
                m.get("command"),
                m.get("name").and_then(scalar),
                m.get("working_directory").and_then(scalar),
                m.get("environment").and_then(Node::as_map),
            ),
            None => (Some(v), None, None, None),
        };
        let Some(command) = command else {
            self.shape(v, "`run`", "a string or a mapping with `command`");
            return;
        };
        let Some(text) = scalar(command) else {
            self.shape(command, "`run` command", "a string");
            return;
        };
        let name = name.map(|n| substitute(&n, params));
        let mut step = self
            .st
            .script_text(name, substitute(&text, params), command);
        if let Step::Script { dir: at, env, .. } = &mut step {
            let written = dir.map(|d| substitute(&d, params));
            *at = self.dirs.step_dir(written.as_deref());
            // The step's own `environment:`, for its command only.
            if let Some(vars) = environment {
                let pairs = self.st.pairs(vars).into_iter();
                env.extend(pairs.map(|(k, v)| (k, substitute(&v, params))));
            }
        }
        out.push(step);
    }

    /// A step naming a command: a reusable command from this file is expanded, anything else
    /// (built-in such as `checkout`, orb command) becomes an action.
    fn call(
        &mut self,
        name: &str,
        args: Option<&Node>,
        at: &Node,
        params: &Params,
        depth: usize,
        out: &mut Vec<Step>,
    ) {
        let given: Params = args
            .and_then(Node::as_map)
            .map(|m| {
                self.st
                    .pairs(m)
                    .into_iter()
                    .map(|(k, v)| (k, substitute(&v, params)))
                    .collect()
            })
            .unwrap_or_default();
        let Some(def) = self.commands.get(name).copied() else {
            out.push(Step::Action {
                name: None,
                uses: name.to_owned(),
                with: given,
                loc: self.st.loc(at),
                when: Vec::new(),
            });
            return;
        };
        let refusal = if self.calling.iter().any(|c| c == name) {
            Some(format!(
                "command `{name}` calls itself (through `{}`); the call is not expanded",
                self.calling.join("` → `")
            ))
        } else if depth >= MAX_COMMAND_DEPTH {
            Some(format!(
                "command `{name}` nests more than {MAX_COMMAND_DEPTH} levels deep"
            ))
        } else {
            None
        };
        if let Some(message) = refusal {
            let d = self.st.diag(Code::CircleciCommandCycle, message, at);
            self.diagnostics.push(d);
            return;
        }
        if self.expansions >= MAX_COMMAND_EXPANSIONS {
            // Said once, by the first call over the budget; the count then moves past it.
            if self.expansions == MAX_COMMAND_EXPANSIONS {
                let message = format!(
                    "commands are expanded more than {MAX_COMMAND_EXPANSIONS} times in this \
                     config; `{name}` and the calls after it are not expanded"
                );
                let d = self.st.diag(Code::CircleciCommandCycle, message, at);
                self.diagnostics.push(d);
                self.expansions += 1;
            }
            return;
        }
        let Some(map) = def.as_map() else {
            self.shape(def, &format!("command `{name}`"), "a mapping");
            return;
        };
        self.expansions += 1;
        let inner = with_defaults(map.get("parameters"), &given, &self.st);
        if let Some(steps) = map.get("steps") {
            self.calling.push(name.to_owned());
            self.steps(steps, &inner, depth + 1, out);
            self.calling.pop();
        }
    }
}

fn is_version(key: &Node) -> bool {
    key_text(key) == "version"
}

/// `matrix: { parameters: { axis: [values] } }`.
fn matrix(node: &Node) -> Vec<(String, Vec<String>)> {
    node.as_map()
        .and_then(|m| m.get("parameters"))
        .and_then(Node::as_map)
        .map(|axes| {
            axes.iter()
                .map(|(k, v)| {
                    (
                        key_text(k),
                        scalars(v).into_iter().map(|(s, _)| s).collect(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
