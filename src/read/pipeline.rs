//! READ stage: the common projection every CI reader lowers its format-faithful model into.
//!
//! It keeps what the file says (job names, scripts, `environment:` values, ref filters) with the
//! location of each piece, and decides nothing: whether a script deploys, which environment a
//! branch feeds, or what tier a name means is for the rules in `infer/`.

use std::collections::HashSet;

use serde::Serialize;

use crate::files::{Diagnostic, Loc, RepoFiles};

/// Which CI system a file belongs to.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CiSystem {
    /// `.github/workflows/*.yml` (and local composite actions, reusable workflows).
    GithubActions,
    /// `.gitlab-ci.yml` and its local includes.
    GitlabCi,
    /// `Jenkinsfile` (declarative; scripted best effort).
    Jenkins,
    /// `.circleci/config.yml`.
    Circleci,
    /// `azure-pipelines.yml`.
    AzurePipelines,
    /// `bitbucket-pipelines.yml`.
    BitbucketPipelines,
    /// `.travis.yml`.
    Travis,
}

impl CiSystem {
    /// Whether a job's script lines run in one shell, so a variable one line sets is seen by
    /// the next (GitLab `before_script`/`script`, Bitbucket and Travis script lists); GitHub,
    /// Azure and CircleCI steps and Jenkins `sh` steps each start a new shell.
    pub(crate) fn script_lines_share_a_shell(self) -> bool {
        matches!(
            self,
            CiSystem::GitlabCi | CiSystem::BitbucketPipelines | CiSystem::Travis
        )
    }

    /// Stable lowercase id used in JSON and SARIF.
    pub(crate) fn id(self) -> &'static str {
        match self {
            CiSystem::GithubActions => "github_actions",
            CiSystem::GitlabCi => "gitlab_ci",
            CiSystem::Jenkins => "jenkins",
            CiSystem::Circleci => "circleci",
            CiSystem::AzurePipelines => "azure_pipelines",
            CiSystem::BitbucketPipelines => "bitbucket_pipelines",
            CiSystem::Travis => "travis",
        }
    }
}

/// What a trigger or job-level condition filters on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum TriggerKind {
    /// A push to a branch matching `pattern` (None: any branch).
    Branch,
    /// A pushed tag matching `pattern` (None: any tag).
    Tag,
    /// Started by a person: `workflow_dispatch`, `when: manual`, an `input` step, an approval.
    Manual,
    /// A pull/merge request (targeting `pattern` when given).
    PullRequest,
    /// A cron schedule (`pattern` holds the cron expression).
    Schedule,
    /// Another pipeline finished: `workflow_run`, GitLab `trigger:`/`pipeline` source, `upstream`.
    Upstream,
    /// Called by another workflow: `workflow_call`, a template use.
    Caller,
    /// A filter the reader keeps verbatim because it is an expression (`if:`, `expression {}`).
    Expression,
}

impl TriggerKind {
    /// The spelling in the analysis document and reports (`pull_request`, as serialized).
    pub(crate) fn as_str(&self) -> &'static str {
        match self {
            TriggerKind::Branch => "branch",
            TriggerKind::Tag => "tag",
            TriggerKind::Manual => "manual",
            TriggerKind::PullRequest => "pull_request",
            TriggerKind::Schedule => "schedule",
            TriggerKind::Upstream => "upstream",
            TriggerKind::Caller => "caller",
            TriggerKind::Expression => "expression",
        }
    }
}

/// A trigger of a pipeline, or a condition on a job, as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Trigger {
    /// What it filters on.
    pub kind: TriggerKind,
    /// Branch/tag glob or regex as written, cron text, expression text, or input name.
    pub pattern: Option<String>,
    /// `branches-ignore`, `except:`, `not { branch }`, `!=`: the pattern excludes.
    pub negated: bool,
    /// Choices of a manual input (`workflow_dispatch` choice options), when listed; for a
    /// job's test of a dispatch input (`inputs.environment == 'prod'`), the value it tests.
    pub choices: Vec<String>,
    /// A way in on its own, not a narrowing of the job's other conditions: a GitLab `rules:`
    /// entry whose `if:` is kept verbatim (GitLab adds the job when any one rule matches).
    /// Only set on expressions; a condition of `only:`/`except:` or a Jenkins `when { }`
    /// narrows the others instead.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub alone: bool,
    /// Where it is written.
    pub loc: Loc,
}

impl Trigger {
    /// A trigger or condition written at `loc`, with no input choices.
    pub(crate) fn new(
        kind: TriggerKind,
        pattern: Option<String>,
        negated: bool,
        loc: Loc,
    ) -> Trigger {
        Trigger {
            kind,
            pattern,
            negated,
            choices: Vec::new(),
            alone: false,
            loc,
        }
    }
}

/// An `environment:` (or equivalent) as written on a job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct EnvironmentRef {
    /// The name as written, variables and expressions included.
    pub name: String,
    /// GitLab `url`, GitHub `environment.url`.
    pub url: Option<String>,
    /// GitLab `action` (start, prepare, stop, verify, access).
    pub action: Option<String>,
    /// GitLab `deployment_tier`.
    pub tier: Option<String>,
    /// GitLab `on_stop` job.
    pub on_stop: Option<String>,
    /// GitLab `auto_stop_in`.
    pub auto_stop_in: Option<String>,
    /// Where the name is written.
    pub loc: Loc,
}

/// One step of a job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum Step {
    /// A shell script: `run:`, a `script:` line, `sh '...'`, `- script:`.
    Script {
        /// Step name, when the format has one.
        name: Option<String>,
        /// The script text exactly as the shell will see it (YAML block scalars decoded).
        text: String,
        /// Where the script is written (the scalar or the Groovy string).
        loc: Loc,
        /// For each line of `text`, the file byte offset where that line starts, when known
        /// (block scalars, Groovy strings). Empty when lines cannot be mapped.
        line_starts: Vec<usize>,
        /// The directory the script starts in: a GitHub step's `working-directory:` (else
        /// the job's or workflow's `defaults.run`) and an Azure step's `workingDirectory:`, as
        /// written; a CircleCI `working_directory:`, made relative to the checkout; the folder
        /// of a Bitbucket file kept in a folder. Other readers leave it `None`, the checkout's
        /// root.
        dir: Option<String>,
        /// Variables set for this step alone, as written: a GitHub step's `env:`. Other
        /// readers leave it empty (their steps have none, or set them job-wide).
        env: Vec<(String, String)>,
        /// This step's own conditions, a conjunction typed as a job's are
        /// ([`Job::conditions`]); empty when it runs whenever its job does.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        when: Vec<Trigger>,
    },
    /// A packaged step: GitHub `uses:`, CircleCI orb command, Azure task, Bitbucket pipe,
    /// Jenkins step such as `withKubeConfig`, with its inputs.
    Action {
        /// Step name, when the format has one.
        name: Option<String>,
        /// `owner/repo@ref`, `orb/command`, `Task@2`, `atlassian/pipe:1.0`, `withKubeConfig`.
        uses: String,
        /// Inputs as written (`with:`, task `inputs:`, pipe `variables:`, Groovy named args);
        /// a GitHub reusable workflow's `secrets:` as `secrets.NAME` and a GitHub step's own
        /// `env:` as `env.NAME`.
        with: Vec<(String, String)>,
        /// Where `uses` is written.
        loc: Loc,
        /// This step's own conditions, as for a script step.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        when: Vec<Trigger>,
    },
}

impl Step {
    /// The step's own conditions, to add to.
    pub(crate) fn when_mut(&mut self) -> &mut Vec<Trigger> {
        match self {
            Step::Script { when, .. } | Step::Action { when, .. } => when,
        }
    }
}

/// One job (GitHub job, GitLab job, Jenkins stage, CircleCI job, Azure job/deployment, ...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Job {
    /// Id (key) of the job in its file; Jenkins: the stage path `Deploy/Prod`.
    pub id: String,
    /// Display name (`name:`), or the id.
    pub name: String,
    /// Stage, when the format has stages.
    pub stage: Option<String>,
    /// Jobs that must finish first.
    pub needs: Vec<String>,
    /// The environment the job declares.
    pub environment: Option<Box<EnvironmentRef>>,
    /// Job-level filters: `if:`, `rules:`, `only/except`, `when { }`, branch filters.
    pub conditions: Vec<Trigger>,
    /// Whether a person must start it (`when: manual`, approval, `input`).
    pub manual: bool,
    /// Matrix axes and their values, as written.
    pub matrix: Vec<(String, Vec<String>)>,
    /// Environment variables the job sets (name, value as written).
    pub variables: Vec<(String, String)>,
    /// Values the job hands on to the jobs that need it (GitHub `outputs:`: name, value as
    /// written).
    pub outputs: Vec<(String, String)>,
    /// The child pipeline files the job was read through (GitLab `trigger: include:`),
    /// outermost first; empty for a job of the pipeline's own files.
    pub through: Vec<String>,
    /// Steps in order; templates, `extends`, composite actions and `!reference` already
    /// expanded, each step keeping the location it was written at.
    pub steps: Vec<Step>,
    /// Templates the job extends that no file read defines (GitLab `extends:` of a job from a
    /// remote include or a CI/CD component): what they add to the job is unknown.
    pub extends_unread: Vec<String>,
    /// Where the job is defined.
    pub loc: Loc,
}

/// The files of `pipelines` whose jobs another pipeline runs: local reusable workflows that a
/// workflow of the repository calls (`uses: ./.github/workflows/deploy.yml`), whose jobs the
/// reader put into the caller's, where they keep the called file as their place. One pass over
/// every job.
pub(crate) fn called_files(pipelines: &[Pipeline]) -> std::collections::HashSet<&str> {
    pipelines
        .iter()
        .flat_map(|p| {
            p.jobs
                .iter()
                .map(|j| &*j.loc.file)
                .filter(move |file| *file != p.file)
        })
        .collect()
}

/// A variable a pipeline sets only under a condition: Azure's compile-time
/// `${{ if }}`/`${{ elseif }}`/`${{ else }}` blocks in `variables:`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct ConditionalValue {
    /// The variable.
    pub name: String,
    /// Its value in this block, as written.
    pub value: String,
    /// The tests of the block's condition, any one of which sets the value: the terms of an
    /// `or(...)`, else the condition itself. Each is a branch, tag or pull request test, a
    /// runtime parameter test (`Manual`, the parameter as pattern, the value as its only
    /// choice) or, when not one of those, the expression verbatim. Empty for `${{ else }}`.
    pub when: Vec<Trigger>,
    /// Set by `${{ else }}`: when no earlier block of the chain holds.
    pub otherwise: bool,
    /// Where the value is written.
    pub loc: Loc,
}

/// Something the reader saw but could not follow offline (remote include, remote reusable
/// workflow, orb from a registry, a missing local file).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub(crate) struct Unresolved {
    /// What it is, e.g. `include:remote`, `reusable workflow`, `orb`.
    pub kind: String,
    /// The reference as written.
    pub reference: String,
    pub loc: Loc,
}

/// One pipeline definition file, read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Pipeline {
    /// Repository-relative path.
    pub file: String,
    pub system: CiSystem,
    /// `name:` of the workflow/pipeline, when set.
    pub name: Option<String>,
    /// Pipeline-level triggers (`on:`, workflow rules, `trigger:`/`pr:`, Bitbucket sections).
    pub triggers: Vec<Trigger>,
    /// Jobs in file order.
    pub jobs: Vec<Job>,
    /// Pipeline-level variables.
    pub variables: Vec<(String, String)>,
    /// Pipeline-level variables set only under a condition, in file order.
    pub conditional_variables: Vec<ConditionalValue>,
    /// References that could not be followed offline.
    pub unresolved: Vec<Unresolved>,
    /// Whether the reader could only read part of the format (e.g. scripted Jenkinsfile).
    pub best_effort: bool,
}

impl Pipeline {
    /// The manual inputs a person picks from a list (a dispatch input of `type: choice`, an
    /// Azure parameter's `values`, a Jenkins `choice` parameter, a Bitbucket custom pipeline's
    /// `allowed-values`), each with its choices.
    pub(crate) fn choice_inputs(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.triggers
            .iter()
            .filter(|t| t.kind == TriggerKind::Manual && !t.choices.is_empty())
            .filter_map(|t| Some((t.pattern.as_deref()?, t.choices.as_slice())))
    }

    /// Drops every job's steps, the largest part of a pipeline, once nothing will read them.
    pub(crate) fn forget_steps(&mut self) {
        for job in &mut self.jobs {
            job.steps = Vec::new();
        }
    }

    /// Gives back what its lists hold beyond their length: readers push one item at a time,
    /// which leaves most lists holding room for four, and the analysis keeps every pipeline of
    /// the repository until it is reported.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.triggers.shrink_to_fit();
        self.jobs.shrink_to_fit();
        for job in &mut self.jobs {
            job.needs.shrink_to_fit();
            job.conditions.shrink_to_fit();
            job.variables.shrink_to_fit();
            job.steps.shrink_to_fit();
            for step in &mut job.steps {
                match step {
                    Step::Script {
                        line_starts,
                        env,
                        when,
                        ..
                    } => {
                        line_starts.shrink_to_fit();
                        env.shrink_to_fit();
                        when.shrink_to_fit();
                    }
                    Step::Action { with, when, .. } => {
                        with.shrink_to_fit();
                        when.shrink_to_fit();
                    }
                }
            }
        }
    }
}

/// What a reader makes of a file no reader claims by its path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Recognised {
    /// Not a file of this system.
    No,
    /// A pipeline of this system, by its shape.
    Pipeline,
    /// A pipeline with none of a pipeline's own keys, or a template of the same shape: a
    /// pipeline when no file read, and no other such file, includes it. An Azure pipeline
    /// with no `trigger:`, `pr:` or `pool:` (which runs on every branch) has a template's
    /// shape, and only whether a pipeline uses it tells them apart.
    UnlessIncluded,
}

/// Reads one file of a repository; implemented by each CI reader.
pub(crate) trait Reader {
    /// Whether `path` (repository-relative) is a file of this system.
    fn claims(&self, path: &str) -> bool;
    /// Whether a file no reader claims by its path is, by its text, a file of this system:
    /// Azure Pipelines files may have any name, in any folder. Decides on the file's shape
    /// alone, reads only files whose name could fit and reports nothing; a file it recognises
    /// is then [`Reader::read`].
    fn recognises(&self, _path: &str, _repo: &dyn RepoFiles) -> bool {
        false
    }
    /// [`Reader::recognises`], with one more answer, from one reading of the file: a pipeline
    /// of this system unless another file includes it ([`Recognised::UnlessIncluded`]).
    fn recognition(&self, path: &str, repo: &dyn RepoFiles) -> Recognised {
        if self.recognises(path, repo) {
            Recognised::Pipeline
        } else {
            Recognised::No
        }
    }
    /// Adds to `out` the file names (without folders) that `text`, a file of this system,
    /// includes as templates: what keeps a [`Recognised::UnlessIncluded`] file from being read
    /// as a pipeline of its own.
    fn templates_named(&self, _text: &str, _out: &mut HashSet<String>) {}
    /// Whether `path`, which this reader does not claim, is named as one of its pipelines
    /// kept as a copy left behind (`Jenkinsfile.orig`). Gives the mark that says so (`.orig`);
    /// such a file is not read, and the caller reports it so that no file is left out silently.
    fn set_aside(&self, _path: &str) -> Option<&'static str> {
        None
    }
    /// Reads `path`. `repo` gives access to other files (local includes, composite actions).
    /// Problems are pushed to `diagnostics`; `None` when nothing usable could be read.
    fn read(
        &self,
        path: &str,
        repo: &dyn RepoFiles,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<Pipeline>;
}
