//! The human and tool formats of an analysis: the text report, Markdown, SARIF and the
//! one-line-per-repository summary. Each reads the finished
//! [`crate::analyze::document::Analysis`] and decides nothing.

pub(crate) mod markdown;
pub(crate) mod sarif;
pub(crate) mod summary;
pub(crate) mod text;
