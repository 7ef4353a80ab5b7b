//! Diagnostics for invalid models: exit code 2, a miette report naming gitops-gen.yaml and the
//! line, and nothing written. The report text is snapshotted so wording changes are reviewed.

use crate::common::*;

/// Runs `generate` on tests/fixtures/bad-models/`<name>`.yaml and snapshots stderr.
fn bad_model(name: &str) {
    let (tmp, dir) = dir_with_model("repo", &format!("bad-models/{name}.yaml"));
    let model_before = read(&dir, "gitops-gen.yaml");

    let first = run(&dir, &["generate"]);
    assert_code(&first, 2);
    assert_eq!(stdout(&first), "", "diagnostics belong on stderr");
    let report = stderr(&first);
    assert!(
        report.contains("gitops-gen.yaml:"),
        "the report names the file and line:\n{report}"
    );
    assert!(
        !report.contains('\x1b'),
        "--color never must not emit escapes:\n{report}"
    );
    assert_no_temp_paths(&report, &tmp);
    assert!(
        !report.contains("internal error"),
        "a model problem is not a gitops-gen bug:\n{report}"
    );

    // The report must not depend on anything but the model (no widths guessed differently, no
    // hash-map order): a second run gives the same bytes.
    let second = run(&dir, &["generate"]);
    assert_code(&second, 2);
    assert_eq!(report, stderr(&second), "diagnostics differ between runs");

    // `--check` is as strict as `generate` about the model.
    assert_code(&run(&dir, &["generate", "--check"]), 2);

    // An invalid model writes nothing, not even partial output.
    assert_eq!(list_files(&dir), ["gitops-gen.yaml"]);
    assert_eq!(list_dirs(&dir), Vec::<String>::new());
    assert_eq!(read(&dir, "gitops-gen.yaml"), model_before);

    insta::assert_snapshot!(name, report);
}

#[test]
fn malformed_yaml() {
    bad_model("malformed-yaml");
}

#[test]
fn unknown_top_level_key() {
    bad_model("unknown-top-level-key");
}

#[test]
fn unknown_env_key() {
    bad_model("unknown-env-key");
}

#[test]
fn name_not_dns_label() {
    bad_model("name-not-dns-label");
}

#[test]
fn duplicate_environment() {
    bad_model("duplicate-environment");
}

#[test]
fn duplicate_app() {
    bad_model("duplicate-app");
}

#[test]
fn branch_claimed_twice() {
    bad_model("branch-claimed-twice");
}

#[test]
fn empty_environments() {
    bad_model("empty-environments");
}

#[test]
fn malformed_glob() {
    bad_model("malformed-glob");
}

#[test]
fn wrong_version() {
    bad_model("wrong-version");
}

#[test]
fn wrong_type() {
    bad_model("wrong-type");
}

#[test]
fn duplicate_key() {
    bad_model("duplicate-key");
}

#[test]
fn registry_newline() {
    bad_model("registry-newline");
}

#[test]
fn image_not_a_reference() {
    bad_model("image-not-a-reference");
}

#[test]
fn secrets_store() {
    bad_model("secrets-store");
}

#[test]
fn secrets_from_ci() {
    bad_model("secrets-from-ci");
}

#[test]
fn tool_version_injection() {
    bad_model("tool-version-injection");
}

#[test]
fn tool_git_not_plain_https() {
    bad_model("tool-git-not-plain-https");
}

#[test]
fn expression_in_values() {
    bad_model("expression-in-values");
}

#[test]
fn test_command_lines() {
    bad_model("test-command-lines");
}

#[test]
fn gitops_path_in_git() {
    bad_model("gitops-path-in-git");
}

#[test]
fn deploy_into_ci_folders() {
    bad_model("deploy-into-ci-folders");
}

#[test]
fn two_outputs_one_path() {
    bad_model("two-outputs-one-path");
}

#[test]
fn team_sources_out_of_reach() {
    bad_model("team-sources-out-of-reach");
}

#[test]
fn helm_settings() {
    bad_model("helm-settings");
}

#[test]
fn team_sources_separate_repository() {
    bad_model("team-sources-separate-repository");
}

/// The substance of each diagnostic, asserted directly so a snapshot accepted in a hurry cannot
/// hide a lost did-you-mean or a wrong line.
#[test]
fn diagnostics_name_the_problem() {
    let cases: &[(&str, &[&str])] = &[
        (
            "unknown-top-level-key",
            &[
                "`enviroments`",
                "did you mean `environments`?",
                "gitops-gen.yaml:4:",
            ],
        ),
        (
            "unknown-env-key",
            &[
                "`brnches`",
                "did you mean `branches`?",
                "gitops-gen.yaml:8:",
            ],
        ),
        (
            "name-not-dns-label",
            &["`Production`", "DNS-1123", "gitops-gen.yaml:6:"],
        ),
        (
            "duplicate-environment",
            &["`staging` is defined twice", "gitops-gen.yaml:7:"],
        ),
        (
            "duplicate-app",
            &["`web` is defined twice", "gitops-gen.yaml:9:"],
        ),
        (
            "branch-claimed-twice",
            &[
                "`main`",
                "`feature/**`",
                "`feature/*`",
                "gitops-gen.yaml:7:",
                "gitops-gen.yaml:9:",
            ],
        ),
        (
            "empty-environments",
            &["`environments` is empty", "gitops-gen.yaml:4:"],
        ),
        ("malformed-glob", &["`feat[`", "gitops-gen.yaml:6:"]),
        ("wrong-version", &["version `2`", "gitops-gen.yaml:2:"]),
        ("wrong-type", &["`port`", "eighty", "gitops-gen.yaml:8:"]),
        (
            "secrets-store",
            &[
                "`secrets.provider: external-secrets` needs `store`",
                "`kubernetes` needs `strategy: blue-green`",
                "gitops-gen.yaml:4:",
                "gitops-gen.yaml:9:",
            ],
        ),
        (
            "secrets-from-ci",
            &[
                "is not a CI secret name",
                "`qa` is not an environment",
                "`preview` is a preview environment",
                "gitops-gen.yaml:7:",
                "gitops-gen.yaml:8:",
                "gitops-gen.yaml:9:",
            ],
        ),
        ("duplicate-key", &["`registry`", "gitops-gen.yaml:7:"]),
        ("malformed-yaml", &["invalid YAML"]),
        (
            "registry-newline",
            &[
                "registry",
                "`x.io\\n",
                "is not a host name",
                "gitops-gen.yaml:5:",
            ],
        ),
        (
            "image-not-a-reference",
            &[
                "`$(id).io/web`",
                "gitops-gen.yaml:10:",
                "`$CI_JOB_TOKEN.evil.io/api`",
                "gitops-gen.yaml:11:",
                "has a tag",
                "gitops-gen.yaml:12:",
                "`-cron`",
                "gitops-gen.yaml:13:",
                "`test_image`",
                "gitops-gen.yaml:14:",
            ],
        ),
        (
            "tool-version-injection",
            &["`tool.version`", "exact version", "gitops-gen.yaml:4:"],
        ),
        (
            "tool-git-not-plain-https",
            &["`tool.git`", "`;`", "gitops-gen.yaml:4:"],
        ),
        (
            "expression-in-values",
            &[
                "`${{`",
                "gitops-gen.yaml:6:",
                "gitops-gen.yaml:8:",
                "gitops-gen.yaml:9:",
                "gitops-gen.yaml:10:",
            ],
        ),
        (
            "test-command-lines",
            &[
                "`test`",
                "line break",
                "gitops-gen.yaml:8:",
                "`: `",
                "gitops-gen.yaml:9:",
            ],
        ),
        (
            "gitops-path-in-git",
            &["`gitops.path`", "`.git`", "gitops-gen.yaml:4:"],
        ),
        (
            "deploy-into-ci-folders",
            &[
                "`.github`",
                "gitops-gen.yaml:7:",
                "`.gitlab`",
                "gitops-gen.yaml:8:",
                "`clusters/`",
                "gitops-gen.yaml:9:",
                "`.git`",
                "gitops-gen.yaml:10:",
            ],
        ),
        (
            "drift-settings",
            &[
                "Flux cannot leave drift in place",
                "gitops-gen.yaml:5:",
                "`drift.interval` `5 minutes` is not a duration: units are ms, s, m and h",
                "gitops-gen.yaml:6:",
                "unknown key `selfheal`",
                "did you mean `self_heal`?",
                "gitops-gen.yaml:7:",
            ],
        ),
        (
            "argocd-limits",
            &[
                "operator `argocd` needs the repository's address",
                "gitops-gen.yaml:4:",
                "`notifications.commit_status` is generated for Flux only in this release",
                "gitops-gen.yaml:6:",
                "Argo CD has no Discord service",
                "gitops-gen.yaml:7:",
                "Argo CD has no interval per environment",
                "gitops-gen.yaml:9:",
                "app `web` sets its image at `metadata.tag`, which Argo CD's ApplicationSet of the preview's instances would confuse with its own `metadata`",
                "gitops-gen.yaml:12:",
            ],
        ),
        (
            "fleet-limits",
            &[
                "operator `fleet` needs the repository's address",
                "gitops-gen.yaml:4:",
                "`notifications` are generated for Flux and Argo CD only in this release",
                "not with operator fleet",
                "gitops-gen.yaml:6:",
                "app `web` is a Helm app, and preview instances of Helm apps are generated for Flux and Argo CD only in this release",
                "gitops-gen.yaml:11:",
                "app `api` keeps its manifests in `k8s/api`, outside the folder Fleet bundles",
                "gitops-gen.yaml:13:",
            ],
        ),
        (
            "cluster-lists",
            &[
                "environment `development` has both `cluster` and `clusters`",
                "gitops-gen.yaml:5:",
                "`clusters` is empty",
                "gitops-gen.yaml:6:",
                "cluster `eu` is listed twice",
                "gitops-gen.yaml:7:",
                "environments `production` and `qa` both deploy to namespace `shop` on cluster `us`",
                "gitops-gen.yaml:8:",
            ],
        ),
        (
            "shared-clusters",
            &[
                "environment `preview` shares cluster `nonprod` with `development` but runs alone on `sandbox`",
                "gitops-gen.yaml:7:",
                "environment name `a-very-long-environment-name-that-shares-a-cluster` is too long to share cluster `nonprod`",
                "gitops-gen.yaml:8:",
            ],
        ),
        (
            "team-sources-out-of-reach",
            &[
                "`deploy.kustomize` `.gitlab/ci` is inside `.gitlab`",
                "gitops-gen.yaml:7:",
                "`deploy.manifests` `applications/base/api` is inside `applications`, which \
                 gitops-gen generates",
                "`deploy.kustomize` `.` is the repository root",
                "takes one source: `kustomize` or `manifests`",
                "gitops-gen.yaml:10:",
                "`deploy.overlays.qa`: there is no environment `qa`",
                "the environments are production",
                "`overlays` belongs to `kustomize`, not `manifests`",
            ],
        ),
        (
            "helm-settings",
            &[
                "`deploy.helm.repository` `http://charts.example.com` is not a chart repository URL",
                "gitops-gen.yaml:11:",
                "missing `version` (the chart version)",
                "`deploy.helm.values_by_env.qa`: there is no environment `qa`",
                "`deploy.helm.image_path` `image..tag` is not a dotted path of value keys",
                "Helm release name `Worker` is not a valid DNS-1123 label",
            ],
        ),
        (
            "team-sources-separate-repository",
            &[
                "`deploy.manifests` `k8s` is in this repository, but the operator reads the \
                 separate `gitops.repository`",
                "gitops-gen.yaml:9:",
            ],
        ),
        (
            "two-outputs-one-path",
            &[
                "infrastructure/base/kustomization.yaml",
                "gitops-gen.yaml:8:",
                "services/shared",
                "gitops-gen.yaml:10:",
            ],
        ),
    ];
    for (name, needles) in cases {
        let (_tmp, dir) = dir_with_model("repo", &format!("bad-models/{name}.yaml"));
        let out = run(&dir, &["generate"]);
        assert_code(&out, 2);
        let report = stderr(&out);
        // miette wraps long messages; a phrase may span a wrap.
        let words: Vec<&str> = report.split_whitespace().filter(|w| *w != "|").collect();
        let unwrapped = words.join(" ");
        for needle in *needles {
            assert!(
                report.contains(needle) || unwrapped.contains(needle),
                "{name}: expected `{needle}` in\n{report}"
            );
        }
    }
}

/// A missing model is a usage problem (exit 2) that points at `init`.
#[test]
fn missing_model() {
    let (_tmp, dir) = named_dir("repo");
    let out = run(&dir, &["generate"]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("gitops-gen init"), "{}", stderr(&out));
    assert_eq!(list_files(&dir), Vec::<String>::new());
}
