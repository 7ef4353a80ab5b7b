//! INFER stage: rule `environment-name-from-command` — namespaces, kube contexts, values files
//! and overlay paths name an environment only through a tier word in them.
//!
//! `-n pricing-staging` and `values-prod.yaml` say staging and prod; `-n pricing` names the app,
//! not an environment. This rule rewrites command-derived hints to the tier word they contain
//! and drops those without one, before job names are tried and triggers are assigned.

use crate::infer::tier::tier_of;
use crate::infer::{Context, Facts, Rule, Tier};

pub(crate) struct EnvironmentNameFromCommand;

/// Hint sources that come from command lines rather than from a declared environment.
const COMMAND_SOURCES: &[&str] = &["namespace", "context", "values-file", "overlay"];

impl Rule for EnvironmentNameFromCommand {
    fn id(&self) -> &'static str {
        "environment-name-from-command"
    }

    fn describe(&self) -> &'static str {
        "a namespace, context, values file or overlay names an environment by the tier word in it"
    }

    fn apply(&self, _cx: &Context<'_>, facts: &mut Facts) {
        facts.environment_hints.retain_mut(|hint| {
            if !COMMAND_SOURCES.contains(&hint.source) || hint.dynamic {
                return true;
            }
            match tier_word(&hint.name) {
                Some(word) => {
                    if word != hint.name {
                        hint.evidence.note =
                            format!("{} (`{}` names the environment)", hint.evidence.note, word);
                        hint.name = word;
                    }
                    true
                }
                None => false,
            }
        });
    }
}

/// The first word of `name` that names a tier, lowercased: `pricing-staging` → `staging`.
pub(crate) fn tier_word(name: &str) -> Option<String> {
    // `pre-prod` / `non-prod` are names of their own, not `prod`.
    let lower = name.to_ascii_lowercase();
    for compound in ["pre-prod", "preprod", "non-prod", "nonprod"] {
        if lower.contains(compound) {
            return Some(compound.to_owned());
        }
    }
    name.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .find(|w| !w.is_empty() && tier_of(w, None).0 != Tier::Other)
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        assert_eq!(tier_word("pricing-staging").as_deref(), Some("staging"));
        assert_eq!(tier_word("values-prod").as_deref(), Some("prod"));
        assert_eq!(tier_word("pricing"), None);
    }
}
