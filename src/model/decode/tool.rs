//! `tool:`: which gitops-gen the generated pipelines install, and how: the published binary of
//! an exact release, that release compiled with `cargo install`, or a pinned commit of a git
//! repository (compiled too).

use crate::model::decode::source::{check_https_url, check_semver};
use crate::model::decode::{Decoder, TOOL_BINARY_KEYS, TOOL_KEYS};
use crate::model::releases::{self, PUBLISHED, is_commit, is_image_digest};
use crate::model::types::Spanned;
use crate::model::types::{BinaryPins, ToolInstall, ToolSource};
use crate::yaml::Node;

/// Release `version`, installed as `install` says: as its binary when the model or this
/// build's table pins one, else compiled. `Err` when `binary` is asked for and nothing pins it.
fn release(
    version: String,
    install: Option<ToolInstall>,
    pins: Option<(String, String)>,
) -> Result<ToolSource, String> {
    let pins = match pins {
        Some((action_commit, image_digest)) => Some(BinaryPins {
            version: version.clone(),
            action_commit,
            image_digest,
        }),
        None => releases::published(&version),
    };
    match (install, pins) {
        (Some(ToolInstall::Cargo), _) | (None, None) => Ok(ToolSource::Crate { version }),
        (Some(ToolInstall::Binary) | None, Some(pins)) => Ok(ToolSource::Binary(pins)),
        (Some(ToolInstall::Binary), None) => Err(version),
    }
}

/// Without `tool:`, pipelines install the release that generated them.
pub(super) fn this_release() -> ToolSource {
    let version = env!("CARGO_PKG_VERSION").to_owned();
    release(version.clone(), None, None).unwrap_or(ToolSource::Crate { version })
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
        let install_node = map.get("install");
        let install = install_node.and_then(|n| {
            self.enum_value(
                n,
                "`tool.install`",
                &[ToolInstall::Binary, ToolInstall::Cargo],
                ToolInstall::as_str,
            )
        });
        let binary = map.get("binary");
        let pins = binary.and_then(|n| self.binary_pins(n));
        if let (Some(ToolInstall::Cargo), Some(n)) = (install, binary) {
            self.problem_help(
                n.span,
                "`tool.binary` pins a binary, but `tool.install` is `cargo`".to_owned(),
                "unused pins",
                "remove `binary` to compile with cargo, or `install: cargo` to use the binary"
                    .to_owned(),
            );
            return default;
        }
        if let (Some(n), Some(_)) = (binary, &git) {
            self.problem(
                n.span,
                "`tool.binary` pins a published release, not a `tool.git` commit".to_owned(),
                "no binary for a commit",
            );
            return default;
        }
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
            if let (Some(ToolInstall::Binary), Some(n)) = (install, install_node) {
                self.problem_help(
                    n.span,
                    "`tool.install: binary` needs a published `tool.version`, not `tool.git`"
                        .to_owned(),
                    "no binary for a commit",
                    "a git commit is compiled with `cargo install`; remove `install` or pin a \
                     release with `version`"
                        .to_owned(),
                );
                return default;
            }
            return self.git_source(git, rev).unwrap_or(default);
        }
        if let Some(rev) = rev {
            self.problem(
                rev.span,
                "`tool.rev` needs `tool.git`".to_owned(),
                "no repository",
            );
        }
        let (version, span) = match version {
            Some(v) => {
                if let Err(why) = check_semver(&v.value) {
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
                    return default;
                }
                (v.value, Some(v.span))
            }
            None => (env!("CARGO_PKG_VERSION").to_owned(), None),
        };
        if binary.is_some() && pins.is_none() {
            return default;
        }
        match release(version, install, pins) {
            Ok(source) => source,
            Err(version) => {
                let known: Vec<&str> = PUBLISHED.iter().map(|r| r.version).collect();
                let listed = if known.is_empty() {
                    "it knows none yet".to_owned()
                } else {
                    format!("it knows {}", known.join(", "))
                };
                self.problem_help(
                    install_node.map_or(span.unwrap_or(node.span), |n| n.span),
                    format!(
                        "`tool.install: binary`: this gitops-gen knows no published binary of \
                         {version} ({listed})"
                    ),
                    "no checksum to pin",
                    "pipelines pin a binary by the action commit and image digest of a published \
                     release: paste the `tool:` block from its release notes (`binary: {action: \
                     …, image: …}`), or use `install: cargo` (compiles that version from \
                     crates.io)"
                        .to_owned(),
                );
                default
            }
        }
    }

    /// `tool.binary: {action: <commit>, image: sha256:…}`, from a release's notes.
    fn binary_pins(&mut self, node: &Node) -> Option<(String, String)> {
        let map = self.map(node, "`tool.binary`")?;
        self.known_keys(map, TOOL_BINARY_KEYS, "`tool.binary`");
        let action = self.opt_string(map, "action", "`tool.binary.action`");
        let image = self.opt_string(map, "image", "`tool.binary.image`");
        let (Some(action), Some(image)) = (action, image) else {
            self.problem_help(
                node.span,
                "`tool.binary` needs both `action` and `image`".to_owned(),
                "incomplete pins",
                "copy the `tool:` block from the release notes of the version".to_owned(),
            );
            return None;
        };
        let mut ok = true;
        if !is_commit(&action.value) {
            self.problem_help(
                action.span,
                format!(
                    "`tool.binary.action` `{}` is not a full commit id",
                    action.value
                ),
                "expected 40 hex characters",
                "the commit of gitops-gen/gitops-gen whose action/checksums.txt lists the \
                 release, as its release notes give it"
                    .to_owned(),
            );
            ok = false;
        }
        if !is_image_digest(&image.value) {
            self.problem_help(
                image.span,
                format!(
                    "`tool.binary.image` `{}` is not an image digest",
                    image.value
                ),
                "expected sha256:<64 lowercase hex>",
                "the digest of ghcr.io/gitops-gen/gitops-gen:<version>, as the release notes \
                 give it"
                    .to_owned(),
            );
            ok = false;
        }
        ok.then(|| (action.value.to_ascii_lowercase(), image.value))
    }

    fn git_source(
        &mut self,
        git: Spanned<String>,
        rev: Option<Spanned<String>>,
    ) -> Option<ToolSource> {
        if let Err(why) = check_https_url(&git.value) {
            self.problem_help(
                git.span,
                format!("`tool.git` `{}` is not a plain https URL: {why}", git.value),
                "expected https://host/path",
                "pipelines pass it to `cargo install --git`; give the repository's https \
                 URL, e.g. `https://github.com/gitops-gen/gitops-gen`"
                    .to_owned(),
            );
            return None;
        }
        let Some(rev) = rev else {
            self.problem_help(
                git.span,
                "`tool.git` needs `rev`".to_owned(),
                "no commit to pin",
                "add `rev:` with the full 40-character commit id to install".to_owned(),
            );
            return None;
        };
        if !is_commit(&rev.value) {
            self.problem_help(
                rev.span,
                format!("`tool.rev` `{}` is not a full commit id", rev.value),
                "expected 40 hex characters",
                "a branch or tag can move; pipelines pin the exact commit".to_owned(),
            );
            return None;
        }
        Some(ToolSource::Git {
            url: git.value,
            rev: rev.value.to_ascii_lowercase(),
        })
    }
}
