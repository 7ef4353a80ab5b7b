//! `analyze`: READ → DETECT → INFER → MODEL over an existing repository, without writing.
//!
//! Every file is read by the reader that claims it; a file that cannot be read becomes a
//! diagnostic and the rest of the repository is still analysed.

pub mod assemble;
pub mod document;
pub mod markdown;
pub mod sarif;
pub mod text;

use crate::analyze::assemble::Positions;
use crate::analyze::document::Analysis;
use crate::infer::{Context, Facts};
use crate::source::{Pipeline, ReadDiagnostic, Reader, RepoFiles};

/// The JSON Schema of the `analyze --format json` document.
pub const ANALYSIS_SCHEMA: &str = include_str!("../../schema/analysis.schema.json");

/// Every reader, in a stable order.
pub fn readers() -> Vec<Box<dyn Reader>> {
    vec![
        Box::new(crate::source::github::GithubReader),
        Box::new(crate::source::gitlab::GitlabReader),
        Box::new(crate::source::jenkins::JenkinsReader),
        Box::new(crate::source::circleci::CircleciReader),
        Box::new(crate::source::azure::AzureReader),
        Box::new(crate::source::bitbucket::BitbucketReader),
        Box::new(crate::source::travis::TravisReader),
    ]
}

/// Analyses the repository whose files are `paths` (sorted, repository-relative) in `files`.
pub fn analyze(paths: &[String], files: &dyn RepoFiles) -> Analysis {
    let mut pipelines: Vec<Pipeline> = Vec::new();
    let mut diagnostics: Vec<ReadDiagnostic> = Vec::new();
    for reader in readers() {
        for path in paths.iter().filter(|p| reader.claims(p)) {
            if let Some(pipeline) = reader.read(path, files, &mut diagnostics) {
                pipelines.push(pipeline);
            }
        }
    }
    let layout = crate::layout::scan(paths, files);
    let cx = Context {
        pipelines: &pipelines,
        files,
    };
    let mut facts = Facts::default();
    for rule in crate::infer::detect::rules()
        .into_iter()
        .chain(crate::infer::environment::rules())
    {
        rule.apply(&cx, &mut facts);
    }
    let mut positions = Positions::new(files);
    assemble::assemble(&pipelines, &facts, layout, &diagnostics, &mut positions)
}
