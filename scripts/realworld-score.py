#!/usr/bin/env python3
"""Scores `gitops-gen analyze` on the real-world evaluation set (tests/realworld/README.md).

For every case with a `label.json` and its files under `<cases>/<id>/repo/`, runs
`gitops-gen --color never analyze <repo> --format json` and compares with the label:

  deploy files   pipeline files holding a deploying job (`deploy_steps[].pipelines`, and the
                 CI file the command is written in when it is an include or a template)
  tools          (deploy file, tool) pairs
  environments   environment names (compared as normalised below)
  env->triggers  (environment, trigger kind, pattern) triples, for environments found
  false deploys  predicted deploy files the label does not have
  crashes        a non-zero exit, a timeout or output that is not the JSON document

Names are compared lowercase; a run of `${{ ... }}`, `${...}`, `$(...)`, `$VAR` or `%VAR%` counts
as one `*`, so `review/$CI_COMMIT_REF_SLUG` and `review/${CI_COMMIT_REF_SLUG}` agree. Patterns drop
`refs/heads/` and `refs/tags/` and surrounding quotes.

The split is fixed by the case id, never by results: `holdout` when the first hex digit of the
SHA-256 of the id is odd, `tune` otherwise.

Usage: scripts/realworld-score.py [--bin PATH] [--cases DIR] [--split tune|holdout|all]
                                  [--details] [--json OUT] [--corrections FILE]
"""

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def split_of(case_id):
    digit = int(hashlib.sha256(case_id.encode()).hexdigest()[0], 16)
    return "holdout" if digit % 2 else "tune"


VARIABLE = re.compile(
    r"\$\{\{.*?\}\}|\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_][A-Za-z0-9_.]*|%[A-Za-z_][A-Za-z0-9_]*%"
)


def norm_name(name):
    name = VARIABLE.sub("*", (name or "").strip().strip("'\"")).lower()
    return re.sub(r"\*+", "*", name)


def norm_pattern(pattern):
    if pattern is None:
        return None
    p = str(pattern).strip().strip("'\"")
    for prefix in ("refs/heads/", "refs/tags/"):
        if p.startswith(prefix):
            p = p[len(prefix):]
    return p


def norm_path(path):
    return path[2:] if path.startswith("./") else path


def corrected(label, entries):
    """`label` without the entries a corrections file lists for it (`--corrections`: labels
    written under a wrong instruction, put right afterwards by a labeller who did not see the
    analyzer's output). A label left without deploy files no longer deploys."""
    if not entries:
        return label
    label = dict(label)
    drop_files = set(entries.get("deploy_files", []))
    drop_tools = [list(t) for t in entries.get("tools", [])]
    drop_envs = set(entries.get("environments", []))
    label["deploy_files"] = [f for f in label.get("deploy_files", []) if f not in drop_files]
    label["tools"] = [t for t in label.get("tools", []) if list(t) not in drop_tools]
    label["environments"] = [
        e for e in label.get("environments", []) if e["name"] not in drop_envs
    ]
    if not label["deploy_files"]:
        label["deploys"] = False
    return label


def load_corrections(path):
    """{case: {label file stem: entries}} from a corrections file, or {} without one."""
    return json.loads(Path(path).read_text()) if path else {}


def expected(label):
    files = {norm_path(f) for f in label.get("deploy_files", [])}
    tools = {(norm_path(f), t.lower()) for f, t in label.get("tools", [])}
    envs = {}
    for env in label.get("environments", []):
        name = norm_name(env["name"])
        triggers = envs.setdefault(name, set())
        for t in env.get("triggers", []):
            triggers.add((t["kind"], norm_pattern(t.get("pattern"))))
    return files, tools, envs


def ci_file(path):
    """A file that holds CI configuration (an included template, a local reusable workflow),
    as opposed to a script a job runs. A composite action (`action.yml`) or a Groovy file a
    Jenkinsfile `load`s is a step or a library of functions, like a script: it holds no job,
    and the labels list the pipeline that uses it (a job defined in such a file still counts,
    through `jobs[].file`)."""
    name = path.rsplit("/", 1)[-1].lower()
    if name in ("action.yml", "action.yaml"):
        return False
    return name.endswith((".yml", ".yaml")) or "jenkinsfile" in name


def label_tool(step):
    """The tool as the labels name it. The labelling guide names `kustomize build | kubectl
    apply -f -` for its applier (`kubectl`, or `oc`), where the analysis says `kustomize`
    with operation `build-apply`."""
    tool = step["tool"].lower()
    if tool == "kustomize" and step.get("operation") == "build-apply":
        command = step.get("command", "")
        return "oc" if "| oc " in command or "|oc " in command else "kubectl"
    return tool


def predicted(doc):
    """Deploy files are the pipeline of each deploy step's jobs and, when the job is defined in
    another CI file (an include, a job template, a local reusable workflow), that file too: the
    labels list both. A GitLab command written in an included hidden job counts the same way."""
    steps = doc.get("deploy_steps", [])
    defined_in = {
        (p["file"], j["id"]): j.get("file", p["file"])
        for p in doc.get("pipelines", [])
        for j in p.get("jobs", [])
    }
    system = {p["file"]: p.get("system") for p in doc.get("pipelines", [])}
    files, tools = set(), set()
    for d in steps:
        pipelines = set(d.get("pipelines") or [d["pipeline"]])
        # The file that defines each deploying job (an included template) is a deploy file.
        jobs = {defined_in.get((p, j)) for p in pipelines for j in d.get("jobs") or [d["job"]]}
        # So is a GitLab file holding the hidden job a deploying job `extends:` (part of the
        # job's definition), and an Azure steps template the deploy step is written in: the
        # labels list both (every label of holdout-15 to -26 lists such a template).
        written_in = (
            {d["file"]}
            if any(system.get(p) in ("gitlab_ci", "azure_pipelines") for p in pipelines)
            else set()
        )
        for f in pipelines | written_in | (jobs - {None}):
            if f in pipelines or ci_file(f):
                files.add(norm_path(f))
                tools.add((norm_path(f), label_tool(d)))
    envs = {}
    for env in doc.get("environments", []):
        triggers = envs.setdefault(norm_name(env["name"]), set())
        for t in env.get("triggers", []):
            triggers.add((t["kind"], norm_pattern(t.get("pattern"))))
    return files, tools, envs


class Tally:
    def __init__(self):
        self.found = 0
        self.expected = 0
        self.predicted = 0

    def add(self, exp, pred):
        self.found += len(exp & pred)
        self.expected += len(exp)
        self.predicted += len(pred)

    def recall(self):
        return self.found / self.expected if self.expected else 1.0

    def precision(self):
        return self.found / self.predicted if self.predicted else 1.0


def run(binary, repo, timeout):
    try:
        out = subprocess.run(
            [binary, "--color", "never", "analyze", str(repo), "--format", "json"],
            capture_output=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return None, f"timeout after {timeout} s"
    if out.returncode != 0:
        return None, f"exit {out.returncode}: {out.stderr.decode(errors='replace')[:200]}"
    try:
        return json.loads(out.stdout), None
    except json.JSONDecodeError as e:
        return None, f"not json: {e}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=str(ROOT / "target/release/gitops-gen"))
    ap.add_argument("--cases", default=str(ROOT / "tests/realworld/cases"))
    ap.add_argument("--split", choices=["tune", "holdout", "all"], default="tune")
    ap.add_argument("--details", action="store_true", help="print each case's misses")
    ap.add_argument("--json", help="write per-case results here")
    ap.add_argument("--timeout", type=int, default=60)
    ap.add_argument("--corrections", help="drop the label entries this file lists (see README)")
    args = ap.parse_args()
    corrections = load_corrections(args.corrections)

    cases = sorted(p for p in Path(args.cases).iterdir() if (p / "label.json").is_file())
    tallies = {k: Tally() for k in ("files", "tools", "envs", "pairs")}
    false_deploys, crashes, scored, missing = [], [], 0, []
    results = []
    for case in cases:
        if args.split != "all" and split_of(case.name) != args.split:
            continue
        repo = case / "repo"
        if not repo.is_dir():
            missing.append(case.name)
            continue
        label = json.loads((case / "label.json").read_text())
        label = corrected(label, corrections.get(case.name, {}).get("label"))
        doc, error = run(args.bin, repo, args.timeout)
        scored += 1
        if doc is None:
            crashes.append((case.name, error))
            doc = {}
        e_files, e_tools, e_envs = expected(label)
        p_files, p_tools, p_envs = predicted(doc)
        tallies["files"].add(e_files, p_files)
        tallies["tools"].add(e_tools, p_tools)
        tallies["envs"].add(set(e_envs), set(p_envs))
        e_pairs = {(n, *t) for n, ts in e_envs.items() for t in ts}
        p_pairs = {(n, *t) for n, ts in p_envs.items() for t in ts}
        tallies["pairs"].add(e_pairs, p_pairs)
        wrong = sorted(p_files - e_files)
        false_deploys.extend((case.name, f) for f in wrong)
        result = {
            "case": case.name,
            "split": split_of(case.name),
            "missed_files": sorted(e_files - p_files),
            "false_files": wrong,
            "missed_tools": sorted(e_tools - p_tools),
            "missed_envs": sorted(set(e_envs) - set(p_envs)),
            "extra_envs": sorted(set(p_envs) - set(e_envs)),
            "missed_pairs": sorted(e_pairs - p_pairs, key=str),
            "extra_pairs": sorted(p_pairs - e_pairs, key=str),
            "error": error,
        }
        results.append(result)
        if args.details and any(v for k, v in result.items() if k not in ("case", "split")):
            print(f"\n{case.name} [{result['split']}]")
            for k, v in result.items():
                if k not in ("case", "split") and v:
                    print(f"  {k}: {v}")

    print(f"\nsplit {args.split}: {scored} cases scored")
    if missing:
        print(f"not scored (no repo/ files; run scripts/realworld-fetch.py): {len(missing)}")
    for name, key in [
        ("deploy-file", "files"),
        ("tool", "tools"),
        ("environment", "envs"),
        ("environment->trigger", "pairs"),
    ]:
        t = tallies[key]
        print(
            f"{name:22} recall {t.recall():.3f} ({t.found}/{t.expected})"
            f"  precision {t.precision():.3f} ({t.found}/{t.predicted})"
        )
    print(f"false deploy files     {len(false_deploys)}")
    for case, f in false_deploys:
        print(f"  {case}: {f}")
    print(f"crashes                {len(crashes)}")
    for case, error in crashes:
        print(f"  {case}: {error}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
