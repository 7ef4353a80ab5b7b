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

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn segments_fold_and_never_climb_out() {
        assert_eq!(fold("a/./b/../c/"), Some(vec!["a", "c"]));
        assert_eq!(fold("./"), Some(vec![]));
        assert_eq!(fold("a/../../x"), None);
    }
}
