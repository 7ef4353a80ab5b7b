//! READ stage: where a CircleCI `run:` step starts, as a directory of the checkout.
//!
//! A job runs in its `working_directory:` (`~/project` when it names none), and `checkout`
//! clones the repository there, or at its `path:` (relative to the working directory). A `run:`
//! step's own `working_directory:` is relative to the job's. So `working_directory: ~/app` on
//! the job and `working_directory: deploy` on the step start the script in the checkout's
//! `deploy` folder.

use crate::yaml::Node;

use super::super::support::{key_text, scalar, single_entry};

/// Where CircleCI runs a job's steps and where its checkout is, both absolute as written
/// (`~/project`, `/usr/src/app`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct JobDirs {
    /// The job's `working_directory:`.
    work: String,
    /// Where `checkout` puts the repository.
    checkout: String,
}

impl Default for JobDirs {
    fn default() -> JobDirs {
        JobDirs {
            work: "~/project".to_owned(),
            checkout: "~/project".to_owned(),
        }
    }
}

impl JobDirs {
    /// The directories of a job definition: its `working_directory:` and the `path:` of its
    /// first `checkout` step.
    pub(super) fn of(def: &Node) -> JobDirs {
        let map = def.as_map();
        let work = map
            .and_then(|m| m.get("working_directory"))
            .and_then(scalar)
            .map_or_else(|| JobDirs::default().work, |w| normalise(&w));
        let checkout_path = map
            .and_then(|m| m.get("steps"))
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .find_map(|step| {
                let (k, v) = single_entry(step)?;
                (key_text(k) == "checkout").then(|| v.as_map()?.get("path").and_then(scalar))?
            });
        let checkout = match checkout_path {
            Some(path) => join(&work, &path),
            None => work.clone(),
        };
        JobDirs { work, checkout }
    }

    /// The checkout-relative directory a step with `working_directory: written` (or none)
    /// starts in; `None` for the checkout's root or a directory outside it.
    pub(super) fn step_dir(&self, written: Option<&str>) -> Option<String> {
        let dir = match written {
            Some(w) => join(&self.work, w),
            None => self.work.clone(),
        };
        let rest = dir.strip_prefix(&self.checkout)?.strip_prefix('/')?;
        (!rest.is_empty()).then(|| rest.to_owned())
    }
}

/// `path` joined onto `base` unless it is absolute (`/x`, `~/x`, `$HOME/x`), normalised.
fn join(base: &str, path: &str) -> String {
    let path = path.trim();
    if path.starts_with('/') || path.starts_with('~') || path.starts_with('$') {
        normalise(path)
    } else {
        normalise(&format!("{base}/{path}"))
    }
}

/// `a/./b/../c/` → `a/c`; `..` never climbs above the first segment (`~`, `/`).
fn normalise(path: &str) -> String {
    let path = path.trim();
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.len() > usize::from(!absolute) {
                    parts.pop();
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dirs(yaml: &str) -> JobDirs {
        let docs = crate::yaml::parse(yaml).expect("yaml");
        JobDirs::of(&docs[0])
    }

    #[test]
    fn steps_start_relative_to_the_checkout() {
        let default = dirs("steps: [checkout]");
        assert_eq!(default.step_dir(None), None);
        assert_eq!(default.step_dir(Some("deploy")), Some("deploy".to_owned()));
        assert_eq!(
            default.step_dir(Some("~/project/infra/k8s/")),
            Some("infra/k8s".to_owned())
        );
        let app = dirs("working_directory: ~/app\nsteps: [checkout]");
        assert_eq!(
            app.step_dir(Some("./deploy/../ops")),
            Some("ops".to_owned())
        );
        assert_eq!(app.step_dir(Some("/tmp")), None);
        assert_eq!(app.step_dir(Some("~/app")), None);
        // The checkout one level up: the job itself starts in a subfolder.
        let nested = dirs(
            "working_directory: /src/repo/frontend\nsteps:\n  - checkout: {path: ..}\n  - run: x",
        );
        assert_eq!(nested.step_dir(None), Some("frontend".to_owned()));
        assert_eq!(nested.step_dir(Some("../api")), Some("api".to_owned()));
    }
}
