#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (fuzz/seeds/<target>/) from the test fixtures.

Run from anywhere; it replaces fuzz/seeds/ whole. Seeds are named by the SHA-1 of their
content (as libFuzzer names corpus files), so re-running it on unchanged fixtures changes
nothing. The reader targets take the multi-file format src/fuzz.rs describes: the pipeline,
then `\\n%%% <path>\\n<text>` for every other file of the fixture it may include.
"""

import hashlib
import pathlib
import re
import shutil

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SEEDS = ROOT / "fuzz" / "seeds"
SEPARATOR = "\n%%% "
MAX_SEED = 64 * 1024

# Reader target -> whether a fixture path is that system's pipeline file.
READERS = {
    "read_github": lambda p: re.fullmatch(r"\.github/workflows/[^/]+\.ya?ml", p),
    "read_gitlab": lambda p: p in (".gitlab-ci.yml", ".gitlab-ci.yaml"),
    "read_jenkins": lambda p: re.search(r"(^|/)(Jenkinsfile(\..+)?|.+\.Jenkinsfile)$", p),
    "read_circleci": lambda p: p in (".circleci/config.yml", ".circleci/config.yaml"),
    "read_azure": lambda p: p in ("azure-pipelines.yml", "azure-pipelines.yaml")
    or re.fullmatch(r"\.(azure-pipelines|azuredevops)/[^/]+\.ya?ml", p),
    "read_bitbucket": lambda p: p == "bitbucket-pipelines.yml",
    "read_travis": lambda p: p == ".travis.yml",
}

# Overlays as `promote` meets them: image line, app line, kustomization.
OVERLAYS = [
    "ghcr.io/acme/web:3f9c2e1\nweb\n"
    "# promotion edits this\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
    "resources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/web   # the web app\n"
    "    newTag: latest\n  - name: ghcr.io/acme/api\n    newTag: \"1.0\"\n",
    "ghcr.io/shop/api@sha256:" + "b" * 64 + "\napi\n"
    "# Production overlay: reviewed by the platform team.\n"
    "kind: Kustomization   # kind first, on purpose\n"
    "apiVersion: kustomize.config.k8s.io/v1beta1\nimages:\n    # the API pins a digest\n"
    "    - name: ghcr.io/shop/api\n      digest: sha256:" + "a" * 64 + "\n"
    "    - newTag: 'latest'   # set by promote\n      name: ghcr.io/shop/web\n"
    "resources: [../../base]   # flow style stays\npatches:\n  - path: replicas.yaml\n",
    "localhost:5000/web:1\nweb\nkind: Kustomization\n",
    "ghcr.io/acme/new:abc\nnew\nkind: Kustomization\nimages: []\nresources: []\n",
    "ghcr.io/acme/web:1234\nweb\nkind: Kustomization\nmetadata:\n  name: staging\n"
    "  annotations:\n    source-commit.gitops-gen.io/web: \"1111111\"\n"
    "resources:\n  - ../../base\n  - feature-a\nimages:\n  - name: ghcr.io/acme/web\n"
    "    newTag: latest\n    digest: sha256:" + "c" * 64 + "\n",
    "ghcr.io/acme/web:v2\nweb\nkind: Kustomization\nmetadata:\n  annotations: {}\n"
    "images: [{name: ghcr.io/acme/web, newTag: v1}]\n",
    "ghcr.io/acme/web:v2\nweb\n# Created by gitops-gen. This file is yours.\n"
    "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
    "  - ../../base\nimages:\n  - name: ghcr.io/acme/web\n    newTag: latest\n"
    "  - name: ghcr.io/acme/api\n    newTag: latest\n",
]

# `if:` conditions beyond those in the fixtures.
EXPRESSIONS = [
    "${{ github.ref == 'refs/heads/main' && github.event_name == 'push' }}",
    "startsWith(github.ref, 'refs/tags/v') || github.event_name == 'workflow_dispatch'",
    "!(github.base_ref != 'main') && success()",
    "inputs.env == 'prod' && contains(fromJSON('[\"a\",\"b\"]'), inputs.Quote)",
    "github.ref_type == 'tag' && !cancelled() && format('{0}', inputs.n) == '1000'",
]


SECRETS = [
    # No value: refused, never an empty `encryptedData` (a crash the smoke run found).
    "kind: Secret\nmetadata: {name: empty}\ndata: {}\n",
    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  labels: {app: web}\ntype: Opaque\n"
    "data:\n  user: YWRtaW4=\nstringData:\n  password: x\n",
    'kind: Secret\nmetadata: {name: "x", annotations: '
    '{kubectl.kubernetes.io/last-applied-configuration: "{}"}}\nimmutable: true\n'
    'stringData: {"a.b-c_d": "v", "1": "2"}\n',
]


def text_files(directory):
    """Every UTF-8 file under `directory` except the expected analysis: path -> text."""
    files = {}
    for path in sorted(directory.rglob("*")):
        rel = path.relative_to(directory).as_posix()
        if not path.is_file() or rel == "expected.yaml":
            continue
        try:
            files[rel] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
    return files


def add(seeds, target, text):
    data = text.encode("utf-8")
    if 0 < len(data) <= MAX_SEED:
        seeds.setdefault(target, {})[hashlib.sha1(data).hexdigest()] = data


def block_values(text, keys):
    """The scalar or block text of `key:` lines: scripts and conditions, good enough for seeds."""
    lines = text.splitlines()
    out = []
    pattern = re.compile(r"^(\s*)(?:- )?(" + "|".join(keys) + r"):\s*(.*)$")
    for i, line in enumerate(lines):
        m = pattern.match(line)
        if not m:
            continue
        indent, value = len(m.group(1)), m.group(3).strip()
        if value in ("|", ">", "|-", ">-", "|+"):
            body = []
            for nxt in lines[i + 1 :]:
                if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= indent:
                    break
                body.append(nxt.strip())
            out.append("\n".join(body).strip() + "\n")
        elif value:
            out.append(value.strip("'\""))
    return out


def main():
    seeds = {}
    for fixture in sorted((FIXTURES / "analyze").iterdir()):
        if not fixture.is_dir():
            continue
        files = text_files(fixture)
        for path, text in files.items():
            if path.endswith((".yml", ".yaml")):
                add(seeds, "yaml", text)
            for target, claims in READERS.items():
                if claims(path):
                    others = "".join(
                        f"{SEPARATOR}{p}\n{t}"
                        for p, t in files.items()
                        if p != path and p.endswith((".yml", ".yaml", "Jenkinsfile"))
                    )
                    add(seeds, target, text + others)
                    add(seeds, target, text)
            if path.endswith(".gitlab-ci.yml"):
                add(seeds, "team_edits", text)
            if "Jenkinsfile" in path:
                add(seeds, "jenkins_parser", text)
                for script in re.findall(r"(?s)sh\s*(?:\(\s*)?(?:script:\s*)?'''(.*?)'''", text):
                    add(seeds, "shell", script)
            for script in block_values(text, ["run", "script", "before_script", "inlineScript"]):
                add(seeds, "shell", script)
            if path.startswith(".github/"):
                for cond in block_values(text, ["if"]):
                    add(seeds, "github_expr", cond)
    for folder in ("models", "bad-models"):
        for path in sorted((FIXTURES / folder).glob("*.yaml")):
            text = path.read_text(encoding="utf-8")
            add(seeds, "model", text)
            add(seeds, "yaml", text)
            # The cutover's edit takes the environment from the first line, a comment.
            names = re.findall(r"(?m)^\s*- name: ([a-z0-9-]+)", text)
            if folder == "models" and names:
                add(seeds, "team_edits", f"# {names[0]}\n" + text.replace("    branches:", "    suspended: true\n    branches:", 1))
    # `seal` reads Secret manifests: the plaintext ones the secrets corpus plants, and two more.
    for path in sorted((FIXTURES / "secrets").rglob("*")):
        if path.is_file() and path.suffix in (".yml", ".yaml"):
            text = path.read_text(encoding="utf-8", errors="replace")
            if "kind: Secret" in text:
                add(seeds, "seal", text)
    for secret in SECRETS:
        add(seeds, "seal", secret)
        add(seeds, "policy", secret)
    # `policy` reads any manifest: the team manifests and charts of the repository fixtures.
    for path in sorted((FIXTURES / "repos").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if "kind:" in text:
            add(seeds, "policy", text)
    for overlay in OVERLAYS:
        add(seeds, "overlay", overlay)
        add(seeds, "yaml", overlay.split("\n", 2)[2])
    for expression in EXPRESSIONS:
        add(seeds, "github_expr", expression)
    shutil.rmtree(SEEDS, ignore_errors=True)
    for target, by_name in sorted(seeds.items()):
        (SEEDS / target).mkdir(parents=True)
        for name, data in by_name.items():
            (SEEDS / target / name).write_bytes(data)
        print(f"{target}: {len(by_name)} seeds, {sum(map(len, by_name.values()))} bytes")


if __name__ == "__main__":
    main()
