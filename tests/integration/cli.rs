//! The command line outside generate/init: schema, completions, man page, colors and usage
//! errors with their documented exit codes.

use crate::common::*;

#[test]
fn schema_is_valid_json_and_matches_the_shipped_file() {
    let (_tmp, dir) = named_dir("repo");
    let out = run(&dir, &["schema"]);
    assert_code(&out, 0);
    let printed: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("`schema` prints valid JSON");
    assert_eq!(printed["type"], "object");
    for key in ["version", "project", "environments", "apps"] {
        assert!(
            printed["properties"].get(key).is_some(),
            "schema describes `{key}`"
        );
    }
    // Editors point at schema/gitops-gen.schema.json; it must say what the binary says.
    let shipped = std::fs::read_to_string(crate_root().join("schema/gitops-gen.schema.json"))
        .expect("schema file");
    let shipped: serde_json::Value =
        serde_json::from_str(&shipped).expect("shipped schema is JSON");
    assert_eq!(printed, shipped);
    assert_eq!(
        list_files(&dir),
        Vec::<String>::new(),
        "`schema` writes nothing"
    );
}

#[test]
fn completions_bash_is_non_empty() {
    let (_tmp, dir) = named_dir("repo");
    let out = run(&dir, &["completions", "bash"]);
    assert_code(&out, 0);
    let script = stdout(&out);
    assert!(script.contains("gitops-gen"), "{script}");
    assert!(script.contains("generate"), "completes subcommands");
}

#[test]
fn man_page_is_non_empty_roff() {
    let (_tmp, dir) = named_dir("repo");
    let out = run(&dir, &["man"]);
    assert_code(&out, 0);
    let page = stdout(&out);
    assert!(page.contains(".TH"), "roff title header:\n{page}");
    assert!(page.contains("gitops"), "{page}");
}

#[test]
fn usage_errors_exit_2() {
    let (_tmp, dir) = named_dir("repo");
    assert_code(&run(&dir, &["no-such-command"]), 2);
    assert_code(&run(&dir, &["generate", "--no-such-flag"]), 2);
    assert_code(&run(&dir, &["init", "--yes", "--ci", "jenkins"]), 2);
    assert_code(&run(&dir, &["completions", "no-such-shell"]), 2);
    assert_eq!(list_files(&dir), Vec::<String>::new());
}

/// `--ci` and `--operator` take the model's spellings; anything else is refused by the argument
/// parser, which names the choices, before anything is written.
#[test]
fn init_choices_come_from_the_model() {
    let (_tmp, dir) = named_dir("repo");
    for (flag, value, choices) in [
        ("--ci", "jenkins", "github, gitlab, both"),
        ("--operator", "rancher", "flux, argocd, fleet"),
    ] {
        let out = run(&dir, &["init", "--yes", flag, value]);
        assert_code(&out, 2);
        let err = stderr(&out);
        assert!(err.contains(&format!("'{value}'")), "{err}");
        assert!(
            err.contains(&format!("[possible values: {choices}]")),
            "{err}"
        );
    }
    assert_eq!(list_files(&dir), Vec::<String>::new());
    let help = run(&dir, &["init", "--help"]);
    assert_code(&help, 0);
    for choice in ["- github:", "- gitlab:", "- both:", "- flux:", "- fleet:"] {
        assert!(stdout(&help).contains(choice), "{}", stdout(&help));
    }
}

#[test]
fn help_and_version_exit_0() {
    let (_tmp, dir) = named_dir("repo");
    let help = run(&dir, &["--help"]);
    assert_code(&help, 0);
    assert!(stdout(&help).contains("Exit codes"), "{}", stdout(&help));
    let version = run(&dir, &["--version"]);
    assert_code(&version, 0);
    assert!(stdout(&version).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn color_never_and_always() {
    let (_tmp, dir) = dir_with_model("repo", "models/two-apps.yaml");
    let plain = run(&dir, &["generate", "--dry-run"]);
    assert_code(&plain, 0);
    assert!(!stderr(&plain).contains('\x1b'), "{}", stderr(&plain));

    // `--color always` wins over NO_COLOR and a non-terminal stderr.
    let colored = gitops_gen_uncolored(&dir)
        .args(["--color", "always", "generate", "--dry-run"])
        .output()
        .expect("runs");
    assert_code(&colored, 0);
    assert!(stderr(&colored).contains('\x1b'), "{}", stderr(&colored));
    assert_eq!(list_files(&dir), ["gitops-gen.yaml"]);
}

#[test]
fn auto_does_not_color_a_pipe() {
    // Diagnostics go through miette's own handler, which must follow --color too: a pipe is not
    // a terminal, so `auto` means plain text for tools and logs.
    let (_tmp, dir) = dir_with_model("repo", "bad-models/wrong-type.yaml");
    let out = gitops_gen_uncolored(&dir)
        .args(["--color", "auto", "generate"])
        .output()
        .expect("runs");
    assert_code(&out, 2);
    assert!(!stderr(&out).contains('\x1b'), "{}", stderr(&out));
}
