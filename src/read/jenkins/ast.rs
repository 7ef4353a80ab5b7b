//! READ stage: the small Groovy AST the Jenkinsfile parser builds: commands, values, blocks.
//!
//! It models what Jenkinsfiles are made of (`name args? closure?` commands and literal values)
//! and keeps everything else as opaque spans whose nested calls and closures stay reachable.

use super::token::StrLit;
use crate::yaml::Span;

/// `{ statements }`: a closure or a control-flow body.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct Block {
    /// Statements in order.
    pub(crate) stmts: Vec<Stmt>,
    /// From `{` to `}` inclusive (to where parsing stopped when unclosed).
    pub(crate) span: Span,
    /// A closure's parameters (`stage` of `{ stage -> ... }`); empty for other bodies.
    pub(crate) params: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Stmt {
    /// A command or expression: `sh 'x'`, `stage('a') { }`, `x.each { }`.
    Expr(Expr),
    /// `target = value`, with or without `def`/a type: `env.X = 'y'`, `K = credentials('id')`.
    Assign {
        /// Dotted target as written.
        target: String,
        value: Expr,
    },
    /// `if (cond) { } else { }`; an `else if` is an `If` alone in the else block.
    If {
        cond: Expr,
        then_block: Block,
        else_block: Option<Block>,
    },
    /// `switch (subject) { case a: case b: ... default: ... }`.
    Switch { subject: Expr, cases: Vec<Case> },
    /// `def name(params) { body }`.
    Function {
        name: String,
        /// The parameters' names, in order.
        params: Vec<String>,
        body: Block,
    },
    /// `@Name(args)`, e.g. `@Library('lib')`.
    Annotation {
        name: String,
        args: Vec<Arg>,
        span: Span,
    },
    /// Anything else (`for`, `while`, `try`, `return`, declarations): its operands
    /// and bodies, so calls inside are still found.
    Other {
        parts: Vec<Expr>,
        blocks: Vec<Block>,
    },
}

/// One arm of a `switch`: the labels that lead to it and the statements up to the next label.
/// A `default:` arm has no labels. (Groovy falls through an arm without `break`; Jenkinsfiles
/// end their arms with one, so each arm is read alone.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Case {
    pub(crate) labels: Vec<Expr>,
    pub(crate) default: bool,
    pub(crate) stmts: Vec<Stmt>,
}

/// A value or expression and its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Expr {
    pub(crate) kind: ExprKind,
    pub(crate) span: Span,
}

impl Expr {
    /// The expression that is `call`, spanning what it spans.
    pub(crate) fn call(call: Call) -> Expr {
        Expr {
            span: call.span,
            kind: ExprKind::Call(Box::new(call)),
        }
    }
}

/// The kinds of expression the reader distinguishes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ExprKind {
    /// Any string literal, decoded.
    Str(StrLit),
    /// A number, text in the span.
    Num,
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// `name` or `a.b.c`.
    Path(String),
    /// `[a, b]`.
    List(Vec<Expr>),
    /// `[k: v]`, `[:]`.
    Map(Vec<MapEntry>),
    /// A call or command.
    Call(Box<Call>),
    /// `{ ... }` as a value.
    Closure(Block),
    /// Operators, indexing, properties of results: kept as the operands found in it.
    Other(Vec<Expr>),
}

/// `key: value` in a map literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MapEntry {
    /// Key text (quotes removed).
    pub(crate) key: String,
    pub(crate) value: Expr,
}

/// `receiver.name(args) { closure }`, `name args`, `name { closure }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Call {
    /// What the method is called on, when it is not a plain dotted path (`docker.image('x')`
    /// in `docker.image('x').inside { }`).
    pub(crate) receiver: Option<Expr>,
    /// Name; a dotted path (`docker.withRegistry`) when there is no receiver.
    pub(crate) name: String,
    /// Where the name is written.
    pub(crate) name_span: Span,
    /// Arguments, positional and named, in order.
    pub(crate) args: Vec<Arg>,
    /// The trailing closure.
    pub(crate) closure: Option<Block>,
    /// The whole call, receiver and closure included.
    pub(crate) span: Span,
}

/// One argument: `value` or `name: value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Arg {
    /// The name of a named argument.
    pub(crate) name: Option<String>,
    pub(crate) value: Expr,
}

impl Call {
    /// The value of named argument `key`.
    pub(crate) fn named(&self, key: &str) -> Option<&Expr> {
        self.args
            .iter()
            .find(|a| a.name.as_deref() == Some(key))
            .map(|a| &a.value)
    }

    /// The `index`-th positional argument.
    pub(crate) fn positional(&self, index: usize) -> Option<&Expr> {
        self.args
            .iter()
            .filter(|a| a.name.is_none())
            .nth(index)
            .map(|a| &a.value)
    }

    /// The body: the trailing closure, or a closure passed as the last argument.
    pub(crate) fn body(&self) -> Option<&Block> {
        self.closure.as_ref().or_else(|| match self.args.last() {
            Some(Arg {
                name: None,
                value:
                    Expr {
                        kind: ExprKind::Closure(block),
                        ..
                    },
            }) => Some(block),
            _ => None,
        })
    }
}

impl Stmt {
    /// The call this statement consists of, if it is a plain command.
    pub(crate) fn as_call(&self) -> Option<&Call> {
        match self {
            Stmt::Expr(Expr {
                kind: ExprKind::Call(call),
                ..
            }) => Some(call),
            _ => None,
        }
    }
}
