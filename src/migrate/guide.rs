//! `MIGRATION.md`: the migration of this repository, written next to the drafted model from the
//! same analysis: what deploys today and what replaces it, the environment map, the steps of
//! each phase with this repository's paths, the secrets and credentials to deal with, how to roll
//! back, and the questions the draft leaves open. Secret values are never known here: only names.

use crate::analyze::document::Analysis;
use crate::migrate::Draft;
use crate::model::draft::{EnvironmentDraft, ModelDraft, Patterns};
use crate::model::tree::{
    ARGOCD_ROOT_OBJECT, FLEET_CLUSTER_LABEL, FLEET_FOLDER, FLEET_ROOT_OBJECT, GitopsTree,
};
use crate::model::{Ci, Operator};

/// The guide's text.
pub(crate) fn guide(analysis: &Analysis, draft: &Draft) -> String {
    let model = &draft.model;
    let mut out = format!(
        "# Migrating {} to GitOps\n\n\
         Written by `gitops-gen migrate` from what this repository's pipelines and manifests do, \
         next to the `gitops-gen.yaml` it drafted. The general guide, with the reasons and the \
         pitfalls, is gitops-gen's `migration-guide.md`.\n",
        model.project
    );
    inventory(analysis, &mut out);
    environments(model.environments.as_slice(), &model.project, &mut out);
    prepare(draft, &mut out);
    ci_secrets(analysis, &mut out);
    cutover(analysis, draft, &mut out);
    finish(analysis, &mut out);
    out.push_str(
        "\n## Rolling back\n\n\
         - Before a cutover: delete the generated files and `gitops-gen.yaml`; no cluster \
         depends on them.\n\
         - During the cutover of an environment: set `suspended: true` on it again and run \
         `gitops-gen generate` (or `flux suspend kustomization apps` in its cluster at once), and \
         re-enable the old deploy step (remove its `if: false`, or the dot before the job).\n\
         - After it: promote the older tag (`gitops-gen promote … --allow-rollback`) or revert \
         the promotion commit.\n",
    );
    out.push_str("\n## Open questions\n\n");
    if draft.notes.todos.is_empty() {
        out.push_str("None: the draft answers everything it asks.\n");
    } else {
        out.push_str("Each is a `TODO(migrate)` comment in `gitops-gen.yaml`:\n\n");
        for todo in &draft.notes.todos {
            out.push_str(&format!("- {}\n", text(todo)));
        }
    }
    out
}

fn inventory(analysis: &Analysis, out: &mut String) {
    out.push_str("\n## What deploys today\n\n");
    if analysis.deploy_steps.is_empty() {
        out.push_str("The analysis found no deploy step in the pipelines.\n");
        return;
    }
    out.push_str("| Where | Deploys | Environment | Replaced by |\n| --- | --- | --- | --- |\n");
    for step in &analysis.deploy_steps {
        let env = step.environment.as_deref().unwrap_or("unknown");
        let replaced = match (&step.environment, step.migratable) {
            (Some(env), true) => format!("a promotion into `{}`, applied by Flux", text(env)),
            (_, true) => "a promotion, once its environment is named".to_owned(),
            (_, false) => {
                "nothing: it is not a deploy an operator takes over; keep or review it".to_owned()
            }
        };
        out.push_str(&format!(
            "| {}:{}:{} | {} {} | {} | {} |\n",
            step.at.file,
            step.at.line,
            step.at.column,
            step.tool,
            code(&step.command),
            text(env),
            replaced
        ));
    }
}

fn environments(environments: &[EnvironmentDraft], project: &str, out: &mut String) {
    out.push_str(
        "\n## Environments\n\n| Environment | Deployed by | Cluster | Namespace |\n\
         | --- | --- | --- | --- |\n",
    );
    for env in environments {
        let mut by = Vec::new();
        if let Some(p) = &env.branches {
            by.push(format!("branches {}", patterns(p)));
        }
        if let Some(p) = &env.tags {
            by.push(format!("tags {}", patterns(p)));
        }
        if env.preview == Some(true) {
            by.push("one instance per branch".to_owned());
        }
        if by.is_empty() {
            by.push("promotion by hand".to_owned());
        }
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            env.name,
            by.join(", "),
            clusters_of(env).join(", "),
            env.namespace.as_deref().unwrap_or(project)
        ));
    }
}

/// The clusters a drafted environment runs on: `clusters`, else `cluster`, else its name.
fn clusters_of(env: &EnvironmentDraft) -> Vec<&str> {
    match (&env.clusters, &env.cluster) {
        (Some(many), _) => many.iter().map(String::as_str).collect(),
        (None, Some(one)) => vec![one.as_str()],
        (None, None) => vec![env.name.as_str()],
    }
}

/// What to do once the files are written, for `MIGRATION.md` and `init`'s last lines.
pub(crate) struct NextSteps {
    /// The commands that start the operator: `flux bootstrap …` or Argo CD's `kubectl apply`
    /// of the root Application once per cluster; Fleet's root GitRepo once on its manager, then
    /// a label per cluster.
    pub(crate) bootstrap: Vec<String>,
    /// The CI secrets and variables the pipelines need.
    pub(crate) ci_settings: &'static str,
    /// Environments promoted by pull request: the GitOps branch needs review protection.
    pub(crate) reviewed: Vec<String>,
}

/// The next steps for `model`; `repository` is `owner/name` when the git remote says it.
pub(crate) fn next_steps(model: &ModelDraft, repository: Option<&str>) -> NextSteps {
    let gitlab = matches!(model.ci, Some(Ci::Gitlab));
    let mut clusters: Vec<&str> = model.environments.iter().flat_map(clusters_of).collect();
    clusters.dedup();
    let tool = if gitlab { "gitlab" } else { "github" };
    let gitops = model.gitops.clone().unwrap_or_default();
    let branch = gitops.branch.as_deref().unwrap_or("main");
    let tree = GitopsTree::new(gitops.path.as_deref().unwrap_or("."));
    let (owner, name) = repository
        .and_then(|r| r.rsplit_once('/'))
        .unwrap_or(("<owner>", "<repository>"));
    let bootstrap = match model.operator.unwrap_or(Operator::Flux) {
        // Argo CD installed in the cluster's `argocd` namespace, then its root Application.
        Operator::Argocd => clusters
            .into_iter()
            .map(|cluster| {
                format!(
                    "kubectl apply -n argocd -f {}",
                    tree.cluster_file(cluster, ARGOCD_ROOT_OBJECT)
                )
            })
            .collect(),
        Operator::Flux => clusters
            .into_iter()
            .map(|cluster| {
                format!(
                    "flux bootstrap {tool} --owner={owner} --repository={name} --branch={branch} \
                     --path={}",
                    tree.cluster_file(cluster, "").trim_end_matches('/')
                )
            })
            .collect(),
        // The root GitRepo once on the manager, then each downstream cluster named as the
        // model names it.
        Operator::Fleet => std::iter::once(format!(
            "kubectl apply -f {}",
            tree.cluster_file(FLEET_FOLDER, FLEET_ROOT_OBJECT)
        ))
        .chain(clusters.into_iter().map(|cluster| {
            format!(
                "kubectl label clusters.fleet.cattle.io -n fleet-default <fleet name of \
                 {cluster}> {}={cluster}",
                FLEET_CLUSTER_LABEL
            )
        }))
        .collect(),
    };
    NextSteps {
        bootstrap,
        ci_settings: if gitlab {
            "a masked CI/CD variable `GITOPS_GEN_TOKEN` holding a project access token with the \
             `write_repository` scope, so promotions can push; `REGISTRY_USERNAME` and \
             `REGISTRY_PASSWORD` unless the images go to this project's GitLab registry"
        } else {
            "none for images on `ghcr.io` (the job's `GITHUB_TOKEN` pushes images and promotion \
             commits); repository secrets `REGISTRY_USERNAME` and `REGISTRY_PASSWORD` for another \
             registry"
        },
        reviewed: model
            .environments
            .iter()
            .filter(|e| matches!(e.promotion, Some(crate::model::Promotion::PullRequest)))
            .map(|e| e.name.clone())
            .collect(),
    }
}

fn prepare(draft: &Draft, out: &mut String) {
    let steps = next_steps(&draft.model, None);
    out.push_str(
        "\n## Phase 1: prepare\n\n\
         1. Answer the open questions below in `gitops-gen.yaml`, then run `gitops-gen generate` \
         and commit what it writes.\n\
         2. Bootstrap the operator: Flux and Argo CD once per cluster, at its folder; Fleet once \
         on its manager, then label each cluster with its name in the model:\n\n```sh\n",
    );
    for line in &steps.bootstrap {
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&format!(
        "```\n\n3. CI settings the new pipelines need: {}.\n",
        steps.ci_settings
    ));
    if !steps.reviewed.is_empty() {
        out.push_str(&format!(
            "4. Protect the GitOps branch so the pull requests that promote into {} need a \
             review.\n",
            steps.reviewed.join(", ")
        ));
    }
    out.push_str(
        "\nNothing changes in the clusters yet: every environment is `suspended: true` in \
         `gitops-gen.yaml`, so its Flux Kustomizations are suspended (`suspend: true`, \
         `prune: false`) and the old pipelines keep deploying. `gitops-gen migrate --write` \
         writes what `gitops-gen generate` does once the model validates.\n",
    );
}

/// The CI secrets the old deploys hand to the cluster, which must be sealed into Git before an
/// environment's cutover: after it, nothing passes them any more.
fn ci_secrets(analysis: &Analysis, out: &mut String) {
    if analysis.secret_flows.is_empty() {
        return;
    }
    out.push_str(
        "\n### CI secrets the old deploys hand to the cluster\n\n\
         After the cutover nothing passes these to the cluster any more: seal each into Git \
         first. `secrets.from_ci` in the draft lists them; run the generated \
         `gitops-seal-secrets` workflow (GitHub) or the `gitops-seal-secrets-<env>` jobs of a \
         pipeline started by hand (GitLab) once the controller runs and each environment's \
         certificate is in `infrastructure/overlays/<env>/sealed-secrets-cert.pem`, merge the \
         pull or merge request, then remove `from_ci`. By hand, the same per secret:\n\n",
    );
    for flow in &analysis.secret_flows {
        out.push_str(&format!(
            "- {} ({}:{}, job {}): {}\n",
            code(&flow.ci_name),
            flow.at.file,
            flow.at.line,
            code(&flow.job),
            code(
                &flow
                    .target
                    .seal_command(&flow.ci_name, flow.environment.as_deref())
            )
        ));
    }
}

fn cutover(analysis: &Analysis, draft: &Draft, out: &mut String) {
    out.push_str(
        "\n## Phase 2: cut over, one environment at a time, lowest first\n\n\
         For each environment, in this order:\n\n\
         1. Promote the image it runs now, so Git says what the cluster runs: \
         `gitops-gen promote --env <env> --app <app> --image <image>:<tag running now>`.\n\
         2. **Proof before cutover**: export what runs, then compare it with what the model \
         renders:\n\n```sh\n",
    );
    for env in &draft.model.environments {
        let namespace = env.namespace.as_deref().unwrap_or(&draft.model.project);
        out.push_str(&format!(
            "mkdir -p live && kubectl get deploy,sts,ds,svc,ing,cm,sa,cronjob -n {namespace} -o yaml > live/{}.yaml\n",
            env.name
        ));
    }
    out.push_str(
        "# a Helm release: helm get manifest <release> -n <namespace> > live/<env>.yaml, and\n\
         # helm template <release> <chart> -f <values…> > live/<env>.rendered.yaml\n\
         gitops-gen migrate --phase cutover --env <env> --compare-live live\n```\n\n\
         3. Cut over: the same command with `--write` disables the old deploy steps of the \
         environment (a GitHub step gets `if: false`, a GitLab job is hidden with a leading dot; \
         steps elsewhere are listed to remove by hand), drops its `suspended: true` and \
         regenerates, so Flux applies and prunes it. Commit and push; check Flux applied it \
         (`flux get kustomizations`, `flux get helmreleases -A`).\n\n\
         The old deploy steps by environment:\n\n",
    );
    let mut any = false;
    for step in analysis.deploy_steps.iter().filter(|s| s.migratable) {
        any = true;
        out.push_str(&format!(
            "- {}: {}:{} (job `{}`)\n",
            text(step.environment.as_deref().unwrap_or("environment unknown")),
            step.at.file,
            step.at.line,
            text(&step.job)
        ));
    }
    if !any {
        out.push_str("- No old deploy step to disable was found.\n");
    }
}

fn finish(analysis: &Analysis, out: &mut String) {
    out.push_str("\n## Phase 3: finish\n\nDelete the old deploy jobs, then revoke the cluster credentials CI holds:\n\n");
    if analysis.credentials.is_empty() {
        out.push_str("- None found.\n");
    }
    for credential in &analysis.credentials {
        out.push_str(&format!(
            "- {} ({}) at {}:{}\n",
            code(&credential.name),
            credential.kind,
            credential.at.file,
            credential.at.line
        ));
    }
    let secrets = &analysis.layout.plaintext_secrets;
    if !secrets.is_empty() {
        out.push_str(
            "\nSecrets committed in plain text (key names only). Seal each for the environment \
             that uses it (with its certificate from `kubeseal --fetch-cert` in \
             `infrastructure/overlays/<env>/sealed-secrets-cert.pem`; see docs/secrets.md): \
             `gitops-gen migrate --write` seals a Secret manifest in place once the certificate \
             of the environment it names is there; the others with the commands below. Then \
             rotate the values: Git's history keeps them.\n\n",
        );
        for secret in secrets {
            let how = match secret.seal_command() {
                Some(command) => format!(": {}", code(&command)),
                None => ": move them into a Secret the chart reads, then seal that".to_owned(),
            };
            out.push_str(&format!(
                "- {}:{} {} ({}){how}\n",
                secret.file,
                secret.line,
                code(secret.name.as_deref().unwrap_or("unnamed")),
                secret
                    .keys
                    .iter()
                    .map(|k| code(k))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
}

fn patterns(p: &Patterns) -> String {
    match p {
        Patterns::One(one) => code(one),
        Patterns::Many(many) => many.iter().map(|m| code(m)).collect::<Vec<_>>().join(", "),
    }
}

/// `value` as inline code that stays in its table cell and on its line.
fn code(value: &str) -> String {
    format!("`{}`", text(value).replace('`', "'"))
}

/// `value` on one line, with nothing that ends a table cell.
fn text(value: &str) -> String {
    value
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}
