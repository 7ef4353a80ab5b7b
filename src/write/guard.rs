//! WRITE stage: the check every path passes before gitops-gen writes, replaces or deletes it.
//!
//! A path is written only when it is a plain relative path inside the repository and nothing
//! on the way is a symbolic link: not a folder (`clusters/staging -> /tmp/elsewhere`), not the
//! file itself, whether the link points out of the repository, inside it or nowhere. Existing
//! folders must be real folders and an existing file a regular file (not a FIFO, a socket or a
//! device). The repository root itself is the user's choice and is not checked.
//!
//! [`crate::write::plan`] runs the check on every path before the first write, so a refusal
//! leaves the repository untouched; [`crate::write::apply`] runs it again just before each
//! write, which narrows (but cannot close) the window for a link swapped in meanwhile.

use std::collections::HashSet;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// Why `rel` may not be written under `root`, or `None` when it may.
pub(crate) fn unsafe_reason(root: &Path, rel: &str) -> Option<String> {
    Folders::default().unsafe_reason(root, rel)
}

/// The folders found to be real folders so far, for a plan that checks hundreds of paths in the
/// same few folders: each is looked at once. [`crate::write::apply`] checks again, uncached,
/// just before each write.
#[derive(Default)]
pub(crate) struct Folders(HashSet<PathBuf>);

impl Folders {
    /// [`unsafe_reason`], looking at each folder on the way once per `Folders`.
    pub(crate) fn unsafe_reason(&mut self, root: &Path, rel: &str) -> Option<String> {
        reason(root, rel, &mut self.0)
    }
}

fn reason(root: &Path, rel: &str, folders: &mut HashSet<PathBuf>) -> Option<String> {
    if let Some(why) = malformed(rel) {
        return Some(format!("`{}` {why}", rel.escape_debug()));
    }
    let parts: Vec<&str> = rel.split('/').collect();
    let mut at = root.to_path_buf();
    for (i, part) in parts.iter().enumerate() {
        at.push(part);
        let shown = parts[..=i].join("/");
        let last = i + 1 == parts.len();
        if !last && folders.contains(&at) {
            continue;
        }
        let meta = match std::fs::symlink_metadata(&at) {
            Ok(meta) => meta,
            // Missing: this and everything below it is created by gitops-gen.
            Err(e) if e.kind() == ErrorKind::NotFound => return None,
            Err(e) => return Some(format!("`{shown}` cannot be inspected: {e}")),
        };
        let kind = meta.file_type();
        if kind.is_symlink() {
            return Some(format!(
                "`{shown}` is a symbolic link; gitops-gen never writes through one"
            ));
        }
        if !last && !kind.is_dir() {
            return Some(format!("`{shown}` is not a directory"));
        }
        if !last {
            folders.insert(at.clone());
        }
        if last && !kind.is_file() {
            return Some(format!("`{shown}` is not a regular file"));
        }
    }
    None
}

/// What is wrong with the shape of a repository-relative path, if anything. The model already
/// refuses such paths; this keeps the write stage safe on its own.
fn malformed(rel: &str) -> Option<&'static str> {
    if rel.is_empty() {
        return Some("is empty");
    }
    if rel.starts_with('/') || rel.contains('\\') {
        return Some("is not a relative path with `/` separators");
    }
    if rel
        .split('/')
        .any(|c| c.is_empty() || c == "." || c == "..")
    {
        return Some("has an empty, `.` or `..` component");
    }
    if rel.chars().any(char::is_control) {
        return Some("contains control characters");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_pass_and_malformed_ones_do_not() {
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(tmp.path().join("a/b")).expect("mkdir");
        std::fs::write(tmp.path().join("a/b/c.yaml"), "x: 1\n").expect("write");
        assert_eq!(unsafe_reason(tmp.path(), "a/b/c.yaml"), None);
        assert_eq!(unsafe_reason(tmp.path(), "a/new/d.yaml"), None);
        for bad in ["", "/etc/passwd", "a/../b", "a//b", "./a", "a\\b", "a/\nb"] {
            assert!(unsafe_reason(tmp.path(), bad).is_some(), "{bad:?}");
        }
        assert!(
            unsafe_reason(tmp.path(), "a/b/c.yaml/d")
                .is_some_and(|r| r.contains("not a directory"))
        );
        assert!(unsafe_reason(tmp.path(), "a/b").is_some_and(|r| r.contains("regular file")));
    }

    #[cfg(unix)]
    #[test]
    fn every_symlink_on_the_way_is_refused() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("repo");
        std::fs::create_dir_all(root.join("real")).expect("mkdir");
        std::os::unix::fs::symlink("real", root.join("inside")).expect("link");
        std::os::unix::fs::symlink(tmp.path(), root.join("outside")).expect("link");
        std::os::unix::fs::symlink("/nonexistent", root.join("dangling")).expect("link");
        std::os::unix::fs::symlink("real/f", root.join("file")).expect("link");
        for path in ["inside/x.yaml", "outside/x.yaml", "dangling/x.yaml", "file"] {
            let reason = unsafe_reason(&root, path).unwrap_or_default();
            assert!(reason.contains("symbolic link"), "{path}: {reason:?}");
        }
    }
}
