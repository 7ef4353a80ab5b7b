//! Kubernetes objects deployed through Bazel: rules_k8s (`k8s_object`) and rules_gitops
//! (`k8s_deploy`) give each object target runnable companions that drive `kubectl` against
//! the cluster the rule names, so `bazel run //k8s:prod.apply` is a `kubectl apply` of what
//! `//k8s:prod` renders. `.describe`, `.diff`, `.show` and `.gitops` (which opens a pull request
//! to a GitOps repository) read or write no cluster.

use super::{DeployMatch, DeployTool};
use crate::infer::shell::Command;

/// The companion suffixes that change the cluster, with the `kubectl` operation each runs.
const CHANGING: &[(&str, &str)] = &[
    (".apply", "apply"),
    (".create", "create"),
    (".replace", "replace"),
    (".delete", "delete"),
];

/// A `bazel run TARGET.apply` (also `bazelisk`, a checked-in `tools/bazel`), with Bazel's
/// startup and command options before the target and the rule's own arguments after `--`.
pub(super) fn bazel_run(program: &str, cmd: &Command) -> Option<DeployMatch> {
    if !matches!(program, "bazel" | "bazelisk") {
        return None;
    }
    let mut words = cmd.words.iter().skip(1).map(|w| w.text.as_str());
    words
        .find(|w| !w.starts_with('-'))
        .filter(|w| *w == "run")?;
    let target = words.find(|w| !w.starts_with('-'))?;
    let (_, operation) = CHANGING.iter().find(|(s, _)| target.ends_with(s))?;
    Some(DeployMatch::new(DeployTool::Kubectl, operation))
}
