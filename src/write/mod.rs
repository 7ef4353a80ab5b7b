//! WRITE stage: compares rendered outputs with the repository, then writes atomically, checks
//! (`--check`), or only reports (`--dry-run`).
//!
//! A managed file whose fingerprint no longer matches was edited by hand, and a file at an
//! output path that gitops-gen did not write belongs to someone: both are refused unless
//! `--force`. Managed files the model no longer produces are deleted when pristine.

pub(crate) mod atomic;
pub(crate) mod header;

use std::path::Path;

use crate::error::Error;
use crate::files::repo::DirRepo;
use crate::render::{OutputFile, Ownership};
use crate::write::header::{MANAGED_MARKER, Provenance};

/// What happens to one path.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// New file.
    Create,
    /// Managed file with new contents.
    Update,
    /// Already as rendered.
    Unchanged,
    /// Seeded file that exists: the user's now, left alone.
    KeepSeeded,
    /// Managed file edited by hand: refused without `--force`.
    RefuseEdited,
    /// A file gitops-gen did not write sits where an output goes: refused without `--force`.
    RefuseForeign,
    /// Pristine managed file the model no longer produces.
    Delete,
    /// Hand-edited managed file the model no longer produces: kept and reported.
    KeepEditedOrphan,
}

impl Action {
    /// Whether the repository differs from what the model produces.
    pub(crate) fn is_stale(self) -> bool {
        !matches!(
            self,
            Action::Unchanged | Action::KeepSeeded | Action::KeepEditedOrphan
        )
    }

    /// The verb shown next to the path.
    pub(crate) fn verb(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Unchanged => "unchanged",
            Action::KeepSeeded => "keep (yours)",
            Action::RefuseEdited => "refuse (edited by hand)",
            Action::RefuseForeign => "refuse (not written by gitops-gen)",
            Action::Delete => "delete",
            Action::KeepEditedOrphan => "keep (no longer generated, edited by hand)",
        }
    }
}

/// One planned change.
#[derive(Clone, Debug)]
pub(crate) struct PlanItem {
    /// Repository-relative path.
    pub(crate) path: String,
    pub(crate) action: Action,
    /// Current contents, when the file exists.
    pub(crate) old: Option<String>,
    /// What the file should contain, header included, when the model produces it.
    pub(crate) new: Option<String>,
}

/// Every path `generate` looked at, sorted.
#[derive(Clone, Debug, Default)]
pub(crate) struct Plan {
    /// Items in path order.
    pub(crate) items: Vec<PlanItem>,
}

impl Plan {
    /// Items that differ from the model.
    pub(crate) fn stale(&self) -> impl Iterator<Item = &PlanItem> {
        self.items.iter().filter(|i| i.action.is_stale())
    }

    /// Items refused without `--force`.
    pub(crate) fn refused(&self) -> impl Iterator<Item = &PlanItem> {
        self.items
            .iter()
            .filter(|i| matches!(i.action, Action::RefuseEdited | Action::RefuseForeign))
    }
}

/// Compares `outputs` with the files under `root`.
pub(crate) fn plan(root: &Path, outputs: &[OutputFile], force: bool) -> Result<Plan, Error> {
    let mut items = Vec::new();
    for out in outputs {
        let old = read_existing(&root.join(&out.path))?;
        let contents = header::contents(out);
        let action = match (&old, &out.ownership) {
            (None, _) => Action::Create,
            (Some(_), Ownership::Seeded { .. }) => Action::KeepSeeded,
            (Some(old), Ownership::Managed) if *old == contents => Action::Unchanged,
            (Some(old), Ownership::Managed) => match header::provenance(old) {
                Provenance::Pristine => Action::Update,
                _ if force => Action::Update,
                Provenance::Edited => Action::RefuseEdited,
                Provenance::Foreign => Action::RefuseForeign,
            },
        };
        items.push(PlanItem {
            path: out.path.clone(),
            action,
            old,
            new: Some(contents),
        });
    }
    for path in managed_files(root)? {
        if outputs.iter().any(|o| o.path == path) {
            continue;
        }
        let old = read_existing(&root.join(&path))?;
        let Some(old) = old else { continue };
        let action = match header::provenance(&old) {
            Provenance::Pristine => Action::Delete,
            _ if force => Action::Delete,
            _ => Action::KeepEditedOrphan,
        };
        items.push(PlanItem {
            path,
            action,
            old: Some(old),
            new: None,
        });
    }
    items.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Plan { items })
}

/// Carries out a plan. Callers must have checked [`Plan::refused`] first.
pub(crate) fn apply(root: &Path, plan: &Plan) -> Result<(), Error> {
    for item in &plan.items {
        let path = root.join(&item.path);
        match (item.action, &item.new) {
            (Action::Create | Action::Update, Some(new)) => atomic::write(&path, new)?,
            (Action::Delete, _) => {
                std::fs::remove_file(&path)
                    .map_err(|e| Error::io(format!("deleting {}", item.path), e))?;
                atomic::remove_empty_parents(root, &path);
            }
            _ => {}
        }
    }
    Ok(())
}

fn read_existing(path: &Path) -> Result<Option<String>, Error> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(format!("reading {}", path.display()), e)),
    }
}

/// Repository-relative paths of YAML files that start with the managed header, among the files
/// the repository walk sees (the same walk `analyze` uses: .gitignore honoured, hidden files
/// included, `.git` and `target` skipped). Only the first bytes of each YAML file are read.
fn managed_files(root: &Path) -> Result<Vec<String>, Error> {
    use std::io::Read;
    let repo = DirRepo::open(root)
        .map_err(|e| Error::io(format!("listing the files of {}", root.display()), e))?;
    let mut head = vec![0u8; MANAGED_MARKER.len()];
    let found = repo
        .paths()
        .iter()
        .filter(|p| p.ends_with(".yml") || p.ends_with(".yaml"))
        .filter(|p| {
            std::fs::File::open(root.join(p))
                .and_then(|mut f| f.read_exact(&mut head))
                .is_ok_and(|()| head == MANAGED_MARKER.as_bytes())
        })
        .cloned()
        .collect();
    Ok(found)
}
