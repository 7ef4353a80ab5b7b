//! The GitLab build job's layer cache, run: the job's script under bash with stand-ins for
//! buildah and docker that record their arguments, for each kind of pipeline.

use std::path::Path;
use std::process::Command;

use crate::common::*;

/// The model with `builder`, and `tags` (release pipelines) or not.
fn model(builder: &str, tags: bool) -> String {
    let production = if tags {
        "  - {name: production, tags: ['v*']}\n"
    } else {
        "  - {name: production, branches: [main], promotion: pull-request}\n"
    };
    format!(
        "version: 1\nproject: shop\nci: gitlab\nregistry: registry.gitlab.com/acme/shop\n\
         gitlab: {{builder: {builder}}}\n\
         environments:\n  - {{name: development, branches: [develop]}}\n{production}\
         apps:\n  - {{name: web}}\n"
    )
}

/// The build job's script, generated from `model`.
fn build_script(model: &str) -> String {
    let (_tmp, dir) = named_dir("repo");
    std::fs::write(dir.join("gitops-gen.yaml"), model).expect("write model");
    generate_ok(&dir);
    let text = std::fs::read_to_string(dir.join(".gitlab-ci.yml")).expect("pipeline");
    let pipeline: serde_norway::Value = serde_norway::from_str(&text).expect("YAML");
    let lines = pipeline["build-web"]["script"]
        .as_sequence()
        .expect("a script");
    lines
        .iter()
        .map(|line| line.as_str().expect("a string").to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs `script` as the job would with `vars`, and returns the builder commands it ran.
fn run_script(script: &str, vars: &[(&str, &str)]) -> Vec<String> {
    let tmp = tempfile::tempdir().expect("tempdir");
    let log = tmp.path().join("log");
    for program in ["buildah", "docker"] {
        let path = tmp.path().join(program);
        std::fs::write(
            &path,
            format!(
                "#!/bin/sh\ncat > /dev/null 2>&1 <&0 || true\necho \"{program} $*\" >> \"$LOG\"\n"
            ),
        )
        .expect("stand-in");
        Command::new("chmod")
            .arg("+x")
            .arg(&path)
            .status()
            .expect("chmod");
    }
    let path = std::env::join_paths(std::iter::once(tmp.path().to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .expect("PATH");
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .env("PATH", path)
        .env("LOG", &log)
        .env("IMAGE", "registry.gitlab.com/acme/shop/web")
        .env("CI_COMMIT_SHA", "abc123")
        .env("CI_REGISTRY_USER", "gitlab-ci-token")
        .env("CI_REGISTRY_PASSWORD", "secret")
        .envs(vars.iter().copied())
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let logged = std::fs::read_to_string(Path::new(&log)).unwrap_or_default();
    logged.lines().map(str::to_owned).collect()
}

const PUSH: [(&str, &str); 1] = [("CI_PIPELINE_SOURCE", "push")];

#[test]
fn buildah_reads_the_cache_everywhere_but_writes_it_only_from_protected_refs() {
    let script = build_script(&model("buildah", false));
    let protected = run_script(&script, &[PUSH[0], ("CI_COMMIT_REF_PROTECTED", "true")]);
    assert_eq!(
        protected,
        [
            "buildah login --username gitlab-ci-token --password-stdin registry.gitlab.com",
            "buildah build --file Dockerfile --layers --cache-from registry.gitlab.com/acme/shop/web-cache \
             --cache-to registry.gitlab.com/acme/shop/web-cache --tag registry.gitlab.com/acme/shop/web:abc123 .",
            "buildah push registry.gitlab.com/acme/shop/web:abc123",
        ]
    );
    let unprotected = run_script(&script, &[PUSH[0], ("CI_COMMIT_REF_PROTECTED", "false")]);
    assert_eq!(
        unprotected[1],
        "buildah build --file Dockerfile --layers --cache-from registry.gitlab.com/acme/shop/web-cache \
         --tag registry.gitlab.com/acme/shop/web:abc123 ."
    );
    // A merge request neither logs in nor touches the cache, and pushes nothing.
    let merge_request = run_script(&script, &[("CI_PIPELINE_SOURCE", "merge_request_event")]);
    assert_eq!(
        merge_request,
        ["buildah build --file Dockerfile --tag registry.gitlab.com/acme/shop/web:abc123 ."]
    );
}

#[test]
fn docker_keeps_an_inline_cache_image_next_to_the_app_image() {
    let script = build_script(&model("docker-in-docker", false));
    let protected = run_script(&script, &[PUSH[0], ("CI_COMMIT_REF_PROTECTED", "true")]);
    assert_eq!(
        protected[1..],
        [
            "docker build --file Dockerfile --cache-from registry.gitlab.com/acme/shop/web-cache \
             --build-arg BUILDKIT_INLINE_CACHE=1 --tag registry.gitlab.com/acme/shop/web-cache \
             --tag registry.gitlab.com/acme/shop/web:abc123 .",
            "docker push registry.gitlab.com/acme/shop/web-cache",
            "docker push registry.gitlab.com/acme/shop/web:abc123",
        ]
    );
}

#[test]
fn a_pipeline_that_builds_releases_uses_no_layer_cache() {
    let script = build_script(&model("buildah", true));
    assert!(!script.contains("cache"), "{script}");
    let protected = run_script(&script, &[PUSH[0], ("CI_COMMIT_REF_PROTECTED", "true")]);
    assert_eq!(
        protected[0],
        "buildah build --file Dockerfile --tag registry.gitlab.com/acme/shop/web:abc123 ."
    );
}
