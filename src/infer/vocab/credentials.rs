//! Cluster credentials in scripts: commands that fetch or write them (`aws eks
//! update-kubeconfig`, `gcloud container clusters get-credentials`, `oc login`, ...), tokens
//! passed on the command line, kubeconfig files written, and credential variables set. Only
//! names are ever kept, never values.

use super::credential_kind::CredentialKind;
use super::credential_names::credential_kind_for_name;
use super::variables::{variable_name, variable_refs};
use crate::infer::shell::Command;

/// Commands that fetch or write cluster credentials: (program, subcommand path, kind, how the
/// cluster is named).
const CREDENTIAL_COMMANDS: &[(&str, &[&str], CredentialKind, ClusterArg)] = &[
    (
        "aws",
        &["eks", "update-kubeconfig"],
        CredentialKind::CloudAws,
        ClusterArg::Flag(&["--name"]),
    ),
    (
        "gcloud",
        &["container", "clusters", "get-credentials"],
        CredentialKind::CloudGcp,
        ClusterArg::Positional,
    ),
    (
        "gcloud",
        &["container", "fleet", "memberships", "get-credentials"],
        CredentialKind::CloudGcp,
        ClusterArg::Positional,
    ),
    (
        "az",
        &["aks", "get-credentials"],
        CredentialKind::CloudAzure,
        ClusterArg::Flag(&["--name", "-n"]),
    ),
    (
        "doctl",
        &["kubernetes", "cluster", "kubeconfig", "save"],
        CredentialKind::Kubeconfig,
        ClusterArg::Positional,
    ),
    (
        "doctl",
        &["k8s", "cluster", "kubeconfig", "save"],
        CredentialKind::Kubeconfig,
        ClusterArg::Positional,
    ),
    (
        "kubectl",
        &["config", "set-credentials"],
        CredentialKind::KubeToken,
        ClusterArg::None,
    ),
    (
        "kubectl",
        &["config", "set-cluster"],
        CredentialKind::Kubeconfig,
        ClusterArg::None,
    ),
    (
        "oc",
        &["login"],
        CredentialKind::OpenshiftLogin,
        ClusterArg::None,
    ),
    (
        "argocd",
        &["login"],
        CredentialKind::ArgocdToken,
        ClusterArg::None,
    ),
];

/// Where a credential command names its cluster.
#[derive(Debug, Clone, Copy)]
enum ClusterArg {
    None,
    /// In one of these options.
    Flag(&'static [&'static str]),
    /// The positional right after the subcommand.
    Positional,
}

/// Options that pass a token on the command line, with the credential kind.
const TOKEN_FLAGS: &[(&str, CredentialKind)] = &[
    ("--token", CredentialKind::KubeToken),
    ("--kube-token", CredentialKind::KubeToken),
    ("--auth-token", CredentialKind::ArgocdToken),
];

/// A credential a command uses or writes. Never a value: only names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CredentialMatch {
    pub kind: CredentialKind,
    /// Variable, secret or canonical command name (never a value).
    pub name: String,
    /// The cluster it targets, when named.
    pub cluster: Option<String>,
    /// What was seen, one lowercase phrase.
    pub note: String,
}

/// Options of credential commands that take a value, so their subcommands can be found.
const CREDENTIAL_VALUE_FLAGS: &[&str] = &[
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
];

/// The credentials command `idx` uses or writes.
pub(crate) fn classify_credentials(cmds: &[Command], idx: usize) -> Vec<CredentialMatch> {
    let Some(cmd) = cmds.get(idx) else {
        return Vec::new();
    };
    let program = cmd.program().unwrap_or_default();
    if let Some(m) = credential_command(cmd, program) {
        return vec![m];
    }
    let mut out = token_flags(cmd, program);
    out.extend(kubeconfig_written(cmds, idx, cmd, program));
    out.extend(credentials_assigned(cmd, program));
    out
}

/// A command of [`CREDENTIAL_COMMANDS`]; the token it is given names the credential.
fn credential_command(cmd: &Command, program: &str) -> Option<CredentialMatch> {
    let positionals = cmd.positionals(CREDENTIAL_VALUE_FLAGS);
    let (prog, path, kind, cluster_arg) = CREDENTIAL_COMMANDS
        .iter()
        .find(|(prog, path, _, _)| *prog == program && positionals.starts_with(path))?;
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
    Some(CredentialMatch {
        kind: *kind,
        name,
        cluster,
        note: format!("`{canonical}` fetches or writes cluster credentials"),
    })
}

/// Tokens given with [`TOKEN_FLAGS`]: the variable they come from, or the option's name.
fn token_flags(cmd: &Command, program: &str) -> Vec<CredentialMatch> {
    TOKEN_FLAGS
        .iter()
        .filter_map(|(flag, kind)| {
            let value = cmd.arg_after(&[flag])?;
            Some(CredentialMatch {
                kind: *kind,
                name: variable_name(value).unwrap_or_else(|| (*flag).to_owned()),
                cluster: None,
                note: format!("`{program}` is given a token with `{flag}`"),
            })
        })
        .collect()
}

/// Whether command `idx` only hands on the kubeconfig of a cluster the job runs itself: what it
/// writes comes from `kind get kubeconfig`, `minikube kubectl config view`, `k3d kubeconfig`,
/// `microk8s config` (`microk8s.config`), k3s's own `/etc/rancher/k3s/k3s.yaml` or `kubectl
/// config view` (the context the job is in), or it points `KUBECONFIG` at a file
/// without a credential variable or secret in the value (`export KUBECONFIG=$HOME/.kubeconfig`).
pub(crate) fn local_kubeconfig(cmds: &[Command], idx: usize) -> bool {
    let Some(cmd) = cmds.get(idx) else {
        return false;
    };
    let mut cursor = Some(idx);
    for _ in 0..16 {
        let Some(c) = cursor.and_then(|i| cmds.get(i)) else {
            break;
        };
        let positionals = c.positionals(&["--name", "-n", "--context", "--kubeconfig"]);
        let microk8s = c.wrappers.last().is_some_and(|w| w == "microk8s");
        let local = matches!(
            (c.program().unwrap_or_default(), positionals.as_slice()),
            ("kind", ["get", "kubeconfig", ..])
                | ("minikube", _)
                | ("k3d", ["kubeconfig", ..])
                | ("kubectl" | "oc", ["config", "view", ..])
                | ("microk8s.config", _)
        ) || (microk8s && c.program() == Some("config"))
            // k3s writes its own cluster's kubeconfig there (`cp /etc/rancher/k3s/k3s.yaml ~/.kube/config`).
            || positionals.iter().any(|p| p.contains("/etc/rancher/k3s/k3s.yaml"));
        if local {
            return true;
        }
        cursor = c.stdin_from.filter(|j| Some(*j) < cursor);
    }
    let program = cmd.program().unwrap_or_default();
    let plain = |value: &str| {
        !value.contains("secrets.")
            && variable_refs(value)
                .iter()
                .all(|n| credential_kind_for_name(n, false).is_none())
    };
    let pointers: Vec<(String, String)> = assigned(cmd, program)
        .into_iter()
        .filter(|(k, _)| credential_kind_for_name(k, false).is_some())
        .collect();
    !pointers.is_empty()
        && pointers.iter().all(|(_, v)| plain(v))
        && token_flags(cmd, program).is_empty()
        && kubeconfig_written(cmds, idx, cmd, program).is_none()
}

/// A kubeconfig file written (`echo $KUBE_CONFIG | base64 -d > ~/.kube/config`,
/// `cp $KC ~/.kube/config`), named after the credential variable piped into it.
fn kubeconfig_written(
    cmds: &[Command],
    idx: usize,
    cmd: &Command,
    program: &str,
) -> Option<CredentialMatch> {
    let redirected = cmd.redirects.iter().any(|r| {
        matches!(r.op.as_str(), ">" | ">>" | ">|" | "1>" | "&>")
            && is_kubeconfig_path(&r.target.text)
    });
    let copied = matches!(program, "cp" | "mv" | "install" | "ln" | "tee")
        && cmd
            .words
            .iter()
            .skip(1)
            .any(|w| is_kubeconfig_path(&w.text));
    if !redirected && !copied {
        return None;
    }
    // The variables of this command and of those piped into it (at most 16 commands).
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
    Some(CredentialMatch {
        kind: CredentialKind::Kubeconfig,
        name,
        cluster: None,
        note: "a kubeconfig file is written".to_owned(),
    })
}

/// The variables `cmd` sets: its prefix assignments (`KUBECONFIG=x kubectl ...`) and, for
/// `export`, `declare` and `readonly`, its `NAME=value` words.
fn assigned(cmd: &Command, program: &str) -> Vec<(String, String)> {
    let mut assigned: Vec<(String, String)> = cmd.assignments.clone();
    if matches!(program, "export" | "declare" | "readonly") {
        for w in cmd.words.iter().skip(1) {
            if let Some((k, v)) = w.text.split_once('=') {
                assigned.push((k.to_owned(), v.to_owned()));
            }
        }
    }
    assigned
}

/// Credential variables set: `export KUBECONFIG=...`, `KUBECONFIG=x kubectl ...`.
fn credentials_assigned(cmd: &Command, program: &str) -> Vec<CredentialMatch> {
    assigned(cmd, program)
        .into_iter()
        .filter_map(|(k, v)| {
            let kind = credential_kind_for_name(&k, false)?;
            let name = variable_refs(&v)
                .into_iter()
                .find(|n| credential_kind_for_name(n, false).is_some())
                .unwrap_or(k.clone());
            Some(CredentialMatch {
                kind,
                name,
                cluster: None,
                note: format!("`{k}` is set"),
            })
        })
        .collect()
}

/// Whether a path looks like a kubeconfig file (`~/.kube/config`, `/tmp/kubeconfig.yaml`).
fn is_kubeconfig_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.contains(".kube/config")
        || lower
            .rsplit('/')
            .next()
            .is_some_and(|f| f.contains("kubeconfig"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_local_clusters_own_kubeconfig_is_told_apart() {
        let local = |script: &str| {
            let cmds = crate::infer::shell::commands(script, &[]);
            (0..cmds.len()).any(|i| local_kubeconfig(&cmds, i))
        };
        for script in [
            "kind get kubeconfig --name e2e > ~/.kube/config",
            "minikube kubectl config view > $HOME/.kubeconfig",
            "k3d kubeconfig get dev | tee ~/.kube/config",
            "kubectl config view --raw > /tmp/kubeconfig",
            "export KUBECONFIG=$HOME/.kube/kind.yaml",
            "sudo microk8s.config > ~/.kube/config",
            "microk8s config > ~/.kube/config",
            "sudo cp /etc/rancher/k3s/k3s.yaml ~/.kube/config",
        ] {
            assert!(local(script), "{script}");
        }
        for script in [
            "echo \"$KUBE_CONFIG\" | base64 -d > ~/.kube/config",
            "export KUBECONFIG=${{ secrets.KUBECONFIG }}",
            "export KUBECONFIG=$KUBE_CONFIG_PATH",
            "aws eks update-kubeconfig --name prod",
        ] {
            assert!(!local(script), "{script}");
        }
    }

    fn creds(script: &str) -> Vec<CredentialMatch> {
        let cmds = crate::infer::shell::commands(script, &[]);
        (0..cmds.len())
            .flat_map(|i| classify_credentials(&cmds, i))
            .collect()
    }

    #[test]
    fn credential_commands() {
        // (script, kind, name, cluster) of the first credential found.
        let cases: &[(&str, CredentialKind, &str, Option<&str>)] = &[
            (
                "aws eks update-kubeconfig --name prod-cluster --region eu-west-1",
                CredentialKind::CloudAws,
                "aws eks update-kubeconfig",
                Some("prod-cluster"),
            ),
            (
                "gcloud container clusters get-credentials staging --zone x",
                CredentialKind::CloudGcp,
                "gcloud container clusters get-credentials",
                Some("staging"),
            ),
            (
                "az aks get-credentials -g rg -n aks-prod",
                CredentialKind::CloudAzure,
                "az aks get-credentials",
                Some("aks-prod"),
            ),
            (
                "doctl kubernetes cluster kubeconfig save my-k8s",
                CredentialKind::Kubeconfig,
                "doctl kubernetes cluster kubeconfig save",
                Some("my-k8s"),
            ),
            (
                "oc login --token=$OPENSHIFT_TOKEN --server=https://x",
                CredentialKind::OpenshiftLogin,
                "OPENSHIFT_TOKEN",
                None,
            ),
            (
                "argocd login cd.example.com --auth-token $ARGOCD_AUTH_TOKEN",
                CredentialKind::ArgocdToken,
                "ARGOCD_AUTH_TOKEN",
                None,
            ),
            (
                "kubectl config set-credentials ci --token=$KUBE_TOKEN",
                CredentialKind::KubeToken,
                "KUBE_TOKEN",
                None,
            ),
            (
                "echo \"$KUBE_CONFIG_DATA\" | base64 -d > ~/.kube/config",
                CredentialKind::Kubeconfig,
                "KUBE_CONFIG_DATA",
                None,
            ),
            (
                "export KUBECONFIG=$HOME/kc",
                CredentialKind::Kubeconfig,
                "KUBECONFIG",
                None,
            ),
            // A literal token is never kept: the option names the credential.
            (
                "kubectl --token abcdef apply -f x",
                CredentialKind::KubeToken,
                "--token",
                None,
            ),
        ];
        for (script, kind, name, cluster) in cases {
            let found = creds(script);
            let first = found.first().expect(script);
            assert_eq!(
                (first.kind, first.name.as_str(), first.cluster.as_deref()),
                (*kind, *name, *cluster),
                "{script}"
            );
        }
        assert!(creds("kubectl get pods").is_empty());
        assert!(creds("echo hi > out.txt").is_empty());
    }
}
