//! Runs the shared offline validator (`../shared/tools/validate-gitops --strict`) over every
//! scenario tree: actionlint, CI schemas, zizmor, yamllint and Flux/Kubernetes schemas.

use std::path::PathBuf;

use crate::common::*;
use crate::scenarios::{SCENARIOS, build};

fn validator() -> Option<PathBuf> {
    let path = crate_root().join("../shared/tools/validate-gitops");
    path.is_file().then_some(path)
}

/// One test for all scenarios: the validator's tools start slowly, and running them one tree at a
/// time keeps the two-core budget for the other tests. Every failure is collected before the
/// test fails, so one run shows all broken scenarios.
#[test]
fn every_scenario_passes_validate_gitops_strict() {
    let Some(validator) = validator() else {
        println!(
            "skipping: ../shared/tools/validate-gitops not found (it lives beside the checkout in CI)"
        );
        return;
    };
    let mut failures = Vec::new();
    for scenario in SCENARIOS {
        let (_tmp, root) = build(scenario);
        let out = std::process::Command::new(&validator)
            .arg("--strict")
            .arg(&root)
            .output()
            .expect("validate-gitops runs");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let last = text.lines().last().unwrap_or_default().to_owned();
        let clean =
            out.status.code() == Some(0) && last.ends_with(" files, 0 errors, 0 zizmor findings");
        if !clean {
            failures.push(format!(
                "scenario {}: exit {:?}, last line {last:?}\n{text}\n{}",
                scenario.name,
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
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
    if std::process::Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_err()
    {
        println!("skipping: kubectl is not installed, so `kubectl kustomize` cannot run");
        return;
    }
    let mut failures = Vec::new();
    let mut built = 0;
    for scenario in SCENARIOS {
        let (_tmp, root) = build(scenario);
        let folders = list_files(&root)
            .into_iter()
            .filter_map(|f| f.strip_suffix("kustomization.yaml").map(str::to_owned));
        for folder in folders {
            let dir = if folder.is_empty() {
                ".".to_owned()
            } else {
                folder
            };
            let out = std::process::Command::new("kubectl")
                .args([
                    "kustomize",
                    "--load-restrictor",
                    "LoadRestrictionsNone",
                    &dir,
                ])
                .current_dir(&root)
                .output()
                .expect("kubectl runs");
            built += 1;
            if !out.status.success() {
                failures.push(format!(
                    "scenario {}: kubectl kustomize {dir}: {}",
                    scenario.name,
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
    }
    assert!(built > 0, "no kustomization found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
