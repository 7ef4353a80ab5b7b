//! RENDER stage: the operator-neutral Kustomize tree, one folder per environment:
//!
//! ```text
//! infrastructure/base/kustomization.yaml          shared infrastructure (seeded)
//! infrastructure/overlays/<env>/                  base + the environment's Namespace (managed;
//!                                                 the base only where the environment runs
//!                                                 first, see `model::sharing`)
//! applications/base/kustomization.yaml            every app's base (managed)
//! applications/base/<app>/                        Deployment, Service (seeded; `deploy.scaffold`)
//! <team folder>/kustomization.yaml                the list of its files (seeded; `deploy.manifests`)
//! applications/overlays/<env>/kustomization.yaml  base + the `images:` promotion edits (seeded)
//! ```
//!
//! A preview environment's overlays hold no namespace and no base: `gitops-gen promote` adds one
//! folder per branch, each with its own namespace. Paths come from
//! [`GitopsTree`](crate::model::tree::GitopsTree).

use serde::Serialize;

use crate::error::Error;
use crate::model::sharing;
use crate::model::tree::{self, GitopsTree};
use crate::model::{App, Config, Deploy, Environment};
use crate::render::gitops::EnvTarget;
use crate::render::gitops::team::TeamFiles;
use crate::render::output::Outputs;

pub(crate) const KUSTOMIZATION: &str = "gitops/kustomize/kustomization.yaml.j2";
const NAMESPACE: &str = "gitops/kustomize/namespace.yaml.j2";
/// Where the template of each of [`tree::APP_MANIFESTS`] is: `gitops/app/<file>.j2`.
const APP_TEMPLATES: &str = "gitops/app";

#[derive(Default, Serialize)]
pub(crate) struct KustomizationView {
    resources: Vec<String>,
    images: Vec<ImageView>,
}

impl KustomizationView {
    /// A kustomization that only lists `resources`.
    pub(crate) fn listing(resources: Vec<String>) -> KustomizationView {
        KustomizationView {
            resources,
            images: Vec::new(),
        }
    }
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
    /// `spec.replicas: 1`; left out when Flagger scales the app, which a count in Git would
    /// fight on every reconcile.
    replicas: bool,
}

/// Adds the neutral tree to `out` and returns what an operator applies for each environment.
pub(crate) fn render<'a>(
    config: &'a Config,
    team: TeamFiles,
    out: &mut Outputs,
) -> Result<Vec<EnvTarget<'a>>, Error> {
    let tree = GitopsTree::of(config);
    let project = config.project.value.as_str();
    let mut targets = Vec::new();
    for (index, env) in config.environments.iter().enumerate() {
        let base = sharing::applies_base(&config.environments, index);
        targets.push(environment(config, &tree, env, base, team, out)?);
    }
    out.seeded(
        KUSTOMIZATION,
        tree::kustomization(&tree.infrastructure_base()),
        &KustomizationView::default(),
        "# Shared infrastructure for every environment (controllers, CRDs, policies).\n".to_owned(),
    )?;
    let mut bases = Vec::new();
    for app in &config.apps {
        let name = app.name.value.as_str();
        match &app.deploy {
            Deploy::Scaffold { path, .. } => {
                team.scaffold(app, &tree.path(path))?;
                app_base(&tree, project, app, path, out)?;
                bases.push(tree::app_base_entry(path));
            }
            Deploy::Kustomize { path, overlays, .. } => {
                team.kustomize_base(app, path)?;
                for overlay in overlays.values() {
                    team.kustomize_base(app, overlay)?;
                }
                bases.push(tree.repository_entry(path));
            }
            Deploy::Manifests { path, .. } => {
                out.seeded(
                    KUSTOMIZATION,
                    tree::kustomization(path),
                    &KustomizationView {
                        resources: team.manifests(app, path)?,
                        images: Vec::new(),
                    },
                    format!(
                        "# The manifests of app `{name}`, as `kubectl apply -f {path}` applied them; \
                         gitops-gen wrote this\n# list once and leaves it to you: add or remove \
                         files here.\n"
                    ),
                )?;
                bases.push(tree.repository_entry(path));
            }
            Deploy::Helm { .. } => {}
        }
    }
    bases.sort();
    out.managed(
        KUSTOMIZATION,
        tree::kustomization(&tree.applications_base()),
        &KustomizationView {
            resources: bases,
            images: Vec::new(),
        },
    )?;
    Ok(targets)
}

/// One environment's infrastructure and application overlays; the infrastructure overlay lists
/// the shared base when `base` (no earlier environment applies it on the same clusters).
fn environment<'a>(
    config: &'a Config,
    tree: &GitopsTree,
    env: &'a Environment,
    base: bool,
    team: TeamFiles,
    out: &mut Outputs,
) -> Result<EnvTarget<'a>, Error> {
    let name = env.name.value.as_str();
    let infrastructure = tree.infrastructure_overlay(name);
    let applications = tree.applications_overlay(name);
    let mut resources: Vec<String> = base
        .then(|| tree::OVERLAY_BASE.to_owned())
        .into_iter()
        .collect();
    if !env.preview {
        resources.push(tree::NAMESPACE_FILE.to_owned());
    }
    resources.extend(crate::model::delivery::store_files(
        &config.secrets,
        name,
        env.preview,
    ));
    // SealedSecrets (any manifest) dropped into the overlay's `secrets/` (`gitops-gen seal -o`, the seal
    // workflow): listed as they are there, so the next `generate` applies them.
    if !config.gitops.is_separate() {
        resources.extend(
            team.sealed_secrets(&format!("{infrastructure}/{}", tree::SEALED_SECRETS_DIR))?,
        );
    }
    out.managed(
        KUSTOMIZATION,
        tree::kustomization(&infrastructure),
        &KustomizationView {
            resources,
            images: Vec::new(),
        },
    )?;
    if env.preview {
        // One directory per branch, added and removed by `gitops-gen promote`.
        out.seeded(
            KUSTOMIZATION,
            tree::kustomization(&applications),
            &KustomizationView::default(),
            format!(
                "# Per-branch {name} instances: `gitops-gen promote --env {name} --ref <branch>` adds\n\
                 # one directory per branch below and lists it here; `--remove` takes it away.\n"
            ),
        )?;
    } else {
        out.managed(
            NAMESPACE,
            tree.namespace(name),
            &NamespaceView {
                name: &env.namespace,
                project: &config.project.value,
            },
        )?;
        // No app yet: an environment runs an app from its first promotion there, which adds
        // the app's base and image, so an app nobody promoted never runs an untagged image.
        out.seeded(
            KUSTOMIZATION,
            tree::kustomization(&applications),
            &KustomizationView::default(),
            format!(
                "# The apps {name} runs: `gitops-gen promote --env {name} --app <app>` adds an \
                 app's base\n# below on its first promotion and sets its image tag; add \
                 patches for {name} here.\n"
            ),
        )?;
    }
    Ok(EnvTarget {
        name: &env.name.value,
        clusters: &env.clusters,
        namespace: &env.namespace,
        preview: env.preview,
        infrastructure,
        applications,
        suspended: env.suspended,
        drift: &env.drift,
    })
}

/// An app's base: a kustomization listing a Deployment and a Service, all seeded.
fn app_base(
    tree: &GitopsTree,
    project: &str,
    app: &App,
    base: &str,
    out: &mut Outputs,
) -> Result<(), Error> {
    let view = AppView {
        name: &app.name.value,
        project,
        image: &app.image,
        port: app.port,
        replicas: app.rollout.is_none(),
    };
    out.seeded(
        KUSTOMIZATION,
        tree::kustomization(&tree.path(base)),
        &KustomizationView {
            resources: tree::APP_MANIFESTS.map(str::to_owned).to_vec(),
            images: Vec::new(),
        },
        String::new(),
    )?;
    for file in tree::APP_MANIFESTS {
        out.seeded(
            &format!("{APP_TEMPLATES}/{file}.j2"),
            tree.app_base_file(base, file),
            &view,
            String::new(),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::model::tree::GitopsTree;

    /// The model checks collisions on `GitopsTree::claims`; it must list exactly the files this
    /// module writes, for every shape of tree (root or folder, previews, custom bases).
    #[test]
    fn the_tree_claims_exactly_what_is_rendered() -> Result<(), Box<dyn std::error::Error>> {
        let models = [
            "ci: github\ngitops: {path: \".\"}\n",
            "ci: gitlab\ngitops: {path: deploy/gitops}\n",
        ];
        for top in models {
            let text = format!(
                "version: 1\nproject: shop\n{top}environments:\n\
                 - {{name: dev, branches: [main]}}\n\
                 - {{name: preview, branches: ['feature/*'], preview: true}}\n\
                 apps:\n- {{name: web}}\n- {{name: api, deploy: {{scaffold: services/api}}}}\n\
                 - {{name: root, deploy: {{scaffold: .}}}}\n"
            );
            let config = crate::model::parse("gitops-gen.yaml", &text)?;
            let mut rendered: Vec<String> = crate::render::render(&config, None)?
                .into_iter()
                .map(|f| f.path)
                .filter(|p| !p.starts_with(".git") && !p.contains("clusters/"))
                .collect();
            let mut claimed: Vec<String> = GitopsTree::claims(&config)
                .into_iter()
                .map(|c| c.path)
                .collect();
            rendered.sort();
            claimed.sort();
            assert_eq!(rendered, claimed, "{top}");
        }
        Ok(())
    }
}
