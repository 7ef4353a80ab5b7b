#!/usr/bin/env python3
"""Lists the cases of one set of the real-world evaluation set (tests/realworld/README.md) whose
repository shares a root commit with a case of any other set: a fork, a copy under another name
or a repository renamed since (`thecodingmachine/workadventure` is `workadventure/workadventure`).
The used-repository list is by name, so such a case passes it; its pipelines may be ones the
rules were tuned on, and it does not belong in a held-out set.

Needs the mirrors `realworld-fetch.py` reads (`--git`, one bare repository per `owner+name`).

Usage: scripts/realworld-overlap.py --git /work/.mirror --set tests/realworld/holdout-28
"""

import argparse
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("fetch", ROOT / "scripts/realworld-fetch.py")
fetch = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fetch)


def roots(bare):
    out = subprocess.run(
        ["git", "--git-dir", str(bare), "rev-list", "--max-parents=0", "HEAD"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return set(out.stdout.split())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--git", required=True, help="folder of the mirrors")
    ap.add_argument("--set", required=True, help="the set to check")
    ap.add_argument("--all", default=str(ROOT / "tests/realworld"), help="folder of all sets")
    args = ap.parse_args()
    checked = Path(args.set).resolve()

    earlier = {}
    missing = []
    for source in sorted(Path(args.all).glob("*/*/source.json")):
        if source.parent.parent.resolve() == checked:
            continue
        repo = json.loads(source.read_text())["repo"]
        bare = fetch.git_dir(args.git, repo)
        if bare is None:
            missing.append(repo)
            continue
        for root in roots(bare):
            earlier.setdefault(root, set()).add(f"{source.parent.parent.name}/{repo}")

    overlaps = 0
    for source in sorted(checked.glob("*/source.json")):
        repo = json.loads(source.read_text())["repo"]
        bare = fetch.git_dir(args.git, repo)
        if bare is None:
            print(f"{source.parent.name}: no mirror of {repo}")
            continue
        shared = set().union(*(earlier.get(r, set()) for r in roots(bare)))
        if shared:
            overlaps += 1
            print(f"{source.parent.name} ({repo}) shares a root commit with {sorted(shared)}")
    print(f"{overlaps} overlapping; {len(missing)} earlier repositories have no mirror here "
          "and were not compared")
    return 1 if overlaps else 0


if __name__ == "__main__":
    sys.exit(main())
