//! The files the model makes `generate` write in the GitOps tree, checked against each other:
//! two outputs on one path, or a file where another output needs a folder, is a problem of the
//! model (an app base placed on the tree or on another app's base), reported at the
//! `deploy.scaffold` or `deploy.manifests` that causes it rather than as a failure of the
//! render stage.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::decode::Decoder;
use crate::model::tree::{Claim, Claimant, GitopsTree};
use crate::model::types::{Config, Deploy};
use crate::yaml::Span;

impl Decoder<'_> {
    pub(super) fn outputs(&mut self, config: &Config) {
        let claims = GitopsTree::claims(config);
        let mut first: BTreeMap<&str, &Claim> = BTreeMap::new();
        let mut clashes: Vec<(&Claim, &Claim, bool)> = Vec::new();
        for claim in &claims {
            match first.get(claim.path.as_str()) {
                Some(earlier) => clashes.push((claim, earlier, false)),
                None => {
                    first.insert(&claim.path, claim);
                }
            }
        }
        for claim in &claims {
            // `x/kustomization.yaml` written where `x` is a file gitops-gen writes.
            let folders = claim
                .path
                .match_indices('/')
                .map(|(at, _)| &claim.path[..at]);
            if let Some(file) = folders.filter_map(|folder| first.get(folder)).next() {
                clashes.push((claim, file, true));
            }
        }
        let mut reported = BTreeSet::new();
        for (claim, other, folder) in clashes {
            let (mine, theirs) = match (&claim.by, &other.by) {
                (Claimant::App(a), Claimant::App(b)) if a == b => continue,
                (Claimant::App(a), Claimant::App(b)) if a < b => (other, claim),
                (Claimant::App(_), _) => (claim, other),
                (Claimant::Tree(_), Claimant::App(_)) => (other, claim),
                // Names are DNS labels, so parts of the tree never clash; the render stage
                // reports it as a bug if they do.
                (Claimant::Tree(_), Claimant::Tree(_)) => continue,
            };
            if reported.insert((claimant_key(&mine.by), claimant_key(&theirs.by))) {
                self.clash(config, mine, theirs, folder);
            }
        }
    }

    /// `mine`, a file of an app base, lands on `theirs` (or, `folder`, one of them needs the
    /// other's path as a folder).
    fn clash(&mut self, config: &Config, mine: &Claim, theirs: &Claim, folder: bool) {
        let Claimant::App(app) = mine.by else { return };
        let Some((name, base, span)) = app_base(config, app) else {
            return;
        };
        let owner = match &theirs.by {
            Claimant::Tree(what) => what.clone(),
            Claimant::App(other) => {
                let other_name = app_base(config, *other).map_or("", |(n, _, _)| n);
                if other_name == name {
                    // One app listed twice: `app is defined twice` already says so.
                    return;
                }
                format!("app `{other_name}`")
            }
        };
        let message = if folder {
            format!(
                "{base} of app `{name}` would write `{}`, and `{}` is written \
                 for {owner}: one path cannot be both a file and a folder",
                mine.path, theirs.path
            )
        } else {
            format!(
                "{base} of app `{name}` would write `{}`, which gitops-gen \
                 also writes for {owner}",
                mine.path
            )
        };
        let help =
            Some("give each app a base folder of its own, e.g. `applications/base/<app>`".into());
        match &theirs.by {
            Claimant::App(other) => {
                let at = app_base(config, *other).map_or(Span::default(), |(_, _, s)| s);
                let related = (at, "also written here");
                self.problems
                    .push_related(span, message, "written twice", help, related);
            }
            Claimant::Tree(_) => self.problems.push(span, message, "written twice", help),
        }
    }
}

/// One key per claimant, so that two apps sharing three files give one diagnostic.
fn claimant_key(by: &Claimant) -> String {
    match by {
        Claimant::App(index) => format!("app #{index}"),
        Claimant::Tree(what) => what.clone(),
    }
}

/// The name, the `deploy` key with its folder, and that key's span of app `index`, when
/// gitops-gen writes files for it.
fn app_base(config: &Config, index: usize) -> Option<(&str, String, Span)> {
    let app = config.apps.get(index)?;
    match &app.deploy {
        Deploy::Scaffold { path, span } => Some((
            &app.name.value,
            format!("`deploy.scaffold` `{path}`"),
            *span,
        )),
        Deploy::Manifests { path, span } => Some((
            &app.name.value,
            format!("`deploy.manifests` `{path}`"),
            *span,
        )),
        Deploy::Kustomize { .. } | Deploy::Helm { .. } => None,
    }
}
