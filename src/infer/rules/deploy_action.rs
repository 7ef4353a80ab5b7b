//! INFER stage: `deploy-action` — packaged steps that deploy: GitHub actions such as
//! `azure/k8s-deploy`, CircleCI orb commands, Azure tasks (`KubernetesManifest@1` with
//! `action: deploy`), Bitbucket pipes and Jenkins `kubernetesDeploy`.

use std::collections::HashSet;

use crate::infer::RuleId;
use crate::infer::engine::{ActionSite, Rule};
use crate::infer::vocab::{self, DeployMatch, DeployTool};
use crate::infer::{Confidence, Context, DeployStep, Evidence, Facts, JobKey};
use crate::read::CiSystem;

/// Packaged steps in the deploy vocabulary ⇒ [`DeployStep`].
#[derive(Default)]
pub(crate) struct DeployAction {
    /// GitHub calls of remote reusable workflows that did not deploy by themselves, kept for
    /// [`siblings_of_deploys`] (a pipeline's steps are gone by `finish`).
    remote_calls: Vec<RemoteCall>,
}

/// A call of a remote reusable workflow: the calling job, the reference, what it is handed and
/// where.
struct RemoteCall {
    job: JobKey,
    uses: String,
    with: Vec<(String, String)>,
    loc: crate::files::Loc,
}

impl Rule for DeployAction {
    fn id(&self) -> RuleId {
        RuleId::DeployAction
    }

    /// A job that extends a template no file read defines (GitLab: an include of another
    /// project, a CI/CD component; Azure: a pipeline, stages or jobs template of another
    /// repository) and nothing it runs here deploys, when it declares an environment it
    /// starts, or its name, its stage or the template's name says it deploys: the template is
    /// what deploys, with a tool that cannot be read. A template named for another target
    /// (`.terraform:deploy`) deploys no cluster. Then the GitLab includes named for
    /// deploying ([`included_deploys`]) and the remote reusable workflows that are siblings of
    /// a deploying one ([`siblings_of_deploys`]).
    fn finish(&mut self, cx: &Context<'_>, facts: &mut Facts) {
        let mut new = Vec::new();
        for pipeline in cx.pipelines {
            for job in &pipeline.jobs {
                let Some(parent) = job.extends_unread.first() else {
                    continue;
                };
                let key = JobKey::of(pipeline, job);
                // A template named for another target deploys there, not to a cluster
                // (`extends: .terraform:deploy` of GitLab's Terraform template).
                let elsewhere = job
                    .extends_unread
                    .iter()
                    .any(|p| vocab::names_another_target(p));
                if elsewhere
                    || vocab::names_an_undo(&job.id)
                    || facts.deploy_steps.iter().any(|d| d.job == key)
                {
                    continue;
                }
                let (says, loc) = match &job.environment {
                    Some(env) => {
                        let starts = env.action.as_deref().is_none_or(|a| a == "start");
                        let named = format!("declares environment `{}`", env.name);
                        (starts.then_some(named), env.loc.clone())
                    }
                    None => {
                        let names = [job.id.as_str(), job.stage.as_deref().unwrap_or_default()];
                        let deploys = names
                            .into_iter()
                            .chain(job.extends_unread.iter().map(String::as_str))
                            .any(vocab::names_a_deploy);
                        (
                            deploys.then(|| "is named for deploying".to_owned()),
                            job.loc.clone(),
                        )
                    }
                };
                let Some(says) = says else {
                    continue;
                };
                let m = DeployMatch::new(DeployTool::Unknown, "call");
                let id = &job.id;
                let (note, command) = if parent == id {
                    (
                        format!(
                            "job `{id}` {says} and has no script here: it completes the job of that name of an include that cannot be read"
                        ),
                        format!("included job {id}"),
                    )
                } else {
                    (
                        format!(
                            "job `{id}` {says} and extends `{parent}`, which no file read defines (its code cannot be read)"
                        ),
                        format!("extends: {parent}"),
                    )
                };
                let evidence = Evidence::new(self.id(), loc, note, Confidence::Low);
                new.push(DeployStep::new(&key, pipeline.system, m, command, evidence));
            }
        }
        facts.deploy_steps.extend(new);
        included_deploys(cx, facts);
        siblings_of_deploys(&self.remote_calls, facts);
    }

    fn on_action(&mut self, a: &ActionSite<'_>, facts: &mut Facts) {
        if a.job.throwaway_cluster || a.job.switched_off || a.switched_off {
            return;
        }
        let command = a.uses.trim().to_owned();
        let (m, note, confidence) = match a
            .spec
            .and_then(|spec| vocab::classify_action_deploy(spec, a.with))
        {
            Some(m) if m.dry_run => return,
            Some(m) => {
                let note = format!("`{command}` deploys with {} ({})", m.tool, m.operation);
                (m, note, Confidence::High)
            }
            None => match library_deploy(a) {
                Some(found) => found,
                None => {
                    if a.job.pipeline.system == CiSystem::GithubActions
                        && command.contains("/.github/workflows/")
                    {
                        self.remote_calls.push(RemoteCall {
                            job: a.job.key.clone(),
                            uses: command,
                            with: a.with.to_vec(),
                            loc: a.loc.clone(),
                        });
                    }
                    return;
                }
            },
        };
        let evidence = Evidence::new(self.id(), a.loc.clone(), note, confidence);
        let step = DeployStep::new(&a.job.key, a.job.pipeline.system, m, command, evidence);
        facts.deploy_steps.push(step);
    }
}

/// A GitLab pipeline in which nothing deploys, whose includes that cannot be read offline
/// (another project's file, a URL, a GitLab template, a CI/CD component) include one named for
/// deploying ([`vocab::include_deploys`]: `cd.gitlab-ci.yml`, `Auto-DevOps.gitlab-ci.yml`):
/// the included jobs deploy, with a tool that cannot be read. Each such include is one deploy
/// step of tool `unknown`, operation `call` and low confidence, under the job id
/// `include:<kind> <reference>`: its jobs' names, environments and rules are in the file.
fn included_deploys(cx: &Context<'_>, facts: &mut Facts) {
    let mut new = Vec::new();
    for pipeline in cx.pipelines {
        if pipeline.system != CiSystem::GitlabCi
            || facts
                .deploy_steps
                .iter()
                .any(|d| *d.job.pipeline == *pipeline.file)
        {
            continue;
        }
        for u in &pipeline.unresolved {
            if !vocab::include_deploys(&u.kind, &u.reference) {
                continue;
            }
            let key = JobKey::new(&pipeline.file, &format!("{} {}", u.kind, u.reference));
            let note = format!(
                "`{}` `{}` is named for deploying; its jobs cannot be read offline",
                u.kind, u.reference
            );
            let evidence =
                Evidence::new(RuleId::DeployAction, u.loc.clone(), note, Confidence::Low);
            let m = DeployMatch::new(DeployTool::Unknown, "call");
            let command = format!("{}: {}", u.kind, u.reference);
            new.push(DeployStep::new(&key, pipeline.system, m, command, evidence));
        }
    }
    facts.deploy_steps.extend(new);
}

/// Remote reusable workflows that are siblings of a deploying one this repository calls
/// ([`vocab::DeployFamilies`]): deploys of unknown tool, low confidence, in jobs that
/// deploy nothing else.
fn siblings_of_deploys(calls: &[RemoteCall], facts: &mut Facts) {
    let deploying: Vec<&str> = facts
        .deploy_steps
        .iter()
        .filter(|d| d.operation == "call")
        .map(|d| d.command.as_str())
        .collect();
    let families = vocab::DeployFamilies::new(&deploying);
    let deploys: HashSet<&JobKey> = facts.deploy_steps.iter().map(|d| &d.job).collect();
    let mut new = Vec::new();
    for call in calls {
        if deploys.contains(&call.job) {
            continue;
        }
        let Some(sibling) = families.sibling_of(&call.uses, &call.with) else {
            continue;
        };
        let m = DeployMatch::new(DeployTool::Unknown, "call");
        let note = format!(
            "`{}` is handed secrets and named as `{sibling}` is, which deploys (its code cannot be read)",
            call.uses
        );
        let evidence = Evidence::new(
            RuleId::DeployAction,
            call.loc.clone(),
            note,
            Confidence::Low,
        );
        let system = CiSystem::GithubActions;
        new.push(DeployStep::new(
            &call.job,
            system,
            m,
            call.uses.clone(),
            evidence,
        ));
    }
    facts.deploy_steps.extend(new);
}

/// A Jenkins shared-library step (a call the reader reported as one) whose name says it
/// deploys: with the tool of the `container(...)` it runs in (`helm`, `kubectl`), medium
/// confidence; else tool `unknown`, low confidence. Operation `call`: what it runs cannot be
/// read here. Its `namespace`, `cluster`/`context` and `environment` inputs are read as a
/// reusable workflow's are.
pub(crate) fn library_deploy(a: &ActionSite<'_>) -> Option<(DeployMatch, String, Confidence)> {
    if !a.library_step {
        return None;
    }
    let container = a.container;
    let tool = vocab::library_deploy_tool(a.uses, container)?;
    let input = |names: &[&str]| {
        vocab::input(a.with, names)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let m = DeployMatch {
        namespace: input(&["namespace", "ns", "k8snamespace", "kubenamespace"]),
        context: input(&["cluster", "clustername", "context", "kubecontext"]),
        environment: input(&[
            "environment",
            "env",
            "targetenvironment",
            "deployenvironment",
        ]),
        ..DeployMatch::new(tool, "call")
    };
    let uses = a.uses;
    let (note, confidence) = match (tool, container) {
        (DeployTool::Unknown, _) | (_, None) => (
            format!(
                "shared-library step `{uses}` is named for deploying (its code cannot be read)"
            ),
            Confidence::Low,
        ),
        (_, Some(c)) => (
            format!(
                "shared-library step `{uses}` is named for deploying and runs in container `{c}` ({tool})"
            ),
            Confidence::Medium,
        ),
    };
    Some((m, note, confidence))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::repo::MemRepo;
    use crate::infer::commands::tests::{action_step, job, pipeline};
    use crate::infer::engine::run_one;
    use crate::infer::vocab::DeployTool;
    use crate::read::{CiSystem, Pipeline};

    fn run(p: &Pipeline) -> Facts {
        run_one(
            DeployAction::default(),
            std::slice::from_ref(p),
            &MemRepo::default(),
        )
    }

    #[test]
    fn github_actions() {
        let p = pipeline(
            "w.yml",
            CiSystem::GithubActions,
            vec![job(
                "deploy",
                vec![
                    action_step("w.yml", "actions/checkout@v4", &[], 10),
                    action_step(
                        "w.yml",
                        "azure/k8s-bake@v2",
                        &[("renderEngine", "helm")],
                        20,
                    ),
                    action_step(
                        "w.yml",
                        "Azure/k8s-deploy@v4",
                        &[
                            ("namespace", "production"),
                            ("manifests", "k8s/deploy.yaml\nk8s/svc.yaml"),
                        ],
                        30,
                    ),
                    action_step(
                        "w.yml",
                        "steebchen/kubectl@v2.0.0",
                        &[("command", "rollout status deploy/x")],
                        40,
                    ),
                    action_step(
                        "w.yml",
                        "steebchen/kubectl@v2.0.0",
                        &[("command", "set image deploy/x c=i:1")],
                        50,
                    ),
                ],
            )],
        );
        let facts = run(&p);
        let got: Vec<(DeployTool, &str, usize)> = facts
            .deploy_steps
            .iter()
            .map(|d| (d.tool, d.operation.as_str(), d.evidence.loc.span.start))
            .collect();
        assert_eq!(
            got,
            [
                (DeployTool::Kubectl, "deploy", 30),
                (DeployTool::Kubectl, "set-image", 50)
            ]
        );
        assert_eq!(
            facts.deploy_steps[0].namespace.as_deref(),
            Some("production")
        );
        assert_eq!(facts.deploy_steps[0].paths.len(), 2);
        assert_eq!(facts.deploy_steps[0].command, "Azure/k8s-deploy@v4");
    }

    /// (system, uses, inputs, expected (tool, operation)).
    type Case = (
        CiSystem,
        &'static str,
        &'static [(&'static str, &'static str)],
        Option<(DeployTool, &'static str)>,
    );

    #[test]
    fn azure_tasks_circleci_orbs_bitbucket_pipes_jenkins() {
        let cases: &[Case] = &[
            (
                CiSystem::AzurePipelines,
                "KubernetesManifest@1",
                &[("action", "deploy")],
                Some((DeployTool::Kubectl, "deploy")),
            ),
            (
                CiSystem::AzurePipelines,
                "KubernetesManifest@0",
                &[("action", "bake")],
                None,
            ),
            (
                CiSystem::AzurePipelines,
                "HelmDeploy@0",
                &[("command", "upgrade")],
                Some((DeployTool::Helm, "upgrade")),
            ),
            (
                CiSystem::AzurePipelines,
                "HelmDeploy@0",
                &[("command", "package")],
                None,
            ),
            (
                CiSystem::AzurePipelines,
                "Kubernetes@1",
                &[("command", "apply"), ("arguments", "-f k8s/")],
                Some((DeployTool::Kubectl, "apply")),
            ),
            (
                CiSystem::AzurePipelines,
                "Kubernetes@1",
                &[("command", "login")],
                None,
            ),
            (
                CiSystem::Circleci,
                "kubernetes/create-or-update-resource",
                &[("resource-file-path", "k8s/app.yaml")],
                Some((DeployTool::Kubectl, "apply")),
            ),
            (
                CiSystem::Circleci,
                "kubernetes/create_or_update_resource",
                &[("dry_run", "server")],
                None,
            ),
            (
                CiSystem::Circleci,
                "helm/upgrade-helm-chart",
                &[("chart", "./chart")],
                Some((DeployTool::Helm, "upgrade-install")),
            ),
            (
                CiSystem::Circleci,
                "aws-eks/update-container-image",
                &[("cluster-name", "prod")],
                Some((DeployTool::Kubectl, "set-image")),
            ),
            (
                CiSystem::BitbucketPipelines,
                "atlassian/kubectl-run:3.1.2",
                &[("KUBECTL_COMMAND", "apply"), ("RESOURCE_PATH", "k8s")],
                Some((DeployTool::Kubectl, "apply")),
            ),
            (
                CiSystem::BitbucketPipelines,
                "atlassian/kubectl-run:3.1.2",
                &[("KUBECTL_COMMAND", "get pods")],
                None,
            ),
            (
                CiSystem::Jenkins,
                "kubernetesDeploy",
                &[("configs", "k8s/*.yaml"), ("kubeconfigId", "kc")],
                Some((DeployTool::Kubectl, "apply")),
            ),
            (
                CiSystem::Jenkins,
                "withKubeConfig",
                &[("credentialsId", "kc")],
                None,
            ),
            (
                CiSystem::Jenkins,
                "KubernetesEngineBuilder",
                &[("namespace", "prod"), ("manifestPattern", "k8s/")],
                Some((DeployTool::Kubectl, "apply")),
            ),
            (
                CiSystem::Jenkins,
                "openshift.selector.rollout.latest",
                &[],
                Some((DeployTool::Oc, "rollout-latest")),
            ),
            (
                CiSystem::Jenkins,
                "openshift.set",
                &[("arg", "image"), ("arg", "dc/web")],
                Some((DeployTool::Oc, "set-image")),
            ),
            (CiSystem::Jenkins, "openshift.selector.object", &[], None),
        ];
        for (system, uses, with, want) in cases {
            let p = pipeline(
                "ci",
                *system,
                vec![job("j", vec![action_step("ci", uses, with, 0)])],
            );
            let facts = run(&p);
            let got = facts
                .deploy_steps
                .first()
                .map(|d| (d.tool, d.operation.as_str()));
            assert_eq!(got, *want, "{uses} {with:?}");
        }
    }
}
