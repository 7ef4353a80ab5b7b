//! Several environments on one cluster ([`crate::model::sharing`]): what the model must hold for
//! them to share it.

use crate::model::decode::Decoder;
use crate::model::sharing::earlier_on;
use crate::model::types::{Environment, Operator};

/// The longest Kubernetes label value: Flux labels what it applies with the Kustomization's name.
const LABEL_VALUE_MAX: usize = 63;

impl Decoder<'_> {
    /// An environment shares all of its clusters with earlier environments or none of them, in
    /// a namespace of its own there; with Flux, its `<env>-infrastructure` Kustomization name
    /// fits a label value.
    pub(super) fn shared_clusters(&mut self, envs: &[Environment], operator: Operator) {
        for (index, env) in envs.iter().enumerate() {
            // A second environment of the same name is reported as that.
            if envs[..index].iter().any(|e| e.name.value == env.name.value) {
                continue;
            }
            let shared: Vec<(&String, &Environment)> = env
                .clusters
                .iter()
                .filter_map(|c| earlier_on(envs, index, c).map(|first| (c, first)))
                .collect();
            let Some(&(cluster, first)) = shared.first() else {
                continue;
            };
            if let Some(alone) = env
                .clusters
                .iter()
                .find(|c| earlier_on(envs, index, c).is_none())
            {
                self.problems.push_related(
                    env.name.span,
                    format!(
                        "environment `{}` shares cluster `{cluster}` with `{}` but runs alone on \
                         `{alone}`",
                        env.name.value, first.name.value
                    ),
                    "some clusters shared, some not",
                    Some(
                        "on a shared cluster the first environment applies the shared \
                         infrastructure base, so a later one's overlay leaves it out, for all \
                         its clusters at once; give this environment only clusters an earlier \
                         one runs on, or only clusters of its own"
                            .to_owned(),
                    ),
                    (first.name.span, "runs there first"),
                );
            }
            let mut reported: Vec<&str> = Vec::new();
            for &(cluster, _) in &shared {
                let same = envs[..index].iter().find(|other| {
                    other.clusters.contains(cluster) && other.namespace == env.namespace
                });
                if let Some(other) = same
                    && !reported.contains(&other.name.value.as_str())
                {
                    reported.push(&other.name.value);
                    self.problems.push_related(
                        env.name.span,
                        format!(
                            "environments `{}` and `{}` both deploy to namespace `{}` on cluster \
                             `{cluster}`",
                            other.name.value, env.name.value, env.namespace
                        ),
                        "same namespace",
                        Some(
                            "environments on one cluster each need a namespace of their own; set \
                             `namespace:` on one of them (the default is the project name)"
                                .to_owned(),
                        ),
                        (other.name.span, "also there"),
                    );
                }
            }
            let name = format!("{}-infrastructure", env.name.value);
            if operator == Operator::Flux && name.len() > LABEL_VALUE_MAX {
                self.problem_help(
                    env.name.span,
                    format!(
                        "environment name `{}` is too long to share cluster `{cluster}`",
                        env.name.value
                    ),
                    "too long for a shared cluster",
                    format!(
                        "its Flux Kustomization there is `{name}`, and Flux labels what it \
                         applies with that name, which may have at most {LABEL_VALUE_MAX} \
                         characters; shorten the environment's name"
                    ),
                );
            }
        }
    }
}
