//! FILES: every question rendering asks of a checkout, through one door, so that the questions
//! and their answers can be written down.
//!
//! What `generate` renders is a function of the model, of gitops-gen's build and of what it
//! finds in the repository: what a path is ([`is_file`], [`is_dir`]), what a folder lists
//! ([`list`]) and what a file holds ([`read_text`]). No clock, no environment variable, no
//! network. These functions give the answers `std::fs` and [`safe_read`] give; inside
//! [`recording`] they also note each question with a digest of its answer. `generate --check`
//! asks the recorded questions again ([`Question::answer`]): when every answer is the same, the
//! render would be too. The architecture test keeps render, the model and the team-file readers
//! from reaching the file system any other way, since a question asked behind this module's
//! back would let a changed file go unnoticed.
//!
//! A question is its kind and a path relative to the root it was asked under. Outside a
//! recording nothing is noted (promotion and migration read the same files through here).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::files::safe_read::{self, MAX_FILE_BYTES, Symlinks, Unreadable};

/// What was asked about a path.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Ask {
    /// Its kind, following symbolic links (`Path::is_file`, `Path::is_dir`).
    Kind,
    /// The names and kinds of what the folder lists.
    List,
    /// Its text, a link followed only to a file inside the root.
    Read,
    /// Its text, never through a link.
    ReadNoLink,
}

impl Ask {
    /// The word the question is written down with.
    pub(crate) fn word(self) -> &'static str {
        match self {
            Ask::Kind => "kind",
            Ask::List => "list",
            Ask::Read => "read",
            Ask::ReadNoLink => "read-nolink",
        }
    }

    /// The question a [`Ask::word`] names.
    pub(crate) fn from_word(word: &str) -> Option<Ask> {
        [Ask::Kind, Ask::List, Ask::Read, Ask::ReadNoLink]
            .into_iter()
            .find(|a| a.word() == word)
    }
}

/// One question: what was asked, about which root-relative path.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Question {
    pub(crate) ask: Ask,
    pub(crate) path: String,
}

impl Question {
    /// The answer the checkout under `root` gives now, as the short text it is recorded with.
    pub(crate) fn answer(&self, root: &Path) -> String {
        match self.ask {
            Ask::Kind => kind_word(&root.join(&self.path)).to_owned(),
            Ask::List => listing_digest(&entries(&root.join(&self.path))),
            Ask::Read => text_digest(&safe_read::read_text(
                root,
                Path::new(&self.path),
                Symlinks::InsideRoot,
                MAX_FILE_BYTES,
            )),
            Ask::ReadNoLink => text_digest(&safe_read::read_text(
                root,
                Path::new(&self.path),
                Symlinks::Refuse,
                MAX_FILE_BYTES,
            )),
        }
    }
}

/// The questions a recording noted, each with its answer.
pub(crate) type Inputs = BTreeMap<Question, String>;

thread_local! {
    static LOG: RefCell<Option<Inputs>> = const { RefCell::new(None) };
}

/// Runs `f`, noting every question asked on this thread meanwhile; a recording already under
/// way is set aside and goes on afterwards.
pub(crate) fn recording<T>(f: impl FnOnce() -> T) -> (T, Inputs) {
    let outer = LOG.with(|log| log.borrow_mut().replace(Inputs::new()));
    let value = f();
    let inputs = LOG.with(|log| std::mem::replace(&mut *log.borrow_mut(), outer));
    (value, inputs.unwrap_or_default())
}

fn note(ask: Ask, path: &str, answer: impl FnOnce() -> String) {
    LOG.with(|log| {
        if let Some(inputs) = log.borrow_mut().as_mut() {
            let question = Question {
                ask,
                path: path.to_owned(),
            };
            inputs.entry(question).or_insert_with(answer);
        }
    });
}

/// Whether `root/rel` is a regular file, following links (`Path::is_file`).
pub(crate) fn is_file(root: &Path, rel: &str) -> bool {
    kind(root, rel) == "file"
}

/// Whether `root/rel` is a folder, following links (`Path::is_dir`).
pub(crate) fn is_dir(root: &Path, rel: &str) -> bool {
    kind(root, rel) == "dir"
}

fn kind(root: &Path, rel: &str) -> &'static str {
    let word = kind_word(&root.join(rel));
    note(Ask::Kind, rel, || word.to_owned());
    word
}

fn kind_word(path: &Path) -> &'static str {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => "file",
        Ok(meta) if meta.is_dir() => "dir",
        Ok(_) => "other",
        Err(_) => "missing",
    }
}

/// One entry of a folder, as [`list`] gives it.
pub(crate) struct Listed {
    /// The name, or the bytes it has when it is not UTF-8.
    pub(crate) name: Result<String, std::ffi::OsString>,
}

/// What the folder `root/rel` lists, in the order the file system gives (callers sort).
pub(crate) fn list(root: &Path, rel: &str) -> std::io::Result<Vec<Listed>> {
    let entries = entries(&root.join(rel));
    note(Ask::List, rel, || listing_digest(&entries));
    Ok(entries?
        .into_iter()
        .map(|(_, name)| Listed {
            name: name.into_string(),
        })
        .collect())
}

/// The entries of the folder at `path`: each one's kind (links not followed) and name.
fn entries(path: &Path) -> std::io::Result<Vec<(char, std::ffi::OsString)>> {
    std::fs::read_dir(path)?
        .map(|entry| {
            let entry = entry?;
            let kind = match entry.file_type() {
                Ok(t) if t.is_symlink() => 'l',
                Ok(t) if t.is_dir() => 'd',
                Ok(t) if t.is_file() => 'f',
                _ => 'o',
            };
            Ok((kind, entry.file_name()))
        })
        .collect()
}

/// The text of `root/rel` as [`safe_read::read_text`] reads it, up to [`MAX_FILE_BYTES`].
pub(crate) fn read_text(root: &Path, rel: &str, symlinks: Symlinks) -> Result<String, Unreadable> {
    let text = safe_read::read_text(root, Path::new(rel), symlinks, MAX_FILE_BYTES);
    let ask = match symlinks {
        Symlinks::InsideRoot => Ask::Read,
        Symlinks::Refuse => Ask::ReadNoLink,
    };
    note(ask, rel, || text_digest(&text));
    text
}

fn text_digest(text: &Result<String, Unreadable>) -> String {
    match text {
        Ok(text) => hex(&Sha256::digest(text.as_bytes())),
        Err(why) => format!("unreadable:{}", hex(&Sha256::digest(why.to_string()))),
    }
}

/// A digest of the names a folder lists with the kind of each (links not followed), sorted; or
/// of the error that kept it from being listed.
fn listing_digest(entries: &std::io::Result<Vec<(char, std::ffi::OsString)>>) -> String {
    let entries = match entries {
        Ok(entries) => entries,
        Err(e) => return format!("unlistable:{:?}", e.kind()),
    };
    let mut names: Vec<String> = entries
        .iter()
        .map(|(kind, name)| format!("{kind} {}", name.to_string_lossy()))
        .collect();
    names.sort();
    let mut hasher = Sha256::new();
    for name in names {
        hasher.update(name.as_bytes());
        hasher.update([0]);
    }
    hex(&hasher.finalize())
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recording_notes_each_question_once_with_its_answer() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        std::fs::create_dir_all(root.join("a")).expect("mkdir");
        std::fs::write(root.join("a/f.yaml"), "x: 1\n").expect("write");
        let ((), inputs) = recording(|| {
            assert!(is_dir(root, "a"));
            assert!(is_file(root, "a/f.yaml"));
            assert!(!is_file(root, "a/missing.yaml"));
            assert_eq!(list(root, "a").map(|l| l.len()).ok(), Some(1));
            assert_eq!(
                read_text(root, "a/f.yaml", Symlinks::InsideRoot).as_deref(),
                Ok("x: 1\n")
            );
            let _ = read_text(root, "a/f.yaml", Symlinks::InsideRoot);
        });
        let asked: Vec<(&str, &str)> = inputs
            .keys()
            .map(|q| (q.ask.word(), q.path.as_str()))
            .collect();
        assert_eq!(
            asked,
            [
                ("kind", "a"),
                ("kind", "a/f.yaml"),
                ("kind", "a/missing.yaml"),
                ("list", "a"),
                ("read", "a/f.yaml"),
            ]
        );
        let kinds: Vec<&str> = inputs.values().take(3).map(String::as_str).collect();
        assert_eq!(kinds, ["dir", "file", "missing"]);
        for (question, answer) in &inputs {
            assert_eq!(&question.answer(root), answer, "{question:?}");
        }
        std::fs::write(root.join("a/f.yaml"), "x: 2\n").expect("write");
        std::fs::write(root.join("a/missing.yaml"), "").expect("write");
        let changed: Vec<&str> = inputs
            .iter()
            .filter(|(q, a)| q.answer(root) != **a)
            .map(|(q, _)| q.path.as_str())
            .collect();
        assert_eq!(changed, ["a/missing.yaml", "a", "a/f.yaml"]);
    }

    #[test]
    fn nothing_is_noted_outside_a_recording_and_recordings_nest() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        assert!(!is_file(root, "x"));
        let (inner, outer) = recording(|| {
            let _ = is_file(root, "outer");
            let ((), inner) = recording(|| {
                let _ = is_file(root, "inner");
            });
            let _ = is_dir(root, "after");
            inner
        });
        let paths = |i: &Inputs| i.keys().map(|q| q.path.clone()).collect::<Vec<_>>();
        assert_eq!(paths(&inner), ["inner"]);
        assert_eq!(paths(&outer), ["after", "outer"]);
    }
}
