//! Packaged steps that run a shell script given as an input: `bcgov/action-oc-runner` runs its
//! `commands:` after logging in to OpenShift, `appleboy/ssh-action` its `script:` and Azure's
//! `SSH@0` task its `commands:` or `inline:` on a host over SSH, and Jenkins'
//! `openshift.raw(...)` runs `oc` with its arguments. Retry wrappers run theirs
//! (`nick-fields/retry`, `Wandalen/wretry.action`: `command:`), and so does an orb command
//! named for running one (`codacy/run_skip_ssh` with `cmd:`). Their script is read as a script
//! step's would be, so what it deploys is found the same way.

use crate::read::Step;

/// (action, the input holding its script). Matched on the action's name without `@ref`,
/// ignoring case.
const SCRIPT_ACTIONS: &[(&str, &str)] = &[
    ("bcgov/action-oc-runner", "commands"),
    ("appleboy/ssh-action", "script"),
    // Azure Pipelines' SSH task: `runOptions: commands` (its default) or `inline`.
    ("SSH", "commands"),
    ("SSH", "inline"),
    // Retry wrappers.
    ("nick-fields/retry", "command"),
    ("Wandalen/wretry.action", "command"),
];

/// Whether a packaged step without `@ref` is an orb command named for running a command it is
/// given (`run`, `run_skip_ssh`, `run-with-retry` of any orb).
fn runs_given_command(action: &str) -> bool {
    action.split_once('/').is_some_and(|(_, command)| {
        command == "run" || command.starts_with("run_") || command.starts_with("run-")
    })
}

/// The script step a packaged step stands for, when it runs a script input; the script's lines
/// point at the step, as its input's own place is not kept.
pub(crate) fn as_script_step(step: &Step) -> Option<Step> {
    let Step::Action {
        name,
        uses,
        with,
        loc,
        when,
    } = step
    else {
        return None;
    };
    let action = uses.split('@').next().unwrap_or(uses).trim();
    let text = if action == "openshift.raw" {
        // Jenkins' OpenShift Client DSL: `openshift.raw('rsh', pod, 'argocd app sync x')` runs
        // `oc` with its arguments.
        let args: Vec<&str> = with
            .iter()
            .filter(|(k, _)| k == "arg")
            .map(|(_, v)| v.as_str())
            .collect();
        if args.is_empty() {
            return None;
        }
        format!("oc {}", args.join(" "))
    } else {
        let orb_inputs: &[&str] = if !uses.contains('@') && runs_given_command(action) {
            &["cmd", "command"]
        } else {
            &[]
        };
        SCRIPT_ACTIONS
            .iter()
            .filter(|(a, _)| a.eq_ignore_ascii_case(action))
            .map(|(_, input)| *input)
            .chain(orb_inputs.iter().copied())
            .find_map(|input| with.iter().find(|(k, _)| k == input))?
            .1
            .clone()
    };
    Some(Step::Script {
        name: name.clone(),
        text,
        loc: loc.clone(),
        line_starts: Vec::new(),
        dir: None,
        env: Vec::new(),
        when: when.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infer::commands::tests::action_step;

    fn action(uses: &str, with: &[(&str, &str)]) -> Step {
        action_step("w.yml", uses, with, 0)
    }

    #[test]
    fn a_script_input_becomes_a_script_step() {
        let runner = action(
            "bcgov/action-oc-runner@d2fc921aaa9d70684c186dbb7754e6985d44d86f",
            &[
                ("oc_namespace", "x"),
                ("commands", "helm upgrade --install a ./c"),
            ],
        );
        let Some(Step::Script { text, .. }) = as_script_step(&runner) else {
            panic!("not a script step");
        };
        assert_eq!(text, "helm upgrade --install a ./c");
        let ssh = action(
            "Appleboy/SSH-Action@v1",
            &[("script", "kubectl apply -f k8s/")],
        );
        assert!(as_script_step(&ssh).is_some());
        assert!(as_script_step(&action("bcgov/action-oc-runner@v1", &[])).is_none());
        assert!(as_script_step(&action("actions/checkout@v4", &[("script", "x")])).is_none());
        let raw = action(
            "openshift.raw",
            &[("arg", "rsh"), ("arg", "argocd-0 argocd app sync x")],
        );
        let Some(Step::Script { text, .. }) = as_script_step(&raw) else {
            panic!("not a script step");
        };
        assert_eq!(text, "oc rsh argocd-0 argocd app sync x");
        assert!(as_script_step(&action("openshift.raw", &[])).is_none());
        for input in ["commands", "inline"] {
            let azure = action(
                "SSH@0",
                &[("sshEndpoint", "ec2"), (input, "kubectl apply -f k8s/")],
            );
            assert!(as_script_step(&azure).is_some(), "{input}");
        }
        let retry = action(
            "nick-fields/retry@v3",
            &[("max_attempts", "3"), ("command", "kubectl apply -f k8s/")],
        );
        assert!(as_script_step(&retry).is_some());
        let orb = action("codacy/run_skip_ssh", &[("cmd", "make -C .do deploy")]);
        let Some(Step::Script { text, .. }) = as_script_step(&orb) else {
            panic!("not a script step");
        };
        assert_eq!(text, "make -C .do deploy");
        // Not an orb command (it has a ref), nor one named for running a command.
        assert!(as_script_step(&action("acme/run_x@v1", &[("cmd", "x")])).is_none());
        assert!(as_script_step(&action("codacy/runner", &[("cmd", "x")])).is_none());
    }
}
