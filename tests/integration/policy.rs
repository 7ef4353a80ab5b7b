//! `gitops-gen policy check` from the command line: the seeded policies over what gitops-gen
//! scaffolds, the report formats, the exit codes, and what it cannot read.

use crate::common::*;

/// A scaffolded repository (`init`), generated.
fn scaffold() -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, dir) = named_dir("shop");
    git_repo(&dir, None);
    let out = run(&dir, &["init", ".", "--yes", "--force"]);
    assert_code(&out, 0);
    (tmp, dir)
}

fn check(dir: &std::path::Path, args: &[&str], stdin: &str) -> std::process::Output {
    gitops_gen(dir)
        .args(["policy", "check"])
        .args(args)
        .write_stdin(stdin.as_bytes().to_vec())
        .output()
        .expect("gitops-gen runs")
}

#[test]
fn the_scaffold_passes_every_rule_but_the_tag_promotion_sets() {
    if !has_kubectl() {
        println!("{KUBECTL_MISSING}");
        return;
    }
    let (_tmp, dir) = scaffold();
    for name in [
        "kubernetes",
        "images",
        "resources",
        "security",
        "secrets",
        "labels",
    ] {
        assert!(dir.join(format!("policy/{name}.rego")).is_file(), "{name}");
    }
    let base = kustomize_build(&dir, "applications/base");
    let out = check(&dir, &["--env", "staging", "-"], &base);
    // The base names the image without a tag; each environment's overlay sets it on promotion.
    assert_code(&out, 1);
    let report = stdout(&out);
    let denied: Vec<&str> = report.lines().filter(|l| l.contains(": deny ")).collect();
    assert!(
        !denied.is_empty() && denied.iter().all(|l| l.contains(" GG001: ")),
        "{report}"
    );
    // With the tag set, as an overlay sets it, nothing is denied.
    let tagged = base.replace(
        "image: ghcr.io/shop/shop\n",
        "image: ghcr.io/shop/shop:3f9c2e1\n",
    );
    assert_ne!(tagged, base, "{base}");
    let out = check(&dir, &["--env", "staging"], &tagged);
    assert_code(&out, 0);
    assert!(stdout(&out).contains(" 0 denied"), "{}", stdout(&out));
}

#[test]
fn formats_exit_codes_and_unread_files() {
    let (_tmp, dir) = scaffold();
    write(
        &dir,
        "k8s/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: shop}\nstringData: {p: x}\n",
    );
    write(
        &dir,
        "k8s/service.yaml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n",
    );
    std::fs::write(
        dir.join("k8s/latin1.yaml"),
        b"kind: Service\nmetadata: {name: \xe9}\n",
    )
    .expect("write");
    let out = check(&dir, &["k8s"], "");
    assert_code(&out, 1);
    let text = stdout(&out);
    assert!(
        text.contains("k8s/secret.yaml:1: deny GG006: Secret/db in shop: a Secret in Git"),
        "{text}"
    );
    assert!(
        text.ends_with("2 objects checked: 1 denied, 0 warnings\n"),
        "{text}"
    );
    assert!(
        stderr(&out).contains("k8s/latin1.yaml: is not utf-8 text"),
        "{}",
        stderr(&out)
    );

    let out = check(&dir, &["--format", "json", "k8s/secret.yaml"], "");
    assert_code(&out, 1);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(json["denied"], 1);
    assert_eq!(json["findings"][0]["rule"], "GG006");

    let out = check(&dir, &["--format", "sarif", "k8s/secret.yaml"], "");
    let sarif: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("sarif");
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "GG006");
    assert!(
        sarif["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"]
            .as_str()
            .is_some_and(|u| u.ends_with("docs/policy.md#gg006"))
    );

    let out = check(&dir, &["k8s/service.yaml"], "");
    assert_code(&out, 0);
    // Broken input is an error (2), at its line.
    let out = check(&dir, &["-"], "kind: Service\nmetadata: [\n");
    assert_code(&out, 2);
    assert!(stderr(&out).contains("stdin:"), "{}", stderr(&out));
    write(
        &dir,
        "policy/broken.rego",
        "package main\ndeny contains x if {\n",
    );
    let out = check(&dir, &["k8s/service.yaml"], "");
    assert_code(&out, 2);
    assert!(stderr(&out).contains("broken.rego"), "{}", stderr(&out));
}

#[test]
fn policy_enabled_false_leaves_out_the_folder_and_the_check() {
    let (_tmp, dir) = named_dir("shop");
    write(
        &dir,
        "gitops-gen.yaml",
        "version: 1\nproject: shop\nci: both\npolicy: {enabled: false}\n\
         environments:\n  - {name: staging, branches: [main]}\napps:\n  - {name: web}\n",
    );
    generate_ok(&dir);
    assert!(!dir.join("policy").exists());
    for file in [".github/workflows/gitops.yml", ".gitlab-ci.yml"] {
        let text = read(&dir, file);
        assert!(
            text.contains("kubeconform") && !text.contains("policy check"),
            "{file}"
        );
    }
    write(
        &dir,
        "gitops-gen.yaml",
        "version: 1\nproject: shop\npolicy: {enabled: maybe, rules: all}\n\
         environments:\n  - {name: staging, branches: [main]}\napps:\n  - {name: web}\n",
    );
    let out = run(&dir, &["generate"]);
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("`policy.enabled` must be `true` or `false`"),
        "{err}"
    );
    assert!(err.contains("rules"), "{err}");
}
