//! Image references in the grammar registries and container runtimes share (the distribution
//! project's `reference` package, which the OCI distribution spec follows):
//!
//! ```text
//! reference  := name [":" tag] ["@" digest]
//! name       := [domain "/"] path
//! domain     := host [":" port]          host: labels of [A-Za-z0-9-] joined by ".", no
//!                                        label starting or ending with "-"; port: [0-9]+
//! path       := component ("/" component)*, at most 255 characters
//! component  := [a-z0-9]+ (separator [a-z0-9]+)*      separator: "." | "_" | "__" | "-"+
//! tag        := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
//! digest     := algorithm ":" [0-9a-fA-F]{32,}
//! algorithm  := [A-Za-z][A-Za-z0-9]* joined by [+._-]
//! ```
//!
//! As container tools read it, the first component is the domain only when it holds a `.` or a
//! `:` or is `localhost`. One deliberate narrowing: an IPv6 literal host (`[::1]:5000`) is not
//! accepted, so that every accepted reference is made of `A-Za-z0-9._/:@+-` alone, characters
//! no shell, YAML reader or CI variable syntax gives a meaning to.

/// Longest path a reference may have.
const PATH_MAX: usize = 255;
/// Longest tag.
const TAG_MAX: usize = 128;

/// A reference split into its parts; nothing checked yet.
struct Parts<'a> {
    domain: Option<&'a str>,
    path: &'a str,
    tag: Option<&'a str>,
    digest: Option<&'a str>,
}

fn split(reference: &str) -> Parts<'_> {
    let (name_and_tag, digest) = match reference.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (reference, None),
    };
    let (domain, rest) = match name_and_tag.split_once('/') {
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => {
            (Some(first), rest)
        }
        _ => (None, name_and_tag),
    };
    let (path, tag) = match rest.rsplit_once(':') {
        Some((path, tag)) => (path, Some(tag)),
        None => (rest, None),
    };
    Parts {
        domain,
        path,
        tag,
        digest,
    }
}

/// Why `image` is not an image repository (`ghcr.io/acme/web`, or as Docker Hub images are
/// often written, `acme/web` and `nginx`): an optional domain and a path, without tag or digest.
pub(super) fn check_repository(image: &str) -> Result<(), String> {
    if image.is_empty() {
        return Err("it is empty".to_owned());
    }
    if !image.contains('/') && (image.contains(['.', ':']) || image == "localhost") {
        return Err("it has no repository path after the registry host".to_owned());
    }
    let parts = split(image);
    if parts.digest.is_some() {
        return Err("it has a digest; give the repository only".to_owned());
    }
    if parts.tag.is_some() {
        return Err("it has a tag; give the repository only".to_owned());
    }
    if let Some(domain) = parts.domain {
        check_domain(domain)?;
    }
    check_path(parts.path)
}

/// The repository of an image reference as written, without its tag or digest
/// (`localhost:5000/web:v1@sha256:…` → `localhost:5000/web`).
pub(crate) fn repository_of(reference: &str) -> String {
    split_reference(reference).0
}

/// An image reference as written split into its repository, tag and digest
/// (`web:1@sha256:ab` → `web`, `1`, `sha256:ab`).
pub(crate) fn split_reference(reference: &str) -> (String, Option<&str>, Option<&str>) {
    let parts = split(reference);
    let repository = match parts.domain {
        Some(domain) => format!("{domain}/{}", parts.path),
        None => parts.path.to_owned(),
    };
    (repository, parts.tag, parts.digest)
}

/// `repository` as container tools complete it: no registry host means Docker Hub
/// (`acme/web` → `docker.io/acme/web`), whose one-part names are official images
/// (`nginx` → `docker.io/library/nginx`), and `index.docker.io` is `docker.io`.
pub(crate) fn qualified_repository(repository: &str) -> String {
    let parts = split(repository);
    let domain = match parts.domain {
        None | Some("index.docker.io") => "docker.io",
        Some(domain) => domain,
    };
    if domain == "docker.io" && !parts.path.contains('/') {
        format!("docker.io/library/{}", parts.path)
    } else {
        format!("{domain}/{}", parts.path)
    }
}

/// Why `registry` is not a registry prefix: a host, optionally followed by a path
/// (`ghcr.io`, `ghcr.io/acme`); apps' images are `<registry>/<app name>`.
pub(super) fn check_registry(registry: &str) -> Result<(), String> {
    if registry.contains('/') && split(registry).domain.is_some() {
        return check_repository(registry);
    }
    if !registry.contains(['.', ':']) && registry != "localhost" {
        return Err("its first part must be a registry host such as `ghcr.io`".to_owned());
    }
    check_domain(registry)
}

/// Why `image` is not an image reference (`docker.io/library/ubuntu:24.04`, `node:22`,
/// `ghcr.io/acme/ci@sha256:…`); the domain is optional, as for `docker pull`.
pub(super) fn check_reference(image: &str) -> Result<(), String> {
    if image.is_empty() {
        return Err("it is empty".to_owned());
    }
    let parts = split(image);
    if let Some(domain) = parts.domain {
        check_domain(domain)?;
    }
    check_path(parts.path)?;
    if let Some(tag) = parts.tag {
        check_tag(tag)?;
    }
    if let Some(digest) = parts.digest {
        check_digest(digest)?;
    }
    Ok(())
}

/// `host[:port]`.
pub(super) fn check_domain(domain: &str) -> Result<(), String> {
    if domain.starts_with('[') {
        return Err("an IPv6 address is not accepted as a registry host; use a host name".into());
    }
    let (host, port) = match domain.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (domain, None),
    };
    let label_ok = |label: &str| {
        !label.is_empty()
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    if !host.split('.').all(label_ok) {
        return Err(format!(
            "its host `{host}` is not a host name (labels of letters, digits and `-`, joined by \
             `.`)"
        ));
    }
    if let Some(port) = port
        && (port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(format!("its port `{port}` is not a number"));
    }
    Ok(())
}

fn check_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("it has no repository path".to_owned());
    }
    if path.len() > PATH_MAX {
        return Err(format!("its path is longer than {PATH_MAX} characters"));
    }
    match path.split('/').find(|c| !is_path_component(c)) {
        Some(component) => Err(format!(
            "its path component `{component}` is not lowercase letters and digits joined by \
             `.`, `_`, `__` or `-`"
        )),
        None => Ok(()),
    }
}

/// `[a-z0-9]+` runs joined by one separator each: `.`, `_`, `__` or a run of `-`.
fn is_path_component(component: &str) -> bool {
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let bytes = component.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    if !alnum(first) || !alnum(last) {
        return false;
    }
    let mut separators = component.split(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit());
    separators
        .all(|s| s.is_empty() || matches!(s, "." | "_" | "__") || s.bytes().all(|b| b == b'-'))
}

fn check_tag(tag: &str) -> Result<(), String> {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let ok = tag.len() <= TAG_MAX
        && tag.bytes().next().is_some_and(word)
        && tag.bytes().all(|b| word(b) || b == b'.' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "its tag `{tag}` is not letters, digits, `_`, `.` and `-` (not starting with `.` or \
             `-`, at most {TAG_MAX})"
        ))
    }
}

fn check_digest(digest: &str) -> Result<(), String> {
    let algorithm_ok = |algorithm: &str| {
        algorithm.split(['+', '.', '_', '-']).all(|part| {
            part.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
                && part.bytes().all(|b| b.is_ascii_alphanumeric())
        })
    };
    match digest.split_once(':') {
        Some((algorithm, hex))
            if algorithm_ok(algorithm)
                && hex.len() >= 32
                && hex.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            Ok(())
        }
        _ => Err(format!(
            "its digest `{digest}` is not `algorithm:hex` with at least 32 hex digits"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories() {
        for ok in [
            "ghcr.io/acme/web",
            "localhost:5000/web",
            "localhost/web",
            "registry.example.com:443/a/b-c/d__e/f.g",
            "Registry.Example.com/acme/web",
            "r.io/a--b",
            "acme/web",
            "nginx",
        ] {
            assert_eq!(check_repository(ok), Ok(()), "{ok}");
        }
        for (written, full) in [
            ("omaik/kitten-store", "docker.io/omaik/kitten-store"),
            ("nginx", "docker.io/library/nginx"),
            ("docker.io/nginx", "docker.io/library/nginx"),
            ("index.docker.io/acme/web", "docker.io/acme/web"),
            ("ghcr.io/acme/web", "ghcr.io/acme/web"),
            ("localhost:5000/web", "localhost:5000/web"),
        ] {
            assert_eq!(qualified_repository(written), full, "{written}");
        }
        assert!(check_registry("acme/team").is_err());
        for (bad, why) in [
            ("", "empty"),
            ("ghcr.io", "no repository path"),
            ("ghcr.io/", "no repository path"),
            ("ghcr.io/Acme/web", "`Acme`"),
            ("ghcr.io/acme/web:1.0", "has a tag"),
            ("ghcr.io/acme/web@sha256:00", "has a digest"),
            ("ghcr.io/acme//web", "component ``"),
            ("ghcr.io/acme/-web", "`-web`"),
            ("ghcr.io/acme/web.", "`web.`"),
            ("ghcr.io/a..b", "`a..b`"),
            ("ghcr.io/a___b", "`a___b`"),
            ("ghcr.io/a._b", "`a._b`"),
            ("$(id).io/web", "host `$(id).io`"),
            ("`id`.io/web", "host"),
            ("$CI_JOB_TOKEN.evil.io/web", "host"),
            ("x.io\n  run: sh\n- name: y/acme", "host"),
            ("ghcr.io:x/web", "port `x`"),
            ("[::1]:5000/web", "IPv6"),
            ("-ghcr.io/web", "host"),
            ("ghcr.io/web;id", "`web;id`"),
            ("ghcr.io/we b", "`we b`"),
            ("ghcr.io/${{ x }}", "component"),
        ] {
            match check_repository(bad) {
                Ok(()) => panic!("{bad:?} was accepted"),
                Err(e) => assert!(e.contains(why), "{bad:?}: {e}"),
            }
        }
        let long = format!("ghcr.io/{}", "a".repeat(256));
        assert!(check_repository(&long).is_err());
    }

    #[test]
    fn registries() {
        for ok in ["ghcr.io", "ghcr.io/acme", "localhost:5000", "localhost"] {
            assert_eq!(check_registry(ok), Ok(()), "{ok}");
        }
        for bad in ["acme", "ghcr.io/Acme", "x.io\nrun: sh", "ghcr.io/acme:1"] {
            assert!(check_registry(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn references() {
        let digest = format!("sha256:{}", "a".repeat(64));
        for ok in [
            "docker.io/library/ubuntu:24.04".to_owned(),
            "node:22".to_owned(),
            "ubuntu".to_owned(),
            "python:3.12-slim".to_owned(),
            "localhost:5000".to_owned(),
            format!("ghcr.io/acme/ci@{digest}"),
            format!("ghcr.io/acme/ci:1.0@{digest}"),
            "registry.gitlab.com/a/b:V_1.0-rc".to_owned(),
        ] {
            assert_eq!(check_reference(&ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "docker.io/library/ubuntu:24.04; id",
            "ubuntu:.24",
            "ubuntu:-x",
            "ubuntu:a$b",
            "Ubuntu",
            "ubuntu@sha256:abc",
            "ubuntu@:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "ubuntu@1sha:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "$(id)x",
            "ubuntu:24.04\nx",
            "ubuntu:${{ github.sha }}",
            "ubuntu:$CI_JOB_TOKEN",
        ] {
            assert!(check_reference(bad).is_err(), "{bad:?}");
        }
        assert!(check_reference(&format!("ubuntu:{}", "a".repeat(129))).is_err());
        assert!(check_reference(&format!("ubuntu:{}", "a".repeat(128))).is_ok());
    }

    /// What the grammar accepts never holds a character outside `A-Za-z0-9._/:@+-`: the
    /// property `inline` text in the templates relies on.
    #[test]
    fn accepted_references_use_inert_characters_only() {
        let inert = |s: &str| {
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._/:@+-".contains(c))
        };
        let digest = format!("sha256+b64.x_y-z:{}", "A".repeat(40));
        for candidate in ["ghcr.io/a/b", "node:22", "localhost:1/a__b---c"] {
            assert!(check_reference(candidate).is_ok() && inert(candidate));
        }
        let with_digest = format!("r.io/a@{digest}");
        assert!(check_reference(&with_digest).is_ok() && inert(&with_digest));
    }
}
