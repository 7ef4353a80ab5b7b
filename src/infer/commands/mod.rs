//! INFER stage: the commands a job runs, tokenized once per job and shared by every rule.
//!
//! Each `Script` step is tokenized with [`shell::commands`]; the scripts the step calls
//! (`./scripts/deploy.sh`, `bash deploy/x.sh`, `source env.sh`, `make deploy`) are read through
//! the repository and tokenized too, up to [`MAX_DEPTH`] calls deep with a cycle guard. Every
//! command can be turned back into a [`crate::files::Loc`] in the file it is written in: the
//! pipeline file for step scripts (through the step's line starts), the called script, or the
//! Makefile recipe line. The engine ([`crate::infer::engine`]) calls [`job_units`] once per job
//! and hands the units to every rule.

mod calls;
mod functions;
mod github_writes;
mod limits;
mod makefile;
mod package_scripts;
mod scope;
#[cfg(test)]
pub(crate) mod tests;
mod unit;
mod values;

pub(crate) use limits::Limits;
pub(crate) use scope::Scope;
pub(crate) use unit::{SpanMap, Unit};
pub(crate) use values::{chain_end, lone_var, references, resolve, resolve_vars};

use std::sync::Arc;

use crate::files::{LineIndex, RepoFiles};
use crate::infer::shell::{self, Command};
use crate::read::{Job, Pipeline, Step};
use github_writes::github_writes;
pub(crate) use github_writes::handed_on_branch;

/// How many script calls deep commands are followed.
pub(crate) const MAX_DEPTH: usize = 3;

/// Variables a job's scripts see: pipeline variables, then job variables (which win). Azure
/// also hands each variable to scripts under its name upper-cased with `.` as `_`
/// (`kubernetes_namespace` is `$KUBERNETES_NAMESPACE`), and its `$(NAME)` ignores case: those
/// spellings come first, so a variable written that way itself wins.
pub(crate) fn job_vars(pipeline: &Pipeline, job: &Job) -> Vec<(String, String)> {
    let written = pipeline.variables.iter().chain(job.variables.iter());
    let mut out: Vec<(String, String)> = Vec::new();
    if pipeline.system == crate::read::CiSystem::AzurePipelines {
        let names: std::collections::HashSet<&str> =
            written.clone().map(|(k, _)| k.as_str()).collect();
        out.extend(
            written
                .clone()
                .map(|(k, v)| (k.to_ascii_uppercase().replace('.', "_"), v.clone()))
                .filter(|(k, _)| !names.contains(k.as_str())),
        );
    }
    out.extend(written.cloned());
    out
}

/// Every script unit of a job, in step order, each followed (depth first) by the scripts and
/// make targets it calls; step units have depth 0. `vars` are the variables the job's scripts
/// see ([`job_vars`]). When the job's script steps run in one shell (`shared_shell`: GitLab,
/// Bitbucket and Travis script lines), a variable one step assigns (`CLI="oc -n $NS"`) is seen
/// by the steps after it, and so is the folder a `cd` of one leaves it in; so is a variable a
/// step writes to `$GITHUB_ENV`, on any system. The limits reached on the way (scripts called
/// too deep, too many make targets, a make recipe past its budget, the analysis's budget of
/// called bytes) go to `limits`, which also holds what is left of that budget.
pub(crate) fn job_units(
    files: &dyn RepoFiles,
    job: &Job,
    vars: &[(String, String)],
    shared_shell: bool,
    limits: &mut Limits,
) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::new();
    // The job's variables, and what each step sets for the steps after it.
    let scope = Scope::job(vars);
    let checkout = checkout_path(job);
    // Where the last script line left the shell, when lines share one (`- cd k8s` then
    // `- kubectl apply -k overlays/prod`).
    let mut carried_dir = String::new();
    for step in &job.steps {
        // A packaged step that runs a script input is that script ([`as_script_step`]).
        let converted = crate::infer::vocab::as_script_step(step);
        let step = converted.as_ref().unwrap_or(step);
        let Step::Script {
            name,
            text,
            loc,
            line_starts,
            dir,
            env,
            when,
        } = step
        else {
            continue;
        };
        // The step's working directory, inside the repository; outside it, the root.
        let cwd = dir
            .as_deref()
            .map(|d| env_value(d, vars))
            .and_then(|d| calls::repo_path("", &d))
            .map(|d| in_checkout(d, checkout.as_deref()))
            .unwrap_or_else(|| carried_dir.clone());
        let map = if line_starts.is_empty() {
            SpanMap::Whole(loc.span)
        } else {
            SpanMap::Lines(line_starts.clone(), loc.span)
        };
        // The step's own variables win over the job's, and what earlier lines set over both.
        let mut unit = Unit::new(
            loc.file.clone(),
            text.clone(),
            map,
            scope.step(env),
            name.clone().filter(|n| n.starts_with("!reference")),
            cwd,
        );
        unit.step_when = shell::ScriptCondition::of_step(when);
        unit.switched_off =
            crate::infer::switched_off::step(job, when, |n| shell::last_value(env, n), vars);
        if shared_shell {
            scope.carry(assignments(&unit), Vec::new());
            carried_dir = unit.dir_at(unit.cmds.len());
        }
        let (always, on_branch) = github_writes(&unit);
        scope.carry(always, on_branch);
        calls::push_with_calls(files, unit, &mut Vec::new(), &mut out, limits);
    }
    functions::keep_called(&mut out);
    out
}

/// Where the job checks the repository out, when not at the workspace's root: the `path:` of
/// an `actions/checkout` step of this repository (no other `repository:`).
fn checkout_path(job: &Job) -> Option<String> {
    job.steps.iter().find_map(|step| {
        let Step::Action { uses, with, .. } = step else {
            return None;
        };
        let input = |name: &str| crate::infer::vocab::input(with, &[name]).map(str::trim);
        let this_repository = input("repository")
            .is_none_or(|r| r.is_empty() || r.replace(' ', "") == "${{github.repository}}");
        let path = input("path")?;
        (crate::infer::vocab::normalize_uses(uses) == "actions/checkout" && this_repository)
            .then(|| calls::repo_path("", path))
            .flatten()
    })
}

/// A workspace folder `dir` as a folder of the repository checked out at `checkout`:
/// `go/src/acme/app/deploy` with the repository at `go/src/acme/app` is `deploy`. A folder
/// outside the checkout is kept.
fn in_checkout(dir: String, checkout: Option<&str>) -> String {
    let Some(root) = checkout else {
        return dir;
    };
    if dir == root {
        return String::new();
    }
    match dir
        .strip_prefix(root)
        .and_then(|rest| rest.strip_prefix('/'))
    {
        Some(rest) => rest.to_owned(),
        None => dir,
    }
}

/// The variables a unit's own lines set for the lines after it (`X=1`, `export X=1`), outside
/// any function body.
fn assignments(unit: &Unit) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for cmd in unit.cmds.iter().filter(|c| c.function.is_none()) {
        if cmd.words.is_empty() {
            out.extend(cmd.assignments.iter().cloned());
        } else if cmd.program() == Some("export") {
            out.extend(cmd.words.iter().skip(1).filter_map(|w| {
                let (k, v) = w.text.split_once('=')?;
                Some((k.to_owned(), v.to_owned()))
            }));
        }
    }
    out
}

/// `text` with a whole `${{ env.NAME }}` replaced by the variable's value, as GitHub writes a
/// `working-directory:` kept in the workflow's `env:`; other text as it is.
fn env_value(text: &str, vars: &[(String, String)]) -> String {
    let name = text
        .trim()
        .strip_prefix("${{")
        .and_then(|t| t.strip_suffix("}}"))
        .and_then(|t| t.trim().strip_prefix("env."));
    name.and_then(|n| shell::last_value(vars, n))
        .map_or_else(|| text.to_owned(), str::to_owned)
}

impl Unit {
    /// A step unit (depth 0) for `text`, tokenized.
    fn new(
        file: Arc<str>,
        text: String,
        map: SpanMap,
        vars: Scope,
        used_as: Option<String>,
        cwd: String,
    ) -> Unit {
        Unit {
            cmds: tokenize(&text, &vars),
            lines: LineIndex::new(&text),
            file,
            text,
            map,
            depth: 0,
            called_as: None,
            used_as,
            vars,
            step_when: None,
            switched_off: false,
            cwd,
            gates: Vec::new(),
            unread_scripts: Vec::new(),
            keywords: std::cell::OnceCell::new(),
            nesting: std::cell::OnceCell::new(),
            dirs: std::cell::RefCell::default(),
        }
    }

    /// A unit `self` calls as `called_as` from directory `cwd`, from inside the body of shell
    /// function `gate` when it is one: the same variables and use site, one level deeper. What
    /// its calling command runs under is the caller's to set ([`Unit::step_when`]).
    fn called(
        &self,
        file: Arc<str>,
        text: String,
        map: SpanMap,
        called_as: String,
        cwd: String,
        gate: Option<&String>,
    ) -> Unit {
        let mut gates = self.gates.clone();
        gates.extend(gate.cloned());
        Unit {
            cmds: tokenize(&text, &self.vars),
            lines: LineIndex::new(&text),
            file,
            text,
            map,
            depth: self.depth + 1,
            called_as: Some(called_as),
            used_as: self.used_as.clone(),
            vars: self.vars.clone(),
            step_when: None,
            switched_off: self.switched_off,
            cwd,
            gates,
            unread_scripts: Vec::new(),
            keywords: std::cell::OnceCell::new(),
            nesting: std::cell::OnceCell::new(),
            dirs: std::cell::RefCell::default(),
        }
    }

    /// The unit with the positional parameters it is called with (`1`, `2`, ...) as its
    /// variables, instead of its caller's. They name no command (a digit is no variable name
    /// in command position), so the tokenized commands stay as they are.
    fn with_positional(mut self, positional: Vec<(String, String)>) -> Unit {
        self.vars = self.vars.with_positional(positional);
        self
    }
}

/// Tokenizes one script: the only place a unit's text is handed to the shell tokenizer.
fn tokenize(text: &str, vars: &Scope) -> Vec<Command> {
    #[cfg(test)]
    tests::TOKENIZED.with(|n| n.set(n.get() + 1));
    shell::commands_in(text, vars)
}
