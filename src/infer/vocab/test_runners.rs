//! Test runners: commands that run a project's tests (`npm test`, `go test`, `pytest`,
//! `mvn verify`, `make check`, ...).

use crate::infer::shell::Command;

/// How a test runner is recognised from its positionals.
#[derive(Debug, Clone, Copy)]
enum TestVerb {
    /// The program alone runs tests (`pytest`, `phpunit`, `tox`).
    Always,
    /// The first positional is one of these.
    First(&'static [&'static str]),
    /// The first positional starts with one of these (`yarn test:unit`).
    FirstPrefix(&'static [&'static str]),
    /// Some positional is one of these, or ends with `:<one of these>` (`mvn clean verify`,
    /// `gradle :app:test`); for `make`, also starts with `<one of these>-` (`make test-unit`).
    Any(&'static [&'static str]),
    /// The positionals start with this path and the next starts with one of these
    /// (`npm run test:ci`, `bundle exec rspec`).
    Then(&'static [&'static str], &'static [&'static str]),
}

/// Test runners: program basenames and how their test invocation looks.
const TEST_RUNNERS: &[(&[&str], TestVerb)] = &[
    (&["npm"], TestVerb::First(&["test", "t", "tst"])),
    (&["npm"], TestVerb::Then(&["run"], &["test"])),
    (&["npm"], TestVerb::Then(&["run-script"], &["test"])),
    (&["yarn", "pnpm", "bun"], TestVerb::FirstPrefix(&["test"])),
    (
        &["yarn", "pnpm", "bun"],
        TestVerb::Then(&["run"], &["test"]),
    ),
    (&["go"], TestVerb::First(&["test"])),
    (&["cargo"], TestVerb::First(&["test"])),
    (&["cargo"], TestVerb::Then(&["nextest"], &["run"])),
    (
        &[
            "pytest", "py.test", "tox", "nox", "phpunit", "rspec", "jest", "vitest",
        ],
        TestVerb::Always,
    ),
    (
        &["python", "python3"],
        TestVerb::Then(&["-m"], &["pytest", "unittest"]),
    ),
    (
        &["mvn", "mvnw", "mvn.cmd"],
        TestVerb::Any(&["test", "verify", "integration-test"]),
    ),
    (
        &["gradle", "gradlew", "gradlew.bat"],
        TestVerb::Any(&["test", "check"]),
    ),
    (&["make"], TestVerb::Any(&["test", "check"])),
    (
        &["bundle"],
        TestVerb::Then(&["exec"], &["rspec", "rake test", "rake spec"]),
    ),
    (&["rake"], TestVerb::First(&["test", "spec"])),
    (&["dotnet"], TestVerb::First(&["test"])),
];

/// Whether a command runs tests.
pub(crate) fn is_test(cmd: &Command) -> bool {
    let Some(program) = cmd.program() else {
        return false;
    };
    // `python -m pytest` needs `-m` kept, so look at raw arguments there.
    let args: Vec<&str> = cmd.words.iter().skip(1).map(|w| w.text.as_str()).collect();
    let positionals = cmd.positionals(&["-C", "-f", "--file", "-p", "--project", "-P", "-w"]);
    TEST_RUNNERS
        .iter()
        .filter(|(programs, _)| programs.contains(&program))
        .any(|(_, verb)| match verb {
            TestVerb::Always => true,
            TestVerb::First(names) => positionals.first().is_some_and(|p| names.contains(p)),
            TestVerb::FirstPrefix(names) => positionals
                .first()
                .is_some_and(|p| names.iter().any(|n| p.starts_with(n))),
            TestVerb::Any(names) => positionals.iter().any(|p| {
                names.iter().any(|n| {
                    p == n
                        || p.rsplit(':').next() == Some(*n)
                        || (program == "make" && p.starts_with(&format!("{n}-")))
                })
            }),
            TestVerb::Then(path, next) => {
                let seq: &[&str] = if path.first().is_some_and(|p| p.starts_with('-')) {
                    &args
                } else {
                    &positionals
                };
                seq.starts_with(path)
                    && seq.get(path.len()).is_some_and(|n| {
                        let rest = seq[path.len()..].join(" ");
                        next.iter().any(|x| n.starts_with(x) || rest.starts_with(x))
                    })
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_runners() {
        let t = |s: &str| crate::infer::shell::commands(s, &[]).iter().any(is_test);
        for yes in [
            "npm test",
            "npm run test:unit",
            "npm t",
            "yarn test",
            "yarn test:ci",
            "pnpm test",
            "go test ./...",
            "cargo test --all",
            "cargo nextest run",
            "pytest -q",
            "python -m pytest",
            "python3 -m pytest tests/",
            "tox -e py311",
            "mvn -B clean verify",
            "./mvnw test",
            "gradle test",
            "./gradlew check",
            "./gradlew :app:test",
            "make test",
            "make -C src check",
            "bundle exec rspec",
            "bundle exec rake spec",
            "dotnet test",
            "vendor/bin/phpunit",
        ] {
            assert!(t(yes), "{yes}");
        }
        for no in [
            "npm ci",
            "npm run build",
            "yarn install",
            "go build ./...",
            "cargo build",
            "mvn package",
            "gradle build",
            "make deploy",
            "python setup.py",
            "echo npm test",
            "bundle install",
            "dotnet build",
        ] {
            assert!(!t(no), "{no}");
        }
    }
}
