//! The fixture of the promote tests: a bare repository in a temp dir is the remote, a clone of it
//! is the CI checkout, holding what `gitops-gen init --yes --app web --app api` writes.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::Command as Cmd;

pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
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
pub(crate) struct Fixture {
    pub(crate) _tmp: tempfile::TempDir,
    pub(crate) remote: PathBuf,
    pub(crate) checkout: PathBuf,
}

pub(crate) fn fixture() -> Fixture {
    let f = empty();
    gitops_gen(&f.checkout)
        .args(["init", "--yes", "--app", "web", "--app", "api"])
        .assert()
        .success();
    if let Some(operator) = operator() {
        // The same promotions under another operator: only `clusters/` differs.
        let path = f.checkout.join("gitops-gen.yaml");
        let model = std::fs::read_to_string(&path).expect("read model");
        let model = model.replacen("operator: flux", &format!("operator: {operator}"), 1);
        let model = model.replacen(
            "gitops:\n",
            "gitops:\n  url: https://github.com/acme/shop.git\n",
            1,
        );
        std::fs::write(&path, model).expect("write model");
        gitops_gen(&f.checkout).arg("generate").assert().success();
        assert!(
            f.checkout
                .join(format!(
                    "clusters/{}",
                    if operator == "fleet" {
                        "fleet"
                    } else {
                        "production"
                    }
                ))
                .is_dir()
        );
    }
    git(&f.checkout, &["add", "-A"]);
    git(&f.checkout, &["commit", "-q", "-m", "initial"]);
    git(&f.checkout, &["push", "-q", "origin", "main"]);
    f
}

/// The operator the promote suite runs under: `GITOPS_GEN_TEST_OPERATOR` (`argocd`, `fleet`),
/// else the model's default, Flux. `.ci/run` runs the suite once more under each.
fn operator() -> Option<String> {
    std::env::var("GITOPS_GEN_TEST_OPERATOR")
        .ok()
        .filter(|o| o != "flux")
}

/// An empty bare remote and a clone of it on `main`, with a committer configured.
pub(crate) fn empty() -> Fixture {
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
    Fixture {
        _tmp: tmp,
        remote,
        checkout,
    }
}

/// `kubectl kustomize` of `dir` on the remote's `main` (pulled into the checkout first), as Flux
/// builds it: without the load restriction.
pub(crate) fn built(f: &Fixture, dir: &str) -> String {
    git(&f.checkout, &["pull", "-q", "--ff-only", "origin", "main"]);
    let out = Command::new("kubectl")
        .args([
            "kustomize",
            "--load-restrictor",
            "LoadRestrictionsNone",
            dir,
        ])
        .current_dir(&f.checkout)
        .output()
        .expect("kubectl is on PATH (the integration tests need it too)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The images the staging overlay on the remote's `main` renders, sorted.
pub(crate) fn rendered_images(f: &Fixture) -> Vec<String> {
    let mut images: Vec<String> = built(f, "applications/overlays/staging")
        .lines()
        .filter_map(|l| l.trim().trim_start_matches("- ").strip_prefix("image: "))
        .map(str::to_owned)
        .collect();
    images.sort();
    images
}

pub(crate) fn gitops_gen(dir: &Path) -> Cmd {
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

/// `gitops-gen promote --env ENV --app APP --image IMAGE` in the fixture's checkout; tests add
/// the flags they are about.
pub(crate) fn promote(f: &Fixture, env: &str, app: &str, image: &str) -> Cmd {
    let mut cmd = gitops_gen(&f.checkout);
    cmd.args(["promote", "--env", env, "--app", app, "--image", image]);
    cmd
}

/// Installs `script` as the pre-receive hook of the bare repository `remote`.
pub(crate) fn pre_receive(remote: &Path, script: &str) {
    let hook = remote.join("hooks").join("pre-receive");
    std::fs::write(&hook, script).expect("write hook");
    Command::new("chmod")
        .arg("+x")
        .arg(&hook)
        .status()
        .expect("chmod");
}

/// A pre-receive hook that, on the first push only, moves `main` to the branch `side` (another
/// push landing first) and rejects the push in words that mention no race; later pushes pass.
pub(crate) const SIDE_LANDS_FIRST: &str = "#!/bin/sh\necho run >> \"$GIT_DIR/hook-runs\"\n\
     if [ \"$(wc -l < \"$GIT_DIR/hook-runs\")\" -eq 1 ]; then\n\
     env -u GIT_QUARANTINE_PATH -u GIT_OBJECT_DIRECTORY -u GIT_ALTERNATE_OBJECT_DIRECTORIES \
     git update-ref refs/heads/main refs/heads/side\n\
     echo 'declined: try again later' >&2\nexit 1\nfi\nexit 0\n";

pub(crate) fn remote_file(f: &Fixture, branch: &str, path: &str) -> String {
    // `git` trims the output; files end with a newline.
    git(&f.remote, &["show", &format!("{branch}:{path}")]) + "\n"
}
