//! MODEL stage: the JSON Schema of `gitops-gen.yaml`, printed by `gitops-gen schema` so
//! editors (yaml-language-server) can validate and complete the model.

/// The schema text, kept as a file so it can be linked from editors and docs directly.
pub(crate) const MODEL_SCHEMA: &str = include_str!("../../schema/gitops-gen.schema.json");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::decode::*;

    fn keys(value: &serde_json::Value) -> Vec<String> {
        let mut keys: Vec<String> = value
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        keys.sort();
        keys
    }

    fn sorted(list: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = list.iter().map(|s| (*s).to_owned()).collect();
        v.sort();
        v
    }

    /// The decoder and the schema must accept exactly the same keys, or editors lie to users.
    #[test]
    fn schema_and_decoder_agree_on_keys() -> Result<(), serde_json::Error> {
        let schema: serde_json::Value = serde_json::from_str(MODEL_SCHEMA)?;
        let props = &schema["properties"];
        assert_eq!(keys(props), sorted(TOP_KEYS));
        assert_eq!(keys(&props["gitops"]["properties"]), sorted(GITOPS_KEYS));
        assert_eq!(keys(&props["tool"]["properties"]), sorted(TOOL_KEYS));
        assert_eq!(keys(&props["gitlab"]["properties"]), sorted(GITLAB_KEYS));
        let env = &props["environments"]["items"]["properties"];
        assert_eq!(keys(env), sorted(ENV_KEYS));
        let app = &props["apps"]["items"]["properties"];
        assert_eq!(keys(app), sorted(APP_KEYS));
        assert_eq!(keys(&app["deploy"]["properties"]), sorted(DEPLOY_KEYS));
        Ok(())
    }
}
