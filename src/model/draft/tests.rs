//! Writing drafts: every key survives a round trip, comments land above what they name, and a
//! written draft is a valid model.

use super::*;
use crate::model::draft::value::Unsupported;

fn full() -> ModelDraft {
    ModelDraft {
        version: 1,
        project: "shop".to_owned(),
        ci: Some(Ci::Both),
        operator: Some(Operator::Flux),
        registry: Some("ghcr.io/acme".to_owned()),
        gitops: Some(GitopsDraft {
            repository: Some("https://example.com/config.git".to_owned()),
            branch: Some("main".to_owned()),
            path: Some("deploy".to_owned()),
            sync: Some(SyncDraft {
                branch: Some("trunk".to_owned()),
                promotion: Some("commit".to_owned()),
            }),
            url: Some("https://example.com/config.git".to_owned()),
        }),
        tool: Some(ToolDraft {
            version: Some("1.2.3".to_owned()),
            install: Some(ToolInstall::Cargo),
            binary: None,
            git: None,
            rev: None,
        }),
        gitlab: Some(GitlabDraft {
            builder: Some(Builder::DockerInDocker),
            file: Some(".gitlab/gitops.gitlab-ci.yml".to_owned()),
        }),
        notifications: Some(NotificationsDraft {
            commit_status: Some(CommitStatusDraft {
                provider: Some(GitProvider::Github),
                address: "https://github.com/acme/shop".to_owned(),
                secret: Some("commit-status-token".to_owned()),
            }),
            chat: Some(ChatDraft {
                provider: ChatProvider::Slack,
                channel: Some("#deploys".to_owned()),
                secret: Some("chat-webhook".to_owned()),
            }),
        }),
        policy: Some(PolicyDraft {
            enabled: Some(false),
            admission: Some(crate::model::delivery::Admission::Kyverno),
        }),
        secrets: Some(SecretsDraft {
            provider: Some(crate::model::delivery::SecretsProvider::SealedSecrets),
            store: None,
            // With a separate `gitops.repository` the tree is elsewhere: no `from_ci` here
            // (`from_ci_survives_a_round_trip`).
            from_ci: None,
        }),
        environments: vec![
            EnvironmentDraft {
                name: "staging".to_owned(),
                branches: Some(Patterns::One("develop".to_owned())),
                tags: Some(Patterns::Many(vec![
                    "v*".to_owned(),
                    "rc-[0-9]*".to_owned(),
                ])),
                promotion: Some(Promotion::PullRequest),
                cluster: None,
                clusters: Some(vec!["eu".to_owned(), "us".to_owned()]),
                namespace: Some("shop-staging".to_owned()),
                preview: Some(false),
                suspended: Some(true),
                url: Some("https://staging.example.com/shop".to_owned()),
                drift: Some(DriftDraft {
                    prune: Some(false),
                    self_heal: Some(true),
                    interval: Some("1h30m".to_owned()),
                }),
            },
            EnvironmentDraft {
                name: "preview".to_owned(),
                branches: Some(Patterns::Many(vec!["feature/**".to_owned()])),
                tags: None,
                promotion: Some(Promotion::Manual),
                cluster: None,
                clusters: None,
                namespace: None,
                preview: Some(true),
                suspended: None,
                url: None,
                drift: None,
            },
        ],
        apps: vec![AppDraft {
            name: "web".to_owned(),
            image: Some("ghcr.io/acme/web".to_owned()),
            context: Some("web".to_owned()),
            dockerfile: Some("web/Dockerfile".to_owned()),
            test: Some("make test: all".to_owned()),
            test_image: Some("docker.io/library/node:22".to_owned()),
            test_setup: Some(vec![SetupStepDraft {
                uses: "actions/setup-node@0123456789abcdef0123456789abcdef01234567".to_owned(),
                with: Some([("node-version".to_owned(), "22".to_owned())].into()),
            }]),
            test_services: Some(vec![ServiceDraft {
                name: "db".to_owned(),
                image: "docker.io/library/postgres:17".to_owned(),
                env: Some([("POSTGRES_PASSWORD".to_owned(), "test".to_owned())].into()),
                ports: Some(vec![5432]),
            }]),
            port: Some(3000),
            deploy: Some(DeployDraft {
                scaffold: Some("apps/web".to_owned()),
                ..DeployDraft::default()
            }),
            rollout: Some(RolloutDraft {
                strategy: Some(crate::model::delivery::Strategy::Ab),
                provider: Some(crate::model::delivery::TrafficProvider::Nginx),
                environments: Some(vec!["staging".to_owned()]),
                interval: Some("1m".to_owned()),
                threshold: Some(3),
                max_weight: None,
                step_weight: None,
                iterations: Some(20),
                progress_deadline_seconds: Some(120),
                metrics: Some(vec![delivery::MetricDraft {
                    name: Some(crate::model::delivery::BuiltinMetric::RequestDuration),
                    min: None,
                    max: Some(250),
                    interval: Some("30s".to_owned()),
                }]),
                load_test: Some(false),
                header: Some(delivery::HeaderDraft {
                    name: "x-beta".to_owned(),
                    value: "yes".to_owned(),
                }),
                gateway: None,
            }),
        }],
    }
}

#[test]
fn from_ci_survives_a_round_trip() -> Result<(), Box<dyn std::error::Error>> {
    let mut draft = full();
    draft.gitops = None;
    draft.secrets = Some(SecretsDraft {
        provider: None,
        store: None,
        from_ci: Some(vec![FromCiDraft {
            env: "staging".to_owned(),
            secret: "db".to_owned(),
            key: "password".to_owned(),
            from: "DB_PASSWORD".to_owned(),
        }]),
    });
    let text = to_yaml(&draft, &Comments::default())?;
    let read: ModelDraft = serde_norway::from_str(&text)?;
    assert_eq!(read, draft, "{text}");
    let config = crate::model::parse("gitops-gen.yaml", &text).map_err(|e| format!("{e:?}"))?;
    assert_eq!(config.secrets.from_ci.len(), 1);
    Ok(())
}

#[test]
fn every_key_survives_a_round_trip() -> Result<(), Box<dyn std::error::Error>> {
    let draft = full();
    let text = to_yaml(&draft, &Comments::default())?;
    let read: ModelDraft = serde_norway::from_str(&text)?;
    assert_eq!(read, draft, "{text}");
    assert!(
        crate::model::parse("gitops-gen.yaml", &text).is_ok(),
        "{text}"
    );
    Ok(())
}

#[test]
fn comments_sit_above_the_part_they_name() -> Result<(), Unsupported> {
    let mut comments = Comments::default();
    comments
        .add("", "top")
        .add("gitops.branch", "the watched branch")
        .add("environments[1]", "per branch")
        .add("environments[0].tags", "two lines\nof tags")
        .add("apps[0].name", "the app");
    let text = to_yaml(&full(), &comments)?;
    for expected in [
        "# top\nversion: 1\n",
        "  # the watched branch\n  branch: main\n",
        "    # two lines\n    # of tags\n    tags: [\"v*\",\"rc-[0-9]*\"]\n",
        "  # per branch\n  - name: preview\n",
        "  # the app\n  - name: web\n",
    ] {
        assert!(text.contains(expected), "{expected:?} in\n{text}");
    }
    Ok(())
}

#[test]
fn strings_that_would_read_back_differently_are_quoted() -> Result<(), Unsupported> {
    let text = to_yaml(&full(), &Comments::default())?;
    assert!(text.contains("    test: \"make test: all\"\n"), "{text}");
    assert!(text.contains("    branches: develop\n"), "{text}");
    assert!(text.contains("    preview: false\n"), "{text}");
    assert!(text.contains("    port: 3000\n"), "{text}");
    Ok(())
}
