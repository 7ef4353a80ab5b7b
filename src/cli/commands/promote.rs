//! `gitops-gen promote`: resolves the request from the model and the CI environment, then hands
//! it to the promotion engine.

use std::path::Path;
use std::time::Duration;

use crate::Outcome;
use crate::cli::PromoteArgs;
use crate::cli::commands::load_model;
use crate::cli::ui::Ui;
use crate::error::Error;
use crate::model::tree::{self, GitopsTree, kustomization, relative};
use crate::model::{self, Config, Environment, Operator, Promotion};
use crate::promote::git_cli::{self, Git};
use crate::promote::helm::{HelmReader, HelmTarget};
use crate::promote::{
    self, CiEnv, Inclusion, Promoted, Request, Source, edit::ImageRef, message::Audit,
};

/// Runs the command. The CI run's environment variables are read here, once.
pub(crate) fn run(ui: &Ui, args: &PromoteArgs) -> Result<Outcome, Error> {
    let ci = CiEnv::from_vars(|name| std::env::var_os(name));
    let config = load_model(&args.dir)?;
    let env = find_env(&config, &args.env)?;
    if args.remove {
        return remove_preview(ui, args, &config, env, ci);
    }
    if args.image.len() > args.app.len()
        || (args.from.is_none() && args.image.len() != args.app.len())
    {
        return Err(Error::Usage(format!(
            "{} --app and {} --image: pass one --image after each --app",
            args.app.len(),
            args.image.len()
        )));
    }
    let mut apps = Vec::new();
    for name in &args.app {
        let app = config
            .apps
            .iter()
            .find(|a| &a.name.value == name)
            .ok_or_else(|| {
                let names: Vec<&str> = config.apps.iter().map(|a| a.name.value.as_str()).collect();
                Error::Usage(format!(
                    "unknown app `{name}`; the model has {}",
                    names.join(", ")
                ))
            })?;
        if apps
            .iter()
            .any(|a: &&model::App| a.name.value == app.name.value)
        {
            return Err(Error::Usage(format!("app `{name}` is named twice")));
        }
        apps.push(app);
    }
    if let Some(git_ref) = &args.r#ref
        && !ref_maps_to(env, git_ref)
    {
        ui.status(
            "skip",
            &format!("`{git_ref}` does not promote into `{}`", env.name.value),
        );
        return Ok(Outcome::Success);
    }
    if let Some(from) = &args.from
        && find_env(&config, from)?.name.value == env.name.value
    {
        return Err(Error::Usage(format!("--from and --to are both `{from}`")));
    }
    // Manual promotion (`--mode manual`, or an environment promoted by hand) commits.
    let mode = match args.mode.unwrap_or(env.promotion) {
        Promotion::PullRequest => Promotion::PullRequest,
        Promotion::Commit | Promotion::Manual => Promotion::Commit,
    };
    let instance = preview_instance(args, &config, env)?;
    let overlay = match &instance {
        Some(i) => i.kustomization.clone(),
        None => overlay_path(&config, &env.name.value),
    };
    let url = gitops_url(args, &config, &overlay, &ci)?;
    let mut requests = Vec::new();
    for (i, app) in apps.iter().enumerate() {
        let source = source(args, &config, app, args.image.get(i), &ci)?;
        let mut audit = Audit {
            env: env.name.value.clone(),
            app: app.name.value.clone(),
            repository: app.image.clone(),
            ..Audit::default()
        }
        .with_ci(&ci, args.reason.as_deref());
        if let Source::Environment { env: from, .. } = &source {
            // The pipeline's own commit did not build what `from` runs; the annotation says
            // what did.
            audit.source_commit = None;
            if args.reason.is_none() {
                audit.reason = format!("promote what {from} runs");
            }
        }
        requests.push(Request {
            env: env.name.value.clone(),
            app: app.name.value.clone(),
            repository: app.image.clone(),
            source,
            mode,
            url: url.clone(),
            branch: config.gitops.branch.clone(),
            overlay: overlay.clone(),
            audit,
            attempts: args.push.retries.max(1),
            allow_rollback: args.allow_rollback,
            fail_if_superseded: args.fail_if_superseded,
            app_repo: Some(args.dir.clone()),
            dry_run: args.dry_run,
            preview: instance.clone(),
            remove: false,
            project: config.project.value.clone(),
            ci: ci.clone(),
            timeout: Duration::from_secs(args.push.timeout),
            inclusion: inclusion(&config, app, env, &overlay),
            helm: helm_target(&config, app, &env.name.value, &overlay),
        });
    }
    report(ui, &requests)
}

/// Where `app`'s new image comes from: `--from`'s overlay, or `image` built by this run.
fn source(
    args: &PromoteArgs,
    config: &Config,
    app: &model::App,
    image: Option<&String>,
    ci: &CiEnv,
) -> Result<Source, Error> {
    match (&args.from, image) {
        (Some(from), _) => {
            let overlay = overlay_path(config, from);
            let image_values = helm_target(config, app, from, &overlay).map(|t| t.image_values);
            Ok(Source::Environment {
                env: from.clone(),
                overlay,
                image_values,
            })
        }
        (None, Some(image)) => {
            let (repository, reference) = ImageRef::parse(image).ok_or_else(|| {
                Error::Usage(format!(
                    "image `{image}` must be `repository:tag` or `repository@sha256:<64 hex>`"
                ))
            })?;
            // `docker.io/acme/web:…` from the pipeline is the app written `acme/web`.
            if crate::model::decode::qualified_repository(&repository) != app.pushed_image() {
                return Err(Error::Usage(format!(
                    "image `{image}` is not from app `{}`'s repository `{}`",
                    app.name.value, app.image
                )));
            }
            Ok(Source::Image {
                reference,
                source_commit: args.source_commit.clone().or(ci.commit.clone()),
            })
        }
        (None, None) => Err(Error::Usage("pass --image or --from".to_owned())),
    }
}

/// The `resources:` entries that make the overlay at `overlay` (a kustomization path) of `env`
/// run `app`: the team's overlay for `env` or the app's base, or the list of every base that
/// older overlays include.
fn inclusion(
    config: &Config,
    app: &model::App,
    env: &Environment,
    overlay: &str,
) -> Option<Inclusion> {
    let tree = GitopsTree::of(config);
    let dir = overlay
        .strip_suffix("/kustomization.yaml")
        .unwrap_or(overlay);
    let team_overlay = match &app.deploy {
        model::Deploy::Kustomize { overlays, .. } => overlays.get(&env.name.value).cloned(),
        model::Deploy::Helm(_) => {
            let release = tree.helm_release(&env.name.value, &app.name.value);
            return Some(Inclusion {
                entry: relative(dir, &release),
                all: None,
                replaces: None,
            });
        }
        _ => None,
    };
    let base = relative(
        dir,
        &team_overlay.or_else(|| tree.app_base_dir(&app.deploy))?,
    );
    let rollout = relative(dir, &tree.rollout(&env.name.value, &app.name.value));
    Some(match app.rollout_in(&env.name.value) {
        Some(_) => Inclusion {
            entry: rollout,
            all: None,
            replaces: Some(base),
        },
        None => Inclusion {
            entry: base,
            all: Some(relative(dir, &tree.applications_base())),
            replaces: Some(rollout),
        },
    })
}

/// Where a Helm app's image goes in the overlay at `overlay` (a kustomization path) of `env`:
/// the values file promotion owns beside it, and what the release reads before it.
fn helm_target(config: &Config, app: &model::App, env: &str, overlay: &str) -> Option<HelmTarget> {
    let model::Deploy::Helm(helm) = &app.deploy else {
        return None;
    };
    let name = &app.name.value;
    let dir = overlay.strip_suffix("/kustomization.yaml").unwrap_or(".");
    let image_values = tree::helm_image_values(dir, name);
    let entry_file = relative(dir, &image_values);
    Some(HelmTarget {
        image_values,
        entry_file,
        config_map: tree::helm_image_config_map(name),
        tag_path: helm.image_path.clone(),
        repository_path: helm.image_repository_path.clone(),
        chart: helm.repository.is_none().then(|| helm.chart.clone()),
        values: helm.values_in(env).cloned().collect(),
        reader: helm_reader(config, env, name, helm),
    })
}

/// What reads a Helm app's values in `env`: Flux's HelmRelease, Argo CD's Application (the
/// same in every cluster of the environment, so the first cluster's is read; a preview's
/// ApplicationSet), or Fleet's bundle options.
fn helm_reader(config: &Config, env: &str, app: &str, helm: &model::Helm) -> HelmReader {
    let tree = GitopsTree::of(config);
    let environment = config.environments.iter().find(|e| e.name.value == env);
    let cluster = environment.and_then(|e| e.clusters.first());
    match (config.operator, cluster) {
        (Operator::Argocd, Some(cluster)) => {
            let file = tree.cluster_file(cluster, &tree::argocd_helm_application(env, app));
            if environment.is_some_and(|e| e.preview) {
                HelmReader::ArgocdInstances {
                    application_set: file,
                }
            } else {
                HelmReader::Argocd { application: file }
            }
        }
        (Operator::Fleet, _) => HelmReader::Fleet {
            options: tree.cluster_file(
                tree::FLEET_FOLDER,
                &format!("{}/fleet.yaml", tree::fleet_helm_options_dir(env, app)),
            ),
            base: tree::fleet_helm_base(&tree, env, app, helm),
        },
        _ => HelmReader::Flux {
            release: tree.helm_release(env, app),
        },
    }
}

/// `--remove`: takes a branch's preview instance away.
fn remove_preview(
    ui: &Ui,
    args: &PromoteArgs,
    config: &Config,
    env: &Environment,
    ci: CiEnv,
) -> Result<Outcome, Error> {
    if args.r#ref.as_deref().is_some_and(|r| !ref_maps_to(env, r)) {
        ui.status(
            "skip",
            &format!(
                "`{}` has no preview in `{}`",
                args.r#ref.as_deref().unwrap_or_default(),
                env.name.value
            ),
        );
        return Ok(Outcome::Success);
    }
    let Some(instance) = preview_instance(args, config, env)? else {
        return Err(Error::Usage(format!(
            "--remove takes away a preview instance; `{}` is not a `preview: true` environment",
            env.name.value
        )));
    };
    let url = gitops_url(args, config, &instance.root, &ci)?;
    let mut audit = Audit {
        env: env.name.value.clone(),
        ..Audit::default()
    }
    .with_ci(&ci, args.reason.as_deref());
    if args.reason.is_none() {
        audit.reason = format!("branch {} is gone", instance.branch);
    }
    let request = Request {
        env: env.name.value.clone(),
        app: String::new(),
        repository: String::new(),
        source: Source::Nothing,
        mode: Promotion::Commit,
        url,
        branch: config.gitops.branch.clone(),
        overlay: instance.kustomization.clone(),
        audit,
        attempts: args.push.retries.max(1),
        allow_rollback: false,
        fail_if_superseded: false,
        app_repo: None,
        dry_run: args.dry_run,
        preview: Some(instance),
        remove: true,
        project: config.project.value.clone(),
        ci,
        timeout: Duration::from_secs(args.push.timeout),
        inclusion: None,
        helm: None,
    };
    report(ui, std::slice::from_ref(&request))
}

/// The branch's instance when `env` is a preview environment; `--ref` names the branch.
fn preview_instance(
    args: &PromoteArgs,
    config: &Config,
    env: &Environment,
) -> Result<Option<promote::preview::Instance>, Error> {
    if !env.preview {
        return Ok(None);
    }
    let branch = args
        .r#ref
        .as_deref()
        .map(|r| r.strip_prefix("refs/heads/").unwrap_or(r))
        .filter(|b| !b.is_empty() && !b.starts_with("refs/"))
        .ok_or_else(|| {
            Error::Usage(format!(
                "`{}` is a preview environment with one instance per branch; pass the branch as \
                 --ref refs/heads/<branch>",
                env.name.value
            ))
        })?;
    Ok(Some(promote::preview::Instance::new(
        GitopsTree::of(config),
        &env.name.value,
        &env.namespace,
        branch,
    )))
}

/// The URL of the repository holding the GitOps branch. For this repository, uncommitted
/// changes to what promotion reads are refused first.
fn gitops_url(
    args: &PromoteArgs,
    config: &Config,
    overlay: &str,
    ci: &CiEnv,
) -> Result<String, Error> {
    if let Some(url) = &config.gitops.repository {
        return Ok(url.clone());
    }
    refuse_dirty(&args.dir, overlay, Duration::from_secs(args.push.timeout))?;
    let raw = Git::new(&args.dir, None, Duration::from_secs(args.push.timeout))
        .run(&["remote", "get-url", &args.remote])
        .map_err(|_| {
            Error::Usage(format!(
                "this repository has no remote `{}` to promote through; pass --remote",
                args.remote
            ))
        })?;
    // Runners often embed their own job token in `origin`; with a token of ours in the
    // environment, the URL is used without it.
    let clean = git_cli::redact_urls(&raw);
    Ok(if ci.auth_for(&clean).is_some() {
        clean
    } else {
        raw
    })
}

/// Runs the requests (one per app, or one removal) and reports what happened.
fn report(ui: &Ui, requests: &[Request]) -> Result<Outcome, Error> {
    let Some(request) = requests.first() else {
        return Ok(Outcome::Success);
    };
    let apps = requests
        .iter()
        .map(|r| format!("`{}`", r.app))
        .collect::<Vec<_>>()
        .join(", ");
    let mut warnings = Vec::new();
    let result = promote::promote_all(requests, &mut warnings);
    for warning in &warnings {
        ui.note("warning", warning);
    }
    match result? {
        Promoted::Unchanged if request.remove => {
            let what = request.preview.as_ref().map_or("", |i| i.branch.as_str());
            ui.status(
                "unchanged",
                &format!("{} has no preview of {what}", request.env),
            );
        }
        Promoted::Unchanged => {
            ui.status(
                "unchanged",
                &format!("`{}` already runs these images of {apps}", request.env),
            );
        }
        Promoted::Superseded { message } => ui.note("skipped", &message),
        Promoted::Removed { commit } => {
            let what = request.preview.as_ref().map_or("", |i| i.branch.as_str());
            ui.status(
                "removed",
                &format!("the {} preview of {what} ({commit})", request.env),
            );
        }
        Promoted::WouldCommit { diff, message } => {
            ui.status(
                "would commit",
                &format!(
                    "to {} of {}",
                    request.branch,
                    git_cli::redact_urls(&request.url)
                ),
            );
            ui.out(&diff)?;
            ui.out(&format!("\n{message}"))?;
        }
        Promoted::Committed { commit, attempts } => {
            ui.status(
                "promoted",
                &format!(
                    "{apps} in {} ({commit}, {attempts} push attempt(s))",
                    request.env
                ),
            );
        }
        Promoted::Proposed {
            branch,
            changed,
            title,
            body,
        } => {
            let verb = if changed { "proposed" } else { "unchanged" };
            ui.status(verb, &format!("{title} on branch {branch}"));
            if let Some(path) = &request.ci.github_output {
                promote::github_outputs(path, &branch, &title, &body)?;
            }
        }
    }
    Ok(Outcome::Success)
}

/// The kustomization of `env`'s overlay, which promotion edits.
fn overlay_path(config: &Config, env: &str) -> String {
    kustomization(&GitopsTree::of(config).applications_overlay(env))
}

fn find_env<'c>(config: &'c Config, name: &str) -> Result<&'c Environment, Error> {
    config
        .environments
        .iter()
        .find(|e| e.name.value == name)
        .ok_or_else(|| {
            let names: Vec<&str> = config
                .environments
                .iter()
                .map(|e| e.name.value.as_str())
                .collect();
            Error::Usage(format!(
                "unknown environment `{name}`; the model has {}",
                names.join(", ")
            ))
        })
}

/// Whether a pushed ref maps to `env`: `refs/heads/x` against its branches, `refs/tags/x`
/// against its tags, and a bare name against its branches.
fn ref_maps_to(env: &Environment, git_ref: &str) -> bool {
    let (patterns, name) = if let Some(b) = git_ref.strip_prefix("refs/heads/") {
        (&env.branches, b)
    } else if let Some(t) = git_ref.strip_prefix("refs/tags/") {
        (&env.tags, t)
    } else {
        (&env.branches, git_ref)
    };
    patterns.iter().any(|p| p.value.matches(name))
}

/// Uncommitted edits to the model or the overlay mean the checkout disagrees with what is being
/// promoted; stop rather than guess which one the user meant.
fn refuse_dirty(dir: &Path, overlay: &str, timeout: Duration) -> Result<(), Error> {
    let git = Git::new(dir, None, timeout);
    let Ok(status) = git.run(&["status", "--porcelain", "--", model::FILE_NAME, overlay]) else {
        return Ok(());
    };
    if status.is_empty() {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "uncommitted changes to {}; commit or stash them before promoting:\n{status}",
        [model::FILE_NAME, overlay].join(" or ")
    )))
}
