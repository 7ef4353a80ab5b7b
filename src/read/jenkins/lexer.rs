//! READ stage: the Jenkinsfile lexer, turning Groovy source into tokens with byte spans.
//!
//! It understands every Groovy string form, because a mis-lexed quote would derail everything
//! after it. Slashy strings (`/re/`) are only recognised where a pattern is expected, since `/`
//! is otherwise division. The lexer never recurses, so no input can exhaust the stack.

use super::token::{StrLit, Token, TokenKind};
use crate::yaml::Span;

/// A lexing failure: what went wrong and the span from the construct's start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LexError {
    /// Lowercase message.
    pub(crate) message: String,
    /// Where; for unterminated constructs, from the opening delimiter to where lexing gave up.
    pub(crate) span: Span,
}

/// The tokens that could be read (always ending with `Eof`) and the error that stopped lexing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Lexed {
    /// Tokens up to the error, or the whole file.
    pub(crate) tokens: Vec<Token>,
    /// Why lexing stopped early, if it did.
    pub(crate) error: Option<LexError>,
}

/// Lexes `src`. On an error, the tokens before it are kept so the parser can still read a
/// partial pipeline.
pub(crate) fn lex(src: &str) -> Lexed {
    let mut lexer = Lexer {
        src,
        bytes: src.as_bytes(),
        pos: 0,
        tokens: Vec::new(),
    };
    let error = lexer.run().err();
    let end = error.as_ref().map_or(src.len(), |e| e.span.start);
    lexer.tokens.push(Token {
        kind: TokenKind::Eof,
        span: Span::empty(end),
    });
    Lexed {
        tokens: lexer.tokens,
        error,
    }
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
}

/// The closing delimiter and rules of one quoted string form.
#[derive(Copy, Clone)]
struct Quote {
    delim: &'static str,
    interpolates: bool,
    multiline: bool,
}

impl Lexer<'_> {
    fn at(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.pos + offset).copied()
    }

    fn push(&mut self, kind: TokenKind, start: usize, end: usize) {
        self.tokens.push(Token {
            kind,
            span: Span::new(start, end),
        });
        self.pos = end;
    }

    fn run(&mut self) -> Result<(), LexError> {
        // A shebang line (`#!/usr/bin/env groovy`) is legal at the very start of a script.
        if self.src.starts_with("#!") {
            self.pos = self.src.find('\n').unwrap_or(self.src.len());
        }
        while let Some(b) = self.at(0) {
            let start = self.pos;
            match b {
                b' ' | b'\t' | b'\x0c' => self.pos += 1,
                b'\r' if self.at(1) == Some(b'\n') => {
                    self.push(TokenKind::Newline, start, start + 2)
                }
                b'\r' => self.pos += 1,
                b'\n' => self.push(TokenKind::Newline, start, start + 1),
                b'/' if self.at(1) == Some(b'/') => {
                    self.pos = self.src[start..]
                        .find('\n')
                        .map_or(self.src.len(), |i| start + i);
                }
                b'/' if self.at(1) == Some(b'*') => match self.src[start + 2..].find("*/") {
                    Some(i) => self.pos = start + 2 + i + 2,
                    None => {
                        return Err(LexError {
                            message: "unterminated `/*` comment".to_owned(),
                            span: Span::new(start, self.src.len()),
                        });
                    }
                },
                b'/' if self.slashy_allowed() => self.slashy(start)?,
                b'$' if self.at(1) == Some(b'/') => self.dollar_slashy(start)?,
                b'\'' | b'"' => self.quoted(start, b)?,
                b'0'..=b'9' => self.number(start),
                b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'$' => self.ident(start),
                _ if b >= 0x80 => {
                    let c = self.src[start..].chars().next().unwrap_or('\u{fffd}');
                    if c.is_alphabetic() {
                        self.ident(start);
                    } else {
                        self.push(TokenKind::Other, start, start + c.len_utf8());
                    }
                }
                _ => self.punct(start, b),
            }
        }
        Ok(())
    }

    fn punct(&mut self, start: usize, b: u8) {
        let next = self.at(1);
        let (kind, len) = match (b, next) {
            (b'=', Some(b'=')) if self.at(2) == Some(b'~') => (TokenKind::Match, 3),
            (b'=', Some(b'=')) => (TokenKind::EqEq, 2),
            (b'=', Some(b'~')) => (TokenKind::Find, 2),
            (b'=', _) => (TokenKind::Assign, 1),
            (b'!', Some(b'=')) => (TokenKind::NotEq, 2),
            (b'!', _) => (TokenKind::Bang, 1),
            (b'&', Some(b'&')) => (TokenKind::AndAnd, 2),
            (b'|', Some(b'|')) => (TokenKind::OrOr, 2),
            (b'-', Some(b'>')) => (TokenKind::Arrow, 2),
            // One token, so the parser can tell `i++` (no operand follows) from `a + b`.
            (b'+', Some(b'+')) | (b'-', Some(b'-')) => (TokenKind::Other, 2),
            (b'{', _) => (TokenKind::LBrace, 1),
            (b'}', _) => (TokenKind::RBrace, 1),
            (b'(', _) => (TokenKind::LParen, 1),
            (b')', _) => (TokenKind::RParen, 1),
            (b'[', _) => (TokenKind::LBracket, 1),
            (b']', _) => (TokenKind::RBracket, 1),
            (b',', _) => (TokenKind::Comma, 1),
            (b':', _) => (TokenKind::Colon, 1),
            (b';', _) => (TokenKind::Semicolon, 1),
            (b'.', _) => (TokenKind::Dot, 1),
            (b'?', _) => (TokenKind::Question, 1),
            (b'*', _) => (TokenKind::Star, 1),
            _ => (TokenKind::Other, 1),
        };
        self.push(kind, start, start + len);
    }

    fn ident(&mut self, start: usize) {
        let mut end = start;
        for c in self.src[start..].chars() {
            if c.is_ascii_alphanumeric()
                || c == '_'
                || c == '$'
                || (!c.is_ascii() && c.is_alphanumeric())
            {
                end += c.len_utf8();
            } else {
                break;
            }
        }
        self.push(TokenKind::Ident, start, end.max(start + 1));
    }

    fn number(&mut self, start: usize) {
        let word = |from: usize| {
            self.bytes[from..]
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                .map_or(self.bytes.len(), |i| from + i)
        };
        let mut end = word(start);
        if self.bytes.get(end) == Some(&b'.')
            && self.bytes.get(end + 1).is_some_and(u8::is_ascii_digit)
        {
            end = word(end + 1);
        }
        self.push(TokenKind::Number, start, end);
    }

    /// Whether a `/` here opens a slashy string. Only where a pattern is expected: after `=~`,
    /// `==~`, `~` and `pattern:`; after `(`, `,`, `=` or `[` only when the string closes on the
    /// same line, so a stray division cannot swallow the rest of the file.
    fn slashy_allowed(&self) -> bool {
        let n = self.tokens.len();
        let Some(last) = self.tokens.last() else {
            return false;
        };
        let lexeme = |t: &Token| self.src.get(t.span.start..t.span.end).unwrap_or("");
        let strong = match last.kind {
            TokenKind::Find | TokenKind::Match => true,
            TokenKind::Other => lexeme(last) == "~",
            TokenKind::Colon => n >= 2 && lexeme(&self.tokens[n - 2]) == "pattern",
            _ => false,
        };
        if strong {
            return true;
        }
        let weak = matches!(
            last.kind,
            TokenKind::LParen | TokenKind::Comma | TokenKind::Assign | TokenKind::LBracket
        );
        if !weak || matches!(self.at(1), None | Some(b' ' | b'\n' | b'\r' | b'\t')) {
            return false;
        }
        let rest = &self.bytes[self.pos + 1..];
        let mut i = 0;
        while let Some(&b) = rest.get(i) {
            match b {
                b'\n' => return false,
                b'\\' => i += 2,
                b'/' => return true,
                _ => i += 1,
            }
        }
        false
    }

    fn unterminated(&self, start: usize, end: usize, what: &str) -> LexError {
        LexError {
            message: format!("unterminated {what}"),
            span: Span::new(start, end),
        }
    }

    /// Copies a `${...}` placeholder verbatim, skipping nested braces and strings, and returns
    /// the offset just past its closing `}`. Iterative, with an explicit stack.
    fn placeholder(
        &self,
        at: usize,
        text: &mut String,
        lines: &mut Vec<usize>,
    ) -> Result<usize, LexError> {
        let mut stack: Vec<u8> = vec![b'{'];
        let mut i = at + 2;
        while let Some(&top) = stack.last() {
            let Some(&c) = self.bytes.get(i) else {
                return Err(self.unterminated(at, self.bytes.len(), "`${` placeholder"));
            };
            match (top, c) {
                (b'{', b'{') => stack.push(b'{'),
                (b'{', b'}') => {
                    stack.pop();
                }
                (b'{', b'\'' | b'"') => stack.push(c),
                (b'\'' | b'"', b'\\') => i += 1,
                (b'\'', b'\'') | (b'"', b'"') => {
                    stack.pop();
                }
                (b'"', b'$') if self.bytes.get(i + 1) == Some(&b'{') => {
                    stack.push(b'{');
                    i += 1;
                }
                _ => {}
            }
            i += 1;
        }
        let end = i.min(self.bytes.len());
        let raw = self.src.get(at..end).unwrap_or("");
        for (k, b) in raw.bytes().enumerate() {
            if b == b'\n' {
                lines.push(at + k + 1);
            }
        }
        text.push_str(raw);
        Ok(end)
    }

    fn quoted(&mut self, start: usize, q: u8) -> Result<(), LexError> {
        let triple = self.at(1) == Some(q) && self.at(2) == Some(q);
        let quote = match (q, triple) {
            (b'\'', true) => Quote {
                delim: "'''",
                interpolates: false,
                multiline: true,
            },
            (b'\'', false) => Quote {
                delim: "'",
                interpolates: false,
                multiline: false,
            },
            (_, true) => Quote {
                delim: "\"\"\"",
                interpolates: true,
                multiline: true,
            },
            (_, false) => Quote {
                delim: "\"",
                interpolates: true,
                multiline: false,
            },
        };
        let content = start + quote.delim.len();
        let mut lit = StrLit::at(content);
        let what = format!("string starting with `{}`", quote.delim);
        let mut i = content;
        loop {
            let Some(&c) = self.bytes.get(i) else {
                return Err(self.unterminated(start, self.bytes.len(), &what));
            };
            if self.src[i..].starts_with(quote.delim) {
                i += quote.delim.len();
                break;
            }
            match c {
                b'\r' if quote.multiline && self.bytes.get(i + 1) == Some(&b'\n') => i += 1,
                b'\n' | b'\r' if !quote.multiline => {
                    return Err(self.unterminated(start, i, &what));
                }
                b'\n' => {
                    i += 1;
                    lit.newline(i);
                }
                b'\\' => i = self.escape(start, i, &what, &mut lit)?,
                b'$' if quote.interpolates && self.bytes.get(i + 1) == Some(&b'{') => {
                    i = self.placeholder(i, &mut lit.text, &mut lit.line_starts)?;
                }
                _ => i = self.copy_char(i, &mut lit),
            }
        }
        self.push(TokenKind::Str(lit), start, i);
        Ok(())
    }

    /// Decodes the escape at `i` (a backslash) into `lit`; returns the offset after it.
    fn escape(
        &self,
        start: usize,
        i: usize,
        what: &str,
        lit: &mut StrLit,
    ) -> Result<usize, LexError> {
        let Some(&n) = self.bytes.get(i + 1) else {
            return Err(self.unterminated(start, self.bytes.len(), what));
        };
        let simple = match n {
            b'n' => Some('\n'),
            b't' => Some('\t'),
            b'b' => Some('\u{8}'),
            b'r' => Some('\r'),
            b'f' => Some('\u{c}'),
            b'\\' | b'\'' | b'"' | b'$' | b'/' => Some(char::from(n)),
            _ => None,
        };
        if let Some(c) = simple {
            if c == '\n' {
                lit.newline(i + 2);
            } else {
                lit.text.push(c);
            }
            return Ok(i + 2);
        }
        // A backslash before the line break joins the lines (Groovy line continuation).
        if n == b'\n' {
            return Ok(i + 2);
        }
        if n == b'\r' && self.bytes.get(i + 2) == Some(&b'\n') {
            return Ok(i + 3);
        }
        if n == b'u' {
            let hex = self.src.get(i + 2..i + 6).unwrap_or("");
            if let Some(c) = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                lit.text.push(c);
                return Ok(i + 6);
            }
        }
        // Groovy rejects unknown escapes; keeping them verbatim loses nothing for the reader.
        lit.text.push('\\');
        Ok(i + 1)
    }

    /// Copies the character at `i` into `lit`; returns the offset after it.
    fn copy_char(&self, i: usize, lit: &mut StrLit) -> usize {
        let ch = self.src[i..].chars().next().unwrap_or('\u{fffd}');
        lit.text.push(ch);
        i + ch.len_utf8()
    }

    fn slashy(&mut self, start: usize) -> Result<(), LexError> {
        let mut lit = StrLit::at(start + 1);
        let mut i = start + 1;
        loop {
            let Some(&c) = self.bytes.get(i) else {
                return Err(self.unterminated(start, self.bytes.len(), "slashy string"));
            };
            match c {
                b'/' => break,
                b'\\' if self.bytes.get(i + 1) == Some(&b'/') => {
                    lit.text.push('/');
                    i += 2;
                }
                b'$' if self.bytes.get(i + 1) == Some(&b'{') => {
                    i = self.placeholder(i, &mut lit.text, &mut lit.line_starts)?;
                }
                b'\n' => {
                    i += 1;
                    lit.newline(i);
                }
                _ => i = self.copy_char(i, &mut lit),
            }
        }
        self.push(TokenKind::Str(lit), start, i + 1);
        Ok(())
    }

    fn dollar_slashy(&mut self, start: usize) -> Result<(), LexError> {
        let mut lit = StrLit::at(start + 2);
        let mut i = start + 2;
        loop {
            let Some(&c) = self.bytes.get(i) else {
                return Err(self.unterminated(
                    start,
                    self.bytes.len(),
                    "string starting with `$/`",
                ));
            };
            let next = self.bytes.get(i + 1).copied();
            match (c, next) {
                (b'$', Some(b'$')) => {
                    lit.text.push('$');
                    i += 2;
                }
                (b'$', Some(b'/')) => {
                    lit.text.push('/');
                    i += 2;
                }
                (b'$', Some(b'{')) => {
                    i = self.placeholder(i, &mut lit.text, &mut lit.line_starts)?
                }
                (b'/', Some(b'$')) => {
                    i += 2;
                    break;
                }
                (b'\r', Some(b'\n')) => i += 1,
                (b'\n', _) => {
                    i += 1;
                    lit.newline(i);
                }
                _ => i = self.copy_char(i, &mut lit),
            }
        }
        self.push(TokenKind::Str(lit), start, i);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
