//! The walk behind [`super::repo::DirRepo`]: every file of a checkout, streamed from disk
//! (there is no file-count cap; the listing's memory is the limit), and a diagnostic for
//! everything left out that a user could expect to be analysed.
//!
//! Left out, each with a registered code: directories that cannot be listed (`dir-unreadable`),
//! symlinks (`symlink-not-followed`), FIFOs, sockets and devices (`file-unreadable`). A file
//! whose name is not UTF-8 is listed under its lossy spelling and still read
//! (`file-name-not-unicode`). Left out by design and not reported: `.git` and `target`
//! directories and what `.gitignore` ignores. A file's size is not looked at here: the walk costs
//! one listing per directory and nothing per file, like `find`; a file over the size limit is
//! reported (`file-too-large`) by whoever reads it, through the one safe read, and a file nobody
//! reads is not a gap in the analysis.
//!
//! `.gitignore` files are read where the listing shows one, and `.git/info/exclude` at the root,
//! so no directory costs a probe for files that are not there. Git's precedence holds: a deeper
//! `.gitignore` overrides a shallower one (`!` re-includes), and all of them override the
//! exclude file. An ignored directory is not entered.

mod dir;
mod notes;

use std::collections::HashMap;
use std::ffi::OsStr;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::files::listing::{Folder, Paths};
use crate::files::safe_read::{Unreadable, lowercase_io};
use crate::files::{Code, Diagnostic, Loc, Span};
use dir::{Dir, Kind};
use notes::Notes;

/// Directories never listed, whatever `.gitignore` says: git's own store and Rust build output.
const SKIPPED_DIRS: [&str; 2] = [".git", "target"];

/// Diagnostics kept per code; past it one more says how many others there were, so a
/// repository of a million symlinks gets a bounded report that still counts every skip.
pub(crate) const MAX_NOTES_PER_CODE: usize = 100;

/// The most of an ignore file that is honoured; git itself reads larger ones, but no real one
/// is. A longer file is a note, and its first MiB still counts.
const MAX_IGNORE_FILE_BYTES: u64 = 1024 * 1024;

/// Threads the walk lists directories on, at most (and at most the cores there are): listing
/// is system calls, and more threads than this only contend in the kernel.
const MAX_WORKERS: usize = 4;

/// Directories kept open while their subdirectories wait: below this depth a subdirectory is
/// opened by its full path instead, so a hostile tree cannot run the process out of descriptors.
const MAX_OPEN_DEPTH: usize = 64;

/// What the walk found.
#[derive(Debug, Default)]
pub(crate) struct Listing {
    /// Repository-relative, `/`-separated, sorted, unique.
    pub paths: Paths,
    /// For listed paths spelled lossily (a name that is not UTF-8): the real relative path.
    pub renamed: HashMap<String, PathBuf>,
    /// What was left out or renamed, by path (the same whichever thread found what).
    pub notes: Vec<Diagnostic>,
}

/// The ignore rules in force in a directory: its own `.gitignore` and its parents', deepest
/// first, then the root's exclude file.
#[derive(Default)]
struct Rules {
    own: Option<Gitignore>,
    parent: Option<Arc<Rules>>,
    exclude: Option<Arc<Gitignore>>,
}

impl Rules {
    /// Whether the repository-relative `path` is ignored.
    fn ignores(&self, path: &str, is_dir: bool) -> bool {
        let mut at = Some(self);
        while let Some(rules) = at {
            match rules.own.as_ref().map(|g| g.matched(path, is_dir)) {
                Some(Match::Ignore(_)) => return true,
                Some(Match::Whitelist(_)) => return false,
                _ => at = rules.parent.as_deref(),
            }
        }
        self.exclude
            .as_ref()
            .is_some_and(|g| g.matched(path, is_dir).is_ignore())
    }
}

/// A directory waiting to be listed.
struct Pending {
    /// Its parent, while open ([`MAX_OPEN_DEPTH`]), to open it by name.
    parent: Option<Rc<Dir>>,
    name: std::ffi::OsString,
    /// Repository-relative, `/`-separated (lossy when a name is not UTF-8); empty for the root.
    rel: String,
    /// The real relative path, when `rel` is spelled lossily.
    real: Option<PathBuf>,
    depth: usize,
    rules: Arc<Rules>,
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
    let mut notes = Notes::default();
    // The walk reports an unreadable directory and goes on; for the root it is an error of the
    // command, not a gap in the analysis.
    let mut top = Dir::open(root, true)?;
    let top_entries = top.entries()?;
    let exclude = exclude_rules(root, &mut notes).map(Arc::new);
    let mut found = Found {
        notes,
        ..Found::default()
    };
    let mut first = Vec::new();
    list(
        Rc::new(top),
        top_entries,
        &Pending {
            parent: None,
            name: Default::default(),
            rel: String::new(),
            real: None,
            depth: 0,
            rules: Arc::new(Rules {
                exclude,
                ..Rules::default()
            }),
        },
        &mut first,
        &mut found,
    );
    let queue: Vec<Handoff> = first.into_iter().map(Handoff::from).collect();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_WORKERS));
    let shared = Shared {
        state: Mutex::new(Queue {
            waiting: queue,
            idle: 0,
            done: false,
        }),
        wake: Condvar::new(),
        workers,
    };
    let mut results = std::thread::scope(|s| {
        let handles: Vec<_> = (1..workers)
            .map(|_| s.spawn(|| work(root, &shared)))
            .collect();
        let mut results = vec![work(root, &shared)];
        for handle in handles {
            results.push(
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        results
    });
    for more in &mut results {
        found.folders.append(&mut more.folders);
        found.lossy.append(&mut more.lossy);
        found.notes.merge(std::mem::take(&mut more.notes));
    }
    let Found {
        folders,
        mut lossy,
        mut notes,
    } = found;
    let mut listing = Listing {
        paths: Paths::of_folders(folders),
        ..Listing::default()
    };
    // Lossy spellings last, so one can never shadow a file really named that way; among them,
    // in the order of their real names, whichever thread found them.
    lossy.sort_by(|a, b| a.1.cmp(&b.1));
    let mut accepted = Vec::new();
    for (rel, real) in lossy {
        let taken = listing.paths.contains(&rel) || listing.renamed.contains_key(&rel);
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
        accepted.sort();
        listing.paths = listing.paths.merged(&accepted);
    }
    listing.notes = notes.finish();
    Ok(listing)
}

/// What one thread of the walk found.
#[derive(Default)]
struct Found {
    /// The files of each folder listed: names, not whole paths, as a million paths would take
    /// a million strings.
    folders: Vec<Folder>,
    /// Files whose names are not UTF-8: the lossy spelling and the real relative path.
    lossy: Vec<(String, PathBuf)>,
    notes: Notes,
}

/// The directories waiting for a thread, and how many threads wait for one.
struct Queue {
    waiting: Vec<Handoff>,
    idle: usize,
    done: bool,
}

struct Shared {
    state: Mutex<Queue>,
    wake: Condvar,
    workers: usize,
}

/// A directory handed from one thread to another: opened again by its path.
struct Handoff {
    rel: String,
    real: Option<PathBuf>,
    depth: usize,
    rules: Arc<Rules>,
}

impl From<Pending> for Handoff {
    fn from(p: Pending) -> Handoff {
        Handoff {
            rel: p.rel,
            real: p.real,
            depth: p.depth,
            rules: p.rules,
        }
    }
}

/// One thread of the walk: takes a directory from the queue and lists everything below it,
/// depth first through open directories, giving its shallowest waiting directory back to the
/// queue whenever another thread has nothing to do; ends when every thread waits and the queue
/// is empty.
fn work(root: &Path, shared: &Shared) -> Found {
    let mut found = Found::default();
    let mut stack: Vec<Pending> = Vec::new();
    loop {
        let next = {
            let mut q = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
            loop {
                if let Some(next) = q.waiting.pop() {
                    break Some(next);
                }
                if q.done || q.idle + 1 == shared.workers {
                    q.done = true;
                    shared.wake.notify_all();
                    break None;
                }
                q.idle += 1;
                q = shared.wake.wait(q).unwrap_or_else(PoisonError::into_inner);
                q.idle -= 1;
            }
        };
        let Some(next) = next else {
            return found;
        };
        stack.push(Pending {
            parent: None,
            name: Default::default(),
            rel: next.rel,
            real: next.real,
            depth: next.depth,
            rules: next.rules,
        });
        while let Some(next) = stack.pop() {
            visit(root, next, &mut stack, &mut found);
            if stack.len() > 1 {
                let mut q = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
                if q.idle > 0 && q.waiting.is_empty() {
                    q.waiting.push(Handoff::from(stack.remove(0)));
                    shared.wake.notify_one();
                }
            }
        }
    }
}

/// Opens and lists one waiting directory; one that cannot be listed is a note.
fn visit(root: &Path, next: Pending, stack: &mut Vec<Pending>, found: &mut Found) {
    let opened = match &next.parent {
        Some(parent) => parent.child(&next.name),
        None => {
            let rel = next.real.as_deref().unwrap_or(Path::new(&next.rel));
            Dir::open(&root.join(rel), false)
        }
    };
    match opened.and_then(|mut d| d.entries().map(|e| (d, e))) {
        Ok((dir, entries)) => list(Rc::new(dir), entries, &next, stack, found),
        Err(e) => found.notes.push(Diagnostic::new(
            Code::DirUnreadable,
            format!(
                "cannot list `{}`: {}; the files below it are not analysed",
                next.rel,
                lowercase_io(&e)
            ),
            at(&next.rel),
        )),
    }
}

/// Lists the `entries` of the directory `at` describes (open as `dir`): files into `paths` (or
/// `lossy` with their real relative path when a name is not UTF-8), subdirectories onto
/// `stack`, and a note for each entry left out.
fn list(
    dir: Rc<Dir>,
    mut entries: Vec<dir::Entry>,
    at_dir: &Pending,
    stack: &mut Vec<Pending>,
    found: &mut Found,
) {
    let Found {
        folders,
        lossy,
        notes,
    } = found;
    // Sized for every file's name up front: a million names in strings that grew by doubling
    // would hold half as much again in spare room until the listing is built.
    let mut files = String::with_capacity(
        entries
            .iter()
            .filter(|e| e.kind == Kind::File)
            .map(|e| e.name.len() + 1)
            .sum(),
    );
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    let mut rules = Arc::clone(&at_dir.rules);
    if entries
        .iter()
        .any(|e| e.name == ".gitignore" && e.kind == Kind::File)
    {
        let own = gitignore(&dir, &at_dir.rel, notes);
        rules = Arc::new(Rules {
            own: Some(own),
            parent: Some(rules),
            exclude: at_dir.rules.exclude.clone(),
        });
    }
    let keep_open = at_dir.depth < MAX_OPEN_DEPTH;
    // Pushed in reverse, so subdirectories are listed in name order.
    let mut below = Vec::new();
    for entry in entries {
        let (name, name_lossy) = match entry.name.to_str() {
            Some(n) => (n.to_owned(), false),
            None => (entry.name.to_string_lossy().into_owned(), true),
        };
        let name_len = name.len();
        let rel = if at_dir.rel.is_empty() {
            name
        } else {
            format!("{}/{name}", at_dir.rel)
        };
        let real = (name_lossy || at_dir.real.is_some()).then(|| {
            let parent = at_dir
                .real
                .clone()
                .unwrap_or_else(|| PathBuf::from(&at_dir.rel));
            parent.join(&entry.name)
        });
        if entry.kind == Kind::Dir {
            let skipped = SKIPPED_DIRS.iter().any(|d| entry.name == OsStr::new(d));
            if !skipped && !rules.ignores(&rel, true) {
                below.push(Pending {
                    parent: keep_open.then(|| Rc::clone(&dir)),
                    name: entry.name,
                    rel,
                    real,
                    depth: at_dir.depth + 1,
                    rules: Arc::clone(&rules),
                });
            }
            continue;
        }
        if rules.ignores(&rel, false) {
            continue;
        }
        match (entry.kind, real) {
            (Kind::File, Some(real)) => lossy.push((rel, real)),
            (Kind::File, None) => {
                files.push_str(&rel[rel.len() - name_len..]);
                files.push('\0');
            }
            (Kind::Symlink, _) => notes.push(Diagnostic::not_analysed(&rel, &Unreadable::Symlink)),
            (Kind::Other(kind), _) => {
                notes.push(Diagnostic::not_analysed(
                    &rel,
                    &Unreadable::NotRegular { kind },
                ));
            }
            (Kind::Dir, _) => {}
        }
    }
    stack.extend(below.into_iter().rev());
    if !files.is_empty() {
        folders.push(Folder {
            rel: at_dir.rel.clone(),
            names: files,
        });
    }
}

/// The rules of the `.gitignore` in `dir` (at `rel`); an unreadable file or a line that is not a
/// glob is a note, and the rest of the file still counts.
fn gitignore(dir: &Dir, rel: &str, notes: &mut Notes) -> Gitignore {
    let file = if rel.is_empty() {
        ".gitignore".to_owned()
    } else {
        format!("{rel}/.gitignore")
    };
    let mut builder = GitignoreBuilder::new(rel);
    match dir.read(".gitignore", MAX_IGNORE_FILE_BYTES + 1) {
        Ok(bytes) => add_lines(&mut builder, &file, &bytes, notes),
        Err(e) => notes.push(Diagnostic::new(
            Code::DirUnreadable,
            format!(
                "cannot read `{file}`: {}; what it ignores is analysed",
                lowercase_io(&e)
            ),
            at(&file),
        )),
    }
    built(builder, &file, notes)
}

/// The root's `.git/info/exclude`, when there is one.
fn exclude_rules(root: &Path, notes: &mut Notes) -> Option<Gitignore> {
    let file = ".git/info/exclude";
    let read = std::fs::File::open(root.join(file)).and_then(|f| {
        let mut bytes = Vec::new();
        f.take(MAX_IGNORE_FILE_BYTES + 1).read_to_end(&mut bytes)?;
        Ok(bytes)
    });
    let bytes = match read {
        Ok(bytes) => bytes,
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            return None;
        }
        Err(e) => {
            notes.push(Diagnostic::new(
                Code::DirUnreadable,
                format!(
                    "cannot read `{file}`: {}; what it excludes is analysed",
                    lowercase_io(&e)
                ),
                at(file),
            ));
            return None;
        }
    };
    let mut builder = GitignoreBuilder::new("");
    add_lines(&mut builder, file, &bytes, notes);
    Some(built(builder, file, notes))
}

/// Adds the lines of the ignore file `file` (read up to one byte past the limit) to `builder`.
fn add_lines(builder: &mut GitignoreBuilder, file: &str, bytes: &[u8], notes: &mut Notes) {
    let limit = MAX_IGNORE_FILE_BYTES as usize;
    let bytes = match bytes.get(..limit) {
        Some(head) if bytes.len() > limit => {
            notes.push(Diagnostic::new(
                Code::FileTooLarge,
                format!(
                    "`{file}` is over {}; only its first lines up to that are honoured, and \
                     what the rest ignores is analysed",
                    crate::files::size::human(MAX_IGNORE_FILE_BYTES)
                ),
                at(file),
            ));
            head
        }
        _ => bytes,
    };
    for line in String::from_utf8_lossy(bytes).lines() {
        if let Err(e) = builder.add_line(None, line) {
            notes.push(ignore_error(file, &e));
        }
    }
}

fn built(builder: GitignoreBuilder, file: &str, notes: &mut Notes) -> Gitignore {
    builder.build().unwrap_or_else(|e| {
        notes.push(ignore_error(file, &e));
        Gitignore::empty()
    })
}

/// A line of an ignore file that is not a glob.
fn ignore_error(file: &str, err: &ignore::Error) -> Diagnostic {
    Diagnostic::new(
        Code::DirUnreadable,
        format!("`{file}`: {err}; the line is not honoured"),
        at(file),
    )
}

fn at(rel: &str) -> Loc {
    Loc::new(rel, Span::empty(0))
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

#[cfg(test)]
mod tests {
    use super::walk;

    fn write(root: &std::path::Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    /// Git's precedence: a deeper `.gitignore` overrides a shallower one, `!` re-includes, a
    /// rule anchored with `/` holds for its own folder, and `.git/info/exclude` counts below all
    /// of them.
    #[test]
    fn ignore_files_nest_as_in_git() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        write(root, ".gitignore", "*.log\n/build/\ngen/\n");
        write(root, ".git/info/exclude", "scratch.yaml\nkeep.yaml\n");
        write(root, "a.log", "");
        write(root, "build/x.yaml", "");
        write(root, "svc/build/y.yaml", "");
        write(root, "svc/gen/z.yaml", "");
        write(root, "svc/.gitignore", "!important.log\n");
        write(root, "svc/important.log", "");
        write(root, "svc/other.log", "");
        write(root, "scratch.yaml", "");
        write(root, "deep/.gitignore", "!keep.yaml\n");
        write(root, "deep/keep.yaml", "");
        let listed = walk(root).expect("walk").paths.to_vec();
        assert_eq!(
            listed,
            [
                ".gitignore",
                "deep/.gitignore",
                "deep/keep.yaml",
                "svc/.gitignore",
                "svc/build/y.yaml",
                "svc/important.log",
            ]
        );
    }

    /// However the threads share the work, the listing is every file, sorted, each once: the
    /// same as a plain recursive listing.
    #[test]
    fn the_threads_list_every_file_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let mut expected = Vec::new();
        for a in 0..12 {
            for b in 0..(a * 3) {
                for f in 0..(1 + (a + b) % 7) {
                    let rel = format!("a{a}/b{b}/c{}/f{f}.yaml", b % 3);
                    write(root, &rel, "");
                    expected.push(rel);
                }
            }
        }
        expected.sort();
        for _ in 0..5 {
            let listing = walk(root).expect("walk");
            assert_eq!(listing.paths.to_vec(), expected);
            assert!(listing.notes.is_empty());
        }
    }

    /// An ignore file past the limit is honoured up to it, and says so.
    #[test]
    fn a_huge_ignore_file_is_a_note() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let mut rules = String::from("*.log\n");
        while rules.len() as u64 <= super::MAX_IGNORE_FILE_BYTES {
            rules.push_str("# padding padding padding padding padding padding padding\n");
        }
        write(root, ".gitignore", &rules);
        write(root, "a.log", "");
        let listing = walk(root).expect("walk");
        assert_eq!(listing.paths.to_vec(), [".gitignore"]);
        let notes: Vec<&str> = listing.notes.iter().map(|n| n.code.as_str()).collect();
        assert_eq!(notes, ["file-too-large"], "{:?}", listing.notes);
    }

    /// Deeper than the walk keeps directories open, and through a root that is itself a
    /// symlink: everything is still listed.
    #[cfg(unix)]
    #[test]
    fn deep_trees_and_a_symlinked_root_are_listed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("real");
        let deep: Vec<String> = (0..super::MAX_OPEN_DEPTH + 10)
            .map(|i| format!("d{i}"))
            .collect();
        let rel = format!("{}/f.yaml", deep.join("/"));
        write(&real, &rel, "");
        write(&real, "top.yaml", "");
        std::os::unix::fs::symlink(&real, dir.path().join("link")).expect("symlink");
        let listed = walk(&dir.path().join("link")).expect("walk").paths.to_vec();
        assert_eq!(listed, [rel, "top.yaml".to_owned()]);
    }
}
