//! READ stage: format-faithful readers of existing CI pipelines, each lowering into the common
//! [`pipeline::Pipeline`] projection with a location on every piece. Readers infer nothing.

pub mod pipeline;

pub use pipeline::*;
