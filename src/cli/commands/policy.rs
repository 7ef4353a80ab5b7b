//! `gitops-gen policy check`: MODEL (optional: the environment and the apps' registries) and
//! the policy folder → POLICY over the manifests given → a report; exit 1 on a `deny`.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::Outcome;
use crate::cli::commands::load_model;
use crate::cli::ui::Ui;
use crate::cli::{PolicyCheckArgs, PolicyFormat};
use crate::error::Error;
use crate::files::safe_read::{MAX_FILE_BYTES, Symlinks, Unreadable, read_text};
use crate::files::walk::walk;
use crate::model::tree::GitopsTree;
use crate::policy::{Context, EnvironmentData, Policies, report};

/// Runs the command.
pub(crate) fn run(ui: &Ui, args: &PolicyCheckArgs) -> Result<Outcome, Error> {
    let needs_model = args.env.is_some() || args.policy.is_none();
    let config = if needs_model {
        Some(load_model(&args.dir)?)
    } else {
        None
    };
    let mut context = Context::default();
    if let Some(config) = &config {
        context.registries = crate::model::image_repositories(config);
    }
    if let (Some(config), Some(env)) = (&config, &args.env) {
        let environment = config
            .environments
            .iter()
            .find(|e| &e.name.value == env)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "there is no environment `{env}` in gitops-gen.yaml"
                ))
            })?;
        context.environment = Some(EnvironmentData {
            name: env.clone(),
            preview: environment.preview,
        });
    }
    let folder = match (&args.policy, &config) {
        (Some(folder), _) => folder.clone(),
        (None, Some(config)) => args.dir.join(GitopsTree::of(config).policy_dir()),
        (None, None) => PathBuf::from("policy"),
    };
    let mut unread = Vec::new();
    let sources = files_in(&folder, &["rego"], &mut unread)?
        .into_iter()
        .filter(|(name, _)| !name.ends_with("_test.rego"))
        .collect();
    let mut policies = Policies::new(sources, &context)
        .map_err(|why| Error::Usage(format!("policy folder `{}`: {why}", folder.display())))?;
    let mut manifests = Vec::new();
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.paths.clone()
    };
    for path in &paths {
        if path.as_os_str() == "-" {
            manifests.push(("stdin".to_owned(), read_stdin()?));
        } else {
            manifests.extend(files_in(path, &["yaml", "yml"], &mut unread)?);
        }
    }
    let checked = policies.check(&manifests).map_err(Error::Usage)?;
    for file in &unread {
        ui.note("not read", file);
    }
    for place in &checked.skipped {
        ui.note(
            "skipped",
            &format!("{place}: not a Kubernetes object (no `kind`)"),
        );
    }
    let text = match args.format {
        PolicyFormat::Text => report::text(&checked.findings, checked.objects),
        PolicyFormat::Json => report::json(&checked.findings, checked.objects),
        PolicyFormat::Sarif => report::sarif(&checked.findings),
    };
    ui.out(&text)?;
    let (denied, _) = report::counts(&checked.findings);
    Ok(if denied > 0 {
        Outcome::Failure
    } else {
        Outcome::Success
    })
}

/// Standard input as text, within the size limit.
fn read_stdin() -> Result<String, Error> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_FILE_BYTES * 8 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("reading standard input", e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES * 8 {
        return Err(Error::Usage(
            "standard input is over 16 MiB of manifests".to_owned(),
        ));
    }
    String::from_utf8(bytes).map_err(|_| Error::Usage("standard input is not UTF-8".to_owned()))
}

/// `path` itself, or the files under it with one of `extensions`, as (displayed path, text),
/// through the walk and the reader `analyze` uses: every file or folder left out (too large,
/// not UTF-8, a symlink, unlistable) goes to `unread` with its reason.
fn files_in(
    path: &Path,
    extensions: &[&str],
    unread: &mut Vec<String>,
) -> Result<Vec<(String, String)>, Error> {
    let meta = std::fs::symlink_metadata(path)
        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    let (root, files) = if meta.is_dir() {
        let listing =
            walk(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        unread.extend(
            listing
                .notes
                .iter()
                .map(|note| format!("{}: {}", note.loc.file, note.message)),
        );
        let mut files: Vec<String> = Vec::new();
        listing.paths.for_each(|rel| {
            let wanted = Path::new(rel)
                .extension()
                .is_some_and(|e| extensions.iter().any(|x| e == *x));
            if wanted {
                files.push(rel.to_owned());
            }
        });
        (path.to_path_buf(), files)
    } else {
        let parent = path.parent().unwrap_or(Path::new("."));
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        (parent.to_path_buf(), name.into_iter().collect())
    };
    let mut out = Vec::new();
    for rel in files {
        let shown = root.join(&rel).display().to_string();
        match read_text(&root, Path::new(&rel), Symlinks::Refuse, MAX_FILE_BYTES) {
            Ok(text) => out.push((shown, text)),
            Err(Unreadable::Missing) => {
                return Err(Error::Usage(format!("`{shown}` does not exist")));
            }
            Err(why) => unread.push(format!("{shown}: {why}")),
        }
    }
    Ok(out)
}
