//! INFER stage: the scripts, make targets and package scripts a unit calls
//! (`./scripts/deploy.sh`, `bash deploy/x.sh`, `source env.sh`, `make deploy`, `npm run
//! deploy`), read through the repository and tokenized as units of their own.

use crate::files::{Loc, RepoFiles};
use crate::infer::commands::MAX_DEPTH;
use crate::infer::commands::limits::Limits;
use crate::infer::commands::makefile;
use crate::infer::commands::package_scripts;
use crate::infer::commands::unit::{SpanMap, Unit};
use crate::infer::shell::Command;

/// Pushes `unit`, then (depth first) the scripts and make targets it calls. `chain` holds the
/// calls that led here, so a script that calls itself, directly or not, is not read again.
/// What a unit at [`MAX_DEPTH`] calls is not read, and each such call is a `script-limit`
/// diagnostic in `limits`, as are the make limits [`make_calls`] reaches and each call past
/// the analysis's budget of called bytes ([`Limits::take`]), which is tokenized only within it.
pub(super) fn push_with_calls(
    files: &dyn RepoFiles,
    mut unit: Unit,
    chain: &mut Vec<String>,
    out: &mut Vec<Unit>,
    limits: &mut Limits,
) {
    if unit.depth >= MAX_DEPTH {
        // What the calls would have read is not read, so its own limits are not reported.
        let (calls, unread) = calls_of(files, &unit, &mut Limits::default());
        unit.unread_scripts = unread;
        for call in calls.iter().filter(|c| !chain.contains(&c.key)) {
            limits.push(
                call.at.clone(),
                format!(
                    "`{}` is not read: scripts and make targets are followed {MAX_DEPTH} calls deep",
                    call.called_as
                ),
            );
        }
        out.push(unit);
        return;
    }
    let (calls, unread) = calls_of(files, &unit, limits);
    unit.unread_scripts = unread;
    let calls: Vec<(String, Unit)> = calls
        .into_iter()
        .filter(|call| !chain.contains(&call.key))
        .filter(|call| limits.take(call.text.len(), &call.called_as, &call.at))
        .map(|call| (call.key.clone(), call.read(&unit)))
        .collect();
    out.push(unit);
    for (key, unit) in calls {
        chain.push(key);
        push_with_calls(files, unit, chain, out, limits);
        chain.pop();
    }
}

/// A called script or make target, not yet tokenized: its key for the cycle guard (the path,
/// or `Makefile:target`) and what [`Unit::called`] makes a unit of.
struct Call {
    key: String,
    /// The calling command.
    at: Loc,
    /// The file the text is written in.
    file: std::sync::Arc<str>,
    text: String,
    map: SpanMap,
    /// How it is called (`./deploy.sh prod`, `make deploy`).
    called_as: String,
    /// The folder it runs in.
    cwd: String,
    /// The shell function whose body calls it.
    gate: Option<String>,
    /// What the calling command runs under ([`Unit::runs_under`]), which the called text's
    /// commands run under too.
    when: Option<crate::infer::shell::ScriptCondition>,
    /// A script's positional parameters; `None` for a make target, which sees its caller's.
    positional: Option<Vec<(String, String)>>,
}

impl Call {
    /// The called unit, tokenized; it runs under what its calling command runs under.
    fn read(self, caller: &Unit) -> Unit {
        let mut unit = caller.called(
            self.file,
            self.text,
            self.map,
            self.called_as,
            self.cwd,
            self.gate.as_ref(),
        );
        unit.step_when = self.when;
        match self.positional {
            Some(positional) => unit.with_positional(positional),
            None => unit,
        }
    }
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
    "$(git rev-parse --show-toplevel)/",
    "`git rev-parse --show-toplevel`/",
];

/// Prefixes that stand for the directory the script runs in.
const CWD_PREFIXES: &[&str] = &["$PWD/", "${PWD}/", "$(pwd)/"];

/// The folder `cd dir` goes to from `cwd` ([`repo_path`]), a folder named by a variable
/// joined as written (`k8s/overlays/$ENV`); `""` when it is outside the repository or absolute.
pub(super) fn repo_dir(cwd: &str, dir: &str) -> String {
    repo_path(cwd, dir)
        .or_else(|| {
            let dir = dir.trim();
            dir.contains('$')
                .then(|| crate::files::fold::relative(cwd, dir))
                .flatten()
        })
        .unwrap_or_default()
}

/// Joins `path` to `cwd` and normalises `.` and `..`; `None` for paths outside the repository
/// or still holding variables. A path that starts at the repository root
/// (`$GITHUB_WORKSPACE/`, `$(git rev-parse --show-toplevel)/`) ignores `cwd`.
pub(super) fn repo_path(cwd: &str, path: &str) -> Option<String> {
    let mut path = path.trim();
    let mut cwd = cwd;
    if let Some(rest) = WORKSPACE_PREFIXES.iter().find_map(|p| path.strip_prefix(p)) {
        path = rest;
        cwd = "";
    } else if let Some(rest) = CWD_PREFIXES.iter().find_map(|p| path.strip_prefix(p)) {
        path = rest;
    }
    if path.is_empty() || path.starts_with('/') || path.starts_with('~') || path.contains('$') {
        return None;
    }
    let joined = format!("{cwd}/{path}");
    let parts = crate::files::fold::fold(&joined)?;
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// The script at `path`, or, when the repository has none there, at `path` without its first
/// folder: a repository checked out into a folder of its own (Azure checks out each repository
/// of a job with several `checkout:` steps into `$(Build.SourcesDirectory)/<name>`, and
/// `actions/checkout` takes a `path:`), so `aks-deploy/bootstrap/run.sh` is this repository's
/// `bootstrap/run.sh`.
fn read_script(files: &dyn RepoFiles, path: String) -> Option<(String, std::sync::Arc<str>)> {
    if let Some(text) = files.read(&path) {
        return Some((path, text));
    }
    let (_, inner) = path.split_once('/')?;
    let text = files.read(inner)?;
    Some((inner.to_owned(), text))
}

/// The scripts and make targets a unit calls, read but not yet tokenized, and the commands that
/// run a script the repository does not hold ([`Unit::unread_scripts`]); the make limits
/// reached on the way go to `limits`.
fn calls_of(
    files: &dyn RepoFiles,
    unit: &Unit,
    limits: &mut Limits,
) -> (Vec<Call>, Vec<(usize, String)>) {
    let (mut calls, mut unread) = (Vec::new(), Vec::new());
    for (i, cmd) in unit.cmds.iter().enumerate() {
        let Some(program) = cmd.program().filter(|p| *p != "cd") else {
            continue;
        };
        // A script is looked for from the root when the folder is a variable's.
        let cwd = Some(unit.dir_at(i))
            .filter(|dir| !dir.contains('$'))
            .unwrap_or_default();
        if matches!(program, "make" | "gmake") {
            calls.extend(make_calls(files, unit, cmd, &cwd, limits));
            continue;
        }
        if let Some(run) = package_scripts::run_of(cmd) {
            let (called_as, at) = (unit.command_line(cmd), unit.loc(cmd));
            let found = package_scripts::scripts(files, run, &cwd, limits, (&called_as, &at));
            calls.extend(found.into_iter().map(|s| Call {
                key: format!("{}:{}", s.manifest, s.name),
                at: at.clone(),
                file: s.manifest.as_str().into(),
                text: s.text,
                map: SpanMap::LineSpans(s.spans),
                called_as: called_as.clone(),
                cwd: s.dir,
                gate: cmd.function.clone(),
                when: unit.runs_under(cmd.start),
                positional: None,
            }));
            continue;
        }
        let Some((script, at)) = script_arg(cmd) else {
            continue;
        };
        // `./bin/${NAMESPACE}_deploy.sh`: the variables' values where the command runs.
        let script = if script.contains('$') {
            super::values::resolve(&script, unit, i).0
        } else {
            script
        };
        let Some((path, text)) = repo_path(&cwd, &script).and_then(|p| read_script(files, p))
        else {
            unread.push((i, script));
            continue;
        };
        calls.push(Call {
            key: path.clone(),
            at: unit.loc(cmd),
            file: path.into(),
            text: text.to_string(),
            map: SpanMap::Direct,
            called_as: unit.command_line(cmd),
            cwd: cwd.clone(),
            gate: cmd.function.clone(),
            when: unit.runs_under(cmd.start),
            positional: Some(positional(cmd, at)),
        });
    }
    (calls, unread)
}

/// The positional parameters a script is called with (`./deploy.sh shop-uat values.yaml` sets
/// `$1` and `$2`), named `1` to `9` as its variables (what `$1` to `$9` read; `$10` is `${1}0`
/// in the shell), each as written.
fn positional(cmd: &Command, script_at: usize) -> Vec<(String, String)> {
    cmd.words
        .iter()
        .skip(script_at + 1)
        .take(9)
        .enumerate()
        .map(|(i, w)| ((i + 1).to_string(), w.text.clone()))
        .collect()
}

/// The script file a command runs (`./x.sh`, `scripts/x`, `bash -e x.sh`, `source x.sh`) and
/// the index of its word: the words after it are the script's arguments.
fn script_arg(cmd: &Command) -> Option<(String, usize)> {
    let first = cmd.words.first()?.text.as_str();
    let program = cmd.program()?;
    if matches!(
        program,
        "bash" | "sh" | "zsh" | "dash" | "ksh" | "ash" | "source" | "."
    ) {
        let mut words = cmd.words.iter().enumerate().skip(1);
        while let Some((i, w)) = words.next() {
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
            return Some((t.to_owned(), i));
        }
        return None;
    }
    if first.contains('/') || first.ends_with(".sh") || first.ends_with(".bash") {
        return Some((first.to_owned(), 0));
    }
    None
}

/// Most targets one `make` command reads: its own, then their prerequisites, first come.
const MAX_MAKE_TARGETS: usize = 33;

/// `make [-C dir] [-f file] target...`: the recipes of the targets (and their prerequisites).
/// More targets than [`MAX_MAKE_TARGETS`], or a recipe past its expansion budget, is a
/// `script-limit` diagnostic at the `make` command.
fn make_calls(
    files: &dyn RepoFiles,
    unit: &Unit,
    cmd: &Command,
    cwd: &str,
    limits: &mut Limits,
) -> Vec<Call> {
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
        let text = files.read(&path)?;
        Some((path, text))
    }) else {
        return Vec::new();
    };
    let makefile = makefile::parsed(&text);
    let (given, targets): (Vec<&str>, Vec<&str>) = cmd
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
        .partition(|t| t.contains('='));
    // `make deploy NAMESPACE=shop-staging`: a variable given on the command line.
    let given: Vec<(String, String)> = given
        .into_iter()
        .filter_map(|a| {
            let (name, value) = a.split_once('=')?;
            let name = name.strip_suffix(':').unwrap_or(name);
            crate::read::support::is_identifier(name).then(|| (name.to_owned(), value.to_owned()))
        })
        .collect();
    let mut targets: Vec<String> = targets.into_iter().map(str::to_owned).collect();
    if targets.is_empty() {
        targets.extend(makefile.default_target.clone());
    }
    let mut calls = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    // Targets left unread by the bound, and recipes whose expansion ran past its budget.
    let (mut unread, mut kept): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    while let Some(target) = targets.first().cloned() {
        targets.remove(0);
        if seen.contains(&target) {
            continue;
        }
        if seen.len() >= MAX_MAKE_TARGETS {
            unread.push(target);
            continue;
        }
        seen.push(target.clone());
        // A target may have several rules (`cd: ## CD flow`, then `cd: build tag`, or one per
        // branch of an `ifeq`, both of which are read): their prerequisites add up, and their
        // recipes are read one after the other, as one script.
        let rules = makefile.rules_for(&target);
        // Prerequisites run first, and are part of what `make <target>` does.
        for pre in rules.iter().flat_map(|r| r.prereqs_for(&target)) {
            if seen.contains(&pre) || targets.contains(&pre) {
                continue;
            }
            // No more are read than the bound, so no more are queued.
            if seen.len() + targets.len() >= MAX_MAKE_TARGETS {
                unread.push(pre.clone());
                break;
            }
            targets.push(pre.clone());
        }
        let (mut text, mut spans) = (String::new(), Vec::new());
        for rule in rules.into_iter().filter(|r| !r.recipe.is_empty()) {
            let (more, more_spans, over) = makefile.recipe_script(rule, &target, &given);
            text.push_str(&more);
            spans.extend(more_spans);
            if over && !kept.contains(&target) {
                kept.push(target.clone());
            }
        }
        if text.is_empty() {
            continue;
        }
        calls.push(Call {
            key: format!("{path}:{target}"),
            at: unit.loc(cmd),
            file: path.as_str().into(),
            text,
            map: SpanMap::LineSpans(spans),
            called_as: format!("make {target}"),
            cwd: dir.clone(),
            gate: cmd.function.clone(),
            when: unit.runs_under(cmd.start),
            positional: None,
        });
    }
    let command = unit.command_line(cmd);
    if let Some(first) = unread.first() {
        limits.push(
            unit.loc(cmd),
            format!(
                "`{command}` runs more than {MAX_MAKE_TARGETS} targets of `{path}` (its own, then their prerequisites); `{first}` and the rest are not read"
            ),
        );
    }
    for target in kept {
        limits.push(
            unit.loc(cmd),
            format!(
                "the recipe of `{target}` in `{path}`, which `{command}` runs, expands past the limit of make variables and functions; the variables left are kept as written"
            ),
        );
    }
    calls
}
