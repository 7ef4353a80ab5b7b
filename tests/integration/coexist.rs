//! A repository that already has a GitLab pipeline keeps it: `migrate`, `init` and `generate`
//! put gitops-gen's pipeline in a file of its own and add one `include:` (and gitops-gen's
//! stages) to the team's `.gitlab-ci.yml`, whose every line, job and comment stays.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_norway::Value;

use crate::common::*;

const ROOT: &str = ".gitlab-ci.yml";
const OURS: &str = ".gitlab/gitops.gitlab-ci.yml";

/// The team's GitLab repository (tests, package and publish jobs in an included file, kubectl +
/// envsubst deploys), as a git repository.
fn team_repo() -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, dir) = named_dir("shop");
    copy_tree(&fixture("repos/gitlab-team"), &dir);
    git_repo(&dir, None);
    (tmp, dir)
}

fn yaml(dir: &Path, rel: &str) -> serde_norway::Mapping {
    match serde_norway::from_str(&read(dir, rel)) {
        Ok(Value::Mapping(map)) => map,
        other => panic!("{rel} is not a mapping: {other:?}"),
    }
}

const KEYWORDS: [&str; 7] = [
    "include",
    "stages",
    "variables",
    "workflow",
    "default",
    "image",
    "cache",
];

/// The jobs of one file (hidden ones included), by name.
fn jobs(map: &serde_norway::Mapping) -> BTreeMap<String, serde_norway::Mapping> {
    map.iter()
        .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), v.as_mapping()?.clone())))
        .filter(|(k, _)| !KEYWORDS.contains(&k.as_str()))
        .collect()
}

/// The team's lines are all still there, in order: the edit only added lines.
fn only_added(before: &str, after: &str) {
    let mut rest = after.lines();
    for line in before.lines() {
        assert!(rest.any(|l| l == line), "{line:?} is gone:\n{after}");
    }
}

/// GitLab's view of the merged pipeline: every job's stage is declared, every `needs:` and
/// `extends:` names a job, and no job name is both the team's and gitops-gen's.
fn assert_merged_pipeline_is_consistent(dir: &Path, team_files: &[&str]) {
    let root = yaml(dir, ROOT);
    let stages: BTreeSet<String> = root
        .get("stages")
        .and_then(Value::as_sequence)
        .expect("stages")
        .iter()
        .filter_map(|s| s.as_str().map(str::to_owned))
        .collect();
    let ours = jobs(&yaml(dir, OURS));
    let mut theirs = jobs(&root);
    for file in team_files {
        theirs.extend(jobs(&yaml(dir, file)));
    }
    let shared: Vec<&String> = ours.keys().filter(|k| theirs.contains_key(*k)).collect();
    assert!(shared.is_empty(), "job names taken twice: {shared:?}");
    let all: BTreeMap<&String, &serde_norway::Mapping> = ours.iter().chain(theirs.iter()).collect();
    for (name, job) in &all {
        if name.starts_with('.') {
            continue;
        }
        let stage = job.get("stage").and_then(Value::as_str).unwrap_or("test");
        assert!(
            stages.contains(stage),
            "job {name}: stage {stage} is not declared"
        );
        let needs = job
            .get("needs")
            .and_then(Value::as_sequence)
            .cloned()
            .unwrap_or_default();
        for need in needs {
            let need = need.as_str().expect("needs by name");
            assert!(
                all.contains_key(&need.to_owned()),
                "job {name} needs {need}"
            );
        }
        let extends = match job.get("extends") {
            Some(Value::String(one)) => vec![one.clone()],
            Some(Value::Sequence(many)) => many
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        for base in extends {
            assert!(all.contains_key(&base), "job {name} extends {base}");
        }
    }
    assert!(
        ours.keys()
            .all(|k| k.starts_with("gitops-") || k.starts_with(".gitops-gen"))
    );
}

#[test]
fn migrate_keeps_the_teams_gitlab_pipeline_and_includes_its_own() {
    let (_tmp, dir) = team_repo();
    let team = read(&dir, ROOT);
    let team_jobs: BTreeSet<String> = jobs(&yaml(&dir, ROOT)).into_keys().collect();
    // Without --write: the plan and the diff of every file, the team's edit included.
    let tree = read_tree(&dir);
    let out = run(&dir, &["migrate", "."]);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains(&format!("+  - local: {OURS}")),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains(&format!("would create {OURS}")),
        "{}",
        stderr(&out)
    );
    assert_eq!(read_tree(&dir), tree, "nothing written without --write");
    // The prepare phase drafts the model and generates next to the team's pipeline.
    let out = run(&dir, &["migrate", "--write", "."]);
    assert_code(&out, 0);
    assert!(read(&dir, "gitops-gen.yaml").contains(&format!("  file: {OURS}\n")));
    assert!(
        stderr(&out).contains(&format!("update {ROOT}")),
        "{}",
        stderr(&out)
    );

    let edited = read(&dir, ROOT);
    only_added(&team, &edited);
    assert!(
        edited.contains(&format!(
            "  - local: .gitlab/jobs/*.yml\n  - local: {OURS}\n"
        )),
        "{edited}"
    );
    let kept: BTreeSet<String> = jobs(&yaml(&dir, ROOT)).into_keys().collect();
    assert_eq!(kept, team_jobs, "every team job stays");
    assert_eq!(
        read(&dir, ".gitlab/jobs/package.yml"),
        read(&fixture("repos/gitlab-team"), ".gitlab/jobs/package.yml")
    );
    assert_merged_pipeline_is_consistent(&dir, &[".gitlab/jobs/package.yml"]);

    // Idempotent: nothing changes the second time, and the check agrees.
    let tree = read_tree(&dir);
    assert_code(&run(&dir, &["migrate", "--write", "."]), 0);
    assert_code(&run(&dir, &["generate"]), 0);
    assert_eq!(read_tree(&dir), tree);
    assert_code(&run(&dir, &["generate", "--check"]), 0);
    match validate_strict(&dir) {
        None => println!("{VALIDATOR_MISSING}"),
        Some(result) => result.expect("validate-gitops --strict"),
    }
}

#[test]
fn a_removed_include_fails_the_check_and_generate_adds_it_back() {
    let (_tmp, dir) = team_repo();
    assert_code(&run(&dir, &["migrate", "--write", "."]), 0);
    assert_code(&run(&dir, &["generate"]), 0);
    let edited = read(&dir, ROOT);
    write(
        &dir,
        ROOT,
        &edited.replace(&format!("  - local: {OURS}\n"), ""),
    );
    let out = run(&dir, &["generate", "--check"]);
    assert_ne!(code(&out), 0);
    assert!(
        stdout(&out).contains(&format!("+  - local: {OURS}")),
        "{}",
        stdout(&out)
    );
    assert_code(&run(&dir, &["generate"]), 0);
    assert_eq!(read(&dir, ROOT), edited);
}

#[test]
fn init_includes_its_pipeline_from_the_teams() {
    let (_tmp, dir) = team_repo();
    let team = read(&dir, ROOT);
    let out = run(&dir, &["init", "--yes", "--ci", "gitlab", "--app", "shop"]);
    assert_code(&out, 0);
    assert!(read(&dir, "gitops-gen.yaml").contains(&format!("file: {OURS}")));
    only_added(&team, &read(&dir, ROOT));
    assert_merged_pipeline_is_consistent(&dir, &[".gitlab/jobs/package.yml"]);
}

#[test]
fn a_model_that_would_replace_the_teams_pipeline_is_refused_and_names_the_way_out() {
    let (_tmp, dir) = team_repo();
    write(
        &dir,
        "gitops-gen.yaml",
        "version: 1\nproject: shop\nci: gitlab\nenvironments:\n  - name: staging\n    branches: main\napps:\n  - name: shop\n",
    );
    let before = read_tree(&dir);
    let out = run(&dir, &["generate", "--force"]);
    assert_ne!(code(&out), 0);
    assert!(
        stderr(&out).contains(&format!("gitlab: {{file: {OURS}}}")),
        "{}",
        stderr(&out)
    );
    assert_eq!(read_tree(&dir), before, "nothing written");
}

/// A model whose GitLab pipeline is included from the team's `.gitlab-ci.yml`.
fn write_included_model(dir: &Path) {
    write(
        dir,
        "gitops-gen.yaml",
        &format!(
            "version: 1\nproject: shop\nci: gitlab\ngitlab: {{file: {OURS}}}\nenvironments:\n  - name: staging\n    branches: main\napps:\n  - name: shop\n"
        ),
    );
}

#[test]
fn a_root_file_gitops_gen_cannot_extend_is_refused_at_its_line() {
    let (_tmp, dir) = team_repo();
    write(
        &dir,
        ROOT,
        "unit:\n  script: [make test]\ninclude:\n  local: ci/jobs.yml\n",
    );
    write_included_model(&dir);
    let before = read_tree(&dir);
    let out = run(&dir, &["generate"]);
    assert_ne!(code(&out), 0);
    assert!(
        stderr(&out).contains("line 3 of .gitlab-ci.yml"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read_tree(&dir), before, "nothing written");
}

/// The team's `.gitlab-ci.yml` is read as every team file is: never through a symbolic link.
#[cfg(unix)]
#[test]
fn a_linked_root_file_is_refused_and_nothing_written() {
    let (_tmp, dir) = team_repo();
    std::fs::rename(dir.join(ROOT), dir.join("ci.yml")).expect("move");
    std::os::unix::fs::symlink("ci.yml", dir.join(ROOT)).expect("link");
    write_included_model(&dir);
    let before = read_tree(&dir);
    let out = run(&dir, &["generate"]);
    assert_ne!(code(&out), 0);
    assert!(
        stderr(&out).contains("symbolic link") || stderr(&out).contains("symlink"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read_tree(&dir), before, "nothing written");
}
