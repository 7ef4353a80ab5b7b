//! A walk over a whole Jenkinsfile tree (statements, expressions, closures, function bodies),
//! for the questions asked of the file before it is lowered: which names it assigns, which
//! files it loads.

use crate::read::jenkins::ast::{Block, Call, Expr, ExprKind, Stmt};

/// Statements and expressions visited at most, so a hostile file costs bounded work.
const VISIT_BUDGET: usize = 200_000;

/// Calls `on_assign` with every assignment's target and value (a closure's parameter too, with
/// the expression that holds the closure: `stage` of `stages.each { stage -> }`), and `on_call`
/// with every call, anywhere in `stmts`.
pub(super) fn visit_tree<'t>(
    stmts: &'t [Stmt],
    on_assign: &mut dyn FnMut(&'t str, &'t Expr),
    on_call: &mut dyn FnMut(&'t Call),
) {
    let mut pending: Vec<&Stmt> = stmts.iter().collect();
    let mut exprs: Vec<&Expr> = Vec::new();
    for _ in 0..VISIT_BUDGET {
        if let Some(stmt) = pending.pop() {
            match stmt {
                Stmt::Expr(e) => exprs.push(e),
                Stmt::Assign { target, value } => {
                    on_assign(target, value);
                    exprs.push(value);
                }
                Stmt::If {
                    cond,
                    then_block,
                    else_block,
                } => {
                    exprs.push(cond);
                    pending.extend(block_stmts(Some(then_block)));
                    pending.extend(block_stmts(else_block.as_ref()));
                }
                Stmt::Switch { subject, cases } => {
                    exprs.push(subject);
                    for case in cases {
                        exprs.extend(case.labels.iter());
                        pending.extend(case.stmts.iter());
                    }
                }
                Stmt::Function { body, .. } => pending.extend(block_stmts(Some(body))),
                Stmt::Annotation { .. } => {}
                Stmt::Other { parts, blocks } => {
                    exprs.extend(parts.iter());
                    for b in blocks {
                        pending.extend(block_stmts(Some(b)));
                    }
                }
            }
        } else if let Some(expr) = exprs.pop() {
            match &expr.kind {
                ExprKind::Call(c) => {
                    on_call(c);
                    exprs.extend(c.receiver.iter());
                    exprs.extend(c.args.iter().map(|a| &a.value));
                    for param in c.closure.iter().flat_map(|b| &b.params) {
                        on_assign(param, expr);
                    }
                    pending.extend(block_stmts(c.closure.as_ref()));
                }
                ExprKind::Other(parts) | ExprKind::List(parts) => exprs.extend(parts.iter()),
                ExprKind::Map(entries) => exprs.extend(entries.iter().map(|e| &e.value)),
                ExprKind::Closure(b) => {
                    for param in &b.params {
                        on_assign(param, expr);
                    }
                    pending.extend(block_stmts(Some(b)));
                }
                _ => {}
            }
        } else {
            break;
        }
    }
}

fn block_stmts(block: Option<&Block>) -> impl Iterator<Item = &Stmt> {
    block.into_iter().flat_map(|b| b.stmts.iter())
}
