//! INFER stage: a Makefile read just far enough to turn `make <target>` into the shell script
//! its recipes (and their prerequisites' recipes) run.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use crate::infer::shell::last_value;
use crate::yaml::Span;

/// GNU make's conditional directives, which may stand between the lines of a recipe.
const CONDITIONALS: &[&str] = &["ifdef", "ifndef", "ifeq", "ifneq", "else", "endif"];

/// Most Makefiles [`parsed`] keeps on a thread.
const PARSED_MAKEFILES: usize = 8;

thread_local! {
    /// The last Makefiles parsed, by the text they were parsed from. A repository's CI runs
    /// `make` in many jobs, and recipes run `$(MAKE)` again: each is the same cached text.
    static PARSED: RefCell<Vec<(Arc<str>, Rc<Makefile>)>> = const { RefCell::new(Vec::new()) };
}

/// The Makefile `text`, parsed once for as long as the same text (the same allocation, which
/// the memo keeps alive) is among the last few asked for.
pub(super) fn parsed(text: &Arc<str>) -> Rc<Makefile> {
    let hit = PARSED.with_borrow(|memo| {
        memo.iter()
            .find(|(seen, _)| Arc::ptr_eq(seen, text))
            .map(|(_, makefile)| Rc::clone(makefile))
    });
    if let Some(makefile) = hit {
        return makefile;
    }
    let makefile = Rc::new(Makefile::parse(text));
    PARSED.with_borrow_mut(|memo| {
        if memo.len() == PARSED_MAKEFILES {
            memo.remove(0);
        }
        memo.push((Arc::clone(text), Rc::clone(&makefile)));
    });
    makefile
}

/// The parts of a Makefile needed to read a target's recipe.
#[derive(Debug, Default)]
pub(super) struct Makefile {
    vars: HashMap<String, String>,
    pub(super) rules: Vec<MakeRule>,
    pub(super) default_target: Option<String>,
}

/// One rule: `targets: prereqs` and its recipe.
#[derive(Debug)]
pub(super) struct MakeRule {
    pub(super) targets: Vec<String>,
    pub(super) prereqs: Vec<String>,
    /// Recipe lines: text after the tab, and the line's span in the Makefile.
    pub(super) recipe: Vec<(String, Span)>,
}

impl Makefile {
    /// Reads assignments, rules and their recipes; everything else is skipped.
    pub(super) fn parse(text: &str) -> Makefile {
        let mut mk = Makefile::default();
        let mut offset = 0;
        let mut current: Option<usize> = None;
        for raw_line in text.split_inclusive('\n') {
            let start = offset;
            offset += raw_line.len();
            let line = raw_line.trim_end_matches(['\n', '\r']);
            let span = Span::new(start, start + line.len());
            if let Some(recipe) = line.strip_prefix('\t') {
                if let Some(rule) = current.and_then(|i| mk.rules.get_mut(i)) {
                    rule.recipe.push((recipe.to_owned(), span));
                }
                continue;
            }
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            // A conditional directive inside a recipe (`ifndef CI`, `endif`) does not end it;
            // the recipe lines of both branches are kept, as make's condition is not read.
            let first = trimmed.split_whitespace().next().unwrap_or_default();
            if CONDITIONALS.contains(&first) {
                continue;
            }
            current = None;
            if let Some((name, value)) = make_assignment(trimmed) {
                mk.vars.insert(name, value);
                continue;
            }
            let Some((targets, rest)) = trimmed.split_once(':') else {
                continue;
            };
            let rest = rest.trim_start_matches(':');
            let (prereqs, inline) = match rest.split_once(';') {
                Some((p, r)) => (p, Some(r.trim())),
                None => (rest, None),
            };
            let prereqs = prereqs.split('|').next().unwrap_or_default();
            let targets: Vec<String> = targets.split_whitespace().map(str::to_owned).collect();
            if mk.default_target.is_none() {
                mk.default_target = targets.iter().find(|t| !t.starts_with('.')).cloned();
            }
            let mut rule = MakeRule {
                targets,
                prereqs: prereqs.split_whitespace().map(str::to_owned).collect(),
                recipe: Vec::new(),
            };
            if let Some(inline) = inline.filter(|r| !r.is_empty()) {
                rule.recipe.push((inline.to_owned(), span));
            }
            mk.rules.push(rule);
            current = Some(mk.rules.len() - 1);
        }
        mk
    }

    /// The recipe as a shell script (make prefixes removed, make variables expanded), and the
    /// Makefile span of each of its lines. `given` are the variables set on make's command line
    /// (`make deploy NAMESPACE=shop-staging`), which win over the Makefile's own, as in make.
    pub(super) fn recipe_script(
        &self,
        rule: &MakeRule,
        target: &str,
        given: &[(String, String)],
    ) -> (String, Vec<Span>) {
        let mut text = String::new();
        let mut spans = Vec::new();
        for (line, span) in &rule.recipe {
            let line = line.trim_start().trim_start_matches(['@', '-', '+']);
            // Each recipe line runs in its own shell; keep them on separate lines so commands
            // stay separate and map back line by line.
            let expanded = self.expand(line, target, given, 0).replace('\n', " ");
            text.push_str(&expanded);
            text.push('\n');
            spans.push(*span);
        }
        (text, spans)
    }

    /// Expands `$(VAR)`, `${VAR}`, `$@`, `$$`; unknown variables become shell variables (make
    /// passes the environment through), `$(shell git rev-parse --show-toplevel)` the shell's
    /// spelling of it, and other functions such as `$(shell ...)` become `_`.
    fn expand(&self, line: &str, target: &str, given: &[(String, String)], depth: usize) -> String {
        let mut out = String::new();
        let mut rest = line;
        while let Some(pos) = rest.find('$') {
            out.push_str(&rest[..pos]);
            let after = &rest[pos + 1..];
            let mut chars = after.chars();
            match chars.next() {
                Some('$') => {
                    out.push('$');
                    rest = &after[1..];
                }
                Some('@') => {
                    out.push_str(target);
                    rest = &after[1..];
                }
                Some(open @ ('(' | '{')) => {
                    let close = if open == '(' { ')' } else { '}' };
                    let Some(end) = after.find(close) else {
                        out.push_str(&rest[pos..]);
                        return out;
                    };
                    let name = after[1..end].trim();
                    if name == "MAKE" {
                        out.push_str("make");
                    } else if is_git_root(name) {
                        // What the shell spells the same way, which script paths know.
                        out.push_str("$(git rev-parse --show-toplevel)");
                    } else if name.contains(char::is_whitespace) || name.contains(',') {
                        out.push('_');
                    } else if let Some(value) =
                        last_value(given, name).or_else(|| self.vars.get(name).map(String::as_str))
                    {
                        if depth < 4 {
                            out.push_str(&self.expand(value, target, given, depth + 1));
                        }
                    } else {
                        out.push_str("${");
                        out.push_str(name);
                        out.push('}');
                    }
                    rest = &after[end + 1..];
                }
                _ => {
                    out.push('$');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// `shell git rev-parse --show-toplevel`: the repository's root.
fn is_git_root(function: &str) -> bool {
    function.split_whitespace().collect::<Vec<_>>()
        == ["shell", "git", "rev-parse", "--show-toplevel"]
}

/// `NAME = v`, `NAME := v`, `NAME ?= v`, `NAME ::= v`, `export NAME = v` (not `+=`).
fn make_assignment(line: &str) -> Option<(String, String)> {
    let line = line.strip_prefix("export ").unwrap_or(line);
    let eq = line.find('=')?;
    let colon = line.find(':');
    if colon.is_some_and(|c| c < eq && !line[c..eq].chars().all(|ch| ch == ':')) {
        return None; // a rule with `=` in its prerequisites or recipe
    }
    let name = line[..eq].trim_end_matches([':', '?', '+', '!']).trim();
    if name.is_empty() || name.contains(char::is_whitespace) {
        return None;
    }
    Some((name.to_owned(), line[eq + 1..].trim().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_makefile_is_parsed_once_per_text_read() {
        let text: Arc<str> = Arc::from("all: build\nbuild:\n\tgo build ./...\n");
        let first = parsed(&text);
        assert!(Rc::ptr_eq(&first, &parsed(&text)));
        assert_eq!(first.default_target.as_deref(), Some("all"));
        // The same words read again (another file, another repository) are parsed again.
        let again: Arc<str> = Arc::from(&*text);
        assert!(!Rc::ptr_eq(&first, &parsed(&again)));
        // Only the last few are kept.
        for i in 0..PARSED_MAKEFILES {
            let _ = parsed(&Arc::from(format!("t{i}:\n").as_str()));
        }
        assert!(!Rc::ptr_eq(&first, &parsed(&text)));
    }

    #[test]
    fn a_conditional_directive_inside_a_recipe_does_not_end_it() {
        let text = "dev: lint\nifndef CI\n\t$(error run me in CI)\nelse\n\techo ci\nendif\n\tkubectl apply -f k8s/\n\nlint:\n\tyamllint .\n";
        let mk = Makefile::parse(text);
        let recipe: Vec<&str> = mk.rules[0].recipe.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(
            recipe,
            ["$(error run me in CI)", "echo ci", "kubectl apply -f k8s/"]
        );
        assert_eq!(mk.rules[1].targets, ["lint"]);
    }

    #[test]
    fn variables_given_on_the_command_line_win() {
        let mk = Makefile::parse(
            "NS ?= shop\nV = values.yaml\ndeploy:\n\thelm upgrade web c -f $(V) -n $(NS)\n",
        );
        let given = [("NS".to_owned(), "shop-staging".to_owned())];
        let (text, _) = mk.recipe_script(&mk.rules[0], "deploy", &given);
        assert_eq!(text, "helm upgrade web c -f values.yaml -n shop-staging\n");
        let (text, _) = mk.recipe_script(&mk.rules[0], "deploy", &[]);
        assert_eq!(text, "helm upgrade web c -f values.yaml -n shop\n");
    }
}
