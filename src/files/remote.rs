//! Git helpers: what the repository's remote says about its forge, via gix
//! (no `git` binary needed for reading).

use std::path::Path;

/// What `init` learns from the `origin` (or default) remote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RemoteInfo {
    /// Host name, e.g. `github.com`.
    pub host: Option<String>,
    /// Path without leading `/` and `.git`, e.g. `acme/shop`.
    pub path: Option<String>,
}

impl RemoteInfo {
    /// `github` or `gitlab` when the host says so.
    pub(crate) fn forge(&self) -> Option<&'static str> {
        let host = self.host.as_deref()?.to_ascii_lowercase();
        if host == "github.com" || host.ends_with(".github.com") || host.contains("github") {
            Some("github")
        } else if host.contains("gitlab") {
            Some("gitlab")
        } else {
            None
        }
    }
}

/// The branch checked out in the repository containing `dir` when it is one of the usual default
/// branches (`main`, `master`, `trunk`), else `main`.
pub(crate) fn default_branch(dir: &Path) -> String {
    gix::discover(dir)
        .ok()
        .and_then(|repo| repo.head_name().ok().flatten())
        .map(|name| name.shorten().to_string())
        .filter(|name| name == "main" || name == "master" || name == "trunk")
        .unwrap_or_else(|| "main".to_owned())
}

impl RemoteInfo {
    /// The https address an operator clones the repository from, when the remote names a host
    /// and a path.
    pub(crate) fn clone_url(&self) -> Option<String> {
        match (&self.host, &self.path) {
            (Some(host), Some(path)) => Some(format!("https://{host}/{path}.git")),
            _ => None,
        }
    }
}

/// Reads the default fetch remote of the repository containing `dir`; empty when there is no
/// repository or no remote. Never fails: detection only picks defaults.
pub(crate) fn remote_info(dir: &Path) -> RemoteInfo {
    let Ok(repo) = gix::discover(dir) else {
        return RemoteInfo::default();
    };
    let remote = match repo.find_default_remote(gix::remote::Direction::Fetch) {
        Some(Ok(remote)) => remote,
        _ => return RemoteInfo::default(),
    };
    let Some(url) = remote.url(gix::remote::Direction::Fetch) else {
        return RemoteInfo::default();
    };
    let path = url.path.to_string();
    let path = path
        .trim_start_matches('/')
        .trim_end_matches('/')
        .trim_end_matches(".git")
        .to_owned();
    RemoteInfo {
        host: url.host().map(str::to_owned),
        path: (!path.is_empty()).then_some(path),
    }
}
