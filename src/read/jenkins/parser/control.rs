//! Control flow: `if`/`else if`/`else`, `try`/`catch`/`finally` and the arms of a `switch`.

use super::Parser;
use super::statements::other;
use crate::read::jenkins::ast::{Block, Case, Expr, ExprKind, Stmt};
use crate::read::jenkins::token::TokenKind;
use crate::yaml::Span;

impl Parser<'_> {
    pub(super) fn if_stmt(&mut self) -> Stmt {
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
                    params: Vec::new(),
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

    pub(super) fn try_stmt(&mut self) -> Stmt {
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

    /// The `{ case a: ... default: ... }` of a `switch`, at `{`: its arms.
    pub(super) fn switch_body(&mut self, subject: Expr) -> Stmt {
        let open = self.span();
        self.bump();
        let mut cases: Vec<Case> = Vec::new();
        if !self.enter() {
            return Stmt::Switch { subject, cases };
        }
        let mut arm = Case {
            labels: Vec::new(),
            default: false,
            stmts: Vec::new(),
        };
        loop {
            self.skip_separators();
            if self.fatal {
                break;
            }
            let label = self.at_word("case");
            let default = self.at_word("default") && *self.kind_at(1) == TokenKind::Colon;
            if (label || default) && !arm.stmts.is_empty() {
                cases.push(std::mem::replace(
                    &mut arm,
                    Case {
                        labels: Vec::new(),
                        default: false,
                        stmts: Vec::new(),
                    },
                ));
            }
            match self.kind() {
                TokenKind::RBrace => {
                    self.bump();
                    break;
                }
                TokenKind::Eof => {
                    self.error("unclosed `{`".to_owned(), open);
                    break;
                }
                _ if label => {
                    self.bump();
                    arm.labels.push(self.expr(true));
                    if *self.kind() == TokenKind::Colon {
                        self.bump();
                    }
                }
                _ if default => {
                    self.bump();
                    self.bump();
                    arm.default = true;
                }
                _ => self.statement_into(&mut arm.stmts),
            }
        }
        self.leave();
        if !arm.stmts.is_empty() || !arm.labels.is_empty() || arm.default {
            cases.push(arm);
        }
        Stmt::Switch { subject, cases }
    }
}
