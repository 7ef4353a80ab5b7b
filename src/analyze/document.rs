//! MODEL stage: the `analyze` result as a stable, versioned document (`--format json`), also
//! the input of the text, Markdown and SARIF renderers. Described by `gitops-gen schema
//! analysis` and docs/analysis.md; fields are only ever added within a version.

use serde::Serialize;

use crate::infer::vocab::{CredentialKind, DeployTool, ImageBuilder};
use crate::infer::{Confidence, RuleId, Tier};
use crate::read::{CiSystem, TriggerKind};
use crate::scan::Layout;

/// Version of this document's shape.
pub(crate) const ANALYSIS_VERSION: u32 = 1;

/// Everything `analyze` found in a repository.
#[derive(Debug, Serialize)]
pub(crate) struct Analysis {
    /// Document version ([`ANALYSIS_VERSION`]).
    pub version: u32,
    /// `gitops-gen <version>`.
    pub generator: String,
    /// Counts for the summary.
    pub summary: Summary,
    /// Every pipeline file read.
    pub pipelines: Vec<PipelineOut>,
    /// Steps that deploy to a cluster from CI.
    pub deploy_steps: Vec<DeployStepOut>,
    /// Environments CI deploys to, with their triggers.
    pub environments: Vec<EnvironmentOut>,
    /// Image builds and pushes.
    pub images: Vec<ImageOut>,
    /// Test commands.
    pub tests: Vec<TestOut>,
    /// Cluster credentials CI holds (to revoke after migration).
    pub credentials: Vec<CredentialOut>,
    /// CI secrets deploys hand to the cluster (to seal into Git before the cutover).
    pub secret_flows: Vec<SecretFlowOut>,
    /// Manifests, kustomizations, charts, Dockerfiles and operator objects in the repository.
    pub layout: Layout,
    /// References that could not be followed offline.
    pub unresolved: Vec<UnresolvedOut>,
    /// Files that could not be read, and other problems.
    pub diagnostics: Vec<DiagnosticOut>,
}

/// How many of each thing the document lists, for the report's summary line.
#[derive(Debug, Default, Serialize)]
pub(crate) struct Summary {
    pub pipelines: usize,
    /// Jobs in all pipelines.
    pub jobs: usize,
    pub deploy_steps: usize,
    /// Deploy steps an operator can take over (declarative applies).
    pub migratable_deploy_steps: usize,
    pub environments: usize,
    /// Credentials to revoke.
    pub credentials: usize,
    /// References that could not be followed offline.
    pub unresolved: usize,
    pub diagnostics: usize,
}

/// A place in the repository, 1-based line and column (characters).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub(crate) struct Position {
    /// Repository-relative path, shared with every place in the file.
    pub file: std::sync::Arc<str>,
    pub line: usize,
    /// Counted in characters, not bytes.
    pub column: usize,
}

/// One pipeline file.
#[derive(Debug, Serialize)]
pub(crate) struct PipelineOut {
    /// Repository-relative path.
    pub file: String,
    pub system: CiSystem,
    /// The pipeline's own `name:`, when it has one.
    pub name: Option<String>,
    /// Jobs in file order.
    pub jobs: Vec<JobOut>,
    /// Whether the reader understood only part of the file (scripted Jenkinsfile).
    pub best_effort: bool,
}

/// One job of a pipeline.
#[derive(Debug, Serialize)]
pub(crate) struct JobOut {
    /// The id the pipeline file gives it (unique within that file only).
    pub id: String,
    /// The name CI shows (the id when the file gives none).
    pub name: String,
    pub stage: Option<String>,
    /// Declared environment, as written.
    pub environment: Option<String>,
    /// Started by a person.
    pub manual: bool,
    /// The file it is defined in: the pipeline file, or the included template, called workflow
    /// or loaded file that defines it.
    pub file: std::sync::Arc<str>,
    /// The 1-based line it is defined on, in `file`.
    pub line: usize,
}

/// One deploy step: a command or packaged step that changes a cluster, reported once where
/// it is written.
#[derive(Debug, Serialize)]
pub(crate) struct DeployStepOut {
    /// Where the command is written (a script file when the pipeline calls one).
    #[serde(flatten)]
    pub at: Position,
    pub system: CiSystem,
    /// Pipeline file of the job.
    pub pipeline: String,
    /// Job id (the first job that runs the command).
    pub job: String,
    /// Every job that runs the command, sorted: several when it is written once in a
    /// template, anchor, reusable workflow or script.
    pub jobs: Vec<String>,
    /// The pipeline files of those jobs, sorted: several when the command is written once in
    /// a script or template that jobs of several pipelines run; a job of a GitLab child
    /// pipeline lists the child's files too.
    pub pipelines: Vec<String>,
    /// The tool it deploys with (docs/inference.md#vocabulary).
    pub tool: DeployTool,
    /// What the tool does (`apply`, `upgrade-install`, `set-image`, `sync`, ...).
    pub operation: String,
    /// The command or action, one line.
    pub command: String,
    /// Environment of the job, when one can be told.
    pub environment: Option<String>,
    /// Namespace on the command line.
    pub namespace: Option<String>,
    /// Paths the command deploys.
    pub paths: Vec<String>,
    /// Whether an operator can take this over (a declarative apply of manifests or
    /// charts), as opposed to imperative operations that need a manual decision.
    pub migratable: bool,
    /// The rule that found it (an anchor in docs/inference.md).
    pub rule: RuleId,
    /// What the rule saw, including the script or `!reference` the command came through.
    pub note: String,
    pub confidence: Confidence,
}

/// One environment CI deploys to.
#[derive(Debug, Serialize)]
pub(crate) struct EnvironmentOut {
    /// The name as the pipelines spell it (or the tier word a command line holds).
    pub name: String,
    pub tier: Tier,
    /// Whether it is per-branch or per-PR (a review app, a preview).
    pub dynamic: bool,
    /// What deploys it.
    pub triggers: Vec<TriggerOut>,
    /// Why gitops-gen believes it exists.
    pub evidence: Vec<EvidenceOut>,
    /// The confidence of its strongest hint.
    pub confidence: Confidence,
}

/// What starts a deploy to an environment.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub(crate) struct TriggerOut {
    pub kind: TriggerKind,
    /// The branch or tag pattern, cron, input or upstream name, as written.
    pub pattern: Option<String>,
}

/// One reason to believe something: which rule saw what, where.
#[derive(Debug, Serialize)]
pub(crate) struct EvidenceOut {
    #[serde(flatten)]
    pub at: Position,
    /// The rule that saw it (an anchor in docs/inference.md).
    pub rule: RuleId,
    /// One lowercase sentence: what was seen.
    pub note: String,
    pub confidence: Confidence,
}

/// An image build, once per place it is written.
#[derive(Debug, Serialize)]
pub(crate) struct ImageOut {
    #[serde(flatten)]
    pub at: Position,
    /// Id of the (first) job that runs it.
    pub job: String,
    pub builder: ImageBuilder,
    /// Image references as written (variables kept).
    pub images: Vec<String>,
    /// Whether it pushes the images too.
    pub pushes: bool,
}

/// A test command, once per place it is written.
#[derive(Debug, Serialize)]
pub(crate) struct TestOut {
    #[serde(flatten)]
    pub at: Position,
    /// Id of the (first) job that runs it.
    pub job: String,
    /// The command as written, on one line.
    pub command: String,
}

/// A cluster credential CI holds, once per place and name.
#[derive(Debug, Serialize)]
pub(crate) struct CredentialOut {
    #[serde(flatten)]
    pub at: Position,
    pub kind: CredentialKind,
    /// The secret, variable or credential id as written; never a value.
    pub name: String,
    /// Id of the job that uses it; none for a pipeline variable.
    pub job: Option<String>,
}

/// A CI secret a deploy hands to the cluster; names only.
#[derive(Debug, Serialize)]
pub(crate) struct SecretFlowOut {
    #[serde(flatten)]
    pub at: Position,
    /// The CI secret or variable, without `secrets.`.
    pub ci_name: String,
    /// Where it lands: a Helm value of a release, or a key of a Secret.
    pub target: TargetOut,
    /// Id of the job whose command hands it over.
    pub job: String,
    /// The job's environment, when one can be told.
    pub environment: Option<String>,
}

/// Where a CI secret lands, every field present (`null` where it does not apply).
#[derive(Debug, Serialize)]
pub(crate) struct TargetOut {
    /// `helm_value` or `secret_key`.
    pub kind: &'static str,
    /// A Helm value's release, when the command names one.
    pub release: Option<String>,
    /// A Secret key's Secret.
    pub secret: Option<String>,
    /// The dotted value path, or the Secret's key.
    pub key: String,
}

impl TargetOut {
    /// The Secret it becomes once sealed into Git, and the key: the Secret `kubectl create`
    /// made, or for a Helm value `<release>-secrets` (which the chart must then read) and the
    /// value's last segment.
    pub(crate) fn sealed_as(&self) -> (String, String) {
        match &self.secret {
            Some(secret) => (secret.clone(), self.key.clone()),
            None => (
                format!("{}-secrets", self.release.as_deref().unwrap_or("app")),
                self.key.rsplit('.').next().unwrap_or(&self.key).to_owned(),
            ),
        }
    }

    /// The `gitops-gen seal` command that seals the CI secret `ci_name` for `env` (`<env>`
    /// when unknown), reading it from the variable of that name, as a CI job provides it.
    pub(crate) fn seal_command(&self, ci_name: &str, env: Option<&str>) -> String {
        let (secret, key) = self.sealed_as();
        format!(
            "gitops-gen seal --env {} --name {secret} --from-env {key}={ci_name}",
            env.unwrap_or("<env>")
        )
    }
}

impl From<&crate::infer::SecretTarget> for TargetOut {
    fn from(target: &crate::infer::SecretTarget) -> TargetOut {
        use crate::infer::SecretTarget;
        match target {
            SecretTarget::HelmValue { release, key } => TargetOut {
                kind: "helm_value",
                release: release.clone(),
                secret: None,
                key: key.clone(),
            },
            SecretTarget::SecretKey { secret, key } => TargetOut {
                kind: "secret_key",
                release: None,
                secret: Some(secret.clone()),
                key: key.clone(),
            },
        }
    }
}

/// A reference that could not be followed offline (a remote include, an external action).
#[derive(Debug, Serialize)]
pub(crate) struct UnresolvedOut {
    #[serde(flatten)]
    pub at: Position,
    /// What kind of reference it is, as the reader names it.
    pub kind: String,
    /// The reference as written.
    pub reference: String,
}

/// A file that could not be read, or another problem found on the way.
#[derive(Debug, Serialize)]
pub(crate) struct DiagnosticOut {
    #[serde(flatten)]
    pub at: Position,
    /// Stable code (`yaml-syntax`, ...).
    pub code: &'static str,
    /// One lowercase sentence.
    pub message: String,
}
