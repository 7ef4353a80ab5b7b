//! INFER stage: the scripts of a `package.json` that a package manager runs (`npm run deploy`,
//! `yarn deploy`, `pnpm run deploy`, `lerna run deploy`), as text a called unit reads.
//!
//! npm and yarn run a script's `pre` and `post` scripts around it (`predeploy`, `postdeploy`),
//! so those are read with it, in that order; pnpm does not, so only the script is. `lerna run`
//! runs the script in each package that has it: the packages are the folders `lerna.json`'s
//! `packages` globs name (`packages/*` when it names none, or the root `package.json`'s
//! `workspaces` when lerna uses those), at most [`MAX_PACKAGES`]. A run narrowed to some
//! workspaces (`npm -w`, `pnpm --filter`, `yarn workspace`) is not read: which folder it names
//! is a package's `name`, which this reading does not map to folders.

use std::sync::Arc;

use super::calls::repo_path;
use super::limits::Limits;
use crate::files::{Loc, RepoFiles};
use crate::infer::shell::Command;
use crate::yaml::Span;

/// Reads a JSON file of the repository within the budget: its text and value.
type Reader<'r> = dyn FnMut(&str) -> Option<(Arc<str>, serde_json::Value)> + 'r;

/// Most packages one `lerna run` reads; past it, a `script-limit` diagnostic.
pub(super) const MAX_PACKAGES: usize = 64;

/// One package script a command runs, with its `pre` and `post` scripts where they run.
pub(super) struct PackageScript {
    /// The `package.json` it is written in.
    pub(super) manifest: String,
    /// The package's folder, where the script runs.
    pub(super) dir: String,
    /// The script's name.
    pub(super) name: String,
    /// The scripts, one after the other, as the shell reads them.
    pub(super) text: String,
    /// The span in `manifest` of each line of `text`: the value it is written in.
    pub(super) spans: Vec<Span>,
}

/// What a command asks a package manager to run.
pub(super) enum Run<'c> {
    /// A script of the package in `dir` (the command's own folder when `None`).
    One {
        manager: Manager,
        name: &'c str,
        dir: Option<&'c str>,
    },
    /// `lerna run NAME`: the script in every package that has it.
    Lerna { name: &'c str },
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Manager {
    Npm,
    Yarn,
    Pnpm,
}

/// Commands of yarn and pnpm that are no script, so `yarn add` is never the script `add`.
const BUILTINS: &[&str] = &[
    "add",
    "audit",
    "bin",
    "cache",
    "config",
    "create",
    "dlx",
    "exec",
    "global",
    "import",
    "info",
    "init",
    "install",
    "link",
    "list",
    "login",
    "logout",
    "outdated",
    "pack",
    "publish",
    "remove",
    "unlink",
    "upgrade",
    "version",
    "why",
    "workspace",
    "workspaces",
];

/// The run `cmd` asks for, if it is one of a package manager's and names its script plainly
/// (not `npm run $TARGET`).
pub(super) fn run_of(cmd: &Command) -> Option<Run<'_>> {
    let program = cmd.program()?;
    let value_flags = [
        "--prefix",
        "-C",
        "--dir",
        "--cwd",
        "-w",
        "--workspace",
        "--filter",
        "-F",
    ];
    let words = cmd.positionals(&value_flags);
    // `npx lerna run deploy`, `yarn lerna run deploy`: lerna itself.
    let lerna = match (program, words.as_slice()) {
        ("lerna", ["run", name, ..]) => Some(*name),
        ("npx" | "yarn" | "pnpm", ["lerna", "run", name, ..]) => Some(*name),
        _ => None,
    };
    let plain = |name: &str| !name.is_empty() && !name.contains(['$', '`', '/']);
    if let Some(name) = lerna {
        return plain(name).then_some(Run::Lerna { name });
    }
    let narrowed = cmd.has_flag(&[
        "-w",
        "--workspace",
        "--workspaces",
        "--filter",
        "-F",
        "-r",
        "--recursive",
    ]);
    if narrowed {
        return None;
    }
    let (manager, dir) = match program {
        "npm" => (Manager::Npm, cmd.arg_after(&["--prefix", "-C"])),
        "yarn" => (Manager::Yarn, cmd.arg_after(&["--cwd"])),
        "pnpm" => (Manager::Pnpm, cmd.arg_after(&["-C", "--dir"])),
        _ => return None,
    };
    let name = match (manager, words.as_slice()) {
        (_, ["run" | "run-script", name, ..]) => *name,
        (Manager::Npm, ["start", ..]) => "start",
        (Manager::Yarn | Manager::Pnpm, [name, ..]) if !BUILTINS.contains(name) => *name,
        _ => return None,
    };
    plain(name).then_some(Run::One { manager, name, dir })
}

/// The package scripts `run`, a command in `cwd`, runs. Each JSON file read for it is taken
/// from the analysis's budget of called bytes (a `package.json` is parsed each time a command
/// runs one of its scripts), and a file past the budget is not read. A file that is not valid
/// JSON, and a `lerna run` past [`MAX_PACKAGES`], are `script-limit` diagnostics at the command
/// (`called_as`, at `at`).
pub(super) fn scripts(
    files: &dyn RepoFiles,
    run: Run<'_>,
    cwd: &str,
    limits: &mut Limits,
    (called_as, at): (&str, &Loc),
) -> Vec<PackageScript> {
    let mut read = |path: &str| -> Option<(Arc<str>, serde_json::Value)> {
        let raw = files.read(path)?;
        if !limits.take(raw.len(), called_as, at) {
            return None;
        }
        match serde_json::from_str(&raw) {
            Ok(parsed) => Some((raw, parsed)),
            Err(e) => {
                limits.push(
                    at.clone(),
                    format!("`{called_as}` is not read: `{path}` is not valid JSON ({e})"),
                );
                None
            }
        }
    };
    match run {
        Run::One { manager, name, dir } => {
            let dir = match dir {
                Some(d) => repo_path(cwd, d),
                None => Some(cwd.to_owned()),
            };
            let lifecycle = manager != Manager::Pnpm;
            dir.and_then(|dir| script(&mut read, &dir, name, lifecycle))
                .into_iter()
                .collect()
        }
        Run::Lerna { name } => {
            let mut dirs = lerna_packages(files, &mut read);
            let unread = dirs.len().saturating_sub(MAX_PACKAGES);
            dirs.truncate(MAX_PACKAGES);
            let found: Vec<PackageScript> = dirs
                .iter()
                .filter_map(|d| script(&mut read, d, name, true))
                .collect();
            if unread > 0 {
                limits.push(
                    at.clone(),
                    format!(
                        "`{called_as}` runs the script in more than {MAX_PACKAGES} packages; {unread} are not read"
                    ),
                );
            }
            found
        }
    }
}

/// The folders of lerna's packages, sorted.
fn lerna_packages(files: &dyn RepoFiles, read: &mut Reader<'_>) -> Vec<String> {
    let mut json = |path: &str| read(path).map(|(_, parsed)| parsed);
    let strings = |v: Option<&serde_json::Value>| -> Vec<String> {
        v.and_then(serde_json::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let lerna = json("lerna.json");
    let mut globs = strings(lerna.as_ref().and_then(|l| l.get("packages")));
    if globs.is_empty() {
        let root = json("package.json");
        let workspaces = root.as_ref().and_then(|r| r.get("workspaces"));
        globs = strings(workspaces);
        if globs.is_empty() {
            globs = strings(workspaces.and_then(|w| w.get("packages")));
        }
    }
    if globs.is_empty() {
        globs.push("packages/*".to_owned());
    }
    let mut dirs: Vec<String> = globs
        .iter()
        .filter(|g| !g.starts_with('!') && !g.contains(".."))
        .flat_map(|g| files.glob(&format!("{}/package.json", g.trim_end_matches('/'))))
        .filter_map(|p| p.strip_suffix("/package.json").map(str::to_owned))
        .collect();
    dirs.sort();
    dirs.dedup();
    dirs
}

/// The script `name` of the package in `dir`, with its `pre` and `post` scripts when
/// `lifecycle`; `None` when the package has no such script.
fn script(read: &mut Reader<'_>, dir: &str, name: &str, lifecycle: bool) -> Option<PackageScript> {
    let manifest = repo_path(dir, "package.json")?;
    let (raw, parsed) = read(&manifest)?;
    let scripts = parsed.get("scripts")?.as_object()?;
    scripts.get(name)?.as_str()?;
    let names = if lifecycle {
        vec![format!("pre{name}"), name.to_owned(), format!("post{name}")]
    } else {
        vec![name.to_owned()]
    };
    let (mut text, mut spans) = (String::new(), Vec::new());
    for key in &names {
        let Some(body) = scripts.get(key).and_then(serde_json::Value::as_str) else {
            continue;
        };
        let span = value_span(&raw, key);
        for line in body.lines() {
            text.push_str(line);
            text.push('\n');
            spans.push(span);
        }
    }
    Some(PackageScript {
        manifest,
        dir: dir.to_owned(),
        name: name.to_owned(),
        text,
        spans,
    })
}

/// Where the value of script `key` is written in the `package.json` text `raw`: the first
/// `"key": "..."` after `"scripts"`, else the `"scripts"` key, else the file's start.
fn value_span(raw: &str, key: &str) -> Span {
    let Some(scripts) = raw.find("\"scripts\"") else {
        return Span::new(0, 0);
    };
    let quoted = format!("\"{key}\"");
    let mut from = scripts;
    while let Some(at) = raw[from..].find(&quoted).map(|i| from + i) {
        let after = at + quoted.len();
        let rest = raw[after..].trim_start();
        if let Some(value) = rest.strip_prefix(':').map(str::trim_start)
            && value.starts_with('"')
        {
            let start = raw.len() - value.len();
            let end = closing_quote(raw, start + 1).map_or(start + 1, |e| e + 1);
            return Span::new(start, end);
        }
        from = after;
    }
    Span::new(scripts, scripts + "\"scripts\"".len())
}

/// The index of the `"` closing a JSON string whose text starts at `from`.
fn closing_quote(raw: &str, from: usize) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in raw.get(from..)?.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(from + i),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infer::shell::commands;

    fn run_name(line: &str) -> Option<String> {
        let cmds = commands(line, &[]);
        match run_of(cmds.first()?)? {
            Run::One { name, dir, .. } => Some(match dir {
                Some(d) => format!("{name} in {d}"),
                None => name.to_owned(),
            }),
            Run::Lerna { name } => Some(format!("lerna {name}")),
        }
    }

    #[test]
    fn each_package_manager_spells_a_run_its_way() {
        assert_eq!(
            run_name("npm run deploy:k8s").as_deref(),
            Some("deploy:k8s")
        );
        assert_eq!(
            run_name("npm run-script deploy -- --prod").as_deref(),
            Some("deploy")
        );
        assert_eq!(
            run_name("npm --prefix web run deploy").as_deref(),
            Some("deploy in web")
        );
        assert_eq!(run_name("npm start").as_deref(), Some("start"));
        assert_eq!(run_name("yarn deploy").as_deref(), Some("deploy"));
        assert_eq!(
            run_name("yarn --cwd app run deploy").as_deref(),
            Some("deploy in app")
        );
        assert_eq!(
            run_name("pnpm -C app deploy").as_deref(),
            Some("deploy in app")
        );
        assert_eq!(
            run_name("lerna run deploy --stream").as_deref(),
            Some("lerna deploy")
        );
        assert_eq!(
            run_name("npx lerna run deploy").as_deref(),
            Some("lerna deploy")
        );
        // Not a script, or a workspace this reading cannot place.
        assert_eq!(run_name("yarn install"), None);
        assert_eq!(run_name("npm install"), None);
        assert_eq!(run_name("npm test"), None);
        assert_eq!(run_name("npm run deploy -w api"), None);
        assert_eq!(run_name("pnpm --filter api deploy"), None);
        assert_eq!(run_name("yarn workspace api deploy"), None);
    }

    /// The scripts `line`, run at the root of `files`, reads, and the diagnostics it leaves.
    fn read_run(files: &[(&str, &str)], line: &str) -> (Vec<String>, Vec<String>) {
        let repo = crate::files::repo::MemRepo::from_pairs(files);
        let cmds = commands(line, &[]);
        let run = run_of(&cmds[0]).expect("a run");
        let mut limits = Limits::default();
        let at = Loc::new("ci.yml", Span::new(0, 0));
        let found = scripts(&repo, run, "", &mut limits, (line, &at));
        let texts = found
            .into_iter()
            .map(|s| format!("{}: {}", s.manifest, s.text.trim_end()))
            .collect();
        let said = limits
            .diagnostics
            .iter()
            .map(|d| d.message.clone())
            .collect();
        (texts, said)
    }

    #[test]
    fn scripts_are_read_with_their_lifecycle_and_what_is_not_read_is_said() {
        let manifest = r#"{"scripts": {"predeploy": "helm dep build c", "deploy": "helm upgrade --install w c"}}"#;
        let (texts, said) = read_run(&[("package.json", manifest)], "npm run deploy");
        assert_eq!(
            texts,
            ["package.json: helm dep build c\nhelm upgrade --install w c"]
        );
        assert!(said.is_empty());
        // pnpm runs no `pre` script.
        let (texts, _) = read_run(&[("package.json", manifest)], "pnpm deploy");
        assert_eq!(texts, ["package.json: helm upgrade --install w c"]);
        // A `package.json` that does not parse is said, not skipped in silence.
        let (texts, said) = read_run(&[("package.json", "{\"scripts\": {")], "yarn deploy");
        assert!(texts.is_empty());
        assert_eq!(said.len(), 1);
        assert!(
            said[0].contains("`package.json` is not valid JSON"),
            "{said:?}"
        );
        // lerna: each package that has the script, from lerna.json's globs.
        let files = [
            ("lerna.json", r#"{"packages": ["apps/*"]}"#),
            (
                "apps/a/package.json",
                r#"{"scripts": {"deploy": "kubectl apply -k k8s"}}"#,
            ),
            ("apps/b/package.json", r#"{"scripts": {"build": "tsc"}}"#),
            ("packages/c/package.json", r#"{"scripts": {"deploy": "x"}}"#),
        ];
        let (texts, said) = read_run(&files, "npx lerna run deploy");
        assert_eq!(texts, ["apps/a/package.json: kubectl apply -k k8s"]);
        assert!(said.is_empty());
    }

    #[test]
    fn the_value_of_a_script_is_found_after_scripts() {
        let raw = "{\n  \"deploy\": 1,\n  \"scripts\": {\n    \"deploy\": \"helm upgrade \\\"x\\\" ./c\"\n  }\n}\n";
        let span = value_span(raw, "deploy");
        assert_eq!(&raw[span.range()], "\"helm upgrade \\\"x\\\" ./c\"");
        assert_eq!(&raw[value_span(raw, "missing").range()], "\"scripts\"");
        assert_eq!(value_span("{}", "x"), Span::new(0, 0));
    }
}
