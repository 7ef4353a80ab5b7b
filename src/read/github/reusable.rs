//! READ stage: expands a job that calls a reusable workflow.
//!
//! ```yaml
//! jobs:
//!   deploy-prod:
//!     needs: build
//!     if: github.ref == 'refs/heads/main'
//!     uses: ./.github/workflows/deploy.yml
//!     with: { environment: production }
//!     secrets: inherit
//! ```
//!
//! The calling job is kept (without steps) so other jobs' `needs:` still name it. For a local
//! workflow, each job of the called file follows it as `<caller-job>/<callee-job>`, located in
//! the called file, with:
//!
//! - `${{ inputs.NAME }}` in its names, environment, scripts, action inputs and `env:` replaced
//!   by the caller's `with:` value (or the declared `default:`), and `inputs.NAME` operands of
//!   its `if:` replaced by literals; nothing else of the call is recorded (`secrets:` is not);
//! - its own `needs:` renamed into the `<caller-job>/` namespace, then the caller's `needs:`;
//! - its own conditions, then the caller's `if:` conditions (all one conjunction);
//! - its own matrix axes, then the caller's (a matrix on the caller runs every called job);
//! - the called workflow's top-level `env:` before its own `env:`.
//!
//! A remote reference to a workflow this checkout holds at the same path, declaring
//! `workflow_call` (`acme/shop/.github/workflows/deploy.yml@main` in a checkout of
//! `acme/shop`: a repository calling its own workflow at a pinned ref), is read as that local
//! file ([`own_copy`]). Any other remote workflow (`owner/repo/.github/workflows/x.yml@ref`) or
//! a missing local file is recorded as unresolved, and the caller keeps the call as a packaged
//! step (`uses` and `with:`), as it would a `uses:` step; the secrets it hands over follow the
//! inputs as `secrets.NAME` (value as written) or `secrets: inherit`, because what a call is
//! given says what it may do.

use std::sync::Arc;

use crate::files::Code;
use crate::read::{Job, Step};
use crate::yaml::Node;

use super::context::{Ctx, Pairs, Scope, pairs, repo_path, resolve_inputs, shape, text_of};
use super::jobs::lower_jobs;

/// What a calling job writes: `uses:`, `with:` and `secrets:`.
pub(crate) struct Call<'n> {
    pub uses: &'n Node,
    pub with: Option<&'n Node>,
    pub secrets: Option<&'n Node>,
}

/// Pushes `caller` (a job with `uses: <uses>`) and, for a local workflow, the called jobs.
pub(crate) fn expand(
    ctx: &mut Ctx<'_>,
    scope: &Scope<'_>,
    caller: Job,
    call: Call<'_>,
    out: &mut Vec<Job>,
) {
    let Call {
        uses,
        with,
        secrets,
    } = call;
    let Some(reference) = text_of(uses) else {
        shape(ctx, scope, uses, "`uses`", "a workflow reference");
        out.push(caller);
        return;
    };
    let reference = scope.subst(&reference);
    let with = pairs(ctx, scope, with, Pairs::With);
    let at = scope.loc(uses.span);
    let called = match repo_path(&reference).or_else(|| own_copy(ctx, scope, &reference)) {
        Some(file) if ctx.repo.lists(&file) => file,
        _ => {
            // What the file says: the job runs that workflow with these inputs. The rules
            // decide whether its name says it deploys.
            let mut caller = caller;
            let mut with = with;
            with.extend(handed_secrets(secrets));
            caller.steps.push(Step::Action {
                name: None,
                uses: reference.clone(),
                with,
                loc: at.clone(),
                when: Vec::new(),
            });
            ctx.unresolved("reusable workflow", &reference, at);
            out.push(caller);
            return;
        }
    };
    let expanded = if ctx.may_enter(&called, &at) {
        called_jobs(ctx, &called, &with)
    } else {
        Vec::new()
    };
    let prefix = caller.id.clone();
    let needs = caller.needs.clone();
    let conditions = caller.conditions.clone();
    let matrix = caller.matrix.clone();
    out.push(caller);
    for mut job in expanded {
        job.id = format!("{prefix}/{}", job.id);
        job.needs = job
            .needs
            .iter()
            .map(|n| format!("{prefix}/{n}"))
            .chain(needs.iter().cloned())
            .collect();
        job.conditions.extend(conditions.iter().cloned());
        job.matrix.extend(matrix.iter().cloned());
        out.push(job);
    }
}

/// A remote reference whose workflow this checkout holds at the same path, as a reusable
/// workflow (`acme/shop/.github/workflows/deploy.yml@main` from a checkout of `acme/shop`,
/// which cannot call its own workflow by `./` at a pinned ref): the local file, read as a local
/// call. The checkout does not know its own name, so the path, a declared `workflow_call` and
/// not being the calling file itself are what say it is the same workflow; a copy of another
/// repository's workflow kept here is read the same way, which is the best reading offline.
fn own_copy(ctx: &Ctx<'_>, scope: &Scope<'_>, reference: &str) -> Option<String> {
    let (path, _version) = reference.split_once('@')?;
    let mut parts = path.splitn(3, '/');
    let (owner, repo, file) = (parts.next()?, parts.next()?, parts.next()?);
    let name = file.strip_prefix(".github/workflows/")?;
    let plain = |s: &str| !s.is_empty() && !s.starts_with('.') && !s.contains(['$', '{']);
    if !plain(owner) || !plain(repo) || !plain(name) || name.contains('/') {
        return None;
    }
    if file == &**scope.file || !ctx.repo.lists(file) {
        return None;
    }
    let text = ctx.repo.text(file).ok()?;
    text.contains("workflow_call").then(|| file.to_owned())
}

/// The secrets a call hands over, as inputs: `secrets.NAME` → the value as written, or
/// `secrets` → `inherit`.
fn handed_secrets(secrets: Option<&Node>) -> Vec<(String, String)> {
    let Some(node) = secrets else {
        return Vec::new();
    };
    match node.as_map() {
        Some(map) => map
            .iter()
            .filter_map(|(k, v)| Some((format!("secrets.{}", text_of(k)?), text_of(v)?)))
            .collect(),
        None => text_of(node)
            .map(|t| vec![("secrets".to_owned(), t)])
            .unwrap_or_default(),
    }
}

/// The jobs of the called workflow `file`, with the call's inputs substituted.
fn called_jobs(ctx: &mut Ctx<'_>, file: &str, with: &[(String, String)]) -> Vec<Job> {
    let Ok(Some((text, root))) = ctx.load(file) else {
        return Vec::new();
    };
    let Some(map) = root.as_map() else {
        ctx.diag(
            Code::GithubShape,
            format!(
                "expected reusable workflow `{file}` to be a mapping, found {}",
                root.kind_name()
            ),
            crate::files::Loc::new(file, root.span),
        );
        return Vec::new();
    };
    let declared = map
        .get("on")
        .and_then(Node::as_map)
        .and_then(|on| on.get("workflow_call"))
        .and_then(Node::as_map)
        .and_then(|call| call.get("inputs"))
        .and_then(Node::as_map);
    let inputs = resolve_inputs(declared, with);
    let shared: Arc<str> = Arc::from(file);
    let scope = Scope {
        file: &shared,
        src: &text,
        inputs: Some(&inputs),
        dispatch: &[],
    };
    ctx.stack.push(file.to_owned());
    let env = pairs(ctx, &scope, map.get("env"), Pairs::Env);
    let mut jobs = Vec::new();
    match map.get("jobs") {
        Some(j) => {
            let dir = super::jobs::run_dir(&scope, map);
            lower_jobs(ctx, &scope, j, &env, dir.as_deref(), &mut jobs);
        }
        None => ctx.diag(
            Code::GithubShape,
            format!("reusable workflow `{file}` has no `jobs:`"),
            scope.loc(root.span),
        ),
    }
    ctx.stack.pop();
    jobs
}
