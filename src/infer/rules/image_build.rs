//! INFER stage: `image-build` — image builds and pushes: `docker build|push`, `buildx`, kaniko,
//! buildah, podman, jib, ko, pack, `skaffold build`, `gcloud builds submit`, and packaged steps
//! such as `docker/build-push-action`.

use std::collections::HashSet;

use crate::files::Loc;
use crate::infer::RuleId;
use crate::infer::engine::{ActionSite, CommandSite, JobSite, Rule};
use crate::infer::vocab::{self, ActionRole};
use crate::infer::{Confidence, Evidence, Facts, ImageFact};

/// Image build and push commands and steps ⇒ [`ImageFact`].
#[derive(Default)]
pub(crate) struct ImageBuild {
    /// The places already reported for the current job.
    seen: HashSet<Loc>,
}

impl Rule for ImageBuild {
    fn id(&self) -> RuleId {
        RuleId::ImageBuild
    }

    fn on_job(&mut self, _job: &JobSite<'_>, _facts: &mut Facts) {
        self.seen.clear();
    }

    fn on_command(&mut self, c: &CommandSite<'_>, facts: &mut Facts) {
        let Some(m) = vocab::classify_image(c.cmd) else {
            return;
        };
        let loc = c.unit.loc(c.cmd);
        if !self.seen.insert(loc.clone()) {
            return;
        }
        let note = format!(
            "`{}` {} an image with {}{}",
            c.unit.command_line(c.cmd),
            verb(m.pushes),
            m.builder,
            c.unit.how(c.cmd)
        );
        facts.images.push(ImageFact {
            job: c.job.key.clone(),
            builder: m.builder,
            images: m.images,
            pushes: m.pushes,
            evidence: Evidence::new(self.id(), loc, note, c.unit.confidence(c.cmd)),
        });
    }

    fn on_action(&mut self, a: &ActionSite<'_>, facts: &mut Facts) {
        let Some(m) = a
            .spec
            .filter(|spec| matches!(spec.role, ActionRole::Image(_)))
            .and_then(|spec| vocab::classify_action_image(spec, a.with))
        else {
            return;
        };
        let note = format!("`{}` {} an image", a.uses.trim(), verb(m.pushes));
        facts.images.push(ImageFact {
            job: a.job.key.clone(),
            builder: m.builder,
            images: m.images,
            pushes: m.pushes,
            evidence: Evidence::new(self.id(), a.loc.clone(), note, Confidence::High),
        });
    }
}

/// What a build does, for notes.
fn verb(pushes: bool) -> &'static str {
    if pushes {
        "builds and pushes"
    } else {
        "builds"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::repo::MemRepo;
    use crate::infer::commands::tests::{action_step, job, pipeline, script_step};
    use crate::infer::engine::run_one;
    use crate::infer::vocab::ImageBuilder;
    use crate::read::CiSystem;

    #[test]
    fn scripts_called_scripts_and_actions() {
        let repo =
            MemRepo::from_pairs(&[("build.sh", "docker buildx build --push -t reg/app:$SHA .\n")]);
        let p = pipeline(
            "w.yml",
            CiSystem::GithubActions,
            vec![job(
                "build",
                vec![
                    script_step(
                        "w.yml",
                        "docker build -t reg/app:1 .\ndocker push reg/app:1\necho docker build\n./build.sh\n",
                        0,
                        0,
                    ),
                    action_step(
                        "w.yml",
                        "docker/build-push-action@v6",
                        &[
                            ("tags", "reg/app:${{ github.sha }}"),
                            ("push", "${{ github.event_name == 'push' }}"),
                        ],
                        200,
                    ),
                    action_step("w.yml", "docker/setup-buildx-action@v3", &[], 300),
                ],
            )],
        );
        let facts = run_one(ImageBuild::default(), std::slice::from_ref(&p), &repo);
        let got: Vec<(ImageBuilder, bool, &str)> = facts
            .images
            .iter()
            .map(|i| (i.builder, i.pushes, i.evidence.loc.file.as_ref()))
            .collect();
        assert_eq!(
            got,
            [
                (ImageBuilder::Docker, false, "w.yml"),
                (ImageBuilder::Docker, true, "w.yml"),
                (ImageBuilder::Buildx, true, "build.sh"),
                (ImageBuilder::DockerBuildPushAction, true, "w.yml")
            ]
        );
        assert_eq!(facts.images[0].images, ["reg/app:1"]);
        assert_eq!(facts.images[2].evidence.confidence, Confidence::Medium);
        assert_eq!(facts.images[3].images, ["reg/app:${{ github.sha }}"]);
    }
}
