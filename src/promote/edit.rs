//! Promotion edit: sets one image in a kustomization's `images:` list, and the annotation that
//! records which source commit it was built from, by replacing exactly the bytes of the values
//! (located by span in our YAML AST), so comments, key order and the formatting of everything
//! else stay as the user left them.

mod entry;
pub(crate) mod values;

use crate::files::LineIndex;
use crate::yaml::edit::{column, end_of_line, is_flow, start_of_line, value_range};
use crate::yaml::{Node, ScalarStyle, Value};

/// The new image reference for an app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ImageRef {
    /// `newTag: <tag>`.
    Tag(String),
    /// `digest: sha256:...`.
    Digest(String),
}

impl ImageRef {
    /// Splits `repo:tag` or `repo@sha256:...` into repository and reference.
    pub(crate) fn parse(image: &str) -> Option<(String, ImageRef)> {
        if let Some((repo, digest)) = image.split_once('@') {
            let hex = digest.strip_prefix("sha256:")?;
            let ok = hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit());
            return ok.then(|| (repo.to_owned(), ImageRef::Digest(digest.to_owned())));
        }
        // The tag is after the last `:` that follows the last `/` (a registry port is not a tag).
        let slash = image.rfind('/').map_or(0, |i| i + 1);
        let colon = image[slash..].rfind(':')? + slash;
        let (repo, tag) = (&image[..colon], &image[colon + 1..]);
        let valid = !tag.is_empty()
            && tag.len() <= 128
            && tag
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
            && !tag.starts_with(['.', '-']);
        valid.then(|| (repo.to_owned(), ImageRef::Tag(tag.to_owned())))
    }

    /// The reference as shown to people: the tag, or the digest.
    pub(crate) fn display(&self) -> &str {
        match self {
            ImageRef::Tag(t) | ImageRef::Digest(t) => t,
        }
    }

    fn key(&self) -> &'static str {
        match self {
            ImageRef::Tag(_) => "newTag",
            ImageRef::Digest(_) => "digest",
        }
    }

    fn other_key(&self) -> &'static str {
        match self {
            ImageRef::Tag(_) => "digest",
            ImageRef::Digest(_) => "newTag",
        }
    }
}

/// Result of [`set_image`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Edit {
    /// The file after the edit (equal to the input when nothing changed).
    pub text: String,
    /// What the entry held before (`newTag` or `digest`), if anything.
    pub old: Option<String>,
    /// Whether the file changed.
    pub changed: bool,
}

/// Sets `repo`'s tag or digest in the kustomization `text`. An edit that would not read back
/// as exactly that reference (an overlay shape the byte-level edit cannot handle, such as a new
/// entry after a flow list) is refused rather than returned broken.
pub(crate) fn set_image(text: &str, repo: &str, new: &ImageRef) -> Result<Edit, String> {
    let edit = edit_image(text, repo, new)?;
    let reads_back = running(&edit.text, repo, "").is_ok_and(|r| r.reference.as_ref() == Some(new));
    if !reads_back {
        return Err(format!(
            "cannot edit the `images` entry of `{repo}` without breaking the file; write \
             `images:` as a block list of `- name:` entries, each starting at the same column"
        ));
    }
    Ok(edit)
}

fn edit_image(text: &str, repo: &str, new: &ImageRef) -> Result<Edit, String> {
    let doc = parse_one(text)?;
    let top = doc.as_map().ok_or("expected a mapping at the top level")?;
    let found = entry::find(text, top, repo)?;
    let list = format!(
        "\n  - name: {}\n    {}: {}",
        scalar(repo),
        new.key(),
        scalar(new.display())
    );
    let Some(images) = top.get("images").filter(|i| !i.is_null()) else {
        let mut out = text.to_owned();
        match top.get_entry("images") {
            // `images:` with no value: the list goes right there.
            Some((key, empty)) => {
                let (start, end) = value_range(text, key, empty);
                out.replace_range(start..end, &list);
            }
            None => {
                if !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(&format!("images:{list}\n"));
            }
        }
        return Ok(Edit {
            text: out,
            old: None,
            changed: true,
        });
    };
    let items = images.as_seq().ok_or("`images` must be a list")?;
    let Some(entry) = found else {
        if !items.is_empty() && is_flow(text, images) {
            return Err(flow_refusal(text, images, "`images`", "add an entry"));
        }
        return append_entry(text, images, items, repo, new);
    };
    let map = entry
        .as_map()
        .ok_or("an `images` entry must be a mapping")?;
    let old = map.get(new.key()).and_then(Node::scalar_text);
    let other = map.get_entry(new.other_key());
    if old.as_deref() == Some(new.display()) && other.is_none() {
        return Ok(Edit {
            text: text.to_owned(),
            old,
            changed: false,
        });
    }
    // Adding or removing a line of a `{...}` entry would break it; replacing a value would not.
    if (map.get(new.key()).is_none() || other.is_some()) && is_flow(text, entry) {
        let what = format!("the entry for `{repo}`");
        return Err(flow_refusal(
            text,
            entry,
            &what,
            &format!("set `{}`", new.key()),
        ));
    }
    let mut out = text.to_owned();
    // Edit from the end of the file backwards so earlier spans stay valid.
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    // `- digest: …` opens the list item: deleting its line would delete the `-` with it, so
    // the other key is rewritten in place and a line of the new key, if any, goes instead.
    let opens_item = other.filter(|(key, _)| {
        !text[start_of_line(text, key.span.start)..key.span.start]
            .trim()
            .is_empty()
    });
    if let Some((key, value)) = opens_item {
        edits.push((
            key.span.start,
            value.span.end.max(key.span.end),
            format!("{}: {}", new.key(), scalar(new.display())),
        ));
        if let Some((key, value)) = map.get_entry(new.key()) {
            edits.push(deleted_lines(text, key, value));
        }
    } else {
        match map.get(new.key()) {
            Some(value) => edits.push((
                value.span.start,
                value.span.end,
                styled(new.display(), value),
            )),
            None => {
                let name = map.get_entry("name").ok_or("entry without name")?;
                let indent = column(text, name.0.span.start);
                let line_end = end_of_line(text, name.1.span.end);
                let line = format!(
                    "\n{}{}: {}",
                    " ".repeat(indent),
                    new.key(),
                    scalar(new.display())
                );
                edits.push((line_end, line_end, line));
            }
        }
        if let Some((key, value)) = other {
            // A tag and a digest together pin `tag@digest`; promotion replaces both with one.
            edits.push(deleted_lines(text, key, value));
        }
    }
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    for (start, end, replacement) in edits {
        out.replace_range(start..end, &replacement);
    }
    let old = old.or_else(|| other.and_then(|(_, v)| v.scalar_text()));
    Ok(Edit {
        text: out,
        old,
        changed: true,
    })
}

/// The annotation that records the source commit an app's image was built from. Kustomize
/// rejects unknown keys inside `images:` entries, so it lives in the kustomization's metadata.
pub(crate) fn source_annotation(app: &str) -> String {
    format!("source-commit.gitops-gen.io/{app}")
}

/// What an overlay currently says about one app.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Running {
    /// The tag or digest, when the overlay has an entry for the image.
    pub reference: Option<ImageRef>,
    /// The recorded source commit, when known.
    pub source_commit: Option<String>,
}

/// Reads the image entry and source annotation for `repo` / `app` from an overlay.
pub(crate) fn running(text: &str, repo: &str, app: &str) -> Result<Running, String> {
    let doc = parse_one(text)?;
    let top = doc.as_map().ok_or("expected a mapping at the top level")?;
    let entry = entry::find(text, top, repo)?.and_then(Node::as_map);
    // A digest pins the image even when a tag is present too, so it wins.
    let reference = entry.and_then(|m| {
        let text = |key: &str| m.get(key).and_then(Node::scalar_text);
        text("digest")
            .map(ImageRef::Digest)
            .or_else(|| text("newTag").map(ImageRef::Tag))
    });
    let source_commit = top
        .get("metadata")
        .and_then(Node::as_map)
        .and_then(|m| m.get("annotations"))
        .and_then(Node::as_map)
        .and_then(|m| m.get(&source_annotation(app)))
        .and_then(Node::scalar_text);
    Ok(Running {
        reference,
        source_commit,
    })
}

/// Sets `metadata.annotations[key]`, creating the maps when missing.
pub(crate) fn set_annotation(text: &str, key: &str, value: &str) -> Result<String, String> {
    let doc = parse_one(text)?;
    let top = doc.as_map().ok_or("expected a mapping at the top level")?;
    let value_text = scalar(value);
    let mut out = text.to_owned();
    let Some((meta_key, meta)) = top.get_entry("metadata") else {
        // Right after `kind:` (or at the top), where people look for metadata.
        let at = top
            .get_entry("kind")
            .map_or(0, |(_, v)| end_of_line(text, v.span.end) + 1)
            .min(text.len());
        let block = format!("metadata:\n  annotations:\n    {key}: {value_text}\n");
        if at > 0 && !text[..at].ends_with('\n') {
            out.insert(at, '\n');
            out.insert_str(at + 1, &block);
        } else {
            out.insert_str(at, &block);
        }
        return Ok(out);
    };
    let meta_map = meta.as_map().ok_or("`metadata` must be a mapping")?;
    let meta_indent = meta_map
        .entries()
        .first()
        .map_or(column(text, meta_key.span.start) + 2, |(k, _)| {
            column(text, k.span.start)
        });
    match meta_map.get_entry("annotations") {
        Some((ann_key, annotations)) => {
            let map = annotations
                .as_map()
                .ok_or("`metadata.annotations` must be a mapping")?;
            if let Some((existing_key, existing)) = map.get_entry(key) {
                entry::one_line_value(text, existing_key, existing)?;
                out.replace_range(
                    existing.span.start..existing.span.end,
                    &styled(value, existing),
                );
            } else if let Some((last_key, last_value)) = map.entries().last() {
                let indent = column(text, map.entries()[0].0.span.start);
                let at = end_of_line(text, last_value.span.end.max(last_key.span.end));
                out.insert_str(at, &format!("\n{}{key}: {value_text}", " ".repeat(indent)));
            } else {
                // `annotations: {}` or an empty value: replace it with a block mapping.
                let indent = column(text, ann_key.span.start) + 2;
                let block = format!("\n{}{key}: {value_text}", " ".repeat(indent));
                let start = if annotations.span.is_empty() {
                    ann_key.span.end + 1
                } else {
                    annotations.span.start
                };
                let start = start.min(text.len());
                let end = annotations.span.end.max(start);
                out.replace_range(start..end, &block);
                if out[..start].ends_with(": ") {
                    out.remove(start - 1);
                }
            }
        }
        None => {
            let last = meta_map
                .entries()
                .last()
                .map_or(meta_key.span.end, |(k, v)| v.span.end.max(k.span.end));
            let at = end_of_line(text, last);
            out.insert_str(
                at,
                &format!(
                    "\n{}annotations:\n{}{key}: {value_text}",
                    " ".repeat(meta_indent),
                    " ".repeat(meta_indent + 2)
                ),
            );
        }
    }
    Ok(out)
}

/// The string entries of the kustomization's `resources:` list.
pub(crate) fn resources(text: &str) -> Result<Vec<String>, String> {
    let doc = parse_one(text)?;
    let top = doc.as_map().ok_or("expected a mapping at the top level")?;
    Ok(top
        .get("resources")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|n| n.as_str().map(str::to_owned))
        .collect())
}

/// Adds `entry` to the kustomization's `resources:` list unless it is there already.
pub(crate) fn add_resource(text: &str, entry: &str) -> Result<String, String> {
    let doc = parse_one(text)?;
    let top = doc.as_map().ok_or("expected a mapping at the top level")?;
    let mut out = text.to_owned();
    let Some((key, list)) = top.get_entry("resources") else {
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("resources:\n  - {}\n", scalar(entry)));
        return Ok(out);
    };
    let items = match &list.value {
        Value::Seq(items) => items.as_slice(),
        Value::Null => &[],
        _ => return Err("`resources` must be a list".to_owned()),
    };
    if items.iter().any(|i| i.as_str() == Some(entry)) {
        return Ok(out);
    }
    match items.last() {
        Some(last) if list.style == ScalarStyle::Plain && !is_flow(text, list) => {
            let indent = column(text, last.span.start);
            let at = end_of_line(text, last.span.end);
            out.insert_str(
                at,
                &format!(
                    "\n{}- {}",
                    " ".repeat(indent.saturating_sub(2)),
                    scalar(entry)
                ),
            );
        }
        _ => {
            // `resources: []`, an empty value, or a flow list: rewrite the value as a block list.
            let mut block = String::new();
            for item in items {
                block.push_str(&format!("\n  - {}", item.scalar_text().unwrap_or_default()));
            }
            block.push_str(&format!("\n  - {}", scalar(entry)));
            let (start, end) = value_range(text, key, list);
            out.replace_range(start..end, &block);
        }
    }
    Ok(out)
}

/// Removes `entry` from `resources:`; an emptied list becomes `resources: []`.
pub(crate) fn remove_resource(text: &str, entry: &str) -> Result<String, String> {
    let doc = parse_one(text)?;
    let top = doc.as_map().ok_or("expected a mapping at the top level")?;
    let Some((key, list)) = top.get_entry("resources") else {
        return Ok(text.to_owned());
    };
    let Some(items) = list.as_seq() else {
        return Ok(text.to_owned());
    };
    let Some(found) = items.iter().find(|i| i.as_str() == Some(entry)) else {
        return Ok(text.to_owned());
    };
    let mut out = text.to_owned();
    if items.len() == 1 {
        let (start, end) = value_range(text, key, list);
        out.replace_range(start..end, " []");
    } else if is_flow(text, list) {
        let kept: Vec<String> = items
            .iter()
            .filter(|i| i.as_str() != Some(entry))
            .filter_map(Node::scalar_text)
            .collect();
        out.replace_range(
            list.span.start..list.span.end,
            &format!("[{}]", kept.join(", ")),
        );
    } else {
        let start = start_of_line(text, found.span.start);
        let end = (end_of_line(text, found.span.end) + 1).min(text.len());
        out.replace_range(start..end, "");
    }
    Ok(out)
}

fn parse_one(text: &str) -> Result<Node, String> {
    entry::parse_overlay(text)
}

/// Why a flow collection (`[...]`, `{...}`) cannot take the edit: promote changes values in
/// place and adds lines, which a flow collection has no room for.
fn flow_refusal(text: &str, node: &Node, what: &str, to: &str) -> String {
    let line = LineIndex::new(text).line_number(node.span.start);
    format!(
        "line {line}: {what} is written in flow style (`[...]` or `{{...}}`); write it one item \
         or key per line so that promote can {to}"
    )
}

fn append_entry(
    text: &str,
    images: &Node,
    items: &[Node],
    repo: &str,
    new: &ImageRef,
) -> Result<Edit, String> {
    let mut out = text.to_owned();
    match items.last() {
        Some(last) => {
            let first_key = last
                .as_map()
                .and_then(|m| m.entries().first())
                .map(|(k, _)| k.span.start);
            let key_col = first_key.map_or(4, |s| column(text, s));
            let dash_col = key_col.saturating_sub(2);
            let at = end_of_line(text, last.span.end.max(first_key.unwrap_or(0)));
            let entry = format!(
                "\n{}- name: {}\n{}{}: {}",
                " ".repeat(dash_col),
                scalar(repo),
                " ".repeat(key_col),
                new.key(),
                scalar(new.display())
            );
            out.insert_str(at, &entry);
        }
        None => {
            // `images: []`: replace the empty flow sequence with a block list.
            let entry = format!(
                "\n  - name: {}\n    {}: {}",
                scalar(repo),
                new.key(),
                scalar(new.display())
            );
            out.replace_range(
                images.span.start..images.span.end,
                entry.trim_start_matches(' '),
            );
        }
    }
    Ok(Edit {
        text: out,
        old: None,
        changed: true,
    })
}

/// Formats `value` in the style of the scalar it replaces, quoting (and escaping) whenever plain
/// would not read back as the same string: a tag like `1234` or `true` must not turn into a number
/// or boolean, and no value can add a line or a key.
fn styled(value: &str, old: &Node) -> String {
    match old.style {
        ScalarStyle::SingleQuoted if !value.contains(['\n', '\r']) => {
            format!("'{}'", value.replace('\'', "''"))
        }
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
            serde_json::Value::from(value).to_string()
        }
        _ => scalar(value),
    }
}

/// `value` as a YAML scalar that reads back as the same string, through the escaping layer. A
/// digest (`sha256:` and 64 hex digits, as [`ImageRef::parse`] accepts) reads back the same in
/// every YAML reader and stays plain, as kustomize's own files write it.
pub(crate) fn scalar(value: &str) -> String {
    let digest = value
        .strip_prefix("sha256:")
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()));
    if digest {
        value.to_owned()
    } else {
        crate::yaml::scalar::string(value).into_owned()
    }
}

/// The edit that deletes the whole lines of `key: value`.
fn deleted_lines(text: &str, key: &Node, value: &Node) -> (usize, usize, String) {
    let start = start_of_line(text, key.span.start);
    let end = (end_of_line(text, value.span.end) + 1).min(text.len());
    (start, end, String::new())
}

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
