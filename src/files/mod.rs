//! Foundations every stage shares: byte spans and places in files, problems found there and
//! their codes, lines and columns of a text, globs over repository paths, read access to a
//! repository (on disk or in memory), and what its git remote says.

pub(crate) mod code;
pub(crate) mod diagnostic;
pub(crate) mod diff;
pub(crate) mod fold;
pub(crate) mod glob;
pub(crate) mod inputs;
pub(crate) mod line_index;
pub(crate) mod listing;
pub(crate) mod loc;
pub(crate) mod redact;
pub(crate) mod remote;
pub(crate) mod repo;
pub(crate) mod safe_read;
pub(crate) mod size;
pub(crate) mod span;
pub(crate) mod walk;
pub(crate) mod work;

pub(crate) use code::{Code, ErrorCode};
pub(crate) use diagnostic::Diagnostic;
/// The name `infer/` and `analyze/` still use for [`Diagnostic`].
pub(crate) use diagnostic::Diagnostic as ReadDiagnostic;
pub(crate) use line_index::LineIndex;
pub(crate) use loc::Loc;
pub(crate) use repo::RepoFiles;
pub(crate) use span::Span;
