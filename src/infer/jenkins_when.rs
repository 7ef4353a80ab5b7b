//! The variable tests of a Jenkins `when { environment name: 'X', value: 'v' }`, as the
//! reader keeps them: `X == 'v'` for one test (as an `expression { env.X == 'v' }` reads too),
//! the `anyOf { ... }` text verbatim for several.
//!
//! Two callers read them. A test of the branch variable (`GIT_BRANCH`, `BRANCH_NAME`) is a
//! branch filter ([`branch_tests`]); a test of a variable named for the environment
//! (`ENVIRONMENT`, `DEPLOY_ENV`, `TARGET_ENV`, `TIER`) says where the stage deploys
//! ([`environment_tests`]). Anything else is no test this module reads.

use crate::infer::groups;

/// Every `(variable, value)` a condition's text tests: `X == 'v'` (the reader's spelling of one
/// `environment` condition), or each `environment name: 'X', value: 'v'` of an `anyOf`.
fn tests(text: &str) -> Vec<(String, String)> {
    let text = text.trim();
    if text.starts_with("anyOf") {
        return text
            .split("environment")
            .skip(1)
            .filter_map(|part| {
                let name = quoted_after(part, "name:")?;
                let value = quoted_after(part, "value:")?;
                Some((name, value))
            })
            .collect();
    }
    let Some((name, value)) = text.split_once("==") else {
        return Vec::new();
    };
    let name = name.trim();
    match literal(value) {
        Some(v) if is_variable(name) => vec![(name.to_owned(), v.to_owned())],
        _ => Vec::new(),
    }
}

/// The text of a quoted Groovy string (`'main'`, `"main"`) that holds no other quote.
fn literal(value: &str) -> Option<&str> {
    let value = value.trim();
    let q = value.chars().next().filter(|q| *q == '\'' || *q == '"')?;
    let text = value.strip_prefix(q)?.strip_suffix(q)?;
    (!text.contains(['\'', '"'])).then_some(text)
}

/// The quoted text right after `key` in `part` (`name: 'ENV'` → `ENV`).
pub(crate) fn quoted_after(part: &str, key: &str) -> Option<String> {
    let after = part[part.find(key)? + key.len()..].trim_start();
    let q = after.chars().next().filter(|q| *q == '\'' || *q == '"')?;
    let end = after[1..].find(q)?;
    Some(after[1..1 + end].to_owned())
}

/// A plain variable name (`ENVIRONMENT`, `env.GIT_BRANCH`), not code.
fn is_variable(name: &str) -> bool {
    let bare = name.strip_prefix("env.").unwrap_or(name);
    !bare.is_empty() && bare.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The branches a condition's text lets through: `GIT_BRANCH == 'master'`, `BRANCH_NAME`, with
/// or without `env.`, an `origin/` prefix taken off.
pub(crate) fn branch_tests(text: &str) -> Vec<String> {
    tests(text)
        .into_iter()
        .filter(|(name, _)| is_branch_variable(name))
        .map(|(_, value)| without_remote(&value).to_owned())
        .collect()
}

/// The branch pattern of a Groovy match of the branch variable: a full match
/// `env.BRANCH_NAME ==~ 'release/.*'` (the pattern `/release/.*/`, or the name itself when it
/// holds no regex character) or a prefix `GIT_BRANCH.startsWith('dev')` (`dev*`), an
/// `origin/` prefix taken off as [`branch_tests`] does.
pub(crate) fn branch_pattern(text: &str) -> Option<String> {
    let text = text.trim();
    if let Some((name, re)) = text.split_once("==~") {
        let re = without_remote(literal(re)?);
        let plain = re
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/'));
        return (is_branch_variable(name.trim()) && !re.is_empty()).then(|| {
            if plain {
                re.to_owned()
            } else {
                format!("/{re}/")
            }
        });
    }
    let (name, prefix) = text.split_once(".startsWith(")?;
    let prefix = without_remote(literal(prefix.strip_suffix(')')?)?);
    (is_branch_variable(name) && !prefix.is_empty()).then(|| format!("{prefix}*"))
}

/// `GIT_BRANCH` or `BRANCH_NAME`, with or without `env.`.
fn is_branch_variable(name: &str) -> bool {
    matches!(
        name.strip_prefix("env.").unwrap_or(name),
        "GIT_BRANCH" | "BRANCH_NAME"
    )
}

/// A branch without the remote's `origin/`, which `GIT_BRANCH` holds outside multibranch jobs.
fn without_remote(branch: &str) -> &str {
    branch.strip_prefix("origin/").unwrap_or(branch)
}

/// The environments a condition's text names: the values it tests a variable named for the
/// environment against (`ENVIRONMENT == 'production'` → `production`).
pub(crate) fn environment_tests(text: &str) -> Vec<String> {
    tests(text)
        .into_iter()
        .filter(|(name, _)| names_the_environment(name))
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty() && !matches!(value.as_str(), "true" | "false"))
        .collect()
}

/// `ENVIRONMENT`, `ENV`, `DEPLOY_ENV`, `TARGET_ENVIRONMENT`, `TIER`, `env.ENV_NAME`: a
/// variable whose words include `env`/`environment`/`tier`.
pub(crate) fn names_the_environment(name: &str) -> bool {
    let bare = name
        .strip_prefix("env.")
        .unwrap_or(name)
        .to_ascii_lowercase();
    bare.split('_')
        .any(|w| matches!(w, "env" | "environment" | "tier"))
}

/// The conjuncts of a Groovy condition that is a conjunction
/// (`return !env.CHANGE_ID && (env.BRANCH_NAME == 'master') && (a || b)`): the parts between
/// `&&` outside quotes and parentheses, each without `return` and the parentheses around it.
/// `None` with a `||` outside parentheses (then the parts are alternatives), with fewer than
/// two parts, or when quotes or parentheses do not balance.
pub(crate) fn conjuncts(text: &str) -> Option<Vec<&str>> {
    let text = text.trim();
    let text = text.strip_prefix("return").map_or(text, str::trim_start);
    if groups::split_outside(text, "||")?.len() > 1 {
        return None;
    }
    let parts: Vec<&str> = groups::split_outside(text, "&&")?
        .into_iter()
        .map(groups::ungrouped)
        .collect();
    (parts.len() > 1 && parts.iter().all(|p| !p.is_empty())).then_some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conjunctions_split_outside_parentheses() {
        assert_eq!(
            conjuncts(
                "return !env.CHANGE_ID && (env.BRANCH_NAME == 'master') &&\n \
                 (currentBuild.result == null || currentBuild.result == 'SUCCESS')"
            ),
            Some(vec![
                "!env.CHANGE_ID",
                "env.BRANCH_NAME == 'master'",
                "currentBuild.result == null || currentBuild.result == 'SUCCESS'"
            ])
        );
        assert_eq!(
            conjuncts("params.DEPLOY && env.BRANCH_NAME == 'a&&b'"),
            Some(vec!["params.DEPLOY", "env.BRANCH_NAME == 'a&&b'"])
        );
        assert_eq!(conjuncts("env.BRANCH_NAME == 'main' || params.FORCE"), None);
        assert_eq!(conjuncts("env.BRANCH_NAME == 'main'"), None);
        assert_eq!(conjuncts("(a) && b)"), None);
        assert_eq!(conjuncts("(a) || (b) && c"), None);
        assert_eq!(conjuncts("(a) && (b) || (c)"), None);
    }

    #[test]
    fn one_test_and_any_of() {
        assert_eq!(
            environment_tests("ENVIRONMENT == 'production'"),
            ["production"]
        );
        assert_eq!(
            environment_tests(
                "anyOf {\n environment name: 'ENVIRONMENT', value: 'production'\n \
                 environment name: 'ENVIRONMENT', value: 'staging'\n }"
            ),
            ["production", "staging"]
        );
        assert_eq!(environment_tests("DEPLOY_ENV == \"qa\""), ["qa"]);
        // The same test written in an `expression { }`.
        assert_eq!(environment_tests("env.DEPLOY_ENV == 'qa'"), ["qa"]);
        assert_eq!(branch_tests("GIT_BRANCH == 'origin/master'"), ["master"]);
        assert_eq!(branch_tests("env.BRANCH_NAME == 'main'"), ["main"]);
    }

    #[test]
    fn groovy_matches_of_the_branch_are_patterns() {
        let pattern = branch_pattern;
        assert_eq!(
            pattern("env.BRANCH_NAME ==~ 'release/.*'").as_deref(),
            Some("/release/.*/")
        );
        assert_eq!(
            pattern("BRANCH_NAME ==~'master'").as_deref(),
            Some("master")
        );
        assert_eq!(
            pattern("GIT_BRANCH.startsWith(\"origin/rel\")").as_deref(),
            Some("rel*")
        );
        for none in [
            "ENV ==~ 'prod'",
            "GIT_BRANCH.startsWith('')",
            "GIT_BRANCH.startsWith(prefix)",
            "env.BRANCH_NAME == 'main'",
        ] {
            assert_eq!(pattern(none), None, "{none}");
        }
    }

    #[test]
    fn other_tests_name_nothing() {
        // A flag, a variable not named for the environment, code, an unquoted value.
        assert!(environment_tests("DEPLOY_TO_PROD == 'true'").is_empty());
        assert!(environment_tests("updateType == 'UAT-to-STAG'").is_empty());
        assert!(environment_tests("params.ENV.toLowerCase() == 'prod'").is_empty());
        assert!(environment_tests("ENVIRONMENT == prod").is_empty());
        assert!(environment_tests("ENVIRONMENT == 'a' || ENV == 'b'").is_empty());
        assert!(branch_tests("ENVIRONMENT == 'production'").is_empty());
        assert!(environment_tests("").is_empty());
        assert!(environment_tests("anyOf { environment name: 'ENV' }").is_empty());
    }
}
