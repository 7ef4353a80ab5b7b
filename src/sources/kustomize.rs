//! The images a Kustomize directory runs: every `image:` string in the manifests it lists
//! (following `resources:` into folders), after each kustomization's `images:` entries.

use std::collections::BTreeSet;
use std::path::Path;

use crate::error::Error;
use crate::files::fold::fold;
use crate::files::inputs;
use crate::model::decode::{repository_of, split_reference};
use crate::sources::{KUSTOMIZATION_NAMES, documents};
use crate::yaml::{Mapping, Node};

/// How deep folders may nest through `resources:` (kustomize itself has no limit; this is far
/// past any real layout and keeps a hostile chain from exhausting the stack).
const MAX_DEPTH: usize = 64;

/// What a directory renders to, as far as images go.
#[derive(Debug, Default)]
pub(crate) struct Rendered {
    /// Image references as the built manifests hold them (`web:1.2`, `ghcr.io/a/b@sha256:…`).
    pub(crate) images: BTreeSet<String>,
    /// Resources that are not local files (`https://…`, `github.com/…`): what they run is unknown.
    pub(crate) remote: Vec<String>,
    /// The manifest files read, repository-relative, in the order they were listed.
    pub(crate) files: Vec<String>,
}

impl Rendered {
    /// The repositories of [`Rendered::images`], without tags or digests.
    pub(crate) fn repositories(&self) -> BTreeSet<String> {
        self.images.iter().map(|i| repository_of(i)).collect()
    }
}

/// `items` for a message: `` `a`, `b` ``, or `no image` when there are none.
pub(crate) fn in_words<'a>(items: impl IntoIterator<Item = &'a String>) -> String {
    let quoted: Vec<String> = items.into_iter().map(|i| format!("`{i}`")).collect();
    if quoted.is_empty() {
        "no image".to_owned()
    } else {
        quoted.join(", ")
    }
}

/// The manifest files of the folder `dir` (relative to `root`) as `kubectl apply -f <dir>` reads
/// them: `.yaml`, `.yml` and `.json` files directly in it (not below it; a symlink followed as
/// kubectl does; a kustomization file is not a manifest), sorted by name. `what` names the folder
/// in errors; a name that is not UTF-8 is one.
pub(crate) fn manifest_files(root: &Path, dir: &str, what: &str) -> Result<Vec<String>, Error> {
    let entries = inputs::list(root, dir)
        .map_err(|e| Error::Usage(format!("{what} cannot be listed: {e}")))?;
    let mut files = Vec::new();
    for entry in entries {
        let name = match &entry.name {
            Ok(name) => name.as_str(),
            Err(name) => {
                return Err(Error::Usage(format!(
                    "{what} holds a file whose name is not UTF-8 ({name:?}); rename it"
                )));
            }
        };
        let manifest = [".yaml", ".yml", ".json"].iter().any(|x| name.ends_with(x))
            && !KUSTOMIZATION_NAMES.contains(&name);
        // `metadata` follows a symlink as kubectl does; a folder named `x.yaml` is not read.
        if manifest && inputs::is_file(root, &join(dir, name)) {
            files.push(name.to_owned());
        }
    }
    files.sort();
    Ok(files)
}

/// The images of the manifest `files` (relative to `dir`, itself relative to `root`).
pub(crate) fn of_files(root: &Path, dir: &str, files: &[String]) -> Result<Rendered, Error> {
    let mut rendered = Rendered::default();
    for file in files {
        let path = join(dir, file);
        collect(root, &path, &mut rendered.images)?;
        rendered.files.push(path);
    }
    Ok(rendered)
}

/// The namespace the manifests of `dir` (relative to `root`) run in, when they say one: its
/// kustomization's `namespace:`, or else the `metadata.namespace` every object of its manifest
/// files (or of the files its kustomization lists) declares alike. Unreadable files say nothing.
pub(crate) fn namespace_of(root: &Path, dir: &str) -> Option<String> {
    let kustomization = KUSTOMIZATION_NAMES
        .into_iter()
        .map(|n| join(dir, n))
        .find(|p| inputs::is_file(root, p));
    let files: Vec<String> = match &kustomization {
        Some(path) => {
            let docs = documents(root, path).ok()?;
            if let Some(ns) = docs
                .first()
                .and_then(Node::as_map)
                .and_then(|m| m.get("namespace"))
                .and_then(Node::as_str)
            {
                return Some(ns.to_owned());
            }
            listed(root, path)
                .ok()?
                .into_iter()
                .filter_map(|r| match r {
                    Resource::Local { path, .. } if inputs::is_file(root, &path) => Some(path),
                    _ => None,
                })
                .collect()
        }
        None => manifest_files(root, dir, dir)
            .ok()?
            .into_iter()
            .map(|f| join(dir, &f))
            .collect(),
    };
    let mut found: BTreeSet<String> = BTreeSet::new();
    for file in &files {
        for doc in documents(root, file).ok()?.iter() {
            let ns = doc
                .as_map()
                .and_then(|m| m.get("metadata"))
                .and_then(Node::as_map)
                .and_then(|m| m.get("namespace"))
                .and_then(Node::as_str)?;
            found.insert(ns.to_owned());
        }
    }
    match found.len() {
        1 => found.into_iter().next(),
        _ => None,
    }
}

/// The images of the Kustomize directory `dir` (relative to `root`) once built.
pub(crate) fn of_base(root: &Path, dir: &str) -> Result<Rendered, Error> {
    let mut rendered = Rendered::default();
    base(root, dir, &mut rendered, &mut Vec::new())?;
    Ok(rendered)
}

/// Adds what `dir` renders to `images`; `within` holds the folders whose `resources:` led here,
/// so a folder that lists itself, directly or not, is refused rather than followed forever.
fn base(
    root: &Path,
    dir: &str,
    images: &mut Rendered,
    within: &mut Vec<String>,
) -> Result<(), Error> {
    if let Some(start) = within.iter().position(|d| d == dir) {
        let mut chain = within[start..].to_vec();
        chain.push(dir.to_owned());
        return Err(Error::Usage(format!(
            "`{dir}` lists itself through `resources:` ({}); kustomize cannot build a cycle",
            chain.join(" → ")
        )));
    }
    if within.len() >= MAX_DEPTH {
        return Err(Error::Usage(format!(
            "`{dir}`: folders nest more than {MAX_DEPTH} deep through `resources:`"
        )));
    }
    let Some(name) = KUSTOMIZATION_NAMES
        .into_iter()
        .find(|n| inputs::is_file(root, &join(dir, n)))
    else {
        return Err(Error::Usage(format!("`{dir}` has no kustomization.yaml")));
    };
    let path = join(dir, name);
    let docs = documents(root, &path)?;
    let kustomization = docs.first().and_then(Node::as_map);
    let mut own = BTreeSet::new();
    for resource in resources(&path, kustomization)? {
        let rel = match resource {
            Resource::Remote(url) => {
                images.remote.push(url);
                continue;
            }
            Resource::Local { path, .. } => path,
        };
        if inputs::is_dir(root, &rel) {
            let mut below = Rendered::default();
            within.push(dir.to_owned());
            let built = base(root, &rel, &mut below, within);
            within.pop();
            built?;
            own.extend(below.images);
            images.remote.extend(below.remote);
            images.files.extend(below.files);
        } else {
            collect(root, &rel, &mut own)?;
            images.files.push(rel);
        }
    }
    images.files.extend(patch_files(&path, kustomization));
    let transforms: Vec<Transform> = kustomization
        .and_then(|m| m.get("images"))
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_map)
        .filter_map(|e| {
            let text = |key: &str| e.get(key).and_then(Node::as_str).map(str::to_owned);
            Some(Transform {
                name: text("name")?,
                new_name: text("newName"),
                new_tag: text("newTag"),
                digest: text("digest"),
            })
        })
        .collect();
    for image in own {
        let done = transforms.iter().fold(image, |image, t| t.apply(image));
        images.images.insert(done);
    }
    Ok(())
}

/// One entry of a kustomization's `resources:` (or `bases:`).
pub(crate) enum Resource {
    /// A URL or a Git reference Kustomize fetches.
    Remote(String),
    /// A file or folder of the checkout.
    Local {
        /// As the kustomization writes it.
        written: String,
        /// Repository-relative and normalised.
        path: String,
    },
}

/// The resources the kustomization file at `path` lists; one that climbs out of the repository
/// is an error.
pub(crate) fn listed(root: &Path, path: &str) -> Result<Vec<Resource>, Error> {
    let docs = documents(root, path)?;
    resources(path, docs.first().and_then(Node::as_map))
}

fn resources(path: &str, kustomization: Option<&Mapping>) -> Result<Vec<Resource>, Error> {
    let dir = path.rsplit_once('/').map_or(".", |(dir, _)| dir);
    let list = |key: &str| -> Vec<String> {
        kustomization
            .and_then(|m| m.get(key))
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|n| n.as_str().map(str::to_owned))
            .collect()
    };
    let mut out = Vec::new();
    for resource in list("resources").into_iter().chain(list("bases")) {
        if resource.contains("://") || resource.starts_with("github.com/") {
            out.push(Resource::Remote(resource));
            continue;
        }
        let rel = normalize(&join(dir, &resource)).ok_or_else(|| {
            Error::Usage(format!(
                "`{path}` lists `{resource}`, outside the repository"
            ))
        })?;
        out.push(Resource::Local {
            written: resource,
            path: rel,
        });
    }
    Ok(out)
}

/// The local patch files the kustomization file at `path` applies (`patches[].path`,
/// `patchesStrategicMerge`), repository-relative; one outside the repository is left out.
fn patch_files(path: &str, kustomization: Option<&Mapping>) -> Vec<String> {
    let dir = path.rsplit_once('/').map_or(".", |(dir, _)| dir);
    let Some(map) = kustomization else {
        return Vec::new();
    };
    let seq = |key: &str| map.get(key).and_then(Node::as_seq).unwrap_or_default();
    let from_patches = seq("patches")
        .iter()
        .filter_map(|p| p.as_map()?.get("path")?.as_str());
    let strategic = seq("patchesStrategicMerge").iter().filter_map(Node::as_str);
    from_patches
        .chain(strategic)
        .filter(|p| !p.contains('\n'))
        .filter_map(|p| normalize(&join(dir, p)))
        .collect()
}

/// One entry of a kustomization's `images:`.
struct Transform {
    name: String,
    new_name: Option<String>,
    new_tag: Option<String>,
    digest: Option<String>,
}

impl Transform {
    /// `image` as Kustomize's image transformer leaves it: an image whose repository is `name`
    /// takes `newName`; `newTag` and `digest` replace what it had (both: `name:tag@digest`).
    fn apply(&self, image: String) -> String {
        let (repository, tag, digest) = split_reference(&image);
        if repository != self.name {
            return image;
        }
        let repository = self.new_name.as_deref().unwrap_or(&repository);
        match (self.new_tag.as_deref(), self.digest.as_deref()) {
            (Some(t), Some(d)) => format!("{repository}:{t}@{d}"),
            (Some(t), None) => format!("{repository}:{t}"),
            (None, Some(d)) => format!("{repository}@{d}"),
            (None, None) => {
                let tag = tag.map(|t| format!(":{t}")).unwrap_or_default();
                let digest = digest.map(|d| format!("@{d}")).unwrap_or_default();
                format!("{repository}{tag}{digest}")
            }
        }
    }
}

/// Adds the repositories of every `image:` string in the documents of `path`.
fn collect(root: &Path, path: &str, out: &mut BTreeSet<String>) -> Result<(), Error> {
    for doc in documents(root, path)?.iter() {
        walk(doc, out);
    }
    Ok(())
}

fn walk(node: &Node, out: &mut BTreeSet<String>) {
    if let Some(map) = node.as_map() {
        for (key, value) in map.iter() {
            match (key.as_str(), value.as_str()) {
                (Some("image"), Some(image)) => {
                    out.insert(image.to_owned());
                }
                _ => walk(value, out),
            }
        }
    } else if let Some(items) = node.as_seq() {
        for item in items {
            walk(item, out);
        }
    }
}

/// `a/./b/../c` → `a/c`; `None` when it climbs above the root.
fn normalize(path: &str) -> Option<String> {
    let parts = fold(path)?;
    Some(if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    })
}

fn join(dir: &str, rel: &str) -> String {
    if dir == "." {
        rel.to_owned()
    } else {
        format!("{dir}/{rel}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories_drop_tags_and_digests() {
        assert_eq!(repository_of("ghcr.io/acme/web:1.2"), "ghcr.io/acme/web");
        assert_eq!(repository_of("localhost:5000/web"), "localhost:5000/web");
        assert_eq!(
            repository_of("localhost:5000/web:v1@sha256:ab"),
            "localhost:5000/web"
        );
        assert_eq!(repository_of("nginx:1"), "nginx");
        assert_eq!(normalize("k8s/base/../web"), Some("k8s/web".to_owned()));
        assert_eq!(normalize("k8s/../../x"), None);
    }

    #[test]
    fn a_base_follows_folders_and_renames() -> Result<(), Box<dyn std::error::Error>> {
        let tmp = tempfile::tempdir()?;
        let root = tmp.path();
        let write = |rel: &str, text: &str| -> std::io::Result<()> {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap_or(root))?;
            std::fs::write(path, text)
        };
        write(
            "k8s/base/kustomization.yaml",
            "resources: [deploy.yaml, ../common, https://example.com/x.yaml]\n\
             images: [{name: web, newName: docker.io/acme/web}]\n",
        )?;
        write(
            "k8s/base/deploy.yaml",
            "kind: Deployment\nspec: {template: {spec: {containers: [{image: 'web:1'}]}}}\n---\n\
             kind: CronJob\nspec: {jobTemplate: {spec: {template: {spec: {initContainers: \
             [{image: 'ghcr.io/acme/migrate@sha256:00'}]}}}}}\n",
        )?;
        write("k8s/common/kustomization.yaml", "resources: [redis.yaml]\n")?;
        write(
            "k8s/common/redis.yaml",
            "spec: {containers: [{image: 'redis:7'}]}\n",
        )?;
        let images = of_base(root, "k8s/base")?;
        let found: Vec<String> = images.repositories().into_iter().collect();
        assert_eq!(
            found,
            ["docker.io/acme/web", "ghcr.io/acme/migrate", "redis"]
        );
        assert!(images.images.contains("docker.io/acme/web:1"), "{images:?}");
        write(
            "k8s/prod/kustomization.yaml",
            "resources: [../base]\nimages:\n- {name: docker.io/acme/web, newTag: '2'}\n\
             - {name: redis, digest: 'sha256:ff'}\n- {name: ghcr.io/acme/migrate, newTag: v3}\n",
        )?;
        let prod = of_base(root, "k8s/prod")?;
        let found: Vec<&str> = prod.images.iter().map(String::as_str).collect();
        assert_eq!(
            found,
            [
                "docker.io/acme/web:2",
                "ghcr.io/acme/migrate:v3",
                "redis@sha256:ff"
            ]
        );
        assert_eq!(images.remote, ["https://example.com/x.yaml"]);
        write("k8s/loop/kustomization.yaml", "resources: [.]\n")?;
        assert!(of_base(root, "k8s/loop").is_err());
        write("k8s/a/kustomization.yaml", "resources: [../b]\n")?;
        write("k8s/b/kustomization.yaml", "resources: [../a]\n")?;
        let Err(Error::Usage(why)) = of_base(root, "k8s/a") else {
            panic!("a cycle was built");
        };
        assert!(why.contains("(k8s/a → k8s/b → k8s/a)"), "{why}");
        write("k8s/bad/x.yaml", "a: 1\nb: [c\n")?;
        let Err(Error::Usage(why)) = of_files(root, "k8s/bad", &["x.yaml".to_owned()]) else {
            panic!("invalid YAML was read");
        };
        assert!(
            why.starts_with("`k8s/bad/x.yaml:3:1` is not valid YAML"),
            "{why}"
        );
        Ok(())
    }

    /// Many bases below one overlay, and the same base reached twice, are not cycles: 500 apps
    /// in one environment build.
    #[test]
    fn many_bases_build() -> Result<(), Box<dyn std::error::Error>> {
        let tmp = tempfile::tempdir()?;
        let root = tmp.path();
        let mut overlay = String::from("resources:\n");
        for i in 0..500 {
            let dir = root.join(format!("base/app{i}"));
            std::fs::create_dir_all(&dir)?;
            std::fs::write(
                dir.join("kustomization.yaml"),
                "resources: [d.yaml, ../common]\n",
            )?;
            std::fs::write(dir.join("d.yaml"), format!("image: app{i}:1\n"))?;
            overlay.push_str(&format!("  - ../base/app{i}\n"));
        }
        std::fs::create_dir_all(root.join("base/common"))?;
        std::fs::write(
            root.join("base/common/kustomization.yaml"),
            "resources: []\n",
        )?;
        std::fs::create_dir_all(root.join("prod"))?;
        std::fs::write(root.join("prod/kustomization.yaml"), overlay)?;
        assert_eq!(of_base(root, "prod")?.images.len(), 500);
        Ok(())
    }
}
