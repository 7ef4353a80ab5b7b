//! Entry point: parse the command line and hand it to [`gitops_gen::run`].

use std::process::ExitCode;

use clap::Parser;
use gitops_gen::Cli;

fn main() -> ExitCode {
    gitops_gen::run(Cli::parse())
}
