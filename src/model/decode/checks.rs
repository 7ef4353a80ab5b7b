//! Value checks with no YAML in them: DNS-1123 labels, image repositories, relative paths,
//! versions and git URLs. They return why a value is wrong; the decoder words the diagnostic.

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

/// `host[:port]/path` in the distribution spec's lowercase grammar, without tag or digest.
pub(super) fn check_image_repository(image: &str) -> Result<(), &'static str> {
    if image.contains('@') {
        return Err("it has a digest; give the repository only");
    }
    let (host, path) = image.split_once('/').ok_or("it has no registry host")?;
    if host.is_empty() || !host.contains(['.', ':']) && host != "localhost" {
        return Err("its first part must be a registry host such as `ghcr.io`");
    }
    if path.is_empty() || path.split('/').any(str::is_empty) {
        return Err("it has an empty path component");
    }
    if path.contains(':') {
        return Err("it has a tag; give the repository only");
    }
    let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/".contains(c);
    if !path.chars().all(ok) {
        return Err("its path may only contain lowercase letters, digits, `.`, `_`, `-` and `/`");
    }
    Ok(())
}

/// Relative to the repository, `/`-separated, never leaving it (no `..`), no control characters.
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
    if path.chars().any(|c| c.is_control()) {
        return Err("contains control characters");
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

/// `MAJOR.MINOR.PATCH`, optionally followed by `-pre` or `+build`.
pub(super) fn is_semver(v: &str) -> bool {
    let core = v.split(['-', '+']).next().unwrap_or_default();
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// An https, http, ssh, scp-style (`git@`) or file URL without whitespace.
pub(super) fn looks_like_git_url(url: &str) -> bool {
    let ok_scheme = ["https://", "http://", "ssh://", "git@", "file://"]
        .iter()
        .any(|s| url.starts_with(s));
    ok_scheme && !url.chars().any(|c| c.is_whitespace() || c.is_control())
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
    fn image_repositories() {
        assert!(check_image_repository("ghcr.io/acme/web").is_ok());
        assert!(check_image_repository("localhost:5000/web").is_ok());
        assert!(check_image_repository("acme/web").is_err());
        assert!(check_image_repository("ghcr.io/Acme/web").is_err());
        assert!(check_image_repository("ghcr.io/acme/web:1.0").is_err());
    }

    #[test]
    fn paths_are_normalized() {
        assert_eq!(normalize_path("./apps//web/"), "apps/web");
        assert_eq!(normalize_path("."), ".");
        assert!(check_relative_path("../x").is_err());
    }
}
