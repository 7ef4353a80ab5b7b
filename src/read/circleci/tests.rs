use super::*;
use crate::read::support::test_support::{self, at as text_at, ids, job};

const PATH: &str = ".circleci/config.yml";

fn read(src: &str) -> (Option<Pipeline>, Vec<Diagnostic>) {
    test_support::read(&CircleciReader, PATH, src)
}

fn pipeline(src: &str) -> Pipeline {
    test_support::pipeline(&CircleciReader, PATH, src)
}

const CONFIG: &str = r#"version: 2.1
orbs:
  kubernetes: circleci/kubernetes@1.3.1
  helm: circleci/helm@3.0.0
  aws-eks: circleci/aws-eks@2.2.0
commands:
  deploy-to:
    parameters:
      env:
        type: string
        default: staging
    steps:
      - run:
          name: Deploy << parameters.env >>
          command: |
            kubectl apply -k overlays/<< parameters.env >>
            kubectl rollout status deploy/web
jobs:
  build:
    docker:
      - image: cimg/base:stable
    environment:
      IMAGE: acme/web
    steps:
      - checkout
      - setup_remote_docker
      - run: docker build -t $IMAGE .
  deploy:
    parameters:
      env:
        type: string
    docker:
      - image: cimg/base:stable
    steps:
      - checkout
      - kubernetes/install-kubectl
      - helm/upgrade-helm-chart:
          chart: ./chart
          release-name: web
      - aws-eks/update-kubeconfig-with-authenticator:
          cluster-name: prod
      - deploy-to:
          env: << parameters.env >>
workflows:
  version: 2
  build-deploy:
    jobs:
      - build:
          filters:
            branches:
              only:
                - main
                - /release\/.*/
            tags:
              only: /^v.*/
      - deploy:
          name: deploy-staging
          env: staging
          requires: [build]
          context: staging-creds
          filters:
            branches:
              only: main
      - hold:
          type: approval
          requires:
            - deploy-staging
      - deploy:
          name: deploy-production
          env: production
          requires:
            - hold
          context:
            - prod-creds
          filters:
            branches:
              ignore: /feature\/.*/
      - aws-eks/deploy-application:
          cluster-name: prod
          requires: [hold]
  nightly:
    triggers:
      - schedule:
          cron: "0 3 * * *"
          filters:
            branches:
              only: main
    jobs:
      - build
"#;

#[test]
fn workflows_become_jobs_with_filters_and_needs() {
    let p = pipeline(CONFIG);
    assert_eq!(
        ids(&p),
        [
            "build-deploy/build",
            "build-deploy/deploy-staging",
            "build-deploy/hold",
            "build-deploy/deploy-production",
            "build-deploy/aws-eks/deploy-application",
            "nightly/build",
        ]
    );
    let build = job(&p, "build-deploy/build");
    let conds: Vec<_> = build
        .conditions
        .iter()
        .map(|c| (c.kind.clone(), c.pattern.as_deref(), c.negated))
        .collect();
    assert_eq!(
        conds,
        [
            (TriggerKind::Branch, Some("main"), false),
            (TriggerKind::Branch, Some("/release\\/.*/"), false),
            (TriggerKind::Tag, Some("/^v.*/"), false),
        ]
    );
    let prod = job(&p, "build-deploy/deploy-production");
    assert_eq!(prod.needs, ["build-deploy/hold"]);
    assert_eq!(
        prod.variables,
        [("context".to_owned(), "prod-creds".to_owned())]
    );
    assert!(prod.conditions[0].negated);
    assert_eq!(text_at(CONFIG, &prod.conditions[0].loc), "/feature\\/.*/");
    assert_eq!(text_at(CONFIG, &prod.loc), "deploy");
    let staging = job(&p, "build-deploy/deploy-staging");
    assert_eq!(staging.needs, ["build-deploy/build"]);
    assert_eq!(staging.variables[0].1, "staging-creds");
}

#[test]
fn approval_jobs_are_manual_without_steps() {
    let p = pipeline(CONFIG);
    let hold = job(&p, "build-deploy/hold");
    assert!(hold.manual && hold.steps.is_empty());
    assert_eq!(hold.needs, ["build-deploy/deploy-staging"]);
}

#[test]
fn orb_commands_are_actions_with_params_and_orbs_unresolved() {
    let p = pipeline(CONFIG);
    let prod = job(&p, "build-deploy/deploy-production");
    let actions: Vec<_> = prod
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::Action {
                uses, with, loc, ..
            } => Some((uses.as_str(), with.clone(), loc)),
            Step::Script { .. } => None,
        })
        .collect();
    assert_eq!(actions[0].0, "checkout");
    assert_eq!(actions[1].0, "kubernetes/install-kubectl");
    assert_eq!(actions[2].0, "helm/upgrade-helm-chart");
    assert_eq!(
        actions[2].1,
        [
            ("chart".to_owned(), "./chart".to_owned()),
            ("release-name".to_owned(), "web".to_owned())
        ]
    );
    assert_eq!(text_at(CONFIG, actions[2].2), "helm/upgrade-helm-chart");
    assert_eq!(actions[3].0, "aws-eks/update-kubeconfig-with-authenticator");
    let refs: Vec<_> = p.unresolved.iter().map(|u| u.reference.as_str()).collect();
    assert_eq!(
        refs,
        [
            "circleci/kubernetes@1.3.1",
            "circleci/helm@3.0.0",
            "circleci/aws-eks@2.2.0"
        ]
    );
    assert!(p.unresolved.iter().all(|u| u.kind == "orb"));
    let orb_job = job(&p, "build-deploy/aws-eks/deploy-application");
    match orb_job.steps.as_slice() {
        [Step::Action { uses, with, .. }] => {
            assert_eq!(uses, "aws-eks/deploy-application");
            assert_eq!(with, &[("cluster-name".to_owned(), "prod".to_owned())]);
        }
        other => panic!("unexpected steps {other:?}"),
    }
}

#[test]
fn local_commands_expand_with_parameters_and_definition_locs() {
    let p = pipeline(CONFIG);
    let prod = job(&p, "build-deploy/deploy-production");
    let Some(Step::Script {
        name,
        text,
        loc,
        line_starts,
        ..
    }) = prod.steps.last()
    else {
        panic!("expected a script, got {:?}", prod.steps.last());
    };
    assert_eq!(name.as_deref(), Some("Deploy production"));
    assert_eq!(
        text,
        "kubectl apply -k overlays/production\nkubectl rollout status deploy/web\n"
    );
    assert!(text_at(CONFIG, loc).starts_with("kubectl apply -k overlays/<< parameters.env"));
    assert_eq!(line_starts.len(), 2);
    assert!(CONFIG[line_starts[1]..].starts_with("kubectl rollout"));
    // The staging entry gets its own value.
    let staging = job(&p, "build-deploy/deploy-staging");
    assert!(matches!(staging.steps.last(),
            Some(Step::Script { text, .. }) if text.contains("overlays/staging")));
}

#[test]
fn schedules_and_push_triggers() {
    let p = pipeline(CONFIG);
    let kinds: Vec<_> = p
        .triggers
        .iter()
        .map(|t| (t.kind.clone(), t.pattern.as_deref()))
        .collect();
    // The schedule starts the nightly workflow's jobs only: their condition, not the config's.
    assert_eq!(kinds, [(TriggerKind::Branch, None)]);
    let nightly = job(&p, "nightly/build");
    assert_eq!(nightly.conditions[0].kind, TriggerKind::Schedule);
    assert_eq!(nightly.conditions[0].pattern.as_deref(), Some("0 3 * * *"));
    assert_eq!(nightly.conditions[1].pattern.as_deref(), Some("main"));
    assert_eq!(
        nightly.variables,
        [("IMAGE".to_owned(), "acme/web".to_owned())]
    );
    assert!(
        matches!(&nightly.steps[2], Step::Script { text, .. } if text == "docker build -t $IMAGE .")
    );
}

/// A `run` step's own `environment:` is its command's (CircleCI's run step docs), with the
/// job's parameters put in; it was not read (found on holdout-28).
#[test]
fn run_step_environment_is_the_steps_env() {
    let src = "version: 2.1\njobs:\n  deploy:\n    parameters:\n      tier: {type: string, default: dev}\n    docker: [{image: x}]\n    steps:\n      - run:\n          name: deploy\n          environment:\n            K8S_NAMESPACE: shop-<< parameters.tier >>\n          command: ./platform/bin/deploy-eks\n      - run: make\n";
    let p = pipeline(src);
    let deploy = job(&p, "deploy");
    let envs: Vec<_> = deploy
        .steps
        .iter()
        .map(|s| match s {
            Step::Script { env, .. } => env.clone(),
            other => panic!("expected a script, got {other:?}"),
        })
        .collect();
    let namespace = ("K8S_NAMESPACE".to_owned(), "shop-dev".to_owned());
    assert_eq!(envs, [vec![namespace], vec![]]);
}

#[test]
fn no_workflows_runs_all_jobs() {
    let p = pipeline("version: 2\njobs:\n  build:\n    steps:\n      - run: make\n");
    assert_eq!(ids(&p), ["build"]);
    assert_eq!(p.triggers[0].kind, TriggerKind::Branch);
}

#[test]
fn unknown_jobs_and_cycles_are_diagnosed() {
    let src = "version: 2.1\ncommands:\n  a:\n    steps: [b]\n  b:\n    steps: [a]\n\
                   jobs:\n  j:\n    steps: [a]\nworkflows:\n  w:\n    jobs: [j, missing]\n";
    let (p, d) = read(src);
    assert!(p.is_some());
    let codes = test_support::codes(&d);
    assert!(codes.contains(&"circleci-command-cycle"), "{codes:?}");
    assert!(codes.contains(&"circleci-unknown-job"), "{codes:?}");
}

#[test]
fn yaml_errors_and_wrong_shapes() {
    let (p, d) = read("jobs: [\n");
    assert!(p.is_none());
    assert_eq!(d[0].code.as_str(), "yaml-syntax");
    let (p, d) = read("- a\n");
    assert!(p.is_none());
    assert_eq!(d[0].code.as_str(), "circleci-shape");
    let (p, d) =
        read("jobs:\n  a:\n    steps: oops\nworkflows:\n  w:\n    jobs: [a]\n  v:\n    jobs: 3\n");
    assert!(p.is_some());
    assert_eq!(d.len(), 2);
}

#[test]
fn truncated_inputs_never_panic() {
    for end in 0..=CONFIG.len() {
        if CONFIG.is_char_boundary(end) {
            let _ = read(&CONFIG[..end]);
        }
    }
}

/// Found by the `read_circleci` fuzz target: a command calling itself three times was expanded
/// to the depth limit, 3^16 steps (a 1.7 KB config took over 3 GB). A command on the call
/// stack is now a cycle at once, and every config has a budget of command expansions.
#[test]
fn fuzz_command_fan_out_is_bounded() {
    let src = "version: 2.1\ncommands:\n  auth:\n    steps: [auth, auth, auth]\n\
               jobs:\n  test:\n    steps: [auth]\n";
    let (p, d) = read(src);
    let steps: usize = p.iter().flat_map(|p| &p.jobs).map(|j| j.steps.len()).sum();
    assert_eq!(steps, 0, "a command that only calls itself runs nothing");
    let codes = test_support::codes(&d);
    assert!(codes.contains(&"circleci-command-cycle"), "{codes:?}");

    // Twelve distinct commands, each calling the next four times: 4^11 steps if expanded.
    let mut src = String::from("version: 2.1\ncommands:\n");
    for level in 0..12 {
        let body = if level == 11 {
            "[{run: kubectl apply -f k8s/}]".to_owned()
        } else {
            format!("[c{n}, c{n}, c{n}, c{n}]", n = level + 1)
        };
        src.push_str(&format!("  c{level}:\n    steps: {body}\n"));
    }
    src.push_str("jobs:\n  deploy:\n    steps: [c0]\n");
    let (p, d) = read(&src);
    let steps: usize = p.iter().flat_map(|p| &p.jobs).map(|j| j.steps.len()).sum();
    assert!(steps <= MAX_COMMAND_EXPANSIONS, "{steps} steps");
    assert!(steps > 0, "the expansions within the budget are kept");
    let limits = d
        .iter()
        .filter(|d| d.message.contains("expanded more than"))
        .count();
    assert_eq!(limits, 1, "one diagnostic for the budget: {d:?}");
}

#[test]
fn a_deploy_step_is_a_run_step() {
    let p = pipeline(
        "version: 2\njobs:\n  ship:\n    steps:\n      - deploy:\n          name: Ship\n          command: helm upgrade --install web chart/\n      - deploy: kubectl apply -f k8s/\n",
    );
    assert_eq!(
        test_support::scripts(&p.jobs[0]),
        ["helm upgrade --install web chart/", "kubectl apply -f k8s/"]
    );
}

/// A command of this file named `deploy` is still that command, not the built-in step.
#[test]
fn a_command_named_deploy_is_that_command() {
    let p = pipeline(
        "version: 2.1\ncommands:\n  deploy:\n    steps: [{run: make ship}]\njobs:\n  d:\n    docker: [{image: x}]\n    steps:\n      - deploy\n",
    );
    assert!(matches!(
        p.jobs[0].steps.as_slice(),
        [Step::Script { text, .. }] if text == "make ship"
    ));
}

#[test]
fn a_when_steps_condition_is_its_steps_own_and_a_workflows_is_its_jobs() {
    let src = "version: 2.1\njobs:\n  deploy:\n    parameters:\n      env: {type: string}\n    docker: [{image: x}]\n    steps:\n      - run: make\n      - when:\n          condition:\n            equal: [ << parameters.env >>, << pipeline.git.branch >> ]\n          steps:\n            - run: helm upgrade --install a c/\n            - run: kubectl apply -f k8s/\n      - unless:\n          condition:\n            equal: [ main, << pipeline.git.branch >> ]\n          steps:\n            - run: echo preview\nworkflows:\n  release:\n    when:\n      and:\n        - equal: [ v1, << pipeline.git.tag >> ]\n        - << pipeline.parameters.go >>\n    jobs:\n      - deploy:\n          env: prod\n";
    let p = pipeline(src);
    let deploy = &p.jobs[0];
    let branch = |b: &str, negated| vec![(TriggerKind::Branch, Some(b.to_owned()), negated)];
    assert_eq!(
        test_support::step_conds(deploy),
        [
            vec![],
            branch("prod", false),
            branch("prod", false),
            branch("main", true)
        ]
    );
    assert_eq!(
        test_support::conds(&deploy.conditions),
        [
            (TriggerKind::Tag, Some("v1".to_owned()), false),
            (
                TriggerKind::Expression,
                Some("<< pipeline.parameters.go >>".to_owned()),
                false
            ),
        ]
    );
}
