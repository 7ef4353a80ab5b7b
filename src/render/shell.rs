//! RENDER stage: the one way a value becomes part of a POSIX shell command line.
//!
//! [`quote`] is the only quoting function: the template filter `shell` calls it for words placed
//! in template text, and [`ShellCommand`] calls it for commands composed here in Rust. Where the
//! quoted text may then be written in YAML is decided by the formatter (`render::escape`).

use std::fmt;

/// One shell word: text (usually from the model) and parameter expansions gitops-gen writes
/// itself, such as `${GITHUB_SHA}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ShellWord {
    parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    /// Taken literally by the shell, whatever it contains.
    Text(String),
    /// Written as is inside double quotes, so the shell expands it.
    Expansion(&'static str),
}

impl ShellWord {
    /// A word the shell takes literally.
    pub(crate) fn text(text: impl Into<String>) -> ShellWord {
        ShellWord {
            parts: vec![Part::Text(text.into())],
        }
    }

    /// A word that is one parameter expansion, e.g. `${GITHUB_REF}`.
    pub(crate) fn expansion(expansion: &'static str) -> ShellWord {
        ShellWord {
            parts: vec![Part::Expansion(expansion)],
        }
    }

    /// This word followed by literal text.
    pub(crate) fn then_text(mut self, text: impl Into<String>) -> ShellWord {
        self.parts.push(Part::Text(text.into()));
        self
    }

    /// This word followed by a parameter expansion.
    pub(crate) fn then_expansion(mut self, expansion: &'static str) -> ShellWord {
        self.parts.push(Part::Expansion(expansion));
        self
    }
}

impl fmt::Display for ShellWord {
    /// The quoted word.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&quote(self))
    }
}

impl From<&str> for ShellWord {
    fn from(text: &str) -> ShellWord {
        ShellWord::text(text)
    }
}

/// Quotes a word for POSIX sh: bare when every character is inert (`web`, `ghcr.io/acme/web`),
/// in single quotes when it is only text, and in double quotes, with `\ " $ `` ` escaped in its
/// text, when it expands a parameter. The shell reads back exactly the text, plus the expansions.
pub(crate) fn quote(word: &ShellWord) -> String {
    let expands = word.parts.iter().any(|p| matches!(p, Part::Expansion(_)));
    if !expands {
        let text: String = word
            .parts
            .iter()
            .filter_map(|p| match p {
                Part::Text(t) => Some(t.as_str()),
                Part::Expansion(_) => None,
            })
            .collect();
        let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:@%+=,".contains(c);
        return if !text.is_empty() && text.chars().all(plain) {
            text
        } else {
            format!("'{}'", text.replace('\'', r"'\''"))
        };
    }
    let mut out = String::from("\"");
    for part in &word.parts {
        match part {
            Part::Expansion(e) => out.push_str(e),
            Part::Text(t) => {
                for c in t.chars() {
                    if matches!(c, '\\' | '"' | '$' | '`') {
                        out.push('\\');
                    }
                    out.push(c);
                }
            }
        }
    }
    out.push('"');
    out
}

/// A command line composed in Rust: fixed text gitops-gen writes (the program, options,
/// already-quoted expansions) and words that go through [`quote`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ShellCommand {
    tokens: Vec<Token>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Fixed(&'static str),
    Word(ShellWord),
}

impl ShellCommand {
    /// A command starting with fixed text, normally the program and its first options.
    pub(crate) fn new(fixed: &'static str) -> ShellCommand {
        ShellCommand {
            tokens: vec![Token::Fixed(fixed)],
        }
    }

    /// Appends fixed text.
    pub(crate) fn fixed(mut self, fixed: &'static str) -> ShellCommand {
        self.tokens.push(Token::Fixed(fixed));
        self
    }

    /// Appends one quoted word.
    pub(crate) fn arg(mut self, word: impl Into<ShellWord>) -> ShellCommand {
        self.tokens.push(Token::Word(word.into()));
        self
    }
}

impl fmt::Display for ShellCommand {
    /// The command line, tokens separated by one space.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, token) in self.tokens.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            match token {
                Token::Fixed(text) => f.write_str(text)?,
                Token::Word(word) => f.write_str(&quote(word))?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod props;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inert_words_stay_bare_and_the_rest_is_quoted() {
        for bare in ["web", "ghcr.io/acme/web", "localhost:5000", "a=b,c+d%"] {
            assert_eq!(quote(&ShellWord::from(bare)), bare);
        }
        assert_eq!(quote(&ShellWord::from("")), "''");
        assert_eq!(quote(&ShellWord::from("my dir")), "'my dir'");
        assert_eq!(quote(&ShellWord::from("it's")), r"'it'\''s'");
        assert_eq!(quote(&ShellWord::from("$(id)")), "'$(id)'");
        assert_eq!(quote(&ShellWord::from("`id`;x")), "'`id`;x'");
    }

    #[test]
    fn expansions_are_double_quoted_and_text_beside_them_stays_literal() {
        let word = ShellWord::text("ghcr.io/acme/web:").then_expansion("${GITHUB_SHA}");
        assert_eq!(quote(&word), "\"ghcr.io/acme/web:${GITHUB_SHA}\"");
        let hostile = ShellWord::text("a\"$(id)`x`\\").then_expansion("$SHA");
        assert_eq!(quote(&hostile), r#""a\"\$(id)\`x\`\\$SHA""#);
        assert_eq!(
            quote(&ShellWord::expansion("${GITHUB_REF}").then_text("!")),
            "\"${GITHUB_REF}!\""
        );
    }

    #[test]
    fn commands_join_fixed_text_and_quoted_words() {
        let command = ShellCommand::new("cd").arg("my dir").fixed("&&").arg("ls");
        assert_eq!(command.to_string(), "cd 'my dir' && ls");
    }
}
