//! RENDER stage: the default policy set, seeded once into `policy/` beside the tree (conftest's
//! `package main`, one file per concern) when `policy.enabled`; from then on the files are the
//! team's, and `gitops-gen policy check` evaluates whatever the folder holds.

use crate::error::Error;
use crate::model::Config;
use crate::model::tree::{GitopsTree, POLICY_FILES};
use crate::render::output::Outputs;

/// Seeds the default policies unless the model turns them off.
pub(crate) fn render(config: &Config, out: &mut Outputs) -> Result<(), Error> {
    if !config.policy.enabled {
        return Ok(());
    }
    let folder = GitopsTree::of(config).policy_dir();
    for name in POLICY_FILES {
        out.seeded(
            &format!("policy/{name}.rego.j2"),
            format!("{folder}/{name}.rego"),
            &(),
            "# `gitops-gen policy check` evaluates every .rego file of this folder; so does\n\
             # `conftest test -p policy`.\n"
                .to_owned(),
        )?;
    }
    Ok(())
}
