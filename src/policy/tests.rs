use super::*;

fn context(preview: bool) -> Context {
    Context {
        environment: Some(EnvironmentData {
            name: "staging".to_owned(),
            preview,
        }),
        registries: vec!["ghcr.io/acme".to_owned()],
    }
}

/// A Deployment that passes every default rule; `edit` changes its text.
fn deployment(edit: &[(&str, &str)]) -> String {
    let mut text =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n  \
        labels:\n    app.kubernetes.io/name: web\n    app.kubernetes.io/part-of: shop\nspec:\n  \
        template:\n    spec:\n      securityContext:\n        runAsNonRoot: true\n      \
        containers:\n        - name: web\n          image: ghcr.io/acme/web:1.2.3\n          \
        resources:\n            requests: {cpu: 50m, memory: 64Mi}\n            \
        limits: {memory: 256Mi}\n"
            .to_owned();
    for (from, to) in edit {
        assert!(text.contains(from), "{from}");
        text = text.replacen(from, to, 1);
    }
    text
}

fn rules_of(text: &str, preview: bool) -> Vec<(Severity, String)> {
    let mut policies = Policies::new(defaults(), &context(preview)).expect("the defaults parse");
    let checked = policies
        .check(&[("web.yaml".to_owned(), text.to_owned())])
        .expect("evaluates");
    checked
        .findings
        .into_iter()
        .map(|f| (f.severity, f.rule))
        .collect()
}

#[test]
fn a_compliant_deployment_passes_every_rule() {
    assert_eq!(rules_of(&deployment(&[]), false), []);
}

#[test]
fn each_rule_fails_its_own_violation() {
    let deny = Severity::Deny;
    let warn = Severity::Warn;
    for (edit, preview, expected) in [
        (("web:1.2.3", "web:latest"), false, vec![(deny, "GG001")]),
        (("web:1.2.3", "web"), false, vec![(deny, "GG001")]),
        (
            ("ghcr.io/acme/web:1.2.3", "localhost:5000/web"),
            false,
            vec![(deny, "GG001"), (deny, "GG002")],
        ),
        (
            ("ghcr.io/acme/web:1.2.3", "docker.io/library/nginx:1.27"),
            false,
            vec![(deny, "GG002")],
        ),
        // The registry's own repository untagged is only GG001's business.
        (
            ("ghcr.io/acme/web:1.2.3", "ghcr.io/acme"),
            false,
            vec![(deny, "GG001")],
        ),
        (
            ("limits: {memory: 256Mi}", "limits: {}"),
            false,
            vec![(deny, "GG003")],
        ),
        (
            (
                "requests: {cpu: 50m, memory: 64Mi}",
                "requests: {memory: 64Mi}",
            ),
            false,
            vec![(deny, "GG003")],
        ),
        (
            (
                "      containers:",
                "      hostNetwork: true\n      containers:",
            ),
            false,
            vec![(deny, "GG004")],
        ),
        (
            (
                "          resources:",
                "          securityContext: {privileged: true}\n          resources:",
            ),
            false,
            vec![(deny, "GG004")],
        ),
        (
            ("runAsNonRoot: true", "runAsNonRoot: false"),
            false,
            vec![(warn, "GG005")],
        ),
        (
            (
                "          resources:",
                "          securityContext: {runAsUser: 0}\n          resources:",
            ),
            false,
            vec![(deny, "GG005")],
        ),
        (
            ("    app.kubernetes.io/part-of: shop\n", ""),
            false,
            vec![(warn, "GG007")],
        ),
        // A preview may run what a branch pushed last.
        (("web:1.2.3", "web:latest"), true, vec![]),
    ] {
        let found = rules_of(&deployment(&[edit]), preview);
        let expected: Vec<(Severity, String)> = expected
            .into_iter()
            .map(|(s, r)| (s, r.to_owned()))
            .collect();
        assert_eq!(found, expected, "{edit:?}");
    }
    let digest = format!("ghcr.io/acme/web@sha256:{}", "a".repeat(64));
    assert_eq!(
        rules_of(&deployment(&[("ghcr.io/acme/web:1.2.3", &digest)]), false),
        []
    );
}

#[test]
fn a_plaintext_secret_is_denied_and_other_objects_pass() {
    let secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {password: x}\n";
    assert_eq!(
        rules_of(secret, false),
        [(Severity::Deny, "GG006".to_owned())]
    );
    let service =
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n";
    assert_eq!(rules_of(service, false), []);
    let cron = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly}\nspec:\n  jobTemplate:\n    \
        spec:\n      template:\n        spec:\n          containers: [{name: job, image: 'ghcr.io/acme/job:latest'}]\n";
    let rules: Vec<String> = rules_of(cron, false).into_iter().map(|(_, r)| r).collect();
    assert!(
        rules.contains(&"GG001".to_owned()) && rules.contains(&"GG003".to_owned()),
        "{rules:?}"
    );
}

#[test]
fn conftest_style_messages_and_rules_work_too() {
    let policy = "package main\nimport rego.v1\n\
        deny contains \"NO-HPA: use an HPA\" if input.kind == \"Deployment\"\n\
        violation contains {\"msg\": \"plain object\"} if input.kind == \"Deployment\"\n\
        warn contains \"just a note\" if input.kind == \"Deployment\"\n";
    let mut policies = Policies::new(
        vec![("p.rego".to_owned(), policy.to_owned())],
        &Context::default(),
    )
    .expect("parses");
    let checked = policies
        .check(&[(
            "a.yaml".to_owned(),
            "kind: Deployment\nmetadata: {name: x}\n---\n{}\n---\nlist: [1]\n".to_owned(),
        )])
        .expect("evaluates");
    let found: Vec<(Severity, &str, &str)> = checked
        .findings
        .iter()
        .map(|f| (f.severity, f.rule.as_str(), f.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (Severity::Deny, "-", "plain object"),
            (Severity::Deny, "NO-HPA", "use an HPA"),
            (Severity::Warn, "-", "just a note"),
        ]
    );
    assert_eq!(checked.objects, 1);
    assert_eq!(checked.skipped, ["a.yaml:4", "a.yaml:6"]);
}

#[test]
fn broken_policies_and_manifests_are_errors_with_their_place() {
    let Err(why) = Policies::new(
        vec![(
            "bad.rego".to_owned(),
            "package main\ndeny contains x if {".to_owned(),
        )],
        &Context::default(),
    ) else {
        panic!("accepted");
    };
    assert!(why.starts_with("bad.rego:"), "{why}");
    let mut policies = Policies::new(defaults(), &Context::default()).expect("parses");
    let Err(why) = policies.check(&[("m.yaml".to_owned(), "kind: [\n".to_owned())]) else {
        panic!("accepted");
    };
    assert!(why.starts_with("m.yaml:"), "{why}");
}
