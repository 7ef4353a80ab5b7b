//! INFER stage: `environment-from-command` — environment names that deploy commands reveal:
//! `-n/--namespace`, `--context/--kube-context`, a tool's own environment option
//! (`helmfile -e prod`), values files (`values-prod.yaml`, `values.production.yaml`), overlay
//! paths (`overlays/prod`, `k8s/staging/`), and the cluster named in a `get-credentials`
//! command or step. A `$VAR` is resolved when the script or the job sets it to a plain value.

use std::collections::HashSet;

use crate::files::Loc;
use crate::infer::RuleId;
use crate::infer::commands::{chain_end, lone_var, resolve, resolve_vars};
use crate::infer::engine::{ActionSite, CommandSite, JobSite, Rule};
use crate::infer::environment_name::{Named, conditional_within, expand, expression_values};
use crate::infer::rules::deploy_action::library_deploy;
use crate::infer::rules::environment_name_from_command::name_command_hint;
use crate::infer::shell::{Command, EventFilter, Lookup, RefFilter, ScriptCondition, ScriptEvent};
use crate::infer::tier::is_dynamic;
use crate::infer::vocab::{self, ActionRole, DeployMatch, DeployTool};
use crate::infer::{Confidence, EnvironmentHint, Evidence, Facts, HintSource, JobKey};
use crate::read::{ConditionalValue, Pipeline, Trigger};

mod inputs;
mod paths;
mod rendered;
pub(crate) use inputs::input_name;
use inputs::{chosen_by_input, run_input};
use paths::{in_dir, path_hint};
use rendered::Rendered;

/// Deploy and credential commands and steps ⇒ [`EnvironmentHint`]s.
#[derive(Default)]
pub(crate) struct EnvironmentFromCommand {
    /// The (source, name as written, refs, events) already hinted for the current job: the
    /// first place that names it so is the evidence.
    seen: HashSet<(HintSource, String, Option<RefFilter>, Option<EventFilter>)>,
    /// The current pipeline's manual inputs that list their choices: (input, choices).
    choices: Vec<(String, Vec<String>)>,
    /// The current pipeline's variables set under conditions, then the current job's
    /// ([`expression_values`]), and the pipeline's triggers.
    conditional: (Vec<ConditionalValue>, Vec<Trigger>),
    /// How many of `conditional`'s values are the pipeline's.
    pipeline_values: usize,
    /// The current job's variables.
    vars: Vec<(String, String)>,
    /// The namespace the job last switched its kube config to (`oc project shop`), the command
    /// that did and where: a later deploy without a namespace of its own deploys there.
    switched: Option<(String, String, Loc)>,
    /// The kustomizations the current job rendered into files so far.
    rendered: Rendered,
}

/// Namespaces that are never an environment: the cluster's own. (`default` is where many
/// pipelines deploy their app; without a tier word it is only the weakest hint, used when
/// nothing else names the target.)
const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

/// One hint before it becomes a fact.
#[derive(Clone)]
struct Hint {
    name: String,
    /// Per-branch or per-PR whatever the name says (`jx preview`'s namespace).
    dynamic: bool,
    source: HintSource,
    confidence: Confidence,
    note: String,
    /// The branch or event the name holds on, when a condition chose it.
    refs: Option<RefFilter>,
    events: Option<EventFilter>,
    /// For a name that is a lone variable without a plain value, what it was last set from
    /// ([`chain_end`]: `${outputs.namespace}` of `-n $NS` after
    /// `NS=${{ steps.ns.outputs.namespace }}`).
    chain: Option<String>,
    /// One of several values of one variable, one of which has a tier word: named with the
    /// source's rank even without one.
    alike: bool,
}

impl Hint {
    /// A hint of `source` named `name`, holding wherever the command runs.
    fn new(name: String, source: HintSource, confidence: Confidence, note: String) -> Hint {
        Hint {
            name,
            dynamic: false,
            source,
            confidence,
            note,
            refs: None,
            events: None,
            chain: None,
            alike: false,
        }
    }

    /// A medium-confidence kube context or cluster hint.
    fn context(name: String, note: String) -> Hint {
        Hint::new(name, HintSource::Context, Confidence::Medium, note)
    }

    /// The hint holding only where `guard` (the `if` around the command, or its step's own
    /// condition) lets it run; the manual input that chooses it, when the guard tests one.
    fn hold_under(&mut self, guard: Option<&ScriptCondition>) -> Option<String> {
        match guard? {
            ScriptCondition::Ref(r) => self.refs = Some(r.clone()),
            ScriptCondition::Event(e) => self.events = Some(*e),
            ScriptCondition::Input { name, .. } => {
                self.events = Some(EventFilter {
                    event: ScriptEvent::Manual,
                    negated: false,
                });
                return Some(name.clone());
            }
        }
        None
    }
}

impl EnvironmentFromCommand {
    /// Records `hint` for `job` at `loc`, named by the tier word in it
    /// ([`name_command_hint`]), unless the job already has a hint with its source and name.
    fn emit(&mut self, job: &JobKey, hint: Hint, loc: Loc, facts: &mut Facts) {
        self.emit_chosen(job, hint, loc, Vec::new(), facts);
    }

    /// [`Self::emit`] for a name that a choice of `input` made, when one did.
    fn emit_chosen(
        &mut self,
        job: &JobKey,
        hint: Hint,
        loc: Loc,
        inputs: Vec<String>,
        facts: &mut Facts,
    ) {
        if hint.refs.is_none() && hint.events.is_none() && inputs.is_empty() {
            let (values, triggers) = &self.conditional;
            // A lone variable is looked up under what it was last set from.
            let target = hint.chain.clone().unwrap_or_else(|| hint.name.clone());
            let named = conditional_within(&target, values, triggers);
            if !named.is_empty() {
                // The values of one variable name their environments alike: when one has a
                // tier word, the others keep the source's rank too (`main-skilder` beside
                // `dev-skilder`).
                let source = hint.source;
                let alike = named.iter().any(|n| {
                    name_command_hint(source, false, n.name.clone(), String::new())
                        .is_some_and(|(named_as, ..)| named_as == source)
                });
                // `-n ${namespace}` where the pipeline sets `namespace` per branch: each value,
                // holding where it does.
                for n in named {
                    // The rest of the name from the job's variables (`$APP-` of `$APP-$TIER`).
                    let (name, _) = resolve_vars(&n.name, &self.vars);
                    let note = format!("{} (which is `{name}` {})", hint.note, n.describe());
                    let each = Hint {
                        name,
                        note,
                        refs: n.refs,
                        events: n.events,
                        chain: None,
                        alike,
                        ..hint.clone()
                    };
                    self.emit_chosen(job, each, loc.clone(), n.chosen_by, facts);
                }
                return;
            }
        }
        // A name that holds on other refs or events (two guarded scripts deploying to one
        // namespace, on `master` and on `development`) is a hint of its own.
        let key = (
            hint.source,
            hint.name.clone(),
            hint.refs.clone(),
            hint.events,
        );
        if !self.seen.insert(key) {
            return;
        }
        let chosen = chosen_by_input(&hint.name, &self.choices)
            .map(|(input, choices, written)| (input.to_owned(), choices.to_vec(), written));
        if let Some((input, choices, written)) = chosen {
            // `-f ${ENV}.yaml` or `-n shop-$ENV` with a choice parameter ENV: each choice names
            // an environment.
            for choice in choices {
                let note = format!("{} (`{input}` chooses `{choice}`)", hint.note);
                let hint = Hint::new(
                    hint.name.trim().replace(&written, &choice),
                    hint.source,
                    hint.confidence,
                    note,
                );
                self.emit_chosen(job, hint, loc.clone(), vec![input.clone()], facts);
            }
            return;
        }
        let dynamic = hint.dynamic || is_dynamic(&hint.name);
        let Some((mut source, name, note)) =
            name_command_hint(hint.source, dynamic, hint.name, hint.note)
        else {
            return;
        };
        if hint.alike && source == HintSource::NamespaceName {
            source = hint.source;
        }
        facts.environment_hints.push(EnvironmentHint {
            name,
            job: job.clone(),
            source,
            dynamic,
            events: hint.events,
            refs: hint.refs,
            chosen_by: inputs,
            evidence: Evidence::new(self.id(), loc, note, hint.confidence),
        });
    }

    /// [`Self::emit`] for a step's hint, holding where the step's own condition lets it run;
    /// an environment input written as an expression (`environment: ${{ inputs.environment ||
    /// 'integration' }}`) becomes the names it can take, each holding when it does
    /// ([`crate::infer::environment_name`]).
    fn emit_action(&mut self, a: &ActionSite<'_>, mut hint: Hint, facts: &mut Facts) {
        if hint.source != HintSource::Environment || !hint.name.contains("${{") {
            let input = hint.hold_under(ScriptCondition::of_step(a.when).as_ref());
            let inputs = input.into_iter().collect();
            return self.emit_chosen(&a.job.key, hint, a.loc.clone(), inputs, facts);
        }
        let named: Vec<Named> = expand(&hint.name, a.job.job, a.job.pipeline)
            .into_iter()
            .filter(|n| !n.name.contains("${{") && !n.name.trim().is_empty())
            .collect();
        // An expression none of whose values can be read names nothing.
        for n in named {
            // Each value once per condition: `integration` chosen, and `integration` otherwise.
            self.seen.insert((hint.source, n.name.clone(), None, None));
            let note = format!("{} (which can be `{}`)", hint.note, n.name);
            facts.environment_hints.push(EnvironmentHint {
                dynamic: is_dynamic(&n.name),
                name: n.name,
                job: a.job.key.clone(),
                source: hint.source,
                events: n.events,
                refs: n.refs,
                chosen_by: n.chosen_by,
                evidence: Evidence::new(self.id(), a.loc.clone(), note, hint.confidence),
            });
        }
    }
}

impl Rule for EnvironmentFromCommand {
    fn id(&self) -> RuleId {
        RuleId::EnvironmentFromCommand
    }

    // What a pipeline's jobs share is copied once per pipeline, not once per job: a workflow
    // of thousands of inputs and jobs would copy every input into every job.
    fn on_pipeline(&mut self, pipeline: &Pipeline, _facts: &mut Facts) {
        self.conditional = (
            pipeline.conditional_variables.clone(),
            pipeline.triggers.clone(),
        );
        self.pipeline_values = self.conditional.0.len();
        self.choices = pipeline
            .choice_inputs()
            .map(|(input, choices)| (input.to_owned(), choices.to_vec()))
            .collect();
    }

    /// A reusable workflow's namespace `${{ inputs.namespace }}` names its target only where
    /// no workflow of the repository calls it: each call names it in the caller's job.
    fn finish(&mut self, cx: &crate::infer::Context<'_>, facts: &mut Facts) {
        let called = crate::read::called_files(cx.pipelines);
        facts.environment_hints.retain(|h| {
            h.evidence.rule != self.id()
                || h.source != HintSource::NamespaceName
                || !h.name.contains("inputs.")
                || !called.contains(&*h.job.pipeline)
        });
    }

    fn on_job(&mut self, job: &JobSite<'_>, _facts: &mut Facts) {
        self.seen.clear();
        self.switched = None;
        self.rendered.clear();
        self.vars = job.vars.clone();
        self.conditional.0.truncate(self.pipeline_values);
        let chosen = expression_values(&job.vars, &job.job.loc);
        self.conditional.0.extend(chosen);
    }

    fn on_command(&mut self, c: &CommandSite<'_>, facts: &mut Facts) {
        let (unit, cmd, key) = (c.unit, c.cmd, &c.job.key);
        let resolve = |v: &str| resolve(v, unit, c.index);
        if let Some(m) = c.deploy {
            let command = unit.command_line(cmd);
            // Values earlier steps set per branch count with the pipeline's own.
            let pipeline_values = self.conditional.0.len();
            self.conditional.0.extend(unit.vars.on_branch());
            // A deploy in the branch of an `if` on the branch, event or a dispatch input runs
            // there only (`if [ "$CIRCLE_BRANCH" = main ]; then kubectl ...; fi`); so does one
            // in a step whose own condition tests them.
            let guard = unit.runs_under(cmd.start);
            let dir = unit.dir_at(c.index);
            let mut hints = deploy_hints(m, &command, &dir, resolve, &self.choices);
            hints.extend(self.rendered.hints(m, &dir, &command));
            for mut hint in hints {
                hint.chain = chain_end(&hint.name, unit, c.index);
                let input = hint.hold_under(guard.as_ref()).or_else(|| {
                    let var = lone_var(hint.chain.as_deref()?)?;
                    run_input(&unit.vars.value(var)?).map(str::to_owned)
                });
                self.emit_chosen(key, hint, unit.loc(cmd), input.into_iter().collect(), facts);
            }
            // The kube config's namespace, which an earlier command of the job switched to.
            let switched = self.switched.clone().filter(|_| m.namespace.is_none());
            if let Some((ns, by, at)) = switched {
                let say = |name: &str| {
                    format!("`{command}` deploys to namespace `{name}`, which `{by}` switched to")
                };
                if let Some(mut hint) = namespace_hint(&ns, resolve, say) {
                    hint.chain = chain_end(&hint.name, unit, c.index);
                    let input = hint.hold_under(guard.as_ref());
                    self.emit_chosen(key, hint, at, input.into_iter().collect(), facts);
                }
            }
            self.conditional.0.truncate(pipeline_values);
            if m.tool == DeployTool::Jx && m.operation == "preview" && m.namespace.is_none() {
                let hint = preview_hint(&command, &c.job.vars);
                self.emit(key, hint, unit.loc(cmd), facts);
            }
            return;
        }
        self.rendered.record(cmd, &unit.dir_at(c.index));
        if let Some(ns) = switched_namespace(cmd) {
            self.switched = Some((ns.to_owned(), unit.command_line(cmd), unit.loc(cmd)));
            return;
        }
        for cluster in c.credentials.iter().filter_map(|m| m.cluster.as_deref()) {
            let (name, how) = resolve(cluster);
            let command = unit.command_line(cmd);
            let note = format!("`{command}` fetches credentials for cluster `{name}`{how}");
            self.emit(key, Hint::context(name, note), unit.loc(cmd), facts);
        }
        let positionals = cmd.positionals(&["--kubeconfig"]);
        if matches!(cmd.program(), Some("kubectl" | "oc"))
            && positionals.starts_with(&["config", "use-context"])
            && let Some(ctx) = positionals.get(2)
            && let (name, how) = resolve(ctx)
            && name != "default"
        {
            let command = unit.command_line(cmd);
            let note = format!("`{command}` switches to kube context `{name}`{how}");
            self.emit(key, Hint::context(name, note), unit.loc(cmd), facts);
        }
    }

    /// Hints from packaged steps: deploy inputs and credential steps' cluster inputs.
    fn on_action(&mut self, a: &ActionSite<'_>, facts: &mut Facts) {
        let resolve = |v: &str| resolve_vars(v, &a.job.vars);
        let uses = a.uses.trim();
        let Some(spec) = a.spec else {
            // The OpenShift Client DSL's `openshift.withProject('shop-prod') { ... }`: the
            // project (namespace) the calls it wraps act on.
            if uses == "openshift.withProject"
                && let Some(hint) = vocab::input(a.with, &["namespace"]).and_then(|ns| {
                    namespace_hint(ns, resolve, |name| {
                        format!("`{uses}` sets project `{name}` for the calls it wraps")
                    })
                })
            {
                self.emit(&a.job.key, hint, a.loc.clone(), facts);
            }
            // A shared-library step named for deploying: its inputs may name the target.
            if let Some((m, ..)) = library_deploy(a) {
                for hint in deploy_hints(&m, uses, "", resolve, &self.choices) {
                    self.emit_action(a, hint, facts);
                }
            }
            return;
        };
        match spec.role {
            ActionRole::Deploy(..) => {
                if let Some(m) = vocab::classify_action_deploy(spec, a.with).filter(|m| !m.dry_run)
                {
                    // A job that declares its environment names it; a call's `ENV: uat` input
                    // is then only what the callee is told, not a second environment.
                    let declared = a.job.job.environment.is_some();
                    let mut hints = deploy_hints(&m, uses, "", resolve, &self.choices);
                    hints.extend(self.rendered.hints(&m, "", uses));
                    for hint in hints {
                        if declared && hint.source == HintSource::Environment {
                            continue;
                        }
                        self.emit_action(a, hint, facts);
                    }
                    // The step's environment input written as an expression, which the
                    // vocabulary leaves out: its values.
                    let expression = vocab::input(a.with, spec.environment)
                        .map(str::trim)
                        .filter(|v| v.contains("${{") && m.environment.is_none());
                    if let Some(written) = expression.filter(|_| !declared) {
                        let hint = Hint::new(
                            written.to_owned(),
                            HintSource::Environment,
                            Confidence::Medium,
                            format!("`{uses}` is given environment `{written}`"),
                        );
                        self.emit_action(a, hint, facts);
                    }
                }
            }
            ActionRole::Credential(_) => {
                if let Some(cluster) = vocab::input(a.with, spec.context) {
                    let (name, how) = resolve(cluster);
                    let note = format!("`{uses}` targets cluster or context `{name}`{how}");
                    self.emit(&a.job.key, Hint::context(name, note), a.loc.clone(), facts);
                }
                // The namespace a credential step sets for the commands it wraps
                // (`withKubeConfig(namespace: 'shop') { sh 'kubectl apply -f k8s/' }`).
                let ns = vocab::input(a.with, spec.namespace).and_then(|ns| {
                    namespace_hint(ns, resolve, |name| {
                        format!("`{uses}` sets namespace `{name}` for the commands it wraps")
                    })
                });
                if let Some(hint) = ns {
                    self.emit(&a.job.key, hint, a.loc.clone(), facts);
                }
            }
            ActionRole::Image(_) => {}
        }
    }
}

/// A namespace hint for `ns` (resolved), unless it is a cluster's own namespace or an option
/// (`--namespace`, which a script that takes its namespace as `$1` gets when called
/// `deploy.sh --namespace shop`: no namespace name starts with `-`); `say` writes the note's
/// start for the resolved name.
fn namespace_hint(
    ns: &str,
    resolve: impl Fn(&str) -> (String, String),
    say: impl Fn(&str) -> String,
) -> Option<Hint> {
    let (name, how) = resolve(ns);
    if SYSTEM_NAMESPACES.contains(&name.as_str()) || name.is_empty() || name.starts_with('-') {
        return None;
    }
    let note = format!("{}{how}", say(&name));
    Some(Hint::new(
        name,
        HintSource::Namespace,
        Confidence::Medium,
        note,
    ))
}

/// The namespace `cmd` makes the kube config's for the commands after it: `oc project shop`,
/// `kubectl config set-context --current --namespace=shop`, `kubens shop`.
fn switched_namespace(cmd: &Command) -> Option<&str> {
    let value_flags = [
        "--kubeconfig",
        "--context",
        "--server",
        "--token",
        "--namespace",
        "-n",
    ];
    let positionals = cmd.positionals(&value_flags);
    let name = match (cmd.program()?, positionals.as_slice()) {
        ("oc", ["project", name]) | ("kubens", [name]) => *name,
        ("kubectl" | "oc", ["config", "set-context", ..]) => cmd.arg_after(&["--namespace"])?,
        _ => return None,
    };
    (!name.is_empty() && name != "-").then_some(name)
}

/// Hints from one recognised deploy: namespace, context, tool environment, paths. A relative
/// path is read from `dir`, the folder the command runs in (`cd k8s/overlays/prod` before
/// `kubectl apply -k .`).
fn deploy_hints(
    m: &DeployMatch,
    command: &str,
    dir: &str,
    resolve: impl Fn(&str) -> (String, String),
    choices: &[(String, Vec<String>)],
) -> Vec<Hint> {
    let mut out = Vec::new();
    if let Some(ns) = &m.namespace {
        out.extend(namespace_hint(ns, &resolve, |name| {
            format!("`{command}` deploys to namespace `{name}`")
        }));
    }
    if let Some(workload) = &m.workload {
        let (name, how) = resolve(workload);
        let note = format!("`{command}` changes workload `{name}`{how}");
        out.push(Hint::new(name, HintSource::Workload, Confidence::Low, note));
    }
    if let Some((name, how)) = m
        .context
        .as_deref()
        .map(&resolve)
        .filter(|(n, _)| n != "default")
    {
        let note = format!("`{command}` deploys to kube context or cluster `{name}`{how}");
        out.push(Hint::context(name, note));
    }
    if let Some(env) = &m.environment {
        let (name, how) = resolve(env);
        let note = format!("`{command}` selects {} environment `{name}`{how}", m.tool);
        out.push(Hint::new(
            name,
            HintSource::Environment,
            Confidence::High,
            note,
        ));
    }
    for written in &m.paths {
        // `-k $OVERLAY`, Azure's `-k $(overlayPath)`: the path the variable holds here.
        let resolved = crate::infer::commands::lone_var(written).map(|_| resolve(written).0);
        let path = resolved.as_ref().unwrap_or(written);
        let path = &in_dir(dir, path);
        let chosen = || {
            // `helm/${ENV}.yaml` where ENV is a choice input: `emit` makes each choice a hint.
            path.split('/')
                .map(|seg| seg.rsplit_once('.').map_or(seg, |(s, _)| s))
                .find(|stem| chosen_by_input(stem, choices).is_some())
                .map(|stem| (stem.to_owned(), HintSource::Overlay, Confidence::Low))
        };
        if let Some((name, source, confidence)) = path_hint(path).or_else(chosen) {
            let (name, how) = resolve(&name);
            let what = if source == HintSource::ValuesFile {
                "values file"
            } else {
                "path"
            };
            let note = format!("`{command}` deploys {what} `{path}`, named for `{name}`{how}");
            out.push(Hint::new(name, source, confidence, note));
        }
    }
    out
}

/// `jx preview` without `--namespace`: Jenkins X deploys the pull request's preview into the
/// namespace `PREVIEW_NAMESPACE` names (the job sets it, usually from the PR's branch), one
/// environment per pull request whatever its name says.
fn preview_hint(command: &str, vars: &[(String, String)]) -> Hint {
    let set = vars
        .iter()
        .rev()
        .find(|(k, _)| k == "PREVIEW_NAMESPACE")
        .map(|(_, v)| quoted_part(v))
        .filter(|v| !v.is_empty());
    let (name, how) = match set {
        Some(v) => (v.to_owned(), " (`$PREVIEW_NAMESPACE`)"),
        None => ("$PREVIEW_NAMESPACE".to_owned(), ""),
    };
    let note = format!(
        "`{command}` deploys a preview environment per pull request to namespace `{name}`{how}"
    );
    Hint {
        dynamic: true,
        ..Hint::new(name, HintSource::Namespace, Confidence::Medium, note)
    }
}

/// The string literal a value starts with (`"$APP-$BRANCH_NAME".toLowerCase()` →
/// `$APP-$BRANCH_NAME`), or the value.
fn quoted_part(value: &str) -> &str {
    let v = value.trim();
    match v.chars().next() {
        Some(q @ ('"' | '\'')) => v[1..].split(q).next().unwrap_or(""),
        _ => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::repo::MemRepo;
    use crate::infer::commands::tests::{action_step, job, pipeline, script_step};
    use crate::infer::engine::run_one;
    use crate::read::{CiSystem, Pipeline, TriggerKind};

    type Found = (String, HintSource, Confidence, bool);

    fn hints(p: &Pipeline, repo: &MemRepo) -> Vec<Found> {
        let facts = run_one(
            EnvironmentFromCommand::default(),
            std::slice::from_ref(p),
            repo,
        );
        facts
            .environment_hints
            .into_iter()
            .map(|h| (h.name, h.source, h.evidence.confidence, h.dynamic))
            .collect()
    }

    fn h(name: &str, source: HintSource, c: Confidence) -> Found {
        (name.to_owned(), source, c, false)
    }

    /// `-f helm/${ENV}.yaml` where ENV is a choice parameter named no environment (issue 9);
    /// each choice is one now. A namespace variable that is no choice input is only the
    /// weakest hint, as written.
    #[test]
    fn a_choice_input_in_a_deployed_path_names_each_choice() {
        let text = "helm upgrade -i app . -f helm/${ENV}.yaml\nkubectl apply -n $OTHER -f k8s/\n";
        let mut p = pipeline(
            "Jenkinsfile",
            CiSystem::Jenkins,
            vec![job("deploy", vec![script_step("Jenkinsfile", text, 0, 0)])],
        );
        let mut input = crate::read::Trigger::new(
            TriggerKind::Manual,
            Some("ENV".to_owned()),
            false,
            Loc::new("Jenkinsfile", crate::yaml::Span::empty(0)),
        );
        input.choices = vec!["dev".to_owned(), "prod".to_owned()];
        p.triggers.push(input);
        let found = hints(&p, &MemRepo::default());
        assert_eq!(
            found,
            [
                h("dev", HintSource::Overlay, Confidence::Low),
                h("prod", HintSource::Overlay, Confidence::Low),
                h("$OTHER", HintSource::NamespaceName, Confidence::Medium)
            ]
        );
    }

    /// `jx preview` named no environment (issue 9, class 3): it deploys the pull request's
    /// preview into the namespace PREVIEW_NAMESPACE names, one per pull request.
    #[test]
    fn jx_preview_deploys_a_preview_per_pull_request() {
        let text = "jx preview --app $APP_NAME --dir ../..\n";
        let mut j = job("pr", vec![script_step("Jenkinsfile", text, 0, 0)]);
        j.variables.push((
            "PREVIEW_NAMESPACE".into(),
            "\"$APP_NAME-$BRANCH_NAME\".toLowerCase()".into(),
        ));
        let bare = job("other", vec![script_step("Jenkinsfile", text, 0, 0)]);
        let named = job(
            "named",
            vec![script_step(
                "Jenkinsfile",
                "jx preview -n pr-previews\n",
                0,
                0,
            )],
        );
        let p = pipeline("Jenkinsfile", CiSystem::Jenkins, vec![j, bare, named]);
        let dynamic = |n: &str| {
            (
                n.to_owned(),
                HintSource::Namespace,
                Confidence::Medium,
                true,
            )
        };
        assert_eq!(
            hints(&p, &MemRepo::default()),
            [
                dynamic("$APP_NAME-$BRANCH_NAME"),
                dynamic("$PREVIEW_NAMESPACE"),
                h("pr-previews", HintSource::Namespace, Confidence::Medium),
            ]
        );
    }

    #[test]
    fn namespace_context_values_overlay() {
        let text = "helm upgrade --install web ./chart -n production --kube-context eu-prod -f values.production.yaml -f values.yaml\nkubectl apply -k deploy/overlays/staging -n kube-system\nkubectl apply -f k8s/dev/ --dry-run=client -n dryrun\nkubectl get pods -n ignored\nhelmfile -e qa sync\n";
        let p = pipeline(
            "ci.yml",
            CiSystem::GitlabCi,
            vec![job("d", vec![script_step("ci.yml", text, 0, 0)])],
        );
        assert_eq!(
            hints(&p, &MemRepo::default()),
            [
                h("production", HintSource::Namespace, Confidence::Medium),
                h("eu-prod", HintSource::Context, Confidence::Medium),
                h("production", HintSource::ValuesFile, Confidence::Low),
                h("staging", HintSource::Overlay, Confidence::Medium),
                h("qa", HintSource::Environment, Confidence::High),
            ]
        );
    }

    #[test]
    fn a_namespace_switched_to_earlier_in_the_job_names_deploys_without_one() {
        let first = "oc login --token=$T --server=$S\noc project shop-$STAGE\n";
        let second = "oc apply -f openshift/\noc apply -n other -f x.yaml\nkubens ignored\n";
        let mut j = job(
            "d",
            vec![
                script_step("ci.yml", first, 0, 0),
                script_step("ci.yml", second, 0, 0),
            ],
        );
        j.variables.push(("STAGE".into(), "staging".into()));
        let p = pipeline("ci.yml", CiSystem::GitlabCi, vec![j]);
        // The first deploy takes the project; the second names its own; `kubens` after the
        // last deploy names nothing.
        assert_eq!(
            hints(&p, &MemRepo::default()),
            [
                h("shop-staging", HintSource::Namespace, Confidence::Medium),
                h("other", HintSource::NamespaceName, Confidence::Medium),
            ]
        );
        let none: &[(String, String)] = &[];
        let words = |text: &str| crate::infer::shell::commands_in(text, &none).remove(0);
        for (text, ns) in [
            ("oc project shop", Some("shop")),
            ("oc project", None),
            ("oc project -q", None),
            (
                "kubectl config set-context --current --namespace=shop",
                Some("shop"),
            ),
            (
                "kubectl config set-context dev --namespace shop",
                Some("shop"),
            ),
            ("kubectl config set-context dev --cluster=k8s", None),
            ("kubens shop", Some("shop")),
            ("kubens -", None),
        ] {
            assert_eq!(switched_namespace(&words(text)), ns, "{text}");
        }
    }

    #[test]
    fn variables_are_resolved_and_dynamic_names_flagged() {
        let text = "NS=staging\nkubectl apply -n $NS -f k8s/\nhelm upgrade r ./c --namespace ${TARGET_NS}\nhelm upgrade review ./c -n review-$CI_COMMIT_REF_SLUG\nkubectl config use-context $KUBE_CONTEXT\n";
        let mut j = job("d", vec![script_step("ci.yml", text, 0, 0)]);
        j.variables.push(("TARGET_NS".into(), "prod".into()));
        j.variables
            .push(("KUBE_CONTEXT".into(), "gke_p_eu_prod".into()));
        let p = pipeline("ci.yml", CiSystem::GitlabCi, vec![j]);
        let got = hints(&p, &MemRepo::default());
        assert_eq!(
            got,
            [
                h("staging", HintSource::Namespace, Confidence::Medium),
                h("prod", HintSource::Namespace, Confidence::Medium),
                (
                    "review-$CI_COMMIT_REF_SLUG".to_owned(),
                    HintSource::Namespace,
                    Confidence::Medium,
                    true
                ),
                h("prod", HintSource::Context, Confidence::Medium),
            ]
        );
    }

    #[test]
    fn clusters_in_credentials_and_actions() {
        let p = pipeline(
            "w.yml",
            CiSystem::GithubActions,
            vec![job(
                "d",
                vec![
                    action_step(
                        "w.yml",
                        "google-github-actions/get-gke-credentials@v2",
                        &[("cluster_name", "gke-staging")],
                        5,
                    ),
                    action_step(
                        "w.yml",
                        "azure/k8s-deploy@v5",
                        &[
                            ("namespace", "prod"),
                            ("manifests", "manifests/overlays/prod/app.yaml"),
                        ],
                        50,
                    ),
                    script_step(
                        "w.yml",
                        "aws eks update-kubeconfig --name eks-prod\nbash scripts/deploy.sh\n",
                        100,
                        0,
                    ),
                ],
            )],
        );
        let repo = MemRepo::from_pairs(&[("scripts/deploy.sh", "kubectl apply -f k8s/staging/\n")]);
        assert_eq!(
            hints(&p, &repo),
            [
                h("prod", HintSource::Context, Confidence::Medium),
                h("staging", HintSource::Overlay, Confidence::Low),
                h("staging", HintSource::Context, Confidence::Medium),
                h("prod", HintSource::Namespace, Confidence::Medium),
                h("prod", HintSource::Overlay, Confidence::Medium),
            ]
        );
    }

    #[test]
    fn gitlab_style_kubeconfig_setup() {
        let text = "kubectl config set-cluster k8s --server=\"$KUBE_URL\"\nkubectl config set-context default --cluster=k8s\nkubectl config use-context default\nhelm upgrade --install --wait --set image.tag=$CI_COMMIT_SHA app ./chart --kube-context default -n $KUBE_NAMESPACE\n";
        let p = pipeline(
            "ci.yml",
            CiSystem::GitlabCi,
            vec![job("d", vec![script_step("ci.yml", text, 0, 0)])],
        );
        // The context `default` is no environment; an unresolved `$KUBE_NAMESPACE` has no tier
        // word, and is only the weakest hint, as written.
        assert_eq!(
            hints(&p, &MemRepo::default()),
            [h(
                "$KUBE_NAMESPACE",
                HintSource::NamespaceName,
                Confidence::Medium
            )]
        );
    }
}
