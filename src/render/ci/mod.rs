//! RENDER stage: the pipelines, each a thin projection of the [`PipelinePlan`] into one CI's
//! spelling, plus what both share: how they install gitops-gen, what the validate job checks,
//! and the pinned actions, images and tools.
//!
//! [`PipelinePlan`]: crate::render::plan::PipelinePlan

pub(crate) mod config_repo;
pub(crate) mod github;
pub(crate) mod gitlab;
pub(crate) mod gitlab_build;
pub(crate) mod gitlab_root;
pub(crate) mod install;
pub(crate) mod pins;
pub(crate) mod seal;
pub(crate) mod test_job;
pub(crate) mod validate;
