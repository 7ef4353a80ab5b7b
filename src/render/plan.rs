//! RENDER stage: the pipeline plan. What every generated pipeline does (its jobs and what they
//! wait for, which pushes promote into which environment and how) is decided here once, from
//! the model; `ci::github` and `ci::gitlab` only spell the plan in their CI's syntax
//! (expressions, rules, regexes).

use crate::model::glob::RefPattern;
use crate::model::tree::GitopsTree;
use crate::model::{App, Config, Promotion, ToolSource};

/// The job that checks generated files against the model.
pub(crate) const CHECK_JOB: &str = "check";
/// The job that builds and validates every environment's overlays.
pub(crate) const VALIDATE_JOB: &str = "validate";
/// The job that brings the tree into a separate config repository.
pub(crate) const SYNC_JOB: &str = "sync";
/// GitLab's job that checks the built overlays against the policies (GitHub's validate job
/// does it in a step).
pub(crate) const POLICY_JOB: &str = "policy";

/// What the pipelines do, in CI-neutral terms.
pub(crate) struct PipelinePlan<'a> {
    /// Apps with their test and build jobs, in model order.
    pub(crate) apps: Vec<AppJobs<'a>>,
    /// Every ref pattern some environment promotes from, each once, in model order: the pushes
    /// that run the pipeline.
    pub(crate) triggers: Vec<RefTrigger<'a>>,
    /// One promotion per environment, in model order.
    pub(crate) promotions: Vec<PromotionPlan<'a>>,
    /// The environments an image moves through by hand (`promote --from/--to`), in model order:
    /// all but previews, which are never a source or target.
    pub(crate) chain: Vec<&'a str>,
    /// Promotions between adjacent environments of the chain.
    pub(crate) manual_steps: Vec<ManualStep<'a>>,
    /// Preview environments, whose per-branch instances go when their branch is deleted.
    pub(crate) previews: Vec<&'a str>,
    /// Where promotions write.
    pub(crate) gitops: GitopsTarget<'a>,
    /// How the jobs that run gitops-gen install it.
    pub(crate) install: InstallInputs<'a>,
    /// Directories the validate job builds: every environment's infrastructure and application
    /// overlay.
    pub(crate) validate_dirs: Vec<String>,
    /// The operator's objects under `clusters/<cluster>/` that gitops-gen writes, which the
    /// validate job checks as they are (not what `flux bootstrap` adds next to them).
    pub(crate) validate_clusters: Vec<String>,
    /// Each environment and its two overlays, which the validate job checks against the
    /// policies in `policy/`; empty with `policy.enabled: false`.
    pub(crate) policy_checks: Vec<(String, Vec<String>)>,
    /// Where the policies are, repository-relative.
    pub(crate) policy_dir: String,
    /// Whether this repository's pipeline validates the tree: only where the tree lives here.
    /// A separate config repository validates it in its own pipeline, on what the operator reads.
    pub(crate) validates: bool,
    /// With a separate config repository: the job that brings the tree there.
    pub(crate) sync: Option<SyncPlan<'a>>,
}

/// The job that writes the model's tree into the separate config repository.
pub(crate) struct SyncPlan<'a> {
    /// The branch of this repository whose pushes sync.
    pub(crate) branch: &'a RefPattern,
    /// `Commit` or `PullRequest`.
    pub(crate) mode: Promotion,
    /// The jobs it waits for: the check.
    pub(crate) needs: Vec<String>,
}

/// An app's jobs.
pub(crate) struct AppJobs<'a> {
    pub(crate) app: &'a App,
    /// The test job, when the app has a test command.
    pub(crate) test: Option<TestJob<'a>>,
    /// `build-<app>`: builds the image, and pushes it on pushes.
    pub(crate) build_job: String,
    /// The registry the image is pushed to (`ghcr.io/acme/web` → `ghcr.io`).
    pub(crate) registry_host: String,
}

/// A job running an app's test command before its image is built.
pub(crate) struct TestJob<'a> {
    /// `test-<app>`.
    pub(crate) job: String,
    pub(crate) command: &'a str,
}

/// Which kind of ref a pattern matches.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum RefKind {
    Branch,
    Tag,
}

impl RefKind {
    /// The ref namespace: `refs/heads/…` or `refs/tags/…`.
    pub(crate) fn namespace(self) -> &'static str {
        match self {
            RefKind::Branch => "heads",
            RefKind::Tag => "tags",
        }
    }
}

/// A branch or tag pattern whose pushes promote.
#[derive(Copy, Clone, Debug)]
pub(crate) struct RefTrigger<'a> {
    pub(crate) kind: RefKind,
    pub(crate) pattern: &'a RefPattern,
}

/// How new images reach one environment.
pub(crate) struct PromotionPlan<'a> {
    pub(crate) env: &'a str,
    /// `promote-<env>`.
    pub(crate) job: String,
    /// The jobs a promotion waits for: the check, the validation and every build.
    pub(crate) needs: Vec<String>,
    pub(crate) mode: Promotion,
    /// The pushes that promote, branches first.
    pub(crate) refs: Vec<RefTrigger<'a>>,
    /// One instance per branch instead of one environment.
    pub(crate) preview: bool,
    /// Where the environment answers, for CI's deployment link.
    pub(crate) url: Option<&'a str>,
}

impl PromotionPlan<'_> {
    /// Whether a push promotes on its own: the mode is not `manual` and some pattern triggers it.
    pub(crate) fn automatic(&self) -> bool {
        self.mode != Promotion::Manual && !self.refs.is_empty()
    }
}

/// A manual promotion from one environment of the chain into the next.
pub(crate) struct ManualStep<'a> {
    pub(crate) from: &'a str,
    pub(crate) to: &'a str,
    /// `promote-<from>-to-<to>`, for pipelines with one job per step.
    pub(crate) job: String,
}

/// The repository and branch promotions write to.
pub(crate) struct GitopsTarget<'a> {
    /// A separate configuration repository; `None` for this one.
    pub(crate) repository: Option<&'a str>,
    /// Whether promotions write to the repository the pipeline runs in.
    pub(crate) same_repository: bool,
    pub(crate) branch: &'a str,
    /// Everything promotion changes, as a path glob.
    pub(crate) promoted_paths: String,
}

/// What the install steps need to know.
pub(crate) struct InstallInputs<'a> {
    /// The pinned gitops-gen.
    pub(crate) tool: &'a ToolSource,
    /// Whether the binary may come from the CI cache; never when the pipeline builds releases.
    pub(crate) cache: bool,
}

impl<'a> PipelinePlan<'a> {
    /// The promotions pushes run on their own, in model order.
    pub(crate) fn automatic_promotions(&self) -> impl Iterator<Item = &PromotionPlan<'a>> {
        self.promotions.iter().filter(|p| p.automatic())
    }

    /// Decides the plan for `config`.
    pub(crate) fn new(config: &'a Config) -> PipelinePlan<'a> {
        let tree = GitopsTree::of(config);
        let apps: Vec<AppJobs> = config
            .apps
            .iter()
            .map(|app| {
                let name = &app.name.value;
                AppJobs {
                    app,
                    test: app.test.as_deref().map(|command| TestJob {
                        job: format!("test-{name}"),
                        command,
                    }),
                    build_job: format!("build-{name}"),
                    registry_host: registry_host(&app.pushed_image()).to_owned(),
                }
            })
            .collect();
        let validates = !config.gitops.is_separate();
        let mut needs = vec![CHECK_JOB.to_owned()];
        if validates {
            needs.push(VALIDATE_JOB.to_owned());
        }
        let policy_checks: Vec<(String, Vec<String>)> = if config.policy.enabled {
            config
                .environments
                .iter()
                .map(|env| {
                    let name = env.name.value.as_str();
                    (
                        name.to_owned(),
                        vec![
                            tree.infrastructure_overlay(name),
                            tree.applications_overlay(name),
                        ],
                    )
                })
                .collect()
        } else {
            Vec::new()
        };
        needs.extend(apps.iter().map(|a| a.build_job.clone()));

        let mut triggers: Vec<RefTrigger> = Vec::new();
        let mut promotions = Vec::new();
        for env in &config.environments {
            let refs: Vec<RefTrigger> = env
                .branches
                .iter()
                .map(|b| (RefKind::Branch, &b.value))
                .chain(env.tags.iter().map(|t| (RefKind::Tag, &t.value)))
                .map(|(kind, pattern)| RefTrigger { kind, pattern })
                .collect();
            // A tag names a release; a tag of an environment promoted by hand promotes nothing,
            // so its push would only build images no job uses. Branches still run the checks.
            let manual = env.promotion == Promotion::Manual;
            for r in refs.iter().filter(|r| !(manual && r.kind == RefKind::Tag)) {
                let known = triggers
                    .iter()
                    .any(|t| t.kind == r.kind && t.pattern.as_str() == r.pattern.as_str());
                if !known {
                    triggers.push(*r);
                }
            }
            let name = env.name.value.as_str();
            promotions.push(PromotionPlan {
                env: name,
                job: format!("promote-{name}"),
                needs: needs.clone(),
                mode: env.promotion,
                refs,
                preview: env.preview,
                url: env.url.as_deref(),
            });
        }

        let sync = config.gitops.sync.as_ref().map(|sync| SyncPlan {
            branch: &sync.branch,
            mode: sync.promotion,
            needs: vec![CHECK_JOB.to_owned()],
        });
        if let Some(sync) = &sync
            && !triggers
                .iter()
                .any(|t| t.pattern.matches(sync.branch.as_str()) && t.kind == RefKind::Branch)
        {
            triggers.push(RefTrigger {
                kind: RefKind::Branch,
                pattern: sync.branch,
            });
        }

        let chain: Vec<&str> = config
            .environments
            .iter()
            .filter(|e| !e.preview)
            .map(|e| e.name.value.as_str())
            .collect();
        let manual_steps = chain
            .windows(2)
            .map(|pair| ManualStep {
                from: pair[0],
                to: pair[1],
                job: format!("promote-{}-to-{}", pair[0], pair[1]),
            })
            .collect();
        let previews = config
            .environments
            .iter()
            .filter(|e| e.preview)
            .map(|e| e.name.value.as_str())
            .collect();
        let validate_clusters = crate::render::gitops::operator_files(config);
        let validate_dirs = config
            .environments
            .iter()
            .flat_map(|env| {
                let name = env.name.value.as_str();
                [
                    tree.infrastructure_overlay(name),
                    tree.applications_overlay(name),
                ]
            })
            .collect();
        let cache = !builds_releases(&triggers);
        PipelinePlan {
            apps,
            triggers,
            promotions,
            chain,
            manual_steps,
            previews,
            gitops: GitopsTarget {
                repository: config.gitops.repository.as_deref(),
                same_repository: !config.gitops.is_separate(),
                branch: &config.gitops.branch,
                promoted_paths: tree.applications_overlays_glob(),
            },
            install: InstallInputs {
                tool: &config.tool,
                cache,
            },
            validate_dirs,
            policy_checks,
            policy_dir: tree.policy_dir(),
            validate_clusters,
            validates,
            sync,
        }
    }
}

/// The registry host of an image repository (`ghcr.io/acme/web` → `ghcr.io`).
fn registry_host(image: &str) -> &str {
    image.split('/').next().unwrap_or(image)
}

/// Whether `triggers`, the pushes that run the pipeline, publish releases: tags, or branches
/// named for releases. Those runs publish images people deploy by version, so they must not restore a
/// cache another run could have written (cache poisoning, zizmor's `cache-poisoning` audit,
/// which counts both as release triggers): a compiled gitops-gen is then compiled afresh and
/// images are built without the layer cache. A published binary (`tool.install: binary`)
/// needs no cache at all.
fn builds_releases(triggers: &[RefTrigger]) -> bool {
    triggers.iter().any(|t| match t.kind {
        RefKind::Tag => true,
        RefKind::Branch => t.pattern.as_str().contains("release"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_of(model: &str) -> Result<(), String> {
        let config = crate::model::parse("gitops-gen.yaml", model).map_err(|e| format!("{e:?}"))?;
        let plan = PipelinePlan::new(&config);
        let jobs: Vec<(&str, bool, Vec<&str>)> = plan
            .promotions
            .iter()
            .map(|p| {
                (
                    p.job.as_str(),
                    p.automatic(),
                    p.refs.iter().map(|r| r.pattern.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            jobs,
            vec![
                ("promote-dev", true, vec!["main"]),
                ("promote-preview", true, vec!["feature/*"]),
                ("promote-prod", false, vec!["v*"]),
            ]
        );
        assert_eq!(plan.chain, vec!["dev", "prod"]);
        assert_eq!(plan.previews, vec!["preview"]);
        let steps: Vec<&str> = plan.manual_steps.iter().map(|s| s.job.as_str()).collect();
        assert_eq!(steps, vec!["promote-dev-to-prod"]);
        assert_eq!(
            plan.promotions[0].needs,
            vec!["check", "validate", "build-web"]
        );
        assert_eq!(plan.apps[0].registry_host, "ghcr.io");
        assert!(plan.apps[0].test.is_none());
        assert!(
            plan.install.cache,
            "the only tags are those of an environment promoted by hand, which trigger nothing"
        );
        assert_eq!(plan.triggers.len(), 2, "prod's tags trigger nothing");
        Ok(())
    }

    #[test]
    fn one_promotion_per_environment_and_a_chain_without_previews() -> Result<(), String> {
        plan_of(
            "version: 1\nproject: shop\nci: both\noperator: flux\nregistry: ghcr.io/acme\n\
             gitops: {repository: this, branch: main, path: .}\n\
             environments:\n\
             - {name: dev, branches: [main], promotion: commit}\n\
             - {name: preview, branches: ['feature/*'], promotion: commit, preview: true}\n\
             - {name: prod, tags: ['v*'], promotion: manual}\n\
             apps:\n- {name: web}\n",
        )
    }
}
