//! `generate`'s warning about replica counts a scaler would fight: an app whose own manifests
//! (the team's base or overlays, or a scaffold seeded earlier and the user's now) write
//! `spec.replicas` on a workload that an HPA, a KEDA ScaledObject or a Canary among them scales,
//! or, with `rollout`, on the Deployment Flagger scales. gitops-gen never edits those files, so
//! it says where the count is instead.

use std::path::Path;

use crate::files::safe_read::{self, Symlinks};
use crate::model::tree::GitopsTree;
use crate::model::{Config, Deploy};
use crate::scan::{fixed_replicas, replica_conflicts_of};
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
        let mut targeted = false;
        let mut texts: Vec<(String, String)> = Vec::new();
        let rolled_out = app.rollout.is_some();
        for file in &files {
            let Ok(text) = safe_read::read_text(
                root,
                Path::new(file),
                Symlinks::InsideRoot,
                safe_read::MAX_FILE_BYTES,
            ) else {
                continue;
            };
            targeted |= deployments(&text).any(|name| name == app.name.value);
            for (kind, name, line, column) in fixed_replicas(file, &text) {
                if rolled_out && kind == "Deployment" && name == app.name.value {
                    found.push(format!(
                        "{file}:{line}:{column}: Deployment `{name}` sets `spec.replicas`, and \
                         Flagger scales it (`apps[].rollout`); every reconcile of that count \
                         would undo Flagger's scaling: remove it (docs/progressive-delivery.md)"
                    ));
                }
            }
            texts.push((file.clone(), text));
        }
        for c in replica_conflicts_of(&texts) {
            let at = format!("{}:{}:{}: ", c.file, c.line, c.column);
            if !found.iter().any(|w| w.starts_with(&at)) {
                found.push(format!(
                    "{at}{} `{}` sets `spec.replicas`, and the {} at {}:{} scales it; every \
                     reconcile of that count would undo the scaling: remove it",
                    c.kind, c.name, c.scaler, c.scaler_file, c.scaler_line
                ));
            }
        }
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

/// The names of the Deployments in the manifest `text`.
fn deployments(text: &str) -> impl Iterator<Item = String> {
    let docs = crate::yaml::parse(text).unwrap_or_default();
    docs.into_iter().filter_map(|doc| {
        let root = doc.as_map()?;
        (root.get("kind")?.as_str()? == "Deployment")
            .then(|| {
                root.get("metadata")?
                    .as_map()?
                    .get("name")?
                    .as_str()
                    .map(str::to_owned)
            })
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn deployments_are_named_from_every_document() {
        let text = "kind: Service\nmetadata: {name: web}\n---\nkind: Deployment\nmetadata: {name: api}\n---\nkind: Deployment\nmetadata: {name: web}\n";
        assert_eq!(super::deployments(text).collect::<Vec<_>>(), ["api", "web"]);
        assert_eq!(super::deployments("a: [").count(), 0);
    }
}
