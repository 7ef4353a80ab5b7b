//! INFER stage: rule `environment-name-from-command` — namespaces, kube contexts, values files
//! and overlay paths name an environment only through a tier word in them.
//!
//! `-n pricing-staging` is the environment `pricing-staging` (tier staging): a namespace is the
//! name the pipeline gives its target, kept as written, and so is a context a person named
//! (`--context prod-fss`). `values-prod.yaml` and `overlays/prod` say `prod`, and a context
//! `gke_acme_eu_prod` or `shop-prod-cluster` too: those name files and clusters, and only
//! their tier word names the environment. `-n pricing` is kept as the weakest hint, which the
//! job index ranks as a namespace when it tells the job's target apart. The rule is not a pass
//! of its own: `environment-from-command` applies
//! [`name_command_hint`] to every hint it creates, so no hint is rewritten after the fact and
//! the job-name fallback and the triggers only ever see named hints. The hints it names keep
//! `environment-from-command` as their evidence's rule.

use crate::infer::tier::tier_of;
use crate::infer::{HintSource, Tier};

/// The source, name and note of a hint read from a command line: a literal namespace with a
/// tier word as written; otherwise the tier word in the name (with a note saying so); for a
/// namespace without one, the namespace as written, as the
/// weakest source ([`HintSource::NamespaceName`]), which names the job's target when it tells
/// targets apart (`JobIndex` decides, seeing every job) and otherwise only when nothing else
/// does; `None` otherwise, so the hint names no environment. Hints of other sources, and
/// per-branch names, are kept as they are.
pub(crate) fn name_command_hint(
    source: HintSource,
    dynamic: bool,
    name: String,
    note: String,
) -> Option<(HintSource, String, String)> {
    if !source.is_command_line() || dynamic {
        return Some((source, name, note));
    }
    let literal = !name.is_empty() && !name.contains(['$', '{', '(', '%', '<', ' ']);
    let Some(word) = tier_word(&name) else {
        // `-n $NAMESPACE`, `-n ${APP}-ns`, `-n ${{ inputs.namespace }}`: the variable is the
        // only name the pipeline gives the target, kept as written.
        let variable = (name.contains('$')
            && !name.contains(char::is_whitespace)
            && !name.contains(['"', '\'', '`', '|', ';', '<', '>']))
            || lone_expression(&name);
        return (source == HintSource::Namespace && (literal || variable)).then(|| {
            let note = format!("{note} (no tier word: the namespace names the environment)");
            (HintSource::NamespaceName, name, note)
        });
    };
    // A namespace is the name the pipeline gives its target: `jx-staging` stays `jx-staging`
    // (its tier still comes from the word); a values file or overlay path only carries one.
    if word == name || (source == HintSource::Namespace && literal) {
        return Some((source, name, note));
    }
    // A context a person named for its target (`prod-fss`) is the name the pipeline gives
    // it, as a namespace is; one named for the cluster (`staging-cluster-01`, `ens-dev-ctx`,
    // `shop-prod-eks`) or generated (`gke_acme_europe-west1_prod`, an ARN) only carries a
    // tier word.
    if source == HintSource::Context && literal && is_plain_name(&name) {
        return Some((source, name, note));
    }
    let note = format!("{note} (`{word}` names the environment)");
    Some((source, word, note))
}

/// A GitHub expression that only reads a value (`${{ inputs.namespace }}`,
/// `${{ needs.setup.outputs.ns }}`): no operator, call or literal in it.
fn lone_expression(name: &str) -> bool {
    name.strip_prefix("${{")
        .and_then(|rest| rest.strip_suffix("}}"))
        .map(str::trim)
        .is_some_and(|path| {
            !path.is_empty()
                && path
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        })
}

/// A name of letters, digits and hyphens, as a person writes it (`prod-fss`), not one a tool
/// generates from parts (`gke_project_zone_cluster`, an ARN, a host), and not one that says
/// it names a cluster (`cluster`, `ctx`, `eks`, ...).
fn is_plain_name(name: &str) -> bool {
    const CLUSTER: &[&str] = &[
        "cluster", "clusters", "ctx", "context", "k8s", "kube", "eks", "aks", "gke", "ocp",
    ];
    name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !name
            .to_ascii_lowercase()
            .split('-')
            .any(|w| CLUSTER.contains(&w))
}

/// `name` with a `-` where a lowercase letter or digit meets an uppercase one
/// (`DeployToProduction` → `Deploy-To-Production`), so camelCase words split like others.
pub(crate) fn split_camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() && previous_lower {
            out.push('-');
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(c);
    }
    out
}

/// The first word of `name` that names a tier, lowercased: `pricing-staging` → `staging`; a
/// `test` before another tier word gives way to it (`test-rollout-production` → `production`).
/// Words are split at punctuation and at camelCase (`DeployToProduction` → `production`).
pub(crate) fn tier_word(name: &str) -> Option<String> {
    // `pre-prod` / `non-prod` are names of their own, not `prod`.
    let lower = split_camel(name).to_ascii_lowercase();
    // A compound is a word of its own: `preproduction` is not `preprod`.
    for compound in ["pre-prod", "preprod", "non-prod", "nonprod"] {
        let whole = lower.match_indices(compound).any(|(at, _)| {
            let end = at + compound.len();
            !lower[end..].starts_with(|c: char| c.is_ascii_alphanumeric())
        });
        if whole {
            return Some(compound.to_owned());
        }
    }
    let mut start = 0;
    let mut first_test = None;
    let ends = lower
        .char_indices()
        .chain(std::iter::once((lower.len(), ' ')));
    for (end, c) in ends.filter(|(_, c)| !c.is_ascii_alphanumeric()) {
        let word = lower.get(start..end).unwrap_or_default();
        let from = start;
        start = end + c.len_utf8();
        // `stage` in a variable's name (`${DEPLOYMENT_STAGE}`, `$(stage)`) names the variable
        // that holds the environment, not the staging tier.
        if word.is_empty() || word == "stage" && in_variable_name(&lower, from) {
            continue;
        }
        if tier_of(word, None).0 != Tier::Other {
            // `test` before another tier word qualifies it (`values-test-rollout-production`,
            // `e2e-test-staging`): the other names the tier.
            if matches!(word, "test" | "tests" | "testing") && first_test.is_none() {
                first_test = Some(word);
                continue;
            }
            return Some(word.to_owned());
        }
    }
    first_test.map(str::to_owned)
}

/// Whether byte `at` of `text` is inside the name of a variable reference: `$NAME`,
/// `${NAME}`, `$(NAME)`, the name's characters being letters, digits, `_` and `-`.
fn in_variable_name(text: &str, at: usize) -> bool {
    let before = text.get(..at).unwrap_or_default();
    let name = before.trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    name.ends_with('$') || name.ends_with("${") || name.ends_with("$(")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_in_a_variables_name_is_no_tier() {
        assert_eq!(tier_word("${DEPLOYMENT_STAGE}.yaml"), None);
        assert_eq!(tier_word("values-$(deployment-stage).yaml"), None);
        assert_eq!(tier_word("$STAGE-values.yaml"), None);
        assert_eq!(tier_word("${STAGE}-prod").as_deref(), Some("prod"));
        assert_eq!(tier_word("$NAMESPACE_STAGING").as_deref(), Some("staging"));
        assert_eq!(tier_word("values-stage.yaml").as_deref(), Some("stage"));
        assert_eq!(tier_word("é-${STAGE}-é-prod").as_deref(), Some("prod"));
        assert_eq!(
            tier_word("values-test-rollout-production.yml").as_deref(),
            Some("production")
        );
        assert_eq!(tier_word("values-test.yml").as_deref(), Some("test"));
    }

    #[test]
    fn words() {
        assert_eq!(tier_word("pricing-staging").as_deref(), Some("staging"));
        assert_eq!(tier_word("values-prod").as_deref(), Some("prod"));
        assert_eq!(tier_word("eu-pre-prod").as_deref(), Some("pre-prod"));
        assert_eq!(tier_word("values-preprod.yaml").as_deref(), Some("preprod"));
        assert_eq!(
            tier_word("use-preproduction-atlas").as_deref(),
            Some("preproduction")
        );
        assert_eq!(tier_word("pricing"), None);
        // Jenkins stage names are often camelCase.
        assert_eq!(
            tier_word("DeployToProduction").as_deref(),
            Some("production")
        );
        assert_eq!(tier_word("deployProd").as_deref(), Some("prod"));
        assert_eq!(tier_word("PRODUCTION").as_deref(), Some("production"));
    }

    #[test]
    fn command_hints_are_named_by_their_tier_word() {
        let named = |source, dynamic, name: &str| {
            name_command_hint(source, dynamic, name.to_owned(), "seen".to_owned())
        };
        let hint =
            |source, name: &str, note: &str| Some((source, name.to_owned(), note.to_owned()));
        // A namespace is named as written (issue 9, class 4: `jx-staging`, `ucode-prod`).
        assert_eq!(
            named(HintSource::Namespace, false, "pricing-staging"),
            hint(HintSource::Namespace, "pricing-staging", "seen")
        );
        assert_eq!(
            named(HintSource::Context, false, "gke_acme_eu_prod"),
            hint(
                HintSource::Context,
                "prod",
                "seen (`prod` names the environment)"
            )
        );
        assert_eq!(
            named(HintSource::Context, false, "prod-fss"),
            hint(HintSource::Context, "prod-fss", "seen")
        );
        assert_eq!(
            named(HintSource::Context, false, "staging-cluster-01"),
            hint(
                HintSource::Context,
                "staging",
                "seen (`staging` names the environment)"
            )
        );
        assert_eq!(
            named(HintSource::ValuesFile, false, "values-staging"),
            hint(
                HintSource::ValuesFile,
                "staging",
                "seen (`staging` names the environment)"
            )
        );
        assert_eq!(
            named(HintSource::Overlay, false, "prod"),
            hint(HintSource::Overlay, "prod", "seen")
        );
        assert_eq!(named(HintSource::Context, false, "pricing"), None);
        assert_eq!(named(HintSource::Overlay, false, "pricing"), None);
        assert_eq!(
            named(HintSource::Namespace, true, "review-$CI_COMMIT_REF_SLUG"),
            hint(HintSource::Namespace, "review-$CI_COMMIT_REF_SLUG", "seen")
        );
        assert_eq!(
            named(HintSource::Environment, false, "eu"),
            hint(HintSource::Environment, "eu", "seen")
        );
    }

    /// A namespace without a tier word was dropped although it is the only name the pipeline
    /// gives its target (issue 9, class 4); it is kept as written, as the weakest source.
    #[test]
    fn a_namespace_without_a_tier_word_names_the_environment_as_written() {
        let named = |name: &str| {
            name_command_hint(
                HintSource::Namespace,
                false,
                name.to_owned(),
                "seen".to_owned(),
            )
        };
        let Some((source, name, _)) = named("dagster") else {
            panic!("no hint for -n dagster");
        };
        assert_eq!(
            (source, name.as_str()),
            (HintSource::NamespaceName, "dagster")
        );
        let Some((source, name, _)) = named("$NAMESPACE") else {
            panic!("no hint for -n $NAMESPACE");
        };
        assert_eq!(
            (source, name.as_str()),
            (HintSource::NamespaceName, "$NAMESPACE"),
            "an unresolved variable is the name as written"
        );
        assert_eq!(named("$(kubectl get ns -o name | head -1)"), None);
        assert_eq!(named("{{ .Values.ns }}"), None);
        // A GitHub expression that reads one value is a variable too; one that computes is not.
        let Some((source, name, _)) = named("${{ inputs.namespace }}") else {
            panic!("no hint for -n ${{{{ inputs.namespace }}}}");
        };
        assert_eq!(
            (source, name.as_str()),
            (HintSource::NamespaceName, "${{ inputs.namespace }}")
        );
        assert_eq!(named("${{ inputs.ns || 'default' }}"), None);
        assert_eq!(named("${{ format('{0}-ns', inputs.app) }}"), None);
    }
}
