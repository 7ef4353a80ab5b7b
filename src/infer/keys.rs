//! INFER stage: the keys facts are filed under. A job is named by its pipeline file and its id,
//! because ids repeat across files (a `deploy` job in two workflows); an environment hint names
//! what it was read from with a [`HintSource`], not a string compared by spelling.

use std::sync::Arc;

use serde::Serialize;

use crate::infer::spelled::spelled_enum;
use crate::read::{Job, Pipeline};

/// One job of one pipeline file. Every fact about the job holds a copy, so the two names are
/// shared, not copied.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub(crate) struct JobKey {
    /// The pipeline file the job is defined in (its commands may be written in other files).
    pub pipeline: Arc<str>,
    /// The job's id in that pipeline.
    pub job: Arc<str>,
}

impl JobKey {
    /// The key of `job` in `pipeline`.
    pub(crate) fn of(pipeline: &Pipeline, job: &Job) -> JobKey {
        JobKey::new(&pipeline.file, &job.id)
    }

    /// The key of job `job` in pipeline file `pipeline`.
    pub(crate) fn new(pipeline: &str, job: &str) -> JobKey {
        JobKey {
            pipeline: Arc::from(pipeline),
            job: Arc::from(job),
        }
    }
}

/// Where a credential is used: by a whole pipeline (a pipeline variable) or by one job.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CredentialScope {
    /// A pipeline variable: every job of the pipeline file sees it.
    Pipeline(String),
    /// One job's variable, script or step.
    Job(JobKey),
}

impl CredentialScope {
    /// The job, when the credential is job-scoped.
    pub(crate) fn job(&self) -> Option<&JobKey> {
        match self {
            CredentialScope::Pipeline(_) => None,
            CredentialScope::Job(key) => Some(key),
        }
    }

    /// The pipeline file whose variable or job uses the credential.
    pub(crate) fn pipeline(&self) -> &str {
        match self {
            CredentialScope::Pipeline(file) => file,
            CredentialScope::Job(key) => &key.pipeline,
        }
    }
}

spelled_enum! {
    /// What an environment hint was read from. How much it says about the job's environment is
    /// [`HintSource::rank`].
    pub(crate) enum HintSource {
        /// A declared environment (`environment:`, a tool's own `-e prod`).
        Environment => "environment",
        /// A values file named for an environment (`values-prod.yaml`).
        ValuesFile => "values-file",
        /// An overlay or environment directory (`overlays/prod`, `k8s/staging/`).
        Overlay => "overlay",
        /// `-n` / `--namespace`.
        Namespace => "namespace",
        /// A kube context or the cluster of a credentials command or step.
        Context => "context",
        /// The job's id or display name.
        JobName => "job-name",
        /// The job's stage.
        StageName => "stage-name",
        /// The name of a credential the job uses (`KUBE_CONFIG_PROD`).
        Credential => "credential",
        /// The API server host of a deploy command (`--server=https://api.prod...`).
        Server => "server",
        /// The arguments of a script the job runs (`./deploy.sh production`).
        ScriptArgument => "script-argument",
        /// The file name of a call that cannot be read, which deploys
        /// (`.../use-ks-gh-production-atlas.yaml@v1`, `deploy-api-dev.yml@pipelines`).
        CallName => "call-name",
        /// A variable of the job or its steps named for its environment, with a plain value
        /// (`DEPLOY_ENV: ca`).
        Variable => "variable",
        /// A manual start's choice input named for the environment (`environment: [staging,
        /// production]`), for a deploying job that names no target of its own.
        Input => "input",
        /// A namespace without a tier word, as written (`-n dagster`): the job's target when
        /// it tells targets apart (`JobIndex` ranks it as a namespace then), else only when
        /// nothing else names it.
        NamespaceName => "namespace-name",
        /// A Helm release name the script picks by CI event (`latest` on a push, `pr-$N` on
        /// pull requests), when no namespace is given.
        Release => "release",
        /// The workload a command changes (`kubectl set image deployment/web-prod`): only its
        /// tier word names the environment.
        Workload => "workload",
        /// An overlay or environment directory the job rendered into the file it deploys
        /// (`kustomize build overlays/prod > out.yaml`, then `kubectl apply -f out.yaml`).
        Rendered => "rendered",
    }
}

impl HintSource {
    /// How much a hint's source says about the job's environment; lower is stronger. A job's
    /// environments are the hints of its strongest source.
    pub(crate) fn rank(self) -> u8 {
        match self {
            HintSource::Environment => 0,
            // The namespace the deploy command is given says where it deploys; a values file
            // or overlay only how (`-f values-test.yml -n $NAMESPACE_STAGING` is staging).
            HintSource::Namespace => 1,
            HintSource::ValuesFile | HintSource::Overlay | HintSource::Context => 2,
            HintSource::JobName => 3,
            HintSource::StageName => 4,
            HintSource::Credential
            | HintSource::Server
            | HintSource::ScriptArgument
            | HintSource::CallName
            | HintSource::Variable
            | HintSource::Input
            // Deployed through a file, which the job may change between render and apply (a
            // preview's namespace put into the staging overlay first): weaker than the job's
            // own name.
            | HintSource::Rendered => 5,
            HintSource::NamespaceName | HintSource::Release => 6,
            // The object changed, named for its environment (`web-prod`), when the command
            // names no namespace either: the namespace is where it runs.
            HintSource::Workload => 7,
        }
    }

    /// Whether the name comes from a command line (a namespace, context, values file or
    /// overlay), where it names an environment only through a tier word in it.
    pub(crate) fn is_command_line(self) -> bool {
        matches!(
            self,
            HintSource::Namespace
                | HintSource::Context
                | HintSource::ValuesFile
                | HintSource::Overlay
                | HintSource::Workload
                | HintSource::Rendered
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_and_spellings() {
        let ranks: Vec<u8> = HintSource::ALL.iter().map(|s| s.rank()).collect();
        assert_eq!(ranks, [0, 2, 2, 1, 2, 3, 4, 5, 5, 5, 5, 5, 5, 6, 6, 7, 5]);
        crate::infer::spelled::check_spellings(HintSource::ALL);
        assert_eq!(HintSource::ValuesFile.to_string(), "values-file");
        assert!(
            HintSource::Overlay.is_command_line() && !HintSource::Environment.is_command_line()
        );
    }
}
