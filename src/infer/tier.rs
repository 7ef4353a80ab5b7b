//! INFER stage: canonical tiers and per-branch ("dynamic") environments, from names.

use crate::infer::{Confidence, Tier};

/// Word → tier. Names are split on anything that is not a letter or digit, so `prod-eu`,
/// `k8s_staging` and `review/feature-x` all find their word.
const WORDS: &[(&str, Tier)] = &[
    ("production", Tier::Production),
    ("prod", Tier::Production),
    ("prd", Tier::Production),
    ("live", Tier::Production),
    // A blockchain's production network.
    ("mainnet", Tier::Production),
    ("staging", Tier::Staging),
    ("stage", Tier::Staging),
    ("stg", Tier::Staging),
    ("preprod", Tier::Staging),
    ("preproduction", Tier::Staging),
    ("uat", Tier::Staging),
    // Acceptance, the A of the DTAP/OTAP ladder: the last stage before production.
    ("acceptance", Tier::Staging),
    ("acc", Tier::Staging),
    // The quality-assurance system of a DEV/QAS/PRD landscape, the last before production.
    ("qas", Tier::Staging),
    // A release candidate runs where the release will, before it does.
    ("rc", Tier::Staging),
    // Portuguese "homologação" and French "recette": the acceptance environment.
    ("hml", Tier::Staging),
    ("homolog", Tier::Staging),
    ("homologacao", Tier::Staging),
    ("recette", Tier::Staging),
    // A demo environment shows the release to be before production has it.
    ("demo", Tier::Staging),
    ("test", Tier::Testing),
    ("tst", Tier::Testing),
    ("testing", Tier::Testing),
    ("qa", Tier::Testing),
    ("int", Tier::Testing),
    ("integration", Tier::Testing),
    ("sit", Tier::Testing),
    ("e2e", Tier::Testing),
    ("testnet", Tier::Testing),
    ("dev", Tier::Development),
    ("develop", Tier::Development),
    ("development", Tier::Development),
    ("sandbox", Tier::Development),
    ("sbox", Tier::Development),
    ("sbx", Tier::Development),
    ("devnet", Tier::Development),
    ("playground", Tier::Development),
    ("review", Tier::Preview),
    ("preview", Tier::Preview),
    ("pr", Tier::Preview),
    ("ephemeral", Tier::Preview),
];

/// Variables and expressions that make an environment name differ per branch or per PR.
/// Matched as substrings, so `$X`, `${X}` and `env.X` forms all count. The one list for both
/// declared environment names and names found on command lines.
const DYNAMIC_MARKERS: &[&str] = &[
    "CI_COMMIT_REF_SLUG",
    "CI_COMMIT_REF_NAME",
    "CI_COMMIT_BRANCH",
    "CI_MERGE_REQUEST_IID",
    "CI_ENVIRONMENT_SLUG",
    "github.head_ref",
    "github.ref_name",
    "github.event.number",
    "pull_request.number",
    "BITBUCKET_BRANCH",
    "BITBUCKET_PR_ID",
    "BRANCH_NAME",
    "CHANGE_ID",
    "CIRCLE_BRANCH",
    "CIRCLE_PR_NUMBER",
    "Build.SourceBranchName",
    "System.PullRequest",
    "TRAVIS_BRANCH",
    "TRAVIS_PULL_REQUEST",
    "PR_NUMBER",
];

/// Whether `word` names a tier on its own (`prod`, `staging`, `pre-prod`); how command paths
/// (`overlays/prod`, `values-staging.yaml`) are recognised as environments.
pub(crate) fn is_tier_word(word: &str) -> bool {
    tier_of(word, None).0 != Tier::Other
}

/// Whether an environment name is per-branch or per-PR: it holds one of the markers, or a
/// variable named for a pull request's number in any case (`${{ steps.vars.outputs.pr_number
/// }}`, `$PR_NUM`, `${{ inputs.pr-number }}`): a step output or variable that a workflow fills
/// with the number is what its preview names are built from.
pub(crate) fn is_dynamic(name: &str) -> bool {
    DYNAMIC_MARKERS.iter().any(|m| name.contains(m))
        || crate::infer::commands::references(name).any(|(_, inner)| {
            let inner = inner.to_ascii_lowercase();
            PR_NUMBER_WORDS.iter().any(|w| inner.contains(w))
        })
}

/// What a variable named for a pull request's number holds in its name, lowercased.
const PR_NUMBER_WORDS: &[&str] = &["pr_num", "pr-num"];

/// The tier of an environment: a declared tier (GitLab `deployment_tier`) wins; otherwise the
/// name's words; dynamic names are previews.
pub(crate) fn tier_of(name: &str, declared: Option<&str>) -> (Tier, Confidence) {
    if let Some(declared) = declared {
        let tier = match declared {
            "production" => Some(Tier::Production),
            "staging" => Some(Tier::Staging),
            "testing" => Some(Tier::Testing),
            "development" => Some(Tier::Development),
            "other" => Some(Tier::Other),
            _ => None,
        };
        if let Some(tier) = tier {
            return (tier, Confidence::High);
        }
    }
    if is_dynamic(name) {
        return (Tier::Preview, Confidence::High);
    }
    let lower = name.to_ascii_lowercase();
    // Compounds whose parts would mislead: `pre-prod` is before production, `non-prod` is not it.
    let squashed: String = lower
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    if squashed.contains("preprod") {
        return (Tier::Staging, Confidence::Medium);
    }
    if squashed.contains("nonprod") {
        return (Tier::Testing, Confidence::Low);
    }
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    // The first word that names a tier decides: `review/prod-fix` is a review app.
    for word in &words {
        if let Some((_, tier)) = WORDS.iter().find(|(w, _)| w == word) {
            let confidence = if words.len() == 1 {
                Confidence::High
            } else {
                Confidence::Medium
            };
            return (*tier, confidence);
        }
    }
    (Tier::Other, Confidence::Low)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_from_names() {
        assert_eq!(tier_of("production", None).0, Tier::Production);
        assert_eq!(tier_of("prod-eu", None).0, Tier::Production);
        assert_eq!(tier_of("Staging", None).0, Tier::Staging);
        assert_eq!(tier_of("k8s_dev", None).0, Tier::Development);
        assert_eq!(tier_of("review/$CI_COMMIT_REF_SLUG", None).0, Tier::Preview);
        assert_eq!(tier_of("customers", None).0, Tier::Other);
        assert_eq!(tier_of("pre-prod", None).0, Tier::Staging);
        assert_eq!(tier_of("eu-nonprod", None).0, Tier::Testing);
        assert_eq!(tier_of("preproduction", None).0, Tier::Staging);
        assert_eq!(tier_of("rc", None).0, Tier::Staging);
        assert_eq!(tier_of("shop-demo", None).0, Tier::Staging);
        assert_eq!(tier_of("hml", None).0, Tier::Staging);
        assert_eq!(tier_of("mainnet", None).0, Tier::Production);
        assert_eq!(tier_of("testnet", None).0, Tier::Testing);
        assert_eq!(tier_of("playground", None).0, Tier::Development);
        // Words inside a longer word are not words: `rcfile`, `demos`.
        assert_eq!(tier_of("rcfile", None).0, Tier::Other);
        assert_eq!(tier_of("shop-acc", None).0, Tier::Staging);
        assert_eq!(tier_of("acceptance", None).0, Tier::Staging);
        assert_eq!(tier_of("tst", None).0, Tier::Testing);
        assert_eq!(tier_of("ptlsbox", None).0, Tier::Other);
        assert_eq!(tier_of("sbox", None).0, Tier::Development);
        assert_eq!(
            tier_of("eu", Some("production")),
            (Tier::Production, Confidence::High)
        );
    }

    #[test]
    fn dynamic_names() {
        assert!(is_dynamic("review/$CI_COMMIT_REF_SLUG"));
        assert!(is_dynamic("pr-${{ github.event.number }}"));
        assert!(is_dynamic("pr-${{ steps.vars.outputs.pr_number }}"));
        assert!(is_dynamic("preview-$PR_NUM"));
        assert!(is_dynamic("pr-${{ inputs.pr-number }}"));
        // Only inside a variable: literal text is no marker.
        assert!(!is_dynamic("pr-number-$REGION"));
        assert!(!is_dynamic("shop-pr-numbers"));
        assert!(!is_dynamic("production"));
        assert!(is_dynamic("ns-${CIRCLE_BRANCH}"));
        assert!(is_tier_word("pre-prod") && is_tier_word("qa") && !is_tier_word("secrets"));
    }
}
