//! Which names name a secret: a key, an option or a variable, split into words.

/// Words that make a name secret wherever they stand.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pass",
    "passphrase",
    "passcode",
    "secret",
    "secrets",
    "token",
    "tokens",
    "apikey",
    "credential",
    "credentials",
    "creds",
    "auth",
    "authorization",
    "kubeconfig",
    "sas",
    "sig",
    "pat",
    "privatekey",
];

/// Words that make a later `key` secret (`api_key`, `client-key-data`, `SSH_PRIVATE_KEY`).
const KEY_QUALIFIERS: &[&str] = &[
    "secret",
    "private",
    "access",
    "api",
    "signing",
    "encryption",
    "client",
    "ssh",
    "deploy",
    "license",
    "master",
    "account",
    "storage",
    "service",
    "gpg",
    "pgp",
    "sas",
    "shared",
    "app",
    "auth",
    "session",
    "subscription",
    "primary",
    "secondary",
];

/// Last words of names that hold something other than the secret (`--password-stdin`,
/// `--token-file`, `credentialsId`, `secretName`, `passwordVariable`).
const NOT_A_VALUE: &[&str] = &[
    "id",
    "ids",
    "name",
    "names",
    "file",
    "files",
    "path",
    "paths",
    "dir",
    "stdin",
    "env",
    "type",
    "ttl",
    "mode",
    "ref",
    "role",
    "method",
    "url",
    "uri",
    "host",
    "server",
    "endpoint",
    "user",
    "username",
    "email",
    "length",
    "version",
    "format",
    "prefix",
    "expiry",
    "expires",
    "expiration",
    "scope",
    "scopes",
    "kind",
    "enabled",
    "source",
    "store",
    "helper",
    "manager",
    "provider",
    "arn",
    "region",
    "variable",
    "var",
    "vars",
    "required",
    "timeout",
    "count",
    "size",
];

/// Whether `name` (a key, option or variable name) names a secret.
pub(super) fn is_secret_name(name: &str) -> bool {
    let words = name_words(name);
    let (Some(first), Some(last)) = (words.first(), words.last()) else {
        return false;
    };
    if NOT_A_VALUE.contains(&last.as_str()) || first == "no" || (words.len() == 1 && first == "pwd")
    {
        return false;
    }
    words.iter().enumerate().any(|(i, w)| {
        let before = &words[..i];
        SECRET_WORDS.contains(&w.as_str())
            || (w == "config" && before.last().is_some_and(|p| p == "kube"))
            || (w == "string" && before.last().is_some_and(|p| p == "connection"))
            || (matches!(w.as_str(), "key" | "keys")
                && before.iter().any(|p| KEY_QUALIFIERS.contains(&p.as_str())))
    })
}

/// `--kubeconfig` and `KUBECONFIG=` take a path (a base64 kubeconfig there is still caught by
/// its shape).
pub(super) fn is_kubeconfig_path(name: &str) -> bool {
    name.eq_ignore_ascii_case("kubeconfig")
}

/// Whether `name` names a kubeconfig (whose value may be a path).
pub(super) fn is_kube(name: &str) -> bool {
    let words = name_words(name);
    words
        .iter()
        .enumerate()
        .any(|(i, w)| w == "kubeconfig" || (w == "config" && i > 0 && words[i - 1] == "kube"))
}

/// The lowercase words of a name, split at punctuation and camelCase (`acrPassword` → `acr`,
/// `password`; `AWSSecret` → `aws`, `secret`).
fn name_words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let chars: Vec<char> = part.chars().collect();
        let mut word = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
            let next = chars.get(i + 1).copied();
            let boundary = c.is_ascii_uppercase()
                && prev.is_some_and(|p| {
                    p.is_ascii_lowercase()
                        || p.is_ascii_digit()
                        || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
                });
            if boundary && !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            word.push(c.to_ascii_lowercase());
        }
        if !word.is_empty() {
            out.push(word);
        }
    }
    out
}
