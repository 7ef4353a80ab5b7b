//! gitops-gen: generate GitOps pipelines and operator configuration from one model.
//!
//! ```text
//! files ─► READ ─► DETECT ─► INFER ─► MODEL ─► RENDER ─► WRITE
//!                                      ▲
//! gitops-gen.yaml ─► config::parse ────┘   (`generate` starts here, and only here)
//! ```
//!
//! - [`yaml`]: READ — our YAML AST over saphyr-parser, with byte spans on every node.
//! - [`config`]: MODEL — the typed, validated `gitops-gen.yaml`.
//! - [`render`]: RENDER — typed view models through minijinja templates.
//! - [`write`]: WRITE — plan, atomic write, `--check` diffs, hand-edit protection.
//! - [`promote`]: the promotion step generated pipelines run.

pub mod analyze;
pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod git;
pub mod infer;
pub mod layout;
pub mod promote;
pub mod render;
pub mod source;
pub mod ui;
pub mod write;
pub mod yaml;

pub use error::{Error, Result};

use crate::cli::{Cli, Command};
use crate::ui::Ui;

/// How a successful run ends: exit code 0, or 1 for "check failed" / "refused".
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: `--check` found stale files, or a change was refused.
    Failure,
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<Outcome> {
    let ui = Ui::new(cli.color);
    match cli.command {
        Command::Init(args) => commands::init::run(&ui, args),
        Command::Generate(args) => commands::generate::run(&ui, &args),
        Command::Promote(args) => commands::promote::run(&ui, &args),
        Command::Analyze(args) => commands::analyze::run(&ui, &args),
        Command::Schema { kind } => ui
            .out(match kind {
                cli::SchemaKind::Model => config::schema::MODEL_SCHEMA,
                cli::SchemaKind::Analysis => analyze::ANALYSIS_SCHEMA,
            })
            .map(|()| Outcome::Success),
        Command::Completions { shell } => commands::completions::run(&ui, shell),
        Command::Man => commands::completions::man(&ui),
    }
}
