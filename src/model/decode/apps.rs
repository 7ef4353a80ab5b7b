//! `apps:`: each app, its build settings and how its manifests are deployed.

use std::collections::BTreeMap;

use crate::model::decode::checks::normalize_path;
use crate::model::decode::{APP_KEYS, DEPLOY_KEYS, Decoder};
use crate::model::tree::app_base;
use crate::model::types::{App, Deploy};
use crate::yaml::{Mapping, Node, Span};

impl Decoder<'_> {
    pub(super) fn apps(&mut self, top: &Mapping, top_span: Span, registry: &str) -> Vec<App> {
        let Some(node) = top.get("apps") else {
            self.problem_help(
                top_span,
                "missing `apps`".to_owned(),
                "no apps",
                "list at least one app, e.g. `- name: web`".to_owned(),
            );
            return Vec::new();
        };
        let Some(items) = node.as_seq() else {
            self.problem(
                node.span,
                format!("`apps` must be a list, found {}", node.kind_name()),
                "expected a list",
            );
            return Vec::new();
        };
        if items.is_empty() {
            self.problem(node.span, "`apps` is empty".to_owned(), "nothing to build");
        }
        let apps: Vec<App> = items.iter().filter_map(|n| self.app(n, registry)).collect();
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        for app in &apps {
            if let Some(first) = seen.insert(&app.name.value, app.name.span) {
                self.problems.push_related(
                    app.name.span,
                    format!("app `{}` is defined twice", app.name.value),
                    "second definition",
                    Some("merge the two or rename one".to_owned()),
                    (first, "first definition"),
                );
            }
        }
        apps
    }

    fn app(&mut self, node: &Node, registry: &str) -> Option<App> {
        let map = self.map(node, "an app")?;
        self.known_keys(map, APP_KEYS, "an app");
        let name = self.required_string(map, node.span, "name", "the app name")?;
        self.dns_label(&name, "app name");
        let image = match self.opt_string(map, "image", "`image`") {
            Some(i) => {
                self.image_repository(&i, "image");
                i.value
            }
            None => format!("{registry}/{}", name.value),
        };
        let context = self
            .path_field(map, "context")
            .unwrap_or_else(|| ".".to_owned());
        let dockerfile = self.path_field(map, "dockerfile").unwrap_or_else(|| {
            if context == "." {
                "Dockerfile".to_owned()
            } else {
                format!("{context}/Dockerfile")
            }
        });
        let test = self.opt_string(map, "test", "`test`").map(|t| t.value);
        let test_image = self
            .opt_string(map, "test_image", "`test_image`")
            .map(|t| t.value)
            .unwrap_or_else(|| "docker.io/library/ubuntu:24.04".to_owned());
        let port = match map.get("port") {
            None => 8080,
            Some(n) => match n
                .as_i64()
                .and_then(|p| u16::try_from(p).ok())
                .filter(|p| *p > 0)
            {
                Some(p) => p,
                None => {
                    self.problem(
                        n.span,
                        format!(
                            "`port` must be a number from 1 to 65535, found `{}`",
                            n.scalar_text().unwrap_or_else(|| n.kind_name().to_owned())
                        ),
                        "invalid port",
                    );
                    8080
                }
            },
        };
        let deploy = match map.get("deploy") {
            None => Deploy::Kustomize {
                path: app_base(&name.value),
            },
            Some(n) => self.deploy(n, &name.value),
        };
        Some(App {
            name,
            image,
            context,
            dockerfile,
            test,
            test_image,
            port,
            deploy,
        })
    }

    fn path_field(&mut self, map: &Mapping, key: &str) -> Option<String> {
        let name = format!("`{key}`");
        let value = self.opt_string(map, key, &name)?;
        Some(self.relative_path(
            &value,
            &name,
            "expected a relative path inside the repository",
        ))
    }

    fn deploy(&mut self, node: &Node, app: &str) -> Deploy {
        let default = Deploy::Kustomize {
            path: app_base(app),
        };
        let Some(map) = self.map(node, "`deploy`") else {
            return default;
        };
        self.known_keys(map, DEPLOY_KEYS, "`deploy`");
        match (map.get("kustomize"), map.get("helm")) {
            (Some(_), Some(h)) => {
                self.problem(
                    h.span,
                    "`deploy` takes either `kustomize` or `helm`, not both".to_owned(),
                    "second deploy method",
                );
                default
            }
            (Some(k), None) => match self.string(k, "`deploy.kustomize`") {
                Some(p) => Deploy::Kustomize {
                    path: self.relative_path(&p, "`deploy.kustomize`", "invalid path"),
                },
                None => default,
            },
            (None, Some(h)) => match self.string(h, "`deploy.helm`") {
                Some(c) => Deploy::Helm {
                    chart: normalize_path(&c.value),
                    span: c.span,
                },
                None => default,
            },
            (None, None) => {
                self.problem(
                    node.span,
                    "`deploy` needs `kustomize` or `helm`".to_owned(),
                    "empty deploy",
                );
                default
            }
        }
    }
}
