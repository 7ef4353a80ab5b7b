//! Entry point: parse arguments, run, map the result to a documented exit code.

use std::process::ExitCode;

use clap::Parser;
use gitops_gen::cli::Cli;
use gitops_gen::{Outcome, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = gitops_gen::ui::use_color(
        cli.color,
        std::io::IsTerminal::is_terminal(&std::io::stderr()),
    );
    // Diagnostics go to stderr; honour --color and NO_COLOR there too.
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(
            miette::MietteHandlerOpts::new()
                .color(color)
                .unicode(color)
                .terminal_links(false)
                .build(),
        )
    }));
    match run(cli) {
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
