//! Declarative pipelines: `pipeline { }` with its `stages`, `parallel`, `matrix` axes, `input`
//! directives and `post` blocks, stage by stage into jobs.

use super::{Lowerer, MAX_WALK_DEPTH, POST, StageCtx};
use crate::read::jenkins::ast::{Block, Call, Stmt};
use crate::read::pipeline::Step;
use crate::yaml::Span;

impl<'a> Lowerer<'a> {
    pub(super) fn declarative(&mut self, call: &'a Call) {
        let Some(body) = call.body() else {
            return;
        };
        let calls = || body.stmts.iter().filter_map(Stmt::as_call);
        // The parameters first: an `environment { }` value falling back from one
        // (`params.NS ?: 'shop'`) is no literal.
        for c in calls().filter(|c| c.name == "parameters") {
            for p in c
                .body()
                .iter()
                .flat_map(|b| b.stmts.iter().filter_map(Stmt::as_call))
            {
                if let Some(name) = self.parameter(p).and_then(|t| t.pattern) {
                    self.values.parameters.insert(name);
                }
            }
        }
        for c in calls() {
            if c.name == "environment"
                && let Some(b) = c.body()
            {
                let vars = self.env_block(b);
                self.pipeline.variables.extend(vars);
                self.environment_values(b);
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
    pub(super) fn stages(
        &mut self,
        block: &'a Block,
        ctx: &StageCtx,
        preds: Vec<String>,
    ) -> Vec<String> {
        let mut preds = preds;
        for c in block.stmts.iter().filter_map(Stmt::as_call) {
            if c.name == "stage" {
                preds = self.stage(c, ctx, preds);
            }
        }
        preds
    }

    pub(super) fn parallel(
        &mut self,
        block: &'a Block,
        ctx: &StageCtx,
        preds: Vec<String>,
    ) -> Vec<String> {
        let mut exits = Vec::new();
        for c in block.stmts.iter().filter_map(Stmt::as_call) {
            if c.name == "stage" {
                exits.extend(self.stage(c, ctx, preds.clone()));
            }
        }
        if exits.is_empty() { preds } else { exits }
    }

    pub(super) fn stage(
        &mut self,
        call: &'a Call,
        parent: &StageCtx,
        preds: Vec<String>,
    ) -> Vec<String> {
        if self.depth > MAX_WALK_DEPTH {
            let what = || format!("stages nested past {MAX_WALK_DEPTH} levels are not read");
            self.reached(what, call.span);
            return preds;
        }
        self.depth += 1;
        let exits = self.stage_inner(call, parent, preds);
        self.depth -= 1;
        exits
    }

    pub(super) fn stage_inner(
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
            if self.inherited_directive(d, &mut ctx) {
                continue;
            }
            match (d.name.as_str(), body) {
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

    /// Reads `when { }` and `environment { }`, which the stages nested below inherit, into
    /// `ctx`; whether `d` was one of them.
    fn inherited_directive(&mut self, d: &Call, ctx: &mut StageCtx) -> bool {
        match (d.name.as_str(), d.body()) {
            ("when", Some(b)) => ctx.conditions.extend(self.when_block(b)),
            ("environment", Some(b)) => {
                ctx.variables.extend(self.env_block(b));
                self.environment_values(b);
            }
            _ => return false,
        }
        true
    }

    /// `parallel { }`, `stages { }` or `matrix { axes { } stages { } }` inside a stage.
    pub(super) fn nested_stages(
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
                    if self.inherited_directive(d, ctx) {
                        continue;
                    }
                    match (d.name.as_str(), d.body()) {
                        ("axes", Some(b)) => {
                            let axes = self.axes(b);
                            ctx.matrix.extend(axes);
                        }
                        ("stages", Some(b)) => exits = self.stages(b, ctx, exits),
                        _ => {}
                    }
                }
                exits
            }
        }
    }

    pub(super) fn axes(&self, block: &Block) -> Vec<(String, Vec<String>)> {
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
    pub(super) fn input_directive(&self, call: &Call) -> Step {
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
            when: Vec::new(),
        }
    }

    /// A `(post)` job for a `post { }` that belongs to no single leaf stage; dropped if empty.
    pub(super) fn post_job(&mut self, ctx: &StageCtx, block: &'a Block, span: Span) {
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
    pub(super) fn walk_post(&mut self, block: &'a Block) {
        for c in block.stmts.iter().filter_map(Stmt::as_call) {
            if let Some(b) = c.body() {
                self.walk_block(b);
            }
        }
    }

    /// Runs `f` with job `index` as the destination of steps, then restores the context.
    pub(super) fn in_job(&mut self, index: usize, ctx: &StageCtx, f: impl FnOnce(&mut Self)) {
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
}
