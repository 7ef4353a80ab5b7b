//! The subcommands: each wires stages together; none holds stage logic of its own.

pub(crate) mod analyze;
pub(crate) mod completions;
pub(crate) mod generate;
pub(crate) mod init;
pub(crate) mod migrate;
pub(crate) mod policy;
pub(crate) mod promote;
pub(crate) mod reseal;
pub(crate) mod seal;
pub(crate) mod sync;

use std::path::Path;

use crate::error::Error;
use crate::files::inputs::read_text;
use crate::files::safe_read::{Symlinks, Unreadable};
use crate::model::{self, Config};

/// Reads and validates `<root>/gitops-gen.yaml`: a regular file of at most
/// [`MAX_FILE_BYTES`](crate::files::safe_read::MAX_FILE_BYTES), or a symlink to one inside `root`.
pub(crate) fn load_model(root: &Path) -> Result<Config, Error> {
    let name = Path::new(model::FILE_NAME);
    let text = match read_text(root, model::FILE_NAME, Symlinks::InsideRoot) {
        Ok(text) => text,
        Err(Unreadable::Missing) => {
            return Err(Error::NoModel {
                dir: root.display().to_string(),
            });
        }
        Err(why) => {
            let message = format!("`{}` {why}", model::FILE_NAME);
            return Err(Error::io(
                format!("reading {}", root.join(name).display()),
                std::io::Error::other(message),
            ));
        }
    };
    Ok(model::parse(model::FILE_NAME, &text)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(root: &Path) -> String {
        match load_model(root) {
            Ok(_) => "loaded".to_owned(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_model_over_the_size_limit_is_refused_unread() {
        let dir = tempfile::tempdir().expect("tempdir");
        let big = "# padding\n".repeat(300 * 1024);
        std::fs::write(dir.path().join(model::FILE_NAME), big).expect("write");
        assert_eq!(
            message(dir.path()),
            format!(
                "reading {}: `gitops-gen.yaml` is 2.9 MiB, over the 2 MiB limit for one file",
                dir.path().join(model::FILE_NAME).display()
            )
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_model_that_is_a_fifo_is_refused_without_waiting() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join(model::FILE_NAME);
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("mkfifo is not available; skipped");
            return;
        }
        assert!(
            message(dir.path()).ends_with("`gitops-gen.yaml` is a fifo, not a regular file"),
            "{}",
            message(dir.path())
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_model_symlink_is_followed_inside_the_repository_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::os::unix::fs::symlink("/dev/zero", root.join(model::FILE_NAME)).expect("symlink");
        let refused = message(root);
        assert!(
            refused.ends_with("`gitops-gen.yaml` is a symlink to `/dev/zero`, outside the repository; it is not followed"),
            "{refused}"
        );
        std::fs::remove_file(root.join(model::FILE_NAME)).expect("remove");
        std::fs::create_dir(root.join("config")).expect("mkdir");
        std::fs::write(root.join("config/model.yaml"), "apps: 3\n").expect("write");
        std::os::unix::fs::symlink("config/model.yaml", root.join(model::FILE_NAME))
            .expect("symlink");
        // Read (and then found invalid), not refused.
        assert!(!message(root).contains("symlink"), "{}", message(root));
    }
}
