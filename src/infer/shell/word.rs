//! One word of a script: quotes (`'...'`, `"..."`, `$'...'`), escapes, and the substitutions
//! inside it (`$( )`, backticks, `<( )`, `${ }`, `$(( ))`), which are kept verbatim in the
//! word's text while the byte ranges of the commands inside are handed to the parser.

use super::Word;
use super::lexer::Lexer;
use super::vars::is_assignment_prefix;

/// A word plus the byte ranges of the command substitutions inside it.
#[derive(Debug)]
pub(super) struct WordTok {
    pub(super) word: Word,
    pub(super) substs: Vec<(usize, usize)>,
}

/// What the closing-delimiter scanner is inside of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `$(` or `(` inside it: ends at `)`.
    Paren,
    /// `${`: ends at `}`.
    Brace,
    /// `"`: ends at `"`.
    Double,
    /// `` ` ``: ends at `` ` ``.
    Backtick,
}

/// Bytes that end an unquoted word.
fn is_meta(c: u8) -> bool {
    matches!(
        c,
        b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>'
    )
}

impl Lexer<'_> {
    /// Index of the byte that closes a construct opened just before `i` in mode `first`
    /// (`)` for `$(`, `}` for `${`, `` ` `` for a backtick), or the limit when it never closes.
    fn find_close(&self, mut i: usize, first: Mode) -> usize {
        let mut stack = vec![first];
        while let Some(c) = self.at(i) {
            let Some(top) = stack.last().copied() else {
                break;
            };
            if top != Mode::Backtick
                && let Some((inner, len)) = self.opener(i)
            {
                stack.push(inner);
                i += len;
                continue;
            }
            match top {
                Mode::Double => match c {
                    b'\\' => i += 1,
                    b'"' => {
                        stack.pop();
                    }
                    _ => {}
                },
                Mode::Backtick => match c {
                    b'\\' => i += 1,
                    b'`' => {
                        stack.pop();
                    }
                    _ => {}
                },
                Mode::Paren | Mode::Brace => match c {
                    b'\\' => i += 1,
                    b'\'' => {
                        i += 1;
                        while self.at(i).is_some_and(|c| c != b'\'') {
                            i += 1;
                        }
                    }
                    b'"' => stack.push(Mode::Double),
                    b'(' if top == Mode::Paren => stack.push(Mode::Paren),
                    b')' if top == Mode::Paren => {
                        stack.pop();
                    }
                    b'}' if top == Mode::Brace => {
                        stack.pop();
                    }
                    b'#' if top == Mode::Paren
                        && (i == 0 || matches!(self.b.get(i - 1), Some(b' ' | b'\t' | b'\n'))) =>
                    {
                        while self.at(i).is_some_and(|c| c != b'\n') {
                            i += 1;
                        }
                        continue;
                    }
                    _ => {}
                },
            }
            if stack.is_empty() {
                return i;
            }
            i += 1;
        }
        self.limit
    }

    /// The construct that opens at `i` inside `"..."`, `$( )` or `${ }` (`$(`, `${` or a
    /// backtick), with the length of its opening.
    fn opener(&self, i: usize) -> Option<(Mode, usize)> {
        match (self.at(i)?, self.at(i + 1)) {
            (b'$', Some(b'(')) => Some((Mode::Paren, 2)),
            (b'$', Some(b'{')) => Some((Mode::Brace, 2)),
            (b'`', _) => Some((Mode::Backtick, 1)),
            _ => None,
        }
    }

    /// Lexes one word starting at `self.pos`.
    pub(super) fn word(&mut self) -> WordTok {
        let start = self.pos;
        let mut text = String::new();
        let mut substs = Vec::new();
        while let Some(c) = self.at(self.pos) {
            match c {
                b'<' | b'>' if self.pos == start && self.at(self.pos + 1) == Some(b'(') => {
                    // Process substitution `<(cmd)`: its commands run.
                    let close = self.find_close(self.pos + 2, Mode::Paren);
                    substs.push((self.pos + 2, close));
                    self.pos = (close + 1).min(self.limit);
                    text.push_str(self.src.get(start..self.pos).unwrap_or_default());
                }
                b'(' if is_assignment_prefix(&text) && self.pos > start => {
                    // Array assignment `A=(x y)`: one word.
                    let close = self.find_close(self.pos + 1, Mode::Paren);
                    let end = (close + 1).min(self.limit);
                    text.push_str(self.src.get(self.pos..end).unwrap_or_default());
                    self.pos = end;
                }
                c if is_meta(c) => break,
                b'\\' => match self.char_at(self.pos + 1) {
                    Some(('\n', _)) => self.pos += 2,
                    Some((ch, len)) => {
                        text.push(ch);
                        self.pos += 1 + len;
                    }
                    None => self.pos += 1,
                },
                b'\'' => {
                    let from = self.pos + 1;
                    let mut i = from;
                    while self.at(i).is_some_and(|c| c != b'\'') {
                        i += 1;
                    }
                    text.push_str(self.src.get(from..i).unwrap_or_default());
                    self.pos = (i + 1).min(self.limit);
                }
                b'$' if self.at(self.pos + 1) == Some(b'\'') => {
                    self.pos += 2;
                    self.ansi_c(&mut text);
                }
                b'"' => {
                    self.pos += 1;
                    self.double_quoted(&mut text, &mut substs);
                }
                b'$' | b'`' => self.dollar_or_backtick(&mut text, &mut substs),
                _ => match self.char_at(self.pos) {
                    Some((ch, len)) => {
                        text.push(ch);
                        self.pos += len;
                    }
                    None => self.pos += 1,
                },
            }
        }
        let end = self.pos;
        let raw = self.src.get(start..end).unwrap_or_default().to_owned();
        WordTok {
            word: Word {
                text,
                raw,
                start,
                end,
            },
            substs,
        }
    }

    /// `$( )`, `$(( ))`, `${ }` and backticks: kept verbatim in the text; the commands inside
    /// `$( )` and backticks are recorded for parsing.
    fn dollar_or_backtick(&mut self, text: &mut String, substs: &mut Vec<(usize, usize)>) {
        let from = self.pos;
        let end = if self.at(self.pos) == Some(b'`') {
            let close = self.find_close(self.pos + 1, Mode::Backtick);
            substs.push((self.pos + 1, close));
            close + 1
        } else if self.at(self.pos + 1) == Some(b'(') {
            let close = self.find_close(self.pos + 2, Mode::Paren);
            if self.at(self.pos + 2) != Some(b'(') {
                substs.push((self.pos + 2, close));
            }
            close + 1
        } else if self.at(self.pos + 1) == Some(b'{') {
            self.find_close(self.pos + 2, Mode::Brace) + 1
        } else {
            self.pos + 1
        };
        let end = end.min(self.limit).max(from + 1);
        text.push_str(self.src.get(from..end).unwrap_or_default());
        self.pos = end;
    }

    /// The inside of `"..."`; `self.pos` is just after the opening quote.
    fn double_quoted(&mut self, text: &mut String, substs: &mut Vec<(usize, usize)>) {
        while let Some(c) = self.at(self.pos) {
            match c {
                b'"' => {
                    self.pos += 1;
                    return;
                }
                b'\\' => match self.char_at(self.pos + 1) {
                    Some(('\n', _)) => self.pos += 2,
                    Some((ch @ ('$' | '`' | '"' | '\\'), len)) => {
                        text.push(ch);
                        self.pos += 1 + len;
                    }
                    _ => {
                        text.push('\\');
                        self.pos += 1;
                    }
                },
                b'$' | b'`' => self.dollar_or_backtick(text, substs),
                _ => match self.char_at(self.pos) {
                    Some((ch, len)) => {
                        text.push(ch);
                        self.pos += len;
                    }
                    None => self.pos += 1,
                },
            }
        }
    }

    /// The inside of `$'...'`; `self.pos` is just after the opening quote.
    fn ansi_c(&mut self, text: &mut String) {
        while let Some((ch, len)) = self.char_at(self.pos) {
            self.pos += len;
            match ch {
                '\'' => return,
                '\\' => {
                    if let Some((esc, elen)) = self.char_at(self.pos) {
                        self.pos += elen;
                        text.push(match esc {
                            'n' => '\n',
                            't' => '\t',
                            other => other,
                        });
                    }
                }
                other => text.push(other),
            }
        }
    }
}
