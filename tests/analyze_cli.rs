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

/// The `(file, code, message)` of every diagnostic in `analyze --format json` of `dir`.
fn diagnostics(dir: &Path) -> Vec<(String, String, String)> {
    let out = analyze(dir, "json").success().get_output().stdout.clone();
    let doc: serde_json::Value = serde_json::from_slice(&out).expect("json");
    doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap_or_default().to_owned();
            (s("file"), s("code"), s("message"))
        })
        .collect()
}

#[test]
fn a_pipeline_file_that_is_not_text_says_why_with_its_code() -> std::io::Result<()> {
    let tmp = tempfile::tempdir()?;
    let root = tmp.path();
    std::fs::write(root.join(".gitlab-ci.yml"), b"\x00\x01binary\xff")?;
    std::fs::write(root.join("Jenkinsfile"), b"pipeline { // caf\xe9\n}\n")?;
    std::fs::create_dir_all(root.join(".circleci"))?;
    std::fs::write(root.join(".circleci/config.yml"), b"version: 2.1\n# \xff\n")?;
    let found = diagnostics(root);
    let expected = [
        (
            ".circleci/config.yml",
            "file-not-text",
            "`.circleci/config.yml` is not utf-8 text (invalid utf-8 at byte 15; another \
             encoding?); it is not analysed",
        ),
        (
            ".gitlab-ci.yml",
            "file-not-text",
            "`.gitlab-ci.yml` is not utf-8 text: it holds binary data (invalid utf-8 at byte \
             8); it is not analysed",
        ),
        (
            "Jenkinsfile",
            "file-not-text",
            "`Jenkinsfile` is not utf-8 text (invalid utf-8 at byte 17; another encoding?); it \
             is not analysed",
        ),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(f, c, m)| ((*f).to_owned(), (*c).to_owned(), (*m).to_owned()))
        .collect();
    assert_eq!(found, expected);
    Ok(())
}

fn analyze_failing_on(dir: &Path, fail_on: &str) -> std::process::Output {
    Command::cargo_bin("gitops-gen")
        .expect("binary is built")
        .args(["--color", "never", "analyze"])
        .arg(dir)
        .args(["--format", "json", "--fail-on", fail_on])
        .output()
        .expect("runs")
}

/// `analyze` used to exit 0 whatever it found, so it could not gate a pipeline. With
/// `--fail-on` it prints the whole report, then exits 1 when the report holds what was named.
#[test]
fn fail_on_gates_a_pipeline_by_severity_or_finding() {
    let deploys = fixture("01-gha-kubectl-per-env");
    let secret = fixture("47-plaintext-secret");
    let broken = fixture("13-gha-broken-yaml");
    let cases = [
        (&deploys, "push-deploy", 1),
        (&deploys, "warning", 1),
        (&deploys, "error", 0),
        (&deploys, "plaintext-secret,diagnostic", 0),
        (&secret, "error", 1),
        (&secret, "plaintext-secret", 1),
        (&broken, "diagnostic", 1),
        (&broken, "unresolved", 0),
    ];
    for (dir, fail_on, code) in cases {
        let out = analyze_failing_on(dir, fail_on);
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
        assert_eq!(
            out.status.code(),
            Some(code),
            "{name:?} --fail-on {fail_on}"
        );
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the report");
        assert_eq!(doc["version"], 1, "the report is printed either way");
        let err = String::from_utf8_lossy(&out.stderr);
        if code == 1 {
            assert!(
                err.starts_with("failing: the report holds ") && err.contains("--fail-on"),
                "{err}"
            );
        } else {
            assert!(err.is_empty(), "{err}");
        }
    }
    let out = analyze_failing_on(&deploys, "push-deploy,cluster-credential");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(" push-deploy") && err.contains(" cluster-credential"),
        "{err}"
    );
    let out = analyze_failing_on(&deploys, "everything");
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown name is a usage error"
    );
}

/// An unreadable PATH used to be an empty report with exit 0; the docs said 2.
#[cfg(unix)]
#[test]
fn an_unreadable_path_exits_2() -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir()?;
    let root = tmp.path().join("repo");
    std::fs::create_dir(&root)?;
    std::fs::write(root.join("Jenkinsfile"), "pipeline {}\n")?;
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o000))?;
    let readable_anyway = std::fs::read_dir(&root).is_ok();
    let out = analyze_failing_on(&root, "error");
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755))?;
    if readable_anyway {
        println!("skipping: this user (root?) reads a mode-000 directory, so it is not unreadable");
        return Ok(());
    }
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("permission denied"), "{err}");
    Ok(())
}

fn analyze_args(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("gitops-gen")
        .expect("binary is built")
        .args(["--color", "never", "analyze"])
        .args(args)
        .output()
        .expect("runs")
}

/// `analyze --summary PATH...`: one row per repository, in the order given, for a platform
/// team that runs it over every repository of an organisation.
#[test]
fn summary_has_one_row_per_repository() {
    let a = fixture("01-gha-kubectl-per-env");
    let b = fixture("13-gha-broken-yaml");
    let paths = [a.to_string_lossy(), b.to_string_lossy()];
    let out = analyze_args(&["--summary", "--format", "json", &paths[0], &paths[1]]);
    assert_eq!(out.status.code(), Some(0));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let rows = rows.as_array().expect("rows");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["repository"], paths[0].as_ref());
    assert_eq!(rows[0]["tools"], serde_json::json!(["kubectl"]));
    assert_eq!(
        rows[0]["environments"],
        serde_json::json!(["production", "staging"])
    );
    assert_eq!(rows[0]["readiness"], 100);
    assert_eq!(rows[1]["diagnostics"], 1);

    let out = analyze_args(&["--summary", &paths[0], &paths[1]]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("repository "), "{text}");
    assert_eq!(
        text.lines()
            .filter(|l| l.contains("tests/fixtures"))
            .count(),
        2
    );
    assert!(
        text.contains("2 repositories, 2 deploying from CI"),
        "{text}"
    );

    // --fail-on counts over every repository.
    let out = analyze_args(&["--summary", "--fail-on", "diagnostic", &paths[0], &paths[1]]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_summary_reports_a_path_it_cannot_read_and_exits_2() {
    let a = fixture("01-gha-kubectl-per-env");
    let out = analyze_args(&["--summary", &a.to_string_lossy(), "/nonexistent/repo"]);
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("error: `/nonexistent/repo` is not a directory"),
        "{text}"
    );
    assert!(text.contains("1 not analysed"), "{text}");
}

#[test]
fn several_paths_without_summary_are_a_usage_error() {
    let a = fixture("01-gha-kubectl-per-env");
    let out = analyze_args(&[&a.to_string_lossy(), &a.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--summary"));
    let out = analyze_args(&["--summary", "--format", "sarif", &a.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
}

/// A replica count in Git that an HPA scales is a `replica-conflict`: in SARIF at the
/// `replicas` key, in the Markdown tasks, and a `--fail-on` gate.
#[test]
fn a_replica_count_an_hpa_scales_is_reported_at_its_key() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::create_dir(dir.path().join("k8s"))?;
    std::fs::write(
        dir.path().join("k8s/web.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n",
    )?;
    std::fs::write(
        dir.path().join("k8s/hpa.yaml"),
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\n\
         spec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: web\n",
    )?;
    let out = analyze(dir.path(), "sarif")
        .success()
        .get_output()
        .stdout
        .clone();
    let sarif: serde_json::Value = serde_json::from_slice(&out).expect("sarif is JSON");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let conflict = results
        .iter()
        .find(|r| r["ruleId"] == "replica-conflict")
        .expect("a replica-conflict result");
    let region = &conflict["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(6), Some(3))
    );
    let markdown = analyze(dir.path(), "markdown")
        .success()
        .get_output()
        .stdout
        .clone();
    let markdown = String::from_utf8_lossy(&markdown);
    assert!(
        markdown.contains("Remove `spec.replicas` from Deployment `web` (`k8s/web.yaml:6:3`)"),
        "{markdown}"
    );
    let gated = analyze_failing_on(dir.path(), "replica-conflict");
    assert_eq!(gated.status.code(), Some(1));
    Ok(())
}

/// The CI secrets a deploy hands to the cluster are listed with the environment of their job,
/// names only, and the Markdown tasks give the `gitops-gen seal --from-env` command for each.
#[test]
fn ci_secrets_handed_to_the_cluster_are_listed_per_environment() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::create_dir_all(dir.path().join(".github/workflows"))?;
    std::fs::write(
        dir.path().join(".github/workflows/deploy.yml"),
        "on: {push: {branches: [main]}}\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    \
         environment: production\n    env:\n      DB: ${{ secrets.DB_PASSWORD }}\n    steps:\n      \
         - run: helm upgrade --install web ./chart -n shop --set db.password=$DB\n      \
         - run: kubectl create secret generic smtp --from-literal=token=${{ secrets.SMTP_TOKEN }}\n",
    )?;
    let out = analyze(dir.path(), "json")
        .success()
        .get_output()
        .stdout
        .clone();
    let doc: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
    let flows: Vec<(String, String, String)> = doc["secret_flows"]
        .as_array()
        .expect("secret_flows")
        .iter()
        .map(|f| {
            (
                f["ci_name"].as_str().unwrap_or_default().to_owned(),
                f["target"]["key"].as_str().unwrap_or_default().to_owned(),
                f["environment"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        flows,
        [
            (
                "DB_PASSWORD".into(),
                "db.password".into(),
                "production".into()
            ),
            ("SMTP_TOKEN".into(), "token".into(), "production".into()),
        ]
    );
    let markdown = analyze(dir.path(), "markdown")
        .success()
        .get_output()
        .stdout
        .clone();
    let markdown = String::from_utf8_lossy(&markdown);
    for command in [
        "gitops-gen seal --env production --name web-secrets --from-env password=DB_PASSWORD",
        "gitops-gen seal --env production --name smtp --from-env token=SMTP_TOKEN",
    ] {
        assert!(markdown.contains(command), "{command} in {markdown}");
    }
    Ok(())
}
