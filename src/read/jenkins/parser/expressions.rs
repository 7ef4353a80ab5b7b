//! Expressions, parsed leniently: arguments, operators, postfix calls and member access,
//! trailing closures, literals, lists and maps. Only calls, closures and literal values are kept
//! precisely.

use super::{Parser, WORD_OPERATORS};
use crate::read::jenkins::ast::{Arg, Block, Call, Expr, ExprKind, MapEntry};
use crate::read::jenkins::token::TokenKind;
use crate::yaml::Span;

impl Parser<'_> {
    /// An argument: `key: value` or `value`.
    pub(super) fn arg(&mut self, newline_ends: bool) -> Arg {
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
    pub(super) fn expr(&mut self, newline_ends: bool) -> Expr {
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
    pub(super) fn postfix(&mut self) -> Expr {
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
                    Some(args) => Expr::call(Call {
                        receiver: Some(expr),
                        name,
                        name_span,
                        args,
                        closure,
                        span,
                    }),
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
    pub(super) fn trailing_closure(&mut self, at_statement_start: bool) -> Option<Block> {
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

    pub(super) fn primary(&mut self) -> Expr {
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
    pub(super) fn ident_primary(&mut self) -> ExprKind {
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
    pub(super) fn paren_args(&mut self) -> Vec<Arg> {
        let open = self.span();
        self.bump();
        let mut args = Vec::new();
        while !self.fatal {
            self.skip_newlines();
            if self.closes_args(open) {
                break;
            }
            let before = self.pos;
            args.push(self.arg(false));
            self.skip_newlines();
            if self.closes_args(open) {
                break;
            }
            // A comma, or something the expression parser stopped at, such as a stray `]`.
            if self.pos == before
                || matches!(
                    self.kind(),
                    TokenKind::Comma | TokenKind::RBracket | TokenKind::Colon
                )
            {
                self.bump();
            }
        }
        args
    }

    /// Whether the argument list opened at `open` ends here: at its `)` (consumed), or at a `}`
    /// or the end of the file, which leave it unclosed.
    fn closes_args(&mut self, open: Span) -> bool {
        match self.kind() {
            TokenKind::RParen => self.bump(),
            TokenKind::RBrace | TokenKind::Eof => self.error("unclosed `(`".to_owned(), open),
            _ => return false,
        }
        true
    }

    /// `[a, b]`, `[k: v]`, `[:]`, at `[`.
    pub(super) fn list_or_map(&mut self) -> ExprKind {
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
