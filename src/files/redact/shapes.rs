//! Credentials recognised by their shape alone, wherever they stand in a line.

/// Prefixes of tokens issued by well-known services.
const TOKEN_PREFIXES: &[&str] = &[
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "gldt-",
    "glrt-",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "xoxr-",
    "xapp-",
    "sk_live_",
    // Google API keys.
    "AIza",
];

/// The length of the token `text` starts with: a JWT, a known service token (to the end of
/// the run) or an AWS access key id (20 characters).
fn token_at(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    if text.starts_with("eyJ") {
        let segments: Vec<&str> = text.splitn(4, '.').collect();
        return (segments.len() >= 3 && segments[1].starts_with("eyJ")).then_some(text.len());
    }
    if let Some(prefix) = TOKEN_PREFIXES.iter().find(|p| text.starts_with(*p)) {
        let rest = &text[prefix.len()..];
        return (rest.len() >= 16 && rest.bytes().any(|b| b.is_ascii_digit()))
            .then_some(text.len());
    }
    let upper = |b: &u8| b.is_ascii_uppercase() || b.is_ascii_digit();
    let aws = (text.starts_with("AKIA") || text.starts_with("ASIA"))
        && bytes.get(..20).is_some_and(|key| key.iter().all(upper))
        && !bytes.get(20).is_some_and(upper);
    aws.then_some(20)
}

/// Credential-shaped runs anywhere in a line: JWTs, known token prefixes, AWS access key ids,
/// long high-entropy base64.
pub(super) fn shapes(line: &str, out: &mut Vec<(usize, usize)>) {
    let bytes = line.as_bytes();
    let token_byte = |b: u8| {
        b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'.' | b'-' | b'%')
    };
    let mut i = 0;
    while i < bytes.len() {
        if !token_byte(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && token_byte(bytes[i]) {
            i += 1;
        }
        run_shapes(line, start, i, out);
    }
}

fn run_shapes(line: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let run = &line[start..end];
    let bytes = run.as_bytes();
    // Tokens start a word: at the run's start or after a byte that is not alphanumeric.
    for k in 0..bytes.len() {
        if k > 0 && bytes[k - 1].is_ascii_alphanumeric() {
            continue;
        }
        let rest = &run[k..];
        if let Some(len) = token_at(rest) {
            out.push((start + k, start + k + len));
        }
    }
    // Base64 pieces: split at `._-%` and at a `=` that is not padding (`KEY=value`).
    let mut from = 0;
    for k in 0..=bytes.len() {
        let split = match bytes.get(k) {
            None => true,
            Some(b'.' | b'_' | b'-' | b'%') => true,
            Some(b'=') => bytes.get(k + 1).is_some_and(|b| *b != b'='),
            Some(_) => false,
        };
        if split {
            let piece = &run[from..k];
            if piece.len() >= 40 && is_opaque(piece) {
                out.push((start + from, start + k));
            }
            from = k + 1;
        }
    }
}

/// Base64-looking text with upper and lower case letters, digits and high entropy (random or
/// encoded data, not a path or a word).
fn is_opaque(text: &str) -> bool {
    let bytes = text.as_bytes();
    let has = |f: fn(&u8) -> bool| bytes.iter().any(f);
    if !(has(u8::is_ascii_uppercase) && has(u8::is_ascii_lowercase) && has(u8::is_ascii_digit)) {
        return false;
    }
    let mut counts = [0usize; 256];
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
    let n = bytes.len() as f64;
    let entropy: f64 = counts
        .iter()
        .filter(|c| **c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum();
    entropy >= 4.3
}
