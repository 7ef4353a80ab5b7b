//! Helmsman (`helmsman --apply -f state.yaml`): Helm releases as a desired-state file lists
//! them, installed, upgraded and deleted by the flag that says to, not by a subcommand. Go's
//! flag package takes an option with one dash or two (`-apply`, `--apply`).

use super::{DeployMatch, DeployTool};
use crate::infer::shell::Command;

/// The deploy a `helmsman` command makes: `--apply` installs, upgrades and deletes the
/// releases of its state files (`-f`, `--spec`), `--destroy` deletes them all; `--dry-run`
/// changes nothing, and without either flag Helmsman only plans. Reported as Helm's, whose
/// releases they are.
pub(super) fn helmsman(program: &str, cmd: &Command) -> Option<DeployMatch> {
    if program != "helmsman" {
        return None;
    }
    let flag = |word: &str| {
        let name = word.strip_prefix("--").or_else(|| word.strip_prefix('-'))?;
        Some(name.split_once('=').map_or(name, |(n, _)| n).to_owned())
    };
    let flags: Vec<String> = cmd
        .words
        .iter()
        .skip(1)
        .filter_map(|w| flag(&w.text))
        .collect();
    let has = |name: &str| flags.iter().any(|f| f == name);
    let operation = if has("destroy") {
        "destroy"
    } else if has("apply") {
        "apply"
    } else {
        return None;
    };
    let paths = cmd
        .words
        .windows(2)
        .filter(|pair| matches!(flag(&pair[0].text).as_deref(), Some("f" | "spec")))
        .map(|pair| pair[1].text.clone())
        .collect();
    Some(DeployMatch {
        dry_run: has("dry-run"),
        paths,
        ..DeployMatch::new(DeployTool::Helm, operation)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(script: &str) -> Option<(String, bool, Vec<String>)> {
        let cmds = crate::infer::shell::commands(script, &[]);
        let program = cmds.first()?.program()?;
        helmsman(program, &cmds[0]).map(|m| (m.operation, m.dry_run, m.paths))
    }

    #[test]
    fn apply_and_destroy_change_the_releases_a_state_file_lists() {
        let state = vec!["./state.yaml".to_owned()];
        assert_eq!(
            read("helmsman --apply -f ./state.yaml"),
            Some(("apply".to_owned(), false, state.clone()))
        );
        assert_eq!(
            read("helmsman -apply -f ./state.yaml --keep-untracked-releases"),
            Some(("apply".to_owned(), false, state.clone()))
        );
        assert_eq!(
            read("helmsman --destroy --spec ./state.yaml"),
            Some(("destroy".to_owned(), false, state.clone()))
        );
        assert_eq!(
            read("helmsman --apply --dry-run -f ./state.yaml"),
            Some(("apply".to_owned(), true, state))
        );
    }

    #[test]
    fn a_plan_or_another_program_is_none() {
        assert_eq!(read("helmsman -f state.yaml"), None);
        assert_eq!(read("helmsman --debug --show-diff -f state.yaml"), None);
        assert_eq!(read("echo helmsman --apply"), None);
    }
}
