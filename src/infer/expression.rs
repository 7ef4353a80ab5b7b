//! The names a GitHub `${{ }}` expression in an environment name can take, and when each holds.
//!
//! Workflows pick an environment with the `&&`/`||` idioms of the expression language:
//!
//! ```yaml
//! environment: ${{ github.ref_name == 'main' && 'production' || 'staging' }}
//! environment: ${{ inputs.environment || 'production' }}
//! ```
//!
//! `a && b || c` is `b` when `a` holds, else `c`; an input is given only when a person starts
//! the workflow. Only these shapes are read: string literals, `inputs.x` /
//! `github.event.inputs.x`, and comparisons of `github.ref`, `github.ref_name` or
//! `github.event_name` with a literal, each alternative or test maybe in parentheses
//! (`a && 'prod' || (b && 'dev') || 'test'`). Anything else (a function call, a parenthesised
//! `||`, an alternative with two conditions before another alternative) makes [`outcomes`] say
//! `None`, and the name is kept as written.

use crate::infer::groups;
use crate::infer::shell::{EventFilter, RefFilter, ScriptEvent};
use crate::read::TriggerKind;

/// The run inputs a text reads, anywhere in it (`shop-${{ inputs.target-env }}`,
/// `$(parameters.env)`, `${{ inputs.env || 'dev' }}`, `github.event.inputs['env']`): each
/// `inputs.NAME`, `inputs['NAME']` and `parameters.NAME`, the name as far as it runs.
pub(crate) fn inputs_read(text: &str) -> impl Iterator<Item = &str> {
    ["inputs.", "inputs['", "inputs[\"", "parameters."]
        .into_iter()
        .flat_map(move |prefix| {
            text.match_indices(prefix).filter_map(move |(at, _)| {
                let rest = &text[at + prefix.len()..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                    .unwrap_or(rest.len());
                (end > 0).then(|| &rest[..end])
            })
        })
}

/// A value the expression can take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Value {
    /// A string literal (`'production'`).
    Literal(String),
    /// A dispatch input (`inputs.environment`): whatever the person chose.
    Input(String),
}

/// One value and the condition under which the expression takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Outcome {
    pub value: Value,
    pub events: Option<EventFilter>,
    pub refs: Option<RefFilter>,
}

/// A condition an alternative tests.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Cond {
    Event(EventFilter),
    Ref(RefFilter),
}

impl Cond {
    fn negate(&self) -> Cond {
        match self {
            Cond::Event(e) => Cond::Event(EventFilter {
                negated: !e.negated,
                ..*e
            }),
            Cond::Ref(r) => Cond::Ref(RefFilter {
                negated: !r.negated,
                ..r.clone()
            }),
        }
    }
}

/// The values of `expr` (the text between `${{` and `}}`) with when each holds; `None` when the
/// expression is not one of the shapes read here, or has a single alternative (a bare input is
/// expanded over its choices elsewhere).
pub(crate) fn outcomes(expr: &str) -> Option<Vec<Outcome>> {
    let mut out = Vec::new();
    // Negations of the conditions of the alternatives before this one.
    let mut earlier: Vec<Cond> = Vec::new();
    let alternatives = split_top(expr, "||")?;
    let last = alternatives.len() - 1;
    for (i, alternative) in alternatives.iter().enumerate() {
        let terms = split_top(alternative, "&&")?;
        let (value, conds) = terms.split_last()?;
        let value = value_of(value)?;
        let mut own: Vec<Cond> = conds.iter().map(|c| cond_of(c)).collect::<Option<_>>()?;
        if let Value::Input(_) = value {
            own.push(Cond::Event(EventFilter {
                event: ScriptEvent::Manual,
                negated: false,
            }));
        }
        let mut all = earlier.clone();
        all.extend(own.iter().cloned());
        out.push(outcome(value, &all)?);
        if i < last {
            // `a && b && c || d`: `d` holds when `a` or `b` fails, which one filter cannot say.
            let [only] = own.as_slice() else {
                return None;
            };
            earlier.push(only.negate());
        }
    }
    (out.len() > 1).then_some(out)
}

/// One way into a job ([`ways_in`]): a trigger kind and pattern, and for a test of a dispatch
/// input (`inputs.environment == 'dev'`), the value it tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Way {
    pub kind: TriggerKind,
    pub pattern: Option<String>,
    pub choice: Option<String>,
}

impl From<(TriggerKind, Option<String>)> for Way {
    fn from((kind, pattern): (TriggerKind, Option<String>)) -> Way {
        Way {
            kind,
            pattern,
            choice: None,
        }
    }
}

/// The ways into a job whose `if:` is a disjunction of ref and event tests
/// (`github.ref_name == 'main' || github.event_name == 'workflow_dispatch'`): a branch, a push
/// of any branch, a pull request or a manual start per test. An alternative may also be a
/// conjunction ([`conjunction_way`]), or a list of refs ([`listed_refs`]) that gives a way per
/// entry. `None` when any alternative is none of these, or is negated, or there is only one
/// way in (the reader types a single test and splits a conjunction).
pub(crate) fn ways_in(expr: &str) -> Option<Vec<Way>> {
    let mut ways = Vec::new();
    // A conjunct the reader kept whole: `(a || b)` of `push && (a || b)`.
    for a in split_top(groups::ungrouped(expr), "||")? {
        if let Some(listed) = listed_refs(a) {
            ways.extend(listed);
            continue;
        }
        ways.push(match split_top(a, "&&")?.as_slice() {
            [one] => tag_or_prefix_way(one)
                .or_else(|| way_of(one))
                .map(Way::from)
                .or_else(|| conjunction_way(&[one]))?,
            terms => conjunction_way(terms)?,
        });
    }
    (ways.len() > 1).then_some(ways)
}

/// A list of refs the ref is looked up in: `contains(' refs/heads/main refs/heads/dev ',
/// github.ref)` or `contains(fromJSON('["refs/heads/main", "refs/tags/v1"]'), github.ref)`
/// (or of branch names, with `github.ref_name`), each entry a way in. `None` unless every
/// entry is a branch or tag.
fn listed_refs(a: &str) -> Option<Vec<Way>> {
    let args = a.trim().strip_prefix("contains(")?.strip_suffix(')')?;
    let (list, subject) = args.rsplit_once(',')?;
    let list = list.trim();
    let list = list
        .strip_prefix("fromJSON(")
        .or_else(|| list.strip_prefix("fromJson("))
        .and_then(|l| l.strip_suffix(')'))
        .map_or(list, str::trim);
    let text = literal(list)?;
    let text = text.trim();
    let text = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    let entries = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .map(|e| e.trim_matches('"'))
        .filter(|e| !e.is_empty());
    let way = |entry: &str| -> Option<Way> {
        match subject.trim() {
            "github.ref" => {
                if let Some(b) = entry.strip_prefix("refs/heads/") {
                    Some((TriggerKind::Branch, Some(b.to_owned())).into())
                } else {
                    let t = entry.strip_prefix("refs/tags/")?;
                    Some((TriggerKind::Tag, Some(t.to_owned())).into())
                }
            }
            "github.ref_name" => Some((TriggerKind::Branch, Some(entry.to_owned())).into()),
            _ => None,
        }
    };
    let ways: Vec<Way> = entries.map(way).collect::<Option<_>>()?;
    (!ways.is_empty()).then_some(ways)
}

/// An alternative that is a conjunction of positive tests (or one test): of a dispatch input
/// against a literal (`github.event_name == 'workflow_dispatch' && inputs.environment ==
/// 'dev'`), a manual start with that input; of the event `workflow_dispatch`, a manual start;
/// of a branch, maybe with the event `push`, that branch. Any other test, two of one kind, or
/// a negation: `None`.
fn conjunction_way(terms: &[&str]) -> Option<Way> {
    let (mut input, mut event, mut branch) = (None, None, None);
    for term in terms {
        if let Some(tested) = input_test(term) {
            input.replace(tested).is_none().then_some(())?;
            continue;
        }
        match cond_of(term)? {
            Cond::Event(e) if !e.negated => event.replace(e.event).is_none().then_some(())?,
            Cond::Ref(r) if !r.negated => branch.replace(r.branch).is_none().then_some(())?,
            _ => return None,
        }
    }
    match (input, event, branch) {
        (Some((name, value)), None | Some(ScriptEvent::Manual), _) => Some(Way {
            kind: TriggerKind::Manual,
            pattern: Some(name),
            choice: Some(value),
        }),
        (None, Some(ScriptEvent::Manual), _) => Some((TriggerKind::Manual, None).into()),
        (None, None | Some(ScriptEvent::Push), Some(b)) => {
            Some((TriggerKind::Branch, Some(b)).into())
        }
        _ => None,
    }
}

/// `inputs.environment == 'dev'` (or `github.event.inputs.environment`, either side): the
/// input and the value.
fn input_test(term: &str) -> Option<(String, String)> {
    let (l, r) = term.split_once("==")?;
    let (l, r) = (l.trim(), r.trim());
    let (input, value) = match (value_of(l), value_of(r)) {
        (Some(Value::Input(name)), _) => (name, literal(r)?),
        (_, Some(Value::Input(name))) => (name, literal(l)?),
        _ => return None,
    };
    (!value.is_empty()).then(|| (input, value.to_owned()))
}

/// One alternative that is a ref or event comparison.
fn way_of(a: &str) -> Option<(TriggerKind, Option<String>)> {
    match cond_of(a)? {
        Cond::Ref(r) if !r.negated => Some((TriggerKind::Branch, Some(r.branch))),
        Cond::Event(e) if !e.negated => Some(match e.event {
            ScriptEvent::Push => (TriggerKind::Branch, None),
            ScriptEvent::PullRequest => (TriggerKind::PullRequest, None),
            ScriptEvent::Manual => (TriggerKind::Manual, None),
            ScriptEvent::Tag => (TriggerKind::Tag, None),
        }),
        _ => None,
    }
}

/// A tag or branch prefix test, or a release: `startsWith(github.ref, 'refs/tags/v')` and
/// `startsWith(github.event.release.tag_name, 'v')` are tags `v*`,
/// `startsWith(github.ref, 'refs/heads/release/')` and `startsWith(github.ref_name,
/// 'release/')` branches `release/*`, `github.event_name == 'release'` any tag (a release is
/// published for a tag).
fn tag_or_prefix_way(a: &str) -> Option<(TriggerKind, Option<String>)> {
    let a = a.trim();
    if let Some((lhs, rhs)) = a.split_once("==")
        && lhs.trim() == "github.event_name"
        && literal(rhs.trim()) == Some("release")
    {
        return Some((TriggerKind::Tag, None));
    }
    let args = a
        .strip_prefix("startsWith(")
        .or_else(|| a.strip_prefix("startswith("))?
        .strip_suffix(')')?;
    let (subject, prefix) = args.split_once(',')?;
    let prefix = literal(prefix.trim())?;
    let glob = |p: &str| (!p.is_empty()).then(|| format!("{p}*"));
    match subject.trim() {
        "github.ref" => {
            if let Some(tag) = prefix.strip_prefix("refs/tags/") {
                Some((TriggerKind::Tag, glob(tag)))
            } else {
                let branch = prefix.strip_prefix("refs/heads/")?;
                Some((TriggerKind::Branch, glob(branch)))
            }
        }
        "github.event.release.tag_name" => Some((TriggerKind::Tag, glob(prefix))),
        "github.ref_name" => Some((TriggerKind::Branch, glob(prefix))),
        _ => None,
    }
}

/// An outcome under `conds`: at most one event and one ref condition, once those a positive
/// test implies are set aside (`github.ref != 'refs/heads/main'` beside `github.ref ==
/// 'refs/heads/dev'`, from the alternatives before it).
fn outcome(value: Value, conds: &[Cond]) -> Option<Outcome> {
    let positive_ref = conds
        .iter()
        .find(|c| matches!(c, Cond::Ref(r) if !r.negated));
    let positive_event = conds
        .iter()
        .find(|c| matches!(c, Cond::Event(e) if !e.negated));
    let implied = |c: &Cond| match (c, positive_ref, positive_event) {
        (Cond::Ref(r), Some(Cond::Ref(p)), _) => r.negated && r.branch != p.branch,
        (Cond::Event(e), _, Some(Cond::Event(p))) => e.negated && e.event != p.event,
        _ => false,
    };
    let mut events = None;
    let mut refs = None;
    for cond in conds.iter().filter(|c| !implied(c)) {
        match cond {
            Cond::Event(e) if events.is_none() => events = Some(*e),
            Cond::Ref(r) if refs.is_none() => refs = Some(r.clone()),
            _ => return None,
        }
    }
    Some(Outcome {
        value,
        events,
        refs,
    })
}

/// `'production'` or an input.
fn value_of(term: &str) -> Option<Value> {
    if let Some(text) = literal(term) {
        return (!text.is_empty()).then(|| Value::Literal(text.to_owned()));
    }
    let name = term
        .strip_prefix("github.event.inputs.")
        .or_else(|| term.strip_prefix("inputs."))?;
    is_identifier(name).then(|| Value::Input(name.to_owned()))
}

/// `github.ref == 'refs/heads/main'`, `github.ref_name != 'main'`,
/// `github.event_name == 'workflow_dispatch'`.
fn cond_of(term: &str) -> Option<Cond> {
    let (lhs, rhs, negated) = match (term.split_once("=="), term.split_once("!=")) {
        (Some((l, r)), None) => (l, r, false),
        (None, Some((l, r))) => (l, r, true),
        _ => return None,
    };
    let rhs = literal(rhs.trim())?;
    match lhs.trim() {
        "github.ref" => Some(Cond::Ref(RefFilter {
            branch: rhs.strip_prefix("refs/heads/")?.to_owned(),
            negated,
        })),
        "github.ref_name" => Some(Cond::Ref(RefFilter {
            branch: rhs.to_owned(),
            negated,
        })),
        "github.event_name" => {
            let event = match rhs {
                "push" => ScriptEvent::Push,
                "pull_request" | "pull_request_target" => ScriptEvent::PullRequest,
                "workflow_dispatch" => ScriptEvent::Manual,
                _ => return None,
            };
            Some(Cond::Event(EventFilter { event, negated }))
        }
        _ => None,
    }
}

/// The text of a single-quoted literal (`''` is an escaped quote, which names never hold).
fn literal(term: &str) -> Option<&str> {
    let text = term.strip_prefix('\'')?.strip_suffix('\'')?;
    (!text.contains('\'')).then_some(text)
}

fn is_identifier(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// `text` split on `op` outside quotes and parentheses ([`groups::split_outside`]), each part
/// taken out of parentheses that hold all of it (`(github.ref == 'refs/heads/dev' && 'dev')`);
/// `None` on unbalanced parentheses, an empty part, or a part that is a parenthesised `||` (a
/// nested choice, which one alternative cannot say).
fn split_top<'t>(text: &'t str, op: &str) -> Option<Vec<&'t str>> {
    groups::split_outside(text, op)?
        .into_iter()
        .map(|part| {
            let inner = groups::ungrouped(part);
            let nested_choice = inner != part && groups::split_outside(inner, "||")?.len() > 1;
            (!inner.is_empty() && !nested_choice).then_some(inner)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(v: &str) -> Value {
        Value::Literal(v.to_owned())
    }

    /// [`ways_in`] where no alternative tests an input.
    fn plain(text: &str) -> Option<Vec<(TriggerKind, Option<String>)>> {
        let ways = ways_in(text)?;
        assert!(ways.iter().all(|w| w.choice.is_none()), "{text}");
        Some(ways.into_iter().map(|w| (w.kind, w.pattern)).collect())
    }

    #[test]
    fn disjunctions_of_tests_are_ways_in() {
        let ways = plain("github.ref_name == 'main' || github.event_name == 'workflow_dispatch'");
        assert_eq!(
            ways,
            Some(vec![
                (TriggerKind::Branch, Some("main".to_owned())),
                (TriggerKind::Manual, None)
            ])
        );
        assert_eq!(
            plain("github.ref == 'refs/heads/dev' || github.event_name == 'pull_request'"),
            Some(vec![
                (TriggerKind::Branch, Some("dev".to_owned())),
                (TriggerKind::PullRequest, None)
            ])
        );
        assert_eq!(plain("github.ref_name == 'main'"), None);
        assert_eq!(plain("github.ref_name != 'main' || inputs.force"), None);
        assert_eq!(
            plain("(github.ref_name == 'a') || github.ref_name == 'b'"),
            Some(vec![
                (TriggerKind::Branch, Some("a".to_owned())),
                (TriggerKind::Branch, Some("b".to_owned()))
            ])
        );
    }

    #[test]
    fn conjunctions_in_a_disjunction_are_ways_in() {
        let ways = ways_in(
            "github.ref == 'refs/heads/develop' || \
             (github.event_name == 'workflow_dispatch' && inputs.environment == 'dev')",
        );
        assert_eq!(
            ways,
            Some(vec![
                (TriggerKind::Branch, Some("develop".to_owned())).into(),
                Way {
                    kind: TriggerKind::Manual,
                    pattern: Some("environment".to_owned()),
                    choice: Some("dev".to_owned())
                }
            ])
        );
        let ways = ways_in(
            "github.event_name == 'push' && github.ref_name == 'main' || \
             'prod' == github.event.inputs.target || github.event_name == 'workflow_dispatch' && github.ref_name == 'main'",
        );
        assert_eq!(
            ways,
            Some(vec![
                (TriggerKind::Branch, Some("main".to_owned())).into(),
                Way {
                    kind: TriggerKind::Manual,
                    pattern: Some("target".to_owned()),
                    choice: Some("prod".to_owned())
                },
                (TriggerKind::Manual, None).into()
            ])
        );
        // A negation, two tests of one kind, a pull request on a branch, a test of anything
        // else, a nested choice: not read.
        for other in [
            "github.ref_name == 'main' || (github.event_name == 'workflow_dispatch' && inputs.env != 'dev')",
            "github.ref_name == 'main' || (inputs.a == 'x' && inputs.b == 'y')",
            "github.ref_name == 'main' || (github.event_name == 'pull_request' && github.ref_name == 'x')",
            "github.ref_name == 'main' || (github.event_name == 'push' && inputs.force)",
            "github.ref_name == 'main' || (github.ref_name == 'a' && (inputs.b == 'x' || inputs.b == 'y'))",
        ] {
            assert_eq!(ways_in(other), None, "{other}");
        }
    }

    #[test]
    fn a_list_of_refs_is_a_way_in_per_entry() {
        let s = |v: &str| Some(v.to_owned());
        assert_eq!(
            plain("contains(' refs/heads/master refs/heads/develop ', github.ref)"),
            Some(vec![
                (TriggerKind::Branch, s("master")),
                (TriggerKind::Branch, s("develop"))
            ])
        );
        assert_eq!(
            plain(
                "contains(fromJSON('[\"refs/heads/main\", \"refs/tags/v1\"]'), github.ref) || \
                 github.event_name == 'workflow_dispatch'"
            ),
            Some(vec![
                (TriggerKind::Branch, s("main")),
                (TriggerKind::Tag, s("v1")),
                (TriggerKind::Manual, None)
            ])
        );
        assert_eq!(
            plain("contains(fromJSON('[\"main\",\"dev\"]'), github.ref_name)"),
            Some(vec![
                (TriggerKind::Branch, s("main")),
                (TriggerKind::Branch, s("dev"))
            ])
        );
        // One entry, an entry that is no ref, a list of something else: not read.
        for other in [
            "contains('refs/heads/main', github.ref)",
            "contains('refs/heads/main refs/pull/1', github.ref)",
            "contains(fromJSON('[\"push\", \"schedule\"]'), github.event_name)",
            "contains(github.ref, 'refs/heads/main refs/heads/dev')",
        ] {
            assert_eq!(ways_in(other), None, "{other}");
        }
    }

    #[test]
    fn tag_prefixes_and_releases_are_ways_in() {
        let s = |v: &str| Some(v.to_owned());
        assert_eq!(
            plain(
                "github.event_name == 'workflow_dispatch' || \
                 startsWith(github.event.release.tag_name, 'v')"
            ),
            Some(vec![
                (TriggerKind::Manual, None),
                (TriggerKind::Tag, s("v*"))
            ])
        );
        assert_eq!(
            plain(
                "startsWith(github.ref, 'refs/tags/') || \
                 startsWith(github.ref, 'refs/heads/release/') || github.event_name == 'release'"
            ),
            Some(vec![
                (TriggerKind::Tag, None),
                (TriggerKind::Branch, s("release/*")),
                (TriggerKind::Tag, None)
            ])
        );
        // A disjunction the reader kept whole as one conjunct, in its parentheses.
        assert_eq!(
            plain("(startsWith(github.ref, 'refs/tags/v') || github.ref == 'refs/heads/main')"),
            Some(vec![
                (TriggerKind::Tag, s("v*")),
                (TriggerKind::Branch, s("main"))
            ])
        );
        // Another call, a call on something else: not read.
        for other in [
            "contains(github.ref, 'v') || github.event_name == 'push'",
            "startsWith(github.head_ref, 'x') || github.event_name == 'push'",
            "startsWith(github.ref, 'refs/tags/' || github.event_name == 'push'",
        ] {
            assert_eq!(plain(other), None, "{other}");
        }
    }

    fn branch(b: &str, negated: bool) -> Option<RefFilter> {
        Some(RefFilter {
            branch: b.to_owned(),
            negated,
        })
    }

    #[test]
    fn a_ternary_on_the_ref() {
        let got = outcomes("github.ref_name == 'main' && 'production' || 'staging'");
        assert_eq!(
            got,
            Some(vec![
                Outcome {
                    value: lit("production"),
                    events: None,
                    refs: branch("main", false)
                },
                Outcome {
                    value: lit("staging"),
                    events: None,
                    refs: branch("main", true)
                },
            ])
        );
        let full = outcomes("github.ref == 'refs/heads/main' && 'prod' || 'dev'");
        assert_eq!(full.map(|o| o[1].refs.clone()), Some(branch("main", true)));
    }

    #[test]
    fn an_input_with_a_fallback() {
        let manual = |negated| {
            Some(EventFilter {
                event: ScriptEvent::Manual,
                negated,
            })
        };
        assert_eq!(
            outcomes("github.event.inputs.environment || 'production'"),
            Some(vec![
                Outcome {
                    value: Value::Input("environment".into()),
                    events: manual(false),
                    refs: None
                },
                Outcome {
                    value: lit("production"),
                    events: manual(true),
                    refs: None
                },
            ])
        );
    }

    #[test]
    fn names_beyond_ascii() {
        let got = outcomes("inputs.region || 'producción'").expect("two values");
        assert_eq!(got[1].value, lit("producción"));
        let got = outcomes("github.ref_name == 'mäin' && 'prød' || 'dév'").expect("two");
        assert_eq!(got[0].value, lit("prød"));
    }

    /// A workflow that picked its environment with a parenthesised alternative
    /// (`... || (github.ref == 'refs/heads/dev' && 'dev') || ...`) kept the whole expression
    /// as its name (issue 9).
    #[test]
    fn parenthesised_alternatives_and_tests() {
        let expr = "github.ref == 'refs/heads/main' && 'prod' || (github.ref == 'refs/heads/dev' \
                    && 'dev') || github.ref == 'refs/heads/test' && 'test'";
        let got = outcomes(expr).expect("three values");
        let values: Vec<&Value> = got.iter().map(|o| &o.value).collect();
        assert_eq!(values, [&lit("prod"), &lit("dev"), &lit("test")]);
        assert_eq!(got[1].refs, branch("dev", false));
        let got = outcomes("((github.ref_name == 'main')) && 'a' || ('b')").expect("two");
        assert_eq!(got[0].refs, branch("main", false));
        assert_eq!(got[1].value, lit("b"));
    }

    #[test]
    fn other_shapes_are_not_read() {
        for expr in [
            "'production'",
            "inputs.env",
            "vars.ENVIRONMENT",
            "format('{0}-x', inputs.env)",
            "(github.ref == 'refs/heads/main' || github.ref == 'refs/heads/dev') && 'a' || 'b'",
            "(github.ref == 'refs/heads/main' && 'a' || 'b')",
            "(github.ref == 'refs/heads/main' && 'a' || 'b'",
            "(inputs.env) || 'b')",
            "github.ref == 'refs/heads/main' && github.event_name == 'push' && 'a' || 'b'",
            "github.ref == 'refs/tags/v1' && 'a' || 'b'",
            "contains(github.ref, 'main') && 'a' || 'b'",
            "'a' || ",
            "'it''s' || 'b'",
            "'prodé' ||",
            // Not an identifier, and no panic on a character of several bytes.
            "inputs.région || 'x'",
        ] {
            assert_eq!(outcomes(expr), None, "{expr}");
        }
    }
}
