//! MODEL stage: the JSON Schema of `gitops-gen.yaml`, printed by `gitops-gen schema` so
//! editors (yaml-language-server) can validate and complete the model.
//!
//! The schema is generated with `schemars` from [`crate::model::draft::ModelDraft`]; the
//! generated text is shipped as `schema/gitops-gen.schema.json` so editors and docs can link it,
//! and a test fails when the file and the types drift apart (run the test with
//! `GITOPS_GEN_WRITE_SCHEMA=1` to rewrite the file).

/// The schema text, kept as a file so it can be linked from editors and docs directly.
pub(crate) const MODEL_SCHEMA: &str = include_str!("../../../schema/gitops-gen.schema.json");

#[cfg(test)]
mod tests;
