//! RENDER stage: the templates embedded in the binary and the minijinja environment that
//! renders them.
//!
//! Every file under `templates/` is embedded with `include_dir` and named by its path there
//! (`ci/github/github-actions.yml.j2`); a repository's `.gitops-gen/templates/<name>` replaces
//! the embedded template of that name. Templates use `{{{ }}}` / `{{% %}}` / `{{# #}}` so that
//! GitHub's `${{ }}` and other brace syntaxes pass through untouched. How values are escaped is
//! `render::escape`.

use std::path::Path;

use include_dir::{Dir, DirEntry, include_dir};
use minijinja::syntax::SyntaxConfig;
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use crate::error::Error;
use crate::files::inputs;
use crate::files::safe_read::Symlinks;
use crate::render::escape;

/// The `templates/` folder of this crate, compiled in.
static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

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
        let mut sources = Vec::new();
        let mut overridden = Vec::new();
        // One question when there is no override folder, as in most repositories.
        let overrides = repo_root.filter(|root| inputs::is_dir(root, OVERRIDE_DIR));
        for (name, text) in embedded()? {
            let rel = format!("{OVERRIDE_DIR}/{name}");
            let text = match overrides {
                Some(root) if inputs::is_file(root, &rel) => {
                    let text =
                        inputs::read_text(root, &rel, Symlinks::InsideRoot).map_err(|why| {
                            Error::Usage(format!("the template override `{rel}` {why}"))
                        })?;
                    overridden.push(name.clone());
                    text
                }
                _ => text.to_owned(),
            };
            sources.push((name, text));
        }
        Templates::from_sources(sources, overridden)
    }

    /// An environment holding exactly `sources` (name, text).
    pub(crate) fn from_sources(
        sources: Vec<(String, String)>,
        overridden: Vec<String>,
    ) -> Result<Templates, Error> {
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
        escape::configure(&mut env);
        for (name, text) in sources {
            env.add_template_owned(name.clone(), text)
                .map_err(|e| Error::Template {
                    name,
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
        let failed = |message: String| Error::Template {
            name: name.to_owned(),
            message,
        };
        let template = self
            .env
            .get_template(name)
            .map_err(|e| failed(format!("{e:#}")))?;
        let text =
            template
                .render(minijinja::value::Serde(view))
                .map_err(|e| match escape::refusal(&e) {
                    Some(why) => Error::Usage(format!(
                        "refusing to render `{name}`{}: {why}; change the value in gitops-gen.yaml",
                        e.line().map(|l| format!(" (line {l})")).unwrap_or_default()
                    )),
                    None => failed(format!("{e:#}")),
                })?;
        let text = escape::settle(&text).map_err(failed)?;
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

/// Every embedded template as (name, text), the name being its path below `templates/`.
/// The build `generate` renders with: gitops-gen's version and a digest of the templates
/// compiled in, so that a build with other templates is never taken for this one.
pub(crate) fn build() -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for (name, text) in embedded().unwrap_or_default() {
        for part in [name.as_str(), text] {
            hasher.update(part.len().to_le_bytes());
            hasher.update(part.as_bytes());
        }
    }
    format!(
        "{} templates:{}",
        env!("CARGO_PKG_VERSION"),
        inputs::hex(&hasher.finalize())
    )
}

fn embedded() -> Result<Vec<(String, &'static str)>, Error> {
    let mut out = Vec::new();
    let mut dirs = vec![&EMBEDDED];
    while let Some(dir) = dirs.pop() {
        for entry in dir.entries() {
            match entry {
                DirEntry::Dir(sub) => dirs.push(sub),
                DirEntry::File(file) => {
                    let name = file
                        .path()
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy())
                        .collect::<Vec<_>>()
                        .join("/");
                    let text = file.contents_utf8().ok_or_else(|| {
                        Error::Internal(format!("embedded template `{name}` is not UTF-8"))
                    })?;
                    out.push((name, text));
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_listed_from_the_folder() -> Result<(), Error> {
        let names: Vec<String> = embedded()?.into_iter().map(|(name, _)| name).collect();
        for name in [
            "ci/github/github-actions.yml.j2",
            "ci/gitlab/gitlab-ci.yml.j2",
            "gitops/flux/kustomization.yaml.j2",
        ] {
            assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
        }
        assert!(names.iter().all(|n| n.ends_with(".j2")), "{names:?}");
        Ok(())
    }

    #[test]
    fn no_embedded_template_writes_a_value_raw() -> Result<(), Error> {
        for (name, text) in embedded()? {
            assert!(!text.contains("|safe"), "{name} uses |safe");
        }
        Ok(())
    }
}
