//! INFER stage: applications, the images the pipelines build. Kept modest on purpose: an app is
//! an image repository as written (tag and digest taken off), the jobs that build it, whether
//! one of them pushes it, and the test commands of the pipelines those jobs are in. Images
//! named only through a variable (`$IMAGE`) stay apart from the literal names they may hold.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::files::work::{self, Work};

use crate::infer::{Facts, JobKey, TestFact};

/// One application: an image the pipelines build.
#[derive(Debug)]
#[allow(
    dead_code,
    reason = "for `migrate`; the analysis document does not list apps"
)]
pub(crate) struct App {
    /// The image repository as written, without tag or digest (`ghcr.io/acme/web`).
    pub image: String,
    /// The jobs that build it, sorted.
    pub built_by: Vec<JobKey>,
    /// Whether one of those jobs pushes it.
    pub pushed: bool,
    /// The test commands of the pipelines that build it, in the order found.
    pub tests: Vec<TestFact>,
}

/// The apps of `facts`, sorted by image.
pub(super) fn apps(facts: &Facts) -> Vec<App> {
    let mut by_image: BTreeMap<String, App> = BTreeMap::new();
    for fact in &facts.images {
        for image in &fact.images {
            let app = by_image
                .entry(repository(image).to_owned())
                .or_insert_with(|| App {
                    image: repository(image).to_owned(),
                    built_by: Vec::new(),
                    pushed: false,
                    tests: Vec::new(),
                });
            work::count(Work::DedupCompares, 1);
            app.built_by.push(fact.job.clone());
            app.pushed |= fact.pushes;
        }
    }
    // Test commands by pipeline, so each app finds its own without scanning every test
    // against every job that builds it.
    let mut tests_of: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, t) in facts.tests.iter().enumerate() {
        tests_of.entry(t.job.pipeline.as_str()).or_default().push(i);
    }
    let mut out: Vec<App> = by_image.into_values().collect();
    for app in &mut out {
        app.built_by.sort();
        app.built_by.dedup();
        let pipelines: BTreeSet<&str> = app.built_by.iter().map(|b| b.pipeline.as_str()).collect();
        let mut found: Vec<usize> = pipelines
            .iter()
            .flat_map(|p| tests_of.get(p).into_iter().flatten().copied())
            .collect();
        work::count(Work::DedupCompares, found.len());
        // In the order found, as the facts list them.
        found.sort_unstable();
        app.tests = found
            .into_iter()
            .filter_map(|i| facts.tests.get(i).cloned())
            .collect();
    }
    out
}

/// An image reference without its tag or digest: `reg:5000/app:1.2` → `reg:5000/app`.
fn repository(image: &str) -> &str {
    let image = image.split_once('@').map_or(image, |(name, _)| name);
    let name_start = image.rfind('/').map_or(0, |i| i + 1);
    match image[name_start..].find(':') {
        Some(colon) => &image[..name_start + colon],
        None => image,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories() {
        assert_eq!(repository("reg:5000/team/app:1.2"), "reg:5000/team/app");
        assert_eq!(
            repository("ghcr.io/acme/web:${{ github.sha }}"),
            "ghcr.io/acme/web"
        );
        assert_eq!(repository("app@sha256:abc"), "app");
        assert_eq!(repository("$IMAGE"), "$IMAGE");
    }
}
