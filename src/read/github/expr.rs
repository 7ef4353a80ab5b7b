//! READ stage: the subset of the GitHub Actions expression language found in job `if:`, lowered
//! into job conditions.
//!
//! Representation: the conditions of a job are a **conjunction**. A top-level `a && b && c`
//! becomes one condition per conjunct; each conjunct that is a recognised ref/event test becomes
//! a typed condition (`Branch`, `Tag`, `PullRequest`, ...), and every other conjunct becomes one
//! `Expression` condition holding that conjunct's text. A disjunction (`a || b`) is never split:
//! it is one `Expression` condition with its whole text, because listing the alternatives as
//! separate conditions would turn "either" into "both". `success()` conjuncts are dropped since
//! GitHub adds that status check implicitly; text that does not parse is one `Expression`.
//!
//! Recognised tests (`!=` or a leading `!` negate them):
//!
//! ```text
//! github.ref == 'refs/heads/main'             Branch main
//! github.ref == 'refs/tags/v1'                Tag v1
//! startsWith(github.ref, 'refs/heads/rel/')   Branch rel/*
//! startsWith(github.ref, 'refs/tags/v')       Tag v*     ('refs/tags/' alone: Tag, any)
//! github.ref_name == 'main'                   Branch main
//! github.base_ref == 'main'                   PullRequest main
//! github.ref_type == 'tag' | 'branch'         Tag / Branch, any
//! github.event_name == 'push'                 Branch, any   (pull_request[_target]:
//!                                             PullRequest, workflow_dispatch: Manual,
//!                                             schedule: Schedule, workflow_run: Upstream,
//!                                             release: Tag)
//! startsWith(github.event.release.tag_name, 'v')  Tag v*  (`==`: Tag, that tag)
//! github.event.workflow_run.conclusion == 'success'  Upstream, any (any field of the finished
//!                                             run: it exists on a `workflow_run` only; not `!=`)
//! inputs.environment == 'prod'                Manual environment, choice prod (a
//!                                             `workflow_dispatch` input of the workflow;
//!                                             `github.event.inputs.X` alike; not `!=`)
//! ```

use crate::read::TriggerKind;

mod env_test;
mod inputs;
#[cfg(test)]
mod tests;

pub(crate) use env_test::env_test;
use inputs::dispatch_input;
pub(crate) use inputs::{input_name, input_read, lookup, substitute_inputs};

/// One job condition before it gets a location: kind, pattern, negated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Cond {
    /// What the condition filters on.
    pub(crate) kind: TriggerKind,
    /// Branch/tag pattern or expression text.
    pub(crate) pattern: Option<String>,
    /// Whether the test excludes.
    pub(crate) negated: bool,
    /// For a test of a dispatch input, the value it compares the input with.
    pub(crate) choices: Vec<String>,
}

impl Cond {
    fn new(kind: TriggerKind, pattern: Option<String>) -> Cond {
        Cond {
            kind,
            pattern,
            negated: false,
            choices: Vec::new(),
        }
    }

    fn expression(text: &str) -> Cond {
        Cond::new(TriggerKind::Expression, Some(text.trim().to_owned()))
    }
}

/// Deeper nesting than this is not something a real `if:` needs; refusing it keeps the
/// recursive-descent parser safe from stack exhaustion on hostile input.
const MAX_NESTING: usize = 64;

/// Lowers the text of a job `if:` into conditions (see the module docs).
#[cfg(test)]
pub(crate) fn lower(text: &str) -> Vec<Cond> {
    lower_in(text, &[])
}

/// [`lower`] in a workflow whose `workflow_dispatch` declares the inputs `dispatch`: a test
/// that one of them equals a value (`inputs.environment == 'prod'`, also
/// `github.event.inputs.environment`) is a manual start with that input (`Manual`, the input
/// as pattern), as a runtime parameter test is on Azure. A `!=` test of an input, or one of an
/// input `dispatch` does not declare (a `workflow_call` input), stays an expression.
pub(crate) fn lower_in(text: &str, dispatch: &[String]) -> Vec<Cond> {
    let inner = strip_wrapper(text);
    if inner.is_empty() {
        return Vec::new();
    }
    let Some(tree) = parse(inner) else {
        return vec![Cond::expression(text)];
    };
    let mut conjuncts = Vec::new();
    flatten_and(&tree, &mut conjuncts);
    conjuncts
        .into_iter()
        .filter(|e| !is_success_call(e))
        .map(|e| {
            simple(e, dispatch)
                .unwrap_or_else(|| Cond::expression(inner.get(e.start..e.end).unwrap_or(inner)))
        })
        .collect()
}

/// Removes a `${{ ... }}` wrapping the whole text; `if:` may be written with or without it.
pub(crate) fn strip_wrapper(text: &str) -> &str {
    let t = text.trim();
    match t.strip_prefix("${{").and_then(|r| r.strip_suffix("}}")) {
        // `${{ a }} && ${{ b }}` is a string template, not one wrapped expression.
        Some(inner) if !inner.contains("${{") => inner.trim(),
        _ => t,
    }
}

fn flatten_and<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match &e.kind {
        Kind::And(l, r) => {
            flatten_and(l, out);
            flatten_and(r, out);
        }
        _ => out.push(e),
    }
}

fn is_success_call(e: &Expr) -> bool {
    matches!(&e.kind, Kind::Call(name, args) if name.eq_ignore_ascii_case("success") && args.is_empty())
}

/// A recognised ref/event test, or a test of one of the `dispatch` inputs; `None` otherwise.
fn simple(e: &Expr, dispatch: &[String]) -> Option<Cond> {
    match &e.kind {
        // "Not started with this input value" is every other start: no manual start of its own.
        // Nor is "the finished run's field is not that value", which every other start passes.
        Kind::Not(inner) => simple(inner, dispatch)
            .filter(|c| !(c.kind == TriggerKind::Manual && c.pattern.is_some()))
            .filter(|_| !tests_finished_run(inner))
            .map(|c| Cond {
                negated: !c.negated,
                ..c
            }),
        Kind::Eq(l, r, negated) => {
            let (path, value) = match (&l.kind, &r.kind) {
                (Kind::Path(p), Kind::Str(s)) | (Kind::Str(s), Kind::Path(p)) => (p, s),
                _ => return None,
            };
            if let Some(input) = dispatch_input(path, dispatch) {
                return (!*negated).then(|| Cond {
                    choices: vec![value.clone()],
                    ..Cond::new(TriggerKind::Manual, Some(input.to_owned()))
                });
            }
            // The run that finished exists only on a `workflow_run` event: a test that one of
            // its fields equals a value holds on no other start (`!=` holds on all of them).
            if tests_finished_run(e) {
                return (!*negated).then(|| Cond::new(TriggerKind::Upstream, None));
            }
            let mut c = equals(&path.to_ascii_lowercase(), value)?;
            c.negated ^= *negated;
            Some(c)
        }
        Kind::Call(name, args) if name.eq_ignore_ascii_case("startsWith") => {
            let [subject, prefix] = args.as_slice() else {
                return None;
            };
            match (&subject.kind, &prefix.kind) {
                (Kind::Path(p), Kind::Str(prefix)) => starts_with(&p.to_ascii_lowercase(), prefix),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `github.event.workflow_run.conclusion == 'success'`: a field of the run a `workflow_run`
/// event reports, compared with a string.
fn tests_finished_run(e: &Expr) -> bool {
    match &e.kind {
        Kind::Eq(l, r, _) => match (&l.kind, &r.kind) {
            (Kind::Path(p), Kind::Str(_)) | (Kind::Str(_), Kind::Path(p)) => {
                const RUN: &str = "github.event.workflow_run.";
                p.get(..RUN.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(RUN))
            }
            _ => false,
        },
        _ => false,
    }
}

fn equals(path: &str, value: &str) -> Option<Cond> {
    use TriggerKind::*;
    let c = match path {
        "github.ref" => {
            if let Some(b) = value.strip_prefix("refs/heads/") {
                Cond::new(Branch, non_empty(b))
            } else if let Some(t) = value.strip_prefix("refs/tags/") {
                Cond::new(Tag, non_empty(t))
            } else {
                return None;
            }
        }
        "github.ref_name" => Cond::new(Branch, non_empty(value)),
        "github.base_ref" => Cond::new(PullRequest, non_empty(value)),
        "github.ref_type" => match value {
            "tag" => Cond::new(Tag, None),
            "branch" => Cond::new(Branch, None),
            _ => return None,
        },
        "github.event_name" => match value {
            "push" => Cond::new(Branch, None),
            "pull_request" | "pull_request_target" => Cond::new(PullRequest, None),
            "workflow_dispatch" => Cond::new(Manual, None),
            "schedule" => Cond::new(Schedule, None),
            "workflow_run" => Cond::new(Upstream, None),
            "release" => Cond::new(Tag, None),
            _ => return None,
        },
        "github.event.release.tag_name" => Cond::new(Tag, non_empty(value)),
        _ => return None,
    };
    Some(c)
}

fn starts_with(path: &str, prefix: &str) -> Option<Cond> {
    use TriggerKind::*;
    let glob = |p: &str| non_empty(p).map(|p| format!("{p}*"));
    let c = match path {
        "github.ref" => {
            if let Some(b) = prefix.strip_prefix("refs/heads/") {
                Cond::new(Branch, glob(b))
            } else if let Some(t) = prefix.strip_prefix("refs/tags/") {
                Cond::new(Tag, glob(t))
            } else {
                return None;
            }
        }
        "github.ref_name" => Cond::new(Branch, glob(prefix)),
        "github.base_ref" => Cond::new(PullRequest, glob(prefix)),
        "github.event.release.tag_name" => Cond::new(Tag, glob(prefix)),
        _ => return None,
    };
    Some(c)
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

// ---------------------------------------------------------------------------------------------
// Tokenizer

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    /// A name or dotted property path: `github.event.inputs.my-input`, `matrix.*.x`.
    Ident(String),
    Str(String),
    /// Numbers, `true`, `false`, `null`: literals the lowering never looks inside.
    Lit,
    Eq,
    Ne,
    /// `<`, `<=`, `>`, `>=`.
    Rel,
    And,
    Or,
    Not,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    /// `.` after `)` or `]`: `fromJSON(x).key`.
    Dot,
}

#[derive(Clone, Debug, PartialEq)]
struct Token {
    tok: Tok,
    start: usize,
    end: usize,
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Splits an expression into tokens; `None` on any character outside the subset.
fn tokenize(src: &str) -> Option<Vec<Token>> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut chars = src.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let peek = chars.peek().map(|&(_, c)| c);
        let tok = match c {
            c if c.is_whitespace() => continue,
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            '[' => Tok::LBracket,
            ']' => Tok::RBracket,
            ',' => Tok::Comma,
            '.' => Tok::Dot,
            '=' | '!' | '<' | '>' if peek == Some('=') => {
                chars.next();
                match c {
                    '=' => Tok::Eq,
                    '!' => Tok::Ne,
                    _ => Tok::Rel,
                }
            }
            '!' => Tok::Not,
            '<' | '>' => Tok::Rel,
            '&' | '|' if peek == Some(c) => {
                chars.next();
                if c == '&' { Tok::And } else { Tok::Or }
            }
            '\'' => {
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some((_, '\'')) if chars.peek().map(|&(_, c)| c) == Some('\'') => {
                            chars.next();
                            s.push('\'');
                        }
                        Some((_, '\'')) => break,
                        Some((_, c)) => s.push(c),
                        None => return None,
                    }
                }
                Tok::Str(s)
            }
            c if c.is_ascii_digit() || (c == '-' && peek.is_some_and(|p| p.is_ascii_digit())) => {
                while chars
                    .peek()
                    .is_some_and(|&(_, c)| c.is_ascii_alphanumeric() || c == '.' || c == '+')
                {
                    chars.next();
                }
                Tok::Lit
            }
            c if is_ident_start(c) => {
                // A dotted path: segments of identifier characters or `*`, joined by `.`.
                while let Some(&(i, c)) = chars.peek() {
                    let next = bytes.get(i + 1).map(|&b| char::from(b));
                    if is_ident_char(c)
                        || c == '*'
                        || (c == '.' && next.is_some_and(|n| is_ident_start(n) || n == '*'))
                    {
                        chars.next();
                    } else {
                        break;
                    }
                }
                let end = chars.peek().map_or(src.len(), |&(i, _)| i);
                let word = src.get(start..end)?;
                match word {
                    "true" | "false" | "null" => Tok::Lit,
                    _ => Tok::Ident(word.to_owned()),
                }
            }
            _ => return None,
        };
        let end = chars.peek().map_or(src.len(), |&(i, _)| i);
        out.push(Token { tok, start, end });
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------------
// Parser

#[derive(Clone, Debug, PartialEq)]
struct Expr {
    kind: Kind,
    /// Byte range in the expression text, parentheses included.
    start: usize,
    end: usize,
}

#[derive(Clone, Debug, PartialEq)]
enum Kind {
    Str(String),
    Path(String),
    Lit,
    Not(Box<Expr>),
    /// `==` (false) or `!=` (true).
    Eq(Box<Expr>, Box<Expr>, bool),
    Rel,
    And(Box<Expr>, Box<Expr>),
    Or,
    Call(String, Vec<Expr>),
    /// Indexing or property access on a computed value.
    Access,
}

fn parse(src: &str) -> Option<Expr> {
    let tokens = tokenize(src)?;
    let mut p = Parser {
        tokens: &tokens,
        pos: 0,
        depth: 0,
    };
    let e = p.or()?;
    (p.pos == tokens.len()).then_some(e)
}

struct Parser<'t> {
    tokens: &'t [Token],
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|t| &t.tok)
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        if self.peek() == Some(tok) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_NESTING).then_some(())
    }

    fn or(&mut self) -> Option<Expr> {
        self.enter()?;
        let mut l = self.and()?;
        while self.eat(&Tok::Or) {
            let r = self.and()?;
            l = Expr {
                start: l.start,
                end: r.end,
                kind: Kind::Or,
            };
        }
        self.depth -= 1;
        Some(l)
    }

    fn and(&mut self) -> Option<Expr> {
        let mut l = self.eq()?;
        while self.eat(&Tok::And) {
            let r = self.eq()?;
            l = Expr {
                start: l.start,
                end: r.end,
                kind: Kind::And(Box::new(l), Box::new(r)),
            };
        }
        Some(l)
    }

    fn eq(&mut self) -> Option<Expr> {
        let mut l = self.rel()?;
        loop {
            let negated = match self.peek() {
                Some(Tok::Eq) => false,
                Some(Tok::Ne) => true,
                _ => break,
            };
            self.pos += 1;
            let r = self.rel()?;
            l = Expr {
                start: l.start,
                end: r.end,
                kind: Kind::Eq(Box::new(l), Box::new(r), negated),
            };
        }
        Some(l)
    }

    fn rel(&mut self) -> Option<Expr> {
        let mut l = self.unary()?;
        while self.eat(&Tok::Rel) {
            let r = self.unary()?;
            l = Expr {
                start: l.start,
                end: r.end,
                kind: Kind::Rel,
            };
        }
        Some(l)
    }

    fn unary(&mut self) -> Option<Expr> {
        let start = self.tokens.get(self.pos)?.start;
        if self.eat(&Tok::Not) {
            self.enter()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Some(Expr {
                start,
                end: inner.end,
                kind: Kind::Not(Box::new(inner)),
            });
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Option<Expr> {
        let mut e = self.primary()?;
        loop {
            if self.eat(&Tok::LBracket) {
                self.or()?;
                let close = self.tokens.get(self.pos)?;
                if close.tok != Tok::RBracket {
                    return None;
                }
                self.pos += 1;
                e = Expr {
                    start: e.start,
                    end: close.end,
                    kind: Kind::Access,
                };
            } else if self.eat(&Tok::Dot) {
                let name = self.tokens.get(self.pos)?;
                if !matches!(name.tok, Tok::Ident(_)) {
                    return None;
                }
                self.pos += 1;
                e = Expr {
                    start: e.start,
                    end: name.end,
                    kind: Kind::Access,
                };
            } else {
                return Some(e);
            }
        }
    }

    fn primary(&mut self) -> Option<Expr> {
        let t = self.tokens.get(self.pos)?.clone();
        self.pos += 1;
        let kind = match t.tok {
            Tok::Str(s) => Kind::Str(s),
            Tok::Lit => Kind::Lit,
            Tok::Ident(name) if self.peek() == Some(&Tok::LParen) => {
                self.pos += 1;
                let mut args = Vec::new();
                if !self.eat(&Tok::RParen) {
                    loop {
                        args.push(self.or()?);
                        if self.eat(&Tok::Comma) {
                            continue;
                        }
                        if self.peek() == Some(&Tok::RParen) {
                            self.pos += 1;
                            break;
                        }
                        return None;
                    }
                }
                let end = self.tokens.get(self.pos - 1)?.end;
                return Some(Expr {
                    start: t.start,
                    end,
                    kind: Kind::Call(name, args),
                });
            }
            Tok::Ident(name) => Kind::Path(name),
            Tok::LParen => {
                let inner = self.or()?;
                let close = self.tokens.get(self.pos)?;
                if close.tok != Tok::RParen {
                    return None;
                }
                self.pos += 1;
                // Keep the inner meaning but widen the span over the parentheses.
                return Some(Expr {
                    start: t.start,
                    end: close.end,
                    kind: inner.kind,
                });
            }
            _ => return None,
        };
        Some(Expr {
            start: t.start,
            end: t.end,
            kind,
        })
    }
}
