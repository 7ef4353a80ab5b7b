//! How gitops-gen itself is distributed: this repository's workflows (CI and release), the
//! composite action at the root that installs a release binary, checked against its own
//! checksum table, and their agreement on the release targets.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_norway::Value as Node;

use crate::common::*;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn yaml(rel: &str) -> Node {
    serde_norway::from_str(&read(crate_root(), rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The validator's own tool venv (zizmor, check-jsonschema), where `validate-gitops
/// --install-only` put it.
fn validator_tool(name: &str) -> Option<PathBuf> {
    let cache = std::env::var_os("GITOPS_VALIDATE_CACHE")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("XDG_CACHE_HOME").map(|d| Path::new(&d).join("gitops-validate"))
        })
        .or_else(|| {
            std::env::var_os("HOME").map(|d| Path::new(&d).join(".cache/gitops-validate"))
        })?;
    std::fs::read_dir(cache)
        .ok()?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("venv-"))
        .map(|e| e.path().join("bin").join(name))
        .find(|p| p.is_file())
}

#[test]
fn this_repositorys_workflows_and_action_pass_the_validators() {
    let tmp = tempfile::tempdir().expect("tempdir");
    copy_tree(
        &crate_root().join(".github/workflows"),
        &tmp.path().join(".github/workflows"),
    );
    let Some(result) = validate_strict(tmp.path()) else {
        println!("{VALIDATOR_MISSING}");
        return;
    };
    result.expect("ci.yml and release.yml: 0 errors, 0 zizmor findings");
    let (Some(zizmor), Some(schema)) =
        (validator_tool("zizmor"), validator_tool("check-jsonschema"))
    else {
        println!(
            "skipping action.yml: the validator's zizmor is not installed (validate-gitops --install-only)"
        );
        return;
    };
    let action = crate_root().join("action.yml");
    let out = Command::new(zizmor)
        .args(["--offline", "--no-progress"])
        .arg(&action)
        .output()
        .expect("zizmor runs");
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).contains("No findings"),
        "zizmor action.yml:\n{}{}",
        stdout(&out),
        stderr(&out)
    );
    let out = Command::new(schema)
        .args(["--builtin-schema", "vendor.github-actions"])
        .arg(&action)
        .output()
        .expect("check-jsonschema runs");
    assert!(out.status.success(), "action.yml schema:\n{}", stdout(&out));
}

/// The targets the release workflow builds are the ones the action installs, and every line
/// of the checksum table is one the action can read.
#[test]
fn the_release_targets_and_the_checksum_table_agree_with_the_action() {
    let release = yaml(".github/workflows/release.yml");
    let matrix = &release["jobs"]["binaries"]["strategy"]["matrix"]["include"];
    let targets: Vec<&str> = matrix
        .as_sequence()
        .expect("a matrix of targets")
        .iter()
        .map(|row| row["target"].as_str().expect("a target"))
        .collect();
    let script = read(crate_root(), "action/install.sh");
    for target in &targets {
        assert!(
            script.contains(&format!(") target={target} ;;")),
            "{target}"
        );
    }
    assert_eq!(
        script.matches(") target=").count(),
        targets.len(),
        "the action knows a target the release does not build"
    );
    for line in read(crate_root(), "action/checksums.txt").lines() {
        if line.starts_with('#') {
            continue;
        }
        let (sum, name) = line.split_once("  ").expect("`<sha256>  <archive>`");
        assert!(
            sum.len() == 64 && sum.bytes().all(|b| b.is_ascii_hexdigit()),
            "{line}"
        );
        assert!(
            targets
                .iter()
                .any(|t| name.ends_with(&format!("-{t}.tar.gz"))
                    || name.ends_with(&format!("-{t}.zip"))),
            "{line}"
        );
    }
    let action = yaml("action.yml");
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    assert_eq!(
        action["inputs"]["version"]["required"].as_bool(),
        Some(true)
    );
}

/// A fake release of this build laid out as GitHub serves releases, and a copy of the action
/// whose checksum table lists it.
struct Release {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

impl Release {
    fn new(listed_checksum: Option<&str>) -> Release {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().to_path_buf();
        let archive = format!("gitops-gen-{VERSION}-x86_64-unknown-linux-musl.tar.gz");
        let downloads = root.join(format!("downloads/v{VERSION}"));
        std::fs::create_dir_all(&downloads).expect("downloads");
        std::fs::create_dir_all(root.join("staging")).expect("staging");
        std::fs::copy(
            env!("CARGO_BIN_EXE_gitops-gen"),
            root.join("staging/gitops-gen"),
        )
        .expect("copy the binary");
        let tar = Command::new("tar")
            .arg("-czf")
            .arg(downloads.join(&archive))
            .args(["-C"])
            .arg(root.join("staging"))
            .arg("gitops-gen")
            .output()
            .expect("tar runs");
        assert!(tar.status.success(), "{}", stderr(&tar));
        let sum = Command::new("sha256sum")
            .arg(downloads.join(&archive))
            .output()
            .expect("sha256sum runs");
        let actual = stdout(&sum)
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned();
        let listed = listed_checksum.unwrap_or(&actual);
        copy_tree(
            &crate_root().join("action"),
            &root.join("action-copy/action"),
        );
        append(
            &root,
            "action-copy/action/checksums.txt",
            &format!("{listed}  {archive}\n"),
        );
        for dir in ["runner-temp", "runner-files"] {
            std::fs::create_dir_all(root.join(dir)).expect("runner dirs");
        }
        Release { _tmp: tmp, root }
    }

    /// Runs the action's step as the runner would, with `version` as its input.
    fn install(&self, version: &str) -> Output {
        Command::new("bash")
            .arg(self.root.join("action-copy/action/install.sh"))
            .env("GITOPS_GEN_VERSION", version)
            .env("GITOPS_GEN_ACTION_PATH", self.root.join("action-copy"))
            .env(
                "GITOPS_GEN_DOWNLOAD_URL",
                format!("file://{}", self.root.join("downloads").display()),
            )
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("RUNNER_TEMP", self.root.join("runner-temp"))
            .env("GITHUB_PATH", self.root.join("runner-files/path"))
            .env("GITHUB_OUTPUT", self.root.join("runner-files/output"))
            .output()
            .expect("bash runs")
    }

    fn github_path(&self) -> String {
        std::fs::read_to_string(self.root.join("runner-files/path")).unwrap_or_default()
    }
}

#[test]
fn the_action_installs_the_release_whose_checksum_it_carries() {
    let release = Release::new(None);
    let out = release.install(VERSION);
    assert_code(&out, 0);
    let bin = release.github_path();
    let bin = bin.trim_end();
    let installed = Command::new(Path::new(bin).join("gitops-gen"))
        .arg("--version")
        .output()
        .expect("the installed binary runs");
    assert_eq!(stdout(&installed).trim(), format!("gitops-gen {VERSION}"));
    assert!(stdout(&out).contains(&format!("installed gitops-gen {VERSION}")));
    // A re-run (a second job on a reused runner) installs again, the same way.
    assert_code(&release.install(VERSION), 0);
}

#[test]
fn the_action_refuses_a_tampered_archive_an_unknown_release_and_a_bad_version() {
    let tampered = Release::new(Some(&"0".repeat(64)));
    let out = tampered.install(VERSION);
    assert_code(&out, 1);
    assert!(stderr(&out).contains("is not the 0000"), "{}", stderr(&out));
    assert!(stderr(&out).contains("nothing was installed"));
    assert_eq!(tampered.github_path(), "", "nothing reaches PATH");

    let release = Release::new(None);
    let out = release.install("9.9.9");
    assert_code(&out, 1);
    assert!(
        stderr(&out)
            .contains("knows no checksum for gitops-gen-9.9.9-x86_64-unknown-linux-musl.tar.gz"),
        "{}",
        stderr(&out)
    );
    for bad in ["1.2", "1.2.3;id", "$(id)", ""] {
        let out = release.install(bad);
        assert_code(&out, 1);
        assert!(
            stderr(&out).contains("is not a release number"),
            "{bad}: {}",
            stderr(&out)
        );
    }
    assert_eq!(release.github_path(), "");
}
