//! Manifests a job renders into a file before it applies them:
//!
//! ```sh
//! kustomize build k8s/overlays/prod > manifest.yaml
//! kubectl apply -f manifest.yaml
//! ```
//!
//! applies the overlay `k8s/overlays/prod`: the overlay names the apply's target, as a
//! [`HintSource::Rendered`] hint, weaker than the job's own name (the job may change what it
//! rendered first). A render is `kustomize build DIR` or `kubectl|oc kustomize DIR`, its
//! output written with `>` (or `-o`/`--output`); the file is matched as written, each side
//! seen from the folder its command runs in.

use std::collections::HashMap;

use super::Hint;
use super::paths::path_hint;
use crate::files::fold::relative;
use crate::infer::shell::Command;
use crate::infer::vocab::DeployMatch;
use crate::infer::{Confidence, HintSource};

/// The renders the current job made so far: the folder last rendered into each file, both
/// from the repository root (a map: a job of thousands of renders and applies looks each up
/// once).
#[derive(Default)]
pub(super) struct Rendered(HashMap<String, String>);

impl Rendered {
    pub(super) fn clear(&mut self) {
        self.0.clear();
    }

    /// Records `cmd`, run in `dir`, when it renders a kustomization into a file.
    pub(super) fn record(&mut self, cmd: &Command, dir: &str) {
        let rendered = match (
            cmd.program(),
            cmd.positionals(&["-o", "--output"]).as_slice(),
        ) {
            (Some("kustomize"), ["build", source, ..])
            | (Some("kubectl" | "oc"), ["kustomize", source, ..]) => *source,
            _ => return,
        };
        let file = cmd
            .redirects
            .iter()
            .rev()
            .find(|r| r.op == ">" || r.op == "1>")
            .map(|r| r.target.text.as_str())
            .or_else(|| cmd.arg_after(&["-o", "--output"]));
        if let Some(file) = file.filter(|f| !f.is_empty() && !f.starts_with('&')) {
            self.0
                .insert(from_root(dir, file), from_root(dir, rendered));
        }
    }

    /// The hint of each file `m` deploys that the job rendered from an overlay (the last
    /// render of that file before the deploy), its paths seen from `dir`.
    pub(super) fn hints(&self, m: &DeployMatch, dir: &str, command: &str) -> Vec<Hint> {
        let mut out = Vec::new();
        for written in &m.paths {
            let path = from_root(dir, written);
            let Some(source) = self.0.get(&path) else {
                continue;
            };
            if let Some((name, HintSource::Overlay, _)) = path_hint(source) {
                let note = format!(
                    "`{command}` deploys `{written}`, which the job rendered from `{source}`, named for `{name}`"
                );
                out.push(Hint::new(name, HintSource::Rendered, Confidence::Low, note));
            }
        }
        out
    }
}

/// `path`, read from folder `dir`, from the repository root and folded (`./out.yaml` is
/// `out.yaml`); as written when it starts elsewhere (`/tmp/out.yaml`, a variable).
fn from_root(dir: &str, path: &str) -> String {
    relative(dir, path).unwrap_or_else(|| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infer::shell::commands;
    use crate::infer::vocab::DeployTool;

    fn applied(script: &str, file: &str) -> Vec<String> {
        let mut rendered = Rendered::default();
        for cmd in commands(script, &[]) {
            rendered.record(&cmd, "");
        }
        let mut m = DeployMatch::new(DeployTool::Kubectl, "apply");
        m.paths = vec![file.to_owned()];
        rendered
            .hints(&m, "", "kubectl apply")
            .into_iter()
            .map(|h| h.name)
            .collect()
    }

    #[test]
    fn a_rendered_file_is_the_folder_it_was_rendered_from() {
        for script in [
            "kustomize build k8s/overlays/prod > manifest.yaml",
            "kubectl kustomize k8s/overlays/prod > ./manifest.yaml",
            "kustomize build k8s/overlays/prod -o manifest.yaml",
            "kustomize build k8s/overlays/dev > manifest.yaml\nkustomize build k8s/overlays/prod > manifest.yaml",
        ] {
            assert_eq!(applied(script, "manifest.yaml"), ["prod"], "{script}");
        }
        // Another file, output not kept, not a render, no overlay: nothing.
        for script in [
            "kustomize build k8s/overlays/prod > other.yaml",
            "kustomize build k8s/overlays/prod 2> manifest.yaml",
            "helm template chart > manifest.yaml",
            "kustomize build k8s/app > manifest.yaml",
        ] {
            assert!(applied(script, "manifest.yaml").is_empty(), "{script}");
        }
    }
}
