//! Printing a draft and parsing it back: the decoder reads every key the emitter writes as
//! written, and the emitter's YAML is what an independent YAML parser reads too. The model
//! generator is shared with the `generate` properties (`cli/commands/generate/props.rs`).

use proptest::prelude::*;

use super::*;
use crate::model::draft::{
    BinaryDraft, ChatDraft, CommitStatusDraft, DriftDraft, NotificationsDraft, PolicyDraft,
    ServiceDraft, SetupStepDraft, SyncDraft, rollout_draft,
};
use crate::model::types::{Config, Deploy, Notifications, ToolInstall, ToolSource};

/// Environment names to pick from; each index also owns disjoint ref patterns (`b2`, `r2/*`).
const ENV_NAMES: [&str; 4] = ["dev", "staging", "production", "qa"];
const APP_NAMES: [&str; 3] = ["web", "api", "worker"];

/// `One` or `Many` of a non-empty subset of `candidates`.
fn patterns(candidates: Vec<String>) -> impl Strategy<Value = Patterns> {
    let first = candidates[0].clone();
    prop_oneof![
        Just(Patterns::One(first)),
        proptest::sample::subsequence(candidates.clone(), 1..=candidates.len())
            .prop_map(Patterns::Many),
    ]
}

fn environment(i: usize, name: &'static str) -> impl Strategy<Value = EnvironmentDraft> {
    let branches = vec![format!("b{i}"), format!("r{i}/*"), format!("f{i}/**")];
    let tags = vec![format!("v{i}.*"), format!("t{i}")];
    (
        proptest::option::of(patterns(branches)),
        proptest::option::of(patterns(tags)),
        proptest::option::of(proptest::sample::select(vec![
            Promotion::Commit,
            Promotion::PullRequest,
            Promotion::Manual,
        ])),
        proptest::option::of(any::<bool>()),
        proptest::option::of("[a-z][a-z0-9-]{0,8}[a-z0-9]"),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(
            move |(branches, tags, promotion, own_cluster, namespace, preview)| {
                // Nothing promotes into an environment without refs unless it is manual.
                let promotion = if branches.is_none() && tags.is_none() {
                    Some(Promotion::Manual)
                } else {
                    promotion
                };
                EnvironmentDraft {
                    name: name.to_owned(),
                    branches,
                    tags,
                    promotion,
                    cluster: (own_cluster == Some(true)).then(|| format!("{name}-cluster")),
                    clusters: (own_cluster == Some(false))
                        .then(|| vec![format!("{name}-east"), format!("{name}-west")]),
                    namespace,
                    preview,
                    suspended: None,
                    url: None,
                    drift: preview.is_some().then(|| DriftDraft {
                        prune: Some(false),
                        self_heal: None,
                        interval: Some("2m30s".to_owned()),
                    }),
                }
            },
        )
}

fn app(name: &'static str, helm: bool) -> impl Strategy<Value = AppDraft> {
    let scaffold = DeployDraft {
        scaffold: Some(format!("apps/{name}")),
        ..DeployDraft::default()
    };
    let deploy = if helm {
        prop_oneof![
            Just(scaffold),
            Just(DeployDraft {
                kustomize: Some(format!("k8s/{name}")),
                ..DeployDraft::default()
            }),
            Just(DeployDraft {
                manifests: Some(format!("manifests/{name}")),
                ..DeployDraft::default()
            }),
            Just(DeployDraft {
                helm: Some(HelmDraft::Chart(format!("charts/{name}"))),
                ..DeployDraft::default()
            }),
            Just(DeployDraft {
                helm: Some(HelmDraft::Full(Box::new(HelmMapDraft {
                    chart: name.to_owned(),
                    repository: Some("oci://ghcr.io/acme/charts".to_owned()),
                    version: Some("1.2.3".to_owned()),
                    values: Some(format!("deploy/{name}-values.yaml")),
                    release: Some(format!("{name}-release")),
                    image_path: Some("app.image.tag".to_owned()),
                    ..HelmMapDraft::default()
                }))),
                ..DeployDraft::default()
            }),
        ]
        .boxed()
    } else {
        Just(scaffold).boxed()
    };
    (
        proptest::option::of(proptest::sample::select(vec![
            format!("ghcr.io/acme/{name}"),
            format!("localhost:5000/{name}"),
            format!("registry.example.com/team/{name}"),
        ])),
        proptest::option::of(proptest::sample::select(vec![
            ".".to_owned(),
            name.to_owned(),
            format!("services/{name}"),
        ])),
        any::<bool>(),
        proptest::option::of(proptest::sample::select(vec![
            "make test",
            "cargo test --locked",
            "npm ci && npm test",
        ])),
        proptest::option::of(Just("docker.io/library/node:22".to_owned())),
        proptest::option::of(1u16..=65535),
        proptest::option::of(deploy),
    )
        .prop_map(
            move |(image, context, own_dockerfile, test, test_image, port, deploy)| {
                let dockerfile = own_dockerfile.then(|| match context.as_deref() {
                    None | Some(".") => "Dockerfile.prod".to_owned(),
                    Some(dir) => format!("{dir}/Dockerfile.prod"),
                });
                AppDraft {
                    name: name.to_owned(),
                    image,
                    context,
                    dockerfile,
                    test: test.map(str::to_owned),
                    test_image,
                    test_setup: None,
                    test_services: None,
                    port,
                    deploy,
                    rollout: None,
                }
            },
        )
}

fn tool() -> impl Strategy<Value = ToolDraft> {
    prop_oneof![
        // Exact semver: numbers without leading zeros, optionally a pre-release.
        (
            0u32..100,
            0u32..100,
            0u32..100,
            proptest::option::of("rc\\.[1-9][0-9]?")
        )
            .prop_map(|(major, minor, patch, pre)| ToolDraft {
                version: Some(match pre {
                    Some(pre) => format!("{major}.{minor}.{patch}-{pre}"),
                    None => format!("{major}.{minor}.{patch}"),
                }),
                // No published release has these numbers: they compile.
                install: Some(ToolInstall::Cargo),
                binary: None,
                git: None,
                rev: None,
            }),
        "[0-9a-f]{40}".prop_map(|rev| ToolDraft {
            version: None,
            install: None,
            binary: None,
            git: Some("https://github.com/acme/gitops-gen".to_owned()),
            rev: Some(rev),
        }),
    ]
}

fn gitops() -> impl Strategy<Value = GitopsDraft> {
    (
        proptest::option::of(proptest::sample::select(vec![
            "this",
            "https://example.com/acme/config.git",
            "git@github.com:acme/config.git",
        ])),
        proptest::option::of(proptest::sample::select(vec!["main", "gitops", "env/live"])),
        proptest::option::of(proptest::sample::select(vec![".", "deploy", "gitops/live"])),
        proptest::option::of(proptest::sample::select(vec!["commit", "pull-request"])),
    )
        .prop_map(|(repository, branch, path, sync)| {
            let separate = repository.is_some_and(|r| r != "this");
            GitopsDraft {
                repository: repository.map(str::to_owned),
                branch: branch.map(str::to_owned),
                path: path.map(str::to_owned),
                sync: sync.filter(|_| separate).map(|promotion| SyncDraft {
                    branch: Some("trunk".to_owned()),
                    promotion: Some(promotion.to_owned()),
                }),
                url: None,
            }
        })
}

/// A valid model: environments and apps with distinct names, disjoint ref patterns, distinct
/// clusters; every optional key sometimes left out. `helm` allows the deploy sources that
/// decode but do not render without more (the team's folders must exist; Helm is not rendered
/// yet).
pub(crate) fn model_draft(helm: bool) -> impl Strategy<Value = ModelDraft> {
    let envs = proptest::sample::subsequence((0..ENV_NAMES.len()).collect::<Vec<_>>(), 1..=4)
        .prop_flat_map(|picked| {
            picked
                .into_iter()
                .map(|i| environment(i, ENV_NAMES[i]))
                .collect::<Vec<_>>()
        });
    let apps = proptest::sample::subsequence(APP_NAMES.to_vec(), 1..=3)
        .prop_shuffle()
        .prop_flat_map(move |names| names.into_iter().map(|n| app(n, helm)).collect::<Vec<_>>());
    let top = (
        "[a-z][a-z0-9]{0,10}",
        proptest::option::of(proptest::sample::select(vec![
            Ci::Github,
            Ci::Gitlab,
            Ci::Both,
        ])),
        proptest::option::of(Just(Operator::Flux)),
        proptest::option::of(proptest::sample::select(vec![
            "ghcr.io/acme",
            "localhost:5000/acme",
        ])),
        proptest::option::of(gitops()),
        proptest::option::of(tool()),
        proptest::option::of(proptest::sample::select(vec![
            Builder::Buildah,
            Builder::DockerInDocker,
        ])),
    );
    (top, envs, apps).prop_map(
        |((project, ci, operator, registry, gitops, tool, builder), environments, mut apps)| {
            // The team's own folders are only usable where the operator reads this repository.
            let separate = gitops
                .as_ref()
                .and_then(|g| g.repository.as_deref())
                .is_some_and(|r| r != "this");
            for app in &mut apps {
                let Some(deploy) = app.deploy.as_mut() else {
                    continue;
                };
                let team_files = deploy.kustomize.is_some()
                    || deploy.manifests.is_some()
                    || deploy.helm.is_some();
                if separate && team_files {
                    *deploy = DeployDraft {
                        scaffold: Some(format!("apps/{}", app.name)),
                        ..DeployDraft::default()
                    };
                }
            }
            ModelDraft {
                version: 1,
                project,
                ci,
                operator,
                registry: registry.map(str::to_owned),
                gitops,
                tool,
                gitlab: builder.map(|b| GitlabDraft {
                    builder: Some(b),
                    file: None,
                }),
                notifications: None,
                policy: None,
                secrets: None,
                environments,
                apps,
            }
        },
    )
}

/// `notifications` written out in full; `None` when nothing is set.
fn notifications_draft(n: &Notifications) -> Option<NotificationsDraft> {
    (n.commit_status.is_some() || n.chat.is_some()).then(|| NotificationsDraft {
        commit_status: n.commit_status.as_ref().map(|c| CommitStatusDraft {
            provider: Some(c.provider),
            address: c.address.clone(),
            secret: Some(c.secret.clone()),
        }),
        chat: n.chat.as_ref().map(|c| ChatDraft {
            provider: c.provider,
            channel: c.channel.clone(),
            secret: Some(c.secret.clone()),
        }),
    })
}

/// The draft that writes out `config` in full: every default made explicit.
fn draft_of(config: &Config) -> ModelDraft {
    let patterns = |ps: &[crate::model::Spanned<crate::model::glob::RefPattern>]| {
        (!ps.is_empty())
            .then(|| Patterns::Many(ps.iter().map(|p| p.value.as_str().to_owned()).collect()))
    };
    ModelDraft {
        version: 1,
        project: config.project.value.clone(),
        ci: Some(match (config.ci.github, config.ci.gitlab) {
            (true, true) => Ci::Both,
            (false, true) => Ci::Gitlab,
            _ => Ci::Github,
        }),
        operator: Some(config.operator),
        registry: None,
        gitops: Some(GitopsDraft {
            repository: config.gitops.repository.clone(),
            branch: Some(config.gitops.branch.clone()),
            path: Some(config.gitops.path.clone()),
            sync: config.gitops.sync.as_ref().map(|sync| SyncDraft {
                branch: Some(sync.branch.as_str().to_owned()),
                promotion: Some(sync.promotion.as_str().to_owned()),
            }),
            url: config.gitops.url.clone(),
        }),
        tool: Some(match &config.tool {
            ToolSource::Binary(pins) => ToolDraft {
                version: Some(pins.version.clone()),
                install: Some(ToolInstall::Binary),
                binary: Some(BinaryDraft {
                    action: pins.action_commit.clone(),
                    image: pins.image_digest.clone(),
                }),
                git: None,
                rev: None,
            },
            ToolSource::Crate { version } => ToolDraft {
                version: Some(version.clone()),
                install: Some(ToolInstall::Cargo),
                binary: None,
                git: None,
                rev: None,
            },
            ToolSource::Git { url, rev } => ToolDraft {
                version: None,
                install: None,
                binary: None,
                git: Some(url.clone()),
                rev: Some(rev.clone()),
            },
        }),
        gitlab: Some(GitlabDraft {
            builder: Some(config.gitlab.builder),
            file: config
                .gitlab
                .is_included()
                .then(|| config.gitlab.file.clone()),
        }),
        notifications: notifications_draft(&config.notifications),
        policy: Some(PolicyDraft {
            enabled: Some(config.policy.enabled),
            admission: config.policy.admission,
        }),
        secrets: Some(secrets_draft(&config.secrets)),
        environments: config
            .environments
            .iter()
            .map(|e| EnvironmentDraft {
                name: e.name.value.clone(),
                branches: patterns(&e.branches),
                tags: patterns(&e.tags),
                promotion: Some(e.promotion),
                cluster: match e.clusters.as_slice() {
                    [one] => Some(one.clone()),
                    _ => None,
                },
                clusters: (e.clusters.len() > 1).then(|| e.clusters.clone()),
                namespace: Some(e.namespace.clone()),
                preview: Some(e.preview),
                suspended: Some(e.suspended),
                url: e.url.clone(),
                drift: Some(DriftDraft {
                    prune: Some(e.drift.prune),
                    self_heal: Some(e.drift.self_heal),
                    interval: e.drift.interval.clone(),
                }),
            })
            .collect(),
        apps: config
            .apps
            .iter()
            .map(|a| AppDraft {
                name: a.name.value.clone(),
                image: Some(a.image.clone()),
                context: Some(a.context.clone()),
                dockerfile: Some(a.dockerfile.clone()),
                test: a.test.clone(),
                test_image: Some(a.test_image.clone()),
                test_setup: (!a.test_setup.is_empty()).then(|| {
                    a.test_setup
                        .iter()
                        .map(|s| SetupStepDraft {
                            uses: s.uses.clone(),
                            with: (!s.with.is_empty()).then(|| s.with.iter().cloned().collect()),
                        })
                        .collect()
                }),
                test_services: (!a.test_services.is_empty()).then(|| {
                    a.test_services
                        .iter()
                        .map(|s| ServiceDraft {
                            name: s.name.clone(),
                            image: s.image.clone(),
                            env: (!s.env.is_empty()).then(|| s.env.iter().cloned().collect()),
                            ports: (!s.ports.is_empty()).then(|| s.ports.clone()),
                        })
                        .collect()
                }),
                port: Some(a.port),
                deploy: Some(match &a.deploy {
                    Deploy::Scaffold { path, .. } => DeployDraft {
                        scaffold: Some(path.clone()),
                        ..DeployDraft::default()
                    },
                    Deploy::Kustomize { path, overlays, .. } => DeployDraft {
                        kustomize: Some(path.clone()),
                        overlays: (!overlays.is_empty()).then(|| overlays.clone()),
                        ..DeployDraft::default()
                    },
                    Deploy::Manifests { path, .. } => DeployDraft {
                        manifests: Some(path.clone()),
                        ..DeployDraft::default()
                    },
                    Deploy::Helm(helm) => DeployDraft {
                        helm: Some(HelmDraft::from(helm.as_ref())),
                        ..DeployDraft::default()
                    },
                }),
                rollout: a.rollout.as_ref().map(rollout_draft),
            })
            .collect(),
    }
}

/// `draft` with every key it leaves out taken from `full`, spelled as [`draft_of`] spells it
/// (one pattern as a list, `repository: this` as no repository, no registry).
fn filled(draft: &ModelDraft, full: &ModelDraft) -> ModelDraft {
    let list = |p: &Option<Patterns>, full: &Option<Patterns>| match p {
        Some(Patterns::One(one)) => Some(Patterns::Many(vec![one.clone()])),
        Some(many) => Some(many.clone()),
        None => full.clone(),
    };
    let or = |d: &Option<String>, f: &Option<String>| d.clone().or_else(|| f.clone());
    let gitops = match (&draft.gitops, &full.gitops) {
        (Some(g), Some(f)) => Some(GitopsDraft {
            repository: match g.repository.as_deref() {
                Some("this") => None,
                _ => or(&g.repository, &f.repository),
            },
            branch: or(&g.branch, &f.branch),
            path: or(&g.path, &f.path),
            sync: match (&g.sync, &f.sync) {
                (Some(d), Some(f)) => Some(SyncDraft {
                    branch: or(&d.branch, &f.branch),
                    promotion: or(&d.promotion, &f.promotion),
                }),
                (d, f) => d.clone().or_else(|| f.clone()),
            },
            url: or(&g.url, &f.url),
        }),
        (d, f) => d.clone().or_else(|| f.clone()),
    };
    ModelDraft {
        version: draft.version,
        project: draft.project.clone(),
        ci: draft.ci.or(full.ci),
        operator: draft.operator.or(full.operator),
        registry: None,
        gitops,
        tool: draft.tool.clone().or_else(|| full.tool.clone()),
        gitlab: draft.gitlab.clone().or_else(|| full.gitlab.clone()),
        notifications: draft
            .notifications
            .clone()
            .or_else(|| full.notifications.clone()),
        policy: draft.policy.clone().or_else(|| full.policy.clone()),
        secrets: draft.secrets.clone().or_else(|| full.secrets.clone()),
        environments: draft
            .environments
            .iter()
            .zip(&full.environments)
            .map(|(d, f)| EnvironmentDraft {
                name: d.name.clone(),
                branches: list(&d.branches, &f.branches),
                tags: list(&d.tags, &f.tags),
                promotion: d.promotion.or(f.promotion),
                cluster: if d.clusters.is_some() {
                    None
                } else {
                    or(&d.cluster, &f.cluster)
                },
                clusters: d
                    .clusters
                    .clone()
                    .or_else(|| d.cluster.is_none().then(|| f.clusters.clone()).flatten()),
                namespace: or(&d.namespace, &f.namespace),
                preview: d.preview.or(f.preview),
                suspended: d.suspended.or(f.suspended),
                url: or(&d.url, &f.url),
                drift: match (&d.drift, &f.drift) {
                    (Some(d), Some(f)) => Some(DriftDraft {
                        prune: d.prune.or(f.prune),
                        self_heal: d.self_heal.or(f.self_heal),
                        interval: or(&d.interval, &f.interval),
                    }),
                    (d, f) => d.clone().or_else(|| f.clone()),
                },
            })
            .collect(),
        apps: draft
            .apps
            .iter()
            .zip(&full.apps)
            .map(|(d, f)| AppDraft {
                name: d.name.clone(),
                image: or(&d.image, &f.image),
                context: or(&d.context, &f.context),
                dockerfile: or(&d.dockerfile, &f.dockerfile),
                test: or(&d.test, &f.test),
                test_image: or(&d.test_image, &f.test_image),
                test_setup: d.test_setup.clone().or_else(|| f.test_setup.clone()),
                test_services: d.test_services.clone().or_else(|| f.test_services.clone()),
                port: d.port.or(f.port),
                deploy: filled_deploy(d.deploy.as_ref(), f.deploy.as_ref()),
                rollout: d.rollout.clone().or_else(|| f.rollout.clone()),
            })
            .collect(),
    }
}

/// `draft`'s deploy with what it leaves out taken from `full`'s: a Helm chart written as a
/// folder is read as the mapping with the default release and image path.
fn filled_deploy(draft: Option<&DeployDraft>, full: Option<&DeployDraft>) -> Option<DeployDraft> {
    let Some(draft) = draft else {
        return full.cloned();
    };
    let mut out = draft.clone();
    if let (Some(helm), Some(HelmDraft::Full(defaults))) =
        (&draft.helm, full.and_then(|f| f.helm.as_ref()))
    {
        let mut map = match helm {
            HelmDraft::Chart(chart) => HelmMapDraft {
                chart: chart.clone(),
                ..HelmMapDraft::default()
            },
            HelmDraft::Full(map) => (**map).clone(),
        };
        map.release = map.release.or_else(|| defaults.release.clone());
        map.image_path = map.image_path.or_else(|| defaults.image_path.clone());
        out.helm = Some(HelmDraft::Full(Box::new(map)));
    }
    Some(out)
}

fn parse(text: &str) -> Result<Config, TestCaseError> {
    crate::model::parse("gitops-gen.yaml", text)
        .map_err(|e| TestCaseError::fail(format!("{:?}\n{text}", miette::Report::new(e))))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// emit → decode reads every written key as written; writing out the decoded model in full
    /// and decoding it again changes nothing; and an independent YAML parser reads the emitted
    /// text as the same draft.
    #[test]
    fn the_decoder_reads_what_the_emitter_writes(draft in model_draft(true)) {
        let text = to_yaml(&draft, &Comments::default()).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let read: ModelDraft = serde_norway::from_str(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&read, &draft, "{}", text);

        let full = draft_of(&parse(&text)?);
        prop_assert_eq!(filled(&draft, &full), full.clone(), "{}", text);

        let again = to_yaml(&full, &Comments::default()).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(draft_of(&parse(&again)?), full, "{}", again);
    }
}
