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

use std::collections::{BTreeSet, HashSet};

use crate::analyze::document::Analysis;
use crate::analyze::positions::Positions;
use crate::files::listing::PathList;
use crate::files::{Code, Loc, ReadDiagnostic, RepoFiles, Span};
use crate::infer::Context;
use crate::read::{Pipeline, Recognised};

/// The JSON Schema of the `analyze --format json` document.
pub(crate) const ANALYSIS_SCHEMA: &str = include_str!("../../schema/analysis.schema.json");

/// Analyses the repository whose files are `paths` (sorted, repository-relative) in `files`.
///
/// The layout scan runs on a second thread while the pipelines are read and inferred: the two
/// read different files (the cache in `files` serves those both need once) and neither needs
/// the other's result, so a two-core runner does both at once. The result does not depend on
/// which finishes first.
pub(crate) fn analyze(
    paths: &(impl PathList + ?Sized),
    files: &(dyn RepoFiles + Sync),
) -> Analysis {
    // What the listing left out comes first: a skipped file is a gap in everything below.
    let mut diagnostics: Vec<ReadDiagnostic> = files.skipped().to_vec();
    let (layout, pipelines, inference) = std::thread::scope(|s| {
        let layout = s.spawn(|| crate::scan::scan(paths, files));
        // Each pipeline goes through the rules as it is read, and then lets go of its steps:
        // the rules are their last readers (resolve and the document use the jobs alone), so
        // the steps of one pipeline are held at a time, not those of the whole repository.
        let mut inferrer = crate::infer::Inferrer::new();
        let pipelines = read_pipelines_each(paths, files, &mut diagnostics, &mut |pipeline| {
            inferrer.visit(pipeline, files);
            pipeline.forget_steps();
        });
        let mut facts = inferrer.finish(&Context {
            pipelines: &pipelines,
        });
        // The limits the rules' engine reached are gaps in the analysis, as a skipped file is.
        diagnostics.append(&mut facts.limits.diagnostics);
        let inference = crate::infer::resolve::resolve(&facts, &pipelines);
        // A panic in the scan is a bug; it surfaces here as it would have without the thread.
        let layout = layout
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (layout, pipelines, inference)
    });
    let mut positions = Positions::new(files);
    assemble::assemble(pipelines, inference, layout, &diagnostics, &mut positions)
}

/// Every pipeline of the repository: each file a reader claims by its name, then each file
/// no reader claims that one recognises by its text (Azure pipelines may be called anything).
/// A file named as a copy of a pipeline left behind is reported, not read.
/// A file that cannot be read for recognition is the scan's to report, not ours.
#[cfg(test)]
pub(crate) fn read_pipelines(
    paths: &(impl PathList + ?Sized),
    files: &dyn RepoFiles,
    diagnostics: &mut Vec<ReadDiagnostic>,
) -> Vec<Pipeline> {
    read_pipelines_each(paths, files, diagnostics, &mut |_| {})
}

/// [`read_pipelines`], handing each pipeline to `each` as soon as it is read, in the order of
/// the list returned.
fn read_pipelines_each(
    paths: &(impl PathList + ?Sized),
    files: &dyn RepoFiles,
    diagnostics: &mut Vec<ReadDiagnostic>,
    each: &mut dyn FnMut(&mut Pipeline),
) -> Vec<Pipeline> {
    let mut pipelines = Vec::new();
    let readers = crate::read::readers();
    // In one pass over the paths: which readers claim each (a bit per reader), and for a path
    // none claims, which reader recognises it by its shape. Only those paths are kept.
    debug_assert!(readers.len() <= 32);
    let mut claimed: Vec<(String, u32)> = Vec::new();
    let mut recognised: Vec<(String, usize)> = Vec::new();
    let mut unless_included: Vec<(String, usize)> = Vec::new();
    paths.each(&mut |p| {
        let mask = readers
            .iter()
            .enumerate()
            .filter(|(_, r)| r.claims(p))
            .fold(0, |mask, (i, _)| mask | 1 << i);
        if mask != 0 {
            claimed.push((p.to_owned(), mask));
        } else if let Some(mark) = readers.iter().find_map(|r| r.set_aside(p)) {
            diagnostics.push(ReadDiagnostic::new(
                Code::PipelineCopy,
                format!("`{p}` is named as a copy of a pipeline left behind or a fragment of one (`{mark}`); it is not analysed"),
                Loc::new(p, Span::empty(0)),
            ));
        } else if let Some((i, found)) = readers
            .iter()
            .map(|r| r.recognition(p, files))
            .enumerate()
            .find(|(_, found)| *found != Recognised::No)
        {
            match found {
                Recognised::UnlessIncluded => unless_included.push((p.to_owned(), i)),
                _ => recognised.push((p.to_owned(), i)),
            }
        }
    });
    let mut read = |reader: &dyn crate::read::Reader, path: &str, out: &mut Vec<Pipeline>| {
        if let Some(mut pipeline) = reader.read(path, files, diagnostics) {
            each(&mut pipeline);
            pipeline.shrink_to_fit();
            out.push(pipeline);
        }
    };
    for (i, reader) in readers.iter().enumerate() {
        for (path, _) in claimed.iter().filter(|(_, c)| *c & 1 << i != 0) {
            read(reader.as_ref(), path, &mut pipelines);
        }
    }
    for (path, i) in &recognised {
        read(readers[*i].as_ref(), path, &mut pipelines);
    }
    // Last, a file shaped as a pipeline with none of a pipeline's own keys, unless a file read
    // or another such file includes it as a template.
    if unless_included.is_empty() {
        return pipelines;
    }
    let included = included_names(&readers, &pipelines, &unless_included, files);
    for (path, i) in &unless_included {
        if !included.contains(base_name(path)) {
            read(readers[*i].as_ref(), path, &mut pipelines);
        }
    }
    pipelines
}

/// The file names (without folders) that the files of `pipelines` (each pipeline's own, and the
/// files its jobs were written in; their steps may already be gone) and the files of
/// `candidates` include as templates, as the candidates' readers read them
/// ([`crate::read::Reader::templates_named`]). A steps template is named in the file of the job
/// that uses it. By name alone, so a template two folders away still counts as included.
fn included_names(
    readers: &[Box<dyn crate::read::Reader>],
    pipelines: &[Pipeline],
    candidates: &[(String, usize)],
    files: &dyn RepoFiles,
) -> HashSet<String> {
    let mut sources: BTreeSet<&str> = BTreeSet::new();
    for p in pipelines {
        sources.insert(&p.file);
        sources.extend(p.jobs.iter().map(|job| job.loc.file.as_ref()));
    }
    sources.extend(candidates.iter().map(|(p, _)| p.as_str()));
    let which: BTreeSet<usize> = candidates.iter().map(|(_, i)| *i).collect();
    let mut names = HashSet::new();
    for source in sources {
        let Ok(text) = files.text_lent(source) else {
            continue;
        };
        for i in &which {
            readers[*i].templates_named(&text, &mut names);
        }
    }
    names
}

/// The last part of a path: `deploy.yml` of `ci/jobs/deploy.yml`.
fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}
