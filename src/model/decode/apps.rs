//! `apps:`: each app, its build settings and how its manifests are deployed.

use crate::model::decode::{APP_KEYS, DEPLOY_KEYS, Decoder};
use crate::model::tree::{GitopsTree, app_base, forbidden_app_base, forbidden_dir};
use crate::model::types::{App, Deploy, Spanned};
use crate::yaml::{Mapping, Node, Span};

impl Decoder<'_> {
    /// The apps; `tree` is where their bases are written, for the folders that are refused.
    pub(super) fn apps(
        &mut self,
        top: &Mapping,
        top_span: Span,
        registry: &str,
        tree: GitopsTree,
    ) -> Vec<App> {
        let items = self.required_list(
            top,
            top_span,
            "apps",
            ("no apps", "list at least one app, e.g. `- name: web`"),
            ("nothing to build", None),
        );
        let apps: Vec<App> = items
            .iter()
            .filter_map(|n| self.app(n, registry, tree))
            .collect();
        self.unique_names(apps.iter().map(|a| &a.name), "app");
        apps
    }

    fn app(&mut self, node: &Node, registry: &str, tree: GitopsTree) -> Option<App> {
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
        let test = self.opt_string(map, "test", "`test`").map(|t| {
            self.one_line(&t, "`test`");
            t.value
        });
        let test_image = match self.opt_string(map, "test_image", "`test_image`") {
            Some(image) => {
                self.image_reference(&image, "`test_image`");
                image.value
            }
            None => "docker.io/library/ubuntu:24.04".to_owned(),
        };
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
                span: name.span,
            },
            Some(n) => self.deploy(n, &name, tree),
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

    fn deploy(&mut self, node: &Node, app: &Spanned<String>, tree: GitopsTree) -> Deploy {
        let default = Deploy::Kustomize {
            path: app_base(&app.value),
            span: app.span,
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
                Some(p) => {
                    let path = self.relative_path(&p, "`deploy.kustomize`", "invalid path");
                    self.app_base_place(&p, &path, tree);
                    Deploy::Kustomize { path, span: p.span }
                }
                None => default,
            },
            (None, Some(h)) => match self.string(h, "`deploy.helm`") {
                Some(c) => Deploy::Helm {
                    chart: self.relative_path(&c, "`deploy.helm`", "invalid path"),
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

    /// Refuses an app base (`base`, normalised, relative to the tree root) that would be written
    /// where gitops-gen never writes.
    fn app_base_place(&mut self, written: &Spanned<String>, base: &str, tree: GitopsTree) {
        let why = forbidden_app_base(base)
            .map(str::to_owned)
            .or_else(|| forbidden_dir(&tree.path(base)));
        if let Some(why) = why {
            self.problem_help(
                written.span,
                format!("`deploy.kustomize` `{}` {why}", written.value),
                "gitops-gen does not write here",
                "give the app a folder of its own, e.g. `applications/base/<app>`".to_owned(),
            );
        }
    }
}
