//! `analyze`: READ → DETECT → INFER → MODEL over an existing repository, without writing.
//!
//! Every file is read by the reader that claims it; a file that cannot be read becomes a
//! diagnostic and the rest of the repository is still analysed.

pub(crate) mod assemble;
pub(crate) mod document;
#[cfg(test)]
mod fixture_tests;
pub(crate) mod report;

use crate::analyze::assemble::Positions;
use crate::analyze::document::Analysis;
use crate::files::{ReadDiagnostic, RepoFiles};
use crate::infer::{Context, Facts};
use crate::read::Pipeline;

/// The JSON Schema of the `analyze --format json` document.
pub(crate) const ANALYSIS_SCHEMA: &str = include_str!("../../schema/analysis.schema.json");

/// Analyses the repository whose files are `paths` (sorted, repository-relative) in `files`.
pub(crate) fn analyze(paths: &[String], files: &dyn RepoFiles) -> Analysis {
    let mut pipelines: Vec<Pipeline> = Vec::new();
    let mut diagnostics: Vec<ReadDiagnostic> = Vec::new();
    for reader in crate::read::readers() {
        for path in paths.iter().filter(|p| reader.claims(p)) {
            if let Some(pipeline) = reader.read(path, files, &mut diagnostics) {
                pipelines.push(pipeline);
            }
        }
    }
    let layout = crate::scan::scan(paths, files);
    let cx = Context {
        pipelines: &pipelines,
        files,
    };
    let mut facts = Facts::default();
    for rule in crate::infer::rules::rules() {
        rule.apply(&cx, &mut facts);
    }
    let mut positions = Positions::new(files);
    assemble::assemble(&pipelines, &facts, layout, &diagnostics, &mut positions)
}
