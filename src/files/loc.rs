//! A place in a repository file: path and byte span. Lines and columns are computed only when
//! printed.

use serde::Serialize;

use crate::files::Span;

/// A place in a repository file: repository-relative path and byte span. Lines and columns are
/// computed only when printed.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub(crate) struct Loc {
    /// Repository-relative path with `/` separators.
    pub file: String,
    /// Byte range in that file.
    #[serde(skip)]
    pub span: Span,
}

impl Loc {
    /// A location in `file`.
    pub(crate) fn new(file: &str, span: Span) -> Loc {
        Loc {
            file: file.to_owned(),
            span,
        }
    }
}
