//! `migrate --phase prepare` then `--phase cutover`, environment by environment, on repositories
//! the way teams have them: GitHub Actions (a step gets `if: false`), GitLab CI (a job is hidden)
//! and Jenkins (the lines are listed). Every non-deploy job stays, the edited pipelines validate
//! as well as the team's did, and Flux takes over exactly the environment cut over.

use std::path::Path;

use crate::common::*;

fn repo_from(fixture_path: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, dir) = named_dir("shop");
    copy_tree(&fixture(fixture_path), &dir);
    let _ = std::fs::remove_file(dir.join("expected.yaml"));
    git_repo(&dir, None);
    (tmp, dir)
}

fn cutover(dir: &Path, env: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["migrate", "--phase", "cutover", "--env", env];
    args.extend_from_slice(extra);
    args.push(".");
    run(dir, &args)
}

/// Lines of `text` that start (after indentation) with `prefix`.
fn count(text: &str, prefix: &str) -> usize {
    text.lines()
        .filter(|l| l.trim_start().starts_with(prefix))
        .count()
}

/// No validator error, and no zizmor finding the team's own files did not have.
fn validates_as_well_as(dir: &Path, before: Option<(usize, usize)>) {
    match (validate_counts(dir), before) {
        (Some((errors, findings)), Some((_, team))) => {
            assert_eq!(errors, 0, "validate-gitops errors");
            assert!(
                findings <= team,
                "{findings} zizmor findings, the team's files had {team}"
            );
        }
        _ => println!("{VALIDATOR_MISSING}"),
    }
}

#[test]
fn github_prepare_suspends_everything_and_cutover_hands_over_one_environment() {
    let (_tmp, dir) = repo_from("analyze/01-gha-kubectl-per-env");
    let team = validate_counts(&dir);
    let staging_before = read(&dir, ".github/workflows/staging.yml");
    let production_before = read(&dir, ".github/workflows/production.yml");

    assert_code(&run(&dir, &["migrate", "--write", "."]), 0);
    let model = read(&dir, "gitops-gen.yaml");
    assert_eq!(model.matches("    suspended: true\n").count(), 2, "{model}");
    for cluster in ["staging", "production"] {
        let apps = read(&dir, &format!("clusters/{cluster}/apps.yaml"));
        assert!(apps.contains("  suspend: true\n  prune: false\n"), "{apps}");
    }
    assert_code(&run(&dir, &["generate", "--check"]), 0);
    validates_as_well_as(&dir, team);

    // No proof, no cutover; the lowest environment first.
    let tree = read_tree(&dir);
    let out = cutover(&dir, "staging", &["--write"]);
    assert_ne!(code(&out), 0);
    assert!(
        stderr(&out).contains("--compare-live DIR, or --skip-compare"),
        "{}",
        stderr(&out)
    );
    let out = cutover(&dir, "production", &["--skip-compare", "--write"]);
    assert_ne!(code(&out), 0);
    assert!(
        stderr(&out).contains("cut over `staging` first"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read_tree(&dir), tree, "refusals write nothing");

    // Without --write: the plan and the diff, nothing written.
    let out = cutover(&dir, "staging", &["--skip-compare"]);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("+      - if: false"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("-  suspend: true"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("would update clusters/staging/apps.yaml"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read_tree(&dir), tree);

    let out = cutover(&dir, "staging", &["--skip-compare", "--write"]);
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(err.contains("revoke `secrets.STAGING_KUBECONFIG`"), "{err}");
    assert!(!err.contains("PROD_KUBECONFIG"), "{err}");
    let staging = read(&dir, ".github/workflows/staging.yml");
    assert!(
        staging.contains("      - if: false  # gitops-gen migrate --phase cutover"),
        "{staging}"
    );
    assert_eq!(
        count(&staging, "- "),
        count(&staging_before, "- "),
        "every step stays"
    );
    assert_eq!(
        count(&staging, "runs-on:"),
        count(&staging_before, "runs-on:"),
        "every job stays"
    );
    assert_eq!(staging.lines().count(), staging_before.lines().count() + 1);
    assert_eq!(
        read(&dir, ".github/workflows/production.yml"),
        production_before
    );
    assert!(!read(&dir, "clusters/staging/apps.yaml").contains("suspend"));
    assert!(read(&dir, "clusters/staging/apps.yaml").contains("  prune: true\n"));
    assert!(read(&dir, "clusters/production/apps.yaml").contains("  suspend: true\n"));
    assert_eq!(
        read(&dir, "gitops-gen.yaml")
            .matches("suspended: true")
            .count(),
        1
    );
    assert_code(&run(&dir, &["generate", "--check"]), 0);
    validates_as_well_as(&dir, team);

    // Twice is once.
    let tree = read_tree(&dir);
    assert_code(&cutover(&dir, "staging", &["--skip-compare", "--write"]), 0);
    assert_eq!(read_tree(&dir), tree);
    if has_kubectl() {
        let (built, failures) = kustomize_every_folder(&dir);
        assert!(built > 0 && failures.is_empty(), "{failures:?}");
    }
}

#[test]
fn gitlab_cutover_hides_the_deploy_job_and_keeps_the_rest() {
    let (_tmp, dir) = repo_from("repos/gitlab-team");
    let team = validate_counts(&dir);
    let before = read(&dir, ".gitlab-ci.yml");
    assert_code(&run(&dir, &["migrate", "--write", "."]), 0);
    let out = cutover(&dir, "staging", &["--skip-compare", "--write"]);
    assert_code(&out, 0);
    assert!(stderr(&out).contains("revoke"), "{}", stderr(&out));
    let after = read(&dir, ".gitlab-ci.yml");
    assert!(after.contains("\n.deploy-staging:\n"), "{after}");
    assert!(after.contains("\ndeploy-production:\n"), "{after}");
    for job in ["unit-tests:", "deploy-production:"] {
        assert_eq!(count(&after, job), count(&before, job), "{job} stays");
    }
    assert_eq!(
        read(&dir, ".gitlab/jobs/package.yml"),
        read(&fixture("repos/gitlab-team"), ".gitlab/jobs/package.yml")
    );
    assert_code(&run(&dir, &["generate", "--check"]), 0);
    validates_as_well_as(&dir, team);
}

#[test]
fn jenkins_deploy_lines_are_listed_not_edited() {
    let (_tmp, dir) = repo_from("analyze/34-jenkins-branch-input-kubeconfig");
    let jenkinsfile = read(&dir, "Jenkinsfile");
    assert_code(
        &run(&dir, &["migrate", "--write", "--ci", "github", "."]),
        0,
    );
    let model = read(&dir, "gitops-gen.yaml");
    let first = model
        .lines()
        .find_map(|l| l.trim().strip_prefix("- name: "))
        .expect("an environment")
        .to_owned();
    let out = cutover(&dir, &first, &["--skip-compare"]);
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("by hand Jenkinsfile:30"),
        "{}",
        stderr(&out)
    );
    assert!(
        !stdout(&out).contains("+++ b/Jenkinsfile"),
        "no diff of the Jenkinsfile"
    );
    assert_eq!(read(&dir, "Jenkinsfile"), jenkinsfile);
}

#[test]
fn cutover_waits_for_the_live_objects_to_match() {
    if !has_kubectl() {
        println!("{KUBECTL_MISSING}");
        return;
    }
    let (_tmp, dir) = repo_from("analyze/01-gha-kubectl-per-env");
    assert_code(&run(&dir, &["migrate", "--write", "."]), 0);
    let live = dir.join("live");
    std::fs::create_dir_all(&live).expect("live");
    // What runs: the namespace, and a Deployment nothing in Git describes yet.
    std::fs::write(
        live.join("staging.yaml"),
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: bookshelf-staging\n  uid: 1\n  labels: {app.kubernetes.io/part-of: shop}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: bookshelf, namespace: bookshelf-staging}\n",
    )
    .expect("write");
    let tree = read_tree(&dir);
    let out = cutover(&dir, "staging", &["--compare-live", "live", "--write"]);
    assert_ne!(code(&out), 0);
    assert!(
        stdout(&out).contains("Deployment.apps/bookshelf-staging/bookshelf: only live"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("Namespace/bookshelf-staging: matches"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("1 of the live objects differ"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read_tree(&dir), tree);
    // Once Git describes everything that runs, the cutover goes ahead.
    std::fs::write(
        live.join("staging.yaml"),
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: bookshelf-staging\n  labels: {app.kubernetes.io/part-of: shop, kubernetes.io/metadata.name: bookshelf-staging}\n",
    )
    .expect("write");
    let out = cutover(&dir, "staging", &["--compare-live", "live", "--write"]);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("1 objects, 0 differences"),
        "{}",
        stdout(&out)
    );
}

/// A deploy written once in a template that the jobs of several environments extend: the
/// cutover hides the job of the environment cut over, and only that one.
#[test]
fn a_template_shared_by_environments_is_cut_over_job_by_job() {
    let (_tmp, dir) = named_dir("shop");
    write(
        &dir,
        ".gitlab-ci.yml",
        "stages: [build, deploy]\n\n.deploy:\n  stage: deploy\n  image: bitnami/kubectl:1.30\n  script:\n    - kubectl apply -n $NAMESPACE -f k8s/\n\ndeploy-staging:\n  extends: .deploy\n  environment: staging\n  variables: {NAMESPACE: shop-staging}\n  rules:\n    - if: $CI_COMMIT_BRANCH == \"main\"\n\ndeploy-production:\n  extends: .deploy\n  environment: production\n  variables: {NAMESPACE: shop}\n  rules:\n    - if: $CI_COMMIT_TAG\n      when: manual\n",
    );
    write(
        &dir,
        "k8s/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: shop}\nspec:\n  template:\n    spec:\n      containers:\n        - {name: shop, image: registry.gitlab.com/acme/shop:1.0.0}\n",
    );
    write(&dir, "Dockerfile", "FROM scratch\n");
    git_repo(&dir, None);
    assert_code(&run(&dir, &["migrate", "--write", "."]), 0);
    let out = cutover(&dir, "staging", &["--skip-compare"]);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("+.deploy-staging:"),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        !stdout(&out).contains("+.deploy-production:"),
        "{}",
        stdout(&out)
    );
}

/// A deploy the analysis cannot tie to an environment (one job deploying whichever environment
/// a variable names) is listed for a person to check, not left out of the cutover.
#[test]
fn a_deploy_of_unknown_environment_is_listed_to_check() {
    let (_tmp, dir) = named_dir("shop");
    write(
        &dir,
        ".github/workflows/staging.yml",
        "on:\n  push:\n    branches: [develop]\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    environment: staging\n    steps:\n      - run: kubectl apply -n shop-staging -f k8s/\n",
    );
    write(
        &dir,
        ".github/workflows/any.yml",
        "on: workflow_dispatch\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: kubectl apply -f k8s/\n",
    );
    write(
        &dir,
        "k8s/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: shop}\nspec:\n  template:\n    spec:\n      containers:\n        - {name: shop, image: ghcr.io/acme/shop:1.0.0}\n",
    );
    git_repo(&dir, None);
    assert_code(&run(&dir, &["migrate", "--write", "."]), 0);
    let out = cutover(&dir, "staging", &["--skip-compare"]);
    assert_code(&out, 0);
    let err = stderr(&out);
    assert!(err.contains("by hand .github/workflows/any.yml:6"), "{err}");
    assert!(err.contains("check whether it deploys `staging`"), "{err}");
}
