//! Shared helpers for the integration tests: running the binary, making git repositories,
//! reading and snapshotting generated trees.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

/// Environment that keeps the user's and the machine's git configuration out of the tests, so a
/// global `init.defaultBranch` or hook path cannot change what gitops-gen detects.
const GIT_ISOLATION: &[(&str, &str)] = &[
    ("GIT_CONFIG_NOSYSTEM", "1"),
    ("GIT_CONFIG_GLOBAL", "/dev/null"),
    ("GIT_TERMINAL_PROMPT", "0"),
];

/// The crate root (where Cargo.toml is).
pub(crate) fn crate_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A file under tests/fixtures/.
pub(crate) fn fixture(rel: &str) -> PathBuf {
    crate_root().join("tests/fixtures").join(rel)
}

/// The gitops-gen binary with plain, deterministic output, run in `cwd`.
///
/// `--color never` and NO_COLOR keep escapes out of snapshots; COLUMNS pins the width miette
/// would otherwise guess from the terminal.
pub(crate) fn gitops_gen(cwd: &Path) -> Command {
    let mut cmd = gitops_gen_uncolored(cwd);
    cmd.arg("--color").arg("never");
    cmd
}

/// [`gitops_gen`] without the `--color never` argument (clap rejects a repeated `--color`), for
/// tests of color handling itself. NO_COLOR is still set.
pub(crate) fn gitops_gen_uncolored(cwd: &Path) -> Command {
    let mut cmd = Command::cargo_bin("gitops-gen").expect("the gitops-gen binary is built");
    cmd.current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env_remove("GITOPS_GEN_TOKEN")
        .env_remove("GITHUB_TOKEN")
        .env_remove("CI_JOB_TOKEN");
    for (k, v) in GIT_ISOLATION {
        cmd.env(k, v);
    }
    cmd
}

/// Runs gitops-gen with `args` in `cwd` and returns its output without judging the exit code.
pub(crate) fn run(cwd: &Path, args: &[&str]) -> Output {
    gitops_gen(cwd)
        .args(args)
        .output()
        .expect("gitops-gen runs")
}

/// Exit code of an output; a signal (no code) fails the test loudly.
pub(crate) fn code(out: &Output) -> i32 {
    out.status
        .code()
        .expect("gitops-gen exited normally, not by a signal")
}

/// Stdout as text.
pub(crate) fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Stderr as text.
pub(crate) fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts an exit code, printing both streams when it differs.
#[track_caller]
pub(crate) fn assert_code(out: &Output, expected: i32) {
    assert_eq!(
        code(out),
        expected,
        "unexpected exit code\n--- stdout ---\n{}\n--- stderr ---\n{}",
        stdout(out),
        stderr(out)
    );
}

/// Runs the git CLI in `dir`, isolated from global configuration; panics on failure.
pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
    let mut cmd = std::process::Command::new("git");
    cmd.current_dir(dir).args(args);
    for (k, v) in GIT_ISOLATION {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("git is installed");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Turns `dir` (created if missing) into a git repository on `branch`, with a local identity
/// and, optionally, an `origin` remote. No commits: gitops-gen only reads HEAD's name and the
/// remote URL.
pub(crate) fn git_repo_on(dir: &Path, branch: &str, remote: Option<&str>) {
    std::fs::create_dir_all(dir).expect("create repo dir");
    git(dir, &["init", "-q", "-b", branch]);
    git(dir, &["config", "user.name", "gitops-gen tests"]);
    git(dir, &["config", "user.email", "tests@example.invalid"]);
    git(dir, &["config", "commit.gpgsign", "false"]);
    if let Some(url) = remote {
        git(dir, &["remote", "add", "origin", url]);
    }
}

/// [`git_repo_on`] with `main`.
pub(crate) fn git_repo(dir: &Path, remote: Option<&str>) {
    git_repo_on(dir, "main", remote);
}

/// A fresh temporary directory holding one subdirectory with a fixed name, so that anything
/// derived from the directory name (init's project name) is the same on every run.
pub(crate) fn named_dir(name: &str) -> (TempDir, PathBuf) {
    let tmp = tempfile::Builder::new()
        .prefix("gitops-gen-it-")
        .tempdir()
        .expect("create tempdir");
    let dir = tmp.path().join(name);
    std::fs::create_dir_all(&dir).expect("create named dir");
    (tmp, dir)
}

/// A directory named `name` holding tests/fixtures/`model` as its gitops-gen.yaml.
pub(crate) fn dir_with_model(name: &str, model: &str) -> (TempDir, PathBuf) {
    let (tmp, dir) = named_dir(name);
    std::fs::copy(fixture(model), dir.join("gitops-gen.yaml")).expect("copy fixture model");
    (tmp, dir)
}

/// Copies the files below `from` into `to`, keeping relative paths.
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    walk(from, from, &mut |rel, path| {
        let target = to.join(rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).expect("create folder");
        }
        std::fs::copy(path, target).expect("copy file");
    });
}

/// Runs `generate` in `dir` and requires success.
#[track_caller]
pub(crate) fn generate_ok(dir: &Path) -> Output {
    let out = run(dir, &["generate"]);
    assert_code(&out, 0);
    out
}

/// Every file under `dir` (`.git` skipped) by `/`-separated relative path, with its bytes.
pub(crate) fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut |rel, path| {
        files.insert(rel, std::fs::read(path).expect("read file"));
    });
    files
}

/// Every directory under `dir` (`.git` skipped), relative, sorted.
pub(crate) fn list_dirs(dir: &Path) -> Vec<String> {
    let mut dirs = Vec::new();
    collect_dirs(dir, dir, &mut dirs);
    dirs.sort();
    dirs
}

fn collect_dirs(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let entry = entry.expect("dir entry");
        let path = entry.path();
        if entry.file_name() == ".git" || !entry.file_type().expect("file type").is_dir() {
            continue;
        }
        out.push(rel_path(root, &path));
        collect_dirs(root, &path, out);
    }
}

fn rel_path(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .expect("path under root")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn walk(root: &Path, dir: &Path, f: &mut dyn FnMut(String, &Path)) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("dir entry"))
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        if entry.file_name() == ".git" {
            continue;
        }
        let path = entry.path();
        let kind = entry.file_type().expect("file type");
        if kind.is_dir() {
            walk(root, &path, f);
        } else {
            f(rel_path(root, &path), &path);
        }
    }
}

/// Relative paths of every file under `dir` (`.git` skipped), sorted.
pub(crate) fn list_files(dir: &Path) -> Vec<String> {
    read_tree(dir).into_keys().collect()
}

/// The whole tree as one text for `insta::assert_snapshot!`: each file under a
/// `================ <path> ================` header, in path order.
pub(crate) fn tree_snapshot(dir: &Path) -> String {
    let mut text = String::new();
    for (path, bytes) in read_tree(dir) {
        text.push_str(&format!("================ {path} ================\n"));
        let mut contents = String::from_utf8_lossy(&bytes).into_owned();
        if path == ".gitops-gen/digests" {
            contents = without_digests(&contents);
        }
        text.push_str(&contents);
        if !contents.ends_with('\n') {
            // Keep the next header on its own line; the hygiene check reports the missing `\n`.
            text.push('\n');
        }
    }
    text
}

/// `.gitops-gen/digests` with each digest (and the templates' digest in its build line) as
/// `<digest>`: what was asked and written shows; the hashes, which move with every template
/// change, do not.
fn without_digests(text: &str) -> String {
    let is_hex = |t: &str| t.len() >= 40 && t.bytes().all(|b| b.is_ascii_hexdigit());
    let mut out = String::new();
    for line in text.lines() {
        let words: Vec<String> = line
            .split(' ')
            .map(|word| match word.split_once(':') {
                Some((kind, hex)) if is_hex(hex) => format!("{kind}:<digest>"),
                _ if is_hex(word) => "<digest>".to_owned(),
                _ => word.to_owned(),
            })
            .collect();
        out.push_str(&words.join(" "));
        out.push('\n');
    }
    out
}

/// Generated text must be clean for git and linters: LF only, exactly one trailing newline.
#[track_caller]
pub(crate) fn assert_text_hygiene(dir: &Path) {
    for (path, bytes) in read_tree(dir) {
        assert!(!bytes.contains(&b'\r'), "{path} contains a carriage return");
        assert!(bytes.ends_with(b"\n"), "{path} does not end with a newline");
        assert!(
            !bytes.ends_with(b"\n\n"),
            "{path} ends with more than one newline"
        );
    }
}

/// Asserts that a snapshot text cannot depend on where the test ran.
#[track_caller]
pub(crate) fn assert_no_temp_paths(text: &str, tmp: &TempDir) {
    let tmp_path = tmp.path().to_string_lossy().into_owned();
    assert!(
        !text.contains(&tmp_path),
        "output contains the temporary path {tmp_path}"
    );
    let system_tmp = std::env::temp_dir().to_string_lossy().into_owned();
    assert!(
        !text.contains(&format!(
            "{}/gitops-gen-it-",
            system_tmp.trim_end_matches('/')
        )),
        "output contains a temporary directory"
    );
}

/// Reads a file under `dir` as text.
pub(crate) fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
}

/// Overwrites a file under `dir`.
pub(crate) fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create parent");
    }
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("writing {rel}: {e}"));
}

/// Appends to a file under `dir`.
pub(crate) fn append(dir: &Path, rel: &str, text: &str) {
    let mut contents = read(dir, rel);
    contents.push_str(text);
    write(dir, rel, &contents);
}

/// Why the validator tests are skipped when they are.
pub(crate) const VALIDATOR_MISSING: &str =
    "skipping: ../shared/tools/validate-gitops not found (it lives beside the checkout in CI)";

/// The shared offline validator, when the checkout has it beside it (CI does).
pub(crate) fn validator() -> Option<PathBuf> {
    let path = crate_root().join("../shared/tools/validate-gitops");
    path.is_file().then_some(path)
}

/// `validate-gitops --strict root`: `None` without the validator, else whether it found 0 errors
/// and 0 zizmor findings, with its output when not.
pub(crate) fn validate_strict(root: &Path) -> Option<Result<(), String>> {
    let out = Command::new(validator()?)
        .arg("--strict")
        .arg(root)
        .output()
        .expect("validate-gitops runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let last = text.lines().last().unwrap_or_default().to_owned();
    let clean =
        out.status.code() == Some(0) && last.ends_with(" files, 0 errors, 0 zizmor findings");
    Some(if clean {
        Ok(())
    } else {
        Err(format!(
            "exit {:?}, last line {last:?}\n{text}\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ))
    })
}

/// Why the `kubectl kustomize` tests are skipped when they are.
pub(crate) const KUBECTL_MISSING: &str =
    "skipping: kubectl is not installed, so `kubectl kustomize` cannot run";

pub(crate) fn has_kubectl() -> bool {
    std::process::Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok()
}

/// `base` joined with `rel` and normalised (`..` drops the folder before it), as Go's
/// `filepath.Join` does: how Fleet and kustomize resolve relative paths.
pub(crate) fn join_path(base: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in base.split('/').chain(rel.split('/')) {
        match part {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// `kubectl kustomize <dir>` in `cwd`, with kustomize's default load restrictions; panics with
/// kubectl's message when the build fails.
pub(crate) fn kustomize_build(cwd: &Path, dir: &str) -> String {
    let out = std::process::Command::new("kubectl")
        .args(["kustomize", dir])
        .current_dir(cwd)
        .output()
        .expect("kubectl runs");
    assert!(
        out.status.success(),
        "kubectl kustomize {dir} in {}: {}",
        cwd.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Builds every folder of `root` holding a `kustomization.yaml` with `kubectl kustomize`, as the
/// operator would: without the load restriction, which Flux's kustomize-controller does not apply
/// inside the repository. Returns how many were built and the failures.
pub(crate) fn kustomize_every_folder(root: &Path) -> (usize, Vec<String>) {
    let mut failures = Vec::new();
    let folders: Vec<String> = list_files(root)
        .into_iter()
        .filter_map(|f| f.strip_suffix("kustomization.yaml").map(str::to_owned))
        .collect();
    for folder in &folders {
        let dir = if folder.is_empty() { "." } else { folder };
        let out = std::process::Command::new("kubectl")
            .args([
                "kustomize",
                "--load-restrictor",
                "LoadRestrictionsNone",
                dir,
            ])
            .current_dir(root)
            .output()
            .expect("kubectl runs");
        if !out.status.success() {
            failures.push(format!(
                "kubectl kustomize {dir}: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    (folders.len(), failures)
}

/// `validate-gitops` (not strict) over `root`: its errors and zizmor findings, from its last
/// line; `None` without the validator.
pub(crate) fn validate_counts(root: &Path) -> Option<(usize, usize)> {
    let out = Command::new(validator()?)
        .arg(root)
        .output()
        .expect("validate-gitops runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let last = text.lines().last().unwrap_or_default();
    let number = |before: &str| -> usize {
        let words: Vec<&str> = last.split([' ', ',']).filter(|w| !w.is_empty()).collect();
        let at = words.iter().position(|w| *w == before).expect("a count");
        words[at - 1].parse().expect("a number")
    };
    Some((number("errors"), number("zizmor")))
}

/// `validate-gitops --json` over `dirs` in one run (its tools start slowly): each file's result
/// (`errors`, `zizmor`, …) by absolute path; `None` without the validator.
pub(crate) fn validate_json(dirs: &[&Path]) -> Option<serde_json::Map<String, serde_json::Value>> {
    let validator = validator()?;
    if dirs.is_empty() {
        return Some(serde_json::Map::new());
    }
    let report = tempfile::NamedTempFile::new().expect("report file");
    Command::new(validator)
        .arg("--json")
        .arg(report.path())
        .args(dirs)
        .output()
        .expect("validate-gitops runs");
    let text = std::fs::read_to_string(report.path()).expect("the report");
    let value: serde_json::Value = serde_json::from_str(&text).expect("a JSON report");
    match value.get("files") {
        Some(serde_json::Value::Object(files)) => Some(files.clone()),
        _ => panic!("no `files` in the report: {text}"),
    }
}
