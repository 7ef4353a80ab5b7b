//! Problems found while reading a repository (a file that does not parse, an include cycle):
//! reported with their place, and the rest of the repository is still read.

use serde::Serialize;

use crate::files::Loc;

/// A problem reading a file; the rest of the repository is still analysed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct ReadDiagnostic {
    /// Stable id, e.g. `yaml-syntax`, `extends-cycle`, `jenkins-syntax`.
    pub code: &'static str,
    /// Lowercase message.
    pub message: String,
    /// Where.
    pub loc: Loc,
}
