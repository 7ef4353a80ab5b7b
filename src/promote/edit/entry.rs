//! Reading an overlay the way kustomize will, and refusing the shapes where gitops-gen's edit and
//! kustomize could disagree about which image runs:
//!
//! - a duplicate key anywhere (YAML readers differ on which value wins; a committed duplicate
//!   keeps the old value next to the new one);
//! - two `images:` entries for one name (kustomize applies one of them; editing the other
//!   promotes nothing);
//! - a `newName` that differs from the name (the cluster would run that image instead);
//! - a `newTag` or `digest` that is a block scalar, a collection or empty (no one-line value to
//!   replace);
//! - an entry, or a key of it, that comes through an alias or a merge key (editing it would edit
//!   the anchor, and every other use of it).
//!
//! Every refusal names the line to fix.

use crate::files::LineIndex;
use crate::yaml::{self, Mapping, Node, ScalarStyle, Span};

/// The one document of an overlay; a duplicate key anywhere is refused.
pub(super) fn parse_overlay(text: &str) -> Result<Node, String> {
    parse_optional(text)?.ok_or_else(|| "expected exactly one YAML document, found 0".to_owned())
}

/// [`parse_overlay`], where a file without a document (empty, or only comments) is `None`.
pub(super) fn parse_optional(text: &str) -> Result<Option<Node>, String> {
    let parsed = yaml::parse_with(text, &yaml::Limits::default())
        .map_err(|e| format!("invalid YAML at line {}: {}", line(text, e.span), e.message))?;
    if let Some(warning) = parsed.warnings.first() {
        let what = warning
            .message
            .strip_suffix("; the later value wins")
            .unwrap_or(&warning.message);
        return Err(format!(
            "line {}: {what}; keep one of them, promote will not guess which one is meant",
            line(text, warning.span)
        ));
    }
    let mut docs = parsed.documents;
    match docs.len() {
        0 => Ok(None),
        1 => Ok(Some(docs.remove(0))),
        n => Err(format!("expected exactly one YAML document, found {n}")),
    }
}

/// The `images:` entry named `repo` in the overlay's top mapping `top`, if there is one, after
/// the checks in the module documentation.
pub(super) fn find<'d>(
    text: &str,
    top: &'d Mapping,
    repo: &str,
) -> Result<Option<&'d Node>, String> {
    let Some(images) = top.get("images") else {
        return Ok(None);
    };
    if images.is_null() {
        return Ok(None);
    }
    let items = images
        .as_seq()
        .ok_or_else(|| format!("line {}: `images` must be a list", line(text, images.span)))?;
    let named: Vec<&Node> = items
        .iter()
        .filter(|item| {
            item.as_map()
                .and_then(|m| m.get("name"))
                .and_then(Node::as_str)
                == Some(repo)
        })
        .collect();
    match named.as_slice() {
        [] => Ok(None),
        [entry] => check(text, entry, repo).map(|()| Some(*entry)),
        many => {
            let lines: Vec<String> = many
                .iter()
                .map(|e| line(text, e.span).to_string())
                .collect();
            let (rest, last) = lines.split_at(lines.len() - 1);
            Err(format!(
                "line {}: `images` has {} entries for `{repo}` (lines {} and {}); kustomize \
                 applies only one of them: keep one and promote again",
                lines[0],
                many.len(),
                rest.join(", "),
                last.join("")
            ))
        }
    }
}

/// The checks of one entry.
fn check(text: &str, entry: &Node, repo: &str) -> Result<(), String> {
    let map = entry.as_map().ok_or_else(|| {
        format!(
            "line {}: an `images` entry must be a mapping",
            line(text, entry.span)
        )
    })?;
    let outside = |span: Span| span.start < entry.span.start || span.end > entry.span.end;
    if map.iter().any(|(k, v)| outside(k.span) || outside(v.span)) {
        return Err(format!(
            "line {}: the entry for `{repo}` comes through an alias or merge key; write it out \
             in `images:` so that promote edits this entry only",
            line(text, entry.span)
        ));
    }
    if let Some((key, value)) = map.get_entry("newName") {
        let name = value.scalar_text().unwrap_or_default();
        if name != repo {
            return Err(format!(
                "line {}: the entry for `{repo}` has `newName: {name}`, so the cluster would run \
                 `{name}`, not `{repo}`; remove `newName` (or set it to `{repo}`) and promote again",
                line(text, key.span)
            ));
        }
    }
    for name in ["newTag", "digest"] {
        if let Some((key, value)) = map.get_entry(name) {
            one_line_value(text, key, value)?;
        }
    }
    Ok(())
}

/// A value promote can replace in place: a plain or quoted scalar with some text. Refusals point
/// at the key's line (a block scalar's span starts on the line below).
pub(super) fn one_line_value(text: &str, key: &Node, value: &Node) -> Result<(), String> {
    let at = line(text, key.span);
    let key = key.scalar_text().unwrap_or_default();
    if matches!(value.style, ScalarStyle::Literal | ScalarStyle::Folded) {
        return Err(format!(
            "line {at}: `{key}` is a block scalar (`|` or `>`); write its value on one line"
        ));
    }
    if !value.is_scalar() || value.is_null() {
        return Err(format!(
            "line {at}: `{key}` must be a value on one line, not {}",
            value.kind_name()
        ));
    }
    Ok(())
}

fn line(text: &str, span: Span) -> usize {
    LineIndex::new(text).line_number(span.start)
}
