//! READ stage: a merged GitLab configuration lowered into pipeline parts: workflow triggers,
//! global variables, and jobs with `extends:`, `!reference`, `default:` and child pipelines
//! applied.

use super::context::Ctx;
use super::include::{load_include, local_includes};
use super::job::{lower_job, variables_of};
use super::resolve::Resolver;
use super::rules::from_rules;
use super::value::{Kind, Val, merge, merge_into};
use crate::files::{Code, Loc, Span};
use crate::read::pipeline::{Job, Trigger, TriggerKind};

/// Top-level keys that configure the pipeline rather than name a job. (`pages` is a job.)
const RESERVED: &[&str] = &[
    "stages",
    "types",
    "variables",
    "default",
    "include",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
    "spec",
];

/// Deprecated top-level forms of `default:` keys.
const GLOBAL_DEFAULTS: &[&str] = &[
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
];

/// Child pipelines followed below the root (GitLab allows two levels of nesting).
const MAX_CHILD_DEPTH: usize = 4;

/// What one configuration (the root or a child pipeline) lowers into.
pub(super) struct Lowered {
    pub(super) name: Option<String>,
    pub(super) triggers: Vec<Trigger>,
    pub(super) variables: Vec<(String, String)>,
    pub(super) jobs: Vec<Job>,
}

/// Lowers `config`. `files` holds the file of this configuration and of the pipelines that
/// triggered it, to catch child pipelines that trigger themselves.
pub(super) fn lower_config(ctx: &mut Ctx<'_>, config: &Val, files: &mut Vec<String>) -> Lowered {
    let mut resolver = Resolver::new(config);
    let variables = config
        .get("variables")
        .cloned()
        .and_then(|v| resolver.references(ctx, v))
        .map(|v| variables_of(&v))
        .unwrap_or_default();
    let defaults = defaults(ctx, &mut resolver, config);
    let workflow = config
        .get("workflow")
        .cloned()
        .and_then(|w| resolver.references(ctx, w));
    let name = workflow
        .as_ref()
        .and_then(|w| w.get("name"))
        .and_then(Val::text)
        .map(str::to_owned);
    // Without `workflow: rules`, GitLab runs a branch pipeline for every push to any branch and
    // a tag pipeline for every tag (merge request pipelines need rules that ask for them).
    let triggers = workflow
        .as_ref()
        .and_then(|w| w.get("rules"))
        .map(|r| from_rules(ctx, r).0)
        .unwrap_or_else(|| {
            let at = Loc::new(files.first().map_or("", String::as_str), Span::empty(0));
            vec![
                Trigger::new(TriggerKind::Branch, None, false, at.clone()),
                Trigger::new(TriggerKind::Tag, None, false, at),
            ]
        });
    let mut jobs = Vec::new();
    // Whether each job is this pipeline's own (not a child pipeline's), and its blocking
    // manual jobs.
    let mut own: Vec<bool> = Vec::new();
    let mut gates = Vec::new();
    // Whether an include could not be read, asked once: the includes are read before the jobs.
    let unread_include = ctx
        .unresolved
        .iter()
        .any(|u| u.kind.starts_with("include:"));
    for entry in config.entries() {
        let key = entry.key.as_str();
        if RESERVED.contains(&key) || key.starts_with('.') {
            continue;
        }
        if !entry.value.is_map() {
            let message = format!(
                "`{key}` is not a job: expected a mapping, found {}",
                kind_name(&entry.value)
            );
            ctx.diag(Code::GitlabJobInvalid, message, entry.key_at);
            continue;
        }
        let Some(extended) = resolver.extended(ctx, key) else {
            continue;
        };
        let Some(mut job) = resolver.references(ctx, extended) else {
            continue;
        };
        if job.get("rules").is_some_and(super::rules::never_runs) {
            continue;
        }
        inherit_defaults(&mut job, &defaults);
        let globals = inherited_variables(&job, &variables);
        let mut lowered = lower_job(ctx, key, entry.key_at, &job, &globals);
        lowered.extends_unread = resolver.unread(key).to_vec();
        // A job with no script, trigger or run of its own completes the job of the same name of
        // an include that cannot be read (GitLab merges the two, and a job needs one of them):
        // that job is what it runs.
        if lowered.extends_unread.is_empty()
            && ["script", "trigger", "run"]
                .iter()
                .all(|k| job.get(k).is_none())
            && unread_include
        {
            lowered.extends_unread.push(key.to_owned());
        }
        gates.extend(super::gate::gate(&job, &lowered));
        jobs.push(lowered);
        own.push(true);
        if let Some(trigger) = job.get("trigger") {
            child_jobs(ctx, key, trigger, files, &mut jobs);
            // A child pipeline's jobs have stages of their own.
            own.resize(jobs.len(), false);
        }
    }
    super::gate::hold_back(config, &gates, &mut jobs, &own);
    resolver.finish(ctx);
    Lowered {
        name,
        triggers,
        variables,
        jobs,
    }
}

fn kind_name(v: &Val) -> &'static str {
    match v.kind {
        Kind::Null => "nothing",
        Kind::Scalar(_) => "a scalar",
        Kind::Seq(_) => "a sequence",
        Kind::Map(_) => "a mapping",
    }
}

/// `default:` merged over the deprecated top-level `image:`, `before_script:`, ... keys.
fn defaults(ctx: &mut Ctx<'_>, resolver: &mut Resolver<'_>, config: &Val) -> Val {
    let mut out = Val::empty_map(config.at);
    for key in GLOBAL_DEFAULTS {
        if let Some(e) = config.entry(key) {
            out.set(key, e.key_at, e.value.clone());
        }
    }
    if let Some(default) = config.get("default").filter(|d| d.is_map()) {
        out = merge(out, default.clone());
    }
    let at = out.at;
    resolver
        .references(ctx, out)
        .unwrap_or_else(|| Val::empty_map(at))
}

/// Whether `inherit:` lets the job take `key` from `section` (`default` or `variables`):
/// `true`/absent takes all, `false` none, a list only the keys it names.
fn inherits(job: &Val, section: &str, key: &str) -> bool {
    let Some(setting) = job.get("inherit").and_then(|i| i.get(section)) else {
        return true;
    };
    match &setting.kind {
        Kind::Scalar(s) => s != "false",
        Kind::Seq(items) => items.iter().any(|i| i.text() == Some(key)),
        Kind::Null | Kind::Map(_) => true,
    }
}

/// Adds the `default:` keys the job does not set itself and `inherit:` allows.
fn inherit_defaults(job: &mut Val, defaults: &Val) {
    for entry in defaults.entries() {
        if job.get(&entry.key).is_none() && inherits(job, "default", &entry.key) {
            job.set(&entry.key, entry.key_at, entry.value.clone());
        }
    }
}

fn inherited_variables(job: &Val, globals: &[(String, String)]) -> Vec<(String, String)> {
    globals
        .iter()
        .filter(|(name, _)| inherits(job, "variables", name))
        .cloned()
        .collect()
}

/// A `trigger:` job: a child pipeline from local files adds its jobs as `<parent>/<child>`;
/// a downstream project is recorded as unresolved.
fn child_jobs(
    ctx: &mut Ctx<'_>,
    parent: &str,
    trigger: &Val,
    files: &mut Vec<String>,
    jobs: &mut Vec<Job>,
) {
    if let Some(project) = trigger.text() {
        ctx.record_unresolved("trigger:project", project.to_owned(), trigger.at);
        return;
    }
    if let Some(project) = trigger.get("project") {
        let mut reference = project.text().unwrap_or_default().to_owned();
        if let Some(branch) = trigger.get("branch").and_then(Val::text) {
            reference = format!("{reference}@{branch}");
        }
        ctx.record_unresolved("trigger:project", reference, project.at);
        return;
    }
    let Some(include) = trigger.get("include") else {
        return;
    };
    let locals = local_includes(ctx, include);
    if locals.is_empty() {
        return;
    }
    if files.len() > MAX_CHILD_DEPTH {
        let message = format!(
            "child pipelines nest deeper than {MAX_CHILD_DEPTH} levels; `{parent}` is not followed"
        );
        ctx.diag(Code::GitlabTriggerDepth, message, include.at);
        return;
    }
    let mut config = None;
    for (path, at) in &locals {
        if let Some(v) = load_include(ctx, path, *at, files) {
            config = merge_into(config, v);
        }
    }
    let Some(config) = config else {
        return;
    };
    let pushed = locals.len();
    let child_files: Vec<String> = locals.into_iter().map(|(p, _)| p).collect();
    files.extend(child_files.iter().cloned());
    let child = lower_config(ctx, &config, files);
    files.truncate(files.len().saturating_sub(pushed));
    jobs.extend(child.jobs.into_iter().map(|mut job| {
        job.through.splice(0..0, child_files.iter().cloned());
        job.id = format!("{parent}/{}", job.id);
        job.name = job.id.clone();
        for need in &mut job.needs {
            *need = format!("{parent}/{need}");
        }
        job
    }));
}
