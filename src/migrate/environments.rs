//! The environments of the draft, from those the analysis found deploying: in promotion order
//! (per-branch previews first, then development, testing, other, staging, production), branch
//! and tag triggers as `branches` and `tags`, an environment only ever started by hand as
//! `promotion: manual`, a per-branch or per-PR one as `preview: true`, and the namespace its
//! deploy steps name when they all name the same one.

use std::collections::BTreeSet;

use crate::analyze::document::{Analysis, EnvironmentOut};
use crate::infer::Tier;
use crate::migrate::notes::Notes;
use crate::model::Promotion;
use crate::model::decode::dns_label_from;
use crate::model::draft::{EnvironmentDraft, Patterns};
use crate::model::glob::RefPattern;
use crate::read::pipeline::TriggerKind;

/// One environment of the analysis, as the model names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Named {
    /// As the analysis (and the old pipeline) spells it.
    pub(crate) found: String,
    /// The model's name.
    pub(crate) name: String,
    /// Why the old steps say no namespace for it: answered from the app's manifests once the
    /// apps are drafted ([`super::namespaces`]), else a question.
    pub(crate) namespace_unknown: Option<String>,
}

/// The draft's environments, and how each found environment is named in the model.
pub(crate) fn environments(
    analysis: &Analysis,
    default_branch: &str,
    notes: &mut Notes,
) -> (Vec<EnvironmentDraft>, Vec<Named>) {
    let mut found: Vec<&EnvironmentOut> = analysis.environments.iter().collect();
    found.sort_by_key(|e| (rank(e), e.name.clone()));
    let mut drafts = Vec::new();
    let mut named = Vec::new();
    let mut taken = BTreeSet::new();
    let mut claimed: Vec<(String, String)> = Vec::new();
    for env in found {
        let Some(name) = dns_label_from(&env.name).filter(|n| taken.insert(n.clone())) else {
            notes.todo(
                "environments",
                &format!(
                    "the old pipeline deploys to `{}`, which is not a usable environment name \
                     (or repeats another); add it here if it is one",
                    env.name
                ),
            );
            continue;
        };
        let path = format!("environments[{}]", drafts.len());
        let context = Context {
            analysis,
            default_branch,
            path: &path,
        };
        let (mut draft, namespace_unknown) = environment(&context, env, &name, &mut claimed, notes);
        draft.suspended = Some(true);
        notes.note(&format!("{path}.suspended"), &suspended_note(&name));
        drafts.push(draft);
        named.push(Named {
            found: env.name.clone(),
            name,
            namespace_unknown,
        });
    }
    every_branch(&mut drafts, notes);
    if drafts.is_empty() {
        notes.todo(
            "environments[0]",
            "no environment the old pipelines deploy to was found; this one is a placeholder: \
             name the environments in promotion order, with the branches or tags that deploy them",
        );
        drafts.push(EnvironmentDraft {
            name: "production".to_owned(),
            branches: Some(Patterns::One(default_branch.to_owned())),
            ..EnvironmentDraft::default()
        });
    }
    (drafts, named)
}

/// Why a drafted environment is suspended: the words `cutover` looks for above the line it
/// removes.
pub(crate) fn suspended_note(name: &str) -> String {
    format!(
        "{SUSPENDED_NOTE}: the old pipeline deploys it until `gitops-gen migrate --phase cutover \
         --env {name}`"
    )
}

/// The start of [`suspended_note`].
pub(crate) const SUSPENDED_NOTE: &str = "Flux leaves this environment alone";

/// An environment every branch push deploys (`**`) cannot share the branches with another one
/// that names its own: the model maps a ref to one environment. Then `**` is a question.
fn every_branch(drafts: &mut [EnvironmentDraft], notes: &mut Notes) {
    let named: Vec<String> = drafts
        .iter()
        .filter(|d| !is_every_branch(d))
        .filter_map(|d| d.branches.as_ref().map(|_| d.name.clone()))
        .collect();
    if named.is_empty() {
        return;
    }
    for (i, draft) in drafts.iter_mut().enumerate() {
        if is_every_branch(draft) {
            draft.branches = Some(Patterns::One("feature/*".to_owned()));
            notes.todo(
                &format!("environments[{i}].branches"),
                &format!(
                    "every branch push deploys it in the old pipeline, and branches of its own \
                     deploy {} too; `feature/*` is a placeholder: list the branches that deploy it",
                    named.join(", ")
                ),
            );
        }
    }
}

fn is_every_branch(draft: &EnvironmentDraft) -> bool {
    matches!(&draft.branches, Some(Patterns::One(p)) if p == "**")
}

/// Promotion order: previews, development, testing, anything else, staging, production.
fn rank(env: &EnvironmentOut) -> u8 {
    if env.dynamic {
        return 0;
    }
    match env.tier {
        Tier::Preview => 0,
        Tier::Development => 1,
        Tier::Testing => 2,
        Tier::Other => 3,
        Tier::Staging => 4,
        Tier::Production => 5,
    }
}

/// What drafting one environment needs besides the environment.
struct Context<'a> {
    analysis: &'a Analysis,
    default_branch: &'a str,
    /// The environment's place in the draft (`environments[2]`).
    path: &'a str,
}

fn environment(
    context: &Context,
    env: &EnvironmentOut,
    name: &str,
    claimed: &mut Vec<(String, String)>,
    notes: &mut Notes,
) -> (EnvironmentDraft, Option<String>) {
    let Context {
        analysis,
        default_branch,
        path,
    } = *context;
    if let Some(first) = env.evidence.first() {
        notes.evidence(path, &first.at, &first.note, env.confidence);
    }
    if name != env.name {
        notes.note(path, &format!("`{}` in the old pipeline", env.name));
    }
    let manual = env.triggers.iter().any(|t| t.kind == TriggerKind::Manual);
    let mut patterns = |kind: TriggerKind| -> Vec<String> {
        let mut out = Vec::new();
        for trigger in env.triggers.iter().filter(|t| t.kind == kind) {
            let written = trigger.pattern.clone().unwrap_or_else(|| "**".to_owned());
            let Some(pattern) = known_pattern(&written, default_branch, path, notes) else {
                continue;
            };
            let key = format!("{}:{pattern}", kind.as_str());
            if let Some((_, earlier)) = claimed.iter().find(|(k, _)| *k == key) {
                // The same ref deploys an earlier environment: this one follows it.
                let why = if manual {
                    format!("`{written}` also deploys `{earlier}`; here it was started by hand")
                } else {
                    format!("`{written}` also deploys `{earlier}`")
                };
                notes.note(path, &why);
                continue;
            }
            claimed.push((key, name.to_owned()));
            out.push(pattern);
        }
        out
    };
    let mut draft = EnvironmentDraft {
        name: name.to_owned(),
        ..EnvironmentDraft::default()
    };
    let (branches, refused_branches): (Vec<String>, Vec<String>) = patterns(TriggerKind::Branch)
        .into_iter()
        .partition(|p| RefPattern::parse(p).is_ok());
    let (tags, refused_tags): (Vec<String>, Vec<String>) = patterns(TriggerKind::Tag)
        .into_iter()
        .partition(|p| RefPattern::parse(p).is_ok());
    for refused in refused_branches.iter().chain(&refused_tags) {
        notes.todo(
            path,
            &format!(
                "the old trigger `{refused}` is not a pattern every CI reads alike; rewrite it"
            ),
        );
    }
    draft.branches = patterns_of(branches);
    draft.tags = patterns_of(tags);
    if env.dynamic || env.tier == Tier::Preview {
        draft.preview = Some(true);
        if draft.branches.is_none() {
            draft.branches = Some(Patterns::One("feature/*".to_owned()));
            notes.todo(
                &format!("{path}.branches"),
                "deployed per branch or pull request in the old pipeline; `feature/*` is a \
                 placeholder: list the branches that get a preview",
            );
        }
    } else if draft.branches.is_none() && draft.tags.is_none() {
        if manual {
            draft.promotion = Some(Promotion::Manual);
            notes.note(
                &format!("{path}.promotion"),
                "only ever started by hand in the old pipeline",
            );
        } else {
            notes.todo(
                path,
                "no branch or tag deploys it in the old pipeline (its triggers are expressions \
                 or other pipelines); add `branches:` or `tags:`, or `promotion: manual`",
            );
        }
    }
    match namespace(analysis, env) {
        Ok(namespace) => {
            draft.namespace = Some(namespace);
            (draft, None)
        }
        Err(why) => (draft, Some(why)),
    }
}

/// A trigger's pattern as the model can take it: CI variables naming the default branch become
/// the repository's default branch (said in a comment); other variables are a TODO.
fn known_pattern(
    written: &str,
    default_branch: &str,
    path: &str,
    notes: &mut Notes,
) -> Option<String> {
    if !written.contains('$') {
        return Some(written.to_owned());
    }
    let spellings = [
        "$CI_DEFAULT_BRANCH",
        "${CI_DEFAULT_BRANCH}",
        "${{ github.event.repository.default_branch }}",
        "$(Build.Repository.DefaultBranch)",
    ];
    if spellings.contains(&written) {
        notes.note(
            path,
            &format!("`{written}` is the default branch: `{default_branch}` here"),
        );
        return Some(default_branch.to_owned());
    }
    notes.todo(
        path,
        &format!(
            "deployed from `{written}`, a ref a CI variable names; write the branches or tags it is"
        ),
    );
    None
}

fn patterns_of(list: Vec<String>) -> Option<Patterns> {
    let mut list = list;
    list.sort();
    list.dedup();
    match list.len() {
        0 => None,
        1 => list.pop().map(Patterns::One),
        _ => Some(Patterns::Many(list)),
    }
}

/// The namespace every deploy step of `env` names, when they name one and the same; else why
/// not.
fn namespace(analysis: &Analysis, env: &EnvironmentOut) -> Result<String, String> {
    let named: BTreeSet<&str> = analysis
        .deploy_steps
        .iter()
        .filter(|s| s.environment.as_deref() == Some(env.name.as_str()))
        .filter_map(|s| s.namespace.as_deref())
        .collect();
    let list = |names: &[&str]| {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match named.into_iter().collect::<Vec<_>>().as_slice() {
        [] => Err(
            "the old steps name no namespace (they deploy to the manifests' own, or the \
             cluster context's default)"
                .to_owned(),
        ),
        [one] => match dns_label_from(one).filter(|n| n == one) {
            Some(namespace) => Ok(namespace),
            None => Err(format!(
                "the old steps name the namespace as {}",
                list(&[one])
            )),
        },
        several => Err(format!(
            "the old steps deploy to several namespaces: {}",
            list(several)
        )),
    }
}
