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
