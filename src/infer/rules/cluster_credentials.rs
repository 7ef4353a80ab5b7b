//! INFER stage: `cluster-credentials` — the cluster credentials CI holds, which must be revoked
//! once a pull-based operator deploys instead: kubeconfigs written or exported in scripts,
//! tokens passed on the command line, cloud `get-credentials` commands, `oc login`,
//! `argocd login`, credential actions and Jenkins credential bindings, secrets or variables
//! named like cluster credentials, long-lived cloud keys (kept only for jobs that deploy), and
//! GitLab's Kubernetes integration (an agent context, or `$KUBE_NAMESPACE`, `$KUBECONFIG`,
//! `$KUBE_CONTEXT` used but never set by the pipeline). Only names are kept, never values.

use std::collections::HashSet;

use crate::files::Loc;
use crate::infer::RuleId;
use crate::infer::engine::{ActionSite, CommandSite, JobSite, Rule};
use crate::infer::vocab::{self, ActionRole, CredentialKind};
use crate::infer::{Confidence, CredentialFact, CredentialScope, Evidence, Facts, JobKey};
use crate::read::{CiSystem, Pipeline, Step};
use crate::yaml::Span;

/// Cluster credentials in scripts, steps and variables ⇒ [`CredentialFact`].
#[derive(Default)]
pub(crate) struct ClusterCredentials {
    /// What was reported: once per (pipeline or job, kind, name).
    seen: HashSet<(CredentialScope, CredentialKind, String)>,
    /// Variables a GitLab job's script has set so far (`export KUBECONFIG=...`).
    assigned: HashSet<(JobKey, String)>,
}

/// A credential found: its kind and name, and whether it counts only for a deploying job.
type Found = (CredentialKind, String, bool);

impl ClusterCredentials {
    /// Records a credential `scope` uses, unless it was recorded for that scope already.
    fn push(
        &mut self,
        facts: &mut Facts,
        scope: &CredentialScope,
        (kind, name, deploy_only): Found,
        evidence: Evidence,
    ) {
        if self.seen.insert((scope.clone(), kind, name.clone())) {
            facts.credentials.push(CredentialFact {
                kind,
                name,
                scope: scope.clone(),
                evidence,
                deploy_only,
            });
        }
    }

    /// GitLab's Kubernetes integration: `kubectl config use-context group/project:agent`, or a
    /// variable only the integration sets, referenced before the job sets it.
    fn gitlab_integration(&mut self, c: &CommandSite<'_>, texts: &[&str], facts: &mut Facts) {
        let scope = CredentialScope::Job(c.job.key.clone());
        let words: Vec<&str> = c.cmd.words.iter().map(|w| w.text.as_str()).collect();
        let exported = match words.as_slice() {
            ["export" | "declare" | "typeset", rest @ ..] => rest,
            _ => &[],
        };
        for (name, _) in exported.iter().filter_map(|w| w.split_once('=')).chain(
            c.cmd
                .assignments
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str())),
        ) {
            self.assigned.insert((c.job.key.clone(), name.to_owned()));
        }
        if let ["kubectl", .., "use-context", context] = words.as_slice()
            && context.contains(':')
        {
            let note = format!(
                "`kubectl config use-context` selects the GitLab agent `{context}`, whose kubeconfig GitLab provides{}",
                c.unit.via()
            );
            let evidence = Evidence::new(self.id(), c.unit.loc(c.cmd), note, Confidence::Medium);
            let found = (CredentialKind::Kubeconfig, (*context).to_owned(), false);
            self.push(facts, &scope, found, evidence);
        }
        for name in texts.iter().flat_map(|t| vocab::variable_refs(t)) {
            let provided = vocab::GITLAB_CLUSTER_VARIABLES.contains(&name.as_str())
                && !c.job.vars.iter().any(|(k, _)| *k == name)
                && !self.assigned.contains(&(c.job.key.clone(), name.clone()));
            if provided {
                let note = format!(
                    "`${name}` is never set by the pipeline: GitLab's Kubernetes integration provides it with the cluster's credentials{}",
                    c.unit.via()
                );
                let evidence =
                    Evidence::new(self.id(), c.unit.loc(c.cmd), note, Confidence::Medium);
                self.push(
                    facts,
                    &scope,
                    (CredentialKind::Kubeconfig, name, false),
                    evidence,
                );
            }
        }
    }
}

impl Rule for ClusterCredentials {
    fn id(&self) -> RuleId {
        RuleId::ClusterCredentials
    }

    fn on_pipeline(&mut self, pipeline: &Pipeline, facts: &mut Facts) {
        let scope = CredentialScope::Pipeline(pipeline.file.clone());
        let loc = Loc::new(&pipeline.file, Span::empty(0));
        for (name, value) in &pipeline.variables {
            for found in variable_credentials(name, value) {
                let note =
                    format!("pipeline variable `{name}` holds a cluster credential or cloud key");
                let evidence = Evidence::new(self.id(), loc.clone(), note, Confidence::Medium);
                self.push(facts, &scope, found, evidence);
            }
        }
    }

    fn on_job(&mut self, job: &JobSite<'_>, facts: &mut Facts) {
        let scope = CredentialScope::Job(job.key.clone());
        for (name, value) in &job.job.variables {
            for found in variable_credentials(name, value) {
                let note = format!("job variable `{name}` holds a cluster credential or cloud key");
                let evidence =
                    Evidence::new(self.id(), job.job.loc.clone(), note, Confidence::Medium);
                self.push(facts, &scope, found, evidence);
            }
        }
        // A script step's own variables (GitHub `env:` of a `run:` step).
        for step in &job.job.steps {
            let Step::Script { env, loc, .. } = step else {
                continue;
            };
            for (name, value) in env {
                for found in variable_credentials(name, value) {
                    let note =
                        format!("step variable `{name}` holds a cluster credential or cloud key");
                    let evidence = Evidence::new(self.id(), loc.clone(), note, Confidence::Medium);
                    self.push(facts, &scope, found, evidence);
                }
            }
        }
    }

    fn on_command(&mut self, c: &CommandSite<'_>, facts: &mut Facts) {
        let scope = CredentialScope::Job(c.job.key.clone());
        for m in c.credentials {
            let note = format!("{}{}", m.note, c.unit.how(c.cmd));
            let evidence =
                Evidence::new(self.id(), c.unit.loc(c.cmd), note, c.unit.confidence(c.cmd));
            self.push(facts, &scope, (m.kind, m.name.clone(), false), evidence);
        }
        let texts: Vec<&str> = c
            .cmd
            .words
            .iter()
            .map(|w| w.text.as_str())
            .chain(c.cmd.assignments.iter().map(|(_, v)| v.as_str()))
            .collect();
        for text in &texts {
            for found in credential_refs(text) {
                let note = format!("a script references `{}`{}", found.1, c.unit.via());
                let evidence =
                    Evidence::new(self.id(), c.unit.loc(c.cmd), note, Confidence::Medium);
                self.push(facts, &scope, found, evidence);
            }
        }
        if c.job.pipeline.system == CiSystem::GitlabCi {
            self.gitlab_integration(c, &texts, facts);
        }
    }

    fn on_action(&mut self, a: &ActionSite<'_>, facts: &mut Facts) {
        let scope = CredentialScope::Job(a.job.key.clone());
        for (found, note, confidence) in action_credentials(a.job.pipeline.system, a.uses, a.with) {
            let evidence = Evidence::new(self.id(), a.loc.clone(), note, confidence);
            self.push(facts, &scope, found, evidence);
        }
    }
}

/// The variables and secrets `text` references that are named like cluster credentials (a
/// `secrets.X` reference is known to be a secret) or like long-lived cloud keys.
fn credential_refs(text: &str) -> Vec<Found> {
    vocab::variable_refs(text)
        .into_iter()
        .filter_map(|name| {
            let known = name.starts_with("secrets.");
            match vocab::credential_kind_for_name(&name, known) {
                Some(kind) => Some((kind, name, false)),
                None => vocab::cloud_key_kind(&name).map(|kind| (kind, name, true)),
            }
        })
        .collect()
}

/// A variable named like a credential or a cloud key, or holding a reference to one. A
/// variable set to a plain web address (`ARGOCD_SERVER_ADDRESS: https://cd.example.com`) holds
/// no secret, whatever its name.
fn variable_credentials(name: &str, value: &str) -> Vec<Found> {
    if is_plain_url(value) {
        return Vec::new();
    }
    let refs = credential_refs(value);
    let named = vocab::credential_kind_for_name(name, false)
        .map(|kind| (kind, false))
        .or_else(|| vocab::cloud_key_kind(name).map(|kind| (kind, true)));
    if let Some((kind, deploy_only)) = named {
        let cred = refs
            .first()
            .map_or_else(|| name.to_owned(), |(_, r, _)| r.clone());
        return vec![(kind, cred, deploy_only)];
    }
    refs
}

/// An `http(s)://` address with no user or password in it, no query (which may carry a
/// token) and nothing a variable fills in.
fn is_plain_url(value: &str) -> bool {
    let value = value.trim().trim_matches(['"', '\'']);
    let Some(rest) = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    !authority.is_empty()
        && !authority.contains('@')
        && !value.contains(['$', '?'])
        && !value.contains(char::is_whitespace)
}

/// Credentials a packaged step sets up or is given.
fn action_credentials(
    system: CiSystem,
    uses: &str,
    with: &[(String, String)],
) -> Vec<(Found, String, Confidence)> {
    let mut out = Vec::new();
    let jenkins = system == CiSystem::Jenkins;
    let spec = vocab::action_spec(uses, system);
    let uses_t = uses.trim();
    if let Some(spec) = spec {
        for (input, kind) in spec.credentials {
            let Some(value) = vocab::input(with, &[input]) else {
                continue;
            };
            // Jenkins passes credential ids, which are names; other inputs may hold the secret
            // itself, so only the reference (or the input name) is kept.
            let (kind, name) = if jenkins {
                (
                    CredentialKind::JenkinsCredential,
                    jenkins_ids(value)
                        .into_iter()
                        .next()
                        .unwrap_or_else(|| value.trim().to_owned()),
                )
            } else {
                let name = vocab::variable_refs(value)
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| (*input).to_owned());
                (*kind, name)
            };
            out.push((
                (kind, name, false),
                format!("`{uses_t}` is given cluster credentials in `{input}`"),
                Confidence::High,
            ));
        }
        if let ActionRole::Credential(kind) = spec.role
            && out.is_empty()
        {
            let kind = if jenkins {
                CredentialKind::JenkinsCredential
            } else {
                kind
            };
            out.push((
                (kind, uses_t.to_owned(), false),
                format!("`{uses_t}` sets up cluster credentials"),
                Confidence::High,
            ));
        }
    }
    if jenkins && uses_t.eq_ignore_ascii_case("withCredentials") {
        for id in kube_bindings(with) {
            out.push((
                (CredentialKind::JenkinsCredential, id, false),
                "`withCredentials` binds a cluster credential".to_owned(),
                Confidence::High,
            ));
        }
    }
    for (key, value) in with {
        let refs = credential_refs(value);
        let cloud_input = vocab::cloud_key_kind(key).filter(|_| refs.is_empty());
        for found in refs {
            out.push((
                found,
                format!("`{uses_t}` input `{key}` references a cluster credential"),
                Confidence::Medium,
            ));
        }
        // An input named for a cloud key (`aws-access-key-id`): the variable it names (a
        // CircleCI orb parameter of type `env_var_name` takes `AWS_ACCESS_KEY_ID`), else the
        // input itself; never its value (an access key id is uppercase too, but has no `_`).
        if let Some(kind) = cloud_input
            && !value.trim().is_empty()
        {
            let v = value.trim();
            let by_name = system == CiSystem::Circleci
                && v.contains('_')
                && v.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            let name = if by_name { v } else { key.as_str() };
            out.push((
                (kind, name.to_owned(), true),
                format!("`{uses_t}` is given a long-lived cloud key in `{key}`"),
                Confidence::Medium,
            ));
        }
    }
    out
}

/// Jenkins credential ids in Groovy-ish text: `credentialsId: 'kube-prod'`, or the value alone.
/// The credential ids a Jenkins `withCredentials` binds for a cluster. The reader lists each
/// binding as `binding`, then its named arguments (`credentialsId`, `variable`, ...); a binding
/// is a cluster's when one of its values says `kube` (`variable: 'KUBECONFIG'`) or its id is
/// named like a cluster credential. Inputs in another shape are read as text.
fn kube_bindings(with: &[(String, String)]) -> Vec<String> {
    let mut groups: Vec<Vec<&(String, String)>> = Vec::new();
    for pair in with {
        if pair.0 == "binding" || groups.is_empty() {
            groups.push(Vec::new());
        }
        if let Some(group) = groups.last_mut() {
            group.push(pair);
        }
    }
    let mut out = Vec::new();
    for group in groups {
        let text: String = group.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
        let kube = text.to_ascii_lowercase().contains("kube");
        let ids: Vec<String> = match group.iter().find(|(k, _)| k == "credentialsId") {
            Some((_, id)) => vec![id.trim().trim_matches(['\'', '"']).to_owned()],
            None => jenkins_ids(&text),
        };
        for id in ids.into_iter().filter(|id| !id.is_empty()) {
            if kube || vocab::credential_kind_for_name(&id, true).is_some() {
                out.push(id);
            }
        }
    }
    out
}

fn jenkins_ids(text: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = text;
    while let Some(pos) = rest.find("credentialsId") {
        let after = rest[pos + "credentialsId".len()..].trim_start();
        let after = after.strip_prefix([':', '=']).unwrap_or(after).trim_start();
        if let Some(quote) = after.chars().next().filter(|c| *c == '\'' || *c == '"') {
            let body = &after[1..];
            if let Some(end) = body.find(quote) {
                ids.push(body[..end].to_owned());
            }
        }
        rest = &rest[pos + 1..];
    }
    if ids.is_empty() {
        let t = text.trim().trim_matches(['\'', '"']);
        if !t.is_empty() && !t.contains([' ', ':', '\n', '(']) {
            ids.push(t.to_owned());
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::repo::MemRepo;
    use crate::infer::commands::tests::{action_step, job, pipeline, script_step};
    use crate::infer::engine::run_one;

    /// The (kind as spelled, name) of each credential found in `p`.
    fn run(p: &Pipeline, repo: &MemRepo) -> Vec<(&'static str, String)> {
        run_one(ClusterCredentials::default(), std::slice::from_ref(p), repo)
            .credentials
            .into_iter()
            .map(|c| (c.kind.as_str(), c.name))
            .collect()
    }

    fn pairs(items: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
        items.iter().map(|(k, n)| (*k, (*n).to_owned())).collect()
    }

    #[test]
    fn a_variable_set_to_a_plain_address_holds_no_secret() {
        for (value, secret) in [
            ("https://argocd.example.com", false),
            ("http://cd.example.com:8080/api", false),
            ("https://admin:hunter2@cd.example.com", true),
            ("https://cd.example.com/?token=abc", true),
            ("https://$HOST", true),
            ("${{ secrets.ARGOCD_TOKEN }}", true),
            ("abc123", true),
        ] {
            assert_eq!(
                !variable_credentials("ARGOCD_TOKEN", value).is_empty(),
                secret,
                "{value}"
            );
        }
    }

    #[test]
    fn scripts_and_called_scripts() {
        let text = "mkdir -p ~/.kube\necho \"$KUBE_CONFIG_B64\" | base64 -d > ~/.kube/config\n./ci/login.sh\nkubectl --token=$K8S_TOKEN apply -f x\necho $NPM_TOKEN\n";
        let repo = MemRepo::from_pairs(&[(
            "ci/login.sh",
            "aws eks update-kubeconfig --name prod --region eu-west-1\n",
        )]);
        let p = pipeline(
            ".gitlab-ci.yml",
            CiSystem::GitlabCi,
            vec![job(
                "deploy",
                vec![script_step(".gitlab-ci.yml", text, 0, 0)],
            )],
        );
        assert_eq!(
            run(&p, &repo),
            pairs(&[
                ("kubeconfig", "KUBE_CONFIG_B64"),
                ("kube-token", "K8S_TOKEN"),
                ("cloud-aws", "aws eks update-kubeconfig"),
            ])
        );
    }

    #[test]
    fn gitlab_integration_variables_and_agent_contexts() {
        let text = "kubectl config use-context acme/infra:prod-agent\nhelm upgrade --install web ./chart -n \"$KUBE_NAMESPACE\"\nexport KUBE_CONTEXT=ci\nkubectl --context \"$KUBE_CONTEXT\" get pods\nkubectl -n $APP_NS apply -f k8s\n";
        let mut j = job("deploy", vec![script_step(".gitlab-ci.yml", text, 0, 0)]);
        j.variables.push(("APP_NS".into(), "web".into()));
        let p = pipeline(".gitlab-ci.yml", CiSystem::GitlabCi, vec![j.clone()]);
        assert_eq!(
            run(&p, &MemRepo::default()),
            pairs(&[
                ("kubeconfig", "acme/infra:prod-agent"),
                ("kubeconfig", "KUBE_NAMESPACE"),
            ])
        );
        // A job variable sets it: nothing GitLab provides.
        j.variables.push(("KUBE_NAMESPACE".into(), "web".into()));
        let p = pipeline(".gitlab-ci.yml", CiSystem::GitlabCi, vec![j.clone()]);
        assert_eq!(
            run(&p, &MemRepo::default()),
            pairs(&[("kubeconfig", "acme/infra:prod-agent")])
        );
        // Other CI systems have no such integration.
        let p = pipeline("w.yml", CiSystem::GithubActions, vec![j]);
        assert!(run(&p, &MemRepo::default()).is_empty());
    }

    #[test]
    fn cloud_keys_count_only_for_deploying_jobs() {
        let mut j = job(
            "deploy",
            vec![
                action_step(
                    "w.yml",
                    "aws-actions/configure-aws-credentials@v4",
                    &[
                        ("aws-access-key-id", "${{ secrets.AWS_ACCESS_KEY_ID }}"),
                        ("aws-secret-access-key", "AKIA-literal-never-kept"),
                        ("role-to-assume", "arn:aws:iam::1:role/ci"),
                    ],
                    10,
                ),
                action_step(
                    "w.yml",
                    "aws-cli/setup",
                    &[("aws-access-key-id", "AKIAEXAMPLE")],
                    20,
                ),
            ],
        );
        j.variables
            .push(("AZURE_CREDENTIALS".into(), "${{ secrets.AZ }}".into()));
        let p = pipeline("w.yml", CiSystem::GithubActions, vec![j]);
        let facts = run_one(
            ClusterCredentials::default(),
            std::slice::from_ref(&p),
            &MemRepo::default(),
        );
        let got: Vec<(&str, &str, bool)> = facts
            .credentials
            .iter()
            .map(|c| (c.kind.as_str(), c.name.as_str(), c.deploy_only))
            .collect();
        assert_eq!(
            got,
            [
                ("cloud-azure", "AZURE_CREDENTIALS", true),
                ("cloud-aws", "secrets.AWS_ACCESS_KEY_ID", true),
                ("cloud-aws", "aws-secret-access-key", true),
                ("cloud-aws", "aws-access-key-id", true),
            ]
        );
    }

    #[test]
    fn values_are_never_kept() {
        let text = "kubectl --token eyJhbGciOi apply -f x\noc login --token=sha256~abc --server=https://api\n";
        let p = pipeline(
            "ci.yml",
            CiSystem::GitlabCi,
            vec![job("d", vec![script_step("ci.yml", text, 0, 0)])],
        );
        let got = run(&p, &MemRepo::default());
        assert_eq!(
            got,
            pairs(&[("kube-token", "--token"), ("openshift-login", "oc login")])
        );
        let facts = run_one(
            ClusterCredentials::default(),
            std::slice::from_ref(&p),
            &MemRepo::default(),
        );
        let json = serde_json::to_string(&facts).unwrap_or_default();
        assert!(
            !json.contains("eyJhbGciOi") && !json.contains("sha256~abc"),
            "{json}"
        );
    }

    #[test]
    fn actions_variables_and_jenkins() {
        let mut j = job(
            "deploy",
            vec![
                action_step(
                    "w.yml",
                    "azure/k8s-set-context@v4",
                    &[
                        ("method", "kubeconfig"),
                        ("kubeconfig", "${{ secrets.KUBE_CONFIG_PROD }}"),
                    ],
                    10,
                ),
                action_step(
                    "w.yml",
                    "google-github-actions/get-gke-credentials@v2",
                    &[("cluster_name", "prod")],
                    20,
                ),
                action_step(
                    "w.yml",
                    "some/other@v1",
                    &[
                        ("token", "${{ secrets.ARGOCD_TOKEN }}"),
                        ("npm", "${{ secrets.NPM_TOKEN }}"),
                    ],
                    30,
                ),
            ],
        );
        j.variables.push((
            "KUBECONFIG".into(),
            "${{ secrets.STAGING_KUBECONFIG }}".into(),
        ));
        j.variables.push(("KUBE_NAMESPACE".into(), "prod".into()));
        let p = pipeline("w.yml", CiSystem::GithubActions, vec![j]);
        assert_eq!(
            run(&p, &MemRepo::default()),
            pairs(&[
                ("kubeconfig", "secrets.STAGING_KUBECONFIG"),
                ("kubeconfig", "secrets.KUBE_CONFIG_PROD"),
                ("cloud-gcp", "google-github-actions/get-gke-credentials@v2"),
                ("argocd-token", "secrets.ARGOCD_TOKEN"),
            ])
        );
        let p = pipeline(
            "Jenkinsfile",
            CiSystem::Jenkins,
            vec![job(
                "Deploy",
                vec![
                    action_step(
                        "Jenkinsfile",
                        "withKubeConfig",
                        &[("credentialsId", "kube-prod"), ("serverUrl", "https://x")],
                        0,
                    ),
                    action_step(
                        "Jenkinsfile",
                        "withCredentials",
                        &[(
                            "bindings",
                            "[file(credentialsId: 'k8s-staging', variable: 'KUBECONFIG')]",
                        )],
                        50,
                    ),
                    action_step(
                        "Jenkinsfile",
                        "withCredentials",
                        &[(
                            "bindings",
                            "[string(credentialsId: 'slack', variable: 'SLACK')]",
                        )],
                        90,
                    ),
                ],
            )],
        );
        assert_eq!(
            run(&p, &MemRepo::default()),
            pairs(&[
                ("jenkins-credential", "kube-prod"),
                ("jenkins-credential", "k8s-staging")
            ])
        );
    }

    #[test]
    fn with_credentials_bindings_as_the_reader_lists_them() {
        let with = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let bound = with(&[
            ("binding", "file"),
            ("credentialsId", "lumen-config"),
            ("variable", "KUBECONFIG"),
            ("binding", "string"),
            ("credentialsId", "npm-publish"),
            ("variable", "NPM_AUTH"),
        ]);
        assert_eq!(kube_bindings(&bound), ["lumen-config"]);
        let none = with(&[
            ("binding", "usernamePassword"),
            ("credentialsId", "registry"),
        ]);
        assert!(kube_bindings(&none).is_empty());
    }
}
