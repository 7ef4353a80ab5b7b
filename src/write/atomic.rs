//! WRITE stage: atomic file replacement, so an interrupted `generate` never leaves a truncated
//! pipeline or manifest behind.
//!
//! A file is written to a temporary file in its own folder, flushed to disk, then renamed over
//! the target; the folders are flushed once the run's renames are done. A run killed in between
//! leaves the old or the new file, never a mix.
//!
//! Permissions: an existing file keeps its mode; a new one gets `0666` minus the process umask,
//! like any file a shell or editor creates (tempfile's default would be `0600`). The umask is
//! applied by the kernel when the temporary file is created, so it is never read or changed.

use std::collections::BTreeSet;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use crate::error::Error;

/// Writes `contents` to a temporary file beside `path`, syncs it and renames it into place.
/// The caller has checked the path ([`crate::write::guard`]) and syncs its folder afterwards
/// ([`sync_dirs`]).
pub(crate) fn write(path: &Path, contents: &str) -> Result<(), Error> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    let existing = std::fs::symlink_metadata(path)
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|m| kept_permissions(m.permissions()));
    let mut tmp = temp_file(dir)
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

/// A new temporary file in `dir`.
fn temp_file(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".gitops-gen-");
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
