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

impl MakeRule {
    /// What `target` matches of this rule's pattern target (`staging` of `deploy-staging` in
    /// `deploy-%`), when the rule is not one of `target`'s own.
    fn stem<'t>(&self, target: &'t str) -> Option<&'t str> {
        if self.targets.iter().any(|t| t == target) {
            return None;
        }
        self.targets.iter().find_map(|pattern| {
            let (prefix, suffix) = pattern.split_once('%')?;
            let stem = target.strip_prefix(prefix)?.strip_suffix(suffix)?;
            (!suffix.contains('%') && !stem.is_empty()).then_some(stem)
        })
    }

    /// The prerequisites `target` makes through this rule: a pattern rule's with `%` as the
    /// stem (`deploy-%: render-%`).
    pub(super) fn prereqs_for(&self, target: &str) -> Vec<String> {
        match self.stem(target) {
            Some(stem) => self
                .prereqs
                .iter()
                .map(|p| p.replacen('%', stem, 1))
                .collect(),
            None => self.prereqs.clone(),
        }
    }
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
            // Outside a recipe, `#` starts a comment wherever it is (`deploy: ## Deploy it`,
            // `NS = dev # the default`) unless a backslash escapes it.
            let trimmed = without_comment(line).trim();
            if trimmed.is_empty() {
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
            // Order-only prerequisites (after `|`) are made too; they only don't make the
            // target out of date.
            let prereqs = prereqs.replace('|', " ");
            let targets: Vec<String> = targets.split_whitespace().map(str::to_owned).collect();
            if mk.default_target.is_none() {
                // Neither a special target (`.PHONY`) nor a pattern (`deploy-%`) is the default.
                mk.default_target = targets
                    .iter()
                    .find(|t| !t.starts_with('.') && !t.contains('%'))
                    .cloned();
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

    /// The rules that make `target`: its own; and when none of them has a recipe, the pattern
    /// rule with a recipe whose target matches it with the shortest stem, as GNU make picks one
    /// (`deploy-%:` makes `deploy-staging`, and `deploy-app-${APP}` with the stem as written).
    pub(super) fn rules_for(&self, target: &str) -> Vec<&MakeRule> {
        let own: Vec<&MakeRule> = self
            .rules
            .iter()
            .filter(|r| r.targets.iter().any(|t| t == target))
            .collect();
        if own.iter().any(|r| !r.recipe.is_empty()) {
            return own;
        }
        let pattern = self
            .rules
            .iter()
            .filter(|r| !r.recipe.is_empty())
            .filter_map(|r| Some((r.stem(target)?.len(), r)))
            .min_by_key(|(len, _)| *len)
            .map(|(_, r)| r);
        own.into_iter().chain(pattern).collect()
    }

    /// The recipe as a shell script (make prefixes removed, make variables expanded), the
    /// Makefile span of each of its lines, and whether the expansion reached a limit (its
    /// budget, or [`MAX_NESTING`]), so that some variables are kept as written. `given` are the
    /// variables set on make's command line (`make deploy NAMESPACE=shop-staging`), which win
    /// over the Makefile's own, as in make.
    pub(super) fn recipe_script(
        &self,
        rule: &MakeRule,
        target: &str,
        given: &[(String, String)],
    ) -> (String, Vec<Span>, bool) {
        let mut text = String::new();
        let mut spans = Vec::new();
        let mut continued = false;
        let written: usize = rule.recipe.iter().map(|(line, _)| line.len()).sum();
        let mut expansion = Expansion {
            makefile: self,
            target,
            stem: rule.stem(target).unwrap_or_default(),
            given,
            budget: written + EXPANSION_BUDGET,
            steps: EXPANSION_STEPS,
            calls: 0,
            over: false,
            deep: false,
        };
        for (line, span) in &rule.recipe {
            // `@`, `-` and `+` prefix a recipe line, not the lines a backslash continues
            // (a line ending in `\` then `-p NAME=x` is one command and its argument).
            let mut line = line.trim_start();
            if !continued {
                line = line.trim_start_matches(['@', '-', '+']);
            }
            continued = line.ends_with('\\');
            // Each recipe line runs in its own shell; keep them on separate lines so commands
            // stay separate and map back line by line.
            let expanded = expansion.expand(line, &mut Vec::new()).replace('\n', " ");
            text.push_str(&expanded);
            text.push('\n');
            spans.push(*span);
        }
        (text, spans, expansion.over || expansion.deep)
    }
}

/// Most bytes a recipe's variables may add to it, and most variable references and function
/// calls it may look up. Variables that each name several others grow as a power of their depth: past either,
/// the variables left are kept as written (`${NAME}`), as make would pass an unknown one to
/// the shell.
const EXPANSION_BUDGET: usize = 256 * 1024;
const EXPANSION_STEPS: usize = 100_000;

/// Most variables, and most function calls, expanded inside one another; a deeper variable is
/// kept as written, a deeper call is `_`.
const MAX_NESTING: usize = 16;

/// One recipe being expanded.
struct Expansion<'a> {
    makefile: &'a Makefile,
    target: &'a str,
    /// What a pattern rule's `%` matched in the target (`$*`); empty for a rule of its own.
    stem: &'a str,
    given: &'a [(String, String)],
    /// Bytes left to write.
    budget: usize,
    /// Variable references and function calls left to look up.
    steps: usize,
    /// Function calls being expanded inside one another.
    calls: usize,
    /// Whether the budget or the steps ran out: no variable is expanded after that.
    over: bool,
    /// Whether a variable or call nested deeper than [`MAX_NESTING`] was kept as written.
    deep: bool,
}

impl Expansion<'_> {
    /// Expands `$(VAR)`, `${VAR}`, `$@`, `$$`; unknown variables become shell variables (make
    /// passes the environment through), and so does a variable inside its own value
    /// (`NS := $(or $(NS),dev)` reads `NS` from the environment). Of make's functions,
    /// `$(or a,b)` is its first non-empty argument, `$(if c,a,b)` is `a` when `c` is not empty,
    /// `$(strip a)` is `a`, and `$(shell git rev-parse --show-toplevel)` is the shell's
    /// spelling of it; other functions, such as `$(shell ...)`, become `_`.
    fn expand(&mut self, line: &str, within: &mut Vec<String>) -> String {
        let mut out = String::new();
        let mut rest = line;
        while let Some(pos) = rest.find('$') {
            self.push(&mut out, &rest[..pos]);
            let after = &rest[pos + 1..];
            match after.chars().next() {
                Some('$') => {
                    self.push(&mut out, "$");
                    rest = &after[1..];
                }
                Some('@') => {
                    self.push(&mut out, self.target);
                    rest = &after[1..];
                }
                Some('*') => {
                    self.push(&mut out, self.stem);
                    rest = &after[1..];
                }
                Some(open @ ('(' | '{')) => {
                    let close = if open == '(' { ')' } else { '}' };
                    let Some(end) = matching(after, open, close) else {
                        self.push(&mut out, &rest[pos..]);
                        return out;
                    };
                    let reference = &after[1..end];
                    let value = self.reference(reference.trim(), within);
                    self.push(&mut out, &value);
                    rest = &after[end + 1..];
                }
                _ => {
                    self.push(&mut out, "$");
                    rest = after;
                }
            }
        }
        self.push(&mut out, rest);
        out
    }

    /// Writes `text`, noting when the budget runs out.
    fn push(&mut self, out: &mut String, text: &str) {
        self.over |= text.len() > self.budget;
        self.budget = self.budget.saturating_sub(text.len());
        out.push_str(text);
    }

    /// What `$(reference)` expands to.
    fn reference(&mut self, reference: &str, within: &mut Vec<String>) -> String {
        if reference == "MAKE" {
            return "make".to_owned();
        }
        if reference == "*" {
            return self.stem.to_owned();
        }
        if is_git_root(reference) {
            // What the shell spells the same way, which script paths know.
            return "$(git rev-parse --show-toplevel)".to_owned();
        }
        if let Some((function, args)) = reference.split_once(char::is_whitespace) {
            return self.function(function, args, within);
        }
        if reference.contains(',') {
            return "_".to_owned();
        }
        let own = last_value(self.given, reference)
            .or_else(|| self.makefile.vars.get(reference).map(String::as_str));
        self.steps = self.steps.saturating_sub(1);
        self.over |= self.steps == 0;
        match own {
            Some(value)
                if !self.over
                    && within.len() < MAX_NESTING
                    && !within.iter().any(|v| v == reference) =>
            {
                within.push(reference.to_owned());
                let budget = self.budget;
                let expanded = self.expand(value, within);
                within.pop();
                if self.over {
                    // Kept as written; what the value wrote is given back.
                    self.budget = budget;
                    return format!("${{{reference}}}");
                }
                expanded
            }
            Some(_) if !self.over && !within.iter().any(|v| v == reference) => {
                self.deep = true;
                format!("${{{reference}}}")
            }
            _ => format!("${{{reference}}}"),
        }
    }

    /// The functions whose value can be known without running anything. Each call is a step,
    /// and calls nested deeper than [`MAX_NESTING`] are `_`, so a line of `$(or $(or ...))`
    /// costs its length times that depth at most.
    fn function(&mut self, function: &str, args: &str, within: &mut Vec<String>) -> String {
        self.steps = self.steps.saturating_sub(1);
        self.over |= self.steps == 0;
        if self.over || self.calls >= MAX_NESTING {
            self.deep |= !self.over;
            return "_".to_owned();
        }
        self.calls += 1;
        let value = self.call(function, args, within);
        self.calls -= 1;
        value
    }

    /// [`Self::function`]'s value.
    fn call(&mut self, function: &str, args: &str, within: &mut Vec<String>) -> String {
        let args = split_args(args);
        match function {
            "or" => {
                for arg in &args {
                    let value = self.expand(arg, within);
                    if !value.trim().is_empty() {
                        return value.trim().to_owned();
                    }
                }
                String::new()
            }
            "if" if args.len() >= 2 => {
                let condition = self.expand(args[0], within);
                let chosen = if condition.trim().is_empty() {
                    args.get(2)
                } else {
                    args.get(1)
                };
                chosen
                    .map(|a| self.expand(a, within).trim().to_owned())
                    .unwrap_or_default()
            }
            "strip" => self
                .expand(args.join(",").as_str(), within)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            _ => "_".to_owned(),
        }
    }
}

/// Where the `close` matching the `open` that starts `text` is (make nests the same kind).
fn matching(text: &str, open: char, close: char) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

/// A function's arguments: split at the commas outside any nested `$(...)`.
fn split_args(args: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (i, c) in args.char_indices() {
        match c {
            '(' | '{' => depth += 1,
            ')' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&args[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&args[start..]);
    parts
}

/// A makefile line outside a recipe without its comment.
fn without_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    let end = (0..bytes.len())
        .find(|&i| bytes[i] == b'#' && (i == 0 || bytes[i - 1] != b'\\'))
        .unwrap_or(line.len());
    &line[..end]
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
        let (text, _, _) = mk.recipe_script(&mk.rules[0], "deploy", &given);
        assert_eq!(text, "helm upgrade web c -f values.yaml -n shop-staging\n");
        let (text, _, _) = mk.recipe_script(&mk.rules[0], "deploy", &[]);
        assert_eq!(text, "helm upgrade web c -f values.yaml -n shop\n");
    }

    #[test]
    fn comments_end_rule_and_assignment_lines_but_not_recipes() {
        let mk = Makefile::parse(concat!(
            "NS = shop # where it goes\n",
            "TAG = a\\#b\n",
            "deploy: build ## Deploy it\n",
            "\tkubectl apply -n $(NS) -f k8s/ # applied\n",
        ));
        assert_eq!(mk.rules[0].prereqs, ["build"]);
        assert_eq!(mk.vars["TAG"], "a\\#b");
        let (text, _, _) = mk.recipe_script(&mk.rules[0], "deploy", &[]);
        // The shell reads a recipe's own `#`.
        assert_eq!(text, "kubectl apply -n shop -f k8s/ # applied\n");
    }

    #[test]
    fn functions_nest_and_a_variable_in_its_own_value_is_the_environment() {
        let mk = Makefile::parse(concat!(
            "export NS := $(or $(NS), $$DEFAULT_NS)\n",
            "APP = $(if $(NAME),$(NAME)-api,api)\n",
            "NAME = shop\n",
            "TAG = $(shell git rev-parse --short HEAD)\n",
            "deploy:\n",
            "\toc -n $(NS) apply -f $(APP).yml -l tag=$(strip $(TAG) )\n",
        ));
        let (text, _, _) = mk.recipe_script(&mk.rules[0], "deploy", &[]);
        assert_eq!(text, "oc -n ${NS} apply -f shop-api.yml -l tag=_\n");
        let given = [("NS".to_owned(), "shop-dev".to_owned())];
        let (text, _, _) = mk.recipe_script(&mk.rules[0], "deploy", &given);
        assert_eq!(text, "oc -n shop-dev apply -f shop-api.yml -l tag=_\n");
    }

    #[test]
    fn order_only_prerequisites_are_made_and_continued_lines_keep_their_dashes() {
        let mk = Makefile::parse(concat!(
            "release: build | deploy\n",
            "deploy:\n",
            "\t@oc process -f t.yml \\\n",
            "\t\t-p NAME=web \\\n",
            "\t\t| oc apply -f -\n",
            "\t-@echo done\n",
        ));
        assert_eq!(mk.rules[0].prereqs, ["build", "deploy"]);
        let (text, spans, _) = mk.recipe_script(&mk.rules[1], "deploy", &[]);
        assert_eq!(
            text,
            "oc process -f t.yml \\\n-p NAME=web \\\n| oc apply -f -\necho done\n"
        );
        assert_eq!(spans.len(), 4);
    }

    #[test]
    fn variables_that_grow_past_the_budget_are_kept_as_written() {
        // Each level names the one below it 256 times: 16 MiB if expanded.
        let mut text = String::from("A0 = xxxxxxxxxxxxxxxx\n");
        for level in 1..4 {
            let below = format!("$(A{})", level - 1).repeat(256);
            text.push_str(&format!("A{level} = {below}\n"));
        }
        text.push_str("deploy:\n\tkubectl apply -n $(A3) -f k8s/ -l $(A0)\n");
        let mk = Makefile::parse(&text);
        let (script, _, _) = mk.recipe_script(&mk.rules[0], "deploy", &[]);
        assert!(script.len() < EXPANSION_BUDGET + 1024, "{}", script.len());
        assert!(script.starts_with("kubectl apply -n "), "{script:.80}");
        // The variable that ran past the budget, and those after it, are kept as written.
        assert!(script.ends_with(" -f k8s/ -l ${A0}\n"), "{script:?}");
        // Empty variables cost no bytes, but each reference is a step.
        let mut text = String::from("E0 =\n");
        for level in 1..12 {
            let below = format!("$(E{})", level - 1).repeat(64);
            text.push_str(&format!("E{level} = {below}\n"));
        }
        text.push_str("deploy:\n\tkubectl apply -n $(E11) -f k8s/\n");
        let mk = Makefile::parse(&text);
        let (script, _, _) = mk.recipe_script(&mk.rules[0], "deploy", &[]);
        assert_eq!(script, "kubectl apply -n ${E11} -f k8s/\n");
    }

    #[test]
    fn functions_nested_without_end_stay_bounded() {
        let depth = 200_000;
        let line = format!(
            "\tkubectl apply -n {}x{} -f k8s/\n",
            "$(or ".repeat(depth),
            ")".repeat(depth)
        );
        let mk = Makefile::parse(&format!("deploy:\n{line}"));
        let (script, _, _) = mk.recipe_script(&mk.rules[0], "deploy", &[]);
        assert_eq!(script, "kubectl apply -n _ -f k8s/\n");
        // Unclosed, the rest of the line is kept as written.
        let open = format!("\tkubectl apply -n {}x\n", "$(or ".repeat(depth));
        let mk = Makefile::parse(&format!("deploy:\n{open}"));
        let (script, _, _) = mk.recipe_script(&mk.rules[0], "deploy", &[]);
        assert!(
            script.starts_with("kubectl apply -n $(or $(or "),
            "{script:.40}"
        );
    }

    #[test]
    fn a_long_chain_of_variables_is_followed() {
        let mut text = String::from("V0 = prod\n");
        for level in 1..10 {
            text.push_str(&format!("V{level} = $(V{})\n", level - 1));
        }
        text.push_str("deploy:\n\thelm upgrade --install web chart -n $(V9)\n");
        let mk = Makefile::parse(&text);
        let (script, _, _) = mk.recipe_script(&mk.rules[0], "deploy", &[]);
        assert_eq!(script, "helm upgrade --install web chart -n prod\n");
    }

    #[test]
    fn pattern_rules_make_targets_with_their_stem() {
        let mk = Makefile::parse(
            "deploy-%: lint-%\n\thelm upgrade -f values/$*.yaml -n shop-$(*) $@\n\ndeploy-prod:\n\techo own\n",
        );
        let rules = mk.rules_for("deploy-staging");
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].prereqs_for("deploy-staging"), ["lint-staging"]);
        let (text, _, _) = mk.recipe_script(rules[0], "deploy-staging", &[]);
        assert_eq!(
            text,
            "helm upgrade -f values/staging.yaml -n shop-staging deploy-staging\n"
        );
        // A target of its own wins over the pattern; a stem as written is kept.
        let own = mk.rules_for("deploy-prod");
        assert_eq!(own.len(), 1);
        assert_eq!(own[0].recipe[0].0, "echo own");
        let written = mk.rules_for("deploy-${APP}");
        let (text, _, _) = mk.recipe_script(written[0], "deploy-${APP}", &[]);
        assert!(text.contains("values/${APP}.yaml"), "{text}");
        assert!(mk.rules_for("deploy-").is_empty(), "a stem is never empty");
        assert_eq!(mk.default_target.as_deref(), Some("deploy-prod"));
    }
}
