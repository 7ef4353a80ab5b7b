//! Builders for pipelines in rule tests, and the tests of the commands module.

use std::cell::Cell;

use super::calls::repo_path;
use super::unit::one_line;
use super::*;
use crate::files::Loc;
use crate::files::repo::MemRepo;
use crate::infer::Confidence;
use crate::read::CiSystem;
use crate::read::support::{empty_job, empty_pipeline};
use crate::yaml::Span;

thread_local! {
    /// How many times this thread handed a script to the shell tokenizer.
    pub(crate) static TOKENIZED: Cell<usize> = const { Cell::new(0) };
}

/// A script step written as a block scalar starting at `file_offset` with `indent` spaces.
pub(crate) fn script_step(file: &str, text: &str, first_line_offset: usize, indent: usize) -> Step {
    let mut starts = Vec::new();
    let mut at = first_line_offset;
    for line in text.split_inclusive('\n') {
        starts.push(at);
        at += line.len() + indent;
    }
    if text.is_empty() || text.ends_with('\n') {
        starts.push(at);
    }
    Step::Script {
        name: None,
        text: text.to_owned(),
        loc: Loc::new(file, Span::new(first_line_offset, at)),
        line_starts: starts,
        dir: None,
        env: Vec::new(),
        when: Vec::new(),
    }
}

pub(crate) fn action_step(file: &str, uses: &str, with: &[(&str, &str)], at: usize) -> Step {
    Step::Action {
        name: None,
        uses: uses.to_owned(),
        with: with
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        loc: Loc::new(file, Span::new(at, at + uses.len())),
        when: Vec::new(),
    }
}

pub(crate) fn job(id: &str, steps: Vec<Step>) -> Job {
    let loc = Loc::new("ci.yml", Span::new(0, 1));
    Job {
        steps,
        ..empty_job(id.to_owned(), id.to_owned(), loc)
    }
}

pub(crate) fn pipeline(file: &str, system: CiSystem, jobs: Vec<Job>) -> Pipeline {
    Pipeline {
        jobs,
        ..empty_pipeline(file, system)
    }
}

/// The units of the first job of `p` (its script lines each in a shell of their own), with
/// `repo`'s scripts and make targets.
fn units_of(repo: &MemRepo, p: &Pipeline) -> Vec<Unit> {
    job_units(
        repo,
        &p.jobs[0],
        &job_vars(p, &p.jobs[0]),
        false,
        &mut Limits::default(),
    )
}

#[test]
fn step_locs_map_through_line_starts() {
    // The file: "run: |\n  echo hi\n  kubectl apply -f x\n" with the script at offset 9.
    let file = "run: |\n  echo hi\n  kubectl apply -f x\n";
    let text = "echo hi\nkubectl apply -f x\n";
    let p = pipeline(
        "w.yml",
        CiSystem::GithubActions,
        vec![job("j", vec![script_step("w.yml", text, 9, 2)])],
    );
    let repo = MemRepo::default();
    let units = units_of(&repo, &p);
    let loc = units[0].loc(&units[0].cmds[1]);
    assert_eq!(&file[loc.span.range()], "kubectl apply -f x");
}

/// The `script-limit` diagnostics of the units `text` (a GitLab script) calls in `repo`.
fn limits(repo: &MemRepo, text: &str) -> Vec<(String, String)> {
    let p = pipeline(
        "ci.yml",
        CiSystem::GitlabCi,
        vec![job("j", vec![script_step("ci.yml", text, 0, 0)])],
    );
    let mut limits = Limits::default();
    job_units(
        repo,
        &p.jobs[0],
        &job_vars(&p, &p.jobs[0]),
        true,
        &mut limits,
    );
    limits
        .diagnostics
        .into_iter()
        .map(|d| {
            assert_eq!(d.code, crate::files::Code::ScriptLimit);
            (d.loc.file.to_string(), d.message)
        })
        .collect()
}

#[test]
fn limits_reached_on_the_way_are_diagnostics() {
    // Scripts four calls deep: the fourth is named, not read.
    let repo = MemRepo::from_pairs(&[
        ("a.sh", "./b.sh\n"),
        ("b.sh", "./c.sh\n"),
        ("c.sh", "./d.sh\n./c.sh\n"),
        ("d.sh", "kubectl apply -f k8s/\n"),
    ]);
    assert_eq!(
        limits(&repo, "./a.sh\n"),
        [(
            "c.sh".to_owned(),
            "`./d.sh` is not read: scripts and make targets are followed 3 calls deep".to_owned()
        )]
    );
    // 40 prerequisites: the 33 read are the target and its first 32.
    let makefile: String = (0..40).map(|i| format!("deploy: p{i}\n")).collect();
    let repo = MemRepo::from_pairs(&[("Makefile", makefile.as_str())]);
    assert_eq!(
        limits(&repo, "make deploy\n"),
        [(
            "ci.yml".to_owned(),
            "`make deploy` runs more than 33 targets of `Makefile` (its own, then their \
             prerequisites); `p32` and the rest are not read"
                .to_owned()
        )]
    );
    // Functions nested deeper than 16, and a budget spent: kept as written, and said.
    let deep = format!(
        "deploy:\n\tkubectl apply -n {}x{}\n",
        "$(or ".repeat(20),
        ")".repeat(20)
    );
    let repo = MemRepo::from_pairs(&[("Makefile", deep.as_str())]);
    let said = limits(&repo, "make deploy\n");
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].1.contains("expands past the limit"), "{said:?}");
    // Within every limit, nothing is said.
    let repo = MemRepo::from_pairs(&[("Makefile", "deploy: a\na:\n\tkubectl apply -f k8s/\n")]);
    assert!(limits(&repo, "make deploy\n./a.sh\n").is_empty());
}

#[test]
fn called_bytes_are_budgeted_across_jobs_and_read_only_within_the_budget() {
    // 22 bytes a call; 50 bytes in all: the first job's two calls are read, the second job's
    // is named and neither read nor tokenized.
    let repo = MemRepo::from_pairs(&[("deploy.sh", "kubectl apply -f k8s/\n")]);
    let p = pipeline(
        "ci.yml",
        CiSystem::GitlabCi,
        vec![
            job(
                "a",
                vec![script_step("ci.yml", "./deploy.sh\n./deploy.sh\n", 0, 0)],
            ),
            job("b", vec![script_step("ci.yml", "./deploy.sh\n", 0, 0)]),
        ],
    );
    let mut limits = Limits::with_called_bytes(50);
    let mut units = |job: &Job| {
        TOKENIZED.with(|n| n.set(0));
        let units = job_units(&repo, job, &[], true, &mut limits);
        (units.len(), TOKENIZED.with(Cell::get))
    };
    assert_eq!(units(&p.jobs[0]), (3, 3));
    assert_eq!(units(&p.jobs[1]), (1, 1));
    let said: Vec<&str> = limits
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        said,
        [
            "`./deploy.sh` is not read: the scripts and make targets this repository's jobs call \
          come to more than 50 bytes, the most one analysis reads"
        ]
    );
}

#[test]
fn follows_scripts_and_make_targets_with_a_cycle_guard() {
    let repo = MemRepo::from_pairs(&[
        (
            "scripts/deploy.sh",
            "#!/bin/sh\nset -e\nkubectl apply -f k8s/\n./scripts/deploy.sh\nbash scripts/more.sh\n",
        ),
        ("scripts/more.sh", "helm upgrade a ./c\n"),
        (
            "Makefile",
            "IMG ?= reg/app\nKUBECTL = kubectl\n.PHONY: deploy\ndeploy: build\n\t@$(KUBECTL) apply -f k8s/ # x\nbuild:\n\tdocker build -t $(IMG) .\n",
        ),
        ("sub/run.sh", "kubectl delete ns x\n"),
    ]);
    let text = "./scripts/deploy.sh\nmake deploy\ncd sub && ./run.sh\n";
    let p = pipeline(
        "ci.yml",
        CiSystem::GitlabCi,
        vec![job("j", vec![script_step("ci.yml", text, 0, 0)])],
    );
    let units = units_of(&repo, &p);
    let files: Vec<(&str, usize)> = units.iter().map(|u| (&*u.file, u.depth)).collect();
    assert_eq!(
        files,
        [
            ("ci.yml", 0),
            ("scripts/deploy.sh", 1),
            ("scripts/more.sh", 2),
            ("Makefile", 1),
            ("Makefile", 1),
            ("sub/run.sh", 1)
        ]
    );
    let mk = &units[3];
    assert_eq!(mk.cmds[0].program(), Some("kubectl"));
    let makefile = repo.0["Makefile"].as_str();
    assert_eq!(
        &makefile[mk.loc(&mk.cmds[0]).span.range()],
        "\t@$(KUBECTL) apply -f k8s/ # x"
    );
    assert_eq!(units[4].cmds[0].words[3].text, "reg/app");
    let sh = &units[1];
    assert_eq!(
        &repo.0["scripts/deploy.sh"][sh.loc(&sh.cmds[1]).span.range()],
        "kubectl apply -f k8s/"
    );
    assert_eq!(units[1].confidence(&units[1].cmds[1]), Confidence::Medium);
    assert!(units[0].via().is_empty());
    assert!(units[1].via().contains("scripts/deploy.sh"));
    let steps = units.iter().filter(|u| u.depth == 0).count();
    assert_eq!(steps, 1);
}

#[test]
fn repo_paths() {
    assert_eq!(
        repo_path("", "./scripts/x.sh").as_deref(),
        Some("scripts/x.sh")
    );
    assert_eq!(repo_path("a/b", "../c.sh").as_deref(), Some("a/c.sh"));
    assert_eq!(
        repo_path("", "$CI_PROJECT_DIR/x.sh").as_deref(),
        Some("x.sh")
    );
    // The repository's root, whatever directory the script is in; `$PWD` is that directory.
    assert_eq!(
        repo_path("ops", "$CI_PROJECT_DIR/x.sh").as_deref(),
        Some("x.sh")
    );
    assert_eq!(
        repo_path("ops", "$(git rev-parse --show-toplevel)/build/x.sh").as_deref(),
        Some("build/x.sh")
    );
    assert_eq!(repo_path("ops", "$PWD/x.sh").as_deref(), Some("ops/x.sh"));
    assert_eq!(repo_path("", "../../x.sh"), None);
    assert_eq!(repo_path("", "/usr/bin/x"), None);
    assert_eq!(repo_path("", "$DIR/x.sh"), None);
}

#[test]
fn one_line_hides_tokens() {
    assert_eq!(
        one_line("kubectl --token abc \\\n  apply"),
        "kubectl --token *** apply"
    );
    assert_eq!(
        one_line("oc login --token=$T --password=x"),
        "oc login --token=$T --password=***"
    );
}

/// A step's `working-directory` is where its script starts: `./deploy-chart.sh` run from
/// `deploy/helm` is `deploy/helm/deploy-chart.sh`, and what that script calls is found from
/// there too (issue 9: thirteen deploy workflows of one repository were missed).
#[test]
fn scripts_are_found_from_the_working_directory() {
    let repo = MemRepo::from_pairs(&[
        ("deploy/helm/deploy-chart.sh", "./lib/helm.sh\n"),
        (
            "deploy/helm/lib/helm.sh",
            "helm upgrade --install web ./chart\n",
        ),
    ]);
    let mut step = script_step("w.yml", "./deploy-chart.sh\n", 0, 0);
    if let Step::Script { dir, .. } = &mut step {
        // Kept in the workflow's `env:`, as it often is.
        *dir = Some("${{ env.CHART_ROOT }}".to_owned());
    }
    let mut p = pipeline("w.yml", CiSystem::GithubActions, vec![job("j", vec![step])]);
    p.variables
        .push(("CHART_ROOT".to_owned(), "deploy/helm".to_owned()));
    let units = units_of(&repo, &p);
    let files: Vec<&str> = units.iter().map(|u| &*u.file).collect();
    assert_eq!(
        files,
        [
            "w.yml",
            "deploy/helm/deploy-chart.sh",
            "deploy/helm/lib/helm.sh"
        ]
    );
}

/// `kubectl apply -k .` after `cd k8s/overlays/prod` deployed no overlay (issue 9): each
/// command knows the folder it runs in, a variable's folder kept as written, and `cd` with no
/// argument, to an absolute path or out of the repository back at the root.
#[test]
fn each_command_knows_its_folder() {
    let script = "cd k8s/overlays\ncd prod && kubectl apply -k .\ncd ../$ENV\nkubectl apply -k .\n\
                  echo $(cd /tmp)\ncd /srv\nkubectl get pods\ncd ..\nls\n";
    let mut step = script_step("w.yml", script, 0, 0);
    if let Step::Script { dir, .. } = &mut step {
        *dir = Some("deploy".to_owned());
    }
    let p = pipeline("w.yml", CiSystem::GithubActions, vec![job("j", vec![step])]);
    let units = job_units(
        &MemRepo::default(),
        &p.jobs[0],
        &[],
        false,
        &mut Limits::default(),
    );
    let unit = &units[0];
    let dirs: Vec<(String, String)> = (0..unit.cmds.len())
        .map(|i| (unit.command_line(&unit.cmds[i]), unit.dir_at(i)))
        .collect();
    let at = |line: &str| {
        dirs.iter()
            .find(|(l, _)| l == line)
            .map(|(_, d)| d.as_str())
            .expect(line)
    };
    assert_eq!(at("cd k8s/overlays"), "deploy");
    assert_eq!(at("cd prod"), "deploy/k8s/overlays");
    assert_eq!(dirs[2].1, "deploy/k8s/overlays/prod");
    assert_eq!(at("cd ../$ENV"), "deploy/k8s/overlays/prod");
    assert_eq!(dirs[4].1, "deploy/k8s/overlays/$ENV");
    assert_eq!(
        at("cd /srv"),
        "deploy/k8s/overlays/$ENV",
        "cd inside $( ) stays there"
    );
    assert_eq!(at("kubectl get pods"), "");
    assert_eq!(at("ls"), "", "cd .. from the root climbs out: the root");
}

/// The commands of `job`'s units as one line each, with the unit's file.
fn live_commands(repo: &MemRepo, job: &Job) -> Vec<String> {
    job_units(repo, job, &[], false, &mut Limits::default())
        .iter()
        .flat_map(|u| {
            u.cmds
                .iter()
                .map(move |c| format!("{}: {}", u.file, u.command_line(c)))
        })
        .collect()
}

#[test]
fn function_bodies_run_only_where_the_job_calls_them() {
    let repo = MemRepo::from_pairs(&[
        ("lib.sh", "rollout() { ./scripts/helm.sh; }\n"),
        ("scripts/helm.sh", "helm upgrade --install web ./chart\n"),
    ]);
    // The definitions come first, in a step every job inherits (GitLab `before_script`).
    let defs = "function deploy() {\n  ensure_ns\n  helm upgrade web ./chart | tee log\n}\nensure_ns() { kubectl create ns web; }\nbuild() { docker build -t web .; }\n";
    let build = job(
        "build",
        vec![
            script_step("ci.yml", defs, 0, 0),
            script_step("ci.yml", "build\n", 200, 0),
        ],
    );
    // (A command's text starts at the reserved words before it.)
    assert_eq!(
        live_commands(&repo, &build),
        ["ci.yml: { docker build -t web .", "ci.yml: build"]
    );
    let deploy = job(
        "deploy",
        vec![
            script_step("ci.yml", defs, 0, 0),
            script_step("ci.yml", "timeout 600 deploy\n", 200, 0),
        ],
    );
    let units = job_units(&repo, &deploy, &[], false, &mut Limits::default());
    let cmds = &units[0].cmds;
    let lines: Vec<String> = cmds.iter().map(|c| units[0].command_line(c)).collect();
    assert_eq!(
        lines,
        [
            "ensure_ns",
            "helm upgrade web ./chart",
            "tee log",
            "{ kubectl create ns web"
        ]
    );
    // The pipe still points at the helm command after the build body was dropped.
    assert_eq!(cmds[2].stdin_from, Some(1));
    assert!(
        units[0]
            .how(&cmds[1])
            .contains("in shell function `deploy`")
    );
    // A sourced library: the script called from a body runs only when the body does.
    let sourced = |call: &str| {
        job(
            "j",
            vec![script_step(
                "ci.yml",
                &format!("source lib.sh\n{call}\n"),
                0,
                0,
            )],
        )
    };
    assert_eq!(
        live_commands(&repo, &sourced("echo no")),
        ["ci.yml: source lib.sh", "ci.yml: echo no"]
    );
    assert_eq!(
        live_commands(&repo, &sourced("rollout")),
        [
            "ci.yml: source lib.sh",
            "ci.yml: rollout",
            "lib.sh: { ./scripts/helm.sh",
            "scripts/helm.sh: helm upgrade --install web ./chart"
        ]
    );
    // A script that dispatches on its arguments may call any of its functions.
    let dispatch = job(
        "j",
        vec![script_step(
            "ci.yml",
            "up() { kubectl apply -f k8s/; }\n\"$@\"\n",
            0,
            0,
        )],
    );
    assert_eq!(
        live_commands(&repo, &dispatch),
        ["ci.yml: { kubectl apply -f k8s/", "ci.yml: \"$@\""]
    );
}

/// `${VAR:-default}` (issue 9, holdout-15): the variable's value where it is set, the default
/// where nothing sets it, and nothing where it is set to a value that cannot be read.
#[test]
fn shell_defaults_hold_where_nothing_sets_the_variable() {
    let script = "NS=\"${1:-shop-dev}\"\nhelm upgrade web ./chart -n \"$NS\"\n\
                  helm upgrade web ./chart -n \"${QA_NS:-shop-qa}\"\n";
    let repo = MemRepo::from_pairs(&[("deploy.sh", script)]);
    let namespaces = |call: &str, vars: &[(&str, &str)]| {
        let mut p = pipeline(
            ".gitlab-ci.yml",
            CiSystem::GitlabCi,
            vec![job("j", vec![script_step(".gitlab-ci.yml", call, 0, 0)])],
        );
        p.variables
            .extend(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        let units = job_units(
            &repo,
            &p.jobs[0],
            &job_vars(&p, &p.jobs[0]),
            true,
            &mut Limits::default(),
        );
        let called = units
            .iter()
            .find(|u| &*u.file == "deploy.sh")
            .expect("called");
        [1, 2].map(|idx| {
            let ns = called.cmds[idx]
                .arg_after(&["-n"])
                .unwrap_or_default()
                .to_owned();
            values::resolve(&ns, called, idx).0
        })
    };
    assert_eq!(namespaces("./deploy.sh\n", &[]), ["shop-dev", "shop-qa"]);
    assert_eq!(
        namespaces(
            "./deploy.sh \"$NS\"\n",
            &[("NS", "shop-prod"), ("QA_NS", "qa-2")]
        ),
        ["shop-prod", "qa-2"]
    );
    // Set, but to a value that cannot be read: no default.
    assert_eq!(
        namespaces("./deploy.sh \"$TARGET\"\n", &[]),
        ["$NS", "shop-qa"]
    );
}

/// A variable set again on a later line replaces its value for the lines after it, and each
/// line sees what the lines before it set, not what later lines set. The lines share one log
/// of what they set instead of a copy each (a job setting a different variable on each of
/// 10,000 lines took 100 s and 16 GB when each line copied them; `scripts/bench-hostile-inputs.sh`).
#[test]
fn a_variable_set_again_replaces_its_value() {
    use crate::infer::shell::Lookup;
    let lines: Vec<Step> = [
        "X=a",
        "X=b",
        "Y=c",
        "X=d",
        "kubectl -n \"$X\" apply -f k8s/",
    ]
    .iter()
    .map(|l| script_step(".gitlab-ci.yml", l, 0, 0))
    .collect();
    let p = pipeline(".gitlab-ci.yml", CiSystem::GitlabCi, vec![job("j", lines)]);
    let units = job_units(
        &MemRepo::from_pairs(&[]),
        &p.jobs[0],
        &[],
        true,
        &mut Limits::default(),
    );
    let seen = |name: &str| -> Vec<Option<String>> {
        units
            .iter()
            .map(|u| u.vars.value(name).map(|v| v.into_owned()))
            .collect()
    };
    let some = |v: &str| Some(v.to_owned());
    assert_eq!(
        seen("X"),
        [None, some("a"), some("b"), some("b"), some("d")]
    );
    assert_eq!(seen("Y"), [None, None, None, some("c"), some("c")]);
}

/// A command that runs a script the repository does not hold (cloned at run time, at a path a
/// variable names) is recorded with the script's path; one the repository holds is read.
#[test]
fn scripts_the_repository_does_not_hold_are_recorded() {
    let text = "./scripts/ok.sh\n./platform/bin/deploy-eks\nbash \"$SCRIPTS/deploy-k8s-apply.bash\" -a x\nkubectl get pods\n";
    let p = pipeline(
        "ci.yml",
        CiSystem::GitlabCi,
        vec![job("j", vec![script_step("ci.yml", text, 0, 0)])],
    );
    let repo = MemRepo::from_pairs(&[("scripts/ok.sh", "echo ok\n")]);
    let units = units_of(&repo, &p);
    assert_eq!(
        units[0].unread_scripts,
        [
            (1, "./platform/bin/deploy-eks".to_owned()),
            (2, "$SCRIPTS/deploy-k8s-apply.bash".to_owned())
        ]
    );
    assert_eq!(units.len(), 2, "the script the repository holds is read");
    assert!(units[1].unread_scripts.is_empty());
}

#[test]
fn an_output_handed_on_per_branch_is_read_up_to_its_bound() {
    // `ENV` set per branch in an `if`/`elif`, written once: one value per branch, each under
    // its test; past 64 branches, none, and a diagnostic says so.
    let handed = |branches: usize| {
        let mut text = String::new();
        for i in 0..branches {
            let kw = if i == 0 { "if" } else { "elif" };
            text.push_str(&format!(
                "{kw} [ \"$GITHUB_REF\" = \"refs/heads/b{i}\" ]; then\n  ENV=v{i}\n"
            ));
        }
        text.push_str("fi\necho \"environment=$ENV\" >> \"$GITHUB_OUTPUT\"\n");
        let mut pick = job("pick", vec![script_step("w.yml", &text, 0, 0)]);
        pick.outputs = vec![(
            "environment".to_owned(),
            "${{ steps.s.outputs.environment }}".to_owned(),
        )];
        let mut limits = Limits::default();
        let units = job_units(&MemRepo::default(), &pick, &[], false, &mut limits);
        let values = handed_on_branch(&pick, &units, &mut limits);
        (values, limits.diagnostics.len())
    };
    let (values, diagnostics) = handed(2);
    let read: Vec<(&str, &str, Option<&str>)> = values
        .iter()
        .map(|c| {
            (
                c.name.as_str(),
                c.value.as_str(),
                c.when[0].pattern.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        read,
        [
            ("needs.pick.outputs.environment", "v0", Some("b0")),
            ("needs.pick.outputs.environment", "v1", Some("b1")),
        ]
    );
    assert_eq!(diagnostics, 0);
    let (values, diagnostics) = handed(65);
    assert!(values.is_empty());
    assert_eq!(diagnostics, 1);
}
