//! Groovy variables and the branch each value holds on, as a Jenkinsfile spells them:
//!
//! ```groovy
//! def namespace = 'sandbox'
//! if (env.BRANCH_NAME == 'master') { namespace = 'production' }
//! def ENV = env.BRANCH_NAME == 'main' ? 'prod' : 'dev'
//! def target(branch) { if (branch == 'master') { return 'live' } else { return 'test' } }
//! LABEL = target(env.BRANCH_NAME)
//! def envs = ['master': 'prod', 'develop': 'staging'];  NS = envs[env.BRANCH_NAME]
//! ```
//!
//! A value set under no test is a variable ([`Pipeline::variables`] or the job's); a value set
//! under a test of the branch (`env.BRANCH_NAME`, `BRANCH_NAME`, `GIT_BRANCH`, a local or a
//! helper's parameter holding one of them) or of a build parameter (`params.X == 'v'`) is a
//! [`ConditionalValue`] holding there: the innermost test of the branch decides (the `else` of
//! a chain of them holds where no earlier test did), a parameter test is a manual start with
//! that parameter. A fallback from a parameter the pipeline does not declare, or from the
//! environment (`params.NS ?: 'shop'`, `env.NS ?: 'shop'`), is its literal. Values are kept as written (`"${prefix}-dev"` stays so). Only literal values
//! are read; anything computed otherwise is left out, and the variable keeps no value.

use std::collections::{BTreeMap, BTreeSet};

use super::Lowerer;
use super::guard::{BRANCH_VARIABLES, Guard, interpolated, literal, split_top, strip_parens, test};
use crate::read::jenkins::ast::{Block, Expr, ExprKind, Stmt};
use crate::read::pipeline::{ConditionalValue, Trigger, TriggerKind};
use crate::read::support::is_identifier;
use crate::yaml::Span;

/// How deep a helper may call helpers while a value is evaluated.
const MAX_CALLS: usize = 2;

/// Per file, how many per-branch values `X = local` may copy, and how many recorded values the
/// copies may look through to find them: past either, a `jenkins-limit` diagnostic and no more
/// copies (`b = a` repeated would otherwise grow as the square of the file).
const MAX_COPIED: usize = 10_000;
const MAX_COPY_WORK: usize = 1_000_000;

/// One value a Groovy expression can take and the tests under which it does.
type Alternative = (Vec<Guard>, String);

/// What the walk knows about Groovy values so far.
#[derive(Default)]
pub(super) struct Values {
    /// Tests of the enclosing `if`s, outermost first.
    pub(super) guards: Vec<Guard>,
    /// Names that hold the branch being built (`def branch = env.BRANCH_NAME`).
    branch_names: BTreeSet<String>,
    /// Map literals by variable, their literal entries in order.
    maps: BTreeMap<String, Vec<(String, String)>>,
    /// Variables given a value under a test: their values under no test also hold where no
    /// test did.
    conditional: BTreeSet<String>,
    /// Literal values set under no test, by variable.
    plain: BTreeSet<(String, String)>,
    /// Per-branch values copied so far, and recorded values looked through to copy them
    /// ([`MAX_COPIED`], [`MAX_COPY_WORK`]).
    copied: (usize, usize),
    /// The build parameters the pipeline declares (`parameters { string(name: 'NS') }`, or
    /// scripted `properties([parameters([...])])`).
    pub(super) parameters: BTreeSet<String>,
}

impl<'a> Lowerer<'a> {
    /// The guard an `if (cond)` makes.
    pub(super) fn guard_of(&self, cond: &Expr) -> Guard {
        self.guard_of_text(&self.raw(cond.span))
    }

    /// The guard a test written as `text` makes (`env.BRANCH_NAME == 'main'`).
    pub(super) fn guard_of_text(&self, text: &str) -> Guard {
        test(text, &self.values.branch_names)
    }

    /// Records `target = value`: an `env.X` or a plain Groovy name.
    pub(super) fn assign(&mut self, target: &str, value: &Expr) {
        let (name, env) = match target.strip_prefix("env.") {
            Some(name) => (name, true),
            None => (target, false),
        };
        if !is_identifier(name) {
            return;
        }
        if let ExprKind::Map(entries) = &value.kind {
            let literal: Vec<(String, String)> = entries
                .iter()
                .filter_map(|e| match &e.value.kind {
                    ExprKind::Str(s) => Some((e.key.clone(), s.text.clone())),
                    _ => None,
                })
                .collect();
            self.values.maps.insert(name.to_owned(), literal);
            return;
        }
        let written = self.raw(value.span);
        // `def branch = "${env.BRANCH_NAME}"` holds the branch as `env.BRANCH_NAME` does.
        let source = match &value.kind {
            ExprKind::Path(p) => p.as_str(),
            _ => interpolated(&written),
        };
        if BRANCH_VARIABLES.contains(&source) || self.values.branch_names.contains(source) {
            self.values.branch_names.insert(name.to_owned());
            return;
        }
        // `env.NAMESPACE = namespace` of a local set per branch: the same values, where they
        // hold.
        if let ExprKind::Path(p) = &value.kind
            && p != name
            && self.values.guards.is_empty()
            && self.values.conditional.contains(p)
        {
            let work = self.values.copied.1 + self.pipeline.conditional_variables.len();
            if work > MAX_COPY_WORK || self.values.copied.0 >= MAX_COPIED {
                let what = || {
                    format!(
                        "past {MAX_COPIED} values set per branch copied from one variable to another (or {MAX_COPY_WORK} looked through), the rest is not copied"
                    )
                };
                return self.reached(what, value.span);
            }
            self.values.copied.1 = work;
            let copies: Vec<ConditionalValue> = self
                .pipeline
                .conditional_variables
                .iter()
                .filter(|c| c.name == *p)
                .map(|c| ConditionalValue {
                    name: name.to_owned(),
                    ..c.clone()
                })
                .collect();
            self.values.copied.0 += copies.len();
            self.values.conditional.insert(name.to_owned());
            self.pipeline.conditional_variables.extend(copies);
            return;
        }
        match self.alternatives(value, 0) {
            Some(alternatives) => self.record(name, alternatives, value.span),
            // An `env.X` keeps its value as written (a `credentials('id')` among them).
            None if env => {
                let text = self.env_value(value);
                self.add_variable(name, text);
            }
            None => {}
        }
    }

    /// Records each value of `name` under the enclosing tests and its own.
    fn record(&mut self, name: &str, alternatives: Vec<Alternative>, span: Span) {
        for (own, value) in alternatives {
            let guards: Vec<Guard> = self.values.guards.iter().cloned().chain(own).collect();
            match self.when(&guards, span) {
                None => {
                    self.values.plain.insert((name.to_owned(), value.clone()));
                    self.add_variable(name, value);
                }
                Some((when, otherwise)) => {
                    self.values.conditional.insert(name.to_owned());
                    self.pipeline.conditional_variables.push(ConditionalValue {
                        name: name.to_owned(),
                        value,
                        when,
                        otherwise,
                        loc: self.loc(span),
                    });
                }
            }
        }
    }

    /// The tests of a conditional value, and whether it is the `else` of a chain, from the
    /// guards it is set under; `None` under none.
    pub(super) fn when(&self, guards: &[Guard], span: Span) -> Option<(Vec<Trigger>, bool)> {
        if guards.is_empty() {
            return None;
        }
        let branch = |pattern: &str, negated| {
            let t = self.trigger(TriggerKind::Branch, Some(pattern.to_owned()), span);
            Trigger { negated, ..t }
        };
        // A branch that is named decides: the tests that it is not another are implied.
        if let Some(Guard::Branch { pattern, .. }) = guards
            .iter()
            .rev()
            .find(|g| matches!(g, Guard::Branch { negated: false, .. }))
        {
            return Some((vec![branch(pattern, false)], false));
        }
        let not: Vec<&String> = guards
            .iter()
            .filter_map(|g| match g {
                Guard::Branch { pattern, .. } => Some(pattern),
                _ => None,
            })
            .collect();
        match not.as_slice() {
            [one] => return Some((vec![branch(one, true)], false)),
            [_, _, ..] => return Some((Vec::new(), true)),
            [] => {}
        }
        let last = guards.last()?;
        let trigger = match last {
            Guard::Param { name, negated } => Trigger {
                negated: *negated,
                ..self.trigger(TriggerKind::Manual, Some(name.clone()), span)
            },
            Guard::Other { text, negated } => Trigger {
                negated: *negated,
                ..self.trigger(TriggerKind::Expression, Some(text.clone()), span)
            },
            Guard::Branch { .. } => return None,
        };
        Some((vec![trigger], false))
    }

    /// The values `expr` can take, each with the tests it holds under; `None` when it is not
    /// made of literals this reading follows.
    fn alternatives(&self, expr: &Expr, calls: usize) -> Option<Vec<Alternative>> {
        match &expr.kind {
            ExprKind::Str(s) => {
                // `"${env.BRANCH_NAME == 'main' ? 'prod' : 'dev'}"`: the expression's values.
                let whole = s
                    .text
                    .strip_prefix("${")
                    .and_then(|r| r.strip_suffix('}'))
                    .filter(|inner| !inner.contains('{'));
                match whole.and_then(|inner| self.ternary(inner).or_else(|| self.elvis(inner))) {
                    Some(found) => Some(found),
                    None => Some(vec![(Vec::new(), s.text.clone())]),
                }
            }
            ExprKind::Call(c) if c.receiver.is_none() && calls < MAX_CALLS => {
                let params = self.params.get(c.name.as_str())?;
                let body = self.functions.get(c.name.as_str())?;
                // Parameters given the branch hold it inside the helper.
                let mut names = self.values.branch_names.clone();
                for (i, param) in params.iter().enumerate() {
                    if let Some(ExprKind::Path(p)) = c.positional(i).map(|a| &a.kind)
                        && (BRANCH_VARIABLES.contains(&p.as_str()) || names.contains(p))
                    {
                        names.insert(param.clone());
                    }
                }
                let mut out = Vec::new();
                self.returns(&body.stmts, &names, &mut Vec::new(), calls + 1, &mut out);
                (!out.is_empty()).then_some(out)
            }
            ExprKind::Other(_) | ExprKind::Path(_) => {
                let text = self.raw(expr.span);
                self.ternary(&text)
                    .or_else(|| self.elvis(&text))
                    .or_else(|| self.map_lookup(&text))
            }
            _ => None,
        }
    }

    /// The values a helper returns (`return 'live'`), each under the tests around it.
    fn returns(
        &self,
        stmts: &[Stmt],
        names: &BTreeSet<String>,
        guards: &mut Vec<Guard>,
        calls: usize,
        out: &mut Vec<Alternative>,
    ) {
        for stmt in stmts {
            match stmt {
                Stmt::If {
                    cond,
                    then_block,
                    else_block,
                } => {
                    let guard = test(&self.raw(cond.span), names);
                    guards.push(guard.clone());
                    self.returns(&then_block.stmts, names, guards, calls, out);
                    guards.pop();
                    if let Some(b) = else_block {
                        guards.push(guard.negate());
                        self.returns(&b.stmts, names, guards, calls, out);
                        guards.pop();
                    }
                }
                Stmt::Other { parts, .. } if self.is_return(parts) => {
                    let Some(found) = parts.first().and_then(|e| self.alternatives(e, calls))
                    else {
                        continue;
                    };
                    for (own, value) in found {
                        // `return ''`: no value.
                        if !value.trim().is_empty() {
                            out.push((guards.iter().cloned().chain(own).collect(), value));
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Whether a statement kept as `Other` is `return value`.
    fn is_return(&self, parts: &[Expr]) -> bool {
        let Some(first) = parts.first() else {
            return false;
        };
        let before = self.src.get(..first.span.start).unwrap_or_default();
        before.trim_end().ends_with("return")
    }

    /// `test ? 'a' : 'b'` (the `else` value may be another such ternary) over literals.
    fn ternary(&self, text: &str) -> Option<Vec<Alternative>> {
        let (cond, rest) = split_top(text, '?')?;
        let (then, otherwise) = split_top(rest, ':')?;
        let guard = test(cond, &self.values.branch_names);
        let mut out = vec![(vec![guard.clone()], literal(then)?)];
        let tail = match literal(otherwise) {
            Some(v) => vec![(Vec::new(), v)],
            None => self.ternary(otherwise)?,
        };
        for (mut own, value) in tail {
            own.insert(0, guard.negate());
            out.push((own, value));
        }
        Some(out)
    }

    /// `params.NS ?: 'shop'` (also `env.NS ?: 'shop'`, `NS ?: 'shop'`): the literal, which is
    /// the value wherever nothing the pipeline shows sets the left side. A declared parameter
    /// does (its default, or what a manual start chose), so it keeps the value as written.
    fn elvis(&self, text: &str) -> Option<Vec<Alternative>> {
        let (left, right) = text.split_once("?:")?;
        let left = strip_parens(left.trim());
        let name = left
            .strip_prefix("params.")
            .or_else(|| left.strip_prefix("env."))
            .unwrap_or(left);
        if !is_identifier(name) {
            return None;
        }
        let declared = left.starts_with("params.") && self.values.parameters.contains(name);
        let value = literal(right)?;
        (!declared && !value.trim().is_empty()).then(|| vec![(Vec::new(), value)])
    }

    /// The literal of an `environment { }` value that is [`Self::elvis`]
    /// (`NS = params.NS ?: 'shop'`, `NS = "${params.NS ?: 'shop'}"`).
    pub(super) fn elvis_value(&self, expr: &Expr) -> Option<String> {
        let text = match &expr.kind {
            ExprKind::Str(s) => s
                .text
                .strip_prefix("${")
                .and_then(|r| r.strip_suffix('}'))
                .filter(|inner| !inner.contains('{'))?
                .to_owned(),
            ExprKind::Other(_) | ExprKind::Path(_) => self.raw(expr.span),
            _ => return None,
        };
        self.elvis(&text)?.pop().map(|(_, value)| value)
    }

    /// `envs[env.BRANCH_NAME]` of a map literal: each entry, on its branch.
    fn map_lookup(&self, text: &str) -> Option<Vec<Alternative>> {
        let (map, key) = text.trim().strip_suffix(']')?.split_once('[')?;
        let entries = self.values.maps.get(map.trim())?;
        let key = key.trim();
        if !(BRANCH_VARIABLES.contains(&key) || self.values.branch_names.contains(key)) {
            return None;
        }
        let out: Vec<Alternative> = entries
            .iter()
            .map(|(branch, value)| {
                let guard = Guard::Branch {
                    pattern: branch.clone(),
                    negated: false,
                };
                (vec![guard], value.clone())
            })
            .collect();
        (!out.is_empty()).then_some(out)
    }

    /// Values set under no test of a variable also set under one hold where no test did: each
    /// becomes the `else` of its chain, and the variable keeps no plain value.
    pub(super) fn finish_values(&mut self) {
        let Values {
            conditional, plain, ..
        } = &self.values;
        let mut defaults: Vec<(String, String)> = Vec::new();
        let mut take = |vars: &mut Vec<(String, String)>| {
            vars.retain(|(k, v)| {
                let keep = !conditional.contains(k);
                // Only a literal is a default, not code as written (`target(env.BRANCH_NAME)`).
                if !keep && plain.contains(&(k.clone(), v.clone())) {
                    defaults.push((k.clone(), v.clone()));
                }
                keep
            });
        };
        take(&mut self.pipeline.variables);
        for job in &mut self.pipeline.jobs {
            take(&mut job.variables);
        }
        for (name, value) in defaults {
            let loc = self
                .pipeline
                .conditional_variables
                .iter()
                .find(|c| c.name == name)
                .map(|c| c.loc.clone());
            let chain = |c: &ConditionalValue| c.name == name && c.value == value && c.otherwise;
            if let Some(loc) = loc
                && !self.pipeline.conditional_variables.iter().any(chain)
            {
                self.pipeline.conditional_variables.push(ConditionalValue {
                    name,
                    value,
                    when: Vec::new(),
                    otherwise: true,
                    loc,
                });
            }
        }
    }

    /// Records the values of an `environment { }` block's entries that hold under a test
    /// (`TIER = target(env.BRANCH_NAME)`); the block's plain values are read as written.
    pub(super) fn environment_values(&mut self, block: &Block) {
        for stmt in &block.stmts {
            if let Stmt::Assign { target, value } = stmt
                && let Some(found) = self.alternatives(value, 0)
                && found.iter().any(|(guards, _)| !guards.is_empty())
            {
                self.record(target, found, value.span);
            }
        }
    }

    /// Walks the statements outside a declarative `pipeline { }` for the values they set.
    pub(super) fn top_level_values(&mut self, stmts: &'a [Stmt]) {
        for stmt in stmts {
            match stmt {
                Stmt::Assign { target, value } => self.assign(target, value),
                Stmt::If {
                    cond,
                    then_block,
                    else_block,
                } => self.guarded(
                    cond,
                    then_block,
                    else_block.as_ref(),
                    Self::top_level_values,
                ),
                _ => {}
            }
        }
    }

    /// Walks `then_block` under `cond` and `else_block` under its negation with `walk`.
    pub(super) fn guarded(
        &mut self,
        cond: &Expr,
        then_block: &'a Block,
        else_block: Option<&'a Block>,
        walk: fn(&mut Self, &'a [Stmt]),
    ) {
        let guard = self.guard_of(cond);
        self.values.guards.push(guard.clone());
        walk(self, &then_block.stmts);
        self.values.guards.pop();
        if let Some(b) = else_block {
            self.values.guards.push(guard.negate());
            walk(self, &b.stmts);
            self.values.guards.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::jenkins::JenkinsReader;
    use crate::read::support::test_support;

    /// (name, value, branch pattern and negation of each test, otherwise) of each conditional
    /// value of the Jenkinsfile `src`, and its plain variables.
    type Read = (
        Vec<(String, String, Vec<(String, bool)>, bool)>,
        Vec<(String, String)>,
    );

    fn read(src: &str) -> Read {
        let p = test_support::pipeline(&JenkinsReader, "Jenkinsfile", src);
        let conditional = p
            .conditional_variables
            .iter()
            .map(|c| {
                let when = c
                    .when
                    .iter()
                    .map(|t| (t.pattern.clone().unwrap_or_default(), t.negated))
                    .collect();
                (c.name.clone(), c.value.clone(), when, c.otherwise)
            })
            .collect();
        (conditional, p.variables)
    }

    fn value(
        name: &str,
        value: &str,
        when: &[(&str, bool)],
        otherwise: bool,
    ) -> (String, String, Vec<(String, bool)>, bool) {
        let when = when.iter().map(|(p, n)| ((*p).to_owned(), *n)).collect();
        (name.to_owned(), value.to_owned(), when, otherwise)
    }

    #[test]
    fn values_set_per_branch_become_conditional() {
        let (c, vars) = read(
            "def ns = 'sandbox'\nif (env.BRANCH_NAME == 'main') { ns = 'live' } else if (env.BRANCH_NAME == 'dev') { ns = 'qa' } else { ns = 'other' }\ndef app = 'shop'\npipeline { agent any }\n",
        );
        assert_eq!(
            c,
            vec![
                value("ns", "live", &[("main", false)], false),
                value("ns", "qa", &[("dev", false)], false),
                value("ns", "other", &[], true),
                value("ns", "sandbox", &[], true),
            ]
        );
        assert_eq!(vars, vec![("app".to_owned(), "shop".to_owned())]);
    }

    #[test]
    fn ternaries_helpers_and_maps() {
        let src = "def envs = ['master': 'prod', 'develop': 'stage']\n\
            def pick(b) { if (b == 'master') { return 'live' } else { return '' } }\n\
            pipeline {\n  agent any\n  environment {\n\
            A = \"${env.BRANCH_NAME == 'main' ? 'eu' : 'us'}\"\n\
            B = pick(env.BRANCH_NAME)\n\
            C = params.TARGET == 'x' ? 'one' : 'two'\n  }\n\
            stages { stage('s') { steps { script { env.D = envs[env.BRANCH_NAME] } } } }\n}\n";
        let (c, _) = read(src);
        assert_eq!(
            c,
            vec![
                value("A", "eu", &[("main", false)], false),
                value("A", "us", &[("main", true)], false),
                // `return ''` is no value.
                value("B", "live", &[("master", false)], false),
                value("C", "one", &[("TARGET", false)], false),
                value("C", "two", &[("TARGET", true)], false),
                value("D", "prod", &[("master", false)], false),
                value("D", "stage", &[("develop", false)], false),
            ]
        );
    }

    #[test]
    fn a_local_interpolating_the_branch_holds_it() {
        let src = "pipeline {\n  agent any\n  stages { stage('s') { steps { script {\n\
            def branch = \"${env.BRANCH_NAME}\"\n\
            switch (branch) {\n\
            case 'develop':\n  NS = 'shop-dev'\n  break\n\
            case 'calidad':\n  NS = 'shop-cal'\n  break\n\
            }\n} } } }\n}\n";
        let (c, _) = read(src);
        assert_eq!(
            c,
            vec![
                value("NS", "shop-dev", &[("develop", false)], false),
                value("NS", "shop-cal", &[("calidad", false)], false),
            ]
        );
    }

    #[test]
    fn fallbacks_of_undeclared_parameters_are_their_literal() {
        let src = "pipeline {\n  agent any\n\
            parameters { string(name: 'CHOSEN', defaultValue: 'a') }\n\
            environment {\n\
            A = \"${params.A ?: 'orders'}\"\n\
            B = env.B ?: 'shop'\n\
            C = \"${params.CHOSEN ?: 'unused'}\"\n\
            D = params.D ?: \"x-${env.E}\"\n  }\n\
            stages { stage('s') { steps { sh 'true' } } }\n}\n";
        let (c, plain) = read(src);
        assert!(c.is_empty());
        let get = |k: &str| plain.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("A"), Some("orders"));
        assert_eq!(get("B"), Some("shop"));
        // A declared parameter is chosen at a manual start; an interpolated fallback is no
        // literal: both stay as written.
        assert_eq!(get("C"), Some("${params.CHOSEN ?: 'unused'}"));
        assert_eq!(get("D"), Some("params.D ?: \"x-${env.E}\""));
        // A scripted pipeline declares its parameters in `properties`.
        let src = "properties([parameters([string(name: 'NS', defaultValue: 'a')])])\n\
            def ns = params.NS ?: 'shop'\ndef other = params.OTHER ?: 'web'\nnode { sh 'true' }\n";
        let (_, plain) = read(src);
        assert_eq!(plain, [("other".to_owned(), "web".to_owned())]);
    }

    fn branch(pattern: &str, negated: bool) -> Guard {
        Guard::Branch {
            pattern: pattern.to_owned(),
            negated,
        }
    }

    #[test]
    fn tests_of_the_branch_and_of_parameters() {
        let none = BTreeSet::new();
        assert_eq!(
            test("env.BRANCH_NAME == 'master'", &none),
            branch("master", false)
        );
        assert_eq!(test("('dev' != BRANCH_NAME)", &none), branch("dev", true));
        assert_eq!(
            test("env.GIT_BRANCH == 'origin/main'", &none),
            branch("main", false)
        );
        assert_eq!(
            test("scm.branches[0].name == '*/release'", &none),
            branch("release", false)
        );
        assert_eq!(
            test("BRANCH_NAME.startsWith('release/')", &none),
            branch("release/*", false)
        );
        let local: BTreeSet<String> = ["branch".to_owned()].into();
        assert_eq!(
            test("branch.equals(\"prod\")", &local),
            branch("prod", false)
        );
        assert_eq!(
            test("params.ENV == 'prod'", &none),
            Guard::Param {
                name: "ENV".into(),
                negated: false
            }
        );
        assert!(matches!(test("branch == 'x'", &none), Guard::Other { .. }));
        assert!(matches!(test("a == b", &none), Guard::Other { .. }));
    }

    #[test]
    fn top_level_splits() {
        assert_eq!(
            split_top("a ? 'x:y' : 'z'", '?'),
            Some(("a ", " 'x:y' : 'z'"))
        );
        assert_eq!(split_top("a?.b ?: c", '?'), None);
        assert_eq!(split_top("f(a ? b : c)", '?'), None);
        assert_eq!(strip_parens("(a) && (b)"), "(a) && (b)");
        assert_eq!(strip_parens("((a == b))"), "a == b");
        assert_eq!(literal("'prod'").as_deref(), Some("prod"));
        assert_eq!(literal("\"${x}\""), None);
    }
}
