use super::*;
use crate::read::support::test_support::{self, at, job};

const PATH: &str = "bitbucket-pipelines.yml";

fn read(src: &str) -> (Option<Pipeline>, Vec<Diagnostic>) {
    test_support::read(&BitbucketReader, PATH, src)
}

fn pipeline(src: &str) -> Pipeline {
    test_support::pipeline(&BitbucketReader, PATH, src)
}

const CONFIG: &str = r#"image: atlassian/default-image:4
definitions:
  services:
    docker:
      memory: 2048
  steps:
    - step: &build
        name: Build
        services: [docker]
        script:
          - docker build -t acme/web .
    - step: &deploy
        name: Deploy
        script:
          - pipe: atlassian/aws-eks-kubectl-run:2.8.0
            variables:
              CLUSTER_NAME: prod-cluster
              KUBECTL_COMMAND: apply
              RESOURCE_PATH: k8s/
pipelines:
  default:
    - step: *build
  branches:
    main:
      - step: *build
      - parallel:
          - step:
              name: Lint
              script:
                - make lint
          - step:
              script:
                - make test
      - step:
          <<: *deploy
          deployment: staging
      - step:
          <<: *deploy
          name: Deploy prod
          deployment: production
          trigger: manual
    'release/*':
      - stage:
          name: Release
          deployment: production
          trigger: manual
          steps:
            - step:
                name: Migrate
                script:
                  - ./migrate.sh
            - step:
                name: Roll out
                script:
                  - |
                    helm upgrade web charts/web
                    kubectl rollout status deploy/web
                after-script:
                  - echo done
  tags:
    'v*':
      - step: *deploy
  pull-requests:
    '**':
      - step: *build
  custom:
    deploy-to:
      - variables:
          - name: Environment
            default: staging
            allowed-values: [staging, production]
      - step: *deploy
    shared:
      import: shared-pipelines:main:deploy
"#;

#[test]
fn sections_become_triggers_and_job_conditions() {
    let p = pipeline(CONFIG);
    let triggers: Vec<_> = p
        .triggers
        .iter()
        .map(|t| (t.kind.clone(), t.pattern.as_deref(), at(CONFIG, &t.loc)))
        .collect();
    assert_eq!(
        triggers,
        [
            (TriggerKind::Branch, None, "default"),
            (TriggerKind::Branch, Some("main"), "main"),
            (TriggerKind::Branch, Some("release/*"), "'release/*'"),
            (TriggerKind::Tag, Some("v*"), "'v*'"),
            (TriggerKind::PullRequest, Some("**"), "'**'"),
            (TriggerKind::Manual, Some("deploy-to"), "deploy-to"),
            (TriggerKind::Manual, Some("shared"), "shared"),
        ]
    );
    assert_eq!(p.triggers[5].choices, ["staging", "production"]);
    let tag_job = job(&p, "tags/v*/Deploy");
    assert_eq!(tag_job.conditions[0].kind, TriggerKind::Tag);
    assert_eq!(p.unresolved[0].reference, "shared-pipelines:main:deploy");
    assert_eq!(p.variables, [("service".to_owned(), "docker".to_owned())]);
}

#[test]
fn steps_order_parallel_and_ids() {
    let p = pipeline(CONFIG);
    let ids: Vec<_> = p.jobs.iter().map(|j| j.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "default/Build",
            "branches/main/Build",
            "branches/main/Lint",
            "branches/main/3",
            "branches/main/Deploy",
            "branches/main/Deploy prod",
            "branches/release/*/Migrate",
            "branches/release/*/Roll out",
            "tags/v*/Deploy",
            "pull-requests/**/Build",
            "custom/deploy-to/Deploy",
        ]
    );
    let deploy = job(&p, "branches/main/Deploy");
    assert_eq!(deploy.needs, ["branches/main/Lint", "branches/main/3"]);
    assert_eq!(job(&p, "branches/main/Lint").needs, ["branches/main/Build"]);
    assert_eq!(
        job(&p, "branches/main/Build").variables,
        [("service".to_owned(), "docker".to_owned())]
    );
}

#[test]
fn deployments_manual_and_stages() {
    let p = pipeline(CONFIG);
    let staging = job(&p, "branches/main/Deploy");
    assert_eq!(
        staging.environment.as_ref().map(|e| e.name.as_str()),
        Some("staging")
    );
    assert!(!staging.manual);
    let prod = job(&p, "branches/main/Deploy prod");
    assert!(prod.manual);
    let env = prod
        .environment
        .as_ref()
        .unwrap_or_else(|| panic!("no env"));
    assert_eq!(
        (env.name.as_str(), at(CONFIG, &env.loc)),
        ("production", "production")
    );
    let migrate = job(&p, "branches/release/*/Migrate");
    let rollout = job(&p, "branches/release/*/Roll out");
    assert!(migrate.manual && !rollout.manual);
    assert_eq!(rollout.stage.as_deref(), Some("Release"));
    assert_eq!(
        rollout.environment.as_ref().map(|e| e.name.as_str()),
        Some("production")
    );
    assert_eq!(rollout.needs, ["branches/release/*/Migrate"]);
}

#[test]
fn pipes_scripts_and_spans() {
    let p = pipeline(CONFIG);
    let deploy = job(&p, "branches/main/Deploy");
    match deploy.steps.as_slice() {
        [
            Step::Action {
                uses, with, loc, ..
            },
        ] => {
            assert_eq!(uses, "atlassian/aws-eks-kubectl-run:2.8.0");
            assert_eq!(
                with[0],
                ("CLUSTER_NAME".to_owned(), "prod-cluster".to_owned())
            );
            assert_eq!(with.len(), 3);
            assert_eq!(at(CONFIG, loc), "atlassian/aws-eks-kubectl-run:2.8.0");
        }
        other => panic!("unexpected steps {other:?}"),
    }
    let rollout = job(&p, "branches/release/*/Roll out");
    match rollout.steps.as_slice() {
        [
            Step::Script {
                text, line_starts, ..
            },
            Step::Script {
                name, text: after, ..
            },
        ] => {
            assert!(text.starts_with("helm upgrade web charts/web\n"));
            assert!(CONFIG[line_starts[1]..].starts_with("kubectl rollout status"));
            assert_eq!(
                (name.as_deref(), after.as_str()),
                (Some("after-script"), "echo done")
            );
        }
        other => panic!("unexpected steps {other:?}"),
    }
}

#[test]
fn yaml_errors_and_wrong_shapes() {
    let (p, d) = read("pipelines: {\n");
    assert!(p.is_none());
    assert_eq!(d[0].code.as_str(), "yaml-syntax");
    let (p, d) = read("[1]\n");
    assert!(p.is_none());
    assert_eq!(d[0].code.as_str(), "bitbucket-shape");
    let (p, d) = read(
        "pipelines:\n  default:\n    - step: 3\n    - step:\n        script: make\n  branches: []\n  nope: 1\n",
    );
    assert_eq!(p.map(|p| p.jobs.len()), Some(1));
    assert_eq!(d.len(), 4, "{d:?}");
}

#[test]
fn truncated_inputs_never_panic() {
    for end in 0..=CONFIG.len() {
        if CONFIG.is_char_boundary(end) {
            let _ = read(&CONFIG[..end]);
        }
    }
}

#[test]
fn steps_of_one_name_get_unique_ids_in_linear_work() {
    use crate::files::work::{self, Work};
    let steps = 1_000;
    let mut src = String::from("pipelines:\n  default:\n");
    for _ in 0..steps {
        src.push_str("    - step:\n        name: deploy\n        script:\n          - make\n");
    }
    work::take(Work::IdProbes);
    let p = pipeline(&src);
    let ids: std::collections::BTreeSet<&str> = p.jobs.iter().map(|j| j.id.as_str()).collect();
    assert_eq!(ids.len(), steps);
    assert!(ids.contains("default/deploy#1000"), "{ids:?}");
    let probes = work::take(Work::IdProbes);
    assert!(probes <= 2 * steps, "{probes} ids tried for {steps} steps");
}
