//! Globs over repository paths, as GitLab's `include: local` writes them, matched by `globset`.
//!
//! - `*` matches any run of characters within one path segment (not `/`);
//! - `**` matches any run of characters, `/` included, and `**/` matches zero or more whole
//!   directories, so `ci/**/*.yml` matches `ci/a.yml` and `ci/x/y/a.yml`;
//! - `?` matches one character other than `/`;
//! - `[abc]`, `[a-z]`, `[!abc]` / `[^abc]` match one character (other than `/`) in or out of
//!   the class; a `]` right after `[` or `[!` is a member, and an unclosed `[` is a literal;
//! - a leading `/` is ignored (GitLab writes `include: /ci/*.yml` for repository-root paths);
//! - everything else, `{`, `}` and `\` included, is literal.
//!
//! Names starting with `.` are matched like any other (GitLab's `include:local` does the same).
//!
//! globset reads a few of these differently (`**` inside a segment is two `*` there, `{a,b}` is
//! an alternation, a reversed range is an error), so a pattern is first written out in globset's
//! syntax with the meaning above.

use globset::{GlobBuilder, GlobMatcher};

/// A compiled glob over `/`-separated repository paths.
#[derive(Clone, Debug)]
pub(crate) struct PathGlob {
    /// `None` when globset refused the translated pattern; it then matches nothing.
    matcher: Option<GlobMatcher>,
}

impl PathGlob {
    /// Compiles `pattern` (see the module documentation for its syntax).
    pub(crate) fn new(pattern: &str) -> PathGlob {
        let matcher = GlobBuilder::new(&to_globset(pattern))
            .literal_separator(true)
            .backslash_escape(true)
            .empty_alternates(true)
            .build()
            .ok()
            .map(|glob| glob.compile_matcher());
        PathGlob { matcher }
    }

    /// Whether the repository-relative `path` matches.
    pub(crate) fn matches(&self, path: &str) -> bool {
        self.matcher.as_ref().is_some_and(|m| m.is_match(path))
    }
}

/// `pattern` in globset's syntax, with the meaning the module documentation gives it.
fn to_globset(pattern: &str) -> String {
    let chars: Vec<char> = pattern.trim_start_matches('/').chars().collect();
    let mut out = String::with_capacity(pattern.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match c {
            '*' => {
                let run = chars[i..].iter().take_while(|&&c| c == '*').count();
                let whole_segment = i == 0 || chars.get(i - 1) == Some(&'/');
                i += run;
                if run == 1 {
                    out.push('*');
                    continue;
                }
                let dirs = chars.get(i) == Some(&'/');
                if dirs {
                    i += 1;
                }
                out.push_str(match (dirs, whole_segment) {
                    // A whole `**/` segment is globset's own "zero or more directories"
                    // (except alone, where globset matches everything).
                    (true, true) if i < chars.len() => "**/",
                    // `x**/`, or a trailing `**/`: nothing, or any text that ends with `/`.
                    (true, _) => "{,*/**/}",
                    // A trailing whole `**` segment is globset's own "anything below".
                    (false, true) if i == chars.len() => "**",
                    // `**` within a segment: any text, `/` included.
                    (false, _) => "{*,*/**/*}",
                });
            }
            '?' => {
                out.push('?');
                i += 1;
            }
            '[' => match parse_class(&chars, i + 1) {
                Some((class, next)) => {
                    class.write(&mut out);
                    i = next;
                }
                None => {
                    out.push_str("\\[");
                    i += 1;
                }
            },
            _ => {
                push_literal(&mut out, c);
                i += 1;
            }
        }
    }
    out
}

/// Writes `c` so that globset reads it as itself.
fn push_literal(out: &mut String, c: char) {
    if matches!(c, '\\' | '*' | '?' | '[' | ']' | '{' | '}' | ',') {
        out.push('\\');
    }
    out.push(c);
}

/// A bracket class: its members as inclusive ranges, and whether it is negated.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Class {
    negated: bool,
    ranges: Vec<(char, char)>,
}

/// Characters globset reads specially inside a class (`]` closes it, `-` makes a range, `[:`
/// opens a POSIX class, `!` or `^` first negates); they are written where they are plain.
const CLASS_SPECIALS: [char; 5] = [']', '-', '[', '!', '^'];

impl Class {
    /// Writes the class in globset's syntax: `]` first, then the ordinary ranges, then `[`, `!`
    /// and `^`, and `-` last, where each reads as itself. A class that is not negated never
    /// starts with `!` or `^` (that would negate it), so one of the others leads.
    fn write(&self, out: &mut String) {
        let mut ranges = self.ranges.clone();
        let mut specials = Vec::new();
        for c in CLASS_SPECIALS {
            if remove_char(&mut ranges, c) {
                specials.push(c);
            }
        }
        let has = |c: char| specials.contains(&c);
        out.push('[');
        if self.negated {
            out.push('!');
        }
        if has(']') {
            out.push(']');
        }
        // With nothing else to lead, `-` goes first, where it is plain too.
        let dash_first = has('-') && !self.negated && !has(']') && ranges.is_empty() && !has('[');
        if dash_first {
            out.push('-');
        }
        for (lo, hi) in ranges {
            out.push(lo);
            if hi != lo {
                out.push('-');
                out.push(hi);
            }
        }
        for c in ['[', '!', '^'] {
            if has(c) {
                out.push(c);
            }
        }
        if has('-') && !dash_first {
            out.push('-');
        }
        out.push(']');
    }
}

/// Takes `c` out of `ranges`, splitting the range that holds it; whether it was there.
fn remove_char(ranges: &mut Vec<(char, char)>, c: char) -> bool {
    let mut found = false;
    let mut kept = Vec::with_capacity(ranges.len() + 1);
    for &(lo, hi) in ranges.iter() {
        if !(lo..=hi).contains(&c) {
            kept.push((lo, hi));
            continue;
        }
        found = true;
        // `c` is ASCII, so its neighbours are characters.
        if let Some(before) = char::from_u32(u32::from(c) - 1).filter(|b| lo <= *b) {
            kept.push((lo, before));
        }
        if let Some(after) = char::from_u32(u32::from(c) + 1).filter(|a| *a <= hi) {
            kept.push((after, hi));
        }
    }
    *ranges = kept;
    found
}

/// Parses a class body starting after `[`; returns the class and the index after `]`, or `None`
/// when the class is not closed.
fn parse_class(chars: &[char], start: usize) -> Option<(Class, usize)> {
    let mut i = start;
    let negated = matches!(chars.get(i), Some('!' | '^'));
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let c = *chars.get(i)?;
        // A `]` right after `[` or `[!` is a member, as in shell globs.
        if c == ']' && !first {
            return Some((Class { negated, ranges }, i + 1));
        }
        first = false;
        match (chars.get(i + 1), chars.get(i + 2)) {
            (Some('-'), Some(&hi)) if hi != ']' => {
                ranges.push((c.min(hi), c.max(hi)));
                i += 3;
            }
            _ => {
                ranges.push((c, c));
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests;
