//! RENDER stage: a Helm app in a preview environment under Argo CD. Promotion gives each branch
//! an instance folder under the preview overlay (`<branch slug>/`, with its Namespace in
//! `namespace.yaml`) and writes the app's `<app>-image.yaml` there. Each instance needs its own
//! Application, which no file written once could list, so the app gets an ApplicationSet
//! (`clusters/<cluster>/argocd/helm.<env>.<app>.yaml`, where other environments have the
//! Application) with a matrix of two git files generators:
//!
//! 1. the instances' image values files, `applications/overlays/<env>/*/<app>-image.yaml`: only
//!    the instances that run the app, as under Flux, where an instance lists the app's release
//!    from its first promotion;
//! 2. the Namespace file of that folder, whose `metadata.name` is the instance's namespace,
//!    exactly as promotion named it (shortened for a long branch).
//!
//! Each generated Application is the environment's Helm Application with three values from the
//! generators (its name, its namespace, and the image file it reads last); everything else is
//! the same view, checked to hold no Go template delimiters, because the ApplicationSet
//! controller evaluates every string of the template, and of the second generator, as a Go
//! template. Removing the branch's instance (`promote --remove`) ends its Application, which
//! deletes the release when the environment prunes.

use serde::Serialize;
use serde_json::Value;

use crate::error::Error;
use crate::model::tree::{
    self, ARGOCD_INSTANCE_PARAMS, ARGOCD_NAMESPACE_PARAMS, GitopsTree, NAMESPACE_FILE,
};
use crate::render::gitops::argocd::ApplicationView;

#[derive(Serialize)]
struct SetView {
    name: String,
    wave: &'static str,
    repo_url: String,
    revision: String,
    instance_prefix: &'static str,
    /// Where the first generator finds the instances.
    instances: String,
    namespace_prefix: &'static str,
    /// The second generator's file, a Go template over the first's parameters.
    namespace_file: String,
}

/// The ApplicationSet's view: the instances' Application (the template) and the set's own
/// fields under `set`.
#[derive(Serialize)]
pub(super) struct InstancesView<'a> {
    #[serde(flatten)]
    application: ApplicationView<'a>,
    set: SetView,
}

/// The ApplicationSet of Helm app `app` in preview environment `env`, from `application`, the
/// Application the environment would get if it had one instance.
pub(super) fn application_set<'a>(
    mut application: ApplicationView<'a>,
    env: &str,
    app: &str,
    tree: &GitopsTree<'_>,
) -> Result<InstancesView<'a>, Error> {
    let view = serde_json::to_value(&application)
        .map_err(|e| Error::Internal(format!("Argo CD view: {e}")))?;
    literal_for_go(&view, &application.name)?;
    let instance = tree::argocd_instance_folder();
    let set = SetView {
        name: application.name.clone(),
        wave: "0",
        repo_url: application.repo_url.to_owned(),
        revision: application.revision.to_owned(),
        instance_prefix: ARGOCD_INSTANCE_PARAMS,
        instances: tree::helm_image_values(&tree.preview_instance(env, "*"), app),
        namespace_prefix: ARGOCD_NAMESPACE_PARAMS,
        namespace_file: format!("{instance}/{NAMESPACE_FILE}"),
    };
    application.name = format!(
        "{}-{{{{ .{ARGOCD_INSTANCE_PARAMS}.path.basename }}}}",
        application.name
    );
    application.namespace = Some("{{ .metadata.name }}");
    application.wave = None;
    // Promotion checks this last entry (`promote::helm`).
    if let Some(helm) = &mut application.helm {
        helm.read_last(format!(
            "$values/{}",
            tree::helm_image_values(&instance, app)
        ));
    }
    Ok(InstancesView { application, set })
}

/// Refuses a view in which any string holds `{{` or `}}`: the ApplicationSet controller would
/// run it as a Go template. Model values are names, paths and URLs, which never need them.
fn literal_for_go(view: &Value, object: &str) -> Result<(), Error> {
    match view {
        Value::String(text) if text.contains("{{") || text.contains("}}") => {
            Err(Error::Usage(format!(
                "refusing to render the ApplicationSet `{object}`: `{text}` holds `{{{{` or `}}}}`, \
                 which Argo CD would evaluate as a Go template; change the value in \
                 gitops-gen.yaml"
            )))
        }
        Value::Array(items) => items.iter().try_for_each(|v| literal_for_go(v, object)),
        Value::Object(fields) => fields.values().try_for_each(|v| literal_for_go(v, object)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_template_delimiters_in_a_value_are_refused() {
        let view = serde_json::json!({"helm": {"value_files": ["$values/a/{{ .x }}.yaml"]}});
        let refused = literal_for_go(&view, "shop-preview-helm-web");
        assert!(
            matches!(&refused, Err(Error::Usage(why)) if why.contains("Go template")),
            "{refused:?}"
        );
        let fine = serde_json::json!({"name": "web", "files": ["a/b.yaml"], "n": 1});
        assert!(literal_for_go(&fine, "x").is_ok());
    }
}
