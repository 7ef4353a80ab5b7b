//! The shell keywords of a script's text that shape an `if` or a `case`, with their offsets,
//! and how many are open at each: read from the text alone, with quoted text and comments
//! skipped, for [`super::condition_branch_in`] and `Unit::in_conditional`.

/// How many `if`s and `case`s are open after each of a script's `keywords`
/// ([`script_keywords`]), with the keyword's offset: asked with [`in_conditional`], once for
/// all the script's commands.
pub(crate) fn nesting(keywords: &[(usize, &str)]) -> Vec<(usize, i32)> {
    let mut depth = 0i32;
    keywords
        .iter()
        .map(|&(offset, word)| {
            match word {
                "if" | "case" => depth += 1,
                "fi" | "esac" => depth -= 1,
                _ => {}
            }
            (offset, depth)
        })
        .collect()
}

/// Whether byte `at` of a script sits inside an `if` or a `case` that is still open there (a
/// command that may not run), from the script's [`nesting`].
pub(crate) fn in_conditional(nesting: &[(usize, i32)], at: usize) -> bool {
    let before = nesting.partition_point(|(offset, _)| *offset < at);
    before
        .checked_sub(1)
        .and_then(|last| nesting.get(last))
        .is_some_and(|(_, depth)| *depth > 0)
}

/// The shell keywords of `text` that shape an `if` or a `case`, with their byte offsets.
pub(crate) fn script_keywords(text: &str) -> Vec<(usize, &'static str)> {
    words(text)
        .filter_map(|(offset, w)| {
            let keyword = match w {
                "if" => "if",
                "then" => "then",
                "else" => "else",
                "elif" => "elif",
                "fi" => "fi",
                "case" => "case",
                "esac" => "esac",
                _ => return None,
            };
            Some((offset, keyword))
        })
        .collect()
}

/// The words of `text` as the shell separates commands (at blanks and `;`, `(`, `)`, `&`,
/// `|`), with their byte offsets; quoted text (`'...'`, `"..."`) and comments (`#` to the end
/// of the line, at the start of a word) hold no keyword, so an `if` in an awk program
/// (`awk '{ if (!ok) print $1 }'`), a message or a comment opens nothing.
pub(super) fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let b = text.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    // Whether the current word has a quote in it: then it is no keyword.
    let mut quoted = false;
    let end_word = |start: &mut Option<usize>, quoted: &mut bool, at: usize, out: &mut Vec<_>| {
        if let Some(s) = start.take()
            && !std::mem::take(quoted)
        {
            out.push((s, text.get(s..at).unwrap_or_default()));
        }
        *quoted = false;
    };
    while let Some(&c) = b.get(i) {
        match c {
            b'\\' => {
                start.get_or_insert(i);
                quoted = true;
                i += 2;
                continue;
            }
            b'\'' | b'"' => {
                start.get_or_insert(i);
                quoted = true;
                i += 1;
                while let Some(&q) = b.get(i) {
                    i += 1;
                    if q == c {
                        break;
                    }
                    if c == b'"' && q == b'\\' {
                        i += 1;
                    }
                }
                continue;
            }
            b'#' if start.is_none() => {
                while b.get(i).is_some_and(|&n| n != b'\n') {
                    i += 1;
                }
                continue;
            }
            _ => {}
        }
        let separator = c.is_ascii_whitespace() || matches!(c, b';' | b'(' | b')' | b'&' | b'|');
        if separator {
            end_word(&mut start, &mut quoted, i, &mut out);
        } else {
            start.get_or_insert(i);
        }
        i += 1;
    }
    end_word(&mut start, &mut quoted, text.len(), &mut out);
    out.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_conditional_sees_open_if_and_case() {
        let script = "A=1\nif [ x ]; then\n  B=2\nfi\ncase $1 in\n  a) C=3 ;;\nesac\nD=4\n";
        let nesting = nesting(&script_keywords(script));
        let at = |n: &str| in_conditional(&nesting, script.find(n).unwrap_or(0));
        assert!(!at("A=1"));
        assert!(at("B=2"));
        assert!(at("C=3"));
        assert!(!at("D=4"));
    }

    #[test]
    fn keywords_in_quotes_and_comments_open_nothing() {
        let script = "for p in $(kubectl get pods | awk '\n  { if (!ok) print $1 }'); do\n  echo \"deploy if ready\"\ndone\n# deploy if on main\nNS=shop # case closed\nA=1\nif [ x ]; then B=2; fi\n";
        let nesting = nesting(&script_keywords(script));
        let at = |n: &str| in_conditional(&nesting, script.find(n).unwrap_or(0));
        assert!(!at("NS=shop"));
        assert!(!at("A=1"));
        assert!(at("B=2"));
        let words: Vec<&str> = script_keywords(script).iter().map(|(_, w)| *w).collect();
        assert_eq!(words, ["if", "then", "fi"]);
    }
}
