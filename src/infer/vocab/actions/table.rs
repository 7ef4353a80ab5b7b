//! Every packaged step the rules recognise, grouped by CI system. The constructors fill in what
//! most rows share, so a row names only what is particular to its step.

use super::{ActionOp, ActionRole, ActionSpec};

/// A deploy step whose namespace comes from a `namespace` input.
const fn deploy(uses: &'static str, tool: &'static str, op: ActionOp) -> ActionSpec {
    ActionSpec {
        uses,
        role: ActionRole::Deploy(tool),
        op,
        namespace: &["namespace"],
        context: &[],
        paths: &[],
        images: &[],
        push: None,
        pushes: false,
        dry_run: None,
        credentials: &[],
    }
}

/// A step that sets up cluster credentials of `kind`.
const fn credential(uses: &'static str, kind: &'static str) -> ActionSpec {
    ActionSpec {
        role: ActionRole::Credential(kind),
        ..deploy(uses, "", ActionOp::Fixed(""))
    }
}

/// An image step naming its images in the inputs `images`; it pushes only when the row says how.
const fn image(
    uses: &'static str,
    builder: &'static str,
    images: &'static [&'static str],
) -> ActionSpec {
    ActionSpec {
        role: ActionRole::Image(builder),
        images,
        namespace: &[],
        ..deploy(uses, "", ActionOp::Fixed(""))
    }
}

/// An `args` input read as `kubectl <args>`.
const KUBECTL_CMD: ActionOp = ActionOp::Command {
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

/// Every packaged step the rules recognise; keys are normalised ([`super::normalize_uses`]).
pub(super) const ACTIONS: &[ActionSpec] = &[
    // GitHub Actions.
    ActionSpec {
        paths: &["manifests"],
        images: &["images"],
        ..deploy(
            "azure/k8s-deploy",
            "kubectl",
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
        credentials: &[("config", "kubeconfig")],
        ..deploy(
            "steebchen/kubectl",
            "kubectl",
            ActionOp::Command {
                input: "command",
                program: Some("kubectl"),
                extra: None,
            },
        )
    },
    deploy("actions-hub/kubectl", "kubectl", KUBECTL_CMD),
    deploy("kodermax/kubectl-aws-eks", "kubectl", KUBECTL_CMD),
    deploy("ianbelcher/eks-kubectl-action", "kubectl", KUBECTL_CMD),
    ActionSpec {
        paths: &["chart", "value-files"],
        ..deploy(
            "deliverybot/helm",
            "helm",
            ActionOp::Input {
                input: "task",
                default: "deploy",
                map: &[("deploy", "upgrade-install"), ("remove", "uninstall")],
            },
        )
    },
    ActionSpec {
        credentials: &[("kubeconfig", "kubeconfig")],
        ..deploy(
            "wyrihaximus/github-action-helm3",
            "helm",
            ActionOp::Command {
                input: "exec",
                program: None,
                extra: None,
            },
        )
    },
    ActionSpec {
        credentials: &[("auth-token", "argocd-token")],
        ..deploy(
            "clowdhaus/argo-cd-action",
            "argocd",
            ActionOp::Command {
                input: "command",
                program: Some("argocd"),
                extra: Some("options"),
            },
        )
    },
    ActionSpec {
        context: &["context"],
        credentials: &[("kubeconfig", "kubeconfig")],
        ..credential("azure/k8s-set-context", "kubeconfig")
    },
    ActionSpec {
        context: &["cluster-name"],
        ..credential("azure/aks-set-context", "cloud-azure")
    },
    ActionSpec {
        context: &["cluster-name"],
        ..credential("google-github-actions/get-gke-credentials", "cloud-gcp")
    },
    ActionSpec {
        credentials: &[("base64-kube-config", "kubeconfig")],
        ..credential("tale/kubectl-action", "kubeconfig")
    },
    ActionSpec {
        credentials: &[("openshift-token", "openshift-login")],
        ..credential("redhat-actions/oc-login", "openshift-login")
    },
    ActionSpec {
        push: Some(("push", &["true"])),
        ..image(
            "docker/build-push-action",
            "docker/build-push-action",
            &["tags"],
        )
    },
    image(
        "redhat-actions/buildah-build",
        "buildah",
        &["image", "tags"],
    ),
    ActionSpec {
        pushes: true,
        ..image(
            "redhat-actions/push-to-registry",
            "buildah",
            &["image", "tags"],
        )
    },
    // CircleCI orb commands and jobs (v1 hyphenated, v2 underscored: both normalised to `-`).
    ActionSpec {
        paths: &["resource-file-path"],
        dry_run: Some("dry-run"),
        ..deploy(
            "kubernetes/create-or-update-resource",
            "kubectl",
            ActionOp::Input {
                input: "action-type",
                default: "apply",
                map: &[("apply", "apply"), ("create", "create")],
            },
        )
    },
    deploy(
        "kubernetes/update-container-image",
        "kubectl",
        ActionOp::Fixed("set-image"),
    ),
    deploy(
        "kubernetes/delete-resource",
        "kubectl",
        ActionOp::Fixed("delete"),
    ),
    ActionSpec {
        paths: &["chart", "values"],
        ..deploy(
            "helm/upgrade-helm-chart",
            "helm",
            ActionOp::Fixed("upgrade-install"),
        )
    },
    ActionSpec {
        paths: &["chart"],
        ..deploy(
            "helm/install-helm-chart",
            "helm",
            ActionOp::Fixed("install"),
        )
    },
    deploy(
        "helm/delete-helm-release",
        "helm",
        ActionOp::Fixed("uninstall"),
    ),
    ActionSpec {
        context: &["cluster-name"],
        ..deploy(
            "aws-eks/update-container-image",
            "kubectl",
            ActionOp::Fixed("set-image"),
        )
    },
    ActionSpec {
        context: &["cluster-name"],
        ..deploy(
            "aws-eks/deploy-application",
            "kubectl",
            ActionOp::Fixed("apply"),
        )
    },
    ActionSpec {
        context: &["cluster-name"],
        paths: &["chart"],
        ..deploy(
            "aws-eks/install-helm-chart",
            "helm",
            ActionOp::Fixed("install"),
        )
    },
    ActionSpec {
        context: &["cluster"],
        ..deploy(
            "gcp-gke/rollout-image",
            "kubectl",
            ActionOp::Fixed("set-image"),
        )
    },
    ActionSpec {
        context: &["cluster"],
        ..deploy(
            "gcp-gke/publish-and-rollout-image",
            "kubectl",
            ActionOp::Fixed("set-image"),
        )
    },
    ActionSpec {
        context: &["cluster-name"],
        ..credential("aws-eks/update-kubeconfig-with-authenticator", "cloud-aws")
    },
    ActionSpec {
        context: &["cluster-name"],
        ..credential(
            "azure-aks/update-kubeconfig-with-credentials",
            "cloud-azure",
        )
    },
    ActionSpec {
        pushes: true,
        ..image("aws-ecr/build-and-push-image", "docker", &["repo"])
    },
    ActionSpec {
        pushes: true,
        ..image("docker/publish", "docker", &["image"])
    },
    // Azure Pipelines tasks (names lowercased; inputs compared case-insensitively).
    ActionSpec {
        paths: &["configuration"],
        credentials: &[
            ("kubernetesserviceendpoint", "kubeconfig"),
            ("kubernetesserviceconnection", "kubeconfig"),
            ("azuresubscriptionendpoint", "cloud-azure"),
        ],
        ..deploy(
            "kubernetes",
            "kubectl",
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
            ("kubernetesserviceconnection", "kubeconfig"),
            ("kubernetesserviceendpoint", "kubeconfig"),
            ("azuresubscriptionconnection", "cloud-azure"),
        ],
        ..deploy(
            "kubernetesmanifest",
            "kubectl",
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
            ("kubernetesserviceconnection", "kubeconfig"),
            ("kubernetesserviceendpoint", "kubeconfig"),
            ("azuresubscription", "cloud-azure"),
            ("azuresubscriptionendpoint", "cloud-azure"),
        ],
        ..deploy(
            "helmdeploy",
            "helm",
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
        ..image("docker", "docker", &["repository"])
    },
    // Bitbucket pipes.
    ActionSpec {
        paths: &["resource-path"],
        credentials: &[("kube-config", "kubeconfig")],
        ..deploy("atlassian/kubectl-run", "kubectl", KUBECTL_PIPE)
    },
    ActionSpec {
        paths: &["resource-path"],
        context: &["cluster-name"],
        credentials: &[
            ("aws-secret-access-key", "cloud-aws"),
            ("aws-oidc-role-arn", "cloud-aws"),
        ],
        ..deploy("atlassian/aws-eks-kubectl-run", "kubectl", KUBECTL_PIPE)
    },
    ActionSpec {
        paths: &["resource-path"],
        context: &["cluster-name"],
        credentials: &[("key-file", "cloud-gcp")],
        ..deploy("atlassian/google-gke-kubectl-run", "kubectl", KUBECTL_PIPE)
    },
    ActionSpec {
        paths: &["kubernetes-spec-file"],
        context: &["azure-aks-name"],
        credentials: &[("azure-password", "cloud-azure")],
        ..deploy(
            "atlassian/azure-aks-deploy",
            "kubectl",
            ActionOp::Command {
                input: "kubectl-command",
                program: Some("kubectl"),
                extra: Some("kubectl-arguments"),
            },
        )
    },
    ActionSpec {
        context: &["aks-name"],
        credentials: &[("azure-password", "cloud-azure")],
        ..deploy(
            "atlassian/azure-aks-helm-deploy",
            "helm",
            ActionOp::Command {
                input: "helm-command",
                program: Some("helm"),
                extra: None,
            },
        )
    },
    ActionSpec {
        pushes: true,
        ..image("atlassian/aws-ecr-push-image", "docker", &["image-name"])
    },
    // Jenkins steps.
    ActionSpec {
        paths: &["configs"],
        credentials: &[("kubeconfigid", "kubeconfig")],
        ..deploy("kubernetesdeploy", "kubectl", ActionOp::Fixed("apply"))
    },
    ActionSpec {
        context: &["contextname", "clustername"],
        credentials: &[("credentialsid", "kubeconfig")],
        ..credential("withkubeconfig", "kubeconfig")
    },
    ActionSpec {
        credentials: &[
            ("kubectlcredentials", "kubeconfig"),
            ("credentialsid", "kubeconfig"),
        ],
        ..credential("withkubecredentials", "kubeconfig")
    },
];
