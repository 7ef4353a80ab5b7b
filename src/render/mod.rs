//! RENDER stage: model → typed views → text, one [`OutputFile`] per generated file.
//!
//! ```text
//! Config ─┬─ plan::PipelinePlan ─┬─ ci::github  → .github/workflows/*.yml
//!         │                      ├─ ci::gitlab  → .gitlab-ci.yml (or gitlab.file, included
//!         │                      │                from the team's .gitlab-ci.yml: gitlab_root)
//!         │                      └─ ci::config_repo → a separate config repository's pipelines
//!         └─ gitops::kustomize (neutral tree) ── gitops::<operator> (operator objects)
//! ```
//!
//! With a separate `gitops.repository`, the tree and the config repository's pipelines are
//! rendered with [`Home::Gitops`]: `generate` writes them only into a checkout of that
//! repository (`--gitops-checkout`), and `gitops-gen sync` pushes them there.
//!
//! Rendering is a function of the [`Config`], the templates and the folders of the team's own
//! manifests that apps point at (listed, never written); nothing here reads the files it
//! produces, and headers are added by the write stage. Every YAML output is parsed
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
use crate::model::Config;
use crate::model::decode::{check_dns_label, check_site_url};
use crate::model::glob::RefPattern;
use crate::render::ci::{config_repo, github, gitlab};
use crate::render::gitops::team::TeamFiles;
use crate::render::output::Outputs;
use crate::render::plan::PipelinePlan;
use crate::render::templates::Templates;

pub(crate) use output::{Home, MANAGED_MARKER, OutputFile, Ownership};

/// Renders everything the model produces, sorted by path.
pub(crate) fn render(config: &Config, repo_root: Option<&Path>) -> Result<Vec<OutputFile>, Error> {
    render_deferred(config, repo_root).and_then(checked)
}

/// `outputs` after each passed [`OutputFile::self_check`].
fn checked(mut outputs: Vec<OutputFile>) -> Result<Vec<OutputFile>, Error> {
    for out in &mut outputs {
        out.self_check()?;
        out.unchecked = None;
    }
    Ok(outputs)
}

/// [`render`] without the self-check ([`OutputFile::self_check`]), which the write stage's plan
/// runs on the files it is to write.
pub(crate) fn render_deferred(
    config: &Config,
    repo_root: Option<&Path>,
) -> Result<Vec<OutputFile>, Error> {
    renderable(config)?;
    let templates = Templates::load(repo_root)?;
    render_with(config, &templates, TeamFiles::new(repo_root))
}

/// [`render`] with templates already loaded.
fn render_with(
    config: &Config,
    templates: &Templates,
    team: TeamFiles,
) -> Result<Vec<OutputFile>, Error> {
    renderable(config)?;
    let mut out = Outputs::new(templates);
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
        let install = ci::install::GithubInstallView::new(&plan.install);
        if let Some(view) = ci::seal::SealWorkflowView::new(config, install)? {
            out.managed(ci::seal::TEMPLATE, ci::seal::OUTPUT.to_owned(), &view)?;
        }
    }
    if config.ci.gitlab {
        let included = config.gitlab.is_included();
        let view = gitlab::GitlabCiView::new(&plan, config.gitlab.builder, included)
            .with_seals(ci::seal::jobs(config, "gitops-seal-secrets")?);
        out.managed(gitlab::TEMPLATE, config.gitlab.file.clone(), &view)?;
        if included {
            team.gitlab_root(&config.gitlab.file, &mut out)?;
        }
    }
    if config.gitops.is_separate() {
        // The tree and its validation belong in the config repository.
        out.set_home(Home::Gitops);
        if config.ci.github {
            let view = config_repo::GithubValidateView::new(config, &plan);
            out.managed(
                config_repo::GITHUB_TEMPLATE,
                config_repo::GITHUB_OUTPUT.to_owned(),
                &view,
            )?;
        }
        if config.ci.gitlab {
            let view = config_repo::GitlabValidateView::new(config, &plan);
            out.managed(
                config_repo::GITLAB_TEMPLATE,
                config_repo::GITLAB_OUTPUT.to_owned(),
                &view,
            )?;
        }
    }
    gitops::render(config, team, &mut out)?;
    out.finish()
}

/// Refuses a model that no quoting can make safe.
fn renderable(config: &Config) -> Result<(), Error> {
    check_names(config)?;
    check_urls(config)?;
    check_branch(config)
}

/// The GitOps branch becomes a push filter of the config repository's workflow and a literal in
/// CI conditions: anything but a branch name without wildcards is refused here, whatever let it
/// into the [`Config`].
fn check_branch(config: &Config) -> Result<(), Error> {
    let branch = &config.gitops.branch;
    match RefPattern::parse(branch) {
        Ok(pattern) if pattern.is_literal() => Ok(()),
        _ => Err(Error::Usage(format!(
            "refusing to render: gitops.branch {branch:?} is not a branch name"
        ))),
    }
}

/// An environment's address becomes a link in both CI systems (GitLab expands variables in
/// it): anything but a plain https address is refused here, whatever let it into the [`Config`].
fn check_urls(config: &Config) -> Result<(), Error> {
    for env in &config.environments {
        if let Some(url) = &env.url
            && let Err(why) = check_site_url(url)
        {
            return Err(Error::Usage(format!(
                "refusing to render: the url {url:?} of environment {:?} is not a plain https \
                 address: {why}",
                env.name.value
            )));
        }
    }
    Ok(())
}

/// Names become job and step ids, folder and file names and Kubernetes object names, places
/// where no quoting helps: a name that is not a DNS-1123 label is refused here, whatever let it
/// into the [`Config`].
fn check_names(config: &Config) -> Result<(), Error> {
    let environments = config.environments.iter().flat_map(|env| {
        [
            ("environment name", env.name.value.as_str()),
            ("namespace", env.namespace.as_str()),
        ]
        .into_iter()
        .chain(env.clusters.iter().map(|c| ("cluster", c.as_str())))
    });
    let apps = config
        .apps
        .iter()
        .map(|app| ("app name", app.name.value.as_str()));
    let mut names = std::iter::once(("project name", config.project.value.as_str()))
        .chain(environments)
        .chain(apps);
    match names.find_map(|(what, name)| check_dns_label(name).err().map(|why| (what, name, why))) {
        Some((what, name, why)) => Err(Error::Usage(format!(
            "refusing to render: the {what} {name:?} is not a DNS-1123 label: {why}"
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;
