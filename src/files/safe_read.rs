//! The one way gitops-gen reads a file it did not write: `gitops-gen.yaml` and every file of a
//! repository being analysed go through [`read_text`].
//!
//! Only regular files are read, so a FIFO cannot hang a command and a device cannot feed it
//! forever; symlinks are refused or, where the caller allows it, followed only to a file inside
//! the repository root; at most [`MAX_FILE_BYTES`] are read, whatever the file claims its size
//! is; and the text must be UTF-8. Every refusal says why ([`Unreadable`]).

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::files::Code;
use crate::files::size::human;

/// The largest file read: no pipeline, manifest or model is anywhere near it, and reading
/// generated blobs or hostile files would only cost time and memory.
pub(crate) const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

/// What to do when the path is a symlink.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Symlinks {
    /// Never read through one (repository files: the walk does not follow them either).
    Refuse,
    /// Follow it when the file it resolves to is inside the root (`gitops-gen.yaml`).
    InsideRoot,
}

/// Why a file was not read. Messages are lowercase and complete a sentence that starts with
/// the file's name: "`x` is not utf-8 text ...".
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Unreadable {
    /// Nothing at the path (or the repository does not list it).
    Missing,
    /// A directory, FIFO, socket or device: `kind` names it ("a fifo").
    NotRegular { kind: &'static str },
    /// A symlink, refused.
    Symlink,
    /// A symlink that resolves outside the repository root.
    OutsideRoot { target: PathBuf },
    /// Larger than the limit; `size` is what the file system says, or `limit + 1` when the
    /// file kept growing while read.
    TooLarge { size: u64, limit: u64 },
    /// Not UTF-8 text; `at` is the byte offset of the first invalid byte, `binary` whether the
    /// file holds a NUL byte (so it is most likely binary, not text in another encoding).
    NotText { at: usize, binary: bool },
    /// The operating system refused (permissions, I/O error): its message.
    Io(String),
}

impl Unreadable {
    /// The diagnostic code a skip for this reason is reported with.
    pub(crate) fn code(&self) -> Code {
        match self {
            Unreadable::TooLarge { .. } => Code::FileTooLarge,
            Unreadable::NotText { .. } => Code::FileNotText,
            Unreadable::Symlink | Unreadable::OutsideRoot { .. } => Code::SymlinkNotFollowed,
            Unreadable::Missing | Unreadable::NotRegular { .. } | Unreadable::Io(_) => {
                Code::FileUnreadable
            }
        }
    }

    fn from_io(e: &std::io::Error) -> Unreadable {
        if e.kind() == std::io::ErrorKind::NotFound {
            return Unreadable::Missing;
        }
        Unreadable::Io(lowercase_io(e))
    }
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unreadable::Missing => f.write_str("does not exist"),
            Unreadable::NotRegular { kind } => {
                write!(f, "is {kind}, not a regular file")
            }
            Unreadable::Symlink => f.write_str("is a symlink, which is not followed"),
            Unreadable::OutsideRoot { target } => write!(
                f,
                "is a symlink to `{}`, outside the repository; it is not followed",
                target.display()
            ),
            Unreadable::TooLarge { size, limit } => write!(
                f,
                "is {}, over the {} limit for one file",
                human(*size),
                human(*limit)
            ),
            Unreadable::NotText { at, binary: true } => write!(
                f,
                "is not utf-8 text: it holds binary data (invalid utf-8 at byte {at})"
            ),
            Unreadable::NotText { at, binary: false } => write!(
                f,
                "is not utf-8 text (invalid utf-8 at byte {at}; another encoding?)"
            ),
            Unreadable::Io(message) => write!(f, "cannot be read: {message}"),
        }
    }
}

/// Reads `root/rel` as UTF-8 text, refusing anything but a regular file of at most `limit`
/// bytes; `symlinks` says whether a symlink may lead to a file inside `root`.
///
/// The checks come before the file is opened (so a FIFO is never opened) and are repeated on
/// the open handle, and the read stops after `limit + 1` bytes even if the file grows.
pub(crate) fn read_text(
    root: &Path,
    rel: &Path,
    symlinks: Symlinks,
    limit: u64,
) -> Result<String, Unreadable> {
    let path = root.join(rel);
    let meta = std::fs::symlink_metadata(&path).map_err(|e| Unreadable::from_io(&e))?;
    let (path, meta) = if meta.file_type().is_symlink() {
        if symlinks == Symlinks::Refuse {
            return Err(Unreadable::Symlink);
        }
        let target = std::fs::canonicalize(&path).map_err(|e| Unreadable::from_io(&e))?;
        let inside = std::fs::canonicalize(root).is_ok_and(|r| target.starts_with(r));
        if !inside {
            return Err(Unreadable::OutsideRoot { target });
        }
        let meta = std::fs::metadata(&target).map_err(|e| Unreadable::from_io(&e))?;
        (target, meta)
    } else {
        (path, meta)
    };
    check(&meta, limit)?;
    let file = std::fs::File::open(&path).map_err(|e| Unreadable::from_io(&e))?;
    // The path may have changed between the check and the open: check what was opened.
    let opened = file.metadata().map_err(|e| Unreadable::from_io(&e))?;
    check(&opened, limit)?;
    let mut bytes = Vec::with_capacity(usize::try_from(opened.len()).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Unreadable::from_io(&e))?;
    if bytes.len() as u64 > limit {
        return Err(Unreadable::TooLarge {
            size: limit.saturating_add(1),
            limit,
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let binary = e.as_bytes().contains(&0);
        Unreadable::NotText { at, binary }
    })
}

/// Refuses what is not a regular file of at most `limit` bytes.
fn check(meta: &std::fs::Metadata, limit: u64) -> Result<(), Unreadable> {
    let kind = file_kind(meta.file_type());
    if kind != "a file" {
        return Err(Unreadable::NotRegular { kind });
    }
    if meta.len() > limit {
        return Err(Unreadable::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    Ok(())
}

/// What a file-system entry is, with its article: `a file`, `a directory`, `a fifo`, ...
pub(crate) fn file_kind(t: std::fs::FileType) -> &'static str {
    if t.is_file() {
        return "a file";
    }
    if t.is_dir() {
        return "a directory";
    }
    if t.is_symlink() {
        return "a symlink";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a fifo";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    "a special file"
}

/// An I/O error as a lowercase message without the `(os error N)` tail.
pub(crate) fn lowercase_io(e: &std::io::Error) -> String {
    let text = e.to_string();
    let text = match text.find(" (os error") {
        Some(i) => text.get(..i).unwrap_or(&text),
        None => &text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(root: &Path, rel: &str, symlinks: Symlinks) -> Result<String, Unreadable> {
        read_text(root, Path::new(rel), symlinks, MAX_FILE_BYTES)
    }

    #[test]
    fn reads_a_regular_utf8_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.yaml"), "a: 1\n").expect("write");
        assert_eq!(
            read(dir.path(), "a.yaml", Symlinks::Refuse).as_deref(),
            Ok("a: 1\n")
        );
        assert_eq!(
            read(dir.path(), "b.yaml", Symlinks::Refuse),
            Err(Unreadable::Missing)
        );
        let dir_kind = read(dir.path(), ".", Symlinks::Refuse);
        assert_eq!(
            dir_kind,
            Err(Unreadable::NotRegular {
                kind: "a directory"
            })
        );
    }

    #[test]
    fn a_sparse_file_is_refused_by_its_size_without_reading_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = std::fs::File::create(dir.path().join("big")).expect("create");
        file.set_len(1 << 30).expect("sparse 1 GiB");
        let err = read(dir.path(), "big", Symlinks::Refuse);
        assert_eq!(
            err,
            Err(Unreadable::TooLarge {
                size: 1 << 30,
                limit: MAX_FILE_BYTES
            })
        );
        let message = err.err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(message, "is 1 GiB, over the 2 MiB limit for one file");
    }

    #[test]
    fn binary_and_other_encodings_say_so() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("bin"), b"ab\x00\xff").expect("write");
        std::fs::write(dir.path().join("latin1"), b"caf\xe9\n").expect("write");
        let bin = read(dir.path(), "bin", Symlinks::Refuse);
        assert_eq!(
            bin,
            Err(Unreadable::NotText {
                at: 3,
                binary: true
            })
        );
        let latin1 = read(dir.path(), "latin1", Symlinks::Refuse).err();
        assert_eq!(
            latin1.map(|e| e.to_string()).as_deref(),
            Some("is not utf-8 text (invalid utf-8 at byte 3; another encoding?)")
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_refused_or_followed_inside_the_root_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::write(root.join("real.yaml"), "a: 1\n").expect("write");
        std::os::unix::fs::symlink("real.yaml", root.join("link.yaml")).expect("symlink");
        std::os::unix::fs::symlink("/dev/zero", root.join("zero")).expect("symlink");
        std::os::unix::fs::symlink("/etc/hostname", root.join("out")).expect("symlink");
        assert_eq!(
            read(root, "link.yaml", Symlinks::Refuse),
            Err(Unreadable::Symlink)
        );
        assert_eq!(
            read(root, "link.yaml", Symlinks::InsideRoot).as_deref(),
            Ok("a: 1\n")
        );
        for outside in ["zero", "out"] {
            let err = read(root, outside, Symlinks::InsideRoot);
            assert!(
                matches!(err, Err(Unreadable::OutsideRoot { .. })),
                "{outside}: {err:?}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_opening_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let status = std::process::Command::new("mkfifo")
            .arg(dir.path().join("pipe"))
            .status();
        if !status.is_ok_and(|s| s.success()) {
            eprintln!("mkfifo is not available; skipped");
            return;
        }
        assert_eq!(
            read(dir.path(), "pipe", Symlinks::InsideRoot),
            Err(Unreadable::NotRegular { kind: "a fifo" })
        );
    }
}
