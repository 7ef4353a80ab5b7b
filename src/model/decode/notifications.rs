//! `notifications:`: the commit status the operator sets on the GitOps repository after it
//! applies a commit, and the chat it tells about failures.

use crate::model::decode::source::check_https_url;
use crate::model::decode::{CHAT_KEYS, COMMIT_STATUS_KEYS, Decoder, NOTIFICATIONS_KEYS};
use crate::model::types::{ChatAlerts, ChatProvider, Ci, CommitStatus, GitProvider, Notifications};
use crate::yaml::{Mapping, Node};

/// The Secret names used when the model gives none.
pub(crate) const COMMIT_STATUS_SECRET: &str = "commit-status-token";
pub(crate) const CHAT_SECRET: &str = "chat-webhook";

impl Decoder<'_> {
    pub(super) fn notifications(&mut self, node: &Node, ci: Ci) -> Notifications {
        let Some(map) = self.map(node, "`notifications`") else {
            return Notifications::default();
        };
        self.known_keys(map, NOTIFICATIONS_KEYS, "`notifications`");
        Notifications {
            commit_status: map
                .get("commit_status")
                .and_then(|n| self.commit_status(n, ci)),
            chat: map.get("chat").and_then(|n| self.chat(n)),
        }
    }

    fn commit_status(&mut self, node: &Node, ci: Ci) -> Option<CommitStatus> {
        let map = self.map(node, "`notifications.commit_status`")?;
        self.known_keys(map, COMMIT_STATUS_KEYS, "`notifications.commit_status`");
        let provider = match map.get("provider") {
            Some(n) => self.enum_value(
                n,
                "`notifications.commit_status.provider`",
                &[GitProvider::Github, GitProvider::Gitlab],
                GitProvider::as_str,
            )?,
            None => match ci {
                Ci::Github => GitProvider::Github,
                Ci::Gitlab => GitProvider::Gitlab,
                Ci::Both => {
                    self.problem_help(
                        node.span,
                        "`notifications.commit_status` needs `provider` with `ci: both`".to_owned(),
                        "which forge?",
                        "add `provider: github` or `provider: gitlab`: where the GitOps \
                         repository is hosted"
                            .to_owned(),
                    );
                    return None;
                }
            },
        };
        let Some(address) =
            self.opt_string(map, "address", "`notifications.commit_status.address`")
        else {
            self.problem_help(
                node.span,
                "`notifications.commit_status` needs `address`".to_owned(),
                "no repository",
                "the GitOps repository's https address, e.g. `https://github.com/acme/shop`"
                    .to_owned(),
            );
            return None;
        };
        if let Err(why) = check_https_url(&address.value) {
            self.problem_help(
                address.span,
                format!(
                    "`notifications.commit_status.address` `{}` is not a plain https URL: {why}",
                    address.value
                ),
                "expected https://host/owner/repository",
                "the repository whose commits get the status, without `.git` credentials"
                    .to_owned(),
            );
            return None;
        }
        Some(CommitStatus {
            provider,
            address: address.value,
            secret: self.secret_name(map, COMMIT_STATUS_SECRET)?,
        })
    }

    fn chat(&mut self, node: &Node) -> Option<ChatAlerts> {
        let map = self.map(node, "`notifications.chat`")?;
        self.known_keys(map, CHAT_KEYS, "`notifications.chat`");
        let Some(provider_node) = map.get("provider") else {
            self.problem_help(
                node.span,
                "`notifications.chat` needs `provider`".to_owned(),
                "no chat",
                "one of `slack`, `msteams`, `discord`, `googlechat`".to_owned(),
            );
            return None;
        };
        let provider = self.enum_value(
            provider_node,
            "`notifications.chat.provider`",
            &[
                ChatProvider::Slack,
                ChatProvider::Msteams,
                ChatProvider::Discord,
                ChatProvider::Googlechat,
            ],
            ChatProvider::as_str,
        )?;
        let channel = self.opt_string(map, "channel", "`notifications.chat.channel`");
        if let Some(c) = &channel
            && (c.value.is_empty()
                || c.value.len() > 80
                || !c
                    .value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"#_.-".contains(&b)))
        {
            self.problem_help(
                c.span,
                format!(
                    "`notifications.chat.channel` `{}` is not a channel name",
                    c.value
                ),
                "expected letters, digits and `#_.-`",
                "for example `#deploys`".to_owned(),
            );
            return None;
        }
        Some(ChatAlerts {
            provider,
            channel: channel.map(|c| c.value),
            secret: self.secret_name(map, CHAT_SECRET)?,
        })
    }

    /// `secret:`, a DNS-1123 label, or `default`.
    fn secret_name(&mut self, map: &Mapping, default: &str) -> Option<String> {
        match self.opt_string(map, "secret", "`secret`") {
            None => Some(default.to_owned()),
            Some(name) => {
                let before = self.problems.len();
                self.dns_label(&name, "secret name");
                (self.problems.len() == before).then_some(name.value)
            }
        }
    }
}
