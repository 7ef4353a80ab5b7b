//! What a command's arguments say: its program, the values of its options, its positionals.
//! Options are read the way most CLIs read them (`-n x`, `-nx`, `--name=x`, `--name x`, `--`).

use super::Command;

impl Command {
    /// The program's basename (`./bin/kubectl` → `kubectl`), when there is one.
    /// The value this command gives `var`: `export VAR=x` (also `declare`, `readonly`,
    /// `local`), or `VAR=x` alone on its line.
    pub(crate) fn assigned(&self, var: &str) -> Option<String> {
        if matches!(
            self.program(),
            Some("export" | "declare" | "readonly" | "local")
        ) {
            return self.words.iter().skip(1).find_map(|w| {
                w.text
                    .split_once('=')
                    .filter(|(k, _)| *k == var)
                    .map(|(_, v)| v.to_owned())
            });
        }
        if !self.words.is_empty() {
            return None;
        }
        self.assignments
            .iter()
            .rev()
            .find(|(k, _)| k == var)
            .map(|(_, v)| v.clone())
    }

    pub(crate) fn program(&self) -> Option<&str> {
        let first = self.words.first()?;
        let name = first.text.rsplit('/').next().unwrap_or_default();
        if name.is_empty() { None } else { Some(name) }
    }

    /// The value of the first of `flags` that is given: `-n x`, `-nx`, `--namespace=x`,
    /// `--namespace x`. Stops at `--`.
    pub(crate) fn arg_after(&self, flags: &[&str]) -> Option<&str> {
        self.args_after(flags).into_iter().next()
    }

    /// Every value given to any of `flags`, in order (`-f a -f b` → `a`, `b`).
    pub(crate) fn args_after(&self, flags: &[&str]) -> Vec<&str> {
        let mut out = Vec::new();
        let mut i = 1;
        while i < self.words.len() {
            let w = self.words[i].text.as_str();
            if w == "--" {
                break;
            }
            for flag in flags {
                if w == *flag {
                    if let Some(next) = self.words.get(i + 1) {
                        out.push(next.text.as_str());
                        i += 1;
                    }
                    break;
                }
                let Some(rest) = w.strip_prefix(flag) else {
                    continue;
                };
                if flag.starts_with("--") {
                    if let Some(value) = rest.strip_prefix('=') {
                        out.push(value);
                        break;
                    }
                } else if flag.len() == 2 && !w.starts_with("--") && !rest.is_empty() {
                    // `-nprod`; `-n=prod` is also accepted by most Go CLIs.
                    out.push(rest.strip_prefix('=').unwrap_or(rest));
                    break;
                }
            }
            i += 1;
        }
        out
    }

    /// Whether any of `flags` is present, alone or with an `=value`.
    pub(crate) fn has_flag(&self, flags: &[&str]) -> bool {
        self.words
            .iter()
            .skip(1)
            .take_while(|w| w.text != "--")
            .any(|w| {
                flags.iter().any(|f| {
                    w.text == *f || (f.starts_with("--") && w.text.starts_with(&format!("{f}=")))
                })
            })
    }

    /// The arguments that are not options, skipping the value of each option in `value_flags`
    /// (`kubectl -n x apply -f y` with `-n`, `-f` → `apply`). Everything after `--` counts.
    pub(crate) fn positionals(&self, value_flags: &[&str]) -> Vec<&str> {
        let mut out = Vec::new();
        let mut i = 1;
        let mut rest_positional = false;
        while i < self.words.len() {
            let w = self.words[i].text.as_str();
            if rest_positional {
                out.push(w);
            } else if w == "--" {
                rest_positional = true;
            } else if w.len() > 1 && w.starts_with('-') {
                if value_flags.contains(&w) {
                    i += 1;
                }
            } else {
                out.push(w);
            }
            i += 1;
        }
        out
    }

    /// The command's text in `script` (empty when the span does not fit).
    pub(crate) fn text<'s>(&self, script: &'s str) -> &'s str {
        script.get(self.start..self.end).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use crate::infer::shell::commands;

    #[test]
    fn arg_after_forms() {
        let c = &commands(
            "kubectl -nprod --context=ctx apply --namespace x -f a -f=b --filename c",
            &[],
        )[0];
        assert_eq!(c.arg_after(&["-n", "--namespace"]), Some("prod"));
        assert_eq!(c.args_after(&["-n", "--namespace"]), ["prod", "x"]);
        assert_eq!(c.arg_after(&["--context"]), Some("ctx"));
        assert_eq!(c.args_after(&["-f", "--filename"]), ["a", "b", "c"]);
        assert_eq!(
            c.positionals(&["-n", "--namespace", "-f", "--filename"]),
            ["apply"]
        );
        assert!(c.has_flag(&["--context"]));
    }
}
