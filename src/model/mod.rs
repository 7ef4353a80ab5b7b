//! MODEL stage: loading `gitops-gen.yaml`, the single source of truth for `generate`.
//!
//! Reading goes through our YAML AST so that every problem can point at its line; the typed
//! [`Config`] is what every later stage consumes.

pub(crate) mod controllers;
pub(crate) mod decode;
pub(crate) mod delivery;
pub(crate) mod draft;
pub(crate) mod glob;
pub(crate) mod problem;
pub(crate) mod releases;
pub(crate) mod schema;
pub(crate) mod sharing;
pub(crate) mod tree;
pub(crate) mod types;

pub(crate) use problem::InvalidModel;
pub(crate) use types::*;

use crate::model::problem::Problems;
use crate::yaml::{self, Limits};

/// Every image repository the apps run, as the manifests spell it and as builds push it,
/// sorted and each once: what the registry rule (GG002) allows, in `policy check` and at
/// admission alike.
pub(crate) fn image_repositories(config: &Config) -> Vec<String> {
    let mut repositories: Vec<String> = config
        .apps
        .iter()
        .flat_map(|app| [app.image.clone(), app.pushed_image()])
        .collect();
    repositories.sort();
    repositories.dedup();
    repositories
}

/// The model's file name, at the repository root.
pub(crate) const FILE_NAME: &str = "gitops-gen.yaml";

/// Parses and validates model text. `path` only names the file in diagnostics.
pub(crate) fn parse(path: &str, source: &str) -> Result<Config, InvalidModel> {
    let mut problems = Problems::default();
    let parsed = match yaml::parse_with(source, &Limits::default()) {
        Ok(parsed) => parsed,
        Err(err) => {
            problems.push(
                err.span,
                format!("invalid YAML: {}", err.message),
                "here",
                None,
            );
            return Err(problems.into_error(path, source));
        }
    };
    // Two definitions of one key silently dropping the first is how a model goes stale.
    for warning in &parsed.warnings {
        // The YAML layer keeps the later value; the model refuses instead, so say only what
        // is wrong.
        let message = warning
            .message
            .trim_end_matches("; the later value wins")
            .to_owned();
        problems.push(warning.span, message, "duplicate key", None);
    }
    let config = match parsed.documents.as_slice() {
        [] => {
            problems.push(
                yaml::Span::default(),
                "the model is empty".to_owned(),
                "empty file",
                Some("run `gitops-gen init --yes` to write a default model".to_owned()),
            );
            None
        }
        [doc] => decode::decode(doc, &mut problems),
        [_, second, ..] => {
            problems.push(
                second.span,
                "the model must be a single YAML document".to_owned(),
                "second document",
                None,
            );
            None
        }
    };
    match config {
        Some(config) if problems.is_empty() => Ok(config),
        _ => Err(problems.into_error(path, source)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODEL: &str = "version: 1\nproject: shop\nci: both\nregistry: ghcr.io/acme\n\
        gitops: {repository: this, branch: main, path: deploy}\n\
        environments:\n  - name: staging\n    branches: [develop, \"release/*\"]\n    tags: [\"v*\"]\n\
        \x20   promotion: pull-request\n    cluster: eu\n    namespace: shop-staging\n\
        apps:\n  - name: web\n    image: ghcr.io/acme/web\n    port: 8080\n    test: make test\n\
        \x20   deploy: {scaffold: apps/web}\n";

    #[test]
    fn the_sample_model_is_valid() {
        assert!(
            parse(FILE_NAME, MODEL).is_ok(),
            "{:?}",
            parse(FILE_NAME, MODEL).err()
        );
    }

    #[test]
    fn tool_sources() {
        let with = |tool: &str| {
            parse(
                FILE_NAME,
                &MODEL.replace(
                    "registry: ghcr.io/acme\n",
                    &format!("registry: ghcr.io/acme\n{tool}\n"),
                ),
            )
        };
        let rev = "0123456789abcdef0123456789abcdef01234567";
        let git = with(&format!(
            "tool: {{git: https://example.com/g.git, rev: {rev}}}"
        ));
        assert_eq!(
            git.map(|c| c.tool).ok(),
            Some(ToolSource::Git {
                url: "https://example.com/g.git".to_owned(),
                rev: rev.to_owned(),
            })
        );
        let release = with("tool: {version: 1.2.3}");
        assert_eq!(
            release.map(|c| c.tool.pin().to_owned()).ok().as_deref(),
            Some("1.2.3")
        );
        for bad in [
            "tool: {git: https://example.com/g.git}",
            "tool: {git: https://example.com/g.git, rev: main}",
            "tool: {rev: 0123456789abcdef0123456789abcdef01234567}",
            "tool: {version: 1.2.3, git: https://example.com/g.git, rev: 0123456789abcdef0123456789abcdef01234567}",
            "tool: {git: http://example.com/g.git, rev: 0123456789abcdef0123456789abcdef01234567}",
            "tool: {git: https://example.com/g.git, rev: 0123456789abcdef0123456789abcdef01234567, install: binary}",
            "tool: {version: 1.2.3, install: wheel}",
        ] {
            assert!(with(bad).is_err(), "{bad} should be rejected");
        }
    }

    /// The diagnostics of a refused model, as text; empty when the model was accepted.
    fn refusal(parsed: Result<Config, InvalidModel>) -> String {
        parsed.err().map(|e| format!("{e:?}")).unwrap_or_default()
    }

    /// `notifications:` defaults its provider from `ci` and its Secret names, and refuses what
    /// would not make a valid Provider.
    #[test]
    fn notifications() {
        let with = |ci: &str, n: &str| {
            parse(
                FILE_NAME,
                &format!(
                    "version: 1\nproject: shop\nci: {ci}\nnotifications: {n}\n\
                     environments: [{{name: staging, branches: [main]}}]\napps: [{{name: web}}]\n"
                ),
            )
        };
        let config = with(
            "gitlab",
            "{commit_status: {address: 'https://gitlab.example.com/g/shop'}, chat: {provider: msteams}}",
        );
        let n = config.map(|c| c.notifications).unwrap_or_default();
        assert_eq!(
            n.commit_status,
            Some(CommitStatus {
                provider: GitProvider::Gitlab,
                address: "https://gitlab.example.com/g/shop".to_owned(),
                secret: "commit-status-token".to_owned(),
            })
        );
        assert_eq!(
            n.chat,
            Some(ChatAlerts {
                provider: ChatProvider::Msteams,
                channel: None,
                secret: "chat-webhook".to_owned(),
            })
        );
        for (ci, bad, message) in [
            (
                "both",
                "{commit_status: {address: 'https://github.com/a/b'}}",
                "needs `provider` with `ci: both`",
            ),
            ("github", "{commit_status: {}}", "needs `address`"),
            (
                "github",
                "{commit_status: {address: 'http://github.com/a/b'}}",
                "is not a plain https URL",
            ),
            ("github", "{chat: {provider: irc}}", "is not supported"),
            (
                "github",
                "{chat: {provider: slack, channel: 'a b'}}",
                "is not a channel name",
            ),
            (
                "github",
                "{chat: {provider: slack, secret: Bad_Name}}",
                "DNS-1123",
            ),
            ("github", "{email: {}}", "email"),
        ] {
            let refused = refusal(with(ci, bad));
            assert!(refused.contains(message), "{bad}: {refused}");
        }
    }

    /// The test job's extension point takes data only: pinned actions, one-line values,
    /// nothing GitHub or GitLab would evaluate.
    #[test]
    fn test_setup_and_services() {
        let with = |extra: &str| {
            parse(
                FILE_NAME,
                &format!(
                    "version: 1\nproject: shop\nenvironments: [{{name: s, branches: [main]}}]\n\
                     apps: [{{name: web, test: make, {extra}}}]\n"
                ),
            )
        };
        let sha = "0123456789abcdef0123456789abcdef01234567";
        let app = with(&format!(
            "test_setup: [{{uses: 'actions/setup-java@{sha}', with: {{java-version: 21, distribution: temurin}}}}], \
             test_services: [{{name: db, image: 'postgres:17', env: {{A: b}}, ports: [5432]}}]"
        ))
        .map(|c| c.apps[0].clone());
        let app = app.ok();
        assert_eq!(
            app.as_ref().map(|a| a.test_setup.clone()),
            Some(vec![SetupStep {
                uses: format!("actions/setup-java@{sha}"),
                with: vec![
                    ("java-version".to_owned(), "21".to_owned()),
                    ("distribution".to_owned(), "temurin".to_owned())
                ],
            }])
        );
        assert_eq!(
            app.map(|a| a.test_services),
            Some(vec![TestService {
                name: "db".to_owned(),
                image: "postgres:17".to_owned(),
                env: vec![("A".to_owned(), "b".to_owned())],
                ports: vec![5432],
            }])
        );
        for (bad, message) in [
            (
                "test_setup: [{uses: 'actions/setup-java@v4'}]".to_owned(),
                "not an action pinned to a commit",
            ),
            (
                format!("test_setup: [{{uses: 'a/b@{sha}', with: {{x: '${{{{ secrets.T }}}}'}}}}]"),
                "holds `${{`",
            ),
            (
                format!("test_setup: [{{uses: 'a/b@{sha}', with: {{v: 3.10}}}}]"),
                "must be a string",
            ),
            (
                "test_services: [{name: db, image: 'postgres:17', env: {P: '$CI_JOB_TOKEN'}}]"
                    .to_owned(),
                "GitLab would expand",
            ),
            (
                "test_services: [{name: DB, image: 'postgres:17'}]".to_owned(),
                "DNS-1123",
            ),
            (
                "test_services: [{name: db, image: 'postgres:17', ports: [0]}]".to_owned(),
                "from 1 to 65535",
            ),
        ] {
            let refused = refusal(with(&bad));
            assert!(refused.contains(message), "{bad}: {refused}");
        }
        let untested = parse(
            FILE_NAME,
            "version: 1\nproject: shop\nenvironments: [{name: s, branches: [main]}]\n\
             apps: [{name: web, test_services: [{name: db, image: 'postgres:17'}]}]\n",
        );
        assert!(refusal(untested).contains("`test_services` needs `test`"));
    }

    /// `url:` is a plain https address, and not on a preview environment.
    #[test]
    fn environment_urls() {
        let with = |env: &str| {
            parse(
                FILE_NAME,
                &format!(
                    "version: 1\nproject: shop\nenvironments:\n  - {env}\napps: [{{name: web}}]\n"
                ),
            )
        };
        let ok =
            with("{name: staging, branches: [main], url: 'https://staging.example.com:8443/shop'}");
        assert_eq!(
            ok.ok()
                .and_then(|c| c.environments[0].url.clone())
                .as_deref(),
            Some("https://staging.example.com:8443/shop")
        );
        for (bad, message) in [
            (
                "{name: s, branches: [main], url: 'http://s.example.com'}",
                "does not start with `https://`",
            ),
            (
                "{name: s, branches: [main], url: 'https://s.example.com/$CI_JOB_TOKEN'}",
                "its path holds",
            ),
            (
                "{name: s, branches: [main], url: 'https://s.example.com/a%20b'}",
                "its path holds",
            ),
            (
                "{name: s, branches: [main], url: 'https://u@s.example.com'}",
                "credentials",
            ),
            (
                "{name: s, branches: ['feature/*'], preview: true, url: 'https://s.example.com'}",
                "`url` on a preview environment",
            ),
        ] {
            let refused = refusal(with(bad));
            assert!(refused.contains(message), "{bad}: {refused}");
        }
    }

    /// A release installs as its published binary only when this build knows the release's
    /// checksums and image digest; otherwise `binary` is refused at its line and the default
    /// compiles it.
    #[test]
    fn a_binary_install_needs_a_published_release() {
        let with = |tool: &str| {
            parse(
                FILE_NAME,
                &MODEL.replace(
                    "registry: ghcr.io/acme\n",
                    &format!("registry: ghcr.io/acme\n{tool}\n"),
                ),
            )
        };
        assert!(releases::published("1.2.3").is_none());
        let cargo = ToolSource::Crate {
            version: "1.2.3".to_owned(),
        };
        assert_eq!(
            with("tool: {version: 1.2.3}").map(|c| c.tool).ok(),
            Some(cargo.clone())
        );
        assert_eq!(
            with("tool: {version: 1.2.3, install: cargo}")
                .map(|c| c.tool)
                .ok(),
            Some(cargo)
        );
        let refused = refusal(with("tool: {version: 1.2.3, install: binary}"));
        assert!(
            refused.contains("knows no published binary of 1.2.3"),
            "{refused}"
        );
        if let Some(first) = releases::PUBLISHED.first() {
            let tool = format!("tool: {{version: {}}}", first.version);
            assert_eq!(
                with(&tool).map(|c| c.tool).ok(),
                releases::published(first.version).map(ToolSource::Binary)
            );
        }
        let action = "0123456789abcdef0123456789abcdef01234567";
        let image = format!("sha256:{}", "ab".repeat(32));
        let pinned = with(&format!(
            "tool: {{version: 1.2.3, binary: {{action: {action}, image: '{image}'}}}}"
        ));
        assert_eq!(
            pinned.map(|c| c.tool).ok(),
            Some(ToolSource::Binary(BinaryPins {
                version: "1.2.3".to_owned(),
                action_commit: action.to_owned(),
                image_digest: image.clone(),
            }))
        );
        for (bad, message) in [
            (
                format!("tool: {{version: 1.2.3, binary: {{action: {action}}}}}"),
                "needs both `action` and `image`",
            ),
            (
                format!("tool: {{version: 1.2.3, binary: {{action: main, image: '{image}'}}}}"),
                "`tool.binary.action` `main` is not a full commit id",
            ),
            (
                format!("tool: {{version: 1.2.3, binary: {{action: {action}, image: latest}}}}"),
                "`tool.binary.image` `latest` is not an image digest",
            ),
            (
                format!(
                    "tool: {{version: 1.2.3, install: cargo, binary: {{action: {action}, image: '{image}'}}}}"
                ),
                "`tool.install` is `cargo`",
            ),
        ] {
            let refused = with(&bad)
                .err()
                .map(|e| format!("{e:?}"))
                .unwrap_or_default();
            assert!(refused.contains(message), "{bad}: {refused}");
        }
    }

    /// Invalid input is a diagnostic, never a panic: every prefix, and each byte replaced.
    #[test]
    fn never_panics_on_damaged_models() {
        for cut in 0..=MODEL.len() {
            if MODEL.is_char_boundary(cut) {
                let _ = parse(FILE_NAME, &MODEL[..cut]);
            }
        }
        let bytes = MODEL.as_bytes();
        for i in 0..bytes.len() {
            for replacement in [b'[', b'{', b'"', b':', b'-', b' ', b'\n', b'*', b'&', b'!'] {
                let mut changed = bytes.to_vec();
                changed[i] = replacement;
                let _ = parse(FILE_NAME, &String::from_utf8_lossy(&changed));
            }
        }
    }
}
