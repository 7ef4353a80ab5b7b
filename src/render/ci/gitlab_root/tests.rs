use super::{edited, fresh};

fn stages() -> Vec<String> {
    super::super::gitlab::stage_names(true)
}

const FILE: &str = ".gitlab/gitops.gitlab-ci.yml";

fn edit(text: &str) -> String {
    match edited(text, FILE, &stages()) {
        Ok(out) => out,
        Err(e) => panic!("refused: {e}"),
    }
}

/// The team's text is a prefix-preserving subsequence of the edit: only lines were added.
fn only_added(before: &str, after: &str) {
    let mut added = after.lines();
    for line in before.lines() {
        assert!(
            added.any(|l| l == line),
            "line {line:?} of the team's file is gone:\n{after}"
        );
    }
}

#[test]
fn block_lists_get_one_more_item_and_comments_stay() {
    let team = "# our pipeline\ninclude:\n  - local: .gitlab/jobs/test.yml   # tests\n  - project: acme/ci\n    file: /lint.yml\n\nstages:\n    - test\n    - publish  # last\n\nunit:\n  stage: test\n  script: [make test]\n";
    let out = edit(team);
    only_added(team, &out);
    assert!(
        out.contains("    file: /lint.yml\n  - local: .gitlab/gitops.gitlab-ci.yml\n"),
        "{out}"
    );
    assert!(out.contains("    - publish  # last\n    - gitops-check\n    - gitops-test\n    - gitops-build\n    - gitops-validate\n    - gitops-promote\n"), "{out}");
    assert_eq!(edit(&out), out, "a second edit adds nothing");
}

#[test]
fn flow_lists_and_single_names_are_extended_in_their_style() {
    let out = edit("include: '.gitlab/jobs.yml'\nstages: [test, deploy]\njob: {script: [x]}\n");
    assert!(out.starts_with("include:\n  - '.gitlab/jobs.yml'\n  - local: .gitlab/gitops.gitlab-ci.yml\nstages: [test, deploy, gitops-check, gitops-test, gitops-build, gitops-validate, gitops-promote]\n"), "{out}");
    assert_eq!(edit(&out), out);
    let out = edit("include: []\njob: {script: [x]}\n");
    assert!(
        out.starts_with("include: [{local: .gitlab/gitops.gitlab-ci.yml}]\n"),
        "{out}"
    );
    assert!(
        out.contains("  - deploy\n  - gitops-check\n"),
        "no other include: GitLab's stages are written out\n{out}"
    );
    let out = edit("include: [{local: a.yml}]\nstages: [test]\n");
    assert!(
        out.starts_with("include: [{local: a.yml}, {local: .gitlab/gitops.gitlab-ci.yml}]\n"),
        "{out}"
    );
}

#[test]
fn missing_keys_are_appended_with_gitlabs_default_stages() {
    let team = "build:\n  stage: build\n  script: [make]\ndeploy:\n  stage: deploy\n  script: [kubectl apply -f k8s]";
    let out = edit(team);
    only_added(team, &out);
    assert!(out.ends_with("include:\n  - local: .gitlab/gitops.gitlab-ci.yml\nstages:\n  - build\n  - test\n  - deploy\n  - gitops-check\n  - gitops-test\n  - gitops-build\n  - gitops-validate\n  - gitops-promote\n"), "{out}");
    assert_eq!(edit(&out), out);
}

#[test]
fn shapes_that_need_the_teams_own_rewrite_are_refused_at_their_line() {
    let refusal = |text: &str| edited(text, FILE, &stages()).err().unwrap_or_default();
    assert!(
        refusal("job: {script: [x]}\ninclude:\n  local: a.yml\nstages: [test]\n")
            .contains("line 2")
    );
    assert!(refusal("include:\n  - local: a.yml\njob: {script: [x]}\n").contains("no `stages:`"));
    assert!(refusal("stages: test\n").contains("`stages:` is not a list"));
    assert!(refusal("a: [\n").contains("not valid YAML"));
    assert!(refusal("a: 1\n---\nb: 2\n").contains("several YAML documents"));
}

#[test]
fn a_fresh_root_only_includes() {
    let out = fresh(FILE, &stages());
    assert_eq!(edit(&out), out);
}
