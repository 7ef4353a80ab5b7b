//! Runs the shared offline validator (`../shared/tools/validate-gitops --strict`) over every
//! scenario tree: actionlint, CI schemas, zizmor, yamllint and Flux/Kubernetes schemas.

use std::path::{Path, PathBuf};

use crate::common::*;
use crate::scenarios::{SCENARIOS, build, trees};

/// One test for all scenarios: the validator's tools start slowly, and running them one tree at a
/// time keeps the two-core budget for the other tests. Every failure is collected before the
/// test fails, so one run shows all broken scenarios.
#[test]
fn every_scenario_passes_validate_gitops_strict() {
    if validator().is_none() {
        println!("{VALIDATOR_MISSING}");
        return;
    }
    let mut failures = Vec::new();
    for scenario in SCENARIOS {
        let (_tmp, root) = build(scenario);
        for tree in trees(&root) {
            if let Some(Err(why)) = validate_strict(&tree) {
                failures.push(format!(
                    "scenario {} ({}): {why}",
                    scenario.name,
                    tree.display()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every folder with a `kustomization.yaml` in every scenario tree builds with `kubectl
/// kustomize`, as the operator would build it: the team's folders included, and without the load
/// restriction, which Flux's kustomize-controller does not apply inside the repository (a Helm
/// app's release folder reads the team's values files where they are).
#[test]
fn every_kustomization_of_every_scenario_builds() {
    if !has_kubectl() {
        println!("{KUBECTL_MISSING}");
        return;
    }
    let mut failures = Vec::new();
    let mut built = 0;
    for scenario in SCENARIOS {
        let (_tmp, root) = build(scenario);
        for tree in trees(&root) {
            let (count, failed) = kustomize_every_folder(&tree);
            built += count;
            failures.extend(
                failed
                    .into_iter()
                    .map(|f| format!("scenario {}: {f}", scenario.name)),
            );
        }
    }
    assert!(built > 0, "no kustomization found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every object of a kind the shared validator has no schema for, and gitops-gen generates
/// (the External Secrets Operator's), validates against the schema derived from its CRD
/// (tests/fixtures/crds/, Python's `jsonschema`); the External Secrets scenario has some.
#[test]
fn objects_of_other_crds_validate_against_their_schemas() {
    let python = std::process::Command::new("python3")
        .args(["-c", "import jsonschema, yaml"])
        .output();
    if !python.is_ok_and(|o| o.status.success()) {
        println!(
            "skipping: python3 with jsonschema and PyYAML is not installed (.ci/run installs them)"
        );
        return;
    }
    let crds = fixture("crds");
    let mut checked = 0;
    let mut failures = Vec::new();
    for scenario in SCENARIOS {
        let (_tmp, root) = build(scenario);
        for tree in trees(&root) {
            let files = yaml_files(&tree);
            let out = std::process::Command::new("python3")
                .arg(crds.join("validate.py"))
                .arg(&crds)
                .args(&files)
                .output()
                .expect("python3 runs");
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            checked += text.lines().filter(|l| l.starts_with("PASS ")).count();
            if !out.status.success() {
                failures.push(format!("scenario {}: {text}", scenario.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        checked >= 3,
        "the External Secrets scenario's objects were checked"
    );
}

/// Every `.yaml` file under `root`, outside `.git`.
fn yaml_files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("list").flatten() {
            let path = entry.path();
            if path.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}
