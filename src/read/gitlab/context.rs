//! READ stage: what the GitLab reader carries while it reads one root file: the files read so
//! far, their text, and the diagnostics and unresolved references it has collected.

use std::cell::OnceCell;
use std::collections::HashSet;
use std::sync::Arc;

use super::value::At;
use crate::files::work::{self, Work};
use crate::files::{Code, Diagnostic, LineIndex, Loc, RepoFiles};
use crate::read::pipeline::Unresolved;
use crate::yaml::Span;

/// Reading state shared by loading, resolving and lowering.
pub(super) struct Ctx<'a> {
    pub(super) repo: &'a dyn RepoFiles,
    /// Repository-relative paths, indexed by file id.
    files: Vec<Arc<str>>,
    /// File texts, indexed by file id (for mapping block scalar lines to offsets).
    texts: Vec<Arc<str>>,
    /// Line indexes of the texts, built on first use: a template copied into thousands of
    /// jobs names its use site in each, and each must not index the file again.
    lines: Vec<OnceCell<LineIndex>>,
    diagnostics: &'a mut Vec<Diagnostic>,
    /// Diagnostics already reported: a broken template used by many jobs is reported once.
    reported: HashSet<(Code, String, usize, Span)>,
    pub(super) unresolved: Vec<Unresolved>,
    /// The entries of `unresolved`, to keep it free of duplicates without scanning it.
    unresolved_seen: HashSet<Unresolved>,
    /// Included files loaded so far, across the whole read (GitLab caps this at 150).
    pub(super) includes_loaded: usize,
    /// The folder of the file being read (`infrastructure/` for
    /// `infrastructure/.gitlab-ci.yml`; empty at the root). A subfolder pipeline that no root
    /// pipeline names is the CI file of a project of its own, whose includes are written from
    /// that folder.
    pub(super) base: String,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(repo: &'a dyn RepoFiles, diagnostics: &'a mut Vec<Diagnostic>) -> Self {
        Ctx {
            repo,
            files: Vec::new(),
            texts: Vec::new(),
            lines: Vec::new(),
            diagnostics,
            reported: HashSet::new(),
            unresolved: Vec::new(),
            unresolved_seen: HashSet::new(),
            includes_loaded: 0,
            base: String::new(),
        }
    }

    /// Registers a file's text and returns its id. A file read twice (included from two
    /// places) gets a second id, which is harmless: ids only name the path and text.
    pub(super) fn add_file(&mut self, path: &str, text: Arc<str>) -> usize {
        self.files.push(Arc::from(path));
        self.texts.push(text);
        self.lines.push(OnceCell::new());
        self.files.len() - 1
    }

    /// The text of file `file`, empty when unknown.
    pub(super) fn text(&self, file: usize) -> &str {
        self.texts.get(file).map_or("", |t| t)
    }

    /// `file:line:col` of `at`, 1-based, for messages that name a second place.
    pub(super) fn position(&self, at: At) -> String {
        let text = self.text(at.file);
        let (line, column) = match self.lines.get(at.file) {
            Some(lines) => lines
                .get_or_init(|| {
                    work::count(Work::LineIndexes, 1);
                    LineIndex::new(text)
                })
                .position(text, at.span.start),
            None => (1, 1),
        };
        let file = self.files.get(at.file).map_or("", |f| &**f);
        format!("{file}:{line}:{column}")
    }

    /// A public location for `at`.
    pub(super) fn loc(&self, at: At) -> Loc {
        match self.files.get(at.file) {
            Some(file) => Loc::shared(file, at.span),
            None => Loc::new("", at.span),
        }
    }

    /// Reports a problem once per code, message and place.
    pub(super) fn diag(&mut self, code: Code, message: String, at: At) {
        if self
            .reported
            .insert((code, message.clone(), at.file, at.span))
        {
            let loc = self.loc(at);
            self.diagnostics.push(Diagnostic::new(code, message, loc));
        }
    }

    /// Reports a problem at a location in a file not registered (yet), such as a YAML error.
    pub(super) fn diag_in(&mut self, code: Code, message: String, file: &str, span: Span) {
        self.diagnostics
            .push(Diagnostic::new(code, message, Loc::new(file, span)));
    }

    /// Records a reference that cannot be followed offline.
    pub(super) fn record_unresolved(&mut self, kind: &str, reference: String, at: At) {
        let loc = self.loc(at);
        let item = Unresolved {
            kind: kind.to_owned(),
            reference,
            loc,
        };
        work::count(Work::DedupCompares, 1);
        if self.unresolved_seen.insert(item.clone()) {
            self.unresolved.push(item);
        }
    }
}
