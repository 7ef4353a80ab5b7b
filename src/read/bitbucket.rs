//! READ stage: lowers `bitbucket-pipelines.yml` into a [`Pipeline`].
//!
//! Bitbucket selects a whole list of steps by what started the run: `default` (any branch push
//! without a more specific entry), `branches: <glob>`, `tags: <glob>`, `pull-requests: <glob>`
//! and `custom: <name>` (started by hand). Each selector becomes a pipeline trigger, and every
//! step under it becomes a [`Job`] carrying that trigger as its condition. Steps run in order,
//! so each job needs the step (or the `parallel:` group) before it. `definitions: steps:` are
//! YAML anchors, already resolved by the YAML layer.

use crate::files::{Code, Diagnostic};
use crate::read::pipeline::{
    CiSystem, EnvironmentRef, Job, Pipeline, Step, Trigger, TriggerKind, Unresolved,
};
use crate::yaml::{Mapping, Node, Value};

use super::support::{
    JobIds, SourceText, YamlFile, YamlFormat, key_text, scalar, scalars, single_entry,
};

/// Reader for Bitbucket Pipelines configuration.
pub(crate) struct BitbucketReader;

impl YamlFormat for BitbucketReader {
    const SYSTEM: CiSystem = CiSystem::BitbucketPipelines;
    const SHAPE: Code = Code::BitbucketShape;
    const WHAT: &'static str = "configuration";

    /// `bitbucket-pipelines.yml` at the root, or in a folder of a monorepo.
    fn claims(path: &str) -> bool {
        path.rsplit('/').next() == Some("bitbucket-pipelines.yml")
            && !path.split('/').any(|part| part == ".git")
    }

    fn lower(file: YamlFile<'_>, root: &Mapping) -> Pipeline {
        let mut lower = Lower {
            st: file.st,
            diagnostics: file.diagnostics,
            pipeline: file.pipeline,
            ids: JobIds::default(),
        };
        lower.definitions(root);
        match root.get("pipelines") {
            Some(p) => lower.pipelines(p),
            None => {
                let message = "the configuration has no `pipelines` section".to_owned();
                let loc = lower.st.loc_span(file.root_span);
                lower
                    .diagnostics
                    .push(Diagnostic::new(Code::BitbucketShape, message, loc));
            }
        }
        start_in_own_folder(&mut lower.pipeline);
        lower.pipeline
    }
}

/// Bitbucket runs a pipeline in the root of the clone, where `bitbucket-pipelines.yml` is: the
/// file of a folder (`api/bitbucket-pipelines.yml`, a repository kept inside another) starts its
/// scripts in that folder, so `./scripts/deploy.sh` is `api/scripts/deploy.sh`.
fn start_in_own_folder(pipeline: &mut Pipeline) {
    let Some((folder, _)) = pipeline.file.rsplit_once('/') else {
        return;
    };
    for step in pipeline.jobs.iter_mut().flat_map(|j| j.steps.iter_mut()) {
        if let Step::Script { dir, .. } = step {
            dir.get_or_insert_with(|| folder.to_owned());
        }
    }
}

struct Lower<'a> {
    st: SourceText,
    diagnostics: &'a mut Vec<Diagnostic>,
    pipeline: Pipeline,
    ids: JobIds,
}

/// One selector (`branches: main`) being lowered: its trigger and job-id prefix.
struct Section {
    prefix: String,
    trigger: Trigger,
    /// Steps seen so far, for index-based ids.
    count: usize,
    /// Jobs the next step waits for.
    previous: Vec<String>,
}

/// Settings a `stage:` passes to its steps.
#[derive(Default)]
struct StageCtx<'n> {
    name: Option<String>,
    deployment: Option<&'n Node>,
    manual: bool,
}

impl Lower<'_> {
    fn shape(&mut self, node: &Node, what: &str, expected: &str) {
        let d = self.st.shape(Code::BitbucketShape, node, what, expected);
        self.diagnostics.push(d);
    }

    fn definitions(&mut self, root: &Mapping) {
        let services = root
            .get("definitions")
            .and_then(Node::as_map)
            .and_then(|d| d.get("services"))
            .and_then(Node::as_map);
        for (k, _) in services.map(Mapping::entries).unwrap_or_default() {
            self.pipeline
                .variables
                .push(("service".to_owned(), key_text(k)));
        }
    }

    fn pipelines(&mut self, node: &Node) {
        let Some(map) = node.as_map() else {
            self.shape(node, "`pipelines`", "a mapping");
            return;
        };
        for (key, value) in map {
            let section = key_text(key);
            match section.as_str() {
                "default" => {
                    let trigger = self.st.trigger(TriggerKind::Branch, None, false, key);
                    self.section("default".to_owned(), trigger, value);
                }
                "branches" | "tags" | "pull-requests" | "custom" => {
                    let kind = match section.as_str() {
                        "branches" => TriggerKind::Branch,
                        "tags" => TriggerKind::Tag,
                        "pull-requests" => TriggerKind::PullRequest,
                        _ => TriggerKind::Manual,
                    };
                    let Some(patterns) = value.as_map() else {
                        self.shape(value, &format!("`{section}`"), "a mapping");
                        continue;
                    };
                    for (pk, pv) in patterns {
                        let pattern = key_text(pk);
                        let mut trigger =
                            self.st
                                .trigger(kind.clone(), Some(pattern.clone()), false, pk);
                        if kind == TriggerKind::Manual {
                            trigger.choices = custom_choices(pv);
                        }
                        self.section(format!("{section}/{pattern}"), trigger, pv);
                    }
                }
                other => {
                    let d = self.st.diag(
                        Code::BitbucketShape,
                        format!("unknown pipelines section `{other}`"),
                        key,
                    );
                    self.diagnostics.push(d);
                }
            }
        }
    }

    fn section(&mut self, prefix: String, trigger: Trigger, items: &Node) {
        self.pipeline.triggers.push(trigger.clone());
        // Shared pipelines (`import: name:repo:branch`) live in another repository.
        if let Some(import) = items.as_map().and_then(|m| m.get("import")) {
            self.pipeline.unresolved.push(Unresolved {
                kind: "import".to_owned(),
                reference: scalar(import).unwrap_or_default(),
                loc: self.st.loc(import),
            });
            return;
        }
        let Some(items) = items.as_seq() else {
            self.shape(items, &format!("pipeline `{prefix}`"), "a sequence");
            return;
        };
        let mut section = Section {
            prefix,
            trigger,
            count: 0,
            previous: Vec::new(),
        };
        for item in items {
            let Some((k, v)) = single_entry(item) else {
                self.shape(item, "a pipeline item", "a mapping");
                continue;
            };
            match key_text(k).as_str() {
                "step" => {
                    let id = self.step(&mut section, k, v, &StageCtx::default());
                    section.previous = id.into_iter().collect();
                }
                "parallel" => {
                    let steps = match &v.value {
                        Value::Map(m) => m.get("steps"),
                        _ => Some(v),
                    };
                    let mut group = Vec::new();
                    for s in steps.and_then(Node::as_seq).unwrap_or_default() {
                        if let Some((sk, sv)) =
                            single_entry(s).filter(|(k, _)| key_text(k) == "step")
                        {
                            group.extend(self.step(&mut section, sk, sv, &StageCtx::default()));
                        }
                    }
                    section.previous = group;
                }
                "stage" => self.stage(&mut section, v),
                // Custom pipeline inputs; read by `custom_choices`.
                "variables" => {}
                other => {
                    let d = self.st.diag(
                        Code::BitbucketShape,
                        format!("unknown pipeline item `{other}`"),
                        k,
                    );
                    self.diagnostics.push(d);
                }
            }
        }
    }

    fn stage(&mut self, section: &mut Section, node: &Node) {
        let Some(m) = node.as_map() else {
            self.shape(node, "`stage`", "a mapping");
            return;
        };
        let ctx = StageCtx {
            name: m.get("name").and_then(scalar),
            deployment: m.get("deployment"),
            manual: m.get("trigger").and_then(scalar).as_deref() == Some("manual"),
        };
        let mut first = true;
        for s in m.get("steps").and_then(Node::as_seq).unwrap_or_default() {
            let Some((k, v)) = single_entry(s).filter(|(k, _)| key_text(k) == "step") else {
                continue;
            };
            // A manual stage waits for a person before its first step only.
            let ctx = StageCtx {
                manual: ctx.manual && first,
                name: ctx.name.clone(),
                deployment: ctx.deployment,
            };
            first = false;
            let id = self.step(section, k, v, &ctx);
            section.previous = id.into_iter().collect();
        }
    }

    /// Lowers one `step:`; returns its job id.
    fn step(
        &mut self,
        section: &mut Section,
        key: &Node,
        node: &Node,
        stage: &StageCtx<'_>,
    ) -> Option<String> {
        section.count += 1;
        let Some(m) = node.as_map() else {
            self.shape(node, "`step`", "a mapping");
            return None;
        };
        let name = m.get("name").and_then(scalar);
        let base = format!(
            "{}/{}",
            section.prefix,
            name.clone().unwrap_or_else(|| section.count.to_string())
        );
        let id = self.ids.unique(base);
        let mut job = Job {
            id: id.clone(),
            name: name.unwrap_or_else(|| id.clone()),
            stage: stage.name.clone(),
            needs: section.previous.clone(),
            environment: None,
            conditions: vec![section.trigger.clone()],
            manual: stage.manual || m.get("trigger").and_then(scalar).as_deref() == Some("manual"),
            matrix: Vec::new(),
            variables: Vec::new(),
            outputs: Vec::new(),
            through: Vec::new(),
            steps: Vec::new(),
            extends_unread: Vec::new(),
            loc: self.st.loc(key),
        };
        let deployment = m.get("deployment").or(stage.deployment);
        if let Some(d) = deployment
            && let Some(env) = scalar(d)
        {
            job.environment = Some(Box::new(EnvironmentRef {
                name: env,
                url: None,
                action: None,
                tier: None,
                on_stop: None,
                auto_stop_in: None,
                loc: self.st.loc(d),
            }));
        }
        for (s, _) in m.get("services").map(scalars).unwrap_or_default() {
            job.variables.push(("service".to_owned(), s));
        }
        match m.get("script") {
            Some(script) => self.script(script, None, &mut job.steps),
            None => {
                let d = self.st.diag(
                    Code::BitbucketShape,
                    format!("step `{id}` has no `script`"),
                    key,
                );
                self.diagnostics.push(d);
            }
        }
        if let Some(after) = m.get("after-script") {
            self.script(after, Some("after-script"), &mut job.steps);
        }
        self.pipeline.jobs.push(job);
        Some(id)
    }

    fn script(&mut self, node: &Node, name: Option<&str>, out: &mut Vec<Step>) {
        let Some(items) = node.as_seq() else {
            self.shape(node, "`script`", "a sequence");
            return;
        };
        for item in items {
            if let Some(pipe) = item.as_map().and_then(|m| m.get("pipe")) {
                let with = item
                    .as_map()
                    .and_then(|m| m.get("variables"))
                    .and_then(Node::as_map)
                    .map(|v| self.st.pairs(v))
                    .unwrap_or_default();
                out.push(Step::Action {
                    name: name.map(str::to_owned),
                    uses: scalar(pipe).unwrap_or_default(),
                    with,
                    loc: self.st.loc(pipe),
                    when: Vec::new(),
                });
                continue;
            }
            match self.st.script(name.map(str::to_owned), item) {
                Some(step) => out.push(step),
                None => self.shape(item, "a script line", "a string or a pipe"),
            }
        }
    }
}

/// `allowed-values` of a custom pipeline's `- variables:` entry, in order.
fn custom_choices(items: &Node) -> Vec<String> {
    let mut out = Vec::new();
    for item in items.as_seq().unwrap_or_default() {
        let Some(vars) = item.as_map().and_then(|m| m.get("variables")) else {
            continue;
        };
        for var in vars.as_seq().unwrap_or_default() {
            if let Some(allowed) = var.as_map().and_then(|m| m.get("allowed-values")) {
                out.extend(scalars(allowed).into_iter().map(|(s, _)| s));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
