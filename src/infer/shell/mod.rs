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

use std::collections::HashMap;

/// How deep `$( )`, backticks, `<( )` and `sh -c` strings are followed.
const MAX_NESTING: usize = 8;

/// How many wrappers (`sudo env timeout 5 ...`) or variable substitutions are undone per command.
const MAX_UNWRAP: usize = 8;

/// One shell word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Word {
    /// The word with quotes and escapes removed (`"a b"` → `a b`); `$x`, `${x}` and `$( )` are
    /// kept as written because nothing is expanded.
    pub text: String,
    /// The word exactly as written.
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
    /// The variable that stood for the command (`$KUBECTL apply` → `KUBECTL`).
    pub via_variable: Option<String>,
    /// Whether the command sits inside `$( )`, backticks, `<( )`, `sh -c` or `eval`.
    pub nested: bool,
}

impl Command {
    /// The program's basename (`./bin/kubectl` → `kubectl`), when there is one.
    pub(crate) fn program(&self) -> Option<&str> {
        let first = self.words.first()?;
        let name = first.text.rsplit('/').next().unwrap_or_default();
        if name.is_empty() { None } else { Some(name) }
    }

    /// The value of the first of `flags` that is given: `-n x`, `-nx`, `--namespace=x`,
    /// `--namespace x`. Stops at `--`.
    pub(crate) fn arg_after(&self, flags: &[&str]) -> Option<&str> {
        self.args_after(flags).into_iter().next()
    }

    /// Every value given to any of `flags`, in order (`-f a -f b` → `a`, `b`).
    pub(crate) fn args_after(&self, flags: &[&str]) -> Vec<&str> {
        let mut out = Vec::new();
        let mut i = 1;
        while i < self.words.len() {
            let w = self.words[i].text.as_str();
            if w == "--" {
                break;
            }
            for flag in flags {
                if w == *flag {
                    if let Some(next) = self.words.get(i + 1) {
                        out.push(next.text.as_str());
                        i += 1;
                    }
                    break;
                }
                let Some(rest) = w.strip_prefix(flag) else {
                    continue;
                };
                if flag.starts_with("--") {
                    if let Some(value) = rest.strip_prefix('=') {
                        out.push(value);
                        break;
                    }
                } else if flag.len() == 2 && !w.starts_with("--") && !rest.is_empty() {
                    // `-nprod`; `-n=prod` is also accepted by most Go CLIs.
                    out.push(rest.strip_prefix('=').unwrap_or(rest));
                    break;
                }
            }
            i += 1;
        }
        out
    }

    /// Whether any of `flags` is present, alone or with an `=value`.
    pub(crate) fn has_flag(&self, flags: &[&str]) -> bool {
        self.words
            .iter()
            .skip(1)
            .take_while(|w| w.text != "--")
            .any(|w| {
                flags.iter().any(|f| {
                    w.text == *f || (f.starts_with("--") && w.text.starts_with(&format!("{f}=")))
                })
            })
    }

    /// The arguments that are not options, skipping the value of each option in `value_flags`
    /// (`kubectl -n x apply -f y` with `-n`, `-f` → `apply`). Everything after `--` counts.
    pub(crate) fn positionals(&self, value_flags: &[&str]) -> Vec<&str> {
        let mut out = Vec::new();
        let mut i = 1;
        let mut rest_positional = false;
        while i < self.words.len() {
            let w = self.words[i].text.as_str();
            if rest_positional {
                out.push(w);
            } else if w == "--" {
                rest_positional = true;
            } else if w.len() > 1 && w.starts_with('-') {
                if value_flags.contains(&w) {
                    i += 1;
                }
            } else {
                out.push(w);
            }
            i += 1;
        }
        out
    }

    /// The command's text in `script` (empty when the span does not fit).
    pub(crate) fn text<'s>(&self, script: &'s str) -> &'s str {
        script.get(self.start..self.end).unwrap_or_default()
    }
}

/// The commands of `script`, in the order the shell meets them (commands inside `$( )` come
/// before the command they are part of). `vars` are the job's variables, used to resolve a
/// variable in command position when the script does not assign it first.
pub(crate) fn commands(script: &str, vars: &[(String, String)]) -> Vec<Command> {
    let mut state = VarState {
        script: HashMap::new(),
        outer: vars.iter().cloned().collect(),
    };
    let mut out = Vec::new();
    parse_into(script, 0, script.len(), 0, false, &mut state, &mut out);
    let starts = line_starts(script);
    for cmd in &mut out {
        cmd.line = line_of(&starts, cmd.start);
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

/// Byte offsets where each line of `text` starts.
pub(crate) fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(
        text.bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'\n')
            .map(|(i, _)| i + 1),
    );
    starts
}

/// The 0-based line containing byte `offset`, given `line_starts`.
pub(crate) fn line_of(starts: &[usize], offset: usize) -> usize {
    starts.partition_point(|s| *s <= offset).saturating_sub(1)
}

/// Variables known while parsing: the script's own assignments win over the job's variables.
struct VarState {
    script: HashMap<String, String>,
    outer: HashMap<String, String>,
}

impl VarState {
    fn get(&self, name: &str) -> Option<&str> {
        self.script
            .get(name)
            .or_else(|| self.outer.get(name))
            .map(String::as_str)
    }
}

/// A word plus the byte ranges of the command substitutions inside it.
#[derive(Debug)]
struct WordTok {
    word: Word,
    substs: Vec<(usize, usize)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Pipe,
    List,
    LParen,
    RParen,
}

#[derive(Debug)]
enum Tok {
    Word(WordTok),
    Redirect { op: String, start: usize },
    Op(Op),
    Newline { bodies: Vec<String> },
}

/// Modes of the closing-delimiter scanner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Paren,
    Brace,
    Double,
    Backtick,
}

struct Lexer<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    limit: usize,
    /// Heredocs whose bodies start after the next newline: (delimiter, strip leading tabs).
    pending: Vec<(String, bool)>,
}

fn is_meta(c: u8) -> bool {
    matches!(
        c,
        b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>'
    )
}

impl<'a> Lexer<'a> {
    fn new(src: &'a str, start: usize, limit: usize) -> Lexer<'a> {
        let limit = limit.min(src.len());
        Lexer {
            src,
            b: src.as_bytes(),
            pos: start.min(limit),
            limit,
            pending: Vec::new(),
        }
    }

    fn at(&self, i: usize) -> Option<u8> {
        if i < self.limit {
            self.b.get(i).copied()
        } else {
            None
        }
    }

    /// The char at `i` and its length; `None` at the end (or, defensively, off a boundary).
    fn char_at(&self, i: usize) -> Option<(char, usize)> {
        if i >= self.limit {
            return None;
        }
        let c = self.src.get(i..)?.chars().next()?;
        Some((c, c.len_utf8()))
    }

    fn next_token(&mut self) -> Option<Tok> {
        loop {
            let c = self.at(self.pos)?;
            match c {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\\' if self.at(self.pos + 1) == Some(b'\n') => self.pos += 2,
                b'#' => {
                    while let Some(c) = self.at(self.pos) {
                        if c == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                b'\n' => {
                    self.pos += 1;
                    let bodies = self.read_heredocs();
                    return Some(Tok::Newline { bodies });
                }
                b';' => {
                    self.pos += 1;
                    // `;;`, `;&` and `;;&` end a case arm.
                    while matches!(self.at(self.pos), Some(b';' | b'&')) {
                        self.pos += 1;
                    }
                    return Some(Tok::Op(Op::List));
                }
                b'&' => {
                    let start = self.pos;
                    match self.at(self.pos + 1) {
                        Some(b'&') => {
                            self.pos += 2;
                            return Some(Tok::Op(Op::List));
                        }
                        Some(b'>') => return Some(self.redirect(start)),
                        _ => {
                            self.pos += 1;
                            return Some(Tok::Op(Op::List));
                        }
                    }
                }
                b'|' => {
                    match self.at(self.pos + 1) {
                        Some(b'|') => {
                            self.pos += 2;
                            return Some(Tok::Op(Op::List));
                        }
                        Some(b'&') => self.pos += 2,
                        _ => self.pos += 1,
                    }
                    return Some(Tok::Op(Op::Pipe));
                }
                b'(' => {
                    self.pos += 1;
                    return Some(Tok::Op(Op::LParen));
                }
                b')' => {
                    self.pos += 1;
                    return Some(Tok::Op(Op::RParen));
                }
                b'<' | b'>' => {
                    if self.at(self.pos + 1) == Some(b'(') {
                        return Some(Tok::Word(self.word()));
                    }
                    let start = self.pos;
                    return Some(self.redirect(start));
                }
                b'0'..=b'9' => {
                    let mut j = self.pos;
                    while matches!(self.at(j), Some(b'0'..=b'9')) {
                        j += 1;
                    }
                    if matches!(self.at(j), Some(b'<' | b'>')) && self.at(j + 1) != Some(b'(') {
                        let start = self.pos;
                        self.pos = j;
                        return Some(self.redirect(start));
                    }
                    return Some(Tok::Word(self.word()));
                }
                _ => return Some(Tok::Word(self.word())),
            }
        }
    }

    /// Lexes a redirection operator at `self.pos`; `start` includes a leading descriptor.
    fn redirect(&mut self, start: usize) -> Tok {
        const OPS: &[&str] = &[
            "&>>", "&>", "<<<", "<<-", "<<", "<>", "<&", "<", ">>", ">&", ">|", ">",
        ];
        let rest = self.src.get(self.pos..self.limit).unwrap_or_default();
        let len = OPS
            .iter()
            .find(|op| rest.starts_with(**op))
            .map_or(1, |op| op.len());
        self.pos += len;
        let op = self.src.get(start..self.pos).unwrap_or_default().to_owned();
        Tok::Redirect { op, start }
    }

    /// Reads the bodies of pending heredocs, which start at `self.pos` (just after a newline).
    fn read_heredocs(&mut self) -> Vec<String> {
        let pending = std::mem::take(&mut self.pending);
        let mut bodies = Vec::new();
        for (delim, strip_tabs) in pending {
            let mut body = String::new();
            while self.pos < self.limit {
                let line_end = self.b[self.pos..self.limit]
                    .iter()
                    .position(|c| *c == b'\n')
                    .map_or(self.limit, |p| self.pos + p);
                let line = self.src.get(self.pos..line_end).unwrap_or_default();
                self.pos = (line_end + 1).min(self.limit);
                let probe = if strip_tabs {
                    line.trim_start_matches('\t')
                } else {
                    line
                };
                if probe.trim_end_matches('\r') == delim {
                    break;
                }
                body.push_str(line);
                body.push('\n');
            }
            bodies.push(body);
        }
        bodies
    }

    /// Index of the byte that closes a construct opened just before `i` in mode `first`
    /// (`)` for `$(`, `}` for `${`, `` ` `` for a backtick), or the limit when it never closes.
    fn find_close(&self, mut i: usize, first: Mode) -> usize {
        let mut stack = vec![first];
        while let Some(c) = self.at(i) {
            let Some(top) = stack.last().copied() else {
                break;
            };
            match top {
                Mode::Double => match c {
                    b'\\' => i += 1,
                    b'"' => {
                        stack.pop();
                    }
                    b'$' if self.at(i + 1) == Some(b'(') => {
                        stack.push(Mode::Paren);
                        i += 1;
                    }
                    b'$' if self.at(i + 1) == Some(b'{') => {
                        stack.push(Mode::Brace);
                        i += 1;
                    }
                    b'`' => stack.push(Mode::Backtick),
                    _ => {}
                },
                Mode::Backtick => match c {
                    b'\\' => i += 1,
                    b'`' => {
                        stack.pop();
                    }
                    _ => {}
                },
                Mode::Paren | Mode::Brace => match c {
                    b'\\' => i += 1,
                    b'\'' => {
                        i += 1;
                        while self.at(i).is_some_and(|c| c != b'\'') {
                            i += 1;
                        }
                    }
                    b'"' => stack.push(Mode::Double),
                    b'`' => stack.push(Mode::Backtick),
                    b'$' if self.at(i + 1) == Some(b'(') => {
                        stack.push(Mode::Paren);
                        i += 1;
                    }
                    b'$' if self.at(i + 1) == Some(b'{') => {
                        stack.push(Mode::Brace);
                        i += 1;
                    }
                    b'(' if top == Mode::Paren => stack.push(Mode::Paren),
                    b')' if top == Mode::Paren => {
                        stack.pop();
                    }
                    b'}' if top == Mode::Brace => {
                        stack.pop();
                    }
                    b'#' if top == Mode::Paren
                        && (i == 0 || matches!(self.b.get(i - 1), Some(b' ' | b'\t' | b'\n'))) =>
                    {
                        while self.at(i).is_some_and(|c| c != b'\n') {
                            i += 1;
                        }
                        continue;
                    }
                    _ => {}
                },
            }
            if stack.is_empty() {
                return i;
            }
            i += 1;
        }
        self.limit
    }

    /// Lexes one word starting at `self.pos`.
    fn word(&mut self) -> WordTok {
        let start = self.pos;
        let mut text = String::new();
        let mut substs = Vec::new();
        while let Some(c) = self.at(self.pos) {
            match c {
                b'<' | b'>' if self.pos == start && self.at(self.pos + 1) == Some(b'(') => {
                    // Process substitution `<(cmd)`: its commands run.
                    let close = self.find_close(self.pos + 2, Mode::Paren);
                    substs.push((self.pos + 2, close));
                    self.pos = (close + 1).min(self.limit);
                    text.push_str(self.src.get(start..self.pos).unwrap_or_default());
                }
                b'(' if is_assignment_prefix(&text) && self.pos > start => {
                    // Array assignment `A=(x y)`: one word.
                    let close = self.find_close(self.pos + 1, Mode::Paren);
                    let end = (close + 1).min(self.limit);
                    text.push_str(self.src.get(self.pos..end).unwrap_or_default());
                    self.pos = end;
                }
                c if is_meta(c) => break,
                b'\\' => match self.char_at(self.pos + 1) {
                    Some(('\n', _)) => self.pos += 2,
                    Some((ch, len)) => {
                        text.push(ch);
                        self.pos += 1 + len;
                    }
                    None => self.pos += 1,
                },
                b'\'' => {
                    let from = self.pos + 1;
                    let mut i = from;
                    while self.at(i).is_some_and(|c| c != b'\'') {
                        i += 1;
                    }
                    text.push_str(self.src.get(from..i).unwrap_or_default());
                    self.pos = (i + 1).min(self.limit);
                }
                b'$' if self.at(self.pos + 1) == Some(b'\'') => {
                    self.pos += 2;
                    self.ansi_c(&mut text);
                }
                b'"' => {
                    self.pos += 1;
                    self.double_quoted(&mut text, &mut substs);
                }
                b'$' | b'`' => self.dollar_or_backtick(&mut text, &mut substs),
                _ => match self.char_at(self.pos) {
                    Some((ch, len)) => {
                        text.push(ch);
                        self.pos += len;
                    }
                    None => self.pos += 1,
                },
            }
        }
        let end = self.pos;
        let raw = self.src.get(start..end).unwrap_or_default().to_owned();
        WordTok {
            word: Word {
                text,
                raw,
                start,
                end,
            },
            substs,
        }
    }

    /// `$( )`, `$(( ))`, `${ }` and backticks: kept verbatim in the text; the commands inside
    /// `$( )` and backticks are recorded for parsing.
    fn dollar_or_backtick(&mut self, text: &mut String, substs: &mut Vec<(usize, usize)>) {
        let from = self.pos;
        let end = if self.at(self.pos) == Some(b'`') {
            let close = self.find_close(self.pos + 1, Mode::Backtick);
            substs.push((self.pos + 1, close));
            close + 1
        } else if self.at(self.pos + 1) == Some(b'(') {
            let close = self.find_close(self.pos + 2, Mode::Paren);
            if self.at(self.pos + 2) != Some(b'(') {
                substs.push((self.pos + 2, close));
            }
            close + 1
        } else if self.at(self.pos + 1) == Some(b'{') {
            self.find_close(self.pos + 2, Mode::Brace) + 1
        } else {
            self.pos + 1
        };
        let end = end.min(self.limit).max(from + 1);
        text.push_str(self.src.get(from..end).unwrap_or_default());
        self.pos = end;
    }

    /// The inside of `"..."`; `self.pos` is just after the opening quote.
    fn double_quoted(&mut self, text: &mut String, substs: &mut Vec<(usize, usize)>) {
        while let Some(c) = self.at(self.pos) {
            match c {
                b'"' => {
                    self.pos += 1;
                    return;
                }
                b'\\' => match self.char_at(self.pos + 1) {
                    Some(('\n', _)) => self.pos += 2,
                    Some((ch @ ('$' | '`' | '"' | '\\'), len)) => {
                        text.push(ch);
                        self.pos += 1 + len;
                    }
                    _ => {
                        text.push('\\');
                        self.pos += 1;
                    }
                },
                b'$' | b'`' => self.dollar_or_backtick(text, substs),
                _ => match self.char_at(self.pos) {
                    Some((ch, len)) => {
                        text.push(ch);
                        self.pos += len;
                    }
                    None => self.pos += 1,
                },
            }
        }
    }

    /// The inside of `$'...'`; `self.pos` is just after the opening quote.
    fn ansi_c(&mut self, text: &mut String) {
        while let Some((ch, len)) = self.char_at(self.pos) {
            self.pos += len;
            match ch {
                '\'' => return,
                '\\' => {
                    if let Some((esc, elen)) = self.char_at(self.pos) {
                        self.pos += elen;
                        text.push(match esc {
                            'n' => '\n',
                            't' => '\t',
                            other => other,
                        });
                    }
                }
                other => text.push(other),
            }
        }
    }
}

/// `NAME=` or `NAME+=` (the start of an assignment word).
fn is_assignment_prefix(text: &str) -> bool {
    let Some(name) = text.strip_suffix('=') else {
        return false;
    };
    let name = name.strip_suffix('+').unwrap_or(name);
    is_name(name)
}

/// A valid shell variable name.
fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `NAME=value` as written (the name must be unquoted), split into name and unquoted value.
fn assignment(word: &Word) -> Option<(String, String)> {
    let eq = word.raw.find('=')?;
    let name = &word.raw[..eq];
    let name = name.strip_suffix('+').unwrap_or(name);
    if !is_name(name) {
        return None;
    }
    let value = word
        .text
        .split_once('=')
        .map(|(_, v)| v)
        .unwrap_or_default();
    Some((name.to_owned(), value.to_owned()))
}

/// The variable a word consists of: `$NAME`, `${NAME}`, `"$NAME"`.
fn lone_variable(word: &Word) -> Option<&str> {
    let t = word.text.as_str();
    let name = if let Some(inner) = t.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
        inner
    } else {
        t.strip_prefix('$')?
    };
    is_name(name).then_some(name)
}

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
fn parse_into(
    src: &str,
    start: usize,
    limit: usize,
    depth: usize,
    nested: bool,
    vars: &mut VarState,
    out: &mut Vec<Command>,
) {
    let mut lexer = Lexer::new(src, start, limit);
    let mut cur = Builder::default();
    let mut pending_redirect: Option<(String, usize)> = None;
    // Heredoc owners, in delimiter order: `None` means "the command being built".
    let mut owners: Vec<Option<usize>> = Vec::new();
    let mut parens = 0usize;
    let mut next_stdin: Option<usize> = None;

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
                    if let Some(cmd) = owner.and_then(|i| out.get_mut(i)) {
                        match &mut cmd.heredoc {
                            Some(existing) => existing.push_str(&body),
                            None => cmd.heredoc = Some(body),
                        }
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

/// Turns the builder into a command (if it is one) and resets it. Returns its index.
fn finish(
    cur: &mut Builder,
    depth: usize,
    nested: bool,
    vars: &mut VarState,
    out: &mut Vec<Command>,
    owners: &mut [Option<usize>],
) -> Option<usize> {
    let b = std::mem::take(cur);
    let start = b.start?;
    let mut words = b.words;
    let mut assignments = Vec::new();

    strip_keywords(&mut words);
    while let Some(first) = words.first() {
        match assignment(first) {
            Some(a) => {
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
        // `A=1` alone sets a shell variable for the rest of the script.
        for (k, v) in &assignments {
            vars.script.insert(k.clone(), v.clone());
        }
    }

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
    if let Some(inner) = inner
        && depth < MAX_NESTING
    {
        // `sh -c '...'` and `eval`: parse the string; spans point at the whole outer command.
        let base = out.len();
        let mut sub = Vec::new();
        parse_into(&inner, 0, inner.len(), depth + 1, true, vars, &mut sub);
        for mut c in sub {
            c.start = outer_start;
            c.end = outer_end;
            c.stdin_from = c.stdin_from.map(|i| i + base);
            out.push(c);
        }
    }
    Some(idx)
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

/// Wrapper programs: (name, options that take a value, whether `NAME=value` may follow).
const WRAPPERS: &[(&str, &[&str], bool)] = &[
    (
        "sudo",
        &[
            "-u", "-g", "-h", "-p", "-C", "-U", "-r", "-t", "-D", "-R", "-T",
        ],
        true,
    ),
    ("env", &["-u", "-C", "--unset", "--chdir"], true),
    ("time", &["-f", "-o", "--format", "--output"], false),
    ("exec", &["-a"], false),
    ("nohup", &[], false),
    ("command", &[], false),
    ("builtin", &[], false),
    ("nice", &["-n", "--adjustment"], false),
    ("ionice", &["-c", "-n", "-p"], false),
    ("stdbuf", &["-i", "-o", "-e"], false),
    (
        "xargs",
        &[
            "-n",
            "-I",
            "-L",
            "-P",
            "-d",
            "-E",
            "-s",
            "-a",
            "--max-args",
            "--max-procs",
        ],
        false,
    ),
    ("timeout", &["-s", "-k", "--signal", "--kill-after"], false),
    ("npx", &["-p", "--package"], false),
];

/// Undoes wrappers and command-position variables, outermost first.
fn unwrap(cmd: &mut Command, vars: &VarState) {
    for _ in 0..MAX_UNWRAP {
        let Some(first) = cmd.words.first() else {
            return;
        };
        if let Some(name) = lone_variable(first) {
            let Some(value) = vars.get(name) else {
                return;
            };
            let (span_start, span_end) = (first.start, first.end);
            let replacement: Vec<Word> = split_words(value)
                .into_iter()
                .map(|t| Word {
                    raw: t.clone(),
                    text: t,
                    start: span_start,
                    end: span_end,
                })
                .collect();
            if replacement.is_empty() || cmd.via_variable.is_some() {
                return;
            }
            cmd.via_variable = Some(name.to_owned());
            cmd.words.splice(0..1, replacement);
            continue;
        }
        let Some(program) = cmd.program().map(str::to_owned) else {
            return;
        };
        let Some((_, value_opts, assigns)) = WRAPPERS.iter().find(|(w, _, _)| *w == program) else {
            return;
        };
        let mut i = 1;
        let mut took_duration = false;
        while let Some(w) = cmd.words.get(i) {
            let t = w.text.as_str();
            if program == "command" && matches!(t, "-v" | "-V") {
                return; // `command -v kubectl` asks whether it exists
            }
            if t == "--" {
                i += 1;
                break;
            }
            if t.len() > 1 && t.starts_with('-') {
                i += if value_opts.contains(&t) { 2 } else { 1 };
                continue;
            }
            if *assigns && let Some(a) = assignment(w) {
                cmd.assignments.push(a);
                i += 1;
                continue;
            }
            if program == "timeout" && !took_duration {
                took_duration = true;
                i += 1;
                continue;
            }
            break;
        }
        if i >= cmd.words.len() {
            return; // a wrapper with nothing to run
        }
        cmd.wrappers.push(program);
        cmd.words.drain(..i);
    }
}

/// `export A=1`, `declare A=1`, `local A=1`, `readonly A=1` set variables too.
fn remember_exports(cmd: &Command, vars: &mut VarState) {
    if matches!(
        cmd.program(),
        Some("export" | "declare" | "local" | "readonly" | "typeset")
    ) {
        for w in cmd.words.iter().skip(1) {
            if let Some((k, v)) = assignment(w) {
                vars.script.insert(k, v);
            }
        }
    }
}

/// The script a command runs as a string: `sh -c '...'`, `bash -ec "..."`, `eval ...`.
fn inline_script(cmd: &Command) -> Option<String> {
    match cmd.program()? {
        "sh" | "bash" | "zsh" | "dash" | "ash" | "ksh" => {
            let mut words = cmd.words.iter().skip(1);
            let mut has_c = false;
            for w in words.by_ref() {
                let t = w.text.as_str();
                if t.starts_with('-') && !t.starts_with("--") {
                    has_c |= t.contains('c');
                    if t == "-o" {
                        continue;
                    }
                    if has_c {
                        break;
                    }
                } else if t.starts_with("--") {
                    continue;
                } else {
                    return None;
                }
            }
            if !has_c {
                return None;
            }
            words.next().map(|w| w.text.clone())
        }
        "eval" => {
            let rest: Vec<&str> = cmd.words.iter().skip(1).map(|w| w.text.as_str()).collect();
            (!rest.is_empty()).then(|| rest.join(" "))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progs(script: &str) -> Vec<String> {
        commands(script, &[])
            .iter()
            .map(|c| {
                c.words
                    .iter()
                    .map(|w| w.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    #[test]
    fn chains_and_separators() {
        assert_eq!(
            progs("a 1 && b 2 || c; d & e | f\ng"),
            ["a 1", "b 2", "c", "d", "e", "f", "g"]
        );
    }

    #[test]
    fn continuations_join_lines() {
        let s = "helm upgrade --install app ./chart \\\n  --namespace prod \\\n  -f values.yaml\necho done";
        let cmds = commands(s, &[]);
        assert_eq!(cmds.len(), 2);
        assert_eq!(cmds[0].words.len(), 9);
        assert_eq!(cmds[0].arg_after(&["-n", "--namespace"]), Some("prod"));
        assert_eq!(cmds[0].line, 0);
        assert_eq!(cmds[1].line, 3);
        assert!(cmds[0].text(s).ends_with("values.yaml"));
    }

    #[test]
    fn quotes_are_removed_but_raw_kept() {
        let cmds = commands(
            r#"kubectl apply -f "my dir/x.yaml" --selector='a=b' it\'s"#,
            &[],
        );
        let w = &cmds[0].words;
        assert_eq!(w[3].text, "my dir/x.yaml");
        assert_eq!(w[3].raw, "\"my dir/x.yaml\"");
        assert_eq!(w[4].text, "--selector=a=b");
        assert_eq!(w[5].text, "it's");
    }

    #[test]
    fn comments_are_skipped_but_not_inside_words() {
        assert_eq!(
            progs("# kubectl apply -f x\necho a#b # c\n  # helm upgrade\necho \"# no\""),
            ["echo a#b", "echo # no"]
        );
    }

    #[test]
    fn command_substitution_and_backticks_hold_commands() {
        let p = progs(
            "export TAG=$(git rev-parse --short HEAD)\necho `kubectl get pods` \"$(helm version)\"",
        );
        assert_eq!(
            p,
            [
                "git rev-parse --short HEAD",
                "export TAG=$(git rev-parse --short HEAD)",
                "kubectl get pods",
                "helm version",
                "echo `kubectl get pods` $(helm version)"
            ]
        );
        let cmds = commands("x=$(kubectl get ns)", &[]);
        assert!(cmds[0].nested);
    }

    #[test]
    fn arithmetic_is_not_a_command() {
        assert_eq!(progs("echo $((1 + 2))"), ["echo $((1 + 2))"]);
    }

    #[test]
    fn heredoc_bodies_are_data() {
        let s = "kubectl apply -f - <<EOF\napiVersion: v1\nkind: Namespace # x\nEOF\nhelm upgrade a b\ncat <<-'END' | kubectl apply -f -\n\tkubectl delete all\n\tEND\n";
        let cmds = commands(s, &[]);
        let p: Vec<_> = cmds.iter().map(|c| c.program().unwrap_or("")).collect();
        assert_eq!(p, ["kubectl", "helm", "cat", "kubectl"]);
        assert_eq!(
            cmds[0].heredoc.as_deref(),
            Some("apiVersion: v1\nkind: Namespace # x\n")
        );
        assert_eq!(cmds[2].heredoc.as_deref(), Some("\tkubectl delete all\n"));
        assert_eq!(cmds[3].stdin_from, Some(2));
        assert_eq!(cmds[1].line, 4);
    }

    #[test]
    fn unterminated_heredoc_runs_to_the_end() {
        let cmds = commands("cat <<EOF\nkubectl apply -f x\n", &[]);
        assert_eq!(cmds.len(), 1);
    }

    #[test]
    fn prefix_assignments_are_stripped_and_kept() {
        let cmds = commands("KUBECONFIG=/tmp/kc FOO=\"a b\" kubectl apply -f x", &[]);
        assert_eq!(cmds[0].program(), Some("kubectl"));
        assert_eq!(
            cmds[0].assignments,
            [
                ("KUBECONFIG".into(), "/tmp/kc".into()),
                ("FOO".into(), "a b".into())
            ]
        );
    }

    #[test]
    fn wrappers_are_unwrapped() {
        for s in [
            "sudo -E kubectl apply -f x",
            "sudo -u root kubectl apply -f x",
            "env -i A=1 kubectl apply -f x",
            "time kubectl apply -f x",
            "exec kubectl apply -f x",
            "timeout 60 kubectl apply -f x",
            "timeout -s KILL 5m kubectl apply -f x",
            "npx --yes kubectl apply -f x",
            "sudo env A=1 timeout 10 ./bin/kubectl apply -f x",
            "ls *.yaml | xargs -n1 kubectl apply -f",
        ] {
            let cmds = commands(s, &[]);
            let last = cmds.last().expect("a command");
            assert_eq!(last.program(), Some("kubectl"), "{s}");
            assert_eq!(last.words[1].text, "apply", "{s}");
        }
        let cmds = commands("sudo env A=1 kubectl apply", &[]);
        assert_eq!(cmds[0].wrappers, ["sudo", "env"]);
        assert_eq!(cmds[0].assignments, [("A".into(), "1".into())]);
        assert_eq!(
            commands("command -v kubectl", &[])[0].program(),
            Some("command")
        );
    }

    #[test]
    fn variables_as_commands() {
        let s = "KUBECTL=\"kubectl --context prod\"\n$KUBECTL apply -f x\n${HELM} upgrade a b\n$UNKNOWN run";
        let vars = vec![("HELM".to_owned(), "helm".to_owned())];
        let cmds = commands(s, &vars);
        assert_eq!(cmds[0].assignments[0].0, "KUBECTL");
        assert_eq!(cmds[1].program(), Some("kubectl"));
        assert_eq!(cmds[1].arg_after(&["--context"]), Some("prod"));
        assert_eq!(cmds[1].via_variable.as_deref(), Some("KUBECTL"));
        assert_eq!(cmds[2].program(), Some("helm"));
        assert_eq!(cmds[3].program(), Some("$UNKNOWN"));
        let cmds = commands("export K=kubectl; $K delete ns x", &[]);
        assert_eq!(cmds[1].program(), Some("kubectl"));
    }

    #[test]
    fn subshells_groups_and_control_flow() {
        assert_eq!(
            progs(
                "(cd k8s && kubectl apply -k .)\n{ helm lint; }\nif [ -n \"$X\" ]; then\n  kubectl apply -f a\nelse helm upgrade a b; fi\nfor f in *.yaml; do kubectl apply -f $f; done"
            ),
            [
                "cd k8s",
                "kubectl apply -k .",
                "helm lint",
                "[ -n $X ]",
                "kubectl apply -f a",
                "helm upgrade a b",
                "kubectl apply -f $f"
            ]
        );
    }

    #[test]
    fn case_patterns_and_functions_are_not_commands() {
        let s = "deploy() {\n  kubectl apply -f x\n}\ncase \"$ENV\" in\n  prod|production) helm upgrade p c ;;\n  *) echo no ;;\nesac\nfunction f { oc apply -f y; }";
        assert_eq!(
            progs(s),
            [
                "kubectl apply -f x",
                "helm upgrade p c",
                "echo no",
                "oc apply -f y"
            ]
        );
    }

    #[test]
    fn sh_c_and_eval_are_parsed() {
        let cmds = commands(
            "bash -ec 'kubectl apply -f x && helm upgrade a b'\neval \"kubectl delete ns y\"",
            &[],
        );
        let p: Vec<_> = cmds.iter().filter_map(Command::program).collect();
        assert_eq!(p, ["bash", "kubectl", "helm", "eval", "kubectl"]);
        assert!(cmds[1].nested);
        assert_eq!(cmds[1].start, cmds[0].start);
    }

    #[test]
    fn redirects_and_pipes() {
        let cmds = commands(
            "echo \"$KUBE_CONFIG\" | base64 -d > ~/.kube/config 2>&1",
            &[],
        );
        assert_eq!(cmds.len(), 2);
        assert_eq!(cmds[1].stdin_from, Some(0));
        assert_eq!(cmds[1].redirects[0].op, ">");
        assert_eq!(cmds[1].redirects[0].target.text, "~/.kube/config");
        assert_eq!(cmds[1].redirects[1].op, "2>&");
        assert_eq!(cmds[1].words.len(), 2);
        let cmds = commands("kustomize build overlays/prod |\n  kubectl apply -f -", &[]);
        assert_eq!(cmds[1].stdin_from, Some(0));
    }

    #[test]
    fn arg_after_forms() {
        let c = &commands(
            "kubectl -nprod --context=ctx apply --namespace x -f a -f=b --filename c",
            &[],
        )[0];
        assert_eq!(c.arg_after(&["-n", "--namespace"]), Some("prod"));
        assert_eq!(c.args_after(&["-n", "--namespace"]), ["prod", "x"]);
        assert_eq!(c.arg_after(&["--context"]), Some("ctx"));
        assert_eq!(c.args_after(&["-f", "--filename"]), ["a", "b", "c"]);
        assert_eq!(
            c.positionals(&["-n", "--namespace", "-f", "--filename"]),
            ["apply"]
        );
        assert!(c.has_flag(&["--context"]));
    }

    #[test]
    fn offsets_and_lines_are_bytes() {
        let s = "echo é\n  kubectl apply -f ü.yaml";
        let cmds = commands(s, &[]);
        assert_eq!(cmds[1].line, 1);
        assert_eq!(cmds[1].text(s), "kubectl apply -f ü.yaml");
    }

    #[test]
    fn substitutions_with_quotes_and_parens() {
        let p = progs(
            "x=\"$(echo \")\" | tr -d '(')\"; y=$(a \"$(b 'c)')\")\nkubectl apply -f \"$(ls k8s/*.yaml)\"",
        );
        assert_eq!(p[0], "echo )");
        assert_eq!(p[1], "tr -d (");
        assert!(p.contains(&"b c)".to_owned()), "{p:?}");
        assert_eq!(
            p.last().map(String::as_str),
            Some("kubectl apply -f $(ls k8s/*.yaml)")
        );
        let cmds = commands(
            "helm upgrade a ./c --set image.tag=${{ github.sha }} -n ${{ inputs.env }}",
            &[],
        );
        assert_eq!(cmds.len(), 1);
        assert_eq!(cmds[0].arg_after(&["-n"]), Some("${{ inputs.env }}"));
    }

    #[test]
    fn pseudo_random_input_never_panics() {
        const ALPHABET: &[&str] = &[
            " ", "\n", "\\", "'", "\"", "$", "(", ")", "{", "}", "`", "|", "&", ";", "<", ">", "#",
            "=", "a", "k", "-", "2", "é", "\t", "<<", "EOF", "$(", "${", "sh -c ", "case ", "esac",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..3000 {
            let mut s = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 48) as usize;
            for _ in 0..len {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.push_str(ALPHABET[(seed % ALPHABET.len() as u64) as usize]);
            }
            for c in commands(&s, &[("a".into(), "$a".into())]) {
                assert!(c.start <= c.end && c.end <= s.len(), "{s:?}");
                let _ = (c.program(), c.text(&s), c.arg_after(&["-n", "--x"]));
            }
        }
    }

    #[test]
    fn never_panics_on_odd_input() {
        let inputs = [
            "",
            "\\",
            "'",
            "\"",
            "$(",
            "`",
            "${",
            "<<",
            "<<EOF",
            "a |",
            "| a",
            ")))",
            "(((",
            ";;;",
            "$'\\",
            "x=(",
            "2>",
            "&>",
            "é\\é",
            "\"$(\"`\"",
            "$((((",
            "<(",
            "case x in a) ;; esac",
            "sh -c",
            "eval",
            "sudo",
            "timeout 5",
            "$X",
            "a=\"",
            "`echo \\`",
        ];
        for s in inputs {
            let _ = commands(s, &[("X".into(), "".into())]);
        }
        let deep = "$(".repeat(5000);
        let _ = commands(&deep, &[]);
        let deep = "\"$(".repeat(5000);
        let _ = commands(&deep, &[]);
        let deep = "sh -c '".repeat(50);
        let _ = commands(&deep, &[]);
        let loops = [
            ("A".to_owned(), "$B".to_owned()),
            ("B".to_owned(), "$A".to_owned()),
        ];
        let _ = commands("$A x", &loops);
    }
}
