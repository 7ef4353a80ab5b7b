//! The error type for YAML syntax and structure problems, carrying a byte span.

use std::fmt;

use super::Span;
use crate::files::Code;

/// A YAML problem located in the source: a syntax error, a limit violation, a bad merge key,
/// or (in [`super::Parsed::warnings`]) a non-fatal finding such as a duplicate key.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct YamlError {
    /// Lowercase, sentence-fragment message without position information (the span carries it).
    pub message: String,
    /// Where the problem is, in bytes.
    pub span: Span,
    /// Whether the text is valid YAML that crossed a resource limit ([`super::Limits`]).
    limit: bool,
}

impl YamlError {
    /// Creates an error at `span`.
    pub(crate) fn new(message: impl Into<String>, span: Span) -> YamlError {
        YamlError {
            message: message.into(),
            span,
            limit: false,
        }
    }

    /// Creates an error at `span` for input that crossed a resource limit; the message names
    /// the limit and its value.
    pub(crate) fn limit(message: impl Into<String>, span: Span) -> YamlError {
        YamlError {
            limit: true,
            ..YamlError::new(message, span)
        }
    }

    /// Whether this is a resource limit rather than a syntax or structure error.
    pub(crate) fn is_limit(&self) -> bool {
        self.limit
    }

    /// The diagnostic code readers report this error with.
    pub(crate) fn code(&self) -> Code {
        if self.limit {
            Code::YamlLimit
        } else {
            Code::YamlSyntax
        }
    }
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for YamlError {}
