//! Steps known by what they run rather than by name: an action the table does not know whose
//! repository name says `kubectl` or `helm` and that is given a command line, and a
//! `docker://` step whose image is kubectl, helm or hubploy.

use super::table::{KUBECTL_CMD, deploy};
use super::{ActionOp, ActionSpec};
use crate::infer::vocab::DeployTool;

const DOCKER_KUBECTL: ActionSpec = deploy("(docker kubectl)", DeployTool::Kubectl, KUBECTL_CMD);
const DOCKER_HELM: ActionSpec = deploy(
    "(docker helm)",
    DeployTool::Helm,
    ActionOp::Command {
        input: "args",
        program: Some("helm"),
        extra: None,
    },
);
const DOCKER_HUBPLOY: ActionSpec = deploy(
    "(docker hubploy)",
    DeployTool::Helm,
    ActionOp::Command {
        input: "args",
        program: Some("hubploy"),
        extra: None,
    },
);

/// An action the table does not know that runs a tool's command line (its repository name says
/// `kubectl` or `helm`; `koslib/helm-eks-action` with `command: helm upgrade ...`): the input
/// holding the line, read as the tool's command. The line decides whether it deploys.
const fn tool_line(tool: DeployTool, program: &'static str, input: &'static str) -> ActionSpec {
    deploy(
        "(tool action)",
        tool,
        ActionOp::Command {
            input,
            program: Some(program),
            extra: None,
        },
    )
}
const TOOL_LINES: &[(&str, &str, ActionSpec)] = &[
    (
        "helm",
        "command",
        tool_line(DeployTool::Helm, "helm", "command"),
    ),
    ("helm", "args", tool_line(DeployTool::Helm, "helm", "args")),
    ("helm", "cmd", tool_line(DeployTool::Helm, "helm", "cmd")),
    // An input named for the tool (`hiberbee/github-action-helm` with `helm: upgrade ...`).
    ("helm", "helm", tool_line(DeployTool::Helm, "helm", "helm")),
    (
        "kubectl",
        "args",
        tool_line(DeployTool::Kubectl, "kubectl", "args"),
    ),
    (
        "kubectl",
        "command",
        tool_line(DeployTool::Kubectl, "kubectl", "command"),
    ),
    (
        "kubectl",
        "cmd",
        tool_line(DeployTool::Kubectl, "kubectl", "cmd"),
    ),
    (
        "kubectl",
        "kubectl",
        tool_line(DeployTool::Kubectl, "kubectl", "kubectl"),
    ),
];

/// Subcommands of kubectl: an `args:` line that starts with one is a kubectl command line.
const KUBECTL_SUBCOMMANDS: &[&str] = &[
    "apply",
    "create",
    "set",
    "rollout",
    "delete",
    "patch",
    "replace",
    "scale",
    "annotate",
    "label",
    "get",
    "describe",
    "logs",
    "wait",
    "diff",
    "expose",
    "run",
    "exec",
    "edit",
    "autoscale",
    "kustomize",
];

/// The spec of an unknown action whose `args` is a kubectl command line (`args: apply -n sandbox
/// -f deploy.yaml`), read as kubectl's: an action that wraps kubectl under a name that does not
/// say so (`pangealab/kratos`). Asked only of a step handed a cluster's secret.
pub(super) fn kubectl_args(with: &[(String, String)]) -> Option<&'static ActionSpec> {
    let line = super::input(with, &["args"])?;
    let mut words = line.split_whitespace();
    let first = words.next()?;
    // A command line has a flag or a `kind/name` (`rollout restart deploy/web`); words alone
    // (`apply for the release notes`) are no kubectl.
    let command_line = words.any(|w| w.starts_with('-') || w.contains('/'));
    (KUBECTL_SUBCOMMANDS.contains(&first) && command_line).then_some(&KUBECTL_ARGS)
}

const KUBECTL_ARGS: ActionSpec = tool_line(DeployTool::Kubectl, "kubectl", "args");

/// Inputs named for a tool's command line (`kubectl-args`, `helm_command`; compared with `_`
/// as `-`), which an action of any name runs as that tool's
/// (`swiss-ai-center/common-code/.github/actions/execute-command-on-kubernetes-cluster` with
/// `kubectl-args: apply -f service.yml`).
const NAMED_LINES: &[(&str, ActionSpec)] = &[
    (
        "kubectl-args",
        tool_line(DeployTool::Kubectl, "kubectl", "kubectl-args"),
    ),
    (
        "kubectl-command",
        tool_line(DeployTool::Kubectl, "kubectl", "kubectl-command"),
    ),
    (
        "kubectl-cmd",
        tool_line(DeployTool::Kubectl, "kubectl", "kubectl-cmd"),
    ),
    (
        "helm-args",
        tool_line(DeployTool::Helm, "helm", "helm-args"),
    ),
    (
        "helm-command",
        tool_line(DeployTool::Helm, "helm", "helm-command"),
    ),
    ("helm-cmd", tool_line(DeployTool::Helm, "helm", "helm-cmd")),
];

/// The [`TOOL_LINES`] spec for an unknown GitHub action `key` (normalised) given `with`, else
/// the [`NAMED_LINES`] spec of an input it is given. Not an action named for setting a tool up.
pub(super) fn tool_action(key: &str, with: &[(String, String)]) -> Option<&'static ActionSpec> {
    let (_owner, rest) = key.split_once('/')?;
    let repo = rest.split('/').next()?;
    let words: Vec<&str> = repo.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    if words.contains(&"setup") {
        return None;
    }
    TOOL_LINES
        .iter()
        .find(|(tool, input, _)| words.contains(tool) && super::input(with, &[input]).is_some())
        .map(|(_, _, spec)| spec)
        .or_else(|| {
            NAMED_LINES
                .iter()
                .find(|(input, _)| super::input(with, &[input]).is_some())
                .map(|(_, spec)| spec)
        })
}

/// A `docker://image` step running kubectl, helm or hubploy (`docker://bitnami/kubectl:1.29`
/// with `args: apply -f k8s/`, `docker://yuvipanda/hubploy:2021` with `args: deploy hub hub
/// prod`): its `args` are the command line.
pub(super) fn container_action(image: &str) -> Option<&'static ActionSpec> {
    let name = image.split(['@', ':']).next().unwrap_or(image);
    let last = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
    if last.contains("kubectl") {
        Some(&DOCKER_KUBECTL)
    } else if last.contains("helm") {
        Some(&DOCKER_HELM)
    } else if last.contains("hubploy") {
        Some(&DOCKER_HUBPLOY)
    } else {
        None
    }
}
