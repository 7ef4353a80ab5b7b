//! Shared-library steps: in a Jenkinsfile that loads a shared library (`@Library`,
//! `library(...)`, `libraries { }`), a call that is no Jenkins built-in or known plugin step
//! (`deployToCluster(...)`, `stagelibrary.Deploy(...)`, `k8s.UpdateDeployment(...)` on an object
//! the library's classes make) runs code the checkout does not hold. Each is kept as a step and
//! reported once by name as a `shared library step` the reader could not follow.

use std::collections::{BTreeMap, BTreeSet};

use super::Lowerer;
use super::load::Loaded;
use super::tree::visit_tree;
use crate::read::jenkins::ast::{Expr, Stmt};
use crate::read::pipeline::Step;

/// The kind of [`crate::read::Unresolved`] a shared-library step is reported as.
pub(crate) const LIBRARY_STEP: &str = "shared library step";

/// Steps of Jenkins itself and of widely used plugins, which are no shared-library code.
const KNOWN_STEPS: &[&str] = &[
    // Pipeline: basic steps, nodes and processes, Groovy, input, milestone, lock, build.
    "archive",
    "archiveArtifacts",
    "bat",
    "build",
    "catchError",
    "checkout",
    "cleanWs",
    "deleteDir",
    "dir",
    "echo",
    "emailext",
    "error",
    "fileExists",
    "git",
    "input",
    "isUnix",
    "junit",
    "library",
    "libraryResource",
    "load",
    "lock",
    "mail",
    "milestone",
    "node",
    "parallel",
    "powershell",
    "properties",
    "pwd",
    "pwsh",
    "readFile",
    "retry",
    "script",
    "sh",
    "sleep",
    "stage",
    "stash",
    "step",
    "timeout",
    "timestamps",
    "tool",
    "unarchive",
    "unstable",
    "unstash",
    "waitUntil",
    "warnError",
    "withEnv",
    "wrap",
    "writeFile",
    "ws",
    "fingerprint",
    "getContext",
    "withContext",
    "buildDiscarder",
    "skipDefaultCheckout",
    "disableConcurrentBuilds",
    "ansiColor",
    "cleanup",
    "currentBuild",
    // Credentials, SSH, Docker, Kubernetes and cloud plugins.
    "withCredentials",
    "usernamePassword",
    "usernameColonPassword",
    "string",
    "file",
    "sshUserPrivateKey",
    "certificate",
    "sshagent",
    "withDockerRegistry",
    "withDockerServer",
    "withDockerContainer",
    "dockerNode",
    "container",
    "containerLog",
    "podTemplate",
    "withKubeConfig",
    "withKubeCredentials",
    "kubernetesDeploy",
    "kubernetesEngineDeploy",
    "withAWS",
    "s3Upload",
    "s3Download",
    "awsIdentity",
    "ecrLogin",
    "withAzureCLI",
    "azureCLI",
    "acsDeploy",
    "googleStorageUpload",
    "openshiftBuild",
    "openshiftDeploy",
    "openshiftVerifyDeployment",
    "openshiftTag",
    "sshPublisher",
    "sshCommand",
    "sshPut",
    "sshScript",
    "withMaven",
    "withGradle",
    "withNPM",
    "nodejs",
    "withPythonEnv",
    "withSonarQubeEnv",
    "waitForQualityGate",
    "withVault",
    // Utility steps, notifications, reports.
    "readJSON",
    "writeJSON",
    "readYaml",
    "writeYaml",
    "readProperties",
    "readCSV",
    "writeCSV",
    "readManifest",
    "readMavenPom",
    "writeMavenPom",
    "findFiles",
    "zip",
    "unzip",
    "tar",
    "untar",
    "touch",
    "sha1",
    "sha256",
    "httpRequest",
    "slackSend",
    "slackUpload",
    "office365ConnectorSend",
    "hipchatSend",
    "mattermostSend",
    "rocketSend",
    "telegramSend",
    "discordSend",
    "googlechatnotification",
    "setGitHubPullRequestStatus",
    "githubNotify",
    "gitlabCommitStatus",
    "updateGitlabCommitStatus",
    "addGitLabMRComment",
    "publishHTML",
    "publishChecks",
    "recordIssues",
    "jacoco",
    "cobertura",
    "recordCoverage",
    "publishCoverage",
    "nunit",
    "xunit",
    "allure",
    "cucumber",
    "dependencyCheckPublisher",
    "jiraComment",
    "jiraSendBuildInfo",
    "jiraSendDeploymentInfo",
    "copyArtifacts",
    "rtUpload",
    "rtDownload",
    "rtPublishBuildInfo",
    "nexusArtifactUploader",
    "nexusPublisher",
    "buildName",
    "buildDescription",
    "addBadge",
    "addShortText",
    "createSummary",
    "emailextrecipients",
    "cleanWs",
    "gitlabBuilds",
    "bitbucketStatusNotify",
    "withFolderProperties",
    "configFileProvider",
    "configFile",
    "parameters",
    "pipelineTriggers",
    "choice",
    "booleanParam",
    "text",
    "password",
    "credentials",
];

/// Roots of dotted calls that are Groovy, Java or Jenkins objects, never a library's.
const NOT_LIBRARY_ROOTS: &[&str] = &[
    "env",
    "params",
    "currentBuild",
    "scm",
    "this",
    "it",
    "steps",
    "script",
    "pipeline",
    "binding",
    "out",
    "manager",
    "Jenkins",
    "jenkins",
    "hudson",
    "System",
    "Math",
    "String",
    "Integer",
    "Long",
    "Double",
    "Boolean",
    "Float",
    "Date",
    "JsonOutput",
    "JsonSlurper",
    "JsonSlurperClassic",
    "Thread",
    "Calendar",
    "UUID",
    "URLEncoder",
    "groovy",
    "java",
];

impl<'a> Lowerer<'a> {
    /// Whether a dotted call on `root` (`stagelibrary` in `stagelibrary.Deploy(...)`) is a call
    /// into a loaded shared library: the file loads one, and `root` is an object a library
    /// class makes (`def k8s = new org.acme.Kubernetes()`) or a name the file never assigns
    /// (a library's global variable), not a Groovy or Jenkins object.
    pub(super) fn library_object(&self, root: &str) -> bool {
        self.uses_library
            && !NOT_LIBRARY_ROOTS.contains(&root)
            && root.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && self
                .assigned
                .get(root)
                .is_none_or(|made_by_new| *made_by_new)
    }

    /// Reports each step of the pipeline that is no known step, once by name, as a
    /// shared-library step (when the file loads a library).
    pub(super) fn report_library_steps(&mut self) {
        if !self.uses_library {
            return;
        }
        let mut seen = BTreeSet::new();
        let mut found = Vec::new();
        for job in &self.pipeline.jobs {
            for step in &job.steps {
                let Step::Action { uses, loc, .. } = step else {
                    continue;
                };
                if is_known_step(uses) || !seen.insert(uses.clone()) {
                    continue;
                }
                found.push((uses.clone(), loc.span));
            }
        }
        for (reference, span) in found {
            self.unresolved(LIBRARY_STEP, reference, span);
        }
    }
}

/// Whether an annotation loads a shared library (`@Library`, `@groovy.transform.Library`).
pub(super) fn is_library_annotation(name: &str) -> bool {
    name == "Library" || name.ends_with(".Library")
}

/// Whether `uses` is a step of Jenkins or of a known plugin (`docker.build`, `sh`).
pub(super) fn is_known_step(uses: &str) -> bool {
    let root = uses.split('.').next().unwrap_or(uses);
    super::ACTION_ROOTS.contains(&root) || KNOWN_STEPS.contains(&uses)
        // Metasteps are recorded under their plugin class (`KubernetesEngineBuilder`).
        || root.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && !uses.contains('.')
}

/// Every name the file assigns, anywhere, and whether some assignment makes it with `new`.
/// The files a Jenkinsfile loads are read the same way: their local variables are no library
/// objects either.
pub(super) fn assigned_names(
    src: &str,
    stmts: &[Stmt],
    loaded: &[Loaded],
) -> BTreeMap<String, bool> {
    let mut out = BTreeMap::new();
    for file in loaded {
        assigned_into(&mut out, &file.src, &file.stmts);
    }
    assigned_into(&mut out, src, stmts);
    out
}

fn assigned_into(out: &mut BTreeMap<String, bool>, src: &str, stmts: &[Stmt]) {
    let mut on_assign = |target: &str, value: &Expr| {
        let name = target.rsplit(' ').next().unwrap_or(target);
        if !name.contains('.') {
            let made = out.entry(name.to_owned()).or_insert(false);
            *made |= is_new(src, value);
        }
    };
    visit_tree(stmts, &mut on_assign, &mut |_| {});
}

/// `new org.acme.Kubernetes()` (the parser keeps the call; `new` is in the source only).
fn is_new(src: &str, value: &Expr) -> bool {
    let text = src.get(value.span.start..value.span.end).unwrap_or("");
    text.trim_start()
        .strip_prefix("new")
        .is_some_and(|rest| rest.starts_with(char::is_whitespace))
}

/// Parameter names of the positional arguments of well-known steps.
pub(super) fn positional_names(uses: &str) -> &'static [&'static str] {
    match uses {
        "container" => &["name"],
        "dir" => &["path"],
        "timeout" => &["time"],
        "retry" => &["count"],
        "node" => &["label"],
        "sshagent" => &["credentials"],
        "withEnv" => &["env"],
        "docker.withRegistry" => &["url", "credentialsId"],
        "docker.withServer" => &["uri", "credentialsId"],
        "docker.build" => &["image", "args"],
        "docker.image" => &["image"],
        "docker.image.inside" | "docker.image.withRun" => &["args"],
        "git" => &["url"],
        "checkout" => &["scm"],
        "build" => &["job"],
        "input" => &["message"],
        "lock" => &["resource"],
        "ws" => &["dir"],
        "openshift.withProject" => &["namespace"],
        "openshift.withCluster" => &["cluster"],
        _ => &[],
    }
}
