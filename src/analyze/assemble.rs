//! MODEL stage: the [`Analysis`] document from the [`Inference`], the scanned layout and the
//! read diagnostics. Every decision was made in `infer::resolve`; this only turns places into
//! line:column positions and facts into the document's fields.

use std::collections::HashMap;

use crate::analyze::document::*;
use crate::analyze::positions::Positions;
use crate::files::ReadDiagnostic;
use crate::files::redact;
use crate::infer::resolve::{Deploy, Environment, Inference};
use crate::infer::{CredentialFact, Evidence, ImageFact, TestFact};
use crate::read::{Pipeline, Unresolved};
use crate::scan::Layout;

/// Builds the document. It takes what it is built from, and moves their text into it rather
/// than copying: the document is the last thing `analyze` builds, when it holds the most.
pub(crate) fn assemble(
    mut pipelines: Vec<Pipeline>,
    inference: Inference,
    mut layout: Layout,
    read_diagnostics: &[ReadDiagnostic],
    positions: &mut Positions<'_>,
) -> Analysis {
    // The child pipeline files each job came through, which are pipeline files of its deploys.
    let through: HashMap<(&str, &str), &[String]> = pipelines
        .iter()
        .flat_map(|p| {
            p.jobs
                .iter()
                .filter(|j| !j.through.is_empty())
                .map(|j| ((p.file.as_str(), j.id.as_str()), j.through.as_slice()))
        })
        .collect();
    let Inference {
        deploy_steps,
        environments,
        images,
        tests,
        credentials,
        secret_flows,
    } = inference;
    let deploy_steps: Vec<DeployStepOut> = deploy_steps
        .into_iter()
        .map(|d| deploy_step(d, &through, positions))
        .collect();
    let unresolved: Vec<Unresolved> = pipelines
        .iter_mut()
        .flat_map(|p| std::mem::take(&mut p.unresolved))
        .collect();
    let mut pipelines_out: Vec<PipelineOut> = pipelines
        .into_iter()
        .map(|p| PipelineOut {
            file: p.file,
            system: p.system,
            name: p.name,
            jobs: p
                .jobs
                .into_iter()
                .map(|j| JobOut {
                    line: positions.of(&j.loc).line,
                    id: j.id,
                    name: j.name,
                    stage: j.stage,
                    environment: j.environment.map(|e| e.name),
                    manual: j.manual,
                    file: j.loc.file,
                })
                .collect(),
            best_effort: p.best_effort,
        })
        .collect();
    pipelines_out.sort_by(|a, b| a.file.cmp(&b.file));

    let environments: Vec<EnvironmentOut> = environments
        .into_iter()
        .map(|e| environment(e, positions))
        .collect();
    let images = images.into_iter().map(|i| image(i, positions)).collect();
    let tests = tests.into_iter().map(|t| test(t, positions)).collect();
    let credentials: Vec<CredentialOut> = credentials
        .into_iter()
        .map(|c| credential(c, positions))
        .collect();
    let secret_flows: Vec<SecretFlowOut> = secret_flows
        .into_iter()
        .map(|f| SecretFlowOut {
            at: positions.of(&f.flow.evidence.loc),
            target: TargetOut::from(&f.flow.target),
            job: f.flow.job.job.to_string(),
            ci_name: f.flow.ci_name,
            environment: f.environment,
        })
        .collect();

    let mut unresolved: Vec<UnresolvedOut> = unresolved
        .into_iter()
        .map(|u| UnresolvedOut {
            at: positions.of(&u.loc),
            kind: u.kind,
            // A remote include's URL may carry a token (`?private_token=…`, `user:pass@`).
            reference: redact::redacted(&u.reference),
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
            // Readers quote what they could not follow (an include, a key); mask any value.
            message: redact::redacted(&d.message),
        })
        .collect();
    // By place, code and message, so the same problem met twice (a script several jobs
    // call) is one entry.
    diagnostics.sort_by(|a, b| (&a.at, a.code, &a.message).cmp(&(&b.at, b.code, &b.message)));
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
        secret_flows,
        layout,
        unresolved,
        diagnostics,
    }
}

/// `through` gives the child pipeline files of a (pipeline, job), listed with the pipelines.
fn deploy_step(
    d: Deploy,
    through: &HashMap<(&str, &str), &[String]>,
    positions: &mut Positions<'_>,
) -> DeployStepOut {
    let step = d.step;
    // The document lists job ids; jobs of the same id in two pipeline files are one entry.
    let mut jobs: Vec<String> = d.jobs.iter().map(|j| j.job.to_string()).collect();
    jobs.sort();
    jobs.dedup();
    let mut pipelines: Vec<String> = d.jobs.iter().map(|j| j.pipeline.to_string()).collect();
    for j in &d.jobs {
        if let Some(files) = through.get(&(&*j.pipeline, &*j.job)) {
            pipelines.extend(files.iter().cloned());
        }
    }
    pipelines.sort();
    pipelines.dedup();
    DeployStepOut {
        at: positions.of(&step.evidence.loc),
        system: step.system,
        pipeline: step.job.pipeline.to_string(),
        job: step.job.job.to_string(),
        jobs,
        pipelines,
        tool: step.tool,
        operation: step.operation,
        command: step.command,
        environment: d.environment,
        namespace: step.namespace,
        paths: step.paths,
        migratable: d.migratable,
        rule: step.evidence.rule,
        note: step.evidence.note,
        confidence: step.evidence.confidence,
    }
}

fn environment(e: Environment, positions: &mut Positions<'_>) -> EnvironmentOut {
    EnvironmentOut {
        name: e.name,
        tier: e.tier,
        dynamic: e.dynamic,
        triggers: e
            .triggers
            .into_iter()
            .map(|t| TriggerOut {
                kind: t.kind,
                pattern: t.pattern,
            })
            .collect(),
        evidence: e
            .evidence
            .into_iter()
            .map(|ev| evidence(ev, positions))
            .collect(),
        confidence: e.confidence,
    }
}

fn evidence(e: Evidence, positions: &mut Positions<'_>) -> EvidenceOut {
    EvidenceOut {
        at: positions.of(&e.loc),
        rule: e.rule,
        note: e.note,
        confidence: e.confidence,
    }
}

fn image(i: ImageFact, positions: &mut Positions<'_>) -> ImageOut {
    ImageOut {
        at: positions.of(&i.evidence.loc),
        job: i.job.job.to_string(),
        builder: i.builder,
        images: i.images,
        pushes: i.pushes,
    }
}

fn test(t: TestFact, positions: &mut Positions<'_>) -> TestOut {
    TestOut {
        at: positions.of(&t.evidence.loc),
        job: t.job.job.to_string(),
        command: t.command,
    }
}

fn credential(c: CredentialFact, positions: &mut Positions<'_>) -> CredentialOut {
    CredentialOut {
        at: positions.of(&c.evidence.loc),
        kind: c.kind,
        name: c.name,
        job: c.scope.job().map(|j| j.job.to_string()),
    }
}
