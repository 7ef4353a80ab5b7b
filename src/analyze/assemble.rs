//! MODEL stage: the [`Analysis`] document from the [`Inference`], the scanned layout and the
//! read diagnostics. Every decision was made in `infer::resolve`; this only turns places into
//! line:column positions and facts into the document's fields.

use crate::analyze::document::*;
use crate::analyze::positions::Positions;
use crate::files::ReadDiagnostic;
use crate::files::redact;
use crate::infer::resolve::{Deploy, Environment, Inference};
use crate::infer::{CredentialFact, Evidence, ImageFact, TestFact};
use crate::read::Pipeline;
use crate::scan::Layout;

/// Builds the document.
pub(crate) fn assemble(
    pipelines: &[Pipeline],
    inference: &Inference,
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
                    file: j.loc.file.clone(),
                    line: positions.of(&j.loc).line,
                })
                .collect(),
            best_effort: p.best_effort,
        })
        .collect();
    pipelines_out.sort_by(|a, b| a.file.cmp(&b.file));

    let deploy_steps: Vec<DeployStepOut> = inference
        .deploy_steps
        .iter()
        .map(|d| deploy_step(d, positions))
        .collect();
    let environments: Vec<EnvironmentOut> = inference
        .environments
        .iter()
        .map(|e| environment(e, positions))
        .collect();
    let images = inference
        .images
        .iter()
        .map(|i| image(i, positions))
        .collect();
    let tests = inference.tests.iter().map(|t| test(t, positions)).collect();
    let credentials: Vec<CredentialOut> = inference
        .credentials
        .iter()
        .map(|c| credential(c, positions))
        .collect();
    let secret_flows: Vec<SecretFlowOut> = inference
        .secret_flows
        .iter()
        .map(|f| SecretFlowOut {
            at: positions.of(&f.flow.evidence.loc),
            ci_name: f.flow.ci_name.clone(),
            target: TargetOut::from(&f.flow.target),
            job: f.flow.job.job.clone(),
            environment: f.environment.clone(),
        })
        .collect();

    let mut unresolved: Vec<UnresolvedOut> = pipelines
        .iter()
        .flat_map(|p| p.unresolved.iter())
        .map(|u| UnresolvedOut {
            at: positions.of(&u.loc),
            kind: u.kind.clone(),
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
        secret_flows,
        layout,
        unresolved,
        diagnostics,
    }
}

fn deploy_step(d: &Deploy, positions: &mut Positions<'_>) -> DeployStepOut {
    let step = &d.step;
    // The document lists job ids; jobs of the same id in two pipeline files are one entry.
    let mut jobs: Vec<String> = d.jobs.iter().map(|j| j.job.clone()).collect();
    jobs.sort();
    jobs.dedup();
    let mut pipelines: Vec<String> = d.jobs.iter().map(|j| j.pipeline.clone()).collect();
    pipelines.sort();
    pipelines.dedup();
    DeployStepOut {
        at: positions.of(&step.evidence.loc),
        system: step.system,
        pipeline: step.job.pipeline.clone(),
        job: step.job.job.clone(),
        jobs,
        pipelines,
        tool: step.tool,
        operation: step.operation.clone(),
        command: step.command.clone(),
        environment: d.environment.clone(),
        namespace: step.namespace.clone(),
        paths: step.paths.clone(),
        migratable: d.migratable,
        rule: step.evidence.rule,
        note: step.evidence.note.clone(),
        confidence: step.evidence.confidence,
    }
}

fn environment(e: &Environment, positions: &mut Positions<'_>) -> EnvironmentOut {
    EnvironmentOut {
        name: e.name.clone(),
        tier: e.tier,
        dynamic: e.dynamic,
        triggers: e
            .triggers
            .iter()
            .map(|t| TriggerOut {
                kind: t.kind.clone(),
                pattern: t.pattern.clone(),
            })
            .collect(),
        evidence: e
            .evidence
            .iter()
            .map(|ev| evidence(ev, positions))
            .collect(),
        confidence: e.confidence,
    }
}

fn evidence(e: &Evidence, positions: &mut Positions<'_>) -> EvidenceOut {
    EvidenceOut {
        at: positions.of(&e.loc),
        rule: e.rule,
        note: e.note.clone(),
        confidence: e.confidence,
    }
}

fn image(i: &ImageFact, positions: &mut Positions<'_>) -> ImageOut {
    ImageOut {
        at: positions.of(&i.evidence.loc),
        job: i.job.job.clone(),
        builder: i.builder,
        images: i.images.clone(),
        pushes: i.pushes,
    }
}

fn test(t: &TestFact, positions: &mut Positions<'_>) -> TestOut {
    TestOut {
        at: positions.of(&t.evidence.loc),
        job: t.job.job.clone(),
        command: t.command.clone(),
    }
}

fn credential(c: &CredentialFact, positions: &mut Positions<'_>) -> CredentialOut {
    CredentialOut {
        at: positions.of(&c.evidence.loc),
        kind: c.kind,
        name: c.name.clone(),
        job: c.scope.job().map(|j| j.job.clone()),
    }
}
