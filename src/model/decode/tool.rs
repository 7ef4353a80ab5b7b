//! `tool:`: which gitops-gen the generated pipelines install, an exact release or a pinned
//! commit of a git repository.

use crate::model::decode::checks::{is_semver, looks_like_git_url};
use crate::model::decode::{Decoder, TOOL_KEYS};
use crate::model::types::ToolSource;
use crate::yaml::Node;

/// Without `tool:`, pipelines install the release that generated them.
pub(super) fn this_release() -> ToolSource {
    ToolSource::Release {
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }
}

impl Decoder<'_> {
    pub(super) fn tool(&mut self, node: &Node) -> ToolSource {
        let default = this_release();
        let Some(map) = self.map(node, "`tool`") else {
            return default;
        };
        self.known_keys(map, TOOL_KEYS, "`tool`");
        let version = self.opt_string(map, "version", "`tool.version`");
        let git = self.opt_string(map, "git", "`tool.git`");
        let rev = self.opt_string(map, "rev", "`tool.rev`");
        if let (Some(v), Some(g)) = (&version, &git) {
            self.problems.push_related(
                g.span,
                "`tool` takes either `version` or `git` with `rev`, not both".to_owned(),
                "second source",
                None,
                (v.span, "first source"),
            );
            return default;
        }
        if let Some(git) = git {
            if !looks_like_git_url(&git.value) || !git.value.starts_with("https://") {
                self.problem(
                    git.span,
                    format!("`tool.git` `{}` is not an https git URL", git.value),
                    "expected https://...",
                );
                return default;
            }
            let Some(rev) = rev else {
                self.problem_help(
                    git.span,
                    "`tool.git` needs `rev`".to_owned(),
                    "no commit to pin",
                    "add `rev:` with the full 40-character commit id to install".to_owned(),
                );
                return default;
            };
            if rev.value.len() != 40 || !rev.value.bytes().all(|b| b.is_ascii_hexdigit()) {
                self.problem_help(
                    rev.span,
                    format!("`tool.rev` `{}` is not a full commit id", rev.value),
                    "expected 40 hex characters",
                    "a branch or tag can move; pipelines pin the exact commit".to_owned(),
                );
                return default;
            }
            return ToolSource::Git {
                url: git.value,
                rev: rev.value.to_ascii_lowercase(),
            };
        }
        if let Some(rev) = rev {
            self.problem(
                rev.span,
                "`tool.rev` needs `tool.git`".to_owned(),
                "no repository",
            );
        }
        match version {
            Some(v) if is_semver(&v.value) => ToolSource::Release { version: v.value },
            Some(v) => {
                self.problem_help(
                    v.span,
                    format!("`tool.version` `{}` is not an exact version", v.value),
                    "expected MAJOR.MINOR.PATCH",
                    "pipelines install this exact version so runs are reproducible".to_owned(),
                );
                default
            }
            None => default,
        }
    }
}
