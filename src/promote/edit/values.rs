//! Promotion edits for Helm apps: one dotted key (`image.tag`) in the values file promotion owns,
//! and the ConfigMap generator that hands that file to the release, both by replacing or adding
//! exactly the bytes concerned, as the overlay edits do.

use crate::promote::edit::entry::{one_line_value, parse_optional, parse_overlay};
use crate::promote::edit::{column, end_of_line, is_flow, scalar, styled};
use crate::yaml::Node;

/// The text at the dotted `path` of a values file, when it holds a scalar there.
pub(crate) fn value_at(text: &str, path: &str) -> Result<Option<String>, String> {
    let Some(doc) = parse_optional(text)? else {
        return Ok(None);
    };
    let mut at = &doc;
    for key in path.split('.') {
        match at.as_map().and_then(|m| m.get(key)) {
            Some(next) => at = next,
            None => return Ok(None),
        }
    }
    Ok(at.scalar_text().filter(|_| !at.is_null()))
}

/// A new values file that sets `path` to `value`, explained by `comment` (one line, no `#`).
pub(crate) fn new_values(comment: &str, path: &str, value: &str) -> String {
    let keys: Vec<&str> = path.split('.').collect();
    format!("# {comment}\n{}", nested(&keys, 0, value))
}

/// Sets the dotted `path` of the values `text` to the string `value`: the value is replaced in
/// place when the key is there, else the missing keys are added under the deepest mapping that
/// is. A path through something that is not a block mapping is refused, and so is an edit that
/// would not read back as `value`.
pub(crate) fn set_value(text: &str, path: &str, value: &str) -> Result<String, String> {
    let edited = edit_value(text, path, value)?;
    if value_at(&edited, path)?.as_deref() != Some(value) {
        return Err(format!(
            "cannot set `{path}` without breaking the file; write the keys above it as block \
             mappings, one key per line"
        ));
    }
    Ok(edited)
}

fn edit_value(text: &str, path: &str, value: &str) -> Result<String, String> {
    let keys: Vec<&str> = path.split('.').collect();
    let doc = match parse_optional(text)? {
        Some(doc) if !doc.is_null() => doc,
        _ => {
            let mut out = text.to_owned();
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(&nested(&keys, 0, value));
            return Ok(out);
        }
    };
    let mut at: &Node = &doc;
    for (depth, key) in keys.iter().enumerate() {
        let map = at.as_map().ok_or_else(|| {
            format!(
                "`{}` is {}, not a mapping of values",
                keys[..depth].join("."),
                at.kind_name()
            )
        })?;
        if depth > 0 && is_flow(text, at) {
            return Err(format!(
                "`{}` is written in flow style (`{{...}}`); write it one key per line so that \
                 promote can set `{path}`",
                keys[..depth].join(".")
            ));
        }
        match map.get_entry(key) {
            Some((k, v)) if depth + 1 == keys.len() => {
                one_line_value(text, k, v)?;
                let mut out = text.to_owned();
                out.replace_range(v.span.start..v.span.end, &styled(value, v));
                return Ok(out);
            }
            Some((_, v)) => at = v,
            None => {
                // Add the rest of the path after the mapping's last entry, at its indentation.
                let indent = map
                    .entries()
                    .first()
                    .map_or(0, |(k, _)| column(text, k.span.start));
                let last = map
                    .entries()
                    .last()
                    .map_or(0, |(k, v)| v.span.end.max(k.span.end));
                let at_end = end_of_line(text, last);
                let block = nested(&keys, depth, value);
                let indented: String = block
                    .lines()
                    .map(|l| format!("\n{}{l}", " ".repeat(indent)))
                    .collect();
                let mut out = text.to_owned();
                out.insert_str(at_end, &indented);
                return Ok(out);
            }
        }
    }
    Err(format!("`{path}` is empty"))
}

/// `keys[from..]` as nested block mappings ending in `value`, indented from column 0.
fn nested(keys: &[&str], from: usize, value: &str) -> String {
    let mut out = String::new();
    for (depth, key) in keys[from..].iter().enumerate() {
        out.push_str(&"  ".repeat(depth));
        out.push_str(key);
        if from + depth + 1 == keys.len() {
            out.push_str(&format!(": {}\n", scalar(value)));
        } else {
            out.push_str(":\n");
        }
    }
    out
}

/// The label that makes helm-controller watch a values ConfigMap and upgrade when it changes.
const WATCH_LABEL: &str = "reconcile.fluxcd.io/watch: Enabled";

/// Adds to the kustomization `text` a `configMapGenerator` entry named `name` that turns `file`
/// (relative to the kustomization) into the key `values.yaml`, with a stable name and the watch
/// label, unless an entry of that name is there already.
pub(crate) fn add_values_config_map(text: &str, name: &str, file: &str) -> Result<String, String> {
    let doc = parse_overlay(text)?;
    let top = doc.as_map().ok_or("expected a mapping at the top level")?;
    let entry = |indent: usize| {
        let pad = " ".repeat(indent);
        format!(
            "{pad}- name: {name}\n{pad}  files:\n{pad}    - {files}\n{pad}  options:\n{pad}    \
             disableNameSuffixHash: true\n{pad}    labels:\n{pad}      {WATCH_LABEL}\n",
            name = scalar(name),
            files = scalar(&format!("values.yaml={file}")),
        )
    };
    let mut out = text.to_owned();
    let Some((key, list)) = top.get_entry("configMapGenerator") else {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str("configMapGenerator:\n");
        out.push_str(&entry(2));
        return Ok(out);
    };
    let items = match list.as_seq() {
        Some(items) => items,
        None if list.is_null() => &[],
        None => return Err("`configMapGenerator` must be a list".to_owned()),
    };
    let named = |item: &Node| {
        item.as_map()
            .and_then(|m| m.get("name"))
            .and_then(Node::as_str)
            == Some(name)
    };
    if items.iter().any(named) {
        return Ok(out);
    }
    match items.last() {
        Some(last) if !is_flow(text, list) => {
            let dash = column(text, last.span.start).saturating_sub(2);
            let at = (end_of_line(text, last.span.end) + 1).min(text.len());
            if at == text.len() && !text.ends_with('\n') {
                out.push('\n');
            }
            out.insert_str(at.min(out.len()), &entry(dash));
        }
        Some(_) => {
            return Err(
                "`configMapGenerator` is written in flow style (`[...]`); write it one entry per \
                 line so that promote can add the image's values"
                    .to_owned(),
            );
        }
        None => {
            // `configMapGenerator:` with no value, or `[]`: the list goes below the key.
            let line_end = end_of_line(text, key.span.end);
            let start = text[key.span.end..line_end]
                .find(':')
                .map_or(line_end, |i| key.span.end + i + 1);
            out.replace_range(start..line_end, &format!("\n{}", entry(2).trim_end()));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_replaced_in_place_or_added_where_it_belongs() -> Result<(), String> {
        let text = "# ours\nimage:\n  repository: ghcr.io/acme/web # pinned\n  tag: \"1.0\"\n\
                    replicas: 2\n";
        let out = set_value(text, "image.tag", "2.0")?;
        assert_eq!(out, text.replace("\"1.0\"", "\"2.0\""));
        let added = set_value("image:\n  repository: web\n", "image.tag", "2.0")?;
        assert_eq!(added, "image:\n  repository: web\n  tag: \"2.0\"\n");
        let deep = set_value("replicas: 1\n", "worker.image.tag", "v3")?;
        assert_eq!(deep, "replicas: 1\nworker:\n  image:\n    tag: v3\n");
        assert_eq!(set_value("", "image.tag", "1")?, "image:\n  tag: \"1\"\n");
        assert_eq!(
            value_at(&set_value("# x\n", "image.tag", "true")?, "image.tag")?.as_deref(),
            Some("true")
        );
        assert!(set_value("image: web:1\n", "image.tag", "2").is_err());
        assert!(set_value("image: {tag: '1'}\n", "image.repository", "x").is_err());
        assert!(set_value("image:\n  tag: |\n    1\n", "image.tag", "2").is_err());
        assert_eq!(
            new_values("set by promote", "image.tag", "2.0"),
            "# set by promote\nimage:\n  tag: \"2.0\"\n"
        );
        Ok(())
    }

    #[test]
    fn the_image_config_map_is_added_once() -> Result<(), String> {
        let bare = "resources:\n  - ../../releases/staging/web\n";
        let once = add_values_config_map(bare, "web-image", "web-image.yaml")?;
        assert!(
            once.ends_with(
                "configMapGenerator:\n  - name: web-image\n    files:\n      - \"\
                 values.yaml=web-image.yaml\"\n    options:\n      disableNameSuffixHash: true\n      \
                 labels:\n        reconcile.fluxcd.io/watch: Enabled\n"
            ),
            "{once}"
        );
        assert_eq!(
            add_values_config_map(&once, "web-image", "web-image.yaml")?,
            once
        );
        let two = add_values_config_map(&once, "api-image", "api-image.yaml")?;
        let doc = parse_overlay(&two)?;
        let names: Vec<String> = doc
            .as_map()
            .and_then(|m| m.get("configMapGenerator"))
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|e| e.as_map()?.get("name")?.scalar_text())
            .collect();
        assert_eq!(names, ["web-image", "api-image"]);
        let empty = add_values_config_map("configMapGenerator: []\n", "web-image", "w.yaml")?;
        assert!(parse_overlay(&empty)?.as_map().is_some(), "{empty}");
        assert!(empty.contains("\n  - name: web-image\n"), "{empty}");
        assert!(add_values_config_map("configMapGenerator: [{name: x}]\n", "y", "y").is_err());
        Ok(())
    }

    /// Every scalar leaf of a values document, by dotted path.
    fn leaves(node: &Node, prefix: &str, out: &mut Vec<(String, String)>) {
        if let Some(map) = node.as_map() {
            for (k, v) in map.iter() {
                let key = k.scalar_text().unwrap_or_default();
                let path = if prefix.is_empty() {
                    key
                } else {
                    format!("{prefix}.{key}")
                };
                leaves(v, &path, out);
            }
        } else {
            out.push((prefix.to_owned(), node.scalar_text().unwrap_or_default()));
        }
    }

    fn leaves_of(text: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(doc) = parse_optional(text).expect("parses") {
            leaves(&doc, "", &mut out);
        }
        out
    }

    proptest::proptest! {
        /// Setting a key in a block-style values file sets exactly that key: it reads back as
        /// the string given, and every other value is unchanged.
        #[test]
        fn setting_a_key_changes_that_key_only(
            image in proptest::option::of((
                proptest::option::of("[a-z./]{1,12}"),
                proptest::option::of("[a-z0-9.]{1,8}"),
                proptest::bool::ANY,
            )),
            replicas in proptest::option::of(0u8..9),
            path in proptest::sample::select(vec!["image.tag", "image.repository", "worker.image.tag"]),
            value in proptest::sample::select(vec![
                "1234", "true", "v1.2.3", "a: b", "x # y", "null", "~", "'q'", "\"d\"", "",
            ]),
        ) {
            let mut text = String::from("# values\n");
            if let Some(r) = replicas {
                text.push_str(&format!("replicas: {r}\n"));
            }
            if let Some((repository, tag, comment)) = image {
                text.push_str("image:");
                text.push_str(if comment { "   # the image\n" } else { "\n" });
                if let Some(repo) = &repository {
                    text.push_str(&format!("  repository: {repo}\n"));
                }
                if let Some(tag) = &tag {
                    text.push_str(&format!("  tag: \"{tag}\"\n"));
                }
                if repository.is_none() && tag.is_none() {
                    text.push_str("  pullPolicy: Always\n");
                }
            }
            let out = set_value(&text, path, value).map_err(proptest::test_runner::TestCaseError::fail)?;
            let back = value_at(&out, path).ok().flatten();
            proptest::prop_assert_eq!(back.as_deref(), Some(value));
            let before: Vec<_> = leaves_of(&text).into_iter().filter(|(p, _)| p != path).collect();
            let after: Vec<_> = leaves_of(&out).into_iter().filter(|(p, _)| p != path).collect();
            proptest::prop_assert_eq!(before, after, "{}", out);
        }
    }
}
