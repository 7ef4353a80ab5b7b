//! MODEL: the gitops-gen releases whose prebuilt binaries generated pipelines can install
//! without the model naming their pins.
//!
//! A binary cannot carry its own checksum, so a release's pins exist only after it is
//! published: the commit of this repository whose `action/checksums.txt` lists the release's
//! SHA-256 checksums (GitHub workflows pin the action there) and the digest of its image
//! (GitLab jobs pin it). The release workflow prints both in the release notes as a `tool:`
//! block to paste into `gitops-gen.yaml` (`tool.binary`), and the next release of gitops-gen
//! lists them here (docs/releasing.md). A version with neither installs with `cargo install`
//! (`tool.install: cargo`), which needs nothing published but crates.io.

use crate::model::types::BinaryPins;

/// One published release, as generated pipelines pin it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct PublishedRelease {
    /// `MAJOR.MINOR.PATCH`.
    pub(crate) version: &'static str,
    /// 40-hex commit of gitops-gen/gitops-gen whose `action.yml` knows this release's checksums.
    pub(crate) action_commit: &'static str,
    /// `sha256:<64 hex>` of the multi-arch image `ghcr.io/gitops-gen/gitops-gen:<version>`.
    pub(crate) image_digest: &'static str,
}

/// Where the composite action lives; workflows use `<ACTION_REPOSITORY>@<action_commit>`.
pub(crate) const ACTION_REPOSITORY: &str = "gitops-gen/gitops-gen";
/// The release images, `<IMAGE_REPOSITORY>:<version>@<image_digest>`.
pub(crate) const IMAGE_REPOSITORY: &str = "ghcr.io/gitops-gen/gitops-gen";

/// Every release this build knows, oldest first. Empty until the first release is published.
pub(crate) const PUBLISHED: &[PublishedRelease] = &[];

/// The pins of the published release `version`, if this build knows it.
pub(crate) fn published(version: &str) -> Option<BinaryPins> {
    PUBLISHED
        .iter()
        .find(|r| r.version == version)
        .map(|r| BinaryPins {
            version: r.version.to_owned(),
            action_commit: r.action_commit.to_owned(),
            image_digest: r.image_digest.to_owned(),
        })
}

/// `sha256:` and 64 lowercase hex digits.
pub(crate) fn is_image_digest(text: &str) -> bool {
    text.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// 40 hex digits.
pub(crate) fn is_commit(text: &str) -> bool {
    text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_release_is_pinned_exactly() {
        for r in PUBLISHED {
            let parts: Vec<&str> = r.version.split('.').collect();
            assert!(
                parts.len() == 3 && parts.iter().all(|p| p.parse::<u32>().is_ok()),
                "{}",
                r.version
            );
            assert!(is_commit(r.action_commit), "{}", r.action_commit);
            assert!(is_image_digest(r.image_digest), "{}", r.image_digest);
        }
        let mut versions: Vec<&str> = PUBLISHED.iter().map(|r| r.version).collect();
        versions.dedup();
        assert_eq!(versions.len(), PUBLISHED.len(), "a release is listed twice");
    }
}
