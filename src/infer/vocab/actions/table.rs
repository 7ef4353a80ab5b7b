//! Every packaged step the rules recognise, grouped by CI system. The constructors fill in what
//! most rows share, so a row names only what is particular to its step.

use super::{ActionOp, ActionRole, ActionSpec};
use crate::infer::vocab::{CredentialKind, DeployTool, ImageBuilder};

/// A step with role `role` that reads no inputs.
pub(super) const fn step(uses: &'static str, role: ActionRole) -> ActionSpec {
    ActionSpec {
        uses,
        role,
        namespace: &[],
        context: &[],
        paths: &[],
        images: &[],
        push: None,
        pushes: false,
        dry_run: None,
        credentials: &[],
        environment: &[],
    }
}

/// A deploy step whose namespace comes from a `namespace` input.
pub(super) const fn deploy(uses: &'static str, tool: DeployTool, op: ActionOp) -> ActionSpec {
    ActionSpec {
        namespace: &["namespace"],
        ..step(uses, ActionRole::Deploy(tool, op))
    }
}

/// A step that sets up cluster credentials of `kind`.
const fn credential(uses: &'static str, kind: CredentialKind) -> ActionSpec {
    step(uses, ActionRole::Credential(kind))
}

/// An image step naming its images in the inputs `images`; it pushes only when the row says how.
const fn image(
    uses: &'static str,
    builder: ImageBuilder,
    images: &'static [&'static str],
) -> ActionSpec {
    ActionSpec {
        images,
        ..step(uses, ActionRole::Image(builder))
    }
}

/// An `args` input read as `kubectl <args>`.
pub(super) const KUBECTL_CMD: ActionOp = ActionOp::Command {
    input: "args",
    program: Some("kubectl"),
    extra: None,
};

/// Bitbucket pipes' `KUBECTL_COMMAND` and `KUBECTL_ARGS` read as `kubectl <command> <args>`.
const KUBECTL_PIPE: ActionOp = ActionOp::Command {
    input: "kubectl-command",
    program: Some("kubectl"),
    extra: Some("kubectl-args"),
};

/// A step of the OpenShift Client plugin's DSL that deploys with `oc`.
const fn openshift(uses: &'static str, op: ActionOp) -> ActionSpec {
    step(uses, ActionRole::Deploy(DeployTool::Oc, op))
}

/// The Google Kubernetes Engine plugin's deploy step (`kubernetesEngineDeploy`).
const GKE_DEPLOY: ActionSpec = ActionSpec {
    context: &["clustername", "cluster"],
    paths: &["manifestpattern"],
    credentials: &[("credentialsid", CredentialKind::CloudGcp)],
    ..deploy(
        "kubernetesenginedeploy",
        DeployTool::Kubectl,
        ActionOp::Fixed("apply"),
    )
};

/// Every packaged step the rules recognise; keys are normalised ([`super::normalize_uses`]).
pub(super) const ACTIONS: &[ActionSpec] = &[
    // GitHub Actions.
    ActionSpec {
        paths: &["manifests"],
        images: &["images"],
        ..deploy(
            "azure/k8s-deploy",
            DeployTool::Kubectl,
            ActionOp::Input {
                input: "action",
                default: "deploy",
                map: &[
                    ("deploy", "deploy"),
                    ("promote", "promote"),
                    ("reject", "reject"),
                ],
            },
        )
    },
    ActionSpec {
        credentials: &[("config", CredentialKind::Kubeconfig)],
        ..deploy(
            "steebchen/kubectl",
            DeployTool::Kubectl,
            ActionOp::Command {
                input: "command",
                program: Some("kubectl"),
                extra: None,
            },
        )
    },
    deploy("actions-hub/kubectl", DeployTool::Kubectl, KUBECTL_CMD),
    deploy("kodermax/kubectl-aws-eks", DeployTool::Kubectl, KUBECTL_CMD),
    deploy(
        "ianbelcher/eks-kubectl-action",
        DeployTool::Kubectl,
        KUBECTL_CMD,
    ),
    // Brevo's (formerly Sendinblue) composite action: `kustomize edit set image` in
    // `resource-directory`, then `kustomize build | kubectl apply -f -`.
    ActionSpec {
        paths: &["resource-directory"],
        images: &["images"],
        ..deploy(
            "sendinblue/k8s-deploy-action",
            DeployTool::Kubectl,
            ActionOp::Fixed("apply"),
        )
    },
    ActionSpec {
        paths: &["chart", "value-files"],
        ..deploy(
            "deliverybot/helm",
            DeployTool::Helm,
            ActionOp::Input {
                input: "task",
                default: "deploy",
                map: &[("deploy", "upgrade-install"), ("remove", "uninstall")],
            },
        )
    },
    ActionSpec {
        credentials: &[("kubeconfig", CredentialKind::Kubeconfig)],
        ..deploy(
            "wyrihaximus/github-action-helm3",
            DeployTool::Helm,
            ActionOp::Command {
                input: "exec",
                program: None,
                extra: None,
            },
        )
    },
    // `helmfile-args: apply --environment prod`: the helmfile command line.
    deploy(
        "helmfile/helmfile-action",
        DeployTool::Helmfile,
        ActionOp::Command {
            input: "helmfile-args",
            program: Some("helmfile"),
            extra: None,
        },
    ),
    ActionSpec {
        credentials: &[("auth-token", CredentialKind::ArgocdToken)],
        ..deploy(
            "clowdhaus/argo-cd-action",
            DeployTool::Argocd,
            ActionOp::Command {
                input: "command",
                program: Some("argocd"),
                extra: Some("options"),
            },
        )
    },
    ActionSpec {
        context: &["context"],
        credentials: &[("kubeconfig", CredentialKind::Kubeconfig)],
        ..credential("azure/k8s-set-context", CredentialKind::Kubeconfig)
    },
    ActionSpec {
        context: &["cluster-name"],
        ..credential("azure/aks-set-context", CredentialKind::CloudAzure)
    },
    ActionSpec {
        context: &["cluster-name"],
        ..credential(
            "google-github-actions/get-gke-credentials",
            CredentialKind::CloudGcp,
        )
    },
    ActionSpec {
        context: &["gke-cluster"],
        credentials: &[("gcp-service-account-key", CredentialKind::CloudGcp)],
        ..credential("sendinblue/gke-login-action", CredentialKind::CloudGcp)
    },
    ActionSpec {
        credentials: &[("base64-kube-config", CredentialKind::Kubeconfig)],
        ..credential("tale/kubectl-action", CredentialKind::Kubeconfig)
    },
    ActionSpec {
        credentials: &[("openshift-token", CredentialKind::OpenshiftLogin)],
        ..credential("redhat-actions/oc-login", CredentialKind::OpenshiftLogin)
    },
    // GitHub's OpenShift starter workflow: `oc new-app` of the pushed image, then exposes it.
    deploy(
        "redhat-actions/oc-new-app",
        DeployTool::Oc,
        ActionOp::Fixed("new-app"),
    ),
    ActionSpec {
        push: Some(("push", &["true"])),
        ..image(
            "docker/build-push-action",
            ImageBuilder::DockerBuildPushAction,
            &["tags"],
        )
    },
    image(
        "redhat-actions/buildah-build",
        ImageBuilder::Buildah,
        &["image", "tags"],
    ),
    ActionSpec {
        pushes: true,
        ..image(
            "redhat-actions/push-to-registry",
            ImageBuilder::Buildah,
            &["image", "tags"],
        )
    },
    // CircleCI orb commands and jobs (v1 hyphenated, v2 underscored: both normalised to `-`).
    ActionSpec {
        paths: &["resource-file-path"],
        dry_run: Some("dry-run"),
        ..deploy(
            "kubernetes/create-or-update-resource",
            DeployTool::Kubectl,
            ActionOp::Input {
                input: "action-type",
                default: "apply",
                map: &[("apply", "apply"), ("create", "create")],
            },
        )
    },
    deploy(
        "kubernetes/update-container-image",
        DeployTool::Kubectl,
        ActionOp::Fixed("set-image"),
    ),
    deploy(
        "kubernetes/delete-resource",
        DeployTool::Kubectl,
        ActionOp::Fixed("delete"),
    ),
    ActionSpec {
        paths: &["chart", "values"],
        ..deploy(
            "helm/upgrade-helm-chart",
            DeployTool::Helm,
            ActionOp::Fixed("upgrade-install"),
        )
    },
    ActionSpec {
        paths: &["chart"],
        ..deploy(
            "helm/install-helm-chart",
            DeployTool::Helm,
            ActionOp::Fixed("install"),
        )
    },
    deploy(
        "helm/delete-helm-release",
        DeployTool::Helm,
        ActionOp::Fixed("uninstall"),
    ),
    ActionSpec {
        context: &["cluster-name"],
        ..deploy(
            "aws-eks/update-container-image",
            DeployTool::Kubectl,
            ActionOp::Fixed("set-image"),
        )
    },
    ActionSpec {
        context: &["cluster-name"],
        ..deploy(
            "aws-eks/deploy-application",
            DeployTool::Kubectl,
            ActionOp::Fixed("apply"),
        )
    },
    ActionSpec {
        context: &["cluster-name"],
        paths: &["chart"],
        ..deploy(
            "aws-eks/install-helm-chart",
            DeployTool::Helm,
            ActionOp::Fixed("install"),
        )
    },
    ActionSpec {
        context: &["cluster"],
        ..deploy(
            "gcp-gke/rollout-image",
            DeployTool::Kubectl,
            ActionOp::Fixed("set-image"),
        )
    },
    ActionSpec {
        context: &["cluster"],
        ..deploy(
            "gcp-gke/publish-and-rollout-image",
            DeployTool::Kubectl,
            ActionOp::Fixed("set-image"),
        )
    },
    ActionSpec {
        context: &["cluster-name"],
        ..credential(
            "aws-eks/update-kubeconfig-with-authenticator",
            CredentialKind::CloudAws,
        )
    },
    ActionSpec {
        context: &["cluster-name"],
        ..credential(
            "azure-aks/update-kubeconfig-with-credentials",
            CredentialKind::CloudAzure,
        )
    },
    ActionSpec {
        pushes: true,
        ..image(
            "aws-ecr/build-and-push-image",
            ImageBuilder::Docker,
            &["repo"],
        )
    },
    ActionSpec {
        pushes: true,
        ..image("docker/publish", ImageBuilder::Docker, &["image"])
    },
    // Azure Pipelines tasks (names lowercased; inputs compared case-insensitively).
    ActionSpec {
        paths: &["configuration"],
        credentials: &[
            ("kubernetesserviceendpoint", CredentialKind::Kubeconfig),
            ("kubernetesserviceconnection", CredentialKind::Kubeconfig),
            ("azuresubscriptionendpoint", CredentialKind::CloudAzure),
        ],
        ..deploy(
            "kubernetes",
            DeployTool::Kubectl,
            ActionOp::Command {
                input: "command",
                program: Some("kubectl"),
                extra: Some("arguments"),
            },
        )
    },
    ActionSpec {
        paths: &["manifests"],
        images: &["containers"],
        credentials: &[
            ("kubernetesserviceconnection", CredentialKind::Kubeconfig),
            ("kubernetesserviceendpoint", CredentialKind::Kubeconfig),
            ("azuresubscriptionconnection", CredentialKind::CloudAzure),
        ],
        ..deploy(
            "kubernetesmanifest",
            DeployTool::Kubectl,
            ActionOp::Input {
                input: "action",
                default: "deploy",
                map: &[
                    ("deploy", "deploy"),
                    ("promote", "promote"),
                    ("reject", "reject"),
                    ("scale", "scale"),
                    ("patch", "patch"),
                    ("delete", "delete"),
                ],
            },
        )
    },
    ActionSpec {
        paths: &["chartpath", "valuefile"],
        credentials: &[
            ("kubernetesserviceconnection", CredentialKind::Kubeconfig),
            ("kubernetesserviceendpoint", CredentialKind::Kubeconfig),
            ("azuresubscription", CredentialKind::CloudAzure),
            ("azuresubscriptionendpoint", CredentialKind::CloudAzure),
        ],
        ..deploy(
            "helmdeploy",
            DeployTool::Helm,
            ActionOp::Input {
                input: "command",
                default: "",
                map: &[
                    ("upgrade", "upgrade"),
                    ("install", "install"),
                    ("rollback", "rollback"),
                    ("delete", "uninstall"),
                    ("uninstall", "uninstall"),
                ],
            },
        )
    },
    ActionSpec {
        push: Some(("command", &["buildandpush", "push"])),
        ..image("docker", ImageBuilder::Docker, &["repository"])
    },
    // Bitbucket pipes.
    ActionSpec {
        paths: &["resource-path"],
        credentials: &[("kube-config", CredentialKind::Kubeconfig)],
        ..deploy("atlassian/kubectl-run", DeployTool::Kubectl, KUBECTL_PIPE)
    },
    ActionSpec {
        paths: &["resource-path"],
        context: &["cluster-name"],
        credentials: &[
            ("aws-secret-access-key", CredentialKind::CloudAws),
            ("aws-oidc-role-arn", CredentialKind::CloudAws),
        ],
        ..deploy(
            "atlassian/aws-eks-kubectl-run",
            DeployTool::Kubectl,
            KUBECTL_PIPE,
        )
    },
    ActionSpec {
        paths: &["resource-path"],
        context: &["cluster-name"],
        credentials: &[("key-file", CredentialKind::CloudGcp)],
        ..deploy(
            "atlassian/google-gke-kubectl-run",
            DeployTool::Kubectl,
            KUBECTL_PIPE,
        )
    },
    ActionSpec {
        paths: &["kubernetes-spec-file"],
        context: &["azure-aks-name"],
        credentials: &[("azure-password", CredentialKind::CloudAzure)],
        ..deploy(
            "atlassian/azure-aks-deploy",
            DeployTool::Kubectl,
            ActionOp::Command {
                input: "kubectl-command",
                program: Some("kubectl"),
                extra: Some("kubectl-arguments"),
            },
        )
    },
    ActionSpec {
        context: &["aks-name"],
        credentials: &[("azure-password", CredentialKind::CloudAzure)],
        ..deploy(
            "atlassian/azure-aks-helm-deploy",
            DeployTool::Helm,
            ActionOp::Command {
                input: "helm-command",
                program: Some("helm"),
                extra: None,
            },
        )
    },
    ActionSpec {
        pushes: true,
        ..image(
            "atlassian/aws-ecr-push-image",
            ImageBuilder::Docker,
            &["image-name"],
        )
    },
    // Jenkins steps. The OpenShift Client plugin's DSL, recorded with its call chain
    // (`openshift.selector('dc', 'web').rollout().latest()`); `openshift.set` deploys for
    // the kinds it sets.
    openshift("openshift.apply", ActionOp::Fixed("apply")),
    openshift("openshift.create", ActionOp::Fixed("create")),
    openshift("openshift.replace", ActionOp::Fixed("replace")),
    openshift("openshift.newapp", ActionOp::Fixed("new-app")),
    // `oc tag`: promotes an image into the tag deployments watch, as `openshiftTag` does.
    openshift("openshift.tag", ActionOp::Fixed("tag")),
    openshift("openshift.selector.delete", ActionOp::Fixed("delete")),
    openshift("openshift.selector.scale", ActionOp::Fixed("scale")),
    openshift(
        "openshift.selector.rollout.latest",
        ActionOp::Fixed("rollout-latest"),
    ),
    openshift(
        "openshift.set",
        ActionOp::Input {
            input: "arg",
            default: "",
            map: &[("image", "set-image"), ("env", "set"), ("resources", "set")],
        },
    ),
    // The older OpenShift Pipeline plugin: `openshiftDeploy(depCfg: 'web', namespace: 'x')`,
    // and `openshiftTag(...)`, which promotes an image into the tag deployments watch.
    deploy(
        "openshiftdeploy",
        DeployTool::Oc,
        ActionOp::Fixed("rollout-latest"),
    ),
    deploy("openshifttag", DeployTool::Oc, ActionOp::Fixed("tag")),
    ActionSpec {
        paths: &["configs"],
        credentials: &[("kubeconfigid", CredentialKind::Kubeconfig)],
        ..deploy(
            "kubernetesdeploy",
            DeployTool::Kubectl,
            ActionOp::Fixed("apply"),
        )
    },
    // The Google Kubernetes Engine plugin's step, by its symbol or as
    // `step([$class: 'KubernetesEngineBuilder', ...])`: applies `manifestPattern`.
    GKE_DEPLOY,
    ActionSpec {
        uses: "kubernetesenginebuilder",
        ..GKE_DEPLOY
    },
    ActionSpec {
        context: &["contextname", "clustername"],
        namespace: &["namespace"],
        credentials: &[("credentialsid", CredentialKind::Kubeconfig)],
        ..credential("withkubeconfig", CredentialKind::Kubeconfig)
    },
    ActionSpec {
        context: &["contextname", "clustername"],
        namespace: &["namespace"],
        credentials: &[
            ("kubectlcredentials", CredentialKind::Kubeconfig),
            ("credentialsid", CredentialKind::Kubeconfig),
        ],
        ..credential("withkubecredentials", CredentialKind::Kubeconfig)
    },
];
