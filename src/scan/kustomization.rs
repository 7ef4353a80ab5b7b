//! SCAN stage: a `kustomization.yaml` as written: what it pulls in, what it patches, which
//! images it pins.

use serde::Serialize;

use super::text::{display_dir, scalar_at, string_list};
use crate::files::LineIndex;
use crate::yaml::{Mapping, Node};

/// File names kustomize accepts for its configuration, in its own lookup order.
pub(crate) const KUSTOMIZATION_FILE_NAMES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Whether a kustomization builds on another directory or stands alone.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum KustomizationKind {
    /// References nothing above its own directory.
    Base,
    /// References a parent directory through `..`, or lives under an `overlays/` directory.
    Overlay,
}

/// One entry of `patches:`, `patchesStrategicMerge:` or `patchesJson6902:`.
///
/// ```yaml
/// patches:
///   - path: replicas.yaml
///     target: { kind: Deployment, name: web }
///   - patch: |-           # inline: no path
///       - op: replace
/// patchesStrategicMerge:
///   - memory.yaml
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct KustomizePatch {
    /// The key it is listed under.
    pub field: &'static str,
    /// The patch file, relative to the kustomization's directory; `None` for an inline patch.
    pub path: Option<String>,
    /// `target.kind` (or the `kind` of a `patchesJson6902` target).
    pub target_kind: Option<String>,
    /// `target.name`.
    pub target_name: Option<String>,
    /// 1-based line of the entry.
    pub line: usize,
}

/// One entry of `images:`.
///
/// ```yaml
/// images:
///   - name: ghcr.io/acme/web
///     newTag: "1.4.2"
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct KustomizeImage {
    /// `name`: the image as it appears in the resources.
    pub name: String,
    /// `newName`.
    pub new_name: Option<String>,
    /// `newTag`, as written.
    pub new_tag: Option<String>,
    pub digest: Option<String>,
    /// 1-based line of the entry.
    pub line: usize,
}

/// A kustomization file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Kustomization {
    /// Directory holding it (`.` for the repository root).
    pub dir: String,
    /// Repository-relative path of the file.
    pub file: String,
    /// Base or overlay.
    pub kind: KustomizationKind,
    /// `resources:` as written (relative to `dir`, or remote URLs).
    pub resources: Vec<String>,
    /// `components:` as written.
    pub components: Vec<String>,
    /// `bases:` as written (deprecated by kustomize in favour of `resources:`).
    pub bases: Vec<String>,
    /// Patches from all three patch keys, in file order per key.
    pub patches: Vec<KustomizePatch>,
    pub images: Vec<KustomizeImage>,
    pub namespace: Option<String>,
}

/// Reads the first mapping document of a kustomization file (kustomize reads one document).
pub(super) fn read(file: &str, dir: &str, src: &str, docs: &[Node]) -> Kustomization {
    let lines = LineIndex::new(src);
    let empty = Mapping::new();
    let root = docs.iter().find_map(Node::as_map).unwrap_or(&empty);

    // Lists collected one item at a time hold room for four; a monorepo has thousands of these.
    let exact = |mut list: Vec<String>| {
        list.shrink_to_fit();
        list
    };
    let resources = exact(string_list(root, "resources", src));
    let components = exact(string_list(root, "components", src));
    let bases = exact(string_list(root, "bases", src));
    let mut patches = read_patches(root, src, &lines);
    patches.shrink_to_fit();
    let mut images = read_images(root, src, &lines);
    images.shrink_to_fit();

    let climbs = |p: &str| p == ".." || p.starts_with("../") || p.contains("/../");
    let references_parent = resources
        .iter()
        .chain(&components)
        .chain(&bases)
        .map(String::as_str)
        .chain(patches.iter().filter_map(|p| p.path.as_deref()))
        .any(climbs);
    let under_overlays = dir.split('/').any(|seg| seg == "overlays");
    let kind = if references_parent || under_overlays {
        KustomizationKind::Overlay
    } else {
        KustomizationKind::Base
    };

    Kustomization {
        dir: display_dir(dir),
        file: file.to_owned(),
        kind,
        resources,
        components,
        bases,
        patches,
        images,
        namespace: scalar_at(root, "namespace", src),
    }
}

fn read_patches(root: &Mapping, src: &str, lines: &LineIndex) -> Vec<KustomizePatch> {
    let mut out = Vec::new();
    for field in ["patches", "patchesStrategicMerge", "patchesJson6902"] {
        let Some(items) = root.get(field).and_then(Node::as_seq) else {
            continue;
        };
        for item in items {
            let line = lines.line_number(item.span.start);
            let patch = match item.as_map() {
                Some(map) => {
                    let target = map.get("target").and_then(Node::as_map);
                    KustomizePatch {
                        field,
                        path: scalar_at(map, "path", src),
                        target_kind: target.and_then(|t| scalar_at(t, "kind", src)),
                        target_name: target.and_then(|t| scalar_at(t, "name", src)),
                        line,
                    }
                }
                // patchesStrategicMerge lists file names, or inline YAML as a block string.
                None => {
                    let text = item.as_str().unwrap_or_default();
                    let inline = text.contains('\n') || text.contains(": ");
                    KustomizePatch {
                        field,
                        path: (!inline && !text.is_empty()).then(|| text.to_owned()),
                        target_kind: None,
                        target_name: None,
                        line,
                    }
                }
            };
            out.push(patch);
        }
    }
    out
}

fn read_images(root: &Mapping, src: &str, lines: &LineIndex) -> Vec<KustomizeImage> {
    let Some(items) = root.get("images").and_then(Node::as_seq) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let map = item.as_map()?;
            Some(KustomizeImage {
                name: scalar_at(map, "name", src)?,
                new_name: scalar_at(map, "newName", src),
                new_tag: scalar_at(map, "newTag", src),
                digest: scalar_at(map, "digest", src),
                line: lines.line_number(item.span.start),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kustomization(file: &str, dir: &str, src: &str) -> Kustomization {
        let docs = crate::yaml::parse(src).expect("parse");
        read(file, dir, src, &docs)
    }

    #[test]
    fn overlay_with_everything() {
        let src = "\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: shop-prod
resources:
  - ../../base
  - ingress.yaml
components: [../../components/hpa]
patches:
  - path: replicas.yaml
    target:
      kind: Deployment
      name: web
  - patch: |-
      - op: replace
        path: /spec/replicas
        value: 3
patchesStrategicMerge:
  - memory.yaml
  - |-
    apiVersion: apps/v1
    kind: Deployment
patchesJson6902:
  - target: { kind: Service, name: web }
    path: svc.yaml
images:
  - name: ghcr.io/acme/web
    newTag: 1.10
  - name: nginx
    newName: registry.local/nginx
    digest: sha256:abc
";
        let k = kustomization("deploy/prod/kustomization.yaml", "deploy/prod", src);
        assert_eq!(k.kind, KustomizationKind::Overlay);
        assert_eq!(k.dir, "deploy/prod");
        assert_eq!(k.namespace.as_deref(), Some("shop-prod"));
        assert_eq!(k.resources, ["../../base", "ingress.yaml"]);
        assert_eq!(k.components, ["../../components/hpa"]);
        let paths: Vec<_> = k.patches.iter().map(|p| p.path.as_deref()).collect();
        assert_eq!(
            paths,
            [
                Some("replicas.yaml"),
                None,
                Some("memory.yaml"),
                None,
                Some("svc.yaml")
            ]
        );
        assert_eq!(k.patches[0].target_kind.as_deref(), Some("Deployment"));
        assert_eq!(k.patches[0].target_name.as_deref(), Some("web"));
        assert_eq!(k.patches[0].line, 9);
        assert_eq!(k.patches[4].field, "patchesJson6902");
        assert_eq!(k.patches[4].target_name.as_deref(), Some("web"));
        assert_eq!(k.images[0].new_tag.as_deref(), Some("1.10"));
        assert_eq!(k.images[0].line, 26);
        assert_eq!(
            k.images[1].new_name.as_deref(),
            Some("registry.local/nginx")
        );
        assert_eq!(k.images[1].digest.as_deref(), Some("sha256:abc"));
    }

    #[test]
    fn base_and_legacy_bases() {
        let k = kustomization(
            "kustomization.yaml",
            "",
            "resources: [deployment.yaml, service.yaml]\n",
        );
        assert_eq!(k.kind, KustomizationKind::Base);
        assert_eq!(k.dir, ".");

        let legacy = kustomization("app/kustomization.yml", "app", "bases:\n  - ../common\n");
        assert_eq!(legacy.bases, ["../common"]);
        assert_eq!(legacy.kind, KustomizationKind::Overlay);

        let under = kustomization(
            "overlays/dev/kustomization.yaml",
            "overlays/dev",
            "resources: [github.com/acme/base?ref=v1]\n",
        );
        assert_eq!(under.kind, KustomizationKind::Overlay);
    }

    #[test]
    fn odd_shapes_do_not_panic() {
        for src in [
            "",
            "- a\n- b\n",
            "resources: 3\nimages: [x, {newTag: 1}]\npatches: {a: 1}\n",
        ] {
            let docs = crate::yaml::parse(src).expect("parse");
            let k = read("kustomization.yaml", "", src, &docs);
            assert!(k.images.is_empty());
        }
    }
}
