//! MODEL stage: byte offsets to the 1-based line and column the analysis document shows,
//! through the crate's one line index ([`LineIndex`]), reading and indexing each file once.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::analyze::document::Position;
use crate::files::{LineIndex, Loc, RepoFiles};

/// Positions in the files of one repository.
pub(crate) struct Positions<'r> {
    files: &'r dyn RepoFiles,
    /// Each file read so far, with its line index; a file that cannot be read is empty.
    indexed: BTreeMap<Arc<str>, (Arc<str>, LineIndex)>,
}

impl<'r> Positions<'r> {
    /// Positions in the files of `files`.
    pub(crate) fn new(files: &'r dyn RepoFiles) -> Positions<'r> {
        Positions {
            files,
            indexed: BTreeMap::new(),
        }
    }

    /// The position of `loc`'s start.
    pub(crate) fn of(&mut self, loc: &Loc) -> Position {
        let (text, index) = self.indexed.entry(loc.file.clone()).or_insert_with(|| {
            let text = self.files.read(&loc.file).unwrap_or_else(|| Arc::from(""));
            let index = LineIndex::new(&text);
            (text, index)
        });
        let (line, column) = index.position(text, loc.span.start);
        Position {
            file: loc.file.clone(),
            line,
            column,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::repo::MemRepo;
    use crate::yaml::Span;

    #[test]
    fn lines_and_columns_are_one_based_in_characters() {
        let repo = MemRepo::from_pairs(&[("a.yml", "x: 1\né: kubectl\n")]);
        let mut positions = Positions::new(&repo);
        let at = |p: &mut Positions<'_>, file: &str, start| {
            let pos = p.of(&Loc::new(file, Span::new(start, start)));
            (pos.line, pos.column)
        };
        assert_eq!(at(&mut positions, "a.yml", 0), (1, 1));
        assert_eq!(at(&mut positions, "a.yml", 9), (2, 4));
        assert_eq!(at(&mut positions, "a.yml", 99), (3, 1));
        assert_eq!(at(&mut positions, "missing.yml", 7), (1, 1));
    }
}
