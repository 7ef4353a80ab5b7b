//! What `analyze --fail-on` counts: each kind of finding the analysis reports, with the
//! severity its SARIF result carries, so a pipeline can fail on new push-based deploys,
//! committed Secrets or files the analysis could not read.

use crate::analyze::document::Analysis;

/// One kind of finding, named as in the SARIF rules and the diagnostics list.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Finding {
    /// A Kubernetes Secret committed in plain text.
    PlaintextSecret,
    /// A replica count in Git that an HPA, a ScaledObject or a Canary scales.
    ReplicaConflict,
    /// A CI job that deploys to a cluster.
    PushDeploy,
    /// A cluster credential CI holds.
    ClusterCredential,
    /// A reference that could not be followed offline (remote include, external action).
    Unresolved,
    /// A file not analysed, or another problem on the way (every `diagnostics` entry).
    Diagnostic,
}

/// How serious a finding is; each level includes the ones above it, as SARIF levels do.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Severity {
    Error,
    Warning,
    Note,
}

impl Finding {
    pub(crate) const ALL: [Finding; 6] = [
        Finding::PlaintextSecret,
        Finding::ReplicaConflict,
        Finding::PushDeploy,
        Finding::ClusterCredential,
        Finding::Unresolved,
        Finding::Diagnostic,
    ];

    /// The id printed in reports (`push-deploy`, ...).
    pub(crate) fn id(self) -> &'static str {
        match self {
            Finding::PlaintextSecret => "plaintext-secret",
            Finding::ReplicaConflict => "replica-conflict",
            Finding::PushDeploy => "push-deploy",
            Finding::ClusterCredential => "cluster-credential",
            Finding::Unresolved => "unresolved",
            Finding::Diagnostic => "diagnostic",
        }
    }

    /// A committed Secret is an error; a deploy or credential to migrate and a file not read
    /// are warnings; a reference not followed is a note.
    pub(crate) fn severity(self) -> Severity {
        match self {
            Finding::PlaintextSecret => Severity::Error,
            Finding::PushDeploy
            | Finding::ClusterCredential
            | Finding::ReplicaConflict
            | Finding::Diagnostic => Severity::Warning,
            Finding::Unresolved => Severity::Note,
        }
    }

    /// How many findings of this kind `analysis` reports.
    pub(crate) fn count(self, analysis: &Analysis) -> usize {
        match self {
            Finding::PlaintextSecret => analysis.layout.plaintext_secrets.len(),
            Finding::ReplicaConflict => analysis.layout.replica_conflicts.len(),
            Finding::PushDeploy => analysis.deploy_steps.len(),
            Finding::ClusterCredential => analysis.credentials.len(),
            Finding::Unresolved => analysis.unresolved.len(),
            Finding::Diagnostic => analysis.diagnostics.len(),
        }
    }
}

/// The findings of `analysis` that `selected` names, with their counts, in [`Finding::ALL`]
/// order; empty when none is there.
pub(crate) fn matched(analysis: &Analysis, selected: &[Finding]) -> Vec<(Finding, usize)> {
    Finding::ALL
        .into_iter()
        .filter(|f| selected.contains(f))
        .map(|f| (f, f.count(analysis)))
        .filter(|&(_, n)| n > 0)
        .collect()
}
