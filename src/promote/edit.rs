//! Promotion edit: sets one image in a kustomization's `images:` list by replacing exactly the
//! bytes of the value (located by span in our YAML AST), so comments, key order and the
//! formatting of everything else stay as the user left them.

use crate::yaml::{self, Node, ScalarStyle, Value};

/// The new image reference for an app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageRef {
    /// `newTag: <tag>`.
    Tag(String),
    /// `digest: sha256:...`.
    Digest(String),
}

impl ImageRef {
    /// Splits `repo:tag` or `repo@sha256:...` into repository and reference.
    pub fn parse(image: &str) -> Option<(String, ImageRef)> {
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
    pub fn display(&self) -> &str {
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
pub struct Edit {
    /// The file after the edit (equal to the input when nothing changed).
    pub text: String,
    /// What the entry held before (`newTag` or `digest`), if anything.
    pub old: Option<String>,
    /// Whether the file changed.
    pub changed: bool,
}

/// Sets `repo`'s tag or digest in the kustomization `text`.
pub fn set_image(text: &str, repo: &str, new: &ImageRef) -> Result<Edit, String> {
    let docs = yaml::parse(text)
        .map_err(|e| format!("invalid YAML at byte {}: {}", e.span.start, e.message))?;
    let [doc] = docs.as_slice() else {
        return Err("expected exactly one YAML document".to_owned());
    };
    let top = doc.as_map().ok_or("expected a mapping at the top level")?;
    let Some(images) = top.get("images") else {
        let mut out = text.to_owned();
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!(
            "images:\n  - name: {}\n    {}: {}\n",
            scalar(repo),
            new.key(),
            scalar(new.display())
        ));
        return Ok(Edit {
            text: out,
            old: None,
            changed: true,
        });
    };
    let items = images.as_seq().ok_or("`images` must be a list")?;
    let entry = items.iter().find(|item| {
        item.as_map()
            .and_then(|m| m.get("name"))
            .and_then(Node::as_str)
            == Some(repo)
    });
    let Some(entry) = entry else {
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
    let mut out = text.to_owned();
    // Edit from the end of the file backwards so earlier spans stay valid.
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
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
        let start = start_of_line(text, key.span.start);
        let end = (end_of_line(text, value.span.end) + 1).min(text.len());
        edits.push((start, end, String::new()));
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

/// Formats `value` in the style of the scalar it replaces, quoting when plain would not stay a
/// string (a tag like `1234` or `true` must not turn into a number or boolean).
fn styled(value: &str, old: &Node) -> String {
    match old.style {
        ScalarStyle::SingleQuoted => format!("'{}'", value.replace('\'', "''")),
        ScalarStyle::DoubleQuoted => format!("\"{}\"", value),
        _ => scalar(value),
    }
}

fn scalar(value: &str) -> String {
    let stays_string = matches!(
        yaml::parse(&format!("k: {value}")).ok().as_deref(),
        Some([doc]) if doc.as_map().and_then(|m| m.get("k")).map(|n| &n.value) == Some(&Value::String(value.to_owned()))
    );
    if stays_string {
        value.to_owned()
    } else {
        format!("\"{value}\"")
    }
}

fn start_of_line(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

fn end_of_line(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i)
}

fn column(text: &str, at: usize) -> usize {
    at - start_of_line(text, at)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OVERLAY: &str = "\
# promotion edits this
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
images:
  - name: ghcr.io/acme/web   # the web app
    newTag: latest
  - name: ghcr.io/acme/api
    newTag: \"1.0\"
";

    fn tag(t: &str) -> ImageRef {
        ImageRef::Tag(t.to_owned())
    }

    #[test]
    fn parses_image_references() {
        assert_eq!(
            ImageRef::parse("ghcr.io/a/web:3f9c"),
            Some(("ghcr.io/a/web".into(), tag("3f9c")))
        );
        assert_eq!(
            ImageRef::parse("localhost:5000/web:1"),
            Some(("localhost:5000/web".into(), tag("1")))
        );
        assert_eq!(ImageRef::parse("localhost:5000/web"), None);
        let digest = format!("sha256:{}", "a".repeat(64));
        assert_eq!(
            ImageRef::parse(&format!("ghcr.io/a/web@{digest}")),
            Some(("ghcr.io/a/web".into(), ImageRef::Digest(digest)))
        );
    }

    #[test]
    fn replaces_only_the_value() -> Result<(), String> {
        let edit = set_image(OVERLAY, "ghcr.io/acme/web", &tag("3f9c2e1"))?;
        assert_eq!(edit.old.as_deref(), Some("latest"));
        assert_eq!(
            edit.text,
            OVERLAY.replace("newTag: latest", "newTag: 3f9c2e1")
        );
        let edit = set_image(OVERLAY, "ghcr.io/acme/api", &tag("2.0"))?;
        assert_eq!(edit.text, OVERLAY.replace("\"1.0\"", "\"2.0\""));
        Ok(())
    }

    #[test]
    fn numeric_tags_stay_strings() -> Result<(), String> {
        let edit = set_image(OVERLAY, "ghcr.io/acme/web", &tag("1234"))?;
        assert!(edit.text.contains("newTag: \"1234\""));
        Ok(())
    }

    #[test]
    fn same_tag_is_a_no_op() -> Result<(), String> {
        let edit = set_image(OVERLAY, "ghcr.io/acme/web", &tag("latest"))?;
        assert!(!edit.changed);
        assert_eq!(edit.text, OVERLAY);
        Ok(())
    }

    #[test]
    fn adds_missing_entries_and_lists() -> Result<(), String> {
        let edit = set_image(OVERLAY, "ghcr.io/acme/new", &tag("abc"))?;
        assert!(
            edit.text
                .ends_with("    newTag: \"1.0\"\n  - name: ghcr.io/acme/new\n    newTag: abc\n"),
            "{}",
            edit.text
        );
        let edit = set_image("kind: Kustomization\n", "ghcr.io/acme/web", &tag("abc"))?;
        assert_eq!(
            edit.text,
            "kind: Kustomization\nimages:\n  - name: ghcr.io/acme/web\n    newTag: abc\n"
        );
        Ok(())
    }

    #[test]
    fn digest_replaces_tag() -> Result<(), String> {
        let digest = format!("sha256:{}", "b".repeat(64));
        let edit = set_image(
            OVERLAY,
            "ghcr.io/acme/web",
            &ImageRef::Digest(digest.clone()),
        )?;
        assert!(
            edit.text.contains(&format!(
                "  - name: ghcr.io/acme/web   # the web app\n    digest: {digest}\n  - name"
            )),
            "{}",
            edit.text
        );
        Ok(())
    }

    #[test]
    fn malformed_yaml_is_an_error() {
        assert!(set_image("images: [\n", "x", &tag("1")).is_err());
    }
}
