//! INFER stage: a tokenizer for the shell scripts CI steps run, good enough to find commands.
//!
//! It understands the POSIX sh / bash subset CI scripts use: `\` continuations, `&&`, `||`, `;`,
//! `|`, `&`, subshells and groups, `$( )`, backticks and `<( )` (whose commands are commands
//! too), quotes and escapes, comments, heredocs (recorded as data, never parsed), prefix
//! assignments, wrappers such as `sudo` or `timeout 60`, `sh -c '...'` / `eval`, and variables
//! that stand for commands (`$KUBECTL apply`). It is not a shell: it never expands anything but
//! a command-position variable, and it gives up quietly (never panics) on input it does not
//! understand. Scanning is iterative where input controls the depth, and nesting of `$( )` /
//! `sh -c` is capped, so hostile input cannot overflow the stack.
//!
//! The pieces: [`lexer`] cuts a script into words, operators, redirections and heredoc bodies;
//! [`word`] reads one word (quotes, escapes, `$( )`); [`parse`] groups tokens into commands;
//! [`vars`] knows assignments and the variables that stand for commands; [`wrappers`] takes off
//! `sudo`, `env`, `timeout`, ... and finds the script in `sh -c`; [`args`] answers questions
//! about a command's options.

mod args;
mod event;
mod lexer;
mod parse;
mod vars;
mod word;
mod wrappers;

#[cfg(test)]
mod fuzz_regressions;
#[cfg(test)]
mod tests;

use crate::files::LineIndex;
pub(crate) use event::{
    EventFilter, RefFilter, ScriptCondition, ScriptEvent, condition_branch_in, covers,
    in_conditional, in_else_after_branch_tests, nesting, script_keywords,
};
use lexer::{Lexer, Tok};
use vars::VarState;
pub(crate) use vars::{Lookup, appends_to_itself, github_variable, last_value};

/// One word of a script: its text once unquoted, how it was written, and where it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Word {
    /// The word with quotes and escapes removed (`"a b"` → `a b`); `$x`, `${x}` and `$( )` are
    /// kept as written because nothing is expanded.
    pub text: String,
    pub raw: String,
    /// Byte offset of the word in the script.
    pub start: usize,
    /// One past the word's last byte.
    pub end: usize,
}

/// A redirection of a command (`> file`, `2>&1`, `<<EOF`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Redirect {
    /// The operator with its file descriptor, as written (`>`, `2>>`, `<<-`, `<<<`).
    pub op: String,
    /// The target: a file, a descriptor, or a heredoc delimiter.
    pub target: Word,
}

/// One simple command, after prefix assignments, keywords and wrappers were taken off.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct Command {
    /// The real command and its arguments (`sudo -E kubectl apply` → `kubectl apply`).
    pub words: Vec<Word>,
    /// 0-based line of the script the command starts on.
    pub line: usize,
    /// Byte offset in the script where the command starts (wrappers and assignments included).
    pub start: usize,
    /// One past the last byte of the command (heredoc bodies excluded).
    pub end: usize,
    /// Assignments written before the command or given to `env` (`A=1 cmd`); for a command that
    /// is only assignments (`A=1`), those assignments, and `words` is empty.
    pub assignments: Vec<(String, String)>,
    /// Redirections, in order.
    pub redirects: Vec<Redirect>,
    /// The body of the heredoc(s) fed to the command: data, never parsed as commands.
    pub heredoc: Option<String>,
    /// Index (in the returned list) of the command whose output is piped into this one.
    pub stdin_from: Option<usize>,
    /// Wrappers that were taken off, outermost first (`sudo`, `env`, `timeout`, `xargs`, ...).
    pub wrappers: Vec<String>,
    /// The variable that stood for the command (`$KUBECTL apply` → `KUBECTL`); a GitHub
    /// expression as written (`${{ steps.prepare.outputs.command }}`).
    pub via_variable: Option<String>,
    /// Whether the command sits inside `$( )`, backticks, `<( )`, `sh -c` or `eval`.
    pub nested: bool,
    /// The function whose body the command is written in (`deploy() { helm upgrade …; }` →
    /// `deploy`), the innermost one: such a command runs only when the function is called.
    pub function: Option<String>,
}

/// The commands of `script`, in the order the shell meets them (commands inside `$( )` come
/// before the command they are part of). `vars` are the job's variables, used to resolve a
/// variable in command position when the script does not assign it first.
pub(crate) fn commands(script: &str, vars: &[(String, String)]) -> Vec<Command> {
    commands_in(script, &vars)
}

/// [`commands`] with the variables looked up in `vars`, wherever they are kept.
pub(crate) fn commands_in(script: &str, vars: &dyn Lookup) -> Vec<Command> {
    let mut state = VarState::new(vars);
    let mut out = Vec::new();
    parse::parse_into(script, 0, script.len(), 0, false, &mut state, &mut out);
    let lines = LineIndex::new(script);
    for cmd in &mut out {
        cmd.line = lines.line(cmd.start);
    }
    out
}

/// Splits a value into words the way an unquoted expansion would, honouring quotes inside it
/// (so `KUBECTL="kubectl --context 'my ctx'"` works as users expect).
pub(crate) fn split_words(value: &str) -> Vec<String> {
    let mut lexer = Lexer::new(value, 0, value.len());
    let mut out = Vec::new();
    while let Some(tok) = lexer.next_token() {
        match tok {
            Tok::Word(w) => out.push(w.word.text),
            _ => break,
        }
    }
    out
}
