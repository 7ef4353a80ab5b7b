//! The pieces of a line the rules look at: words, options, `key: value` pairs, where a value
//! ends, and what a value is (a reference, a path, a block scalar).

/// Which characters end an unquoted value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Terminators {
    /// Whitespace, quotes and shell operators.
    Word,
    /// Those and list separators (`,`, `]`, `}`), for `--set a=1,b=2` and Groovy maps.
    List,
}

/// Where the value starting at `at` ends: after its closing quote when quoted, else at the
/// first terminator.
pub(super) fn value_end(line: &str, at: usize, stop: Terminators) -> usize {
    let bytes = line.as_bytes();
    match bytes.get(at) {
        Some(&quote @ (b'"' | b'\'')) => {
            let mut i = at + 1;
            while let Some(&b) = bytes.get(i) {
                if b == b'\\' && quote == b'"' {
                    i += 2;
                    continue;
                }
                if b == quote {
                    return i + 1;
                }
                i += 1;
            }
            bytes.len()
        }
        _ => {
            let mut i = at;
            while let Some(&b) = bytes.get(i) {
                let ends = b.is_ascii_whitespace()
                    || matches!(
                        b,
                        b'"' | b'\'' | b'`' | b';' | b'|' | b'&' | b'<' | b'>' | b')'
                    )
                    || (stop == Terminators::List && matches!(b, b',' | b']' | b'}'));
                if ends {
                    break;
                }
                i += 1;
            }
            i.min(bytes.len())
        }
    }
}

/// The whitespace-separated words of a line, as byte ranges.
pub(super) fn words(line: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, b) in line.bytes().enumerate() {
        match (b.is_ascii_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, line.len()));
    }
    out
}

/// An option word: `-x`, `--name`, or `--name=value` (`eq` is the offset of `=`).
pub(super) struct Opt<'a> {
    pub(super) name: &'a str,
    pub(super) single: bool,
    pub(super) eq: Option<usize>,
}

pub(super) fn option(word: &str) -> Option<Opt<'_>> {
    let dashes = if word.starts_with("--") {
        2
    } else if word.starts_with('-') {
        1
    } else {
        return None;
    };
    let rest = &word[dashes..];
    let len = rest.find(|c: char| !is_key_char(c)).unwrap_or(rest.len());
    let name = &rest[..len];
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    let eq = match rest[len..].chars().next() {
        None => None,
        Some('=') => Some(dashes + len),
        Some(_) => return None,
    };
    Some(Opt {
        name,
        single: dashes == 1,
        eq,
    })
}

/// A `key: value` or `KEY = value` line: the key, its column and where the value starts.
pub(super) struct Pair<'a> {
    pub(super) key: &'a str,
    pub(super) col: usize,
    pub(super) value: usize,
}

pub(super) fn key_pair(line: &str) -> Option<Pair<'_>> {
    let bytes = line.as_bytes();
    let skip_spaces = |mut i: usize| {
        while matches!(bytes.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        i
    };
    let mut i = skip_spaces(0);
    if bytes.get(i) == Some(&b'-') && matches!(bytes.get(i + 1), Some(b' ' | b'\t')) {
        i = skip_spaces(i + 1);
    }
    for prefix in [
        "export ",
        "def ",
        "final ",
        "String ",
        "var ",
        "readonly ",
        "local ",
    ] {
        if line.get(i..).is_some_and(|r| r.starts_with(prefix)) {
            i = skip_spaces(i + prefix.len());
            break;
        }
    }
    let col = i;
    let quote = bytes.get(i).copied().filter(|b| matches!(b, b'"' | b'\''));
    let key_start = i + usize::from(quote.is_some());
    let mut j = key_start;
    while bytes.get(j).is_some_and(|b| is_key_char(*b as char)) {
        j += 1;
    }
    let key = line.get(key_start..j)?;
    if key.is_empty() || key.starts_with('-') {
        return None;
    }
    if let Some(q) = quote {
        if bytes.get(j) != Some(&q) {
            return None;
        }
        j += 1;
    }
    let after = skip_spaces(j);
    let spaced = after > j;
    let gap = |k: usize| bytes.get(k).is_none_or(|b| matches!(b, b' ' | b'\t'));
    let value = match bytes.get(after) {
        Some(b':') if gap(after + 1) => skip_spaces(after + 1),
        Some(b'=') if spaced || gap(after + 1) => skip_spaces(after + 1),
        _ => return None,
    };
    Some(Pair { key, col, value })
}

pub(super) fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// `|`, `>-`, `|2+`: the start of a YAML block scalar.
pub(super) fn is_block_indicator(value: &str) -> bool {
    let v = value.split(" #").next().unwrap_or_default().trim();
    v.starts_with(['|', '>']) && v[1..].chars().all(|c| matches!(c, '-' | '+' | '0'..='9'))
}

/// A value after a key that is never a secret: a reference, a boolean, null, or a permission
/// word (`id-token: write`, `secrets: inherit`).
pub(super) fn is_harmless(value: &str) -> bool {
    let v = unquote(value).trim();
    is_reference(v)
        || [
            "true", "false", "yes", "no", "on", "off", "null", "~", "none", "read", "write",
            "inherit",
        ]
        .iter()
        .any(|w| v.eq_ignore_ascii_case(w))
}

/// A value that names something instead of holding it (see the module doc).
pub(super) fn is_reference(value: &str) -> bool {
    let v = unquote(value.trim()).trim();
    v.is_empty()
        || v.starts_with(['$', '*'])
        || ["<<", "{{", "#{", "env.", "params.", "credentials("]
            .iter()
            .any(|p| v.starts_with(p))
        || (v.len() > 2 && v.starts_with('%') && v.ends_with('%'))
}

/// `value` without one pair of surrounding quotes (or a lone opening one).
pub(super) fn unquote(value: &str) -> &str {
    let v = value.trim();
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q) {
            return inner.strip_suffix(q).unwrap_or(inner);
        }
    }
    v
}

/// A file path (`~/.kube/config`, `/tmp/kc`, `kubeconfig.yaml`); base64 never looks like one.
pub(super) fn looks_like_path(value: &str) -> bool {
    !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '~' | '-'))
        && (value.starts_with('/') || value.contains(['.', '~']))
}
