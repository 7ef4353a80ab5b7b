//! READ stage (tests): the GitHub reader end to end over in-memory repositories.

use crate::read::{Job, Pipeline, Reader, Step, Trigger, TriggerKind};

use super::GithubReader;
use super::testing::{WORKFLOW, WorkflowRepo, read_one};
use crate::files::repo::MemRepo;
use crate::read::support::test_support::codes;

type TestResult = Result<(), String>;

fn ok(repo: &MemRepo) -> Result<Pipeline, String> {
    let (p, diags) = read_one(repo);
    if !diags.is_empty() {
        return Err(format!("unexpected diagnostics: {diags:?}"));
    }
    p.ok_or_else(|| "no pipeline".to_owned())
}

fn job<'p>(p: &'p Pipeline, id: &str) -> Result<&'p Job, String> {
    p.jobs
        .iter()
        .find(|j| j.id == id)
        .ok_or_else(|| format!("no job `{id}` in {:?}", ids(p)))
}

fn ids(p: &Pipeline) -> Vec<&str> {
    p.jobs.iter().map(|j| j.id.as_str()).collect()
}

fn cond(t: &Trigger) -> (TriggerKind, Option<&str>, bool) {
    (t.kind.clone(), t.pattern.as_deref(), t.negated)
}

/// Text of `span` in `src`.
fn at(src: &str, span: crate::yaml::Span) -> &str {
    src.get(span.range()).unwrap_or("<out of range>")
}

const SAMPLE: &str = r#"name: Deploy
on:
  push:
    branches: [main, "release/*"]
    tags: ["v*"]
  workflow_dispatch:
    inputs:
      environment:
        type: choice
        options: [staging, production]
env:
  REGISTRY: ghcr.io/acme
jobs:
  build:
    name: Build image
    runs-on: ubuntu-latest
    env:
      IMAGE: web
    steps:
      - uses: actions/checkout@v4
      - name: Build
        run: |
          docker build -t $REGISTRY/$IMAGE .
          docker push $REGISTRY/$IMAGE
  deploy-staging:
    needs: build
    if: github.ref == 'refs/heads/main'
    environment: staging
    strategy:
      matrix:
        cluster: [eu, us]
    steps:
      - uses: azure/k8s-set-context@v4
        with:
          cluster-name: ${{ matrix.cluster }}
      - run: kubectl apply -k overlays/staging
  deploy-prod:
    needs: [build, deploy-staging]
    if: ${{ startsWith(github.ref, 'refs/tags/v') && github.event_name != 'pull_request' }}
    environment:
      name: production
      url: https://shop.example
    steps:
      - run: >-
          helm upgrade web ./chart
          --install
"#;

#[test]
fn claims_only_top_level_workflow_files() {
    let r = GithubReader;
    assert!(r.claims(".github/workflows/ci.yml"));
    assert!(r.claims(".github/workflows/deploy.yaml"));
    assert!(!r.claims(".github/workflows/sub/ci.yml"));
    assert!(!r.claims(".github/workflows/.yml"));
    assert!(!r.claims(".github/workflows/readme.md"));
    assert!(!r.claims(".github/actions/x/action.yml"));
    assert!(!r.claims("ci.yml"));
}

#[test]
fn sample_workflow() -> TestResult {
    let p = ok(&MemRepo::workflow(SAMPLE))?;
    assert_eq!(p.file, WORKFLOW);
    assert_eq!(p.name.as_deref(), Some("Deploy"));
    assert_eq!(
        p.variables,
        [("REGISTRY".to_owned(), "ghcr.io/acme".to_owned())]
    );
    assert_eq!(ids(&p), ["build", "deploy-staging", "deploy-prod"]);
    assert_eq!(
        p.triggers.iter().map(cond).collect::<Vec<_>>(),
        [
            (TriggerKind::Branch, Some("main"), false),
            (TriggerKind::Branch, Some("release/*"), false),
            (TriggerKind::Tag, Some("v*"), false),
            (TriggerKind::Manual, Some("environment"), false),
        ]
    );

    let build = job(&p, "build")?;
    assert_eq!(build.name, "Build image");
    assert_eq!(build.variables, [("IMAGE".to_owned(), "web".to_owned())]);
    assert_eq!(at(SAMPLE, build.loc.span), "build");
    let [
        Step::Action { uses, .. },
        Step::Script {
            name,
            text,
            loc,
            line_starts,
            ..
        },
    ] = build.steps.as_slice()
    else {
        return Err(format!("steps: {:?}", build.steps));
    };
    assert_eq!(uses, "actions/checkout@v4");
    assert_eq!(name.as_deref(), Some("Build"));
    assert_eq!(
        text,
        "docker build -t $REGISTRY/$IMAGE .\ndocker push $REGISTRY/$IMAGE\n"
    );
    assert!(at(SAMPLE, loc.span).starts_with("docker build"));
    let lines: Vec<&str> = line_starts
        .iter()
        .map(|&s| SAMPLE[s..].lines().next().unwrap_or(""))
        .collect();
    assert_eq!(
        lines,
        [
            "docker build -t $REGISTRY/$IMAGE .",
            "docker push $REGISTRY/$IMAGE"
        ]
    );

    let staging = job(&p, "deploy-staging")?;
    assert_eq!(staging.needs, ["build"]);
    assert_eq!(
        staging.matrix,
        [("cluster".to_owned(), vec!["eu".to_owned(), "us".to_owned()])]
    );
    let env = staging.environment.as_ref().ok_or("environment")?;
    assert_eq!(
        (env.name.as_str(), at(SAMPLE, env.loc.span)),
        ("staging", "staging")
    );
    assert_eq!(
        staging.conditions.iter().map(cond).collect::<Vec<_>>(),
        [(TriggerKind::Branch, Some("main"), false)]
    );
    assert_eq!(
        at(SAMPLE, staging.conditions[0].loc.span),
        "github.ref == 'refs/heads/main'"
    );
    let Some(Step::Action { with, loc, .. }) = staging.steps.first() else {
        return Err("action".into());
    };
    assert_eq!(
        with,
        &[(
            "cluster-name".to_owned(),
            "${{ matrix.cluster }}".to_owned()
        )]
    );
    assert_eq!(at(SAMPLE, loc.span), "azure/k8s-set-context@v4");

    let prod = job(&p, "deploy-prod")?;
    assert_eq!(prod.needs, ["build", "deploy-staging"]);
    let env = prod.environment.as_ref().ok_or("environment")?;
    assert_eq!(env.name, "production");
    assert_eq!(env.url.as_deref(), Some("https://shop.example"));
    assert_eq!(at(SAMPLE, env.loc.span), "production");
    assert_eq!(
        prod.conditions.iter().map(cond).collect::<Vec<_>>(),
        [
            (TriggerKind::Tag, Some("v*"), false),
            (TriggerKind::PullRequest, None, true),
        ]
    );
    let Some(Step::Script {
        text, line_starts, ..
    }) = prod.steps.first()
    else {
        return Err("script".into());
    };
    assert_eq!(text, "helm upgrade web ./chart --install");
    assert_eq!(line_starts.len(), 1);
    assert!(SAMPLE[line_starts[0]..].starts_with("helm upgrade web ./chart\n"));
    Ok(())
}

#[test]
fn environment_forms() -> TestResult {
    let src = "on: push\njobs:\n  a:\n    environment: ${{ inputs.environment }}\n  b:\n    environment:\n      name: prod-${{ matrix.region }}\n  c:\n    environment:\n      url: https://x\n  d:\n    environment: [x]\n";
    let (p, diags) = read_one(&MemRepo::workflow(src));
    let p = p.ok_or("pipeline")?;
    let a = job(&p, "a")?.environment.as_ref().ok_or("a")?;
    assert_eq!(a.name, "${{ inputs.environment }}");
    assert_eq!(at(src, a.loc.span), "${{ inputs.environment }}");
    let b = job(&p, "b")?.environment.as_ref().ok_or("b")?;
    assert_eq!(b.name, "prod-${{ matrix.region }}");
    assert!(job(&p, "c")?.environment.is_none());
    assert!(job(&p, "d")?.environment.is_none());
    assert_eq!(codes(&diags), ["github-shape", "github-shape"]);
    Ok(())
}

#[test]
fn job_if_forms() -> TestResult {
    let src = "on: push\njobs:\n  a:\n    if: github.ref != 'refs/heads/main'\n  b:\n    if: \"!startsWith(github.ref, 'refs/tags/')\"\n  c:\n    if: github.ref == 'refs/heads/main' || github.event_name == 'workflow_dispatch'\n  d:\n    if: contains(github.event.head_commit.message, '[deploy]')\n  e:\n    if: ${{ github.ref_name == 'develop' && always() }}\n  f:\n    if: false\n";
    let p = ok(&MemRepo::workflow(src))?;
    let conds = |id: &str| -> Result<Vec<(TriggerKind, Option<String>, bool)>, String> {
        Ok(job(&p, id)?
            .conditions
            .iter()
            .map(|t| (t.kind.clone(), t.pattern.clone(), t.negated))
            .collect())
    };
    let s = |x: &str| Some(x.to_owned());
    assert_eq!(conds("a")?, [(TriggerKind::Branch, s("main"), true)]);
    assert_eq!(conds("b")?, [(TriggerKind::Tag, None, true)]);
    assert_eq!(
        conds("c")?,
        [(
            TriggerKind::Expression,
            s("github.ref == 'refs/heads/main' || github.event_name == 'workflow_dispatch'"),
            false
        )]
    );
    assert_eq!(
        conds("d")?,
        [(
            TriggerKind::Expression,
            s("contains(github.event.head_commit.message, '[deploy]')"),
            false
        )]
    );
    assert_eq!(
        conds("e")?,
        [
            (TriggerKind::Branch, s("develop"), false),
            (TriggerKind::Expression, s("always()"), false)
        ]
    );
    assert_eq!(conds("f")?, [(TriggerKind::Expression, s("false"), false)]);
    let b = &job(&p, "b")?.conditions[0];
    assert_eq!(
        at(src, b.loc.span),
        "\"!startsWith(github.ref, 'refs/tags/')\""
    );
    Ok(())
}

#[test]
fn matrix_include_values_and_expressions() -> TestResult {
    let src = "on: push\njobs:\n  a:\n    strategy:\n      matrix:\n        cluster: [eu, us]\n        include:\n          - cluster: ap\n            region: tokyo\n          - cluster: eu\n        exclude:\n          - cluster: us\n  b:\n    strategy:\n      matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}\n";
    let p = ok(&MemRepo::workflow(src))?;
    let v = |xs: &[&str]| xs.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        job(&p, "a")?.matrix,
        [
            ("cluster".to_owned(), v(&["eu", "us", "ap"])),
            ("region".to_owned(), v(&["tokyo"]))
        ]
    );
    assert!(job(&p, "b")?.matrix.is_empty());
    Ok(())
}

#[test]
fn needs_and_names() -> TestResult {
    let src = "on: push\njobs:\n  a:\n    name: Build ${{ matrix.os }}\n    needs: b\n  b:\n    needs: []\n";
    let p = ok(&MemRepo::workflow(src))?;
    assert_eq!(job(&p, "a")?.name, "Build ${{ matrix.os }}");
    assert_eq!(job(&p, "a")?.needs, ["b"]);
    assert_eq!(job(&p, "b")?.name, "b");
    assert!(job(&p, "b")?.needs.is_empty());
    Ok(())
}

const ACTION: &str = "name: Deploy\ninputs:\n  overlay:\n    default: overlays/dev\n  context:\n    default: kind\nruns:\n  using: composite\n  steps:\n    - run: kubectl --context ${{ inputs.context }} apply -k ${{ inputs.overlay }}\n      shell: bash\n    - uses: ./.github/actions/notify\n";

#[test]
fn composite_action_is_followed() -> TestResult {
    let wf = "on: push\njobs:\n  deploy:\n    steps:\n      - uses: ./.github/actions/deploy/\n        with:\n          overlay: overlays/prod\n";
    let notify = "runs:\n  using: node20\n  main: index.js\n";
    let repo = MemRepo::workflow(wf)
        .with(".github/actions/deploy/action.yml", ACTION)
        .with(".github/actions/notify/action.yaml", notify);
    let p = ok(&repo)?;
    let steps = &job(&p, "deploy")?.steps;
    let [
        Step::Action {
            uses, with, loc, ..
        },
        Step::Script {
            text,
            loc: script_loc,
            line_starts,
            ..
        },
        Step::Action {
            uses: notify_uses,
            loc: notify_loc,
            ..
        },
    ] = steps.as_slice()
    else {
        return Err(format!("steps: {steps:?}"));
    };
    assert_eq!(uses, "./.github/actions/deploy/");
    assert_eq!(with, &[("overlay".to_owned(), "overlays/prod".to_owned())]);
    assert_eq!(&*loc.file, WORKFLOW);
    assert_eq!(text, "kubectl --context kind apply -k overlays/prod");
    assert_eq!(&*script_loc.file, ".github/actions/deploy/action.yml");
    assert!(at(ACTION, script_loc.span).starts_with("kubectl --context ${{"));
    assert_eq!(line_starts, &[script_loc.span.start]);
    assert_eq!(notify_uses, "./.github/actions/notify");
    assert_eq!(&*notify_loc.file, ".github/actions/deploy/action.yml");
    assert!(p.unresolved.is_empty());
    Ok(())
}

#[test]
fn missing_composite_action_is_unresolved() -> TestResult {
    let wf = "on: push\njobs:\n  deploy:\n    steps:\n      - uses: ./actions/missing\n      - uses: ./../outside\n";
    let p = ok(&MemRepo::workflow(wf))?;
    assert_eq!(job(&p, "deploy")?.steps.len(), 2);
    let refs: Vec<(&str, &str)> = p
        .unresolved
        .iter()
        .map(|u| (u.kind.as_str(), u.reference.as_str()))
        .collect();
    assert_eq!(
        refs,
        [
            ("local action", "./actions/missing"),
            ("local action", "./../outside")
        ]
    );
    assert_eq!(at(wf, p.unresolved[0].loc.span), "./actions/missing");
    Ok(())
}

#[test]
fn composite_cycle_is_stopped() -> TestResult {
    let wf = "on: push\njobs:\n  a:\n    steps:\n      - uses: ./x\n";
    let x = "runs:\n  using: composite\n  steps:\n    - run: echo x\n    - uses: ./y\n";
    let y = "runs:\n  using: composite\n  steps:\n    - uses: ./x\n";
    let repo = MemRepo::workflow(wf)
        .with("x/action.yml", x)
        .with("y/action.yml", y);
    let (p, diags) = read_one(&repo);
    let p = p.ok_or("pipeline")?;
    // ./x, echo x, ./y, ./x (not followed again)
    assert_eq!(job(&p, "a")?.steps.len(), 4);
    assert_eq!(codes(&diags), ["github-cycle"]);
    assert_eq!(&*diags[0].loc.file, "y/action.yml");
    Ok(())
}

#[test]
fn composite_depth_is_limited() -> TestResult {
    let wf = "on: push\njobs:\n  a:\n    steps:\n      - uses: ./a0\n";
    let mut repo = MemRepo::workflow(wf);
    for i in 0..20 {
        let next = format!(
            "runs:\n  using: composite\n  steps:\n    - uses: ./a{}\n",
            i + 1
        );
        repo = repo.with(&format!("a{i}/action.yml"), &next);
    }
    let (p, diags) = read_one(&repo);
    assert!(p.is_some());
    assert_eq!(codes(&diags), ["github-depth"]);
    Ok(())
}

#[test]
fn fan_out_is_bounded() -> TestResult {
    // Eight levels of ten jobs each calling the next level: 10^8 jobs if nothing stopped it.
    let mut repo =
        MemRepo::workflow("on: push\njobs:\n  top:\n    uses: ./.github/workflows/l0.yml\n");
    for level in 0..8 {
        let mut src = String::from("on: workflow_call\njobs:\n");
        for j in 0..10 {
            src.push_str(&format!(
                "  j{j}:\n    uses: ./.github/workflows/l{}.yml\n",
                level + 1
            ));
        }
        repo = repo.with(&format!(".github/workflows/l{level}.yml"), &src);
    }
    let (p, diags) = read_one(&repo);
    let p = p.ok_or("pipeline")?;
    assert!(p.jobs.len() < 10_000, "{} jobs", p.jobs.len());
    assert_eq!(
        diags
            .iter()
            .filter(|d| d.code.as_str() == "github-limit")
            .count(),
        1
    );
    Ok(())
}

const DEPLOY: &str = "name: deploy\non:\n  workflow_call:\n    inputs:\n      environment:\n        type: string\n        required: true\n      overlay:\n        type: string\n        default: overlays/default\nenv:\n  KUBECONFIG: /tmp/kube-${{ inputs.environment }}\njobs:\n  plan:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo plan\n  apply:\n    needs: plan\n    if: inputs.environment == 'production'\n    environment: ${{ inputs.environment }}\n    steps:\n      - run: |\n          kubectl apply -k ${{ inputs.overlay }}\n          echo ${{ inputs.environment }}\n      - uses: azure/setup-helm@v4\n        with:\n          target: ${{ inputs.environment }}\n";

#[test]
fn local_reusable_workflow_is_expanded() -> TestResult {
    let wf = "on: push\njobs:\n  build:\n    steps: [{run: make}]\n  prod:\n    needs: build\n    if: github.ref == 'refs/heads/main'\n    strategy:\n      matrix:\n        cluster: [eu, us]\n    uses: ./.github/workflows/deploy.yml\n    with:\n      environment: production\n    secrets: inherit\n  after:\n    needs: prod\n";
    let repo = MemRepo::workflow(wf).with(".github/workflows/deploy.yml", DEPLOY);
    let p = ok(&repo)?;
    assert_eq!(
        ids(&p),
        ["build", "prod", "prod/plan", "prod/apply", "after"]
    );
    assert!(job(&p, "prod")?.steps.is_empty());

    let plan = job(&p, "prod/plan")?;
    assert_eq!(plan.needs, ["build"]);
    assert_eq!(&*plan.loc.file, ".github/workflows/deploy.yml");
    assert_eq!(at(DEPLOY, plan.loc.span), "plan");
    assert_eq!(
        plan.variables,
        [("KUBECONFIG".to_owned(), "/tmp/kube-production".to_owned())]
    );
    assert_eq!(
        plan.conditions.iter().map(cond).collect::<Vec<_>>(),
        [(TriggerKind::Branch, Some("main"), false)]
    );
    assert_eq!(&*plan.conditions[0].loc.file, WORKFLOW);

    let apply = job(&p, "prod/apply")?;
    assert_eq!(apply.needs, ["prod/plan", "build"]);
    let env = apply.environment.as_ref().ok_or("environment")?;
    assert_eq!(env.name, "production");
    assert_eq!(&*env.loc.file, ".github/workflows/deploy.yml");
    assert_eq!(at(DEPLOY, env.loc.span), "${{ inputs.environment }}");
    assert_eq!(
        apply.conditions.iter().map(cond).collect::<Vec<_>>(),
        [
            (
                TriggerKind::Expression,
                Some("'production' == 'production'"),
                false
            ),
            (TriggerKind::Branch, Some("main"), false)
        ]
    );
    assert_eq!(apply.matrix.len(), 1);
    let [
        Step::Script {
            text, line_starts, ..
        },
        Step::Action { with, .. },
    ] = apply.steps.as_slice()
    else {
        return Err(format!("steps: {:?}", apply.steps));
    };
    assert_eq!(text, "kubectl apply -k overlays/default\necho production\n");
    let lines: Vec<&str> = line_starts
        .iter()
        .map(|&s| DEPLOY[s..].lines().next().unwrap_or(""))
        .collect();
    assert_eq!(
        lines,
        [
            "kubectl apply -k ${{ inputs.overlay }}",
            "echo ${{ inputs.environment }}"
        ]
    );
    assert_eq!(with, &[("target".to_owned(), "production".to_owned())]);
    Ok(())
}

#[test]
fn reusable_workflow_read_on_its_own_keeps_inputs_as_written() -> TestResult {
    let repo = MemRepo::workflow(DEPLOY);
    let p = ok(&repo)?;
    let apply = job(&p, "apply")?;
    let env = apply.environment.as_ref().ok_or("environment")?;
    assert_eq!(env.name, "${{ inputs.environment }}");
    assert_eq!(
        p.triggers.iter().map(cond).collect::<Vec<_>>(),
        [
            (TriggerKind::Caller, None, false),
            (TriggerKind::Caller, Some("environment"), false),
            (TriggerKind::Caller, Some("overlay"), false),
        ]
    );
    Ok(())
}

#[test]
fn remote_and_missing_reusable_workflows_are_unresolved() -> TestResult {
    let wf = "on: push\njobs:\n  remote:\n    uses: acme/infra/.github/workflows/deploy.yml@v2\n    with: {environment: prod}\n    secrets: {creds: '${{ secrets.AKS }}'}\n  missing:\n    uses: ./.github/workflows/nope.yml\n    secrets: inherit\n";
    let p = ok(&MemRepo::workflow(wf))?;
    assert_eq!(ids(&p), ["remote", "missing"]);
    // The call stays on its job as a packaged step, with its inputs and the secrets it hands
    // over.
    let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    match p.jobs[0].steps.as_slice() {
        [Step::Action { uses, with, .. }] => {
            assert_eq!(uses, "acme/infra/.github/workflows/deploy.yml@v2");
            let given = [
                pair("environment", "prod"),
                pair("secrets.creds", "${{ secrets.AKS }}"),
            ];
            assert_eq!(with, &given);
        }
        other => panic!("{other:?}"),
    }
    match p.jobs[1].steps.as_slice() {
        [Step::Action { with, .. }] => assert_eq!(with, &[pair("secrets", "inherit")]),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        p.jobs[1].steps.as_slice(),
        [Step::Action { uses, .. }] if uses == "./.github/workflows/nope.yml"
    ));
    let refs: Vec<(&str, &str)> = p
        .unresolved
        .iter()
        .map(|u| (u.kind.as_str(), u.reference.as_str()))
        .collect();
    assert_eq!(
        refs,
        [
            (
                "reusable workflow",
                "acme/infra/.github/workflows/deploy.yml@v2"
            ),
            ("reusable workflow", "./.github/workflows/nope.yml")
        ]
    );
    assert_eq!(
        at(wf, p.unresolved[0].loc.span),
        "acme/infra/.github/workflows/deploy.yml@v2"
    );
    Ok(())
}

#[test]
fn reusable_workflow_cycles_are_stopped() -> TestResult {
    let a = "on: [push, workflow_call]\njobs:\n  call-b:\n    uses: ./.github/workflows/b.yml\n";
    let b = "on: workflow_call\njobs:\n  call-a:\n    uses: ./.github/workflows/ci.yml\n  work:\n    steps: [{run: echo}]\n";
    let repo = MemRepo::workflow(a).with(".github/workflows/b.yml", b);
    let (p, diags) = read_one(&repo);
    let p = p.ok_or("pipeline")?;
    assert_eq!(ids(&p), ["call-b", "call-b/call-a", "call-b/work"]);
    assert_eq!(codes(&diags), ["github-cycle"]);
    assert_eq!(&*diags[0].loc.file, ".github/workflows/b.yml");

    // A workflow calling itself.
    let selfish = "on: workflow_call\njobs:\n  again:\n    uses: ./.github/workflows/ci.yml\n";
    let (p, diags) = read_one(&MemRepo::workflow(selfish));
    assert_eq!(p.map(|p| p.jobs.len()), Some(1));
    assert_eq!(codes(&diags), ["github-cycle"]);
    Ok(())
}

#[test]
fn nested_reusable_workflows_pass_inputs_down() -> TestResult {
    let wf =
        "on: push\njobs:\n  top:\n    uses: ./.github/workflows/mid.yml\n    with: {env: prod}\n";
    let mid = "on:\n  workflow_call:\n    inputs: {env: {type: string}}\njobs:\n  inner:\n    uses: ./.github/workflows/leaf.yml\n    with:\n      target: ${{ inputs.env }}-eu\n";
    let leaf = "on:\n  workflow_call:\n    inputs: {target: {type: string}}\njobs:\n  go:\n    environment: ${{ inputs.target }}\n";
    let repo = MemRepo::workflow(wf)
        .with(".github/workflows/mid.yml", mid)
        .with(".github/workflows/leaf.yml", leaf);
    let p = ok(&repo)?;
    assert_eq!(ids(&p), ["top", "top/inner", "top/inner/go"]);
    let env = job(&p, "top/inner/go")?.environment.as_ref().ok_or("env")?;
    assert_eq!(env.name, "prod-eu");
    Ok(())
}

#[test]
fn yaml_error_gives_diagnostic_and_nothing() {
    let src = "on: push\njobs:\n  a: [unclosed\n";
    let (p, diags) = read_one(&MemRepo::workflow(src));
    assert!(p.is_none());
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code.as_str(), "yaml-syntax");
    assert_eq!(&*diags[0].loc.file, WORKFLOW);
}

#[test]
fn broken_called_files_are_reported_in_their_own_file() -> TestResult {
    let wf = "on: push\njobs:\n  a:\n    uses: ./.github/workflows/bad.yml\n  b:\n    steps:\n      - uses: ./act\n";
    let repo = MemRepo::workflow(wf)
        .with(".github/workflows/bad.yml", "jobs: {x: [\n")
        .with("act/action.yml", "runs: [\n");
    let (p, diags) = read_one(&repo);
    assert_eq!(p.map(|p| p.jobs.len()), Some(2));
    let got: Vec<(&str, &str)> = diags
        .iter()
        .map(|d| (d.code.as_str(), d.loc.file.as_ref()))
        .collect();
    assert_eq!(
        got,
        [
            ("yaml-syntax", ".github/workflows/bad.yml"),
            ("yaml-syntax", "act/action.yml")
        ]
    );
    Ok(())
}

#[test]
fn unknown_shapes_give_partial_pipelines() -> TestResult {
    let (p, diags) = read_one(&MemRepo::workflow("name: x\non: push\njobs: [a, b]\n"));
    let p = p.ok_or("pipeline")?;
    assert!(p.jobs.is_empty());
    assert_eq!(p.triggers.len(), 1);
    assert_eq!(codes(&diags), ["github-shape"]);

    let src = "on: push\njobs:\n  a: 3\n  b:\n    steps: {x: 1}\n  c:\n    steps:\n      - name: nothing\n      - run: [1]\n      - run: ok\n";
    let (p, diags) = read_one(&MemRepo::workflow(src));
    let p = p.ok_or("pipeline")?;
    assert_eq!(ids(&p), ["b", "c"]);
    assert_eq!(job(&p, "c")?.steps.len(), 1);
    assert_eq!(diags.len(), 4);
    assert!(diags.iter().all(|d| d.code.as_str() == "github-shape"));

    let (p, diags) = read_one(&MemRepo::workflow("- a\n"));
    assert!(p.is_none());
    assert_eq!(diags.len(), 1);
    let (p, diags) = read_one(&MemRepo::workflow("# only a comment\n"));
    assert!(p.is_none());
    assert_eq!(diags.len(), 1);
    let (p, diags) = read_one(&MemRepo::default());
    assert!(p.is_none());
    assert_eq!(codes(&diags), ["github-read"]);
    Ok(())
}

#[test]
fn duplicate_keys_are_warned() -> TestResult {
    let (p, diags) = read_one(&MemRepo::workflow("on: push\non: pull_request\njobs: {}\n"));
    assert!(p.is_some());
    assert_eq!(codes(&diags), ["yaml-warning"]);
    Ok(())
}

#[test]
fn truncated_inputs_never_panic() {
    let caller = format!(
        "{SAMPLE}  call:\n    uses: ./.github/workflows/deploy.yml\n    with: {{environment: prod}}\n  comp:\n    steps:\n      - uses: ./.github/actions/deploy\n"
    );
    for end in 0..=caller.len() {
        let Some(prefix) = caller.get(..end) else {
            continue;
        };
        let repo = MemRepo::workflow(prefix)
            .with(".github/workflows/deploy.yml", DEPLOY)
            .with(".github/actions/deploy/action.yml", ACTION);
        let _ = read_one(&repo);
    }
    // Truncated called files too.
    for end in 0..=DEPLOY.len().max(ACTION.len()) {
        let repo = MemRepo::workflow(&caller)
            .with(
                ".github/workflows/deploy.yml",
                DEPLOY.get(..end).unwrap_or(DEPLOY),
            )
            .with(
                ".github/actions/deploy/action.yml",
                ACTION.get(..end).unwrap_or(ACTION),
            );
        let _ = read_one(&repo);
    }
}

#[test]
fn every_loc_slices_its_own_file() -> TestResult {
    let wf = format!(
        "{SAMPLE}  call:\n    uses: ./.github/workflows/deploy.yml\n    with: {{environment: prod}}\n  comp:\n    steps:\n      - uses: ./.github/actions/deploy\n"
    );
    let repo = MemRepo::workflow(&wf)
        .with(".github/workflows/deploy.yml", DEPLOY)
        .with(".github/actions/deploy/action.yml", ACTION);
    let p = ok(&repo)?;
    let text_of = |file: &str| -> &str {
        match file {
            WORKFLOW => &wf,
            ".github/workflows/deploy.yml" => DEPLOY,
            _ => ACTION,
        }
    };
    let mut locs = Vec::new();
    locs.extend(p.triggers.iter().map(|t| &t.loc));
    for j in &p.jobs {
        locs.push(&j.loc);
        locs.extend(j.conditions.iter().map(|t| &t.loc));
        locs.extend(j.environment.iter().map(|e| &e.loc));
        for s in &j.steps {
            match s {
                Step::Script {
                    loc, line_starts, ..
                } => {
                    locs.push(loc);
                    for &ls in line_starts {
                        assert!(ls >= loc.span.start && ls < loc.span.end.max(loc.span.start + 1));
                    }
                }
                Step::Action { loc, .. } => locs.push(loc),
            }
        }
    }
    for loc in locs {
        let src = text_of(&loc.file);
        let text = src.get(loc.span.range()).ok_or("span out of range")?;
        assert!(!text.is_empty(), "empty span at {loc:?}");
    }
    Ok(())
}

#[test]
fn a_run_step_keeps_its_working_directory() -> TestResult {
    let wf = "on: push\njobs:\n  d:\n    runs-on: x\n    steps:\n      - run: ./deploy.sh\n        working-directory: deploy/helm\n      - run: make\n";
    let p = ok(&MemRepo::workflow(wf))?;
    let dirs: Vec<Option<&str>> = p.jobs[0]
        .steps
        .iter()
        .map(|s| match s {
            Step::Script { dir, .. } => dir.as_deref(),
            Step::Action { .. } => None,
        })
        .collect();
    assert_eq!(dirs, [Some("deploy/helm"), None]);
    Ok(())
}

#[test]
fn run_steps_start_in_the_job_or_workflow_defaults() -> TestResult {
    let wf = "on: push\ndefaults:\n  run:\n    working-directory: ops\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: ./a.sh\n      - run: ./b.sh\n        working-directory: tools\n  b:\n    runs-on: x\n    defaults:\n      run:\n        working-directory: docs\n    steps:\n      - run: ./c.sh\n";
    let p = ok(&MemRepo::workflow(wf))?;
    let dirs: Vec<Option<&str>> = p
        .jobs
        .iter()
        .flat_map(|j| j.steps.iter())
        .map(|s| match s {
            Step::Script { dir, .. } => dir.as_deref(),
            Step::Action { .. } => None,
        })
        .collect();
    assert_eq!(dirs, [Some("ops"), Some("tools"), Some("docs")]);
    Ok(())
}

#[test]
fn step_if_is_the_steps_own_condition_and_reaches_a_composite_actions_steps() -> TestResult {
    let wf = "on: push\njobs:\n  deploy:\n    if: github.event_name == 'push'\n    steps:\n      - run: make\n      - if: github.ref == 'refs/heads/main'\n        run: kubectl apply -k k8s/\n      - if: ${{ startsWith(github.ref, 'refs/heads/release/') }}\n        uses: ./.github/actions/deploy\n";
    let repo = MemRepo::workflow(wf)
        .with(".github/actions/deploy/action.yml", ACTION)
        .with(
            ".github/actions/notify/action.yml",
            "runs:\n  using: node20\n  main: index.js\n",
        );
    let p = ok(&repo)?;
    let deploy = job(&p, "deploy")?;
    let release = vec![(TriggerKind::Branch, Some("release/*".to_owned()), false)];
    assert_eq!(
        crate::read::support::test_support::step_conds(deploy),
        [
            vec![],
            vec![(TriggerKind::Branch, Some("main".to_owned()), false)],
            release.clone(),
            release.clone(),
            release,
        ]
    );
    // The job's own `if:` stays the job's.
    assert_eq!(deploy.conditions.len(), 1);
    Ok(())
}

#[test]
fn job_outputs_are_kept_as_written() -> TestResult {
    let src = "on: push\njobs:\n  setup:\n    outputs:\n      env: dev\n      tag: ${{ steps.meta.outputs.tag }}\n    steps:\n      - run: 'true'\n  odd:\n    outputs: [x]\n    steps:\n      - run: 'true'\n";
    let (p, diagnostics) = read_one(&MemRepo::workflow(src));
    let p = p.ok_or("no pipeline")?;
    let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    assert_eq!(
        job(&p, "setup")?.outputs,
        [
            pair("env", "dev"),
            pair("tag", "${{ steps.meta.outputs.tag }}")
        ]
    );
    assert!(job(&p, "odd")?.outputs.is_empty());
    assert!(
        diagnostics.iter().any(|d| d.message.contains("`outputs`")),
        "{diagnostics:?}"
    );
    Ok(())
}
