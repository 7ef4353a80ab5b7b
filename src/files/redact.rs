//! Secret values out of text on its way to a report: [`redact`] is the one function every
//! command line, note and source snippet `analyze` prints goes through. Self-contained: it
//! knows nothing of CI systems and uses no other module.
//!
//! A secret value is replaced by [`MASK`]. These are secret values:
//! - the value of an option named like a secret (`--password X`, `--token=X`,
//!   `--docker-password=X`, `--client-secret X`, `--sas-token X`), and of `-p` on a line that
//!   logs in (`docker login -p X`); a value after `\` on the next line too;
//! - the value of `key=value` inside a word when the key names a secret
//!   (`--from-literal=password=X`, `--set a=1,db.password=X`, `NPM_TOKEN=X cmd`, `export K=X`,
//!   `?private_token=X`, `Password=X;`);
//! - the value of a `key: value` or `KEY = value` line whose key names a secret (YAML variables,
//!   `env:`, step inputs, Groovy `environment {}`), the block scalar under such a key
//!   (`kubeconfig: |`), the `value:` of an entry whose `name:` names a secret (Azure variables)
//!   or of a secret-named key's mapping (GitLab `DB_PASSWORD: {value: …}`), and the quoted value
//!   after a secret-named `key:` inside a line (Groovy maps);
//! - the password of URL userinfo (`https://user:X@host`), the whole userinfo when it is one
//!   word (`https://X@host`, but not `git@`), and the password of `-u user:X` / `--user user:X`;
//! - the credential after `Authorization: Bearer|Basic|token`;
//! - anything shaped like a credential wherever it stands: JWTs, AWS access key ids, GitHub,
//!   GitLab and Slack tokens, the body of a PEM private key, base64 blobs of 40 characters or
//!   more with high entropy.
//!
//! A key names a secret when one of its words (split at punctuation and camelCase) is a secret
//! word (`password`, `token`, `secret`, `auth`, `kubeconfig`, ...) or a qualified `key`
//! (`api_key`, `client-key-data`, `SSH_PRIVATE_KEY`), unless its last word says it holds
//! something else (`--password-stdin`, `--token-file`, `credentialsId`, `secretName`).
//!
//! A reference is a name, not a value, and always stays: a value that starts with `$` (`$VAR`,
//! `${VAR}`, `${{ secrets.X }}`, `$(var)`), `<<`, `{{`, `#{`, `*`, `%VAR%`, or Groovy's `env.`,
//! `params.` or `credentials(`. So do booleans and permission words after a key
//! (`persist-credentials: false`, `id-token: write`) and paths given for a kubeconfig
//! (`--kubeconfig kc`, `KUBECONFIG=kc`, `kubeconfig: ~/.kube/config`).
//!
//! Masking never removes a line break, so line numbers stay the same; [`Redacted::offset`]
//! maps a byte offset of the original text into the redacted one, so a label still points at
//! what it underlines. Redacting twice is harmless: a pass only ever replaces text with masks,
//! and on pipeline text the second pass finds nothing more.

mod lex;
mod names;
mod shapes;
#[cfg(test)]
mod tests;

use lex::{
    Terminators, is_block_indicator, is_harmless, is_key_char, is_reference, key_pair,
    looks_like_path, option, unquote, value_end, words,
};
use names::{is_kube, is_kubeconfig_path, is_secret_name};
use shapes::shapes;

/// What a secret value is replaced with.
pub(crate) const MASK: &str = "***";

/// Text with its secret values masked, and the way back from original offsets.
#[derive(Debug, Clone, Default)]
pub(crate) struct Redacted {
    /// The text with every secret value replaced by [`MASK`].
    pub(crate) text: String,
    /// Each replaced range of the original text, in order, with where its mask starts in
    /// `text`.
    edits: Vec<Edit>,
}

#[derive(Debug, Clone, Copy)]
struct Edit {
    start: usize,
    end: usize,
    at: usize,
}

impl Redacted {
    /// Where byte `original` of the original text is in [`Redacted::text`]: an offset inside a
    /// masked value maps to the start of its mask.
    pub(crate) fn offset(&self, original: usize) -> usize {
        let after = self.edits.partition_point(|e| e.start <= original);
        match after.checked_sub(1).and_then(|i| self.edits.get(i)) {
            None => original,
            Some(e) if original < e.end => e.at,
            Some(e) => e.at + MASK.len() + (original - e.end),
        }
    }
}

/// `text` with every secret value masked.
pub(crate) fn redacted(text: &str) -> String {
    redact(text).text
}

/// `text` with every secret value masked, with the offset map.
pub(crate) fn redact(text: &str) -> Redacted {
    let mut ranges = Vec::new();
    let mut state = State::default();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.strip_suffix('\n').unwrap_or(line);
        let content = content.strip_suffix('\r').unwrap_or(content);
        for (start, end) in state.line(content) {
            ranges.push((offset + start, offset + end));
        }
        offset += line.len();
    }
    apply(text, ranges)
}

/// Replaces each of `ranges` (merged where they touch) by [`MASK`].
fn apply(text: &str, mut ranges: Vec<(usize, usize)>) -> Redacted {
    ranges.retain(|(s, e)| s < e);
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (s, e) in ranges {
        let (s, e) = (floor_boundary(text, s), ceil_boundary(text, e));
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let mut out = Redacted {
        text: String::with_capacity(text.len()),
        edits: Vec::with_capacity(merged.len()),
    };
    let mut cursor = 0;
    for (start, end) in merged {
        out.text
            .push_str(text.get(cursor..start).unwrap_or_default());
        out.edits.push(Edit {
            start,
            end,
            at: out.text.len(),
        });
        out.text.push_str(MASK);
        cursor = end;
    }
    out.text.push_str(text.get(cursor..).unwrap_or_default());
    out
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// What a line leaves for the lines after it.
#[derive(Default)]
struct State {
    /// Inside the block scalar of a secret key at this column: deeper lines are masked.
    block: Option<usize>,
    /// Inside a PEM private key: lines are masked until its `-----END` line.
    pem: bool,
    /// The previous line ended in a secret option and `\`: this line starts with its value.
    pending: bool,
    /// Where a `value:` key holds a secret.
    keyed: Option<Keyed>,
}

/// Where a `value:` key holds a secret.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keyed {
    /// Next to `name: <secret>` at this column (Azure variables).
    Sibling(usize),
    /// Below `<SECRET>:` at this column (GitLab's `value:` form).
    Children(usize),
}

impl State {
    /// The byte ranges of `line` (without its line break) to mask.
    fn line(&mut self, line: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let body = line.trim_start_matches([' ', '\t']);
        let indent = line.len() - body.len();
        if body.trim_end().is_empty() {
            return out;
        }
        if self.pem {
            // The body is masked; the `-----END` line closes it and is shown as written.
            if line.contains("-----END") {
                self.pem = false;
            } else {
                out.push((indent, line.len()));
            }
            return out;
        }
        if let Some(col) = self.block {
            if indent > col {
                out.push((indent, line.len()));
                return out;
            }
            self.block = None;
        }
        self.keyed = match self.keyed {
            Some(Keyed::Sibling(c)) if indent < c => None,
            Some(Keyed::Children(c)) if indent <= c => None,
            keyed => keyed,
        };
        let words = words(line);
        if std::mem::take(&mut self.pending)
            && let Some(&(start, _)) = words.first()
        {
            mask_value(line, start, Terminators::Word, false, &mut out);
        }
        self.key_line(line, &mut out);
        self.word_rules(line, &words, &mut out);
        shapes(line, &mut out);
        // A PEM header ends its line (`echo "-----BEGIN RSA PRIVATE KEY-----`).
        let header = line.trim_end_matches([' ', '\t', '"', '\'', '\\']);
        if line.contains("-----BEGIN") && header.ends_with("PRIVATE KEY-----") {
            self.pem = true;
        }
        out
    }

    /// A line that is a `key: value` or `KEY = value` pair.
    fn key_line(&mut self, line: &str, out: &mut Vec<(usize, usize)>) {
        let Some(pair) = key_pair(line) else {
            return;
        };
        let value = line.get(pair.value..).unwrap_or_default().trim_end();
        let key = pair.key.to_ascii_lowercase();
        if key == "name" {
            if is_secret_name(unquote(value)) {
                self.keyed = Some(Keyed::Sibling(pair.col));
            } else if self.keyed == Some(Keyed::Sibling(pair.col)) {
                self.keyed = None;
            }
            return;
        }
        let keyed = match self.keyed {
            Some(Keyed::Sibling(c)) => key == "value" && c == pair.col,
            Some(Keyed::Children(c)) => key == "value" && pair.col > c,
            None => false,
        };
        if !keyed && !is_secret_name(pair.key) {
            return;
        }
        if value.is_empty() || value.starts_with('#') {
            self.keyed = Some(Keyed::Children(pair.col));
        } else if is_block_indicator(value) {
            self.block = Some(pair.col);
        } else if !(is_harmless(value) || (is_kube(pair.key) && looks_like_path(unquote(value)))) {
            let end = if value.starts_with(['"', '\'']) {
                value_end(line, pair.value, Terminators::Word)
            } else {
                pair.value + value.len()
            };
            out.push((pair.value, end));
        }
    }

    /// Options, `key=value` words, URL userinfo and `key:` inside a line.
    fn word_rules(&mut self, line: &str, words: &[(usize, usize)], out: &mut Vec<(usize, usize)>) {
        let login = words.iter().any(|&(s, e)| {
            line.get(s..e)
                .is_some_and(|w| w.trim_matches(|c: char| !c.is_ascii_alphanumeric()) == "login")
        });
        for (i, &(start, end)) in words.iter().enumerate() {
            let word = line.get(start..end).unwrap_or_default();
            let next = words.get(i + 1).copied();
            if let Some(opt) = option(word) {
                let secret = (is_secret_name(opt.name) && !is_kubeconfig_path(opt.name))
                    || (opt.name == "p" && opt.single && login);
                let user = matches!((opt.single, opt.name), (true, "u") | (false, "user"));
                let kube = is_kube(opt.name);
                let value = match opt.eq {
                    Some(eq) => Some(start + eq + 1),
                    None => match next.and_then(|(s, e)| Some((s, line.get(s..e)?))) {
                        Some((_, "\\")) if i + 2 == words.len() => {
                            self.pending |= secret;
                            None
                        }
                        Some((s, w)) if !w.starts_with('-') => Some(s),
                        _ => None,
                    },
                };
                if let Some(at) = value {
                    if secret {
                        mask_value(line, at, Terminators::Word, kube, out);
                    } else if user {
                        mask_password_of_pair(line, at, out);
                    }
                }
            }
            key_values(line, start, end, out);
            userinfo(line, start, end, out);
            if let Some((s, _)) = next {
                inline_key(line, word, s, words.get(i + 2).map(|w| w.0), out);
            }
        }
    }
}

/// `key:` inside a line (`[password: 'x']`, `"Authorization: Bearer x"`): masks the value that
/// starts at `next` (or the one after a scheme word such as `Bearer`).
fn inline_key(
    line: &str,
    word: &str,
    next: usize,
    after: Option<usize>,
    out: &mut Vec<(usize, usize)>,
) {
    let Some(name) = word
        .trim_start_matches(['[', '{', '(', ',', '"', '\''])
        .strip_suffix(':')
    else {
        return;
    };
    if name.is_empty() || !name.chars().all(is_key_char) || !is_secret_name(name) {
        return;
    }
    let first = line
        .get(next..value_end(line, next, Terminators::List))
        .unwrap_or_default();
    let scheme = ["bearer", "basic", "token", "digest", "negotiate"]
        .iter()
        .any(|s| first.eq_ignore_ascii_case(s));
    let at = if scheme { after } else { Some(next) };
    if let Some(at) = at {
        let value = line.get(at..value_end(line, at, Terminators::List));
        if !value.is_some_and(|v| is_block_indicator(v) || is_harmless(v)) {
            mask_value(line, at, Terminators::List, false, out);
        }
    }
}

/// `key=value` pairs inside the word at `start..end` whose key names a secret.
fn key_values(line: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let word = line.get(start..end).unwrap_or_default();
    let bytes = word.as_bytes();
    for (j, _) in word.match_indices('=') {
        let prev = j.checked_sub(1).and_then(|p| bytes.get(p)).copied();
        if j == 0
            || matches!(prev, Some(b'=' | b'!' | b'<' | b'>'))
            || bytes.get(j + 1) == Some(&b'=')
        {
            continue;
        }
        let key_start = word[..j]
            .char_indices()
            .rfind(|(_, c)| !is_key_char(*c))
            .map_or(0, |(p, c)| p + c.len_utf8());
        let key = &word[key_start..j];
        if !key.is_empty() && is_secret_name(key) && !is_kubeconfig_path(key) {
            mask_value(line, start + j + 1, Terminators::List, is_kube(key), out);
        }
    }
}

/// The userinfo of URLs inside the word at `start..end`: the password, or the whole userinfo
/// when it is one word.
fn userinfo(line: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let word = line.get(start..end).unwrap_or_default();
    let mut from = 0;
    while let Some(found) = word.get(from..).and_then(|w| w.find("://")) {
        let info_start = from + found + 3;
        let rest = word.get(info_start..).unwrap_or_default();
        let authority = rest
            .find(['/', '?', '#', '"', '\'', '`'])
            .unwrap_or(rest.len());
        if let Some(at) = rest[..authority].rfind('@') {
            let info = &rest[..at];
            let (mask_from, masked) = match info.split_once(':') {
                Some((user, pass)) => (user.len() + 1, pass),
                None => (0, info),
            };
            if !masked.is_empty() && !is_reference(masked) && masked != "git" {
                out.push((start + info_start + mask_from, start + info_start + at));
            }
        }
        from = info_start;
    }
}

/// Masks the password of the `user:password` value starting at `at` (`curl -u user:x`),
/// unless it is a reference or a number (`docker run -u 1000:1000`).
fn mask_password_of_pair(line: &str, at: usize, out: &mut Vec<(usize, usize)>) {
    let end = value_end(line, at, Terminators::Word);
    let value = line.get(at..end).unwrap_or_default();
    let inner = value.trim_end_matches(['"', '\'']);
    let Some(colon) = inner.find(':') else {
        return;
    };
    let pass = &inner[colon + 1..];
    if !pass.is_empty() && !is_reference(pass) && !pass.bytes().all(|b| b.is_ascii_digit()) {
        out.push((at + colon + 1, at + inner.len()));
    }
}

/// Masks the value that starts at `at`, unless it is a reference (or, for a kubeconfig, a
/// path).
fn mask_value(line: &str, at: usize, stop: Terminators, kube: bool, out: &mut Vec<(usize, usize)>) {
    let end = value_end(line, at, stop);
    let value = line.get(at..end).unwrap_or_default();
    if value.is_empty() || is_reference(value) || (kube && looks_like_path(unquote(value))) {
        return;
    }
    out.push((at, end));
}
