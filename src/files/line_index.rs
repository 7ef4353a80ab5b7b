//! Byte offsets to lines and columns, for one text: the crate's one line index.
//!
//! Lines are 0-based in the API ([`LineIndex::line`], [`LineIndex::line_start`]) because callers
//! index tables with them; [`LineIndex::line_number`] and [`LineIndex::position`] give what people
//! read, a 1-based line and a 1-based column counted in characters. Only `\n` ends a line (a `\r` before it belongs to the
//! line), which is how every reader and report here counts.

/// Where each line of a text starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LineIndex {
    /// Byte offset of the first byte of each line; `starts[0] == 0`, so never empty.
    starts: Vec<usize>,
    /// Length of the text in bytes.
    len: usize,
}

impl LineIndex {
    /// Indexes `text`.
    pub(crate) fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    /// The 0-based line holding byte `offset`; an offset past the end is on the last line.
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|s| *s <= offset.min(self.len))
            .saturating_sub(1)
    }

    /// The 1-based line number of byte `offset`, as people read it.
    pub(crate) fn line_number(&self, offset: usize) -> usize {
        self.line(offset) + 1
    }

    /// Byte offset where 0-based `line` starts, if the text has that line.
    pub(crate) fn line_start(&self, line: usize) -> Option<usize> {
        self.starts.get(line).copied()
    }

    /// How many lines the text has (a text ending in `\n` has an empty last line).
    pub(crate) fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The 1-based line and 1-based character column of byte `offset` in `text`, the text this
    /// index was built from. Offsets past the end are clamped to it; an offset inside a
    /// character counts as that character's start.
    pub(crate) fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line(offset);
        let start = self.starts.get(line).copied().unwrap_or_default();
        let column = text.get(start..offset).map_or(1, |s| s.chars().count() + 1);
        (line + 1, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_positions() {
        let text = "a\nbé\n\nc";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        assert_eq!(
            [0, 1, 2, 5, 6, 7, 99].map(|o| index.line(o)),
            [0, 0, 1, 1, 2, 3, 3]
        );
        assert_eq!(index.line_start(3), Some(7));
        assert_eq!(index.line_number(5), 2);
        assert_eq!(index.line_start(4), None);
        assert_eq!(index.position(text, 0), (1, 1));
        assert_eq!(index.position(text, 4), (2, 2), "inside `é`: its start");
        assert_eq!(index.position(text, 5), (2, 3));
        assert_eq!(index.position(text, 99), (4, 2));
        let empty = LineIndex::new("");
        assert_eq!((empty.line(0), empty.position("", 3)), (0, (1, 1)));
    }
}
