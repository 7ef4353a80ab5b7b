//! MIGRATE stage: the cutover of one environment, planned. The operator takes the environment
//! over (its `suspended: true` leaves `gitops-gen.yaml`), and the old deploy steps `analyze`
//! found for it stop running, by the smallest edit that says what it did:
//!
//! - **GitHub Actions**: the step gets `if: false` (a step that had an `if:` keeps the old
//!   condition in the comment). A step that also builds images, or one written once for jobs of
//!   other environments (a reusable workflow), is listed for a person instead.
//! - **GitLab CI**: the job becomes hidden (`deploy-staging:` → `.deploy-staging:`), which GitLab
//!   never runs; nothing else in it changes, and removing the dot undoes it. A job that also
//!   builds images, or that another job `needs:`, is listed instead.
//! - **Jenkins, CircleCI, Azure, Bitbucket, Travis**, and steps written in scripts: the exact
//!   lines are listed; an edit there is a guess about a language gitops-gen only reads.
//!
//! Environments are cut over in promotion order, lowest first. Nothing here writes: the plan is
//! the new text of each file, which the command shows as a diff and writes with `--write`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::analyze::document::{Analysis, DeployStepOut, JobOut};
use crate::files::LineIndex;
use crate::files::safe_read::{MAX_FILE_BYTES, Symlinks, read_text};
use crate::migrate::environments::{Named, SUSPENDED_NOTE};
use crate::model::decode::dns_label_from;
use crate::read::pipeline::CiSystem;
use crate::yaml::edit::{column, start_of_line, value_range, whole_lines};
use crate::yaml::{Node, Value};

/// The cutover of one environment.
#[derive(Debug, Default)]
pub(crate) struct Cutover {
    /// Files to change (the model, the old pipelines), by path: old text, new text.
    pub edits: BTreeMap<String, (String, String)>,
    /// What the edits do, one line each (`file:line: …`).
    pub disabled: Vec<String>,
    /// Old deploy steps to remove by hand, with why.
    pub by_hand: Vec<String>,
    /// Cluster credentials the old jobs of this environment hold: revoke them once it runs.
    pub credentials: Vec<String>,
    /// Credentials the whole pipeline holds: revoke them after the last environment.
    pub shared_credentials: Vec<String>,
}

/// A byte range of one file replaced by a text.
type Replace = (usize, usize, String);

/// Plans the cutover of `env` in the repository at `root`, whose model text is `model`; `named`
/// says how the model names the environments the analysis found. `force` allows an environment
/// while a lower one is still suspended.
pub(crate) fn plan(
    analysis: &Analysis,
    root: &Path,
    model: &str,
    named: &[Named],
    env: &str,
    force: bool,
) -> Result<Cutover, String> {
    let mut cutover = Cutover::default();
    if let Some(resumed) = resume(model, env, force)? {
        cutover.edits.insert(
            crate::model::FILE_NAME.to_owned(),
            (model.to_owned(), resumed),
        );
    }
    let found: BTreeSet<&str> = named
        .iter()
        .filter(|n| n.name == env)
        .map(|n| n.found.as_str())
        .collect();
    // As the draft named it, or spelled so that it becomes the same name (`Staging`): the
    // analysis also reads the generated pipelines, whose `staging` may have taken the name first.
    let ours = |e: &Option<String>| {
        e.as_deref().is_some_and(|e| {
            found.contains(e) || dns_label_from(e).is_some_and(|label| label == env)
        })
    };
    let mut replaces: BTreeMap<String, Vec<Replace>> = BTreeMap::new();
    // (pipeline file, job id): ids are unique within a file only.
    let mut jobs_of_env: BTreeSet<(String, String)> = BTreeSet::new();
    // A step written once (a template, an anchor) for jobs of several environments has no
    // environment of its own: its jobs say which ones it deploys.
    let deploys_env = |s: &DeployStepOut| {
        ours(&s.environment)
            || jobs_of(analysis, &s.jobs, &s.pipelines).any(|job| ours(&job.environment))
    };
    for step in analysis.deploy_steps.iter().filter(|s| deploys_env(s)) {
        let place = format!("{}:{}", step.at.file, step.at.line);
        let outcome = match step.system {
            CiSystem::GithubActions => github_step(analysis, root, step, &ours),
            CiSystem::GitlabCi => gitlab_jobs(analysis, root, step, &ours),
            _ => Err("an edit there would be a guess: remove or disable the step".to_owned()),
        };
        for file in &step.pipelines {
            jobs_of_env.extend(step.jobs.iter().map(|job| (file.clone(), job.clone())));
        }
        match outcome {
            Ok(edits) => {
                for (file, replace, what) in edits {
                    let list = replaces.entry(file).or_default();
                    if !list.iter().any(|r| r.0 == replace.0) {
                        list.push(replace);
                        cutover.disabled.push(what);
                    }
                }
            }
            Err(why) => cutover
                .by_hand
                .push(format!("{place}: `{}`: {why}", step.command)),
        }
    }
    // A step no environment can be told for may deploy this one: a person checks.
    let known = |e: &Option<String>| {
        e.as_deref().is_some_and(|e| {
            let label = dns_label_from(e);
            named
                .iter()
                .any(|n| n.found == e || label.as_deref() == Some(n.name.as_str()))
        })
    };
    for step in analysis.deploy_steps.iter().filter(|s| {
        s.migratable
            && !known(&s.environment)
            && !jobs_of(analysis, &s.jobs, &s.pipelines).any(|job| known(&job.environment))
    }) {
        cutover.by_hand.push(format!(
            "{}:{}: `{}`: no environment could be told for it; check whether it deploys `{env}`",
            step.at.file, step.at.line, step.command
        ));
    }
    for (file, mut list) in replaces {
        let old = read(root, &file)?;
        let mut new = old.clone();
        list.sort_by_key(|r| std::cmp::Reverse(r.0));
        for (start, end, with) in list {
            new.replace_range(start..end, &with);
        }
        cutover.edits.insert(file, (old, new));
    }
    for cred in &analysis.credentials {
        let line = format!("`{}` ({}:{})", cred.name, cred.at.file, cred.at.line);
        match &cred.job {
            Some(job) if jobs_of_env.contains(&(cred.at.file.to_string(), job.clone())) => {
                cutover.credentials.push(line)
            }
            None => cutover.shared_credentials.push(line),
            Some(_) => {}
        }
    }
    Ok(cutover)
}

/// The model text with `env`'s `suspended: true` (and the note above it) removed; `None` when
/// it is not suspended. Refused while an earlier environment is still suspended, unless `force`.
pub(crate) fn resume(model: &str, env: &str, force: bool) -> Result<Option<String>, String> {
    let doc = crate::yaml::parse(model)
        .map_err(|e| format!("gitops-gen.yaml is not valid YAML: {e}"))?
        .into_iter()
        .next()
        .ok_or("gitops-gen.yaml is empty")?;
    let envs = doc
        .as_map()
        .and_then(|m| m.get("environments"))
        .and_then(Node::as_seq)
        .ok_or("gitops-gen.yaml has no `environments:` list")?;
    let suspended = |item: &Node| {
        item.as_map()
            .and_then(|m| m.get("suspended"))
            .and_then(Node::as_bool)
            == Some(true)
    };
    let at = envs
        .iter()
        .position(|item| name(item) == Some(env))
        .ok_or_else(|| format!("gitops-gen.yaml has no environment `{env}`"))?;
    if let Some(earlier) = envs[..at].iter().find(|item| !force && suspended(item)) {
        return Err(format!(
            "cut over `{}` first: environments are cut over in promotion order, lowest first \
             (--force cuts `{env}` over anyway)",
            name(earlier).unwrap_or_default()
        ));
    }
    let item = &envs[at];
    let Some((key, value)) = item.as_map().and_then(|m| m.get_entry("suspended")) else {
        return Ok(None);
    };
    if value.as_bool() != Some(true) {
        return Ok(None);
    }
    let first = item
        .as_map()
        .and_then(|m| m.entries().first())
        .map(|(k, _)| k.span.start);
    if first == Some(key.span.start) {
        return Err(format!(
            "environment `{env}` starts with `suspended:`; move `name:` first so the line can go"
        ));
    }
    let mut range = whole_lines(model, key.span.start, value.span.end);
    // The draft's note about the suspension goes with it.
    while range.start > 0 {
        let above = start_of_line(model, range.start - 1);
        let line = model[above..range.start].trim();
        if line.starts_with('#') && line.contains(SUSPENDED_NOTE) {
            range.start = above;
        } else {
            break;
        }
    }
    let mut out = model.to_owned();
    out.replace_range(range, "");
    Ok(Some(out))
}

/// The `name:` of an item of `environments:`.
fn name(item: &Node) -> Option<&str> {
    item.as_map()?.get("name")?.as_str()
}

/// The `if: false` of the GitHub step that runs `step`.
fn github_step(
    analysis: &Analysis,
    root: &Path,
    step: &DeployStepOut,
    ours: &dyn Fn(&Option<String>) -> bool,
) -> Result<Vec<(String, Replace, String)>, String> {
    let file = &step.at.file;
    let workflow = file.starts_with(".github/workflows/")
        || file.ends_with("action.yml")
        || file.ends_with("action.yaml");
    if !workflow {
        return Err(format!(
            "it is written in `{file}`, a script the workflow runs: remove the line there, or \
             disable the step that runs it"
        ));
    }
    let others = jobs_of(analysis, &step.jobs, &step.pipelines)
        .filter(|job| job.environment.is_some() && !ours(&job.environment))
        .count();
    if others > 0 {
        return Err("the step is shared with jobs of other environments".to_owned());
    }
    let text = read(root, file)?;
    let doc = parse(&text, file)?;
    let lines = LineIndex::new(&text);
    let item = steps_of(&doc)
        .find(|item| {
            lines.line_number(item.span.start) <= step.at.line
                && step.at.line <= lines.line_number(item.span.end.max(item.span.start))
        })
        .ok_or_else(|| format!("no step of `{file}` holds line {}", step.at.line))?;
    let from = lines.line_number(item.span.start);
    let to = lines.line_number(item.span.end);
    if analysis
        .images
        .iter()
        .any(|i| i.at.file == *file && (from..=to).contains(&i.at.line))
    {
        return Err("the step builds images too: remove its deploy lines by hand".to_owned());
    }
    let map = item.as_map().ok_or("the step is not a mapping")?;
    let note = "gitops-gen migrate --phase cutover: the operator deploys this environment now";
    let what = format!("{file}:{from}: step disabled (`if: false`)");
    match map.get_entry("if") {
        Some((_, value)) if value.as_bool() == Some(false) => Ok(Vec::new()),
        Some((key, value)) => {
            let (start, end) = value_range(&text, key, value);
            let old = text[start..end].trim();
            if old.contains('\n') {
                return Err("its `if:` spans several lines: disable it by hand".to_owned());
            }
            let old = old.split(" #").next().unwrap_or(old).trim();
            Ok(vec![(
                file.to_string(),
                (start, end, format!(" false  # {note}; it ran `if: {old}`")),
                what,
            )])
        }
        None => {
            let (first, _) = map.entries().first().ok_or("an empty step")?;
            let indent = " ".repeat(column(&text, first.span.start));
            let at = first.span.start;
            Ok(vec![(
                file.to_string(),
                (at, at, format!("if: false  # {note}\n{indent}")),
                what,
            )])
        }
    }
}

/// Every step of every job of a workflow, and of a composite action.
fn steps_of(doc: &Node) -> impl Iterator<Item = &Node> {
    let map = doc.as_map();
    let jobs = map
        .and_then(|m| m.get("jobs"))
        .and_then(Node::as_map)
        .into_iter()
        .flat_map(|jobs| jobs.iter().map(|(_, job)| job));
    let composite = map.and_then(|m| m.get("runs")).into_iter();
    jobs.chain(composite)
        .filter_map(|holder| holder.as_map()?.get("steps")?.as_seq())
        .flatten()
}

/// The GitLab jobs of `env` that run `step`, hidden.
fn gitlab_jobs(
    analysis: &Analysis,
    root: &Path,
    step: &DeployStepOut,
    ours: &dyn Fn(&Option<String>) -> bool,
) -> Result<Vec<(String, Replace, String)>, String> {
    let mut edits = Vec::new();
    let single = step.jobs.len() == 1;
    for job in jobs_of(analysis, &step.jobs, &step.pipelines) {
        let mine = ours(&job.environment) || (job.environment.is_none() && single);
        if !mine {
            continue;
        }
        if analysis.images.iter().any(|i| i.job == job.id) {
            return Err(format!(
                "job `{}` builds images too: remove its deploy lines by hand",
                job.id
            ));
        }
        let text = read(root, &job.file)?;
        let doc = parse(&text, &job.file)?;
        let top = doc.as_map().ok_or("the pipeline is not a mapping")?;
        let needed = top.iter().any(|(_, other)| {
            other
                .as_map()
                .and_then(|m| m.get("needs"))
                .is_some_and(|needs| {
                    needs.as_seq().unwrap_or_default().iter().any(|n| {
                        n.as_str() == Some(&job.id)
                            || n.as_map().and_then(|m| m.get("job")).and_then(Node::as_str)
                                == Some(&job.id)
                    })
                })
        });
        if needed {
            return Err(format!(
                "another job `needs:` job `{}`: disable it by hand",
                job.id
            ));
        }
        let Some((key, _)) = top.get_entry(&job.id) else {
            return Err(format!(
                "job `{}` is not at the top of `{}`",
                job.id, job.file
            ));
        };
        let start = start_of_line(&text, key.span.start);
        let note = format!(
            "# Hidden by gitops-gen migrate --phase cutover: the operator deploys this \
             environment now; remove the dot to run `{}` again.\n",
            job.id
        );
        edits.push((
            job.file.to_string(),
            (start, key.span.start, format!("{note}.")),
            format!("{}:{}: job `{}` hidden", job.file, job.line, job.id),
        ));
    }
    if edits.is_empty() {
        return Err("no job of this environment was found to disable".to_owned());
    }
    Ok(edits)
}

/// The jobs named `ids` in the pipelines `files`.
fn jobs_of<'a>(
    analysis: &'a Analysis,
    ids: &'a [String],
    files: &'a [String],
) -> impl Iterator<Item = &'a JobOut> {
    analysis
        .pipelines
        .iter()
        .filter(move |p| files.contains(&p.file))
        .flat_map(|p| &p.jobs)
        .filter(move |j| ids.contains(&j.id))
}

fn parse(text: &str, file: &str) -> Result<Node, String> {
    crate::yaml::parse(text)
        .map_err(|e| format!("`{file}` is not valid YAML: {e}"))?
        .into_iter()
        .next()
        .filter(|d| matches!(d.value, Value::Map(_)))
        .ok_or_else(|| format!("`{file}` is not a mapping"))
}

fn read(root: &Path, file: &str) -> Result<String, String> {
    read_text(root, Path::new(file), Symlinks::InsideRoot, MAX_FILE_BYTES)
        .map_err(|why| format!("`{file}` {why}"))
}

#[cfg(test)]
mod tests;
