#!/usr/bin/env python3
"""Generates a deterministic synthetic monorepo for benchmarking `gitops-gen analyze`.

Usage: scripts/bench/monorepo.py --files N [--seed S] [--no-git] DEST

DEST must not exist or be empty. Exactly N files are written (not counting .git). The mix, at
N = 100000 (every count scales with N, at least 1 each; source files fill the remainder):

  300  GitHub workflows (.github/workflows/*.yml): image builds with docker/build-push-action
       pinned to a commit, `kubectl apply` deploys with `environment:`, `helm upgrade
       --install` releases, and test-only workflows (negatives)
  101  GitLab CI: the root .gitlab-ci.yml and 100 files it includes (ci/<name>.yml)
   50  Jenkinsfiles (services/<svc>/Jenkinsfile, declarative)
   20  CircleCI, Azure Pipelines, Bitbucket Pipelines and Travis CI files, 5 of each: one at the
       root, the others under services/<svc>/ (CircleCI's: .circleci/<svc>.yml, continuation
       configs, since CircleCI reads no other folder; analyze reads only the root .travis.yml)
 2000  Kubernetes manifests under deploy/<app>/base/ and deploy/<app>/overlays/<env>/
  600  kustomization.yaml files (bases and overlays of those apps)
  120  files of 20 Helm charts (charts/<name>/)
  100  Dockerfiles (one per service), a README.md and a .gitignore
   10  files the .gitignore ignores (node_modules/, *.log), one of them a deploying Jenkinsfile
       that analyze must not report
  ...  source files services/<svc>/src/<pkg>[/<sub>]/<file>.{go,py,ts,java}

Directories hold at most about 200 entries: above 200 services, apps, charts or included GitLab
files they are grouped one level deeper (services/<team>/<svc>, deploy/<team>/<app>,
ci/<team>/<name>.yml). `.github/workflows` cannot be nested, so it holds every workflow (300 at
N = 100000). Source files sit 5-7 levels deep.

The same N and seed give the same bytes, and the same commit: the tree is committed with a fixed
author, committer and date, with the user's and system's git configuration ignored. git add of
a million files takes minutes; --no-git (meant for N >= 500000) only runs `git init`, so the
files stay untracked. A summary line (files, bytes, counts per category) goes to stdout,
progress to stderr.
"""

import argparse
import hashlib
import math
import os
import random
import subprocess
import sys
import time

REFERENCE = 100_000  # the N the base counts below are given for
BASE = {
    "workflows": 300,
    "gitlab_includes": 100,
    "jenkins": 50,
    "circleci": 5,
    "azure": 5,
    "bitbucket": 5,
    "travis": 5,
    "manifests": 2000,
    "kustomizations": 600,
    "charts": 20,
    "services": 100,
    "ignored": 10,
}
MAX_DIR = 200  # entries per directory before grouping one level deeper
GROUP_SIZE = 150  # target size of those groups
CHART_FILES = 6  # files of one Helm chart
PROGRESS_EVERY = 50_000
REGISTRY = "ghcr.io/acme"

DOMAINS = """billing checkout catalog search payments orders inventory shipping accounts identity
notifications pricing reviews recommendations analytics reporting ledger invoices fraud loyalty
media storage gateway messaging scheduler audit support onboarding profiles sessions cart
wishlist returns tax currency geo routing ingest export feeds""".split()
ROLES = "api worker web sync consumer service gateway jobs cron admin proxy indexer".split()
TEAMS = "core platform growth commerce data infra mobile payments trust edge ops labs".split()
WORDS = """account address audit batch cache client config cursor event export filter handler
index invoice item job ledger limit message metric order page payload policy price queue quota
record report request retry route rule schedule session shard snapshot stream tenant token
user window""".split()
VERBS = "load save fetch list update delete apply merge render parse validate sync build".split()
ENVS = ("development", "staging", "production")
LANGS = ("go", "py", "ts", "java")


def scaled(key, n):
    """The count of `key` for n files: its base count scaled by n / REFERENCE, at least 1."""
    return max(1, round(BASE[key] * n / REFERENCE))


def sha40(*parts):
    """A deterministic 40-hex commit-like id."""
    return hashlib.sha1(":".join(map(str, parts)).encode()).hexdigest()


def name_of(i, first, second):
    """The i-th name `<first>-<second>`, unique for every i (a number is added after a cycle)."""
    a, rest = i % len(first), i // len(first)
    b, cycle = (rest + a) % len(second), rest // len(second)  # + a: neighbours differ in both
    return f"{first[a]}-{second[b]}{cycle + 1 if cycle else ''}"


def grouped(root, i, total, name):
    """`root/name`, or `root/<team>/name` when `total` names would overfill `root`."""
    if total <= MAX_DIR:
        return f"{root}/{name}"
    per = math.ceil(total / math.ceil(total / GROUP_SIZE))
    g = i // per
    team = TEAMS[g % len(TEAMS)] + (str(g // len(TEAMS) + 1) if g >= len(TEAMS) else "")
    return f"{root}/{team}/{name}"


def unique(names):
    """`names` with the index appended to each repeat of an earlier name."""
    seen, out = set(), []
    for i, name in enumerate(names):
        name = name if name not in seen else f"{name}-{i}"
        seen.add(name)
        out.append(name)
    return out


CAP = {}  # capitalize() results, cached: source files call camel() a lot


def camel(*words):
    return "".join([CAP.get(w) or CAP.setdefault(w, w.capitalize()) for w in words])


class Writer:
    """Writes files under one root, creating each directory once and counting what it wrote."""

    def __init__(self, root):
        self.root = root
        self.dirs = set()
        self.files = 0
        self.bytes = 0
        self.counts = {}
        self.start = time.monotonic()

    def write(self, category, rel, text):
        data = text.encode()
        parent = rel.rpartition("/")[0]
        if parent not in self.dirs:
            os.makedirs(f"{self.root}/{parent}", exist_ok=True)
            self.dirs.add(parent)
        # "x": a path written twice is a bug of this script, not a silent overwrite
        with open(f"{self.root}/{rel}", "xb") as f:
            f.write(data)
        self.files += 1
        self.bytes += len(data)
        self.counts[category] = self.counts.get(category, 0) + 1
        if self.files % PROGRESS_EVERY == 0:
            log(f"  {self.files} files written ({time.monotonic() - self.start:.1f} s)")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# The plan: services, apps and charts, and how many files of each kind. Pure data, no I/O.
# ---------------------------------------------------------------------------------------------


class Plan:
    def __init__(self, n, seed):
        self.n = n
        self.seed = seed
        rng = self.rng = random.Random(seed)
        domains, roles = DOMAINS[:], ROLES[:]
        rng.shuffle(domains)
        rng.shuffle(roles)
        self.names = lambda i: name_of(i, domains, roles)

        c = {k: scaled(k, n) for k in BASE}
        c["services"] = max(c["services"], c["jenkins"], c["circleci"] - 1, c["azure"] - 1,
                            c["bitbucket"] - 1, c["travis"] - 1)
        c["ignored"] = max(2, c["ignored"])
        self.c = c

        # Services: a name, a folder and a language each.
        s = c["services"]
        self.services = [
            {"name": self.names(i), "path": grouped("services", i, s, self.names(i)),
             "lang": LANGS[rng.randrange(len(LANGS))], "port": 8000 + rng.randrange(100)}
            for i in range(s)
        ]
        # Apps under deploy/: base + 1-3 overlays each, until the kustomization count is reached.
        self.apps = []
        left = c["kustomizations"]
        while left > 0:
            i = len(self.apps)
            n_over = min(left - 1, rng.choice((2, 3, 3)))
            envs = ENVS[3 - n_over:] if n_over else ()
            name = self.names(i)
            self.apps.append({"name": name, "envs": envs, "port": 8000 + rng.randrange(100),
                              "replicas": rng.choice((1, 2, 3)), "multidoc": rng.random() < 0.3})
            left -= 1 + n_over
        a = len(self.apps)
        for i, app in enumerate(self.apps):
            app["path"] = grouped("deploy", i, a, app["name"])
        # Manifests: an even share per app, a bit under half in the base, the rest in overlays.
        m = c["manifests"]
        for i, app in enumerate(self.apps):
            quota = m // a + (i < m % a)
            n_base = max(1, min(len(BASE_KINDS), round(quota * 0.45))) if app["envs"] else quota
            app["base"] = pick_files(BASE_KINDS, min(n_base, quota))
            rest = quota - len(app["base"])
            per_env = [rest // len(app["envs"]) + (j < rest % len(app["envs"]))
                       for j in range(len(app["envs"]))] if app["envs"] else []
            app["overlays"] = {env: pick_files(OVERLAY_KINDS, k) for env, k in zip(app["envs"], per_env)}
        # Helm charts, named like the first services.
        self.charts = [
            {"name": self.names(i), "path": grouped("charts", i, c["charts"], self.names(i)),
             "port": 8000 + rng.randrange(100)}
            for i in range(c["charts"])
        ]
        self.fixed = (c["workflows"] + 1 + c["gitlab_includes"] + c["jenkins"] + c["circleci"]
                      + c["azure"] + c["bitbucket"] + c["travis"] + m + c["kustomizations"]
                      + CHART_FILES * c["charts"] + s + 2 + c["ignored"])
        self.sources = n - self.fixed

    def service(self, i):
        return self.services[i % len(self.services)]

    def app(self, i):
        return self.apps[i % len(self.apps)]

    def chart(self, i):
        return self.charts[i % len(self.charts)]


# Manifest files of a base, then of an overlay, in the order they are handed out.
BASE_KINDS = ["deployment", "service", "configmap", "serviceaccount", "ingress", "hpa", "pdb",
              "networkpolicy"]
OVERLAY_KINDS = ["patch-deployment", "settings", "hpa", "patch-service", "pdb"]


def pick_files(kinds, k):
    """k file kinds: the listed ones first, then numbered extra ConfigMaps."""
    return kinds[:k] + [f"extra-{j + 1}" for j in range(k - len(kinds))]


# ---------------------------------------------------------------------------------------------
# Kubernetes manifests and kustomizations
# ---------------------------------------------------------------------------------------------


def labels(app, indent):
    pad = " " * indent
    return f"{pad}app.kubernetes.io/name: {app}\n{pad}app.kubernetes.io/part-of: acme\n"


def manifest(kind, app, env=None):
    """The text of one manifest file of `app` (`env` is set for overlay files)."""
    name, port = app["name"], app["port"]
    ns_note = f"# {env} overlay of {name}\n" if env else ""
    if kind == "deployment":
        return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  labels:\n"
                f"{labels(name, 4)}spec:\n  replicas: {app['replicas']}\n  selector:\n"
                f"    matchLabels:\n      app.kubernetes.io/name: {name}\n  template:\n"
                f"    metadata:\n      labels:\n{labels(name, 8)}    spec:\n      containers:\n"
                f"        - name: {name}\n          image: {REGISTRY}/{name}:0.1.0\n"
                f"          ports:\n            - containerPort: {port}\n"
                f"          envFrom:\n            - configMapRef:\n                name: {name}-config\n"
                f"          resources:\n            requests: {{cpu: 100m, memory: 128Mi}}\n"
                f"            limits: {{memory: 256Mi}}\n          readinessProbe:\n"
                f"            httpGet: {{path: /healthz, port: {port}}}\n")
    if kind == "service":
        text = (f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  labels:\n"
                f"{labels(name, 4)}spec:\n  selector:\n    app.kubernetes.io/name: {name}\n"
                f"  ports:\n    - name: http\n      port: 80\n      targetPort: {port}\n")
        if app["multidoc"]:  # sometimes a second object in the same file
            text += (f"---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {name}-metrics\n"
                     f"spec:\n  selector:\n    app.kubernetes.io/name: {name}\n  ports:\n"
                     f"    - name: metrics\n      port: 9090\n")
        return text
    if kind == "configmap":
        return (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-config\ndata:\n"
                f"  LOG_LEVEL: info\n  PORT: \"{port}\"\n  SERVICE_NAME: {name}\n")
    if kind == "serviceaccount":
        return f"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  labels:\n{labels(name, 4)}"
    if kind == "ingress":
        host = f"{name}.{env or 'internal'}.example.com"
        return (f"{ns_note}apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {name}\n"
                f"  annotations:\n    cert-manager.io/cluster-issuer: letsencrypt\nspec:\n"
                f"  ingressClassName: nginx\n  rules:\n    - host: {host}\n      http:\n        paths:\n"
                f"          - path: /\n            pathType: Prefix\n            backend:\n"
                f"              service:\n                name: {name}\n                port: {{number: 80}}\n")
    if kind == "hpa":
        low = 2 if env == "production" else 1
        return (f"{ns_note}apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n"
                f"  name: {name}\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n"
                f"    name: {name}\n  minReplicas: {low}\n  maxReplicas: {low * 5}\n  metrics:\n"
                f"    - type: Resource\n      resource:\n        name: cpu\n"
                f"        target: {{type: Utilization, averageUtilization: 70}}\n")
    if kind == "pdb":
        return (f"{ns_note}apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: {name}\n"
                f"spec:\n  minAvailable: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: {name}\n")
    if kind == "networkpolicy":
        return (f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n"
                f"spec:\n  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: {name}\n"
                f"  ingress:\n    - from:\n        - namespaceSelector:\n"
                f"            matchLabels: {{kubernetes.io/metadata.name: ingress-nginx}}\n")
    if kind == "patch-deployment":
        reps = {"development": 1, "staging": 2, "production": 4}[env]
        return (f"{ns_note}apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n"
                f"  replicas: {reps}\n  template:\n    spec:\n      containers:\n        - name: {name}\n"
                f"          env:\n            - name: ENVIRONMENT\n              value: {env}\n")
    if kind == "patch-service":
        return (f"{ns_note}apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  annotations:\n"
                f"    prometheus.io/scrape: \"true\"\n")
    if kind == "settings":
        return (f"{ns_note}apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-{env}-settings\n"
                f"data:\n  ENVIRONMENT: {env}\n  FEATURE_FLAGS: \"search,checkout-v2\"\n")
    assert kind.startswith("extra-"), kind
    suffix = f"{env}-{kind}" if env else kind
    return (f"{ns_note}apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-{suffix}\ndata:\n"
            f"  key: \"{sha40(name, suffix)[:16]}\"\n")


def base_kustomization(app):
    resources = "".join(f"  - {k}.yaml\n" for k in app["base"]) or "  []\n"
    return (f"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
            f"resources:\n{resources}labels:\n  - pairs:\n"
            f"      app.kubernetes.io/name: {app['name']}\n")


def overlay_kustomization(app, env, seed):
    files = app["overlays"][env]
    extra = "".join(f"  - {k}.yaml\n" for k in files if not k.startswith("patch-"))
    patches = "".join(f"  - path: {k}.yaml\n" for k in files if k.startswith("patch-"))
    text = (f"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
            f"namespace: {app['name']}-{env}\nresources:\n  - ../../base\n{extra}"
            f"images:\n  - name: {REGISTRY}/{app['name']}\n    newTag: {sha40(seed, app['name'], env)[:12]}\n")
    return text + (f"patches:\n{patches}" if patches else "")


def kubectl_apply(app, env):
    """A `kubectl apply` of paths of `app` that exist: the env overlay, else base files."""
    if env in app["envs"]:
        return f"kubectl apply -k {app['path']}/overlays/{env}"
    files = " ".join(f"-f {app['path']}/base/{k}.yaml" for k in app["base"][:2])
    return f"kubectl apply -n {app['name']}-{env} {files or '-k ' + app['path'] + '/base'}"


def helm_upgrade(chart, env, tag):
    rel, path = chart["name"], chart["path"]
    values = f" -f {path}/values-staging.yaml" if env == "staging" else ""
    return (f"helm upgrade --install {rel} {path} --namespace {rel}-{env} --create-namespace "
            f"-f {path}/values.yaml{values} --set image.tag={tag} --wait")


# ---------------------------------------------------------------------------------------------
# CI pipelines
# ---------------------------------------------------------------------------------------------

ACTIONS = {  # action -> version comments; the pin is a commit derived from the version
    "actions/checkout": ("v4.1.7", "v4.2.0", "v4.2.2"),
    "docker/setup-buildx-action": ("v3.6.1", "v3.7.1"),
    "docker/login-action": ("v3.2.0", "v3.3.0"),
    "docker/build-push-action": ("v5.4.0", "v6.7.0", "v6.9.0"),
    "azure/setup-kubectl": ("v4.0.0",),
    "azure/setup-helm": ("v4.2.0",),
    "actions/setup-go": ("v5.0.2",),
    "actions/setup-python": ("v5.2.0",),
    "actions/setup-node": ("v4.0.3",),
    "actions/setup-java": ("v4.2.2",),
}
SETUP = {
    "go": ("actions/setup-go", "go-version: '1.22'", "go vet ./... && go test ./..."),
    "py": ("actions/setup-python", "python-version: '3.12'",
           "pip install -r requirements.txt && pytest -q"),
    "ts": ("actions/setup-node", "node-version: 20", "npm ci && npm test"),
    "java": ("actions/setup-java", "distribution: temurin\n          java-version: '21'",
             "./gradlew test"),
}
TEST_IMAGES = {"go": "golang:1.22", "py": "python:3.12", "ts": "node:20", "java": "gradle:8-jdk21"}
WORKFLOW_KINDS = ("build-push", "deploy-kubectl", "deploy-helm", "test", "build-deploy", "release")


def uses(action, i):
    versions = ACTIONS[action]
    v = versions[i % len(versions)]
    return f"uses: {action}@{sha40(action, v)} # {v}"


def write_kubeconfig(env):
    """Workflow steps writing the kubeconfig of `env` from a secret."""
    return (f"      - name: Write kubeconfig\n        run: |\n          mkdir -p ~/.kube\n"
            f"          echo \"${{{{ secrets.KUBECONFIG_{env.upper()} }}}}\" | base64 -d > ~/.kube/config\n")


def workflow(kind, i, plan):
    """One GitHub workflow of `kind`; every index gives different names and paths."""
    svc, app, chart = plan.service(i), plan.app(i), plan.chart(i)
    s, lang = svc["name"], svc["lang"]
    env = ("staging", "production")[i % 2]
    checkout = uses("actions/checkout", i)
    if kind == "test":  # a negative: tests, a dry run and a chart lint, nothing deployed
        action, with_, cmd = SETUP[lang]
        return (f"name: CI {s}\n\non:\n  pull_request:\n    paths: ['{svc['path']}/**']\n"
                f"  push:\n    branches: [main]\n    paths: ['{svc['path']}/**']\n\n"
                f"permissions:\n  contents: read\n\njobs:\n  test:\n    runs-on: ubuntu-24.04\n"
                f"    defaults:\n      run:\n        working-directory: {svc['path']}\n"
                f"    steps:\n      - {checkout}\n      - {uses(action, i)}\n        with:\n"
                f"          {with_}\n      - run: {cmd}\n"
                f"  lint-manifests:\n    runs-on: ubuntu-24.04\n    steps:\n      - {checkout}\n"
                f"      - run: kubectl apply --dry-run=client -k {app['path']}/base\n"
                f"      - run: helm lint {chart['path']}\n")
    build = (f"      - {uses('docker/setup-buildx-action', i)}\n"
             f"      - {uses('docker/login-action', i)}\n        with:\n          registry: ghcr.io\n"
             f"          username: ${{{{ github.actor }}}}\n          password: ${{{{ secrets.GITHUB_TOKEN }}}}\n"
             f"      - {uses('docker/build-push-action', i)}\n        with:\n"
             f"          context: {svc['path']}\n          push: true\n"
             f"          tags: {REGISTRY}/{s}:${{{{ github.sha }}}}\n")
    if kind == "build-push":
        return (f"name: Image {s}\n\non:\n  push:\n    branches: [main]\n"
                f"    paths: ['{svc['path']}/**']\n  workflow_dispatch:\n\n"
                f"permissions:\n  contents: read\n  packages: write\n\njobs:\n  image:\n"
                f"    runs-on: ubuntu-24.04\n    steps:\n      - {checkout}\n{build}")
    kubeconfig = write_kubeconfig(env)
    if kind == "deploy-kubectl":
        trigger = ("  push:\n    branches: [main]\n" if env == "staging"
                   else "  push:\n    tags: ['v*']\n")
        return (f"name: Deploy {app['name']} to {env}\n\non:\n{trigger}  workflow_dispatch:\n\n"
                f"concurrency: deploy-{app['name']}-{env}\n\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n"
                f"    environment: {env}\n    steps:\n      - {checkout}\n"
                f"      - {uses('azure/setup-kubectl', i)}\n{kubeconfig}"
                f"      - name: Apply manifests\n        run: {kubectl_apply(app, env)}\n"
                f"      - name: Wait for rollout\n"
                f"        run: kubectl -n {app['name']}-{env} rollout status deployment/{app['name']} --timeout=180s\n")
    if kind == "deploy-helm":
        return (f"name: Helm {chart['name']}\n\non:\n  workflow_dispatch:\n    inputs:\n"
                f"      tag:\n        description: Image tag\n        required: true\n"
                f"  push:\n    branches: [main]\n    paths: ['{chart['path']}/**']\n\n"
                f"jobs:\n  release:\n    runs-on: ubuntu-latest\n    environment:\n"
                f"      name: {env}\n      url: https://{chart['name']}.{env}.example.com\n"
                f"    steps:\n      - {checkout}\n      - {uses('azure/setup-helm', i)}\n{kubeconfig}"
                f"      - name: Release\n        run: |\n"
                f"          {helm_upgrade(chart, env, '${{ inputs.tag || github.sha }}')}\n")
    if kind == "build-deploy":
        return (f"name: Ship {s}\n\non:\n  push:\n    branches: [main]\n\n"
                f"permissions:\n  contents: read\n  packages: write\n\njobs:\n  build:\n"
                f"    runs-on: ubuntu-24.04\n    steps:\n      - {checkout}\n{build}"
                f"  deploy:\n    needs: build\n    runs-on: ubuntu-latest\n    environment: staging\n"
                f"    steps:\n{write_kubeconfig('staging')}"
                f"      - run: kubectl -n {app['name']}-staging set image deployment/{app['name']} "
                f"{app['name']}={REGISTRY}/{s}:${{{{ github.sha }}}}\n")
    assert kind == "release"
    return (f"name: Release {s}\n\non:\n  release:\n    types: [published]\n  workflow_dispatch:\n\n"
            f"jobs:\n  production:\n    runs-on: ubuntu-latest\n    environment: production\n"
            f"    steps:\n      - {checkout}\n      - {uses('azure/setup-kubectl', i)}\n"
            f"{write_kubeconfig('production')}"
            f"      - run: {kubectl_apply(app, 'production')}\n")


def gitlab_root(includes):
    items = "".join(f"  - local: {p}\n" for p in includes)
    return ("# Monorepo pipeline: every service's jobs live in an included file under ci/.\n"
            "stages:\n  - test\n  - build\n  - deploy\n\n"
            "variables:\n  REGISTRY: registry.gitlab.example.com/acme/monorepo\n\n"
            "default:\n  tags: [docker]\n  interruptible: true\n\n"
            "workflow:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n"
            "    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n    - if: $CI_COMMIT_TAG\n\n"
            f"include:\n{items}")


def gitlab_include(i, job, plan):
    """Jobs of one included file (named `job`-...): test, build, a kubectl or helm deploy or none."""
    svc, app, chart = plan.service(i), plan.app(i), plan.chart(i)
    s = svc["name"]
    text = (f"{job}-test:\n  stage: test\n  image: {TEST_IMAGES[svc['lang']]}\n  script:\n"
            f"    - cd {svc['path']}\n    - {SETUP[svc['lang']][2]}\n  rules:\n"
            f"    - changes: ['{svc['path']}/**/*']\n\n"
            f"{job}-build:\n  stage: build\n  image: quay.io/buildah/stable:v1.37\n  script:\n"
            f"    - buildah bud -t $REGISTRY/{s}:$CI_COMMIT_SHORT_SHA {svc['path']}\n"
            f"    - buildah push $REGISTRY/{s}:$CI_COMMIT_SHORT_SHA\n  rules:\n"
            f"    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n")
    style = i % 4
    if style == 3:  # a negative: no deploy
        return text
    if style == 0:
        return text + (
            f"\n{job}-deploy-staging:\n  stage: deploy\n  image: bitnami/kubectl:1.30\n"
            f"  environment:\n    name: staging\n    url: https://{app['name']}.staging.example.com\n"
            f"  script:\n    - kubectl config use-context acme/agents:staging\n"
            f"    - {kubectl_apply(app, 'staging')}\n  rules:\n"
            f"    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n\n"
            f"{job}-deploy-production:\n  stage: deploy\n  image: bitnami/kubectl:1.30\n"
            f"  environment:\n    name: production\n  script:\n"
            f"    - kubectl config use-context acme/agents:production\n"
            f"    - {kubectl_apply(app, 'production')}\n  rules:\n    - if: $CI_COMMIT_TAG\n"
            f"      when: manual\n")
    if style == 1:
        return text + (
            f"\n{job}-helm-staging:\n  stage: deploy\n  image: alpine/helm:3.15.4\n"
            f"  environment:\n    name: staging\n  script:\n"
            f"    - {helm_upgrade(chart, 'staging', '$CI_COMMIT_SHORT_SHA')}\n"
            f"  only:\n    - main\n")
    return text + (  # the older only/except syntax
        f"\n{job}-deploy-review:\n  stage: deploy\n  image: bitnami/kubectl:1.30\n"
        f"  environment:\n    name: review/$CI_COMMIT_REF_SLUG\n  script:\n"
        f"    - kubectl -n review-$CI_COMMIT_REF_SLUG apply -f {app['path']}/base/deployment.yaml\n"
        f"  only:\n    - branches\n  except:\n    - main\n")


def jenkinsfile(i, plan):
    svc, app, chart = plan.service(i), plan.app(i), plan.chart(i)
    s = svc["name"]
    if i % 2:
        deploy = f"sh '{kubectl_apply(app, 'staging')}'"
    else:
        deploy = f"sh \"{helm_upgrade(chart, 'staging', '${env.GIT_COMMIT}')}\""
    return (
        "pipeline {\n    agent { label 'linux' }\n\n    environment {\n"
        f"        IMAGE = \"registry.example.com/acme/{s}:${{env.GIT_COMMIT}}\"\n    }}\n\n"
        "    options {\n        timeout(time: 30, unit: 'MINUTES')\n    }\n\n    stages {\n"
        f"        stage('Test') {{\n            steps {{\n                dir('{svc['path']}') {{\n"
        f"                    sh '{SETUP[svc['lang']][2]}'\n                }}\n            }}\n        }}\n\n"
        "        stage('Build') {\n            steps {\n"
        f"                sh \"docker build -t ${{IMAGE}} {svc['path']}\"\n"
        "                withDockerRegistry([credentialsId: 'registry-push', url: 'https://registry.example.com']) {\n"
        "                    sh \"docker push ${IMAGE}\"\n                }\n            }\n        }\n\n"
        "        stage('Deploy') {\n            when { branch 'main' }\n            steps {\n"
        f"                withKubeConfig([credentialsId: 'kube-staging-{i % 3}']) {{\n"
        f"                    {deploy}\n                }}\n            }}\n        }}\n    }}\n}}\n")


def circleci(i, plan):
    svc, app = plan.service(i), plan.app(i)
    return (
        "version: 2.1\n\norbs:\n  kubernetes: circleci/kubernetes@1.3.1\n\njobs:\n  test:\n"
        f"    docker:\n      - image: cimg/base:2024.08\n    steps:\n      - checkout\n"
        f"      - run: cd {svc['path']} && {SETUP[svc['lang']][2]}\n  deploy:\n"
        f"    docker:\n      - image: cimg/base:2024.08\n    steps:\n      - checkout\n"
        f"      - kubernetes/install-kubectl\n      - run:\n          name: Deploy {app['name']}\n"
        f"          command: {kubectl_apply(app, 'production')}\n\nworkflows:\n  test-and-deploy:\n"
        "    jobs:\n      - test\n      - deploy:\n          context: kube-production\n"
        "          requires: [test]\n          filters:\n            branches:\n              only: main\n")


def azure(i, plan):
    svc, chart = plan.service(i), plan.chart(i)
    return (
        "trigger:\n  branches:\n    include:\n      - main\n  paths:\n    include:\n"
        f"      - {svc['path']}\n\npr: none\n\nvariables:\n  imageRepository: {svc['name']}\n"
        "  tag: $(Build.BuildId)\n\nstages:\n  - stage: Build\n    jobs:\n      - job: Image\n"
        "        pool:\n          vmImage: ubuntu-latest\n        steps:\n          - task: Docker@2\n"
        "            inputs:\n              containerRegistry: acr-connection\n"
        "              repository: $(imageRepository)\n              command: buildAndPush\n"
        f"              dockerfile: {svc['path']}/Dockerfile\n              tags: $(tag)\n\n"
        "  - stage: DeployStaging\n    dependsOn: Build\n    jobs:\n      - deployment: Staging\n"
        "        pool:\n          vmImage: ubuntu-latest\n        environment: staging\n"
        "        strategy:\n          runOnce:\n            deploy:\n              steps:\n"
        "                - checkout: self\n                - task: HelmDeploy@0\n"
        "                  inputs:\n                    connectionType: Kubernetes Service Connection\n"
        "                    kubernetesServiceEndpoint: aks-staging\n"
        f"                    namespace: {chart['name']}-staging\n                    command: upgrade\n"
        f"                    chartType: FilePath\n                    chartPath: {chart['path']}\n"
        f"                    releaseName: {chart['name']}\n"
        "                    overrideValues: image.tag=$(tag)\n")


def bitbucket(i, plan):
    svc, app = plan.service(i), plan.app(i)
    return (
        "image: atlassian/default-image:4\n\npipelines:\n  pull-requests:\n    '**':\n"
        f"      - step:\n          name: Tests\n          image: {TEST_IMAGES[svc['lang']]}\n"
        f"          script:\n            - cd {svc['path']}\n            - {SETUP[svc['lang']][2]}\n"
        "  branches:\n    main:\n      - step:\n          name: Build image\n"
        "          services: [docker]\n          script:\n"
        f"            - docker build -t $REGISTRY/{svc['name']}:$BITBUCKET_COMMIT {svc['path']}\n"
        f"            - docker push $REGISTRY/{svc['name']}:$BITBUCKET_COMMIT\n"
        "      - step:\n          name: Deploy to staging\n          deployment: staging\n"
        "          script:\n            - echo \"$KUBECONFIG_STAGING\" | base64 -d > kubeconfig\n"
        f"            - export KUBECONFIG=$PWD/kubeconfig\n            - {kubectl_apply(app, 'staging')}\n")


def travis(i, plan):
    svc, chart = plan.service(i), plan.chart(i)
    return (
        "language: minimal\n\nservices:\n  - docker\n\nscript:\n"
        f"  - docker build -t acme/{svc['name']}:$TRAVIS_COMMIT {svc['path']}\n\nbefore_deploy:\n"
        "  - curl -fsSL https://get.helm.sh/helm-v3.15.4-linux-amd64.tar.gz | tar xz\n"
        "  - echo \"$KUBE_CONFIG\" | base64 --decode > \"$HOME/kubeconfig\"\n\ndeploy:\n"
        "  provider: script\n"
        f"  script: ./linux-amd64/{helm_upgrade(chart, 'production', '$TRAVIS_COMMIT')}\n"
        "  on:\n    branch: main\n")


# ---------------------------------------------------------------------------------------------
# Helm charts, Dockerfiles, docs, ignored files
# ---------------------------------------------------------------------------------------------


def chart_files(chart):
    n, p = chart["name"], chart["path"]
    inc = "{{ include \"%s.fullname\" . }}" % n
    lbl = "{{- include \"%s.labels\" . | nindent 4 }}" % n
    return {
        f"{p}/Chart.yaml": (f"apiVersion: v2\nname: {n}\ndescription: A Helm chart for {n}\n"
                            f"type: application\nversion: 0.{len(n)}.0\nappVersion: \"1.0.0\"\n"),
        f"{p}/values.yaml": (f"replicaCount: 1\n\nimage:\n  repository: {REGISTRY}/{n}\n"
                             f"  tag: latest\n  pullPolicy: IfNotPresent\n\nservice:\n  type: ClusterIP\n"
                             f"  port: 80\n  targetPort: {chart['port']}\n\nresources:\n  requests:\n"
                             f"    cpu: 100m\n    memory: 128Mi\n"),
        f"{p}/values-staging.yaml": "replicaCount: 2\nimage:\n  tag: staging\n",
        f"{p}/templates/_helpers.tpl": (
            f"{{{{- define \"{n}.fullname\" -}}}}\n{{{{- .Release.Name | trunc 63 | trimSuffix \"-\" }}}}\n"
            f"{{{{- end }}}}\n\n{{{{- define \"{n}.labels\" -}}}}\napp.kubernetes.io/name: {n}\n"
            f"app.kubernetes.io/instance: {{{{ .Release.Name }}}}\n{{{{- end }}}}\n"),
        f"{p}/templates/deployment.yaml": (
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {inc}\n  labels:\n    {lbl}\n"
            f"spec:\n  replicas: {{{{ .Values.replicaCount }}}}\n  selector:\n    matchLabels:\n"
            f"      app.kubernetes.io/name: {n}\n  template:\n    metadata:\n      labels:\n"
            f"        app.kubernetes.io/name: {n}\n    spec:\n      containers:\n        - name: {n}\n"
            f"          image: \"{{{{ .Values.image.repository }}}}:{{{{ .Values.image.tag }}}}\"\n"
            f"          ports:\n            - containerPort: {{{{ .Values.service.targetPort }}}}\n"),
        f"{p}/templates/service.yaml": (
            f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {inc}\n  labels:\n    {lbl}\n"
            f"spec:\n  type: {{{{ .Values.service.type }}}}\n  selector:\n    app.kubernetes.io/name: {n}\n"
            f"  ports:\n    - port: {{{{ .Values.service.port }}}}\n"
            f"      targetPort: {{{{ .Values.service.targetPort }}}}\n"),
    }


DOCKERFILES = {
    "go": ("FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app ./...\n\n"
           "FROM gcr.io/distroless/static-debian12\nCOPY --from=build /out/app /app\nEXPOSE %d\n"
           "ENTRYPOINT [\"/app\"]\n"),
    "py": ("FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir "
           "-r requirements.txt\nCOPY src/ src/\nEXPOSE %d\nCMD [\"python\", \"-m\", \"src\"]\n"),
    "ts": ("FROM node:20-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n"
           "RUN npm run build\n\nFROM node:20-alpine\nWORKDIR /app\nCOPY --from=build /app/dist dist\n"
           "EXPOSE %d\nCMD [\"node\", \"dist/index.js\"]\n"),
    "java": ("FROM gradle:8-jdk21 AS build\nWORKDIR /src\nCOPY . .\nRUN gradle bootJar --no-daemon\n\n"
             "FROM eclipse-temurin:21-jre\nCOPY --from=build /src/build/libs/app.jar /app.jar\n"
             "EXPOSE %d\nENTRYPOINT [\"java\", \"-jar\", \"/app.jar\"]\n"),
}


def readme(plan):
    return (f"# acme monorepo (synthetic)\n\nGenerated by scripts/bench/monorepo.py --files {plan.n} "
            f"--seed {plan.seed} for benchmarking `gitops-gen analyze`.\n\n"
            "- `services/`: service sources, Dockerfiles and per-service pipelines\n"
            "- `deploy/`: Kustomize bases and overlays per app\n- `charts/`: Helm charts\n"
            "- `ci/`: GitLab CI files included from `.gitlab-ci.yml`\n"
            "- `.github/workflows/`: GitHub Actions workflows\n")


GITIGNORE = "node_modules/\n*.log\n.venv/\n__pycache__/\ndist/\n.idea/\n"


def ignored_files(plan):
    """Files the .gitignore ignores; the first is a deploying Jenkinsfile analyze must not see."""
    out = [("node_modules/@acme/deploy-tools/Jenkinsfile",
            "pipeline {\n    agent any\n    stages {\n        stage('Deploy') {\n            steps {\n"
            "                sh 'kubectl apply -f k8s/'\n            }\n        }\n    }\n}\n")]
    k = 1
    while len(out) < plan.c["ignored"]:
        svc = plan.service(k)
        if k % 2:
            out.append((f"{svc['path']}/npm-debug-{k}.log",
                        f"npm ERR! code ELIFECYCLE\nnpm ERR! {svc['name']}@1.0.0 test\n"))
        else:
            out.append((f"{svc['path']}/node_modules/left-pad-{k}/package.json",
                        f"{{\"name\": \"left-pad-{k}\", \"version\": \"1.3.0\"}}\n"))
        k += 1
    return out


# ---------------------------------------------------------------------------------------------
# Source files: a header and 1-8 functions from a few templates per language (%-formatted:
# cheap enough for a million files).
# ---------------------------------------------------------------------------------------------

SOURCE = {
    "go": {
        "head": "// Package %(pkg)s handles %(noun)s records of %(svc)s.\npackage %(pkg)s\n\n"
                "import (\n\t\"context\"\n\t\"fmt\"\n\t\"time\"\n)\n\n"
                "// %(Type)s keeps %(noun)s state.\ntype %(Type)s struct {\n\tstore Store\n\ttimeout time.Duration\n}\n",
        "funcs": [
            "\n// %(Fn)s: %(verb)s the %(noun)s with the given id.\n"
            "func (s *%(Type)s) %(Fn)s(ctx context.Context, id string) (*%(Noun)s, error) {\n"
            "\tif id == \"\" {\n\t\treturn nil, fmt.Errorf(\"%(fn)s: empty id\")\n\t}\n"
            "\titem, err := s.store.Get%(Noun)s(ctx, id)\n\tif err != nil {\n"
            "\t\treturn nil, fmt.Errorf(\"%(fn)s %%s: %%w\", id, err)\n\t}\n\treturn item, nil\n}\n",
            "\nfunc %(fn)s%(Noun)sList(items []%(Noun)s, limit int) []%(Noun)s {\n"
            "\tout := make([]%(Noun)s, 0, len(items))\n\tfor _, it := range items {\n"
            "\t\tif len(out) >= limit {\n\t\t\tbreak\n\t\t}\n\t\tout = append(out, it)\n\t}\n\treturn out\n}\n",
        ],
    },
    "py": {
        "head": "\"\"\"%(Noun)s handling for %(svc)s (%(pkg)s).\"\"\"\n\nimport logging\n"
                "from dataclasses import dataclass\n\nlog = logging.getLogger(__name__)\n\n\n"
                "@dataclass\nclass %(Type)s:\n    id: str\n    %(noun)s: str = \"\"\n    retries: int = %(n)d\n",
        "funcs": [
            "\n\ndef %(snake)s_%(noun)s(store, item_id, *, limit=%(n)d):\n"
            "    \"\"\"%(Verb)s the %(noun)s stored under item_id.\"\"\"\n    if not item_id:\n"
            "        raise ValueError(\"%(fn)s: empty id\")\n    rows = store.query(\"%(noun)s\", item_id, limit=limit)\n"
            "    log.debug(\"%(fn)s %%s -> %%d rows\", item_id, len(rows))\n    return [%(Type)s(**r) for r in rows]\n",
            "\n\ndef %(snake)s_batch(items, size=%(n)d):\n    batch = []\n    for item in items:\n"
            "        batch.append(item)\n        if len(batch) == size:\n            yield batch\n"
            "            batch = []\n    if batch:\n        yield batch\n",
        ],
    },
    "ts": {
        "head": "// %(Noun)s module of %(svc)s (%(pkg)s).\nimport { Store } from \"../store\";\n\n"
                "export interface %(Type)s {\n  id: string;\n  %(noun)s: string;\n  updatedAt: Date;\n}\n",
        "funcs": [
            "\nexport async function %(fn)s%(Noun)s(store: Store, id: string): Promise<%(Type)s | undefined> {\n"
            "  if (!id) {\n    throw new Error(\"%(fn)s: empty id\");\n  }\n"
            "  const row = await store.get<%(Type)s>(\"%(noun)s\", id);\n  return row ?? undefined;\n}\n",
            "\nexport function %(fn)sAll(items: %(Type)s[], limit = %(n)d): %(Type)s[] {\n"
            "  return items\n    .filter((it) => it.%(noun)s.length > 0)\n"
            "    .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())\n    .slice(0, limit);\n}\n",
        ],
    },
    "java": {
        "head": "package com.acme.%(jsvc)s.%(pkg)s;\n\nimport java.util.ArrayList;\nimport java.util.List;\n"
                "import java.util.Optional;\n\n/** %(Noun)s operations of %(svc)s. */\npublic class %(Type)s {\n"
                "    private final Repository repository;\n\n    public %(Type)s(Repository repository) {\n"
                "        this.repository = repository;\n    }\n",
        "funcs": [
            "\n    /** %(Verb)s the %(noun)s with the given id. */\n"
            "    public Optional<%(Noun)s> %(fn)s%(Noun)s%(n)d(String id) {\n"
            "        if (id == null || id.isEmpty()) {\n            throw new IllegalArgumentException(\"%(fn)s: empty id\");\n"
            "        }\n        return repository.find%(Noun)s(id);\n    }\n",
            "\n    public List<%(Noun)s> %(fn)sPage%(n)d(List<%(Noun)s> items, int limit) {\n"
            "        List<%(Noun)s> out = new ArrayList<>();\n        for (%(Noun)s it : items) {\n"
            "            if (out.size() >= limit) {\n                break;\n            }\n"
            "            out.add(it);\n        }\n        return out;\n    }\n",
        ],
        "tail": "}\n",
    },
}


def file_stem(lang, k):
    """The k-th file name (without extension) of a folder; unique for k < len(WORDS)^2."""
    a, b = WORDS[k % len(WORDS)], WORDS[(k // len(WORDS) + 3) % len(WORDS)]
    if lang == "java":
        return camel(a, b)
    if lang == "ts":
        return a + camel(b)
    return f"{a}_{b}"


def source_text(lang, svc, pkg, k, h):
    """One source file; `h` is a per-file hash choosing the number and names of functions."""
    tpl = SOURCE[lang]
    noun = WORDS[h % len(WORDS)]
    d = {"svc": svc, "jsvc": svc.replace("-", ""), "pkg": pkg, "noun": noun, "Noun": noun.capitalize(),
         "Type": camel(noun, WORDS[(h >> 8) % len(WORDS)]), "n": 10 + k}
    parts = [tpl["head"] % d]
    for j in range(1 + (h >> 4) % 8):
        verb = VERBS[(h + j * 7) % len(VERBS)]
        obj = WORDS[(h + j) % len(WORDS)]
        d.update(verb=verb, Verb=camel(verb), fn=verb + camel(obj), Fn=camel(verb, obj),
                 snake=f"{verb}_{obj}", n=j + 1)
        parts.append(tpl["funcs"][j % 2] % d)
    parts.append(tpl.get("tail", ""))
    return "".join(parts)


def word(i, offset=0):
    """The i-th of an endless list of distinct folder names: WORDS, rotated, then numbered."""
    cycle = i // len(WORDS)
    return WORDS[(offset + i) % len(WORDS)] + (str(cycle) if cycle else "")


def source_layout(count, svc_idx, rng):
    """Folders (relative to src/) and how many files each holds, for `count` files of a service:
    60-140 files a folder, the folders in packages of their own when there are many (or by chance)."""
    if count <= 0:
        return []
    n_leaves = math.ceil(count / rng.randint(60, 140))
    nested = n_leaves > 30 or (n_leaves > 3 and rng.random() < 0.35)
    per_pkg = 25 if n_leaves > 30 else 4
    dirs = [f"{word(j // per_pkg, svc_idx)}/{word(j % per_pkg, 11 + 5 * (j // per_pkg))}" if nested
            else word(j, svc_idx) for j in range(n_leaves)]
    return [(d, count // n_leaves + (j < count % n_leaves)) for j, d in enumerate(dirs)]


# ---------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------


def generate(plan, w):
    rng = plan.rng
    c = plan.c
    # GitHub workflows: each kind once first, then a weighted mix.
    kinds = [WORKFLOW_KINDS[i] if i < len(WORKFLOW_KINDS) else
             rng.choices(WORKFLOW_KINDS, weights=(3, 3, 2, 3, 2, 1))[0] for i in range(c["workflows"])]
    subjects = [{"deploy-kubectl": plan.app(i), "release": plan.app(i), "deploy-helm": plan.chart(i)}
                .get(kind, plan.service(i))["name"] + "-" + kind for i, kind in enumerate(kinds)]
    for i, (kind, name) in enumerate(zip(kinds, unique(subjects))):
        w.write("workflows", f".github/workflows/{name}.yml", workflow(kind, i, plan))
    # GitLab: the root file and its includes.
    stems = unique([plan.service(i)["name"] for i in range(c["gitlab_includes"])])
    inc = [grouped("ci", i, len(stems), stem) + ".yml" for i, stem in enumerate(stems)]
    w.write("gitlab", ".gitlab-ci.yml", gitlab_root(inc))
    for i, (stem, path) in enumerate(zip(stems, inc)):
        w.write("gitlab", path, gitlab_include(i, stem, plan))
    # Jenkinsfiles in the first services' folders; the other CI systems: one at the root each,
    # the rest in services' folders.
    s = len(plan.services)
    for i in range(c["jenkins"]):
        w.write("jenkins", f"{plan.services[i]['path']}/Jenkinsfile", jenkinsfile(i, plan))
    others = (("circleci", ".circleci/config.yml", circleci), ("azure", "azure-pipelines.yml", azure),
              ("bitbucket", "bitbucket-pipelines.yml", bitbucket), ("travis", ".travis.yml", travis))
    for offset, (cat, fname, fn) in enumerate(others):
        w.write(cat, fname, fn(offset, plan))
        for k in range(1, c[cat]):
            svc = plan.services[(offset * 17 + k) % s]
            # CircleCI reads more configs only from .circleci/ (a monorepo's continuation configs)
            path = f".circleci/{svc['name']}.yml" if cat == "circleci" else f"{svc['path']}/{fname}"
            w.write(cat, path, fn(offset + 4 * k, plan))
    # Kustomize apps.
    for app in plan.apps:
        w.write("kustomizations", f"{app['path']}/base/kustomization.yaml", base_kustomization(app))
        for kind in app["base"]:
            w.write("manifests", f"{app['path']}/base/{kind}.yaml", manifest(kind, app))
        for env, files in app["overlays"].items():
            d = f"{app['path']}/overlays/{env}"
            w.write("kustomizations", f"{d}/kustomization.yaml", overlay_kustomization(app, env, plan.seed))
            for kind in files:
                w.write("manifests", f"{d}/{kind}.yaml", manifest(kind, app, env))
    # Helm charts.
    for chart in plan.charts:
        for path, text in chart_files(chart).items():
            w.write("helm", path, text)
    # Dockerfiles, docs and ignored files.
    for svc in plan.services:
        w.write("dockerfiles", f"{svc['path']}/Dockerfile", DOCKERFILES[svc["lang"]] % svc["port"])
    w.write("docs", "README.md", readme(plan))
    w.write("docs", ".gitignore", GITIGNORE)
    for path, text in ignored_files(plan):
        w.write("ignored", path, text)
    # Source files fill the rest, spread evenly over the services.
    total, mix = plan.sources, plan.seed * 2654435761
    for si, svc in enumerate(plan.services):
        count = total // s + (si < total % s)
        for j, (d, n_files) in enumerate(source_layout(count, si, rng)):
            pkg = d.rpartition("/")[2]
            for k in range(n_files):
                # mostly the service's language, sometimes another (a script, a generated client)
                lang = svc["lang"] if k % 11 else LANGS[(si + k) % len(LANGS)]
                h = ((si * 100_003 + j * 1009 + k * 7919 + mix) * 2654435761 >> 5) & 0xFFFFFFF
                w.write("source", f"{svc['path']}/src/{d}/{file_stem(lang, k)}.{lang}",
                        source_text(lang, svc["name"], pkg, k, h))


# Fixed identity and date, and no user or system configuration (hooks, signing, autocrlf): the
# same tree always gives the same commit.
GIT_ENV = dict(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull,
               GIT_AUTHOR_NAME="Bench Bot", GIT_AUTHOR_EMAIL="bench@example.com",
               GIT_AUTHOR_DATE="2024-01-01T00:00:00+00:00", GIT_COMMITTER_NAME="Bench Bot",
               GIT_COMMITTER_EMAIL="bench@example.com", GIT_COMMITTER_DATE="2024-01-01T00:00:00+00:00")


def git(dest, *args, **kw):
    # gc.auto=0: no background repack of the loose objects after the commit (it would compete
    # with whatever runs next, such as the benchmark)
    return subprocess.run(["git", "-C", dest, "-c", "gc.auto=0", *args], env={**os.environ, **GIT_ENV},
                          check=True, **kw)


def commit(dest, n_files, no_git):
    git(dest, "init", "-q", "-b", "main")
    if no_git:
        log("--no-git: git init only, nothing committed")
        return
    start = time.monotonic()
    log("git add -A ...")
    # git add has no progress meter; count the lines of its --verbose output instead
    proc = subprocess.Popen(["git", "-C", dest, "add", "-A", "--verbose"], stdout=subprocess.PIPE,
                            env={**os.environ, **GIT_ENV})
    added = 0
    for _ in proc.stdout:
        added += 1
        if added % PROGRESS_EVERY == 0:
            log(f"  git add: {added}/{n_files} ({time.monotonic() - start:.1f} s)")
    if proc.wait():
        sys.exit(f"git add failed with exit code {proc.returncode}")
    log(f"git add: {added} files in {time.monotonic() - start:.1f} s; committing ...")
    git(dest, "commit", "-q", "-m", "synthetic")
    head = git(dest, "rev-parse", "HEAD", capture_output=True, text=True).stdout.strip()
    log(f"committed {head} ({time.monotonic() - start:.1f} s for add and commit)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, required=True, metavar="N", help="total number of files")
    ap.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default 1)")
    ap.add_argument("--no-git", action="store_true",
                    help="only `git init`, no add or commit (for N >= 500000, where they take minutes)")
    ap.add_argument("dest", metavar="DEST", help="directory to create (must not exist or be empty)")
    args = ap.parse_args()

    plan = Plan(args.files, args.seed)
    if plan.sources < 0:
        sys.exit(f"--files {args.files} is too small: the fixed files alone are {plan.fixed}")
    dest = os.path.abspath(args.dest)
    if os.path.exists(dest) and (not os.path.isdir(dest) or os.listdir(dest)):
        sys.exit(f"{dest} exists and is not an empty directory")
    os.makedirs(dest, exist_ok=True)

    log(f"writing {args.files} files to {dest} (seed {args.seed}) ...")
    w = Writer(dest)
    generate(plan, w)
    assert w.files == args.files, (w.files, args.files)
    log(f"wrote {w.files} files, {w.bytes} bytes in {time.monotonic() - w.start:.1f} s")
    commit(dest, w.files, args.no_git)
    counts = " ".join(f"{k}={v}" for k, v in w.counts.items())
    print(f"files={w.files} bytes={w.bytes} {counts}")


if __name__ == "__main__":
    main()
