//! A quoted word is read back by a real shell as exactly its text (plus the expansions it
//! asks for): checked with `sh` and `bash`, over arbitrary strings and shell metacharacters.

use std::process::Command;

use proptest::prelude::*;

use super::*;

/// Shell syntax and template syntax for the generator to mix in.
const AWKWARD: &[&str] = &[
    "'",
    "\"",
    "\\",
    "$",
    "`",
    "!",
    "*",
    "?",
    "~",
    "#",
    "\n",
    " ",
    "\t",
    ";",
    "|",
    "&",
    "$(id)",
    "${{ github.token }}",
    "{{ x }}",
    "%}",
    "${IFS}",
    "\\'",
    "'\\''",
    "-",
    "=",
    "é",
    "\u{85}",
];

fn awkward_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        proptest::sample::select(AWKWARD).prop_map(str::to_owned),
        "[a-z0-9./:@-]{1,4}",
        any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(piece, 0..10).prop_map(|parts| parts.concat().replace('\0', ""))
}

/// What `shell` prints for `printf %s <line>`, with `GG_VALUE` set to `value`.
fn printed(shell: &str, line: &str, value: &str) -> Option<String> {
    let out = Command::new(shell)
        .arg("-c")
        .arg(format!("printf %s {line}"))
        .env("GG_VALUE", value)
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The shells on this machine, of those generated pipelines run.
fn shells() -> Vec<&'static str> {
    ["sh", "bash"]
        .into_iter()
        .filter(|s| Command::new(s).arg("-c").arg(":").output().is_ok())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn a_quoted_word_reads_back_as_its_text(
        text in prop_oneof![awkward_text(), any::<String>().prop_map(|s| s.replace('\0', ""))],
        tail in awkward_text(),
        value in awkward_text(),
    ) {
        let plain = quote(&ShellWord::text(text.clone()));
        let expanding = quote(
            &ShellWord::text(text.clone()).then_expansion("${GG_VALUE}").then_text(tail.clone()),
        );
        for shell in shells() {
            prop_assert_eq!(printed(shell, &plain, &value), Some(text.clone()), "{} {}", shell, plain);
            prop_assert_eq!(
                printed(shell, &expanding, &value),
                Some(format!("{text}{value}{tail}")),
                "{} {}", shell, expanding
            );
        }
    }
}
