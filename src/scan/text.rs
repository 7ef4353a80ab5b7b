//! SCAN stage: small helpers shared by the layout readers: scalar text as written, and path
//! pieces.

use crate::yaml::{Mapping, Node, ScalarStyle, Value};

/// A scalar as the user wrote it: strings as-is; plain numbers and booleans sliced from the
/// source so `newTag: 1.10` stays `1.10` rather than becoming the float `1.1`. Nulls and
/// collections give `None`.
pub(super) fn scalar(node: &Node, src: &str) -> Option<String> {
    match &node.value {
        Value::String(s) => Some(s.clone()),
        Value::Null | Value::Seq(_) | Value::Map(_) => None,
        Value::Bool(_) | Value::Int(_) | Value::Float(_) => {
            let written = src.get(node.span.range()).filter(|t| {
                // An alias copy spans `*name`, not the value; fall back to the rendering.
                node.style == ScalarStyle::Plain && !t.is_empty() && !t.starts_with('*')
            });
            written.map(str::to_owned).or_else(|| node.scalar_text())
        }
    }
}

/// [`scalar`] of `map[key]`.
pub(super) fn scalar_at(map: &Mapping, key: &str, src: &str) -> Option<String> {
    map.get(key).and_then(|n| scalar(n, src))
}

/// `metadata.<key>` of a Kubernetes-style object.
pub(super) fn metadata(root: &Mapping, key: &str, src: &str) -> Option<String> {
    root.get("metadata")
        .and_then(Node::as_map)
        .and_then(|m| scalar_at(m, key, src))
}

/// The string items of `map[key]` when it is a sequence (a lone string counts as one item).
pub(super) fn string_list(map: &Mapping, key: &str, src: &str) -> Vec<String> {
    match map.get(key) {
        Some(node) => match node.as_seq() {
            Some(items) => items.iter().filter_map(|n| scalar(n, src)).collect(),
            None => scalar(node, src).into_iter().collect(),
        },
        None => Vec::new(),
    }
}

/// Last segment of a `/`-separated path.
pub(super) fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Directory of a `/`-separated path; `""` for the repository root.
pub(super) fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// A directory for display: the repository root is `.`.
pub(super) fn display_dir(dir: &str) -> String {
    if dir.is_empty() {
        ".".to_owned()
    } else {
        dir.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_keep_their_written_form() {
        let src = "a: 1.10\nb: \"x\"\nc: true\nd:\ne: [1]\n";
        let docs = crate::yaml::parse(src).expect("parse");
        let map = docs[0].as_map().expect("map");
        assert_eq!(scalar_at(map, "a", src).as_deref(), Some("1.10"));
        assert_eq!(scalar_at(map, "b", src).as_deref(), Some("x"));
        assert_eq!(scalar_at(map, "c", src).as_deref(), Some("true"));
        assert_eq!(scalar_at(map, "d", src), None);
        assert_eq!(scalar_at(map, "e", src), None);
        assert_eq!(string_list(map, "e", src), ["1"]);
    }

    #[test]
    fn path_pieces() {
        assert_eq!(file_name("a/b/c.yaml"), "c.yaml");
        assert_eq!(file_name("c.yaml"), "c.yaml");
        assert_eq!(parent_dir("a/b/c.yaml"), "a/b");
        assert_eq!(parent_dir("c.yaml"), "");
        assert_eq!(display_dir(""), ".");
    }
}
