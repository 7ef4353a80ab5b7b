//! MIGRATE stage: which operator a repository already runs, from the operator objects the scan
//! found. `migrate` drafts it into the model, and `init` picks it when `--operator` is not given.

use crate::model::Operator;
use crate::scan::{Operator as Found, OperatorObject};

/// The operators whose objects a repository holds.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum InUse<'a> {
    /// No operator object: nothing to keep.
    Nothing,
    /// Objects of one operator only: `name` is how people write it, `first` the first object.
    One {
        operator: Operator,
        name: &'static str,
        first: &'a OperatorObject,
    },
    /// Objects of several operators: which one reconciles is a question for the user; the first
    /// three are named in `which`, with `…` when there are more.
    Several { which: String },
}

/// What `objects` say about the operator in use.
pub(crate) fn in_use(objects: &[OperatorObject]) -> InUse<'_> {
    let Some(first) = objects.first() else {
        return InUse::Nothing;
    };
    if objects.iter().any(|o| o.operator != first.operator) {
        let mut which: Vec<String> = objects.iter().take(3).map(place).collect();
        if objects.len() > 3 {
            which.push("…".to_owned());
        }
        return InUse::Several {
            which: which.join(", "),
        };
    }
    let (operator, name) = match first.operator {
        Found::Flux => (Operator::Flux, "Flux"),
        Found::Argocd => (Operator::Argocd, "Argo CD"),
        Found::Fleet => (Operator::Fleet, "Fleet"),
    };
    InUse::One {
        operator,
        name,
        first,
    }
}

/// `<kind> <file>:<line>`: where an object is.
pub(crate) fn place(object: &OperatorObject) -> String {
    format!("{} {}:{}", object.kind, object.file, object.line)
}
