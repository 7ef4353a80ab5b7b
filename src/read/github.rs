//! READ stage: the GitHub Actions reader. Lowers `.github/workflows/*.yml` into [`Pipeline`],
//! following local composite actions and local reusable workflows, and recording what it cannot
//! follow (remote reusable workflows, missing local files) as [`crate::read::Unresolved`].
//!
//! The reader is format-faithful: `on:` filters, `if:` tests, `environment:` names and scripts
//! are recorded as written, each with its location. Job `if:` conditions form a conjunction; see
//! `github/expr.rs` for which tests are typed and why a disjunction stays one expression.
//!
//! Diagnostics: `yaml-syntax` (the file is not YAML; nothing is returned), `yaml-warning`
//! (duplicate keys), `github-shape` (a key with a shape GitHub rejects; the rest is read),
//! `github-cycle`, `github-depth` and `github-limit` (expansion of called files stopped: a cycle,
//! more than 8 files deep, more than 500 files in all), `github-read` (the file is missing).

mod composite;
mod context;
mod expr;
mod jobs;
mod reusable;
mod steps;
#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;
mod triggers;

/// The `if:` expression parser on its own, for the fuzz targets (`--features fuzzing`).
#[cfg(feature = "fuzzing")]
pub(crate) use expr::{lower_in as lower_condition, substitute_inputs};

pub(crate) use expr::env_test;
/// The input a GitHub expression path reads (`inputs.x`, `github.event.inputs.x`).
pub(crate) use expr::input_read;

use std::sync::Arc;

use crate::files::{Code, Diagnostic, Loc, RepoFiles};
use crate::read::{CiSystem, Pipeline, Reader, TriggerKind};
use crate::yaml::Span;

use context::{Ctx, Scope, text_of};

/// Reads GitHub Actions workflow files.
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct GithubReader;

impl Reader for GithubReader {
    /// Workflow files directly in `.github/workflows/` (GitHub ignores subdirectories).
    fn claims(&self, path: &str) -> bool {
        path.strip_prefix(".github/workflows/").is_some_and(|name| {
            !name.contains('/')
                && [".yml", ".yaml"]
                    .iter()
                    .any(|ext| name.len() > ext.len() && name.ends_with(ext))
        })
    }

    fn read(
        &self,
        path: &str,
        repo: &dyn RepoFiles,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<Pipeline> {
        let mut ctx = Ctx::new(repo, diagnostics);
        let (text, root) = match ctx.load(path) {
            Ok(Some(loaded)) => loaded,
            Ok(None) => {
                ctx.diag(
                    Code::GithubRead,
                    format!("cannot read `{path}`: it does not exist"),
                    Loc::new(path, Span::empty(0)),
                );
                return None;
            }
            Err(()) => return None,
        };
        let Some(map) = root.as_map() else {
            ctx.diag(
                Code::GithubShape,
                format!(
                    "expected the workflow to be a mapping, found {}",
                    root.kind_name()
                ),
                Loc::new(path, root.span),
            );
            return None;
        };
        let shared: Arc<str> = Arc::from(path);
        let scope = Scope {
            file: &shared,
            src: &text,
            inputs: None,
            dispatch: &[],
        };
        ctx.stack.push(path.to_owned());
        let name = map.get("name").and_then(text_of);
        // NOTE: YAML 1.2 keeps `on` a string key (YAML 1.1 would have made it `true`).
        let triggers = match map.get("on") {
            Some(on) => triggers::lower_on(&mut ctx, &scope, on),
            None => {
                missing(&mut ctx, &scope, &root, "on");
                Vec::new()
            }
        };
        let variables = context::pairs(&mut ctx, &scope, map.get("env"), context::Pairs::Env);
        let dispatch: Vec<String> = triggers
            .iter()
            .filter(|t| t.kind == TriggerKind::Manual)
            .filter_map(|t| t.pattern.clone())
            .collect();
        let scope = Scope {
            dispatch: &dispatch,
            ..scope
        };
        let mut job_list = Vec::new();
        match map.get("jobs") {
            Some(j) => {
                let dir = jobs::run_dir(&scope, map);
                jobs::lower_jobs(&mut ctx, &scope, j, &[], dir.as_deref(), &mut job_list);
            }
            None => missing(&mut ctx, &scope, &root, "jobs"),
        }
        Some(Pipeline {
            file: path.to_owned(),
            system: CiSystem::GithubActions,
            name,
            triggers,
            jobs: job_list,
            variables,
            conditional_variables: Vec::new(),
            unresolved: ctx.unresolved,
            best_effort: false,
        })
    }
}

fn missing(ctx: &mut Ctx<'_>, scope: &Scope<'_>, root: &crate::yaml::Node, key: &str) {
    ctx.diag(
        Code::GithubShape,
        format!("the workflow has no `{key}:`"),
        scope.loc(Span::empty(root.span.start)),
    );
}
