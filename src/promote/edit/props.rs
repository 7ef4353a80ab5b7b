//! Properties of the promotion edit, over generated kustomizations: setting an image changes
//! that image's entry and nothing else, byte for byte; every scalar the editor writes reads back
//! as the string it meant. The inputs the `overlay` fuzz target found come first, as regressions.

use proptest::prelude::*;

use super::*;

// ---- regressions found by `cargo fuzz run overlay` ----

/// The editor double-quoted a name without escaping it: a `"` or `\` in the repository broke
/// the file.
#[test]
fn fuzz_a_repository_that_needs_escaping_reads_back() -> Result<(), String> {
    for repo in ["\"ghcr.io/web", "ghcr.io/web # \\", "ghcr.io/\u{1}web"] {
        let edit = set_image("kind: Kustomization\n", repo, &ImageRef::Tag("1234".into()))?;
        let back = running(&edit.text, repo, "web")?;
        assert_eq!(
            back.reference,
            Some(ImageRef::Tag("1234".into())),
            "{}",
            edit.text
        );
    }
    Ok(())
}

/// Switching between tag and digest deleted the whole line of the old key, and with it the `-`
/// of an entry written tag first.
#[test]
fn fuzz_the_old_key_is_replaced_where_it_stands() -> Result<(), String> {
    let digest = format!("sha256:{}", "d".repeat(64));
    let cases = [(
        "kind: Kustomization\nimages:\n- newTag: v1   # set by promote\n  name: ghcr.io/acme/web\n",
        format!(
            "kind: Kustomization\nimages:\n- digest: {digest}   # set by promote\n  name: ghcr.io/acme/web\n"
        ),
    )];
    // A flow-style `images:` list is refused before any edit (see `entry::find`).
    for (text, expected) in cases {
        let edit = set_image(text, "ghcr.io/acme/web", &ImageRef::Digest(digest.clone()))?;
        assert_eq!(edit.text, expected);
        assert_eq!(edit.old.as_deref(), Some("v1"));
    }
    Ok(())
}

/// Overlays the editor cannot change without breaking them (a new entry after a flow list, a
/// top-level mapping that is indented) are refused with a message, not turned into invalid
/// YAML. A flow list is refused up front by `entry::find`; the indented mapping by the
/// read-back check of `set_image`.
#[test]
fn fuzz_an_edit_that_would_break_the_file_is_refused() {
    let cases = [
        (
            "kind: Kustomization\nimages: [{name: ghcr.io/acme/web, newTag: v1}]\n",
            "ghcr.io/acme/api",
        ),
        ("  kind: Kustomization\n", "ghcr.io/acme/web"),
    ];
    for (text, repo) in cases {
        match set_image(text, repo, &ImageRef::Tag("v2".into())) {
            Ok(edit) => panic!("edited into\n{}", edit.text),
            Err(why) => assert!(
                why.contains("cannot edit") || why.contains("flow style"),
                "{why}"
            ),
        }
    }
}

// ---- properties ----

const NAMES: [&str; 5] = [
    "ghcr.io/acme/web",
    "ghcr.io/acme/api",
    "localhost:5000/worker",
    "registry.example.com/team/db",
    "docker.io/library/cache",
];

/// One entry of a generated `images:` list.
#[derive(Clone, Debug)]
struct Entry {
    name: &'static str,
    /// `newTag` as written (quotes included).
    tag: Option<String>,
    digest: Option<String>,
    tag_first: bool,
    comment: bool,
}

fn written_tag() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9._-]{0,12}",
        "[0-9]{1,6}".prop_map(|t| format!("\"{t}\"")),
        "[a-z0-9.]{1,8}".prop_map(|t| format!("'{t}'")),
    ]
}

fn entry(name: &'static str) -> impl Strategy<Value = Entry> {
    (
        proptest::option::of(written_tag()),
        proptest::option::weighted(0.3, "[0-9a-f]{64}".prop_map(|h| format!("sha256:{h}"))),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(move |(tag, digest, tag_first, comment)| Entry {
            name,
            tag,
            digest,
            tag_first,
            comment,
        })
}

/// Top-level keys other than `images`, as they are written.
const OTHER_KEYS: [&str; 7] = [
    "apiVersion: kustomize.config.k8s.io/v1beta1\n",
    "kind: Kustomization   # kind first, on purpose\n",
    "metadata:\n  name: staging\n  annotations:\n    team: \"shop\"\n",
    "resources:\n  - ../../base\n  - extra.yaml\n",
    "resources: [../../base]   # flow style stays\n",
    "patches:\n  - path: replicas.yaml\n    target:\n      kind: Deployment\n",
    "namePrefix: prod-\n# a comment between keys\n",
];

/// A generated kustomization: the other keys and where `images:` goes among them.
#[derive(Clone, Debug)]
struct Overlay {
    header: bool,
    others: Vec<&'static str>,
    images_at: usize,
    /// `None`: no `images:` key; `Some(empty)`: `images: []`.
    images: Option<Vec<Entry>>,
    /// Column of the `-` of each entry: 0, 2 or 4.
    dash: usize,
}

impl Overlay {
    fn text(&self) -> String {
        let mut out = String::new();
        if self.header {
            out.push_str("# promotion edits this\n");
        }
        for (i, other) in self.others.iter().enumerate() {
            if i == self.images_at {
                self.push_images(&mut out);
            }
            out.push_str(other);
        }
        if self.images_at >= self.others.len() {
            self.push_images(&mut out);
        }
        out
    }

    fn push_images(&self, out: &mut String) {
        let Some(entries) = &self.images else { return };
        if entries.is_empty() {
            out.push_str("images: []\n");
            return;
        }
        out.push_str("images:\n");
        let dash = " ".repeat(self.dash);
        let key = " ".repeat(self.dash + 2);
        for e in entries {
            let mut lines = vec![format!("name: {}", e.name)];
            if e.comment {
                lines[0].push_str("   # set by promote");
            }
            let mut refs = Vec::new();
            if let Some(tag) = &e.tag {
                refs.push(format!("newTag: {tag}"));
            }
            if let Some(digest) = &e.digest {
                refs.push(format!("digest: {digest}"));
            }
            if e.tag_first {
                refs.append(&mut lines);
                lines = refs;
            } else {
                lines.append(&mut refs);
            }
            for (i, line) in lines.iter().enumerate() {
                let lead = if i == 0 {
                    format!("{dash}- ")
                } else {
                    key.clone()
                };
                out.push_str(&format!("{lead}{line}\n"));
            }
        }
    }
}

fn overlay() -> impl Strategy<Value = Overlay> {
    let entries = proptest::sample::subsequence(NAMES.to_vec(), 0..=NAMES.len())
        .prop_shuffle()
        .prop_flat_map(|names| names.into_iter().map(entry).collect::<Vec<_>>());
    let others = proptest::sample::subsequence(OTHER_KEYS.to_vec(), 0..=OTHER_KEYS.len())
        // Two `resources:` keys would be a duplicate key, not a kustomization.
        .prop_filter("a kustomization, with one resources key", |keys| {
            keys.iter().any(|k| k.starts_with("kind"))
                && keys.iter().filter(|k| k.starts_with("resources")).count() <= 1
        })
        .prop_shuffle();
    (
        any::<bool>(),
        others,
        0usize..8,
        proptest::option::weighted(0.9, entries),
        prop_oneof![Just(0usize), Just(2), Just(4)],
    )
        .prop_map(|(header, others, images_at, images, dash)| Overlay {
            header,
            others,
            images_at,
            images,
            dash,
        })
}

fn new_reference() -> impl Strategy<Value = ImageRef> {
    prop_oneof![
        "[a-z0-9][a-z0-9._-]{0,20}".prop_map(ImageRef::Tag),
        "[0-9]{1,8}".prop_map(ImageRef::Tag),
        "[0-9a-f]{64}".prop_map(|h| ImageRef::Digest(format!("sha256:{h}"))),
    ]
}

/// The source text of every top-level entry but `images`, in order.
fn others_as_written(text: &str) -> Vec<String> {
    let docs = crate::yaml::parse(text).unwrap_or_default();
    let Some(map) = docs.first().and_then(Node::as_map) else {
        return Vec::new();
    };
    map.iter()
        .filter(|(k, _)| k.as_str() != Some("images"))
        .map(|(k, v)| text[k.span.start..v.span.end.max(k.span.end)].to_owned())
        .collect()
}

/// The source text of each `images:` entry other than `repo`'s, in order.
fn entries_as_written(text: &str, repo: &str) -> Vec<String> {
    let docs = crate::yaml::parse(text).unwrap_or_default();
    let items = docs
        .first()
        .and_then(Node::as_map)
        .and_then(|m| m.get("images"))
        .and_then(Node::as_seq)
        .unwrap_or_default();
    items
        .iter()
        .filter(|i| {
            i.as_map()
                .and_then(|m| m.get("name"))
                .and_then(Node::as_str)
                != Some(repo)
        })
        .map(|i| text[i.span.start..i.span.end].to_owned())
        .collect()
}

/// Bytes before `images:` and after the line that ends its value: what no edit may touch.
fn around_images(text: &str) -> (String, String) {
    let docs = crate::yaml::parse(text).unwrap_or_default();
    match docs
        .first()
        .and_then(Node::as_map)
        .and_then(|m| m.get_entry("images"))
    {
        Some((key, value)) => (
            text[..key.span.start].to_owned(),
            text[end_of_line(text, value.span.end.max(key.span.end))..].to_owned(),
        ),
        None => (text.to_owned(), String::new()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Setting one image changes that entry only: the other entries, the other keys and every
    /// byte around `images:` stay as they were, and the file reads back with the new reference.
    #[test]
    fn a_promote_edit_changes_only_the_image_entry(
        overlay in overlay(),
        pick in 0usize..NAMES.len(),
        new in new_reference(),
    ) {
        let text = overlay.text();
        let repo = NAMES[pick];
        let edit = set_image(&text, repo, &new).map_err(TestCaseError::fail)?;
        let back = running(&edit.text, repo, "web").map_err(TestCaseError::fail)?;
        prop_assert_eq!(back.reference.as_ref(), Some(&new), "{}", edit.text);
        prop_assert_eq!(others_as_written(&edit.text), others_as_written(&text));
        prop_assert_eq!(entries_as_written(&edit.text, repo), entries_as_written(&text, repo));
        let (before, after) = around_images(&text);
        prop_assert!(edit.text.starts_with(&before), "prefix changed:\n{}", edit.text);
        prop_assert!(edit.text.ends_with(&after), "suffix changed:\n{}", edit.text);
        let again = set_image(&edit.text, repo, &new).map_err(TestCaseError::fail)?;
        prop_assert!(!again.changed, "a second edit changed\n{}", edit.text);
    }

    /// What [`scalar`] writes is a YAML scalar that reads back as the same string.
    #[test]
    fn written_scalars_read_back(value in any::<String>()) {
        let doc = crate::yaml::parse(&format!("k: {}", scalar(&value)));
        let back = doc.as_deref().ok().and_then(|d| d.first()).and_then(Node::as_map)
            .and_then(|m| m.get("k")).and_then(Node::scalar_text);
        prop_assert_eq!(back.as_deref(), Some(value.as_str()));
    }
}
