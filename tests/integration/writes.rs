//! What `generate` (and `init`) may write and delete: only files gitops-gen placed at the path
//! their header records, never through a symbolic link, with the permissions a user expects,
//! without leaving temporary files behind, and without mistaking a CRLF checkout for a hand edit.

use std::collections::BTreeMap;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::process::Output;

use crate::common::*;

/// Every entry under `dir` without following links: files by content, symlinks by target.
/// (`read_tree` follows links and cannot show that a link was left alone.)
fn entries(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).expect("read dir") {
            let path = entry.expect("dir entry").path();
            let rel = path
                .strip_prefix(root)
                .expect("under root")
                .to_string_lossy()
                .into_owned();
            let meta = std::fs::symlink_metadata(&path).expect("lstat");
            if meta.is_symlink() {
                let target = std::fs::read_link(&path).expect("read link");
                out.insert(rel, format!("-> {}", target.display()));
            } else if meta.is_dir() {
                walk(root, &path, out);
            } else {
                let bytes = std::fs::read(&path).expect("read file");
                out.insert(rel, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Runs gitops-gen under a given umask (a shell sets it, then execs the binary).
fn run_with_umask(dir: &Path, umask: &str, args: &[&str]) -> Output {
    let bin = assert_cmd::cargo::cargo_bin("gitops-gen");
    let script = format!("umask {umask} && exec \"$0\" --color never \"$@\"");
    std::process::Command::new("sh")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .arg("-c")
        .arg(script)
        .arg(bin)
        .args(args)
        .output()
        .expect("sh runs gitops-gen")
}

/// Permission bits of a file.
fn mode(dir: &Path, rel: &str) -> u32 {
    std::fs::metadata(dir.join(rel))
        .unwrap_or_else(|e| panic!("stat {rel}: {e}"))
        .permissions()
        .mode()
        & 0o7777
}

/// The model without the environment named `name`.
fn without_env(dir: &Path, name: &str) -> String {
    read(dir, "gitops-gen.yaml")
        .lines()
        .filter(|l| !l.contains(&format!("name: {name},")))
        .map(|l| format!("{l}\n"))
        .collect()
}

// --- deletion only at the recorded path -----------------------------------------------------

#[test]
fn copies_of_generated_files_elsewhere_are_never_deleted() {
    let (_tmp, dir) = dir_with_model("repo", "models/four-envs.yaml");
    generate_ok(&dir);
    let workflow = read(&dir, ".github/workflows/gitops.yml");
    write(&dir, "backup/gitops-old.yml", &workflow);
    let edited = format!(
        "{}# kept for reference\n",
        read(&dir, "clusters/staging/apps.yaml")
    );
    write(&dir, "backup/clusters/staging/apps.yaml", &edited);

    let out = generate_ok(&dir);
    assert!(!stderr(&out).contains("backup/"), "{}", stderr(&out));
    assert_eq!(read(&dir, "backup/gitops-old.yml"), workflow);
    assert_code(&run(&dir, &["generate", "--check"]), 0);

    let forced = run(&dir, &["generate", "--force"]);
    assert_code(&forced, 0);
    assert_eq!(
        read(&dir, "backup/gitops-old.yml"),
        workflow,
        "--force deleted a copy"
    );
    assert_eq!(
        read(&dir, "backup/clusters/staging/apps.yaml"),
        edited,
        "--force deleted an edited copy"
    );
}

#[test]
fn a_moved_generated_file_is_not_an_orphan_but_its_recorded_path_is() {
    let (_tmp, dir) = dir_with_model("repo", "models/four-envs.yaml");
    generate_ok(&dir);
    // Removing staging makes its files orphans; a copy of one, moved elsewhere, is not ours.
    let apps = read(&dir, "clusters/staging/apps.yaml");
    write(&dir, "clusters/old-staging/apps.yaml", &apps);
    let model = without_env(&dir, "staging");
    write(&dir, "gitops-gen.yaml", &model);

    let out = generate_ok(&dir);
    let err = stderr(&out);
    assert!(err.contains("delete clusters/staging/apps.yaml"), "{err}");
    assert!(!dir.join("clusters/staging").exists());
    assert_eq!(read(&dir, "clusters/old-staging/apps.yaml"), apps);
}

#[test]
fn the_header_records_the_path_it_was_generated_for() {
    let (_tmp, dir) = dir_with_model("repo", "models/two-apps.yaml");
    generate_ok(&dir);
    let text = read(&dir, "clusters/staging/apps.yaml");
    let header: Vec<&str> = text.lines().take(4).collect();
    assert_eq!(
        header[3], "# gitops-gen-path: clusters/staging/apps.yaml",
        "{text}"
    );
}

#[test]
fn a_file_from_an_older_release_without_a_recorded_path_is_updated_but_never_deleted() {
    let (_tmp, dir) = dir_with_model("repo", "models/four-envs.yaml");
    generate_ok(&dir);
    // What releases before the recorded path wrote: the fingerprint covers the body only.
    let old = format!(
        "# Generated by gitops-gen from gitops-gen.yaml by `gitops-gen generate`. Do not edit:\n\
         # change gitops-gen.yaml instead; CI checks this file with `gitops-gen generate --check`.\n\
         # gitops-gen-fingerprint: sha1:{}\na: 1\n",
        sha1_hex(b"a: 1\n")
    );
    write(&dir, "clusters/staging/apps.yaml", &old);
    write(&dir, "elsewhere/old.yaml", &old);
    // Nor did they record what they wrote: without `.gitops-gen/files` the repository is walked.
    std::fs::remove_file(dir.join(".gitops-gen/files")).expect("remove the record");

    let out = generate_ok(&dir);
    assert!(
        stderr(&out).contains("update clusters/staging/apps.yaml"),
        "a pristine old-format file at an output path is regenerated:\n{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("elsewhere/old.yaml"),
        "the unrecorded orphan is reported:\n{}",
        stderr(&out)
    );
    assert_eq!(read(&dir, "elsewhere/old.yaml"), old, "and kept");
    assert_code(&run(&dir, &["generate", "--force"]), 0);
    assert_eq!(read(&dir, "elsewhere/old.yaml"), old, "even with --force");
}

/// SHA-1 of raw bytes, hex, computed by coreutils' `sha1sum` (independently of gitops-gen).
fn sha1_hex(bytes: &[u8]) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("sha1sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("sha1sum runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(bytes)
        .expect("write stdin");
    let out = child.wait_with_output().expect("sha1sum output");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .expect("a hash")
        .to_owned()
}

// --- symbolic links --------------------------------------------------------------------------

#[test]
fn a_symlinked_folder_out_of_the_repository_is_refused_before_any_write() {
    let (tmp, dir) = dir_with_model("repo", "models/four-envs.yaml");
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&outside).expect("create outside dir");
    std::fs::create_dir_all(dir.join("clusters")).expect("create clusters");
    symlink(&outside, dir.join("clusters/staging")).expect("symlink");
    let before = entries(&dir);

    for args in [&["generate"][..], &["generate", "--force"]] {
        let out = run(&dir, args);
        assert_code(&out, 1);
        let err = stderr(&out);
        assert!(err.contains("clusters/staging"), "{err}");
        assert!(err.contains("symbolic link"), "{err}");
        assert_eq!(entries(&dir), before, "{args:?} wrote something");
        assert!(
            entries(&outside).is_empty(),
            "{args:?} wrote through the link"
        );
    }
    let check = run(&dir, &["generate", "--check"]);
    assert_code(&check, 1);
    assert!(
        stderr(&check).contains("symbolic link"),
        "{}",
        stderr(&check)
    );
}

#[test]
fn an_existing_file_outside_the_repository_is_not_rewritten_through_a_link() {
    let (tmp, dir) = dir_with_model("repo", "models/four-envs.yaml");
    generate_ok(&dir);
    // Move staging's folder out of the repository and link it back, then change the model so
    // staging's files would change.
    let outside = tmp.path().join("outside-staging");
    std::fs::rename(dir.join("clusters/staging"), &outside).expect("move out");
    symlink(&outside, dir.join("clusters/staging")).expect("symlink");
    let model = read(&dir, "gitops-gen.yaml").replace(
        "{name: staging, branches: [staging], promotion: commit}",
        "{name: staging, branches: [staging], promotion: commit, namespace: shop-staging}",
    );
    write(&dir, "gitops-gen.yaml", &model);
    let outside_before = entries(&outside);
    let before = entries(&dir);

    let out = run(&dir, &["generate", "--force"]);
    assert_code(&out, 1);
    assert_eq!(entries(&outside), outside_before, "wrote through the link");
    assert_eq!(entries(&dir), before, "wrote before refusing");
}

#[test]
fn a_dangling_symlink_is_refused_before_any_write() {
    let (tmp, dir) = dir_with_model("repo", "models/four-envs.yaml");
    std::fs::create_dir_all(dir.join("clusters")).expect("create clusters");
    symlink(tmp.path().join("missing"), dir.join("clusters/staging")).expect("symlink");
    let before = entries(&dir);
    let out = run(&dir, &["generate"]);
    assert_code(&out, 1);
    let err = stderr(&out);
    assert!(err.contains("clusters/staging"), "{err}");
    assert!(!err.contains("File exists"), "{err}");
    assert_eq!(entries(&dir), before, "a refusal writes nothing at all");
    assert!(!tmp.path().join("missing").exists());
}

#[test]
fn a_symlinked_output_file_is_refused_even_when_it_points_inside() {
    let (tmp, dir) = dir_with_model("repo", "models/gitlab-dind.yaml");
    let target = tmp.path().join("their-ci.yml");
    std::fs::write(&target, "stages: [build]\n").expect("write target");
    symlink(&target, dir.join(".gitlab-ci.yml")).expect("symlink");
    write(&dir, "ci/pipeline.yml", "stages: [test]\n");
    let before = entries(&dir);
    let out = run(&dir, &["generate", "--force"]);
    assert_code(&out, 1);
    assert!(stderr(&out).contains(".gitlab-ci.yml"), "{}", stderr(&out));
    assert_eq!(entries(&dir), before);
    assert_eq!(read(tmp.path(), "their-ci.yml"), "stages: [build]\n");

    // A link that stays inside the repository is refused just the same.
    std::fs::remove_file(dir.join(".gitlab-ci.yml")).expect("remove link");
    symlink("ci/pipeline.yml", dir.join(".gitlab-ci.yml")).expect("symlink inside");
    let out = run(&dir, &["generate", "--force"]);
    assert_code(&out, 1);
    assert_eq!(read(&dir, "ci/pipeline.yml"), "stages: [test]\n");
}

#[test]
fn init_does_not_write_the_model_through_a_symlink() {
    let (tmp, dir) = named_dir("demo");
    let target = tmp.path().join("elsewhere.yaml");
    std::fs::write(&target, "mine\n").expect("write target");
    symlink(&target, dir.join("gitops-gen.yaml")).expect("symlink");
    let out = run(&dir, &["init", "--yes", "--force"]);
    assert_code(&out, 1);
    assert!(stderr(&out).contains("symbolic link"), "{}", stderr(&out));
    assert_eq!(read(tmp.path(), "elsewhere.yaml"), "mine\n");
}

// --- temporary files -------------------------------------------------------------------------

#[test]
fn temporary_files_left_by_a_killed_run_are_reported_by_check_and_removed() {
    let (_tmp, dir) = dir_with_model("repo", "models/four-envs.yaml");
    generate_ok(&dir);
    // What a `kill -9` between creating and renaming leaves: this release's name, and the
    // name of earlier releases (whose content starts like one of gitops-gen's headers).
    let ours = "clusters/staging/.apps.yaml.gitops-gen-tmp-Ab12Cd";
    let legacy = "infrastructure/overlays/staging/.gitops-gen-qBl5uO";
    write(&dir, ours, "# Generated by gitops-gen from gitops");
    write(&dir, legacy, "");
    // Files that only look similar stay: a user's notes, a legacy-looking name with other text.
    let notes = "clusters/staging/.gitops-gen-notes";
    let theirs = "clusters/staging/.gitops-gen-abc123";
    write(&dir, notes, "mine\n");
    write(&dir, theirs, "mine\n");

    let check = run(&dir, &["generate", "--check"]);
    assert_code(&check, 1);
    let err = stderr(&check);
    assert!(err.contains(ours) && err.contains(legacy), "{err}");
    assert!(err.contains("interrupted"), "{err}");
    assert!(!err.contains(notes) && !err.contains(theirs), "{err}");
    assert!(dir.join(ours).exists(), "--check removed something");

    let dry = run(&dir, &["generate", "--dry-run"]);
    assert_code(&dry, 0);
    assert!(dir.join(ours).exists(), "--dry-run removed something");

    let out = generate_ok(&dir);
    let err = stderr(&out);
    assert!(err.contains(ours) && err.contains(legacy), "{err}");
    assert!(!dir.join(ours).exists() && !dir.join(legacy).exists());
    assert_eq!(read(&dir, notes), "mine\n");
    assert_eq!(read(&dir, theirs), "mine\n");
    assert_code(&run(&dir, &["generate", "--check"]), 0);
}

// --- permissions -----------------------------------------------------------------------------

#[test]
fn new_files_follow_the_umask_and_updates_keep_the_mode() {
    let (_tmp, dir) = dir_with_model("repo", "models/two-apps.yaml");
    assert_code(&run_with_umask(&dir, "022", &["generate"]), 0);
    for path in [
        ".github/workflows/gitops.yml",
        "clusters/staging/apps.yaml",
        "applications/overlays/staging/kustomization.yaml",
    ] {
        assert_eq!(mode(&dir, path), 0o644, "{path}");
    }

    // A file the user made group-writable (or private) keeps that mode when it is updated.
    let workflow = ".github/workflows/gitops.yml";
    std::fs::set_permissions(dir.join(workflow), std::fs::Permissions::from_mode(0o664))
        .expect("chmod");
    let promote = ".github/workflows/gitops-promote.yml";
    std::fs::set_permissions(dir.join(promote), std::fs::Permissions::from_mode(0o600))
        .expect("chmod");
    append(
        &dir,
        "gitops-gen.yaml",
        "  - {name: worker, port: 7070, test: make w}\n",
    );
    let out = run_with_umask(&dir, "077", &["generate"]);
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains(&format!("update {workflow}")),
        "{}",
        stderr(&out)
    );
    assert_eq!(mode(&dir, workflow), 0o664);
    assert!(
        stderr(&out).contains(&format!("update {promote}")),
        "{}",
        stderr(&out)
    );
    assert_eq!(mode(&dir, promote), 0o600);
    // New files under umask 077 are private.
    assert_eq!(
        mode(&dir, "applications/base/worker/deployment.yaml"),
        0o600
    );
}

#[test]
fn init_writes_the_model_with_the_umask_and_force_keeps_its_mode() {
    let (_tmp, dir) = named_dir("demo");
    assert_code(&run_with_umask(&dir, "022", &["init", "--yes"]), 0);
    assert_eq!(mode(&dir, "gitops-gen.yaml"), 0o644);
    assert_eq!(mode(&dir, ".github/workflows/gitops.yml"), 0o644);
    std::fs::set_permissions(
        dir.join("gitops-gen.yaml"),
        std::fs::Permissions::from_mode(0o640),
    )
    .expect("chmod");
    assert_code(
        &run_with_umask(&dir, "022", &["init", "--yes", "--force"]),
        0,
    );
    assert_eq!(mode(&dir, "gitops-gen.yaml"), 0o640);
}

// --- line endings ----------------------------------------------------------------------------

#[test]
fn a_crlf_checkout_is_not_a_hand_edit() {
    let (_tmp, dir) = dir_with_model("repo", "models/four-envs.yaml");
    generate_ok(&dir);
    let path = "clusters/staging/apps.yaml";
    let crlf = read(&dir, path).replace('\n', "\r\n");
    write(&dir, path, &crlf);

    let out = generate_ok(&dir);
    assert!(!stderr(&out).contains(path), "{}", stderr(&out));
    assert_eq!(read(&dir, path), crlf, "an unchanged file is not rewritten");
    assert_code(&run(&dir, &["generate", "--check"]), 0);

    // A real edit in a CRLF file is still an edit.
    write(
        &dir,
        path,
        &crlf.replace("interval: 10m0s", "interval: 1m0s"),
    );
    assert_code(&run(&dir, &["generate"]), 1);

    // And a pristine CRLF orphan is deleted like any other.
    write(&dir, path, &crlf);
    let model = without_env(&dir, "staging");
    write(&dir, "gitops-gen.yaml", &model);
    generate_ok(&dir);
    assert!(!dir.join(path).exists());
}
