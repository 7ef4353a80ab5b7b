//! The GitOps tree: the one place that knows where each folder and file of the generated
//! operator tree lives. Rendering, validation, promotion and the pipelines all ask here.
//!
//! ```text
//! <root>/clusters/<cluster>/<file>              what the operator in that cluster applies
//! <root>/infrastructure/base/                    shared infrastructure
//! <root>/infrastructure/overlays/<env>/          per-environment infrastructure
//! <root>/applications/base/<app>/                an app's own manifests
//! <root>/applications/overlays/<env>/            per-environment apps; promotion edits these
//! <root>/applications/overlays/<env>/<instance>/ one branch of a preview environment
//! <root>/applications/releases/<env>/<app>/     a Helm app's release in one environment
//! ```
//!
//! `<root>` is the model's `gitops.path`; `.` puts the tree at the repository root. Every path
//! returned is repository-relative with `/` separators, except [`app_base`], which is relative to
//! the tree root because that is how `deploy.kustomize` paths are written in the model.

use crate::model::{Config, Deploy, Helm, Notifications, Operator};

/// Where the tree's parts live, for one tree root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct GitopsTree<'a> {
    root: &'a str,
}

impl<'a> GitopsTree<'a> {
    /// The tree rooted at `root` (`.` or a repository-relative directory).
    pub(crate) fn new(root: &'a str) -> GitopsTree<'a> {
        GitopsTree { root }
    }

    /// The tree the model describes.
    pub(crate) fn of(config: &'a Config) -> GitopsTree<'a> {
        GitopsTree::new(&config.gitops.path)
    }

    /// A path inside the tree, given relative to its root.
    pub(crate) fn path(&self, rel: &str) -> String {
        join(self.root, rel)
    }

    /// `clusters/<cluster>/<file>`: an object the operator of `cluster` applies; gitops-gen
    /// writes each environment's objects there, named as [`crate::model::sharing`] says.
    pub(crate) fn cluster_file(&self, cluster: &str, file: &str) -> String {
        self.path(&format!("clusters/{cluster}/{file}"))
    }

    /// `infrastructure`: the shared base and every environment's overlay.
    pub(crate) fn infrastructure_root(&self) -> String {
        self.path("infrastructure")
    }

    /// `applications`: the app bases and every environment's overlay.
    pub(crate) fn applications_root(&self) -> String {
        self.path("applications")
    }

    /// The folder holding `applications/` and the base of every app (repository-relative, `.`
    /// for the root): what an operator that copies one folder into the cluster (Fleet) needs.
    pub(crate) fn applications_closure(&self, config: &Config) -> String {
        config
            .apps
            .iter()
            .filter_map(|app| self.app_base_dir(&app.deploy))
            .fold(self.applications_root(), |folder, base| {
                common_folder(&folder, &base)
            })
    }

    /// `infrastructure/base`.
    pub(crate) fn infrastructure_base(&self) -> String {
        self.path("infrastructure/base")
    }

    /// `infrastructure/overlays/<env>`.
    pub(crate) fn infrastructure_overlay(&self, env: &str) -> String {
        self.path(&format!("infrastructure/overlays/{env}"))
    }

    /// `infrastructure/overlays/<env>/namespace.yaml`: the environment's Namespace.
    pub(crate) fn namespace(&self, env: &str) -> String {
        format!("{}/{NAMESPACE_FILE}", self.infrastructure_overlay(env))
    }

    /// `policy/`: the Rego policies `gitops-gen policy check` evaluates (seeded once).
    pub(crate) fn policy_dir(&self) -> String {
        self.path("policy")
    }

    /// `infrastructure/overlays/<env>/sealed-secrets-cert.pem`: the certificate of the
    /// environment's Sealed Secrets controller, which `gitops-gen seal` seals with.
    pub(crate) fn sealing_certificate(&self, env: &str) -> String {
        format!(
            "{}/sealed-secrets-cert.pem",
            self.infrastructure_overlay(env)
        )
    }

    /// `infrastructure/controllers/<name>`: a controller's objects, for an operator that
    /// applies them from the tree (Flux).
    pub(crate) fn controller(&self, name: &str) -> String {
        self.path(&format!("infrastructure/controllers/{name}"))
    }

    /// `applications/rollouts/<env>/<app>`: the app in `env` with its Flagger Canary; the
    /// overlay lists it instead of the app's base from the app's first promotion there.
    pub(crate) fn rollout(&self, env: &str, app: &str) -> String {
        self.path(&format!("applications/rollouts/{env}/{app}"))
    }

    /// `applications/base`: the kustomization listing every app's base.
    pub(crate) fn applications_base(&self) -> String {
        self.path("applications/base")
    }

    /// `<base>/<file>`: a file of an app's base, `base` being relative to the tree root as
    /// `deploy.kustomize` is written.
    pub(crate) fn app_base_file(&self, base: &str, file: &str) -> String {
        self.path(&join(base, file))
    }

    /// `applications/overlays/<env>`: the folder promotion edits for `env`.
    pub(crate) fn applications_overlay(&self, env: &str) -> String {
        self.path(&format!("applications/overlays/{env}"))
    }

    /// `applications/overlays/<env>/<instance>`: one branch's instance of a preview environment.
    pub(crate) fn preview_instance(&self, env: &str, instance: &str) -> String {
        self.path(&format!("applications/overlays/{env}/{instance}"))
    }

    /// `applications/releases/<env>/<app>`: the operator's objects that install a Helm app in
    /// `env` (a Flux HelmRelease, its chart source and values); an overlay lists the folder
    /// from the app's first promotion there.
    pub(crate) fn helm_release(&self, env: &str, app: &str) -> String {
        self.path(&format!("applications/releases/{env}/{app}"))
    }

    /// `applications/overlays/**`: every file promotion may change, for GitHub path filters. The
    /// root is escaped with `\` where a filter would read it as a wildcard or negation
    /// (`*?+[]!`), though the model refuses such roots.
    pub(crate) fn applications_overlays_glob(&self) -> String {
        let mut root = String::new();
        for c in self.root.chars() {
            if "*?+[]!\\".contains(c) {
                root.push('\\');
            }
            root.push(c);
        }
        join(&root, "applications/overlays/**")
    }

    /// The path an operator is given for `dir` (a repository-relative path from this tree):
    /// Flux and Argo CD want it relative to the repository root, written `./<dir>`.
    pub(crate) fn operator_path(dir: &str) -> String {
        format!("./{dir}")
    }
}

/// Folders at the repository root, by lowercase name, that gitops-gen never writes into: what
/// each one holds. Compared without case, as a case-insensitive checkout would.
const RESERVED_ROOTS: [(&str, &str); 5] = [
    (".github", "the workflows and actions GitHub runs"),
    (".gitlab", "CI configuration and templates GitLab includes"),
    (
        ".gitops-gen",
        "the template overrides gitops-gen renders with",
    ),
    (".gitlab-ci.yml", "the GitLab pipeline gitops-gen writes"),
    ("gitops-gen.yaml", "the model itself"),
];

/// Why `generate` must not write below `dir` (repository-relative, normalised), if it must not:
/// any `.git` folder (the repository, its hooks), the CI configuration folders GitHub and
/// GitLab read, the template overrides, or in place of a file gitops-gen reads or writes.
pub(crate) fn forbidden_dir(dir: &str) -> Option<String> {
    if dir.split('/').any(|c| c.eq_ignore_ascii_case(".git")) {
        return Some(
            "is inside a `.git` folder, which holds the repository itself and its hooks".to_owned(),
        );
    }
    let first = dir
        .split('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    RESERVED_ROOTS
        .iter()
        .find(|(name, _)| *name == first)
        .map(|(name, holds)| format!("is inside `{name}`, which holds {holds}"))
}

/// Why an app base must not be at `base`, given relative to the tree root as
/// `deploy.kustomize` is written, if it must not: Flux applies `clusters/` as it is, and
/// promotion owns `applications/overlays/` (including the preview instances it adds at run time).
pub(crate) fn forbidden_app_base(base: &str) -> Option<&'static str> {
    let mut parts = base.split('/');
    match (parts.next(), parts.next()) {
        (Some("clusters"), _) => Some(
            "is inside `clusters/`, the folders Flux is bootstrapped with and applies as they are",
        ),
        (Some("applications"), Some("overlays")) => Some(
            "is inside `applications/overlays/`, which promotion edits and adds preview instances to",
        ),
        _ => None,
    }
}

/// The files of an app's base besides its `kustomization.yaml`, seeded once.
pub(crate) const APP_MANIFESTS: [&str; 2] = ["deployment.yaml", "service.yaml"];

/// Who a file of the tree is written for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Claimant {
    /// A part of the tree itself, described (`the shared infrastructure`).
    Tree(String),
    /// The base of the app at this index of `config.apps`.
    App(usize),
}

/// A file `generate` writes in the operator-neutral tree, and what it is written for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Claim {
    pub(crate) path: String,
    pub(crate) by: Claimant,
}

impl GitopsTree<'_> {
    /// Every file of the operator-neutral tree for `config`, in the order the render stage
    /// writes them (`render::gitops::kustomize`; a test there keeps the two lists equal). Two
    /// claims on one path, or a claim below another claim's file, are model errors.
    pub(crate) fn claims(config: &Config) -> Vec<Claim> {
        let tree = GitopsTree::of(config);
        let mut claims = Vec::new();
        let mut claim = |path: String, by: Claimant| claims.push(Claim { path, by });
        for env in &config.environments {
            let name = env.name.value.as_str();
            let tree_part = |what: &str| Claimant::Tree(format!("{what} of environment `{name}`"));
            claim(
                kustomization(&tree.infrastructure_overlay(name)),
                tree_part("the infrastructure overlay"),
            );
            if !env.preview {
                claim(tree.namespace(name), tree_part("the namespace"));
            }
            let overlay = tree.infrastructure_overlay(name);
            for file in crate::model::delivery::store_files(&config.secrets, name, env.preview) {
                claim(format!("{overlay}/{file}"), tree_part("the secret store"));
            }
            claim(
                kustomization(&tree.applications_overlay(name)),
                tree_part("the application overlay"),
            );
        }
        claim(
            kustomization(&tree.infrastructure_base()),
            Claimant::Tree("the shared infrastructure".to_owned()),
        );
        for (index, app) in config.apps.iter().enumerate() {
            match &app.deploy {
                Deploy::Scaffold { path, .. } => {
                    claim(kustomization(&tree.path(path)), Claimant::App(index));
                    for file in APP_MANIFESTS {
                        claim(tree.app_base_file(path, file), Claimant::App(index));
                    }
                }
                // The kustomization that lists the team's manifests, seeded in their folder.
                Deploy::Manifests { path, .. } => {
                    claim(kustomization(path), Claimant::App(index));
                }
                Deploy::Helm(helm) => {
                    for env in &config.environments {
                        let dir = tree.helm_release(&env.name.value, &app.name.value);
                        let mut files = vec![kustomization(&dir)];
                        // Flux's release objects; other operators keep the folder empty.
                        if config.operator == Operator::Flux {
                            files.push(format!("{dir}/{HELM_RELEASE_FILE}"));
                            if helm.repository.is_some() {
                                files.push(format!("{dir}/{CHART_SOURCE_FILE}"));
                            }
                        }
                        for file in files {
                            claim(file, Claimant::App(index));
                        }
                    }
                }
                Deploy::Kustomize { .. } => {}
            }
        }
        claim(
            kustomization(&tree.applications_base()),
            Claimant::Tree("the list of app bases".to_owned()),
        );
        for (index, app) in config.apps.iter().enumerate() {
            for env in &config.environments {
                if app.rollout_in(&env.name.value).is_some() {
                    let dir = tree.rollout(&env.name.value, &app.name.value);
                    let mut files = vec![kustomization(&dir), format!("{dir}/{CANARY_FILE}")];
                    if config.notifications.chat.is_some() {
                        files.push(format!("{dir}/{ALERT_PROVIDER_FILE}"));
                    }
                    for file in files {
                        claim(file, Claimant::App(index));
                    }
                }
            }
        }
        if config.operator == Operator::Flux {
            for controller in crate::model::controllers::controllers(config) {
                let dir = tree.controller(controller.name);
                let files = CONTROLLER_FILES.iter().map(|f| format!("{dir}/{f}"));
                for file in std::iter::once(kustomization(&dir)).chain(files) {
                    claim(
                        file,
                        Claimant::Tree(format!("the controller `{}`", controller.name)),
                    );
                }
            }
        }
        for layer in crate::model::controllers::admission_layers(config) {
            let dir = tree.path(&layer.dir);
            claim(
                kustomization(&dir),
                Claimant::Tree("the admission policies".to_owned()),
            );
            for file in &layer.files {
                claim(
                    format!("{dir}/{file}"),
                    Claimant::Tree("the admission policies".to_owned()),
                );
            }
        }
        if config.policy.enabled {
            for name in POLICY_FILES {
                claim(
                    format!("{}/{name}.rego", tree.policy_dir()),
                    Claimant::Tree("the default policies".to_owned()),
                );
            }
        }
        claims
    }
}

/// The default policy files `generate` seeds into [`GitopsTree::policy_dir`], each
/// `templates/policy/<name>.rego.j2`; the rules and their ids are in docs/policy.md.
pub(crate) const POLICY_FILES: [&str; 6] = [
    "kubernetes",
    "images",
    "resources",
    "security",
    "secrets",
    "labels",
];

/// A controller's HelmRepository and HelmRelease, in [`GitopsTree::controller`].
pub(crate) const CONTROLLER_FILES: [&str; 2] = ["repository.yaml", "release.yaml"];

/// The folder of an infrastructure overlay that holds its SealedSecrets; the overlay lists every
/// manifest file there (`.yaml`, `.yml`, `.json`).
pub(crate) const SEALED_SECRETS_DIR: &str = "secrets";

/// The Canary's file in [`GitopsTree::rollout`].
pub(crate) const CANARY_FILE: &str = "canary.yaml";

/// The AlertProvider's file in [`GitopsTree::rollout`], with `notifications.chat`.
pub(crate) const ALERT_PROVIDER_FILE: &str = "alert-provider.yaml";

/// The HelmRelease's file name inside a Helm app's release folder.
pub(crate) const HELM_RELEASE_FILE: &str = "helmrelease.yaml";

/// The chart source's file name inside a Helm app's release folder (a HelmRepository or
/// OCIRepository, for a chart from a chart repository).
pub(crate) const CHART_SOURCE_FILE: &str = "source.yaml";

/// The file promotion owns in an overlay (or a preview instance) for a Helm app: the values
/// that set its image, applied after the team's values files.
pub(crate) fn helm_image_values(overlay: &str, app: &str) -> String {
    join(overlay, &format!("{app}-image.yaml"))
}

/// The ConfigMap an overlay generates from [`helm_image_values`] for the app's release, which
/// reads it after the team's values.
pub(crate) fn helm_image_config_map(app: &str) -> String {
    format!("{app}-image")
}

/// The Namespace file's name inside an infrastructure overlay.
pub(crate) const NAMESPACE_FILE: &str = "namespace.yaml";

/// How an overlay (`infrastructure/overlays/<env>`, `applications/overlays/<env>`) refers to the
/// base beside it.
pub(crate) const OVERLAY_BASE: &str = "../../base";

/// Argo CD's root Application in `clusters/<cluster>/`: the one file applied by hand.
pub(crate) const ARGOCD_ROOT_OBJECT: &str = "argocd/root.yaml";
/// Argo CD's Application of Helm app `app` in `env`, in `clusters/<cluster>/`. Names are DNS
/// labels, so the dots keep every pair apart.
pub(crate) fn argocd_helm_application(env: &str, app: &str) -> String {
    format!("argocd/helm.{env}.{app}.yaml")
}
/// Under Argo CD, a preview environment's Helm app runs from an ApplicationSet whose first
/// generator finds the instances by their image values files and names each instance folder
/// `.instance.path` (`pathParamPrefix`) in its Go templates.
pub(crate) const ARGOCD_INSTANCE_PARAMS: &str = "instance";
/// The same ApplicationSet's second generator reads the instance's Namespace file, and names
/// its folder `.namespace.path`; the Namespace's own fields stay at the top (`.metadata.name`).
pub(crate) const ARGOCD_NAMESPACE_PARAMS: &str = "namespace";
/// The instance folder an ApplicationSet of preview instances generates an Application for, as
/// a Go template ([`ARGOCD_INSTANCE_PARAMS`]).
pub(crate) fn argocd_instance_folder() -> String {
    format!("{{{{ .{ARGOCD_INSTANCE_PARAMS}.path.path }}}}")
}
/// The folder of Fleet's options file for Helm app `app` in `env`, under [`FLEET_FOLDER`].
/// Names are DNS labels, so the dot keeps it apart from the `infrastructure` and `apps` layers.
pub(crate) fn fleet_helm_options_dir(env: &str, app: &str) -> String {
    format!("bundles/{env}/helm.{app}")
}

/// The base folder (repository-relative) of Fleet's bundle for a Helm app in `env`: the chart's
/// folder for a chart in this repository (Fleet deploys a folder holding `Chart.yaml` as that
/// chart), else the folder of the bundle's options, which holds nothing else.
pub(crate) fn fleet_helm_base(tree: &GitopsTree, env: &str, app: &str, helm: &Helm) -> String {
    match &helm.repository {
        None => helm.chart.clone(),
        Some(_) => tree.cluster_file(FLEET_FOLDER, &fleet_helm_options_dir(env, app)),
    }
}

/// The folder under `clusters/` that holds every Fleet file: the manager's, not a cluster's.
pub(crate) const FLEET_FOLDER: &str = "fleet";
/// Fleet's root GitRepo, in [`FLEET_FOLDER`]: applied by hand once, on the manager.
pub(crate) const FLEET_ROOT_OBJECT: &str = "root.yaml";
/// The label that names a Fleet cluster as the model does.
pub(crate) const FLEET_CLUSTER_LABEL: &str = "gitops-gen/cluster";
/// The name of the commit-status notification's objects.
pub(crate) const COMMIT_STATUS: &str = "commit-status";
/// The name of the chat notification's objects.
pub(crate) const CHAT: &str = "chat";

/// The names of the notifications `n` asks for, each a Provider and an Alert per cluster.
pub(crate) fn notification_names(n: &Notifications) -> Vec<&'static str> {
    let mut names = Vec::new();
    if n.commit_status.is_some() {
        names.push(COMMIT_STATUS);
    }
    if n.chat.is_some() {
        names.push(CHAT);
    }
    names
}

/// The file in `clusters/<cluster>/` of the notification object `kind` (`provider`, `alert`)
/// named `name`.
pub(crate) fn notification_object(kind: &str, name: &str) -> String {
    format!("{kind}-{name}.yaml")
}

/// `<dir>/kustomization.yaml`.
pub(crate) fn kustomization(dir: &str) -> String {
    join(dir, "kustomization.yaml")
}

/// `<dir>/<rel>`, where a `dir` or `rel` of `.` adds nothing.
fn join(dir: &str, rel: &str) -> String {
    match (dir, rel) {
        (".", _) => rel.to_owned(),
        (_, ".") => dir.to_owned(),
        _ => format!("{dir}/{rel}"),
    }
}

/// How `applications/base/kustomization.yaml` lists an app's base, given relative to the tree
/// root: by its folder name when it is inside `applications/base/`, else by a path up to the
/// tree root and down again.
pub(crate) fn app_base_entry(base: &str) -> String {
    match base.strip_prefix("applications/base/") {
        Some(inside) => inside.to_owned(),
        None => format!("../../{base}"),
    }
}

impl GitopsTree<'_> {
    /// How `applications/base/kustomization.yaml` lists a folder given relative to the
    /// repository root (the team's own base or manifests): up to the repository root and down.
    pub(crate) fn repository_entry(&self, dir: &str) -> String {
        relative(&self.applications_base(), dir)
    }

    /// The repository-relative folder of `deploy`'s base: where a scaffold is written, or the
    /// team's folder; `None` for Helm.
    pub(crate) fn app_base_dir(&self, deploy: &Deploy) -> Option<String> {
        match deploy {
            Deploy::Scaffold { path, .. } => Some(self.path(path)),
            Deploy::Kustomize { path, .. } | Deploy::Manifests { path, .. } => Some(path.clone()),
            Deploy::Helm { .. } => None,
        }
    }
}

/// The path from folder `from` to `to`, both repository-relative and normalised (`.` is the
/// root): `relative("deploy/applications/base", "k8s/web")` is `../../../k8s/web`.
pub(crate) fn relative(from: &str, to: &str) -> String {
    let (from, to) = (components(from), components(to));
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out: Vec<&str> = vec![".."; from.len() - common];
    out.extend(&to[common..]);
    if out.is_empty() {
        ".".to_owned()
    } else {
        out.join("/")
    }
}

/// The components of a repository-relative path, without `.` and empty ones.
fn components(path: &str) -> Vec<&str> {
    path.split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect()
}

/// The deepest folder holding both `a` and `b` (repository-relative, normalised); `.` is the
/// root.
pub(crate) fn common_folder(a: &str, b: &str) -> String {
    let (a, b) = (components(a), components(b));
    let common: Vec<&str> = a
        .iter()
        .zip(&b)
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| *x)
        .collect();
    if common.is_empty() {
        ".".to_owned()
    } else {
        common.join("/")
    }
}

/// `applications/base/<app>`, relative to the tree root: where an app's scaffolded manifests
/// live unless the model says otherwise.
pub(crate) fn app_base(app: &str) -> String {
    format!("applications/base/{app}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_at_the_root_and_below_it() {
        let root = GitopsTree::new(".");
        assert_eq!(
            kustomization(&root.applications_overlay("prod")),
            "applications/overlays/prod/kustomization.yaml"
        );
        assert_eq!(
            root.cluster_file("eu", "apps.yaml"),
            "clusters/eu/apps.yaml"
        );
        let deploy = GitopsTree::new("deploy");
        assert_eq!(
            deploy.infrastructure_overlay("dev"),
            "deploy/infrastructure/overlays/dev"
        );
        assert_eq!(
            deploy.applications_overlays_glob(),
            "deploy/applications/overlays/**"
        );
        assert_eq!(
            GitopsTree::new("!c++/[x]").applications_overlays_glob(),
            "\\!c\\+\\+/\\[x\\]/applications/overlays/**"
        );
        assert_eq!(
            GitopsTree::operator_path(&deploy.applications_base()),
            "./deploy/applications/base"
        );
        assert_eq!(app_base("web"), "applications/base/web");
        assert_eq!(
            deploy.namespace("dev"),
            "deploy/infrastructure/overlays/dev/namespace.yaml"
        );
        assert_eq!(
            deploy.app_base_file("k8s/web", "service.yaml"),
            "deploy/k8s/web/service.yaml"
        );
        assert_eq!(app_base_entry(&app_base("web")), "web");
        assert_eq!(app_base_entry("k8s/web"), "../../k8s/web");
        assert_eq!(
            deploy.app_base_file(".", "service.yaml"),
            "deploy/service.yaml"
        );
        assert_eq!(kustomization(&root.path(".")), "kustomization.yaml");
        assert_eq!(
            relative("deploy/applications/base", "k8s/web"),
            "../../../k8s/web"
        );
        assert_eq!(
            relative("applications/overlays/dev", "applications/base/web"),
            "../../base/web"
        );
        assert_eq!(relative(".", "k8s"), "k8s");
        assert_eq!(relative("a/b", "a/b"), ".");
        assert_eq!(deploy.repository_entry("k8s/web"), "../../../k8s/web");
    }

    #[test]
    fn folders_gitops_gen_never_writes_into() {
        for (dir, why) in [
            (".git", "`.git`"),
            (".git/hooks", "`.git`"),
            ("sub/.GIT/hooks", "`.git`"),
            (".github/workflows", "`.github`"),
            (".GitHub", "`.github`"),
            (".gitlab/ci", "`.gitlab`"),
            (".gitops-gen/templates", "`.gitops-gen`"),
            (".gitlab-ci.yml/x", "`.gitlab-ci.yml`"),
            ("gitops-gen.yaml", "`gitops-gen.yaml`"),
        ] {
            let found = forbidden_dir(dir);
            assert!(
                found.as_deref().is_some_and(|f| f.contains(why)),
                "{dir}: {found:?}"
            );
        }
        for ok in [
            ".",
            "deploy",
            "sub/.github/x",
            "gitops",
            ".githubx",
            "a/clusters",
        ] {
            assert_eq!(forbidden_dir(ok), None, "{ok}");
        }
        assert!(forbidden_app_base("clusters/prod").is_some());
        assert!(forbidden_app_base("applications/overlays/prod/x").is_some());
        assert_eq!(forbidden_app_base("applications/base/web"), None);
        assert_eq!(forbidden_app_base("apps/clusters"), None);
    }
}
