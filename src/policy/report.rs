//! The findings of `policy check` as text (one line each, then a count), JSON (the findings and
//! the counts) or SARIF 2.1.0 (one result per finding, the rule ids as rules, the object's
//! document as the location).

use std::fmt::Write as _;

use serde_json::json;

use crate::policy::{Finding, Severity};

/// One line per finding, then the totals.
pub(crate) fn text(findings: &[Finding], objects: usize) -> String {
    let mut out = String::new();
    for f in findings {
        let level = match f.severity {
            Severity::Deny => "deny",
            Severity::Warn => "warn",
        };
        let namespace = f
            .namespace
            .as_deref()
            .map(|ns| format!(" in {ns}"))
            .unwrap_or_default();
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "{}:{}: {level} {}: {}/{}{namespace}: {}",
            f.file, f.line, f.rule, f.kind, f.name, f.message
        );
    }
    let (denied, warned) = counts(findings);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let _ = writeln!(
        out,
        "{} checked: {denied} denied, {}",
        plural(objects, "object"),
        plural(warned, "warning")
    );
    out
}

/// `{"findings": [...], "objects": N, "denied": N, "warnings": N}`.
pub(crate) fn json(findings: &[Finding], objects: usize) -> String {
    let (denied, warned) = counts(findings);
    let document = json!({
        "findings": findings,
        "objects": objects,
        "denied": denied,
        "warnings": warned,
    });
    format!("{document:#}\n")
}

/// A SARIF log with one run of `gitops-gen policy`.
pub(crate) fn sarif(findings: &[Finding]) -> String {
    let mut rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
    rules.sort_unstable();
    rules.dedup();
    let results: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            json!({
                "ruleId": f.rule,
                "level": match f.severity { Severity::Deny => "error", Severity::Warn => "warning" },
                "message": { "text": format!("{}/{}: {}", f.kind, f.name, f.message) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": f.file },
                        "region": { "startLine": f.line },
                    }
                }],
            })
        })
        .collect();
    let document = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "gitops-gen policy",
                "informationUri": "https://github.com/gitops-gen/gitops-gen/blob/main/docs/policy.md",
                "rules": rules.iter().map(|id| json!({
                    "id": id,
                    "helpUri": format!(
                        "https://github.com/gitops-gen/gitops-gen/blob/main/docs/policy.md#{}",
                        id.to_ascii_lowercase()
                    ),
                })).collect::<Vec<_>>(),
            }},
            "results": results,
        }],
    });
    format!("{document:#}\n")
}

/// (denied, warnings).
pub(crate) fn counts(findings: &[Finding]) -> (usize, usize) {
    let denied = findings
        .iter()
        .filter(|f| f.severity == Severity::Deny)
        .count();
    (denied, findings.len() - denied)
}
