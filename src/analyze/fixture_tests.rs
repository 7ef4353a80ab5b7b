//! `analyze` against the annotated fixture repositories in tests/fixtures/analyze: one compact
//! snapshot per fixture (kept in tests/snapshots), accuracy against the hand-written `expected.yaml` files, and no panic
//! on truncated or corrupted inputs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::analyze::document::{Analysis, Position};
use crate::files::repo::MemRepo;
use crate::yaml::{self, Node};

/// Where the snapshots live: next to the other snapshot tests, outside `src/`.
fn snapshots() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

/// Every fixture directory with its name (`01-gha-kubectl-per-env`), in name order.
fn fixtures() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/analyze");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("fixtures directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.into_iter()
        .map(|dir| {
            let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
            (name.unwrap_or_default(), dir)
        })
        .collect()
}

/// The fixture's files, minus the expectations, as an in-memory repository.
fn load(dir: &Path) -> MemRepo {
    let mut files = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)
            .expect("read dir")
            .filter_map(Result::ok)
        {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(dir)
                .expect("inside")
                .to_string_lossy()
                .replace('\\', "/");
            if rel == "expected.yaml" || rel == "README.md" {
                continue;
            }
            if let Ok(text) = std::fs::read_to_string(&path) {
                files.insert(rel, text);
            }
        }
    }
    MemRepo(files)
}

fn run(repo: &MemRepo) -> Analysis {
    crate::analyze::analyze(&repo.paths(), repo)
}

/// A short, stable view of an analysis for snapshots.
fn compact(a: &Analysis) -> String {
    let mut out = String::new();
    for p in &a.pipelines {
        out.push_str(&format!(
            "pipeline {} [{}] jobs={}\n",
            p.file,
            p.system.id(),
            p.jobs.len()
        ));
    }
    for d in &a.deploy_steps {
        out.push_str(&format!(
            "deploy {}:{}:{} {} {} jobs={} env={} migratable={} [{} {:?}]\n",
            d.at.file,
            d.at.line,
            d.at.column,
            d.tool,
            d.operation,
            d.jobs.join(","),
            d.environment.as_deref().unwrap_or("-"),
            d.migratable,
            d.rule,
            d.confidence
        ));
    }
    for e in &a.environments {
        let triggers: Vec<String> = e
            .triggers
            .iter()
            .map(|t| {
                format!(
                    "{}{}",
                    t.kind.as_str(),
                    t.pattern
                        .as_deref()
                        .map(|p| format!(":{p}"))
                        .unwrap_or_default()
                )
            })
            .collect();
        out.push_str(&format!(
            "environment {} tier={:?} dynamic={} triggers=[{}] confidence={:?}\n",
            e.name,
            e.tier,
            e.dynamic,
            triggers.join(", "),
            e.confidence
        ));
    }
    let line = |what: &str, at: &Position, rest: String| {
        format!("{what} {}:{} {rest}\n", at.file, at.line)
    };
    for c in &a.credentials {
        out.push_str(&line("credential", &c.at, format!("{} {}", c.kind, c.name)));
    }
    for i in &a.images {
        let rest = format!("{} {:?} push={}", i.builder, i.images, i.pushes);
        out.push_str(&line("image", &i.at, rest));
    }
    for u in &a.unresolved {
        out.push_str(&line(
            "unresolved",
            &u.at,
            format!("{} {}", u.kind, u.reference),
        ));
    }
    for d in &a.diagnostics {
        out.push_str(&line("diagnostic", &d.at, d.code.to_owned()));
    }
    out
}

#[test]
fn every_fixture_matches_its_snapshot() {
    for (name, dir) in fixtures() {
        let analysis = run(&load(&dir));
        insta::with_settings!({ snapshot_path => snapshots(), snapshot_suffix => name.clone(), prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("analyze", compact(&analysis));
        });
    }
}

fn str_of<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    node.as_map()
        .and_then(|m| m.get(key))
        .and_then(Node::as_str)
}

fn text_of(node: &Node, key: &str) -> Option<String> {
    node.as_map()
        .and_then(|m| m.get(key))
        .and_then(Node::scalar_text)
}

fn seq<'a>(node: &'a Node, key: &str) -> &'a [Node] {
    node.as_map()
        .and_then(|m| m.get(key))
        .and_then(Node::as_seq)
        .unwrap_or(&[])
}

/// Environment names compared modulo tier abbreviations: a name that is only a tier word
/// (`prod`, `production`, `prd`) is compared by its tier. Other names compare as written.
fn canonical(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let tier = match lower.as_str() {
        "prod" | "production" | "prd" | "live" => "production",
        "stage" | "staging" | "stg" => "staging",
        "dev" | "development" => "development",
        "qa" | "test" | "testing" => "testing",
        _ => return name.to_owned(),
    };
    tier.to_owned()
}

#[derive(Default)]
struct Score {
    true_positive: usize,
    false_positive: usize,
    false_negative: usize,
}

impl Score {
    fn add<T: Ord + Clone + std::fmt::Debug>(
        &mut self,
        expected: &BTreeSet<T>,
        found: &BTreeSet<T>,
        what: &str,
        fixture: &str,
        report: &mut String,
    ) {
        self.true_positive += expected.intersection(found).count();
        for missing in expected.difference(found) {
            self.false_negative += 1;
            report.push_str(&format!("  {fixture}: missed {what} {missing:?}\n"));
        }
        for extra in found.difference(expected) {
            self.false_positive += 1;
            report.push_str(&format!("  {fixture}: extra {what} {extra:?}\n"));
        }
    }

    fn precision(&self) -> f64 {
        let found = self.true_positive + self.false_positive;
        if found == 0 {
            1.0
        } else {
            self.true_positive as f64 / found as f64
        }
    }

    fn recall(&self) -> f64 {
        let expected = self.true_positive + self.false_negative;
        if expected == 0 {
            1.0
        } else {
            self.true_positive as f64 / expected as f64
        }
    }
}

/// Precision and recall of deploy steps (by file and line) and of environment→trigger pairs
/// against the hand-written expectations. The numbers are printed for the release note; the
/// asserted floor only guards against regressions.
#[test]
fn accuracy_against_expectations() {
    let mut deploys = Score::default();
    let mut triggers = Score::default();
    let mut report = String::new();
    for (name, dir) in fixtures() {
        let expected_text =
            std::fs::read_to_string(dir.join("expected.yaml")).expect("expected.yaml");
        let docs = yaml::parse(&expected_text).expect("expected.yaml parses");
        let Some(expected) = docs.first() else {
            continue;
        };
        let analysis = run(&load(&dir));

        let want: BTreeSet<(String, usize)> = seq(expected, "deploy_steps")
            .iter()
            .filter_map(|d| {
                Some((
                    str_of(d, "file")?.to_owned(),
                    text_of(d, "line")?.parse().ok()?,
                ))
            })
            .collect();
        let got: BTreeSet<(String, usize)> = analysis
            .deploy_steps
            .iter()
            .map(|d| (d.at.file.to_string(), d.at.line))
            .collect();
        deploys.add(&want, &got, "deploy step", &name, &mut report);

        let want: BTreeSet<(String, String, String)> = seq(expected, "environments")
            .iter()
            .flat_map(|e| {
                let env = canonical(str_of(e, "name").unwrap_or_default());
                seq(e, "triggers")
                    .iter()
                    .map(|t| {
                        (
                            env.clone(),
                            text_of(t, "kind").unwrap_or_default(),
                            text_of(t, "pattern").unwrap_or_default(),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let got: BTreeSet<(String, String, String)> = analysis
            .environments
            .iter()
            .flat_map(|e| {
                e.triggers.iter().map(|t| {
                    (
                        canonical(&e.name),
                        t.kind.as_str().to_owned(),
                        t.pattern.clone().unwrap_or_default(),
                    )
                })
            })
            .collect();
        triggers.add(&want, &got, "environment trigger", &name, &mut report);
    }
    println!("{report}");
    println!(
        "deploy steps: precision {:.3} recall {:.3} (tp {}, fp {}, fn {})",
        deploys.precision(),
        deploys.recall(),
        deploys.true_positive,
        deploys.false_positive,
        deploys.false_negative
    );
    println!(
        "environment→trigger pairs: precision {:.3} recall {:.3} (tp {}, fp {}, fn {})",
        triggers.precision(),
        triggers.recall(),
        triggers.true_positive,
        triggers.false_positive,
        triggers.false_negative
    );
    assert!(
        deploys.precision() >= 0.80 && deploys.recall() >= 0.80,
        "deploy-step accuracy regressed:\n{report}"
    );
    assert!(
        triggers.precision() >= 0.60 && triggers.recall() >= 0.60,
        "trigger accuracy regressed:\n{report}"
    );
}

/// `analyze` hands each script unit of each job (a step, or a script or make target a step
/// calls) to the shell tokenizer exactly once: as many tokenizations as units.
#[test]
fn every_script_unit_is_tokenized_once() {
    use crate::infer::commands::{job_units, job_vars, tests::TOKENIZED};
    let tokenized = || TOKENIZED.with(|n| n.replace(0));
    for (name, dir) in fixtures() {
        let repo = load(&dir);
        let paths = repo.paths();
        tokenized();
        crate::analyze::analyze(&paths, &repo);
        let during_analysis = tokenized();
        let mut diagnostics = Vec::new();
        let mut units = 0;
        for p in crate::analyze::read_pipelines(&paths, &repo, &mut diagnostics) {
            for job in &p.jobs {
                units += job_units(
                    &repo,
                    job,
                    &job_vars(&p, job),
                    p.system.script_lines_share_a_shell(),
                    &mut crate::infer::commands::Limits::default(),
                )
                .len();
            }
        }
        assert_eq!(during_analysis, units, "{name}");
    }
}

/// `analyze` never panics: every fixture, every prefix of each of its files (in steps), and
/// byte-flipped variants.
#[test]
fn never_panics_on_truncated_or_corrupted_files() {
    for (_, dir) in fixtures() {
        let repo = load(&dir);
        let _ = run(&repo);
        for (path, text) in &repo.0 {
            let bytes = text.as_bytes();
            let step = (bytes.len() / 40).max(1);
            for cut in (0..bytes.len()).step_by(step) {
                let mut variant = repo.0.clone();
                variant.insert(
                    path.clone(),
                    String::from_utf8_lossy(&bytes[..cut]).into_owned(),
                );
                let _ = run(&MemRepo(variant));
            }
            for (i, flip) in [
                (bytes.len() / 3, b'['),
                (bytes.len() / 2, b'{'),
                (bytes.len() * 2 / 3, b'"'),
                (bytes.len() / 4, b'\''),
            ] {
                if i >= bytes.len() {
                    continue;
                }
                let mut changed = bytes.to_vec();
                changed[i] = flip;
                let mut variant = repo.0.clone();
                variant.insert(path.clone(), String::from_utf8_lossy(&changed).into_owned());
                let _ = run(&MemRepo(variant));
            }
        }
    }
}

/// A file recognised by its shape but not valid YAML is read and reported, not skipped.
#[test]
fn a_broken_pipeline_recognised_by_shape_is_reported() {
    let broken = "trigger:\n  - main\nstages:\n  - stage: A\n    jobs: [\n";
    let repo = crate::files::repo::MemRepo::from_pairs(&[("ops/cd.yml", broken)]);
    let mut diagnostics = Vec::new();
    let paths = vec!["ops/cd.yml".to_owned()];
    let read = crate::analyze::read_pipelines(&paths, &repo, &mut diagnostics);
    assert!(read.is_empty(), "{read:?}");
    assert!(
        diagnostics.iter().any(|d| &*d.loc.file == "ops/cd.yml"),
        "{diagnostics:?}"
    );
}

/// A pipeline's copy left behind is named in the diagnostics, not read and not skipped silently.
#[test]
fn a_copy_of_a_pipeline_is_reported_not_read() {
    let jenkinsfile =
        "pipeline { agent any\n stages { stage('d') { steps { sh 'kubectl apply -f k8s/' } } } }\n";
    let repo = crate::files::repo::MemRepo::from_pairs(&[
        ("Jenkinsfile", jenkinsfile),
        ("Jenkinsfile.orig", jenkinsfile),
    ]);
    let mut diagnostics = Vec::new();
    let paths = vec!["Jenkinsfile".to_owned(), "Jenkinsfile.orig".to_owned()];
    let read = crate::analyze::read_pipelines(&paths, &repo, &mut diagnostics);
    let files: Vec<&str> = read.iter().map(|p| &*p.file).collect();
    assert_eq!(files, ["Jenkinsfile"]);
    let copies: Vec<(&str, &str)> = diagnostics
        .iter()
        .map(|d| (&*d.loc.file, d.code.as_str()))
        .collect();
    assert_eq!(copies, [("Jenkinsfile.orig", "pipeline-copy")]);
}

/// A deploy in a child pipeline (`trigger: include:`) whose job a template defines lists the
/// child's file with the pipelines, as a local reusable workflow's caller and callee are: the
/// child pipeline holds the deploying job through its include (issue 9, holdout-15).
#[test]
fn a_child_pipeline_file_is_a_pipeline_of_its_deploys() {
    let repo = MemRepo::from_pairs(&[
        (
            ".gitlab-ci.yml",
            "api:\n  trigger:\n    include: api/.gitlab-ci.yml\n    strategy: depend\n",
        ),
        ("api/.gitlab-ci.yml", "include:\n  - local: ci/deploy.yml\n"),
        (
            "ci/deploy.yml",
            "deploy-prod:\n  script:\n    - helm upgrade -i app ./chart -n prod\n",
        ),
    ]);
    let analysis = run(&repo);
    let pipelines: Vec<Vec<&str>> = analysis
        .deploy_steps
        .iter()
        .map(|d| d.pipelines.iter().map(String::as_str).collect())
        .collect();
    assert_eq!(pipelines, [[".gitlab-ci.yml", "api/.gitlab-ci.yml"]]);
}
