//! The pipeline's structure: stages, jobs (deployment jobs and their strategy hooks included),
//! steps and variables, and the job needs that stage order implies.

use super::condition;
use super::template::{expression_inner, is_expression};
use super::{Lower, Scope, StageCtx, StageInfo};
use crate::files::Code;
use crate::read::pipeline::{ConditionalValue, EnvironmentRef, Step};
use crate::read::support::{SourceText, empty_job, key_text, reference_stem, scalar, scalars};
use crate::yaml::{Mapping, Node, Value};

impl Lower<'_> {
    pub(super) fn root(&mut self, map: &Mapping, scope: &Scope) {
        if let Some(vars) = map.get("variables") {
            let plain = self.variables(vars, scope);
            self.pipeline.variables.extend(plain);
            let conditional = conditional_variables(&scope.st, vars);
            self.pipeline.conditional_variables.extend(conditional);
        }
        if let Some(stages) = map.get("stages") {
            self.stages(stages, scope);
        } else if let Some(jobs) = map.get("jobs") {
            self.jobs(jobs, scope, &StageCtx::default());
        } else if let Some((key, steps)) = map.get_entry("steps") {
            let mut job = empty_job("job".to_owned(), "job".to_owned(), scope.st.loc(key));
            self.steps(steps, scope, &mut job.steps);
            job.manual |= has_manual_validation(&job.steps);
            self.pipeline.jobs.push(job);
        } else if let Some(extends) = map.get("extends") {
            let template = extends.as_map().and_then(|m| m.get("template"));
            let args = extends.as_map().and_then(|m| m.get("parameters"));
            if let Some(template) = template {
                self.unread_template(template, scope, &StageCtx::default());
            }
            if let Some(template) = template
                && let Some((doc, inner)) = self.load_template(template, args, scope)
                && let Some(m) = doc.as_map()
            {
                self.root(m, &inner);
            }
        }
    }

    /// A pipeline, stages or jobs template of another repository (`extends: template:
    /// deploy-api-dev.yml@pipelines`) cannot be read: it stands as one job that extends it, named
    /// after the template's file, with what the caller knows (its stage, conditions, triggers).
    fn unread_template(&mut self, template: &Node, sc: &Scope, ctx: &StageCtx) {
        let Some(reference) = scalar(template).filter(|t| is_remote(t)) else {
            return;
        };
        let stem = reference_stem(&reference);
        let id = match &ctx.name {
            Some(stage) => format!("{stage}/{stem}"),
            None => stem.to_owned(),
        };
        let mut job = empty_job(id, stem.to_owned(), sc.st.loc(template));
        job.stage.clone_from(&ctx.name);
        job.manual = ctx.manual;
        job.conditions.extend(ctx.conditions.iter().cloned());
        job.variables.extend(ctx.variables.iter().cloned());
        job.extends_unread.push(reference);
        self.pipeline.jobs.push(job);
    }

    pub(super) fn stages(&mut self, node: &Node, scope: &Scope) {
        for (item, sc) in self.expand(node, scope, "`stages`") {
            let Some(m) = item.as_map() else {
                self.shape(&sc.st, &item, "a stage", "a mapping");
                continue;
            };
            if let Some(template) = m.get("template") {
                self.unread_template(template, &sc, &StageCtx::default());
                if let Some((doc, inner)) = self.load_template(template, m.get("parameters"), &sc)
                    && let Some(stages) = doc.as_map().and_then(|d| d.get("stages"))
                {
                    self.stages(stages, &inner);
                }
                continue;
            }
            self.stage(m, &item, &sc);
        }
    }

    pub(super) fn stage(&mut self, m: &Mapping, item: &Node, sc: &Scope) {
        let name = m
            .get("stage")
            .and_then(scalar)
            .unwrap_or_else(|| format!("stage{}", self.stages.len() + 1));
        let mut ctx = StageCtx {
            name: Some(name.clone()),
            ..StageCtx::default()
        };
        if let Some(cond) = m.get("condition") {
            ctx.conditions = condition::conditions(&sc.st, cond, &self.pipeline.variables);
        }
        if let Some(vars) = m.get("variables") {
            ctx.variables = self.variables(vars, sc);
        }
        ctx.manual = m.get("trigger").and_then(scalar).as_deref() == Some("manual");
        let depends = m
            .get("dependsOn")
            .map(|d| scalars(d).into_iter().map(|(s, _)| s).collect());
        let first = self.pipeline.jobs.len();
        match m.get("jobs") {
            Some(jobs) => self.jobs(jobs, sc, &ctx),
            None => {
                let d = sc.st.diag(
                    Code::AzureShape,
                    format!("stage `{name}` has no `jobs`"),
                    item,
                );
                self.diagnostics.push(d);
            }
        }
        let last = self.pipeline.jobs.len();
        self.stages.push(StageInfo {
            name,
            jobs: (first..last).collect(),
            depends,
        });
    }

    pub(super) fn jobs(&mut self, node: &Node, scope: &Scope, ctx: &StageCtx) {
        for (item, sc) in self.expand(node, scope, "`jobs`") {
            let Some(m) = item.as_map() else {
                self.shape(&sc.st, &item, "a job", "a mapping");
                continue;
            };
            if let Some(template) = m.get("template") {
                self.unread_template(template, &sc, ctx);
                if let Some((doc, inner)) = self.load_template(template, m.get("parameters"), &sc)
                    && let Some(jobs) = doc.as_map().and_then(|d| d.get("jobs"))
                {
                    self.jobs(jobs, &inner, ctx);
                }
                continue;
            }
            self.job(m, &item, &sc, ctx);
        }
    }

    pub(super) fn job(&mut self, m: &Mapping, item: &Node, sc: &Scope, ctx: &StageCtx) {
        let (key_node, deployment) = match (m.get("job"), m.get("deployment")) {
            (_, Some(d)) => (Some(d), true),
            (j, None) => (j, false),
        };
        let key = key_node.and_then(scalar).unwrap_or_else(|| {
            // Azure names an anonymous job `Job`, `Job1`, ... within its stage.
            format!("job{}", self.pipeline.jobs.len() + 1)
        });
        let prefix = |k: &str| match &ctx.name {
            Some(stage) => format!("{stage}/{k}"),
            None => k.to_owned(),
        };
        let name = m.get("displayName").and_then(scalar).unwrap_or(key.clone());
        let mut job = empty_job(prefix(&key), name, sc.st.loc(key_node.unwrap_or(item)));
        job.stage.clone_from(&ctx.name);
        job.manual = ctx.manual;
        job.conditions.extend(ctx.conditions.iter().cloned());
        if let Some(cond) = m.get("condition") {
            job.conditions.extend(condition::conditions(
                &sc.st,
                cond,
                &self.pipeline.variables,
            ));
        }
        if let Some(deps) = m.get("dependsOn") {
            job.needs = scalars(deps).into_iter().map(|(s, _)| prefix(&s)).collect();
        }
        job.variables.extend(ctx.variables.iter().cloned());
        if let Some(vars) = m.get("variables") {
            let vars = self.variables(vars, sc);
            job.variables.extend(vars);
        }
        if let Some(steps) = m.get("steps") {
            self.steps(steps, sc, &mut job.steps);
        }
        if deployment {
            if let Some(env) = m.get("environment") {
                job.environment = environment(&sc.st, env).map(Box::new);
            }
            if let Some(strategy) = m.get("strategy") {
                self.strategy(strategy, sc, &mut job.steps);
            }
        } else if let Some(matrix) = m
            .get("strategy")
            .and_then(Node::as_map)
            .and_then(|s| s.get("matrix"))
        {
            job.matrix = matrix_axes(matrix);
        }
        job.manual |= has_manual_validation(&job.steps);
        self.pipeline.jobs.push(job);
    }

    /// `strategy: runOnce|rolling|canary:` hooks, in the order Azure runs them.
    pub(super) fn strategy(&mut self, node: &Node, sc: &Scope, out: &mut Vec<Step>) {
        let Some(m) = node.as_map() else {
            self.shape(&sc.st, node, "`strategy`", "a mapping");
            return;
        };
        for (_, kind) in m {
            let Some(hooks) = kind.as_map() else { continue };
            for hook in ["preDeploy", "deploy", "routeTraffic", "postRouteTraffic"] {
                if let Some(steps) = hooks
                    .get(hook)
                    .and_then(Node::as_map)
                    .and_then(|h| h.get("steps"))
                {
                    self.steps(steps, sc, out);
                }
            }
            if let Some(on) = hooks.get("on").and_then(Node::as_map) {
                for outcome in ["failure", "success"] {
                    if let Some(steps) = on
                        .get(outcome)
                        .and_then(Node::as_map)
                        .and_then(|h| h.get("steps"))
                    {
                        self.steps(steps, sc, out);
                    }
                }
            }
        }
    }

    pub(super) fn steps(&mut self, node: &Node, scope: &Scope, out: &mut Vec<Step>) {
        for (item, sc) in self.expand(node, scope, "`steps`") {
            let Some(m) = item.as_map() else {
                self.shape(&sc.st, &item, "a step", "a mapping");
                continue;
            };
            let name = m.get("displayName").and_then(scalar);
            // The step's own `condition:`, typed as a job's.
            let when = m
                .get("condition")
                .map(|c| condition::conditions(&sc.st, c, &self.pipeline.variables))
                .unwrap_or_default();
            let first = out.len();
            self.step(m, &sc, name, out);
            for step in &mut out[first..] {
                step.when_mut().extend(when.iter().cloned());
            }
        }
    }

    /// One step of a `steps:` list, appended to `out` (several for a steps template).
    fn step(&mut self, m: &Mapping, sc: &Scope, name: Option<String>, out: &mut Vec<Step>) {
        if let Some(template) = m.get("template") {
            // A steps template of another repository cannot be read; the step that calls
            // it is kept as a packaged step, its parameters as inputs.
            if let Some(reference) = scalar(template).filter(|t| is_remote(t)) {
                let with = m
                    .get("parameters")
                    .and_then(Node::as_map)
                    .map(|p| sc.st.pairs(p))
                    .unwrap_or_default();
                out.push(Step::Action {
                    name,
                    uses: reference,
                    with,
                    loc: sc.st.loc(template),
                    when: Vec::new(),
                });
            }
            if let Some((doc, inner)) = self.load_template(template, m.get("parameters"), sc)
                && let Some(steps) = doc.as_map().and_then(|d| d.get("steps"))
            {
                self.steps(steps, &inner, out);
            }
            return;
        }
        if let Some(task) = m.get("task") {
            let with = m
                .get("inputs")
                .and_then(Node::as_map)
                .map(|i| sc.st.pairs(i))
                .unwrap_or_default();
            let uses = scalar(task).unwrap_or_default();
            let inputs = m.get("inputs").and_then(Node::as_map);
            let run = inputs.and_then(|i| script_task(&sc.st, name.clone(), &uses, i));
            out.push(Step::Action {
                name,
                uses,
                with,
                loc: sc.st.loc(task),
                when: Vec::new(),
            });
            out.extend(run);
            return;
        }
        if let Some(script) = ["script", "bash", "pwsh", "powershell"]
            .iter()
            .find_map(|k| m.get(k))
        {
            match sc.st.script(name, script) {
                Some(mut step) => {
                    // `workingDirectory:` is where the script starts.
                    if let Step::Script { dir, .. } = &mut step {
                        *dir = m.get("workingDirectory").and_then(scalar);
                    }
                    out.push(step);
                }
                None => self.shape(&sc.st, script, "a script", "a string"),
            }
            return;
        }
        let Some((k, v)) = m.entries().first() else {
            return;
        };
        let uses = key_text(k);
        if matches!(
            uses.as_str(),
            "checkout" | "download" | "downloadBuild" | "publish" | "getPackage" | "reviewApp"
        ) {
            let with = m
                .iter()
                .filter(|(k, _)| key_text(k) != "displayName")
                .filter_map(|(k, v)| Some((key_text(k), scalar(v)?)))
                .collect();
            out.push(Step::Action {
                name,
                uses,
                with,
                loc: sc.st.loc(v),
                when: Vec::new(),
            });
        } else {
            let d = sc.st.diag(
                Code::AzureUnknownStep,
                format!("unknown step kind `{uses}`"),
                k,
            );
            self.diagnostics.push(d);
        }
    }

    pub(super) fn variables(&mut self, node: &Node, scope: &Scope) -> Vec<(String, String)> {
        let st = &scope.st;
        match &node.value {
            // `${{ if }}` blocks are [`conditional_variables`].
            Value::Map(m) => m
                .iter()
                .filter(|(k, _)| !is_expression(k))
                .filter_map(|(k, v)| Some((k.scalar_text()?, st.value_text(v))))
                .collect(),
            Value::Seq(items) => {
                let mut out = Vec::new();
                for item in items {
                    let Some(m) = item.as_map() else { continue };
                    if let Some(group) = m.get("group").and_then(scalar) {
                        out.push(("group".to_owned(), group));
                    } else if let Some(template) = m.get("template") {
                        if let Some((doc, inner)) =
                            self.load_template(template, m.get("parameters"), scope)
                            && let Some(vars) = doc.as_map().and_then(|d| d.get("variables"))
                        {
                            out.extend(self.variables(vars, &inner));
                        }
                    } else if let Some(name) = m.get("name").and_then(scalar) {
                        let value = m.get("value").map(|v| st.value_text(v)).unwrap_or_default();
                        out.push((name, value));
                    }
                }
                out
            }
            _ => {
                self.shape(st, node, "`variables`", "a mapping or a sequence");
                Vec::new()
            }
        }
    }

    /// Turns stage `dependsOn` (explicit, or the previous stage by default) into job needs.
    pub(super) fn stage_needs(&mut self) {
        for (i, stage) in self.stages.iter().enumerate() {
            let depends: Vec<&str> = match &stage.depends {
                Some(d) => d.iter().map(String::as_str).collect(),
                None if i > 0 => vec![self.stages[i - 1].name.as_str()],
                None => Vec::new(),
            };
            let mut needs = Vec::new();
            for dep in depends {
                for other in self.stages.iter().filter(|s| s.name == dep) {
                    for &j in &other.jobs {
                        if let Some(job) = self.pipeline.jobs.get(j) {
                            needs.push(job.id.clone());
                        }
                    }
                }
            }
            for &j in &stage.jobs {
                if let Some(job) = self.pipeline.jobs.get_mut(j) {
                    for n in &needs {
                        if !job.needs.contains(n) {
                            job.needs.push(n.clone());
                        }
                    }
                }
            }
        }
    }
}

/// `environment: name.resource` or `environment: { name, resourceName }`.
pub(super) fn environment(st: &SourceText, node: &Node) -> Option<EnvironmentRef> {
    let at = match node.as_map() {
        Some(m) => m.get("name")?,
        None => node,
    };
    let text = scalar(at)?;
    // The part after the first dot names a resource inside the environment; a dot inside a
    // template expression (`${{ parameters.env }}`, `$(env.name)`) is not that dot.
    let name = resource_dot(&text).map_or(text.as_str(), |at| &text[..at]);
    Some(EnvironmentRef {
        name: name.to_owned(),
        url: None,
        action: None,
        tier: None,
        on_stop: None,
        auto_stop_in: None,
        loc: st.loc(at),
    })
}

/// The variables `${{ if }}` / `${{ elseif }}` / `${{ else }}` blocks set, in the mapping form
/// (`variables: { ${{ if c }}: { NAME: value } }`) and the list form (`- ${{ if c }}:` then
/// `- name: NAME` / `value: value`). An `${{ if }}` starts a new chain; `elseif` and `else`
/// continue it.
fn conditional_variables(st: &SourceText, node: &Node) -> Vec<ConditionalValue> {
    let blocks: Vec<(&Node, &Node)> = match &node.value {
        Value::Map(m) => m.iter().filter(|(k, _)| is_expression(k)).collect(),
        Value::Seq(items) => items
            .iter()
            .filter_map(Node::as_map)
            .filter(|m| m.len() == 1)
            .flat_map(|m| m.iter())
            .filter(|(k, _)| is_expression(k))
            .collect(),
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for (key, body) in blocks {
        let Some(inner) = expression_inner(key) else {
            continue;
        };
        let (when, otherwise) = if let Some(c) = inner.strip_prefix("elseif ") {
            (condition::alternatives(st, key, c), false)
        } else if let Some(c) = inner.strip_prefix("if ") {
            (condition::alternatives(st, key, c), false)
        } else if inner == "else" {
            (Vec::new(), true)
        } else {
            continue;
        };
        let pairs: Vec<(String, String, &Node)> = match &body.value {
            Value::Map(m) => m
                .iter()
                .filter_map(|(k, v)| Some((k.scalar_text()?, st.value_text(v), v)))
                .collect(),
            Value::Seq(items) => items
                .iter()
                .filter_map(Node::as_map)
                .filter_map(|m| {
                    let v = m.get("value")?;
                    Some((scalar(m.get("name")?)?, st.value_text(v), v))
                })
                .collect(),
            _ => Vec::new(),
        };
        for (name, value, at) in pairs {
            out.push(ConditionalValue {
                name,
                value,
                when: when.clone(),
                otherwise,
                loc: st.loc(at),
            });
        }
    }
    out
}

/// The byte offset of the first `.` outside `${{ }}` and `$( )`.
fn resource_dot(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            // An opening bracket counts inside an expression, or right after `$`.
            b'{' | b'(' if depth > 0 || (i > 0 && bytes[i - 1] == b'$') => depth += 1,
            b'}' | b')' => depth = depth.saturating_sub(1),
            b'.' if depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

/// `matrix: { config: { VAR: value } }` as one axis per variable.
pub(super) fn matrix_axes(node: &Node) -> Vec<(String, Vec<String>)> {
    let mut axes: Vec<(String, Vec<String>)> = Vec::new();
    for (_, config) in node.as_map().map(Mapping::entries).unwrap_or_default() {
        for (k, v) in config.as_map().map(Mapping::entries).unwrap_or_default() {
            let (name, value) = (key_text(k), scalar(v).unwrap_or_default());
            match axes.iter_mut().find(|(n, _)| *n == name) {
                Some((_, values)) => values.push(value),
                None => axes.push((name, vec![value])),
            }
        }
    }
    axes
}

pub(super) fn has_manual_validation(steps: &[Step]) -> bool {
    steps
        .iter()
        .any(|s| matches!(s, Step::Action { uses, .. } if uses.starts_with("ManualValidation@")))
}

/// The script a script task runs (`Bash@3`, `CmdLine@2`, `PowerShell@2`, `AzureCLI@2`,
/// `AzurePowerShell@5`, `ShellScript@2`), as the script step it is a long spelling of: the inline
/// text (`script`, `inlineScript`, `Inline`), or the script file it runs (`filePath`,
/// `scriptPath`, relative to the default working directory) with its `arguments`; in
/// `workingDirectory` (`cwd`) when given.
fn script_task(
    st: &SourceText,
    name: Option<String>,
    uses: &str,
    inputs: &Mapping,
) -> Option<Step> {
    let task = uses.split('@').next().unwrap_or(uses).to_ascii_lowercase();
    const SCRIPT_TASKS: &[&str] = &[
        "bash",
        "cmdline",
        "powershell",
        "azurecli",
        "azurepowershell",
        "shellscript",
        // The AWS Toolkit's: `inlineScript` or `filePath` with `arguments`.
        "awsshellscript",
        "awspowershellmodulescript",
    ];
    if !SCRIPT_TASKS.contains(&task.as_str()) {
        return None;
    }
    let input = |names: &[&str]| {
        inputs.iter().find_map(|(k, v)| {
            let k = k.scalar_text()?;
            names
                .iter()
                .any(|n| n.eq_ignore_ascii_case(&k))
                .then_some(v)
        })
    };
    let dir = input(&["workingDirectory", "cwd"]).and_then(scalar);
    let mut step = if let Some(inline) = input(&["script", "inlineScript", "Inline"]) {
        st.script(name, inline)?
    } else {
        let file = input(&["filePath", "scriptPath", "ScriptPath"])?;
        let mut text = scalar(file)?;
        // The file is found from the default working directory, wherever it then runs.
        let relative = !text.starts_with(['/', '$', '~']) && !text.contains(":\\");
        if dir.is_some() && relative {
            text = format!("$(System.DefaultWorkingDirectory)/{text}");
        }
        if let Some(args) = input(&["arguments", "args", "ScriptArguments"]).and_then(scalar) {
            text = format!("{text} {args}");
        }
        st.script_text(name, text, file)
    };
    if let Step::Script { dir: d, .. } = &mut step {
        *d = dir;
    }
    Some(step)
}

/// A template reference to another repository (`path@repo`, `repo` not `self`).
fn is_remote(reference: &str) -> bool {
    reference
        .rsplit_once('@')
        .is_some_and(|(_, repo)| repo.trim() != "self")
}

#[cfg(test)]
mod tests {
    use super::resource_dot;

    #[test]
    fn the_resource_dot_is_outside_expressions() {
        let name = |t: &'static str| resource_dot(t).map_or(t, |at| &t[..at]);
        assert_eq!(name("staging.telemetry"), "staging");
        assert_eq!(name("production"), "production");
        assert_eq!(
            name("${{ parameters.environment }}"),
            "${{ parameters.environment }}"
        );
        assert_eq!(name("${{ parameters.env }}.web"), "${{ parameters.env }}");
        assert_eq!(name("$(env.name).web"), "$(env.name)");
        assert_eq!(name("a)}.b"), "a)}");
    }
}
