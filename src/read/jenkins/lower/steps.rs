//! Steps: the walk through statements, calls and helper functions that finds script steps,
//! action steps and the wrappers around them, in both declarative and scripted pipelines.

use super::guard::{Guard, interpolated};
use super::library::positional_names;
use super::strings::{concatenation, string_with_methods};
use super::{
    ACTION_ROOTS, BUDGET, Lowerer, MAX_WALK_DEPTH, QUIET, SCRIPT_STEPS, TOP_LEVEL, Wrapper,
};
use crate::files::LineIndex;
use crate::read::Trigger;
use crate::read::jenkins::ast::{Block, Call, Case, Expr, ExprKind, Stmt};
use crate::read::pipeline::{Step, TriggerKind};
use crate::yaml::Span;

impl<'a> Lowerer<'a> {
    pub(super) fn walk_block(&mut self, block: &'a Block) {
        self.walk_stmts(&block.stmts);
    }

    pub(super) fn walk_stmts(&mut self, stmts: &'a [Stmt]) {
        if self.depth > MAX_WALK_DEPTH {
            let what = || format!("nesting past {MAX_WALK_DEPTH} levels is not read");
            return self.reached(what, Span::empty(0));
        }
        self.depth += 1;
        for stmt in stmts {
            if self.budget == 0 {
                let what = || format!("past {BUDGET} statements, the rest is not read");
                self.reached(what, Span::empty(0));
                break;
            }
            self.budget -= 1;
            self.walk_stmt(stmt);
        }
        self.depth -= 1;
    }

    pub(super) fn walk_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Expr(e) => self.walk_expr(e, true),
            Stmt::Assign { target, value } => {
                self.assign(target, value);
                self.walk_expr(value, true);
                self.note_loaded_object(target, value);
            }
            Stmt::If {
                cond,
                then_block,
                else_block,
            } => {
                self.walk_expr(cond, true);
                let text = self.raw(cond.span).trim().to_owned();
                let mut condition = self.trigger(TriggerKind::Expression, Some(text), cond.span);
                let guard = self.guard_of(cond);
                self.conditions.push(condition.clone());
                self.values.guards.push(guard.clone());
                self.walk_block(then_block);
                self.values.guards.pop();
                self.conditions.pop();
                if let Some(b) = else_block {
                    condition.negated = true;
                    self.conditions.push(condition);
                    self.values.guards.push(guard.negate());
                    self.walk_block(b);
                    self.values.guards.pop();
                    self.conditions.pop();
                }
            }
            Stmt::Switch { subject, cases } => {
                self.walk_expr(subject, true);
                let labels: Vec<&Expr> = cases.iter().flat_map(|c| &c.labels).collect();
                for case in cases {
                    let (condition, guard) = self.case_test(subject, case, &labels);
                    self.conditions.push(condition);
                    self.values.guards.push(guard);
                    self.walk_stmts(&case.stmts);
                    self.values.guards.pop();
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

    /// What an arm of `switch (subject)` runs under: `subject == label` for one label; for
    /// `default:` beside one label, that test negated; otherwise the labels as written.
    fn case_test(&self, subject: &Expr, case: &Case, all: &[&Expr]) -> (Trigger, Guard) {
        let raw = self.raw(subject.span);
        let subject_text = interpolated(&raw);
        let (test, negated) = match (case.labels.as_slice(), case.default, all) {
            ([label], false, _) => (label, false),
            ([], true, [label]) => (*label, true),
            _ => {
                let own: Vec<&Expr> = case.labels.iter().collect();
                let listed = if case.default { all } else { &own };
                let labels: Vec<String> = listed.iter().map(|l| self.raw(l.span)).collect();
                let text = format!("{subject_text} in [{}]", labels.join(", "));
                let text = if case.default {
                    format!("default of {text}")
                } else {
                    text
                };
                let guard = Guard::Other {
                    text: text.clone(),
                    negated: false,
                };
                let trigger = self.trigger(TriggerKind::Expression, Some(text), subject.span);
                return (trigger, guard);
            }
        };
        let text = format!("{subject_text} == {}", self.raw(test.span).trim());
        let guard = self.guard_of_text(&text);
        let mut trigger = self.trigger(TriggerKind::Expression, Some(text), subject.span);
        trigger.negated = negated;
        (trigger, if negated { guard.negate() } else { guard })
    }

    /// Searches an expression for steps. `record`: whether calls found are steps in their own
    /// right (statement level, assigned values) or arguments of a step (`file(...)` inside
    /// `withCredentials([...])`), where only scripts, stages and closures count.
    pub(super) fn walk_expr(&mut self, expr: &'a Expr, record: bool) {
        if self.depth > MAX_WALK_DEPTH {
            let what = || format!("nesting past {MAX_WALK_DEPTH} levels is not read");
            return self.reached(what, expr.span);
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
    pub(super) fn structural(&self, call: &Call) -> bool {
        call.receiver.is_none()
            && (SCRIPT_STEPS.contains(&call.name.as_str())
                || matches!(call.name.as_str(), "stage" | "parallel" | "script")
                || self.functions.contains_key(call.name.as_str()))
            || call.body().is_some()
    }

    /// Walks the arguments of `call`, except the closure that is its body.
    pub(super) fn walk_args(&mut self, call: &'a Call, record: bool) {
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

    pub(super) fn walk_call(&mut self, call: &'a Call) {
        if let Some(r) = &call.receiver {
            self.walk_expr(r, true);
        }
        if call.receiver.is_none() {
            let name = call.name.as_str();
            if self.run_closure_param(call) {
                return;
            }
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
                    if name == "load" && self.walk_loaded(&reference) {
                        return;
                    }
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
                let params = self.params.get(name).copied().unwrap_or_default();
                return self.inline((name, params, body), call, None);
            }
        }
        if call.receiver.is_none() && self.call_loaded_function(call) {
            return;
        }
        let uses = uses_name(call);
        let root = uses.split('.').next().unwrap_or("");
        let recorded = !QUIET.contains(&call.name.as_str())
            && !method_on_value(call)
            && (!uses.contains('.') || ACTION_ROOTS.contains(&root) || self.library_object(root));
        if !recorded {
            self.walk_args(call, false);
            if let Some(b) = call.body() {
                self.walk_block(b);
            }
            return;
        }
        let (uses, with) = match self.metastep(call) {
            Some(found) => found,
            None => {
                let with = self.flatten_args(call, &uses);
                (uses, with)
            }
        };
        // Inside a function called with arguments: its parameters put in the inputs too.
        let with: Vec<(String, String)> = with
            .into_iter()
            .map(|(k, v)| match self.bound(&v, call.span) {
                Some(bound) => (k, bound),
                None => (k, v),
            })
            .collect();
        // A wrapper's location runs to the end of its closure, so the steps written inside it
        // can be told from those after it (`container('helm') { ... }`); it starts at the name.
        let span = match call.body() {
            Some(body) => Span {
                start: call.name_span.start,
                end: body.span.end.max(call.name_span.end),
            },
            None => call.name_span,
        };
        let step = Step::Action {
            name: None,
            with,
            uses,
            loc: self.loc(span),
            when: Vec::new(),
        };
        if call.receiver.is_none() && call.name == "input" {
            self.wait_for_input(call.span);
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

    /// The metasteps `step([$class: 'KubernetesEngineBuilder', ...])` and `wrap([$class: ...])`
    /// name the plugin class they run: that class (its simple name) is the step, and the other
    /// entries are its inputs, as if the plugin's own step had been called.
    fn metastep(&self, call: &Call) -> Option<(String, Vec<(String, String)>)> {
        if call.receiver.is_some() || !matches!(call.name.as_str(), "step" | "wrap") {
            return None;
        }
        let class = call
            .named("$class")
            .or_else(|| match &call.positional(0)?.kind {
                ExprKind::Map(entries) => {
                    entries.iter().find(|e| e.key == "$class").map(|e| &e.value)
                }
                _ => None,
            })?;
        let class = self.text(class);
        let simple = class.rsplit('.').next().unwrap_or(&class).trim().to_owned();
        if simple.is_empty() {
            return None;
        }
        let mut with = self.flatten_args(call, &call.name);
        with.retain(|(k, _)| k != "$class");
        Some((simple, with))
    }

    /// An `input` step at `span`: its job waits for a person. Outside any stage the whole run
    /// waits, so the stages after it need the job holding it.
    fn wait_for_input(&mut self, span: Span) {
        self.top_level_input |= self.current.is_none();
        let index = self.ensure_job(span);
        if let Some(job) = self.pipeline.jobs.get_mut(index) {
            job.manual = true;
        }
    }

    /// `sh 'x'`, `sh(script: 'x', label: 'y')`, `bat`, `powershell`, `pwsh`.
    pub(super) fn script_step(&mut self, call: &Call) {
        let name = call.named("label").map(|e| self.text(e));
        let (text, line_starts, span) = match call.named("script").or_else(|| call.positional(0)) {
            Some(Expr {
                kind: ExprKind::Str(lit),
                span,
            }) => (lit.text.clone(), lit.line_starts.clone(), *span),
            Some(e) if let Some(lit) = string_with_methods(e) => {
                (lit.text, lit.line_starts, e.span)
            }
            // `"helm upgrade " + RELEASE + " chart/"`: its pieces no longer sit at their
            // offsets, so findings point at the whole expression.
            Some(e) if let Some(text) = concatenation(e, self.src) => (text, Vec::new(), e.span),
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
        // Inside a function called with arguments: its parameters put in.
        let (text, line_starts) = match self.bound(&text, call.span) {
            None => (text, line_starts),
            Some(bound) => {
                let same_lines = bound.lines().count() == text.lines().count();
                (bound, if same_lines { line_starts } else { Vec::new() })
            }
        };
        let step = Step::Script {
            name,
            text,
            loc: self.loc(span),
            line_starts,
            dir: self.dir(),
            env: Vec::new(),
            when: Vec::new(),
        };
        self.emit(step, call.span);
    }

    /// The folder the enclosing `dir('k8s') { }` blocks run their steps in, joined outermost
    /// first (`dir('deploy') { dir('prod') { sh ... } }` is `deploy/prod`, an absolute inner
    /// folder on its own); `None` outside any.
    pub(super) fn dir(&self) -> Option<String> {
        self.wrappers
            .iter()
            .filter_map(|w| match &w.step {
                Step::Action { uses, with, .. } if uses == "dir" => with
                    .iter()
                    .find(|(k, _)| k == "path")
                    .map(|(_, v)| v.as_str()),
                _ => None,
            })
            .map(str::to_owned)
            .reduce(|outer, inner| {
                // An absolute inner folder does not start from the outer one.
                if inner.starts_with('/') {
                    inner
                } else {
                    format!("{outer}/{inner}")
                }
            })
    }

    /// `stage('x') { }` outside the declarative structure: a job of its own.
    pub(super) fn scripted_stage(&mut self, call: &'a Call) {
        let (name, span) = self.stage_name(call);
        let mut path = self.stage_path.clone();
        path.push(name.clone());
        let mut job = self.job(path.join("/"), name, self.stage_path.last().cloned(), span);
        job.conditions = self.conditions.clone();
        if self.top_level_input {
            job.needs.push(TOP_LEVEL.to_owned());
        }
        let index = self.push_job(job);
        self.flush_wrappers(index);
        match call.body() {
            Some(body) => {
                let current = self.current.replace(index);
                let outer = std::mem::replace(&mut self.stage_path, path);
                let guards = std::mem::replace(&mut self.job_guards, self.values.guards.len());
                self.walk_args(call, false);
                self.walk_block(body);
                self.job_guards = guards;
                self.current = current;
                self.stage_path = outer;
            }
            // Legacy `stage 'x'`: the steps after it belong to it.
            None => {
                self.current = Some(index);
                self.job_guards = self.values.guards.len();
            }
        }
    }

    pub(super) fn add_variable(&mut self, name: &str, value: String) {
        let entry = (name.to_owned(), value);
        match self.current.and_then(|i| self.pipeline.jobs.get_mut(i)) {
            Some(job) => job.variables.push(entry),
            None => self.pipeline.variables.push(entry),
        }
    }

    /// The job steps go to, creating the `(top level)` job on first use.
    pub(super) fn ensure_job(&mut self, span: Span) -> usize {
        if let Some(index) = self.current.or(self.top_level) {
            return index;
        }
        let job = self.job(TOP_LEVEL.to_owned(), TOP_LEVEL.to_owned(), None, span);
        let index = self.push_job(job);
        self.top_level = Some(index);
        index
    }

    /// Emits the enclosing wrappers not yet emitted into job `index`, outermost first.
    pub(super) fn flush_wrappers(&mut self, index: usize) {
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

    /// Adds `step` to the current job, with the `if`s and `switch` arms around it inside that
    /// job as its own conditions.
    pub(super) fn emit(&mut self, mut step: Step, span: Span) {
        let index = self.ensure_job(span);
        self.flush_wrappers(index);
        let own = self
            .values
            .guards
            .get(self.job_guards..)
            .unwrap_or_default();
        if let Some((when, _)) = self.when(own, span) {
            step.when_mut().extend(when);
        }
        if let Some(job) = self.pipeline.jobs.get_mut(index) {
            job.steps.push(step);
        }
    }

    /// The inputs of an action: named arguments as `(key, value)`, maps and lists flattened,
    /// credential bindings (`file(credentialsId: .., variable: ..)`) as `binding` plus their
    /// arguments, positional arguments under the step's parameter name.
    pub(super) fn flatten_args(&self, call: &Call, uses: &str) -> Vec<(String, String)> {
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

    pub(super) fn flatten(
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
            // A variable (`openshift.withProject(DEV_NAMESPACE)`): its value, as `"${DEV_NAMESPACE}"`
            // would give it, which the pipeline's variables (or a helper's parameters) then fill.
            // `scm` is Jenkins's own object (`checkout scm`), named as it is.
            ExprKind::Path(name) if name != "scm" => {
                out.push((key.to_owned(), format!("${{{name}}}")));
            }
            _ => out.push((key.to_owned(), self.raw(value.span))),
        }
    }
}

/// The calls listed in `value` (`[a(), b()]` or a single call).
pub(super) fn list_calls(value: &Expr) -> Vec<&Call> {
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
pub(super) fn uses_name(call: &Call) -> String {
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
pub(super) fn method_on_value(call: &Call) -> bool {
    let mut receiver = call.receiver.as_ref();
    while let Some(r) = receiver {
        match &r.kind {
            ExprKind::Call(c) => receiver = c.receiver.as_ref(),
            _ => return true,
        }
    }
    false
}
