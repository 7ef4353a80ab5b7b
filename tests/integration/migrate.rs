//! `gitops-gen migrate` on the analyze fixtures: a draft and a guide for every repository,
//! nothing written without `--write`, the team's files untouched with it, the same files the
//! second time, and evidence or a TODO behind what the draft says.

use std::path::Path;

use crate::common::*;

/// Every fixture repository of `analyze`, copied without its labels.
fn fixtures() -> Vec<(String, tempfile::TempDir, std::path::PathBuf)> {
    let mut out = Vec::new();
    let root = fixture("analyze");
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .expect("fixtures")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let (tmp, dir) = named_dir(&name);
        copy_tree(&root.join(&name), &dir);
        let _ = std::fs::remove_file(dir.join("expected.yaml"));
        out.push((name, tmp, dir));
    }
    out
}

fn migrate(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["migrate"];
    all.extend_from_slice(args);
    all.push(".");
    run(dir, &all)
}

#[test]
fn every_fixture_gets_a_draft_that_parses_and_says_where_each_value_came_from() {
    let mut drafted = 0;
    let mut valid = 0;
    for (name, _tmp, dir) in fixtures() {
        let before = read_tree(&dir);
        let out = migrate(&dir, &[]);
        assert_code(&out, 0);
        assert_eq!(read_tree(&dir), before, "{name}: written without --write");
        let out = migrate(&dir, &["--write"]);
        assert_code(&out, 0);
        let after = read_tree(&dir);
        for (path, bytes) in &before {
            assert_eq!(after.get(path), Some(bytes), "{name}: {path} changed");
        }
        let text = read(&dir, "gitops-gen.yaml");
        drafted += 1;
        let todos = text.matches("# TODO(migrate):").count();
        let counted = stderr(&out);
        let said = format!("({todos} TODO(migrate) question");
        assert!(counted.contains(&said), "{name}: {counted}");
        // A draft that does not validate has a question to answer.
        let check = run(&dir, &["generate", "--dry-run"]);
        if code(&check) == 0 {
            valid += 1;
        } else {
            assert!(
                todos > 0 || stderr(&check).contains("was not written by gitops-gen"),
                "{name}: invalid without a TODO:\n{}\n{text}",
                stderr(&check)
            );
        }
        // The second run finds the draft it wrote.
        let again = migrate(&dir, &["--write"]);
        assert!(
            stderr(&again).contains("unchanged gitops-gen.yaml"),
            "{name}: {}",
            stderr(&again)
        );
        assert_eq!(read(&dir, "gitops-gen.yaml"), text, "{name}");
    }
    println!("{valid} of {drafted} drafts generate as they are");
    assert!(drafted > 100);
}

/// The drafts of a few repositories, whole: the GitHub helm-by-tag release, kubectl per
/// environment from two workflows, a GitLab Kustomize layout.
#[test]
fn drafts_of_representative_repositories() {
    for name in [
        "01-gha-kubectl-per-env",
        "02-gha-helm-tags",
        "33-gitlab-kustomize-layout",
    ] {
        let (_tmp, dir) = named_dir(name);
        copy_tree(&fixture(&format!("analyze/{name}")), &dir);
        assert_code(&migrate(&dir, &["--write"]), 0);
        insta::assert_snapshot!(format!("migrate_{name}"), read(&dir, "gitops-gen.yaml"));
    }
}

/// The guide written next to the draft: what deploys today and what replaces it, the phases
/// with this repository's cluster folders, the credentials to revoke; the same the second time.
#[test]
fn the_migration_guide_of_a_repository() {
    let (_tmp, dir) = named_dir("ledger");
    copy_tree(&fixture("analyze/02-gha-helm-tags"), &dir);
    assert_code(&migrate(&dir, &["--write"]), 0);
    let guide = read(&dir, "MIGRATION.md");
    insta::assert_snapshot!("migrate_guide_02-gha-helm-tags", guide);
    let again = migrate(&dir, &["--write"]);
    assert!(
        stderr(&again).contains("unchanged MIGRATION.md"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn an_existing_model_is_never_replaced() {
    let (_tmp, dir) = named_dir("02-gha-helm-tags");
    copy_tree(&fixture("analyze/02-gha-helm-tags"), &dir);
    write(&dir, "gitops-gen.yaml", "# ours\n");
    let out = migrate(&dir, &["--write"]);
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("keep gitops-gen.yaml (yours"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read(&dir, "gitops-gen.yaml"), "# ours\n");
}

/// `$CI_DEFAULT_BRANCH` is the branch the repository's default is: `master` here.
#[test]
fn the_default_branch_is_the_repository_s() {
    let (_tmp, dir) = named_dir("maps");
    copy_tree(&fixture("analyze/33-gitlab-kustomize-layout"), &dir);
    git_repo_on(&dir, "master", None);
    assert_code(&migrate(&dir, &["--write"]), 0);
    let draft = read(&dir, "gitops-gen.yaml");
    assert!(
        draft.contains(
            "is the default branch: `master` here\n  - name: staging\n    branches: master\n"
        ),
        "{draft}"
    );
}

/// A Jenkins repository: the new pipelines run where `--ci` says, and the operator tree moves
/// out of the way of the `clusters/` the repository already has.
#[test]
fn the_target_ci_and_a_free_folder_for_the_tree() {
    let (_tmp, dir) = named_dir("svc");
    copy_tree(&fixture("analyze/38-jenkins-scripted"), &dir);
    std::fs::create_dir_all(dir.join("clusters/prod")).expect("mkdir");
    assert_code(&migrate(&dir, &["--ci", "gitlab", "--write"]), 0);
    let draft = read(&dir, "gitops-gen.yaml");
    assert!(
        draft.contains("# chosen with --ci\nci: gitlab\n"),
        "{draft}"
    );
    assert!(
        draft.contains("generated tree goes here\n  path: gitops\n"),
        "{draft}"
    );
    let guide = read(&dir, "MIGRATION.md");
    assert!(guide.contains("flux bootstrap gitlab"), "{guide}");
    assert!(guide.contains("--path=gitops/clusters/"), "{guide}");
}

/// A pipeline the analysis cannot read is named, not dropped: the draft has a gap there.
#[test]
fn files_the_analysis_could_not_read_are_named() {
    let (_tmp, dir) = named_dir("broken");
    copy_tree(&fixture("analyze/13-gha-broken-yaml"), &dir);
    let out = migrate(&dir, &[]);
    assert_code(&out, 0);
    let said = stderr(&out);
    assert!(
        said.contains("not read") && said.contains(".github/workflows/"),
        "{said}"
    );
}
