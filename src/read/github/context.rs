//! READ stage: state shared while reading one workflow and the files it pulls in (reusable
//! workflows, local composite actions): repository access, collected problems, and the stack of
//! files being expanded, which guards against cycles and runaway nesting.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::files::safe_read::Unreadable;
use crate::files::{Code, Diagnostic, Loc, RepoFiles};
use crate::read::Unresolved;
use crate::read::support::shape_message;
use crate::yaml::{Mapping, Node, Span};

/// How many files deep expansion may go (workflow → reusable workflow → composite action → ...).
pub(crate) const MAX_DEPTH: usize = 8;

/// How many files one workflow may expand in total. Nesting is capped by [`MAX_DEPTH`], but
/// fan-out is not (ten jobs each calling a workflow of ten jobs each calling ...), so a hostile
/// repository could otherwise make the reader do exponential work.
pub(crate) const MAX_EXPANSIONS: usize = 500;

/// Input values (`with:` over declared defaults) substituted into a called workflow or action.
pub(crate) type Inputs = BTreeMap<String, String>;

/// Sets input `name` to `value`, replacing an entry that differs only in case (input names are
/// case-insensitive, and `with:` must win over a declared default spelled differently).
pub(crate) fn set_input(inputs: &mut Inputs, name: &str, value: &str) {
    inputs.retain(|k, _| !k.eq_ignore_ascii_case(name));
    inputs.insert(name.to_owned(), value.to_owned());
}

/// The inputs of a called workflow or action: the `default:` of each input `declared`, then the
/// caller's `with:` values over them.
pub(crate) fn resolve_inputs(declared: Option<&Mapping>, with: &[(String, String)]) -> Inputs {
    let mut inputs = Inputs::new();
    for (name, spec) in declared.map(Mapping::entries).unwrap_or_default() {
        let default = spec
            .as_map()
            .and_then(|s| s.get("default"))
            .and_then(text_of);
        if let (Some(name), Some(default)) = (text_of(name), default) {
            inputs.insert(name, default);
        }
    }
    for (k, v) in with {
        set_input(&mut inputs, k, v);
    }
    inputs
}

/// Reading state for one top-level workflow.
pub(crate) struct Ctx<'a> {
    pub(crate) repo: &'a dyn RepoFiles,
    /// Problems found so far.
    pub(crate) diagnostics: &'a mut Vec<Diagnostic>,
    /// References that could not be followed.
    pub(crate) unresolved: Vec<Unresolved>,
    /// Files being expanded, outermost first.
    pub(crate) stack: Vec<String>,
    /// Files expanded so far, see [`MAX_EXPANSIONS`].
    expansions: usize,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(repo: &'a dyn RepoFiles, diagnostics: &'a mut Vec<Diagnostic>) -> Self {
        Ctx {
            repo,
            diagnostics,
            unresolved: Vec::new(),
            stack: Vec::new(),
            expansions: 0,
        }
    }

    /// Records a problem.
    pub(crate) fn diag(&mut self, code: Code, message: String, loc: Loc) {
        self.diagnostics.push(Diagnostic::new(code, message, loc));
    }

    /// Records a reference that could not be followed.
    pub(crate) fn unresolved(&mut self, kind: &str, reference: &str, loc: Loc) {
        self.unresolved.push(Unresolved {
            kind: kind.to_owned(),
            reference: reference.to_owned(),
            loc,
        });
    }

    /// Whether `file` may be expanded from `at`: not already being expanded (a cycle) and not
    /// too deep. Reports the problem when it may not.
    pub(crate) fn may_enter(&mut self, file: &str, at: &Loc) -> bool {
        if self.stack.iter().any(|f| f == file) {
            let chain = self.stack.join("` -> `");
            self.diag(
                Code::GithubCycle,
                format!("`{file}` is already being expanded (`{chain}` -> `{file}`); not following it again"),
                at.clone(),
            );
            return false;
        }
        if self.stack.len() >= MAX_DEPTH {
            self.diag(
                Code::GithubDepth,
                format!("not expanding `{file}`: files nest more than {MAX_DEPTH} deep"),
                at.clone(),
            );
            return false;
        }
        self.expansions += 1;
        if self.expansions > MAX_EXPANSIONS {
            // Reported once: every later refusal has the same cause.
            if self.expansions == MAX_EXPANSIONS + 1 {
                self.diag(
                    Code::GithubLimit,
                    format!(
                        "not expanding `{file}` or any later file: more than {MAX_EXPANSIONS} \
                         reusable workflows and local actions expanded"
                    ),
                    at.clone(),
                );
            }
            return false;
        }
        true
    }

    /// Reads and parses `file`, returning its text and first document. `Ok(None)` when the file
    /// does not exist; `Err(())` when it exists but is not text or not a usable YAML document
    /// (reported).
    pub(crate) fn load(&mut self, file: &str) -> Result<Option<(Arc<str>, Node)>, ()> {
        let text = match self.repo.text(file) {
            Ok(text) => text,
            Err(Unreadable::Missing) => return Ok(None),
            Err(why) => {
                self.diagnostics.push(Diagnostic::not_analysed(file, &why));
                return Err(());
            }
        };
        let parsed = match crate::yaml::parse_with(&text, &crate::yaml::Limits::default()) {
            Ok(p) => p,
            Err(e) => {
                let message = if e.is_limit() {
                    e.message.clone()
                } else {
                    format!("invalid yaml: {}", e.message)
                };
                self.diag(e.code(), message, Loc::new(file, e.span));
                return Err(());
            }
        };
        for w in parsed.warnings {
            self.diag(Code::YamlWarning, w.message, Loc::new(file, w.span));
        }
        let mut docs = parsed.documents.into_iter();
        let Some(root) = docs.next() else {
            self.diag(
                Code::GithubShape,
                "the file holds no yaml document".to_owned(),
                Loc::new(file, Span::empty(0)),
            );
            return Err(());
        };
        if let Some(extra) = docs.next() {
            self.diag(
                Code::GithubShape,
                "only the first yaml document is read; github uses one document per file"
                    .to_owned(),
                Loc::new(file, extra.span),
            );
        }
        Ok(Some((text, root)))
    }
}

/// The file being lowered: its path and text, plus the inputs substituted into it when it was
/// called (`None` for a top-level workflow, whose `${{ inputs.* }}` stay as written).
#[derive(Clone, Copy)]
pub(crate) struct Scope<'s> {
    /// Repository-relative path.
    pub(crate) file: &'s Arc<str>,
    pub(crate) src: &'s str,
    /// Inputs to substitute.
    pub(crate) inputs: Option<&'s Inputs>,
    /// The `workflow_dispatch` inputs of the workflow whose jobs these are, which a job's `if:`
    /// may test (none in a called workflow or a composite action, whose `inputs` are the
    /// caller's, nor for a step's `if:`, see `steps.rs`).
    pub(crate) dispatch: &'s [String],
}

impl Scope<'_> {
    /// A location in this file.
    pub(crate) fn loc(&self, span: Span) -> Loc {
        Loc::shared(self.file, span)
    }

    /// `text` with `${{ inputs.NAME }}` replaced by the input's value, when inputs apply.
    pub(crate) fn subst(&self, text: &str) -> String {
        match self.inputs {
            Some(inputs) => substitute_templates(text, inputs),
            None => text.to_owned(),
        }
    }

    /// An `if:` text with `inputs.NAME` operands replaced by literals, when inputs apply.
    pub(crate) fn subst_condition(&self, text: &str) -> String {
        match self.inputs {
            Some(inputs) => {
                let inner = super::expr::strip_wrapper(text);
                super::expr::substitute_inputs(inner, inputs)
            }
            None => text.to_owned(),
        }
    }
}

/// Replaces each `${{ inputs.NAME }}` (any inner spacing) whose NAME is known; every other
/// `${{ ... }}` is kept as written.
pub(crate) fn substitute_templates(text: &str, inputs: &Inputs) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("${{") {
        let (before, from_open) = rest.split_at(open);
        out.push_str(before);
        let Some(close) = from_open.find("}}") else {
            rest = from_open;
            break;
        };
        let whole = from_open.get(..close + 2).unwrap_or(from_open);
        let inner = from_open.get(3..close).unwrap_or("").trim();
        match super::expr::input_name(inner).and_then(|n| super::expr::lookup(inputs, n)) {
            Some(value) => out.push_str(value),
            None => out.push_str(whole),
        }
        rest = from_open.get(close + 2..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Reports a node whose shape is not what GitHub accepts.
pub(crate) fn shape(ctx: &mut Ctx<'_>, scope: &Scope<'_>, node: &Node, what: &str, expected: &str) {
    let message = shape_message(node, what, expected);
    ctx.diag(Code::GithubShape, message, scope.loc(node.span));
}

/// A mapping of scalars a workflow, job or step passes on.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Pairs {
    /// `env:`: environment variables.
    Env,
    /// `with:`: inputs of an action or a called workflow.
    With,
    /// A job's `outputs:`: values the jobs that need it read as `needs.<job>.outputs.<name>`.
    Outputs,
}

/// The pairs of a `kind` mapping, values with inputs substituted; none when `node` is missing
/// or empty.
pub(crate) fn pairs(
    ctx: &mut Ctx<'_>,
    scope: &Scope<'_>,
    node: Option<&Node>,
    kind: Pairs,
) -> Vec<(String, String)> {
    let (what, value) = match kind {
        Pairs::Env => ("`env`", "an `env` value"),
        Pairs::With => ("`with`", "a `with` value"),
        Pairs::Outputs => ("`outputs`", "an `outputs` value"),
    };
    let Some(node) = node else {
        return Vec::new();
    };
    let Some(map) = node.as_map() else {
        if !node.is_null() {
            shape(ctx, scope, node, what, "a mapping");
        }
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in map.entries() {
        match (text_of(k), text_of(v)) {
            (Some(k), Some(v)) => out.push((k, scope.subst(&v))),
            _ => shape(ctx, scope, v, value, "a scalar"),
        }
    }
    out
}

/// Scalar text of a node, `""` for an empty value; `None` for collections.
pub(crate) fn text_of(node: &Node) -> Option<String> {
    if node.is_scalar() {
        Some(node.scalar_text().unwrap_or_default())
    } else {
        None
    }
}

/// The repository path of a local reference such as `./.github/workflows/x.yml` or
/// `./actions/deploy/`: `.` segments dropped, `..` applied; `None` when it is not local or
/// climbs out of the repository.
pub(crate) fn repo_path(reference: &str) -> Option<String> {
    let rest = reference.strip_prefix("./")?;
    Some(crate::files::fold::fold(rest)?.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_substitute_known_inputs_only() {
        let inputs: Inputs = [("environment".to_owned(), "prod".to_owned())].into();
        assert_eq!(
            substitute_templates(
                "deploy ${{ inputs.environment }} ${{inputs.ENVIRONMENT}} ${{ inputs.other }} ${{ github.sha }}",
                &inputs
            ),
            "deploy prod prod ${{ inputs.other }} ${{ github.sha }}"
        );
        assert_eq!(
            substitute_templates("a ${{ inputs.environment", &inputs),
            "a ${{ inputs.environment"
        );
        assert_eq!(
            substitute_templates("é${{ inputs.environment }}ü", &inputs),
            "éprodü"
        );
    }

    #[test]
    fn local_paths() {
        assert_eq!(
            repo_path("./actions/deploy/").as_deref(),
            Some("actions/deploy")
        );
        assert_eq!(repo_path("./").as_deref(), Some(""));
        assert_eq!(repo_path("./a/./b/../c").as_deref(), Some("a/c"));
        assert_eq!(repo_path("./../x"), None);
        assert_eq!(repo_path("owner/repo@v1"), None);
    }
}
