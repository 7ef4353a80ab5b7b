//! INFER stage: `deploy-action` — packaged steps that deploy: GitHub actions such as
//! `azure/k8s-deploy`, CircleCI orb commands, Azure tasks (`KubernetesManifest@1` with
//! `action: deploy`), Bitbucket pipes and Jenkins `kubernetesDeploy`.

use crate::infer::RuleId;
use crate::infer::engine::{ActionSite, Rule};
use crate::infer::vocab;
use crate::infer::{Confidence, DeployStep, Evidence, Facts};

/// Packaged steps in the deploy vocabulary ⇒ [`DeployStep`].
pub(crate) struct DeployAction;

impl Rule for DeployAction {
    fn id(&self) -> RuleId {
        RuleId::DeployAction
    }

    fn on_action(&mut self, a: &ActionSite<'_>, facts: &mut Facts) {
        if a.job.throwaway_cluster {
            return;
        }
        let Some(m) = a
            .spec
            .and_then(|spec| vocab::classify_action_deploy(spec, a.with))
            .filter(|m| !m.dry_run)
        else {
            return;
        };
        let command = a.uses.trim().to_owned();
        let note = format!("`{command}` deploys with {} ({})", m.tool, m.operation);
        let evidence = Evidence::new(self.id(), a.loc.clone(), note, Confidence::High);
        let step = DeployStep::new(&a.job.key, a.job.pipeline.system, m, command, evidence);
        facts.deploy_steps.push(step);
    }
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
        run_one(DeployAction, std::slice::from_ref(p), &MemRepo::default())
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
