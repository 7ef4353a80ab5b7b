//! Several environments on one cluster. Environments are in promotion order, and on each cluster
//! the first environment that runs there is its *first*: it applies the shared infrastructure
//! base there, and its operator objects keep their plain names (Flux's `infrastructure` and
//! `apps`), so adding a later environment to a cluster renames nothing that runs. A later
//! environment on that cluster applies only its own overlays, under names that carry its own.
//!
//! An environment either shares every one of its clusters with earlier environments, or none:
//! its infrastructure overlay lists the base or does not, for all its clusters at once. The
//! decoder refuses the mixed case.

use crate::model::Environment;

/// The environment before `envs[index]` that also runs on `cluster`, if any.
pub(crate) fn earlier_on<'a>(
    envs: &'a [Environment],
    index: usize,
    cluster: &str,
) -> Option<&'a Environment> {
    envs[..index]
        .iter()
        .find(|env| env.clusters.iter().any(|c| c == cluster))
}

/// Whether `envs[index]` applies the shared infrastructure base: no earlier environment runs on
/// its clusters.
pub(crate) fn applies_base(envs: &[Environment], index: usize) -> bool {
    envs[index]
        .clusters
        .iter()
        .any(|cluster| earlier_on(envs, index, cluster).is_none())
}

/// The name of an operator object of `envs[index]` on `cluster` for `layer` (`infrastructure`,
/// `apps`): the layer itself for the cluster's first environment, `<env>-<layer>` for a later
/// one.
pub(crate) fn object_name(
    envs: &[Environment],
    index: usize,
    cluster: &str,
    layer: &str,
) -> String {
    match earlier_on(envs, index, cluster) {
        None => layer.to_owned(),
        Some(_) => format!("{}-{layer}", envs[index].name.value),
    }
}
