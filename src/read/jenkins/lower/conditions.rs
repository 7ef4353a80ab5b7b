//! Conditions and triggers: `when { }` blocks, `triggers { }`, `parameters { }`,
//! `properties([...])` and the `@Library` annotation.

use super::Lowerer;
use super::steps::list_calls;
use crate::read::jenkins::ast::{Arg, Block, Call, Expr, ExprKind, Stmt};
use crate::read::pipeline::{Trigger, TriggerKind, Unresolved};
use crate::yaml::Span;

impl<'a> Lowerer<'a> {
    pub(super) fn when_block(&self, block: &Block) -> Vec<Trigger> {
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
    pub(super) fn pattern(&self, call: &Call, key: &str) -> Option<String> {
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

    pub(super) fn condition(&self, call: &Call) -> Vec<Trigger> {
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
                // The value is a string literal: quoted, as a Groovy test of it would be.
                one(
                    TriggerKind::Expression,
                    Some(format!("{name} == '{value}'")),
                )
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
    pub(super) fn pipeline_trigger(&self, call: &Call) -> Vec<Trigger> {
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
    pub(super) fn parameter(&self, call: &Call) -> Option<Trigger> {
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
    pub(super) fn properties(&mut self, call: &Call) {
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
                                self.values.parameters.extend(t.pattern.clone());
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

    pub(super) fn unresolved(&mut self, kind: &str, reference: String, span: Span) {
        self.uses_library |= kind == "shared library";
        let loc = self.loc(span);
        self.pipeline.unresolved.push(Unresolved {
            kind: kind.to_owned(),
            reference,
            loc,
        });
    }

    /// `@Library('name@version')`: a shared library, which cannot be read offline.
    pub(super) fn annotation(&mut self, name: &str, args: &[Arg], span: Span) {
        if !super::library::is_library_annotation(name) {
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
}
