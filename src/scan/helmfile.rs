//! SCAN stage: helmfiles: the releases they install and the environments they declare.

use serde::Serialize;

use super::text::scalar_at;
use crate::files::LineIndex;
use crate::yaml::Node;

/// One entry of `releases:`.
///
/// ```yaml
/// releases:
///   - name: web
///     namespace: shop
///     chart: ./charts/web
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct HelmfileRelease {
    pub name: Option<String>,
    /// `chart`: a local path or `repo/chart`, as written.
    pub chart: Option<String>,
    pub namespace: Option<String>,
    /// 1-based line of the entry.
    pub line: usize,
}

/// A helmfile (`helmfile.yaml`, `helmfile.d/*.yaml`, and their `.gotmpl` forms).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Helmfile {
    /// Repository-relative path.
    pub file: String,
    /// Releases of every document, in order.
    pub releases: Vec<HelmfileRelease>,
    /// Keys of `environments:` of every document, in order, without repeats.
    pub environments: Vec<String>,
}

/// Whether `path` is a helmfile by name.
pub(super) fn is_helmfile_path(path: &str, name: &str) -> bool {
    let stem = name.strip_suffix(".gotmpl").unwrap_or(name);
    let yaml = stem.ends_with(".yaml") || stem.ends_with(".yml");
    matches!(stem, "helmfile.yaml" | "helmfile.yml")
        || yaml && path.split('/').rev().nth(1) == Some("helmfile.d")
}

/// Reads the documents of a helmfile (documents are separated by `---` and merged by helmfile).
pub(super) fn read(file: &str, src: &str, docs: &[Node]) -> Helmfile {
    let lines = LineIndex::new(src);
    let mut releases = Vec::new();
    let mut environments: Vec<String> = Vec::new();
    for root in docs.iter().filter_map(Node::as_map) {
        if let Some(items) = root.get("releases").and_then(Node::as_seq) {
            for item in items {
                let Some(map) = item.as_map() else { continue };
                releases.push(HelmfileRelease {
                    name: scalar_at(map, "name", src),
                    chart: scalar_at(map, "chart", src),
                    namespace: scalar_at(map, "namespace", src),
                    line: lines.line_number(item.span.start),
                });
            }
        }
        if let Some(envs) = root.get("environments").and_then(Node::as_map) {
            for (key, _) in envs.iter() {
                if let Some(name) = key.scalar_text()
                    && !environments.contains(&name)
                {
                    environments.push(name);
                }
            }
        }
    }
    Helmfile {
        file: file.to_owned(),
        releases,
        environments,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_helmfile_path("helmfile.yaml", "helmfile.yaml"));
        assert!(is_helmfile_path(
            "x/helmfile.yaml.gotmpl",
            "helmfile.yaml.gotmpl"
        ));
        assert!(is_helmfile_path("helmfile.d/10-web.yaml", "10-web.yaml"));
        assert!(!is_helmfile_path("helmfile.d/README.md", "README.md"));
        assert!(!is_helmfile_path("values.yaml", "values.yaml"));
    }

    #[test]
    fn releases_and_environments_across_documents() {
        let src = "\
environments:
  staging:
    values: [env/staging.yaml]
  production: {}
---
releases:
  - name: web
    namespace: shop
    chart: ./charts/web
  - name: redis
    chart: bitnami/redis
  - just-a-string
";
        let docs = crate::yaml::parse(src).expect("parse");
        let h = read("helmfile.yaml", src, &docs);
        assert_eq!(h.environments, ["staging", "production"]);
        assert_eq!(h.releases.len(), 2);
        assert_eq!(h.releases[0].name.as_deref(), Some("web"));
        assert_eq!(h.releases[0].namespace.as_deref(), Some("shop"));
        assert_eq!(h.releases[0].line, 7);
        assert_eq!(h.releases[1].chart.as_deref(), Some("bitnami/redis"));
        assert_eq!(h.releases[1].namespace, None);
    }
}
