//! The `gitops-gen-check` pre-commit hook from .pre-commit-hooks.yaml, run by the real
//! pre-commit against a generated repository: passes when clean, fails on a stale tree.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_norway::Value as Node;

use crate::common::*;

/// The fields of the published hook that a local copy must keep.
struct Hook {
    id: String,
    name: String,
    entry: String,
    pass_filenames: bool,
    always_run: bool,
}

fn published_hook(id: &str) -> Option<Hook> {
    let manifest = crate_root().join(".pre-commit-hooks.yaml");
    let text = std::fs::read_to_string(&manifest).ok()?;
    let doc: Node = serde_norway::from_str(&text).expect(".pre-commit-hooks.yaml is valid YAML");
    let hooks = doc
        .as_sequence()
        .expect(".pre-commit-hooks.yaml is a list of hooks");
    let hook = hooks
        .iter()
        .find(|h| field(h, "id").and_then(Node::as_str) == Some(id))?;
    let string = |key: &str| {
        field(hook, key)
            .and_then(Node::as_str)
            .unwrap_or_else(|| panic!("hook {id} has no string `{key}`"))
            .to_owned()
    };
    let boolean = |key: &str| field(hook, key).and_then(Node::as_bool).unwrap_or(false);
    Some(Hook {
        id: string("id"),
        name: string("name"),
        entry: string("entry"),
        pass_filenames: boolean("pass_filenames"),
        always_run: boolean("always_run"),
    })
}

fn field<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    node.get(key)
}

fn pre_commit_available() -> bool {
    Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// PATH with the freshly built binary first, so `language: system` runs this build.
fn path_with_binary() -> OsString {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_gitops-gen"))
        .parent()
        .expect("binary has a directory")
        .to_path_buf();
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(&rest)))
        .expect("PATH joins")
}

fn pre_commit(repo: &Path, home: &Path, args: &[&str]) -> Output {
    Command::new("pre-commit")
        .args(args)
        .current_dir(repo)
        // Its cache and database go to a throwaway home: no global state is touched.
        .env("PRE_COMMIT_HOME", home)
        .env("PATH", path_with_binary())
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("pre-commit runs")
}

/// The hook as a `repo: local` entry. JSON strings are valid YAML scalars, so serde_json does
/// the quoting.
fn local_config(hook: &Hook) -> String {
    let q = |s: &str| serde_json::to_string(s).expect("string to JSON");
    format!(
        "repos:\n  - repo: local\n    hooks:\n      - id: {}\n        name: {}\n        entry: {}\n        language: system\n        pass_filenames: {}\n        always_run: {}\n",
        q(&hook.id),
        q(&hook.name),
        q(&hook.entry),
        hook.pass_filenames,
        hook.always_run,
    )
}

fn combined(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn check_hook_passes_when_clean_and_fails_when_stale() {
    if !pre_commit_available() {
        println!("skipping: pre-commit is not on PATH (pip install 'pre-commit==4.*')");
        return;
    }
    let Some(hook) = published_hook("gitops-gen-check") else {
        println!("skipping: .pre-commit-hooks.yaml has no gitops-gen-check hook");
        return;
    };
    assert!(
        !hook.pass_filenames,
        "the check looks at the whole tree, not staged names"
    );
    assert!(
        hook.always_run,
        "a stale tree must fail even when no model file is staged"
    );

    let (tmp, repo) = named_dir("shop");
    let home: PathBuf = tmp.path().join("pre-commit-home");
    git_repo(&repo, None);
    assert_code(&run(&repo, &["init", "--yes"]), 0);
    write(&repo, ".pre-commit-config.yaml", &local_config(&hook));
    git(&repo, &["add", "-A"]);
    git(
        &repo,
        &["commit", "-q", "--no-verify", "-m", "gitops-gen init"],
    );

    let clean = pre_commit(&repo, &home, &["run", "--all-files"]);
    assert_eq!(clean.status.code(), Some(0), "{}", combined(&clean));

    append(
        &repo,
        "gitops-gen.yaml",
        "  - name: worker\n    image: ghcr.io/shop/worker\n    port: 7070\n",
    );
    let stale = pre_commit(&repo, &home, &["run", "--all-files"]);
    let text = combined(&stale);
    assert_ne!(stale.status.code(), Some(0), "{text}");
    assert!(
        text.contains(".github/workflows/gitops.yml"),
        "names the stale file:\n{text}"
    );
    assert!(
        text.contains("gitops-gen generate"),
        "says how to fix it:\n{text}"
    );
}

/// pre-commit itself must accept the published manifest (`language: rust` builds from the repo).
#[test]
fn hook_manifest_is_valid_for_pre_commit() {
    if !pre_commit_available() {
        println!("skipping: pre-commit is not on PATH (pip install 'pre-commit==4.*')");
        return;
    }
    let manifest = crate_root().join(".pre-commit-hooks.yaml");
    if !manifest.is_file() {
        println!("skipping: no .pre-commit-hooks.yaml in the crate");
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = Command::new("pre-commit")
        .arg("validate-manifest")
        .arg(&manifest)
        .env("PRE_COMMIT_HOME", tmp.path())
        .output()
        .expect("pre-commit runs");
    assert_eq!(out.status.code(), Some(0), "{}", combined(&out));
}

/// Where the setuptools wheel that pre-commit's virtualenv seeds lives: pip needs it to build
/// the hooks repository, and this test gives pip no index.
fn seed_wheels() -> Option<PathBuf> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import os, virtualenv; print(os.path.join(os.path.dirname(virtualenv.__file__), 'seed', 'wheels', 'embed'))",
        ])
        .output()
        .ok()?;
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    (out.status.success() && dir.is_dir()).then_some(dir)
}

/// The hooks as published for users (dist/pre-commit, `language: python`): pre-commit installs
/// the wheel `maturin build` makes of this crate, with no compiler and no index, and the check
/// hook then passes on a clean tree and fails on a stale one.
#[test]
fn the_python_hooks_install_from_the_wheel_and_check() {
    if !pre_commit_available() {
        println!("skipping: pre-commit is not on PATH (pip install 'pre-commit==4.*')");
        return;
    }
    let maturin = Command::new("maturin").arg("--version").output();
    if !maturin.is_ok_and(|o| o.status.success()) {
        println!("skipping: maturin is not on PATH (pip install 'maturin==1.*'; .ci/run does)");
        return;
    }
    let Some(seeds) = seed_wheels() else {
        println!("skipping: python3 has no virtualenv (pre-commit's) with seed wheels");
        return;
    };
    let mirror = crate_root().join("dist/pre-commit");
    let pyproject = read(&mirror, "pyproject.toml");
    let pin = format!("\"gitops-gen=={}\"", env!("CARGO_PKG_VERSION"));
    assert!(pyproject.contains(&pin), "dist/pre-commit pins {pin}");
    for id in ["gitops-gen-check", "gitops-gen-generate"] {
        let published = published_hook(id).expect("the root manifest has the hook");
        let text = read(&mirror, ".pre-commit-hooks.yaml");
        assert!(
            text.contains(&format!("- id: {}\n", published.id))
                && text.contains(&format!("entry: {}\n", published.entry)),
            "dist/pre-commit has {id} as the root manifest does"
        );
    }

    let (tmp, repo) = named_dir("shop");
    let wheels = tmp.path().join("wheels");
    // A target folder of its own: maturin's cargo may build the binary with other settings,
    // and relinking `target/debug/gitops-gen` would pull it from under the tests running beside
    // this one. The dev profile keeps that build short; a release wheel is the same program.
    let built = Command::new("maturin")
        .args(["build", "--profile", "dev", "--locked", "--out"])
        .arg(&wheels)
        .arg("--target-dir")
        .arg(crate_root().join("target/maturin"))
        .current_dir(crate_root())
        .output()
        .expect("maturin runs");
    assert!(built.status.success(), "{}", combined(&built));

    let hooks = tmp.path().join("hooks");
    copy_tree(&mirror, &hooks);
    git_repo(&hooks, None);
    git(&hooks, &["add", "-A"]);
    git(&hooks, &["commit", "-q", "-m", "hooks"]);
    let rev = git(&hooks, &["rev-parse", "HEAD"]);

    git_repo(&repo, None);
    assert_code(&run(&repo, &["init", "--yes"]), 0);
    write(
        &repo,
        ".pre-commit-config.yaml",
        &format!(
            "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n      - id: gitops-gen-check\n",
            hooks.display(),
            rev.trim()
        ),
    );
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "--no-verify", "-m", "init"]);
    let home = tmp.path().join("pre-commit-home");
    let links = std::env::join_paths([&wheels, &seeds]).expect("paths join");
    let links = links.to_string_lossy().replace(':', " ");
    let hook_run = || {
        Command::new("pre-commit")
            .args(["run", "--all-files"])
            .current_dir(&repo)
            .env("PRE_COMMIT_HOME", &home)
            .env("PIP_NO_INDEX", "1")
            .env("PIP_FIND_LINKS", &links)
            .env("NO_COLOR", "1")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .expect("pre-commit runs")
    };
    let clean = hook_run();
    assert_eq!(clean.status.code(), Some(0), "{}", combined(&clean));
    append(
        &repo,
        "gitops-gen.yaml",
        "  - name: worker\n    image: ghcr.io/shop/worker\n    port: 7070\n",
    );
    let stale = hook_run();
    assert_ne!(stale.status.code(), Some(0), "{}", combined(&stale));
    assert!(combined(&stale).contains(".github/workflows/gitops.yml"));
}
