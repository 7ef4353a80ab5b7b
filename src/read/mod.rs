//! READ stage: format-faithful readers of existing CI pipelines, each lowering into the common
//! [`pipeline::Pipeline`] projection with a location on every piece. Readers infer nothing.

pub(crate) mod azure;
pub(crate) mod bitbucket;
pub(crate) mod circleci;
pub(crate) mod github;
pub(crate) mod gitlab;
pub(crate) mod jenkins;
pub(crate) mod lines;
pub(crate) mod pipeline;
pub(crate) mod support;
pub(crate) mod travis;

pub(crate) use pipeline::*;

/// Every reader, in the order their pipelines are listed.
pub(crate) fn readers() -> Vec<Box<dyn Reader>> {
    vec![
        Box::new(github::GithubReader),
        Box::new(gitlab::GitlabReader),
        Box::new(jenkins::JenkinsReader),
        Box::new(circleci::CircleciReader),
        Box::new(azure::AzureReader),
        Box::new(bitbucket::BitbucketReader),
        Box::new(travis::TravisReader),
    ]
}
