//! The token stream of a script: words, operators (`|`, `&&`, `;`, `(`, `)`), redirections,
//! and newlines carrying the heredoc bodies that follow them. Comments and `\`-newline
//! continuations are skipped here; reading one word is in [`super::word`].

use super::word::WordTok;

/// An operator that separates or groups commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    /// `|` or `|&`: the next command reads this one's output.
    Pipe,
    /// `;`, `&`, `&&`, `||` and case-arm ends: the next command is independent.
    List,
    LParen,
    RParen,
}

#[derive(Debug)]
pub(super) enum Tok {
    Word(WordTok),
    /// A redirection operator; `start` includes a leading descriptor (`2>`).
    Redirect {
        op: String,
        start: usize,
    },
    Op(Op),
    /// A newline, with the bodies of the heredocs opened on the line it ends.
    Newline {
        bodies: Vec<String>,
    },
}

/// Scans `src[pos..limit]`; nested constructs are scanned by new lexers over sub-ranges.
pub(super) struct Lexer<'a> {
    pub(super) src: &'a str,
    pub(super) b: &'a [u8],
    pub(super) pos: usize,
    pub(super) limit: usize,
    /// Heredocs whose bodies start after the next newline: (delimiter, strip leading tabs).
    pub(super) pending: Vec<(String, bool)>,
}

impl<'a> Lexer<'a> {
    pub(super) fn new(src: &'a str, start: usize, limit: usize) -> Lexer<'a> {
        let limit = limit.min(src.len());
        Lexer {
            src,
            b: src.as_bytes(),
            pos: start.min(limit),
            limit,
            pending: Vec::new(),
        }
    }

    pub(super) fn at(&self, i: usize) -> Option<u8> {
        if i < self.limit {
            self.b.get(i).copied()
        } else {
            None
        }
    }

    /// The char at `i` and its length; `None` at the end (or, defensively, off a boundary).
    pub(super) fn char_at(&self, i: usize) -> Option<(char, usize)> {
        if i >= self.limit {
            return None;
        }
        let c = self.src.get(i..)?.chars().next()?;
        Some((c, c.len_utf8()))
    }

    pub(super) fn next_token(&mut self) -> Option<Tok> {
        loop {
            let c = self.at(self.pos)?;
            match c {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\\' if self.at(self.pos + 1) == Some(b'\n') => self.pos += 2,
                b'#' => {
                    while let Some(c) = self.at(self.pos) {
                        if c == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                b'\n' => {
                    self.pos += 1;
                    let bodies = self.read_heredocs();
                    return Some(Tok::Newline { bodies });
                }
                b';' => {
                    self.pos += 1;
                    // `;;`, `;&` and `;;&` end a case arm.
                    while matches!(self.at(self.pos), Some(b';' | b'&')) {
                        self.pos += 1;
                    }
                    return Some(Tok::Op(Op::List));
                }
                b'&' => {
                    let start = self.pos;
                    match self.at(self.pos + 1) {
                        Some(b'&') => {
                            self.pos += 2;
                            return Some(Tok::Op(Op::List));
                        }
                        Some(b'>') => return Some(self.redirect(start)),
                        _ => {
                            self.pos += 1;
                            return Some(Tok::Op(Op::List));
                        }
                    }
                }
                b'|' => {
                    match self.at(self.pos + 1) {
                        Some(b'|') => {
                            self.pos += 2;
                            return Some(Tok::Op(Op::List));
                        }
                        Some(b'&') => self.pos += 2,
                        _ => self.pos += 1,
                    }
                    return Some(Tok::Op(Op::Pipe));
                }
                b'(' => {
                    self.pos += 1;
                    return Some(Tok::Op(Op::LParen));
                }
                b')' => {
                    self.pos += 1;
                    return Some(Tok::Op(Op::RParen));
                }
                b'<' | b'>' => {
                    if self.at(self.pos + 1) == Some(b'(') {
                        return Some(Tok::Word(self.word()));
                    }
                    let start = self.pos;
                    return Some(self.redirect(start));
                }
                b'0'..=b'9' => {
                    let mut j = self.pos;
                    while matches!(self.at(j), Some(b'0'..=b'9')) {
                        j += 1;
                    }
                    if matches!(self.at(j), Some(b'<' | b'>')) && self.at(j + 1) != Some(b'(') {
                        let start = self.pos;
                        self.pos = j;
                        return Some(self.redirect(start));
                    }
                    return Some(Tok::Word(self.word()));
                }
                _ => return Some(Tok::Word(self.word())),
            }
        }
    }

    /// Lexes a redirection operator at `self.pos`; `start` includes a leading descriptor.
    fn redirect(&mut self, start: usize) -> Tok {
        const OPS: &[&str] = &[
            "&>>", "&>", "<<<", "<<-", "<<", "<>", "<&", "<", ">>", ">&", ">|", ">",
        ];
        let rest = self.src.get(self.pos..self.limit).unwrap_or_default();
        let len = OPS
            .iter()
            .find(|op| rest.starts_with(**op))
            .map_or(1, |op| op.len());
        self.pos += len;
        let op = self.src.get(start..self.pos).unwrap_or_default().to_owned();
        Tok::Redirect { op, start }
    }

    /// Reads the bodies of pending heredocs, which start at `self.pos` (just after a newline).
    fn read_heredocs(&mut self) -> Vec<String> {
        let pending = std::mem::take(&mut self.pending);
        let mut bodies = Vec::new();
        for (delim, strip_tabs) in pending {
            let mut body = String::new();
            while self.pos < self.limit {
                let line_end = self.b[self.pos..self.limit]
                    .iter()
                    .position(|c| *c == b'\n')
                    .map_or(self.limit, |p| self.pos + p);
                let line = self.src.get(self.pos..line_end).unwrap_or_default();
                self.pos = (line_end + 1).min(self.limit);
                let probe = if strip_tabs {
                    line.trim_start_matches('\t')
                } else {
                    line
                };
                if probe.trim_end_matches('\r') == delim {
                    break;
                }
                body.push_str(line);
                body.push('\n');
            }
            bodies.push(body);
        }
        bodies
    }
}
