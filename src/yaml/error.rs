//! The error type for YAML syntax and structure problems, carrying a byte span.

use std::fmt;

use super::Span;

/// A YAML problem located in the source: a syntax error, a limit violation, a bad merge key,
/// or (in [`super::Parsed::warnings`]) a non-fatal finding such as a duplicate key.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct YamlError {
    /// Lowercase, sentence-fragment message without position information (the span carries it).
    pub message: String,
    /// Where the problem is, in bytes.
    pub span: Span,
}

impl YamlError {
    /// Creates an error at `span`.
    pub(crate) fn new(message: impl Into<String>, span: Span) -> YamlError {
        YamlError {
            message: message.into(),
            span,
        }
    }
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for YamlError {}
