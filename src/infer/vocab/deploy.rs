//! Deploy tools: the command-line tools that change what runs in a cluster, the subcommands
//! that deploy, and the options that name namespace, context, environment and deployed files.
//! A subcommand not listed as deploying is no deploy (`helm template`, `kubectl diff`), and a
//! dry run is recognised but flagged.

use super::deploy_tool::DeployTool;
use super::renderers::{Writers, rendered_into, upstream_renders};
use crate::infer::shell::{self, Command};

mod api;
mod bazel;
mod helmsman;
mod tools;
mod workload;

use tools::{KUBECTL, tool_run_by, tool_spec};

#[cfg(test)]
mod tests;

/// A recognised deploy command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DeployMatch {
    /// The tool, or [`DeployTool::Kustomize`] when a kustomize build is piped into the deploy.
    pub tool: DeployTool,
    /// Operation (`apply`, `upgrade-install`, `set-image`, `build-apply`, `apply --dry-run`).
    pub operation: String,
    /// Whether it is a dry run (`--dry-run`, `--dry-run=client|server`): no deploy.
    pub dry_run: bool,
    /// `-n` / `--namespace` value.
    pub namespace: Option<String>,
    /// Kube context (or cluster) value.
    pub context: Option<String>,
    /// The tool's own environment option (`helmfile -e prod`).
    pub environment: Option<String>,
    /// Deployed files, directories and charts, as written.
    pub paths: Vec<String>,
    /// The Helm release a `helm upgrade|install RELEASE CHART` names, as written.
    pub release: Option<String>,
    /// The workload a `kubectl|oc set|patch|rollout|scale` acts on (`web-prod` of
    /// `deployment/web-prod`), as written.
    pub workload: Option<String>,
}

impl DeployMatch {
    /// A deploy of `tool` by `operation` with nothing else read from it yet.
    pub(crate) fn new(tool: DeployTool, operation: &str) -> DeployMatch {
        DeployMatch {
            tool,
            operation: operation.to_owned(),
            dry_run: false,
            namespace: None,
            context: None,
            environment: None,
            paths: Vec::new(),
            release: None,
            workload: None,
        }
    }
}

/// The options of the deploy tool `program` runs that take a separate value (none when it runs
/// no deploy tool).
pub(super) fn value_flags(program: &str) -> &'static [&'static str] {
    tool_run_by(program).map_or(&[], |t| t.value_flags)
}

/// kubectl's (and oc's) global options that take no value.
const ROOT_SWITCHES: &[&str] = &[
    "--insecure-skip-tls-verify",
    "--match-server-version",
    "--warnings-as-errors",
    "--disable-compression",
];

/// The positionals of a kubectl command read as cobra finds its subcommand: with the options
/// before it stripped, an option the root does not know taken to hold the next word. So
/// `kubectl -n shop --record deployment/web set image deployment/web web=img:2` runs `set
/// image` (`deployment/web` is then an argument of it). `None` unless the first positional
/// follows such an option.
fn past_unknown_option<'c>(cmd: &'c Command, value_flags: &[&str]) -> Option<Vec<&'c str>> {
    let option = |t: &str| t.len() > 1 && t.starts_with('-') && t != "--";
    let mut i = 1;
    while let Some(w) = cmd.words.get(i).filter(|w| option(&w.text)) {
        i += if value_flags.contains(&w.text.as_str()) {
            2
        } else {
            1
        };
    }
    let before = cmd.words.get(i.checked_sub(1)?)?.text.as_str();
    let unknown = i > 1
        && option(before)
        && !before.contains('=')
        && !value_flags.contains(&before)
        && !ROOT_SWITCHES.contains(&before);
    let mut positionals = cmd.positionals(value_flags);
    (unknown && !positionals.is_empty()).then(|| {
        positionals.remove(0);
        positionals
    })
}

/// Whether a command is a dry run (`--dry-run`, `--dry-run=client|server`, not `=none|false`).
pub(super) fn is_dry_run(cmd: &Command) -> bool {
    cmd.words.iter().skip(1).any(|w| {
        let t = w.text.as_str();
        t == "--dry-run"
            || t == "--server-dry-run"
            || t == "--diff-run"
            || t.strip_prefix("--dry-run=")
                .is_some_and(|v| !matches!(v, "none" | "false"))
    })
}

/// Classifies command `idx` of `cmds` (the list lets a deploy reading `-f -` see what is piped
/// into it). `None` when it is no deploy command.
pub(crate) fn classify_deploy(
    cmds: &[Command],
    idx: usize,
    writers: &Writers,
) -> Option<DeployMatch> {
    let cmd = cmds.get(idx)?;
    let program = cmd.program()?;
    if let Some(found) = api::deploy_by_api(program, cmd)
        .or_else(|| helmsman::helmsman(program, cmd))
        .or_else(|| bazel::bazel_run(program, cmd))
    {
        return Some(found);
    }
    let mut spec = tool_run_by(program)?;
    let mut positionals = cmd.positionals(spec.value_flags);
    // `kubectl argo rollouts ...` is the Argo Rollouts plugin.
    if matches!(spec.tool, DeployTool::Kubectl | DeployTool::Oc)
        && positionals.starts_with(&["argo", "rollouts"])
    {
        spec = tool_spec(DeployTool::KubectlArgoRollouts)?;
        positionals = cmd.positionals(KUBECTL.value_flags).split_off(2);
    }
    // kubectl finds its subcommand as cobra does (below).
    if matches!(spec.tool, DeployTool::Kubectl | DeployTool::Oc)
        && !spec
            .verbs
            .iter()
            .any(|(path, _)| positionals.starts_with(path))
        && let Some(found) = past_unknown_option(cmd, spec.value_flags)
    {
        positionals = found;
    }
    // helm-secrets wraps helm: `helm secrets upgrade ...`.
    if spec.tool == DeployTool::Helm && positionals.first() == Some(&"secrets") {
        positionals.remove(0);
    }
    let (verb, op) = spec
        .verbs
        .iter()
        .filter(|(path, _)| positionals.starts_with(path))
        .max_by_key(|(path, _)| path.len())?;
    let mut tool = spec.tool;
    let mut operation = (*op).to_owned();
    let mut paths: Vec<String> = cmd
        .args_after(spec.path_flags)
        .into_iter()
        .filter(|p| *p != "-")
        .map(str::to_owned)
        .collect();
    if spec.tool == DeployTool::Helm && operation == "upgrade" && cmd.has_flag(&["-i", "--install"])
    {
        operation = "upgrade-install".to_owned();
    }
    let mut release = None;
    match spec.tool {
        // Charts are positionals: `upgrade RELEASE CHART`, `install RELEASE CHART`.
        DeployTool::Helm if matches!(*op, "upgrade" | "install") => {
            let chart = if *op == "install" && cmd.has_flag(&["--generate-name", "-g"]) {
                positionals.get(verb.len())
            } else {
                release = positionals.get(verb.len()).map(|r| (*r).to_owned());
                positionals.get(verb.len() + 1)
            };
            if let Some(chart) = chart {
                paths.insert(0, (*chart).to_owned());
            }
        }
        DeployTool::Tanka => paths.extend(positionals.get(verb.len()).map(|p| (*p).to_owned())),
        _ => {}
    }
    // `hubploy deploy DEPLOYMENT CHART ENVIRONMENT`: the environment is its third argument.
    let environment = match program {
        "hubploy" => positionals.get(verb.len() + 2).map(|e| (*e).to_owned()),
        _ => cmd.arg_after(spec.environment_flags).map(str::to_owned),
    };
    // What is deployed may have been rendered first: piped in (`-f -`), or written to the file
    // it reads (`kustomize build overlays/prod > out.yaml` before `kubectl apply -f out.yaml`).
    let mut rendered_namespace = None;
    for read in cmd.args_after(spec.path_flags) {
        let up = match read {
            "-" => upstream_renders(cmds, idx),
            file => rendered_into(cmds, idx, file, writers),
        };
        if rendered_namespace.is_none() {
            rendered_namespace = up.namespace;
        }
        if up.kustomize && matches!(operation.as_str(), "apply" | "create" | "replace") {
            tool = DeployTool::Kustomize;
            operation = "build-apply".to_owned();
        }
        paths.extend(up.paths);
    }
    let dry_run = is_dry_run(cmd);
    if dry_run {
        operation.push_str(" --dry-run");
    }
    let workload = workload::changed(spec.tool, verb, &positionals);
    Some(DeployMatch {
        tool,
        operation,
        dry_run,
        // The namespace it creates (`kubectl create namespace shop`), else the command's own,
        // else the one what it deploys was rendered into.
        namespace: matches!(spec.tool, DeployTool::Kubectl | DeployTool::Oc)
            .then(|| created_namespace(&positionals))
            .flatten()
            .or_else(|| cmd.arg_after(spec.namespace_flags))
            .map(str::to_owned)
            .or(rendered_namespace),
        context: cmd.arg_after(spec.context_flags).map(str::to_owned),
        environment,
        paths,
        release,
        workload,
    })
}

/// The namespace a `kubectl`/`oc` command creates, from its positionals: `create namespace
/// NAME` (`create ns`), the namespace the job then deploys into.
pub(super) fn created_namespace<'a>(positionals: &[&'a str]) -> Option<&'a str> {
    match positionals {
        ["create", "namespace" | "ns", name, ..] => Some(name),
        _ => None,
    }
}

/// The first deploy among the commands of `line` (a script, or a packaged step's command input).
pub(super) fn first_deploy(line: &str) -> Option<DeployMatch> {
    let cmds = shell::commands(line, &[]);
    let writers = Writers::default();
    (0..cmds.len()).find_map(|i| classify_deploy(&cmds, i, &writers))
}
