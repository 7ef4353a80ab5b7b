//! RENDER stage: how both generated pipelines install the pinned gitops-gen, and whether they
//! may cache it.

use serde::Serialize;

use crate::model::Config;

/// How pipelines install gitops-gen.
#[derive(Debug, Serialize)]
pub(crate) struct InstallView {
    /// The pinned version or commit, for messages and cache keys.
    pin: String,
    /// The `cargo install` line; static text from the validated model.
    command: String,
    /// Installs unless the cached binary is already there (GitLab).
    ensure_command: String,
    cache_key: String,
    /// Whether the binary may come from the CI cache.
    cache: bool,
}

impl InstallView {
    /// The pinned version and the cache key derived from it.
    pub(crate) fn new(config: &Config, os_expression: &str) -> InstallView {
        InstallView {
            pin: config.tool.pin().to_owned(),
            command: config.tool.install_command(),
            ensure_command: format!(
                "test -x \"$CARGO_INSTALL_ROOT/bin/gitops-gen\" || {}",
                config.tool.install_command()
            ),
            cache_key: format!("gitops-gen-{os_expression}{}", config.tool.pin()),
            cache: !builds_releases(config),
        }
    }
}

/// Whether pushes of tags or release branches run the pipeline. Such runs publish images that
/// people deploy by version, so they must not restore a cache another run could have written
/// (cache poisoning); they compile gitops-gen instead.
pub(crate) fn builds_releases(config: &Config) -> bool {
    config.environments.iter().any(|env| {
        !env.tags.is_empty()
            || env
                .branches
                .iter()
                .any(|b| b.value.as_str().contains("release"))
    })
}
