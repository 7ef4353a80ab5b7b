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
fn reads_what_runs() -> Result<(), String> {
    let text = set_annotation(OVERLAY, &source_annotation("web"), "abc123")?;
    let r = running(&text, "ghcr.io/acme/web", "web")?;
    assert_eq!(r.reference, Some(tag("latest")));
    assert_eq!(r.source_commit.as_deref(), Some("abc123"));
    assert_eq!(running(&text, "ghcr.io/acme/x", "x")?, Running::default());
    Ok(())
}

#[test]
fn annotations_are_added_and_updated_in_place() -> Result<(), String> {
    let key = source_annotation("web");
    let once = set_annotation(OVERLAY, &key, "1111111")?;
    assert!(once.contains(
            "kind: Kustomization\nmetadata:\n  annotations:\n    source-commit.gitops-gen.io/web: \"1111111\"\nresources:"
        ), "{once}");
    let twice = set_annotation(&once, &key, "abcdef0")?;
    assert_eq!(twice, once.replace("\"1111111\"", "\"abcdef0\""));
    let other = set_annotation(&twice, &source_annotation("api"), "fff")?;
    assert!(
        other.contains("web: \"abcdef0\"\n    source-commit.gitops-gen.io/api: fff\n"),
        "{other}"
    );
    let with_meta = "kind: Kustomization\nmetadata:\n  name: staging\nresources: []\n";
    let added = set_annotation(with_meta, &key, "abc")?;
    assert_eq!(
        added,
        "kind: Kustomization\nmetadata:\n  name: staging\n  annotations:\n    source-commit.gitops-gen.io/web: abc\nresources: []\n"
    );
    let empty = "kind: Kustomization\nmetadata:\n  annotations: {}\n";
    let filled = set_annotation(empty, &key, "abc")?;
    assert_eq!(
        running(&filled, "x", "web")?.source_commit.as_deref(),
        Some("abc"),
        "{filled}"
    );
    Ok(())
}

#[test]
fn resources_are_added_and_removed() -> Result<(), String> {
    let empty = "kind: Kustomization\nresources: []\n";
    let one = add_resource(empty, "feature-a")?;
    assert_eq!(one, "kind: Kustomization\nresources:\n  - feature-a\n");
    let two = add_resource(&one, "feature-b")?;
    assert_eq!(
        two,
        "kind: Kustomization\nresources:\n  - feature-a\n  - feature-b\n"
    );
    assert_eq!(add_resource(&two, "feature-a")?, two);
    assert_eq!(
        remove_resource(&two, "feature-a")?,
        "kind: Kustomization\nresources:\n  - feature-b\n"
    );
    assert_eq!(remove_resource(&one, "feature-a")?, empty);
    assert_eq!(
        add_resource("kind: Kustomization\n", "x")?,
        "kind: Kustomization\nresources:\n  - x\n"
    );
    let flow = "resources: [a, b]\nimages: []\n";
    assert_eq!(remove_resource(flow, "a")?, "resources: [b]\nimages: []\n");
    assert_eq!(
        add_resource(flow, "c")?,
        "resources:\n  - a\n  - b\n  - c\nimages: []\n"
    );
    Ok(())
}

#[test]
fn malformed_yaml_is_an_error() {
    assert!(set_image("images: [\n", "x", &tag("1")).is_err());
}

const WEB: &str = "ghcr.io/acme/web";

/// The refusal `set_image` gives for `images`, which must name `line` and say `what`.
fn refused(images: &str, line: usize, what: &str) {
    let text = format!("kind: Kustomization\n{images}");
    for result in [
        set_image(&text, WEB, &tag("v2")).map(|_| ()),
        running(&text, WEB, "web").map(|_| ()),
    ] {
        match result {
            Err(why) => assert!(
                why.contains(&format!("line {line}")) && why.contains(what),
                "{why}"
            ),
            Ok(()) => panic!("accepted:\n{text}"),
        }
    }
}

#[test]
fn overlays_where_kustomize_could_disagree_are_refused() {
    refused(
        "images:\n- name: ghcr.io/acme/web\n  newTag: a\n- name: ghcr.io/acme/web\n  newTag: b\n\
         - name: ghcr.io/acme/web\n",
        3,
        "3 entries for `ghcr.io/acme/web` (lines 3, 5 and 7)",
    );
    refused(
        "images:\n- name: ghcr.io/acme/web\n  newTag: a\n  newTag: b\n",
        5,
        "duplicate key `newTag` (first defined on line 4)",
    );
    refused(
        "images:\n- name: ghcr.io/acme/web\nimages: []\n",
        4,
        "duplicate key `images`",
    );
    refused(
        "images:\n- name: ghcr.io/acme/web\n  newName: evil.io/x\n",
        4,
        "would run `evil.io/x`",
    );
    refused(
        "images:\n- name: ghcr.io/acme/web\n  newTag: >\n    a\n",
        4,
        "block scalar",
    );
    refused(
        "images:\n- name: ghcr.io/acme/web\n  newTag: [a]\n",
        4,
        "not a sequence",
    );
    refused(
        "images:\n- name: ghcr.io/acme/web\n  digest:\n",
        4,
        "not null",
    );
    refused(
        "base: &b\n  name: ghcr.io/acme/web\nimages:\n- <<: *b\n  newTag: a\n",
        5,
        "alias or merge key",
    );
    refused("images: web\n", 2, "`images` must be a list");
}

#[test]
fn flow_entries_are_edited_in_place_or_refused() -> Result<(), String> {
    let text = "images:\n- {name: ghcr.io/acme/web, newTag: a}\n";
    let edit = set_image(text, WEB, &tag("b"))?;
    assert_eq!(
        edit.text,
        "images:\n- {name: ghcr.io/acme/web, newTag: b}\n"
    );
    // Adding a key or an entry needs lines a flow collection does not have.
    let digest = ImageRef::Digest(format!("sha256:{}", "a".repeat(64)));
    let why = set_image(text, WEB, &digest).map(|e| e.text);
    assert!(
        why.as_ref()
            .is_err_and(|w| w.contains("line 2") && w.contains("flow style")),
        "{why:?}"
    );
    let why = set_image("images: [{name: x}]\n", WEB, &tag("b"))
        .err()
        .unwrap_or_default();
    assert!(
        why.contains("line 1") && why.contains("add an entry"),
        "{why}"
    );
    Ok(())
}

#[test]
fn a_new_name_equal_to_the_name_and_an_empty_list_are_fine() -> Result<(), String> {
    let text = "images:\n- name: ghcr.io/acme/web\n  newName: ghcr.io/acme/web\n  newTag: a\n";
    let edit = set_image(text, WEB, &tag("b"))?;
    assert_eq!(edit.text, text.replace("newTag: a", "newTag: b"));
    let edit = set_image("kind: Kustomization\nimages:\n", WEB, &tag("b"))?;
    assert_eq!(
        running(&edit.text, WEB, "web")?.reference,
        Some(tag("b")),
        "{}",
        edit.text
    );
    Ok(())
}

#[test]
fn written_values_cannot_add_keys_or_lines() -> Result<(), String> {
    // A source commit comes from the command line or the CI environment: whatever it holds, it
    // stays one value, in every style the existing value was written in.
    let hostile = "x\"\nimages:\n- name: ghcr.io/acme/web\n  newName: evil.io/x\n#'";
    let key = source_annotation("web");
    for existing in ["plain", "'single'", "\"double\""] {
        let text =
            format!("kind: Kustomization\nmetadata:\n  annotations:\n    {key}: {existing}\n");
        let written = set_annotation(&text, &key, hostile)?;
        let r = running(&written, WEB, "web")?;
        assert_eq!(r.source_commit.as_deref(), Some(hostile), "{written}");
        assert_eq!(r.reference, None, "{written}");
    }
    let added = set_annotation("kind: Kustomization\n", &key, hostile)?;
    assert_eq!(
        running(&added, WEB, "web")?.source_commit.as_deref(),
        Some(hostile)
    );
    Ok(())
}
