//! MODEL stage: the draft of `gitops:`, where the tree lives and how a separate repository gets
//! it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `gitops:`: where the GitOps configuration lives and which branch the operator watches.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Gitops")]
pub(crate) struct GitopsDraft {
    /// `this` (the default) or the git URL of a separate config repository that promotions push to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "String",
        regex(pattern = r"^(this|https?://\S+|ssh://\S+|git@\S+|file://\S+)$"),
        extend("default" = "this")
    )]
    pub repository: Option<String>,
    /// Branch the operator watches and promotions commit to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "String",
        length(min = 1),
        regex(pattern = r"^[^*?\[\s]+$"),
        extend("default" = "main")
    )]
    pub branch: Option<String>,
    /// Directory of this repository that holds the generated operator tree (clusters/, infrastructure/, applications/).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String", extend("default" = "."))]
    pub path: Option<String>,
    /// With a separate repository: which branch of this one it follows, and how `gitops-gen sync` brings the tree there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "SyncDraft")]
    pub sync: Option<SyncDraft>,
    /// The address the operator clones the GitOps repository from (Argo CD's `repoURL`, Fleet's `repo`). Default: `repository` when it is a URL; required with `operator: argocd` or `fleet` and `repository: this`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "String",
        regex(pattern = r"^(https?://\S+|ssh://\S+|git@\S+|file://\S+)$")
    )]
    pub url: Option<String>,
}

/// `gitops.sync`: how the generated tree reaches the separate config repository.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SyncDraft {
    /// Branch of this repository whose pushes sync the tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "String",
        length(min = 1),
        regex(pattern = r"^[^*?\[\s]+$"),
        extend("default" = "main")
    )]
    pub branch: Option<String>,
    /// `commit` or `pull-request` (default) into `gitops.branch` of the config repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "String",
        regex(pattern = r"^(commit|pull-request)$"),
        extend("default" = "pull-request")
    )]
    pub promotion: Option<String>,
}
