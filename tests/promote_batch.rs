//! Several apps built by one commit move into an environment as one commit (one pull request):
//! the promote commands the generated GitHub and GitLab pipelines run, executed here by a shell
//! against a real bare remote.

mod promote_support;

use std::path::Path;
use std::process::Command;

use promote_support::{Fixture, empty, git, gitops_gen, promote, remote_file};
use serde_norway::Value;

const OVERLAY: &str = "applications/overlays/development/kustomization.yaml";

/// A generated repository with three apps and both pipelines, pushed to the remote's `main`.
fn three_apps() -> Fixture {
    let f = empty();
    gitops_gen(&f.checkout)
        .args(["init", "--yes", "--ci", "both"])
        .args(["--app", "web", "--app", "api", "--app", "worker"])
        .assert()
        .success();
    git(&f.checkout, &["add", "-A"]);
    git(&f.checkout, &["commit", "-q", "-m", "initial"]);
    git(&f.checkout, &["push", "-q", "origin", "main"]);
    f
}

/// Runs `script` with bash in the checkout as a CI job would: this build first on PATH, the
/// run's variables set.
fn run_job_script(f: &Fixture, script: &str, vars: &[(&str, &str)]) -> std::process::Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_gitops-gen"))
        .parent()
        .expect("the binary's directory");
    let path = std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .expect("PATH joins");
    let mut cmd = Command::new("bash");
    cmd.args(["-euo", "pipefail", "-c", script])
        .current_dir(&f.checkout)
        .env("PATH", path)
        .env("NO_COLOR", "1");
    for var in [
        "GITHUB_OUTPUT",
        "GITHUB_TOKEN",
        "GITOPS_GEN_TOKEN",
        "CI_JOB_TOKEN",
        "GITLAB_CI",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(vars.iter().copied());
    cmd.output().expect("bash runs")
}

fn yaml(f: &Fixture, rel: &str) -> Value {
    let text = std::fs::read_to_string(f.checkout.join(rel)).expect("generated file");
    serde_norway::from_str(&text).expect("generated YAML parses")
}

fn commits_on_main(f: &Fixture) -> usize {
    git(&f.remote, &["rev-list", "--count", "main"])
        .parse()
        .expect("a count")
}

/// The overlay on the remote runs all three images of `commit`, and the last commit says so.
fn assert_one_commit_of_three(f: &Fixture, before: usize, commit: &str) {
    assert_eq!(
        commits_on_main(f),
        before + 1,
        "exactly one promotion commit"
    );
    let overlay = remote_file(f, "main", OVERLAY);
    for app in ["web", "api", "worker"] {
        assert!(
            overlay.contains(&format!(
                "  - name: ghcr.io/shop/{app}\n    newTag: {commit}\n"
            )),
            "{app}:\n{overlay}"
        );
    }
    let subject = git(&f.remote, &["log", "-1", "--format=%s", "main"]);
    assert_eq!(
        subject,
        format!("promote(development): web, api, worker → {}", &commit[..12])
    );
}

/// Runs a generated promote `script` for the checkout's HEAD, with the CI variables `vars` names
/// for it, and finds one promotion commit of all three apps.
fn run_and_find_one_commit(
    f: &Fixture,
    script: &str,
    vars: impl Fn(String) -> Vec<(&'static str, String)>,
) {
    let sha = git(&f.checkout, &["rev-parse", "HEAD"]);
    let before = commits_on_main(f);
    let vars = vars(sha.clone());
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = run_job_script(f, script, &vars);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_one_commit_of_three(f, before, &sha);
}

#[test]
fn the_generated_github_step_promotes_three_apps_in_one_commit() {
    let f = three_apps();
    let workflow = yaml(&f, ".github/workflows/gitops.yml");
    let steps = workflow["jobs"]["promote-development"]["steps"]
        .as_sequence()
        .expect("the promote job's steps");
    let promote_steps: Vec<&Value> = steps
        .iter()
        .filter(|s| {
            s["run"]
                .as_str()
                .is_some_and(|r| r.contains("gitops-gen promote"))
        })
        .collect();
    assert_eq!(promote_steps.len(), 1, "one promote step for every app");
    let script = promote_steps[0]["run"].as_str().expect("a run script");
    run_and_find_one_commit(&f, script, |sha| {
        vec![
            ("GITHUB_SHA", sha),
            ("GITHUB_REF", "refs/heads/develop".to_owned()),
        ]
    });
}

#[test]
fn the_generated_gitlab_script_promotes_three_apps_in_one_commit() {
    let f = three_apps();
    let pipeline = yaml(&f, ".gitlab-ci.yml");
    let script = pipeline["promote-development"]["script"]
        .as_sequence()
        .expect("the promote job's script");
    assert_eq!(script.len(), 1, "one promote command for every app");
    run_and_find_one_commit(&f, script[0].as_str().expect("a command"), |sha| {
        vec![
            ("CI_COMMIT_SHA", sha),
            ("CI_COMMIT_BRANCH", "develop".to_owned()),
        ]
    });
}

/// An app a newer build already runs stays where it is, with a warning; the commit holds the
/// others. Nothing fails: the older pipeline lost the race for that app only.
#[test]
fn a_superseded_app_is_left_out_of_the_commit() {
    let f = three_apps();
    let old = git(&f.checkout, &["rev-parse", "HEAD"]);
    git(
        &f.checkout,
        &["commit", "-q", "--allow-empty", "-m", "newer"],
    );
    let new = git(&f.checkout, &["rev-parse", "HEAD"]);
    promote(&f, "development", "web", &format!("ghcr.io/shop/web:{new}"))
        .args(["--source-commit", &new])
        .assert()
        .success();
    let before = commits_on_main(&f);
    let out = gitops_gen(&f.checkout)
        .args(["promote", "--env", "development", "--source-commit", &old])
        .args([
            "--app",
            "web",
            "--image",
            &format!("ghcr.io/shop/web:{old}"),
        ])
        .args([
            "--app",
            "api",
            "--image",
            &format!("ghcr.io/shop/api:{old}"),
        ])
        .args([
            "--app",
            "worker",
            "--image",
            &format!("ghcr.io/shop/worker:{old}"),
        ])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning") && stderr.contains("`web`"),
        "names the app left out:\n{stderr}"
    );
    assert_eq!(commits_on_main(&f), before + 1);
    let overlay = remote_file(&f, "main", OVERLAY);
    assert!(
        overlay.contains(&format!("newTag: {new}")),
        "web stays on the newer build"
    );
    assert!(overlay.contains(&format!("  - name: ghcr.io/shop/api\n    newTag: {old}\n")));
    let subject = git(&f.remote, &["log", "-1", "--format=%s", "main"]);
    assert!(
        subject.starts_with("promote(development): api, worker"),
        "{subject}"
    );
}

/// In pull-request mode the apps share one branch, `promote/<env>`, with one commit, and the
/// step outputs name them all.
#[test]
fn several_apps_are_proposed_on_one_branch() {
    let f = three_apps();
    let sha = git(&f.checkout, &["rev-parse", "HEAD"]);
    let outputs = f.checkout.join("github-output");
    gitops_gen(&f.checkout)
        .args(["promote", "--env", "development", "--mode", "pull-request"])
        .args([
            "--app",
            "web",
            "--image",
            &format!("ghcr.io/shop/web:{sha}"),
        ])
        .args([
            "--app",
            "api",
            "--image",
            &format!("ghcr.io/shop/api:{sha}"),
        ])
        .env("GITHUB_SHA", &sha)
        .env("GITHUB_OUTPUT", &outputs)
        .assert()
        .success();
    assert_eq!(
        git(
            &f.remote,
            &["rev-list", "--count", "main..promote/development"]
        ),
        "1"
    );
    let written = std::fs::read_to_string(&outputs).expect("step outputs");
    assert!(
        written.contains("branch=promote/development\n"),
        "{written}"
    );
    assert!(
        written.contains(&format!(
            "title=promote(development): web, api → {}\n",
            &sha[..12]
        )),
        "{written}"
    );
    assert!(
        written.contains("Move web in development") && written.contains("Move api in development")
    );
    let message = git(
        &f.remote,
        &["log", "-1", "--format=%B", "promote/development"],
    );
    assert!(
        !message.contains("[skip ci]"),
        "a proposal gets its checks:\n{message}"
    );
}

#[test]
fn apps_and_images_must_pair_up() {
    let f = three_apps();
    let before = commits_on_main(&f);
    gitops_gen(&f.checkout)
        .args([
            "promote",
            "--env",
            "development",
            "--app",
            "web",
            "--app",
            "api",
        ])
        .args(["--image", "ghcr.io/shop/web:1"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "pass one --image after each --app",
        ));
    gitops_gen(&f.checkout)
        .args(["promote", "--env", "development"])
        .args(["--app", "web", "--image", "ghcr.io/shop/web:1"])
        .args(["--app", "web", "--image", "ghcr.io/shop/web:2"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("app `web` is named twice"));
    assert_eq!(commits_on_main(&f), before);
}
