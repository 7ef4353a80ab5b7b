//! `apps:`: each app, its build settings and how its manifests are deployed.

use crate::model::decode::checks::normalize_path;
use crate::model::decode::{APP_KEYS, DEPLOY_KEYS, Decoder};
use crate::model::tree::app_base;
use crate::model::types::{App, Deploy};
use crate::yaml::{Mapping, Node, Span};

impl Decoder<'_> {
    pub(super) fn apps(&mut self, top: &Mapping, top_span: Span, registry: &str) -> Vec<App> {
        let items = self.required_list(
            top,
            top_span,
            "apps",
            ("no apps", "list at least one app, e.g. `- name: web`"),
            ("nothing to build", None),
        );
        let apps: Vec<App> = items.iter().filter_map(|n| self.app(n, registry)).collect();
        self.unique_names(apps.iter().map(|a| &a.name), "app");
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
