//! A place in a repository file: path and byte span. Lines and columns are computed only when
//! printed.

use std::sync::Arc;

use serde::Serialize;

use crate::files::Span;

/// A place in a repository file: repository-relative path and byte span. Lines and columns are
/// computed only when printed.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub(crate) struct Loc {
    /// Repository-relative path with `/` separators, shared by every place in the file.
    pub file: Arc<str>,
    /// Byte range in that file.
    #[serde(skip)]
    pub span: Span,
}

impl Loc {
    /// A location in `file`.
    pub(crate) fn new(file: &str, span: Span) -> Loc {
        Loc {
            file: Arc::from(file),
            span,
        }
    }

    /// A location in `file`, sharing its path.
    pub(crate) fn shared(file: &Arc<str>, span: Span) -> Loc {
        Loc {
            file: Arc::clone(file),
            span,
        }
    }
}
