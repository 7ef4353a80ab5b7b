//! Packaged steps: GitHub actions, CircleCI orb commands and jobs, Azure Pipelines tasks,
//! Bitbucket pipes and Jenkins steps that deploy, set up cluster credentials or build images,
//! and how their inputs say what they do. The table is in [`table`]; this file reads it.

mod by_name;
pub(crate) use by_name::{DeployFamilies, include_deploys, names_another_target};
mod org_action;
pub(crate) use org_action::{missing_local_action, org_action_words};
pub(crate) use unread_script::unread_script_deploy;
mod script_input;
pub(crate) use script_input::as_script_step;
mod table;
mod tool_line;
mod unread_script;

#[cfg(test)]
mod tests;

use super::credential_kind::CredentialKind;
use super::deploy::{DeployMatch, first_deploy};
use super::deploy_tool::DeployTool;
use super::image_builder::ImageBuilder;
use super::images::ImageMatch;
use crate::read::CiSystem;
use table::ACTIONS;

/// What a packaged step does.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ActionRole {
    /// Deploys with this tool; the operation is found as [`ActionOp`] says.
    Deploy(DeployTool, ActionOp),
    /// Sets up cluster credentials of this kind.
    Credential(CredentialKind),
    /// Builds (and maybe pushes) images with this builder.
    Image(ImageBuilder),
}

/// How a packaged deploy step's operation is found.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ActionOp {
    /// Always this operation.
    Fixed(&'static str),
    /// An input names it: (input value, operation) pairs; `default` when the input is absent.
    /// A value not listed means the step does not deploy (`action: bake`).
    Input {
        /// The input that names the operation (`action`, `task`, `command`).
        input: &'static str,
        /// Value assumed when the input is absent.
        default: &'static str,
        /// Value → operation.
        map: &'static [(&'static str, &'static str)],
    },
    /// An input holds a command line (with or without the program), classified like a script.
    Command {
        /// The input holding the command line (`args`, `kubectl-command`).
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
    /// Whether it deploys, sets up credentials or builds images, and with what.
    pub role: ActionRole,
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
    pub credentials: &'static [(&'static str, CredentialKind)],
    /// Inputs naming the environment deployed to (a reusable workflow's `environment`).
    pub environment: &'static [&'static str],
}

/// Normalises a step reference for lookup: lowercase, without `@ref` / `:version`, `_` as `-`,
/// and without the empty path of `owner/repo/@ref`, which GitHub runs as `owner/repo@ref`.
pub(crate) fn normalize_uses(uses: &str) -> String {
    let uses = uses.trim();
    let uses = uses.split('@').next().unwrap_or(uses);
    let uses = uses.trim_end_matches('/');
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

/// An input name as the table spells it: lowercase, `_` as `-` (`KUBECTL_COMMAND` →
/// `kubectl-command`).
fn normalize_input(name: &str) -> String {
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

/// A call no one can read offline names its inputs its own way (`helm_release_namespace`,
/// `target-namespace`): the value of its one input whose name ends in `namespace`, when it has
/// one (two such inputs with different values name none). A flag about a namespace
/// (`DELETE_NAMESPACE: "true"`) names none.
fn any_namespace(with: &[(String, String)]) -> Option<&str> {
    let flag = |v: &str| {
        let v = v
            .trim()
            .trim_matches(|c| c == '"' || c == '\'')
            .to_ascii_lowercase();
        matches!(v.as_str(), "true" | "false" | "yes" | "no")
    };
    let mut values = with
        .iter()
        .filter(|(k, v)| {
            !k.starts_with("secrets.")
                && normalize_input(k).ends_with("-namespace")
                && !v.trim().is_empty()
                && !flag(v)
        })
        .map(|(_, v)| v.trim());
    let first = values.next()?;
    values.all(|v| v == first).then_some(first)
}

/// A call no one can read offline names the files it deploys its own way
/// (`resource-directory`, `manifests_path`, `values-file`): the values of its inputs whose name
/// ends in one of [`PATH_INPUT_ENDINGS`], which name an overlay or a values file as a command's
/// paths do.
fn any_paths(with: &[(String, String)]) -> impl Iterator<Item = &str> {
    with.iter()
        .filter(|(k, v)| {
            let k = normalize_input(k);
            !k.starts_with("secrets.")
                && !v.contains("${{")
                && PATH_INPUT_ENDINGS
                    .iter()
                    .any(|e| k == e[1..] || k.ends_with(e))
        })
        .map(|(_, v)| v.as_str())
}

/// Input name endings that say the input is the files a call deploys ([`any_paths`]).
const PATH_INPUT_ENDINGS: &[&str] = &[
    "-directory",
    "-dir",
    "-path",
    "-paths",
    "-manifests",
    "-values",
    "-values-file",
    "-values-files",
    "-overlay",
];

/// The packaged step `uses` refers to. For CircleCI, an orb may be imported under another alias
/// (`k8s/create-or-update-resource`), so the command part alone also matches orb entries.
pub(crate) fn action_spec(uses: &str, system: CiSystem) -> Option<&'static ActionSpec> {
    let key = normalize_uses(uses);
    if system == CiSystem::GithubActions {
        if let Some(image) = uses.trim().strip_prefix("docker://") {
            return tool_line::container_action(image);
        }
        if let Some(spec) = by_name::reusable_workflow(&key) {
            return Some(spec);
        }
    }
    if key.starts_with("docker:") || key.starts_with("./") {
        return None;
    }
    if let Some(spec) = ACTIONS.iter().find(|a| a.uses == key) {
        return Some(spec);
    }
    if system == CiSystem::GithubActions {
        return org_action::org_action(&key);
    }
    if system == CiSystem::AzurePipelines && uses.contains('@') {
        return by_name::remote_template(&key);
    }
    if system == CiSystem::Circleci {
        let (_, command) = key.split_once('/')?;
        const ORBS: &[&str] = &["kubernetes/", "helm/", "aws-eks/", "gcp-gke/", "azure-aks/"];
        return ACTIONS
            .iter()
            .find(|a| {
                ORBS.iter().any(|o| a.uses.starts_with(o))
                    && a.uses.split_once('/').map(|x| x.1) == Some(command)
            })
            .or_else(|| by_name::orb_call(&key));
    }
    None
}

/// The packaged step a step with these inputs is: [`action_spec`], or else a remote reusable
/// workflow handed a cluster credential, an action named for deploying handed something of a
/// cluster, an action named for a cluster handed its credentials and a target, or an action
/// named for kubectl or helm given a command line.
pub(crate) fn call_spec(
    uses: &str,
    with: &[(String, String)],
    system: CiSystem,
) -> Option<&'static ActionSpec> {
    action_spec(uses, system).or_else(|| {
        if system != CiSystem::GithubActions {
            return None;
        }
        let key = normalize_uses(uses);
        by_name::reusable_workflow_given_cluster_secret(&key, with)
            .or_else(|| org_action::org_action_given_cluster_inputs(&key, with))
            .or_else(|| org_action::cluster_action_given_credentials_and_target(&key, with))
            .or_else(|| tool_line::tool_action(&key, with))
            .or_else(|| org_action::kubectl_wrapper_given_cluster_secret(&key, with))
    })
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
    let ActionRole::Deploy(tool, op) = spec.role else {
        return None;
    };
    let mut m = DeployMatch::new(tool, "");
    match op {
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
            let args = input(with, &[name])?;
            // `args: kubectl apply -f k8s/` repeats the entrypoint; it is still one kubectl.
            let repeats = |p: &str| args.split_whitespace().next() == Some(p);
            if let Some(p) = program.filter(|p| !repeats(p)) {
                line.push_str(p);
                line.push(' ');
            }
            line.push_str(args);
            if let Some(extra) = extra.and_then(|e| input(with, &[e])) {
                line.push(' ');
                line.push_str(extra);
            }
            m = first_deploy(&line)?;
        }
    }
    if m.namespace.is_none() {
        m.namespace = input(with, spec.namespace).map(str::to_owned);
    }
    if m.namespace.is_none() && tool == DeployTool::Unknown {
        m.namespace = any_namespace(with).map(str::to_owned);
    }
    if m.context.is_none() {
        m.context = input(with, spec.context).map(str::to_owned);
    }
    if m.environment.is_none() {
        // An expression (`${{ inputs.environment || 'dev' }}`) names no environment here.
        m.environment = input(with, spec.environment)
            .filter(|v| !v.contains("${{") && !v.trim().is_empty())
            .map(|v| v.trim().to_owned());
    }
    for p in spec.paths {
        if let Some(v) = input(with, &[p]) {
            m.paths.extend(split_list(v));
        }
    }
    if m.paths.is_empty() && tool == DeployTool::Unknown {
        m.paths.extend(any_paths(with).flat_map(split_list));
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
