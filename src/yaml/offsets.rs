//! saphyr reports positions as *character* indices, while everything downstream (miette,
//! slicing the source) wants *byte* offsets, so every position is converted exactly once, here.

/// Converts saphyr's character indices into byte offsets.
///
/// ASCII sources (the overwhelmingly common case for CI/GitOps files) need no table at all;
/// otherwise a table of byte offsets per character is built once so each lookup is O(1).
#[derive(Clone, Debug)]
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

    /// A map given its table: the byte offset in the original source of every character of the
    /// parsed text, then one past the end; `len` is the original source's length.
    pub(crate) fn from_table(table: Vec<usize>, len: usize) -> OffsetMap {
        OffsetMap {
            table: Some(table),
            len,
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
}
