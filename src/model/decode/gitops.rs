//! `gitops:`: where the GitOps configuration lives (this repository or another, the branch
//! the operator watches, the directory of the tree).

use crate::model::decode::checks::{check_no_glob, looks_like_git_url};
use crate::model::decode::source::has_credentials;
use clap::ValueEnum;

use crate::model::decode::{Decoder, GITOPS_KEYS, GITOPS_SYNC_KEYS};
use crate::model::glob::RefPattern;
use crate::model::tree::forbidden_dir;
use crate::model::types::{Gitops, Promotion, TreeSync};
use crate::yaml::Node;

impl Decoder<'_> {
    pub(super) fn gitops(&mut self, node: Option<&Node>) -> Gitops {
        let mut gitops = Gitops {
            repository: None,
            branch: "main".to_owned(),
            path: ".".to_owned(),
            sync: None,
            url: None,
        };
        let Some(node) = node else { return gitops };
        let Some(map) = self.map(node, "`gitops`") else {
            return gitops;
        };
        self.known_keys(map, GITOPS_KEYS, "`gitops`");
        if let Some(repo) = self.opt_string(map, "repository", "`gitops.repository`")
            && repo.value != "this"
        {
            match UrlFlaw::of(&repo.value) {
                Some(flaw @ UrlFlaw::NotGit) => self.problem_help(
                    repo.span,
                    format!("`gitops.repository` `{}` {}", repo.value, flaw.says()),
                    "expected a git URL",
                    "use `this` (the default) or an https:// or ssh URL of the config \
                         repository"
                        .to_owned(),
                ),
                Some(flaw) => self.problem_help(
                    repo.span,
                    format!("`gitops.repository` `{}` {}", repo.value, flaw.says()),
                    "credentials in the model",
                    "never write a token into the model; pipelines push with \
                     GITOPS_GEN_TOKEN from the CI's secrets"
                        .to_owned(),
                ),
                None => {}
            }
            gitops.repository = Some(repo.value);
        }
        if let Some(branch) = self.opt_string(map, "branch", "`gitops.branch`") {
            match RefPattern::parse(&branch.value) {
                Ok(p) if p.is_literal() => gitops.branch = branch.value,
                _ => self.problem(
                    branch.span,
                    format!("`gitops.branch` `{}` is not a branch name", branch.value),
                    "expected a branch name without wildcards",
                ),
            }
        }
        if let Some(path) = self.opt_string(map, "path", "`gitops.path`") {
            gitops.path = self.relative_path(
                &path,
                "`gitops.path`",
                "expected a relative path inside the repository",
            );
            let refusal = forbidden_dir(&gitops.path)
                .or_else(|| {
                    (gitops.path.split('/').next() == Some("clusters")).then(|| {
                        "is inside `clusters/`, where Flux cluster folders live".to_owned()
                    })
                })
                .or_else(|| check_no_glob(&gitops.path).err().map(str::to_owned));
            if let Some(why) = refusal {
                self.problem(
                    path.span,
                    format!("`gitops.path` `{}` {why}", path.value),
                    "gitops-gen does not write here",
                );
            }
        }
        gitops.sync = self.tree_sync(map.get("sync"), gitops.is_separate());
        gitops.url = self.clone_url(map).or_else(|| gitops.repository.clone());
        gitops
    }

    /// `gitops.url`: a git URL without credentials, which the operator's objects name.
    fn clone_url(&mut self, map: &crate::yaml::Mapping) -> Option<String> {
        let url = self.opt_string(map, "url", "`gitops.url`")?;
        let Some(flaw) = UrlFlaw::of(&url.value) else {
            return Some(url.value);
        };
        self.problem_help(
            url.span,
            format!("`gitops.url` `{}` {}", url.value, flaw.says()),
            "expected the address the operator clones",
            "an https:// or ssh URL of the GitOps repository, without a token (the operator \
             reads with its own credentials)"
                .to_owned(),
        );
        None
    }

    /// `gitops.sync`, which only a separate repository has: it defaults to the app
    /// repository's `main` and a pull request.
    fn tree_sync(&mut self, node: Option<&Node>, separate: bool) -> Option<TreeSync> {
        let mut sync = TreeSync {
            branch: RefPattern::parse("main").ok()?,
            promotion: Promotion::PullRequest,
        };
        let Some(node) = node else {
            return separate.then_some(sync);
        };
        if !separate {
            self.problem_help(
                node.span,
                "`gitops.sync` needs a separate `gitops.repository`".to_owned(),
                "nothing to sync",
                "the tree is written into this repository by `gitops-gen generate`; remove \
                 `sync`, or set `gitops.repository` to the config repository's URL"
                    .to_owned(),
            );
            return None;
        }
        let map = self.map(node, "`gitops.sync`")?;
        self.known_keys(map, GITOPS_SYNC_KEYS, "`gitops.sync`");
        if let Some(branch) = self.opt_string(map, "branch", "`gitops.sync.branch`") {
            match RefPattern::parse(&branch.value) {
                Ok(p) if p.is_literal() => sync.branch = p,
                _ => self.problem(
                    branch.span,
                    format!(
                        "`gitops.sync.branch` `{}` is not a branch name",
                        branch.value
                    ),
                    "expected a branch name without wildcards",
                ),
            }
        }
        if let Some(n) = map.get("promotion") {
            let chosen = self.enum_value(
                n,
                "`gitops.sync.promotion`",
                Promotion::value_variants(),
                Promotion::as_str,
            );
            match chosen {
                Some(Promotion::Manual) => self.problem_help(
                    n.span,
                    "`gitops.sync.promotion` cannot be `manual`".to_owned(),
                    "expected commit or pull-request",
                    "the sync job runs on every push of `gitops.sync.branch`; use `pull-request` \
                     to review each change of the tree before the operator applies it"
                        .to_owned(),
                ),
                Some(p) => sync.promotion = p,
                None => {}
            }
        }
        Some(sync)
    }
}

/// What keeps a text from being a repository address the model may hold.
#[derive(Copy, Clone)]
enum UrlFlaw {
    NotGit,
    Credentials,
}

impl UrlFlaw {
    /// The flaw of `text`, if any.
    fn of(text: &str) -> Option<UrlFlaw> {
        if !looks_like_git_url(text) {
            Some(UrlFlaw::NotGit)
        } else if has_credentials(text) {
            Some(UrlFlaw::Credentials)
        } else {
            None
        }
    }

    /// The end of the sentence that names the value: ``… `x` is not a git URL``.
    fn says(self) -> &'static str {
        match self {
            UrlFlaw::NotGit => "is not a git URL",
            UrlFlaw::Credentials => "holds credentials",
        }
    }
}
