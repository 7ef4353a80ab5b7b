//! READ stage: Jenkinsfile tokens, each a kind plus the byte span it covers in the file.

use crate::yaml::Span;

/// A Groovy string literal after decoding: escapes resolved, `${...}` and `$name` kept as raw
/// text (the reader never evaluates Groovy).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct StrLit {
    /// Decoded text.
    pub(crate) text: String,
    /// For each `\n`-separated line of `text`, the byte offset in the file where it starts.
    pub(crate) line_starts: Vec<usize>,
}

impl StrLit {
    /// An empty literal whose content starts at byte `at` of the file.
    pub(crate) fn at(at: usize) -> StrLit {
        StrLit {
            text: String::new(),
            line_starts: vec![at],
        }
    }

    /// Appends a line break; the next line starts at byte `next` of the file.
    pub(crate) fn newline(&mut self, next: usize) {
        self.text.push('\n');
        self.line_starts.push(next);
    }
}

/// What a token is. Identifiers, numbers and operators are read back from the span; only
/// strings carry a payload, because their decoded text differs from the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// `name`, keywords included (`def`, `if`, `true`).
    Ident,
    /// `42`, `1.5`, `0x1F`, `10L`.
    Number,
    /// Any of the Groovy string forms.
    Str(StrLit),
    /// A line break; separates statements only.
    Newline,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `,`
    Comma,
    /// `:`
    Colon,
    /// `;`
    Semicolon,
    /// `=`
    Assign,
    /// `.`
    Dot,
    /// `!`
    Bang,
    /// `&&`
    AndAnd,
    /// `||`
    OrOr,
    /// `==`
    EqEq,
    /// `!=`
    NotEq,
    /// `=~`
    Find,
    /// `==~`
    Match,
    /// `->`
    Arrow,
    /// `?`
    Question,
    /// `*`
    Star,
    /// Any other operator character (`+`, `-`, `<`, `/`, `@`, ...), one per token.
    Other,
    /// End of input (or of the part that could be lexed).
    Eof,
}

/// One token and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) kind: TokenKind,
    /// Byte range in the file.
    pub(crate) span: Span,
}
