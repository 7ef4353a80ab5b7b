//! WRITE stage: the header every generated file starts with, and the fingerprint that lets
//! `generate` tell its own output from a hand edit.
//!
//! A managed header records the repository-relative path the file was generated for, on the
//! line after the fingerprint, so the fingerprint covers it. `generate` deletes a managed file
//! the model no longer produces only where that recorded path is the file's own path: a copy or
//! a move elsewhere (`backup/gitops-old.yml`) is not gitops-gen's to delete. Files written by
//! releases before the recorded path have the same three first lines and no path line; their
//! fingerprint covers the body, which is still "everything after the fingerprint line".

use crate::render::{Home, OutputFile, Ownership};

pub(crate) use crate::render::MANAGED_MARKER;
/// Start of every seeded file's first line.
pub(crate) const SEEDED_MARKER: &str = "# Created by gitops-gen.";
const FINGERPRINT_PREFIX: &str = "# gitops-gen-fingerprint: sha1:";
const PATH_PREFIX: &str = "# gitops-gen-path: ";

/// The full text of a rendered file: its header, then its body.
pub(crate) fn contents(file: &OutputFile) -> String {
    match &file.ownership {
        Ownership::Managed => managed(&file.path, &file.body, file.home),
        Ownership::Seeded { note } => seeded(&file.body, note),
        Ownership::TeamEdit { .. } => file.body.clone(),
    }
}

/// Prepends the managed-file header, whose fingerprint covers everything after it: the
/// recorded path and the body. The second line, which says where the file comes from, is not
/// covered.
fn managed(path: &str, body: &str, home: Home) -> String {
    let covered = format!("{PATH_PREFIX}{path}\n{body}");
    let origin = match home {
        Home::This => {
            "# change gitops-gen.yaml instead; CI checks this file with `gitops-gen generate --check`."
        }
        Home::Gitops => {
            "# change gitops-gen.yaml in the application repository instead; `gitops-gen sync` writes it."
        }
    };
    format!(
        "{MANAGED_MARKER} by `gitops-gen generate`. Do not edit:\n{origin}\n\
         {FINGERPRINT_PREFIX}{}\n{covered}",
        fingerprint(&covered)
    )
}

/// Prepends the comment of a file that is written once and then belongs to the user.
fn seeded(body: &str, note: &str) -> String {
    format!("{SEEDED_MARKER} This file is yours: gitops-gen never overwrites it.\n{note}{body}")
}

/// What the first lines of an existing file say about who owns it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Provenance {
    /// Not written by gitops-gen as a managed file.
    Foreign,
    /// Managed, and the body still matches its fingerprint.
    Pristine,
    /// Managed, but the body was changed by hand after generation.
    Edited,
}

/// Classifies file contents by their header. Line endings do not count: a checkout that turned
/// every `\n` into `\r\n` (git's `core.autocrlf` on Windows) is still pristine.
pub(crate) fn provenance(text: &str) -> Provenance {
    if !text.starts_with(MANAGED_MARKER) {
        return Provenance::Foreign;
    }
    let text = lf(text);
    let mut offset = 0;
    for line in text.split_inclusive('\n').take(3) {
        offset += line.len();
        if let Some(recorded) = line.trim_end().strip_prefix(FINGERPRINT_PREFIX) {
            return if recorded == fingerprint(&text[offset..]) {
                Provenance::Pristine
            } else {
                Provenance::Edited
            };
        }
    }
    Provenance::Edited
}

/// The path a managed file's header says it was generated for; `None` for files without one
/// (foreign files, and managed files from releases that did not record it).
pub(crate) fn recorded_path(text: &str) -> Option<&str> {
    let mut lines = text.lines().take(4);
    lines.find(|l| l.starts_with(FINGERPRINT_PREFIX))?;
    lines.next()?.strip_prefix(PATH_PREFIX)
}

/// Whether `old` is `new` with some `\n` turned into `\r\n`, i.e. the same file as checked out
/// with CRLF line endings.
pub(crate) fn same_but_line_endings(old: &str, new: &str) -> bool {
    old.len() > new.len() && old.contains('\r') && lf(old) == new
}

/// `text` with every `\r\n` turned into `\n`.
pub(crate) fn lf(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains("\r\n") {
        std::borrow::Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// SHA-1 of the body (git's hash, via gix), hex. Not a security boundary: it only detects edits.
fn fingerprint(body: &str) -> String {
    let mut hasher = gix::hash::hasher(gix::hash::Kind::Sha1);
    hasher.update(body.as_bytes());
    match hasher.try_finalize() {
        Ok(id) => id.to_hex().to_string(),
        // A SHA-1 collision attack detected by sha1dc: treat as "no fingerprint", i.e. edited.
        Err(_) => String::from("invalid"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_detects_edits() {
        let text = managed("a.yaml", "a: 1\n", Home::This);
        assert_eq!(provenance(&text), Provenance::Pristine);
        assert_eq!(
            provenance(&text.replace("a: 1", "a: 2")),
            Provenance::Edited
        );
        assert_eq!(provenance("a: 1\n"), Provenance::Foreign);
        assert_eq!(provenance(&seeded("a: 1\n", "")), Provenance::Foreign);
    }

    #[test]
    fn the_recorded_path_is_covered_by_the_fingerprint() {
        let text = managed("clusters/a/apps.yaml", "a: 1\n", Home::This);
        assert_eq!(recorded_path(&text), Some("clusters/a/apps.yaml"));
        let moved = text.replace("clusters/a/", "clusters/b/");
        assert_eq!(recorded_path(&moved), Some("clusters/b/apps.yaml"));
        assert_eq!(provenance(&moved), Provenance::Edited);
        assert_eq!(recorded_path("a: 1\n"), None);
    }

    #[test]
    fn a_header_without_a_path_is_still_pristine() {
        let old = format!(
            "{MANAGED_MARKER} by `gitops-gen generate`. Do not edit:\n# x\n\
             {FINGERPRINT_PREFIX}{}\na: 1\n",
            fingerprint("a: 1\n")
        );
        assert_eq!(provenance(&old), Provenance::Pristine);
        assert_eq!(recorded_path(&old), None);
    }

    #[test]
    fn crlf_line_endings_are_not_an_edit() {
        let text = managed("a.yaml", "a: 1\nb: 2\n", Home::This);
        let crlf = text.replace('\n', "\r\n");
        assert_eq!(provenance(&crlf), Provenance::Pristine);
        assert_eq!(recorded_path(&crlf), Some("a.yaml"));
        assert!(same_but_line_endings(&crlf, &text));
        assert!(!same_but_line_endings(&text, &text));
        assert!(!same_but_line_endings(&crlf.replace("b: 2", "b: 3"), &text));
        assert_eq!(
            provenance(&crlf.replace("b: 2", "b: 3")),
            Provenance::Edited
        );
    }
}
