//! INFER stage: [`ImageBuilder`], the canonical name of what builds or pushes an image (the
//! `builder` of image facts and of the analysis document). The commands are in
//! [`super::images`]; the packaged steps that build images are in [`super::actions`].

use crate::infer::spelled::spelled_enum;

spelled_enum! {
    /// An image builder, spelled as in docs/inference.md#image-builders.
    pub(crate) enum ImageBuilder {
        Docker => "docker",
        /// `docker buildx build|bake`, `docker-buildx build`.
        Buildx => "buildx",
        Kaniko => "kaniko",
        Buildah => "buildah",
        Podman => "podman",
        /// Jib, run as a Maven goal or Gradle task.
        Jib => "jib",
        Ko => "ko",
        /// Cloud Native Buildpacks' `pack build`.
        Pack => "pack",
        Skaffold => "skaffold",
        /// `gcloud builds submit`.
        GcloudBuilds => "gcloud-builds",
        /// The GitHub action, named by its reference because its inputs decide the rest.
        DockerBuildPushAction => "docker/build-push-action",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        crate::infer::spelled::check_spellings(ImageBuilder::ALL);
    }
}
