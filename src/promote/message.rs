//! Promotion commit messages: an audit record of what moved where, why, and from which build.

use crate::promote::CiEnv;

/// Everything a promotion commit records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Audit {
    /// Target environment.
    pub env: String,
    /// App whose image moved.
    pub app: String,
    /// Image repository.
    pub repository: String,
    /// Previous tag or digest (`none` when the entry was new).
    pub old: Option<String>,
    /// New tag or digest.
    pub new: String,
    /// Why (CI event, or `--reason`).
    pub reason: String,
    /// Commit the image was built from, when known.
    pub source_commit: Option<String>,
    /// Pipeline run URL, when known.
    pub pipeline_url: Option<String>,
    /// Who triggered it, when known.
    pub actor: Option<String>,
    /// Extra sentences for the body (rollbacks, unknown ancestry).
    pub notes: Vec<String>,
}

impl Audit {
    /// Fills source commit, pipeline URL, actor and the reason from the CI run: `reason` when
    /// given, else what started the run, else "manual promotion".
    pub(crate) fn with_ci(mut self, ci: &CiEnv, reason: Option<&str>) -> Audit {
        self.source_commit.clone_from(&ci.commit);
        self.pipeline_url.clone_from(&ci.pipeline_url);
        self.actor.clone_from(&ci.actor);
        self.reason = match (reason, &ci.trigger) {
            (Some(r), _) => r.to_owned(),
            (None, Some(trigger)) => trigger.clone(),
            (None, None) => "manual promotion".to_owned(),
        };
        self
    }

    /// The subject line: `promote(<env>): <app> <old> → <new>`.
    pub(crate) fn subject(&self) -> String {
        format!(
            "promote({}): {} {} → {}",
            self.env,
            self.app,
            short(self.old.as_deref().unwrap_or("none")),
            short(&self.new)
        )
    }

    /// The message of one app's commit: subject, a readable body, the skip-CI marker when
    /// asked (a push to the GitOps branch must not build and promote again; a promotion
    /// branch's commit must, so its pull or merge request gets its checks), then git trailers.
    fn compose(&self, skip_ci: bool) -> String {
        format!(
            "{}\n\n{}{}",
            self.subject(),
            self.movement(),
            self.trailers(skip_ci)
        )
    }

    /// `Move <app> in <env> from <old>\nto <new>.`, then the notes.
    fn movement(&self) -> String {
        let old = match &self.old {
            Some(old) => format!("{}{}{old}", self.repository, separator(old)),
            None => "(not set)".to_owned(),
        };
        let mut msg = format!(
            "Move {} in {} from {old}\nto {}{}{}.\n",
            self.app,
            self.env,
            self.repository,
            separator(&self.new),
            self.new,
        );
        for note in &self.notes {
            msg.push_str(note);
            msg.push('\n');
        }
        msg
    }

    /// The skip-CI marker when asked, the reason, then the git trailers.
    fn trailers(&self, skip_ci: bool) -> String {
        let mut msg = String::new();
        if skip_ci {
            msg.push_str("\n[skip ci]\n");
        }
        msg.push_str(&format!("\nReason: {}\n", self.reason));
        msg.push_str(&run_trailers(
            self.source_commit.as_deref(),
            self.pipeline_url.as_deref(),
            self.actor.as_deref(),
        ));
        msg
    }
}

/// The git trailers that name the run behind a commit, each only when known.
pub(crate) fn run_trailers(
    source_commit: Option<&str>,
    pipeline_url: Option<&str>,
    actor: Option<&str>,
) -> String {
    [
        ("Source-Commit", source_commit),
        ("Pipeline-Url", pipeline_url),
        ("Actor", actor),
    ]
    .into_iter()
    .filter_map(|(key, value)| Some(format!("{key}: {}\n", value?)))
    .collect()
}

/// The subject of one commit promoting every app in `audits` (one environment, one run):
/// one app's own subject, or `promote(<env>): web, api → <new>` (the new reference when all
/// apps share it, as images tagged with the commit do).
pub(crate) fn subject(audits: &[Audit]) -> String {
    match audits {
        [] => String::new(),
        [one] => one.subject(),
        [first, rest @ ..] => {
            let apps: Vec<&str> = audits.iter().map(|a| a.app.as_str()).collect();
            let mut subject = format!("promote({}): {}", first.env, apps.join(", "));
            if rest.iter().all(|a| a.new == first.new) {
                subject.push_str(&format!(" → {}", short(&first.new)));
            }
            subject
        }
    }
}

/// The message of one commit promoting every app in `audits`: the subject, one paragraph per
/// app, then the first record's reason and trailers (one run built them all). `skip_ci` as in
/// [`Audit::message`].
pub(crate) fn compose(audits: &[Audit], skip_ci: bool) -> String {
    match audits {
        [] => String::new(),
        [one] => one.compose(skip_ci),
        [first, ..] => {
            let moves: Vec<String> = audits.iter().map(Audit::movement).collect();
            format!(
                "{}\n\n{}{}",
                subject(audits),
                moves.join("\n"),
                first.trailers(skip_ci)
            )
        }
    }
}

/// A commit message without its subject: the body of a pull or merge request.
pub(crate) fn body_of(message: &str) -> String {
    message
        .split_once("\n\n")
        .map_or(String::new(), |(_, body)| body.to_owned())
}

fn separator(reference: &str) -> &'static str {
    if reference.starts_with("sha256:") {
        "@"
    } else {
        ":"
    }
}

/// Digests and full SHAs are shortened in the subject only; the body has them whole.
fn short(reference: &str) -> String {
    match reference.strip_prefix("sha256:") {
        Some(hex) => format!("sha256:{}", hex.chars().take(12).collect::<String>()),
        None if reference.len() == 40 && reference.bytes().all(|b| b.is_ascii_hexdigit()) => {
            reference[..12].to_owned()
        }
        None => reference.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_layout() {
        let audit = Audit {
            env: "staging".into(),
            app: "web".into(),
            repository: "ghcr.io/acme/web".into(),
            old: Some("latest".into()),
            new: "3f9c2e1".into(),
            reason: "push to refs/heads/staging".into(),
            source_commit: Some("3f9c2e1".into()),
            pipeline_url: None,
            actor: Some("octocat".into()),
            notes: Vec::new(),
        };
        assert_eq!(
            compose(std::slice::from_ref(&audit), true),
            "promote(staging): web latest → 3f9c2e1\n\nMove web in staging from ghcr.io/acme/web:latest\n\
             to ghcr.io/acme/web:3f9c2e1.\n\n[skip ci]\n\nReason: push to refs/heads/staging\n\
             Source-Commit: 3f9c2e1\nActor: octocat\n"
        );
    }

    #[test]
    fn one_commit_for_several_apps() {
        let audit = |app: &str| Audit {
            env: "staging".into(),
            app: app.into(),
            repository: format!("ghcr.io/acme/{app}"),
            old: None,
            new: "3f9c2e1".into(),
            reason: "push to refs/heads/main".into(),
            source_commit: Some("3f9c2e1".into()),
            ..Audit::default()
        };
        let audits = [audit("web"), audit("api")];
        assert_eq!(subject(&audits), "promote(staging): web, api → 3f9c2e1");
        assert_eq!(
            compose(&audits, true),
            "promote(staging): web, api → 3f9c2e1\n\nMove web in staging from (not set)\n\
             to ghcr.io/acme/web:3f9c2e1.\n\nMove api in staging from (not set)\n\
             to ghcr.io/acme/api:3f9c2e1.\n\n[skip ci]\n\nReason: push to refs/heads/main\n\
             Source-Commit: 3f9c2e1\n"
        );
        assert_eq!(compose(&audits[..1], false), audits[0].compose(false));
        assert!(body_of(&compose(&audits, false)).starts_with("Move web"));
    }
}
