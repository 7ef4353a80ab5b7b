//! MODEL stage: the model as it is written. [`ModelDraft`] mirrors `gitops-gen.yaml` key for key
//! (`None` is a key left out, so a draft writes only what it sets), serializes in the order
//! `init` writes, and is what the JSON Schema is generated from (`schema/gitops-gen.schema.json`).
//!
//! Reading does not go through it: [`crate::model::parse`] decodes the YAML AST so every
//! diagnostic can point at its line. A test keeps the decoder's keys and the draft's in step.

mod delivery;
mod emit;
mod gitops;
mod value;

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

use crate::model::types::{
    Builder, ChatProvider, Ci, GitProvider, Operator, Promotion, ToolInstall,
};

pub(crate) use delivery::{FromCiDraft, RolloutDraft, SecretsDraft};
#[cfg(test)]
pub(crate) use delivery::{rollout_draft, secrets_draft};
pub(crate) use emit::{Comments, to_yaml};
pub(crate) use gitops::GitopsDraft;
#[cfg(test)]
pub(crate) use gitops::SyncDraft;

/// The single source of truth for `gitops-gen generate`. See docs/model.md.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "gitops-gen model (gitops-gen.yaml)",
    extend("$id" = "https://raw.githubusercontent.com/gitops-gen/gitops-gen/main/schema/gitops-gen.schema.json"),
    // Argo CD's Applications and Fleet's GitRepos name the repository: `gitops.url`, or a
    // separate repository's URL.
    extend(
        "if" = {"properties": {"operator": {"enum": ["argocd", "fleet"]}}, "required": ["operator"]},
        "then" = {
            "required": ["gitops"],
            "properties": {"gitops": {"anyOf": [
                {"required": ["url"]},
                {"required": ["repository"], "properties": {"repository": {"not": {"const": "this"}}}}
            ]}}
        }
    )
)]
pub(crate) struct ModelDraft {
    /// Model version. This release reads version 1.
    #[schemars(schema_with = "model_version")]
    pub version: i64,
    /// Project name; the default namespace and the pipelines' name.
    #[schemars(with = "DnsLabel")]
    pub project: String,
    /// Which pipelines to generate: .github/workflows/gitops.yml, .gitlab-ci.yml, or both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Ci", extend("default" = "github"))]
    pub ci: Option<Ci>,
    /// The pull-based operator that reconciles the clusters: Flux, Argo CD or Rancher Fleet (both of which need `gitops.url` for a tree in this repository).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Operator", extend("default" = "flux"))]
    pub operator: Option<Operator>,
    /// Registry prefix app images default under, e.g. ghcr.io/acme. Default: ghcr.io/<project>.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Registry")]
    pub registry: Option<String>,
    /// Where the folder-per-environment GitOps configuration lives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "GitopsDraft")]
    pub gitops: Option<GitopsDraft>,
    /// Which gitops-gen the pipelines install: `version` (a release, as its binary or compiled) or `git` + `rev` (a commit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "ToolDraft")]
    pub tool: Option<ToolDraft>,
    /// GitLab-only build settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "GitlabDraft")]
    pub gitlab: Option<GitlabDraft>,
    /// What the operator reports after it applies a commit: a commit status, chat alerts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "NotificationsDraft")]
    pub notifications: Option<NotificationsDraft>,
    /// Policy as code: the Rego policies seeded into `policy/` and checked in the validate job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "PolicyDraft")]
    pub policy: Option<PolicyDraft>,
    /// How Secrets reach the clusters without their values in Git.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "SecretsDraft")]
    pub secrets: Option<SecretsDraft>,
    /// Environments in promotion order.
    #[schemars(length(min = 1))]
    pub environments: Vec<EnvironmentDraft>,
    /// Deployable applications.
    #[schemars(length(min = 1))]
    pub apps: Vec<AppDraft>,
}

/// `tool.binary`: what pins a published release's binary.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BinaryDraft {
    /// Commit of gitops-gen/gitops-gen whose `action/checksums.txt` lists the release; GitHub
    /// workflows pin the install action there.
    #[schemars(regex(pattern = r"^[0-9a-fA-F]{40}$"))]
    pub action: String,
    /// Digest of the release image `ghcr.io/gitops-gen/gitops-gen:<version>`; GitLab jobs pin it.
    #[schemars(regex(pattern = r"^sha256:[0-9a-f]{64}$"))]
    pub image: String,
}

/// `tool:`: the one gitops-gen build the generated pipelines install.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    rename = "Tool",
    extend("dependentRequired" = {"git": ["rev"], "rev": ["git"]})
)]
pub(crate) struct ToolDraft {
    /// Exact gitops-gen release that generated pipelines install. Default: the version that generated them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "String",
        regex(
            pattern = r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(\.(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$"
        )
    )]
    pub version: Option<String>,
    /// How pipelines install `version`: `binary` (the published release's prebuilt binary,
    /// checksum-verified; the default when this gitops-gen knows the release) or `cargo`
    /// (compiled from crates.io; the default otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "ToolInstall")]
    pub install: Option<ToolInstall>,
    /// The pins of a published release's binary, as its release notes give them. Without it,
    /// `binary` installs need a release this gitops-gen knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "BinaryDraft")]
    pub binary: Option<BinaryDraft>,
    /// Install gitops-gen from this git repository instead of a release (needs `rev`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "String",
        regex(pattern = r"^https://[A-Za-z0-9.-]+(:[0-9]+)?/([A-Za-z0-9._~/-]|%[0-9A-Fa-f]{2})+$")
    )]
    pub git: Option<String>,
    /// Full commit id of `git` to install.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String", regex(pattern = r"^[0-9a-fA-F]{40}$"))]
    pub rev: Option<String>,
}

/// `gitlab:`: settings only the GitLab pipeline uses.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Gitlab")]
pub(crate) struct GitlabDraft {
    /// How GitLab CI builds images. buildah runs unprivileged; docker-in-docker needs a privileged runner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Builder", extend("default" = "buildah"))]
    pub builder: Option<Builder>,
    /// Where the GitLab pipeline is written. Any path but `.gitlab-ci.yml` is included from the team's `.gitlab-ci.yml`, whose jobs stay: gitops-gen adds one `include:` entry and its own stages there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String", extend("default" = ".gitlab-ci.yml"), regex(pattern = r"^[^/].*\.ya?ml$"))]
    pub file: Option<String>,
}

/// `policy:`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Policy")]
pub(crate) struct PolicyDraft {
    /// Seed the default policies into `policy/` once and run `gitops-gen policy check` on every environment's overlay in the validate job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "bool", extend("default" = true))]
    pub enabled: Option<bool>,
    /// Also enforce the default rules in the clusters with this admission controller, installed on every cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "crate::model::delivery::Admission")]
    pub admission: Option<crate::model::delivery::Admission>,
}

/// `notifications:`: Flux notification-controller Providers and Alerts in every cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Notifications")]
pub(crate) struct NotificationsDraft {
    /// Set a commit status on the GitOps repository's commits as each cluster applies them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "CommitStatusDraft")]
    pub commit_status: Option<CommitStatusDraft>,
    /// Post failures to apply to a chat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "ChatDraft")]
    pub chat: Option<ChatDraft>,
}

/// `notifications.commit_status`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "CommitStatus")]
pub(crate) struct CommitStatusDraft {
    /// Where the GitOps repository is hosted. Default: the `ci` system (required with `ci: both`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "GitProvider")]
    pub provider: Option<GitProvider>,
    /// The GitOps repository's https address, e.g. `https://github.com/acme/shop`.
    #[schemars(regex(
        pattern = r"^https://[A-Za-z0-9.-]+(:[0-9]+)?/([A-Za-z0-9._~/-]|%[0-9A-Fa-f]{2})+$"
    ))]
    pub address: String,
    /// The Secret in `flux-system` whose `token` key may set commit statuses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "DnsLabel", extend("default" = "commit-status-token"))]
    pub secret: Option<String>,
}

/// `notifications.chat`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Chat")]
pub(crate) struct ChatDraft {
    /// The chat.
    pub provider: ChatProvider,
    /// The channel, for chats that take one (`#deploys`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String", regex(pattern = r"^[A-Za-z0-9#_.-]{1,80}$"))]
    pub channel: Option<String>,
    /// The Secret in `flux-system` whose `address` key is the webhook URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "DnsLabel", extend("default" = "chat-webhook"))]
    pub secret: Option<String>,
}

/// One item of `environments:`: a deployment target and the refs that promote into it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Environment")]
pub(crate) struct EnvironmentDraft {
    /// Names the environment's overlay folders, its promote job and its CI environment.
    #[schemars(with = "DnsLabel")]
    pub name: String,
    /// Branch patterns (`main`, `feature/*`, `release/**`) whose pushes promote into this environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Patterns")]
    pub branches: Option<Patterns>,
    /// Tag patterns (`v*`) whose pushes promote into this environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Patterns")]
    pub tags: Option<Patterns>,
    /// How a new image reaches the environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Promotion", extend("default" = "commit"))]
    pub promotion: Option<Promotion>,
    /// Cluster that reconciles this environment. Default: the environment name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "DnsLabel")]
    pub cluster: Option<String>,
    /// Several clusters that each reconcile this environment the same way (production in three regions); instead of `cluster`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<DnsLabel>", length(min = 1))]
    pub clusters: Option<Vec<String>>,
    /// Namespace the apps run in. Default: the project name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "DnsLabel")]
    pub namespace: Option<String>,
    /// Per-branch environment (feature branches): each branch promoted with --ref gets its own instance and namespace, removed when the branch is deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "bool", extend("default" = false))]
    pub preview: Option<bool>,
    /// Not reconciled yet, during a migration: the old pipeline still deploys this environment, so the operator leaves it alone (Flux: the environment's Kustomizations get `suspend: true` and `prune: false`). `gitops-gen migrate --phase cutover --env <name>` removes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "bool", extend("default" = false))]
    pub suspended: Option<bool>,
    /// Where the environment's app answers (`https://host[:port][/path]`); the promote jobs'
    /// GitHub and GitLab environments link to it. Not on a preview environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "String",
        regex(pattern = r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~/-]*)?$")
    )]
    pub url: Option<String>,
    /// What the operator does about drift: prune, self-heal, how often it compares.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "DriftDraft")]
    pub drift: Option<DriftDraft>,
}

/// `environments[].drift`: how the operator treats the environment's objects.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Drift")]
pub(crate) struct DriftDraft {
    /// Delete objects that were removed from Git.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "bool", extend("default" = true))]
    pub prune: Option<bool>,
    /// Undo changes made in the cluster by hand. Flux always does, so `false` is refused with operator flux.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "bool", extend("default" = true))]
    pub self_heal: Option<bool>,
    /// How often the operator compares Git with the cluster, as a duration (`5m`, `1h30m`). Default: Flux `10m0s`, Fleet its own 15 seconds; refused with operator argocd.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String", regex(pattern = r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$"))]
    pub interval: Option<String>,
}

/// One item of `apps[].test_setup`: a GitHub step before the tests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SetupStep")]
pub(crate) struct SetupStepDraft {
    /// The action, pinned to a full commit: `owner/repo[/path]@<40 hex>`.
    #[schemars(regex(pattern = r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-fA-F]{40}$"))]
    pub uses: String,
    /// The action's inputs: one-line strings without `${{`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with: Option<BTreeMap<String, String>>,
}

/// One item of `apps[].test_services`: a container beside the test job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Service")]
pub(crate) struct ServiceDraft {
    /// The host name the tests reach it at.
    #[schemars(with = "DnsLabel")]
    pub name: String,
    /// Its image, e.g. `docker.io/library/postgres:17`.
    #[schemars(with = "ImageReference")]
    pub image: String,
    /// Its environment: one-line strings without `$`, `%` or `${{`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<BTreeMap<String, String>>,
    /// Ports GitHub maps to the same port on the runner, where the tests run (`[5432]`); on GitLab the service answers at its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<Vec<u16>>,
}

/// One item of `apps:`: an image to test, build, push and promote.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "App")]
pub(crate) struct AppDraft {
    /// Names the app's Deployment, Service, base directory and CI jobs.
    #[schemars(with = "DnsLabel")]
    pub name: String,
    /// Image repository without tag. Default: <registry>/<name>.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "ImageRepository")]
    pub image: Option<String>,
    /// Docker build context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String", extend("default" = "."))]
    pub context: Option<String>,
    /// Dockerfile path. Default: <context>/Dockerfile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub dockerfile: Option<String>,
    /// Test command run before the image is built.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub test: Option<String>,
    /// Image the GitLab test job runs in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "ImageReference",
        extend("default" = "docker.io/library/ubuntu:24.04")
    )]
    pub test_image: Option<String>,
    /// GitHub Actions steps run before `test` in the app's test job, e.g. `{uses: actions/setup-java@<sha>, with: {java-version: "21"}}`. GitLab picks its toolchain with `test_image`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<SetupStepDraft>")]
    pub test_setup: Option<Vec<SetupStepDraft>>,
    /// Containers running beside the test job on both CI systems, reachable at their `name` (GitHub service containers, GitLab services).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<ServiceDraft>")]
    pub test_services: Option<Vec<ServiceDraft>>,
    /// Container port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u16", range(min = 1, max = 65535), extend("default" = 8080))]
    pub port: Option<u16>,
    /// Where the app's manifests come from: exactly one of `scaffold`, `kustomize`, `manifests`
    /// or `helm`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "DeployDraft")]
    pub deploy: Option<DeployDraft>,
    /// Progressive delivery with Flagger (docs/progressive-delivery.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "RolloutDraft")]
    pub rollout: Option<RolloutDraft>,
}

/// An app's `deploy:`: where its manifests come from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    rename = "Deploy",
    extend(
        "oneOf" = [
            {"required": ["scaffold"]},
            {"required": ["kustomize"]},
            {"required": ["manifests"]},
            {"required": ["helm"]}
        ],
        "dependentRequired" = {"overlays": ["kustomize"]}
    )
)]
pub(crate) struct DeployDraft {
    /// A Deployment and a Service gitops-gen writes once into this folder (relative to
    /// gitops.path), then yours. The default: applications/base/<name>.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub scaffold: Option<String>,
    /// An existing Kustomize base (a folder with a kustomization.yaml, relative to the
    /// repository root); never written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub kustomize: Option<String>,
    /// With `kustomize`: the team's overlay of each environment that has one (environment name
    /// → folder relative to the repository root), applied instead of the base there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "BTreeMap<String, String>")]
    pub overlays: Option<BTreeMap<String, String>>,
    /// A folder of plain manifests (relative to the repository root), applied today with
    /// `kubectl apply -f`; gitops-gen writes the kustomization.yaml listing them once and never
    /// moves them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub manifests: Option<String>,
    /// A Helm chart, installed per environment by the operator: its folder in this repository, or
    /// a mapping with the chart, its repository and version, values files and image path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helm: Option<HelmDraft>,
}

/// `deploy.helm`: a chart folder, or the full mapping.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub(crate) enum HelmDraft {
    /// The chart's folder in this repository, relative to its root.
    Chart(String),
    /// Every setting.
    Full(Box<HelmMapDraft>),
}

/// `deploy.helm` as a mapping.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Helm")]
pub(crate) struct HelmMapDraft {
    /// The chart's folder in this repository (relative to its root), or with `repository` the
    /// chart's name.
    pub chart: String,
    /// An https:// chart repository or an oci:// registry path; none for a chart in this
    /// repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// The chart version or semver range; required with `repository`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// A values file for every environment, relative to the repository root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<String>,
    /// A values file per environment (environment name → file), applied after `values`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "BTreeMap<String, String>")]
    pub values_by_env: Option<BTreeMap<String, String>>,
    /// The Helm release name. Default: the app name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// Dotted path of the image tag in the values. Default: image.tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_path: Option<String>,
    /// Dotted path of the image repository in the values, when the chart takes one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_repository_path: Option<String>,
}

impl From<&crate::model::types::Helm> for HelmDraft {
    fn from(helm: &crate::model::types::Helm) -> HelmDraft {
        HelmDraft::Full(Box::new(HelmMapDraft {
            chart: helm.chart.clone(),
            repository: helm.repository.clone(),
            version: helm.version.clone(),
            values: helm.values.clone(),
            values_by_env: (!helm.values_by_env.is_empty()).then(|| helm.values_by_env.clone()),
            release: Some(helm.release.clone()),
            image_path: Some(helm.image_path.clone()),
            image_repository_path: helm.image_repository_path.clone(),
        }))
    }
}

/// `branches:` and `tags:`: one pattern or a list of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum Patterns {
    One(String),
    Many(Vec<String>),
}

impl JsonSchema for Patterns {
    fn schema_name() -> Cow<'static, str> {
        "Patterns".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "One pattern or a list of them; empty means none.",
            "oneOf": [
                { "type": "null" },
                { "type": "string", "minLength": 1 },
                { "type": "array", "items": { "type": "string", "minLength": 1 } }
            ]
        })
    }
}

/// The schema of DNS-1123 labels (names, clusters, namespaces); no value has this type.
enum DnsLabel {}

impl JsonSchema for DnsLabel {
    fn schema_name() -> Cow<'static, str> {
        "DnsLabel".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A DNS-1123 label: lowercase letters, digits and `-`, starting and ending with a letter or digit, at most 63 characters.",
            "type": "string",
            "pattern": "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
        })
    }
}

/// A registry host with an optional port, in the regex syntax of the schema: a host name with a
/// `.`, `localhost`, or a host with a port (the rule container tools use to tell a registry from
/// a path).
const DOMAIN: &str = r"(localhost|[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+)(:[0-9]+)?|[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?:[0-9]+";
/// One path component of an image repository.
const COMPONENT: &str = r"[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*";

/// The schema of image repositories (`host/path`, no tag); no value has this type.
enum ImageRepository {}

impl JsonSchema for ImageRepository {
    fn schema_name() -> Cow<'static, str> {
        "ImageRepository".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An image repository without tag or digest: a registry host, then a lowercase path (the distribution reference grammar).",
            "type": "string",
            "pattern": format!("^({DOMAIN})(/{COMPONENT})+$")
        })
    }
}

/// The schema of `registry`: a host, optionally with a path; no value has this type.
enum Registry {}

impl JsonSchema for Registry {
    fn schema_name() -> Cow<'static, str> {
        "Registry".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "The registry app images default under: a registry host, optionally followed by a lowercase path.",
            "type": "string",
            "pattern": format!("^({DOMAIN})(/{COMPONENT})*$")
        })
    }
}

/// The schema of image references (tag and digest allowed); no value has this type.
enum ImageReference {}

impl JsonSchema for ImageReference {
    fn schema_name() -> Cow<'static, str> {
        "ImageReference".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let tag = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
        let digest = r"[A-Za-z][A-Za-z0-9]*([+._-][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
        json_schema!({
            "description": "An image reference: [registry host/]path[:tag][@digest], e.g. docker.io/library/node:22.",
            "type": "string",
            "pattern": format!("^(({DOMAIN})/)?{COMPONENT}(/{COMPONENT})*(:{tag})?(@{digest})?$")
        })
    }
}

fn model_version(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "const": crate::model::MODEL_VERSION })
}

#[cfg(test)]
pub(crate) mod props;
#[cfg(test)]
mod tests;
