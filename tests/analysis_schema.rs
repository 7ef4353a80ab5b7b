//! MODEL stage: the `analyze --format json` document against schema/analysis.schema.json, on
//! every fixture repository, through the real binary; and `gitops-gen schema analysis` prints
//! that very file.
//!
//! The validator is a small one written here (no new dependency): it supports exactly the
//! keywords the schema uses and fails on any other, so the schema cannot silently grow a
//! keyword this test would ignore.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{Map, Value};

const SCHEMA_FILE: &str = include_str!("../schema/analysis.schema.json");

/// Keywords the validator checks.
const ASSERTIONS: &[&str] = &[
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "$ref",
    "minimum",
];
/// Keywords that only annotate.
const ANNOTATIONS: &[&str] = &["$schema", "$id", "$defs", "title", "description"];

fn schema() -> Value {
    serde_json::from_str(SCHEMA_FILE).expect("schema/analysis.schema.json is JSON")
}

fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/analyze");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("fixtures directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Collects into `errors` every way `value` (at JSON pointer `at`) breaks `schema`.
fn validate(root: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    let Some(schema) = schema.as_object() else {
        errors.push(format!("{at}: schema is not an object"));
        return;
    };
    for keyword in schema.keys() {
        if !ASSERTIONS.contains(&keyword.as_str()) && !ANNOTATIONS.contains(&keyword.as_str()) {
            errors.push(format!("{at}: unsupported keyword `{keyword}`"));
        }
    }
    if let Some(reference) = schema.get("$ref") {
        match reference.as_str().and_then(|r| resolve(root, r)) {
            Some(target) => validate(root, target, value, at, errors),
            None => errors.push(format!("{at}: unresolvable $ref {reference}")),
        }
    }
    if let Some(types) = schema.get("type") {
        let allowed: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !allowed.iter().any(|t| has_type(value, t)) {
            errors.push(format!("{at}: {value} is not of type {types}"));
        }
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        errors.push(format!("{at}: {value} is not one of {options:?}"));
    }
    if let Some(expected) = schema.get("const")
        && expected != value
    {
        errors.push(format!("{at}: {value} is not {expected}"));
    }
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
        && let Some(n) = value.as_f64()
        && n < min
    {
        errors.push(format!("{at}: {n} is below the minimum {min}"));
    }
    if let Value::Object(object) = value {
        validate_object(root, schema, object, at, errors);
    }
    if let (Some(items), Value::Array(elements)) = (schema.get("items"), value) {
        for (i, element) in elements.iter().enumerate() {
            validate(root, items, element, &format!("{at}/{i}"), errors);
        }
    }
}

fn validate_object(
    root: &Value,
    schema: &Map<String, Value>,
    object: &Map<String, Value>,
    at: &str,
    errors: &mut Vec<String>,
) {
    for name in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !object.contains_key(name) {
            errors.push(format!("{at}: missing required `{name}`"));
        }
    }
    let properties = schema.get("properties").and_then(Value::as_object);
    for (name, field) in object {
        let pointer = format!("{at}/{name}");
        match properties.and_then(|p| p.get(name)) {
            Some(sub) => validate(root, sub, field, &pointer, errors),
            None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                errors.push(format!("{pointer}: not allowed by the schema"));
            }
            None => {}
        }
    }
}

/// Follows a `#/$defs/<name>` reference.
fn resolve<'s>(root: &'s Value, reference: &str) -> Option<&'s Value> {
    let name = reference.strip_prefix("#/$defs/")?;
    root.get("$defs")?.get(name)
}

fn has_type(value: &Value, ty: &str) -> bool {
    match ty {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        _ => false,
    }
}

fn errors_of(value: &Value) -> Vec<String> {
    let root = schema();
    let mut errors = Vec::new();
    validate(&root, &root, value, "", &mut errors);
    errors
}

fn analyze_json(dir: &Path) -> Value {
    let out = Command::cargo_bin("gitops-gen")
        .expect("binary built")
        .arg("analyze")
        .arg(dir)
        .args(["--format", "json"])
        .output()
        .expect("gitops-gen runs");
    assert!(
        out.status.success(),
        "analyze {} exited with {:?}: {}",
        dir.display(),
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("analyze {} printed no JSON: {e}", dir.display()))
}

#[test]
fn every_fixture_matches_the_schema() {
    let dirs = fixtures();
    assert!(!dirs.is_empty(), "no fixtures found");
    let mut failures = Vec::new();
    for dir in &dirs {
        let doc = analyze_json(dir);
        for error in errors_of(&doc) {
            failures.push(format!("{}: {error}", dir.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn schema_subcommand_prints_the_file() {
    let out = Command::cargo_bin("gitops-gen")
        .expect("binary built")
        .args(["schema", "analysis"])
        .output()
        .expect("gitops-gen runs");
    assert!(out.status.success());
    let printed = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(printed.trim_end(), SCHEMA_FILE.trim_end());
    let parsed: Value = serde_json::from_str(&printed).expect("printed schema is JSON");
    assert_eq!(
        parsed["$id"],
        "https://raw.githubusercontent.com/gitops-gen/gitops-gen/main/schema/analysis.schema.json"
    );
    assert_eq!(parsed["properties"]["version"]["const"], 1);
}

/// Every object schema is closed, requires every property it lists (optional fields are
/// serialized as `null`, never left out), and every property is described.
#[test]
fn schema_objects_are_closed_and_described() {
    fn walk(schema: &Value, at: &str, problems: &mut Vec<String>) {
        let Some(map) = schema.as_object() else {
            return;
        };
        if let Some(properties) = map.get("properties").and_then(Value::as_object) {
            if map.get("type") != Some(&Value::from("object")) {
                problems.push(format!("{at}: properties without `type: object`"));
            }
            if map.get("additionalProperties") != Some(&Value::Bool(false)) {
                problems.push(format!("{at}: not closed"));
            }
            let mut required: Vec<&str> = map
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let mut listed: Vec<&str> = properties.keys().map(String::as_str).collect();
            required.sort_unstable();
            listed.sort_unstable();
            if required != listed {
                problems.push(format!(
                    "{at}: required {required:?} != properties {listed:?}"
                ));
            }
            for (name, property) in properties {
                if property
                    .get("description")
                    .and_then(Value::as_str)
                    .is_none()
                {
                    problems.push(format!("{at}/properties/{name}: no description"));
                }
            }
        }
        for (key, sub) in map {
            match sub {
                Value::Object(_) => walk(sub, &format!("{at}/{key}"), problems),
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        walk(item, &format!("{at}/{key}/{i}"), problems);
                    }
                }
                _ => {}
            }
        }
    }
    let mut problems = Vec::new();
    walk(&schema(), "", &mut problems);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The validator itself rejects what it should, so a passing fixture run means something.
#[test]
fn validator_rejects_broken_documents() {
    let dir = fixtures()
        .into_iter()
        .find(|d| d.ends_with("47-plaintext-secret"))
        .expect("fixture 47-plaintext-secret");
    let good = analyze_json(&dir);
    assert!(errors_of(&good).is_empty());
    type Break = fn(&mut Value);
    let breaks: [(&str, Break); 9] = [
        ("version 2", |d| d["version"] = Value::from(2)),
        ("missing summary", |d| {
            d.as_object_mut().map(|o| o.remove("summary"));
        }),
        ("extra top-level field", |d| d["extra"] = Value::Null),
        ("unknown system", |d| {
            d["pipelines"][0]["system"] = Value::from("drone");
        }),
        ("line 0", |d| d["deploy_steps"][0]["line"] = Value::from(0)),
        ("string count", |d| d["summary"]["jobs"] = Value::from("1")),
        ("null where a string is required", |d| {
            d["deploy_steps"][0]["tool"] = Value::Null;
        }),
        ("extra nested field", |d| {
            d["layout"]["plaintext_secrets"][0]["value"] = Value::from("hunter2");
        }),
        ("fractional column", |d| {
            d["credentials"][0]["column"] = Value::from(1.5);
        }),
    ];
    for (what, break_it) in breaks {
        let mut doc = good.clone();
        break_it(&mut doc);
        assert!(!errors_of(&doc).is_empty(), "{what} was accepted");
    }
}
