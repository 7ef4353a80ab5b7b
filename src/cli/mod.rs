//! The command line: clap definitions only; each command's behaviour lives in `commands/`.

pub(crate) mod commands;
pub(crate) mod ui;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::model::{Ci, Operator, Promotion};

/// Exit codes, shown in `--help` and the man page.
const AFTER_HELP: &str = "\
Exit codes:
  0  success; `generate --check` found everything up to date
  1  `generate --check` found stale files, or a change was refused
     (hand-edited generated file, downgrade, ...)
  2  invalid gitops-gen.yaml, bad usage, or an I/O or git failure

Getting started:
  gitops-gen init --yes          write gitops-gen.yaml with defaults, then generate
  gitops-gen generate            regenerate after editing gitops-gen.yaml
  gitops-gen generate --check    in CI and pre-commit: fail when files are stale";

/// Generate GitOps pipelines and a Flux repository layout from one model file.
///
/// gitops-gen reads gitops-gen.yaml and writes a GitHub Actions workflow and/or a .gitlab-ci.yml
/// that build, test and push images, then promote them by committing to Git. A pull-based
/// operator (Flux) applies the change: CI never holds cluster credentials.
#[derive(Debug, Parser)]
#[command(name = "gitops-gen", version, after_help = AFTER_HELP, max_term_width = 100)]
pub struct Cli {
    /// When to use colors: auto (a terminal without NO_COLOR), always, or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// When terminal output gets ANSI colors (`--color`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Color when writing to a terminal and NO_COLOR is unset.
    Auto,
    /// Always color.
    Always,
    /// Never color.
    Never,
}

/// The commands; the doc of each variant is its summary in `--help`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write gitops-gen.yaml for a repository (from flags or questions), then generate.
    Init(InitArgs),
    /// Read existing pipelines and the repository layout; report deploy steps, environments,
    /// their triggers and the credentials CI holds, with file:line:col evidence.
    Analyze(AnalyzeArgs),
    /// Draft gitops-gen.yaml from what a push-based repository's pipelines and manifests do,
    /// each value with its evidence; without --write, print the plan and the diff.
    Migrate(MigrateArgs),
    /// Render everything gitops-gen.yaml describes and write what changed.
    Generate(GenerateArgs),
    /// Set an app's image for an environment in Git: edit, commit, push (used by pipelines).
    Promote(PromoteArgs),
    /// Write the tree gitops-gen.yaml describes into its separate gitops.repository: one commit
    /// or one pull request (used by the generated sync job).
    Sync(SyncArgs),
    /// Seal a Secret for one environment, offline, with its Sealed Secrets certificate, and
    /// print (or write) the SealedSecret; the plaintext is never printed or written.
    Seal(SealArgs),
    /// Policy as code: check rendered manifests against the repository's Rego policies.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Print a JSON Schema: of gitops-gen.yaml (default, for editors) or of `analyze --format json`.
    Schema {
        /// The document whose schema to print.
        #[arg(value_enum, default_value_t = SchemaKind::Model)]
        kind: SchemaKind,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to standard output.
    Man,
}

/// Documents `gitops-gen schema` can describe.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    /// gitops-gen.yaml, for editors.
    Model,
    /// The output of `analyze --format json`.
    Analysis,
}

/// Output formats of `analyze`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// A summary and a source snippet per deploy step.
    Text,
    /// The versioned document described by `gitops-gen schema analysis`.
    Json,
    /// A readiness report to paste into a ticket.
    Markdown,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
}

/// The arguments of `gitops-gen analyze`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  gitops-gen analyze
  gitops-gen analyze ../legacy-service --format markdown > readiness.md
  gitops-gen analyze --format sarif > gitops.sarif
  gitops-gen analyze --fail-on error,push-deploy
  gitops-gen analyze --summary repos/*

A file that cannot be read becomes a diagnostic; the rest of the repository is still analysed.
Exit code 0; 1 when --fail-on names something the report holds; 2 when PATH cannot be read.")]
pub struct AnalyzeArgs {
    /// Repository to analyze; several with `--summary`.
    #[arg(default_value = ".", num_args = 1.., value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// One line per repository (pipelines, deploy files, tools, environments, credentials,
    /// readiness) instead of the full report: for many repositories at once.
    #[arg(long)]
    pub summary: bool,
    /// How to print the report.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Exit 1 after the report when it holds a finding of this severity (or more serious) or
    /// of this kind. Repeat it or separate with commas.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        value_name = "SEVERITY|FINDING"
    )]
    pub fail_on: Vec<FailOn>,
}

/// What `analyze --fail-on` can name: a severity (it includes the more serious ones) or one
/// kind of finding.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// A Secret committed in plain text.
    Error,
    /// Errors, deploys from CI, cluster credentials in CI, replica counts a scaler fights,
    /// files not analysed.
    Warning,
    /// Warnings and references that could not be followed offline.
    Note,
    /// A Kubernetes Secret committed in plain text.
    PlaintextSecret,
    /// A CI job that deploys to a cluster.
    PushDeploy,
    /// A cluster credential CI holds.
    ClusterCredential,
    /// A replica count in Git that an HPA, a KEDA ScaledObject or a Flagger Canary scales.
    ReplicaConflict,
    /// A reference that could not be followed offline.
    Unresolved,
    /// A file that was not analysed, or another problem on the way.
    Diagnostic,
}

/// The arguments of `gitops-gen init`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  gitops-gen init --yes
  gitops-gen init my-repo --ci gitlab --app web=registry.gitlab.com/acme/web --yes
  gitops-gen init --env development=develop --env staging=staging \\
                  --env production=main --env preview=feature/* --yes")]
pub struct InitArgs {
    /// Repository directory (created if missing). Default: the current directory.
    pub dir: Option<PathBuf>,
    /// CI system to generate pipelines for. Default: detected from the git remote.
    #[arg(long, value_enum)]
    pub(crate) ci: Option<Ci>,
    /// Reconciling operator. Default: the one whose objects the repository already has (Argo CD
    /// Applications, Fleet GitRepos or `fleet.yaml`), else flux.
    #[arg(long, value_enum)]
    pub(crate) operator: Option<Operator>,
    /// Registry prefix for app images, e.g. ghcr.io/acme. Default: from the git remote.
    #[arg(long)]
    pub registry: Option<String>,
    /// An environment and the branches that promote into it: NAME=BRANCH[,BRANCH], with
    /// `:preview` for one instance per branch (the name `preview` implies it). Repeatable;
    /// replaces the default set (development, staging, production, preview).
    #[arg(long = "env", value_name = "NAME=BRANCH[,BRANCH][:preview]")]
    pub envs: Vec<String>,
    /// An app to build and deploy: NAME or NAME=IMAGE. Repeatable. Default: the directory name.
    #[arg(long = "app", value_name = "NAME[=IMAGE]")]
    pub apps: Vec<String>,
    /// Take defaults for everything not given as a flag; never ask.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Overwrite an existing gitops-gen.yaml (and hand-edited generated files).
    #[arg(long)]
    pub force: bool,
    /// Do not make the directory a git repository when it is not in one.
    #[arg(long)]
    pub no_git: bool,
}

/// The arguments of `gitops-gen generate`.
#[derive(Debug, Args)]
#[command(after_help = "\
`generate` renders only from gitops-gen.yaml. Generated files carry a fingerprint: a file edited
by hand is never overwritten without --force. Templates can be overridden by placing a file with
the same name under .gitops-gen/templates/ (see docs/outputs.md).")]
pub struct GenerateArgs {
    /// Repository root holding gitops-gen.yaml.
    #[arg(long, default_value = ".")]
    pub dir: PathBuf,
    /// Write nothing; print a diff for each stale file and exit 1 if any.
    #[arg(long, conflicts_with_all = ["dry_run", "force"])]
    pub check: bool,
    /// With --check: render and compare even when .gitops-gen/digests says nothing changed
    /// since the last generate (the generated CI does; docs/outputs.md).
    #[arg(long, requires = "check")]
    pub render: bool,
    /// Print a unified diff of each change as it is written.
    #[arg(long)]
    pub diff: bool,
    /// Write nothing; print what would change, with diffs.
    #[arg(long)]
    pub dry_run: bool,
    /// Overwrite hand-edited generated files and files gitops-gen did not write (never a
    /// pipeline gitops-gen did not write: its jobs would be lost).
    #[arg(long)]
    pub force: bool,
    /// With a separate gitops.repository: a checkout of it, which receives the operator's tree
    /// and its validate pipeline (checked too, with --check). Without it only this
    /// repository's files are generated.
    #[arg(long, value_name = "DIR")]
    pub gitops_checkout: Option<PathBuf>,
}

/// `gitops-gen policy …`.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Evaluate the policies over manifests (files, folders, or `-` for standard input, e.g.
    /// from `kustomize build`); exit 1 when a `deny` rule fires.
    Check(PolicyCheckArgs),
}

/// The arguments of `gitops-gen policy check`.
#[derive(Debug, Args)]
#[command(after_help = "\
The policies are the `.rego` files of the policy folder (`policy/` beside the tree; `generate`
writes the default set there once, and it is yours to edit): conftest's `package main`, with
`deny` (fails the check), `violation` (the same) and `warn` rules, each object of each manifest as
`input`. --env gives them `data.gitops_gen`: the environment (`name`, `preview`) and the
registries of the model's apps. Rules and their ids are in docs/policy.md.

Examples:
  kustomize build applications/overlays/production | gitops-gen policy check --env production -
  gitops-gen policy check --format sarif k8s/ > policy.sarif")]
pub struct PolicyCheckArgs {
    /// Repository root holding gitops-gen.yaml (optional without --env and with --policy).
    #[arg(long, default_value = ".")]
    pub dir: PathBuf,
    /// The environment the manifests are for.
    #[arg(long)]
    pub env: Option<String>,
    /// The policy folder. Default: `policy/` beside the tree (`gitops.path`).
    #[arg(long, value_name = "DIR")]
    pub policy: Option<PathBuf>,
    /// How to print the findings.
    #[arg(long, value_enum, default_value_t = PolicyFormat::Text)]
    pub format: PolicyFormat,
    /// Manifests: files, folders (their `.yaml` / `.yml` files, recursively), `-` for standard
    /// input. Default: standard input.
    pub paths: Vec<PathBuf>,
}

/// Output formats of `policy check`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum PolicyFormat {
    /// One line per finding, then the counts.
    Text,
    /// The findings and the counts.
    Json,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
}

/// The arguments of `gitops-gen seal`.
#[derive(Debug, Args)]
#[command(after_help = "\
seal reads the Secret from standard input (a manifest, e.g. from `kubectl create secret generic
db --from-literal=password=... --dry-run=client -o yaml`) unless --from-literal or --from-file
give the values, and seals each value with the environment's certificate,
infrastructure/overlays/<env>/sealed-secrets-cert.pem (from `kubeseal --fetch-cert`; --cert
names another). The namespace defaults to the manifest's, then the environment's. Values on a
command line are visible to other users of the machine: prefer standard input or --from-file.

Examples:
  kubectl create secret generic db --from-literal=password=\"$DB_PASSWORD\" --dry-run=client -o yaml \\
    | gitops-gen seal --env production -o applications/overlays/production/db-sealed.yaml
  gitops-gen seal --env staging --name registry --from-file .dockerconfigjson=./config.json
  DB_PASSWORD=… gitops-gen seal --env production --name db --from-env password=DB_PASSWORD")]
pub struct SealArgs {
    /// Repository root holding gitops-gen.yaml.
    #[arg(long, default_value = ".")]
    pub dir: PathBuf,
    /// The environment whose controller will unseal it.
    #[arg(long)]
    pub env: String,
    /// The Secret's name. Default: the manifest's `metadata.name`.
    #[arg(long)]
    pub name: Option<String>,
    /// The Secret's namespace. Default: the manifest's, then the environment's.
    #[arg(long)]
    pub namespace: Option<String>,
    /// Where it may be unsealed: under its name in its namespace (`strict`), under any name in
    /// its namespace, or anywhere in the cluster.
    #[arg(long, value_enum, default_value_t = SealScope::Strict)]
    pub scope: SealScope,
    /// A value, `KEY=VALUE` (repeatable).
    #[arg(long = "from-literal", value_name = "KEY=VALUE")]
    pub from_literal: Vec<String>,
    /// A value read from a file, `[KEY=]PATH`; the key defaults to the file's name (repeatable).
    #[arg(long = "from-file", value_name = "[KEY=]PATH")]
    pub from_file: Vec<String>,
    /// A value read from the environment variable VAR, `KEY=VAR`: how a CI job hands over a
    /// CI secret without writing it on a command line (repeatable).
    #[arg(long = "from-env", value_name = "KEY=VAR")]
    pub from_env: Vec<String>,
    /// The certificate to seal with, instead of the environment's in the tree.
    #[arg(long, value_name = "PEM")]
    pub cert: Option<PathBuf>,
    /// Write the SealedSecret here (atomically) instead of standard output.
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
}

/// `--scope` of `gitops-gen seal`, as `kubeseal` spells it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum SealScope {
    /// Only under its name, in its namespace.
    Strict,
    /// Under any name, in its namespace.
    NamespaceWide,
    /// Anywhere in the cluster.
    ClusterWide,
}

/// The arguments of `gitops-gen sync`.
#[derive(Debug, Args)]
#[command(after_help = "\
sync renders gitops-gen.yaml and writes the files that belong in the separate gitops.repository
(the operator's tree and that repository's validate pipeline) into a fresh clone of its GitOps
branch, then commits and pushes them: straight to the branch, or to the `gitops-gen/sync` branch
for a pull or merge request. A file there edited by hand is refused, as `generate` refuses it, and
nothing is pushed. Pushes use GITOPS_GEN_TOKEN (else GITHUB_TOKEN or CI_JOB_TOKEN) for https URLs.")]
pub struct SyncArgs {
    /// Repository root holding gitops-gen.yaml.
    #[arg(long, default_value = ".")]
    pub dir: PathBuf,
    /// `commit` or `pull-request`. Default: `gitops.sync.promotion` in the model.
    #[arg(long, value_enum)]
    pub(crate) mode: Option<Promotion>,
    #[command(flatten)]
    pub push: PushArgs,
    /// Fetch the GitOps branch and print what would change there; commit and push nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// How `promote` and `sync` push to the GitOps branch.
#[derive(Debug, Args)]
pub struct PushArgs {
    /// Attempts before giving up on pushes rejected because the branch moved (each decides the
    /// change again on the new tip).
    #[arg(long, default_value_t = 10)]
    pub retries: u32,
    /// Seconds one git command (a fetch, a push) may run before it is stopped and the command
    /// fails.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = crate::promote::git_cli::DEFAULT_TIMEOUT_SECS,
        value_parser = clap::value_parser!(u64).range(1..=86_400)
    )]
    pub timeout: u64,
}

/// `gitops-gen migrate`.
#[derive(Debug, Args)]
#[command(after_help = "\
migrate reads the repository as `analyze` does and drafts gitops-gen.yaml from it: the CI,
the apps it builds (image, Dockerfile, test, the chart, Kustomize tree or manifest folder they
deploy), and the environments it deploys to in promotion order with their branches and tags.
Every value carries a comment with its evidence (file:line) and confidence; what cannot be
inferred is a TODO(migrate) comment. Without --write nothing is written. An existing
gitops-gen.yaml is never replaced.

Examples:
  gitops-gen migrate
  gitops-gen migrate --ci gitlab --write path/to/repo")]
pub struct MigrateArgs {
    /// Repository to migrate.
    #[arg(default_value = ".", value_name = "PATH")]
    pub path: PathBuf,
    /// CI system the new pipelines run on; default: the one the repository uses (GitHub
    /// Actions, GitLab CI), else github.
    #[arg(long, value_enum)]
    pub(crate) ci: Option<crate::model::Ci>,
    /// The operator that reconciles the clusters (Flux is the one this release generates).
    #[arg(long, value_enum)]
    pub(crate) operator: Option<crate::model::Operator>,
    /// Write what the phase changes: gitops-gen.yaml and MIGRATION.md where the repository has
    /// none, then the generated files when the model validates (prepare); the model, the old
    /// pipelines and the generated files (cutover).
    #[arg(long)]
    pub write: bool,
    /// prepare: draft the model, every environment suspended, and generate next to the old
    /// pipelines; cutover: hand one environment (--env) to the operator and disable its old
    /// deploy steps.
    #[arg(long, value_enum, default_value_t = Phase::Prepare)]
    pub phase: Phase,
    /// The environment to cut over.
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,
    /// Folder of live objects exported per environment (`<ENV>.yaml` or `<ENV>/*.yaml`, from
    /// `kubectl get -o yaml` or `helm get manifest`): compared with what the model renders. The
    /// cutover of an environment is refused while they differ.
    #[arg(long, value_name = "DIR")]
    pub compare_live: Option<PathBuf>,
    /// Cut over without comparing with the live objects.
    #[arg(long, conflicts_with = "compare_live")]
    pub skip_compare: bool,
    /// Cut over although a lower environment is still suspended or the live objects differ.
    #[arg(long)]
    pub force: bool,
}

/// The phases of `migrate`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Phase {
    /// Model, guide and generated files next to the old pipelines; the operator leaves every
    /// environment alone.
    Prepare,
    /// One environment moves to the operator; its old deploy steps stop.
    Cutover,
}

/// `gitops-gen promote`.
#[derive(Debug, Args)]
#[command(after_help = "\
Promotion edits applications/overlays/<env>/kustomization.yaml in a temporary clone of the
GitOps branch, records the image's source commit in an annotation next to it, commits with an
audit message ([skip ci] on direct commits) and pushes, retrying when another promotion moved the branch
first. Every git command is stopped after --timeout seconds. It never moves an environment to an
older source commit unless --allow-rollback; an older build that lost the race is skipped with a
notice (exit 0; exit 1 with --fail-if-superseded). Credentials come from
GITOPS_GEN_TOKEN (or GITHUB_TOKEN / CI_JOB_TOKEN) and are never printed.

Examples:
  gitops-gen promote --env staging --app web --image ghcr.io/acme/web:3f9c2e1
  gitops-gen promote --env staging --app web --image ghcr.io/acme/web:3f9c2e1 \\
                     --app api --image ghcr.io/acme/api:3f9c2e1
  gitops-gen promote --from staging --to production --app web
  gitops-gen promote --env production --app web --image ghcr.io/acme/web@sha256:... --dry-run")]
pub struct PromoteArgs {
    /// Repository root holding gitops-gen.yaml.
    #[arg(long, default_value = ".")]
    pub dir: PathBuf,
    /// Environment to promote into.
    #[arg(long, visible_alias = "to", value_name = "ENV")]
    pub env: String,
    /// Copy the image (and its source commit) that this environment runs.
    #[arg(long, value_name = "ENV", conflicts_with = "image")]
    pub from: Option<String>,
    /// App whose image moves. Repeat it (with one `--image` each, in the same order) to move
    /// several apps built by one commit in one commit, or one pull request.
    #[arg(long, required_unless_present = "remove")]
    pub app: Vec<String>,
    /// The new image, `repository:tag` or `repository@sha256:...`; one per `--app`.
    #[arg(long, required_unless_present_any = ["from", "remove"])]
    pub image: Vec<String>,
    /// Remove the preview instance of `--ref`'s branch (a `preview: true` environment), e.g.
    /// when the branch is deleted.
    #[arg(long, requires = "ref", conflicts_with_all = ["from", "image"])]
    pub remove: bool,
    /// Commit the image was built from. Default: GITHUB_SHA or CI_COMMIT_SHA.
    #[arg(long, value_name = "SHA")]
    pub source_commit: Option<String>,
    /// Only promote when this ref (refs/heads/... or refs/tags/...) maps to the environment.
    #[arg(long)]
    pub r#ref: Option<String>,
    /// commit or pull-request (manual behaves like commit). Default: the environment's mode.
    #[arg(long, value_enum)]
    pub(crate) mode: Option<Promotion>,
    /// Allow moving to a source commit older than the one the environment runs.
    #[arg(long)]
    pub allow_rollback: bool,
    /// Exit 1 when a newer build already runs (or is proposed) in the environment. Default: the
    /// older pipeline lost the race, which is not a failure: a notice, and exit 0.
    #[arg(long)]
    pub fail_if_superseded: bool,
    /// Why the promotion happens; recorded in the commit. Default: derived from the CI event.
    #[arg(long)]
    pub reason: Option<String>,
    /// Git remote to push to (for the same-repository layout).
    #[arg(long, default_value = "origin")]
    pub remote: String,
    #[command(flatten)]
    pub push: PushArgs,
    /// Fetch the GitOps branch and decide against its tip (no-op, downgrade, the edit), print the
    /// diff and commit message; commit and push nothing.
    #[arg(long)]
    pub dry_run: bool,
}
