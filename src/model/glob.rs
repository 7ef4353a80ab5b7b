//! MODEL stage: branch and tag patterns (`main`, `feature/*`, `release/**`, `v[0-9]*`).
//!
//! The syntax is the subset on which GitHub's `on.push` filters, git and gitops-gen agree:
//! literals, `*`, `**` and `[a-z0-9]` ranges. Syntax they read differently (`?`, `+`, `!`,
//! negated classes) is rejected, so the same pattern can be written into a workflow verbatim,
//! translated exactly into a GitLab `=~` regex, and matched by `gitops-gen promote --ref`.
//!
//! Matching runs the GitLab regex itself (compiled by the `regex` crate), so `promote --ref`
//! and GitLab's `rules:` cannot disagree. `globset` is not used here: its `**` is special only
//! as a whole path component (`**/x` also matches `x`, `a**` does not cross `/`), while these
//! patterns read `**` anywhere as "any run of characters, `/` included".

use std::fmt;

use regex::{Regex, RegexBuilder};

/// One parsed pattern piece.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Literal(char),
    /// `*`: any run of characters except `/`.
    Star,
    /// `**`: any run of characters, `/` included.
    DoubleStar,
    /// `[a-z0-9]`: one character from the ranges.
    Class {
        ranges: Vec<(char, char)>,
    },
}

/// A validated branch or tag pattern.
#[derive(Clone, Debug)]
pub(crate) struct RefPattern {
    text: String,
    pieces: Vec<Piece>,
    /// [`RefPattern::to_regex`], compiled.
    matcher: Regex,
}

impl PartialEq for RefPattern {
    fn eq(&self, other: &RefPattern) -> bool {
        self.text == other.text
    }
}

impl Eq for RefPattern {}

/// Why a pattern was rejected; the message completes "invalid pattern `x`: ...".
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PatternError {
    /// Byte offset inside the pattern.
    pub offset: usize,
    pub reason: String,
}

impl RefPattern {
    /// Parses and validates a pattern. Characters git forbids in ref names are rejected too,
    /// because such a pattern could never match a branch.
    pub(crate) fn parse(text: &str) -> Result<RefPattern, PatternError> {
        let err = |offset: usize, reason: &str| PatternError {
            offset,
            reason: reason.to_owned(),
        };
        if text.is_empty() {
            return Err(err(0, "a pattern cannot be empty"));
        }
        if text.starts_with('/') || text.ends_with('/') || text.contains("//") {
            return Err(err(
                0,
                "a pattern cannot start or end with `/` or contain `//`",
            ));
        }
        if text.contains("..") || text.ends_with(".lock") || text.starts_with('-') {
            return Err(err(
                0,
                "git does not allow `..`, a leading `-` or a `.lock` suffix",
            ));
        }
        let mut pieces = Vec::new();
        let mut chars = text.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            match c {
                '*' => {
                    if chars.peek().map(|&(_, n)| n) == Some('*') {
                        chars.next();
                        pieces.push(Piece::DoubleStar);
                    } else {
                        pieces.push(Piece::Star);
                    }
                }
                // GitHub filters read `?` and `+` as "zero or one / one or more of the previous
                // character", git and shells as a wildcard; refuse rather than mean two things.
                '?' | '+' => {
                    return Err(err(
                        at,
                        "`?` and `+` mean different things to GitHub filters and git; use `*` or a character class",
                    ));
                }
                '!' if at == 0 => {
                    return Err(err(
                        at,
                        "a leading `!` negates a GitHub filter; list the branches that should promote instead",
                    ));
                }
                '[' => {
                    if matches!(chars.peek().map(|&(_, n)| n), Some('!' | '^')) {
                        return Err(err(
                            at,
                            "negated character classes are not supported by GitHub filters",
                        ));
                    }
                    let mut ranges = Vec::new();
                    let mut closed = false;
                    while let Some((_, c)) = chars.next() {
                        if c == ']' && !ranges.is_empty() {
                            closed = true;
                            break;
                        }
                        if chars.peek().map(|&(_, n)| n) == Some('-') {
                            chars.next();
                            match chars.next() {
                                Some((_, hi)) if hi >= c && same_range_class(c, hi) => {
                                    ranges.push((c, hi))
                                }
                                _ => {
                                    return Err(err(
                                        at,
                                        "a character range must stay within a-z, A-Z or 0-9, low to high",
                                    ));
                                }
                            }
                        } else {
                            ranges.push((c, c));
                        }
                    }
                    if !closed {
                        return Err(err(at, "`[` opens a character class that is never closed"));
                    }
                    pieces.push(Piece::Class { ranges });
                }
                ']' => {
                    return Err(err(
                        at,
                        "`]` closes a character class that was never opened",
                    ));
                }
                c if c.is_whitespace() || c.is_control() => {
                    return Err(err(
                        at,
                        "whitespace and control characters never occur in git refs",
                    ));
                }
                '~' | '^' | ':' | '\\' => {
                    return Err(err(at, "git refs cannot contain `~`, `^`, `:` or `\\`"));
                }
                c => pieces.push(Piece::Literal(c)),
            }
        }
        // Escaping `[`, `&` and `~` too changes nothing for RE2 but keeps the `regex` crate from
        // reading them as a nested class or a class operation (`&&`, `~~`).
        let matcher = RegexBuilder::new(&regex_text(&pieces, "[&~"))
            .dot_matches_new_line(true)
            .build()
            .map_err(|_| err(0, "the pattern is too long to match"))?;
        Ok(RefPattern {
            text: text.to_owned(),
            pieces,
            matcher,
        })
    }

    /// The pattern as written.
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the pattern has no wildcards.
    pub(crate) fn is_literal(&self) -> bool {
        self.pieces.iter().all(|p| matches!(p, Piece::Literal(_)))
    }

    /// The literal text before the first wildcard; used for GitHub `startsWith` guards, which
    /// are coarse and therefore backed by an exact `gitops-gen promote --ref` check.
    pub(crate) fn literal_prefix(&self) -> String {
        self.pieces
            .iter()
            .map_while(|p| match p {
                Piece::Literal(c) => Some(*c),
                _ => None,
            })
            .collect()
    }

    /// Whether `name` (a branch or tag name without `refs/...`) matches.
    pub(crate) fn matches(&self, name: &str) -> bool {
        self.matcher.is_match(name)
    }

    /// An anchored POSIX-ERE/RE2 regex equivalent, for GitLab `=~` rules.
    pub(crate) fn to_regex(&self) -> String {
        regex_text(&self.pieces, "")
    }

    /// Whether some ref name could match both patterns. Exact for literals; for two wildcard
    /// patterns this compares literal prefixes, which is what catches `feature/*` vs `feature/**`
    /// and `release/*` vs `*`.
    pub(crate) fn overlaps(&self, other: &RefPattern) -> bool {
        if self.is_literal() {
            return other.matches(&self.text);
        }
        if other.is_literal() {
            return self.matches(&other.text);
        }
        let (a, b) = (self.literal_prefix(), other.literal_prefix());
        a.starts_with(&b) || b.starts_with(&a)
    }
}

fn same_range_class(lo: char, hi: char) -> bool {
    [
        char::is_ascii_lowercase,
        char::is_ascii_uppercase,
        char::is_ascii_digit,
    ]
    .iter()
    .any(|class| class(&lo) && class(&hi))
}

/// The anchored regex of `pieces`; `class_escapes` are escaped inside classes in addition to
/// the characters RE2 needs escaped there.
fn regex_text(pieces: &[Piece], class_escapes: &str) -> String {
    let mut out = String::from("^");
    for piece in pieces {
        match piece {
            Piece::Literal(c) => {
                if "\\.+*?()|[]{}^$/".contains(*c) {
                    out.push('\\');
                }
                out.push(*c);
            }
            Piece::Star => out.push_str("[^\\/]*"),
            Piece::DoubleStar => out.push_str(".*"),
            Piece::Class { ranges } => {
                let push = |out: &mut String, c: char| {
                    if "\\]^-/".contains(c) || class_escapes.contains(c) {
                        out.push('\\');
                    }
                    out.push(c);
                };
                out.push('[');
                for (lo, hi) in ranges {
                    push(&mut out, *lo);
                    if lo != hi {
                        out.push('-');
                        push(&mut out, *hi);
                    }
                }
                out.push(']');
            }
        }
    }
    out.push('$');
    out
}

impl fmt::Display for RefPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(s: &str) -> RefPattern {
        RefPattern::parse(s).unwrap_or_else(|e| panic!("{s}: {}", e.reason))
    }

    #[test]
    fn matching_follows_github_filter_semantics() {
        assert!(pat("main").matches("main"));
        assert!(!pat("main").matches("main2"));
        assert!(pat("feature/*").matches("feature/login"));
        assert!(!pat("feature/*").matches("feature/a/b"));
        assert!(pat("feature/**").matches("feature/a/b"));
        assert!(pat("v[0-9]*").matches("v1.2.3"));
        assert!(!pat("v[0-9]*").matches("vx"));
        assert!(pat("release-[0-9]").matches("release-1"));
        assert!(pat("*-rc").matches("v1-rc"));
    }

    /// The matcher is built without the `regex` crate's Unicode tables (they double the
    /// binary's start-up relocations); non-ASCII refs still match character by character.
    #[test]
    fn non_ascii_refs_match_without_unicode_tables() {
        assert!(pat("feature/é*").matches("feature/été"));
        assert!(pat("release/*").matches("release/βγ"));
        assert!(!pat("release/*").matches("release/β/γ"));
        assert!(pat("日本/**").matches("日本/a/b"));
    }

    /// `**` crosses `/` wherever it stands and never stands for a missing `/`; class members
    /// that are syntax to the `regex` crate are plain members.
    #[test]
    fn corner_cases_keep_their_meaning() {
        assert!(!pat("**/hotfix").matches("hotfix"));
        assert!(pat("**/hotfix").matches("a/b/hotfix"));
        assert!(!pat("a/**/b").matches("a/b"));
        assert!(pat("a/**/b").matches("a/x/y/b"));
        assert!(pat("rel**").matches("release/1/x"));
        assert!(pat("**").matches("any/thing"));
        assert!(pat("x[[]").matches("x["));
        assert!(pat("x[&&]").matches("x&"));
        assert!(pat("x[~]").matches("x~"));
        assert!(pat("x[a-c.]").matches("x."));
        assert!(!pat("x[a-c.]").matches("xd"));
        assert!(pat("a**").matches("a\nb"));
        assert!(pat("*").matches(""));
        assert!(!pat("*").matches("a/b"));
        assert_eq!(pat("x[[]").to_regex(), "^x[[]$");
        // The hand-written matcher this replaced backtracked only to the last wildcard and
        // missed these, although its GitLab regex matched them.
        assert!(pat("release/**/*").matches("release/a/b/c"));
        assert!(pat("**-*").matches("a/b-c"));
    }

    #[test]
    fn regex_translation_is_anchored_and_escaped() {
        assert_eq!(pat("main").to_regex(), "^main$");
        assert_eq!(pat("feature/*").to_regex(), "^feature\\/[^\\/]*$");
        assert_eq!(pat("v[0-9].*").to_regex(), "^v[0-9]\\.[^\\/]*$");
        assert_eq!(pat("release/**").to_regex(), "^release\\/.*$");
    }

    #[test]
    fn malformed_patterns_are_rejected() {
        for bad in [
            "", "a b", "feat[", "x]", "a..b", "/main", "main/", "a~1", "[z-a]",
        ] {
            assert!(
                RefPattern::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn overlap_detection() {
        assert!(pat("main").overlaps(&pat("main")));
        assert!(pat("feature/*").overlaps(&pat("feature/x")));
        assert!(pat("feature/*").overlaps(&pat("feature/**")));
        assert!(!pat("develop").overlaps(&pat("feature/*")));
        assert!(!pat("release/*").overlaps(&pat("hotfix/*")));
    }
}
