//! INFER stage: rule `environment-from-job-name` — a deploying job with no declared environment
//! and no namespace/values/overlay hint is named after its target often enough (`deploy-prod`,
//! stage `Deploy to Staging`) to be worth a low-confidence guess.

use crate::infer::environment::tier::{is_dynamic, tier_of};
use crate::infer::{Confidence, Context, EnvironmentHint, Evidence, Facts, Rule, Tier};

pub(crate) struct EnvironmentFromJobName;

impl Rule for EnvironmentFromJobName {
    fn id(&self) -> &'static str {
        "environment-from-job-name"
    }

    fn describe(&self) -> &'static str {
        "a deploying job without other hints is named after its environment (`deploy-prod`)"
    }

    fn apply(&self, cx: &Context<'_>, facts: &mut Facts) {
        let mut new = Vec::new();
        for pipeline in cx.pipelines {
            for job in &pipeline.jobs {
                let deploys = facts
                    .deploy_steps
                    .iter()
                    .any(|d| d.pipeline == pipeline.file && d.job == job.id);
                let hinted = facts
                    .environment_hints
                    .iter()
                    .any(|h| h.file == pipeline.file && h.job == job.id);
                if !deploys || hinted {
                    continue;
                }
                let candidates = [
                    ("job-name", job.id.as_str()),
                    ("job-name", job.name.as_str()),
                ]
                .into_iter()
                .chain(job.stage.as_deref().map(|s| ("stage-name", s)));
                for (source, text) in candidates {
                    let Some(word) = tier_word(text) else {
                        continue;
                    };
                    new.push(EnvironmentHint {
                        name: word,
                        file: pipeline.file.clone(),
                        job: job.id.clone(),
                        source,
                        dynamic: is_dynamic(text),
                        evidence: Evidence {
                            rule: self.id(),
                            loc: job.loc.clone(),
                            note: format!(
                                "deploying job `{}` is named after an environment",
                                job.id
                            ),
                            confidence: Confidence::Low,
                        },
                    });
                    break;
                }
            }
        }
        facts.environment_hints.extend(new);
    }
}

/// The word of `text` that names a tier (`deploy-prod` → `prod`), lowercased.
fn tier_word(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .find(|w| !w.is_empty() && !matches!(tier_of(w, None).0, Tier::Other))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        assert_eq!(tier_word("deploy-prod").as_deref(), Some("prod"));
        assert_eq!(tier_word("Deploy to Staging").as_deref(), Some("staging"));
        assert_eq!(tier_word("deploy"), None);
    }
}
