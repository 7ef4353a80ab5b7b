//! `apps:`: each app, its build settings and how its manifests are deployed.

use std::collections::BTreeMap;

use crate::model::decode::{APP_KEYS, DEPLOY_KEYS, DEPLOY_MODIFIERS, Decoder};
use crate::model::tree::{GitopsTree, app_base, forbidden_app_base, forbidden_dir};
use crate::model::types::{App, Deploy, Environment, Gitops, Spanned};
use crate::yaml::{Mapping, Node, Span};

impl Decoder<'_> {
    /// The apps; `gitops` says where their scaffolded bases are written (for the folders that
    /// are refused) and whether the team's own manifests are where the operator reads.
    pub(super) fn apps(
        &mut self,
        top: &Mapping,
        top_span: Span,
        registry: &str,
        gitops: &Gitops,
        environments: &[Environment],
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
            .filter_map(|n| self.app(n, registry, gitops, environments))
            .collect();
        self.unique_names(apps.iter().map(|a| &a.name), "app");
        apps
    }

    fn app(
        &mut self,
        node: &Node,
        registry: &str,
        gitops: &Gitops,
        environments: &[Environment],
    ) -> Option<App> {
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
        let (test_setup, test_services) = self.test_extensions(map, test.is_some());
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
            None => Deploy::Scaffold {
                path: app_base(&name.value),
                span: name.span,
            },
            Some(n) => self.deploy(n, &name, gitops, environments),
        };
        let rollout = map
            .get("rollout")
            .and_then(|n| self.rollout(n, &name, &deploy, environments));
        Some(App {
            name,
            image,
            context,
            dockerfile,
            test,
            test_image,
            test_setup,
            test_services,
            port,
            deploy,
            rollout,
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

    fn deploy(
        &mut self,
        node: &Node,
        app: &Spanned<String>,
        gitops: &Gitops,
        environments: &[Environment],
    ) -> Deploy {
        let default = Deploy::Scaffold {
            path: app_base(&app.value),
            span: app.span,
        };
        let Some(map) = self.map(node, "`deploy`") else {
            return default;
        };
        let keys: Vec<&str> = DEPLOY_KEYS
            .iter()
            .chain(DEPLOY_MODIFIERS)
            .copied()
            .collect();
        self.known_keys(map, &keys, "`deploy`");
        let given: Vec<(&str, &Node)> = DEPLOY_KEYS
            .iter()
            .filter_map(|k| map.get(k).map(|n| (*k, n)))
            .collect();
        let (key, value) = match given.as_slice() {
            [] => {
                self.problem_help(
                    node.span,
                    "`deploy` needs one source".to_owned(),
                    "empty deploy",
                    "give one of `scaffold`, `kustomize`, `manifests` or `helm`".to_owned(),
                );
                return default;
            }
            [one] => *one,
            [(first, _), (second, n), ..] => {
                self.problem(
                    n.span,
                    format!("`deploy` takes one source: `{first}` or `{second}`, not both"),
                    "second source",
                );
                return default;
            }
        };
        if key != "kustomize"
            && let Some((k, _)) = map.get_entry("overlays")
        {
            self.problem(
                k.span,
                format!("`overlays` belongs to `kustomize`, not `{key}`"),
                "no overlays here",
            );
        }
        if key == "helm" {
            return match self.helm(value, app, gitops, environments) {
                Some(helm) => Deploy::Helm(Box::new(helm)),
                None => default,
            };
        }
        let what = format!("`deploy.{key}`");
        let Some(written) = self.string(value, &what) else {
            return default;
        };
        let path = self.relative_path(&written, &what, "invalid path");
        let span = written.span;
        match key {
            "scaffold" => {
                self.app_base_place(&written, &path, GitopsTree::new(&gitops.path));
                Deploy::Scaffold { path, span }
            }
            "kustomize" => {
                self.team_source(&written, &what, &path, gitops);
                let overlays = match map.get("overlays") {
                    Some(n) => self.overlays(n, gitops, environments),
                    None => BTreeMap::new(),
                };
                Deploy::Kustomize { path, overlays }
            }
            _ => {
                self.team_source(&written, &what, &path, gitops);
                Deploy::Manifests { path, span }
            }
        }
    }

    /// `deploy.overlays`: environment name → the team's overlay folder for it.
    fn overlays(
        &mut self,
        node: &Node,
        gitops: &Gitops,
        environments: &[Environment],
    ) -> BTreeMap<String, String> {
        self.per_environment(node, "deploy.overlays", gitops, environments, false)
    }

    /// A mapping from environment names to the team's files or folders (`what` names it):
    /// every name must be an environment (`previews` says whether a preview one may be), every
    /// path one the operator reads.
    pub(super) fn per_environment(
        &mut self,
        node: &Node,
        what: &str,
        gitops: &Gitops,
        environments: &[Environment],
        previews: bool,
    ) -> BTreeMap<String, String> {
        let mut paths = BTreeMap::new();
        let Some(map) = self.map(node, &format!("`{what}`")) else {
            return paths;
        };
        for (key, value) in map.iter() {
            let Some(env) = key.scalar_text() else {
                continue;
            };
            let what = format!("`{what}.{env}`");
            match environments.iter().find(|e| e.name.value == env) {
                None => {
                    let names: Vec<&str> =
                        environments.iter().map(|e| e.name.value.as_str()).collect();
                    self.problem_help(
                        key.span,
                        format!("{what}: there is no environment `{env}`"),
                        "unknown environment",
                        format!("the environments are {}", names.join(", ")),
                    );
                }
                Some(e) if e.preview && !previews => self.problem(
                    key.span,
                    format!(
                        "{what}: `{env}` is a preview environment, whose instances run the base"
                    ),
                    "preview environment",
                ),
                Some(_) => {
                    if let Some(written) = self.string(value, &what) {
                        let path = self.relative_path(&written, &what, "invalid path");
                        self.team_source(&written, &what, &path, gitops);
                        paths.insert(env, path);
                    }
                }
            }
        }
        paths
    }

    /// Refuses a team's manifests folder (`path`, normalised, repository-relative) that the
    /// operator cannot read or that gitops-gen owns.
    pub(super) fn team_source(
        &mut self,
        written: &Spanned<String>,
        what: &str,
        path: &str,
        gitops: &Gitops,
    ) {
        let tree = GitopsTree::new(&gitops.path);
        let owned = [
            tree.path("clusters"),
            tree.path("infrastructure"),
            tree.path("applications"),
        ];
        let inside = |dir: &str| dir == "." || path == dir || path.starts_with(&format!("{dir}/"));
        let why = if gitops.is_separate() {
            Some(
                "is in this repository, but the operator reads the separate `gitops.repository`"
                    .to_owned(),
            )
        } else if path == "." {
            Some("is the repository root, where the operator tree and the pipelines are".to_owned())
        } else if let Some(dir) = owned.iter().find(|d| inside(d)) {
            Some(format!("is inside `{dir}`, which gitops-gen generates"))
        } else {
            forbidden_dir(path)
        };
        if let Some(why) = why {
            self.problem_help(
                written.span,
                format!("{what} `{}` {why}", written.value),
                "the operator cannot apply it from here",
                "point at the folder the team's manifests are in, e.g. `k8s/` or `deploy/base`"
                    .to_owned(),
            );
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
                format!("`deploy.scaffold` `{}` {why}", written.value),
                "gitops-gen does not write here",
                "give the app a folder of its own, e.g. `applications/base/<app>`".to_owned(),
            );
        }
    }
}
