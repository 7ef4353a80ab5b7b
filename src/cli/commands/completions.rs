//! `gitops-gen completions` and `gitops-gen man`: generated from the clap definitions.

use clap::CommandFactory;

use crate::Outcome;
use crate::cli::Cli;
use crate::cli::ui::Ui;
use crate::error::Error;

/// Prints a completion script for `shell`.
pub(crate) fn run(ui: &Ui, shell: clap_complete::Shell) -> Result<Outcome, Error> {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "gitops-gen", &mut buf);
    ui.out(&String::from_utf8_lossy(&buf))?;
    Ok(Outcome::Success)
}

/// Prints the man page.
pub(crate) fn man(ui: &Ui) -> Result<Outcome, Error> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut buf)
        .map_err(|e| Error::io("rendering the man page", e))?;
    ui.out(&String::from_utf8_lossy(&buf))?;
    Ok(Outcome::Success)
}
