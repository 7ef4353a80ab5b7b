//! `gitops-gen seal`: what it writes unseals with an independent implementation (Python's
//! `cryptography`, tests/fixtures/seal/unseal.py) under the scope's label only, validates as a
//! SealedSecret, and the plaintext appears in no output and no file.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::*;

const MODEL: &str = "version: 1\nproject: shop\nci: github\nregistry: ghcr.io/acme\n\
    environments:\n  - {name: staging, branches: [main], namespace: shop-staging}\n\
    apps:\n  - {name: web}\n";

const PLAINTEXT: &str = "hunter2-correct-horse";

/// A repository with the model and staging's certificate where `seal` looks for it.
fn repo() -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, dir) = named_dir("repo");
    write(&dir, "gitops-gen.yaml", MODEL);
    let cert = std::fs::read_to_string(fixture("seal/cert.pem")).expect("cert");
    write(
        &dir,
        "infrastructure/overlays/staging/sealed-secrets-cert.pem",
        &cert,
    );
    (tmp, dir)
}

fn seal(dir: &Path, args: &[&str], stdin: &str) -> Output {
    gitops_gen(dir)
        .arg("seal")
        .args(args)
        .write_stdin(stdin.as_bytes().to_vec())
        .output()
        .expect("gitops-gen runs")
}

/// Whether Python with `cryptography` is here (`.ci/run` installs it); else why not.
fn python() -> Result<(), String> {
    let ok = Command::new("python3")
        .args(["-c", "import cryptography"])
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(()).ok_or_else(|| {
        "skipping the cross-implementation check: python3 with `cryptography` not found \
         (pip install cryptography)"
            .to_owned()
    })
}

/// `unseal.py` on `sealed` (a file), with `label` overriding the scope's: key → value.
fn unseal(sealed: &Path, label: Option<&str>) -> Result<Vec<(String, String)>, String> {
    let out = Command::new("python3")
        .arg(fixture("seal/unseal.py"))
        .arg(fixture("seal/key.pem"))
        .arg(sealed)
        .args(label)
        .output()
        .expect("python3 runs");
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| {
            let (key, hex) = line.split_once('\t').expect("key<TAB>hex");
            let bytes: Vec<u8> = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
                .collect();
            (key.to_owned(), String::from_utf8(bytes).expect("utf-8"))
        })
        .collect())
}

#[test]
fn a_manifest_from_stdin_unseals_elsewhere_under_its_scope_only() {
    let (_tmp, dir) = repo();
    let manifest = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  labels: {{app: web}}\n\
         stringData:\n  password: {PLAINTEXT}\ndata:\n  user: YWRtaW4=\n"
    );
    for (scope, label, wrong) in [
        ("strict", "shop-staging/db", "shop-staging/other"),
        ("namespace-wide", "shop-staging", "other"),
        ("cluster-wide", "", "shop-staging/db"),
    ] {
        let file = format!("applications/overlays/staging/db-{scope}.yaml");
        let out = seal(
            &dir,
            &["--env", "staging", "--scope", scope, "-o", &file],
            &manifest,
        );
        assert_code(&out, 0);
        let said = format!("{}{}", stdout(&out), stderr(&out));
        assert!(
            said.contains("sealed") && !said.contains(PLAINTEXT),
            "{said}"
        );
        let text = read(&dir, &file);
        assert!(
            text.contains("kind: SealedSecret\n") && text.contains("namespace: shop-staging\n")
        );
        if let Err(why) = python() {
            println!("{why}");
            continue;
        }
        let path = dir.join(&file);
        let values = unseal(&path, None).expect(scope);
        assert_eq!(
            values,
            [
                ("password".to_owned(), PLAINTEXT.to_owned()),
                ("user".to_owned(), "admin".to_owned())
            ]
        );
        assert_eq!(unseal(&path, Some(label)).expect(label), values);
        assert!(
            unseal(&path, Some(wrong)).is_err(),
            "{scope} unsealed under `{wrong}`"
        );
    }
    // Nothing anywhere holds the plaintext, or its base64.
    for (rel, bytes) in read_tree(&dir) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(PLAINTEXT) && !text.contains("YWRtaW4="),
            "{rel} holds the plaintext"
        );
    }
    match validate_strict(&dir.join("applications")) {
        None => println!("{VALIDATOR_MISSING}"),
        Some(result) => result.expect("the SealedSecrets validate"),
    }
}

#[test]
fn literals_and_files_are_sealed_and_never_echoed() {
    let (_tmp, dir) = repo();
    write(&dir, "secret.txt", PLAINTEXT);
    let literal = format!("token={PLAINTEXT}");
    let out = seal(
        &dir,
        &[
            "--env",
            "staging",
            "--name",
            "api",
            "--from-literal",
            &literal,
            "--from-file",
            "secret.txt",
        ],
        "",
    );
    assert_code(&out, 0);
    let text = stdout(&out);
    assert!(!text.contains(PLAINTEXT) && !stderr(&out).contains(PLAINTEXT));
    assert!(
        text.contains("    secret.txt: \"") && text.contains("    token: \""),
        "{text}"
    );
    if python().is_ok() {
        write(&dir, "out.yaml", &text);
        let values = unseal(&dir.join("out.yaml"), None).expect("unseals");
        assert!(values.iter().all(|(_, v)| v == PLAINTEXT), "{values:?}");
    }
    // Refusals name the problem, never the value.
    for (args, stdin, expected) in [
        (
            vec!["--env", "staging", "--from-literal", "no-equals-sign"],
            "",
            "takes KEY=VALUE",
        ),
        (
            vec!["--env", "staging", "--from-literal", "a=1"],
            "",
            "name the Secret with --name",
        ),
        (vec!["--env", "prod"], "", "there is no environment `prod`"),
        (
            vec!["--env", "staging"],
            "kind: Secret\nmetadata: {name: x}\ndata:\n  k: \"hunter2-correct-horse\n",
            "stdin:",
        ),
        (
            vec!["--env", "staging", "--cert", "missing.pem"],
            "",
            "no sealing certificate at `missing.pem`",
        ),
    ] {
        let out = seal(&dir, &args, stdin);
        assert_code(&out, 2);
        let err = stderr(&out);
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(!err.contains(PLAINTEXT), "{err}");
    }
    let expired = fixture("seal/expired.pem");
    let out = seal(
        &dir,
        &["--env", "staging", "--cert", &expired.to_string_lossy()],
        "kind: Secret\nmetadata: {name: x}\nstringData: {k: v}\n",
    );
    assert_code(&out, 2);
    assert!(stderr(&out).contains("expired on"), "{}", stderr(&out));
}

/// `--from-env` reads the value from the environment, as a CI job hands over a secret: never on
/// the command line, never echoed; an unset or empty variable is refused by name.
#[test]
fn values_from_the_environment_are_sealed_and_never_echoed() {
    let (_tmp, dir) = repo();
    let run = |vars: &[(&str, &str)]| {
        let mut cmd = gitops_gen(&dir);
        cmd.args(["seal", "--env", "staging", "--name", "db"])
            .args(["--from-env", "password=DB_PASSWORD"])
            .env_remove("DB_PASSWORD");
        for (k, v) in vars {
            cmd.env(k, v);
        }
        cmd.output().expect("gitops-gen runs")
    };
    let out = run(&[("DB_PASSWORD", PLAINTEXT)]);
    assert_code(&out, 0);
    let text = stdout(&out);
    assert!(!text.contains(PLAINTEXT) && !stderr(&out).contains(PLAINTEXT));
    assert!(text.contains("    password: \""), "{text}");
    if python().is_ok() {
        write(&dir, "out.yaml", &text);
        let values = unseal(&dir.join("out.yaml"), None).expect("unseals");
        assert_eq!(values, [("password".to_owned(), PLAINTEXT.to_owned())]);
    }
    for vars in [&[][..], &[("DB_PASSWORD", "")][..]] {
        let out = run(vars);
        assert_code(&out, 2);
        let err = stderr(&out);
        assert!(
            err.contains("the environment variable `DB_PASSWORD`") && err.contains("not set"),
            "{err}"
        );
    }
}

/// `analyze` names the command that seals each plaintext Secret, and that command, with the
/// environment filled in, seals the one Secret of a file that also holds other objects.
#[test]
fn the_command_analyze_suggests_seals_the_secret() {
    let (_tmp, dir) = repo();
    write(
        &dir,
        "k8s/db.yaml",
        &format!(
            "apiVersion: v1\nkind: Service\nmetadata: {{name: db}}\n---\n\
             apiVersion: v1\nkind: Secret\nmetadata: {{name: db}}\nstringData:\n  password: {PLAINTEXT}\n"
        ),
    );
    let out = run(&dir, &["analyze", "--format", "markdown"]);
    let report = stdout(&out);
    let command = "gitops-gen seal --env <env> --name db -o k8s/db-sealed.yaml < k8s/db.yaml";
    assert!(report.contains(command), "{report}");
    assert!(!report.contains(PLAINTEXT));
    let manifest = read(&dir, "k8s/db.yaml");
    let out = seal(
        &dir,
        &[
            "--env",
            "staging",
            "--name",
            "db",
            "-o",
            "k8s/db-sealed.yaml",
        ],
        &manifest,
    );
    assert_code(&out, 0);
    if python().is_ok() {
        let values = unseal(&dir.join("k8s/db-sealed.yaml"), None).expect("unseals");
        assert_eq!(values, [("password".to_owned(), PLAINTEXT.to_owned())]);
    }
}

/// What the seal workflow's job does, step by step: seal a CI secret from the environment into
/// the overlay's `secrets/`, then `generate` lists it in the overlay, which builds with the
/// SealedSecret and validates; the workflow itself names the secret only in `env:`.
#[test]
fn secrets_from_ci_are_sealed_into_the_overlay_and_listed() {
    let (_tmp, dir) = repo();
    let model = MODEL.replace(
        "environments:",
        "secrets:\n  from_ci:\n    - {env: staging, secret: db, key: password, from: DB_PASSWORD}\n\
         environments:",
    );
    write(&dir, "gitops-gen.yaml", &model);
    assert_code(&run(&dir, &["generate"]), 0);
    let workflow = read(&dir, ".github/workflows/gitops-seal-secrets.yml");
    assert!(
        workflow.contains("          DB_PASSWORD: \"${{ secrets.DB_PASSWORD }}\"\n"),
        "{workflow}"
    );
    let seal_line = "gitops-gen seal --env staging --name db --from-env password=DB_PASSWORD \
                     -o infrastructure/overlays/staging/secrets/db.yaml";
    assert!(workflow.contains(seal_line), "{workflow}");
    assert_eq!(
        workflow.matches("secrets.DB_PASSWORD").count(),
        1,
        "{workflow}"
    );

    // The job's steps.
    let out = gitops_gen(&dir)
        .args(seal_line.split(' ').skip(1).collect::<Vec<_>>())
        .env("DB_PASSWORD", PLAINTEXT)
        .output()
        .expect("gitops-gen runs");
    assert_code(&out, 0);
    // Any manifest there is listed, JSON too.
    write(
        &dir,
        "infrastructure/overlays/staging/secrets/settings.json",
        r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}}"#,
    );
    assert_code(&run(&dir, &["generate"]), 0);
    let overlay = read(&dir, "infrastructure/overlays/staging/kustomization.yaml");
    assert!(overlay.contains("  - secrets/db.yaml\n"), "{overlay}");
    assert!(overlay.contains("  - secrets/settings.json\n"), "{overlay}");
    assert_code(&run(&dir, &["generate", "--check"]), 0);
    if has_kubectl() {
        let built = kustomize_build(&dir, "infrastructure/overlays/staging");
        assert!(built.contains("kind: SealedSecret") && built.contains("namespace: shop-staging"));
        assert!(!built.contains(PLAINTEXT));
    }
    for file in [
        "infrastructure/overlays/staging/secrets/db.yaml",
        ".github/workflows/gitops-seal-secrets.yml",
    ] {
        assert!(!read(&dir, file).contains(PLAINTEXT), "{file}");
    }
    match validate_strict(&dir) {
        None => eprintln!("{VALIDATOR_MISSING}"),
        Some(result) => result.expect("the workflow and the SealedSecret validate"),
    }
}

/// `migrate --write` seals a plaintext Secret in place for the environment whose namespace it
/// names, keeping the file's other documents; the result unseals, and holds no plaintext.
#[test]
fn migrate_write_seals_plaintext_secrets_in_place() {
    let (_tmp, dir) = repo();
    git_repo(&dir, None);
    let manifest = format!(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: db\nspec:\n  ports: [{{port: 5432}}]\n\
         ---\n# the database password\napiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  \
         namespace: shop-staging\nstringData:\n  password: {PLAINTEXT}\n"
    );
    write(&dir, "k8s/db.yaml", &manifest);
    write(
        &dir,
        "k8s/other.yaml",
        &format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: other\n  namespace: elsewhere\nstringData:\n  token: {PLAINTEXT}\n"
        ),
    );
    let dry = run(&dir, &["migrate", "."]);
    assert_code(&dry, 0);
    assert!(stdout(&dry).contains("would seal") || stderr(&dry).contains("would seal"));
    assert_eq!(
        read(&dir, "k8s/db.yaml"),
        manifest,
        "nothing written without --write"
    );

    let out = run(&dir, &["migrate", "--write", "."]);
    assert_code(&out, 0);
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!all.contains(PLAINTEXT), "{all}");
    assert!(
        all.contains("k8s/db.yaml:9 Secret `db` in place, for staging"),
        "{all}"
    );
    assert!(all.contains("k8s/other.yaml:1 Secret `other`"), "{all}");
    let sealed = read(&dir, "k8s/db.yaml");
    assert!(!sealed.contains(PLAINTEXT), "{sealed}");
    assert!(
        sealed.starts_with("apiVersion: v1\nkind: Service\n")
            && sealed.contains("kind: SealedSecret"),
        "{sealed}"
    );
    assert!(
        read(&dir, "k8s/other.yaml").contains(PLAINTEXT),
        "left as it was"
    );
    if python().is_ok() {
        let values = unseal(&dir.join("k8s/db.yaml"), None).expect("unseals");
        assert_eq!(values, [("password".to_owned(), PLAINTEXT.to_owned())]);
    }
}
