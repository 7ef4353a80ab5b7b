//! Templates and template expressions: local `template:` files read and expanded in place,
//! `${{ if }}`/`${{ each }}` blocks opened, and `${{ parameters.x }}` substituted. An `each`
//! over a list parameter whose body reads the loop variable (`${{ env.name }}`) repeats the
//! body per item with the item's values put in; one whose body is the item (`- ${{ step }}`)
//! inserts the items. The root's list parameters count with their defaults.

use std::rc::Rc;

use super::{Lower, MAX_TEMPLATE_DEPTH, Param, Scope};
use crate::files::Code;
use crate::files::safe_read::Unreadable;
use crate::read::pipeline::Unresolved;
use crate::read::support::{SourceText, key_text, parse_file, scalar};
use crate::yaml::{Mapping, Node, Value};

impl Lower<'_> {
    /// Flattens a list of stages/jobs/steps: `${{ if }}`/`${{ each }}` blocks are opened (their
    /// condition cannot be evaluated offline, so their items are all kept) and list parameters
    /// are replaced by their items, in the scope they were written in.
    pub(super) fn expand(&mut self, node: &Node, scope: &Scope, what: &str) -> Vec<(Node, Scope)> {
        let mut out = Vec::new();
        let mut work = vec![(node.clone(), scope.clone(), true)];
        let mut budget = 10_000usize;
        while let Some((node, sc, top)) = work.pop() {
            budget = budget.saturating_sub(1);
            if budget == 0 {
                // Not silently: the items past here are not read.
                let d = sc.st.diag(
                    Code::AzureTemplateDepth,
                    format!(
                        "the {what} open into more than 10000 items (templates, `${{{{ if }}}}` \
                         and `${{{{ each }}}}` blocks); the rest are not read"
                    ),
                    &node,
                );
                self.diagnostics.push(d);
                break;
            }
            if let Some(p) = whole_param(&node).and_then(|n| sc.param(n)) {
                if p.node.as_seq().is_some() {
                    let inner = Scope {
                        st: p.st.clone(),
                        params: Rc::new(Vec::new()),
                        depth: sc.depth,
                    };
                    work.push((p.node.clone(), inner, true));
                }
                continue;
            }
            match &node.value {
                Value::Seq(items) if top => {
                    for item in items.iter().rev() {
                        work.push((item.clone(), sc.clone(), false));
                    }
                }
                Value::Map(m) if !m.is_empty() && m.iter().all(|(k, _)| is_expression(k)) => {
                    for (k, v) in m.entries().iter().rev() {
                        let each = each_param(k).and_then(|n| sc.param(n));
                        // `${{ each env in parameters.envs }}:` over a body that reads
                        // `${{ env.name }}`: the body once per item, the item put in.
                        let bodies = each.zip(each_var(k)).and_then(|(p, var)| {
                            self.loop_bodies(&sc, k, v, var, p.node.as_seq()?)
                        });
                        if let Some(bodies) = bodies {
                            for body in bodies.into_iter().rev() {
                                work.push((body, sc.clone(), true));
                            }
                            continue;
                        }
                        match each {
                            Some(p) => work.push((
                                p.node.clone(),
                                Scope {
                                    st: p.st.clone(),
                                    params: Rc::new(Vec::new()),
                                    depth: sc.depth,
                                },
                                true,
                            )),
                            None => work.push((v.clone(), sc.clone(), true)),
                        }
                    }
                }
                Value::Null => {}
                _ if top => self.shape(&sc.st, &node, what, "a sequence"),
                _ => out.push((node, sc)),
            }
        }
        out
    }

    /// Reads a local template, substituting its parameters. Remote and missing templates are
    /// recorded as unresolved.
    pub(super) fn load_template(
        &mut self,
        reference: &Node,
        args: Option<&Node>,
        scope: &Scope,
    ) -> Option<(Node, Scope)> {
        let text = scalar(reference)?;
        let (path, repo) = match text.rsplit_once('@') {
            Some((p, r)) => (p, Some(r)),
            None => (text.as_str(), None),
        };
        if repo.is_some_and(|r| r != "self") {
            self.pipeline.unresolved.push(Unresolved {
                kind: "template".to_owned(),
                reference: text.clone(),
                loc: scope.st.loc(reference),
            });
            return None;
        }
        if scope.depth >= MAX_TEMPLATE_DEPTH {
            let d = scope.st.diag(
                Code::AzureTemplateDepth,
                format!("template `{text}` nests more than {MAX_TEMPLATE_DEPTH} levels deep"),
                reference,
            );
            self.diagnostics.push(d);
            return None;
        }
        let file = resolve(&scope.st.file, path);
        let src = match self.repo.text(&file) {
            Ok(src) => src,
            Err(why) if why != Unreadable::Missing => {
                let message = format!("template `{text}` (`{file}`) {why}");
                let d = scope.st.diag(why.code(), message, reference);
                self.diagnostics.push(d);
                return None;
            }
            Err(_) => {
                self.pipeline.unresolved.push(Unresolved {
                    kind: "missing template".to_owned(),
                    reference: text.clone(),
                    loc: scope.st.loc(reference),
                });
                let d = scope.st.diag(
                    Code::AzureTemplateMissing,
                    format!("template `{text}` (`{file}`) does not exist"),
                    reference,
                );
                self.diagnostics.push(d);
                return None;
            }
        };
        let mut doc = parse_file(&file, &src, self.diagnostics)?;
        let st = SourceText {
            file: file.into(),
            src,
        };
        let mut params: Vec<(String, Param)> = Vec::new();
        // Caller arguments first: they override the template's defaults.
        for (k, v) in args
            .and_then(Node::as_map)
            .map(Mapping::entries)
            .unwrap_or_default()
        {
            // A parameter passed straight through keeps its value and where it was written.
            if let Some(p) = whole_param(v).and_then(|n| scope.param(n)) {
                params.push((key_text(k), p.clone()));
                continue;
            }
            let mut node = v.clone();
            substitute_tree(&mut node, &scope.params);
            params.push((
                key_text(k),
                Param {
                    node,
                    st: scope.st.clone(),
                },
            ));
        }
        for (name, default) in declared_defaults(&doc) {
            if !params.iter().any(|(n, _)| *n == name) {
                params.push((
                    name,
                    Param {
                        node: default,
                        st: st.clone(),
                    },
                ));
            }
        }
        if let Value::Map(m) = &mut doc.value {
            // The declarations themselves must not be rewritten.
            let entries = std::mem::take(m).into_entries();
            let mut kept = Mapping::new();
            for (k, mut v) in entries {
                if key_text(&k) != "parameters" {
                    substitute_tree(&mut v, &params);
                }
                kept.push(k, v);
            }
            *m = kept;
        }
        Some((
            doc,
            Scope {
                st,
                params: Rc::new(params),
                depth: scope.depth + 1,
            },
        ))
    }
}

/// A template path relative to the referencing file, or to the repository root when it starts
/// with `/`; `.` and `..` segments are folded.
pub(super) fn resolve(from: &str, path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    if !path.starts_with('/') {
        parts.extend(from.split('/'));
        parts.pop();
    }
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// Declared parameter defaults: `parameters: [{ name, default }]` or `parameters: { x: value }`.
pub(super) fn declared_defaults(doc: &Node) -> Vec<(String, Node)> {
    let Some(decl) = doc.as_map().and_then(|m| m.get("parameters")) else {
        return Vec::new();
    };
    match &decl.value {
        Value::Seq(items) => items
            .iter()
            .filter_map(|i| {
                let m = i.as_map()?;
                Some((scalar(m.get("name")?)?, m.get("default")?.clone()))
            })
            .collect(),
        Value::Map(m) => m.iter().map(|(k, v)| (key_text(k), v.clone())).collect(),
        _ => Vec::new(),
    }
}

/// Whether a key is a template expression such as `${{ if ... }}` or `${{ each ... }}`.
pub(super) fn is_expression(key: &Node) -> bool {
    key.as_str()
        .is_some_and(|s| s.trim_start().starts_with("${{"))
}

/// The expression of a string that is exactly one `${{ ... }}`, trimmed.
pub(super) fn expression_inner(node: &Node) -> Option<&str> {
    let inner = node
        .as_str()?
        .trim()
        .strip_prefix("${{")?
        .strip_suffix("}}")?;
    Some(inner.trim())
}

/// The parameter name of a string that is exactly `${{ parameters.name }}`.
pub(super) fn whole_param(node: &Node) -> Option<&str> {
    param_name(expression_inner(node)?)
}

/// `${{ each x in parameters.name }}` → `name`.
pub(super) fn each_param(key: &Node) -> Option<&str> {
    let inner = expression_inner(key)?.strip_prefix("each ")?;
    let (_, list) = inner.split_once(" in ")?;
    param_name(list.trim())
}

/// `${{ each x in parameters.name }}` → `x`.
fn each_var(key: &Node) -> Option<&str> {
    let inner = expression_inner(key)?.strip_prefix("each ")?;
    let (var, _) = inner.split_once(" in ")?;
    let var = var.trim();
    (!var.is_empty() && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')).then_some(var)
}

/// How many nodes `${{ each }}` bodies may be repeated into, in one pipeline file: beyond it a
/// loop's body is read once, as written, and a diagnostic says so.
const MAX_REPEATED: usize = 100_000;

/// How many nodes `node` holds, counting no further than `limit`.
fn node_count(node: &Node, limit: usize) -> usize {
    let mut count = 1;
    let mut work: Vec<&Node> = vec![node];
    while let Some(n) = work.pop() {
        if count > limit {
            break;
        }
        match &n.value {
            Value::Seq(items) => {
                count += items.len();
                work.extend(items.iter());
            }
            Value::Map(m) => {
                count += 2 * m.len();
                work.extend(m.iter().map(|(_, v)| v));
            }
            _ => {}
        }
    }
    count
}

impl Lower<'_> {
    /// The body of an `each` over `items` once per item, with `${{ var }}` and `${{ var.key }}`
    /// inside its strings replaced by the item's values; `None` when the body is the item
    /// itself (`- ${{ var }}`, a list parameter of steps or jobs passed through), which the
    /// caller inserts as it is. When the repetition would pass [`MAX_REPEATED`], the body once,
    /// as written, with a diagnostic at the loop.
    fn loop_bodies(
        &mut self,
        sc: &Scope,
        key: &Node,
        body: &Node,
        var: &str,
        items: &[Node],
    ) -> Option<Vec<Node>> {
        let whole = format!("${{{{ {var} }}}}");
        let passes_items = body.as_seq().is_some_and(|seq| {
            seq.iter()
                .any(|n| n.as_str().map(str::trim) == Some(&*whole))
        });
        if passes_items {
            return None;
        }
        let left = MAX_REPEATED.saturating_sub(self.repeated);
        let cost = node_count(body, left).saturating_mul(items.len());
        if cost > left {
            let d = sc.st.diag(
                Code::AzureTemplateDepth,
                format!(
                    "`{}` would repeat its body {} times, more than the reader expands in one \
                     file; the body is read once, as written",
                    key.as_str().unwrap_or_default().trim(),
                    items.len()
                ),
                key,
            );
            self.diagnostics.push(d);
            return Some(vec![body.clone()]);
        }
        self.repeated += cost;
        Some(
            items
                .iter()
                .map(|item| {
                    let mut copy = body.clone();
                    put_item(&mut copy, var, item);
                    copy
                })
                .collect(),
        )
    }
}

/// Replaces `${{ var }}` / `${{ var.key }}` in `node`'s strings (keys included) with `item`'s
/// scalar values; other expressions stay as written.
fn put_item(node: &mut Node, var: &str, item: &Node) {
    replace_in_tree(node, &|inner: &str| {
        if inner == var {
            return item.scalar_text();
        }
        let key = inner.strip_prefix(var)?.strip_prefix('.')?;
        item.as_map()?.get(key)?.scalar_text()
    });
}

pub(super) fn param_name(expr: &str) -> Option<&str> {
    let name = expr.strip_prefix("parameters.")?;
    name.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        .then_some(name)
}

/// Replaces `${{ parameters.x }}` inside strings (values and keys) with scalar parameter values.
/// List and mapping parameters are left for [`Lower::expand`].
pub(super) fn substitute_tree(node: &mut Node, params: &[(String, Param)]) {
    if params.is_empty() {
        return;
    }
    replace_in_tree(node, &|inner: &str| param_value(inner, params));
}

/// Replaces every `${{ ... }}` in `node`'s strings (keys included) whose inner text
/// `value_of` gives a value for; the others stay as written.
fn replace_in_tree(node: &mut Node, value_of: &dyn Fn(&str) -> Option<String>) {
    // Recursion is bounded by the YAML loader's nesting limit.
    match &mut node.value {
        Value::String(s) => {
            if let Some(new) = replace_expressions(s, value_of) {
                *s = new;
            }
        }
        Value::Seq(items) => {
            for item in items {
                replace_in_tree(item, value_of);
            }
        }
        Value::Map(m) => {
            let entries = std::mem::take(m).into_entries();
            *m = entries
                .into_iter()
                .map(|(mut k, mut v)| {
                    if let Value::String(s) = &mut k.value
                        && let Some(new) = replace_expressions(s, value_of)
                    {
                        *s = new;
                    }
                    replace_in_tree(&mut v, value_of);
                    (k, v)
                })
                .collect();
        }
        _ => {}
    }
}

/// A scalar parameter's value for `parameters.x`.
fn param_value(inner: &str, params: &[(String, Param)]) -> Option<String> {
    let name = param_name(inner)?;
    params.iter().find(|(n, _)| n == name)?.1.node.scalar_text()
}

/// `s` with each `${{ ... }}` whose trimmed inner text `value_of` gives a value for replaced
/// by it; `None` when nothing was replaced.
fn replace_expressions(s: &str, value_of: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    if !s.contains("${{") {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut changed = false;
    while let Some(open) = rest.find("${{") {
        let Some(close) = rest[open + 3..].find("}}") else {
            break;
        };
        let end = open + 3 + close + 2;
        out.push_str(&rest[..open]);
        match value_of(rest[open + 3..open + 3 + close].trim()) {
            Some(v) => {
                out.push_str(&v);
                changed = true;
            }
            None => out.push_str(&rest[open..end]),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    changed.then_some(out)
}
