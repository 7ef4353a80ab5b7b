//! READ stage: byte spans into the YAML source and the char-to-byte offset conversion.
//!
//! saphyr reports positions as *character* indices, while everything downstream (miette, slicing
//! the source) wants *byte* offsets, so every position is converted exactly once, here.

use std::ops::Range;

/// Half-open byte range `start..end` into the source text.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// First byte covered.
    pub start: usize,
    /// One past the last byte covered.
    pub end: usize,
}

impl Span {
    /// Creates a span; a reversed range is normalised to an empty span at `start` so `len` and
    /// slicing never underflow.
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start,
            end: end.max(start),
        }
    }

    /// An empty span at `at`, used for positions such as "end of input".
    pub fn empty(at: usize) -> Span {
        Span { start: at, end: at }
    }

    /// Byte offset of the start, named for the miette conversion done elsewhere.
    pub fn offset(&self) -> usize {
        self.start
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// Whether the span covers no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The span as a range, for slicing the source (`&src[span.range()]`).
    pub fn range(&self) -> Range<usize> {
        self.start..self.end.max(self.start)
    }

    /// Smallest span covering both `self` and `other`.
    #[must_use]
    pub fn join(&self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl From<Range<usize>> for Span {
    fn from(r: Range<usize>) -> Span {
        Span::new(r.start, r.end)
    }
}

/// Converts saphyr's character indices into byte offsets.
///
/// ASCII sources (the overwhelmingly common case for CI/GitOps files) need no table at all;
/// otherwise a table of byte offsets per character is built once so each lookup is O(1).
#[derive(Debug)]
pub(crate) struct OffsetMap {
    /// `None` when the source is ASCII and char index == byte offset.
    table: Option<Vec<usize>>,
    len: usize,
}

impl OffsetMap {
    pub(crate) fn new(src: &str) -> OffsetMap {
        let table = if src.is_ascii() {
            None
        } else {
            let mut t: Vec<usize> = src.char_indices().map(|(b, _)| b).collect();
            t.push(src.len());
            Some(t)
        };
        OffsetMap {
            table,
            len: src.len(),
        }
    }

    /// Byte offset of the character at `char_index`; indices past the end clamp to the source
    /// length because saphyr markers can point one past the last character (and we never want a
    /// span that slices out of bounds).
    pub(crate) fn byte(&self, char_index: usize) -> usize {
        match &self.table {
            None => char_index.min(self.len),
            Some(t) => t.get(char_index).copied().unwrap_or(self.len),
        }
    }
}

/// Lazily-built table of line start offsets, only needed when a warning must name a line.
#[derive(Debug, Default)]
pub(crate) struct LineIndex {
    starts: Option<Vec<usize>>,
}

impl LineIndex {
    /// 1-based line number of byte offset `at`.
    pub(crate) fn line_of(&mut self, src: &str, at: usize) -> usize {
        let starts = self.starts.get_or_insert_with(|| {
            std::iter::once(0)
                .chain(
                    src.bytes()
                        .enumerate()
                        .filter(|(_, b)| *b == b'\n')
                        .map(|(i, _)| i + 1),
                )
                .collect()
        });
        // partition_point gives the count of line starts <= at, which is the 1-based line.
        starts.partition_point(|&s| s <= at).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_offsets_are_identity() {
        let m = OffsetMap::new("abc");
        assert_eq!(m.byte(0), 0);
        assert_eq!(m.byte(3), 3);
        assert_eq!(m.byte(99), 3);
    }

    #[test]
    fn multibyte_offsets() {
        let src = "é€x";
        let m = OffsetMap::new(src);
        assert_eq!(m.byte(0), 0);
        assert_eq!(m.byte(1), 2);
        assert_eq!(m.byte(2), 5);
        assert_eq!(m.byte(3), 6);
        assert_eq!(m.byte(4), 6);
    }

    #[test]
    fn line_numbers() {
        let src = "a\nbb\n\nc";
        let mut l = LineIndex::default();
        assert_eq!(l.line_of(src, 0), 1);
        assert_eq!(l.line_of(src, 1), 1);
        assert_eq!(l.line_of(src, 2), 2);
        assert_eq!(l.line_of(src, 5), 3);
        assert_eq!(l.line_of(src, 6), 4);
    }

    #[test]
    fn span_basics() {
        let s = Span::new(3, 7);
        assert_eq!((s.offset(), s.len(), s.is_empty()), (3, 4, false));
        assert!(Span::new(5, 2).is_empty());
        assert_eq!(Span::new(1, 2).join(Span::new(4, 6)), Span::new(1, 6));
    }
}
