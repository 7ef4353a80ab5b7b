//! INFER stage: `image-build` — image builds and pushes: `docker build|push`, `buildx`, kaniko,
//! buildah, podman, jib, ko, pack, `skaffold build`, `gcloud builds submit`, and packaged steps
//! such as `docker/build-push-action`.

use std::collections::HashSet;

use crate::infer::commands;
use crate::infer::vocab::{self, ActionRole};
use crate::infer::{Confidence, Context, Evidence, Facts, ImageFact, Rule};
use crate::read::Step;

/// Image build and push commands and steps ⇒ [`ImageFact`].
pub(crate) struct ImageBuild;

impl Rule for ImageBuild {
    fn id(&self) -> &'static str {
        "image-build"
    }

    fn describe(&self) -> &'static str {
        "image build and push commands (docker, buildx, kaniko, buildah, podman, jib, ko, pack, skaffold, gcloud builds) and build-push steps are image builds"
    }

    fn apply(&self, cx: &Context<'_>, facts: &mut Facts) {
        for pipeline in cx.pipelines {
            for job in &pipeline.jobs {
                let mut seen = HashSet::new();
                for unit in commands::job_units(cx, pipeline, job, true) {
                    for cmd in &unit.cmds {
                        let Some(m) = vocab::classify_image(cmd) else {
                            continue;
                        };
                        let loc = unit.loc(cmd);
                        if !seen.insert(loc.clone()) {
                            continue;
                        }
                        let verb = if m.pushes {
                            "builds and pushes"
                        } else {
                            "builds"
                        };
                        let note = format!(
                            "`{}` {verb} an image with {}{}",
                            unit.command_line(cmd),
                            m.builder,
                            unit.how(cmd)
                        );
                        facts.images.push(ImageFact {
                            job: job.id.clone(),
                            builder: m.builder,
                            images: m.images,
                            pushes: m.pushes,
                            evidence: Evidence {
                                rule: self.id(),
                                loc,
                                note,
                                confidence: unit.confidence(cmd),
                            },
                        });
                    }
                }
                for step in &job.steps {
                    let Step::Action {
                        uses, with, loc, ..
                    } = step
                    else {
                        continue;
                    };
                    let Some(spec) = vocab::action_spec(uses, pipeline.system) else {
                        continue;
                    };
                    if !matches!(spec.role, ActionRole::Image(_)) {
                        continue;
                    }
                    let Some(m) = vocab::classify_action_image(spec, with) else {
                        continue;
                    };
                    let verb = if m.pushes {
                        "builds and pushes"
                    } else {
                        "builds"
                    };
                    facts.images.push(ImageFact {
                        job: job.id.clone(),
                        builder: m.builder,
                        images: m.images,
                        pushes: m.pushes,
                        evidence: Evidence {
                            rule: self.id(),
                            loc: loc.clone(),
                            note: format!("`{}` {verb} an image", uses.trim()),
                            confidence: Confidence::High,
                        },
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::repo::MemRepo;
    use crate::infer::commands::tests::{action_step, job, pipeline, script_step};
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
        let mut facts = Facts::default();
        ImageBuild.apply(
            &Context {
                pipelines: std::slice::from_ref(&p),
                files: &repo,
            },
            &mut facts,
        );
        let got: Vec<(&str, bool, &str)> = facts
            .images
            .iter()
            .map(|i| (i.builder, i.pushes, i.evidence.loc.file.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("docker", false, "w.yml"),
                ("docker", true, "w.yml"),
                ("buildx", true, "build.sh"),
                ("docker/build-push-action", true, "w.yml")
            ]
        );
        assert_eq!(facts.images[0].images, ["reg/app:1"]);
        assert_eq!(facts.images[2].evidence.confidence, Confidence::Medium);
        assert_eq!(facts.images[3].images, ["reg/app:${{ github.sha }}"]);
    }
}
