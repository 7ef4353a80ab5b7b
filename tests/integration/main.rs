//! Integration tests of the `gitops-gen` binary: scenarios, behaviour, diagnostics, external
//! validators and the pre-commit hook, all in one test binary so cargo links it once.

mod build_cache;
mod cli;
mod coexist;
mod common;
mod diagnostics;
mod digests;
mod distribution;
mod fleet;
mod generate;
mod hostile;
mod init;
mod migrate;
mod phases;
mod policy;
mod precommit;
mod scenarios;
mod seal;
mod shared;
mod validate;
mod writes;
