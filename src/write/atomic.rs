//! WRITE stage: atomic file replacement, so an interrupted `generate` never leaves a truncated
//! pipeline or manifest behind.

use std::io::Write;
use std::path::Path;

use crate::error::Error;

/// Writes `contents` to a temporary file beside `path`, syncs it and renames it into place.
pub(crate) fn write(path: &Path, contents: &str) -> Result<(), Error> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".gitops-gen-")
        .tempfile_in(dir)
        .map_err(|e| Error::io(format!("creating a temporary file in {}", dir.display()), e))?;
    tmp.write_all(contents.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
    tmp.persist(path)
        .map_err(|e| Error::io(format!("replacing {}", path.display()), e.error))?;
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
