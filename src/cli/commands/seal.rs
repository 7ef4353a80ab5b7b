//! `gitops-gen seal`: MODEL (the environment's namespace and certificate) → SEAL → the
//! SealedSecret on standard output or in `--output`. The plaintext comes from standard input,
//! `--from-literal` or `--from-file`, and goes nowhere but the sealing.

use std::io::Read;
use std::path::Path;
use std::time::SystemTime;

use crate::Outcome;
use crate::cli::commands::load_model;
use crate::cli::ui::Ui;
use crate::cli::{SealArgs, SealScope};
use crate::error::Error;
use crate::model::decode::check_dns_label;
use crate::model::tree::GitopsTree;
use crate::seal::{self, PlainSecret, Scope, Target};

/// Kubernetes refuses Secrets over 1 MiB; nothing larger is read.
const MAX_SECRET_BYTES: u64 = 1024 * 1024;

/// Runs the command.
pub(crate) fn run(ui: &Ui, args: &SealArgs) -> Result<Outcome, Error> {
    let config = load_model(&args.dir)?;
    let env = config
        .environments
        .iter()
        .find(|e| e.name.value == args.env)
        .ok_or_else(|| {
            Error::Usage(format!(
                "there is no environment `{}` in gitops-gen.yaml",
                args.env
            ))
        })?;
    let cert_path = match &args.cert {
        Some(path) => path.clone(),
        None => args
            .dir
            .join(GitopsTree::of(&config).sealing_certificate(&args.env)),
    };
    let key = read_certificate(&cert_path, &args.env)?;
    let mut secret =
        if args.from_literal.is_empty() && args.from_file.is_empty() && args.from_env.is_empty() {
            let text = read_limited(std::io::stdin().lock(), "standard input")?;
            let text = String::from_utf8(text)
                .map_err(|_| Error::Usage("standard input is not UTF-8 text".to_owned()))?;
            seal::from_manifest(&text, "stdin", args.name.as_deref()).map_err(Error::Usage)?
        } else {
            PlainSecret::default()
        };
    add_values(&mut secret, args)?;
    let name = args
        .name
        .clone()
        .or_else(|| secret.name.clone())
        .ok_or_else(|| Error::Usage("name the Secret with --name".to_owned()))?;
    let namespace = args
        .namespace
        .clone()
        .or_else(|| secret.namespace.clone())
        .unwrap_or_else(|| env.namespace.clone());
    // A Secret's name is a DNS subdomain: labels joined by dots; its namespace one label.
    let name_ok = name.len() <= 253 && name.split('.').all(|l| check_dns_label(l).is_ok());
    for (what, value, ok) in [
        ("name", &name, name_ok),
        ("namespace", &namespace, check_dns_label(&namespace).is_ok()),
    ] {
        if !ok {
            return Err(Error::Usage(format!(
                "the Secret's {what} `{value}` is not a Kubernetes name"
            )));
        }
    }
    let scope = match args.scope {
        SealScope::Strict => Scope::Strict,
        SealScope::NamespaceWide => Scope::NamespaceWide,
        SealScope::ClusterWide => Scope::ClusterWide,
    };
    let comment = format!(
        "Sealed by `gitops-gen seal` with {}'s certificate (scope {}): only its controller can unseal it.",
        args.env,
        scope.as_str()
    );
    let target = Target {
        name: &name,
        namespace: &namespace,
        scope,
        comment: &comment,
    };
    let text = seal::seal(&secret, &target, &key).map_err(Error::Usage)?;
    for dropped in &secret.dropped {
        ui.note("dropped", dropped);
    }
    let keys: Vec<&str> = secret.values().map(|(k, _)| k).collect();
    match &args.output {
        Some(path) => {
            crate::write::atomic::write(path, &text)?;
            ui.status(
                "sealed",
                &format!(
                    "{} ({}) for {} into {}",
                    name,
                    keys.join(", "),
                    args.env,
                    path.display()
                ),
            );
        }
        None => ui.out(&text)?,
    }
    Ok(Outcome::Success)
}

/// The RSA key of the certificate at `path`.
pub(crate) fn read_certificate(path: &Path, env: &str) -> Result<rsa::RsaPublicKey, Error> {
    let bytes = std::fs::File::open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::Usage(format!(
                    "no sealing certificate at `{}`: fetch {env}'s with `kubeseal --fetch-cert \
                     > {}` (or pass --cert)",
                    path.display(),
                    path.display()
                ))
            } else {
                Error::io(format!("reading {}", path.display()), e)
            }
        })
        .and_then(|file| read_limited(file, &path.display().to_string()))?;
    let text = String::from_utf8_lossy(&bytes);
    seal::sealing_key(&text, SystemTime::now())
        .map_err(|why| Error::Usage(format!("`{}` {why}", path.display())))
}

/// `--from-literal`, `--from-file` and `--from-env` into `secret`.
fn add_values(secret: &mut PlainSecret, args: &SealArgs) -> Result<(), Error> {
    for literal in &args.from_literal {
        // The value is never part of a message: only what precedes `=`.
        let Some((key, value)) = literal.split_once('=') else {
            return Err(Error::Usage(
                "--from-literal takes KEY=VALUE, and one has no `=`".to_owned(),
            ));
        };
        secret
            .add(key, value.as_bytes().to_vec(), "--from-literal")
            .map_err(Error::Usage)?;
    }
    for spec in &args.from_file {
        let (key, path) = match spec.split_once('=') {
            Some((key, path)) => (key.to_owned(), Path::new(path)),
            None => {
                let path = Path::new(spec.as_str());
                let key = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                (key, path)
            }
        };
        let what = path.display().to_string();
        let file =
            std::fs::File::open(path).map_err(|e| Error::io(format!("reading {what}"), e))?;
        let value = read_limited(file, &what)?;
        secret
            .add(&key, value, &format!("--from-file {what}"))
            .map_err(Error::Usage)?;
    }
    for spec in &args.from_env {
        let Some((key, var)) = spec.split_once('=') else {
            return Err(Error::Usage(format!(
                "--from-env takes KEY=VAR, not `{spec}`"
            )));
        };
        // An unset variable is an error, an empty one too: a CI secret that is not set in
        // this environment would seal an empty value the app then runs with.
        let value = std::env::var_os(var)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                Error::Usage(format!(
                    "--from-env {key}={var}: the environment variable `{var}` is not set or empty"
                ))
            })?;
        let value = value
            .into_string()
            .map_err(|_| Error::Usage(format!("--from-env {key}={var}: `{var}` is not UTF-8")))?;
        secret
            .add(key, value.into_bytes(), &format!("--from-env {var}"))
            .map_err(Error::Usage)?;
    }
    Ok(())
}

/// All of `reader`, refused beyond [`MAX_SECRET_BYTES`].
fn read_limited(reader: impl Read, what: &str) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_SECRET_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(format!("reading {what}"), e))?;
    if bytes.len() as u64 > MAX_SECRET_BYTES {
        bytes.fill(0);
        return Err(Error::Usage(format!(
            "{what} is over 1 MiB, more than a Kubernetes Secret holds"
        )));
    }
    Ok(bytes)
}
