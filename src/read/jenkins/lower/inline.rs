//! Calls of the Jenkinsfile's own functions and of a loaded file's: the body is walked in place
//! of the call, with what the call hands it.
//!
//! ```groovy
//! def withPod(body) { podTemplate(label: 'pod') { node('pod') { body() } } }
//! def kubectl(namespace, command) { sh "kubectl --namespace=${namespace} ${command}" }
//!
//! withPod { stage('Deploy') { kubectl('staging', "apply -f deploy/staging/") } }
//! ```
//!
//! Each parameter is bound to its argument for the scripts the body runs: a string literal as
//! its text, a name as `${name}` (which the caller's bindings then fill), so the script above is
//! `kubectl --namespace=staging apply -f deploy/staging/`. A closure the call passes is run
//! where the body calls its parameter (`body()`, `body.call()`), in the caller's file and with
//! the caller's bindings; if the body never calls it, it is walked after the body.

use std::sync::Arc;

use super::load::Loaded;
use super::{Lowerer, MAX_INLINE};
use crate::read::jenkins::ast::{Block, Call, ExprKind};
use crate::yaml::Span;

/// The longest script the parameters may make of one, in bytes.
const MAX_BOUND: usize = 64 * 1024;

/// What one inlined call hands its function.
pub(super) struct Binding<'a> {
    /// Parameter names and the text each stands for.
    values: Vec<(String, String)>,
    /// The closure the call passes, under the parameter name that receives it.
    closure: Option<(&'a str, &'a Block)>,
    /// Whether the body ran the closure.
    ran: bool,
    /// The file the call is written in, where the closure's steps are.
    file: Arc<str>,
    src: &'a str,
}

impl<'a> Lowerer<'a> {
    /// Walks `body`, the function `name` with parameters `params`, in place of `call`; the
    /// function is written in `loaded` when a loaded file defines it.
    pub(super) fn inline(
        &mut self,
        (name, params, body): (&'a str, &'a [String], &'a Block),
        call: &'a Call,
        loaded: Option<&'a Loaded>,
    ) {
        self.walk_args(call, true);
        // A function calling itself is not followed (Groovy may recurse; reading cannot).
        if self.inlining.contains(&name) {
            return;
        }
        if self.inlining.len() >= MAX_INLINE {
            let what = || format!("`{name}` is called {MAX_INLINE} helpers deep and is not read");
            return self.reached(what, call.span);
        }
        let binding = self.bind(params, call);
        self.inlining.push(name);
        self.bindings.push(binding);
        match loaded {
            Some(loaded) => self.in_file(loaded, |this| this.walk_block(body)),
            None => self.walk_block(body),
        }
        let binding = self.bindings.pop();
        self.inlining.pop();
        // A closure the body did not run (it may have handed it on): its steps still run.
        if let Some(Binding {
            closure: Some((_, block)),
            ran: false,
            ..
        }) = binding
        {
            self.walk_block(block);
        }
    }

    /// The parameters of `params` bound to `call`'s arguments, in order.
    fn bind(&self, params: &'a [String], call: &'a Call) -> Binding<'a> {
        let closure = call.body();
        let positional: Vec<_> = call
            .args
            .iter()
            .filter(|a| a.name.is_none())
            .filter(|a| !matches!(a.value.kind, ExprKind::Closure(_)))
            .collect();
        let values = params
            .iter()
            .zip(&positional)
            .filter_map(|(param, arg)| {
                let text = match &arg.value.kind {
                    ExprKind::Str(lit) if !lit.text.contains('\n') => lit.text.clone(),
                    ExprKind::Path(name) => format!("${{{name}}}"),
                    ExprKind::Num => self.raw(arg.value.span),
                    _ => return None,
                };
                Some((param.clone(), text))
            })
            .collect();
        // The closure goes to the parameter after the positional arguments.
        let closure = closure.and_then(|block| {
            let param = params.get(positional.len())?;
            Some((param.as_str(), block))
        });
        Binding {
            values,
            closure,
            ran: false,
            file: Arc::clone(&self.file),
            src: self.src,
        }
    }

    /// Runs the closure the innermost inlined call passed, when `call` calls the parameter that
    /// received it (`body()`, `body.call()`); whether it did.
    pub(super) fn run_closure_param(&mut self, call: &'a Call) -> bool {
        let name = call.name.strip_suffix(".call").unwrap_or(&call.name);
        let Some(top) = self.bindings.last_mut() else {
            return false;
        };
        let Some((_, block)) = top.closure.filter(|(param, _)| *param == name) else {
            return false;
        };
        top.ran = true;
        // The closure is the caller's: its file, and the bindings around the call.
        let Some(binding) = self.bindings.pop() else {
            return false;
        };
        let file = std::mem::replace(&mut self.file, Arc::clone(&binding.file));
        let src = std::mem::replace(&mut self.src, binding.src);
        self.walk_block(block);
        self.file = file;
        self.src = src;
        self.bindings.push(binding);
        true
    }

    /// `text` of the step at `span` with the parameters of the inlined calls put in, innermost
    /// call first; `None` outside any call with arguments, or when that would make it longer
    /// than [`MAX_BOUND`] (arguments that repeat each other through nested calls grow as a
    /// power of the depth), which is reported.
    pub(super) fn bound(&mut self, text: &str, span: Span) -> Option<String> {
        if self.bindings.is_empty() || !text.contains('$') {
            return None;
        }
        let mut out = text.to_owned();
        for binding in self.bindings.iter().rev() {
            for (param, value) in &binding.values {
                out = put_in(&out, param, value);
                if out.len() > MAX_BOUND.max(text.len()) {
                    let what = || {
                        let kib = MAX_BOUND / 1024;
                        format!(
                            "a helper's arguments make this script longer than {kib} KiB; it is read as written"
                        )
                    };
                    self.reached(what, span);
                    return None;
                }
            }
        }
        Some(out)
    }
}

/// `text` with every `${name}` and `$name` (not followed by a name character) replaced by
/// `value`.
fn put_in(text: &str, name: &str, value: &str) -> String {
    let braced = format!("${{{name}}}");
    let text = text.replace(&braced, value);
    let bare = format!("${name}");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(i) = rest.find(&bare) {
        let after = &rest[i + bare.len()..];
        out.push_str(&rest[..i]);
        if after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            out.push_str(&bare);
        } else {
            out.push_str(value);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::put_in;

    #[test]
    fn a_parameter_is_put_in_braced_or_bare_but_not_inside_a_longer_name() {
        assert_eq!(
            put_in("kubectl -n ${ns} -f $ns/ $nsx ${nsx}", "ns", "prod"),
            "kubectl -n prod -f prod/ $nsx ${nsx}"
        );
        assert_eq!(put_in("no variables", "ns", "prod"), "no variables");
    }
}
