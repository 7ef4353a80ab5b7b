//! `apps[].test_setup` and `apps[].test_services`: the extension point of the test job, for
//! what a test needs before it runs (a toolchain, a database) without overriding a template.
//! Every value is data in the generated YAML: `uses` must pin a commit, inputs and variables
//! are one line, and nothing a CI system would evaluate (`${{`, `$`, `%`) gets in.

use crate::model::decode::checks::{check_one_line, find_expression};
use crate::model::decode::{Decoder, SERVICE_KEYS, SETUP_STEP_KEYS};
use crate::model::releases::is_commit;
use crate::model::types::{SetupStep, TestService};
use crate::yaml::{Mapping, Node, Value};

impl Decoder<'_> {
    /// The test job's setup steps and services; both need `test`.
    pub(super) fn test_extensions(
        &mut self,
        app: &Mapping,
        has_test: bool,
    ) -> (Vec<SetupStep>, Vec<TestService>) {
        let mut out = (Vec::new(), Vec::new());
        for key in ["test_setup", "test_services"] {
            let Some(node) = app.get(key) else { continue };
            if !has_test {
                self.problem_help(
                    node.span,
                    format!("`{key}` needs `test`"),
                    "no test job",
                    "it prepares the test job, which exists only when the app has `test:`"
                        .to_owned(),
                );
                continue;
            }
            let Some(items) = node.as_seq() else {
                self.problem(
                    node.span,
                    format!("`{key}` must be a list, found {}", node.kind_name()),
                    "expected a list",
                );
                continue;
            };
            for item in items {
                if key == "test_setup" {
                    out.0.extend(self.setup_step(item));
                } else {
                    out.1.extend(self.service(item));
                }
            }
        }
        out
    }

    fn setup_step(&mut self, node: &Node) -> Option<SetupStep> {
        let map = self.map(node, "a `test_setup` step")?;
        self.known_keys(map, SETUP_STEP_KEYS, "a `test_setup` step");
        let uses = self.required_string(map, node.span, "uses", "the action to run")?;
        if !is_pinned_action(&uses.value) {
            self.problem_help(
                uses.span,
                format!(
                    "`uses` `{}` is not an action pinned to a commit",
                    uses.value
                ),
                "expected owner/repo[/path]@<40 hex>",
                "a tag can move; pin the full commit and keep the tag in a comment, e.g. \
                 `actions/setup-java@<sha>`"
                    .to_owned(),
            );
            return None;
        }
        let with = match map.get("with") {
            None => Vec::new(),
            Some(n) => self.variables(n, "`with`", false)?,
        };
        Some(SetupStep {
            uses: uses.value,
            with,
        })
    }

    fn service(&mut self, node: &Node) -> Option<TestService> {
        let map = self.map(node, "a `test_services` item")?;
        self.known_keys(map, SERVICE_KEYS, "a `test_services` item");
        let name = self.required_string(map, node.span, "name", "the service's host name")?;
        self.dns_label(&name, "service name");
        let image = self.required_string(map, node.span, "image", "the service's image")?;
        self.image_reference(&image, "the service's `image`");
        let env = match map.get("env") {
            None => Vec::new(),
            Some(n) => self.variables(n, "`env`", true)?,
        };
        let items = match map.get("ports") {
            None => &[][..],
            Some(n) => match n.as_seq() {
                Some(items) => items,
                None => {
                    self.problem(
                        n.span,
                        "`ports` must be a list".to_owned(),
                        "expected a list",
                    );
                    return None;
                }
            },
        };
        let mut ports = Vec::new();
        for n in items {
            let Some(port) = n
                .as_i64()
                .and_then(|p| u16::try_from(p).ok())
                .filter(|p| *p > 0)
            else {
                self.problem(
                    n.span,
                    "a service port must be a number from 1 to 65535".to_owned(),
                    "invalid port",
                );
                return None;
            };
            ports.push(port);
        }
        Some(TestService {
            name: name.value,
            image: image.value,
            env,
            ports,
        })
    }

    /// A mapping of names to one-line scalar values, in order. `plain` also refuses `$` and
    /// `%`, which GitLab would expand in a service's variables.
    fn variables(&mut self, node: &Node, what: &str, plain: bool) -> Option<Vec<(String, String)>> {
        let map = self.map(node, what)?;
        let mut out = Vec::new();
        for (key, value) in map.iter() {
            let name = self.string(key, what)?;
            let valid_name = !name.value.is_empty()
                && name
                    .value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if !valid_name {
                self.problem(
                    name.span,
                    format!("{what} key `{}` is not a name", name.value),
                    "expected letters, digits, `_` and `-`",
                );
                return None;
            }
            let text = match &value.value {
                Value::Float(_) => None,
                _ => value.scalar_text(),
            };
            let Some(text) = text else {
                self.problem_help(
                    value.span,
                    format!("{what} `{}` must be a string", name.value),
                    "expected a string",
                    "quote it, e.g. `\"21\"`, so it is written exactly as given".to_owned(),
                );
                return None;
            };
            let refused = check_one_line(&text)
                .err()
                .map(str::to_owned)
                .or_else(|| find_expression(&text).map(|(o, _)| format!("holds `{o}`")))
                .or_else(|| {
                    (plain && text.contains(['$', '%']))
                        .then(|| "holds `$` or `%`, which GitLab would expand".to_owned())
                });
            if let Some(why) = refused {
                self.problem(
                    value.span,
                    format!("{what} `{}` {why}", name.value),
                    "not a plain value",
                );
                return None;
            }
            out.push((name.value, text));
        }
        Some(out)
    }
}

/// `owner/repo[/path]@<40 hex>`: an action pinned to a commit.
fn is_pinned_action(uses: &str) -> bool {
    let Some((path, rev)) = uses.rsplit_once('@') else {
        return false;
    };
    let segments: Vec<&str> = path.split('/').collect();
    is_commit(rev)
        && segments.len() >= 2
        && segments.iter().all(|s| {
            !s.is_empty()
                && *s != ".."
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        })
}
