//! READ stage: lowers a workflow's `on:` into pipeline triggers.
//!
//! `on:` comes in three shapes, all lowered the same way:
//!
//! ```yaml
//! on: push
//! on: [push, pull_request]
//! on:
//!   push: { branches: [main], tags: ["v*"] }
//!   workflow_dispatch: { inputs: { env: { type: choice, options: [dev, prod] } } }
//! ```
//!
//! Each branch/tag filter, dispatch input, cron line and upstream workflow is its own trigger,
//! located at the text that says it; an event with nothing to filter is one trigger at the event.

use crate::read::{Trigger, TriggerKind};
use crate::yaml::{Node, Value};

use super::context::{Ctx, Scope, shape, text_of};

/// The triggers of `on:`.
pub(crate) fn lower_on(ctx: &mut Ctx<'_>, scope: &Scope<'_>, on: &Node) -> Vec<Trigger> {
    let mut out = Vec::new();
    match &on.value {
        Value::String(event) => lower_event(ctx, scope, event, on, None, &mut out),
        Value::Seq(items) => {
            for item in items {
                match item.as_str() {
                    Some(event) => lower_event(ctx, scope, event, item, None, &mut out),
                    None => shape(
                        ctx,
                        scope,
                        item,
                        "an event name in the `on:` list",
                        "a string",
                    ),
                }
            }
        }
        Value::Map(map) => {
            for (key, body) in map.entries() {
                match text_of(key) {
                    Some(event) => lower_event(ctx, scope, &event, key, Some(body), &mut out),
                    None => shape(ctx, scope, key, "an event name in `on:`", "a string"),
                }
            }
        }
        _ => shape(ctx, scope, on, "`on:`", "a string, a list or a mapping"),
    }
    out
}

fn trigger(scope: &Scope<'_>, kind: TriggerKind, pattern: Option<String>, at: &Node) -> Trigger {
    Trigger::new(kind, pattern, false, scope.loc(at.span))
}

/// One event of `on:`; `key` is where its name is written, `body` its settings in map form.
fn lower_event(
    ctx: &mut Ctx<'_>,
    scope: &Scope<'_>,
    event: &str,
    key: &Node,
    body: Option<&Node>,
    out: &mut Vec<Trigger>,
) {
    let settings = body.and_then(Node::as_map);
    if let Some(b) = body
        && !b.is_null()
        && settings.is_none()
        && event != "schedule"
    {
        shape(
            ctx,
            scope,
            b,
            &format!("the settings of `{event}`"),
            "a mapping",
        );
    }
    let get = |k: &str| settings.and_then(|m| m.get(k));
    match event {
        "push" => {
            let before = out.len();
            filters(ctx, scope, get("branches"), TriggerKind::Branch, false, out);
            filters(
                ctx,
                scope,
                get("branches-ignore"),
                TriggerKind::Branch,
                true,
                out,
            );
            filters(ctx, scope, get("tags"), TriggerKind::Tag, false, out);
            filters(ctx, scope, get("tags-ignore"), TriggerKind::Tag, true, out);
            let filtered = ["branches", "branches-ignore", "tags", "tags-ignore"]
                .iter()
                .any(|k| get(k).is_some());
            if !filtered && out.len() == before {
                out.push(trigger(scope, TriggerKind::Branch, None, key));
            }
        }
        "pull_request" | "pull_request_target" => {
            let before = out.len();
            filters(
                ctx,
                scope,
                get("branches"),
                TriggerKind::PullRequest,
                false,
                out,
            );
            filters(
                ctx,
                scope,
                get("branches-ignore"),
                TriggerKind::PullRequest,
                true,
                out,
            );
            if out.len() == before {
                out.push(trigger(scope, TriggerKind::PullRequest, None, key));
            }
        }
        "workflow_dispatch" => {
            let before = out.len();
            inputs(ctx, scope, get("inputs"), TriggerKind::Manual, out);
            if out.len() == before {
                out.push(trigger(scope, TriggerKind::Manual, None, key));
            }
        }
        "workflow_call" => {
            out.push(trigger(scope, TriggerKind::Caller, None, key));
            inputs(ctx, scope, get("inputs"), TriggerKind::Caller, out);
        }
        "schedule" => {
            let before = out.len();
            match body.map(|b| &b.value) {
                Some(Value::Seq(items)) => {
                    for item in items {
                        match item.as_map().and_then(|m| m.get("cron")) {
                            Some(cron) => {
                                let pattern = text_of(cron);
                                out.push(trigger(scope, TriggerKind::Schedule, pattern, cron));
                            }
                            None => shape(ctx, scope, item, "a schedule entry", "`cron: ...`"),
                        }
                    }
                }
                Some(Value::Null) | None => {}
                Some(_) => shape(ctx, scope, body.unwrap_or(key), "`schedule`", "a list"),
            }
            if out.len() == before {
                out.push(trigger(scope, TriggerKind::Schedule, None, key));
            }
        }
        // A release is published for a tag: the deploy starts from that tag.
        "release" => out.push(trigger(scope, TriggerKind::Tag, None, key)),
        // A deployment is created through GitHub's API, outside any workflow: by a person's
        // chat command or a deployment tool (Deliverybot, `gh api .../deployments`).
        "deployment" => out.push(trigger(scope, TriggerKind::Manual, None, key)),
        // `workflow_run` names the workflows it follows; a `repository_dispatch` is sent through
        // GitHub's API by another pipeline (a workflow's dispatch step, another repository's
        // release job) and names the event types it accepts.
        "workflow_run" | "repository_dispatch" => {
            let before = out.len();
            let list = if event == "workflow_run" {
                "workflows"
            } else {
                "types"
            };
            filters(ctx, scope, get(list), TriggerKind::Upstream, false, out);
            if out.len() == before {
                out.push(trigger(scope, TriggerKind::Upstream, None, key));
            }
        }
        _ => out.push(trigger(
            scope,
            TriggerKind::Expression,
            Some(event.to_owned()),
            key,
        )),
    }
}

/// A filter list (`branches: [main, "release/*"]`), one trigger per pattern. A single string is
/// accepted as a one-item list.
fn filters(
    ctx: &mut Ctx<'_>,
    scope: &Scope<'_>,
    list: Option<&Node>,
    kind: TriggerKind,
    negated: bool,
    out: &mut Vec<Trigger>,
) {
    let Some(list) = list else { return };
    let items: &[Node] = match &list.value {
        Value::Seq(items) => items,
        Value::Null => &[],
        _ if list.is_scalar() => std::slice::from_ref(list),
        _ => {
            shape(ctx, scope, list, "a filter", "a list of patterns");
            return;
        }
    };
    for item in items {
        match text_of(item) {
            Some(pattern) => out.push(Trigger {
                negated,
                ..trigger(scope, kind.clone(), Some(pattern), item)
            }),
            None => shape(ctx, scope, item, "a filter pattern", "a string"),
        }
    }
}

/// `inputs:` of `workflow_dispatch`/`workflow_call`: one trigger per input, located at its name,
/// with the `options:` of a choice input.
fn inputs(
    ctx: &mut Ctx<'_>,
    scope: &Scope<'_>,
    inputs: Option<&Node>,
    kind: TriggerKind,
    out: &mut Vec<Trigger>,
) {
    let Some(inputs) = inputs else { return };
    let Some(map) = inputs.as_map() else {
        if !inputs.is_null() {
            shape(ctx, scope, inputs, "`inputs`", "a mapping");
        }
        return;
    };
    for (name, spec) in map.entries() {
        let Some(pattern) = text_of(name) else {
            shape(ctx, scope, name, "an input name", "a string");
            continue;
        };
        let choices = spec
            .as_map()
            .and_then(|m| m.get("options"))
            .and_then(Node::as_seq)
            .map(|opts| opts.iter().filter_map(text_of).collect())
            .unwrap_or_default();
        out.push(Trigger {
            choices,
            ..trigger(scope, kind.clone(), Some(pattern), name)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{WorkflowRepo, read_one};
    use crate::files::repo::MemRepo;
    use crate::read::support::test_support::codes;
    use crate::read::{Trigger, TriggerKind::*};

    fn triggers(src: &str) -> Vec<(crate::read::TriggerKind, Option<String>, bool, String)> {
        let (p, diags) = read_one(&MemRepo::workflow(src));
        assert!(diags.is_empty(), "{diags:?}");
        p.map(|p| p.triggers)
            .unwrap_or_default()
            .into_iter()
            .map(|t: Trigger| {
                let at = src.get(t.loc.span.range()).unwrap_or("").to_owned();
                (t.kind, t.pattern, t.negated, at)
            })
            .collect()
    }

    fn t(
        kind: crate::read::TriggerKind,
        pattern: Option<&str>,
        negated: bool,
        at: &str,
    ) -> (crate::read::TriggerKind, Option<String>, bool, String) {
        (kind, pattern.map(str::to_owned), negated, at.to_owned())
    }

    #[test]
    fn on_string() {
        assert_eq!(
            triggers("on: push\njobs: {}\n"),
            [t(Branch, None, false, "push")]
        );
    }

    #[test]
    fn on_list() {
        assert_eq!(
            triggers("on: [push, pull_request, release]\njobs: {}\n"),
            [
                t(Branch, None, false, "push"),
                t(PullRequest, None, false, "pull_request"),
                t(Tag, None, false, "release"),
            ]
        );
    }

    #[test]
    fn on_map_with_filters() {
        let src = "on:\n  push:\n    branches: [main, 'release/*']\n    branches-ignore:\n      - wip/**\n    tags: [\"v*\"]\n    tags-ignore: [v0.*]\n  pull_request:\n    branches: [main]\n    branches-ignore: [legacy]\n  pull_request_target:\njobs: {}\n";
        assert_eq!(
            triggers(src),
            [
                t(Branch, Some("main"), false, "main"),
                t(Branch, Some("release/*"), false, "'release/*'"),
                t(Branch, Some("wip/**"), true, "wip/**"),
                t(Tag, Some("v*"), false, "\"v*\""),
                t(Tag, Some("v0.*"), true, "v0.*"),
                t(PullRequest, Some("main"), false, "main"),
                t(PullRequest, Some("legacy"), true, "legacy"),
                t(PullRequest, None, false, "pull_request_target"),
            ]
        );
    }

    #[test]
    fn push_with_only_paths_is_any_branch_and_tags_only_is_no_branch() {
        assert_eq!(
            triggers("on:\n  push:\n    paths: [src/**]\njobs: {}\n"),
            [t(Branch, None, false, "push")]
        );
        assert_eq!(
            triggers("on:\n  push:\n    tags: []\njobs: {}\n"),
            Vec::<(crate::read::TriggerKind, Option<String>, bool, String)>::new()
        );
    }

    #[test]
    fn dispatch_inputs_with_choices() {
        let src = "on:\n  workflow_dispatch:\n    inputs:\n      environment:\n        type: choice\n        options: [staging, production]\n      dry-run:\n        type: boolean\njobs: {}\n";
        let (p, _) = read_one(&MemRepo::workflow(src));
        let trig = p.map(|p| p.triggers).unwrap_or_default();
        assert_eq!(trig.len(), 2);
        assert_eq!(trig[0].kind, Manual);
        assert_eq!(trig[0].pattern.as_deref(), Some("environment"));
        assert_eq!(trig[0].choices, ["staging", "production"]);
        assert_eq!(&src[trig[0].loc.span.range()], "environment");
        assert_eq!(trig[1].pattern.as_deref(), Some("dry-run"));
        assert!(trig[1].choices.is_empty());
        assert_eq!(
            triggers("on:\n  workflow_dispatch:\njobs: {}\n"),
            [t(Manual, None, false, "workflow_dispatch")]
        );
    }

    #[test]
    fn schedule_workflow_run_and_call() {
        let src = "on:\n  schedule:\n    - cron: '0 3 * * *'\n    - cron: 30 1 * * 1\n  workflow_run:\n    workflows: [Build, \"Test suite\"]\n    types: [completed]\n  workflow_call:\n    inputs:\n      environment:\n        type: string\n  repository_dispatch:\n    types: [deploy]\njobs: {}\n";
        assert_eq!(
            triggers(src),
            [
                t(Schedule, Some("0 3 * * *"), false, "'0 3 * * *'"),
                t(Schedule, Some("30 1 * * 1"), false, "30 1 * * 1"),
                t(Upstream, Some("Build"), false, "Build"),
                t(Upstream, Some("Test suite"), false, "\"Test suite\""),
                t(Caller, None, false, "workflow_call"),
                t(Caller, Some("environment"), false, "environment"),
                t(Upstream, Some("deploy"), false, "deploy"),
            ]
        );
    }

    #[test]
    fn repository_dispatch_without_types_is_any_upstream_event() {
        assert_eq!(
            triggers("on:\n  repository_dispatch:\njobs: {}\n"),
            [t(Upstream, None, false, "repository_dispatch")]
        );
    }

    #[test]
    fn bad_shapes_are_reported() {
        let (p, diags) = read_one(&MemRepo::workflow("on: 3\njobs: {}\n"));
        assert!(p.is_some());
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code.as_str(), "github-shape");
        let (_, diags) = read_one(&MemRepo::workflow(
            "on:\n  push:\n    branches: {a: b}\njobs: {}\n",
        ));
        assert_eq!(codes(&diags), ["github-shape"]);
    }
}
