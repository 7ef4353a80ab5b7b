//! SCAN stage: Helm charts (`Chart.yaml`) and the values files that sit with them or look
//! like per-environment values elsewhere in the repository.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::text::{display_dir, file_name, scalar_at};
use crate::files::work::{self, Work};
use crate::yaml::Node;

/// A Helm chart directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct HelmChart {
    /// Directory holding `Chart.yaml` (`.` for the repository root).
    pub dir: String,
    /// Repository-relative path of `Chart.yaml`.
    pub file: String,
    /// `name:` in `Chart.yaml`.
    pub name: Option<String>,
    /// `version:` in `Chart.yaml`, as written.
    pub version: Option<String>,
    /// Values files for this chart, sorted: every `values*.yaml` inside the chart directory
    /// (outside `templates/`), plus per-environment values files elsewhere in the repository
    /// when this is the only chart or a directory on their path is named after the chart.
    pub values_files: Vec<String>,
}

/// Reads `Chart.yaml`; `values_files` is filled in by [`attach_values`].
pub(super) fn read(file: &str, dir: &str, src: &str, docs: &[Node]) -> HelmChart {
    let root = docs.iter().find_map(Node::as_map);
    HelmChart {
        dir: display_dir(dir),
        file: file.to_owned(),
        name: root.and_then(|m| scalar_at(m, "name", src)),
        version: root.and_then(|m| scalar_at(m, "version", src)),
        values_files: Vec::new(),
    }
}

/// How a file name reads as a Helm values file.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum ValuesName {
    /// `values.yaml` / `values.yml`.
    Plain,
    /// `values-<x>.yaml`, `values.<x>.yaml`, `values_<x>.yaml`, `<x>-values.yaml`,
    /// `<x>.values.yaml`, `<x>_values.yaml` (and `.yml`).
    Qualified,
}

/// Whether `name` (a file name) is a Helm values file, and of which shape.
pub(super) fn values_name(name: &str) -> Option<ValuesName> {
    let stem = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))?;
    if stem == "values" {
        return Some(ValuesName::Plain);
    }
    let qualified = ['-', '.', '_'].iter().any(|sep| {
        let after = stem
            .strip_prefix("values")
            .and_then(|r| r.strip_prefix(*sep));
        let before = stem
            .strip_suffix("values")
            .and_then(|r| r.strip_suffix(*sep));
        after.is_some_and(|x| !x.is_empty()) || before.is_some_and(|x| !x.is_empty())
    });
    qualified.then_some(ValuesName::Qualified)
}

/// Distributes values files over `charts` (whose `dir` is in display form) and returns the
/// values files that belong to no chart directory, sorted.
///
/// A values file inside a chart directory belongs to the innermost such chart. One outside
/// every chart is listed in the return value and also attached to the only chart, or, with
/// several charts, to those named by a directory on its path (`envs/prod/web/values.yaml` →
/// chart `web`).
pub(super) fn attach_values(charts: &mut [HelmChart], values: &[String]) -> Vec<String> {
    let raw_dir = |c: &HelmChart| {
        if c.dir == "." {
            String::new()
        } else {
            c.dir.clone()
        }
    };
    // Charts by directory and by name, so each values file costs its own depth rather than a
    // scan of every chart (monorepos hold thousands).
    let mut by_dir: HashMap<String, usize> = HashMap::new();
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, chart) in charts.iter().enumerate() {
        by_dir.insert(raw_dir(chart), i);
        if let Some(name) = &chart.name {
            by_name.entry(name.clone()).or_default().push(i);
        }
    }
    let mut loose = Vec::new();
    for path in values {
        match owner(path, &by_dir) {
            Some(i) => charts[i].values_files.push(path.clone()),
            None => {
                loose.push(path.clone());
                let mut owners: BTreeSet<usize> = BTreeSet::new();
                if charts.len() == 1 {
                    owners.insert(0);
                }
                let segments: Vec<&str> = path.split('/').collect();
                for segment in &segments[..segments.len().saturating_sub(1)] {
                    work::count(Work::ChartChecks, 1);
                    owners.extend(by_name.get(*segment).into_iter().flatten());
                }
                for i in owners {
                    if let Some(chart) = charts.get_mut(i) {
                        chart.values_files.push(path.clone());
                    }
                }
            }
        }
    }
    for chart in charts.iter_mut() {
        chart.values_files.sort();
        chart.values_files.dedup();
    }
    loose.sort();
    loose
}

/// The chart whose directory is the deepest above `path`, looked up directory by directory.
fn owner(path: &str, by_dir: &HashMap<String, usize>) -> Option<usize> {
    let dirs = path
        .rmatch_indices('/')
        .filter_map(|(at, _)| path.get(..at))
        .chain(std::iter::once(""));
    for dir in dirs {
        work::count(Work::ChartChecks, 1);
        if let Some(i) = by_dir.get(dir) {
            return Some(*i);
        }
    }
    None
}

/// Whether `path` (outside any chart) looks like a per-environment values file:
/// `values-<env>.yaml`, `values.<env>.yaml`, `<env>-values.yaml`, ... or `<env>/values.yaml`.
pub(super) fn is_loose_values_file(path: &str) -> bool {
    match values_name(file_name(path)) {
        Some(ValuesName::Qualified) => true,
        // A bare values.yaml outside a chart is named by its directory (`prod/values.yaml`).
        Some(ValuesName::Plain) => path.contains('/'),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_names() {
        assert_eq!(values_name("values.yaml"), Some(ValuesName::Plain));
        assert_eq!(values_name("values.yml"), Some(ValuesName::Plain));
        for q in [
            "values-prod.yaml",
            "values.prod.yaml",
            "values_prod.yml",
            "prod-values.yaml",
            "prod.values.yaml",
        ] {
            assert_eq!(values_name(q), Some(ValuesName::Qualified), "{q}");
        }
        for no in [
            "values.schema.json",
            "values-.yaml",
            "myvalues.yaml",
            "Chart.yaml",
            "values",
        ] {
            assert_eq!(values_name(no), None, "{no}");
        }
        assert!(is_loose_values_file("envs/prod/values.yaml"));
        assert!(!is_loose_values_file("values.yaml"));
        assert!(is_loose_values_file("values-prod.yaml"));
    }

    fn chart(dir: &str, name: &str) -> HelmChart {
        HelmChart {
            dir: dir.to_owned(),
            file: format!("{dir}/Chart.yaml"),
            name: Some(name.to_owned()),
            version: None,
            values_files: Vec::new(),
        }
    }

    #[test]
    fn values_go_to_the_innermost_chart_or_by_name() {
        let mut charts = vec![
            chart("charts/web", "web"),
            chart("charts/web/charts/redis", "redis"),
            chart("charts/api", "api"),
        ];
        let values = [
            "charts/web/values.yaml".to_owned(),
            "charts/web/ci/values-test.yaml".to_owned(),
            "charts/web/charts/redis/values.yaml".to_owned(),
            "envs/prod/api/values.yaml".to_owned(),
            "envs/prod/values-shared.yaml".to_owned(),
        ];
        let loose = attach_values(&mut charts, &values);
        assert_eq!(
            charts[0].values_files,
            ["charts/web/ci/values-test.yaml", "charts/web/values.yaml"]
        );
        assert_eq!(
            charts[1].values_files,
            ["charts/web/charts/redis/values.yaml"]
        );
        assert_eq!(charts[2].values_files, ["envs/prod/api/values.yaml"]);
        assert_eq!(
            loose,
            ["envs/prod/api/values.yaml", "envs/prod/values-shared.yaml"]
        );
    }

    #[test]
    fn a_single_chart_takes_every_loose_values_file() {
        let mut charts = vec![chart(".", "app")];
        let values = [
            "values.yaml".to_owned(),
            "deploy/values-prod.yaml".to_owned(),
        ];
        // Both are under the root chart directory.
        let loose = attach_values(&mut charts, &values);
        assert!(loose.is_empty());
        assert_eq!(
            charts[0].values_files,
            ["deploy/values-prod.yaml", "values.yaml"]
        );
    }
}
