//! INFER stage: `cluster-credentials` — the cluster credentials CI holds, which must be revoked
//! once a pull-based operator deploys instead: kubeconfigs written or exported in scripts,
//! tokens passed on the command line, cloud `get-credentials` commands, `oc login`,
//! `argocd login`, credential actions and Jenkins credential bindings, and secrets or variables
//! named like cluster credentials. Only names are kept, never values.

use std::collections::HashSet;

use crate::files::Loc;
use crate::infer::commands;
use crate::infer::vocab::{self, ActionRole};
use crate::infer::{Confidence, Context, CredentialFact, Evidence, Facts, Rule};
use crate::read::{CiSystem, Step};
use crate::yaml::Span;

/// Cluster credentials in scripts, steps and variables ⇒ [`CredentialFact`].
pub(crate) struct ClusterCredentials;

/// Collects facts for one job, once per (kind, name).
struct Sink<'f> {
    facts: &'f mut Facts,
    seen: HashSet<(Option<String>, &'static str, String)>,
}

impl Sink<'_> {
    fn push(&mut self, job: Option<&str>, kind: &'static str, name: String, evidence: Evidence) {
        let job = job.map(str::to_owned);
        if self.seen.insert((job.clone(), kind, name.clone())) {
            self.facts.credentials.push(CredentialFact {
                kind,
                name,
                job,
                evidence,
            });
        }
    }
}

impl Rule for ClusterCredentials {
    fn id(&self) -> &'static str {
        "cluster-credentials"
    }

    fn describe(&self) -> &'static str {
        "kubeconfigs, cluster tokens, cloud get-credentials commands, credential steps and secrets named like them are cluster credentials CI holds"
    }

    fn apply(&self, cx: &Context<'_>, facts: &mut Facts) {
        let mut sink = Sink {
            facts,
            seen: HashSet::new(),
        };
        let id = self.id();
        let evidence = |loc: Loc, note: String, confidence| Evidence {
            rule: id,
            loc,
            note,
            confidence,
        };
        for pipeline in cx.pipelines {
            let file_loc = Loc::new(&pipeline.file, Span::empty(0));
            for (name, value) in &pipeline.variables {
                for (kind, cred) in variable_credentials(name, value) {
                    let note = format!("pipeline variable `{name}` holds a cluster credential");
                    sink.push(
                        None,
                        kind,
                        cred,
                        evidence(file_loc.clone(), note, Confidence::Medium),
                    );
                }
            }
            for job in &pipeline.jobs {
                let j = Some(job.id.as_str());
                for (name, value) in &job.variables {
                    for (kind, cred) in variable_credentials(name, value) {
                        let note = format!("job variable `{name}` holds a cluster credential");
                        sink.push(
                            j,
                            kind,
                            cred,
                            evidence(job.loc.clone(), note, Confidence::Medium),
                        );
                    }
                }
                for unit in commands::job_units(cx, pipeline, job, true) {
                    for (i, cmd) in unit.cmds.iter().enumerate() {
                        for m in vocab::classify_credentials(&unit.cmds, i) {
                            let note = format!("{}{}", m.note, unit.how(cmd));
                            sink.push(
                                j,
                                m.kind,
                                m.name,
                                evidence(unit.loc(cmd), note, unit.confidence(cmd)),
                            );
                        }
                        let texts = cmd
                            .words
                            .iter()
                            .map(|w| w.text.as_str())
                            .chain(cmd.assignments.iter().map(|(_, v)| v.as_str()));
                        for text in texts {
                            for name in vocab::variable_refs(text) {
                                let known = name.starts_with("secrets.");
                                if let Some(kind) = vocab::credential_kind_for_name(&name, known) {
                                    let note =
                                        format!("a script references `{name}`{}", unit.via());
                                    sink.push(
                                        j,
                                        kind,
                                        name,
                                        evidence(unit.loc(cmd), note, Confidence::Medium),
                                    );
                                }
                            }
                        }
                    }
                }
                for step in &job.steps {
                    let Step::Action {
                        uses, with, loc, ..
                    } = step
                    else {
                        continue;
                    };
                    for (kind, name, note, confidence) in
                        action_credentials(pipeline.system, uses, with)
                    {
                        sink.push(j, kind, name, evidence(loc.clone(), note, confidence));
                    }
                }
            }
        }
    }
}

/// A variable named like a credential, or holding a reference to one.
fn variable_credentials(name: &str, value: &str) -> Vec<(&'static str, String)> {
    let refs: Vec<(String, &'static str)> = vocab::variable_refs(value)
        .into_iter()
        .filter_map(|r| {
            let known = r.starts_with("secrets.");
            vocab::credential_kind_for_name(&r, known).map(|k| (r, k))
        })
        .collect();
    if let Some(kind) = vocab::credential_kind_for_name(name, false) {
        let cred = refs
            .first()
            .map_or_else(|| name.to_owned(), |(r, _)| r.clone());
        return vec![(kind, cred)];
    }
    refs.into_iter().map(|(r, k)| (k, r)).collect()
}

/// Credentials a packaged step sets up or is given.
fn action_credentials(
    system: CiSystem,
    uses: &str,
    with: &[(String, String)],
) -> Vec<(&'static str, String, String, Confidence)> {
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
                    "jenkins-credential",
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
                kind,
                name,
                format!("`{uses_t}` is given cluster credentials in `{input}`"),
                Confidence::High,
            ));
        }
        if let ActionRole::Credential(kind) = spec.role
            && out.is_empty()
        {
            let kind = if jenkins { "jenkins-credential" } else { kind };
            out.push((
                kind,
                uses_t.to_owned(),
                format!("`{uses_t}` sets up cluster credentials"),
                Confidence::High,
            ));
        }
    }
    if jenkins && uses_t.eq_ignore_ascii_case("withCredentials") {
        let text: String = with.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
        let kube_binding = text.to_ascii_lowercase().contains("kube");
        for id in jenkins_ids(&text) {
            if kube_binding || vocab::credential_kind_for_name(&id, true).is_some() {
                out.push((
                    "jenkins-credential",
                    id,
                    "`withCredentials` binds a cluster credential".to_owned(),
                    Confidence::High,
                ));
            }
        }
    }
    for (key, value) in with {
        for name in vocab::variable_refs(value) {
            let known = name.starts_with("secrets.");
            if let Some(kind) = vocab::credential_kind_for_name(&name, known) {
                out.push((
                    kind,
                    name,
                    format!("`{uses_t}` input `{key}` references a cluster credential"),
                    Confidence::Medium,
                ));
            }
        }
    }
    out
}

/// Jenkins credential ids in Groovy-ish text: `credentialsId: 'kube-prod'`, or the value alone.
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
    use crate::read::Pipeline;

    fn run(p: &Pipeline, repo: &MemRepo) -> Vec<(&'static str, String)> {
        let mut facts = Facts::default();
        ClusterCredentials.apply(
            &Context {
                pipelines: std::slice::from_ref(p),
                files: repo,
            },
            &mut facts,
        );
        facts
            .credentials
            .into_iter()
            .map(|c| (c.kind, c.name))
            .collect()
    }

    fn pairs(items: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
        items.iter().map(|(k, n)| (*k, (*n).to_owned())).collect()
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
        let mut facts = Facts::default();
        ClusterCredentials.apply(
            &Context {
                pipelines: std::slice::from_ref(&p),
                files: &MemRepo::default(),
            },
            &mut facts,
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
}
