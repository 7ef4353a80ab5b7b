//! READ stage: CircleCI logic statements (a workflow's or a step's `when:` / `unless:`) as
//! conditions.
//!
//! CircleCI documents the statements: a value (truthy or not), `equal: [a, b]`, `not: x`,
//! `and: [..]`, `or: [..]` and `matches: { pattern, value }`. The ones that test the pipeline's
//! own values are typed, as other readers type a branch filter:
//!
//! ```text
//! equal: [ main, << pipeline.git.branch >> ]          Branch main   (either order)
//! equal: [ v1, << pipeline.git.tag >> ]               Tag v1
//! matches: { pattern: "^release/.*", value: << pipeline.git.branch >> }   Branch, the regex
//! not: <one of these>                                 the same, negated
//! and: [ .. ], or: [ x ]                              each conjunct
//! ```
//!
//! Anything else (an `or` of several, `not` of a conjunction, a literal) is one `Expression`
//! condition with the statement's text; `unless:` negates the whole. A pipeline parameter
//! (`<< pipeline.parameters.deploy >>`) is an `Expression` too: a person may set it when
//! starting the pipeline, but so may an API call or, in dynamic configuration, the setup
//! workflow (the path-filtering orb sets one per changed folder), which the statement cannot
//! tell apart.

use crate::read::pipeline::{Trigger, TriggerKind};
use crate::read::support::{SourceText, scalar};
use crate::yaml::Node;

/// Deeper nesting than this is no real statement; the rest is kept as text.
const MAX_DEPTH: usize = 16;

/// The conditions `node` (the value of `when:` or, `negated`, of `unless:`) sets, a conjunction.
/// `subst` gives a scalar's text with the job's or command's parameters put in.
pub(super) fn conditions(
    st: &SourceText,
    node: &Node,
    negated: bool,
    subst: &dyn Fn(&str) -> String,
) -> Vec<Trigger> {
    let mut conds = Vec::new();
    conjuncts(st, node, subst, 0, &mut conds);
    if negated {
        // Not (a and b) is no conjunction: the text, negated.
        match conds.as_mut_slice() {
            [one] => one.negated = !one.negated,
            _ => return vec![expression(st, node, subst, true)],
        }
    }
    conds
}

/// Appends the conjuncts of `node` to `out`: each a typed test, or the text of one this does
/// not read.
fn conjuncts(
    st: &SourceText,
    node: &Node,
    subst: &dyn Fn(&str) -> String,
    depth: usize,
    out: &mut Vec<Trigger>,
) {
    let items = match only_entry(node) {
        Some(("and", value)) => value.as_seq(),
        Some(("or", value)) => value.as_seq().filter(|items| items.len() == 1),
        _ => None,
    };
    match items {
        Some(items) if depth < MAX_DEPTH => {
            for item in items {
                conjuncts(st, item, subst, depth + 1, out);
            }
        }
        _ => out.push(
            test(st, node, subst, depth).unwrap_or_else(|| expression(st, node, subst, false)),
        ),
    }
}

/// A typed test of the branch or the tag, or `None`.
fn test(
    st: &SourceText,
    node: &Node,
    subst: &dyn Fn(&str) -> String,
    depth: usize,
) -> Option<Trigger> {
    if depth > MAX_DEPTH {
        return None;
    }
    let (key, value) = only_entry(node)?;
    let (kind, pattern) = match key {
        "not" => {
            let mut inner = test(st, value, subst, depth + 1)?;
            inner.negated = !inner.negated;
            return Some(inner);
        }
        "or" => match value.as_seq()? {
            [one] => return test(st, one, subst, depth + 1),
            _ => return None,
        },
        "equal" => {
            let items: Vec<String> = value
                .as_seq()?
                .iter()
                .map(|i| scalar(i).map(|t| subst(&t)))
                .collect::<Option<_>>()?;
            let [a, b] = items.as_slice() else {
                return None;
            };
            let (subject, literal) = if ref_kind(a).is_some() {
                (a, b)
            } else {
                (b, a)
            };
            (ref_kind(subject)?, literal.clone())
        }
        "matches" => {
            let m = value.as_map()?;
            let pattern = scalar(m.get("pattern")?)?;
            let subject = subst(&scalar(m.get("value")?)?);
            (ref_kind(&subject)?, format!("/{pattern}/"))
        }
        _ => return None,
    };
    Some(st.trigger(kind, Some(pattern), false, node))
}

/// The statement as written, one `Expression` condition.
fn expression(
    st: &SourceText,
    node: &Node,
    subst: &dyn Fn(&str) -> String,
    negated: bool,
) -> Trigger {
    let text = subst(&st.value_text(node));
    st.trigger(TriggerKind::Expression, Some(text), negated, node)
}

/// A mapping's only key and its value.
fn only_entry(node: &Node) -> Option<(&str, &Node)> {
    match node.as_map()?.entries() {
        [(key, value)] => Some((key.as_str()?, value)),
        _ => None,
    }
}

/// The kind of ref a text that is exactly `<< pipeline.git.branch >>` or `<< pipeline.git.tag
/// >>` tests.
fn ref_kind(text: &str) -> Option<TriggerKind> {
    let inner = text.trim().strip_prefix("<<")?.strip_suffix(">>")?.trim();
    match inner {
        "pipeline.git.branch" => Some(TriggerKind::Branch),
        "pipeline.git.tag" => Some(TriggerKind::Tag),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::support::test_support::conds;

    fn read(text: &str, negated: bool) -> Vec<(TriggerKind, Option<String>, bool)> {
        let st = SourceText {
            file: "config.yml".into(),
            src: std::sync::Arc::from(text),
        };
        let docs = crate::yaml::parse(text).expect("yaml");
        let node = docs[0].as_map().and_then(|m| m.get("when")).expect("when");
        let subst = |t: &str| t.replace("<< parameters.env >>", "prod");
        conds(&conditions(&st, node, negated, &subst))
    }

    fn c(kind: TriggerKind, pattern: &str, negated: bool) -> (TriggerKind, Option<String>, bool) {
        (kind, Some(pattern.to_owned()), negated)
    }

    #[test]
    fn statements_on_the_pipelines_values_are_typed() {
        use TriggerKind::{Branch, Expression, Tag};
        assert_eq!(
            read(
                "when:\n  equal: [ main, << pipeline.git.branch >> ]\n",
                false
            ),
            [c(Branch, "main", false)]
        );
        assert_eq!(
            read("when:\n  equal: [ << pipeline.git.tag >>, v1 ]\n", true),
            [c(Tag, "v1", true)]
        );
        assert_eq!(
            read(
                "when:\n  and:\n    - equal: [ true, << pipeline.parameters.playground >> ]\n    - not:\n        equal: [ 'main', << pipeline.git.branch >> ]\n",
                false
            ),
            [
                c(
                    Expression,
                    "equal: [ true, << pipeline.parameters.playground >> ]",
                    false
                ),
                c(Branch, "main", true)
            ]
        );
        // A parameter may be set by a person, an API call or a setup workflow: as written.
        assert_eq!(
            read("when: << pipeline.parameters.deploy >>\n", false),
            [c(Expression, "<< pipeline.parameters.deploy >>", false)]
        );
        assert_eq!(
            read(
                "when:\n  or:\n    - matches: { pattern: \"^release/.*$\", value: << pipeline.git.branch >> }\n",
                false
            ),
            [c(Branch, "/^release/.*$/", false)]
        );
        // A job parameter put in first.
        assert_eq!(
            read(
                "when:\n  equal: [ << parameters.env >>, << pipeline.git.branch >> ]\n",
                false
            ),
            [c(Branch, "prod", false)]
        );
        // Not a conjunction of typed tests: the text, as written.
        let or = "when:\n  or: [ { equal: [ a, << pipeline.git.branch >> ] }, { equal: [ b, << pipeline.git.branch >> ] } ]\n";
        assert_eq!(read(or, false)[0].0, Expression);
        let both = "when:\n  and:\n    - equal: [ a, << pipeline.git.branch >> ]\n    - equal: [ v1, << pipeline.git.tag >> ]\n";
        assert_eq!(read(both, false).len(), 2);
        assert_eq!(read(both, true).len(), 1);
        assert_eq!(read(both, true)[0].0, Expression);
        assert_eq!(read("when: true\n", false)[0].0, Expression);
    }
}
