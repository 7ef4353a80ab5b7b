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

    /// The message of a commit pushed to the GitOps branch: subject, a readable body, the
    /// skip-CI marker (the push must not build and promote again), then git trailers.
    pub(crate) fn message(&self) -> String {
        self.compose(true)
    }

    /// The message of a commit on a promotion branch: the same without the skip-CI marker, so
    /// the pull or merge request gets its checks (which branch protection can then require).
    pub(crate) fn proposal_message(&self) -> String {
        self.compose(false)
    }

    fn compose(&self, skip_ci: bool) -> String {
        let old = match &self.old {
            Some(old) => format!("{}{}{old}", self.repository, separator(old)),
            None => "(not set)".to_owned(),
        };
        let mut msg = format!(
            "{}\n\nMove {} in {} from {old}\nto {}{}{}.\n",
            self.subject(),
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
        if skip_ci {
            msg.push_str("\n[skip ci]\n");
        }
        msg.push_str(&format!("\nReason: {}\n", self.reason));
        for (key, value) in [
            ("Source-Commit", &self.source_commit),
            ("Pipeline-Url", &self.pipeline_url),
            ("Actor", &self.actor),
        ] {
            if let Some(value) = value {
                msg.push_str(&format!("{key}: {value}\n"));
            }
        }
        msg
    }
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
            audit.message(),
            "promote(staging): web latest → 3f9c2e1\n\nMove web in staging from ghcr.io/acme/web:latest\n\
             to ghcr.io/acme/web:3f9c2e1.\n\n[skip ci]\n\nReason: push to refs/heads/staging\n\
             Source-Commit: 3f9c2e1\nActor: octocat\n"
        );
    }
}
