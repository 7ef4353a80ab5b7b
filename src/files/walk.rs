//! The walk behind [`super::repo::DirRepo`]: every file of a checkout, streamed from disk
//! (there is no file-count cap; the listing's memory is the limit), and a diagnostic for
//! everything left out that a user could expect to be analysed.
//!
//! Left out, each with a registered code: files over [`MAX_FILE_BYTES`] (`file-too-large`),
//! directories that cannot be listed (`dir-unreadable`), symlinks (`symlink-not-followed`),
//! FIFOs, sockets and devices (`file-unreadable`). A file whose name is not UTF-8 is listed
//! under its lossy spelling and still read (`file-name-not-unicode`). Left out by design and not
//! reported: `.git` and `target` directories and what `.gitignore` ignores.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::files::safe_read::{MAX_FILE_BYTES, Unreadable, file_kind, lowercase_io};
use crate::files::{Code, Diagnostic, Loc, Span};

/// Directories never listed, whatever `.gitignore` says: git's own store and Rust build output.
const SKIPPED_DIRS: [&str; 2] = [".git", "target"];

/// Diagnostics kept per code; past it one more says how many others there were, so a
/// repository of a million symlinks gets a bounded report that still counts every skip.
pub(crate) const MAX_NOTES_PER_CODE: usize = 100;

/// What the walk found.
#[derive(Debug, Default)]
pub(crate) struct Listing {
    /// Repository-relative, `/`-separated, sorted, unique.
    pub paths: Vec<String>,
    /// For listed paths spelled lossily (a name that is not UTF-8): the real relative path.
    pub renamed: HashMap<String, PathBuf>,
    /// What was left out or renamed, in walk order.
    pub notes: Vec<Diagnostic>,
}

/// Lists the files under `root`.
///
/// Hidden files are included (`.github/`, `.gitlab-ci.yml` matter); `.gitignore` files and
/// `.git/info/exclude` are honoured even outside a git checkout, but the user's global
/// gitignore and ignore files above `root` are not, so the listing depends only on the
/// repository. Symlinks are not followed.
///
/// # Errors
/// When `root` is not a directory or cannot be listed itself.
pub(crate) fn walk(root: &Path) -> io::Result<Listing> {
    let meta = std::fs::metadata(root)?;
    if !meta.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::NotADirectory,
            format!("`{}` is not a directory", root.display()),
        ));
    }
    // The walk reports an unreadable root like any other directory; for the root it is an
    // error of the command, not a gap in the analysis.
    std::fs::read_dir(root)?;
    let mut walk = ignore::WalkBuilder::new(root);
    walk.standard_filters(false)
        .hidden(false)
        .require_git(false)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .ignore(false)
        .parents(false)
        .follow_links(false)
        // Sorted, so the notes come in the same order each run.
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(|entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            !(is_dir && entry.depth() > 0 && SKIPPED_DIRS.iter().any(|d| entry.file_name() == *d))
        });

    let mut listing = Listing::default();
    let mut notes = Notes::default();
    let mut lossy = Vec::new();
    for entry in walk.build() {
        match entry {
            Ok(entry) => add(root, &entry, &mut listing.paths, &mut lossy, &mut notes),
            Err(err) => notes.push(walk_error(root, &err)),
        }
    }
    listing.paths.sort();
    listing.paths.dedup();
    // Lossy spellings last, so one can never shadow a file really named that way.
    let mut accepted = Vec::new();
    for (rel, real) in lossy {
        let taken = listing.paths.binary_search(&rel).is_ok() || listing.renamed.contains_key(&rel);
        let message = if taken {
            format!(
                "the name of `{}` is not utf-8 and its utf-8 spelling `{rel}` is taken; it is \
                 not analysed",
                escaped(&real)
            )
        } else {
            format!(
                "the name of `{}` is not utf-8; it is analysed as `{rel}`",
                escaped(&real)
            )
        };
        notes.push(Diagnostic::new(Code::FileNameNotUnicode, message, at(&rel)));
        if !taken {
            accepted.push(rel.clone());
            listing.renamed.insert(rel, real);
        }
    }
    if !accepted.is_empty() {
        listing.paths.extend(accepted);
        listing.paths.sort();
    }
    listing.notes = notes.finish();
    Ok(listing)
}

/// Lists one entry (in `paths`, or in `lossy` with its real relative path when its name is not
/// UTF-8), or notes why it is left out.
fn add(
    root: &Path,
    entry: &ignore::DirEntry,
    paths: &mut Vec<String>,
    lossy: &mut Vec<(String, PathBuf)>,
    notes: &mut Notes,
) {
    let Some(file_type) = entry.file_type() else {
        return;
    };
    if file_type.is_dir() {
        return;
    }
    let Some((rel, is_lossy)) = relative_path(root, entry.path()) else {
        return;
    };
    let why = if file_type.is_symlink() {
        Some(Unreadable::Symlink)
    } else if !file_type.is_file() {
        Some(Unreadable::NotRegular {
            kind: file_kind(file_type),
        })
    } else {
        match entry.metadata() {
            Ok(m) if m.len() > MAX_FILE_BYTES => Some(Unreadable::TooLarge {
                size: m.len(),
                limit: MAX_FILE_BYTES,
            }),
            Ok(_) => None,
            Err(e) => Some(match e.io_error() {
                Some(io) => Unreadable::Io(lowercase_io(io)),
                None => Unreadable::Io(e.to_string()),
            }),
        }
    };
    if let Some(why) = why {
        notes.push(Diagnostic::not_analysed(&rel, &why));
        return;
    }
    match entry.path().strip_prefix(root) {
        Ok(real) if is_lossy => lossy.push((rel, real.to_path_buf())),
        _ => paths.push(rel),
    }
}

/// A directory (or ignore file) the walk could not read.
fn walk_error(root: &Path, err: &ignore::Error) -> Diagnostic {
    let path = error_path(err)
        .and_then(|p| relative_path(root, p))
        .map(|(rel, _)| rel);
    let reason = match err.io_error() {
        Some(io) => lowercase_io(io),
        None => err.to_string(),
    };
    match path {
        Some(rel) => Diagnostic::new(
            Code::DirUnreadable,
            format!("cannot list `{rel}`: {reason}; the files below it are not analysed"),
            at(&rel),
        ),
        None => Diagnostic::new(
            Code::DirUnreadable,
            format!("part of the repository cannot be listed: {reason}; it is not analysed"),
            at(""),
        ),
    }
}

/// The path an error of the walk is about, if it names one.
fn error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Partial(errs) => errs.iter().find_map(error_path),
        _ => None,
    }
}

fn at(rel: &str) -> Loc {
    Loc::new(rel, Span::empty(0))
}

/// `path` relative to `root` with `/` separators, and whether a component had to be spelled
/// lossily because it is not UTF-8; `None` for the root itself.
fn relative_path(root: &Path, path: &Path) -> Option<(String, bool)> {
    let rel = path.strip_prefix(root).ok()?;
    let mut parts = Vec::new();
    let mut lossy = false;
    for c in rel.components() {
        match c {
            Component::Normal(s) => match s.to_str() {
                Some(s) => parts.push(s.to_owned()),
                None => {
                    lossy = true;
                    parts.push(s.to_string_lossy().into_owned());
                }
            },
            _ => return None,
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some((parts.join("/"), lossy))
}

/// `path` with each byte that is not UTF-8 written as `\xNN`, so a message shows the name
/// as it is on disk.
fn escaped(path: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in path.as_os_str().as_bytes().utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        format!("{path:?}")
    }
}

/// Notes kept per code up to [`MAX_NOTES_PER_CODE`], with a count of the rest.
#[derive(Default)]
struct Notes {
    kept: Vec<Diagnostic>,
    per_code: BTreeMap<Code, usize>,
}

impl Notes {
    fn push(&mut self, d: Diagnostic) {
        let n = self.per_code.entry(d.code).or_default();
        *n += 1;
        if *n <= MAX_NOTES_PER_CODE {
            self.kept.push(d);
        }
    }

    fn finish(mut self) -> Vec<Diagnostic> {
        for (code, n) in self.per_code {
            if n > MAX_NOTES_PER_CODE {
                let more = n - MAX_NOTES_PER_CODE;
                let message = format!(
                    "and {more} more like the {MAX_NOTES_PER_CODE} `{code}` diagnostics above \
                     ({n} in all); they are not listed one by one"
                );
                self.kept.push(Diagnostic::new(code, message, at("")));
            }
        }
        self.kept
    }
}
