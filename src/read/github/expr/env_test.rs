//! READ stage: a test of a workflow variable against a string in a step's or job's `if:`
//! (`env.SKIP_DEPLOY != 'true'`), as written; whether it holds is for the caller to decide.

use super::{Kind, parse, strip_wrapper};

/// `env.NAME == 'value'` (or `!=`, either side first, maybe under `!`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EnvTest {
    /// The variable, as written after `env.`.
    pub(crate) name: String,
    /// The string it is compared with.
    pub(crate) value: String,
    /// The test holds when the two differ (`!=`, or `!` around `==`).
    pub(crate) differs: bool,
}

/// The test `text` makes, when the whole of it is one such comparison.
pub(crate) fn env_test(text: &str) -> Option<EnvTest> {
    let tree = parse(strip_wrapper(text))?;
    let mut kind = &tree.kind;
    let mut flipped = false;
    while let Kind::Not(inner) = kind {
        flipped = !flipped;
        kind = &inner.kind;
    }
    let Kind::Eq(l, r, negated) = kind else {
        return None;
    };
    let (path, value) = match (&l.kind, &r.kind) {
        (Kind::Path(p), Kind::Str(s)) | (Kind::Str(s), Kind::Path(p)) => (p, s),
        _ => return None,
    };
    let name = path
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("env."))
        .and_then(|_| path.get(4..))
        .filter(|n| !n.is_empty() && !n.contains('.'))?;
    Some(EnvTest {
        name: name.to_owned(),
        value: value.clone(),
        differs: *negated != flipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test(name: &str, value: &str, differs: bool) -> Option<EnvTest> {
        Some(EnvTest {
            name: name.to_owned(),
            value: value.to_owned(),
            differs,
        })
    }

    #[test]
    fn reads_comparisons_of_a_variable_with_a_string() {
        assert_eq!(
            env_test("env.DEPLOY == 'true'"),
            test("DEPLOY", "true", false)
        );
        assert_eq!(
            env_test("${{ env.SKIP_HELM_DEPLOY != 'true'}}"),
            test("SKIP_HELM_DEPLOY", "true", true)
        );
        assert_eq!(env_test("'yes' == ENV.GO"), test("GO", "yes", false));
        assert_eq!(env_test("!(env.GO == 'yes')"), test("GO", "yes", true));
        assert_eq!(env_test("!!(env.GO != 'yes')"), test("GO", "yes", true));
    }

    #[test]
    fn anything_else_is_not_one() {
        for text in [
            "env.GO == true",
            "env.GO == env.STOP",
            "vars.GO == 'yes'",
            "env.a.b == 'x'",
            "env.GO == 'yes' && github.ref == 'refs/heads/main'",
            "env.GO == 'yes' || env.STOP == 'no'",
            "contains(env.GO, 'yes')",
            "env.GO",
            "",
        ] {
            assert_eq!(env_test(text), None, "{text}");
        }
    }
}
