//! `gitops-gen analyze` from the command line: formats, exit codes, and a broken file that
//! does not stop the rest of the repository from being analysed.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/analyze")
        .join(name)
}

fn analyze(dir: &Path, format: &str) -> assert_cmd::assert::Assert {
    Command::cargo_bin("gitops-gen")
        .expect("binary is built")
        .args(["--color", "never", "analyze"])
        .arg(dir)
        .args(["--format", format])
        .assert()
}

#[test]
fn text_report_shows_each_deploy_step_with_its_line() {
    let out = analyze(&fixture("01-gha-kubectl-per-env"), "text")
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    insta::assert_snapshot!(text);
}

#[test]
fn a_broken_file_is_a_diagnostic_and_the_rest_is_analysed() {
    let out = analyze(&fixture("13-gha-broken-yaml"), "json")
        .success()
        .get_output()
        .stdout
        .clone();
    let doc: serde_json::Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(doc["version"], 1);
    assert_eq!(
        doc["diagnostics"][0]["file"],
        ".github/workflows/nightly.yml"
    );
    assert_eq!(doc["diagnostics"][0]["code"], "yaml-syntax");
    assert_eq!(doc["deploy_steps"].as_array().map(Vec::len), Some(1));
}

#[test]
fn markdown_readiness_report() {
    let out = analyze(&fixture("23-gitlab-review-apps"), "markdown")
        .success()
        .get_output()
        .stdout
        .clone();
    let md = String::from_utf8_lossy(&out);
    assert!(md.starts_with("# GitOps readiness report\n"), "{md}");
    assert!(md.contains("## Manual tasks"), "{md}");
    assert!(
        md.contains("| `review/$CI_COMMIT_REF_SLUG` | Preview | yes |"),
        "{md}"
    );
}

#[test]
fn sarif_lists_deploy_steps_and_credentials() {
    let dir = fixture("47-plaintext-secret");
    let json: serde_json::Value =
        serde_json::from_slice(&analyze(&dir, "json").success().get_output().stdout).expect("json");
    let sarif: serde_json::Value =
        serde_json::from_slice(&analyze(&dir, "sarif").success().get_output().stdout)
            .expect("sarif");
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let count = |key: &str| json[key].as_array().map_or(0, Vec::len);
    let secrets = json["layout"]["plaintext_secrets"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(
        results.len(),
        count("deploy_steps") + count("credentials") + secrets
    );
    assert!(results.iter().any(|r| r["ruleId"] == "plaintext-secret"));
    // Secret values never leave the repository.
    let text = String::from_utf8_lossy(&analyze(&dir, "json").get_output().stdout).into_owned();
    let secret_file = std::fs::read_to_string(dir.join("k8s/secret.yaml")).expect("fixture secret");
    for value in secret_file
        .lines()
        .filter_map(|l| l.split_once(": ").map(|(_, v)| v.trim()))
        .filter(|v| v.len() > 12)
    {
        assert!(!text.contains(value), "secret value {value} leaked");
    }
}

#[test]
fn an_unusable_path_is_exit_2() {
    Command::cargo_bin("gitops-gen")
        .expect("binary is built")
        .args(["analyze", "/definitely/not/here"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is not a directory"));
}

#[test]
fn an_empty_directory_is_a_clean_report() -> std::io::Result<()> {
    let tmp = tempfile::tempdir()?;
    analyze(tmp.path(), "text")
        .success()
        .stdout(predicates::str::contains("0 pipeline file(s)"));
    Ok(())
}
