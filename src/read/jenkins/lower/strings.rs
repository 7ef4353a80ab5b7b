//! Groovy string methods applied to literal scripts (`.stripIndent()`, `.stripMargin()`,
//! `.trim()`), moving each line's source offset along with the text; and scripts built with
//! `+` from literals and names.

use crate::files::LineIndex;
use crate::read::jenkins::ast::{Expr, ExprKind};
use crate::read::jenkins::token::StrLit;

/// A string literal followed by `.stripIndent()`, `.stripMargin()` or `.trim()` (in any
/// chain), with the methods applied and the line starts moved along. None for anything else.
pub(super) fn string_with_methods(expr: &Expr) -> Option<StrLit> {
    let mut methods = Vec::new();
    let mut current = expr;
    let lit = loop {
        match &current.kind {
            ExprKind::Str(lit) => break lit,
            ExprKind::Call(c) if c.args.is_empty() && c.closure.is_none() => {
                methods.push(c.name.as_str());
                current = c.receiver.as_ref()?;
            }
            _ => return None,
        }
    };
    let mut lit = lit.clone();
    for method in methods.iter().rev() {
        lit = apply_string_method(&lit, method)?;
    }
    Some(lit)
}

/// The text of a `+` of string literals and names (`"helm upgrade --install " + RELEASE + "
/// chart/"`), each name as the `${NAME}` Groovy puts in its place: the script the shell gets.
/// None for anything else, or without a literal among the operands.
pub(super) fn concatenation(expr: &Expr, src: &str) -> Option<String> {
    let ExprKind::Other(parts) = &expr.kind else {
        return None;
    };
    if parts.len() < 2 || !parts.iter().any(|p| matches!(p.kind, ExprKind::Str(_))) {
        return None;
    }
    let mut text = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            let between = src.get(parts[i - 1].span.end..part.span.start)?;
            if between.trim() != "+" {
                return None;
            }
        }
        match &part.kind {
            ExprKind::Str(lit) => text.push_str(&lit.text),
            ExprKind::Path(name) => {
                text.push_str("${");
                text.push_str(name);
                text.push('}');
            }
            ExprKind::Num => text.push_str(src.get(part.span.range())?),
            _ => return None,
        }
    }
    Some(text)
}

pub(super) fn apply_string_method(lit: &StrLit, method: &str) -> Option<StrLit> {
    let lines: Vec<&str> = lit.text.split('\n').collect();
    if lines.len() != lit.line_starts.len() {
        return None;
    }
    let indent_of = |line: &str| line.len() - line.trim_start_matches([' ', '\t']).len();
    let removed: Vec<usize> = match method {
        "stripIndent" => {
            let common = lines
                .iter()
                .filter(|l| !l.trim().is_empty())
                .map(|l| indent_of(l))
                .min()
                .unwrap_or(0);
            lines.iter().map(|l| indent_of(l).min(common)).collect()
        }
        "stripMargin" => lines
            .iter()
            .map(|l| {
                let rest = l.trim_start_matches([' ', '\t']);
                rest.strip_prefix('|')
                    .map_or(0, |after| l.len() - after.len())
            })
            .collect(),
        "trim" => {
            let leading = lit.text.len() - lit.text.trim_start().len();
            let lines = LineIndex::new(&lit.text);
            let skipped_lines = lines.line(leading);
            let column = leading - lines.line_start(skipped_lines)?;
            let text = lit.text.trim().to_owned();
            let count = text.split('\n').count();
            let mut line_starts: Vec<usize> = lit
                .line_starts
                .iter()
                .skip(skipped_lines)
                .take(count)
                .copied()
                .collect();
            if let Some(first) = line_starts.first_mut() {
                *first += column;
            }
            return Some(StrLit { text, line_starts });
        }
        _ => return None,
    };
    let text = lines
        .iter()
        .zip(&removed)
        .map(|(l, n)| l.get(*n..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let line_starts = lit
        .line_starts
        .iter()
        .zip(&removed)
        .map(|(s, n)| s + n)
        .collect();
    Some(StrLit { text, line_starts })
}
