//! RENDER stage: the Flux repository layout, folder per environment, following Flux's
//! recommended structure:
//!
//! ```text
//! clusters/<cluster>/{infrastructure,apps}.yaml Flux Kustomizations (managed)
//! infrastructure/base/kustomization.yaml        shared infrastructure (seeded)
//! infrastructure/overlays/<env>/                namespace + base (managed)
//! applications/base/kustomization.yaml          every app's base (managed)
//! applications/base/<app>/                      Deployment, Service (seeded)
//! applications/overlays/<env>/kustomization.yaml  the `images:` promotion edits (seeded)
//! ```
//!
//! The cluster defaults to the environment's name, so the default layout is `clusters/<env>/`.
//! `clusters/<cluster>/flux-system/` is not generated: `flux bootstrap --path clusters/<cluster>` writes
//! it, including the `flux-system` GitRepository every Kustomization here refers to.

use serde::Serialize;

use crate::error::Error;
use crate::model::{Config, Deploy};
use crate::render::templates::Templates;
use crate::render::{OutputFile, in_tree, managed, seeded};

const FLUX_KUSTOMIZATION: &str = "gitops/flux/kustomization.yaml.j2";
const KUSTOMIZATION: &str = "gitops/kustomize/kustomization.yaml.j2";
const NAMESPACE: &str = "gitops/kustomize/namespace.yaml.j2";
const DEPLOYMENT: &str = "gitops/app/deployment.yaml.j2";
const SERVICE: &str = "gitops/app/service.yaml.j2";

/// The tag an overlay starts with, until the first promotion replaces it.
pub(crate) const INITIAL_TAG: &str = "latest";

#[derive(Serialize)]
struct FluxKustomizationView<'a> {
    name: &'a str,
    path: String,
    depends_on: Vec<&'a str>,
    target_namespace: Option<&'a str>,
}

#[derive(Serialize)]
struct KustomizationView {
    resources: Vec<String>,
    images: Vec<ImageView>,
}

#[derive(Serialize)]
struct ImageView {
    name: String,
    tag: &'static str,
}

#[derive(Serialize)]
struct NamespaceView<'a> {
    name: &'a str,
    project: &'a str,
}

#[derive(Serialize)]
struct AppView<'a> {
    name: &'a str,
    project: &'a str,
    image: &'a str,
    port: u16,
}

/// Appends the Flux tree for every environment and app to `out`.
pub(crate) fn render(
    config: &Config,
    t: &Templates,
    out: &mut Vec<OutputFile>,
) -> Result<(), Error> {
    let root = config.gitops.path.as_str();
    let at = |rel: String| in_tree(root, &rel);
    // Flux paths are relative to the repository root the GitRepository checks out.
    let flux_path = |rel: String| format!("./{}", in_tree(root, &rel));
    let project = config.project.value.as_str();

    for env in &config.environments {
        let name = env.name.value.as_str();
        let infra = FluxKustomizationView {
            name: "infrastructure",
            path: flux_path(format!("infrastructure/overlays/{name}")),
            depends_on: Vec::new(),
            target_namespace: None,
        };
        out.push(managed(
            t,
            FLUX_KUSTOMIZATION,
            &at(format!("clusters/{}/infrastructure.yaml", env.cluster)),
            &infra,
        )?);
        let apps = FluxKustomizationView {
            name: "apps",
            path: flux_path(format!("applications/overlays/{name}")),
            depends_on: vec!["infrastructure"],
            // Preview instances each bring their own namespace; one target would merge them.
            target_namespace: (!env.preview).then_some(env.namespace.as_str()),
        };
        out.push(managed(
            t,
            FLUX_KUSTOMIZATION,
            &at(format!("clusters/{}/apps.yaml", env.cluster)),
            &apps,
        )?);

        let mut infra_resources = vec!["../../base".to_owned()];
        if !env.preview {
            infra_resources.push("namespace.yaml".to_owned());
        }
        let infra_overlay = KustomizationView {
            resources: infra_resources,
            images: Vec::new(),
        };
        out.push(managed(
            t,
            KUSTOMIZATION,
            &at(format!("infrastructure/overlays/{name}/kustomization.yaml")),
            &infra_overlay,
        )?);
        if !env.preview {
            out.push(managed(
                t,
                NAMESPACE,
                &at(format!("infrastructure/overlays/{name}/namespace.yaml")),
                &NamespaceView {
                    name: &env.namespace,
                    project,
                },
            )?);
        }

        if env.preview {
            // One directory per branch, added and removed by `gitops-gen promote`.
            out.push(seeded(
                t,
                KUSTOMIZATION,
                &at(format!("applications/overlays/{name}/kustomization.yaml")),
                &KustomizationView { resources: Vec::new(), images: Vec::new() },
                &format!(
                    "# Per-branch {name} instances: `gitops-gen promote --env {name} --ref <branch>` adds\n\
                     # one directory per branch below and lists it here; `--remove` takes it away.\n"
                ),
            )?);
            continue;
        }
        let overlay = KustomizationView {
            resources: vec!["../../base".to_owned()],
            images: config
                .apps
                .iter()
                .map(|a| ImageView {
                    name: a.image.clone(),
                    tag: INITIAL_TAG,
                })
                .collect(),
        };
        out.push(seeded(
            t,
            KUSTOMIZATION,
            &at(format!("applications/overlays/{name}/kustomization.yaml")),
            &overlay,
            &format!(
                "# `gitops-gen promote --env {name}` sets the image tags below; \
                 add patches for {name} here.\n"
            ),
        )?);
    }

    let infra_base = KustomizationView {
        resources: Vec::new(),
        images: Vec::new(),
    };
    out.push(seeded(
        t,
        KUSTOMIZATION,
        &at("infrastructure/base/kustomization.yaml".to_owned()),
        &infra_base,
        "# Shared infrastructure for every environment (controllers, CRDs, policies).\n",
    )?);

    let mut base_resources = Vec::new();
    for app in &config.apps {
        let Deploy::Kustomize { path } = &app.deploy else {
            continue;
        };
        base_resources.push(match path.strip_prefix("applications/base/") {
            Some(inside) => inside.to_owned(),
            None => format!("../../{path}"),
        });
        let view = AppView {
            name: &app.name.value,
            project,
            image: &app.image,
            port: app.port,
        };
        let files = [
            ("kustomization.yaml", None),
            ("deployment.yaml", Some(DEPLOYMENT)),
            ("service.yaml", Some(SERVICE)),
        ];
        for (file, template) in files {
            let path = at(format!("{path}/{file}"));
            let note = "";
            out.push(match template {
                Some(template) => seeded(t, template, &path, &view, note)?,
                None => seeded(
                    t,
                    KUSTOMIZATION,
                    &path,
                    &KustomizationView {
                        resources: vec!["deployment.yaml".to_owned(), "service.yaml".to_owned()],
                        images: Vec::new(),
                    },
                    note,
                )?,
            });
        }
    }
    base_resources.sort();
    out.push(managed(
        t,
        KUSTOMIZATION,
        &at("applications/base/kustomization.yaml".to_owned()),
        &KustomizationView {
            resources: base_resources,
            images: Vec::new(),
        },
    )?);
    Ok(())
}
