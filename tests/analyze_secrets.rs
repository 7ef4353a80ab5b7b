//! `gitops-gen analyze` never prints a secret value: the corpus in tests/fixtures/secrets plants
//! literal secrets where real pipelines of the seven CI systems put them (flags, `key=value`
//! words, URL userinfo, environment and variables blocks, action and pipe inputs, heredocs, the
//! lines next to a finding), lists them in `planted.txt`, and every format is checked for every
//! value through the binary. Variable references and credential names stay visible.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The seven fixture repositories, one per CI system.
const SYSTEMS: &[&str] = &[
    "github",
    "gitlab",
    "jenkins",
    "circleci",
    "azure",
    "bitbucket",
    "travis",
];

/// The output formats: (name, `--color`, `--format`).
const FORMATS: &[(&str, &str, &str)] = &[
    ("text", "never", "text"),
    ("text in colour", "always", "text"),
    ("json", "never", "json"),
    ("markdown", "never", "markdown"),
    ("sarif", "never", "sarif"),
];

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/secrets")
}

/// One planted value: the literal, its system and where it is written.
struct Planted {
    value: String,
    system: String,
    place: String,
}

fn planted(list: &Path) -> Vec<Planted> {
    std::fs::read_to_string(list)
        .expect("planted list")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut cols = l.split('\t');
            let mut next = || cols.next().unwrap_or_default().to_owned();
            Planted {
                value: next(),
                system: next(),
                place: next(),
            }
        })
        .collect()
}

fn analyze(dir: &Path, color: &str, format: &str) -> String {
    let out = Command::cargo_bin("gitops-gen")
        .expect("binary is built")
        .args(["--color", color, "analyze"])
        .arg(dir)
        .args(["--format", format])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).expect("utf-8 output")
}

/// Every file of a fixture, with its text.
fn fixture_files(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                out.push((path, text));
            }
        }
    }
    out
}

#[test]
fn the_planted_list_matches_the_fixtures() {
    let values = planted(&corpus().join("planted.txt"));
    assert!(values.len() >= 50, "{} values", values.len());
    for system in SYSTEMS {
        let files = fixture_files(&corpus().join(system));
        let mine: Vec<&Planted> = values.iter().filter(|p| p.system == *system).collect();
        assert!(mine.len() >= 5, "{system}: {} values", mine.len());
        for p in &mine {
            assert!(
                p.value.contains("PLANTED"),
                "{}: every value is recognisable",
                p.value
            );
            assert!(
                files.iter().any(|(_, text)| text.contains(&p.value)),
                "{system}: `{}` ({}) is not in the fixture",
                p.value,
                p.place
            );
        }
        // Every planted literal in the files is listed.
        for (path, text) in &files {
            let rest = mine
                .iter()
                .fold(text.clone(), |t, p| t.replace(&p.value, ""));
            assert!(
                !rest.contains("PLANTED"),
                "{}: a planted value is not in planted.txt",
                path.display()
            );
        }
    }
}

#[test]
fn no_format_prints_a_planted_secret() {
    let values = planted(&corpus().join("planted.txt"));
    let mut leaks = Vec::new();
    let mut checked = 0;
    for system in SYSTEMS {
        let dir = corpus().join(system);
        for (name, color, format) in FORMATS {
            let out = analyze(&dir, color, format);
            for p in &values {
                checked += 1;
                let n = out.matches(p.value.as_str()).count();
                if n > 0 {
                    leaks.push(format!(
                        "{system} {name}: {n} × `{}` ({} in {})",
                        p.value, p.place, p.system
                    ));
                }
            }
            // A partly masked value is a leak too.
            let partial = out.matches("PLANTED").count();
            if partial > 0 {
                leaks.push(format!("{system} {name}: {partial} × `PLANTED`"));
            }
        }
    }
    assert_eq!(checked, values.len() * SYSTEMS.len() * FORMATS.len());
    assert!(
        leaks.is_empty(),
        "{} leak(s):\n{}",
        leaks.len(),
        leaks.join("\n")
    );
}

#[test]
fn the_findings_are_still_reported() {
    for system in SYSTEMS {
        let dir = corpus().join(system);
        let json: serde_json::Value =
            serde_json::from_str(&analyze(&dir, "never", "json")).expect("json");
        let steps = json["deploy_steps"].as_array().map_or(0, Vec::len);
        assert!(steps > 0, "{system}: no deploy step");
        let text = analyze(&dir, "never", "text");
        assert!(text.contains("deploy steps:"), "{system}:\n{text}");
    }
}

/// References and names are not values: (system, format, text that must be printed).
const VISIBLE: &[(&str, &str, &str)] = &[
    ("github", "text", "kubectl --token \"$KUBE_TOKEN\" --server"),
    ("github", "json", "\"name\": \"KUBECONFIG_DATA\""),
    ("github", "json", "\"name\": \"KUBE_TOKEN\""),
    ("gitlab", "text", "image.tag=$CI_COMMIT_SHA"),
    ("gitlab", "json", "\"name\": \"KUBE_CONFIG_B64\""),
    ("gitlab", "json", "\"postgresql.auth.postgresPassword\""),
    ("gitlab", "json", "\"source\": \"helm_values\""),
    (
        "gitlab",
        "markdown",
        "plaintext passwords of `chart/values.yaml:6`",
    ),
    ("jenkins", "text", "kubectl --token=$TOKEN apply -f k8s/"),
    ("jenkins", "json", "\"name\": \"TOKEN\""),
    ("circleci", "text", "echo \"$KUBE_CONFIG_B64\" | base64 -d"),
    (
        "azure",
        "text",
        "kubectl apply -f manifests/ --token \"$(aksToken)\"",
    ),
    ("azure", "text", "--client-id $(appId)"),
    ("bitbucket", "json", "\"name\": \"KUBE_TOKEN\""),
    (
        "travis",
        "text",
        "--kubeconfig \"$HOME/kubeconfig\" --token \"$KUBE_TOKEN\"",
    ),
];

#[test]
fn references_and_names_stay_visible() {
    for (system, format, want) in VISIBLE {
        let out = analyze(&corpus().join(system), "never", format);
        assert!(
            out.contains(want),
            "{system} {format}: `{want}` is missing:\n{out}"
        );
    }
    for system in SYSTEMS {
        let json: serde_json::Value =
            serde_json::from_str(&analyze(&corpus().join(system), "never", "json")).expect("json");
        for c in json["credentials"].as_array().into_iter().flatten() {
            let name = c["name"].as_str().unwrap_or_default();
            assert!(!name.is_empty() && !name.contains("***"), "{system}: {c}");
        }
    }
}

/// A remote include's URL reached `unresolved[].reference` unredacted (failed before the
/// reference was masked where analyze/assemble.rs copies it into the document).
#[test]
fn unresolved_references_do_not_print_a_planted_secret() {
    let dir = corpus().join("unresolved");
    let values = planted(&dir.join("planted.txt"));
    for (name, color, format) in FORMATS {
        let out = analyze(&dir.join("gitlab"), color, format);
        for p in &values {
            assert!(!out.contains(&p.value), "{name}: {}\n{out}", p.place);
        }
    }
}
