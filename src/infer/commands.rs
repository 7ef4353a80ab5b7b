//! INFER stage: the commands a job runs, shared by the detection rules.
//!
//! Each `Script` step is tokenized with [`shell::commands`]; optionally, scripts the step calls
//! (`./scripts/deploy.sh`, `bash deploy/x.sh`, `source env.sh`, `make deploy`) are read through
//! [`Context::files`] and tokenized too, up to [`MAX_DEPTH`] calls deep with a cycle guard. Every
//! command can be turned back into a [`Loc`] in the file it is written in: the pipeline file for
//! step scripts (through `line_starts`), the called script, or the Makefile recipe line.

use std::collections::HashMap;

use crate::files::Loc;
use crate::infer::shell::{self, Command};
use crate::infer::{Confidence, Context};
use crate::read::{Job, Pipeline, Step};
use crate::yaml::Span;

/// How many script calls deep commands are followed.
pub(crate) const MAX_DEPTH: usize = 3;

/// How a unit's byte offsets map back to its file.
#[derive(Debug, Clone)]
pub(crate) enum SpanMap {
    /// The text is the file itself (a called script).
    Direct,
    /// A step script: the file offset where each script line starts, and the step's span for
    /// lines the reader could not map.
    Lines(Vec<usize>, Span),
    /// A Makefile recipe: the file span of each line of the (rewritten) text.
    LineSpans(Vec<Span>),
    /// Lines cannot be mapped: every command points at the step.
    Whole(Span),
}

/// One tokenized script: a step's text, a called script file, or a make target's recipe.
#[derive(Debug)]
pub(crate) struct Unit {
    /// Repository-relative file the text is written in.
    pub(crate) file: String,
    /// The script text as tokenized.
    pub(crate) text: String,
    /// Its commands.
    pub(crate) cmds: Vec<Command>,
    /// Offsets back to the file.
    pub(crate) map: SpanMap,
    /// 0 for a step; 1.. for called scripts.
    pub(crate) depth: usize,
    /// What called it (`./scripts/deploy.sh`, `make deploy`), for notes.
    pub(crate) called_as: Option<String>,
    /// How a step written elsewhere got into the job (`!reference [.deploy, script] used at
    /// .gitlab-ci.yml:31:7`), so findings name the use site as well as the definition.
    pub(crate) used_as: Option<String>,
    /// The variables the script saw (job and pipeline variables).
    pub(crate) vars: Vec<(String, String)>,
}

impl Unit {
    /// Where `cmd` is written.
    pub(crate) fn loc(&self, cmd: &Command) -> Loc {
        self.loc_of(cmd.start, cmd.end)
    }

    /// Where the whole pipeline ending in command `idx` is written (`a | b | kubectl apply`).
    pub(crate) fn pipeline_loc(&self, idx: usize) -> Loc {
        let (start, end) = self.pipeline_range(idx);
        self.loc_of(start, end)
    }

    /// The pipeline ending in command `idx`, on one line.
    pub(crate) fn pipeline_line(&self, idx: usize) -> String {
        let (start, end) = self.pipeline_range(idx);
        one_line(self.text.get(start..end).unwrap_or_default())
    }

    fn pipeline_range(&self, idx: usize) -> (usize, usize) {
        let Some(cmd) = self.cmds.get(idx) else {
            return (0, 0);
        };
        let (mut start, end) = (cmd.start, cmd.end);
        let mut cursor = cmd.stdin_from;
        let mut guard = 0;
        while let Some(i) = cursor.filter(|i| *i < idx) {
            guard += 1;
            let Some(up) = self.cmds.get(i).filter(|_| guard < 16) else {
                break;
            };
            start = start.min(up.start);
            cursor = up.stdin_from.filter(|j| *j < i);
        }
        (start, end)
    }

    /// Where bytes `start..end` of the text are written.
    pub(crate) fn loc_of(&self, start: usize, end: usize) -> Loc {
        let span = match &self.map {
            SpanMap::Direct => Span::new(start, end),
            SpanMap::Whole(span) => *span,
            SpanMap::Lines(file_starts, step) => {
                let starts = shell::line_starts(&self.text);
                let map = |offset: usize| -> Option<usize> {
                    let line = shell::line_of(&starts, offset);
                    let col = offset.checked_sub(*starts.get(line)?)?;
                    Some(file_starts.get(line)? + col)
                };
                match (map(start), map(end.saturating_sub(1).max(start))) {
                    (Some(s), Some(e)) => Span::new(s, e + usize::from(end > start)),
                    _ => *step,
                }
            }
            SpanMap::LineSpans(spans) => {
                let starts = shell::line_starts(&self.text);
                let first = spans.get(shell::line_of(&starts, start));
                let last = spans.get(shell::line_of(&starts, end.saturating_sub(1)));
                match (first, last) {
                    (Some(f), Some(l)) => f.join(*l),
                    (Some(f), None) => *f,
                    _ => return self.fallback(),
                }
            }
        };
        Loc::new(&self.file, span)
    }

    fn fallback(&self) -> Loc {
        Loc::new(&self.file, Span::empty(0))
    }

    /// The command as written, on one line, with token values hidden.
    pub(crate) fn command_line(&self, cmd: &Command) -> String {
        one_line(cmd.text(&self.text))
    }

    /// How sure a rule can be of what this command does: direct commands are high; commands
    /// behind wrappers, variables, `sh -c`/`$( )`, or in called scripts are medium.
    pub(crate) fn confidence(&self, cmd: &Command) -> Confidence {
        if self.depth == 0 && cmd.wrappers.is_empty() && cmd.via_variable.is_none() && !cmd.nested {
            Confidence::High
        } else {
            Confidence::Medium
        }
    }

    /// A suffix for notes saying how the command was reached: through a variable, behind a
    /// wrapper, inside `sh -c` / `$( )`, in a called script.
    pub(crate) fn how(&self, cmd: &Command) -> String {
        let mut out = String::new();
        if let Some(var) = &cmd.via_variable {
            out.push_str(&format!(" through `${var}`"));
        }
        if !cmd.wrappers.is_empty() {
            out.push_str(&format!(" behind `{}`", cmd.wrappers.join(" ")));
        }
        if cmd.nested {
            out.push_str(" inside a nested shell or command substitution");
        }
        out.push_str(&self.via());
        out
    }

    /// A suffix for notes: ` (in \`scripts/deploy.sh\`, called as \`./scripts/deploy.sh\`)`.
    pub(crate) fn via(&self) -> String {
        let mut out = match &self.called_as {
            Some(call) => format!(" (in `{}`, called as `{call}`)", self.file),
            None => String::new(),
        };
        if let Some(used) = &self.used_as {
            out.push_str(&format!(" (through `{used}`)"));
        }
        out
    }
}

/// Joins continuation lines and whitespace, and hides literal token and password values.
pub(crate) fn one_line(text: &str) -> String {
    let joined = text.replace("\\\r\n", " ").replace("\\\n", " ");
    let words: Vec<&str> = joined.split_whitespace().collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut hide_next = false;
    for w in words {
        if hide_next {
            hide_next = false;
            out.push(if w.starts_with('$') {
                w.to_owned()
            } else {
                "***".to_owned()
            });
            continue;
        }
        let secret_flag = [
            "--token",
            "--kube-token",
            "--auth-token",
            "--password",
            "-p",
        ]
        .iter()
        .find(|f| w == **f || w.starts_with(&format!("{f}=")));
        match secret_flag {
            Some(f) if *f == "-p" => out.push(w.to_owned()),
            Some(f) if w == *f => {
                hide_next = true;
                out.push(w.to_owned());
            }
            Some(f) => {
                let value = &w[f.len() + 1..];
                if value.starts_with('$') {
                    out.push(w.to_owned());
                } else {
                    out.push(format!("{f}=***"));
                }
            }
            None => out.push(w.to_owned()),
        }
    }
    out.join(" ")
}

/// Variables a job's scripts see: pipeline variables, then job variables (which win).
pub(crate) fn job_vars(pipeline: &Pipeline, job: &Job) -> Vec<(String, String)> {
    pipeline
        .variables
        .iter()
        .chain(job.variables.iter())
        .cloned()
        .collect()
}

/// Every script unit of a job, in step order, each followed by the units it calls when
/// `follow` is set.
pub(crate) fn job_units(
    cx: &Context<'_>,
    pipeline: &Pipeline,
    job: &Job,
    follow: bool,
) -> Vec<Unit> {
    let vars = job_vars(pipeline, job);
    let mut out = Vec::new();
    for step in &job.steps {
        let Step::Script {
            name,
            text,
            loc,
            line_starts,
        } = step
        else {
            continue;
        };
        let map = if line_starts.is_empty() {
            SpanMap::Whole(loc.span)
        } else {
            SpanMap::Lines(line_starts.clone(), loc.span)
        };
        let unit = Unit {
            file: loc.file.clone(),
            text: text.clone(),
            cmds: shell::commands(text, &vars),
            map,
            depth: 0,
            called_as: None,
            used_as: name.clone().filter(|n| n.starts_with("!reference")),
            vars: vars.clone(),
        };
        push_with_calls(cx, unit, follow, &mut Vec::new(), &mut out);
    }
    out
}

/// Pushes `unit`, then (depth first) the scripts and make targets it calls.
fn push_with_calls(
    cx: &Context<'_>,
    unit: Unit,
    follow: bool,
    chain: &mut Vec<String>,
    out: &mut Vec<Unit>,
) {
    let calls = if follow && unit.depth < MAX_DEPTH {
        calls_of(cx, &unit)
    } else {
        Vec::new()
    };
    out.push(unit);
    for call in calls {
        let key = call.key.clone();
        if chain.contains(&key) {
            continue; // a script that calls itself, directly or not
        }
        chain.push(key);
        push_with_calls(cx, call.unit, follow, chain, out);
        chain.pop();
    }
}

struct Call {
    key: String,
    unit: Unit,
}

/// Prefixes that stand for the repository root in CI scripts.
const WORKSPACE_PREFIXES: &[&str] = &[
    "$GITHUB_WORKSPACE/",
    "${GITHUB_WORKSPACE}/",
    "${{ github.workspace }}/",
    "$CI_PROJECT_DIR/",
    "${CI_PROJECT_DIR}/",
    "$BITBUCKET_CLONE_DIR/",
    "${BITBUCKET_CLONE_DIR}/",
    "$WORKSPACE/",
    "${WORKSPACE}/",
    "$(System.DefaultWorkingDirectory)/",
    "$(Build.SourcesDirectory)/",
    "$(Pipeline.Workspace)/",
    "$CIRCLE_WORKING_DIRECTORY/",
    "$TRAVIS_BUILD_DIR/",
    "$PWD/",
    "${PWD}/",
    "$(pwd)/",
];

/// Joins `path` to `cwd` and normalises `.` and `..`; `None` for paths outside the repository
/// or still holding variables.
pub(crate) fn repo_path(cwd: &str, path: &str) -> Option<String> {
    let mut path = path.trim();
    for prefix in WORKSPACE_PREFIXES {
        if let Some(rest) = path.strip_prefix(prefix) {
            path = rest;
            break;
        }
    }
    if path.is_empty() || path.starts_with('/') || path.starts_with('~') || path.contains('$') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in cwd.split('/').chain(path.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("/"))
    }
}

/// The scripts and make targets a unit calls, tokenized.
fn calls_of(cx: &Context<'_>, unit: &Unit) -> Vec<Call> {
    let mut calls = Vec::new();
    let mut cwd = String::new();
    for cmd in &unit.cmds {
        let Some(program) = cmd.program() else {
            continue;
        };
        if program == "cd" && !cmd.nested {
            match cmd.words.get(1).map(|w| w.text.as_str()) {
                None | Some("-" | "~") => cwd.clear(),
                Some(dir) => cwd = repo_path(&cwd, dir).unwrap_or_default(),
            }
            continue;
        }
        if matches!(program, "make" | "gmake") {
            calls.extend(make_calls(cx, unit, cmd, &cwd));
            continue;
        }
        let Some(script) = script_arg(cmd) else {
            continue;
        };
        let Some(path) = repo_path(&cwd, &script) else {
            continue;
        };
        let Some(text) = cx.files.read(&path) else {
            continue;
        };
        let text = text.to_string();
        calls.push(Call {
            key: path.clone(),
            unit: Unit {
                cmds: shell::commands(&text, &unit.vars),
                file: path,
                text,
                map: SpanMap::Direct,
                depth: unit.depth + 1,
                called_as: Some(unit.command_line(cmd)),
                used_as: unit.used_as.clone(),
                vars: unit.vars.clone(),
            },
        });
    }
    calls
}

/// The script file a command runs: `./x.sh`, `scripts/x`, `bash -e x.sh`, `source x.sh`.
fn script_arg(cmd: &Command) -> Option<String> {
    let first = cmd.words.first()?.text.as_str();
    let program = cmd.program()?;
    if matches!(
        program,
        "bash" | "sh" | "zsh" | "dash" | "ksh" | "ash" | "source" | "."
    ) {
        let mut words = cmd.words.iter().skip(1);
        while let Some(w) = words.next() {
            let t = w.text.as_str();
            if t == "-o" || t == "+o" {
                words.next();
                continue;
            }
            if t.starts_with('-') || t.starts_with('+') {
                if !t.starts_with("--") && t.contains('c') {
                    return None; // `sh -c '...'`: the shell tokenizer already parsed it
                }
                continue;
            }
            return Some(t.to_owned());
        }
        return None;
    }
    if first.contains('/') || first.ends_with(".sh") || first.ends_with(".bash") {
        return Some(first.to_owned());
    }
    None
}

/// `make [-C dir] [-f file] target...`: the recipes of the targets (and their prerequisites).
fn make_calls(cx: &Context<'_>, unit: &Unit, cmd: &Command, cwd: &str) -> Vec<Call> {
    let dir = match cmd.arg_after(&["-C", "--directory"]) {
        Some(d) => match repo_path(cwd, d) {
            Some(p) => p,
            None => return Vec::new(),
        },
        None => cwd.to_owned(),
    };
    let candidates: Vec<String> = match cmd.arg_after(&["-f", "--file", "--makefile"]) {
        Some(f) => vec![f.to_owned()],
        None => vec![
            "GNUmakefile".to_owned(),
            "makefile".to_owned(),
            "Makefile".to_owned(),
        ],
    };
    let Some((path, text)) = candidates.iter().find_map(|c| {
        let path = repo_path(&dir, c)?;
        let text = cx.files.read(&path)?;
        Some((path, text.to_string()))
    }) else {
        return Vec::new();
    };
    let makefile = Makefile::parse(&text);
    let mut targets: Vec<String> = cmd
        .positionals(&[
            "-C",
            "--directory",
            "-f",
            "--file",
            "--makefile",
            "-j",
            "--jobs",
            "-I",
            "-o",
        ])
        .into_iter()
        .filter(|t| !t.contains('='))
        .map(str::to_owned)
        .collect();
    if targets.is_empty() {
        targets.extend(makefile.default_target.clone());
    }
    let mut calls = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    while let Some(target) = targets.first().cloned() {
        targets.remove(0);
        if seen.contains(&target) || seen.len() > 32 {
            continue;
        }
        seen.push(target.clone());
        let Some(rule) = makefile.rules.iter().find(|r| r.targets.contains(&target)) else {
            continue;
        };
        // Prerequisites run first, and are part of what `make <target>` does.
        for pre in &rule.prereqs {
            if !seen.contains(pre) {
                targets.push(pre.clone());
            }
        }
        if rule.recipe.is_empty() {
            continue;
        }
        let (text, spans) = makefile.recipe_script(rule, &target);
        calls.push(Call {
            key: format!("{path}:{target}"),
            unit: Unit {
                cmds: shell::commands(&text, &unit.vars),
                file: path.clone(),
                text,
                map: SpanMap::LineSpans(spans),
                depth: unit.depth + 1,
                called_as: Some(format!("make {target}")),
                used_as: unit.used_as.clone(),
                vars: unit.vars.clone(),
            },
        });
    }
    calls
}

/// The parts of a Makefile needed to read a target's recipe.
#[derive(Debug, Default)]
struct Makefile {
    vars: HashMap<String, String>,
    rules: Vec<MakeRule>,
    default_target: Option<String>,
}

#[derive(Debug)]
struct MakeRule {
    targets: Vec<String>,
    prereqs: Vec<String>,
    /// Recipe lines: text after the tab, and the line's span in the Makefile.
    recipe: Vec<(String, Span)>,
}

impl Makefile {
    fn parse(text: &str) -> Makefile {
        let mut mk = Makefile::default();
        let mut offset = 0;
        let mut current: Option<usize> = None;
        for raw_line in text.split_inclusive('\n') {
            let start = offset;
            offset += raw_line.len();
            let line = raw_line.trim_end_matches(['\n', '\r']);
            let span = Span::new(start, start + line.len());
            if let Some(recipe) = line.strip_prefix('\t') {
                if let Some(rule) = current.and_then(|i| mk.rules.get_mut(i)) {
                    rule.recipe.push((recipe.to_owned(), span));
                }
                continue;
            }
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            current = None;
            if let Some((name, value)) = make_assignment(trimmed) {
                mk.vars.insert(name, value);
                continue;
            }
            let Some((targets, rest)) = trimmed.split_once(':') else {
                continue;
            };
            let rest = rest.trim_start_matches(':');
            let (prereqs, inline) = match rest.split_once(';') {
                Some((p, r)) => (p, Some(r.trim())),
                None => (rest, None),
            };
            let prereqs = prereqs.split('|').next().unwrap_or_default();
            let targets: Vec<String> = targets.split_whitespace().map(str::to_owned).collect();
            if mk.default_target.is_none() {
                mk.default_target = targets.iter().find(|t| !t.starts_with('.')).cloned();
            }
            let mut rule = MakeRule {
                targets,
                prereqs: prereqs.split_whitespace().map(str::to_owned).collect(),
                recipe: Vec::new(),
            };
            if let Some(inline) = inline.filter(|r| !r.is_empty()) {
                rule.recipe.push((inline.to_owned(), span));
            }
            mk.rules.push(rule);
            current = Some(mk.rules.len() - 1);
        }
        mk
    }

    /// The recipe as a shell script (make prefixes removed, make variables expanded), and the
    /// Makefile span of each of its lines.
    fn recipe_script(&self, rule: &MakeRule, target: &str) -> (String, Vec<Span>) {
        let mut text = String::new();
        let mut spans = Vec::new();
        for (line, span) in &rule.recipe {
            let line = line.trim_start().trim_start_matches(['@', '-', '+']);
            // Each recipe line runs in its own shell; keep them on separate lines so commands
            // stay separate and map back line by line.
            let expanded = self.expand(line, target, 0).replace('\n', " ");
            text.push_str(&expanded);
            text.push('\n');
            spans.push(*span);
        }
        (text, spans)
    }

    /// Expands `$(VAR)`, `${VAR}`, `$@`, `$$`; unknown variables become shell variables (make
    /// passes the environment through), functions such as `$(shell ...)` become `_`.
    fn expand(&self, line: &str, target: &str, depth: usize) -> String {
        let mut out = String::new();
        let mut rest = line;
        while let Some(pos) = rest.find('$') {
            out.push_str(&rest[..pos]);
            let after = &rest[pos + 1..];
            let mut chars = after.chars();
            match chars.next() {
                Some('$') => {
                    out.push('$');
                    rest = &after[1..];
                }
                Some('@') => {
                    out.push_str(target);
                    rest = &after[1..];
                }
                Some(open @ ('(' | '{')) => {
                    let close = if open == '(' { ')' } else { '}' };
                    let Some(end) = after.find(close) else {
                        out.push_str(&rest[pos..]);
                        return out;
                    };
                    let name = after[1..end].trim();
                    if name == "MAKE" {
                        out.push_str("make");
                    } else if name.contains(char::is_whitespace) || name.contains(',') {
                        out.push('_');
                    } else if let Some(value) = self.vars.get(name) {
                        if depth < 4 {
                            out.push_str(&self.expand(value, target, depth + 1));
                        }
                    } else {
                        out.push_str("${");
                        out.push_str(name);
                        out.push('}');
                    }
                    rest = &after[end + 1..];
                }
                _ => {
                    out.push('$');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// `NAME = v`, `NAME := v`, `NAME ?= v`, `NAME ::= v`, `export NAME = v` (not `+=`).
fn make_assignment(line: &str) -> Option<(String, String)> {
    let line = line.strip_prefix("export ").unwrap_or(line);
    let eq = line.find('=')?;
    let colon = line.find(':');
    if colon.is_some_and(|c| c < eq && !line[c..eq].chars().all(|ch| ch == ':')) {
        return None; // a rule with `=` in its prerequisites or recipe
    }
    let name = line[..eq].trim_end_matches([':', '?', '+', '!']).trim();
    if name.is_empty() || name.contains(char::is_whitespace) {
        return None;
    }
    Some((name.to_owned(), line[eq + 1..].trim().to_owned()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::files::repo::MemRepo;
    use crate::read::CiSystem;
    use crate::read::support::{empty_job, empty_pipeline};

    /// A script step written as a block scalar starting at `file_offset` with `indent` spaces.
    pub(crate) fn script_step(
        file: &str,
        text: &str,
        first_line_offset: usize,
        indent: usize,
    ) -> Step {
        let mut starts = Vec::new();
        let mut at = first_line_offset;
        for line in text.split_inclusive('\n') {
            starts.push(at);
            at += line.len() + indent;
        }
        if text.is_empty() || text.ends_with('\n') {
            starts.push(at);
        }
        Step::Script {
            name: None,
            text: text.to_owned(),
            loc: Loc::new(file, Span::new(first_line_offset, at)),
            line_starts: starts,
        }
    }

    pub(crate) fn action_step(file: &str, uses: &str, with: &[(&str, &str)], at: usize) -> Step {
        Step::Action {
            name: None,
            uses: uses.to_owned(),
            with: with
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            loc: Loc::new(file, Span::new(at, at + uses.len())),
        }
    }

    pub(crate) fn job(id: &str, steps: Vec<Step>) -> Job {
        let loc = Loc::new("ci.yml", Span::new(0, 1));
        Job {
            steps,
            ..empty_job(id.to_owned(), id.to_owned(), loc)
        }
    }

    pub(crate) fn pipeline(file: &str, system: CiSystem, jobs: Vec<Job>) -> Pipeline {
        Pipeline {
            jobs,
            ..empty_pipeline(file, system)
        }
    }

    #[test]
    fn step_locs_map_through_line_starts() {
        // The file: "run: |\n  echo hi\n  kubectl apply -f x\n" with the script at offset 9.
        let file = "run: |\n  echo hi\n  kubectl apply -f x\n";
        let text = "echo hi\nkubectl apply -f x\n";
        let p = pipeline(
            "w.yml",
            CiSystem::GithubActions,
            vec![job("j", vec![script_step("w.yml", text, 9, 2)])],
        );
        let repo = MemRepo::default();
        let cx = Context {
            pipelines: std::slice::from_ref(&p),
            files: &repo,
        };
        let units = job_units(&cx, &p, &p.jobs[0], false);
        let loc = units[0].loc(&units[0].cmds[1]);
        assert_eq!(&file[loc.span.range()], "kubectl apply -f x");
    }

    #[test]
    fn follows_scripts_and_make_targets_with_a_cycle_guard() {
        let repo = MemRepo::from_pairs(&[
            (
                "scripts/deploy.sh",
                "#!/bin/sh\nset -e\nkubectl apply -f k8s/\n./scripts/deploy.sh\nbash scripts/more.sh\n",
            ),
            ("scripts/more.sh", "helm upgrade a ./c\n"),
            (
                "Makefile",
                "IMG ?= reg/app\nKUBECTL = kubectl\n.PHONY: deploy\ndeploy: build\n\t@$(KUBECTL) apply -f k8s/ # x\nbuild:\n\tdocker build -t $(IMG) .\n",
            ),
            ("sub/run.sh", "kubectl delete ns x\n"),
        ]);
        let text = "./scripts/deploy.sh\nmake deploy\ncd sub && ./run.sh\n";
        let p = pipeline(
            "ci.yml",
            CiSystem::GitlabCi,
            vec![job("j", vec![script_step("ci.yml", text, 0, 0)])],
        );
        let cx = Context {
            pipelines: std::slice::from_ref(&p),
            files: &repo,
        };
        let units = job_units(&cx, &p, &p.jobs[0], true);
        let files: Vec<(&str, usize)> = units.iter().map(|u| (u.file.as_str(), u.depth)).collect();
        assert_eq!(
            files,
            [
                ("ci.yml", 0),
                ("scripts/deploy.sh", 1),
                ("scripts/more.sh", 2),
                ("Makefile", 1),
                ("Makefile", 1),
                ("sub/run.sh", 1)
            ]
        );
        let mk = &units[3];
        assert_eq!(mk.cmds[0].program(), Some("kubectl"));
        let makefile = repo.0["Makefile"].as_str();
        assert_eq!(
            &makefile[mk.loc(&mk.cmds[0]).span.range()],
            "\t@$(KUBECTL) apply -f k8s/ # x"
        );
        assert_eq!(units[4].cmds[0].words[3].text, "reg/app");
        let sh = &units[1];
        assert_eq!(
            &repo.0["scripts/deploy.sh"][sh.loc(&sh.cmds[1]).span.range()],
            "kubectl apply -f k8s/"
        );
        assert_eq!(units[1].confidence(&units[1].cmds[1]), Confidence::Medium);
        assert!(units[0].via().is_empty());
        assert!(units[1].via().contains("scripts/deploy.sh"));
        let none = job_units(&cx, &p, &p.jobs[0], false);
        assert_eq!(none.len(), 1);
    }

    #[test]
    fn repo_paths() {
        assert_eq!(
            repo_path("", "./scripts/x.sh").as_deref(),
            Some("scripts/x.sh")
        );
        assert_eq!(repo_path("a/b", "../c.sh").as_deref(), Some("a/c.sh"));
        assert_eq!(
            repo_path("", "$CI_PROJECT_DIR/x.sh").as_deref(),
            Some("x.sh")
        );
        assert_eq!(repo_path("", "../../x.sh"), None);
        assert_eq!(repo_path("", "/usr/bin/x"), None);
        assert_eq!(repo_path("", "$DIR/x.sh"), None);
    }

    #[test]
    fn one_line_hides_tokens() {
        assert_eq!(
            one_line("kubectl --token abc \\\n  apply"),
            "kubectl --token *** apply"
        );
        assert_eq!(
            one_line("oc login --token=$T --password=x"),
            "oc login --token=$T --password=***"
        );
    }
}
