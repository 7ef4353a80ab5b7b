//! INFER stage: `secret-to-cluster` — CI secrets a deploy hands to the cluster: a Helm value set
//! on the command line (`helm upgrade … --set db.password=${{ secrets.DB }}`) and a Secret made
//! on the fly (`kubectl create secret generic db --from-literal=password=$DB_PASSWORD`). Once an
//! operator deploys from Git, those values must already be in the cluster, as Secrets sealed
//! into Git; these facts say which, per job. Only names are kept.
//!
//! A reference counts when it names a CI secret: `secrets.X` (GitHub), a variable the job maps
//! to one (`env: {DB: ${{ secrets.DB }}}`), or on GitLab a `$X` the pipeline does not define,
//! which is a CI/CD variable from the project's settings.

use std::collections::HashMap;

use crate::infer::RuleId;
use crate::infer::engine::{CommandSite, JobSite, Rule};
use crate::infer::vocab::variable_refs;
use crate::infer::{Confidence, Evidence, Facts, SecretFlow, SecretTarget};
use crate::read::{CiSystem, Step};

/// Helm and kubectl commands that put CI secrets into the cluster ⇒ [`SecretFlow`].
#[derive(Default)]
pub(crate) struct SecretToCluster {
    /// The current job's variables, by name, with the secrets their values reference.
    secrets_of: HashMap<String, Vec<String>>,
    /// Whether the current job's pipeline is GitLab's.
    gitlab: bool,
}

impl Rule for SecretToCluster {
    fn id(&self) -> RuleId {
        RuleId::SecretToCluster
    }

    fn on_job(&mut self, job: &JobSite<'_>, _facts: &mut Facts) {
        self.gitlab = job.pipeline.system == CiSystem::GitlabCi;
        self.secrets_of.clear();
        let steps = job.job.steps.iter().filter_map(|s| match s {
            Step::Script { env, .. } => Some(env.iter()),
            _ => None,
        });
        for (name, value) in job.vars.iter().chain(steps.flatten()) {
            self.secrets_of
                .insert(name.clone(), secret_names(&variable_refs(value)));
        }
    }

    fn on_command(&mut self, c: &CommandSite<'_>, facts: &mut Facts) {
        let words: Vec<&str> = c.cmd.words.iter().map(|w| w.text.as_str()).collect();
        let found = match words.as_slice() {
            ["helm", sub, rest @ ..] if ["upgrade", "install"].contains(sub) => helm_values(rest),
            ["kubectl", "create", "secret", "generic", rest @ ..] => literals(rest),
            _ => return,
        };
        for (target, value) in found {
            for ci_name in self.secrets_in(&value) {
                let note = format!(
                    "the CI secret `{ci_name}` reaches the cluster as {}{}",
                    describe(&target),
                    c.unit.how(c.cmd)
                );
                let evidence = Evidence::new(self.id(), c.unit.loc(c.cmd), note, Confidence::High);
                facts.secret_flows.push(SecretFlow {
                    job: c.job.key.clone(),
                    ci_name,
                    target: target.clone(),
                    evidence,
                });
            }
        }
    }
}

impl SecretToCluster {
    /// The CI secrets `value` references, directly or through the job's variables.
    fn secrets_in(&self, value: &str) -> Vec<String> {
        let mut names = Vec::new();
        for reference in variable_refs(value) {
            let found = match reference.strip_prefix("secrets.") {
                Some(name) => vec![name.to_owned()],
                None => match self.secrets_of.get(&reference) {
                    Some(mapped) => mapped.clone(),
                    // A GitLab variable the file does not define comes from the settings (or a
                    // parent pipeline): a secret when it is named like one.
                    None if self.gitlab && secret_like(&reference) => vec![reference],
                    None => Vec::new(),
                },
            };
            for name in found {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        names
    }
}

/// Whether a variable's name says it holds a secret (`DB_PASSWORD`, `API_TOKEN`, `SENTRY_DSN`);
/// GitLab's predefined `CI_*` variables never do.
fn secret_like(name: &str) -> bool {
    const WORDS: [&str; 9] = [
        "PASSWORD",
        "PASSWD",
        "PWD",
        "SECRET",
        "TOKEN",
        "KEY",
        "CREDENTIAL",
        "DSN",
        "AUTH",
    ];
    let upper = name.to_ascii_uppercase();
    !upper.starts_with("CI_") && WORDS.iter().any(|w| upper.contains(w))
}

/// The `secrets.X` among `refs`, without the prefix.
fn secret_names(refs: &[String]) -> Vec<String> {
    refs.iter()
        .filter_map(|r| r.strip_prefix("secrets.").map(str::to_owned))
        .collect()
}

/// The `--set`/`--set-string` values of a `helm upgrade|install` (after the subcommand), each
/// with the release when the command names one.
fn helm_values(args: &[&str]) -> Vec<(SecretTarget, String)> {
    let release = args
        .iter()
        .find(|a| !a.starts_with('-'))
        .map(|r| (*r).to_owned());
    let mut out = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let assignments = match arg.split_once('=') {
            Some(("--set" | "--set-string", rest)) => rest.to_owned(),
            None if *arg == "--set" || *arg == "--set-string" => match iter.next() {
                Some(next) => (*next).to_owned(),
                None => break,
            },
            _ => continue,
        };
        // `--set a=1,b=2` sets several values.
        for pair in assignments.split(',') {
            if let Some((key, value)) = pair.split_once('=') {
                let target = SecretTarget::HelmValue {
                    release: release.clone(),
                    key: key.to_owned(),
                };
                out.push((target, value.to_owned()));
            }
        }
    }
    out
}

/// The `--from-literal` keys of `kubectl create secret generic <name>`.
fn literals(args: &[&str]) -> Vec<(SecretTarget, String)> {
    let Some(secret) = args.iter().find(|a| !a.starts_with('-')) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let literal = match arg.strip_prefix("--from-literal") {
            Some(rest) if rest.starts_with('=') => rest[1..].to_owned(),
            Some("") => match iter.next() {
                Some(next) => (*next).to_owned(),
                None => break,
            },
            _ => continue,
        };
        if let Some((key, value)) = literal.split_once('=') {
            let target = SecretTarget::SecretKey {
                secret: (*secret).to_owned(),
                key: key.to_owned(),
            };
            out.push((target, value.to_owned()));
        }
    }
    out
}

fn describe(target: &SecretTarget) -> String {
    match target {
        SecretTarget::HelmValue { key, .. } => format!("the Helm value `{key}`"),
        SecretTarget::SecretKey { secret, key } => format!("key `{key}` of Secret `{secret}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::repo::MemRepo;
    use crate::infer::commands::tests::{job, pipeline, script_step};
    use crate::infer::engine::run_one;

    fn flows(system: CiSystem, script: &str) -> Vec<(String, SecretTarget)> {
        let p = pipeline(
            "ci.yml",
            system,
            vec![job("deploy", vec![script_step("ci.yml", script, 3, 4)])],
        );
        run_one(SecretToCluster::default(), &[p], &MemRepo::default())
            .secret_flows
            .into_iter()
            .map(|f| (f.ci_name, f.target))
            .collect()
    }

    fn helm(key: &str) -> SecretTarget {
        SecretTarget::HelmValue {
            release: Some("web".to_owned()),
            key: key.to_owned(),
        }
    }

    #[test]
    fn helm_set_values_name_their_secrets_and_never_keep_a_value() {
        let got = flows(
            CiSystem::GithubActions,
            "helm upgrade --install web ./chart --set image.tag=1 \
             --set db.password=${{ secrets.DB_PASSWORD }},smtp.user=${{ secrets.SMTP }} \
             --set-string=api.key=\"${{ secrets.API_KEY }}\"\n",
        );
        assert_eq!(
            got,
            [
                ("DB_PASSWORD".to_owned(), helm("db.password")),
                ("SMTP".to_owned(), helm("smtp.user")),
                ("API_KEY".to_owned(), helm("api.key")),
            ]
        );
    }

    #[test]
    fn kubectl_literals_and_gitlab_variables() {
        let got = flows(
            CiSystem::GitlabCi,
            "kubectl create secret generic db --from-literal=password=$DB_PASSWORD \
             --from-literal user=app --from-literal=sha=$CI_COMMIT_SHA \
             --from-literal=tag=$IMAGE_TAG\n",
        );
        let target = SecretTarget::SecretKey {
            secret: "db".to_owned(),
            key: "password".to_owned(),
        };
        assert_eq!(got, [("DB_PASSWORD".to_owned(), target)]);
        // On GitHub a bare variable is no secret unless the job maps one into it.
        assert!(
            flows(
                CiSystem::GithubActions,
                "kubectl create secret generic db --from-literal=password=$DB\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn other_commands_hand_nothing_over() {
        for script in [
            "helm template web ./chart --set a=${{ secrets.X }}\n",
            "kubectl apply -f k8s/\n",
            "echo ${{ secrets.X }}\n",
        ] {
            assert!(
                flows(CiSystem::GithubActions, script).is_empty(),
                "{script}"
            );
        }
    }
}
