//! MODEL stage: the `analyze` result as a stable, versioned document (`--format json`), also
//! the input of the text, Markdown and SARIF renderers. Described by `gitops-gen schema
//! analysis` and docs/analysis.md; fields are only ever added within a version.

use serde::Serialize;

use crate::infer::{Confidence, Tier};
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
    /// Manifests, kustomizations, charts, Dockerfiles and operator objects in the repository.
    pub layout: Layout,
    /// References that could not be followed offline.
    pub unresolved: Vec<UnresolvedOut>,
    /// Files that could not be read, and other problems.
    pub diagnostics: Vec<DiagnosticOut>,
}

/// Counts.
#[derive(Debug, Default, Serialize)]
pub(crate) struct Summary {
    /// Pipeline files read.
    pub pipelines: usize,
    /// Jobs in them.
    pub jobs: usize,
    /// Deploy steps found.
    pub deploy_steps: usize,
    /// Deploy steps an operator can take over (declarative applies).
    pub migratable_deploy_steps: usize,
    /// Environments found.
    pub environments: usize,
    /// Credentials to revoke.
    pub credentials: usize,
    /// Unresolved references.
    pub unresolved: usize,
    /// Diagnostics.
    pub diagnostics: usize,
}

/// A place in the repository, 1-based line and column (characters).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub(crate) struct Position {
    /// Repository-relative path.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// One pipeline file.
#[derive(Debug, Serialize)]
pub(crate) struct PipelineOut {
    /// Repository-relative path.
    pub file: String,
    /// CI system.
    pub system: CiSystem,
    /// `name:`.
    pub name: Option<String>,
    /// Jobs in file order.
    pub jobs: Vec<JobOut>,
    /// Whether the reader understood only part of the file (scripted Jenkinsfile).
    pub best_effort: bool,
}

/// One job.
#[derive(Debug, Serialize)]
pub(crate) struct JobOut {
    /// Job id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Stage.
    pub stage: Option<String>,
    /// Declared environment, as written.
    pub environment: Option<String>,
    /// Started by a person.
    pub manual: bool,
    /// Where it is defined.
    pub line: usize,
}

/// One deploy step.
#[derive(Debug, Serialize)]
pub(crate) struct DeployStepOut {
    /// Where the command is written (a script file when the pipeline calls one).
    #[serde(flatten)]
    pub at: Position,
    /// CI system.
    pub system: CiSystem,
    /// Pipeline file of the job.
    pub pipeline: String,
    /// Job id (the first job that runs the command).
    pub job: String,
    /// Every job that runs the command, sorted: several when it is written once in a
    /// template, anchor, reusable workflow or script.
    pub jobs: Vec<String>,
    /// Canonical tool (see docs/inference.md#vocabulary).
    pub tool: &'static str,
    /// Operation.
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
    /// Rule id.
    pub rule: &'static str,
    /// What the rule saw, including the script or `!reference` the command came through.
    pub note: String,
    /// Confidence.
    pub confidence: Confidence,
}

/// One environment.
#[derive(Debug, Serialize)]
pub(crate) struct EnvironmentOut {
    /// Name as written.
    pub name: String,
    /// Canonical tier.
    pub tier: Tier,
    /// Per-branch / per-PR.
    pub dynamic: bool,
    /// What deploys it.
    pub triggers: Vec<TriggerOut>,
    /// Why gitops-gen believes it exists.
    pub evidence: Vec<EvidenceOut>,
    /// Strongest evidence.
    pub confidence: Confidence,
}

/// A trigger of an environment.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub(crate) struct TriggerOut {
    /// Kind.
    pub kind: TriggerKind,
    /// Pattern as written, if any.
    pub pattern: Option<String>,
}

/// One piece of evidence.
#[derive(Debug, Serialize)]
pub(crate) struct EvidenceOut {
    /// Where.
    #[serde(flatten)]
    pub at: Position,
    /// Rule id.
    pub rule: &'static str,
    /// What was seen.
    pub note: String,
    /// Confidence.
    pub confidence: Confidence,
}

/// An image build.
#[derive(Debug, Serialize)]
pub(crate) struct ImageOut {
    /// Where.
    #[serde(flatten)]
    pub at: Position,
    /// Job id.
    pub job: String,
    /// Builder.
    pub builder: &'static str,
    /// Images as written.
    pub images: Vec<String>,
    /// Pushes.
    pub pushes: bool,
}

/// A test command.
#[derive(Debug, Serialize)]
pub(crate) struct TestOut {
    /// Where.
    #[serde(flatten)]
    pub at: Position,
    /// Job id.
    pub job: String,
    /// Command.
    pub command: String,
}

/// A credential.
#[derive(Debug, Serialize)]
pub(crate) struct CredentialOut {
    /// Where.
    #[serde(flatten)]
    pub at: Position,
    /// Kind.
    pub kind: &'static str,
    /// Name as written; never a value.
    pub name: String,
    /// Job id.
    pub job: Option<String>,
}

/// An unresolved reference.
#[derive(Debug, Serialize)]
pub(crate) struct UnresolvedOut {
    /// Where.
    #[serde(flatten)]
    pub at: Position,
    /// Kind.
    pub kind: String,
    /// Reference as written.
    pub reference: String,
}

/// A problem.
#[derive(Debug, Serialize)]
pub(crate) struct DiagnosticOut {
    /// Where.
    #[serde(flatten)]
    pub at: Position,
    /// Stable code.
    pub code: &'static str,
    /// Message.
    pub message: String,
}
