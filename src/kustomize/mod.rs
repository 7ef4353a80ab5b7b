//! A reader of the Kustomize trees in a checkout, for the one question generate and promote ask
//! of them: which images does this directory run once Kustomize has built it?
//!
//! It is not Kustomize. It follows `resources:` (and the legacy `bases:`) into local files and
//! folders, reads every `image:` string in the manifests, and applies each kustomization's
//! `images:` entries (`newName`, `newTag`, `digest`) on the way out, innermost first, as
//! Kustomize's image transformer does. Everything else Kustomize does (patches, generators,
//! components, replacements) is ignored: none of it is how the image of a Deployment is set in
//! the trees gitops-gen writes or adopts. Remote resources (`https://…`, `github.com/…`) cannot
//! be read offline; they are listed, and callers decide what an unknown means.
//!
//! Paths are repository-relative with `/` separators; files are read through
//! [`safe_read`](crate::files::safe_read), so nothing outside the checkout is opened, and a
//! tree is bounded by `images::MAX_BASES` kustomizations. Errors are user-facing sentences naming the
//! file (and line and column for invalid YAML).

mod images;

pub(crate) use images::{Rendered, of_base, of_files};

/// Kustomization file names, in the order Kustomize looks for them.
pub(crate) const KUSTOMIZATION_NAMES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];
