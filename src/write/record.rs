//! WRITE stage: the record of what `generate` wrote under a root, [`PATH`], a managed file like
//! any other. The next run reads it to find the files a changed model no longer produces, so a
//! `generate` in a monorepo of a hundred thousand files opens its own files, not every YAML file
//! of the repository.
//!
//! The record is only where to look: each path it lists is still judged by its own header, and
//! a path that is not a plain relative one is passed over. When the record is missing (a tree
//! written by a release before it existed, or a record deleted) or not pristine (edited by
//! hand), `generate` walks the repository instead, as before.

use std::path::Path;

use crate::render::{OutputFile, Ownership};
use crate::write::guard;
use crate::write::header::{self, Provenance};

/// Where the record is, relative to the root the outputs are written under.
pub(crate) const PATH: &str = ".gitops-gen/files";

/// The record of `outputs`: every managed and seeded path, sorted, one per line. A team's file
/// gitops-gen only adds lines to is not listed: it is never gitops-gen's to delete.
pub(crate) fn of<'a>(outputs: impl IntoIterator<Item = &'a OutputFile>) -> Option<OutputFile> {
    let mut outputs = outputs.into_iter().peekable();
    let home = outputs.peek()?.home;
    let mut body = String::from(
        "# The files `gitops-gen generate` wrote under this folder, one per line. The next run\n\
         # reads this list to find the files a changed model no longer produces.\n",
    );
    let mut paths: Vec<&str> = outputs
        .filter(|o| !matches!(o.ownership, Ownership::TeamEdit { .. }))
        .map(|o| o.path.as_str())
        .collect();
    paths.sort_unstable();
    for path in paths {
        body.push_str(path);
        body.push('\n');
    }
    Some(OutputFile {
        path: PATH.to_owned(),
        body,
        ownership: Ownership::Managed,
        home,
        unchecked: None,
    })
}

/// The paths the record under `root` lists, when it is there and pristine.
pub(crate) fn read(root: &Path) -> Option<Vec<String>> {
    if guard::unsafe_reason(root, PATH).is_some() {
        return None;
    }
    listed(&std::fs::read_to_string(root.join(PATH)).ok()?)
}

/// The paths the record `text` lists, when it is pristine.
pub(crate) fn listed(text: &str) -> Option<Vec<String>> {
    if header::provenance(text) != Provenance::Pristine || header::recorded_path(text) != Some(PATH)
    {
        return None;
    }
    Some(
        text.lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| l.trim_end_matches('\r').to_owned())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use crate::render::{Home, OutputFile, Ownership};
    use crate::write::{Action, apply, header, plan};

    fn managed(path: &str) -> OutputFile {
        OutputFile {
            path: path.to_owned(),
            body: "a: 1\n".to_owned(),
            ownership: Ownership::Managed,
            home: Home::This,
            unchecked: None,
        }
    }

    fn action(plan: &crate::write::Plan, path: &str) -> Option<Action> {
        plan.items.iter().find(|i| i.path == path).map(|i| i.action)
    }

    /// Orphans are found through the record when it is there and pristine, and by walking the
    /// repository when it is missing or edited.
    #[test]
    fn orphans_are_found_through_the_record_else_by_walking()
    -> Result<(), Box<dyn std::error::Error>> {
        let tmp = tempfile::tempdir()?;
        let root = tmp.path();
        let first = [managed("a/one.yaml"), managed("b/two.yaml")];
        apply(root, &plan(root, &first, false)?)?;
        assert!(super::read(root).is_some_and(|r| r == ["a/one.yaml", "b/two.yaml"]));

        // `b/two.yaml` is gone from the model: the record says where it is.
        let second = [managed("a/one.yaml")];
        assert_eq!(
            action(&plan(root, &second, false)?, "b/two.yaml"),
            Some(Action::Delete)
        );

        // A managed file the record does not list is not looked for while the record is good...
        let stray = header::contents(&managed("c/three.yaml"));
        std::fs::create_dir_all(root.join("c"))?;
        std::fs::write(root.join("c/three.yaml"), stray)?;
        assert_eq!(action(&plan(root, &second, false)?, "c/three.yaml"), None);
        // ...and is found by the walk once the record is edited by hand, or deleted.
        let record = root.join(super::PATH);
        let edited = std::fs::read_to_string(&record)? + "x/y.yaml\n";
        std::fs::write(&record, edited)?;
        let walked = plan(root, &second, false)?;
        assert_eq!(action(&walked, "c/three.yaml"), Some(Action::Delete));
        assert_eq!(action(&walked, super::PATH), Some(Action::RefuseEdited));
        std::fs::remove_file(&record)?;
        let walked = plan(root, &second, false)?;
        assert_eq!(action(&walked, "c/three.yaml"), Some(Action::Delete));
        assert_eq!(action(&walked, super::PATH), Some(Action::Create));
        Ok(())
    }

    /// A path in the record that is not a plain relative one is never opened or deleted.
    #[test]
    fn a_recorded_path_outside_the_root_is_passed_over() -> Result<(), Box<dyn std::error::Error>> {
        let tmp = tempfile::tempdir()?;
        let root = tmp.path().join("repo");
        std::fs::create_dir_all(&root)?;
        let outside = header::contents(&managed("../victim.yaml"));
        std::fs::write(tmp.path().join("victim.yaml"), outside)?;
        let mut record = managed(super::PATH);
        record.body = "../victim.yaml\n/etc/passwd\n".to_owned();
        std::fs::create_dir_all(root.join(".gitops-gen"))?;
        std::fs::write(root.join(super::PATH), header::contents(&record))?;
        assert!(super::read(&root).is_some());
        let planned = plan(&root, &[managed("a.yaml")], false)?;
        assert!(
            planned
                .items
                .iter()
                .all(|i| !i.path.contains("victim") && !i.path.contains("passwd")),
            "{:?}",
            planned.items.iter().map(|i| &i.path).collect::<Vec<_>>()
        );
        Ok(())
    }
}
