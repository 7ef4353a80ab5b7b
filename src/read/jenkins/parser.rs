//! READ stage: recursive-descent parser from Jenkinsfile tokens to the small Groovy AST.
//!
//! Commands (`name args? closure?`) and literal values are parsed precisely; everything else
//! Groovy allows (operators, control flow, declarations) is parsed leniently, keeping only the
//! calls and closures inside it. Nesting is capped at [`MAX_DEPTH`] so hostile input ends in an
//! error, never a stack overflow; every loop consumes a token or stops.
//!
//! This file holds the parser's state and its token access; `statements`, `control` (`if`,
//! `try`, `switch`) and `expressions` hold the grammar, one `impl Parser` each.

mod control;
mod expressions;
mod statements;

use super::ast::Stmt;
use super::token::{Token, TokenKind};
use crate::yaml::Span;

/// Deepest nesting of blocks, brackets and expressions the parser follows.
pub(crate) const MAX_DEPTH: usize = 256;

/// A syntax error and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ParseError {
    /// Lowercase message.
    pub(crate) message: String,
    pub(crate) span: Span,
}

/// The statements of the file (as far as they could be read) and the errors met on the way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Parsed {
    /// Top-level statements.
    pub(crate) stmts: Vec<Stmt>,
    /// Errors in the order met; parsing recovers after most of them.
    pub(crate) errors: Vec<ParseError>,
}

/// Parses `tokens` (from the lexer, over `src`).
pub(crate) fn parse(src: &str, tokens: &[Token]) -> Parsed {
    let end = tokens.last().map_or(src.len(), |t| t.span.end);
    let mut parser = Parser {
        src,
        tokens,
        pos: 0,
        depth: 0,
        fatal: false,
        stmt_start: usize::MAX,
        errors: Vec::new(),
        eof: Token {
            kind: TokenKind::Eof,
            span: Span::empty(end),
        },
    };
    let stmts = parser.program();
    Parsed {
        stmts,
        errors: parser.errors,
    }
}

struct Parser<'a> {
    src: &'a str,
    tokens: &'a [Token],
    pos: usize,
    depth: usize,
    /// Set when nesting exceeded [`MAX_DEPTH`]: everything unwinds without reading further.
    fatal: bool,
    /// Token index where the current statement starts; only there may `{` follow on a new line
    /// (`stage('x')` then `{` on the next line, Allman style).
    stmt_start: usize,
    errors: Vec<ParseError>,
    eof: Token,
}

/// Words that start statements rather than commands.
const KEYWORDS: &[&str] = &[
    "if",
    "else",
    "for",
    "while",
    "do",
    "try",
    "catch",
    "finally",
    "switch",
    "case",
    "default",
    "return",
    "throw",
    "break",
    "continue",
    "import",
    "package",
    "class",
    "interface",
    "enum",
    "def",
    "static",
    "final",
    "private",
    "public",
    "protected",
    "synchronized",
    "abstract",
];

/// Words that are operators in expression position.
const WORD_OPERATORS: &[&str] = &["in", "instanceof", "as", "new"];

/// Built-in types that may start a typed declaration.
const PRIMITIVES: &[&str] = &[
    "void", "int", "long", "boolean", "double", "float", "char", "byte", "short", "var",
];

impl Parser<'_> {
    // --- token access ---------------------------------------------------------------------

    fn peek_at(&self, n: usize) -> &Token {
        self.tokens.get(self.pos + n).unwrap_or(&self.eof)
    }

    fn peek(&self) -> &Token {
        self.peek_at(0)
    }

    fn kind(&self) -> &TokenKind {
        &self.peek().kind
    }

    fn kind_at(&self, n: usize) -> &TokenKind {
        &self.peek_at(n).kind
    }

    fn span(&self) -> Span {
        self.peek().span
    }

    fn bump(&mut self) {
        if self.pos < self.tokens.len() {
            self.pos += 1;
        }
    }

    fn text(&self, span: Span) -> &str {
        self.src.get(span.start..span.end).unwrap_or("")
    }

    fn lexeme_at(&self, n: usize) -> &str {
        self.text(self.peek_at(n).span)
    }

    fn at_word(&self, word: &str) -> bool {
        *self.kind() == TokenKind::Ident && self.lexeme_at(0) == word
    }

    fn at_other(&self, n: usize, op: &str) -> bool {
        *self.kind_at(n) == TokenKind::Other && self.lexeme_at(n) == op
    }

    /// The end of the previous token, for spans of constructs that stop before the current one.
    fn prev_end(&self, fallback: usize) -> usize {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .map_or(fallback, |t| t.span.end)
            .max(fallback)
    }

    fn skip_newlines(&mut self) {
        while *self.kind() == TokenKind::Newline {
            self.bump();
        }
    }

    fn skip_separators(&mut self) {
        while matches!(self.kind(), TokenKind::Newline | TokenKind::Semicolon) {
            self.bump();
        }
    }

    fn error(&mut self, message: String, span: Span) {
        self.errors.push(ParseError { message, span });
    }

    /// Enters one nesting level; false (and the parse stops) past [`MAX_DEPTH`].
    fn enter(&mut self) -> bool {
        if self.fatal {
            return false;
        }
        if self.depth >= MAX_DEPTH {
            self.fatal = true;
            let span = self.span();
            self.error(format!("nesting deeper than {MAX_DEPTH} levels"), span);
            return false;
        }
        self.depth += 1;
        true
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Skips a bracketed group starting at the current opening token, iteratively.
    fn skip_group(&mut self) {
        let open = self.span();
        let mut depth = 0usize;
        loop {
            match self.kind() {
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        self.bump();
                        return;
                    }
                }
                TokenKind::Eof => {
                    let what = self.text(open).to_owned();
                    self.error(format!("unclosed `{what}`"), open);
                    return;
                }
                _ => {}
            }
            self.bump();
        }
    }
}

#[cfg(test)]
mod tests;
