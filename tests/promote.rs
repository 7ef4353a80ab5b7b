//! `gitops-gen promote` against real git repositories: a bare repository in a temp dir is the
//! remote, a clone of it is the CI checkout. No network.

mod promote_support;

use std::process::Command;

use predicates::prelude::PredicateBooleanExt;
use promote_support::{Fixture, fixture, git, gitops_gen, promote, remote_file};

#[test]
fn commit_mode_edits_the_overlay_and_records_an_audit_message() {
    let f = fixture();
    promote(&f, "staging", "web", "ghcr.io/shop/web:3f9c2e1")
        .env("GITHUB_SHA", "3f9c2e1")
        .env("GITHUB_ACTOR", "octocat")
        .assert()
        .success();
    let overlay = remote_file(
        &f,
        "main",
        "applications/overlays/staging/kustomization.yaml",
    );
    assert!(
        overlay.contains("  - name: ghcr.io/shop/web\n    newTag: 3f9c2e1\n"),
        "{overlay}"
    );
    // The first promotion into staging adds web; api, never promoted there, does not run.
    assert!(
        overlay.contains("resources:\n  - ../../base/web\n") && !overlay.contains("shop/api"),
        "{overlay}"
    );
    let message = git(&f.remote, &["log", "-1", "--format=%B", "main"]);
    assert!(
        message.starts_with("promote(staging): web none → 3f9c2e1\n"),
        "{message}"
    );
    assert!(message.contains("[skip ci]"));
    assert!(
        message.contains("Source-Commit: 3f9c2e1\nActor: octocat"),
        "{message}"
    );
    // The caller's checkout is untouched: promotion works in its own clone.
    assert_eq!(git(&f.checkout, &["status", "--porcelain"]), "");
}

#[test]
fn promoting_the_same_image_again_is_a_no_op() {
    let f = fixture();
    let promote = |f: &Fixture| {
        promote(f, "development", "api", "ghcr.io/shop/api:1.2.3")
            .assert()
            .success()
    };
    promote(&f);
    let head = git(&f.remote, &["rev-parse", "main"]);
    promote(&f).stderr(predicates::str::contains("already runs"));
    assert_eq!(git(&f.remote, &["rev-parse", "main"]), head);
}

#[test]
fn a_ref_that_does_not_map_to_the_environment_changes_nothing() {
    let f = fixture();
    let head = git(&f.remote, &["rev-parse", "main"]);
    promote(&f, "preview", "web", "ghcr.io/shop/web:abc")
        .args(["--ref", "refs/heads/feature/a/b"])
        .assert()
        .success()
        .stderr(predicates::str::contains("does not promote into `preview`"));
    assert_eq!(git(&f.remote, &["rev-parse", "main"]), head);
    promote(&f, "preview", "web", "ghcr.io/shop/web:abc")
        .args(["--ref", "refs/heads/feature/login"])
        .assert()
        .success();
    assert_ne!(git(&f.remote, &["rev-parse", "main"]), head);
}

#[test]
fn pull_request_mode_pushes_a_promotion_branch_and_reports_it() {
    let f = fixture();
    let outputs = f.checkout.parent().expect("parent").join("github-output");
    for tag in ["v1", "v1"] {
        promote(&f, "production", "web", &format!("ghcr.io/shop/web:{tag}"))
            .env("GITHUB_OUTPUT", &outputs)
            .assert()
            .success();
    }
    let overlay = remote_file(
        &f,
        "promote/production/web",
        "applications/overlays/production/kustomization.yaml",
    );
    assert!(overlay.contains("newTag: v1"));
    // The GitOps branch itself only changes when the pull request is merged.
    let main = remote_file(
        &f,
        "main",
        "applications/overlays/production/kustomization.yaml",
    );
    assert!(!main.contains("newTag: v1"));
    // A second run rebuilds the branch on the tip: still exactly one commit ahead of main.
    let ahead = git(
        &f.remote,
        &["rev-list", "--count", "main..promote/production/web"],
    );
    assert_eq!(ahead, "1");
    // The proposal's commit runs the pull request's checks: no skip-CI marker.
    let message = git(
        &f.remote,
        &["log", "-1", "--format=%B", "promote/production/web"],
    );
    assert!(
        message.starts_with("promote(production): web none → v1"),
        "{message}"
    );
    assert!(!message.contains("[skip ci]"), "{message}");
    let written = std::fs::read_to_string(&outputs).expect("GITHUB_OUTPUT written");
    assert!(
        written
            .contains("branch=promote/production/web\ntitle=promote(production): web none → v1\n"),
        "{written}"
    );
}

#[test]
fn eight_concurrent_promotions_all_land_with_linear_history() {
    let f = fixture();
    let envs = ["development", "staging", "preview", "production"];
    let apps = ["web", "api"];
    let before = git(&f.remote, &["rev-list", "--count", "main"]);
    // Eight processes start at once; rejected pushes are re-applied on the new tip.
    let handles: Vec<_> = envs
        .iter()
        .flat_map(|env| apps.iter().map(move |app| (*env, *app)))
        .map(|(env, app)| {
            Command::new(env!("CARGO_BIN_EXE_gitops-gen"))
                .current_dir(&f.checkout)
                .args(["promote", "--env", env, "--app", app, "--mode", "commit"])
                .args([
                    "--image",
                    &format!("ghcr.io/shop/{app}:{env}-race"),
                    "--retries",
                    "40",
                ])
                // The preview gets one instance for the branch, created by whichever lands first.
                .args(if env == "preview" {
                    &["--ref", "refs/heads/feature/race"][..]
                } else {
                    &[]
                })
                .env("NO_COLOR", "1")
                .env_remove("GITHUB_SHA")
                .spawn()
                .expect("spawn promote")
        })
        .collect();
    for mut child in handles {
        assert!(child.wait().expect("wait").success());
    }
    // The branch's slug, then the first six hex digits of SHA-1("feature/race") (docs/promotion.md).
    let instance = "feature-race-d222d3";
    for env in envs {
        let path = if env == "preview" {
            format!("applications/overlays/preview/{instance}/kustomization.yaml")
        } else {
            format!("applications/overlays/{env}/kustomization.yaml")
        };
        let overlay = remote_file(&f, "main", &path);
        for app in apps {
            let entry = format!("  - name: ghcr.io/shop/{app}\n    newTag: {env}-race\n");
            assert!(overlay.contains(&entry), "{app} in {env}: {overlay}");
        }
    }
    let after = git(&f.remote, &["rev-list", "--count", "main"]);
    let landed = after.parse::<u32>().expect("count") - before.parse::<u32>().expect("count");
    assert_eq!(landed, 8, "every promotion is one commit, none lost");
    let merges = git(&f.remote, &["rev-list", "--merges", "--count", "main"]);
    assert_eq!(merges, "0", "history stays linear");
}

/// Two commits of the app repository: `older` is the parent of `newer`.
fn two_builds(f: &Fixture) -> (String, String) {
    std::fs::write(f.checkout.join("app.txt"), "1").expect("write");
    git(&f.checkout, &["add", "app.txt"]);
    git(&f.checkout, &["commit", "-q", "-m", "build 1"]);
    let older = git(&f.checkout, &["rev-parse", "HEAD"]);
    std::fs::write(f.checkout.join("app.txt"), "2").expect("write");
    git(&f.checkout, &["commit", "-q", "-am", "build 2"]);
    let newer = git(&f.checkout, &["rev-parse", "HEAD"]);
    (older, newer)
}

fn promote_build(f: &Fixture, commit: &str) -> assert_cmd::assert::Assert {
    promote_build_with(f, commit, &[])
}

/// [`promote_build`] with more flags.
fn promote_build_with(f: &Fixture, commit: &str, flags: &[&str]) -> assert_cmd::assert::Assert {
    gitops_gen(&f.checkout)
        .args(["promote", "--env", "staging", "--app", "web"])
        .args(flags)
        .args([
            "--image",
            &format!("ghcr.io/shop/web:{}", &commit[..12]),
            "--source-commit",
            commit,
        ])
        .assert()
}

fn staging_runs(f: &Fixture) -> (String, String) {
    let overlay = remote_file(
        f,
        "main",
        "applications/overlays/staging/kustomization.yaml",
    );
    let tag = overlay
        .split("name: ghcr.io/shop/web\n    newTag: ")
        .nth(1)
        .and_then(|t| t.lines().next());
    let source = overlay
        .split("source-commit.gitops-gen.io/web: ")
        .nth(1)
        .and_then(|t| t.lines().next());
    // An all-digit tag or commit is quoted so that it stays a string.
    (
        tag.unwrap_or_default().trim_matches('"').to_owned(),
        source.unwrap_or_default().trim_matches('"').to_owned(),
    )
}

#[test]
fn older_then_newer_moves_forward() {
    let f = fixture();
    let (older, newer) = two_builds(&f);
    promote_build(&f, &older).success();
    promote_build(&f, &newer).success();
    assert_eq!(staging_runs(&f), (newer[..12].to_owned(), newer.clone()));
}

#[test]
fn newer_then_older_refuses_the_downgrade() {
    let f = fixture();
    let (older, newer) = two_builds(&f);
    promote_build(&f, &newer).success();
    let head = git(&f.remote, &["rev-parse", "main"]);
    // The older pipeline lost the race: a notice, not a red pipeline.
    promote_build(&f, &older).code(0).stderr(
        predicates::str::contains("skipped")
            .and(predicates::str::contains("is an ancestor of"))
            .and(predicates::str::contains("a newer build got there first")),
    );
    // Unless asked to fail.
    promote_build_with(&f, &older, &["--fail-if-superseded"])
        .code(1)
        .stderr(predicates::str::contains("--allow-rollback"));
    assert_eq!(
        git(&f.remote, &["rev-parse", "main"]),
        head,
        "nothing committed"
    );
    assert_eq!(staging_runs(&f), (newer[..12].to_owned(), newer.clone()));
    // On purpose, it is allowed and says so in history.
    promote_build_with(&f, &older, &["--allow-rollback"]).success();
    assert_eq!(staging_runs(&f).1, older);
    assert!(git(&f.remote, &["log", "-1", "--format=%B", "main"]).contains("Rollback:"));
}

#[test]
fn racing_older_and_newer_builds_always_end_on_the_newer() {
    for _ in 0..3 {
        let f = fixture();
        let (older, newer) = two_builds(&f);
        let spawn = |commit: &str| {
            Command::new(env!("CARGO_BIN_EXE_gitops-gen"))
                .current_dir(&f.checkout)
                .args([
                    "promote",
                    "--env",
                    "staging",
                    "--app",
                    "web",
                    "--retries",
                    "40",
                ])
                .args([
                    "--image",
                    &format!("ghcr.io/shop/web:{}", &commit[..12]),
                    "--source-commit",
                    commit,
                ])
                .env("NO_COLOR", "1")
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("spawn")
        };
        let (mut a, mut b) = (spawn(&older), spawn(&newer));
        let older_status = a.wait().expect("wait");
        assert!(
            b.wait().expect("wait").success(),
            "the newer build always lands"
        );
        // The older one either landed first (then was superseded) or was refused (exit 1).
        assert!(older_status.success() || older_status.code() == Some(1));
        assert_eq!(staging_runs(&f), (newer[..12].to_owned(), newer.clone()));
    }
}

#[test]
fn from_to_copies_the_digest_and_source_commit() {
    let f = fixture();
    let (_, newer) = two_builds(&f);
    let digest = format!("sha256:{}", "c".repeat(64));
    gitops_gen(&f.checkout)
        .args(["promote", "--env", "staging", "--app", "api"])
        .args([
            "--image",
            &format!("ghcr.io/shop/api@{digest}"),
            "--source-commit",
            &newer,
        ])
        .assert()
        .success();
    gitops_gen(&f.checkout)
        .args([
            "promote",
            "--from",
            "staging",
            "--to",
            "production",
            "--app",
            "api",
            "--mode",
            "commit",
        ])
        .env("GITHUB_SHA", "0000000000000000000000000000000000000000")
        .assert()
        .success();
    let production = remote_file(
        &f,
        "main",
        "applications/overlays/production/kustomization.yaml",
    );
    assert!(
        production.contains(&format!(
            "  - name: ghcr.io/shop/api\n    digest: {digest}\n"
        )),
        "{production}"
    );
    assert!(
        production.contains(&format!("source-commit.gitops-gen.io/api: {newer}")),
        "{production}"
    );
    let message = git(&f.remote, &["log", "-1", "--format=%B", "main"]);
    assert!(
        message.contains(&format!("Source-Commit: {newer}")),
        "{message}"
    );
    // Nothing to copy from an environment that does not run the app yet.
    git(&f.checkout, &["pull", "-q", "--rebase", "origin", "main"]);
    let development = f
        .checkout
        .join("applications/overlays/development/kustomization.yaml");
    std::fs::write(
        development,
        "kind: Kustomization\nresources: [../../base]\n",
    )
    .expect("write");
    git(
        &f.checkout,
        &["commit", "-q", "-am", "development runs nothing"],
    );
    git(&f.checkout, &["push", "-q", "origin", "main"]);
    gitops_gen(&f.checkout)
        .args([
            "promote",
            "--from",
            "development",
            "--to",
            "production",
            "--app",
            "web",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "promote into `development` first",
        ));
}

#[test]
fn the_edit_preserves_comments_ordering_and_formatting() {
    let f = fixture();
    let custom = "\
# Production overlay: reviewed by the platform team.
kind: Kustomization   # kind first, on purpose
apiVersion: kustomize.config.k8s.io/v1beta1
images:
    # the API pins a digest
    - name: ghcr.io/shop/api
      digest: sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    - newTag: 'latest'   # set by promote
      name: ghcr.io/shop/web
resources: [../../base]   # flow style stays
patches:
  - path: replicas.yaml
";
    std::fs::write(
        f.checkout
            .join("applications/overlays/production/kustomization.yaml"),
        custom,
    )
    .expect("write");
    git(&f.checkout, &["commit", "-q", "-am", "custom overlay"]);
    git(&f.checkout, &["push", "-q", "origin", "main"]);
    gitops_gen(&f.checkout)
        .args([
            "promote",
            "--env",
            "production",
            "--app",
            "web",
            "--mode",
            "commit",
        ])
        .args([
            "--image",
            "ghcr.io/shop/web:4d5e6f7",
            "--source-commit",
            "4d5e6f7",
        ])
        .assert()
        .success();
    let after = remote_file(
        &f,
        "main",
        "applications/overlays/production/kustomization.yaml",
    );
    insta::assert_snapshot!(after);
}

#[test]
fn pull_request_mode_is_idempotent() {
    let f = fixture();
    let run = || {
        promote(&f, "production", "web", "ghcr.io/shop/web:v2")
            .assert()
            .success()
    };
    run().stderr(predicates::str::contains("proposed"));
    let first = git(&f.remote, &["rev-parse", "promote/production/web"]);
    run().stderr(predicates::str::contains("unchanged"));
    assert_eq!(
        git(&f.remote, &["rev-parse", "promote/production/web"]),
        first
    );
}

#[test]
fn broken_overlays_and_dirty_checkouts_are_clear_errors() {
    let f = fixture();
    let overlay = "applications/overlays/staging/kustomization.yaml";
    let promote = || promote(&f, "staging", "web", "ghcr.io/shop/web:1").assert();
    // Dirty checkout: the local overlay disagrees with what would be promoted.
    std::fs::write(f.checkout.join(overlay), "kind: Kustomization\n").expect("write");
    promote()
        .code(2)
        .stderr(predicates::str::contains("uncommitted changes"));
    // Malformed YAML on the GitOps branch.
    std::fs::write(f.checkout.join(overlay), "images: [\n").expect("write");
    git(&f.checkout, &["commit", "-q", "-am", "broken"]);
    git(&f.checkout, &["push", "-q", "origin", "main"]);
    let head = git(&f.remote, &["rev-parse", "main"]);
    promote().code(2).stderr(predicates::str::contains(
        "did not find expected node content",
    ));
    // Missing overlay.
    git(&f.checkout, &["rm", "-q", overlay]);
    git(&f.checkout, &["commit", "-q", "-m", "gone"]);
    git(&f.checkout, &["push", "-q", "origin", "main"]);
    let head2 = git(&f.remote, &["rev-parse", "main"]);
    assert_ne!(head, head2);
    promote()
        .code(2)
        .stderr(predicates::str::contains("cannot read"));
    assert_eq!(
        git(&f.remote, &["rev-parse", "main"]),
        head2,
        "nothing committed"
    );
}

#[test]
fn bad_requests_are_clear_errors_and_commit_nothing() {
    let f = fixture();
    let head = git(&f.remote, &["rev-parse", "main"]);
    let cases: [(&[&str], &str); 4] = [
        (
            &[
                "--env",
                "qa",
                "--app",
                "web",
                "--image",
                "ghcr.io/shop/web:1",
            ],
            "unknown environment `qa`",
        ),
        (
            &[
                "--env",
                "staging",
                "--app",
                "db",
                "--image",
                "ghcr.io/shop/db:1",
            ],
            "unknown app `db`",
        ),
        (
            &[
                "--env",
                "staging",
                "--app",
                "web",
                "--image",
                "ghcr.io/shop/api:1",
            ],
            "is not from app `web`",
        ),
        (
            &[
                "--env",
                "staging",
                "--app",
                "web",
                "--image",
                "ghcr.io/shop/web",
            ],
            "must be `repository:tag`",
        ),
    ];
    for (args, message) in cases {
        gitops_gen(&f.checkout)
            .arg("promote")
            .args(args)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(message));
    }
    assert_eq!(git(&f.remote, &["rev-parse", "main"]), head);
}

#[test]
fn an_open_proposal_for_a_newer_build_is_not_replaced_by_an_older_one() {
    let f = fixture();
    let (older, newer) = two_builds(&f);
    let propose = |commit: &str| {
        gitops_gen(&f.checkout)
            .args(["promote", "--env", "production", "--app", "web"])
            .args([
                "--image",
                &format!("ghcr.io/shop/web:{}", &commit[..12]),
                "--source-commit",
                commit,
            ])
            .assert()
    };
    propose(&newer).success();
    let proposal = git(&f.remote, &["rev-parse", "promote/production/web"]);
    propose(&older).code(0).stderr(
        predicates::str::contains("skipped").and(predicates::str::contains("is already proposed")),
    );
    assert_eq!(
        git(&f.remote, &["rev-parse", "promote/production/web"]),
        proposal
    );
}

#[test]
fn dry_run_shows_the_edit_and_message_and_changes_nothing() {
    let f = fixture();
    let head = git(&f.remote, &["rev-parse", "main"]);
    promote(&f, "staging", "web", "ghcr.io/shop/web:abc1234")
        .args(["--source-commit", "abc1234", "--dry-run"])
        .assert()
        .success()
        .stdout(
            predicates::str::contains(
                "+  - ../../base/web\n+images:\n+  - name: ghcr.io/shop/web\n+    newTag: abc1234",
            )
            .and(predicates::str::contains(
                "promote(staging): web none → abc1234",
            )),
        );
    assert_eq!(git(&f.remote, &["rev-parse", "main"]), head);
}

#[test]
fn an_image_without_a_known_source_marks_the_record_unknown() {
    let f = fixture();
    let (_, newer) = two_builds(&f);
    promote_build(&f, &newer).success();
    promote(&f, "staging", "web", "ghcr.io/shop/web:hotfix")
        .assert()
        .success();
    assert_eq!(
        staging_runs(&f),
        ("hotfix".to_owned(), "unknown".to_owned())
    );
    // With no known source to compare against, the next build is promoted with a warning.
    promote_build(&f, &newer)
        .success()
        .stderr(predicates::str::contains(
            "could not compare source commits",
        ));
}

#[test]
fn a_separate_config_repository_is_cloned_and_pushed_to() {
    let f = fixture();
    // The config repository: a second bare remote seeded with the generated tree.
    let config = f.remote.parent().expect("parent").join("config.git");
    git(
        f.remote.parent().expect("parent"),
        &[
            "clone",
            "-q",
            "--bare",
            f.remote.to_str().expect("utf-8"),
            "config.git",
        ],
    );
    let model = f.checkout.join("gitops-gen.yaml");
    let text = std::fs::read_to_string(&model).expect("model");
    let url = format!("file://{}", config.display());
    std::fs::write(
        &model,
        text.replace("gitops:\n", &format!("gitops:\n  repository: {url}\n")),
    )
    .expect("write");
    git(
        &f.checkout,
        &["commit", "-q", "-am", "config lives elsewhere"],
    );
    let app_head = git(&f.remote, &["rev-parse", "main"]);
    promote(&f, "staging", "web", "ghcr.io/shop/web:cfg1")
        .assert()
        .success();
    let overlay = git(
        &config,
        &[
            "show",
            "main:applications/overlays/staging/kustomization.yaml",
        ],
    );
    assert!(overlay.contains("newTag: cfg1"), "{overlay}");
    assert_eq!(
        git(&f.remote, &["rev-parse", "main"]),
        app_head,
        "the app repository is untouched"
    );
}

#[test]
fn preview_environments_get_one_instance_per_branch() {
    let f = fixture();
    let root = "applications/overlays/preview/kustomization.yaml";
    for (branch, tag) in [
        ("feature/login", "a1"),
        ("feature/cart", "b1"),
        ("feature/login", "a2"),
    ] {
        promote(&f, "preview", "web", &format!("ghcr.io/shop/web:{tag}"))
            .args(["--ref", &format!("refs/heads/{branch}")])
            .assert()
            .success();
    }
    let listed = remote_file(&f, "main", root);
    let dirs: Vec<&str> = listed
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- "))
        .collect();
    assert_eq!(dirs.len(), 2, "{listed}");
    let login = dirs
        .iter()
        .find(|d| d.starts_with("feature-login-"))
        .expect("login instance");
    let instance = remote_file(
        &f,
        "main",
        &format!("applications/overlays/preview/{login}/kustomization.yaml"),
    );
    assert!(
        instance.contains("branch.gitops-gen.io/name: feature/login"),
        "{instance}"
    );
    assert!(
        instance.contains(&format!("namespace: shop-{login}")),
        "{instance}"
    );
    assert!(
        instance.contains("  - name: ghcr.io/shop/web\n    newTag: a2\n"),
        "{instance}"
    );
    let namespace = remote_file(
        &f,
        "main",
        &format!("applications/overlays/preview/{login}/namespace.yaml"),
    );
    assert!(
        namespace.contains(&format!("  name: shop-{login}\n")),
        "{namespace}"
    );

    // A preview needs the branch.
    promote(&f, "preview", "web", "ghcr.io/shop/web:x")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--ref"));

    // The branch is gone: its instance goes, the other stays; removing again is a no-op.
    let remove = || {
        gitops_gen(&f.checkout)
            .args([
                "promote",
                "--env",
                "preview",
                "--remove",
                "--ref",
                "refs/heads/feature/login",
            ])
            .assert()
            .success()
    };
    remove().stderr(predicates::str::contains("removed"));
    let listed = remote_file(&f, "main", root);
    assert!(
        !listed.contains("feature-login-") && listed.contains("feature-cart-"),
        "{listed}"
    );
    let files = git(
        &f.remote,
        &[
            "ls-tree",
            "-r",
            "--name-only",
            "main",
            "applications/overlays/preview",
        ],
    );
    assert!(!files.contains("feature-login-"), "{files}");
    let head = git(&f.remote, &["rev-parse", "main"]);
    remove().stderr(predicates::str::contains("has no preview"));
    assert_eq!(git(&f.remote, &["rev-parse", "main"]), head);
    let message = git(&f.remote, &["log", "-2", "--format=%B", "main"]);
    assert!(
        message.contains("promote(preview): remove the preview of feature/login"),
        "{message}"
    );
}

#[test]
fn an_unknown_mode_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    gitops_gen(dir.path())
        .args(["promote", "--env", "staging", "--app", "web"])
        .args(["--image", "ghcr.io/shop/web:1", "--mode", "direct"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "invalid value 'direct' for '--mode <MODE>'",
        ));
}

/// `--dry-run` fetches the GitOps branch (read-only) and decides against its tip, so it reports
/// what a real run would do: a no-op, a refused downgrade, or the diff from what the remote runs,
/// even when the local checkout is behind. docs/promotion.md must say so.
#[test]
fn dry_run_decides_against_the_fetched_tip_and_the_docs_say_so() {
    let f = fixture();
    let (older, newer) = two_builds(&f);
    // Another pipeline promoted the newer build; this checkout has not pulled it.
    promote_build(&f, &newer).success();
    let head = git(&f.remote, &["rev-parse", "main"]);
    let dry = |commit: &str| {
        gitops_gen(&f.checkout)
            .args(["promote", "--env", "staging", "--app", "web", "--dry-run"])
            .args(["--image", &format!("ghcr.io/shop/web:{}", &commit[..12])])
            .args(["--source-commit", commit])
            .assert()
    };
    dry(&newer)
        .success()
        .stderr(predicates::str::contains("already runs"));
    dry(&older)
        .code(0)
        .stderr(predicates::str::contains("skipped: not promoting"));
    let sideways = gitops_gen(&f.checkout)
        .args(["promote", "--env", "staging", "--app", "web", "--dry-run"])
        .args(["--image", "ghcr.io/shop/web:hotfix"])
        .assert()
        .success();
    let diff = String::from_utf8_lossy(&sideways.get_output().stdout).into_owned();
    assert!(
        diff.contains(&format!(
            "-    newTag: {}\n+    newTag: hotfix",
            &newer[..12]
        )),
        "the diff starts from the remote's tip: {diff}"
    );
    assert_eq!(
        git(&f.remote, &["rev-parse", "main"]),
        head,
        "nothing pushed"
    );

    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/promotion.md"))
        .expect("docs/promotion.md");
    let row = docs
        .lines()
        .find(|l| l.starts_with("| `--dry-run`"))
        .expect("a --dry-run row");
    assert!(
        row.to_lowercase().contains("fetches") && row.contains("commit and push nothing"),
        "{row}"
    );
    assert!(
        !docs.contains("does not fetch"),
        "the docs still say it does not fetch"
    );
}
