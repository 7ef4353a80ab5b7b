//! Value checks with no YAML in them: DNS-1123 labels, relative paths, one-line text and the
//! model-wide rule against CI expression syntax. They return why a value is wrong; the decoder
//! words the diagnostic. Image references are `reference`, versions and URLs `source`.

/// A DNS-1123 label made from a name people wrote (`My_App` → `my-app`): lowercase, runs of other
/// characters as one `-`, at most 63 characters; `None` when nothing usable is left.
pub(crate) fn dns_label_from(name: &str) -> Option<String> {
    let mut label = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            label.push(c.to_ascii_lowercase());
        } else if !label.ends_with('-') {
            label.push('-');
        }
    }
    let label: String = label.trim_matches('-').chars().take(63).collect();
    let label = label.trim_end_matches('-').to_owned();
    check_dns_label(&label).is_ok().then_some(label)
}

/// RFC 1123 label as Kubernetes validates names: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, 63 max.
pub(crate) fn check_dns_label(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("it is empty");
    }
    if name.len() > 63 {
        return Err("it is longer than 63 characters");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err("it may only contain lowercase letters, digits and `-`");
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err("it must start and end with a letter or digit");
    }
    Ok(())
}

/// Expression syntax a CI system evaluates wherever it appears in its files: GitHub Actions'
/// `${{` and GitLab's `$[[` (CI/CD inputs). No model value may hold either; the render stage
/// refuses them again where it writes a value.
pub(crate) const EXPRESSION_OPENERS: [(&str, &str); 2] = [
    ("${{", "GitHub Actions would evaluate it as an expression"),
    ("$[[", "GitLab CI would interpolate it as an input"),
];

/// The expression syntax `text` holds, with who would evaluate it, if it holds any.
pub(crate) fn find_expression(text: &str) -> Option<(&'static str, &'static str)> {
    EXPRESSION_OPENERS
        .into_iter()
        .find(|(opener, _)| text.contains(opener))
}

/// Whether `c` ends a line for some reader of the generated files (YAML 1.1 and 1.2, shells,
/// editors) or is a control character.
pub(crate) fn breaks_lines(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// Why `text` cannot be one line of text (a command line): a line break or control character.
pub(super) fn check_one_line(text: &str) -> Result<(), &'static str> {
    if text.chars().any(breaks_lines) {
        return Err("holds a line break or control character");
    }
    Ok(())
}

/// Relative to the repository, `/`-separated, never leaving it (no `..`), no control characters,
/// and nothing that would end or comment out the line of generated YAML it is written into as a
/// shell word (`: `, ` #`, a trailing `:`).
pub(super) fn check_relative_path(path: &str) -> Result<(), &'static str> {
    if path.is_empty() {
        return Err("is empty");
    }
    if path.starts_with('/') || path.contains('\\') {
        return Err("must be a relative path with `/` separators");
    }
    if path.split('/').any(|c| c == "..") {
        return Err("must stay inside the repository (no `..`)");
    }
    if path.chars().any(breaks_lines) {
        return Err("contains a line break or control character");
    }
    if path.contains(": ") || path.contains(" #") || path.ends_with(':') {
        return Err(
            "contains `: `, ` #` or a trailing `:`, which would end or comment out a line \
             of the generated pipelines",
        );
    }
    Ok(())
}

/// Why `path` (the tree root) cannot be written into a path filter of the generated workflow:
/// it holds a character GitHub's filters read as a wildcard or negation.
pub(super) fn check_no_glob(path: &str) -> Result<(), &'static str> {
    if path.contains(['*', '?', '+', '[', ']', '!']) {
        return Err(
            "contains `*`, `?`, `+`, `[`, `]` or `!`, which the pipelines' path filters \
             would read as a wildcard",
        );
    }
    Ok(())
}

/// `./a//b/` → `a/b`; an empty result is `.`.
pub(super) fn normalize_path(path: &str) -> String {
    let parts: Vec<&str> = path
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

/// An https, http, ssh, scp-style (`git@`) or file URL without whitespace.
pub(super) fn looks_like_git_url(url: &str) -> bool {
    let ok_scheme = ["https://", "http://", "ssh://", "git@", "file://"]
        .iter()
        .any(|s| url.starts_with(s));
    ok_scheme && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Whether `name` can name a CI secret or variable: letters, digits and `_`, not starting with a
/// digit (GitHub secrets, GitLab CI/CD variables), and not GitHub's reserved `GITHUB_` prefix.
/// Such a name is safe inside `${{ secrets.<name> }}`.
pub(crate) fn is_secret_name(name: &str) -> bool {
    name.bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.to_ascii_uppercase().starts_with("GITHUB_")
}

/// Whether `key` can be a key of a Kubernetes Secret: letters, digits, `-`, `_` and `.`.
pub(crate) fn is_secret_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 253
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_labels() {
        assert!(check_dns_label("web-1").is_ok());
        assert!(check_dns_label("Web").is_err());
        assert!(check_dns_label("-web").is_err());
        assert!(check_dns_label(&"a".repeat(64)).is_err());
    }

    #[test]
    fn paths_are_normalized() {
        assert_eq!(normalize_path("./apps//web/"), "apps/web");
        assert_eq!(normalize_path("."), ".");
        assert!(check_relative_path("../x").is_err());
        for ok in ["web", "it's $(id)", "a:b", "#web", "a#b", "{{ x }}/{% y %}"] {
            assert_eq!(check_relative_path(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "/abs",
            "a\\b",
            "a/../b",
            "a\nb",
            "a\u{2028}b",
            "a: b",
            "a #b",
            "a:",
        ] {
            assert!(check_relative_path(bad).is_err(), "{bad:?}");
        }
        assert!(check_no_glob("deploy").is_ok());
        assert!(check_no_glob("!deploy").is_err());
        assert!(check_no_glob("c++").is_err());
    }

    #[test]
    fn expressions_and_lines() {
        assert_eq!(find_expression("a ${{ b }}").map(|e| e.0), Some("${{"));
        assert_eq!(find_expression("$[[ inputs.x ]]").map(|e| e.0), Some("$[["));
        assert_eq!(find_expression("${ x } {{ y }} $(z)"), None);
        assert!(check_one_line("make test && ./x # ok: fine").is_ok());
        assert!(check_one_line("a\nb").is_err());
        assert!(check_one_line("a\tb").is_err());
        assert!(check_one_line("a\u{2029}b").is_err());
    }
}
