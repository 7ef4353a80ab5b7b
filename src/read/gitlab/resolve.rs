//! READ stage: GitLab `extends:` and `!reference` resolution over a merged configuration, in
//! GitLab's order: includes are merged first, then `extends:`, then `!reference` tags.

use std::collections::HashMap;

use super::context::Ctx;
use super::value::{At, Kind, Val, merge, merge_into};
use crate::files::Code;
use crate::files::work::{self, Work};

/// GitLab allows eleven levels of `extends:`; deeper chains are reported, not followed.
const MAX_EXTENDS_DEPTH: usize = 11;
/// Nested `!reference` levels followed before giving up.
const MAX_REFERENCE_DEPTH: usize = 16;
/// Values `!reference` may copy in one configuration, so that references doubling at each level
/// cannot grow the tree exponentially.
const MAX_REFERENCE_COPIES: usize = 200_000;
/// Bytes of text (keys and scalars) `!reference` may copy in one configuration, so that a few
/// references to long values cannot multiply them either. 16 MiB: real configurations copy a
/// generated shell library of a few hundred KB into every job that calls it (tine's 270 KB
/// `.lib` into about 60 jobs is 15 MiB), which GitLab accepts; a YAML alias, which no
/// configuration uses that way, stays at 4 MiB.
pub(super) const MAX_REFERENCE_BYTES: usize = 16 * 1024 * 1024;
/// Nesting of values while resolving (YAML nesting plus spliced references).
const MAX_VALUE_DEPTH: usize = 600;

/// Resolves `extends:` and `!reference` against one merged configuration (root file plus its
/// includes, or one child pipeline).
pub(super) struct Resolver<'c> {
    /// The configuration's top-level entries by key (the first of a repeated key, as
    /// [`Val::get`] finds): jobs and templates are looked up once per job, often thousands.
    top: HashMap<&'c str, &'c Val>,
    extended: HashMap<String, Val>,
    /// Per entry, the templates it extends that no file read defines ([`Self::unread`]).
    unread: HashMap<String, Vec<String>>,
    copies: usize,
    copied_bytes: usize,
    /// Once a copy limit is crossed: the first reference refused (with the limit's
    /// description) and how many more were refused after it. Reported once, by [`Self::finish`].
    refused: Option<Refused>,
}

/// The references a copy limit refused, reported as one diagnostic.
struct Refused {
    limit: String,
    first: String,
    at: At,
    more: usize,
}

impl<'c> Resolver<'c> {
    pub(super) fn new(config: &'c Val) -> Self {
        let mut top = HashMap::new();
        for entry in config.entries() {
            top.entry(entry.key.as_str()).or_insert(&entry.value);
        }
        Resolver {
            top,
            extended: HashMap::new(),
            unread: HashMap::new(),
            copies: 0,
            copied_bytes: 0,
            refused: None,
        }
    }

    /// The top-level entry `name` with its `extends:` applied: parents merged in list order,
    /// the entry's own keys last. On a cycle, an unknown parent or too deep a chain the entry
    /// is kept as written and the problem reported.
    pub(super) fn extended(&mut self, ctx: &mut Ctx<'_>, name: &str) -> Option<Val> {
        self.extend(ctx, name, &mut Vec::new())
    }

    fn extend(&mut self, ctx: &mut Ctx<'_>, name: &str, stack: &mut Vec<String>) -> Option<Val> {
        if let Some(done) = self.extended.get(name) {
            return Some(done.clone());
        }
        let raw = self.top_level(name)?;
        let Some(extends) = raw.get("extends").filter(|_| raw.is_map()) else {
            return Some(raw.clone());
        };
        if stack.len() >= MAX_EXTENDS_DEPTH {
            let message = format!(
                "`extends:` of `{name}` nests deeper than {MAX_EXTENDS_DEPTH} levels; \
                 kept as written"
            );
            ctx.diag(Code::GitlabExtendsDepth, message, extends.at);
            return Some(raw.clone());
        }
        stack.push(name.to_owned());
        let mut base = None;
        let mut ok = true;
        let mut unread = Vec::new();
        for parent in extends.scalars() {
            let parent_name = parent.text().unwrap_or_default();
            if stack.iter().any(|s| s == parent_name) {
                let chain = stack
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(" -> ");
                let message = format!(
                    "`extends:` cycle: {chain} -> `{parent_name}`; `{name}` is kept as written"
                );
                ctx.diag(Code::GitlabExtendsCycle, message, parent.at);
                ok = false;
            } else if !self.top_level(parent_name).is_some_and(Val::is_map) {
                // Defined in an include that was not read (another project, a component), or
                // nowhere: the job has the rest of its parents, and what this one adds is
                // unknown.
                let message = format!(
                    "`{name}` extends `{parent_name}`, which is not a job or template in the \
                     files read; its part of `{name}` is unknown"
                );
                ctx.diag(Code::GitlabExtendsUnknown, message, parent.at);
                unread.push(parent_name.to_owned());
            } else if let Some(v) = self.extend(ctx, parent_name, stack) {
                unread.extend(self.unread(parent_name).iter().cloned());
                base = merge_into(base, v.without("extends"));
            }
        }
        stack.pop();
        unread.dedup();
        self.unread.insert(name.to_owned(), unread);
        let own = raw.clone();
        let result = match (ok, base) {
            (true, Some(base)) => merge(base, own.without("extends")),
            _ => own,
        };
        self.extended.insert(name.to_owned(), result.clone());
        Some(result)
    }

    /// The templates `name` extends, directly or through its parents, that no file read
    /// defines.
    pub(super) fn unread(&self, name: &str) -> &[String] {
        self.unread.get(name).map_or(&[], Vec::as_slice)
    }

    /// The top-level entry `name` as written.
    fn top_level(&self, name: &str) -> Option<&'c Val> {
        work::count(Work::JobLookups, 1);
        self.top.get(name).copied()
    }

    /// Reports the references a copy limit refused, once for the whole configuration.
    pub(super) fn finish(self, ctx: &mut Ctx<'_>) {
        let Some(r) = self.refused else {
            return;
        };
        let more = match r.more {
            0 => String::new(),
            1 => " and 1 more `!reference` are".to_owned(),
            n => format!(" and {n} more `!reference` tags are"),
        };
        let is = if r.more == 0 { " is" } else { "" };
        let message = format!(
            "`!reference` tags copy more than the limit of {}; `!reference {}`{more}{is} \
             not resolved",
            r.limit, r.first
        );
        ctx.diag(Code::GitlabReferenceLimit, message, r.at);
    }

    /// `value` with every `!reference` replaced by what it names. A reference that is an item
    /// of a sequence and names a sequence is spliced in. Values that cannot be resolved are
    /// dropped after a diagnostic.
    pub(super) fn references(&mut self, ctx: &mut Ctx<'_>, value: Val) -> Option<Val> {
        self.resolve(ctx, value, &mut Vec::new(), 0)
    }

    fn resolve(
        &mut self,
        ctx: &mut Ctx<'_>,
        value: Val,
        refs: &mut Vec<String>,
        depth: usize,
    ) -> Option<Val> {
        if depth > MAX_VALUE_DEPTH {
            let message =
                format!("values nest deeper than {MAX_VALUE_DEPTH} levels through `!reference`");
            ctx.diag(Code::GitlabReferenceDepth, message, value.at);
            return None;
        }
        if value.is_reference() {
            return self.follow(ctx, &value, refs, depth);
        }
        let Val {
            kind,
            at,
            tag,
            style,
            via,
        } = value;
        let kind = match kind {
            Kind::Map(entries) => {
                let mut out = Vec::with_capacity(entries.len());
                for mut entry in entries {
                    if let Some(v) = self.resolve(ctx, entry.value, refs, depth + 1) {
                        entry.value = v;
                        out.push(entry);
                    }
                }
                Kind::Map(out)
            }
            Kind::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    let spliced = item.is_reference();
                    match self.resolve(ctx, item, refs, depth + 1) {
                        Some(Val {
                            kind: Kind::Seq(inner),
                            ..
                        }) if spliced => out.extend(inner),
                        Some(v) => out.push(v),
                        None => {}
                    }
                }
                Kind::Seq(out)
            }
            other => other,
        };
        Some(Val {
            kind,
            at,
            tag,
            style,
            via,
        })
    }

    /// Looks up `!reference [job, key, ...]` and resolves what it finds.
    fn follow(
        &mut self,
        ctx: &mut Ctx<'_>,
        reference: &Val,
        refs: &mut Vec<String>,
        depth: usize,
    ) -> Option<Val> {
        let path: Vec<&str> = reference.items().iter().filter_map(Val::text).collect();
        if path.is_empty() || path.len() != reference.items().len() {
            let message = "`!reference` expects a sequence of names, such as `[.setup, script]`";
            ctx.diag(
                Code::GitlabReferenceInvalid,
                message.to_owned(),
                reference.at,
            );
            return None;
        }
        let shown = format!("[{}]", path.join(", "));
        if refs.contains(&shown) {
            let message = format!("`!reference {shown}` refers to itself");
            ctx.diag(Code::GitlabReferenceCycle, message, reference.at);
            return None;
        }
        if refs.len() >= MAX_REFERENCE_DEPTH {
            let message =
                format!("`!reference {shown}` nests deeper than {MAX_REFERENCE_DEPTH} references");
            ctx.diag(Code::GitlabReferenceDepth, message, reference.at);
            return None;
        }
        if let Some(refused) = self.refused.as_mut() {
            // Past a copy limit nothing more is copied; the rest are only counted.
            refused.more += 1;
            return None;
        }
        let (first, rest) = path.split_first()?;
        let mut found = self.extended(ctx, first);
        for key in rest {
            found = found.and_then(|v| v.get(key).cloned());
        }
        let Some(found) = found else {
            let message = format!("`!reference {shown}` names nothing in the configuration");
            ctx.diag(Code::GitlabReferenceUnknown, message, reference.at);
            return None;
        };
        let (values, bytes) = found.weight();
        self.copies = self.copies.saturating_add(values);
        self.copied_bytes = self.copied_bytes.saturating_add(bytes);
        let limit = if self.copies > MAX_REFERENCE_COPIES {
            Some(format!("{MAX_REFERENCE_COPIES} values"))
        } else if self.copied_bytes > MAX_REFERENCE_BYTES {
            let size = crate::files::size::human(MAX_REFERENCE_BYTES as u64);
            Some(format!("{MAX_REFERENCE_BYTES} bytes ({size}) of text"))
        } else {
            None
        };
        if let Some(limit) = limit {
            self.refused = Some(Refused {
                limit,
                first: shown,
                at: reference.at,
                more: 0,
            });
            return None;
        }
        refs.push(shown.clone());
        let mut resolved = self.resolve(ctx, found, refs, depth + 1);
        if let Some(v) = resolved.as_mut() {
            v.mark_via(&format!("!reference {shown}"), reference.at);
        }
        refs.pop();
        resolved
    }
}
