//! RENDER stage: model → typed views → text, one [`OutputFile`] per generated file.
//!
//! ```text
//! Config ─┬─ plan::PipelinePlan ─┬─ ci::github  → .github/workflows/*.yml
//!         │                      └─ ci::gitlab  → .gitlab-ci.yml
//!         └─ gitops::kustomize (neutral tree) ── gitops::<operator> (operator objects)
//! ```
//!
//! Rendering is a pure function of the [`Config`] and the templates; nothing here reads the
//! files it produces, and headers are added by the write stage. Every YAML output is parsed
//! again before it is returned, so a template bug surfaces as an error instead of a broken file
//! on disk. How values are escaped into templates is [`escape`]; shell quoting is [`shell`].

pub(crate) mod ci;
pub(crate) mod escape;
pub(crate) mod gitops;
pub(crate) mod output;
pub(crate) mod plan;
pub(crate) mod shell;
pub(crate) mod templates;

use std::path::Path;

use crate::error::Error;
use crate::model::{Config, Deploy};
use crate::render::ci::{github, gitlab};
use crate::render::output::Outputs;
use crate::render::plan::PipelinePlan;
use crate::render::templates::Templates;

pub(crate) use output::{OutputFile, Ownership};

/// Renders everything the model produces, sorted by path.
pub(crate) fn render(config: &Config, repo_root: Option<&Path>) -> Result<Vec<OutputFile>, Error> {
    if let Some(Deploy::Helm { chart, .. }) = config
        .apps
        .iter()
        .map(|a| &a.deploy)
        .find(|d| matches!(d, Deploy::Helm { .. }))
    {
        return Err(Error::Usage(format!(
            "app deploy `helm: {chart}` is modelled but not rendered by this release; \
             use `deploy: {{kustomize: <dir>}}` for now"
        )));
    }
    let templates = Templates::load(repo_root)?;
    let mut out = Outputs::new(&templates);
    let plan = PipelinePlan::new(config);
    if config.ci.github {
        let view = github::GithubWorkflowView::new(&plan);
        out.managed(github::TEMPLATE, github::OUTPUT.to_owned(), &view)?;
        if let Some(view) = github::GithubPromoteView::new(&plan) {
            out.managed(
                github::PROMOTE_TEMPLATE,
                github::PROMOTE_OUTPUT.to_owned(),
                &view,
            )?;
        }
    }
    if config.ci.gitlab {
        let view = gitlab::GitlabCiView::new(&plan, config.gitlab.builder);
        out.managed(gitlab::TEMPLATE, gitlab::OUTPUT.to_owned(), &view)?;
    }
    gitops::render(config, &mut out)?;
    out.finish()
}
