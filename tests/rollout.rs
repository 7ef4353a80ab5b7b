//! Progressive delivery end to end: with `apps[].rollout`, `promote` lists the app's rollout
//! folder (its base with a Flagger Canary) in the overlay instead of its base, the overlay builds
//! with `kubectl kustomize` into a Deployment without `replicas`, a Canary and no Service of the
//! app's name; taking the rollout out of the model is refused while the overlay runs the folder.

mod promote_support;

use promote_support::{Fixture, empty, git, gitops_gen};

const OVERLAY: &str = "applications/overlays/development/kustomization.yaml";

fn model(rollout: bool) -> String {
    let rollout = if rollout {
        "\n    rollout: {provider: nginx, environments: [development]}"
    } else {
        ""
    };
    format!(
        "version: 1\nproject: shop\nregistry: ghcr.io/acme\n\
         environments:\n  - {{name: development, branches: [main]}}\n\
         apps:\n  - name: web{rollout}\n  - name: api\n"
    )
}

fn generate_and_push(f: &Fixture, rollout: bool) {
    std::fs::write(f.checkout.join("gitops-gen.yaml"), model(rollout)).expect("write model");
    gitops_gen(&f.checkout).arg("generate").assert().success();
    git(&f.checkout, &["add", "-A"]);
    git(&f.checkout, &["commit", "-q", "-m", "model"]);
    git(&f.checkout, &["push", "-q", "origin", "main"]);
}

fn promote(f: &Fixture, app: &str, tag: &str) {
    gitops_gen(&f.checkout)
        .args(["promote", "--env", "development", "--app", app, "--image"])
        .arg(format!("ghcr.io/acme/{app}:{tag}"))
        .assert()
        .success();
    git(&f.checkout, &["pull", "-q", "--ff-only", "origin", "main"]);
}

fn overlay(f: &Fixture) -> String {
    std::fs::read_to_string(f.checkout.join(OVERLAY)).expect("overlay")
}

fn build(f: &Fixture) -> Option<String> {
    let out = std::process::Command::new("kubectl")
        .args(["kustomize", "applications/overlays/development"])
        .current_dir(&f.checkout)
        .output();
    match out {
        Err(_) => {
            eprintln!("skipping the build: kubectl is not installed");
            None
        }
        Ok(out) => {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            Some(String::from_utf8(out.stdout).expect("utf-8"))
        }
    }
}

#[test]
fn a_rolled_out_app_is_promoted_with_its_canary_and_back_without() {
    let f = empty();
    generate_and_push(&f, true);
    promote(&f, "web", "1.0.0");
    promote(&f, "api", "1.0.0");
    let text = overlay(&f);
    assert!(text.contains("../../rollouts/development/web"), "{text}");
    assert!(!text.contains("../../base/web"), "{text}");
    assert!(text.contains("../../base/api"), "{text}");
    if let Some(built) = build(&f) {
        assert!(built.contains("kind: Canary"), "{built}");
        assert!(built.contains("image: ghcr.io/acme/web:1.0.0"), "{built}");
        // api keeps its Service; web's is Flagger's to make.
        assert_eq!(built.matches("kind: Service").count(), 1, "{built}");
        // Only api's Deployment sets a count; Flagger scales web's.
        assert_eq!(built.matches("replicas:").count(), 1, "{built}");
    }

    // Without the rollout, generate refuses to drop the folder the overlay still runs, and says
    // so; the overlay goes back to the base first (promotion would, too).
    std::fs::write(f.checkout.join("gitops-gen.yaml"), model(false)).expect("write model");
    let refused = gitops_gen(&f.checkout).arg("generate").assert().code(2);
    let message = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(message.contains("rollouts/development/web"), "{message}");
    let edited = overlay(&f).replace("../../rollouts/development/web", "../../base/web");
    std::fs::write(f.checkout.join(OVERLAY), edited).expect("write overlay");
    generate_and_push(&f, false);
    promote(&f, "web", "1.0.1");
    let text = overlay(&f);
    assert!(text.contains("../../base/web"), "{text}");
    assert!(!text.contains("rollouts/"), "{text}");
    if let Some(built) = build(&f) {
        assert!(!built.contains("kind: Canary"), "{built}");
        assert_eq!(built.matches("kind: Service").count(), 2, "{built}");
    }
}
