//! INFER stage: the one vocabulary of deploy tools, image builders, test runners and cluster
//! credentials, and how commands and packaged steps (actions, orbs, tasks, pipes, Jenkins steps)
//! map to them.
//!
//! Everything a detection rule needs to recognise lives here as data tables, so adding a tool is
//! a table row plus a test. The tables say what *counts*: `helm template` renders and is no
//! deploy, `kubectl diff` changes nothing, `skaffold dev` is not a CI command, and a dry run
//! (`--dry-run=client`) is recognised but flagged so rules can leave it out.
//!
//! The canonical names facts carry are small enums, one file each: [`DeployTool`],
//! [`ImageBuilder`] and [`CredentialKind`], spelled in notes and JSON as docs/inference.md
//! writes them.
//!
//! One file per table, with the functions that read it: [`deploy`] (deploy tools),
//! [`renderers`] (what is piped into a deploy), [`images`] (image builders), [`test_runners`],
//! [`credentials`] (credential commands, token options, kubeconfig writes),
//! [`credential_names`] (what a variable's name suggests), [`variables`] (variable references),
//! [`throwaway`] (clusters a job starts on the runner), [`actions`] (packaged steps) and
//! [`library_steps`] (what a Jenkins shared-library step's name says). Rules name everything as `vocab::…`: each file's
//! crate-visible items are re-exported here.

mod actions;
mod credential_kind;
mod credential_names;
mod credentials;
mod deploy;
mod deploy_tool;
mod image_builder;
mod images;
mod library_steps;
mod renderers;
mod test_runners;
mod throwaway;
mod variables;

pub(crate) use actions::*;
pub(crate) use credential_kind::CredentialKind;
pub(crate) use credential_names::*;
pub(crate) use credentials::*;
pub(crate) use deploy::*;
pub(crate) use deploy_tool::DeployTool;
pub(crate) use image_builder::ImageBuilder;
pub(crate) use images::*;
pub(crate) use library_steps::*;
pub(crate) use renderers::Writers;
pub(crate) use test_runners::*;
pub(crate) use throwaway::*;
pub(crate) use variables::*;
