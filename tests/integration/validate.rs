//! Runs the shared offline validator (`../shared/tools/validate-gitops --strict`) over every
//! scenario tree: actionlint, CI schemas, zizmor, yamllint and Flux/Kubernetes schemas.

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
