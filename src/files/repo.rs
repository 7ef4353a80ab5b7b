//! Access to the files of the repository being analysed.
//!
//! [`DirRepo`] walks a checkout once ([`crate::files::walk`]: `.gitignore` honoured, like git
//! would; every skip a diagnostic) and reads file text lazily through the one safe read
//! ([`crate::files::safe_read`]); [`MemRepo`] holds files in memory for tests and fuzzing. The
//! listing is front-coded ([`Paths`]): a million paths take about what their names take.
//! Both implement [`RepoFiles`], and both answer [`RepoFiles::glob`] with a
//! [`PathGlob`](crate::files::glob::PathGlob), so readers behave the same on disk and in tests.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use crate::files::Diagnostic;
use crate::files::glob::PathGlob;
use crate::files::listing::Paths;
use crate::files::safe_read::{self, MAX_FILE_BYTES, Symlinks, Unreadable};
use crate::files::walk;

/// Read access to the repository being analysed.
pub(crate) trait RepoFiles {
    /// The text of a repository-relative file, or why it cannot be had (not listed, not
    /// UTF-8, too large, ...).
    fn text(&self, path: &str) -> Result<Arc<str>, Unreadable>;

    /// The text of a repository-relative file, if it is listed and is UTF-8 text.
    fn read(&self, path: &str) -> Option<Arc<str>> {
        self.text(path).ok()
    }

    /// Whether the file is in the repository (listed), readable or not: a binary file named
    /// where a pipeline expects one is reported as such, not as missing.
    fn lists(&self, path: &str) -> bool {
        !matches!(self.text(path), Err(Unreadable::Missing))
    }

    /// [`RepoFiles::text`] of a file the caller reads once (the layout scan's manifests): a
    /// repository that caches text returns what it holds but does not keep this one, and drops
    /// what it kept only for this read ([`RepoFiles::text_lent`]).
    fn text_once(&self, path: &str) -> Result<Arc<str>, Unreadable> {
        self.text(path)
    }

    /// [`RepoFiles::text`] of a file another stage will read once more with
    /// [`RepoFiles::text_once`] (a YAML file looked at to see whether it is a pipeline, which the
    /// scan then reads): a repository that caches text keeps it until that read, or for good
    /// once [`RepoFiles::text`] asks for it.
    fn text_lent(&self, path: &str) -> Result<Arc<str>, Unreadable> {
        self.text(path)
    }

    /// Repository-relative paths matching a glob such as `ci/*.yml` (GitLab `include: local`).
    fn glob(&self, pattern: &str) -> Vec<String>;

    /// What the listing left out or renamed, as diagnostics for the analysis.
    fn skipped(&self) -> &[Diagnostic] {
        &[]
    }
}

/// Most file text kept in [`DirRepo`]'s cache at once.
const CACHE_BUDGET_BYTES: usize = 64 * 1024 * 1024;

/// A repository checkout on disk.
///
/// The file list is taken once, at [`DirRepo::open`]; file text is read on first use and
/// cached. Only listed files can be read, so ignored, oversized and symlinked files stay out of
/// reach of every reader.
#[derive(Debug)]
pub(crate) struct DirRepo {
    root: PathBuf,
    paths: Paths,
    /// Listed paths spelled lossily, and the real relative paths they are read from.
    renamed: HashMap<String, PathBuf>,
    notes: Vec<Diagnostic>,
    // NOTE: a Mutex rather than a RefCell keeps `DirRepo: Sync`, so later stages may read in
    // parallel; the lock is never held across anything that could panic.
    cache: Mutex<Cache>,
}

/// File text read so far (or why it could not be), whether it is only lent until a
/// [`RepoFiles::text_once`], and the cached text's total size.
#[derive(Debug, Default)]
struct Cache {
    texts: BTreeMap<String, Entry>,
    bytes: usize,
}

/// One path in the cache.
#[derive(Debug)]
enum Entry {
    /// Being read, outside the lock, by a thread that will cache it for `held`; `taken` once
    /// the last read it would be lent for came in the meantime.
    Loading { taken: bool, held: Hold },
    /// Read, and held for so long.
    Ready(Result<Arc<str>, Unreadable>, Hold),
}

/// What [`DirRepo::claim`] found.
enum Claim {
    /// The text, from the cache.
    Hit(Result<Arc<str>, Unreadable>),
    /// Read the file; the cache keeps nothing of it.
    Read,
    /// Read the file, then [`DirRepo::fill`] the entry left for it.
    ReadAndFill,
}

/// How long the cache holds a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hold {
    /// Until the end: a reader asked for it.
    Keep,
    /// Until the one read it was lent for.
    Lent,
}

impl DirRepo {
    /// Lists the files under `root` ([`walk::walk`]): no file-count cap, and everything left
    /// out is in [`RepoFiles::skipped`].
    ///
    /// # Errors
    /// When `root` is not a directory or cannot be listed.
    pub(crate) fn open(root: &Path) -> io::Result<DirRepo> {
        let listing = walk::walk(root)?;
        Ok(DirRepo {
            root: root.to_path_buf(),
            paths: listing.paths,
            renamed: listing.renamed,
            notes: listing.notes,
            cache: Mutex::new(Cache::default()),
        })
    }

    /// Every listed file: repository-relative, `/`-separated, sorted.
    pub(crate) fn paths(&self) -> &Paths {
        &self.paths
    }

    fn load(&self, path: &str) -> Result<Arc<str>, Unreadable> {
        let real = self
            .renamed
            .get(path)
            .cloned()
            .unwrap_or_else(|| PathBuf::from(path));
        // The file may have changed since the walk: the safe read checks again that it is a
        // regular file (not a symlink swapped in) of acceptable size.
        safe_read::read_text(&self.root, &real, Symlinks::Refuse, MAX_FILE_BYTES).map(Arc::from)
    }
}

impl DirRepo {
    /// The text of a listed `path`, from the cache or read; `hold` says how long the cache may
    /// hold it, `None` for a last read.
    ///
    /// No read happens under the lock: the scan's last reads and the readers' reads go on side by
    /// side. While one thread reads a text for the cache, the entry says so; a last read that
    /// comes meanwhile reads the file itself, and a text lent for it is then not kept.
    fn cached(&self, path: &str, hold: Option<Hold>) -> Result<Arc<str>, Unreadable> {
        let path = normalize(path).ok_or(Unreadable::Missing)?;
        if !self.paths.contains(path) {
            return Err(Unreadable::Missing);
        }
        match self.claim(path, hold) {
            Claim::Hit(text) => text,
            Claim::Read => self.load(path),
            Claim::ReadAndFill => {
                let text = self.load(path);
                self.fill(path, &text);
                text
            }
        }
    }

    /// What a request for `path` with `hold` finds in the cache, and what it leaves there.
    fn claim(&self, path: &str, hold: Option<Hold>) -> Claim {
        let mut cache = self.lock();
        match (cache.texts.get_mut(path), hold) {
            (Some(Entry::Ready(hit, held)), _) => {
                let hit = hit.clone();
                match hold {
                    Some(Hold::Keep) => *held = Hold::Keep,
                    Some(Hold::Lent) => {}
                    None if *held == Hold::Lent => {
                        cache.texts.remove(path);
                        cache.bytes -= hit.as_ref().map_or(0, |t| t.len());
                    }
                    None => {}
                }
                Claim::Hit(hit)
            }
            (Some(Entry::Loading { taken, held }), _) => {
                match hold {
                    None => *taken = true,
                    Some(Hold::Keep) => *held = Hold::Keep,
                    Some(Hold::Lent) => {}
                }
                Claim::Read
            }
            (None, None) => Claim::Read,
            (None, Some(held)) => {
                let loading = Entry::Loading { taken: false, held };
                cache.texts.insert(path.to_owned(), loading);
                Claim::ReadAndFill
            }
        }
    }

    /// Puts `text`, read after a [`Claim::ReadAndFill`], in place of its entry: unless its one
    /// last read took the file meanwhile, or the cache is full.
    fn fill(&self, path: &str, text: &Result<Arc<str>, Unreadable>) {
        let mut guard = self.lock();
        let cache = &mut *guard;
        let Some(entry) = cache.texts.get_mut(path) else {
            return;
        };
        let Entry::Loading { taken, held } = *entry else {
            return;
        };
        let size = text.as_ref().map_or(0, |t| t.len());
        // Keep memory bounded on huge repositories: past the budget, files are re-read on use.
        if (taken && held == Hold::Lent) || cache.bytes + size > CACHE_BUDGET_BYTES {
            cache.texts.remove(path);
        } else {
            cache.bytes += size;
            *entry = Entry::Ready(text.clone(), held);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl RepoFiles for DirRepo {
    fn text(&self, path: &str) -> Result<Arc<str>, Unreadable> {
        self.cached(path, Some(Hold::Keep))
    }

    fn text_once(&self, path: &str) -> Result<Arc<str>, Unreadable> {
        self.cached(path, None)
    }

    fn text_lent(&self, path: &str) -> Result<Arc<str>, Unreadable> {
        self.cached(path, Some(Hold::Lent))
    }

    fn glob(&self, pattern: &str) -> Vec<String> {
        let glob = PathGlob::new(pattern);
        let mut found = Vec::new();
        self.paths.for_each(|p| {
            if glob.matches(p) {
                found.push(p.to_owned());
            }
        });
        found
    }

    /// What the listing left out (files over the size limit, unreadable directories,
    /// symlinks, special files) or renamed (names that are not UTF-8), each a diagnostic with
    /// a registered code.
    fn skipped(&self) -> &[Diagnostic] {
        &self.notes
    }
}

/// In-memory repository for tests and fuzzing: repository-relative path → file text.
#[cfg(any(test, feature = "fuzzing"))]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct MemRepo(pub BTreeMap<String, String>);

#[cfg(any(test, feature = "fuzzing"))]
impl MemRepo {
    /// A repository holding `files` (`(path, text)`); a later duplicate path wins.
    pub(crate) fn from_pairs(files: &[(&str, &str)]) -> MemRepo {
        MemRepo(
            files
                .iter()
                .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
                .collect(),
        )
    }

    /// Every path, sorted.
    pub(crate) fn paths(&self) -> Vec<String> {
        self.0.keys().cloned().collect()
    }
}

#[cfg(any(test, feature = "fuzzing"))]
impl RepoFiles for MemRepo {
    fn text(&self, path: &str) -> Result<Arc<str>, Unreadable> {
        normalize(path)
            .and_then(|p| self.0.get(p))
            .map(|t| Arc::from(t.as_str()))
            .ok_or(Unreadable::Missing)
    }

    fn glob(&self, pattern: &str) -> Vec<String> {
        let glob = PathGlob::new(pattern);
        self.0.keys().filter(|p| glob.matches(p)).cloned().collect()
    }
}

/// A lookup key for a requested path: a leading `./` is dropped; absolute paths, `..`, empty
/// segments and backslashes are refused so no request can name a file outside the listing.
fn normalize(path: &str) -> Option<&str> {
    let path = path.strip_prefix("./").unwrap_or(path);
    let bad = path.is_empty()
        || path.starts_with('/')
        || path.contains('\\')
        || !Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
        || path
            .split('/')
            .any(|seg| seg.is_empty() || seg == "." || seg == "..");
    (!bad).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mem_repo_reads_and_globs() {
        let repo = MemRepo::from_pairs(&[
            ("ci/a.yml", "a"),
            ("ci/b.yml", "b"),
            ("ci/sub/c.yml", "c"),
            (".gitlab-ci.yml", "root"),
        ]);
        assert_eq!(repo.glob("/ci/*.yml"), ["ci/a.yml", "ci/b.yml"]);
        assert_eq!(
            repo.glob("ci/**/*.yml"),
            ["ci/a.yml", "ci/b.yml", "ci/sub/c.yml"]
        );
        assert_eq!(repo.read("ci/a.yml").as_deref(), Some("a"));
        assert_eq!(repo.read("./ci/a.yml").as_deref(), Some("a"));
        assert_eq!(repo.read("ci/../ci/a.yml"), None);
        assert_eq!(repo.read("/ci/a.yml"), None);
        assert_eq!(repo.read("missing"), None);
        assert_eq!(repo.paths().to_vec().len(), 4);
    }

    #[test]
    fn normalize_refuses_escapes() {
        assert_eq!(normalize("a/b"), Some("a/b"));
        assert_eq!(normalize("./a"), Some("a"));
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../b",
            "a//b",
            "a/./b",
            "a\\b",
            "a/",
        ] {
            assert_eq!(normalize(bad), None, "{bad}");
        }
    }

    fn write(root: &Path, rel: &str, contents: &[u8]) {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, contents).expect("write");
    }

    #[test]
    fn dir_repo_honours_gitignore_and_skips_git() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        write(root, ".gitignore", b"ignored/\n*.log\n");
        write(root, ".git/config", b"[core]\n");
        write(root, ".github/workflows/ci.yml", b"on: push\n");
        write(root, "ignored/secret.yaml", b"x: 1\n");
        write(root, "build.log", b"noise\n");
        write(root, "target/debug/out.yaml", b"x: 1\n");
        write(root, "deploy/base/kustomization.yaml", b"resources: []\n");
        write(
            root,
            "deploy/big.yaml",
            &vec![b'a'; (MAX_FILE_BYTES + 1) as usize],
        );
        write(root, "latin1.txt", b"caf\xe9\n");

        let repo = DirRepo::open(root).expect("open");
        assert_eq!(
            repo.paths().to_vec(),
            [
                ".github/workflows/ci.yml",
                ".gitignore",
                "deploy/base/kustomization.yaml",
                "deploy/big.yaml",
                "latin1.txt",
            ]
        );
        // The walk looks at no file's size; reading one over the limit says why it is not read.
        assert!(repo.skipped().is_empty(), "{:?}", repo.skipped());
        let big = repo.text("deploy/big.yaml").expect_err("too large");
        assert_eq!(
            Diagnostic::not_analysed("deploy/big.yaml", &big).message,
            "`deploy/big.yaml` is 2 MiB, over the 2 MiB limit for one file; it is not analysed"
        );
        assert_eq!(
            repo.read(".github/workflows/ci.yml").as_deref(),
            Some("on: push\n")
        );
        // Cached reads give the same text.
        assert_eq!(
            repo.read(".github/workflows/ci.yml").as_deref(),
            Some("on: push\n")
        );
        // Not UTF-8: unreadable as text.
        assert_eq!(repo.read("latin1.txt"), None);
        // Ignored, skipped and escaping paths are out of reach.
        assert_eq!(repo.read("ignored/secret.yaml"), None);
        assert_eq!(repo.read(".git/config"), None);
        assert_eq!(repo.read("deploy/../.git/config"), None);
        assert_eq!(
            repo.glob("**/*.yaml"),
            ["deploy/base/kustomization.yaml", "deploy/big.yaml"]
        );
    }

    /// What the cache holds shows when a file changes on disk between two reads.
    #[test]
    fn a_lent_text_is_kept_until_its_one_read_and_a_kept_text_for_good() {
        let dir = tempfile::tempdir().expect("tempdir");
        for name in ["lent.yml", "kept.yml", "once.yml"] {
            write(dir.path(), name, b"old\n");
        }
        let repo = DirRepo::open(dir.path()).expect("open");
        let change = |name: &str| write(dir.path(), name, b"new\n");
        let once = |name: &str| repo.text_once(name).ok().map(|t| t.to_string());

        // Lent, then read once: the second read took it from the cache, and dropped it.
        assert_eq!(repo.text_lent("lent.yml").as_deref().ok(), Some("old\n"));
        change("lent.yml");
        assert_eq!(once("lent.yml").as_deref(), Some("old\n"));
        assert_eq!(once("lent.yml").as_deref(), Some("new\n"));

        // Lent, then asked for by a reader: kept for good, a read once does not drop it.
        assert_eq!(repo.text_lent("kept.yml").as_deref().ok(), Some("old\n"));
        assert_eq!(repo.read("kept.yml").as_deref(), Some("old\n"));
        change("kept.yml");
        assert_eq!(once("kept.yml").as_deref(), Some("old\n"));
        assert_eq!(repo.read("kept.yml").as_deref(), Some("old\n"));

        // Read once first: never cached.
        assert_eq!(once("once.yml").as_deref(), Some("old\n"));
        change("once.yml");
        assert_eq!(repo.read("once.yml").as_deref(), Some("new\n"));
    }

    #[test]
    fn a_last_read_while_a_lender_reads_takes_the_file_and_the_lender_keeps_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        for name in ["lent.yml", "kept.yml"] {
            write(dir.path(), name, b"old\n");
        }
        let repo = DirRepo::open(dir.path()).expect("open");
        let entries = || repo.lock().texts.len();

        // The readers' thread starts reading a file to lend; the scan's last read comes before
        // it is in the cache, reads the file itself, and the lent text is not kept after it.
        assert!(matches!(
            repo.claim("lent.yml", Some(Hold::Lent)),
            Claim::ReadAndFill
        ));
        assert!(matches!(repo.claim("lent.yml", None), Claim::Read));
        repo.fill("lent.yml", &repo.load("lent.yml"));
        assert_eq!(entries(), 0);

        // A text a reader keeps is cached however the last read went.
        assert!(matches!(
            repo.claim("kept.yml", Some(Hold::Lent)),
            Claim::ReadAndFill
        ));
        assert!(matches!(
            repo.claim("kept.yml", Some(Hold::Keep)),
            Claim::Read
        ));
        assert!(matches!(repo.claim("kept.yml", None), Claim::Read));
        repo.fill("kept.yml", &repo.load("kept.yml"));
        write(dir.path(), "kept.yml", b"new\n");
        assert_eq!(repo.read("kept.yml").as_deref(), Some("old\n"));
        assert_eq!(repo.lock().bytes, 4);
    }

    #[cfg(unix)]
    #[test]
    fn dir_repo_does_not_follow_symlinks() {
        let outside = tempfile::tempdir().expect("tempdir");
        write(outside.path(), "secret.yaml", b"x: 1\n");
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), "a.yaml", b"a: 1\n");
        std::os::unix::fs::symlink(outside.path(), dir.path().join("linked")).expect("symlink");
        std::os::unix::fs::symlink(
            outside.path().join("secret.yaml"),
            dir.path().join("link.yaml"),
        )
        .expect("symlink");
        let repo = DirRepo::open(dir.path()).expect("open");
        assert_eq!(repo.paths().to_vec(), ["a.yaml"]);
        assert_eq!(repo.read("link.yaml"), None);
    }

    #[test]
    fn a_repository_over_50000_files_is_listed_whole() {
        // The walk used to stop at 50,000 files without a word; files that sort last (here the
        // one Jenkinsfile) were never analysed.
        let dir = tempfile::tempdir().expect("tempdir");
        for d in 0..51 {
            let sub = dir.path().join(format!("pkg{d:02}"));
            std::fs::create_dir(&sub).expect("mkdir");
            for f in 0..1_000 {
                std::fs::File::create(sub.join(format!("f{f}"))).expect("create");
            }
        }
        write(dir.path(), "zz/Jenkinsfile", b"pipeline {}\n");
        let repo = DirRepo::open(dir.path()).expect("open");
        assert_eq!(repo.paths().to_vec().len(), 51_001);
        assert_eq!(
            repo.paths().to_vec().last().map(String::as_str),
            Some("zz/Jenkinsfile")
        );
        assert!(repo.skipped().is_empty(), "{:?}", repo.skipped());
    }

    #[cfg(unix)]
    #[test]
    fn every_skip_is_a_diagnostic_and_odd_names_are_still_read() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        write(root, "a.yaml", b"a: 1\n");
        std::os::unix::fs::symlink("a.yaml", root.join("link.yaml")).expect("symlink");
        let secret = b"kind: Secret\nstringData:\n  password: x\n";
        let odd = std::ffi::OsStr::from_bytes(b"caf\xe9.yaml");
        std::fs::write(root.join(odd), secret).expect("write");
        let fifo = std::process::Command::new("mkfifo")
            .arg(root.join("pipe.yaml"))
            .status()
            .is_ok_and(|s| s.success());

        let repo = DirRepo::open(root).expect("open");
        assert_eq!(repo.paths().to_vec(), ["a.yaml", "caf\u{fffd}.yaml"]);
        assert_eq!(
            repo.read("caf\u{fffd}.yaml").as_deref(),
            std::str::from_utf8(secret).ok()
        );
        assert_eq!(repo.text("link.yaml"), Err(Unreadable::Missing));
        let mut notes: Vec<String> = repo
            .skipped()
            .iter()
            .map(|n| format!("{} {}: {}", n.code, n.loc.file, n.message))
            .collect();
        notes.sort();
        let mut expected = vec![
            "file-name-not-unicode caf\u{fffd}.yaml: the name of `caf\\xe9.yaml` is not utf-8; it is \
             analysed as `caf\u{fffd}.yaml`"
                .to_owned(),
            "symlink-not-followed link.yaml: `link.yaml` is a symlink, which is not followed; \
             it is not analysed"
                .to_owned(),
        ];
        if fifo {
            expected.insert(
                1,
                "file-unreadable pipe.yaml: `pipe.yaml` is a fifo, not a regular file; it is not \
                 analysed"
                    .to_owned(),
            );
        }
        assert_eq!(notes, expected);
    }

    #[cfg(unix)]
    #[test]
    fn skips_past_the_per_code_cap_are_counted_in_one_diagnostic() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), "a.yaml", b"a: 1\n");
        for i in 0..(walk::MAX_NOTES_PER_CODE + 4) {
            std::os::unix::fs::symlink("a.yaml", dir.path().join(format!("link-{i}")))
                .expect("symlink");
        }
        let repo = DirRepo::open(dir.path()).expect("open");
        assert_eq!(repo.skipped().len(), walk::MAX_NOTES_PER_CODE + 1);
        let last = repo.skipped().last().map(|n| n.message.as_str());
        assert_eq!(
            last,
            Some(
                "and 4 more like the 100 `symlink-not-followed` diagnostics above (104 in all); \
                 they are not listed one by one"
            )
        );
    }

    #[test]
    fn dir_repo_open_rejects_a_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), "f", b"");
        assert!(DirRepo::open(&dir.path().join("f")).is_err());
        assert!(DirRepo::open(&dir.path().join("missing")).is_err());
    }
}
