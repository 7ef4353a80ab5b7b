//! The Rego of the Gatekeeper ConstraintTemplates (templates/policy/gatekeeper/) evaluated the
//! way Gatekeeper evaluates it, `violation` over `input.review.object` and
//! `input.parameters`, with regorus (an OPA-compatible engine): each rule refuses its own
//! violation, in a Pod and in a Deployment's template, and lets a compliant one through.

use regorus::{Engine, Value};

const TEMPLATES: [(&str, &str); 6] = [
    (
        "gitopsgenpinnedimages",
        include_str!("../../templates/policy/gatekeeper/gg001.yaml.j2"),
    ),
    (
        "gitopsgenregistries",
        include_str!("../../templates/policy/gatekeeper/gg002.yaml.j2"),
    ),
    (
        "gitopsgenresources",
        include_str!("../../templates/policy/gatekeeper/gg003.yaml.j2"),
    ),
    (
        "gitopsgenprivileged",
        include_str!("../../templates/policy/gatekeeper/gg004.yaml.j2"),
    ),
    (
        "gitopsgennotroot",
        include_str!("../../templates/policy/gatekeeper/gg005.yaml.j2"),
    ),
    (
        "gitopsgenlabels",
        include_str!("../../templates/policy/gatekeeper/gg007.yaml.j2"),
    ),
];

/// The `rego: |` block of a template, unindented.
fn rego(template: &str) -> String {
    let block = template.split("rego: |\n").nth(1).expect("a rego block");
    block
        .lines()
        .map(|l| l.strip_prefix("        ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The messages of `violation` for `object` (YAML) under the template `package`.
fn violations(package: &str, object: &str) -> Vec<String> {
    let (_, template) = TEMPLATES
        .iter()
        .find(|(p, _)| *p == package)
        .expect("a template");
    let mut engine = Engine::new();
    engine
        .add_policy(format!("{package}.rego"), rego(template))
        .unwrap_or_else(|e| panic!("{package}: {e}"));
    let object: serde_json::Value = serde_norway::from_str(object).expect("yaml");
    let input = serde_json::json!({
        "review": {"object": object},
        "parameters": {"repositories": ["ghcr.io/acme/web"]},
    });
    engine.set_input(Value::from(input));
    let result = engine
        .eval_rule(format!("data.{package}.violation"))
        .unwrap_or_else(|e| panic!("{package}: {e}"));
    let mut messages: Vec<String> = result
        .as_set()
        .expect("a set")
        .iter()
        .map(|v| v["msg"].as_string().expect("msg").to_string())
        .collect();
    messages.sort();
    messages
}

const GOOD_POD: &str = "kind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - name: web\n      \
     image: ghcr.io/acme/web:1.2.3\n      resources: {requests: {cpu: 50m, memory: 64Mi}, limits: {memory: 128Mi}}\n";

fn deployment(pod: &str, labels: &str) -> String {
    let spec = pod.split("spec:\n").nth(1).expect("spec");
    let indented: String = spec.lines().map(|l| format!("      {l}\n")).collect();
    format!(
        "kind: Deployment\nmetadata: {{name: web, labels: {{{labels}}}}}\nspec:\n  template:\n    spec:\n{indented}"
    )
}

#[test]
fn a_compliant_pod_and_deployment_pass_every_template() {
    let labels = "app.kubernetes.io/name: web, app.kubernetes.io/part-of: shop";
    for (package, _) in TEMPLATES {
        assert_eq!(
            violations(package, GOOD_POD),
            Vec::<String>::new(),
            "{package}"
        );
        let workload = deployment(GOOD_POD, labels);
        assert_eq!(
            violations(package, &workload),
            Vec::<String>::new(),
            "{package}"
        );
    }
}

#[test]
fn each_template_refuses_its_own_violation() {
    let cases = [
        (
            "gitopsgenpinnedimages",
            GOOD_POD.replace(":1.2.3", ":latest"),
            "GG001",
        ),
        (
            "gitopsgenpinnedimages",
            GOOD_POD.replace(":1.2.3", ""),
            "GG001",
        ),
        (
            "gitopsgenregistries",
            GOOD_POD.replace("ghcr.io/acme/web", "docker.io/evil/web"),
            "GG002",
        ),
        (
            "gitopsgenregistries",
            GOOD_POD.replace("ghcr.io/acme/web", "ghcr.io/acme/web2"),
            "GG002",
        ),
        (
            "gitopsgenresources",
            GOOD_POD.replace(", limits: {memory: 128Mi}", ""),
            "GG003",
        ),
        (
            "gitopsgenprivileged",
            GOOD_POD.replace("spec:\n", "spec:\n  hostNetwork: true\n"),
            "GG004",
        ),
        (
            "gitopsgenprivileged",
            GOOD_POD.replace(
                "      resources",
                "      securityContext: {privileged: true}\n      resources",
            ),
            "GG004",
        ),
        (
            "gitopsgennotroot",
            GOOD_POD.replace("spec:\n", "spec:\n  securityContext: {runAsUser: 0}\n"),
            "GG005",
        ),
    ];
    for (package, object, id) in &cases {
        let found = violations(package, object);
        assert!(
            found.len() == 1 && found[0].starts_with(id),
            "{package}: {found:?}\n{object}"
        );
        let workload = deployment(
            object,
            "app.kubernetes.io/name: web, app.kubernetes.io/part-of: shop",
        );
        let found = violations(package, &workload);
        assert!(
            found.len() == 1 && found[0].starts_with(id),
            "{package} in a Deployment: {found:?}"
        );
    }
    let unlabelled = deployment(GOOD_POD, "app.kubernetes.io/name: web");
    assert_eq!(
        violations("gitopsgenlabels", &unlabelled),
        ["GG007: label app.kubernetes.io/part-of is missing"]
    );
}
