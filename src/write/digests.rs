//! WRITE stage: `.gitops-gen/digests`, what lets `generate --check` answer without rendering.
//!
//! `generate` writes down, after writing, what its render asked of the checkout with a digest
//! of each answer ([`crate::files::inputs`]), the files it owns here with a digest of each, the
//! warnings it printed, and its build (version and templates). Rendering is a function of
//! those answers and of the build, so while all of them are the same the render would be the
//! same: [`unchanged`] asks the questions again, reads the outputs back, looks for temporary
//! files an interrupted run left, and answers for `--check` without rendering. Anything
//! different, missing or unreadable, including the file itself, sends `--check` the long way,
//! which never reads this file; so a stale digest costs time, never a wrong answer.
//!
//! The file changes whenever something rendering read changes, even when the outputs do not (a
//! team's base edited in a way gitops-gen does not look at): `--check` then renders, passes,
//! and the next `generate` brings the digests up to date. Line endings of managed outputs count as
//! they do the long way; a team file gitops-gen only adds lines to must be
//! exactly as written.

use std::collections::HashSet;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::files::inputs::{self, Ask, Inputs, Question};
use crate::render::{Home, OutputFile, Ownership};
use crate::write::header::{self, Provenance};
use crate::write::{Targets, add_target, guard, leftovers, read_existing};

/// Where the digests are, relative to the root the outputs are written under.
pub(crate) const PATH: &str = ".gitops-gen/digests";

/// The digests file for a render of `outputs` (those of this repository) that asked `asked`
/// and warned `warnings`, as [`crate::render::templates::build`] renders; `None` when a path
/// cannot be written on one line, so that no digest is kept.
pub(crate) fn of(asked: &Inputs, outputs: &[OutputFile], warnings: &[String]) -> Option<String> {
    let mut body = String::from(
        "# What `gitops-gen generate` read and wrote here, with a digest of each. While all of\n\
         # it is the same, `gitops-gen generate --check` answers without rendering.\n",
    );
    body.push_str(&format!("build {}\n", crate::render::templates::build()));
    for (question, answer) in asked {
        line(
            &mut body,
            &["in", question.ask.word(), answer],
            &question.path,
        )?;
    }
    let here = || outputs.iter().filter(|o| o.home == Home::This);
    // The record is planned with the outputs, as one of them.
    let record = crate::write::record::of(here());
    let mut owned: Vec<&OutputFile> = here().chain(&record).collect();
    owned.sort_by(|a, b| a.path.cmp(&b.path));
    for out in owned {
        let contents = header::contents(out);
        let (kind, digest) = match out.ownership {
            Ownership::Managed => ("managed", digest(&contents)),
            Ownership::TeamEdit { .. } => ("team", digest(&contents)),
            Ownership::Seeded { .. } => ("seeded", "-".to_owned()),
        };
        line(&mut body, &["out", kind, &digest], &out.path)?;
    }
    for warning in warnings {
        body.push_str(&format!(
            "warning {}\n",
            serde_json::Value::from(warning.as_str())
        ));
    }
    Some(header::contents(&OutputFile {
        path: PATH.to_owned(),
        body,
        ownership: Ownership::Managed,
        home: Home::This,
        unchecked: None,
    }))
}

/// Appends `words` and then `path`, which may hold spaces; `None` for a path with a line break.
fn line(body: &mut String, words: &[&str], path: &str) -> Option<()> {
    if path.contains(['\n', '\r']) || path.is_empty() {
        return None;
    }
    for word in words {
        body.push_str(word);
        body.push(' ');
    }
    body.push_str(path);
    body.push('\n');
    Some(())
}

/// The warnings to print when the files under `root` are as `generate` would write them, as far
/// as the digests there can tell without rendering; `None` when they cannot tell.
pub(crate) fn unchanged(root: &Path) -> Option<Vec<String>> {
    if guard::unsafe_reason(root, PATH).is_some() {
        return None;
    }
    let text = read_existing(&root.join(PATH)).ok()??;
    if header::provenance(&text) != Provenance::Pristine
        || header::recorded_path(&text) != Some(PATH)
    {
        return None;
    }
    let build = format!("build {}", crate::render::templates::build());
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    if lines.next() != Some(build.as_str()) {
        return None;
    }
    let (mut asked, mut owned, mut warnings) = (Vec::new(), Vec::new(), Vec::new());
    for line in lines {
        if let Some(json) = line.strip_prefix("warning ") {
            warnings.push(serde_json::from_str(json).ok()?);
            continue;
        }
        let (word, rest) = line.split_once(' ')?;
        let (first, rest) = rest.split_once(' ')?;
        match word {
            "in" => {
                let (answer, path) = rest.split_once(' ')?;
                asked.push((Ask::from_word(first)?, answer, path));
            }
            "out" => {
                let (recorded, path) = rest.split_once(' ')?;
                owned.push((first, recorded, path));
            }
            _ => return None,
        }
    }
    // Reads first: a file read whole is a file, so its `kind` question needs no asking, and a
    // seeded output read as an input is there.
    asked.sort_by_key(|(ask, _, _)| !matches!(ask, Ask::Read | Ask::ReadNoLink));
    let mut files: HashSet<&str> = HashSet::new();
    for (ask, answer, path) in asked {
        let known = ask == Ask::Kind && answer == "file" && files.contains(path);
        if !known {
            let question = Question {
                ask,
                path: path.to_owned(),
            };
            if question.answer(root) != answer {
                return None;
            }
        }
        if ask != Ask::List && !answer.starts_with("unreadable:") && answer != "missing" {
            files.insert(path);
        }
    }
    let mut targets = Targets::new();
    let mut folders = guard::Folders::default();
    let mut record = false;
    for (kind, recorded, path) in owned {
        record |= path == crate::write::record::PATH && kind == "managed";
        if kind == "seeded" && files.contains(path) {
            continue;
        }
        if !as_written(root, path, kind, recorded, &mut folders)? {
            return None;
        }
        if kind != "seeded" {
            add_target(&mut targets, path);
        }
    }
    // The outputs include the record, which lists every path gitops-gen wrote: with it as
    // written, nothing is left over from a model that produced more.
    if !record {
        return None;
    }
    leftovers(root, &targets).is_empty().then_some(warnings)
}

/// Whether the output at `path` is as the digests recorded it (`None`: it cannot be told).
fn as_written(
    root: &Path,
    path: &str,
    kind: &str,
    recorded: &str,
    folders: &mut guard::Folders,
) -> Option<bool> {
    let full = root.join(path);
    if kind == "seeded" {
        // Whatever is there is the user's, as for `generate`.
        return Some(std::fs::symlink_metadata(&full).is_ok());
    }
    if folders.unsafe_reason(root, path).is_some() {
        return Some(false);
    }
    let Ok(Some(old)) = read_existing(&full) else {
        return Some(false);
    };
    match kind {
        // As `generate` compares: the same text, or the same but for `\r\n` line endings.
        "managed" => Some(digest(&header::lf(&old)) == recorded || digest(&old) == recorded),
        "team" => Some(digest(&old) == recorded),
        _ => None,
    }
}

fn digest(text: &str) -> String {
    format!("sha256:{}", inputs::hex(&Sha256::digest(text.as_bytes())))
}
