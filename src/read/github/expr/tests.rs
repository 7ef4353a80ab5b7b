use super::*;
use TriggerKind::*;
use std::collections::BTreeMap;

fn c(kind: TriggerKind, pattern: Option<&str>, negated: bool) -> Cond {
    Cond {
        kind,
        pattern: pattern.map(str::to_owned),
        negated,
        choices: Vec::new(),
    }
}

/// A test of a `workflow_dispatch` input is that manual start (the value it is compared with
/// kept as its choice); one of an input the workflow does not dispatch, or a `!=`, stays an
/// expression.
#[test]
fn dispatch_input_tests() {
    let dispatch = ["environment".to_owned()];
    let manual = |value: &str| Cond {
        choices: vec![value.to_owned()],
        ..c(Manual, Some("environment"), false)
    };
    assert_eq!(
        lower_in("inputs.environment == 'prod'", &dispatch),
        [manual("prod")]
    );
    assert_eq!(
        lower_in(
            "${{ github.event_name == 'workflow_dispatch' && github.event.inputs.Environment == 'dev' }}",
            &dispatch
        ),
        [c(Manual, None, false), manual("dev")]
    );
    assert_eq!(
        lower_in("inputs.environment != 'prod'", &dispatch),
        [c(Expression, Some("inputs.environment != 'prod'"), false)]
    );
    assert_eq!(
        lower_in("!(inputs.environment == 'prod')", &dispatch),
        [c(
            Expression,
            Some("!(inputs.environment == 'prod')"),
            false
        )]
    );
    assert_eq!(
        lower("inputs.environment == 'prod'"),
        [c(Expression, Some("inputs.environment == 'prod'"), false)]
    );
}

#[test]
fn ref_equality() {
    assert_eq!(
        lower("github.ref == 'refs/heads/main'"),
        [c(Branch, Some("main"), false)]
    );
    assert_eq!(
        lower("${{ github.ref == 'refs/tags/v1.0' }}"),
        [c(Tag, Some("v1.0"), false)]
    );
    assert_eq!(
        lower("'refs/heads/main' == github.ref"),
        [c(Branch, Some("main"), false)]
    );
    assert_eq!(
        lower("github.ref_name == 'develop'"),
        [c(Branch, Some("develop"), false)]
    );
    assert_eq!(
        lower("github.base_ref == 'main'"),
        [c(PullRequest, Some("main"), false)]
    );
    assert_eq!(lower("github.ref_type == 'tag'"), [c(Tag, None, false)]);
    assert_eq!(
        lower("github.REF == 'refs/heads/main'"),
        [c(Branch, Some("main"), false)]
    );
}

#[test]
fn starts_with_forms() {
    assert_eq!(
        lower("startsWith(github.ref, 'refs/tags/')"),
        [c(Tag, None, false)]
    );
    assert_eq!(
        lower("startsWith(github.ref, 'refs/tags/v')"),
        [c(Tag, Some("v*"), false)]
    );
    assert_eq!(
        lower("startswith(github.ref, 'refs/heads/release/')"),
        [c(Branch, Some("release/*"), false)]
    );
    assert_eq!(
        lower("startsWith(github.ref_name, 'hotfix-')"),
        [c(Branch, Some("hotfix-*"), false)]
    );
    assert_eq!(
        lower("startsWith(github.ref, 'refs/pull/')"),
        [c(
            Expression,
            Some("startsWith(github.ref, 'refs/pull/')"),
            false
        )]
    );
}

#[test]
fn event_names() {
    assert_eq!(
        lower("github.event_name == 'push'"),
        [c(Branch, None, false)]
    );
    assert_eq!(
        lower("github.event_name == 'pull_request'"),
        [c(PullRequest, None, false)]
    );
    assert_eq!(
        lower("github.event_name == 'workflow_dispatch'"),
        [c(Manual, None, false)]
    );
    assert_eq!(
        lower("github.event_name == 'schedule'"),
        [c(Schedule, None, false)]
    );
    // A release is published for a tag.
    assert_eq!(
        lower("github.event_name == 'release'"),
        [c(Tag, None, false)]
    );
    assert_eq!(
        lower("startsWith(github.event.release.tag_name, 'v')"),
        [c(Tag, Some("v*"), false)]
    );
    // A field of the run that finished exists on a `workflow_run` start only.
    assert_eq!(
        lower("${{ github.event.workflow_run.conclusion == 'success' }}"),
        [c(Upstream, None, false)]
    );
    assert_eq!(
        lower("'main' == github.event.workflow_run.head_branch && github.ref == 'refs/heads/x'"),
        [c(Upstream, None, false), c(Branch, Some("x"), false)]
    );
    for holds_elsewhere in [
        "github.event.workflow_run.conclusion != 'failure'",
        "!(github.event.workflow_run.conclusion == 'failure')",
    ] {
        assert_eq!(
            lower(holds_elsewhere),
            [c(Expression, Some(holds_elsewhere), false)]
        );
    }
    assert_eq!(
        lower("github.event_name == 'deployment'"),
        [c(
            Expression,
            Some("github.event_name == 'deployment'"),
            false
        )]
    );
}

#[test]
fn negation() {
    assert_eq!(
        lower("github.ref != 'refs/heads/main'"),
        [c(Branch, Some("main"), true)]
    );
    assert_eq!(
        lower("!startsWith(github.ref, 'refs/tags/')"),
        [c(Tag, None, true)]
    );
    assert_eq!(
        lower("!(github.ref != 'refs/heads/main')"),
        [c(Branch, Some("main"), false)]
    );
    assert_eq!(
        lower("github.event_name != 'pull_request'"),
        [c(PullRequest, None, true)]
    );
}

#[test]
fn conjunctions_are_split_and_disjunctions_are_not() {
    assert_eq!(
        lower(
            "github.event_name == 'push' && (github.ref == 'refs/heads/main') && \
                 contains(github.event.head_commit.message, '[deploy]')"
        ),
        [
            c(Branch, None, false),
            c(Branch, Some("main"), false),
            c(
                Expression,
                Some("contains(github.event.head_commit.message, '[deploy]')"),
                false
            ),
        ]
    );
    let or = "github.ref == 'refs/heads/main' || github.ref == 'refs/heads/dev'";
    assert_eq!(lower(or), [c(Expression, Some(or), false)]);
    assert_eq!(
        lower("always() && (github.ref == 'refs/heads/a' || github.ref == 'refs/heads/b')"),
        [
            c(Expression, Some("always()"), false),
            c(
                Expression,
                Some("(github.ref == 'refs/heads/a' || github.ref == 'refs/heads/b')"),
                false
            ),
        ]
    );
}

#[test]
fn success_is_dropped_and_empty_is_nothing() {
    assert_eq!(
        lower("success() && github.ref == 'refs/heads/main'"),
        [c(Branch, Some("main"), false)]
    );
    assert!(lower("${{ success() }}").is_empty());
    assert!(lower("  ").is_empty());
}

#[test]
fn unparseable_is_one_expression() {
    for text in [
        "github.ref == 'refs/heads/main",
        "github.ref === 'x'",
        "a &&",
        "${{ a }} && ${{ b }}",
        "fromJSON(x)[0 == 'y'",
        "github.ref == \"refs/heads/main\"",
    ] {
        assert_eq!(
            lower(text),
            [c(Expression, Some(text.trim()), false)],
            "{text}"
        );
    }
}

#[test]
fn other_shapes_parse_as_expressions() {
    for text in [
        "fromJSON(needs.a.outputs.x).deploy == true",
        "matrix.*.name[0] >= -1.5",
        "github.event.inputs.my-input == 'yes'",
        "true",
    ] {
        assert!(parse(text).is_some(), "{text}");
        assert_eq!(lower(text), [c(Expression, Some(text), false)], "{text}");
    }
}

#[test]
fn deep_nesting_is_refused_without_overflow() {
    let deep = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
    assert_eq!(lower(&deep).len(), 1);
    let nots = format!("{}a", "!".repeat(10_000));
    assert_eq!(lower(&nots).len(), 1);
}

#[test]
fn inputs_are_substituted_as_literals() {
    let inputs: BTreeMap<String, String> = [
        ("environment".to_owned(), "production".to_owned()),
        ("deploy".to_owned(), "true".to_owned()),
        ("who".to_owned(), "o'neil".to_owned()),
    ]
    .into();
    assert_eq!(
        substitute_inputs(
            "inputs.environment == 'production' && inputs.deploy",
            &inputs
        ),
        "'production' == 'production' && true"
    );
    assert_eq!(
        substitute_inputs("Inputs.who != inputs.other", &inputs),
        "'o''neil' != inputs.other"
    );
    assert_eq!(
        substitute_inputs("inputs.x == 'unterminated", &inputs),
        "inputs.x == 'unterminated"
    );
}

#[test]
fn multibyte_text_never_panics() {
    for text in [
        "é == 'ü'",
        "github.ref == 'refs/heads/ü' && ö",
        "'€'",
        "a.é",
    ] {
        let _ = lower(text);
    }
    assert_eq!(
        lower("github.ref == 'refs/heads/ü'"),
        [c(Branch, Some("ü"), false)]
    );
}
