//! `analyze`: READ → SCAN → INFER (engine, then resolve) → the [`Analysis`] document, over an
//! existing repository, without writing.
//!
//! Every file is read by the reader that claims it; a file that cannot be read becomes a
//! diagnostic and the rest of the repository is still analysed. So does every file the
//! listing left out ([`RepoFiles::skipped`]): the analysis never has a silent gap.

pub(crate) mod assemble;
pub(crate) mod document;
#[cfg(test)]
mod fixture_tests;
pub(crate) mod gate;
pub(crate) mod positions;
pub(crate) mod report;

use crate::analyze::document::Analysis;
use crate::analyze::positions::Positions;
use crate::files::{ReadDiagnostic, RepoFiles};
use crate::infer::Context;
use crate::read::Pipeline;

/// The JSON Schema of the `analyze --format json` document.
pub(crate) const ANALYSIS_SCHEMA: &str = include_str!("../../schema/analysis.schema.json");

/// Analyses the repository whose files are `paths` (sorted, repository-relative) in `files`.
pub(crate) fn analyze(paths: &[String], files: &dyn RepoFiles) -> Analysis {
    // What the listing left out comes first: a skipped file is a gap in everything below.
    let mut diagnostics: Vec<ReadDiagnostic> = files.skipped().to_vec();
    let pipelines = read_pipelines(paths, files, &mut diagnostics);
    let layout = crate::scan::scan(paths, files);
    let facts = crate::infer::infer(&Context {
        pipelines: &pipelines,
        files,
    });
    let inference = crate::infer::resolve::resolve(&facts, &pipelines);
    let mut positions = Positions::new(files);
    assemble::assemble(&pipelines, &inference, layout, &diagnostics, &mut positions)
}

/// Every pipeline of the repository: each file a reader claims by its name, then each file
/// no reader claims that one recognises by its text (Azure pipelines may be called anything).
/// A file that cannot be read for recognition is the scan's to report, not ours.
pub(crate) fn read_pipelines(
    paths: &[String],
    files: &dyn RepoFiles,
    diagnostics: &mut Vec<ReadDiagnostic>,
) -> Vec<Pipeline> {
    let mut pipelines = Vec::new();
    let readers = crate::read::readers();
    for reader in &readers {
        for path in paths.iter().filter(|p| reader.claims(p)) {
            pipelines.extend(reader.read(path, files, diagnostics));
        }
    }
    for path in paths
        .iter()
        .filter(|p| !readers.iter().any(|r| r.claims(p)))
    {
        if let Some(reader) = readers.iter().find(|r| r.recognises(path, files)) {
            pipelines.extend(reader.read(path, files, diagnostics));
        }
    }
    pipelines
}
