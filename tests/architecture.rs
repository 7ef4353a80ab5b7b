//! The layout docs/architecture.md describes, checked on the source tree: each stage folder
//! depends only on earlier stages and on the shared foundations (no module cycle), and no file
//! holds more than 600 lines of non-test code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level modules in stage order, with the modules each may use. `error` maps every stage's
/// failure to an exit code, so every stage may name it; it names only the model's diagnostic.
const ALLOWED: &[(&str, &[&str])] = &[
    ("files", &[]),
    ("yaml", &["files"]),
    ("model", &["files", "yaml"]),
    ("read", &["files", "yaml"]),
    ("scan", &["files", "yaml"]),
    ("infer", &["files", "yaml", "read"]),
    ("analyze", &["files", "yaml", "read", "scan", "infer"]),
    ("sources", &["files", "yaml", "model", "error"]),
    (
        "migrate",
        &[
            "files", "yaml", "model", "read", "scan", "infer", "analyze", "sources", "error",
        ],
    ),
    ("render", &["files", "yaml", "model", "sources", "error"]),
    ("write", &["files", "yaml", "render", "error"]),
    ("promote", &["files", "yaml", "model", "sources", "error"]),
    ("error", &["files", "model"]),
    ("seal", &["files", "yaml"]),
    ("policy", &["files", "yaml"]),
    (
        "fuzz",
        &[
            "files", "yaml", "model", "read", "scan", "infer", "analyze", "sources", "migrate",
            "render", "write", "promote", "error", "seal", "policy",
        ],
    ),
    (
        "cli",
        &[
            "files", "yaml", "model", "read", "scan", "infer", "analyze", "sources", "migrate",
            "render", "write", "promote", "error", "seal", "policy",
        ],
    ),
];

const MAX_NON_TEST_LINES: usize = 600;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read src")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/read/github/jobs.rs` → `read`).
fn top_module(path: &Path) -> Option<String> {
    let rel = path.strip_prefix(src()).ok()?;
    let first = rel.components().next()?.as_os_str().to_string_lossy();
    let name = first.trim_end_matches(".rs").to_owned();
    (name != "lib" && name != "main").then_some(name)
}

/// Every top-level module a file names through `crate::`, including `use crate::{a::x, b}`.
fn crate_refs(text: &str) -> BTreeSet<String> {
    let mut refs = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                refs.insert(name);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            refs.insert(name);
        }
    }
    refs.retain(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
    refs
}

/// How many lines of the file are not in `#[cfg(test)]` items.
fn non_test_lines(text: &str) -> usize {
    non_test_code(text).len()
}

/// The file's lines without its `#[cfg(test)]` items (test modules and test-only helpers).
fn non_test_code(text: &str) -> Vec<&str> {
    let lines: Vec<&str> = text.lines().collect();
    let mut code = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() == "#[cfg(test)]" {
            // Skip the attributed item: a one-line item, or a braced block.
            let mut depth = 0i64;
            let mut opened = false;
            i += 1;
            while i < lines.len() {
                let line = lines[i];
                depth += line.matches('{').count() as i64 - line.matches('}').count() as i64;
                opened |= line.contains('{');
                i += 1;
                if (opened && depth <= 0) || (!opened && line.trim_end().ends_with(';')) {
                    break;
                }
            }
            continue;
        }
        code.push(lines[i]);
        i += 1;
    }
    code
}

#[test]
fn stages_depend_only_on_earlier_stages_and_foundations() {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut wrong = Vec::new();
    for path in &files {
        let Some(module) = top_module(path) else {
            continue;
        };
        let Some(may_use) = allowed.get(module.as_str()) else {
            wrong.push(format!(
                "{}: top-level module `{module}` is not in the layout",
                path.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(path).expect("read source");
        for used in crate_refs(&text) {
            if used != module
                && allowed.contains_key(used.as_str())
                && !may_use.contains(&used.as_str())
            {
                wrong.push(format!("{}: `{module}` uses `{used}`", path.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "arrows that run backwards:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_file_has_more_than_600_lines_of_non_test_code() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let long: Vec<String> = files
        .iter()
        .filter(|p| p.file_name().is_some_and(|n| n != "tests.rs"))
        .filter_map(|p| {
            let text = std::fs::read_to_string(p).expect("read source");
            let n = non_test_lines(&text);
            (n > MAX_NON_TEST_LINES).then(|| format!("{}: {n}", p.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "files over {MAX_NON_TEST_LINES} lines of non-test code:\n{}",
        long.join("\n")
    );
}

/// Where rendering's code lives: what `generate` renders is a function of the model and of the
/// questions these files ask of the checkout, which `generate --check` asks again instead of
/// rendering (src/files/inputs.rs). A question asked any other way would go unrecorded.
const RENDERING: [&str; 4] = [
    "render",
    "sources",
    "model",
    "cli/commands/generate/replicas.rs",
];

/// Ways of reaching the file system other than `files::inputs`.
const FILE_SYSTEM: [&str; 9] = [
    "fs::",
    ".is_file()",
    ".is_dir()",
    ".exists()",
    "read_dir",
    "metadata(",
    "canonicalize",
    "File::open",
    "safe_read::read",
];

#[test]
fn rendering_asks_the_checkout_only_through_files_inputs() {
    let mut files = Vec::new();
    for part in RENDERING {
        let path = src().join(part);
        if path.is_dir() {
            rust_files(&path, &mut files);
        } else {
            files.push(path);
        }
    }
    assert!(
        files.len() > 20,
        "the list of rendering's files is out of date"
    );
    let mut found = Vec::new();
    for path in files.iter().filter(|p| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        name != "tests.rs"
            && name != "props.rs"
            && !p.components().any(|c| c.as_os_str() == "tests")
    }) {
        let text = std::fs::read_to_string(path).expect("read source");
        for line in non_test_code(&text) {
            let code = line.split("//").next().unwrap_or("");
            if let Some(way) = FILE_SYSTEM.iter().find(|w| code.contains(*w)) {
                found.push(format!("{}: `{way}` in {}", path.display(), line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "rendering reaches the file system behind files::inputs:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_checks_see_what_they_check() {
    let refs = crate_refs(
        "use crate::read::{Pipeline};\nuse crate::{files::Loc, yaml};\nx(crate::infer::y)",
    );
    assert_eq!(
        refs.into_iter().collect::<Vec<_>>(),
        ["files", "infer", "read", "yaml"]
    );
    assert_eq!(
        non_test_lines("fn a() {}\n#[cfg(test)]\nmod tests {\n    fn b() {}\n}\nfn c() {}\n"),
        2
    );
}
