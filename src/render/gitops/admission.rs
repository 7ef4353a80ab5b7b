//! RENDER stage: the default policies at admission (`policy.admission`), for the environments'
//! namespaces only, every rule but GG006 (Git's alone): with `kyverno`,
//! `infrastructure/admission/` holds one ClusterPolicy; with `gatekeeper`,
//! `infrastructure/admission/templates/` a ConstraintTemplate per rule (its Rego static, in
//! templates/policy/gatekeeper/) and `infrastructure/admission/constraints/` the constraint of
//! each, with the model's namespaces and repositories. Each folder has the kustomization that
//! lists it; each operator applies the layers in order ([`admission_layers`]).

use serde::Serialize;

use crate::error::Error;
use crate::model::Config;
use crate::model::controllers::{GATEKEEPER_RULES, KYVERNO_FILE, admission_layers};
use crate::model::delivery::Admission;
use crate::model::tree::{self, GitopsTree};
use crate::render::gitops::kustomize::{KUSTOMIZATION, KustomizationView};
use crate::render::output::Outputs;

const POLICIES: &str = "policy/kyverno-policies.yaml.j2";
const CONSTRAINT: &str = "policy/gatekeeper/constraint.yaml.j2";

#[derive(Serialize)]
struct ConstraintView<'a> {
    rule: String,
    kind: &'static str,
    name: String,
    action: &'static str,
    namespaces: &'a [String],
    repositories: &'a [String],
}

#[derive(Serialize)]
struct PoliciesView {
    name: String,
    /// Every environment's namespace; a preview's instances as `<namespace>-*`.
    namespaces: Vec<String>,
    /// The namespaces where images must be pinned: not the previews'.
    pinned_namespaces: Vec<String>,
    registries_pattern: String,
    registries_message: String,
}

/// Adds the folder when the model asks for admission control.
pub(crate) fn render(config: &Config, out: &mut Outputs) -> Result<(), Error> {
    let Some(engine) = config.policy.admission else {
        return Ok(());
    };
    let tree = GitopsTree::of(config);
    let mut namespaces: Vec<String> = Vec::new();
    let mut pinned: Vec<String> = Vec::new();
    for env in &config.environments {
        let namespace = if env.preview {
            format!("{}-*", env.namespace)
        } else {
            env.namespace.clone()
        };
        if !env.preview && !pinned.contains(&namespace) {
            pinned.push(namespace.clone());
        }
        if !namespaces.contains(&namespace) {
            namespaces.push(namespace);
        }
    }
    let repositories = crate::model::image_repositories(config);
    if engine == Admission::Gatekeeper {
        return gatekeeper(config, &tree, &namespaces, &pinned, &repositories, out);
    }
    let dir = tree.path(&admission_layers(config)[0].dir);
    let registries_pattern = repositories
        .iter()
        .flat_map(|r| [format!("{r}:*"), format!("{r}@*")])
        .collect::<Vec<_>>()
        .join(" | ");
    let view = PoliciesView {
        name: format!("{}-default-policies", config.project.value),
        namespaces,
        pinned_namespaces: pinned,
        registries_pattern,
        registries_message: format!("GG002: images come from {}", repositories.join(", ")),
    };
    out.managed(POLICIES, format!("{dir}/{KYVERNO_FILE}"), &view)?;
    out.managed(
        KUSTOMIZATION,
        tree::kustomization(&dir),
        &KustomizationView::listing(vec![KYVERNO_FILE.to_owned()]),
    )
}

/// Gatekeeper's two layers: the templates, then a constraint per rule (GG001 without the
/// previews' namespaces, GG002 with the repositories, GG007 a warning).
fn gatekeeper(
    config: &Config,
    tree: &GitopsTree,
    namespaces: &[String],
    pinned: &[String],
    repositories: &[String],
    out: &mut Outputs,
) -> Result<(), Error> {
    let layers = admission_layers(config);
    let (templates, constraints) = (tree.path(&layers[0].dir), tree.path(&layers[1].dir));
    for (rule, kind, warn) in GATEKEEPER_RULES {
        let file = format!("{rule}.yaml");
        out.managed(
            &format!("policy/gatekeeper/{rule}.yaml.j2"),
            format!("{templates}/{file}"),
            &(),
        )?;
        let view = ConstraintView {
            rule: rule.to_uppercase(),
            kind,
            name: format!("{}-{rule}", config.project.value),
            action: if warn { "warn" } else { "deny" },
            namespaces: if rule == "gg001" { pinned } else { namespaces },
            repositories: if rule == "gg002" { repositories } else { &[] },
        };
        out.managed(CONSTRAINT, format!("{constraints}/{file}"), &view)?;
    }
    for layer in [&layers[0], &layers[1]] {
        out.managed(
            KUSTOMIZATION,
            tree::kustomization(&tree.path(&layer.dir)),
            &KustomizationView::listing(layer.files.clone()),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::GATEKEEPER_RULES;

    /// Each constraint's kind is the kind its ConstraintTemplate defines, and the template is
    /// named as Gatekeeper requires: the kind in lowercase.
    #[test]
    fn constraint_kinds_match_their_templates() {
        let templates = [
            include_str!("../../../templates/policy/gatekeeper/gg001.yaml.j2"),
            include_str!("../../../templates/policy/gatekeeper/gg002.yaml.j2"),
            include_str!("../../../templates/policy/gatekeeper/gg003.yaml.j2"),
            include_str!("../../../templates/policy/gatekeeper/gg004.yaml.j2"),
            include_str!("../../../templates/policy/gatekeeper/gg005.yaml.j2"),
            include_str!("../../../templates/policy/gatekeeper/gg007.yaml.j2"),
        ];
        for ((rule, kind, _), template) in GATEKEEPER_RULES.iter().zip(templates) {
            assert!(
                template.contains(&format!("        kind: {kind}\n")),
                "{rule}"
            );
            let name = kind.to_lowercase();
            assert!(template.contains(&format!("  name: {name}\n")), "{rule}");
            assert!(template.contains(&format!("package {name}\n")), "{rule}");
        }
    }
}
