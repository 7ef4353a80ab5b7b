//! RENDER stage: how the generated pipelines install the pinned gitops-gen, and whether they
//! may cache it.

use serde::Serialize;

use crate::model::ToolSource;
use crate::render::escape::{CommandLine, Expression};
use crate::render::plan::InstallInputs;
use crate::render::shell::ShellCommand;

/// The `cargo install` command that installs exactly the pinned build, its values quoted.
fn install_command(tool: &ToolSource) -> ShellCommand {
    match tool {
        ToolSource::Release { version } => ShellCommand::new("cargo install --locked --version")
            .arg(version.as_str())
            .fixed("gitops-gen"),
        ToolSource::Git { url, rev } => ShellCommand::new("cargo install --locked --git")
            .arg(url.as_str())
            .fixed("--rev")
            .arg(rev.as_str())
            .fixed("gitops-gen"),
    }
}

/// The GitHub install steps: `actions/cache` keyed by runner OS and pin, then `cargo install`.
#[derive(Debug, Serialize)]
pub(crate) struct GithubInstallView {
    command: CommandLine,
    cache: bool,
    cache_key: Expression,
}

impl GithubInstallView {
    pub(crate) fn new(install: &InstallInputs) -> GithubInstallView {
        GithubInstallView {
            command: install_command(install.tool).into(),
            cache: install.cache,
            cache_key: Expression::text("gitops-gen-")
                .then("runner.os")
                .then_text(format!("-{}", install.tool.pin())),
        }
    }
}

/// The GitLab install step: a cached `$CARGO_INSTALL_ROOT`, installed into when empty.
#[derive(Debug, Serialize)]
pub(crate) struct GitlabInstallView {
    /// Installs unless the cached binary is already there.
    ensure_command: CommandLine,
    cache: bool,
    cache_key: String,
}

impl GitlabInstallView {
    pub(crate) fn new(install: &InstallInputs) -> GitlabInstallView {
        GitlabInstallView {
            ensure_command: CommandLine::new(format!(
                "test -x \"$CARGO_INSTALL_ROOT/bin/gitops-gen\" || {}",
                install_command(install.tool)
            )),
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
        let release = ToolSource::Release {
            version: "0.1.0".to_owned(),
        };
        assert_eq!(
            install_command(&release).to_string(),
            "cargo install --locked --version 0.1.0 gitops-gen"
        );
        let git = ToolSource::Git {
            url: "https://example.com/x;$(id)".to_owned(),
            rev: "0123".to_owned(),
        };
        assert_eq!(
            install_command(&git).to_string(),
            "cargo install --locked --git 'https://example.com/x;$(id)' --rev 0123 gitops-gen"
        );
    }
}
