//! Errors of every stage, mapped to exit codes in one place (`main` prints them with miette).

use miette::Diagnostic;
use thiserror::Error;

use crate::model::InvalidModel;

/// Anything that stops a command. Exit code 2 unless [`Error::exit_code`] says otherwise.
#[derive(Debug, Diagnostic, Error)]
pub(crate) enum Error {
    /// A git operation failed (promotion, remote detection).
    #[error("{0}")]
    #[diagnostic(code(gitops_gen::git))]
    Git(String),

    /// A bug in gitops-gen itself, such as a template that produced invalid YAML.
    #[error("internal error: {0}")]
    #[diagnostic(
        code(gitops_gen::internal),
        help("this is a bug in gitops-gen; nothing was written. Please report it with the model")
    )]
    Internal(String),

    /// The model is invalid; the inner diagnostic points at the lines.
    #[error(transparent)]
    #[diagnostic(transparent)]
    InvalidModel(#[from] InvalidModel),

    /// Reading or writing a file failed.
    #[error("{context}: {source}")]
    #[diagnostic(code(gitops_gen::io))]
    Io {
        /// What was being done, e.g. "writing .gitlab-ci.yml".
        context: String,
        /// The OS error.
        source: std::io::Error,
    },

    /// The model file does not exist.
    #[error("no gitops-gen.yaml in `{dir}`")]
    #[diagnostic(
        code(gitops_gen::no_model),
        help("run `gitops-gen init` to create one, or pass `--dir` to point at the repository")
    )]
    NoModel {
        /// Directory that was searched.
        dir: String,
    },

    /// A change was declined on purpose (a downgrade, an existing model); exit code 1.
    #[error("{0}")]
    #[diagnostic(code(gitops_gen::refused))]
    Refused(String),

    /// A template failed to compile or render.
    #[error("template `{name}` failed: {message}")]
    #[diagnostic(
        code(gitops_gen::template),
        help(
            "if you override this template in .gitops-gen/templates, check it; otherwise this is a bug"
        )
    )]
    Template {
        /// Template name, e.g. `ci/github/github-actions.yml.j2`.
        name: String,
        /// minijinja's explanation with the template line.
        message: String,
    },

    /// The command line or its combination with the repository is unusable.
    #[error("{0}")]
    #[diagnostic(code(gitops_gen::usage))]
    Usage(String),
}

impl Error {
    /// Wraps an I/O error with what was being done.
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Error {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// Documented exit codes: 1 for a refusal, 2 for everything else.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Error::Refused(_) => 1,
            _ => 2,
        }
    }

    /// Output piped into `head` closing early is not an error worth reporting.
    pub(crate) fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

/// Result alias used across the crate.
pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;
