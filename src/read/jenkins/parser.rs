//! READ stage: recursive-descent parser from Jenkinsfile tokens to the small Groovy AST.
//!
//! Commands (`name args? closure?`) and literal values are parsed precisely; everything else
//! Groovy allows (operators, control flow, declarations) is parsed leniently, keeping only the
//! calls and closures inside it. Nesting is capped at [`MAX_DEPTH`] so hostile input ends in an
//! error, never a stack overflow; every loop consumes a token or stops.

use super::ast::{Arg, Block, Call, Expr, ExprKind, MapEntry, Stmt};
use super::token::{Token, TokenKind};
use crate::yaml::Span;

/// Deepest nesting of blocks, brackets and expressions the parser follows.
pub(crate) const MAX_DEPTH: usize = 256;

/// A syntax error and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ParseError {
    /// Lowercase message.
    pub(crate) message: String,
    /// Where.
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

    // --- statements -----------------------------------------------------------------------

    fn program(&mut self) -> Vec<Stmt> {
        let mut stmts = Vec::new();
        loop {
            self.skip_separators();
            if self.fatal {
                break;
            }
            match self.kind() {
                TokenKind::Eof => break,
                TokenKind::RBrace => {
                    let span = self.span();
                    self.error("unexpected `}`".to_owned(), span);
                    self.bump();
                }
                _ => self.statement_into(&mut stmts),
            }
        }
        stmts
    }

    /// Parses one statement, making sure at least one token is consumed.
    fn statement_into(&mut self, stmts: &mut Vec<Stmt>) {
        let before = self.pos;
        if let Some(stmt) = self.statement() {
            stmts.push(stmt);
        }
        if self.pos == before && !self.fatal {
            let span = self.span();
            let what = self.text(span).to_owned();
            self.error(format!("unexpected `{what}`"), span);
            self.bump();
        }
    }

    /// `{ [params ->] statements }`, at `{`.
    fn block(&mut self) -> Block {
        let open = self.span();
        self.bump();
        if !self.enter() {
            return Block {
                stmts: Vec::new(),
                span: open,
            };
        }
        self.closure_params();
        let mut stmts = Vec::new();
        let end;
        loop {
            self.skip_separators();
            if self.fatal {
                end = self.span().start;
                break;
            }
            match self.kind() {
                TokenKind::RBrace => {
                    end = self.span().end;
                    self.bump();
                    break;
                }
                TokenKind::Eof => {
                    self.error("unclosed `{`".to_owned(), open);
                    end = self.span().start;
                    break;
                }
                _ => self.statement_into(&mut stmts),
            }
        }
        self.leave();
        Block {
            stmts,
            span: Span::new(open.start, end),
        }
    }

    /// Skips `a, b ->` at the start of a closure.
    fn closure_params(&mut self) {
        let mut n = 0;
        while *self.kind_at(n) == TokenKind::Newline {
            n += 1;
        }
        loop {
            match self.kind_at(n) {
                TokenKind::Ident | TokenKind::Comma => n += 1,
                TokenKind::Arrow => {
                    self.pos += n + 1;
                    return;
                }
                _ => return,
            }
        }
    }

    /// A body: a block, or a single statement (`if (x) sh 'y'`).
    fn body(&mut self) -> Block {
        self.skip_newlines();
        if *self.kind() == TokenKind::LBrace {
            return self.block();
        }
        let start = self.span().start;
        let mut stmts = Vec::new();
        if self.enter() {
            if !matches!(self.kind(), TokenKind::RBrace | TokenKind::Eof) {
                self.statement_into(&mut stmts);
            }
            self.leave();
        }
        Block {
            stmts,
            span: Span::new(start, self.prev_end(start)),
        }
    }

    fn statement(&mut self) -> Option<Stmt> {
        self.stmt_start = self.pos;
        if self.at_other(0, "@") {
            return Some(self.annotation());
        }
        if *self.kind() != TokenKind::Ident {
            return Some(Stmt::Expr(self.expr(true)));
        }
        let word = self.lexeme_at(0).to_owned();
        match word.as_str() {
            "if" => return Some(self.if_stmt()),
            "for" | "while" => {
                self.bump();
                if *self.kind() == TokenKind::LParen {
                    self.skip_group();
                }
                let body = self.body();
                return Some(other(Vec::new(), vec![body]));
            }
            "do" => {
                self.bump();
                let body = self.body();
                return Some(other(Vec::new(), vec![body]));
            }
            "try" => return Some(self.try_stmt()),
            "switch" => {
                self.bump();
                let cond = self.paren_expr();
                self.skip_newlines();
                let blocks = if *self.kind() == TokenKind::LBrace {
                    vec![self.block()]
                } else {
                    Vec::new()
                };
                return Some(other(cond.into_iter().collect(), blocks));
            }
            "case" => {
                self.bump();
                let label = self.expr(true);
                if *self.kind() == TokenKind::Colon {
                    self.bump();
                }
                return Some(other(vec![label], Vec::new()));
            }
            "default" if *self.kind_at(1) == TokenKind::Colon => {
                self.bump();
                self.bump();
                return None;
            }
            "return" | "throw" | "assert" => {
                self.bump();
                let parts = if self.at_expr_end() {
                    Vec::new()
                } else {
                    vec![self.expr(true)]
                };
                return Some(other(parts, Vec::new()));
            }
            "break" | "continue" | "import" | "package" => {
                self.skip_to_line_end();
                return None;
            }
            "else" => {
                // An `else` without its `if` (the `if` was malformed): read the body anyway.
                self.bump();
                let body = self.body();
                return Some(other(Vec::new(), vec![body]));
            }
            "class" | "interface" | "enum" => {
                while !matches!(self.kind(), TokenKind::LBrace | TokenKind::Eof) {
                    self.bump();
                }
                let blocks = if *self.kind() == TokenKind::LBrace {
                    vec![self.block()]
                } else {
                    Vec::new()
                };
                return Some(other(Vec::new(), blocks));
            }
            _ => {}
        }
        if KEYWORDS.contains(&word.as_str()) || self.typed_declaration() {
            return Some(self.declaration());
        }
        Some(self.expr_statement())
    }

    fn at_expr_end(&self) -> bool {
        matches!(
            self.kind(),
            TokenKind::Newline | TokenKind::Semicolon | TokenKind::RBrace | TokenKind::Eof
        )
    }

    fn skip_to_line_end(&mut self) {
        while !matches!(
            self.kind(),
            TokenKind::Newline | TokenKind::Semicolon | TokenKind::RBrace | TokenKind::Eof
        ) {
            self.bump();
        }
    }

    /// `@Name` or `@Name(args)`.
    fn annotation(&mut self) -> Stmt {
        let start = self.span().start;
        self.bump();
        let mut name = String::new();
        let mut args = Vec::new();
        if *self.kind() == TokenKind::Ident {
            name = self.path();
            if *self.kind() == TokenKind::LParen {
                args = self.paren_args();
            }
        }
        Stmt::Annotation {
            name,
            args,
            span: Span::new(start, self.prev_end(start)),
        }
    }

    fn if_stmt(&mut self) -> Stmt {
        let start = self.span();
        self.bump();
        if !self.enter() {
            return other(Vec::new(), Vec::new());
        }
        let cond = self.paren_expr().unwrap_or(Expr {
            kind: ExprKind::Other(Vec::new()),
            span: start,
        });
        let then_block = self.body();
        let save = self.pos;
        self.skip_separators();
        let else_block = if self.at_word("else") {
            self.bump();
            self.skip_newlines();
            if self.at_word("if") {
                let span = self.span();
                let nested = self.if_stmt();
                Some(Block {
                    stmts: vec![nested],
                    span: Span::new(span.start, self.prev_end(span.start)),
                })
            } else {
                Some(self.body())
            }
        } else {
            self.pos = save;
            None
        };
        self.leave();
        Stmt::If {
            cond,
            then_block,
            else_block,
        }
    }

    fn try_stmt(&mut self) -> Stmt {
        self.bump();
        let mut blocks = vec![self.body()];
        loop {
            let save = self.pos;
            self.skip_separators();
            if self.at_word("catch") {
                self.bump();
                if *self.kind() == TokenKind::LParen {
                    self.skip_group();
                }
                blocks.push(self.body());
            } else if self.at_word("finally") {
                self.bump();
                blocks.push(self.body());
            } else {
                self.pos = save;
                break;
            }
            if self.fatal {
                break;
            }
        }
        other(Vec::new(), blocks)
    }

    /// `(expr)` as in `if (...)`; None when there is no `(`.
    fn paren_expr(&mut self) -> Option<Expr> {
        if *self.kind() != TokenKind::LParen {
            let span = self.span();
            let what = self.text(span).to_owned();
            self.error(format!("expected `(`, found `{what}`"), span);
            return None;
        }
        let open = self.span();
        self.bump();
        self.skip_newlines();
        let inner = self.expr(false);
        self.close_paren(open);
        Some(inner)
    }

    /// Consumes up to and including the `)` closing `open`, skipping whatever the lenient
    /// expression parser left before it.
    fn close_paren(&mut self, open: Span) {
        let mut depth = 0usize;
        loop {
            match self.kind() {
                TokenKind::RParen if depth == 0 => {
                    self.bump();
                    return;
                }
                TokenKind::LParen | TokenKind::LBracket => depth += 1,
                TokenKind::RParen | TokenKind::RBracket => depth = depth.saturating_sub(1),
                // A `}` before the `)`: the parenthesis is unclosed; leave the brace to the
                // enclosing block.
                TokenKind::RBrace | TokenKind::Eof => {
                    self.error("unclosed `(`".to_owned(), open);
                    return;
                }
                _ => {}
            }
            if self.fatal {
                return;
            }
            self.bump();
        }
    }

    /// Whether the statement starts `Type name =` or `Type name(...) {`.
    fn typed_declaration(&self) -> bool {
        let word = self.lexeme_at(0);
        let typeish =
            word.starts_with(|c: char| c.is_ascii_uppercase()) || PRIMITIVES.contains(&word);
        if !typeish {
            return false;
        }
        let mut n = 1;
        // Generic arguments and array suffixes: `List<String>`, `String[]`.
        if self.at_other(n, "<") {
            while !matches!(self.kind_at(n), TokenKind::Newline | TokenKind::Eof)
                && !self.at_other(n, ">")
            {
                n += 1;
            }
            n += 1;
        }
        while *self.kind_at(n) == TokenKind::LBracket && *self.kind_at(n + 1) == TokenKind::RBracket
        {
            n += 2;
        }
        *self.kind_at(n) == TokenKind::Ident
            && matches!(
                self.kind_at(n + 1),
                TokenKind::Assign | TokenKind::LParen | TokenKind::Newline | TokenKind::Semicolon
            )
    }

    /// `def x = v`, `String x`, `def f(a) { }`, `def (a, b) = v`, with modifiers.
    fn declaration(&mut self) -> Stmt {
        while *self.kind() == TokenKind::Ident && KEYWORDS.contains(&self.lexeme_at(0)) {
            self.bump();
        }
        if *self.kind() == TokenKind::LParen {
            self.skip_group();
            return self.declaration_value(None);
        }
        // Optional type, then the name.
        let mut name = None;
        while *self.kind() == TokenKind::Ident {
            name = Some(self.lexeme_at(0).to_owned());
            self.bump();
            if self.at_other(0, "<") {
                while !matches!(self.kind(), TokenKind::Newline | TokenKind::Eof)
                    && !self.at_other(0, ">")
                {
                    self.bump();
                }
                self.bump();
            }
            while *self.kind() == TokenKind::LBracket && *self.kind_at(1) == TokenKind::RBracket {
                self.bump();
                self.bump();
            }
        }
        if *self.kind() == TokenKind::LParen {
            self.skip_group();
            // `throws X` between the parameters and the body.
            if self.at_word("throws") {
                while !matches!(
                    self.kind(),
                    TokenKind::LBrace | TokenKind::Newline | TokenKind::Eof
                ) {
                    self.bump();
                }
            }
            let save = self.pos;
            self.skip_newlines();
            if *self.kind() == TokenKind::LBrace {
                let body = self.block();
                return Stmt::Function {
                    name: name.unwrap_or_default(),
                    body,
                };
            }
            self.pos = save;
            return other(Vec::new(), Vec::new());
        }
        self.declaration_value(name)
    }

    fn declaration_value(&mut self, name: Option<String>) -> Stmt {
        if *self.kind() != TokenKind::Assign {
            return other(Vec::new(), Vec::new());
        }
        self.bump();
        self.skip_newlines();
        let value = self.expr(true);
        match name {
            Some(target) => Stmt::Assign { target, value },
            None => other(vec![value], Vec::new()),
        }
    }

    /// A dotted path `a.b.c` at an identifier; returns its text.
    fn path(&mut self) -> String {
        let mut name = self.lexeme_at(0).to_owned();
        self.bump();
        loop {
            let (dot_len, ok) = match (self.kind(), self.kind_at(1), self.kind_at(2)) {
                (TokenKind::Dot, TokenKind::Ident, _) => (1, true),
                (TokenKind::Question | TokenKind::Star, TokenKind::Dot, TokenKind::Ident) => {
                    (2, true)
                }
                _ => (0, false),
            };
            if !ok {
                return name;
            }
            self.pos += dot_len;
            name.push('.');
            name.push_str(self.lexeme_at(0));
            self.bump();
        }
    }

    /// A statement starting with an expression: an assignment, a command with unparenthesised
    /// arguments (`sh 'x'`, `agent any`), or any expression.
    fn expr_statement(&mut self) -> Stmt {
        if *self.kind() == TokenKind::Ident && !WORD_OPERATORS.contains(&self.lexeme_at(0)) {
            // Look past the dotted path without consuming it.
            let mut n = 1;
            while *self.kind_at(n) == TokenKind::Dot && *self.kind_at(n + 1) == TokenKind::Ident {
                n += 2;
            }
            if *self.kind_at(n) == TokenKind::Assign {
                let target = self.path();
                self.bump();
                self.skip_newlines();
                let value = self.expr(true);
                return Stmt::Assign { target, value };
            }
            if self.starts_command_arg(n) {
                let start = self.span();
                let name = self.path();
                let name_span = Span::new(start.start, self.prev_end(start.start));
                return Stmt::Expr(self.command(name, name_span));
            }
        }
        Stmt::Expr(self.expr(true))
    }

    /// Whether the token `n` ahead can start an unparenthesised command argument.
    fn starts_command_arg(&self, n: usize) -> bool {
        match self.kind_at(n) {
            TokenKind::Str(_) | TokenKind::Number => true,
            TokenKind::Ident => !WORD_OPERATORS.contains(&self.lexeme_at(n)),
            _ => false,
        }
    }

    /// `name arg, key: value, ... [{ closure }]`, after the name.
    fn command(&mut self, name: String, name_span: Span) -> Expr {
        if !self.enter() {
            return Expr {
                kind: ExprKind::Other(Vec::new()),
                span: name_span,
            };
        }
        let mut args = Vec::new();
        loop {
            args.push(self.arg(true));
            if *self.kind() == TokenKind::Comma && !self.fatal {
                self.bump();
                self.skip_newlines();
                continue;
            }
            break;
        }
        let closure = if *self.kind() == TokenKind::LBrace {
            Some(self.block())
        } else {
            None
        };
        self.leave();
        let span = Span::new(name_span.start, self.prev_end(name_span.start));
        Expr {
            kind: ExprKind::Call(Box::new(Call {
                receiver: None,
                name,
                name_span,
                args,
                closure,
                span,
            })),
            span,
        }
    }

    // --- expressions ----------------------------------------------------------------------

    /// An argument: `key: value` or `value`.
    fn arg(&mut self, newline_ends: bool) -> Arg {
        let keyish = matches!(
            self.kind(),
            TokenKind::Ident | TokenKind::Str(_) | TokenKind::Number
        );
        if keyish && *self.kind_at(1) == TokenKind::Colon {
            let name = match self.kind() {
                TokenKind::Str(lit) => lit.text.clone(),
                _ => self.lexeme_at(0).to_owned(),
            };
            self.bump();
            self.bump();
            self.skip_newlines();
            let value = self.expr(newline_ends);
            return Arg {
                name: Some(name),
                value,
            };
        }
        Arg {
            name: None,
            value: self.expr(newline_ends),
        }
    }

    /// An expression up to a separator. A single operand is returned as is; anything with
    /// operators becomes `Other` holding its operands. `newline_ends`: whether a line break
    /// ends it (statement level) or not (inside brackets).
    fn expr(&mut self, newline_ends: bool) -> Expr {
        let start = self.span().start;
        if !self.enter() {
            return Expr {
                kind: ExprKind::Other(Vec::new()),
                span: Span::empty(start),
            };
        }
        let mut parts: Vec<Expr> = Vec::new();
        let mut operators = false;
        let mut expect_operand = true;
        let mut ternaries = 0usize;
        let mut end = start;
        while !self.fatal {
            match self.kind() {
                TokenKind::Newline => {
                    // A line break after an operator (or before any operand) continues.
                    if newline_ends && !expect_operand {
                        break;
                    }
                    self.bump();
                }
                TokenKind::Semicolon
                | TokenKind::Comma
                | TokenKind::RParen
                | TokenKind::RBracket
                | TokenKind::RBrace
                | TokenKind::Eof => break,
                TokenKind::Colon if ternaries == 0 => break,
                TokenKind::LBrace if !expect_operand => break,
                // `when { ... } steps { ... }` on one line: a closure ends the statement.
                TokenKind::Ident
                    if newline_ends
                        && !expect_operand
                        && self.pos > 0
                        && self.tokens.get(self.pos - 1).map(|t| &t.kind)
                            == Some(&TokenKind::RBrace) =>
                {
                    break;
                }
                TokenKind::Str(_)
                | TokenKind::Number
                | TokenKind::Ident
                | TokenKind::LBracket
                | TokenKind::LParen
                | TokenKind::LBrace => {
                    let word_op = *self.kind() == TokenKind::Ident
                        && WORD_OPERATORS.contains(&self.lexeme_at(0));
                    if word_op {
                        end = self.span().end;
                        self.bump();
                        operators = true;
                        expect_operand = true;
                        continue;
                    }
                    let operand = self.postfix();
                    end = end.max(operand.span.end);
                    parts.push(operand);
                    operators |= parts.len() > 1;
                    expect_operand = false;
                }
                TokenKind::Other if !expect_operand && matches!(self.lexeme_at(0), "++" | "--") => {
                    end = self.span().end;
                    self.bump();
                    operators = true;
                }
                kind => {
                    match kind {
                        TokenKind::Question => ternaries += 1,
                        TokenKind::Colon => ternaries = ternaries.saturating_sub(1),
                        _ => {}
                    }
                    end = self.span().end;
                    self.bump();
                    operators = true;
                    expect_operand = true;
                }
            }
        }
        self.leave();
        if parts.len() == 1
            && !operators
            && let Some(only) = parts.pop()
        {
            return only;
        }
        Expr {
            kind: ExprKind::Other(parts),
            span: Span::new(start, end),
        }
    }

    /// A primary followed by `.name(...)`, `.name`, `[index]` and trailing closures.
    fn postfix(&mut self) -> Expr {
        let mut expr = self.primary();
        let mut levels = 0usize;
        while !self.fatal {
            // `.method()` may continue on the next line.
            let mut n = 0;
            while *self.kind_at(n) == TokenKind::Newline {
                n += 1;
            }
            let dot = match (self.kind_at(n), self.kind_at(n + 1)) {
                (TokenKind::Dot, _) => 1,
                (TokenKind::Question | TokenKind::Star, TokenKind::Dot) => 2,
                _ => 0,
            };
            let start = expr.span.start;
            if dot > 0 && *self.kind_at(n + dot) == TokenKind::Ident {
                if !self.enter() {
                    break;
                }
                levels += 1;
                self.pos += n + dot;
                let name_span = self.span();
                let name = self.lexeme_at(0).to_owned();
                self.bump();
                let (args, closure) = match self.kind() {
                    TokenKind::LParen => {
                        let args = self.paren_args();
                        (Some(args), self.trailing_closure(false))
                    }
                    TokenKind::LBrace => (Some(Vec::new()), self.trailing_closure(false)),
                    _ => (None, None),
                };
                let span = Span::new(start, self.prev_end(start));
                expr = match args {
                    Some(args) => Expr {
                        kind: ExprKind::Call(Box::new(Call {
                            receiver: Some(expr),
                            name,
                            name_span,
                            args,
                            closure,
                            span,
                        })),
                        span,
                    },
                    None => Expr {
                        kind: ExprKind::Other(vec![expr]),
                        span,
                    },
                };
            } else if n == 0 && *self.kind() == TokenKind::LBracket {
                if !self.enter() {
                    break;
                }
                levels += 1;
                let open = self.span();
                self.bump();
                let index = self.expr(false);
                self.skip_newlines();
                if *self.kind() == TokenKind::RBracket {
                    self.bump();
                } else {
                    self.error("unclosed `[`".to_owned(), open);
                }
                let span = Span::new(start, self.prev_end(start));
                expr = Expr {
                    kind: ExprKind::Other(vec![expr, index]),
                    span,
                };
            } else {
                break;
            }
        }
        self.depth = self.depth.saturating_sub(levels);
        expr
    }

    /// A closure right after a call: on the same line, or on the next lines when the call
    /// starts the statement.
    fn trailing_closure(&mut self, at_statement_start: bool) -> Option<Block> {
        let mut n = 0;
        if at_statement_start {
            while *self.kind_at(n) == TokenKind::Newline {
                n += 1;
            }
        }
        if *self.kind_at(n) == TokenKind::LBrace {
            self.pos += n;
            return Some(self.block());
        }
        None
    }

    fn primary(&mut self) -> Expr {
        let start = self.span();
        if !self.enter() {
            return Expr {
                kind: ExprKind::Other(Vec::new()),
                span: start,
            };
        }
        let kind = match self.kind().clone() {
            TokenKind::Str(lit) => {
                self.bump();
                ExprKind::Str(lit)
            }
            TokenKind::Number => {
                self.bump();
                ExprKind::Num
            }
            TokenKind::Ident => self.ident_primary(),
            TokenKind::LBracket => self.list_or_map(),
            TokenKind::LParen => {
                self.bump();
                self.skip_newlines();
                let inner = self.expr(false);
                self.close_paren(start);
                ExprKind::Other(vec![inner])
            }
            TokenKind::LBrace => ExprKind::Closure(self.block()),
            _ => {
                self.bump();
                ExprKind::Other(Vec::new())
            }
        };
        self.leave();
        Expr {
            kind,
            span: Span::new(start.start, self.prev_end(start.end)),
        }
    }

    /// `true`, `null`, `a.b`, `a.b(args) { }`, `a { }`.
    fn ident_primary(&mut self) -> ExprKind {
        let at_statement_start = self.pos == self.stmt_start;
        let start = self.span();
        match self.lexeme_at(0) {
            "true" => {
                self.bump();
                return ExprKind::Bool(true);
            }
            "false" => {
                self.bump();
                return ExprKind::Bool(false);
            }
            "null" => {
                self.bump();
                return ExprKind::Null;
            }
            _ => {}
        }
        let name = self.path();
        let name_span = Span::new(start.start, self.prev_end(start.start));
        let (args, closure) = if *self.kind() == TokenKind::LParen {
            let args = self.paren_args();
            (args, self.trailing_closure(at_statement_start))
        } else {
            match self.trailing_closure(at_statement_start) {
                Some(block) => (Vec::new(), Some(block)),
                None => return ExprKind::Path(name),
            }
        };
        ExprKind::Call(Box::new(Call {
            receiver: None,
            name,
            name_span,
            args,
            closure,
            span: Span::new(start.start, self.prev_end(start.start)),
        }))
    }

    /// `(args)`, at `(`.
    fn paren_args(&mut self) -> Vec<Arg> {
        let open = self.span();
        self.bump();
        let mut args = Vec::new();
        while !self.fatal {
            self.skip_newlines();
            match self.kind() {
                TokenKind::RParen => {
                    self.bump();
                    break;
                }
                TokenKind::RBrace | TokenKind::Eof => {
                    self.error("unclosed `(`".to_owned(), open);
                    break;
                }
                _ => {}
            }
            let before = self.pos;
            args.push(self.arg(false));
            self.skip_newlines();
            match self.kind() {
                TokenKind::Comma => self.bump(),
                TokenKind::RParen => {
                    self.bump();
                    break;
                }
                TokenKind::RBrace | TokenKind::Eof => {
                    self.error("unclosed `(`".to_owned(), open);
                    break;
                }
                _ => {
                    // Something the expression parser stopped at, such as a stray `]`.
                    if self.pos == before
                        || matches!(self.kind(), TokenKind::RBracket | TokenKind::Colon)
                    {
                        self.bump();
                    }
                }
            }
        }
        args
    }

    /// `[a, b]`, `[k: v]`, `[:]`, at `[`.
    fn list_or_map(&mut self) -> ExprKind {
        let open = self.span();
        self.bump();
        let mut items = Vec::new();
        let mut entries = Vec::new();
        self.skip_newlines();
        if *self.kind() == TokenKind::Colon && *self.kind_at(1) == TokenKind::RBracket {
            self.bump();
            self.bump();
            return ExprKind::Map(entries);
        }
        while !self.fatal {
            self.skip_newlines();
            match self.kind() {
                TokenKind::RBracket => {
                    self.bump();
                    break;
                }
                TokenKind::RBrace | TokenKind::RParen | TokenKind::Eof => {
                    self.error("unclosed `[`".to_owned(), open);
                    break;
                }
                _ => {}
            }
            let before = self.pos;
            let arg = self.arg(false);
            match arg.name {
                Some(key) => entries.push(MapEntry {
                    key,
                    value: arg.value,
                }),
                None => items.push(arg.value),
            }
            self.skip_newlines();
            match self.kind() {
                TokenKind::Comma => self.bump(),
                TokenKind::RBracket => {
                    self.bump();
                    break;
                }
                TokenKind::RBrace | TokenKind::RParen | TokenKind::Eof => {
                    self.error("unclosed `[`".to_owned(), open);
                    break;
                }
                _ => {
                    if self.pos == before || *self.kind() == TokenKind::Colon {
                        self.bump();
                    }
                }
            }
        }
        if entries.is_empty() {
            ExprKind::List(items)
        } else {
            ExprKind::Map(entries)
        }
    }
}

fn other(parts: Vec<Expr>, blocks: Vec<Block>) -> Stmt {
    Stmt::Other { parts, blocks }
}

#[cfg(test)]
mod tests {
    use super::super::lexer::lex;
    use super::*;

    fn parse_ok(src: &str) -> Vec<Stmt> {
        let lexed = lex(src);
        assert_eq!(lexed.error, None);
        let parsed = parse(src, &lexed.tokens);
        assert_eq!(parsed.errors, Vec::new(), "{src}");
        parsed.stmts
    }

    fn call(stmt: &Stmt) -> &Call {
        stmt.as_call().expect("a call")
    }

    fn str_of(expr: &Expr) -> &str {
        match &expr.kind {
            ExprKind::Str(lit) => lit.text.as_str(),
            other => panic!("a string expected, found {other:?}"),
        }
    }

    #[test]
    fn command_forms() {
        let stmts = parse_ok(
            "sh 'x'\nsh(script: 'y', returnStdout: true)\nstage('Build') { echo 'hi' }\n\
             withCredentials([file(credentialsId: 'kube', variable: 'KUBECONFIG')]) { sh 'z' }\n\
             agent any\nretry 3\ninput message: 'Go?', ok: 'Yes'",
        );
        assert_eq!(stmts.len(), 7);
        let sh = call(&stmts[0]);
        assert_eq!((sh.name.as_str(), sh.args.len()), ("sh", 1));
        assert_eq!(str_of(&sh.args[0].value), "x");
        let sh2 = call(&stmts[1]);
        assert_eq!(str_of(sh2.named("script").expect("script")), "y");
        assert_eq!(
            sh2.named("returnStdout").map(|e| &e.kind),
            Some(&ExprKind::Bool(true))
        );
        let stage = call(&stmts[2]);
        assert_eq!(str_of(stage.positional(0).expect("name")), "Build");
        assert_eq!(stage.body().map(|b| b.stmts.len()), Some(1));
        let creds = call(&stmts[3]);
        let ExprKind::List(items) = &creds.args[0].value.kind else {
            panic!("list expected");
        };
        let ExprKind::Call(file) = &items[0].kind else {
            panic!("call expected");
        };
        assert_eq!(file.name, "file");
        assert_eq!(
            str_of(file.named("variable").expect("variable")),
            "KUBECONFIG"
        );
        assert_eq!(
            call(&stmts[4]).positional(0).map(|e| &e.kind),
            Some(&ExprKind::Path("any".into()))
        );
        assert_eq!(
            call(&stmts[5]).positional(0).map(|e| &e.kind),
            Some(&ExprKind::Num)
        );
        assert_eq!(str_of(call(&stmts[6]).named("ok").expect("ok")), "Yes");
    }

    #[test]
    fn assignments_maps_and_receivers() {
        let stmts = parse_ok(
            "def x = sh(script: 'a', returnStdout: true).trim()\nenv.FOO = \"bar\"\n\
             K = credentials('id')\ndef m = [a: 1, 'b': [c: 'd'], e: []]\n\
             docker.image('node').inside('-u root') { sh 'npm test' }\nString s = 'q'",
        );
        let Stmt::Assign { target, value } = &stmts[0] else {
            panic!("assign expected");
        };
        assert_eq!(target, "x");
        let ExprKind::Call(trim) = &value.kind else {
            panic!("call expected");
        };
        assert_eq!(trim.name, "trim");
        assert!(
            matches!(&trim.receiver, Some(Expr { kind: ExprKind::Call(sh), .. }) if sh.name == "sh")
        );
        assert!(matches!(&stmts[1], Stmt::Assign { target, .. } if target == "env.FOO"));
        assert!(
            matches!(&stmts[2], Stmt::Assign { value: Expr { kind: ExprKind::Call(c), .. }, .. } if c.name == "credentials")
        );
        let Stmt::Assign { value, .. } = &stmts[3] else {
            panic!("assign expected");
        };
        let ExprKind::Map(entries) = &value.kind else {
            panic!("map expected");
        };
        let keys: Vec<_> = entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["a", "b", "e"]);
        let inside = call(&stmts[4]);
        assert_eq!(inside.name, "inside");
        assert!(inside.closure.is_some());
        assert!(
            matches!(&inside.receiver, Some(Expr { kind: ExprKind::Call(c), .. }) if c.name == "docker.image")
        );
        assert!(matches!(&stmts[5], Stmt::Assign { target, .. } if target == "s"));
    }

    #[test]
    fn control_flow_keeps_nested_blocks() {
        let stmts = parse_ok(
            "if (env.BRANCH_NAME == 'main') {\n  sh 'a'\n} else if (x) sh 'b'\nelse {\n sh 'c' }\n\
             for (int i = 0; i < 3; i++) { sh 'd' }\ntry { sh 'e' } catch (Exception e) { sh 'f' } finally { sh 'g' }\n\
             switch (x) {\n case 'a':\n  sh 'h'\n  break\n default:\n  sh 'i'\n}\n\
             def deploy(String env) {\n  sh \"kubectl apply -k ${env}\"\n}\nlist.each { item -> sh \"echo ${item}\" }\n\
             return",
        );
        let Stmt::If {
            cond,
            then_block,
            else_block,
        } = &stmts[0]
        else {
            panic!("if expected");
        };
        assert!(matches!(cond.kind, ExprKind::Other(_)));
        assert_eq!(then_block.stmts.len(), 1);
        let else_block = else_block.as_ref().expect("else");
        assert!(matches!(
            &else_block.stmts[0],
            Stmt::If {
                else_block: Some(_),
                ..
            }
        ));
        assert!(matches!(&stmts[1], Stmt::Other { blocks, .. } if blocks.len() == 1));
        assert!(matches!(&stmts[2], Stmt::Other { blocks, .. } if blocks.len() == 3));
        let Stmt::Other { blocks, .. } = &stmts[3] else {
            panic!("switch expected");
        };
        assert_eq!(
            blocks[0]
                .stmts
                .iter()
                .filter(|s| s.as_call().is_some())
                .count(),
            2
        );
        assert!(
            matches!(&stmts[4], Stmt::Function { name, body } if name == "deploy" && body.stmts.len() == 1)
        );
        let each = call(&stmts[5]);
        assert_eq!(each.name, "list.each");
        assert_eq!(each.closure.as_ref().map(|b| b.stmts.len()), Some(1));
    }

    #[test]
    fn allman_braces_and_annotations() {
        let stmts = parse_ok(
            "@Library('shared@v1') _\npipeline\n{\n  stages\n  {\n    stage('a')\n    {\n    }\n  }\n}",
        );
        assert!(
            matches!(&stmts[0], Stmt::Annotation { name, args, .. } if name == "Library" && args.len() == 1)
        );
        let pipeline = stmts
            .iter()
            .find_map(|s| s.as_call().filter(|c| c.name == "pipeline"))
            .expect("pipeline");
        let stages = pipeline
            .body()
            .and_then(|b| b.stmts[0].as_call())
            .expect("stages");
        assert_eq!(stages.name, "stages");
        assert_eq!(
            stages
                .body()
                .and_then(|b| b.stmts[0].as_call())
                .map(|c| c.name.as_str()),
            Some("stage")
        );
    }

    #[test]
    fn spans_cover_calls_and_blocks() {
        let src = "stage('x') {\n  sh 'y'\n}\n";
        let stmts = parse_ok(src);
        let stage = call(&stmts[0]);
        assert_eq!(stage.span, Span::new(0, 23));
        assert_eq!(stage.name_span, Span::new(0, 5));
        assert_eq!(
            stage.closure.as_ref().map(|b| b.span),
            Some(Span::new(11, 23))
        );
        let sh = call(&stage.closure.as_ref().expect("body").stmts[0]);
        assert_eq!(sh.args[0].value.span, Span::new(18, 21));
    }

    fn errors(src: &str) -> Vec<ParseError> {
        let lexed = lex(src);
        parse(src, &lexed.tokens).errors
    }

    #[test]
    fn unbalanced_braces_are_reported_at_the_brace() {
        let src = "pipeline {\n  stages {\n    stage('a') { steps { sh 'x' } }\n  }\n";
        let errs = errors(src);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].message, "unclosed `{`");
        assert_eq!(errs[0].span, Span::new(9, 10));
        let errs = errors("a { }\n}\n");
        assert_eq!(errs[0].message, "unexpected `}`");
        assert_eq!(errs[0].span, Span::new(6, 7));
        let errs = errors("sh('x'\n}");
        assert_eq!(errs[0].message, "unclosed `(`");
        assert_eq!(errs[0].span, Span::new(2, 3));
    }

    #[test]
    fn deep_nesting_stops_with_an_error() {
        for open in ["{", "(", "[", "a(", "x = -"] {
            let src = open.repeat(100_000);
            let errs = errors(&src);
            assert!(
                errs.iter().any(|e| e.message.contains("nesting deeper")) || open == "x = -",
                "{open}: {:?}",
                errs.first()
            );
        }
        let chain = format!("x{}", ".a()".repeat(100_000));
        let errs = errors(&chain);
        assert!(errs.iter().any(|e| e.message.contains("nesting deeper")));
        let elifs = format!("if (a) {{}}{}", " else if (b) {}".repeat(10_000));
        let errs = errors(&elifs);
        assert!(errs.iter().any(|e| e.message.contains("nesting deeper")));
    }
}
