//! A byte range in a file's text: what every location, diagnostic and parsed node carries.

use std::ops::Range;

/// Half-open byte range `start..end` into the source text.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
pub(crate) struct Span {
    /// First byte covered.
    pub start: usize,
    /// One past the last byte covered.
    pub end: usize,
}

impl Span {
    /// Creates a span; a reversed range is normalised to an empty span at `start` so `len` and
    /// slicing never underflow.
    pub(crate) fn new(start: usize, end: usize) -> Span {
        Span {
            start,
            end: end.max(start),
        }
    }

    /// An empty span at `at`, used for positions such as "end of input".
    pub(crate) fn empty(at: usize) -> Span {
        Span { start: at, end: at }
    }

    /// Length in bytes.
    pub(crate) fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// Whether the span covers no bytes.
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The span as a range, for slicing the source (`&src[span.range()]`).
    pub(crate) fn range(&self) -> Range<usize> {
        self.start..self.end.max(self.start)
    }

    /// Smallest span covering both `self` and `other`.
    #[must_use]
    pub(crate) fn join(&self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl From<Range<usize>> for Span {
    fn from(r: Range<usize>) -> Span {
        Span::new(r.start, r.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_basics() {
        let s = Span::new(3, 7);
        assert_eq!((s.start, s.len(), s.is_empty()), (3, 4, false));
        assert!(Span::new(5, 2).is_empty());
        assert_eq!(Span::new(1, 2).join(Span::new(4, 6)), Span::new(1, 6));
    }
}
