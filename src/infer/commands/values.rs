//! INFER stage: the value a variable has where a command runs — a lone `$VAR` (`${VAR}`,
//! GitHub's `${{ env.VAR }}`) resolved from the assignments before the command in its unit,
//! then from the variables the unit sees (job and pipeline variables, a step's `env:`, a
//! called script's positional parameters). A value that still holds a variable, or is code
//! (a Jenkins `credentials('x')`), is no value: the name stays as written. Rules read names
//! (namespaces, contexts, releases) through here.

use crate::infer::commands::Unit;
use crate::infer::shell::Lookup;

/// How many variables deep a name is followed (`NS=$TARGET`, `TARGET=$1`, ...).
const MAX_CHAIN: usize = 4;

/// Resolves a lone `$VAR` from assignments earlier in the unit, then from the job's variables
/// (a called script's positional parameters among them). A variable set from another
/// (`NAMESPACE=$1`) is followed, up to four steps ([`MAX_CHAIN`]); past that the name stays as written. Returns the name and a note suffix
/// saying where the value came from.
pub(crate) fn resolve(value: &str, unit: &Unit, idx: usize) -> (String, String) {
    if let Some((var, default)) = with_default(value) {
        return match or_default(var, default, unit, idx, MAX_CHAIN) {
            Followed::Value(v) => (v, format!(" (`{}`)", value.trim())),
            _ => (value.to_owned(), String::new()),
        };
    }
    let Some(first) = lone_var(value) else {
        // `shop-$ENV`: each variable from an assignment that always runs before the command,
        // else from the job's variables.
        let lookup = |name: &str| {
            let earlier = unit
                .cmds
                .iter()
                .take(idx)
                .rev()
                .find_map(|c| c.assigned(name).map(|v| (v, unit.in_conditional(c.start))));
            match earlier {
                Some((v, false)) => Some(v),
                Some((_, true)) => None,
                None => var_value(&unit.vars, name),
            }
        };
        return match value
            .contains('$')
            .then(|| substitute(value, &lookup, MAX_CHAIN))
        {
            Some(Some(done)) if done != value => (done, format!(" (`{}`)", value.trim())),
            _ => (value.to_owned(), String::new()),
        };
    };
    let how = format!(" (`${first}`)");
    match follow(value, unit, idx) {
        Followed::Value(v) => (v, how),
        // An earlier step set it per branch or event: one value is no answer ([`chain_end`]).
        Followed::Unset(var) if unit.vars.set_on_branch(&var) => (value.to_owned(), String::new()),
        Followed::Unset(var) => match lookup_vars(&var, &unit.vars) {
            Some(v) => (v, how),
            None => (value.to_owned(), String::new()),
        },
        Followed::Template(_) | Followed::Stop => (value.to_owned(), String::new()),
    }
}

/// Where following a lone variable through the assignments before a command ends.
enum Followed {
    /// At a plain value.
    Value(String),
    /// At a variable no assignment before the command sets: the unit's variables (or values
    /// set per branch) say what it is.
    Unset(String),
    /// At a value built around a variable an earlier step set per branch or event
    /// (`shop-${{ steps.env.outputs.tier }}`), which one value cannot stand for.
    Template(String),
    /// At a value that is neither, or past [`MAX_CHAIN`].
    Stop,
}

/// Follows the lone variable `value` back through the unit's assignments before command `idx`
/// (`NS=$TARGET`, `TARGET=$1`), each one that always runs (not inside an `if` or `case`), up to
/// [`MAX_CHAIN`] steps.
fn follow(value: &str, unit: &Unit, idx: usize) -> Followed {
    follow_within(value, unit, idx, MAX_CHAIN)
}

/// [`follow`] with `budget` steps left, which a default's variable (below) shares.
fn follow_within(value: &str, unit: &Unit, idx: usize, budget: usize) -> Followed {
    let (mut current, mut idx) = (value.to_owned(), idx);
    for step in 0..budget {
        let Some(var) = lone_var(&current).map(str::to_owned) else {
            return Followed::Stop;
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
                    .filter(|_| unit.condition_branch(c.start).is_none())
                    .map(|v| (v, i))
            });
        // `NS="${1:-shop-dev}"`, always run: the variable's value where it is set, else the
        // default.
        let defaulted = earlier.as_ref().and_then(|(v, at)| {
            let (var, default) = with_default(v)?;
            let always = unit
                .cmds
                .get(*at)
                .is_some_and(|c| !unit.in_conditional(c.start));
            always.then(|| (var.to_owned(), default.to_owned(), *at))
        });
        if let Some((var, default, at)) = defaulted {
            return or_default(&var, &default, unit, at, budget - step - 1);
        }
        match earlier {
            Some((v, _)) if !v.contains('$') && !v.is_empty() => return Followed::Value(v),
            // Followed only from an assignment that always runs: `ns=$ns_test` inside an
            // `if` on the script's argument holds in one branch.
            Some((v, at))
                if lone_var(&v).is_some()
                    && unit
                        .cmds
                        .get(at)
                        .is_some_and(|c| !unit.in_conditional(c.start)) =>
            {
                (current, idx) = (v, at)
            }
            // `NS="shop-${{ steps.env.outputs.tier }}"`, always run, of an output an earlier
            // step set per branch or event: the name is that text, expanded per value.
            Some((v, at))
                if references(&v).any(|(w, _)| {
                    lone_var(w).is_some_and(|name| unit.vars.set_on_branch(name))
                }) && unit
                    .cmds
                    .get(at)
                    .is_some_and(|c| !unit.in_conditional(c.start)) =>
            {
                return Followed::Template(v);
            }
            Some(_) => return Followed::Stop,
            None => return Followed::Unset(var),
        }
    }
    Followed::Stop
}

/// What a lone `$VAR` comes down to when nothing before the command gives it a plain value
/// ([`resolve`] keeps the name as written then), as a name to look values set per branch up
/// in: `${outputs.namespace}` of `-n $NS` after `NS=${{ steps.ns.outputs.namespace }}`, or the
/// text `shop-${{ steps.env.outputs.tier }}` of `-n $NS` after an always-run
/// `NS="shop-${{ steps.env.outputs.tier }}"` whose output an earlier step set per branch.
pub(crate) fn chain_end(value: &str, unit: &Unit, idx: usize) -> Option<String> {
    match follow(value, unit, idx) {
        Followed::Unset(var)
            if unit.vars.set_on_branch(&var) || lookup_vars(&var, &unit.vars).is_none() =>
        {
            Some(format!("${{{var}}}"))
        }
        Followed::Template(text) => Some(text),
        _ => None,
    }
}

/// The plain value `vars` give `var` (put together from other variables, see [`substitute`]).
fn lookup_vars(var: &str, vars: &dyn Lookup) -> Option<String> {
    let lookup = |name: &str| var_value(vars, name);
    // A value that is code (Jenkins `credentials('ns-id')`, a Groovy call) is no name; one
    // built around a pull request's number or the branch (`pr-${{
    // github.event.pull_request.number }}`) is a per-PR name, kept as written.
    let value = lookup(var)?;
    if per_pr_name(&value) {
        return Some(value);
    }
    substitute(&value, &lookup, MAX_CHAIN).filter(|v| !v.contains(['$', '(']) && !v.is_empty())
}

/// A name of one word built around a pull request's number or the branch
/// ([`crate::infer::tier::is_dynamic`]), with no command substitution in it.
fn per_pr_name(value: &str) -> bool {
    if !crate::infer::tier::is_dynamic(value) {
        return false;
    }
    // The text between the references, each a slice of `value`, in order.
    let word = |text: &str| {
        !text.contains(|c: char| c.is_whitespace() || matches!(c, '(' | '`' | '"' | '\''))
    };
    let mut at = 0;
    for (written, _) in references(value) {
        let start = written.as_ptr() as usize - value.as_ptr() as usize;
        if !word(value.get(at..start).unwrap_or_default()) {
            return false;
        }
        at = start + written.len();
    }
    word(value.get(at..).unwrap_or_default())
}

/// Resolves a lone `$VAR` from the job's variables, as [`resolve`] does.
/// A value built from variables that all have plain values (`${prefix}-tasks-dev`, Jenkins
/// `${env.NS}`) is those values put together, followed as deep as [`MAX_CHAIN`].
pub(crate) fn resolve_vars(value: &str, vars: &dyn Lookup) -> (String, String) {
    let lookup = |name: &str| var_value(vars, name);
    let Some(var) = lone_var(value) else {
        return match substitute(value, &lookup, MAX_CHAIN) {
            Some(done) if done != value => (done, format!(" (`{}`)", value.trim())),
            _ => (value.to_owned(), String::new()),
        };
    };
    match lookup_vars(var, vars) {
        Some(v) => (v, format!(" (`${var}`)")),
        None => (value.to_owned(), String::new()),
    }
}

/// The value `vars` give `name` as written (the last setting wins). A GitHub configuration
/// variable with a fallback, `${{ vars.NS || 'shop' }}`, is the fallback: the repository's
/// settings, which the checkout does not hold, are all that could change it.
fn var_value(vars: &dyn Lookup, name: &str) -> Option<String> {
    let value = vars.value(name)?;
    Some(configured_fallback(&value).unwrap_or_else(|| value.into_owned()))
}

/// `'shop'` of `${{ vars.NS || 'shop' }}`.
fn configured_fallback(value: &str) -> Option<String> {
    let inner = value.trim().strip_prefix("${{")?.strip_suffix("}}")?;
    let (left, right) = inner.split_once("||")?;
    let name = left.trim().strip_prefix("vars.")?;
    let fallback = right.trim().strip_prefix('\'')?.strip_suffix('\'')?;
    let plain = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (plain(name) && !fallback.contains(['\'', '$']) && !fallback.trim().is_empty())
        .then(|| fallback.to_owned())
}

/// `value` with each variable in it replaced by its value from `lookup`, itself substituted
/// up to `depth` deep; `None` when a variable has no value there, or a value is code.
fn substitute(
    value: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    depth: usize,
) -> Option<String> {
    let mut out = value.to_owned();
    for (written, inner) in references(value) {
        let name = variable_name(inner)?;
        let found = lookup(name)
            .filter(|v| (is_toplevel(v) || !v.contains('(')) && !v.trim().is_empty())?;
        let found = if is_toplevel(&found) {
            found.trim().to_owned()
        } else if found.contains('$') {
            substitute(&found, lookup, depth.checked_sub(1)?)?
        } else {
            found
        };
        out = out.replacen(written, &found, 1);
    }
    Some(out)
}

/// Whether `value` is the command that prints the repository's root (`$(git rev-parse
/// --show-toplevel)`, or in backquotes): the one command substitution a path is built from
/// (`REPO_DIR="$(git rev-parse --show-toplevel)"` then `"$REPO_DIR/bin/clean-slate"`), which
/// [`super::calls::repo_path`] reads as the root.
fn is_toplevel(value: &str) -> bool {
    matches!(
        value.trim(),
        "$(git rev-parse --show-toplevel)" | "`git rev-parse --show-toplevel`"
    )
}

/// `${var:-default}` before command `idx`: the variable's value there, else the default. The
/// default holds only where nothing sets the variable: one set to a value that cannot be read
/// (`./deploy.sh "$TARGET"` for `$1`) is no default.
/// A default that is itself `${other:-default}` is followed the same way, within `budget`.
fn or_default(var: &str, default: &str, unit: &Unit, idx: usize, budget: usize) -> Followed {
    let plain_default = (!default.contains('$') && !default.is_empty()).then(|| default.to_owned());
    match follow_within(&format!("${var}"), unit, idx, budget) {
        Followed::Value(v) => Followed::Value(v),
        Followed::Unset(var) if unit.vars.set_on_branch(&var) => Followed::Stop,
        Followed::Unset(var) if var_value(&unit.vars, &var).is_none() => {
            match (plain_default, with_default(default), budget.checked_sub(1)) {
                (Some(v), _, _) => Followed::Value(v),
                (None, Some((inner, fallback)), Some(left)) => {
                    or_default(inner, fallback, unit, idx, left)
                }
                _ => Followed::Stop,
            }
        }
        Followed::Unset(var) => {
            lookup_vars(&var, &unit.vars).map_or(Followed::Stop, Followed::Value)
        }
        Followed::Template(_) | Followed::Stop => Followed::Stop,
    }
}

/// `${NAME:-default}` (also `${NAME-default}`, `${NAME:=default}`, `${NAME=default}`): the
/// variable and the default, as written. The default may be another such reference
/// (`${NS:-${PROJECT:-shop}}`), which the caller follows.
fn with_default(value: &str) -> Option<(&str, &str)> {
    with_default_within(value, MAX_CHAIN)
}

/// [`with_default`] with defaults nested at most `depth` deep.
fn with_default_within(value: &str, depth: usize) -> Option<(&str, &str)> {
    let inner = value.trim().strip_prefix("${")?.strip_suffix('}')?;
    let at = inner.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
    let (name, rest) = inner.split_at(at);
    let default = [":-", ":=", "-", "="]
        .iter()
        .find_map(|op| rest.strip_prefix(op))?
        .trim();
    let nested = default.starts_with("${")
        && depth
            .checked_sub(1)
            .is_some_and(|d| with_default_within(default, d).is_some());
    (!name.is_empty() && (!default.contains('}') || nested)).then_some((name, default))
}

/// The variable a reference's inside names: `NAME`, Jenkins `env.NAME`, GitHub `env.NAME`.
fn variable_name(inner: &str) -> Option<&str> {
    let name = inner.trim();
    let name = name.strip_prefix("env.").unwrap_or(name);
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(name)
}

/// The variable and expression references in `text`, each as (written, inner): `${{ x }}` →
/// `x`, `${x}` → `x`, `$x` → `x`.
pub(crate) fn references(text: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut rest = text;
    std::iter::from_fn(move || {
        loop {
            let at = rest.find('$')?;
            let tail = &rest[at..];
            let found = if let Some(body) = tail.strip_prefix("${{") {
                body.find("}}")
                    .map(|end| (&tail[..end + 5], body[..end].trim()))
            } else if let Some(body) = tail.strip_prefix("${") {
                body.find('}')
                    .map(|end| (&tail[..end + 3], body[..end].trim()))
            } else if let Some(body) = tail.strip_prefix("$(") {
                // An Azure macro, `$(name)`: Azure puts the variable's value in before the
                // shell runs. A command substitution (`$(date +%s)`) is no reference.
                body.find(')')
                    .map(|end| (&tail[..end + 3], &body[..end]))
                    .filter(|(_, inner)| is_macro_name(inner))
            } else {
                let len = tail[1..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(tail.len() - 1);
                (len > 0).then(|| (&tail[..len + 1], &tail[1..len + 1]))
            };
            match found {
                Some((written, inner)) => {
                    rest = &tail[written.len()..];
                    return Some((written, inner));
                }
                None => rest = &tail[1..],
            }
        }
    })
}

/// `$NAME`, `${NAME}`, Jenkins `${env.NAME}`, GitHub's `${{ env.NAME }}`, or a step's output
/// `${{ steps.<id>.outputs.NAME }}`, which is the variable `outputs.NAME` (see `job_units`).
pub(crate) fn lone_var(value: &str) -> Option<&str> {
    let v = value.trim();
    // GitHub's `${{ env.NAME }}` reads the same variables as the shell's `$NAME`.
    let github = v
        .strip_prefix("${{")
        .and_then(|r| r.strip_suffix("}}"))
        .and_then(crate::infer::shell::github_variable);
    let macro_name = v
        .strip_prefix("$(")
        .and_then(|r| r.strip_suffix(')'))
        .filter(|r| is_macro_name(r));
    let name = github.map(str::trim).or(macro_name).or_else(|| {
        v.strip_prefix("${")
            .and_then(|r| r.strip_suffix('}'))
            .map(|r| r.strip_prefix("env.").unwrap_or(r))
            .or_else(|| v.strip_prefix('$'))
    })?;
    let (prefix, rest) = match name.strip_prefix("outputs.") {
        Some(rest) => ("outputs.", rest),
        None => ("", name),
    };
    let valid = |c: char| c.is_ascii_alphanumeric() || c == '_' || (!prefix.is_empty() && c == '-');
    (!rest.is_empty() && rest.chars().all(valid)).then_some(name)
}

/// The name inside an Azure macro `$(name)`: letters, digits and `_` (a dotted predefined
/// variable, `$(Build.SourceBranchName)`, is set by Azure, not by the pipeline).
fn is_macro_name(inner: &str) -> bool {
    !inner.is_empty() && inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn lone_variables_in_each_spelling() {
        assert_eq!(lone_var("$NS"), Some("NS"));
        assert_eq!(lone_var("${env.NS}"), Some("NS"));
        assert_eq!(lone_var("${{ env.NS }}"), Some("NS"));
        assert_eq!(
            lone_var("${{ steps.pick.outputs.name-space }}"),
            Some("outputs.name-space")
        );
        assert_eq!(lone_var("${{ steps.pick.result }}"), None);
        assert_eq!(lone_var("${NAME-x}"), None);
        assert_eq!(lone_var("$A-b"), None);
        // Azure macros.
        assert_eq!(lone_var("$(clusterNamespace)"), Some("clusterNamespace"));
        assert_eq!(lone_var("$(Build.SourceBranchName)"), None);
        assert_eq!(lone_var("$(date +%s)"), None);
    }

    #[test]
    fn names_built_from_variables_are_put_together() {
        let v = vars(&[
            ("prefix", "5149"),
            ("dev", "${prefix}-tasks-dev"),
            ("APP", "shop"),
            ("CODE", "credentials('x')"),
        ]);
        assert_eq!(resolve_vars("${dev}", &v).0, "5149-tasks-dev");
        assert_eq!(resolve_vars("$APP-${env.APP}-qa", &v).0, "shop-shop-qa");
        // A variable without a plain value leaves the name as written.
        assert_eq!(resolve_vars("$APP-$BRANCH", &v).0, "$APP-$BRANCH");
        assert_eq!(resolve_vars("$CODE", &v).0, "$CODE");
        // A loop of variables ends at the chain's limit.
        let looped = vars(&[("A", "x-$B"), ("B", "y-$A")]);
        assert_eq!(resolve_vars("$A", &looped).0, "$A");
    }

    #[test]
    fn fallbacks_of_configuration_variables_and_nested_defaults() {
        let v = vars(&[
            ("NS", "${{ vars.K8S_NAMESPACE || 'team-shop' }}"),
            ("INPUT", "${{ inputs.ns || 'qa' }}"),
            ("ODD", "${{ vars.NS || format('{0}', 'x') }}"),
        ]);
        assert_eq!(resolve_vars("$NS", &v).0, "team-shop");
        // An input's fallback is the environment rule's (it holds for some triggers only).
        assert_eq!(resolve_vars("$INPUT", &v).0, "$INPUT");
        assert_eq!(resolve_vars("$ODD", &v).0, "$ODD");
        assert_eq!(with_default("${A:-${B:-shop}}"), Some(("A", "${B:-shop}")));
        assert_eq!(with_default("${A:-${B}}"), None);
        // Nesting deeper than the chain's limit is no default.
        let deep = format!(
            "{}x{}",
            "${A:-".repeat(MAX_CHAIN + 2),
            "}".repeat(MAX_CHAIN + 2)
        );
        assert_eq!(with_default(&deep), None);
    }
}
