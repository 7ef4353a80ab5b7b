//! `generate`'s warning about replica counts a scaler would fight: an app whose own manifests
//! (the team's base or overlays, or a scaffold seeded earlier and the user's now) write
//! `spec.replicas` on a workload that an HPA, a KEDA ScaledObject or a Canary among them scales,
//! or, with `rollout`, on the Deployment Flagger scales. gitops-gen never edits those files, so
//! it says where the count is instead.

use std::path::Path;

use crate::files::inputs;
use crate::files::safe_read::Symlinks;
use crate::model::tree::GitopsTree;
use crate::model::{Config, Deploy};
use crate::scan::scaling_of;
use crate::sources::kustomize;

/// One warning per `replicas:` key a scaler fights, as `file:line:column: …`.
/// A folder that cannot be read yet (a scaffold not written) says nothing here; `generate`
/// reports it where it matters.
pub(super) fn warnings(config: &Config, root: &Path) -> Vec<String> {
    let tree = GitopsTree::of(config);
    let mut found: Vec<String> = Vec::new();
    for app in &config.apps {
        let mut dirs: Vec<String> = tree.app_base_dir(&app.deploy).into_iter().collect();
        if let Deploy::Kustomize { overlays, .. } = &app.deploy {
            dirs.extend(overlays.values().cloned());
        }
        let mut files: Vec<String> = Vec::new();
        let mut listed_all = true;
        for dir in dirs {
            let listed = match &app.deploy {
                Deploy::Manifests { .. } => kustomize::manifest_files(root, &dir, &dir)
                    .map(|names| names.iter().map(|n| format!("{dir}/{n}")).collect()),
                _ => kustomize::of_base(root, &dir).map(|r| r.files),
            };
            let Ok(listed) = listed else {
                listed_all = false;
                continue;
            };
            for file in listed {
                if !files.contains(&file) {
                    files.push(file);
                }
            }
        }
        let rolled_out = app.rollout.is_some();
        // Rendering read these files before (for the app's image) and stopped on one it could
        // not read, so none is left out here.
        let texts: Vec<(String, String)> = files
            .iter()
            .filter_map(|file| {
                let text = inputs::read_text(root, file, Symlinks::InsideRoot).ok()?;
                Some((file.clone(), text))
            })
            .collect();
        let scaling = scaling_of(&texts);
        for (kind, name, file, line, column) in &scaling.fixed {
            if rolled_out && kind == "Deployment" && *name == app.name.value {
                found.push(format!(
                    "{file}:{line}:{column}: Deployment `{name}` sets `spec.replicas`, and \
                     Flagger scales it (`apps[].rollout`); every reconcile of that count \
                     would undo Flagger's scaling: remove it (docs/progressive-delivery.md)"
                ));
            }
        }
        for c in &scaling.conflicts {
            let at = format!("{}:{}:{}: ", c.file, c.line, c.column);
            if !found.iter().any(|w| w.starts_with(&at)) {
                found.push(format!(
                    "{at}{} `{}` sets `spec.replicas`, and the {} at {}:{} scales it; every \
                     reconcile of that count would undo the scaling: remove it",
                    c.kind, c.name, c.scaler, c.scaler_file, c.scaler_line
                ));
            }
        }
        let targeted = scaling.deployments.contains(&app.name.value);
        if rolled_out && listed_all && !files.is_empty() && !targeted {
            found.push(format!(
                "app `{app}`: its manifests hold no Deployment named `{app}`, and the Flagger \
                 Canary of `apps[].rollout` targets that name; rename the Deployment or the app",
                app = app.name.value
            ));
        }
    }
    found
}
