//! What the draft says about itself: a comment above every inferred value naming its evidence
//! (`from .github/workflows/deploy.yml:42 — helm upgrade … -n staging (high)`), and a
//! `TODO(migrate):` comment for what could not be inferred, counted.

use crate::analyze::document::Position;
use crate::infer::Confidence;
use crate::model::draft::Comments;

/// The comments of a draft, and its open questions.
#[derive(Debug, Default)]
pub(crate) struct Notes {
    pub(crate) comments: Comments,
    /// Every TODO, as `<draft path>: <text>`, in the order added.
    pub(crate) todos: Vec<String>,
}

impl Notes {
    /// Above `path`: where the value came from and how sure the analysis is.
    pub(crate) fn evidence(&mut self, path: &str, at: &Position, what: &str, sure: Confidence) {
        let line = format!(
            "from {}:{} — {} ({})",
            at.file,
            at.line,
            one_line(what),
            confidence(sure)
        );
        self.comments.add(path, &line);
    }

    /// Above `path`: a note that is neither evidence nor a question.
    pub(crate) fn note(&mut self, path: &str, text: &str) {
        self.comments.add(path, text);
    }

    /// Above `path`: what the draft could not infer and someone has to decide.
    pub(crate) fn todo(&mut self, path: &str, text: &str) {
        self.comments.add(path, &format!("TODO(migrate): {text}"));
        self.todos.push(format!("{path}: {text}"));
    }
}

fn confidence(c: Confidence) -> &'static str {
    match c {
        Confidence::High => "high",
        Confidence::Medium => "medium",
        Confidence::Low => "low",
    }
}

/// `text` on one line, at most 100 characters: a comment must not run on.
fn one_line(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= 100 {
        flat
    } else {
        let cut: String = flat.chars().take(99).collect();
        format!("{cut}…")
    }
}
