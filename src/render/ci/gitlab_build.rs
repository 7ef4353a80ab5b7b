//! RENDER stage: the commands of a GitLab build job, for the configured builder.
//!
//! Layer cache: outside pipelines that build releases, branch and tag pipelines log in first and
//! reuse the layers kept in the registry next to the image, in the repository `<image>-cache`
//! (buildah: `--layers --cache-from`; Docker: BuildKit's inline cache in `<image>-cache`). Only
//! pipelines of protected refs write it (`$CI_COMMIT_REF_PROTECTED`), so an unprotected branch can
//! read what protected ones built but never plant layers in their builds, the split GitLab makes
//! for its own caches. Merge request pipelines build without it: they may have no registry
//! credentials (protected variables), and they push nothing.

use serde::Serialize;

use crate::model::Builder;
use crate::render::plan::AppJobs;
use crate::render::shell::{ShellCommand, ShellWord};

/// The build job's commands.
#[derive(Debug, Serialize)]
pub(crate) struct BuildCommands {
    /// Builds `$IMAGE:$CI_COMMIT_SHA` without the layer cache.
    build: ShellCommand,
    /// Logs in to the app's registry with `REGISTRY_*` or GitLab's own credentials.
    login: ShellCommand,
    push: ShellCommand,
    /// With the layer cache.
    cached: Option<CachedBuild>,
}

/// The same build with the layer cache.
#[derive(Debug, Serialize)]
struct CachedBuild {
    /// Reads the cache (unprotected refs).
    read: ShellCommand,
    /// Reads and writes it (protected refs).
    write: ShellCommand,
    /// Pushes what `write` left to push, for builders that do not push the cache themselves.
    push: Option<ShellCommand>,
}

impl BuildCommands {
    /// The commands for `jobs`' image with `builder`; `layer_cache` when the pipeline does not
    /// build releases.
    pub(crate) fn new(jobs: &AppJobs, builder: Builder, layer_cache: bool) -> BuildCommands {
        let app = jobs.app;
        let program = match builder {
            Builder::Buildah => "buildah",
            Builder::DockerInDocker => "docker",
        };
        let tag = || {
            ShellWord::expansion("$IMAGE")
                .then_text(":")
                .then_expansion("$CI_COMMIT_SHA")
        };
        let cache = || ShellWord::expansion("${IMAGE}").then_text("-cache");
        // `build --file <dockerfile>` plus `flags`, then the tag and the context.
        let build = |flags: &[(&'static str, Option<ShellWord>)]| {
            let mut command = ShellCommand::new(program)
                .fixed("build --file")
                .arg(app.dockerfile.as_str());
            for (flag, value) in flags {
                command = command.fixed(flag);
                if let Some(value) = value {
                    command = command.arg(value.clone());
                }
            }
            command.fixed("--tag").arg(tag()).arg(app.context.as_str())
        };
        let cached = layer_cache.then(|| match builder {
            Builder::Buildah => CachedBuild {
                read: build(&[("--layers --cache-from", Some(cache()))]),
                write: build(&[
                    ("--layers --cache-from", Some(cache())),
                    ("--cache-to", Some(cache())),
                ]),
                push: None,
            },
            Builder::DockerInDocker => CachedBuild {
                read: build(&[("--cache-from", Some(cache()))]),
                write: build(&[
                    ("--cache-from", Some(cache())),
                    ("--build-arg BUILDKIT_INLINE_CACHE=1 --tag", Some(cache())),
                ]),
                push: Some(ShellCommand::new(program).fixed("push").arg(cache())),
            },
        });
        BuildCommands {
            build: build(&[]),
            login: ShellCommand::new(
                "printf '%s' \"${REGISTRY_PASSWORD:-$CI_REGISTRY_PASSWORD}\" |",
            )
            .fixed(program)
            .fixed("login --username \"${REGISTRY_USERNAME:-$CI_REGISTRY_USER}\" --password-stdin")
            .arg(jobs.registry_host.as_str()),
            push: ShellCommand::new(program).fixed("push").arg(tag()),
            cached,
        }
    }
}
