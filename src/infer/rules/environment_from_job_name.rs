//! INFER stage: rule `environment-from-job-name` — a deploying job with no declared environment
//! and no namespace/values/overlay hint is named after its target often enough (`deploy-prod`,
//! stage `Deploy to Staging`) to be worth a low-confidence guess.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::infer::RuleId;
use crate::infer::engine::{CommandSite, JobSite, Rule};
use crate::infer::environment_name::{self, expand};
use crate::infer::expression::inputs_read;
use crate::infer::jenkins_when::names_the_environment;
use crate::infer::resolve::JobIndex;
use crate::infer::rules::environment_name_from_command::{split_camel, tier_word};
use crate::infer::shell::{Command, Lookup};
use crate::infer::tier::is_dynamic;
use crate::infer::vocab;
use crate::infer::{Confidence, Context, EnvironmentHint, Evidence, Facts, HintSource, JobKey};
use crate::read::support::reference_stem;
use crate::read::{CiSystem, Job, Pipeline, Step, TriggerKind};

/// Deploying jobs without a hint ⇒ a low-confidence [`EnvironmentHint`] from their names.
#[derive(Default)]
pub(crate) struct EnvironmentFromJobName {
    /// What each job's commands name besides the job.
    named: HashMap<JobKey, Named>,
    /// The variables of the job being visited named for its environment
    /// ([`environment_variables`]), until its first deploy command has looked them up.
    env_names: Vec<String>,
    /// GitHub workflows (by file) in which some job reads each choice input
    /// ([`inputs_read_by`]), or calls a remote reusable workflow, which may read any.
    inputs_read: HashMap<String, InputsRead>,
}

/// What a GitHub workflow's jobs read of its dispatch inputs.
#[derive(Default)]
struct InputsRead {
    /// Input names some job's text reads (`${{ inputs.environment }}`).
    names: HashSet<String>,
    /// Some job calls a remote reusable workflow, which sees the caller's
    /// `github.event.inputs`.
    remote_call: bool,
}

/// Names a job's commands hold, in command order.
#[derive(Default)]
struct Named {
    /// The API server hosts its deploy commands talk to.
    servers: Vec<String>,
    /// The arguments of the scripts its steps run.
    arguments: Vec<String>,
    /// Its variables named for its environment, with the plain value each has where it
    /// deploys ([`plain_name`]).
    variables: BTreeMap<String, String>,
}

impl Rule for EnvironmentFromJobName {
    fn id(&self) -> RuleId {
        RuleId::EnvironmentFromJobName
    }

    fn on_job(&mut self, job: &JobSite<'_>, _facts: &mut Facts) {
        if job.pipeline.system == CiSystem::GithubActions {
            if !self.inputs_read.contains_key(&job.pipeline.file) {
                self.inputs_read
                    .insert(job.pipeline.file.clone(), InputsRead::default());
            }
            let Some(read) = self.inputs_read.get_mut(&job.pipeline.file) else {
                return;
            };
            if job.pipeline.choice_inputs().next().is_some() {
                read.names.extend(inputs_read_by(job));
            }
            read.remote_call |= job.job.steps.iter().any(|s| {
                matches!(s, Step::Action { uses, .. }
                    if uses.contains("/.github/workflows/") && !uses.starts_with("./"))
            });
        }
        let variables = environment_variables(job);
        self.env_names = variables.keys().cloned().collect();
        let plain: BTreeMap<String, String> = variables
            .into_iter()
            .filter_map(|(name, value)| Some((name, plain_name(&value)?.to_owned())))
            .collect();
        if !plain.is_empty() {
            self.named.entry(job.key.clone()).or_default().variables = plain;
        }
    }

    fn on_command(&mut self, c: &CommandSite<'_>, _facts: &mut Facts) {
        // What the variables named for the environment hold where the job first deploys, when
        // the deploying script sees them: a `$GITHUB_ENV` write wins over the job's `env:`.
        if c.deploy.is_some() && !self.env_names.is_empty() {
            let named = self.named.entry(c.job.key.clone()).or_default();
            for name in std::mem::take(&mut self.env_names) {
                let Some(value) = c.unit.vars.value(&name) else {
                    continue;
                };
                match plain_name(&value) {
                    Some(value) => named.variables.insert(name, value.to_owned()),
                    None => named.variables.remove(&name),
                };
            }
        }
        let server = c
            .deploy
            .and_then(|_| c.cmd.arg_after(&["--server"]))
            .and_then(server_host);
        // Only the step's own commands: `./deploy.sh production` as the pipeline writes it.
        let arguments = (c.unit.depth == 0)
            .then(|| script_arguments(c.cmd))
            .flatten();
        if server.is_none() && arguments.is_none() {
            return;
        }
        let named = self.named.entry(c.job.key.clone()).or_default();
        named.servers.extend(server);
        named.arguments.extend(arguments);
    }

    fn finish(&mut self, cx: &Context<'_>, facts: &mut Facts) {
        let index = JobIndex::new(facts);
        let mut new = Vec::new();
        for pipeline in cx.pipelines {
            let choices = EnvironmentChoices::of(pipeline);
            for job in &pipeline.jobs {
                let key = JobKey::of(pipeline, job);
                // Only a bare namespace (the weakest source) leaves room for a name here.
                let named_better = index
                    .environments(&key)
                    .iter()
                    .any(|h| h.source.rank() < HintSource::NamespaceName.rank());
                if !index.deploys(&key) || named_better {
                    continue;
                }
                // Credential ids (`kube-prod`), API server hosts (`--server=https://api.prod...`)
                // and deploy-script arguments (`./deploy.sh production`) name targets too.
                let named = self.named.get(&key);
                let servers = named.iter().flat_map(|n| &n.servers);
                let arguments = named.iter().flat_map(|n| &n.arguments);
                // A remote reusable workflow or template file is often named for where it
                // deploys (a library step's name says what it does: `enableStagingDeployment`).
                let calls: Vec<&str> = facts
                    .deploy_steps
                    .iter()
                    .filter(|d| d.job == key && d.operation == "call")
                    .filter(|d| d.command.contains(".yml") || d.command.contains(".yaml"))
                    .map(|d| call_file(&d.command))
                    .collect();
                let candidates = [
                    (HintSource::JobName, job.id.as_str()),
                    (HintSource::JobName, job.name.as_str()),
                ]
                .into_iter()
                .chain(job.stage.as_deref().map(|s| (HintSource::StageName, s)))
                .chain(
                    index
                        .credentials(&key)
                        .iter()
                        .map(|c| (HintSource::Credential, c.name.as_str())),
                )
                .chain(servers.map(|s| (HintSource::Server, s.as_str())))
                .chain(arguments.map(|a| (HintSource::ScriptArgument, a.as_str())))
                .chain(calls.iter().map(|c| (HintSource::CallName, *c)));
                let mut found = false;
                for (source, text) in candidates {
                    // A job or stage called `test` runs tests; it does not name a target,
                    // unless the name says it deploys first (`deploy-test`, `DeployToTest`).
                    let named = |w: &String| {
                        !matches!(source, HintSource::JobName | HintSource::StageName)
                            || !matches!(w.as_str(), "test" | "testing")
                            || deploys_to_test(own_name(text, pipeline.system))
                    };
                    let Some(word) = tier_word(text).filter(named) else {
                        continue;
                    };
                    let note = format!(
                        "deploying job `{}`: its {source} `{text}` names an environment",
                        job.id
                    );
                    new.push(EnvironmentHint {
                        name: word,
                        job: key.clone(),
                        source,
                        dynamic: is_dynamic(text),
                        events: None,
                        refs: None,
                        chosen_by: Vec::new(),
                        evidence: Evidence::new(self.id(), job.loc.clone(), note, Confidence::Low),
                    });
                    found = true;
                    break;
                }
                // Without a tier word anywhere, a variable named for the environment names it
                // as it is (`DEPLOY_ENV: ca`), when the job's such variables agree on one value.
                let variables = named.map(|n| &n.variables);
                let first = variables.and_then(|v| v.iter().next());
                if found {
                    continue;
                }
                if let Some((name, value)) = first
                    && variables.is_some_and(|v| v.values().all(|other| other == value))
                {
                    let note = format!(
                        "deploying job `{}`: its variable `{name}` names its environment `{value}`",
                        job.id
                    );
                    new.push(EnvironmentHint {
                        name: value.clone(),
                        job: key.clone(),
                        source: HintSource::Variable,
                        dynamic: false,
                        events: None,
                        refs: None,
                        chosen_by: Vec::new(),
                        evidence: Evidence::new(self.id(), job.loc.clone(), note, Confidence::Low),
                    });
                    continue;
                }
                // Else the person who starts the pipeline picks it: a choice input named for
                // the environment, which a job that names no target of its own (a remote
                // reusable workflow reads `github.event.inputs`) deploys to. A GitHub input no
                // job reads, in a workflow that calls no remote one, picks nothing.
                let read = self.inputs_read.get(&pipeline.file);
                let unread = |input: &str| {
                    pipeline.system == CiSystem::GithubActions
                        && read.is_none_or(|r| !r.remote_call && !r.names.contains(input))
                };
                let chosen = choices.chosen(pipeline, job).into_iter();
                new.extend(chosen.filter(|(input, _)| !unread(input)).map(|(input, named)| {
                    let note = format!(
                        "deploying job `{}` names no environment; the pipeline is started with \
                         `{input}`, a choice of environments, set to `{}`",
                        job.id, named.name
                    );
                    EnvironmentHint {
                        dynamic: is_dynamic(&named.name),
                        name: named.name,
                        job: key.clone(),
                        source: HintSource::Input,
                        events: named.events,
                        refs: named.refs,
                        chosen_by: named.chosen_by,
                        evidence: Evidence::new(self.id(), job.loc.clone(), note, Confidence::Low),
                    }
                }));
            }
        }
        facts.environment_hints.extend(new);
    }
}

/// The manual choice inputs of a pipeline named for the environment (`environment`,
/// `target-env`, `DEPLOY_ENV`), found once per pipeline.
struct EnvironmentChoices<'p>(HashSet<&'p str>);

impl<'p> EnvironmentChoices<'p> {
    fn of(pipeline: &'p Pipeline) -> EnvironmentChoices<'p> {
        EnvironmentChoices(
            pipeline
                .choice_inputs()
                .map(|(input, _)| input)
                .filter(|input| names_the_environment(&input.replace('-', "_")))
                .collect(),
        )
    }

    /// The environments of the one such input that starts `job`, each with that input; none
    /// when no input, or more than one, does. Inputs are the whole pipeline's, except a
    /// Bitbucket custom pipeline's variables, which only its own steps see (the custom
    /// pipeline is named as the input).
    fn chosen(&self, pipeline: &Pipeline, job: &Job) -> Vec<(String, environment_name::Named)> {
        let one = if pipeline.system == CiSystem::BitbucketPipelines {
            let mut own = job
                .conditions
                .iter()
                .filter(|c| c.kind == TriggerKind::Manual)
                .filter_map(|c| c.pattern.as_deref())
                .filter(|p| self.0.contains(p));
            let first = own.next();
            first.filter(|f| own.all(|other| other == *f))
        } else {
            self.0.iter().next().copied().filter(|_| self.0.len() == 1)
        };
        let Some(input) = one else {
            return Vec::new();
        };
        expand(&format!("${{{{ inputs.{input} }}}}"), job, pipeline)
            .into_iter()
            .filter(|named| !named.chosen_by.is_empty())
            .map(|named| (input.to_owned(), named))
            .collect()
    }
}

/// The dispatch inputs some text of a GitHub job reads ([`inputs_read`]:
/// `${{ inputs.environment }}`, `github.event.inputs['environment']`): its steps' scripts and
/// inputs, its variables and the workflow's, its outputs, matrix, environment and conditions.
fn inputs_read_by(site: &JobSite<'_>) -> HashSet<String> {
    let mut names = HashSet::new();
    let mut read = |text: &str| names.extend(inputs_read(text).map(str::to_owned));
    let job = site.job;
    for step in &job.steps {
        match step {
            Step::Script { text, env, .. } => {
                read(text);
                env.iter().for_each(|(_, v)| read(v));
            }
            Step::Action { with, .. } => with.iter().for_each(|(_, v)| read(v)),
        }
    }
    site.vars.iter().for_each(|(_, v)| read(v));
    job.outputs.iter().for_each(|(_, v)| read(v));
    job.matrix.iter().flat_map(|(_, v)| v).for_each(|v| read(v));
    if let Some(e) = &job.environment {
        read(&e.name);
    }
    let mut tested = Vec::new();
    for c in &job.conditions {
        if let Some(p) = c.pattern.as_deref() {
            read(p);
            if c.kind == TriggerKind::Manual {
                tested.push(p.to_owned());
            }
        }
    }
    names.extend(tested);
    names
}

/// Whether a name says it deploys before it says `test` (`deploy-test`, `Deploy to Test`,
/// `helm-upgrade-testing`): then `test` is the target, not the job's own tests.
fn deploys_to_test(name: &str) -> bool {
    let Some(before) = name
        .to_ascii_lowercase()
        .find("test")
        .and_then(|at| name.get(..at))
    else {
        return false;
    };
    // Split camelCase before the vocabulary lowercases it (`DeployTo` → `Deploy-To`).
    vocab::names_a_deploy(&split_camel(before))
}

/// The job's own part of a CircleCI job id (`build_update_deploy/test-deploy`: the workflow,
/// then the job), which alone says whether it deploys before it tests; other ids as they are
/// (a GitHub caller's job is part of what its called job is for).
fn own_name(text: &str, system: CiSystem) -> &str {
    match system {
        CiSystem::Circleci => text.rsplit('/').next().unwrap_or(text),
        _ => text,
    }
}

/// Variables that name how an application runs (`NODE_ENV: production`), not where it is
/// deployed.
const RUN_MODES: &[&str] = &[
    "NODE_ENV",
    "RAILS_ENV",
    "RACK_ENV",
    "FLASK_ENV",
    "MIX_ENV",
    "APP_ENV",
    "GO_ENV",
    "BABEL_ENV",
    "ASPNETCORE_ENVIRONMENT",
    "DOTNET_ENVIRONMENT",
];

/// The variables of a job and of its script steps named for its environment
/// ([`names_the_environment`]: `ENVIRONMENT`, `DEPLOY_ENV`, `TARGET_ENV`, `TIER`), each with the
/// last value written, but not an application's run mode ([`RUN_MODES`]).
fn environment_variables(job: &JobSite<'_>) -> BTreeMap<String, String> {
    let steps = job.job.steps.iter().filter_map(|s| match s {
        Step::Script { env, .. } => Some(env.as_slice()),
        _ => None,
    });
    job.vars
        .iter()
        .chain(steps.flatten())
        .filter(|(name, _)| names_the_environment(name) && !RUN_MODES.contains(&name.as_str()))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}

/// A variable's value when it is a plain name (letters, digits, `-`, `_`, `.`, starting with a
/// letter), not a variable, expression, path, number or flag.
fn plain_name(value: &str) -> Option<&str> {
    let value = value.trim();
    let plain = value.starts_with(|c: char| c.is_ascii_alphabetic())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && !matches!(value, "true" | "false");
    plain.then_some(value)
}

/// The file a call names, without its repository, version and extension
/// (`org/wf/.github/workflows/use-ks-gh-production-atlas.yaml@v1` → `use-ks-gh-production-atlas`,
/// `extends: deploy-api-dev.yml@pipelines` → `deploy-api-dev`).
fn call_file(command: &str) -> &str {
    reference_stem(command.rsplit(' ').next().unwrap_or(command))
}

/// The host of a `--server` value (`https://api.prod.example.com:6443` → `api.prod.example.com`).
fn server_host(value: &str) -> Option<String> {
    let host = value
        .trim_matches(['"', '\''])
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    Some(host.split(['/', ':']).next()?.to_owned())
}

/// The arguments, as written, after the first word that is a shell script
/// (`bash deploy.sh production` → `production`).
fn script_arguments(cmd: &Command) -> Option<String> {
    let script = cmd.words.iter().position(|w| w.text.ends_with(".sh"))?;
    let args: Vec<&str> = cmd.words[script + 1..]
        .iter()
        .map(|w| w.raw.as_str())
        .collect();
    (!args.is_empty()).then(|| args.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infer::shell;

    #[test]
    fn call_files() {
        assert_eq!(
            call_file("socialgouv/workflows/.github/workflows/use-ks-gh-production-atlas.yaml@v1"),
            "use-ks-gh-production-atlas"
        );
        assert_eq!(
            call_file("extends: deploy-api-dev.yml@pipelines"),
            "deploy-api-dev"
        );
        assert_eq!(call_file("hmpps/deploy_env"), "deploy_env");
    }

    #[test]
    fn test_names_a_target_only_after_a_deploy_word() {
        assert!(deploys_to_test("deploy-test"));
        assert!(deploys_to_test("DeployToTest"));
        assert!(deploys_to_test("azure-pipelines-deploy-api-test"));
        assert!(!deploys_to_test("test"));
        assert!(!deploys_to_test("test-and-deploy-prod"));
        assert!(!deploys_to_test("unit-test"));
        assert_eq!(
            own_name("build_update_deploy/test-deploy", CiSystem::Circleci),
            "test-deploy"
        );
        // A GitHub job of a called workflow keeps its caller's name (`deploy-test/db-job`).
        assert_eq!(
            own_name("deploy-test/db-job", CiSystem::GithubActions),
            "deploy-test/db-job"
        );
    }

    #[test]
    fn servers_and_script_arguments() {
        assert_eq!(
            server_host("https://api.prod.example.com:6443/x").as_deref(),
            Some("api.prod.example.com")
        );
        let cmds = shell::commands(
            "bash scripts/deploy.sh \\
  production 2>&1 && echo ok
make test
./run.sh
",
            &[],
        );
        let got: Vec<Option<String>> = cmds.iter().map(script_arguments).collect();
        assert_eq!(got, [Some("production".to_owned()), None, None, None]);
    }

    #[test]
    fn plain_names() {
        for plain in ["ca", "eu-central", "prod_2", "lab.v2"] {
            assert_eq!(plain_name(plain), Some(plain));
        }
        for other in [
            "$ENV",
            "${{ inputs.env }}",
            "k8s/prod",
            "2",
            "true",
            "",
            "a b",
        ] {
            assert_eq!(plain_name(other), None, "{other}");
        }
    }

    #[test]
    fn words() {
        assert_eq!(tier_word("deploy-prod").as_deref(), Some("prod"));
        assert_eq!(tier_word("Deploy to Staging").as_deref(), Some("staging"));
        assert_eq!(tier_word("deploy"), None);
    }
}
