//! Errors of every stage, mapped to exit codes in one place (`main` prints them with miette).

use std::fmt::Display;

use miette::{Diagnostic, LabeledSpan, Severity, SourceCode};
use thiserror::Error;

use crate::files::ErrorCode;
use crate::model::InvalidModel;

/// Anything that stops a command. Exit code 2 unless [`Error::exit_code`] says otherwise.
#[derive(Debug, Error)]
pub(crate) enum Error {
    /// A git operation failed (promotion, remote detection).
    #[error("{0}")]
    Git(String),

    /// A bug in gitops-gen itself, such as a template that produced invalid YAML.
    #[error("internal error: {0}")]
    Internal(String),

    /// The model is invalid; the inner diagnostic points at the lines.
    #[error(transparent)]
    InvalidModel(#[from] InvalidModel),

    /// Reading or writing a file failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, e.g. "writing .gitlab-ci.yml".
        context: String,
        /// The OS error.
        source: std::io::Error,
    },

    /// The model file does not exist.
    #[error("no gitops-gen.yaml in `{dir}`")]
    NoModel {
        /// Directory that was searched.
        dir: String,
    },

    /// A change was declined on purpose (a downgrade, an existing model); exit code 1.
    #[error("{0}")]
    Refused(String),

    /// A template failed to compile or render.
    #[error("template `{name}` failed: {message}")]
    Template {
        /// Template name, e.g. `ci/github/github-actions.yml.j2`.
        name: String,
        /// minijinja's explanation with the template line.
        message: String,
    },

    /// The command line or its combination with the repository is unusable.
    #[error("{0}")]
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

impl Error {
    /// The registry code miette prints; `None` for an invalid model, which has its own.
    fn code(&self) -> Option<ErrorCode> {
        Some(match self {
            Error::Git(_) => ErrorCode::Git,
            Error::Internal(_) => ErrorCode::Internal,
            Error::InvalidModel(_) => return None,
            Error::Io { .. } => ErrorCode::Io,
            Error::NoModel { .. } => ErrorCode::NoModel,
            Error::Refused(_) => ErrorCode::Refused,
            Error::Template { .. } => ErrorCode::Template,
            Error::Usage(_) => ErrorCode::Usage,
        })
    }

    /// What to do about it, where there is one thing to say.
    fn help_text(&self) -> Option<&'static str> {
        match self {
            Error::Internal(_) => Some(
                "this is a bug in gitops-gen; nothing was written. Please report it with the model",
            ),
            Error::NoModel { .. } => Some(
                "run `gitops-gen init` to create one, or pass `--dir` to point at the repository",
            ),
            Error::Template { .. } => Some(
                "if you override this template in .gitops-gen/templates, check it; otherwise this \
                 is a bug",
            ),
            _ => None,
        }
    }
}

/// Codes and help come from [`Error::code`] and [`Error::help_text`]; an invalid model is
/// shown as its own diagnostic, with the model's lines.
impl Diagnostic for Error {
    fn code<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        match self {
            Error::InvalidModel(inner) => inner.code(),
            _ => Error::code(self).map(|c| Box::new(c) as Box<dyn Display>),
        }
    }

    fn severity(&self) -> Option<Severity> {
        match self {
            Error::InvalidModel(inner) => inner.severity(),
            _ => None,
        }
    }

    fn help<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        match self {
            Error::InvalidModel(inner) => inner.help(),
            _ => self.help_text().map(|h| Box::new(h) as Box<dyn Display>),
        }
    }

    fn url<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        match self {
            Error::InvalidModel(inner) => inner.url(),
            _ => None,
        }
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        match self {
            Error::InvalidModel(inner) => inner.source_code(),
            _ => None,
        }
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        match self {
            Error::InvalidModel(inner) => inner.labels(),
            _ => None,
        }
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        match self {
            Error::InvalidModel(inner) => inner.related(),
            _ => None,
        }
    }

    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        match self {
            Error::InvalidModel(inner) => inner.diagnostic_source(),
            _ => None,
        }
    }
}

/// Result alias used across the crate.
pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;
