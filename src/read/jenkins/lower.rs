//! READ stage: lowering the Jenkinsfile AST into the common [`Pipeline`] projection.
//!
//! Declarative pipelines map stage by stage: each leaf stage is a job, `when` becomes
//! conditions, `environment` becomes variables. Scripted pipelines (no `pipeline { }`) are read
//! best effort: every `stage` is a job, steps outside stages go to a `(top level)` job. In both,
//! steps are found inside wrappers (`withCredentials`, `container`, ...), `script` blocks,
//! control flow and helper functions defined in the file. Nothing is inferred.
//!
//! This file holds the lowering state and small helpers; `declarative`, `conditions` and `steps`
//! each add one part of the walk to [`Lowerer`], `values` records the variables the walk meets
//! (and the branch each value holds on), and `strings` applies Groovy string methods.

mod conditions;
mod declarative;
mod guard;
mod inline;
mod library;
mod load;
mod steps;
mod strings;
mod tree;
mod values;

pub(crate) use library::LIBRARY_STEP;
pub(crate) use load::{Loaded, MAX_LOADED, declares_library, library_step_names, load_paths};

use std::collections::BTreeMap;
use std::sync::Arc;

use super::ast::{Block, Call, Expr, ExprKind, Stmt};
use crate::files::Loc;
use crate::read::pipeline::{CiSystem, Job, Pipeline, Step, Trigger, TriggerKind};
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

/// Lowers the statements of `src` (the file at `file`) into a pipeline, with the first limit
/// of the reading it reached, if any. `loaded`: the files it loads, read (see [`load_paths`]).
pub(crate) fn lower<'a>(
    file: &'a str,
    src: &'a str,
    stmts: &'a [Stmt],
    loaded: &'a [Loaded],
) -> (Pipeline, Option<(String, Loc)>) {
    let mut lowerer = Lowerer {
        file: Arc::from(file),
        src,
        functions: BTreeMap::new(),
        params: BTreeMap::new(),
        values: values::Values::default(),
        pipeline: empty_pipeline(file, CiSystem::Jenkins),
        current: None,
        top_level: None,
        wrappers: Vec::new(),
        stage_path: Vec::new(),
        conditions: Vec::new(),
        job_guards: 0,
        inlining: Vec::new(),
        bindings: Vec::new(),
        depth: 0,
        budget: BUDGET,
        uses_library: false,
        assigned: library::assigned_names(src, stmts, loaded),
        loaded: loaded.iter().collect(),
        walking_loaded: Vec::new(),
        loaded_as: BTreeMap::new(),
        top_level_input: false,
        limit: None,
    };
    for stmt in stmts {
        if let Stmt::Function { name, params, body } = stmt {
            lowerer.functions.insert(name.as_str(), body);
            lowerer.params.insert(name.as_str(), params);
        }
    }
    let body = pipeline_in_call(stmts).unwrap_or(stmts);
    match declarative_in(body) {
        Some(call) => {
            for stmt in body {
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
                    Stmt::Assign { .. } | Stmt::If { .. } => {
                        lowerer.top_level_values(std::slice::from_ref(stmt));
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
    lowerer.report_library_steps();
    lowerer.finish_values();
    (lowerer.pipeline, lowerer.limit)
}

/// The declarative `pipeline { }` among `stmts`, at their top level.
fn declarative_in(stmts: &[Stmt]) -> Option<&Call> {
    stmts
        .iter()
        .filter_map(Stmt::as_call)
        .find(|c| c.receiver.is_none() && c.name == "pipeline" && c.body().is_some())
}

/// The statements of `def call() { pipeline { } }` in a file without a pipeline of its own: a
/// shared library's pipeline step kept as a Jenkinsfile describes that pipeline.
fn pipeline_in_call(stmts: &[Stmt]) -> Option<&[Stmt]> {
    if declarative_in(stmts).is_some() {
        return None;
    }
    stmts.iter().find_map(|s| match s {
        Stmt::Function { name, body, .. }
            if name == "call" && declarative_in(&body.stmts).is_some() =>
        {
            Some(body.stmts.as_slice())
        }
        _ => None,
    })
}

/// A Jenkinsfile is built for every branch that carries it: a multibranch job, its usual
/// home, indexes each branch and builds it on push. `triggers { }` adds schedules and other
/// starts; parameters are inputs of those builds. So the pipeline's first trigger is "any
/// branch" unless it names a branch trigger itself.
pub(crate) fn every_branch_by_default(pipeline: &mut Pipeline) {
    if !pipeline
        .triggers
        .iter()
        .any(|t| t.kind == TriggerKind::Branch)
    {
        let at = Loc::new(&pipeline.file, Span::empty(0));
        let every_branch = Trigger::new(TriggerKind::Branch, None, false, at);
        pipeline.triggers.insert(0, every_branch);
    }
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
    file: Arc<str>,
    src: &'a str,
    functions: BTreeMap<&'a str, &'a Block>,
    /// The parameter names of the helpers in `functions`.
    params: BTreeMap<&'a str, &'a [String]>,
    /// Groovy values and the tests they are set under.
    values: values::Values,
    pipeline: Pipeline,
    /// The job steps go to; None at the top level of a scripted pipeline.
    current: Option<usize>,
    top_level: Option<usize>,
    wrappers: Vec<Wrapper>,
    stage_path: Vec<String>,
    /// Conditions of enclosing `when`s and `if`s, given to stages created inside them.
    conditions: Vec<Trigger>,
    /// How many of `values.guards` enclosed the current job where it began: the guards after
    /// them are the `if`s and `switch` arms around steps inside it.
    job_guards: usize,
    inlining: Vec<&'a str>,
    /// What each call being inlined hands its function, innermost last.
    bindings: Vec<inline::Binding<'a>>,
    depth: usize,
    budget: usize,
    /// The file loads a shared library, so calls no Jenkins step explains are its steps.
    uses_library: bool,
    /// Names the file assigns, and whether one assignment makes the value with `new`.
    assigned: BTreeMap<String, bool>,
    /// The Groovy files the Jenkinsfile loads, read.
    loaded: Vec<&'a Loaded>,
    /// The loaded files being walked, innermost last (a file loading itself stops there).
    walking_loaded: Vec<&'a str>,
    /// The file each variable holds the object of (`def deployer = load 'k8s/deploy.groovy'`).
    loaded_as: BTreeMap<String, &'a str>,
    /// A scripted pipeline has met an `input` outside any stage: later stages wait for it.
    top_level_input: bool,
    /// The first limit of the reading that was reached, and where: a `jenkins-limit`
    /// diagnostic.
    limit: Option<(String, Loc)>,
}

impl<'a> Lowerer<'a> {
    // --- helpers --------------------------------------------------------------------------

    /// Records the first limit reached, at `span` of the current file.
    fn reached(&mut self, what: impl FnOnce() -> String, span: Span) {
        if self.limit.is_none() {
            self.limit = Some((what(), self.loc(span)));
        }
    }

    fn loc(&self, span: Span) -> Loc {
        Loc::shared(&self.file, span)
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
        Trigger::new(kind, pattern, false, self.loc(span))
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
            _ => self.elvis_value(value).unwrap_or_else(|| self.text(value)),
        }
    }
}
