//! The subcommands: each wires stages together; none holds stage logic of its own.

pub(crate) mod analyze;
pub(crate) mod completions;
pub(crate) mod generate;
pub(crate) mod init;
pub(crate) mod promote;

use std::path::Path;

use crate::error::Error;
use crate::model::{self, Config};

/// Reads and validates `<root>/gitops-gen.yaml`.
pub(crate) fn load_model(root: &Path) -> Result<Config, Error> {
    let path = root.join(model::FILE_NAME);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::NoModel {
                dir: root.display().to_string(),
            });
        }
        Err(e) => return Err(Error::io(format!("reading {}", path.display()), e)),
    };
    Ok(model::parse(model::FILE_NAME, &text)?)
}
