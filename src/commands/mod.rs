//! The subcommands: each wires stages together; none holds stage logic of its own.

pub mod analyze;
pub mod completions;
pub mod generate;
pub mod init;
pub mod promote;

use std::path::Path;

use crate::config::{self, Config};
use crate::error::Error;

/// Reads and validates `<root>/gitops-gen.yaml`.
pub fn load_model(root: &Path) -> Result<Config, Error> {
    let path = root.join(config::FILE_NAME);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::NoModel {
                dir: root.display().to_string(),
            });
        }
        Err(e) => return Err(Error::io(format!("reading {}", path.display()), e)),
    };
    Ok(config::parse(config::FILE_NAME, &text)?)
}
