//! Deploy tools: the command-line tools that change what runs in a cluster, the subcommands
//! that deploy, and the options that name namespace, context, environment and deployed files.
//! A subcommand not listed as deploying is no deploy (`helm template`, `kubectl diff`), and a
//! dry run is recognised but flagged.

use super::deploy_tool::DeployTool;
use super::renderers::{Writers, rendered_into, upstream_renders};
use crate::infer::shell::{self, Command};

mod workload;

#[cfg(test)]
mod tests;

/// A command-line tool that changes what runs in a cluster.
#[derive(Debug)]
struct ToolSpec {
    tool: DeployTool,
    /// Program basenames that run it.
    programs: &'static [&'static str],
    /// Options that take a separate value, so the subcommand can be found among positionals.
    value_flags: &'static [&'static str],
    /// Options naming the namespace.
    namespace_flags: &'static [&'static str],
    /// Options naming the kube context (or cluster).
    context_flags: &'static [&'static str],
    /// Options naming an environment of the tool itself (`helmfile -e prod`, `jx --env`).
    environment_flags: &'static [&'static str],
    /// Options naming files or directories that are deployed.
    path_flags: &'static [&'static str],
    /// Subcommand paths that deploy, with their operation. The longest match wins.
    verbs: &'static [(&'static [&'static str], &'static str)],
}

/// kubectl, whose options `oc` shares.
const KUBECTL: ToolSpec = ToolSpec {
    tool: DeployTool::Kubectl,
    programs: &["kubectl", "kubectl.exe", "microk8s.kubectl", "k3s-kubectl"],
    value_flags: &[
        "-n",
        "--namespace",
        "--context",
        "--kubeconfig",
        "--cluster",
        "--user",
        "-s",
        "--server",
        "--token",
        "-f",
        "--filename",
        "-k",
        "--kustomize",
        "-l",
        "--selector",
        "-o",
        "--output",
        "--field-manager",
        "--timeout",
        "-c",
        "--container",
        "--type",
        "-p",
        "--patch",
        "--replicas",
        "--image",
        "--as",
        "--as-group",
        "--certificate-authority",
        "--client-certificate",
        "--client-key",
        "--request-timeout",
        "-v",
        "--grace-period",
        "--current-replicas",
        "--to-revision",
        "--from-file",
        "--from-literal",
        "--from-env-file",
        "--docker-server",
        "--docker-username",
        "--docker-password",
        "--docker-email",
        "--cert",
        "--key",
        "--patch-file",
        "--prune-allowlist",
        "--subresource",
    ],
    namespace_flags: &["-n", "--namespace"],
    context_flags: &["--context", "--cluster"],
    environment_flags: &[],
    path_flags: &["-f", "--filename", "-k", "--kustomize"],
    verbs: &[
        (&["apply"], "apply"),
        (&["create"], "create"),
        (&["replace"], "replace"),
        (&["set", "image"], "set-image"),
        (&["set"], "set"),
        (&["patch"], "patch"),
        (&["rollout", "restart"], "rollout-restart"),
        (&["rollout", "undo"], "rollout-undo"),
        (&["rollout", "resume"], "rollout-resume"),
        (&["rollout", "pause"], "rollout-pause"),
        (&["scale"], "scale"),
        (&["delete"], "delete"),
    ],
};

/// Every deploy tool. Order matters only for readability.
const DEPLOY_TOOLS: &[ToolSpec] = &[
    KUBECTL,
    // OpenShift's CLI takes kubectl's options.
    ToolSpec {
        tool: DeployTool::Oc,
        programs: &["oc"],
        verbs: &[
            (&["apply"], "apply"),
            (&["create"], "create"),
            (&["replace"], "replace"),
            (&["set", "image"], "set-image"),
            (&["set"], "set"),
            (&["patch"], "patch"),
            (&["rollout", "restart"], "rollout-restart"),
            (&["rollout", "undo"], "rollout-undo"),
            (&["rollout", "resume"], "rollout-resume"),
            (&["rollout", "latest"], "rollout-latest"),
            (&["scale"], "scale"),
            (&["delete"], "delete"),
            (&["new-app"], "new-app"),
            // Tagging into an image stream is how OpenShift promotes: deployments that watch
            // the tag roll out the image.
            (&["tag"], "tag"),
        ],
        ..KUBECTL
    },
    ToolSpec {
        tool: DeployTool::Helm,
        programs: &["helm", "helm3", "helm.exe"],
        value_flags: &[
            "-n",
            "--namespace",
            "--kube-context",
            "--kubeconfig",
            "--kube-token",
            "--kube-apiserver",
            "--kube-as-user",
            "--kube-as-group",
            "--kube-ca-file",
            "--registry-config",
            "--repository-config",
            "--repository-cache",
            "-f",
            "--values",
            "--set",
            "--set-string",
            "--set-file",
            "--set-json",
            "--set-literal",
            "--version",
            "--timeout",
            "--repo",
            "--username",
            "--password",
            "--post-renderer",
            "--post-renderer-args",
            "--description",
            "--history-max",
            "--ca-file",
            "--cert-file",
            "--key-file",
            "--keyring",
            "-o",
            "--output",
            "--max-history",
            "--labels",
            "-l",
            // Helm 2's, which may come before the subcommand:
            // `helm --tiller-namespace demo --name web install chart`.
            "--tiller-namespace",
            "--tiller-connection-timeout",
            "--name",
            "--home",
            "--host",
        ],
        namespace_flags: &["-n", "--namespace"],
        context_flags: &["--kube-context"],
        environment_flags: &[],
        path_flags: &["-f", "--values"],
        verbs: &[
            (&["upgrade"], "upgrade"),
            (&["install"], "install"),
            (&["rollback"], "rollback"),
            (&["uninstall"], "uninstall"),
            (&["delete"], "uninstall"),
            (&["del"], "uninstall"),
            (&["un"], "uninstall"),
        ],
    },
    ToolSpec {
        tool: DeployTool::Helmfile,
        programs: &["helmfile"],
        value_flags: &[
            "-e",
            "--environment",
            "-f",
            "--file",
            "-n",
            "--namespace",
            "--kube-context",
            "-l",
            "--selector",
            "--state-values-set",
            "--state-values-file",
            "--args",
            "--concurrency",
        ],
        namespace_flags: &["-n", "--namespace"],
        context_flags: &["--kube-context"],
        environment_flags: &["-e", "--environment"],
        path_flags: &["-f", "--file", "--state-values-file"],
        verbs: &[
            (&["apply"], "apply"),
            (&["sync"], "sync"),
            (&["deploy"], "deploy"),
            (&["destroy"], "destroy"),
        ],
    },
    ToolSpec {
        tool: DeployTool::Skaffold,
        programs: &["skaffold"],
        value_flags: &[
            "-p",
            "--profile",
            "-f",
            "--filename",
            "-n",
            "--namespace",
            "--kube-context",
            "--kubeconfig",
            "-t",
            "--tag",
            "--default-repo",
            "-d",
            "--build-artifacts",
            "-a",
            "-l",
            "--label",
            "-m",
            "--module",
        ],
        namespace_flags: &["-n", "--namespace"],
        context_flags: &["--kube-context"],
        environment_flags: &[],
        path_flags: &["-f", "--filename"],
        verbs: &[
            (&["run"], "run"),
            (&["deploy"], "deploy"),
            (&["apply"], "apply"),
        ],
    },
    ToolSpec {
        tool: DeployTool::Kapp,
        programs: &["kapp"],
        value_flags: &[
            "-a",
            "--app",
            "-f",
            "--file",
            "-n",
            "--namespace",
            "--kubeconfig-context",
        ],
        namespace_flags: &["-n", "--namespace"],
        context_flags: &["--kubeconfig-context"],
        environment_flags: &[],
        path_flags: &["-f", "--file"],
        verbs: &[(&["deploy"], "deploy"), (&["delete"], "delete")],
    },
    ToolSpec {
        tool: DeployTool::Argocd,
        programs: &["argocd"],
        value_flags: &[
            "--server",
            "--auth-token",
            "--grpc-web-root-path",
            "-p",
            "--parameter",
            "--revision",
            "--dest-namespace",
            "--dest-server",
            "--dest-name",
            "--repo",
            "--path",
            "--project",
            "--helm-set",
            "--values",
            "-l",
            "--label",
            "--resource",
            "--timeout",
            "--sync-policy",
            "--kustomize-image",
            "-o",
            "--output",
            "--config",
            "--username",
            "--password",
        ],
        namespace_flags: &["--dest-namespace"],
        context_flags: &["--dest-name"],
        environment_flags: &[],
        path_flags: &["--path", "--values"],
        verbs: &[
            (&["app", "sync"], "sync"),
            (&["app", "set"], "set"),
            (&["app", "create"], "create"),
            (&["app", "rollback"], "rollback"),
        ],
    },
    ToolSpec {
        tool: DeployTool::Flux,
        programs: &["flux"],
        value_flags: &[
            "-n",
            "--namespace",
            "--context",
            "--kubeconfig",
            "--timeout",
        ],
        namespace_flags: &["-n", "--namespace"],
        context_flags: &["--context"],
        environment_flags: &[],
        path_flags: &[],
        verbs: &[(&["reconcile"], "reconcile")],
    },
    ToolSpec {
        tool: DeployTool::Jx,
        programs: &["jx"],
        value_flags: &[
            "-e",
            "--env",
            "-v",
            "--version",
            "-a",
            "--app",
            "--timeout",
            "-n",
            "--namespace",
            "-d",
            "--dir",
        ],
        namespace_flags: &["-n", "--namespace"],
        context_flags: &[],
        environment_flags: &["-e", "--env"],
        path_flags: &["-d", "--dir"],
        // Jenkins X 2's `jx step helm apply` installs the chart of the environment repository.
        verbs: &[
            (&["promote"], "promote"),
            (&["preview"], "preview"),
            (&["step", "helm", "apply"], "helm-apply"),
            (&["step", "helm", "install"], "helm-install"),
        ],
    },
    // JupyterHub's deployer: `hubploy deploy DEPLOYMENT CHART ENVIRONMENT` runs
    // `helm upgrade --install` of the chart for that environment.
    ToolSpec {
        tool: DeployTool::Helm,
        programs: &["hubploy"],
        value_flags: &["--namespace", "--timeout", "--version", "--helm-version"],
        namespace_flags: &["--namespace"],
        context_flags: &[],
        environment_flags: &[],
        path_flags: &[],
        verbs: &[(&["deploy"], "upgrade-install")],
    },
    ToolSpec {
        tool: DeployTool::KubectlArgoRollouts,
        programs: &["kubectl-argo-rollouts"],
        value_flags: &["-n", "--namespace", "--context", "--kubeconfig"],
        namespace_flags: &["-n", "--namespace"],
        context_flags: &["--context"],
        environment_flags: &[],
        path_flags: &[],
        verbs: &[
            (&["set", "image"], "set-image"),
            (&["promote"], "promote"),
            (&["undo"], "undo"),
            (&["abort"], "abort"),
            (&["retry"], "retry"),
            (&["restart"], "restart"),
        ],
    },
    ToolSpec {
        tool: DeployTool::Tanka,
        programs: &["tk"],
        value_flags: &[
            "--name",
            "--tla-str",
            "--tla-code",
            "--ext-str",
            "--ext-code",
            "-t",
            "--target",
        ],
        namespace_flags: &[],
        context_flags: &[],
        environment_flags: &[],
        path_flags: &[],
        verbs: &[(&["apply"], "apply")],
    },
    ToolSpec {
        tool: DeployTool::Ko,
        programs: &["ko"],
        value_flags: &[
            "-f",
            "--filename",
            "-n",
            "--namespace",
            "--context",
            "--platform",
            "-t",
            "--tags",
            "--image-refs",
            "-l",
            "--selector",
        ],
        namespace_flags: &["-n", "--namespace"],
        context_flags: &["--context"],
        environment_flags: &[],
        path_flags: &["-f", "--filename"],
        verbs: &[(&["apply"], "apply"), (&["create"], "create")],
    },
];

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

/// The deploy tool run by `program`, if any.
fn tool_run_by(program: &str) -> Option<&'static ToolSpec> {
    DEPLOY_TOOLS.iter().find(|t| t.programs.contains(&program))
}

/// The options of the deploy tool `program` runs that take a separate value (none when it runs
/// no deploy tool).
pub(super) fn value_flags(program: &str) -> &'static [&'static str] {
    tool_run_by(program).map_or(&[], |t| t.value_flags)
}

/// The command-line tool that is `tool` (none for [`DeployTool::Kustomize`], which is a
/// pipeline of two).
fn tool_spec(tool: DeployTool) -> Option<&'static ToolSpec> {
    DEPLOY_TOOLS.iter().find(|t| t.tool == tool)
}

/// Whether a command is a dry run (`--dry-run`, `--dry-run=client|server`, not `=none|false`).
fn is_dry_run(cmd: &Command) -> bool {
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
    let mut spec = tool_run_by(program)?;
    let mut positionals = cmd.positionals(spec.value_flags);
    // `kubectl argo rollouts ...` is the Argo Rollouts plugin.
    if matches!(spec.tool, DeployTool::Kubectl | DeployTool::Oc)
        && positionals.starts_with(&["argo", "rollouts"])
    {
        spec = tool_spec(DeployTool::KubectlArgoRollouts)?;
        positionals = cmd.positionals(KUBECTL.value_flags).split_off(2);
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
    for read in cmd.args_after(spec.path_flags) {
        let up = match read {
            "-" => upstream_renders(cmds, idx),
            file => rendered_into(cmds, idx, file, writers),
        };
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
        namespace: cmd.arg_after(spec.namespace_flags).map(str::to_owned),
        context: cmd.arg_after(spec.context_flags).map(str::to_owned),
        environment,
        paths,
        release,
        workload,
    })
}

/// The first deploy among the commands of `line` (a script, or a packaged step's command input).
pub(super) fn first_deploy(line: &str) -> Option<DeployMatch> {
    let cmds = shell::commands(line, &[]);
    let writers = Writers::default();
    (0..cmds.len()).find_map(|i| classify_deploy(&cmds, i, &writers))
}
