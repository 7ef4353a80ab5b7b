//! Model values the model accepts but that would change a pipeline's meaning if written raw:
//! each is either quoted so that YAML and the shell read it back exactly, or refused with
//! nothing written.

use crate::common::*;

/// Stderr with miette's line wrapping and gutter undone, for matching phrases.
fn message(out: &std::process::Output) -> String {
    let err = stderr(out);
    let words: Vec<&str> = err.split_whitespace().filter(|w| *w != "|").collect();
    words.join(" ")
}

/// A model for both CIs whose one app has `app` as extra flow-mapping entries.
fn model(app: &str) -> String {
    format!(
        "version: 1\nproject: shop\nci: both\noperator: flux\nregistry: ghcr.io/acme\n\
         gitops: {{repository: this, branch: main, path: \".\"}}\n\
         environments:\n  - {{name: staging, branches: [main], promotion: commit}}\n\
         apps:\n  - {{name: web, {app}}}\n"
    )
}

#[test]
fn shell_metacharacters_in_a_path_are_quoted_for_the_shell() {
    let (_tmp, dir) = named_dir("repo");
    write(
        &dir,
        "gitops-gen.yaml",
        &model(r#"context: "it's $(id)", test: "make test""#),
    );
    generate_ok(&dir);
    let pipeline = read(&dir, ".gitlab-ci.yml");
    assert!(
        pipeline.contains("    - cd 'it'\\''s $(id)'\n"),
        "the context is one literal shell word:\n{pipeline}"
    );
    assert!(
        pipeline.contains(
            "buildah build --file 'it'\\''s $(id)/Dockerfile' --tag \"$IMAGE:$CI_COMMIT_SHA\" 'it'\\''s $(id)'\n"
        ),
        "{pipeline}"
    );
}

#[test]
fn a_value_that_would_split_a_yaml_line_is_refused() {
    let (_tmp, dir) = named_dir("repo");
    write(
        &dir,
        "gitops-gen.yaml",
        &model(r#"context: "web app: x #y""#),
    );
    let before = read_tree(&dir);
    let out = run(&dir, &["generate"]);
    assert_code(&out, 2);
    let err = message(&out);
    // The model refuses it at its line; the render stage would refuse it too (`render::escape`).
    assert!(
        err.contains("would end or comment out a line") && err.contains("gitops-gen.yaml:10:"),
        "{err}"
    );
    assert_eq!(read_tree(&dir), before, "nothing is written");
}

#[test]
fn a_github_expression_from_the_model_is_refused() {
    let (_tmp, dir) = named_dir("repo");
    write(
        &dir,
        "gitops-gen.yaml",
        &model(r#"test: "echo ${{ github.event.head_commit.message }}""#),
    );
    let before = read_tree(&dir);
    let out = run(&dir, &["generate"]);
    assert_code(&out, 2);
    let err = message(&out);
    assert!(
        err.contains("GitHub Actions would evaluate") && err.contains("gitops-gen.yaml:10:"),
        "{err}"
    );
    assert_eq!(read_tree(&dir), before, "nothing is written");
}

/// GitLab's rule strings have no escapes: a `"` in a branch name must not end the string and
/// turn the rest of the name into rule logic (`"main"||"x"` is always true).
#[test]
fn a_quote_in_a_branch_name_cannot_change_a_gitlab_rule() {
    let (_tmp, dir) = named_dir("repo");
    write(
        &dir,
        "gitops-gen.yaml",
        "version: 1\nproject: shop\nci: gitlab\n\
         gitops: {branch: 'main\"||\"x'}\n\
         environments:\n\
         \x20 - {name: staging, branches: ['main\"||\"x']}\n\
         \x20 - {name: production, branches: ['it''s\"x']}\n\
         apps:\n  - {name: web}\n",
    );
    generate_ok(&dir);
    let pipeline = read(&dir, ".gitlab-ci.yml");
    assert!(!pipeline.contains(r#"== \"main\"||"#), "{pipeline}");
    assert!(
        pipeline.contains(r#"- if: "$CI_COMMIT_BRANCH == 'main\"||\"x'""#),
        "a name holding `\"` is single-quoted:\n{pipeline}"
    );
    assert!(
        pipeline.contains(r#"|| $CI_COMMIT_BRANCH == 'main\"||\"x'""#),
        "the manual rule quotes gitops.branch the same way:\n{pipeline}"
    );
    assert!(
        pipeline.contains(r#"- if: "$CI_COMMIT_BRANCH =~ /^it's\"x$/""#),
        "a name holding both quotes is matched by an anchored regex:\n{pipeline}"
    );
}

/// GitLab expands `$NAME` in `variables:` and `image:`; an image there could carry the job
/// token to another host. The model refuses it at its line whatever the CI.
#[test]
fn a_variable_in_an_image_is_refused_for_gitlab_too() {
    let (_tmp, dir) = named_dir("repo");
    let text = model(r#"image: "$CI_JOB_TOKEN.evil.io/web""#).replace("ci: both", "ci: gitlab");
    write(&dir, "gitops-gen.yaml", &text);
    let out = run(&dir, &["generate"]);
    assert_code(&out, 2);
    let err = message(&out);
    assert!(
        err.contains("is not a valid image repository") && err.contains("gitops-gen.yaml:10:"),
        "{err}"
    );
    assert_eq!(list_files(&dir), ["gitops-gen.yaml"]);
}

/// Argo CD evaluates an ApplicationSet's template as a Go template: a values file named with
/// `{{` would run as template code in every preview instance's Application, so it is refused
/// and nothing is written.
#[test]
fn go_template_syntax_cannot_reach_an_application_set() {
    let (_tmp, dir) = named_dir("repo");
    write(
        &dir,
        "gitops-gen.yaml",
        "version: 1\nproject: shop\nci: github\noperator: argocd\nregistry: ghcr.io/acme\n\
         gitops: {url: \"https://github.com/acme/shop.git\"}\n\
         environments:\n  - {name: preview, branches: ['feature/*'], preview: true}\n\
         apps:\n  - name: web\n    deploy: {helm: {chart: charts/web, \
         values: \"charts/web/{{ .metadata.name }}.yaml\"}}\n",
    );
    write(
        &dir,
        "charts/web/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    );
    write(&dir, "charts/web/values.yaml", "image:\n  tag: latest\n");
    write(
        &dir,
        "charts/web/{{ .metadata.name }}.yaml",
        "replicas: 1\n",
    );
    let before = read_tree(&dir);
    let out = run(&dir, &["generate"]);
    assert_code(&out, 2);
    let err = message(&out);
    assert!(
        err.contains("which Argo CD would evaluate as a Go template"),
        "{err}"
    );
    assert_eq!(read_tree(&dir), before, "nothing is written");
}
