//! Where an app's manifests are, from what its old deploy steps apply: a chart in the repository
//! with the values files each environment's step passes and the image path its `--set` names; a
//! Kustomize base with the overlays each environment applies (`overlays/$ENV` read as each
//! environment's folder); a folder of plain manifests. Anything else is a TODO, and the app is
//! scaffolded until it is answered.

use std::collections::BTreeMap;
use std::path::Path;

use crate::analyze::document::{Analysis, DeployStepOut};
use crate::files::fold::fold;
use crate::infer::vocab::DeployTool;
use crate::migrate::environments::Named;
use crate::migrate::notes::Notes;
use crate::model::draft::{AppDraft, DeployDraft, HelmDraft, HelmMapDraft};

/// Where the app's manifests are, from what its deploy steps apply.
pub(super) fn deploy(
    analysis: &Analysis,
    steps: &[&DeployStepOut],
    environments: &[Named],
    root: Option<&Path>,
    app: &mut AppDraft,
    path: &str,
    notes: &mut Notes,
) {
    let key = format!("{path}.deploy");
    let layout = &analysis.layout;
    let env_name = |step: &DeployStepOut| -> Option<String> {
        let found = step.environment.as_deref()?;
        environments
            .iter()
            .find(|n| n.found == found)
            .map(|n| n.name.clone())
    };
    // A chart in the repository, with the values files each environment's step passes.
    for step in steps.iter().filter(|s| s.tool == DeployTool::Helm) {
        let paths: Vec<String> = step.paths.iter().filter_map(|p| clean(p)).collect();
        let named = layout.helm_charts.iter().find(|c| paths.contains(&c.dir));
        // `helm upgrade web $CHART_DIR`: the chart a variable names is the repository's only one.
        let only = match layout.helm_charts.as_slice() {
            [one] if step.paths.iter().any(|p| p.starts_with('$')) => Some(one),
            _ => None,
        };
        let Some(chart) = named.or(only) else {
            continue;
        };
        if named.is_none() {
            notes.note(
                &format!("{key}.helm.chart"),
                "the repository's only chart, named by a variable in the old step",
            );
        }
        let mut helm = HelmMapDraft {
            chart: chart.dir.clone(),
            ..HelmMapDraft::default()
        };
        let mut by_env: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for s in steps.iter().filter(|s| s.tool == DeployTool::Helm) {
            let values: Vec<String> = s
                .paths
                .iter()
                .filter_map(|p| clean(p).or_else(|| in_chart(p, &chart.dir, &chart.values_files)))
                .filter(|p| p.ends_with(".yaml") || p.ends_with(".yml"))
                .collect();
            by_env
                .entry(env_name(s).unwrap_or_default())
                .or_default()
                .extend(values);
        }
        // Files every environment passes are shared; with one environment, its files are its own.
        let envs_known = by_env.keys().filter(|k| !k.is_empty()).count();
        let shared: Vec<String> = by_env
            .values()
            .next()
            .filter(|_| envs_known != 1)
            .map(|first| {
                first
                    .iter()
                    .filter(|v| by_env.values().all(|l| l.contains(v)))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        helm.values = shared.first().cloned();
        if let [_, more @ ..] = shared.as_slice()
            && !more.is_empty()
        {
            notes.todo(
                &key,
                &format!(
                    "every environment's step also passes {}; the model takes one shared values \
                     file: merge them into `{}`",
                    more.iter()
                        .map(|v| format!("`{v}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    shared[0]
                ),
            );
        }
        let mut per_env = BTreeMap::new();
        for (env, values) in &by_env {
            let own: Vec<&String> = values.iter().filter(|v| !shared.contains(v)).collect();
            match (env.is_empty(), own.as_slice()) {
                (_, []) => {}
                (false, [one]) => {
                    per_env.insert(env.clone(), (*one).clone());
                }
                _ => notes.todo(
                    &key,
                    &format!(
                        "values files {} are passed {}; add them to `values_by_env`",
                        own.iter()
                            .map(|v| format!("`{v}`"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        if env.is_empty() {
                            "by a step whose environment is unknown".to_owned()
                        } else {
                            format!("for `{env}` together")
                        }
                    ),
                ),
            }
        }
        if !per_env.is_empty() {
            helm.values_by_env = Some(per_env);
        }
        notes.evidence(&key, &step.at, &step.command, step.confidence);
        let tag_set_by_step = image_paths(step, &mut helm, &key, notes);
        if let Some(root) = root.filter(|_| !tag_set_by_step) {
            chart_takes(root, &helm, &key, notes);
        }
        app.deploy = Some(DeployDraft {
            helm: Some(HelmDraft::Full(Box::new(helm))),
            ..DeployDraft::default()
        });
        return;
    }
    // A Kustomize directory per environment, or one for all.
    let mut kustomized: BTreeMap<String, String> = BTreeMap::new();
    let mut folders: Vec<(String, &DeployStepOut)> = Vec::new();
    for step in steps {
        // `kustomize/overlays/$ENV`: each environment's own folder, where one exists.
        for written in step.paths.iter().filter(|p| p.contains('$')) {
            for env in environments {
                let guessed = [env.found.as_str(), env.name.as_str()]
                    .into_iter()
                    .chain(short_names(&env.name).iter().copied())
                    .filter_map(|name| clean(&substitute(written, name)?))
                    .find(|p| layout.kustomizations.iter().any(|k| k.dir == *p));
                if let Some(dir) = guessed {
                    notes.note(
                        &format!("{key}.overlays.{}", env.name),
                        &format!("`{written}`, read as this environment's folder"),
                    );
                    kustomized.insert(env.name.clone(), dir);
                }
            }
        }
        for p in step.paths.iter().filter_map(|p| clean(p)) {
            if p == "." {
                continue;
            }
            if layout.kustomizations.iter().any(|k| k.dir == p) {
                kustomized.insert(env_name(step).unwrap_or_default(), p.clone());
            } else if layout
                .manifests
                .iter()
                .any(|m| m.file.rsplit_once('/').map(|(d, _)| d) == Some(p.as_str()))
            {
                folders.push((p, step));
            } else if let Some((dir, _)) = p.rsplit_once('/')
                && layout.manifests.iter().any(|m| m.file == p)
            {
                folders.push((dir.to_owned(), step));
            }
        }
    }
    let distinct: Vec<&String> = {
        let mut v: Vec<&String> = kustomized.values().collect();
        v.sort();
        v.dedup();
        v
    };
    if let Some(step) = steps.first().filter(|_| !distinct.is_empty()) {
        notes.evidence(&key, &step.at, &step.command, step.confidence);
        let mut deploy = DeployDraft::default();
        let per_env = kustomized.keys().any(|env| !env.is_empty());
        let one_base = match distinct.as_slice() {
            [one] if !per_env => Some((*one).clone()),
            _ => None,
        };
        if let Some(one) = one_base {
            deploy.kustomize = Some(one);
        } else {
            // Overlays: the base is what they share.
            let base = common_base(analysis, &distinct);
            match base {
                Some(base) => {
                    deploy.kustomize = Some(base);
                    let overlays: BTreeMap<String, String> = kustomized
                        .into_iter()
                        .filter(|(env, _)| !env.is_empty())
                        .collect();
                    deploy.overlays = Some(overlays);
                }
                None => {
                    deploy.kustomize = distinct.first().map(|d| (*d).clone());
                    notes.todo(
                        &key,
                        &format!(
                            "the old steps apply {}, with no base in common; keep one here and \
                             list the others under `overlays:`",
                            distinct
                                .iter()
                                .map(|d| format!("`{d}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                }
            }
        }
        app.deploy = Some(deploy);
        return;
    }
    if let Some((folder, step)) = folders.first() {
        notes.evidence(&key, &step.at, &step.command, step.confidence);
        let mut others: Vec<&str> = folders
            .iter()
            .map(|(f, _)| f.as_str())
            .filter(|f| f != folder)
            .collect();
        others.sort();
        others.dedup();
        if !others.is_empty() {
            notes.todo(
                &key,
                &format!(
                    "the old steps also apply {}: one folder serves every environment here; \
                     make the differences a Kustomize base with overlays (`kustomize:` and \
                     `overlays:`)",
                    others
                        .iter()
                        .map(|f| format!("`{f}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        app.deploy = Some(DeployDraft {
            manifests: Some(folder.clone()),
            ..DeployDraft::default()
        });
        return;
    }
    // No `deploy:` is written for a scaffolded app: the question goes above the app.
    match steps.first() {
        Some(step) => notes.todo(
            path,
            &format!(
                "the old pipeline deploys with `{}` ({}:{}); point `deploy:` at the manifests or \
                 chart it applies (until then a Deployment and Service are scaffolded)",
                step.command, step.at.file, step.at.line
            ),
        ),
        None => notes.todo(
            path,
            "no deploy step of this app was found; a Deployment and Service are scaffolded",
        ),
    }
}

/// Where the old step set the image: `--set image.tag=$SHA` is `image_path: image.tag`,
/// `--set image.repository=…` is `image_repository_path`. Whether the step set the tag there.
fn image_paths(
    step: &DeployStepOut,
    helm: &mut HelmMapDraft,
    key: &str,
    notes: &mut Notes,
) -> bool {
    let mut tag_set = false;
    let words: Vec<&str> = step.command.split_whitespace().collect();
    let mut sets: Vec<&str> = Vec::new();
    for (i, word) in words.iter().enumerate() {
        if let Some(rest) = word
            .strip_prefix("--set=")
            .or(word.strip_prefix("--set-string="))
        {
            sets.extend(rest.split(','));
        } else if (*word == "--set" || *word == "--set-string")
            && let Some(next) = words.get(i + 1)
        {
            sets.extend(next.split(','));
        }
    }
    for set in sets {
        let Some((path, _)) = set.trim_matches(['"', '\'']).split_once('=') else {
            continue;
        };
        let valid = !path.is_empty()
            && path.split('.').all(|k| {
                !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            });
        if !valid {
            continue;
        }
        let last = path
            .rsplit('.')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if last == "tag" {
            tag_set = true;
            if path != "image.tag" {
                helm.image_path = Some(path.to_owned());
                notes.note(
                    &format!("{key}.helm.image_path"),
                    &format!("the old step sets `--set {path}=…`"),
                );
            }
        } else if last == "repository" && path.contains("image") {
            helm.image_repository_path = Some(path.to_owned());
            notes.note(
                &format!("{key}.helm.image_repository_path"),
                &format!("the old step sets `--set {path}=…`"),
            );
        }
    }
    tag_set
}

/// A TODO when the chart in the repository takes no value where the image tag goes.
fn chart_takes(root: &Path, helm: &HelmMapDraft, key: &str, notes: &mut Notes) {
    let path = helm.image_path.as_deref().unwrap_or("image.tag");
    let set_by_values = helm
        .values
        .iter()
        .chain(helm.values_by_env.iter().flat_map(|m| m.values()))
        .filter_map(|f| crate::sources::helm::layer(root, f).ok())
        .any(|l| crate::sources::helm::lookup(std::slice::from_ref(&l), path).is_some());
    let declared = crate::sources::helm::declares(root, &helm.chart, path);
    if !set_by_values && matches!(declared, Ok(crate::sources::helm::Declared::No) | Err(_)) {
        notes.todo(
            &format!("{key}.helm"),
            &format!(
                "the chart `{}` declares no `{path}` (values.yaml, values.schema.json): set \
                 `image_path:` to where it reads the image tag",
                helm.chart
            ),
        );
    }
}

/// The short names teams give an environment's folders (`prod` for `production`).
fn short_names(name: &str) -> &'static [&'static str] {
    match name {
        "production" => &["prod", "prd"],
        "staging" => &["stage", "stg"],
        "development" => &["dev"],
        "testing" => &["test"],
        _ => &[],
    }
}

/// `written` with its one variable (`$ENV`, `${ENV}`, `${{ inputs.env }}`) replaced by `value`;
/// `None` when it has none or several.
fn substitute(written: &str, value: &str) -> Option<String> {
    let start = written.find('$')?;
    let rest = &written[start..];
    let len = if let Some(inner) = rest.strip_prefix("${{") {
        inner.find("}}")? + 5
    } else if let Some(inner) = rest.strip_prefix("${") {
        inner.find('}')? + 3
    } else {
        1 + rest[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len() - 1)
    };
    let out = format!("{}{value}{}", &written[..start], &rest[len..]);
    (!out.contains('$')).then_some(out)
}

/// `$CHART_DIR/values-prod.yaml` as the values file of the chart in `dir` it names, when the
/// chart has that file.
fn in_chart(path: &str, dir: &str, values: &[String]) -> Option<String> {
    let (var, file) = path.split_once('/')?;
    if !var.starts_with('$') || file.contains('$') {
        return None;
    }
    let candidate = if dir == "." {
        file.to_owned()
    } else {
        format!("{dir}/{file}")
    };
    values.contains(&candidate).then_some(candidate)
}

/// The folder the kustomizations in `dirs` all list (directly) among their resources.
fn common_base(analysis: &Analysis, dirs: &[&String]) -> Option<String> {
    let mut shared: Option<Vec<String>> = None;
    for dir in dirs {
        let k = analysis
            .layout
            .kustomizations
            .iter()
            .find(|k| k.dir == **dir)?;
        let listed: Vec<String> = k
            .resources
            .iter()
            .chain(&k.bases)
            .filter_map(|r| clean(&format!("{dir}/{r}")))
            .collect();
        shared = Some(match shared {
            None => listed,
            Some(before) => before.into_iter().filter(|b| listed.contains(b)).collect(),
        });
    }
    let shared = shared?;
    match shared.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// A path as the draft writes it (`./k8s/` → `k8s`); `None` for one with variables or outside
/// the repository.
fn clean(path: &str) -> Option<String> {
    if path.contains(['$', '{', '}', '%', '*']) {
        return None;
    }
    let parts = fold(path.trim_end_matches('/'))?;
    Some(if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    })
}
