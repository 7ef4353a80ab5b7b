//! `generate` is a function of the model: the same model gives the same bytes, twice, on
//! another thread (other hash seeds), and whatever order the model's keys are written in.

use std::path::Path;

use proptest::prelude::*;

use super::plan;
use crate::model::draft::props::model_draft;
use crate::model::draft::{Comments, ModelDraft, to_yaml};

/// Every file `generate` would write into the empty directory `root`: path and contents.
fn generated(root: &Path, model: &str) -> Result<Vec<(String, String)>, String> {
    let config = crate::model::parse("gitops-gen.yaml", model)
        .map_err(|e| format!("{:?}", miette::Report::new(e)))?;
    let plan = plan(root, &config, false).map_err(|e| e.to_string())?;
    Ok(plan
        .items
        .into_iter()
        .map(|item| (item.path, item.new.unwrap_or_default()))
        .collect())
}

/// `value` as JSON (which is YAML) with the keys of every object in an order `seed` picks.
fn shuffled_json(value: &serde_json::Value, seed: &mut u64) -> String {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            // Fisher-Yates with a small LCG: any order, reproducible from the seed.
            for i in (1..entries.len()).rev() {
                *seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                entries.swap(i, (*seed >> 33) as usize % (i + 1));
            }
            let fields: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| {
                    format!(
                        "{}: {}",
                        serde_json::Value::from(k.as_str()),
                        shuffled_json(v, seed)
                    )
                })
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
        serde_json::Value::Array(items) => {
            let items: Vec<String> = items.iter().map(|v| shuffled_json(v, seed)).collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    }
}

fn yaml(draft: &ModelDraft) -> Result<String, TestCaseError> {
    to_yaml(draft, &Comments::default()).map_err(|e| TestCaseError::fail(format!("{e:?}")))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn generate_is_a_function_of_the_model(draft in model_draft(false), seed in any::<u64>()) {
        let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let root = dir.path().to_path_buf();
        let model = yaml(&draft)?;
        let first = generated(&root, &model).map_err(TestCaseError::fail)?;
        prop_assert!(!first.is_empty());

        // Twice in a row.
        prop_assert_eq!(&generated(&root, &model).map_err(TestCaseError::fail)?, &first);

        // On a fresh thread: its hash maps start from other random keys.
        let (thread_root, thread_model) = (root.clone(), model.clone());
        let on_thread = std::thread::spawn(move || generated(&thread_root, &thread_model))
            .join()
            .map_err(|_| TestCaseError::fail("the render thread panicked"))?
            .map_err(TestCaseError::fail)?;
        prop_assert_eq!(&on_thread, &first);

        // With every mapping's keys in another order (as JSON, which is YAML).
        let value = serde_json::to_value(&draft).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut seed = seed;
        let reordered = shuffled_json(&value, &mut seed);
        prop_assert_eq!(&generated(&root, &reordered).map_err(TestCaseError::fail)?, &first, "{}", reordered);
    }
}
