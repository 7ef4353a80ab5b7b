//! `gitops:`: where the GitOps configuration lives (this repository or another, the branch
//! the operator watches, the directory of the tree).

use crate::model::decode::checks::{check_no_glob, looks_like_git_url};
use crate::model::decode::source::has_credentials;
use crate::model::decode::{Decoder, GITOPS_KEYS};
use crate::model::glob::RefPattern;
use crate::model::tree::forbidden_dir;
use crate::model::types::Gitops;
use crate::yaml::Node;

impl Decoder<'_> {
    pub(super) fn gitops(&mut self, node: Option<&Node>) -> Gitops {
        let mut gitops = Gitops {
            repository: None,
            branch: "main".to_owned(),
            path: ".".to_owned(),
        };
        let Some(node) = node else { return gitops };
        let Some(map) = self.map(node, "`gitops`") else {
            return gitops;
        };
        self.known_keys(map, GITOPS_KEYS, "`gitops`");
        if let Some(repo) = self.opt_string(map, "repository", "`gitops.repository`")
            && repo.value != "this"
        {
            if !looks_like_git_url(&repo.value) {
                self.problem_help(
                    repo.span,
                    format!("`gitops.repository` `{}` is not a git URL", repo.value),
                    "expected a git URL",
                    "use `this` (the default) or an https:// or ssh URL of the config \
                         repository"
                        .to_owned(),
                );
            } else if has_credentials(&repo.value) {
                self.problem_help(
                    repo.span,
                    format!("`gitops.repository` `{}` holds credentials", repo.value),
                    "credentials in the model",
                    "never write a token into the model; pipelines push with \
                     GITOPS_GEN_TOKEN from the CI's secrets"
                        .to_owned(),
                );
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
        gitops
    }
}
