//! Writing a string as a YAML scalar that reads back as the same string.

use std::borrow::Cow;

/// Whether `text` can be written as a plain scalar, in block or flow context, and read back as
/// the same string (not a number, boolean, null, comment or nested structure).
pub(crate) fn is_plain_safe(text: &str) -> bool {
    let first_ok = text
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || c == '/' || c == '_');
    let chars_ok = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./*@".contains(c));
    if !first_ok || !chars_ok {
        return false;
    }
    // YAML 1.1 readers (go-yaml v2, used by Kubernetes tooling) turn these into booleans or
    // numbers even though YAML 1.2 keeps them strings.
    let yaml11_bool =
        ["y", "yes", "n", "no", "on", "off"].contains(&text.to_ascii_lowercase().as_str());
    let yaml11_number = text
        .chars()
        .all(|c| c.is_ascii_digit() || c == '_' || c == '.');
    if yaml11_bool || yaml11_number {
        return false;
    }
    // The characters allowed above cannot start a comment, an indicator or a nested structure,
    // so the scalar reads back as one plain token; what is left is how the core schema
    // resolves it. (Parsing `k: <text>` decides the same, at a hundred times the cost: this runs
    // for every value of every rendered file.)
    matches!(crate::yaml::schema::resolve_plain(text), crate::yaml::Value::String(s) if s == text)
}

/// `text` bare when [`is_plain_safe`], otherwise as a JSON string (valid YAML, any content).
pub(crate) fn string(text: &str) -> Cow<'_, str> {
    if is_plain_safe(text) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(serde_json::Value::from(text).to_string())
    }
}

#[cfg(test)]
mod props;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_only_when_it_reads_back_as_the_same_string() {
        for plain in [
            "web",
            "ghcr.io/acme/web",
            "feature/x",
            "v1.2.3",
            "docker.io/library/rust:1",
        ] {
            assert_eq!(is_plain_safe(plain), !plain.contains(':'), "{plain}");
        }
        for quoted in [
            "1.0", "true", "null", "yes", "On", "1_000", "1234", "", "a b", "*x", "a,b",
            "${{ x }}", "~",
        ] {
            assert!(!is_plain_safe(quoted), "{quoted}");
        }
    }

    #[test]
    fn other_strings_are_json_quoted() {
        assert_eq!(string("."), "\".\"");
        assert_eq!(string("Dockerfile"), "Dockerfile");
        assert_eq!(string("a \"b\"\n"), "\"a \\\"b\\\"\\n\"");
    }
}
