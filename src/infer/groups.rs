//! INFER stage: the shape GitHub expressions and Groovy conditions share: terms joined by `&&`
//! and `||`, string literals in quotes, groups in parentheses. Splitting on an operator outside
//! quotes and parentheses, and taking off the parentheses around a whole term. Used by
//! [`crate::infer::expression`] and [`crate::infer::jenkins_when`].

/// `text` split on `op` outside quotes (`'…'`, `"…"`) and parentheses, each part trimmed.
/// `None` when quotes or parentheses do not balance, or a part is empty (`a && `).
pub(crate) fn split_outside<'t>(text: &'t str, op: &str) -> Option<Vec<&'t str>> {
    let bytes = text.as_bytes();
    let mut at = Outside::default();
    let (mut start, mut i) = (0, 0);
    let mut parts = Vec::new();
    while i < bytes.len() {
        if at.read(bytes[i]) {
            if at.depth < 0 {
                return None;
            }
            // Byte-wise: `op` is ASCII, so a match starts and ends on character boundaries.
            if at.depth == 0 && bytes[i..].starts_with(op.as_bytes()) {
                parts.push(text[start..i].trim());
                i += op.len();
                start = i;
                continue;
            }
        }
        i += 1;
    }
    parts.push(text[start..].trim());
    (at.quote.is_none() && at.depth == 0 && parts.iter().all(|p| !p.is_empty())).then_some(parts)
}

/// `term`, trimmed, without the parentheses around all of it, however many (`((a))` → `a`);
/// the term itself when they do not hold all of it (`(a) && (b)`, `startsWith(a, 'b')`) or do
/// not balance.
pub(crate) fn ungrouped(term: &str) -> &str {
    let mut term = term.trim();
    while let Some(inner) = term.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        if !closes_at_end(term) {
            break;
        }
        term = inner.trim();
    }
    term
}

/// Whether the `(` that starts `term` closes at its last byte, quotes skipped.
fn closes_at_end(term: &str) -> bool {
    let mut at = Outside::default();
    for (i, b) in term.bytes().enumerate() {
        if at.read(b) && b == b')' && at.depth == 0 {
            return i == term.len() - 1;
        }
    }
    false
}

/// Where a left-to-right reading of a condition stands: inside which quote, and how deep in
/// parentheses (below 0 once more close than opened).
#[derive(Default)]
struct Outside {
    quote: Option<u8>,
    depth: isize,
}

impl Outside {
    /// Reads byte `b`; whether it stands outside quotes (a quote mark itself does not).
    fn read(&mut self, b: u8) -> bool {
        match self.quote {
            Some(q) => {
                if b == q {
                    self.quote = None;
                }
                false
            }
            None => {
                match b {
                    b'\'' | b'"' => {
                        self.quote = Some(b);
                        return false;
                    }
                    b'(' => self.depth += 1,
                    b')' => self.depth -= 1,
                    _ => {}
                }
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_outside_quotes_and_groups() {
        assert_eq!(
            split_outside("a && (b && c) && 'x&&y' && \"p && q\"", "&&"),
            Some(vec!["a", "(b && c)", "'x&&y'", "\"p && q\""])
        );
        assert_eq!(split_outside("a", "||"), Some(vec!["a"]));
        for bad in ["(a && b", "a) && b", "'a && b", "a && ", "&& a"] {
            assert_eq!(split_outside(bad, "&&"), None, "{bad}");
        }
    }

    #[test]
    fn takes_off_whole_groups_only() {
        assert_eq!(ungrouped(" ((a == 'x')) "), "a == 'x'");
        assert_eq!(ungrouped("(a) && (b)"), "(a) && (b)");
        assert_eq!(ungrouped("(a == ')')"), "a == ')'");
        assert_eq!(ungrouped("startsWith(a, 'b')"), "startsWith(a, 'b')");
        assert_eq!(ungrouped("(a"), "(a");
    }
}
