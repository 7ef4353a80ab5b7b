//! Renderers: commands whose output, piped into a deploy command reading `-f -`, is what gets
//! deployed (`kustomize build overlays/prod | kubectl apply -f -`). They deploy nothing alone;
//! what they read becomes the deploy's paths, and a kustomize build makes the deploy a
//! `kustomize` `build-apply`.

use std::cell::OnceCell;
use std::collections::HashMap;

use super::deploy::value_flags;
use crate::infer::shell::Command;

/// A command that renders manifests.
#[derive(Debug)]
struct Renderer {
    programs: &'static [&'static str],
    /// The subcommand that renders (`kustomize build`), or `None` when the program does.
    verb: Option<&'static str>,
    /// Whether its output is a kustomize build.
    kustomize: bool,
    reads: Reads,
}

/// Where a renderer names the files it reads.
#[derive(Debug, Clone, Copy)]
enum Reads {
    /// The positional after the subcommand, `.` when there is none (`kustomize build dir`).
    Directory,
    /// The chart (`helm template [NAME] CHART`) and the values files (`-f`, `--values`).
    HelmChart,
    /// The values of these options, without `-` (stdin: the pipe is followed instead).
    Files(&'static [&'static str]),
    /// The values of these options as written, `-` included.
    FilesAsWritten(&'static [&'static str]),
    /// Every positional (`cat a.yaml b.yaml`).
    Positionals,
    /// The files redirected into its stdin (`envsubst < deploy.yaml`).
    StdinRedirects,
}

/// Every renderer. A program has one row, so the first row that matches is the renderer.
const RENDERERS: &[Renderer] = &[
    Renderer {
        programs: &["kustomize"],
        verb: Some("build"),
        kustomize: true,
        reads: Reads::Directory,
    },
    Renderer {
        programs: &["kubectl", "oc"],
        verb: Some("kustomize"),
        kustomize: true,
        reads: Reads::Directory,
    },
    Renderer {
        programs: &["helm"],
        verb: Some("template"),
        kustomize: false,
        reads: Reads::HelmChart,
    },
    Renderer {
        programs: &["ytt", "kbld", "jsonnet"],
        verb: None,
        kustomize: false,
        reads: Reads::Files(&["-f", "--file"]),
    },
    Renderer {
        programs: &["ko"],
        verb: Some("resolve"),
        kustomize: false,
        reads: Reads::FilesAsWritten(&["-f", "--filename"]),
    },
    Renderer {
        programs: &["cat"],
        verb: None,
        kustomize: false,
        reads: Reads::Positionals,
    },
    Renderer {
        programs: &["envsubst"],
        verb: None,
        kustomize: false,
        reads: Reads::StdinRedirects,
    },
];

/// What is piped into a command: the files renderers read, whether kustomize built it, and
/// the namespace the nearest command that gave one rendered into ([`rendered_namespace`]).
#[derive(Debug, Default)]
pub(super) struct Upstream {
    pub(super) paths: Vec<String>,
    pub(super) kustomize: bool,
    pub(super) namespace: Option<String>,
}

/// The renderers piped into command `idx`, nearest first (at most 16, and only commands before
/// it, so a malformed pipe chain cannot loop).
pub(super) fn upstream_renders(cmds: &[Command], idx: usize) -> Upstream {
    let mut up = Upstream::default();
    let cursor = cmds.get(idx).and_then(|c| c.stdin_from);
    renders_from(cmds, cursor, idx, &mut up);
    up
}

/// The commands of a script that write each file (`> out.yaml`, `>> out.yaml`), in order:
/// where [`rendered_into`] looks for what wrote a deployed file. Built once per script, the
/// first time a deploy reads a file, so a script of many applies stays linear.
#[derive(Debug, Default)]
pub(crate) struct Writers(OnceCell<HashMap<String, Vec<usize>>>);

impl Writers {
    fn of(cmds: &[Command]) -> HashMap<String, Vec<usize>> {
        let mut writers: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, cmd) in cmds.iter().enumerate() {
            for r in &cmd.redirects {
                if matches!(r.op.as_str(), ">" | ">>" | ">|") {
                    let file = r.target.text.strip_prefix("./").unwrap_or(&r.target.text);
                    writers.entry(file.to_owned()).or_default().push(i);
                }
            }
        }
        writers
    }

    /// The last command of `cmds` before `idx` that writes `file`.
    fn last_before(&self, cmds: &[Command], file: &str, idx: usize) -> Option<usize> {
        let at = self.0.get_or_init(|| Writers::of(cmds)).get(file)?;
        let before = at.partition_point(|&i| i < idx);
        before.checked_sub(1).map(|k| at[k])
    }
}

/// The renderers that wrote `file` before command `idx` (`kustomize build overlays/prod >
/// out.yaml` then `kubectl apply -f out.yaml`): the last command before it whose output is
/// redirected to that file, and what is piped into it. Nothing when that command renders
/// nothing (`echo "$MANIFEST" > out.yaml`). `writers` is the script's index, built on first use.
pub(super) fn rendered_into(
    cmds: &[Command],
    idx: usize,
    file: &str,
    writers: &Writers,
) -> Upstream {
    let mut up = Upstream::default();
    let file = file.strip_prefix("./").unwrap_or(file);
    let writer = writers.last_before(cmds, file, idx.min(cmds.len()));
    renders_from(cmds, writer, idx, &mut up);
    up
}

/// Adds to `up` the renderers from command `cursor` up its pipe chain, all before `idx`.
fn renders_from(cmds: &[Command], mut cursor: Option<usize>, idx: usize, up: &mut Upstream) {
    let mut guard = 0;
    while let Some(i) = cursor {
        guard += 1;
        if guard > 16 || i >= idx {
            break;
        }
        let Some(cmd) = cmds.get(i) else {
            break;
        };
        let positionals = cmd.positionals(&["-f", "--file", "-o", "--output", "--values"]);
        let renderer = cmd.program().and_then(|program| {
            RENDERERS.iter().find(|r| {
                r.programs.contains(&program)
                    && r.verb.is_none_or(|verb| positionals.first() == Some(&verb))
            })
        });
        if let Some(renderer) = renderer {
            up.kustomize |= renderer.kustomize;
            up.paths
                .extend(read_paths(cmd, &positionals, renderer.reads));
        }
        if up.namespace.is_none() {
            up.namespace = rendered_namespace(cmd, renderer.is_some());
        }
        cursor = cmd.stdin_from;
    }
}

/// The namespace what `cmd` renders is in, when `cmd` says: a renderer's `-n`/`--namespace`
/// (`helm template web ./chart -n shop-prod`), or a `kubectl`/`oc create ... --dry-run -o yaml`,
/// the create-or-update idiom, by its `-n` or, for a namespace it creates, its name
/// (`kubectl create namespace shop-prod --dry-run=client -o yaml | kubectl apply -f -`).
fn rendered_namespace(cmd: &Command, renderer: bool) -> Option<String> {
    let program = cmd.program()?;
    let positionals = cmd.positionals(value_flags(program));
    let client = matches!(program, "kubectl" | "oc");
    let creates =
        client && positionals.first() == Some(&"create") && super::deploy::is_dry_run(cmd);
    if !(creates || (renderer && (client || program == "helm"))) {
        return None;
    }
    creates
        .then(|| super::deploy::created_namespace(&positionals))
        .flatten()
        .or_else(|| cmd.arg_after(&["-n", "--namespace"]))
        .map(str::to_owned)
}

/// The files a renderer reads, as written. `positionals` skip the values of the options every
/// renderer shares (`-f`, `-o`, `--values`, ...).
fn read_paths(cmd: &Command, positionals: &[&str], reads: Reads) -> Vec<String> {
    let owned = |words: Vec<&str>| words.into_iter().map(str::to_owned).collect::<Vec<_>>();
    match reads {
        Reads::Directory => vec![positionals.get(1).copied().unwrap_or(".").to_owned()],
        Reads::HelmChart => {
            let pos = cmd.positionals(value_flags("helm"));
            let chart = if pos.len() >= 3 {
                pos.get(2)
            } else {
                pos.get(1)
            };
            let mut paths: Vec<String> = chart.map(|c| (*c).to_owned()).into_iter().collect();
            paths.extend(owned(cmd.args_after(&["-f", "--values"])));
            paths
        }
        Reads::Files(flags) => owned(cmd.args_after(flags))
            .into_iter()
            .filter(|p| p != "-")
            .collect(),
        Reads::FilesAsWritten(flags) => owned(cmd.args_after(flags)),
        Reads::Positionals => owned(positionals.to_vec()),
        Reads::StdinRedirects => cmd
            .redirects
            .iter()
            .filter(|r| r.op == "<")
            .map(|r| r.target.text.clone())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use crate::infer::vocab::DeployTool;
    use crate::infer::vocab::deploy::first_deploy;

    #[test]
    fn renderer_output_piped_into_a_deploy_supplies_its_paths() {
        let m = first_deploy("kustomize build overlays/prod | kubectl apply -f -").expect("deploy");
        assert_eq!(
            (m.tool, m.operation.as_str()),
            (DeployTool::Kustomize, "build-apply")
        );
        assert_eq!(m.paths, ["overlays/prod"]);
        let m = first_deploy("kubectl kustomize k8s/staging | kubectl apply -f -").expect("deploy");
        assert_eq!(m.tool, DeployTool::Kustomize);
        assert_eq!(first_deploy("kustomize build overlays/prod"), None);
        assert_eq!(first_deploy("kustomize edit set image app=x"), None);
        let m = first_deploy("ytt -f config/ | kbld -f - | kapp deploy -a app -f - -y")
            .expect("deploy");
        assert_eq!((m.tool, m.operation.as_str()), (DeployTool::Kapp, "deploy"));
        assert_eq!(m.paths, ["config/"]);
        let m =
            first_deploy("helm template web ./chart -f values-staging.yaml | kubectl apply -f -")
                .expect("deploy");
        assert_eq!(m.tool, DeployTool::Kubectl);
        assert_eq!(m.paths, ["./chart", "values-staging.yaml"]);
        let m = first_deploy("envsubst < k8s/deploy.yaml | kubectl apply -f -").expect("deploy");
        assert_eq!(m.paths, ["k8s/deploy.yaml"]);
    }

    #[test]
    fn what_is_rendered_into_a_namespace_is_deployed_there() {
        // The last deploy of each script: a dry-run create is one too, of no effect.
        let ns = |s: &str| {
            let cmds = crate::infer::shell::commands(s, &[]);
            let writers = super::Writers::default();
            (0..cmds.len())
                .rev()
                .find_map(|i| crate::infer::vocab::deploy::classify_deploy(&cmds, i, &writers))
                .expect("deploy")
                .namespace
        };
        for (script, namespace) in [
            (
                "kubectl create secret docker-registry regcred --docker-server=ghcr.io \
                 -n shop-prod --dry-run=client -o yaml | kubectl apply -f -",
                Some("shop-prod"),
            ),
            (
                "kubectl create namespace shop-uat --dry-run=client -o yaml | kubectl apply -f -",
                Some("shop-uat"),
            ),
            (
                "oc create configmap cfg --from-file=a -n web --dry-run -o yaml > cm.yaml\n\
                 oc apply -f cm.yaml",
                Some("web"),
            ),
            (
                "helm template web ./chart --namespace shop | kubectl apply -f -",
                Some("shop"),
            ),
            // The deploy's own namespace wins.
            (
                "helm template web ./chart -n a | kubectl apply -n b -f -",
                Some("b"),
            ),
            // Not a dry run: the create is itself the deploy, into the namespace it creates.
            ("kubectl create namespace shop", Some("shop")),
            (
                "kubectl create secret generic env --from-env-file=.env",
                None,
            ),
            ("cat k8s/a.yaml | kubectl apply -f -", None),
        ] {
            assert_eq!(ns(script).as_deref(), namespace, "{script}");
        }
    }

    /// `kustomize build overlays/prod > out.yaml` then `kubectl apply -f out.yaml` deployed
    /// `out.yaml`, a file no overlay names (issue 9): the render is followed as a pipe is.
    #[test]
    fn a_file_a_renderer_wrote_is_what_it_read() {
        let m =
            first_deploy("kustomize build overlays/prod > out.yaml\nkubectl apply -f ./out.yaml")
                .expect("deploy");
        assert_eq!(
            (m.tool, m.operation.as_str()),
            (DeployTool::Kustomize, "build-apply")
        );
        assert_eq!(m.paths, ["./out.yaml", "overlays/prod"]);
        let m = first_deploy(
            "helm template web ./chart -f values-uat.yaml | envsubst > all.yaml\n\
             kubectl apply -f all.yaml",
        )
        .expect("deploy");
        assert_eq!(m.paths, ["all.yaml", "./chart", "values-uat.yaml"]);
        // Not a renderer, or another file: the file alone.
        let m = first_deploy("echo \"$MANIFEST\" > out.yaml\nkubectl apply -f out.yaml")
            .expect("deploy");
        assert_eq!(
            (m.tool, m.paths.as_slice()),
            (DeployTool::Kubectl, &["out.yaml".to_owned()][..])
        );
        let m = first_deploy("kustomize build a > one.yaml\nkubectl apply -f two.yaml")
            .expect("deploy");
        assert_eq!(m.paths, ["two.yaml"]);
    }

    /// The write is found however far back it is, and the last one before the deploy counts:
    /// a later write does not change what an earlier deploy read.
    #[test]
    fn the_last_write_before_the_deploy_counts_however_far_back() {
        let mut script = String::from("kustomize build overlays/prod > out.yaml\n");
        script.push_str(&"echo step >> log.txt\n".repeat(1_000));
        script.push_str("kubectl apply -f out.yaml\nkustomize build overlays/dev > out.yaml\n");
        let m = first_deploy(&script).expect("deploy");
        assert_eq!(m.paths, ["out.yaml", "overlays/prod"]);
    }

    #[test]
    fn every_renderer_is_read() {
        let deploy = |script: &str| first_deploy(script).expect("deploy");
        let m = deploy("oc kustomize | oc apply -f -");
        assert_eq!(
            (m.tool, m.paths.as_slice()),
            (DeployTool::Kustomize, &[".".to_owned()][..])
        );
        assert_eq!(
            deploy("helm template ./chart | kubectl apply -f -").paths,
            ["./chart"]
        );
        assert_eq!(
            deploy("kbld -f release.yml | kubectl apply -f -").paths,
            ["release.yml"]
        );
        assert_eq!(
            deploy("ko resolve -f config/ | kubectl apply -f -").paths,
            ["config/"]
        );
        assert_eq!(
            deploy("cat a.yaml b.yaml | kubectl apply -f -").paths,
            ["a.yaml", "b.yaml"]
        );
        // Not renderers: what they print is not what is deployed from files.
        assert!(deploy("echo x | kubectl apply -f -").paths.is_empty());
        assert!(
            deploy("helm show values c | kubectl apply -f -")
                .paths
                .is_empty()
        );
    }
}
