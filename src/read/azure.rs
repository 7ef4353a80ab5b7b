//! READ stage: lowers Azure Pipelines YAML (`azure-pipelines.yml`) into a [`Pipeline`].
//!
//! All three shapes are read (single job with `steps:`, `jobs:`, `stages:`), deployment jobs
//! included: their `environment:` becomes an [`EnvironmentRef`] and the lifecycle hooks of their
//! `strategy:` become steps in run order. Local `template:` references are read from the
//! repository and expanded in place; `${{ parameters.x }}` is substituted in the template's
//! strings (spans keep pointing at the template), and list-valued parameters (`stepList`,
//! `jobList`) are expanded where they are used, keeping the caller's locations. Templates in
//! other repositories (`file.yml@repo`) are recorded as [`Unresolved`].

mod condition;

use std::rc::Rc;

use crate::files::{Code, Diagnostic, RepoFiles};
use crate::read::pipeline::{
    CiSystem, EnvironmentRef, Pipeline, Step, Trigger, TriggerKind, Unresolved,
};
use crate::yaml::{Mapping, Node, Span, Value};

use super::support::{
    SourceText, YamlFile, YamlFormat, empty_job, key_text, parse_file, scalar, scalars,
};

/// How deep templates may include templates before we assume a cycle.
const MAX_TEMPLATE_DEPTH: usize = 12;

/// Reader for Azure Pipelines YAML files.
pub(crate) struct AzureReader;

impl YamlFormat for AzureReader {
    const SYSTEM: CiSystem = CiSystem::AzurePipelines;
    const SHAPE: Code = Code::AzureShape;
    const WHAT: &'static str = "pipeline";

    fn claims(path: &str) -> bool {
        let yaml = path.ends_with(".yml") || path.ends_with(".yaml");
        let in_dir = |dir: &str| {
            path.strip_prefix(dir)
                .is_some_and(|rest| !rest.contains('/') && yaml)
        };
        path == "azure-pipelines.yml"
            || path == "azure-pipelines.yaml"
            || in_dir(".azure-pipelines/")
            || in_dir(".azuredevops/")
    }

    fn lower(file: YamlFile<'_>, root: &Mapping) -> Pipeline {
        let mut lower = Lower {
            repo: file.repo,
            diagnostics: file.diagnostics,
            pipeline: file.pipeline,
            stages: Vec::new(),
        };
        let scope = Scope {
            st: file.st,
            params: Rc::new(Vec::new()),
            depth: 0,
        };
        lower.triggers(root, &scope);
        lower.root(root, &scope);
        lower.stage_needs();
        lower.pipeline
    }
}

/// A template parameter value and the file it was written in.
#[derive(Clone, Debug)]
struct Param {
    node: Node,
    st: SourceText,
}

/// Where a node being lowered comes from: its file and the template parameters in force.
#[derive(Clone, Debug)]
struct Scope {
    st: SourceText,
    params: Rc<Vec<(String, Param)>>,
    depth: usize,
}

impl Scope {
    fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|(n, _)| n == name).map(|(_, p)| p)
    }
}

/// A stage as far as ordering goes: name, its jobs, and what it waits for (`None`: the
/// previous stage, Azure's default).
struct StageInfo {
    name: String,
    jobs: Vec<usize>,
    depends: Option<Vec<String>>,
}

/// Stage-level settings inherited by the stage's jobs.
#[derive(Default, Clone)]
struct StageCtx {
    name: Option<String>,
    conditions: Vec<Trigger>,
    variables: Vec<(String, String)>,
    manual: bool,
}

struct Lower<'a> {
    repo: &'a dyn RepoFiles,
    diagnostics: &'a mut Vec<Diagnostic>,
    pipeline: Pipeline,
    stages: Vec<StageInfo>,
}

impl Lower<'_> {
    fn shape(&mut self, st: &SourceText, node: &Node, what: &str, expected: &str) {
        self.diagnostics
            .push(st.shape(Code::AzureShape, node, what, expected));
    }

    // ----- triggers -------------------------------------------------------------------------

    fn triggers(&mut self, root: &Mapping, scope: &Scope) {
        let st = &scope.st;
        let mut out = Vec::new();
        match root.get_entry("trigger") {
            // No `trigger:` means a CI trigger on every branch.
            None => out.push(Trigger {
                kind: TriggerKind::Branch,
                pattern: None,
                negated: false,
                choices: Vec::new(),
                loc: st.loc_span(Span::empty(0)),
            }),
            Some((key, value)) => out.extend(ref_filters(st, key, value, TriggerKind::Branch)),
        }
        if let Some((key, value)) = root.get_entry("pr") {
            out.extend(ref_filters(st, key, value, TriggerKind::PullRequest));
        }
        if let Some(schedules) = root.get("schedules") {
            for s in schedules.as_seq().unwrap_or_default() {
                if let Some(cron) = s.as_map().and_then(|m| m.get("cron")) {
                    out.push(st.trigger(TriggerKind::Schedule, scalar(cron), false, cron));
                }
            }
        }
        let pipelines = root
            .get("resources")
            .and_then(Node::as_map)
            .and_then(|r| r.get("pipelines"))
            .and_then(Node::as_seq)
            .unwrap_or_default();
        for p in pipelines {
            let Some(m) = p.as_map() else { continue };
            // Only a resource with a trigger starts this pipeline; others just supply artifacts.
            let enabled = match m.get("trigger") {
                None => false,
                Some(t) => !matches!(scalar(t).as_deref(), Some("none" | "false")),
            };
            if enabled {
                let at = m.get("source").or_else(|| m.get("pipeline")).unwrap_or(p);
                out.push(st.trigger(TriggerKind::Upstream, scalar(at), false, at));
            }
        }
        self.pipeline.triggers.extend(out);
    }

    // ----- structure ------------------------------------------------------------------------

    fn root(&mut self, map: &Mapping, scope: &Scope) {
        if let Some(vars) = map.get("variables") {
            let vars = self.variables(vars, scope);
            self.pipeline.variables.extend(vars);
        }
        if let Some(stages) = map.get("stages") {
            self.stages(stages, scope);
        } else if let Some(jobs) = map.get("jobs") {
            self.jobs(jobs, scope, &StageCtx::default());
        } else if let Some((key, steps)) = map.get_entry("steps") {
            let mut job = empty_job("job".to_owned(), "job".to_owned(), scope.st.loc(key));
            self.steps(steps, scope, &mut job.steps);
            job.manual |= has_manual_validation(&job.steps);
            self.pipeline.jobs.push(job);
        } else if let Some(extends) = map.get("extends") {
            let template = extends.as_map().and_then(|m| m.get("template"));
            let args = extends.as_map().and_then(|m| m.get("parameters"));
            if let Some(template) = template
                && let Some((doc, inner)) = self.load_template(template, args, scope)
                && let Some(m) = doc.as_map()
            {
                self.root(m, &inner);
            }
        }
    }

    fn stages(&mut self, node: &Node, scope: &Scope) {
        for (item, sc) in self.expand(node, scope, "`stages`") {
            let Some(m) = item.as_map() else {
                self.shape(&sc.st, &item, "a stage", "a mapping");
                continue;
            };
            if let Some(template) = m.get("template") {
                if let Some((doc, inner)) = self.load_template(template, m.get("parameters"), &sc)
                    && let Some(stages) = doc.as_map().and_then(|d| d.get("stages"))
                {
                    self.stages(stages, &inner);
                }
                continue;
            }
            self.stage(m, &item, &sc);
        }
    }

    fn stage(&mut self, m: &Mapping, item: &Node, sc: &Scope) {
        let name = m
            .get("stage")
            .and_then(scalar)
            .unwrap_or_else(|| format!("stage{}", self.stages.len() + 1));
        let mut ctx = StageCtx {
            name: Some(name.clone()),
            ..StageCtx::default()
        };
        if let Some(cond) = m.get("condition") {
            ctx.conditions = condition::conditions(&sc.st, cond);
        }
        if let Some(vars) = m.get("variables") {
            ctx.variables = self.variables(vars, sc);
        }
        ctx.manual = m.get("trigger").and_then(scalar).as_deref() == Some("manual");
        let depends = m
            .get("dependsOn")
            .map(|d| scalars(d).into_iter().map(|(s, _)| s).collect());
        let first = self.pipeline.jobs.len();
        match m.get("jobs") {
            Some(jobs) => self.jobs(jobs, sc, &ctx),
            None => {
                let d = sc.st.diag(
                    Code::AzureShape,
                    format!("stage `{name}` has no `jobs`"),
                    item,
                );
                self.diagnostics.push(d);
            }
        }
        let last = self.pipeline.jobs.len();
        self.stages.push(StageInfo {
            name,
            jobs: (first..last).collect(),
            depends,
        });
    }

    fn jobs(&mut self, node: &Node, scope: &Scope, ctx: &StageCtx) {
        for (item, sc) in self.expand(node, scope, "`jobs`") {
            let Some(m) = item.as_map() else {
                self.shape(&sc.st, &item, "a job", "a mapping");
                continue;
            };
            if let Some(template) = m.get("template") {
                if let Some((doc, inner)) = self.load_template(template, m.get("parameters"), &sc)
                    && let Some(jobs) = doc.as_map().and_then(|d| d.get("jobs"))
                {
                    self.jobs(jobs, &inner, ctx);
                }
                continue;
            }
            self.job(m, &item, &sc, ctx);
        }
    }

    fn job(&mut self, m: &Mapping, item: &Node, sc: &Scope, ctx: &StageCtx) {
        let (key_node, deployment) = match (m.get("job"), m.get("deployment")) {
            (_, Some(d)) => (Some(d), true),
            (j, None) => (j, false),
        };
        let key = key_node.and_then(scalar).unwrap_or_else(|| {
            // Azure names an anonymous job `Job`, `Job1`, ... within its stage.
            format!("job{}", self.pipeline.jobs.len() + 1)
        });
        let prefix = |k: &str| match &ctx.name {
            Some(stage) => format!("{stage}/{k}"),
            None => k.to_owned(),
        };
        let name = m.get("displayName").and_then(scalar).unwrap_or(key.clone());
        let mut job = empty_job(prefix(&key), name, sc.st.loc(key_node.unwrap_or(item)));
        job.stage.clone_from(&ctx.name);
        job.manual = ctx.manual;
        job.conditions.extend(ctx.conditions.iter().cloned());
        if let Some(cond) = m.get("condition") {
            job.conditions.extend(condition::conditions(&sc.st, cond));
        }
        if let Some(deps) = m.get("dependsOn") {
            job.needs = scalars(deps).into_iter().map(|(s, _)| prefix(&s)).collect();
        }
        job.variables.extend(ctx.variables.iter().cloned());
        if let Some(vars) = m.get("variables") {
            let vars = self.variables(vars, sc);
            job.variables.extend(vars);
        }
        if let Some(steps) = m.get("steps") {
            self.steps(steps, sc, &mut job.steps);
        }
        if deployment {
            if let Some(env) = m.get("environment") {
                job.environment = environment(&sc.st, env);
            }
            if let Some(strategy) = m.get("strategy") {
                self.strategy(strategy, sc, &mut job.steps);
            }
        } else if let Some(matrix) = m
            .get("strategy")
            .and_then(Node::as_map)
            .and_then(|s| s.get("matrix"))
        {
            job.matrix = matrix_axes(matrix);
        }
        job.manual |= has_manual_validation(&job.steps);
        self.pipeline.jobs.push(job);
    }

    /// `strategy: runOnce|rolling|canary:` hooks, in the order Azure runs them.
    fn strategy(&mut self, node: &Node, sc: &Scope, out: &mut Vec<Step>) {
        let Some(m) = node.as_map() else {
            self.shape(&sc.st, node, "`strategy`", "a mapping");
            return;
        };
        for (_, kind) in m {
            let Some(hooks) = kind.as_map() else { continue };
            for hook in ["preDeploy", "deploy", "routeTraffic", "postRouteTraffic"] {
                if let Some(steps) = hooks
                    .get(hook)
                    .and_then(Node::as_map)
                    .and_then(|h| h.get("steps"))
                {
                    self.steps(steps, sc, out);
                }
            }
            if let Some(on) = hooks.get("on").and_then(Node::as_map) {
                for outcome in ["failure", "success"] {
                    if let Some(steps) = on
                        .get(outcome)
                        .and_then(Node::as_map)
                        .and_then(|h| h.get("steps"))
                    {
                        self.steps(steps, sc, out);
                    }
                }
            }
        }
    }

    fn steps(&mut self, node: &Node, scope: &Scope, out: &mut Vec<Step>) {
        for (item, sc) in self.expand(node, scope, "`steps`") {
            let Some(m) = item.as_map() else {
                self.shape(&sc.st, &item, "a step", "a mapping");
                continue;
            };
            let name = m.get("displayName").and_then(scalar);
            if let Some(template) = m.get("template") {
                if let Some((doc, inner)) = self.load_template(template, m.get("parameters"), &sc)
                    && let Some(steps) = doc.as_map().and_then(|d| d.get("steps"))
                {
                    self.steps(steps, &inner, out);
                }
                continue;
            }
            if let Some(task) = m.get("task") {
                let with = m
                    .get("inputs")
                    .and_then(Node::as_map)
                    .map(|i| sc.st.pairs(i))
                    .unwrap_or_default();
                out.push(Step::Action {
                    name,
                    uses: scalar(task).unwrap_or_default(),
                    with,
                    loc: sc.st.loc(task),
                });
                continue;
            }
            if let Some(script) = ["script", "bash", "pwsh", "powershell"]
                .iter()
                .find_map(|k| m.get(k))
            {
                match sc.st.script(name, script) {
                    Some(step) => out.push(step),
                    None => self.shape(&sc.st, script, "a script", "a string"),
                }
                continue;
            }
            let Some((k, v)) = m.entries().first() else {
                continue;
            };
            let uses = key_text(k);
            if matches!(
                uses.as_str(),
                "checkout" | "download" | "downloadBuild" | "publish" | "getPackage" | "reviewApp"
            ) {
                let with = m
                    .iter()
                    .filter(|(k, _)| key_text(k) != "displayName")
                    .filter_map(|(k, v)| Some((key_text(k), scalar(v)?)))
                    .collect();
                out.push(Step::Action {
                    name,
                    uses,
                    with,
                    loc: sc.st.loc(v),
                });
            } else {
                let d = sc.st.diag(
                    Code::AzureUnknownStep,
                    format!("unknown step kind `{uses}`"),
                    k,
                );
                self.diagnostics.push(d);
            }
        }
    }

    fn variables(&mut self, node: &Node, scope: &Scope) -> Vec<(String, String)> {
        let st = &scope.st;
        match &node.value {
            Value::Map(m) => st.pairs(m),
            Value::Seq(items) => {
                let mut out = Vec::new();
                for item in items {
                    let Some(m) = item.as_map() else { continue };
                    if let Some(group) = m.get("group").and_then(scalar) {
                        out.push(("group".to_owned(), group));
                    } else if let Some(template) = m.get("template") {
                        if let Some((doc, inner)) =
                            self.load_template(template, m.get("parameters"), scope)
                            && let Some(vars) = doc.as_map().and_then(|d| d.get("variables"))
                        {
                            out.extend(self.variables(vars, &inner));
                        }
                    } else if let Some(name) = m.get("name").and_then(scalar) {
                        let value = m.get("value").map(|v| st.value_text(v)).unwrap_or_default();
                        out.push((name, value));
                    }
                }
                out
            }
            _ => {
                self.shape(st, node, "`variables`", "a mapping or a sequence");
                Vec::new()
            }
        }
    }

    // ----- templates and template expressions ----------------------------------------------

    /// Flattens a list of stages/jobs/steps: `${{ if }}`/`${{ each }}` blocks are opened (their
    /// condition cannot be evaluated offline, so their items are all kept) and list parameters
    /// are replaced by their items, in the scope they were written in.
    fn expand(&mut self, node: &Node, scope: &Scope, what: &str) -> Vec<(Node, Scope)> {
        let mut out = Vec::new();
        let mut work = vec![(node.clone(), scope.clone(), true)];
        let mut budget = 10_000usize;
        while let Some((node, sc, top)) = work.pop() {
            budget = budget.saturating_sub(1);
            if budget == 0 {
                break;
            }
            if let Some(p) = whole_param(&node).and_then(|n| sc.param(n)) {
                if p.node.as_seq().is_some() {
                    let inner = Scope {
                        st: p.st.clone(),
                        params: Rc::new(Vec::new()),
                        depth: sc.depth,
                    };
                    work.push((p.node.clone(), inner, true));
                }
                continue;
            }
            match &node.value {
                Value::Seq(items) if top => {
                    for item in items.iter().rev() {
                        work.push((item.clone(), sc.clone(), false));
                    }
                }
                Value::Map(m) if !m.is_empty() && m.iter().all(|(k, _)| is_expression(k)) => {
                    for (k, v) in m.entries().iter().rev() {
                        let each = each_param(k).and_then(|n| sc.param(n));
                        match each {
                            Some(p) => work.push((
                                p.node.clone(),
                                Scope {
                                    st: p.st.clone(),
                                    params: Rc::new(Vec::new()),
                                    depth: sc.depth,
                                },
                                true,
                            )),
                            None => work.push((v.clone(), sc.clone(), true)),
                        }
                    }
                }
                Value::Null => {}
                _ if top => self.shape(&sc.st, &node, what, "a sequence"),
                _ => out.push((node, sc)),
            }
        }
        out
    }

    /// Reads a local template, substituting its parameters. Remote and missing templates are
    /// recorded as unresolved.
    fn load_template(
        &mut self,
        reference: &Node,
        args: Option<&Node>,
        scope: &Scope,
    ) -> Option<(Node, Scope)> {
        let text = scalar(reference)?;
        let (path, repo) = match text.rsplit_once('@') {
            Some((p, r)) => (p, Some(r)),
            None => (text.as_str(), None),
        };
        if repo.is_some_and(|r| r != "self") {
            self.pipeline.unresolved.push(Unresolved {
                kind: "template".to_owned(),
                reference: text.clone(),
                loc: scope.st.loc(reference),
            });
            return None;
        }
        if scope.depth >= MAX_TEMPLATE_DEPTH {
            let d = scope.st.diag(
                Code::AzureTemplateDepth,
                format!("template `{text}` nests more than {MAX_TEMPLATE_DEPTH} levels deep"),
                reference,
            );
            self.diagnostics.push(d);
            return None;
        }
        let file = resolve(&scope.st.file, path);
        let Some(src) = self.repo.read(&file) else {
            self.pipeline.unresolved.push(Unresolved {
                kind: "missing template".to_owned(),
                reference: text.clone(),
                loc: scope.st.loc(reference),
            });
            let d = scope.st.diag(
                Code::AzureTemplateMissing,
                format!("template `{text}` (`{file}`) does not exist"),
                reference,
            );
            self.diagnostics.push(d);
            return None;
        };
        let mut doc = parse_file(&file, &src, self.diagnostics)?;
        let st = SourceText { file, src };
        let mut params: Vec<(String, Param)> = Vec::new();
        // Caller arguments first: they override the template's defaults.
        for (k, v) in args
            .and_then(Node::as_map)
            .map(Mapping::entries)
            .unwrap_or_default()
        {
            // A parameter passed straight through keeps its value and where it was written.
            if let Some(p) = whole_param(v).and_then(|n| scope.param(n)) {
                params.push((key_text(k), p.clone()));
                continue;
            }
            let mut node = v.clone();
            substitute_tree(&mut node, &scope.params);
            params.push((
                key_text(k),
                Param {
                    node,
                    st: scope.st.clone(),
                },
            ));
        }
        for (name, default) in declared_defaults(&doc) {
            if !params.iter().any(|(n, _)| *n == name) {
                params.push((
                    name,
                    Param {
                        node: default,
                        st: st.clone(),
                    },
                ));
            }
        }
        if let Value::Map(m) = &mut doc.value {
            // The declarations themselves must not be rewritten.
            let entries = std::mem::take(m).into_entries();
            let mut kept = Mapping::new();
            for (k, mut v) in entries {
                if key_text(&k) != "parameters" {
                    substitute_tree(&mut v, &params);
                }
                kept.push(k, v);
            }
            *m = kept;
        }
        Some((
            doc,
            Scope {
                st,
                params: Rc::new(params),
                depth: scope.depth + 1,
            },
        ))
    }

    /// Turns stage `dependsOn` (explicit, or the previous stage by default) into job needs.
    fn stage_needs(&mut self) {
        for (i, stage) in self.stages.iter().enumerate() {
            let depends: Vec<&str> = match &stage.depends {
                Some(d) => d.iter().map(String::as_str).collect(),
                None if i > 0 => vec![self.stages[i - 1].name.as_str()],
                None => Vec::new(),
            };
            let mut needs = Vec::new();
            for dep in depends {
                for other in self.stages.iter().filter(|s| s.name == dep) {
                    for &j in &other.jobs {
                        if let Some(job) = self.pipeline.jobs.get(j) {
                            needs.push(job.id.clone());
                        }
                    }
                }
            }
            for &j in &stage.jobs {
                if let Some(job) = self.pipeline.jobs.get_mut(j) {
                    for n in &needs {
                        if !job.needs.contains(n) {
                            job.needs.push(n.clone());
                        }
                    }
                }
            }
        }
    }
}

/// `trigger:`/`pr:` as `none`, a list of branches, or `{ branches: { include, exclude },
/// tags: { include, exclude } }`.
fn ref_filters(st: &SourceText, key: &Node, value: &Node, kind: TriggerKind) -> Vec<Trigger> {
    let mut out = Vec::new();
    match &value.value {
        Value::Map(m) => {
            for (section, kind) in [("branches", kind.clone()), ("tags", TriggerKind::Tag)] {
                let Some(filter) = m.get(section) else {
                    continue;
                };
                if kind == TriggerKind::Tag && section == "tags" && filter.as_seq().is_some() {
                    // Old shorthand `tags: [v*]`.
                    for (p, at) in scalars(filter) {
                        out.push(st.trigger(TriggerKind::Tag, Some(p), false, at));
                    }
                    continue;
                }
                let Some(fm) = filter.as_map() else {
                    for (p, at) in scalars(filter) {
                        out.push(st.trigger(kind.clone(), Some(p), false, at));
                    }
                    continue;
                };
                for (word, negated) in [("include", false), ("exclude", true)] {
                    for (p, at) in fm.get(word).map(scalars).unwrap_or_default() {
                        out.push(st.trigger(kind.clone(), Some(p), negated, at));
                    }
                }
            }
            if !m.contains_key("branches") && !m.contains_key("tags") {
                out.push(st.trigger(kind, None, false, key));
            }
        }
        Value::Seq(_) => {
            for (p, at) in scalars(value) {
                out.push(st.trigger(kind.clone(), Some(p), false, at));
            }
        }
        _ => match scalar(value).as_deref() {
            Some("none" | "false") => {}
            _ => out.push(st.trigger(kind, None, false, key)),
        },
    }
    out
}

/// `environment: name.resource` or `environment: { name, resourceName }`.
fn environment(st: &SourceText, node: &Node) -> Option<EnvironmentRef> {
    let at = match node.as_map() {
        Some(m) => m.get("name")?,
        None => node,
    };
    let text = scalar(at)?;
    // The part after the first dot names a resource inside the environment.
    let name = text.split_once('.').map_or(text.as_str(), |(n, _)| n);
    Some(EnvironmentRef {
        name: name.to_owned(),
        url: None,
        action: None,
        tier: None,
        on_stop: None,
        auto_stop_in: None,
        loc: st.loc(at),
    })
}

/// `matrix: { config: { VAR: value } }` as one axis per variable.
fn matrix_axes(node: &Node) -> Vec<(String, Vec<String>)> {
    let mut axes: Vec<(String, Vec<String>)> = Vec::new();
    for (_, config) in node.as_map().map(Mapping::entries).unwrap_or_default() {
        for (k, v) in config.as_map().map(Mapping::entries).unwrap_or_default() {
            let (name, value) = (key_text(k), scalar(v).unwrap_or_default());
            match axes.iter_mut().find(|(n, _)| *n == name) {
                Some((_, values)) => values.push(value),
                None => axes.push((name, vec![value])),
            }
        }
    }
    axes
}

fn has_manual_validation(steps: &[Step]) -> bool {
    steps
        .iter()
        .any(|s| matches!(s, Step::Action { uses, .. } if uses.starts_with("ManualValidation@")))
}

/// A template path relative to the referencing file, or to the repository root when it starts
/// with `/`; `.` and `..` segments are folded.
fn resolve(from: &str, path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    if !path.starts_with('/') {
        parts.extend(from.split('/'));
        parts.pop();
    }
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// Declared parameter defaults: `parameters: [{ name, default }]` or `parameters: { x: value }`.
fn declared_defaults(doc: &Node) -> Vec<(String, Node)> {
    let Some(decl) = doc.as_map().and_then(|m| m.get("parameters")) else {
        return Vec::new();
    };
    match &decl.value {
        Value::Seq(items) => items
            .iter()
            .filter_map(|i| {
                let m = i.as_map()?;
                Some((scalar(m.get("name")?)?, m.get("default")?.clone()))
            })
            .collect(),
        Value::Map(m) => m.iter().map(|(k, v)| (key_text(k), v.clone())).collect(),
        _ => Vec::new(),
    }
}

/// Whether a key is a template expression such as `${{ if ... }}` or `${{ each ... }}`.
fn is_expression(key: &Node) -> bool {
    key.as_str()
        .is_some_and(|s| s.trim_start().starts_with("${{"))
}

/// The parameter name of a string that is exactly `${{ parameters.name }}`.
fn whole_param(node: &Node) -> Option<&str> {
    let inner = node
        .as_str()?
        .trim()
        .strip_prefix("${{")?
        .strip_suffix("}}")?
        .trim();
    param_name(inner)
}

/// `${{ each x in parameters.name }}` → `name`.
fn each_param(key: &Node) -> Option<&str> {
    let inner = key
        .as_str()?
        .trim()
        .strip_prefix("${{")?
        .strip_suffix("}}")?
        .trim()
        .strip_prefix("each ")?;
    let (_, list) = inner.split_once(" in ")?;
    param_name(list.trim())
}

fn param_name(expr: &str) -> Option<&str> {
    let name = expr.strip_prefix("parameters.")?;
    name.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        .then_some(name)
}

/// Replaces `${{ parameters.x }}` inside strings (values and keys) with scalar parameter values.
/// List and mapping parameters are left for [`Lower::expand`].
fn substitute_tree(node: &mut Node, params: &[(String, Param)]) {
    if params.is_empty() {
        return;
    }
    // Recursion is bounded by the YAML loader's nesting limit.
    match &mut node.value {
        Value::String(s) => {
            if let Some(new) = substitute_str(s, params) {
                *s = new;
            }
        }
        Value::Seq(items) => {
            for item in items {
                substitute_tree(item, params);
            }
        }
        Value::Map(m) => {
            let entries = std::mem::take(m).into_entries();
            *m = entries
                .into_iter()
                .map(|(mut k, mut v)| {
                    if let Value::String(s) = &mut k.value
                        && let Some(new) = substitute_str(s, params)
                    {
                        *s = new;
                    }
                    substitute_tree(&mut v, params);
                    (k, v)
                })
                .collect();
        }
        _ => {}
    }
}

fn substitute_str(s: &str, params: &[(String, Param)]) -> Option<String> {
    if !s.contains("${{") {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut changed = false;
    while let Some(open) = rest.find("${{") {
        let Some(close) = rest[open + 3..].find("}}") else {
            break;
        };
        let inner = rest[open + 3..open + 3 + close].trim();
        let value = param_name(inner)
            .and_then(|name| params.iter().find(|(n, _)| n == name))
            .and_then(|(_, p)| p.node.scalar_text());
        out.push_str(&rest[..open]);
        match value {
            Some(v) => {
                out.push_str(&v);
                changed = true;
            }
            None => out.push_str(&rest[open..open + 3 + close + 2]),
        }
        rest = &rest[open + 3 + close + 2..];
    }
    out.push_str(rest);
    changed.then_some(out)
}

#[cfg(test)]
mod tests;
