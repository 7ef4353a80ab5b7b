//! One open directory of the walk, and the few things the walk asks of it: its entries with
//! their types, a child directory, and the bytes of a small file in it.
//!
//! On Unix everything goes through the directory's descriptor (`openat`, `getdents`), so the
//! kernel never resolves a long path again and a file costs the walk no system call at all: its
//! type comes with the directory listing. Elsewhere the same is done with paths through
//! `std::fs`.

use std::ffi::OsString;

/// What an entry is, as the listing says (a symlink is not followed).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Dir,
    File,
    Symlink,
    /// A FIFO, a socket or a device, named for messages.
    Other(&'static str),
}

/// One entry of a directory.
pub(super) struct Entry {
    pub(super) name: OsString,
    pub(super) kind: Kind,
}

#[cfg(unix)]
mod imp {
    use std::ffi::{OsStr, OsString};
    use std::io::{self, Read};
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    use rustix::fs::{AtFlags, FileType, Mode, OFlags};

    use super::{Entry, Kind};

    /// An open directory.
    pub(in crate::files::walk) struct Dir {
        dir: rustix::fs::Dir,
    }

    const FLAGS: OFlags = OFlags::RDONLY
        .union(OFlags::DIRECTORY)
        .union(OFlags::NOFOLLOW)
        .union(OFlags::CLOEXEC);

    impl Dir {
        /// The directory at `path`; a symlink there is followed only with `follow` (the root
        /// the user named may be one, nothing below it may).
        pub(in crate::files::walk) fn open(path: &Path, follow: bool) -> io::Result<Dir> {
            let flags = match follow {
                true => FLAGS.difference(OFlags::NOFOLLOW),
                false => FLAGS,
            };
            let fd = rustix::fs::open(path, flags, Mode::empty())?;
            Ok(Dir {
                dir: rustix::fs::Dir::new(fd)?,
            })
        }

        /// The child directory `name`; a symlink in its place is an error.
        pub(in crate::files::walk) fn child(&self, name: &OsStr) -> io::Result<Dir> {
            let fd = rustix::fs::openat(self.dir.fd()?, name, FLAGS, Mode::empty())?;
            Ok(Dir {
                dir: rustix::fs::Dir::new(fd)?,
            })
        }

        /// Every entry but `.` and `..`, in the order the file system gives them.
        pub(in crate::files::walk) fn entries(&mut self) -> io::Result<Vec<Entry>> {
            let mut out = Vec::new();
            while let Some(entry) = self.dir.read() {
                let entry = entry?;
                let name = entry.file_name().to_bytes();
                if name == b"." || name == b".." {
                    continue;
                }
                let name = OsStr::from_bytes(name).to_owned();
                let kind = match entry.file_type() {
                    FileType::Unknown => self.kind_of(&name)?,
                    known => kind(known),
                };
                out.push(Entry { name, kind });
            }
            Ok(out)
        }

        /// The type of `name` when the listing did not say (some file systems do not).
        fn kind_of(&self, name: &OsString) -> io::Result<Kind> {
            let stat = rustix::fs::statat(self.dir.fd()?, name, AtFlags::SYMLINK_NOFOLLOW)?;
            Ok(kind(FileType::from_raw_mode(stat.st_mode)))
        }

        /// The first `limit` bytes of the regular file `name` (a symlink is refused).
        pub(in crate::files::walk) fn read(&self, name: &str, limit: u64) -> io::Result<Vec<u8>> {
            let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
            let fd = rustix::fs::openat(self.dir.fd()?, name, flags, Mode::empty())?;
            let file = std::fs::File::from(fd);
            if !file.metadata()?.is_file() {
                return Err(io::Error::other("not a regular file"));
            }
            let mut bytes = Vec::new();
            file.take(limit).read_to_end(&mut bytes)?;
            Ok(bytes)
        }
    }

    fn kind(file_type: FileType) -> Kind {
        match file_type {
            FileType::Directory => Kind::Dir,
            FileType::RegularFile => Kind::File,
            FileType::Symlink => Kind::Symlink,
            FileType::Fifo => Kind::Other("a fifo"),
            FileType::Socket => Kind::Other("a socket"),
            FileType::CharacterDevice | FileType::BlockDevice => Kind::Other("a device"),
            _ => Kind::Other("not a regular file"),
        }
    }
}

#[cfg(not(unix))]
mod imp {
    use std::ffi::OsStr;
    use std::io::{self, Read};
    use std::path::{Path, PathBuf};

    use super::{Entry, Kind};
    use crate::files::safe_read::file_kind;

    /// A directory, by its path.
    pub(in crate::files::walk) struct Dir {
        path: PathBuf,
    }

    impl Dir {
        pub(in crate::files::walk) fn open(path: &Path, follow: bool) -> io::Result<Dir> {
            if !follow && !std::fs::symlink_metadata(path)?.is_dir() {
                return Err(io::Error::other("not a directory"));
            }
            std::fs::read_dir(path)?;
            Ok(Dir {
                path: path.to_path_buf(),
            })
        }

        pub(in crate::files::walk) fn child(&self, name: &OsStr) -> io::Result<Dir> {
            Dir::open(&self.path.join(name), false)
        }

        pub(in crate::files::walk) fn entries(&mut self) -> io::Result<Vec<Entry>> {
            let mut out = Vec::new();
            for entry in std::fs::read_dir(&self.path)? {
                let entry = entry?;
                let t = entry.file_type()?;
                let kind = if t.is_dir() {
                    Kind::Dir
                } else if t.is_file() {
                    Kind::File
                } else if t.is_symlink() {
                    Kind::Symlink
                } else {
                    Kind::Other(file_kind(t))
                };
                out.push(Entry {
                    name: entry.file_name(),
                    kind,
                });
            }
            Ok(out)
        }

        pub(in crate::files::walk) fn read(&self, name: &str, limit: u64) -> io::Result<Vec<u8>> {
            let path = self.path.join(name);
            if !std::fs::symlink_metadata(&path)?.is_file() {
                return Err(io::Error::other("not a regular file"));
            }
            let mut bytes = Vec::new();
            std::fs::File::open(path)?
                .take(limit)
                .read_to_end(&mut bytes)?;
            Ok(bytes)
        }
    }
}

pub(super) use imp::Dir;
