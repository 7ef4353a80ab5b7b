//! `gitops-gen init`: answers (flags, questions, git remote) → gitops-gen.yaml → `generate`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use serde::Serialize;

use crate::Outcome;
use crate::cli::InitArgs;
use crate::cli::commands::generate::{self, Mode};
use crate::cli::ui::Ui;
use crate::error::Error;
use crate::files::remote;
use crate::model::{self, decode::check_dns_label};
use crate::render::templates::Templates;
use crate::write::atomic;

const MODEL_TEMPLATE: &str = "model/gitops-gen.yaml.j2";

#[derive(Debug, Serialize)]
struct ModelView {
    project: String,
    ci: String,
    operator: String,
    registry: String,
    branch: String,
    environments: Vec<EnvView>,
    apps: Vec<AppView>,
}

#[derive(Debug, Serialize)]
struct EnvView {
    name: String,
    branches: Vec<String>,
    promotion: &'static str,
    preview: bool,
}

#[derive(Debug, Serialize)]
struct AppView {
    name: String,
    image: String,
    context: &'static str,
    dockerfile: &'static str,
    test: Option<String>,
    port: u16,
}

/// Runs the command.
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
    std::fs::create_dir_all(&root)
        .map_err(|e| Error::io(format!("creating {}", root.display()), e))?;
    let interactive = !args.yes && std::io::stdin().is_terminal();
    let view = answers(&root, &args, interactive)?;

    let templates = Templates::load(Some(&root))?;
    let text = templates.render(MODEL_TEMPLATE, &view)?;
    // Flags feed the model text, so validating that text validates the flags, with the same
    // diagnostics a hand-written model gets; nothing is written when it fails.
    let model = model::parse(model::FILE_NAME, &text)?;
    // Render and plan before writing the model: a refusal or a render failure leaves the
    // directory exactly as it was.
    let plan = generate::plan(&root, &model, args.force)?;
    if generate::report_refusals(ui, &plan) {
        return Ok(Outcome::Failure);
    }
    atomic::write(&model_path, &text)?;
    ui.status("create", model::FILE_NAME);
    generate::execute(ui, &root, &plan, Mode::Write, false)
}

fn answers(root: &Path, args: &InitArgs, interactive: bool) -> Result<ModelView, Error> {
    let absolute =
        std::path::absolute(root).map_err(|e| Error::io("resolving the directory", e))?;
    let dir_name = absolute
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let project = dns_label_from(&dir_name);
    let remote = remote::remote_info(root);
    let branch = default_branch(root);

    let mut ci = args
        .ci
        .clone()
        .unwrap_or_else(|| remote.forge().unwrap_or("github").to_owned());
    if interactive && args.ci.is_none() {
        ci = ask("CI system (github, gitlab, both)", &ci)?;
    }
    let detected_registry = match (remote.forge(), &remote.path) {
        (Some("gitlab"), Some(path)) => {
            format!("registry.gitlab.com/{}", path.to_ascii_lowercase())
        }
        (Some("github"), Some(path)) => {
            format!(
                "ghcr.io/{}",
                path.split('/')
                    .next()
                    .unwrap_or(&project)
                    .to_ascii_lowercase()
            )
        }
        _ if ci == "gitlab" => format!("registry.gitlab.com/{project}"),
        _ => format!("ghcr.io/{project}"),
    };
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
            let (name, image) = match spec.split_once('=') {
                Some((n, i)) => (n.trim().to_owned(), i.trim().to_owned()),
                None => (
                    spec.trim().to_owned(),
                    format!("{registry}/{}", spec.trim()),
                ),
            };
            AppView {
                name,
                image,
                context: ".",
                dockerfile: "Dockerfile",
                test: None,
                port: 8080,
            }
        })
        .collect();
    Ok(ModelView {
        project,
        ci,
        operator: args.operator.clone(),
        registry,
        branch,
        environments,
        apps,
    })
}

/// development ← develop, staging ← staging, production ← main (pull request), preview ← feature/*.
fn default_environments(main: &str) -> Vec<EnvView> {
    let env = |name: &str, branch: &str, promotion, preview| EnvView {
        name: name.to_owned(),
        branches: vec![branch.to_owned()],
        promotion,
        preview,
    };
    vec![
        env("development", "develop", "commit", false),
        env("staging", "staging", "commit", false),
        env("production", main, "pull-request", false),
        env("preview", "feature/*", "commit", true),
    ]
}

fn parse_env(spec: &str, main: &str) -> Result<EnvView, Error> {
    let (name, branches) = spec.split_once('=').ok_or_else(|| {
        Error::Usage(format!(
            "--env `{spec}` must be NAME=BRANCH[,BRANCH], e.g. staging=staging"
        ))
    })?;
    let branches: Vec<String> = branches
        .split(',')
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .map(str::to_owned)
        .collect();
    let name = name.trim().to_owned();
    let production = name == "production" || branches.iter().any(|b| b == main);
    let preview = name == "preview" || branches.iter().any(|b| b.contains('*'));
    Ok(EnvView {
        promotion: if production && !preview {
            "pull-request"
        } else {
            "commit"
        },
        preview,
        name,
        branches,
    })
}

/// The branch HEAD names (usually main or master); `main` when unknown.
fn default_branch(root: &Path) -> String {
    gix::discover(root)
        .ok()
        .and_then(|repo| repo.head_name().ok().flatten())
        .map(|name| name.shorten().to_string())
        .filter(|name| name == "main" || name == "master" || name == "trunk")
        .unwrap_or_else(|| "main".to_owned())
}

/// Turns a directory name into a DNS-1123 label (`My_App` → `my-app`).
fn dns_label_from(name: &str) -> String {
    let mut label: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while label.contains("--") {
        label = label.replace("--", "-");
    }
    let label = label.trim_matches('-');
    let label: String = label.chars().take(63).collect();
    let label = label.trim_end_matches('-').to_owned();
    if check_dns_label(&label).is_ok() {
        label
    } else {
        "app".to_owned()
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
        assert_eq!(dns_label_from("My_App"), "my-app");
        assert_eq!(dns_label_from("--x--"), "x");
        assert_eq!(dns_label_from("日本"), "app");
    }

    #[test]
    fn env_flags() -> Result<(), Error> {
        let e = parse_env("production=main", "main")?;
        assert_eq!((e.promotion, e.preview), ("pull-request", false));
        let e = parse_env("preview=feature/*", "main")?;
        assert!(e.preview);
        assert!(parse_env("nobranch", "main").is_err());
        Ok(())
    }
}
