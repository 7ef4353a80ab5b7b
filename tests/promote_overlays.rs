//! `gitops-gen promote` on overlays a person edited into shapes where the edit and kustomize
//! could disagree: each is refused with the line to fix, and nothing is pushed. Accepted edits
//! are rendered with `kubectl kustomize` to show the cluster gets the promoted image.

mod promote_support;

use promote_support::{Fixture, fixture, git, promote, rendered_images};

const OVERLAY: &str = "applications/overlays/staging/kustomization.yaml";

/// The generated overlay's first six lines (comments, apiVersion, kind, resources): `images:`
/// is line 7 and its first entry line 8.
const HEAD: &str = "\
# an overlay
# edited by hand
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
";

/// Commits `images` (the rest of the overlay after [`HEAD`]) to the remote's `main`.
fn with_images(images: &str) -> Fixture {
    let f = fixture();
    std::fs::write(f.checkout.join(OVERLAY), format!("{HEAD}{images}")).expect("write");
    git(&f.checkout, &["commit", "-q", "-am", "hand edit"]);
    git(&f.checkout, &["push", "-q", "origin", "main"]);
    f
}

/// Promotes web to `v2` in staging, expects exit 2 with every one of `says` in stderr, and
/// checks nothing was pushed.
fn refused(f: &Fixture, says: &[&str]) {
    let head = git(&f.remote, &["rev-parse", "main"]);
    let out = promote(f, "staging", "web", "ghcr.io/shop/web:v2")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for said in says {
        assert!(stderr.contains(said), "missing {said:?} in {stderr}");
    }
    assert!(!stderr.contains("internal error"), "{stderr}");
    assert_eq!(
        git(&f.remote, &["rev-parse", "main"]),
        head,
        "nothing pushed"
    );
}

#[test]
fn two_entries_for_one_image_are_refused() {
    // kustomize applies the second entry; editing the first would promote nothing.
    let f = with_images(
        "images:\n  - name: ghcr.io/shop/web\n    newTag: one\n  - name: ghcr.io/shop/api\n    \
         newTag: latest\n  - name: ghcr.io/shop/web\n    newTag: two\n",
    );
    refused(&f, &["2 entries for `ghcr.io/shop/web`", "lines 8 and 12"]);
}

#[test]
fn a_duplicate_key_is_refused() {
    let f = with_images(
        "images:\n  - name: ghcr.io/shop/web\n    newTag: one\n    newTag: two\n  - name: \
         ghcr.io/shop/api\n    newTag: latest\n",
    );
    refused(&f, &["line 10", "duplicate key `newTag`"]);
}

#[test]
fn a_new_name_that_redirects_the_image_is_refused() {
    let f = with_images(
        "images:\n  - name: ghcr.io/shop/web\n    newName: evil.io/x\n    newTag: one\n  - name: \
         ghcr.io/shop/api\n    newTag: latest\n",
    );
    refused(
        &f,
        &["line 9", "newName: evil.io/x", "would run `evil.io/x`"],
    );
}

#[test]
fn a_block_scalar_tag_is_refused() {
    let f = with_images(
        "images:\n  - name: ghcr.io/shop/web\n    newTag: |\n      one\n  - name: \
         ghcr.io/shop/api\n    newTag: latest\n",
    );
    refused(&f, &["line 9", "block scalar"]);
}

#[test]
fn an_entry_shared_through_an_anchor_is_refused() {
    // Editing the anchored entry would also change every other use of the anchor.
    let f = with_images(
        "x-web: &web\n  name: ghcr.io/shop/web\n  newTag: one\nimages:\n  - *web\n  - name: \
         ghcr.io/shop/api\n    newTag: latest\n",
    );
    refused(&f, &["line 11", "alias or merge key"]);
}

#[test]
fn accepted_odd_shapes_render_the_promoted_image() {
    // A flow entry, a `newName` equal to the name, and a tag with a digest are all fine.
    let f = with_images(
        "images:\n  - {name: ghcr.io/shop/web, newName: ghcr.io/shop/web, newTag: one}\n  - name: \
         ghcr.io/shop/api\n    newTag: latest\n",
    );
    assert_eq!(
        rendered_images(&f),
        ["ghcr.io/shop/api:latest", "ghcr.io/shop/web:one"]
    );
    promote(&f, "staging", "web", "ghcr.io/shop/web:v2")
        .assert()
        .success();
    assert_eq!(
        rendered_images(&f),
        ["ghcr.io/shop/api:latest", "ghcr.io/shop/web:v2"]
    );
    let digest = format!("sha256:{}", "c".repeat(64));
    promote(&f, "staging", "api", &format!("ghcr.io/shop/api@{digest}"))
        .assert()
        .success();
    assert_eq!(
        rendered_images(&f),
        [
            format!("ghcr.io/shop/api@{digest}"),
            "ghcr.io/shop/web:v2".to_owned()
        ]
    );
}
