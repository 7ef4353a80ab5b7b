#!/usr/bin/env python3
"""Scores `gitops-gen migrate` drafts against blind labels (tests/realworld/migrate/*/label.json).

For each case, copies `repo/` (laid out by the collector, or by scripts/realworld-fetch.py) to
a temporary folder named after the project, runs `gitops-gen migrate --write` there, reads the
drafted gitops-gen.yaml and the `todo <path>: …` lines, and compares field by field:

- project, ci, registry;
- per labelled app (matched to a drafted app by image or name): image, context, dockerfile,
  test, source (kind and path), and each environment's values file;
- per labelled environment (matched by name, `prod`/`production`, `stage`/`staging`,
  `dev`/`development` taken as one): found, namespace, branches, tags, promotion, preview.

Each field is `correct`, `wrong`, `todo` (wrong or missing, with a TODO(migrate) at its path or
above) or `missing`; a field the label leaves null is `unlabelled` and not scored. A label's
`promotion: pull-request` (the labeller's word for "deployed on pull requests") is not scored:
the model's `pull-request` means something else; `preview` carries it. Model defaults count as
drafted values (`context: .`, `dockerfile: <context>/Dockerfile`, `image: <registry>/<name>`,
`namespace: <project>`, `promotion: commit` = the label's `auto`).

Usage: scripts/migrate-score.py [--bin target/debug/gitops-gen] [--cases tests/realworld/migrate] [--json OUT]
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
ALIASES = {"prod": "production", "stage": "staging", "dev": "development", "stg": "staging", "prd": "production"}


def norm_env(name):
    n = re.sub(r"[^a-z0-9]+", "-", (name or "").lower()).strip("-")
    return ALIASES.get(n, n)


def norm_image(image):
    if not image:
        return None
    image = image.split("@")[0]
    last = image.rsplit("/", 1)[-1]
    if ":" in last:
        image = image[: image.rfind(":")]
    for prefix in ("docker.io/library/", "docker.io/", "index.docker.io/"):
        if image.startswith(prefix):
            image = image[len(prefix):]
    return image.lower()


def norm_path(path):
    if path is None:
        return None
    path = path.strip()
    while path.startswith("./"):
        path = path[2:]
    return path.rstrip("/") or "."


def norm_patterns(value):
    if value is None:
        return set()
    if isinstance(value, str):
        value = [value]
    return {v.replace("**", "*") for v in value}


def draft_of(case_dir, binary):
    label = json.loads((case_dir / "label.json").read_text())
    project = label.get("project") or case_dir.name
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / project
        shutil.copytree(case_dir / "repo", work, symlinks=True)
        out = subprocess.run([binary, "migrate", "--write", "."], cwd=work, capture_output=True, text=True, timeout=600)
        model_file = work / "gitops-gen.yaml"
        text = model_file.read_text() if model_file.exists() else ""
    todos = [line.split("todo", 1)[1].strip() for line in out.stderr.splitlines() if line.strip().startswith("todo ")]
    return label, (yaml.safe_load(text) or {}), todos, out.returncode


def has_todo(todos, path):
    return any(t.split(":", 1)[0].strip() in prefixes(path) for t in todos)


def prefixes(path):
    out = {path}
    while True:
        cut = max(path.rfind("."), path.rfind("["))
        if cut <= 0:
            break
        path = path[:cut]
        out.add(path)
    return out


def score_case(label, draft, todos):
    results = []

    def field(path, want, got, same=lambda a, b: a == b, draft_path=None):
        if want is None:
            results.append((path, "unlabelled"))
        elif got is not None and same(want, got):
            results.append((path, "correct"))
        elif has_todo(todos, draft_path or path):
            results.append((path, "todo"))
        elif got is None:
            results.append((path, "missing"))
        else:
            results.append((path, "wrong"))

    project = draft.get("project")
    registry = draft.get("registry") or (f"ghcr.io/{project}" if project else None)
    field("project", label.get("project"), project)
    field("ci", label.get("ci"), draft.get("ci") or "github")
    field("registry", label.get("registry"), registry, lambda a, b: norm_image(a) == norm_image(b))

    apps = draft.get("apps") or []
    for i, app in enumerate(label.get("apps") or []):
        want_image = norm_image(app.get("image"))
        match = None
        for j, got in enumerate(apps):
            image = got.get("image") or f"{registry}/{got.get('name')}"
            if (want_image and norm_image(image) == want_image) or got.get("name") == app.get("name"):
                match = (j, got, image)
                break
        base = f"apps[{i}]"
        if match is None:
            for key in ("image", "context", "dockerfile", "test", "source"):
                field(f"{base}.{key}", app.get(key) if key != "source" else (app.get("source") or {}).get("kind"), None, draft_path="apps")
            continue
        j, got, image = match
        dp = f"apps[{j}]"
        context = got.get("context") or "."
        field(f"{base}.image", app.get("image"), image, lambda a, b: norm_image(a) == norm_image(b), dp)
        field(f"{base}.context", app.get("context"), context, lambda a, b: norm_path(a) == norm_path(b), dp)
        dockerfile = got.get("dockerfile") or (f"{context}/Dockerfile" if norm_path(context) != "." else "Dockerfile")
        field(f"{base}.dockerfile", app.get("dockerfile"), dockerfile, lambda a, b: norm_path(a) == norm_path(b), dp)
        field(f"{base}.test", app.get("test"), got.get("test"), lambda a, b: " ".join(a.split()) == " ".join(b.split()), dp)
        source = app.get("source") or {}
        deploy = got.get("deploy") or {}
        kind, path, values = None, None, {}
        if "helm" in deploy:
            kind, path = "chart", (deploy["helm"] or {}).get("chart")
            values = {k: v for k, v in ((deploy["helm"] or {}).get("values_by_env") or {}).items()}
        elif "kustomize" in deploy:
            kind, path = "kustomize", deploy.get("kustomize")
        elif "manifests" in deploy:
            kind, path = "manifests", deploy.get("manifests")
        want = (source.get("kind"), norm_path(source.get("path"))) if source.get("kind") else None
        got_source = (kind, norm_path(path)) if kind else None
        field(f"{base}.source", want, got_source, draft_path=f"{dp}.deploy")
        for env, file in (source.get("values") or {}).items():
            got_file = next((v for k, v in values.items() if norm_env(k) == norm_env(env)), None)
            field(f"{base}.values.{env}", file, got_file, lambda a, b: norm_path(a) == norm_path(b), f"{dp}.deploy")

    envs = draft.get("environments") or []
    for i, env in enumerate(label.get("environments") or []):
        base = f"environments[{i}]"
        j, got = next(((j, e) for j, e in enumerate(envs) if norm_env(e.get("name")) == norm_env(env.get("name"))), (None, None))
        if got is None:
            results.append((f"{base}.found", "todo" if has_todo(todos, "environments") else "missing"))
            continue
        results.append((f"{base}.found", "correct"))
        dp = f"environments[{j}]"
        field(f"{base}.namespace", env.get("namespace"), got.get("namespace") or project, draft_path=dp)
        field(f"{base}.branches", norm_patterns(env.get("branches")), norm_patterns(got.get("branches")), draft_path=dp)
        field(f"{base}.tags", norm_patterns(env.get("tags")), norm_patterns(got.get("tags")), draft_path=dp)
        promotion = {"auto": "commit", "manual": "manual"}.get(env.get("promotion"))
        field(f"{base}.promotion", promotion, got.get("promotion") or "commit", draft_path=dp)
        field(f"{base}.preview", env.get("preview"), bool(got.get("preview")), draft_path=dp)
    labelled = {norm_env(e.get("name")) for e in label.get("environments") or []}
    extra = [e.get("name") for e in envs if norm_env(e.get("name")) not in labelled]
    return results, extra


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=str(ROOT / "target/debug/gitops-gen"))
    parser.add_argument("--cases", default=str(ROOT / "tests/realworld/migrate"))
    parser.add_argument("--json")
    args = parser.parse_args()
    totals = Counter()
    by_kind = {}
    report = {}
    missing = []
    for case in sorted(Path(args.cases).iterdir()):
        if not (case / "label.json").is_file():
            continue
        if not (case / "repo").is_dir():
            missing.append(case.name)
            continue
        label, draft, todos, code = draft_of(case, args.bin)
        results, extra = score_case(label, draft, todos)
        counts = Counter(v for _, v in results)
        totals.update(counts)
        for path, verdict in results:
            kind = re.sub(r"\[\d+\]", "", path).split(".values.")[0]
            by_kind.setdefault(kind, Counter())[verdict] += 1
        report[case.name] = {"exit": code, "todos": len(todos), "extra_environments": extra, "fields": results}
        print(f"{case.name}: " + ", ".join(f"{k} {counts[k]}" for k in ("correct", "wrong", "todo", "missing", "unlabelled")) + f"; {len(todos)} TODOs; extra environments {extra}")
    print()
    print("field                        correct  wrong  todo  missing  (unlabelled)")
    for kind in sorted(by_kind):
        c = by_kind[kind]
        print(f"{kind:28} {c['correct']:7} {c['wrong']:6} {c['todo']:5} {c['missing']:8}  ({c['unlabelled']})")
    scored = sum(totals[k] for k in ("correct", "wrong", "todo", "missing"))
    print(f"\nall fields: {totals['correct']} correct, {totals['wrong']} wrong, {totals['todo']} TODO, {totals['missing']} missing of {scored} scored ({totals['unlabelled']} unlabelled)")
    if missing:
        print("not laid out (no repo/):", ", ".join(missing))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
