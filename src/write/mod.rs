//! WRITE stage: compares rendered outputs with the repository, then writes atomically, checks
//! (`--check`), or only reports (`--dry-run`).
//!
//! A managed file whose fingerprint no longer matches was edited by hand, and a file at an
//! output path that gitops-gen did not write belongs to someone: both are refused unless
//! `--force`, and a pipeline gitops-gen did not write (the team's `.gitlab-ci.yml` or workflow)
//! is refused even then, since replacing it would delete the team's jobs. A team file gitops-gen
//! only adds lines to ([`Ownership::TeamEdit`]: the `include:` of its GitLab pipeline) is written
//! only while it is still the text the edit was made from. Managed files the model no longer produces are deleted when pristine, and only
//! at the path their header records ([`header::recorded_path`]): a copy elsewhere is never
//! touched. Seeded files (the user's) the model no longer produces are kept and reported. Every
//! path is checked before the first write ([`guard`]): nothing is written,
//! replaced or deleted through a symbolic link or over anything but a regular file, whatever
//! `--force` says. Temporary files an interrupted run left next to a path the plan writes are
//! removed ([`atomic::is_leftover`]).

pub(crate) mod atomic;
pub(crate) mod digests;
pub(crate) mod guard;
pub(crate) mod header;
pub(crate) mod record;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::files::repo::DirRepo;
use crate::render::{OutputFile, Ownership};
use crate::write::header::{MANAGED_MARKER, Provenance, SEEDED_MARKER};

/// What happens to one path.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// New file.
    Create,
    /// Managed file with new contents.
    Update,
    /// Already as rendered (line endings aside).
    Unchanged,
    /// Seeded file that exists: the user's now, left alone.
    KeepSeeded,
    /// Managed file edited by hand: refused without `--force`.
    RefuseEdited,
    /// A file gitops-gen did not write sits where an output goes: refused without `--force`.
    RefuseForeign,
    /// A pipeline gitops-gen did not write (`.gitlab-ci.yml`, a GitHub workflow) sits where an
    /// output goes: replacing it would delete the team's jobs, so it is refused even with
    /// `--force`.
    RefuseForeignPipeline,
    /// The path goes through a symbolic link or ends at something other than a regular file:
    /// refused even with `--force`; [`PlanItem::reason`] says why.
    RefuseUnsafe,
    /// Pristine managed file the model no longer produces, at the path it records.
    Delete,
    /// Hand-edited managed file the model no longer produces: kept and reported.
    KeepEditedOrphan,
    /// Managed file the model no longer produces, written by a release that did not record its
    /// path: it may be a copy, so it is kept and reported.
    KeepUnrecordedOrphan,
    /// Seeded file (the user's) the model no longer produces, such as the base of a removed app
    /// or an overlay under an old `gitops.path`: kept and reported.
    KeepSeededOrphan,
    /// Temporary file an interrupted run left next to a path the plan writes.
    RemoveLeftover,
}

impl Action {
    /// Whether the repository differs from what the model produces.
    pub(crate) fn is_stale(self) -> bool {
        !matches!(
            self,
            Action::Unchanged
                | Action::KeepSeeded
                | Action::KeepEditedOrphan
                | Action::KeepUnrecordedOrphan
                | Action::KeepSeededOrphan
        )
    }

    /// Whether carrying out the action writes, replaces or removes a file.
    pub(crate) fn touches_disk(self) -> bool {
        matches!(
            self,
            Action::Create | Action::Update | Action::Delete | Action::RemoveLeftover
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
            Action::RefuseForeignPipeline => "refuse (a pipeline gitops-gen did not write)",
            Action::RefuseUnsafe => "refuse (not a plain path)",
            Action::Delete => "delete",
            Action::KeepEditedOrphan => "keep (no longer generated, edited by hand)",
            Action::KeepUnrecordedOrphan => "keep (no longer generated, path not recorded)",
            Action::KeepSeededOrphan => "keep (yours, no longer generated)",
            Action::RemoveLeftover => "remove (left by an interrupted run)",
        }
    }
}

/// One planned change.
#[derive(Clone, Debug)]
pub(crate) struct PlanItem {
    /// Repository-relative path.
    pub(crate) path: String,
    pub(crate) action: Action,
    /// Current contents, when the file exists and was read.
    pub(crate) old: Option<String>,
    /// What the file should contain, header included, when the model produces it.
    pub(crate) new: Option<String>,
    /// Why the path is refused, for [`Action::RefuseUnsafe`].
    pub(crate) reason: Option<String>,
}

impl PlanItem {
    fn new(path: String, action: Action, old: Option<String>, new: Option<String>) -> PlanItem {
        PlanItem {
            path,
            action,
            old,
            new,
            reason: None,
        }
    }
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

    /// Items refused: edited and foreign files without `--force`, unsafe paths always.
    pub(crate) fn refused(&self) -> impl Iterator<Item = &PlanItem> {
        self.items.iter().filter(|i| {
            matches!(
                i.action,
                Action::RefuseEdited
                    | Action::RefuseForeign
                    | Action::RefuseForeignPipeline
                    | Action::RefuseUnsafe
            )
        })
    }
}

/// The file names the plan may write in each folder (repository-relative, `""` for the root),
/// for finding leftovers of earlier interrupted writes.
type Targets = BTreeMap<String, BTreeSet<String>>;

/// Compares `outputs` with the files under `root`. Reads, never writes.
pub(crate) fn plan(root: &Path, outputs: &[OutputFile], force: bool) -> Result<Plan, Error> {
    let mut items = Vec::new();
    let mut targets = Targets::new();
    let mut folders = guard::Folders::default();
    let record = record::of(outputs);
    for out in outputs.iter().chain(&record) {
        items.push(plan_output(root, out, force, &mut targets, &mut folders)?);
    }
    // The record was read (and its path checked) as one of the outputs; read it here only
    // when the outputs hold none.
    let previous = match items.iter().find(|i| i.path == record::PATH) {
        Some(item) => item.old.as_deref().and_then(record::listed),
        None => record::read(root),
    };
    let (managed, seeded) = match previous {
        Some(recorded) => classify(root, recorded.into_iter(), &mut folders),
        None => walked_files(root, &mut folders)?,
    };
    let produced: HashSet<&str> = outputs.iter().map(|o| o.path.as_str()).collect();
    for path in seeded {
        if !produced.contains(path.as_str()) {
            items.push(PlanItem::new(path, Action::KeepSeededOrphan, None, None));
        }
    }
    for path in managed {
        if path == record::PATH
            || path == digests::PATH
            || produced.contains(path.as_str())
            || folders.unsafe_reason(root, &path).is_some()
        {
            continue;
        }
        let Some(old) = read_existing(&root.join(&path))? else {
            continue;
        };
        let action = match header::recorded_path(&old) {
            // A copy or a move of a generated file: someone put it there, it is theirs.
            Some(recorded) if recorded != path => continue,
            None => Action::KeepUnrecordedOrphan,
            Some(_) => match header::provenance(&old) {
                Provenance::Pristine => Action::Delete,
                _ if force => Action::Delete,
                _ => Action::KeepEditedOrphan,
            },
        };
        add_target(&mut targets, &path);
        items.push(PlanItem::new(path, action, Some(old), None));
    }
    items.extend(leftovers(root, &targets));
    items.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Plan { items })
}

/// The plan for one output path.
fn plan_output(
    root: &Path,
    out: &OutputFile,
    force: bool,
    targets: &mut Targets,
    folders: &mut guard::Folders,
) -> Result<PlanItem, Error> {
    let contents = header::contents(out);
    let full = root.join(&out.path);
    if matches!(out.ownership, Ownership::Seeded { .. }) && std::fs::symlink_metadata(&full).is_ok()
    {
        // Whatever is there is the user's; it is neither read nor written.
        return Ok(PlanItem::new(
            out.path.clone(),
            Action::KeepSeeded,
            None,
            Some(contents),
        ));
    }
    if let Some(reason) = folders.unsafe_reason(root, &out.path) {
        let mut item = PlanItem::new(out.path.clone(), Action::RefuseUnsafe, None, Some(contents));
        item.reason = Some(reason);
        return Ok(item);
    }
    add_target(targets, &out.path);
    let old = read_existing(&full)?;
    let item = match &out.ownership {
        Ownership::TeamEdit { base } => team_edit(out, base, old, contents),
        _ => owned(out, old, contents, force),
    };
    // What is on disk already was checked when it was written; only a change is parsed back.
    if matches!(item.action, Action::Create | Action::Update) {
        out.self_check()?;
    }
    Ok(item)
}

/// The plan for a file gitops-gen owns (managed or seeded) that is not known to be the user's.
fn owned(out: &OutputFile, old: Option<String>, contents: String, force: bool) -> PlanItem {
    let action = match &old {
        None => Action::Create,
        Some(old) if *old == contents || header::same_but_line_endings(old, &contents) => {
            Action::Unchanged
        }
        Some(old) => match header::provenance(old) {
            Provenance::Pristine => Action::Update,
            Provenance::Foreign if is_pipeline(&out.path) => Action::RefuseForeignPipeline,
            _ if force => Action::Update,
            Provenance::Edited => Action::RefuseEdited,
            Provenance::Foreign => Action::RefuseForeign,
        },
    };
    PlanItem::new(out.path.clone(), action, old, Some(contents))
}

/// The plan for a team's file gitops-gen adds lines to: unchanged when they are there, an update
/// when the file is still what rendering read, refused when it changed in between (or went).
fn team_edit(out: &OutputFile, base: &str, old: Option<String>, contents: String) -> PlanItem {
    let action = match &old {
        Some(old) if *old == contents => Action::Unchanged,
        Some(old) if old == base => Action::Update,
        _ => Action::RefuseUnsafe,
    };
    let mut item = PlanItem::new(out.path.clone(), action, old, Some(contents));
    if action == Action::RefuseUnsafe {
        item.reason = Some("changed while generating; run `gitops-gen generate` again".to_owned());
    }
    item
}

/// Whether `path` is where a CI system reads a pipeline: `.gitlab-ci.yml` or a GitHub workflow.
fn is_pipeline(path: &str) -> bool {
    path == ".gitlab-ci.yml"
        || path
            .strip_prefix(".github/workflows/")
            .is_some_and(|name| !name.contains('/'))
}

fn add_target(targets: &mut Targets, path: &str) {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    targets
        .entry(dir.to_owned())
        .or_default()
        .insert(name.to_owned());
}

/// Temporary files left next to the targets by interrupted runs.
fn leftovers(root: &Path, targets: &Targets) -> Vec<PlanItem> {
    let mut found = Vec::new();
    for (dir, names) in targets {
        let full = root.join(dir);
        let Ok(entries) = std::fs::read_dir(&full) else {
            continue;
        };
        let names: BTreeSet<&str> = names.iter().map(String::as_str).collect();
        for entry in entries.flatten() {
            let is_file = entry.file_type().is_ok_and(|t| t.is_file());
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if is_file && atomic::is_leftover(&full, &name, &names) {
                let path = if dir.is_empty() {
                    name
                } else {
                    format!("{dir}/{name}")
                };
                found.push(PlanItem::new(path, Action::RemoveLeftover, None, None));
            }
        }
    }
    found
}

/// Carries out a plan. Callers must have checked [`Plan::refused`] first. Each path is checked
/// again just before it is touched; the folders written to are synced at the end.
pub(crate) fn apply(root: &Path, plan: &Plan) -> Result<(), Error> {
    let mut dirs = BTreeSet::new();
    for item in plan.items.iter().filter(|i| i.action.touches_disk()) {
        let path = root.join(&item.path);
        if let Some(reason) = guard::unsafe_reason(root, &item.path) {
            return Err(Error::Refused(format!(
                "{} changed while generating: {reason}; run `gitops-gen generate` again",
                item.path
            )));
        }
        match (item.action, &item.new) {
            (Action::Create | Action::Update, Some(new)) => atomic::write(&path, new)?,
            (Action::Delete | Action::RemoveLeftover, _) => {
                std::fs::remove_file(&path)
                    .map_err(|e| Error::io(format!("deleting {}", item.path), e))?;
                if item.action == Action::Delete {
                    atomic::remove_empty_parents(root, &path);
                }
            }
            _ => {}
        }
        add_ancestors(root, &path, &mut dirs);
    }
    atomic::sync_dirs(&dirs)
}

/// Writes one file gitops-gen owns outright (the model `init` writes): checked like every
/// output, written atomically, keeping its mode. Returns the leftover temporary files of
/// earlier attempts that it removed.
pub(crate) fn write_file(root: &Path, rel: &str, contents: &str) -> Result<Vec<String>, Error> {
    check_path(root, rel)?;
    let mut targets = Targets::new();
    add_target(&mut targets, rel);
    let mut plan = Plan {
        items: leftovers(root, &targets),
    };
    plan.items.push(PlanItem::new(
        rel.to_owned(),
        Action::Update,
        None,
        Some(contents.to_owned()),
    ));
    apply(root, &plan)?;
    Ok(plan
        .items
        .into_iter()
        .filter(|i| i.action == Action::RemoveLeftover)
        .map(|i| i.path)
        .collect())
}

/// Refuses (exit code 1) a path gitops-gen may not write, before anything is written.
pub(crate) fn check_path(root: &Path, rel: &str) -> Result<(), Error> {
    match guard::unsafe_reason(root, rel) {
        Some(reason) => Err(Error::Refused(format!("not writing {rel}: {reason}"))),
        None => Ok(()),
    }
}

/// `path`'s folders from its own up to `root`, included: a created folder's entry lives in
/// its parent.
fn add_ancestors(root: &Path, path: &Path, dirs: &mut BTreeSet<PathBuf>) {
    let mut dir = path.parent();
    while let Some(d) = dir {
        dirs.insert(d.to_path_buf());
        if d == root || !d.starts_with(root) {
            break;
        }
        dir = d.parent();
    }
}

fn read_existing(path: &Path) -> Result<Option<String>, Error> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(format!("reading {}", path.display()), e)),
    }
}

/// Repository-relative paths of YAML files that start with the managed header, then of those
/// that start with the seeded one, among the files the repository walk sees (the same walk
/// `analyze` uses: .gitignore honoured, hidden files included, `.git` and `target` skipped,
/// symlinks not followed): where written files are looked for when there is no
/// [`record`].
fn walked_files(
    root: &Path,
    folders: &mut guard::Folders,
) -> Result<(Vec<String>, Vec<String>), Error> {
    let repo = DirRepo::open(root)
        .map_err(|e| Error::io(format!("listing the files of {}", root.display()), e))?;
    let mut yaml = Vec::new();
    repo.paths().for_each(|p| {
        if p.ends_with(".yml") || p.ends_with(".yaml") {
            yaml.push(p.to_owned());
        }
    });
    Ok(classify(root, yaml.into_iter(), folders))
}

/// Of `paths`, those that start with the managed header, then those that start with the seeded
/// one; a path that is not plain or goes through a symbolic link is neither. Only the first
/// bytes of each file are read.
fn classify(
    root: &Path,
    paths: impl Iterator<Item = String>,
    folders: &mut guard::Folders,
) -> (Vec<String>, Vec<String>) {
    use std::io::Read;
    let longest = MANAGED_MARKER.len().max(SEEDED_MARKER.len());
    let (mut managed, mut seeded) = (Vec::new(), Vec::new());
    for path in paths {
        if folders.unsafe_reason(root, &path).is_some() {
            continue;
        }
        let mut head = Vec::with_capacity(longest);
        let read = std::fs::File::open(root.join(&path))
            .and_then(|f| f.take(longest as u64).read_to_end(&mut head));
        if read.is_err() {
            continue;
        }
        if head.starts_with(MANAGED_MARKER.as_bytes()) {
            managed.push(path);
        } else if head.starts_with(SEEDED_MARKER.as_bytes()) {
            seeded.push(path);
        }
    }
    (managed, seeded)
}
