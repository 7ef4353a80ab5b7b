//! Groups tokens into commands: separators and pipes, subshells and groups, reserved words,
//! case patterns and function definitions (no commands; the commands of a `{ }` body are marked
//! with the function's name), heredoc owners, prefix assignments, and the commands inside
//! `$( )`, backticks, `<( )`, `sh -c '...'` and `eval`.

use super::lexer::{Lexer, Op, Tok};
use super::vars::{
    VarState, appends_to_array, appends_to_itself, assignment, expand_arrays, remember_exports,
};
use super::wrappers::{inline_script, unwrap};
use super::{Command, Redirect, Word};

/// How deep `$( )`, backticks, `<( )` and `sh -c` strings are followed.
const MAX_NESTING: usize = 8;

/// A command being collected between separators.
#[derive(Default)]
struct Builder {
    words: Vec<Word>,
    redirects: Vec<Redirect>,
    start: Option<usize>,
    end: usize,
    stdin_from: Option<usize>,
}

impl Builder {
    fn touch(&mut self, start: usize, end: usize) {
        if self.start.is_none() {
            self.start = Some(start);
        }
        self.end = self.end.max(end);
    }
}

/// Parses `src[start..limit]`, appending commands to `out`.
pub(super) fn parse_into(
    src: &str,
    start: usize,
    limit: usize,
    depth: usize,
    nested: bool,
    vars: &mut VarState<'_>,
    out: &mut Vec<Command>,
) {
    let mut lexer = Lexer::new(src, start, limit);
    let mut cur = Builder::default();
    let mut pending_redirect: Option<(String, usize)> = None;
    // Heredoc owners, in delimiter order: `None` means "the command being built".
    let mut owners: Vec<Option<usize>> = Vec::new();
    let mut parens = 0usize;
    let mut next_stdin: Option<usize> = None;
    let mut bodies = Bodies::default();

    loop {
        let tok = lexer.next_token();
        match tok {
            Some(Tok::Word(w)) => {
                if depth < MAX_NESTING {
                    for (s, e) in &w.substs {
                        parse_into(src, *s, *e, depth + 1, true, vars, out);
                    }
                }
                let word = w.word;
                cur.touch(word.start, word.end);
                if let Some((op, op_start)) = pending_redirect.take() {
                    cur.touch(op_start, word.end);
                    if op.starts_with("<<") && !op.starts_with("<<<") {
                        lexer.pending.push((word.text.clone(), op.ends_with('-')));
                        owners.push(None);
                    }
                    cur.redirects.push(Redirect { op, target: word });
                } else {
                    if let Some(name) = bodies.word(&word, &cur.words, out) {
                        vars.runs_its_arguments(name);
                    }
                    if cur.words.is_empty() && cur.stdin_from.is_none() {
                        cur.stdin_from = next_stdin.take();
                    }
                    cur.words.push(word);
                }
            }
            Some(Tok::Redirect { op, start }) => {
                cur.touch(start, lexer.pos);
                pending_redirect = Some((op, start));
            }
            Some(Tok::Op(op)) => {
                pending_redirect = None;
                match op {
                    Op::Pipe => {
                        let stdin = cur.stdin_from.or(next_stdin.take());
                        cur.stdin_from = stdin;
                        let idx = finish(&mut cur, depth, nested, vars, out, &mut owners);
                        next_stdin = idx;
                    }
                    Op::List => {
                        finish(&mut cur, depth, nested, vars, out, &mut owners);
                        next_stdin = None;
                    }
                    Op::LParen => {
                        if cur.words.is_empty() {
                            finish(&mut cur, depth, nested, vars, out, &mut owners);
                        } else {
                            // `name() { ... }`: a function definition; the name is no command.
                            bodies.header(&cur.words);
                            cur = Builder::default();
                        }
                        parens += 1;
                    }
                    Op::RParen => {
                        if parens > 0 {
                            parens -= 1;
                            finish(&mut cur, depth, nested, vars, out, &mut owners);
                        } else {
                            // A `case` pattern (`prod|production)`): drop it, and the pattern
                            // alternatives the `|` made look like a pipeline.
                            if let Some(first) = cur.stdin_from.or(next_stdin)
                                && first < out.len()
                            {
                                out.truncate(first);
                            }
                            owners.retain(|o| o.is_none_or(|i| i < out.len()));
                            cur = Builder::default();
                        }
                        next_stdin = None;
                    }
                }
            }
            Some(Tok::Newline { bodies }) => {
                pending_redirect = None;
                if next_stdin.is_none() || !cur.words.is_empty() {
                    finish(&mut cur, depth, nested, vars, out, &mut owners);
                    next_stdin = None;
                }
                // else: `a |\n b` continues the pipeline on the next line.
                for (owner, body) in owners.drain(..).zip(bodies) {
                    let Some(cmd) = owner.and_then(|i| out.get_mut(i)) else {
                        continue;
                    };
                    // `ssh HOST <<EOF`: the body is the script the other machine runs.
                    let remote = inline_script(cmd).is_none() && cmd.program() == Some("ssh");
                    let outer = (cmd.start, cmd.end);
                    match &mut cmd.heredoc {
                        Some(existing) => existing.push_str(&body),
                        None => cmd.heredoc = Some(body.clone()),
                    }
                    if remote {
                        push_inline(&body, outer, depth, vars, out);
                    }
                }
            }
            None => {
                finish(&mut cur, depth, nested, vars, out, &mut owners);
                break;
            }
        }
    }
}

/// The function definitions met at one level of a script (`name() {`, `function name {`), so
/// the commands of each `{ }` body can be marked with the function's name when it closes.
#[derive(Default)]
struct Bodies {
    /// A function's name, waiting for the `{` that opens its body.
    pending: Option<String>,
    /// How many `{ }` groups are open.
    braces: usize,
    /// Open bodies: the function's name, the brace depth its `{` made, and the index in the
    /// output of the first command written after it.
    open: Vec<(String, usize, usize)>,
}

impl Bodies {
    /// Looks at `word`, about to join the command being built (`words`). `{` and `}` count
    /// only as reserved words: unquoted, where a command may start. A body left open at the
    /// end of the script marks nothing, so a misread `}` never hides commands. Gives the name
    /// of a function whose body just closed and runs its arguments as a command (`"$@"`: a
    /// `retry` or `with_timeout` helper).
    fn word(&mut self, word: &Word, words: &[Word], out: &mut [Command]) -> Option<String> {
        let unquoted = |w: &Word| w.raw == w.text;
        let at_start = words.iter().all(|w| {
            unquoted(w)
                && matches!(
                    w.text.as_str(),
                    "if" | "then" | "else" | "elif" | "do" | "while" | "until" | "!" | "{"
                )
        });
        let after_name = words.len() == 2 && words[0].raw == "function";
        if unquoted(word) && word.text == "{" && (at_start || after_name) {
            self.braces += 1;
            if let Some(name) = self.pending.take() {
                self.open.push((name, self.braces, out.len()));
            }
        } else if unquoted(word) && word.text == "}" && at_start {
            if self
                .open
                .last()
                .is_some_and(|(_, depth, _)| *depth == self.braces)
                && let Some((name, _, first)) = self.open.pop()
            {
                let mut runs_arguments = false;
                for cmd in out.iter_mut().skip(first) {
                    cmd.function.get_or_insert_with(|| name.clone());
                    runs_arguments |= cmd
                        .words
                        .first()
                        .is_some_and(|w| matches!(w.text.as_str(), "$@" | "${@}" | "$*"));
                }
                self.braces = self.braces.saturating_sub(1);
                return runs_arguments.then_some(name);
            }
            self.braces = self.braces.saturating_sub(1);
        } else if words.len() == 1 && words[0].raw == "function" {
            self.pending = Some(word.text.clone());
        } else if at_start {
            self.pending = None;
        }
        None
    }

    /// `name (` (or `function name (`): the header of a function definition.
    fn header(&mut self, words: &[Word]) {
        self.pending = words.last().map(|w| w.text.clone());
    }
}

/// Turns the builder into a command (if it is one) and resets it. Returns its index.
fn finish(
    cur: &mut Builder,
    depth: usize,
    nested: bool,
    vars: &mut VarState<'_>,
    out: &mut Vec<Command>,
    owners: &mut [Option<usize>],
) -> Option<usize> {
    let b = std::mem::take(cur);
    let start = b.start?;
    let mut words = b.words;
    let mut assignments = Vec::new();

    strip_keywords(&mut words);
    let mut appends = Vec::new();
    while let Some(first) = words.first() {
        match assignment(first) {
            Some(a) => {
                appends.push(appends_to_array(first));
                assignments.push(a);
                words.remove(0);
            }
            None => break,
        }
        strip_keywords(&mut words);
    }
    if words.is_empty() && assignments.is_empty() {
        return None;
    }
    if words.is_empty() {
        // `A=1` alone sets a shell variable for the rest of the script (not `A+=(x)`, nor
        // `A="$A x"`: see [`appends_to_itself`]).
        for ((k, v), append) in assignments.iter().zip(&appends) {
            if !append && !appends_to_itself(k, v) {
                vars.set(k.clone(), v.clone());
            }
        }
    }
    expand_arrays(&mut words, vars);

    let mut cmd = Command {
        words,
        line: 0,
        start,
        end: b.end,
        assignments,
        redirects: b.redirects,
        heredoc: None,
        stdin_from: b.stdin_from,
        wrappers: Vec::new(),
        via_variable: None,
        nested,
        function: None,
    };
    unwrap(&mut cmd, vars);
    remember_exports(&cmd, vars);

    let idx = out.len();
    for owner in owners.iter_mut() {
        if owner.is_none() {
            *owner = Some(idx);
        }
    }
    let inner = inline_script(&cmd);
    let (outer_start, outer_end) = (cmd.start, cmd.end);
    out.push(cmd);
    if let Some(inner) = inner {
        push_inline(&inner, (outer_start, outer_end), depth, vars, out);
    }
    Some(idx)
}

/// Parses `inner`, the script a command at `outer` (start, end) runs as a string (`sh -c
/// '...'`, `eval`, a command run over ssh), into `out` after it; spans point at the whole
/// outer command, for its words too (their offsets are into the string, not the script).
fn push_inline(
    inner: &str,
    (outer_start, outer_end): (usize, usize),
    depth: usize,
    vars: &mut VarState<'_>,
    out: &mut Vec<Command>,
) {
    if depth >= MAX_NESTING {
        return;
    }
    let base = out.len();
    let mut sub = Vec::new();
    parse_into(inner, 0, inner.len(), depth + 1, true, vars, &mut sub);
    for mut c in sub {
        c.start = outer_start;
        c.end = outer_end;
        let targets = c.redirects.iter_mut().map(|r| &mut r.target);
        for word in c.words.iter_mut().chain(targets) {
            (word.start, word.end) = (outer_start, outer_end);
        }
        c.stdin_from = c.stdin_from.map(|i| i + base);
        out.push(c);
    }
}

/// Takes off reserved words that precede a command (`if`, `then`, `do`, `!`, `{`, ...) and drops
/// words that are no command at all (`fi`, `for x in ...`, `case $x in`).
fn strip_keywords(words: &mut Vec<Word>) {
    while let Some(first) = words.first() {
        if first.raw != first.text {
            return; // quoted: not a reserved word
        }
        match first.text.as_str() {
            "if" | "then" | "else" | "elif" | "do" | "while" | "until" | "!" | "{" | "}" | "fi"
            | "done" | "esac" => {
                words.remove(0);
            }
            "for" | "select" | "case" => {
                words.clear();
            }
            "function" => {
                words.remove(0);
                if !words.is_empty() {
                    words.remove(0);
                }
            }
            _ => return,
        }
    }
}
