//! `gitops-gen init`: answers (flags, questions, git remote) → gitops-gen.yaml → `generate`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use clap::ValueEnum;

use crate::Outcome;
use crate::cli::InitArgs;
use crate::cli::commands::generate::{self, Mode};
use crate::cli::ui::Ui;
use crate::error::Error;
use crate::files::remote;
use crate::migrate::operator::{InUse, in_use, place};
use crate::model::draft::{
    self, AppDraft, Comments, EnvironmentDraft, GitlabDraft, GitopsDraft, ModelDraft, Patterns,
};
use crate::model::{
    self, Ci, INCLUDED_GITLAB_PIPELINE, MODEL_VERSION, Operator, Promotion, decode::dns_label_from,
    has_team_gitlab_pipeline,
};
use crate::write;
use crate::write::Action;

/// What `init` writes above the keys it explains.
const COMMENTS: &[(&str, &str)] = &[
    (
        "",
        "gitops-gen.yaml: the single source of truth for `gitops-gen generate`.\n\
         Reference: docs/model.md, or `gitops-gen schema` for the JSON Schema.",
    ),
    (
        "ci",
        "Pipelines to generate: github (.github/workflows/gitops.yml), gitlab (.gitlab-ci.yml) or both.",
    ),
    (
        "operator",
        "The pull-based operator that applies this repository to the clusters.",
    ),
    ("registry", "Images default to <registry>/<app name>."),
    (
        "gitops",
        "Where the folder-per-environment config lives: this repository, on this branch.",
    ),
    (
        "environments",
        "Environments in promotion order. Pushes to `branches` (or `tags`) build the apps and promote\n\
         the new images into the environment: `commit` commits to the GitOps branch, `pull-request`\n\
         opens a pull/merge request, `manual` waits for `gitops-gen promote`.",
    ),
];

/// Writes gitops-gen.yaml from the answers, then generates. An existing model is only
/// replaced with `--force`; nothing is written when the answers make an invalid model or the
/// generated files would be refused.
pub(crate) fn run(ui: &Ui, args: InitArgs) -> Result<Outcome, Error> {
    let root = args.dir.clone().unwrap_or_else(|| ".".into());
    let model_path = root.join(model::FILE_NAME);
    if model_path.exists() && !args.force {
        return Err(Error::Refused(format!(
            "{} already exists; gitops-gen init does not overwrite it without --force \
             (run `gitops-gen generate` to regenerate from it)",
            model_path.display()
        )));
    }
    write::check_path(&root, model::FILE_NAME)?;
    std::fs::create_dir_all(&root)
        .map_err(|e| Error::io(format!("creating {}", root.display()), e))?;
    let interactive = !args.yes && std::io::stdin().is_terminal();
    let mut notes = Vec::new();
    let draft = answers(&root, &args, interactive, &mut notes)?;
    for note in &notes {
        ui.note("warning", note);
    }

    let mut comments = Comments::default();
    for (path, text) in COMMENTS {
        comments.add(path, text);
    }
    let text = draft::to_yaml(&draft, &comments)
        .map_err(|e| Error::Internal(format!("writing the model: {e}")))?;
    // Flags feed the model text, so validating that text validates the flags, with the same
    // diagnostics a hand-written model gets; nothing is written when it fails.
    let model = model::parse(model::FILE_NAME, &text)?;
    // Render and plan before writing the model: a refusal or a render failure leaves the
    // directory exactly as it was.
    let plan = generate::plan(&root, &model, args.force)?;
    if generate::report_refusals(ui, &plan) {
        return Ok(Outcome::Failure);
    }
    for leftover in write::write_file(&root, model::FILE_NAME, &text)? {
        ui.status(Action::RemoveLeftover.verb(), &leftover);
    }
    ui.status("create", model::FILE_NAME);
    let outcome = generate::execute(ui, &root, &plan, Mode::Write, false)?;
    if outcome == Outcome::Success {
        generate::write_digests(ui, &root, None)?;
    }
    if !args.no_git {
        git_init(ui, &root, &model.gitops.branch);
    }
    if outcome == Outcome::Success {
        next_steps(ui, &root, &draft);
    }
    Ok(outcome)
}

/// What to do next: commit, bootstrap the operator, the CI settings, branch
/// protection.
fn next_steps(ui: &Ui, root: &Path, draft: &ModelDraft) {
    let remote = remote::remote_info(root);
    let steps = crate::migrate::next_steps(draft, remote.path.as_deref());
    ui.note(
        "next",
        "commit and push: git add . && git commit -m 'GitOps with gitops-gen' && git push",
    );
    for line in &steps.bootstrap {
        ui.note("next", &format!("bootstrap: {line}"));
    }
    ui.note("next", &format!("CI settings: {}", steps.ci_settings));
    if !steps.reviewed.is_empty() {
        ui.note(
            "next",
            &format!(
                "protect the GitOps branch so the pull requests that promote into {} need a review",
                steps.reviewed.join(", ")
            ),
        );
    }
}

/// Makes `root` a git repository on `branch` when it is not inside one, as `cargo new` does, so
/// the next step (`git add . && git commit`) works; says so, or why not.
fn git_init(ui: &Ui, root: &Path, branch: &str) {
    if gix::discover(root).is_ok() {
        return;
    }
    let done = std::process::Command::new("git")
        .args(["init", "--quiet", "--initial-branch", branch])
        .arg(root)
        .output();
    match done {
        Ok(out) if out.status.success() => {
            ui.status(
                "create",
                &format!(".git (git init --initial-branch {branch})"),
            );
        }
        Ok(out) => ui.note(
            "warning",
            &format!(
                "not a git repository, and `git init` failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        ),
        Err(e) => ui.note(
            "warning",
            &format!("not a git repository, and git could not run ({e}): run `git init` yourself"),
        ),
    }
}

/// The model the flags and answers make; `notes` gets what was guessed and should be checked.
fn answers(
    root: &Path,
    args: &InitArgs,
    interactive: bool,
    notes: &mut Vec<String>,
) -> Result<ModelDraft, Error> {
    let absolute =
        std::path::absolute(root).map_err(|e| Error::io("resolving the directory", e))?;
    let dir_name = absolute
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let project = dns_label_from(&dir_name).unwrap_or_else(|| "app".to_owned());
    let operator = match args.operator {
        Some(operator) => operator,
        None => operator_in(root, notes)?,
    };
    let remote = remote::remote_info(root);
    let branch = remote::default_branch(root);

    let detected_ci = remote
        .forge()
        .and_then(|forge| Ci::from_str(forge, false).ok())
        .unwrap_or(Ci::Github);
    let ci = match args.ci {
        Some(ci) => ci,
        None if interactive => ask_ci(detected_ci)?,
        None => detected_ci,
    };
    let mut guessed = None;
    let detected_registry = match (remote.forge(), &remote.path) {
        (Some("gitlab"), Some(path)) => match remote.host.as_deref() {
            Some(host) if !host.eq_ignore_ascii_case("gitlab.com") => {
                // A self-managed instance names its registry itself; `registry.<host>` is the
                // usual setup, not a rule.
                guessed = Some(format!(
                    "the registry of {host} is guessed as `registry.{host}`; check it (Deploy → \
                     Container Registry in the project) and pass --registry if it differs"
                ));
                format!(
                    "registry.{}/{}",
                    host.to_ascii_lowercase(),
                    path.to_ascii_lowercase()
                )
            }
            _ => format!("registry.gitlab.com/{}", path.to_ascii_lowercase()),
        },
        (Some("github"), Some(path)) => {
            format!(
                "ghcr.io/{}",
                path.split('/')
                    .next()
                    .unwrap_or(&project)
                    .to_ascii_lowercase()
            )
        }
        _ if ci == Ci::Gitlab => format!("registry.gitlab.com/{project}"),
        _ => format!("ghcr.io/{project}"),
    };
    if args.registry.is_none()
        && let Some(note) = guessed
    {
        notes.push(note);
    }
    let mut registry = args.registry.clone().unwrap_or(detected_registry);
    if interactive && args.registry.is_none() {
        registry = ask("Image registry prefix", &registry)?;
    }

    let environments = if args.envs.is_empty() {
        default_environments(&branch)
    } else {
        args.envs
            .iter()
            .map(|spec| parse_env(spec, &branch))
            .collect::<Result<_, _>>()?
    };

    let mut app_specs = args.apps.clone();
    if app_specs.is_empty() {
        let default = project.clone();
        app_specs.push(if interactive {
            ask("App name", &default)?
        } else {
            default
        });
    }
    let apps = app_specs
        .iter()
        .map(|spec| {
            // Only what the user gave is written: a default left out follows `registry:` and
            // `context:` when they change later (`image` is `<registry>/<name>`, the Dockerfile
            // `<context>/Dockerfile`).
            let (name, image) = match spec.split_once('=') {
                Some((n, i)) => (n.trim().to_owned(), Some(i.trim().to_owned())),
                None => (spec.trim().to_owned(), None),
            };
            AppDraft {
                name,
                image,
                context: None,
                dockerfile: None,
                test: None,
                test_image: None,
                port: None,
                deploy: None,
                ..AppDraft::default()
            }
        })
        .collect();
    Ok(ModelDraft {
        version: MODEL_VERSION,
        project,
        ci: Some(ci),
        operator: Some(operator),
        registry: Some(registry),
        // The branch is the repository's own (detected), so it is written even when it is the
        // default `main`; `repository: this` and `path: .` are defaults and left out.
        gitops: Some(GitopsDraft {
            repository: None,
            branch: Some(branch),
            path: None,
            sync: None,
            url: match operator {
                Operator::Argocd | Operator::Fleet => Some(clone_url(&remote, operator)?),
                Operator::Flux => None,
            },
        }),
        tool: None,
        // A repository with its own `.gitlab-ci.yml` keeps it; ours is included from it.
        gitlab: (ci != Ci::Github && has_team_gitlab_pipeline(root)).then(|| GitlabDraft {
            builder: None,
            file: Some(INCLUDED_GITLAB_PIPELINE.to_owned()),
        }),
        notifications: None,
        policy: None,
        secrets: None,
        environments,
        apps,
    })
}

/// development ← develop, staging ← staging, production ← main (pull request), preview ← feature/*.
/// The operator whose objects the repository already has, when they are all of one (said in
/// `notes`); Flux otherwise, the default. Files the scan could not read are counted in `notes`,
/// since an operator object may be among them.
fn operator_in(root: &Path, notes: &mut Vec<String>) -> Result<Operator, Error> {
    let repo = crate::files::repo::DirRepo::open(root)
        .map_err(|e| Error::io(format!("reading {}", root.display()), e))?;
    let layout = crate::scan::scan(repo.paths(), &repo);
    if !layout.diagnostics.is_empty() {
        notes.push(format!(
            "{} file(s) could not be read while looking for an operator in use; `gitops-gen \
             analyze` lists them",
            layout.diagnostics.len()
        ));
    }
    Ok(match in_use(&layout.operator_objects) {
        InUse::Nothing => Operator::Flux,
        InUse::Several { which } => {
            notes.push(format!(
                "operator flux: the repository has objects of several operators ({which}); pass \
                 --operator to choose the one that reconciles the clusters"
            ));
            Operator::Flux
        }
        InUse::One {
            operator,
            name,
            first,
        } => {
            if operator != Operator::Flux {
                notes.push(format!(
                    "operator {}: the repository already has {name} objects ({}); pass \
                     --operator to choose another",
                    operator.as_str(),
                    place(first)
                ));
            }
            operator
        }
    })
}

/// The address Argo CD or Fleet clones this repository from: the `origin` remote's, as https.
fn clone_url(remote: &remote::RemoteInfo, operator: Operator) -> Result<String, Error> {
    remote.clone_url().ok_or_else(|| {
        Error::Usage(format!(
            "--operator {} needs the repository's address, which the operator clones: add the \
             remote `origin` first (`git remote add origin <url>`)",
            operator.as_str()
        ))
    })
}

fn default_environments(main: &str) -> Vec<EnvironmentDraft> {
    vec![
        environment(
            "development",
            vec!["develop".to_owned()],
            Promotion::Commit,
            false,
        ),
        environment(
            "staging",
            vec!["staging".to_owned()],
            Promotion::Commit,
            false,
        ),
        environment(
            "production",
            vec![main.to_owned()],
            Promotion::PullRequest,
            false,
        ),
        environment(
            "preview",
            vec!["feature/*".to_owned()],
            Promotion::Commit,
            true,
        ),
    ]
}

fn environment(
    name: &str,
    branches: Vec<String>,
    promotion: Promotion,
    preview: bool,
) -> EnvironmentDraft {
    EnvironmentDraft {
        name: name.to_owned(),
        branches: Some(Patterns::Many(branches)),
        tags: None,
        promotion: Some(promotion),
        cluster: None,
        clusters: None,
        drift: None,
        namespace: None,
        preview: preview.then_some(true),
        suspended: None,
        url: None,
    }
}

/// `NAME=BRANCH[,BRANCH][:preview]`. An environment is a preview (one instance per branch) only
/// when it says so, with `:preview` (git refs cannot hold a `:`) or the name `preview`: a
/// pattern such as `release/*` does not make one.
fn parse_env(spec: &str, main: &str) -> Result<EnvironmentDraft, Error> {
    let (spec, marked) = match spec.strip_suffix(":preview") {
        Some(rest) => (rest, true),
        None => (spec, false),
    };
    let (name, branches) = spec.split_once('=').ok_or_else(|| {
        Error::Usage(format!(
            "--env `{spec}` must be NAME=BRANCH[,BRANCH][:preview], e.g. staging=staging or \
             preview=feature/*:preview"
        ))
    })?;
    if branches.contains(':') {
        return Err(Error::Usage(format!(
            "--env `{spec}`: a branch cannot hold `:`; the only suffix is `:preview`"
        )));
    }
    let branches: Vec<String> = branches
        .split(',')
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .map(str::to_owned)
        .collect();
    let name = name.trim();
    let production = name == "production" || branches.iter().any(|b| b == main);
    let preview = marked || name == "preview";
    let promotion = if production && !preview {
        Promotion::PullRequest
    } else {
        Promotion::Commit
    };
    Ok(environment(name, branches, promotion, preview))
}

/// Asks for the CI system until the answer is one `--ci` accepts; an empty answer is `default`.
fn ask_ci(default: Ci) -> Result<Ci, Error> {
    loop {
        let answer = ask("CI system (github, gitlab, both)", default.as_str())?;
        match Ci::from_str(&answer, false) {
            Ok(ci) => return Ok(ci),
            Err(_) => eprintln!("`{answer}` is not one of github, gitlab, both"),
        }
    }
}

fn ask(question: &str, default: &str) -> Result<String, Error> {
    let mut stderr = std::io::stderr().lock();
    write!(stderr, "{question} [{default}]: ")
        .and_then(|()| stderr.flush())
        .map_err(|e| Error::io("prompting", e))?;
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::io("reading the answer", e))?;
    let answer = line.trim();
    Ok(if answer.is_empty() {
        default.to_owned()
    } else {
        answer.to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_names_become_labels() {
        assert_eq!(dns_label_from("My_App").as_deref(), Some("my-app"));
        assert_eq!(dns_label_from("--x--").as_deref(), Some("x"));
        assert_eq!(dns_label_from("日本"), None);
    }

    #[test]
    fn env_flags() -> Result<(), Error> {
        let e = parse_env("production=main", "main")?;
        assert_eq!(
            (e.promotion, e.preview),
            (Some(Promotion::PullRequest), None)
        );
        let e = parse_env("preview=feature/*", "main")?;
        assert_eq!(e.preview, Some(true));
        // A pattern alone does not make a preview; `:preview` does.
        let e = parse_env("staging=release/*", "main")?;
        assert_eq!(e.preview, None);
        let e = parse_env("review=feature/*:preview", "main")?;
        assert_eq!((e.name.as_str(), e.preview), ("review", Some(true)));
        assert!(parse_env("staging=a:b", "main").is_err());
        assert!(parse_env("nobranch", "main").is_err());
        Ok(())
    }
}
