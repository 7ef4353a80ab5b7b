//! gitops-gen: generate GitOps pipelines and operator configuration from one model, and move
//! push-based deploys there. `docs/architecture.md` is the map of the stages below.
//!
//! The library's public surface is [`run`] and [`Cli`]; every stage is crate-private. The
//! `fuzzing` feature adds a hidden `fuzz` module: one entry function per fuzz target in `fuzz/`.

mod analyze;
mod cli;
mod error;
mod files;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzz;
mod infer;
mod migrate;
mod model;
mod policy;
mod promote;
mod read;
mod render;
mod scan;
mod seal;
mod sources;
mod write;
mod yaml;

use std::process::ExitCode;

pub use crate::cli::Cli;
use crate::cli::Command;
use crate::cli::ui::Ui;
use crate::error::Result;

/// How a successful command ends: exit code 0, or 1 for "check failed" / "refused".
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: `--check` found stale files, a change was refused, or `analyze --fail-on`
    /// matched.
    Failure,
}

/// Runs one parsed command line and maps its result to the documented exit code: 0 success,
/// 1 stale files, a refused change or a `--fail-on` match, 2 everything else. Errors are
/// printed to stderr with miette, honouring `--color` and `NO_COLOR`.
pub fn run(cli: Cli) -> ExitCode {
    let color = cli::ui::use_color(
        cli.color,
        std::io::IsTerminal::is_terminal(&std::io::stderr()),
    );
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(
            miette::MietteHandlerOpts::new()
                .color(color)
                .unicode(color)
                .terminal_links(false)
                .build(),
        )
    }));
    match dispatch(cli) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Failure) => ExitCode::from(1),
        Err(err) if err.is_broken_pipe() => ExitCode::SUCCESS,
        Err(err) => {
            let code = err.exit_code();
            eprintln!("{:?}", miette::Report::new(err));
            ExitCode::from(code)
        }
    }
}

fn dispatch(cli: Cli) -> Result<Outcome> {
    let ui = Ui::new(cli.color);
    match cli.command {
        Command::Init(args) => cli::commands::init::run(&ui, args),
        Command::Generate(args) => cli::commands::generate::run(&ui, &args),
        Command::Migrate(args) => cli::commands::migrate::run(&ui, &args),
        Command::Promote(args) => cli::commands::promote::run(&ui, &args),
        Command::Sync(args) => cli::commands::sync::run(&ui, &args),
        Command::Seal(args) => cli::commands::seal::run(&ui, &args),
        Command::Policy {
            command: cli::PolicyCommand::Check(args),
        } => cli::commands::policy::run(&ui, &args),
        Command::Analyze(args) => cli::commands::analyze::run(&ui, &args),
        Command::Schema { kind } => ui
            .out(match kind {
                cli::SchemaKind::Model => model::schema::MODEL_SCHEMA,
                cli::SchemaKind::Analysis => analyze::ANALYSIS_SCHEMA,
            })
            .map(|()| Outcome::Success),
        Command::Completions { shell } => cli::commands::completions::run(&ui, shell),
        Command::Man => cli::commands::completions::man(&ui),
    }
}
