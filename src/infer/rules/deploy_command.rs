//! INFER stage: `deploy-command` — script steps that deploy (`kubectl apply`, `helm upgrade`,
//! `kustomize build | kubectl apply -f -`, ...), including the scripts and make targets a step
//! calls. Dry runs are not deploys.

use std::collections::HashSet;

use crate::files::Loc;
use crate::infer::RuleId;
use crate::infer::engine::{CommandSite, JobSite, Rule};
use crate::infer::{Confidence, DeployStep, Evidence, Facts};

/// Script commands in the deploy vocabulary ⇒ [`DeployStep`].
#[derive(Default)]
pub(crate) struct DeployCommand {
    /// The (place, operation) pairs already reported for the current job.
    seen: HashSet<(Loc, String)>,
}

impl Rule for DeployCommand {
    fn id(&self) -> RuleId {
        RuleId::DeployCommand
    }

    fn on_job(&mut self, _job: &JobSite<'_>, _facts: &mut Facts) {
        self.seen.clear();
    }

    fn on_command(&mut self, c: &CommandSite<'_>, facts: &mut Facts) {
        let Some(m) = c.deploy else {
            return;
        };
        let loc = c.unit.pipeline_loc(c.index);
        if !self.seen.insert((loc.clone(), m.operation.clone())) {
            return;
        }
        let command = c.unit.pipeline_line(c.index);
        // A script the repository does not hold, named for deploying: a guess from its name.
        let (note, confidence) = if m.operation == "call" {
            let note = format!(
                "`{command}` runs a script this repository does not hold, whose name says it \
                 deploys to a cluster (tool: {}){}",
                m.tool,
                c.unit.how(c.cmd)
            );
            (note, Confidence::Low)
        } else {
            let note = format!(
                "`{command}` deploys with {} ({}){}",
                m.tool,
                m.operation,
                c.unit.how(c.cmd)
            );
            (note, c.unit.confidence(c.cmd))
        };
        let evidence = Evidence::new(self.id(), loc, note, confidence);
        let step = DeployStep::new(
            &c.job.key,
            c.job.pipeline.system,
            m.clone(),
            command,
            evidence,
        );
        facts.deploy_steps.push(step);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::repo::MemRepo;
    use crate::infer::Confidence;
    use crate::infer::commands::tests::{job, pipeline, script_step};
    use crate::infer::engine::run_one;
    use crate::infer::vocab::DeployTool;
    use crate::read::{CiSystem, Pipeline};

    fn run(p: &Pipeline, repo: &MemRepo) -> Facts {
        run_one(DeployCommand::default(), std::slice::from_ref(p), repo)
    }

    #[test]
    fn finds_deploys_with_locs_in_the_pipeline_file() {
        let file = "script: |\n    echo start\n    # kubectl apply -f old/\n    echo kubectl apply -f x\n    kubectl get pods\n    kubectl apply --dry-run=client -f k8s/\n    helm template a ./c\n    helm upgrade --install web ./chart \\\n      -n prod -f values-prod.yaml\n    kustomize build overlays/prod | kubectl apply -f -\n";
        let text = "echo start\n# kubectl apply -f old/\necho kubectl apply -f x\nkubectl get pods\nkubectl apply --dry-run=client -f k8s/\nhelm template a ./c\nhelm upgrade --install web ./chart \\\n  -n prod -f values-prod.yaml\nkustomize build overlays/prod | kubectl apply -f -\n";
        let p = pipeline(
            "ci.yml",
            CiSystem::GitlabCi,
            vec![job("deploy", vec![script_step("ci.yml", text, 14, 4)])],
        );
        let facts = run(&p, &MemRepo::default());
        let got: Vec<(DeployTool, &str)> = facts
            .deploy_steps
            .iter()
            .map(|d| (d.tool, d.operation.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (DeployTool::Helm, "upgrade-install"),
                (DeployTool::Kustomize, "build-apply")
            ]
        );
        let helm = &facts.deploy_steps[0];
        assert_eq!(helm.namespace.as_deref(), Some("prod"));
        assert_eq!(helm.paths, ["./chart", "values-prod.yaml"]);
        assert_eq!(
            helm.command,
            "helm upgrade --install web ./chart -n prod -f values-prod.yaml"
        );
        assert_eq!(helm.evidence.confidence, Confidence::High);
        assert_eq!(
            &file[helm.evidence.loc.span.range()],
            "helm upgrade --install web ./chart \\\n      -n prod -f values-prod.yaml"
        );
        let k = &facts.deploy_steps[1];
        assert_eq!(
            &file[k.evidence.loc.span.range()],
            "kustomize build overlays/prod | kubectl apply -f -"
        );
        assert_eq!(k.paths, ["overlays/prod"]);
        assert_eq!(&*k.job.job, "deploy");
        assert_eq!(k.system, CiSystem::GitlabCi);
    }

    #[test]
    fn follows_called_scripts_with_locs_in_that_file() {
        let script = "#!/usr/bin/env bash\nset -euo pipefail\nKUBECTL=\"kubectl --context prod-eu\"\n$KUBECTL apply -k overlays/prod\n";
        let repo = MemRepo::from_pairs(&[
            ("deploy/deploy.sh", script),
            (
                "Makefile",
                "deploy:\n\thelm upgrade app ./chart -n staging\n",
            ),
        ]);
        let p = pipeline(
            ".github/workflows/cd.yml",
            CiSystem::GithubActions,
            vec![job(
                "cd",
                vec![script_step(
                    ".github/workflows/cd.yml",
                    "bash deploy/deploy.sh\nmake deploy\n",
                    40,
                    10,
                )],
            )],
        );
        let facts = run(&p, &repo);
        assert_eq!(facts.deploy_steps.len(), 2);
        let d = &facts.deploy_steps[0];
        assert_eq!(&*d.evidence.loc.file, "deploy/deploy.sh");
        assert_eq!(
            &script[d.evidence.loc.span.range()],
            "$KUBECTL apply -k overlays/prod"
        );
        assert_eq!(d.context.as_deref(), Some("prod-eu"));
        assert_eq!(d.paths, ["overlays/prod"]);
        assert_eq!(d.evidence.confidence, Confidence::Medium);
        assert!(
            d.evidence.note.contains("through `$KUBECTL`"),
            "{}",
            d.evidence.note
        );
        assert!(
            d.evidence
                .note
                .contains("called as `bash deploy/deploy.sh`"),
            "{}",
            d.evidence.note
        );
        let m = &facts.deploy_steps[1];
        assert_eq!(&*m.evidence.loc.file, "Makefile");
        assert_eq!(m.namespace.as_deref(), Some("staging"));
    }

    #[test]
    fn wrappers_and_job_variables_are_medium() {
        let mut j = job(
            "d",
            vec![script_step(
                "ci.yml",
                "sudo -E kubectl apply -f k8s/\n$HELM upgrade a ./c\n",
                0,
                0,
            )],
        );
        j.variables.push(("HELM".into(), "helm".into()));
        let p = pipeline("ci.yml", CiSystem::GitlabCi, vec![j]);
        let facts = run(&p, &MemRepo::default());
        assert_eq!(facts.deploy_steps.len(), 2);
        assert!(
            facts
                .deploy_steps
                .iter()
                .all(|d| d.evidence.confidence == Confidence::Medium)
        );
    }

    #[test]
    fn steps_without_line_starts_use_the_step_loc() {
        let mut step = script_step("Jenkinsfile", "kubectl apply -f k8s/", 100, 0);
        if let crate::read::Step::Script { line_starts, .. } = &mut step {
            line_starts.clear();
        }
        let p = pipeline(
            "Jenkinsfile",
            CiSystem::Jenkins,
            vec![job("Deploy", vec![step])],
        );
        let facts = run(&p, &MemRepo::default());
        assert_eq!(facts.deploy_steps[0].evidence.loc.span.start, 100);
    }

    /// A job that starts its own cluster on the runner and applies to it tests manifests; it
    /// deploys nowhere (issue 9: a false deploy file on real repositories).
    #[test]
    fn a_job_with_a_throwaway_cluster_deploys_nothing() {
        let kind = "kind create cluster --name ci\nkubectl apply -f k8s/\n";
        let k3s = crate::infer::commands::tests::action_step(
            "w.yml",
            "jupyterhub/action-k3s-helm@v4",
            &[],
            3,
        );
        let p = pipeline(
            "w.yml",
            CiSystem::GithubActions,
            vec![
                job("kind", vec![script_step("w.yml", kind, 10, 0)]),
                job(
                    "k3s",
                    vec![k3s, script_step("w.yml", "kubectl apply -f k8s/\n", 20, 0)],
                ),
                job(
                    "real",
                    vec![script_step("w.yml", "kubectl apply -f k8s/\n", 30, 0)],
                ),
            ],
        );
        let facts = run(&p, &MemRepo::default());
        let jobs: Vec<&str> = facts.deploy_steps.iter().map(|d| &*d.job.job).collect();
        assert_eq!(jobs, ["real"]);
    }
}
