//! RENDER stage: the Markdown readiness report (`analyze --format markdown`) a team lead can
//! paste into a ticket.

use std::fmt::Write;

use crate::analyze::document::Analysis;
use crate::scan::SecretSource;

/// Renders the report.
pub(crate) fn render(a: &Analysis) -> String {
    let mut out = String::new();
    let s = &a.summary;
    let pct = (s.migratable_deploy_steps * 100)
        .checked_div(s.deploy_steps)
        .unwrap_or(100);
    let _ = writeln!(out, "# GitOps readiness report\n");
    let _ = writeln!(
        out,
        "{} pipeline file(s), {} job(s). **{} deploy step(s)** push to clusters from CI; \
         **{pct}%** of them ({} of {}) can be handed to a pull-based operator (declarative applies of manifests or charts). \
         **{} credential(s)** to revoke after migration.\n",
        s.pipelines,
        s.jobs,
        s.deploy_steps,
        s.migratable_deploy_steps,
        s.deploy_steps,
        s.credentials
    );
    let _ = writeln!(out, "## Environments\n");
    if a.environments.is_empty() {
        let _ = writeln!(out, "No environment found.\n");
    } else {
        let _ = writeln!(
            out,
            "| environment | tier | per-branch | deployed by | confidence |\n| --- | --- | --- | --- | --- |"
        );
        for e in &a.environments {
            let triggers: Vec<String> = e
                .triggers
                .iter()
                .map(|t| match &t.pattern {
                    Some(p) => format!("{} `{}`", t.kind.as_str(), p.replace('|', "\\|")),
                    None => t.kind.as_str().to_owned(),
                })
                .collect();
            let _ = writeln!(
                out,
                "| `{}` | {:?} | {} | {} | {:?} |",
                e.name.replace('|', "\\|"),
                e.tier,
                if e.dynamic { "yes" } else { "no" },
                if triggers.is_empty() {
                    "—".to_owned()
                } else {
                    triggers.join(", ")
                },
                e.confidence
            );
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "## Deploy steps\n");
    if a.deploy_steps.is_empty() {
        let _ = writeln!(out, "No deploy step found.\n");
    } else {
        let _ = writeln!(
            out,
            "| where | job | tool | environment | migrate |\n| --- | --- | --- | --- | --- |"
        );
        for d in &a.deploy_steps {
            let _ = writeln!(
                out,
                "| `{}:{}` | `{}` | {} {} | {} | {} |",
                d.at.file,
                d.at.line,
                d.jobs.join("`, `").replace('|', "\\|"),
                d.tool,
                d.operation,
                d.environment.as_deref().unwrap_or("—"),
                if d.migratable {
                    "operator"
                } else {
                    "**manual**"
                }
            );
        }
        let _ = writeln!(out);
    }
    let manual: Vec<_> = a.deploy_steps.iter().filter(|d| !d.migratable).collect();
    let _ = writeln!(out, "## Manual tasks\n");
    let mut tasks = Vec::new();
    for d in manual {
        tasks.push(format!(
            "Decide how to replace `{} {}` in job `{}` (`{}:{}`): imperative operations are not reconciled by an operator.",
            d.tool, d.operation, d.job, d.at.file, d.at.line
        ));
    }
    for u in &a.unresolved {
        tasks.push(format!(
            "Review {} `{}` (`{}:{}`): it could not be read offline.",
            u.kind, u.reference, u.at.file, u.at.line
        ));
    }
    for d in &a.diagnostics {
        tasks.push(format!(
            "Fix or review `{}:{}`: {}.",
            d.at.file, d.at.line, d.message
        ));
    }
    for s in &a.layout.plaintext_secrets {
        tasks.push(match s.source {
            SecretSource::HelmValues => format!(
                "Move the plaintext passwords of `{}:{}` (`{}`) to a Secret kept with Sealed Secrets or SOPS before they are reconciled from Git.",
                s.file, s.line, s.keys.join("`, `")
            ),
            _ => format!(
                "Seal the plaintext Secret `{}` (`{}:{}`) before it is reconciled from Git: `{}`, then delete the plaintext and rotate its values, which Git's history keeps.",
                s.name.as_deref().unwrap_or("(unnamed)"), s.file, s.line,
                s.seal_command().unwrap_or_default()
            ),
        });
    }
    for f in &a.secret_flows {
        tasks.push(format!(
            "Seal the CI secret `{}` (`{}:{}`, job `{}`) into Git before the cutover: `{}`, then make the chart or manifests read that Secret.",
            f.ci_name,
            f.at.file,
            f.at.line,
            f.job,
            f.target.seal_command(&f.ci_name, f.environment.as_deref())
        ));
    }
    for c in &a.layout.replica_conflicts {
        tasks.push(format!(
            "Remove `spec.replicas` from {} `{}` (`{}:{}:{}`): the {} at `{}:{}` scales it, and every reconcile of the count in Git would undo that.",
            c.kind, c.name, c.file, c.line, c.column, c.scaler, c.scaler_file, c.scaler_line
        ));
    }
    if tasks.is_empty() {
        let _ = writeln!(out, "None.\n");
    } else {
        for t in tasks {
            let _ = writeln!(out, "- [ ] {t}");
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "## Credentials to revoke after migration\n");
    if a.credentials.is_empty() {
        let _ = writeln!(out, "None found.");
    } else {
        for c in &a.credentials {
            let _ = writeln!(
                out,
                "- [ ] `{}` ({}) — `{}:{}`",
                c.name, c.kind, c.at.file, c.at.line
            );
        }
    }
    out
}
