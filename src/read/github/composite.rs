//! READ stage: follows a step's `uses: ./path/to/action` into the local action's `action.yml`
//! (or `action.yaml`) and, for a composite action, appends its steps with their own locations.
//!
//! `./` in `uses:` is relative to the repository root (the checked-out workspace), also inside a
//! composite action. The action's `${{ inputs.NAME }}` are replaced by the calling step's
//! `with:` values, or by the declared `default:`. Non-composite actions (`node20`, `docker`)
//! have no steps to add.

use std::sync::Arc;

use crate::files::{Code, Loc};
use crate::read::Step;
use crate::yaml::Node;

use super::context::{Ctx, Scope, repo_path, resolve_inputs, text_of};
use super::steps::lower_steps;

/// Appends the steps of the local action `reference`, called from `at` with `with`.
pub(crate) fn expand(
    ctx: &mut Ctx<'_>,
    reference: &str,
    with: &[(String, String)],
    at: &Loc,
    out: &mut Vec<Step>,
) {
    let Some(dir) = repo_path(reference) else {
        ctx.unresolved("local action", reference, at.clone());
        return;
    };
    let candidates = if dir.is_empty() {
        ["action.yml".to_owned(), "action.yaml".to_owned()]
    } else {
        [format!("{dir}/action.yml"), format!("{dir}/action.yaml")]
    };
    let Some(file) = candidates.into_iter().find(|f| ctx.repo.lists(f)) else {
        ctx.unresolved("local action", reference, at.clone());
        return;
    };
    if !ctx.may_enter(&file, at) {
        return;
    }
    let Ok(Some((text, root))) = ctx.load(&file) else {
        return;
    };
    let Some(runs) = root
        .as_map()
        .and_then(|m| m.get("runs"))
        .and_then(Node::as_map)
    else {
        ctx.diag(
            Code::GithubShape,
            format!("expected action `{file}` to have a `runs:` mapping"),
            Loc::new(&file, root.span),
        );
        return;
    };
    let composite = runs
        .get("using")
        .and_then(text_of)
        .is_some_and(|u| u.eq_ignore_ascii_case("composite"));
    if !composite {
        return;
    }
    let declared = root
        .as_map()
        .and_then(|m| m.get("inputs"))
        .and_then(Node::as_map);
    let inputs = resolve_inputs(declared, with);
    let shared: Arc<str> = Arc::from(file.as_str());
    let scope = Scope {
        file: &shared,
        src: &text,
        inputs: Some(&inputs),
    };
    ctx.stack.push(file.clone());
    if let Some(steps) = runs.get("steps") {
        // A composite action's steps do not take the caller's `defaults.run`.
        lower_steps(ctx, &scope, steps, None, out);
    }
    ctx.stack.pop();
}
