//! The one folding of `.` and `..` segments in a repository-relative path, for references that
//! files make to each other (a script a job runs, a local action, a Kustomize resource).

/// The segments of `path` with empty and `.` segments dropped and each `..` taking away the
/// segment before it; `None` when a `..` would climb above the start. `a/./b/../c` → `[a, c]`.
pub(crate) fn fold(path: &str) -> Option<Vec<&str>> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts)
}

/// `path` read from folder `dir`, folded (`.` in `k8s/prod` is `k8s/prod`; `""` is the root);
/// `None` when it starts elsewhere (`/`, `~`, a variable, a URL) or climbs above the root.
pub(crate) fn relative(dir: &str, path: &str) -> Option<String> {
    if path.starts_with(['/', '~', '$']) || path.contains("://") {
        return None;
    }
    fold(&format!("{dir}/{path}")).map(|parts| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn segments_fold_and_never_climb_out() {
        assert_eq!(fold("a/./b/../c/"), Some(vec!["a", "c"]));
        assert_eq!(fold("./"), Some(vec![]));
        assert_eq!(fold("a/../../x"), None);
    }

    #[test]
    fn relative_paths_join_their_folder() {
        use super::relative;
        assert_eq!(relative("k8s/prod", ".").as_deref(), Some("k8s/prod"));
        assert_eq!(relative("a/$ENV", "../b").as_deref(), Some("a/b"));
        assert_eq!(relative("a", "..").as_deref(), Some(""));
        for elsewhere in ["/srv", "~/x", "$DIR/x", "https://x.io/a", "../../x"] {
            assert_eq!(relative("a", elsewhere), None, "{elsewhere}");
        }
    }
}
