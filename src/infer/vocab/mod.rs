//! INFER stage: the one vocabulary of deploy tools, image builders, test runners and cluster
//! credentials, and how commands and packaged steps (actions, orbs, tasks, pipes, Jenkins steps)
//! map to them.
//!
//! Everything a detection rule needs to recognise lives here as data tables, so adding a tool is
//! a table row plus a test. The tables say what *counts*: `helm template` renders and is no
//! deploy, `kubectl diff` changes nothing, `skaffold dev` is not a CI command, and a dry run
//! (`--dry-run=client`) is recognised but flagged so rules can leave it out.

use crate::infer::shell::{self, Command};
use crate::read::CiSystem;

/// A command-line tool that changes what runs in a cluster.
#[derive(Debug)]
pub(crate) struct DeployTool {
    /// Canonical tool name used in facts.
    pub tool: &'static str,
    /// Program basenames that run it.
    pub programs: &'static [&'static str],
    /// Options that take a separate value, so the subcommand can be found among positionals.
    pub value_flags: &'static [&'static str],
    /// Options naming the namespace.
    pub namespace_flags: &'static [&'static str],
    /// Options naming the kube context (or cluster).
    pub context_flags: &'static [&'static str],
    /// Options naming an environment of the tool itself (`helmfile -e prod`, `jx --env`).
    pub environment_flags: &'static [&'static str],
    /// Options naming files or directories that are deployed.
    pub path_flags: &'static [&'static str],
    /// Subcommand paths that deploy, with their operation. The longest match wins.
    pub verbs: &'static [(&'static [&'static str], &'static str)],
    /// Subcommands that look related but do not deploy (kept for documentation and tests).
    pub not_deploys: &'static [&'static str],
}

const KUBECTL_VALUE_FLAGS: &[&str] = &[
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
];

const KUBECTL_VERBS: &[(&[&str], &str)] = &[
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
];

/// Every deploy tool. Order matters only for readability.
pub(crate) const DEPLOY_TOOLS: &[DeployTool] = &[
    DeployTool {
        tool: "kubectl",
        programs: &["kubectl", "kubectl.exe", "microk8s.kubectl", "k3s-kubectl"],
        value_flags: KUBECTL_VALUE_FLAGS,
        namespace_flags: &["-n", "--namespace"],
        context_flags: &["--context", "--cluster"],
        environment_flags: &[],
        path_flags: &["-f", "--filename", "-k", "--kustomize"],
        verbs: KUBECTL_VERBS,
        not_deploys: &[
            "get",
            "describe",
            "diff",
            "logs",
            "exec",
            "wait",
            "version",
            "cluster-info",
            "config",
            "auth",
            "explain",
            "top",
            "port-forward",
            "rollout status",
            "rollout history",
            "kustomize",
        ],
    },
    DeployTool {
        tool: "oc",
        programs: &["oc"],
        value_flags: KUBECTL_VALUE_FLAGS,
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
            (&["rollout", "latest"], "rollout-latest"),
            (&["scale"], "scale"),
            (&["delete"], "delete"),
            (&["new-app"], "new-app"),
        ],
        not_deploys: &[
            "get",
            "describe",
            "login",
            "process",
            "start-build",
            "whoami",
            "project",
        ],
    },
    DeployTool {
        tool: "helm",
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
        not_deploys: &[
            "template",
            "lint",
            "package",
            "repo",
            "dependency",
            "dep",
            "pull",
            "fetch",
            "push",
            "show",
            "inspect",
            "search",
            "version",
            "plugin",
            "registry",
            "list",
            "ls",
            "status",
            "get",
            "history",
            "test",
            "diff",
            "env",
            "create",
            "verify",
        ],
    },
    DeployTool {
        tool: "helmfile",
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
        not_deploys: &[
            "template", "lint", "diff", "build", "list", "repos", "deps", "status", "test",
        ],
    },
    DeployTool {
        tool: "skaffold",
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
        not_deploys: &["dev", "build", "render", "diagnose", "init", "debug"],
    },
    DeployTool {
        tool: "kapp",
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
        not_deploys: &["inspect", "list", "ls"],
    },
    DeployTool {
        tool: "argocd",
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
        not_deploys: &[
            "app get", "app list", "app wait", "app diff", "login", "version",
        ],
    },
    DeployTool {
        tool: "flux",
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
        not_deploys: &[
            "get",
            "check",
            "install",
            "bootstrap",
            "create",
            "export",
            "logs",
        ],
    },
    DeployTool {
        tool: "jx",
        programs: &["jx"],
        value_flags: &["-e", "--env", "-v", "--version", "-a", "--app", "--timeout"],
        namespace_flags: &[],
        context_flags: &[],
        environment_flags: &["-e", "--env"],
        path_flags: &[],
        verbs: &[(&["promote"], "promote"), (&["preview"], "preview")],
        not_deploys: &["get", "version"],
    },
    DeployTool {
        tool: "kubectl-argo-rollouts",
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
        not_deploys: &["get", "status", "list", "lint", "version"],
    },
    DeployTool {
        tool: "tanka",
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
        not_deploys: &["show", "diff", "export", "eval", "fmt"],
    },
    DeployTool {
        tool: "ko",
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
        not_deploys: &["build", "publish", "resolve", "login"],
    },
];

/// Renderers whose output, piped into a deploy command reading `-f -`, is what gets deployed.
pub(crate) const RENDERERS: &[&str] = &[
    "kustomize",
    "helm template",
    "kubectl kustomize",
    "oc kustomize",
    "ytt",
    "kbld",
    "envsubst",
    "cat",
    "ko resolve",
    "jsonnet",
];

/// A recognised deploy command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DeployMatch {
    /// Canonical tool.
    pub tool: &'static str,
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
}

/// The deploy tool run by `program`, if any.
pub(crate) fn deploy_tool(program: &str) -> Option<&'static DeployTool> {
    DEPLOY_TOOLS.iter().find(|t| t.programs.contains(&program))
}

fn tool_named(tool: &str) -> Option<&'static DeployTool> {
    DEPLOY_TOOLS.iter().find(|t| t.tool == tool)
}

/// Whether a command is a dry run.
pub(crate) fn is_dry_run(cmd: &Command) -> bool {
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
pub(crate) fn classify_deploy(cmds: &[Command], idx: usize) -> Option<DeployMatch> {
    let cmd = cmds.get(idx)?;
    let program = cmd.program()?;
    let mut spec = deploy_tool(program)?;
    let mut positionals = cmd.positionals(spec.value_flags);
    // `kubectl argo rollouts ...` is the Argo Rollouts plugin.
    if matches!(spec.tool, "kubectl" | "oc") && positionals.starts_with(&["argo", "rollouts"]) {
        spec = tool_named("kubectl-argo-rollouts")?;
        positionals = cmd.positionals(KUBECTL_VALUE_FLAGS).split_off(2);
    }
    // helm-secrets wraps helm: `helm secrets upgrade ...`.
    if spec.tool == "helm" && positionals.first() == Some(&"secrets") {
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
    if spec.tool == "helm" && operation == "upgrade" && cmd.has_flag(&["-i", "--install"]) {
        operation = "upgrade-install".to_owned();
    }
    match spec.tool {
        // Charts are positionals: `upgrade RELEASE CHART`, `install RELEASE CHART`.
        "helm" if matches!(*op, "upgrade" | "install") => {
            let chart = if *op == "install" && cmd.has_flag(&["--generate-name", "-g"]) {
                positionals.get(verb.len())
            } else {
                positionals.get(verb.len() + 1)
            };
            if let Some(chart) = chart {
                paths.insert(0, (*chart).to_owned());
            }
        }
        "tanka" => paths.extend(positionals.get(verb.len()).map(|p| (*p).to_owned())),
        _ => {}
    }
    let reads_stdin = cmd.args_after(spec.path_flags).contains(&"-");
    if reads_stdin {
        let upstream = upstream_renders(cmds, idx);
        if upstream.kustomize && matches!(operation.as_str(), "apply" | "create" | "replace") {
            tool = "kustomize";
            operation = "build-apply".to_owned();
        }
        paths.extend(upstream.paths);
    }
    let dry_run = is_dry_run(cmd);
    if dry_run {
        operation.push_str(" --dry-run");
    }
    Some(DeployMatch {
        tool,
        operation,
        dry_run,
        namespace: cmd.arg_after(spec.namespace_flags).map(str::to_owned),
        context: cmd.arg_after(spec.context_flags).map(str::to_owned),
        environment: cmd.arg_after(spec.environment_flags).map(str::to_owned),
        paths,
    })
}

/// What is piped into a command: the files renderers read, and whether kustomize built it.
#[derive(Debug, Default)]
struct Upstream {
    paths: Vec<String>,
    kustomize: bool,
}

fn upstream_renders(cmds: &[Command], idx: usize) -> Upstream {
    let mut up = Upstream::default();
    let mut cursor = cmds.get(idx).and_then(|c| c.stdin_from);
    let mut guard = 0;
    while let Some(i) = cursor {
        guard += 1;
        if guard > 16 || i >= idx {
            break;
        }
        let Some(cmd) = cmds.get(i) else {
            break;
        };
        let positionals = cmd.positionals(&["-f", "--file", "-o", "--output", "--values"]);
        match cmd.program() {
            Some("kustomize") if positionals.first() == Some(&"build") => {
                up.kustomize = true;
                up.paths
                    .push(positionals.get(1).copied().unwrap_or(".").to_owned());
            }
            Some("kubectl" | "oc") if positionals.first() == Some(&"kustomize") => {
                up.kustomize = true;
                up.paths
                    .push(positionals.get(1).copied().unwrap_or(".").to_owned());
            }
            Some("helm") if positionals.first() == Some(&"template") => {
                let value_flags = deploy_tool("helm").map_or(&[][..], |t| t.value_flags);
                let pos = cmd.positionals(value_flags);
                let chart = if pos.len() >= 3 {
                    pos.get(2)
                } else {
                    pos.get(1)
                };
                up.paths.extend(chart.map(|c| (*c).to_owned()));
                up.paths.extend(
                    cmd.args_after(&["-f", "--values"])
                        .into_iter()
                        .map(str::to_owned),
                );
            }
            Some("ytt" | "kbld" | "jsonnet") => {
                up.paths.extend(
                    cmd.args_after(&["-f", "--file"])
                        .into_iter()
                        .filter(|p| *p != "-")
                        .map(str::to_owned),
                );
            }
            Some("ko") if positionals.first() == Some(&"resolve") => {
                up.paths.extend(
                    cmd.args_after(&["-f", "--filename"])
                        .into_iter()
                        .map(str::to_owned),
                );
            }
            Some("cat") => up.paths.extend(positionals.into_iter().map(str::to_owned)),
            Some("envsubst") => up.paths.extend(
                cmd.redirects
                    .iter()
                    .filter(|r| r.op == "<")
                    .map(|r| r.target.text.clone()),
            ),
            _ => {}
        }
        cursor = cmd.stdin_from;
    }
    up
}

/// How an image builder decides whether it pushes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Push {
    /// Always pushes (`docker push`).
    Always,
    /// Pushes when one of these options is given (`buildx build --push`).
    IfFlag(&'static [&'static str]),
    /// Pushes unless one of these options is given (`kaniko --no-push`).
    UnlessFlag(&'static [&'static str]),
}

/// One image-building subcommand.
#[derive(Debug)]
pub(crate) struct ImageBuilder {
    /// Canonical builder name.
    pub builder: &'static str,
    /// Program basenames.
    pub programs: &'static [&'static str],
    /// Subcommand path (empty: the program itself).
    pub verb: &'static [&'static str],
    /// Options naming the image.
    pub image_flags: &'static [&'static str],
    /// Positional index (after the verb) holding the image, when it is positional.
    pub image_positional: Option<usize>,
    /// Whether it pushes.
    pub push: Push,
}

const DOCKER_VALUE_FLAGS: &[&str] = &[
    "-t",
    "--tag",
    "-f",
    "--file",
    "--build-arg",
    "--target",
    "--platform",
    "--label",
    "--cache-from",
    "--cache-to",
    "--secret",
    "--ssh",
    "--network",
    "--progress",
    "-o",
    "--output",
    "--iidfile",
    "--metadata-file",
    "--builder",
    "--add-host",
    "--shm-size",
    "-m",
    "--memory",
    "--build-context",
    "--annotation",
    "--allow",
    "-H",
    "--host",
    "--context",
    "-c",
    "--config",
    "-l",
    "--log-level",
    "--format",
    "--authfile",
    "--creds",
    "--layers",
    "--isolation",
];

/// Every image builder.
pub(crate) const IMAGE_BUILDERS: &[ImageBuilder] = &[
    ImageBuilder {
        builder: "buildx",
        programs: &["docker"],
        verb: &["buildx", "build"],
        image_flags: &["-t", "--tag"],
        image_positional: None,
        push: Push::IfFlag(&["--push"]),
    },
    ImageBuilder {
        builder: "buildx",
        programs: &["docker"],
        verb: &["buildx", "bake"],
        image_flags: &[],
        image_positional: None,
        push: Push::IfFlag(&["--push"]),
    },
    ImageBuilder {
        builder: "buildx",
        programs: &["docker-buildx"],
        verb: &["build"],
        image_flags: &["-t", "--tag"],
        image_positional: None,
        push: Push::IfFlag(&["--push"]),
    },
    ImageBuilder {
        builder: "docker",
        programs: &["docker"],
        verb: &["build"],
        image_flags: &["-t", "--tag"],
        image_positional: None,
        push: Push::IfFlag(&["--push"]),
    },
    ImageBuilder {
        builder: "docker",
        programs: &["docker"],
        verb: &["image", "build"],
        image_flags: &["-t", "--tag"],
        image_positional: None,
        push: Push::IfFlag(&["--push"]),
    },
    ImageBuilder {
        builder: "docker",
        programs: &["docker"],
        verb: &["push"],
        image_flags: &[],
        image_positional: Some(0),
        push: Push::Always,
    },
    ImageBuilder {
        builder: "docker",
        programs: &["docker"],
        verb: &["image", "push"],
        image_flags: &[],
        image_positional: Some(0),
        push: Push::Always,
    },
    ImageBuilder {
        builder: "kaniko",
        programs: &["executor", "kaniko"],
        verb: &[],
        image_flags: &["-d", "--destination"],
        image_positional: None,
        push: Push::UnlessFlag(&["--no-push"]),
    },
    ImageBuilder {
        builder: "buildah",
        programs: &["buildah"],
        verb: &["bud"],
        image_flags: &["-t", "--tag"],
        image_positional: None,
        push: Push::IfFlag(&[]),
    },
    ImageBuilder {
        builder: "buildah",
        programs: &["buildah"],
        verb: &["build"],
        image_flags: &["-t", "--tag"],
        image_positional: None,
        push: Push::IfFlag(&[]),
    },
    ImageBuilder {
        builder: "buildah",
        programs: &["buildah"],
        verb: &["push"],
        image_flags: &[],
        image_positional: Some(0),
        push: Push::Always,
    },
    ImageBuilder {
        builder: "podman",
        programs: &["podman"],
        verb: &["build"],
        image_flags: &["-t", "--tag"],
        image_positional: None,
        push: Push::IfFlag(&[]),
    },
    ImageBuilder {
        builder: "podman",
        programs: &["podman"],
        verb: &["push"],
        image_flags: &[],
        image_positional: Some(0),
        push: Push::Always,
    },
    ImageBuilder {
        builder: "ko",
        programs: &["ko"],
        verb: &["build"],
        image_flags: &[],
        image_positional: Some(0),
        push: Push::UnlessFlag(&["--local", "-L", "--push=false"]),
    },
    ImageBuilder {
        builder: "ko",
        programs: &["ko"],
        verb: &["publish"],
        image_flags: &[],
        image_positional: Some(0),
        push: Push::UnlessFlag(&["--local", "-L", "--push=false"]),
    },
    ImageBuilder {
        builder: "ko",
        programs: &["ko"],
        verb: &["resolve"],
        image_flags: &[],
        image_positional: None,
        push: Push::UnlessFlag(&["--local", "-L", "--push=false"]),
    },
    ImageBuilder {
        builder: "ko",
        programs: &["ko"],
        verb: &["apply"],
        image_flags: &[],
        image_positional: None,
        push: Push::UnlessFlag(&["--local", "-L", "--push=false"]),
    },
    ImageBuilder {
        builder: "pack",
        programs: &["pack"],
        verb: &["build"],
        image_flags: &[],
        image_positional: Some(0),
        push: Push::IfFlag(&["--publish"]),
    },
    ImageBuilder {
        builder: "skaffold",
        programs: &["skaffold"],
        verb: &["build"],
        image_flags: &[],
        image_positional: None,
        push: Push::UnlessFlag(&["--push=false"]),
    },
    ImageBuilder {
        builder: "gcloud-builds",
        programs: &["gcloud"],
        verb: &["builds", "submit"],
        image_flags: &["-t", "--tag"],
        image_positional: None,
        push: Push::Always,
    },
];

/// A recognised image build or push.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ImageMatch {
    /// Canonical builder.
    pub builder: &'static str,
    /// Image references as written.
    pub images: Vec<String>,
    /// Whether it pushes.
    pub pushes: bool,
}

/// Classifies an image build or push command.
pub(crate) fn classify_image(cmd: &Command) -> Option<ImageMatch> {
    let program = cmd.program()?;
    if let Some(m) = classify_jib(cmd, program) {
        return Some(m);
    }
    // kaniko's binary is a generic `executor`: require one of its options too.
    if program == "executor"
        && !cmd.words.first().is_some_and(|w| w.text.contains("kaniko"))
        && !cmd.has_flag(&["--destination", "-d", "--dockerfile", "--context"])
    {
        return None;
    }
    let positionals = cmd.positionals(DOCKER_VALUE_FLAGS);
    let spec = IMAGE_BUILDERS
        .iter()
        .filter(|b| b.programs.contains(&program) && positionals.starts_with(b.verb))
        .max_by_key(|b| b.verb.len())?;
    let mut images: Vec<String> = cmd
        .args_after(spec.image_flags)
        .into_iter()
        .map(str::to_owned)
        .collect();
    if let Some(i) = spec.image_positional {
        images.extend(
            positionals
                .get(spec.verb.len() + i)
                .map(|p| (*p).to_owned()),
        );
    }
    let pushes = match spec.push {
        Push::Always => true,
        Push::IfFlag(flags) => {
            cmd.has_flag(flags)
                || (spec.builder == "buildx"
                    && cmd
                        .args_after(&["-o", "--output"])
                        .iter()
                        .any(|o| o.contains("type=registry") || o.contains("push=true")))
        }
        Push::UnlessFlag(flags) => !cmd.words.iter().any(|w| flags.contains(&w.text.as_str())),
    };
    Some(ImageMatch {
        builder: spec.builder,
        images,
        pushes,
    })
}

/// Jib runs inside Maven or Gradle: `mvn compile jib:build`, `./gradlew jib`.
fn classify_jib(cmd: &Command, program: &str) -> Option<ImageMatch> {
    let goals: Vec<&str> = cmd.words.iter().skip(1).map(|w| w.text.as_str()).collect();
    let pushes = match program {
        "mvn" | "mvnw" | "mvn.cmd" => {
            if goals
                .iter()
                .any(|g| *g == "jib:build" || g.ends_with("jib-maven-plugin:build"))
            {
                true
            } else if goals
                .iter()
                .any(|g| matches!(*g, "jib:dockerBuild" | "jib:buildTar"))
            {
                false
            } else {
                return None;
            }
        }
        "gradle" | "gradlew" | "gradlew.bat" => {
            if goals.iter().any(|g| *g == "jib" || g.ends_with(":jib")) {
                true
            } else if goals
                .iter()
                .any(|g| matches!(*g, "jibDockerBuild" | "jibBuildTar"))
            {
                false
            } else {
                return None;
            }
        }
        _ => return None,
    };
    let images = goals
        .iter()
        .filter_map(|g| {
            g.strip_prefix("-Dimage=")
                .or_else(|| g.strip_prefix("-Djib.to.image="))
                .or_else(|| g.strip_prefix("--image="))
        })
        .map(str::to_owned)
        .collect();
    Some(ImageMatch {
        builder: "jib",
        images,
        pushes,
    })
}

/// How a test runner is recognised from its positionals.
#[derive(Debug, Clone, Copy)]
pub(crate) enum TestVerb {
    /// The program alone runs tests (`pytest`, `phpunit`, `tox`).
    Always,
    /// The first positional is one of these.
    First(&'static [&'static str]),
    /// The first positional starts with one of these (`yarn test:unit`).
    FirstPrefix(&'static [&'static str]),
    /// Some positional is one of these, or ends with `:<one of these>` (`mvn clean verify`,
    /// `gradle :app:test`).
    Any(&'static [&'static str]),
    /// The positionals start with this path and the next starts with one of these
    /// (`npm run test:ci`, `bundle exec rspec`).
    Then(&'static [&'static str], &'static [&'static str]),
}

/// Test runners: program basenames and how their test invocation looks.
pub(crate) const TEST_RUNNERS: &[(&[&str], TestVerb)] = &[
    (&["npm"], TestVerb::First(&["test", "t", "tst"])),
    (&["npm"], TestVerb::Then(&["run"], &["test"])),
    (&["npm"], TestVerb::Then(&["run-script"], &["test"])),
    (&["yarn", "pnpm", "bun"], TestVerb::FirstPrefix(&["test"])),
    (
        &["yarn", "pnpm", "bun"],
        TestVerb::Then(&["run"], &["test"]),
    ),
    (&["go"], TestVerb::First(&["test"])),
    (&["cargo"], TestVerb::First(&["test"])),
    (&["cargo"], TestVerb::Then(&["nextest"], &["run"])),
    (
        &[
            "pytest", "py.test", "tox", "nox", "phpunit", "rspec", "jest", "vitest",
        ],
        TestVerb::Always,
    ),
    (
        &["python", "python3"],
        TestVerb::Then(&["-m"], &["pytest", "unittest"]),
    ),
    (
        &["mvn", "mvnw", "mvn.cmd"],
        TestVerb::Any(&["test", "verify", "integration-test"]),
    ),
    (
        &["gradle", "gradlew", "gradlew.bat"],
        TestVerb::Any(&["test", "check"]),
    ),
    (&["make"], TestVerb::Any(&["test", "check"])),
    (
        &["bundle"],
        TestVerb::Then(&["exec"], &["rspec", "rake test", "rake spec"]),
    ),
    (&["rake"], TestVerb::First(&["test", "spec"])),
    (&["dotnet"], TestVerb::First(&["test"])),
];

/// Whether a command runs tests.
pub(crate) fn is_test(cmd: &Command) -> bool {
    let Some(program) = cmd.program() else {
        return false;
    };
    // `python -m pytest` needs `-m` kept, so look at raw arguments there.
    let args: Vec<&str> = cmd.words.iter().skip(1).map(|w| w.text.as_str()).collect();
    let positionals = cmd.positionals(&["-C", "-f", "--file", "-p", "--project", "-P", "-w"]);
    TEST_RUNNERS
        .iter()
        .filter(|(programs, _)| programs.contains(&program))
        .any(|(_, verb)| match verb {
            TestVerb::Always => true,
            TestVerb::First(names) => positionals.first().is_some_and(|p| names.contains(p)),
            TestVerb::FirstPrefix(names) => positionals
                .first()
                .is_some_and(|p| names.iter().any(|n| p.starts_with(n))),
            TestVerb::Any(names) => positionals.iter().any(|p| {
                names.iter().any(|n| {
                    p == n
                        || p.rsplit(':').next() == Some(*n)
                        || (program == "make" && p.starts_with(&format!("{n}-")))
                })
            }),
            TestVerb::Then(path, next) => {
                let seq: &[&str] = if path.first().is_some_and(|p| p.starts_with('-')) {
                    &args
                } else {
                    &positionals
                };
                seq.starts_with(path)
                    && seq.get(path.len()).is_some_and(|n| {
                        let rest = seq[path.len()..].join(" ");
                        next.iter().any(|x| n.starts_with(x) || rest.starts_with(x))
                    })
            }
        })
}

/// Commands that fetch or write cluster credentials: (program, subcommand path, kind, how the
/// cluster is named).
pub(crate) const CREDENTIAL_COMMANDS: &[(&str, &[&str], &str, ClusterArg)] = &[
    (
        "aws",
        &["eks", "update-kubeconfig"],
        "cloud-aws",
        ClusterArg::Flag(&["--name"]),
    ),
    (
        "gcloud",
        &["container", "clusters", "get-credentials"],
        "cloud-gcp",
        ClusterArg::Positional,
    ),
    (
        "gcloud",
        &["container", "fleet", "memberships", "get-credentials"],
        "cloud-gcp",
        ClusterArg::Positional,
    ),
    (
        "az",
        &["aks", "get-credentials"],
        "cloud-azure",
        ClusterArg::Flag(&["--name", "-n"]),
    ),
    (
        "doctl",
        &["kubernetes", "cluster", "kubeconfig", "save"],
        "kubeconfig",
        ClusterArg::Positional,
    ),
    (
        "doctl",
        &["k8s", "cluster", "kubeconfig", "save"],
        "kubeconfig",
        ClusterArg::Positional,
    ),
    (
        "kubectl",
        &["config", "set-credentials"],
        "kube-token",
        ClusterArg::None,
    ),
    (
        "kubectl",
        &["config", "set-cluster"],
        "kubeconfig",
        ClusterArg::None,
    ),
    ("oc", &["login"], "openshift-login", ClusterArg::None),
    ("argocd", &["login"], "argocd-token", ClusterArg::None),
];

/// Where a credential command names its cluster.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ClusterArg {
    /// Not named.
    None,
    /// In one of these options.
    Flag(&'static [&'static str]),
    /// The positional right after the subcommand.
    Positional,
}

/// Options that pass a token on the command line, with the credential kind.
pub(crate) const TOKEN_FLAGS: &[(&str, &str)] = &[
    ("--token", "kube-token"),
    ("--kube-token", "kube-token"),
    ("--auth-token", "argocd-token"),
];

/// A credential a command uses or writes. Never a value: only names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CredentialMatch {
    /// Canonical kind.
    pub kind: &'static str,
    /// Variable, secret or canonical command name (never a value).
    pub name: String,
    /// The cluster it targets, when named.
    pub cluster: Option<String>,
    /// What was seen, one lowercase phrase.
    pub note: String,
}

/// The credentials command `idx` uses or writes.
pub(crate) fn classify_credentials(cmds: &[Command], idx: usize) -> Vec<CredentialMatch> {
    let mut out = Vec::new();
    let Some(cmd) = cmds.get(idx) else {
        return out;
    };
    let program = cmd.program().unwrap_or_default();
    let positionals = cmd.positionals(&[
        "--region",
        "--zone",
        "--project",
        "-g",
        "--resource-group",
        "--name",
        "-n",
        "--kubeconfig",
        "--server",
        "--token",
        "--role-arn",
        "--alias",
        "--profile",
        "--location",
        "--context",
    ]);
    for (prog, path, kind, cluster_arg) in CREDENTIAL_COMMANDS {
        if *prog == program && positionals.starts_with(path) {
            let cluster = match cluster_arg {
                ClusterArg::None => None,
                ClusterArg::Flag(flags) => cmd.arg_after(flags).map(str::to_owned),
                ClusterArg::Positional => positionals.get(path.len()).map(|p| (*p).to_owned()),
            };
            let canonical = format!("{prog} {}", path.join(" "));
            let token = cmd.arg_after(&["--token", "--auth-token", "--password"]);
            let name = token
                .and_then(variable_name)
                .unwrap_or_else(|| canonical.clone());
            out.push(CredentialMatch {
                kind,
                name,
                cluster,
                note: format!("`{canonical}` fetches or writes cluster credentials"),
            });
            return out;
        }
    }
    for (flag, kind) in TOKEN_FLAGS {
        if let Some(value) = cmd.arg_after(&[flag]) {
            let name = variable_name(value).unwrap_or_else(|| (*flag).to_owned());
            out.push(CredentialMatch {
                kind,
                name,
                cluster: None,
                note: format!("`{program}` is given a token with `{flag}`"),
            });
        }
    }
    // `echo $KUBE_CONFIG | base64 -d > ~/.kube/config`, `cp $KC ~/.kube/config`.
    let writes_kubeconfig = cmd.redirects.iter().any(|r| {
        matches!(r.op.as_str(), ">" | ">>" | ">|" | "1>" | "&>")
            && is_kubeconfig_path(&r.target.text)
    }) || (matches!(program, "cp" | "mv" | "install" | "ln" | "tee")
        && cmd
            .words
            .iter()
            .skip(1)
            .any(|w| is_kubeconfig_path(&w.text)));
    if writes_kubeconfig {
        let mut names = Vec::new();
        let mut cursor = Some(idx);
        let mut guard = 0;
        while let Some(i) = cursor {
            guard += 1;
            let Some(c) = cmds.get(i) else { break };
            if guard > 16 {
                break;
            }
            for w in &c.words {
                names.extend(variable_refs(&w.text));
            }
            cursor = c.stdin_from.filter(|j| *j < i);
        }
        let name = names
            .iter()
            .find(|n| credential_kind_for_name(n, false).is_some())
            .or(names.first())
            .cloned()
            .unwrap_or_else(|| "~/.kube/config".to_owned());
        out.push(CredentialMatch {
            kind: "kubeconfig",
            name,
            cluster: None,
            note: "a kubeconfig file is written".to_owned(),
        });
    }
    // `export KUBECONFIG=...`, `KUBECONFIG=x kubectl ...`.
    let mut assigned: Vec<(String, String)> = cmd.assignments.clone();
    if matches!(program, "export" | "declare" | "readonly") {
        for w in cmd.words.iter().skip(1) {
            if let Some((k, v)) = w.text.split_once('=') {
                assigned.push((k.to_owned(), v.to_owned()));
            }
        }
    }
    for (k, v) in assigned {
        if let Some(kind) = credential_kind_for_name(&k, false) {
            let name = variable_refs(&v)
                .into_iter()
                .find(|n| credential_kind_for_name(n, false).is_some())
                .unwrap_or(k.clone());
            out.push(CredentialMatch {
                kind,
                name,
                cluster: None,
                note: format!("`{k}` is set"),
            });
        }
    }
    out
}

/// Whether a path is a kubeconfig file.
pub(crate) fn is_kubeconfig_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.contains(".kube/config")
        || lower
            .rsplit('/')
            .next()
            .is_some_and(|f| f.contains("kubeconfig"))
}

/// `$NAME`, `${NAME}`, `"$NAME"` → `NAME`; `${{ secrets.NAME }}` → `secrets.NAME`.
pub(crate) fn variable_name(word: &str) -> Option<String> {
    let refs = variable_refs(word);
    (refs.len() == 1 && word.trim_start().starts_with('$'))
        .then(|| refs.into_iter().next())
        .flatten()
}

/// Every variable or secret a text references: `$X`, `${X}`, `${{ secrets.X }}` (as
/// `secrets.X`), `$(X)` Azure macros are not variables and are skipped.
pub(crate) fn variable_refs(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'$' {
            i += 1;
            continue;
        }
        let rest = &text[i + 1..];
        if let Some(expr) = rest.strip_prefix("{{") {
            let end = expr.find("}}").unwrap_or(expr.len());
            let inner = &expr[..end];
            for part in inner.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            {
                if let Some(name) = part
                    .strip_prefix("secrets.")
                    .or_else(|| part.strip_prefix("env."))
                    && !name.is_empty()
                {
                    let prefix = if part.starts_with("secrets.") {
                        "secrets."
                    } else {
                        ""
                    };
                    out.push(format!("{prefix}{name}"));
                }
            }
            i += 3 + end;
            continue;
        }
        let (body, skip) = match rest.strip_prefix('{') {
            Some(r) => (r, 2),
            None => (rest, 1),
        };
        let len = body
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
            .map_or(body.len(), |(j, _)| j);
        let name = &body[..len];
        if !name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit()) {
            out.push(name.to_owned());
        }
        i += skip + len;
    }
    out.dedup();
    out
}

/// Name parts that mean "this is about a cluster".
const KUBE_PARTS: &[&str] = &[
    "kube",
    "kubeconfig",
    "kubectl",
    "k8s",
    "cluster",
    "eks",
    "gke",
    "aks",
    "argocd",
    "openshift",
    "ocp",
];
/// Name parts that mean "this is not a secret" (`KUBE_NAMESPACE`, `CLUSTER_NAME`).
const NOT_SECRET_PARTS: &[&str] = &[
    "name",
    "namespace",
    "ns",
    "region",
    "zone",
    "location",
    "project",
    "group",
    "rg",
    "url",
    "server",
    "host",
    "endpoint",
    "context",
    "version",
    "id",
    "ingress",
    "domain",
    "image",
    "tag",
    "port",
    "replicas",
    "timeout",
];

/// The credential kind a variable, secret or credential id suggests by its name.
/// `known_secret`: the name is known to be a secret (`secrets.X`, a Jenkins credential id), so
/// any cluster-ish name counts; otherwise it needs a secret-ish word too.
pub(crate) fn credential_kind_for_name(name: &str, known_secret: bool) -> Option<&'static str> {
    let name = name.strip_prefix("secrets.").unwrap_or(name);
    let lower = name.to_ascii_lowercase();
    // GitLab Auto DevOps passes K8S_SECRET_* to the application: app secrets, not cluster ones.
    if lower.starts_with("k8s_secret_") {
        return None;
    }
    let parts: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .collect();
    let kube = parts
        .iter()
        .any(|p| KUBE_PARTS.iter().any(|k| p.starts_with(k)));
    if !kube || parts.iter().any(|p| NOT_SECRET_PARTS.contains(p)) {
        return None;
    }
    // Short words must match a whole part (`ca`, not `cache`).
    let has = |words: &[&str]| {
        parts.iter().any(|p| {
            words
                .iter()
                .any(|w| *p == *w || (w.len() >= 4 && p.contains(w)))
        })
    };
    if has(&["argocd"]) {
        return Some("argocd-token");
    }
    if has(&["token", "bearer", "jwt"]) {
        return Some("kube-token");
    }
    if has(&[
        "config", "cert", "crt", "key", "pem", "ca", "data", "b64", "base64", "cred", "secret",
        "password", "pass", "auth",
    ]) {
        return Some(if has(&["kube", "k8s", "cluster", "config"]) {
            "kubeconfig"
        } else if has(&["eks"]) {
            "cloud-aws"
        } else if has(&["gke"]) {
            "cloud-gcp"
        } else if has(&["aks"]) {
            "cloud-azure"
        } else {
            "kubeconfig"
        });
    }
    if known_secret {
        return Some(if has(&["openshift", "ocp"]) {
            "openshift-login"
        } else if has(&["eks"]) {
            "cloud-aws"
        } else if has(&["gke"]) {
            "cloud-gcp"
        } else if has(&["aks"]) {
            "cloud-azure"
        } else {
            "kubeconfig"
        });
    }
    None
}

/// What a packaged step does.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ActionRole {
    /// Deploys with this canonical tool.
    Deploy(&'static str),
    /// Sets up cluster credentials of this kind.
    Credential(&'static str),
    /// Builds (and maybe pushes) images with this canonical builder.
    Image(&'static str),
}

/// How a packaged deploy step's operation is found.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ActionOp {
    /// Always this operation.
    Fixed(&'static str),
    /// An input names it: (input value, operation) pairs; `default` when the input is absent.
    /// A value not listed means the step does not deploy (`action: bake`).
    Input {
        /// Input name.
        input: &'static str,
        /// Value assumed when the input is absent.
        default: &'static str,
        /// Value → operation.
        map: &'static [(&'static str, &'static str)],
    },
    /// An input holds a command line (with or without the program), classified like a script.
    Command {
        /// Input holding the command.
        input: &'static str,
        /// Program to put in front, when the input leaves it out.
        program: Option<&'static str>,
        /// Another input appended to the command (`arguments`).
        extra: Option<&'static str>,
    },
}

/// A packaged step: GitHub action, CircleCI orb command, Azure task, Bitbucket pipe, Jenkins step.
#[derive(Debug)]
pub(crate) struct ActionSpec {
    /// Normalised reference: lowercase, no `@ref`/`:version`, `_` as `-`.
    pub uses: &'static str,
    /// What it does.
    pub role: ActionRole,
    /// How its operation is found (deploys only).
    pub op: ActionOp,
    /// Inputs naming the namespace.
    pub namespace: &'static [&'static str],
    /// Inputs naming the kube context or cluster.
    pub context: &'static [&'static str],
    /// Inputs naming deployed files or charts (and, for image steps, nothing).
    pub paths: &'static [&'static str],
    /// Inputs naming images.
    pub images: &'static [&'static str],
    /// Input that decides pushing, with the values that mean "push" (image steps).
    pub push: Option<(&'static str, &'static [&'static str])>,
    /// Whether an image step always pushes.
    pub pushes: bool,
    /// Input that asks for a dry run.
    pub dry_run: Option<&'static str>,
    /// Inputs that carry cluster credentials, with the kind.
    pub credentials: &'static [(&'static str, &'static str)],
}

const fn deploy(uses: &'static str, tool: &'static str, op: ActionOp) -> ActionSpec {
    ActionSpec {
        uses,
        role: ActionRole::Deploy(tool),
        op,
        namespace: &["namespace"],
        context: &[],
        paths: &[],
        images: &[],
        push: None,
        pushes: false,
        dry_run: None,
        credentials: &[],
    }
}

const fn credential(uses: &'static str, kind: &'static str) -> ActionSpec {
    ActionSpec {
        role: ActionRole::Credential(kind),
        ..deploy(uses, "", ActionOp::Fixed(""))
    }
}

const fn image(
    uses: &'static str,
    builder: &'static str,
    images: &'static [&'static str],
) -> ActionSpec {
    ActionSpec {
        role: ActionRole::Image(builder),
        images,
        namespace: &[],
        ..deploy(uses, "", ActionOp::Fixed(""))
    }
}

const KUBECTL_CMD: ActionOp = ActionOp::Command {
    input: "args",
    program: Some("kubectl"),
    extra: None,
};

/// Every packaged step the rules recognise.
pub(crate) const ACTIONS: &[ActionSpec] = &[
    // GitHub Actions.
    ActionSpec {
        paths: &["manifests"],
        images: &["images"],
        ..deploy(
            "azure/k8s-deploy",
            "kubectl",
            ActionOp::Input {
                input: "action",
                default: "deploy",
                map: &[
                    ("deploy", "deploy"),
                    ("promote", "promote"),
                    ("reject", "reject"),
                ],
            },
        )
    },
    ActionSpec {
        credentials: &[("config", "kubeconfig")],
        ..deploy(
            "steebchen/kubectl",
            "kubectl",
            ActionOp::Command {
                input: "command",
                program: Some("kubectl"),
                extra: None,
            },
        )
    },
    deploy("actions-hub/kubectl", "kubectl", KUBECTL_CMD),
    deploy("kodermax/kubectl-aws-eks", "kubectl", KUBECTL_CMD),
    deploy("ianbelcher/eks-kubectl-action", "kubectl", KUBECTL_CMD),
    ActionSpec {
        paths: &["chart", "value-files"],
        ..deploy(
            "deliverybot/helm",
            "helm",
            ActionOp::Input {
                input: "task",
                default: "deploy",
                map: &[("deploy", "upgrade-install"), ("remove", "uninstall")],
            },
        )
    },
    ActionSpec {
        credentials: &[("kubeconfig", "kubeconfig")],
        ..deploy(
            "wyrihaximus/github-action-helm3",
            "helm",
            ActionOp::Command {
                input: "exec",
                program: None,
                extra: None,
            },
        )
    },
    ActionSpec {
        credentials: &[("auth-token", "argocd-token")],
        ..deploy(
            "clowdhaus/argo-cd-action",
            "argocd",
            ActionOp::Command {
                input: "command",
                program: Some("argocd"),
                extra: Some("options"),
            },
        )
    },
    ActionSpec {
        context: &["context"],
        credentials: &[("kubeconfig", "kubeconfig")],
        ..credential("azure/k8s-set-context", "kubeconfig")
    },
    ActionSpec {
        context: &["cluster-name"],
        ..credential("azure/aks-set-context", "cloud-azure")
    },
    ActionSpec {
        context: &["cluster-name"],
        ..credential("google-github-actions/get-gke-credentials", "cloud-gcp")
    },
    ActionSpec {
        credentials: &[("base64-kube-config", "kubeconfig")],
        ..credential("tale/kubectl-action", "kubeconfig")
    },
    ActionSpec {
        credentials: &[("openshift-token", "openshift-login")],
        ..credential("redhat-actions/oc-login", "openshift-login")
    },
    ActionSpec {
        push: Some(("push", &["true"])),
        ..image(
            "docker/build-push-action",
            "docker/build-push-action",
            &["tags"],
        )
    },
    image(
        "redhat-actions/buildah-build",
        "buildah",
        &["image", "tags"],
    ),
    ActionSpec {
        pushes: true,
        ..image(
            "redhat-actions/push-to-registry",
            "buildah",
            &["image", "tags"],
        )
    },
    // CircleCI orb commands and jobs (v1 hyphenated, v2 underscored: both normalised to `-`).
    ActionSpec {
        paths: &["resource-file-path"],
        dry_run: Some("dry-run"),
        ..deploy(
            "kubernetes/create-or-update-resource",
            "kubectl",
            ActionOp::Input {
                input: "action-type",
                default: "apply",
                map: &[("apply", "apply"), ("create", "create")],
            },
        )
    },
    deploy(
        "kubernetes/update-container-image",
        "kubectl",
        ActionOp::Fixed("set-image"),
    ),
    deploy(
        "kubernetes/delete-resource",
        "kubectl",
        ActionOp::Fixed("delete"),
    ),
    ActionSpec {
        paths: &["chart", "values"],
        ..deploy(
            "helm/upgrade-helm-chart",
            "helm",
            ActionOp::Fixed("upgrade-install"),
        )
    },
    ActionSpec {
        paths: &["chart"],
        ..deploy(
            "helm/install-helm-chart",
            "helm",
            ActionOp::Fixed("install"),
        )
    },
    deploy(
        "helm/delete-helm-release",
        "helm",
        ActionOp::Fixed("uninstall"),
    ),
    ActionSpec {
        context: &["cluster-name"],
        ..deploy(
            "aws-eks/update-container-image",
            "kubectl",
            ActionOp::Fixed("set-image"),
        )
    },
    ActionSpec {
        context: &["cluster-name"],
        ..deploy(
            "aws-eks/deploy-application",
            "kubectl",
            ActionOp::Fixed("apply"),
        )
    },
    ActionSpec {
        context: &["cluster-name"],
        paths: &["chart"],
        ..deploy(
            "aws-eks/install-helm-chart",
            "helm",
            ActionOp::Fixed("install"),
        )
    },
    ActionSpec {
        context: &["cluster"],
        ..deploy(
            "gcp-gke/rollout-image",
            "kubectl",
            ActionOp::Fixed("set-image"),
        )
    },
    ActionSpec {
        context: &["cluster"],
        ..deploy(
            "gcp-gke/publish-and-rollout-image",
            "kubectl",
            ActionOp::Fixed("set-image"),
        )
    },
    ActionSpec {
        context: &["cluster-name"],
        ..credential("aws-eks/update-kubeconfig-with-authenticator", "cloud-aws")
    },
    ActionSpec {
        context: &["cluster-name"],
        ..credential(
            "azure-aks/update-kubeconfig-with-credentials",
            "cloud-azure",
        )
    },
    ActionSpec {
        pushes: true,
        ..image("aws-ecr/build-and-push-image", "docker", &["repo"])
    },
    ActionSpec {
        pushes: true,
        ..image("docker/publish", "docker", &["image"])
    },
    // Azure Pipelines tasks (names lowercased; inputs compared case-insensitively).
    ActionSpec {
        paths: &["configuration"],
        credentials: &[
            ("kubernetesserviceendpoint", "kubeconfig"),
            ("kubernetesserviceconnection", "kubeconfig"),
            ("azuresubscriptionendpoint", "cloud-azure"),
        ],
        ..deploy(
            "kubernetes",
            "kubectl",
            ActionOp::Command {
                input: "command",
                program: Some("kubectl"),
                extra: Some("arguments"),
            },
        )
    },
    ActionSpec {
        paths: &["manifests"],
        images: &["containers"],
        credentials: &[
            ("kubernetesserviceconnection", "kubeconfig"),
            ("kubernetesserviceendpoint", "kubeconfig"),
            ("azuresubscriptionconnection", "cloud-azure"),
        ],
        ..deploy(
            "kubernetesmanifest",
            "kubectl",
            ActionOp::Input {
                input: "action",
                default: "deploy",
                map: &[
                    ("deploy", "deploy"),
                    ("promote", "promote"),
                    ("reject", "reject"),
                    ("scale", "scale"),
                    ("patch", "patch"),
                    ("delete", "delete"),
                ],
            },
        )
    },
    ActionSpec {
        paths: &["chartpath", "valuefile"],
        credentials: &[
            ("kubernetesserviceconnection", "kubeconfig"),
            ("kubernetesserviceendpoint", "kubeconfig"),
            ("azuresubscription", "cloud-azure"),
            ("azuresubscriptionendpoint", "cloud-azure"),
        ],
        ..deploy(
            "helmdeploy",
            "helm",
            ActionOp::Input {
                input: "command",
                default: "",
                map: &[
                    ("upgrade", "upgrade"),
                    ("install", "install"),
                    ("rollback", "rollback"),
                    ("delete", "uninstall"),
                    ("uninstall", "uninstall"),
                ],
            },
        )
    },
    ActionSpec {
        push: Some(("command", &["buildandpush", "push"])),
        ..image("docker", "docker", &["repository"])
    },
    // Bitbucket pipes.
    ActionSpec {
        paths: &["resource-path"],
        credentials: &[("kube-config", "kubeconfig")],
        ..deploy(
            "atlassian/kubectl-run",
            "kubectl",
            ActionOp::Command {
                input: "kubectl-command",
                program: Some("kubectl"),
                extra: Some("kubectl-args"),
            },
        )
    },
    ActionSpec {
        paths: &["resource-path"],
        context: &["cluster-name"],
        credentials: &[
            ("aws-secret-access-key", "cloud-aws"),
            ("aws-oidc-role-arn", "cloud-aws"),
        ],
        ..deploy(
            "atlassian/aws-eks-kubectl-run",
            "kubectl",
            ActionOp::Command {
                input: "kubectl-command",
                program: Some("kubectl"),
                extra: Some("kubectl-args"),
            },
        )
    },
    ActionSpec {
        paths: &["resource-path"],
        context: &["cluster-name"],
        credentials: &[("key-file", "cloud-gcp")],
        ..deploy(
            "atlassian/google-gke-kubectl-run",
            "kubectl",
            ActionOp::Command {
                input: "kubectl-command",
                program: Some("kubectl"),
                extra: Some("kubectl-args"),
            },
        )
    },
    ActionSpec {
        paths: &["kubernetes-spec-file"],
        context: &["azure-aks-name"],
        credentials: &[("azure-password", "cloud-azure")],
        ..deploy(
            "atlassian/azure-aks-deploy",
            "kubectl",
            ActionOp::Command {
                input: "kubectl-command",
                program: Some("kubectl"),
                extra: Some("kubectl-arguments"),
            },
        )
    },
    ActionSpec {
        context: &["aks-name"],
        credentials: &[("azure-password", "cloud-azure")],
        ..deploy(
            "atlassian/azure-aks-helm-deploy",
            "helm",
            ActionOp::Command {
                input: "helm-command",
                program: Some("helm"),
                extra: None,
            },
        )
    },
    ActionSpec {
        pushes: true,
        ..image("atlassian/aws-ecr-push-image", "docker", &["image-name"])
    },
    // Jenkins steps.
    ActionSpec {
        paths: &["configs"],
        credentials: &[("kubeconfigid", "kubeconfig")],
        ..deploy("kubernetesdeploy", "kubectl", ActionOp::Fixed("apply"))
    },
    ActionSpec {
        context: &["contextname", "clustername"],
        credentials: &[("credentialsid", "kubeconfig")],
        ..credential("withkubeconfig", "kubeconfig")
    },
    ActionSpec {
        credentials: &[
            ("kubectlcredentials", "kubeconfig"),
            ("credentialsid", "kubeconfig"),
        ],
        ..credential("withkubecredentials", "kubeconfig")
    },
];

/// Normalises a step reference for lookup: lowercase, without `@ref` / `:version`, `_` as `-`.
pub(crate) fn normalize_uses(uses: &str) -> String {
    let uses = uses.trim();
    let uses = uses.split('@').next().unwrap_or(uses);
    let uses = match uses.rfind('/') {
        // Bitbucket `atlassian/kubectl-run:3.1.2`: the version follows the last `/`.
        Some(slash) => match uses[slash..].find(':') {
            Some(colon) => &uses[..slash + colon],
            None => uses,
        },
        None => uses.split(':').next().unwrap_or(uses),
    };
    uses.to_ascii_lowercase().replace('_', "-")
}

/// Normalises an input name for lookup.
pub(crate) fn normalize_input(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace('_', "-")
}

/// The value of the first input among `names` that is given (names compared normalised).
pub(crate) fn input<'w>(with: &'w [(String, String)], names: &[&str]) -> Option<&'w str> {
    names.iter().find_map(|n| {
        with.iter()
            .find(|(k, _)| normalize_input(k) == *n)
            .map(|(_, v)| v.as_str())
    })
}

/// The packaged step `uses` refers to. For CircleCI, an orb may be imported under another alias
/// (`k8s/create-or-update-resource`), so the command part alone also matches orb entries.
pub(crate) fn action_spec(uses: &str, system: CiSystem) -> Option<&'static ActionSpec> {
    let key = normalize_uses(uses);
    if key.starts_with("docker:") || key.starts_with("./") {
        return None;
    }
    if let Some(spec) = ACTIONS.iter().find(|a| a.uses == key) {
        return Some(spec);
    }
    if system == CiSystem::Circleci {
        let (_, command) = key.split_once('/')?;
        const ORBS: &[&str] = &["kubernetes/", "helm/", "aws-eks/", "gcp-gke/", "azure-aks/"];
        return ACTIONS.iter().find(|a| {
            ORBS.iter().any(|o| a.uses.starts_with(o))
                && a.uses.split_once('/').map(|x| x.1) == Some(command)
        });
    }
    None
}

/// Values of a multi-value input: one per line or comma-separated.
pub(crate) fn split_list(value: &str) -> Vec<String> {
    value
        .split(['\n', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Classifies a packaged deploy step from its inputs. `None` when the inputs say it does not
/// deploy (`action: bake`, `command: get pods`).
pub(crate) fn classify_action_deploy(
    spec: &ActionSpec,
    with: &[(String, String)],
) -> Option<DeployMatch> {
    let ActionRole::Deploy(tool) = spec.role else {
        return None;
    };
    let mut m = DeployMatch {
        tool,
        operation: String::new(),
        dry_run: false,
        namespace: None,
        context: None,
        environment: None,
        paths: Vec::new(),
    };
    match spec.op {
        ActionOp::Fixed(op) => m.operation = op.to_owned(),
        ActionOp::Input {
            input: name,
            default,
            map,
        } => {
            let value = input(with, &[name])
                .unwrap_or(default)
                .trim()
                .to_ascii_lowercase();
            let (_, op) = map.iter().find(|(v, _)| *v == value)?;
            m.operation = (*op).to_owned();
        }
        ActionOp::Command {
            input: name,
            program,
            extra,
        } => {
            let mut line = String::new();
            if let Some(p) = program {
                line.push_str(p);
                line.push(' ');
            }
            line.push_str(input(with, &[name])?);
            if let Some(extra) = extra.and_then(|e| input(with, &[e])) {
                line.push(' ');
                line.push_str(extra);
            }
            let cmds = shell::commands(&line, &[]);
            let inner = (0..cmds.len()).find_map(|i| classify_deploy(&cmds, i))?;
            m = inner;
        }
    }
    if m.namespace.is_none() {
        m.namespace = input(with, spec.namespace).map(str::to_owned);
    }
    if m.context.is_none() {
        m.context = input(with, spec.context).map(str::to_owned);
    }
    for p in spec.paths {
        if let Some(v) = input(with, &[p]) {
            m.paths.extend(split_list(v));
        }
    }
    if let Some(flag) = spec.dry_run
        && input(with, &[flag]).is_some_and(|v| !matches!(v.trim(), "" | "none" | "false"))
        && !m.dry_run
    {
        m.dry_run = true;
        m.operation.push_str(" --dry-run");
    }
    Some(m)
}

/// Classifies a packaged image step from its inputs.
pub(crate) fn classify_action_image(
    spec: &ActionSpec,
    with: &[(String, String)],
) -> Option<ImageMatch> {
    let ActionRole::Image(builder) = spec.role else {
        return None;
    };
    let images = spec
        .images
        .iter()
        .filter_map(|i| input(with, &[i]))
        .flat_map(split_list)
        .collect();
    let pushes = spec.pushes
        || spec.push.is_some_and(|(name, values)| {
            input(with, &[name]).is_some_and(|v| {
                let v = v.trim().to_ascii_lowercase();
                values.contains(&v.as_str()) || v.contains("${{")
            })
        });
    Some(ImageMatch {
        builder,
        images,
        pushes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deploy_of(script: &str) -> Option<DeployMatch> {
        let cmds = shell::commands(script, &[]);
        (0..cmds.len()).find_map(|i| classify_deploy(&cmds, i))
    }

    fn op(script: &str) -> Option<(String, String)> {
        deploy_of(script).map(|m| (m.tool.to_owned(), m.operation))
    }

    fn pair(tool: &str, op: &str) -> Option<(String, String)> {
        Some((tool.to_owned(), op.to_owned()))
    }

    #[test]
    fn kubectl_family() {
        assert_eq!(op("kubectl apply -f k8s/"), pair("kubectl", "apply"));
        assert_eq!(
            op("kubectl -n prod --context c apply -k overlays/prod"),
            pair("kubectl", "apply")
        );
        assert_eq!(
            op("kubectl set image deploy/x c=i:1"),
            pair("kubectl", "set-image")
        );
        assert_eq!(
            op("kubectl rollout restart deploy/x"),
            pair("kubectl", "rollout-restart")
        );
        assert_eq!(
            op("kubectl scale --replicas 3 deploy/x"),
            pair("kubectl", "scale")
        );
        assert_eq!(op("kubectl delete -f x.yaml"), pair("kubectl", "delete"));
        assert_eq!(
            op("kubectl create namespace prod"),
            pair("kubectl", "create")
        );
        assert_eq!(op("kubectl replace -f x"), pair("kubectl", "replace"));
        assert_eq!(
            op("kubectl patch deploy x -p '{}'"),
            pair("kubectl", "patch")
        );
        assert_eq!(op("oc apply -f x"), pair("oc", "apply"));
        assert_eq!(op("oc new-app myimage"), pair("oc", "new-app"));
        for not in [
            "kubectl get pods",
            "kubectl diff -f x",
            "kubectl rollout status deploy/x",
            "kubectl kustomize overlays/prod",
            "echo kubectl apply -f x",
            "# kubectl apply -f x",
            "kubectl config use-context prod",
            "oc login --token $T",
        ] {
            assert_eq!(op(not), None, "{not}");
        }
        let m = deploy_of("kubectl apply -n prod --context=eu -f a.yaml -f b/").expect("deploy");
        assert_eq!(m.namespace.as_deref(), Some("prod"));
        assert_eq!(m.context.as_deref(), Some("eu"));
        assert_eq!(m.paths, ["a.yaml", "b/"]);
    }

    #[test]
    fn dry_runs_are_flagged() {
        let m = deploy_of("kubectl apply --dry-run=client -f x").expect("match");
        assert!(m.dry_run);
        assert_eq!(m.operation, "apply --dry-run");
        assert!(
            deploy_of("helm upgrade --install --dry-run a ./c")
                .expect("match")
                .dry_run
        );
        assert!(
            !deploy_of("kubectl apply --dry-run=none -f x")
                .expect("match")
                .dry_run
        );
    }

    #[test]
    fn helm_family() {
        let m = deploy_of(
            "helm upgrade --install web ./charts/web -n prod -f values-prod.yaml --kube-context eu",
        )
        .expect("deploy");
        assert_eq!(m.operation, "upgrade-install");
        assert_eq!(m.paths, ["./charts/web", "values-prod.yaml"]);
        assert_eq!(m.namespace.as_deref(), Some("prod"));
        assert_eq!(m.context.as_deref(), Some("eu"));
        assert_eq!(op("helm upgrade web repo/web"), pair("helm", "upgrade"));
        assert_eq!(op("helm install web ./c"), pair("helm", "install"));
        assert_eq!(op("helm rollback web 3"), pair("helm", "rollback"));
        assert_eq!(op("helm uninstall web"), pair("helm", "uninstall"));
        assert_eq!(op("helm secrets upgrade web ./c"), pair("helm", "upgrade"));
        for not in [
            "helm template web ./c",
            "helm lint ./c",
            "helm package ./c",
            "helm repo add x y",
            "helm dependency update ./c",
            "helm diff upgrade web ./c",
            "helm list",
        ] {
            assert_eq!(op(not), None, "{not}");
        }
        assert_eq!(
            op("helmfile -e production apply"),
            pair("helmfile", "apply")
        );
        assert_eq!(
            deploy_of("helmfile -e production sync")
                .and_then(|m| m.environment)
                .as_deref(),
            Some("production")
        );
        assert_eq!(op("helmfile diff"), None);
        assert_eq!(op("helmfile template"), None);
    }

    #[test]
    fn kustomize_and_renderer_pipes() {
        let m = deploy_of("kustomize build overlays/prod | kubectl apply -f -").expect("deploy");
        assert_eq!((m.tool, m.operation.as_str()), ("kustomize", "build-apply"));
        assert_eq!(m.paths, ["overlays/prod"]);
        let m = deploy_of("kubectl kustomize k8s/staging | kubectl apply -f -").expect("deploy");
        assert_eq!(m.tool, "kustomize");
        assert_eq!(op("kustomize build overlays/prod"), None);
        assert_eq!(op("kustomize edit set image app=x"), None);
        let m =
            deploy_of("ytt -f config/ | kbld -f - | kapp deploy -a app -f - -y").expect("deploy");
        assert_eq!((m.tool, m.operation.as_str()), ("kapp", "deploy"));
        assert_eq!(m.paths, ["config/"]);
        let m = deploy_of("helm template web ./chart -f values-staging.yaml | kubectl apply -f -")
            .expect("deploy");
        assert_eq!(m.tool, "kubectl");
        assert_eq!(m.paths, ["./chart", "values-staging.yaml"]);
        let m = deploy_of("envsubst < k8s/deploy.yaml | kubectl apply -f -").expect("deploy");
        assert_eq!(m.paths, ["k8s/deploy.yaml"]);
    }

    #[test]
    fn other_tools() {
        assert_eq!(op("skaffold run -p prod"), pair("skaffold", "run"));
        assert_eq!(op("skaffold deploy"), pair("skaffold", "deploy"));
        assert_eq!(op("skaffold dev"), None);
        assert_eq!(op("skaffold build"), None);
        assert_eq!(op("kapp delete -a app"), pair("kapp", "delete"));
        assert_eq!(
            op("argocd app sync myapp --server x"),
            pair("argocd", "sync")
        );
        assert_eq!(
            op("argocd app set myapp -p image.tag=1"),
            pair("argocd", "set")
        );
        assert_eq!(op("argocd app get myapp"), None);
        assert_eq!(op("argocd login x"), None);
        assert_eq!(
            op("flux reconcile kustomization apps"),
            pair("flux", "reconcile")
        );
        assert_eq!(op("flux get all"), None);
        assert_eq!(op("jx promote --env production"), pair("jx", "promote"));
        assert_eq!(
            op("kubectl argo rollouts promote app"),
            pair("kubectl-argo-rollouts", "promote")
        );
        assert_eq!(
            op("kubectl-argo-rollouts set image app c=i"),
            pair("kubectl-argo-rollouts", "set-image")
        );
        assert_eq!(op("kubectl argo rollouts get rollout app"), None);
        let m = deploy_of("tk apply environments/prod --dangerous-auto-approve").expect("deploy");
        assert_eq!(
            (m.tool, m.paths.as_slice()),
            ("tanka", &["environments/prod".to_owned()][..])
        );
        assert_eq!(op("tk diff environments/prod"), None);
        assert_eq!(op("ko apply -f config/"), pair("ko", "apply"));
        assert_eq!(op("ko build ./cmd/app"), None);
    }

    #[test]
    fn image_builders() {
        let img = |s: &str| {
            let cmds = shell::commands(s, &[]);
            cmds.iter().find_map(classify_image)
        };
        let m = img("docker build -t ghcr.io/a/b:$TAG .").expect("image");
        assert_eq!((m.builder, m.pushes), ("docker", false));
        assert_eq!(m.images, ["ghcr.io/a/b:$TAG"]);
        let m = img("docker push ghcr.io/a/b:1").expect("image");
        assert_eq!(
            (m.builder, m.pushes, m.images[0].as_str()),
            ("docker", true, "ghcr.io/a/b:1")
        );
        let m = img("docker buildx build --platform linux/amd64 --push -t x/y .").expect("image");
        assert_eq!((m.builder, m.pushes), ("buildx", true));
        let m = img("/kaniko/executor --context . --destination reg/app:1").expect("image");
        assert_eq!(
            (m.builder, m.pushes, m.images[0].as_str()),
            ("kaniko", true, "reg/app:1")
        );
        assert!(
            !img("/kaniko/executor --context . --no-push")
                .expect("image")
                .pushes
        );
        assert_eq!(img("buildah bud -t x .").expect("image").builder, "buildah");
        assert!(img("podman push x").expect("image").pushes);
        let m = img("mvn -B compile jib:build -Dimage=reg/app").expect("image");
        assert_eq!(
            (m.builder, m.pushes, m.images[0].as_str()),
            ("jib", true, "reg/app")
        );
        assert!(!img("./gradlew jibDockerBuild").expect("image").pushes);
        assert!(img("./gradlew jib").expect("image").pushes);
        assert_eq!(img("ko build ./cmd/app").expect("image").builder, "ko");
        assert!(!img("ko build --local ./cmd/app").expect("image").pushes);
        assert!(img("pack build reg/app --publish").expect("image").pushes);
        assert!(!img("pack build reg/app").expect("image").pushes);
        assert_eq!(img("skaffold build").expect("image").builder, "skaffold");
        assert_eq!(
            img("gcloud builds submit --tag gcr.io/p/app")
                .expect("image")
                .images,
            ["gcr.io/p/app"]
        );
        for not in [
            "docker run x",
            "docker login",
            "mvn package",
            "executor run",
            "echo docker build",
        ] {
            assert_eq!(img(not), None, "{not}");
        }
    }

    #[test]
    fn test_runners() {
        let t = |s: &str| shell::commands(s, &[]).iter().any(is_test);
        for yes in [
            "npm test",
            "npm run test:unit",
            "npm t",
            "yarn test",
            "yarn test:ci",
            "pnpm test",
            "go test ./...",
            "cargo test --all",
            "cargo nextest run",
            "pytest -q",
            "python -m pytest",
            "python3 -m pytest tests/",
            "tox -e py311",
            "mvn -B clean verify",
            "./mvnw test",
            "gradle test",
            "./gradlew check",
            "./gradlew :app:test",
            "make test",
            "make -C src check",
            "bundle exec rspec",
            "bundle exec rake spec",
            "dotnet test",
            "vendor/bin/phpunit",
        ] {
            assert!(t(yes), "{yes}");
        }
        for no in [
            "npm ci",
            "npm run build",
            "yarn install",
            "go build ./...",
            "cargo build",
            "mvn package",
            "gradle build",
            "make deploy",
            "python setup.py",
            "echo npm test",
            "bundle install",
            "dotnet build",
        ] {
            assert!(!t(no), "{no}");
        }
    }

    #[test]
    fn credential_commands() {
        let creds = |s: &str| {
            let cmds = shell::commands(s, &[]);
            (0..cmds.len())
                .flat_map(|i| classify_credentials(&cmds, i))
                .collect::<Vec<_>>()
        };
        let c = creds("aws eks update-kubeconfig --name prod-cluster --region eu-west-1");
        assert_eq!(
            (c[0].kind, c[0].cluster.as_deref()),
            ("cloud-aws", Some("prod-cluster"))
        );
        let c = creds("gcloud container clusters get-credentials staging --zone x");
        assert_eq!(
            (c[0].kind, c[0].cluster.as_deref()),
            ("cloud-gcp", Some("staging"))
        );
        let c = creds("az aks get-credentials -g rg -n aks-prod");
        assert_eq!(
            (c[0].kind, c[0].cluster.as_deref()),
            ("cloud-azure", Some("aks-prod"))
        );
        let c = creds("doctl kubernetes cluster kubeconfig save my-k8s");
        assert_eq!(c[0].kind, "kubeconfig");
        let c = creds("oc login --token=$OPENSHIFT_TOKEN --server=https://x");
        assert_eq!(
            (c[0].kind, c[0].name.as_str()),
            ("openshift-login", "OPENSHIFT_TOKEN")
        );
        let c = creds("argocd login cd.example.com --auth-token $ARGOCD_AUTH_TOKEN");
        assert_eq!(c[0].kind, "argocd-token");
        let c = creds("kubectl config set-credentials ci --token=$KUBE_TOKEN");
        assert_eq!(
            (c[0].kind, c[0].name.as_str()),
            ("kube-token", "KUBE_TOKEN")
        );
        let c = creds("echo \"$KUBE_CONFIG_DATA\" | base64 -d > ~/.kube/config");
        assert_eq!(
            (c[0].kind, c[0].name.as_str()),
            ("kubeconfig", "KUBE_CONFIG_DATA")
        );
        let c = creds("export KUBECONFIG=$HOME/kc");
        assert_eq!(
            (c[0].kind, c[0].name.as_str()),
            ("kubeconfig", "KUBECONFIG")
        );
        let c = creds("kubectl --token abcdef apply -f x");
        assert_eq!(
            (c[0].kind, c[0].name.as_str()),
            ("kube-token", "--token"),
            "no value kept"
        );
        assert!(creds("kubectl get pods").is_empty());
        assert!(creds("echo hi > out.txt").is_empty());
    }

    #[test]
    fn credential_names() {
        assert_eq!(
            credential_kind_for_name("KUBECONFIG", false),
            Some("kubeconfig")
        );
        assert_eq!(
            credential_kind_for_name("KUBE_CONFIG_DATA", false),
            Some("kubeconfig")
        );
        assert_eq!(
            credential_kind_for_name("K8S_TOKEN", false),
            Some("kube-token")
        );
        assert_eq!(
            credential_kind_for_name("ARGOCD_AUTH_TOKEN", false),
            Some("argocd-token")
        );
        assert_eq!(
            credential_kind_for_name("CLUSTER_CA_CERT", false),
            Some("kubeconfig")
        );
        assert_eq!(
            credential_kind_for_name("secrets.GKE_SA", true),
            Some("cloud-gcp")
        );
        assert_eq!(credential_kind_for_name("KUBE_NAMESPACE", false), None);
        assert_eq!(credential_kind_for_name("CLUSTER_NAME", true), None);
        assert_eq!(
            credential_kind_for_name("K8S_SECRET_DB_PASSWORD", false),
            None
        );
        assert_eq!(credential_kind_for_name("GEEKS_TOKEN", false), None);
        assert_eq!(credential_kind_for_name("NPM_TOKEN", false), None);
        assert_eq!(credential_kind_for_name("KUBE_CLUSTER", false), None);
    }

    #[test]
    fn variable_refs_and_names() {
        assert_eq!(
            variable_refs("a $X ${Y_1} ${{ secrets.KUBE }} $1 $(Build.Id)"),
            ["X", "Y_1", "secrets.KUBE"]
        );
        assert_eq!(variable_name("$KUBE_TOKEN").as_deref(), Some("KUBE_TOKEN"));
        assert_eq!(variable_name("abc"), None);
        assert_eq!(variable_refs("é$é${"), Vec::<String>::new());
    }

    #[test]
    fn actions() {
        let with = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<Vec<_>>()
        };
        let gh = CiSystem::GithubActions;
        let spec = action_spec("Azure/k8s-deploy@v4", gh).expect("known");
        let m = classify_action_deploy(
            spec,
            &with(&[
                ("namespace", "prod"),
                ("manifests", "k8s/a.yaml\nk8s/b.yaml"),
            ]),
        )
        .expect("deploy");
        assert_eq!(
            (m.operation.as_str(), m.namespace.as_deref()),
            ("deploy", Some("prod"))
        );
        assert_eq!(m.paths, ["k8s/a.yaml", "k8s/b.yaml"]);
        let spec = action_spec("KubernetesManifest@1", CiSystem::AzurePipelines).expect("known");
        assert!(classify_action_deploy(spec, &with(&[("action", "bake")])).is_none());
        assert_eq!(
            classify_action_deploy(spec, &with(&[("action", "deploy")]))
                .map(|m| m.operation)
                .as_deref(),
            Some("deploy")
        );
        let spec = action_spec("HelmDeploy@0", CiSystem::AzurePipelines).expect("known");
        assert!(classify_action_deploy(spec, &with(&[("command", "package")])).is_none());
        assert!(classify_action_deploy(spec, &with(&[("command", "upgrade")])).is_some());
        let spec = action_spec("Kubernetes@1", CiSystem::AzurePipelines).expect("known");
        let m = classify_action_deploy(
            spec,
            &with(&[("command", "set"), ("arguments", "image deploy/x c=i")]),
        );
        assert_eq!(m.map(|m| m.operation).as_deref(), Some("set-image"));
        assert!(
            classify_action_deploy(spec, &with(&[("command", "get"), ("arguments", "pods")]))
                .is_none()
        );
        let spec = action_spec("actions-hub/kubectl@master", gh).expect("known");
        assert!(classify_action_deploy(spec, &with(&[("args", "get pods")])).is_none());
        assert!(classify_action_deploy(spec, &with(&[("args", "apply -f k8s/")])).is_some());
        let spec = action_spec("atlassian/kubectl-run:3.1.2", CiSystem::BitbucketPipelines)
            .expect("known");
        let m = classify_action_deploy(
            spec,
            &with(&[("KUBECTL_COMMAND", "apply"), ("RESOURCE_PATH", "k8s/")]),
        )
        .expect("deploy");
        assert_eq!(
            (m.operation.as_str(), m.paths.as_slice()),
            ("apply", &["k8s/".to_owned()][..])
        );
        let spec =
            action_spec("kubernetes/create_or_update_resource", CiSystem::Circleci).expect("known");
        assert!(
            classify_action_deploy(spec, &with(&[("dry_run", "client")]))
                .expect("m")
                .dry_run
        );
        assert!(action_spec("k8s/create-or-update-resource", CiSystem::Circleci).is_some());
        assert!(action_spec("k8s/create-or-update-resource", gh).is_none());
        let spec = action_spec("WyriHaximus/github-action-helm3@v3", gh).expect("known");
        let m = classify_action_deploy(
            spec,
            &with(&[("exec", "helm upgrade app ./chart --install -n prod")]),
        );
        assert_eq!(m.map(|m| m.operation).as_deref(), Some("upgrade-install"));
        assert!(action_spec("azure/k8s-bake@v2", gh).is_none());
        assert!(action_spec("azure/setup-kubectl@v3", gh).is_none());
        let spec = action_spec("docker/build-push-action@v5", gh).expect("known");
        let m = classify_action_image(
            spec,
            &with(&[("tags", "a/b:1,a/b:latest"), ("push", "true")]),
        )
        .expect("img");
        assert_eq!((m.pushes, m.images.len()), (true, 2));
        let m = classify_action_image(spec, &with(&[("tags", "a/b:1")])).expect("img");
        assert!(!m.pushes);
        assert!(matches!(
            action_spec("withKubeConfig", CiSystem::Jenkins).map(|s| s.role),
            Some(ActionRole::Credential("kubeconfig"))
        ));
    }

    #[test]
    fn every_tool_is_documented_consistently() {
        for t in DEPLOY_TOOLS {
            assert!(!t.programs.is_empty() && !t.verbs.is_empty(), "{}", t.tool);
            for not in t.not_deploys {
                let script = format!("{} {not} x", t.programs[0]);
                assert_eq!(op(&script), None, "{script}");
            }
        }
        for a in ACTIONS {
            assert_eq!(normalize_uses(a.uses), a.uses, "table keys are normalised");
        }
    }
}
