//! Readers of the team's deploy sources in a checkout, for the questions generate and promote
//! ask of them: which images does a Kustomize directory run once built (`kustomize`), and what
//! do a Helm chart's values hold (`helm`)?
//!
//! Neither is the real tool. `kustomize` follows `resources:` (and the legacy `bases:`) into
//! local files and folders, reads every `image:` string in the manifests, and applies each
//! kustomization's `images:` entries (`newName`, `newTag`, `digest`) on the way out, innermost
//! first, as Kustomize's image transformer does; patches, generators, components and
//! replacements are ignored, none of them being how the trees gitops-gen writes or adopts set an
//! image. Remote resources (`https://…`, `github.com/…`) cannot be read offline; they are listed,
//! and callers decide what an unknown means. `helm` merges values files the way Helm merges
//! `-f` files and Flux merges `valuesFrom` (later files win, maps merge key by key, anything else
//! is replaced) and looks up dotted paths; it renders no template.
//!
//! Paths are repository-relative with `/` separators; files are read through
//! [`safe_read`](crate::files::safe_read), so nothing outside the checkout is opened, and a
//! Kustomize tree is bounded in the number of kustomizations it pulls in. Errors are
//! user-facing sentences naming the file (and line and column for invalid YAML).

pub(crate) mod helm;
pub(crate) mod kustomize;

use std::path::Path;
use std::rc::Rc;

use crate::error::Error;
use crate::files::LineIndex;
use crate::files::inputs;
use crate::files::safe_read::Symlinks;
use crate::yaml::Node;

/// Kustomization file names, in the order Kustomize looks for them.
pub(crate) const KUSTOMIZATION_NAMES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The YAML documents of `path` (relative to `root`); invalid YAML is reported at its
/// `file:line:column`. The file is read every time, so a change is always seen; the parse is
/// [`crate::yaml::parsed`]'s, shared with every other reader of the same text.
pub(crate) fn documents(root: &Path, path: &str) -> Result<Rc<Vec<Node>>, Error> {
    let text = inputs::read_text(root, path, Symlinks::InsideRoot)
        .map_err(|why| Error::Usage(format!("`{path}` {why}")))?;
    crate::yaml::parsed(&text).map_err(|e| {
        let (line, column) = LineIndex::new(&text).position(&text, e.span.start);
        Error::Usage(format!(
            "`{path}:{line}:{column}` is not valid YAML: {}",
            e.message
        ))
    })
}
