//! INFER stage: the value a variable has where a command runs — a lone `$VAR` (`${VAR}`,
//! GitHub's `${{ env.VAR }}`) resolved from the assignments before the command in its unit,
//! then from the variables the unit sees (job and pipeline variables, a step's `env:`, a
//! called script's positional parameters). A value that still holds a variable, or is code
//! (a Jenkins `credentials('x')`), is no value: the name stays as written. Rules read names
//! (namespaces, contexts, releases) through here.

use crate::infer::commands::Unit;
use crate::infer::shell;

/// How many variables deep a name is followed (`NS=$TARGET`, `TARGET=$1`, ...).
const MAX_CHAIN: usize = 4;

/// Resolves a lone `$VAR` from assignments earlier in the unit, then from the job's variables
/// (a called script's positional parameters among them). A variable set from another
/// (`NAMESPACE=$1`) is followed, up to four steps ([`MAX_CHAIN`]); past that the name stays as written. Returns the name and a note suffix
/// saying where the value came from.
pub(crate) fn resolve(value: &str, unit: &Unit, idx: usize) -> (String, String) {
    let Some(first) = lone_var(value) else {
        return (value.to_owned(), String::new());
    };
    let how = format!(" (`${first}`)");
    let (mut current, mut idx) = (value.to_owned(), idx);
    for _ in 0..MAX_CHAIN {
        let Some(var) = lone_var(&current).map(str::to_owned) else {
            break;
        };
        // An assignment in a branch on the CI event or the branch holds there only: the rule
        // environment-from-event reads those.
        let earlier = unit
            .cmds
            .iter()
            .enumerate()
            .take(idx)
            .rev()
            .find_map(|(i, c)| {
                c.assigned(&var)
                    .filter(|_| shell::condition_branch(&unit.text, c.start).is_none())
                    .map(|v| (v, i))
            });
        match earlier {
            Some((v, _)) if !v.contains('$') && !v.is_empty() => {
                return (v, how);
            }
            // Followed only from an assignment that always runs: `ns=$ns_test` inside an
            // `if` on the script's argument holds in one branch.
            Some((v, at))
                if lone_var(&v).is_some()
                    && unit
                        .cmds
                        .get(at)
                        .is_some_and(|c| !shell::in_conditional(&unit.text, c.start)) =>
            {
                (current, idx) = (v, at)
            }
            Some(_) => break,
            None => {
                let (name, found) = resolve_vars(&current, &unit.vars);
                return if found.is_empty() {
                    (value.to_owned(), found)
                } else {
                    (name, how)
                };
            }
        }
    }
    (value.to_owned(), String::new())
}

/// Resolves a lone `$VAR` from the job's variables, as [`resolve`] does.
pub(crate) fn resolve_vars(value: &str, vars: &[(String, String)]) -> (String, String) {
    let Some(var) = lone_var(value) else {
        return (value.to_owned(), String::new());
    };
    // A value that is code (Jenkins `credentials('ns-id')`, a Groovy call) is no name.
    match vars.iter().rev().find(|(k, _)| k == var) {
        Some((_, v)) if !v.contains(['$', '(']) && !v.is_empty() => {
            (v.clone(), format!(" (`${var}`)"))
        }
        _ => (value.to_owned(), String::new()),
    }
}

/// `$NAME`, `${NAME}` or GitHub's `${{ env.NAME }}`.
pub(crate) fn lone_var(value: &str) -> Option<&str> {
    let v = value.trim();
    // GitHub's `${{ env.NAME }}` reads the same variables as the shell's `$NAME`.
    let github = v
        .strip_prefix("${{")
        .and_then(|r| r.strip_suffix("}}"))
        .and_then(|r| r.trim().strip_prefix("env."));
    let name = github.map(str::trim).or_else(|| {
        v.strip_prefix("${")
            .and_then(|r| r.strip_suffix('}'))
            .or_else(|| v.strip_prefix('$'))
    })?;
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(name)
}
