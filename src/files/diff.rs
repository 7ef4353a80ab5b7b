//! Unified diffs for `--check`, `--diff` and `--dry-run`.

use similar::{ChangeTag, TextDiff};

/// A unified diff of `old` → `new` with `a/` and `b/` paths, colored when asked.
pub(crate) fn unified(path: &str, old: &str, new: &str, color: bool) -> String {
    let diff = TextDiff::configure()
        .algorithm(similar::Algorithm::Patience)
        .diff_lines(old, new);
    let mut out = String::new();
    let (a, b) = (
        if old.is_empty() {
            "/dev/null".to_owned()
        } else {
            format!("a/{path}")
        },
        if new.is_empty() {
            "/dev/null".to_owned()
        } else {
            format!("b/{path}")
        },
    );
    out.push_str(&paint(&format!("--- {a}\n+++ {b}\n"), "1", color));
    for group in diff.grouped_ops(3) {
        let (first, last) = match (group.first(), group.last()) {
            (Some(f), Some(l)) => (f, l),
            _ => continue,
        };
        let old_range = first.old_range().start..last.old_range().end;
        let new_range = first.new_range().start..last.new_range().end;
        out.push_str(&paint(
            &format!(
                "@@ -{},{} +{},{} @@\n",
                old_range.start + 1,
                old_range.len(),
                new_range.start + 1,
                new_range.len()
            ),
            "36",
            color,
        ));
        for op in &group {
            for change in diff.iter_changes(op) {
                let (sign, code) = match change.tag() {
                    ChangeTag::Delete => ('-', "31"),
                    ChangeTag::Insert => ('+', "32"),
                    ChangeTag::Equal => (' ', ""),
                };
                let mut line = format!("{sign}{}", change.value());
                if !line.ends_with('\n') {
                    line.push_str("\n\\ No newline at end of file\n");
                }
                out.push_str(&if code.is_empty() {
                    line
                } else {
                    paint(&line, code, color)
                });
            }
        }
    }
    out
}

fn paint(text: &str, code: &str, color: bool) -> String {
    if !color {
        return text.to_owned();
    }
    text.split_inclusive('\n')
        .map(|l| match l.strip_suffix('\n') {
            Some(l) => format!("\x1b[{code}m{l}\x1b[0m\n"),
            None => format!("\x1b[{code}m{l}\x1b[0m"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_unified_diff() {
        let d = unified("x.yml", "a\nb\n", "a\nc\n", false);
        assert_eq!(d, "--- a/x.yml\n+++ b/x.yml\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n");
    }
}
