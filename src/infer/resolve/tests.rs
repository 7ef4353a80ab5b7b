//! Resolution on hand-made facts: step merging, job environments, tiers, apps.

use super::*;
use crate::infer::vocab::CredentialKind;
use crate::infer::{
    Confidence, CredentialScope, EnvironmentHint, Evidence, HintSource, RuleId, Tier,
};
use crate::read::CiSystem;
use crate::yaml::Span;

fn evidence(file: &str, at: usize) -> Evidence {
    Evidence::new(
        RuleId::DeployCommand,
        Loc::new(file, Span::new(at, at + 1)),
        String::new(),
        Confidence::High,
    )
}

fn deploy(pipeline: &str, job: &str, at: usize, operation: &str) -> DeployStep {
    DeployStep {
        system: CiSystem::GithubActions,
        job: JobKey::new(pipeline, job),
        tool: DeployTool::Kubectl,
        operation: operation.to_owned(),
        command: format!("kubectl {operation}"),
        namespace: None,
        context: None,
        paths: Vec::new(),
        evidence: evidence("deploy.sh", at),
    }
}

fn hint(pipeline: &str, job: &str, name: &str, source: HintSource) -> EnvironmentHint {
    EnvironmentHint {
        name: name.to_owned(),
        job: JobKey::new(pipeline, job),
        source,
        dynamic: crate::infer::tier::is_dynamic(name),
        events: None,
        refs: None,
        chosen_by: Vec::new(),
        evidence: evidence(pipeline, 0),
    }
}

#[test]
fn a_command_several_jobs_run_is_one_step() {
    let facts = Facts {
        deploy_steps: vec![
            deploy("b.yml", "prod", 10, "apply"),
            deploy("a.yml", "staging", 10, "apply"),
            deploy("a.yml", "staging", 3, "delete"),
        ],
        environment_hints: vec![
            hint("a.yml", "staging", "staging", HintSource::Environment),
            hint("b.yml", "prod", "production", HintSource::Environment),
        ],
        ..Facts::default()
    };
    let inference = resolve(&facts, &[]);
    let steps: Vec<(usize, usize, Option<&str>, bool)> = inference
        .deploy_steps
        .iter()
        .map(|d| {
            let at = d.step.evidence.loc.span.start;
            (at, d.jobs.len(), d.environment.as_deref(), d.migratable)
        })
        .collect();
    assert_eq!(steps, [(3, 1, Some("staging"), false), (10, 2, None, true)]);
    let shared = &inference.deploy_steps[1];
    assert_eq!(shared.step.job, JobKey::new("b.yml", "prod"));
    assert_eq!(
        shared.jobs,
        [
            JobKey::new("a.yml", "staging"),
            JobKey::new("b.yml", "prod")
        ]
    );
}

#[test]
fn a_job_deploys_to_its_strongest_hints() {
    let facts = Facts {
        deploy_steps: vec![deploy("ci.yml", "d", 0, "apply")],
        environment_hints: vec![
            hint("ci.yml", "d", "prod", HintSource::JobName),
            hint("ci.yml", "d", "eu", HintSource::Namespace),
            hint("ci.yml", "d", "us", HintSource::Namespace),
            // A cluster ranks below the namespace the deploy command is given.
            hint("ci.yml", "d", "prod", HintSource::Context),
            hint("ci.yml", "d", "eu", HintSource::Namespace),
            // Same job id, another pipeline file: not this job's hint.
            hint("other.yml", "d", "staging", HintSource::Environment),
        ],
        ..Facts::default()
    };
    let index = JobIndex::new(&facts);
    let key = JobKey::new("ci.yml", "d");
    let names: Vec<&str> = index
        .environments(&key)
        .iter()
        .map(|h| h.name.as_str())
        .collect();
    assert_eq!(names, ["eu", "us"]);
    assert_eq!(index.environment(&key), None);
    assert!(index.deploys(&key) && !index.deploys(&JobKey::new("other.yml", "d")));
    let names: Vec<String> = resolve(&facts, &[])
        .environments
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(names, ["eu", "us"], "other.yml's job deploys nothing");
}

#[test]
fn a_literal_namespace_names_the_target_when_it_tells_targets_apart() {
    use HintSource::{JobName, Namespace, NamespaceName};
    // (pipeline, job, name, source)
    let hints = [
        // One namespace for one target: the namespace names it, the job name its tier.
        ("ci.yml", "deploy-production", "billing", NamespaceName),
        ("ci.yml", "deploy-production", "production", JobName),
        // A namespace with a tier word already names its job's target.
        ("ci.yml", "deploy-staging", "billing-staging", Namespace),
        // `web` is written by two jobs named for two targets: the tiers name them.
        ("a.yml", "deploy-staging", "web", NamespaceName),
        ("a.yml", "deploy-staging", "staging", JobName),
        ("b.yml", "deploy-testnet", "web", NamespaceName),
        ("b.yml", "deploy-testnet", "testnet", JobName),
        // Two namespaces in one job (an add-on and the app): neither tells the target.
        ("c.yml", "deploy-qa", "cert-manager", NamespaceName),
        ("c.yml", "deploy-qa", "shop", NamespaceName),
        ("c.yml", "deploy-qa", "qa", JobName),
        // A Groovy name is no namespace written out, and `default` names no target.
        ("d.yml", "deploy-prod", "TOOLS_NAMESPACE", NamespaceName),
        ("d.yml", "deploy-prod", "prod", JobName),
        ("e.yml", "deploy-dev", "default", NamespaceName),
        ("e.yml", "deploy-dev", "dev", JobName),
    ];
    let mut jobs: Vec<(&str, &str)> = hints.iter().map(|(p, j, _, _)| (*p, *j)).collect();
    jobs.dedup();
    let facts = Facts {
        deploy_steps: jobs
            .iter()
            .enumerate()
            .map(|(at, (p, j))| deploy(p, j, at, "apply"))
            .collect(),
        environment_hints: hints
            .iter()
            .map(|(p, j, name, source)| hint(p, j, name, *source))
            .collect(),
        ..Facts::default()
    };
    let index = JobIndex::new(&facts);
    let names = |pipeline: &str, job: &str| -> Vec<String> {
        let key = JobKey::new(pipeline, job);
        index
            .environments(&key)
            .iter()
            .map(|h| h.name.clone())
            .collect()
    };
    assert_eq!(names("ci.yml", "deploy-production"), ["billing"]);
    assert_eq!(names("ci.yml", "deploy-staging"), ["billing-staging"]);
    assert_eq!(names("a.yml", "deploy-staging"), ["staging"]);
    assert_eq!(names("b.yml", "deploy-testnet"), ["testnet"]);
    assert_eq!(names("c.yml", "deploy-qa"), ["qa"]);
    assert_eq!(names("d.yml", "deploy-prod"), ["prod"]);
    assert_eq!(names("e.yml", "deploy-dev"), ["dev"]);
    let tiers: Vec<(String, Tier)> = resolve(&facts, &[])
        .environments
        .into_iter()
        .map(|e| (e.name, e.tier))
        .collect();
    assert!(
        tiers.contains(&("billing".to_owned(), Tier::Production)),
        "{tiers:?}"
    );
}

#[test]
fn tiers() {
    use environments::tier;
    assert_eq!(tier("eu", Some("production"), false), Tier::Production);
    assert_eq!(tier("production", None, true), Tier::Preview);
    assert_eq!(
        tier("review/$CI_COMMIT_REF_SLUG", None, false),
        Tier::Preview
    );
    assert_eq!(tier("qa", None, false), Tier::Testing);
}

#[test]
fn migratable_operations() {
    assert!(migratable(DeployTool::Kubectl, "apply"));
    assert!(migratable(DeployTool::Helm, "upgrade-install"));
    assert!(!migratable(DeployTool::Helm, "uninstall"));
    assert!(!migratable(DeployTool::Kubectl, "rollout-restart"));
    assert!(!migratable(DeployTool::Jx, "apply"));
}

#[test]
fn credentials_are_kept_per_place() {
    let credential = |pipeline: &str, at| CredentialFact {
        kind: CredentialKind::Kubeconfig,
        name: "secrets.KUBECONFIG".to_owned(),
        scope: CredentialScope::Job(JobKey::new(pipeline, "deploy")),
        evidence: evidence(pipeline, at),
        deploy_only: false,
    };
    let facts = Facts {
        credentials: vec![
            credential("b.yml", 5),
            credential("a.yml", 5),
            credential("a.yml", 5),
        ],
        ..Facts::default()
    };
    let credentials = resolve(&facts, &[]).credentials;
    let files: Vec<&str> = credentials
        .iter()
        .map(|c| c.evidence.loc.file.as_ref())
        .collect();
    assert_eq!(files, ["a.yml", "b.yml"]);
}

#[test]
fn cloud_keys_are_kept_only_for_deploying_jobs() {
    let key = |job: &str| CredentialFact {
        kind: CredentialKind::CloudAws,
        name: "secrets.AWS_ACCESS_KEY_ID".to_owned(),
        scope: CredentialScope::Job(JobKey::new("w.yml", job)),
        evidence: evidence("w.yml", if job == "build" { 5 } else { 9 }),
        deploy_only: true,
    };
    let facts = Facts {
        credentials: vec![key("build"), key("deploy")],
        deploy_steps: vec![deploy("w.yml", "deploy", 9, "apply")],
        ..Facts::default()
    };
    let jobs: Vec<String> = resolve(&facts, &[])
        .credentials
        .iter()
        .filter_map(|c| c.scope.job().map(|j| j.job.to_string()))
        .collect();
    assert_eq!(jobs, ["deploy"]);
}
