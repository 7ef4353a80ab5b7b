//! RENDER stage: progressive delivery. For each app Flagger rolls out in an environment
//! (`apps[].rollout`), `applications/rollouts/<env>/<app>/` holds the app's base (or the team's
//! overlay for the environment) with a Flagger Canary beside it, and the Service Flagger makes
//! itself removed; promotion lists that folder in the environment's overlay instead of the base.
//! With `notifications.chat`, an AlertProvider sends each rollout's outcome to the chat. The
//! controllers (Flagger, its load tester) are [`crate::model::controllers`].

use serde::Serialize;

use crate::error::Error;
use crate::model::controllers::{LOAD_TESTER_URL, bundles_prometheus, mesh_prometheus};
use crate::model::delivery::{Rollout, Strategy, TrafficProvider};
use crate::model::tree::{self, ALERT_PROVIDER_FILE, CANARY_FILE, GitopsTree, relative};
use crate::model::{App, ChatProvider, Config};
use crate::render::output::Outputs;

const KUSTOMIZATION: &str = "gitops/rollout/kustomization.yaml.j2";
const CANARY: &str = "gitops/rollout/canary.yaml.j2";
const ALERT_PROVIDER: &str = "gitops/rollout/alert-provider.yaml.j2";

#[derive(Serialize)]
struct KustomizationView {
    name: String,
    /// The app's base or the team's overlay, relative to the folder.
    base: String,
    alert: bool,
    /// A strategic-merge patch that deletes the app's Service.
    delete_service: String,
}

#[derive(Serialize)]
struct CanaryView<'a> {
    name: &'a str,
    project: &'a str,
    provider: &'static str,
    metrics_server: Option<&'static str>,
    ingress: bool,
    progress_deadline_seconds: u32,
    port: u16,
    gateway: Option<GatewayView<'a>>,
    interval: &'a str,
    threshold: u32,
    canary: bool,
    max_weight: u32,
    step_weight: u32,
    iterations: u32,
    header: Option<HeaderView<'a>>,
    metrics: Vec<MetricView<'a>>,
    load_tester: &'static str,
    /// The load tester's command, `None` without `load_test`.
    load_test: Option<String>,
    alert: Option<AlertView>,
}

#[derive(Serialize)]
struct GatewayView<'a> {
    name: &'a str,
    namespace: &'a str,
}

#[derive(Serialize)]
struct HeaderView<'a> {
    name: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
struct MetricView<'a> {
    name: &'static str,
    bound_key: &'static str,
    bound: u32,
    interval: &'a str,
}

#[derive(Serialize)]
struct AlertView {
    name: String,
}

#[derive(Serialize)]
struct AlertProviderView<'a> {
    name: String,
    kind: &'static str,
    channel: Option<&'a str>,
    secret: &'a str,
}

/// Adds every app's rollout folder in every environment it is rolled out in.
pub(crate) fn render(config: &Config, out: &mut Outputs) -> Result<(), Error> {
    let tree = GitopsTree::of(config);
    for app in &config.apps {
        for env in &config.environments {
            let name = env.name.value.as_str();
            let Some(rollout) = app.rollout_in(name) else {
                continue;
            };
            let dir = tree.rollout(name, &app.name.value);
            let base = match &app.deploy {
                crate::model::Deploy::Kustomize { overlays, .. } => overlays.get(name).cloned(),
                _ => None,
            }
            .or_else(|| tree.app_base_dir(&app.deploy))
            .ok_or_else(|| Error::Internal(format!("app `{}` has no base", app.name.value)))?;
            let alert = config.notifications.chat.as_ref();
            out.managed(
                KUSTOMIZATION,
                tree::kustomization(&dir),
                &KustomizationView {
                    name: app.name.value.clone(),
                    base: relative(&dir, &base),
                    alert: alert.is_some(),
                    delete_service: delete_service(&app.name.value),
                },
            )?;
            let provider_name = format!("{}-chat", app.name.value);
            let canary = canary(
                config,
                app,
                rollout,
                &env.namespace,
                alert.map(|_| AlertView {
                    name: provider_name.clone(),
                }),
            );
            out.managed(CANARY, format!("{dir}/{CANARY_FILE}"), &canary)?;
            if let Some(chat) = alert {
                let view = AlertProviderView {
                    name: provider_name,
                    kind: match chat.provider {
                        ChatProvider::Slack => "slack",
                        ChatProvider::Msteams => "msteams",
                        ChatProvider::Discord => "discord",
                        ChatProvider::Googlechat => "gchat",
                    },
                    channel: chat.channel.as_deref(),
                    secret: &chat.secret,
                };
                out.managed(
                    ALERT_PROVIDER,
                    format!("{dir}/{ALERT_PROVIDER_FILE}"),
                    &view,
                )?;
            }
        }
    }
    Ok(())
}

fn canary<'a>(
    config: &'a Config,
    app: &'a App,
    rollout: &'a Rollout,
    namespace: &str,
    alert: Option<AlertView>,
) -> CanaryView<'a> {
    let name = app.name.value.as_str();
    // Flagger's Service for the new version, in the environment's namespace.
    let load_test = rollout
        .load_test
        .then(|| format!("hey -z 1m -q 10 -c 2 http://{name}-canary.{namespace}/"));
    CanaryView {
        name,
        project: &config.project.value,
        provider: rollout.provider.flagger_name(),
        // Flagger's own Prometheus is its default when any rollout needs it; a mesh's Canary
        // names the mesh's.
        metrics_server: (!bundles_prometheus(rollout.provider))
            .then(|| mesh_prometheus(rollout.provider)),
        ingress: rollout.provider == TrafficProvider::Nginx,
        progress_deadline_seconds: rollout.progress_deadline_seconds,
        port: app.port,
        gateway: rollout
            .gateway
            .as_ref()
            .map(|(namespace, name)| GatewayView { name, namespace }),
        interval: &rollout.interval,
        threshold: rollout.threshold,
        canary: rollout.strategy == Strategy::Canary,
        max_weight: rollout.max_weight,
        step_weight: rollout.step_weight,
        iterations: rollout.iterations,
        header: (rollout.strategy == Strategy::Ab).then(|| HeaderView {
            name: &rollout.header.0,
            value: &rollout.header.1,
        }),
        metrics: rollout
            .metrics
            .iter()
            .map(|m| MetricView {
                name: m.name.as_str(),
                bound_key: m.name.bound_key(),
                bound: m.bound,
                interval: &m.interval,
            })
            .collect(),
        load_tester: LOAD_TESTER_URL,
        load_test,
        alert,
    }
}

/// The patch that removes the Service `name` from the built app.
fn delete_service(name: &str) -> String {
    format!("$patch: delete\napiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n")
}
