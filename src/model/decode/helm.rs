//! `deploy.helm`: a chart in this repository (`helm: charts/web`, or `chart:` in the mapping)
//! or from a chart repository (`repository:` + `chart:` name + `version:`), its values files,
//! the release name and where the image goes in the values.

use crate::model::decode::{Decoder, HELM_KEYS};
use crate::model::types::{Environment, Gitops, Helm, Spanned};
use crate::yaml::Node;

/// Longest Helm release name (Helm's own limit).
const RELEASE_MAX: usize = 53;

impl Decoder<'_> {
    pub(super) fn helm(
        &mut self,
        node: &Node,
        app: &Spanned<String>,
        gitops: &Gitops,
        environments: &[Environment],
    ) -> Option<Helm> {
        // `helm: charts/web` is short for `helm: {chart: charts/web}`.
        if node.as_map().is_none()
            && let Some(chart) = self.string(node, "`deploy.helm`")
        {
            return Some(self.local_chart(chart, app, gitops, None));
        }
        let map = self.map(node, "`deploy.helm`")?;
        self.known_keys(map, HELM_KEYS, "`deploy.helm`");
        let chart = self.required_string(map, node.span, "chart", "the chart")?;
        let values = self
            .opt_string(map, "values", "`deploy.helm.values`")
            .map(|v| self.team_file(&v, "`deploy.helm.values`", gitops));
        let mut helm = match self.opt_string(map, "repository", "`deploy.helm.repository`") {
            None => self.local_chart(chart, app, gitops, values),
            Some(url) => {
                let ok = ["https://", "oci://"]
                    .iter()
                    .any(|s| url.value.starts_with(s))
                    && !url
                        .value
                        .chars()
                        .any(|c| c.is_whitespace() || c.is_control());
                if !ok {
                    self.problem_help(
                        url.span,
                        format!(
                            "`deploy.helm.repository` `{}` is not a chart repository URL",
                            url.value
                        ),
                        "not https:// or oci://",
                        "give the https:// URL of a chart repository or an oci:// registry path"
                            .to_owned(),
                    );
                }
                self.dns_label(&chart, "chart name");
                let version = self.required_string(map, node.span, "version", "the chart version");
                if let Some(v) = &version {
                    self.one_line(v, "`deploy.helm.version`");
                }
                Helm {
                    chart: chart.value,
                    repository: Some(url.value),
                    version: version.map(|v| v.value),
                    values,
                    ..helm_defaults(app)
                }
            }
        };
        if let Some(n) = map.get("values_by_env") {
            helm.values_by_env =
                self.per_environment(n, "deploy.helm.values_by_env", gitops, environments, true);
        }
        if let Some(release) = self.opt_string(map, "release", "`deploy.helm.release`") {
            self.dns_label(&release, "Helm release name");
            if release.value.len() > RELEASE_MAX {
                self.problem(
                    release.span,
                    format!("`deploy.helm.release` is longer than Helm's {RELEASE_MAX} characters"),
                    "too long",
                );
            }
            helm.release = release.value;
        }
        if let Some(path) = self.opt_string(map, "image_path", "`deploy.helm.image_path`") {
            helm.image_path = self.values_path(path, "`deploy.helm.image_path`");
        }
        helm.image_repository_path = self
            .opt_string(
                map,
                "image_repository_path",
                "`deploy.helm.image_repository_path`",
            )
            .map(|p| self.values_path(p, "`deploy.helm.image_repository_path`"));
        Some(helm)
    }

    fn local_chart(
        &mut self,
        chart: Spanned<String>,
        app: &Spanned<String>,
        gitops: &Gitops,
        values: Option<String>,
    ) -> Helm {
        let path = self.team_file(&chart, "`deploy.helm.chart`", gitops);
        Helm {
            chart: path,
            values,
            ..helm_defaults(app)
        }
    }

    /// A file or folder of the team's, relative to the repository root, that the operator reads.
    fn team_file(&mut self, written: &Spanned<String>, what: &str, gitops: &Gitops) -> String {
        let path = self.relative_path(written, what, "invalid path");
        self.team_source(written, what, &path, gitops);
        path
    }

    /// A dotted path into Helm values (`image.tag`): keys of letters, digits, `_` and `-`.
    fn values_path(&mut self, path: Spanned<String>, what: &str) -> String {
        let key_ok = |k: &str| {
            !k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        };
        if !path.value.split('.').all(key_ok) {
            self.problem_help(
                path.span,
                format!("{what} `{}` is not a dotted path of value keys", path.value),
                "not a values path",
                "write the keys from the top of the values, joined by `.`: `image.tag`".to_owned(),
            );
        }
        path.value
    }
}

/// The settings of a chart `app` deploys that the model leaves out.
fn helm_defaults(app: &Spanned<String>) -> Helm {
    Helm {
        chart: String::new(),
        repository: None,
        version: None,
        values: None,
        values_by_env: Default::default(),
        release: app.value.clone(),
        image_path: "image.tag".to_owned(),
        image_repository_path: None,
    }
}
