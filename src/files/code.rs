//! The registry of diagnostic codes: every code gitops-gen reports, with its spelling and what
//! it means, in one place.
//!
//! [`Code`] names the problems found while reading a repository (a file that does not parse, an
//! include cycle); they are reported with their place and the rest of the repository is still
//! read. [`ErrorCode`] names what stops a command; miette prints it next to the error. The
//! spellings are part of the output (`analyze --format json`, SARIF, error messages), so they
//! never change.

use serde::{Serialize, Serializer};

/// Declares an enum of codes, each with its spelling and a one-line meaning (its doc comment),
/// and `as_str` giving the spelling.
macro_rules! registry {
    (
        $(#[$meta:meta])*
        $name:ident {
            $($(#[doc = $doc:literal])+ $variant:ident => $spelling:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub(crate) enum $name {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl $name {
            /// Every code, in declaration order.
            #[cfg(test)]
            pub(crate) const ALL: &[$name] = &[$($name::$variant,)+];

            /// The code as printed and serialized.
            pub(crate) fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $spelling,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

registry! {
    /// A problem found while reading a repository's files.
    Code {
        /// A file is larger than the limit for one file (2 MiB) and is not read.
        FileTooLarge => "file-too-large",
        /// A file is not UTF-8 text (binary, or another encoding) and is not read.
        FileNotText => "file-not-text",
        /// A file cannot be read: not a regular file (a FIFO, a device), or the operating
        /// system refused.
        FileUnreadable => "file-unreadable",
        /// A file's name is not valid Unicode (UTF-8); it is listed, and read, under a lossy
        /// spelling.
        FileNameNotUnicode => "file-name-not-unicode",
        /// A directory cannot be listed; the files below it are not analysed.
        DirUnreadable => "dir-unreadable",
        /// A symlink is not followed, so what it points to is not analysed.
        SymlinkNotFollowed => "symlink-not-followed",
        /// A file is named as a copy of a pipeline left behind (`Jenkinsfile.orig`,
        /// `Jenkinsfile.bak`, `Jenkinsfile.old`) or a fragment of one (`Jenkinsfile.api.snippet`) and
        /// is not analysed.
        PipelineCopy => "pipeline-copy",

        /// A YAML file does not parse.
        YamlSyntax => "yaml-syntax",
        /// A YAML file is valid but crosses a resource limit (nesting depth, alias expansion);
        /// the message names the limit and its value.
        YamlLimit => "yaml-limit",
        /// A YAML mapping repeats a key; the last value wins.
        YamlDuplicateKey => "yaml-duplicate-key",
        /// The YAML loader noted something odd in a workflow file (a repeated key).
        YamlWarning => "yaml-warning",

        /// A workflow file could not be read as text.
        GithubRead => "github-read",
        /// A workflow, reusable workflow or action is not shaped as GitHub documents it.
        GithubShape => "github-shape",
        /// Reusable workflows or composite actions call each other in a cycle.
        GithubCycle => "github-cycle",
        /// Reusable workflows or composite actions nest deeper than the reader follows.
        GithubDepth => "github-depth",
        /// One workflow expands more files than the reader follows in total.
        GithubLimit => "github-limit",

        /// `.gitlab-ci.yml` could not be read as text.
        GitlabFileMissing => "gitlab-file-missing",
        /// A GitLab CI file is not shaped as GitLab documents it.
        GitlabStructure => "gitlab-structure",
        /// Local includes include each other in a cycle.
        GitlabIncludeCycle => "gitlab-include-cycle",
        /// More includes than GitLab allows.
        GitlabIncludeLimit => "gitlab-include-limit",
        /// A local include names a file that is not in the repository.
        GitlabIncludeMissing => "gitlab-include-missing",
        /// An `extends:` chain is deeper than GitLab allows.
        GitlabExtendsDepth => "gitlab-extends-depth",
        /// Jobs or templates extend each other in a cycle.
        GitlabExtendsCycle => "gitlab-extends-cycle",
        /// `extends:` names a job or template that does not exist.
        GitlabExtendsUnknown => "gitlab-extends-unknown",
        /// `!reference` tags nest deeper than GitLab allows.
        GitlabReferenceDepth => "gitlab-reference-depth",
        /// A `!reference` tag is not a list of keys.
        GitlabReferenceInvalid => "gitlab-reference-invalid",
        /// `!reference` tags refer to each other in a cycle.
        GitlabReferenceCycle => "gitlab-reference-cycle",
        /// A `!reference` tag names a job or key that does not exist.
        GitlabReferenceUnknown => "gitlab-reference-unknown",
        /// `!reference` tags expand to more than the reader follows.
        GitlabReferenceLimit => "gitlab-reference-limit",
        /// A job is not a mapping, or has neither `script:` nor `trigger:`.
        GitlabJobInvalid => "gitlab-job-invalid",
        /// Child pipelines trigger each other deeper than the reader follows.
        GitlabTriggerDepth => "gitlab-trigger-depth",

        /// A Jenkinsfile could not be read as text.
        JenkinsRead => "jenkins-read",
        /// A Jenkinsfile does not parse; what came before the error is still read.
        JenkinsSyntax => "jenkins-syntax",
        /// A Jenkinsfile goes past what the reader follows (helpers inlined 4 deep, 200,000
        /// statements, nesting 1,024 deep, a script a helper's arguments make longer than
        /// 64 KiB); the rest is read as written or not at all, as the message says.
        JenkinsLimit => "jenkins-limit",

        /// A CircleCI config is not shaped as CircleCI documents it.
        CircleciShape => "circleci-shape",
        /// A workflow runs a job that is not defined.
        CircleciUnknownJob => "circleci-unknown-job",
        /// Reusable commands call each other in a cycle (or too deep).
        CircleciCommandCycle => "circleci-command-cycle",

        /// An Azure Pipelines file is not shaped as Azure documents it.
        AzureShape => "azure-shape",
        /// A step is none of the step kinds Azure knows.
        AzureUnknownStep => "azure-unknown-step",
        /// Templates include each other deeper than the reader follows (likely a cycle), or
        /// `${{ each }}` loops repeat more than it expands.
        AzureTemplateDepth => "azure-template-depth",
        /// A local template names a file that is not in the repository.
        AzureTemplateMissing => "azure-template-missing",

        /// `bitbucket-pipelines.yml` is not shaped as Bitbucket documents it.
        BitbucketShape => "bitbucket-shape",

        /// `.travis.yml` is not shaped as Travis CI documents it.
        TravisShape => "travis-shape",

        /// A job's scripts go past what the analysis follows: a script, make target or
        /// package script called more than 3 calls deep, more than 33 targets for one `make`
        /// command, a make recipe past its expansion budget, a `lerna run` over more than 64
        /// packages, a `package.json` that is not valid JSON, or a call once the analysis has
        /// read 2 MiB through calls. The message says what is not read, or kept as written.
        ScriptLimit => "script-limit",
    }
}

registry! {
    /// What stopped a command, as miette prints it next to the error.
    ErrorCode {
        /// A git operation failed (promotion, remote detection).
        Git => "gitops_gen::git",
        /// A bug in gitops-gen itself.
        Internal => "gitops_gen::internal",
        /// Reading or writing a file failed.
        Io => "gitops_gen::io",
        /// There is no model file where one was looked for.
        NoModel => "gitops_gen::no_model",
        /// A change was declined on purpose (a downgrade, an existing model).
        Refused => "gitops_gen::refused",
        /// A template failed to compile or render.
        Template => "gitops_gen::template",
        /// The command line, or its combination with the repository, is unusable.
        Usage => "gitops_gen::usage",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_are_unique_and_well_formed() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(
                s.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{s}"
            );
        }
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(s.starts_with("gitops_gen::"), "{s}");
        }
    }

    #[test]
    fn codes_serialize_as_their_spelling() {
        assert_eq!(
            serde_json::to_string(&Code::YamlSyntax).ok().as_deref(),
            Some("\"yaml-syntax\"")
        );
        assert_eq!(ErrorCode::NoModel.to_string(), "gitops_gen::no_model");
    }
}
