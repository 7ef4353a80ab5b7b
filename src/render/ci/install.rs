//! RENDER stage: how the generated pipelines install the pinned gitops-gen, and whether they
//! may cache it.
//!
//! A published release installs as its prebuilt binary: GitHub workflows through this
//! repository's action at the commit that carries the release's checksums, GitLab jobs in the
//! release image pinned by digest. Anything else compiles with `cargo install`, cached per pin
//! unless the pipeline builds releases.

use serde::Serialize;

use crate::model::ToolSource;
use crate::model::releases::{ACTION_REPOSITORY, IMAGE_REPOSITORY};
use crate::render::escape::{CommandLine, Expression};
use crate::render::plan::InstallInputs;
use crate::render::shell::ShellCommand;

/// The `cargo install` command that installs exactly the pinned build, its values quoted;
/// `None` for a published binary.
fn install_command(tool: &ToolSource) -> Option<ShellCommand> {
    match tool {
        ToolSource::Binary(_) => None,
        ToolSource::Crate { version } => Some(
            ShellCommand::new("cargo install --locked --version")
                .arg(version.as_str())
                .fixed("gitops-gen"),
        ),
        ToolSource::Git { url, rev } => Some(
            ShellCommand::new("cargo install --locked --git")
                .arg(url.as_str())
                .fixed("--rev")
                .arg(rev.as_str())
                .fixed("gitops-gen"),
        ),
    }
}

/// The action step that installs a published binary.
#[derive(Debug, Serialize)]
struct ActionStep {
    /// `gitops-gen/gitops-gen@<commit>`.
    uses: String,
    /// The release: the `version` input.
    version: String,
    /// `v<version>`, the trailing comment.
    tag: String,
}

/// The GitHub install steps: the action for a published binary; otherwise `actions/cache`
/// keyed by runner OS and pin, then `cargo install`.
#[derive(Debug, Serialize)]
pub(crate) struct GithubInstallView {
    action: Option<ActionStep>,
    command: Option<CommandLine>,
    cache: bool,
    cache_key: Expression,
}

impl GithubInstallView {
    pub(crate) fn new(install: &InstallInputs) -> GithubInstallView {
        let action = match install.tool {
            ToolSource::Binary(pins) => Some(ActionStep {
                uses: format!("{ACTION_REPOSITORY}@{}", pins.action_commit),
                version: pins.version.clone(),
                tag: format!("v{}", pins.version),
            }),
            _ => None,
        };
        GithubInstallView {
            action,
            command: install_command(install.tool).map(CommandLine::from),
            cache: install.cache,
            cache_key: Expression::text("gitops-gen-")
                .then("runner.os")
                .then_text(format!("-{}", install.tool.pin())),
        }
    }
}

/// The GitLab install: the release image for a published binary; otherwise a cached
/// `$CARGO_INSTALL_ROOT`, installed into when empty.
#[derive(Debug, Serialize)]
pub(crate) struct GitlabInstallView {
    /// `ghcr.io/gitops-gen/gitops-gen:<version>@sha256:…`, for a published binary.
    image: Option<String>,
    /// Installs unless the cached binary is already there.
    ensure_command: Option<CommandLine>,
    cache: bool,
    cache_key: String,
}

impl GitlabInstallView {
    pub(crate) fn new(install: &InstallInputs) -> GitlabInstallView {
        let image = match install.tool {
            ToolSource::Binary(pins) => Some(format!(
                "{IMAGE_REPOSITORY}:{}@{}",
                pins.version, pins.image_digest
            )),
            _ => None,
        };
        GitlabInstallView {
            image,
            ensure_command: install_command(install.tool).map(|command| {
                CommandLine::new(format!(
                    "test -x \"$CARGO_INSTALL_ROOT/bin/gitops-gen\" || {command}"
                ))
            }),
            cache: install.cache,
            cache_key: format!("gitops-gen-{}", install.tool.pin()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_install_command_quotes_what_the_model_gives() {
        let release = ToolSource::Crate {
            version: "0.1.0".to_owned(),
        };
        assert_eq!(
            install_command(&release).map(|c| c.to_string()).as_deref(),
            Some("cargo install --locked --version 0.1.0 gitops-gen")
        );
        let git = ToolSource::Git {
            url: "https://example.com/x;$(id)".to_owned(),
            rev: "0123".to_owned(),
        };
        assert_eq!(
            install_command(&git).map(|c| c.to_string()).as_deref(),
            Some(
                "cargo install --locked --git 'https://example.com/x;$(id)' --rev 0123 gitops-gen"
            )
        );
    }
}
