//! RENDER stage: SARIF 2.1.0 (`analyze --format sarif`), so code scanning shows each push-based
//! deploy step and each cluster credential where it is written.

use serde_json::{Value, json};

use crate::analyze::document::{Analysis, Position};
use crate::scan::SecretSource;

const DOCS: &str = "https://github.com/gitops-gen/gitops-gen/blob/main/docs/analysis.md";

/// Renders the SARIF log.
pub(crate) fn render(a: &Analysis) -> Value {
    let mut results = Vec::new();
    for d in &a.deploy_steps {
        let env = d
            .environment
            .as_deref()
            .map(|e| format!(" to `{e}`"))
            .unwrap_or_default();
        results.push(result(
            "push-deploy",
            "warning",
            format!(
                "`{}` deploys{env} from CI with {} {}: hand this to the GitOps operator",
                d.jobs.join("`, `"),
                d.tool,
                d.operation
            ),
            &d.at,
        ));
    }
    for c in &a.credentials {
        results.push(result(
            "cluster-credential",
            "warning",
            format!(
                "CI holds the cluster credential `{}` ({}): revoke it after migrating",
                c.name, c.kind
            ),
            &c.at,
        ));
    }
    for s in &a.layout.plaintext_secrets {
        let at = Position {
            file: s.file.as_str().into(),
            line: s.line,
            column: 1,
        };
        results.push(result(
            "plaintext-secret",
            "error",
            match s.source {
                SecretSource::HelmValues => format!(
                    "Helm values commit passwords in plain text: `{}`",
                    s.keys.join("`, `")
                ),
                _ => format!(
                    "Secret `{}` is committed in plain text",
                    s.name.as_deref().unwrap_or("(unnamed)")
                ),
            },
            &at,
        ));
    }
    for c in &a.layout.replica_conflicts {
        let at = Position {
            file: c.file.as_str().into(),
            line: c.line,
            column: c.column,
        };
        results.push(result(
            "replica-conflict",
            "warning",
            format!(
                "{} `{}` sets `spec.replicas`, which the {} at {}:{} scales",
                c.kind, c.name, c.scaler, c.scaler_file, c.scaler_line
            ),
            &at,
        ));
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "gitops-gen",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/gitops-gen/gitops-gen",
                    "rules": [
                        rule("push-deploy", "Deploy step in CI", "A CI job deploys to a cluster directly; with GitOps the operator pulls the change from Git."),
                        rule("cluster-credential", "Cluster credential in CI", "CI holds credentials for a cluster; after migrating to GitOps they are no longer needed."),
                        rule("plaintext-secret", "Plaintext Secret manifest", "A Kubernetes Secret is committed unencrypted; an operator would apply it from Git."),
                        rule("replica-conflict", "Replica count fights a scaler", "A workload's spec.replicas is written in Git while an HPA, a KEDA ScaledObject or a Flagger Canary scales it; every reconcile sets the count back."),
                    ]
                }
            },
            "results": results,
        }]
    })
}

fn rule(id: &str, name: &str, text: &str) -> Value {
    json!({
        "id": id,
        "name": name,
        "shortDescription": { "text": name },
        "fullDescription": { "text": text },
        "helpUri": format!("{DOCS}#{id}"),
        "properties": { "tags": ["gitops", "security"] }
    })
}

fn result(rule: &str, level: &str, message: String, at: &Position) -> Value {
    json!({
        "ruleId": rule,
        "level": level,
        "message": { "text": message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": at.file },
                "region": { "startLine": at.line, "startColumn": at.column }
            }
        }]
    })
}
