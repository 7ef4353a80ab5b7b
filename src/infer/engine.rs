//! INFER stage: the engine. It walks the pipelines once — pipeline, job, the job's script units
//! and their commands, then the job's packaged steps — and lets every rule look at each place
//! through a hook. Work several rules need is done here once: each job's scripts (and the
//! scripts and make targets they call) are tokenized once, each command's deploy and
//! credential classification is computed once and handed to every rule, and so are each
//! packaged step's Jenkins `container(...)` and whether it is a shared-library step.

use crate::files::Loc;
use crate::infer::commands::{self, Unit};
use crate::infer::keys::JobKey;
use crate::infer::shell::{Command, Lookup};
use crate::infer::vocab::{self, ActionSpec, CredentialKind, CredentialMatch, DeployMatch};
use crate::infer::{Context, Facts, RuleId, switched_off};
use crate::read::jenkins::LIBRARY_STEP;
use crate::read::{ConditionalValue, Job, Pipeline, Step};
use std::collections::{HashMap, HashSet};

/// One inference rule: it adds facts from the places the engine shows it. Every hook has an
/// empty default, so a rule implements only the ones it needs.
pub(crate) trait Rule {
    /// The id its evidence carries.
    fn id(&self) -> RuleId;

    /// A pipeline, before its jobs.
    fn on_pipeline(&mut self, _pipeline: &Pipeline, _facts: &mut Facts) {}

    /// A job, before its commands and packaged steps.
    fn on_job(&mut self, _job: &JobSite<'_>, _facts: &mut Facts) {}

    /// One command of one of the job's script units.
    fn on_command(&mut self, _command: &CommandSite<'_>, _facts: &mut Facts) {}

    /// One packaged step of the job (a GitHub action, orb command, task, pipe, Jenkins step).
    fn on_action(&mut self, _action: &ActionSite<'_>, _facts: &mut Facts) {}

    /// After the traversal, with every fact the traversal produced.
    fn finish(&mut self, _cx: &Context<'_>, _facts: &mut Facts) {}
}

/// The job the engine is in.
pub(crate) struct JobSite<'a> {
    pub pipeline: &'a Pipeline,
    pub job: &'a Job,
    pub key: JobKey,
    /// The variables its scripts see: pipeline variables, then job variables (which win).
    pub vars: Vec<(String, String)>,
    /// The job starts its own cluster on the runner (`kind create cluster`, a k3s action):
    /// what it applies goes to that throwaway cluster, so none of its commands deploys.
    pub throwaway_cluster: bool,
    /// The job is switched off ([`switched_off::job`]): none of its commands or steps deploys; the
    /// credentials it is handed still count (they are stored in the CI's settings).
    pub switched_off: bool,
    /// What the jobs it needs hand on under conditions, when its `environment:` reads them
    /// ([`commands::handed_on_branch`]): `needs.<job>.outputs.<name>` per branch or event.
    pub handed: Vec<ConditionalValue>,
}

/// One command, with what the vocabulary says about it.
pub(crate) struct CommandSite<'a> {
    pub job: &'a JobSite<'a>,
    /// The script unit the command is in (a step, a called script, a make recipe).
    pub unit: &'a Unit,
    /// The command's index in `unit.cmds`.
    pub index: usize,
    pub cmd: &'a Command,
    /// What the command deploys, when it deploys (a dry run does not, nor a command of a job
    /// that runs its own throwaway cluster).
    pub deploy: Option<&'a DeployMatch>,
    /// The cluster credentials the command uses or writes.
    pub credentials: &'a [CredentialMatch],
}

/// One packaged step.
pub(crate) struct ActionSite<'a> {
    pub job: &'a JobSite<'a>,
    /// The step reference as written (`azure/k8s-deploy@v5`, `HelmDeploy@0`).
    pub uses: &'a str,
    /// Its inputs.
    pub with: &'a [(String, String)],
    /// Where the step reference is written.
    pub loc: &'a Loc,
    /// The vocabulary's entry for it, when it is a known step.
    pub spec: Option<&'static ActionSpec>,
    /// The step's own conditions ([`Step`]'s `when`).
    pub when: &'a [crate::read::Trigger],
    /// The reader reported the call as a Jenkins shared-library step it cannot read.
    pub library_step: bool,
    /// The name of the innermost Jenkins `container('x') { }` whose closure holds the step.
    pub container: Option<&'a str>,
    /// The step never runs as the workflow is written ([`switched_off::step`]).
    pub switched_off: bool,
}

/// Runs `rules` over `pipeline`, adding to `facts`: places 1 and 2 of the order below. A caller
/// visits every pipeline, in the order it reads them, then calls [`finish`] once.
pub(crate) fn visit(
    pipeline: &Pipeline,
    files: &dyn crate::files::RepoFiles,
    rules: &mut [Box<dyn Rule>],
    facts: &mut Facts,
) {
    // The order contract. Rules are called in list order (`rules::rules()`, which is the order
    // `RuleId` declares and docs/inference.md#order lists; a test in `rules` holds the three
    // together) at every place, and the places come in this order:
    // 1. `on_pipeline`, then for each of its jobs in file order:
    // 2. `on_job`; then `on_command` for every command of the job's units, in step order, each
    //    step followed depth first by the scripts and make targets it calls; then `on_action`
    //    for every packaged step, in step order. So within a job, every fact from a command
    //    precedes every fact from a packaged step, which rules that keep the first of equal
    //    facts (`environment-from-command`, per job) rely on.
    // 3. `finish`, in list order, once the traversal is over. `environment-from-job-name`
    //    guesses only for deploying jobs without a hint, so it reads the deploy steps,
    //    credentials and hints every traversal hook produced; `environment-triggers` attaches
    //    triggers to each job's chosen environments, so it runs after
    //    `environment-from-job-name` has added its guesses.
    // No rule changes another rule's facts.
    for rule in rules.iter_mut() {
        rule.on_pipeline(pipeline, facts);
    }
    // Looked up once per step: a Jenkinsfile may call thousands of library steps.
    let library_steps: HashSet<&str> = pipeline
        .unresolved
        .iter()
        .filter(|u| u.kind == LIBRARY_STEP)
        .map(|u| u.reference.as_str())
        .collect();
    let shared = pipeline.system.script_lines_share_a_shell();
    // The jobs whose outputs a job's `environment:` reads are read first, once: what they hand
    // on under conditions names that job's environments.
    let mut early: HashMap<&str, Vec<Unit>> = HashMap::new();
    let mut handed: HashMap<&str, Vec<ConditionalValue>> = HashMap::new();
    let read = read_by_environments(pipeline);
    for job in &pipeline.jobs {
        if !read.contains(job.id.as_str()) || early.contains_key(job.id.as_str()) {
            continue;
        }
        let vars = commands::job_vars(pipeline, job);
        let units = commands::job_units(files, job, &vars, shared, &mut facts.limits);
        let written = commands::handed_on_branch(job, &units, &mut facts.limits);
        handed.insert(&job.id, written);
        early.insert(&job.id, units);
    }
    for job in &pipeline.jobs {
        let vars = commands::job_vars(pipeline, job);
        let units = match early.remove(job.id.as_str()) {
            Some(units) => units,
            None => commands::job_units(files, job, &vars, shared, &mut facts.limits),
        };
        let starts_cluster = units
            .iter()
            .any(|u| u.cmds.iter().any(vocab::starts_cluster))
            || job.steps.iter().any(
                |s| matches!(s, Step::Action { uses, .. } if vocab::starts_cluster_step(uses)),
            );
        let throwaway_cluster = starts_cluster && !connects_to_cluster(pipeline, job, &units);
        let site = JobSite {
            pipeline,
            job,
            key: JobKey::of(pipeline, job),
            vars,
            throwaway_cluster,
            switched_off: switched_off::job(pipeline, job),
            // Only a job whose `environment:` may read them is handed them.
            handed: match &job.environment {
                Some(_) => job
                    .needs
                    .iter()
                    .filter_map(|n| handed.get(n.as_str()))
                    .flatten()
                    .cloned()
                    .collect(),
                None => Vec::new(),
            },
        };
        for rule in rules.iter_mut() {
            rule.on_job(&site, facts);
        }
        // Whether a command so far wrote a cluster's credentials or context.
        let mut connected = false;
        for unit in &units {
            visit_commands(&site, unit, rules, facts, &mut connected);
        }
        let containers = enclosing_containers(job);
        for (step, container) in job.steps.iter().zip(containers) {
            let Step::Action {
                uses,
                with,
                loc,
                when,
                ..
            } = step
            else {
                continue;
            };
            // The step's own `env:` is among its inputs as `env.NAME`.
            let own = |name: &str| {
                with.iter()
                    .rev()
                    .find(|(k, _)| k.strip_prefix("env.") == Some(name))
                    .map(|(_, v)| v.as_str())
            };
            let action = ActionSite {
                switched_off: switched_off::step(job, when, own, &site.vars),
                job: &site,
                uses,
                with,
                loc,
                spec: vocab::call_spec(uses, with, pipeline.system).or_else(|| {
                    // Only a local action is looked up among the calls left unresolved.
                    let missing = uses.starts_with("./")
                        && pipeline
                            .unresolved
                            .iter()
                            .any(|u| u.kind == "local action" && u.reference == *uses);
                    missing.then(|| vocab::missing_local_action(uses)).flatten()
                }),
                when,
                library_step: library_steps.contains(uses.as_str()),
                container,
            };
            for rule in rules.iter_mut() {
                rule.on_action(&action, facts);
            }
        }
    }
}

/// The jobs of `pipeline` whose outputs the `environment:` of a job needing them reads
/// (`${{ needs.<id>.outputs.environment }}`).
fn read_by_environments(pipeline: &Pipeline) -> HashSet<&str> {
    let mut out = HashSet::new();
    for job in &pipeline.jobs {
        let Some(env) = &job.environment else {
            continue;
        };
        for (_, inner) in commands::references(&env.name) {
            let from = inner
                .strip_prefix("needs.")
                .and_then(|r| r.split_once(".outputs."))
                .map(|(j, _)| j.trim());
            if let Some(need) = job.needs.iter().find(|n| Some(n.as_str()) == from) {
                out.insert(need.as_str());
            }
        }
    }
    out
}

/// Place 3 of [`visit`]'s order: every rule's `finish`, once every pipeline was visited.
pub(crate) fn finish(cx: &Context<'_>, rules: &mut [Box<dyn Rule>], facts: &mut Facts) {
    for rule in rules.iter_mut() {
        rule.finish(cx, facts);
    }
}

/// Shows every command of `unit` to every rule, classified once. `connected`: whether a command
/// of the job before it connected to a cluster, kept up to date.
fn visit_commands(
    site: &JobSite<'_>,
    unit: &Unit,
    rules: &mut [Box<dyn Rule>],
    facts: &mut Facts,
    connected: &mut bool,
) {
    let writers = vocab::Writers::default();
    for (index, cmd) in unit.cmds.iter().enumerate() {
        let deploy = vocab::classify_deploy(&unit.cmds, index, &writers)
            .or_else(|| unread_script_deploy(unit, index, *connected))
            .filter(|m| {
                !m.dry_run && !site.throwaway_cluster && !site.switched_off && !unit.switched_off
            });
        // In a job that runs its own cluster, that cluster's kubeconfig is no credential.
        let credentials = if site.throwaway_cluster && vocab::local_kubeconfig(&unit.cmds, index) {
            Vec::new()
        } else {
            vocab::classify_credentials(&unit.cmds, index)
        };
        *connected |= credentials.iter().any(connects);
        let command = CommandSite {
            job: site,
            unit,
            index,
            cmd,
            deploy: deploy.as_ref(),
            credentials: &credentials,
        };
        for rule in rules.iter_mut() {
            rule.on_command(&command, facts);
        }
    }
}

/// Whether a credential connects to a cluster: a kubeconfig, a token, an OpenShift login, or a
/// named cluster's credentials.
fn connects(m: &CredentialMatch) -> bool {
    m.cluster.is_some()
        || matches!(
            m.kind,
            CredentialKind::Kubeconfig | CredentialKind::KubeToken | CredentialKind::OpenshiftLogin
        )
}

/// Command `index` of `unit`, when it runs a script the repository does not hold whose name
/// says it deploys to a cluster ([`vocab::unread_script_deploy`]; a name that says only that
/// it deploys, once the job `connected` to a cluster), given the unit's variables.
fn unread_script_deploy(unit: &Unit, index: usize, connected: bool) -> Option<DeployMatch> {
    // Recorded in command order, so found by a binary search: a script of thousands of such
    // commands stays linear.
    let at = unit
        .unread_scripts
        .binary_search_by_key(&index, |(i, _)| *i)
        .ok()?;
    let (_, script) = unit.unread_scripts.get(at)?;
    vocab::unread_script_deploy(script, |name| unit.vars.value(name).is_some(), connected)
}

/// For each step of `job`, the name of the innermost `container('x') { }` whose closure holds
/// it (a wrapper step's location spans its closure): one sweep over the packaged steps in file
/// and offset order, with a stack of the containers still open there.
fn enclosing_containers(job: &Job) -> Vec<Option<&str>> {
    let mut out = vec![None; job.steps.len()];
    let is_container = |uses: &str| uses == "container";
    let mut order: Vec<(usize, &Loc, bool)> = job
        .steps
        .iter()
        .enumerate()
        .filter_map(|(i, s)| match s {
            Step::Action { uses, loc, .. } => Some((i, loc, is_container(uses))),
            Step::Script { .. } => None,
        })
        .collect();
    if !order.iter().any(|(.., container)| *container) {
        return out;
    }
    // At one offset, a step comes before the container that starts there: no container holds
    // itself.
    order.sort_by(|a, b| (&a.1.file, a.1.span.start, a.2).cmp(&(&b.1.file, b.1.span.start, b.2)));
    let mut open: Vec<(&Loc, Option<&str>)> = Vec::new();
    for (i, loc, container) in order {
        while open
            .last()
            .is_some_and(|(c, _)| c.file != loc.file || c.span.end <= loc.span.start)
        {
            open.pop();
        }
        if let Some(slot) = out.get_mut(i) {
            *slot = open.last().and_then(|(_, name)| *name);
        }
        if container && let Some(Step::Action { with, .. }) = job.steps.get(i) {
            open.push((loc, vocab::input(with, &["name"])));
        }
    }
    out
}

/// Whether `job` connects to a lasting cluster: a step or command that fetches a named
/// cluster's credentials or a kube context (`azure/aks-set-context`, `aws eks
/// update-kubeconfig --name prod`), or writes a kubeconfig or token that is not the local
/// cluster's own ([`vocab::local_kubeconfig`]). A job that starts a kind
/// cluster to try a chart and then sets an AKS context deploys to AKS. (Asked only of jobs that
/// start a cluster, so the credential classification it repeats is rare work.)
fn connects_to_cluster(pipeline: &Pipeline, job: &Job, units: &[Unit]) -> bool {
    let kube = |kind: &CredentialKind| {
        matches!(
            kind,
            CredentialKind::Kubeconfig | CredentialKind::KubeToken | CredentialKind::OpenshiftLogin
        )
    };
    let by_step = job.steps.iter().any(|s| {
        let Step::Action { uses, with, .. } = s else {
            return false;
        };
        vocab::call_spec(uses, with, pipeline.system).is_some_and(|spec| match spec.role {
            vocab::ActionRole::Credential(kind) => {
                kube(&kind) || vocab::input(with, spec.context).is_some()
            }
            _ => false,
        })
    });
    // The kubeconfig of the cluster the job runs itself, written to a file or pointed at
    // (`minikube kubectl config view > ~/.kubeconfig`), is no lasting cluster.
    by_step
        || units.iter().any(|u| {
            (0..u.cmds.len()).any(|i| {
                vocab::classify_credentials(&u.cmds, i).iter().any(connects)
                    && !vocab::local_kubeconfig(&u.cmds, i)
            })
        })
}

/// Runs one rule alone over `pipelines`, for the rules' own tests.
#[cfg(test)]
pub(crate) fn run_one(
    rule: impl Rule + 'static,
    pipelines: &[Pipeline],
    files: &dyn crate::files::RepoFiles,
) -> Facts {
    let rules: &mut [Box<dyn Rule>] = &mut [Box::new(rule)];
    let mut facts = Facts::default();
    for pipeline in pipelines {
        visit(pipeline, files, rules, &mut facts);
    }
    finish(&Context { pipelines }, rules, &mut facts);
    facts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::repo::MemRepo;
    use crate::infer::commands::tests::{TOKENIZED, action_step, job, pipeline, script_step};
    use crate::read::CiSystem;

    fn tokenized() -> usize {
        TOKENIZED.with(|n| n.replace(0))
    }

    /// How many units the jobs of `pipelines` have (each step script and each script or make
    /// target it calls).
    fn units(pipelines: &[Pipeline], files: &dyn crate::files::RepoFiles) -> usize {
        let n = pipelines
            .iter()
            .flat_map(|p| p.jobs.iter().map(move |j| (p, j)))
            .map(|(p, j)| {
                commands::job_units(
                    files,
                    j,
                    &commands::job_vars(p, j),
                    p.system.script_lines_share_a_shell(),
                    &mut commands::Limits::default(),
                )
                .len()
            })
            .sum();
        tokenized();
        n
    }

    #[test]
    fn every_script_is_tokenized_once_per_job() {
        let repo = MemRepo::from_pairs(&[
            ("deploy.sh", "kubectl apply -f k8s/\n"),
            ("Makefile", "test:\n\tgo test ./...\n"),
        ]);
        let p = pipeline(
            "ci.yml",
            CiSystem::GitlabCi,
            vec![
                job(
                    "deploy",
                    vec![
                        script_step("ci.yml", "./deploy.sh\nmake test\n", 0, 0),
                        action_step("ci.yml", "azure/k8s-deploy@v5", &[], 40),
                        script_step("ci.yml", "docker build -t app .\n", 60, 0),
                    ],
                ),
                job("other", vec![script_step("ci.yml", "./deploy.sh\n", 90, 0)]),
            ],
        );
        let pipelines = std::slice::from_ref(&p);
        tokenized();
        let facts = crate::infer::infer(pipelines, &repo);
        // deploy: two steps, `deploy.sh` and `make test`; other: one step and `deploy.sh`.
        assert_eq!(tokenized(), 6);
        assert_eq!(units(pipelines, &repo), 6);
        // `deploy.sh` in both jobs, and the packaged step.
        assert_eq!(facts.deploy_steps.len(), 3);
    }

    #[test]
    fn each_step_gets_its_innermost_container() {
        // A container spans its closure; nested, side by side, and in another file.
        let container = |file: &str, name: &str, start: usize, end: usize| {
            let mut s = action_step(file, "container", &[("name", name)], start);
            if let Step::Action { loc, .. } = &mut s {
                loc.span.end = end;
            }
            s
        };
        let j = job(
            "deploy",
            vec![
                action_step("Jenkinsfile", "before", &[], 0),
                container("Jenkinsfile", "helm", 10, 100),
                action_step("Jenkinsfile", "inHelm", &[], 20),
                container("Jenkinsfile", "kubectl", 30, 60),
                action_step("Jenkinsfile", "inKubectl", &[], 40),
                action_step("Jenkinsfile", "backInHelm", &[], 70),
                action_step("vars/x.groovy", "elsewhere", &[], 50),
                action_step("Jenkinsfile", "after", &[], 100),
                script_step("Jenkinsfile", "kubectl apply -f k8s/\n", 45, 0),
            ],
        );
        let names = enclosing_containers(&j);
        assert_eq!(
            names,
            [
                None,
                None,
                Some("helm"),
                Some("helm"),
                Some("kubectl"),
                Some("helm"),
                None,
                None,
                None
            ]
        );
    }

    #[test]
    fn many_jobs_cost_linear_work() {
        use crate::files::work::{self, Work};
        // One template deploy step shared by every job (GitLab `extends:`), each job waiting
        // for the one before (Jenkins stages) and named under a parent (child pipelines).
        let jobs = 2_000;
        let repo = MemRepo::default();
        let script = "docker build -t acme/app .\ngo test ./...\nkubectl apply -f k8s/\n";
        let step = script_step("ci.yml", script, 0, 0);
        let mut all: Vec<Job> = Vec::new();
        for i in 0..jobs {
            let mut j = job(&format!("parent/d{i}"), vec![step.clone()]);
            if i > 0 {
                j.needs = vec![format!("parent/d{}", i - 1)];
            }
            j.manual = true;
            all.push(j);
        }
        let p = pipeline("ci.yml", CiSystem::GitlabCi, all);
        let pipelines = std::slice::from_ref(&p);
        work::take(Work::JobLookups);
        work::take(Work::DedupCompares);
        let facts = crate::infer::infer(pipelines, &repo);
        let inference = crate::infer::resolve::resolve(&facts, pipelines);
        assert_eq!(inference.deploy_steps.len(), 1);
        assert_eq!(inference.deploy_steps[0].jobs.len(), jobs);
        assert_eq!(inference.tests.len(), 1);
        let lookups = work::take(Work::JobLookups);
        assert!(
            lookups <= 4 * jobs,
            "{lookups} jobs looked at for {jobs} jobs"
        );
        let compares = work::take(Work::DedupCompares);
        assert!(
            compares <= 4 * jobs,
            "{compares} comparisons for {jobs} jobs"
        );
    }
}
