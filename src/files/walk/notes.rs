//! FILES: what the walk noted, kept per code up to [`MAX_NOTES_PER_CODE`].

use std::collections::BTreeMap;

use super::{MAX_NOTES_PER_CODE, at};
use crate::files::{Code, Diagnostic};

/// Notes kept per code up to [`MAX_NOTES_PER_CODE`], with a count of the rest. The ones kept
/// are the first by path, so the report is the same whichever thread found what.
#[derive(Default)]
pub(super) struct Notes {
    kept: BTreeMap<Code, Vec<Diagnostic>>,
    per_code: BTreeMap<Code, usize>,
}

impl Notes {
    pub(super) fn push(&mut self, d: Diagnostic) {
        *self.per_code.entry(d.code).or_default() += 1;
        let kept = self.kept.entry(d.code).or_default();
        kept.push(d);
        if kept.len() >= 2 * MAX_NOTES_PER_CODE {
            first_by_path(kept);
        }
    }

    pub(super) fn merge(&mut self, other: Notes) {
        for (code, n) in other.per_code {
            *self.per_code.entry(code).or_default() += n;
        }
        for (code, mut more) in other.kept {
            let kept = self.kept.entry(code).or_default();
            kept.append(&mut more);
            first_by_path(kept);
        }
    }

    /// The notes kept, by path, then one per code that counts the rest.
    pub(super) fn finish(self) -> Vec<Diagnostic> {
        let mut out: Vec<Diagnostic> = self
            .kept
            .into_values()
            .flat_map(|mut kept| {
                first_by_path(&mut kept);
                kept
            })
            .collect();
        out.sort_by(|a, b| (&a.loc.file, &a.message).cmp(&(&b.loc.file, &b.message)));
        for (code, n) in self.per_code {
            if n > MAX_NOTES_PER_CODE {
                let more = n - MAX_NOTES_PER_CODE;
                let message = format!(
                    "and {more} more like the {MAX_NOTES_PER_CODE} `{code}` diagnostics above \
                     ({n} in all); they are not listed one by one"
                );
                out.push(Diagnostic::new(code, message, at("")));
            }
        }
        out
    }
}

/// Keeps the first [`MAX_NOTES_PER_CODE`] of `notes` by path (then message).
fn first_by_path(notes: &mut Vec<Diagnostic>) {
    notes.sort_by(|a, b| (&a.loc.file, &a.message).cmp(&(&b.loc.file, &b.message)));
    notes.truncate(MAX_NOTES_PER_CODE);
}
