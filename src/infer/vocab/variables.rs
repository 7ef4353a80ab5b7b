//! Variables and secrets a text references (`$X`, `${X}`, `${{ secrets.X }}`), by name only.

/// `$NAME`, `${NAME}`, `"$NAME"` → `NAME`; `${{ secrets.NAME }}` → `secrets.NAME`.
pub(crate) fn variable_name(word: &str) -> Option<String> {
    let refs = variable_refs(word);
    (refs.len() == 1 && word.trim_start().starts_with('$'))
        .then(|| refs.into_iter().next())
        .flatten()
}

/// Every variable or secret a text references: `$X`, `${X}`, `${{ secrets.X }}` (as
/// `secrets.X`), `$(X)` Azure macros are not variables and are skipped.
pub(crate) fn variable_refs(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'$' {
            i += 1;
            continue;
        }
        let rest = &text[i + 1..];
        if let Some(expr) = rest.strip_prefix("{{") {
            let end = expr.find("}}").unwrap_or(expr.len());
            let inner = &expr[..end];
            for part in inner.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            {
                if let Some(name) = part
                    .strip_prefix("secrets.")
                    .or_else(|| part.strip_prefix("env."))
                    && !name.is_empty()
                {
                    let prefix = if part.starts_with("secrets.") {
                        "secrets."
                    } else {
                        ""
                    };
                    out.push(format!("{prefix}{name}"));
                }
            }
            i += 3 + end;
            continue;
        }
        let (body, skip) = match rest.strip_prefix('{') {
            Some(r) => (r, 2),
            None => (rest, 1),
        };
        let len = body
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
            .map_or(body.len(), |(j, _)| j);
        let name = &body[..len];
        if !name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit()) {
            out.push(name.to_owned());
        }
        i += skip + len;
    }
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_refs_and_names() {
        assert_eq!(
            variable_refs("a $X ${Y_1} ${{ secrets.KUBE }} $1 $(Build.Id)"),
            ["X", "Y_1", "secrets.KUBE"]
        );
        assert_eq!(variable_name("$KUBE_TOKEN").as_deref(), Some("KUBE_TOKEN"));
        assert_eq!(variable_name("abc"), None);
        assert_eq!(variable_refs("é$é${"), Vec::<String>::new());
    }
}
