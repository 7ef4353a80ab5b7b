//! `generate --check` answers from `.gitops-gen/digests` without rendering
//! (src/write/digests.rs). That is only right while the digests cover everything rendering
//! reads: here every file of generated repositories is edited, emptied and deleted in turn, a
//! file is added to every folder, and each time the check must say exactly what it says with
//! the digests deleted, which is the check that renders.

use std::path::Path;

use crate::common::*;
use crate::scenarios::{build, scenario};

const DIGESTS: &str = ".gitops-gen/digests";

/// What `generate --check` says under `root`: exit code, stdout, stderr.
fn check(root: &Path) -> (i32, String, String) {
    let out = run(root, &["generate", "--check"]);
    (code(&out), stdout(&out), stderr(&out))
}

/// A copy of the files under `root` (without `.git`) in a new temporary directory.
fn copy(root: &Path) -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, dir) = named_dir("repo");
    for (rel, bytes) in read_tree(root) {
        let path = dir.join(&rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, bytes).expect("write");
    }
    (tmp, dir)
}

/// Asserts that the check with the digests agrees with the check without them after
/// `change` is made to a copy of `root`; returns whether the check passed.
fn agrees(root: &Path, what: &str, change: impl FnOnce(&Path)) -> bool {
    let (_tmp, dir) = copy(root);
    change(&dir);
    let with = check(&dir);
    let _ = std::fs::remove_file(dir.join(DIGESTS));
    let without = check(&dir);
    assert_eq!(with, without, "{what}: the digests changed the answer");
    with.0 == 0
}

fn every_change_is_seen(name: &str) {
    let (_tmp, root) = build(scenario(name));
    assert!(
        std::fs::read_to_string(root.join(DIGESTS)).is_ok_and(|t| t.contains("\nin read ")),
        "{name}: generate wrote no digests"
    );
    assert_eq!(check(&root).0, 0, "{name}: a fresh tree fails the check");
    let files = read_tree(&root);
    let mut failed = 0;
    for (rel, bytes) in &files {
        if rel == DIGESTS {
            continue;
        }
        let edited = {
            let mut text = String::from_utf8_lossy(bytes).into_owned();
            // A change rendering reads: another image, another name, a line more.
            text = text
                .replacen("image:", "image: other/", 1)
                .replacen("name:", "name: x", 1);
            text.push_str("# edited\n");
            text
        };
        for (how, text) in [
            ("edited", Some(edited.as_str())),
            ("emptied", Some("")),
            ("deleted", None),
        ] {
            let what = format!("{name}: {rel} {how}");
            failed += usize::from(!agrees(&root, &what, |d| match text {
                Some(text) => write(d, rel, text),
                None => std::fs::remove_file(d.join(rel)).expect("delete"),
            }));
        }
    }
    for dir in list_dirs(&root) {
        let added = format!("{dir}/added.yaml");
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: added\n";
        failed += usize::from(!agrees(&root, &format!("{name}: {added} added"), |d| {
            write(d, &added, text)
        }));
    }
    // The changes must reach the check, or agreeing proves nothing.
    assert!(
        failed > files.len(),
        "{name}: only {failed} changes failed the check"
    );
}

#[test]
fn the_digests_never_change_what_check_says_about_team_sources() {
    every_change_is_seen("team_sources");
}

#[test]
fn the_digests_never_change_what_check_says_about_helm_charts() {
    every_change_is_seen("helm_charts");
}

#[test]
fn the_digests_list_what_rendering_read_and_an_edited_file_is_not_trusted() {
    let (_tmp, root) = build(scenario("team_sources"));
    let (code, _, err) = check(&root);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("generated files match gitops-gen.yaml"),
        "{err}"
    );
    let digests = std::fs::read_to_string(root.join(DIGESTS)).expect("digests");
    for line in [
        "in read ",
        "in kind dir services/api/base",
        "out managed sha256:",
        "out seeded - k8s/web/kustomization.yaml",
    ] {
        assert!(digests.contains(line), "{line:?} missing from\n{digests}");
    }
    // An edited digests file is not trusted: the check renders, and still passes.
    write(
        &root,
        DIGESTS,
        &digests.replace("in kind dir", "in kind file"),
    );
    let (code, _, err) = check(&root);
    assert_eq!(code, 0, "{err}");
    // `generate` puts it back.
    assert_code(&run(&root, &["generate"]), 0);
    assert_eq!(
        std::fs::read_to_string(root.join(DIGESTS)).expect("digests"),
        digests
    );
}

#[test]
fn the_digests_never_change_what_check_says_about_a_seeded_base() {
    // The base `init` seeds is the user's and an input of rendering at once.
    every_change_is_seen("default_init");
}

#[cfg(unix)]
#[test]
fn digests_behind_a_symbolic_link_are_neither_written_nor_trusted() {
    let (tmp, root) = build(scenario("two_apps"));
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::rename(root.join(DIGESTS), &elsewhere).expect("move");
    std::os::unix::fs::symlink(&elsewhere, root.join(DIGESTS)).expect("link");
    write(
        &root,
        "gitops-gen.yaml",
        &format!("{}\n", read(&root, "gitops-gen.yaml")),
    );
    let out = run(&root, &["generate"]);
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("no digests were kept"),
        "{}",
        stderr(&out)
    );
    assert!(std::fs::symlink_metadata(root.join(DIGESTS)).is_ok_and(|m| m.is_symlink()));
    // The old digests behind the link describe another model text: the check renders.
    assert_eq!(check(&root).0, 0);
}
