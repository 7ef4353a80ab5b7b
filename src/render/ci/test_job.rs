//! RENDER stage: what both pipelines add to an app's test job from the model's extension point:
//! GitHub setup steps (`test_setup`) and service containers (`test_services`). Every value was
//! checked by the decoder and goes through the escaping layer as data.

use serde::Serialize;

use crate::model::App;

/// One setup step: `uses` and its inputs.
#[derive(Debug, Serialize)]
pub(crate) struct SetupView {
    uses: String,
    with: Vec<(String, String)>,
}

/// One service container: its host name, image and environment.
#[derive(Debug, Serialize)]
pub(crate) struct ServiceView {
    name: String,
    image: String,
    env: Vec<(String, String)>,
    /// `"<port>:<port>"`, as GitHub maps them.
    ports: Vec<String>,
}

/// `app`'s setup steps.
pub(crate) fn setup(app: &App) -> Vec<SetupView> {
    app.test_setup
        .iter()
        .map(|s| SetupView {
            uses: s.uses.clone(),
            with: s.with.clone(),
        })
        .collect()
}

/// `app`'s service containers.
pub(crate) fn services(app: &App) -> Vec<ServiceView> {
    app.test_services
        .iter()
        .map(|s| ServiceView {
            name: s.name.clone(),
            image: s.image.clone(),
            env: s.env.clone(),
            ports: s.ports.iter().map(|p| format!("{p}:{p}")).collect(),
        })
        .collect()
}
