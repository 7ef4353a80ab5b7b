//! INFER stage: `test-command` — the commands that run a project's tests (`npm test`,
//! `go test`, `mvn verify`, `pytest`, `make test`, ...), as written in the step. Called scripts
//! are not followed: the step's own command is what a generated pipeline would run.

use crate::infer::commands;
use crate::infer::vocab;
use crate::infer::{Context, Evidence, Facts, Rule, TestFact};

/// Test runner commands in script steps ⇒ [`TestFact`].
pub(crate) struct TestCommand;

impl Rule for TestCommand {
    fn id(&self) -> &'static str {
        "test-command"
    }

    fn describe(&self) -> &'static str {
        "test runner commands in script steps (npm test, go test, cargo test, pytest, mvn verify, make test, ...) are the project's tests"
    }

    fn apply(&self, cx: &Context<'_>, facts: &mut Facts) {
        for pipeline in cx.pipelines {
            for job in &pipeline.jobs {
                for unit in commands::job_units(cx, pipeline, job, false) {
                    for cmd in &unit.cmds {
                        if !vocab::is_test(cmd) {
                            continue;
                        }
                        let command = unit.command_line(cmd);
                        facts.tests.push(TestFact {
                            job: job.id.clone(),
                            evidence: Evidence {
                                rule: self.id(),
                                loc: unit.loc(cmd),
                                note: format!("`{command}` runs tests{}", unit.how(cmd)),
                                confidence: unit.confidence(cmd),
                            },
                            command,
                        });
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::repo::MemRepo;
    use crate::infer::Confidence;
    use crate::infer::commands::tests::{job, pipeline, script_step};
    use crate::read::CiSystem;

    #[test]
    fn finds_test_commands_only() {
        let text = "npm ci\nnpm test -- --coverage\n# go test ./...\nCGO_ENABLED=0 go test ./...\nmake build\nmake test\necho pytest\n";
        let p = pipeline(
            ".gitlab-ci.yml",
            CiSystem::GitlabCi,
            vec![job("test", vec![script_step(".gitlab-ci.yml", text, 0, 0)])],
        );
        let repo = MemRepo::from_pairs(&[("Makefile", "test:\n\tgo test ./...\n")]);
        let mut facts = Facts::default();
        TestCommand.apply(
            &Context {
                pipelines: std::slice::from_ref(&p),
                files: &repo,
            },
            &mut facts,
        );
        let got: Vec<&str> = facts.tests.iter().map(|t| t.command.as_str()).collect();
        assert_eq!(
            got,
            [
                "npm test -- --coverage",
                "CGO_ENABLED=0 go test ./...",
                "make test"
            ]
        );
        assert!(
            facts
                .tests
                .iter()
                .all(|t| t.evidence.confidence == Confidence::High)
        );
        assert_eq!(&text[facts.tests[2].evidence.loc.span.range()], "make test");
    }
}
