//! INFER stage: how much of what jobs call one analysis still reads, and the limits it reached.

use serde::Serialize;

use crate::files::{Code, Loc, ReadDiagnostic};

/// Most bytes of called scripts and make recipes one analysis reads, across all its jobs:
/// 2 MiB. A script called by several jobs, or several times by one, counts each time. Of the
/// 477 repositories laid out in the evaluation sets, the most any reads is 504 KB (a GitLab
/// monorepo whose jobs call the same scripts), and the next 300 KB. 50 calls of one
/// 20,000-line recipe read 27 MB, and took 4.3 s and 0.8 GB before this bound.
pub(crate) const MAX_CALLED_BYTES: usize = 2 << 20;

/// The bounds on reading the scripts and make targets jobs call, over one analysis (the engine
/// keeps one for all the pipelines it visits), and the `script-limit` diagnostics of each bound
/// reached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Limits {
    /// Most bytes of called scripts and recipes read ([`MAX_CALLED_BYTES`]).
    #[serde(skip)]
    max_called_bytes: usize,
    /// Of those, the bytes still to be read.
    #[serde(skip)]
    called_bytes_left: usize,
    /// The limits reached, at the calling commands.
    pub(crate) diagnostics: Vec<ReadDiagnostic>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits::with_called_bytes(MAX_CALLED_BYTES)
    }
}

impl Limits {
    /// Limits that read at most `bytes` of called scripts and recipes.
    pub(crate) fn with_called_bytes(bytes: usize) -> Self {
        Limits {
            max_called_bytes: bytes,
            called_bytes_left: bytes,
            diagnostics: Vec::new(),
        }
    }

    /// Takes `bytes` of the budget for a call written as `called_as` at `at`: `false`, with a
    /// `script-limit` diagnostic, when fewer are left (the call is then not read).
    pub(super) fn take(&mut self, bytes: usize, called_as: &str, at: &Loc) -> bool {
        if let Some(left) = self.called_bytes_left.checked_sub(bytes) {
            self.called_bytes_left = left;
            return true;
        }
        self.push(
            at.clone(),
            format!(
                "`{called_as}` is not read: the scripts and make targets this repository's jobs call come to more than {} bytes, the most one analysis reads",
                self.max_called_bytes
            ),
        );
        false
    }

    /// A `script-limit` diagnostic at `at`.
    pub(super) fn push(&mut self, at: Loc, message: String) {
        self.diagnostics
            .push(ReadDiagnostic::new(Code::ScriptLimit, message, at));
    }
}
