//! RENDER stage: the one-shot `.github/workflows/gitops-seal-secrets.yml` of
//! `secrets.from_ci`. Started by hand, one job per environment (in that GitHub environment, so
//! environment secrets are there): each CI secret reaches `gitops-gen seal --from-env` through
//! the step's `env:` (never a command line), the SealedSecrets land in the environment's
//! `infrastructure/overlays/<env>/secrets/`, `gitops-gen generate` lists them in the overlay, and
//! the job pushes a branch and opens a pull request. Nothing is printed but names.

use serde::Serialize;

use crate::error::Error;
use crate::model::Config;
use crate::model::delivery::{SecretsProvider, from_ci_by_secret};
use crate::model::tree::{GitopsTree, SEALED_SECRETS_DIR};
use crate::render::ci::install::GithubInstallView;
use crate::render::ci::pins::{self, ActionPins};
use crate::render::escape::Expression;
use crate::render::shell::{ShellCommand, ShellWord};

pub(crate) const TEMPLATE: &str = "ci/github/gitops-seal-secrets.yml.j2";
pub(crate) const OUTPUT: &str = ".github/workflows/gitops-seal-secrets.yml";

#[derive(Debug, Serialize)]
pub(crate) struct SealWorkflowView {
    jobs: Vec<SealJobView>,
    base: String,
    install: GithubInstallView,
    actions: ActionPins,
}

/// One environment's sealing, as both CI systems run it.
#[derive(Debug, Serialize)]
pub(crate) struct SealJobView {
    id: String,
    env: String,
    /// Each CI secret as the variable of its name.
    variables: Vec<VariableView>,
    /// One `gitops-gen seal` per Secret.
    commands: Vec<ShellCommand>,
    /// `git add` of the overlay's `secrets/` folder.
    add: ShellCommand,
    branch: String,
    title: String,
}

#[derive(Debug, Serialize)]
struct VariableView {
    name: String,
    value: Expression,
}

impl SealWorkflowView {
    /// The workflow, when the model fills Secrets from CI secrets.
    pub(crate) fn new(
        config: &Config,
        install: GithubInstallView,
    ) -> Result<Option<SealWorkflowView>, Error> {
        let jobs = jobs(config, "seal")?;
        if jobs.is_empty() {
            return Ok(None);
        }
        Ok(Some(SealWorkflowView {
            jobs,
            base: config.gitops.branch.clone(),
            install,
            actions: pins::ACTIONS,
        }))
    }
}

/// One job per environment that `secrets.from_ci` fills, `<prefix>-<env>`, in model order;
/// none unless Sealed Secrets is the provider.
pub(crate) fn jobs(config: &Config, prefix: &str) -> Result<Vec<SealJobView>, Error> {
    // With the External Secrets Operator, ExternalSecrets read them from the store instead.
    if config.secrets.provider != SecretsProvider::SealedSecrets {
        return Ok(Vec::new());
    }
    let from_ci = &config.secrets.from_ci;
    let tree = GitopsTree::of(config);
    let mut jobs = Vec::new();
    for env in &config.environments {
        let name = env.name.value.as_str();
        let secrets = from_ci_by_secret(from_ci, name);
        if secrets.is_empty() {
            continue;
        }
        let dir = format!("{}/{SEALED_SECRETS_DIR}", tree.infrastructure_overlay(name));
        let mut variables: Vec<VariableView> = Vec::new();
        let mut commands = Vec::new();
        for (secret, pairs) in &secrets {
            let mut command = ShellCommand::new("gitops-gen seal --env")
                .arg(name)
                .fixed("--name")
                .arg(*secret);
            for (key, from) in pairs {
                command = command
                    .fixed("--from-env")
                    .arg(ShellWord::text(format!("{key}={from}")));
                if !variables.iter().any(|v| v.name == *from) {
                    let value = Expression::secret(from)
                        .ok_or_else(|| Error::Internal(format!("`{from}` is no secret name")))?;
                    variables.push(VariableView {
                        name: (*from).to_owned(),
                        value,
                    });
                }
            }
            commands.push(
                command
                    .fixed("-o")
                    .arg(ShellWord::text(format!("{dir}/{secret}.yaml"))),
            );
        }
        jobs.push(SealJobView {
            id: format!("{prefix}-{name}"),
            env: name.to_owned(),
            variables,
            commands,
            add: ShellCommand::new("git add --").arg(ShellWord::text(dir)),
            branch: format!("gitops-gen/seal-secrets-{name}"),
            title: format!("Seal the CI secrets of {name}"),
        });
    }
    Ok(jobs)
}
