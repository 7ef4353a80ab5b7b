//! `tool:`: which gitops-gen the generated pipelines install, an exact release or a pinned
//! commit of a git repository.

use crate::model::decode::source::{check_https_url, check_semver};
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
            if let Err(why) = check_https_url(&git.value) {
                self.problem_help(
                    git.span,
                    format!("`tool.git` `{}` is not a plain https URL: {why}", git.value),
                    "expected https://host/path",
                    "pipelines pass it to `cargo install --git`; give the repository's https \
                     URL, e.g. `https://github.com/gitops-gen/gitops-gen`"
                        .to_owned(),
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
            Some(v) => match check_semver(&v.value) {
                Ok(()) => ToolSource::Release { version: v.value },
                Err(why) => {
                    self.problem_help(
                        v.span,
                        format!(
                            "`tool.version` `{}` is not an exact version: {why}",
                            v.value
                        ),
                        "expected MAJOR.MINOR.PATCH[-pre][+build]",
                        "pipelines install this exact version so runs are reproducible; see \
                         semver.org for the grammar"
                            .to_owned(),
                    );
                    default
                }
            },
            None => default,
        }
    }
}
