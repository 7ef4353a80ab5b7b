//! INFER stage: one tokenized script and the way back from its byte offsets to the file it is
//! written in.

use std::sync::Arc;

use crate::files::{LineIndex, Loc, redact};
use crate::infer::Confidence;
use crate::infer::shell::{self, Command};
use crate::yaml::Span;

use super::scope::Scope;

/// The longest path a folder can have (Linux's `PATH_MAX`): a longer one is no folder.
const PATH_MAX: usize = 4096;

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
    pub(crate) file: Arc<str>,
    /// The script text as tokenized.
    pub(crate) text: String,
    /// Its commands, in the order the shell meets them.
    pub(crate) cmds: Vec<Command>,
    /// Offsets back to the file.
    pub(crate) map: SpanMap,
    /// Where the lines of `text` start, for mapping offsets through `map`.
    pub(crate) lines: LineIndex,
    /// 0 for a step; 1.. for called scripts.
    pub(crate) depth: usize,
    /// What called it (`./scripts/deploy.sh`, `make deploy`), for notes.
    pub(crate) called_as: Option<String>,
    /// How a step written elsewhere got into the job (`!reference [.deploy, script] used at
    /// .gitlab-ci.yml:31:7`), so findings name the use site as well as the definition.
    pub(crate) used_as: Option<String>,
    /// The variables the script sees (the job's, its step's, what earlier steps set), and the
    /// values earlier steps set only on some branch (GitHub `$GITHUB_ENV` and `$GITHUB_OUTPUT`
    /// writes inside an `if` on the branch), each with the branch it holds on.
    pub(crate) vars: Scope,
    /// What the step's own conditions say about the ref or event it runs on (a GitHub step's
    /// `if:`, the Jenkins `if` around a call inside its stage), for every unit of the step; in
    /// a called unit, what its calling command ran under ([`Unit::runs_under`]).
    pub(crate) step_when: Option<shell::ScriptCondition>,
    /// Its step never runs as the workflow is written ([`crate::infer::switched_off::step`]);
    /// a called unit's, when its caller's does not.
    pub(crate) switched_off: bool,
    /// The repository-relative directory it starts in (`""`: the root): the step's
    /// `working-directory`, or where the calling script was when it called it.
    pub(crate) cwd: String,
    /// The shell functions that must be called for this unit to run: it was called from
    /// inside their bodies (`deploy() { ./scripts/helm.sh; }`). Empty for steps.
    pub(crate) gates: Vec<String>,
    /// The commands (indices into `cmds`) that run a script the repository does not hold, with
    /// the script's path as the command gives it: cloned or downloaded at run time, in another
    /// repository's checkout, or at a path a variable names that cannot be read. Filled when
    /// the unit's calls are read.
    pub(crate) unread_scripts: Vec<(usize, String)>,
    /// The `if`/`then`/`else`/`elif`/`fi` of `text`, found on the first question
    /// [`Unit::condition_branch`] is asked.
    pub(crate) keywords: std::cell::OnceCell<Vec<(usize, &'static str)>>,
    /// How many `if`s and `case`s are open after each keyword ([`shell::nesting`]), found on
    /// the first question [`Unit::in_conditional`] is asked.
    pub(crate) nesting: std::cell::OnceCell<Vec<(usize, i32)>>,
    /// Where [`Unit::dir_at`] last stopped: the next command to read and the folder before
    /// it, so a walk over the commands in order reads each `cd` once.
    pub(crate) dirs: std::cell::RefCell<(usize, String)>,
}

impl Unit {
    /// What the command at byte `at` of the text runs under ([`shell::condition_branch`]),
    /// with the text's keywords found once for all its commands.
    pub(crate) fn condition_branch(&self, at: usize) -> Option<shell::ScriptCondition> {
        shell::condition_branch_in(&self.text, self.keywords(), at)
    }

    /// The text's `if`/`case` keywords, found once.
    fn keywords(&self) -> &[(usize, &'static str)] {
        self.keywords
            .get_or_init(|| shell::script_keywords(&self.text))
    }

    /// Whether the command at byte `at` sits inside an `if` or a `case` of the text (a command
    /// that may not run); a binary search in the text's nesting, found once.
    pub(crate) fn in_conditional(&self, at: usize) -> bool {
        let nesting = self.nesting.get_or_init(|| shell::nesting(self.keywords()));
        shell::in_conditional(nesting, at)
    }

    /// Whether the command at byte `at` sits in the `else` after `if`/`elif` tests of the
    /// branch ([`shell::in_else_after_branch_tests`]).
    pub(crate) fn in_branch_else(&self, at: usize) -> bool {
        shell::in_else_after_branch_tests(&self.text, self.keywords(), at)
    }

    /// What the command at byte `at` runs under: the `if` of the text around it, else the
    /// step's own condition or, in a called script, the condition its calling command ran
    /// under (`if [ "$CIRCLE_BRANCH" = master ]; then ./deploy.sh; fi`).
    pub(crate) fn runs_under(&self, at: usize) -> Option<shell::ScriptCondition> {
        self.condition_branch(at).or_else(|| self.step_when.clone())
    }

    /// The repository-relative directory command `idx` runs in: the unit's own, changed by each
    /// `cd` before it (not one inside `$( )` or `sh -c`). A `cd` into a folder named by a
    /// variable keeps the variable (`k8s/overlays/$ENV`); one with no argument, to `-` or `~`,
    /// outside the repository, to an absolute path, or to a folder longer than a path can be
    /// (`PATH_MAX`, 4096 bytes) goes back to `""`, the root, which is what is known. Asked in
    /// command order, as rules and the script walk ask, it reads each command once.
    pub(crate) fn dir_at(&self, idx: usize) -> String {
        let mut at = self.dirs.borrow_mut();
        if at.0 == 0 || at.0 > idx {
            *at = (0, self.cwd.clone());
        }
        while at.0 < idx.min(self.cmds.len()) {
            let cmd = &self.cmds[at.0];
            if cmd.program() == Some("cd") && !cmd.nested {
                at.1 = match cmd.words.get(1).map(|w| w.text.as_str()) {
                    None | Some("-" | "~") => String::new(),
                    Some(dir) => super::calls::repo_dir(&at.1, dir),
                };
                if at.1.len() > PATH_MAX {
                    at.1.clear();
                }
            }
            at.0 += 1;
        }
        at.1.clone()
    }

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
                let map = |offset: usize| -> Option<usize> {
                    let line = self.lines.line(offset);
                    let col = offset.checked_sub(self.lines.line_start(line)?)?;
                    Some(file_starts.get(line)? + col)
                };
                match (map(start), map(end.saturating_sub(1).max(start))) {
                    (Some(s), Some(e)) => Span::new(s, e + usize::from(end > start)),
                    _ => *step,
                }
            }
            SpanMap::LineSpans(spans) => {
                let first = spans.get(self.lines.line(start));
                let last = spans.get(self.lines.line(end.saturating_sub(1)));
                match (first, last) {
                    (Some(f), Some(l)) => f.join(*l),
                    (Some(f), None) => *f,
                    _ => return Loc::shared(&self.file, Span::empty(0)),
                }
            }
        };
        Loc::shared(&self.file, span)
    }

    /// The command as written, on one line, with secret values masked.
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
            let sign = if var.starts_with('$') { "" } else { "$" };
            out.push_str(&format!(" through `{sign}{var}`"));
        }
        if !cmd.wrappers.is_empty() {
            out.push_str(&format!(" behind `{}`", cmd.wrappers.join(" ")));
        }
        if cmd.nested {
            out.push_str(" inside a nested shell or command substitution");
        }
        if let Some(function) = &cmd.function {
            out.push_str(&format!(
                " in shell function `{function}`, which the job calls"
            ));
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

/// The command `text` on one line: secret values masked ([`redact`]), then continuation
/// lines and runs of whitespace joined. Masking comes first, so a value on the line after its
/// option, or a `key: value` line of a heredoc, is still seen where it is written.
pub(super) fn one_line(text: &str) -> String {
    let masked = redact::redacted(text);
    let joined = masked.replace("\\\r\n", " ").replace("\\\n", " ");
    joined.split_whitespace().collect::<Vec<_>>().join(" ")
}
