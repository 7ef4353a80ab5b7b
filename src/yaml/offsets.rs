//! saphyr reports positions as *character* indices, while everything downstream (miette,
//! slicing the source) wants *byte* offsets, so every position is converted exactly once, here.

/// Converts character indices of the parsed text into byte offsets of the source.
///
/// The parsed text is the source itself, a copy with some lines indented further (`lenient`),
/// or some of the source's lines (`skim`). Runs of one-byte characters, the overwhelmingly
/// common case for CI/GitOps files, need no table: the map holds one entry where each run
/// starts, so an ASCII source holds none and a manifest with a few `é` or `’` holds a few.
#[derive(Clone, Debug)]
pub(crate) struct OffsetMap {
    map: Map,
    /// Length of the source: no offset points past it.
    len: usize,
}

#[derive(Clone, Debug)]
enum Map {
    /// `(char index, byte offset)` where a run of one-byte characters starts, in order. Before
    /// the first entry (or when there is none), the char index is the byte offset.
    Runs {
        runs: Vec<(usize, usize)>,
        /// `(char index, byte offset)` where the parsed text jumps over part of the source: the
        /// char index of the first character after the jump, and where the source's piece before
        /// it ends. In order; empty unless the text is made of pieces.
        jumps: Vec<(usize, usize)>,
    },
    /// The byte offset of every character, then one past the end.
    Table(Vec<usize>),
}

impl OffsetMap {
    /// The map of `src` parsed as it is.
    pub(crate) fn new(src: &str) -> OffsetMap {
        let mut runs = RunsBuilder::default();
        runs.push_text(src, 0);
        runs.finish(src.len())
    }

    /// A map given its table: the byte offset in the original source of every character of the
    /// parsed text, then one past the end; `len` is the original source's length.
    pub(crate) fn from_table(table: Vec<usize>, len: usize) -> OffsetMap {
        OffsetMap {
            map: Map::Table(table),
            len,
        }
    }

    /// Byte offset of the character at `char_index`; indices past the end clamp to the source
    /// length because saphyr markers can point one past the last character (and we never want a
    /// span that slices out of bounds).
    pub(crate) fn byte(&self, char_index: usize) -> usize {
        let byte = match &self.map {
            Map::Runs { runs, .. } => match runs.partition_point(|&(c, _)| c <= char_index) {
                0 => char_index,
                k => {
                    let (c, b) = runs[k - 1];
                    b + (char_index - c)
                }
            },
            Map::Table(t) => t.get(char_index).copied().unwrap_or(self.len),
        };
        byte.min(self.len)
    }

    /// Byte offset where a span ending before the character at `char_index` ends: [`Self::byte`],
    /// except where the parsed text jumps over part of the source, where a span ends with its
    /// piece rather than where the next piece starts (saphyr ends a block scalar where the next
    /// token starts).
    pub(crate) fn byte_end(&self, char_index: usize) -> usize {
        if let Map::Runs { jumps, .. } = &self.map
            && let Ok(at) = jumps.binary_search_by_key(&char_index, |&(c, _)| c)
        {
            return jumps[at].1.min(self.len);
        }
        self.byte(char_index)
    }
}

/// Builds the runs of a parsed text made of pieces of the source, piece by piece.
#[derive(Default)]
pub(super) struct RunsBuilder {
    runs: Vec<(usize, usize)>,
    jumps: Vec<(usize, usize)>,
    /// Where the last piece ends in the source.
    end: usize,
    /// Characters of the parsed text so far.
    chars: usize,
}

impl RunsBuilder {
    /// Appends `piece`, which starts at byte `at` of the source.
    pub(super) fn push_text(&mut self, piece: &str, at: usize) {
        let continues = match self.runs.last() {
            Some(&(c, b)) => b + (self.chars - c) == at,
            None => self.chars == at,
        };
        if !continues {
            self.runs.push((self.chars, at));
            if self.chars > 0 {
                self.jumps.push((self.chars, self.end));
            }
        }
        self.end = at + piece.len();
        let bytes = piece.as_bytes();
        if bytes.is_ascii() {
            self.chars += bytes.len();
            return;
        }
        let mut from = 0;
        while let Some(found) = bytes[from..].iter().position(|b| !b.is_ascii()) {
            let start = from + found;
            let width = piece[start..].chars().next().map_or(1, char::len_utf8);
            self.chars += found + 1;
            from = start + width;
            self.runs.push((self.chars, at + from));
        }
        self.chars += bytes.len() - from;
    }

    /// The map, for a source `len` bytes long.
    pub(super) fn finish(mut self, len: usize) -> OffsetMap {
        self.runs.shrink_to_fit();
        OffsetMap {
            map: Map::Runs {
                runs: self.runs,
                jumps: self.jumps,
            },
            len,
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
        assert!(matches!(&m.map, Map::Runs { runs, jumps } if runs.is_empty() && jumps.is_empty()));
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
    fn runs_agree_with_a_table_of_every_character() {
        for src in ["", "a", "é", "aé", "éa", "a€b𝄞c", "ab\ncd’ef\n’’\n", "𝄞𝄞x"]
        {
            let m = OffsetMap::new(src);
            let chars: Vec<usize> = src.char_indices().map(|(b, _)| b).collect();
            for (i, &b) in chars.iter().enumerate() {
                assert_eq!(m.byte(i), b, "{src:?} char {i}");
            }
            assert_eq!(m.byte(chars.len()), src.len(), "{src:?} end");
        }
    }

    #[test]
    fn pieces_map_back_to_where_they_were_cut_from() {
        let src = "ab\nskipped é\ncd é\nskipped\nef\n";
        let pieces = [(0, 3), (14, 20), (28, 31)];
        let mut runs = RunsBuilder::default();
        let mut text = String::new();
        for (from, to) in pieces {
            runs.push_text(&src[from..to], from);
            text.push_str(&src[from..to]);
        }
        let m = runs.finish(src.len());
        for (i, (b, c)) in text.char_indices().enumerate() {
            let at = m.byte(i);
            assert_eq!(
                src[at..].chars().next(),
                Some(c),
                "char {i} at {b} of the text"
            );
        }
        assert_eq!(m.byte(0), 0);
        assert_eq!(m.byte(3), 14);
        assert_eq!(m.byte(8), 28);
        // A span ending at a jump ends with its piece; elsewhere ends and starts agree.
        assert_eq!(m.byte_end(3), 3);
        assert_eq!(m.byte_end(8), 20);
        for i in [0, 1, 2, 4, 6, 7, 9, 10] {
            assert_eq!(m.byte_end(i), m.byte(i), "char {i}");
        }
    }
}
