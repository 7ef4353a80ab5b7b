//! Terminal output: one place that knows about stdout vs stderr and colors.
//!
//! Results a script may consume (diffs, schema, completions) go to stdout; progress and
//! explanations go to stderr.

use std::io::{IsTerminal, StderrLock, Write};

use anstream::AutoStream;
use anstyle::{AnsiColor, Style};

use crate::cli::ColorChoice;
use crate::error::Error;

/// The verb of a status line (`create`, `update`, ...).
const STATUS: Style = AnsiColor::Green.on_default().bold();
/// The label of a note (`warning`, `help`, ...).
const NOTE: Style = AnsiColor::Yellow.on_default().bold();

/// Resolves `--color` with NO_COLOR (https://no-color.org) and whether the stream is a terminal.
pub(crate) fn use_color(choice: ColorChoice, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// Output streams with their color decisions.
pub(crate) struct Ui {
    /// Whether stdout gets ANSI colors (diffs).
    pub color_out: bool,
    color_err: bool,
}

impl Ui {
    /// Decides colors for both streams.
    pub(crate) fn new(choice: ColorChoice) -> Ui {
        Ui {
            color_out: use_color(choice, std::io::stdout().is_terminal()),
            color_err: use_color(choice, std::io::stderr().is_terminal()),
        }
    }

    /// Writes `text` to stdout unchanged: results a script may consume.
    pub(crate) fn out(&self, text: &str) -> Result<(), Error> {
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
            .map_err(|e| Error::io("writing to standard output", e))
    }

    /// Writes to standard output through `write`, buffered, so that a large report goes out as
    /// it is produced instead of being built whole first.
    pub(crate) fn out_with(
        &self,
        write: impl FnOnce(&mut std::io::BufWriter<std::io::StdoutLock<'static>>) -> std::io::Result<()>,
    ) -> Result<(), Error> {
        let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
        write(&mut stdout)
            .and_then(|()| stdout.flush())
            .map_err(|e| Error::io("writing to standard output", e))
    }

    /// A status line on stderr: `verb` is highlighted, `rest` follows.
    pub(crate) fn status(&self, verb: &str, rest: &str) {
        // Nothing useful can be done when stderr is gone; the command's result still counts.
        let _ = writeln!(self.stderr(), "{STATUS}{verb:>12}{STATUS:#} {rest}");
    }

    /// A warning or help line on stderr.
    pub(crate) fn note(&self, label: &str, text: &str) {
        let _ = writeln!(self.stderr(), "{NOTE}{label}{NOTE:#}: {text}");
    }

    /// Stderr, locked for one line, passing styles through when colored and stripping them
    /// otherwise.
    fn stderr(&self) -> AutoStream<StderrLock<'static>> {
        let choice = if self.color_err {
            anstream::ColorChoice::Always
        } else {
            anstream::ColorChoice::Never
        };
        AutoStream::new(std::io::stderr().lock(), choice)
    }
}
