//! INFER stage: `test-command` — the commands that run a project's tests (`npm test`,
//! `go test`, `mvn verify`, `pytest`, `make test`, ...), as written in the step. Called scripts
//! are not followed: the step's own command is what a generated pipeline would run.

use crate::infer::RuleId;
use crate::infer::engine::{CommandSite, Rule};
use crate::infer::vocab;
use crate::infer::{Evidence, Facts, TestFact};

/// Test runner commands in script steps ⇒ [`TestFact`].
pub(crate) struct TestCommand;

impl Rule for TestCommand {
    fn id(&self) -> RuleId {
        RuleId::TestCommand
    }

    fn on_command(&mut self, c: &CommandSite<'_>, facts: &mut Facts) {
        // Only the step's own commands: what a called script runs is not what a generated
        // pipeline would call.
        if c.unit.depth > 0 || !vocab::is_test(c.cmd) {
            return;
        }
        let command = c.unit.command_line(c.cmd);
        let note = format!("`{command}` runs tests{}", c.unit.how(c.cmd));
        let evidence = Evidence::new(self.id(), c.unit.loc(c.cmd), note, c.unit.confidence(c.cmd));
        facts
            .tests
            .push(TestFact::new(&c.job.key, &command, evidence));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::repo::MemRepo;
    use crate::infer::Confidence;
    use crate::infer::commands::tests::{job, pipeline, script_step};
    use crate::infer::engine::run_one;
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
        let facts = run_one(TestCommand, std::slice::from_ref(&p), &repo);
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
