//! READ stage: follows a step's `uses: ./path/to/action` into the local action's `action.yml`
//! (or `action.yaml`) and, for a composite action, appends its steps with their own locations.
//!
//! `./` in `uses:` is relative to the repository root (the checked-out workspace), also inside a
//! composite action. A reference to another repository's action whose path holds an action in
//! this checkout (an organisation's template repository naming its own actions) is read as that
//! local action ([`own_action`]). The action's `${{ inputs.NAME }}` are replaced by the calling
//! step's `with:` values, or by the declared `default:`. Non-composite actions (`node20`,
//! `docker`) have no steps to add.

use std::sync::Arc;

use crate::files::{Code, Loc};
use crate::read::Step;
use crate::yaml::Node;

use super::context::{Ctx, Scope, repo_path, resolve_inputs, text_of};
use super::steps::lower_steps;

/// The local path (`./actions/helm-deploy`) of an action that `reference` names in another
/// repository (`acme/ci-templates/actions/helm-deploy@v1`) when this checkout holds an action at
/// that path: an organisation's template repository names its own actions so, because a
/// reusable workflow's `./` paths are read in the caller's repository. What the checkout holds
/// is read, not the version the ref names.
pub(crate) fn own_action(ctx: &Ctx<'_>, reference: &str) -> Option<String> {
    if reference.starts_with("./") || reference.contains("://") {
        return None;
    }
    let (path, _ref) = reference.split_once('@')?;
    let mut parts = path.splitn(3, '/');
    let (_owner, _repo, dir) = (parts.next()?, parts.next()?, parts.next()?);
    let local = format!("./{}", dir.trim_end_matches('/'));
    let dir = repo_path(&local).filter(|d| !d.is_empty())?;
    ["action.yml", "action.yaml"]
        .iter()
        .any(|name| ctx.repo.lists(&format!("{dir}/{name}")))
        .then_some(local)
}

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
        dispatch: &[],
    };
    ctx.stack.push(file.clone());
    if let Some(steps) = runs.get("steps") {
        // A composite action's steps do not take the caller's `defaults.run`.
        lower_steps(ctx, &scope, steps, None, out);
    }
    ctx.stack.pop();
}
