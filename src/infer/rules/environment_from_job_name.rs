//! INFER stage: rule `environment-from-job-name` — a deploying job with no declared environment
//! and no namespace/values/overlay hint is named after its target often enough (`deploy-prod`,
//! stage `Deploy to Staging`) to be worth a low-confidence guess.

use crate::infer::rules::environment_name_from_command::tier_word;
use crate::infer::rules::job_environments;
use crate::infer::tier::is_dynamic;
use crate::infer::{Confidence, Context, EnvironmentHint, Evidence, Facts, Rule};
use crate::read::Step;

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
                let hinted = !job_environments(facts, &pipeline.file, &job.id).is_empty();
                if !deploys || hinted {
                    continue;
                }
                // Credential ids (`kube-prod`), API server hosts (`--server=https://api.prod...`)
                // and deploy-script arguments (`./deploy.sh production`) name targets too.
                let credentials: Vec<&str> = facts
                    .credentials
                    .iter()
                    .filter(|c| c.job.as_deref() == Some(job.id.as_str()))
                    .map(|c| c.name.as_str())
                    .collect();
                let servers: Vec<String> = facts
                    .deploy_steps
                    .iter()
                    .filter(|d| d.pipeline == pipeline.file && d.job == job.id)
                    .filter_map(|d| server_host(&d.command))
                    .collect();
                let script_args: Vec<String> = job
                    .steps
                    .iter()
                    .filter_map(|s| match s {
                        Step::Script { text, .. } => Some(text.as_str()),
                        Step::Action { .. } => None,
                    })
                    .flat_map(str::lines)
                    .filter_map(script_arguments)
                    .collect();
                let candidates = [
                    ("job-name", job.id.as_str()),
                    ("job-name", job.name.as_str()),
                ]
                .into_iter()
                .chain(job.stage.as_deref().map(|s| ("stage-name", s)))
                .chain(credentials.into_iter().map(|c| ("credential", c)))
                .chain(servers.iter().map(|s| ("server", s.as_str())))
                .chain(script_args.iter().map(|s| ("script-argument", s.as_str())));
                for (source, text) in candidates {
                    // A job or stage called `test` runs tests; it does not name a target.
                    let named = |w: &String| {
                        !matches!(source, "job-name" | "stage-name")
                            || !matches!(w.as_str(), "test" | "testing")
                    };
                    let Some(word) = tier_word(text).filter(named) else {
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
                                "deploying job `{}`: its {source} `{text}` names an environment",
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

/// The host of a `--server` / `--server=` argument.
fn server_host(command: &str) -> Option<String> {
    let rest = command.split("--server").nth(1)?;
    let value = rest
        .trim_start_matches(['=', ' '])
        .split_whitespace()
        .next()?;
    let host = value
        .trim_matches(['"', '\''])
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    Some(host.split(['/', ':']).next()?.to_owned())
}

/// The arguments of a line that runs a shell script (`bash deploy.sh production`).
fn script_arguments(line: &str) -> Option<String> {
    let mut words = line.split_whitespace();
    let script = words.by_ref().find(|w| w.ends_with(".sh"))?;
    let _ = script;
    let args: Vec<&str> = words
        .take_while(|w| !w.starts_with(['&', '|', ';', '>']))
        .collect();
    (!args.is_empty()).then(|| args.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_and_script_arguments() {
        assert_eq!(
            server_host("kubectl --server=https://api.prod.example.com --token=x apply").as_deref(),
            Some("api.prod.example.com")
        );
        assert_eq!(
            script_arguments("bash scripts/deploy.sh production && echo ok").as_deref(),
            Some("production")
        );
        assert_eq!(script_arguments("make test"), None);
    }

    #[test]
    fn words() {
        assert_eq!(tier_word("deploy-prod").as_deref(), Some("prod"));
        assert_eq!(tier_word("Deploy to Staging").as_deref(), Some("staging"));
        assert_eq!(tier_word("deploy"), None);
    }
}
