//! A separate config repository: `generate` keeps the tree out of the application repository,
//! `generate --gitops-checkout` and `gitops-gen sync` write it into the config repository (a
//! real bare remote here), promotions there survive later syncs, hand edits there are refused,
//! and a lost push race is planned again on the new tip.

mod promote_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use promote_support::{Fixture, SIDE_LANDS_FIRST, empty, git, gitops_gen, pre_receive};

/// The application repository (`f`) with a model whose tree lives in `config`, a bare remote
/// with no branch yet.
struct Separate {
    f: Fixture,
    config: PathBuf,
}

fn model(config: &Path, promotion: &str, apps: &[&str]) -> String {
    let apps: String = apps.iter().map(|a| format!("  - name: {a}\n")).collect();
    format!(
        "version: 1\nproject: shop\nci: both\nregistry: ghcr.io/acme\n\
         gitops:\n  repository: file://{}\n  sync: {{branch: main, promotion: {promotion}}}\n\
         environments:\n  - {{name: development, branches: main}}\n\
         \x20 - {{name: production, tags: ['v*'], promotion: pull-request}}\n\
         apps:\n{apps}",
        config.display()
    )
}

fn separate(promotion: &str) -> Separate {
    let f = empty();
    let config = f._tmp.path().join("config.git");
    git(
        f._tmp.path(),
        &["init", "-q", "--bare", "-b", "main", "config.git"],
    );
    std::fs::write(
        f.checkout.join("gitops-gen.yaml"),
        model(&config, promotion, &["web"]),
    )
    .expect("write model");
    gitops_gen(&f.checkout).arg("generate").assert().success();
    commit_all(&f.checkout, "initial");
    Separate { f, config }
}

/// Adds the app `api` to the model (and regenerates this repository's files when `generate`),
/// then commits.
fn add_api(s: &Separate, promotion: &str, generate: bool) {
    std::fs::write(
        s.f.checkout.join("gitops-gen.yaml"),
        model(&s.config, promotion, &["web", "api"]),
    )
    .expect("write model");
    if generate {
        gitops_gen(&s.f.checkout).arg("generate").assert().success();
    }
    commit_all(&s.f.checkout, "add api");
}

fn commit_all(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

fn sync(s: &Separate, args: &[&str]) -> std::process::Output {
    let head = git(&s.f.checkout, &["rev-parse", "HEAD"]);
    gitops_gen(&s.f.checkout)
        .arg("sync")
        .args(args)
        .env("GITHUB_SHA", head)
        .output()
        .expect("sync runs")
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A checkout of the config repository's `branch`.
fn clone(s: &Separate, branch: &str, name: &str) -> PathBuf {
    let dir = s.f._tmp.path().join(name);
    git(
        s.f._tmp.path(),
        &[
            "clone",
            "-q",
            "-b",
            branch,
            s.config.to_str().expect("utf-8"),
            name,
        ],
    );
    git(&dir, &["config", "user.name", "Test"]);
    git(&dir, &["config", "user.email", "test@example.com"]);
    dir
}

fn files(dir: &Path) -> Vec<String> {
    let listed = git(dir, &["ls-files"]);
    listed.lines().map(str::to_owned).collect()
}

#[test]
fn generate_keeps_the_tree_out_of_the_application_repository() {
    let s = separate("commit");
    assert_eq!(
        files(&s.f.checkout),
        [
            ".github/workflows/gitops-promote.yml",
            ".github/workflows/gitops.yml",
            ".gitlab-ci.yml",
            ".gitops-gen/digests",
            ".gitops-gen/files",
            "gitops-gen.yaml"
        ]
    );
    // The application pipeline syncs instead of validating a copy nobody applies.
    let workflow =
        std::fs::read_to_string(s.f.checkout.join(".github/workflows/gitops.yml")).expect("read");
    assert!(
        workflow.contains("gitops-gen sync --mode commit"),
        "{workflow}"
    );
    assert!(!workflow.contains("\n  validate:"), "{workflow}");
    let gitlab = std::fs::read_to_string(s.f.checkout.join(".gitlab-ci.yml")).expect("read");
    assert!(gitlab.contains("\nsync:\n"), "{gitlab}");
    assert!(!gitlab.contains("\nvalidate:\n"), "{gitlab}");
}

#[test]
fn the_first_sync_starts_the_branch_and_the_tree_builds_there() {
    let s = separate("pull-request");
    let out = sync(&s, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    // A pull request needs a branch to go into: the first tree is the branch's first commit.
    assert!(stderr(&out).contains("does not exist in the config repository yet"));
    let checkout = clone(&s, "main", "cfg");
    let tree = files(&checkout);
    assert!(tree.contains(&".github/workflows/gitops-validate.yml".to_owned()));
    assert!(tree.contains(&"clusters/development/apps.yaml".to_owned()));
    for dir in [
        "applications/overlays/development",
        "applications/overlays/production",
        "infrastructure/overlays/production",
    ] {
        let built = Command::new("kubectl")
            .args(["kustomize", dir])
            .current_dir(&checkout)
            .output()
            .expect("kubectl runs");
        assert!(built.status.success(), "{dir}: {}", stderr(&built));
    }
    let subject = git(&checkout, &["log", "-1", "--format=%s%n%b"]);
    let head = git(&s.f.checkout, &["rev-parse", "HEAD"]);
    assert!(subject.starts_with(&format!("sync: gitops-gen tree from {}", &head[..12])));
    assert!(
        subject.contains(&format!("Source-Commit: {head}")),
        "{subject}"
    );
    // The checkout holds exactly what generate renders, and a second sync changes nothing.
    gitops_gen(&s.f.checkout)
        .args(["generate", "--check", "--gitops-checkout"])
        .arg(&checkout)
        .assert()
        .success();
    let again = sync(&s, &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("already holds the tree"),
        "{}",
        stderr(&again)
    );
    assert_eq!(git(&s.config, &["rev-list", "--count", "main"]), "1");
}

#[test]
fn a_model_change_is_proposed_once_and_promotions_there_survive_it() {
    let s = separate("pull-request");
    assert!(sync(&s, &[]).status.success());
    // A promotion lands in the config repository's overlay.
    let image = format!("ghcr.io/acme/web:{}", "a".repeat(40));
    gitops_gen(&s.f.checkout)
        .args(["promote", "--env", "development", "--app", "web", "--image"])
        .arg(&image)
        .assert()
        .success();
    // The model gains an app: the sync proposes the new tree on one branch.
    add_api(&s, "pull-request", true);
    let outputs = s.f._tmp.path().join("github-output");
    let out = sync(&s, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("proposed"), "{}", stderr(&out));
    let head = git(&s.f.checkout, &["rev-parse", "HEAD"]);
    let proposal = clone(&s, "gitops-gen/sync", "proposal");
    assert!(files(&proposal).contains(&"applications/base/api/kustomization.yaml".to_owned()));
    assert_eq!(
        git(&s.config, &["rev-parse", "gitops-gen/sync^"]),
        git(&s.config, &["rev-parse", "main"]),
        "one commit on the branch's tip"
    );
    let overlay = std::fs::read_to_string(
        proposal.join("applications/overlays/development/kustomization.yaml"),
    )
    .expect("overlay");
    assert!(overlay.contains(&"a".repeat(40)), "{overlay}");
    // The same tree again is already proposed; the step outputs name the branch.
    let again = gitops_gen(&s.f.checkout)
        .arg("sync")
        .env("GITHUB_SHA", &head)
        .env("GITHUB_OUTPUT", &outputs)
        .output()
        .expect("sync runs");
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(stderr(&again).contains("unchanged"), "{}", stderr(&again));
    let written = std::fs::read_to_string(&outputs).expect("outputs");
    assert!(written.starts_with("branch=gitops-gen/sync\ntitle=sync: gitops-gen tree from "));
}

#[test]
fn a_hand_edit_in_the_config_repository_is_refused_and_nothing_is_pushed() {
    let s = separate("commit");
    assert!(sync(&s, &[]).status.success());
    let checkout = clone(&s, "main", "cfg");
    let apps = checkout.join("clusters/development/apps.yaml");
    let text = std::fs::read_to_string(&apps).expect("read");
    std::fs::write(&apps, text.replace("interval: 10m0s", "interval: 1m0s")).expect("write");
    commit_all(&checkout, "faster");
    git(&checkout, &["push", "-q", "origin", "main"]);
    let tip = git(&s.config, &["rev-parse", "main"]);
    add_api(&s, "commit", false);
    let out = sync(&s, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // miette wraps the message; joined, the path is whole again.
    let said = stderr(&out).replace("\n  | ", "");
    assert!(
        said.contains("clusters/development/apps.yaml was edited by hand"),
        "{said}"
    );
    assert_eq!(git(&s.config, &["rev-parse", "main"]), tip);
    // generate says the same about the checkout, and writes nothing there either.
    gitops_gen(&s.f.checkout)
        .args(["generate", "--gitops-checkout"])
        .arg(&checkout)
        .assert()
        .code(1);
    assert!(!checkout.join("applications/base/api").exists());
}

#[test]
fn a_dry_run_shows_the_change_and_pushes_nothing() {
    let s = separate("commit");
    assert!(sync(&s, &[]).status.success());
    let tip = git(&s.config, &["rev-parse", "main"]);
    add_api(&s, "commit", false);
    let out = sync(&s, &["--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stderr(&out);
    assert!(said.contains("would sync"), "{said}");
    assert!(
        said.contains("applications/base/api/kustomization.yaml"),
        "{said}"
    );
    assert_eq!(git(&s.config, &["rev-parse", "main"]), tip);
    assert_eq!(git(&s.config, &["branch", "--list", "gitops-gen/sync"]), "");
}

#[test]
fn a_lost_race_is_planned_again_on_the_new_tip() {
    let s = separate("commit");
    assert!(sync(&s, &[]).status.success());
    // Another push lands on main during the first push, which the hook then rejects.
    let other = clone(&s, "main", "other");
    std::fs::write(other.join("README.md"), "config\n").expect("write");
    commit_all(&other, "readme");
    git(&other, &["push", "-q", "origin", "main:side"]);
    pre_receive(&s.config, SIDE_LANDS_FIRST);
    add_api(&s, "commit", false);
    let out = sync(&s, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("2 push attempt(s)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        git(&s.config, &["rev-parse", "main^"]),
        git(&s.config, &["rev-parse", "side"]),
        "the sync sits on top of the push that landed first"
    );
}

#[test]
fn sync_and_the_checkout_flag_need_a_separate_repository() {
    let f = empty();
    gitops_gen(&f.checkout)
        .args(["init", "--yes", "--app", "web"])
        .assert()
        .success();
    let out = gitops_gen(&f.checkout).arg("sync").output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("sync needs a separate `gitops.repository`"));
    let out = gitops_gen(&f.checkout)
        .args(["generate", "--gitops-checkout", "."])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--gitops-checkout needs a separate"));
}
