//! `migrate --write`: each plaintext Secret manifest the analysis found is replaced, in place, by
//! its SealedSecret, when it is clear which environment's controller unseals it and that
//! environment's certificate is in the tree. The file keeps its path (so whatever lists it still
//! does) and its other documents; only the Secret's document changes. The new text is sealed,
//! parsed back and checked (a SealedSecret with every key, no Secret left) before the file is
//! replaced atomically: the plaintext is never gone before the sealed form is written. Git's
//! history still holds it, which the report says.

use std::path::Path;

use crate::cli::commands::seal::read_certificate;
use crate::cli::ui::Ui;
use crate::error::Error;
use crate::files::safe_read::{self, Symlinks};
use crate::model::tree::GitopsTree;
use crate::model::{Config, Environment};
use crate::scan::{PlaintextSecret, SecretSource};
use crate::seal::{self, Scope, Target};
use crate::yaml::{self, Node};

/// What became of one plaintext Secret.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Resealed {
    /// Sealed in place for this environment.
    Sealed { env: String },
    /// Left as it is, and why.
    Left(String),
}

/// Seals every plaintext Secret manifest of `secrets` in place (with `write`), or says what it
/// would do; reports each on `ui`.
pub(crate) fn replace_plaintext(
    ui: &Ui,
    root: &Path,
    config: &Config,
    secrets: &[PlaintextSecret],
    write: bool,
) -> Result<(), Error> {
    for secret in secrets
        .iter()
        .filter(|s| s.source == SecretSource::Manifest)
    {
        let name = secret.name.as_deref().unwrap_or("(unnamed)");
        let place = format!("{}:{}", secret.file, secret.line);
        match reseal(root, config, secret, write)? {
            Resealed::Sealed { env } if write => ui.status(
                "sealed",
                &format!(
                    "{place} Secret `{name}` in place, for {env}; rotate its values: Git's \
                     history keeps the plaintext"
                ),
            ),
            Resealed::Sealed { env } => ui.status(
                "would seal",
                &format!("{place} Secret `{name}` in place, for {env} (with --write)"),
            ),
            Resealed::Left(why) => ui.note("plaintext", &format!("{place} Secret `{name}`: {why}")),
        }
    }
    Ok(())
}

fn reseal(
    root: &Path,
    config: &Config,
    found: &PlaintextSecret,
    write: bool,
) -> Result<Resealed, Error> {
    let path = Path::new(&found.file);
    let text = match safe_read::read_text(root, path, Symlinks::Refuse, safe_read::MAX_FILE_BYTES) {
        Ok(text) => text,
        Err(why) => return Ok(Resealed::Left(format!("not read: {why}"))),
    };
    let Ok(documents) = yaml::parse(&text) else {
        return Ok(Resealed::Left(
            "the file is no longer valid YAML".to_owned(),
        ));
    };
    let lines = crate::files::LineIndex::new(&text);
    let Some(document) = documents
        .iter()
        .find(|d| lines.line_number(d.span.start) == found.line && kind(d) == Some("Secret"))
    else {
        return Ok(Resealed::Left(
            "the file changed since the analysis".to_owned(),
        ));
    };
    let namespace = metadata(document, "namespace");
    let tree = GitopsTree::of(config);
    let certified: Vec<&Environment> = config
        .environments
        .iter()
        .filter(|e| !e.preview)
        .filter(|e| root.join(tree.sealing_certificate(&e.name.value)).is_file())
        .collect();
    let env = match namespace {
        Some(ns) => certified.iter().find(|e| e.namespace == ns),
        None if certified.len() == 1 => certified.first(),
        None => None,
    };
    let Some(env) = env else {
        let why = if certified.is_empty() {
            "no environment's certificate is in the tree yet (`kubeseal --fetch-cert > \
             infrastructure/overlays/<env>/sealed-secrets-cert.pem`)"
        } else {
            "which environment's controller unseals it is not clear (its namespace is none of \
             theirs); seal it with `gitops-gen seal --env <env>`"
        };
        return Ok(Resealed::Left(why.to_owned()));
    };
    let env_name = env.name.value.clone();
    let range = document.span.range();
    let plain = seal::from_manifest(&text[range.clone()], &found.file, None)
        .map_err(|why| Error::Usage(format!("sealing {}: {why}", found.file)))?;
    let cert = root.join(tree.sealing_certificate(&env_name));
    let key = read_certificate(&cert, &env_name)?;
    let name = plain
        .name
        .clone()
        .ok_or_else(|| Error::Usage(format!("{}: the Secret has no name", found.file)))?;
    let namespace = plain
        .namespace
        .clone()
        .unwrap_or_else(|| env.namespace.clone());
    let comment = format!(
        "Sealed in place by `gitops-gen migrate --write` with {env_name}'s certificate: only \
         its controller can unseal it."
    );
    let target = Target {
        name: &name,
        namespace: &namespace,
        scope: Scope::Strict,
        comment: &comment,
    };
    let sealed = seal::seal(&plain, &target, &key).map_err(Error::Usage)?;
    let keys: Vec<&str> = plain.values().map(|(k, _)| k).collect();
    let replaced = format!("{}{}{}", &text[..range.start], sealed, &text[range.end..]);
    check(&replaced, documents.len(), &name, &keys)
        .map_err(|why| Error::Internal(format!("sealing {} in place: {why}", found.file)))?;
    if write {
        crate::write::write_file(root, &found.file, &replaced)?;
    }
    Ok(Resealed::Sealed { env: env_name })
}

/// The replaced text still has `count` documents, no Secret `name`, and a SealedSecret `name`
/// with every key of `keys` in `encryptedData`.
fn check(text: &str, count: usize, name: &str, keys: &[&str]) -> Result<(), String> {
    let documents = yaml::parse(text).map_err(|_| "the result does not parse".to_owned())?;
    if documents.len() != count {
        return Err(format!("{} documents instead of {count}", documents.len()));
    }
    let named = |d: &&Node| metadata(d, "name") == Some(name);
    if documents
        .iter()
        .filter(named)
        .any(|d| kind(d) == Some("Secret"))
    {
        return Err("the Secret is still there".to_owned());
    }
    let sealed = documents
        .iter()
        .filter(named)
        .find(|d| kind(d) == Some("SealedSecret"))
        .ok_or("no SealedSecret")?;
    let data = sealed
        .as_map()
        .and_then(|m| m.get("spec"))
        .and_then(Node::as_map)
        .and_then(|m| m.get("encryptedData"))
        .and_then(Node::as_map)
        .ok_or("no encryptedData")?;
    match keys.iter().find(|k| data.get(k).is_none()) {
        Some(missing) => Err(format!("key `{missing}` is not sealed")),
        None => Ok(()),
    }
}

fn kind(document: &Node) -> Option<&str> {
    document.as_map()?.get("kind")?.as_str()
}

fn metadata<'a>(document: &'a Node, key: &str) -> Option<&'a str> {
    document
        .as_map()?
        .get("metadata")?
        .as_map()?
        .get(key)?
        .as_str()
}
