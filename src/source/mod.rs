//! READ stage: format-faithful readers of existing CI pipelines, each lowering into the common
//! [`pipeline::Pipeline`] projection with a location on every piece. Readers infer nothing.

pub mod azure;
pub mod bitbucket;
pub mod circleci;
pub mod github;
pub mod gitlab;
pub mod jenkins;
pub(crate) mod lines;
pub mod pipeline;
pub mod repo;
pub(crate) mod support;
pub mod travis;

pub use pipeline::*;
