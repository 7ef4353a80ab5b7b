//! INFER stage: the facts rules emit. Every fact carries [`Evidence`]: which rule, where, why,
//! and how sure.
//!
//! The text a fact carries toward a report (a note, a command line) is redacted when the fact
//! is made, by [`Evidence::new`], [`DeployStep::new`] and [`TestFact::new`]: a secret value a
//! pipeline writes inline never reaches the analysis document ([`crate::files::redact`]).

use serde::Serialize;

use crate::files::{Loc, redact};
use crate::infer::keys::{CredentialScope, HintSource, JobKey};
use crate::infer::rule_id::RuleId;
use crate::infer::shell::{EventFilter, RefFilter};
use crate::infer::vocab::{CredentialKind, DeployMatch, DeployTool, ImageBuilder};
use crate::read::{CiSystem, TriggerKind};

/// How sure a rule is. Ordered: `Low < Medium < High`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Confidence {
    /// A naming hint or heuristic.
    Low,
    /// A strong pattern with some ambiguity.
    Medium,
    /// The file says so directly.
    High,
}

/// Why gitops-gen believes a fact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Evidence {
    pub rule: RuleId,
    /// Where it was seen.
    pub loc: Loc,
    /// One lowercase sentence: what was seen.
    pub note: String,
    /// How sure.
    pub confidence: Confidence,
}

impl Evidence {
    /// Evidence from rule `rule` at `loc`; secret values in `note` are masked.
    pub(crate) fn new(rule: RuleId, loc: Loc, note: String, confidence: Confidence) -> Evidence {
        Evidence {
            rule,
            loc,
            note: redact::redacted(&note),
            confidence,
        }
    }
}

/// A step that deploys to a cluster from CI (what migration hands to the operator).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct DeployStep {
    /// The CI system of the pipeline.
    pub system: CiSystem,
    /// The job that runs it (the command itself may be written in a script file: see
    /// `evidence.loc`).
    pub job: JobKey,
    pub tool: DeployTool,
    /// The operation (`apply`, `upgrade`, `set-image`, `sync`, ...).
    pub operation: String,
    /// The command line or action reference, as written (one line, trimmed).
    pub command: String,
    /// Namespace given on the command line, if any.
    pub namespace: Option<String>,
    /// Kube context given on the command line, if any.
    pub context: Option<String>,
    /// Files or directories the command deploys (`-f`, `-k`, chart path, values files).
    pub paths: Vec<String>,
    /// Where, with why.
    pub evidence: Evidence,
}

impl DeployStep {
    /// The deploy `m` found in job `job`, run as `command` (secret values masked).
    pub(crate) fn new(
        job: &JobKey,
        system: CiSystem,
        m: DeployMatch,
        command: String,
        evidence: Evidence,
    ) -> DeployStep {
        DeployStep {
            system,
            job: job.clone(),
            tool: m.tool,
            operation: m.operation,
            command: redact::redacted(&command),
            namespace: m.namespace,
            context: m.context,
            paths: m.paths,
            evidence,
        }
    }
}

/// An image build or push.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct ImageFact {
    /// The job that builds it.
    pub job: JobKey,
    pub builder: ImageBuilder,
    /// Image references as written (variables kept).
    pub images: Vec<String>,
    /// Whether it pushes.
    pub pushes: bool,
    /// Where, with why.
    pub evidence: Evidence,
}

/// A test command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct TestFact {
    /// The job that runs it.
    pub job: JobKey,
    /// The command as written, secret values masked.
    pub command: String,
    /// Where, with why.
    pub evidence: Evidence,
}

impl TestFact {
    /// The test `command` job `job` runs (secret values masked).
    pub(crate) fn new(job: &JobKey, command: &str, evidence: Evidence) -> TestFact {
        TestFact {
            job: job.clone(),
            command: redact::redacted(command),
            evidence,
        }
    }
}

/// A cluster credential CI uses: what must be revoked after migration. Values are never kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct CredentialFact {
    pub kind: CredentialKind,
    /// The secret/variable/credential id as written (`KUBE_CONFIG`, `secrets.KUBECONFIG`).
    pub name: String,
    /// The pipeline or job that uses it.
    pub scope: CredentialScope,
    /// Where, with why.
    pub evidence: Evidence,
    /// Kept only when its job (for a pipeline variable: a job of its pipeline) deploys: a
    /// long-lived cloud key reaches a cluster only through a deploy.
    pub deploy_only: bool,
}

/// A CI secret (or CI/CD variable) a deploy hands to the cluster: what must live in the
/// cluster as a Secret once CI no longer deploys. Names only, never values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct SecretFlow {
    /// The job whose command hands it over.
    pub job: JobKey,
    /// The CI secret or variable, without `secrets.` (`DB_PASSWORD`).
    pub ci_name: String,
    /// Where it lands in the cluster.
    pub target: SecretTarget,
    /// Where, with why.
    pub evidence: Evidence,
}

/// Where a CI secret lands in the cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum SecretTarget {
    /// A Helm value (`--set db.password=…`) of a release.
    HelmValue {
        release: Option<String>,
        /// The dotted value path.
        key: String,
    },
    /// A key of a Secret made with `kubectl create secret generic <name> --from-literal`.
    SecretKey { secret: String, key: String },
}

/// Canonical environment tier.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Tier {
    /// prod, production, live, prd.
    Production,
    /// staging, stage, stg, pre-prod, uat.
    Staging,
    /// test, testing, qa, int, integration.
    Testing,
    /// dev, development, sandbox.
    Development,
    /// review apps, previews, per-branch / per-PR environments.
    Preview,
    /// Anything else.
    Other,
}

/// A hint that a job targets an environment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct EnvironmentHint {
    /// The name as written (`production`, `review/$CI_COMMIT_REF_SLUG`, `prod` from `-n prod`).
    pub name: String,
    /// The job it is a hint for.
    pub job: JobKey,
    /// What the hint came from.
    pub source: HintSource,
    /// Whether the name is per-branch / per-PR (contains a ref or PR variable).
    pub dynamic: bool,
    /// The event the name holds for, when the script picks it by event; `None`: every event.
    pub events: Option<EventFilter>,
    /// The branch the name holds on, when an expression picks it by ref; `None`: every ref.
    pub refs: Option<RefFilter>,
    /// The manual inputs whose choices made the name (`shop-${{ inputs.region }}` with region
    /// `eu` → `shop-eu`; both inputs of `${{ inputs.site }}-${{ inputs.stage }}`), so the
    /// environment's manual start names each of them.
    pub chosen_by: Vec<String>,
    /// Where, with why.
    pub evidence: Evidence,
}

/// A trigger that leads to an environment being deployed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct EnvironmentTrigger {
    /// The environment's name, as the job's chosen hints spell it.
    pub environment: String,
    /// The deploying job the trigger starts.
    pub job: JobKey,
    /// Kind of trigger.
    pub kind: TriggerKind,
    /// Pattern (branch/tag glob or regex, cron, input name).
    pub pattern: Option<String>,
    /// Where, with why.
    pub evidence: Evidence,
}

/// Everything the rules found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Facts {
    /// Deploy steps.
    pub deploy_steps: Vec<DeployStep>,
    /// Image builds and pushes.
    pub images: Vec<ImageFact>,
    /// Test commands.
    pub tests: Vec<TestFact>,
    /// Cluster credentials.
    pub credentials: Vec<CredentialFact>,
    /// Environment hints.
    pub environment_hints: Vec<EnvironmentHint>,
    /// Environment triggers.
    pub environment_triggers: Vec<EnvironmentTrigger>,
    /// CI secrets deploys hand to the cluster.
    pub secret_flows: Vec<SecretFlow>,
    /// Not a rule's: the engine's bounds on reading the scripts jobs run, and the limits it
    /// reached (`script-limit`), reported with the read diagnostics.
    pub limits: crate::infer::commands::Limits,
}
