//! `load 'jenkins/deploy.groovy'`: a Groovy file of the checkout that a Jenkinsfile evaluates.
//! Its top-level statements run where it is loaded, so their steps belong to the job loading
//! it; its functions are called through the object `load` returns
//! (`def deployer = load '...'; deployer.toCluster('prod')`), so a call whose method is one
//! of them runs that function's steps there. Each step keeps the loaded file as its location.
//!
//! A shared library kept in the same checkout (`vars/deploy.groovy` beside the Jenkinsfile that
//! declares the library, as a repository that is its own library has it) is read the same way:
//! a step `deploy(...)` runs that file's `call` function, and `deploy.toCluster(...)` its
//! `toCluster`. Only a file that declares a library reaches them (see `call_loaded_function`).

use std::collections::BTreeSet;
use std::sync::Arc;

use super::Lowerer;
use super::tree::visit_tree;
use crate::read::jenkins::ast::{Call, Expr, ExprKind, Stmt};

/// Most files one Jenkinsfile loads that are read.
pub(crate) const MAX_LOADED: usize = 16;

/// A file a Jenkinsfile loads, read and parsed.
pub(crate) struct Loaded {
    /// Its repository path.
    pub(crate) path: String,
    pub(crate) src: Arc<str>,
    pub(crate) stmts: Vec<Stmt>,
    /// The library step it defines, for a shared library's `vars/<step>.groovy`; `None` for a
    /// file `load` reads.
    pub(crate) step: Option<String>,
}

/// The repository paths of the files `stmts` loads with a literal path, in order, each once.
/// `load` reads its path from the folder it runs in, so a path inside `dir('k8s') { }` may be
/// `k8s/<path>`: each literal folder a `dir` of the file names is tried in front of each
/// path, before the path alone. These are candidates: the reader keeps the first
/// [`MAX_LOADED`] the checkout holds. At most [`MAX_LOADED`] folders and `4 × MAX_LOADED`
/// paths are combined; a `load` of a path left out stays unresolved.
pub(crate) fn load_paths(stmts: &[Stmt]) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut dirs: Vec<String> = Vec::new();
    let mut on_call = |call: &Call| {
        if call.receiver.is_some() || !matches!(call.name.as_str(), "load" | "dir") {
            return;
        }
        let arg = call.named("path").or_else(|| call.positional(0));
        if let Some(ExprKind::Str(lit)) = arg.map(|e| &e.kind) {
            let to = if call.name == "load" {
                &mut found
            } else {
                &mut dirs
            };
            to.push(lit.text.clone());
        }
    };
    visit_tree(stmts, &mut |_, _| {}, &mut on_call);
    let dirs = distinct(dirs.iter().filter_map(|d| load_path(d)), MAX_LOADED);
    let paths = distinct(found.iter().filter_map(|p| load_path(p)), 4 * MAX_LOADED);
    let candidates = paths.iter().flat_map(|path| {
        let in_dirs = dirs.iter().map(move |d| format!("{d}/{path}"));
        in_dirs.chain(std::iter::once(path.clone()))
    });
    distinct(candidates, usize::MAX)
}

/// The first `most` distinct items of `items`, in order.
fn distinct(items: impl Iterator<Item = String>, most: usize) -> Vec<String> {
    let mut seen = BTreeSet::new();
    items
        .filter(|item| seen.insert(item.clone()))
        .take(most)
        .collect()
}

/// Whether the file declares a shared library (`@Library`, `library(...)`, `libraries { }`), the
/// only case in which its steps may be a library's.
pub(crate) fn declares_library(stmts: &[Stmt]) -> bool {
    let annotated = stmts.iter().any(|s| {
        matches!(s, Stmt::Annotation { name, .. } if super::library::is_library_annotation(name))
    });
    let mut called = false;
    let mut on_call = |call: &Call| {
        called |= call.receiver.is_none() && matches!(call.name.as_str(), "library" | "libraries");
    };
    if !annotated {
        visit_tree(stmts, &mut |_, _| {}, &mut on_call);
    }
    annotated || called
}

/// The steps `stmts` calls by a bare name (`deploy(...)`) or on a bare name
/// (`deploy.toCluster(...)`) that a shared library's `vars/` could define: no Jenkins or plugin
/// step, each once, in order. Their files are looked for at
/// `vars/<step>.groovy`.
pub(crate) fn library_step_names<'t>(stmts: &'t [Stmt]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: BTreeSet<&'t str> = BTreeSet::new();
    let mut on_call = |call: &'t Call| {
        if call.receiver.is_some() {
            return;
        }
        let root = call.name.split('.').next().unwrap_or_default();
        // A capitalised name (`DeployOnKubernetes(...)`) may be a library step too, though it
        // is taken for a plugin's metastep class when no step file defines it.
        let capitalised = root.chars().next().is_some_and(|c| c.is_ascii_uppercase());
        let name_like = root.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && root.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        let known = !capitalised && super::library::is_known_step(root);
        if name_like && !known && seen.insert(root) {
            out.push(root.to_owned());
        }
    };
    visit_tree(stmts, &mut |_, _| {}, &mut on_call);
    out
}

/// The repository path a `load` argument names: relative to the workspace, which is the
/// checkout (`${WORKSPACE}/ci/x.groovy`, `./ci/x.groovy`, `ci/x.groovy`). None when it holds
/// another variable, is absolute or leaves the checkout.
pub(crate) fn load_path(raw: &str) -> Option<String> {
    let mut path = raw.trim();
    for prefix in ["${WORKSPACE}/", "$WORKSPACE/", "${env.WORKSPACE}/", "./"] {
        path = path.strip_prefix(prefix).unwrap_or(path);
    }
    let escapes = path.split('/').any(|seg| seg == "..");
    if path.is_empty() || path.contains('$') || path.starts_with('/') || escapes {
        return None;
    }
    Some(path.to_owned())
}

impl<'a> Lowerer<'a> {
    /// Walks the top-level statements of the loaded file at `reference` in the current job;
    /// whether it is one this Jenkinsfile's loads read.
    pub(super) fn walk_loaded(&mut self, reference: &str) -> bool {
        let Some(loaded) = self.find_loaded(reference) else {
            return false;
        };
        if self.walking_loaded.contains(&loaded.path.as_str()) {
            return true;
        }
        self.walking_loaded.push(&loaded.path);
        self.in_file(loaded, |this| {
            for stmt in loaded.stmts.iter() {
                if !matches!(stmt, Stmt::Function { .. }) {
                    this.walk_stmt(stmt);
                }
            }
        });
        self.walking_loaded.pop();
        true
    }

    /// The read file a `load` of `reference` evaluates here: from the folder of the enclosing
    /// `dir` blocks first, as `load` reads it, then from the checkout's root.
    fn find_loaded(&self, reference: &str) -> Option<&'a Loaded> {
        let path = load_path(reference)?;
        let in_dir = self
            .dir()
            .and_then(|d| load_path(&d))
            .map(|d| format!("{d}/{path}"));
        let found = |p: &str| self.loaded.iter().copied().find(|l| l.path == p);
        in_dir.as_deref().and_then(found).or_else(|| found(&path))
    }

    /// Runs a function a loaded file defines when `call` names it (`deployer.toCluster(...)`
    /// or `toCluster(...)`), or, in a file that declares a shared library, the function of the
    /// library's step file that `call` names (`deploy(...)` its `call`); whether it did.
    pub(super) fn call_loaded_function(&mut self, call: &'a Call) -> bool {
        let method = call.name.rsplit('.').next().unwrap_or(&call.name);
        let uses_library = self.uses_library;
        // `deployer.rollout(...)` on the object of a known `load`: that file's function.
        let object = call.name.split_once('.').map(|(object, _)| object);
        let holds = object.and_then(|o| self.loaded_as.get(o).copied());
        let found = self.loaded.iter().copied().find_map(|l| {
            // A step file's `call` goes by the step's name, which the inlining guard reads:
            // two steps' `call`s are no recursion.
            let (method, shown) = match l.step.as_deref() {
                None if holds.is_some_and(|p| p != l.path) => return None,
                None => (method, None),
                Some(_) if !uses_library => return None,
                Some(step) if call.name == step => ("call", Some(step)),
                Some(step) if call.name.strip_prefix(step)?.starts_with('.') => (method, None),
                Some(_) => return None,
            };
            l.stmts.iter().find_map(|s| match s {
                Stmt::Function { name, params, body } if name == method => {
                    let name = shown.unwrap_or(name.as_str());
                    Some((l, (name, params.as_slice(), body)))
                }
                _ => None,
            })
        });
        let Some((loaded, function)) = found else {
            return false;
        };
        self.inline(function, call, Some(loaded));
        true
    }

    /// `target = load '...'`: `target` holds the object of the file it reads.
    pub(super) fn note_loaded_object(&mut self, target: &str, value: &Expr) {
        let ExprKind::Call(call) = &value.kind else {
            return;
        };
        if call.receiver.is_some() || call.name != "load" {
            return;
        }
        let reference = call.positional(0).map(|e| self.text(e)).unwrap_or_default();
        if let Some(loaded) = self.find_loaded(&reference) {
            // `def deployer`, `Object deployer`: the name is the last word.
            let name = target.rsplit(' ').next().unwrap_or(target);
            self.loaded_as.insert(name.to_owned(), &loaded.path);
        }
    }

    /// Runs `f` with locations and source text taken from `loaded`.
    pub(super) fn in_file(&mut self, loaded: &'a Loaded, f: impl FnOnce(&mut Self)) {
        let file = std::mem::replace(&mut self.file, Arc::from(loaded.path.as_str()));
        let src = std::mem::replace(&mut self.src, &loaded.src);
        f(self);
        self.file = file;
        self.src = src;
    }
}
