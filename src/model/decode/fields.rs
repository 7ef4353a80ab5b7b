//! Readers shared by every section: mappings with known keys, strings, lists, booleans, enum
//! spellings, and the checks several sections apply (DNS labels, image repositories, paths).
//! Each reports what is wrong and returns `None`, so a section goes on to find further problems.

use std::collections::BTreeMap;

use crate::model::decode::Decoder;
use crate::model::decode::checks::{
    check_dns_label, check_one_line, check_relative_path, find_expression, normalize_path,
};
use crate::model::decode::reference::{check_reference, check_registry, check_repository};
use crate::model::problem::did_you_mean;
use crate::model::types::Spanned;
use crate::yaml::{Mapping, Node, Span, Value};

impl Decoder<'_> {
    pub(super) fn problem(&mut self, span: Span, message: String, label: &str) {
        self.problems.push(span, message, label, None);
    }

    pub(super) fn problem_help(&mut self, span: Span, message: String, label: &str, help: String) {
        self.problems.push(span, message, label, Some(help));
    }

    pub(super) fn map<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n Mapping> {
        match &node.value {
            Value::Map(m) => Some(m),
            _ => {
                self.problem(
                    node.span,
                    format!("{what} must be a mapping, found {}", node.kind_name()),
                    "expected a mapping here",
                );
                None
            }
        }
    }

    /// Reports keys that are not in `allowed`, with a suggestion when one is close.
    pub(super) fn known_keys(&mut self, map: &Mapping, allowed: &[&str], context: &str) {
        for (key, _) in map.entries() {
            let Some(name) = key.scalar_text() else {
                self.problem(
                    key.span,
                    format!("{context} keys must be strings"),
                    "not a string",
                );
                continue;
            };
            if allowed.contains(&name.as_str()) {
                continue;
            }
            let message = format!("unknown key `{name}` in {context}");
            let help = match did_you_mean(&name, allowed) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("expected one of {}", quote_list(allowed)),
            };
            self.problem_help(key.span, message, "unknown key", help);
        }
    }

    /// A string value. The one rule every model value follows is checked here: no CI expression
    /// syntax (`${{`, `$[[`), whatever the field.
    pub(super) fn string(&mut self, node: &Node, what: &str) -> Option<Spanned<String>> {
        match &node.value {
            Value::String(s) => {
                if let Some((opener, who)) = find_expression(s) {
                    self.problem_help(
                        node.span,
                        format!("{what} `{s}` holds `{opener}`: {who}"),
                        "expression syntax",
                        "gitops-gen never writes an expression from the model; write the value \
                         itself (pipelines read run-time values such as the commit from the CI's \
                         environment)"
                            .to_owned(),
                    );
                    return None;
                }
                Some(Spanned {
                    value: s.clone(),
                    span: node.span,
                })
            }
            _ => {
                let help = match node.scalar_text() {
                    Some(text) if !node.is_null() => format!("quote it: \"{text}\""),
                    _ => format!("write {what} as a string"),
                };
                self.problem_help(
                    node.span,
                    format!("{what} must be a string, found {}", node.kind_name()),
                    "expected a string",
                    help,
                );
                None
            }
        }
    }

    pub(super) fn opt_string(
        &mut self,
        map: &Mapping,
        key: &str,
        what: &str,
    ) -> Option<Spanned<String>> {
        map.get(key).and_then(|n| self.string(n, what))
    }

    pub(super) fn required_string(
        &mut self,
        map: &Mapping,
        map_span: Span,
        key: &str,
        what: &str,
    ) -> Option<Spanned<String>> {
        match map.get(key) {
            Some(n) => self.string(n, what),
            None => {
                let label = format!("needs `{key}`");
                self.problem(map_span, format!("missing `{key}` ({what})"), &label);
                None
            }
        }
    }

    /// A string or a list of strings, as `branches: main` or `branches: [main, develop]`.
    pub(super) fn string_list(&mut self, node: &Node, what: &str) -> Vec<Spanned<String>> {
        match &node.value {
            Value::Seq(items) => items.iter().filter_map(|n| self.string(n, what)).collect(),
            Value::Null => Vec::new(),
            _ => self.string(node, what).into_iter().collect(),
        }
    }

    pub(super) fn bool(&mut self, node: &Node, what: &str) -> Option<bool> {
        match &node.value {
            Value::Bool(b) => Some(*b),
            _ => {
                self.problem(
                    node.span,
                    format!(
                        "{what} must be `true` or `false`, found {}",
                        node.kind_name()
                    ),
                    "expected a boolean",
                );
                None
            }
        }
    }

    /// The items of the list `key` of the top-level mapping, which must be there and should
    /// not be empty; `missing` and `empty` are the label and help of those two problems.
    pub(super) fn required_list<'n>(
        &mut self,
        top: &'n Mapping,
        top_span: Span,
        key: &str,
        missing: (&str, &str),
        empty: (&str, Option<&str>),
    ) -> &'n [Node] {
        let Some(node) = top.get(key) else {
            let (label, help) = missing;
            self.problem_help(top_span, format!("missing `{key}`"), label, help.to_owned());
            return &[];
        };
        let Some(items) = node.as_seq() else {
            self.problem(
                node.span,
                format!("`{key}` must be a list, found {}", node.kind_name()),
                "expected a list",
            );
            return &[];
        };
        if items.is_empty() {
            let (label, help) = empty;
            let message = format!("`{key}` is empty");
            self.problems
                .push(node.span, message, label, help.map(str::to_owned));
        }
        items
    }

    /// Reports every name after its first use, pointing back at that first one.
    pub(super) fn unique_names<'a>(
        &mut self,
        names: impl Iterator<Item = &'a Spanned<String>>,
        what: &str,
    ) {
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        for name in names {
            if let Some(first) = seen.insert(&name.value, name.span) {
                self.problems.push_related(
                    name.span,
                    format!("{what} `{}` is defined twice", name.value),
                    "second definition",
                    Some("merge the two or rename one".to_owned()),
                    (first, "first definition"),
                );
            }
        }
    }

    /// One of `variants`, written as `spell` spells it.
    pub(super) fn enum_value<T: Copy>(
        &mut self,
        node: &Node,
        what: &str,
        variants: &[T],
        spell: fn(T) -> &'static str,
    ) -> Option<T> {
        let s = self.string(node, what)?;
        if let Some(v) = variants.iter().find(|v| spell(**v) == s.value) {
            return Some(*v);
        }
        let names: Vec<&str> = variants.iter().map(|v| spell(*v)).collect();
        let help = match did_you_mean(&s.value, &names) {
            Some(m) => format!("did you mean `{m}`?"),
            None => format!("expected one of {}", quote_list(&names)),
        };
        self.problem_help(
            s.span,
            format!("{what} `{}` is not supported", s.value),
            "unsupported value",
            help,
        );
        None
    }

    pub(super) fn dns_label(&mut self, name: &Spanned<String>, what: &str) {
        if let Err(why) = check_dns_label(&name.value) {
            self.problem_help(
                name.span,
                format!(
                    "{what} `{}` is not a valid DNS-1123 label: {why}",
                    name.value
                ),
                "not a DNS-1123 label",
                "use lowercase letters, digits and `-`, start and end with a letter or digit, \
                 at most 63 characters"
                    .to_owned(),
            );
        }
    }

    /// An image repository with a registry host and no tag (`ghcr.io/acme/web`).
    pub(super) fn image_repository(&mut self, value: &Spanned<String>, what: &str) {
        let checked = check_repository(&value.value);
        self.repository_problem(value, what, checked);
    }

    /// A registry prefix: a host, optionally with a path (`ghcr.io`, `ghcr.io/acme`).
    pub(super) fn registry(&mut self, value: &Spanned<String>) {
        let checked = check_registry(&value.value);
        self.repository_problem(value, "registry", checked);
    }

    fn repository_problem(
        &mut self,
        value: &Spanned<String>,
        what: &str,
        checked: Result<(), String>,
    ) {
        if let Err(why) = checked {
            self.problem_help(
                value.span,
                format!(
                    "{what} `{}` is not a valid image repository: {why}",
                    value.value
                ),
                "not an image repository",
                "write it as `host/path`, lowercase, without a tag, e.g. `ghcr.io/acme/web`"
                    .to_owned(),
            );
        }
    }

    /// An image reference, tag and digest allowed (`docker.io/library/ubuntu:24.04`).
    pub(super) fn image_reference(&mut self, value: &Spanned<String>, what: &str) {
        if let Err(why) = check_reference(&value.value) {
            self.problem_help(
                value.span,
                format!(
                    "{what} `{}` is not a valid image reference: {why}",
                    value.value
                ),
                "not an image reference",
                "write it as `[host/]path[:tag][@digest]`, e.g. `docker.io/library/node:22`"
                    .to_owned(),
            );
        }
    }

    /// One command line (no line break or control character).
    pub(super) fn one_line(&mut self, value: &Spanned<String>, what: &str) {
        if let Err(why) = check_one_line(&value.value) {
            self.problem_help(
                value.span,
                format!("{what} {why}"),
                "not one line",
                "write one command line: join commands with `&&`, or run a script".to_owned(),
            );
        }
    }

    /// A path relative to the repository, normalised (`./a//b/` is `a/b`). A rejected one is
    /// reported as ``<name> `<path>` <why>`` with `label` under it.
    pub(super) fn relative_path(
        &mut self,
        value: &Spanned<String>,
        name: &str,
        label: &str,
    ) -> String {
        if let Err(why) = check_relative_path(&value.value) {
            self.problem(value.span, format!("{name} `{}` {why}", value.value), label);
        }
        normalize_path(&value.value)
    }
}

/// `` `a`, `b`, `c` ``: the spellings a message lists.
pub(super) fn quote_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
