//! READ stage: the GitLab CI reader. It reads `.gitlab-ci.yml` with its local includes and
//! child pipelines, applies `extends:`, `!reference` and `default:` as GitLab does, and lowers
//! the result into one [`Pipeline`], each piece located in the file where it is written.

mod context;
mod gate;
mod include;
mod job;
mod lower;
mod resolve;
mod rules;
mod value;

/// Whether the root `.gitlab-ci.yml` names `path` (an `include:` or a `trigger: include:` of a
/// subfolder's pipeline): then that file is read as part of the root pipeline, not again on its
/// own.
fn named_by_root(repo: &dyn RepoFiles, path: &str) -> bool {
    // Comment lines do not count: a path mentioned only there is still read on its own.
    [".gitlab-ci.yml", ".gitlab-ci.yaml"]
        .iter()
        .filter_map(|root| repo.read(root))
        .any(|text| {
            text.lines()
                .any(|line| !line.trim_start().starts_with('#') && names_path(line, path))
        })
}

/// Whether `line` writes `path` whole, maybe after `/` or `./` (`include: /ci/gitlab-ci.yml`,
/// `- local: 'ci/gitlab-ci.yml'`): not as the end of a longer path
/// (`.gitlab/ci/gitlab-ci.yml`) or name (`Auto-DevOps.gitlab-ci.yml`).
fn names_path(line: &str, path: &str) -> bool {
    let path_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/');
    line.match_indices(path).any(|(at, _)| {
        let before = &line[..at];
        let before = before
            .strip_suffix("./")
            .or_else(|| before.strip_suffix('/'))
            .unwrap_or(before);
        let after = &line[at + path.len()..];
        !before.ends_with(path_char) && !after.starts_with(path_char)
    })
}

#[cfg(test)]
mod tests;

use context::Ctx;

use crate::files::{Code, Diagnostic, RepoFiles};
use crate::read::pipeline::{CiSystem, Pipeline, Reader};
use crate::read::support::claimed_text;

/// Reads GitLab CI configuration (`.gitlab-ci.yml` at the repository root).
pub(crate) struct GitlabReader;

impl Reader for GitlabReader {
    /// The root `.gitlab-ci.yml`, and the same name in a folder of a monorepo (each service's
    /// pipeline, usually started by a `trigger:` job of the root one). A `gitlab-ci.yml`
    /// without the dot, anywhere, is a project's configuration at a custom path (the project's
    /// "CI/CD configuration file" setting: `ci/gitlab-ci.yml`, `.gitlab/gitlab-ci.yml`).
    /// Files the root includes or triggers are read through it.
    fn claims(&self, path: &str) -> bool {
        matches!(
            path.rsplit('/').next(),
            Some(".gitlab-ci.yml" | ".gitlab-ci.yaml" | "gitlab-ci.yml" | "gitlab-ci.yaml")
        ) && !path.split('/').any(|part| part == ".git")
    }

    fn read(
        &self,
        path: &str,
        repo: &dyn RepoFiles,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<Pipeline> {
        let root = matches!(path, ".gitlab-ci.yml" | ".gitlab-ci.yaml");
        if !root && named_by_root(repo, path) {
            // Read through the root pipeline, which includes or triggers it.
            return None;
        }
        let text = claimed_text(repo, path, Code::GitlabFileMissing, diagnostics)?;
        let mut ctx = Ctx::new(repo, diagnostics);
        ctx.base = path
            .rsplit_once('/')
            .map(|(dir, _)| format!("{dir}/"))
            .unwrap_or_default();
        let config = include::load(&mut ctx, path, text, &mut Vec::new())?;
        let lowered = lower::lower_config(&mut ctx, &config, &mut vec![path.to_owned()]);
        Some(Pipeline {
            file: path.to_owned(),
            system: CiSystem::GitlabCi,
            name: lowered.name,
            triggers: lowered.triggers,
            jobs: lowered.jobs,
            variables: lowered.variables,
            conditional_variables: Vec::new(),
            unresolved: ctx.unresolved,
            best_effort: false,
        })
    }
}
