//! Programs that run another command (`sudo`, `env`, `timeout 60`, `xargs`, ...), a container
//! (`docker run IMAGE cmd`) or a pod (`kubectl exec POD -- cmd`, `oc rsh POD cmd`), and
//! variables standing for one, are taken off so the real command comes first; `sh -c '...'`
//! and `eval` hand back the script they run.

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
    // `sshpass -p "$PASS" ssh host 'kubectl apply ...'`.
    ("sshpass", &["-p", "-f", "-d", "-P"], false),
    ("travis_retry", &[], false),
    // Distributions that bundle the clients: `microk8s kubectl apply`, `microk8s helm3 ...`,
    // `k3s kubectl apply`.
    ("microk8s", &[], false),
    ("k3s", &[], false),
    // The Rancher CLI runs the client against the cluster it logged in to: `rancher kubectl
    // apply ...` (its other subcommands are no deploy tool's).
    ("rancher", &[], false),
];

/// Front ends that render files and hand everything after `--` to a deploy client:
/// `emskaffolden -E staging -- deploy -n shop` (emrichen templates, then Skaffold) runs
/// `skaffold deploy -n shop`.
const FRONT_ENDS: &[(&str, &str)] = &[("emskaffolden", "skaffold")];

/// Container engines whose `run IMAGE COMMAND...` runs a command in a container.
const CONTAINER_ENGINES: &[&str] = &["docker", "podman", "nerdctl"];

/// Options of `docker run` (and Podman's, nerdctl's) that take a value.
const RUN_VALUE_OPTIONS: &[&str] = &[
    "-a",
    "--attach",
    "-c",
    "--cpu-shares",
    "--cidfile",
    "--cpus",
    "--device",
    "-e",
    "--env",
    "--env-file",
    "--entrypoint",
    "-h",
    "--hostname",
    "--ip",
    "-l",
    "--label",
    "--label-file",
    "--link",
    "--log-driver",
    "--log-opt",
    "-m",
    "--memory",
    "--mount",
    "--name",
    "--network",
    "--net",
    "-p",
    "--publish",
    "--platform",
    "--pull",
    "--restart",
    "--runtime",
    "--security-opt",
    "--shm-size",
    "--stop-signal",
    "--stop-timeout",
    "--tmpfs",
    "-u",
    "--user",
    "--ulimit",
    "-v",
    "--volume",
    "--volumes-from",
    "-w",
    "--workdir",
    "--add-host",
    "--dns",
    "--gpus",
    "--group-add",
    "--ipc",
    "--pid",
    "--cap-add",
    "--cap-drop",
    "--userns",
    "--uts",
    "--isolation",
    "--memory-swap",
    "--cgroupns",
    "--health-cmd",
];

/// Undoes wrappers and command-position variables, outermost first.
pub(super) fn unwrap(cmd: &mut Command, vars: &VarState<'_>) {
    for _ in 0..MAX_UNWRAP {
        let Some(first) = cmd.words.first() else {
            return;
        };
        if let Some(name) = lone_variable(first) {
            let Some(value) = vars.get(name) else {
                return;
            };
            let (span_start, span_end) = (first.start, first.end);
            let replacement: Vec<Word> = split_words(&value)
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
            cmd.via_variable = Some(if first.text.starts_with("${{") {
                first.text.clone()
            } else {
                name.to_owned()
            });
            cmd.words.splice(0..1, replacement);
            continue;
        }
        let Some(program) = cmd.program().map(str::to_owned) else {
            return;
        };
        // `retry helm upgrade ...` where the script defined `retry() { ... "$@" ... }`.
        if vars.is_arguments_runner(&program) && cmd.words.len() > 1 {
            cmd.wrappers.push(program);
            cmd.words.remove(0);
            continue;
        }
        if CONTAINER_ENGINES.contains(&program.as_str()) {
            if !container_run(cmd) {
                return;
            }
            continue;
        }
        if let Some((_, client)) = FRONT_ENDS.iter().find(|(f, _)| *f == program) {
            let Some(dashes) = cmd.words.iter().position(|w| w.text == "--") else {
                return;
            };
            let mut at = cmd.words[0].clone();
            (at.raw, at.text) = ((*client).to_owned(), (*client).to_owned());
            cmd.words.splice(..=dashes, [at]);
            cmd.wrappers.push(program);
            continue;
        }
        if matches!(program.as_str(), "kubectl" | "oc") {
            if !pod_exec(cmd) {
                return;
            }
            continue;
        }
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

/// `docker run [OPTIONS] IMAGE COMMAND...` (also `docker container run`, Podman's and
/// nerdctl's) becomes the command it runs in the container, after the entrypoint when
/// `--entrypoint` gives one: `docker run -v ~/.kube:/root/.kube bitnami/kubectl:1.30 kubectl
/// apply -f k8s/` runs `kubectl apply -f k8s/`. What a command leaves to the image's own
/// entrypoint (`docker run --rm alpine/helm upgrade ...`) reads as `upgrade ...`, which
/// deploys nothing: the command does not say what runs. A run with no command after the image
/// (`docker run -d postgres`) is left as it is. Whether it changed `cmd`; when it did, a
/// command is left.
fn container_run(cmd: &mut Command) -> bool {
    let mut i = 1;
    if cmd.words.get(i).is_some_and(|w| w.text == "container") {
        i += 1;
    }
    if cmd.words.get(i).is_none_or(|w| w.text != "run") {
        return false;
    }
    i += 1;
    let mut entrypoint = None;
    while let Some(w) = cmd.words.get(i) {
        let t = w.text.as_str();
        if t == "--" {
            i += 1;
            break;
        }
        if !(t.len() > 1 && t.starts_with('-')) {
            break;
        }
        if let Some(value) = t.strip_prefix("--entrypoint=") {
            entrypoint = Some(value.to_owned());
        } else if t == "--entrypoint" {
            entrypoint = cmd.words.get(i + 1).map(|v| v.text.clone());
        }
        i += if RUN_VALUE_OPTIONS.contains(&t) { 2 } else { 1 };
    }
    // The image, then the command.
    let entrypoint = entrypoint.filter(|e| !e.is_empty());
    let command = i + 1;
    if command > cmd.words.len() || (command == cmd.words.len() && entrypoint.is_none()) {
        return false;
    }
    let engine = cmd.words[0].text.clone();
    let mut at_image = cmd.words[i].clone();
    cmd.words.drain(..command);
    if let Some(entrypoint) = entrypoint {
        at_image.raw.clone_from(&entrypoint);
        at_image.text = entrypoint;
        cmd.words.insert(0, at_image);
    }
    cmd.wrappers.push(format!("{engine} run"));
    true
}

/// Options of `kubectl`/`oc` that take a value, before the subcommand or among `exec`'s and
/// `rsh`'s own.
const CLIENT_VALUE_OPTIONS: &[&str] = &[
    "-n",
    "--namespace",
    "--context",
    "--kubeconfig",
    "--cluster",
    "--user",
    "-s",
    "--server",
    "--token",
    "-c",
    "--container",
    "--shell",
    "--timeout",
    "--pod-running-timeout",
    "-f",
    "--filename",
];

/// `kubectl exec [OPTIONS] POD -- COMMAND...` and `oc exec` (`--` required, as kubectl now
/// requires it), and `oc rsh [OPTIONS] POD COMMAND...`, become the command they run in the pod:
/// `oc rsh argocd-application-controller-0 argocd app sync shop` runs `argocd app sync shop`,
/// which changes the cluster from inside it. An exec without a command (an interactive shell)
/// is left as it is. Whether it changed `cmd`; when it did, a command is left.
fn pod_exec(cmd: &mut Command) -> bool {
    let options = |from: usize| {
        let mut i = from;
        while let Some(t) = cmd.words.get(i).map(|w| w.text.as_str()) {
            if !(t.len() > 1 && t.starts_with('-')) || t == "--" {
                break;
            }
            i += if CLIENT_VALUE_OPTIONS.contains(&t) {
                2
            } else {
                1
            };
        }
        i
    };
    let sub = options(1);
    let Some(verb) = cmd.words.get(sub).map(|w| w.text.clone()) else {
        return false;
    };
    let command = match verb.as_str() {
        "exec" => match cmd.words.iter().skip(sub + 1).position(|w| w.text == "--") {
            Some(at) => sub + 1 + at + 1,
            None => return false,
        },
        "rsh" if cmd.words[0].text == "oc" => {
            let at = options(options(sub + 1) + 1);
            at + usize::from(cmd.words.get(at).is_some_and(|w| w.text == "--"))
        }
        _ => return false,
    };
    if command >= cmd.words.len() {
        return false;
    }
    let client = cmd.words[0].text.clone();
    cmd.words.drain(..command);
    cmd.wrappers.push(format!("{client} {verb}"));
    true
}

/// Options of `ssh` that take a value (`-i key`, `-p 22`, `-o Opt=x`, or attached: `-p22`).
const SSH_VALUE_OPTIONS: &str = "BbcDEeFIiJLlmOopQRSWw";

/// The script a command runs as a string: `sh -c '...'`, `bash -ec "..."`, `eval ...`, the
/// command `az aks command invoke --command "..."` runs in the cluster, and the command
/// `ssh [options] HOST 'cmd ...'` runs on another machine (its words after the host, joined
/// as ssh joins them; without any, the parser reads a heredoc fed to it, `ssh HOST <<EOF`).
pub(super) fn inline_script(cmd: &Command) -> Option<String> {
    match cmd.program()? {
        "ssh" => {
            let mut words = cmd.words.iter().skip(1).map(|w| w.text.as_str());
            while let Some(w) = words.next() {
                let Some(flags) = w.strip_prefix('-') else {
                    let remote: Vec<&str> = words.collect();
                    return (!remote.is_empty()).then(|| remote.join(" "));
                };
                if w == "--" {
                    let _host = words.next()?;
                    let remote: Vec<&str> = words.collect();
                    return (!remote.is_empty()).then(|| remote.join(" "));
                }
                // `-tt`, `-i key`, `-ikey`, `-oStrictHostKeyChecking=no`: a value option takes
                // the rest of the word, or the next one.
                if let Some(at) = flags.find(|c| SSH_VALUE_OPTIONS.contains(c))
                    && at + 1 == flags.len()
                {
                    words.next()?;
                }
            }
            None
        }
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
        // `az aks command invoke -g RG -n NAME --command "kubectl apply -f x.yaml"`: AKS runs the
        // command in a pod of a (private) cluster, with kubectl and helm at hand.
        "az" => {
            let words = cmd.words.iter().map(|w| w.text.as_str());
            if !words.take(4).eq(["az", "aks", "command", "invoke"]) {
                return None;
            }
            cmd.arg_after(&["--command", "-c"]).map(str::to_owned)
        }
        _ => None,
    }
}
