//! READ stage: lowers Azure Pipelines YAML (`azure-pipelines.yml`) into a [`Pipeline`].
//!
//! All three shapes are read (single job with `steps:`, `jobs:`, `stages:`), deployment jobs
//! included: their `environment:` becomes an [`EnvironmentRef`](crate::read::EnvironmentRef)
//! and the lifecycle hooks of their `strategy:` become steps in run order. Local `template:` references are read from the
//! repository and expanded in place; `${{ parameters.x }}` is substituted in the template's
//! strings (spans keep pointing at the template), and list-valued parameters (`stepList`,
//! `jobList`) are expanded where they are used, keeping the caller's locations. Templates in
//! other repositories (`file.yml@repo`) are recorded as [`Unresolved`](crate::read::Unresolved).
//!
//! This file holds the reader, its state and the triggers; `structure` lowers stages, jobs and
//! steps, `template` expands templates and template expressions, `condition` reads `condition:`.

mod condition;
mod structure;

pub(crate) use condition::accessed;
mod template;

use std::collections::HashSet;
use std::rc::Rc;

use crate::files::{Code, Diagnostic, RepoFiles};
use crate::read::pipeline::{CiSystem, Pipeline, Trigger, TriggerKind};
use crate::yaml::{Mapping, Node, Value};

use super::support::{SourceText, YamlFile, YamlFormat, scalar, scalars};

/// How deep templates may include templates before we assume a cycle.
const MAX_TEMPLATE_DEPTH: usize = 12;

/// Reader for Azure Pipelines YAML files.
pub(crate) struct AzureReader;

impl YamlFormat for AzureReader {
    const SYSTEM: CiSystem = CiSystem::AzurePipelines;
    const SHAPE: Code = Code::AzureShape;
    const WHAT: &'static str = "pipeline";

    fn claims(path: &str) -> bool {
        let yaml = path.ends_with(".yml") || path.ends_with(".yaml");
        let in_dir = |dir: &str| {
            path.strip_prefix(dir)
                .is_some_and(|rest| !rest.contains('/') && yaml)
        };
        // `azure-pipelines.yml`, numbered or suffixed (`azure-pipelines-1.yml`, what Azure
        // DevOps names a second pipeline), at any depth of a monorepo; not inside a
        // `templates` folder, where files are steps or jobs a pipeline includes.
        let name = path.rsplit('/').next().unwrap_or(path);
        let in_templates = || path.split('/').any(|part| part == "templates");
        (name.starts_with("azure-pipelines") && yaml && !in_templates())
            || in_dir(".azure-pipelines/")
            || in_dir(".azuredevops/")
    }

    /// A pipeline under any other name (`06-azure-pipelines.yml`, `app/cd-prod.yml`): a root
    /// mapping with a pipeline-level `trigger:`, `pr:` or `pool:` and `stages:`, `jobs:` or
    /// `steps:` lists of mappings, or an `extends:` of a template (a pipeline may be all
    /// template, as Azure's required-template checks ask for). Other CI formats never have that
    /// shape: GitHub's `jobs` is a mapping, GitLab's `stages` a list of names, Drone's files
    /// say `kind:`; an Azure template has no trigger or pool of its own. Such text that is not
    /// valid YAML is recognised too, and read, so its problem is reported.
    fn recognises(path: &str, text: &str) -> bool {
        // `key:` at the start of a line, found without going through the lines.
        let starts = |keys: &[&str]| {
            keys.iter().any(|k| {
                text.starts_with(&k[1..])
                    || memchr::memmem::find(text.as_bytes(), k.as_bytes()).is_some()
            })
        };
        if !starts(&["\ntrigger:", "\npr:", "\npool:", "\nresources:"])
            || !starts(&["\nstages:", "\njobs:", "\nsteps:", "\nextends:"])
        {
            return false;
        }
        // Text shaped like a pipeline that does not parse is read anyway, so the reader reports
        // why it cannot be analysed instead of skipping it in silence.
        // (Not in a `templates` folder, where a Helm chart's Go templates never parse.)
        let Ok(parsed) = crate::yaml::parse_with(text, &crate::yaml::Limits::default()) else {
            return !path.split('/').any(|part| part == "templates");
        };
        let Some(root) = parsed.documents.first().and_then(Node::as_map) else {
            return false;
        };
        let lists_of_maps = |key: &str| {
            root.get(key).map(|node| {
                node.as_seq()
                    .is_some_and(|items| items.iter().all(|i| i.as_map().is_some()))
            })
        };
        let bodies: Vec<bool> = ["stages", "jobs", "steps"]
            .iter()
            .filter_map(|k| lists_of_maps(k))
            .collect();
        let pipeline_level = ["trigger", "pr", "pool"]
            .iter()
            .any(|k| root.get(k).is_some())
            || root.get("resources").is_some_and(azure_resources);
        let other_format = ["on", "kind", "apiVersion"]
            .iter()
            .any(|k| root.get(k).is_some());
        let extends = root
            .get("extends")
            .and_then(Node::as_map)
            .is_some_and(|e| e.get("template").is_some());
        pipeline_level
            && !other_format
            && bodies.iter().all(|ok| *ok)
            && (!bodies.is_empty() || extends)
    }

    /// A file shaped as a pipeline with none of a pipeline's own keys (`cd.yml` holding
    /// `stages:` of `- stage:` items, `deploy-preprod.yml` holding `jobs:` of `- job:` items):
    /// Azure runs such a pipeline on every branch, but a template has the same shape. Not one
    /// that declares `parameters:` (a template's inputs) or sits in a `templates` folder, and
    /// every item must be Azure's: stages of `stage:`, jobs of `job:` or `deployment:`, steps
    /// of `task:`, `script:`, `bash:`, `pwsh:`, `powershell:`, `checkout:` and the like, with
    /// `template:` items beside them. Whether a pipeline includes it decides the rest.
    fn pipeline_unless_included(path: &str, text: &str) -> bool {
        if path.split('/').any(|part| part == "templates") {
            return false;
        }
        let at_line_start = |key: &str| {
            text.starts_with(key)
                || memchr::memmem::find(text.as_bytes(), format!("\n{key}").as_bytes()).is_some()
        };
        if !["stages:", "jobs:", "steps:"]
            .iter()
            .any(|k| at_line_start(k))
        {
            return false;
        }
        let Ok(parsed) = crate::yaml::parse_with(text, &crate::yaml::Limits::default()) else {
            return false;
        };
        let Some(root) = parsed.documents.first().and_then(Node::as_map) else {
            return false;
        };
        let foreign = [
            "parameters",
            "extends",
            "trigger",
            "pr",
            "pool",
            "on",
            "kind",
            "apiVersion",
        ];
        if foreign.iter().any(|k| root.get(k).is_some()) {
            return false;
        }
        const STEP_KEYS: &[&str] = &[
            "task",
            "script",
            "bash",
            "pwsh",
            "powershell",
            "checkout",
            "download",
            "downloadBuild",
            "getPackage",
            "publish",
            "reviewApp",
        ];
        let items_of = |key: &str, own: &[&str]| -> Option<bool> {
            let items = root.get(key)?.as_seq()?;
            let mut any_own = false;
            for item in items {
                let map = item.as_map()?;
                if own.iter().any(|k| map.get(k).is_some()) {
                    any_own = true;
                } else if map.get("template").is_none() {
                    return Some(false);
                }
            }
            Some(any_own)
        };
        let bodies = [
            ("stages", &["stage"][..]),
            ("jobs", &["job", "deployment"][..]),
            ("steps", STEP_KEYS),
        ];
        let present: Vec<bool> = bodies
            .iter()
            .filter(|(key, _)| root.get(key).is_some())
            .map(|(key, own)| items_of(key, own).unwrap_or(false))
            .collect();
        !present.is_empty() && present.iter().all(|ok| *ok)
    }

    /// `- template: deploy-stages.yml`, `template: jobs/deploy.yml@self`: the file name,
    /// without folders or repository, of each `template:` line.
    fn templates_named(text: &str, out: &mut HashSet<String>) {
        for line in text.lines() {
            let Some((_, value)) = line.split_once("template:") else {
                continue;
            };
            let value = value.trim().trim_matches(|c| c == '\'' || c == '"');
            let value = value.split('@').next().unwrap_or(value).trim();
            if let Some(name) = value.rsplit('/').next().filter(|n| !n.is_empty()) {
                out.insert(name.to_owned());
            }
        }
    }

    fn lower(file: YamlFile<'_>, root: &Mapping) -> Pipeline {
        let mut lower = Lower {
            repo: file.repo,
            diagnostics: file.diagnostics,
            pipeline: file.pipeline,
            stages: Vec::new(),
            repeated: 0,
        };
        let params = list_defaults(&file.st, root);
        let scope = Scope {
            st: file.st,
            params: Rc::new(params),
            depth: 0,
        };
        lower.triggers(root, &scope);
        lower.root(root, &scope);
        lower.stage_needs();
        lower.pipeline
    }
}

/// Whether a root `resources:` is Azure's: a mapping of `repositories`, `pipelines`,
/// `containers`, `builds`, `packages` or `webhooks`, or the older list of `- repo: self`
/// (Azure's starter pipelines have it and no `trigger:`). Concourse's `resources:` lists
/// `name`/`type` items, which are neither.
fn azure_resources(node: &Node) -> bool {
    const KINDS: &[&str] = &[
        "repositories",
        "pipelines",
        "containers",
        "builds",
        "packages",
        "webhooks",
    ];
    match (node.as_map(), node.as_seq()) {
        (Some(m), _) => KINDS.iter().any(|k| m.get(k).is_some()),
        (None, Some(items)) => {
            !items.is_empty()
                && items
                    .iter()
                    .all(|i| i.as_map().is_some_and(|m| m.get("repo").is_some()))
        }
        _ => false,
    }
}

/// A template parameter value and the file it was written in.
#[derive(Clone, Debug)]
struct Param {
    node: Node,
    st: SourceText,
}

/// Where a node being lowered comes from: its file and the template parameters in force.
#[derive(Clone, Debug)]
struct Scope {
    st: SourceText,
    params: Rc<Vec<(String, Param)>>,
    depth: usize,
}

impl Scope {
    fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|(n, _)| n == name).map(|(_, p)| p)
    }
}

/// A stage as far as ordering goes: name, its jobs, and what it waits for (`None`: the
/// previous stage, Azure's default).
struct StageInfo {
    name: String,
    jobs: Vec<usize>,
    depends: Option<Vec<String>>,
}

/// Stage-level settings inherited by the stage's jobs.
#[derive(Default, Clone)]
struct StageCtx {
    name: Option<String>,
    conditions: Vec<Trigger>,
    variables: Vec<(String, String)>,
    manual: bool,
}

struct Lower<'a> {
    repo: &'a dyn RepoFiles,
    diagnostics: &'a mut Vec<Diagnostic>,
    pipeline: Pipeline,
    stages: Vec<StageInfo>,
    /// Nodes `${{ each }}` bodies were repeated into so far, see `template::MAX_REPEATED`.
    repeated: usize,
}

impl Lower<'_> {
    fn shape(&mut self, st: &SourceText, node: &Node, what: &str, expected: &str) {
        self.diagnostics
            .push(st.shape(Code::AzureShape, node, what, expected));
    }

    // ----- triggers -------------------------------------------------------------------------

    fn triggers(&mut self, root: &Mapping, scope: &Scope) {
        let st = &scope.st;
        let mut out = Vec::new();
        match root.get_entry("trigger") {
            // No `trigger:` means a CI trigger on every branch.
            None => out.push(st.every_push()),
            Some((key, value)) => out.extend(ref_filters(st, key, value, TriggerKind::Branch)),
        }
        let pr = root.get_entry("pr");
        if let Some((key, value)) = pr {
            out.extend(ref_filters(st, key, value, TriggerKind::PullRequest));
        }
        if let Some(schedules) = root.get("schedules") {
            for s in schedules.as_seq().unwrap_or_default() {
                if let Some(cron) = s.as_map().and_then(|m| m.get("cron")) {
                    out.push(st.trigger(TriggerKind::Schedule, scalar(cron), false, cron));
                }
            }
        }
        let pipelines = root
            .get("resources")
            .and_then(Node::as_map)
            .and_then(|r| r.get("pipelines"))
            .and_then(Node::as_seq)
            .unwrap_or_default();
        for p in pipelines {
            let Some(m) = p.as_map() else { continue };
            // Only a resource with a trigger starts this pipeline; others just supply artifacts.
            let enabled = match m.get("trigger") {
                None => false,
                Some(t) => !matches!(scalar(t).as_deref(), Some("none" | "false")),
            };
            if enabled {
                let at = m.get("source").or_else(|| m.get("pipeline")).unwrap_or(p);
                out.push(st.trigger(TriggerKind::Upstream, scalar(at), false, at));
            }
        }
        // `trigger: none` with no PR or schedule trigger: the pipeline runs when someone starts
        // it ("Run pipeline"), choosing the runtime parameters that list their `values:` (each
        // a manual input with those choices, as a GitHub dispatch input), besides when a
        // pipeline it has as a resource completes.
        if out.iter().all(|t| t.kind == TriggerKind::Upstream)
            && let Some((key, _)) = root.get_entry("trigger")
        {
            let before = out.len();
            out.extend(runtime_choices(st, root));
            if out.len() == before {
                out.push(st.trigger(TriggerKind::Manual, None, false, key));
            }
        }
        // No `pr:` means pull requests to any branch start the pipeline (for GitHub and
        // Bitbucket Cloud repositories, where YAML PR triggers apply), whatever `trigger:` says.
        if pr.is_none() {
            out.push(st.unwritten(TriggerKind::PullRequest));
        }
        self.pipeline.triggers.extend(out);
    }
}

/// The root's `parameters:` declarations that are mappings (`- name: ENV ...`).
fn declared_parameters(root: &Mapping) -> impl Iterator<Item = &Mapping> {
    root.get("parameters")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_map)
}

/// The root's parameters whose default is a list (`type: object`, looped over by
/// `${{ each env in parameters.environments }}` or inserted whole), as the pipeline runs them
/// when nobody overrides them. A scalar default is left alone: a runtime parameter someone
/// chooses at a manual start names one environment per choice ([`runtime_choices`]).
fn list_defaults(st: &SourceText, root: &Mapping) -> Vec<(String, Param)> {
    declared_parameters(root)
        .filter_map(|m| {
            let name = m.get("name").and_then(scalar)?;
            let default = m.get("default").filter(|d| d.as_seq().is_some())?;
            let param = Param {
                node: default.clone(),
                st: st.clone(),
            };
            Some((name, param))
        })
        .collect()
}

/// The runtime parameters (`parameters: [{name: ENV, values: [dev, prod]}]` at the root) that
/// offer a choice, as manual triggers named for the parameter.
fn runtime_choices(st: &SourceText, root: &Mapping) -> Vec<Trigger> {
    declared_parameters(root)
        .filter_map(|m| {
            let name = m.get("name")?;
            let choices: Vec<String> = m
                .get("values")
                .and_then(Node::as_seq)?
                .iter()
                .filter_map(scalar)
                .collect();
            (!choices.is_empty()).then(|| Trigger {
                choices,
                ..st.trigger(TriggerKind::Manual, scalar(name), false, name)
            })
        })
        .collect()
}

/// `trigger:`/`pr:` as `none`, a list of branches, or `{ branches: { include, exclude },
/// tags: { include, exclude } }`.
fn ref_filters(st: &SourceText, key: &Node, value: &Node, kind: TriggerKind) -> Vec<Trigger> {
    let mut out = Vec::new();
    match &value.value {
        Value::Map(m) => {
            for (section, kind) in [("branches", kind.clone()), ("tags", TriggerKind::Tag)] {
                let Some(filter) = m.get(section) else {
                    continue;
                };
                if kind == TriggerKind::Tag && section == "tags" && filter.as_seq().is_some() {
                    // Old shorthand `tags: [v*]`.
                    for (p, at) in scalars(filter) {
                        out.push(st.trigger(TriggerKind::Tag, Some(p), false, at));
                    }
                    continue;
                }
                let Some(fm) = filter.as_map() else {
                    for (p, at) in scalars(filter) {
                        out.push(st.trigger(kind.clone(), Some(p), false, at));
                    }
                    continue;
                };
                // An `exclude:` without `include:` includes every branch (or tag) but those.
                if !fm.contains_key("include") && fm.contains_key("exclude") {
                    out.push(st.trigger(kind.clone(), None, false, filter));
                }
                for (word, negated) in [("include", false), ("exclude", true)] {
                    for (p, at) in fm.get(word).map(scalars).unwrap_or_default() {
                        out.push(st.trigger(kind.clone(), Some(p), negated, at));
                    }
                }
            }
            if !m.contains_key("branches") && !m.contains_key("tags") {
                out.push(st.trigger(kind, None, false, key));
            }
        }
        // `- none` alone is read as `none`: Azure takes it for a branch named `none`, which a
        // repository does not have, so the pipeline has no such trigger either way.
        Value::Seq(items) if matches!(items.as_slice(), [only] if scalar(only).as_deref() == Some("none")) =>
            {}
        Value::Seq(_) => {
            for (p, at) in scalars(value) {
                out.push(st.trigger(kind.clone(), Some(p), false, at));
            }
        }
        _ => match scalar(value).as_deref() {
            Some("none" | "false") => {}
            _ => out.push(st.trigger(kind, None, false, key)),
        },
    }
    out
}

#[cfg(test)]
mod tests;
