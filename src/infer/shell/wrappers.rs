//! Programs that run another command (`sudo`, `env`, `timeout 60`, `xargs`, ...) and variables
//! standing for one are taken off so the real command comes first; `sh -c '...'` and `eval`
//! hand back the script they run.

use super::vars::{VarState, assignment, lone_variable};
use super::{Command, Word, split_words};

/// How many wrappers (`sudo env timeout 5 ...`) or variable substitutions are undone per command.
const MAX_UNWRAP: usize = 8;

/// Wrapper programs: (name, options that take a value, whether `NAME=value` may follow).
const WRAPPERS: &[(&str, &[&str], bool)] = &[
    (
        "sudo",
        &[
            "-u", "-g", "-h", "-p", "-C", "-U", "-r", "-t", "-D", "-R", "-T",
        ],
        true,
    ),
    ("env", &["-u", "-C", "--unset", "--chdir"], true),
    ("time", &["-f", "-o", "--format", "--output"], false),
    ("exec", &["-a"], false),
    ("nohup", &[], false),
    ("command", &[], false),
    ("builtin", &[], false),
    ("nice", &["-n", "--adjustment"], false),
    ("ionice", &["-c", "-n", "-p"], false),
    ("stdbuf", &["-i", "-o", "-e"], false),
    (
        "xargs",
        &[
            "-n",
            "-I",
            "-L",
            "-P",
            "-d",
            "-E",
            "-s",
            "-a",
            "--max-args",
            "--max-procs",
        ],
        false,
    ),
    ("timeout", &["-s", "-k", "--signal", "--kill-after"], false),
    ("npx", &["-p", "--package"], false),
    // Network wrappers: `proxychains4 -q helm upgrade ...`, `tsocks kubectl apply ...`.
    ("proxychains4", &["-f"], false),
    ("proxychains", &["-f"], false),
    ("tsocks", &[], false),
    ("torsocks", &[], false),
    // Travis CI's shell functions: `travis_wait 30 bash deploy.sh`, `travis_retry make`.
    ("travis_wait", &[], false),
    ("travis_retry", &[], false),
];

/// Undoes wrappers and command-position variables, outermost first.
pub(super) fn unwrap(cmd: &mut Command, vars: &VarState) {
    for _ in 0..MAX_UNWRAP {
        let Some(first) = cmd.words.first() else {
            return;
        };
        if let Some(name) = lone_variable(first) {
            let Some(value) = vars.get(name) else {
                return;
            };
            let (span_start, span_end) = (first.start, first.end);
            let replacement: Vec<Word> = split_words(value)
                .into_iter()
                .map(|t| Word {
                    raw: t.clone(),
                    text: t,
                    start: span_start,
                    end: span_end,
                })
                .collect();
            if replacement.is_empty() || cmd.via_variable.is_some() {
                return;
            }
            cmd.via_variable = Some(name.to_owned());
            cmd.words.splice(0..1, replacement);
            continue;
        }
        let Some(program) = cmd.program().map(str::to_owned) else {
            return;
        };
        let Some((_, value_opts, assigns)) = WRAPPERS.iter().find(|(w, _, _)| *w == program) else {
            return;
        };
        let mut i = 1;
        let mut took_duration = false;
        while let Some(w) = cmd.words.get(i) {
            let t = w.text.as_str();
            if program == "command" && matches!(t, "-v" | "-V") {
                return; // `command -v kubectl` asks whether it exists
            }
            if t == "--" {
                i += 1;
                break;
            }
            if t.len() > 1 && t.starts_with('-') {
                i += if value_opts.contains(&t) { 2 } else { 1 };
                continue;
            }
            if *assigns && let Some(a) = assignment(w) {
                cmd.assignments.push(a);
                i += 1;
                continue;
            }
            let minutes = program == "travis_wait" && t.bytes().all(|b| b.is_ascii_digit());
            if (program == "timeout" || minutes) && !took_duration {
                took_duration = true;
                i += 1;
                continue;
            }
            break;
        }
        if i >= cmd.words.len() {
            return; // a wrapper with nothing to run
        }
        cmd.wrappers.push(program);
        cmd.words.drain(..i);
    }
}

/// The script a command runs as a string: `sh -c '...'`, `bash -ec "..."`, `eval ...`.
pub(super) fn inline_script(cmd: &Command) -> Option<String> {
    match cmd.program()? {
        "sh" | "bash" | "zsh" | "dash" | "ash" | "ksh" => {
            let mut words = cmd.words.iter().skip(1);
            let mut has_c = false;
            for w in words.by_ref() {
                let t = w.text.as_str();
                if t.starts_with('-') && !t.starts_with("--") {
                    has_c |= t.contains('c');
                    if t == "-o" {
                        continue;
                    }
                    if has_c {
                        break;
                    }
                } else if t.starts_with("--") {
                    continue;
                } else {
                    return None;
                }
            }
            if !has_c {
                return None;
            }
            words.next().map(|w| w.text.clone())
        }
        "eval" => {
            let rest: Vec<&str> = cmd.words.iter().skip(1).map(|w| w.text.as_str()).collect();
            (!rest.is_empty()).then(|| rest.join(" "))
        }
        _ => None,
    }
}
