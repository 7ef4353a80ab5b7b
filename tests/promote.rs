//! `gitops-gen promote` against real git repositories: a bare repository in a temp dir is the
//! remote, a clone of it is the CI checkout. No network.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::Command as Cmd;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A bare remote holding a generated repository on `main`, and a checkout of it.
struct Fixture {
    _tmp: tempfile::TempDir,
    remote: PathBuf,
    checkout: PathBuf,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().expect("tempdir");
    let remote = tmp.path().join("remote.git");
    let checkout = tmp.path().join("shop");
    git(
        tmp.path(),
        &["init", "-q", "--bare", "-b", "main", "remote.git"],
    );
    git(
        tmp.path(),
        &["clone", "-q", remote.to_str().expect("utf-8"), "shop"],
    );
    git(&checkout, &["config", "user.name", "Test"]);
    git(&checkout, &["config", "user.email", "test@example.com"]);
    git(&checkout, &["checkout", "-q", "-b", "main"]);
    gitops_gen(&checkout)
        .args(["init", "--yes", "--app", "web", "--app", "api"])
        .assert()
        .success();
    git(&checkout, &["add", "-A"]);
    git(&checkout, &["commit", "-q", "-m", "initial"]);
    git(&checkout, &["push", "-q", "origin", "main"]);
    Fixture {
        _tmp: tmp,
        remote,
        checkout,
    }
}

fn gitops_gen(dir: &Path) -> Cmd {
    let mut cmd = Cmd::cargo_bin("gitops-gen").expect("binary is built");
    cmd.current_dir(dir).env("NO_COLOR", "1");
    for var in [
        "GITHUB_SHA",
        "GITHUB_REF",
        "GITHUB_ACTOR",
        "GITHUB_OUTPUT",
        "GITLAB_CI",
        "GITHUB_TOKEN",
        "CI_JOB_TOKEN",
        "GITOPS_GEN_TOKEN",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

fn remote_file(f: &Fixture, branch: &str, path: &str) -> String {
    git(&f.remote, &["show", &format!("{branch}:{path}")])
}

#[test]
fn commit_mode_edits_the_overlay_and_records_an_audit_message() {
    let f = fixture();
    gitops_gen(&f.checkout)
        .args([
            "promote",
            "--env",
            "staging",
            "--app",
            "web",
            "--image",
            "ghcr.io/shop/web:3f9c2e1",
        ])
        .env("GITHUB_SHA", "3f9c2e1")
        .env("GITHUB_ACTOR", "octocat")
        .assert()
        .success();
    let overlay = remote_file(
        &f,
        "main",
        "applications/overlays/staging/kustomization.yaml",
    );
    assert!(
        overlay.contains("  - name: ghcr.io/shop/web\n    newTag: 3f9c2e1\n"),
        "{overlay}"
    );
    assert!(
        overlay.contains("  - name: ghcr.io/shop/api\n    newTag: latest"),
        "{overlay}"
    );
    let message = git(&f.remote, &["log", "-1", "--format=%B", "main"]);
    assert!(
        message.starts_with("promote(staging): web latest → 3f9c2e1\n"),
        "{message}"
    );
    assert!(message.contains("[skip ci]"));
    assert!(
        message.contains("Source-Commit: 3f9c2e1\nActor: octocat"),
        "{message}"
    );
    // The caller's checkout is untouched: promotion works in its own clone.
    assert_eq!(git(&f.checkout, &["status", "--porcelain"]), "");
}

#[test]
fn promoting_the_same_image_again_is_a_no_op() {
    let f = fixture();
    let promote = |f: &Fixture| {
        gitops_gen(&f.checkout)
            .args([
                "promote",
                "--env",
                "development",
                "--app",
                "api",
                "--image",
                "ghcr.io/shop/api:1.2.3",
            ])
            .assert()
            .success()
    };
    promote(&f);
    let head = git(&f.remote, &["rev-parse", "main"]);
    promote(&f).stderr(predicates::str::contains("already runs"));
    assert_eq!(git(&f.remote, &["rev-parse", "main"]), head);
}

#[test]
fn a_ref_that_does_not_map_to_the_environment_changes_nothing() {
    let f = fixture();
    let head = git(&f.remote, &["rev-parse", "main"]);
    gitops_gen(&f.checkout)
        .args([
            "promote",
            "--env",
            "preview",
            "--app",
            "web",
            "--image",
            "ghcr.io/shop/web:abc",
        ])
        .args(["--ref", "refs/heads/feature/a/b"])
        .assert()
        .success()
        .stderr(predicates::str::contains("does not promote into `preview`"));
    assert_eq!(git(&f.remote, &["rev-parse", "main"]), head);
    gitops_gen(&f.checkout)
        .args([
            "promote",
            "--env",
            "preview",
            "--app",
            "web",
            "--image",
            "ghcr.io/shop/web:abc",
        ])
        .args(["--ref", "refs/heads/feature/login"])
        .assert()
        .success();
    assert_ne!(git(&f.remote, &["rev-parse", "main"]), head);
}

#[test]
fn pull_request_mode_pushes_a_promotion_branch_and_reports_it() {
    let f = fixture();
    let outputs = f.checkout.parent().expect("parent").join("github-output");
    for tag in ["v1", "v1"] {
        gitops_gen(&f.checkout)
            .args([
                "promote",
                "--env",
                "production",
                "--app",
                "web",
                "--image",
                &format!("ghcr.io/shop/web:{tag}"),
            ])
            .env("GITHUB_OUTPUT", &outputs)
            .assert()
            .success();
    }
    let overlay = remote_file(
        &f,
        "promote/production/web",
        "applications/overlays/production/kustomization.yaml",
    );
    assert!(overlay.contains("newTag: v1"));
    // The GitOps branch itself only changes when the pull request is merged.
    let main = remote_file(
        &f,
        "main",
        "applications/overlays/production/kustomization.yaml",
    );
    assert!(!main.contains("newTag: v1"));
    // A second run rebuilds the branch on the tip: still exactly one commit ahead of main.
    let ahead = git(
        &f.remote,
        &["rev-list", "--count", "main..promote/production/web"],
    );
    assert_eq!(ahead, "1");
    let written = std::fs::read_to_string(&outputs).expect("GITHUB_OUTPUT written");
    assert!(
        written.contains(
            "branch=promote/production/web\ntitle=promote(production): web latest → v1\n"
        ),
        "{written}"
    );
}

#[test]
fn concurrent_promotions_all_land_with_linear_history() {
    let f = fixture();
    let envs = ["development", "staging", "preview"];
    let apps = ["web", "api"];
    // Six processes start at once; rejected pushes are retried on the new tip.
    let handles: Vec<_> = envs
        .iter()
        .flat_map(|env| apps.iter().map(move |app| (*env, *app)))
        .map(|(env, app)| {
            Command::new(env!("CARGO_BIN_EXE_gitops-gen"))
                .current_dir(&f.checkout)
                .args(["promote", "--env", env, "--app", app])
                .args([
                    "--image",
                    &format!("ghcr.io/shop/{app}:{env}-race"),
                    "--retries",
                    "30",
                ])
                .env("NO_COLOR", "1")
                .spawn()
                .expect("spawn promote")
        })
        .collect();
    for mut child in handles {
        assert!(child.wait().expect("wait").success());
    }
    for env in envs {
        let overlay = remote_file(
            &f,
            "main",
            &format!("applications/overlays/{env}/kustomization.yaml"),
        );
        for app in apps {
            assert!(
                overlay.contains(&format!("newTag: {env}-race")),
                "{app} in {env}: {overlay}"
            );
        }
    }
    let merges = git(&f.remote, &["rev-list", "--merges", "--count", "main"]);
    assert_eq!(merges, "0", "history stays linear");
}

#[test]
fn bad_requests_are_clear_errors_and_commit_nothing() {
    let f = fixture();
    let head = git(&f.remote, &["rev-parse", "main"]);
    let cases: [(&[&str], &str); 4] = [
        (
            &[
                "--env",
                "qa",
                "--app",
                "web",
                "--image",
                "ghcr.io/shop/web:1",
            ],
            "unknown environment `qa`",
        ),
        (
            &[
                "--env",
                "staging",
                "--app",
                "db",
                "--image",
                "ghcr.io/shop/db:1",
            ],
            "unknown app `db`",
        ),
        (
            &[
                "--env",
                "staging",
                "--app",
                "web",
                "--image",
                "ghcr.io/shop/api:1",
            ],
            "is not from app `web`",
        ),
        (
            &[
                "--env",
                "staging",
                "--app",
                "web",
                "--image",
                "ghcr.io/shop/web",
            ],
            "must be `repository:tag`",
        ),
    ];
    for (args, message) in cases {
        gitops_gen(&f.checkout)
            .arg("promote")
            .args(args)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(message));
    }
    assert_eq!(git(&f.remote, &["rev-parse", "main"]), head);
}
