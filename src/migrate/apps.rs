//! The apps of the draft, from the images the old pipelines build and push: the name from the
//! image, the registry they share, the Dockerfile beside them, a test command the same pipeline
//! runs, and where the manifests are (`deploy`). An image is written as the manifests spell it.

use std::path::Path;

use crate::analyze::document::{Analysis, DeployStepOut, ImageOut};
use crate::infer::Confidence;
use crate::migrate::environments::Named;
use crate::migrate::notes::Notes;
use crate::model::decode::{
    breaks_lines, dns_label_from, find_expression, qualified_repository, repository_of,
};
use crate::model::draft::AppDraft;

/// One image the old pipelines build, with the first build of it.
struct Built<'a> {
    repository: String,
    first: &'a ImageOut,
}

/// The draft's apps, and the registry they share (when they share one).
pub(crate) fn apps(
    analysis: &Analysis,
    environments: &[Named],
    root: Option<&Path>,
    project: &str,
    notes: &mut Notes,
) -> (Vec<AppDraft>, Option<String>) {
    let built = built(analysis, notes);
    let registry = shared_registry(&built);
    let mut drafts: Vec<AppDraft> = Vec::new();
    for image in &built {
        let Some(name) = image
            .repository
            .rsplit('/')
            .next()
            .and_then(dns_label_from)
            .filter(|n| !drafts.iter().any(|d| d.name == *n))
        else {
            continue;
        };
        let path = format!("apps[{}]", drafts.len());
        notes.evidence(
            &path,
            &image.first.at,
            &format!("builds {}", image.repository),
            if image.first.pushes {
                Confidence::High
            } else {
                Confidence::Medium
            },
        );
        let mut app = AppDraft {
            name: name.clone(),
            ..AppDraft::default()
        };
        if registry.as_deref().map(|r| format!("{r}/{name}")) != Some(image.repository.clone()) {
            app.image = Some(image.repository.clone());
        }
        drafts.push(app);
    }
    if drafts.is_empty() {
        notes.todo(
            "apps[0]",
            "no image build was found in the old pipelines; this app is a placeholder: name the \
             images to build, with their Dockerfiles",
        );
        drafts.push(AppDraft {
            name: project.to_owned(),
            ..AppDraft::default()
        });
    }
    let placeholder = built.is_empty();
    let single = drafts.len() == 1;
    for (index, app) in drafts.iter_mut().enumerate() {
        let path = format!("apps[{index}]");
        dockerfile(analysis, app, single, &path, notes);
        test(analysis, &built, app, single, &path, notes);
        let steps: Vec<&DeployStepOut> = analysis
            .deploy_steps
            .iter()
            .filter(|s| single || mentions(s, &app.name))
            .collect();
        super::deploy::deploy(analysis, &steps, environments, root, app, &path, notes);
        if let Some(root) = root {
            spelling(root, app, registry.as_deref(), placeholder, &path, notes);
        }
    }
    (drafts, registry)
}

/// The images pushed (or built) by the old pipelines, once each, in the order first seen. A name
/// made of variables is one TODO however many jobs build it.
fn built<'a>(analysis: &'a Analysis, notes: &mut Notes) -> Vec<Built<'a>> {
    let mut out: Vec<Built> = Vec::new();
    let mut unnamed: Vec<(String, &ImageOut, usize)> = Vec::new();
    for build in &analysis.images {
        for image in &build.images {
            let repository = repository_of(image);
            if repository.contains(['$', '{', '}', '(', ')', '%']) || repository.is_empty() {
                match unnamed.iter_mut().find(|(r, _, _)| *r == repository) {
                    Some((_, _, more)) => *more += 1,
                    None => unnamed.push((repository, build, 0)),
                }
                continue;
            }
            if !out.iter().any(|b| b.repository == repository) {
                out.push(Built {
                    repository,
                    first: build,
                });
            }
        }
    }
    for (repository, first, more) in unnamed {
        let elsewhere = match more {
            0 => String::new(),
            1 => " and 1 more place".to_owned(),
            n => format!(" and {n} more places"),
        };
        notes.todo(
            "apps",
            &format!(
                "`{repository}`, a name made of variables, is built at {}:{}{elsewhere}; add \
                 the apps it stands for here",
                first.at.file, first.at.line
            ),
        );
    }
    out
}

/// `<host>/<path>` every image shares, when they all have a registry host and share one.
fn shared_registry(built: &[Built]) -> Option<String> {
    let prefixes: Vec<&str> = built
        .iter()
        .map(|b| b.repository.rsplit_once('/').map_or("", |(p, _)| p))
        .collect();
    let first = *prefixes.first()?;
    let host = first.split('/').next()?;
    let has_host = host.contains(['.', ':']) || host == "localhost";
    (has_host && prefixes.iter().all(|p| *p == first)).then(|| first.to_owned())
}

/// Whether a deploy step names the app in its command or paths.
fn mentions(step: &DeployStepOut, app: &str) -> bool {
    step.command.contains(app) || step.paths.iter().any(|p| p.contains(app))
}

/// The Dockerfile of the app: the only one, or the one in a folder named after the app.
fn dockerfile(
    analysis: &Analysis,
    app: &mut AppDraft,
    single: bool,
    path: &str,
    notes: &mut Notes,
) {
    let files = &analysis.layout.dockerfiles;
    let chosen = if single && files.len() == 1 {
        files.first()
    } else {
        files.iter().find(|d| {
            d.file
                .rsplit('/')
                .nth(1)
                .is_some_and(|dir| dns_label_from(dir).as_deref() == Some(app.name.as_str()))
        })
    };
    let Some(chosen) = chosen else {
        if !files.is_empty() {
            notes.todo(
                &format!("{path}.name"),
                "several Dockerfiles and none in a folder named after the app: set `context:` and \
                 `dockerfile:`",
            );
        }
        return;
    };
    let dir = chosen.file.rsplit_once('/').map_or(".", |(d, _)| d);
    let default = if dir == "." {
        "Dockerfile".to_owned()
    } else {
        format!("{dir}/Dockerfile")
    };
    if dir != "." {
        app.context = Some(dir.to_owned());
        notes.note(
            &format!("{path}.context"),
            &format!("the folder of {}", chosen.file),
        );
    }
    if chosen.file != default {
        app.dockerfile = Some(chosen.file.clone());
    }
}

/// A test command the pipeline that builds the app runs, when it fits on one line.
fn test(
    analysis: &Analysis,
    built: &[Built],
    app: &mut AppDraft,
    single: bool,
    path: &str,
    notes: &mut Notes,
) {
    let pipeline = built
        .iter()
        .find(|b| {
            b.repository.rsplit('/').next().and_then(dns_label_from) == Some(app.name.clone())
        })
        .map(|b| &*b.first.at.file);
    let Some(found) = analysis
        .tests
        .iter()
        .find(|t| single || Some(&*t.at.file) == pipeline)
    else {
        return;
    };
    let usable = !found.command.chars().any(breaks_lines)
        && find_expression(&found.command).is_none()
        && !found.command.contains("***");
    let key = format!("{path}.test");
    if usable {
        app.test = Some(found.command.clone());
        notes.evidence(
            &key,
            &found.at,
            "the old pipeline's test",
            Confidence::Medium,
        );
    } else {
        notes.todo(
            path,
            &format!(
                "the old pipeline tests with `{}` ({}:{}), which uses CI syntax or several \
                 lines; write it as one command line in `test:`",
                found.command.lines().next().unwrap_or_default(),
                found.at.file,
                found.at.line
            ),
        );
    }
}

/// The image as the app's manifests spell it (`omaik/web` rather than `docker.io/omaik/web`),
/// which is what Kustomize matches; a source that does not run it at all is a TODO.
fn spelling(
    root: &Path,
    app: &mut AppDraft,
    registry: Option<&str>,
    placeholder: bool,
    path: &str,
    notes: &mut Notes,
) {
    let Some(deploy) = &app.deploy else {
        return;
    };
    let rendered = match (&deploy.kustomize, &deploy.manifests) {
        (Some(base), _) => crate::sources::kustomize::of_base(root, base),
        (None, Some(folder)) => {
            crate::sources::kustomize::manifest_files(root, folder, &format!("`{folder}`"))
                .and_then(|files| crate::sources::kustomize::of_files(root, folder, &files))
        }
        _ => return,
    };
    let rendered = match rendered {
        Ok(rendered) => rendered,
        Err(why) => {
            notes.todo(
                path,
                &format!("the image the manifests run could not be read: {why}"),
            );
            return;
        }
    };
    let repositories = rendered.repositories();
    // No build was found: the app is the one image its manifests run.
    if placeholder && let [only] = repositories.iter().collect::<Vec<_>>().as_slice() {
        if let Some(name) = only.rsplit('/').next().and_then(dns_label_from) {
            app.name = name;
        }
        app.image = Some((*only).clone());
        notes.note(
            &format!("{path}.image"),
            "the one image the manifests run; no build of it was found",
        );
        return;
    }
    let Some(image) = app
        .image
        .clone()
        .or_else(|| registry.map(|r| format!("{r}/{}", app.name)))
    else {
        return;
    };
    let wanted = qualified_repository(&image);
    if repositories.contains(&image) {
        return;
    }
    match repositories
        .iter()
        .find(|r| qualified_repository(r) == wanted)
    {
        Some(spelled) => {
            app.image = Some(spelled.clone());
            notes.note(
                &format!("{path}.image"),
                "as the manifests spell it; builds push it with the registry host",
            );
        }
        None => notes.todo(
            path,
            &format!(
                "the manifests run {}, not `{image}`: make them run the built image, or fix \
                 this name",
                crate::sources::kustomize::in_words(&repositories)
            ),
        ),
    }
}
