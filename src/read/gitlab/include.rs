//! READ stage: loading a GitLab file with its `include:`s merged in, as GitLab does before it
//! looks at `extends:` or `!reference`.

use std::sync::Arc;

use super::context::Ctx;
use super::value::{At, Val, merge_into};
use crate::files::Code;
use crate::files::safe_read::Unreadable;
use crate::yaml::{self, Node, Span};

/// GitLab's limit on included files per pipeline; it also bounds diamond-shaped include graphs.
const MAX_INCLUDES: usize = 150;

/// Parses the text of `path` into its configuration mapping: the first document, or the second
/// when the first is only a component `spec:` header. `None` after reporting a YAML error or a
/// top level that is not a mapping.
pub(super) fn parse_file(ctx: &mut Ctx<'_>, path: &str, text: Arc<str>) -> Option<Val> {
    let docs = match yaml::parse(&text) {
        Ok(docs) => docs,
        Err(e) => {
            ctx.diag_in(e.code(), e.message, path, e.span);
            return None;
        }
    };
    let file = ctx.add_file(path, text);
    let empty = Val::empty_map(At {
        file,
        span: Span::empty(0),
    });
    match pick_document(&docs) {
        None => Some(empty),
        Some(node) if node.is_null() => Some(empty),
        Some(node) if node.as_map().is_some() => Some(Val::from_node(node, file)),
        Some(node) => {
            let message = format!(
                "expected a mapping of jobs and keywords at the top level, found {}",
                node.kind_name()
            );
            ctx.diag(
                Code::GitlabStructure,
                message,
                At {
                    file,
                    span: node.span,
                },
            );
            None
        }
    }
}

fn pick_document(docs: &[Node]) -> Option<&Node> {
    let first = docs.first()?;
    let header_only = first
        .as_map()
        .is_some_and(|m| m.len() == 1 && m.contains_key("spec"));
    if header_only && docs.len() > 1 {
        docs.get(1)
    } else {
        Some(first)
    }
}

/// Parses `path` and merges the files it includes, recursively. The including file wins over
/// what it includes, and later includes win over earlier ones. `stack` holds the files being
/// loaded, to report include cycles.
pub(super) fn load(
    ctx: &mut Ctx<'_>,
    path: &str,
    text: Arc<str>,
    stack: &mut Vec<String>,
) -> Option<Val> {
    let own = parse_file(ctx, path, text)?;
    let mut merged = None;
    if let Some(include) = own.get("include") {
        stack.push(path.to_owned());
        for (target, at) in local_includes(ctx, include) {
            if let Some(config) = load_include(ctx, &target, at, stack) {
                merged = merge_into(merged, config);
            }
        }
        stack.pop();
    }
    merge_into(merged, own.without("include"))
}

/// Loads one local include, unless it closes a cycle, exceeds the limit or is missing.
pub(super) fn load_include(
    ctx: &mut Ctx<'_>,
    path: &str,
    at: At,
    stack: &mut Vec<String>,
) -> Option<Val> {
    if let Some(first) = stack.iter().position(|p| p == path) {
        let chain = stack
            .get(first..)
            .unwrap_or_default()
            .iter()
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(" -> ");
        let message = format!("include cycle: {chain} -> `{path}`");
        ctx.diag(Code::GitlabIncludeCycle, message, at);
        return None;
    }
    if ctx.includes_loaded >= MAX_INCLUDES {
        let message = format!("more than {MAX_INCLUDES} included files; `{path}` is not read");
        ctx.diag(Code::GitlabIncludeLimit, message, at);
        return None;
    }
    let text = match ctx.repo.text(path) {
        Ok(text) => text,
        Err(Unreadable::Missing) => {
            let message = format!("included file `{path}` does not exist");
            ctx.diag(Code::GitlabIncludeMissing, message, at);
            return None;
        }
        Err(why) => {
            ctx.diag(why.code(), format!("included file `{path}` {why}"), at);
            return None;
        }
    };
    ctx.includes_loaded += 1;
    load(ctx, path, text, stack)
}

/// The local files an `include:` (or `trigger: include:`) names, globs expanded, in order: the
/// `local:` ones, and the `project:` ones that are in the checkout ([`in_checkout`]). Includes
/// that live outside the repository are recorded as unresolved.
pub(super) fn local_includes(ctx: &mut Ctx<'_>, include: &Val) -> Vec<(String, At)> {
    let mut out = Vec::new();
    let items: Vec<&Val> = if include.is_seq() {
        include.items().iter().collect()
    } else {
        vec![include]
    };
    for item in items {
        if let Some(text) = item.text() {
            if text.starts_with("https://") || text.starts_with("http://") {
                ctx.record_unresolved("include:remote", text.to_owned(), item.at);
            } else {
                expand_local(ctx, text, item.at, &mut out);
            }
            continue;
        }
        if !item.is_map() {
            continue;
        }
        if let Some(local) = item.get("local") {
            if let Some(text) = local.text() {
                expand_local(ctx, text, local.at, &mut out);
            }
        } else if let Some(project) = item.get("project") {
            let name = project.text().unwrap_or_default();
            let reference = item.get("ref").and_then(Val::text);
            let files = item.get("file").map(Val::scalars).unwrap_or_default();
            if files.is_empty() {
                ctx.record_unresolved("include:project", name.to_owned(), project.at);
            }
            for file in files {
                let path = file.text().unwrap_or_default();
                if let Some(path) = in_checkout(ctx, name, path) {
                    expand_local(ctx, &path, file.at, &mut out);
                    continue;
                }
                let mut text = format!("{name}:{path}");
                if let Some(r) = reference {
                    text = format!("{text}@{r}");
                }
                ctx.record_unresolved("include:project", text, file.at);
            }
        } else {
            for kind in ["remote", "template", "component", "artifact"] {
                if let Some(v) = item.get(kind) {
                    let text = v.text().unwrap_or_default().to_owned();
                    ctx.record_unresolved(&format!("include:{kind}"), text, v.at);
                }
            }
        }
    }
    out
}

/// Where `file` of `project` can be read in the checkout: as named when the project is this
/// one (`$CI_PROJECT_PATH`) or the file is there (a project that includes its own files by
/// name, or a copy of the templates it names); else in a folder named for the project, by its
/// path (`py-libs/infra/gitlab-ci/x.yml`) or its last part (`gitlab-ci/x.yml`), as in a
/// repository that holds the shared CI project next to the ones that include it. GitLab reads
/// the file at the include's `ref:`; the checkout's version stands in for it.
fn in_checkout(ctx: &Ctx<'_>, project: &str, file: &str) -> Option<String> {
    let project = project.trim();
    let this_project = matches!(project, "$CI_PROJECT_PATH" | "${CI_PROJECT_PATH}");
    let path = file.trim().trim_start_matches('/');
    if path.contains('$') {
        return None;
    }
    if this_project {
        return Some(path.to_owned());
    }
    if path.contains('*') || project.contains('$') {
        return None;
    }
    let project = project.trim_matches('/');
    let last = project.rsplit('/').next().unwrap_or(project);
    [
        path.to_owned(),
        format!("{project}/{path}"),
        format!("{last}/{path}"),
    ]
    .into_iter()
    .find(|p| ctx.repo.lists(p))
}

/// Turns one `local:` path into repository paths: leading `/` dropped, globs expanded.
fn expand_local(ctx: &mut Ctx<'_>, text: &str, at: At, out: &mut Vec<(String, At)>) {
    let path = text.trim().trim_start_matches('/');
    if path.contains('$') {
        // A CI variable in the path is only known when a pipeline runs.
        ctx.record_unresolved("include:local", text.to_owned(), at);
        return;
    }
    // A subfolder's own pipeline writes paths from its folder when the root has no such file.
    let in_base = format!("{}{path}", ctx.base);
    let mut found = if path.contains('*') {
        let at_root = ctx.repo.glob(path);
        if at_root.is_empty() && !ctx.base.is_empty() {
            ctx.repo.glob(&in_base)
        } else {
            at_root
        }
    } else if ctx.repo.lists(path) {
        vec![path.to_owned()]
    } else if !ctx.base.is_empty() && ctx.repo.lists(&in_base) {
        vec![in_base]
    } else {
        let message = format!("included file `{text}` does not exist");
        ctx.diag(Code::GitlabIncludeMissing, message, at);
        return;
    };
    found.sort();
    found.dedup();
    if found.is_empty() {
        let message = format!("no file matches the included pattern `{text}`");
        ctx.diag(Code::GitlabIncludeMissing, message, at);
    }
    out.extend(found.into_iter().map(|p| (p, at)));
}
