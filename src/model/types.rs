//! MODEL stage: the typed form of `gitops-gen.yaml`, the single source of truth for `generate`.
//!
//! Every name a diagnostic may need to point at is kept with its span, so validation that runs
//! after decoding (duplicates, overlapping branch patterns) can still name the line.

use clap::ValueEnum;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::glob::RefPattern;
use crate::yaml::Span;

/// The only model version this build reads; bumped when a field changes meaning.
pub(crate) const MODEL_VERSION: i64 = 1;

/// A value together with where it was written in `gitops-gen.yaml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Spanned<T> {
    pub value: T,
    /// Where it was written; empty for defaults.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// A value that was not written by the user (a default).
    pub(crate) fn implied(value: T) -> Self {
        Spanned {
            value,
            span: Span::default(),
        }
    }
}

/// The validated model every later stage reads, with every default filled in.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    /// Project name (DNS-1123 label); names the default namespace and the pipelines.
    pub project: Spanned<String>,
    /// Which CI systems get a generated pipeline.
    pub ci: CiTargets,
    /// The pull-based operator that reconciles the clusters.
    pub operator: Operator,
    /// Where the GitOps configuration lives.
    pub gitops: Gitops,
    /// Which gitops-gen generated pipelines install (pinned, cached).
    pub tool: ToolSource,
    /// GitLab-specific build settings.
    pub gitlab: GitlabOptions,
    /// What the operator reports back after it applies a promotion.
    pub notifications: Notifications,
    /// Policy as code: the Rego policies `generate` seeds and `policy check` evaluates.
    pub policy: Policy,
    /// How Secrets reach the clusters.
    pub secrets: crate::model::delivery::Secrets,
    /// Environments in promotion order.
    pub environments: Vec<Environment>,
    pub apps: Vec<App>,
}

/// Where pipelines install gitops-gen from; every form pins one exact build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ToolSource {
    /// The prebuilt binary of a published release: GitHub workflows through the action at the
    /// commit that carries its checksums, GitLab jobs in its image pinned by digest.
    Binary(BinaryPins),
    /// An exact release from crates.io, compiled with `cargo install` (cached where safe).
    Crate {
        /// `MAJOR.MINOR.PATCH`.
        version: String,
    },
    /// A commit of a git repository (before a release is published, or for a fork), compiled.
    Git {
        /// An https URL.
        url: String,
        /// Full 40-hex commit id.
        rev: String,
    },
}

impl ToolSource {
    /// A short stable identity for cache keys and messages: the version or the commit.
    pub(crate) fn pin(&self) -> &str {
        match self {
            ToolSource::Binary(pins) => &pins.version,
            ToolSource::Crate { version } => version,
            ToolSource::Git { rev, .. } => rev,
        }
    }
}

/// What pins a published release's binary: `tool.binary`, or this build's table of releases.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BinaryPins {
    /// `MAJOR.MINOR.PATCH`.
    pub version: String,
    /// 40-hex commit of gitops-gen/gitops-gen whose `action/checksums.txt` lists the release.
    pub action_commit: String,
    /// `sha256:<64 hex>` of the release image.
    pub image_digest: String,
}

/// `tool.install`: how a release is installed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum ToolInstall {
    /// The published binary, checksum-verified (GitHub) or in the image pinned by digest (GitLab).
    Binary,
    /// `cargo install --locked --version`: for versions without a published binary.
    Cargo,
}

impl ToolInstall {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ToolInstall::Binary => "binary",
            ToolInstall::Cargo => "cargo",
        }
    }
}

/// `notifications:`: what the operator tells people after it applies (or fails to apply) a
/// commit. Each part is off unless the model sets it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Notifications {
    /// A commit status on the GitOps repository's commits, set by the operator per cluster.
    pub commit_status: Option<CommitStatus>,
    /// Failures posted to a chat.
    pub chat: Option<ChatAlerts>,
}

/// `notifications.commit_status`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CommitStatus {
    pub provider: GitProvider,
    /// The GitOps repository's https address (`https://github.com/acme/shop`).
    pub address: String,
    /// The Secret in `flux-system` whose `token` key may set commit statuses.
    pub secret: String,
}

/// `notifications.chat`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ChatAlerts {
    pub provider: ChatProvider,
    /// The channel, for providers that take one.
    pub channel: Option<String>,
    /// The Secret in `flux-system` whose `address` key is the webhook URL.
    pub secret: String,
}

/// Where commit statuses go.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum GitProvider {
    Github,
    Gitlab,
}

impl GitProvider {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            GitProvider::Github => "github",
            GitProvider::Gitlab => "gitlab",
        }
    }
}

/// Which chat gets failure alerts (Flux notification-controller provider types).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum ChatProvider {
    Slack,
    Msteams,
    Discord,
    Googlechat,
}

impl ChatProvider {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ChatProvider::Slack => "slack",
            ChatProvider::Msteams => "msteams",
            ChatProvider::Discord => "discord",
            ChatProvider::Googlechat => "googlechat",
        }
    }
}

/// Which pipelines `generate` writes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct CiTargets {
    /// `.github/workflows/gitops.yml`.
    pub github: bool,
    /// `.gitlab-ci.yml`.
    pub gitlab: bool,
}

impl From<Ci> for CiTargets {
    fn from(ci: Ci) -> CiTargets {
        CiTargets {
            github: ci != Ci::Gitlab,
            gitlab: ci != Ci::Github,
        }
    }
}

/// Which pipelines to generate: the model's `ci:` and `init --ci`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Ci {
    /// GitHub Actions: .github/workflows/gitops.yml.
    Github,
    /// GitLab CI: .gitlab-ci.yml.
    Gitlab,
    /// Both pipelines.
    Both,
}

impl Ci {
    /// How gitops-gen.yaml and the command line spell it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Ci::Github => "github",
            Ci::Gitlab => "gitlab",
            Ci::Both => "both",
        }
    }
}

/// The reconciling operator; everything operator-specific is rendered from this enum, never from
/// the CI side.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ValueEnum)]
#[serde(rename_all = "kebab-case")]
#[schemars(description = "The pull-based operator that reconciles the clusters.")]
pub(crate) enum Operator {
    /// Flux CD, bootstrapped with `flux bootstrap` (GitRepository `flux-system`).
    Flux,
    /// Argo CD in each cluster, started by applying one Application per cluster (app of apps).
    Argocd,
    /// Rancher Fleet: one manager deploys every environment to the clusters labelled for it,
    /// started by applying one GitRepo.
    Fleet,
}

impl Operator {
    /// How gitops-gen.yaml and the command line spell it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Operator::Flux => "flux",
            Operator::Argocd => "argocd",
            Operator::Fleet => "fleet",
        }
    }
}

/// Where the folder-per-environment configuration lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Gitops {
    /// `None` means this repository.
    pub repository: Option<String>,
    /// The branch the operator watches and promotions commit to.
    pub branch: String,
    /// Directory (relative to this repository) that holds the generated operator tree.
    pub path: String,
    /// How the tree reaches a separate repository; `Some` exactly when there is one.
    pub sync: Option<TreeSync>,
    /// The address the operator clones the GitOps repository from, when it needs one in its
    /// objects (Argo CD): `gitops.url`, else the separate repository's URL.
    pub url: Option<String>,
}

/// `gitops.sync`: how `gitops-gen sync` brings the model's tree into the separate config
/// repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TreeSync {
    /// The branch of this repository whose model the config repository follows (no wildcards).
    pub branch: RefPattern,
    /// `Commit` or `PullRequest` (never `Manual`: the sync job runs on its own).
    pub promotion: Promotion,
}

impl Gitops {
    /// Whether the configuration lives in a separate repository.
    pub(crate) fn is_separate(&self) -> bool {
        self.repository.is_some()
    }
}

/// `policy:`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Policy {
    /// Seed the default policy set into `policy/` (once) and check every environment's overlay
    /// against the folder in the validate job.
    pub enabled: bool,
    /// The admission controller that enforces the default rules in the clusters too.
    pub admission: Option<crate::model::delivery::Admission>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            enabled: true,
            admission: None,
        }
    }
}

/// How GitLab builds images.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GitlabOptions {
    /// The image builder; buildah needs no privileged runner.
    pub builder: Builder,
    /// Where the GitLab pipeline is written. [`GITLAB_ROOT_PIPELINE`] (the default) makes it the
    /// whole pipeline; any other path is included from the team's `.gitlab-ci.yml`, next to
    /// their jobs.
    pub file: String,
}

/// The file GitLab reads a project's pipeline from.
pub(crate) const GITLAB_ROOT_PIPELINE: &str = ".gitlab-ci.yml";

/// Where `init` and `migrate` put the GitLab pipeline when the repository has a
/// `.gitlab-ci.yml` of its own (`gitlab.file`).
pub(crate) const INCLUDED_GITLAB_PIPELINE: &str = ".gitlab/gitops.gitlab-ci.yml";

/// First line of every file `generate` manages; also how managed files are recognised on disk.
pub(crate) const MANAGED_MARKER: &str = "# Generated by gitops-gen from gitops-gen.yaml";

/// Whether `root` holds a `.gitlab-ci.yml` that gitops-gen did not write: the team's pipeline,
/// which gitops-gen's must be included from rather than replace.
pub(crate) fn has_team_gitlab_pipeline(root: &std::path::Path) -> bool {
    use crate::files::safe_read::{Symlinks, Unreadable};
    match crate::files::inputs::read_text(root, GITLAB_ROOT_PIPELINE, Symlinks::InsideRoot) {
        Ok(text) => !text.starts_with(MANAGED_MARKER),
        Err(Unreadable::Missing | Unreadable::NotRegular { .. }) => false,
        // Too large, not text, a link out of the repository: not gitops-gen's, so the team's.
        Err(_) => true,
    }
}

impl GitlabOptions {
    /// Options when the model says nothing.
    pub(crate) fn default_options() -> GitlabOptions {
        GitlabOptions {
            builder: Builder::Buildah,
            file: GITLAB_ROOT_PIPELINE.to_owned(),
        }
    }

    /// Whether the pipeline is included from the team's `.gitlab-ci.yml` rather than being it.
    pub(crate) fn is_included(&self) -> bool {
        self.file != GITLAB_ROOT_PIPELINE
    }
}

/// An image builder for GitLab CI.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Builder {
    /// Rootless buildah (default): no privileged runner needed.
    Buildah,
    /// Docker-in-Docker: needs a privileged runner; only when the user asks for it.
    DockerInDocker,
}

impl Builder {
    /// How gitops-gen.yaml and the command line spell it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Builder::Buildah => "buildah",
            Builder::DockerInDocker => "docker-in-docker",
        }
    }
}

/// How a new image reaches an environment.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Promotion {
    /// Commit straight to the GitOps branch.
    Commit,
    /// Push a `promote/<env>/<app>` branch and open a pull/merge request.
    PullRequest,
    /// Only by hand (`gitops-gen promote` run by a person or a manual job).
    Manual,
}

impl Promotion {
    /// How gitops-gen.yaml and the command line spell it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Promotion::Commit => "commit",
            Promotion::PullRequest => "pull-request",
            Promotion::Manual => "manual",
        }
    }
}

/// One deployment target.
#[derive(Clone, Debug)]
pub(crate) struct Environment {
    /// DNS-1123 label; names the folders `clusters/<name>` and `applications/overlays/<name>`.
    pub name: Spanned<String>,
    /// Branch patterns whose pushes promote into this environment.
    pub branches: Vec<Spanned<RefPattern>>,
    /// Tag patterns whose pushes promote into this environment.
    pub tags: Vec<Spanned<RefPattern>>,
    pub promotion: Promotion,
    /// The clusters that reconcile this environment, each the same way (at least one; the
    /// environment's name by default).
    pub clusters: Vec<String>,
    /// Namespace the apps run in.
    pub namespace: String,
    /// Per-branch / per-PR environment (feature branches).
    pub preview: bool,
    /// Not reconciled yet: the old pipeline still deploys it (migration, before its cutover).
    /// The operator is told to leave it alone (Flux: `suspend: true`, `prune: false`).
    pub suspended: bool,
    /// Where the environment's app answers; CI shows it on the environment's deployments.
    pub url: Option<String>,
    /// What the operator does about drift.
    pub drift: Drift,
}

/// `environments[].drift`: how the operator treats the environment's objects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Drift {
    /// Delete objects that left Git.
    pub prune: bool,
    /// Undo changes made in the cluster (Flux always does; Argo CD's `selfHeal`).
    pub self_heal: bool,
    /// How often the operator compares Git with the cluster: a duration (`10m0s`); `None` is
    /// the operator's own default (Flux: gitops-gen's `10m0s`; Fleet: 15 seconds).
    pub interval: Option<String>,
}

impl Default for Drift {
    fn default() -> Drift {
        Drift {
            prune: true,
            self_heal: true,
            interval: None,
        }
    }
}

/// A deployable application.
#[derive(Clone, Debug)]
pub(crate) struct App {
    /// DNS-1123 label.
    pub name: Spanned<String>,
    /// Image repository without tag, as the manifests spell it (`ghcr.io/acme/web`, or
    /// `acme/web` for Docker Hub): Kustomize matches image names as written, so overlays and
    /// promotion use this spelling, and builds push to [`App::pushed_image`].
    pub image: String,
    /// Docker build context, relative to the repository root.
    pub context: String,
    /// Dockerfile path, relative to the repository root.
    pub dockerfile: String,
    /// Test command run before the image is built.
    pub test: Option<String>,
    /// Container image the GitLab test job runs in.
    pub test_image: String,
    /// GitHub steps run before the test command (`uses` pinned to a commit, `with`).
    pub test_setup: Vec<SetupStep>,
    /// Containers beside the test job (a database), on both CI systems.
    pub test_services: Vec<TestService>,
    /// Container port the Service targets.
    pub port: u16,
    /// How the app is deployed.
    pub deploy: Deploy,
    /// Progressive delivery with Flagger, in some environments.
    pub rollout: Option<crate::model::delivery::Rollout>,
}

impl App {
    /// The app's rollout in `env`, when Flagger rolls it out there.
    pub(crate) fn rollout_in(&self, env: &str) -> Option<&crate::model::delivery::Rollout> {
        self.rollout
            .as_ref()
            .filter(|r| r.environments.iter().any(|e| e == env))
    }
}

impl App {
    /// The repository builds push to: [`App::image`] with the registry container tools assume
    /// (`acme/web` → `docker.io/acme/web`), so every CI and builder pushes to the same place.
    pub(crate) fn pushed_image(&self) -> String {
        crate::model::decode::qualified_repository(&self.image)
    }
}

/// `apps[].test_setup[]`: one GitHub step before the test command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SetupStep {
    /// `owner/repo[/path]@<40-hex commit>`.
    pub uses: String,
    /// The action's inputs, in model order.
    pub with: Vec<(String, String)>,
}

/// `apps[].test_services[]`: a container beside the test job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TestService {
    /// DNS-1123 label: the host name the tests reach it at.
    pub name: String,
    /// Image reference.
    pub image: String,
    /// Its environment variables, in model order.
    pub env: Vec<(String, String)>,
    /// Ports GitHub maps to the same port on the runner, where the test job runs; GitLab
    /// reaches a service at its name on any port.
    pub ports: Vec<u16>,
}

/// How an app's manifests are produced: exactly one source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Deploy {
    /// A Deployment and a Service that gitops-gen writes once (seeded), then the user's.
    Scaffold {
        /// Base directory relative to the GitOps path.
        path: String,
        /// Where `deploy.scaffold` was written, or the app's name for the default base; for
        /// diagnostics about the files written there.
        span: Span,
    },
    /// An existing Kustomize base of the team's; gitops-gen never writes into it.
    Kustomize {
        /// The base directory, relative to the repository root.
        path: String,
        /// The team's own overlay per environment name (relative to the repository root),
        /// applied instead of the base in that environment.
        overlays: std::collections::BTreeMap<String, String>,
    },
    /// A folder of plain manifests (applied today with `kubectl apply -f`); gitops-gen seeds
    /// the `kustomization.yaml` that lists them and never moves them.
    Manifests {
        /// The folder, relative to the repository root.
        path: String,
        /// Where `deploy.manifests` was written, for diagnostics about the list seeded there.
        span: Span,
    },
    /// A Helm chart, in this repository or a chart repository, installed per environment by
    /// the operator (Flux: a HelmRelease).
    Helm(Box<Helm>),
}

/// `deploy.helm`: the chart, its values per environment, and where the image goes in them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Helm {
    /// The chart folder relative to the repository root, or with `repository` the chart's name.
    pub chart: String,
    /// An `https://` or `oci://` chart repository; `None` for a chart in this repository.
    pub repository: Option<String>,
    /// The chart version (an exact version or a semver range); required with `repository`.
    pub version: Option<String>,
    /// A values file for every environment, relative to the repository root.
    pub values: Option<String>,
    /// A values file per environment name, applied after `values`.
    pub values_by_env: std::collections::BTreeMap<String, String>,
    /// The Helm release name.
    pub release: String,
    /// Dotted path of the image tag in the values (`image.tag`).
    pub image_path: String,
    /// Dotted path of the image repository in the values, when the chart takes one.
    pub image_repository_path: Option<String>,
}

impl Helm {
    /// The team's values files of `env`, in the order the release reads them: the shared one,
    /// then the environment's (the image file promotion owns comes after both).
    pub(crate) fn values_in<'h>(&'h self, env: &str) -> impl Iterator<Item = &'h String> + 'h {
        self.values.iter().chain(self.values_by_env.get(env))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The model file (serde), the command line (clap) and messages (`as_str`) spell every
    /// variant the same way.
    fn spelled_alike<T: ValueEnum + Serialize>(as_str: fn(&T) -> &'static str) {
        for variant in T::value_variants() {
            let clap = variant.to_possible_value().map(|v| v.get_name().to_owned());
            let serde = serde_json::to_value(variant).ok();
            assert_eq!(clap.as_deref(), Some(as_str(variant)));
            assert_eq!(serde, Some(serde_json::Value::from(as_str(variant))));
        }
    }

    #[test]
    fn enums_have_one_spelling() {
        spelled_alike::<Ci>(|v| v.as_str());
        spelled_alike::<Operator>(|v| v.as_str());
        spelled_alike::<Builder>(|v| v.as_str());
        spelled_alike::<Promotion>(|v| v.as_str());
        assert_eq!(
            CiTargets::from(Ci::Both),
            CiTargets {
                github: true,
                gitlab: true
            }
        );
        assert!(!CiTargets::from(Ci::Gitlab).github);
    }
}
