//! INFER stage: rule `environment-name-from-command` — namespaces, kube contexts, values files
//! and overlay paths name an environment only through a tier word in them.
//!
//! `-n pricing-staging` and `values-prod.yaml` say staging and prod; `-n pricing` names the app,
//! not an environment. The rule is not a pass of its own: `environment-from-command` applies
//! [`name_command_hint`] to every hint it creates, so no hint is rewritten after the fact and
//! the job-name fallback and the triggers only ever see named hints. The hints it names keep
//! `environment-from-command` as their evidence's rule.

use crate::infer::tier::tier_of;
use crate::infer::{HintSource, Tier};

/// The name and note of a hint read from a command line: the tier word in the name (with a
/// note saying so), or `None` when there is none, so the hint names no environment. Hints of
/// other sources, and per-branch names, are kept as they are.
pub(crate) fn name_command_hint(
    source: HintSource,
    dynamic: bool,
    name: String,
    note: String,
) -> Option<(String, String)> {
    if !source.is_command_line() || dynamic {
        return Some((name, note));
    }
    let word = tier_word(&name)?;
    if word == name {
        return Some((name, note));
    }
    let note = format!("{note} (`{word}` names the environment)");
    Some((word, note))
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
    lower
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
        assert_eq!(tier_word("eu-pre-prod").as_deref(), Some("pre-prod"));
        assert_eq!(tier_word("pricing"), None);
    }

    #[test]
    fn command_hints_are_named_by_their_tier_word() {
        let named = |source, dynamic, name: &str| {
            name_command_hint(source, dynamic, name.to_owned(), "seen".to_owned())
        };
        assert_eq!(
            named(HintSource::Namespace, false, "pricing-staging"),
            Some((
                "staging".to_owned(),
                "seen (`staging` names the environment)".to_owned()
            ))
        );
        assert_eq!(
            named(HintSource::Overlay, false, "prod"),
            Some(("prod".to_owned(), "seen".to_owned()))
        );
        assert_eq!(named(HintSource::Context, false, "pricing"), None);
        assert_eq!(
            named(HintSource::Namespace, true, "review-$CI_COMMIT_REF_SLUG"),
            Some(("review-$CI_COMMIT_REF_SLUG".to_owned(), "seen".to_owned()))
        );
        assert_eq!(
            named(HintSource::Environment, false, "eu"),
            Some(("eu".to_owned(), "seen".to_owned()))
        );
    }
}
