//! MODEL stage: turns pipelines, facts and layout into the [`Analysis`] document: positions
//! resolved to line:column, environments grouped by name, everything sorted.

use std::collections::BTreeMap;

use crate::analyze::document::*;
use crate::files::{Loc, ReadDiagnostic, RepoFiles};
use crate::infer::rules::job_environments;
use crate::infer::tier::tier_of;
use crate::infer::{Confidence, Evidence, Facts};
use crate::read::Pipeline;
use crate::scan::Layout;

/// Resolves byte offsets to 1-based line and column, reading each file once.
pub(crate) struct Positions<'r> {
    files: &'r dyn RepoFiles,
    line_starts: BTreeMap<String, (std::sync::Arc<str>, Vec<usize>)>,
}

impl<'r> Positions<'r> {
    /// Positions in the files of `files`.
    pub(crate) fn new(files: &'r dyn RepoFiles) -> Positions<'r> {
        Positions {
            files,
            line_starts: BTreeMap::new(),
        }
    }

    /// The position of `loc`'s start.
    pub(crate) fn of(&mut self, loc: &Loc) -> Position {
        let entry = self.line_starts.entry(loc.file.clone()).or_insert_with(|| {
            let text = self
                .files
                .read(&loc.file)
                .unwrap_or_else(|| std::sync::Arc::from(""));
            let starts = std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect();
            (text, starts)
        });
        let (text, starts) = entry;
        let offset = loc.span.start.min(text.len());
        let line = starts.partition_point(|&s| s <= offset).max(1);
        let line_start = starts[line - 1];
        let column = text
            .get(line_start..offset)
            .map_or(1, |s| s.chars().count() + 1);
        Position {
            file: loc.file.clone(),
            line,
            column,
        }
    }

    /// The source text of a file, for snippets.
    pub(crate) fn text(&self, file: &str) -> Option<std::sync::Arc<str>> {
        self.files.read(file)
    }
}

/// Whether `migrate` can hand a deploy to the operator: declarative applies of manifests,
/// overlays or charts. Deletes, restarts, scaling and rollbacks are decisions for a person.
pub(crate) fn migratable(tool: &str, operation: &str) -> bool {
    let op = operation.to_ascii_lowercase();
    let imperative = [
        "delete",
        "uninstall",
        "destroy",
        "rollback",
        "restart",
        "scale",
        "undo",
        "pause",
        "resume",
        "abort",
        "retry",
        "promote",
    ];
    !imperative.iter().any(|w| op.contains(w)) && tool != "jx"
}

/// Builds the document.
pub(crate) fn assemble(
    pipelines: &[Pipeline],
    facts: &Facts,
    mut layout: Layout,
    read_diagnostics: &[ReadDiagnostic],
    positions: &mut Positions<'_>,
) -> Analysis {
    let mut pipelines_out: Vec<PipelineOut> = pipelines
        .iter()
        .map(|p| PipelineOut {
            file: p.file.clone(),
            system: p.system,
            name: p.name.clone(),
            jobs: p
                .jobs
                .iter()
                .map(|j| JobOut {
                    id: j.id.clone(),
                    name: j.name.clone(),
                    stage: j.stage.clone(),
                    environment: j.environment.as_ref().map(|e| e.name.clone()),
                    manual: j.manual,
                    line: positions.of(&j.loc).line,
                })
                .collect(),
            best_effort: p.best_effort,
        })
        .collect();
    pipelines_out.sort_by(|a, b| a.file.cmp(&b.file));

    // A command written once can run from several jobs (a reusable workflow called twice, a
    // template extended by two jobs): it is one deploy step, at the place it is written.
    let mut deploy_steps: Vec<DeployStepOut> = Vec::new();
    for d in &facts.deploy_steps {
        let at = positions.of(&d.evidence.loc);
        let envs = job_environments(facts, &d.pipeline, &d.job);
        let environment = match envs.as_slice() {
            [one] => Some(one.name.clone()),
            _ => None,
        };
        if let Some(existing) = deploy_steps
            .iter_mut()
            .find(|e| e.at == at && e.tool == d.tool)
        {
            if existing.environment != environment {
                existing.environment = None;
            }
            if !existing.jobs.contains(&d.job) {
                existing.jobs.push(d.job.clone());
                existing.jobs.sort();
            }
            continue;
        }
        deploy_steps.push(DeployStepOut {
            at,
            system: d.system,
            pipeline: d.pipeline.clone(),
            job: d.job.clone(),
            jobs: vec![d.job.clone()],
            tool: d.tool,
            operation: d.operation.clone(),
            command: d.command.clone(),
            environment,
            namespace: d.namespace.clone(),
            paths: d.paths.clone(),
            migratable: migratable(d.tool, &d.operation),
            rule: d.evidence.rule,
            note: d.evidence.note.clone(),
            confidence: d.evidence.confidence,
        });
    }
    deploy_steps.sort_by(|a, b| a.at.cmp(&b.at).then(a.tool.cmp(b.tool)));

    let environments = environments(pipelines, facts, positions);

    let mut images: Vec<ImageOut> = facts
        .images
        .iter()
        .map(|i| ImageOut {
            at: positions.of(&i.evidence.loc),
            job: i.job.clone(),
            builder: i.builder,
            images: i.images.clone(),
            pushes: i.pushes,
        })
        .collect();
    images.sort_by(|a, b| a.at.cmp(&b.at));
    images.dedup_by(|a, b| a.at == b.at && a.builder == b.builder);
    let mut tests: Vec<TestOut> = facts
        .tests
        .iter()
        .map(|t| TestOut {
            at: positions.of(&t.evidence.loc),
            job: t.job.clone(),
            command: t.command.clone(),
        })
        .collect();
    tests.sort_by(|a, b| a.at.cmp(&b.at));
    tests.dedup_by(|a, b| a.at == b.at);
    let mut credentials: Vec<CredentialOut> = facts
        .credentials
        .iter()
        .map(|c| CredentialOut {
            at: positions.of(&c.evidence.loc),
            kind: c.kind,
            name: c.name.clone(),
            job: c.job.clone(),
        })
        .collect();
    credentials.sort_by(|a, b| a.at.cmp(&b.at).then(a.name.cmp(&b.name)));
    credentials.dedup_by(|a, b| a.at == b.at && a.name == b.name);

    let mut unresolved: Vec<UnresolvedOut> = pipelines
        .iter()
        .flat_map(|p| p.unresolved.iter())
        .map(|u| UnresolvedOut {
            at: positions.of(&u.loc),
            kind: u.kind.clone(),
            reference: u.reference.clone(),
        })
        .collect();
    unresolved.sort_by(|a, b| a.at.cmp(&b.at));
    unresolved.dedup_by(|a, b| a.at == b.at && a.reference == b.reference);

    // Layout problems are reported once, with positions, among the analysis diagnostics.
    let layout_diagnostics = std::mem::take(&mut layout.diagnostics);
    let mut diagnostics: Vec<DiagnosticOut> = read_diagnostics
        .iter()
        .chain(layout_diagnostics.iter())
        .map(|d| DiagnosticOut {
            at: positions.of(&d.loc),
            code: d.code.as_str(),
            message: d.message.clone(),
        })
        .collect();
    diagnostics.sort_by(|a, b| a.at.cmp(&b.at).then(a.code.cmp(b.code)));
    diagnostics.dedup_by(|a, b| a.at == b.at && a.code == b.code && a.message == b.message);

    let summary = Summary {
        pipelines: pipelines_out.len(),
        jobs: pipelines_out.iter().map(|p| p.jobs.len()).sum(),
        deploy_steps: deploy_steps.len(),
        migratable_deploy_steps: deploy_steps.iter().filter(|d| d.migratable).count(),
        environments: environments.len(),
        credentials: credentials.len(),
        unresolved: unresolved.len(),
        diagnostics: diagnostics.len(),
    };
    Analysis {
        version: ANALYSIS_VERSION,
        generator: format!("gitops-gen {}", env!("CARGO_PKG_VERSION")),
        summary,
        pipelines: pipelines_out,
        deploy_steps,
        environments,
        images,
        tests,
        credentials,
        layout,
        unresolved,
        diagnostics,
    }
}

fn evidence_out(e: &Evidence, positions: &mut Positions<'_>) -> EvidenceOut {
    EvidenceOut {
        at: positions.of(&e.loc),
        rule: e.rule,
        note: e.note.clone(),
        confidence: e.confidence,
    }
}

/// Groups hints and triggers by environment name. Only environments a deploying job targets
/// are reported: a namespace on an unrelated command, or an `environment:` on a job that
/// publishes a package, is not a cluster environment.
fn environments(
    pipelines: &[Pipeline],
    facts: &Facts,
    positions: &mut Positions<'_>,
) -> Vec<EnvironmentOut> {
    let mut by_name: BTreeMap<String, EnvironmentOut> = BTreeMap::new();
    // GitLab's `deployment_tier` says the tier outright.
    let declared: BTreeMap<&str, &str> = pipelines
        .iter()
        .flat_map(|p| p.jobs.iter())
        .filter_map(|j| j.environment.as_ref())
        .filter_map(|e| e.tier.as_deref().map(|t| (e.name.as_str(), t)))
        .collect();
    for hint in &facts.environment_hints {
        // Only what CI deploys to a cluster matters for GitOps: an `environment: pypi` on a
        // publishing job is not a cluster environment.
        let deploys = facts
            .deploy_steps
            .iter()
            .any(|d| d.pipeline == hint.file && d.job == hint.job);
        let chosen = job_environments(facts, &hint.file, &hint.job)
            .iter()
            .any(|h| h.name == hint.name);
        if !chosen || !deploys {
            continue;
        }
        let env = by_name
            .entry(hint.name.clone())
            .or_insert_with(|| EnvironmentOut {
                name: hint.name.clone(),
                tier: tier_of(&hint.name, declared.get(hint.name.as_str()).copied()).0,
                dynamic: hint.dynamic,
                triggers: Vec::new(),
                evidence: Vec::new(),
                confidence: Confidence::Low,
            });
        env.dynamic |= hint.dynamic;
        env.confidence = env.confidence.max(hint.evidence.confidence);
        env.evidence.push(evidence_out(&hint.evidence, positions));
    }
    for t in &facts.environment_triggers {
        let Some(env) = by_name.get_mut(&t.environment) else {
            continue;
        };
        env.triggers.push(TriggerOut {
            kind: t.kind.clone(),
            pattern: t.pattern.clone(),
        });
        env.evidence.push(evidence_out(&t.evidence, positions));
    }
    let mut out: Vec<EnvironmentOut> = by_name.into_values().collect();
    for env in &mut out {
        env.triggers.sort();
        env.triggers.dedup();
        env.evidence
            .sort_by(|a, b| a.at.cmp(&b.at).then(a.rule.cmp(b.rule)));
        env.evidence
            .dedup_by(|a, b| a.at == b.at && a.rule == b.rule && a.note == b.note);
        if env.dynamic {
            env.tier = crate::infer::Tier::Preview;
        }
    }
    out
}
