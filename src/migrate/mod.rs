//! MIGRATE stage: from what `analyze` found in a push-based repository to the GitOps model.
//!
//! [`draft`] turns the [`Analysis`] (and, for the image spelling, the repository's manifests)
//! into a [`ModelDraft`] of `gitops-gen.yaml`: the CI system the repository uses, the apps it
//! builds with their Dockerfiles, tests and manifests (`apps`), the environments it deploys to in
//! promotion order with their triggers (`environments`). Every inferred value carries a comment
//! naming its evidence and confidence; what cannot be inferred is a `TODO(migrate):` comment
//! (`notes`), counted. [`guide`] writes `MIGRATION.md` from the same analysis and draft. The
//! draft decides nothing the analysis did not: it reads positions and the layout from the
//! document, never the CI files again.

mod apps;
pub(crate) mod compare;
pub(crate) mod cutover;
mod deploy;
mod environments;
mod guide;
mod notes;
pub(crate) mod operator;

use std::collections::BTreeSet;
use std::path::Path;

use crate::analyze::document::Analysis;
use crate::model::decode::dns_label_from;
use crate::model::draft::{
    AppDraft, EnvironmentDraft, GitlabDraft, GitopsDraft, ModelDraft, to_yaml,
};
use crate::model::{
    Ci, GITLAB_ROOT_PIPELINE, INCLUDED_GITLAB_PIPELINE, MODEL_VERSION, Operator,
    has_team_gitlab_pipeline,
};
use crate::read::pipeline::CiSystem;
use operator::InUse;

pub(crate) use environments::Named;
pub(crate) use guide::{guide, next_steps};
pub(crate) use notes::Notes;

/// What the command knows that the analysis does not.
#[derive(Clone, Debug)]
pub(crate) struct Options {
    /// The project name (from the repository's folder).
    pub project: String,
    /// `--ci`: the CI to generate for; needed when the repository uses another system.
    pub ci: Option<Ci>,
    /// The repository's default branch, for the triggers that name it by a CI variable.
    pub default_branch: String,
    /// `--operator`.
    pub operator: Option<Operator>,
    /// The address the `origin` remote gives, as https: what Argo CD or Fleet clones.
    pub clone_url: Option<String>,
}

/// A drafted model and what it says about itself.
#[derive(Debug)]
pub(crate) struct Draft {
    pub model: ModelDraft,
    pub notes: Notes,
    /// How the model names each environment the analysis found.
    pub named: Vec<Named>,
}

impl Draft {
    /// The draft as `gitops-gen.yaml` text, its comments above what they explain.
    pub(crate) fn text(&self) -> String {
        let header = format!(
            "Drafted by `gitops-gen migrate` from what the pipelines and manifests of this \
             repository do.\nEach value says where it came from; {} left as TODO(migrate).",
            match self.notes.todos.len() {
                1 => "1 question is".to_owned(),
                n => format!("{n} questions are"),
            }
        );
        let mut comments = self.notes.comments.clone();
        comments.add("", &header);
        // A draft is plain data: it always serializes.
        to_yaml(&self.model, &comments).unwrap_or_default()
    }
}

/// Drafts the model of the repository `analysis` describes; `root` is where its files are.
pub(crate) fn draft(analysis: &Analysis, root: Option<&Path>, options: &Options) -> Draft {
    let mut notes = Notes::default();
    let ci = ci(analysis, options, &mut notes);
    let (mut environments, named) =
        environments::environments(analysis, &options.default_branch, &mut notes);
    let (apps, registry) = apps::apps(analysis, &named, root, &options.project, &mut notes);
    namespaces(&mut environments, &named, &apps, root, &mut notes);
    if registry.is_none() && apps.iter().any(|a| a.image.is_none()) {
        notes.todo(
            "project",
            &format!(
                "no image build names the registry the images go to; the model's default is \
                 `ghcr.io/{}`: set `registry:` (or each app's `image:`) if they go elsewhere",
                options.project
            ),
        );
    }
    let operator = operator(analysis, options, &apps, &environments, &mut notes);
    let mut gitops = gitops(root, options, &mut notes);
    if operator.is_some_and(|o| o != Operator::Flux) {
        match &options.clone_url {
            Some(url) => {
                gitops.get_or_insert_with(GitopsDraft::default).url = Some(url.clone());
                notes.note(
                    "gitops.url",
                    "the `origin` remote, which the operator clones",
                );
            }
            None => notes.todo(
                "operator",
                "set `gitops.url` to the address the operator clones this repository from (there \
                 is no `origin` remote to take it from)",
            ),
        }
    }
    let model = ModelDraft {
        version: MODEL_VERSION,
        project: options.project.clone(),
        ci,
        operator,
        registry,
        gitops,
        tool: None,
        gitlab: gitlab(ci, root, &mut notes),
        notifications: None,
        policy: None,
        secrets: secrets_from_ci(analysis, &named, &environments, &mut notes),
        environments,
        apps,
    };
    Draft {
        model,
        notes,
        named,
    }
}

/// `secrets.from_ci`: every CI secret an old deploy hands to the cluster in an environment of
/// the model, as the key of the Secret it becomes, for the one-shot seal workflow. A flow whose
/// environment is unknown, or whose names cannot be a Secret's, is left out; `None` when none
/// is left.
fn secrets_from_ci(
    analysis: &Analysis,
    named: &[Named],
    environments: &[EnvironmentDraft],
    notes: &mut Notes,
) -> Option<crate::model::draft::SecretsDraft> {
    let mut from_ci: Vec<crate::model::draft::FromCiDraft> = Vec::new();
    let mut helm_values = false;
    for flow in &analysis.secret_flows {
        let env = flow.environment.as_deref().and_then(|found| {
            let name = &named.iter().find(|n| n.found == found)?.name;
            let env = environments.iter().find(|e| &e.name == name)?;
            (env.preview != Some(true)).then(|| env.name.clone())
        });
        let (secret, key) = flow.target.sealed_as();
        let Some((env, secret)) = env.zip(dns_label_from(&secret)) else {
            continue;
        };
        let item = crate::model::draft::FromCiDraft {
            env,
            secret,
            key,
            from: flow.ci_name.clone(),
        };
        let valid = crate::model::decode::is_secret_key(&item.key)
            && crate::model::decode::is_secret_name(&item.from);
        let twice = from_ci
            .iter()
            .any(|f| (&f.env, &f.secret, &f.key) == (&item.env, &item.secret, &item.key));
        if valid && !twice {
            helm_values |= flow.target.secret.is_none();
            from_ci.push(item);
        }
    }
    if from_ci.is_empty() {
        return None;
    }
    notes.note(
        "secrets",
        "the CI secrets the old deploys hand to the cluster (`secret_flows` of the analysis): \
         run the gitops-seal-secrets workflow once before the cutover, merge its pull request, \
         then remove `from_ci`",
    );
    if helm_values {
        notes.todo(
            "secrets",
            "a value the old deploy set with `helm --set` becomes a key of `<release>-secrets`: \
             point the chart's values at that Secret (an `existingSecret`-style value)",
        );
    }
    Some(crate::model::draft::SecretsDraft {
        provider: None,
        store: None,
        from_ci: Some(from_ci),
    })
}

/// The namespace of each environment the old steps name none for: the one the app manifests
/// of that environment declare (a kustomization's `namespace:`, or every object's
/// `metadata.namespace`), else a question. The model's default, the project name, would move the
/// apps to another namespace without a word.
fn namespaces(
    environments: &mut [EnvironmentDraft],
    named: &[Named],
    apps: &[AppDraft],
    root: Option<&Path>,
    notes: &mut Notes,
) {
    for (index, (env, found)) in environments.iter_mut().zip(named).enumerate() {
        let Some(why) = &found.namespace_unknown else {
            continue;
        };
        let path = format!("environments[{index}]");
        let declared: BTreeSet<(String, String)> = apps
            .iter()
            .filter_map(|app| app.deploy.as_ref())
            .filter_map(|deploy| {
                let dir = deploy
                    .overlays
                    .as_ref()
                    .and_then(|o| o.get(&env.name))
                    .or(deploy.kustomize.as_ref())
                    .or(deploy.manifests.as_ref())?;
                Some((
                    crate::sources::kustomize::namespace_of(root?, dir)?,
                    dir.clone(),
                ))
            })
            .collect();
        let namespaces: BTreeSet<&String> = declared.iter().map(|(n, _)| n).collect();
        match (namespaces.len(), declared.first()) {
            (1, Some((namespace, dir)))
                if dns_label_from(namespace).as_ref() == Some(namespace) =>
            {
                env.namespace = Some(namespace.clone());
                notes.note(
                    &format!("{path}.namespace"),
                    &format!("{why}; the manifests in `{dir}` declare it"),
                );
            }
            _ => notes.todo(
                &path,
                &format!(
                    "{why}; write the namespace it runs in as `namespace:` (the default is the \
                     project name, and the operator would deploy there)"
                ),
            ),
        }
    }
}

/// The operator: `--operator`, else the one whose objects the repository already has, unless it
/// cannot take the drafted apps (preview instances of Helm apps are generated for Flux only);
/// Flux otherwise.
fn operator(
    analysis: &Analysis,
    options: &Options,
    apps: &[AppDraft],
    environments: &[EnvironmentDraft],
    notes: &mut Notes,
) -> Option<Operator> {
    if options.operator.is_some() {
        notes.note("operator", "chosen with --operator");
        return options.operator;
    }
    let (operator, name, first) = match operator::in_use(&analysis.layout.operator_objects) {
        InUse::Nothing
        | InUse::One {
            operator: Operator::Flux,
            ..
        } => return None,
        InUse::Several { which } => {
            notes.todo(
                "operator",
                &format!(
                    "the repository has objects of several operators ({which}); this draft \
                     uses Flux: set `operator:` to the one that reconciles the clusters"
                ),
            );
            return None;
        }
        InUse::One {
            operator,
            name,
            first,
        } => (operator, name, operator::place(first)),
    };
    let helm = apps
        .iter()
        .any(|a| a.deploy.as_ref().is_some_and(|d| d.helm.is_some()));
    let preview = environments.iter().any(|e| e.preview == Some(true));
    if helm && preview {
        notes.todo(
            "operator",
            &format!(
                "the repository has {name} objects ({first}), but preview instances of Helm \
                 apps are generated for Flux only in this release; this draft uses Flux"
            ),
        );
        return None;
    }
    notes.note(
        "operator",
        &format!("the repository already has {name} objects ({first})"),
    );
    Some(operator)
}

/// Where the operator tree goes and which branch it follows: the repository's default branch, and
/// a folder of its own when the root already has `clusters/`, `infrastructure/` or
/// `applications/`.
fn gitops(root: Option<&Path>, options: &Options, notes: &mut Notes) -> Option<GitopsDraft> {
    let mut gitops = GitopsDraft::default();
    if options.default_branch != "main" {
        gitops.branch = Some(options.default_branch.clone());
        notes.note("gitops.branch", "the repository's default branch");
    }
    let taken: Vec<&str> = ["clusters", "infrastructure", "applications"]
        .into_iter()
        .filter(|d| root.is_some_and(|r| r.join(d).exists()))
        .collect();
    if !taken.is_empty() {
        gitops.path = Some("gitops".to_owned());
        notes.note(
            "gitops.path",
            &format!(
                "the repository already has {} at its root; the generated tree goes here",
                taken
                    .iter()
                    .map(|d| format!("{d}/"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
        if root.is_some_and(|r| r.join("gitops").exists()) {
            notes.todo(
                "gitops.path",
                "`gitops/` exists too: choose a folder of this repository that is free",
            );
        }
    }
    (gitops != GitopsDraft::default()).then_some(gitops)
}

/// For a GitLab pipeline in a repository with a `.gitlab-ci.yml` of its own: a file of its own,
/// included from the team's, whose jobs stay.
fn gitlab(ci: Option<Ci>, root: Option<&Path>, notes: &mut Notes) -> Option<GitlabDraft> {
    let gitlab = matches!(ci, Some(Ci::Gitlab | Ci::Both));
    if !gitlab || !root.is_some_and(has_team_gitlab_pipeline) {
        return None;
    }
    notes.note(
        "gitlab.file",
        &format!(
            "the repository's {GITLAB_ROOT_PIPELINE} stays: the GitOps pipeline goes here and \
             `generate` adds one `include:` of it, and its stages, to {GITLAB_ROOT_PIPELINE}"
        ),
    );
    Some(GitlabDraft {
        builder: None,
        file: Some(INCLUDED_GITLAB_PIPELINE.to_owned()),
    })
}

/// The CI to generate for: `--ci`, or the system the repository uses when it is one we generate.
fn ci(analysis: &Analysis, options: &Options, notes: &mut Notes) -> Option<Ci> {
    let systems: BTreeSet<CiSystem> = analysis.pipelines.iter().map(|p| p.system).collect();
    let github = systems.contains(&CiSystem::GithubActions);
    let gitlab = systems.contains(&CiSystem::GitlabCi);
    let found = match (github, gitlab) {
        (true, true) => Some(Ci::Both),
        (false, true) => Some(Ci::Gitlab),
        (true, false) => Some(Ci::Github),
        (false, false) => None,
    };
    if let Some(ci) = options.ci {
        notes.note("ci", "chosen with --ci");
        return (ci != Ci::Github).then_some(ci);
    }
    match found {
        Some(ci) => {
            let what = match ci {
                Ci::Both => "the repository has GitHub Actions workflows and a GitLab pipeline",
                Ci::Gitlab => "the repository's pipelines are GitLab CI",
                Ci::Github => "the repository's pipelines are GitHub Actions",
            };
            notes.note("ci", what);
            (ci != Ci::Github).then_some(ci)
        }
        None if systems.is_empty() => None,
        None => {
            let names: Vec<&str> = systems.iter().map(|s| s.id()).collect();
            notes.todo(
                "ci",
                &format!(
                    "the old pipelines are {}, which stay until cutover; choose the CI the new \
                     ones run on (`github` or `gitlab`; `migrate --ci`)",
                    names.join(", ")
                ),
            );
            // Written out, so the question has a line to stand above.
            Some(Ci::Github)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::repo::DirRepo;

    /// Every analyze fixture drafts a model that is YAML, and one that is not a valid model has
    /// a question in it: the draft never fails silently.
    #[test]
    fn every_fixture_drafts_yaml_and_an_invalid_draft_has_a_todo()
    -> Result<(), Box<dyn std::error::Error>> {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/analyze");
        let mut names: Vec<_> = std::fs::read_dir(&fixtures)?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        names.sort();
        let mut valid = 0;
        for dir in &names {
            let repo = DirRepo::open(dir)?;
            let analysis = crate::analyze::analyze(repo.paths(), &repo);
            let options = Options {
                project: "shop".to_owned(),
                ci: None,
                default_branch: "main".to_owned(),
                operator: None,
                clone_url: Some("https://github.com/acme/shop.git".to_owned()),
            };
            let draft = draft(&analysis, Some(dir), &options);
            let text = draft.text();
            crate::yaml::parse(&text)
                .map_err(|e| format!("{}: {}\n{text}", dir.display(), e.message))?;
            match crate::model::parse(crate::model::FILE_NAME, &text) {
                Ok(_) => valid += 1,
                Err(invalid) => assert!(
                    !draft.notes.todos.is_empty(),
                    "{}: invalid without a TODO: {invalid:?}\n{text}",
                    dir.display()
                ),
            }
        }
        assert!(valid * 2 > names.len(), "{valid} of {} valid", names.len());
        Ok(())
    }
}
