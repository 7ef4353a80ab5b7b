//! Deploys through a tool's HTTP API instead of its command line: a `curl` to Argo CD's
//! sync endpoint (`curl -X POST "$ARGOCD/api/v1/applications/$APP/sync"`) does what
//! `argocd app sync $APP` does.

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
    let app = cmd
        .words
        .iter()
        .skip(1)
        .find_map(|w| argocd_sync(&w.text))?;
    Some(DeployMatch {
        workload: Some(app.to_owned()),
        ..DeployMatch::new(DeployTool::Argocd, "sync")
    })
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
}
