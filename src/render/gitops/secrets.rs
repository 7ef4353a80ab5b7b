//! RENDER stage: the External Secrets Operator's objects (`secrets.provider:
//! external-secrets`), in each environment's infrastructure overlay: a SecretStore stub for
//! `secrets.store`, written once and the user's to fill in, and a managed ExternalSecret per
//! Secret `secrets.from_ci` fills there, each key read from the store under its CI secret's
//! name. The overlay lists them ([`store_files`]); the operator itself is a controller
//! ([`crate::model::controllers`]).

use serde::Serialize;

use crate::error::Error;
use crate::model::Config;
use crate::model::delivery::{
    EXTERNAL_SECRETS_DIR, SECRET_STORE_FILE, SecretsProvider, from_ci_by_secret, store_files,
};
use crate::model::tree::GitopsTree;
use crate::render::output::Outputs;

const SECRET_STORE: &str = "gitops/secrets/secret-store.yaml.j2";
const EXTERNAL_SECRET: &str = "gitops/secrets/external-secret.yaml.j2";

#[derive(Serialize)]
struct StoreView<'a> {
    name: &'a str,
    namespace: &'a str,
    backend: &'static str,
    /// Vault's Kubernetes auth role: `<project>-<env>`.
    role: String,
}

#[derive(Serialize)]
struct ExternalSecretView<'a> {
    name: &'a str,
    namespace: &'a str,
    store: &'a str,
    data: Vec<DataView<'a>>,
}

#[derive(Serialize)]
struct DataView<'a> {
    key: &'a str,
    from: &'a str,
}

/// Adds each environment's SecretStore stub and ExternalSecrets.
pub(crate) fn render(config: &Config, out: &mut Outputs) -> Result<(), Error> {
    let secrets = &config.secrets;
    let (SecretsProvider::ExternalSecrets, Some(backend)) = (secrets.provider, secrets.store)
    else {
        return Ok(());
    };
    let tree = GitopsTree::of(config);
    let store = config.project.value.as_str();
    for env in config.environments.iter().filter(|e| !e.preview) {
        let name = env.name.value.as_str();
        if store_files(secrets, name, env.preview).is_empty() {
            continue;
        }
        let overlay = tree.infrastructure_overlay(name);
        out.seeded(
            SECRET_STORE,
            format!("{overlay}/{SECRET_STORE_FILE}"),
            &StoreView {
                name: store,
                namespace: &env.namespace,
                backend: backend.as_str(),
                role: format!("{store}-{name}"),
            },
            String::new(),
        )?;
        for (secret, pairs) in from_ci_by_secret(&secrets.from_ci, name) {
            out.managed(
                EXTERNAL_SECRET,
                format!("{overlay}/{EXTERNAL_SECRETS_DIR}/{secret}.yaml"),
                &ExternalSecretView {
                    name: secret,
                    namespace: &env.namespace,
                    store,
                    data: pairs
                        .into_iter()
                        .map(|(key, from)| DataView { key, from })
                        .collect(),
                },
            )?;
        }
    }
    Ok(())
}
