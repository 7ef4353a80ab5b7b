//! READ stage: tests of the GitLab reader against small in-memory repositories.

use super::GitlabReader;
use crate::files::repo::MemRepo as Repo;
use crate::files::{Diagnostic, Loc};
use crate::read::pipeline::{Job, Pipeline, Reader, Step, TriggerKind};
use crate::read::support::test_support::{self, codes, cond, conds, ids, job, loc_text, scripts};

fn read_repo(repo: &Repo) -> (Option<Pipeline>, Vec<Diagnostic>) {
    test_support::read_repo(&GitlabReader, ".gitlab-ci.yml", repo)
}

fn read(files: &[(&str, &str)]) -> (Repo, Pipeline, Vec<Diagnostic>) {
    let repo = Repo::from_pairs(files);
    let (pipeline, diagnostics) = read_repo(&repo);
    let Some(pipeline) = pipeline else {
        panic!("no pipeline; diagnostics: {diagnostics:#?}");
    };
    (repo, pipeline, diagnostics)
}

fn root(src: &str) -> (Repo, Pipeline, Vec<Diagnostic>) {
    read(&[(".gitlab-ci.yml", src)])
}

fn step_locs(job: &Job) -> Vec<&Loc> {
    job.steps
        .iter()
        .map(|s| match s {
            Step::Script { loc, .. } | Step::Action { loc, .. } => loc,
        })
        .collect()
}

#[test]
fn claims_the_root_file_and_those_of_subfolders() {
    assert!(GitlabReader.claims(".gitlab-ci.yml"));
    assert!(GitlabReader.claims(".gitlab-ci.yaml"));
    assert!(GitlabReader.claims("service/.gitlab-ci.yml"));
    assert!(!GitlabReader.claims("x/.git/.gitlab-ci.yml"));
    assert!(!GitlabReader.claims("ci/build.yml"));
    // A custom configuration path; GitLab's own templates keep their other names.
    assert!(GitlabReader.claims("ci/gitlab-ci.yml"));
    assert!(GitlabReader.claims(".gitlab/gitlab-ci.yaml"));
    assert!(!GitlabReader.claims(".gitlab/ci/deploy.gitlab-ci.yml"));
}

/// A `gitlab-ci.yml` at a custom path is a pipeline of its own, unless the root includes it.
#[test]
fn a_custom_path_pipeline_is_read_unless_the_root_includes_it() {
    let custom = "deploy:\n  script: [kubectl apply -f k8s/]\n";
    let alone = Repo::from_pairs(&[("gitlab-ci.yml", custom)]);
    let (p, _) = test_support::read_repo(&GitlabReader, "gitlab-ci.yml", &alone);
    assert_eq!(p.map(|p| p.jobs.len()), Some(1));
    let included = Repo::from_pairs(&[
        (".gitlab-ci.yml", "include: /gitlab-ci.yml\n"),
        ("gitlab-ci.yml", custom),
    ]);
    let (p, d) = test_support::read_repo(&GitlabReader, "gitlab-ci.yml", &included);
    assert!(p.is_none() && d.is_empty(), "{d:?}");
    for (line, named) in [
        ("include: /ci/gitlab-ci.yml", true),
        ("  - local: './ci/gitlab-ci.yml'", true),
        ("trigger: {include: ci/gitlab-ci.yml}", true),
        ("  - local: .gitlab/ci/gitlab-ci.yml", false),
        ("  - local: ci/gitlab-ci.yml.bak", false),
    ] {
        assert_eq!(super::names_path(line, "ci/gitlab-ci.yml"), named, "{line}");
    }
    // A longer path or a template's name that ends the same way is another file.
    let others = Repo::from_pairs(&[
        (
            ".gitlab-ci.yml",
            "include:\n  - template: Auto-DevOps.gitlab-ci.yml\n  - local: .gitlab/ci/gitlab-ci.yml\n",
        ),
        ("gitlab-ci.yml", custom),
        ("ci/gitlab-ci.yml", custom),
    ]);
    for path in ["gitlab-ci.yml", "ci/gitlab-ci.yml"] {
        let (p, _) = test_support::read_repo(&GitlabReader, path, &others);
        assert_eq!(p.map(|p| p.jobs.len()), Some(1), "{path}");
    }
}

/// A monorepo's `service/.gitlab-ci.yml` was never opened (issue 9, class 1). It is read on its
/// own unless the root pipeline names it (an include or a child pipeline), which reads it once.
#[test]
fn a_subfolder_pipeline_is_read_unless_the_root_names_it() {
    let service = "deploy:\n  script: [kubectl apply -f k8s/]\n";
    let alone = Repo::from_pairs(&[("service/.gitlab-ci.yml", service)]);
    let (p, _) = test_support::read_repo(&GitlabReader, "service/.gitlab-ci.yml", &alone);
    assert_eq!(p.map(|p| p.jobs.len()), Some(1));

    let triggered = Repo::from_pairs(&[
        (
            ".gitlab-ci.yml",
            "service:\n  trigger:\n    include: service/.gitlab-ci.yml\n",
        ),
        ("service/.gitlab-ci.yml", service),
    ]);
    let (p, d) = test_support::read_repo(&GitlabReader, "service/.gitlab-ci.yml", &triggered);
    assert!(p.is_none() && d.is_empty(), "{d:?}");

    // Named only in a comment, it is still read on its own.
    let commented = Repo::from_pairs(&[
        (
            ".gitlab-ci.yml",
            "# see service/.gitlab-ci.yml\nbuild:\n  script: [make]\n",
        ),
        ("service/.gitlab-ci.yml", service),
    ]);
    let (p, _) = test_support::read_repo(&GitlabReader, "service/.gitlab-ci.yml", &commented);
    assert_eq!(p.map(|p| p.jobs.len()), Some(1));
}

#[test]
fn hidden_templates_and_reserved_keys_are_not_jobs() {
    let (_, p, d) = root(
        "stages: [build, test]\nvariables:\n  A: '1'\ndefault:\n  image: alpine\n\
         image: ruby\nservices: [postgres]\ncache: {}\nworkflow:\n  name: main flow\n\
         .template:\n  script: [echo hidden]\n\
         build:\n  stage: build\n  script: [make]\n\
         pages:\n  script: [mkdocs build]\n",
    );
    assert_eq!(ids(&p), ["build", "pages"]);
    assert_eq!(job(&p, "build").stage.as_deref(), Some("build"));
    assert_eq!(job(&p, "pages").stage.as_deref(), Some("test"));
    assert_eq!(p.name.as_deref(), Some("main flow"));
    assert_eq!(p.variables, [("A".to_owned(), "1".to_owned())]);
    assert!(d.is_empty(), "{d:?}");
}

#[test]
fn multi_level_extends_with_a_list() {
    let src = "\
.base:
  image: alpine
  variables:
    A: base
    B: base
  script: [echo base]
  before_script: [echo setup]
.deploy:
  extends: .base
  variables:
    B: deploy
  script: [echo deploy]
.notify:
  after_script: [echo notify]
  variables:
    C: notify
prod:
  extends: [.deploy, .notify]
  variables:
    A: prod
  stage: deploy
";
    let (repo, p, d) = root(src);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(ids(&p), ["prod"]);
    let prod = job(&p, "prod");
    assert_eq!(scripts(prod), ["echo setup", "echo deploy", "echo notify"]);
    let vars: Vec<(&str, &str)> = prod
        .variables
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(vars, [("A", "prod"), ("B", "deploy"), ("C", "notify")]);
    // Each step points at the template line that wrote it.
    let locs = step_locs(prod);
    assert_eq!(loc_text(&repo, locs[0]), "echo setup");
    assert_eq!(locs[1].span.start, src.find("echo deploy").unwrap_or(0));
    assert_eq!(loc_text(&repo, &prod.loc), "prod");
}

#[test]
fn extends_across_an_included_file() {
    let (repo, p, d) = read(&[
        (
            ".gitlab-ci.yml",
            "include: ci/templates.yml\ndeploy:\n  extends: .kubectl\n  environment: production\n",
        ),
        (
            "ci/templates.yml",
            ".kubectl:\n  image: bitnami/kubectl\n  script:\n    - kubectl apply -k overlays/prod\n",
        ),
    ]);
    assert!(d.is_empty(), "{d:?}");
    let deploy = job(&p, "deploy");
    assert_eq!(scripts(deploy), ["kubectl apply -k overlays/prod"]);
    let locs = step_locs(deploy);
    assert_eq!(&*locs[0].file, "ci/templates.yml");
    assert_eq!(loc_text(&repo, locs[0]), "kubectl apply -k overlays/prod");
    assert_eq!(&*deploy.loc.file, ".gitlab-ci.yml");
}

#[test]
fn extends_cycles_keep_the_job_as_written_and_unknown_parents_are_skipped() {
    let (_, p, d) = root(
        ".a:\n  extends: .b\n  script: [a]\n.b:\n  extends: .a\n  script: [b]\n\
         job:\n  extends: .a\n  variables: {X: '1'}\n\
         lost:\n  extends: .missing\n  script: [own]\n",
    );
    assert_eq!(
        codes(&d),
        ["gitlab-extends-cycle", "gitlab-extends-unknown"]
    );
    assert!(d[1].message.contains("`.missing`"), "{}", d[1].message);
    assert_eq!(scripts(job(&p, "lost")), ["own"]);
    // `.a` resolves through `.b` kept as written, so `job` still gets a script.
    assert_eq!(scripts(job(&p, "job")), ["a"]);
}

/// A template from an include that cannot be read (issue 9, class 2): the job keeps its other
/// parents, and names the unread template, also through a local template that extends it.
#[test]
fn an_unread_template_is_named_on_the_jobs_that_extend_it() {
    let (_, p, d) = root(
        "include:\n  - project: platform/ci\n    file: k8s.yml\n\
         .app:\n  extends: .k8s_deploy\n  variables: {APP: web}\n\
         .own:\n  script: [make release]\n\
         deploy:\n  extends: [.app, .own]\n  environment: staging\n\
         build:\n  script: [make]\n",
    );
    assert_eq!(codes(&d), ["gitlab-extends-unknown"]);
    let deploy = job(&p, "deploy");
    assert_eq!(deploy.extends_unread, [".k8s_deploy"]);
    assert_eq!(scripts(deploy), ["make release"]);
    assert!(
        deploy
            .variables
            .iter()
            .any(|(k, v)| k == "APP" && v == "web")
    );
    assert!(job(&p, "build").extends_unread.is_empty());
}

/// A job with no script of its own completes the job of its name of an include that cannot be
/// read; one switched off with an unconditional `when: never` is no job.
#[test]
fn a_job_without_a_script_completes_an_unread_included_job() {
    let (_, p, _) = root(
        "include:\n  - project: platform/ci\n    file: deploy.yml\n\
         deploy-staging:\n  when: manual\n\
         deploy-production:\n  rules:\n    - when: never\n\
         deploy-later:\n  rules:\n    - if: $CI_COMMIT_TAG\n      when: never\n    - when: manual\n\
         build:\n  script: [make]\n",
    );
    assert_eq!(job(&p, "deploy-staging").extends_unread, ["deploy-staging"]);
    assert!(job(&p, "build").extends_unread.is_empty());
    assert!(!p.jobs.iter().any(|j| j.id == "deploy-production"));
    assert_eq!(job(&p, "deploy-later").extends_unread, ["deploy-later"]);
    // Without an include that cannot be read, a job without a script completes nothing.
    let (_, p, _) = root("deploy-staging:\n  when: manual\nbuild:\n  script: [make]\n");
    assert!(job(&p, "deploy-staging").extends_unread.is_empty());
}

#[test]
fn extends_deeper_than_gitlab_allows_is_reported() {
    let mut src = String::from(".t0:\n  script: [deep]\n");
    for i in 1..=14 {
        src.push_str(&format!(".t{i}:\n  extends: .t{}\n", i - 1));
    }
    src.push_str("job:\n  extends: .t14\n");
    let (_, p, d) = root(&src);
    assert!(codes(&d).contains(&"gitlab-extends-depth"), "{d:?}");
    assert_eq!(ids(&p), ["job"]);
}

#[test]
fn references_in_script_and_rules_point_at_their_definition() {
    let src = "\
.setup:
  script:
    - echo one
    - echo two
.rules:
  deploy:
    - if: $CI_COMMIT_BRANCH == \"main\"
.snippets:
  a: [echo a]
  b:
    - !reference [.snippets, a]
    - echo b
job:
  script:
    - !reference [.setup, script]
    - !reference [.snippets, b]
    - echo own
  rules:
    - !reference [.rules, deploy]
    - if: $CI_COMMIT_TAG
";
    let (repo, p, d) = root(src);
    assert!(d.is_empty(), "{d:?}");
    let j = job(&p, "job");
    assert_eq!(
        scripts(j),
        ["echo one", "echo two", "echo a", "echo b", "echo own"]
    );
    let locs = step_locs(j);
    assert_eq!(locs[0].span.start, src.find("echo one").unwrap_or(0));
    assert_eq!(locs[2].span.start, src.find("echo a]").unwrap_or(0));
    assert_eq!(loc_text(&repo, locs[3]), "echo b");
    assert_eq!(
        conds(&j.conditions),
        [
            cond(TriggerKind::Branch, Some("main"), false),
            cond(TriggerKind::Tag, None, false)
        ]
    );
    assert_eq!(
        loc_text(&repo, &j.conditions[0].loc),
        "$CI_COMMIT_BRANCH == \"main\""
    );
}

#[test]
fn reference_cycles_and_unknown_references_are_reported() {
    let (_, p, d) = root(
        ".a:\n  script:\n    - !reference [.b, script]\n.b:\n  script:\n    - !reference [.a, script]\n    - echo b\n\
         job:\n  script:\n    - !reference [.a, script]\n    - !reference [.nothing, script]\n    - !reference scalar\n    - echo ok\n",
    );
    assert_eq!(
        codes(&d),
        [
            "gitlab-reference-cycle",
            "gitlab-reference-unknown",
            "gitlab-reference-invalid"
        ]
    );
    assert_eq!(scripts(job(&p, "job")), ["echo b", "echo ok"]);
}

#[test]
fn references_see_the_extended_job_and_resolve_scalars() {
    let (_, p, d) = root(
        ".base:\n  variables:\n    IMAGE: app\n.child:\n  extends: .base\n\
         .pred:\n  release: $CI_COMMIT_TAG =~ /^v/\n\
         job:\n  variables:\n    FROM: !reference [.child, variables, IMAGE]\n  rules:\n    - if: !reference [.pred, release]\n  script: [x]\n",
    );
    assert!(d.is_empty(), "{d:?}");
    let j = job(&p, "job");
    assert_eq!(j.variables, [("FROM".to_owned(), "app".to_owned())]);
    assert_eq!(
        conds(&j.conditions),
        [cond(TriggerKind::Tag, Some("/^v/"), false)]
    );
}

#[test]
fn exponential_references_are_bounded() {
    let mut src = String::from(".l0:\n  s: [x]\n");
    for i in 1..40 {
        let prev = i - 1;
        src.push_str(&format!(
            ".l{i}:\n  s:\n    - !reference [.l{prev}, s]\n    - !reference [.l{prev}, s]\n"
        ));
    }
    src.push_str("job:\n  script:\n    - !reference [.l39, s]\n");
    let (_, p, d) = root(&src);
    assert!(
        codes(&d)
            .iter()
            .any(|c| *c == "gitlab-reference-limit" || *c == "gitlab-reference-depth"),
        "{d:?}"
    );
    assert_eq!(ids(&p), ["job"]);
}

#[test]
fn anchors_and_merge_keys() {
    let src = "\
.common: &common
  image: alpine
  script: &steps
    - echo anchored
.vars: &vars
  X: '1'
build:
  <<: *common
  variables:
    <<: *vars
    Y: '2'
test:
  <<: *common
  script:
    - *steps
    - echo test
";
    let (_, p, d) = root(src);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(scripts(job(&p, "build")), ["echo anchored"]);
    assert_eq!(job(&p, "build").variables.len(), 2);
    assert_eq!(scripts(job(&p, "test")), ["echo anchored", "echo test"]);
}

#[test]
fn local_includes_with_globs_and_leading_slashes() {
    let (_, p, d) = read(&[
        (
            ".gitlab-ci.yml",
            "include:\n  - local: /ci/jobs/*.yml\n  - '/ci/extra.yml'\n  - local: ci/deep/**/*.yml\nroot:\n  script: [r]\n",
        ),
        ("ci/jobs/a.yml", "a:\n  script: [a]\n"),
        ("ci/jobs/b.yml", "b:\n  script: [b]\n"),
        ("ci/jobs/nested/c.yml", "c:\n  script: [c]\n"),
        ("ci/extra.yml", "extra:\n  script: [e]\n"),
        ("ci/deep/x/y/d.yml", "d:\n  script: [d]\n"),
    ]);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(ids(&p), ["a", "b", "extra", "d", "root"]);
    assert_eq!(
        job(&p, "a").loc.file,
        std::sync::Arc::<str>::from("ci/jobs/a.yml")
    );
}

#[test]
fn missing_local_includes_are_reported() {
    let (repo, p, d) =
        root("include:\n  - local: ci/missing.yml\n  - local: none/*.yml\njob:\n  script: [x]\n");
    assert_eq!(
        codes(&d),
        ["gitlab-include-missing", "gitlab-include-missing"]
    );
    assert_eq!(loc_text(&repo, &d[0].loc), "ci/missing.yml");
    assert_eq!(ids(&p), ["job"]);
}

#[test]
fn project_includes_in_the_checkout_are_read_locally() {
    let (_, p, d) = read(&[
        (
            ".gitlab-ci.yml",
            "include:\n  - project: $CI_PROJECT_PATH\n    ref: $CI_COMMIT_SHA\n    file: /ci/a.yml\n\
             \x20 - project: group/this-repo\n    file: [ci/b.yml, ci/elsewhere.yml]\n",
        ),
        ("ci/a.yml", "a:\n  script: [x]\n"),
        ("ci/b.yml", "b:\n  script: [y]\n"),
    ]);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(ids(&p), ["a", "b"]);
    let got: Vec<&str> = p.unresolved.iter().map(|u| u.reference.as_str()).collect();
    assert_eq!(got, ["group/this-repo:ci/elsewhere.yml"]);
}

#[test]
fn project_includes_in_a_folder_named_for_the_project_are_read_there() {
    // A repository holding the shared CI project (`gitlab-ci/`) next to the one including it.
    let (_, p, d) = read(&[
        (
            ".gitlab-ci.yml",
            "include:\n  - project: py-libs/infra/gitlab-ci\n    file: .gitlab-ci-base.yml\n\
             \x20 - project: group/tools\n    file: /deploy.yml\n\
             \x20 - project: group/elsewhere\n    file: x.yml\n",
        ),
        ("gitlab-ci/.gitlab-ci-base.yml", "base:\n  script: [x]\n"),
        ("group/tools/deploy.yml", "deploy:\n  script: [y]\n"),
    ]);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(ids(&p), ["base", "deploy"]);
    let got: Vec<&str> = p.unresolved.iter().map(|u| u.reference.as_str()).collect();
    assert_eq!(got, ["group/elsewhere:x.yml"]);
}

#[test]
fn non_local_includes_are_unresolved() {
    let (_, p, d) = root(
        "include:\n  - project: group/ci\n    ref: v1\n    file: [/a.yml, /b.yml]\n\
         \x20 - remote: https://example.com/ci.yml\n  - template: Auto-DevOps.gitlab-ci.yml\n\
         \x20 - component: gitlab.com/org/comp/build@1.0\n  - https://example.com/other.yml\n\
         \x20 - local: ci/$ENV.yml\njob:\n  script: [x]\n",
    );
    assert!(d.is_empty(), "{d:?}");
    let got: Vec<(&str, &str)> = p
        .unresolved
        .iter()
        .map(|u| (u.kind.as_str(), u.reference.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("include:project", "group/ci:/a.yml@v1"),
            ("include:project", "group/ci:/b.yml@v1"),
            ("include:remote", "https://example.com/ci.yml"),
            ("include:template", "Auto-DevOps.gitlab-ci.yml"),
            ("include:component", "gitlab.com/org/comp/build@1.0"),
            ("include:remote", "https://example.com/other.yml"),
            ("include:local", "ci/$ENV.yml"),
        ]
    );
}

#[test]
fn include_cycles_are_reported() {
    let (_, p, d) = read(&[
        (".gitlab-ci.yml", "include: a.yml\nroot:\n  script: [r]\n"),
        ("a.yml", "include: b.yml\na:\n  script: [a]\n"),
        ("b.yml", "include: /a.yml\nb:\n  script: [b]\n"),
    ]);
    assert_eq!(codes(&d), ["gitlab-include-cycle"]);
    assert!(
        d[0].message.contains("`a.yml` -> `b.yml` -> `a.yml`"),
        "{}",
        d[0].message
    );
    assert_eq!(&*d[0].loc.file, "b.yml");
    assert_eq!(ids(&p), ["b", "a", "root"]);
}

#[test]
fn the_including_file_wins_over_included_ones() {
    let (repo, p, d) = read(&[
        (
            ".gitlab-ci.yml",
            "include: [one.yml, two.yml]\ndeploy:\n  script: [root deploy]\n",
        ),
        (
            "one.yml",
            "deploy:\n  stage: deploy\n  environment: production\n  script: [one]\n",
        ),
        ("two.yml", "deploy:\n  environment: staging\n"),
    ]);
    assert!(d.is_empty(), "{d:?}");
    let deploy = job(&p, "deploy");
    assert_eq!(scripts(deploy), ["root deploy"]);
    assert_eq!(deploy.stage.as_deref(), Some("deploy"));
    let env = deploy.environment.as_ref().map(|e| e.name.as_str());
    assert_eq!(env, Some("staging"));
    assert_eq!(&*deploy.loc.file, ".gitlab-ci.yml");
    assert_eq!(loc_text(&repo, &deploy.loc), "deploy");
}

#[test]
fn default_inheritance_and_inherit_settings() {
    let (_, p, d) = root(
        "variables:\n  G1: a\n  G2: b\nbefore_script: [legacy]\n\
         default:\n  before_script: [echo default before]\n  after_script: [echo default after]\n\
         plain:\n  script: [run]\n\
         own:\n  before_script: [mine]\n  script: [run]\n\
         none:\n  inherit:\n    default: false\n    variables: false\n  script: [run]\n\
         some:\n  inherit:\n    default: [after_script]\n    variables: [G2]\n  script: [run]\n",
    );
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(
        scripts(job(&p, "plain")),
        ["echo default before", "run", "echo default after"]
    );
    assert_eq!(job(&p, "plain").variables.len(), 2);
    assert_eq!(
        scripts(job(&p, "own")),
        ["mine", "run", "echo default after"]
    );
    assert_eq!(scripts(job(&p, "none")), ["run"]);
    assert!(job(&p, "none").variables.is_empty());
    assert_eq!(scripts(job(&p, "some")), ["run", "echo default after"]);
    assert_eq!(
        job(&p, "some").variables,
        [("G2".to_owned(), "b".to_owned())]
    );
}

#[test]
fn legacy_top_level_defaults_apply_without_default_section() {
    let (_, p, _) = root("before_script: [legacy]\njob:\n  script: [run]\n");
    assert_eq!(scripts(job(&p, "job")), ["legacy", "run"]);
}

#[test]
fn rules_variants() {
    let src = r#"
job:
  script: [x]
  rules:
    - if: $CI_COMMIT_BRANCH == "main"
    - if: '$CI_COMMIT_REF_NAME =~ /^release\/.*/'
    - if: $CI_COMMIT_TAG
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_PIPELINE_SOURCE == "schedule"
      when: never
    - if: $CI_PIPELINE_SOURCE == "web"
    - if: $CI_PIPELINE_SOURCE == "parent_pipeline"
    - if: $CI_DEFAULT_BRANCH == $CI_COMMIT_BRANCH
    - if: $CI_COMMIT_BRANCH != "dev"
    - if: $CI_COMMIT_BRANCH == "main" && $DEPLOY == "true"
    - if: $CI_COMMIT_BRANCH != "dev"
      when: never
    - changes: [src/**]
    - when: on_success
"#;
    let (repo, p, d) = root(src);
    assert!(d.is_empty(), "{d:?}");
    let j = job(&p, "job");
    use TriggerKind::*;
    assert_eq!(
        conds(&j.conditions),
        [
            cond(Branch, Some("main"), false),
            cond(Branch, Some("/^release\\/.*/"), false),
            cond(Tag, None, false),
            cond(PullRequest, None, false),
            cond(Schedule, None, true),
            cond(Manual, None, false),
            cond(Upstream, None, false),
            cond(Branch, Some("$CI_DEFAULT_BRANCH"), false),
            cond(Branch, Some("dev"), true),
            // A conjunction: the ref it requires, and the rest kept as an expression.
            cond(Branch, Some("main"), false),
            cond(Expression, Some("$DEPLOY == \"true\""), false),
            cond(Branch, Some("dev"), false),
        ]
    );
    assert!(!j.manual);
    assert_eq!(
        loc_text(&repo, &j.conditions[1].loc),
        "'$CI_COMMIT_REF_NAME =~ /^release\\/.*/'"
    );
}

#[test]
fn alternatives_of_ref_tests_are_each_a_way_in() {
    let src = r#"
job:
  script: [x]
  rules:
    - if: $CI_COMMIT_BRANCH == "main" || $CI_COMMIT_BRANCH =~ /^feature/
    - if: ($CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH) || ($CI_COMMIT_TAG && $CI_PROJECT_PATH == "a/b")
    - if: $CI_COMMIT_BRANCH == "dev" || $FORCE
"#;
    let (_, p, d) = root(src);
    assert!(d.is_empty(), "{d:?}");
    use TriggerKind::*;
    assert_eq!(
        conds(&job(&p, "job").conditions),
        [
            cond(Branch, Some("main"), false),
            cond(Branch, Some("/^feature/"), false),
            cond(Branch, Some("$CI_DEFAULT_BRANCH"), false),
            cond(Tag, None, false),
            cond(Expression, Some("$CI_PROJECT_PATH == \"a/b\""), false),
            // An alternative that says no ref: the whole test is kept as written.
            cond(
                Expression,
                Some("$CI_COMMIT_BRANCH == \"dev\" || $FORCE"),
                false
            ),
        ]
    );
}

#[test]
fn a_rule_kept_verbatim_is_a_way_in_of_its_own() {
    let src = r#"
job:
  script: [x]
  rules:
    - if: $NIGHTLY == "true"
      when: never
    - if: $RUN_DEPLOY == "true"
other:
  script: [x]
  only:
    refs: [main]
    variables: [$RUN_DEPLOY == "true"]
"#;
    let (_, p, d) = root(src);
    assert!(d.is_empty(), "{d:?}");
    let alone =
        |id: &str| -> Vec<bool> { job(&p, id).conditions.iter().map(|c| c.alone).collect() };
    // A `when: never` rule keeps the job out; `only: variables:` narrows `only: refs:`.
    assert_eq!(alone("job"), [false, true]);
    assert_eq!(alone("other"), [false, false]);
}

#[test]
fn conjunctions_and_version_patterns_name_their_refs() {
    let src = r#"
job:
  script: [x]
  rules:
    - if: $CI_PROJECT_PATH == "acme/kees" && $CI_COMMIT_BRANCH != "master" && $CI_MERGE_REQUEST_TARGET_BRANCH_NAME =~ /^renovate/
    - if: ($CI_COMMIT_BRANCH && $CI_COMMIT_BRANCH == "main")
    - if: $CI_COMMIT_BRANCH == "main" || $FORCE
    - if: $CI_PROJECT_PATH == "acme/kees" && $FORCE
    - if: $CI_COMMIT_REF_NAME =~ /^v[0-9]+\.[0-9]+.*$/
    - if: $CI_COMMIT_REF_NAME =~ /^stg-v[0-9]+/
    - if: $CI_COMMIT_REF_NAME =~ /^[0-9]+$/
    - if: $CI_COMMIT_BRANCH =~ /^v\d+/
other:
  script: [x]
  only: [/^v\d+\.\d+/, /^release-\d+\.\d+$/, /^dev/]
"#;
    let (_, p, d) = root(src);
    assert!(d.is_empty(), "{d:?}");
    use TriggerKind::*;
    assert_eq!(
        conds(&job(&p, "job").conditions),
        [
            cond(PullRequest, Some("/^renovate/"), false),
            cond(Expression, Some("$CI_PROJECT_PATH == \"acme/kees\""), false),
            cond(Branch, Some("main"), false),
            cond(
                Expression,
                Some("$CI_COMMIT_BRANCH == \"main\" || $FORCE"),
                false
            ),
            cond(
                Expression,
                Some("$CI_PROJECT_PATH == \"acme/kees\" && $FORCE"),
                false
            ),
            cond(Tag, Some("/^v[0-9]+\\.[0-9]+.*$/"), false),
            cond(Tag, Some("/^stg-v[0-9]+/"), false),
            cond(Branch, Some("/^[0-9]+$/"), false),
            cond(Branch, Some("/^v\\d+/"), false),
        ]
    );
    assert_eq!(
        conds(&job(&p, "other").conditions),
        [
            cond(Tag, Some("/^v\\d+\\.\\d+/"), false),
            cond(Branch, Some("/^release-\\d+\\.\\d+$/"), false),
            cond(Branch, Some("/^dev/"), false),
        ]
    );
}

#[test]
fn manual_jobs_from_when_and_rules() {
    let (_, p, _) = root(
        "a:\n  script: [x]\n  when: manual\n\
         b:\n  script: [x]\n  rules:\n    - if: $CI_COMMIT_BRANCH == \"main\"\n      when: manual\n\
         c:\n  script: [x]\n  when: on_success\n",
    );
    let a = job(&p, "a");
    assert!(a.manual);
    // No `rules`/`only`/`except`: GitLab's default leaves it out of merge request pipelines.
    assert_eq!(
        conds(&a.conditions),
        [
            cond(TriggerKind::PullRequest, None, true),
            cond(TriggerKind::Manual, None, false)
        ]
    );
    let b = job(&p, "b");
    assert!(b.manual);
    assert_eq!(
        conds(&b.conditions),
        [
            cond(TriggerKind::Branch, Some("main"), false),
            cond(TriggerKind::Manual, None, false)
        ]
    );
    assert!(!job(&p, "c").manual);
}

#[test]
fn only_and_except_lists_and_maps() {
    let (_, p, d) = root(
        "a:\n  script: [x]\n  only: [main, tags, branches, merge_requests, schedules, web, api, triggers, pipelines, /^release-.*$/]\n  except: [develop]\n\
         b:\n  script: [x]\n  only:\n    refs: [main]\n    variables: [$CI_COMMIT_TAG, $DEPLOY == \"yes\"]\n    changes: [k8s/**/*]\n    kubernetes: active\n  except:\n    refs: [tags]\n",
    );
    assert!(d.is_empty(), "{d:?}");
    use TriggerKind::*;
    assert_eq!(
        conds(&job(&p, "a").conditions),
        [
            cond(Branch, Some("main"), false),
            cond(Tag, None, false),
            cond(Branch, None, false),
            cond(PullRequest, None, false),
            cond(Schedule, None, false),
            cond(Manual, None, false),
            cond(Manual, None, false),
            cond(Upstream, None, false),
            cond(Upstream, None, false),
            cond(Branch, Some("/^release-.*$/"), false),
            cond(Branch, Some("develop"), true),
        ]
    );
    assert_eq!(
        conds(&job(&p, "b").conditions),
        [
            cond(Branch, Some("main"), false),
            cond(Tag, None, false),
            cond(Expression, Some("$DEPLOY == \"yes\""), false),
            cond(Expression, Some("changes: k8s/**/*"), false),
            cond(Expression, Some("kubernetes: active"), false),
            cond(Tag, None, true),
        ]
    );
}

#[test]
fn workflow_rules_are_pipeline_triggers() {
    let (_, p, _) = root(
        "workflow:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n    - if: $CI_COMMIT_TAG\n      when: never\n    - if: $CI_COMMIT_BRANCH\njob:\n  script: [x]\n",
    );
    use TriggerKind::*;
    assert_eq!(
        conds(&p.triggers),
        [
            cond(PullRequest, None, false),
            cond(Tag, None, true),
            cond(Branch, None, false)
        ]
    );
}

#[test]
fn environments_as_strings_and_maps() {
    let src = "\
review:
  script: [deploy review]
  environment:
    name: review/$CI_COMMIT_REF_SLUG
    url: https://$CI_COMMIT_REF_SLUG.example.com
    on_stop: stop_review
    auto_stop_in: 1 week
    deployment_tier: development
stop_review:
  script: [teardown]
  when: manual
  environment:
    name: review/$CI_COMMIT_REF_SLUG
    action: stop
prod:
  script: [deploy]
  environment: production
";
    let (repo, p, d) = root(src);
    assert!(d.is_empty(), "{d:?}");
    let Some(review) = job(&p, "review").environment.as_ref() else {
        panic!("no environment");
    };
    assert_eq!(review.name, "review/$CI_COMMIT_REF_SLUG");
    assert_eq!(
        review.url.as_deref(),
        Some("https://$CI_COMMIT_REF_SLUG.example.com")
    );
    assert_eq!(review.on_stop.as_deref(), Some("stop_review"));
    assert_eq!(review.auto_stop_in.as_deref(), Some("1 week"));
    assert_eq!(review.tier.as_deref(), Some("development"));
    assert_eq!(loc_text(&repo, &review.loc), "review/$CI_COMMIT_REF_SLUG");
    let stop = job(&p, "stop_review");
    assert!(stop.manual);
    assert_eq!(
        stop.environment.as_ref().and_then(|e| e.action.as_deref()),
        Some("stop")
    );
    let prod = job(&p, "prod").environment.as_ref();
    assert_eq!(prod.map(|e| e.name.as_str()), Some("production"));
    assert_eq!(prod.map(|e| loc_text(&repo, &e.loc)), Some("production"));
}

#[test]
fn needs_as_strings_and_maps() {
    let (_, p, _) = root(
        "deploy:\n  script: [x]\n  needs:\n    - build\n    - job: test\n      artifacts: false\n    - project: other/repo\n      job: remote\n      ref: main\n",
    );
    assert_eq!(job(&p, "deploy").needs, ["build", "test"]);
}

#[test]
fn trigger_child_pipelines_from_local_files() {
    let (_, p, d) = read(&[
        (
            ".gitlab-ci.yml",
            "deploy-apps:\n  trigger:\n    include: ci/child.yml\n\
             deploy-more:\n  trigger:\n    include:\n      - local: ci/other.yml\n    strategy: depend\n\
             downstream:\n  trigger: group/deployer\n\
             downstream2:\n  trigger:\n    project: group/deployer\n    branch: main\n\
             self:\n  trigger:\n    include: .gitlab-ci.yml\n",
        ),
        (
            "ci/child.yml",
            "variables:\n  CHILD: '1'\nbuild:\n  script: [make]\ndeploy:\n  needs: [build]\n  script: [kubectl apply -f k8s/]\n  environment: production\n",
        ),
        (
            "ci/other.yml",
            "other:\n  script: [helm upgrade app ./chart]\n",
        ),
    ]);
    assert_eq!(codes(&d), ["gitlab-include-cycle"]);
    assert_eq!(
        ids(&p),
        [
            "deploy-apps",
            "deploy-apps/build",
            "deploy-apps/deploy",
            "deploy-more",
            "deploy-more/other",
            "downstream",
            "downstream2",
            "self"
        ]
    );
    let child = job(&p, "deploy-apps/deploy");
    assert_eq!(child.needs, ["deploy-apps/build"]);
    assert_eq!(&*child.loc.file, "ci/child.yml");
    assert_eq!(child.variables, [("CHILD".to_owned(), "1".to_owned())]);
    let got: Vec<(&str, &str)> = p
        .unresolved
        .iter()
        .map(|u| (u.kind.as_str(), u.reference.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("trigger:project", "group/deployer"),
            ("trigger:project", "group/deployer@main")
        ]
    );
}

#[test]
fn parallel_matrix_axes_merge_per_key() {
    let (_, p, _) = root(
        "deploy:\n  script: [x]\n  parallel:\n    matrix:\n      - ENV: [staging, production]\n        REGION: eu\n      - ENV: production\n        REGION: [us, eu]\n",
    );
    let m = &job(&p, "deploy").matrix;
    let got: Vec<(&str, Vec<&str>)> = m
        .iter()
        .map(|(k, v)| (k.as_str(), v.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(
        got,
        [
            ("ENV", vec!["staging", "production"]),
            ("REGION", vec!["eu", "us"])
        ]
    );
}

#[test]
fn spans_and_block_scalar_lines() {
    let src = "deploy:\n  script:\n    - |\n      helm upgrade app ./chart \\\n        --set image.tag=$TAG\n\n      kubectl rollout status deploy/app\n    - \"echo quoted\"\n    - echo plain\n    - >\n      folded\n      text\n";
    let (repo, p, _) = root(src);
    let deploy = job(&p, "deploy");
    let Some(Step::Script {
        text, line_starts, ..
    }) = deploy.steps.first()
    else {
        panic!("no first step");
    };
    assert_eq!(
        text,
        "helm upgrade app ./chart \\\n  --set image.tag=$TAG\n\nkubectl rollout status deploy/app\n"
    );
    assert_eq!(line_starts.len(), 4);
    for (line, start) in text.lines().zip(line_starts) {
        assert!(
            src.get(*start..).is_some_and(|s| s.starts_with(line)),
            "{line:?}"
        );
    }
    let starts = |i: usize| match deploy.steps.get(i) {
        Some(Step::Script { line_starts, .. }) => line_starts.clone(),
        _ => Vec::new(),
    };
    let quoted = src.find("\"echo quoted\"").unwrap_or(0);
    assert_eq!(starts(1), [quoted + 1]);
    assert_eq!(starts(2), [src.find("echo plain").unwrap_or(0)]);
    // A folded block maps each decoded line to the source line it starts on.
    assert_eq!(starts(3), [src.find("folded").unwrap_or(0)]);
    let locs = step_locs(deploy);
    assert_eq!(loc_text(&repo, locs[1]), "\"echo quoted\"");
    assert_eq!(loc_text(&repo, locs[2]), "echo plain");
    assert!(loc_text(&repo, locs[0]).starts_with("helm upgrade"));
}

#[test]
fn component_spec_header_is_skipped() {
    let (_, p, d) =
        root("spec:\n  inputs:\n    stage:\n      default: test\n---\njob:\n  script: [x]\n");
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(ids(&p), ["job"]);
}

#[test]
fn yaml_errors_and_bad_shapes() {
    let repo = Repo::from_pairs(&[(".gitlab-ci.yml", "job:\n  script: [unclosed\n")]);
    let (p, d) = read_repo(&repo);
    assert!(p.is_none());
    assert_eq!(codes(&d), ["yaml-syntax"]);

    let repo = Repo::from_pairs(&[(".gitlab-ci.yml", "- a\n- b\n")]);
    let (p, d) = read_repo(&repo);
    assert!(p.is_none());
    assert_eq!(codes(&d), ["gitlab-structure"]);

    let (_, p, d) = read(&[
        (
            ".gitlab-ci.yml",
            "include: bad.yml\nstray: text\njob:\n  script: [x]\n",
        ),
        ("bad.yml", "a: [\n"),
    ]);
    assert_eq!(codes(&d), ["yaml-syntax", "gitlab-job-invalid"]);
    assert_eq!(&*d[0].loc.file, "bad.yml");
    assert_eq!(ids(&p), ["job"]);

    let (_, p, d) = root("");
    assert!(d.is_empty() && p.jobs.is_empty());

    let repo = Repo::from_pairs(&[]);
    let (p, d) = read_repo(&repo);
    assert!(p.is_none());
    assert_eq!(codes(&d), ["gitlab-file-missing"]);
}

#[test]
fn truncated_inputs_never_panic() {
    let src = "\
include:
  - local: ci/t.yml
variables: {A: '1'}
default:
  before_script: [echo é]
workflow:
  rules:
    - if: $CI_COMMIT_TAG
.base: &base
  script:
    - |
      echo ünïcode
      kubectl apply -k overlays/$ENV
deploy:
  <<: *base
  extends: [.t, .base]
  rules:
    - !reference [.t, rules]
    - if: ($CI_COMMIT_BRANCH == \"main\")
  environment: {name: prod, url: https://x}
  parallel:
    matrix:
      - ENV: [a, b]
  trigger:
    include: [{local: ci/t.yml}]
  only: {refs: [main]}
";
    let child = ".t:\n  rules:\n    - if: $CI_COMMIT_BRANCH\nc:\n  script: [c]\n";
    for end in 0..=src.len() {
        let Some(cut) = src.get(..end) else {
            continue;
        };
        let repo = Repo::from_pairs(&[(".gitlab-ci.yml", cut), ("ci/t.yml", child)]);
        let _ = read_repo(&repo);
        let repo = Repo::from_pairs(&[(".gitlab-ci.yml", src), ("ci/t.yml", cut)]);
        let _ = read_repo(&repo);
    }
}

#[test]
fn deep_nesting_is_bounded() {
    let deep = format!("{}x{}", "[".repeat(240), "]".repeat(240));
    let src = format!(
        ".t:\n  s: {deep}\n  m: {0}1{1}\njob:\n  script:\n    - !reference [.t, s]\n  variables: !reference [.t, m]\n  extends: .t\n",
        "{a: ".repeat(200),
        "}".repeat(200),
    );
    let (_, p, _) = root(&src);
    assert_eq!(ids(&p), ["job"]);
}

mod bounded_work {
    //! Many jobs cost work in proportion to their number: no lookup, deduplication or line
    //! index is redone per job over the whole configuration.

    use super::{codes, root};
    use crate::files::work::{self, Work};

    const JOBS: usize = 2_000;

    #[test]
    fn jobs_that_extend_a_template_are_found_without_scanning_every_job() {
        let mut src = String::from(".tpl:\n  script:\n    - kubectl apply -f k8s/\n");
        for i in 0..JOBS {
            src.push_str(&format!("d{i}:\n  extends: .tpl\n"));
        }
        work::take(Work::JobLookups);
        let (_, p, _) = root(&src);
        assert_eq!(p.jobs.len(), JOBS);
        let lookups = work::take(Work::JobLookups);
        assert!(
            lookups <= 4 * JOBS,
            "{lookups} entries looked at for {JOBS} jobs"
        );
    }

    #[test]
    fn references_copied_into_every_job_index_the_file_once() {
        let mut src = String::from(".tpl:\n  script:\n    - kubectl apply -f k8s/\n");
        for i in 0..JOBS {
            src.push_str(&format!(
                "d{i}:\n  script:\n    - !reference [.tpl, script]\n"
            ));
        }
        work::take(Work::LineIndexes);
        let (_, p, _) = root(&src);
        assert_eq!(p.jobs.len(), JOBS);
        assert_eq!(work::take(Work::LineIndexes), 1);
    }

    #[test]
    fn an_include_of_many_jobs_merges_in_linear_work() {
        let mut src = String::from("include: ci/jobs.yml\n");
        let mut included = String::new();
        for i in 0..JOBS {
            src.push_str(&format!("a{i}:\n  script: [make]\n"));
            included.push_str(&format!("b{i}:\n  script: [make]\n"));
        }
        work::take(Work::DedupCompares);
        let (_, p, d) = super::read(&[(".gitlab-ci.yml", &src), ("ci/jobs.yml", &included)]);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(p.jobs.len(), 2 * JOBS);
        let compares = work::take(Work::DedupCompares);
        assert!(
            compares <= 8 * JOBS,
            "{compares} comparisons to merge {JOBS} jobs"
        );
    }

    #[test]
    fn aliases_of_one_huge_string_stop_at_the_byte_limit() {
        // The issue's input: one 100 KB anchored script line repeated through aliases.
        let mut src = format!(
            "deploy:\n  script:\n    - &a \"echo {}\"\n",
            "A".repeat(100_000)
        );
        for _ in 0..1_800 {
            src.push_str("    - *a\n");
        }
        let (p, d) = super::read_repo(&crate::files::repo::MemRepo::from_pairs(&[(
            ".gitlab-ci.yml",
            &src,
        )]));
        assert!(p.is_none());
        assert_eq!(codes(&d), ["yaml-limit"], "{d:?}");
        assert!(d[0].message.contains("4194304 bytes (4 MiB)"), "{d:?}");
    }

    #[test]
    fn reference_fan_out_stops_at_the_byte_limit_with_one_diagnostic() {
        // The issue's input: 16 levels, each a 4 KB line and 10 references to the level below.
        let mut src = String::new();
        for level in 0..16 {
            let line = char::from(b'a' + level).to_string().repeat(4096);
            src.push_str(&format!(".l{level}:\n  script:\n    - echo {line}\n"));
            for _ in 0..10 {
                if level > 0 {
                    src.push_str(&format!("    - !reference [.l{}, script]\n", level - 1));
                }
            }
        }
        for job in 0..8 {
            src.push_str(&format!(
                "job{job}:\n  script:\n    - !reference [.l15, script]\n    - kubectl apply -f k8s/\n"
            ));
        }
        let (_, p, d) = root(&src);
        assert_eq!(codes(&d), ["gitlab-reference-limit"], "{d:#?}");
        assert!(
            d[0].message.contains("16777216 bytes (16 MiB)") && d[0].message.contains(" more "),
            "{d:?}"
        );
        // What was copied stays within the limit.
        let copied: usize = p
            .jobs
            .iter()
            .flat_map(|j| &j.steps)
            .map(|s| match s {
                crate::read::Step::Script { text, .. } => text.len(),
                crate::read::Step::Action { .. } => 0,
            })
            .sum();
        let limit = crate::read::gitlab::resolve::MAX_REFERENCE_BYTES;
        assert!(copied <= limit + 4096, "{copied} bytes copied");
        assert_eq!(p.jobs.len(), 8);
    }

    #[test]
    fn a_generated_shell_library_referenced_by_every_job_resolves() {
        // A configuration GitLab accepts: a 245 KB `.lib` of shell functions (generated from
        // the repository's scripts) referenced by sixty jobs, 14 MiB copied in all.
        let mut src = String::from(".lib:\n  script:\n    - |\n");
        for i in 0..3_600 {
            src.push_str(&format!("      function f{i:05} () {{ echo {i:032}; }}\n"));
        }
        src.push_str("      function deploy () { helm upgrade --install web chart/; }\n");
        for job in 0..60 {
            src.push_str(&format!(
                "job{job}:\n  script:\n    - !reference [.lib, script]\n    - deploy\n"
            ));
        }
        let (_, p, d) = root(&src);
        assert!(codes(&d).is_empty(), "{d:#?}");
        assert_eq!(p.jobs.len(), 60);
        assert!(
            p.jobs.iter().all(|j| super::scripts(j)
                .iter()
                .any(|s| s.contains("function deploy ()"))),
            "every job has the library"
        );
    }

    #[test]
    fn unresolved_references_are_deduplicated_in_linear_work() {
        let mut src = String::new();
        for i in 0..JOBS {
            src.push_str(&format!("d{i}:\n  trigger:\n    project: g/p{i}\n"));
        }
        work::take(Work::DedupCompares);
        let (_, p, _) = root(&src);
        assert_eq!(p.unresolved.len(), JOBS);
        let compares = work::take(Work::DedupCompares);
        assert!(
            compares <= 2 * JOBS,
            "{compares} comparisons for {JOBS} references"
        );
    }
}

/// A configuration without `workflow: rules` runs on every branch and every tag; a job with no
/// rules of its own was left with no trigger at all (issue 9, class 5).
#[test]
fn without_workflow_rules_every_branch_and_tag_runs_the_pipeline() {
    use TriggerKind::*;
    let (_, p, _) = root("deploy:\n  script: [kubectl apply -f k8s/]\n");
    assert_eq!(
        conds(&p.triggers),
        [cond(Branch, None, false), cond(Tag, None, false)]
    );
    let (_, p, _) = root(
        "workflow:\n  rules:\n    - if: $CI_COMMIT_BRANCH == \"main\"\n\
         deploy:\n  script: [kubectl apply -f k8s/]\n",
    );
    assert_eq!(conds(&p.triggers), [cond(Branch, Some("main"), false)]);
}

#[test]
fn a_subfolder_pipeline_of_its_own_includes_from_its_folder() {
    let repo = Repo::from_pairs(&[
        (
            "infra/.gitlab-ci.yml",
            "kube:\n  trigger:\n    include: [kubernetes/.gitlab-ci.yml]\n\
             x:\n  script: [y]\ninclude: [shared.yml]\n",
        ),
        (
            "infra/kubernetes/.gitlab-ci.yml",
            "apply:\n  script: [kubectl apply -f .]\n",
        ),
        ("infra/shared.yml", "from-folder:\n  script: [a]\n"),
        ("shared.yml", "from-root:\n  script: [b]\n"),
    ]);
    let (p, d) = test_support::read_repo(&GitlabReader, "infra/.gitlab-ci.yml", &repo);
    assert!(d.is_empty(), "{d:?}");
    let Some(p) = p else {
        panic!("no pipeline");
    };
    // The root's `shared.yml` wins; the child pipeline is only in the folder.
    assert_eq!(ids(&p), ["from-root", "kube", "kube/apply", "x"]);
}

#[test]
fn a_blocking_manual_job_holds_back_later_stages() {
    let src = "stages: [test, approve, deploy]\n\
unit:\n  stage: test\n  script: [make test]\n\
approval:\n  stage: approve\n  script: [echo ok]\n  when: manual\n  allow_failure: false\n  only: [main]\n\
prod:\n  stage: deploy\n  script: [make deploy]\n  only: [main]\n\
tags:\n  stage: deploy\n  script: [make deploy]\n  only: [tags]\n\
early:\n  stage: deploy\n  script: [make deploy]\n  needs: [unit]\n\
optional:\n  stage: approve\n  script: [echo]\n  when: manual\n";
    let (repo, p, _) = root(src);
    // Held back: a later stage, the gate's refs.
    assert!(job(&p, "prod").manual);
    assert_eq!(
        loc_text(&repo, &job(&p, "prod").conditions.last().expect("gate").loc),
        "manual"
    );
    // Not held: the gate never runs on tags; `needs:` skips the stages; an earlier stage.
    assert!(!job(&p, "tags").manual);
    assert!(!job(&p, "early").manual);
    assert!(!job(&p, "unit").manual);
    // A manual job that may fail (the default) blocks nothing.
    let (_, p, _) = root(&src.replace("  allow_failure: false\n", ""));
    assert!(!job(&p, "prod").manual);
}
