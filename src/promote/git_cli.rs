//! Promotion's git plumbing. gix cannot push, so promotion drives the `git` binary that every
//! CI image already has; credentials reach it through environment-only config, never argv.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::error::Error;
use crate::promote::process::{self, Ran};

/// How long one git command may run, in seconds, unless `--timeout` says otherwise.
pub(crate) const DEFAULT_TIMEOUT_SECS: u64 = 60;

/// A git work tree promotion operates in, with optional HTTP credentials and the longest any one
/// git command may run.
pub(crate) struct Git {
    dir: PathBuf,
    /// Config every command gets through the environment (the auth header).
    config: Vec<(String, String)>,
    timeout: Duration,
}
impl Git {
    /// Operates in `dir`. `auth` is `(url prefix, "Authorization: ..." header)`. A git command
    /// still running after `timeout` is stopped with every process it started.
    pub(crate) fn new(dir: &Path, auth: Option<(String, String)>, timeout: Duration) -> Git {
        let config = auth
            .map(|(prefix, header)| (format!("http.{prefix}.extraheader"), header))
            .into_iter()
            .collect();
        Git {
            dir: dir.to_owned(),
            config,
            timeout,
        }
    }

    /// The directory git runs in.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("git");
        cmd.arg("-C").arg(&self.dir).args(args);
        // Config from the environment does not show up in `ps` or in git's error messages.
        if !self.config.is_empty() {
            cmd.env("GIT_CONFIG_COUNT", self.config.len().to_string());
            for (i, (key, value)) in self.config.iter().enumerate() {
                cmd.env(format!("GIT_CONFIG_KEY_{i}"), key)
                    .env(format!("GIT_CONFIG_VALUE_{i}"), value);
            }
        }
        cmd.env("GIT_TERMINAL_PROMPT", "0")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE");
        cmd
    }

    /// Runs git and returns stdout; a failure becomes an error quoting git's stderr.
    pub(crate) fn run(&self, args: &[&str]) -> Result<String, Error> {
        let output = self.output(args)?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout)
                .trim_end()
                .to_owned())
        } else {
            Err(Error::Git(format!(
                "`git {}` failed: {}",
                args.first().copied().unwrap_or_default(),
                redact_urls(String::from_utf8_lossy(&output.stderr).trim())
            )))
        }
    }

    /// Runs git and returns its raw output whatever the exit status; only a git that cannot
    /// start or does not finish in time is an error.
    pub(crate) fn output(&self, args: &[&str]) -> Result<Output, Error> {
        let ran = process::run(self.command(args), self.timeout)
            .map_err(|e| Error::io("running `git` (is git installed and on PATH?)", e))?;
        match ran {
            Ran::Exited(output) => Ok(output),
            Ran::TimedOut => Err(Error::Git(format!(
                "`git {}` timed out after {} s and was stopped; raise --timeout if the remote is \
                 only slow",
                args.first().copied().unwrap_or_default(),
                self.timeout.as_secs()
            ))),
        }
    }
}

/// `Authorization` header for HTTPS pushes with a token; the user name depends on the forge's
/// token type (GitHub app/job tokens, GitLab job or access tokens).
pub(crate) fn auth_for(url: &str, token: &str, user: &str) -> Option<(String, String)> {
    if !url.starts_with("https://") && !url.starts_with("http://") {
        return None;
    }
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let host_end = url[scheme_end..]
        .find('/')
        .map_or(url.len(), |i| scheme_end + i);
    let prefix = format!("{}/", &url[..host_end]);
    Some((
        prefix,
        format!(
            "Authorization: Basic {}",
            STANDARD.encode(format!("{user}:{token}"))
        ),
    ))
}

/// Removes `user:password@` from every URL in `text`, so credentials a CI runner embedded in a
/// remote URL never reach a log.
pub(crate) fn redact_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        out.push_str(&rest[..i + 3]);
        rest = &rest[i + 3..];
        let authority_end = rest
            .find(|c: char| c == '/' || c.is_whitespace())
            .unwrap_or(rest.len());
        if let Some(at) = rest[..authority_end].rfind('@') {
            rest = &rest[at + 1..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_basic_auth() {
        let (_, header) = auth_for("https://h/x", "t", "x-access-token").unwrap_or_default();
        assert_eq!(header, "Authorization: Basic eC1hY2Nlc3MtdG9rZW46dA==");
    }

    #[test]
    fn credentials_are_redacted() {
        assert_eq!(
            redact_urls("fatal: https://gitlab-ci-token:s3cr3t@gitlab.com/a/b.git not found"),
            "fatal: https://gitlab.com/a/b.git not found"
        );
        assert_eq!(
            redact_urls("git@github.com:a/b.git"),
            "git@github.com:a/b.git"
        );
        assert_eq!(
            redact_urls("ssh://git@host/x https://h/y"),
            "ssh://host/x https://h/y"
        );
    }

    #[test]
    fn auth_only_for_http() {
        assert!(auth_for("git@github.com:a/b.git", "t", "u").is_none());
        let (prefix, _) = auth_for("https://github.com/a/b.git", "t", "u").unwrap_or_default();
        assert_eq!(prefix, "https://github.com/");
    }
}
