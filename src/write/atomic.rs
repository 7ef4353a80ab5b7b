//! WRITE stage: atomic file replacement, so an interrupted `generate` never leaves a truncated
//! pipeline or manifest behind, and the temporary files that makes.
//!
//! A file is written to a temporary file in its own folder, flushed to disk, then renamed over
//! the target; the folders are flushed once the run's renames are done. A run killed in between
//! leaves the old or the new file, never a mix, plus possibly its temporary file. Temporary
//! files are named `.<target>.gitops-gen-tmp-<6 letters or digits>` so that they can be told
//! apart from anything else and removed by the next run ([`is_leftover`]).
//!
//! Permissions: an existing file keeps its mode; a new one gets `0666` minus the process umask,
//! like any file a shell or editor creates (tempfile's default would be `0600`). The umask is
//! applied by the kernel when the temporary file is created, so it is never read or changed.

use std::collections::BTreeSet;
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::write::header::{MANAGED_MARKER, SEEDED_MARKER};

/// What a temporary file's name has between the target's name and the random part.
const TEMP_INFIX: &str = ".gitops-gen-tmp-";
/// Length of the random part of a temporary file's name.
const RANDOM_LEN: usize = 6;
/// How releases before [`TEMP_INFIX`] named their temporary files: this, then six random
/// letters or digits, whatever the target.
const LEGACY_PREFIX: &str = ".gitops-gen-";
/// How the text of a file gitops-gen writes can start: the two headers and the first comment
/// of the model `init` writes. A legacy-named file is a leftover only if it starts like one.
const KNOWN_STARTS: [&str; 3] = [MANAGED_MARKER, SEEDED_MARKER, "# gitops-gen.yaml"];

/// Writes `contents` to a temporary file beside `path`, syncs it and renames it into place.
/// The caller has checked the path ([`crate::write::guard`]) and syncs its folder afterwards
/// ([`sync_dirs`]).
pub(crate) fn write(path: &Path, contents: &str) -> Result<(), Error> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    let existing = std::fs::symlink_metadata(path)
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|m| kept_permissions(m.permissions()));
    let mut tmp = temp_file(dir, &name)
        .map_err(|e| Error::io(format!("creating a temporary file in {}", dir.display()), e))?;
    if let Some(permissions) = existing {
        // Before any byte is written, so the text is never more readable than the file it
        // replaces.
        tmp.as_file()
            .set_permissions(permissions)
            .map_err(|e| Error::io(format!("keeping the mode of {}", path.display()), e))?;
    }
    tmp.write_all(contents.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
    tmp.persist(path)
        .map_err(|e| Error::io(format!("replacing {}", path.display()), e.error))?;
    Ok(())
}

/// The permissions a replaced file keeps: its read, write and execute bits (set-id and sticky
/// bits have no business on a YAML file and are dropped).
fn kept_permissions(permissions: std::fs::Permissions) -> std::fs::Permissions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::Permissions::from_mode(permissions.mode() & 0o777)
    }
    #[cfg(not(unix))]
    permissions
}

/// A new temporary file in `dir` for the target `name`, named so [`is_leftover`] knows it.
fn temp_file(dir: &Path, name: &str) -> std::io::Result<tempfile::NamedTempFile> {
    let prefix = format!(".{name}{TEMP_INFIX}");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).rand_bytes(RANDOM_LEN);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Passed to open(2), which takes the umask away.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir)
}

/// Flushes folders to disk, so that the renames and removals in them survive a power loss.
/// Folders that are gone (emptied and removed) are skipped; file systems that cannot sync a
/// folder are not an error.
pub(crate) fn sync_dirs(dirs: &BTreeSet<PathBuf>) -> Result<(), Error> {
    if cfg!(not(unix)) {
        return Ok(());
    }
    for dir in dirs {
        match std::fs::File::open(dir).and_then(|d| d.sync_all()) {
            Ok(()) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::NotFound | ErrorKind::InvalidInput | ErrorKind::Unsupported
                ) => {}
            Err(e) => return Err(Error::io(format!("syncing {}", dir.display()), e)),
        }
    }
    Ok(())
}

/// Whether `name`, a regular file in `dir`, is a temporary file gitops-gen left behind while
/// writing one of `targets` (file names in that folder): this release's name for one of them,
/// or an earlier release's name with text that starts like a file gitops-gen writes (or none,
/// when it was killed before writing).
pub(crate) fn is_leftover(dir: &Path, name: &str, targets: &BTreeSet<&str>) -> bool {
    let ours = name
        .strip_prefix('.')
        .and_then(|rest| rest.rsplit_once(TEMP_INFIX))
        .is_some_and(|(target, random)| targets.contains(target) && is_random(random));
    ours || name.strip_prefix(LEGACY_PREFIX).is_some_and(is_random)
        && starts_like_ours(&dir.join(name))
}

/// Six ASCII letters or digits, as tempfile makes them.
fn is_random(s: &str) -> bool {
    s.len() == RANDOM_LEN && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn starts_like_ours(path: &Path) -> bool {
    let mut head = Vec::new();
    let read = std::fs::File::open(path)
        .and_then(|f| f.take(64).read_to_end(&mut head))
        .is_ok();
    read && KNOWN_STARTS.iter().any(|start| {
        let start = start.as_bytes();
        let n = head.len().min(start.len());
        head[..n] == start[..n]
    })
}

/// Removes directories left empty by a deletion, up to (not including) `root`.
pub(crate) fn remove_empty_parents(root: &Path, path: &Path) {
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == root || !d.starts_with(root) || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_temporary_file_of_a_write_is_recognised_as_a_leftover() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        let (_, kept) = temp_file(dir, "apps.yaml")
            .expect("temp file")
            .keep()
            .expect("keep");
        let name = kept
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let targets = BTreeSet::from(["apps.yaml"]);
        assert!(is_leftover(dir, &name, &targets), "{name}");
        assert!(!is_leftover(dir, &name, &BTreeSet::from(["other.yaml"])));
        assert!(!is_leftover(dir, ".apps.yaml.gitops-gen-tmp-abc", &targets));
        assert!(!is_leftover(dir, ".gitops-gen", &targets));
    }

    #[test]
    fn a_legacy_name_is_a_leftover_only_with_our_text() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        let none = BTreeSet::new();
        for (name, text, expected) in [
            (".gitops-gen-aB3dE9", "", true),
            (
                ".gitops-gen-aB3dE8",
                "# Generated by gitops-gen from gitops-gen.yaml by",
                true,
            ),
            (".gitops-gen-aB3dE7", "# Created by", true),
            (".gitops-gen-aB3dE6", "apiVersion: v1\n", false),
            (".gitops-gen-notes1x", "", false),
            (".gitops-gen-abc", "", false),
        ] {
            std::fs::write(dir.join(name), text).expect("write");
            assert_eq!(is_leftover(dir, name, &none), expected, "{name}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn an_existing_file_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("a.yaml");
        std::fs::write(&path, "old\n").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        write(&path, "new\n").expect("atomic write");
        let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "new\n");
    }
}
