//! RENDER stage: how a value reaches YAML text. Templates never write a value raw; every value
//! goes through the formatter installed here, in one of four ways:
//!
//! | In the template | Written as | Checked |
//! | --- | --- | --- |
//! | `{{{ value }}}` | a whole YAML value: bare when it reads back as the same string (`web`), else JSON-quoted | no `${{` |
//! | `{{{ value\|shell }}}` | a shell word quoted by [`shell::quote`], inside a line | inert in YAML, lands after other text |
//! | `{{{ command\|shell }}}` | a [`ShellCommand`] composed in Rust, as a whole line | inert in YAML, starts with a program name |
//! | `{{{ value\|inline }}}` | a word inside a longer scalar or comment (`Promote web`) | only `A-Za-z0-9._/:@+-`, lands after other text |
//! | `{{{ value\|verbatim }}}` | a whole value GitLab must not expand (`image:`, `variables:`, `cache:key`) | as a whole value, and no `$` or `%` |
//! | `{{{ command }}}` | a [`CommandLine`] (`run:`, a `script:` entry) as a whole value | as a whole value, and one line |
//!
//! "Inert in YAML" means the text cannot end, split or comment out the scalar it lands in, in a
//! plain scalar as in a block scalar line: no line break or control character, no `: `, no ` #`,
//! no trailing `:`, no leading `#`. "Lands after other text" is checked on the rendered text
//! (see [`settle`]): a word never starts a line or a YAML value, where a quote it carries would
//! be read by YAML instead of the shell. `${{`, which GitHub Actions evaluates anywhere in a
//! workflow, is refused in every value except an [`Expression`] gitops-gen composed itself, so a
//! model value can never reach a `run:` (or anything else) as an expression; so is GitLab's
//! `$[[` (CI/CD inputs). A command line holds no line break, so a model value never adds a line
//! to a script; and GitLab, which expands `$NAME`, `${NAME}` and `%NAME%` in many keywords
//! outside scripts, gets model text there only through `verbatim`, which refuses `$` and `%`.

use std::fmt;
use std::sync::Arc;

use minijinja::value::{Object, ObjectRepr, Value, serializing_for_value};
use minijinja::{AutoEscape, Environment, ErrorKind, Output, State};
use serde::{Serialize, Serializer};

use crate::model::decode::{breaks_lines, find_expression};
use crate::render::shell::{self, ShellCommand, ShellWord};
use crate::yaml::scalar::is_plain_safe;

/// Open and close a word whose landing place [`settle`] checks. No value carries them into the
/// output: the formatter JSON-escapes control characters in whole values and refuses them in
/// `shell` and `inline` text.
const MARK_START: char = '\u{1}';
const MARK_END: char = '\u{2}';

/// Installs the formatter, the auto-escape rule (JSON-compatible for `.yml`/`.yaml` templates)
/// and the `shell` and `inline` filters.
pub(crate) fn configure(env: &mut Environment<'static>) {
    env.set_auto_escape_callback(|name| {
        let name = name.strip_suffix(".j2").unwrap_or(name);
        if name.ends_with(".yml") || name.ends_with(".yaml") {
            AutoEscape::Json
        } else {
            AutoEscape::None
        }
    });
    env.set_formatter(yaml_formatter);
    env.add_filter("shell", shell_filter);
    env.add_filter("inline", inline_filter);
    env.add_filter("verbatim", verbatim_filter);
}

/// A command line a job runs, written as one whole YAML value (`run:`, a `script:` entry): the
/// app's test command, or a command composed from quoted words. Refused when it holds a line
/// break or control character, which would add a line to the script, or expression syntax.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CommandLine(String);

impl CommandLine {
    pub(crate) fn new(text: impl Into<String>) -> CommandLine {
        CommandLine(text.into())
    }
}

impl From<ShellCommand> for CommandLine {
    fn from(command: ShellCommand) -> CommandLine {
        CommandLine(command.to_string())
    }
}

impl fmt::Display for CommandLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Text holding GitHub Actions expressions that gitops-gen writes itself, around text from the
/// model: `ghcr.io/acme/web:${{ github.sha }}`. Written like any whole value; its text parts are
/// refused when they hold `${{`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Expression {
    parts: Vec<ExpressionPart>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum ExpressionPart {
    Text(String),
    /// The inside of `${{ … }}`.
    Expression(&'static str),
    /// `${{ secrets.<name> }}`, the name checked to be an identifier ([`Expression::secret`]).
    Secret(String),
}

impl Expression {
    /// `${{ inner }}`.
    pub(crate) fn of(inner: &'static str) -> Expression {
        Expression {
            parts: vec![ExpressionPart::Expression(inner)],
        }
    }

    /// `${{ secrets.<name> }}`: the one place a model value enters an expression, as a
    /// secret's name that is an identifier ([`is_secret_name`](crate::model::decode::is_secret_name)),
    /// so it can only name a secret. `None` for any other name.
    pub(crate) fn secret(name: &str) -> Option<Expression> {
        crate::model::decode::is_secret_name(name).then(|| Expression {
            parts: vec![ExpressionPart::Secret(name.to_owned())],
        })
    }

    /// Text only; still checked for `${{`.
    pub(crate) fn text(text: impl Into<String>) -> Expression {
        Expression {
            parts: vec![ExpressionPart::Text(text.into())],
        }
    }

    /// This followed by text.
    pub(crate) fn then_text(mut self, text: impl Into<String>) -> Expression {
        self.parts.push(ExpressionPart::Text(text.into()));
        self
    }

    /// This followed by `${{ inner }}`.
    pub(crate) fn then(mut self, inner: &'static str) -> Expression {
        self.parts.push(ExpressionPart::Expression(inner));
        self
    }

    /// The full text, or why a text part cannot be written.
    fn checked(&self) -> Result<String, minijinja::Error> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                ExpressionPart::Text(text) => {
                    no_expression(text)?;
                    out.push_str(text);
                }
                ExpressionPart::Expression(inner) => {
                    out.push_str("${{ ");
                    out.push_str(inner);
                    out.push_str(" }}");
                }
                ExpressionPart::Secret(name) => {
                    out.push_str("${{ secrets.");
                    out.push_str(name);
                    out.push_str(" }}");
                }
            }
        }
        Ok(out)
    }
}

impl fmt::Display for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in &self.parts {
            match part {
                ExpressionPart::Text(text) => f.write_str(text)?,
                ExpressionPart::Expression(inner) => write!(f, "${{{{ {inner} }}}}")?,
                ExpressionPart::Secret(name) => write!(f, "${{{{ secrets.{name} }}}}")?,
            }
        }
        Ok(())
    }
}

/// Output of the `shell` filter: quoted shell text, a word or a whole command.
#[derive(Debug)]
struct Quoted {
    text: String,
    command: bool,
}

/// Output of the `inline` filter.
#[derive(Debug)]
struct Inline(String);

/// Output of the `verbatim` filter.
#[derive(Debug)]
struct Verbatim(String);

impl fmt::Display for Quoted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Display for Inline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for Verbatim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Makes typed values minijinja objects that show as their text, so the formatter and filters
/// can tell them apart from plain strings.
macro_rules! plain_object {
    ($($ty:ty),*) => {$(
        impl Object for $ty {
            fn repr(self: &Arc<Self>) -> ObjectRepr {
                ObjectRepr::Plain
            }
            fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&**self, f)
            }
        }
    )*};
}

plain_object!(
    Expression,
    ShellWord,
    ShellCommand,
    Quoted,
    Inline,
    Verbatim,
    CommandLine
);

/// Lets a view carry a typed value into the template: as the object itself while minijinja
/// serializes the view, as its text otherwise (debug output, tests).
macro_rules! view_value {
    ($($ty:ty),*) => {$(
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                if serializing_for_value() {
                    Value::from_object(self.clone()).serialize(serializer)
                } else {
                    serializer.collect_str(self)
                }
            }
        }
    )*};
}

view_value!(Expression, ShellWord, ShellCommand, CommandLine);

/// Why the formatter will not write a value: written where it lands, it would change the
/// meaning of the file. Carried as the source of the render error, so that a refusal caused by
/// a model value is reported as such and not as a template bug.
#[derive(Debug)]
pub(crate) struct Refusal(String);

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refusal {}

/// A render error caused by the value being written.
fn refuse(message: String) -> minijinja::Error {
    minijinja::Error::new(ErrorKind::InvalidOperation, message.clone())
        .with_source(Refusal(message))
}

/// A render error caused by the template (a misuse of a filter or value).
fn misuse(message: String) -> minijinja::Error {
    minijinja::Error::new(ErrorKind::InvalidOperation, message)
}

/// The refusal behind a render error, when a value stopped the render.
pub(crate) fn refusal(error: &minijinja::Error) -> Option<&Refusal> {
    let mut source = std::error::Error::source(error);
    while let Some(error) = source {
        if let Some(refusal) = error.downcast_ref::<Refusal>() {
            return Some(refusal);
        }
        source = error.source();
    }
    None
}

/// Text of a string or number, the values a template may quote or inline.
fn scalar_text(value: &Value, filter: &str) -> Result<String, minijinja::Error> {
    if let Some(text) = value.as_str() {
        Ok(text.to_owned())
    } else if value.is_number() {
        Ok(value.to_string())
    } else {
        Err(misuse(format!(
            "the `{filter}` filter takes a string or a number, not {}",
            value.kind()
        )))
    }
}

/// `{{{ word|shell }}}`: a string, number or [`ShellWord`] quoted by [`shell::quote`], or a
/// [`ShellCommand`] as its command line.
fn shell_filter(value: Value) -> Result<Value, minijinja::Error> {
    let quoted = if let Some(word) = value.downcast_object_ref::<ShellWord>() {
        Quoted {
            text: shell::quote(word),
            command: false,
        }
    } else if let Some(command) = value.downcast_object_ref::<ShellCommand>() {
        Quoted {
            text: command.to_string(),
            command: true,
        }
    } else {
        Quoted {
            text: shell::quote(&ShellWord::text(scalar_text(&value, "shell")?)),
            command: false,
        }
    };
    Ok(Value::from_object(quoted))
}

/// `{{{ word|inline }}}`: a string or number written inside a longer scalar or comment.
fn inline_filter(value: Value) -> Result<Value, minijinja::Error> {
    Ok(Value::from_object(Inline(scalar_text(&value, "inline")?)))
}

/// `{{{ value|verbatim }}}`: a string written as a whole value where GitLab expands variables.
fn verbatim_filter(value: Value) -> Result<Value, minijinja::Error> {
    Ok(Value::from_object(Verbatim(scalar_text(
        &value, "verbatim",
    )?)))
}

/// Why `text` cannot sit inside a YAML scalar (plain, or a line of a block scalar), if it cannot.
fn yaml_hazard(text: &str) -> Option<&'static str> {
    if text.chars().any(breaks_lines) {
        Some("holds a line break or control character")
    } else if text.contains(": ") || text.ends_with(':') {
        Some("would end a YAML key (`: `)")
    } else if text.contains(" #") || text.starts_with('#') {
        Some("would start a YAML comment (` #`)")
    } else if find_expression(text).is_some() {
        Some("holds CI expression syntax (`${{` or `$[[`)")
    } else {
        None
    }
}

/// Refuses CI expression syntax (`${{`, `$[[`) in a value gitops-gen did not compose itself.
fn no_expression(text: &str) -> Result<(), minijinja::Error> {
    if let Some((opener, who)) = find_expression(text) {
        return Err(refuse(format!(
            "the value {text:?} holds `{opener}`: {who}; gitops-gen never writes an expression \
             from the model"
        )));
    }
    Ok(())
}

/// Writes `text` marked, for [`settle`] to check where it landed.
fn write_marked(out: &mut Output, text: &str) -> Result<(), minijinja::Error> {
    write!(out, "{MARK_START}{text}{MARK_END}").map_err(minijinja::Error::from)
}

/// The formatter of every template; see the module documentation.
fn yaml_formatter(
    out: &mut Output,
    state: &mut State,
    value: &Value,
) -> Result<(), minijinja::Error> {
    if !matches!(state.auto_escape(), AutoEscape::Json) {
        return minijinja::escape_formatter(out, state, value);
    }
    if let Some(quoted) = value.downcast_object_ref::<Quoted>() {
        if let Some(why) = yaml_hazard(&quoted.text) {
            return Err(refuse(format!("the shell text {:?} {why}", quoted.text)));
        }
        if !quoted.command {
            return write_marked(out, &quoted.text);
        }
        if !quoted.text.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(misuse(format!(
                "the command {:?} must start with a program name",
                quoted.text
            )));
        }
        return out.write_str(&quoted.text).map_err(minijinja::Error::from);
    }
    if let Some(Inline(text)) = value.downcast_object_ref::<Inline>() {
        let word = |c: char| c.is_ascii_alphanumeric() || "._/:@+-".contains(c);
        if !text.chars().all(word) || text.ends_with(':') {
            return Err(refuse(format!(
                "{text:?} cannot be written inside a longer value: `inline` takes only letters, \
                 digits and `._/:@+-`, not ending in `:`"
            )));
        }
        return write_marked(out, text);
    }
    if let Some(expression) = value.downcast_object_ref::<Expression>() {
        return write_value(out, state, &Value::from(expression.checked()?));
    }
    if let Some(CommandLine(text)) = value.downcast_object_ref::<CommandLine>() {
        if text.chars().any(breaks_lines) {
            return Err(refuse(format!(
                "the command {text:?} holds a line break or control character; a command is \
                 one line of its script"
            )));
        }
        no_expression(text)?;
        return write_value(out, state, &Value::from(text.as_str()));
    }
    if let Some(Verbatim(text)) = value.downcast_object_ref::<Verbatim>() {
        if text.contains(['$', '%']) {
            return Err(refuse(format!(
                "{text:?} holds `$` or `%`, which GitLab would expand as a variable where it is \
                 written"
            )));
        }
        no_expression(text)?;
        return write_value(out, state, &Value::from(text.as_str()));
    }
    if value.downcast_object_ref::<ShellWord>().is_some()
        || value.downcast_object_ref::<ShellCommand>().is_some()
    {
        return Err(misuse(format!(
            "{value} is shell text: write it with the `shell` filter"
        )));
    }
    if !value.is_safe() {
        match value.as_str() {
            Some(text) => no_expression(text)?,
            None => no_expression(&value.to_string())?,
        }
    }
    write_value(out, state, value)
}

/// A whole value: bare when YAML reads it back as the same string, JSON otherwise.
fn write_value(out: &mut Output, state: &mut State, value: &Value) -> Result<(), minijinja::Error> {
    if !value.is_safe()
        && let Some(text) = value.as_str()
        && is_plain_safe(text)
    {
        return out.write_str(text).map_err(minijinja::Error::from);
    }
    minijinja::escape_formatter(out, state, value)
}

/// Checks where each marked word landed in the rendered `text` and removes the marks. A word
/// must follow other text on its line, and that text must not end in a YAML indicator that
/// starts a value (`key: `, `- `, `? `, `, `, `[`, `{`, `| `, `> `).
pub(crate) fn settle(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let stray = || "the output holds a stray control character".to_owned();
    while let Some(start) = rest.find([MARK_START, MARK_END]) {
        if !rest[start..].starts_with(MARK_START) {
            return Err(stray());
        }
        out.push_str(&rest[..start]);
        let after = &rest[start + MARK_START.len_utf8()..];
        let end = after
            .find([MARK_START, MARK_END])
            .filter(|&end| after[end..].starts_with(MARK_END))
            .ok_or_else(stray)?;
        let word = &after[..end];
        let line = &out[out.rfind('\n').map_or(0, |i| i + 1)..];
        let before = line.trim_end();
        let spaced = before.len() < line.len();
        let starts_value = before.trim_start().is_empty()
            || before.ends_with(['[', '{'])
            || spaced && before.ends_with([':', '-', '?', ',', '|', '>']);
        if starts_value {
            return Err(format!(
                "{word:?} would start a YAML value (after {line:?}); a `shell` or `inline` \
                 value must follow other text on its line"
            ));
        }
        out.push_str(word);
        rest = &after[end + MARK_END.len_utf8()..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests;
