//! RENDER stage: the minijinja environment and the templates embedded in the binary.
//!
//! All templates use `{{{ }}}` / `{{% %}}` / `{{# #}}` so that GitHub's `${{ }}` and other
//! brace syntaxes pass through untouched. YAML templates auto-escape every value as a JSON
//! scalar, which is valid YAML, so a value can never inject structure into the output.

use std::path::Path;

use minijinja::syntax::SyntaxConfig;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;

use crate::error::Error;

/// Templates shipped in the binary: (name, text). A user's `.gitops-gen/templates/<name>`
/// replaces the one with the same name.
pub(crate) const EMBEDDED: &[(&str, &str)] = &[
    (
        "ci/github/github-actions.yml.j2",
        include_str!("../../templates/ci/github/github-actions.yml.j2"),
    ),
    (
        "ci/github/gitops-promote.yml.j2",
        include_str!("../../templates/ci/github/gitops-promote.yml.j2"),
    ),
    (
        "ci/github/partials/install.yml.j2",
        include_str!("../../templates/ci/github/partials/install.yml.j2"),
    ),
    (
        "ci/github/partials/pull-request.yml.j2",
        include_str!("../../templates/ci/github/partials/pull-request.yml.j2"),
    ),
    (
        "ci/gitlab/gitlab-ci.yml.j2",
        include_str!("../../templates/ci/gitlab/gitlab-ci.yml.j2"),
    ),
    (
        "gitops/flux/kustomization.yaml.j2",
        include_str!("../../templates/gitops/flux/kustomization.yaml.j2"),
    ),
    (
        "gitops/kustomize/kustomization.yaml.j2",
        include_str!("../../templates/gitops/kustomize/kustomization.yaml.j2"),
    ),
    (
        "gitops/kustomize/namespace.yaml.j2",
        include_str!("../../templates/gitops/kustomize/namespace.yaml.j2"),
    ),
    (
        "gitops/app/deployment.yaml.j2",
        include_str!("../../templates/gitops/app/deployment.yaml.j2"),
    ),
    (
        "gitops/app/service.yaml.j2",
        include_str!("../../templates/gitops/app/service.yaml.j2"),
    ),
];

/// Where a repository keeps its template overrides.
pub(crate) const OVERRIDE_DIR: &str = ".gitops-gen/templates";

/// A configured template environment.
pub(crate) struct Templates {
    env: Environment<'static>,
    overridden: Vec<String>,
}

impl Templates {
    /// The embedded templates, with overrides from `repo_root/.gitops-gen/templates` when given.
    pub(crate) fn load(repo_root: Option<&Path>) -> Result<Templates, Error> {
        let mut env = Environment::new();
        let syntax = SyntaxConfig::builder()
            .block_delimiters("{{%", "%}}")
            .variable_delimiters("{{{", "}}}")
            .comment_delimiters("{{#", "#}}")
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .map_err(|e| Error::Internal(format!("template syntax: {e}")))?;
        env.set_syntax(syntax);
        // A misspelled field in a template must fail loudly, never render as an empty string.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|name| {
            let name = name.strip_suffix(".j2").unwrap_or(name);
            if name.ends_with(".yml") || name.ends_with(".yaml") {
                AutoEscape::Json
            } else {
                AutoEscape::None
            }
        });
        env.set_formatter(yaml_formatter);
        let mut overridden = Vec::new();
        for (name, text) in EMBEDDED {
            let text = match repo_root.map(|root| root.join(OVERRIDE_DIR).join(name)) {
                Some(path) if path.is_file() => std::fs::read_to_string(&path)
                    .inspect(|_| overridden.push((*name).to_owned()))
                    .map_err(|e| {
                        Error::io(format!("reading template override {}", path.display()), e)
                    })?,
                _ => (*text).to_owned(),
            };
            env.add_template_owned(*name, text)
                .map_err(|e| Error::Template {
                    name: (*name).to_owned(),
                    message: format!("{e:#}"),
                })?;
        }
        Ok(Templates { env, overridden })
    }

    /// Whether the repository overrides template `name`.
    pub(crate) fn is_overridden(&self, name: &str) -> bool {
        self.overridden.iter().any(|n| n == name)
    }

    /// Renders `name` with `view`; output always ends with exactly one newline and uses LF.
    pub(crate) fn render<V: Serialize>(&self, name: &str, view: &V) -> Result<String, Error> {
        let template = self.env.get_template(name).map_err(|e| Error::Template {
            name: name.to_owned(),
            message: format!("{e:#}"),
        })?;
        let text = template
            .render(minijinja::value::Serde(view))
            .map_err(|e| Error::Template {
                name: name.to_owned(),
                message: format!("{e:#}"),
            })?;
        let mut text = text.replace("\r\n", "\n");
        while text.ends_with("\n\n") {
            text.pop();
        }
        if !text.ends_with('\n') {
            text.push('\n');
        }
        Ok(text)
    }
}

/// Writes strings that YAML reads back unchanged as plain scalars (`name: web`), and everything
/// else JSON-escaped (`"1.0"`, `"a: b"`, lists), so output stays readable and still safe.
fn yaml_formatter(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    if matches!(state.auto_escape(), AutoEscape::Json)
        && !value.is_safe()
        && let Some(text) = value.as_str()
        && is_plain_safe(text)
    {
        return out.write_str(text).map_err(minijinja::Error::from);
    }
    minijinja::escape_formatter(out, state, value)
}

/// Whether `text` can be written as a plain scalar, in block or flow context, and read back as
/// the same string (not a number, boolean, null, comment or nested structure).
pub(crate) fn is_plain_safe(text: &str) -> bool {
    let first_ok = text
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || c == '/' || c == '_');
    let chars_ok = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./*@".contains(c));
    if !first_ok || !chars_ok {
        return false;
    }
    // YAML 1.1 readers (go-yaml v2, used by Kubernetes tooling) turn these into booleans or
    // numbers even though YAML 1.2 keeps them strings.
    let yaml11_bool =
        ["y", "yes", "n", "no", "on", "off"].contains(&text.to_ascii_lowercase().as_str());
    let yaml11_number = text
        .chars()
        .all(|c| c.is_ascii_digit() || c == '_' || c == '.');
    if yaml11_bool || yaml11_number {
        return false;
    }
    matches!(
        crate::yaml::parse(&format!("k: {text}")).ok().as_deref(),
        Some([doc]) if doc.as_map().and_then(|m| m.get("k")).and_then(|n| n.as_str()) == Some(text)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_only_when_it_reads_back_as_the_same_string() {
        for plain in [
            "web",
            "ghcr.io/acme/web",
            "feature/x",
            "v1.2.3",
            "docker.io/library/rust:1",
        ] {
            assert_eq!(is_plain_safe(plain), !plain.contains(':'), "{plain}");
        }
        for quoted in [
            "1.0", "true", "null", "yes", "On", "1_000", "1234", "", "a b", "*x", "a,b",
            "${{ x }}", "~",
        ] {
            assert!(!is_plain_safe(quoted), "{quoted}");
        }
    }
}
