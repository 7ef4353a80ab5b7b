//! RENDER stage: the one edit gitops-gen makes to a team's `.gitlab-ci.yml` when its pipeline
//! lives in a file of its own (`gitlab.file`): an `include:` entry for that file, and
//! gitops-gen's stages at the end of `stages:`. Only those bytes are added; every job, comment
//! and blank line of the team's file stays where it was, and a second run adds nothing.
//!
//! - `include:` missing: a block list is appended at the end of the file. A list gets one more
//!   item, in its own style (block or flow); a single file name becomes a list of it and ours.
//!   One mapping (`include: {local: …}`) is refused: turning it into a list means rewriting the
//!   team's lines, which they should do.
//! - `stages:` a list: ours are appended. Missing: GitLab's defaults (`build`, `test`, `deploy`)
//!   are written out, then ours, so the team's jobs keep their stages; unless the file
//!   includes others, which may declare `stages:` themselves (the root file's would then
//!   replace theirs): that is refused, asking for a `stages:` list in `.gitlab-ci.yml`.
//!
//! No `.gitlab-ci.yml`, or one gitops-gen wrote itself as the whole pipeline: a new file holding
//! just the include and the stages, managed like every generated file.

use crate::files::LineIndex;
use crate::model::GITLAB_ROOT_PIPELINE;
use crate::yaml::edit::{column, end_of_line, is_flow, start_of_line, value_range};
use crate::yaml::{Node, Value};

/// GitLab's stages when a pipeline declares none (besides `.pre` and `.post`, always there).
const DEFAULT_STAGES: [&str; 3] = ["build", "test", "deploy"];

/// The comment above what gitops-gen adds to a team's file.
const NOTE: &str = "# Added by gitops-gen (gitlab.file in gitops-gen.yaml): the GitOps pipeline.";

/// Bytes `start..end` of the team's file replaced by the text (`start == end`: an insertion).
type Replace = (usize, usize, String);

/// A `.gitlab-ci.yml` that only includes `file` and declares `stages`.
pub(crate) fn fresh(file: &str, stages: &[String]) -> String {
    let mut out = format!("include:\n  - local: {}\n\nstages:\n", scalar(file));
    for stage in stages {
        out.push_str(&format!("  - {stage}\n"));
    }
    out
}

/// The team's `.gitlab-ci.yml` (`text`) with an `include:` of `file` and `stages` added where
/// missing. Errors name the line to change.
pub(crate) fn edited(text: &str, file: &str, stages: &[String]) -> Result<String, String> {
    let docs = crate::yaml::parse(text).map_err(|e| {
        let line = LineIndex::new(text).line_number(e.span.start.min(text.len()));
        format!("{GITLAB_ROOT_PIPELINE} is not valid YAML at line {line}: {e}")
    })?;
    let empty = crate::yaml::Mapping::new();
    let top = match docs.as_slice() {
        [] => &empty,
        [doc] => match &doc.value {
            Value::Map(map) => map,
            Value::Null => &empty,
            _ => return Err(format!("{GITLAB_ROOT_PIPELINE} is not a mapping of jobs")),
        },
        _ => {
            return Err(format!(
                "{GITLAB_ROOT_PIPELINE} holds several YAML documents; gitops-gen cannot tell \
                 which one is the pipeline"
            ));
        }
    };
    let mut edits: Vec<Replace> = Vec::new();
    let mut appended = String::new();
    let includes_others = match top.get_entry("include") {
        None => {
            appended.push_str(&format!("include:\n  - local: {}\n", scalar(file)));
            false
        }
        Some((key, value)) => {
            let (others, edit) = include_edit(text, key, value, file)?;
            edits.extend(edit);
            others
        }
    };
    match top.get_entry("stages") {
        None if includes_others => {
            let line = LineIndex::new(text)
                .line_number(top.get_entry("include").map_or(0, |(k, _)| k.span.start));
            return Err(format!(
                "{GITLAB_ROOT_PIPELINE} has no `stages:` and includes other files (line {line}), \
                 which may declare them; add a `stages:` list with your stages to \
                 {GITLAB_ROOT_PIPELINE} so gitops-gen can add its own after them"
            ));
        }
        None => {
            appended.push_str("stages:\n");
            for stage in DEFAULT_STAGES
                .iter()
                .copied()
                .chain(stages.iter().map(String::as_str))
            {
                appended.push_str(&format!("  - {stage}\n"));
            }
        }
        Some((key, value)) => edits.extend(stages_edit(text, key, value, stages)?),
    }
    let mut out = text.to_owned();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    for (start, end, with) in edits {
        out.replace_range(start..end, &with);
    }
    if !appended.is_empty() {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(NOTE);
        out.push('\n');
        out.push_str(&appended);
    }
    // The edit only adds bytes where the tree says a list ends or the file ends; a file the
    // parser reads more leniently than that (an unclosed quote at its end, a key written twice)
    // could still take them in wrongly. What does not read back as including the pipeline, with
    // every stage, is refused rather than written.
    if !includes_ours(&out, file, stages) {
        return Err(format!(
            "{GITLAB_ROOT_PIPELINE} does not take the edit cleanly; add `- local: {file}` to its \
             `include:` and gitops-gen's stages to its `stages:` by hand"
        ));
    }
    Ok(out)
}

/// Whether `text` reads as a pipeline that includes `file` and declares every stage of `stages`.
fn includes_ours(text: &str, file: &str, stages: &[String]) -> bool {
    let Ok(docs) = crate::yaml::parse(text) else {
        return false;
    };
    let Some(top) = docs.first().and_then(Node::as_map) else {
        return false;
    };
    let items = |key: &str| -> Vec<Node> {
        match top.get(key).map(|n| &n.value) {
            Some(Value::Seq(items)) => items.clone(),
            Some(Value::String(_)) => top.get(key).cloned().into_iter().collect(),
            _ => Vec::new(),
        }
    };
    let included = items("include").iter().any(|item| {
        let named = match &item.value {
            Value::Map(map) => map.get("local").and_then(Node::as_str),
            _ => item.as_str(),
        };
        named.is_some_and(|n| n.trim_start_matches('/') == file)
    });
    let declared = items("stages");
    included
        && stages
            .iter()
            .all(|s| declared.iter().any(|d| d.as_str() == Some(s.as_str())))
}

/// Whether `include:` names files besides `file`, and the edit that adds `file` to it (none
/// when it is there already).
fn include_edit(
    text: &str,
    key: &Node,
    value: &Node,
    file: &str,
) -> Result<(bool, Option<Replace>), String> {
    let ours = |item: &Node| {
        let named = match &item.value {
            Value::Map(map) if map.len() == 1 => map.get("local").and_then(Node::as_str),
            _ => item.as_str(),
        };
        named.is_some_and(|n| n.trim_start_matches('/') == file)
    };
    let line = LineIndex::new(text).line_number(key.span.start);
    match &value.value {
        Value::Null => {
            let (start, end) = value_range(text, key, value);
            Ok((
                false,
                Some((start, end, format!("\n  - local: {}", scalar(file)))),
            ))
        }
        Value::Seq(items) => {
            let others = items.iter().any(|i| !ours(i));
            if items.iter().any(ours) {
                return Ok((others, None));
            }
            let entry = format!("local: {}", scalar(file));
            let edit = append_item(text, value, items, &format!("{{{entry}}}"), &entry, line)?;
            Ok((others, Some(edit)))
        }
        Value::String(_) if ours(value) => Ok((false, None)),
        Value::String(_) => {
            let (start, end) = value_range(text, key, value);
            let old = &text[value.span.start..value.span.end];
            Ok((
                true,
                Some((
                    start,
                    end,
                    format!("\n  - {old}\n  - local: {}", scalar(file)),
                )),
            ))
        }
        _ => Err(format!(
            "line {line} of {GITLAB_ROOT_PIPELINE}: `include:` is one mapping; write it as a list \
             (`include:` then `  - local: …` on the next line) so gitops-gen can add an item"
        )),
    }
}

/// The edit that appends the `stages` missing from the team's `stages:` list.
fn stages_edit(
    text: &str,
    key: &Node,
    value: &Node,
    stages: &[String],
) -> Result<Option<Replace>, String> {
    let line = LineIndex::new(text).line_number(key.span.start);
    let items: &[Node] = match &value.value {
        Value::Seq(items) => items,
        Value::Null => &[],
        _ => {
            return Err(format!(
                "line {line} of {GITLAB_ROOT_PIPELINE}: `stages:` is not a list"
            ));
        }
    };
    let missing: Vec<&str> = stages
        .iter()
        .map(String::as_str)
        .filter(|s| !items.iter().any(|i| i.as_str() == Some(s)))
        .collect();
    if missing.is_empty() {
        return Ok(None);
    }
    if items.is_empty() {
        let (start, end) = value_range(text, key, value);
        let block: String = missing.iter().map(|s| format!("\n  - {s}")).collect();
        return Ok(Some((start, end, block)));
    }
    let flow = missing.join(", ");
    let block = missing.join("\n");
    append_item(text, value, items, &flow, &block, line).map(Some)
}

/// The edit that appends to the non-empty list `list`: `flow` before the `]` of a flow list,
/// else each line of `block` as an item after the last one, at the same indentation.
fn append_item(
    text: &str,
    list: &Node,
    items: &[Node],
    flow: &str,
    block: &str,
    line: usize,
) -> Result<Replace, String> {
    if is_flow(text, list) {
        let close = text[..list.span.end]
            .rfind(']')
            .filter(|&at| at > list.span.start)
            .ok_or_else(|| {
                format!("line {line} of {GITLAB_ROOT_PIPELINE}: a list gitops-gen cannot read")
            })?;
        let comma = if items.is_empty() { "" } else { ", " };
        return Ok((close, close, format!("{comma}{flow}")));
    }
    let last = items.last().ok_or("an empty list")?;
    let first = items.first().unwrap_or(last);
    let line_start = start_of_line(text, first.span.start);
    let dash = text[line_start..first.span.start]
        .rfind('-')
        .map_or(column(text, first.span.start).saturating_sub(2), |at| at);
    let gap = column(text, first.span.start)
        .saturating_sub(dash + 1)
        .max(1);
    let at = end_of_line(text, last.span.end);
    let added: String = block
        .lines()
        .map(|item| format!("\n{}-{}{item}", " ".repeat(dash), " ".repeat(gap)))
        .collect();
    Ok((at, at, added))
}

/// `value` as a YAML scalar that reads back as the same string.
fn scalar(value: &str) -> String {
    crate::yaml::scalar::string(value).into_owned()
}

#[cfg(test)]
mod tests;
