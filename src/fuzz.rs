//! Entry points for the fuzz targets in `fuzz/`, compiled only with `--features fuzzing`.
//!
//! Each function takes the raw bytes of one target, runs one stage on them the way a command
//! would, and panics only when something the rest of the program relies on does not hold: a
//! span outside its text or inside a character, a written scalar that reads back as another
//! string. Every other outcome, error or not, is a pass: the point is that hostile input never
//! panics, never overflows the stack and never makes the work run away. Input that is not UTF-8
//! is skipped, as the repository readers skip such files.
//!
//! The reader targets take a small multi-file format so that one input can hold a pipeline and
//! the files it includes: the text up to the first line that starts with `%%% ` is the
//! pipeline; each such line names the repository file whose text follows it. The whole
//! repository is then analysed and every report format rendered, as `analyze` would.

use std::collections::BTreeMap;

use crate::files::repo::MemRepo;
use crate::files::{RepoFiles, Span};
use crate::yaml::{self, Node, Value};

/// Starts a further file in a reader target's input; the rest of its line is the file's path.
pub const FILE_SEPARATOR: &str = "\n%%% ";

/// The YAML layer: parse with the default limits; spans stay inside the text and on character
/// boundaries; every string scalar, written back as a scalar, reads back unchanged; parsing only
/// some top-level entries (`yaml::skim`) gives the whole parse's nodes for them.
pub fn yaml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    yaml::skim::check_against_full_parse(text, &|key| key.len() % 2 == 0, &["kind", "a"]);
    match yaml::parse_with(text, &yaml::Limits::default()) {
        Ok(parsed) => {
            for warning in &parsed.warnings {
                check_span(text, warning.span, "warning");
            }
            for doc in &parsed.documents {
                check_tree(text, doc);
            }
        }
        Err(err) => check_span(text, err.span, "error"),
    }
}

/// GitHub Actions: the input is `.github/workflows/ci.yml` (and the files after it).
pub fn read_github(data: &[u8]) {
    analyze_repo(".github/workflows/ci.yml", data);
}

/// GitLab CI: the input is `.gitlab-ci.yml` (and the files after it).
pub fn read_gitlab(data: &[u8]) {
    analyze_repo(".gitlab-ci.yml", data);
}

/// Jenkins: the input is `Jenkinsfile` (and the files after it).
pub fn read_jenkins(data: &[u8]) {
    analyze_repo("Jenkinsfile", data);
}

/// CircleCI: the input is `.circleci/config.yml` (and the files after it).
pub fn read_circleci(data: &[u8]) {
    analyze_repo(".circleci/config.yml", data);
}

/// Azure Pipelines: the input is `azure-pipelines.yml` (and the files after it).
pub fn read_azure(data: &[u8]) {
    analyze_repo("azure-pipelines.yml", data);
}

/// Bitbucket Pipelines: the input is `bitbucket-pipelines.yml` (and the files after it).
pub fn read_bitbucket(data: &[u8]) {
    analyze_repo("bitbucket-pipelines.yml", data);
}

/// Travis CI: the input is `.travis.yml` (and the files after it).
pub fn read_travis(data: &[u8]) {
    analyze_repo(".travis.yml", data);
}

/// The shell tokenizer: the commands of a script, and a value split into words; every command
/// and word lies inside the script, on character boundaries; and the `if` or `case` test each
/// command runs under.
pub fn shell(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let vars = [
        ("KUBECTL".to_owned(), "kubectl --context 'a b'".to_owned()),
        ("DEPLOY".to_owned(), "sh -c \"helm upgrade x\"".to_owned()),
    ];
    let keywords = crate::infer::shell::script_keywords(text);
    for cmd in crate::infer::shell::commands(text, &vars) {
        check_range(text, cmd.start, cmd.end, "command");
        // What the `if` or `case` around the command tests: reading it never panics.
        let _ = crate::infer::shell::condition_branch_in(text, &keywords, cmd.start);
        for word in cmd
            .words
            .iter()
            .chain(cmd.redirects.iter().map(|r| &r.target))
        {
            check_range(text, word.start, word.end, "word");
        }
    }
    let _ = crate::infer::shell::split_words(text);
}

/// The Jenkinsfile lexer and parser, without lowering: token and error spans stay inside the
/// text, on character boundaries.
pub fn jenkins_parser(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lexed = crate::read::jenkins::lex(text);
    for token in &lexed.tokens {
        check_span(text, token.span, "token");
    }
    if let Some(err) = &lexed.error {
        check_span(text, err.span, "lexer error");
    }
    let parsed = crate::read::jenkins::parse_tokens(text, &lexed.tokens);
    for err in &parsed.errors {
        check_span(text, err.span, "parser error");
    }
}

/// The GitHub expression parser: a job `if:` lowered into conditions (in a workflow with
/// dispatch inputs `env` and `Quote`), read for its ways in and the names it can take, and
/// `inputs.*` replaced by a caller's values.
pub fn github_expr(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let dispatch = ["env".to_owned(), "Quote".to_owned()];
    let _ = crate::read::github::lower_condition(text, &dispatch);
    let _ = crate::infer::expression::ways_in(text);
    let _ = crate::infer::expression::outcomes(text);
    let inputs: BTreeMap<String, String> = [
        ("env".to_owned(), "prod".to_owned()),
        ("Quote".to_owned(), "it's \"x\"".to_owned()),
        ("n".to_owned(), "1e3".to_owned()),
    ]
    .into_iter()
    .collect();
    let substituted = crate::read::github::substitute_inputs(text, &inputs);
    let _ = crate::read::github::lower_condition(&substituted, &dispatch);
}

/// The model decoder: `gitops-gen.yaml` decoded and validated; a valid model is rendered (every
/// generated file), an invalid one is printed as the diagnostic report the user would see.
pub fn model(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match crate::model::parse(crate::model::FILE_NAME, text) {
        Ok(config) => {
            let _ = crate::render::render(&config, None);
        }
        Err(invalid) => {
            let _ = format!("{:?}", miette::Report::new(invalid));
        }
    }
}

/// The overlay editor `promote` runs. The first line is the image (`repo:tag` or
/// `repo@sha256:…`; a default when it does not parse), the second the app, the rest the
/// kustomization (or a Helm app's image values, whose tag is set to the app line). Every edit
/// `promote` makes is applied; a successful image or tag edit must leave a file that reads back
/// with the new value.
pub fn overlay(data: &[u8]) {
    use crate::promote::edit::{self, ImageRef};

    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let (image, rest) = input.split_once('\n').unwrap_or((input, ""));
    let (app, text) = rest.split_once('\n').unwrap_or(("web", rest));
    let (repo, new) = ImageRef::parse(image).unwrap_or_else(|| {
        (
            "ghcr.io/acme/web".to_owned(),
            ImageRef::Tag("1.2.3".to_owned()),
        )
    });
    let _ = edit::running(text, &repo, app);
    if let Ok(done) = edit::set_image(text, &repo, &new) {
        let after = edit::running(&done.text, &repo, app);
        assert!(
            matches!(&after, Ok(running) if running.reference.as_ref() == Some(&new)),
            "the edited overlay does not read back with {new:?}: {after:?}\n{}",
            done.text
        );
    }
    let _ = edit::set_annotation(text, &edit::source_annotation(app), "0123abc");
    let _ = edit::add_resource(text, "../../base");
    let _ = edit::remove_resource(text, "../../base");
    // The same text as a Helm app's image values file, and as the overlay that generates it.
    if let Ok(done) = edit::values::set_value(text, "image.tag", app) {
        let after = edit::values::value_at(&done, "image.tag");
        assert!(
            matches!(&after, Ok(Some(tag)) if tag == app),
            "the edited values do not read back with {app:?}: {after:?}\n{done}"
        );
    }
    let _ = edit::values::add_values_config_map(text, "web-image", "web-image.yaml");
}

/// The edits of a team's files: the `include:` of gitops-gen's GitLab pipeline in a
/// `.gitlab-ci.yml` (the input), and the cutover's removal of an environment's `suspended:` in a
/// model (the input again; its first line, a comment, names the environment). A successful include edit must
/// leave YAML that a second edit leaves alone; a successful cutover edit must leave YAML.
pub fn team_edits(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let stages = crate::render::ci::gitlab::stage_names(true);
    let file = ".gitlab/gitops.gitlab-ci.yml";
    if let Ok(done) = crate::render::ci::gitlab_root::edited(text, file, &stages) {
        assert!(
            yaml::parse(&done).is_ok(),
            "the edit broke the YAML:\n{done}"
        );
        let again = crate::render::ci::gitlab_root::edited(&done, file, &stages);
        assert!(
            matches!(&again, Ok(twice) if *twice == done),
            "a second edit changed it: {again:?}\n{done}"
        );
    }
    let env = text
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches('#')
        .trim();
    for force in [false, true] {
        if let Ok(Some(done)) = crate::migrate::cutover::resume(text, env, force) {
            assert!(
                yaml::parse(&done).is_ok(),
                "the cutover broke the model:\n{done}"
            );
        }
    }
}

/// Splits a reader input into files, analyses them as a repository and renders every report.
fn analyze_repo(main: &str, data: &[u8]) {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = input.split(FILE_SEPARATOR);
    let pipeline = parts.next().unwrap_or_default();
    let mut files: Vec<(&str, &str)> = parts
        .map(|part| {
            let (path, text) = part.split_once('\n').unwrap_or((part, ""));
            (path.trim(), text)
        })
        .collect();
    // Last, so the pipeline wins over a later file of the same name.
    files.push((main, pipeline));
    let repo = MemRepo::from_pairs(&files);
    let paths = repo.paths();
    let analysis = crate::analyze::analyze(&paths, &repo);
    let _ = crate::analyze::report::text::render(&analysis, &repo as &dyn RepoFiles, false);
    let _ = crate::analyze::report::markdown::render(&analysis);
    let _ = serde_json::to_string(&analysis);
    let _ = serde_json::to_string(&crate::analyze::report::sarif::render(&analysis));
}

/// Checks every node's span, and that every string scalar is written back faithfully.
fn check_tree(text: &str, root: &Node) {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        check_span(text, node.span, "node");
        match &node.value {
            Value::Seq(items) => stack.extend(items),
            Value::Map(map) => stack.extend(map.iter().flat_map(|(k, v)| [k, v])),
            Value::String(s) if s.len() <= 4096 => check_scalar_round_trip(s),
            _ => {}
        }
    }
}

/// `s` written with [`yaml::scalar::string`] reads back as `s`.
fn check_scalar_round_trip(s: &str) {
    let written = yaml::scalar::string(s);
    let read = yaml::parse(&format!("k: {written}"));
    let back = match read.as_deref() {
        Ok([doc]) => doc.as_map().and_then(|m| m.get("k")).and_then(Node::as_str),
        _ => None,
    };
    assert_eq!(
        back,
        Some(s),
        "{s:?} written as {written:?} reads back as {read:?}"
    );
}

fn check_span(text: &str, span: Span, what: &str) {
    check_range(text, span.start, span.end, what);
}

fn check_range(text: &str, start: usize, end: usize, what: &str) {
    assert!(
        start <= end
            && end <= text.len()
            && text.is_char_boundary(start)
            && text.is_char_boundary(end),
        "{what} at {start}..{end} is not a range of the {}-byte text",
        text.len()
    );
}

/// `seal`'s reading of a Secret manifest, then the sealing of what it read to the test
/// certificate: whatever the input, an error or a SealedSecret that parses as one YAML document
/// whose `encryptedData` holds every key.
pub fn seal(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(secret) = crate::seal::from_manifest(text, "stdin", None) else {
        return;
    };
    let key = crate::seal::sealing_key(
        include_str!("../tests/fixtures/seal/cert.pem"),
        std::time::SystemTime::now(),
    )
    .expect("the test certificate seals");
    let target = crate::seal::Target {
        name: "fuzz",
        namespace: "fuzz",
        scope: crate::seal::Scope::Strict,
        comment: "fuzz",
    };
    let Ok(sealed) = crate::seal::seal(&secret, &target, &key) else {
        return;
    };
    let docs = yaml::parse(&sealed).expect("a SealedSecret parses");
    let data = docs
        .first()
        .and_then(Node::as_map)
        .and_then(|m| m.get("spec"))
        .and_then(Node::as_map)
        .and_then(|m| m.get("encryptedData"))
        .and_then(Node::as_map)
        .expect("encryptedData");
    for (key, _) in secret.values() {
        assert!(data.get(key).is_some(), "key {key} sealed");
    }
}

/// `policy check` on one manifest with the default policies: an error, or findings that each
/// name an object and a place inside the manifest.
pub fn policy(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let sources = crate::policy::defaults();
    let mut policies = crate::policy::Policies::new(sources, &crate::policy::Context::default())
        .expect("the default policies parse");
    let Ok(checked) = policies.check(&[("fuzz.yaml".to_owned(), text.to_owned())]) else {
        return;
    };
    let lines = text.lines().count().max(1);
    for finding in &checked.findings {
        assert!(
            finding.line >= 1 && finding.line <= lines + 1,
            "{finding:?}"
        );
    }
}
