//! READ stage: tests of the Azure Pipelines reader.

use super::*;
use crate::read::pipeline::Step;
use crate::read::support::test_support::{self, at, job, kinds};

const PATH: &str = "azure-pipelines.yml";

fn read_files(files: &[(&str, &str)]) -> (Option<Pipeline>, Vec<Diagnostic>) {
    test_support::read_files(&AzureReader, PATH, files)
}

fn pipeline(files: &[(&str, &str)]) -> Pipeline {
    match read_files(files) {
        (Some(p), _) => p,
        (None, d) => panic!("no pipeline: {d:?}"),
    }
}

const MAIN: &str = r#"trigger:
  branches:
    include: [main, release/*]
    exclude:
      - experimental/*
  tags:
    include:
      - v*
pr:
  - main
schedules:
  - cron: "0 2 * * *"
    branches:
      include: [main]
resources:
  pipelines:
    - pipeline: build
      source: web-ci
      trigger: true
    - pipeline: artifacts-only
      source: other
variables:
  - group: prod-secrets
  - name: IMAGE
    value: acme/web
stages:
  - stage: Build
    jobs:
      - job: build
        steps:
          - script: docker build -t $(IMAGE) .
            displayName: Build image
          - template: templates/push.yml
            parameters:
              registry: acr.example.io
  - stage: Staging
    condition: and(succeeded(), eq(variables['Build.SourceBranch'], 'refs/heads/main'))
    jobs:
      - deployment: deploy_staging
        environment: staging.web-ns
        strategy:
          runOnce:
            deploy:
              steps:
                - task: KubernetesManifest@1
                  inputs:
                    action: deploy
                    manifests: k8s/*.yml
            on:
              failure:
                steps:
                  - bash: echo rollback
  - stage: Production
    dependsOn: Staging
    condition: startsWith(variables['Build.SourceBranch'], 'refs/tags/')
    jobs:
      - job: approve
        pool: server
        steps:
          - task: ManualValidation@0
      - deployment: deploy_prod
        dependsOn: approve
        environment:
          name: production
          resourceType: Kubernetes
        strategy:
          canary:
            increments: [10]
            preDeploy:
              steps:
                - checkout: self
            deploy:
              steps:
                - task: HelmDeploy@0
                  displayName: helm upgrade
                  inputs:
                    command: upgrade
                    chartPath: charts/web
      - template: jobs/smoke.yml@shared-templates
"#;

const PUSH: &str = r#"parameters:
  - name: registry
    type: string
  - name: tag
    type: string
    default: latest
steps:
  - bash: |
      docker login ${{ parameters.registry }}
      docker push ${{ parameters.registry }}/web:${{ parameters.tag }}
    displayName: Push to ${{ parameters.registry }}
"#;

fn main_pipeline() -> Pipeline {
    pipeline(&[(PATH, MAIN), ("templates/push.yml", PUSH)])
}

#[test]
fn triggers_prs_schedules_and_upstreams() {
    let p = main_pipeline();
    assert_eq!(
        kinds(&p.triggers),
        [
            (TriggerKind::Branch, Some("main"), false),
            (TriggerKind::Branch, Some("release/*"), false),
            (TriggerKind::Branch, Some("experimental/*"), true),
            (TriggerKind::Tag, Some("v*"), false),
            (TriggerKind::PullRequest, Some("main"), false),
            (TriggerKind::Schedule, Some("0 2 * * *"), false),
            (TriggerKind::Upstream, Some("web-ci"), false),
        ]
    );
    assert_eq!(at(MAIN, &p.triggers[2].loc), "experimental/*");
    assert_eq!(
        p.variables,
        [
            ("group".to_owned(), "prod-secrets".to_owned()),
            ("IMAGE".to_owned(), "acme/web".to_owned())
        ]
    );
}

#[test]
fn trigger_shapes() {
    // Every automatic trigger off: only a person starts it.
    let p = pipeline(&[(PATH, "trigger: none\npr: none\nsteps:\n  - script: make\n")]);
    assert_eq!(kinds(&p.triggers), [(TriggerKind::Manual, None, false)]);
    assert_eq!(p.jobs[0].id, "job");
    // The same written as lists of the one word `none`.
    let p = pipeline(&[(
        PATH,
        "trigger:\n- none\npr:\n- none\nsteps:\n  - script: make\n",
    )]);
    assert_eq!(kinds(&p.triggers), [(TriggerKind::Manual, None, false)]);
    // Neither `trigger:` nor `pr:`: pushes to and pull requests into any branch.
    let p = pipeline(&[(PATH, "steps:\n  - script: make\n")]);
    assert_eq!(
        kinds(&p.triggers),
        [
            (TriggerKind::Branch, None, false),
            (TriggerKind::PullRequest, None, false)
        ]
    );
    // CI off but no `pr: none`: a person starts it, and so does a pull request.
    let p = pipeline(&[(PATH, "trigger: none\nsteps:\n  - script: make\n")]);
    assert_eq!(
        kinds(&p.triggers),
        [
            (TriggerKind::Manual, None, false),
            (TriggerKind::PullRequest, None, false)
        ]
    );
    let p = pipeline(&[(
        PATH,
        "trigger:\n  batch: true\npr:\n  branches:\n    exclude: [wip/*]\njobs: []\n",
    )]);
    // An `exclude:` without `include:` is every branch but those.
    assert_eq!(
        kinds(&p.triggers),
        [
            (TriggerKind::Branch, None, false),
            (TriggerKind::PullRequest, None, false),
            (TriggerKind::PullRequest, Some("wip/*"), true)
        ]
    );
    let p = pipeline(&[(
        PATH,
        "trigger:
  branches:
    exclude: [main]
  tags:
    include: [v*]
    exclude: [v0*]
pr: none
jobs: []
",
    )]);
    assert_eq!(
        kinds(&p.triggers),
        [
            (TriggerKind::Branch, None, false),
            (TriggerKind::Branch, Some("main"), true),
            (TriggerKind::Tag, Some("v*"), false),
            (TriggerKind::Tag, Some("v0*"), true)
        ]
    );
}

#[test]
fn stages_jobs_needs_and_conditions() {
    let p = main_pipeline();
    let ids: Vec<_> = p.jobs.iter().map(|j| j.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "Build/build",
            "Staging/deploy_staging",
            "Production/approve",
            "Production/deploy_prod",
            "Production/smoke"
        ]
    );
    // A jobs template of another repository stands as one job that extends it, in its stage.
    let smoke = job(&p, "Production/smoke");
    assert_eq!(smoke.extends_unread, ["jobs/smoke.yml@shared-templates"]);
    assert_eq!(smoke.stage.as_deref(), Some("Production"));
    assert!(smoke.steps.is_empty());
    let staging = job(&p, "Staging/deploy_staging");
    assert_eq!(staging.needs, ["Build/build"]);
    assert_eq!(
        kinds(&staging.conditions),
        // All of `and(succeeded(), eq(...))` is read: the text as written is not kept.
        [(TriggerKind::Branch, Some("main"), false)]
    );
    let prod = job(&p, "Production/deploy_prod");
    assert_eq!(prod.needs, ["Production/approve", "Staging/deploy_staging"]);
    let tag = prod.conditions.iter().find(|c| c.kind == TriggerKind::Tag);
    assert_eq!(tag.map(|c| c.pattern.clone()), Some(None));
    assert!(job(&p, "Production/approve").manual);
    assert!(!prod.manual);
    assert_eq!(prod.stage.as_deref(), Some("Production"));
}

#[test]
fn deployment_environments_and_strategy_steps() {
    let p = main_pipeline();
    let staging = job(&p, "Staging/deploy_staging");
    let env = staging
        .environment
        .as_ref()
        .unwrap_or_else(|| panic!("no env"));
    assert_eq!(env.name, "staging");
    assert_eq!(at(MAIN, &env.loc), "staging.web-ns");
    match staging.steps.as_slice() {
        [
            Step::Action {
                uses, with, loc, ..
            },
            Step::Script { text, .. },
        ] => {
            assert_eq!(uses, "KubernetesManifest@1");
            assert_eq!(
                with,
                &[
                    ("action".to_owned(), "deploy".to_owned()),
                    ("manifests".to_owned(), "k8s/*.yml".to_owned())
                ]
            );
            assert_eq!(at(MAIN, loc), "KubernetesManifest@1");
            assert_eq!(text, "echo rollback");
        }
        other => panic!("unexpected steps {other:?}"),
    }
    let prod = job(&p, "Production/deploy_prod");
    assert_eq!(
        prod.environment.as_ref().map(|e| e.name.as_str()),
        Some("production")
    );
    let uses: Vec<_> = prod
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::Action { uses, name, .. } => Some((uses.as_str(), name.as_deref())),
            Step::Script { .. } => None,
        })
        .collect();
    assert_eq!(
        uses,
        [("checkout", None), ("HelmDeploy@0", Some("helm upgrade"))]
    );
}

#[test]
fn local_templates_expand_and_remote_ones_are_unresolved() {
    let p = main_pipeline();
    let build = job(&p, "Build/build");
    match build.steps.as_slice() {
        [
            Step::Script { name, text, .. },
            Step::Script {
                name: pn,
                text: pt,
                loc,
                line_starts,
                ..
            },
        ] => {
            assert_eq!(name.as_deref(), Some("Build image"));
            assert_eq!(text, "docker build -t $(IMAGE) .");
            assert_eq!(pn.as_deref(), Some("Push to acr.example.io"));
            assert_eq!(
                pt,
                "docker login acr.example.io\ndocker push acr.example.io/web:latest\n"
            );
            assert_eq!(&*loc.file, "templates/push.yml");
            assert!(at(PUSH, loc).starts_with("docker login ${{ parameters.registry }}"));
            // Substitution changes the line text, but each line still starts where it did.
            assert!(PUSH[line_starts[1]..].starts_with("docker push"));
        }
        other => panic!("unexpected steps {other:?}"),
    }
    let remote: Vec<_> = p
        .unresolved
        .iter()
        .map(|u| (u.kind.as_str(), u.reference.as_str()))
        .collect();
    assert_eq!(remote, [("template", "jobs/smoke.yml@shared-templates")]);
}

#[test]
fn job_and_stage_templates_with_list_parameters() {
    let main = r#"stages:
  - template: ci/stage.yml
    parameters:
      env: prod
      extraSteps:
        - script: echo from caller
"#;
    let stage = r#"parameters:
  env: dev
  extraSteps: []
stages:
  - stage: deploy_${{ parameters.env }}
    jobs:
      - template: job.yml
        parameters:
          env: ${{ parameters.env }}
          steps: ${{ parameters.extraSteps }}
"#;
    let job_t = r#"parameters:
  - name: env
  - name: steps
    type: stepList
    default: []
jobs:
  - deployment: deploy
    environment: ${{ parameters.env }}
    strategy:
      runOnce:
        deploy:
          steps:
            - ${{ parameters.steps }}
            - ${{ if eq(parameters.env, 'prod') }}:
              - script: echo prod only
            - template: missing.yml
"#;
    let (p, d) = read_files(&[(PATH, main), ("ci/stage.yml", stage), ("ci/job.yml", job_t)]);
    let p = p.unwrap_or_else(|| panic!("no pipeline"));
    let j = job(&p, "deploy_prod/deploy");
    assert_eq!(
        j.environment.as_ref().map(|e| e.name.as_str()),
        Some("prod")
    );
    assert_eq!(
        j.environment.as_ref().map(|e| e.loc.file.as_ref()),
        Some("ci/job.yml")
    );
    let scripts: Vec<_> = j
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::Script { text, loc, .. } => Some((text.as_str(), loc.file.as_ref())),
            Step::Action { .. } => None,
        })
        .collect();
    assert_eq!(
        scripts,
        [
            ("echo from caller", "azure-pipelines.yml"),
            ("echo prod only", "ci/job.yml")
        ]
    );
    assert_eq!(
        at(
            main,
            &match &j.steps[0] {
                Step::Script { loc, .. } => loc.clone(),
                Step::Action { loc, .. } => loc.clone(),
            }
        ),
        "echo from caller"
    );
    assert!(
        d.iter()
            .any(|d| d.code.as_str() == "azure-template-missing")
    );
    assert_eq!(p.unresolved[0].kind, "missing template");
}

#[test]
fn matrices_variables_and_extends() {
    let main = "extends:\n  template: base.yml\n  parameters:\n    name: x\n";
    let base = "parameters:\n  - name: name\n    default: y\njobs:\n  - job: test_${{ parameters.name }}\n    \
                strategy:\n      matrix:\n        linux:\n          OS: ubuntu\n        mac:\n          OS: macos\n    \
                variables:\n      A: b\n    steps:\n      - pwsh: Write-Host hi\n";
    let p = pipeline(&[(PATH, main), ("base.yml", base)]);
    let j = job(&p, "test_x");
    assert_eq!(
        j.matrix,
        [(
            "OS".to_owned(),
            vec!["ubuntu".to_owned(), "macos".to_owned()]
        )]
    );
    assert_eq!(j.variables, [("A".to_owned(), "b".to_owned())]);
    assert_eq!(j.steps.len(), 1);
}

#[test]
fn template_cycles_are_cut() {
    let t = "steps:\n  - template: loop.yml\n";
    let (p, d) = read_files(&[(PATH, "steps:\n  - template: loop.yml\n"), ("loop.yml", t)]);
    assert!(p.is_some());
    assert!(d.iter().any(|d| d.code.as_str() == "azure-template-depth"));
}

#[test]
fn yaml_errors_and_wrong_shapes() {
    let (p, d) = read_files(&[(PATH, "stages: [\n")]);
    assert!(p.is_none());
    assert_eq!(d[0].code.as_str(), "yaml-syntax");
    let (p, d) = read_files(&[(PATH, "- a\n")]);
    assert!(p.is_none());
    assert_eq!(d[0].code.as_str(), "azure-shape");
    let (p, d) = read_files(&[(
        PATH,
        "jobs:\n  - job: a\n    steps: 3\n  - 7\n  - job: b\n    steps:\n      - foo: bar\n",
    )]);
    let p = p.unwrap_or_else(|| panic!("no pipeline"));
    assert_eq!(p.jobs.len(), 2);
    let codes = test_support::codes(&d);
    assert_eq!(codes, ["azure-shape", "azure-shape", "azure-unknown-step"]);
}

#[test]
fn a_pipeline_without_its_own_keys_is_told_by_its_items() {
    let yes = [
        "jobs:\n- job: Deploy\n  steps:\n  - task: Kubernetes@1\n",
        "# CD\nstages:\n- stage: Deploy\n  jobs:\n  - job: A\n    steps:\n    - script: make\n",
        "steps:\n- checkout: self\n- template: build.yml\n- bash: make deploy\n",
    ];
    for text in yes {
        assert!(
            AzureReader::pipeline_unless_included("ci/cd.yml", text),
            "{text}"
        );
    }
    let no = [
        // A template: its inputs, or its folder.
        (
            "ci/cd.yml",
            "parameters:\n- name: env\njobs:\n- job: A\n  steps:\n  - script: make\n",
        ),
        (
            "ci/templates/cd.yml",
            "jobs:\n- job: A\n  steps:\n  - script: make\n",
        ),
        // Other formats: Concourse jobs, Woodpecker or Buildkite steps, only templates.
        (
            "ci/pipeline.yml",
            "jobs:\n- name: test\n  plan:\n  - get: repo\n",
        ),
        (
            "ci/steps.yml",
            "steps:\n- name: build\n  image: golang\n  commands: [make]\n",
        ),
        ("ci/all.yml", "stages:\n- template: a.yml\n"),
        ("ci/gh.yml", "on: push\njobs:\n- job: A\n"),
        ("ci/x.yml", "stages: [build, test]\n"),
    ];
    for (path, text) in no {
        assert!(
            !AzureReader::pipeline_unless_included(path, text),
            "{path}: {text}"
        );
    }
}

#[test]
fn claims_paths() {
    assert!(AzureReader::claims("azure-pipelines.yml"));
    assert!(AzureReader::claims(".azure-pipelines/deploy.yaml"));
    assert!(AzureReader::claims(".azuredevops/ci.yml"));
    assert!(!AzureReader::claims(".azure-pipelines/templates/steps.yml"));
    assert!(AzureReader::claims("ci/azure-pipelines.yml"));
    assert!(AzureReader::claims("azure-pipelines-1.yml"));
    assert!(AzureReader::claims("service/azure-pipelines.release.yaml"));
    assert!(!AzureReader::claims(
        "ci/templates/azure-pipelines-steps.yml"
    ));
    assert!(!AzureReader::claims("azure-pipelines.md"));
}

#[test]
fn truncated_inputs_never_panic() {
    for end in 0..=MAIN.len() {
        if MAIN.is_char_boundary(end) {
            let _ = read_files(&[(PATH, &MAIN[..end]), ("templates/push.yml", PUSH)]);
        }
    }
}

/// Script tasks are the long spelling of script steps (issue 9): their inline script, or the
/// file they run with its arguments, is a script step after the task, in the task's working
/// directory. Other tasks stay tasks only.
#[test]
fn script_tasks_run_their_scripts() {
    let p = pipeline(&[(
        PATH,
        "steps:
  - task: AzureCLI@2
    inputs:
      scriptType: bash
      scriptLocation: inlineScript
      inlineScript: kubectl apply -f k8s/
  - task: Bash@3
    inputs:
      targetType: filePath
      filePath: deploy/release.sh
      arguments: prod
      workingDirectory: deploy
  - task: PowerShell@2
    inputs:
      targetType: filePath
  - task: Docker@2
    inputs:
      script: not a script input of this task
  - task: AWSShellScript@1
    inputs:
      awsCredentials: aws
      scriptType: inline
      inlineScript: kubectl apply -k overlays/dev
",
    )]);
    let steps = &p.jobs[0].steps;
    let scripts: Vec<(&str, Option<&str>)> = steps
        .iter()
        .filter_map(|s| match s {
            Step::Script { text, dir, .. } => Some((text.as_str(), dir.as_deref())),
            Step::Action { .. } => None,
        })
        .collect();
    assert_eq!(
        scripts,
        [
            ("kubectl apply -f k8s/", None),
            (
                "$(System.DefaultWorkingDirectory)/deploy/release.sh prod",
                Some("deploy")
            ),
            ("kubectl apply -k overlays/dev", None),
        ]
    );
    assert_eq!(steps.len(), 8, "every task is kept: {steps:?}");
}

#[test]
fn pipelines_under_other_names_are_recognised_by_shape() {
    let yes = [
        "trigger: none\nstages:\n  - stage: A\n    jobs: []\n",
        "trigger:\n  - main\npool:\n  vmImage: ubuntu-latest\nsteps:\n  - script: make\n",
        "pr: none\njobs:\n  - job: build\n    steps: []\n",
        // All template: what a required-template check asks for.
        "trigger:\n  - main\nextends:\n  template: cd/app-dev.yml@pipelines\n",
        // Azure's starter pipelines: resources, no trigger (every push runs them).
        "resources:\n- repo: self\nstages:\n- stage: Deploy\n  jobs: []\n",
        "resources:\n  repositories:\n    - repository: t\n      type: git\n      name: p/t\njobs:\n  - job: a\n    steps: []\n",
    ];
    for text in yes {
        assert!(
            <AzureReader as YamlFormat>::recognises("p.yml", text),
            "{text}"
        );
    }
    let no = [
        // GitHub Actions: `on:` and a `jobs` mapping.
        "on: push\njobs:\n  build:\n    runs-on: x\n",
        // GitLab CI: `stages` is a list of names.
        "stages: [build, deploy]\ntrigger:\n  script: make\n",
        // Drone: the same keys, but it says `kind:`.
        "kind: pipeline\ntrigger:\n  branch: [main]\nsteps:\n  - name: x\n",
        // A steps template: no trigger or pool of its own.
        "parameters: []\nsteps:\n  - script: helm upgrade x ./c\n",
        // A list of names, not of steps.
        "pr: false\nsteps:\n  - yamllint\n",
        // The keys only inside a block.
        "x:\n  trigger: none\n  stages: []\n",
        // An `extends:` that names no template.
        "trigger: none\nextends: base\n",
        // Concourse: resources of a name and a type, jobs with a plan.
        "resources:\n- name: repo\n  type: git\njobs:\n- name: deploy\n  plan: []\n",
    ];
    for text in no {
        assert!(
            !<AzureReader as YamlFormat>::recognises("p.yml", text),
            "{text}"
        );
    }
    // Shaped like a pipeline but not valid YAML: read, so the reader says why it cannot be.
    let broken = "trigger:\n  - main\nstages:\n  - stage: A\n    jobs: [\n";
    assert!(<AzureReader as YamlFormat>::recognises(
        "ops/cd.yml",
        broken
    ));
    // A Helm chart's Go template never parses: not a broken pipeline.
    let helm = "trigger: {{ .Values.x }}\nsteps:\n{{- range . }}\n";
    assert!(!<AzureReader as YamlFormat>::recognises(
        "chart/templates/job.yaml",
        helm
    ));
}

#[test]
fn conditional_variables_keep_their_tests() {
    let src = r#"parameters:
  - name: ENV
    values: [dev, prod]
variables:
  image: web
  ${{ if eq(parameters['ENV'], 'dev') }}:
    target: DEV
  ${{ elseif or(eq(variables['Build.SourceBranch'], 'refs/heads/main'), startsWith(variables['Build.SourceBranch'], 'refs/heads/hotfix')) }}:
    target: PROD
  ${{ elseif and(eq(1, 1), eq(2, 2)) }}:
    target: ODD
  ${{ else }}:
    - name: target
      value: SANDBOX
steps:
  - script: echo
"#;
    let p = pipeline(&[(PATH, src)]);
    assert_eq!(p.variables, vec![("image".to_owned(), "web".to_owned())]);
    type Test<'a> = (TriggerKind, Option<&'a str>, Vec<String>);
    let read: Vec<(&str, Vec<Test>, bool)> = p
        .conditional_variables
        .iter()
        .map(|c| {
            let when = c
                .when
                .iter()
                .map(|t| (t.kind.clone(), t.pattern.as_deref(), t.choices.clone()))
                .collect();
            (c.value.as_str(), when, c.otherwise)
        })
        .collect();
    let manual = (TriggerKind::Manual, Some("ENV"), vec!["dev".to_owned()]);
    let main = (TriggerKind::Branch, Some("main"), Vec::new());
    let hotfix = (TriggerKind::Branch, Some("hotfix*"), Vec::new());
    let odd = (
        TriggerKind::Expression,
        Some("and(eq(1, 1), eq(2, 2))"),
        Vec::new(),
    );
    assert_eq!(
        read,
        vec![
            ("DEV", vec![manual], false),
            ("PROD", vec![main, hotfix], false),
            ("ODD", vec![odd], false),
            ("SANDBOX", Vec::new(), true),
        ]
    );
    assert!(p.conditional_variables.iter().all(|c| c.name == "target"));
}

/// An `each` over a list parameter repeats its body per item with the item put in (`${{ e }}`,
/// `${{ e.key }}`); a body that is the item inserts the items; a loop that would repeat more
/// than the reader expands is read once, as written, with a diagnostic.
#[test]
fn each_loops_repeat_their_body_per_item() {
    let src = "parameters:
  - name: envs
    type: object
    default:
      - name: dev
        ns: shop-dev
      - name: prod
        ns: shop-prod
  - name: regions
    type: object
    default: [eu, us]
  - name: extra
    type: object
    default:
      - script: echo extra
jobs:
  - ${{ each e in parameters.envs }}:
      - job: deploy_${{ e.name }}
        steps:
          - script: kubectl apply -n ${{ e.ns }} -f k8s/
          - ${{ each r in parameters.regions }}:
              - script: echo ${{ r }} ${{ e.name }}
          - ${{ each s in parameters.extra }}:
              - ${{ s }}
";
    let p = pipeline(&[(PATH, src)]);
    let ids: Vec<&str> = p.jobs.iter().map(|j| j.id.as_str()).collect();
    assert_eq!(ids, ["deploy_dev", "deploy_prod"]);
    assert_eq!(
        test_support::scripts(&p.jobs[1]),
        [
            "kubectl apply -n shop-prod -f k8s/",
            "echo eu prod",
            "echo us prod",
            "echo extra"
        ]
    );
    let items: String = (0..20_000).map(|i| format!("      - n{i}\n")).collect();
    let big = format!(
        "parameters:\n  - name: many\n    type: object\n    default:\n{items}jobs:\n  - ${{{{ each m in parameters.many }}}}:\n      - job: j_${{{{ m }}}}\n        steps:\n          - script: echo ${{{{ m }}}}\n"
    );
    let (p, diagnostics) = read_files(&[(PATH, big.as_str())]);
    let p = p.expect("a pipeline");
    assert_eq!(p.jobs.len(), 1, "read once, as written");
    assert!(
        diagnostics
            .iter()
            .any(|d| d.message.contains("would repeat its body 20000 times")),
        "{diagnostics:?}"
    );
}

/// A list that opens into more items than the reader expands says so; it is not cut short
/// silently.
#[test]
fn a_list_past_the_expansion_budget_is_reported() {
    let items: String = (0..120).map(|i| format!("      - n{i}\n")).collect();
    let src = format!(
        "parameters:\n  - name: a\n    type: object\n    default:\n{items}jobs:\n  - ${{{{ each x in parameters.a }}}}:\n    - ${{{{ each y in parameters.a }}}}:\n      - job: j_${{{{ x }}}}_${{{{ y }}}}\n        steps:\n          - script: echo hi\n"
    );
    let (p, diagnostics) = read_files(&[(PATH, src.as_str())]);
    assert!(p.expect("a pipeline").jobs.len() < 120 * 120);
    assert!(
        diagnostics
            .iter()
            .any(|d| d.message.contains("open into more than 10000 items")),
        "{diagnostics:?}"
    );
}

#[test]
fn step_condition_is_the_steps_own() {
    let text = "trigger: [main]\nsteps:\n  - script: make\n  - task: HelmDeploy@0\n    condition: and(succeeded(), eq(variables['Build.SourceBranch'], 'refs/heads/main'))\n    inputs:\n      command: upgrade\n  - bash: kubectl apply -f k8s/\n    condition: ne(variables['Build.Reason'], 'PullRequest')\n";
    let p = pipeline(&[(PATH, text)]);
    let steps = test_support::step_conds(&p.jobs[0]);
    assert_eq!(steps[0], Vec::new());
    // As a job's: the ref tests it makes (all of it is read, so the text is not kept).
    assert_eq!(
        steps[1],
        [(TriggerKind::Branch, Some("main".to_owned()), false)]
    );
    assert_eq!(steps[2], [(TriggerKind::PullRequest, None, true)]);
}
