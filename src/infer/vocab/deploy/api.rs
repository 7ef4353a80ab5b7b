//! Deploys through a tool's HTTP API instead of its command line: a `curl` to Argo CD's
//! sync endpoint (`curl -X POST "$ARGOCD/api/v1/applications/$APP/sync"`) does what
//! `argocd app sync $APP` does, and a write request to a Kubernetes API server's namespaced
//! resource (`curl -X PATCH "$HOST/apis/apps/v1/namespaces/shop/deployments/web"`) does what
//! `kubectl patch` does.

use super::{DeployMatch, DeployTool};
use crate::infer::shell::Command;

/// HTTP clients a script calls an API with: curl, wget, HTTPie (`http`, `https`) and xh.
const HTTP_CLIENTS: &[&str] = &["curl", "wget", "http", "https", "xh"];

/// The deploy an HTTP client's request makes: a request to Argo CD's application sync
/// endpoint, which accepts only `POST`, is a sync of that application.
pub(super) fn deploy_by_api(program: &str, cmd: &Command) -> Option<DeployMatch> {
    if !HTTP_CLIENTS.contains(&program) {
        return None;
    }
    if let Some(app) = cmd.words.iter().skip(1).find_map(|w| argocd_sync(&w.text)) {
        return Some(DeployMatch {
            workload: Some(app.to_owned()),
            ..DeployMatch::new(DeployTool::Argocd, "sync")
        });
    }
    let method = write_method(program, cmd)?;
    let (namespace, workload) = cmd
        .words
        .iter()
        .skip(1)
        .find_map(|w| kubernetes_resource(&w.text))?;
    Some(DeployMatch {
        namespace: Some(namespace.to_owned()),
        workload: workload.map(str::to_owned),
        ..DeployMatch::new(DeployTool::Unknown, &format!("api-{method}"))
    })
}

/// The method of a request that changes what it names, lowercased: curl's `-X PATCH`,
/// `--request PUT`, `-XDELETE`, or a body (`-d`, `--data*`, `--json`, which make a `POST`);
/// HTTPie's and xh's method word (`http PATCH url`); wget's `--method=PUT` or `--post-data`.
/// `None` for a read (`GET`, `HEAD`, no method).
fn write_method(program: &str, cmd: &Command) -> Option<String> {
    const WRITES: &[&str] = &["patch", "put", "post", "delete"];
    let words: Vec<&str> = cmd.words.iter().skip(1).map(|w| w.text.as_str()).collect();
    let mut method = None;
    for (i, w) in words.iter().enumerate() {
        let given = match *w {
            "-X" | "--request" | "--method" => words.get(i + 1).copied(),
            _ => w
                .strip_prefix("-X")
                .or_else(|| w.strip_prefix("--request="))
                .or_else(|| w.strip_prefix("--method="))
                .filter(|m| !m.is_empty()),
        };
        if let Some(m) = given {
            method = Some(m.to_ascii_lowercase());
            break;
        }
        let body = *w == "-d"
            || w.starts_with("--data")
            || *w == "--json"
            || w.starts_with("--post-data")
            || w.starts_with("--post-file");
        if body {
            method.get_or_insert_with(|| "post".to_owned());
        }
        if matches!(program, "http" | "https" | "xh") && i == 0 {
            let lower = w.to_ascii_lowercase();
            if WRITES.contains(&lower.as_str()) {
                method = Some(lower);
                break;
            }
        }
    }
    method.filter(|m| WRITES.contains(&m.as_str()))
}

/// The namespace (and resource name, when the URL names one) of a Kubernetes API URL of a
/// namespaced resource: `…/api/v1/namespaces/NS/RESOURCE[/NAME]` (the core group) or
/// `…/apis/GROUP/VERSION/namespaces/NS/RESOURCE[/NAME]`, as written. A service proxied through
/// the API (`…/services/web/proxy/…`) is the service's own API, not the resource.
fn kubernetes_resource(url: &str) -> Option<(&str, Option<&str>)> {
    let url = url.trim_matches(['"', '\'']);
    let path = url.split(['?', '#']).next()?.trim_end_matches('/');
    let rest = match path.split_once("/api/v1/namespaces/") {
        Some((_, rest)) => rest,
        None => {
            let (_, apis) = path.split_once("/apis/")?;
            let mut parts = apis.splitn(3, '/');
            let (_group, _version, rest) = (parts.next()?, parts.next()?, parts.next()?);
            rest.strip_prefix("namespaces/")?
        }
    };
    let mut parts = rest.split('/');
    let namespace = parts.next().filter(|n| !n.is_empty())?;
    let _resource = parts.next().filter(|r| !r.is_empty())?;
    let name = parts.next().filter(|n| !n.is_empty());
    if parts.next() == Some("proxy") {
        return None;
    }
    Some((namespace, name))
}

/// The application of an Argo CD sync URL (`https://cd.example.com/api/v1/applications/web/sync`
/// → `web`), as written.
fn argocd_sync(url: &str) -> Option<&str> {
    let url = url.trim_matches(['"', '\'']);
    let path = url.split(['?', '#']).next()?.trim_end_matches('/');
    let (_, rest) = path.split_once("/api/v1/applications/")?;
    let app = rest.strip_suffix("/sync")?;
    (!app.is_empty() && !app.contains('/')).then_some(app)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deploys(script: &str) -> Option<(String, Option<String>)> {
        let cmds = crate::infer::shell::commands(script, &[]);
        let program = cmds.first()?.program()?;
        deploy_by_api(program, &cmds[0]).map(|m| (m.operation, m.workload))
    }

    #[test]
    fn a_request_to_the_argocd_sync_endpoint_is_a_sync() {
        let sync = |app: &str| Some(("sync".to_owned(), Some(app.to_owned())));
        for (script, expected) in [
            (
                r#"curl -sS -f -H "$auth" -X POST "$ARGOCD/api/v1/applications/$app/sync" -d '{"prune": true}'"#,
                sync("$app"),
            ),
            (
                "curl -X POST https://cd.example.com/api/v1/applications/web/sync/",
                sync("web"),
            ),
            (
                "wget --post-data '{}' https://cd/api/v1/applications/web/sync?appNamespace=x",
                sync("web"),
            ),
            (
                "http POST cd.example.com/api/v1/applications/web/sync",
                sync("web"),
            ),
            // Reading an application, or listing them, changes nothing.
            (
                "curl -sS -f -H \"$auth\" \"$ARGOCD/api/v1/applications/$app\"",
                None,
            ),
            ("curl \"$ARGOCD/api/v1/applications\"", None),
            (
                "curl https://cd/api/v1/applications/web/resource-tree",
                None,
            ),
            // Another program that names the URL does not request it.
            ("echo https://cd/api/v1/applications/web/sync", None),
        ] {
            assert_eq!(deploys(script), expected, "{script}");
        }
    }

    #[test]
    fn a_write_request_to_a_namespaced_kubernetes_resource_deploys_there() {
        let target = |script: &str| {
            let cmds = crate::infer::shell::commands(script, &[]);
            let m = deploy_by_api(cmds.first()?.program()?, &cmds[0])?;
            Some((m.operation, m.namespace?, m.workload))
        };
        let patch = |ns: &str, name: Option<&str>| {
            Some((
                "api-patch".to_owned(),
                ns.to_owned(),
                name.map(str::to_owned),
            ))
        };
        for (script, expected) in [
            (
                r#"curl -s -X PATCH -H "Authorization: Bearer ${TOKEN}" "https://${HOST}/k8s/clusters/c-1/apis/apps/v1/namespaces/${NS}/daemonsets/web" -d '[]'"#,
                patch("${NS}", Some("web")),
            ),
            (
                "curl -XPATCH https://k8s/api/v1/namespaces/shop/configmaps/app",
                patch("shop", Some("app")),
            ),
            (
                "http PATCH k8s.example/apis/apps/v1/namespaces/shop/deployments",
                patch("shop", None),
            ),
            (
                "curl --data @svc.json https://k8s/api/v1/namespaces/shop/services",
                Some(("api-post".to_owned(), "shop".to_owned(), None)),
            ),
            // Reads, a proxied service and a cluster-wide resource change nothing here.
            (
                "curl -s https://k8s/apis/apps/v1/namespaces/shop/deployments/web/status",
                None,
            ),
            (
                "curl -X POST http://localhost:8001/api/v1/namespaces/shop/services/web/proxy/api/",
                None,
            ),
            ("curl -X DELETE https://k8s/api/v1/nodes/worker-1", None),
        ] {
            assert_eq!(target(script), expected, "{script}");
        }
    }
}
