//! Statements: the program, blocks and closure bodies, control flow, declarations, and commands
//! (`name args? closure?`), the one statement form lowering reads closely.

use super::{KEYWORDS, PRIMITIVES, Parser, WORD_OPERATORS};
use crate::read::jenkins::ast::{Block, Call, Expr, ExprKind, Stmt};
use crate::read::jenkins::token::TokenKind;
use crate::yaml::Span;

impl Parser<'_> {
    pub(super) fn program(&mut self) -> Vec<Stmt> {
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
    pub(super) fn statement_into(&mut self, stmts: &mut Vec<Stmt>) {
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
    pub(super) fn block(&mut self) -> Block {
        let open = self.span();
        self.bump();
        if !self.enter() {
            return Block {
                stmts: Vec::new(),
                span: open,
                params: Vec::new(),
            };
        }
        let params = self.closure_params();
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
            params,
        }
    }

    /// Reads `a, b ->` at the start of a closure: its parameters' names, none without `->`.
    pub(super) fn closure_params(&mut self) -> Vec<String> {
        let mut n = 0;
        while *self.kind_at(n) == TokenKind::Newline {
            n += 1;
        }
        let mut names = Vec::new();
        loop {
            match self.kind_at(n) {
                TokenKind::Ident => {
                    names.push(self.lexeme_at(n).to_owned());
                    n += 1;
                }
                TokenKind::Comma => n += 1,
                TokenKind::Arrow => {
                    self.pos += n + 1;
                    return names;
                }
                _ => return Vec::new(),
            }
        }
    }

    /// A body: a block, or a single statement (`if (x) sh 'y'`).
    pub(super) fn body(&mut self) -> Block {
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
            params: Vec::new(),
        }
    }

    pub(super) fn statement(&mut self) -> Option<Stmt> {
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
                let subject = self.paren_expr();
                self.skip_newlines();
                return Some(match subject {
                    Some(subject) if *self.kind() == TokenKind::LBrace => self.switch_body(subject),
                    subject => other(subject.into_iter().collect(), Vec::new()),
                });
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

    pub(super) fn at_expr_end(&self) -> bool {
        matches!(
            self.kind(),
            TokenKind::Newline | TokenKind::Semicolon | TokenKind::RBrace | TokenKind::Eof
        )
    }

    pub(super) fn skip_to_line_end(&mut self) {
        while !matches!(
            self.kind(),
            TokenKind::Newline | TokenKind::Semicolon | TokenKind::RBrace | TokenKind::Eof
        ) {
            self.bump();
        }
    }

    /// `@Name` or `@Name(args)`.
    pub(super) fn annotation(&mut self) -> Stmt {
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

    /// `(expr)` as in `if (...)`; None when there is no `(`.
    pub(super) fn paren_expr(&mut self) -> Option<Expr> {
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
    pub(super) fn close_paren(&mut self, open: Span) {
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
    pub(super) fn typed_declaration(&self) -> bool {
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
    pub(super) fn declaration(&mut self) -> Stmt {
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
            let params = self.parameter_names();
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
                    params,
                    body,
                };
            }
            self.pos = save;
            return other(Vec::new(), Vec::new());
        }
        self.declaration_value(name)
    }

    /// The parameter names of the group at `(`: each name that ends a parameter (before `,`,
    /// `)` or a default's `=`), types and defaults skipped. Looks ahead only.
    fn parameter_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        let mut depth = 0usize;
        for n in 0.. {
            match self.kind_at(n) {
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        break;
                    }
                }
                TokenKind::Ident
                    if depth == 1
                        && matches!(
                            self.kind_at(n + 1),
                            TokenKind::Comma | TokenKind::RParen | TokenKind::Assign
                        ) =>
                {
                    names.push(self.lexeme_at(n).to_owned());
                }
                TokenKind::Eof => break,
                _ => {}
            }
        }
        names
    }

    pub(super) fn declaration_value(&mut self, name: Option<String>) -> Stmt {
        if *self.kind() != TokenKind::Assign {
            return other(Vec::new(), Vec::new());
        }
        self.bump();
        self.skip_newlines();
        let value = self.assigned_value();
        match name {
            Some(target) => Stmt::Assign { target, value },
            None => other(vec![value], Vec::new()),
        }
    }

    /// A dotted path `a.b.c` at an identifier; returns its text.
    pub(super) fn path(&mut self) -> String {
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
    pub(super) fn expr_statement(&mut self) -> Stmt {
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
                let value = self.assigned_value();
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

    /// The value of an assignment: a command with unparenthesised arguments
    /// (`answer = input message: 'Go?', ok: 'Yes'`, `d = load 'ci/deploy.groovy'`), as Groovy
    /// allows, or any expression.
    fn assigned_value(&mut self) -> Expr {
        if *self.kind() == TokenKind::Ident && !WORD_OPERATORS.contains(&self.lexeme_at(0)) {
            let mut n = 1;
            while *self.kind_at(n) == TokenKind::Dot && *self.kind_at(n + 1) == TokenKind::Ident {
                n += 2;
            }
            if self.starts_command_arg(n) {
                let start = self.span();
                let name = self.path();
                let name_span = Span::new(start.start, self.prev_end(start.start));
                return self.command(name, name_span);
            }
        }
        self.expr(true)
    }

    /// Whether the token `n` ahead can start an unparenthesised command argument.
    pub(super) fn starts_command_arg(&self, n: usize) -> bool {
        match self.kind_at(n) {
            TokenKind::Str(_) | TokenKind::Number => true,
            TokenKind::Ident => !WORD_OPERATORS.contains(&self.lexeme_at(n)),
            _ => false,
        }
    }

    /// `name arg, key: value, ... [{ closure }]`, after the name.
    pub(super) fn command(&mut self, name: String, name_span: Span) -> Expr {
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
        Expr::call(Call {
            receiver: None,
            name,
            name_span,
            args,
            closure,
            span,
        })
    }
}

pub(super) fn other(parts: Vec<Expr>, blocks: Vec<Block>) -> Stmt {
    Stmt::Other { parts, blocks }
}
