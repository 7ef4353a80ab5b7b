//! What a Helm chart's values hold at a dotted path (`image.tag`), after the values files are
//! merged in order: Helm's `-f a.yaml -f b.yaml`, and Flux's `valuesFrom` list, both apply each
//! file over the ones before it, merging maps key by key; any other value replaces what was
//! there, and `null` deletes the key.

use std::path::Path;

use crate::error::Error;
use crate::files::inputs;
use crate::sources::documents;
use crate::yaml::Node;

/// The value at `path` once `layers` (earliest first) are merged; `None` when no layer sets it,
/// a later layer replaces a map on the way with something else, or it is `null`.
pub(crate) fn lookup<'a>(layers: &'a [Node], path: &str) -> Option<&'a Node> {
    let keys: Vec<&str> = path.split('.').collect();
    'layers: for layer in layers.iter().rev() {
        let mut at = layer;
        for (depth, key) in keys.iter().enumerate() {
            let Some(map) = at.as_map() else {
                if depth == 0 {
                    // An empty file, or a file that is not a mapping: it sets nothing.
                    continue 'layers;
                }
                // This layer sets a parent of `path` to something that is not a map.
                return None;
            };
            match map.get(key) {
                Some(value) => at = value,
                None => continue 'layers,
            }
        }
        return (!at.is_null()).then_some(at);
    }
    None
}

/// Where a chart says it takes a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Declared {
    /// The chart's default `values.yaml` sets the path.
    Defaults,
    /// The chart's `values.schema.json` describes it (`properties` all the way down).
    Schema,
    /// Neither: the chart would ignore a value there.
    No,
}

/// Whether the chart in the folder `chart` (relative to `root`) declares the dotted `path` in
/// its default values or its values schema. A chart folder without `Chart.yaml` is an error.
pub(crate) fn declares(root: &Path, chart: &str, path: &str) -> Result<Declared, Error> {
    if !inputs::is_file(root, &format!("{chart}/Chart.yaml")) {
        return Err(Error::Usage(format!(
            "`{chart}` is not a Helm chart: it has no `Chart.yaml`"
        )));
    }
    let defaults = format!("{chart}/values.yaml");
    if inputs::is_file(root, &defaults) {
        let layers = documents(root, &defaults)?;
        if lookup(&layers[..layers.len().min(1)], path).is_some() {
            return Ok(Declared::Defaults);
        }
    }
    let schema = format!("{chart}/values.schema.json");
    if inputs::is_file(root, &schema) {
        let docs = documents(root, &schema)?;
        let mut at = docs.first();
        for key in path.split('.') {
            at = at
                .and_then(Node::as_map)
                .and_then(|m| m.get("properties"))
                .and_then(Node::as_map)
                .and_then(|m| m.get(key));
        }
        if at.is_some() {
            return Ok(Declared::Schema);
        }
    }
    Ok(Declared::No)
}

/// The values file at `path` (relative to `root`) as one layer: its first document, or an empty
/// layer for an empty file.
pub(crate) fn layer(root: &Path, path: &str) -> Result<Node, Error> {
    let docs = documents(root, path)?;
    let Some(first) = docs.first().cloned() else {
        return Ok(Node::new(
            crate::yaml::Value::Null,
            crate::files::Span::default(),
        ));
    };
    if !first.is_null() && first.as_map().is_none() {
        return Err(Error::Usage(format!(
            "`{path}` is not Helm values: its top level is {}, not a mapping",
            first.kind_name()
        )));
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layers(texts: &[&str]) -> Vec<Node> {
        texts
            .iter()
            .map(|t| {
                crate::yaml::parse(t)
                    .expect("yaml")
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| {
                        Node::new(crate::yaml::Value::Null, crate::files::Span::default())
                    })
            })
            .collect()
    }

    fn tag(texts: &[&str]) -> Option<String> {
        lookup(&layers(texts), "image.tag").and_then(Node::scalar_text)
    }

    /// The chart's values, then the shared file, the environment's file and the promoted image,
    /// as the generated HelmRelease lists them: the last file that sets a key wins, and maps
    /// merge, so a later file that sets only `image.repository` keeps the earlier tag.
    #[test]
    fn later_values_files_win_and_maps_merge() {
        let chart = "image: {repository: web, tag: '1.0'}\nreplicas: 1\n";
        let shared = "replicas: 2\n";
        let staging = "image: {tag: '1.1'}\n";
        let promoted = "image:\n  tag: '2.0'\n";
        assert_eq!(tag(&[chart]), Some("1.0".to_owned()));
        assert_eq!(tag(&[chart, shared, staging]), Some("1.1".to_owned()));
        assert_eq!(
            tag(&[chart, shared, staging, promoted]),
            Some("2.0".to_owned())
        );
        assert_eq!(
            tag(&[chart, "image: {repository: other}\n"]),
            Some("1.0".to_owned())
        );
        // `null` deletes; a scalar replaces the map it lands on.
        assert_eq!(tag(&[chart, "image: {tag: null}\n"]), None);
        assert_eq!(tag(&[chart, "image: web:3\n"]), None);
        assert_eq!(
            tag(&[chart, "image: web:3\n", promoted]),
            Some("2.0".to_owned())
        );
        assert_eq!(tag(&[chart, "", "[1]\n"]), Some("1.0".to_owned()));
    }

    #[test]
    fn a_chart_declares_paths_in_its_defaults_or_schema() -> Result<(), Box<dyn std::error::Error>>
    {
        let tmp = tempfile::tempdir()?;
        let root = tmp.path();
        std::fs::create_dir_all(root.join("charts/web"))?;
        assert!(declares(root, "charts/web", "image.tag").is_err());
        std::fs::write(root.join("charts/web/Chart.yaml"), "name: web\n")?;
        std::fs::write(
            root.join("charts/web/values.yaml"),
            "image:\n  repository: web\n  tag: ''\n",
        )?;
        assert_eq!(
            declares(root, "charts/web", "image.tag")?,
            Declared::Defaults
        );
        assert_eq!(declares(root, "charts/web", "image.name")?, Declared::No);
        std::fs::write(
            root.join("charts/web/values.schema.json"),
            r#"{"properties": {"image": {"properties": {"name": {"type": "string"}}}}}"#,
        )?;
        assert_eq!(
            declares(root, "charts/web", "image.name")?,
            Declared::Schema
        );
        assert_eq!(declares(root, "charts/web", "app.name")?, Declared::No);
        Ok(())
    }
}
