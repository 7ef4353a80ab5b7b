//! Pull-request mode: what an existing promotion branch proposes, whether it already holds this
//! change, and the step outputs GitHub's pull-request step reads.

use std::path::Path;

use crate::error::Error;
use crate::promote::Request;
use crate::promote::edit;
use crate::promote::git_cli::Git;

/// The app's state on an existing promotion branch, if there is one.
pub(super) fn proposal_state(
    git: &Git,
    request: &Request,
    branch: &str,
) -> std::result::Result<Option<edit::Running>, Error> {
    let refspec = format!("refs/heads/{branch}:refs/gitops-gen/proposal");
    let fetched = git.output(&[
        "fetch",
        "--quiet",
        "--no-tags",
        "--depth",
        "1",
        &request.url,
        &format!("+{refspec}"),
    ])?;
    if !fetched.status.success() {
        return Ok(None);
    }
    let shown = git.output(&[
        "show",
        &format!("refs/gitops-gen/proposal:{}", request.overlay),
    ])?;
    if !shown.status.success() {
        return Ok(None);
    }
    let text = String::from_utf8_lossy(&shown.stdout);
    Ok(edit::running(&text, &request.repository, &request.app).ok())
}

/// Whether the promotion branch already holds exactly this change on the current tip.
pub(super) fn already_proposed(
    git: &Git,
    url: &str,
    branch: &str,
    base: &str,
) -> std::result::Result<bool, Error> {
    let refspec = format!("refs/heads/{branch}");
    let fetched = git.output(&[
        "fetch",
        "--quiet",
        "--no-tags",
        "--depth",
        "2",
        url,
        &refspec,
    ])?;
    if !fetched.status.success() {
        return Ok(false);
    }
    let same_tree =
        git.run(&["rev-parse", "FETCH_HEAD^{tree}"])? == git.run(&["rev-parse", "HEAD^{tree}"])?;
    let same_base = git
        .output(&["rev-parse", "FETCH_HEAD^"])?
        .stdout
        .starts_with(base.as_bytes());
    Ok(same_tree && same_base)
}

/// Writes step outputs for the GitHub pull-request step (`branch`, `title`, `body`).
pub(crate) fn github_outputs(
    path: &Path,
    branch: &str,
    title: &str,
    body: &str,
) -> std::result::Result<(), Error> {
    use std::io::Write;
    let delimiter = "GITOPS_GEN_EOF_7f3a";
    let text = format!("branch={branch}\ntitle={title}\nbody<<{delimiter}\n{body}\n{delimiter}\n");
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| Error::io("writing GITHUB_OUTPUT", e))
}
