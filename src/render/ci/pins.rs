//! RENDER stage: every third-party action, image and tool version that generated pipelines use,
//! in one place so an upgrade is one reviewed diff. Actions are pinned to full commit SHAs (the
//! tag is only a comment), tools to exact versions.

use serde::Serialize;

/// A GitHub action pinned to a commit.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct ActionPin {
    /// `owner/repo@<40-hex sha>`.
    pub(crate) uses: &'static str,
    /// The release tag that commit carries, written as a trailing comment.
    pub(crate) version: &'static str,
}

/// All pinned actions, by template name.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct ActionPins {
    /// actions/checkout
    pub(crate) checkout: ActionPin,
    /// actions/cache
    pub(crate) cache: ActionPin,
    /// docker/login-action
    pub(crate) login: ActionPin,
    /// docker/setup-buildx-action
    pub(crate) setup_buildx: ActionPin,
    /// docker/build-push-action
    pub(crate) build_push: ActionPin,
}

/// The pins this release generates.
pub(crate) const ACTIONS: ActionPins = ActionPins {
    checkout: ActionPin {
        uses: "actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd",
        version: "v6.0.2",
    },
    cache: ActionPin {
        uses: "actions/cache@cdf6c1fa76f9f475f3d7449005a359c84ca0f306",
        version: "v5.0.3",
    },
    login: ActionPin {
        uses: "docker/login-action@4907a6ddec9925e35a0a9e82d7399ccc52663121",
        version: "v4.1.0",
    },
    setup_buildx: ActionPin {
        uses: "docker/setup-buildx-action@4d04d5d9486b7bd6fa91e7baf45bbb4f8b9deedd",
        version: "v4.0.0",
    },
    build_push: ActionPin {
        uses: "docker/build-push-action@bcafcacb16a39f128d818304e6c9c0c18556b85f",
        version: "v7.1.0",
    },
};

/// kustomize for GitLab's validate job (GitHub's Ubuntu runners have it), installed with
/// `go install` so the Go checksum database verifies it.
pub(crate) const KUSTOMIZE_MODULE: &str = "sigs.k8s.io/kustomize/kustomize/v5@v5.8.1";
/// kubeconform's prebuilt linux/amd64 release archive, and its SHA-256 as the release's
/// CHECKSUMS file lists it.
pub(crate) const KUBECONFORM_URL: &str =
    "https://github.com/yannh/kubeconform/releases/download/v0.8.0/kubeconform-linux-amd64.tar.gz";
pub(crate) const KUBECONFORM_SHA256: &str =
    "9bc2bffbf71f261128533edaf912153948b7ff238f9a531ae6d34466ec287883";
/// JSON schemas of custom resources, Flux's among them: datreeio/CRDs-catalog at a pinned
/// commit, in kubeconform's `-schema-location` template syntax.
pub(crate) const CRD_SCHEMAS: &str = "https://raw.githubusercontent.com/datreeio/CRDs-catalog/7b1e26ef9deea49293714d204c1a2270aab1178f/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json";

/// Container images used by the GitLab pipeline.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct GitlabImages {
    /// Has cargo (to install gitops-gen) and git (to promote).
    pub(crate) rust: &'static str,
    /// Go toolchain for kustomize and kubeconform.
    pub(crate) golang: &'static str,
    /// Rootless image builds.
    pub(crate) buildah: &'static str,
    /// Docker CLI, for `builder: docker-in-docker`.
    pub(crate) docker: &'static str,
    /// The privileged Docker daemon service, for `builder: docker-in-docker`.
    pub(crate) dind: &'static str,
}

/// The images this release generates.
pub(crate) const GITLAB_IMAGES: GitlabImages = GitlabImages {
    rust: "docker.io/library/rust:1.93-bookworm",
    golang: "docker.io/library/golang:1.25-bookworm",
    buildah: "quay.io/buildah/stable:v1.42",
    docker: "docker.io/library/docker:28",
    dind: "docker.io/library/docker:28-dind",
};
