//! Problems found while reading a repository (a file that does not parse, an include cycle):
//! reported with their place, and the rest of the repository is still read.

use serde::Serialize;

use crate::files::safe_read::Unreadable;
use crate::files::{Code, Loc, Span};

/// A problem reading a file; the rest of the repository is still analysed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Diagnostic {
    pub code: Code,
    /// Lowercase message.
    pub message: String,
    pub loc: Loc,
}

impl Diagnostic {
    /// A problem at `loc`.
    pub(crate) fn new(code: Code, message: String, loc: Loc) -> Diagnostic {
        Diagnostic { code, message, loc }
    }

    /// The repository file `path` is left out of the analysis because of `why`. The listing,
    /// the readers and the scan word it alike, so one file left out is one diagnostic.
    pub(crate) fn not_analysed(path: &str, why: &Unreadable) -> Diagnostic {
        Diagnostic::new(
            why.code(),
            format!("`{path}` {why}; it is not analysed"),
            Loc::new(path, Span::empty(0)),
        )
    }
}
