//! READ stage: lowering the Jenkinsfile AST into the common [`Pipeline`] projection.
//!
//! Declarative pipelines map stage by stage: each leaf stage is a job, `when` becomes
//! conditions, `environment` becomes variables. Scripted pipelines (no `pipeline { }`) are read
//! best effort: every `stage` is a job, steps outside stages go to a `(top level)` job. In both,
//! steps are found inside wrappers (`withCredentials`, `container`, ...), `script` blocks,
//! control flow and helper functions defined in the file. Nothing is inferred.

use std::collections::BTreeMap;

use super::ast::{Block, Call, Expr, ExprKind, Stmt};
use super::token::StrLit;
use crate::files::{LineIndex, Loc};
use crate::read::pipeline::{CiSystem, Job, Pipeline, Step, Trigger, TriggerKind, Unresolved};
use crate::read::support::{empty_job, empty_pipeline};
use crate::yaml::Span;

/// Id and name of the job collecting steps written outside any stage (scripted pipelines).
pub(crate) const TOP_LEVEL: &str = "(top level)";
/// Name of a job holding the steps of a `post { }` that belongs to no single leaf stage.
pub(crate) const POST: &str = "(post)";

const SCRIPT_STEPS: &[&str] = &["sh", "bat", "powershell", "pwsh"];
/// Calls that are not pipeline steps worth recording (logging, Groovy iteration); their
/// arguments and closures are still searched.
const QUIET: &[&str] = &[
    "echo",
    "print",
    "println",
    "printf",
    "sleep",
    "error",
    "unstable",
    "isUnix",
    "fileExists",
    "each",
    "eachWithIndex",
    "collect",
    "findAll",
    "find",
    "any",
    "every",
    "times",
    "with",
    "forEach",
    "upto",
    "eachLine",
    "call",
    "timestamps",
];
/// Dotted calls recorded as steps only under these roots (`docker.build`); other dotted calls
/// are Groovy methods on variables (`list.add`).
const ACTION_ROOTS: &[&str] = &["docker", "openshift", "kubernetes", "helm", "kubectl"];
/// How deep helper functions are inlined into their callers.
const MAX_INLINE: usize = 4;
/// Recursion bound of the walk (the parser already bounds the tree; inlining can stack trees).
const MAX_WALK_DEPTH: usize = 1024;
/// Statements visited at most, so inlining cannot blow up exponentially.
const BUDGET: usize = 200_000;

/// Lowers the statements of `src` (the file at `file`) into a pipeline.
pub(crate) fn lower(file: &str, src: &str, stmts: &[Stmt]) -> Pipeline {
    let mut lowerer = Lowerer {
        file,
        src,
        functions: BTreeMap::new(),
        pipeline: empty_pipeline(file, CiSystem::Jenkins),
        current: None,
        top_level: None,
        wrappers: Vec::new(),
        stage_path: Vec::new(),
        conditions: Vec::new(),
        inlining: Vec::new(),
        depth: 0,
        budget: BUDGET,
    };
    for stmt in stmts {
        if let Stmt::Function { name, body } = stmt {
            lowerer.functions.insert(name.as_str(), body);
        }
    }
    let declarative = stmts
        .iter()
        .filter_map(Stmt::as_call)
        .find(|c| c.receiver.is_none() && c.name == "pipeline" && c.body().is_some());
    match declarative {
        Some(call) => {
            for stmt in stmts {
                match stmt {
                    Stmt::Annotation { name, args, span } => {
                        lowerer.annotation(name, args, *span);
                    }
                    Stmt::Expr(Expr {
                        kind: ExprKind::Call(c),
                        ..
                    }) if matches!(c.name.as_str(), "properties" | "library") => {
                        lowerer.walk_call(c);
                    }
                    _ => {}
                }
            }
            lowerer.declarative(call);
        }
        None => {
            lowerer.pipeline.best_effort = true;
            lowerer.walk_stmts(stmts);
        }
    }
    lowerer.pipeline
}

/// What a stage passes down to the stages nested in it.
#[derive(Clone, Default)]
struct StageCtx {
    path: Vec<String>,
    conditions: Vec<Trigger>,
    variables: Vec<(String, String)>,
    manual: bool,
    matrix: Vec<(String, Vec<String>)>,
    pre_steps: Vec<Step>,
}

/// A wrapper step (`withCredentials`, `container`, ...) whose closure is being walked, and the
/// jobs it has already been emitted into.
struct Wrapper {
    step: Step,
    emitted: Vec<usize>,
}

struct Lowerer<'a> {
    file: &'a str,
    src: &'a str,
    functions: BTreeMap<&'a str, &'a Block>,
    pipeline: Pipeline,
    /// The job steps go to; None at the top level of a scripted pipeline.
    current: Option<usize>,
    top_level: Option<usize>,
    wrappers: Vec<Wrapper>,
    stage_path: Vec<String>,
    /// Conditions of enclosing `when`s and `if`s, given to stages created inside them.
    conditions: Vec<Trigger>,
    inlining: Vec<&'a str>,
    depth: usize,
    budget: usize,
}

impl<'a> Lowerer<'a> {
    // --- helpers --------------------------------------------------------------------------

    fn loc(&self, span: Span) -> Loc {
        Loc::new(self.file, span)
    }

    fn raw(&self, span: Span) -> String {
        self.src.get(span.start..span.end).unwrap_or("").to_owned()
    }

    /// A value as text: strings decoded, anything else as written.
    fn text(&self, expr: &Expr) -> String {
        match &expr.kind {
            ExprKind::Str(lit) => lit.text.clone(),
            _ => self.raw(expr.span),
        }
    }

    /// The source inside a block's braces, trimmed.
    fn block_text(&self, block: &Block) -> String {
        let raw = self.src.get(block.span.start..block.span.end).unwrap_or("");
        let inner = raw.strip_prefix('{').unwrap_or(raw);
        let inner = inner.strip_suffix('}').unwrap_or(inner);
        inner.trim().to_owned()
    }

    fn trigger(&self, kind: TriggerKind, pattern: Option<String>, span: Span) -> Trigger {
        Trigger {
            kind,
            pattern,
            negated: false,
            choices: Vec::new(),
            loc: self.loc(span),
        }
    }

    /// The stage name and where it is written.
    fn stage_name(&self, call: &Call) -> (String, Span) {
        match call.positional(0).or_else(|| call.named("name")) {
            Some(e) => (self.text(e), e.span),
            None => (String::new(), call.name_span),
        }
    }

    fn job(&self, id: String, name: String, stage: Option<String>, span: Span) -> Job {
        Job {
            stage,
            ..empty_job(id, name, self.loc(span))
        }
    }

    fn push_job(&mut self, job: Job) -> usize {
        self.pipeline.jobs.push(job);
        self.pipeline.jobs.len() - 1
    }

    /// `environment { }` entries; `credentials('id')` is kept as `credentials(id)`.
    fn env_block(&self, block: &Block) -> Vec<(String, String)> {
        block
            .stmts
            .iter()
            .filter_map(|stmt| match stmt {
                Stmt::Assign { target, value } => Some((target.clone(), self.env_value(value))),
                _ => None,
            })
            .collect()
    }

    fn env_value(&self, value: &Expr) -> String {
        match &value.kind {
            ExprKind::Call(c) if c.receiver.is_none() && c.name == "credentials" => {
                let id = c.positional(0).map(|e| self.text(e)).unwrap_or_default();
                format!("credentials({id})")
            }
            _ => self.text(value),
        }
    }

    // --- declarative ----------------------------------------------------------------------

    fn declarative(&mut self, call: &'a Call) {
        let Some(body) = call.body() else {
            return;
        };
        let calls = || body.stmts.iter().filter_map(Stmt::as_call);
        for c in calls() {
            if c.name == "environment"
                && let Some(b) = c.body()
            {
                let vars = self.env_block(b);
                self.pipeline.variables.extend(vars);
            }
        }
        let root = StageCtx {
            variables: self.pipeline.variables.clone(),
            ..StageCtx::default()
        };
        for c in calls() {
            let Some(b) = c.body() else {
                continue;
            };
            match c.name.as_str() {
                "parameters" => {
                    for p in b.stmts.iter().filter_map(Stmt::as_call) {
                        if let Some(t) = self.parameter(p) {
                            self.pipeline.triggers.push(t);
                        }
                    }
                }
                "triggers" => {
                    for t in b.stmts.iter().filter_map(Stmt::as_call) {
                        let found = self.pipeline_trigger(t);
                        self.pipeline.triggers.extend(found);
                    }
                }
                "stages" => {
                    self.stages(b, &root, Vec::new());
                }
                "post" => self.post_job(&root, b, c.name_span),
                "libraries" => {
                    for lib in b.stmts.iter().filter_map(Stmt::as_call) {
                        if let Some(v) = lib.positional(0) {
                            let reference = self.text(v);
                            self.unresolved("shared library", reference, lib.span);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Sequential stages; returns the ids of the last jobs, which the next stage needs.
    fn stages(&mut self, block: &'a Block, ctx: &StageCtx, preds: Vec<String>) -> Vec<String> {
        let mut preds = preds;
        for c in block.stmts.iter().filter_map(Stmt::as_call) {
            if c.name == "stage" {
                preds = self.stage(c, ctx, preds);
            }
        }
        preds
    }

    fn parallel(&mut self, block: &'a Block, ctx: &StageCtx, preds: Vec<String>) -> Vec<String> {
        let mut exits = Vec::new();
        for c in block.stmts.iter().filter_map(Stmt::as_call) {
            if c.name == "stage" {
                exits.extend(self.stage(c, ctx, preds.clone()));
            }
        }
        if exits.is_empty() { preds } else { exits }
    }

    fn stage(&mut self, call: &'a Call, parent: &StageCtx, preds: Vec<String>) -> Vec<String> {
        if self.depth > MAX_WALK_DEPTH {
            return preds;
        }
        self.depth += 1;
        let exits = self.stage_inner(call, parent, preds);
        self.depth -= 1;
        exits
    }

    fn stage_inner(
        &mut self,
        call: &'a Call,
        parent: &StageCtx,
        preds: Vec<String>,
    ) -> Vec<String> {
        let (name, name_span) = self.stage_name(call);
        let mut ctx = parent.clone();
        ctx.path.push(name.clone());
        let (mut steps, mut nested, mut post) = (None, None, None);
        let directives = call.body().map(|b| b.stmts.as_slice()).unwrap_or_default();
        for d in directives.iter().filter_map(Stmt::as_call) {
            let body = d.body();
            match (d.name.as_str(), body) {
                ("when", Some(b)) => {
                    let found = self.when_block(b);
                    ctx.conditions.extend(found);
                }
                ("environment", Some(b)) => {
                    let vars = self.env_block(b);
                    ctx.variables.extend(vars);
                }
                ("input", _) => {
                    ctx.manual = true;
                    let step = self.input_directive(d);
                    ctx.pre_steps.push(step);
                }
                ("steps", Some(b)) => steps = Some(b),
                ("parallel" | "stages" | "matrix", Some(_)) => nested = Some(d),
                ("post", Some(b)) => post = Some((b, d.name_span)),
                _ => {}
            }
        }
        if let Some(group) = nested {
            let exits = self.nested_stages(group, &mut ctx, preds);
            if let Some((b, span)) = post {
                self.post_job(&ctx, b, span);
            }
            return exits;
        }
        let id = ctx.path.join("/");
        let mut job = self.job(id.clone(), name, parent.path.last().cloned(), name_span);
        job.needs = preds;
        job.conditions = ctx.conditions.clone();
        job.manual = ctx.manual;
        job.matrix = ctx.matrix.clone();
        job.variables = ctx.variables.clone();
        job.steps = ctx.pre_steps.clone();
        let index = self.push_job(job);
        self.in_job(index, &ctx, |this| {
            if let Some(b) = steps {
                this.walk_block(b);
            }
            if let Some((b, _)) = post {
                this.walk_post(b);
            }
        });
        vec![id]
    }

    /// `parallel { }`, `stages { }` or `matrix { axes { } stages { } }` inside a stage.
    fn nested_stages(
        &mut self,
        group: &'a Call,
        ctx: &mut StageCtx,
        preds: Vec<String>,
    ) -> Vec<String> {
        let Some(body) = group.body() else {
            return preds;
        };
        match group.name.as_str() {
            "parallel" => self.parallel(body, ctx, preds),
            "stages" => self.stages(body, ctx, preds),
            _ => {
                let mut exits = preds;
                for d in body.stmts.iter().filter_map(Stmt::as_call) {
                    match (d.name.as_str(), d.body()) {
                        ("axes", Some(b)) => {
                            let axes = self.axes(b);
                            ctx.matrix.extend(axes);
                        }
                        ("when", Some(b)) => {
                            let found = self.when_block(b);
                            ctx.conditions.extend(found);
                        }
                        ("environment", Some(b)) => {
                            let vars = self.env_block(b);
                            ctx.variables.extend(vars);
                        }
                        ("stages", Some(b)) => exits = self.stages(b, ctx, exits),
                        _ => {}
                    }
                }
                exits
            }
        }
    }

    fn axes(&self, block: &Block) -> Vec<(String, Vec<String>)> {
        let mut axes = Vec::new();
        for axis in block.stmts.iter().filter_map(Stmt::as_call) {
            let Some(b) = axis.body().filter(|_| axis.name == "axis") else {
                continue;
            };
            let (mut name, mut values) = (String::new(), Vec::new());
            for d in b.stmts.iter().filter_map(Stmt::as_call) {
                match d.name.as_str() {
                    "name" => name = d.positional(0).map(|e| self.text(e)).unwrap_or_default(),
                    "values" => values = d.args.iter().map(|a| self.text(&a.value)).collect(),
                    _ => {}
                }
            }
            axes.push((name, values));
        }
        axes
    }

    /// The `input { message ...; ok ... }` directive as an `input` action.
    fn input_directive(&self, call: &Call) -> Step {
        let mut with = self.flatten_args(call, "input");
        if let Some(b) = call.body() {
            for d in b.stmts.iter().filter_map(Stmt::as_call) {
                if let Some(v) = d.positional(0).filter(|_| d.body().is_none()) {
                    with.push((d.name.clone(), self.text(v)));
                }
            }
        }
        Step::Action {
            name: None,
            uses: "input".to_owned(),
            with,
            loc: self.loc(call.name_span),
        }
    }

    /// A `(post)` job for a `post { }` that belongs to no single leaf stage; dropped if empty.
    fn post_job(&mut self, ctx: &StageCtx, block: &'a Block, span: Span) {
        let mut path = ctx.path.clone();
        path.push(POST.to_owned());
        let mut job = self.job(
            path.join("/"),
            POST.to_owned(),
            ctx.path.last().cloned(),
            span,
        );
        job.conditions = ctx.conditions.clone();
        job.variables = ctx.variables.clone();
        let index = self.push_job(job);
        self.in_job(index, ctx, |this| this.walk_post(block));
        let empty = self
            .pipeline
            .jobs
            .get(index)
            .is_some_and(|j| j.steps.is_empty());
        if empty && index + 1 == self.pipeline.jobs.len() {
            self.pipeline.jobs.pop();
        }
    }

    /// `post { always { } failure { } ... }`: the steps of every condition.
    fn walk_post(&mut self, block: &'a Block) {
        for c in block.stmts.iter().filter_map(Stmt::as_call) {
            if let Some(b) = c.body() {
                self.walk_block(b);
            }
        }
    }

    /// Runs `f` with job `index` as the destination of steps, then restores the context.
    fn in_job(&mut self, index: usize, ctx: &StageCtx, f: impl FnOnce(&mut Self)) {
        let current = self.current.replace(index);
        let path = std::mem::replace(&mut self.stage_path, ctx.path.clone());
        let conditions = std::mem::replace(&mut self.conditions, ctx.conditions.clone());
        let wrappers = std::mem::take(&mut self.wrappers);
        f(self);
        self.current = current;
        self.stage_path = path;
        self.conditions = conditions;
        self.wrappers = wrappers;
    }

    // --- conditions and triggers ----------------------------------------------------------

    fn when_block(&self, block: &Block) -> Vec<Trigger> {
        block
            .stmts
            .iter()
            .filter_map(Stmt::as_call)
            .filter(|c| {
                !matches!(
                    c.name.as_str(),
                    "beforeAgent" | "beforeInput" | "beforeOptions"
                )
            })
            .flat_map(|c| self.condition(c))
            .collect()
    }

    /// `pattern` (or the first argument), as `/re/` when `comparator: 'REGEXP'`.
    fn pattern(&self, call: &Call, key: &str) -> Option<String> {
        let value = call.named(key).or_else(|| call.positional(0))?;
        let pattern = self.text(value);
        let regexp = call
            .named("comparator")
            .is_some_and(|c| self.text(c).eq_ignore_ascii_case("REGEXP"));
        Some(if regexp {
            format!("/{pattern}/")
        } else {
            pattern
        })
    }

    fn condition(&self, call: &Call) -> Vec<Trigger> {
        let span = call.span;
        let raw = || vec![self.trigger(TriggerKind::Expression, Some(self.raw(span)), span)];
        let one = |kind, pattern| vec![self.trigger(kind, pattern, span)];
        match call.name.as_str() {
            "branch" => one(TriggerKind::Branch, self.pattern(call, "pattern")),
            "tag" => one(
                TriggerKind::Tag,
                self.pattern(call, "pattern").filter(|p| !p.is_empty()),
            ),
            "buildingTag" => one(TriggerKind::Tag, None),
            "changeRequest" => {
                let target = call
                    .named("target")
                    .and_then(|_| self.pattern(call, "target"));
                one(TriggerKind::PullRequest, target)
            }
            "environment" => {
                let name = call.named("name").map(|e| self.text(e)).unwrap_or_default();
                let value = call
                    .named("value")
                    .map(|e| self.text(e))
                    .unwrap_or_default();
                one(TriggerKind::Expression, Some(format!("{name} == {value}")))
            }
            "triggeredBy" => {
                let cause = call
                    .named("cause")
                    .or_else(|| call.positional(0))
                    .map(|e| self.text(e))
                    .unwrap_or_default();
                if cause.contains("TimerTrigger") {
                    one(TriggerKind::Schedule, None)
                } else if cause.contains("UserIdCause") || cause.contains("UserCause") {
                    one(TriggerKind::Manual, None)
                } else if cause.contains("UpstreamCause") {
                    one(TriggerKind::Upstream, None)
                } else {
                    raw()
                }
            }
            "expression" => match call.body() {
                Some(b) => one(TriggerKind::Expression, Some(self.block_text(b))),
                None => raw(),
            },
            "not" => {
                let mut inner = call.body().map(|b| self.when_block(b)).unwrap_or_default();
                match inner.pop() {
                    Some(mut only) if inner.is_empty() => {
                        only.negated = !only.negated;
                        only.loc = self.loc(span);
                        vec![only]
                    }
                    _ => raw(),
                }
            }
            "allOf" => {
                let Some(b) = call.body() else {
                    return raw();
                };
                let children: Vec<&Call> = b.stmts.iter().filter_map(Stmt::as_call).collect();
                let simple = children.len() == b.stmts.len()
                    && children
                        .iter()
                        .all(|c| !matches!(c.name.as_str(), "anyOf" | "allOf"));
                let lowered: Vec<Vec<Trigger>> =
                    children.iter().map(|c| self.condition(c)).collect();
                if simple && lowered.iter().all(|l| l.len() == 1) {
                    lowered.into_iter().flatten().collect()
                } else {
                    raw()
                }
            }
            _ => raw(),
        }
    }

    /// A `triggers { }` entry (also inside scripted `properties([pipelineTriggers([...])])`).
    fn pipeline_trigger(&self, call: &Call) -> Vec<Trigger> {
        let span = call.span;
        let first = |key: &str| {
            call.named(key)
                .or_else(|| call.positional(0))
                .map(|e| self.text(e))
        };
        let flag = |key: &str| call.named(key).is_none_or(|e| self.text(e) != "false");
        match call.name.as_str() {
            "cron" | "parameterizedCron" => {
                vec![self.trigger(TriggerKind::Schedule, first("spec"), span)]
            }
            // Polling and push hooks start a build when a branch changes.
            "pollSCM" | "githubPush" | "bitbucketPush" | "gitHubPushTrigger" => {
                vec![self.trigger(TriggerKind::Branch, None, span)]
            }
            "upstream" => {
                vec![self.trigger(TriggerKind::Upstream, first("upstreamProjects"), span)]
            }
            "gitlab" => {
                let mut found = Vec::new();
                if flag("triggerOnPush") {
                    found.push(self.trigger(TriggerKind::Branch, None, span));
                }
                if flag("triggerOnMergeRequest") {
                    found.push(self.trigger(TriggerKind::PullRequest, None, span));
                }
                found
            }
            _ => Vec::new(),
        }
    }

    /// A `parameters { }` entry as a manual trigger named after the parameter.
    fn parameter(&self, call: &Call) -> Option<Trigger> {
        let name = self.text(call.named("name")?);
        let choices = match call.named("choices").map(|e| &e.kind) {
            Some(ExprKind::List(items)) => items.iter().map(|e| self.text(e)).collect(),
            Some(ExprKind::Str(lit)) => lit
                .text
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            Some(_) => call
                .named("choices")
                .map(|e| vec![self.raw(e.span)])
                .unwrap_or_default(),
            None => Vec::new(),
        };
        let mut trigger = self.trigger(TriggerKind::Manual, Some(name), call.span);
        trigger.choices = choices;
        Some(trigger)
    }

    /// Scripted `properties([pipelineTriggers([...]), parameters([...])])`.
    fn properties(&mut self, call: &Call) {
        let mut pending: Vec<&Expr> = call.args.iter().map(|a| &a.value).collect();
        let mut seen = 0usize;
        while let Some(e) = pending.pop() {
            seen += 1;
            if seen > 10_000 {
                break;
            }
            match &e.kind {
                ExprKind::List(items) => pending.extend(items.iter()),
                ExprKind::Call(c) => match c.name.as_str() {
                    "pipelineTriggers" => {
                        for t in c.args.iter().flat_map(|a| list_calls(&a.value)) {
                            let found = self.pipeline_trigger(t);
                            self.pipeline.triggers.extend(found);
                        }
                    }
                    "parameters" => {
                        for p in c.args.iter().flat_map(|a| list_calls(&a.value)) {
                            if let Some(t) = self.parameter(p) {
                                self.pipeline.triggers.push(t);
                            }
                        }
                    }
                    _ => pending.extend(c.args.iter().map(|a| &a.value)),
                },
                _ => {}
            }
        }
    }

    fn unresolved(&mut self, kind: &str, reference: String, span: Span) {
        let loc = self.loc(span);
        self.pipeline.unresolved.push(Unresolved {
            kind: kind.to_owned(),
            reference,
            loc,
        });
    }

    /// `@Library('name@version')`: a shared library, which cannot be read offline.
    fn annotation(&mut self, name: &str, args: &[super::ast::Arg], span: Span) {
        if name != "Library" && !name.ends_with(".Library") {
            return;
        }
        for arg in args {
            let values: Vec<&Expr> = match &arg.value.kind {
                ExprKind::List(items) => items.iter().collect(),
                _ => vec![&arg.value],
            };
            for v in values {
                let reference = self.text(v);
                self.unresolved("shared library", reference, span);
            }
        }
    }

    // --- steps ----------------------------------------------------------------------------

    fn walk_block(&mut self, block: &'a Block) {
        self.walk_stmts(&block.stmts);
    }

    fn walk_stmts(&mut self, stmts: &'a [Stmt]) {
        if self.depth > MAX_WALK_DEPTH {
            return;
        }
        self.depth += 1;
        for stmt in stmts {
            if self.budget == 0 {
                break;
            }
            self.budget -= 1;
            self.walk_stmt(stmt);
        }
        self.depth -= 1;
    }

    fn walk_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Expr(e) => self.walk_expr(e, true),
            Stmt::Assign { target, value } => {
                if let Some(name) = target.strip_prefix("env.") {
                    let value_text = self.env_value(value);
                    self.add_variable(name, value_text);
                }
                self.walk_expr(value, true);
            }
            Stmt::If {
                cond,
                then_block,
                else_block,
            } => {
                self.walk_expr(cond, true);
                let text = self.raw(cond.span).trim().to_owned();
                let mut condition = self.trigger(TriggerKind::Expression, Some(text), cond.span);
                self.conditions.push(condition.clone());
                self.walk_block(then_block);
                self.conditions.pop();
                if let Some(b) = else_block {
                    condition.negated = true;
                    self.conditions.push(condition);
                    self.walk_block(b);
                    self.conditions.pop();
                }
            }
            Stmt::Function { .. } => {}
            Stmt::Annotation { name, args, span } => self.annotation(name, args, *span),
            Stmt::Other { parts, blocks } => {
                for p in parts {
                    self.walk_expr(p, true);
                }
                for b in blocks {
                    self.walk_block(b);
                }
            }
        }
    }

    /// Searches an expression for steps. `record`: whether calls found are steps in their own
    /// right (statement level, assigned values) or arguments of a step (`file(...)` inside
    /// `withCredentials([...])`), where only scripts, stages and closures count.
    fn walk_expr(&mut self, expr: &'a Expr, record: bool) {
        if self.depth > MAX_WALK_DEPTH {
            return;
        }
        self.depth += 1;
        match &expr.kind {
            ExprKind::Call(c) => {
                if record || self.structural(c) {
                    self.walk_call(c);
                } else {
                    if let Some(r) = &c.receiver {
                        self.walk_expr(r, false);
                    }
                    self.walk_args(c, false);
                    if let Some(b) = &c.closure {
                        self.walk_block(b);
                    }
                }
            }
            ExprKind::Other(parts) | ExprKind::List(parts) => {
                for p in parts {
                    self.walk_expr(p, record);
                }
            }
            ExprKind::Map(entries) => {
                for e in entries {
                    self.walk_expr(&e.value, record);
                }
            }
            ExprKind::Closure(b) => self.walk_block(b),
            _ => {}
        }
        self.depth -= 1;
    }

    /// Calls that matter even as arguments: scripts, stages, helpers and wrappers.
    fn structural(&self, call: &Call) -> bool {
        call.receiver.is_none()
            && (SCRIPT_STEPS.contains(&call.name.as_str())
                || matches!(call.name.as_str(), "stage" | "parallel" | "script")
                || self.functions.contains_key(call.name.as_str()))
            || call.body().is_some()
    }

    /// Walks the arguments of `call`, except the closure that is its body.
    fn walk_args(&mut self, call: &'a Call, record: bool) {
        let last = call.args.len().saturating_sub(1);
        for (i, arg) in call.args.iter().enumerate() {
            let is_body = call.closure.is_none()
                && i == last
                && arg.name.is_none()
                && matches!(arg.value.kind, ExprKind::Closure(_));
            if !is_body {
                self.walk_expr(&arg.value, record);
            }
        }
    }

    fn walk_call(&mut self, call: &'a Call) {
        if let Some(r) = &call.receiver {
            self.walk_expr(r, true);
        }
        if call.receiver.is_none() {
            let name = call.name.as_str();
            match name {
                _ if SCRIPT_STEPS.contains(&name) => return self.script_step(call),
                "stage" => return self.scripted_stage(call),
                "script" | "parallel" | "steps" => {
                    self.walk_args(call, false);
                    if let Some(b) = call.body() {
                        self.walk_block(b);
                    }
                    return;
                }
                "properties" => return self.properties(call),
                "library" | "load" => {
                    let reference = call
                        .named("identifier")
                        .or_else(|| call.positional(0))
                        .map(|e| self.text(e))
                        .unwrap_or_default();
                    let kind = if name == "load" {
                        "load"
                    } else {
                        "shared library"
                    };
                    return self.unresolved(kind, reference, call.span);
                }
                _ => {}
            }
            if let Some(body) = self.functions.get(name).copied() {
                self.walk_args(call, true);
                if self.inlining.len() < MAX_INLINE && !self.inlining.contains(&name) {
                    self.inlining.push(name);
                    self.walk_block(body);
                    self.inlining.pop();
                }
                return;
            }
        }
        let uses = uses_name(call);
        let root = uses.split('.').next().unwrap_or("");
        let recorded = !QUIET.contains(&call.name.as_str())
            && !method_on_value(call)
            && (!uses.contains('.') || ACTION_ROOTS.contains(&root));
        if !recorded {
            self.walk_args(call, false);
            if let Some(b) = call.body() {
                self.walk_block(b);
            }
            return;
        }
        let step = Step::Action {
            name: None,
            with: self.flatten_args(call, &uses),
            uses,
            loc: self.loc(call.name_span),
        };
        if call.receiver.is_none() && call.name == "input" {
            let index = self.ensure_job(call.span);
            if let Some(job) = self.pipeline.jobs.get_mut(index) {
                job.manual = true;
            }
        }
        match call.body() {
            Some(body) => {
                self.wrappers.push(Wrapper {
                    step,
                    emitted: Vec::new(),
                });
                if let Some(index) = self.current {
                    self.flush_wrappers(index);
                }
                self.walk_args(call, false);
                self.walk_block(body);
                self.wrappers.pop();
            }
            None => {
                self.emit(step, call.span);
                self.walk_args(call, false);
            }
        }
    }

    /// `sh 'x'`, `sh(script: 'x', label: 'y')`, `bat`, `powershell`, `pwsh`.
    fn script_step(&mut self, call: &Call) {
        let name = call.named("label").map(|e| self.text(e));
        let (text, line_starts, span) = match call.named("script").or_else(|| call.positional(0)) {
            Some(Expr {
                kind: ExprKind::Str(lit),
                span,
            }) => (lit.text.clone(), lit.line_starts.clone(), *span),
            Some(e) if let Some(lit) = string_with_methods(e) => {
                (lit.text, lit.line_starts, e.span)
            }
            Some(e) => {
                // Not a literal (`"a" + b`, a variable): keep the source, whose lines map 1:1.
                let text = self.raw(e.span);
                let lines = LineIndex::new(&text);
                let starts = (0..lines.line_count())
                    .filter_map(|l| lines.line_start(l))
                    .map(|start| e.span.start + start)
                    .collect();
                (text, starts, e.span)
            }
            None => (String::new(), Vec::new(), call.span),
        };
        let step = Step::Script {
            name,
            text,
            loc: self.loc(span),
            line_starts,
        };
        self.emit(step, call.span);
    }

    /// `stage('x') { }` outside the declarative structure: a job of its own.
    fn scripted_stage(&mut self, call: &'a Call) {
        let (name, span) = self.stage_name(call);
        let mut path = self.stage_path.clone();
        path.push(name.clone());
        let mut job = self.job(path.join("/"), name, self.stage_path.last().cloned(), span);
        job.conditions = self.conditions.clone();
        let index = self.push_job(job);
        self.flush_wrappers(index);
        match call.body() {
            Some(body) => {
                let current = self.current.replace(index);
                let outer = std::mem::replace(&mut self.stage_path, path);
                self.walk_args(call, false);
                self.walk_block(body);
                self.current = current;
                self.stage_path = outer;
            }
            // Legacy `stage 'x'`: the steps after it belong to it.
            None => self.current = Some(index),
        }
    }

    fn add_variable(&mut self, name: &str, value: String) {
        let entry = (name.to_owned(), value);
        match self.current.and_then(|i| self.pipeline.jobs.get_mut(i)) {
            Some(job) => job.variables.push(entry),
            None => self.pipeline.variables.push(entry),
        }
    }

    /// The job steps go to, creating the `(top level)` job on first use.
    fn ensure_job(&mut self, span: Span) -> usize {
        if let Some(index) = self.current.or(self.top_level) {
            return index;
        }
        let job = self.job(TOP_LEVEL.to_owned(), TOP_LEVEL.to_owned(), None, span);
        let index = self.push_job(job);
        self.top_level = Some(index);
        index
    }

    /// Emits the enclosing wrappers not yet emitted into job `index`, outermost first.
    fn flush_wrappers(&mut self, index: usize) {
        let Some(job) = self.pipeline.jobs.get_mut(index) else {
            return;
        };
        for w in &mut self.wrappers {
            if !w.emitted.contains(&index) {
                job.steps.push(w.step.clone());
                w.emitted.push(index);
            }
        }
    }

    fn emit(&mut self, step: Step, span: Span) {
        let index = self.ensure_job(span);
        self.flush_wrappers(index);
        if let Some(job) = self.pipeline.jobs.get_mut(index) {
            job.steps.push(step);
        }
    }

    /// The inputs of an action: named arguments as `(key, value)`, maps and lists flattened,
    /// credential bindings (`file(credentialsId: .., variable: ..)`) as `binding` plus their
    /// arguments, positional arguments under the step's parameter name.
    fn flatten_args(&self, call: &Call, uses: &str) -> Vec<(String, String)> {
        let names = positional_names(uses);
        let mut out = Vec::new();
        let mut index = 0;
        for arg in &call.args {
            match &arg.name {
                Some(key) => self.flatten(key, &arg.value, false, &mut out, 0),
                None => {
                    let key = names.get(index).copied().unwrap_or("arg");
                    index += 1;
                    self.flatten(key, &arg.value, true, &mut out, 0);
                }
            }
        }
        out
    }

    fn flatten(
        &self,
        key: &str,
        value: &Expr,
        positional: bool,
        out: &mut Vec<(String, String)>,
        depth: usize,
    ) {
        if depth > 8 {
            out.push((key.to_owned(), self.raw(value.span)));
            return;
        }
        match &value.kind {
            ExprKind::Str(lit) => out.push((key.to_owned(), lit.text.clone())),
            ExprKind::Map(entries) => {
                for e in entries {
                    self.flatten(&e.key, &e.value, false, out, depth + 1);
                }
            }
            ExprKind::List(items) => {
                for item in items {
                    self.flatten(key, item, true, out, depth + 1);
                }
            }
            ExprKind::Call(c) if positional && c.receiver.is_none() => {
                out.push(("binding".to_owned(), c.name.clone()));
                for arg in &c.args {
                    let k = arg.name.as_deref().unwrap_or("arg");
                    self.flatten(k, &arg.value, arg.name.is_none(), out, depth + 1);
                }
            }
            ExprKind::Closure(_) => {}
            _ => out.push((key.to_owned(), self.raw(value.span))),
        }
    }
}

/// The calls listed in `value` (`[a(), b()]` or a single call).
fn list_calls(value: &Expr) -> Vec<&Call> {
    match &value.kind {
        ExprKind::List(items) => items
            .iter()
            .filter_map(|e| match &e.kind {
                ExprKind::Call(c) => Some(c.as_ref()),
                _ => None,
            })
            .collect(),
        ExprKind::Call(c) => vec![c.as_ref()],
        _ => Vec::new(),
    }
}

/// The step name recorded in `uses`: the dotted name, with the receiver's name in front for
/// chains (`docker.image.inside` for `docker.image('x').inside { }`).
fn uses_name(call: &Call) -> String {
    let mut names = vec![call.name.as_str()];
    let mut receiver = call.receiver.as_ref();
    while let Some(Expr {
        kind: ExprKind::Call(c),
        ..
    }) = receiver
    {
        names.push(c.name.as_str());
        receiver = c.receiver.as_ref();
    }
    names.reverse();
    names.join(".")
}

/// Whether `call` is a method on a value (`"x".trim()`, `(a).b()`) rather than a step, at the
/// root of its chain of calls.
fn method_on_value(call: &Call) -> bool {
    let mut receiver = call.receiver.as_ref();
    while let Some(r) = receiver {
        match &r.kind {
            ExprKind::Call(c) => receiver = c.receiver.as_ref(),
            _ => return true,
        }
    }
    false
}

/// A string literal followed by `.stripIndent()`, `.stripMargin()` or `.trim()` (in any
/// chain), with the methods applied and the line starts moved along. None for anything else.
fn string_with_methods(expr: &Expr) -> Option<StrLit> {
    let mut methods = Vec::new();
    let mut current = expr;
    let lit = loop {
        match &current.kind {
            ExprKind::Str(lit) => break lit,
            ExprKind::Call(c) if c.args.is_empty() && c.closure.is_none() => {
                methods.push(c.name.as_str());
                current = c.receiver.as_ref()?;
            }
            _ => return None,
        }
    };
    let mut lit = lit.clone();
    for method in methods.iter().rev() {
        lit = apply_string_method(&lit, method)?;
    }
    Some(lit)
}

fn apply_string_method(lit: &StrLit, method: &str) -> Option<StrLit> {
    let lines: Vec<&str> = lit.text.split('\n').collect();
    if lines.len() != lit.line_starts.len() {
        return None;
    }
    let indent_of = |line: &str| line.len() - line.trim_start_matches([' ', '\t']).len();
    let removed: Vec<usize> = match method {
        "stripIndent" => {
            let common = lines
                .iter()
                .filter(|l| !l.trim().is_empty())
                .map(|l| indent_of(l))
                .min()
                .unwrap_or(0);
            lines.iter().map(|l| indent_of(l).min(common)).collect()
        }
        "stripMargin" => lines
            .iter()
            .map(|l| {
                let rest = l.trim_start_matches([' ', '\t']);
                rest.strip_prefix('|')
                    .map_or(0, |after| l.len() - after.len())
            })
            .collect(),
        "trim" => {
            let leading = lit.text.len() - lit.text.trim_start().len();
            let lines = LineIndex::new(&lit.text);
            let skipped_lines = lines.line(leading);
            let column = leading - lines.line_start(skipped_lines)?;
            let text = lit.text.trim().to_owned();
            let count = text.split('\n').count();
            let mut line_starts: Vec<usize> = lit
                .line_starts
                .iter()
                .skip(skipped_lines)
                .take(count)
                .copied()
                .collect();
            if let Some(first) = line_starts.first_mut() {
                *first += column;
            }
            return Some(StrLit { text, line_starts });
        }
        _ => return None,
    };
    let text = lines
        .iter()
        .zip(&removed)
        .map(|(l, n)| l.get(*n..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let line_starts = lit
        .line_starts
        .iter()
        .zip(&removed)
        .map(|(s, n)| s + n)
        .collect();
    Some(StrLit { text, line_starts })
}

/// Parameter names of the positional arguments of well-known steps.
fn positional_names(uses: &str) -> &'static [&'static str] {
    match uses {
        "container" => &["name"],
        "dir" => &["path"],
        "timeout" => &["time"],
        "retry" => &["count"],
        "node" => &["label"],
        "sshagent" => &["credentials"],
        "withEnv" => &["env"],
        "docker.withRegistry" => &["url", "credentialsId"],
        "docker.withServer" => &["uri", "credentialsId"],
        "docker.build" => &["image", "args"],
        "docker.image" => &["image"],
        "docker.image.inside" | "docker.image.withRun" => &["args"],
        "git" => &["url"],
        "checkout" => &["scm"],
        "build" => &["job"],
        "input" => &["message"],
        "lock" => &["resource"],
        "ws" => &["dir"],
        _ => &[],
    }
}
